//! Sabre's published figures for the algorithms of its own paper (BOLA-E, Dynamic, DynamicDash),
//! reproduced with the real player core in the simulator under Sabre's model, and every algorithm
//! the registry knows played to the end of every trace under the other two models.

use flick_platform::sim::{AlgorithmSummary, BatchSpec, Ladder, Model, Trace, run_batch};
use std::path::PathBuf;
use std::time::Duration;

fn shared() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    assert!(dir.is_dir(), "the shared data folder is missing at {}", dir.display());
    dir
}

fn run(
    model: Model,
    traces: &str,
    ladder: &str,
    buffer: Option<u64>,
    algorithms: &[&str],
) -> Vec<AlgorithmSummary> {
    let data = shared();
    let traces = Trace::load_all(&data.join("traces").join(traces)).unwrap();
    assert_eq!(traces.len(), 142);
    let ladder = Ladder::load(&data.join("ladders").join(ladder)).unwrap();
    let content = ladder.content(&["a"]);
    let algorithms: Vec<String> = algorithms.iter().map(|s| s.to_string()).collect();
    let spec = BatchSpec {
        traces: &traces,
        content: &content,
        algorithms: &algorithms,
        model,
        player: model.player_config(buffer.map(Duration::from_secs)),
        network: Default::default(),
        seed: 0,
        carry_abr_state: model.carries_abr_state(),
    };
    run_batch(&spec, &|| {}).unwrap()
}

fn assert_near(summary: &AlgorithmSummary, reference: f64) {
    eprintln!("{}: mean QoE_lin {:.6} (reference {reference})", summary.abr, summary.mean_qoe_lin);
    assert!(
        (summary.mean_qoe_lin - reference).abs() <= 0.005,
        "{}: mean QoE_lin {:.4}, reference {reference}",
        summary.abr,
        summary.mean_qoe_lin
    );
    assert_eq!(summary.failed_sessions, 0, "{}", summary.abr);
}

#[test]
fn sabre_model_reproduces_bola_e_dynamic_and_dynamic_dash() {
    let results = run(
        Model::Sabre,
        "pensieve-test-sabre",
        "envivio.json",
        Some(60),
        &["bola-e", "dynamic", "dynamic-dash"],
    );
    // `python3 sabre.py -b 60 -a bolae|dynamic|dynamicdash` over the same 142 traces.
    assert_near(&results[0], 0.852);
    assert_near(&results[1], 0.839);
    assert_near(&results[2], 0.889);
}

#[test]
fn every_algorithm_plays_every_pensieve_trace_to_the_end() {
    let names = flick_abr::names();
    for model in [Model::Flick, Model::Pensieve] {
        let results = run(model, "pensieve-test", "envivio", None, names);
        assert_eq!(results.len(), names.len());
        for (summary, name) in results.iter().zip(names) {
            eprintln!("{model:?} {name}: mean QoE_lin {:.4}", summary.mean_qoe_lin);
            assert_eq!(summary.abr, *name);
            assert_eq!(summary.rows.len(), 142, "{model:?} {name}");
            assert_eq!(summary.failed_sessions, 0, "{model:?} {name}");
            assert!(summary.mean_qoe_lin.is_finite(), "{model:?} {name}");
        }
    }
}
