//! Flick's web build in headless Debian Chromium: the demo page (`wasm/dist`, built by
//! `cargo xtask web`) plays DASH content made by ffmpeg and served by Flick's test CDN, driven
//! through playwright-core by `tests/web/browser.mjs`, which reports what it observed as JSON.
//!
//! Checked: playing to the end, seeking, pausing, pinning a quality (the picture's size changes)
//! and giving it back, each failover fault of the dying-CDN scenario (two locations at
//! 4 Mbit/s and 40 ms, location a failing 6 s in) costs no stall, and a live stream (ffmpeg's
//! on-demand segments behind a dynamic MPD the test writes) plays at its target latency, goes
//! back to live after a DVR seek, and ends when its MPD turns static.
//!
//! Outside CI the tests skip, saying why, when Chromium, Node, the npm packages or the web build
//! are missing; with `CI=true` a missing piece fails them.

mod web_support;

use flick_platform::faults::{Fault, FaultKind, FaultScript};
use flick_serve::{ServeConfig, TestCdn};
use flick_tests::fixtures::{TempDir, encode_clip};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use web_support::{
    browser_ready, iso_utc, live_mpd, one_at_a_time, root, run_pages, run_pages_in_lanes, run_pages_with,
    static_mpd, write_atomically,
};

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

/// How long before the test starts the live stream's first segment was produced: the player
/// starts well into it, with media behind it to seek back to.
const LIVE_FOR: Duration = Duration::from_secs(30);

/// An SCTE-35 cue in the live MPD (a splice insert, base64), 45 s into the stream.
const SCTE35_EVENT_STREAM: &str = r#"<EventStream schemeIdUri="urn:scte:scte35:2014:xml+bin" timescale="1000">
  <Event presentationTime="45000" duration="15000" id="1">/DAlAAAAAAAAAP/wFAUAAAABf+/+AAAAAH4AKTLgAAEAAAAAAAA=</Event>
</EventStream>
"#;

/// The server's clock read from the `Date` of a `HEAD` of the MPD itself (as `http-head` asks).
const HEAD_CLOCK: &str =
    r#"<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-head:2014" value="manifest.mpd"/>"#;

/// A copy of `from` (its segments hard-linked, not copied) for a second CDN.
fn linked_copy(from: &Path, name: &str) -> TempDir {
    let dir = TempDir::new(name);
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = dir.0.join(entry.file_name());
        if std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    dir
}

fn unix_seconds(at: SystemTime) -> f64 {
    at.duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

#[test]
fn live_mpds_are_written_from_the_on_demand_one() {
    let vod = concat!(
        "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"\n",
        "\ttype=\"static\"\n\tmediaPresentationDuration=\"PT90.0S\"\n\tminBufferTime=\"PT4.0S\">\n",
        "\t<Period id=\"0\" start=\"PT0.0S\">\n\t</Period>\n</MPD>\n",
    );
    let start = UNIX_EPOCH + Duration::from_millis(1_796_169_599_123);
    assert_eq!(iso_utc(start), "2026-12-01T23:59:59.123Z");
    assert_eq!(iso_utc(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00.000Z");
    let live = live_mpd(
        vod,
        start,
        Duration::from_secs(30),
        Duration::from_secs(4),
        "<EventStream/>",
        "<UTCTiming/>",
    );
    assert!(live.contains("type=\"dynamic\" availabilityStartTime=\"2026-12-01T23:59:59.123Z\""), "{live}");
    assert!(live.contains("timeShiftBufferDepth=\"PT30S\" minimumUpdatePeriod=\"PT4S\""), "{live}");
    assert!(!live.contains("mediaPresentationDuration"), "{live}");
    assert!(live.contains("start=\"PT0.0S\">\n<EventStream/>"), "{live}");
    assert!(live.contains("<UTCTiming/>\n</MPD>"), "{live}");
    assert!(
        static_mpd(vod, 60).contains("\tmediaPresentationDuration=\"PT60S\"\n"),
        "{}",
        static_mpd(vod, 60)
    );
}

#[test]
fn a_live_stream_plays_at_its_target_latency_goes_back_to_live_and_ends_when_static() {
    let _alone = one_at_a_time();
    if !browser_ready() {
        return;
    }
    // 90 s of on-demand content: the stream starts 30 s "ago", and the pages play about 40 s.
    let dir = clip("browser-live", 90);
    let ending = linked_copy(&dir.0, "browser-live-end");
    let vod = std::fs::read_to_string(dir.0.join("manifest.mpd")).unwrap();
    let now = SystemTime::now();
    let availability_start = now - LIVE_FOR;
    let (window, update) = (Duration::from_secs(30), Duration::from_secs(4));
    let live = live_mpd(&vod, availability_start, window, update, SCTE35_EVENT_STREAM, HEAD_CLOCK);
    write_atomically(&dir.0.join("manifest.mpd"), &live);
    write_atomically(&ending.0.join("manifest.mpd"), &live);

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let cdn = runtime.block_on(TestCdn::start(page_config(&dir))).expect("the test CDN starts");
    let ending_cdn = runtime.block_on(TestCdn::start(page_config(&ending))).expect("the test CDN starts");

    // 25 s into the test the second stream's MPD turns static, ending 4 s past its live edge then
    // (on a whole segment).
    let turn = Duration::from_secs(25);
    let end_s = (LIVE_FOR + turn).as_secs() + 4;
    let end_s = end_s.div_ceil(2) * 2;
    let static_text = static_mpd(&vod, end_s);
    let ending_mpd = ending.0.join("manifest.mpd");
    let turner = std::thread::spawn(move || {
        std::thread::sleep((now + turn).duration_since(SystemTime::now()).unwrap_or_default());
        write_atomically(&ending_mpd, &static_text);
    });

    let ast = unix_seconds(availability_start);
    let pages = vec![
        json!({
            "name": "live", "url": format!("{}&liveBackBuffer=6", page_url(&cdn)), "script": "live",
            "seconds": 20, "nudge": 1.2, "back": 12, "ast": ast,
        }),
        json!({ "name": "live_end", "url": page_url(&ending_cdn), "script": "live_end", "seconds": 80 }),
    ];
    let results = run_pages(pages);
    turner.join().unwrap();
    for r in &results {
        eprintln!("{}", summary(r));
    }
    let by_name = |name: &str| results.iter().find(|r| r["name"] == name).expect(name);

    let live = by_name("live");
    check_ok(live);
    let samples = live["samples"].as_array().unwrap();
    for s in samples {
        eprintln!(
            "live: position {:.2} latency {:.2} (wall clock {:.2}) target {} rate {} (element {})",
            s["position"].as_f64().unwrap_or(f64::NAN),
            s["live"]["liveLatency"].as_f64().unwrap_or(f64::NAN),
            s["wallLatency"].as_f64().unwrap_or(f64::NAN),
            s["live"]["targetLatency"],
            s["live"]["playbackRate"],
            s["elementRate"],
        );
    }
    eprintln!("live: report {}", live["report"]["live"]);
    eprintln!(
        "live: seekable {} buffered {}\nlive: catching up {}\nlive: after the DVR seek {}\nlive: back {}",
        live["seekable"], live["buffered"], live["catchingUp"], live["behind"], live["back"]
    );
    assert_eq!(live["isLive"], true, "{live:#}");
    assert_eq!(live["duration"], "Infinity", "the MediaSource of a live stream has no end");
    assert!(samples.len() >= 19, "{} samples", samples.len());
    assert_eq!(live["probe"]["stalls"], 0, "no stall in 20 s of live playback: {live:#}");
    assert!(live["report"]["stalls"].as_array().unwrap().is_empty(), "{:#}", live["report"]);
    let last = samples.last().unwrap();
    let (latency, target) =
        (last["live"]["liveLatency"].as_f64().unwrap(), last["live"]["targetLatency"].as_f64().unwrap());
    assert!((latency - target).abs() < 2.0, "latency {latency:.2} s at the end, target {target} s");
    // The device's clock against the element: the core's clock (read from a Date header, to the
    // second) may be off by up to a second more.
    let wall = last["wallLatency"].as_f64().unwrap();
    assert!((wall - target).abs() < 3.0, "a viewer sees {wall:.2} s of latency, target {target} s");
    assert_eq!(last["live"]["following"], true);
    let position = live["video"]["currentTime"].as_f64().unwrap();
    let seekable = live["seekable"].as_array().unwrap();
    let (seek_start, seek_end) =
        (seekable[0][0].as_f64().unwrap(), seekable.last().unwrap()[1].as_f64().unwrap());
    assert!(
        seek_start < position - 20.0 && seek_end > position,
        "the DVR window around {position}: {seekable:?}"
    );
    assert!(
        seek_end - position < target + 2.0,
        "the seekable end follows the edge: {seekable:?} at {position}"
    );
    let buffered_start = live["buffered"][0][0].as_f64().unwrap();
    assert!(
        buffered_start > position - 10.0,
        "media more than 6 s behind was removed: {} at {position}",
        live["buffered"]
    );
    let events = live["liveEvents"].as_array().unwrap();
    let of = |kind: &str| events.iter().filter(|e| e["type"] == kind).collect::<Vec<_>>();
    assert_eq!(of("liveedge").first().map(|e| &e["following"]), Some(&json!(true)), "{events:?}");
    assert!(of("bufferevicted").is_empty(), "the removals behind the position cost no refetch: {events:?}");
    assert!(
        of("manifestupdate").iter().all(|e| e["dynamic"] == true) && !of("manifestupdate").is_empty(),
        "{events:?}"
    );
    let cue = of("streamevent");
    assert_eq!(cue.len(), 1, "{events:?}");
    assert_eq!(
        (&cue[0]["schemeIdUri"], cue[0]["presentationTime"].as_f64()),
        (&json!("urn:scte:scte35:2014:xml+bin"), Some(45.0))
    );
    assert_eq!(cue[0]["message"], "/DAlAAAAAAAAAP/wFAUAAAABf+/+AAAAAH4AKTLgAAEAAAAAAAA=");
    assert!(live["report"]["live"]["samples"].as_u64().unwrap() > 40, "{}", live["report"]);
    // 1.2 s further behind, still following: the element plays faster to catch up.
    let catching_up = &live["catchingUp"];
    assert_eq!(catching_up["live"]["following"], true, "{catching_up}");
    assert!(catching_up["elementRate"].as_f64().unwrap() > 1.02, "{catching_up}");
    assert!(catching_up["live"]["liveLatency"].as_f64().unwrap() > target + 0.6, "{catching_up}");
    assert!(catching_up["live"]["playbackRate"].as_f64().unwrap() <= 1.05, "{catching_up}");
    // DVR: 12 s back no longer follows the edge (nor catches up); going live again does, at the
    // target.
    let behind = &live["behind"]["live"];
    assert_eq!(behind["following"], false, "{behind}");
    assert_eq!(live["behind"]["elementRate"], 1.0, "{}", live["behind"]);
    assert!(behind["liveLatency"].as_f64().unwrap() > target + 8.0, "{behind}");
    let back = &live["back"]["live"];
    assert_eq!(back["following"], true, "{back}");
    assert!((back["liveLatency"].as_f64().unwrap() - target).abs() < 1.5, "back at the target: {back}");
    let after = live["eventsAfter"].as_array().unwrap();
    let count = |kind: &str| after.iter().filter(|e| *e == kind).count();
    assert!(count("liveedge") >= 3, "followed, left and followed the edge again: {after:?}");
    assert!(count("playbackrate") >= 2, "a catch-up rate and back to 1: {after:?}");

    let ended = by_name("live_end");
    check_ok(ended);
    eprintln!(
        "live_end: duration {} buffered {} report {}",
        ended["duration"], ended["buffered"], ended["report"]["live"]
    );
    assert_eq!(ended["video"]["ended"], true, "{ended:#}");
    assert_eq!(ended["status"]["state"], "ended");
    assert_eq!(ended["isLive"], false, "the MPD turned static");
    let duration: f64 = ended["duration"].as_str().unwrap().parse().unwrap();
    assert!(
        (duration - end_s as f64).abs() < 2.5,
        "the stream ends at the static MPD's end ({end_s} s): {duration}"
    );
    let updates = ended["liveEvents"].as_array().unwrap().iter().filter(|e| e["type"] == "manifestupdate");
    assert!(updates.clone().any(|e| e["dynamic"] == false), "{:?}", ended["liveEvents"]);
    assert_eq!(ended["probe"]["stalls"], 0, "{ended:#}");
    drop((cdn, ending_cdn));
}
