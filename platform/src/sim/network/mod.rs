//! Network models: how long requests take on a trace.

mod cdn;
mod cursor;
mod pensieve;
mod sabre;

pub use cdn::{CdnNetwork, CdnNetworkConfig, LocationProfile, location_name};
pub(crate) use cursor::TraceClock;
pub use pensieve::PensieveNetwork;
pub use sabre::SabreNetwork;

use flick_player::{FetchRequest, Input, RequestId};
use std::time::Duration;

/// A simulated network: takes requests, produces the driver's timed inputs about them.
pub trait NetworkModel: Send {
    /// A request for a resource of `size` bytes was sent at `now`.
    fn start(&mut self, now: Duration, request: &FetchRequest, size: u64);
    /// The player gave a request up at `now`.
    fn cancel(&mut self, now: Duration, id: RequestId);
    /// Time of the next event, if any.
    fn peek(&mut self) -> Option<Duration>;
    /// The next input about a request, with its time.
    fn pop(&mut self) -> Option<(Duration, Input)>;
}

/// Session milliseconds to a [`Duration`].
pub(crate) fn from_ms(ms: f64) -> Duration {
    Duration::from_secs_f64(ms.max(0.0) / 1000.0)
}

/// A [`Duration`] to session milliseconds.
pub(crate) fn to_ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests;
