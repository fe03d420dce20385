//! Segment positions: from a SegmentTimeline (`S@t`, `@d`, `@r`, `@n`) or from a constant
//! `@duration`, in media timescale ticks.

use super::ManifestError;

/// One segment's number and place in media time (ticks of the representation's timescale,
/// presentation time offset included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    /// `$Number$`.
    pub number: u64,
    /// Earliest presentation time (`$Time$`).
    pub time: u64,
    /// Duration.
    pub duration: u64,
}

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

/// Expand a SegmentTimeline's `S` elements (ISO/IEC 23009-1 5.3.9.6).
///
/// A missing `@t` continues from the previous element (zero for the first); `@r="-1"` repeats
/// until the next element's `@t` or, for the last, the period's end.
pub(super) fn expand(
    timeline: &[dash_mpd_core::S],
    bounds: &Bounds<'_>,
) -> Result<Vec<Entry>, ManifestError> {
    let mut entries = Vec::new();
    let mut cursor: u64 = 0;
    let mut number = bounds.start_number;
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
        let repeat = s.r.unwrap_or(0);
        // With r=-1 the repeats stop at `until`; the last one is cut there.
        let (count, until) = match repeat {
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
        let total = (entries.len() as u64).saturating_add(count);
        if total > bounds.limit {
            return Err(too_many(bounds, total));
        }
        let mut time = time;
        for _ in 0..count {
            if bounds.end_number.is_some_and(|end| number > end) {
                return Ok(entries);
            }
            let duration = until.map_or(s.d, |until| s.d.min(until.saturating_sub(time)));
            entries.push(Entry { number, time, duration });
            time = time.checked_add(duration).ok_or_else(|| overflow(bounds, "S@t + S@d"))?;
            number = number.checked_add(1).ok_or_else(|| overflow(bounds, "segment number"))?;
        }
        cursor = time;
    }
    Ok(entries)
}

/// `count` segments of `duration` ticks each from `start_time`, numbered from `start_number`
/// (SegmentTemplate or SegmentList `@duration`). A fractional `duration` is rounded per segment
/// boundary so errors do not accumulate.
pub(super) fn constant(
    count: u64,
    duration: f64,
    start_time: u64,
    bounds: &Bounds<'_>,
) -> Result<Vec<Entry>, ManifestError> {
    if count > bounds.limit {
        return Err(too_many(bounds, count));
    }
    let whole = (duration.fract() == 0.0 && duration < 9.0e15).then_some(duration as u64);
    let offset = |i: u64| -> Option<u64> {
        match whole {
            Some(d) => i.checked_mul(d),
            None => {
                let ticks = (i as f64 * duration).round();
                (ticks.is_finite() && ticks < 1.8e19).then_some(ticks as u64)
            }
        }
    };
    let mut entries = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(4096));
    for i in 0..count {
        let number = bounds.start_number.checked_add(i).ok_or_else(|| overflow(bounds, "segment number"))?;
        if bounds.end_number.is_some_and(|end| number > end) {
            break;
        }
        let begin = offset(i).and_then(|o| o.checked_add(start_time));
        let end = i.checked_add(1).and_then(offset).and_then(|o| o.checked_add(start_time));
        let (Some(begin), Some(end)) = (begin, end) else {
            return Err(overflow(bounds, "segment time"));
        };
        entries.push(Entry { number, time: begin, duration: end.saturating_sub(begin) });
    }
    Ok(entries)
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
