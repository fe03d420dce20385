//! Live streams: the pure pieces the player uses to follow a live edge (reading servers'
//! clocks, in-band events, the catch-up rate, latency statistics). The state machine's part is in
//! the player; nothing here reads a clock.

pub mod clock;
pub mod emsg;
mod stats;

pub use stats::{LatencyStats, LiveReport, MAX_TIMELINE_POINTS};

use core::time::Duration;

/// Catching up starts when the latency is off by one and a half times this, and stops within
/// half of it.
pub const DEAD_ZONE: Duration = Duration::from_millis(200);

/// With less than this buffered, playback is never sped up.
pub const LOW_BUFFER: Duration = Duration::from_millis(800);

/// Rate change per second of latency error (0.1: half a second too late plays at 1.05, so a
/// start-up's few hundred milliseconds are caught up in about ten seconds).
const GAIN: f64 = 0.1;

/// The playback rate that brings the latency back to its target: proportional to the error
/// (`latency - target`, seconds), within `bounds`, in steps of 0.01, never faster with a low
/// buffer, and slower when the buffer is about to run dry.
pub fn catch_up_rate(error: f64, buffer: Duration, bounds: (f64, f64)) -> f64 {
    let mut rate = 1.0 + GAIN * error;
    if buffer < LOW_BUFFER {
        rate = rate.min(1.0);
        if buffer < LOW_BUFFER / 2 {
            rate = bounds.0;
        }
    }
    let rate = (rate * 100.0).round() / 100.0;
    if rate.is_finite() { rate.clamp(bounds.0.min(1.0), bounds.1.max(1.0)) } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_up_is_proportional_bounded_and_careful_with_a_low_buffer() {
        let buffer = Duration::from_secs(3);
        let bounds = (0.95, 1.05);
        assert_eq!(catch_up_rate(0.05, buffer, bounds), 1.0);
        assert_eq!(catch_up_rate(0.3, buffer, bounds), 1.03);
        assert_eq!(catch_up_rate(4.0, buffer, bounds), 1.05);
        assert_eq!(catch_up_rate(-0.3, buffer, bounds), 0.97);
        assert_eq!(catch_up_rate(-9.0, buffer, bounds), 0.95);
        assert_eq!(catch_up_rate(4.0, Duration::from_millis(600), bounds), 1.0, "no faster on a low buffer");
        assert_eq!(catch_up_rate(4.0, Duration::from_millis(300), bounds), 0.95, "slower near empty");
        assert_eq!(catch_up_rate(f64::NAN, buffer, bounds), 1.0);
        assert_eq!(catch_up_rate(4.0, buffer, (1.0, 1.0)), 1.0);
    }
}
