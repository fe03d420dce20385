//! Shaka Player's default ABR, `SimpleAbrManager` with its `EwmaBandwidthEstimator`
//! (shaka-project/shaka-player, `lib/abr/simple_abr_manager.js`, `lib/abr/ewma_bandwidth_estimator.js`,
//! `lib/abr/ewma.js`; defaults from `lib/util/player_configuration.js`).
//!
//! - Bandwidth: two exponentially weighted moving averages of per-request throughput, weighted by
//!   the request's duration in seconds, with half-lives of 2 s (fast) and 5 s (slow); the estimate
//!   is the smaller of the two, each corrected for its zero start. Requests under 16 kB
//!   (`minBytes`) or shorter than 5 ms (`cacheLoadThreshold`, taken for cache hits) are ignored;
//!   until 128 kB have been sampled (`minTotalBytes`) the estimate is the default 1 Mbit/s.
//! - Choice: scanning the rungs upwards, a rung is acceptable when the estimate is at least its
//!   bitrate / 0.95 (`bandwidthDowngradeTarget`) and at most the next rung's bitrate / 0.85
//!   (`bandwidthUpgradeTarget`); the last acceptable rung wins, the lowest if none is. (As the
//!   ranges overlap, this is the highest rung whose bitrate is ≤ 0.95 × the estimate: the upgrade
//!   target never binds. Flick keeps Shaka's loop, so configurations where it would bind behave as
//!   in Shaka too.)
//! - Timing: the first choice is made at load time with whatever estimate there is; later ones
//!   only once the estimate is good (128 kB sampled), right away the first time
//!   (`minTimeToSwitch` 0), then at most once every 8 s (`switchInterval`). In between, the
//!   current rung is kept.
//!
//! Shaka measures each request from sending to its last byte (latency included). Modern Shaka
//! also samples progress events of long downloads; Flick samples each finished (or abandoned)
//! download once. Like Shaka, which does not reset its estimator when a new asset loads, a new
//! session keeps the bandwidth estimate.

use crate::{Abr, Decision, DecisionContext, DownloadReport};
use serde::{Deserialize, Serialize};

/// Parameters of [`Shaka`]; defaults are Shaka Player's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShakaConfig {
    /// Estimate used until enough bytes were sampled, in bit/s (`defaultBandwidthEstimate`).
    pub default_bandwidth_estimate_bps: f64,
    /// Minimum time between two choices, in seconds (`switchInterval`).
    pub switch_interval_s: f64,
    /// How soon after the estimate becomes good the first choice may happen, in seconds
    /// (`minTimeToSwitch`).
    pub min_time_to_switch_s: f64,
    /// A rung is a candidate only while its successor's bitrate / this ≥ the estimate
    /// (`bandwidthUpgradeTarget`).
    pub bandwidth_upgrade_target: f64,
    /// A rung is a candidate only while its bitrate / this ≤ the estimate
    /// (`bandwidthDowngradeTarget`).
    pub bandwidth_downgrade_target: f64,
    /// Half-life of the fast average, in seconds of download (`fastHalfLife`).
    pub fast_half_life_s: f64,
    /// Half-life of the slow average, in seconds of download (`slowHalfLife`).
    pub slow_half_life_s: f64,
    /// Bytes to sample before the estimate is trusted (`minTotalBytes`).
    pub min_total_bytes: u64,
    /// Smaller downloads are not sampled (`minBytes`).
    pub min_bytes: u64,
    /// Faster downloads are taken for cache hits and not sampled, in milliseconds
    /// (`cacheLoadThreshold`).
    pub cache_load_threshold_ms: f64,
}

impl Default for ShakaConfig {
    fn default() -> Self {
        ShakaConfig {
            default_bandwidth_estimate_bps: 1e6,
            switch_interval_s: 8.0,
            min_time_to_switch_s: 0.0,
            bandwidth_upgrade_target: 0.85,
            bandwidth_downgrade_target: 0.95,
            fast_half_life_s: 2.0,
            slow_half_life_s: 5.0,
            min_total_bytes: 128_000,
            min_bytes: 16_000,
            cache_load_threshold_ms: 5.0,
        }
    }
}

/// One exponentially weighted moving average (`shaka.abr.Ewma`).
#[derive(Clone, Copy, Debug)]
struct Ewma {
    alpha: f64,
    estimate: f64,
    total_weight: f64,
}

impl Ewma {
    fn new(half_life: f64) -> Self {
        Ewma { alpha: (0.5_f64.ln() / half_life).exp(), estimate: 0.0, total_weight: 0.0 }
    }

    fn sample(&mut self, weight: f64, value: f64) {
        let adj = self.alpha.powf(weight);
        let next = value * (1.0 - adj) + adj * self.estimate;
        if !next.is_nan() {
            self.estimate = next;
            self.total_weight += weight;
        }
    }

    fn get(&self) -> f64 {
        self.estimate / (1.0 - self.alpha.powf(self.total_weight))
    }
}

/// Shaka's bandwidth estimator: the minimum of a fast and a slow EWMA.
#[derive(Clone, Copy, Debug)]
struct Estimator {
    fast: Ewma,
    slow: Ewma,
    bytes_sampled: u64,
}

impl Estimator {
    fn new(config: &ShakaConfig) -> Self {
        Estimator {
            fast: Ewma::new(config.fast_half_life_s),
            slow: Ewma::new(config.slow_half_life_s),
            bytes_sampled: 0,
        }
    }
}

/// Shaka Player's `SimpleAbrManager`.
#[derive(Clone, Debug)]
pub struct Shaka {
    config: ShakaConfig,
    estimator: Estimator,
    startup_complete: bool,
    /// Session time, in seconds, of the last choice, if one was made this session (it may be
    /// negative: the end of startup moves it back by the switch interval).
    last_chosen: Option<f64>,
    current: usize,
}

impl Default for Shaka {
    fn default() -> Self {
        Self::new(ShakaConfig::default())
    }
}

impl Shaka {
    /// A Shaka ABR manager with the given parameters.
    pub fn new(config: ShakaConfig) -> Self {
        Shaka {
            config,
            estimator: Estimator::new(&config),
            startup_complete: false,
            last_chosen: None,
            current: 0,
        }
    }

    fn has_good_estimate(&self) -> bool {
        self.estimator.bytes_sampled >= self.config.min_total_bytes
    }

    /// The bandwidth estimate in bit/s (the default until enough data was sampled).
    pub fn bandwidth_estimate_bps(&self) -> f64 {
        if !self.has_good_estimate() {
            return self.config.default_bandwidth_estimate_bps;
        }
        self.estimator.fast.get().min(self.estimator.slow.get())
    }

    /// `chooseVariant`: the last rung whose acceptable range holds the estimate.
    fn choose_variant(&mut self, ctx: &DecisionContext<'_>) -> usize {
        let estimate = self.bandwidth_estimate_bps();
        let mut chosen = 0;
        for (i, rate) in ctx.rungs.iter().enumerate() {
            let min = rate.bps() as f64 / self.config.bandwidth_downgrade_target;
            let next = ctx.rungs[i + 1..].iter().find(|r| r.bps() != rate.bps());
            let max = next.map_or(f64::INFINITY, |n| n.bps() as f64 / self.config.bandwidth_upgrade_target);
            if estimate >= min && estimate <= max && (i == 0 || ctx.rungs[chosen].bps() != rate.bps()) {
                chosen = i;
            }
        }
        self.last_chosen = Some(ctx.now.as_secs_f64());
        self.current = chosen;
        chosen
    }
}

impl Abr for Shaka {
    fn name(&self) -> &'static str {
        "shaka"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        self.choose_variant(ctx)
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let Some(mut last) = self.last_chosen else {
            return Decision::rung(self.choose_variant(ctx));
        };
        if !self.startup_complete {
            if !self.has_good_estimate() {
                return Decision::rung(self.current);
            }
            self.startup_complete = true;
            last -= self.config.switch_interval_s - self.config.min_time_to_switch_s;
            self.last_chosen = Some(last);
        }
        if ctx.now.as_secs_f64() - last < self.config.switch_interval_s {
            return Decision::rung(self.current);
        }
        Decision::rung(self.choose_variant(ctx))
    }

    fn on_download(&mut self, report: &DownloadReport) {
        let ms = report.elapsed.as_secs_f64() * 1000.0;
        let bytes = report.received.get();
        if ms < self.config.cache_load_threshold_ms || bytes < self.config.min_bytes || ms <= 0.0 {
            return;
        }
        let bandwidth = 8000.0 * bytes as f64 / ms;
        let weight = ms / 1000.0;
        self.estimator.bytes_sampled += bytes;
        self.estimator.fast.sample(weight, bandwidth);
        self.estimator.slow.sample(weight, bandwidth);
    }

    fn new_session(&mut self) {
        // Like Shaka's `stop()`: forget the choice, keep the estimator and the end of startup.
        self.last_chosen = None;
        self.current = 0;
    }
}
