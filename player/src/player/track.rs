//! Per-track scheduling state.

use crate::presentation::{Segments, Track, TrackKind};
use core::time::Duration;
use flick_abr::SegmentSizes;
use flick_abr::units::{Bitrate, Bytes};

/// Why a track is not fetching right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Ready to decide and fetch.
    None,
    /// The buffer is full: check again at this time.
    BufferFull(Duration),
    /// The ABR algorithm asked to wait before fetching this rung.
    Delayed { until: Duration, rung: usize },
    /// Every location is excluded: retry this rung at this time.
    Retry { until: Duration, rung: usize },
    /// A live segment not produced (or not listed) yet: look again at this time.
    Available(Duration),
}

/// The scheduling state of one selected track.
#[derive(Clone, Debug)]
pub(crate) struct TrackState {
    pub(crate) kind: TrackKind,
    /// Index of the track in the period.
    pub(crate) track: usize,
    pub(crate) rungs: Vec<Bitrate>,
    pub(crate) segment_count: usize,
    pub(crate) segment_duration: Duration,
    pub(crate) next_segment: usize,
    pub(crate) buffered_end: Duration,
    /// Representation whose init segment the decoder last received.
    pub(crate) appended_rep: Option<usize>,
    pub(crate) init_data: Vec<Option<bytes::Bytes>>,
    pub(crate) last_rung: Option<usize>,
    pub(crate) wait: Wait,
    pub(crate) in_flight: bool,
    /// When the current segment started failing on every location.
    pub(crate) failing_since: Option<Duration>,
    pub(crate) abandoned_rung: Option<usize>,
    /// After an abandonment, the highest rung the retry of the segment may use: below the
    /// abandoned one, so a segment is abandoned at most once per rung.
    pub(crate) retry_cap: Option<usize>,
    /// Part of the next segment received before its request failed.
    pub(crate) partial: Option<crate::failover::resume::Partial>,
    /// A media segment that arrived before the init segment fetched beside it.
    pub(crate) held_media: Option<(super::InFlight, bytes::Bytes)>,
    /// A live track: more segments come (it is never done).
    pub(crate) live: bool,
    /// Times in a row the next live segment was answered "not found" (not produced yet).
    pub(crate) not_yet: u8,
}

impl TrackState {
    /// State for `track`; segments starting at or after `period_end` are never fetched.
    pub(crate) fn new(kind: TrackKind, index: usize, track: &Track, period_end: Option<Duration>) -> Self {
        let reps = &track.representations;
        let playable = |segments: &Segments| match period_end {
            Some(end) => segments.count_starting_before(end),
            None => segments.len(),
        };
        let count = reps.iter().filter_map(|r| r.segments.segments().map(playable)).min().unwrap_or(0);
        let duration = reps
            .iter()
            .find_map(|r| r.segments.segments().and_then(|s| s.timing(0)).map(|(_, duration)| duration))
            .unwrap_or(Duration::from_secs(2));
        TrackState {
            kind,
            track: index,
            rungs: reps.iter().map(|r| r.bandwidth).collect(),
            segment_count: count,
            segment_duration: duration,
            next_segment: 0,
            buffered_end: Duration::ZERO,
            appended_rep: None,
            init_data: vec![None; reps.len()],
            last_rung: None,
            wait: Wait::None,
            in_flight: false,
            failing_since: None,
            abandoned_rung: None,
            retry_cap: None,
            partial: None,
            held_media: None,
            live: false,
            not_yet: 0,
        }
    }

    /// Whether every segment has been fetched.
    pub(crate) fn done(&self) -> bool {
        !self.live && self.next_segment >= self.segment_count
    }
}

/// Segment sizes of a track's representations, for the ABR context.
pub(crate) struct TrackSizes<'a>(pub &'a Track);

impl SegmentSizes for TrackSizes<'_> {
    fn size(&self, segment: usize, rung: usize) -> Option<Bytes> {
        self.0.representations.get(rung)?.segments.segments()?.size(segment)
    }
}
