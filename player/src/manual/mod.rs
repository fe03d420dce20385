//! The Flick manual: why the player core is built the way it is, and what a driver must do to run
//! it.
//!
//! The API documentation says what each type and function does. This manual says why, and how the
//! pieces fit together: read it before writing a driver, a front end or a network model, or before
//! changing how the core schedules, fails over or scores a session. It describes the code as it
//! is; where it names a constant or a default, that is the value in the source today.
//!
//! This module holds documentation only, as rustls's `manual` module does.
//!
//! # Contents
//!
//! 1. [Sans-IO: one core, many drivers](crate::manual::_01_sans_io): why the core performs no I/O,
//!    the four calls every driver makes on [`crate::Player`], session time as a value, and the
//!    virtual clock of simulators and tests.
//! 2. [What the core decides, what drivers do](crate::manual::_02_core_and_drivers): each
//!    [`crate::Output`] and what a driver does with it, each [`crate::Input`] and when to send it,
//!    the decoder's reports and the stall check, and the one status snapshot of every front end.
//! 3. [CDN failover](crate::manual::_03_failover): candidate locations and their order, location
//!    health, buffer-aware timeouts, giving up, and resuming a segment elsewhere.
//! 4. [The buffer model](crate::manual::_04_buffer): what the core counts, what the decoder
//!    reports, and what playback may use.
//! 5. [The session report and QoE](crate::manual::_05_session_report): the one JSON document every
//!    driver writes, and the definitions of its figures.
//! 6. [Errors](crate::manual::_06_errors): how a session fails and how the cause is kept.
//!
//! # The workspace
//!
//! - `flick-player` (`player/`, this crate): the sans-IO core: manifest, segment indexes,
//!   scheduling, buffer, failover, metrics.
//! - `flick-abr` (`abr/`): the [`flick_abr::Abr`] trait the core asks about video rungs, and the
//!   algorithms (`hedge`, Flick's own and the default, `bba`, `bola`, `robust-mpc`, ...).
//! - `flick-platform` (`platform/`): the simulator (the core on a virtual clock against the `cdn`,
//!   `pensieve` and `sabre` network models), fault scripts, and the offline optimum.
//! - `flick-native` (`platform/native/`): the native driver: tokio and reqwest for requests,
//!   GStreamer for decoding.
//! - `flick-serve` (`platform/serve/`): Flick's test CDN: several local locations with throttling,
//!   latency and scripted faults.
//! - `flick-wasm` (`wasm/`): the browser driver: `fetch` and Media Source Extensions, with a
//!   JavaScript API.
//! - `flick-ui` (`ui/`): the `flick` binary: the egui window and the `play`, `demo`, `bench-play`,
//!   `sim`, `compare` and `serve` commands.
//!
//! # Where things live in this crate
//!
//! - [`crate::io`]: everything that crosses between the core and a driver ([`crate::Input`],
//!   [`crate::Output`], [`crate::Chunk`], [`crate::FetchRequest`], [`crate::PlayerEvent`]).
//! - [`crate::Player`] (`player/src/player/`): the state machine, split by concern: `scheduler.rs`
//!   (what to fetch next), `requests.rs` (what to do with answers), `playback.rs` (the playback
//!   clock and the state transitions), `buffer.rs` (the buffer model), `decoder.rs` (decoder
//!   reports and the stall check), `status.rs` (status snapshot and session report),
//!   `selection.rs` (which tracks are played), `steering.rs` (the player's side of content
//!   steering).
//! - [`crate::failover`]: every failover policy (candidate order, location health, timeouts,
//!   give-up, resume).
//! - [`crate::manifest`], [`crate::segment_index`], [`crate::presentation`]: MPD and `sidx` parsing
//!   into the presentation model.
//! - [`crate::estimator`]: throughput and latency estimates; [`crate::cmcd`]: CMCD data sent with
//!   requests.
//! - [`crate::metrics`], [`crate::status`], [`crate::log`]: what the core tells about a session.
//! - [`crate::virtual_time`]: the stepper of simulators and tests.
//! - [`crate::config`], [`crate::error`], [`crate::state`]: configuration, errors, playback states.

#[path = "sans_io.rs"]
pub mod _01_sans_io;

#[path = "core_and_drivers.rs"]
pub mod _02_core_and_drivers;

#[path = "failover.rs"]
pub mod _03_failover;

#[path = "buffer.rs"]
pub mod _04_buffer;

#[path = "session_report.rs"]
pub mod _05_session_report;

#[path = "errors.rs"]
pub mod _06_errors;
