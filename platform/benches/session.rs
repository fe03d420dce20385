//! One full simulated session per algorithm, and the whole 142-trace Pensieve evaluation.
//!
//! Sessions per second = 1 / (time per iteration) for `session/*`; `evaluation/*` runs 142.

use criterion::{Criterion, criterion_group, criterion_main};
use flick_platform::sim::{BatchSpec, Ladder, Model, SessionSpec, Trace, run_batch, run_session};
use std::hint::black_box;
use std::path::PathBuf;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data")
}

fn sessions(c: &mut Criterion) {
    let traces = Trace::load_all(&data().join("traces/pensieve-test")).expect("repository traces");
    let content = Ladder::load(&data().join("ladders/envivio")).expect("repository ladder").content(&["a"]);
    let mut group = c.benchmark_group("session");
    for model in [Model::Pensieve, Model::Sabre, Model::Cdn] {
        for abr in flick_abr::names() {
            let spec = SessionSpec {
                trace: &traces[0],
                content: &content,
                model,
                player: model.player_config(None),
                network: Default::default(),
                seed: 0,
            };
            group.bench_function(format!("{}/{abr}", model.name()), |b| {
                b.iter(|| black_box(run_session(&spec, flick_abr::by_name(abr).unwrap()).0.qoe_lin))
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("evaluation");
    group.sample_size(10);
    for abr in ["bba", "robust-mpc"] {
        let algorithms = vec![abr.to_string()];
        let spec = BatchSpec {
            traces: &traces,
            content: &content,
            algorithms: &algorithms,
            model: Model::Pensieve,
            player: Model::Pensieve.player_config(None),
            network: Default::default(),
            seed: 0,
            carry_abr_state: true,
        };
        group.bench_function(format!("pensieve-142-traces/{abr}"), |b| {
            b.iter(|| black_box(run_batch(&spec, &|| {}).unwrap()[0].mean_qoe_lin))
        });
    }
    group.finish();
}

criterion_group!(benches, sessions);
criterion_main!(benches);
