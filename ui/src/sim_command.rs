//! `flick sim`: every algorithm on every trace, a table per algorithm, JSON and CSV output.

use crate::compare::UsageError;
use crate::progress::SweepProgress;
use anyhow::{Context, bail};
use clap::Args;
use flick_platform::sim::network::{CdnNetworkConfig, location_name};
use flick_platform::sim::{AlgorithmSummary, BatchSpec, Ladder, Model, Trace, run_batch};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `flick sim`.
#[derive(Args, Debug)]
pub struct SimArgs {
    /// Trace files or folders of traces (Pensieve text, Sabre JSON, Mahimahi).
    #[arg(long, num_args = 1.., required = true)]
    traces: Vec<PathBuf>,
    /// The ladder: a Pensieve `video_size_*` folder or a Sabre manifest JSON.
    #[arg(long)]
    ladder: PathBuf,
    /// ABR algorithms, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "hedge")]
    abr: Vec<String>,
    /// Network and player model: cdn (Flick's own; `flick` is its old name), pensieve or sabre.
    #[arg(long, default_value = "cdn")]
    model: String,
    /// Maximum buffer in seconds (default: the model's).
    #[arg(long)]
    buffer: Option<f64>,
    /// Seed of the sessions' randomness.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Give each session a fresh ABR instance even where the model's reference carries state
    /// from trace to trace (Pensieve's RobustMPC).
    #[arg(long)]
    independent_sessions: bool,
    /// The cdn model's network parameters, as JSON: `{"default_latency_ms": 80, "progress_ms": 100,
    /// "latency_jitter": 0.1, "locations": [{"bandwidth_factor": 1.0, "outages_ms": [[6000, 20000]]},
    /// ...]}`; each listed location is served as a CDN named a, b, c, ...
    #[arg(long, value_name = "FILE")]
    network: Option<PathBuf>,
    /// Play the content as a live stream whose edge is EDGE_S seconds in when each session
    /// starts (30 without a value): segments appear as virtual time passes, the player holds its
    /// target latency, and the table adds the latency to the live edge.
    #[arg(long, value_name = "EDGE_S", num_args = 0..=1, default_missing_value = "30")]
    live: Option<f64>,
    /// Write the JSON document to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    json: Option<String>,
    /// Write one CSV row per session to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    csv: Option<String>,
}

#[derive(Serialize)]
struct SimDocument<'a> {
    model: &'a str,
    ladder: String,
    traces: usize,
    buffer_s: f64,
    seed: u64,
    algorithms: &'a [AlgorithmSummary],
}

/// Run `flick sim`.
pub fn run(args: SimArgs) -> anyhow::Result<()> {
    let Some(model) = Model::from_name(&args.model) else {
        return Err(
            UsageError(format!("unknown model `{}` (known: cdn, pensieve, sabre)", args.model)).into()
        );
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
    let ladder =
        Ladder::load(&args.ladder).with_context(|| format!("reading ladder {}", args.ladder.display()))?;
    let buffer = match args.buffer {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(UsageError("--buffer must be a positive number of seconds".into()).into());
        }
        Some(s) => Some(Duration::from_secs_f64(s)),
        None => None,
    };
    let player = model.player_config(buffer);
    let network: CdnNetworkConfig = match &args.network {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("parsing network file {}", path.display()))?
        }
        None => CdnNetworkConfig::default(),
    };
    let names: Vec<String> = (0..network.locations.len().max(1)).map(location_name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let content = ladder.content(&names);
    let content = match args.live {
        Some(edge) if !(edge.is_finite() && edge > 0.0) => {
            return Err(UsageError("--live must be a positive number of seconds".into()).into());
        }
        Some(edge) => {
            let edge = Duration::from_secs_f64(edge);
            if edge >= content.length() {
                return Err(UsageError(format!(
                    "--live {:.0}: the content is only {:.0} s long",
                    edge.as_secs_f64(),
                    content.length().as_secs_f64()
                ))
                .into());
            }
            content.as_live(edge, edge.max(Duration::from_secs(10)))
        }
        None => content,
    };
    let spec = BatchSpec {
        traces: &traces,
        content: &content,
        algorithms: &args.abr,
        model,
        player: player.clone(),
        network,
        seed: args.seed,
        carry_abr_state: model.carries_abr_state() && !args.independent_sessions,
    };
    let progress = SweepProgress::new((traces.len() * args.abr.len()) as u64, "sessions");
    let tick = || progress.tick();
    let summaries = run_batch(&spec, &tick).map_err(|e| UsageError(e.to_string()))?;
    let elapsed = progress.finish();
    let stdout_taken = args.json.as_deref() == Some("-") || args.csv.as_deref() == Some("-");
    let table = render_table(&summaries, model, traces.len(), elapsed);
    if stdout_taken {
        eprint!("{table}");
    } else {
        print!("{table}");
    }
    if let Some(target) = &args.json {
        let doc = SimDocument {
            model: model.name(),
            ladder: ladder.name.clone(),
            traces: traces.len(),
            buffer_s: player.max_buffer.as_secs_f64(),
            seed: args.seed,
            algorithms: &summaries,
        };
        let mut text = serde_json::to_string_pretty(&doc)?;
        text.push('\n');
        write_output(target, &text)?;
    }
    if let Some(target) = &args.csv {
        write_output(target, &render_csv(&summaries))?;
    }
    Ok(())
}

fn write_output(target: &str, text: &str) -> anyhow::Result<()> {
    if target == "-" {
        std::io::stdout().write_all(text.as_bytes())?;
    } else {
        std::fs::write(target, text).with_context(|| format!("writing {target}"))?;
    }
    Ok(())
}

fn render_table(summaries: &[AlgorithmSummary], model: Model, traces: usize, elapsed: Duration) -> String {
    let mut out = format!(
        "model {} · {} traces · {} sessions in {:.2} s\n",
        model.name(),
        traces,
        traces * summaries.len(),
        elapsed.as_secs_f64()
    );
    out += &format!(
        "{:<12} {:>9} {:>12} {:>10} {:>12} {:>11} {:>11} {:>7}\n",
        "abr", "QoE_lin", "bitrate kbps", "rebuf %", "rebuf s/sess", "switch/min", "startup ms", "failed"
    );
    let live = summaries.iter().any(|s| s.rows.iter().any(|r| r.report.live.is_some()));
    if live {
        out.pop();
        out += &format!(" {:>10} {:>9}\n", "latency s", "p95 s");
    }
    for s in summaries {
        let latency = |f: fn(&flick_player::live::LiveReport) -> f64| {
            let values: Vec<f64> = s.rows.iter().filter_map(|r| r.report.live.as_ref().map(f)).collect();
            values.iter().sum::<f64>() / values.len().max(1) as f64
        };
        let live_columns = if live {
            format!(" {:>10.2} {:>9.2}", latency(|l| l.latency_mean_s), latency(|l| l.latency_p95_s))
        } else {
            String::new()
        };
        out += &format!(
            "{:<12} {:>9.3} {:>12.0} {:>10.2} {:>12.2} {:>11.2} {:>11.0} {:>7}{live_columns}\n",
            s.abr,
            s.mean_qoe_lin,
            s.mean_bitrate_kbps,
            s.rebuffer_ratio * 100.0,
            s.mean_rebuffer_s,
            s.switches_per_min,
            s.mean_startup_ms,
            s.failed_sessions
        );
    }
    out
}

fn render_csv(summaries: &[AlgorithmSummary]) -> String {
    let mut out = String::from(
        "abr,trace,qoe_lin,mean_video_bitrate_kbps,rebuffer_s,stalls,switches,startup_ms,played_s,error,latency_mean_s,latency_p95_s\n",
    );
    for s in summaries {
        for row in &s.rows {
            let r = &row.report;
            out += &format!(
                "{},{},{:.6},{:.1},{:.3},{},{},{},{:.3},{},{},{}\n",
                s.abr,
                row.trace.replace(',', "_"),
                r.qoe_lin,
                r.mean_video_bitrate_kbps,
                r.rebuffer_s,
                r.stalls.len(),
                r.switches,
                r.startup_ms.map_or(String::new(), |v| format!("{v:.1}")),
                r.played_s,
                r.error.as_ref().map_or("", |e| e.kind.as_str()),
                r.live.as_ref().map_or(String::new(), |l| format!("{:.3}", l.latency_mean_s)),
                r.live.as_ref().map_or(String::new(), |l| format!("{:.3}", l.latency_p95_s)),
            );
        }
    }
    out
}
