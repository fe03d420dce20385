//! Media Source Extensions: one `MediaSource` on the video element and one `SourceBuffer` per
//! track, fed from the core's [`Append`] and [`Output::Flush`](flick_player::Output) outputs.
//!
//! A `SourceBuffer` takes one operation at a time, so each track keeps a queue of appends and
//! removals and starts the next when the previous one's `updateend` fires. When the browser
//! refuses an append for lack of room (`QuotaExceededError`), media already played (up to a
//! second behind the position) is removed and the append tried again. When a track's queue runs
//! empty, its buffered ranges go back to the core ([`Input::Buffered`]), which refetches whatever
//! the browser dropped. Once the core says every track is complete ([`Output::EndOfStream`]) and
//! its queue is empty, the stream is ended (`endOfStream`) so the element plays out to the end.
//!
//! A live presentation has an infinite duration and a live seekable range (the DVR window, kept
//! up to date by the session); media more than [`KEEP_LIVE_BEHIND_S`] (or the configured
//! `liveBackBuffer`) behind the position is removed as playback goes on, so a session of hours
//! stays within the browser's quota. When the MPD turns static, the range is cleared and the
//! duration made finite; the core then ends each track as for on-demand content.

#[cfg(doc)]
use flick_player::Output;
use flick_player::io::Bytes;
use flick_player::presentation::{Presentation, TrackKind};
use flick_player::{Append, Input};
use std::collections::VecDeque;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlVideoElement, MediaSource, MediaSourceReadyState, SourceBuffer};

/// Media kept behind the playback position when room must be made, in seconds.
const KEEP_BEHIND_S: f64 = 1.0;

/// Media kept behind the playback position of a live session by default, in seconds (the
/// `liveBackBuffer` key of the configuration): older media is removed once there is a third more
/// of it, at most 10 s (so removals come in batches, not at every report).
pub const KEEP_LIVE_BEHIND_S: f64 = 30.0;

/// The most a live track holds behind the position beyond what it keeps, in seconds.
const MAX_EVICT_SLACK_S: f64 = 10.0;

/// The live seekable range is set again when either end moved by this much, in seconds.
const RANGE_STEP_S: f64 = 0.5;

/// One queued `SourceBuffer` operation.
enum Op {
    Append(Bytes),
    Remove(f64, f64),
}

/// A track's `SourceBuffer` and its queue.
struct TrackBuffer {
    kind: TrackKind,
    buffer: SourceBuffer,
    queue: VecDeque<Op>,
    /// The core said the track is complete: its last segment has been queued.
    complete: bool,
    /// An append was refused for room and nothing could be removed yet: retry on the next tick.
    waiting_for_room: bool,
    _on_update_end: Closure<dyn FnMut()>,
}

/// What happened after an operation finished, for the session to act on.
pub enum MediaNotice {
    /// A track's queue ran empty: its buffered ranges.
    Buffered(Input),
    /// The browser rejected data: the session must fail or at least say so.
    Error(String),
}

/// The media side of a session.
pub struct MediaSink {
    source: MediaSource,
    object_url: String,
    tracks: Vec<TrackBuffer>,
    /// Appends that arrived before the `SourceBuffer`s existed.
    early: Vec<Append>,
    /// Tracks the core completed before the `SourceBuffer`s existed.
    early_ends: Vec<TrackKind>,
    ended: bool,
    /// Appends refused for lack of room so far.
    quota_errors: u32,
    /// The presentation is live: media behind the position is removed as playback goes on.
    live: bool,
    /// The live seekable range last set (`None`: none, or cleared).
    live_range: Option<(f64, f64)>,
    /// A duration to set once no buffer is updating (the MPD turned static).
    duration_wanted: Option<f64>,
    /// Seconds of media a live session keeps behind the position.
    keep_live_behind: f64,
    _on_open: Closure<dyn FnMut()>,
}

impl MediaSink {
    /// A new `MediaSource` attached to `video`; `on_open` runs when it opens. A live session keeps
    /// `keep_live_behind` seconds of media behind the position.
    pub fn attach(
        video: &HtmlVideoElement,
        keep_live_behind: f64,
        on_open: Box<dyn FnMut()>,
    ) -> Result<MediaSink, JsValue> {
        let source = MediaSource::new()?;
        let object_url = web_sys::Url::create_object_url_with_source(&source)?;
        let on_open = Closure::wrap(on_open);
        source.set_onsourceopen(Some(on_open.as_ref().unchecked_ref()));
        video.set_src(&object_url);
        Ok(MediaSink {
            source,
            object_url,
            tracks: Vec::new(),
            early: Vec::new(),
            early_ends: Vec::new(),
            ended: false,
            quota_errors: 0,
            live: false,
            live_range: None,
            duration_wanted: None,
            keep_live_behind,
            _on_open: on_open,
        })
    }

    /// Whether the `MediaSource` is open (or ended) and can take `SourceBuffer`s.
    pub fn is_open(&self) -> bool {
        self.source.ready_state() != MediaSourceReadyState::Closed
    }

    /// How many appends the browser refused for lack of room (each retried after making room).
    pub fn quota_errors(&self) -> u32 {
        self.quota_errors
    }

    /// Whether the `SourceBuffer`s exist.
    pub fn has_buffers(&self) -> bool {
        !self.tracks.is_empty()
    }

    /// Create one `SourceBuffer` per selected audio and video track of `presentation` and set the
    /// duration: infinite for a live presentation, with `live_window` (the DVR window) as its
    /// seekable range. `on_update_end` makes the callback of each track's buffer. Appends that
    /// arrived early are queued.
    pub fn create_buffers(
        &mut self,
        presentation: &Presentation,
        live_window: Option<(f64, f64)>,
        selected: &dyn Fn(TrackKind) -> Option<usize>,
        on_update_end: &dyn Fn(TrackKind) -> Box<dyn FnMut()>,
    ) -> Result<(), String> {
        if presentation.is_live() {
            self.live = true;
            set_duration(&self.source, f64::INFINITY)
                .map_err(|e| format!("a live duration: {}", crate::error::describe(&e)))?;
            if let Some((start, end)) = live_window {
                self.set_live_window(start, end);
            }
        } else if let Some(duration) = presentation.duration {
            set_duration(&self.source, duration.as_secs_f64())
                .map_err(|e| format!("the duration: {}", crate::error::describe(&e)))?;
        }
        for kind in [TrackKind::Video, TrackKind::Audio] {
            let Some(index) = selected(kind) else { continue };
            let Some(track) = presentation.periods.first().and_then(|p| {
                p.tracks.iter().filter(|t| t.kind == kind && !t.representations.is_empty()).nth(index)
            }) else {
                continue;
            };
            let rep = &track.representations[0];
            let mime = rep.mime_type.as_deref().or(track.mime_type.as_deref()).unwrap_or(match kind {
                TrackKind::Audio => "audio/mp4",
                _ => "video/mp4",
            });
            let content_type = match &rep.codecs {
                Some(codecs) => format!("{mime}; codecs=\"{codecs}\""),
                None => mime.to_string(),
            };
            if !MediaSource::is_type_supported(&content_type) {
                return Err(format!("this browser cannot play {content_type}"));
            }
            let buffer = self
                .source
                .add_source_buffer(&content_type)
                .map_err(|e| format!("addSourceBuffer({content_type}): {}", crate::error::describe(&e)))?;
            let closure = Closure::wrap(on_update_end(kind));
            buffer.set_onupdateend(Some(closure.as_ref().unchecked_ref()));
            self.tracks.push(TrackBuffer {
                kind,
                buffer,
                queue: VecDeque::new(),
                complete: false,
                waiting_for_room: false,
                _on_update_end: closure,
            });
        }
        for append in std::mem::take(&mut self.early) {
            self.push(append);
        }
        for kind in std::mem::take(&mut self.early_ends) {
            self.end_track(kind);
        }
        Ok(())
    }

    /// The DVR window of a live presentation moved: set it as the live seekable range (once it
    /// moved by [`RANGE_STEP_S`]), so the element's `seekable` and its controls follow it. The
    /// first call comes before any media, so the start position the session seeks to is seekable.
    pub fn set_live_window(&mut self, start: f64, end: f64) {
        if !self.live || self.source.ready_state() != MediaSourceReadyState::Open {
            return;
        }
        let (start, end) = (start.max(0.0), end.max(start.max(0.0)));
        if !(start.is_finite() && end.is_finite()) {
            return;
        }
        let moved = self
            .live_range
            .is_none_or(|(s, e)| (s - start).abs() >= RANGE_STEP_S || (e - end).abs() >= RANGE_STEP_S);
        if moved && self.source.set_live_seekable_range(start, end).is_ok() {
            self.live_range = Some((start, end));
        }
    }

    /// The MPD turned static: no live seekable range any more, and the duration is `duration`
    /// (when known; set once no buffer is updating). The core ends each track when its last
    /// segment is in, and `endOfStream` follows as for on-demand content.
    pub fn end_live(&mut self, duration: Option<f64>) {
        if !self.live {
            return;
        }
        self.live = false;
        if self.live_range.take().is_some() && self.source.ready_state() == MediaSourceReadyState::Open {
            let _ = self.source.clear_live_seekable_range();
        }
        self.duration_wanted = duration.filter(|d| d.is_finite() && *d > 0.0);
    }

    /// Live: queue the removal of media more than the back buffer behind `position`, for tracks
    /// holding a third more than that (at most [`MAX_EVICT_SLACK_S`] more). Media behind the
    /// position is nothing the core counts on (it reads buffered ranges from the position on).
    /// Returns whether a removal was queued (the caller kicks the queues).
    pub fn evict_behind(&mut self, position: f64) -> bool {
        if !self.live || !position.is_finite() {
            return false;
        }
        let until = position - self.keep_live_behind;
        let slack = (self.keep_live_behind / 3.0).clamp(0.5, MAX_EVICT_SLACK_S);
        let mut queued = false;
        for track in &mut self.tracks {
            let removing = track.queue.iter().any(|op| matches!(op, Op::Remove(..)));
            if !removing && first_start(&track.buffer).is_some_and(|start| start < until - slack) {
                track.queue.push_back(Op::Remove(0.0, until));
                queued = true;
            }
        }
        queued
    }

    /// Queue an append from the core.
    pub fn push(&mut self, append: Append) {
        if self.tracks.is_empty() {
            self.early.push(append);
            return;
        }
        if let Some(track) = self.tracks.iter_mut().find(|t| t.kind == append.track) {
            track.queue.push_back(Op::Append(append.data));
        }
    }

    /// The core appended the last segment of `kind` ([`Output::EndOfStream`]).
    pub fn end_track(&mut self, kind: TrackKind) {
        match self.tracks.iter_mut().find(|t| t.kind == kind) {
            Some(track) => track.complete = true,
            None => self.early_ends.push(kind),
        }
    }

    /// Drop everything buffered (a seek): the queues are emptied, an append in progress aborted
    /// and every buffer cleared.
    pub fn flush(&mut self) {
        self.early.clear();
        self.early_ends.clear();
        self.ended = false;
        for track in &mut self.tracks {
            track.queue.clear();
            track.complete = false;
            track.waiting_for_room = false;
            if track.buffer.updating() {
                let _ = track.buffer.abort();
            }
            track.queue.push_back(Op::Remove(0.0, f64::INFINITY));
        }
    }

    /// Start the next operation of every idle track; returns what the session must hear about
    /// (buffered ranges of tracks whose queue is empty, errors).
    pub fn kick(&mut self, video: &HtmlVideoElement) -> Vec<MediaNotice> {
        let mut notices = Vec::new();
        if !self.is_open() {
            return notices;
        }
        for i in 0..self.tracks.len() {
            if let Some(notice) = self.kick_track(i, video) {
                notices.push(notice);
            }
        }
        if self.duration_wanted.is_some()
            && self.source.ready_state() == MediaSourceReadyState::Open
            && !self.tracks.iter().any(|t| t.buffer.updating())
            && let Some(duration) = self.duration_wanted.take()
        {
            // Never below what is buffered (the browser refuses that); endOfStream trims it.
            let held = self.tracks.iter().filter_map(|t| last_end(&t.buffer)).fold(0.0, f64::max);
            let _ = set_duration(&self.source, duration.max(held));
        }
        let all_in = !self.tracks.is_empty()
            && self.tracks.iter().all(|t| t.complete && t.queue.is_empty() && !t.buffer.updating());
        if all_in && !self.ended && self.source.ready_state() == MediaSourceReadyState::Open {
            self.ended = true;
            let _ = self.source.end_of_stream();
        }
        notices
    }

    /// One track's operation finished: start its next one.
    pub fn update_end(&mut self, kind: TrackKind, video: &HtmlVideoElement) -> Vec<MediaNotice> {
        if let Some(track) = self.tracks.iter_mut().find(|t| t.kind == kind) {
            track.waiting_for_room = false;
        }
        self.kick(video)
    }

    fn kick_track(&mut self, i: usize, video: &HtmlVideoElement) -> Option<MediaNotice> {
        let track = &mut self.tracks[i];
        if track.buffer.updating() || track.waiting_for_room {
            return None;
        }
        let Some(op) = track.queue.front() else {
            return Some(MediaNotice::Buffered(Input::Buffered {
                track: track.kind,
                ranges: ranges(&track.buffer),
            }));
        };
        let result = match op {
            Op::Append(data) => {
                let view = js_sys::Uint8Array::from(&data[..]);
                track.buffer.append_buffer_with_array_buffer_view(&view)
            }
            Op::Remove(start, end) => track.buffer.remove(*start, *end),
        };
        match result {
            Ok(()) => {
                track.queue.pop_front();
                None
            }
            Err(e) if is_quota_error(&e) => {
                self.quota_errors += 1;
                let behind = video.current_time() - KEEP_BEHIND_S;
                let start = first_start(&track.buffer);
                if start.is_some_and(|s| behind > s + 0.1) {
                    track.queue.push_front(Op::Remove(0.0, behind));
                    self.kick_track(i, video)
                } else {
                    // Nothing played to remove: wait for playback to move on (the tick retries).
                    track.waiting_for_room = true;
                    None
                }
            }
            Err(e) => {
                track.queue.pop_front();
                Some(MediaNotice::Error(format!("{:?} buffer: {}", track.kind, crate::error::describe(&e))))
            }
        }
    }

    /// Let tracks that waited for room try again (called periodically).
    pub fn retry_waiting(&mut self, video: &HtmlVideoElement) -> Vec<MediaNotice> {
        let mut any = false;
        for track in &mut self.tracks {
            any |= std::mem::take(&mut track.waiting_for_room);
        }
        if any { self.kick(video) } else { Vec::new() }
    }

    /// Detach from the element and release the object URL.
    pub fn detach(&mut self, video: &HtmlVideoElement) {
        for track in &self.tracks {
            track.buffer.set_onupdateend(None);
        }
        self.source.set_onsourceopen(None);
        video.remove_attribute("src").ok();
        video.load();
        let _ = web_sys::Url::revoke_object_url(&self.object_url);
    }
}

fn is_quota_error(error: &JsValue) -> bool {
    error.dyn_ref::<web_sys::DomException>().is_some_and(|e| e.name() == "QuotaExceededError")
}

/// The buffered ranges of a `SourceBuffer` (none when it was removed from its source).
fn ranges(buffer: &SourceBuffer) -> Vec<(Duration, Duration)> {
    let Ok(ranges) = buffer.buffered() else { return Vec::new() };
    (0..ranges.length())
        .filter_map(|i| Some((ranges.start(i).ok()?, ranges.end(i).ok()?)))
        .map(|(s, e)| (secs(s), secs(e)))
        .collect()
}

fn first_start(buffer: &SourceBuffer) -> Option<f64> {
    let ranges = buffer.buffered().ok()?;
    (ranges.length() > 0).then(|| ranges.start(0).ok()).flatten()
}

fn last_end(buffer: &SourceBuffer) -> Option<f64> {
    let ranges = buffer.buffered().ok()?;
    ranges.length().checked_sub(1).and_then(|last| ranges.end(last).ok())
}

/// Set the `MediaSource`'s duration, the browser's refusal (a buffer updating, the source not
/// open, media buffered past it) as an error rather than an exception through Rust frames.
fn set_duration(source: &MediaSource, seconds: f64) -> Result<(), JsValue> {
    js_sys::Reflect::set(source, &"duration".into(), &seconds.into()).map(|_| ())
}

/// Seconds as a duration (negative or not finite: zero; past what a `Duration` holds: the longest).
pub fn secs(s: f64) -> Duration {
    if s.is_finite() && s > 0.0 {
        Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)
    } else {
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_from_the_element_are_clamped() {
        assert_eq!(secs(1.5), Duration::from_millis(1500));
        assert_eq!(secs(-0.1), Duration::ZERO);
        assert_eq!(secs(f64::NAN), Duration::ZERO);
        assert_eq!(secs(f64::INFINITY), Duration::ZERO);
        assert_eq!(secs(1e20), Duration::MAX, "seek(1e20) is past the end, not a panic");
    }
}
