//! `flick play` end to end: the built binary playing ffmpeg-made DASH content from a test server
//! on 127.0.0.1, headless, writing the session report.
//!
//! ffmpeg must be on `PATH` (`FLICK_SKIP_FFMPEG_TESTS=1` skips these tests).

#[path = "../../platform/native/tests/support/cdn.rs"]
mod cdn;

use cdn::Cdn;
use flick_tests::fixtures::{CONTENT, TempDir, encode, ffmpeg_ready};
use serde_json::Value;
use std::process::Output;
use std::time::Duration;
use tokio::process::Command;

/// Run `flick ARGS`, killing it if it takes longer than `limit`.
async fn flick(args: &[&str], limit: Duration) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_flick"))
        .args(args)
        // No display: `flick play` without `--headless` falls back to the status line.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start flick");
    tokio::time::timeout(limit, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("flick {args:?} ran longer than {limit:?}"))
        .expect("wait for flick")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Content and a server for it (`None` when ffmpeg tests are skipped).
async fn served(name: &str) -> Option<(TempDir, Cdn)> {
    if !ffmpeg_ready() {
        return None;
    }
    let dir = TempDir::new(name);
    encode(&dir.0, &["-use_template", "1", "-use_timeline", "0"]);
    let server = Cdn::start(&dir.0).await;
    Some((dir, server))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn play_headless_writes_the_session_report() {
    let Some((dir, server)) = served("play-cli").await else { return };
    let report_path = dir.0.join("report.json");
    let url = server.url("manifest.mpd");
    let out = flick(
        &["play", &url, "--headless", "--abr", "bola", "--report", report_path.to_str().unwrap()],
        Duration::from_secs(30),
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    assert!(!stderr.contains("window"), "--headless asks for no window: {stderr}");
    assert!(stderr.contains("playing") && stderr.contains("buffer"), "no status line: {stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report_path).expect("a report"))
        .expect("the report is JSON");
    for field in [
        "startup_ms",
        "stalls",
        "rebuffer_s",
        "mean_video_bitrate_kbps",
        "switches",
        "cdn_switches",
        "played_s",
        "error",
        "segments",
    ] {
        assert!(report.get(field).is_some(), "no {field} in {report:#}");
    }
    assert_eq!(report["driver"], "native");
    assert_eq!(report["abr"], "bola");
    assert!(report["error"].is_null(), "{report:#}");
    assert!(report["startup_ms"].as_f64().is_some_and(|ms| ms < 2000.0), "{report:#}");
    let played = report["played_s"].as_f64().unwrap();
    assert!((played - CONTENT.as_secs_f64()).abs() < 0.3, "played {played}");
    assert_eq!(report["stalls"].as_array().map(Vec::len), Some(0), "{report:#}");
    let segments = report["segments"].as_array().unwrap();
    assert!(segments.iter().any(|s| s["track"] == "video" && s["outcome"] == "ok"), "{report:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_on_stdout_is_alone_there_and_duration_stops_early() {
    let Some((_dir, server)) = served("play-cli-stdout").await else { return };
    let url = server.url("manifest.mpd");
    let started = std::time::Instant::now();
    let out = flick(&["play", &url, "--duration", "1.5", "--report", "-"], Duration::from_secs(20)).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status);
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(stderr.contains("no display"), "no note about the missing display: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout holds only the report");
    let played = report["played_s"].as_f64().unwrap();
    assert!(played > 0.5 && played < 1.6, "played {played}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_session_exits_1_with_a_one_line_typed_cause() {
    let out = flick(&["play", "not a URL", "--headless", "--report", "-"], Duration::from_secs(10)).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let cause: Vec<&str> = stderr.lines().filter(|l| l.starts_with("flick:")).collect();
    assert_eq!(cause.len(), 1, "{stderr}");
    assert!(cause[0].contains("invalid_input"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report is still written");
    assert_eq!(report["error"]["kind"], "invalid_input");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_usage_exits_2() {
    for args in
        [&["play", "http://127.0.0.1:9/a.mpd", "--duration", "0"][..], &["play", "x", "--abr", "nope"]]
    {
        let out = flick(args, Duration::from_secs(10)).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
    }
}
