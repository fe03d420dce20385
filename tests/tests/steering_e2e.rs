//! Content steering end to end: `flick serve --steering` names its steering server in the MPD, the
//! native driver's core polls it, and the locations it prefers get the requests.

use flick_native::{HeadlessOptions, play_headless};
use flick_player::PlayerConfig;
use flick_serve::{ServeConfig, TestCdn};
use flick_tests::fixtures::{TempDir, encode_clip, ffmpeg_ready};
use std::time::Duration;

#[test]
fn the_steering_server_moves_playback_to_the_location_it_prefers() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("steering-e2e");
    encode_clip(&dir.0, Duration::from_secs(10), &[400, 1200], &["-use_template", "1", "-use_timeline", "0"]);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (report, steering_requests) = runtime.block_on(async {
        let mut config = ServeConfig::new(dir.0.clone());
        config.cdns = 2;
        config.rate_kbps = Some(8000);
        config.steering = true;
        let cdn = TestCdn::start(config).await.unwrap();
        cdn.set_steering(
            serde_json::json!({"VERSION": 1, "TTL": 2, "SERVICE-LOCATION-PRIORITY": ["b", "a"]}),
        );
        let options = HeadlessOptions {
            abr: "hedge".into(),
            player: PlayerConfig::default(),
            duration: Some(Duration::from_secs(8)),
            status: false,
        };
        let report = play_headless(&cdn.manifest_url(), options).await.unwrap();
        let steering = cdn.requests().iter().filter(|r| r.path.contains("steering")).count();
        cdn.shutdown().await;
        (report, steering)
    });
    assert!(report.error.is_none(), "{:?}", report.error);
    assert!(steering_requests >= 2, "polled {steering_requests} times in 8 s with a 2 s TTL");
    let late: Vec<_> = report.segments.iter().filter(|s| s.start_ms > 1000.0).collect();
    assert!(!late.is_empty() && late.iter().all(|s| s.location == "b"), "{:?}", report.segments);
}
