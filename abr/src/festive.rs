//! FESTIVE (Jiang, Sekar, Zhang, "Improving Fairness, Efficiency, and Stability in HTTP-based
//! Adaptive Video Streaming with FESTIVE", CoNEXT 2012).
//!
//! Its four parts, with the parameters Flick uses:
//! - **Harmonic bandwidth estimator**: the harmonic mean of the last 20 per-segment throughput
//!   samples (§5.4; a harmonic mean damps outliers). A sample is the segment's bytes over the time
//!   from its first to its last byte, as in the FESTIVE port of Pensieve's dash.js player.
//! - **Stateful, gradual bitrate selection** (§5.2): the target rung is the highest whose bitrate
//!   is at most 0.85 × the estimate; the *reference* rung moves at most one step at a time
//!   towards it: down at once, up from rung level `k` (counted from 1) only after `k` consecutive
//!   segments that asked for more, so players at low rates climb faster than players at high
//!   rates (which is what makes competing players converge to a fair share).
//! - **Delayed update** (§5.3): the player moves to the reference rung only if that lowers the
//!   combined score `stability + α · efficiency`, with α = 12,
//!   `efficiency(b) = |b / min(w, b_ref) − 1|` (w the estimate) and `stability(b) = 2^n`, n the
//!   number of switches over the last 20 s of segments (5 segments of 4 s), counting the switch to
//!   `b` itself.
//! - **Randomised scheduling** (§5.1): instead of requesting as soon as the buffer has room, the
//!   player waits until it drains to a random level drawn uniformly from
//!   `[target − δ, target + δ]` for each segment, so that competing players do not synchronise
//!   their on/off periods. The paper leaves `target` and `δ` as parameters; Flick's defaults are a
//!   30 s target and δ = one segment (4 s). The draw comes from a seeded generator, so sessions
//!   stay reproducible.
//!
//! The score and switching logic follow the FESTIVE implementation in Pensieve's dash.js player
//! (hongzimao/pensieve, `dash.js/src/streaming/controllers/AbrController.js`).

use crate::predict::{Ring, SplitMix64, harmonic_mean};
use crate::{Abr, Decision, DecisionContext, DownloadReport};
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// Most throughput samples kept.
const MAX_SAMPLES: usize = 64;
/// Most past rungs the stability score looks at.
const MAX_WINDOW: usize = 64;

/// Parameters of [`Festive`]; defaults are the paper's, except the scheduler's target and
/// jitter, which the paper leaves open (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FestiveConfig {
    /// Throughput samples in the harmonic mean (20; at most 64).
    pub samples: usize,
    /// The target rung is the highest at most this fraction of the estimate (0.85).
    pub target_fraction: f64,
    /// Weight α of the efficiency score against the stability score (12).
    pub alpha: f64,
    /// Window, in seconds of media, over which switches count against stability (20 s).
    pub stability_window_s: f64,
    /// Buffer level, in seconds, the scheduler aims at (30 s).
    pub target_buffer_s: f64,
    /// Half-width of the random draw around the target, in segments (1).
    pub target_buffer_jitter_segments: f64,
    /// Seed of the scheduler's random draws.
    pub seed: u64,
}

impl Default for FestiveConfig {
    fn default() -> Self {
        FestiveConfig {
            samples: 20,
            target_fraction: 0.85,
            alpha: 12.0,
            stability_window_s: 20.0,
            target_buffer_s: 30.0,
            target_buffer_jitter_segments: 1.0,
            seed: 0,
        }
    }
}

/// FESTIVE: harmonic-mean estimation, gradual stateful switching, delayed update and randomised
/// scheduling.
#[derive(Clone, Debug)]
pub struct Festive {
    config: FestiveConfig,
    throughputs: Ring<f64, MAX_SAMPLES>,
    history: Ring<usize, MAX_WINDOW>,
    switch_up_count: usize,
    previous: usize,
    rng: SplitMix64,
}

impl Default for Festive {
    fn default() -> Self {
        Self::new(FestiveConfig::default())
    }
}

impl Festive {
    /// A FESTIVE with the given parameters.
    pub fn new(config: FestiveConfig) -> Self {
        Festive {
            config,
            throughputs: Ring::default(),
            history: Ring::default(),
            switch_up_count: 0,
            previous: 0,
            rng: SplitMix64::new(config.seed),
        }
    }

    /// The harmonic mean of the last samples, in kbit/s.
    fn estimate_kbps(&self) -> Option<f64> {
        let n = self.config.samples.clamp(1, MAX_SAMPLES);
        harmonic_mean(self.throughputs.oldest_first(n))
    }

    /// Switches among the rungs of the last segments of the stability window.
    fn recent_switches(&self, segment: Duration) -> u32 {
        let window = (self.config.stability_window_s / segment.as_secs_f64().max(1e-3))
            .ceil()
            .clamp(1.0, MAX_WINDOW as f64);
        let mut switches = 0;
        let mut previous = None;
        for rung in self.history.oldest_first(window as usize) {
            if previous.is_some_and(|p| p != rung) {
                switches += 1;
            }
            previous = Some(rung);
        }
        switches
    }

    fn score(
        &self,
        ctx: &DecisionContext<'_>,
        b: usize,
        b_ref: usize,
        b_cur: usize,
        w: f64,
        switches: u32,
    ) -> f64 {
        let n = switches + u32::from(b != b_cur);
        let stability = 2f64.powi(n as i32);
        let efficiency = (ctx.rungs[b].kbps() / w.min(ctx.rungs[b_ref].kbps()) - 1.0).abs();
        stability + self.config.alpha * efficiency
    }

    /// How long to wait before requesting, for a buffer drawn around the target.
    fn schedule(&mut self, ctx: &DecisionContext<'_>) -> Duration {
        let delta = self.config.target_buffer_jitter_segments * ctx.segment_duration.as_secs_f64();
        let draw = self.rng.next_f64();
        let randbuf = (self.config.target_buffer_s - delta + 2.0 * delta * draw).max(0.0);
        Duration::from_secs_f64((ctx.buffer_level.as_secs_f64() - randbuf).max(0.0))
    }
}

impl Abr for Festive {
    fn name(&self) -> &'static str {
        "festive"
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let top = ctx.top_rung();
        let b_cur = ctx.last_rung.unwrap_or(self.previous).min(top);
        self.history.push(b_cur);
        let delay = self.schedule(ctx);
        let Some(w) = self.estimate_kbps() else {
            self.previous = b_cur;
            return Decision { rung: b_cur, delay };
        };
        let budget = self.config.target_fraction * w;
        let b_target = ctx.rungs.iter().rposition(|r| r.kbps() <= budget).unwrap_or(0);

        // The reference rung: one step towards the target, upwards only after enough requests.
        let b_ref = if b_target > b_cur {
            self.switch_up_count += 1;
            if self.switch_up_count > b_cur { b_cur + 1 } else { b_cur }
        } else if b_target < b_cur {
            self.switch_up_count = 0;
            b_cur - 1
        } else {
            self.switch_up_count = 0;
            b_cur
        };

        // Delayed update: move only if the combined score improves.
        let mut rung = b_cur;
        if b_ref != b_cur {
            let switches = self.recent_switches(ctx.segment_duration);
            let score_cur = self.score(ctx, b_cur, b_ref, b_cur, w, switches);
            let score_ref = self.score(ctx, b_ref, b_ref, b_cur, w, switches);
            if score_cur > score_ref {
                rung = b_ref;
                if rung > b_cur {
                    self.switch_up_count = 0;
                }
            }
        }
        self.previous = rung;
        Decision { rung, delay }
    }

    fn on_download(&mut self, report: &DownloadReport) {
        if report.abandoned_to.is_some() {
            return;
        }
        let body = report.elapsed.saturating_sub(report.ttfb.unwrap_or_default()).as_secs_f64();
        if body <= 0.0 || report.received.get() == 0 {
            return;
        }
        self.throughputs.push(report.received.bits() as f64 / body / 1000.0);
    }

    fn new_session(&mut self) {
        *self = Festive::new(self.config);
    }
}
