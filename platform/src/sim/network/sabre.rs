//! Sabre's network model (`NetworkModel` in `sabre.py`): each request first spends the period's
//! latency, then the body moves at the period's bandwidth; idle time advances the trace. Progress
//! is reported every 50 ms and at least 12 000 bits, the points where Sabre checks abandonment.

use super::cursor::TraceClock;
use super::{NetworkModel, from_ms, to_ms};
use crate::sim::trace::{Trace, TracePeriod};
use flick_player::{Chunk, Input};
use flick_player::{FetchRequest, RequestId};
use std::collections::VecDeque;
use std::time::Duration;

const MIN_PROGRESS_BITS: f64 = 12_000.0;
const MIN_PROGRESS_MS: f64 = 50.0;
/// Latency used for traces that carry none.
const DEFAULT_LATENCY_MS: f64 = 0.0;

struct Download {
    id: RequestId,
    size_bits: f64,
    done_bits: f64,
    reported_bytes: u64,
    first_step: bool,
    latency_ms: f64,
}

/// The Sabre network model.
pub struct SabreNetwork {
    periods: Vec<TracePeriod>,
    index: usize,
    time_to_next: f64,
    /// Session time (ms) of the trace cursor.
    clock_ms: f64,
    queue: VecDeque<(RequestId, u64)>,
    active: Option<Download>,
    pending: VecDeque<(Duration, Input)>,
}

impl SabreNetwork {
    /// A network replaying `trace` from its start.
    pub fn new(trace: &Trace) -> Self {
        let periods = trace.periods.clone();
        let time_to_next = periods.first().map_or(0.0, |p| p.duration_ms);
        SabreNetwork {
            periods,
            index: 0,
            time_to_next,
            clock_ms: 0.0,
            queue: VecDeque::new(),
            active: None,
            pending: VecDeque::new(),
        }
    }

    fn period(&self) -> TracePeriod {
        self.periods[self.index]
    }

    fn latency(&self) -> f64 {
        self.period().latency_ms.unwrap_or(DEFAULT_LATENCY_MS)
    }

    fn next_period(&mut self) {
        self.index = (self.index + 1) % self.periods.len();
        self.time_to_next = self.periods[self.index].duration_ms;
    }

    /// `NetworkModel.delay`.
    fn delay(&mut self, mut time: f64) {
        let mut guard = 0;
        while time > self.time_to_next && guard < 10_000_000 {
            time -= self.time_to_next;
            self.clock_ms += self.time_to_next;
            self.next_period();
            guard += 1;
        }
        self.time_to_next -= time;
        self.clock_ms += time;
    }

    /// `NetworkModel.do_latency_delay(1)`.
    fn latency_delay(&mut self) -> f64 {
        let mut units = 1.0;
        let mut total = 0.0;
        let mut guard = 0;
        while units > 0.0 && guard < 10_000_000 {
            let latency = self.latency();
            let time = units * latency;
            if time <= self.time_to_next {
                total += time;
                self.clock_ms += time;
                self.time_to_next -= time;
                units = 0.0;
            } else {
                total += self.time_to_next;
                self.clock_ms += self.time_to_next;
                units -= self.time_to_next / latency;
                self.next_period();
            }
            guard += 1;
        }
        total
    }

    /// `NetworkModel.do_minimal_download`: (bits, ms).
    fn minimal_download(&mut self, mut size: f64, mut min_size: f64, mut min_time: f64) -> (f64, f64) {
        let mut total_size = 0.0;
        let mut total_time = 0.0;
        let mut guard = 0;
        while size > 0.0 && (min_size > 0.0 || min_time > 0.0) && guard < 10_000_000 {
            guard += 1;
            let bandwidth = self.period().kbps;
            let (bits, time);
            if bandwidth > 0.0 {
                let min_bits = min_size.max(min_time * bandwidth);
                let bits_to_next = self.time_to_next * bandwidth;
                if size <= min_bits && size <= bits_to_next {
                    bits = size;
                    time = bits / bandwidth;
                    self.time_to_next -= time;
                    self.clock_ms += time;
                } else if min_bits <= bits_to_next {
                    bits = min_bits;
                    time = bits / bandwidth;
                    min_size = 0.0;
                    min_time = 0.0;
                    self.time_to_next -= time;
                    self.clock_ms += time;
                } else {
                    bits = bits_to_next;
                    time = self.time_to_next;
                    self.clock_ms += time;
                    self.next_period();
                }
            } else {
                bits = 0.0;
                if min_size > 0.0 || min_time > self.time_to_next {
                    time = self.time_to_next;
                    self.clock_ms += time;
                    self.next_period();
                } else {
                    time = min_time;
                    self.time_to_next -= time;
                    self.clock_ms += time;
                }
            }
            total_size += bits;
            total_time += time;
            size -= bits;
            min_size -= bits;
            min_time -= time;
        }
        (total_size, total_time)
    }

    /// Milliseconds from sending a request for each of `sizes` bytes (`order`: their indices,
    /// smallest first) at session time `at_ms` to its last byte, into `out`: the model's latency
    /// loop, then the body at each period's bandwidth, walked once for all of them. Infinite if
    /// the trace never delivers. Moves this network's trace cursor: for the offline optimum, which
    /// keeps a network of its own; `clock` must be the clock of this network's trace.
    pub(crate) fn transfers_ms_at(
        &mut self,
        clock: &TraceClock,
        at_ms: f64,
        sizes: &[u64],
        order: &[usize],
        out: &mut [f64],
    ) {
        let (index, into) = clock.locate(at_ms);
        self.index = index;
        self.time_to_next = self.periods[index].duration_ms - into;
        self.clock_ms = at_ms;
        let latency = self.latency_delay();
        if self.periods.iter().all(|p| p.kbps <= 0.0) {
            out.fill(f64::INFINITY);
            return;
        }
        let mut next = order.iter().peekable();
        let mut elapsed = latency;
        let mut done = 0.0;
        while let Some(&&i) = next.peek() {
            let bandwidth = self.period().kbps;
            let bits_to_next = self.time_to_next * bandwidth;
            let left = sizes[i] as f64 * 8.0 - done;
            if bandwidth > 0.0 && left <= bits_to_next {
                out[i] = elapsed + left / bandwidth;
                next.next();
                continue;
            }
            done += bits_to_next.max(0.0);
            elapsed += self.time_to_next;
            self.next_period();
        }
    }

    fn begin(&mut self, id: RequestId, size: u64, now_ms: f64) {
        if now_ms > self.clock_ms {
            self.delay(now_ms - self.clock_ms);
        }
        let latency_ms = self.latency_delay();
        self.pending
            .push_back((from_ms(self.clock_ms), Input::ResponseStarted { id, content_length: Some(size) }));
        self.active = Some(Download {
            id,
            size_bits: size as f64 * 8.0,
            done_bits: 0.0,
            reported_bytes: 0,
            first_step: true,
            latency_ms,
        });
    }

    /// Compute the next progress step of the active download.
    fn step(&mut self) {
        let Some(mut d) = self.active.take() else {
            if let Some((id, size)) = self.queue.pop_front() {
                let now = self.clock_ms;
                self.begin(id, size, now);
            }
            return;
        };
        let min_time = if d.first_step { MIN_PROGRESS_MS - d.latency_ms } else { MIN_PROGRESS_MS };
        d.first_step = false;
        let (bits, _) = self.minimal_download(d.size_bits - d.done_bits, MIN_PROGRESS_BITS, min_time);
        d.done_bits += bits;
        let now = from_ms(self.clock_ms);
        let complete = d.done_bits >= d.size_bits;
        let bytes = if complete { (d.size_bits / 8.0) as u64 } else { (d.done_bits / 8.0) as u64 };
        self.pending
            .push_back((now, Input::Data { id: d.id, chunk: Chunk::Counted(bytes - d.reported_bytes) }));
        d.reported_bytes = bytes;
        if complete {
            self.pending.push_back((now, Input::Complete { id: d.id }));
        } else {
            self.active = Some(d);
        }
    }
}

impl NetworkModel for SabreNetwork {
    fn start(&mut self, now: Duration, request: &FetchRequest, size: u64) {
        if self.active.is_none() && self.pending.is_empty() && self.queue.is_empty() {
            self.begin(request.id, size, to_ms(now));
        } else {
            self.queue.push_back((request.id, size));
        }
    }

    fn cancel(&mut self, _now: Duration, id: RequestId) {
        self.queue.retain(|(q, _)| *q != id);
        if self.active.as_ref().is_some_and(|d| d.id == id) {
            self.active = None;
        }
        self.pending.retain(|(_, e)| e.request() != Some(id) || matches!(e, Input::Failed { .. }));
    }

    fn peek(&mut self) -> Option<Duration> {
        if self.pending.is_empty() && (self.active.is_some() || !self.queue.is_empty()) {
            self.step();
        }
        self.pending.front().map(|(t, _)| *t)
    }

    fn pop(&mut self) -> Option<(Duration, Input)> {
        self.peek()?;
        self.pending.pop_front()
    }
}
