//! Which adaptation sets of the period are played, and the viewer's choice among alternatives
//! (another audio language, say). Every look-up of "the track played in slot `i`" goes through
//! here, so playing another period is a change in one place.

use super::Player;
use super::track::TrackState;
use crate::io::PlayerEvent;
use crate::presentation::{Period, Presentation, Segments, Track, TrackKind};

impl Player {
    /// The period being played, in `presentation`.
    pub(super) fn played_period<'p>(&self, presentation: &'p Presentation) -> Option<&'p Period> {
        presentation.periods.get(self.period)
    }

    /// The adaptation set played in track slot `i`, in `presentation`.
    pub(super) fn played_track<'p>(&self, presentation: &'p Presentation, i: usize) -> Option<&'p Track> {
        self.played_period(presentation)?.tracks.get(self.tracks.get(i)?.track)
    }

    /// The segment timeline of track slot `i` (its first representation's: every rung shares it).
    pub(super) fn track_timeline<'p>(
        &self,
        presentation: &'p Presentation,
        i: usize,
    ) -> Option<&'p Segments> {
        self.played_track(presentation, i)
            .and_then(|t| t.representations.first())
            .and_then(|r| r.segments.segments())
    }

    /// Play the `index`-th track of `kind` instead of the current one.
    pub(super) fn select_track(&mut self, kind: TrackKind, index: usize) {
        if !(self.state.is_active() || self.state == crate::state::PlayerState::Ended) {
            return;
        }
        let Some(presentation) = self.presentation.clone() else { return };
        let Some(period) = self.played_period(&presentation) else { return };
        let Some(ti) = period
            .tracks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind == kind && !t.representations.is_empty())
            .nth(index)
            .map(|(i, _)| i)
        else {
            return;
        };
        let track = &period.tracks[ti];
        if track.representations.iter().any(|r| r.segments.segments().is_none()) {
            // Its segment index was never fetched (only the first track of each kind is indexed
            // at load); such tracks are not offered.
            return;
        }
        let Some(slot) = self.tracks.iter().position(|t| t.kind == kind) else { return };
        if self.tracks[slot].track == ti {
            return;
        }
        let position = self.position(self.now);
        self.tracks[slot] = TrackState::new(kind, ti, track, period.duration);
        self.emit(PlayerEvent::TrackChanged { kind, index, language: track.language.clone() });
        self.seek(position);
    }
}
