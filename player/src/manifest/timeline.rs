//! Segment positions: from a SegmentTimeline (`S@t`, `@d`, `@r`, `@n`) or from a constant
//! `@duration`, in media timescale ticks.

use super::ManifestError;
use crate::presentation::{Run, Step};

pub(super) use crate::presentation::Entry;

/// What the expansion needs besides the timeline itself.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bounds<'a> {
    /// Where, for errors.
    pub at: &'a str,
    /// `@startNumber`.
    pub start_number: u64,
    /// `@endNumber`: no segment numbered above it.
    pub end_number: Option<u64>,
    /// End of the period in media ticks (presentation time offset included, rounded up), when
    /// known.
    pub period_end: Option<u64>,
    /// Most entries allowed.
    pub limit: u64,
}

fn too_many(bounds: &Bounds<'_>, count: u64) -> ManifestError {
    ManifestError::TooManySegments { at: bounds.at.into(), count, limit: bounds.limit }
}

fn overflow(bounds: &Bounds<'_>, what: &str) -> ManifestError {
    ManifestError::InvalidTiming { at: bounds.at.into(), reason: format!("{what} overflows") }
}

/// The runs of a SegmentTimeline's `S` elements (ISO/IEC 23009-1 5.3.9.6): one per element,
/// its repeats included, without listing them.
///
/// A missing `@t` continues from the previous element (zero for the first); `@r="-1"` repeats
/// until the next element's `@t` or, for the last, the period's end.
pub(super) fn runs(timeline: &[dash_mpd_core::S], bounds: &Bounds<'_>) -> Result<Vec<Run>, ManifestError> {
    let mut runs: Vec<Run> = Vec::with_capacity(timeline.len());
    let mut cursor: u64 = 0;
    let mut number = bounds.start_number;
    let mut total: u64 = 0;
    for (index, s) in timeline.iter().enumerate() {
        let attribute_error =
            |attribute: &'static str, value: String, reason: &str| ManifestError::InvalidAttribute {
                at: format!("{} > SegmentTimeline > S[{index}]", bounds.at),
                attribute,
                value,
                reason: reason.into(),
            };
        let time = match s.t {
            Some(t) if t < cursor && index > 0 => {
                return Err(attribute_error(
                    "S@t",
                    t.to_string(),
                    &format!("goes back before the previous segment's end ({cursor})"),
                ));
            }
            Some(t) => t,
            None => cursor,
        };
        if s.d == 0 {
            return Err(attribute_error("S@d", "0".into(), "must be positive"));
        }
        if let Some(n) = s.n {
            number = n;
        }
        // With r=-1 the repeats stop at `until`; the last one is cut there.
        let (mut count, until) = match s.r.unwrap_or(0) {
            r if r >= 0 => (u64::try_from(r).unwrap_or(u64::MAX).saturating_add(1), None),
            -1 => {
                let next_t = timeline.get(index + 1).and_then(|next| next.t);
                let end = next_t
                    .or(bounds.period_end)
                    .ok_or_else(|| ManifestError::UnknownPeriodDuration { at: bounds.at.into() })?;
                (end.saturating_sub(time).div_ceil(s.d), Some(end))
            }
            r => return Err(attribute_error("S@r", r.to_string(), "must be -1 or more")),
        };
        let mut last = false;
        if let Some(end) = bounds.end_number {
            let left = end.checked_sub(number).map_or(0, |n| n.saturating_add(1));
            if count >= left {
                count = left;
                last = true;
            }
        }
        total = total.saturating_add(count);
        if total > bounds.limit {
            return Err(too_many(bounds, total));
        }
        let first = total - count;
        let run = Run { first, count, number, time, step: Step::Ticks { duration: s.d, until } };
        let span = count.checked_mul(s.d).and_then(|span| time.checked_add(span));
        let (Some(span), true) = (span, run.fits()) else {
            return Err(overflow(bounds, "S@t + S@d"));
        };
        cursor = until.map_or(span, |until| span.min(until).max(time));
        number = number.checked_add(count).ok_or_else(|| overflow(bounds, "segment number"))?;
        if count > 0 {
            runs.push(run);
        }
        if last {
            break;
        }
    }
    Ok(runs)
}

/// The run of `count` segments of `duration` ticks each from `start_time`, numbered from
/// `start_number` (SegmentTemplate or SegmentList `@duration`). A fractional `duration` is
/// rounded per segment boundary so errors do not accumulate.
pub(super) fn constant(
    count: u64,
    duration: f64,
    start_time: u64,
    bounds: &Bounds<'_>,
) -> Result<Vec<Run>, ManifestError> {
    if count > bounds.limit {
        return Err(too_many(bounds, count));
    }
    let count = match bounds.end_number {
        Some(end) => count.min(end.checked_sub(bounds.start_number).map_or(0, |n| n.saturating_add(1))),
        None => count,
    };
    let step = match (duration.fract() == 0.0 && duration < 9.0e15).then_some(duration as u64) {
        Some(duration) => Step::Ticks { duration, until: None },
        None => Step::Fractional(duration),
    };
    let run = Run { first: 0, count, number: bounds.start_number, time: start_time, step };
    if !run.fits() {
        return Err(overflow(bounds, "segment time"));
    }
    Ok(if count == 0 { Vec::new() } else { vec![run] })
}

/// Every entry of `runs`, in order, at most `limit` of them.
pub(super) fn entries(runs: &[Run], limit: usize) -> Vec<Entry> {
    runs.iter().flat_map(|run| (0..run.count).map_while(|k| run.entry(k))).take(limit).collect()
}

/// How many `duration`-tick segments cover `period_ticks` (rounded up), saturating at
/// `u64::MAX`. `duration` must be positive and finite.
pub(super) fn count_for(period_ticks: u64, duration: f64) -> u64 {
    if duration.fract() == 0.0 && duration < 9.0e15 {
        return period_ticks.div_ceil(duration as u64);
    }
    let count = (period_ticks as f64 / duration - 1e-9).ceil();
    if count <= 0.0 {
        0
    } else if count >= 1.8e19 {
        u64::MAX
    } else {
        count as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_mpd_core::S;

    fn s(t: Option<u64>, d: u64, r: Option<i64>) -> S {
        S { t, d, r, ..S::default() }
    }

    fn expand(timeline: &[S], bounds: &Bounds<'_>) -> Result<Vec<Entry>, ManifestError> {
        runs(timeline, bounds).map(|runs| entries(&runs, usize::MAX))
    }

    fn constant(
        count: u64,
        duration: f64,
        start: u64,
        bounds: &Bounds<'_>,
    ) -> Result<Vec<Entry>, ManifestError> {
        super::constant(count, duration, start, bounds).map(|runs| entries(&runs, usize::MAX))
    }

    fn bounds(period_end: Option<u64>) -> Bounds<'static> {
        Bounds { at: "here", start_number: 1, end_number: None, period_end, limit: 1000 }
    }

    #[test]
    fn repeats_and_implicit_times() {
        let entries = expand(&[s(Some(10), 5, Some(2)), s(None, 3, None)], &bounds(None)).unwrap();
        let times: Vec<_> = entries.iter().map(|e| (e.number, e.time, e.duration)).collect();
        assert_eq!(times, [(1, 10, 5), (2, 15, 5), (3, 20, 5), (4, 25, 3)]);
    }

    #[test]
    fn repeat_to_next_t_and_to_period_end() {
        let to_next = expand(&[s(Some(0), 4, Some(-1)), s(Some(10), 2, None)], &bounds(None)).unwrap();
        let got: Vec<_> = to_next.iter().map(|e| (e.time, e.duration)).collect();
        assert_eq!(got, [(0, 4), (4, 4), (8, 2), (10, 2)]);
        let to_end = expand(&[s(Some(100), 4, Some(-1))], &bounds(Some(110))).unwrap();
        assert_eq!(to_end.iter().map(|e| e.time).collect::<Vec<_>>(), [100, 104, 108]);
        assert!(matches!(
            expand(&[s(None, 4, Some(-1))], &bounds(None)),
            Err(ManifestError::UnknownPeriodDuration { .. })
        ));
    }

    #[test]
    fn gaps_n_and_end_number() {
        let mut b = bounds(None);
        b.end_number = Some(11);
        let mut second = s(Some(50), 10, Some(5));
        second.n = Some(10);
        let entries = expand(&[s(Some(0), 10, None), second], &b).unwrap();
        let got: Vec<_> = entries.iter().map(|e| (e.number, e.time)).collect();
        assert_eq!(got, [(1, 0), (10, 50), (11, 60)]);
    }

    #[test]
    fn hostile_timelines() {
        assert!(matches!(
            expand(&[s(Some(0), 0, None)], &bounds(None)),
            Err(ManifestError::InvalidAttribute { attribute: "S@d", .. })
        ));
        assert!(matches!(
            expand(&[s(Some(0), 1, Some(-2))], &bounds(None)),
            Err(ManifestError::InvalidAttribute { attribute: "S@r", .. })
        ));
        assert!(matches!(
            expand(&[s(Some(0), 1, Some(i64::MAX))], &bounds(None)),
            Err(ManifestError::TooManySegments { .. })
        ));
        assert!(matches!(
            expand(&[s(Some(0), 1, Some(-1))], &bounds(Some(u64::MAX))),
            Err(ManifestError::TooManySegments { .. })
        ));
        assert!(matches!(
            expand(&[s(Some(u64::MAX - 1), 5, Some(1))], &bounds(None)),
            Err(ManifestError::InvalidTiming { .. })
        ));
        assert!(matches!(
            expand(&[s(Some(10), 5, None), s(Some(12), 5, None)], &bounds(None)),
            Err(ManifestError::InvalidAttribute { attribute: "S@t", .. })
        ));
    }

    #[test]
    fn constant_durations() {
        let entries = constant(3, 2.0, 100, &bounds(None)).unwrap();
        assert_eq!(
            entries.iter().map(|e| (e.number, e.time)).collect::<Vec<_>>(),
            [(1, 100), (2, 102), (3, 104)]
        );
        let fractional = constant(3, 1.5, 0, &bounds(None)).unwrap();
        let total: u64 = fractional.iter().map(|e| e.duration).sum();
        assert_eq!(total, 5); // 0..2, 2..3, 3..5 (rounded boundaries at 0, 1.5, 3, 4.5)
        assert_eq!(count_for(6_000, 2_000.0), 3);
        assert_eq!(count_for(6_001, 2_000.0), 4);
        assert_eq!(count_for(6, 1.5), 4);
        assert_eq!(count_for(u64::MAX, 1e-300), u64::MAX);
    }
}
