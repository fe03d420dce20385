//! MPD parsing: bytes to [`crate::presentation::Presentation`].
//!
//! [`parse`] reads a static MPD with `dash-mpd-core` and turns it into the player's presentation
//! model:
//!
//! - periods with their start and duration worked out when the MPD leaves them implicit;
//! - adaptation sets classified as video, audio or text (others are skipped), representations
//!   sorted by bandwidth with attributes inherited from their adaptation set;
//! - every segment addressing scheme (SegmentTemplate with `$Number$` or a SegmentTimeline,
//!   SegmentList, SegmentBase with a `sidx` index), with attributes inherited from the Period and
//!   the AdaptationSet as ISO/IEC 23009-1 says, and `@presentationTimeOffset` removed so segment
//!   times are on the period's timeline;
//! - BaseURLs resolved at every level, several BaseURLs at a level becoming candidate
//!   [`Location`](crate::presentation::Location)s (CDNs) ordered by DVB `@priority`.
//!
//! Nothing in this module panics on untrusted input: arithmetic is checked, the manifest's size is
//! budgeted ([`MAX_MANIFEST_BYTES`], [`MAX_ELEMENTS`]), counts are capped
//! ([`MAX_SEGMENTS_PER_REPRESENTATION`], [`MAX_SEGMENTS`], [`MAX_BASE_URLS`]), a SegmentTemplate's
//! segments are computed when asked rather than listed (so memory follows the manifest's size),
//! and every failure is a [`ManifestError`] that says what failed and where.
//!
//! ```
//! use flick_player::manifest;
//! use url::Url;
//!
//! let mpd = r#"<MPD type="static" mediaPresentationDuration="PT4S">
//!   <Period><AdaptationSet contentType="video" mimeType="video/mp4">
//!     <SegmentTemplate timescale="1000" duration="2000" media="v/$Number$.m4s"/>
//!     <Representation id="v1" bandwidth="500000"/>
//!   </AdaptationSet></Period></MPD>"#;
//! let url = Url::parse("https://cdn.example/movie/manifest.mpd").unwrap();
//! let presentation = manifest::parse(mpd.as_bytes(), &url).unwrap();
//! let rep = &presentation.periods[0].tracks[0].representations[0];
//! assert_eq!(rep.base_urls[0].url.as_str(), "https://cdn.example/movie/");
//! assert_eq!(rep.segments.segments().unwrap().get(1).unwrap().location.url, "v/2.m4s");
//! ```

mod addressing;
mod base_url;
mod live;

pub use live::MAX_MPD_EVENTS;
mod prescan;
mod resource;
mod steering;
pub(crate) mod template;
mod timeline;
mod timing;
mod track;

#[cfg(test)]
mod tests;

pub(crate) use timing::ticks_to_duration;

use crate::presentation::{Period, Presentation};
use dash_mpd_core::MPD;
use url::Url;

/// Most media segments one representation may list; more is treated as a hostile manifest.
pub const MAX_SEGMENTS_PER_REPRESENTATION: u64 = 1_000_000;

/// Most media segments a whole presentation may store one by one (all periods and
/// representations; a SegmentTemplate's segments are computed when asked and do not count).
pub const MAX_SEGMENTS: u64 = 5_000_000;

/// Shortest nominal segment: anything shorter is a hostile or broken manifest (a segment that
/// holds no time would let the player fetch without end, its buffer never growing).
pub const MIN_SEGMENT_DURATION: core::time::Duration = core::time::Duration::from_millis(10);

/// Largest manifest parsed, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;

/// Most XML elements a manifest may have.
pub const MAX_ELEMENTS: u64 = 1_000_000;

/// Most candidate base URLs one representation may combine from all levels.
pub const MAX_BASE_URLS: usize = 64;

/// Why a manifest could not be turned into a presentation.
///
/// `at` fields name the element, e.g. `Period[0] id="p0" > AdaptationSet[1] > Representation[2]
/// id="720p"`; `attribute` fields name the attribute, e.g. `SegmentTemplate@timescale`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestError {
    /// The bytes are not a well-formed MPD (not UTF-8, bad XML, truncated, wrong root element, a
    /// value of the wrong type).
    #[error("malformed MPD: {0}")]
    Malformed(String),
    /// A well-formed MPD uses something Flick does not play yet (XLink).
    #[error("{at}: unsupported: {feature}")]
    Unsupported {
        /// Where.
        at: String,
        /// What is not supported.
        feature: String,
    },
    /// The MPD has no Period.
    #[error("the MPD has no Period")]
    NoPeriods,
    /// A period has no adaptation set with video, audio or text and at least one representation.
    #[error("{at}: no playable adaptation set (video, audio or text with a representation)")]
    NoPlayableTracks {
        /// The period.
        at: String,
    },
    /// A required attribute is absent.
    #[error("{at}: missing {attribute}")]
    MissingAttribute {
        /// Where.
        at: String,
        /// Which attribute.
        attribute: &'static str,
    },
    /// An attribute has a value that cannot be right (zero timescale, negative repeat, a duration
    /// that overflows, a malformed byte range...).
    #[error("{at}: invalid {attribute}={value:?}: {reason}")]
    InvalidAttribute {
        /// Where.
        at: String,
        /// Which attribute.
        attribute: &'static str,
        /// Its value as written (or as parsed).
        value: String,
        /// Why it is rejected.
        reason: String,
    },
    /// A SegmentTemplate URL template cannot be expanded.
    #[error("{at}: bad {attribute} template {template:?}: {reason}")]
    InvalidTemplate {
        /// Where.
        at: String,
        /// `SegmentTemplate@media` or `SegmentTemplate@initialization`.
        attribute: &'static str,
        /// The template as written.
        template: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A SegmentTemplate or SegmentList has neither `@duration` nor a SegmentTimeline.
    #[error("{at}: {element} has neither @duration nor a SegmentTimeline")]
    MissingSegmentDuration {
        /// Where.
        at: String,
        /// `SegmentTemplate` or `SegmentList`.
        element: &'static str,
    },
    /// Segments cannot be placed because the period's duration is unknown (no `Period@duration`,
    /// no following `Period@start`, no `MPD@mediaPresentationDuration`).
    #[error("{at}: the period's duration is unknown, so its segments cannot be listed")]
    UnknownPeriodDuration {
        /// Where.
        at: String,
    },
    /// Period or segment timing that cannot be right (time going backwards, overflow).
    #[error("{at}: bad timing: {reason}")]
    InvalidTiming {
        /// Where.
        at: String,
        /// What is wrong.
        reason: String,
    },
    /// More segments than the sanity cap.
    #[error("{at}: {count} segments, more than the limit of {limit}")]
    TooManySegments {
        /// Where.
        at: String,
        /// How many (saturated when astronomically many).
        count: u64,
        /// The cap.
        limit: u64,
    },
    /// The manifest is larger than a budget allows ([`MAX_MANIFEST_BYTES`], [`MAX_ELEMENTS`]).
    #[error("the manifest has {count} {what}, more than the limit of {limit}")]
    TooLarge {
        /// What was counted (`bytes`, `elements`).
        what: &'static str,
        /// How many (counted up to just past the limit).
        count: u64,
        /// The budget.
        limit: u64,
    },
    /// BaseURLs at several levels combine into more candidates than the cap.
    #[error("{at}: {count} candidate base URLs, more than the limit of {limit}")]
    TooManyBaseUrls {
        /// Where.
        at: String,
        /// How many.
        count: usize,
        /// The cap.
        limit: usize,
    },
    /// A BaseURL cannot be resolved to an absolute URL.
    #[error("{at}: cannot resolve URL {url:?}: {reason}")]
    InvalidUrl {
        /// Where.
        at: String,
        /// The URL as written.
        url: String,
        /// Why.
        reason: String,
    },
}

/// Parse MPD bytes fetched from `manifest_url` into a presentation.
///
/// Relative BaseURLs resolve against `manifest_url`; without any BaseURL, segments resolve
/// against the manifest's directory.
pub fn parse(bytes: &[u8], manifest_url: &Url) -> Result<Presentation, ManifestError> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(ManifestError::TooLarge {
            what: "bytes",
            count: bytes.len() as u64,
            limit: MAX_MANIFEST_BYTES as u64,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ManifestError::Malformed(format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    prescan::check(text)?;
    let mpd = dash_mpd_core::parse(text).map_err(|e| match e {
        dash_mpd_core::DashMpdError::Parsing(message) => ManifestError::Malformed(message),
        other => ManifestError::Malformed(other.to_string()),
    })?;
    let mut presentation = build(&mpd, manifest_url)?;
    presentation.steering = steering::find(text, manifest_url);
    Ok(presentation)
}

/// State shared while walking one MPD.
struct Walk<'a> {
    manifest_url: &'a Url,
    locations: base_url::LocationTable,
    /// Segments listed so far, against [`MAX_SEGMENTS`].
    segments_listed: u64,
    /// For a live period whose end is unknown: how far from its start its templates are
    /// addressed (they have no end; the player asks only for segments already available).
    horizon: Option<core::time::Duration>,
    /// What was accepted though not as the standard says (a missing `@bandwidth`, say).
    warnings: Vec<String>,
    /// Representations without an id named so far.
    unnamed: usize,
}

fn build(mpd: &MPD, manifest_url: &Url) -> Result<Presentation, ManifestError> {
    let live = match mpd.mpdtype.as_deref().map(str::trim) {
        None | Some("static") => None,
        Some("dynamic") => Some(live::live(mpd, manifest_url)?),
        Some(other) => {
            return Err(ManifestError::InvalidAttribute {
                at: "MPD".into(),
                attribute: "MPD@type",
                value: other.into(),
                reason: "expected \"static\" or \"dynamic\"".into(),
            });
        }
    };
    if mpd.periods.is_empty() {
        return Err(ManifestError::NoPeriods);
    }
    let spans = timing::period_spans(mpd)?;
    let root = base_url::root(manifest_url);
    let mpd_bases = base_url::descend(&root, &mpd.base_url, "MPD")?;

    let mut walk = Walk {
        manifest_url,
        locations: base_url::LocationTable::default(),
        segments_listed: 0,
        horizon: None,
        warnings: Vec::new(),
        unnamed: 0,
    };
    let mut periods = Vec::with_capacity(spans.len());
    for (index, (period, span)) in mpd.periods.iter().zip(&spans).enumerate() {
        let at = label("Period", index, period.id.as_deref());
        if period.href.is_some() {
            return Err(ManifestError::Unsupported { at, feature: "XLink Period@href".into() });
        }
        let bases = base_url::descend(&mpd_bases, &period.BaseURL, &at)?;
        walk.horizon =
            live.as_ref().filter(|_| span.duration.is_none()).map(|l| live::horizon(l, span.start));
        let tracks = track::tracks(&mut walk, period, span, &bases, &at)?;
        if tracks.is_empty() {
            return Err(ManifestError::NoPlayableTracks { at });
        }
        periods.push(Period { id: period.id.clone(), start: span.start, duration: span.duration, tracks });
    }
    let locations = walk.locations.finish(&mut periods);
    let duration = match live {
        // A live presentation's end is not known until its MPD says so (turning static).
        Some(_) => mpd.mediaPresentationDuration,
        None => mpd.mediaPresentationDuration.or_else(|| {
            let last = periods.last()?;
            last.start.checked_add(last.duration?)
        }),
    };
    let starts: Vec<_> = spans.iter().map(|s| s.start).collect();
    Ok(Presentation {
        duration,
        min_buffer_time: mpd.minBufferTime,
        events: live::events(mpd, &starts),
        periods,
        locations,
        steering: None,
        live,
        warnings: walk.warnings,
    })
}

/// `Kind[index]`, with ` id="..."` when the element has an id: how errors name an element.
fn label(kind: &str, index: usize, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("{kind}[{index}] id={id:?}"),
        None => format!("{kind}[{index}]"),
    }
}
