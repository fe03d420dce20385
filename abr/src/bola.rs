//! BOLA (Spiteri, Urgaonkar, Sitaraman, INFOCOM 2016) as Sabre's `bola` implements it: Lyapunov
//! utility maximisation over the buffer, with Sabre's finite-horizon buffer target, the
//! throughput cap on up-switches, and BOLA's own abandonment rule. `basic` turns the extras off.

use crate::{Abr, Decision, DecisionContext, ProgressContext, quality_from_throughput_kbps};
use core::time::Duration;
use serde::{Deserialize, Serialize};

/// Parameters of [`Bola`]; defaults are Sabre's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BolaConfig {
    /// The γp product, in seconds of buffer.
    pub gamma_p: f64,
    /// BOLA-BASIC: a fixed buffer target and no abandonment.
    pub basic: bool,
    /// BOLA-O: cap up-switches at the throughput-sustainable rung and wait instead of oscillating.
    pub minimise_oscillation: bool,
    /// Buffer target in seconds; `None` takes the player's maximum buffer.
    pub buffer_target_s: Option<f64>,
}

impl Default for BolaConfig {
    fn default() -> Self {
        BolaConfig { gamma_p: 5.0, basic: false, minimise_oscillation: false, buffer_target_s: None }
    }
}

/// Buffer Occupancy based Lyapunov Algorithm.
#[derive(Clone, Debug)]
pub struct Bola {
    config: BolaConfig,
    /// Utility of each rung, `ln(b / b0)`, filled on the first decision.
    utilities: Vec<f64>,
    vp: f64,
    last_rung: usize,
    last_seek_segment: usize,
}

impl Default for Bola {
    fn default() -> Self {
        Self::new(BolaConfig::default())
    }
}

impl Bola {
    /// A BOLA with the given parameters.
    pub fn new(config: BolaConfig) -> Self {
        Bola { config, utilities: Vec::new(), vp: 0.0, last_rung: 0, last_seek_segment: 0 }
    }

    fn buffer_size_ms(&self, max_buffer: Duration) -> f64 {
        self.config.buffer_target_s.map_or(max_buffer.as_secs_f64() * 1000.0, |s| s * 1000.0)
    }

    fn prepare(&mut self, ctx: &DecisionContext<'_>) {
        if self.utilities.len() != ctx.rungs.len() {
            let base = ctx.rungs[0].kbps().ln();
            self.utilities = ctx.rungs.iter().map(|r| r.kbps().ln() - base).collect();
        }
        let segment_ms = ctx.segment_duration.as_secs_f64() * 1000.0;
        let mut buffer_ms = self.buffer_size_ms(ctx.max_buffer);
        if !self.config.basic {
            let since_seek = ctx.segment.saturating_sub(self.last_seek_segment) as f64;
            let to_end = ctx.segment_count.saturating_sub(ctx.segment) as f64;
            let horizon = (since_seek.min(to_end) / 2.0).max(3.0) * segment_ms;
            buffer_ms = buffer_ms.min(horizon);
        }
        self.vp = (buffer_ms - segment_ms) / (self.utilities[self.utilities.len() - 1] + self.config.gamma_p);
    }

    fn rung_from_buffer(&self, ctx: &DecisionContext<'_>, level_ms: f64) -> usize {
        let mut best = 0;
        let mut best_score = f64::NEG_INFINITY;
        for (q, rate) in ctx.rungs.iter().enumerate() {
            let score = (self.vp * (self.utilities[q] + self.config.gamma_p) - level_ms) / rate.kbps();
            if score > best_score {
                best = q;
                best_score = score;
            }
        }
        best
    }
}

impl Abr for Bola {
    fn name(&self) -> &'static str {
        "bola"
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        self.last_seek_segment = ctx.last_seek_segment;
        self.prepare(ctx);
        let level_ms = ctx.buffer_level.as_secs_f64() * 1000.0;
        let mut rung = self.rung_from_buffer(ctx, level_ms);
        let mut delay = Duration::ZERO;
        if rung > self.last_rung {
            let latency = ctx.throughput.latency.unwrap_or_default();
            let sustainable = ctx.throughput.estimate.map_or(0, |e| {
                quality_from_throughput_kbps(ctx.rungs, ctx.segment_duration, e.kbps(), latency)
            });
            if rung <= sustainable {
            } else if self.last_rung > sustainable {
                rung = self.last_rung;
            } else if !self.config.minimise_oscillation {
                rung = sustainable + 1;
            } else {
                rung = sustainable;
                let ceiling = self.vp * (self.config.gamma_p + self.utilities[rung]);
                if rung != ctx.top_rung() {
                    delay = Duration::from_secs_f64((level_ms - ceiling).max(0.0) / 1000.0);
                }
            }
        }
        self.last_rung = rung;
        Decision { rung, delay }
    }

    fn check_abandon(&mut self, progress: &ProgressContext<'_>) -> Option<usize> {
        if self.config.basic || self.utilities.is_empty() {
            return None;
        }
        let size_bits = progress.size?.bits() as f64;
        let received_bits = progress.received.bits() as f64;
        let remain = size_bits - received_bits;
        if received_bits <= 0.0 || remain <= 0.0 {
            return None;
        }
        let level_ms = progress.buffer_level.as_secs_f64() * 1000.0;
        let gp = self.config.gamma_p;
        let mut score = (self.vp * (gp + self.utilities[progress.rung]) - level_ms) / remain;
        if score < 0.0 {
            return None;
        }
        let mut abandon_to = None;
        for q in 0..progress.rung {
            let other_size = size_bits * progress.rungs[q].kbps() / progress.rungs[progress.rung].kbps();
            let other_score = (self.vp * (gp + self.utilities[q]) - level_ms) / other_size;
            if other_size < remain && other_score > score {
                score = other_score;
                abandon_to = Some(q);
            }
        }
        if let Some(q) = abandon_to {
            self.last_rung = q;
        }
        abandon_to
    }

    fn on_seek(&mut self, segment: usize) {
        self.last_seek_segment = segment;
    }
}
