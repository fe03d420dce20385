//! Every fault kind as a client sees it, recovery after `until_s`, `after_requests`, and the
//! request log.

use crate::{BIG, Folder, SEGMENT, client, start, url};
use flick_serve::{FaultKind, FaultScript, ServeConfig, TestCdn};
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(10);

async fn with_faults(name: &str, script: &str) -> (Folder, TestCdn) {
    let folder = Folder::new(name);
    let faults = FaultScript::parse(script).unwrap();
    let cdn = start(ServeConfig { faults, ..folder.config() }).await;
    (folder, cdn)
}

/// Read a body chunk by chunk until it ends, fails, or stalls for `patience`; returns the bytes
/// and how it stopped ("end", "error" or "stalled").
async fn drain(response: &mut reqwest::Response, patience: Duration) -> (usize, &'static str) {
    let mut received = 0;
    loop {
        match tokio::time::timeout(patience, response.chunk()).await {
            Ok(Ok(Some(chunk))) => received += chunk.len(),
            Ok(Ok(None)) => return (received, "end"),
            Ok(Err(_)) => return (received, "error"),
            Err(_) => return (received, "stalled"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_fault_hits_its_location_and_resources_until_it_ends() {
    let (_folder, cdn) = with_faults(
        "http",
        r#"{"faults": [{"location": "b", "kind": {"http": 503}, "resources": "media", "until_s": 1.0}]}"#,
    )
    .await;
    let http = client(T);
    let segment = "chunk-stream0-00001.m4s";
    let response = http.get(url(&cdn, "b", segment)).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(http.get(url(&cdn, "a", segment)).send().await.unwrap().status(), 200);
    assert_eq!(http.get(url(&cdn, "b", "init-stream0.m4s")).send().await.unwrap().status(), 200);
    assert_eq!(http.get(url(&cdn, "b", "manifest.mpd")).send().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let recovered = http.get(url(&cdn, "b", segment)).send().await.unwrap();
    assert_eq!(recovered.status(), 200);
    assert_eq!(recovered.bytes().await.unwrap().len(), SEGMENT);
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_is_a_request_error_not_a_response() {
    let (_folder, cdn) =
        with_faults("reset", r#"{"faults": [{"location": "a", "kind": "reset", "until_s": 1.0}]}"#).await;
    let started = Instant::now();
    let error = client(T).get(url(&cdn, "a", "big.bin")).send().await.expect_err("no response");
    // A TCP reset, not an orderly close.
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    let mut reset = false;
    while let Some(e) = cause {
        reset |= e
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset);
        cause = e.source();
    }
    assert!(reset, "{error:?}");
    assert!(!error.is_timeout() && started.elapsed() < Duration::from_secs(2), "{error:?}");
    assert!(error.status().is_none());
    let record = &cdn.requests()[0];
    assert_eq!((record.status, record.fault), (None, Some(FaultKind::Reset)));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(client(T).get(url(&cdn, "a", "big.bin")).send().await.unwrap().status(), 200);
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_holds_requests_until_the_fault_ends() {
    let (_folder, cdn) =
        with_faults("noanswer", r#"{"faults": [{"location": "a", "kind": "no_answer", "until_s": 1.5}]}"#)
            .await;
    let error = client(Duration::from_secs(1)).get(url(&cdn, "a", "manifest.mpd")).send().await;
    assert!(error.expect_err("no answer").is_timeout());
    assert_eq!(client(T).get(url(&cdn, "b", "manifest.mpd")).send().await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let answer = client(T).get(url(&cdn, "a", "manifest.mpd")).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_sends_a_third_then_nothing() {
    let (_folder, cdn) =
        with_faults("stall", r#"{"faults": [{"location": "a", "kind": "stall_mid_body"}]}"#).await;
    let mut response = client(T).get(url(&cdn, "a", "big.bin")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"], BIG.to_string());
    let (received, how) = drain(&mut response, Duration::from_secs(1)).await;
    assert_eq!((received, how), (BIG / 3, "stalled"));
    let record = &cdn.requests()[0];
    assert_eq!((record.bytes_sent, record.duration), ((BIG / 3) as u64, None));
    drop(response);
    // Shutting down lets go of the held connection.
    tokio::time::timeout(Duration::from_secs(5), cdn.shutdown()).await.expect("shutdown in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_body_ends_short_of_its_length() {
    let (_folder, cdn) = with_faults(
        "truncate",
        r#"{"faults": [{"location": "b", "kind": "truncate", "resources": "media"}]}"#,
    )
    .await;
    let mut response =
        client(T).get(url(&cdn, "b", "big.bin")).header("Range", "bytes=1000-").send().await.unwrap();
    assert_eq!(response.status(), 206);
    let announced = BIG - 1000;
    assert_eq!(response.headers()["content-length"], announced.to_string());
    let (received, how) = drain(&mut response, Duration::from_secs(3)).await;
    assert_eq!((received, how), (announced / 2, "error"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let record = &cdn.requests()[0];
    assert_eq!(record.fault, Some(FaultKind::Truncate));
    assert_eq!(record.bytes_sent, (announced / 2) as u64);
    assert!(record.duration.is_some());
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_first_byte_delays_the_headers() {
    let (_folder, cdn) = with_faults(
        "slow",
        r#"{"faults": [{"location": "a", "kind": {"slow_first_byte": 800}, "resources": "init"}]}"#,
    )
    .await;
    let http = client(T);
    let started = Instant::now();
    let response = http.get(url(&cdn, "a", "init-stream0.m4s")).send().await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(800) && waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(response.bytes().await.unwrap().len(), 1000);
    let started = Instant::now();
    http.get(url(&cdn, "a", "chunk-stream0-00001.m4s")).send().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(500));
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_requests_counts_each_locations_requests() {
    let (_folder, cdn) = with_faults(
        "count",
        r#"{"faults": [{"location": "a", "after_requests": 2, "kind": {"http": 404}}]}"#,
    )
    .await;
    let http = client(T);
    let mut statuses = Vec::new();
    for id in ["a", "b", "a", "b", "a", "a"] {
        statuses.push(http.head(url(&cdn, id, "manifest.mpd")).send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 404, 404]);
    // Steering answers do not count.
    assert_eq!(http.get(url(&cdn, "a", "steering")).send().await.unwrap().status(), 200);
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_log_tells_what_happened() {
    let (folder, cdn) =
        with_faults("log", r#"{"faults": [{"location": "b", "at_s": 0.5, "kind": {"http": 500}}]}"#).await;
    let http = client(T);
    let manifest = http.get(cdn.manifest_url()).send().await.unwrap().bytes().await.unwrap();
    let ranged = http.get(url(&cdn, "b", "big.bin")).header("Range", "bytes=0-99").send().await.unwrap();
    assert_eq!(ranged.bytes().await.unwrap(), folder.file("big.bin")[..100]);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(http.get(url(&cdn, "b", "big.bin")).send().await.unwrap().status(), 500);
    tokio::time::sleep(Duration::from_millis(50)).await;

    let log = cdn.requests();
    assert_eq!(log.len(), 3);
    assert_eq!((log[0].location.as_str(), log[0].path.as_str()), ("a", "/manifest.mpd"));
    assert_eq!((log[0].method.as_str(), log[0].status), ("GET", Some(200)));
    assert_eq!(log[0].bytes_sent, manifest.len() as u64);
    assert!(log[0].at < Duration::from_millis(50));
    assert_eq!(log[1].location, "b");
    assert_eq!(log[1].range.as_deref(), Some("bytes=0-99"));
    assert_eq!((log[1].status, log[1].bytes_sent, log[1].fault), (Some(206), 100, None));
    assert!(log[1].duration.is_some());
    assert_eq!((log[2].status, log[2].fault), (Some(500), Some(FaultKind::Http(500))));
    assert!(log[2].at >= Duration::from_millis(500) && log[2].at >= log[1].at, "{:?}", log[2].at);
    cdn.shutdown().await;
}
