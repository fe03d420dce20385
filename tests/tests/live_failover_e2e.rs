//! Live failover end to end: ffmpeg's own live DASH stream (2 s segments) behind two locations
//! of Flick's test CDN (4 Mbit/s, 40 ms each); 20 s into each session location a stops
//! answering, answers 503, resets connections, or trickles. Also `flick serve --live` with
//! SegmentTimelines (MPD refreshes every 2 s, which location a stops answering as well). Played for 60 s by the native
//! headless driver, at a live buffer of a few seconds: no stall, and the latency back on its
//! target within 10 s of the fault (it should never leave it).

mod shaped;

use flick_platform::faults::{Fault, FaultKind, FaultScript};
use flick_player::SessionReport;
use flick_serve::{LiveAddressing, LiveConfig};
use flick_tests::fixtures::{FfmpegLive, LiveOptions, TempDir, encode_clip, ffmpeg_ready};
use std::path::PathBuf;
use std::time::Duration;

const PLAY: Duration = Duration::from_secs(60);
const FAULT_AT_S: f64 = 20.0;

async fn session(dir: PathBuf, kind: FaultKind, live: Option<LiveConfig>) -> SessionReport {
    let mut config = shaped::two_locations(dir);
    config.live = live;
    config.faults = FaultScript {
        faults: vec![Fault {
            location: "a".into(),
            at_s: Some(FAULT_AT_S),
            after_requests: None,
            until_s: None,
            kind,
            resources: None,
        }],
    };
    shaped::session(config, PLAY).await
}

#[test]
fn a_dying_location_costs_no_stall_and_no_latency_at_live_buffer_depths() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("live-failover-e2e");
    let options = LiveOptions {
        video_kbps: vec![400, 1200, 2500],
        window_size: 10,
        limit: Some(PLAY + Duration::from_secs(40)),
        ..LiveOptions::default()
    };
    // And flick serve --live with SegmentTimelines, whose refreshes must fail over too.
    let vod = TempDir::new("live-failover-e2e-vod");
    encode_clip(
        &vod.0,
        Duration::from_secs(20),
        &[400, 1200, 2500],
        &["-use_template", "1", "-use_timeline", "0"],
    );
    let mut live = FfmpegLive::start(&dir.0, &options);
    live.wait_for_segments(4, Duration::from_secs(30)).expect("ffmpeg produces segments");
    let timeline = LiveConfig { addressing: LiveAddressing::NumberTimeline, ..LiveConfig::default() };
    let cases = [
        (FaultKind::NoAnswer, None),
        (FaultKind::Http(503), None),
        (FaultKind::Reset, None),
        (FaultKind::Trickle(1000), None),
        (FaultKind::NoAnswer, Some(timeline)),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // The four sessions run at the same time on their own CDNs over the same live encode.
    let reports: Vec<SessionReport> = runtime.block_on(async {
        let sessions: Vec<_> = cases
            .iter()
            .map(|(kind, served)| {
                let dir = if served.is_some() { vod.0.clone() } else { live.dir().to_path_buf() };
                tokio::spawn(session(dir, *kind, served.clone()))
            })
            .collect();
        let mut out = Vec::new();
        for s in sessions {
            out.push(s.await.expect("the session task"));
        }
        out
    });
    drop(live);
    for ((kind, served), report) in cases.iter().zip(&reports) {
        let what = format!("{kind:?}{}", if served.is_some() { " (serve --live, timeline)" } else { "" });
        let live = report.live.as_ref().expect("a live report");
        let target = live.target_latency_s;
        let off_after = |from: f64| {
            live.timeline
                .iter()
                .filter(|(t, _)| *t >= from)
                .map(|(_, l)| (l - target).abs())
                .fold(0.0, f64::max)
        };
        eprintln!(
            "{what:<12} startup {:>4.0} ms  stalls {}  cdn switches {}  {:>5.0} kbit/s  latency mean {:.2} s p95 {:.2} s (target {target:.1} s), worst off target after the fault {:.2} s, from 10 s after it {:.2} s",
            report.startup_ms.unwrap_or(f64::NAN),
            report.stalls.len(),
            report.cdn_switches,
            report.mean_video_bitrate_kbps,
            live.latency_mean_s,
            live.latency_p95_s,
            off_after(FAULT_AT_S),
            off_after(FAULT_AT_S + 10.0),
        );
        assert!(report.error.is_none(), "{what}: {:?}", report.error);
        assert!(report.stalls.is_empty(), "{what}: stalls {:?}", report.stalls);
        assert!(report.cdn_switches >= 1, "{what}: never left a");
        assert!(
            off_after(FAULT_AT_S + 10.0) <= 0.5,
            "{what}: latency off target 10 s after the fault: {:?}",
            live.timeline
        );
        assert!(report.played_s > PLAY.as_secs_f64() - 8.0, "{what}: played {}", report.played_s);
    }
}
