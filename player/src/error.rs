//! Errors that end a session.

use serde::{Deserialize, Serialize};

/// Why a session failed, as reported in [`crate::io::PlayerEvent::Error`] and session reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "message")]
pub enum PlayerError {
    /// The manifest could not be parsed or has nothing playable.
    #[error("manifest: {0}")]
    Manifest(String),
    /// A segment index could not be parsed.
    #[error("segment index: {0}")]
    SegmentIndex(String),
    /// Every location failed for a request, for longer than the configured limit.
    #[error("all locations failed: {0}")]
    AllLocationsFailed(String),
    /// The input is not usable (bad URL, bad command).
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

impl PlayerError {
    /// The short machine-readable kind, as the session report's `error.kind` spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            PlayerError::Manifest(_) => "manifest",
            PlayerError::SegmentIndex(_) => "segment_index",
            PlayerError::AllLocationsFailed(_) => "all_locations_failed",
            PlayerError::InvalidInput(_) => "invalid_input",
        }
    }
}
