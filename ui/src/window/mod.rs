//! The player window (eframe with the wgpu renderer): a native session with a media pipeline
//! runs on a tokio runtime beside it; every repaint shows the newest decoded frame (uploaded into
//! one wgpu texture) and the views of [`crate::views`] fed from the session's status.

mod screenshot;
mod texture;

pub use screenshot::ScreenshotPlan;

use crate::views::{self, Action, RungView, Snapshot, ViewState};
use anyhow::{Context as _, anyhow};
use flick_native::media::FrameSlot;
use flick_native::{Command, Controller, NativeSession, SessionStatus, StatusFeed};
use flick_player::presentation::TrackKind;
use flick_player::{PlayerState, SessionReport};
use screenshot::Screenshots;
use std::time::{Duration, Instant};
use texture::VideoTexture;

/// How often the window repaints while playing.
const REPAINT: Duration = Duration::from_millis(15);

/// How the window starts.
#[derive(Clone, Debug, Default)]
pub struct WindowOptions {
    /// Window title.
    pub title: String,
    /// Open the statistics panel at start.
    pub stats: bool,
    /// Close the window when the session ends (a `--duration` limit, say).
    pub close_when_finished: bool,
    /// Take screenshots, then close (tests).
    pub screenshots: Option<ScreenshotPlan>,
}

/// Whether a window can open here: an X11 or Wayland display is named.
pub fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Run `session` (built with a media pipeline) on `runtime` and show it in a window until the
/// window closes; returns the session's report.
pub fn play(
    runtime: &tokio::runtime::Runtime,
    session: NativeSession,
    options: WindowOptions,
) -> anyhow::Result<SessionReport> {
    let frames = session.frames().ok_or_else(|| anyhow!("the session has no media pipeline"))?;
    let control = session.controller();
    let feed = session.status_feed();
    let handle = runtime.spawn(session.run());
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(&options.title)
            .with_inner_size([1024.0, 640.0]),
        renderer: eframe::Renderer::Wgpu,
        ..eframe::NativeOptions::default()
    };
    let app_control = control.clone();
    let title = options.title.clone();
    let shown = eframe::run_native(
        &title,
        native,
        Box::new(move |cc| {
            if cc.wgpu_render_state.is_none() {
                return Err("the wgpu renderer is not available".into());
            }
            Ok(Box::new(PlayerWindow::new(app_control, feed, frames, options)))
        }),
    );
    control.send(Command::Stop);
    let report = runtime.block_on(handle).context("the session task")??;
    shown.map_err(|e| anyhow!("the window failed: {e}"))?;
    Ok(report)
}

/// The eframe application.
struct PlayerWindow {
    control: Controller,
    feed: StatusFeed,
    frames: FrameSlot,
    texture: Option<VideoTexture>,
    shown_serial: u64,
    view: ViewState,
    opened: Instant,
    want_play: bool,
    fullscreen: bool,
    close_when_finished: bool,
    screenshots: Option<Screenshots>,
    resolution: Option<(u32, u32)>,
}

impl PlayerWindow {
    fn new(control: Controller, feed: StatusFeed, frames: FrameSlot, options: WindowOptions) -> Self {
        let view = ViewState { stats: options.stats, ..ViewState::default() };
        PlayerWindow {
            control,
            feed,
            frames,
            texture: None,
            shown_serial: 0,
            view,
            opened: Instant::now(),
            want_play: true,
            fullscreen: false,
            close_when_finished: options.close_when_finished,
            screenshots: options.screenshots.map(Screenshots::new),
            resolution: None,
        }
    }

    /// Upload the newest frame, if it is new.
    fn upload_frame(&mut self, frame: &eframe::Frame) {
        let Some((serial, latest)) = self.frames.latest() else { return };
        if serial == self.shown_serial {
            return;
        }
        if let Some(render) = frame.wgpu_render_state() {
            texture::upload(render, &mut self.texture, &latest);
            self.shown_serial = serial;
            let info = latest.info();
            self.resolution = Some((info.width, info.height));
            if let Some(shots) = self.screenshots.as_mut() {
                shots.frame_shown();
            }
        }
    }

    fn act(&mut self, ctx: &egui::Context, action: Action, status: &SessionStatus) {
        match action {
            Action::TogglePlay => {
                self.want_play = !self.want_play;
                self.control.send(if self.want_play { Command::Play } else { Command::Pause });
            }
            Action::Seek(position) => self.control.send(Command::Seek(position)),
            Action::SeekBy(secs) => {
                let target = (status.position.as_secs_f64() + secs).max(0.0);
                let target = status.duration.map_or(target, |d| target.min(d.as_secs_f64()));
                self.control.send(Command::Seek(Duration::from_secs_f64(target)));
            }
            Action::SetQuality(rung) => self.control.send(Command::SetQuality(rung)),
            Action::SelectAudio(i) => self.control.send(Command::SelectTrack(TrackKind::Audio, i)),
            Action::GoLive => self.control.send(Command::GoLive),
            Action::SetVolume(v) => {
                self.view.volume = v;
                self.control.send(Command::SetVolume(v as f64, self.view.muted));
            }
            Action::ToggleMute => {
                self.view.muted = !self.view.muted;
                self.control.send(Command::SetVolume(self.view.volume as f64, self.view.muted));
            }
            Action::ToggleFullscreen => {
                self.fullscreen = !self.fullscreen;
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(self.fullscreen));
            }
            Action::ToggleStats => self.view.stats = !self.view.stats,
        }
    }
}

/// The views' snapshot of a session status.
fn snapshot(status: &SessionStatus, want_play: bool, resolution: Option<(u32, u32)>) -> Snapshot {
    let state = status.state.map_or_else(|| "starting".to_string(), |s| format!("{s:?}").to_lowercase());
    Snapshot {
        state,
        playing: want_play && !matches!(status.state, Some(PlayerState::Ended | PlayerState::Failed)),
        position: status.position,
        duration: status.duration,
        buffered: status.buffered.clone(),
        buffer: status.buffer,
        rungs: status
            .rungs
            .iter()
            .map(|r| RungView { bitrate_kbps: r.bitrate_kbps, height: r.size.map(|s| s.1) })
            .collect(),
        rung: status.video_rung,
        pinned: status.pinned_rung,
        resolution,
        throughput_kbps: status.throughput_kbps,
        abr: status.abr.clone(),
        location: status.location.clone(),
        location_changes: status.location_changes,
        frames: status.frames,
        audio_tracks: status.audio_tracks.clone(),
        audio_track: status.audio_track,
        notes: status.notes.clone(),
        error: status.error.clone(),
        live: status.live.as_ref().map(|l| views::LiveView {
            latency: l.latency,
            target: l.target_latency,
            window: l.window,
            following: l.following,
            rate: l.playback_rate,
        }),
    }
}

impl eframe::App for PlayerWindow {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.upload_frame(frame);
        let status = self.feed.get();
        let snap = snapshot(&status, self.want_play, self.resolution);
        self.view.history.push(self.opened.elapsed().as_secs_f64(), &snap);
        let mut actions = views::keys::shortcuts(&ctx, &self.view);
        let bar = egui::Panel::bottom("controls").show(ui, |ui| views::controls::show(ui, &snap, &self.view));
        let controls = bar.response.rect;
        actions.extend(bar.inner);
        let stats = self.view.stats.then(|| {
            egui::Panel::right("stats")
                .default_size(300.0)
                .show(ui, |ui| views::stats::show(ui, &snap, &self.view.history))
                .response
                .rect
        });
        let message = match (&snap.error, status.finished) {
            (Some(error), _) => format!("Playback failed: {error}"),
            (None, true) => "Ended".to_string(),
            (None, false) => "Loading…".to_string(),
        };
        let texture = self.texture.as_ref().map(VideoTexture::view);
        let video = egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| views::video::show(ui, texture, &message))
            .inner;
        for action in actions {
            self.act(&ctx, action, &status);
        }
        if let Some(shots) = self.screenshots.as_mut()
            && shots.tick(&ctx, video, stats, controls)
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if status.finished && self.close_when_finished {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        ctx.request_repaint_after(REPAINT);
    }
}
