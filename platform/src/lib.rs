//! Flick's drivers of the player core. For now the simulator ([`sim`]): the real
//! [`flick_player::Player`] on a virtual clock, replaying bandwidth traces against a network model
//! (Pensieve's, Sabre's, or Flick's own), thousands of sessions a second.
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
