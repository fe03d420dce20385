//! What a dynamic (live) MPD says about time: when its media becomes available, how far back it
//! can be played, how often the MPD changes, where the server's clock can be read, and the
//! latency the service asks for.

use core::time::Duration;
use serde::{Deserialize, Serialize};
use url::Url;

/// The live part of a presentation (`MPD@type="dynamic"`). Wall-clock times are durations since
/// the Unix epoch (UTC); the core never reads a clock, so "now" always comes from its driver
/// ([`crate::Input::WallClock`]) or from the server ([`Live::utc_timing`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Live {
    /// `@availabilityStartTime`: the wall-clock time of presentation time zero.
    pub availability_start: Duration,
    /// `@publishTime`, when given.
    pub publish_time: Option<Duration>,
    /// `@minimumUpdatePeriod`: the MPD may change this often (`None`: it never changes).
    pub minimum_update_period: Option<Duration>,
    /// `@timeShiftBufferDepth`: how far behind the live edge media stays available (`None`: all
    /// of it since the availability start).
    pub time_shift_buffer_depth: Option<Duration>,
    /// `@suggestedPresentationDelay`, when given.
    pub suggested_presentation_delay: Option<Duration>,
    /// `ServiceDescription > Latency`, when given.
    pub latency: Option<LatencyTarget>,
    /// `ServiceDescription > PlaybackRate@min`/`@max`, when given.
    pub playback_rate: Option<(f64, f64)>,
    /// `<UTCTiming>` elements Flick can use, in document order.
    pub utc_timing: Vec<UtcTiming>,
    /// `<Location>`: where to fetch the next version of the MPD (absolute), in document order.
    pub locations: Vec<Url>,
}

/// `ServiceDescription > Latency` (converted from milliseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyTarget {
    /// `@target`.
    pub target: Option<Duration>,
    /// `@min`.
    pub min: Option<Duration>,
    /// `@max`.
    pub max: Option<Duration>,
}

/// A way to read the server's clock (`<UTCTiming>`, ISO/IEC 23009-1 5.8.4.11).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scheme", content = "value")]
pub enum UtcTiming {
    /// `urn:mpeg:dash:utc:direct:2014`: the time itself (an `xs:dateTime`), as of the MPD's fetch.
    Direct(Duration),
    /// `urn:mpeg:dash:utc:http-xsdate:2014` or `http-iso:2014`: a URL whose body is the time.
    HttpBody(Url),
    /// `urn:mpeg:dash:utc:http-head:2014`: a URL whose `Date` header is the time.
    HttpHead(Url),
}

/// An event of an MPD `EventStream` (or one found in a segment's `emsg` box), on the
/// presentation timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamEvent {
    /// `@schemeIdUri` (SCTE-35: `urn:scte:scte35:2013:xml` or `:bin`, and others).
    pub scheme_id_uri: String,
    /// `@value`, when given.
    pub value: Option<String>,
    /// `@id`, when given.
    pub id: Option<String>,
    /// When it starts, on the presentation timeline.
    pub presentation_time: Duration,
    /// How long it lasts, when given.
    pub duration: Option<Duration>,
    /// Its message: the text of an MPD event (or `@messageData`), base64 of an `emsg` payload.
    pub message: String,
    /// Whether it came in a media segment (`emsg`) rather than from the MPD.
    pub in_band: bool,
}
