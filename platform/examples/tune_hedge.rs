//! Evaluate hedge (Flick's default algorithm) with given parameters on trace sets (used to tune
//! it on the training traces only): `cargo run --release -p flick-platform --example tune_hedge --
//! MODEL TRACES LADDER [BUFFER_S] 'JSON'`.

use flick_abr::{Abr, HedgeAbr, HedgeConfig};
use flick_platform::sim::{BatchSpec, Ladder, Model, Trace, run_sessions, summarise};
use std::path::Path;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let model = Model::from_name(&args[1]).expect("model");
    let traces = Trace::load_all(Path::new(&args[2])).expect("traces");
    let content = Ladder::load(Path::new(&args[3])).expect("ladder").content(&["a"]);
    let buffer =
        args.get(4).and_then(|b| b.parse::<f64>().ok()).filter(|b| *b > 0.0).map(Duration::from_secs_f64);
    let configs: Vec<HedgeConfig> =
        args[5..].iter().map(|j| serde_json::from_str(j).expect("config JSON")).collect();
    for config in configs {
        let spec = BatchSpec {
            traces: &traces,
            content: &content,
            algorithms: &[],
            model,
            player: model.player_config(buffer),
            network: Default::default(),
            seed: 0,
            carry_abr_state: false,
        };
        let make = || Box::new(HedgeAbr::new(config)) as Box<dyn Abr>;
        let s = summarise("hedge", run_sessions(&spec, &make, &|| {}));
        println!(
            "qoe {:.4} kbps {:.0} rebuf_s {:.3} switches/min {:.2}  {}",
            s.mean_qoe_lin,
            s.mean_bitrate_kbps,
            s.mean_rebuffer_s,
            s.switches_per_min,
            serde_json::to_string(&config).unwrap()
        );
    }
}
