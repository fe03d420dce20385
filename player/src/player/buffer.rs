//! The buffer model: how much media each track holds ahead of the position, what the decoder
//! really holds, and what playback may use.
//!
//! The core counts what it appended (`TrackState::buffered_end`); a rendering driver's report of
//! what its decoder holds ([`crate::Input::Buffered`]) is trusted over that count, and media the
//! decoder dropped ahead of the position is fetched again. Playback can use the media every
//! selected track holds: the least of their ends.

use super::Player;
use super::track::Wait;
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

/// The playback clock reached the end of the buffer while the decoder reports its position: the
/// core asked the decoder where it is before calling it a stall.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StallCheck {
    /// When the clock reached the end of the buffer.
    pub(crate) since: Duration,
    /// The end of the buffer it reached: media that came since moves it, and the check is stale.
    pub(crate) end: Duration,
}

impl Player {
    /// The end of the media every selected track holds.
    pub(super) fn playable_end(&self) -> Duration {
        self.tracks.iter().map(|t| t.buffered_end).min().unwrap_or_default()
    }

    /// Media of track `i` buffered ahead of the position.
    pub(super) fn track_level(&self, i: usize) -> Duration {
        self.tracks[i].buffered_end.saturating_sub(self.clock.position(self.now))
    }

    /// Whether every segment of every selected track has arrived.
    pub(super) fn content_fully_buffered(&self) -> bool {
        !self.tracks.is_empty() && self.tracks.iter().all(|t| t.done() && !t.in_flight)
    }

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
        let Some(segments) = self.track_timeline(&presentation, ti) else { return };
        let next = segments.index_ending_after(held + EVICTION_SLACK);
        let Some((start, _)) = segments.timing(next) else { return };
        let resume_at = start.max(position);
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
