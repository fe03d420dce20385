//! Refreshing a live MPD: on its update period and when a timeline runs out, on the healthiest
//! location, and folding the new version into the session.

use super::MIN_REFRESH_INTERVAL;
use crate::io::{PlayerEvent, RequestKind};
use crate::player::Player;
use crate::player::track::{TrackState, Wait};
use crate::presentation::Presentation;
use core::time::Duration;
use std::sync::Arc;

impl Player {
    /// Ask for the MPD again: on its `@minimumUpdatePeriod`, or (`needed`) because a segment is
    /// not listed yet.
    pub(in crate::player) fn refresh_manifest(&mut self, needed: bool) {
        let Some(live) = self.live.as_ref() else { return };
        if live.ended || self.requests.iter().any(|r| r.kind == RequestKind::Manifest) {
            return;
        }
        if needed && live.refresh_sent_at.is_some_and(|at| self.now < at + MIN_REFRESH_INTERVAL) {
            return;
        }
        if let Some(live) = self.live.as_mut() {
            live.refresh_sent_at = Some(self.now);
            live.next_refresh = None;
        }
        self.request_manifest();
    }

    pub(in crate::player) fn schedule_refresh(&mut self, presentation: &Presentation) {
        let period = presentation.live.as_ref().and_then(|l| l.minimum_update_period);
        let Some(live) = self.live.as_mut() else { return };
        let from = live.refresh_sent_at.unwrap_or(self.now);
        live.next_refresh = period.map(|p| from + p.max(MIN_REFRESH_INTERVAL));
    }

    /// A new version of the MPD of a live session.
    pub(in crate::player) fn on_refresh(&mut self, fresh: Presentation) {
        let Some(old) = self.presentation.clone() else { return };
        if let Some(live) = self.live.as_mut() {
            live.refresh_failing_since = None;
        }
        let dynamic = fresh.is_live();
        self.emit(PlayerEvent::ManifestUpdated { dynamic, periods: fresh.periods.len() });
        let Some(old_period) = self.played_period(&old) else { return };
        let same = |p: &crate::presentation::Period| match (&p.id, &old_period.id) {
            (Some(a), Some(b)) => a == b,
            _ => p.start == old_period.start,
        };
        let Some(period) = fresh.periods.iter().position(same) else {
            // The period played left the MPD: keep playing what was known of it.
            return;
        };
        // Where each track's next segment starts, to find it again in the new timeline.
        let resume: Vec<Duration> = (0..self.tracks.len())
            .map(|i| {
                let t = &self.tracks[i];
                self.track_timeline(&old, i)
                    .and_then(|s| s.timing(t.next_segment))
                    .map_or(t.buffered_end, |x| x.0)
            })
            .collect();
        let fresh = Arc::new(fresh);
        self.presentation = Some(fresh.clone());
        self.period = period;
        self.generation += 1;
        let Some(new_period) = self.played_period(&fresh) else { return };
        let mut rebuild = false;
        for (i, at) in resume.into_iter().enumerate() {
            let t = &self.tracks[i];
            let Some(track) = new_period.tracks.get(t.track) else {
                rebuild = true;
                continue;
            };
            if track.kind != t.kind || track.representations.len() != t.rungs.len() {
                rebuild = true;
                continue;
            }
            let counted = TrackState::new(t.kind, t.track, track, new_period.duration);
            let next = self
                .track_timeline(&fresh, i)
                .map_or(0, |s| s.index_ending_after(at + Duration::from_millis(1)));
            let t = &mut self.tracks[i];
            t.segment_count = counted.segment_count;
            t.next_segment = next;
            t.live = dynamic;
            if matches!(t.wait, Wait::Available(_)) {
                t.wait = Wait::None;
            }
        }
        if rebuild {
            let position = self.position(self.now);
            for t in &mut self.tracks {
                if let Some(track) = new_period.tracks.get(t.track).filter(|tr| tr.kind == t.kind) {
                    *t = TrackState::new(t.kind, t.track, track, new_period.duration);
                    t.live = dynamic;
                }
            }
            self.seek(position);
        }
        if dynamic {
            self.schedule_refresh(&fresh);
        } else if let Some(live) = self.live.as_mut() {
            live.ended = true;
            live.next_refresh = None;
            self.set_rate(1.0);
        }
        self.report_mpd_events(&fresh);
    }

    /// A live MPD refresh failed: try again (the `<Location>` first, then the URL first loaded),
    /// and give up only if a track needs it and it kept failing.
    pub(in crate::player) fn on_refresh_failed(&mut self, error: crate::io::FetchError) {
        let now = self.now;
        let Some(live) = self.live.as_mut() else { return };
        let since = *live.refresh_failing_since.get_or_insert(now);
        // Retry at once elsewhere when there is somewhere else, in a second otherwise.
        let candidates = self.manifest_candidates();
        let next = candidates
            .iter()
            .position(|u| Some(u) == self.manifest_url.as_ref())
            .map_or(0, |i| (i + 1) % candidates.len().max(1));
        let elsewhere = candidates.get(next).filter(|u| Some(*u) != self.manifest_url.as_ref()).cloned();
        if let Some(live) = self.live.as_mut() {
            live.next_refresh =
                Some(now + if elsewhere.is_some() { MIN_REFRESH_INTERVAL } else { Duration::from_secs(1) });
            live.refresh_sent_at = None;
        }
        if let Some(url) = elsewhere {
            self.manifest_url = Some(url);
        }
        let needs = self.tracks.iter().any(|t| t.live && t.next_segment >= t.segment_count);
        if needs && self.failover.gives_up(since, now) {
            self.fail(crate::PlayerError::AllLocationsFailed {
                what: "live manifest".into(),
                last: Some(error),
            });
        }
    }

    /// Where a live MPD can be asked for: its `<Location>`s, the URL it was loaded from, and that
    /// URL on every other location (CDN) of the presentation, when it sits under one of their
    /// base URLs (a multi-CDN origin serves the MPD at the same path on each).
    pub(in crate::player) fn manifest_candidates(&self) -> Vec<url::Url> {
        let mut candidates: Vec<url::Url> = Vec::new();
        let mut add = |u: url::Url| {
            if !candidates.contains(&u) {
                candidates.push(u);
            }
        };
        let Some(presentation) = self.presentation.as_deref() else { return Vec::new() };
        for u in presentation.live.iter().flat_map(|l| &l.locations) {
            add(u.clone());
        }
        let Some(first) = self.first_manifest_url.clone() else { return candidates };
        add(first.clone());
        let bases: Vec<&url::Url> = self
            .played_period(presentation)
            .into_iter()
            .flat_map(|p| &p.tracks)
            .flat_map(|t| t.representations.first())
            .flat_map(|r| r.base_urls.iter().map(|b| &b.url))
            .collect();
        if let Some(rest) = bases.iter().find_map(|b| first.as_str().strip_prefix(b.as_str())) {
            for base in &bases {
                if let Ok(u) = base.join(rest) {
                    add(u);
                }
            }
        }
        candidates
    }

    /// For a live MPD refresh without a `<Location>`: the MPD's URL on the healthiest location
    /// (as segments choose theirs), and that location, when the MPD sits under the locations'
    /// base URLs.
    pub(in crate::player) fn refresh_location(&self) -> Option<(url::Url, usize)> {
        let presentation = self.presentation.as_deref()?;
        let live = presentation.live.as_ref()?;
        if !live.locations.is_empty() {
            return None;
        }
        let first = self.first_manifest_url.as_ref()?;
        let bases: Vec<&crate::presentation::BaseUrl> = self
            .played_period(presentation)?
            .tracks
            .first()?
            .representations
            .first()?
            .base_urls
            .iter()
            .collect();
        let rest = bases.iter().find_map(|b| first.as_str().strip_prefix(b.url.as_str()))?;
        let candidates: Vec<crate::presentation::BaseUrl> = bases
            .iter()
            .filter_map(|b| {
                Some(crate::presentation::BaseUrl { url: b.url.join(rest).ok()?, location: b.location })
            })
            .collect();
        let level = self.buffer_level(self.now);
        match self.failover.pick(&candidates, self.now, level) {
            crate::failover::location::Pick::Now(k) => candidates.get(k).map(|c| (c.url.clone(), c.location)),
            crate::failover::location::Pick::Wait(_) => None,
        }
    }
}
