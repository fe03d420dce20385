//! CDN failover: where each request goes, how long it may take, when a location is left and when
//! the session gives up. Every policy of it lives here; the player asks.
//!
//! - **Candidates** (`Failover::candidates`): a representation's base URLs, one per location,
//!   in the order the content steering server gives (`steering.rs`), else with the location DVB
//!   `@weight` made this session favour first ([`location::weighted_choice`]), else in the MPD's
//!   order (DVB `@priority`, then document order).
//! - **Health** ([`location::LocationSet`]): a location that fails is excluded for a backoff that
//!   doubles (1 s up to 30 s) and is probed again only with buffer to spare
//!   ([`crate::PlayerConfig::probe_buffer`]).
//! - **Timeouts** ([`RequestTimeouts`]): media and init requests are buffer-aware: with little
//!   buffer a silent or stalled location is left within a fraction of it; never less than three
//!   measured round trips.
//! - **Give-up** (`Failover::gives_up`): a request failing on every location for longer than
//!   [`crate::PlayerConfig::give_up_after`] ends the session with a typed error
//!   ([`crate::PlayerError::AllLocationsFailed`]), never a hang.
//! - **Resume** (`resume.rs`): a media request that failed part-way is asked again elsewhere for
//!   the rest only, with a byte range.
//!
//! [`crate::manual::_03_failover`] tells the whole story from a driver's point of view.

pub mod location;
pub(crate) mod resume;
pub(crate) mod steering;
mod timeouts;

pub use timeouts::RequestTimeouts;

use crate::config::PlayerConfig;
use crate::io::RequestKind;
use crate::presentation::{BaseUrl, Location, Presentation, SegmentRef};
use core::time::Duration;
use location::{LocationSet, Pick};
use std::borrow::Cow;
use steering::Steering;

/// A body is measured over windows this long: one that brings less than its floor in a whole
/// window is a failing location, like a silent one (a tenth of its rung for media, 8 kbit/s
/// otherwise).
pub const PROGRESS_WINDOW: Duration = Duration::from_secs(2);

/// The floor of a body that is not media: a manifest, an index, an init segment, a steering
/// answer (bits per second). A body that brings at least this is alive: slow, left for another
/// location, but not a sign that every location is dead (it does not count towards giving up).
pub const ALIVE_BPS: u64 = 8_000;
const MIN_RATE_OTHER_BPS: u64 = ALIVE_BPS;

/// A media body must bring at least this fraction of its rung's bit rate.
const MIN_RATE_OF_RUNG: u64 = 10;

/// The failover state of one session.
#[derive(Clone, Debug)]
pub(crate) struct Failover {
    locations: LocationSet,
    /// The location DVB `@weight` made this session favour, if any.
    favoured: Option<usize>,
    steering: Option<Steering>,
    give_up_after: Duration,
    probe_buffer: Duration,
    timeouts: Option<RequestTimeouts>,
    seed: u64,
}

impl Failover {
    /// Failover as `config` sets it, before a presentation is known.
    pub(crate) fn new(config: &PlayerConfig) -> Self {
        Failover {
            locations: LocationSet::default(),
            favoured: None,
            steering: None,
            give_up_after: config.give_up_after,
            probe_buffer: config.probe_buffer,
            timeouts: config.request_timeouts,
            seed: config.seed,
        }
    }

    /// Start over with `presentation`'s locations (and its steering server) at `now`.
    pub(crate) fn start(&mut self, presentation: &Presentation, now: Duration) {
        self.locations = LocationSet::new(presentation.locations.len());
        self.favoured = location::weighted_choice(&presentation.locations, self.seed);
        self.steering = presentation.steering.as_ref().map(|s| Steering::new(s, now));
    }

    /// `base_urls` in the order to try them.
    pub(crate) fn candidates<'a>(
        &self,
        base_urls: &'a [BaseUrl],
        locations: &[Location],
    ) -> Cow<'a, [BaseUrl]> {
        match (&self.steering, self.favoured) {
            (Some(s), _) => Cow::Owned(s.order(base_urls, locations)),
            (None, Some(favoured)) => {
                let mut ordered = base_urls.to_vec();
                ordered.sort_by_key(|b| b.location != favoured);
                Cow::Owned(ordered)
            }
            (None, None) => Cow::Borrowed(base_urls),
        }
    }

    /// Where a request with `buffer` of media buffered goes among `candidates` at `now`.
    pub(crate) fn pick(&self, candidates: &[BaseUrl], now: Duration, buffer: Duration) -> Pick {
        self.locations.pick(candidates, now, buffer >= self.probe_buffer)
    }

    /// The absolute URL of `resource` at `base` (with a pathway clone's parameters).
    pub(crate) fn url(&self, base: &BaseUrl, resource: &SegmentRef) -> Result<String, url::ParseError> {
        let url = base.url.join(&resource.url)?.to_string();
        Ok(match &self.steering {
            Some(steering) => steering.decorate(url, base.location),
            None => url,
        })
    }

    /// A request to `location` succeeded.
    pub(crate) fn succeeded(&mut self, location: usize) {
        self.locations.succeeded(location);
    }

    /// A request to `location` failed at `now`.
    pub(crate) fn failed(&mut self, location: usize, now: Duration) {
        self.locations.failed(location, now);
    }

    /// Whether a request to `current` that is slow but alive is worth leaving: some other
    /// location is neither excluded nor known to be slow. `current` is remembered as slow.
    pub(crate) fn leave_slow(&mut self, current: Option<usize>, now: Duration) -> bool {
        let worth = self.locations.has_alternative(current, now);
        if let Some(location) = current {
            self.locations.slow(location, now);
        }
        worth
    }

    /// Whether requests are ever given up for silence.
    pub(crate) fn has_timeouts(&self) -> bool {
        self.timeouts.is_some()
    }

    /// The (first byte, stall) limits of a request of `kind`; `buffer` is the media buffered of
    /// its track (media and init requests), `round_trip` the measured latency.
    pub(crate) fn limits(
        &self,
        kind: RequestKind,
        buffer: Option<Duration>,
        round_trip: Option<Duration>,
    ) -> (Duration, Duration) {
        match (self.timeouts, buffer) {
            (None, _) => (Duration::MAX / 4, Duration::MAX / 4),
            (Some(t), Some(buffer)) if matches!(kind, RequestKind::Media | RequestKind::Init) => {
                // Never less than three measured round trips: a far server is not a dead one.
                let floor = round_trip.unwrap_or_default() * 3;
                let (first_byte, stall) = t.for_buffer(buffer);
                (first_byte.max(floor), stall)
            }
            (Some(t), _) => (t.first_byte, t.stall),
        }
    }

    /// The least rate, in bit/s, a body of `kind` must keep up over a [`PROGRESS_WINDOW`] (media
    /// of a rung at `rung_bps`: a tenth of it, never less than 8 kbit/s); 0 without timeouts. A
    /// server that trickles a byte now and then is left for another as a silent one is.
    pub(crate) fn min_rate(&self, kind: RequestKind, rung_bps: Option<u64>) -> u64 {
        if self.timeouts.is_none() {
            return 0;
        }
        match (kind, rung_bps) {
            (RequestKind::Media, Some(rung)) => (rung / MIN_RATE_OF_RUNG).max(MIN_RATE_OTHER_BPS),
            _ => MIN_RATE_OTHER_BPS,
        }
    }

    /// Whether something failing on every location since `since` is given up at `now`.
    pub(crate) fn gives_up(&self, since: Duration, now: Duration) -> bool {
        now.saturating_sub(since) >= self.give_up_after
    }

    /// When something failing since `since` will be given up.
    pub(crate) fn give_up_at(&self, since: Duration) -> Duration {
        since.saturating_add(self.give_up_after)
    }

    /// How long something may fail on every location before the session fails.
    pub(crate) fn give_up_after(&self) -> Duration {
        self.give_up_after
    }

    /// The steering client, when the presentation has a steering server.
    pub(crate) fn steering(&self) -> Option<&Steering> {
        self.steering.as_ref()
    }

    /// The steering client, to act on its answers.
    pub(crate) fn steering_mut(&mut self) -> Option<&mut Steering> {
        self.steering.as_mut()
    }

    /// Make room for the health record of a location added during the session.
    pub(crate) fn add_location(&mut self, count: usize) {
        self.locations.grow(count);
    }
}
