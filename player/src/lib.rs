//! Flick's player core: a sans-IO state machine that turns timestamped inputs (commands, the
//! progress and outcome of requests, the decoder's reports) into outputs (fetch, cancel, append,
//! flush, end of stream, report the decoder, events) and the time at which it next needs waking.
//! It opens no sockets, starts no threads and reads no clock, so the simulator, the native driver
//! and the browser driver all run this same code.
//!
//! Start with the [`manual`]: why the core is built this way, what it decides and what a driver
//! does, CDN failover, the buffer model, the session report and QoE, and errors. The example below
//! is the first step of a session: the core asks for the manifest.
//!
//! ```
//! use flick_player::{Input, Output, Player, PlayerConfig};
//! use std::time::Duration;
//!
//! let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
//! player.handle_input(Duration::ZERO, Input::Load { url: "http://cdn.example/a.mpd".into() });
//! let mut fetches = Vec::new();
//! while let Some(output) = player.poll_output() {
//!     if let Output::Fetch(request) = output {
//!         fetches.push(request.url);
//!     }
//! }
//! assert_eq!(fetches, ["http://cdn.example/a.mpd"]);
//! ```

#![warn(missing_docs, unreachable_pub)]

pub mod cmcd;
pub mod config;
pub mod error;
pub mod estimator;
pub mod failover;
pub mod io;
pub mod live;
pub mod log;
pub mod manifest;
pub mod manual;
pub mod metrics;
mod player;
pub mod presentation;
pub mod segment_index;
pub mod state;
pub mod status;
pub mod virtual_time;

pub use config::{DECODER_REPORTS, PlayerConfig, RequestTimeouts};
pub use error::PlayerError;
pub use io::{
    Append, AppendKind, Chunk, FetchError, FetchRequest, Input, Output, PlayerEvent, RequestId, RequestKind,
};
pub use metrics::{QoeConfig, SessionReport};
pub use player::{MAX_LOG_ENTRIES, Player};
pub use state::PlayerState;
pub use status::{LiveStatus, PlayerStatus, RungInfo};
