//! Decoded video frames, handed from GStreamer's streaming thread to whoever shows them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How many [`FrameInfo`] the slot remembers.
const HISTORY: usize = 512;

/// One decoded video frame. The pixels stay in GStreamer's buffer (no copy); the type exposes them
/// as plain bytes so viewers need no GStreamer types.
pub struct VideoFrame {
    buffer: gst::MappedBuffer<gst::buffer::Readable>,
    info: FrameInfo,
    stride: usize,
    rgba: bool,
}

impl VideoFrame {
    pub(crate) fn new(
        buffer: gst::MappedBuffer<gst::buffer::Readable>,
        info: FrameInfo,
        stride: usize,
        rgba: bool,
    ) -> Self {
        VideoFrame { buffer, info, stride, rgba }
    }

    /// Size and timestamp.
    pub fn info(&self) -> FrameInfo {
        self.info
    }

    /// Bytes from one row to the next (of the first plane).
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Whether the pixels are packed 8-bit RGBA (else the decoder's own format).
    pub fn is_rgba(&self) -> bool {
        self.rgba
    }

    /// The pixels (every plane, as the buffer holds them).
    pub fn data(&self) -> &[u8] {
        self.buffer.as_slice()
    }
}

/// What is known of a frame without its pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Presentation timestamp on the presentation timeline.
    pub pts: Duration,
}

#[derive(Default)]
struct Slot {
    latest: Option<Arc<VideoFrame>>,
    /// Bumped for every frame, so a viewer can tell a new one from the one it has shown.
    serial: u64,
    history: VecDeque<FrameInfo>,
}

/// The latest decoded frame and a short history of the ones before. Clones share the slot.
#[derive(Clone, Default)]
pub struct FrameSlot(Arc<Mutex<Slot>>);

impl FrameSlot {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        // A panic elsewhere while holding the lock leaves plain data behind: keep using it.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keep `frame` as the latest, unless it is the latest again (a prerolled frame rendered
    /// when playback starts).
    pub(crate) fn put(&self, frame: VideoFrame) {
        let mut slot = self.lock();
        if slot.latest.as_ref().is_some_and(|latest| latest.info == frame.info) {
            return;
        }
        if slot.history.len() == HISTORY {
            slot.history.pop_front();
        }
        slot.history.push_back(frame.info);
        slot.serial += 1;
        slot.latest = Some(Arc::new(frame));
    }

    pub(crate) fn clear_latest(&self) {
        self.lock().latest = None;
    }

    /// The latest frame and its serial number (which grows by one per frame).
    pub fn latest(&self) -> Option<(u64, Arc<VideoFrame>)> {
        let slot = self.lock();
        slot.latest.clone().map(|f| (slot.serial, f))
    }

    /// Frames received so far.
    pub fn count(&self) -> u64 {
        self.lock().serial
    }

    /// The last frames received (up to a few hundred), oldest first.
    pub fn history(&self) -> Vec<FrameInfo> {
        self.lock().history.iter().copied().collect()
    }
}
