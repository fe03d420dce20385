//! Statistics of a comparison: percentiles, each algorithm's row, and the paired bootstrap of
//! its per-trace QoE difference against the baseline.

use flick_platform::sim::AlgorithmSummary;
use serde::Serialize;

/// Resamples of the bootstrap.
pub const RESAMPLES: usize = 2000;
/// Confidence of the interval.
pub const CONFIDENCE: f64 = 0.95;
/// Base seed of the bootstrap's random numbers (xored with `--seed`).
pub const BOOTSTRAP_SEED: u64 = 0x5EED_B007_57A9_0001;

/// SplitMix64 (Steele, Lea and Flood): a small, fast, well-mixed generator, enough to draw
/// bootstrap indices reproducibly.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (multiply-shift; the bias, at most `n / 2^64`, is immaterial).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The `p`-quantile (0 ≤ p ≤ 1) of `values`, interpolating linearly between order statistics
/// (the "type 7" definition of R and NumPy's default). NaN when empty.
pub fn quantile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile_sorted(&sorted, p)
}

fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Mean of `values` (NaN when empty).
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// A mean with its confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// The observed mean.
    pub mean: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// The mean of the paired differences `diffs` (one per trace) with a percentile bootstrap
/// interval: `resamples` times, draw as many traces as there are, with replacement, and take the
/// mean difference of the draw; the interval runs between the `(1 − confidence) / 2` and
/// `(1 + confidence) / 2` quantiles of those means. Deterministic for a given `seed`.
pub fn bootstrap_mean(diffs: &[f64], resamples: usize, confidence: f64, seed: u64) -> Interval {
    let observed = mean(diffs);
    if diffs.is_empty() || resamples == 0 {
        return Interval { mean: observed, low: observed, high: observed };
    }
    let mut rng = SplitMix64::new(seed);
    let n = diffs.len();
    let mut means: Vec<f64> =
        (0..resamples).map(|_| (0..n).map(|_| diffs[rng.below(n)]).sum::<f64>() / n as f64).collect();
    means.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    Interval { mean: observed, low: quantile_sorted(&means, tail), high: quantile_sorted(&means, 1.0 - tail) }
}

/// One row of the comparison: an algorithm (or the optimum) over every trace.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Algorithm (`optimal` for the offline optimum).
    pub abr: String,
    /// Sessions.
    pub sessions: usize,
    /// Mean over sessions of QoE_lin per chunk.
    pub mean_qoe_lin: f64,
    /// 10th percentile over sessions of QoE_lin per chunk (linear interpolation).
    pub p10_qoe_lin: f64,
    /// Σ QoE_lin / Σ optimal QoE_lin over the traces, in percent (NaN, `null` in JSON, when the
    /// optimum's sum is not positive: the ratio means nothing then).
    pub percent_of_optimal: f64,
    /// Mean of the sessions' mean video bit rate.
    pub mean_bitrate_kbps: f64,
    /// Total rebuffering over total session time (played + rebuffering).
    pub rebuffer_ratio: f64,
    /// Rung switches per minute of playback.
    pub switches_per_min: f64,
    /// Sessions that ended in an error.
    pub failed_sessions: usize,
    /// Paired per-trace difference of QoE_lin against the baseline, with its bootstrap interval.
    pub vs_baseline: Interval,
    /// QoE_lin of each session, in trace order.
    pub qoe_lin: Vec<f64>,
}

/// The row of `summary` whose per-trace QoE is `qoe` (`summary`'s own, or the optimum's), against
/// the `baseline`'s per-trace QoE and the `optimal` one.
pub fn row(
    summary: &AlgorithmSummary,
    qoe: Vec<f64>,
    baseline: &[f64],
    optimal: &[f64],
    bootstrap_seed: u64,
) -> Row {
    let diffs: Vec<f64> = qoe.iter().zip(baseline).map(|(q, b)| q - b).collect();
    let total_optimal: f64 = optimal.iter().sum();
    Row {
        abr: summary.abr.clone(),
        sessions: qoe.len(),
        mean_qoe_lin: mean(&qoe),
        p10_qoe_lin: quantile(&qoe, 0.1),
        percent_of_optimal: if total_optimal > 0.0 {
            100.0 * qoe.iter().sum::<f64>() / total_optimal
        } else {
            f64::NAN
        },
        mean_bitrate_kbps: summary.mean_bitrate_kbps,
        rebuffer_ratio: summary.rebuffer_ratio,
        switches_per_min: summary.switches_per_min,
        failed_sessions: summary.failed_sessions,
        vs_baseline: bootstrap_mean(&diffs, RESAMPLES, CONFIDENCE, bootstrap_seed),
        qoe_lin: qoe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let v = [4.0, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert!((quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn indices_are_uniform_enough() {
        let mut rng = SplitMix64::new(7);
        let mut counts = [0usize; 10];
        for _ in 0..100_000 {
            counts[rng.below(10)] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
    }

    /// Paired differences scattered around a known mean: the interval holds it, is deterministic
    /// and shrinks as traces are added.
    #[test]
    fn the_interval_holds_the_true_mean_difference() {
        let true_mean = 0.25;
        let mut rng = SplitMix64::new(42);
        let noise = |rng: &mut SplitMix64| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        // Symmetric noise whose own mean is exactly zero: each draw comes with its mirror image.
        let mut diffs = Vec::new();
        for _ in 0..100 {
            let e = noise(&mut rng);
            diffs.extend([true_mean + e, true_mean - e]);
        }
        let ci = bootstrap_mean(&diffs, RESAMPLES, CONFIDENCE, 1);
        assert!((ci.mean - true_mean).abs() < 1e-12);
        assert!(ci.low < true_mean && true_mean < ci.high, "{ci:?}");
        // A standard error of about 0.29 / √200 ≈ 0.02: the interval is about ± 0.04 wide.
        assert!(ci.high - ci.low > 0.05 && ci.high - ci.low < 0.1, "{ci:?}");
        assert_eq!(ci, bootstrap_mean(&diffs, RESAMPLES, CONFIDENCE, 1));
        let few = bootstrap_mean(&diffs[..20], RESAMPLES, CONFIDENCE, 1);
        assert!(few.high - few.low > ci.high - ci.low);
        // No spread, no uncertainty.
        let flat = bootstrap_mean(&[0.5; 30], RESAMPLES, CONFIDENCE, 3);
        assert_eq!((flat.low, flat.mean, flat.high), (0.5, 0.5, 0.5));
    }
}
