//! The session's event log: every input and output with its time, as serialisable summaries
//! (payload bytes are counted, not kept), so a session can be inspected or compared line by line
//! across drivers.

use crate::io::{FetchError, Input, Output, PlayerEvent, RequestId, RequestKind};
use serde::Serialize;

/// One line of the log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogEntry {
    /// Session time in milliseconds.
    pub at_ms: f64,
    /// What happened.
    #[serde(flatten)]
    pub record: LogRecord,
}

/// An input or output, summarised.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum LogRecord {
    /// Load a manifest URL.
    Load {
        /// URL.
        url: String,
    },
    /// Load a parsed presentation.
    LoadPresentation,
    /// Play.
    Play,
    /// Pause.
    Pause,
    /// Seek.
    Seek {
        /// Target, in ms.
        position_ms: f64,
    },
    /// Pin or release the quality.
    SetQuality {
        /// Rung.
        rung: Option<usize>,
    },
    /// A response began.
    ResponseStarted {
        /// Request.
        id: RequestId,
        /// Announced length.
        content_length: Option<u64>,
    },
    /// A request was answered from another URL.
    Redirected {
        /// Request.
        id: RequestId,
        /// The URL that answered.
        url: String,
    },
    /// Body bytes arrived.
    Data {
        /// Request.
        id: RequestId,
        /// Bytes.
        len: u64,
    },
    /// A response completed.
    Complete {
        /// Request.
        id: RequestId,
    },
    /// A request failed.
    Failed {
        /// Request.
        id: RequestId,
        /// How.
        error: FetchError,
    },
    /// The decoder reported its position.
    Playback {
        /// Position, in ms.
        position_ms: f64,
    },
    /// The core asked for a request.
    Fetch {
        /// Request.
        id: RequestId,
        /// URL.
        url: String,
        /// Purpose.
        kind: RequestKind,
    },
    /// The core cancelled a request.
    Cancel {
        /// Request.
        id: RequestId,
    },
    /// The core appended media.
    Append {
        /// Representation.
        representation: String,
        /// Segment index (none for init).
        segment: Option<usize>,
        /// Bytes.
        bytes: usize,
    },
    /// The core flushed the decoder.
    Flush {
        /// New position, in ms.
        position_ms: f64,
    },
    /// Every segment of a track was appended.
    EndOfStream {
        /// Track.
        track: crate::presentation::TrackKind,
    },
    /// The core asked for the decoder's state.
    ReportDecoder,
    /// The decoder's buffered ranges of a track.
    Buffered {
        /// Track.
        track: crate::presentation::TrackKind,
        /// Ranges in milliseconds.
        ranges_ms: Vec<(f64, f64)>,
    },
    /// The decoder's frame counters.
    DecoderFrames {
        /// Frames decoded.
        decoded: u64,
        /// Frames dropped.
        dropped: u64,
    },
    /// The viewer picked another track.
    SelectTrack {
        /// Kind.
        kind: crate::presentation::TrackKind,
        /// Index among the tracks of that kind.
        index: usize,
    },
    /// The device's wall clock, in ms since the Unix epoch.
    WallClock {
        /// Milliseconds since 1970.
        unix_ms: f64,
    },
    /// A response's `Date` header.
    ServerDate {
        /// Request.
        id: RequestId,
        /// The header.
        date: String,
    },
    /// The viewer asked to go back to the live edge.
    GoLive,
    /// The core changed the playback rate.
    SetPlaybackRate {
        /// Rate.
        rate: f64,
    },
    /// An event.
    Event {
        /// The event.
        event: PlayerEvent,
    },
}

fn ms(d: core::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl From<&Input> for LogRecord {
    fn from(input: &Input) -> Self {
        match input {
            Input::Load { url } => LogRecord::Load { url: url.clone() },
            Input::LoadPresentation { .. } => LogRecord::LoadPresentation,
            Input::Play => LogRecord::Play,
            Input::Pause => LogRecord::Pause,
            Input::Seek { position } => LogRecord::Seek { position_ms: ms(*position) },
            Input::SetQuality { rung } => LogRecord::SetQuality { rung: *rung },
            Input::ResponseStarted { id, content_length } => {
                LogRecord::ResponseStarted { id: *id, content_length: *content_length }
            }
            Input::Redirected { id, url } => LogRecord::Redirected { id: *id, url: url.clone() },
            Input::Data { id, chunk } => LogRecord::Data { id: *id, len: chunk.len() },
            Input::Complete { id } => LogRecord::Complete { id: *id },
            Input::Failed { id, error } => LogRecord::Failed { id: *id, error: error.clone() },
            Input::Playback { position } => LogRecord::Playback { position_ms: ms(*position) },
            Input::Buffered { track, ranges } => LogRecord::Buffered {
                track: *track,
                ranges_ms: ranges.iter().map(|&(s, e)| (ms(s), ms(e))).collect(),
            },
            Input::DecoderFrames { decoded, dropped } => {
                LogRecord::DecoderFrames { decoded: *decoded, dropped: *dropped }
            }
            Input::SelectTrack { kind, index } => LogRecord::SelectTrack { kind: *kind, index: *index },
            Input::WallClock { unix } => LogRecord::WallClock { unix_ms: ms(*unix) },
            Input::ServerDate { id, date } => LogRecord::ServerDate { id: *id, date: date.clone() },
            Input::GoLive => LogRecord::GoLive,
        }
    }
}

impl From<&Output> for LogRecord {
    fn from(output: &Output) -> Self {
        match output {
            Output::Fetch(r) => LogRecord::Fetch { id: r.id, url: r.url.clone(), kind: r.kind },
            Output::Cancel(id) => LogRecord::Cancel { id: *id },
            Output::Append(a) => LogRecord::Append {
                representation: a.representation.clone(),
                segment: a.segment,
                bytes: a.data.len(),
            },
            Output::Flush { position } => LogRecord::Flush { position_ms: ms(*position) },
            Output::EndOfStream { track } => LogRecord::EndOfStream { track: *track },
            Output::ReportDecoder => LogRecord::ReportDecoder,
            Output::SetPlaybackRate { rate } => LogRecord::SetPlaybackRate { rate: *rate },
            Output::Event(event) => LogRecord::Event { event: event.clone() },
        }
    }
}
