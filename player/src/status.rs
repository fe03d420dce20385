//! A snapshot of a session as a viewer's statistics panel shows it ([`crate::Player::status`]):
//! one definition for every front end.

use crate::error::PlayerError;
use crate::state::PlayerState;
use core::time::Duration;
use serde::Serialize;

/// One video rung as a viewer picks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RungInfo {
    /// Nominal bit rate in kbit/s.
    pub bitrate_kbps: u64,
    /// Width and height, when the manifest gives them.
    pub size: Option<(u32, u32)>,
}

/// Where a session stands at one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlayerStatus {
    /// Player state.
    pub state: PlayerState,
    /// Playback position.
    pub position: Duration,
    /// Presentation duration, when known.
    pub duration: Option<Duration>,
    /// Media buffered ahead of the position (the least over the selected tracks).
    pub buffer: Duration,
    /// Buffered ranges playback can use (from the position to the end of what every track holds).
    pub buffered: Vec<(Duration, Duration)>,
    /// Video rungs, lowest first.
    pub rungs: Vec<RungInfo>,
    /// Rung of the video segment fetched last.
    pub video_rung: Option<usize>,
    /// Rung pinned by the viewer (`None`: the ABR algorithm chooses).
    pub pinned_rung: Option<usize>,
    /// Throughput estimate in kbit/s.
    pub throughput_kbps: Option<f64>,
    /// Name of the ABR algorithm.
    pub abr: &'static str,
    /// Location (CDN) media requests go to.
    pub location: Option<String>,
    /// Times media requests moved to another location.
    pub location_changes: u32,
    /// The period's audio tracks (their languages).
    pub audio_tracks: Vec<Option<String>>,
    /// Index among [`PlayerStatus::audio_tracks`] of the one played.
    pub audio_track: Option<usize>,
    /// The period's text tracks (their languages).
    pub text_tracks: Vec<Option<String>>,
    /// Video frames decoded and dropped, as the decoder last reported.
    pub frames: Option<(u64, u64)>,
    /// Why the session failed, if it did.
    pub error: Option<PlayerError>,
    /// The live edge and the latency to it, for a live stream.
    pub live: Option<LiveStatus>,
}

/// Where a live session stands against the live edge.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LiveStatus {
    /// Latency: how far the position is behind the live edge.
    pub latency: Duration,
    /// The latency aimed for.
    pub target_latency: Duration,
    /// The DVR window: the oldest position that can be played and the live edge.
    pub window: (Duration, Duration),
    /// Whether playback follows the live edge (not a position the viewer chose in the window).
    pub following: bool,
    /// Current playback rate (catch-up).
    pub playback_rate: f64,
    /// Whether the MPD turned static: the stream ends at its end.
    pub ended: bool,
    /// Where the wall clock comes from: `utc_timing`, `date_header`, `device`, `publish_time`.
    pub clock: &'static str,
}
