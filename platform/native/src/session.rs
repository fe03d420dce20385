//! One native session: the player core on a tokio runtime and a monotonic clock.
//!
//! The loop has the simulator's shape (`flick_platform::sim::session`) on a real clock: after every
//! input or timeout it drains [`Player::poll_output`] (starting a network task per fetch, aborting
//! the task of every cancelled request), then waits for whichever comes first: a message from a
//! network task, the core's next wake-up ([`Player::poll_timeout`]), a status-line tick, the
//! duration limit or a stop request. Session time is the [`Duration`] since the session started.
//!
//! Headless, nothing decodes: appended media is dropped and the buffer drains by the core's own
//! playback clock (no [`flick_player::Input::Playback`] reports). With a media pipeline
//! ([`NativeSession::with_media`]) appends go to GStreamer, the pipeline plays while the core is
//! `Playing`, a track the core says is complete is ended, and whenever the core asks
//! ([`Output::ReportDecoder`]) the decoder's position, buffered media and frame counters go back
//! to it. A [`Controller`] steers a running session and a [`StatusFeed`] shows it, refreshed every
//! [`MEDIA_TICK`].

use crate::control::{Command, Controller, SessionStatus, StatusFeed};
use crate::error::NativeError;
use crate::fetch::{FetchConfig, Fetcher, LiveTasks};
use crate::media::{FrameSlot, MediaConfig, MediaError, MediaPipeline};
use crate::status::StatusLine;
use flick_player::{
    Input, Output, Player, PlayerConfig, PlayerEvent, PlayerState, QoeConfig, RequestId, SessionReport,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

/// Messages the network tasks may queue before they wait for the loop.
const CHANNEL: usize = 256;

/// How often a session refreshes its [`StatusFeed`] (and checks its media pipeline for errors).
pub const MEDIA_TICK: Duration = Duration::from_millis(100);

/// How long an ended stream may take to play out of the decoder.
const DRAIN: Duration = Duration::from_secs(3);

/// What a headless session plays with.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadlessOptions {
    /// ABR algorithm name (see [`flick_abr::names`]).
    pub abr: String,
    /// Player configuration.
    pub player: PlayerConfig,
    /// Stop after this long (session time), if the stream has not ended or failed before.
    pub duration: Option<Duration>,
    /// Print the live status line on stderr.
    pub status: bool,
}

impl Default for HeadlessOptions {
    fn default() -> Self {
        HeadlessOptions {
            abr: "hedge".into(),
            player: PlayerConfig::default(),
            duration: None,
            status: false,
        }
    }
}

/// Asks a running session to stop (it then returns its report as of that moment).
#[derive(Clone, Debug, Default)]
pub struct StopHandle(Arc<Notify>);

impl StopHandle {
    /// Stop the session (now if it runs, at its start otherwise).
    pub fn stop(&self) {
        self.0.notify_one();
    }
}

/// One session of the native driver, ready to [`NativeSession::run`].
pub struct NativeSession {
    url: String,
    player_config: PlayerConfig,
    abr: Box<dyn flick_abr::Abr>,
    duration: Option<Duration>,
    status: bool,
    fetch: FetchConfig,
    live: LiveTasks,
    stop: StopHandle,
    media: Option<MediaPipeline>,
    commands: (mpsc::UnboundedSender<Command>, mpsc::UnboundedReceiver<Command>),
    feed: StatusFeed,
}

impl NativeSession {
    /// A headless session of the MPD at `url`.
    pub fn headless(url: &str, options: HeadlessOptions) -> Result<Self, NativeError> {
        let abr = flick_abr::by_name(&options.abr)?;
        Ok(NativeSession {
            url: url.to_string(),
            player_config: options.player,
            abr,
            duration: options.duration,
            status: options.status,
            fetch: FetchConfig::default(),
            live: LiveTasks::default(),
            stop: StopHandle::default(),
            media: None,
            commands: mpsc::unbounded_channel(),
            feed: StatusFeed::default(),
        })
    }

    /// Decode what the core appends with a GStreamer pipeline (see [`crate::media`]) instead of
    /// dropping it.
    pub fn with_media(mut self, config: MediaConfig) -> Result<Self, NativeError> {
        self.media = Some(MediaPipeline::new(config)?);
        self.fetch.keep_media = true;
        Ok(self)
    }

    /// Where decoded video frames arrive (`None` without a media pipeline).
    pub fn frames(&self) -> Option<FrameSlot> {
        self.media.as_ref().map(MediaPipeline::frames)
    }

    /// A handle that sends commands to the running session.
    pub fn controller(&self) -> Controller {
        Controller(self.commands.0.clone())
    }

    /// The session's status, refreshed while it runs.
    pub fn status_feed(&self) -> StatusFeed {
        self.feed.clone()
    }

    /// Make requests this way rather than with [`FetchConfig::default`].
    pub fn with_fetch_config(mut self, fetch: FetchConfig) -> Self {
        let keep_media = self.fetch.keep_media;
        self.fetch = fetch;
        self.fetch.keep_media |= keep_media;
        self
    }

    /// A view of how many network tasks are alive.
    pub fn live_tasks(&self) -> LiveTasks {
        self.live.clone()
    }

    /// A handle that stops the session from elsewhere (a Ctrl-C handler).
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Play until the core reaches `Ended` or `Failed` (and, with a media pipeline, the decoder
    /// has played out), the duration has elapsed or a stop is asked for, and return the session
    /// report. Every network task has finished when it returns. A media pipeline's error ends the
    /// session; its report's `error` then says what failed (kind `decode_failed`).
    pub async fn run(self) -> Result<SessionReport, NativeError> {
        let NativeSession {
            url,
            mut player_config,
            abr,
            duration,
            status,
            fetch,
            live,
            stop,
            media,
            commands,
            feed,
            ..
        } = self;
        if media.is_some() {
            player_config.decoder_reports = Some(flick_player::DECODER_REPORTS);
        }
        let mut player = Player::new(player_config, abr);
        let (_keep_sender, mut commands) = commands;
        let (tx, mut rx) = mpsc::channel(CHANNEL);
        let mut io = Io { fetcher: Fetcher::new(&fetch, tx, live)?, tasks: HashMap::new(), media };
        let mut status = StatusLine::new(status);
        let mut ticker = tokio::time::interval(status.period());
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut media_ticker = tokio::time::interval(MEDIA_TICK);
        media_ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let start = Instant::now();
        let deadline = duration.map(|d| start + d);
        let never = start + Duration::from_secs(100 * 365 * 24 * 3600);
        let mut media_error: Option<MediaError> = None;
        let mut ended_at: Option<Duration> = None;
        let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        player.handle_input(Duration::ZERO, Input::WallClock { unix });
        player.handle_input(Duration::ZERO, Input::Load { url });
        'session: loop {
            let now = start.elapsed();
            while let Some(output) = player.poll_output() {
                if let Output::Event(event) = &output {
                    status.event(now, event);
                    feed.lock().event(event);
                }
                if let Err(e) = io.execute(&mut player, output, now) {
                    media_error = Some(e);
                    break 'session;
                }
            }
            match (player.state(), io.media.as_mut()) {
                (PlayerState::Failed, _) | (PlayerState::Ended, None) => break,
                (PlayerState::Ended, Some(m)) => {
                    let since = *ended_at.get_or_insert(now);
                    if m.report().ended {
                        feed.lock().played_out = true;
                        break;
                    }
                    if now.saturating_sub(since) > DRAIN {
                        break;
                    }
                }
                _ => ended_at = None,
            }
            let wake = player.poll_timeout().map(|t| start + t);
            tokio::select! {
                () = stop.0.notified() => break,
                () = sleep_until(deadline.unwrap_or(never)), if deadline.is_some() => break,
                // The fetcher holds a sender, so the channel never closes while the loop runs.
                Some(input) = rx.recv() => {
                    io.answered(&input);
                    player.handle_input(start.elapsed(), input);
                }
                Some(command) = commands.recv() => match command {
                    Command::Stop => break,
                    Command::SetVolume(volume, muted) => io.set_volume(volume, muted),
                    command => {
                        if let Some(input) = command.input() {
                            player.handle_input(start.elapsed(), input);
                        }
                    }
                },
                () = sleep_until(wake.unwrap_or(never)), if wake.is_some() => player.handle_timeout(start.elapsed()),
                _ = media_ticker.tick() => {
                    if let Some(e) = io.media.as_mut().and_then(MediaPipeline::poll_error) {
                        media_error = Some(e);
                        break;
                    }
                    io.refresh(&mut feed.lock(), &player, start.elapsed());
                }
                _ = ticker.tick(), if status.enabled() => status.draw(&player, start.elapsed()),
            }
        }
        let end = start.elapsed();
        status.finish(&player, end);
        drop(rx);
        io.close().await;
        let mut report = player.report(end, "native", None, QoeConfig::default());
        if let Some(e) = media_error {
            report.error = Some(flick_player::metrics::ReportError {
                kind: e.kind().to_string(),
                message: e.to_string(),
            });
        }
        let mut view = feed.lock();
        view.refresh(&player, end);
        view.finished = true;
        if let Some(error) = &report.error {
            view.error = Some(format!("{} ({})", error.message, error.kind));
        }
        Ok(report)
    }
}

/// The session's I/O: network tasks and the media pipeline, doing what the core's outputs say.
struct Io {
    fetcher: Fetcher,
    tasks: HashMap<RequestId, JoinHandle<()>>,
    media: Option<MediaPipeline>,
}

impl Io {
    /// Do what `output` says (the core may be asked for more when the decoder reports).
    fn execute(&mut self, player: &mut Player, output: Output, now: Duration) -> Result<(), MediaError> {
        match output {
            Output::Fetch(request) => {
                let id = request.id;
                self.tasks.insert(id, self.fetcher.start(request));
            }
            Output::Cancel(id) => {
                if let Some(task) = self.tasks.remove(&id) {
                    task.abort();
                }
            }
            output => {
                let Some(media) = self.media.as_mut() else { return Ok(()) };
                match output {
                    Output::Append(append) => media.append(&append)?,
                    Output::Flush { position } => media.flush(position)?,
                    Output::EndOfStream { track } => media.end_track(track),
                    Output::SetPlaybackRate { rate } if !media.set_rate(rate) => {
                        tracing::debug!(rate, "the pipeline did not take the playback rate");
                    }
                    Output::ReportDecoder => report_decoder(player, media, now),
                    Output::Event(PlayerEvent::StateChanged { to, .. }) => {
                        media.set_playing(matches!(to, PlayerState::Playing | PlayerState::Ended))?
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// A network task's input is on its way to the core: forget a request that ended.
    fn answered(&mut self, input: &Input) {
        if input.ends_request()
            && let Some(id) = input.request()
        {
            self.tasks.remove(&id);
        }
    }

    fn set_volume(&mut self, volume: f64, muted: bool) {
        if let Some(media) = self.media.as_mut() {
            media.set_volume(volume, muted);
        }
    }

    /// Refresh `view` from the core and the decoder.
    fn refresh(&mut self, view: &mut SessionStatus, player: &Player, now: Duration) {
        view.refresh(player, now);
        if let Some(media) = self.media.as_mut() {
            let report = media.report();
            view.frames = report.frames;
            view.audio = (report.audio.buffers, report.audio.last);
        }
    }

    /// Stop every network task and wait for them; release the media pipeline.
    async fn close(mut self) {
        for (_, task) in self.tasks.drain() {
            task.abort();
            let _ = task.await;
        }
    }
}

/// Tell the core what the decoder holds and shows.
fn report_decoder(player: &mut Player, media: &mut MediaPipeline, now: Duration) {
    let report = media.report();
    if let Some(position) = report.position {
        player.handle_input(now, Input::Playback { position });
    }
    for (track, ranges) in report.buffered {
        player.handle_input(now, Input::Buffered { track, ranges });
    }
    let (decoded, dropped) = report.frames;
    if decoded > 0 {
        player.handle_input(now, Input::DecoderFrames { decoded, dropped });
    }
}

/// Play the MPD at `url` headless: fetch as the core asks, decode nothing, and return the
/// session report once the stream has ended or failed, or `options.duration` has elapsed.
///
/// A session that fails (every location dead, a broken manifest) still returns `Ok`: its report's
/// `error` says why. `Err` means the session could not start.
pub async fn play_headless(url: &str, options: HeadlessOptions) -> Result<SessionReport, NativeError> {
    NativeSession::headless(url, options)?.run().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unknown_algorithm_is_an_error() {
        let options = HeadlessOptions { abr: "nope".into(), ..HeadlessOptions::default() };
        assert!(matches!(
            NativeSession::headless("http://127.0.0.1:9/a.mpd", options),
            Err(NativeError::UnknownAbr(_))
        ));
    }

    #[tokio::test]
    async fn a_refused_manifest_fails_the_session_with_a_typed_error() {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused.
        let player = PlayerConfig { give_up_after: Duration::from_millis(300), ..PlayerConfig::default() };
        let options = HeadlessOptions { player, ..HeadlessOptions::default() };
        let session = NativeSession::headless("http://127.0.0.1:9/a.mpd", options).unwrap();
        let live = session.live_tasks();
        let report = tokio::time::timeout(Duration::from_secs(10), session.run()).await.unwrap().unwrap();
        let error = report.error.expect("an error");
        assert_eq!(error.kind, "all_locations_failed", "{}", error.message);
        assert!(error.message.contains("Reset"), "{}", error.message);
        assert_eq!(live.count(), 0);
    }
}
