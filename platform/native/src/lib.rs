//! Flick's native driver: the sans-IO [`flick_player::Player`] run on a tokio runtime with a
//! monotonic clock, its requests made with reqwest (rustls, HTTP/1.1 and HTTP/2, byte ranges,
//! streamed bodies reported chunk by chunk). Cancelled requests have their tasks aborted and
//! nothing more about them reaches the core. Headless, nothing is decoded and the buffer drains by
//! the core's own playback clock; with a [`media::MediaPipeline`] ([`NativeSession::with_media`])
//! GStreamer decodes what the core appends and reports the decoder's position, buffered media and
//! frame counters back. A [`Controller`] steers a running session, a [`StatusFeed`] shows it, and
//! the session ends with the same [`flick_player::SessionReport`] the simulator writes
//! (`driver: "native"`).
//!
//! ```no_run
//! use flick_native::{HeadlessOptions, play_headless};
//! use std::time::Duration;
//!
//! # async fn example() -> Result<(), flick_native::NativeError> {
//! let options = HeadlessOptions { duration: Some(Duration::from_secs(30)), ..HeadlessOptions::default() };
//! let report = play_headless("http://127.0.0.1:8080/manifest.mpd", options).await?;
//! println!("startup {:?} ms, {} CDN switches", report.startup_ms, report.cdn_switches);
//! # Ok(())
//! # }
//! ```
//!
//! Decoding with GStreamer, frames taken from the [`media::FrameSlot`] and the session steered
//! with a [`Controller`]:
//!
//! ```no_run
//! use flick_native::media::{AudioOutput, MediaConfig, VideoFormat};
//! use flick_native::{Command, HeadlessOptions, NativeSession};
//! use std::time::Duration;
//!
//! # async fn example() -> Result<(), flick_native::NativeError> {
//! let media = MediaConfig { audio: AudioOutput::Null, video: VideoFormat::Rgba };
//! let session = NativeSession::headless("http://127.0.0.1:8080/manifest.mpd", HeadlessOptions::default())?
//!     .with_media(media)?;
//! let (frames, control) = (session.frames().expect("a media pipeline"), session.controller());
//! let running = tokio::spawn(session.run());
//! tokio::time::sleep(Duration::from_secs(2)).await;
//! if let Some((_, frame)) = frames.latest() {
//!     println!("{}x{} at {:?}", frame.info().width, frame.info().height, frame.info().pts);
//! }
//! control.send(Command::Seek(Duration::from_secs(10)));
//! control.send(Command::Stop);
//! let report = running.await.expect("no panic")?;
//! println!("{:?} frames dropped", report.dropped_frames);
//! # Ok(())
//! # }
//! ```

mod control;
mod error;
mod fetch;
pub mod media;
mod session;
mod status;

pub use control::{Command, Controller, Rung, SessionStatus, StatusFeed};
pub use error::NativeError;
pub use fetch::{
    BodyLimits, FetchConfig, LiveTasks, MAX_REDIRECTS, RedirectRefusal, fetch_whole, redirect_refusal,
};
pub use session::{HeadlessOptions, MEDIA_TICK, NativeSession, StopHandle, play_headless};
