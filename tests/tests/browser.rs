//! Flick's web build in headless Debian Chromium: the demo page (`wasm/dist`, built by
//! `cargo xtask web`) plays DASH content made by ffmpeg and served by Flick's test CDN, driven
//! through playwright-core by `tests/web/browser.mjs`, which reports what it observed as JSON.
//!
//! Checked: playing to the end, seeking, pausing, pinning a quality (the picture's size changes)
//! and giving it back, and each failover fault of the dying-CDN scenario (two locations at
//! 4 Mbit/s and 40 ms, location a failing 6 s in) costs no stall.
//!
//! Outside CI the tests skip, saying why, when Chromium, Node, the npm packages or the web build
//! are missing; with `CI=true` a missing piece fails them.

mod web_support;

use flick_platform::faults::{Fault, FaultKind, FaultScript};
use flick_serve::{ServeConfig, TestCdn};
use flick_tests::fixtures::{TempDir, encode_clip};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use web_support::{browser_ready, one_at_a_time, root, run_pages, run_pages_in_lanes, run_pages_with};

/// The demo page's URL on `cdn`, playing its manifest.
fn page_url(cdn: &TestCdn) -> String {
    let (_, a) = &cdn.location_urls()[0];
    format!("{a}www/index.html?muted=1&src={}", cdn.manifest_url())
}

/// `seconds` of ffmpeg content at three rungs, 2 s segments addressed by `$Number$`.
fn clip(name: &str, seconds: u64) -> TempDir {
    let dir = TempDir::new(name);
    encode_clip(
        &dir.0,
        Duration::from_secs(seconds),
        &[400, 1200, 2500],
        &["-use_template", "1", "-use_timeline", "0"],
    );
    dir
}

/// The test CDN for `dir`, serving the built page beside it.
fn page_config(dir: &TempDir) -> ServeConfig {
    let mut config = ServeConfig::new(dir.0.clone());
    config.www = Some(www());
    config
}

fn www() -> PathBuf {
    root().join("wasm/dist")
}

/// One line per page for the log, and the page's report.
fn summary(result: &Value) -> String {
    let r = &result["report"];
    format!(
        "{:<10} ok {} startup {} ms, stalls {} (probe {}, {:.1} s), {} kbit/s, cdn switches {}, played {} s, failure {}",
        result["name"].as_str().unwrap_or("?"),
        result["ok"],
        r["startup_ms"],
        r["stalls"].as_array().map_or(0, Vec::len),
        result["probe"]["stalls"],
        result["probe"]["stallSeconds"].as_f64().unwrap_or(0.0),
        r["mean_video_bitrate_kbps"],
        r["cdn_switches"],
        r["played_s"],
        result["failure"],
    )
}

fn check_ok(result: &Value) {
    assert_eq!(result["ok"], true, "{}: {}\n{result:#}", result["name"], result["failure"]);
    assert!(result["report"]["error"].is_null(), "{}: {}", result["name"], result["report"]["error"]);
}

#[test]
fn the_demo_page_plays_to_the_end_seeks_pauses_and_switches_quality() {
    let _alone = one_at_a_time();
    if !browser_ready() {
        return;
    }
    let dir = clip("browser", 16);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let cdn = runtime.block_on(TestCdn::start(page_config(&dir))).expect("the test CDN starts");
    let url = page_url(&cdn);
    let mut pages: Vec<Value> = ["end", "seek", "pause", "quality"]
        .iter()
        // A short buffer for the quality switch: the pinned rung shows within seconds.
        .map(|&script| {
            let url = if script == "quality" { format!("{url}&maxBuffer=4") } else { url.clone() };
            json!({ "name": script, "url": url, "script": script, "target": 9.0 })
        })
        .collect();
    pages
        .push(json!({ "name": "custom_abr", "url": url, "script": "custom_abr", "src": cdn.manifest_url() }));
    // Port 9 (discard): nothing listens, every request is refused.
    pages.push(json!({ "name": "errors", "url": url, "script": "errors", "dead": "http://127.0.0.1:9/manifest.mpd" }));
    let results = run_pages(pages);
    for r in &results {
        eprintln!("{}", summary(r));
    }
    for r in results.iter().filter(|r| r["name"] != "errors") {
        check_ok(r);
    }
    let by_name = |name: &str| results.iter().find(|r| r["name"] == name).expect(name);

    let end = by_name("end");
    assert_eq!(end["video"]["ended"], true, "{end:#}");
    assert_eq!(end["status"]["state"], "ended", "the core ends with the element");
    assert!(end["report"]["played_s"].as_f64().unwrap() > 15.0, "{}", end["report"]["played_s"]);
    assert_eq!(end["probe"]["stalls"], 0, "unthrottled content never stalls");
    assert!(end["report"]["decoded_frames"].as_u64().unwrap_or(0) > 300, "frame counters reach the core");

    let seek = by_name("seek");
    assert!(seek["video"]["currentTime"].as_f64().unwrap() > 11.0, "{seek:#}");
    assert!(seek["events"].as_array().unwrap().iter().any(|e| e == "statechange"));

    let pause = by_name("pause");
    assert_eq!(pause["pausedFlag"], true, "the element pauses with the core");
    let (at, until) = (pause["pausedAt"].as_f64().unwrap(), pause["pausedUntil"].as_f64().unwrap());
    assert!((until - at).abs() < 0.3, "the position held still while paused: {at} → {until}");
    assert!(pause["video"]["currentTime"].as_f64().unwrap() > until, "playback resumed");

    let quality = by_name("quality");
    assert_eq!(quality["pinnedWidth"], 160, "rung 0 is 160x90: {quality:#}");
    assert!(quality["status"]["quality"].as_u64().unwrap() > 0, "auto climbs again");

    let custom = by_name("custom_abr");
    assert_eq!(custom["report"]["abr"], "js");
    assert!(custom["decisions"].as_u64().unwrap() >= 2, "the JS function decided: {custom:#}");
    assert_eq!(custom["firstDecision"]["rungsKbps"].as_array().map(Vec::len), Some(3), "{custom:#}");
    let video: Vec<&Value> =
        custom["report"]["segments"].as_array().unwrap().iter().filter(|s| s["track"] == "video").collect();
    assert!(
        !video.is_empty() && video.iter().all(|s| s["rung"] == 0),
        "every segment at the rung JS chose: {video:?}"
    );

    let errors = by_name("errors");
    assert_eq!(errors["ok"], true, "{errors:#}");
    assert_eq!(errors["typo"]["code"], "config", "{errors:#}");
    assert!(errors["typo"]["message"].as_str().unwrap().contains("maxBufer"), "{errors:#}");
    assert_eq!(errors["abr"]["code"], "unknown_abr", "{errors:#}");
    assert_eq!(errors["quality"]["code"], "invalid_argument", "{errors:#}");
    assert_eq!(errors["rejected"]["code"], "all_locations_failed", "{errors:#}");
    assert_eq!(errors["rejected"]["isError"], true);
    assert_eq!(errors["errorEvents"], json!(["all_locations_failed"]), "{errors:#}");
    drop(cdn);
}

fn fault_script(kind: Option<FaultKind>) -> FaultScript {
    let faults = kind
        .map(|kind| Fault {
            location: "a".into(),
            at_s: Some(6.0),
            after_requests: None,
            until_s: None,
            kind,
            resources: None,
        })
        .into_iter()
        .collect();
    FaultScript { faults }
}

#[test]
fn a_dying_location_costs_no_stall_in_the_browser() {
    let _alone = one_at_a_time();
    if !browser_ready() {
        return;
    }
    let dir = clip("browser-failover", 60);
    let cases = [
        ("healthy", None),
        ("no_answer", Some(FaultKind::NoAnswer)),
        ("http_503", Some(FaultKind::Http(503))),
        ("reset", Some(FaultKind::Reset)),
        ("stall_mid", Some(FaultKind::StallMidBody)),
        ("truncate", Some(FaultKind::Truncate)),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let cdns: Vec<TestCdn> = cases
        .iter()
        .map(|(_, kind)| {
            let mut config = page_config(&dir);
            config.cdns = 2;
            config.rate_kbps = Some(4000);
            config.latency_ms = 40;
            config.faults = fault_script(*kind);
            runtime.block_on(TestCdn::start(config)).expect("the test CDN starts")
        })
        .collect();
    let pages = cases
        .iter()
        .zip(&cdns)
        .map(|((name, _), cdn)| json!({ "name": name, "url": page_url(cdn), "script": "watch", "seconds": 24 }))
        .collect();
    // Three at a time: six players starting at once on two cores starve each other's start-up.
    let results = run_pages_in_lanes(3, pages);
    for r in &results {
        eprintln!("{}", summary(r));
    }
    for ((name, kind), r) in cases.iter().zip(&results) {
        check_ok(r);
        let report = &r["report"];
        assert_eq!(
            report["stalls"].as_array().map(Vec::len),
            Some(0),
            "{name}: the core saw a stall: {report:#}"
        );
        assert_eq!(r["probe"]["stalls"], 0, "{name}: the element stalled: {r:#}");
        assert!(report["played_s"].as_f64().unwrap() > 18.0, "{name}: played {}", report["played_s"]);
        if kind.is_some() {
            assert!(report["cdn_switches"].as_u64().unwrap() >= 1, "{name}: never left location a");
            let late: Vec<&Value> = report["segments"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["start_ms"].as_f64().unwrap() > 12_000.0 && s["outcome"] == "ok")
                .collect();
            assert!(!late.is_empty(), "{name}: no segment after 12 s");
            assert!(
                late.iter().all(|s| s["location"] == "b"),
                "{name}: segments from a after 12 s: {late:?}"
            );
        }
    }
    drop(cdns);
}

#[test]
fn a_full_source_buffer_makes_room_by_removing_played_media() {
    let _alone = one_at_a_time();
    if !browser_ready() {
        return;
    }
    let dir = clip("browser-quota", 20);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let cdn = runtime.block_on(TestCdn::start(page_config(&dir))).expect("the test CDN starts");
    // Chromium keeps at most 1 MB of video per SourceBuffer here (about 3 s at the top rung),
    // while the core wants 30 s ahead: appends are refused until played media is removed.
    let page = json!({ "name": "quota", "url": page_url(&cdn), "script": "end", "seconds": 60 });
    let results = run_pages_with(&["--mse-video-buffer-size-limit-mb=1"], vec![page]);
    let r = &results[0];
    eprintln!("{}", summary(r));
    check_ok(r);
    assert_eq!(r["video"]["ended"], true, "{r:#}");
    assert!(r["status"]["quotaErrors"].as_u64().unwrap() > 0, "the quota was hit: {r:#}");
    assert!(r["report"]["played_s"].as_f64().unwrap() > 19.0, "{}", r["report"]["played_s"]);
    drop(cdn);
}
