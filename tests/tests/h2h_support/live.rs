//! The live half of the head-to-head: ffmpeg's own live DASH muxer fed in real time (the h2h
//! ladder, 2 s segments, `$Number$` templates with `@duration` and a 10-segment window), one
//! encode for every live run, each run on a fresh test CDN (two locations, 4 Mbit/s, 40 ms) with
//! location a failing 20 s into the session: it stops answering, answers 503, resets connections
//! or trickles at 1000 B/s (the lowest rung is 50 000 B/s), or stays healthy. Each page plays 60 s.
//!
//! ffmpeg's MPD announces each segment 1.96 s before its end (`availabilityTimeOffset`, with
//! `availabilityTimeComplete="false"`), but the muxer writes a segment under a temporary name and
//! the CDN serves only whole files: a player that takes the offset at its word gets 404s for the
//! segment being written (counted in the JSON's `answers`).
//!
//! Besides the on-demand measures (first frame, stalls, mean bit rate shown, CDN switches), the
//! page (`tests/web/h2h/live.js`) samples the latency to the live edge every 250 ms from the first
//! frame, from outside every player: `wall clock − (availabilityStartTime + video.currentTime)`,
//! availabilityStartTime read from the MPD's text. ffmpeg's MPD has one Period starting at 0, no
//! presentationTimeOffset and media times from 0, so `currentTime` is the presentation time in all
//! three players (the JSON's `segment_end_minus_position_s` checks it against the segments asked
//! for). Reported: the mean, the 95th percentile and the last sample; the latency over the second
//! before the fault; and the recovery, the time from the fault until the latency is back within
//! 0.5 s of that value for the rest of the session ("never" if it is not at the end; 0 if it never
//! left). A sample whose element holds no media (`readyState` 0, or `currentTime` 0: a player
//! that tore down its MediaSource) has no position on the live timeline: it is left out of those
//! figures and counted as `no_position_s` (and in the error column). Each player's own latency
//! figure (dash.js `getCurrentLiveLatency()`, Shaka `getStats().liveLatency`, Flick
//! `status().live.liveLatency`) is sampled beside it for comparison; the table's figures are the
//! outside ones.

use crate::{LADDER, cdn_switches, mean_kbps, num};
use flick_platform::faults::{Fault, FaultKind, FaultScript};
use flick_serve::{RequestRecord, ServeConfig, TestCdn};
use flick_tests::fixtures::TempDir;
use serde_json::{Value, json};
use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::web_support::run_pages;

/// The live scenarios, in the order they run.
pub const SCENARIOS: [&str; 5] =
    ["live_healthy", "live_no_answer", "live_http_503", "live_reset", "live_trickle"];

/// When location a fails, on the CDN's session clock (from the first request for the MPD).
const FAULT_AT_S: f64 = 20.0;
/// How close to its latency before the fault a player must come back.
const BAND_S: f64 = 0.5;
/// Segment duration of the live encode.
const SEGMENT_S: u64 = 2;

/// What goes wrong at location a in a live scenario.
pub fn fault(scenario: &str) -> Option<FaultKind> {
    match scenario {
        "live_healthy" => None,
        "live_no_answer" => Some(FaultKind::NoAnswer),
        "live_http_503" => Some(FaultKind::Http(503)),
        "live_reset" => Some(FaultKind::Reset),
        // Far below the media rate: 8 kbit/s against 400 kbit/s for the lowest rung.
        "live_trickle" => Some(FaultKind::Trickle(1000)),
        other => panic!("unknown scenario {other}"),
    }
}

/// ffmpeg's DASH muxer writing the h2h ladder live, in real time; killed when dropped.
/// (`flick_tests::fixtures::FfmpegLive` puts both upper rungs at 640x360, and the harness tells
/// rungs apart by the picture's height.)
pub struct LiveEncode {
    child: Child,
    dir: TempDir,
}

impl LiveEncode {
    /// Start the encode (ending by itself after `limit` at the latest) and wait until it has
    /// four segments: a stream on air, not one starting.
    pub fn start(limit: Duration) -> LiveEncode {
        let dir = TempDir::new("h2h-live");
        let log = File::create(dir.0.join("ffmpeg.log")).expect("create ffmpeg's log");
        let gop = (25 * SEGMENT_S).to_string();
        let mut ffmpeg = Command::new("ffmpeg");
        ffmpeg
            .args(["-hide_banner", "-nostdin", "-loglevel", "warning", "-y"])
            .args(["-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25"])
            .args(["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
            .args(["-t", &limit.as_secs().to_string()]);
        for _ in LADDER {
            ffmpeg.args(["-map", "0:v"]);
        }
        ffmpeg.args(["-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]);
        ffmpeg.args(["-g", &gop, "-keyint_min", &gop, "-sc_threshold", "0"]);
        for (i, (w, h, kbps)) in LADDER.iter().enumerate() {
            ffmpeg.arg(format!("-s:v:{i}")).arg(format!("{w}x{h}"));
            ffmpeg.arg(format!("-b:v:{i}")).arg(format!("{kbps}k"));
            ffmpeg.arg(format!("-maxrate:v:{i}")).arg(format!("{kbps}k"));
            ffmpeg.arg(format!("-bufsize:v:{i}")).arg(format!("{}k", kbps * 2));
        }
        ffmpeg
            .args(["-c:a", "aac", "-b:a", "64k", "-f", "dash", "-streaming", "1", "-ldash", "0"])
            .args(["-seg_duration", &SEGMENT_S.to_string(), "-window_size", "10", "-extra_window_size", "3"])
            // Number templates: the MPD (on location a only; nothing in it names location b) needs
            // no refresh (`minimumUpdatePeriod="PT500S"`). With `-use_timeline 1` it changes every
            // segment, and once location a fails no player can learn of new segments: every one
            // stalls for good (seen in a first run), which says nothing about failover.
            .args(["-use_template", "1", "-use_timeline", "0"])
            .args(["-adaptation_sets", "id=0,streams=v id=1,streams=a"])
            .arg(dir.0.join("manifest.mpd"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        let child = ffmpeg.spawn().expect("run ffmpeg");
        let mut encode = LiveEncode { child, dir };
        let start = Instant::now();
        while encode.segments() < 4 {
            if let Ok(Some(status)) = encode.child.try_wait() {
                panic!("ffmpeg ended ({status}): {}", encode.log());
            }
            assert!(
                start.elapsed() < Duration::from_secs(40),
                "no 4 live segments in 40 s: {}",
                encode.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        encode
    }

    /// The folder ffmpeg writes (the MPD and the segments).
    pub fn dir(&self) -> &Path {
        &self.dir.0
    }

    /// Complete segments of the lowest rung.
    fn segments(&self) -> usize {
        std::fs::read_dir(self.dir())
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter(|n| n.starts_with("chunk-stream0-") && n.ends_with(".m4s"))
                    .count()
            })
            .unwrap_or(0)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir().join("ffmpeg.log")).unwrap_or_default()
    }

    /// Whether ffmpeg is still writing (it ends at its limit).
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for LiveEncode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One sample of the page: (t on the session clock, outside latency, own latency, currentTime).
struct Sample {
    t: f64,
    latency: f64,
    own: Option<f64>,
    position: f64,
}

/// The samples with a position on the live timeline, and how many had none.
fn samples(report: &Value) -> (Vec<Sample>, usize) {
    let rows = report["samples"].as_array().map_or(&[][..], Vec::as_slice);
    let positioned = |s: &&Value| s[3].as_f64() != Some(0.0) && s[5].as_u64() != Some(0);
    let kept: Vec<Sample> = rows
        .iter()
        .filter(positioned)
        .filter_map(|s| {
            Some(Sample {
                t: s[0].as_f64()?,
                latency: s[1].as_f64()?,
                own: s[2].as_f64(),
                position: s[3].as_f64()?,
            })
        })
        .collect();
    let none = rows.iter().filter(|s| !positioned(s)).count();
    (kept, none)
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The latency figures of one run (seconds; `None` where there is nothing to measure).
fn latency(samples: &[Sample]) -> Value {
    let mut sorted: Vec<f64> = samples.iter().map(|s| s.latency).collect();
    sorted.sort_by(f64::total_cmp);
    let p95 = (!sorted.is_empty()).then(|| sorted[((sorted.len() * 95).div_ceil(100)).max(1) - 1]);
    let before =
        mean(samples.iter().filter(|s| (FAULT_AT_S - 1.0..FAULT_AT_S).contains(&s.t)).map(|s| s.latency));
    let after: Vec<&Sample> = samples.iter().filter(|s| s.t >= FAULT_AT_S).collect();
    let (recovery, max_off) = match before {
        Some(base) if !after.is_empty() => {
            let off = |s: &Sample| (s.latency - base).abs();
            // The first sample from which the latency stays within the band to the end.
            let settled = after.iter().rposition(|s| off(s) > BAND_S).map_or(0, |i| i + 1);
            let recovery = match settled {
                0 => json!(0.0),
                i if i == after.len() => json!("never"),
                i => json!(after[i].t - FAULT_AT_S),
            };
            (recovery, json!(after.iter().map(|s| off(s)).fold(0.0, f64::max)))
        }
        _ => (Value::Null, Value::Null),
    };
    let own: Vec<(f64, f64)> = samples.iter().filter_map(|s| Some((s.own?, s.latency))).collect();
    json!({
        "mean_s": mean(samples.iter().map(|s| s.latency)),
        "p95_s": p95,
        "end_s": samples.last().map(|s| s.latency),
        "before_fault_s": before,
        "recovery_s": recovery,
        "max_off_after_fault_s": max_off,
        "own_mean_s": mean(own.iter().map(|(o, _)| *o)),
        "own_minus_outside_s": mean(own.iter().map(|(o, l)| o - l)),
        "samples": samples.len(),
    })
}

/// The end of the last video segment served (segment N covers `[(N−1)·2, N·2)` s of the
/// presentation), less the element's last position: between 0 and the player's buffer ahead when
/// `currentTime` is on the presentation timeline.
fn segment_end_minus_position(requests: &[RequestRecord], position: Option<f64>) -> Option<f64> {
    let last = requests
        .iter()
        .filter(|r| r.fault.is_none() && matches!(r.status, Some(200 | 206)))
        .filter_map(|r| {
            let name = r.path.rsplit('/').next()?;
            let rest = (0..LADDER.len()).find_map(|i| name.strip_prefix(&format!("chunk-stream{i}-")))?;
            rest.strip_suffix(".m4s")?.parse::<u64>().ok()
        })
        .max()?;
    Some((last * SEGMENT_S) as f64 - position?)
}

/// How the CDN answered the session's requests for the MPD and segments: a count per status
/// (`none` for requests not answered or reset, `fault` for those a scripted fault hit); the page
/// and Chromium's `/favicon.ico` left out.
fn answers(requests: &[RequestRecord]) -> Value {
    let mut counts = serde_json::Map::new();
    for r in requests.iter().filter(|r| !r.path.starts_with("/www/") && r.path != "/favicon.ico") {
        let key = match (&r.fault, r.status) {
            (Some(_), _) => "fault".to_string(),
            (None, Some(status)) => status.to_string(),
            (None, None) => "none".to_string(),
        };
        let n = counts.get(&key).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(key, json!(n + 1));
    }
    Value::Object(counts)
}

/// Play each of `players` for `seconds` in each live scenario of `scenarios`, print a table per
/// scenario and return the rows.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    www: &Path,
    players: &[String],
    scenarios: &[&String],
    seconds: u64,
) -> Vec<Value> {
    // One encode for every run; a run takes its seconds plus Chromium's start and stop.
    let runs = (players.len() * scenarios.len()) as u64;
    let mut encode = LiveEncode::start(Duration::from_secs(runs * (seconds + 30) + 120));
    let mut rows = Vec::new();
    for scenario in scenarios {
        let kind = fault(scenario);
        println!(
            "\n{scenario}: {} at {FAULT_AT_S:.0} s, {seconds} s each \
             (latency in s, outside measure; own = the player's figure)",
            kind.map_or("no fault".to_string(), |k| format!("location a {k:?}"))
        );
        println!(
            "{:<7} {:>12} {:>6} {:>9} {:>11} {:>12} {:>8} {:>7} {:>7} {:>9} {:>9} {:>8}  error",
            "player",
            "1st frame ms",
            "stalls",
            "stalled s",
            "mean kbit/s",
            "CDN switches",
            "lat mean",
            "lat p95",
            "lat end",
            "pre-fault",
            "recovery",
            "own mean",
        );
        for player in players {
            assert!(encode.running(), "the live encode ended early: {}", encode.log());
            let mut config = ServeConfig::new(encode.dir().to_path_buf());
            config.cdns = 2;
            config.rate_kbps = Some(4000);
            config.latency_ms = 40;
            config.www = Some(www.to_path_buf());
            config.faults = FaultScript {
                faults: kind
                    .map(|kind| Fault {
                        location: "a".into(),
                        at_s: Some(FAULT_AT_S),
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
            let url = format!("{a}www/{player}.html?src={}&live=1", cdn.manifest_url());
            let page = json!({ "name": player, "url": url, "script": "probe", "seconds": seconds });
            let result = run_pages(vec![page]).pop().expect("one result");
            let requests = cdn.requests();
            runtime.block_on(cdn.shutdown());
            let probe = &result["probe"];
            let report = &result["report"];
            let (samples, no_position) = samples(report);
            let position = result["video"]["currentTime"].as_f64();
            let error = match (&result["failure"], &result["error"], &report["mpdError"]) {
                (Value::String(f), _, _) => Value::String(format!("page: {f}")),
                (_, Value::String(e), _) => Value::String(e.clone()),
                (_, _, Value::String(e)) => Value::String(format!("h2h MPD read: {e}")),
                // A player that never showed a frame without saying why: the page's console.
                _ if probe["firstFrameMs"].is_null() => {
                    Value::String(format!("no first frame; console: {}", result["console"]))
                }
                _ => Value::Null,
            };
            let row = json!({
                "scenario": scenario,
                "player": player,
                "first_frame_ms": probe["firstFrameMs"],
                "stalls": probe["stalls"],
                "stalled_s": probe["stallSeconds"],
                "mean_kbps": mean_kbps(probe["heights"].as_array().map_or(&[][..], Vec::as_slice)),
                "cdn_switches": cdn_switches(&requests),
                "played_s": samples.first().zip(position).map(|(s, p)| p - s.position),
                "latency": latency(&samples),
                "no_position_s": no_position as f64 * 0.25,
                "segment_end_minus_position_s": segment_end_minus_position(&requests, position),
                "answers": answers(&requests),
                // The CDN's clock starts at the first of these: the page's own read of the MPD.
                "first_dash_requests": requests
                    .iter()
                    .filter(|r| !r.path.starts_with("/www/"))
                    .take(3)
                    .map(|r| format!("{:.3} s {} {}", r.at.as_secs_f64(), r.location, r.path))
                    .collect::<Vec<_>>(),
                "availability_start_unix_s": report["ast"],
                "load_at_s": report["loadAtS"],
                "error": error,
                "console": result["console"],
                // [t s on the CDN's clock, outside latency s, own latency s, currentTime s, rate,
                //  readyState]
                "samples": report["samples"],
                // Flick's own session report (null for the others).
                "report": report.get("stats").cloned().unwrap_or(Value::Null),
            });
            let lat = &row["latency"];
            let recovery = match &lat["recovery_s"] {
                Value::String(s) => s.clone(),
                v => num(v, 1),
            };
            println!(
                "{:<7} {:>12} {:>6} {:>9} {:>11} {:>12} {:>8} {:>7} {:>7} {:>9} {:>9} {:>8}  {}",
                player,
                num(&row["first_frame_ms"], 0),
                num(&row["stalls"], 0),
                num(&row["stalled_s"], 1),
                num(&row["mean_kbps"], 0),
                num(&row["cdn_switches"], 0),
                num(&lat["mean_s"], 2),
                num(&lat["p95_s"], 2),
                num(&lat["end_s"], 2),
                num(&lat["before_fault_s"], 2),
                recovery,
                num(&lat["own_mean_s"], 2),
                [
                    (no_position > 0).then(|| format!("no position {:.1} s;", no_position as f64 * 0.25)),
                    row["error"].as_str().map(|e| e.chars().take(60).collect::<String>()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            );
            rows.push(row);
        }
    }
    rows
}
