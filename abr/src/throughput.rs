//! The throughput rule of Sabre (and dash.js's `ThroughputRule` before BOLA-E): the highest rung
//! the safety-discounted throughput estimate sustains, lowered by the insufficient-buffer rule, with
//! abandonment of a download that will take too long.

use crate::units::Bitrate;
use crate::{Abr, Decision, DecisionContext, ProgressContext};
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// Parameters of [`ThroughputRule`]; defaults are Sabre's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThroughputRuleConfig {
    /// Fraction of the estimate the rule trusts.
    pub safety_factor: f64,
    /// Floor of the insufficient-buffer safety factor.
    pub low_buffer_safety_factor: f64,
    /// Initial insufficient-buffer safety factor (decays geometrically by itself to the floor).
    pub low_buffer_safety_factor_init: f64,
    /// Abandon when the download is projected to take longer than this many segment durations.
    pub abandon_multiplier: f64,
    /// No abandonment before the download has run this long, in milliseconds.
    pub abandon_grace_ms: f64,
    /// Turn the insufficient-buffer rule off.
    pub no_insufficient_buffer_rule: bool,
}

impl Default for ThroughputRuleConfig {
    fn default() -> Self {
        ThroughputRuleConfig {
            safety_factor: 0.9,
            low_buffer_safety_factor: 0.5,
            low_buffer_safety_factor_init: 0.9,
            abandon_multiplier: 1.8,
            abandon_grace_ms: 500.0,
            no_insufficient_buffer_rule: false,
        }
    }
}

/// Throughput-based rate selection.
#[derive(Clone, Debug)]
pub struct ThroughputRule {
    config: ThroughputRuleConfig,
    ibr_safety: f64,
}

impl Default for ThroughputRule {
    fn default() -> Self {
        Self::new(ThroughputRuleConfig::default())
    }
}

impl ThroughputRule {
    /// A throughput rule with the given parameters.
    pub fn new(config: ThroughputRuleConfig) -> Self {
        ThroughputRule { ibr_safety: config.low_buffer_safety_factor_init, config }
    }
}

/// The insufficient-buffer rule shared by the throughput rule and BOLA-E: the highest rung whose
/// next segment is smaller than what `safety` of the estimate delivers before the buffer runs out.
pub(crate) fn insufficient_buffer_cap(
    ctx: &DecisionContext<'_>,
    rung: usize,
    safety: f64,
    throughput: Bitrate,
) -> usize {
    let latency_ms = ctx.throughput.latency.unwrap_or_default().as_secs_f64() * 1000.0;
    let level_ms = ctx.buffer_level.as_secs_f64() * 1000.0;
    let safe_bits = safety * (level_ms - latency_ms) * throughput.kbps();
    let segment_ms = ctx.segment_duration.as_secs_f64() * 1000.0;
    (0..rung).find(|&q| ctx.rungs[q + 1].kbps() * segment_ms > safe_bits).unwrap_or(rung)
}

impl Abr for ThroughputRule {
    fn name(&self) -> &'static str {
        "throughput"
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let Some(estimate) = ctx.throughput.estimate else {
            return Decision::rung(ctx.last_rung.unwrap_or(0));
        };
        let latency = ctx.throughput.latency.unwrap_or_default();
        let discounted_kbps = estimate.kbps() * self.config.safety_factor;
        let mut rung =
            quality_from_throughput_kbps(ctx.rungs, ctx.segment_duration, discounted_kbps, latency);
        if !self.config.no_insufficient_buffer_rule {
            let safety = self.ibr_safety;
            self.ibr_safety = (self.ibr_safety * self.config.low_buffer_safety_factor_init)
                .max(self.config.low_buffer_safety_factor);
            rung = insufficient_buffer_cap(ctx, rung, safety, estimate);
        }
        Decision::rung(rung)
    }

    fn check_abandon(&mut self, progress: &ProgressContext<'_>) -> Option<usize> {
        let size = progress.size?;
        let elapsed_ms = progress.elapsed.as_secs_f64() * 1000.0;
        let ttfb_ms = progress.ttfb?.as_secs_f64() * 1000.0;
        let body_ms = elapsed_ms - ttfb_ms;
        if elapsed_ms < self.config.abandon_grace_ms || body_ms <= 0.0 {
            return None;
        }
        let received_bits = progress.received.bits() as f64;
        let tput = received_bits / body_ms;
        let left_bits = size.bits().saturating_sub(progress.received.bits()) as f64;
        let time_left = left_bits / tput;
        let segment_ms = progress.segment_duration.as_secs_f64() * 1000.0;
        if elapsed_ms + time_left <= self.config.abandon_multiplier * segment_ms {
            return None;
        }
        let latency = progress.throughput.latency.unwrap_or_default();
        let rung = quality_from_throughput_kbps(
            progress.rungs,
            progress.segment_duration,
            tput * self.config.safety_factor,
            latency,
        );
        let estimate_bits =
            size.bits() as f64 * progress.rungs[rung].kbps() / progress.rungs[progress.rung].kbps();
        (rung < progress.rung && estimate_bits < left_bits).then_some(rung)
    }
}

/// Sabre's `quality_from_throughput`: the highest rung whose segment, fetched at `kbps` (bits per
/// millisecond) after `latency`, arrives within one segment duration.
pub fn quality_from_throughput_kbps(
    rungs: &[Bitrate],
    segment_duration: Duration,
    kbps: f64,
    latency: Duration,
) -> usize {
    let p = segment_duration.as_secs_f64() * 1000.0;
    let lat = latency.as_secs_f64() * 1000.0;
    let mut rung = 0;
    while rung + 1 < rungs.len() && lat + p * rungs[rung + 1].kbps() / kbps <= p {
        rung += 1;
    }
    rung
}
