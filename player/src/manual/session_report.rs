//! # The session report and QoE
//!
//! Results are only comparable if they are measured the same way. The core therefore measures a
//! session itself, from the inputs it gets and the decisions it takes, and every driver writes the
//! same document: [`crate::SessionReport`], built by
//! [`crate::Player::report`]`(now, driver, model, qoe)` and serialised as JSON. A simulated
//! session, a native one and a browser one can be compared field by field.
//!
//! ## Who writes it
//!
//! - The simulator (`flick_platform::sim::run_session`): `"driver": "sim"`, `"model"` the network
//!   model's name (`cdn`, `pensieve` or `sabre`), scored as the model prescribes (Pensieve's model
//!   leaves the first chunk unscored). `flick sim --json` and `flick compare --json` include every
//!   session's report in each algorithm's summary, with the trace's name added as `"trace"`.
//! - The native driver (`flick_native`): `"driver": "native"`, `"model": null`; `flick play
//!   --report FILE` writes it. When the GStreamer pipeline fails, its `error` is the pipeline's
//!   (kind `media_setup` or `decode_failed`) rather than one of the core's.
//! - The browser driver (`flick-wasm`): `"driver": "web"`, `"model": null`; the JavaScript API's
//!   `player.stats()` returns it as an object.
//!
//! ## Fields
//!
//! ```json
//! { "driver": "native", "abr": "hedge", "model": null,
//!   "startup_ms": 612.0, "played_s": 40.0, "rebuffer_s": 0.0,
//!   "stalls": [],
//!   "mean_video_bitrate_kbps": 2710.0, "switches": 3, "cdn_switches": 1,
//!   "qoe_lin": 2.41, "qoe_log": 1.52, "scored_chunks": 20, "session_s": 41.2,
//!   "decoded_frames": 1200, "dropped_frames": 0,
//!   "error": null,
//!   "segments": [
//!     { "track": "video", "index": 4, "rung": 2, "bitrate_kbps": 3000, "location": "a",
//!       "bytes": 750123, "start_ms": 8000.0, "first_byte_ms": 8041.0, "end_ms": 9120.0,
//!       "outcome": "ok", "rebuffer_s": 0.0, "duration_s": 2.0 } ] }
//! ```
//!
//! - `driver`, `abr`, `model`: who played, with which ABR algorithm (its own name: `hedge` even
//!   when asked for by its alias `flick`), in which simulator model.
//! - `startup_ms`: from the load to the moment playback first started; `null` if it never did.
//! - `played_s`: media played, in seconds.
//! - `rebuffer_s` and `stalls`: time spent stalled, and each stall (`at_ms`, `duration_ms`; a stall
//!   still running counts up to the report's time). Only stalls after playback started count: the
//!   start-up delay is `startup_ms`, and refilling after a seek is not a stall.
//! - `mean_video_bitrate_kbps`: the mean nominal bit rate of the video segments that arrived.
//! - `switches`: changes of bit rate between consecutive video segments that arrived.
//! - `cdn_switches`: changes of the location media requests were sent to.
//! - `qoe_lin`, `qoe_log`, `scored_chunks`: below.
//! - `session_s`: from the load to the report's time.
//! - `decoded_frames`, `dropped_frames`: the decoder's counters, from a driver that decodes.
//! - `error`: `null`, or `{"kind", "message"}` when the session failed (see
//!   [errors](crate::manual::_06_errors)).
//! - `segments`: every media request, audio and video, that arrived, failed, was abandoned by the
//!   ABR algorithm or cancelled by a seek or an eviction: its track, segment index, rung and
//!   nominal bit rate, location, bytes received, when it was sent, answered and ended (session
//!   milliseconds), its `outcome` (`ok`, `abandoned`, `cancelled`, `timeout`, `reset`,
//!   `stalled`, `truncated`, `transport`, or `http_` and the status, such as `http_503`), the
//!   segment's duration and, for video segments that arrived, the stall time charged to it
//!   (`rebuffer_s`, the `T_n` below).
//!
//! Fields may be added; existing ones keep their names, since other tools read them.
//!
//! ## QoE
//!
//! QoE follows the definitions of the literature (MPC, Pensieve), per video chunk, so that Flick's
//! figures can be set beside published ones. For the video segments that arrived, in order, with
//! `R_n` the nominal bit rate of chunk `n`'s rung in Mbit/s and `T_n` the seconds of stall between
//! the arrival of chunk `n − 1` and that of chunk `n`:
//!
//! ```text
//! QoE_lin(n) = R_n − μ·T_n − |R_n − R_{n−1}|        μ = 4.3 (QoeConfig::rebuffer_penalty)
//! QoE_log(n) = ln(R_n / R_min) − 2.66·T_n − |ln(R_n / R_min) − ln(R_{n−1} / R_min)|
//! ```
//!
//! where `R_min` is the lowest video rung's rate, and the first chunk has no switch term.
//! `qoe_lin` and `qoe_log` are the means over the scored chunks, `scored_chunks` their number;
//! [`crate::QoeConfig`] sets μ and the first chunk scored (`first_scored_chunk`: 0 by default,
//! 1 in Pensieve's model, whose reference leaves the first chunk out). A session's QoE_lin is thus
//! a mean per chunk, in Mbit/s, not a sum.
//!
//! ## The event log
//!
//! For finer comparisons than the report allows, [`crate::PlayerConfig::record_log`] makes the core
//! keep every input and output with its session time ([`crate::Player::event_log`],
//! [`crate::log::LogEntry`]); payloads are counted, not kept.
