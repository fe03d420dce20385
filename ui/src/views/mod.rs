//! The player's views in plain egui: the video surface, the control bar, the statistics panel
//! and the keyboard shortcuts. They read a [`Snapshot`] (plain data, filled from the native
//! driver's status; the browser build has its own page, `wasm/www/`) and answer with
//! [`Action`]s; nothing here knows about GStreamer, tokio or wgpu.

pub mod controls;
pub mod keys;
pub mod stats;
pub mod video;

use std::collections::VecDeque;
use std::time::Duration;

/// One video rung as the quality menu lists it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RungView {
    /// Nominal bit rate in kbit/s.
    pub bitrate_kbps: u64,
    /// Height in pixels, when known.
    pub height: Option<u32>,
}

/// Everything the views show, at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Player state, as a word ("playing", "paused", "buffering", ...).
    pub state: String,
    /// Whether playback runs or is about to (the play/pause button shows "pause").
    pub playing: bool,
    /// Playback position.
    pub position: Duration,
    /// Presentation duration, when known.
    pub duration: Option<Duration>,
    /// Buffered ranges on the timeline.
    pub buffered: Vec<(Duration, Duration)>,
    /// Media buffered ahead of the position.
    pub buffer: Duration,
    /// Video rungs, lowest first.
    pub rungs: Vec<RungView>,
    /// Rung being fetched.
    pub rung: Option<usize>,
    /// Rung pinned by the viewer (`None`: automatic).
    pub pinned: Option<usize>,
    /// Size of the frame shown.
    pub resolution: Option<(u32, u32)>,
    /// Throughput estimate in kbit/s.
    pub throughput_kbps: Option<f64>,
    /// ABR algorithm.
    pub abr: String,
    /// CDN location in use.
    pub location: Option<String>,
    /// CDN location changes so far.
    pub location_changes: u32,
    /// Frames decoded and dropped.
    pub frames: (u64, u64),
    /// Audio tracks by language (`None`: unnamed).
    pub audio_tracks: Vec<Option<String>>,
    /// Audio track played.
    pub audio_track: Option<usize>,
    /// Recent notable events.
    pub notes: Vec<String>,
    /// Why the session failed, if it did.
    pub error: Option<String>,
    /// A live stream: the window and the latency.
    pub live: Option<LiveView>,
}

/// Where a live stream stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveView {
    /// How far behind the live edge playback is.
    pub latency: Duration,
    /// The latency aimed for.
    pub target: Duration,
    /// The DVR window: the oldest position and the live edge.
    pub window: (Duration, Duration),
    /// Whether playback follows the edge (not a position chosen in the window).
    pub following: bool,
    /// Playback rate (catch-up).
    pub rate: f64,
}

impl Snapshot {
    /// Bit rate of the rung being fetched, in kbit/s.
    pub fn bitrate_kbps(&self) -> Option<u64> {
        self.rung.and_then(|r| self.rungs.get(r)).map(|r| r.bitrate_kbps)
    }
}

/// What the viewer asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Play if paused, pause if playing.
    TogglePlay,
    /// Jump to a position.
    Seek(Duration),
    /// Jump by this many seconds (negative: back).
    SeekBy(f64),
    /// Pin a rung, or `None` for automatic.
    SetQuality(Option<usize>),
    /// Play another audio track.
    SelectAudio(usize),
    /// Volume, 0.0 to 1.0.
    SetVolume(f32),
    /// Mute or unmute.
    ToggleMute,
    /// Enter or leave full screen.
    ToggleFullscreen,
    /// Show or hide the statistics panel.
    ToggleStats,
    /// Back to the live edge.
    GoLive,
}

/// What the views keep between frames: volume, panel visibility and the graphs' history.
#[derive(Clone, Debug)]
pub struct ViewState {
    /// Volume, 0.0 to 1.0.
    pub volume: f32,
    /// Muted.
    pub muted: bool,
    /// Statistics panel shown.
    pub stats: bool,
    /// Samples for the graphs.
    pub history: History,
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState { volume: 1.0, muted: false, stats: false, history: History::default() }
    }
}

/// One sample of the graphs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Seconds since the session started.
    pub t: f64,
    /// Throughput estimate, kbit/s.
    pub throughput_kbps: f64,
    /// Video bit rate, kbit/s.
    pub bitrate_kbps: f64,
    /// Buffer, seconds.
    pub buffer_s: f64,
}

/// The last [`History::SPAN`] seconds of samples.
#[derive(Clone, Debug, Default)]
pub struct History {
    samples: VecDeque<Sample>,
}

impl History {
    /// Seconds the graphs span.
    pub const SPAN: f64 = 60.0;

    /// Add a sample taken at `t` seconds (samples closer than 0.2 s to the last are skipped).
    pub fn push(&mut self, t: f64, snapshot: &Snapshot) {
        if self.samples.back().is_some_and(|last| t - last.t < 0.2) {
            return;
        }
        self.samples.push_back(Sample {
            t,
            throughput_kbps: snapshot.throughput_kbps.unwrap_or(0.0),
            bitrate_kbps: snapshot.bitrate_kbps().unwrap_or(0) as f64,
            buffer_s: snapshot.buffer.as_secs_f64(),
        });
        while self.samples.front().is_some_and(|first| t - first.t > Self::SPAN) {
            self.samples.pop_front();
        }
    }

    /// The samples, oldest first.
    pub fn samples(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter()
    }
}

/// `m:ss` (or `h:mm:ss`).
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_a_minute_of_spaced_samples() {
        let mut h = History::default();
        let snap = Snapshot { throughput_kbps: Some(800.0), ..Snapshot::default() };
        for i in 0..1000 {
            h.push(i as f64 * 0.1, &snap);
        }
        let samples: Vec<_> = h.samples().collect();
        assert!((150..=301).contains(&samples.len()), "{}", samples.len());
        assert!(samples.last().unwrap().t - samples[0].t <= History::SPAN);
        assert_eq!(samples[0].throughput_kbps, 800.0);
    }

    #[test]
    fn clocks_read_like_players_show_them() {
        assert_eq!(clock(Duration::from_secs(65)), "1:05");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }
}
