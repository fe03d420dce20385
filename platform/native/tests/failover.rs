//! "Survive a dying CDN" on the wire: the native driver against two real locations on
//! 127.0.0.1, one of which answers 503, goes silent, resets connections or cuts bodies short.
//!
//! Content comes from ffmpeg (`FLICK_SKIP_FFMPEG_TESTS=1` skips these tests).

mod support;

use flick_native::{HeadlessOptions, NativeSession, play_headless};
use flick_player::PlayerConfig;
use flick_player::metrics::Outcome;
use std::time::Duration;
use support::{Fault, Setup, delivered, pretty};
use tokio::time::{Instant, timeout};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_location_answering_503_from_the_start_is_left_for_the_other() {
    let Some(setup) = Setup::short("native-503").await else { return };
    setup.a.fault(Fault::Status(503));
    let report =
        timeout(Duration::from_secs(30), play_headless(&setup.manifest_url(), HeadlessOptions::default()))
            .await
            .expect("in time")
            .expect("runs");
    let text = pretty(&report);
    assert!(report.error.is_none(), "{text}");
    assert!((report.played_s - setup.content.as_secs_f64()).abs() < 0.3, "{text}");
    let media = delivered(&report);
    assert!(!media.is_empty() && media.iter().all(|s| s.location == "b"), "{text}");
    let failed_at_a = report.segments.iter().filter(|s| s.location == "a");
    assert!(failed_at_a.into_iter().all(|s| s.outcome == Outcome::Http("http_503".into())), "{text}");
    assert!(setup.a.log().iter().all(|r| r.fault == Fault::Status(503)));
}

/// Location `a` goes silent 3 s in; with a small buffer the player keeps fetching, so its next
/// requests to `a` hit the first-byte timeout and move to `b`. Stalls are allowed (for now).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_location_going_silent_is_left_after_the_first_byte_timeout() {
    let Some(setup) = Setup::long("native-silent", 20).await else { return };
    let player = PlayerConfig { max_buffer: Duration::from_secs(6), ..PlayerConfig::default() };
    let options = HeadlessOptions { player, ..HeadlessOptions::default() };
    let session = NativeSession::headless(&setup.manifest_url(), options).unwrap();
    let live = session.live_tasks();
    setup.a.fault_from(Instant::now() + Duration::from_secs(3), Fault::Silent);
    let report = timeout(Duration::from_secs(60), session.run()).await.expect("in time").expect("runs");
    let text = pretty(&report);
    assert!(report.error.is_none(), "{text}");
    assert!((report.played_s - 20.0).abs() < 0.3, "played {}: {text}", report.played_s);
    assert!(report.cdn_switches >= 1, "{text}");
    let media = delivered(&report);
    assert!(media.iter().any(|s| s.location == "a" && s.end_ms < 3000.0), "{text}");
    assert!(media.iter().any(|s| s.location == "b"), "{text}");
    assert!(report.segments.iter().any(|s| s.location == "a" && s.outcome == Outcome::Timeout), "{text}");
    assert!(setup.a.log().iter().any(|r| r.fault == Fault::Silent));
    assert_eq!(live.count(), 0);
    eprintln!(
        "silent a: startup {:?} ms, {} stalls, {:.2} s rebuffering, {} CDN switches",
        report.startup_ms,
        report.stalls.len(),
        report.rebuffer_s,
        report.cdn_switches
    );
}

/// Both locations dead (a resets connections, b answers 503): a typed error, in bounded time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_locations_dead_end_in_a_typed_error_in_bounded_time() {
    let Some(setup) = Setup::short("native-dead").await else { return };
    setup.a.fault(Fault::Reset);
    setup.b.fault(Fault::Status(503));
    let started = Instant::now();
    let session = NativeSession::headless(&setup.manifest_url(), HeadlessOptions::default()).unwrap();
    let live = session.live_tasks();
    let report = timeout(Duration::from_secs(20), session.run()).await.expect("in time").expect("runs");
    let wall = started.elapsed();
    let text = pretty(&report);
    let error = report.error.as_ref().unwrap_or_else(|| panic!("no error: {text}"));
    assert_eq!(error.kind, "all_locations_failed", "{text}");
    assert!(wall < Duration::from_secs(15), "failed after {wall:?}");
    assert!(report.startup_ms.is_none() && report.played_s == 0.0, "{text}");
    assert!(!setup.a.log().is_empty() && !setup.b.log().is_empty());
    assert_eq!(live.count(), 0);
}

/// Location `a` cuts media bodies in half from 1 s on: the driver reports the short bodies as
/// truncated (not as complete), and the session ends with everything played, the rest from `b`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_bodies_are_reported_and_fetched_elsewhere() {
    let Some(setup) = Setup::long("native-truncate", 10).await else { return };
    let player = PlayerConfig { max_buffer: Duration::from_secs(4), ..PlayerConfig::default() };
    let options = HeadlessOptions { player, ..HeadlessOptions::default() };
    setup.a.fault_from(Instant::now() + Duration::from_secs(1), Fault::Truncate);
    let report = timeout(Duration::from_secs(40), play_headless(&setup.manifest_url(), options))
        .await
        .expect("in time")
        .expect("runs");
    let text = pretty(&report);
    assert!(report.error.is_none(), "{text}");
    assert!((report.played_s - 10.0).abs() < 0.3, "{text}");
    assert!(report.segments.iter().any(|s| s.location == "a" && s.outcome == Outcome::Truncated), "{text}");
    assert!(delivered(&report).iter().any(|s| s.location == "b"), "{text}");
}
