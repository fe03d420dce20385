//! The pieces of throughput prediction and plan search that several algorithms share: a
//! fixed-capacity ring of recent values, the harmonic mean, RobustMPC's tracking of relative
//! prediction errors (and the predictor MPC and FastMPC build from them), the buffer and stall
//! step of an MPC plan, and a SplitMix64 generator.
//!
//! Nothing here allocates. The arithmetic is written once so that every algorithm rounds the same
//! way it always has: the order of additions and divisions is part of each function's contract,
//! because the reference figures the tests check depend on it to the last bit.

use crate::DownloadReport;

/// The last `N` values pushed, in a fixed array: pushing never allocates, and once `N` values are
/// held each push overwrites the oldest.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ring<T: Copy + Default, const N: usize> {
    values: [T; N],
    len: usize,
    next: usize,
}

impl<T: Copy + Default, const N: usize> Default for Ring<T, N> {
    fn default() -> Self {
        Ring { values: [T::default(); N], len: 0, next: 0 }
    }
}

impl<T: Copy + Default, const N: usize> Ring<T, N> {
    /// Keeps `value`, dropping the oldest value when the ring is full.
    pub(crate) fn push(&mut self, value: T) {
        self.values[self.next] = value;
        self.next = (self.next + 1) % N;
        self.len = (self.len + 1).min(N);
    }

    /// How many values are held (at most `N`).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was pushed yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The values held in storage order: oldest first until the ring wraps, then rotated. For
    /// uses where the order does not matter, or where it is part of the reference arithmetic
    /// (MPC sums its inverse throughputs in this order).
    pub(crate) fn slots(&self) -> &[T] {
        &self.values[..self.len]
    }

    /// The last `n` values (all of them if fewer are held), the most recent first.
    pub(crate) fn newest_first(&self, n: usize) -> impl Iterator<Item = T> + '_ {
        let n = n.min(self.len);
        (0..n).map(move |i| self.values[(self.next + N - 1 - i) % N])
    }

    /// The last `n` values (all of them if fewer are held), the oldest first.
    pub(crate) fn oldest_first(&self, n: usize) -> impl Iterator<Item = T> + '_ {
        let n = n.min(self.len);
        (0..n).map(move |i| self.values[(self.next + N - n + i) % N])
    }
}

/// How many values there are and the sum of their inverses, added in the order given.
pub(crate) fn inverse_sum(values: impl IntoIterator<Item = f64>) -> (usize, f64) {
    values.into_iter().fold((0, 0.0), |(count, sum), v| (count + 1, sum + 1.0 / v))
}

/// The harmonic mean `n / Σ 1/x` of `values` (inverses added in the order given), or `None` for
/// no values.
pub(crate) fn harmonic_mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (count, sum) = inverse_sum(values);
    (count > 0).then(|| count as f64 / sum)
}

/// The harmonic mean written as Pensieve's `mpc.py` writes it, `1 / ((Σ 1/x) / n)`: it rounds
/// twice, so it can differ from [`harmonic_mean`] in the last bit; MPC keeps it so that its
/// figures stay those of the reference.
pub(crate) fn pensieve_harmonic_mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (count, sum) = inverse_sum(values);
    (count > 0).then(|| 1.0 / (sum / count as f64))
}

/// Relative prediction errors as RobustMPC tracks them: each download's measured throughput is
/// compared with the prediction made after the download before it, `|predicted − measured| /
/// measured` (0 before the first prediction), and the last `N` errors are kept.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PredictionErrors<const N: usize> {
    errors: Ring<f64, N>,
    last_prediction: Option<f64>,
}

impl<const N: usize> PredictionErrors<N> {
    /// Records the error of the last prediction against a download measured at `measured`.
    pub(crate) fn observe(&mut self, measured: f64) {
        let error = self.last_prediction.map_or(0.0, |p| (p - measured).abs() / measured);
        self.errors.push(error);
    }

    /// Sets the prediction the next download will be compared with.
    pub(crate) fn predicted(&mut self, prediction: Option<f64>) {
        self.last_prediction = prediction;
    }

    /// The largest of the last `n` errors, 0 if there are none.
    pub(crate) fn worst(&self, n: usize) -> f64 {
        self.errors.newest_first(n).fold(0.0, f64::max)
    }

    /// The `quantile` (0 the smallest, 1 the largest, the nearest rank in between) of the last
    /// `n` errors, or `None` if there are none.
    pub(crate) fn quantile(&self, n: usize, quantile: f64) -> Option<f64> {
        let n = n.min(N).min(self.errors.len());
        if n == 0 {
            return None;
        }
        let mut sorted = [0.0; N];
        for (slot, e) in sorted.iter_mut().zip(self.errors.newest_first(n)) {
            *slot = e;
        }
        let sorted = &mut sorted[..n];
        sorted.sort_by(f64::total_cmp);
        let index = ((n - 1) as f64 * quantile.clamp(0.0, 1.0)).round() as usize;
        Some(sorted[index])
    }

    /// RobustMPC's discount: `prediction / (1 + the largest error held)`.
    pub(crate) fn robust(&self, prediction: f64) -> f64 {
        prediction / (1.0 + self.worst(N))
    }
}

/// Downloads and errors MPC's predictor remembers.
pub(crate) const MPC_HISTORY: usize = 5;

/// How [`MpcPredictor`] rounds its harmonic mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rounding {
    /// [`harmonic_mean`].
    Once,
    /// [`pensieve_harmonic_mean`], as Pensieve's `mpc.py`.
    Pensieve,
}

/// The throughput predictor of MPC, RobustMPC and FastMPC (Pensieve's `mpc.py`): the harmonic
/// mean of the last five download rates (bytes over the whole request time, in megabytes per
/// second), which RobustMPC divides by one plus the largest of the last five relative errors.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MpcPredictor {
    throughputs: Ring<f64, MPC_HISTORY>,
    errors: PredictionErrors<MPC_HISTORY>,
    rounding: Rounding,
}

impl MpcPredictor {
    /// A predictor that has seen no download.
    pub(crate) fn new(rounding: Rounding) -> Self {
        MpcPredictor { throughputs: Ring::default(), errors: PredictionErrors::default(), rounding }
    }

    /// The harmonic mean of the rates held (in storage order), in megabytes per second.
    fn harmonic(&self) -> Option<f64> {
        let rates = self.throughputs.slots().iter().copied();
        match self.rounding {
            Rounding::Once => harmonic_mean(rates),
            Rounding::Pensieve => pensieve_harmonic_mean(rates),
        }
    }

    /// The prediction for the next downloads, in megabytes per second: discounted by the recent
    /// worst error when `robust`. `None` before the first download.
    pub(crate) fn prediction(&self, robust: bool) -> Option<f64> {
        let harmonic = self.harmonic()?;
        Some(if robust { self.errors.robust(harmonic) } else { harmonic })
    }

    /// Learns from a completed download (abandoned and empty ones teach nothing).
    pub(crate) fn on_download(&mut self, report: &DownloadReport) {
        if report.abandoned_to.is_some() {
            return;
        }
        let ms = report.elapsed.as_secs_f64() * 1000.0;
        if ms <= 0.0 || report.received.get() == 0 {
            return;
        }
        let measured = report.received.get() as f64 / ms / 1000.0;
        self.errors.observe(measured);
        self.throughputs.push(measured);
        self.errors.predicted(self.harmonic());
    }

    /// Forgets the throughputs of the last session; the errors (and the last prediction) stay,
    /// as in Pensieve's reference.
    pub(crate) fn new_session(&mut self) {
        self.throughputs = Ring::default();
    }
}

/// One segment of a plan: with `buffer` seconds buffered and `stall` seconds of stall so far,
/// fetching a segment of `segment_s` seconds takes `download` seconds. Returns the stall so far
/// and the buffer after the segment arrives: a download longer than the buffer stalls for the
/// difference and leaves just the new segment.
#[inline]
pub(crate) fn plan_step(buffer: f64, stall: f64, download: f64, segment_s: f64) -> (f64, f64) {
    if buffer < download {
        (stall + download - buffer, segment_s)
    } else {
        (stall, buffer - download + segment_s)
    }
}

/// SplitMix64 (Steele, Lea and Flood): a small, seedable, well-mixed generator, so that random
/// choices stay reproducible.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw from `[0, 1)`, from the top 53 bits.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Bytes;
    use core::time::Duration;

    #[test]
    fn a_ring_keeps_the_last_values_across_wrap_around() {
        let mut ring = Ring::<u32, 3>::default();
        assert!(ring.is_empty());
        assert_eq!(ring.newest_first(5).count(), 0);
        ring.push(1);
        ring.push(2);
        assert_eq!(ring.len(), 2);
        assert_eq!(ring.slots(), &[1, 2]);
        assert_eq!(ring.newest_first(5).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(ring.oldest_first(5).collect::<Vec<_>>(), [1, 2]);
        for v in 3..=7 {
            ring.push(v);
        }
        // 5, 6, 7 survive; 7 sits where 4 and 1 were.
        assert_eq!(ring.len(), 3);
        assert_eq!(ring.slots(), &[7, 5, 6]);
        assert_eq!(ring.newest_first(3).collect::<Vec<_>>(), [7, 6, 5]);
        assert_eq!(ring.newest_first(2).collect::<Vec<_>>(), [7, 6]);
        assert_eq!(ring.oldest_first(3).collect::<Vec<_>>(), [5, 6, 7]);
        assert_eq!(ring.oldest_first(2).collect::<Vec<_>>(), [6, 7]);
        assert_eq!(ring.oldest_first(0).count(), 0);
    }

    #[test]
    fn harmonic_means() {
        assert_eq!(harmonic_mean([]), None);
        assert_eq!(pensieve_harmonic_mean([]), None);
        assert_eq!(harmonic_mean([4.0]), Some(4.0));
        assert_eq!(harmonic_mean([1.0, 4.0, 4.0]), Some(2.0));
        assert_eq!(pensieve_harmonic_mean([1.0, 4.0, 4.0]), Some(2.0));
        assert_eq!(inverse_sum([2.0, 4.0]), (2, 0.75));
        // The two roundings can disagree in the last bit: 3 / (1/3 + 1/5 + 1/7) vs 1 / (… / 3).
        let values = [3.0, 5.0, 7.0];
        let once = harmonic_mean(values).unwrap();
        let twice = pensieve_harmonic_mean(values).unwrap();
        assert!((once - 4.436_619_718_309_859).abs() < 1e-12 && (twice - once).abs() < 1e-12);
        assert_eq!(once, 3.0 / (1.0 / 3.0 + 1.0 / 5.0 + 1.0 / 7.0));
        assert_eq!(twice, 1.0 / ((1.0 / 3.0 + 1.0 / 5.0 + 1.0 / 7.0) / 3.0));
    }

    #[test]
    fn prediction_errors_are_relative_to_the_measurement_and_discount_robustly() {
        let mut errors = PredictionErrors::<3>::default();
        assert_eq!(errors.worst(3), 0.0);
        assert_eq!(errors.quantile(3, 1.0), None);
        assert_eq!(errors.robust(10.0), 10.0);
        errors.observe(4.0); // no prediction yet: error 0
        errors.predicted(Some(5.0));
        errors.observe(4.0); // 1/4 too high
        errors.predicted(Some(2.0));
        errors.observe(4.0); // 1/2 too low
        assert_eq!(errors.worst(3), 0.5);
        assert_eq!(errors.worst(2), 0.5);
        assert_eq!(errors.quantile(3, 0.0), Some(0.0));
        assert_eq!(errors.quantile(3, 0.5), Some(0.25));
        assert_eq!(errors.quantile(3, 1.0), Some(0.5));
        assert_eq!(errors.quantile(9, 1.0), Some(0.5));
        assert_eq!(errors.robust(3.0), 2.0);
        // Only the last three are kept: the 0.5 drops out after three exact predictions.
        errors.predicted(Some(4.0));
        for _ in 0..3 {
            errors.observe(4.0);
        }
        assert_eq!(errors.worst(3), 0.0);
        assert_eq!(errors.robust(3.0), 3.0);
    }

    fn report(received: u64, elapsed_ms: u64) -> DownloadReport {
        DownloadReport {
            segment: 0,
            rung: 0,
            size: Bytes(received),
            received: Bytes(received),
            elapsed: Duration::from_millis(elapsed_ms),
            ttfb: None,
            buffer_level: Duration::ZERO,
            abandoned_to: None,
        }
    }

    #[test]
    fn the_mpc_predictor_discounts_by_its_worst_error_and_keeps_errors_across_sessions() {
        let mut p = MpcPredictor::new(Rounding::Pensieve);
        assert_eq!(p.prediction(true), None);
        p.on_download(&report(2_000_000, 1000)); // 2 MB/s
        assert_eq!(p.prediction(true), Some(2.0));
        p.on_download(&report(1_000_000, 1000)); // 1 MB/s against a prediction of 2: error 1
        let harmonic = 1.0 / ((0.5 + 1.0) / 2.0);
        assert_eq!(p.prediction(false), Some(harmonic));
        assert_eq!(p.prediction(true), Some(harmonic / 2.0));
        p.on_download(&report(0, 1000)); // teaches nothing
        p.on_download(&DownloadReport { abandoned_to: Some(0), ..report(1, 1) });
        assert_eq!(p.prediction(false), Some(harmonic));
        p.new_session();
        assert_eq!(p.prediction(true), None);
        p.on_download(&report(4_000_000, 1000)); // error |4/3 − 4| / 4 = 2/3, and 1 before it
        assert_eq!(p.prediction(true), Some(4.0 / 2.0));
    }

    #[test]
    fn a_plan_step_stalls_for_what_the_buffer_cannot_cover() {
        assert_eq!(plan_step(10.0, 0.0, 3.0, 4.0), (0.0, 11.0));
        assert_eq!(plan_step(2.0, 1.0, 3.0, 4.0), (2.0, 4.0));
        assert_eq!(plan_step(3.0, 0.5, 3.0, 4.0), (0.5, 4.0));
    }

    #[test]
    fn split_mix_64_matches_the_reference_sequence() {
        // The first outputs for seed 0 (Vigna's splitmix64.c).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..100 {
            let x = a.next_f64();
            assert!((0.0..1.0).contains(&x));
            assert_eq!(x, (b.next_u64() >> 11) as f64 / (1u64 << 53) as f64);
        }
    }
}
