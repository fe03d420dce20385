//! Cost of one decision per algorithm (the simulator makes millions of them).

use criterion::{Criterion, criterion_group, criterion_main};
use flick_abr::units::{Bitrate, Bytes};
use flick_abr::{DecisionContext, DownloadReport, ThroughputView, UnknownSizes, by_name, names};
use std::hint::black_box;
use std::time::Duration;

fn decisions(c: &mut Criterion) {
    let rungs: Vec<Bitrate> =
        [300, 750, 1200, 1850, 2850, 4300].iter().map(|&k| Bitrate::from_kbps(k)).collect();
    let ctx = DecisionContext {
        now: Duration::from_secs(20),
        rungs: &rungs,
        sizes: &UnknownSizes,
        segment: 10,
        segment_count: 48,
        segment_duration: Duration::from_secs(4),
        buffer_level: Duration::from_secs(12),
        max_buffer: Duration::from_secs(60),
        throughput: ThroughputView {
            estimate: Some(Bitrate::from_kbps(2500)),
            latency: Some(Duration::from_millis(80)),
            samples: &[],
        },
        last_rung: Some(2),
        last_seek_segment: 0,
        abandoned_rung: None,
    };
    let mut group = c.benchmark_group("decision");
    for name in names() {
        let mut abr = by_name(name).unwrap();
        for kbps in [2000u64, 3000, 2500, 1800, 2600] {
            let bytes = kbps * 500;
            abr.on_download(&DownloadReport {
                segment: 9,
                rung: 2,
                size: Bytes(bytes),
                received: Bytes(bytes),
                elapsed: Duration::from_secs(4),
                ttfb: Some(Duration::from_millis(80)),
                buffer_level: Duration::from_secs(12),
                abandoned_to: None,
            });
        }
        group.bench_function(*name, |b| b.iter(|| black_box(abr.choose(black_box(&ctx)))));
    }
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
