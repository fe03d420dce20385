//! Pensieve's test-simulator network (`test/fixed_env.py`): one request at a time, the payload
//! moving at 0.95 × the trace's bandwidth, 80 ms of round trip added to each request without
//! advancing the trace, and idle time (the player's sleeps) advancing it.

use super::{NetworkModel, from_ms, to_ms};
use crate::sim::trace::Trace;
use flick_player::{Chunk, Input};
use flick_player::{FetchRequest, RequestId};
use std::collections::VecDeque;
use std::time::Duration;

const RTT_MS: f64 = 80.0;
const PAYLOAD_FACTOR: f64 = 0.95;

/// The Pensieve network model.
pub struct PensieveNetwork {
    /// Trace timestamps in seconds (`times[0] == 0`) and the bandwidth (Mbit/s) ending at each.
    times: Vec<f64>,
    mbps: Vec<f64>,
    ptr: usize,
    last: f64,
    /// Session time (ms) the trace cursor corresponds to.
    synced_ms: f64,
    queue: VecDeque<(RequestId, u64)>,
    events: VecDeque<(Duration, Input)>,
    busy_until_ms: f64,
}

impl PensieveNetwork {
    /// Round trip added to every request, in ms; it does not advance the trace.
    pub const REQUEST_RTT_MS: f64 = RTT_MS;
    /// Share of the trace's bandwidth the payload gets.
    pub const PAYLOAD_SHARE: f64 = PAYLOAD_FACTOR;

    /// A network replaying `trace` from its start.
    pub fn new(trace: &Trace) -> Self {
        let mut times = vec![0.0];
        let mut mbps = vec![0.0];
        for p in &trace.periods {
            times.push(times[times.len() - 1] + p.duration_ms / 1000.0);
            mbps.push(p.kbps / 1000.0);
        }
        PensieveNetwork {
            times,
            mbps,
            ptr: 1,
            last: 0.0,
            synced_ms: 0.0,
            queue: VecDeque::new(),
            events: VecDeque::new(),
            busy_until_ms: 0.0,
        }
    }

    fn wrap(&mut self) {
        if self.ptr >= self.mbps.len() {
            self.ptr = 1;
            self.last = 0.0;
        }
    }

    /// Let the trace run idle for `ms` (the reference's sleep loop).
    fn idle(&mut self, ms: f64) {
        let mut rem = ms;
        if rem <= 0.0 {
            return;
        }
        loop {
            let dur = self.times[self.ptr] - self.last;
            if dur > rem / 1000.0 {
                self.last += rem / 1000.0;
                break;
            }
            rem -= dur * 1000.0;
            self.last = self.times[self.ptr];
            self.ptr += 1;
            self.wrap();
        }
    }

    /// Seconds to move `size` bytes (the reference's download loop).
    fn download(&mut self, size: u64) -> f64 {
        let size = size as f64;
        let mut delay = 0.0;
        let mut sent = 0.0;
        let mut guard = 0usize;
        loop {
            let thr = self.mbps[self.ptr] * 1e6 / 8.0;
            let dur = self.times[self.ptr] - self.last;
            let pay = thr * dur * PAYLOAD_FACTOR;
            if sent + pay > size {
                let frac = (size - sent) / thr / PAYLOAD_FACTOR;
                delay += frac;
                self.last += frac;
                break;
            }
            sent += pay;
            delay += dur;
            self.last = self.times[self.ptr];
            self.ptr += 1;
            self.wrap();
            guard += 1;
            if guard > 100_000_000 {
                break; // a trace with no bandwidth at all never delivers
            }
        }
        delay
    }

    /// Seconds to move each of `sizes` bytes (`order`: their indices, smallest first) when the
    /// transfer starts at trace time `trace_s` (seconds from the trace's start; the trace loops),
    /// into `out`: the reference's download loop, walked once for all of them (each result is
    /// what [`PensieveNetwork`] computes for that size alone, to the last bit). Infinite if the
    /// trace never delivers. Moves this network's trace cursor: for the offline optimum, which
    /// keeps a network of its own.
    pub fn transfers_s_at(&mut self, trace_s: f64, sizes: &[u64], order: &[usize], out: &mut [f64]) {
        let total = self.times[self.times.len() - 1];
        let mut t = trace_s.max(0.0);
        if total > 0.0 && t >= total {
            t -= (t / total).floor() * total;
            if !(0.0..total).contains(&t) {
                t = 0.0;
            }
        }
        let ptr = self.times.partition_point(|&x| x <= t).max(1);
        if ptr >= self.times.len() {
            self.ptr = 1;
            self.last = 0.0;
        } else {
            self.ptr = ptr;
            self.last = t;
        }
        let mut next = order.iter().peekable();
        let mut delay = 0.0;
        let mut sent = 0.0;
        let mut guard = 0usize;
        while let Some(&&i) = next.peek() {
            let thr = self.mbps[self.ptr] * 1e6 / 8.0;
            let dur = self.times[self.ptr] - self.last;
            let pay = thr * dur * PAYLOAD_FACTOR;
            let size = sizes[i] as f64;
            if sent + pay > size {
                out[i] = delay + (size - sent) / thr / PAYLOAD_FACTOR;
                next.next();
                continue;
            }
            sent += pay;
            delay += dur;
            self.last = self.times[self.ptr];
            self.ptr += 1;
            self.wrap();
            guard += 1;
            if guard > 100_000_000 {
                for &i in next.by_ref() {
                    out[i] = f64::INFINITY;
                }
            }
        }
    }

    fn start_next(&mut self) {
        let Some((id, size)) = self.queue.pop_front() else { return };
        let start_ms = self.busy_until_ms;
        self.idle(start_ms - self.synced_ms);
        let download_ms = self.download(size) * 1000.0;
        let first_byte = start_ms + RTT_MS;
        let end = first_byte + download_ms;
        self.events
            .push_back((from_ms(first_byte), Input::ResponseStarted { id, content_length: Some(size) }));
        self.events.push_back((from_ms(end), Input::Data { id, chunk: Chunk::Counted(size) }));
        self.events.push_back((from_ms(end), Input::Complete { id }));
        self.synced_ms = end;
        self.busy_until_ms = end;
    }
}

impl NetworkModel for PensieveNetwork {
    fn start(&mut self, now: Duration, request: &FetchRequest, size: u64) {
        let idle = self.events.is_empty() && self.queue.is_empty();
        self.queue.push_back((request.id, size));
        if idle {
            self.busy_until_ms = self.busy_until_ms.max(to_ms(now));
            self.start_next();
        }
    }

    fn cancel(&mut self, _now: Duration, id: RequestId) {
        self.queue.retain(|(q, _)| *q != id);
        let before = self.events.len();
        self.events.retain(|(_, e)| e.request() != Some(id) || matches!(e, Input::Failed { .. }));
        if before != self.events.len() && self.events.is_empty() {
            self.start_next();
        }
    }

    fn peek(&mut self) -> Option<Duration> {
        self.events.front().map(|(t, _)| *t)
    }

    fn pop(&mut self) -> Option<(Duration, Input)> {
        let e = self.events.pop_front();
        if self.events.is_empty() {
            self.start_next();
        }
        e
    }
}
