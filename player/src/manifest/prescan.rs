//! A quick pass over the XML before `dash-mpd-core` deserializes it.
//!
//! It turns malformed or truncated XML into an error that says where (byte offset, unclosed
//! element), checks the root element, bounds the nesting depth, and rejects `xs:duration`
//! attributes whose numbers are so large that `dash-mpd-core` would overflow (and, in a debug
//! build, panic) adding them up.

use super::ManifestError;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// Deepest element nesting accepted; real MPDs stay under 10.
const MAX_DEPTH: usize = 64;

/// Attributes `dash-mpd-core` parses as `xs:duration` (on some element or other).
const DURATION_ATTRIBUTES: &[&str] = &[
    "mediaPresentationDuration",
    "minimumUpdatePeriod",
    "minBufferTime",
    "timeShiftBufferDepth",
    "suggestedPresentationDelay",
    "maxSegmentDuration",
    "maxSubsegmentDuration",
    "start",
    "duration",
    "starttime",
    "skipAfter",
];

/// Largest multiplier `dash-mpd-core` applies to one `xs:duration` component (a 365-day year).
const SECONDS_PER_YEAR: u128 = 365 * 24 * 60 * 60;

/// Check that `xml` is well-formed, rooted at `<MPD>`, and safe to hand to `dash-mpd-core`.
pub(super) fn check(xml: &str) -> Result<(), ManifestError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut open: Vec<String> = Vec::new();
    let mut seen_root = false;
    let mut elements: u64 = 0;
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            ManifestError::Malformed(format!("XML error at byte {}: {e}", reader.error_position()))
        })?;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > super::MAX_ELEMENTS {
                return Err(ManifestError::TooLarge {
                    what: "elements",
                    count: elements,
                    limit: super::MAX_ELEMENTS,
                });
            }
        }
        match event {
            Event::Start(element) => {
                check_element(&element, position, &mut seen_root)?;
                open.push(element.name().as_ref().to_owned());
                if open.len() > MAX_DEPTH {
                    return Err(ManifestError::Malformed(format!(
                        "elements nested more than {MAX_DEPTH} deep at byte {position}"
                    )));
                }
            }
            Event::Empty(element) => check_element(&element, position, &mut seen_root)?,
            Event::End(_) => {
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(ManifestError::Malformed("no root element (empty document?)".into()));
    }
    if let Some(innermost) = open.last() {
        return Err(ManifestError::Malformed(format!(
            "truncated: <{innermost}> is not closed at the end of the document ({} bytes)",
            xml.len()
        )));
    }
    Ok(())
}

/// Check one element: the first must be `<MPD>`; duration attributes must be safe.
fn check_element(element: &BytesStart<'_>, position: u64, seen_root: &mut bool) -> Result<(), ManifestError> {
    if !*seen_root {
        *seen_root = true;
        if element.local_name().as_ref() != "MPD" {
            return Err(ManifestError::Malformed(format!(
                "the root element is <{}>, not <MPD>",
                element.name().as_ref()
            )));
        }
    }
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| {
            ManifestError::Malformed(format!(
                "bad attribute in <{}> at byte {position}: {e}",
                element.name().as_ref()
            ))
        })?;
        let local = attribute.key.local_name();
        let Some(name) = DURATION_ATTRIBUTES.iter().find(|n| **n == local.as_ref()) else {
            continue;
        };
        let value = attribute.normalized_value(XmlVersion::Implicit1_0).unwrap_or(attribute.value.clone());
        if !duration_is_safe(&value) {
            return Err(ManifestError::InvalidAttribute {
                at: format!("<{}> at byte {position}", element.name().as_ref()),
                attribute: name,
                value: value.into_owned(),
                reason: "duration too large".into(),
            });
        }
    }
    Ok(())
}

/// Whether `dash-mpd-core` can add up the `xs:duration` `value` without overflowing `u64`
/// seconds.
///
/// It multiplies each component by at most a year's seconds and sums them; bounding the sum of
/// every integer in the value (fractions of a second excepted) by `u64::MAX / SECONDS_PER_YEAR`
/// bounds every partial sum it computes. Values that do not start like a duration are left to
/// the parser.
fn duration_is_safe(value: &str) -> bool {
    let trimmed = value.trim_start();
    let unsigned = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if !unsigned.starts_with('P') {
        return true;
    }
    let limit = u128::from(u64::MAX) / SECONDS_PER_YEAR;
    let mut total: u128 = 0;
    let mut run: u128 = 0;
    let mut in_fraction = false;
    let mut previous = '\0';
    for c in unsigned.chars() {
        if let Some(digit) = c.to_digit(10) {
            if !previous.is_ascii_digit() {
                in_fraction = previous == '.' || previous == ',';
            }
            if !in_fraction {
                run = run.saturating_mul(10).saturating_add(u128::from(digit));
                if total.saturating_add(run) > limit {
                    return false;
                }
            }
        } else {
            total = total.saturating_add(run);
            run = 0;
        }
        previous = c;
    }
    total.saturating_add(run) <= limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_that_would_overflow_are_unsafe() {
        assert!(duration_is_safe("PT6.0S"));
        assert!(duration_is_safe("P1Y2M3DT4H5M6.123456789012345678901234S"));
        assert!(duration_is_safe("PT1004199059S"));
        assert!(duration_is_safe("2000")); // not a duration: the parser decides
        assert!(!duration_is_safe("PT99999999999999999H"));
        assert!(!duration_is_safe("P999999999999Y"));
        assert!(!duration_is_safe("P300000000000DT300000000000H"));
        assert!(!duration_is_safe("-PT99999999999999999999999999999S"));
    }

    #[test]
    fn truncation_names_the_unclosed_element() {
        let err = check("<MPD><Period><AdaptationSet>").unwrap_err();
        assert!(
            matches!(&err, ManifestError::Malformed(m) if m.contains("<AdaptationSet> is not closed")),
            "{err}"
        );
    }

    #[test]
    fn root_must_be_mpd() {
        assert!(matches!(check("<html></html>"), Err(ManifestError::Malformed(_))));
        assert!(matches!(check(""), Err(ManifestError::Malformed(_))));
        assert!(check("<MPD/>").is_ok());
        assert!(check("<mpd:MPD xmlns:mpd=\"urn:mpeg:dash:schema:mpd:2011\"></mpd:MPD>").is_ok());
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let xml = format!("<MPD>{}{}</MPD>", "<a>".repeat(100), "</a>".repeat(100));
        assert!(matches!(check(&xml), Err(ManifestError::Malformed(m)) if m.contains("nested")));
    }

    #[test]
    fn mismatched_end_tag_is_malformed() {
        assert!(matches!(check("<MPD><Period></MPD>"), Err(ManifestError::Malformed(_))));
    }
}
