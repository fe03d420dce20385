//! Flick's default algorithm against the published rules on the evaluation traces (it was
//! tuned on `pensieve-train`, FCC and synthetic traces only).

use flick_platform::sim::Model;
use flick_tests::evaluation::evaluate;

#[test]
fn flick_beats_robust_mpc_in_the_pensieve_model_without_more_rebuffering() {
    let r = evaluate(Model::Pensieve, "pensieve-test", "envivio", None, &["flick", "robust-mpc"]);
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
    let r =
        evaluate(Model::Sabre, "pensieve-test-sabre", "envivio.json", Some(60), &["flick", "dynamic-dash"]);
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
