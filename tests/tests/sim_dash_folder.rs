//! The simulator reads a ladder from a real DASH folder (ffmpeg output, sizes from disk) and
//! plays it through the player core.

use flick_platform::sim::{Ladder, Model, Trace, TracePeriod};
use flick_tests::evaluation::one_session;
use flick_tests::fixtures::{SEGMENT, TempDir, VIDEO_BITRATES_KBPS, encode, ffmpeg_ready};

fn steady(kbps: f64) -> Trace {
    Trace {
        name: format!("{kbps} kbit/s"),
        periods: vec![TracePeriod { duration_ms: 1000.0, kbps, latency_ms: Some(20.0) }],
    }
}

fn check_folder(dash_args: &[&str], name: &str) {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new(name);
    encode(&dir.0, dash_args);
    let ladder = Ladder::load(&dir.0).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(ladder.bitrates.len(), VIDEO_BITRATES_KBPS.len());
    assert_eq!(ladder.segments, 3);
    assert_eq!(ladder.segment_duration, SEGMENT);
    // Sizes come from disk: higher rungs are bigger.
    for segment in &ladder.sizes {
        assert!(segment.windows(2).all(|w| w[0] < w[1]), "{name}: {segment:?}");
        assert!(segment[0] > 1000);
    }
    let content = ladder.content(&["a"]);
    for (kbps, expect_top) in [(200.0, false), (50_000.0, true)] {
        let trace = steady(kbps);
        let report = one_session(&trace, &content, Model::Cdn, flick_abr::by_name("throughput").unwrap());
        assert!(report.error.is_none(), "{name}: {:?}", report.error);
        assert!((report.played_s - 6.0).abs() < 0.01, "{name}: played {}", report.played_s);
        let last = report.segments.last().unwrap();
        assert_eq!(
            last.rung == VIDEO_BITRATES_KBPS.len() - 1,
            expect_top,
            "{name} at {kbps} kbit/s: {last:?}"
        );
    }
}

#[test]
fn number_template_folder_is_a_ladder() {
    check_folder(&["-use_template", "1", "-use_timeline", "0"], "sim-number");
}

#[test]
fn timeline_folder_is_a_ladder() {
    check_folder(&["-use_template", "1", "-use_timeline", "1"], "sim-timeline");
}

#[test]
fn single_file_folder_is_a_ladder() {
    check_folder(&["-single_file", "1"], "sim-single");
}
