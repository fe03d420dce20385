//! Bandwidth and latency, measured from the client (loosely: behaviour, not benchmarks).

use crate::{BIG, Folder, client, start, url, write};
use flick_serve::ServeConfig;
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(20);

/// Download `range` of `big.bin` from location `id`; returns the bytes' count and the time taken.
async fn timed(http: &reqwest::Client, address: String, range: Option<String>) -> (usize, Duration) {
    let started = Instant::now();
    let mut request = http.get(address);
    if let Some(range) = range {
        request = request.header("Range", range);
    }
    let body = request.send().await.unwrap().bytes().await.unwrap();
    (body.len(), started.elapsed())
}

fn around(measured: Duration, expected_s: f64, tolerance: f64) -> bool {
    let s = measured.as_secs_f64();
    s >= expected_s * (1.0 - tolerance) && s <= expected_s * (1.0 + tolerance)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_paces_a_download() {
    let folder = Folder::new("rate");
    let cdn = start(ServeConfig { rate_kbps: Some(800), ..folder.config() }).await;
    let http = client(T);
    // 400 kB at 800 kbit/s: 4 s.
    let (len, took) = timed(&http, url(&cdn, "a", "big.bin"), None).await;
    assert_eq!(len, BIG);
    assert!(around(took, 4.0, 0.25), "{took:?}");
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_downloads_share_a_locations_rate_but_not_another_locations() {
    let folder = Folder::new("share");
    let cdn = start(ServeConfig { rate_kbps: Some(800), ..folder.config() }).await;
    let http = client(T);
    let half = BIG / 2;
    // Two halves at once from `a`: 4 s for both (2 s each alone); one half from `b` meanwhile: 2 s.
    let first = timed(&http, url(&cdn, "a", "big.bin"), Some(format!("bytes=0-{}", half - 1)));
    let second = timed(&http, url(&cdn, "a", "big.bin"), Some(format!("bytes={half}-")));
    let other = timed(&http, url(&cdn, "b", "big.bin"), Some(format!("bytes={half}-")));
    let ((l1, t1), (l2, t2), (l3, t3)) = tokio::join!(first, second, other);
    assert_eq!((l1, l2, l3), (half, half, half));
    assert!(around(t1, 4.0, 0.25) && around(t2, 4.0, 0.25), "{t1:?} {t2:?}");
    assert!(around(t3, 2.0, 0.25), "{t3:?}");
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trace_changes_the_rate_at_its_period_boundaries() {
    let folder = Folder::new("trace");
    // 1 s at 1600 kbit/s, 1 s at 400, looped: 3.2 Mbit take 2 s (2000 kbit) + 0.75 s.
    let trace = write(
        &folder.tmp.0,
        "trace.json",
        r#"[{"duration_ms": 1000, "bandwidth_kbps": 1600, "latency_ms": 0},
            {"duration_ms": 1000, "bandwidth_kbps": 400, "latency_ms": 0}]"#,
    );
    let cdn = start(ServeConfig { trace: Some(trace), rate_kbps: Some(50), ..folder.config() }).await;
    let (len, took) = timed(&client(T), url(&cdn, "a", "big.bin"), None).await;
    assert_eq!(len, BIG);
    assert!(around(took, 2.75, 0.2), "{took:?}");
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_comes_before_every_response_and_no_limit_is_fast() {
    let folder = Folder::new("latency");
    let cdn = start(ServeConfig { latency_ms: 300, ..folder.config() }).await;
    let http = client(T);
    for path in ["manifest.mpd", "init-stream0.m4s", "missing"] {
        let (_, took) = timed(&http, url(&cdn, "b", path), None).await;
        assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(2), "{path}: {took:?}");
    }
    let (len, took) = timed(&http, url(&cdn, "a", "big.bin"), None).await;
    assert_eq!(len, BIG);
    assert!(took < Duration::from_secs(2), "{took:?}");
    cdn.shutdown().await;
}
