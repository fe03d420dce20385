//! ExoPlayer's default ABR: Media3's `AdaptiveTrackSelection` fed by `DefaultBandwidthMeter`
//! (androidx/media, `exoplayer/trackselection/AdaptiveTrackSelection.java`,
//! `exoplayer/upstream/DefaultBandwidthMeter.java`, `exoplayer/upstream/SlidingPercentile.java`).
//!
//! - Bandwidth meter: each transfer gives a sample `bytes × 8 / time`, timed from the start of the
//!   transfer (the response, so without the time to first byte) to its end, and weighted by
//!   `⌊√bytes⌋`. Samples sit in a sliding window of total weight 2000 (the oldest sample loses
//!   weight first, then leaves); the estimate is the weighted median. Until 2 s of transfers or
//!   512 KiB have been seen it stays at the initial 1 Mbit/s.
//! - Ideal rung: the highest whose bitrate fits in 0.7 × the estimate (`bandwidthFraction`); the
//!   meter has no time-to-first-byte estimate by default, so nothing is taken off for latency,
//!   and with a single adaptive track all the bandwidth is allocated to it.
//! - Hysteresis: a switch up is deferred while the buffer holds less than 10 s
//!   (`minDurationForQualityIncreaseMs`), a switch down while it holds 25 s or more
//!   (`maxDurationForQualityDecreaseMs`).
//! - `minDurationToRetainAfterDiscardMs` (25 s) governs ExoPlayer's re-download of buffered
//!   low-quality chunks (`evaluateQueueSize`), which the [`Abr`] interface cannot express; it is
//!   kept in the configuration for completeness and has no effect.
//!
//! The bandwidth meter is a process-wide singleton in ExoPlayer, so a new session keeps it.

use crate::{Abr, Decision, DecisionContext, DownloadReport};
use serde::{Deserialize, Serialize};

/// Most samples the sliding window holds (more only when samples are tiny; the oldest go first).
const MAX_SAMPLES: usize = 64;

/// Parameters of [`ExoPlayer`]; defaults are Media3's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExoPlayerConfig {
    /// Fraction of the estimate the selection may use (`bandwidthFraction`).
    pub bandwidth_fraction: f64,
    /// Buffer needed before switching up, in milliseconds (`minDurationForQualityIncreaseMs`).
    pub min_duration_for_quality_increase_ms: f64,
    /// Buffer at or above which switching down is deferred, in milliseconds
    /// (`maxDurationForQualityDecreaseMs`).
    pub max_duration_for_quality_decrease_ms: f64,
    /// Buffer kept when discarding chunks for a re-download, in milliseconds
    /// (`minDurationToRetainAfterDiscardMs`); not applicable to Flick's player, no effect.
    pub min_duration_to_retain_after_discard_ms: f64,
    /// Estimate before enough data was seen, in bit/s (`DEFAULT_INITIAL_BITRATE_ESTIMATE`).
    pub initial_bitrate_estimate_bps: f64,
    /// Total weight of the sliding window (`DEFAULT_SLIDING_WINDOW_MAX_WEIGHT`).
    pub sliding_window_max_weight: u32,
    /// Percentile of the window taken as the estimate (0.5, the median).
    pub percentile: f64,
    /// Transfer time after which the window's estimate is used, in milliseconds
    /// (`ELAPSED_MILLIS_FOR_ESTIMATE`).
    pub elapsed_ms_for_estimate: f64,
    /// Bytes after which the window's estimate is used (`BYTES_TRANSFERRED_FOR_ESTIMATE`).
    pub bytes_for_estimate: u64,
}

impl Default for ExoPlayerConfig {
    fn default() -> Self {
        ExoPlayerConfig {
            bandwidth_fraction: 0.7,
            min_duration_for_quality_increase_ms: 10_000.0,
            max_duration_for_quality_decrease_ms: 25_000.0,
            min_duration_to_retain_after_discard_ms: 25_000.0,
            initial_bitrate_estimate_bps: 1_000_000.0,
            sliding_window_max_weight: 2000,
            percentile: 0.5,
            elapsed_ms_for_estimate: 2000.0,
            bytes_for_estimate: 512 * 1024,
        }
    }
}

/// One weighted sample of the sliding percentile.
#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    weight: u32,
    /// Bits per second, as ExoPlayer's `float`.
    value: f32,
}

/// `SlidingPercentile`: weighted values in arrival order, total weight capped.
#[derive(Clone, Debug)]
struct SlidingPercentile {
    max_weight: u32,
    samples: [Sample; MAX_SAMPLES],
    start: usize,
    len: usize,
    total_weight: u32,
}

impl SlidingPercentile {
    fn new(max_weight: u32) -> Self {
        SlidingPercentile {
            max_weight,
            samples: [Sample::default(); MAX_SAMPLES],
            start: 0,
            len: 0,
            total_weight: 0,
        }
    }

    fn oldest(&mut self) -> &mut Sample {
        &mut self.samples[self.start]
    }

    fn drop_oldest(&mut self) {
        self.total_weight -= self.samples[self.start].weight;
        self.start = (self.start + 1) % MAX_SAMPLES;
        self.len -= 1;
    }

    fn add(&mut self, weight: u32, value: f32) {
        if self.len == MAX_SAMPLES {
            self.drop_oldest();
        }
        self.samples[(self.start + self.len) % MAX_SAMPLES] = Sample { weight, value };
        self.len += 1;
        self.total_weight += weight;
        while self.total_weight > self.max_weight {
            let excess = self.total_weight - self.max_weight;
            if self.oldest().weight <= excess {
                self.drop_oldest();
            } else {
                self.oldest().weight -= excess;
                self.total_weight -= excess;
            }
        }
    }

    /// The value at `percentile` of the total weight, integrating in value order.
    fn percentile(&self, percentile: f32) -> Option<f32> {
        if self.len == 0 {
            return None;
        }
        let mut sorted = [Sample::default(); MAX_SAMPLES];
        for (i, slot) in sorted[..self.len].iter_mut().enumerate() {
            *slot = self.samples[(self.start + i) % MAX_SAMPLES];
        }
        let sorted = &mut sorted[..self.len];
        // A stable sort by value, as Java's `Collections.sort` of the arrival-ordered list
        // (insertion sort: a few dozen values, and no scratch allocation).
        for i in 1..sorted.len() {
            let mut j = i;
            while j > 0 && sorted[j - 1].value.total_cmp(&sorted[j].value).is_gt() {
                sorted.swap(j - 1, j);
                j -= 1;
            }
        }
        let desired = percentile * self.total_weight as f32;
        let mut accumulated = 0u32;
        for s in sorted.iter() {
            accumulated += s.weight;
            if accumulated as f32 >= desired {
                return Some(s.value);
            }
        }
        sorted.last().map(|s| s.value)
    }
}

/// `DefaultBandwidthMeter` with one transfer at a time.
#[derive(Clone, Debug)]
struct BandwidthMeter {
    window: SlidingPercentile,
    total_elapsed_ms: f64,
    total_bytes: u64,
    /// Bytes of transfers too short to time, carried into the next sample.
    carried_bytes: u64,
    estimate_bps: f64,
}

/// Media3's `AdaptiveTrackSelection` with `DefaultBandwidthMeter`.
#[derive(Clone, Debug)]
pub struct ExoPlayer {
    config: ExoPlayerConfig,
    meter: BandwidthMeter,
    selected: Option<usize>,
}

impl Default for ExoPlayer {
    fn default() -> Self {
        Self::new(ExoPlayerConfig::default())
    }
}

impl ExoPlayer {
    /// An ExoPlayer track selection with the given parameters.
    pub fn new(config: ExoPlayerConfig) -> Self {
        ExoPlayer {
            config,
            meter: BandwidthMeter {
                window: SlidingPercentile::new(config.sliding_window_max_weight),
                total_elapsed_ms: 0.0,
                total_bytes: 0,
                carried_bytes: 0,
                estimate_bps: config.initial_bitrate_estimate_bps,
            },
            selected: None,
        }
    }

    /// The bandwidth meter's estimate, in bit/s.
    pub fn bitrate_estimate_bps(&self) -> f64 {
        self.meter.estimate_bps
    }

    /// `determineIdealSelectedIndex`: the highest rung within the allocated bandwidth, else the lowest.
    fn ideal(&self, ctx: &DecisionContext<'_>) -> usize {
        // Java multiplies a `long` by a `float` fraction in single precision, then truncates.
        let effective = (self.meter.estimate_bps as f32 * self.config.bandwidth_fraction as f32) as i64;
        ctx.rungs.iter().rposition(|r| r.bps() as i64 <= effective).unwrap_or(0)
    }
}

impl Abr for ExoPlayer {
    fn name(&self) -> &'static str {
        "exoplayer"
    }

    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        let rung = self.ideal(ctx);
        self.selected = Some(rung);
        rung
    }

    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        let ideal = self.ideal(ctx);
        let Some(previous) = ctx.last_rung.or(self.selected) else {
            self.selected = Some(ideal);
            return Decision::rung(ideal);
        };
        let buffered_ms = ctx.buffer_level.as_secs_f64() * 1000.0;
        let rung = if ideal > previous && buffered_ms < self.config.min_duration_for_quality_increase_ms {
            // Not enough buffer to switch up safely yet.
            previous
        } else if ideal < previous && buffered_ms >= self.config.max_duration_for_quality_decrease_ms {
            // Enough buffer to put off switching down.
            previous
        } else {
            ideal
        };
        self.selected = Some(rung);
        Decision::rung(rung)
    }

    fn on_download(&mut self, report: &DownloadReport) {
        let ttfb = report.ttfb.unwrap_or_default();
        let elapsed_ms = (report.elapsed.saturating_sub(ttfb).as_secs_f64() * 1000.0).floor();
        let m = &mut self.meter;
        m.carried_bytes += report.received.get();
        m.total_elapsed_ms += elapsed_ms;
        m.total_bytes += m.carried_bytes;
        if elapsed_ms <= 0.0 {
            return;
        }
        let bytes = core::mem::take(&mut m.carried_bytes);
        let bits_per_second = (bytes as f32 * 8000.0) / elapsed_ms as f32;
        m.window.add((bytes as f64).sqrt() as u32, bits_per_second);
        let enough = m.total_elapsed_ms >= self.config.elapsed_ms_for_estimate
            || m.total_bytes >= self.config.bytes_for_estimate;
        if let Some(p) = m.window.percentile(self.config.percentile as f32).filter(|_| enough) {
            m.estimate_bps = (p as f64).floor();
        }
    }

    fn new_session(&mut self) {
        self.selected = None;
    }
}
