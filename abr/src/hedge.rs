//! Hedge, Flick's default algorithm: an MPC-style plan hedged between a nominal and a
//! pessimistic bandwidth scenario.
//!
//! It plans like MPC (enumerate rung plans over the next segments, score them with QoE_lin) but
//! with what the anchors teach about where MPC loses:
//! - it looks at the sizes of the segments it will actually fetch (Pensieve's reference looks one
//!   segment ahead of them);
//! - its throughput prediction is the harmonic mean of recent downloads discounted by a quantile
//!   of its own recent relative errors, not by the worst one (RobustMPC's discount makes it leave
//!   bandwidth unused after any single surprise);
//! - it scores each plan under a pessimistic and a nominal bandwidth scenario, weighting stalls in
//!   the pessimistic one, so one plan has to be good on both;
//! - the plan's last step keeps value: buffer left at the end of the horizon is worth something
//!   (up to a target), so short horizons do not drain the buffer to grab bitrate;
//! - when the latest download ran much faster than the ones before it, it believes that download
//!   (a harmonic mean otherwise takes five segments to follow a link that got faster);
//! - it abandons a download that cannot finish before the buffer runs out when a lower rung would,
//!   and fetches the segment again below the abandoned rung; but not while the buffer is deep
//!   enough to ride out a short blockage (mmWave, tunnels' edges), where abandoning costs two
//!   switches and the bytes already received.

use crate::predict::{PredictionErrors, Ring, harmonic_mean, inverse_sum, plan_step};
use crate::{Abr, Decision, DecisionContext, DownloadReport, ProgressContext};
use serde::{Deserialize, Serialize};

const MAX_RUNGS: usize = 16;
const MAX_HORIZON: usize = 6;
const MAX_HISTORY: usize = 16;

/// Parameters of [`HedgeAbr`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HedgeConfig {
    /// Segments planned ahead.
    pub horizon: usize,
    /// Downloads averaged (harmonic mean) for the prediction.
    pub history: usize,
    /// Prediction errors remembered.
    pub error_window: usize,
    /// Which error to discount by: 1.0 the largest of the window (RobustMPC), 0.5 the median.
    pub error_quantile: f64,
    /// Multiplier of that error in the discount `1 / (1 + k·error)`.
    pub error_weight: f64,
    /// Factor of the nominal prediction that makes the pessimistic scenario.
    pub pessimistic_factor: f64,
    /// Weight of the pessimistic scenario (the nominal one gets the rest).
    pub pessimistic_weight: f64,
    /// QoE penalty per second of stall, in Mbit/s (the QoE_lin definition's 4.3).
    pub rebuffer_penalty: f64,
    /// QoE penalty per Mbit/s of change.
    pub smooth_penalty: f64,
    /// Value, in Mbit/s per second, of buffer left at the end of the plan (up to the target).
    pub terminal_buffer_value: f64,
    /// Buffer beyond this (seconds) at the end of the plan is worth nothing more.
    pub terminal_buffer_target_s: f64,
    /// Abandon a download when it will not finish before the buffer drains and a lower rung would.
    pub abandon: bool,
    /// Make the pessimistic scenario the slowest recent download (times `pessimistic_factor`)
    /// rather than a fraction of the nominal prediction.
    pub pessimistic_from_min: bool,
    /// When set, the pessimistic scenario divides the harmonic mean by `1 + this × the largest
    /// recent relative error` (so it is pessimistic only on networks that surprise), instead of
    /// using `pessimistic_factor`.
    pub pessimistic_error_weight: Option<f64>,
    /// Predict a download as latency plus body time (rather than one rate over the whole request).
    pub separate_latency: bool,
    /// When the latest download ran at least this many times the harmonic mean of the ones
    /// before it, the link has got faster (a handover, cross traffic gone): predict from that
    /// download alone instead of letting the slow past hold the estimate down.
    pub jump_ratio: Option<f64>,
    /// A download is abandoned only with less buffer than this, in seconds: a deeper buffer
    /// rides out a blockage of a few seconds, where abandoning would throw away what arrived
    /// and switch down and up again for nothing.
    pub abandon_below_buffer_s: f64,
}

impl Default for HedgeConfig {
    fn default() -> Self {
        HedgeConfig {
            horizon: 5,
            history: 5,
            error_window: 5,
            error_quantile: 1.0,
            error_weight: 0.5,
            pessimistic_factor: 0.7,
            pessimistic_weight: 0.2,
            rebuffer_penalty: 4.3,
            smooth_penalty: 1.0,
            terminal_buffer_value: 0.02,
            terminal_buffer_target_s: 20.0,
            abandon: true,
            separate_latency: false,
            pessimistic_from_min: false,
            pessimistic_error_weight: None,
            jump_ratio: Some(1.7),
            abandon_below_buffer_s: 10.0,
        }
    }
}

/// Hedge, Flick's default ABR algorithm (see the module documentation).
#[derive(Clone, Debug)]
pub struct HedgeAbr {
    config: HedgeConfig,
    throughputs: Ring<f64, MAX_HISTORY>,
    errors: PredictionErrors<MAX_HISTORY>,
    latencies: Ring<f64, MAX_HISTORY>,
}

impl Default for HedgeAbr {
    fn default() -> Self {
        Self::new(HedgeConfig::default())
    }
}

impl HedgeAbr {
    /// Hedge with the given parameters.
    pub fn new(config: HedgeConfig) -> Self {
        HedgeAbr {
            config,
            throughputs: Ring::default(),
            errors: PredictionErrors::default(),
            latencies: Ring::default(),
        }
    }

    /// Harmonic mean of recent throughputs, bytes per second.
    fn harmonic(&self) -> Option<f64> {
        let n = self.config.history.clamp(1, MAX_HISTORY);
        if self.throughputs.is_empty() {
            return None;
        }
        if let Some(ratio) = self.config.jump_ratio
            && let Some(latest) = self.throughputs.newest_first(1).next()
        {
            let before = n.min(self.throughputs.len()) - 1;
            if before > 0 {
                let (_, inv_before) = inverse_sum(self.throughputs.newest_first(before + 1).skip(1));
                if latest >= ratio * before as f64 / inv_before {
                    return Some(latest);
                }
            }
        }
        harmonic_mean(self.throughputs.newest_first(n))
    }

    fn error_discount(&self) -> f64 {
        let n = self.config.error_window.clamp(1, MAX_HISTORY);
        match self.errors.quantile(n, self.config.error_quantile) {
            Some(error) => 1.0 / (1.0 + self.config.error_weight * error),
            None => 1.0,
        }
    }
}

struct Search<'c> {
    config: &'c HedgeConfig,
    horizon: usize,
    rungs: usize,
    kbps: [f64; MAX_RUNGS],
    /// Seconds to download step `depth` at rung `q`, nominal and pessimistic.
    nominal: [[f64; MAX_RUNGS]; MAX_HORIZON],
    pessimistic: [[f64; MAX_RUNGS]; MAX_HORIZON],
    segment_s: f64,
    best: f64,
    best_first: usize,
}

impl Search<'_> {
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        depth: usize,
        buf_n: f64,
        buf_p: f64,
        last: usize,
        gain: f64,
        stall_n: f64,
        stall_p: f64,
        first: usize,
    ) {
        let c = self.config;
        if depth == self.horizon {
            let w = c.pessimistic_weight;
            let stall = (1.0 - w) * stall_n + w * stall_p;
            let end_buffer = ((1.0 - w) * buf_n + w * buf_p).min(c.terminal_buffer_target_s);
            let score = gain - c.rebuffer_penalty * stall + c.terminal_buffer_value * end_buffer;
            if score >= self.best {
                self.best = score;
                self.best_first = first;
            }
            return;
        }
        for q in 0..self.rungs {
            let (sn, bn) = plan_step(buf_n, stall_n, self.nominal[depth][q], self.segment_s);
            let (sp, bp) = plan_step(buf_p, stall_p, self.pessimistic[depth][q], self.segment_s);
            let step =
                self.kbps[q] / 1000.0 - c.smooth_penalty * (self.kbps[q] - self.kbps[last]).abs() / 1000.0;
            let first = if depth == 0 { q } else { first };
            self.run(depth + 1, bn, bp, q, gain + step, sn, sp, first);
        }
    }
}

impl Abr for HedgeAbr {
    fn name(&self) -> &'static str {
        "hedge"
    }

    fn initial(&mut self, _ctx: &DecisionContext<'_>) -> usize {
        0
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let Some(harmonic) = self.harmonic() else {
            return Decision::rung(ctx.last_rung.unwrap_or(0));
        };
        let nominal_bps = harmonic * self.error_discount();
        let pessimistic_bps = if let Some(k) = self.config.pessimistic_error_weight {
            let worst = self.errors.worst(self.config.error_window.clamp(1, MAX_HISTORY));
            harmonic / (1.0 + k * worst)
        } else if self.config.pessimistic_from_min {
            let n = self.config.history.clamp(1, MAX_HISTORY);
            let slowest = self.throughputs.newest_first(n).fold(f64::INFINITY, f64::min);
            (slowest * self.config.pessimistic_factor).min(nominal_bps)
        } else {
            nominal_bps * self.config.pessimistic_factor
        };
        let remaining = ctx.segment_count.saturating_sub(ctx.segment);
        let horizon = self.config.horizon.clamp(1, MAX_HORIZON).min(remaining);
        let rungs = ctx.rungs.len().min(MAX_RUNGS);
        if horizon == 0 || rungs == 0 {
            return Decision::rung(0);
        }
        let mut search = Search {
            config: &self.config,
            horizon,
            rungs,
            kbps: [0.0; MAX_RUNGS],
            nominal: [[0.0; MAX_RUNGS]; MAX_HORIZON],
            pessimistic: [[0.0; MAX_RUNGS]; MAX_HORIZON],
            segment_s: ctx.segment_duration.as_secs_f64(),
            best: f64::NEG_INFINITY,
            best_first: 0,
        };
        for q in 0..rungs {
            search.kbps[q] = ctx.rungs[q].kbps();
        }
        let latency = if self.config.separate_latency && !self.latencies.is_empty() {
            let n = self.config.history.clamp(1, MAX_HISTORY).min(self.latencies.len());
            self.latencies.newest_first(n).sum::<f64>() / n as f64
        } else {
            0.0
        };
        for depth in 0..horizon {
            for q in 0..rungs {
                let size = ctx.size_or_nominal(ctx.segment + depth, q).get() as f64;
                search.nominal[depth][q] = latency + size / nominal_bps;
                search.pessimistic[depth][q] = latency + size / pessimistic_bps.max(1.0);
            }
        }
        let last = ctx.last_rung.unwrap_or(0).min(rungs - 1);
        let buffer = ctx.buffer_level.as_secs_f64();
        search.run(0, buffer, buffer, last, 0.0, 0.0, 0.0, 0);
        // A retry after an abandonment goes lower, whatever the (not yet updated) prediction says.
        let cap = ctx.abandoned_rung.map_or(rungs - 1, |r| r.saturating_sub(1));
        Decision::rung(search.best_first.min(cap))
    }

    fn check_abandon(&mut self, progress: &ProgressContext<'_>) -> Option<usize> {
        if !self.config.abandon || progress.rung == 0 {
            return None;
        }
        let size = progress.size?.get() as f64;
        let received = progress.received.get() as f64;
        let body = progress.elapsed.saturating_sub(progress.ttfb?).as_secs_f64();
        if body < 0.5 || received <= 0.0 {
            return None;
        }
        let rate = received / body;
        let left = (size - received) / rate;
        let buffer = progress.buffer_level.as_secs_f64();
        if left <= buffer || buffer >= self.config.abandon_below_buffer_s {
            return None;
        }
        // The highest lower rung whose whole segment arrives before the buffer runs out; failing
        // that (an outage: nothing will arrive in time), the lowest rung when its whole segment
        // is much smaller than what is left of this one, so the stall ends sooner.
        let latency = progress.ttfb?.as_secs_f64();
        let size_at = |q: usize| size * progress.rungs[q].kbps() / progress.rungs[progress.rung].kbps();
        (0..progress.rung)
            .rev()
            .find(|&q| latency + size_at(q) / rate < buffer.min(left))
            .or_else(|| (size_at(0) < 0.5 * (size - received)).then_some(0))
    }

    fn on_download(&mut self, report: &DownloadReport) {
        if report.abandoned_to.is_some() {
            return;
        }
        let secs = report.elapsed.as_secs_f64();
        if secs <= 0.0 || report.received.get() == 0 {
            return;
        }
        let latency = report.ttfb.map_or(0.0, |t| t.as_secs_f64());
        let body = secs - latency;
        let measured = if self.config.separate_latency && body > 0.0 {
            self.latencies.push(latency);
            report.received.get() as f64 / body
        } else {
            report.received.get() as f64 / secs
        };
        self.errors.observe(measured);
        self.throughputs.push(measured);
        self.errors.predicted(self.harmonic());
    }

    fn new_session(&mut self) {
        *self = HedgeAbr::new(self.config);
    }
}
