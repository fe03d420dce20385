//! Latency statistics of a live session, bounded in memory however long it runs.

use core::time::Duration;
use serde::{Deserialize, Serialize};

/// Histogram bin width.
const BIN: Duration = Duration::from_millis(50);
/// Bins: latencies up to 5 minutes are resolved, longer ones land in the last bin.
const BINS: usize = 6000;
/// Most points of the latency timeline kept (one a second: almost three hours; then the oldest
/// go).
pub const MAX_TIMELINE_POINTS: usize = 10_000;

/// Latency samples taken while playing, and what the catch-up did.
#[derive(Clone, Debug, Default)]
pub struct LatencyStats {
    count: u64,
    sum: f64,
    bins: Vec<u32>,
    last: Option<Duration>,
    target: Duration,
    /// Session time of the first sample.
    first_at: Option<Duration>,
    /// Session time at which the latency first came within [`super::DEAD_ZONE`] × 2.5 of the
    /// target.
    on_target_at: Option<Duration>,
    /// Session time spent at a rate other than 1.0.
    catching_up: Duration,
    /// Jumps to the target (latency too far off to catch up by rate).
    jumps: u32,
    /// Seconds from the start of the DVR window to the position, at the last sample.
    dvr_position: Option<Duration>,
    window: Option<Duration>,
    /// (session seconds, latency seconds), one a second.
    timeline: std::collections::VecDeque<(f64, f64)>,
}

/// The live part of a session report (`None` in a report of an on-demand session).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveReport {
    /// The latency aimed for, in seconds.
    pub target_latency_s: f64,
    /// Mean latency to the live edge while playing, in seconds.
    pub latency_mean_s: f64,
    /// 95th percentile of the latency while playing (to 50 ms), in seconds.
    pub latency_p95_s: f64,
    /// Latency at the end of the session, in seconds.
    pub latency_end_s: f64,
    /// From the first frame to the latency first being within 0.5 s of the target, in seconds
    /// (`None`: never).
    pub time_to_target_s: Option<f64>,
    /// Time played at a catch-up rate (not 1.0), in seconds.
    pub catch_up_s: f64,
    /// Jumps to the target latency (when too far behind to catch up by rate).
    pub jumps: u32,
    /// Position at the end, in seconds from the start of the DVR window.
    pub dvr_position_s: Option<f64>,
    /// Depth of the DVR window, in seconds, when the MPD gives one.
    pub window_s: Option<f64>,
    /// Latency samples taken (one every 250 ms of playing).
    pub samples: u64,
    /// The latency over the session: (session seconds, latency seconds), one point a second of
    /// playing (the last [`MAX_TIMELINE_POINTS`]).
    #[serde(default)]
    pub timeline: Vec<(f64, f64)>,
}

impl LatencyStats {
    /// Statistics for a session aiming at `target`.
    pub fn new(target: Duration) -> Self {
        LatencyStats { target, ..Default::default() }
    }

    /// The target changed (the MPD was refreshed, say).
    pub fn set_target(&mut self, target: Duration) {
        self.target = target;
    }

    /// One sample at session time `now` while playing.
    pub fn sample(&mut self, now: Duration, latency: Duration, dvr_position: Option<Duration>) {
        if self.bins.is_empty() {
            self.bins = vec![0; BINS];
        }
        self.count += 1;
        self.sum += latency.as_secs_f64();
        let bin = ((latency.as_nanos() / BIN.as_nanos()) as usize).min(BINS - 1);
        self.bins[bin] = self.bins[bin].saturating_add(1);
        self.last = Some(latency);
        self.first_at.get_or_insert(now);
        self.dvr_position = dvr_position;
        let t = now.as_secs_f64();
        if self.timeline.back().is_none_or(|&(last, _)| t - last >= 1.0) {
            if self.timeline.len() == MAX_TIMELINE_POINTS {
                self.timeline.pop_front();
            }
            self.timeline.push_back((t, latency.as_secs_f64()));
        }
        let error = latency.abs_diff(self.target);
        if self.on_target_at.is_none() && error <= Duration::from_millis(500) {
            self.on_target_at = Some(now);
        }
    }

    /// `elapsed` session time was played at a catch-up rate.
    pub fn caught_up_for(&mut self, elapsed: Duration) {
        self.catching_up += elapsed;
    }

    /// A jump to the target.
    pub fn jumped(&mut self) {
        self.jumps += 1;
    }

    /// The DVR window's depth.
    pub fn set_window(&mut self, window: Option<Duration>) {
        self.window = window;
    }

    /// The report, `started_at` being the first frame's session time.
    pub fn report(&self, started_at: Option<Duration>) -> LiveReport {
        let p95 = if self.count == 0 {
            0.0
        } else {
            let wanted = (self.count as f64 * 0.95).ceil() as u64;
            let mut seen = 0u64;
            let bin = self.bins.iter().position(|&n| {
                seen += u64::from(n);
                seen >= wanted
            });
            bin.map_or(0.0, |b| (b as f64 + 1.0) * BIN.as_secs_f64())
        };
        let from = started_at.or(self.first_at);
        LiveReport {
            target_latency_s: self.target.as_secs_f64(),
            latency_mean_s: if self.count == 0 { 0.0 } else { self.sum / self.count as f64 },
            latency_p95_s: p95,
            latency_end_s: self.last.map_or(0.0, |l| l.as_secs_f64()),
            time_to_target_s: self
                .on_target_at
                .zip(from)
                .map(|(at, from)| at.saturating_sub(from).as_secs_f64()),
            catch_up_s: self.catching_up.as_secs_f64(),
            jumps: self.jumps,
            dvr_position_s: self.dvr_position.map(|d| d.as_secs_f64()),
            window_s: self.window.map(|w| w.as_secs_f64()),
            samples: self.count,
            timeline: self.timeline.iter().copied().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_p95_and_time_to_target() {
        let mut stats = LatencyStats::new(Duration::from_secs(5));
        for i in 0..100u64 {
            let latency = if i < 90 { Duration::from_secs(6) } else { Duration::from_secs(5) };
            stats.sample(Duration::from_secs(i), latency, Some(Duration::from_secs(20)));
        }
        let report = stats.report(Some(Duration::ZERO));
        assert!((report.latency_mean_s - 5.9).abs() < 1e-9);
        assert!((report.latency_p95_s - 6.05).abs() < 1e-9, "{}", report.latency_p95_s);
        assert_eq!(report.latency_end_s, 5.0);
        assert_eq!(report.time_to_target_s, Some(90.0));
        assert_eq!(report.samples, 100);
        assert_eq!(report.timeline.len(), 100);
        assert_eq!(report.timeline[95], (95.0, 5.0));
    }
}
