//! Throughput and latency estimation from completed downloads.
//!
//! The estimate is Sabre's (and dash.js's) pair of exponentially weighted moving averages: a fast
//! and a slow one, weighted by download time, corrected for their zero start, and the more
//! conservative of the two taken (lower throughput, higher latency). Time to first byte is kept
//! apart from body throughput, so a slow server start does not read as a slow link.

use core::time::Duration;
use flick_abr::units::Bitrate;
use flick_abr::{DownloadSample, ThroughputView};
use serde::{Deserialize, Serialize};

/// How many recent downloads the history keeps for algorithms that read it.
pub const HISTORY_LEN: usize = 32;

/// Parameters of the [`Estimator`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EstimatorConfig {
    /// Half-lives of the throughput averages, in seconds of download time.
    pub half_lives_s: Vec<f64>,
}

impl Default for EstimatorConfig {
    fn default() -> Self {
        EstimatorConfig { half_lives_s: vec![3.0, 8.0] }
    }
}

/// Running throughput and latency estimates plus the recent download history.
#[derive(Clone, Debug)]
pub struct Estimator {
    half_lives_ms: Vec<f64>,
    latency_half_lives: Vec<f64>,
    throughput: Vec<f64>,
    latency: Vec<f64>,
    weight_ms: f64,
    weight_count: f64,
    estimate: Option<Bitrate>,
    latency_estimate: Option<Duration>,
    samples: Vec<DownloadSample>,
}

impl Estimator {
    /// A fresh estimator; `segment_duration` sets the latency averages' half-lives in segments.
    pub fn new(config: &EstimatorConfig, segment_duration: Duration) -> Self {
        let half_lives_ms: Vec<f64> = config.half_lives_s.iter().map(|h| h * 1000.0).collect();
        let segment_ms = (segment_duration.as_secs_f64() * 1000.0).max(1.0);
        Estimator {
            latency_half_lives: half_lives_ms.iter().map(|h| h / segment_ms).collect(),
            throughput: vec![0.0; half_lives_ms.len()],
            latency: vec![0.0; half_lives_ms.len()],
            half_lives_ms,
            weight_ms: 0.0,
            weight_count: 0.0,
            estimate: None,
            latency_estimate: None,
            samples: Vec::with_capacity(HISTORY_LEN),
        }
    }

    /// Record a completed download.
    pub fn push(&mut self, sample: DownloadSample) {
        if self.samples.len() == HISTORY_LEN {
            self.samples.remove(0);
        }
        self.samples.push(sample);
        let body_ms = sample.total.saturating_sub(sample.ttfb).as_secs_f64() * 1000.0;
        if body_ms <= 0.0 || self.half_lives_ms.is_empty() {
            return;
        }
        let kbps = sample.bytes.bits() as f64 / body_ms;
        let latency_ms = sample.ttfb.as_secs_f64() * 1000.0;
        for i in 0..self.half_lives_ms.len() {
            let alpha = 0.5_f64.powf(body_ms / self.half_lives_ms[i]);
            self.throughput[i] = alpha * self.throughput[i] + (1.0 - alpha) * kbps;
            let alpha = 0.5_f64.powf(1.0 / self.latency_half_lives[i]);
            self.latency[i] = alpha * self.latency[i] + (1.0 - alpha) * latency_ms;
        }
        self.weight_ms += body_ms;
        self.weight_count += 1.0;
        let mut tput = f64::INFINITY;
        let mut lat = f64::NEG_INFINITY;
        for i in 0..self.half_lives_ms.len() {
            let zero = 1.0 - 0.5_f64.powf(self.weight_ms / self.half_lives_ms[i]);
            tput = tput.min(self.throughput[i] / zero);
            let zero = 1.0 - 0.5_f64.powf(self.weight_count / self.latency_half_lives[i]);
            lat = lat.max(self.latency[i] / zero);
        }
        self.estimate = Some(Bitrate::from_kbps_f64(tput));
        self.latency_estimate = Some(Duration::from_secs_f64(lat.max(0.0) / 1000.0));
    }

    /// Current throughput estimate.
    pub fn estimate(&self) -> Option<Bitrate> {
        self.estimate
    }

    /// Current time-to-first-byte estimate.
    pub fn latency(&self) -> Option<Duration> {
        self.latency_estimate
    }

    /// The view handed to ABR algorithms.
    pub fn view(&self) -> ThroughputView<'_> {
        ThroughputView { estimate: self.estimate, latency: self.latency_estimate, samples: &self.samples }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flick_abr::units::Bytes;

    fn sample(bytes: u64, ttfb_ms: u64, total_ms: u64) -> DownloadSample {
        DownloadSample {
            bytes: Bytes(bytes),
            ttfb: Duration::from_millis(ttfb_ms),
            total: Duration::from_millis(total_ms),
            rung: 0,
            finished_at: Duration::ZERO,
        }
    }

    #[test]
    fn steady_rate_converges_to_that_rate_without_zero_bias() {
        let mut e = Estimator::new(&EstimatorConfig::default(), Duration::from_secs(4));
        // 500 kB in 1 s of body after 100 ms of latency: 4 Mbit/s.
        e.push(sample(500_000, 100, 1100));
        assert_eq!(e.estimate(), Some(Bitrate(4_000_000)));
        assert_eq!(e.latency(), Some(Duration::from_millis(100)));
    }

    #[test]
    fn conservative_average_follows_drops_faster_than_rises() {
        let mut e = Estimator::new(&EstimatorConfig::default(), Duration::from_secs(4));
        for _ in 0..10 {
            e.push(sample(500_000, 50, 1050));
        }
        e.push(sample(50_000, 50, 1050)); // a 400 kbit/s download
        let after_drop = e.estimate().unwrap();
        assert!(after_drop < Bitrate(3_500_000), "{after_drop}");
        assert!(after_drop > Bitrate(400_000));
    }

    #[test]
    fn history_is_bounded() {
        let mut e = Estimator::new(&EstimatorConfig::default(), Duration::from_secs(4));
        for _ in 0..100 {
            e.push(sample(1000, 10, 20));
        }
        assert_eq!(e.view().samples.len(), HISTORY_LEN);
    }
}
