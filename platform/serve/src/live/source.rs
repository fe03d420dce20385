//! The VOD MPD as live mode reads it: each representation's `SegmentTemplate` (inherited from
//! the Period and AdaptationSet levels), its segments' timing, where its URLs resolve, and the
//! places of the text the live MPD changes.

use super::template::{fill, resolve};
use super::timing::{MAX_SEGMENTS, Timing};
use crate::mpd_rewrite::{is_absolute, widen_to_line};
use quick_xml::events::{BytesStart, Event};
use std::ops::Range;

/// A start tag to write again with other attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tag {
    /// Its qualified name (`SegmentTemplate`, `mpd:Period`).
    pub(crate) name: String,
    /// Its attributes as written (qualified name, escaped value).
    pub(crate) attributes: Vec<(String, String)>,
    /// What goes before each attribute after the first (a space, or a line break and indentation).
    pub(crate) separator: String,
}

/// A change of the VOD MPD's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    /// The `<MPD>` start tag.
    Root(Tag),
    /// The `<Period>` start tag.
    Period(Tag),
    /// A whole `SegmentTemplate` element, written with the timing of `track`; `indent` is the
    /// whitespace before it on its line, when it stands on its own line.
    Template { tag: Tag, track: usize, indent: Option<String> },
    /// Text to remove (an MPD-level `UTCTiming`).
    Remove,
    /// Where the `UTCTiming` elements go: an empty range at the start of the `</MPD>` line (with
    /// that line's indentation), or just before `</MPD>` (`None`).
    UtcTiming { indent: Option<String> },
}

/// One representation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Track {
    /// `@id`.
    pub(crate) id: String,
    /// `@bandwidth`, for `$Bandwidth$`.
    pub(crate) bandwidth: Option<u64>,
    /// Its VOD segments' timing.
    pub(crate) timing: Timing,
    /// `@startNumber` (default 1).
    pub(crate) start_number: u64,
    /// The VOD `@media` template.
    pub(crate) media: String,
    /// The URL path (from the server's root, undecoded) its URLs resolve against.
    pub(crate) base: String,
    /// The URL path of its initialization segment.
    pub(crate) init: String,
}

/// The VOD MPD, read.
#[derive(Debug)]
pub(crate) struct Source {
    /// Its text.
    pub(crate) text: String,
    /// Namespace prefix of the root element with its colon (`mpd:`), or empty.
    pub(crate) prefix: String,
    /// Changes, as `(range of the text, edit)`, in order.
    pub(crate) edits: Vec<(Range<usize>, Edit)>,
    /// Every representation, in document order.
    pub(crate) tracks: Vec<Track>,
}

/// The levels a `SegmentTemplate` or a `BaseURL` can be at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Mpd,
    Period,
    Set,
    Rep,
}

/// A `SegmentTemplate`'s attributes (local name, unescaped value) and timeline `(t, d, r)`.
#[derive(Clone, Debug, Default)]
struct Template {
    attributes: Vec<(String, String)>,
    timeline: Option<Vec<(Option<u64>, u64, i64)>>,
}

impl Template {
    fn get(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str) -> Result<Option<u64>, String> {
        self.get(name)
            .map(|v| v.trim().parse().map_err(|_| format!("SegmentTemplate@{name}={v:?}")))
            .transpose()
    }

    /// `child`'s values over this one's.
    fn under(&self, child: &Template) -> Template {
        let mut attributes = self.attributes.clone();
        for (k, v) in &child.attributes {
            attributes.retain(|(key, _)| key != k);
            attributes.push((k.clone(), v.clone()));
        }
        Template { attributes, timeline: child.timeline.clone().or_else(|| self.timeline.clone()) }
    }
}

/// What is known at each level while reading.
#[derive(Default)]
struct Scope {
    base: [Option<String>; 4],
    template: [Option<Template>; 4],
    /// The first track created inside the open Period and AdaptationSet.
    first_track: [usize; 4],
    /// The open Representation's `@id` and `@bandwidth`.
    rep: Option<(String, Option<u64>)>,
}

/// A `SegmentTemplate` edit whose track is chosen when its parent closes.
struct Pending {
    edit: usize,
    level: Level,
}

/// Everything known while reading.
#[derive(Default)]
struct State {
    scope: Scope,
    edits: Vec<(Range<usize>, Edit)>,
    tracks: Vec<Track>,
    /// The lowest level with a SegmentTemplate, for each track.
    own_level: Vec<Level>,
    pending: Vec<Pending>,
    /// `@mediaPresentationDuration`, in seconds.
    mpd_duration: Option<f64>,
    /// The Period's `@start` and `@duration`, in seconds.
    period: (f64, Option<f64>),
}

/// Read `text`, a static MPD with one Period and SegmentTemplate addressing.
pub(crate) fn read(text: &str) -> Result<Source, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut state = State::default();
    let mut prefix = String::new();
    let mut periods = 0;
    // Open elements whose end matters: BaseURL content start, SegmentTemplate, UTCTiming start.
    let mut base_open: Option<(usize, Level)> = None;
    let mut template_open: Option<(usize, Level, Tag, Template)> = None;
    let mut removal_open: Option<usize> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event =
            reader.read_event().map_err(|e| format!("XML error at byte {}: {e}", reader.error_position()))?;
        let after = reader.buffer_position() as usize;
        let (element, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let parent = stack.last().map(String::as_str);
                match (parent, name.as_str()) {
                    (_, "BaseURL") => {
                        if let Some((content, level)) = base_open.take() {
                            let url =
                                quick_xml::escape::unescape(text.get(content..before).unwrap_or_default())
                                    .map_err(|e| format!("a BaseURL: {e}"))?;
                            let url = url.trim();
                            let base = &mut state.scope.base[level as usize];
                            if !url.is_empty() && !is_absolute(url) && base.is_none() {
                                *base = Some(url.to_string());
                            }
                        }
                    }
                    (_, "SegmentTemplate") => {
                        if let Some((start, level, tag, template)) = template_open.take() {
                            let indent = line_indent(text, start);
                            state.close_template(start..after, level, tag, template, indent);
                        }
                    }
                    (Some("MPD"), "UTCTiming") => {
                        if let Some(start) = removal_open.take() {
                            state.edits.push((widen_to_line(text, start..after), Edit::Remove));
                        }
                    }
                    (None, "MPD") => {
                        let line = text[..before].rfind('\n').map_or(0, |i| i + 1);
                        let indent = text[line..before].trim_matches([' ', '\t']).is_empty() && line > 0;
                        let at = if indent { line } else { before };
                        let indent = indent.then(|| text[line..before].to_string());
                        state.edits.push((at..at, Edit::UtcTiming { indent }));
                    }
                    _ => {}
                }
                state.close_container(&name, parent)?;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let local = element.local_name().as_ref().to_string();
        let parent = stack.last().map(String::as_str);
        let level = match parent {
            Some("MPD") => Some(Level::Mpd),
            Some("Period") => Some(Level::Period),
            Some("AdaptationSet") => Some(Level::Set),
            Some("Representation") => Some(Level::Rep),
            _ => None,
        };
        match (parent, local.as_str()) {
            (None, "MPD") => {
                let name = element.name();
                prefix = name.prefix().map(|p| format!("{}:", p.as_ref())).unwrap_or_default();
                let tag = tag(&element)?;
                match value(&tag, "type").as_deref() {
                    None | Some("static") => {}
                    Some(other) => return Err(format!("the MPD is type=\"{other}\", not static")),
                }
                state.mpd_duration =
                    value(&tag, "mediaPresentationDuration").map(|d| seconds(&d)).transpose()?;
                state.edits.push((before..after, Edit::Root(tag)));
            }
            (None, _) => return Err("the root element is not <MPD>".into()),
            (Some("MPD"), "Period") => {
                periods += 1;
                if periods > 1 {
                    return Err("live mode serves one Period; this MPD has several".into());
                }
                let tag = tag(&element)?;
                let start = value(&tag, "start").map(|d| seconds(&d)).transpose()?.unwrap_or(0.0);
                state.period = (start, value(&tag, "duration").map(|d| seconds(&d)).transpose()?);
                state.scope.first_track[Level::Period as usize] = state.tracks.len();
                state.edits.push((before..after, Edit::Period(tag)));
            }
            (Some("MPD"), "UTCTiming") if empty => {
                state.edits.push((widen_to_line(text, before..after), Edit::Remove));
            }
            (Some("MPD"), "UTCTiming") => removal_open = Some(before),
            (Some("Period"), "AdaptationSet") => {
                state.scope.base[Level::Set as usize] = None;
                state.scope.template[Level::Set as usize] = None;
                state.scope.first_track[Level::Set as usize] = state.tracks.len();
            }
            (Some("AdaptationSet"), "Representation") => {
                let tag = tag(&element)?;
                let id = value(&tag, "id").ok_or("a Representation without @id")?;
                let bandwidth = value(&tag, "bandwidth").and_then(|b| b.trim().parse().ok());
                state.scope.rep = Some((id, bandwidth));
                state.scope.base[Level::Rep as usize] = None;
                state.scope.template[Level::Rep as usize] = None;
            }
            (_, "BaseURL") if !empty => base_open = level.map(|l| (after, l)),
            (_, "SegmentBase" | "SegmentList") if level.is_some_and(|l| l > Level::Mpd) => {
                return Err(format!("live mode needs SegmentTemplate addressing, not {local}"));
            }
            (_, "SegmentTemplate") if level.is_some_and(|l| l > Level::Mpd) => {
                let level = level.unwrap_or(Level::Rep);
                let tag = tag(&element)?;
                let attributes = tag
                    .attributes
                    .iter()
                    .filter(|(k, _)| !k.contains(':'))
                    .map(|(k, _)| (k.clone(), value(&tag, k).unwrap_or_default()))
                    .collect();
                let template = Template { attributes, timeline: None };
                if empty {
                    let indent = line_indent(text, before);
                    state.close_template(before..after, level, tag, template, indent);
                } else {
                    template_open = Some((before, level, tag, template));
                }
            }
            (Some("SegmentTemplate"), "SegmentTimeline") => {
                if let Some((_, _, _, template)) = &mut template_open {
                    template.timeline = Some(Vec::new());
                }
            }
            (Some("SegmentTimeline"), "S") => {
                if let Some((_, _, _, Template { timeline: Some(list), .. })) = &mut template_open {
                    let tag = tag(&element)?;
                    let number = |name: &str| -> Result<Option<i64>, String> {
                        value(&tag, name)
                            .map(|v| v.trim().parse().map_err(|_| format!("S@{name}={v:?}")))
                            .transpose()
                    };
                    let t =
                        number("t")?.map(|t| u64::try_from(t).map_err(|_| "a negative S@t")).transpose()?;
                    let d = number("d")?.and_then(|d| u64::try_from(d).ok()).filter(|d| *d > 0);
                    list.push((t, d.ok_or("an S without a positive @d")?, number("r")?.unwrap_or(0)));
                }
            }
            _ => {}
        }
        if empty {
            state.close_container(&local, stack.last().map(String::as_str))?;
        } else {
            stack.push(local);
        }
    }
    if periods == 0 || state.tracks.is_empty() {
        return Err("the MPD has no Period with a Representation".into());
    }
    let mut edits = state.edits;
    edits.retain(|(_, edit)| !matches!(edit, Edit::Template { track, .. } if *track == usize::MAX));
    edits.sort_by_key(|(range, _)| range.start);
    Ok(Source { text: text.to_string(), prefix, edits, tracks: state.tracks })
}

/// The whitespace before `at` on its line, when only whitespace comes before it.
fn line_indent(text: &str, at: usize) -> Option<String> {
    let line = text[..at].rfind('\n')? + 1;
    let indent = &text[line..at];
    indent.chars().all(|c| c == ' ' || c == '\t').then(|| indent.to_string())
}

impl State {
    /// A SegmentTemplate element ends: it applies at `level`; its edit waits for its track.
    fn close_template(
        &mut self,
        range: Range<usize>,
        level: Level,
        tag: Tag,
        template: Template,
        indent: Option<String>,
    ) {
        self.scope.template[level as usize] = Some(template);
        self.pending.push(Pending { edit: self.edits.len(), level });
        self.edits.push((range, Edit::Template { tag, track: usize::MAX, indent }));
    }

    /// The end of a Representation (its track is made), an AdaptationSet or a Period (the
    /// tracks of their SegmentTemplate edits are chosen: the first track using that level's
    /// template as its own, else the first track inside).
    fn close_container(&mut self, name: &str, parent: Option<&str>) -> Result<(), String> {
        let scope = &mut self.scope;
        let (level, first) = match (parent, name) {
            (Some("AdaptationSet"), "Representation") => {
                let (id, bandwidth) = scope.rep.take().unwrap_or_default();
                let levels = [Level::Period, Level::Set, Level::Rep];
                let own = levels.iter().rev().find(|l| scope.template[**l as usize].is_some());
                let own = *own.ok_or_else(|| format!("representation {id:?} has no SegmentTemplate"))?;
                let template = levels
                    .iter()
                    .filter_map(|l| scope.template[*l as usize].as_ref())
                    .fold(Template::default(), |merged, t| merged.under(t));
                let base = scope.base.iter().flatten().fold(String::new(), |base, url| resolve(&base, url));
                let durations = (self.mpd_duration, self.period);
                self.tracks.push(track(id, bandwidth, &template, base, durations)?);
                self.own_level.push(own);
                (Level::Rep, self.tracks.len() - 1)
            }
            (Some("Period"), "AdaptationSet") => (Level::Set, scope.first_track[Level::Set as usize]),
            (Some("MPD"), "Period") => (Level::Period, scope.first_track[Level::Period as usize]),
            _ => return Ok(()),
        };
        let inside = first..self.tracks.len();
        let chosen =
            inside.clone().find(|&i| self.own_level[i] == level).or((!inside.is_empty()).then_some(first));
        for p in self.pending.iter().filter(|p| p.level == level) {
            if let (Some(chosen), Some((_, Edit::Template { track, .. }))) =
                (chosen, self.edits.get_mut(p.edit))
            {
                *track = chosen;
            }
        }
        self.pending.retain(|p| p.level != level);
        Ok(())
    }
}

/// A representation's track from its merged template.
fn track(
    id: String,
    bandwidth: Option<u64>,
    template: &Template,
    base: String,
    (mpd_duration, (period_start, period_duration)): (Option<f64>, (f64, Option<f64>)),
) -> Result<Track, String> {
    let name = &id;
    let timescale = template.number("timescale")?.unwrap_or(1);
    let pto = template.number("presentationTimeOffset")?.unwrap_or(0);
    let start_number = template.number("startNumber")?.unwrap_or(1);
    let media =
        template.get("media").ok_or_else(|| format!("{name:?} has no SegmentTemplate@media"))?.to_string();
    let init = template.get("initialization").ok_or_else(|| {
        format!("{name:?} has no SegmentTemplate@initialization (live mode reads its timescales)")
    })?;
    let init = resolve(&base, &fill(init, &id, bandwidth, None, None)?);
    let length = period_duration.or(mpd_duration.map(|d| d - period_start)).filter(|d| *d > 0.0);
    let timing = match &template.timeline {
        Some(timeline) => {
            let end = length.map(|l| pto as f64 + l * timescale as f64);
            Timing::listed(timescale, pto, &expand(timeline, end)?)?
        }
        None => {
            let duration = template
                .number("duration")?
                .ok_or_else(|| format!("{name:?} has neither @duration nor a SegmentTimeline"))?;
            let length = length
                .ok_or("the Period's length is unknown (no @duration, no mediaPresentationDuration)")?;
            let count = (length * timescale as f64 / duration.max(1) as f64 - 1e-9).ceil();
            if !(1.0..=MAX_SEGMENTS as f64).contains(&count) {
                return Err(format!("{name:?} would loop {count} segments"));
            }
            Timing::equal(timescale, pto, pto, duration, count as u64)?
        }
    };
    if !media.contains("$Number") && !media.contains("$Time") {
        return Err(format!("{name:?}: the media template {media:?} has neither $Number$ nor $Time$"));
    }
    Ok(Track { id, bandwidth, timing, start_number, media, base, init })
}

/// A timeline's segments as `(t, d)`; a negative `@r` repeats until the next `S` or `end`.
fn expand(timeline: &[(Option<u64>, u64, i64)], end: Option<f64>) -> Result<Vec<(u64, u64)>, String> {
    let mut segments = Vec::new();
    let mut next = 0u64;
    for (i, &(t, d, r)) in timeline.iter().enumerate() {
        let mut start = t.unwrap_or(next);
        let repeats = if r >= 0 {
            r as u64
        } else {
            let until = match timeline.get(i + 1) {
                Some((Some(t), _, _)) => *t as f64,
                _ => end.ok_or("an S@r=-1 with no end to repeat to")?,
            };
            ((until - start as f64) / d as f64 - 1e-9).ceil().max(1.0) as u64 - 1
        };
        if repeats >= MAX_SEGMENTS as u64 || segments.len() + repeats as usize >= MAX_SEGMENTS {
            return Err(format!("the timeline has more than {MAX_SEGMENTS} segments"));
        }
        for _ in 0..=repeats {
            segments.push((start, d));
            start = start.checked_add(d).ok_or("a timeline past 2^64")?;
        }
        next = start;
    }
    Ok(segments)
}

/// A start tag's name, attributes as written, and attribute separator.
fn tag(element: &BytesStart) -> Result<Tag, String> {
    let raw = element.attributes_raw();
    let separator = match raw.find('\n') {
        Some(i) => raw[i..].chars().take_while(|c| c.is_whitespace()).collect(),
        None => " ".to_string(),
    };
    let attributes = element
        .attributes()
        .map(|a| {
            let a = a.map_err(|e| format!("an attribute: {e}"))?;
            Ok((a.key.as_ref().to_string(), a.value.to_string()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Tag { name: element.name().as_ref().to_string(), attributes, separator })
}

/// The unescaped value of an (unprefixed) attribute.
fn value(tag: &Tag, name: &str) -> Option<String> {
    let (_, raw) = tag.attributes.iter().find(|(k, _)| k == name)?;
    quick_xml::escape::unescape(raw).ok().map(|v| v.into_owned())
}

fn seconds(duration: &str) -> Result<f64, String> {
    super::clock::parse_duration(duration)
        .map(|d| d.as_secs_f64())
        .ok_or_else(|| format!("the duration {duration:?}"))
}

#[cfg(test)]
mod tests;
