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
    /// The media requests, in order: every one, or in a very long session the last
    /// [`MAX_SEGMENT_RECORDS`].
    pub segments: Vec<SegmentRecord>,
    /// Media requests left out of `segments` (the earliest ones of a very long session); the
    /// QoE figures count them all the same.
    #[serde(default)]
    pub segments_left_out: usize,
    /// Stalls left out of `stalls` (the earliest of a session with more than
    /// [`MAX_STALL_RECORDS`]); `rebuffer_s` counts them.
    #[serde(default)]
    pub stalls_left_out: usize,
    /// Latency to the live edge and the catch-up, for a live session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<crate::live::LiveReport>,
}

/// Most media request records a session keeps (older ones are folded into the totals): a
/// 24-hour session weighs what a 6-hour one does.
pub const MAX_SEGMENT_RECORDS: usize = 10_000;

/// Most stalls a session lists (older ones count in `rebuffer_s`).
pub const MAX_STALL_RECORDS: usize = 1_000;

/// Chunks whose QoE terms are kept apart, so the score can leave out the first ones
/// ([`QoeConfig::first_scored_chunk`] is capped at this).
const SCORED_FROM: usize = 16;

/// Running QoE sums over the video chunks, one per possible first scored chunk, each added in
/// chunk order (so the figures are those of a sum over a list of every chunk, to the last bit).
#[derive(Clone, Debug, Default)]
pub(crate) struct VideoScores {
    chunks: usize,
    bitrate_kbps_sum: f64,
    switches: usize,
    previous_kbps: Option<u64>,
    lin_from: [f64; SCORED_FROM + 1],
    log_from: [f64; SCORED_FROM + 1],
    rebuffer_from: [f64; SCORED_FROM + 1],
}

impl VideoScores {
    /// Chunk `n` (the next one) arrived at `kbps` after `rebuffer_s` of stall; `lowest_kbps` is
    /// the reference of QoE_log.
    fn push(&mut self, kbps: u64, rebuffer_s: f64, lowest_kbps: f64, penalty: f64) {
        let n = self.chunks;
        let log_rate = |kbps: u64| (kbps.max(1) as f64 / lowest_kbps).ln();
        let r = kbps as f64 / 1000.0;
        let change = self.previous_kbps.map_or(0.0, |p| (r - p as f64 / 1000.0).abs());
        if self.previous_kbps.is_some_and(|p| p != kbps) {
            self.switches += 1;
        }
        let lin = r - penalty * rebuffer_s - change;
        let log_change = self.previous_kbps.map_or(0.0, |p| (log_rate(kbps) - log_rate(p)).abs());
        let log = log_rate(kbps) - 2.66 * rebuffer_s - log_change;
        for first in 0..=SCORED_FROM.min(n) {
            self.lin_from[first] += lin;
            self.log_from[first] += log;
            self.rebuffer_from[first] += rebuffer_s;
        }
        self.bitrate_kbps_sum += kbps as f64;
        self.previous_kbps = Some(kbps);
        self.chunks += 1;
    }
}

/// What the player records as it goes.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub(crate) load_at: Option<Duration>,
    pub(crate) started_at: Option<Duration>,
    stalls: std::collections::VecDeque<(Duration, Option<Duration>)>,
    /// Stall time of the stalls no longer listed.
    stalled_before: Duration,
    stalls_left_out: usize,
    segments: std::collections::VecDeque<SegmentRecord>,
    segments_left_out: usize,
    /// QoE sums by rebuffer penalty (the penalty is known only when the report is asked for;
    /// every model so far uses 4.3).
    video: VideoScores,
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
        self.stalled_before
            + self
                .stalls
                .iter()
                .map(|&(start, end)| end.unwrap_or(now.max(start)).saturating_sub(start))
                .sum()
    }

    /// Playback stalled at `at`.
    pub(crate) fn stall_started(&mut self, at: Duration) {
        if self.stalls.len() == MAX_STALL_RECORDS
            && let Some((start, end)) = self.stalls.pop_front()
        {
            self.stalled_before += end.unwrap_or(start).saturating_sub(start);
            self.stalls_left_out += 1;
        }
        self.stalls.push_back((at, None));
    }

    /// The stall in progress, if any, ended at `at`; its start.
    pub(crate) fn stall_ended(&mut self, at: Duration) -> Option<Duration> {
        match self.stalls.back_mut() {
            Some((start, end @ None)) => {
                *end = Some(at);
                Some(*start)
            }
            _ => None,
        }
    }

    /// A media request ended as `record` says.
    pub(crate) fn record(&mut self, record: SegmentRecord) {
        if self.segments.len() == MAX_SEGMENT_RECORDS {
            self.segments.pop_front();
            self.segments_left_out += 1;
        }
        self.segments.push_back(record);
    }

    /// The record of the media request that ended last.
    pub(crate) fn last_record(&mut self) -> Option<&mut SegmentRecord> {
        self.segments.back_mut()
    }

    /// A video chunk arrived at `kbps` after `rebuffer_s` of stall since the one before.
    pub(crate) fn video_chunk(&mut self, kbps: u64, rebuffer_s: f64) {
        let lowest = self.lowest_video_kbps.unwrap_or(1).max(1) as f64;
        self.video.push(kbps, rebuffer_s, lowest, QoeConfig::default().rebuffer_penalty);
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
        let video = &self.video;
        let first = qoe.first_scored_chunk.min(SCORED_FROM);
        let scored = video.chunks.saturating_sub(first);
        // The sums are kept with the default penalty; another one shifts them by its difference.
        let extra_penalty = qoe.rebuffer_penalty - QoeConfig::default().rebuffer_penalty;
        let qoe_sum = video.lin_from[first] - extra_penalty * video.rebuffer_from[first];
        let qoe_log_sum = video.log_from[first];
        let switches = video.switches;
        let mean_bitrate = if video.chunks == 0 { 0.0 } else { video.bitrate_kbps_sum / video.chunks as f64 };
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
            segments: self.segments.iter().cloned().collect(),
            segments_left_out: self.segments_left_out,
            stalls_left_out: self.stalls_left_out,
            live: None,
        }
    }
}
