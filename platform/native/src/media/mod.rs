//! The media pipeline: the core's [`Append`] outputs decoded by GStreamer.
//!
//! One [`MediaPipeline`] per presentation holds one GStreamer pipeline with an `appsrc` per track
//! (fragmented MP4 bytes: init segments flagged `HEADER|DISCONT`, then media), each followed by a
//! `decodebin`; decoded video goes to an `appsink` (frames land in a [`FrameSlot`]), decoded audio
//! through `audioconvert ! audioresample ! volume` to the system's audio sink (or a clocked
//! `fakesink`). Audio and video share the pipeline clock.
//!
//! A [`flick_player::Output::Flush`] (a seek, another audio language) builds the GStreamer pipeline
//! anew and clips the first decoded media at the flush position, so the first frame shown is the
//! one asked for, not the start of its segment. The pipeline plays only while the core says
//! `Playing`: stalls and pauses freeze it. What the decoder reports back ([`MediaReport`]) goes to
//! the core as [`flick_player::Input::Playback`], [`flick_player::Input::Buffered`] and
//! [`flick_player::Input::DecoderFrames`].

mod frames;
mod graph;

pub use frames::{FrameInfo, FrameSlot, VideoFrame};
pub use graph::AudioProgress;

use flick_player::presentation::TrackKind;
use flick_player::{Append, AppendKind};
use graph::Graph;
use std::time::Duration;

/// Where decoded audio goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AudioOutput {
    /// The system's audio device (`autoaudiosink`, which falls back to a null sink).
    #[default]
    System,
    /// A clocked null sink: audio is decoded and timed, never heard (tests, benchmarks).
    Null,
}

/// The pixel format video frames reach the [`FrameSlot`] in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VideoFormat {
    /// Packed 8-bit RGBA (what a window uploads into a texture).
    #[default]
    Rgba,
    /// Whatever the decoder produces (I420 for H.264), unconverted: for headless rendering.
    Native,
}

/// How a [`MediaPipeline`] is built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MediaConfig {
    /// Audio destination.
    pub audio: AudioOutput,
    /// Video frame format.
    pub video: VideoFormat,
}

/// A failure of the media pipeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// GStreamer itself could not be initialised.
    #[error("initialising GStreamer: {0}")]
    Init(String),
    /// An element is missing (a plugin package not installed).
    #[error("GStreamer element `{element}` is missing (is its plugin package installed?): {message}")]
    MissingElement {
        /// Factory name.
        element: String,
        /// GStreamer's message.
        message: String,
    },
    /// Elements could not be linked or set to a state.
    #[error("building the pipeline: {0}")]
    Build(String),
    /// An element posted an error while playing (undecodable media, for instance).
    #[error("{element}: {message}")]
    Decode {
        /// Name of the element that failed.
        element: String,
        /// GStreamer's message, with its debug detail.
        message: String,
    },
    /// An append was refused: the bytes queued in front of the track's decoder and the append
    /// would be more than the track's [`QueueLimits`] (the decoder is not taking its media, or
    /// the stream's segments are far larger than any buffer should hold).
    #[error(
        "{track} decoder queue full: {queued} bytes queued and {append} appended would pass the limit of {limit}"
    )]
    QueueFull {
        /// `video` or `audio`.
        track: String,
        /// Bytes queued in the track's `appsrc`.
        queued: u64,
        /// Size of the refused append.
        append: u64,
        /// The limit.
        limit: u64,
    },
}

impl MediaError {
    /// A short machine-readable kind, as session reports carry.
    pub fn kind(&self) -> &'static str {
        match self {
            MediaError::Init(_) | MediaError::MissingElement { .. } | MediaError::Build(_) => "media_setup",
            MediaError::Decode { .. } => "decode_failed",
            MediaError::QueueFull { .. } => "decoder_queue_full",
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// The most bytes each track's `appsrc` may hold in front of its decoder, like an MSE
/// SourceBuffer's quota: an append that would go past it is refused ([`MediaError::QueueFull`]).
///
/// While playing, the queue holds about the core's whole forward buffer (GStreamer keeps only a
/// few frames past the demuxer), so the defaults leave room for the default 30 s buffer at up to
/// 35 Mbit/s of video and 4 Mbit/s of audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueLimits {
    /// Video (128 MiB).
    pub video: u64,
    /// Audio (16 MiB).
    pub audio: u64,
}

impl Default for QueueLimits {
    fn default() -> Self {
        QueueLimits { video: 128 * MIB, audio: 16 * MIB }
    }
}

impl QueueLimits {
    /// The limit of `track` (text is never queued).
    pub fn of(&self, track: TrackKind) -> u64 {
        match track {
            TrackKind::Video => self.video,
            TrackKind::Audio => self.audio,
            TrackKind::Text => 0,
        }
    }
}

/// What the decoder tells the core, read at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MediaReport {
    /// Playback position on the presentation timeline, when the pipeline is playing.
    pub position: Option<Duration>,
    /// Media handed to each track's decoder, for tracks whose queue is drained.
    pub buffered: Vec<(TrackKind, Vec<(Duration, Duration)>)>,
    /// Video frames decoded (shown or dropped) and dropped since the session started.
    pub frames: (u64, u64),
    /// Every track has played out after [`MediaPipeline::end_track`].
    pub ended: bool,
    /// Audio that reached the audio sink since the last flush.
    pub audio: AudioProgress,
}

/// Media appended to one track since the last flush, as merged `(start, end)` ranges.
#[derive(Clone, Debug, Default)]
struct Appended {
    ranges: Vec<(Duration, Duration)>,
}

impl Appended {
    fn add(&mut self, start: Duration, end: Duration) {
        self.ranges.push((start, end));
        self.ranges.sort();
        let mut merged: Vec<(Duration, Duration)> = Vec::with_capacity(self.ranges.len());
        for &(s, e) in &self.ranges {
            match merged.last_mut() {
                Some(last) if s <= last.1 + Duration::from_millis(50) => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        self.ranges = merged;
    }
}

/// The GStreamer side of one native session (see the module documentation).
pub struct MediaPipeline {
    config: MediaConfig,
    frames: FrameSlot,
    graph: Graph,
    appended: Vec<(TrackKind, Appended)>,
    playing: bool,
    volume: f64,
    muted: bool,
    /// Playback rate asked for by the core (re-applied after a flush rebuilds the graph).
    rate: f64,
    /// Frame counters of pipelines torn down by flushes.
    frames_before: (u64, u64),
    limits: QueueLimits,
}

impl MediaPipeline {
    /// A pipeline, paused, waiting for its first appends.
    pub fn new(config: MediaConfig) -> Result<MediaPipeline, MediaError> {
        gst::init().map_err(|e| MediaError::Init(e.to_string()))?;
        let frames = FrameSlot::default();
        let limits = QueueLimits::default();
        let graph = Graph::build(&config, &frames, Duration::ZERO, 1.0, false, limits)?;
        Ok(MediaPipeline {
            config,
            frames,
            graph,
            appended: Vec::new(),
            playing: false,
            volume: 1.0,
            muted: false,
            rate: 1.0,
            frames_before: (0, 0),
            limits,
        })
    }

    /// Refuse appends past `limits` from now on (rather than [`QueueLimits::default`]).
    pub fn set_queue_limits(&mut self, limits: QueueLimits) {
        self.limits = limits;
        self.graph.set_queue_limits(limits);
    }

    /// Bytes queued in front of `track`'s decoder now.
    pub fn queued(&self, track: TrackKind) -> u64 {
        self.graph.queued(track)
    }

    /// Where decoded video frames arrive.
    pub fn frames(&self) -> FrameSlot {
        self.frames.clone()
    }

    /// Hand one append of the core to its track's decoder (refused when the bytes queued in front
    /// of that decoder would pass its [`QueueLimits`]).
    pub fn append(&mut self, append: &Append) -> Result<(), MediaError> {
        if append.track == TrackKind::Text {
            // Text tracks are not rendered (yet).
            return Ok(());
        }
        self.graph.push(append.track, append.kind == AppendKind::Init, append.data.clone())?;
        if append.kind == AppendKind::Media {
            let i = match self.appended.iter().position(|(k, _)| *k == append.track) {
                Some(i) => i,
                None => {
                    self.appended.push((append.track, Appended::default()));
                    self.appended.len() - 1
                }
            };
            self.appended[i].1.add(append.start, append.start + append.duration);
        }
        Ok(())
    }

    /// Drop everything held and continue from `position` (the core's [`flick_player::Output::Flush`]):
    /// the GStreamer pipeline is built anew, its first media clipped at `position`.
    pub fn flush(&mut self, position: Duration) -> Result<(), MediaError> {
        let (decoded, dropped) = self.graph.frame_counters();
        self.frames_before.0 += decoded;
        self.frames_before.1 += dropped;
        self.graph.shut_down();
        self.appended.clear();
        self.frames.clear_latest();
        self.graph =
            Graph::build(&self.config, &self.frames, position, self.volume, self.muted, self.limits)?;
        self.graph.set_playing(self.playing)?;
        if self.rate != 1.0 {
            self.graph.set_rate(self.rate);
        }
        Ok(())
    }

    /// Play (the core is `Playing`) or hold the current frame (any other state).
    pub fn set_playing(&mut self, playing: bool) -> Result<(), MediaError> {
        if playing == self.playing {
            return Ok(());
        }
        self.playing = playing;
        self.graph.set_playing(playing)
    }

    /// Whether the pipeline was last asked to play.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Play at `rate` (the core's [`flick_player::Output::SetPlaybackRate`]); kept across
    /// flushes. Whether the pipeline applied it is reported, not an error: the core follows the
    /// decoder's position in any case.
    pub fn set_rate(&mut self, rate: f64) -> bool {
        self.rate = rate;
        self.graph.set_rate(rate)
    }

    /// Audio volume, 0.0 (silent) to 1.0 (full), and mute.
    pub fn set_volume(&mut self, volume: f64, muted: bool) {
        self.volume = volume.clamp(0.0, 1.0);
        self.muted = muted;
        self.graph.set_volume(self.volume, muted);
    }

    /// No more media of `track` will come (the core's [`flick_player::Output::EndOfStream`]): let
    /// it play out (its decoder then hands over the frames it holds back, in time). Appends to it
    /// are ignored until the next flush.
    pub fn end_track(&mut self, track: TrackKind) {
        self.graph.end_track(track);
    }

    /// The decoder's state now (this also starts a pipeline that was asked to play once its
    /// sinks have prerolled).
    pub fn report(&mut self) -> MediaReport {
        self.graph.pump();
        let (decoded, dropped) = self.graph.frame_counters();
        let mut buffered = Vec::new();
        for (kind, appended) in &self.appended {
            if self.graph.queue_drained(*kind) {
                buffered.push((*kind, appended.ranges.clone()));
            }
        }
        MediaReport {
            position: self.graph.position(),
            buffered,
            frames: (self.frames_before.0 + decoded, self.frames_before.1 + dropped),
            ended: self.graph.ended(),
            audio: self.graph.audio(),
        }
    }

    /// The first error the pipeline posted since the last call, if any.
    pub fn poll_error(&mut self) -> Option<MediaError> {
        self.graph.poll_bus()
    }
}

impl Drop for MediaPipeline {
    fn drop(&mut self) {
        self.graph.shut_down();
    }
}

#[cfg(test)]
mod tests {
    use super::Appended;
    use std::time::Duration;

    #[test]
    fn appended_ranges_merge_when_contiguous() {
        let s = Duration::from_secs;
        let mut a = Appended::default();
        a.add(s(2), s(4));
        a.add(s(0), s(2));
        a.add(s(8), s(10));
        assert_eq!(a.ranges, vec![(s(0), s(4)), (s(8), s(10))]);
        a.add(s(4), s(8));
        assert_eq!(a.ranges, vec![(s(0), s(10))]);
    }
}
