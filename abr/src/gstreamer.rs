//! GStreamer's `dashdemux2` (gst-plugins-good, `ext/adaptivedemux2`): after each fragment the
//! stream measures its download rate, averages the last three (`NUM_LOOKBACK_FRAGMENTS`), keeps
//! the smaller of that average and the last rate ("conservative approach, make sure we don't
//! upgrade too fast"), multiplies it by `bandwidth-target-ratio` (0.8) and picks the highest
//! representation whose bandwidth is at most the result, the lowest if none fits. Streaming
//! starts on the lowest representation.
//!
//! The rate of a fragment is its bytes over the time from the request to the last byte:
//! `gst_adaptive_demux2_stream_update_fragment_bitrate` means to time only the body unless the
//! whole response came in one buffer, but its test (`body < 2 × total`) always holds, so the
//! request time is always included; Flick does the same.

use crate::{Abr, Decision, DecisionContext, DownloadReport};
use serde::{Deserialize, Serialize};

/// Most fragments the average may look back on.
const MAX_LOOKBACK: usize = 16;

/// Parameters of [`GStreamer`]; defaults are `dashdemux2`'s.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GStreamerConfig {
    /// Fragments averaged (`NUM_LOOKBACK_FRAGMENTS`, 3; at most 16).
    pub lookback_fragments: usize,
    /// Fraction of the measured rate the selection may use (`bandwidth-target-ratio`, 0.8).
    pub bandwidth_target_ratio: f64,
    /// A fixed rate in bit/s to use instead of measuring (`connection-speed`; 0 measures).
    pub connection_speed_bps: u64,
}

impl Default for GStreamerConfig {
    fn default() -> Self {
        GStreamerConfig { lookback_fragments: 3, bandwidth_target_ratio: 0.8, connection_speed_bps: 0 }
    }
}

/// `dashdemux2`'s rate-based selection.
#[derive(Clone, Debug)]
pub struct GStreamer {
    config: GStreamerConfig,
    rates: [u64; MAX_LOOKBACK],
    moving_sum: u64,
    moving_index: usize,
    /// The rate the next selection uses, in bit/s, once a fragment was measured.
    target_bps: Option<u64>,
}

impl Default for GStreamer {
    fn default() -> Self {
        Self::new(GStreamerConfig::default())
    }
}

impl GStreamer {
    /// A `dashdemux2` selection with the given parameters.
    pub fn new(config: GStreamerConfig) -> Self {
        GStreamer { config, rates: [0; MAX_LOOKBACK], moving_sum: 0, moving_index: 0, target_bps: None }
    }

    fn lookback(&self) -> usize {
        self.config.lookback_fragments.clamp(1, MAX_LOOKBACK)
    }

    /// The rate the next selection targets, in bit/s.
    pub fn target_bps(&self) -> Option<u64> {
        if self.config.connection_speed_bps > 0 {
            return Some(self.config.connection_speed_bps);
        }
        self.target_bps
    }
}

impl Abr for GStreamer {
    fn name(&self) -> &'static str {
        "gstreamer"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        self.choose(ctx).rung
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let Some(target) = self.target_bps() else {
            return Decision::rung(ctx.last_rung.unwrap_or(0));
        };
        // `get_rep_idx_with_max_bandwidth`: 0 means the lowest; else the best fit, or the lowest.
        let rung =
            if target == 0 { 0 } else { ctx.rungs.iter().rposition(|r| r.bps() <= target).unwrap_or(0) };
        Decision::rung(rung)
    }

    fn on_download(&mut self, report: &DownloadReport) {
        if report.abandoned_to.is_some() {
            return;
        }
        let nanos = report.elapsed.as_nanos();
        if nanos == 0 {
            return;
        }
        let rate = (report.received.bits() as u128 * 1_000_000_000 / nanos) as u64;
        let n = self.lookback();
        let index = self.moving_index % n;
        self.moving_sum = self.moving_sum - self.rates[index] + rate;
        self.rates[index] = rate;
        self.moving_index += 1;
        let average = self.moving_sum / self.moving_index.min(n) as u64;
        let current = average.min(rate);
        self.target_bps = Some((current as f64 * self.config.bandwidth_target_ratio) as u64);
    }

    fn new_session(&mut self) {
        *self = GStreamer::new(self.config);
    }
}
