//! Tests of the offline optimum.
use super::*;
use crate::sim::trace::TracePeriod;
use flick_abr::units::Bitrate;
use std::path::PathBuf;
use std::time::Duration;

const RATES_KBPS: [u64; 6] = [300, 750, 1200, 1850, 2850, 4300];

/// Segments of exactly their nominal size.
fn ladder(chunks: usize, rates: &[u64]) -> Ladder {
    Ladder {
        name: "synthetic".into(),
        segment_duration: Duration::from_secs(4),
        bitrates: rates.iter().map(|&k| Bitrate::from_kbps(k)).collect(),
        sizes: (0..chunks).map(|_| rates.iter().map(|&k| k * 4000 / 8).collect()).collect(),
        segments: chunks,
        audio: None,
    }
}

fn trace(periods: &[(f64, f64)]) -> Trace {
    Trace {
        name: "t".into(),
        periods: periods
            .iter()
            .map(|&(duration_ms, kbps)| TracePeriod { duration_ms, kbps, latency_ms: Some(80.0) })
            .collect(),
    }
}

fn optimum(trace: &Trace, ladder: &Ladder, model: Model) -> OfflineOptimum {
    let content = ladder.content(&["a"]);
    let spec = OptimumSpec {
        trace,
        ladder,
        content: &content,
        model,
        player: model.player_config(None),
        network: CdnNetworkConfig::default(),
        seed: 0,
        max_transitions: DEFAULT_MAX_TRANSITIONS,
    };
    offline_optimum(&spec).unwrap()
}

#[test]
fn constant_ample_bandwidth_means_the_top_rung_throughout() {
    let ladder = ladder(48, &RATES_KBPS);
    let trace = trace(&[(1000.0, 20_000.0)]);
    for model in [Model::Sabre, Model::Cdn] {
        let o = optimum(&trace, &ladder, model);
        assert!((o.qoe_lin - 4.3).abs() < 1e-9, "{model:?}: {o:?}");
        assert!((o.achieved_qoe_lin - 4.3).abs() < 1e-9, "{model:?}: {o:?}");
        assert!(o.rungs.iter().all(|&r| r == 5));
    }
    // Pensieve: chunk 0 at rung 1, unscored; one jump to the top at chunk 1.
    let o = optimum(&trace, &ladder, Model::Pensieve);
    let expected = (47.0 * 4.3 - (4.3 - 0.75)) / 47.0;
    assert!((o.qoe_lin - expected).abs() < 1e-9, "{o:?}");
    assert!((o.achieved_qoe_lin - expected).abs() < 1e-9, "{o:?}");
    assert_eq!(o.rungs[0], 1);
    assert!(o.rungs[1..].iter().all(|&r| r == 5));
}

#[test]
fn constant_bandwidth_below_the_lowest_rung_stalls_as_little_as_possible() {
    // 240 kbit/s for 300 kbit/s chunks: each chunk takes 5 s (+ 80 ms latency) to fetch 4 s of
    // media, so after start-up every chunk stalls exactly 1.08 s: QoE = 0.3 − 4.3 × 1.08.
    let ladder = ladder(10, &RATES_KBPS);
    let o = optimum(&trace(&[(1000.0, 240.0)]), &ladder, Model::Sabre);
    let expected = (0.3 + 9.0 * (0.3 - 4.3 * 1.08)) / 10.0;
    assert!((o.qoe_lin - expected).abs() < 1e-9, "{o:?} vs {expected}");
    assert!((o.achieved_qoe_lin - expected).abs() < 1e-9, "{o:?} vs {expected}");
    // (Chunk 0 may be at any rung: its start-up is free and a higher rate there is exactly
    // paid back by the switch down at chunk 1.)
    assert!(o.rungs[1..].iter().all(|&r| r == 0), "{o:?}");
}

/// Every plan of a small problem, played through the real simulator.
fn best_by_brute_force(trace: &Trace, ladder: &Ladder, model: Model) -> f64 {
    let content = ladder.content(&["a"]);
    let rungs = ladder.bitrates.len();
    let chunks = ladder.segments;
    let spec = OptimumSpec {
        trace,
        ladder,
        content: &content,
        model,
        player: model.player_config(None),
        network: CdnNetworkConfig::default(),
        seed: 0,
        max_transitions: DEFAULT_MAX_TRANSITIONS,
    };
    let mut best = f64::NEG_INFINITY;
    for code in 0..rungs.pow(chunks as u32) {
        let plan: Vec<usize> = (0..chunks).map(|n| code / rungs.pow(n as u32) % rungs).collect();
        if model == Model::Pensieve && plan[0] != 1 {
            continue;
        }
        best = best.max(replay(&spec, &plan).qoe_lin);
    }
    best
}

#[test]
fn the_program_finds_what_trying_every_plan_finds() {
    // A trace that swings hard, so that the buffer and the timing matter.
    let t = trace(&[(3000.0, 2500.0), (2000.0, 150.0), (5000.0, 900.0), (1500.0, 6000.0), (4000.0, 40.0)]);
    let ladder = ladder(6, &[300, 1200, 2850]);
    for model in [Model::Sabre, Model::Pensieve, Model::Cdn] {
        let brute = best_by_brute_force(&t, &ladder, model);
        let o = optimum(&t, &ladder, model);
        // The buffer never fills here, so even Pensieve's relaxed sleeps change nothing: the
        // program is exact, and its plan scores the same in the simulator.
        assert!((o.qoe_lin - brute).abs() < 1e-9, "{model:?}: {} vs brute force {brute}", o.qoe_lin);
        assert!((o.achieved_qoe_lin - brute).abs() < 1e-9, "{model:?}: {o:?}");
        assert!(o.exact);
    }
}

#[test]
fn coarsening_keeps_an_upper_bound() {
    let t = trace(&[(3000.0, 2500.0), (2000.0, 150.0), (5000.0, 900.0), (1500.0, 6000.0), (4000.0, 40.0)]);
    let ladder = ladder(6, &[300, 1200, 2850]);
    let content = ladder.content(&["a"]);
    let exact = optimum(&t, &ladder, Model::Sabre);
    let spec = OptimumSpec {
        trace: &t,
        ladder: &ladder,
        content: &content,
        model: Model::Sabre,
        player: Model::Sabre.player_config(None),
        network: CdnNetworkConfig::default(),
        seed: 0,
        max_transitions: 1,
    };
    let coarse = offline_optimum(&spec).unwrap();
    assert!(!coarse.exact && coarse.coarsened_frontiers > 0, "{coarse:?}");
    assert!(coarse.qoe_lin >= exact.qoe_lin - 1e-9);
    assert!(coarse.achieved_qoe_lin <= exact.qoe_lin + 1e-9);
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data")
}

/// The optimum is at least every real algorithm's QoE on each of a sample of real traces.
/// Tolerance 1e-6 per chunk: float rounding between the program's millisecond arithmetic and
/// the simulator's nanosecond clock (the relaxations only raise the optimum).
#[test]
fn the_optimum_beats_every_algorithm_on_real_traces() {
    let data = shared();
    let cases = [
        (Model::Pensieve, "pensieve-test", "envivio"),
        (Model::Sabre, "pensieve-test-sabre", "envivio.json"),
        (Model::Cdn, "pensieve-test", "envivio"),
    ];
    for (model, traces, ladder) in cases {
        let traces = Trace::load_all(&data.join("traces").join(traces)).unwrap();
        let ladder = Ladder::load(&data.join("ladders").join(ladder)).unwrap();
        let content = ladder.content(&["a"]);
        for trace in traces.iter().step_by(29) {
            let spec = OptimumSpec {
                trace,
                ladder: &ladder,
                content: &content,
                model,
                player: model.player_config(None),
                network: CdnNetworkConfig::default(),
                seed: 0,
                max_transitions: DEFAULT_MAX_TRANSITIONS,
            };
            let o = offline_optimum(&spec).unwrap();
            assert!(o.exact, "{}: {o:?}", trace.name);
            assert!((o.achieved_qoe_lin - o.qoe_lin).abs() < 1e-6, "{}: {o:?}", trace.name);
            for name in ["bba", "bola", "robust-mpc", "throughput"] {
                let session = SessionSpec {
                    trace,
                    content: &content,
                    model,
                    player: model.player_config(None),
                    network: CdnNetworkConfig::default(),
                    seed: 0,
                };
                let (report, _) = run_session(&session, flick_abr::by_name(name).unwrap());
                assert!(
                    o.qoe_lin >= report.qoe_lin - 1e-6,
                    "{model:?} {}: optimum {} < {name} {}",
                    trace.name,
                    o.qoe_lin,
                    report.qoe_lin
                );
            }
        }
    }
}
