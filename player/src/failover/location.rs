//! Candidate locations and their health: which CDN or server the next request goes to.
//!
//! A location that fails is excluded for a backoff that doubles with each consecutive failure
//! (1 s up to 30 s) and is tried again when it ends; a success clears its record. Requests go to
//! the best-ranked location that is not excluded; when all are excluded, to the one whose
//! exclusion ends first, once it ends.

use crate::presentation::BaseUrl;
use core::time::Duration;

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How long a location left for slowness is remembered as slow, the first time; doubled each time
/// in a row, up to 16 times.
const SLOW_MEMORY: Duration = Duration::from_secs(30);
/// Failures closer together than this count as one.
const SAME_EVENT: Duration = Duration::from_millis(500);

/// Health of one location over the session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocationHealth {
    /// Consecutive failures.
    pub consecutive_failures: u32,
    /// Total failures over the session.
    pub failures: u32,
    /// Total successful requests over the session.
    pub successes: u32,
    /// Excluded until this session time.
    pub excluded_until: Option<Duration>,
    /// When it last failed.
    pub last_failure: Option<Duration>,
    /// It was left for slowness: until this session time it is no better place to go.
    pub slow_until: Option<Duration>,
    /// Times in a row it was left for slowness (each doubles how long it is remembered).
    pub slow_in_a_row: u32,
}

/// Where a request should go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// Send it now to this base URL (index into the candidate list).
    Now(usize),
    /// Every candidate is excluded: try again at this time.
    Wait(Duration),
}

/// The location among the most preferred (lowest DVB `@priority`) that this session favours:
/// chosen with probability proportional to DVB `@weight`, from `seed`. `None` when there is no
/// choice to make (without any `@weight`, document order decides).
pub fn weighted_choice(locations: &[crate::presentation::Location], seed: u64) -> Option<usize> {
    let best = locations.iter().map(|l| l.priority.unwrap_or(1)).min()?;
    let group: Vec<(usize, u64)> = locations
        .iter()
        .enumerate()
        .filter(|(_, l)| l.priority.unwrap_or(1) == best)
        .map(|(i, l)| (i, u64::from(l.weight.unwrap_or(1))))
        .collect();
    let total: u64 = group.iter().map(|&(_, w)| w).sum();
    let weighted = locations.iter().any(|l| l.weight.is_some());
    if !weighted || group.len() < 2 || total == 0 {
        return None;
    }
    // SplitMix64 of the seed, reduced to the total weight.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    let mut ticket = (z ^ (z >> 31)) % total;
    for (i, w) in group {
        if ticket < w {
            return Some(i);
        }
        ticket -= w;
    }
    None
}

/// Health records for every location of a presentation.
#[derive(Clone, Debug, Default)]
pub struct LocationSet {
    health: Vec<LocationHealth>,
}

impl LocationSet {
    /// Records for `count` locations, all healthy.
    pub fn new(count: usize) -> Self {
        LocationSet { health: vec![LocationHealth::default(); count] }
    }

    /// Make room for `count` locations (new ones start healthy).
    pub fn grow(&mut self, count: usize) {
        if self.health.len() < count {
            self.health.resize(count, LocationHealth::default());
        }
    }

    /// The record of location `index`.
    pub fn health(&self, index: usize) -> Option<&LocationHealth> {
        self.health.get(index)
    }

    fn excluded(&self, location: usize, now: Duration) -> Option<Duration> {
        self.health.get(location).and_then(|h| h.excluded_until).filter(|&t| t > now)
    }

    /// Choose among `candidates` (best first): the best healthy location; a location that failed
    /// and whose exclusion is over only when `may_probe` (enough buffer to risk it) or when no
    /// healthy one is left; else wait for the first exclusion to end.
    pub fn pick(&self, candidates: &[BaseUrl], now: Duration, may_probe: bool) -> Pick {
        let mut soonest: Option<Duration> = None;
        let mut recovering = None;
        for (i, c) in candidates.iter().enumerate() {
            match self.excluded(c.location, now) {
                None => {
                    let failing = self.health.get(c.location).is_some_and(|h| h.consecutive_failures > 0);
                    if !failing || may_probe {
                        return Pick::Now(i);
                    }
                    recovering.get_or_insert(i);
                }
                Some(t) => soonest = Some(soonest.map_or(t, |s| s.min(t))),
            }
        }
        match (recovering, soonest) {
            (Some(i), _) => Pick::Now(i),
            (None, Some(t)) => Pick::Wait(t),
            (None, None) => Pick::Now(0),
        }
    }

    /// A request to `location` succeeded.
    pub fn succeeded(&mut self, location: usize) {
        if let Some(h) = self.health.get_mut(location) {
            h.successes += 1;
            h.consecutive_failures = 0;
            h.excluded_until = None;
            h.slow_in_a_row = 0;
        }
    }

    /// A request to `location` was left at `now` for bringing too little.
    pub fn slow(&mut self, location: usize, now: Duration) {
        if let Some(h) = self.health.get_mut(location) {
            let memory = SLOW_MEMORY * (1 << h.slow_in_a_row.min(4));
            h.slow_in_a_row = h.slow_in_a_row.saturating_add(1);
            h.slow_until = Some(now.saturating_add(memory));
        }
    }

    /// Whether some location other than `current` could take a request at `now`: neither
    /// excluded nor recently found slow.
    pub fn has_alternative(&self, current: Option<usize>, now: Duration) -> bool {
        self.health.iter().enumerate().any(|(i, h)| {
            Some(i) != current
                && h.excluded_until.is_none_or(|t| t <= now)
                && h.slow_until.is_none_or(|t| t <= now)
        })
    }

    /// A request to `location` failed at `now`.
    pub fn failed(&mut self, location: usize, now: Duration) {
        if let Some(h) = self.health.get_mut(location) {
            h.failures += 1;
            // Requests failing together (audio and video in one outage) are one event: they must
            // not lengthen the backoff as if the location had failed again and again.
            let same_event = h.last_failure.is_some_and(|t| now.saturating_sub(t) < SAME_EVENT);
            h.last_failure = Some(now);
            if same_event && h.excluded_until.is_some() {
                return;
            }
            h.consecutive_failures += 1;
            let doublings = h.consecutive_failures.saturating_sub(1).min(5);
            let backoff = (FIRST_BACKOFF * (1 << doublings)).min(MAX_BACKOFF);
            h.excluded_until = Some(now.saturating_add(backoff));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn bases() -> Vec<BaseUrl> {
        ["http://a/", "http://b/"]
            .iter()
            .enumerate()
            .map(|(i, u)| BaseUrl { url: Url::parse(u).unwrap(), location: i })
            .collect()
    }

    #[test]
    fn failure_moves_requests_to_the_next_location_and_backoff_brings_it_back() {
        let mut set = LocationSet::new(2);
        let b = bases();
        assert_eq!(set.pick(&b, Duration::ZERO, true), Pick::Now(0));
        set.failed(0, Duration::ZERO);
        assert_eq!(set.pick(&b, Duration::from_millis(500), true), Pick::Now(1));
        assert_eq!(set.pick(&b, Duration::from_secs(1), true), Pick::Now(0));
    }

    #[test]
    fn a_failed_location_is_probed_only_with_buffer_to_spare() {
        let mut set = LocationSet::new(2);
        let b = bases();
        set.failed(0, Duration::ZERO);
        let later = Duration::from_secs(5);
        assert_eq!(set.pick(&b, later, false), Pick::Now(1));
        assert_eq!(set.pick(&b, later, true), Pick::Now(0));
        set.failed(1, later);
        assert_eq!(set.pick(&b, later, false), Pick::Now(0), "nothing healthy: probe anyway");
        set.succeeded(0);
        assert_eq!(set.pick(&b, later, false), Pick::Now(0));
    }

    #[test]
    fn equally_preferred_locations_are_chosen_in_proportion_to_their_weight() {
        use crate::presentation::Location;
        let loc = |id: &str, priority, weight| Location {
            id: id.into(),
            priority: Some(priority),
            weight: Some(weight),
        };
        let locations = [loc("a", 1, 1), loc("b", 1, 3), loc("c", 2, 100)];
        let picks: Vec<usize> = (0..4000).filter_map(|seed| weighted_choice(&locations, seed)).collect();
        assert_eq!(picks.len(), 4000);
        let b = picks.iter().filter(|&&i| i == 1).count() as f64 / 4000.0;
        assert!((b - 0.75).abs() < 0.03, "b chosen {b}");
        assert!(picks.iter().all(|&i| i != 2), "a less preferred location is never the first choice");
        assert_eq!(weighted_choice(&locations[..1], 7), None);
        let plain = [
            Location { id: "a".into(), priority: None, weight: None },
            Location { id: "b".into(), priority: None, weight: None },
        ];
        assert_eq!(weighted_choice(&plain, 7), None, "no DVB weights: document order");
    }

    #[test]
    fn failures_of_one_outage_count_once() {
        let mut set = LocationSet::new(1);
        set.failed(0, Duration::from_secs(10));
        set.failed(0, Duration::from_millis(10_001));
        let h = set.health(0).unwrap();
        assert_eq!((h.failures, h.consecutive_failures), (2, 1));
        assert_eq!(h.excluded_until, Some(Duration::from_secs(11)));
    }

    #[test]
    fn all_excluded_waits_for_the_first_to_come_back() {
        let mut set = LocationSet::new(2);
        let b = bases();
        set.failed(0, Duration::ZERO);
        set.failed(0, Duration::from_secs(1)); // second failure: 2 s
        set.failed(1, Duration::from_secs(1));
        assert_eq!(set.pick(&b, Duration::from_secs(1), true), Pick::Wait(Duration::from_secs(2)));
    }
}
