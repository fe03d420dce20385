//! `flick compare`: every algorithm on every trace plus the offline optimum of each trace, a table
//! of QoE (with paired bootstrap confidence intervals against a baseline), JSON, and charts.

mod plots;
mod stats;
mod table;
mod timeline;

use crate::progress::SweepProgress;
use anyhow::{Context, bail};
use clap::Args;
use flick_platform::sim::network::CdnNetworkConfig;
use flick_platform::sim::optimal::DEFAULT_MAX_TRANSITIONS;
use flick_platform::sim::{
    AlgorithmSummary, BatchSpec, Ladder, Model, OfflineOptimum, SessionRow, Trace, offline_optima, run_batch,
    summarise,
};
use serde::Serialize;
use stats::{BOOTSTRAP_SEED, CONFIDENCE, RESAMPLES, Row};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `flick compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Trace files or folders of traces (Pensieve text, Sabre JSON, Mahimahi).
    #[arg(long, num_args = 1.., required = true)]
    traces: Vec<PathBuf>,
    /// The ladder: a Pensieve `video_size_*` folder, a Sabre manifest JSON or a DASH folder.
    #[arg(long)]
    ladder: PathBuf,
    /// ABR algorithms, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "bba,bola,throughput,robust-mpc")]
    abr: Vec<String>,
    /// Network and player model: cdn (Flick's own; `flick` is its old name), pensieve or sabre.
    #[arg(long, default_value = "cdn")]
    model: String,
    /// Maximum buffer in seconds (default: the model's).
    #[arg(long)]
    buffer: Option<f64>,
    /// Seed of the sessions' randomness (session i uses seed + i) and of the bootstrap.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The algorithm the others are compared with (default: the first of --abr).
    #[arg(long)]
    baseline: Option<String>,
    /// Write the whole comparison as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    json: Option<String>,
    /// Draw charts (SVG and PNG) into DIR: the CDF of QoE and session timelines.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
    /// Traces (file names) to draw session timelines of, comma-separated (default: the first).
    #[arg(long, value_delimiter = ',', value_name = "TRACE_NAME")]
    timeline: Vec<String>,
}

/// A mistake in the command line found after parsing (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(message: String) -> anyhow::Error {
    UsageError(message).into()
}

/// What `--json` writes.
#[derive(Serialize)]
struct CompareDocument<'a> {
    model: &'a str,
    ladder: String,
    traces: Vec<&'a str>,
    buffer_s: f64,
    seed: u64,
    baseline: &'a str,
    /// How the columns are defined.
    definitions: Definitions,
    /// One row per algorithm, then `optimal`.
    rows: &'a [Row],
    /// The offline optimum of each trace (its replayed session in `report`).
    optimum: &'a [OfflineOptimum],
    /// Every session of every algorithm.
    algorithms: &'a [AlgorithmSummary],
}

#[derive(Serialize)]
struct Definitions {
    qoe_lin: &'static str,
    p10_qoe_lin: &'static str,
    percent_of_optimal: &'static str,
    vs_baseline: &'static str,
    optimal: &'static str,
    bootstrap_resamples: usize,
    confidence: f64,
    bootstrap_seed: u64,
}

/// Run `flick compare`.
pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let Some(model) = Model::from_name(&args.model) else {
        return Err(usage(format!("unknown model `{}` (known: cdn, pensieve, sabre)", args.model)));
    };
    if args.abr.is_empty() {
        return Err(usage("--abr needs at least one algorithm".into()));
    }
    for name in &args.abr {
        if name == "optimal" {
            return Err(usage("`optimal` is always compared; list only real algorithms in --abr".into()));
        }
        flick_abr::by_name(name).map_err(|e| usage(e.to_string()))?;
    }
    let baseline = args.baseline.clone().unwrap_or_else(|| args.abr[0].clone());
    if !args.abr.contains(&baseline) {
        return Err(usage(format!("--baseline {baseline} is not one of --abr {}", args.abr.join(","))));
    }
    let buffer = match args.buffer {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(usage("--buffer must be a positive number of seconds".into()));
        }
        Some(s) => Some(Duration::from_secs_f64(s)),
        None => None,
    };
    let mut traces = Vec::new();
    for path in &args.traces {
        traces.extend(
            Trace::load_all(path).with_context(|| format!("reading traces from {}", path.display()))?,
        );
    }
    if traces.is_empty() {
        bail!("no traces found in {:?}", args.traces);
    }
    let timelines: Vec<&Trace> = if args.timeline.is_empty() {
        traces.first().into_iter().collect()
    } else {
        let mut chosen = Vec::new();
        for name in &args.timeline {
            match traces.iter().find(|t| &t.name == name) {
                Some(t) => chosen.push(t),
                None => return Err(usage(format!("--timeline {name}: no such trace among --traces"))),
            }
        }
        chosen
    };
    let ladder =
        Ladder::load(&args.ladder).with_context(|| format!("reading ladder {}", args.ladder.display()))?;
    if args.plot.is_some() {
        plots::load_font()?;
    }
    let player = model.player_config(buffer);
    let content = ladder.content(&["a"]);
    let spec = BatchSpec {
        traces: &traces,
        content: &content,
        algorithms: &args.abr,
        model,
        player: player.clone(),
        network: CdnNetworkConfig::default(),
        seed: args.seed,
        carry_abr_state: model.carries_abr_state(),
    };

    let progress = SweepProgress::new((traces.len() * (args.abr.len() + 1)) as u64, "sessions and optima");
    let started = Instant::now();
    let tick = || progress.tick();
    let summaries = run_batch(&spec, &tick)?;
    let optimum_started = Instant::now();
    let optimum: Vec<OfflineOptimum> = offline_optima(&spec, &ladder, DEFAULT_MAX_TRANSITIONS, &tick)
        .into_iter()
        .collect::<Result<_, _>>()
        .context("computing the offline optimum")?;
    let optimum_time = optimum_started.elapsed();
    progress.finish();
    let elapsed = started.elapsed();

    // Rows: every algorithm, then the optimum (its replayed sessions give bit rate and the rest).
    let optimal_qoe: Vec<f64> = optimum.iter().map(|o| o.qoe_lin).collect();
    let qoe_of = |s: &AlgorithmSummary| s.rows.iter().map(|r| r.report.qoe_lin).collect::<Vec<f64>>();
    let base = summaries.iter().find(|s| s.abr == baseline).map(qoe_of).expect("baseline is one of --abr");
    let seed = BOOTSTRAP_SEED ^ args.seed;
    let mut rows: Vec<Row> =
        summaries.iter().map(|s| stats::row(s, qoe_of(s), &base, &optimal_qoe, seed)).collect();
    let optimal_summary = summarise(
        "optimal",
        optimum.iter().map(|o| SessionRow { trace: o.trace.clone(), report: o.report.clone() }).collect(),
    );
    rows.push(stats::row(&optimal_summary, optimal_qoe.clone(), &base, &optimal_qoe, seed));

    let inexact = optimum.iter().filter(|o| !o.exact).count();
    let heading = format!(
        "model {} · {} traces · {} sessions and {} optima in {:.2} s (optima {:.2} s){}",
        model.name(),
        traces.len(),
        traces.len() * args.abr.len(),
        optimum.len(),
        elapsed.as_secs_f64(),
        optimum_time.as_secs_f64(),
        if inexact > 0 { format!(" · {inexact} optima coarsened (upper bounds)") } else { String::new() }
    );
    let text = table::render(&rows, &baseline, &heading);
    if args.json.as_deref() == Some("-") {
        eprint!("{text}");
    } else {
        print!("{text}");
    }

    if let Some(dir) = &args.plot {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut written = plots::qoe_cdf(
            dir,
            &rows,
            &format!("QoE per session: {} traces, {} model", traces.len(), model.name()),
        )?;
        for trace in &timelines {
            let i = traces.iter().position(|t| std::ptr::eq(t, *trace)).expect("one of the traces");
            let mut sessions: Vec<plots::Session<'_>> =
                summaries.iter().map(|s| plots::Session { abr: &s.abr, report: &s.rows[i].report }).collect();
            sessions.push(plots::Session { abr: "optimal", report: &optimum[i].report });
            let title = format!("Sessions on {} ({} model)", trace.name, model.name());
            written.extend(plots::session_timeline(dir, trace, &sessions, &title)?);
        }
        eprintln!(
            "charts: {}",
            written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }

    if let Some(target) = &args.json {
        let doc = CompareDocument {
            model: model.name(),
            ladder: ladder.name.clone(),
            traces: traces.iter().map(|t| t.name.as_str()).collect(),
            buffer_s: player.max_buffer.as_secs_f64(),
            seed: args.seed,
            baseline: &baseline,
            definitions: Definitions {
                qoe_lin: "per chunk: R − 4.3·T_rebuffer − |ΔR|, R in Mbit/s, start-up not counted; \
                          mean over sessions",
                p10_qoe_lin: "10th percentile over sessions, linear interpolation between order statistics",
                percent_of_optimal: "100 × Σ QoE_lin / Σ optimal QoE_lin over the traces",
                vs_baseline: "mean over traces of (QoE_lin − baseline's QoE_lin) on the same trace, with a \
                              percentile bootstrap interval (traces resampled with replacement)",
                optimal: "offline optimum per trace: dynamic program over the whole trace \
                          (flick_platform::sim::optimal); its plan replayed through the simulator gives \
                          the bit rate, rebuffering and switch figures",
                bootstrap_resamples: RESAMPLES,
                confidence: CONFIDENCE,
                bootstrap_seed: seed,
            },
            rows: &rows,
            optimum: &optimum,
            algorithms: &summaries,
        };
        let mut text = serde_json::to_string_pretty(&doc)?;
        text.push('\n');
        if target == "-" {
            std::io::stdout().write_all(text.as_bytes())?;
        } else {
            std::fs::write(target, text).with_context(|| format!("writing {target}"))?;
        }
    }
    Ok(())
}
