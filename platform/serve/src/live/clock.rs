//! Wall-clock times and durations as a DASH MPD writes them: ISO 8601 UTC date-times with
//! milliseconds (`2026-12-01T23:59:59.123Z`) and `xs:duration` values (`PT2S`, `PT1H2M3.5S`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `time` as ISO 8601 in UTC with milliseconds, e.g. `2026-12-01T23:59:59.123Z` (truncated to
/// the millisecond; times before 1970 are written as 1970-01-01T00:00:00.000Z).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_millis(1_796_169_599_123);
/// assert_eq!(flick_serve::live::format_utc(t), "2026-12-01T23:59:59.123Z");
/// ```
pub fn format_utc(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let of_day = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60,
        since.subsec_millis()
    )
}

/// Read an ISO 8601 / `xs:dateTime` value with a zone (`Z` or `±HH:MM`) and optional fraction:
/// `2026-12-01T23:59:59.123Z`, `2026-12-02T00:59:59+01:00`. `None` when malformed, without a
/// zone, or before 1970.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = flick_serve::live::parse_utc("2026-12-01T23:59:59.123Z").unwrap();
/// assert_eq!(t, UNIX_EPOCH + Duration::from_millis(1_796_169_599_123));
/// ```
pub fn parse_utc(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', 't'])?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = digits(date_parts.next()?, 4)?;
    let month: u32 = digits(date_parts.next()?, 2)?;
    let day: u32 = digits(date_parts.next()?, 2)?;
    let (clock, offset_secs) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0i64)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (clock, zone) = rest.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (hours, minutes) = zone[1..].split_once(':')?;
        let offset: i64 = digits::<i64>(hours, 2)? * 3600 + digits::<i64>(minutes, 2)? * 60;
        (clock, sign * offset)
    };
    let mut clock_parts = clock.splitn(3, ':');
    let hour: i64 = digits(clock_parts.next()?, 2)?;
    let minute: i64 = digits(clock_parts.next()?, 2)?;
    let seconds = clock_parts.next()?;
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    let second: i64 = digits(whole, 2)?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let nanos: u32 =
        fraction.bytes().chain(std::iter::repeat(b'0')).take(9).fold(0, |n, b| n * 10 + u32::from(b - b'0'));
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(UNIX_EPOCH + Duration::new(u64::try_from(secs).ok()?, nanos))
}

/// `duration` as an `xs:duration` in seconds with up to millisecond precision: `PT2S`,
/// `PT2.5S`, `PT90S`.
pub(crate) fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    let (secs, rest) = (millis / 1000, millis % 1000);
    if rest == 0 {
        format!("PT{secs}S")
    } else {
        let fraction = format!("{rest:03}");
        format!("PT{secs}.{}S", fraction.trim_end_matches('0'))
    }
}

/// Read an `xs:duration` made of days, hours, minutes and seconds (`P1DT2H`, `PT6.0S`); `None`
/// when malformed, negative, or using years or months (whose length varies).
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut secs = 0f64;
    if !days.is_empty() {
        secs += days.strip_suffix('D')?.parse::<u64>().ok()? as f64 * 86_400.0;
    }
    let mut number = String::new();
    let mut any = !days.is_empty();
    for c in time.chars() {
        let unit = match c {
            '0'..='9' | '.' => {
                number.push(c);
                continue;
            }
            'H' => 3600.0,
            'M' => 60.0,
            'S' => 1.0,
            _ => return None,
        };
        let value: f64 = number.parse().ok()?;
        secs += value * unit;
        number.clear();
        any = true;
    }
    if !number.is_empty() || !any || (rest.contains('T') && time.is_empty()) {
        return None;
    }
    Duration::try_from_secs_f64(secs).ok()
}

/// A decimal number of exactly `len` digits.
fn digits<T: std::str::FromStr>(text: &str, len: usize) -> Option<T> {
    if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day counted from 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(millis)
    }

    #[test]
    fn date_times_round_trip_through_known_dates() {
        for (millis, text) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_796_169_599_123, "2026-12-01T23:59:59.123Z"),
            (4_107_542_400_001, "2100-03-01T00:00:00.001Z"),
        ] {
            assert_eq!(format_utc(at(millis)), text);
            assert_eq!(parse_utc(text), Some(at(millis)), "{text}");
        }
        assert_eq!(format_utc(UNIX_EPOCH - Duration::from_secs(5)), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_utc(at(1500) + Duration::from_nanos(999_999)), "1970-01-01T00:00:01.500Z");
    }

    #[test]
    fn zones_and_fractions_are_read_and_nonsense_refused() {
        assert_eq!(parse_utc("2026-12-02T00:59:59.123+01:00"), Some(at(1_796_169_599_123)));
        assert_eq!(parse_utc("2026-12-01T20:59:59-03:00"), Some(at(1_796_169_599_000)));
        assert_eq!(parse_utc("1970-01-01T00:00:00.5Z"), Some(at(500)));
        assert_eq!(
            parse_utc("1970-01-01T00:00:00.123456789Z"),
            Some(UNIX_EPOCH + Duration::from_nanos(123_456_789))
        );
        for bad in [
            "",
            "2026-12-01",
            "2026-12-01T23:59:59",
            "2026-13-01T00:00:00Z",
            "2026-12-01T24:00:00Z",
            "2026-12-01T23:59:5.1Z",
            "26-12-01T23:59:59Z",
            "2026-12-01T23:59:59.1a2Z",
            "1969-12-31T23:59:59Z",
            "2026-12-01T23:59:59+1:00",
            "２026-12-01T23:59:59Z",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_are_written_in_seconds_and_read_in_any_unit() {
        assert_eq!(format_duration(Duration::from_secs(2)), "PT2S");
        assert_eq!(format_duration(Duration::from_millis(2500)), "PT2.5S");
        assert_eq!(format_duration(Duration::from_millis(30_020)), "PT30.02S");
        assert_eq!(format_duration(Duration::from_micros(1500)), "PT0.001S");
        assert_eq!(format_duration(Duration::ZERO), "PT0S");
        assert_eq!(parse_duration("PT6.0S"), Some(Duration::from_secs(6)));
        assert_eq!(parse_duration("PT1H2M3.5S"), Some(Duration::from_millis(3_723_500)));
        assert_eq!(parse_duration("P1DT1S"), Some(Duration::from_secs(86_401)));
        assert_eq!(parse_duration("P2D"), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("PT0S"), Some(Duration::ZERO));
        for bad in ["", "P", "PT", "6S", "PT6", "P1Y", "P1M", "-PT1S", "PT1.2.3S", "PTXS", "P1DT"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
