//! Live sessions in the simulator: the content played as a live stream over a trace (segments
//! appear as virtual time passes), with the latency to the live edge in the report, so ABR rules
//! can be compared on latency too.

use flick_platform::sim::{Ladder, Model, Trace, TracePeriod};
use flick_player::SessionReport;
use flick_tests::evaluation::{data_dir, one_session};
use std::time::Duration;

fn steady(kbps: f64) -> Trace {
    Trace {
        name: "steady".into(),
        periods: vec![TracePeriod { duration_ms: 600_000.0, kbps, latency_ms: Some(40.0) }],
    }
}

fn live_session(trace: &Trace, abr: &str) -> SessionReport {
    let content = Ladder::load(&data_dir().join("ladders/envivio.json")).unwrap().content(&["a"]);
    let live = content.as_live(Duration::from_secs(30), Duration::from_secs(30));
    one_session(trace, &live, Model::Cdn, flick_abr::by_name(abr).unwrap())
}

#[test]
fn a_live_session_on_a_steady_link_holds_its_target_latency_without_stalling() {
    for abr in ["hedge", "bola", "throughput"] {
        let report = live_session(&steady(4000.0), abr);
        assert!(report.error.is_none(), "{abr}: {:?}", report.error);
        assert_eq!(report.stalls.len(), 0, "{abr}: {:?}", report.stalls);
        let live = report.live.as_ref().expect("a live report");
        // Envivio's segments are 4 s: the default target is 2.5 of them.
        assert_eq!(live.target_latency_s, 10.0, "{abr}");
        assert!((live.latency_mean_s - 10.0).abs() < 0.6, "{abr}: {live:?}");
        assert!(live.latency_p95_s < 11.0, "{abr}: {live:?}");
        // The session lasts until the edge reaches the end of the content.
        assert!(report.played_s > 120.0, "{abr}: played {}", report.played_s);
        if abr != "bola" {
            // BOLA chooses by buffer level alone, and a live buffer is never deep: it stays low.
            assert!(report.mean_video_bitrate_kbps > 1000.0, "{abr}: {}", report.mean_video_bitrate_kbps);
        }
    }
}

#[test]
fn live_and_on_demand_differ_only_where_live_constrains_the_buffer() {
    let content = Ladder::load(&data_dir().join("ladders/envivio.json")).unwrap().content(&["a"]);
    let vod = one_session(&steady(4000.0), &content, Model::Cdn, flick_abr::by_name("hedge").unwrap());
    assert!(vod.live.is_none(), "an on-demand session has no live report");
    let live = live_session(&steady(4000.0), "hedge");
    // Live starts near the edge, so less is played; its buffer never exceeds the latency.
    assert!(live.played_s < vod.played_s);
    assert!(live.live.unwrap().latency_p95_s < 12.0);
}
