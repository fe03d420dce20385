//! The offline optimum: the best QoE_lin any ABR algorithm could reach on one trace, found by a
//! dynamic program that knows the whole trace in advance.
//!
//! # What is optimised
//!
//! The session is the simulator's ([`super::run_session`]) under the chosen [`Model`]: the first
//! chunk is requested at time 0 (at [`PlayerConfig::initial_rung`] when set), each next one once
//! the previous one has arrived and the buffer rule allows it, and QoE_lin is scored as
//! [`Model::qoe`] says (`R_n − μ·T_n − |R_n − R_{n−1}|`, start-up not counted). An algorithm
//! controls the rung of each chunk, a delay before a request ([`flick_abr::Decision`]`::delay`)
//! and abandoning a download. The program searches over rungs only: delays and abandonment never
//! help (below).
//!
//! # The program
//!
//! After chunk `n` at rung `r` a session is summed up by `a`, the earliest time the next request
//! may go (the arrival of chunk `n`, later if the buffer is full), `D`, the time at which the
//! buffer would run dry (arrival + buffer level), and `v`, the QoE summed so far. With `μ` the
//! stall penalty and `w = v + μ·D` (which a stall leaves unchanged), a state A *dominates* B (same
//! `n` and `r`) when `a_A ≤ a_B`, `D_A ≤ D_B` and `w_A ≥ w_B`. The program keeps, per (chunk, last
//! rung), the states no other state dominates (a Pareto frontier) and expands each by every rung.
//!
//! Why that loses nothing: A can copy B's future move for move (same rungs, each request at B's
//! request time, which A may do by delaying; its buffer rule is no stricter, since A's buffer is
//! never fuller than B's). Every download then takes the same time in both, so A stalls at most
//! `D_B − D_A` seconds more than B in the whole future (each extra second of stall closes that gap
//! by a second) and ends with at least `v_A − μ·(D_B − D_A) + gains ≥ v_B + gains`. Delays never
//! help: a request sent later completes no earlier (a later start never overtakes an earlier one
//! on a fluid link), so the undelayed successor dominates every delayed one; abandoning only
//! wastes the time the download ran. More buffer alone is *not* better: a full buffer forces a
//! wait that can run into a bandwidth collapse, hence `D_A ≤ D_B` and not the other way round.
//!
//! The frontiers are further cut by branch and bound: a first pass keeps only the 16 most
//! promising states per (chunk, rung) and yields a real plan worth `L`; the exact pass then drops
//! every state whose QoE so far plus an upper bound on the rest (the chunks' rates within the bits
//! the trace can deliver before the last deadline, each late second at `μ`; see
//! `Program::future_bound`) cannot reach `L`.
//!
//! # Exactness, approximations, cost
//!
//! - Pensieve's model sleeps in 500 ms steps while the buffer is over 60 s; the program lets the
//!   request go the instant the buffer is down to 60 s (up to 500 ms earlier): a relaxation, so
//!   the result can only be higher.
//! - The `cdn` model: request `n` gets the `n`-th latency draw of the session's seed, as it does for
//!   an algorithm that never abandons a download nor times out; one that does shifts its later
//!   draws (±`latency_jitter` of the 80 ms round trip per request). The body runs at the best
//!   location's bandwidth share; outages are not modelled (again only raising the result).
//! - Downloads are assumed FIFO (a later request never completes earlier): true whenever the
//!   trace's latency is constant, as in every shipped trace set.
//! - To cap the run time, a frontier larger than `max_transitions / (chunks × rungs²)`
//!   ([`OptimumSpec::max_transitions`]; 2 300 states for Envivio's 48 × 6, 200 for Big Buck
//!   Bunny's 199 × 10) is *coarsened*: states sharing a cell of a square grid over (`a`, `D`)
//!   (10 ms, doubling until the frontier fits) become one state dominating them all (smallest `a`
//!   and `D`, largest `w`). The result stays an upper bound, [`OfflineOptimum::exact`] turns false,
//!   and each merge is worth at most one cell of time and `μ` × one cell of QoE. A search then
//!   costs at most `max_transitions` candidate states (each kept state is timed at every rung in
//!   one walk over the trace).
//!
//! The plan found is replayed through the real simulator (a scripted algorithm):
//! [`OfflineOptimum::achieved_qoe_lin`] is what it really scores, so the true optimum lies in
//! `[achieved_qoe_lin, qoe_lin]`. On the 142 `pensieve-test` traces with the Envivio ladder and
//! each model's own buffer, no frontier needs coarsening (the largest holds about 2 000 states)
//! and the two agree to 1e-9 in all three models: the relaxations above cost nothing there. With
//! Sabre's model and a 60 s buffer, 5 of the 142 are coarsened, with a gap of at most 0.0013.
//! One session costs 14 ms (Pensieve's model), 19 ms (Sabre's) or 25 ms (Flick's) on one core of
//! this machine; [`offline_optima`] spreads the traces over the cores (about 1 s for all 142 on 2).

mod bound;
use super::batch::BatchSpec;
use super::ladder::{Ladder, SimContent};
use super::network::{CdnNetwork, CdnNetworkConfig, PensieveNetwork, SabreNetwork, TraceClock};
use super::session::{Model, SessionSpec, run_session};
use super::trace::Trace;
use bound::RateBound;
use flick_abr::{Abr, Decision, DecisionContext};
use flick_player::{PlayerConfig, SessionReport};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Default cap on the work of one search, in candidate states (one per kept state and rung).
pub const DEFAULT_MAX_TRANSITIONS: usize = 4_000_000;

/// What to optimise: one trace, one ladder, one model.
#[derive(Clone, Debug)]
pub struct OptimumSpec<'a> {
    /// The trace.
    pub trace: &'a Trace,
    /// The ladder (rates and per-segment sizes).
    pub ladder: &'a Ladder,
    /// The same ladder as served content, for replaying the plan found.
    pub content: &'a SimContent,
    /// The model.
    pub model: Model,
    /// The player configuration (usually [`Model::player_config`]): its buffer rule and initial
    /// rung apply.
    pub player: PlayerConfig,
    /// The Flick model's network parameters.
    pub network: CdnNetworkConfig,
    /// Seed of the replay session.
    pub seed: u64,
    /// Most candidate states one search may generate: each (chunk, last rung) frontier keeps at
    /// most `max_transitions / (chunks × rungs²)` states (at least one) before it is coarsened.
    pub max_transitions: usize,
}

/// The best QoE reachable on one trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfflineOptimum {
    /// Trace name.
    pub trace: String,
    /// The optimum's QoE_lin per scored chunk: an upper bound on every algorithm's (see the
    /// module documentation).
    pub qoe_lin: f64,
    /// QoE_lin per scored chunk of the plan found, replayed through the real simulator: reached by
    /// a real (scripted) algorithm, so the optimum lies between this and [`Self::qoe_lin`].
    pub achieved_qoe_lin: f64,
    /// The plan: the rung of each chunk.
    pub rungs: Vec<usize>,
    /// Chunks scored.
    pub scored_chunks: usize,
    /// Whether the search kept every state it had to (no frontier coarsened): then, for the
    /// Pensieve and Sabre models and the Flick model's single location, `qoe_lin` is the exact
    /// optimum up to the relaxations listed in the module documentation.
    pub exact: bool,
    /// States kept, over all chunks and rungs.
    pub states: usize,
    /// Largest frontier of one (chunk, rung) before coarsening.
    pub largest_frontier: usize,
    /// Frontiers that had to be coarsened to fit [`OptimumSpec::max_transitions`].
    pub coarsened_frontiers: usize,
    /// The session report of the plan replayed through the simulator (algorithm `optimal`).
    pub report: SessionReport,
}

/// Why there is no optimum.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptimumError {
    /// The trace never delivers a chunk (no bandwidth at all).
    #[error("trace {trace}: chunk {chunk} can never be downloaded (the trace carries no bandwidth)")]
    Undeliverable {
        /// Trace name.
        trace: String,
        /// First chunk that cannot arrive.
        chunk: usize,
    },
    /// Nothing to play.
    #[error("the ladder has no segments or no rungs")]
    EmptyLadder,
}

/// One state of the program: after some chunk, at some rung.
#[derive(Clone, Copy, Debug)]
struct State {
    /// Earliest next request (ms).
    a: f64,
    /// When the buffer would run dry (ms).
    d: f64,
    /// QoE summed so far.
    v: f64,
    /// Rung of the previous chunk's state and its index there.
    parent_rung: u32,
    parent: u32,
}

/// The download-time oracle of each model.
enum Timing {
    Pensieve(Box<PensieveNetwork>),
    Sabre(Box<SabreNetwork>),
    /// The model's parameters and each request's latency factor, in request order.
    Flick(CdnNetworkConfig, Vec<f64>),
}

const EPS_MS: f64 = 1e-6;
const EPS_W: f64 = 1e-9;
/// States kept per (chunk, rung) by the first, greedy pass.
const BEAM: usize = 16;

/// One search over the chunks.
#[derive(Clone, Copy)]
enum Keep {
    /// Keep the `n` states with the best optimistic total (a quick feasible plan).
    Beam(usize),
    /// Keep every state that may still beat `lower`, coarsening frontiers over `max` states.
    Bounded { lower: f64, max: usize },
}

/// The layers of one search and its best final state.
struct Search {
    layers: Vec<Vec<Vec<State>>>,
    best: (usize, usize, f64),
    states: usize,
    largest: usize,
    coarsened: usize,
}

/// Everything the program needs about one session, in milliseconds and Mbit/s.
struct Program<'s> {
    trace: &'s Trace,
    /// Segment sizes per chunk and rung, in bytes and in bits, and each chunk's rungs by size.
    sizes: &'s [Vec<u64>],
    bits: Vec<Vec<f64>>,
    order: Vec<Vec<usize>>,
    timing: Timing,
    clock: TraceClock,
    chunks: usize,
    /// R per rung in Mbit/s, as the report rounds it (whole kbit/s).
    rate: Vec<f64>,
    seg_ms: f64,
    /// The next request may go once the buffer is down to this (Pensieve: the maximum; Sabre and
    /// Flick: the maximum less the next segment).
    headroom_ms: f64,
    mu: f64,
    first_scored: usize,
    initial_rung: Option<usize>,
    /// Round trip per request that does not advance the trace (Pensieve's model).
    off_trace_ms: f64,
    /// Share of the trace's bandwidth the payload gets at best.
    capacity_factor: f64,
    /// The most rate the remaining chunks can add for a number of bits.
    rates: RateBound,
    /// The trace's fastest payload rate, in bits per ms.
    fastest_kbps: f64,
}

impl Program<'_> {
    /// Completion times (ms) of chunk `n` at every rung, requested at `at` (ms), into `out`.
    fn complete(&mut self, n: usize, at: f64, out: &mut [f64]) {
        let (sizes, order) = (&self.sizes[n], &self.order[n]);
        match &mut self.timing {
            Timing::Pensieve(net) => {
                let trace_s = (at - self.off_trace_ms * n as f64) / 1000.0;
                net.transfers_s_at(trace_s, sizes, order, out);
                for o in out.iter_mut() {
                    *o = at + self.off_trace_ms + *o * 1000.0;
                }
            }
            Timing::Sabre(net) => {
                net.transfers_ms_at(&self.clock, at, sizes, order, out);
                for o in out.iter_mut() {
                    *o += at;
                }
            }
            Timing::Flick(config, factors) => {
                config.lone_requests_ms(
                    &self.trace.periods,
                    &self.clock,
                    at,
                    &self.bits[n],
                    order,
                    factors[n],
                    out,
                );
                for o in out.iter_mut() {
                    *o += at;
                }
            }
        }
    }

    /// An upper bound on the QoE still to come after chunk `n` from state `s`. The remaining
    /// chunks must all arrive, the last by its deadline (`D` + the media in between) or stall for
    /// as long as it is late. Within `B` bits their rates sum to at most `g(B)` ([`RateBound`]);
    /// the trace delivers `B0` bits between `a` and that deadline, and each bit beyond costs at
    /// least `μ` / (the trace's fastest rate) of stall. So the future is worth at most
    /// `max over B of g(B) − μ·max(0, B − B0) / fastest`, a concave maximum reached where `g`'s
    /// slope falls under `μ / fastest`, or at `B0`. Switches are free and the buffer cap is
    /// ignored.
    fn future_bound(&self, n: usize, s: &State) -> f64 {
        let m = self.chunks - 1 - n;
        if m == 0 {
            return 0.0;
        }
        let budget = self.rates.after(n);
        let end = s.d + self.seg_ms * (m - 1) as f64;
        let from = s.a - self.off_trace_ms * (n + 1) as f64;
        let b0 = self.clock.bits_between(&self.trace.periods, from, from + (end - s.a), self.capacity_factor);
        let best = b0.max(budget.base_bits).max(budget.base_bits + budget.worth_stalling);
        let late_ms = (s.a - end).max(0.0) + (best - b0).max(0.0) / self.fastest_kbps;
        budget.rate_within(best) - self.mu * late_ms / 1000.0
    }

    fn search(&mut self, keep: Keep) -> Result<Search, OptimumError> {
        let rungs = self.rate.len();
        let mut out = Search {
            layers: Vec::with_capacity(self.chunks),
            best: (0, 0, 0.0),
            states: 0,
            largest: 0,
            coarsened: 0,
        };
        // Chunk 0: requested at time 0; its stall is start-up.
        let first: Vec<usize> = match self.initial_rung {
            Some(r) => vec![r.min(rungs - 1)],
            None => (0..rungs).collect(),
        };
        let mut layer: Vec<Vec<State>> = vec![Vec::new(); rungs];
        let mut arrivals = vec![0.0; rungs];
        self.complete(0, 0.0, &mut arrivals);
        for &r in &first {
            let f = arrivals[r];
            if !f.is_finite() {
                return Err(OptimumError::Undeliverable { trace: self.trace.name.clone(), chunk: 0 });
            }
            let d = f + self.seg_ms;
            let v = if self.first_scored == 0 { self.rate[r] } else { 0.0 };
            layer[r].push(State { a: f.max(d - self.headroom_ms), d, v, parent_rung: 0, parent: 0 });
            out.states += 1;
        }
        out.layers.push(layer);
        let mut candidates: Vec<Vec<State>> = vec![Vec::new(); rungs];
        for n in 1..self.chunks {
            for c in &mut candidates {
                c.clear();
            }
            let scored = n >= self.first_scored;
            let previous = std::mem::take(&mut out.layers[n - 1]);
            for (pr, states) in previous.iter().enumerate() {
                for (index, s) in states.iter().enumerate() {
                    self.complete(n, s.a, &mut arrivals);
                    for (r, &f) in arrivals.iter().enumerate() {
                        if !f.is_finite() {
                            continue;
                        }
                        let stall_ms = (f - s.d).max(0.0);
                        let d = s.d.max(f) + self.seg_ms;
                        let v = if scored {
                            s.v + self.rate[r]
                                - self.mu * stall_ms / 1000.0
                                - (self.rate[r] - self.rate[pr]).abs()
                        } else {
                            s.v
                        };
                        let next = State {
                            a: f.max(d - self.headroom_ms),
                            d,
                            v,
                            parent_rung: pr as u32,
                            parent: index as u32,
                        };
                        candidates[r].push(next);
                    }
                }
            }
            out.layers[n - 1] = previous;
            let mut layer: Vec<Vec<State>> = Vec::with_capacity(rungs);
            for c in &mut candidates {
                let mut front = pareto(c, self.mu);
                if let Keep::Bounded { lower, .. } = keep {
                    front.retain(|s| s.v + self.future_bound(n, s) >= lower - EPS_W);
                }
                out.largest = out.largest.max(front.len());
                match keep {
                    Keep::Beam(k) if front.len() > k => {
                        let score = |s: &State| s.v + self.future_bound(n, s);
                        front.sort_by(|x, y| score(y).total_cmp(&score(x)));
                        front.truncate(k);
                    }
                    Keep::Bounded { max, .. } if front.len() > max => {
                        out.coarsened += 1;
                        front = coarsen(front, self.mu, max);
                    }
                    _ => {}
                }
                out.states += front.len();
                layer.push(front);
            }
            if layer.iter().all(Vec::is_empty) {
                if matches!(keep, Keep::Bounded { .. }) {
                    // Everything was pruned: only float noise can do that; keep the bound's plan.
                    break;
                }
                return Err(OptimumError::Undeliverable { trace: self.trace.name.clone(), chunk: n });
            }
            out.layers.push(layer);
        }
        if out.layers.len() < self.chunks {
            out.best = (0, 0, f64::NEG_INFINITY);
            return Ok(out);
        }
        let last = out.layers.last().expect("at least one chunk");
        out.best = last
            .iter()
            .enumerate()
            .flat_map(|(r, states)| states.iter().enumerate().map(move |(i, s)| (r, i, s.v)))
            .fold((0, 0, f64::NEG_INFINITY), |best, c| if c.2 > best.2 { c } else { best });
        Ok(out)
    }
}

impl Search {
    /// The rungs leading to the best final state.
    fn plan(&self) -> Vec<usize> {
        let chunks = self.layers.len();
        let (mut rung, mut index, _) = self.best;
        let mut plan = vec![0; chunks];
        for n in (0..chunks).rev() {
            plan[n] = rung;
            let s = self.layers[n][rung][index];
            rung = s.parent_rung as usize;
            index = s.parent as usize;
        }
        plan
    }
}

/// The offline optimum of one session (see the module documentation).
pub fn offline_optimum(spec: &OptimumSpec<'_>) -> Result<OfflineOptimum, OptimumError> {
    let ladder = spec.ladder;
    let chunks = ladder.segments.min(ladder.sizes.len());
    let rungs = ladder.bitrates.len();
    if chunks == 0 || rungs == 0 || ladder.sizes[..chunks].iter().any(|s| s.len() < rungs) {
        return Err(OptimumError::EmptyLadder);
    }
    let qoe = spec.model.qoe();
    let rate: Vec<f64> = ladder.bitrates.iter().map(|b| (b.bps() / 1000) as f64 / 1000.0).collect();
    let seg_ms = ladder.segment_duration.as_secs_f64() * 1000.0;
    let max_buffer_ms = spec.player.max_buffer.as_secs_f64() * 1000.0;
    let (timing, off_trace_ms, capacity_factor) = match spec.model {
        Model::Pensieve => (
            Timing::Pensieve(Box::new(PensieveNetwork::new(spec.trace))),
            PensieveNetwork::REQUEST_RTT_MS,
            PensieveNetwork::PAYLOAD_SHARE,
        ),
        Model::Sabre => (Timing::Sabre(Box::new(SabreNetwork::new(spec.trace))), 0.0, 1.0),
        Model::Cdn => {
            let factors =
                CdnNetwork::new(spec.trace, spec.network.clone(), spec.seed).latency_factors(chunks);
            (Timing::Flick(spec.network.clone(), factors), 0.0, spec.network.best_bandwidth_factor())
        }
    };
    let mu = qoe.rebuffer_penalty;
    let fastest_kbps = spec.trace.periods.iter().map(|p| p.kbps).fold(0.0, f64::max) * capacity_factor;
    // μ per second over bits per second: the stall one bit too many costs at the fastest rate.
    let rates = RateBound::new(&ladder.sizes, &rate, chunks, mu / (fastest_kbps * 1000.0));
    let mut program = Program {
        trace: spec.trace,
        sizes: &ladder.sizes,
        bits: ladder.sizes.iter().map(|row| row.iter().map(|&b| b as f64 * 8.0).collect()).collect(),
        order: ladder
            .sizes
            .iter()
            .map(|row| {
                let mut order: Vec<usize> = (0..row.len()).collect();
                order.sort_by_key(|&r| row[r]);
                order
            })
            .collect(),
        timing,
        clock: TraceClock::new(&spec.trace.periods),
        chunks,
        rate,
        seg_ms,
        headroom_ms: if spec.player.count_next_segment { max_buffer_ms - seg_ms } else { max_buffer_ms },
        mu,
        first_scored: qoe.first_scored_chunk,
        initial_rung: spec.player.initial_rung,
        off_trace_ms,
        capacity_factor,
        rates,
        fastest_kbps,
    };
    // A quick feasible plan gives the bar every kept state must be able to clear...
    let greedy = program.search(Keep::Beam(BEAM))?;
    // ... and the exact search drops every state that cannot.
    let max = (spec.max_transitions / (chunks * rungs * rungs)).max(1);
    let exact = program.search(Keep::Bounded { lower: greedy.best.2, max })?;
    let scored_chunks = chunks.saturating_sub(qoe.first_scored_chunk);
    let per_chunk = |sum: f64| if scored_chunks == 0 { 0.0 } else { sum / scored_chunks as f64 };
    let greedy_plan = greedy.plan();
    let (plan, report) = if exact.coarsened == 0 && exact.best.2 >= greedy.best.2 {
        let plan = exact.plan();
        let report = replay(spec, &plan);
        (plan, report)
    } else {
        // A coarsened search's plan follows merged states: keep whichever plan plays better.
        let mut best = (greedy_plan.clone(), replay(spec, &greedy_plan));
        if exact.best.2.is_finite() {
            let plan = exact.plan();
            let report = replay(spec, &plan);
            if report.qoe_lin > best.1.qoe_lin {
                best = (plan, report);
            }
        }
        best
    };
    Ok(OfflineOptimum {
        trace: spec.trace.name.clone(),
        qoe_lin: per_chunk(exact.best.2.max(greedy.best.2)),
        achieved_qoe_lin: report.qoe_lin,
        rungs: plan,
        scored_chunks,
        exact: exact.coarsened == 0,
        states: exact.states + greedy.states,
        largest_frontier: exact.largest,
        coarsened_frontiers: exact.coarsened,
        report,
    })
}

/// The offline optimum of every trace of `batch` (its algorithms and `carry_abr_state` play no
/// part), in parallel; trace `i` is replayed with seed `batch.seed + i`, as
/// [`super::run_sessions`] seeds its sessions. `tick` is called after each trace.
pub fn offline_optima(
    batch: &BatchSpec<'_>,
    ladder: &Ladder,
    max_transitions: usize,
    tick: &(dyn Fn() + Sync),
) -> Vec<Result<OfflineOptimum, OptimumError>> {
    batch
        .traces
        .par_iter()
        .enumerate()
        .map(|(i, trace)| {
            let spec = OptimumSpec {
                trace,
                ladder,
                content: batch.content,
                model: batch.model,
                player: batch.player.clone(),
                network: batch.network.clone(),
                seed: batch.seed.wrapping_add(i as u64),
                max_transitions,
            };
            let result = offline_optimum(&spec);
            tick();
            result
        })
        .collect()
}

/// The states of `candidates` no other dominates (`a` and `D` smaller, `w = v + μD` larger).
fn pareto(candidates: &mut [State], mu: f64) -> Vec<State> {
    let w = |s: &State| s.v + mu * s.d / 1000.0;
    candidates.sort_by(|x, y| x.a.total_cmp(&y.a).then(x.d.total_cmp(&y.d)).then(w(y).total_cmp(&w(x))));
    // Kept states as a staircase over D: D ascending, w strictly ascending; a kept state with
    // D ≤ D_c and w ≥ w_c (and, by the order, a ≤ a_c) dominates candidate c.
    let mut stair: Vec<(f64, f64)> = Vec::new();
    let mut front = Vec::new();
    for c in candidates.iter() {
        let wc = w(c);
        let i = stair.partition_point(|&(d, _)| d <= c.d + EPS_MS);
        if i > 0 && stair[i - 1].1 >= wc - EPS_W {
            continue;
        }
        front.push(*c);
        let j = stair.partition_point(|&(d, _)| d < c.d);
        let end = j + stair[j..].iter().take_while(|&&(_, ws)| ws <= wc).count();
        stair.splice(j..end, [(c.d, wc)]);
    }
    front
}

/// Replace states that share a cell of a square grid over (`a`, `D`) by one state dominating them
/// all (smallest `a` and `D`, largest `w`), growing the cell (from 10 ms, doubling) until at most
/// `max` states remain. The merged state is at most one cell earlier and one cell (`μ` × the cell
/// in QoE) better off than each state it replaces. Keeps the parent of the member with the
/// largest `w`.
fn coarsen(front: Vec<State>, mu: f64, max: usize) -> Vec<State> {
    let w = |s: &State| s.v + mu * s.d / 1000.0;
    let mut width = 10.0;
    let mut front = front;
    while front.len() > max && width < 1e12 {
        let cell = |x: f64| (x / width).floor() as i64;
        let mut keyed: Vec<((i64, i64), State)> =
            front.iter().map(|s| ((cell(s.a), cell(s.d)), *s)).collect();
        keyed.sort_by_key(|x| x.0);
        let mut merged: Vec<State> = Vec::new();
        let mut last_key = None;
        for (key, s) in keyed {
            if last_key == Some(key)
                && let Some(m) = merged.last_mut()
            {
                let (wm, ws) = (w(m), w(&s));
                let d = m.d.min(s.d);
                if ws > wm {
                    m.parent_rung = s.parent_rung;
                    m.parent = s.parent;
                }
                m.a = m.a.min(s.a);
                m.v = wm.max(ws) - mu * d / 1000.0;
                m.d = d;
                continue;
            }
            last_key = Some(key);
            merged.push(s);
        }
        front = pareto(&mut merged, mu);
        width *= 2.0;
    }
    front
}

/// The report of `plan` played through the real simulator.
fn replay(spec: &OptimumSpec<'_>, plan: &[usize]) -> SessionReport {
    let session = SessionSpec {
        trace: spec.trace,
        content: spec.content,
        model: spec.model,
        player: spec.player.clone(),
        network: spec.network.clone(),
        seed: spec.seed,
    };
    run_session(&session, Box::new(Scripted(plan.to_vec()))).0
}

/// An algorithm that plays a fixed rung per segment.
struct Scripted(Vec<usize>);

impl Scripted {
    fn rung(&self, segment: usize) -> usize {
        self.0.get(segment).or(self.0.last()).copied().unwrap_or(0)
    }
}

impl Abr for Scripted {
    fn name(&self) -> &'static str {
        "optimal"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        self.rung(ctx.segment)
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        Decision::rung(self.rung(ctx.segment))
    }
}

#[cfg(test)]
mod tests;
