//! The presentation model the player schedules from: what a parsed MPD (or a simulator's ladder)
//! becomes. Plain data; [`crate::manifest`] builds it from MPD bytes.

mod live;
mod segments;

pub use live::{LatencyTarget, Live, StreamEvent, UtcTiming};

pub use segments::Segments;
pub(crate) use segments::{Computed, Entry, Run, Step, place};

use core::time::Duration;
use flick_abr::units::{Bitrate, Bytes};
use serde::{Deserialize, Serialize};
use url::Url;

/// A whole presentation: its periods and the candidate locations its URLs resolve against.
#[derive(Clone, Debug, PartialEq)]
pub struct Presentation {
    /// Total duration: `@mediaPresentationDuration`, else the end of the last period when known.
    pub duration: Option<Duration>,
    /// `@minBufferTime`, when given.
    pub min_buffer_time: Option<Duration>,
    /// Periods in presentation order (at least one).
    pub periods: Vec<Period>,
    /// Candidate locations (CDNs, servers), best first; [`BaseUrl::location`] indexes this list.
    pub locations: Vec<Location>,
    /// DASH-IF Content Steering, when the MPD names a steering server.
    pub steering: Option<ContentSteering>,
    /// What a dynamic (live) MPD says about time; `None` for a static one.
    pub live: Option<Live>,
    /// The events of the MPD's `EventStream`s, in document order.
    pub events: Vec<StreamEvent>,
    /// What the MPD does that the standard does not allow but players accept (a representation
    /// without `@bandwidth`, say), one sentence each.
    pub warnings: Vec<String>,
}

/// The MPD's `<ContentSteering>` element.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentSteering {
    /// The steering server.
    pub server: Url,
    /// `@defaultServiceLocation`: the location to prefer before the first answer.
    pub default_service_location: Option<String>,
    /// `@queryBeforeStart`.
    pub query_before_start: bool,
}

/// A candidate location: one CDN or server that can answer the presentation's requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// A short stable name: the BaseURL's `@serviceLocation`, else its host (and port), else `"origin"`.
    pub id: String,
    /// DVB `@dvb:priority` (lower is preferred); `None` when not given.
    pub priority: Option<u32>,
    /// DVB `@dvb:weight`; `None` when not given.
    pub weight: Option<u32>,
}

/// One period.
#[derive(Clone, Debug, PartialEq)]
pub struct Period {
    /// `@id`, when given.
    pub id: Option<String>,
    /// Start on the presentation timeline.
    pub start: Duration,
    /// Duration, when known (given, or up to the next period, or to the presentation's end).
    pub duration: Option<Duration>,
    /// Adaptation sets with the media kinds the player understands.
    pub tracks: Vec<Track>,
}

/// What a track carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackKind {
    /// Video.
    Video,
    /// Audio.
    Audio,
    /// Subtitles or captions.
    Text,
}

/// An adaptation set: interchangeable encodings of the same content.
#[derive(Clone, Debug, PartialEq)]
pub struct Track {
    /// Media kind.
    pub kind: TrackKind,
    /// `@id`, when given.
    pub id: Option<String>,
    /// `@lang`, when given.
    pub language: Option<String>,
    /// `@mimeType` of the set, when given.
    pub mime_type: Option<String>,
    /// Representations sorted by bandwidth, lowest first (the ladder's rungs).
    pub representations: Vec<Representation>,
}

/// One encoding: a rung of the ladder.
#[derive(Clone, Debug, PartialEq)]
pub struct Representation {
    /// `@id`.
    pub id: String,
    /// `@bandwidth`.
    pub bandwidth: Bitrate,
    /// `@width`, for video.
    pub width: Option<u32>,
    /// `@height`, for video.
    pub height: Option<u32>,
    /// `@frameRate` as written (e.g. `30000/1001`).
    pub frame_rate: Option<String>,
    /// `@codecs` (inherited from the adaptation set when absent).
    pub codecs: Option<String>,
    /// `@mimeType` (inherited from the adaptation set when absent).
    pub mime_type: Option<String>,
    /// `@audioSamplingRate`, for audio.
    pub audio_sampling_rate: Option<String>,
    /// Candidate base URLs, one per location that serves this representation, best first.
    pub base_urls: Vec<BaseUrl>,
    /// `@availabilityTimeOffset` in seconds (0 when absent; infinite allowed): a live segment
    /// can be fetched this long before its end.
    pub availability_time_offset: f64,
    /// Where the segments are.
    pub segments: SegmentIndex,
}

/// A resolved absolute base URL and the location it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseUrl {
    /// Absolute URL segment references are resolved against.
    pub url: Url,
    /// Index into [`Presentation::locations`].
    pub location: usize,
}

/// An inclusive byte range, as HTTP `Range: bytes=start-end` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteRange {
    /// First byte.
    pub start: u64,
    /// Last byte (inclusive).
    pub end: u64,
}

impl ByteRange {
    /// Number of bytes in the range.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start).saturating_add(1)
    }

    /// Never empty: a range holds at least its first byte.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// A reference to a resource: an init segment, an index, or a media segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentRef {
    /// URL reference, relative to the representation's base URL (or absolute).
    pub url: String,
    /// Byte range within that resource, if only part of it is meant.
    pub range: Option<ByteRange>,
}

/// One media segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaSegment {
    /// The resource.
    pub location: SegmentRef,
    /// `$Number$` of the segment (or its position in a list or index, from `@startNumber`).
    pub number: u64,
    /// Start on the period's timeline (presentation time offset already removed).
    pub start: Duration,
    /// Duration.
    pub duration: Duration,
    /// Size in bytes, where known (from `sidx`, a byte range, or a simulator's ladder).
    pub size: Option<Bytes>,
}

/// Where a representation's segments are.
#[derive(Clone, Debug, PartialEq)]
pub enum SegmentIndex {
    /// Every segment is known (SegmentTemplate with `$Number$` or a SegmentTimeline, SegmentList,
    /// or an already parsed `sidx`).
    Listed {
        /// Initialization segment, when there is one.
        init: Option<SegmentRef>,
        /// Media segments in order.
        segments: Segments,
    },
    /// SegmentBase: the segment list is in a `sidx` box that has to be fetched first.
    Indexed {
        /// Initialization segment (often a byte range of the same file).
        init: Option<SegmentRef>,
        /// The `sidx` byte range of the media file.
        index: SegmentRef,
        /// `@timescale` of the SegmentBase (ticks per second).
        timescale: u64,
        /// `@presentationTimeOffset` in timescale ticks.
        presentation_time_offset: u64,
    },
}

impl SegmentIndex {
    /// The initialization segment, if any.
    pub fn init(&self) -> Option<&SegmentRef> {
        match self {
            SegmentIndex::Listed { init, .. } | SegmentIndex::Indexed { init, .. } => init.as_ref(),
        }
    }

    /// The media segments, once known.
    pub fn segments(&self) -> Option<&Segments> {
        match self {
            SegmentIndex::Listed { segments, .. } => Some(segments),
            SegmentIndex::Indexed { .. } => None,
        }
    }
}

impl Presentation {
    /// Whether the presentation is live (a dynamic MPD).
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// The first track of `kind` in the first period, if any.
    pub fn track(&self, kind: TrackKind) -> Option<&Track> {
        self.periods.first()?.tracks.iter().find(|t| t.kind == kind)
    }
}
