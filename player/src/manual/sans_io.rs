//! # Sans-IO: one core, many drivers
//!
//! ## Why the core does no I/O
//!
//! A streaming player does two kinds of work. One is deciding: which segment to fetch next, at
//! which rung, from which CDN location; how long to wait for it; whether playback has stalled;
//! what the session scored. The other is doing: opening connections, reading bodies, feeding a
//! decoder, sleeping until a deadline. The deciding should behave the same everywhere; the doing
//! depends on the platform (tokio, reqwest and GStreamer on a desktop, `fetch` and Media Source
//! Extensions in a browser, nothing real at all in a simulation).
//!
//! Flick keeps all of the deciding in this crate and leaves the doing to *drivers*.
//! [`crate::Player`] opens no socket, starts no thread or task, arms no timer and never reads a
//! clock. It is a state machine: it is handed values (inputs, each with the session time at which
//! it was observed) and hands values back (outputs, and the time at which it next wants to be
//! woken). This is the shape of the Rust "sans-IO" protocol crates such as `quinn-proto`, `str0m`
//! and `rustls`.
//!
//! What that buys:
//!
//! - **One implementation.** The simulator, the native player and the browser player run the same
//!   core, so a scheduling, failover or scoring decision is the same in all three. Neither this
//!   crate nor `flick-abr` has any platform-specific code: the browser build compiles them
//!   unchanged to `wasm32-unknown-unknown`.
//! - **Speed.** With no real clock to wait on, a simulator jumps from one event to the next and
//!   plays a session in a tiny fraction of its length, so every algorithm can be run on every trace
//!   of a data set.
//! - **Determinism.** Given the same inputs at the same times, the core produces the same outputs.
//!   Its only source of randomness, the choice among equally preferred CDN locations by their DVB
//!   `@weight`, is drawn from [`crate::PlayerConfig::seed`]. Simulated results can be reproduced
//!   exactly, and with [`crate::PlayerConfig::record_log`] set [`crate::Player::event_log`] keeps
//!   every input and output with its time, so two sessions can be compared line by line.
//! - **Tests without a network.** The core's tests write the inputs by hand, at exact times, and
//!   check the outputs; see [`crate::virtual_time`] below.
//!
//! ## The four calls
//!
//! A driver talks to the core through four methods:
//!
//! - [`crate::Player::handle_input`]`(now, input)`: something happened at session time `now`: a
//!   viewer's command, news about a request, a report from the decoder.
//! - [`crate::Player::handle_timeout`]`(now)`: nothing happened, but the time the core asked to be
//!   woken at has come.
//! - [`crate::Player::poll_output`]: the next thing the core wants done, or `None`. After each of
//!   the two calls above, the driver drains it until it returns `None`, doing what each
//!   [`crate::Output`] says in order. Inputs may be fed while draining (a driver that reports its
//!   decoder does so right when asked); whatever they cause is queued behind the outputs already
//!   waiting.
//! - [`crate::Player::poll_timeout`]: the session time at which the core next needs
//!   `handle_timeout`, or `None` when only an input can move it on. It is a point in time, not a
//!   delay, and it is never earlier than the latest time the core has seen. There is no "wake me
//!   at" output: a driver asks for the wake-up each time it is about to wait.
//!
//! The core wants a wake-up when its playback clock will reach the end of the buffered media (a
//! stall or the end of the stream), when a track's wait ends (a full buffer, a delay the ABR
//! algorithm asked for, a retry after every location was excluded), when the manifest is to be
//! asked for again, when the content steering server is to be polled, when the decoder's state is
//! due ([`crate::Output::ReportDecoder`]) and when a request in flight reaches its timeout.
//!
//! ## Time is a value
//!
//! Session time is a [`core::time::Duration`] since the session started; the driver chooses the
//! origin and passes the time with every call. The core keeps the latest time it was given: a
//! call with an earlier `now` is taken as happening at that latest time, so its time never goes
//! back. A driver passes the time it really observed, even when it wakes up later than asked: the
//! core works out what happened in between from its own clock (a stall, for instance, is dated at
//! the moment the buffer ran dry, not at the moment the driver noticed).
//!
//! Each driver has its own source of time:
//!
//! - the simulator (`flick_platform::sim::run_session`) uses a
//!   [`crate::virtual_time::VirtualClock`] that jumps from one event to the next;
//! - the native driver (`flick_native::NativeSession::run`) uses tokio's monotonic `Instant`
//!   since the session started;
//! - the browser driver (`flick-wasm`'s session) uses `performance.now()` since the session
//!   started.
//!
//! ## The driver's loop
//!
//! Every driver runs the same loop around the core:
//!
//! ```text
//! player.handle_input(now, Input::Load { url })
//! loop {
//!     while let Some(output) = player.poll_output() { do what it says }
//!     if the session has ended or failed { stop }
//!     wait for whichever comes first:
//!         news from the network, the decoder or the viewer   -> player.handle_input(now, input)
//!         the time player.poll_timeout() returned             -> player.handle_timeout(now)
//! }
//! let report = player.report(now, driver, model, qoe)
//! ```
//!
//! The simulator waits on a network model's next event; the native driver waits in a
//! `tokio::select!` on its network tasks' channel, the viewer's commands and a sleep until the
//! core's wake-up; the browser driver returns to the page's event loop after arming one
//! `setTimeout` for the wake-up, and starts again from a `fetch` callback, a media event or that
//! timer.
//!
//! ## Virtual time: simulators and tests
//!
//! [`crate::virtual_time`] holds the stepper that simulators and tests share.
//! [`crate::virtual_time::VirtualClock::step`] looks at the next input of an
//! [`crate::virtual_time::InputSource`] (a simulated network, or a
//! [`crate::virtual_time::Scheduled`] list of inputs given in advance) and at the core's
//! [`crate::Player::poll_timeout`], moves the clock to whichever comes first (the input when both
//! are due together) and hands it to the core. It returns a [`crate::virtual_time::Step`] saying
//! what it did, [`crate::virtual_time::Step::Idle`] once neither side will ever do anything more;
//! with a limit, time stops there if nothing is due before it.
//!
//! A complete driver, then, is a few lines. This one plays a two-segment stream from a network
//! that answers every request 50 ms after it is made, in one piece, and hands the core only the
//! length of media bodies ([`crate::Chunk::Counted`]), as the simulator does:
//!
//! ```
//! use flick_player::io::Bytes;
//! use flick_player::virtual_time::{Scheduled, Step, VirtualClock};
//! use flick_player::{Chunk, Input, Output, Player, PlayerConfig, PlayerState, QoeConfig, RequestKind};
//! use std::time::Duration;
//!
//! const MPD: &str = r#"<MPD type="static" mediaPresentationDuration="PT4S">
//!   <Period><AdaptationSet contentType="video" mimeType="video/mp4">
//!     <SegmentTemplate timescale="1000" duration="2000" media="v/$Number$.m4s"/>
//!     <Representation id="v1" bandwidth="500000"/>
//!   </AdaptationSet></Period></MPD>"#;
//!
//! let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("hedge").unwrap());
//! let mut clock = VirtualClock::default();
//! let mut network = Scheduled::default();
//! player.handle_input(clock.now(), Input::Load { url: "http://cdn.example/a.mpd".into() });
//! loop {
//!     while let Some(output) = player.poll_output() {
//!         if let Output::Fetch(request) = output {
//!             let body = match request.kind {
//!                 RequestKind::Manifest => Chunk::Bytes(Bytes::from_static(MPD.as_bytes())),
//!                 _ => Chunk::Counted(125_000),
//!             };
//!             let (id, at) = (request.id, clock.now() + Duration::from_millis(50));
//!             network.push(at, Input::ResponseStarted { id, content_length: Some(body.len()) });
//!             network.push(at, Input::Data { id, chunk: body });
//!             network.push(at, Input::Complete { id });
//!         }
//!     }
//!     if clock.step(&mut player, &mut network, None) == Step::Idle {
//!         break;
//!     }
//! }
//! assert_eq!(player.state(), PlayerState::Ended);
//! let report = player.report(clock.now(), "sim", None, QoeConfig::default());
//! assert!(report.stalls.is_empty());
//! assert_eq!(report.played_s, 4.0);
//! ```
//!
//! The simulator's own loop (`flick_platform::sim::run_session`) is this one with a network model
//! as the input source. The core's unit tests use the same stepper with hand-written inputs.
