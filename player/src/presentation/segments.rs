//! A representation's media segments: stored one by one when the source lists them (SegmentList,
//! a `sidx`, a simulator's ladder), computed when asked when a SegmentTemplate describes them.
//!
//! A template is kept as the template and its timeline in runs (one per `S` element, or one for a
//! constant `@duration`), so memory follows the size of the manifest, not the number of segments
//! it describes: a template with a million segments costs a few hundred bytes, and each segment's
//! URL is built when the player asks for that segment. Lookups by index and by time are binary
//! searches.

use super::{MediaSegment, SegmentRef};
use crate::manifest::template::{UrlTemplate, Values};
use crate::manifest::ticks_to_duration;
use core::time::Duration;

/// The media segments of one representation, in presentation order.
#[derive(Clone, Debug, PartialEq)]
pub struct Segments(Repr);

#[derive(Clone, Debug, PartialEq)]
enum Repr {
    Listed(Vec<MediaSegment>),
    Computed(Box<Computed>),
}

/// A SegmentTemplate's segments, computed when asked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Computed {
    /// `SegmentTemplate@media`.
    pub(crate) media: UrlTemplate,
    /// `Representation@id`, for `$RepresentationID$`.
    pub(crate) representation_id: String,
    /// `Representation@bandwidth`, for `$Bandwidth$`.
    pub(crate) bandwidth: u64,
    /// Ticks per second.
    pub(crate) timescale: u64,
    /// `@presentationTimeOffset`, in ticks.
    pub(crate) offset: u64,
    /// The period's duration, when known: segments are cut there.
    pub(crate) period: Option<Duration>,
    /// The timeline, in order; each run's `first` counts the entries before it.
    pub(crate) runs: Vec<Run>,
    /// Entries before the first that plays (they end before the period starts).
    head: u64,
    /// Entries that play.
    len: u64,
}

/// Consecutive segments of one duration: an `S` element with its repeats, or a constant
/// `@duration`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Run {
    /// Index of the run's first entry among all the timeline's entries.
    pub(crate) first: u64,
    /// Entries in the run.
    pub(crate) count: u64,
    /// `$Number$` of its first entry.
    pub(crate) number: u64,
    /// `$Time$` of its first entry (ticks, presentation time offset included).
    pub(crate) time: u64,
    /// How its entries follow each other.
    pub(crate) step: Step,
}

/// The duration of a run's entries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Step {
    /// Whole ticks; with `until`, no entry reaches past it (`S@r="-1"` up to the next `S@t`).
    Ticks {
        /// Duration of each entry.
        duration: u64,
        /// Where the last entry is cut.
        until: Option<u64>,
    },
    /// A fractional `@duration`: boundaries are rounded each, so errors do not add up.
    Fractional(f64),
}

/// One timeline entry: `$Number$`, `$Time$` and duration in ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) number: u64,
    pub(crate) time: u64,
    pub(crate) duration: u64,
}

impl Run {
    /// Entry `k` of the run, `None` when its time overflows.
    pub(crate) fn entry(&self, k: u64) -> Option<Entry> {
        let number = self.number.checked_add(k)?;
        match self.step {
            Step::Ticks { duration, until } => {
                let time = self.time.checked_add(k.checked_mul(duration)?)?;
                let duration = until.map_or(duration, |until| duration.min(until.saturating_sub(time)));
                Some(Entry { number, time, duration })
            }
            Step::Fractional(duration) => {
                let offset = |i: u64| {
                    let ticks = (i as f64 * duration).round();
                    (ticks.is_finite() && ticks < 1.8e19).then_some(ticks as u64)
                };
                let begin = self.time.checked_add(offset(k)?)?;
                let end = self.time.checked_add(offset(k.checked_add(1)?)?)?;
                Some(Entry { number, time: begin, duration: end.saturating_sub(begin) })
            }
        }
    }

    /// Whether every entry's number and time fit in 64 bits.
    pub(crate) fn fits(&self) -> bool {
        self.count == 0 || self.entry(self.count - 1).and_then(|e| e.time.checked_add(e.duration)).is_some()
    }
}

impl Computed {
    /// A template's segments over `runs`; `None` when an entry's time overflows.
    pub(crate) fn new(
        media: UrlTemplate,
        representation_id: String,
        bandwidth: u64,
        timescale: u64,
        offset: u64,
        period: Option<Duration>,
        runs: Vec<Run>,
    ) -> Option<Computed> {
        if !runs.iter().all(Run::fits) {
            return None;
        }
        let mut computed = Computed {
            media,
            representation_id,
            bandwidth,
            timescale,
            offset,
            period,
            runs,
            head: 0,
            len: 0,
        };
        let total = computed.runs.last().map_or(0, |r| r.first + r.count);
        // Entries are in time order: those that play are one stretch.
        computed.head = partition(total, |i| computed.before(i));
        computed.len = partition(total - computed.head, |i| {
            computed.place(computed.head + i).is_some_and(|p| p.is_some())
        });
        Some(computed)
    }

    /// Entry `i` of the timeline.
    fn entry(&self, i: u64) -> Option<Entry> {
        let run = self.runs.partition_point(|r| r.first + r.count <= i);
        let run = self.runs.get(run)?;
        run.entry(i.checked_sub(run.first)?)
    }

    /// Whether entry `i` ends before the period starts.
    fn before(&self, i: u64) -> bool {
        self.entry(i).is_some_and(|e| e.time.saturating_add(e.duration) <= self.offset)
    }

    /// Entry `i`'s start and duration on the period timeline: `Some(None)` when it does not play
    /// (before the period's start, or at or after its end).
    fn place(&self, i: u64) -> Option<Option<(Duration, Duration)>> {
        let entry = self.entry(i)?;
        Some(place(&entry, self.offset, self.timescale, self.period))
    }

    /// Segment `index` among those that play.
    fn segment(&self, index: u64) -> Option<MediaSegment> {
        let i = self.head.checked_add(index).filter(|_| index < self.len)?;
        let entry = self.entry(i)?;
        let (start, duration) = place(&entry, self.offset, self.timescale, self.period)?;
        let values = Values {
            representation_id: &self.representation_id,
            bandwidth: self.bandwidth,
            number: Some(entry.number),
            time: Some(entry.time),
        };
        // Checked when the manifest was read: the template expands with $Number$ and $Time$.
        let url = self.media.expand(&values).ok()?;
        Some(MediaSegment {
            location: SegmentRef { url, range: None },
            number: entry.number,
            start,
            duration,
            size: None,
        })
    }

    /// Start and duration of segment `index` among those that play.
    fn timing(&self, index: u64) -> Option<(Duration, Duration)> {
        let i = self.head.checked_add(index).filter(|_| index < self.len)?;
        place(&self.entry(i)?, self.offset, self.timescale, self.period)
    }
}

/// The first `i` in `0..n` for which `is_before(i)` is false (`is_before` true then false).
fn partition(n: u64, is_before: impl Fn(u64) -> bool) -> u64 {
    let (mut low, mut high) = (0u64, n);
    while low < high {
        let mid = low + (high - low) / 2;
        if is_before(mid) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

/// A segment's start and duration on the period timeline, or `None` when it lies wholly before
/// the period's start or at or after its end. The last segment is cut at the period's end.
pub(crate) fn place(
    entry: &Entry,
    offset: u64,
    timescale: u64,
    period: Option<Duration>,
) -> Option<(Duration, Duration)> {
    let end_ticks = entry.time.saturating_add(entry.duration).checked_sub(offset)?;
    if end_ticks == 0 {
        return None;
    }
    let start = ticks_to_duration(entry.time.saturating_sub(offset), timescale);
    let mut end = ticks_to_duration(end_ticks, timescale);
    if let Some(period) = period {
        if start >= period {
            return None;
        }
        end = end.min(period);
    }
    Some((start, end.saturating_sub(start)))
}

impl Segments {
    /// Segments computed from a template.
    pub(crate) fn computed(computed: Computed) -> Self {
        Segments(Repr::Computed(Box::new(computed)))
    }

    /// How many segments there are.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Listed(list) => list.len(),
            Repr::Computed(c) => usize::try_from(c.len).unwrap_or(usize::MAX),
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Segment `index` (its URL built now, for a template).
    pub fn get(&self, index: usize) -> Option<MediaSegment> {
        match &self.0 {
            Repr::Listed(list) => list.get(index).cloned(),
            Repr::Computed(c) => c.segment(index as u64),
        }
    }

    /// Start and duration of segment `index` on the period's timeline.
    pub fn timing(&self, index: usize) -> Option<(Duration, Duration)> {
        match &self.0 {
            Repr::Listed(list) => list.get(index).map(|s| (s.start, s.duration)),
            Repr::Computed(c) => c.timing(index as u64),
        }
    }

    /// Size in bytes of segment `index`, where known.
    pub fn size(&self, index: usize) -> Option<flick_abr::units::Bytes> {
        match &self.0 {
            Repr::Listed(list) => list.get(index)?.size,
            Repr::Computed(_) => None,
        }
    }

    /// Start of the first segment.
    pub fn first_start(&self) -> Option<Duration> {
        self.timing(0).map(|(start, _)| start)
    }

    /// Index of the first segment that ends after `position` (`len()` when none does).
    pub fn index_ending_after(&self, position: Duration) -> usize {
        partition(self.len() as u64, |i| {
            self.timing(i as usize).is_some_and(|(start, duration)| start + duration <= position)
        }) as usize
    }

    /// How many segments start before `end`.
    pub fn count_starting_before(&self, end: Duration) -> usize {
        partition(self.len() as u64, |i| self.timing(i as usize).is_some_and(|(start, _)| start < end))
            as usize
    }

    /// The stored list, to change it (`None` for segments computed from a template).
    pub fn listed_mut(&mut self) -> Option<&mut Vec<MediaSegment>> {
        match &mut self.0 {
            Repr::Listed(list) => Some(list),
            Repr::Computed(_) => None,
        }
    }

    /// Whether the segments are computed from a template when asked (not stored one by one).
    pub fn is_computed(&self) -> bool {
        matches!(self.0, Repr::Computed(_))
    }

    /// Every segment, in order (URLs built as they come).
    pub fn iter(&self) -> impl Iterator<Item = MediaSegment> + '_ {
        (0..self.len()).map_while(|i| self.get(i))
    }
}

impl FromIterator<MediaSegment> for Segments {
    fn from_iter<I: IntoIterator<Item = MediaSegment>>(iter: I) -> Self {
        Segments(Repr::Listed(iter.into_iter().collect()))
    }
}

impl From<Vec<MediaSegment>> for Segments {
    fn from(list: Vec<MediaSegment>) -> Self {
        Segments(Repr::Listed(list))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> UrlTemplate {
        UrlTemplate::parse(text).unwrap()
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_million_segment_template_is_a_few_runs_and_answers_by_index_and_time() {
        let run = Run {
            first: 0,
            count: 1_000_000,
            number: 1,
            time: 0,
            step: Step::Ticks { duration: 2, until: None },
        };
        let c = Computed::new(
            template("seg-$Number$.m4s"),
            "v".into(),
            1,
            1,
            0,
            Some(secs(1_999_999.0)),
            vec![run],
        )
        .unwrap();
        let s = Segments::computed(c);
        assert_eq!(s.len(), 1_000_000);
        let last = s.get(999_999).unwrap();
        assert_eq!(last.location.url, "seg-1000000.m4s");
        assert_eq!((last.start, last.duration), (secs(1_999_998.0), secs(1.0)), "cut at the period's end");
        assert_eq!(s.index_ending_after(secs(5.0)), 2);
        assert_eq!(s.index_ending_after(secs(1e9)), 1_000_000);
        assert_eq!(s.count_starting_before(secs(4.0)), 2);
        assert!(s.get(1_000_000).is_none());
    }

    #[test]
    fn segments_before_the_period_start_are_left_out() {
        // Offset 10 ticks: the entries at 0..5 and 5..10 end before the period begins.
        let run =
            Run { first: 0, count: 6, number: 1, time: 0, step: Step::Ticks { duration: 5, until: None } };
        let c = Computed::new(template("$Time$"), "v".into(), 1, 1, 10, None, vec![run]).unwrap();
        let s = Segments::computed(c);
        assert_eq!(s.len(), 4);
        let first = s.get(0).unwrap();
        assert_eq!((first.location.url.as_str(), first.number, first.start), ("10", 3, Duration::ZERO));
    }

    #[test]
    fn runs_whose_times_overflow_are_refused() {
        let run = Run {
            first: 0,
            count: 3,
            number: 1,
            time: u64::MAX - 5,
            step: Step::Ticks { duration: 5, until: None },
        };
        assert!(Computed::new(template("x"), "v".into(), 1, 1, 0, None, vec![run]).is_none());
    }

    #[test]
    fn fractional_durations_round_each_boundary() {
        let run = Run { first: 0, count: 3, number: 1, time: 0, step: Step::Fractional(1.5) };
        let c = Computed::new(template("$Number$"), "v".into(), 1, 1, 0, None, vec![run]).unwrap();
        let s = Segments::computed(c);
        let total: Duration = (0..3).map(|i| s.timing(i).unwrap().1).sum();
        assert_eq!(total, secs(5.0), "0..2, 2..3, 3..5");
    }

    #[test]
    fn placing_segments() {
        let entry = |time, duration| Entry { number: 1, time, duration };
        let secs = Duration::from_secs;
        // Presentation time offset removed.
        assert_eq!(place(&entry(90_000, 180_000), 90_000, 90_000, None), Some((secs(0), secs(2))));
        // Wholly before the period: dropped; straddling its start: starts at zero.
        assert_eq!(place(&entry(0, 90_000), 90_000, 90_000, None), None);
        assert_eq!(place(&entry(0, 180_000), 90_000, 90_000, None), Some((secs(0), secs(1))));
        // Cut at the period's end, or dropped after it.
        assert_eq!(place(&entry(9, 2), 0, 1, Some(secs(10))), Some((secs(9), secs(1))));
        assert_eq!(place(&entry(10, 2), 0, 1, Some(secs(10))), None);
    }
}
