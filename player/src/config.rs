//! Player configuration.

use crate::estimator::EstimatorConfig;
pub use crate::failover::RequestTimeouts;
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// How often a driver that renders is asked for its decoder's state
/// ([`PlayerConfig::decoder_reports`]): the one cadence of the native and browser front ends.
pub const DECODER_REPORTS: Duration = Duration::from_millis(100);

/// Everything that shapes a session's behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlayerConfig {
    /// Most media buffered ahead of the playback position.
    pub max_buffer: Duration,
    /// Count the next segment against [`PlayerConfig::max_buffer`] before requesting it (Sabre,
    /// dash.js), rather than only the media already buffered (Pensieve).
    pub count_next_segment: bool,
    /// With a full buffer, check again every this long rather than waking exactly when there is
    /// room (dash.js polls; Pensieve sleeps in 500 ms steps).
    pub full_buffer_poll: Option<Duration>,
    /// Media needed before playback starts (zero: the first segment).
    pub start_threshold: Duration,
    /// Media needed before playback resumes after a stall or a seek (zero: the next segment).
    pub resume_threshold: Duration,
    /// Rung of the first video segment; `None` lets the ABR algorithm choose.
    pub initial_rung: Option<usize>,
    /// Per-request timeouts; `None` waits for every answer however long it takes.
    pub request_timeouts: Option<RequestTimeouts>,
    /// How long a request may keep failing on every location before the session fails.
    pub give_up_after: Duration,
    /// A location that failed is tried again (probed) only with at least this much buffer, unless
    /// no other location is available.
    pub probe_buffer: Duration,
    /// Seed of the session's choices (the DVB `@weight` choice among equally preferred locations).
    pub seed: u64,
    /// Send CMCD (CTA-5004) with segment requests.
    pub cmcd: Option<crate::cmcd::CmcdConfig>,
    /// Throughput estimator parameters.
    pub estimator: EstimatorConfig,
    /// Start playing as soon as enough media is buffered.
    pub autoplay: bool,
    /// Keep the event log of every input and output ([`crate::Player::event_log`]).
    pub record_log: bool,
    /// After an abandoned download, fetch the segment again below the abandoned rung (and at
    /// most at the rung the algorithm suggested), and never abandon a download at the lowest
    /// rung: an algorithm that keeps choosing what it keeps abandoning cannot hold the session
    /// in a loop. Sabre's simulator lets the algorithm choose the retry freely; its model turns
    /// this off to reproduce Sabre's figures.
    pub lower_after_abandon: bool,
    /// For a driver that renders: ask for the decoder's state ([`crate::Output::ReportDecoder`])
    /// this often while a presentation plays, and before calling a stall. `None` (a simulator, a
    /// headless run) lets the core's own clock stand for the decoder.
    pub decoder_reports: Option<Duration>,
    /// How live streams are played: the latency aimed for and the catch-up.
    pub live: LiveConfig,
}

/// Live playback: how far behind the live edge to play and how to hold it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiveConfig {
    /// Latency to the live edge to aim for; `None`: the MPD's `ServiceDescription` target, else
    /// its `@suggestedPresentationDelay`, else [`LiveConfig::default_segments`] segment durations.
    pub target_latency: Option<Duration>,
    /// Segment durations of latency aimed for when neither the configuration nor the MPD says.
    pub default_segments: f64,
    /// Slowest playback rate used to hold the target (the MPD's `ServiceDescription` narrows it).
    pub min_rate: f64,
    /// Fastest playback rate used to catch up.
    pub max_rate: f64,
    /// Latency this far above the target is not caught up by playing faster but by a jump to
    /// the target (after a long stall, say); `None`: the larger of 3 s and two segments.
    pub max_drift: Option<Duration>,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            target_latency: None,
            default_segments: 2.5,
            min_rate: 0.95,
            max_rate: 1.05,
            max_drift: None,
        }
    }
}

impl Default for PlayerConfig {
    fn default() -> Self {
        PlayerConfig {
            max_buffer: Duration::from_secs(30),
            count_next_segment: true,
            full_buffer_poll: None,
            start_threshold: Duration::ZERO,
            resume_threshold: Duration::ZERO,
            initial_rung: None,
            request_timeouts: Some(RequestTimeouts::default()),
            give_up_after: Duration::from_secs(10),
            probe_buffer: Duration::from_secs(10),
            cmcd: None,
            seed: 0,
            estimator: EstimatorConfig::default(),
            autoplay: true,
            record_log: false,
            lower_after_abandon: true,
            decoder_reports: None,
            live: LiveConfig::default(),
        }
    }
}
