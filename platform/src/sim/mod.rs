//! The simulator: the real player core on a virtual clock, replaying bandwidth traces.

pub mod batch;
mod dash_folder;
pub mod ladder;
pub mod network;
pub mod optimal;
pub mod session;
pub mod trace;

pub use batch::{AlgorithmSummary, BatchSpec, SessionRow, run_batch, run_sessions, summarise};
pub use ladder::{AudioLadder, Ladder, LadderError, SimContent};
pub use optimal::{OfflineOptimum, OptimumError, OptimumSpec, offline_optima, offline_optimum};
pub use session::{Model, SessionSpec, run_session};
pub use trace::{Trace, TraceError, TracePeriod};
