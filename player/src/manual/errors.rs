//! # Errors
//!
//! A session either plays to its end or fails with a typed cause. With request timeouts on (the
//! default), a dead CDN ends in an error after a bounded time rather than a hang; the manifest and
//! segment-index parsers reject bad input with an error rather than a panic (checked arithmetic,
//! capped counts; the fuzz targets in `player/fuzz/` exercise them). The type is
//! [`crate::PlayerError`].
//!
//! ## What can fail a session
//!
//! [`crate::PlayerError`] is `#[non_exhaustive]`: match it with a wildcard arm, so that new causes
//! can be added without breaking front ends. Where the cause has a type of its own, the variant
//! keeps it rather than only its message:
//!
//! - [`Manifest`](crate::PlayerError::Manifest), kind `manifest`: the MPD could not be parsed;
//!   wraps a [`crate::manifest::ManifestError`].
//! - [`Unplayable`](crate::PlayerError::Unplayable), kind `manifest`: the MPD parsed but cannot be
//!   played (no period, no video or audio track, a track without segments, a URL that does not
//!   resolve).
//! - [`SegmentIndex`](crate::PlayerError::SegmentIndex), kind `segment_index`: a representation's
//!   `sidx` could not be parsed; names the representation and wraps a
//!   [`crate::segment_index::IndexError`].
//! - [`AllLocationsFailed`](crate::PlayerError::AllLocationsFailed), kind `all_locations_failed`:
//!   a request kept failing for longer than [`crate::PlayerConfig::give_up_after`] (see
//!   [CDN failover](crate::manual::_03_failover)); says what was being fetched and keeps the last
//!   [`crate::FetchError`] when there was one.
//! - [`InvalidInput`](crate::PlayerError::InvalidInput), kind `invalid_input`: an input the core
//!   cannot use (a manifest URL that does not parse).
//!
//! [`crate::manifest::ManifestError`] and [`crate::segment_index::IndexError`] are
//! `#[non_exhaustive]` too, and say what is wrong (a manifest error also says where: the element
//! path, the attribute, the value). For the wrapped errors, [`std::error::Error::source`] returns
//! the typed cause. [`crate::FetchError`] is the driver's word on one request (an HTTP status, a
//! timeout, a reset, a stalled or truncated body, another transport failure); one failed request
//! never ends the session by itself: it feeds failover.
//!
//! ## Short codes
//!
//! [`crate::PlayerError::kind`] gives a short, stable, machine-readable code; the `Display` text
//! is for people. The error serialises as `{"kind": ..., "message": ...}`, which is the `error`
//! field of the [session report](crate::manual::_05_session_report). Front ends branch on the
//! code: `flick play` exits with status 1 and a one-line cause naming it, and the browser build
//! throws (or rejects `load()` with) a JavaScript `Error` whose `code` is the kind. Drivers add
//! codes of their own for what is not the core's business (the native driver's media pipeline:
//! `media_setup`, `decode_failed`; the browser driver: `config`, `unknown_abr`, `unsupported`,
//! `media`, `invalid_state`, `invalid_argument`).
//!
//! ## What failing does
//!
//! When a session fails, the core cancels every request in flight, stops the playback clock
//! (ending a stall in progress), emits [`crate::PlayerEvent::Error`] and enters
//! [`crate::PlayerState::Failed`]; nothing is scheduled afterwards. The error stays available from
//! [`crate::Player::error`], [`crate::status::PlayerStatus::error`] and the session report.
