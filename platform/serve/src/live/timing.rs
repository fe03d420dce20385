//! The live timing of one representation: its VOD segments played in a loop, forever.
//!
//! Times are in the representation's MPD timescale. Live segment `i` (counted from 0, i.e. the
//! segment number minus `startNumber`) is VOD segment `i mod count`, in loop `i / count`, and its
//! media time is the VOD segment's plus `loop × loop length`. The loop length runs from the
//! first VOD segment's start to the last one's end, so the loops join without a gap. Presentation
//! times are media times minus `presentationTimeOffset`, counted from the Period's start (which
//! the live MPD puts at `availabilityStartTime`).

use std::time::Duration;

/// Most VOD segments one representation may have (a timeline expanding to more is refused).
pub(crate) const MAX_SEGMENTS: usize = 1_000_000;

/// Where the VOD segments lie, relative to the first one's start.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Layout {
    /// All of one duration, back to back.
    Equal(u64),
    /// `(start relative to the first, duration)` of each, in order.
    Listed(Vec<(u64, u64)>),
}

/// The timing of one representation (see the module's documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Timing {
    /// Units per second of the MPD's times.
    pub(crate) timescale: u64,
    /// The MPD's `presentationTimeOffset`.
    pub(crate) pto: u64,
    /// Media time of the first VOD segment.
    first: u64,
    /// How many VOD segments.
    count: u64,
    layout: Layout,
    /// From the first VOD segment's start to the last one's end.
    loop_len: u64,
}

/// One live segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    /// Which loop it is in (0 for the first).
    pub(crate) loop_index: u64,
    /// The VOD segment it repeats (0-based).
    pub(crate) vod_index: u64,
    /// Its media time.
    pub(crate) media_time: u128,
    /// Its duration.
    pub(crate) duration: u64,
}

impl Timing {
    /// `count` segments of `duration` each from media time `first`.
    pub(crate) fn equal(
        timescale: u64,
        pto: u64,
        first: u64,
        duration: u64,
        count: u64,
    ) -> Result<Timing, String> {
        if timescale == 0 || duration == 0 || count == 0 {
            return Err("a timescale, a segment duration and a segment count of 0 cannot loop".into());
        }
        let loop_len = duration.checked_mul(count).ok_or("the loop is too long")?;
        Ok(Timing { timescale, pto, first, count, layout: Layout::Equal(duration), loop_len })
    }

    /// Segments given as `(media start, duration)`, in order and not overlapping; a layout
    /// of equal durations back to back is kept as such.
    pub(crate) fn listed(timescale: u64, pto: u64, segments: &[(u64, u64)]) -> Result<Timing, String> {
        let (Some(&(first, d0)), Some(&(last, d_last))) = (segments.first(), segments.last()) else {
            return Err("no segments".into());
        };
        if timescale == 0 || segments.iter().any(|&(_, d)| d == 0) {
            return Err("a timescale or a segment duration of 0 cannot loop".into());
        }
        let mut end = first;
        for &(start, duration) in segments {
            if start < end {
                return Err(format!("the segment at {start} starts before the previous one's end ({end})"));
            }
            end = start.checked_add(duration).ok_or("a segment ends past 2^64")?;
        }
        let back_to_back = segments.windows(2).all(|w| w[0].0 + w[0].1 == w[1].0);
        if back_to_back && segments.iter().all(|&(_, d)| d == d0) {
            return Timing::equal(timescale, pto, first, d0, segments.len() as u64);
        }
        let listed = segments.iter().map(|&(start, d)| (start - first, d)).collect();
        let loop_len = last + d_last - first;
        Ok(Timing {
            timescale,
            pto,
            first,
            count: segments.len() as u64,
            layout: Layout::Listed(listed),
            loop_len,
        })
    }

    /// The loop's length.
    pub(crate) fn loop_len(&self) -> u64 {
        self.loop_len
    }

    /// The duration an MPD's `@duration` can give: all segments are equal and the first starts
    /// at presentation time 0.
    pub(crate) fn nominal(&self) -> Option<u64> {
        match self.layout {
            Layout::Equal(d) if self.first == self.pto => Some(d),
            _ => None,
        }
    }

    /// Live segment `i`.
    pub(crate) fn segment(&self, i: u64) -> Segment {
        let (loop_index, vod_index) = (i / self.count, i % self.count);
        let (start, duration) = match &self.layout {
            Layout::Equal(d) => (vod_index * d, *d),
            Layout::Listed(list) => list.get(vod_index as usize).copied().unwrap_or_default(),
        };
        let media_time =
            u128::from(loop_index) * u128::from(self.loop_len) + u128::from(self.first) + u128::from(start);
        Segment { loop_index, vod_index, media_time, duration }
    }

    /// Presentation time of the end of live segment `i`.
    pub(crate) fn end(&self, i: u64) -> i128 {
        let segment = self.segment(i);
        let end = segment.media_time + u128::from(segment.duration);
        i128::try_from(end).unwrap_or(i128::MAX) - i128::from(self.pto)
    }

    /// `elapsed` in this timescale, rounded down.
    pub(crate) fn ticks(&self, elapsed: Duration) -> i128 {
        i128::try_from(elapsed.as_nanos() * u128::from(self.timescale) / 1_000_000_000).unwrap_or(i128::MAX)
    }

    /// The last live segment that has ended by presentation time `now`, if any.
    pub(crate) fn last_ended(&self, now: i128) -> Option<u64> {
        let first_after = self.first_ending_at_or_after(now.saturating_add(1));
        first_after.checked_sub(1)
    }

    /// The first live segment whose end is at `time` or later.
    pub(crate) fn first_ending_at_or_after(&self, time: i128) -> u64 {
        // `end` grows with `i`: double a bound past `time`, then halve the gap.
        let mut high = 1u64;
        while self.end(high) < time {
            match high.checked_mul(2) {
                Some(next) => high = next,
                None => return u64::MAX,
            }
        }
        let mut low = 0u64;
        while low < high {
            let middle = low + (high - low) / 2;
            if self.end(middle) < time {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }

    /// The live segment starting at media time `time`, if one does.
    pub(crate) fn index_of_time(&self, time: u128) -> Option<u64> {
        let offset = time.checked_sub(u128::from(self.first))?;
        let loop_index = u64::try_from(offset / u128::from(self.loop_len)).ok()?;
        let within = (offset % u128::from(self.loop_len)) as u64;
        let vod_index = match &self.layout {
            Layout::Equal(d) => within.is_multiple_of(*d).then_some(within / d)?,
            Layout::Listed(list) => list.binary_search_by_key(&within, |&(start, _)| start).ok()? as u64,
        };
        loop_index.checked_mul(self.count)?.checked_add(vod_index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_segments_loop_back_to_back() {
        let t = Timing::equal(12_800, 0, 0, 25_600, 3).unwrap();
        assert_eq!(t.nominal(), Some(25_600));
        assert_eq!(t.loop_len(), 76_800);
        assert_eq!(
            t.segment(4),
            Segment { loop_index: 1, vod_index: 1, media_time: 102_400, duration: 25_600 }
        );
        assert_eq!(t.end(0), 25_600);
        assert_eq!(t.end(5), 6 * 25_600);
        assert_eq!(t.ticks(Duration::from_millis(2500)), 32_000);
        assert_eq!(t.last_ended(25_599), None);
        assert_eq!(t.last_ended(25_600), Some(0));
        assert_eq!(t.last_ended(76_800 * 10 + 1), Some(29));
        assert_eq!(t.first_ending_at_or_after(0), 0);
        assert_eq!(t.first_ending_at_or_after(25_601), 1);
        assert_eq!(t.index_of_time(102_400), Some(4));
        assert_eq!(t.index_of_time(102_401), None);
    }

    #[test]
    fn listed_segments_keep_their_durations_across_loops() {
        // ffmpeg's AAC timeline: 95232, 96256, 96256, 256 (6 s at 48 kHz).
        let t =
            Timing::listed(48_000, 0, &[(0, 95_232), (95_232, 96_256), (191_488, 96_256), (287_744, 256)])
                .unwrap();
        assert_eq!(t.nominal(), None);
        assert_eq!(t.loop_len(), 288_000);
        assert_eq!(t.segment(5).media_time, 288_000 + 95_232);
        assert_eq!(t.segment(7).duration, 256);
        assert_eq!(t.end(3), 288_000);
        assert_eq!(t.last_ended(288_000 + 95_231), Some(3));
        assert_eq!(t.last_ended(288_000 + 95_232), Some(4));
        assert_eq!(t.index_of_time(288_000 + 191_488), Some(6));
        assert_eq!(t.index_of_time(1), None);
    }

    #[test]
    fn equal_timelines_become_equal_and_offsets_count() {
        let t = Timing::listed(1000, 0, &[(0, 2000), (2000, 2000)]).unwrap();
        assert_eq!(t, Timing::equal(1000, 0, 0, 2000, 2).unwrap());
        let shifted = Timing::equal(1000, 500, 1500, 2000, 2).unwrap();
        assert_eq!(shifted.nominal(), None, "the first segment does not start at presentation time 0");
        assert_eq!(shifted.end(0), 3000);
        assert_eq!(shifted.index_of_time(1500), Some(0));
        assert_eq!(shifted.index_of_time(500), None);
        let pto = Timing::equal(1000, 1500, 1500, 2000, 2).unwrap();
        assert_eq!((pto.nominal(), pto.end(0)), (Some(2000), 2000));
    }

    #[test]
    fn nonsense_is_refused_and_huge_numbers_do_not_overflow() {
        assert!(Timing::equal(0, 0, 0, 1, 1).is_err());
        assert!(Timing::equal(1, 0, 0, 0, 1).is_err());
        assert!(Timing::listed(1, 0, &[]).is_err());
        assert!(Timing::listed(1, 0, &[(0, 2), (1, 2)]).is_err(), "overlap");
        assert!(Timing::listed(1, 0, &[(0, 0)]).is_err());
        let t = Timing::equal(90_000, 0, 0, u64::MAX / 2, 2).unwrap();
        assert!(t.end(u64::MAX) > t.end(u64::MAX - 1));
        assert_eq!(t.first_ending_at_or_after(i128::MAX), u64::MAX);
        assert_eq!(t.index_of_time(u128::MAX), None);
    }
}
