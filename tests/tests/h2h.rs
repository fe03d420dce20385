//! The head-to-head harness (`cargo xtask h2h`; ignored by `cargo test`, it takes ~30 minutes):
//! Flick's web build, dash.js and Shaka Player (from npm, with their defaults) in the same headless
//! Chromium, each run on a fresh test CDN: two locations shaped to 4 Mbit/s and 40 ms, location a
//! stopping to answer, answering 503 or resetting connections 6 s in, or healthy; 40 s per run.
//! The live scenarios (`h2h_support/live.rs`) play ffmpeg's real-time live DASH the same way, 60 s
//! per run, location a failing 20 s in (trickling too), and add the latency to the live edge.
//!
//! Everything is measured from outside the players, the same way for all three: time to first
//! frame (from the page's load call to the first `playing`), stalls (a `waiting` after the first
//! frame, to the next `playing`), the mean bit rate of the video shown (the picture's height every
//! 250 ms of playback, mapped to its rung: the ladder has one height per rung), and CDN switches
//! (changes of location between consecutive video segments in the CDN's request log).
//!
//! `FLICK_H2H_SECONDS` (on-demand runs, 40), `FLICK_H2H_LIVE_SECONDS` (live runs, 60),
//! `FLICK_H2H_PLAYERS` (`flick,dashjs,shaka`), `FLICK_H2H_SCENARIOS` (`healthy,no_answer,
//! http_503,reset,live_healthy,live_no_answer,live_http_503,live_reset,live_trickle`; `vod` and
//! `live` stand for each group) narrow a run; `FLICK_H2H_JSON=FILE` writes the rows.

#[path = "h2h_support/live.rs"]
mod live;
mod web_support;

use flick_platform::faults::{Fault, FaultKind, FaultScript};
use flick_serve::{RequestRecord, ServeConfig, TestCdn};
use flick_tests::fixtures::TempDir;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use web_support::{browser_ready, root, run_pages};

/// The ladder: (width, height, kbit/s), one height per rung.
const LADDER: [(u32, u32, u64); 3] = [(320, 180, 400), (480, 270, 1200), (640, 360, 2500)];

/// Encode 60 s of the ladder and AAC audio as DASH (2 s segments) into `dir`.
fn encode(dir: &Path) {
    let mut ffmpeg = Command::new("ffmpeg");
    ffmpeg
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=60"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60"]);
    for _ in LADDER {
        ffmpeg.args(["-map", "0:v"]);
    }
    ffmpeg.args(["-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]);
    ffmpeg.args(["-g", "50", "-keyint_min", "50", "-sc_threshold", "0"]);
    for (i, (w, h, kbps)) in LADDER.iter().enumerate() {
        ffmpeg.arg(format!("-s:v:{i}")).arg(format!("{w}x{h}"));
        ffmpeg.arg(format!("-b:v:{i}")).arg(format!("{kbps}k"));
        ffmpeg.arg(format!("-maxrate:v:{i}")).arg(format!("{kbps}k"));
        ffmpeg.arg(format!("-bufsize:v:{i}")).arg(format!("{}k", kbps * 2));
    }
    ffmpeg
        .args(["-c:a", "aac", "-b:a", "64k", "-f", "dash", "-seg_duration", "2"])
        .args(["-adaptation_sets", "id=0,streams=v id=1,streams=a"])
        .args(["-use_template", "1", "-use_timeline", "0"])
        .arg(dir.join("manifest.mpd"));
    let out = ffmpeg.output().expect("run ffmpeg");
    assert!(out.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
}

/// The pages and libraries of the three players, in one folder for `/www/`.
fn assemble_www(www: &Path) {
    let root = root();
    let node = root.join("tests/web/node_modules");
    let files = [
        (root.join("wasm/dist/flick.js"), "flick.js"),
        (root.join("wasm/dist/flick_bg.wasm"), "flick_bg.wasm"),
        (node.join("dashjs/dist/modern/umd/dash.all.min.js"), "dash.all.min.js"),
        (node.join("shaka-player/dist/shaka-player.compiled.js"), "shaka-player.compiled.js"),
        (root.join("tests/web/h2h/flick.html"), "flick.html"),
        (root.join("tests/web/h2h/dashjs.html"), "dashjs.html"),
        (root.join("tests/web/h2h/shaka.html"), "shaka.html"),
        (root.join("tests/web/h2h/live.js"), "live.js"),
    ];
    for (from, name) in files {
        std::fs::copy(&from, www.join(name)).unwrap_or_else(|e| panic!("copying {}: {e}", from.display()));
    }
}

fn fault(scenario: &str) -> Option<FaultKind> {
    match scenario {
        "no_answer" => Some(FaultKind::NoAnswer),
        "http_503" => Some(FaultKind::Http(503)),
        "reset" => Some(FaultKind::Reset),
        "healthy" => None,
        other => panic!("unknown scenario {other}"),
    }
}

/// Changes of location between consecutive video segments served whole, by arrival.
fn cdn_switches(requests: &[RequestRecord]) -> usize {
    let mut video: Vec<&RequestRecord> = requests
        .iter()
        .filter(|r| r.fault.is_none() && matches!(r.status, Some(200 | 206)))
        .filter(|r| (0..LADDER.len()).any(|i| r.path.contains(&format!("chunk-stream{i}-"))))
        .collect();
    video.sort_by_key(|r| r.at);
    video.windows(2).filter(|w| w[0].location != w[1].location).count()
}

/// Mean kbit/s of the picture heights sampled.
fn mean_kbps(heights: &[Value]) -> Option<f64> {
    let rates: Vec<f64> = heights
        .iter()
        .filter_map(|h| LADDER.iter().find(|(_, height, _)| Some(u64::from(*height)) == h.as_u64()))
        .map(|(_, _, kbps)| *kbps as f64)
        .collect();
    (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
}

/// `v` with `digits` decimals, or `–`.
fn num(v: &Value, digits: usize) -> String {
    v.as_f64().map_or("–".to_string(), |x| format!("{x:.digits$}"))
}

/// The on-demand scenarios.
const VOD: [&str; 4] = ["healthy", "no_answer", "http_503", "reset"];

fn list(var: &str, default: &str) -> Vec<String> {
    std::env::var(var).unwrap_or_else(|_| default.into()).split(',').map(str::to_string).collect()
}

#[test]
#[ignore = "the head-to-head takes ~30 minutes: cargo xtask h2h"]
fn head_to_head() {
    if !browser_ready() {
        return;
    }
    let seconds: u64 = std::env::var("FLICK_H2H_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let players = list("FLICK_H2H_PLAYERS", "flick,dashjs,shaka");
    let live_seconds: u64 =
        std::env::var("FLICK_H2H_LIVE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let scenarios: Vec<String> = list("FLICK_H2H_SCENARIOS", "vod,live")
        .into_iter()
        .flat_map(|s| match s.as_str() {
            "vod" => VOD.iter().map(|s| s.to_string()).collect(),
            "live" => live::SCENARIOS.iter().map(|s| s.to_string()).collect(),
            _ => vec![s],
        })
        .collect();
    let (live_scenarios, scenarios): (Vec<&String>, Vec<&String>) =
        scenarios.iter().partition(|s| s.starts_with("live_"));
    let www = TempDir::new("h2h-www");
    assemble_www(&www.0);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut rows = Vec::new();
    if !scenarios.is_empty() {
        rows = on_demand(&runtime, &www.0, &players, &scenarios, seconds);
    }
    if !live_scenarios.is_empty() {
        rows.extend(live::run(&runtime, &www.0, &players, &live_scenarios, live_seconds));
    }
    if let Ok(path) = std::env::var("FLICK_H2H_JSON") {
        std::fs::write(&path, serde_json::to_string_pretty(&rows).unwrap()).expect("write the JSON");
    }
}

/// The on-demand runs: print their table and return the rows.
fn on_demand(
    runtime: &tokio::runtime::Runtime,
    www: &Path,
    players: &[String],
    scenarios: &[&String],
    seconds: u64,
) -> Vec<Value> {
    let content = TempDir::new("h2h-content");
    encode(&content.0);
    println!(
        "{:<10} {:<7} {:>13} {:>7} {:>10} {:>12} {:>13} {:>9}  error",
        "scenario",
        "player",
        "1st frame ms",
        "stalls",
        "stalled s",
        "mean kbit/s",
        "CDN switches",
        "played s"
    );
    let mut rows = Vec::new();
    for scenario in scenarios {
        for player in players {
            let mut config = ServeConfig::new(content.0.clone());
            config.cdns = 2;
            config.rate_kbps = Some(4000);
            config.latency_ms = 40;
            config.www = Some(www.to_path_buf());
            config.faults = FaultScript {
                faults: fault(scenario)
                    .map(|kind| Fault {
                        location: "a".into(),
                        at_s: Some(6.0),
                        after_requests: None,
                        until_s: None,
                        kind,
                        resources: None,
                    })
                    .into_iter()
                    .collect(),
            };
            let cdn = runtime.block_on(TestCdn::start(config)).expect("the test CDN starts");
            let (_, a) = &cdn.location_urls()[0];
            let url = format!("{a}www/{player}.html?src={}", cdn.manifest_url());
            let page = json!({ "name": player, "url": url, "script": "probe", "seconds": seconds });
            let result = run_pages(vec![page]).pop().expect("one result");
            let switches = cdn_switches(&cdn.requests());
            runtime.block_on(cdn.shutdown());
            assert_eq!(result["ok"], true, "{scenario} {player}: {}", result["failure"]);
            let probe = &result["probe"];
            let mean = mean_kbps(probe["heights"].as_array().map_or(&[][..], Vec::as_slice));
            let row = json!({
                "scenario": scenario,
                "player": player,
                "first_frame_ms": probe["firstFrameMs"],
                "stalls": probe["stalls"],
                "stalled_s": probe["stallSeconds"],
                "mean_kbps": mean,
                "cdn_switches": switches,
                "played_s": result["video"]["currentTime"],
                "error": result["error"],
                // Flick's own session report (null for the others).
                "report": result["report"],
            });
            println!(
                "{:<10} {:<7} {:>13} {:>7} {:>10} {:>12} {:>13} {:>9}  {}",
                scenario,
                player,
                num(&row["first_frame_ms"], 0),
                num(&row["stalls"], 0),
                num(&row["stalled_s"], 1),
                num(&row["mean_kbps"], 0),
                switches,
                num(&row["played_s"], 1),
                row["error"].as_str().unwrap_or("").chars().take(60).collect::<String>(),
            );
            rows.push(row);
        }
    }
    rows
}
