#![warn(missing_docs, unreachable_pub)]

//! Flick's adaptive-bitrate algorithms.
//!
//! An algorithm implements [`Abr`]: the player shows it a read-only [`DecisionContext`] (the ladder,
//! segment sizes where known, the buffer level, throughput history and estimate, the last choice)
//! and it answers with a [`Decision`]. While a download is in flight the player may ask
//! [`Abr::check_abandon`] whether to give it up. Algorithms are deterministic and do not allocate
//! when deciding.
//!
//! ```
//! use flick_abr::{by_name, Abr, DecisionContext, ThroughputView, UnknownSizes, units::Bitrate};
//! use std::time::Duration;
//!
//! let rungs = [Bitrate::from_kbps(300), Bitrate::from_kbps(1200), Bitrate::from_kbps(4300)];
//! let mut abr = by_name("bba").unwrap();
//! let ctx = DecisionContext {
//!     now: Duration::from_secs(30),
//!     rungs: &rungs,
//!     sizes: &UnknownSizes,
//!     segment: 7,
//!     segment_count: 48,
//!     segment_duration: Duration::from_secs(4),
//!     buffer_level: Duration::from_secs(20),
//!     max_buffer: Duration::from_secs(60),
//!     throughput: ThroughputView { estimate: None, latency: None, samples: &[] },
//!     last_rung: Some(1),
//!     last_seek_segment: 0,
//!     abandoned_rung: None,
//! };
//! assert_eq!(abr.choose(&ctx).rung, 2); // a full buffer picks the top rung
//! ```

mod bba;
mod bola;
mod bola_e;
mod context;
mod dynamic;
mod dynamic_dash;
mod exoplayer;
mod fast_mpc;
mod festive;
mod gstreamer;
mod hedge;
mod mpc;
mod predict;
mod registry;
mod shaka;
mod throughput;
pub mod units;

pub use bba::{Bba, BbaConfig};
pub use bola::{Bola, BolaConfig};
pub use bola_e::{BolaE, BolaEConfig};
pub use context::{
    Decision, DecisionContext, DownloadReport, DownloadSample, ProgressContext, SegmentSizes, ThroughputView,
    UnknownSizes,
};
pub use dynamic::{Dynamic, DynamicConfig};
pub use dynamic_dash::{DynamicDash, DynamicDashConfig};
pub use exoplayer::{ExoPlayer, ExoPlayerConfig};
pub use fast_mpc::{FastMpc, FastMpcConfig};
pub use festive::{Festive, FestiveConfig};
pub use gstreamer::{GStreamer, GStreamerConfig};
pub use hedge::{HedgeAbr, HedgeConfig};
pub use mpc::{Mpc, MpcConfig};
pub use registry::{UnknownAlgorithm, by_name, from_json, names};
pub use shaka::{Shaka, ShakaConfig};
pub use throughput::{ThroughputRule, ThroughputRuleConfig, quality_from_throughput_kbps};

use core::time::Duration;

/// An adaptive-bitrate algorithm: picks the rung of each segment, and may abandon a download.
///
/// The player calls [`Abr::initial`] for the first segment of a session, [`Abr::choose`] for
/// every later one, [`Abr::on_download`] when a download completes or is abandoned, and
/// [`Abr::on_idle`] when it waited because the buffer was full.
pub trait Abr: Send {
    /// The algorithm's name as the CLI and reports spell it.
    fn name(&self) -> &'static str;

    /// The rung of the first segment, before any throughput was measured.
    fn initial(&mut self, _ctx: &DecisionContext<'_>) -> usize {
        0
    }

    /// The rung (and an optional wait) for the segment `ctx.segment`.
    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision;

    /// Asked as a download makes progress: `Some(rung)` to abandon it. The retry is decided by a
    /// new [`Abr::choose`]; the player caps it at `rung` and below the abandoned rung, and never
    /// abandons a download at the lowest rung (unless `PlayerConfig::lower_after_abandon` is
    /// off, as in Sabre's model, where the new choice stands).
    fn check_abandon(&mut self, _progress: &ProgressContext<'_>) -> Option<usize> {
        None
    }

    /// Told when a segment download completed or was abandoned.
    fn on_download(&mut self, _report: &DownloadReport) {}

    /// Told when the player waited `waited` before a request because its buffer was full.
    fn on_idle(&mut self, _waited: Duration) {}

    /// Told when the viewer seeks to `segment`.
    fn on_seek(&mut self, _segment: usize) {}

    /// Told when this same instance starts another session. Algorithms that learn across
    /// sessions keep what they learned (RobustMPC keeps its prediction errors, as Pensieve's
    /// reference does) and forget the rest.
    fn new_session(&mut self) {}
}

impl Abr for Box<dyn Abr> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn initial(&mut self, ctx: &DecisionContext<'_>) -> usize {
        (**self).initial(ctx)
    }
    fn choose(&mut self, ctx: &DecisionContext<'_>) -> Decision {
        (**self).choose(ctx)
    }
    fn check_abandon(&mut self, progress: &ProgressContext<'_>) -> Option<usize> {
        (**self).check_abandon(progress)
    }
    fn on_download(&mut self, report: &DownloadReport) {
        (**self).on_download(report)
    }
    fn on_idle(&mut self, waited: Duration) {
        (**self).on_idle(waited)
    }
    fn on_seek(&mut self, segment: usize) {
        (**self).on_seek(segment)
    }
    fn new_session(&mut self) {
        (**self).new_session()
    }
}
