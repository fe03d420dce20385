//! Time arithmetic: timescale ticks to and from `Duration`, and period placement.

use super::{ManifestError, label};
use core::time::Duration;
use dash_mpd_core::MPD;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// `ticks / timescale` seconds, rounded down to the nanosecond. `timescale` must not be zero
/// (callers check; a zero timescale yields zero rather than a panic).
pub(crate) fn ticks_to_duration(ticks: u64, timescale: u64) -> Duration {
    if timescale == 0 {
        return Duration::ZERO;
    }
    let secs = ticks / timescale;
    let rest = u128::from(ticks % timescale);
    // rest < timescale, so the quotient is below one second's nanoseconds.
    let nanos = u32::try_from(rest * NANOS_PER_SEC / u128::from(timescale)).unwrap_or(0);
    Duration::new(secs, nanos)
}

/// `duration` in `timescale` ticks, rounded up; `None` when it does not fit in `u64`.
pub(crate) fn duration_to_ticks_ceil(duration: Duration, timescale: u64) -> Option<u64> {
    let nanos = duration.as_nanos().checked_mul(u128::from(timescale))?;
    u64::try_from(nanos.div_ceil(NANOS_PER_SEC)).ok()
}

/// Where a period sits on the presentation timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PeriodSpan {
    /// Start on the presentation timeline.
    pub start: Duration,
    /// Duration, when it can be known.
    pub duration: Option<Duration>,
}

/// Start and duration of every period (ISO/IEC 23009-1 5.3.2.1, static MPDs): a missing
/// `@start` follows the previous period's end (or is zero for the first period); a missing
/// `@duration` runs to the next period's start, or for the last period to
/// `@mediaPresentationDuration`.
pub(super) fn period_spans(mpd: &MPD) -> Result<Vec<PeriodSpan>, ManifestError> {
    let mut starts: Vec<Duration> = Vec::with_capacity(mpd.periods.len());
    for (index, period) in mpd.periods.iter().enumerate() {
        let at = || label("Period", index, period.id.as_deref());
        let start = match (period.start, index.checked_sub(1).and_then(|i| mpd.periods.get(i))) {
            (Some(start), _) => start,
            (None, None) => Duration::ZERO,
            (None, Some(previous)) => {
                let (Some(previous_start), Some(previous_duration)) = (starts.last(), previous.duration)
                else {
                    return Err(ManifestError::InvalidTiming {
                        at: at(),
                        reason: "no @start, and the previous period has no @duration".into(),
                    });
                };
                previous_start.checked_add(previous_duration).ok_or_else(|| ManifestError::InvalidTiming {
                    at: at(),
                    reason: "start overflows".into(),
                })?
            }
        };
        if let Some(previous_start) = starts.last()
            && start < *previous_start
        {
            return Err(ManifestError::InvalidTiming {
                at: at(),
                reason: format!("starts at {start:?}, before the previous period ({previous_start:?})"),
            });
        }
        starts.push(start);
    }

    let mut spans = Vec::with_capacity(starts.len());
    for (index, (period, start)) in mpd.periods.iter().zip(&starts).enumerate() {
        let duration = match (period.duration, starts.get(index + 1)) {
            (Some(duration), _) => Some(duration),
            (None, Some(next)) => Some(next.saturating_sub(*start)),
            (None, None) => match mpd.mediaPresentationDuration {
                Some(total) => {
                    Some(total.checked_sub(*start).ok_or_else(|| ManifestError::InvalidTiming {
                        at: label("Period", index, period.id.as_deref()),
                        reason: format!("starts at {start:?}, after the presentation's end ({total:?})"),
                    })?)
                }
                None => None,
            },
        };
        if let Some(duration) = duration
            && start.checked_add(duration).is_none()
        {
            return Err(ManifestError::InvalidTiming {
                at: label("Period", index, period.id.as_deref()),
                reason: "end overflows".into(),
            });
        }
        spans.push(PeriodSpan { start: *start, duration });
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_round_trip() {
        assert_eq!(ticks_to_duration(25_600, 12_800), Duration::from_secs(2));
        assert_eq!(ticks_to_duration(1, 3), Duration::from_nanos(333_333_333));
        assert_eq!(ticks_to_duration(u64::MAX, 1), Duration::from_secs(u64::MAX));
        assert_eq!(ticks_to_duration(u64::MAX, u64::MAX), Duration::from_secs(1));
        assert_eq!(ticks_to_duration(5, 0), Duration::ZERO);
        assert_eq!(duration_to_ticks_ceil(Duration::from_secs(6), 44_100), Some(264_600));
        assert_eq!(duration_to_ticks_ceil(Duration::from_nanos(1), 3), Some(1));
        assert_eq!(duration_to_ticks_ceil(Duration::from_secs(u64::MAX), 2), None);
    }
}
