//! What an algorithm is shown when it decides, and what it is told afterwards.

use crate::units::{Bitrate, Bytes};
use core::time::Duration;

/// Sizes of segments per rung, where the player knows them (segment index `sidx`, a simulator's
/// ladder); `None` where it does not.
pub trait SegmentSizes {
    /// Size of segment `segment` at rung `rung`, if known.
    fn size(&self, segment: usize, rung: usize) -> Option<Bytes>;
}

/// A presentation whose segment sizes are unknown.
pub struct UnknownSizes;

impl SegmentSizes for UnknownSizes {
    fn size(&self, _segment: usize, _rung: usize) -> Option<Bytes> {
        None
    }
}

/// One finished download, as the throughput history keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DownloadSample {
    /// Bytes received.
    pub bytes: Bytes,
    /// Time from the request to the first byte of the body.
    pub ttfb: Duration,
    /// Time from the request to the last byte.
    pub total: Duration,
    /// Rung the segment was fetched at.
    pub rung: usize,
    /// Session time at which the download finished.
    pub finished_at: Duration,
}

impl DownloadSample {
    /// Throughput over the body only (time to first byte excluded), as Sabre and dash.js measure it.
    pub fn body_throughput(&self) -> Option<Bitrate> {
        Bitrate::from_transfer(self.bytes, self.total.saturating_sub(self.ttfb))
    }

    /// Throughput over the whole request (latency included), as Pensieve's MPC measures it.
    pub fn request_throughput(&self) -> Option<Bitrate> {
        Bitrate::from_transfer(self.bytes, self.total)
    }
}

/// The player's view of the network when an algorithm decides.
#[derive(Clone, Copy, Debug)]
pub struct ThroughputView<'a> {
    /// The player estimator's current throughput estimate (no safety factor applied).
    pub estimate: Option<Bitrate>,
    /// The player estimator's current latency (time to first byte) estimate.
    pub latency: Option<Duration>,
    /// Recent completed downloads, oldest first.
    pub samples: &'a [DownloadSample],
}

/// Everything an algorithm may read when it picks the rung of the next segment.
#[derive(Clone, Copy)]
pub struct DecisionContext<'a> {
    /// Session time.
    pub now: Duration,
    /// The bit rate of each rung, lowest first.
    pub rungs: &'a [Bitrate],
    /// Segment sizes per rung where known.
    pub sizes: &'a dyn SegmentSizes,
    /// Index of the segment about to be fetched.
    pub segment: usize,
    /// Number of segments in the presentation.
    pub segment_count: usize,
    /// Nominal duration of one segment.
    pub segment_duration: Duration,
    /// Media buffered ahead of the playback position.
    pub buffer_level: Duration,
    /// How much media the player buffers at most.
    pub max_buffer: Duration,
    /// Throughput estimate and history.
    pub throughput: ThroughputView<'a>,
    /// Rung of the previous segment of this track, if any.
    pub last_rung: Option<usize>,
    /// Position of the last seek, if the viewer has sought.
    pub last_seek_segment: usize,
    /// Set when this decision follows an abandoned download of the same segment at that rung.
    pub abandoned_rung: Option<usize>,
}

impl<'a> DecisionContext<'a> {
    /// The highest rung index.
    pub fn top_rung(&self) -> usize {
        self.rungs.len().saturating_sub(1)
    }

    /// Segments left after the one being decided.
    pub fn segments_after(&self) -> usize {
        self.segment_count.saturating_sub(self.segment + 1)
    }

    /// The known size of a segment at a rung, or its nominal size (rate × duration) when unknown.
    pub fn size_or_nominal(&self, segment: usize, rung: usize) -> Bytes {
        self.sizes.size(segment, rung).unwrap_or_else(|| self.rungs[rung].bytes_in(self.segment_duration))
    }
}

/// What an algorithm chose for the next segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Rung index, `0` the lowest.
    pub rung: usize,
    /// Time to wait before fetching (BOLA's oscillation guard, BOLA-E's placeholder); usually zero.
    pub delay: Duration,
}

impl Decision {
    /// Fetch at `rung` without waiting.
    pub const fn rung(rung: usize) -> Self {
        Decision { rung, delay: Duration::ZERO }
    }
}

/// A download in flight, as shown to [`crate::Abr::check_abandon`].
#[derive(Clone, Copy)]
pub struct ProgressContext<'a> {
    /// Session time.
    pub now: Duration,
    /// The bit rate of each rung, lowest first.
    pub rungs: &'a [Bitrate],
    /// Segment being fetched.
    pub segment: usize,
    /// Rung being fetched.
    pub rung: usize,
    /// Total size of the response, when known.
    pub size: Option<Bytes>,
    /// Bytes received so far.
    pub received: Bytes,
    /// Time since the request was sent.
    pub elapsed: Duration,
    /// Time to first byte, once the first byte has arrived.
    pub ttfb: Option<Duration>,
    /// Media buffered ahead of the playback position now.
    pub buffer_level: Duration,
    /// Nominal duration of one segment.
    pub segment_duration: Duration,
    /// Throughput estimate and history.
    pub throughput: ThroughputView<'a>,
}

/// How a segment download ended, as reported to [`crate::Abr::on_download`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DownloadReport {
    /// Segment index.
    pub segment: usize,
    /// Rung fetched.
    pub rung: usize,
    /// Size of the whole segment at that rung.
    pub size: Bytes,
    /// Bytes received.
    pub received: Bytes,
    /// Time from the request to the end (completion or abandonment).
    pub elapsed: Duration,
    /// Time to first byte, if one arrived.
    pub ttfb: Option<Duration>,
    /// Buffer level once the download ended (after appending, when it completed).
    pub buffer_level: Duration,
    /// `Some(rung)` when the algorithm abandoned it (the rung it suggested).
    pub abandoned_to: Option<usize>,
}
