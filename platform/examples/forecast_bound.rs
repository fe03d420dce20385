//! How much of the gap between an online algorithm and the offline optimum is the forecast's
//! fault: MPC given a perfect forecast of Pensieve's network (it reads the trace), on Pensieve's
//! model. Research tool behind the ABR lab's closing figures, not part of `flick compare`.
//!
//! `cargo run --release -p flick-platform --example forecast_bound -- TRACES LADDER HORIZON
//! TERMINAL_VALUE [WINDOW_S]`
//!
//! - Without `WINDOW_S`, every download time in the plan is exact (the trace as it will be).
//! - With `WINDOW_S`, the forecast is the trace's true mean bandwidth over the next `WINDOW_S`
//!   seconds, held constant over the plan: a perfect short-term throughput predictor.
//!
//! `TERMINAL_VALUE` is what a second of buffer left at the end of the plan is worth (up to 20 s),
//! as in Flick's own algorithm. It prints the mean QoE_lin and its share of the offline optimum.

use flick_abr::{Abr, Decision, DecisionContext, DownloadReport};
use flick_platform::sim::network::PensieveNetwork;
use flick_platform::sim::{
    BatchSpec, Ladder, Model, Trace, offline_optima, optimal, run_sessions, summarise,
};
use std::path::Path;

/// Pensieve's model: each request's round trip, during which the trace does not advance.
const RTT_S: f64 = PensieveNetwork::REQUEST_RTT_MS / 1000.0;
/// Pensieve's model: the payload's share of the trace's bandwidth.
const PAYLOAD_SHARE: f64 = PensieveNetwork::PAYLOAD_SHARE;
/// Buffer beyond this at the end of a plan is worth nothing more.
const TERMINAL_TARGET_S: f64 = 20.0;

/// The trace as (end time, Mbit/s) steps, looping.
struct Steps {
    ends: Vec<f64>,
    mbps: Vec<f64>,
}

impl Steps {
    fn new(trace: &Trace) -> Steps {
        let mut ends = Vec::with_capacity(trace.periods.len());
        let mut t = 0.0;
        for p in &trace.periods {
            t += p.duration_ms / 1000.0;
            ends.push(t);
        }
        Steps { ends, mbps: trace.periods.iter().map(|p| p.kbps / 1000.0).collect() }
    }

    /// Payload bytes per second delivered on average over `[t, t + window]` (trace time).
    fn mean_payload_bps(&self, t: f64, window: f64) -> f64 {
        let total = self.ends.last().copied().unwrap_or(0.0);
        if total <= 0.0 || window <= 0.0 {
            return 0.0;
        }
        let mut at = t - (t / total).floor() * total;
        let mut left = window;
        let mut bits = 0.0;
        while left > 1e-12 {
            let i = self.ends.partition_point(|&e| e <= at).min(self.ends.len() - 1);
            let span = (self.ends[i] - at).min(left).max(1e-9);
            bits += self.mbps[i] * 1e6 * span;
            left -= span;
            at += span;
            if at >= total {
                at = 0.0;
            }
        }
        bits / 8.0 / window * PAYLOAD_SHARE
    }
}

/// MPC that knows the trace.
struct Clairvoyant {
    network: PensieveNetwork,
    /// The model's buffer cap and the sleep step above it, and the stall penalty.
    max_buffer_s: f64,
    sleep_s: f64,
    rebuffer_penalty: f64,
    steps: Steps,
    horizon: usize,
    terminal_value: f64,
    window_s: Option<f64>,
    requests_done: usize,
}

/// One node of the plan search.
struct Node {
    depth: usize,
    trace_s: f64,
    buffer_s: f64,
    last: usize,
    gain: f64,
    first: usize,
}

impl Clairvoyant {
    fn search(&mut self, ctx: &DecisionContext<'_>, node: Node, forecast_bps: f64, best: &mut (f64, usize)) {
        let horizon = self.horizon.min(ctx.segment_count - ctx.segment);
        if node.depth == horizon {
            let score = node.gain + self.terminal_value * node.buffer_s.min(TERMINAL_TARGET_S);
            if score >= best.0 {
                *best = (score, node.first);
            }
            return;
        }
        let rungs = ctx.rungs.len();
        let sizes: Vec<u64> =
            (0..rungs).map(|q| ctx.size_or_nominal(ctx.segment + node.depth, q).get()).collect();
        let mut seconds = vec![0.0; rungs];
        if self.window_s.is_some() {
            for (s, &size) in seconds.iter_mut().zip(&sizes) {
                *s = size as f64 / forecast_bps.max(1.0);
            }
        } else {
            let mut order: Vec<usize> = (0..rungs).collect();
            order.sort_by_key(|&q| sizes[q]);
            self.network.transfers_s_at(node.trace_s, &sizes, &order, &mut seconds);
        }
        for (q, &transfer_s) in seconds.iter().enumerate() {
            let delay = transfer_s + RTT_S;
            let stall = (delay - node.buffer_s).max(0.0);
            let mut buffer_s = (node.buffer_s - delay).max(0.0) + ctx.segment_duration.as_secs_f64();
            let mut trace_s = node.trace_s + transfer_s;
            if buffer_s > self.max_buffer_s {
                let sleep = ((buffer_s - self.max_buffer_s) / self.sleep_s).ceil() * self.sleep_s;
                buffer_s -= sleep;
                trace_s += sleep;
            }
            let rate = ctx.rungs[q].kbps() / 1000.0;
            let step =
                rate - self.rebuffer_penalty * stall - (rate - ctx.rungs[node.last].kbps() / 1000.0).abs();
            let child = Node {
                depth: node.depth + 1,
                trace_s,
                buffer_s,
                last: q,
                gain: node.gain + step,
                first: if node.depth == 0 { q } else { node.first },
            };
            self.search(ctx, child, forecast_bps, best);
        }
    }
}

impl Abr for Clairvoyant {
    fn name(&self) -> &'static str {
        "clairvoyant-mpc"
    }

    fn initial(&mut self, _ctx: &DecisionContext<'_>) -> usize {
        1
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let trace_s = ctx.now.as_secs_f64() - RTT_S * self.requests_done as f64;
        let forecast_bps = self.window_s.map_or(0.0, |w| self.steps.mean_payload_bps(trace_s, w));
        let root = Node {
            depth: 0,
            trace_s,
            buffer_s: ctx.buffer_level.as_secs_f64(),
            last: ctx.last_rung.unwrap_or(1),
            gain: 0.0,
            first: 0,
        };
        let mut best = (f64::NEG_INFINITY, 0);
        self.search(ctx, root, forecast_bps, &mut best);
        Decision::rung(best.1)
    }

    fn on_download(&mut self, _report: &DownloadReport) {
        self.requests_done += 1;
    }

    fn new_session(&mut self) {
        self.requests_done = 0;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: forecast_bound TRACES LADDER HORIZON TERMINAL_VALUE [WINDOW_S]");
        std::process::exit(2);
    }
    let traces = Trace::load_all(Path::new(&args[1])).expect("traces");
    let ladder = Ladder::load(Path::new(&args[2])).expect("ladder");
    let content = ladder.content(&["a"]);
    let horizon: usize = args[3].parse().expect("HORIZON");
    let terminal_value: f64 = args[4].parse().expect("TERMINAL_VALUE");
    let window_s: Option<f64> = args.get(5).map(|w| w.parse().expect("WINDOW_S"));
    let player = Model::Pensieve.player_config(None);
    let mut total = 0.0;
    for trace in &traces {
        let one = std::slice::from_ref(trace);
        let spec = BatchSpec {
            traces: one,
            content: &content,
            algorithms: &[],
            model: Model::Pensieve,
            player: player.clone(),
            network: Default::default(),
            seed: 0,
            carry_abr_state: false,
        };
        let make = || {
            Box::new(Clairvoyant {
                network: PensieveNetwork::new(trace),
                max_buffer_s: player.max_buffer.as_secs_f64(),
                sleep_s: player.full_buffer_poll.map_or(0.5, |p| p.as_secs_f64()),
                rebuffer_penalty: Model::Pensieve.qoe().rebuffer_penalty,
                steps: Steps::new(trace),
                horizon,
                terminal_value,
                window_s,
                requests_done: 0,
            }) as Box<dyn Abr>
        };
        total += summarise("clairvoyant-mpc", run_sessions(&spec, &make, &|| {})).mean_qoe_lin;
    }
    let mean = total / traces.len() as f64;
    let spec = BatchSpec {
        traces: &traces,
        content: &content,
        algorithms: &[],
        model: Model::Pensieve,
        player,
        network: Default::default(),
        seed: 0,
        carry_abr_state: false,
    };
    let optima = offline_optima(&spec, &ladder, optimal::DEFAULT_MAX_TRANSITIONS, &|| {});
    let optimum =
        optima.iter().map(|o| o.as_ref().map_or(0.0, |o| o.qoe_lin)).sum::<f64>() / traces.len() as f64;
    let forecast = window_s.map_or("exact trace".to_string(), |w| format!("true mean of the next {w} s"));
    println!(
        "clairvoyant MPC, horizon {horizon}, terminal value {terminal_value}, forecast {forecast}: \
         QoE_lin {mean:.4} = {:.1} % of the optimum {optimum:.4}",
        100.0 * mean / optimum
    );
}
