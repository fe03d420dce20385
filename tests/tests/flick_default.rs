//! Flick's default algorithm against the published rules on the evaluation traces (it was
//! tuned on `pensieve-train`, FCC and synthetic traces only).

use flick_platform::sim::{AlgorithmSummary, BatchSpec, Ladder, Model, Trace, run_batch};
use std::path::PathBuf;
use std::time::Duration;

fn run(
    model: Model,
    traces: &str,
    ladder: &str,
    buffer: Option<u64>,
    algorithms: &[&str],
) -> Vec<AlgorithmSummary> {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    let traces = Trace::load_all(&data.join("traces").join(traces)).unwrap();
    let content = Ladder::load(&data.join("ladders").join(ladder)).unwrap().content(&["a"]);
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

#[test]
fn flick_beats_robust_mpc_in_the_pensieve_model_without_more_rebuffering() {
    let r = run(Model::Pensieve, "pensieve-test", "envivio", None, &["flick", "robust-mpc"]);
    let (flick, mpc) = (&r[0], &r[1]);
    assert!(flick.mean_qoe_lin >= 0.96, "flick {:.4}", flick.mean_qoe_lin);
    assert!(
        flick.mean_rebuffer_s <= mpc.mean_rebuffer_s,
        "{} vs {}",
        flick.mean_rebuffer_s,
        mpc.mean_rebuffer_s
    );
    assert_eq!(flick.failed_sessions, 0);
}

#[test]
fn flick_beats_dynamic_dash_in_the_sabre_model_without_more_rebuffering() {
    let r = run(Model::Sabre, "pensieve-test-sabre", "envivio.json", Some(60), &["flick", "dynamic-dash"]);
    let (flick, dd) = (&r[0], &r[1]);
    assert!(
        flick.mean_qoe_lin > 0.889 && flick.mean_qoe_lin > dd.mean_qoe_lin,
        "flick {:.4}",
        flick.mean_qoe_lin
    );
    assert!(
        flick.mean_rebuffer_s <= dd.mean_rebuffer_s,
        "{} vs {}",
        flick.mean_rebuffer_s,
        dd.mean_rebuffer_s
    );
}
