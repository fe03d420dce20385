//! Sabre's published figures for the algorithms of its own paper (BOLA-E, Dynamic, DynamicDash),
//! reproduced with the real player core in the simulator under Sabre's model, and every algorithm
//! the registry knows played to the end of every trace under the other two models.

use flick_platform::sim::{AlgorithmSummary, Model};
use flick_tests::evaluation::evaluate;

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
    let results = evaluate(
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
    for model in [Model::Cdn, Model::Pensieve] {
        let results = evaluate(model, "pensieve-test", "envivio", None, names);
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
