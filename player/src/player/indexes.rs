//! Segment indexes (`sidx` of SegmentBase streams) fetched before playback: a few at a time, each
//! failing over across locations and given up like a segment, never ending the session at the
//! first error.

use super::Player;
use crate::error::PlayerError;
use crate::failover::location::Pick;
use crate::io::{FetchError, RequestKind};
use crate::presentation::SegmentIndex;
use core::time::Duration;

/// Index requests in flight at once.
pub(crate) const MAX_IN_FLIGHT: usize = 4;

/// One representation's index still to fetch.
#[derive(Clone, Debug)]
pub(crate) struct PendingIndex {
    /// The period's track.
    pub(crate) track: usize,
    /// The representation in it.
    pub(crate) rep: usize,
    /// Not before this time (after a failure, or while every location is excluded).
    pub(crate) not_before: Duration,
    /// Since when it has failed on every location tried.
    pub(crate) failing_since: Option<Duration>,
    /// A request for it is under way.
    pub(crate) in_flight: bool,
}

impl Player {
    /// Queue the index of every representation of `tracks` (period track indexes) that has one.
    pub(super) fn queue_indexes(&mut self, tracks: &[usize]) {
        let Some(presentation) = self.presentation.clone() else { return };
        let Some(period) = self.played_period(&presentation) else { return };
        self.pending_indexes.clear();
        for &track in tracks {
            for (rep, representation) in period.tracks[track].representations.iter().enumerate() {
                if matches!(representation.segments, SegmentIndex::Indexed { .. }) {
                    let now = self.now;
                    self.pending_indexes.push(PendingIndex {
                        track,
                        rep,
                        not_before: now,
                        failing_since: None,
                        in_flight: false,
                    });
                }
            }
        }
    }

    /// Send what is due, up to [`MAX_IN_FLIGHT`] at once.
    pub(super) fn pump_indexes(&mut self) {
        let Some(presentation) = self.presentation.clone() else { return };
        let Some(period) = self.played_period(&presentation) else { return };
        for i in 0..self.pending_indexes.len() {
            let in_flight = self.pending_indexes.iter().filter(|p| p.in_flight).count();
            let pending = &self.pending_indexes[i];
            if in_flight >= MAX_IN_FLIGHT || pending.in_flight || pending.not_before > self.now {
                continue;
            }
            let (track, rep) = (pending.track, pending.rep);
            if let Some(since) = pending.failing_since
                && self.failover.gives_up(since, self.now)
            {
                return self.give_up_index(track, rep, None);
            }
            let representation = &period.tracks[track].representations[rep];
            let SegmentIndex::Indexed { index, .. } = &representation.segments else { continue };
            let candidates = self.failover.candidates(&representation.base_urls, &presentation.locations);
            if candidates.is_empty() {
                self.fail(PlayerError::Unplayable(format!(
                    "representation {} has no URL",
                    representation.id
                )));
                return;
            }
            let base = match self.failover.pick(&candidates, self.now, Duration::ZERO) {
                Pick::Now(k) => candidates[k].clone(),
                Pick::Wait(until) => {
                    let pending = &mut self.pending_indexes[i];
                    let deadline = pending.failing_since.map(|s| self.failover.give_up_at(s));
                    pending.not_before = deadline.map_or(until, |d| until.min(d));
                    continue;
                }
            };
            let url = match self.failover.url(&base, index) {
                Ok(url) => url,
                Err(e) => {
                    self.fail(PlayerError::Unplayable(format!("bad index URL {}: {e}", index.url)));
                    return;
                }
            };
            self.pending_indexes[i].in_flight = true;
            let index = index.clone();
            self.send(RequestKind::Index, None, rep, Some(track), Some(base.location), url, &index);
        }
    }

    /// The index of (`track`, `rep`) arrived and was read.
    pub(super) fn index_done(&mut self, track: usize, rep: usize) {
        self.pending_indexes.retain(|p| (p.track, p.rep) != (track, rep));
        if self.pending_indexes.is_empty() {
            self.begin_playback();
        } else {
            self.pump_indexes();
        }
    }

    /// A request for the index of (`track`, `rep`) failed: try again (elsewhere, once its
    /// location is excluded), or fail the session when it has failed everywhere for too long.
    /// `alive`: it was cut for slowness while still bringing something (that does not count
    /// towards giving up).
    pub(super) fn index_failed(&mut self, track: usize, rep: usize, error: FetchError, alive: bool) {
        let now = self.now;
        let Some(pending) = self.pending_indexes.iter_mut().find(|p| (p.track, p.rep) == (track, rep)) else {
            return;
        };
        pending.in_flight = false;
        let since = match alive {
            true => pending.failing_since.unwrap_or(now),
            false => *pending.failing_since.get_or_insert(now),
        };
        if self.failover.gives_up(since, now) {
            return self.give_up_index(track, rep, Some(error));
        }
        pending.not_before = now;
        self.pump_indexes();
    }

    /// End the session: the index of (`track`, `rep`) failed everywhere for too long.
    fn give_up_index(&mut self, track: usize, rep: usize, last: Option<FetchError>) {
        let id = self
            .presentation
            .as_deref()
            .and_then(|p| self.played_period(p)?.tracks.get(track)?.representations.get(rep))
            .map_or_else(|| "?".to_string(), |r| r.id.clone());
        let what = format!("segment index of representation {id}");
        self.fail(PlayerError::AllLocationsFailed { what, last });
    }

    /// When a queued index is next due.
    pub(super) fn index_wake_up(&self) -> Option<Duration> {
        self.pending_indexes.iter().filter(|p| !p.in_flight).map(|p| p.not_before).min()
    }
}
