//! Session metrics and the session report every driver writes (see
//! [`crate::manual::_05_session_report`]).
//!
//! QoE_lin follows the MPC/Pensieve definition per chunk n:
//! `R_n − μ·T_n − |R_n − R_{n−1}|`, with R in Mbit/s (the rung's nominal rate), T_n the seconds
//! of stall between the arrivals of video chunks n − 1 and n (start-up excluded) and μ = 4.3.

use crate::error::PlayerError;
use crate::io::FetchError;
use crate::presentation::TrackKind;
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// How a request ended, as the report spells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Completed.
    Ok,
    /// The ABR algorithm gave it up for a lower rung.
    Abandoned,
    /// Cancelled by a seek or the end of the session.
    Cancelled,
    /// No answer in time.
    Timeout,
    /// Connection reset.
    Reset,
    /// Body stopped arriving.
    Stalled,
    /// Body shorter than announced.
    Truncated,
    /// Another transport failure.
    Transport,
    /// Non-success HTTP status, spelled `http_503`.
    #[serde(untagged)]
    Http(String),
}

impl From<&FetchError> for Outcome {
    fn from(e: &FetchError) -> Self {
        match e {
            FetchError::Http(code) => Outcome::Http(format!("http_{code}")),
            FetchError::Timeout => Outcome::Timeout,
            FetchError::Reset => Outcome::Reset,
            FetchError::Stalled => Outcome::Stalled,
            FetchError::Truncated => Outcome::Truncated,
            FetchError::Transport(_) => Outcome::Transport,
        }
    }
}

/// One request for a media segment, as the report lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentRecord {
    /// Track.
    pub track: TrackKind,
    /// Segment index.
    pub index: usize,
    /// Rung.
    pub rung: usize,
    /// Nominal bit rate of the rung.
    pub bitrate_kbps: u64,
    /// Location id.
    pub location: String,
    /// Bytes received.
    pub bytes: u64,
    /// Request sent (session ms).
    pub start_ms: f64,
    /// First byte (session ms), if any arrived.
    pub first_byte_ms: Option<f64>,
    /// Ended (session ms).
    pub end_ms: f64,
    /// How it ended.
    pub outcome: Outcome,
    /// Stall time (seconds) since the previous video segment arrived; filled for completed video.
    pub rebuffer_s: f64,
    /// Segment duration in seconds.
    pub duration_s: f64,
}

/// One stall.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stall {
    /// When playback stopped (session ms).
    pub at_ms: f64,
    /// How long it lasted (ms); up to the end of the session if it never ended.
    pub duration_ms: f64,
}

/// The error field of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportError {
    /// Machine-readable kind (`all_locations_failed`, `manifest`, ...).
    pub kind: String,
    /// Human-readable cause.
    pub message: String,
}

/// How QoE is scored: the definitions differ in which chunks count.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QoeConfig {
    /// μ: penalty per second of rebuffering, in Mbit/s.
    pub rebuffer_penalty: f64,
    /// Chunks before this index are not scored (Pensieve scores from chunk 1).
    pub first_scored_chunk: usize,
}

impl Default for QoeConfig {
    fn default() -> Self {
        QoeConfig { rebuffer_penalty: 4.3, first_scored_chunk: 0 }
    }
}

/// The session report: one JSON document per session, the same from every driver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionReport {
    /// `sim`, `native` or `web`.
    pub driver: String,
    /// ABR algorithm.
    pub abr: String,
    /// Network model (simulator only).
    pub model: Option<String>,
    /// Time from load to the first frame playing, if it played.
    pub startup_ms: Option<f64>,
    /// Media played, in seconds.
    pub played_s: f64,
    /// Total stall time after start-up, in seconds.
    pub rebuffer_s: f64,
    /// Every stall.
    pub stalls: Vec<Stall>,
    /// Mean nominal bit rate of the video chunks fetched.
    pub mean_video_bitrate_kbps: f64,
    /// Video rung changes between consecutive chunks.
    pub switches: usize,
    /// Changes of the location media requests went to.
    pub cdn_switches: usize,
    /// Mean QoE_lin per scored chunk.
    pub qoe_lin: f64,
    /// Mean QoE_log per scored chunk (Pensieve's: `ln(R/R_min)`, rebuffering penalty 2.66).
    pub qoe_log: f64,
    /// Number of chunks scored.
    pub scored_chunks: usize,
    /// Session length in seconds (to the end of playback or of the run).
    pub session_s: f64,
    /// Video frames decoded, from drivers that decode.
    #[serde(default)]
    pub decoded_frames: Option<u64>,
    /// Video frames dropped, from drivers that decode.
    #[serde(default)]
    pub dropped_frames: Option<u64>,
    /// Why the session failed, if it did.
    pub error: Option<ReportError>,
    /// Every media request.
    pub segments: Vec<SegmentRecord>,
}

/// What the player records as it goes.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub(crate) load_at: Option<Duration>,
    pub(crate) started_at: Option<Duration>,
    pub(crate) stalls: Vec<(Duration, Option<Duration>)>,
    pub(crate) segments: Vec<SegmentRecord>,
    pub(crate) last_media_location: Option<String>,
    pub(crate) cdn_switches: usize,
    pub(crate) stall_total_at_last_video: Duration,
    pub(crate) error: Option<PlayerError>,
    /// The decoder's frame counters (decoded, dropped), from drivers that decode.
    pub(crate) frames: Option<(u64, u64)>,
    /// Lowest video rung's rate, the reference of QoE_log.
    pub(crate) lowest_video_kbps: Option<u64>,
}

impl Metrics {
    /// Total stall time up to `now` (a stall in progress counts up to `now`).
    pub fn stall_time(&self, now: Duration) -> Duration {
        self.stalls.iter().map(|&(start, end)| end.unwrap_or(now.max(start)).saturating_sub(start)).sum()
    }

    /// Build the report as of `now`.
    pub fn report(
        &self,
        now: Duration,
        played: Duration,
        driver: &str,
        abr: &str,
        model: Option<&str>,
        qoe: QoeConfig,
    ) -> SessionReport {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let video: Vec<&SegmentRecord> = self
            .segments
            .iter()
            .filter(|s| s.track == TrackKind::Video && s.outcome == Outcome::Ok)
            .collect();
        let lowest = self.lowest_video_kbps.unwrap_or(1).max(1) as f64;
        let log_rate = |kbps: u64| (kbps.max(1) as f64 / lowest).ln();
        let mut qoe_log_sum = 0.0;
        let mut qoe_sum = 0.0;
        let mut scored = 0;
        let mut switches = 0;
        let mut previous: Option<u64> = None;
        for (n, s) in video.iter().enumerate() {
            let r = s.bitrate_kbps as f64 / 1000.0;
            let change = previous.map_or(0.0, |p| (r - p as f64 / 1000.0).abs());
            if previous.is_some_and(|p| p != s.bitrate_kbps) {
                switches += 1;
            }
            if n >= qoe.first_scored_chunk {
                qoe_sum += r - qoe.rebuffer_penalty * s.rebuffer_s - change;
                let log_change = previous.map_or(0.0, |p| (log_rate(s.bitrate_kbps) - log_rate(p)).abs());
                qoe_log_sum += log_rate(s.bitrate_kbps) - 2.66 * s.rebuffer_s - log_change;
                scored += 1;
            }
            previous = Some(s.bitrate_kbps);
        }
        let mean_bitrate = if video.is_empty() {
            0.0
        } else {
            video.iter().map(|s| s.bitrate_kbps as f64).sum::<f64>() / video.len() as f64
        };
        SessionReport {
            driver: driver.to_string(),
            abr: abr.to_string(),
            model: model.map(str::to_string),
            startup_ms: match (self.load_at, self.started_at) {
                (Some(l), Some(s)) => Some(ms(s.saturating_sub(l))),
                _ => None,
            },
            played_s: played.as_secs_f64(),
            rebuffer_s: self.stall_time(now).as_secs_f64(),
            stalls: self
                .stalls
                .iter()
                .map(|&(start, end)| Stall {
                    at_ms: ms(start),
                    duration_ms: ms(end.unwrap_or(now).saturating_sub(start)),
                })
                .collect(),
            mean_video_bitrate_kbps: mean_bitrate,
            switches,
            cdn_switches: self.cdn_switches,
            qoe_lin: if scored == 0 { 0.0 } else { qoe_sum / scored as f64 },
            qoe_log: if scored == 0 { 0.0 } else { qoe_log_sum / scored as f64 },
            scored_chunks: scored,
            session_s: now.saturating_sub(self.load_at.unwrap_or_default()).as_secs_f64(),
            decoded_frames: self.frames.map(|(decoded, _)| decoded),
            dropped_frames: self.frames.map(|(_, dropped)| dropped),
            error: self
                .error
                .as_ref()
                .map(|e| ReportError { kind: e.kind().to_string(), message: e.to_string() }),
            segments: self.segments.clone(),
        }
    }
}
