//! Bandwidth shaping: one emulated link per location, shared by all its connections.
//!
//! The link sends one chunk at a time, first come first served: a chunk of `n` bytes asked for at
//! time `t` starts when the link is free (at `t`, or when the chunks reserved before it end) and
//! takes as long as `8n` bits take at the link's rate, which may change on the way (trace periods,
//! looped). Two downloads interleave their chunks and so share the rate. The sender waits until
//! its chunk's end before handing it on, so a client sees bytes arrive at the link's pace. The
//! link's clock starts at the location's first request.

use flick_platform::sim::Trace;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Chunks are about this long on the link, so clients see steady progress.
const CHUNK_TIME: Duration = Duration::from_millis(50);
/// Smallest chunk, in bytes.
const MIN_CHUNK: usize = 1024;
/// Largest chunk, in bytes (also the chunk when the link is unlimited).
const MAX_CHUNK: usize = 16 * 1024;

/// The rate of a link over time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Rate {
    /// No limit.
    Unlimited,
    /// A constant rate.
    Constant {
        /// Rate in kbit/s (bits per millisecond).
        kbps: f64,
    },
    /// Periods of constant rate, played in a loop.
    Looped {
        /// `(duration in ms, kbit/s)`, periods of zero duration left out.
        periods: Vec<(f64, f64)>,
    },
}

impl Rate {
    /// A trace's periods as a looped rate.
    pub(crate) fn from_trace(trace: &Trace) -> Rate {
        Rate::Looped {
            periods: trace
                .periods
                .iter()
                .filter(|p| p.duration_ms > 0.0)
                .map(|p| (p.duration_ms, p.kbps.max(0.0)))
                .collect(),
        }
    }

    /// The rate in kbit/s at `t_ms` after the link's start; `None` when unlimited.
    fn at(&self, t_ms: f64) -> Option<f64> {
        match self {
            Rate::Unlimited => None,
            Rate::Constant { kbps } => Some(*kbps),
            Rate::Looped { periods } => {
                let (index, _) = locate(periods, t_ms);
                Some(periods[index].1)
            }
        }
    }

    /// When `bits` starting at `start_ms` have been sent: `Some(ms)`, or `None` if never (a link
    /// whose rate is zero throughout).
    fn finish(&self, start_ms: f64, bits: f64) -> Option<f64> {
        match self {
            Rate::Unlimited => Some(start_ms),
            Rate::Constant { kbps } if *kbps > 0.0 => Some(start_ms + bits / kbps),
            Rate::Constant { .. } => None,
            Rate::Looped { periods } => {
                let loop_bits: f64 = periods.iter().map(|(duration, kbps)| duration * kbps).sum();
                if loop_bits <= 0.0 {
                    return None;
                }
                let loop_ms: f64 = periods.iter().map(|(duration, _)| duration).sum();
                let (mut index, mut offset) = locate(periods, start_ms);
                let mut t = start_ms;
                let mut left = bits;
                let mut walked = 0;
                loop {
                    let (duration, kbps) = periods[index];
                    let span = duration - offset;
                    if kbps * span >= left {
                        return Some(t + left / kbps);
                    }
                    left -= kbps * span;
                    t += span;
                    offset = 0.0;
                    index = (index + 1) % periods.len();
                    walked += 1;
                    if walked == periods.len() && left > loop_bits {
                        // Skip whole loops at once, leaving some bits for the last one.
                        let loops = ((left / loop_bits).ceil() - 1.0).max(0.0);
                        left -= loops * loop_bits;
                        t += loops * loop_ms;
                    }
                }
            }
        }
    }
}

/// The period holding `t_ms` (looping) and how far into it `t_ms` is.
fn locate(periods: &[(f64, f64)], t_ms: f64) -> (usize, f64) {
    let loop_ms: f64 = periods.iter().map(|(duration, _)| duration).sum();
    let mut t = if loop_ms > 0.0 { t_ms.rem_euclid(loop_ms) } else { 0.0 };
    for (index, (duration, _)) in periods.iter().enumerate() {
        if t < *duration {
            return (index, t);
        }
        t -= duration;
    }
    (periods.len() - 1, 0.0)
}

/// One location's link.
#[derive(Debug)]
pub(crate) struct Link {
    rate: Rate,
    state: Mutex<LinkState>,
}

#[derive(Debug, Default)]
struct LinkState {
    /// The link's start: the location's first request.
    origin: Option<Instant>,
    /// When (ms after `origin`) the chunks reserved so far are all sent.
    free_at_ms: f64,
}

impl Link {
    /// A link of this rate, not started.
    pub(crate) fn new(rate: Rate) -> Link {
        Link { rate, state: Mutex::new(LinkState::default()) }
    }

    /// Start the link's clock (at the location's first request); later calls do nothing.
    pub(crate) fn start(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.origin.get_or_insert_with(Instant::now);
    }

    /// How many bytes to send next: about [`CHUNK_TIME`] at the current rate.
    pub(crate) fn chunk_size(&self) -> usize {
        let origin = self.state.lock().unwrap_or_else(|e| e.into_inner()).origin;
        let now_ms = origin.map_or(0.0, |o| o.elapsed().as_secs_f64() * 1000.0);
        match self.rate.at(now_ms) {
            None => MAX_CHUNK,
            Some(kbps) => {
                let bytes = kbps * CHUNK_TIME.as_secs_f64() * 1000.0 / 8.0;
                (bytes as usize).clamp(MIN_CHUNK, MAX_CHUNK)
            }
        }
    }

    /// Reserve the link for `bytes` and wait until they are sent (forever on a dead link).
    pub(crate) async fn send(&self, bytes: usize) {
        if self.rate == Rate::Unlimited {
            return;
        }
        let deadline = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let origin = *state.origin.get_or_insert_with(Instant::now);
            let now_ms = origin.elapsed().as_secs_f64() * 1000.0;
            let start_ms = now_ms.max(state.free_at_ms);
            match self.rate.finish(start_ms, bytes as f64 * 8.0) {
                Some(end_ms) => {
                    state.free_at_ms = end_ms;
                    Some(origin + Duration::from_secs_f64(end_ms / 1000.0))
                }
                None => None,
            }
        };
        match deadline {
            Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_rate_is_bits_over_kbps() {
        let rate = Rate::Constant { kbps: 800.0 };
        assert_eq!(rate.finish(10.0, 8000.0), Some(20.0));
        assert_eq!(Rate::Unlimited.finish(5.0, 1e9), Some(5.0));
        assert_eq!(Rate::Constant { kbps: 0.0 }.finish(0.0, 1.0), None);
    }

    #[test]
    fn looped_rates_integrate_across_periods_and_loops() {
        // 1 s at 1000 kbit/s, then 1 s silent: 1000 kbit per 2 s loop.
        let rate = Rate::Looped { periods: vec![(1000.0, 1000.0), (1000.0, 0.0)] };
        assert_eq!(rate.at(500.0), Some(1000.0));
        assert_eq!(rate.at(1500.0), Some(0.0));
        assert_eq!(rate.at(2500.0), Some(1000.0));
        assert_eq!(rate.finish(0.0, 500_000.0), Some(500.0));
        // Half a period's worth left, then the silence, then the rest.
        assert_eq!(rate.finish(500.0, 1_000_000.0), Some(2500.0));
        // Starting in the silence waits for the next loop.
        assert_eq!(rate.finish(1200.0, 100_000.0), Some(2100.0));
        // Many loops at once: 10 000 kbit = 10 loops (the last one ends on its first period).
        assert_eq!(rate.finish(0.0, 10_000_000.0), Some(19_000.0));
        let dead = Rate::Looped { periods: vec![(1000.0, 0.0)] };
        assert_eq!(dead.finish(0.0, 1.0), None);
    }

    #[test]
    fn chunks_last_about_fifty_milliseconds() {
        assert_eq!(Link::new(Rate::Constant { kbps: 800.0 }).chunk_size(), 5000);
        assert_eq!(Link::new(Rate::Constant { kbps: 10.0 }).chunk_size(), MIN_CHUNK);
        assert_eq!(Link::new(Rate::Unlimited).chunk_size(), MAX_CHUNK);
    }

    #[tokio::test]
    async fn concurrent_senders_share_the_link() {
        let link = std::sync::Arc::new(Link::new(Rate::Constant { kbps: 8000.0 }));
        let started = Instant::now();
        let one = |link: std::sync::Arc<Link>| async move {
            for _ in 0..10 {
                link.send(5000).await;
            }
        };
        tokio::join!(one(link.clone()), one(link.clone()));
        // 100 000 bytes at 1 MB/s: 100 ms, not 50.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(95), "{elapsed:?}");
    }
}
