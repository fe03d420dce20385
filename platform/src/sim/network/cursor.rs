//! Random access into a looping trace: where the trace is at a given time, found by binary search
//! rather than by walking from the start. The offline optimum ([`crate::sim::optimal`]) uses it to
//! put the network models' own trace-walking code at any position cheaply.

use crate::sim::trace::TracePeriod;

/// Cumulative period ends of a trace, for locating any time in it (the trace loops).
#[derive(Clone, Debug)]
pub(crate) struct TraceClock {
    /// `ends_ms[i]`: trace time at which period `i` ends.
    ends_ms: Vec<f64>,
    /// Length of one loop.
    loop_ms: f64,
    /// `bits_before[i]`: bits the trace delivers before period `i` starts (one more entry: a loop).
    bits_before: Vec<f64>,
}

impl TraceClock {
    /// The clock of `periods`.
    pub(crate) fn new(periods: &[TracePeriod]) -> Self {
        let mut total = 0.0;
        let ends_ms = periods
            .iter()
            .map(|p| {
                total += p.duration_ms.max(0.0);
                total
            })
            .collect();
        let mut bits = 0.0;
        let mut bits_before = vec![0.0];
        for p in periods {
            bits += p.kbps.max(0.0) * p.duration_ms.max(0.0);
            bits_before.push(bits);
        }
        TraceClock { ends_ms, loop_ms: total, bits_before }
    }

    /// `(period index, ms already spent in it)` at trace time `ms` (looping). A time exactly at a
    /// period's end belongs to the next period, as the models' walking loops have it.
    pub(crate) fn locate(&self, ms: f64) -> (usize, f64) {
        if self.ends_ms.is_empty() || self.loop_ms <= 0.0 {
            return (0, 0.0);
        }
        let mut t = ms.max(0.0);
        if t >= self.loop_ms {
            t -= (t / self.loop_ms).floor() * self.loop_ms;
            if t >= self.loop_ms || t < 0.0 {
                t = 0.0;
            }
        }
        let index = self.ends_ms.partition_point(|&end| end <= t).min(self.ends_ms.len() - 1);
        let start = if index == 0 { 0.0 } else { self.ends_ms[index - 1] };
        (index, (t - start).max(0.0))
    }

    /// Bits the trace delivers at `factor` × its bandwidth between trace times `from_ms` and
    /// `to_ms` (both ≥ 0, looping).
    pub(crate) fn bits_between(&self, periods: &[TracePeriod], from_ms: f64, to_ms: f64, factor: f64) -> f64 {
        if to_ms <= from_ms {
            return 0.0;
        }
        (self.cumulative_bits(periods, to_ms) - self.cumulative_bits(periods, from_ms)) * factor
    }

    /// Bits delivered from trace time 0 to `ms` at the trace's bandwidth.
    fn cumulative_bits(&self, periods: &[TracePeriod], ms: f64) -> f64 {
        if self.loop_ms <= 0.0 || periods.is_empty() {
            return 0.0;
        }
        let loop_bits = self.bits_before[self.bits_before.len() - 1];
        let loops = (ms.max(0.0) / self.loop_ms).floor();
        let (index, into) = self.locate(ms);
        loops * loop_bits + self.bits_before[index] + periods[index].kbps.max(0.0) * into
    }

    /// Milliseconds a fluid transfer of each of `bits` (`order`: their indices, smallest first)
    /// takes when it starts at trace time `start_ms` and moves at `factor` × each period's
    /// bandwidth (the Flick model's single flow: a body alone on the link), into `out`. Infinite
    /// when the trace carries no bandwidth at all.
    pub(crate) fn transfers_ms(
        &self,
        periods: &[TracePeriod],
        start_ms: f64,
        bits: &[f64],
        order: &[usize],
        factor: f64,
        out: &mut [f64],
    ) {
        let loop_bits = self.bits_before[self.bits_before.len() - 1] * factor;
        if loop_bits <= 0.0 || periods.is_empty() {
            out.fill(f64::INFINITY);
            return;
        }
        let (mut index, into) = self.locate(start_ms);
        let mut left = periods[index].duration_ms.max(0.0) - into;
        let mut done = 0.0;
        let mut elapsed = 0.0;
        let mut next = order.iter().peekable();
        while let Some(&&i) = next.peek() {
            let mut remaining = bits[i] - done;
            if remaining <= 0.0 {
                out[i] = elapsed;
                next.next();
                continue;
            }
            // Skip whole loops at once.
            if remaining > 2.0 * loop_bits {
                let loops = (remaining / loop_bits).floor() - 1.0;
                done += loops * loop_bits;
                elapsed += loops * self.loop_ms;
                remaining -= loops * loop_bits;
            }
            let rate = periods[index].kbps.max(0.0) * factor;
            if rate > 0.0 && remaining <= rate * left {
                out[i] = elapsed + remaining / rate;
                next.next();
                continue;
            }
            done += rate * left;
            elapsed += left;
            index = (index + 1) % periods.len();
            left = periods[index].duration_ms.max(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn periods(spec: &[(f64, f64)]) -> Vec<TracePeriod> {
        spec.iter().map(|&(duration_ms, kbps)| TracePeriod { duration_ms, kbps, latency_ms: None }).collect()
    }

    #[test]
    fn locates_times_in_a_looping_trace() {
        let clock = TraceClock::new(&periods(&[(500.0, 1.0), (1500.0, 2.0)]));
        assert_eq!(clock.locate(0.0), (0, 0.0));
        assert_eq!(clock.locate(499.0), (0, 499.0));
        assert_eq!(clock.locate(500.0), (1, 0.0));
        assert_eq!(clock.locate(2100.0), (0, 100.0));
        assert_eq!(clock.locate(4600.0), (1, 100.0));
        let p = periods(&[(500.0, 1.0), (1500.0, 2.0)]);
        // One loop carries 500 + 3000 bits.
        assert_eq!(clock.bits_between(&p, 0.0, 2000.0, 1.0), 3500.0);
        assert_eq!(clock.bits_between(&p, 250.0, 4500.0, 1.0), 250.0 + 3000.0 + 3500.0 + 500.0);
        assert_eq!(clock.bits_between(&p, 100.0, 100.0, 1.0), 0.0);
    }

    fn transfer(clock: &TraceClock, p: &[TracePeriod], start: f64, bits: f64) -> f64 {
        let mut out = [0.0];
        clock.transfers_ms(p, start, &[bits], &[0], 1.0, &mut out);
        out[0]
    }

    #[test]
    fn fluid_transfer_spans_periods_and_loops() {
        let p = periods(&[(1000.0, 1000.0), (1000.0, 0.0)]);
        let clock = TraceClock::new(&p);
        // 1.5 Mbit from 0: 1 Mbit in the first second, nothing in the second, 0.5 Mbit after.
        assert!((transfer(&clock, &p, 0.0, 1.5e6) - 2500.0).abs() < 1e-9);
        // Starting in the dead second waits for the link to come back.
        assert!((transfer(&clock, &p, 1500.0, 1e5) - 600.0).abs() < 1e-9);
        // Many loops at once.
        assert!((transfer(&clock, &p, 0.0, 100.5e6) - 200_500.0).abs() < 1e-6);
        let dead = periods(&[(1000.0, 0.0)]);
        assert!(transfer(&TraceClock::new(&dead), &dead, 0.0, 1.0).is_infinite());
        // Several sizes in one walk, given smallest first.
        let mut out = [0.0; 3];
        clock.transfers_ms(&p, 0.0, &[1.5e6, 0.5e6, 100.5e6], &[1, 0, 2], 1.0, &mut out);
        assert!((out[0] - 2500.0).abs() < 1e-9 && (out[1] - 500.0).abs() < 1e-9, "{out:?}");
        assert!((out[2] - 200_500.0).abs() < 1e-6, "{out:?}");
    }
}
