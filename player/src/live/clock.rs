//! Reading clock values as servers write them: `xs:dateTime` / ISO 8601 (`UTCTiming`
//! `http-xsdate`, `http-iso`, `direct`) and HTTP dates (`Date` headers, `http-head`), to a
//! duration since the Unix epoch. Nothing here reads a clock.

use core::time::Duration;

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Seconds since the epoch of a UTC date and time, `None` before 1970 or out of range.
fn epoch_seconds(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if !(1970..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))
}

fn number(text: &str) -> Option<u32> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// An `xs:dateTime` (ISO 8601 extended format: `2026-12-01T23:59:59.123Z`, an offset such as
/// `+01:00`, or no zone meaning UTC), as a duration since the Unix epoch.
pub fn parse_iso(text: &str) -> Option<Duration> {
    let text = text.trim().trim_matches('"');
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut parts = date.splitn(3, '-');
    let year: i64 = number(parts.next()?)?.into();
    let month = number(parts.next()?)?;
    let day = number(parts.next()?)?;
    // The zone: `Z`, `+hh:mm`, `-hh:mm`, or nothing.
    let (clock, offset_seconds) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0i64)
    } else if let Some(at) = time.rfind(['+', '-']) {
        let (clock, zone) = time.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = &zone[1..];
        let (h, m) = zone.split_once(':').unwrap_or((zone.get(..2)?, zone.get(2..).unwrap_or("0")));
        let m = if m.is_empty() { "0" } else { m };
        (clock, sign * (i64::from(number(h)?) * 3600 + i64::from(number(m)?) * 60))
    } else {
        (time, 0)
    };
    let mut parts = clock.splitn(3, ':');
    let hour = number(parts.next()?)?;
    let minute = number(parts.next()?)?;
    let seconds = parts.next()?;
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    let second = number(whole)?;
    let nanos = if fraction.is_empty() {
        0
    } else {
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: String = fraction.chars().chain(core::iter::repeat('0')).take(9).collect();
        digits.parse::<u32>().ok()?
    };
    let seconds = epoch_seconds(year, month, day, hour, minute, second)?.checked_sub(offset_seconds)?;
    Some(Duration::new(u64::try_from(seconds).ok()?, nanos))
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110's IMF-fixdate), as a duration since
/// the Unix epoch. An ISO 8601 value is accepted too (some servers send one).
pub fn parse_http_date(text: &str) -> Option<Duration> {
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let text = text.trim();
    let rest = text.split_once(',').map_or(text, |(_, rest)| rest).trim();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let [day, month, year, clock, ..] = fields.as_slice() else { return parse_iso(text) };
    let month = MONTHS.iter().position(|m| month.eq_ignore_ascii_case(m))? as u32 + 1;
    let mut parts = clock.splitn(3, ':');
    let hour = number(parts.next()?)?;
    let minute = number(parts.next()?)?;
    let second = number(parts.next()?)?;
    let seconds = epoch_seconds(number(year)?.into(), month, number(day)?, hour, minute, second)?;
    Some(Duration::from_secs(u64::try_from(seconds).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iso_dates_with_and_without_zones_and_fractions() {
        assert_eq!(parse_iso("1970-01-01T00:00:00Z"), Some(Duration::ZERO));
        assert_eq!(parse_iso("2026-12-01T23:59:59.123Z"), Some(Duration::new(1_796_169_599, 123_000_000)));
        assert_eq!(parse_iso("2026-12-01T23:59:59"), Some(Duration::from_secs(1_796_169_599)));
        assert_eq!(parse_iso("2026-12-02T00:59:59+01:00"), Some(Duration::from_secs(1_796_169_599)));
        assert_eq!(parse_iso("2026-12-01T22:59:59-01:00"), Some(Duration::from_secs(1_796_169_599)));
        assert_eq!(parse_iso(" \"2000-02-29T12:00:00.5Z\"\n"), Some(Duration::new(951_825_600, 500_000_000)));
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-12-01",
            "1969-12-31T23:59:59Z",
            "2026-12-01T1:2:x",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_http_dates() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::from_secs(784_111_777)));
        assert_eq!(
            parse_http_date("Tue, 01 Dec 2026 23:59:59 GMT"),
            Some(Duration::from_secs(1_796_169_599))
        );
        assert_eq!(parse_http_date("2026-12-01T23:59:59Z"), Some(Duration::from_secs(1_796_169_599)));
        assert_eq!(parse_http_date("Tue, 01 Foo 2026 23:59:59 GMT"), None);
        assert_eq!(parse_http_date("garbage"), None);
    }
}
