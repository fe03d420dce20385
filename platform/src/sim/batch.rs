//! Many sessions: every algorithm on every trace, in parallel, with per-algorithm summaries.

use super::ladder::SimContent;
use super::network::CdnNetworkConfig;
use super::session::{Model, SessionSpec, run_session};
use super::trace::Trace;
use flick_abr::{Abr, UnknownAlgorithm};
use flick_player::{PlayerConfig, SessionReport};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// What to simulate.
#[derive(Clone, Debug)]
pub struct BatchSpec<'a> {
    /// Traces, one session each per algorithm.
    pub traces: &'a [Trace],
    /// Content.
    pub content: &'a SimContent,
    /// Algorithm names.
    pub algorithms: &'a [String],
    /// Model.
    pub model: Model,
    /// Player configuration.
    pub player: PlayerConfig,
    /// Network parameters for the Flick model.
    pub network: CdnNetworkConfig,
    /// Base seed; session i uses `seed + i`.
    pub seed: u64,
    /// Run each algorithm's sessions one after another with one instance (Pensieve's reference
    /// protocol); otherwise each session gets a fresh instance and sessions run in parallel.
    pub carry_abr_state: bool,
}

/// Summary of one algorithm over all traces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlgorithmSummary {
    /// Algorithm name.
    pub abr: String,
    /// Sessions run.
    pub sessions: usize,
    /// Mean of the sessions' QoE_lin per chunk.
    pub mean_qoe_lin: f64,
    /// Mean of the sessions' mean video bit rate.
    pub mean_bitrate_kbps: f64,
    /// Total rebuffering over total session time (played + rebuffering).
    pub rebuffer_ratio: f64,
    /// Mean rebuffering per session, in seconds.
    pub mean_rebuffer_s: f64,
    /// Rung switches per minute of playback.
    pub switches_per_min: f64,
    /// Mean start-up delay.
    pub mean_startup_ms: f64,
    /// Sessions that ended in an error.
    pub failed_sessions: usize,
    /// Per-session reports, in trace order, named by trace.
    pub rows: Vec<SessionRow>,
}

/// One session's report with the trace it ran on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    /// Trace file name.
    pub trace: String,
    /// The report.
    #[serde(flatten)]
    pub report: SessionReport,
}

/// Summarise reports.
pub fn summarise(abr: &str, rows: Vec<SessionRow>) -> AlgorithmSummary {
    let n = rows.len().max(1) as f64;
    let played: f64 = rows.iter().map(|r| r.report.played_s).sum();
    let rebuffer: f64 = rows.iter().map(|r| r.report.rebuffer_s).sum();
    let switches: f64 = rows.iter().map(|r| r.report.switches as f64).sum();
    AlgorithmSummary {
        abr: abr.to_string(),
        sessions: rows.len(),
        mean_qoe_lin: rows.iter().map(|r| r.report.qoe_lin).sum::<f64>() / n,
        mean_bitrate_kbps: rows.iter().map(|r| r.report.mean_video_bitrate_kbps).sum::<f64>() / n,
        rebuffer_ratio: if played + rebuffer > 0.0 { rebuffer / (played + rebuffer) } else { 0.0 },
        mean_rebuffer_s: rebuffer / n,
        switches_per_min: if played > 0.0 { switches / (played / 60.0) } else { 0.0 },
        mean_startup_ms: rows.iter().filter_map(|r| r.report.startup_ms).sum::<f64>() / n,
        failed_sessions: rows.iter().filter(|r| r.report.error.is_some()).count(),
        rows,
    }
}

/// Run every trace with algorithms made by `make` (one instance per session, or one for all of
/// them in order when `spec.carry_abr_state`); `tick` is called after each session.
pub fn run_sessions(
    spec: &BatchSpec<'_>,
    make: &(dyn Fn() -> Box<dyn Abr> + Sync),
    tick: &(dyn Fn() + Sync),
) -> Vec<SessionRow> {
    let session = |i: usize, trace| SessionSpec {
        trace,
        content: spec.content,
        model: spec.model,
        player: spec.player.clone(),
        network: spec.network.clone(),
        seed: spec.seed.wrapping_add(i as u64),
    };
    if spec.carry_abr_state {
        let mut abr = make();
        let mut rows = Vec::with_capacity(spec.traces.len());
        for (i, trace) in spec.traces.iter().enumerate() {
            abr.new_session();
            let (report, back) = run_session(&session(i, trace), abr);
            abr = back;
            rows.push(SessionRow { trace: trace.name.clone(), report });
            tick();
        }
        rows
    } else {
        spec.traces
            .par_iter()
            .enumerate()
            .map(|(i, trace)| {
                let (report, _) = run_session(&session(i, trace), make());
                tick();
                SessionRow { trace: trace.name.clone(), report }
            })
            .collect()
    }
}

/// Run every algorithm of `spec.algorithms` on every trace; `tick` is called after each session
/// (for progress bars).
pub fn run_batch(
    spec: &BatchSpec<'_>,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<AlgorithmSummary>, UnknownAlgorithm> {
    for name in spec.algorithms {
        flick_abr::by_name(name)?;
    }
    spec.algorithms
        .par_iter()
        .map(|name| {
            let make = || flick_abr::by_name(name).expect("checked above");
            Ok(summarise(name, run_sessions(spec, &make, tick)))
        })
        .collect()
}
