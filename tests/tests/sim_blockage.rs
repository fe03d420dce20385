//! Short blockages on a fast link (mmWave-like): 300 Mbit/s with a 3 s drop to 0.2 Mbit/s every
//! 20 s, Big Buck Bunny 4K (1-35 Mbit/s, 3 s segments), the `cdn` model. With its buffer deep,
//! `hedge` (Flick's own algorithm) must ride the blockages out at the top rung instead of
//! abandoning (it used to abandon and switch down and up again at nearly every blockage).

use flick_platform::sim::{Ladder, Model, Trace, TracePeriod};
use flick_player::SessionReport;
use flick_tests::evaluation::{data_dir, one_session};

fn blockages() -> Trace {
    let mut periods = Vec::new();
    for _ in 0..40 {
        periods.push(TracePeriod { duration_ms: 17_000.0, kbps: 300_000.0, latency_ms: None });
        periods.push(TracePeriod { duration_ms: 3_000.0, kbps: 200.0, latency_ms: None });
    }
    Trace { name: "blockages".into(), periods }
}

fn session(abr: Box<dyn flick_abr::Abr>) -> SessionReport {
    let content = Ladder::load(&data_dir().join("ladders/bbb4k.json")).unwrap().content(&["a"]);
    one_session(&blockages(), &content, Model::Cdn, abr)
}

fn abandoned_after_start_up(report: &SessionReport) -> usize {
    report
        .segments
        .iter()
        .filter(|s| s.start_ms > 30_000.0 && s.outcome == flick_player::metrics::Outcome::Abandoned)
        .count()
}

#[test]
fn flick_rides_out_short_blockages_on_a_deep_buffer() {
    let report = session(flick_abr::by_name("hedge").unwrap());
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(abandoned_after_start_up(&report), 0);
    assert!(report.rebuffer_s < 0.5, "rebuffered {:.1} s", report.rebuffer_s);
    let eager = flick_abr::from_json("hedge", r#"{"abandon_below_buffer_s": 1e9}"#).unwrap();
    let eager = session(eager);
    assert!(
        report.qoe_lin > eager.qoe_lin,
        "riding out: {:.2}, abandoning at any buffer: {:.2} ({} abandoned)",
        report.qoe_lin,
        eager.qoe_lin,
        abandoned_after_start_up(&eager)
    );
}
