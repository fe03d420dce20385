//! How long a request may wait for an answer, or for more of its body, before it is given up.

use core::time::Duration;
use serde::{Deserialize, Serialize};

/// How long a request may go without an answer or without progress before it is given up.
///
/// Media requests are buffer-aware: their limits shrink to `buffer_fraction` of the media buffered
/// when they are sent (never below `min`), so with little buffer left a silent or stalled location
/// is left early for another one, while with a deep buffer the player waits patiently.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestTimeouts {
    /// Longest wait from the request to the first byte of the response.
    pub first_byte: Duration,
    /// Longest wait between two pieces of the body.
    pub stall: Duration,
    /// Fraction of the buffer a media request may wait for (0 turns buffer-awareness off).
    pub buffer_fraction: f64,
    /// Shortest limit, however low the buffer.
    pub min: Duration,
}

impl Default for RequestTimeouts {
    fn default() -> Self {
        RequestTimeouts {
            first_byte: Duration::from_secs(4),
            stall: Duration::from_secs(4),
            buffer_fraction: 0.25,
            min: Duration::from_millis(1500),
        }
    }
}

impl RequestTimeouts {
    /// The (first byte, stall) limits of a media request sent with `buffer` of media buffered.
    pub fn for_buffer(&self, buffer: Duration) -> (Duration, Duration) {
        if self.buffer_fraction <= 0.0 {
            return (self.first_byte, self.stall);
        }
        // A fraction read from a configuration can be anything: the product saturates.
        let scaled =
            Duration::try_from_secs_f64(buffer.as_secs_f64() * self.buffer_fraction).unwrap_or(Duration::MAX);
        let budget = scaled.max(self.min);
        (self.first_byte.min(budget), self.stall.min(budget))
    }
}
