//! The GStreamer elements of one [`super::MediaPipeline`] between two flushes.
//!
//! ```text
//! appsrc (video fMP4) ! decodebin ! videoconvert ! appsink            (frames to the FrameSlot)
//! appsrc (audio fMP4) ! decodebin ! audioconvert ! audioresample ! volume ! autoaudiosink|fakesink
//! ```
//!
//! Sources are added when a track's first bytes arrive, decoder branches when `decodebin` exposes
//! a pad. After a flush to position `P`, every segment event leaving a decoder that starts before
//! `P` is moved to start at `P`: the sinks then clip what precedes `P` (the start of the segment
//! the position falls in) and running time 0 is `P`, for audio and video alike.

use super::frames::{FrameInfo, FrameSlot, VideoFrame};
use super::{AudioOutput, MediaConfig, MediaError, QueueLimits, VideoFormat};
use flick_player::io::Bytes;
use flick_player::presentation::TrackKind;
use gst::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Video frames may be this late and still be shown; later ones are dropped (and counted).
const MAX_LATENESS: Duration = Duration::from_millis(40);

/// Volume and mute, shared with the audio branch built on a streaming thread.
#[derive(Clone, Copy)]
struct Volume {
    level: f64,
    muted: bool,
}

pub(super) struct Graph {
    pipeline: gst::Pipeline,
    sources: Vec<(TrackKind, gst_app::AppSrc)>,
    video_sink: Arc<Mutex<Option<gst_app::AppSink>>>,
    volume_element: Arc<Mutex<Option<gst::Element>>>,
    volume: Arc<Mutex<Volume>>,
    audio: Arc<Mutex<AudioProgress>>,
    config: MediaConfig,
    frames: FrameSlot,
    start: Duration,
    branches: Arc<AtomicUsize>,
    /// Until this graph first plays, prerolled frames are shown too (the first frame of a
    /// paused start, or the target of a seek made while paused).
    show_preroll: Arc<AtomicBool>,
    want_playing: bool,
    started: bool,
    ended: bool,
    /// Tracks whose stream has ended (they take nothing more until the graph is built anew).
    ended_tracks: Vec<TrackKind>,
    shut: bool,
    limits: QueueLimits,
}

fn make(factory: &str) -> Result<gst::Element, MediaError> {
    gst::ElementFactory::make(factory)
        .build()
        .map_err(|e| MediaError::MissingElement { element: factory.into(), message: e.to_string() })
}

fn build_error(what: &str, e: impl std::fmt::Display) -> MediaError {
    MediaError::Build(format!("{what}: {e}"))
}

impl Graph {
    pub fn build(
        config: &MediaConfig,
        frames: &FrameSlot,
        start: Duration,
        volume: f64,
        muted: bool,
        limits: QueueLimits,
    ) -> Result<Graph, MediaError> {
        let pipeline = gst::Pipeline::with_name("flick");
        pipeline.set_state(gst::State::Paused).map_err(|e| build_error("pausing the pipeline", e))?;
        Ok(Graph {
            pipeline,
            sources: Vec::new(),
            video_sink: Arc::default(),
            volume_element: Arc::default(),
            volume: Arc::new(Mutex::new(Volume { level: volume, muted })),
            audio: Arc::default(),
            config: *config,
            frames: frames.clone(),
            start,
            branches: Arc::default(),
            show_preroll: Arc::new(AtomicBool::new(true)),
            want_playing: false,
            started: false,
            ended: false,
            ended_tracks: Vec::new(),
            shut: false,
            limits,
        })
    }

    fn source(&mut self, track: TrackKind) -> Result<&gst_app::AppSrc, MediaError> {
        if let Some(i) = self.sources.iter().position(|(k, _)| *k == track) {
            return Ok(&self.sources[i].1);
        }
        let caps = gst::Caps::builder("video/quicktime").field("variant", "iso-fragmented").build();
        let src = gst_app::AppSrc::builder()
            .name(format!("{track:?}-src").to_lowercase())
            .caps(&caps)
            .format(gst::Format::Bytes)
            .stream_type(gst_app::AppStreamType::Stream)
            // Not blocking, appsrc only signals `enough-data` past max-bytes (nobody listens) and
            // queues on: the bound is kept by `push`, which refuses what would pass it.
            .max_bytes(self.limits.of(track))
            .build();
        let decodebin = make("decodebin")?;
        self.pipeline
            .add_many([src.upcast_ref(), &decodebin])
            .map_err(|e| build_error("adding a source", e))?;
        src.link(&decodebin).map_err(|e| build_error("linking appsrc to decodebin", e))?;
        let branch = Branch {
            pipeline: self.pipeline.downgrade(),
            config: self.config,
            frames: self.frames.clone(),
            video_sink: self.video_sink.clone(),
            volume_element: self.volume_element.clone(),
            volume: self.volume.clone(),
            audio: self.audio.clone(),
            start: self.start,
            branches: self.branches.clone(),
            show_preroll: self.show_preroll.clone(),
        };
        decodebin.connect_pad_added(move |_, pad| {
            if let Err(e) = branch.attach(pad) {
                // Posted on the bus: the session reads it as a typed error.
                let message = e.to_string();
                if let Some(pipeline) = branch.pipeline.upgrade() {
                    let _ = pipeline.post_message(
                        gst::message::Error::builder(gst::CoreError::Negotiation, &message).build(),
                    );
                }
            }
        });
        for element in [src.upcast_ref::<gst::Element>(), &decodebin] {
            element.sync_state_with_parent().map_err(|e| build_error("starting a source", e))?;
        }
        self.sources.push((track, src));
        Ok(&self.sources.last().expect("just pushed").1)
    }

    pub fn push(&mut self, track: TrackKind, init: bool, data: Bytes) -> Result<(), MediaError> {
        if data.is_empty() || track == TrackKind::Text || self.ended_tracks.contains(&track) {
            // After the end of the stream an appsrc takes nothing more; the core has nothing
            // more to give either, short of a flush (which builds a new graph).
            return Ok(());
        }
        let limit = self.limits.of(track);
        let src = self.source(track)?.clone();
        let (queued, append) = (src.current_level_bytes(), data.len() as u64);
        if queued.saturating_add(append) > limit {
            return Err(MediaError::QueueFull {
                track: format!("{track:?}").to_lowercase(),
                queued,
                append,
                limit,
            });
        }
        let mut buffer = gst::Buffer::from_slice(data);
        if init {
            buffer.make_mut().set_flags(gst::BufferFlags::HEADER | gst::BufferFlags::DISCONT);
        }
        src.push_buffer(buffer).map(|_| ()).map_err(|e| MediaError::Decode {
            element: src.name().to_string(),
            message: format!("the decoder refused data: {e:?}"),
        })
    }

    /// Play or pause. Playing waits (see [`Graph::pump`]) until every source has its decoder
    /// branch and the sinks have prerolled: a sink that joins a playing pipeline commits straight
    /// to `PLAYING` and then never blocks again on a later pause (GStreamer 1.22's base sink keeps
    /// its preroll flag set).
    pub fn set_playing(&mut self, playing: bool) -> Result<(), MediaError> {
        self.want_playing = playing;
        if playing {
            self.pump();
            return Ok(());
        }
        self.started = false;
        self.pipeline.set_state(gst::State::Paused).map(|_| ()).map_err(|e| build_error("pausing", e))
    }

    /// Start playing when asked to and ready.
    pub fn pump(&mut self) {
        if !self.want_playing || self.started || self.sources.is_empty() {
            return;
        }
        if self.branches.load(Ordering::SeqCst) < self.sources.len() {
            return;
        }
        let (result, current, pending) = self.pipeline.state(gst::ClockTime::ZERO);
        if result.is_ok() && current == gst::State::Paused && pending == gst::State::VoidPending {
            self.started = self.pipeline.set_state(gst::State::Playing).is_ok();
            if self.started {
                self.show_preroll.store(false, Ordering::SeqCst);
            }
        }
    }

    pub fn set_volume(&self, level: f64, muted: bool) {
        *self.volume.lock().unwrap_or_else(|p| p.into_inner()) = Volume { level, muted };
        if let Some(element) = self.volume_element.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            element.set_property("volume", level);
            element.set_property("mute", muted);
        }
    }

    /// Play at `rate` (live latency catch-up), with an instant rate change: no flush, no seek.
    /// Returns whether the pipeline took it (a sink that cannot is left at its rate; the core
    /// follows the decoder's reported position either way).
    pub fn set_rate(&self, rate: f64) -> bool {
        let none = gst::ClockTime::NONE;
        self.pipeline
            .seek(
                rate,
                gst::SeekFlags::INSTANT_RATE_CHANGE,
                gst::SeekType::None,
                none,
                gst::SeekType::None,
                none,
            )
            .is_ok()
    }

    pub fn end_track(&mut self, track: TrackKind) {
        if self.ended_tracks.contains(&track) {
            return;
        }
        self.ended_tracks.push(track);
        if let Some((_, src)) = self.sources.iter().find(|(k, _)| *k == track) {
            let _ = src.end_of_stream();
        }
    }

    pub fn set_queue_limits(&mut self, limits: QueueLimits) {
        self.limits = limits;
        for (track, src) in &self.sources {
            src.set_max_bytes(limits.of(*track));
        }
    }

    /// Bytes queued in `track`'s appsrc.
    pub fn queued(&self, track: TrackKind) -> u64 {
        self.sources.iter().find(|(k, _)| *k == track).map_or(0, |(_, src)| src.current_level_bytes())
    }

    pub fn audio(&self) -> AudioProgress {
        *self.audio.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn ended(&self) -> bool {
        self.ended
    }

    pub fn queue_drained(&self, track: TrackKind) -> bool {
        self.sources.iter().any(|(k, src)| *k == track && src.current_level_bytes() == 0)
    }

    /// Playback position, while the pipeline is actually playing.
    pub fn position(&self) -> Option<Duration> {
        let (_, current, _) = self.pipeline.state(gst::ClockTime::ZERO);
        if current != gst::State::Playing {
            return None;
        }
        self.pipeline.query_position::<gst::ClockTime>().map(|t| Duration::from_nanos(t.nseconds()))
    }

    /// Video frames decoded (rendered + dropped) and dropped by this graph.
    pub fn frame_counters(&self) -> (u64, u64) {
        let Some(sink) = self.video_sink.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
            return (0, 0);
        };
        let stats = sink.property::<gst::Structure>("stats");
        let rendered = stats.get::<u64>("rendered").unwrap_or(0);
        let dropped = stats.get::<u64>("dropped").unwrap_or(0);
        (rendered + dropped, dropped)
    }

    /// The first error on the bus, noting the end of the stream on the way.
    pub fn poll_bus(&mut self) -> Option<MediaError> {
        let bus = self.pipeline.bus()?;
        while let Some(message) = bus.pop() {
            match message.view() {
                gst::MessageView::Eos(_) => self.ended = true,
                gst::MessageView::Error(err) => {
                    let element =
                        message.src().map_or_else(|| "pipeline".to_string(), |s| s.name().to_string());
                    let mut text = err.error().to_string();
                    if let Some(debug) = err.debug() {
                        text.push_str(&format!(" ({debug})"));
                    }
                    return Some(MediaError::Decode { element, message: text });
                }
                _ => {}
            }
        }
        None
    }

    pub fn shut_down(&mut self) {
        if !self.shut {
            self.shut = true;
            let _ = self.pipeline.set_state(gst::State::Null);
        }
    }
}

/// What a decoder pad needs to grow its branch (built on a streaming thread).
struct Branch {
    pipeline: gst::glib::WeakRef<gst::Pipeline>,
    config: MediaConfig,
    frames: FrameSlot,
    video_sink: Arc<Mutex<Option<gst_app::AppSink>>>,
    volume_element: Arc<Mutex<Option<gst::Element>>>,
    volume: Arc<Mutex<Volume>>,
    audio: Arc<Mutex<AudioProgress>>,
    start: Duration,
    branches: Arc<AtomicUsize>,
    show_preroll: Arc<AtomicBool>,
}

/// Decoded audio that reached the audio sink.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AudioProgress {
    /// Buffers that reached it.
    pub buffers: u64,
    /// Stream time of the last one.
    pub last: Option<Duration>,
}

impl Branch {
    fn attach(&self, pad: &gst::Pad) -> Result<(), MediaError> {
        let Some(pipeline) = self.pipeline.upgrade() else { return Ok(()) };
        let caps = pad.current_caps().unwrap_or_else(|| pad.query_caps(None));
        let name = caps.structure(0).map(|s| s.name().to_string()).unwrap_or_default();
        let elements = if name.starts_with("video/") {
            self.video_elements()?
        } else if name.starts_with("audio/") {
            self.audio_elements()?
        } else {
            return Ok(());
        };
        pipeline.add_many(&elements).map_err(|e| build_error("adding a branch", e))?;
        gst::Element::link_many(&elements).map_err(|e| build_error("linking a branch", e))?;
        for element in &elements {
            element.sync_state_with_parent().map_err(|e| build_error("starting a branch", e))?;
        }
        let sink_pad = elements[0].static_pad("sink").ok_or_else(|| build_error("branch", "no sink pad"))?;
        if !self.start.is_zero() {
            clip_at(pad, self.start);
        }
        pad.link(&sink_pad).map_err(|e| build_error("linking a decoder", e))?;
        self.branches.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn video_elements(&self) -> Result<Vec<gst::Element>, MediaError> {
        let caps = match self.config.video {
            VideoFormat::Rgba => {
                gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::Rgba).build()
            }
            VideoFormat::Native => gst::Caps::builder("video/x-raw").build(),
        };
        let rgba = self.config.video == VideoFormat::Rgba;
        let sink = gst_app::AppSink::builder()
            .name("video-sink")
            .caps(&caps)
            .sync(true)
            .max_buffers(2)
            .qos(true)
            .max_lateness(MAX_LATENESS.as_nanos() as i64)
            .build();
        let frames = self.frames.clone();
        let preroll_frames = self.frames.clone();
        let show_preroll = self.show_preroll.clone();
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_preroll(move |sink| {
                    let sample = sink.pull_preroll().map_err(|_| gst::FlowError::Flushing)?;
                    if show_preroll.load(Ordering::SeqCst)
                        && let Some(frame) = to_frame(&sample, rgba)
                    {
                        preroll_frames.put(frame);
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Flushing)?;
                    if let Some(frame) = to_frame(&sample, rgba) {
                        frames.put(frame);
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        *self.video_sink.lock().unwrap_or_else(|p| p.into_inner()) = Some(sink.clone());
        let queue = make("queue")?;
        let convert = make("videoconvert")?;
        Ok(vec![queue, convert, sink.upcast()])
    }

    fn audio_elements(&self) -> Result<Vec<gst::Element>, MediaError> {
        let queue = make("queue")?;
        let convert = make("audioconvert")?;
        let resample = make("audioresample")?;
        let volume = make("volume")?;
        let settings = *self.volume.lock().unwrap_or_else(|p| p.into_inner());
        volume.set_property("volume", settings.level);
        volume.set_property("mute", settings.muted);
        *self.volume_element.lock().unwrap_or_else(|p| p.into_inner()) = Some(volume.clone());
        let sink = match self.config.audio {
            AudioOutput::System => make("autoaudiosink")?,
            AudioOutput::Null => {
                let sink = make("fakesink")?;
                sink.set_property("sync", true);
                sink
            }
        };
        if let Some(pad) = sink.static_pad("sink") {
            let audio = self.audio.clone();
            pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
                if let Some(gst::PadProbeData::Buffer(buffer)) = &info.data {
                    let segment = pad.sticky_event::<gst::event::Segment>(0);
                    let time = buffer.pts().and_then(|pts| {
                        let segment = segment?.segment().clone().downcast::<gst::ClockTime>().ok()?;
                        segment.to_stream_time(pts)
                    });
                    let mut audio = audio.lock().unwrap_or_else(|p| p.into_inner());
                    audio.buffers += 1;
                    audio.last = time.map(|t| Duration::from_nanos(t.nseconds())).or(audio.last);
                }
                gst::PadProbeReturn::Ok
            });
        }
        Ok(vec![queue, convert, resample, volume, sink])
    }
}

/// Move segments leaving `pad` that start before `start` to start there.
fn clip_at(pad: &gst::Pad, start: Duration) {
    let at = gst::ClockTime::from_nseconds(start.as_nanos() as u64);
    pad.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
        let Some(gst::PadProbeData::Event(event)) = &info.data else { return gst::PadProbeReturn::Ok };
        let gst::EventView::Segment(segment) = event.view() else { return gst::PadProbeReturn::Ok };
        let Ok(segment) = segment.segment().clone().downcast::<gst::ClockTime>() else {
            return gst::PadProbeReturn::Ok;
        };
        if segment.start().is_some_and(|s| s < at) {
            let mut moved = segment.clone();
            moved.set_start(at);
            moved.set_time(at);
            moved.set_position(at);
            info.data = Some(gst::PadProbeData::Event(gst::event::Segment::new(moved.upcast_ref())));
        }
        gst::PadProbeReturn::Ok
    });
}

/// A sample as a [`VideoFrame`], or `None` when it carries no video buffer.
fn to_frame(sample: &gst::Sample, rgba: bool) -> Option<VideoFrame> {
    let caps = sample.caps()?;
    let info = gst_video::VideoInfo::from_caps(caps).ok()?;
    let buffer = sample.buffer_owned()?;
    let pts = buffer.pts().map_or(Duration::ZERO, |t| Duration::from_nanos(t.nseconds()));
    // The segment maps buffer time to stream time (the presentation timeline).
    let segment = sample.segment().and_then(|s| s.clone().downcast::<gst::ClockTime>().ok());
    let pts = segment
        .and_then(|s| s.to_stream_time(gst::ClockTime::from_nseconds(pts.as_nanos() as u64)))
        .map_or(pts, |t| Duration::from_nanos(t.nseconds()));
    let mapped = buffer.into_mapped_buffer_readable().ok()?;
    let frame = FrameInfo { width: info.width(), height: info.height(), pts };
    Some(VideoFrame::new(mapped, frame, info.stride()[0] as usize, rgba))
}
