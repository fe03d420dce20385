//! Model predictive control (Yin et al., SIGCOMM 2015) as Pensieve's `mpc.py` implements it:
//! predict throughput as the harmonic mean of the last five downloads (RobustMPC divides it by
//! one plus the largest relative prediction error of the last five), then enumerate every rung
//! plan over the next five segments and take the first step of the plan with the best QoE_lin.

use crate::predict::{MpcPredictor, Rounding, plan_step};
use crate::{Abr, Decision, DecisionContext, DownloadReport};
use serde::{Deserialize, Serialize};

/// Parameters of [`Mpc`]; defaults are Pensieve's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MpcConfig {
    /// Segments planned ahead.
    pub horizon: usize,
    /// Discount the prediction by the recent worst relative error (RobustMPC).
    pub robust: bool,
    /// QoE penalty per second of rebuffering, in Mbit/s.
    pub rebuffer_penalty: f64,
    /// QoE penalty per Mbit/s of bit-rate change.
    pub smooth_penalty: f64,
    /// Offset added to the segment index when looking up future sizes. Pensieve's reference looks
    /// one segment too far ahead (`size_index_offset = 1`); `0` looks at the segments it will fetch.
    pub size_index_offset: usize,
}

impl Default for MpcConfig {
    fn default() -> Self {
        MpcConfig {
            horizon: 5,
            robust: true,
            rebuffer_penalty: 4.3,
            smooth_penalty: 1.0,
            size_index_offset: 1,
        }
    }
}

/// MPC and RobustMPC.
#[derive(Clone, Debug)]
pub struct Mpc {
    config: MpcConfig,
    predictor: MpcPredictor,
}

impl Mpc {
    /// An MPC with the given parameters.
    pub fn new(config: MpcConfig) -> Self {
        Mpc { config, predictor: MpcPredictor::new(Rounding::Pensieve) }
    }

    /// RobustMPC with Pensieve's parameters.
    pub fn robust() -> Self {
        Self::new(MpcConfig::default())
    }

    /// Plain MPC (no error discount) with Pensieve's parameters.
    pub fn plain() -> Self {
        Self::new(MpcConfig { robust: false, ..MpcConfig::default() })
    }
}

/// Most rungs and steps a plan enumerates (higher rungs and steps are not considered).
const MAX_RUNGS: usize = 16;
const MAX_HORIZON: usize = 8;

/// One decision's search: download times and rates precomputed, then every plan enumerated.
struct Plan<'c> {
    config: &'c MpcConfig,
    horizon: usize,
    rungs: usize,
    kbps: [f64; MAX_RUNGS],
    /// `download[depth][rung]`: seconds to fetch that step's segment at that rung.
    download: [[f64; MAX_RUNGS]; MAX_HORIZON],
    segment_s: f64,
    best_reward: f64,
    best_first: usize,
}

impl Plan<'_> {
    #[allow(clippy::too_many_arguments)]
    fn search(
        &mut self,
        depth: usize,
        buffer: f64,
        last: usize,
        bitrate: f64,
        rebuffer: f64,
        change: f64,
        first: usize,
    ) {
        if depth == self.horizon {
            let reward = bitrate / 1000.0
                - self.config.rebuffer_penalty * rebuffer
                - self.config.smooth_penalty * change / 1000.0;
            if reward >= self.best_reward {
                self.best_reward = reward;
                self.best_first = first;
            }
            return;
        }
        for q in 0..self.rungs {
            let (stall, next_buffer) = plan_step(buffer, rebuffer, self.download[depth][q], self.segment_s);
            let kbps = self.kbps[q];
            let step = (kbps - self.kbps[last]).abs();
            let first = if depth == 0 { q } else { first };
            self.search(depth + 1, next_buffer, q, bitrate + kbps, stall, change + step, first);
        }
    }
}

impl Abr for Mpc {
    fn name(&self) -> &'static str {
        if self.config.robust { "robust-mpc" } else { "mpc" }
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        1.min(ctx.top_rung())
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let Some(megabytes_per_s) = self.predictor.prediction(self.config.robust) else {
            return Decision::rung(ctx.last_rung.unwrap_or(0));
        };
        let remaining = ctx.segment_count.saturating_sub(ctx.segment);
        let horizon = self.config.horizon.min(remaining);
        if horizon == 0 {
            return Decision::rung(0);
        }
        let rungs = ctx.rungs.len().min(MAX_RUNGS);
        let horizon = horizon.min(MAX_HORIZON);
        let mut plan = Plan {
            config: &self.config,
            horizon,
            rungs,
            kbps: [0.0; MAX_RUNGS],
            download: [[0.0; MAX_RUNGS]; MAX_HORIZON],
            segment_s: ctx.segment_duration.as_secs_f64(),
            best_reward: f64::NEG_INFINITY,
            best_first: 0,
        };
        let first_index = ctx.segment + self.config.size_index_offset;
        for q in 0..rungs {
            plan.kbps[q] = ctx.rungs[q].kbps();
        }
        for depth in 0..horizon {
            let index = first_index + depth;
            for q in 0..rungs {
                let size =
                    if index <= ctx.segment_count { ctx.size_or_nominal(index, q).get() as f64 } else { 0.0 };
                plan.download[depth][q] = size / 1e6 / megabytes_per_s;
            }
        }
        let last = ctx.last_rung.unwrap_or(0).min(rungs.saturating_sub(1));
        plan.search(0, ctx.buffer_level.as_secs_f64(), last, 0.0, 0.0, 0.0, 0);
        Decision::rung(plan.best_first)
    }

    fn new_session(&mut self) {
        self.predictor.new_session();
    }

    fn on_download(&mut self, report: &DownloadReport) {
        self.predictor.on_download(report);
    }
}
