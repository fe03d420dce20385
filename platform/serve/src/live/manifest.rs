//! Writing the live MPD: the VOD MPD's text with its root, Period and SegmentTemplate elements
//! rewritten for the moment of the request, and a time server announced.

use super::clock::{format_duration, format_utc};
use super::source::{Edit, Source, Tag, Track};
use super::{LiveAddressing, LiveConfig};
use std::fmt::Write;
use std::time::{Duration, SystemTime};

/// Most segments one `SegmentTimeline` lists (the newest ones), whatever the window.
pub(crate) const MAX_LISTED: u64 = 100_000;

/// The live `@media` template for `$Number$` addressing.
pub(crate) const MEDIA_NUMBER: &str = "live/$RepresentationID$/$Number$.m4s";
/// The live `@media` template for `$Time$` addressing.
pub(crate) const MEDIA_TIME: &str = "live/$RepresentationID$/t$Time$.m4s";

/// Root attributes the live MPD sets or drops.
const ROOT_LIVE: &[&str] = &[
    "type",
    "mediaPresentationDuration",
    "availabilityStartTime",
    "availabilityEndTime",
    "publishTime",
    "minimumUpdatePeriod",
    "timeShiftBufferDepth",
    "suggestedPresentationDelay",
];
/// SegmentTemplate attributes the live MPD sets or drops.
const TEMPLATE_LIVE: &[&str] =
    &["media", "startNumber", "endNumber", "duration", "timescale", "presentationTimeOffset"];

/// When the MPD is asked for.
pub(crate) struct Moment {
    /// `availabilityStartTime`.
    pub(crate) start: SystemTime,
    /// Now.
    pub(crate) now: SystemTime,
}

impl Moment {
    /// How long the stream has been running.
    pub(crate) fn elapsed(&self) -> Duration {
        self.now.duration_since(self.start).unwrap_or_default()
    }
}

/// The live MPD of `source` at `moment`, announcing the time server at `time_url`.
pub(crate) fn render(source: &Source, config: &LiveConfig, moment: &Moment, time_url: &str) -> String {
    let text = &source.text;
    let mut out = String::with_capacity(text.len() + 1024);
    let mut copied = 0;
    for (range, edit) in &source.edits {
        out.push_str(&text[copied..range.start.max(copied)]);
        copied = copied.max(range.end);
        match edit {
            Edit::Root(tag) => {
                let mut live = vec![
                    ("type".to_string(), "dynamic".to_string()),
                    ("availabilityStartTime".into(), format_utc(moment.start)),
                    ("publishTime".into(), format_utc(moment.now)),
                    ("minimumUpdatePeriod".into(), format_duration(config.update_period)),
                    ("timeShiftBufferDepth".into(), format_duration(config.window)),
                ];
                if let Some(delay) = config.presentation_delay {
                    live.push(("suggestedPresentationDelay".into(), format_duration(delay)));
                }
                let at = tag.attributes.iter().position(|(k, _)| k == "type");
                let mut attributes: Vec<_> = tag
                    .attributes
                    .iter()
                    .filter(|(k, _)| !ROOT_LIVE.contains(&k.as_str()))
                    .cloned()
                    .collect();
                let at = at.map_or(attributes.len(), |at| at.min(attributes.len()));
                attributes.splice(at..at, live);
                write_tag(&mut out, tag, &attributes, false);
            }
            Edit::Period(tag) => {
                let mut attributes: Vec<_> =
                    tag.attributes.iter().filter(|(k, _)| k != "start" && k != "duration").cloned().collect();
                let id = attributes.iter().position(|(k, _)| k == "id");
                if id.is_none() {
                    attributes.insert(0, ("id".into(), "0".into()));
                }
                attributes.insert(id.map_or(1, |i| i + 1), ("start".into(), "PT0S".into()));
                write_tag(&mut out, tag, &attributes, false);
            }
            Edit::Template { tag, track, indent } => {
                if let Some(track) = source.tracks.get(*track) {
                    template(&mut out, &source.prefix, tag, track, indent.as_deref(), config, moment);
                }
            }
            Edit::Remove => {}
            Edit::UtcTiming { indent } => {
                let unit = if text.contains("\n\t") { "\t" } else { "  " };
                for scheme in ["http-iso", "http-xsdate"] {
                    if let Some(indent) = indent {
                        out.push_str(indent);
                        out.push_str(unit);
                    }
                    let _ = write!(
                        out,
                        "<{}UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:{scheme}:2014\" value=\"{}\"/>",
                        source.prefix,
                        crate::mpd_rewrite::escape(time_url)
                    );
                    if indent.is_some() {
                        out.push('\n');
                    }
                }
            }
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// A SegmentTemplate for `track` as the live MPD has it at `moment`.
fn template(
    out: &mut String,
    prefix: &str,
    tag: &Tag,
    track: &Track,
    indent: Option<&str>,
    config: &LiveConfig,
    moment: &Moment,
) {
    let timing = &track.timing;
    let nominal = timing.nominal().filter(|_| config.addressing == LiveAddressing::NumberDuration);
    let media = if config.addressing == LiveAddressing::TimeTimeline { MEDIA_TIME } else { MEDIA_NUMBER };
    let mut attributes = vec![("timescale".to_string(), timing.timescale.to_string())];
    if timing.pto != 0 {
        attributes.push(("presentationTimeOffset".into(), timing.pto.to_string()));
    }
    attributes.extend(tag.attributes.iter().filter(|(k, _)| !TEMPLATE_LIVE.contains(&k.as_str())).cloned());
    attributes.push(("media".into(), media.into()));
    if let Some(duration) = nominal {
        attributes.push(("startNumber".into(), track.start_number.to_string()));
        attributes.push(("duration".into(), duration.to_string()));
        write_tag(out, tag, &attributes, true);
        return;
    }
    // The window: the segments that have ended, no longer than the time-shift buffer ago.
    let now = timing.ticks(moment.elapsed());
    let first = timing.first_ending_at_or_after(now - timing.ticks(config.window));
    let (first, count) = match timing.last_ended(now) {
        Some(last) if last >= first => {
            let first = first.max(last.saturating_sub(MAX_LISTED - 1));
            (first, last - first + 1)
        }
        _ => (first, 0),
    };
    attributes.push(("startNumber".into(), track.start_number.saturating_add(first).to_string()));
    write_tag(out, tag, &attributes, false);
    let (line, unit) = match indent {
        Some(indent) => (format!("\n{indent}"), if indent.starts_with(' ') { "  " } else { "\t" }),
        None => (String::new(), ""),
    };
    if count == 0 {
        let _ = write!(out, "{line}{unit}<{prefix}SegmentTimeline/>");
    } else {
        let _ = write!(out, "{line}{unit}<{prefix}SegmentTimeline>");
        // Runs of equal, back-to-back segments: (start, duration, repeats, whether `t` is
        // needed: first, or after a gap).
        let mut runs: Vec<(u128, u64, u64, bool)> = Vec::new();
        let mut previous_end: Option<u128> = None;
        for i in first..first + count {
            let segment = timing.segment(i);
            let joined = previous_end == Some(segment.media_time);
            match runs.last_mut() {
                Some((_, d, r, _)) if joined && *d == segment.duration => *r += 1,
                _ => runs.push((segment.media_time, segment.duration, 0, !joined)),
            }
            previous_end = Some(segment.media_time + u128::from(segment.duration));
        }
        for (start, d, r, explicit) in runs {
            let _ = write!(out, "{line}{unit}{unit}<{prefix}S");
            if explicit {
                let _ = write!(out, " t=\"{start}\"");
            }
            let _ = write!(out, " d=\"{d}\"");
            if r > 0 {
                let _ = write!(out, " r=\"{r}\"");
            }
            out.push_str("/>");
        }
        let _ = write!(out, "{line}{unit}</{prefix}SegmentTimeline>");
    }
    let _ = write!(out, "{line}</{}>", tag.name);
}

/// `<name a="v" ...>` (or `/>` when `empty`), the attributes separated as in `tag`.
fn write_tag(out: &mut String, tag: &Tag, attributes: &[(String, String)], empty: bool) {
    out.push('<');
    out.push_str(&tag.name);
    for (i, (key, value)) in attributes.iter().enumerate() {
        out.push_str(if i == 0 { " " } else { &tag.separator });
        let quote = if value.contains('"') { '\'' } else { '"' };
        let _ = write!(out, "{key}={quote}{value}{quote}");
    }
    out.push_str(if empty { "/>" } else { ">" });
}
