//! What a rendering driver tells the core about its decoder (the media it really holds, its frame
//! counters) and the viewer's choice among alternative tracks.

use super::Player;
use super::track::{TrackState, Wait};
use crate::io::{Output, PlayerEvent, RequestKind};
use crate::metrics::Outcome;
use crate::presentation::TrackKind;
use core::time::Duration;

/// Ranges closer than this count as one (decoders round segment edges to frames and samples).
const RANGE_GAP: Duration = Duration::from_millis(500);

/// The decoder may hold this much less than the core appended before the core refetches (the last
/// frame or audio packet of a segment often ends short of its nominal end).
const EVICTION_SLACK: Duration = Duration::from_millis(500);

/// End of the media held contiguously from `position` (`position` itself when nothing is held).
pub(crate) fn held_end(ranges: &[(Duration, Duration)], position: Duration) -> Duration {
    let mut sorted: Vec<(Duration, Duration)> = ranges.iter().copied().filter(|(s, e)| e > s).collect();
    sorted.sort();
    let mut end = position;
    for (start, stop) in sorted {
        if start <= end + RANGE_GAP && stop > end {
            end = stop;
        }
    }
    end
}

impl Player {
    /// The decoder's report of what it holds of one track.
    pub(super) fn on_buffered(&mut self, kind: TrackKind, ranges: &[(Duration, Duration)]) {
        if !self.state.is_active() {
            return;
        }
        let Some(ti) = self.tracks.iter().position(|t| t.kind == kind) else { return };
        let position = self.position(self.now);
        let held = held_end(ranges, position);
        let appended = self.tracks[ti].buffered_end;
        if held + EVICTION_SLACK >= appended {
            return;
        }
        let Some(presentation) = self.presentation.clone() else { return };
        let track = &presentation.periods[0].tracks[self.tracks[ti].track];
        let segments = track.representations.first().and_then(|r| r.segments.segments()).unwrap_or(&[]);
        let Some(next) = segments.iter().position(|s| s.start + s.duration > held + EVICTION_SLACK) else {
            return;
        };
        let resume_at = segments[next].start.max(position);
        for r in std::mem::take(&mut self.requests) {
            if r.track == Some(ti) && r.kind == RequestKind::Media {
                self.outputs.push_back(Output::Cancel(r.id));
                self.record_request(&r, Outcome::Cancelled);
            } else {
                self.requests.push(r);
            }
        }
        let t = &mut self.tracks[ti];
        t.next_segment = next;
        t.buffered_end = resume_at;
        t.in_flight = false;
        t.wait = Wait::None;
        t.partial = None;
        t.held_media = None;
        t.failing_since = None;
        self.emit(PlayerEvent::BufferEvicted { track: kind, held_until: held, appended_until: appended });
    }

    /// The decoder's frame counters.
    pub(super) fn on_frames(&mut self, decoded: u64, dropped: u64) {
        self.metrics.frames = Some((decoded, dropped));
    }

    /// Play the `index`-th track of `kind` instead of the current one.
    pub(super) fn select_track(&mut self, kind: TrackKind, index: usize) {
        if !(self.state.is_active() || self.state == crate::state::PlayerState::Ended) {
            return;
        }
        let Some(presentation) = self.presentation.clone() else { return };
        let period = &presentation.periods[0];
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

    /// Index, among the period's tracks of `kind`, of the one being played.
    pub fn selected_track(&self, kind: TrackKind) -> Option<usize> {
        let presentation = self.presentation.as_ref()?;
        let current = self.tracks.iter().find(|t| t.kind == kind)?.track;
        presentation.periods[0]
            .tracks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind == kind && !t.representations.is_empty())
            .position(|(i, _)| i == current)
    }
}

#[cfg(test)]
mod tests {
    use super::held_end;
    use core::time::Duration;

    fn s(x: f64) -> Duration {
        Duration::from_secs_f64(x)
    }

    #[test]
    fn held_end_follows_ranges_across_small_gaps_only() {
        let ranges = [(s(10.0), s(14.0)), (s(0.0), s(4.0)), (s(4.1), s(8.0))];
        assert_eq!(held_end(&ranges, s(1.0)), s(8.0));
        assert_eq!(held_end(&ranges, s(9.0)), s(9.0));
        assert_eq!(held_end(&ranges, s(9.6)), s(14.0));
        assert_eq!(held_end(&[], s(3.0)), s(3.0));
    }
}
