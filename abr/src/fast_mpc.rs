//! FastMPC (Yin, Jindal, Sekar, Sinopoli, "A Control-Theoretic Approach for Dynamic Adaptive
//! Video Streaming over HTTP", SIGCOMM 2015, §5): RobustMPC's decisions computed ahead of time
//! into a table, so that a decision is a lookup rather than an enumeration of plans.
//!
//! The table is indexed by the horizon left (1 to 5 segments: it shrinks near the end of the
//! presentation), the buffer level (0 to 60 s in 0.5 s steps), the throughput prediction (100
//! log-spaced levels from a tenth of the lowest bitrate to four times the highest) and the rung
//! of the last segment. Each entry holds the first step of the plan with the best QoE_lin
//! (bitrate in Mbit/s − 4.3 × rebuffer seconds − |bitrate change| in Mbit/s), enumerated exactly
//! as RobustMPC does, for segments of nominal size (bitrate × duration): a table cannot know the
//! sizes of future segments. A lookup rounds the buffer and the prediction to the nearest level.
//!
//! The prediction is RobustMPC's: the harmonic mean of the last five download rates (bytes over
//! the whole request time), divided by one plus the largest relative prediction error of the last
//! five, and the error history is kept across sessions as Pensieve's reference does.
//!
//! Tables are built on first use for each ladder (rungs, segment duration and parameters) and
//! shared by every instance in the process; building one takes a few hundred milliseconds in a
//! release build. Lookups do not allocate.

use crate::predict::{MpcPredictor, Rounding, plan_step};
use crate::{Abr, Decision, DecisionContext, DownloadReport};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// Most rungs a table covers (higher rungs are never chosen).
const MAX_RUNGS: usize = 16;
/// Longest horizon a table covers.
const MAX_HORIZON: usize = 8;

/// Parameters of [`FastMpc`]; defaults are RobustMPC's (Pensieve) and the table's resolution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FastMpcConfig {
    /// Segments planned ahead (5; at most 8).
    pub horizon: usize,
    /// Discount the prediction by the recent worst relative error (RobustMPC).
    pub robust: bool,
    /// QoE penalty per second of rebuffering, in Mbit/s.
    pub rebuffer_penalty: f64,
    /// QoE penalty per Mbit/s of bit-rate change.
    pub smooth_penalty: f64,
    /// Highest buffer level the table covers, in seconds (higher levels use the last row).
    pub buffer_max_s: f64,
    /// Buffer resolution of the table, in seconds.
    pub buffer_step_s: f64,
    /// Number of throughput levels.
    pub throughput_levels: usize,
    /// Lowest throughput level, as a fraction of the lowest rung's bitrate.
    pub throughput_min_factor: f64,
    /// Highest throughput level, as a multiple of the highest rung's bitrate.
    pub throughput_max_factor: f64,
}

impl Default for FastMpcConfig {
    fn default() -> Self {
        FastMpcConfig {
            horizon: 5,
            robust: true,
            rebuffer_penalty: 4.3,
            smooth_penalty: 1.0,
            buffer_max_s: 60.0,
            buffer_step_s: 0.5,
            throughput_levels: 100,
            throughput_min_factor: 0.1,
            throughput_max_factor: 4.0,
        }
    }
}

/// What a table depends on.
#[derive(Clone, Debug, PartialEq)]
struct TableKey {
    kbps: Vec<f64>,
    segment_s: f64,
    config: FastMpcConfig,
}

impl TableKey {
    fn matches(&self, ctx: &DecisionContext<'_>, config: &FastMpcConfig) -> bool {
        let rungs = ctx.rungs.len().min(MAX_RUNGS);
        self.kbps.len() == rungs
            && self.kbps.iter().zip(ctx.rungs).all(|(k, r)| *k == r.kbps())
            && self.segment_s == ctx.segment_duration.as_secs_f64()
            && self.config == *config
    }
}

/// The precomputed decisions for one ladder.
#[derive(Debug)]
struct Table {
    key: TableKey,
    horizon: usize,
    buffer_levels: usize,
    throughput_levels: usize,
    rungs: usize,
    /// ln of the lowest throughput level, and the ln step between levels (kbit/s).
    ln_low: f64,
    ln_step: f64,
    /// `[horizon − 1][buffer][throughput][last rung]` → first rung of the best plan.
    decisions: Vec<u8>,
}

impl Table {
    fn build(key: TableKey) -> Table {
        let config = key.config;
        let rungs = key.kbps.len();
        let horizon = config.horizon.clamp(1, MAX_HORIZON);
        let step = config.buffer_step_s.max(1e-3);
        let buffer_levels = (config.buffer_max_s.max(0.0) / step).round() as usize + 1;
        let throughput_levels = config.throughput_levels.max(2);
        let low = key.kbps[0] * config.throughput_min_factor;
        let high = key.kbps[rungs - 1] * config.throughput_max_factor;
        let ln_low = low.ln();
        let ln_step = (high.ln() - ln_low) / (throughput_levels - 1) as f64;
        let mut decisions = vec![0u8; horizon * buffer_levels * throughput_levels * rungs];
        let mut search = Search {
            rungs,
            horizon,
            kbps: [0.0; MAX_RUNGS],
            download: [0.0; MAX_RUNGS],
            segment_s: key.segment_s,
            rebuffer_penalty: config.rebuffer_penalty,
            smooth_penalty: config.smooth_penalty,
            best: [[f64::NEG_INFINITY; MAX_RUNGS]; MAX_HORIZON],
        };
        search.kbps[..rungs].copy_from_slice(&key.kbps);
        for t in 0..throughput_levels {
            let kbps = (ln_low + ln_step * t as f64).exp();
            for q in 0..rungs {
                search.download[q] = key.kbps[q] * key.segment_s / kbps;
            }
            for b in 0..buffer_levels {
                search.best = [[f64::NEG_INFINITY; MAX_RUNGS]; MAX_HORIZON];
                for first in 0..rungs {
                    search.walk(0, b as f64 * step, first, 0.0, first);
                }
                for h in 0..horizon {
                    for last in 0..rungs {
                        let mut best = f64::NEG_INFINITY;
                        let mut choice = 0;
                        for first in 0..rungs {
                            let change = (search.kbps[first] - search.kbps[last]).abs() / 1000.0;
                            let value = search.best[h][first] - search.smooth_penalty * change;
                            // Ties go to the last plan enumerated, as in RobustMPC.
                            if value >= best {
                                best = value;
                                choice = first;
                            }
                        }
                        let index = ((h * buffer_levels + b) * throughput_levels + t) * rungs + last;
                        decisions[index] = choice as u8;
                    }
                }
            }
        }
        Table { key, horizon, buffer_levels, throughput_levels, rungs, ln_low, ln_step, decisions }
    }

    fn lookup(&self, horizon: usize, buffer_s: f64, kbps: f64, last: usize) -> usize {
        let h = horizon.clamp(1, self.horizon) - 1;
        let step = self.key.config.buffer_step_s.max(1e-3);
        let b = ((buffer_s / step).round().max(0.0) as usize).min(self.buffer_levels - 1);
        let t = ((kbps.ln() - self.ln_low) / self.ln_step).round();
        let t = if t.is_nan() { 0 } else { (t.max(0.0) as usize).min(self.throughput_levels - 1) };
        let last = last.min(self.rungs - 1);
        self.decisions[((h * self.buffer_levels + b) * self.throughput_levels + t) * self.rungs + last]
            as usize
    }
}

/// The enumeration behind one table cell: every plan's value, best per horizon and first rung.
struct Search {
    rungs: usize,
    horizon: usize,
    kbps: [f64; MAX_RUNGS],
    /// Seconds to fetch a segment at each rung at the cell's throughput.
    download: [f64; MAX_RUNGS],
    segment_s: f64,
    rebuffer_penalty: f64,
    smooth_penalty: f64,
    /// `best[h][first]`: the best value of a plan of `h + 1` steps starting at `first`, without
    /// the change from the last rung to `first` (added per last rung afterwards).
    best: [[f64; MAX_RUNGS]; MAX_HORIZON],
}

impl Search {
    /// Fetch `q` at step `depth` with `buffer` seconds buffered; `value` is the plan so far.
    fn walk(&mut self, depth: usize, buffer: f64, q: usize, value: f64, first: usize) {
        // The stall of this step alone (0 + x is x exactly, so this is `download − buffer`).
        let (stall, next_buffer) = plan_step(buffer, 0.0, self.download[q], self.segment_s);
        let value = value + self.kbps[q] / 1000.0 - self.rebuffer_penalty * stall;
        if value > self.best[depth][first] {
            self.best[depth][first] = value;
        }
        if depth + 1 == self.horizon {
            return;
        }
        for next in 0..self.rungs {
            let change = (self.kbps[next] - self.kbps[q]).abs() / 1000.0;
            self.walk(depth + 1, next_buffer, next, value - self.smooth_penalty * change, first);
        }
    }
}

/// Tables built so far, shared by all instances.
static TABLES: Mutex<Vec<Arc<Table>>> = Mutex::new(Vec::new());

fn table_for(key: TableKey) -> Arc<Table> {
    let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = tables.iter().find(|t| t.key == key) {
        return Arc::clone(t);
    }
    let table = Arc::new(Table::build(key));
    tables.push(Arc::clone(&table));
    table
}

/// FastMPC: RobustMPC by table lookup.
#[derive(Clone, Debug)]
pub struct FastMpc {
    config: FastMpcConfig,
    table: Option<Arc<Table>>,
    predictor: MpcPredictor,
}

impl Default for FastMpc {
    fn default() -> Self {
        Self::new(FastMpcConfig::default())
    }
}

impl FastMpc {
    /// A FastMPC with the given parameters.
    pub fn new(config: FastMpcConfig) -> Self {
        FastMpc { config, table: None, predictor: MpcPredictor::new(Rounding::Once) }
    }

    fn table(&mut self, ctx: &DecisionContext<'_>) -> &Table {
        if self.table.as_ref().is_some_and(|t| !t.key.matches(ctx, &self.config)) {
            self.table = None;
        }
        let config = self.config;
        self.table.get_or_insert_with(|| {
            let rungs = ctx.rungs.len().min(MAX_RUNGS);
            table_for(TableKey {
                kbps: ctx.rungs[..rungs].iter().map(|r| r.kbps()).collect(),
                segment_s: ctx.segment_duration.as_secs_f64(),
                config,
            })
        })
    }
}

impl Abr for FastMpc {
    fn name(&self) -> &'static str {
        "fast-mpc"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        1.min(ctx.top_rung())
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let Some(megabytes_per_s) = self.predictor.prediction(self.config.robust) else {
            return Decision::rung(ctx.last_rung.unwrap_or(0));
        };
        let horizon = self.config.horizon.min(ctx.segment_count.saturating_sub(ctx.segment));
        if horizon == 0 || ctx.rungs.is_empty() {
            return Decision::rung(0);
        }
        let buffer_s = ctx.buffer_level.as_secs_f64();
        let last = ctx.last_rung.unwrap_or(0);
        let rung = self.table(ctx).lookup(horizon, buffer_s, megabytes_per_s * 8000.0, last);
        Decision::rung(rung)
    }

    fn on_download(&mut self, report: &DownloadReport) {
        self.predictor.on_download(report);
    }

    fn new_session(&mut self) {
        self.predictor.new_session();
    }
}
