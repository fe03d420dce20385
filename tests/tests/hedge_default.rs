//! Flick's default algorithm against the published rules on the evaluation traces (it was
//! tuned on `pensieve-train`, FCC and synthetic traces only).

use flick_platform::sim::Model;
use flick_tests::evaluation::evaluate;

#[test]
fn hedge_beats_robust_mpc_in_the_pensieve_model_without_more_rebuffering() {
    let r = evaluate(Model::Pensieve, "pensieve-test", "envivio", None, &["hedge", "robust-mpc"]);
    let (hedge, mpc) = (&r[0], &r[1]);
    assert!(hedge.mean_qoe_lin >= 0.96, "hedge {:.4}", hedge.mean_qoe_lin);
    assert!(
        hedge.mean_rebuffer_s <= mpc.mean_rebuffer_s,
        "{} vs {}",
        hedge.mean_rebuffer_s,
        mpc.mean_rebuffer_s
    );
    assert_eq!(hedge.failed_sessions, 0);
}

#[test]
fn hedge_beats_dynamic_dash_in_the_sabre_model_without_more_rebuffering() {
    let r =
        evaluate(Model::Sabre, "pensieve-test-sabre", "envivio.json", Some(60), &["hedge", "dynamic-dash"]);
    let (hedge, dd) = (&r[0], &r[1]);
    assert!(
        hedge.mean_qoe_lin > 0.889 && hedge.mean_qoe_lin > dd.mean_qoe_lin,
        "hedge {:.4}",
        hedge.mean_qoe_lin
    );
    assert!(
        hedge.mean_rebuffer_s <= dd.mean_rebuffer_s,
        "{} vs {}",
        hedge.mean_rebuffer_s,
        dd.mean_rebuffer_s
    );
}
