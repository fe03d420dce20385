//! The playback states.
//!
//! ```text
//!  Idle ──Load──▶ Loading ──manifest parsed──▶ Buffering ──enough buffered──▶ Playing ◀──▶ Paused
//!                   │                           ▲    │                          │  ▲
//!                   │                           │    └────────(paused)────▶ Paused │
//!                   │                           └──────── buffer ran dry ───────┘  │
//!                   │        Seek (from any loaded state) ──▶ Seeking ──buffered──┘
//!                   └──────── fatal error (any state) ──▶ Failed        end reached ──▶ Ended
//! ```

use serde::{Deserialize, Serialize};

/// Where the player is in a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlayerState {
    /// Nothing loaded.
    Idle,
    /// Fetching and parsing the manifest and segment indexes.
    Loading,
    /// Waiting for enough media to start or resume (a stall, when it follows `Playing`).
    Buffering,
    /// The playback clock runs.
    Playing,
    /// Paused by the viewer.
    Paused,
    /// Refilling after a seek.
    Seeking,
    /// Played to the end.
    Ended,
    /// Stopped by an error.
    Failed,
}

impl PlayerState {
    /// Whether a presentation is loaded and media is being scheduled.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            PlayerState::Buffering | PlayerState::Playing | PlayerState::Paused | PlayerState::Seeking
        )
    }
}
