//! Live DASH end to end: a live stream made by ffmpeg's own DASH muxer in real time (2 s
//! segments, `@duration` templates or a SegmentTimeline, `minimumUpdatePeriod="PT500S"` or one
//! segment), served by Flick's test CDN (two locations shaped to 4 Mbit/s and 40 ms), and an
//! on-demand folder served as live by `flick serve --live` (a window moving with the server's
//! clock, segments that exist only once produced, an `http-iso` UTCTiming), each played for 60 s
//! by the native headless driver. No stall after start, a first frame within a second, and a mean
//! latency to the live edge within three segments and a half second.

mod shaped;

use flick_player::SessionReport;
use flick_serve::{LiveAddressing, LiveConfig};
use flick_tests::fixtures::{FfmpegLive, LiveOptions, TempDir, encode_clip, ffmpeg_ready};
use std::time::Duration;

const PLAY: Duration = Duration::from_secs(60);
const SEGMENT: Duration = Duration::from_secs(2);

fn play_ffmpeg_live(use_timeline: bool) -> Option<SessionReport> {
    if !ffmpeg_ready() {
        return None;
    }
    let dir = TempDir::new(if use_timeline { "live-e2e-timeline" } else { "live-e2e-number" });
    let options = LiveOptions {
        use_timeline,
        video_kbps: vec![400, 1200, 2500],
        limit: Some(PLAY + Duration::from_secs(30)),
        ..LiveOptions::default()
    };
    let mut live = FfmpegLive::start(&dir.0, &options);
    // A stream on air for a while (a viewer tuning in), not one that is starting.
    live.wait_for_segments(4, Duration::from_secs(30)).expect("ffmpeg produces segments");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let report = runtime.block_on(shaped::session(shaped::two_locations(live.dir().to_path_buf()), PLAY));
    drop(live);
    Some(report)
}

fn check(report: &SessionReport, what: &str) {
    assert!(report.error.is_none(), "{what}: {:?}", report.error);
    assert!(report.stalls.is_empty(), "{what}: stalls {:?}", report.stalls);
    let startup = report.startup_ms.expect("it played");
    assert!(startup <= 1000.0, "{what}: first frame after {startup:.0} ms");
    let live = report.live.as_ref().expect("a live report");
    let bound = 3.0 * SEGMENT.as_secs_f64() + 0.5;
    assert!(live.latency_mean_s <= bound, "{what}: {live:?}");
    assert!(report.played_s > PLAY.as_secs_f64() - 5.0, "{what}: played {}", report.played_s);
    eprintln!(
        "{what}: startup {startup:.0} ms, latency mean {:.2} s, p95 {:.2} s, end {:.2} s (target {:.1} s), {:.0} kbit/s, catch-up {:.1} s",
        live.latency_mean_s,
        live.latency_p95_s,
        live.latency_end_s,
        live.target_latency_s,
        report.mean_video_bitrate_kbps,
        live.catch_up_s
    );
}

#[test]
fn ffmpegs_live_stream_with_number_templates_plays_at_the_edge_without_stalling() {
    if let Some(report) = play_ffmpeg_live(false) {
        check(&report, "ffmpeg $Number$");
    }
}

#[test]
fn ffmpegs_live_stream_with_a_growing_timeline_plays_at_the_edge_without_stalling() {
    if let Some(report) = play_ffmpeg_live(true) {
        check(&report, "ffmpeg SegmentTimeline");
    }
}

fn play_served_live(addressing: LiveAddressing) -> Option<SessionReport> {
    if !ffmpeg_ready() {
        return None;
    }
    let dir = TempDir::new("live-e2e-serve");
    encode_clip(
        &dir.0,
        Duration::from_secs(20),
        &[400, 1200, 2500],
        &["-use_template", "1", "-use_timeline", "0"],
    );
    let mut config = shaped::two_locations(dir.0.clone());
    config.live = Some(LiveConfig { addressing, ..LiveConfig::default() });
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    Some(runtime.block_on(shaped::session(config, PLAY)))
}

#[test]
fn a_folder_served_live_by_flick_serve_plays_at_the_edge_without_stalling() {
    if let Some(report) = play_served_live(LiveAddressing::NumberDuration) {
        check(&report, "flick serve --live");
    }
}

#[test]
fn a_folder_served_live_with_a_time_timeline_plays_at_the_edge_without_stalling() {
    if let Some(report) = play_served_live(LiveAddressing::TimeTimeline) {
        check(&report, "flick serve --live --live-time");
    }
}
