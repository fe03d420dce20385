//! The native driver, headless, against real HTTP servers on 127.0.0.1: a healthy session, a
//! duration limit, and cancelled requests that must leave no task (and no connection) behind.
//!
//! Content comes from ffmpeg (`FLICK_SKIP_FFMPEG_TESTS=1` skips these tests).

mod support;

use flick_native::{HeadlessOptions, NativeSession, play_headless};
use flick_player::PlayerConfig;
use std::time::Duration;
use support::{Fault, Setup, delivered, eventually, pretty};
use tokio::time::{Instant, timeout};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_session_plays_to_the_end_from_the_first_location() {
    let Some(setup) = Setup::short("native-healthy").await else { return };
    let started = Instant::now();
    let report =
        timeout(Duration::from_secs(30), play_headless(&setup.manifest_url(), HeadlessOptions::default()))
            .await
            .expect("the session ends in time")
            .expect("the session runs");
    let wall = started.elapsed();
    let text = pretty(&report);
    assert_eq!(report.driver, "native");
    assert_eq!(report.abr, "hedge");
    assert!(report.error.is_none(), "{text}");
    assert!(report.stalls.is_empty() && report.rebuffer_s == 0.0, "{text}");
    let startup = report.startup_ms.expect("playback started");
    assert!(startup < 2000.0, "startup {startup} ms");
    let content = setup.content.as_secs_f64();
    assert!((report.played_s - content).abs() < 0.3, "played {} of {content} s", report.played_s);
    // Real time: the buffer drains by the playback clock, not faster.
    assert!(wall >= setup.content, "ended after {wall:?}");
    let media = delivered(&report);
    assert!(media.iter().any(|s| s.track == flick_player::presentation::TrackKind::Video), "{text}");
    assert!(media.iter().any(|s| s.track == flick_player::presentation::TrackKind::Audio), "{text}");
    assert!(media.iter().all(|s| s.location == "a" && s.bytes > 0), "{text}");
    assert_eq!(report.cdn_switches, 0);
    assert!(report.mean_video_bitrate_kbps > 0.0);
    assert!(setup.b.log().is_empty(), "b was not needed: {:?}", setup.b.log());
    assert!(setup.a.log().iter().all(|r| r.range.is_none()), "templated segments need no ranges");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_duration_limit_stops_the_session_early() {
    let Some(setup) = Setup::short("native-duration").await else { return };
    let options =
        HeadlessOptions { duration: Some(Duration::from_millis(2500)), ..HeadlessOptions::default() };
    let session = NativeSession::headless(&setup.manifest_url(), options).unwrap();
    let live = session.live_tasks();
    let started = Instant::now();
    let report = timeout(Duration::from_secs(20), session.run()).await.expect("in time").expect("runs");
    let wall = started.elapsed();
    assert!(wall >= Duration::from_millis(2500) && wall < Duration::from_secs(4), "stopped after {wall:?}");
    assert!(report.error.is_none(), "{}", pretty(&report));
    assert!(report.played_s > 1.0 && report.played_s < 2.6, "played {}", report.played_s);
    assert!((report.session_s - 2.5).abs() < 0.5, "session {}", report.session_s);
    assert_eq!(live.count(), 0, "no network task outlives the session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_request_ends_the_session_with_its_report() {
    let Some(setup) = Setup::short("native-stop").await else { return };
    let session = NativeSession::headless(&setup.manifest_url(), HeadlessOptions::default()).unwrap();
    let stop = session.stop_handle();
    let run = tokio::spawn(session.run());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.stop();
    let report = timeout(Duration::from_secs(2), run).await.expect("stops at once").unwrap().unwrap();
    assert!(report.error.is_none());
    assert!(report.played_s < 1.6, "played {}", report.played_s);
}

/// Location `a` never answers: the core gives its requests up after the first-byte timeout and
/// cancels them; the driver must abort their tasks (closing their connections) while the session
/// goes on from `b`, and leave nothing running at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_requests_leave_no_task_or_connection_behind() {
    let Some(setup) = Setup::short("native-cancel").await else { return };
    setup.a.fault(Fault::Silent);
    let player = PlayerConfig { max_buffer: Duration::from_secs(8), ..PlayerConfig::default() };
    let options = HeadlessOptions { player, ..HeadlessOptions::default() };
    let session = NativeSession::headless(&setup.manifest_url(), options).unwrap();
    let live = session.live_tasks();
    let run = tokio::spawn(session.run());
    assert!(
        eventually(Duration::from_secs(10), || !setup.a.log().is_empty() && setup.b.log().len() >= 2).await,
        "requests went to a, then to b"
    );
    let held = setup.a.log().len();
    assert!(
        eventually(Duration::from_secs(2), || setup.a.open_connections() == 0).await,
        "{} connections to the silent location still open ({held} requests)",
        setup.a.open_connections()
    );
    let report = timeout(Duration::from_secs(30), run).await.expect("ends in time").unwrap().unwrap();
    let text = pretty(&report);
    assert!(report.error.is_none(), "{text}");
    assert!(delivered(&report).iter().all(|s| s.location == "b"), "{text}");
    assert!(eventually(Duration::from_secs(1), || live.count() == 0).await, "{} tasks alive", live.count());
    assert_eq!(setup.a.open_connections(), 0);
}
