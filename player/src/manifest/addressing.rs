//! Segment addressing: SegmentTemplate, SegmentList and SegmentBase, inherited from the Period
//! and the AdaptationSet (ISO/IEC 23009-1 5.3.9), to a [`SegmentIndex`].
//!
//! The scheme is the one on the most specific level that has any (Template before List before
//! Base on the same level); its attributes are then merged across the levels, the most specific
//! value winning. Without any scheme, the representation's BaseURL is one segment covering the
//! period.

use super::resource::{byte_range, initialization, media_ref};
use super::template::{UrlTemplate, Values};
use super::timeline::{self, Bounds};
use super::timing::duration_to_ticks_ceil;
use super::{MIN_SEGMENT_DURATION, ManifestError};
use crate::presentation::place;
use crate::presentation::{Computed, MediaSegment, Run, SegmentIndex, SegmentRef, Segments, Step};
use core::time::Duration;
use dash_mpd_core::{AdaptationSet, Period, Representation};
use dash_mpd_core::{SegmentBase, SegmentList, SegmentTemplate};
use flick_abr::units::Bytes;

/// What building a representation's segment index needs besides the MPD elements.
#[derive(Clone, Copy, Debug)]
pub(super) struct Context<'a> {
    /// Where, for errors.
    pub at: &'a str,
    /// `Representation@id`, for `$RepresentationID$`.
    pub representation_id: &'a str,
    /// `Representation@bandwidth`, for `$Bandwidth$`.
    pub bandwidth: u64,
    /// The period's duration, when known.
    pub period_duration: Option<Duration>,
    /// A live period of unknown end: its templates are addressed this far from its start, with no
    /// cap on their count (they are computed when asked, never listed).
    pub horizon: Option<Duration>,
    /// Most segments this representation may list.
    pub limit: u64,
}

/// The three levels an addressing element can sit on, most specific first.
type Chain<'a, T> = [Option<&'a T>; 3];

/// The most specific value of `field` along `chain`.
fn pick<'a, T, V>(chain: &Chain<'a, T>, field: impl Fn(&'a T) -> Option<V>) -> Option<V> {
    chain.iter().flatten().find_map(|element| field(element))
}

/// The segment index of `representation` in `set` in `period`.
pub(super) fn segment_index(
    period: &Period,
    set: &AdaptationSet,
    representation: &Representation,
    ctx: &Context<'_>,
) -> Result<SegmentIndex, ManifestError> {
    let levels = [
        (&representation.SegmentTemplate, &representation.SegmentList, &representation.SegmentBase),
        (&set.SegmentTemplate, &set.SegmentList, &set.SegmentBase),
        (&period.SegmentTemplate, &period.SegmentList, &period.SegmentBase),
    ];
    for (template, list, base) in levels {
        if template.is_some() {
            return from_template(&levels.map(|l| l.0.as_ref()), ctx);
        }
        if list.is_some() {
            return from_list(&levels.map(|l| l.1.as_ref()), ctx);
        }
        if base.is_some() {
            return from_base(&levels.map(|l| l.2.as_ref()), ctx);
        }
    }
    whole_period(None, ctx)
}

/// Whether the representation is addressed by a SegmentTemplate that has no `@media` at any level.
pub(super) fn template_without_media(period: &Period, set: &AdaptationSet, rep: &Representation) -> bool {
    let chain = [&rep.SegmentTemplate, &set.SegmentTemplate, &period.SegmentTemplate];
    chain.iter().any(|t| t.is_some()) && chain.iter().all(|t| t.as_ref().is_none_or(|t| t.media.is_none()))
}

fn from_template(
    chain: &Chain<'_, SegmentTemplate>,
    ctx: &Context<'_>,
) -> Result<SegmentIndex, ManifestError> {
    let timescale = timescale(pick(chain, |t| t.timescale), ctx, "SegmentTemplate@timescale")?;
    let offset = pick(chain, |t| t.presentationTimeOffset).unwrap_or(0);
    let values = |number, time| Values {
        representation_id: ctx.representation_id,
        bandwidth: ctx.bandwidth,
        number,
        time,
    };
    let compile = |attribute: &'static str, text: &str| {
        UrlTemplate::parse(text).map_err(|reason| invalid_template(ctx, attribute, text, reason))
    };
    // Without @media (optional in the schema) the segments are the BaseURL itself; the caller
    // warns about it (see `template_without_media`).
    let media_text = pick(chain, |t| t.media.as_deref()).unwrap_or("");
    let media = compile("SegmentTemplate@media", media_text)?;
    let init = match pick(chain, |t| t.initialization.as_deref()) {
        Some(text) => {
            let url = compile("SegmentTemplate@initialization", text)?
                .expand(&values(None, None))
                .map_err(|reason| invalid_template(ctx, "SegmentTemplate@initialization", text, reason))?;
            Some(SegmentRef { url, range: None })
        }
        None => initialization(pick(chain, |t| t.Initialization.as_ref()), ctx)?,
    };
    let open_ended = ctx.period_duration.is_none() && ctx.horizon.is_some();
    let bounds = Bounds {
        at: ctx.at,
        start_number: pick(chain, |t| t.startNumber).unwrap_or(1),
        end_number: pick(chain, |t| t.endNumber),
        period_end: period_ticks(ctx, timescale)?.and_then(|t| t.checked_add(offset)),
        limit: if open_ended { u64::MAX } else { ctx.limit },
    };
    let runs = if let Some(timeline) = pick(chain, |t| t.SegmentTimeline.as_ref()) {
        timeline::runs(&timeline.segments, &bounds)?
    } else if let Some(duration) = pick(chain, |t| t.duration) {
        let duration = segment_duration(duration, ctx, "SegmentTemplate@duration")?;
        let by_period = period_ticks(ctx, timescale)?.map(|t| timeline::count_for(t, duration));
        let by_number =
            bounds.end_number.map(|end| end.saturating_sub(bounds.start_number).saturating_add(1));
        let count = match (by_period, by_number) {
            (Some(a), Some(b)) => a.min(b),
            (Some(n), None) | (None, Some(n)) => n,
            (None, None) => {
                return Err(ManifestError::UnknownPeriodDuration { at: ctx.at.into() });
            }
        };
        timeline::constant(count, duration, offset, &bounds)?
    } else {
        return Err(ManifestError::MissingSegmentDuration { at: ctx.at.into(), element: "SegmentTemplate" });
    };
    check_durations(&runs, timescale, ctx)?;
    // Every segment's URL is built when asked: check once that the template expands.
    media
        .expand(&values(Some(bounds.start_number), Some(0)))
        .map_err(|reason| invalid_template(ctx, "SegmentTemplate@media", media_text, reason))?;
    let computed = Computed::new(
        media,
        ctx.representation_id.to_string(),
        ctx.bandwidth,
        timescale,
        offset,
        ctx.period_duration,
        runs,
    )
    .ok_or_else(|| ManifestError::InvalidTiming {
        at: ctx.at.into(),
        reason: "segment time overflows".into(),
    })?;
    Ok(SegmentIndex::Listed { init, segments: Segments::computed(computed) })
}

/// Refuse segments shorter than [`MIN_SEGMENT_DURATION`]: repeated ones, or so many short ones
/// that the average is. One short segment alone (the last few audio frames of a timeline) is
/// real content.
fn check_durations(runs: &[Run], timescale: u64, ctx: &Context<'_>) -> Result<(), ManifestError> {
    let seconds = |ticks: f64| ticks / timescale as f64;
    let min = MIN_SEGMENT_DURATION.as_secs_f64();
    let too_short = |what: String| {
        Err(invalid(
            ctx,
            "segment duration",
            &what,
            &format!("segments shorter than {MIN_SEGMENT_DURATION:?}"),
        ))
    };
    let (mut ticks, mut count) = (0f64, 0u64);
    for run in runs {
        let each = match run.step {
            Step::Ticks { duration, .. } => duration as f64,
            Step::Fractional(duration) => duration,
        };
        if run.count > 1 && seconds(each) < min {
            return too_short(format!("{} × {each} ticks at timescale {timescale}", run.count));
        }
        ticks += each * run.count as f64;
        count = count.saturating_add(run.count);
    }
    if count > 1 && seconds(ticks) / (count as f64) < min {
        return too_short(format!("{count} segments in {ticks} ticks at timescale {timescale}"));
    }
    Ok(())
}

fn from_list(chain: &Chain<'_, SegmentList>, ctx: &Context<'_>) -> Result<SegmentIndex, ManifestError> {
    if pick(chain, |l| l.href.as_deref()).is_some() {
        return Err(ManifestError::Unsupported {
            at: ctx.at.into(),
            feature: "XLink SegmentList@href".into(),
        });
    }
    let timescale = timescale(pick(chain, |l| l.timescale), ctx, "SegmentList@timescale")?;
    let init = initialization(pick(chain, |l| l.Initialization.as_ref()), ctx)?;
    let urls = chain.iter().flatten().map(|l| &l.segment_urls).find(|u| !u.is_empty());
    let urls = urls.map(Vec::as_slice).unwrap_or_default();
    let count = urls.len() as u64;
    if count > ctx.limit {
        return Err(ManifestError::TooManySegments { at: ctx.at.into(), count, limit: ctx.limit });
    }
    let bounds = Bounds {
        at: ctx.at,
        start_number: 1,
        end_number: None,
        period_end: period_ticks(ctx, timescale)?,
        limit: ctx.limit,
    };
    let runs = if let Some(timeline) = pick(chain, |l| l.SegmentTimeline.as_ref()) {
        timeline::runs(&timeline.segments, &bounds)?
    } else if let Some(duration) = pick(chain, |l| l.duration) {
        let duration = segment_duration(duration as f64, ctx, "SegmentList@duration")?;
        timeline::constant(count, duration, 0, &bounds)?
    } else if let [only] = urls {
        let location = media_ref(only, ctx)?;
        return whole_period_at(init, location, ctx);
    } else {
        return Err(ManifestError::MissingSegmentDuration { at: ctx.at.into(), element: "SegmentList" });
    };
    check_durations(&runs, timescale, ctx)?;
    let entries = timeline::entries(&runs, urls.len());
    let mut segments = Vec::with_capacity(entries.len());
    for (entry, segment_url) in entries.iter().zip(urls) {
        let Some((start, duration)) = place(entry, 0, timescale, ctx.period_duration) else {
            continue;
        };
        let location = media_ref(segment_url, ctx)?;
        segments.push(MediaSegment {
            size: location.range.map(|r| Bytes(r.len())),
            location,
            number: entry.number,
            start,
            duration,
        });
    }
    Ok(SegmentIndex::Listed { init, segments: segments.into() })
}

fn from_base(chain: &Chain<'_, SegmentBase>, ctx: &Context<'_>) -> Result<SegmentIndex, ManifestError> {
    let timescale = timescale(pick(chain, |b| b.timescale), ctx, "SegmentBase@timescale")?;
    let init = initialization(pick(chain, |b| b.Initialization.as_ref()), ctx)?;
    let index = match pick(chain, |b| b.indexRange.as_deref()) {
        Some(range) => {
            SegmentRef { url: String::new(), range: Some(byte_range(range, ctx, "SegmentBase@indexRange")?) }
        }
        None => match pick(chain, |b| b.representation_index.as_ref()) {
            Some(index) => SegmentRef {
                url: index.sourceURL.clone().unwrap_or_default(),
                range: index
                    .range
                    .as_deref()
                    .map(|r| byte_range(r, ctx, "RepresentationIndex@range"))
                    .transpose()?,
            },
            // No index: the whole resource is the period's one segment.
            None => return whole_period(init, ctx),
        },
    };
    Ok(SegmentIndex::Indexed {
        init,
        index,
        timescale,
        presentation_time_offset: pick(chain, |b| b.presentationTimeOffset).unwrap_or(0),
    })
}

/// One segment, the representation's BaseURL itself, covering the whole period.
fn whole_period(init: Option<SegmentRef>, ctx: &Context<'_>) -> Result<SegmentIndex, ManifestError> {
    whole_period_at(init, SegmentRef { url: String::new(), range: None }, ctx)
}

/// One segment at `location`, covering the whole period.
fn whole_period_at(
    init: Option<SegmentRef>,
    location: SegmentRef,
    ctx: &Context<'_>,
) -> Result<SegmentIndex, ManifestError> {
    // A live period of unknown end: one resource that goes on (a progressive live stream).
    let duration = ctx
        .period_duration
        .or(ctx.horizon)
        .ok_or_else(|| ManifestError::UnknownPeriodDuration { at: ctx.at.into() })?;
    let segment = MediaSegment {
        size: location.range.map(|r| Bytes(r.len())),
        location,
        number: 1,
        start: Duration::ZERO,
        duration,
    };
    Ok(SegmentIndex::Listed { init, segments: vec![segment].into() })
}

/// `@availabilityTimeOffset` in seconds (the most specific SegmentTemplate's, else the
/// representation's BaseURL's; `INF` allowed): how long before its end a live segment can be
/// fetched. An offset with `@availabilityTimeComplete="false"` is for low-latency chunked
/// delivery (the segment is still being written then): Flick, which asks for whole segments,
/// waits for their end.
pub(super) fn availability_time_offset(period: &Period, set: &AdaptationSet, rep: &Representation) -> f64 {
    let templates = [&rep.SegmentTemplate, &set.SegmentTemplate, &period.SegmentTemplate];
    let from_template = templates.iter().find_map(|t| {
        let t = t.as_ref()?;
        let offset = t.availabilityTimeOffset?;
        Some(if t.availabilityTimeComplete == Some(false) { 0.0 } else { offset })
    });
    let from_base = [&rep.BaseURL, &set.BaseURL, &period.BaseURL].iter().find_map(|b| {
        let b = b.first()?;
        let offset = b.availability_time_offset?;
        Some(if b.availability_time_complete == Some(false) { 0.0 } else { offset })
    });
    from_template.or(from_base).filter(|v| *v >= 0.0 && !v.is_nan()).unwrap_or(0.0)
}

/// The period's duration in `timescale` ticks (rounded up), when known; for a live period of
/// unknown end, its horizon.
fn period_ticks(ctx: &Context<'_>, timescale: u64) -> Result<Option<u64>, ManifestError> {
    if ctx.period_duration.is_none()
        && let Some(horizon) = ctx.horizon
    {
        // Far enough, and with room for the presentation time offset and a last segment.
        let ticks = duration_to_ticks_ceil(horizon, timescale).unwrap_or(u64::MAX);
        return Ok(Some(ticks.min(u64::MAX / 4)));
    }
    ctx.period_duration
        .map(|d| {
            duration_to_ticks_ceil(d, timescale).ok_or_else(|| ManifestError::InvalidTiming {
                at: ctx.at.into(),
                reason: format!("the period's duration {d:?} overflows at timescale {timescale}"),
            })
        })
        .transpose()
}

fn timescale(value: Option<u64>, ctx: &Context<'_>, attribute: &'static str) -> Result<u64, ManifestError> {
    match value {
        None => Ok(1),
        Some(0) => Err(invalid(ctx, attribute, "0", "must be positive")),
        Some(timescale) => Ok(timescale),
    }
}

fn segment_duration(value: f64, ctx: &Context<'_>, attribute: &'static str) -> Result<f64, ManifestError> {
    if value.is_finite() && value >= 1e-3 {
        Ok(value)
    } else {
        Err(invalid(ctx, attribute, &value.to_string(), "must be a positive number of ticks"))
    }
}

pub(super) fn invalid(
    ctx: &Context<'_>,
    attribute: &'static str,
    value: &str,
    reason: &str,
) -> ManifestError {
    ManifestError::InvalidAttribute {
        at: ctx.at.into(),
        attribute,
        value: value.into(),
        reason: reason.into(),
    }
}

fn invalid_template(
    ctx: &Context<'_>,
    attribute: &'static str,
    template: &str,
    reason: String,
) -> ManifestError {
    ManifestError::InvalidTemplate { at: ctx.at.into(), attribute, template: template.into(), reason }
}
