//! Flick's simulator, and the fault scripts it shares with the test CDN.
//!
//! - [`sim`]: the real [`flick_player::Player`] on a virtual clock
//!   ([`flick_player::virtual_time::VirtualClock`]), replaying bandwidth traces (Pensieve text,
//!   Sabre JSON, Mahimahi) against one of three network models ([`sim::Model`]):
//!   - `cdn` (the default): Flick's own model of a multi-location CDN: per-request latency, bodies
//!     sharing the link and reporting progress, a bandwidth share and outages per location, and
//!     scripted faults. It was called `flick`, a name still accepted;
//!   - `pensieve` and `sabre`: the network and player models of Pensieve's and Sabre's simulators,
//!     to reproduce their published figures.
//!
//!   Sessions run in parallel over every trace and algorithm ([`sim::run_batch`]), each ending in
//!   the [`flick_player::SessionReport`] every driver writes (`"driver": "sim"`).
//! - [`sim::optimal`]: the offline optimum: the best QoE_lin any ABR algorithm could reach on a
//!   trace in a model, found by a dynamic program that knows the whole trace.
//! - [`faults`]: fault scripts (what goes wrong, where and when), one JSON format played by the
//!   `cdn` model and by `flick serve`.
//!
//! The crate needs no async runtime, network or media library. The core's other drivers, and the
//! test CDN, live beside it: the native driver (tokio, reqwest, GStreamer) is `flick-native` in
//! `platform/native/`, Flick's test CDN (`flick serve`) is `flick-serve` in `platform/serve/`, and
//! the browser driver (fetch, Media Source Extensions, a JavaScript API) is `flick-wasm` in `wasm/`.
//!
//! ```no_run
//! use flick_platform::sim::{BatchSpec, Ladder, Model, Trace, run_batch};
//! use std::path::Path;
//!
//! let traces = Trace::load_all(Path::new("../data/traces/pensieve-test")).unwrap();
//! let ladder = Ladder::load(Path::new("../data/ladders/envivio")).unwrap();
//! let content = ladder.content(&["a"]);
//! let algorithms = vec!["robust-mpc".to_string()];
//! let spec = BatchSpec {
//!     traces: &traces,
//!     content: &content,
//!     algorithms: &algorithms,
//!     model: Model::Pensieve,
//!     player: Model::Pensieve.player_config(None),
//!     network: Default::default(),
//!     seed: 0,
//!     carry_abr_state: true,
//! };
//! let summaries = run_batch(&spec, &|| {}).unwrap();
//! println!("{:.3}", summaries[0].mean_qoe_lin);
//! ```

pub mod faults;
pub mod sim;
