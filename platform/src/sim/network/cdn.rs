//! Flick's own network model of a multi-location CDN (`cdn`, the default; formerly `flick`): every
//! request pays a round trip of latency, then concurrent bodies share the link fairly; progress is
//! reported every 100 ms so the player sees downloads in flight; each location can have its own
//! bandwidth share and outages (a location in an outage answers nothing, and a body in flight
//! stops arriving), and a fault script ([`crate::faults`]) can make locations fail in the ways
//! `flick serve` does.

use super::cursor::TraceClock;
use super::{NetworkModel, from_ms, to_ms};
use crate::faults::{FaultKind, ResourceKind};
use crate::sim::trace::{Trace, TracePeriod};
use flick_player::{Chunk, Input};
use flick_player::{FetchError, FetchRequest, RequestId, RequestKind};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;

/// One location's conditions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocationProfile {
    /// Fraction of the trace's bandwidth this location delivers (1.0 when unset or zero).
    pub bandwidth_factor: f64,
    /// Intervals `[start_ms, end_ms)` of session time during which the location answers nothing.
    pub outages_ms: Vec<(f64, f64)>,
}

/// Parameters of the [`CdnNetwork`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CdnNetworkConfig {
    /// Round trip for traces that carry no latency, in ms.
    pub default_latency_ms: f64,
    /// Progress report interval, in ms.
    pub progress_ms: f64,
    /// Random variation of each request's latency, as a fraction (0.1 = ±10 %).
    pub latency_jitter: f64,
    /// Per-location conditions, by location index; missing ones are healthy.
    pub locations: Vec<LocationProfile>,
    /// Scripted faults (the format `flick serve --faults` plays); locations are named `a`, `b`,
    /// ... by index, and time counts from the session's start.
    pub faults: crate::faults::FaultScript,
}

impl Default for CdnNetworkConfig {
    fn default() -> Self {
        CdnNetworkConfig {
            default_latency_ms: 80.0,
            progress_ms: 100.0,
            latency_jitter: 0.1,
            locations: Vec::new(),
            faults: Default::default(),
        }
    }
}

#[derive(Clone)]
struct Flow {
    id: RequestId,
    location: usize,
    size_bits: f64,
    /// Body starts at this session time (ms); before it the request is in its round trip.
    body_from_ms: f64,
    started: bool,
    done_bits: f64,
    reported_bytes: u64,
    next_report_ms: f64,
    /// A scripted fault: fail with this instead of answering.
    fail_on_answer: Option<FetchError>,
    /// A scripted fault: never answer.
    silent: bool,
    /// A scripted fault: stop the body after this many bits ...
    cut_bits: Option<f64>,
    /// ... and then fail with this (or, without one, keep the connection open and send nothing).
    cut_error: Option<FetchError>,
    /// The body stopped at `cut_bits` and will never go on.
    stuck: bool,
    /// A scripted fault: the body never comes faster than this (kbit/s).
    max_kbps: Option<f64>,
}

impl Flow {
    /// Whether the flow can make no progress whatever the network does.
    fn dead(&self) -> bool {
        self.silent || self.stuck
    }
}

impl CdnNetworkConfig {
    /// Milliseconds from sending a request for each of `bits` (`order`: their indices, smallest
    /// first) at session time `at_ms` to its last byte, when it is alone on the link, into `out`:
    /// the round trip of the period it is sent in × the request's `latency_factor` (its jitter
    /// draw, [`CdnNetwork::latency_factors`]), then the body at the best location's share of the
    /// trace's bandwidth. Outages are not modelled.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn lone_requests_ms(
        &self,
        periods: &[TracePeriod],
        clock: &TraceClock,
        at_ms: f64,
        bits: &[f64],
        order: &[usize],
        latency_factor: f64,
        out: &mut [f64],
    ) {
        if periods.is_empty() {
            out.fill(f64::INFINITY);
            return;
        }
        let (index, _) = clock.locate(at_ms);
        let latency = periods[index].latency_ms.unwrap_or(self.default_latency_ms) * latency_factor;
        clock.transfers_ms(periods, at_ms + latency, bits, order, self.best_bandwidth_factor(), out);
        for o in out.iter_mut() {
            *o += latency;
        }
    }

    /// The largest share of the trace's bandwidth any location delivers (1 when none is listed).
    pub(crate) fn best_bandwidth_factor(&self) -> f64 {
        self.locations
            .iter()
            .map(|p| if p.bandwidth_factor > 0.0 { p.bandwidth_factor } else { 1.0 })
            .fold(None, |m: Option<f64>, f| Some(m.map_or(f, |m| m.max(f))))
            .unwrap_or(1.0)
    }
}

/// The link's evolving state: where the trace is and what is in flight.
#[derive(Clone)]
struct Link {
    index: usize,
    time_to_next: f64,
    clock_ms: f64,
    flows: Vec<Flow>,
    pending: VecDeque<(Duration, Input)>,
}

/// Flick's network model of a multi-location CDN.
///
/// The model runs ahead of the player only speculatively: [`NetworkModel::peek`] computes the next
/// event on a copy of the link, and a request started or cancelled before that event throws the
/// copy away and replays the link up to the moment of the change.
pub struct CdnNetwork {
    config: CdnNetworkConfig,
    periods: Vec<TracePeriod>,
    link: Link,
    speculation: Option<Link>,
    rng: u64,
    requests_per_location: Vec<u64>,
}

impl CdnNetwork {
    /// A network replaying `trace`, with randomness from `seed`.
    pub fn new(trace: &Trace, config: CdnNetworkConfig, seed: u64) -> Self {
        let periods = trace.periods.clone();
        CdnNetwork {
            link: Link {
                time_to_next: periods.first().map_or(0.0, |p| p.duration_ms),
                index: 0,
                clock_ms: 0.0,
                flows: Vec::new(),
                pending: VecDeque::new(),
            },
            speculation: None,
            periods,
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            requests_per_location: Vec::new(),
            config,
        }
    }

    /// The latency factors (`1 ± jitter`) the first `count` requests of a session with this
    /// seed get, in order: the draws [`NetworkModel::start`] makes.
    pub(crate) fn latency_factors(&mut self, count: usize) -> Vec<f64> {
        (0..count).map(|_| 1.0 + self.config.latency_jitter * (2.0 * self.random() - 1.0)).collect()
    }

    fn random(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Link {
    fn profile(&self, config: &CdnNetworkConfig, location: usize) -> (f64, bool) {
        match config.locations.get(location) {
            None => (1.0, false),
            Some(p) => {
                let factor = if p.bandwidth_factor > 0.0 { p.bandwidth_factor } else { 1.0 };
                let down = p.outages_ms.iter().any(|&(s, e)| self.clock_ms >= s && self.clock_ms < e);
                (factor, down)
            }
        }
    }

    /// Next outage boundary after now, so a flow frozen by an outage wakes when it ends.
    fn next_outage_edge(&self, config: &CdnNetworkConfig) -> Option<f64> {
        config
            .locations
            .iter()
            .flat_map(|p| p.outages_ms.iter().flat_map(|&(s, e)| [s, e]))
            .filter(|&t| t > self.clock_ms)
            .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.min(t))))
    }

    fn advance_trace(&mut self, periods: &[TracePeriod], mut ms: f64) {
        let loop_ms: f64 = periods.iter().map(|p| p.duration_ms).sum();
        if loop_ms > 0.0 && ms > self.time_to_next + 2.0 * loop_ms {
            // Skip whole loops of the trace at once.
            let skip = ((ms - self.time_to_next) / loop_ms).floor() - 1.0;
            ms -= skip * loop_ms;
        }
        let mut guard = 0;
        while ms >= self.time_to_next && guard < 10_000_000 {
            ms -= self.time_to_next;
            self.index = (self.index + 1) % periods.len();
            self.time_to_next = periods[self.index].duration_ms;
            guard += 1;
        }
        self.time_to_next -= ms;
    }

    /// Run until there is an event to report, nothing is in flight, or the clock reaches `limit`.
    fn run(&mut self, config: &CdnNetworkConfig, periods: &[TracePeriod], limit: f64) {
        let mut guard = 0;
        while self.pending.is_empty() && !self.flows.is_empty() && self.clock_ms < limit && guard < 1_000_000
        {
            guard += 1;
            let kbps = periods[self.index].kbps;
            // Rates: body flows of a healthy location share that location's capacity.
            let rates: Vec<f64> = self
                .flows
                .iter()
                .map(|f| {
                    let (factor, down) = self.profile(config, f.location);
                    if down || f.dead() || f.fail_on_answer.is_some() || self.clock_ms < f.body_from_ms {
                        return 0.0;
                    }
                    let sharing = self
                        .flows
                        .iter()
                        .filter(|g| g.location == f.location && !g.dead() && self.clock_ms >= g.body_from_ms)
                        .count()
                        .max(1) as f64;
                    (kbps * factor / sharing).min(f.max_kbps.unwrap_or(f64::INFINITY))
                })
                .collect();
            let frozen = self.flows.iter().all(|f| f.dead() || self.profile(config, f.location).1);
            if frozen && self.next_outage_edge(config).is_none() {
                // Every flow waits on a location that never comes back: nothing will happen.
                self.clock_ms = self.clock_ms.max(limit.min(f64::MAX));
                break;
            }
            let mut step = if frozen { f64::INFINITY } else { self.time_to_next };
            for (f, &rate) in self.flows.iter().zip(&rates) {
                let (_, down) = self.profile(config, f.location);
                if down || f.dead() {
                    continue;
                }
                if self.clock_ms < f.body_from_ms {
                    step = step.min(f.body_from_ms - self.clock_ms);
                } else {
                    step = step.min(f.next_report_ms - self.clock_ms);
                    if rate > 0.0 {
                        step = step.min((f.size_bits - f.done_bits) / rate);
                        if let Some(cut) = f.cut_bits {
                            step = step.min(((cut - f.done_bits) / rate).max(0.0));
                        }
                    }
                }
            }
            if let Some(edge) = self.next_outage_edge(config) {
                step = step.min(edge - self.clock_ms);
            }
            let step = step.max(0.0).min(limit - self.clock_ms);
            self.clock_ms += step;
            self.advance_trace(periods, step);
            let now = from_ms(self.clock_ms);
            let clock = self.clock_ms;
            let progress_ms = config.progress_ms;
            let down: Vec<bool> = self.flows.iter().map(|f| self.profile(config, f.location).1).collect();
            let mut finished = Vec::new();
            for (i, (f, &rate)) in self.flows.iter_mut().zip(&rates).enumerate() {
                if let Some(error) = f.fail_on_answer.clone().filter(|_| clock >= f.body_from_ms && !down[i])
                {
                    self.pending.push_back((now, Input::Failed { id: f.id, error }));
                    finished.push(i);
                    continue;
                }
                if f.dead() {
                    continue;
                }
                f.done_bits = (f.done_bits + rate * step).min(f.size_bits);
                if let Some(cut) = f.cut_bits.filter(|&cut| f.done_bits >= cut - 0.5) {
                    f.done_bits = cut;
                    let bytes = (cut / 8.0) as u64;
                    if !f.started {
                        f.started = true;
                        self.pending.push_back((
                            now,
                            Input::ResponseStarted {
                                id: f.id,
                                content_length: Some((f.size_bits / 8.0) as u64),
                            },
                        ));
                    }
                    if bytes > f.reported_bytes {
                        self.pending.push_back((
                            now,
                            Input::Data { id: f.id, chunk: Chunk::Counted(bytes - f.reported_bytes) },
                        ));
                        f.reported_bytes = bytes;
                    }
                    match f.cut_error.clone() {
                        Some(error) => {
                            self.pending.push_back((now, Input::Failed { id: f.id, error }));
                            finished.push(i);
                        }
                        None => f.stuck = true,
                    }
                    continue;
                }
                let complete = f.size_bits - f.done_bits < 0.5;
                if !f.started && ((clock >= f.body_from_ms && !down[i]) || complete) {
                    f.started = true;
                    self.pending.push_back((
                        now,
                        Input::ResponseStarted { id: f.id, content_length: Some((f.size_bits / 8.0) as u64) },
                    ));
                }
                if complete || (f.started && clock >= f.next_report_ms) {
                    let bytes =
                        if complete { (f.size_bits / 8.0) as u64 } else { (f.done_bits / 8.0) as u64 };
                    if bytes > f.reported_bytes || complete {
                        self.pending.push_back((
                            now,
                            Input::Data { id: f.id, chunk: Chunk::Counted(bytes - f.reported_bytes) },
                        ));
                        f.reported_bytes = bytes;
                    }
                    f.next_report_ms = clock + progress_ms;
                }
                if complete {
                    self.pending.push_back((now, Input::Complete { id: f.id }));
                    finished.push(i);
                }
            }
            for i in finished.into_iter().rev() {
                self.flows.swap_remove(i);
            }
        }
    }
}

impl CdnNetwork {
    /// Bring the real link to `now_ms`, dropping any speculation.
    fn settle(&mut self, now_ms: f64) {
        self.speculation = None;
        self.link.run(&self.config, &self.periods, now_ms);
        if now_ms > self.link.clock_ms && self.link.flows.is_empty() {
            let idle = now_ms - self.link.clock_ms;
            self.link.advance_trace(&self.periods, idle);
            self.link.clock_ms = now_ms;
        }
    }
}

impl NetworkModel for CdnNetwork {
    fn start(&mut self, now: Duration, request: &FetchRequest, size: u64) {
        let now_ms = to_ms(now);
        self.settle(now_ms);
        let base = self.periods[self.link.index].latency_ms.unwrap_or(self.config.default_latency_ms);
        let jitter = 1.0 + self.config.latency_jitter * (2.0 * self.random() - 1.0);
        let mut latency = base * jitter;
        let location = request.location.unwrap_or(0);
        let resource = match request.kind {
            RequestKind::Manifest | RequestKind::Steering | RequestKind::Clock => ResourceKind::Manifest,
            RequestKind::Init | RequestKind::Index => ResourceKind::Init,
            RequestKind::Media => ResourceKind::Media,
        };
        if self.requests_per_location.len() <= location {
            self.requests_per_location.resize(location + 1, 0);
        }
        let before = self.requests_per_location[location];
        self.requests_per_location[location] += 1;
        let name = location_name(location);
        let fault = self.config.faults.active(&name, resource, now_ms / 1000.0, before);
        let bits = size as f64 * 8.0;
        let (mut fail_on_answer, mut silent, mut cut_bits, mut cut_error) = (None, false, None, None);
        let mut max_kbps = None;
        match fault {
            None => {}
            Some(FaultKind::Http(code)) => fail_on_answer = Some(FetchError::Http(code)),
            Some(FaultKind::Reset) => fail_on_answer = Some(FetchError::Reset),
            Some(FaultKind::NoAnswer) => silent = true,
            Some(FaultKind::StallMidBody) => cut_bits = Some((bits / 3.0).floor()),
            Some(FaultKind::Truncate) => {
                cut_bits = Some((bits / 2.0).floor());
                cut_error = Some(FetchError::Truncated);
            }
            Some(FaultKind::SlowFirstByte(ms)) => latency += ms as f64,
            Some(FaultKind::Trickle(bytes_per_s)) => max_kbps = Some(bytes_per_s as f64 * 8.0 / 1000.0),
        }

        self.link.flows.push(Flow {
            id: request.id,
            location: request.location.unwrap_or(0),
            size_bits: size as f64 * 8.0,
            body_from_ms: now_ms + latency,
            started: false,
            done_bits: 0.0,
            reported_bytes: 0,
            next_report_ms: now_ms + latency + self.config.progress_ms,
            fail_on_answer,
            silent,
            cut_bits,
            cut_error,
            stuck: false,
            max_kbps,
        });
    }

    fn cancel(&mut self, now: Duration, id: RequestId) {
        self.settle(to_ms(now));
        self.link.flows.retain(|f| f.id != id);
        self.link.pending.retain(|(_, e)| e.request() != Some(id) || matches!(e, Input::Failed { .. }));
    }

    fn peek(&mut self) -> Option<Duration> {
        if let Some(t) = self.link.pending.front().map(|(t, _)| *t) {
            return Some(t);
        }
        if self.speculation.is_none() {
            let mut ahead = self.link.clone();
            ahead.run(&self.config, &self.periods, f64::INFINITY);
            self.speculation = Some(ahead);
        }
        self.speculation.as_ref().and_then(|l| l.pending.front().map(|(t, _)| *t))
    }

    fn pop(&mut self) -> Option<(Duration, Input)> {
        if self.link.pending.is_empty() {
            self.peek()?;
            if let Some(ahead) = self.speculation.take() {
                self.link = ahead;
            }
        }
        self.link.pending.pop_front()
    }
}

/// The name the simulator gives location `index`: `a`, `b`, ... (as `flick serve` names its servers).
pub fn location_name(index: usize) -> String {
    if index < 26 { char::from(b'a' + index as u8).to_string() } else { format!("l{index}") }
}
