//! The core's inputs and outputs: everything that crosses between [`crate::Player`] and a driver.

use crate::presentation::{ByteRange, Presentation, TrackKind};
use crate::state::PlayerState;
use core::time::Duration;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Byte buffers as the core passes them (re-exported so drivers need no `bytes` dependency).
pub use bytes::Bytes;

/// Identifies one request the core asked a driver to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

/// What a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// The MPD.
    Manifest,
    /// A segment index (`sidx`).
    Index,
    /// An initialization segment.
    Init,
    /// A media segment.
    Media,
    /// A content-steering server.
    Steering,
    /// A server's clock (`<UTCTiming>` of a live MPD).
    Clock,
}

/// The HTTP method of a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`: the body is wanted.
    #[default]
    Get,
    /// `HEAD`: only the headers (the `Date` of a `http-head` clock). Send
    /// [`Input::ServerDate`], then [`Input::Complete`] without a body.
    Head,
}

/// A request for the driver to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequest {
    /// The id that the driver's inputs about this request must carry.
    pub id: RequestId,
    /// Absolute URL.
    pub url: String,
    /// Byte range to ask for, if any.
    pub range: Option<ByteRange>,
    /// What it is for.
    pub kind: RequestKind,
    /// The track it feeds, for index, init and media requests.
    pub track: Option<TrackKind>,
    /// Index into [`Presentation::locations`] of the location it goes to.
    pub location: Option<usize>,
    /// Extra request headers (CMCD in header mode).
    pub headers: Vec<(String, String)>,
    /// `GET` or `HEAD`.
    pub method: Method,
}

/// How a request failed, as the driver saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum FetchError {
    /// The server answered with a non-success HTTP status.
    Http(u16),
    /// No answer (connect or first byte) in time.
    Timeout,
    /// The connection was reset or closed early.
    Reset,
    /// The body stopped arriving, or came too slowly to be worth waiting for (a trickle).
    Stalled,
    /// The body ended before the announced length.
    Truncated,
    /// DNS, TLS or another transport failure.
    Transport(String),
}

/// What the driver feeds into the core.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Load and play the MPD at this URL.
    Load {
        /// Absolute manifest URL.
        url: String,
    },
    /// Play an already parsed presentation (a simulator's ladder, or a manifest parsed elsewhere).
    LoadPresentation {
        /// The presentation.
        presentation: Arc<Presentation>,
    },
    /// Start or resume playback.
    Play,
    /// Pause playback (downloads go on).
    Pause,
    /// Jump to a position on the presentation timeline.
    Seek {
        /// Target position.
        position: Duration,
    },
    /// Pin the video rung (`Some`), or give it back to the ABR algorithm (`None`).
    SetQuality {
        /// Rung index, lowest first.
        rung: Option<usize>,
    },
    /// The response to a request started arriving (status was a success).
    ResponseStarted {
        /// Request.
        id: RequestId,
        /// Body length, if announced.
        content_length: Option<u64>,
    },
    /// The request was answered from another URL than the one asked for (the client followed
    /// redirects): relative URLs in a manifest resolve against `url`. Send it before
    /// [`Input::ResponseStarted`]; only when the URL changed.
    Redirected {
        /// Request.
        id: RequestId,
        /// The URL that answered.
        url: String,
    },
    /// More of a response body arrived.
    Data {
        /// Request.
        id: RequestId,
        /// The piece of the body (or only its length, from a driver that keeps media bodies).
        chunk: Chunk,
    },
    /// The body ended (the connection closed it cleanly). The core checks it against the
    /// announced length: a short body is a truncated one.
    Complete {
        /// Request.
        id: RequestId,
    },
    /// The request failed.
    Failed {
        /// Request.
        id: RequestId,
        /// How.
        error: FetchError,
    },
    /// Where the decoder is, from a driver that renders (in answer to [`Output::ReportDecoder`]).
    /// Send it only when the decoder knows (not while it seeks to a new position); the core
    /// trusts it while playing or paused.
    Playback {
        /// Current playback position.
        position: Duration,
    },
    /// What the decoder holds of one track, as time ranges on the presentation timeline.
    ///
    /// Send it only when every [`Output::Append`] of that track emitted so far has been processed
    /// (nothing queued, nothing being appended): the core then trusts it over its own count. Media
    /// the core appended but the decoder no longer holds ahead of the position (evicted for quota,
    /// or dropped) is fetched again.
    Buffered {
        /// Track reported on.
        track: TrackKind,
        /// Buffered ranges, `(start, end)`, in any order.
        ranges: Vec<(Duration, Duration)>,
    },
    /// Frame counters of the video decoder since the session started.
    DecoderFrames {
        /// Frames decoded (shown or dropped).
        decoded: u64,
        /// Frames dropped (late, or never shown).
        dropped: u64,
    },
    /// The device's wall clock (time since the Unix epoch, UTC) at this input's session time.
    /// Send it once before [`Input::Load`]: a live stream needs to know what time it is, and
    /// until the server's clock is read (`<UTCTiming>`, a `Date` header) the device's is used.
    WallClock {
        /// Time since 1970-01-01T00:00:00Z.
        unix: Duration,
    },
    /// The `Date` header of a response, as the server wrote it. Send it (when the response has
    /// one and the driver can read it) before [`Input::Complete`]: a live stream's clock falls
    /// back to it.
    ServerDate {
        /// Request.
        id: RequestId,
        /// The header's value (`Tue, 01 Dec 2026 23:59:59 GMT`).
        date: String,
    },
    /// Jump to the live edge (at the target latency) and follow it again: "back to live".
    GoLive,
    /// Play another track of the same kind (another audio language, say): `index` counts the
    /// period's tracks of `kind` that have representations, in document order. Playback restarts
    /// at the current position, as after a seek.
    SelectTrack {
        /// Kind of track.
        kind: TrackKind,
        /// Which of them.
        index: usize,
    },
}

impl Input {
    /// The request this input is about, for the driver's answers to [`Output::Fetch`].
    pub fn request(&self) -> Option<RequestId> {
        match self {
            Input::ResponseStarted { id, .. }
            | Input::Redirected { id, .. }
            | Input::Data { id, .. }
            | Input::Complete { id }
            | Input::ServerDate { id, .. }
            | Input::Failed { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Whether this input is the last one about its request (the driver can forget it).
    pub fn ends_request(&self) -> bool {
        matches!(self, Input::Complete { .. } | Input::Failed { .. })
    }
}

/// A piece of a response body, as a driver hands it to the core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// The bytes themselves.
    Bytes(bytes::Bytes),
    /// Only how many bytes arrived: from a driver that does not hand media bodies to the core (a
    /// simulator, or a headless run that decodes nothing). Manifests, indexes and steering answers
    /// are parsed by the core and always come as [`Chunk::Bytes`].
    Counted(u64),
}

impl Chunk {
    /// Bytes in the piece.
    pub fn len(&self) -> u64 {
        match self {
            Chunk::Bytes(bytes) => bytes.len() as u64,
            Chunk::Counted(len) => *len,
        }
    }

    /// Whether the piece holds no byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<bytes::Bytes> for Chunk {
    fn from(bytes: bytes::Bytes) -> Self {
        Chunk::Bytes(bytes)
    }
}

/// Whether an [`Append`] carries an init segment or media.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppendKind {
    /// Initialization segment: precedes media of a newly selected representation.
    Init,
    /// Media segment.
    Media,
}

/// Bytes for the decoder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Append {
    /// Track fed.
    pub track: TrackKind,
    /// Init or media.
    pub kind: AppendKind,
    /// Representation id.
    pub representation: String,
    /// Rung index.
    pub rung: usize,
    /// Segment index (media only).
    pub segment: Option<usize>,
    /// Start of the media on the presentation timeline.
    pub start: Duration,
    /// Duration of the media.
    pub duration: Duration,
    /// The bytes (empty from drivers that passed no payload).
    pub data: bytes::Bytes,
}

/// Something that happened, for the front end and the metrics.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
#[non_exhaustive]
pub enum PlayerEvent {
    /// The playback state changed.
    StateChanged {
        /// Previous state.
        from: PlayerState,
        /// New state.
        to: PlayerState,
    },
    /// The manifest was parsed (or a presentation was given).
    PresentationLoaded {
        /// Duration, when known.
        duration: Option<Duration>,
        /// Number of video rungs.
        video_rungs: usize,
    },
    /// The video rung of the segments being fetched changed.
    QualityChanged {
        /// Previous rung, if any.
        from: Option<usize>,
        /// New rung.
        to: usize,
        /// Its bit rate in kbit/s.
        bitrate_kbps: u64,
    },
    /// Requests moved to another location.
    LocationChanged {
        /// Previous location id.
        from: Option<String>,
        /// New location id.
        to: String,
    },
    /// Playback stopped for lack of data.
    StallStarted {
        /// Position where it stopped.
        position: Duration,
    },
    /// Playback resumed after a stall.
    StallEnded {
        /// How long it lasted.
        duration: Duration,
    },
    /// Another track of a kind is now played (after [`Input::SelectTrack`]).
    TrackChanged {
        /// Kind of track.
        kind: TrackKind,
        /// Its index among the period's tracks of that kind.
        index: usize,
        /// Its `@lang`, when given.
        language: Option<String>,
    },
    /// The decoder no longer held media the core had appended; it is fetched again.
    BufferEvicted {
        /// Track.
        track: TrackKind,
        /// Where the decoder's buffer now ends.
        held_until: Duration,
        /// Where the core had appended up to.
        appended_until: Duration,
    },
    /// A request failed (it may be retried elsewhere).
    RequestFailed {
        /// What it was for.
        kind: RequestKind,
        /// Location id.
        location: String,
        /// How.
        error: FetchError,
    },
    /// The playback rate changed (live latency control). Every rate change is also an
    /// [`Output::SetPlaybackRate`].
    PlaybackRateChanged {
        /// The new rate (1.0: normal speed).
        rate: f64,
    },
    /// Playback started or stopped following the live edge (a seek back into the window stops
    /// it, [`Input::GoLive`] starts it again).
    LiveEdge {
        /// Whether playback now follows the live edge at the target latency.
        following: bool,
        /// The latency it aims for.
        target_latency: Duration,
    },
    /// The server's clock was read; the difference is server minus device.
    ClockSynced {
        /// Where from: `utc_timing`, `date_header`, `direct`, `publish_time`.
        source: &'static str,
        /// Server clock minus the device clock, in milliseconds (0 when the device gave none).
        offset_ms: f64,
    },
    /// A new version of a live MPD was read.
    ManifestUpdated {
        /// Whether it is still live (a refresh that turned it static ends the stream at its end).
        dynamic: bool,
        /// Its periods.
        periods: usize,
    },
    /// An event of an MPD `EventStream`, or an `emsg` box of a media segment (SCTE-35 cues among
    /// them), as soon as it is known (before its presentation time).
    StreamEvent(crate::presentation::StreamEvent),
    /// The manifest does something the standard does not allow but players accept (a
    /// representation without `@bandwidth`, say): played, with this warning.
    ManifestWarning {
        /// What, and where.
        message: String,
    },
    /// The session failed for good.
    Error {
        /// The error.
        error: crate::error::PlayerError,
    },
}

/// What the core asks its driver to do.
#[derive(Clone, Debug)]
pub enum Output {
    /// Make a request and report on it with the id.
    Fetch(FetchRequest),
    /// Abort a request; send no more inputs about it.
    Cancel(RequestId),
    /// Hand bytes to the decoder.
    Append(Append),
    /// Drop everything buffered in the decoder and continue from this position (after a seek).
    Flush {
        /// New playback position.
        position: Duration,
    },
    /// Every media segment of this track has been appended: the decoder can play it out to the
    /// end (GStreamer's end-of-stream, MSE's `endOfStream` once every track has it). A later
    /// [`Output::Flush`] starts the track again.
    EndOfStream {
        /// The track that is complete.
        track: TrackKind,
    },
    /// Report the decoder's state now: [`Input::Playback`] (when it knows its position),
    /// [`Input::Buffered`] for each track whose appends it has all processed, and
    /// [`Input::DecoderFrames`]. Asked for only when [`crate::PlayerConfig::decoder_reports`] is
    /// set, at that interval and before the core decides that playback has stalled.
    ReportDecoder,
    /// Play at this rate (live latency control: a little faster to catch up with the live
    /// edge, a little slower when the buffer runs low; 1.0 is normal speed).
    SetPlaybackRate {
        /// Rate, within the bounds of [`crate::PlayerConfig::live`].
        rate: f64,
    },
    /// Something happened.
    Event(PlayerEvent),
}
