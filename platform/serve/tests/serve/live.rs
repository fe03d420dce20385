//! Live mode over real HTTP, on ffmpeg-made content (1 s segments, 4 s loops): the dynamic MPD,
//! segment availability on the server's clock, moving timeline windows, the time server, media
//! times across loops, and the VOD machinery (faults, the request log) on the live routes.

use crate::{Folder, client, start, url};
use flick_serve::live::parse_utc;
use flick_serve::{FaultScript, LiveAddressing, LiveConfig, ResourceKind, ServeConfig, ServeError, TestCdn};
use flick_tests::fixtures::{TempDir, ffmpeg_ready};
use flick_tests::media::{MediaSpec, VideoRung, encode_media};
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

const T: Duration = Duration::from_secs(10);
/// Segments per loop of the test clip.
const COUNT: u64 = 4;

/// A 4 s clip (one 160x90 rung, `0`; one AAC track, `1`) in 1 s segments, addressed with
/// `@duration` or a `SegmentTimeline`.
fn content(name: &str, timeline: bool) -> TempDir {
    let dir = TempDir::new(&format!("serve-live-{name}"));
    let spec = MediaSpec {
        rungs: vec![VideoRung { width: 160, height: 90, kbps: 150 }],
        audio_languages: vec!["eng".into()],
        segment: Duration::from_secs(1),
        timeline,
        ..MediaSpec::two_languages(Duration::from_secs(COUNT))
    };
    encode_media(&dir.0, &spec);
    dir
}

fn live_config(dir: &TempDir, live: LiveConfig) -> ServeConfig {
    ServeConfig { live: Some(live), ..ServeConfig::new(dir.0.clone()) }
}

/// Every element of `xml` in document order: local name and attributes.
fn elements(xml: &str) -> Vec<(String, HashMap<String, String>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("the MPD is XML: {e}\n{xml}")) {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap();
                        (a.key.as_ref().to_string(), value.into_owned())
                    })
                    .collect();
                out.push((e.local_name().as_ref().to_string(), attributes));
            }
            quick_xml::events::Event::Eof => return out,
            _ => {}
        }
    }
}

fn first<'a>(all: &'a [(String, HashMap<String, String>)], name: &str) -> &'a HashMap<String, String> {
    &all.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no <{name}>")).1
}

async fn get(path: &str) -> reqwest::Response {
    client(T).get(path).send().await.unwrap()
}

async fn mpd(cdn: &TestCdn, location: &str) -> String {
    let manifest = cdn.manifest_url();
    let path = manifest.rsplit('/').next().unwrap();
    let response = get(&url(cdn, location, path)).await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// Seconds from `a` to `b` (negative when `b` is earlier).
fn seconds(a: SystemTime, b: SystemTime) -> f64 {
    match b.duration_since(a) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_mpd_is_dynamic_and_names_its_time_server() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = content("mpd", false);
    let delay = LiveConfig { presentation_delay: Some(Duration::from_secs(6)), ..LiveConfig::default() };
    let cdn = start(live_config(&dir, delay)).await;
    let started = SystemTime::now();
    for location in ["a", "b"] {
        let text = mpd(&cdn, location).await;
        let all = elements(&text);
        let root = first(&all, "MPD");
        assert_eq!(root["type"], "dynamic");
        let ast = parse_utc(&root["availabilityStartTime"]).unwrap();
        assert_eq!(Some(ast), cdn.live_start());
        assert!(root["availabilityStartTime"].ends_with('Z') && root["availabilityStartTime"].len() == 24);
        assert!((seconds(ast, started) - 30.0).abs() < 2.0, "the stream started a window (30 s) ago");
        assert!(seconds(parse_utc(&root["publishTime"]).unwrap(), SystemTime::now()).abs() < 2.0);
        assert_eq!(root["minimumUpdatePeriod"], "PT2S");
        assert_eq!(root["timeShiftBufferDepth"], "PT30S");
        assert_eq!(root["suggestedPresentationDelay"], "PT6S");
        assert!(!root.contains_key("mediaPresentationDuration"), "{text}");
        let periods: Vec<_> = all.iter().filter(|(n, _)| n == "Period").collect();
        assert_eq!(periods.len(), 1);
        assert_eq!((periods[0].1["start"].as_str(), periods[0].1["id"].as_str()), ("PT0S", "0"));
        let timings: Vec<_> = all.iter().filter(|(n, _)| n == "UTCTiming").map(|(_, a)| a).collect();
        assert_eq!(timings[0]["schemeIdUri"], "urn:mpeg:dash:utc:http-iso:2014");
        assert_eq!(timings[0]["value"], url(&cdn, location, "time"), "the time server of the location asked");
        let bases: Vec<_> =
            all.iter().filter(|(n, _)| n == "BaseURL").map(|(_, a)| a["serviceLocation"].as_str()).collect();
        assert_eq!(bases, ["a", "b"]);
        for (_, template) in all.iter().filter(|(n, _)| n == "SegmentTemplate") {
            assert_eq!(template["media"], "live/$RepresentationID$/$Number$.m4s");
            assert_eq!(template["initialization"], "init-stream$RepresentationID$.m4s");
            assert_eq!(template["startNumber"], "1");
            assert!(template.contains_key("duration"), "{text}");
        }
        assert!(!text.contains("SegmentTimeline"), "{text}");
    }
    let init = get(&url(&cdn, "b", "init-stream0.m4s")).await;
    assert_eq!(init.status(), 200, "the VOD initialization segments stay");
    cdn.shutdown().await;
}

/// `(availabilityStartTime, now)` by the first MPD.
async fn clock(cdn: &TestCdn) -> (SystemTime, SystemTime) {
    let text = mpd(cdn, "a").await;
    let ast = parse_utc(&first(&elements(&text), "MPD")["availabilityStartTime"]).unwrap();
    (ast, SystemTime::now())
}

async fn sleep_until(time: SystemTime) {
    if let Ok(wait) = time.duration_since(SystemTime::now()) {
        tokio::time::sleep(wait).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_appear_at_their_end_and_leave_the_window() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = content("availability", false);
    let window = LiveConfig {
        window: Duration::from_secs(6),
        start_offset: Some(Duration::from_secs(20)),
        ..LiveConfig::default()
    };
    let cdn = start(live_config(&dir, window)).await;
    let (ast, now) = clock(&cdn).await;
    let segment = |n: u64| url(&cdn, "a", &format!("live/0/{n}.m4s"));
    // Segment n (from 1, 1 s each) ends n s after the stream's start.
    let n = seconds(ast, now).ceil() as u64 + 1;
    let end = ast + Duration::from_secs(n);
    sleep_until(end - Duration::from_millis(400)).await;
    let early = get(&segment(n)).await;
    assert_eq!(early.status(), 404, "segment {n} before its end");
    assert!(early.text().await.unwrap().contains("not available yet"));
    sleep_until(end + Duration::from_millis(400)).await;
    let on_time = get(&segment(n)).await;
    assert_eq!(on_time.status(), 200, "segment {n} after its end");
    assert_eq!(on_time.headers()["content-type"], "video/iso.segment");
    assert!(!on_time.bytes().await.unwrap().is_empty());
    assert_eq!(get(&segment(n + 2)).await.status(), 404, "the future");
    // The window is 6 s, plus one segment of slack: segment n - 5 ended 5 s ago, n - 9 ended 9 s ago.
    assert_eq!(get(&segment(n - 5)).await.status(), 200);
    let gone = get(&segment(n - 9)).await;
    assert_eq!(gone.status(), 404, "an old segment");
    assert!(gone.text().await.unwrap().contains("left the time-shift window"));
    let head = client(T).head(segment(n)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    cdn.shutdown().await;
}

/// The video template's `(startNumber, [(t, d, r)])` in a timeline MPD.
fn video_timeline(text: &str) -> (u64, Vec<(Option<u64>, u64, u64)>) {
    let all = elements(text);
    let at = all.iter().position(|(n, _)| n == "SegmentTemplate").unwrap();
    let start = all[at].1["startNumber"].parse().unwrap();
    let entries = all[at + 1..]
        .iter()
        .skip_while(|(n, _)| n == "SegmentTimeline")
        .take_while(|(n, _)| n == "S")
        .map(|(_, s)| {
            let number = |k: &str| s.get(k).map(|v| v.parse::<u64>().unwrap());
            (number("t"), number("d").unwrap(), number("r").unwrap_or(0))
        })
        .collect();
    (start, entries)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeline_windows_move_between_refreshes() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = content("timeline", true);
    let config = LiveConfig {
        addressing: LiveAddressing::NumberTimeline,
        window: Duration::from_secs(8),
        ..LiveConfig::default()
    };
    let cdn = start(live_config(&dir, config)).await;
    let before = mpd(&cdn, "a").await;
    assert!(!before.contains("suggestedPresentationDelay"), "{before}");
    let (start1, s1) = video_timeline(&before);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (start2, s2) = video_timeline(&mpd(&cdn, "a").await);
    let timescale = 12_800;
    for (start, entries) in [(start1, &s1), (start2, &s2)] {
        assert_eq!(entries.len(), 1, "one run of equal segments: {entries:?}");
        let (t, d, r) = entries[0];
        assert_eq!(d, timescale, "1 s segments");
        assert!((8..=9).contains(&(r + 1)), "the 1 s segments that ended in the last 8 s: {entries:?}");
        assert_eq!(t, Some((start - 1) * timescale), "media time == presentation time");
    }
    assert!((1..=3).contains(&(start2 - start1)), "the window moved by about 2 s: {start1} -> {start2}");
    let last = start2 + s2[0].2;
    for (n, status) in [(start2, 200), (last, 200), (last + 2, 404)] {
        let response = get(&url(&cdn, "b", &format!("live/0/{n}.m4s"))).await;
        assert_eq!(response.status(), status, "segment {n} of the window {start2}..={last}");
    }
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_server_tells_the_servers_clock() {
    let folder = Folder::new("live-time");
    let vod = start(folder.config()).await;
    assert_eq!(get(&url(&vod, "a", "time")).await.status(), 404, "VOD has no time server");
    vod.shutdown().await;
    if !ffmpeg_ready() {
        return;
    }
    let dir = content("time", false);
    let cdn = start(live_config(&dir, LiveConfig::default())).await;
    for location in ["a", "b"] {
        let response = get(&url(&cdn, location, "time")).await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
        assert!(response.headers().contains_key("date"));
        let text = response.text().await.unwrap();
        assert_eq!(text.len(), 24, "{text}");
        let told = parse_utc(&text).unwrap_or_else(|| panic!("{text}"));
        assert!(seconds(told, SystemTime::now()).abs() < 1.0, "{text}");
        let head = client(T).head(url(&cdn, location, "time")).send().await.unwrap();
        assert_eq!((head.status().as_u16(), head.headers()["content-length"].to_str().unwrap()), (200, "24"));
    }
    for path in ["manifest.mpd", "live/0/5.m4s", "init-stream1.m4s"] {
        assert!(get(&url(&cdn, "a", path)).await.headers().contains_key("date"), "{path}");
    }
    cdn.shutdown().await;
}

/// The box at `path` (each step a child type) in `data`.
fn find_box<'a>(data: &'a [u8], path: &[&[u8; 4]]) -> Option<&'a [u8]> {
    let (kind, rest) = path.split_first()?;
    let mut at = 0;
    while at + 8 <= data.len() {
        let size = u32::from_be_bytes(data[at..at + 4].try_into().ok()?) as usize;
        if size < 8 || at + size > data.len() {
            return None;
        }
        if &&data[at + 4..at + 8] == kind {
            let body = &data[at + 8..at + size];
            return if rest.is_empty() { Some(body) } else { find_box(body, rest) };
        }
        at += size;
    }
    None
}

/// A media segment's decode time.
fn tfdt(segment: &[u8]) -> u64 {
    let body = find_box(segment, &[b"moof", b"traf", b"tfdt"]).expect("a tfdt");
    match body[0] {
        1 => u64::from_be_bytes(body[4..12].try_into().unwrap()),
        _ => u32::from_be_bytes(body[4..8].try_into().unwrap()).into(),
    }
}

/// An initialization segment's media timescale.
fn timescale(init: &[u8]) -> u64 {
    let body = find_box(init, &[b"moov", b"trak", b"mdia", b"mdhd"]).expect("an mdhd");
    let at = if body[0] == 1 { 20 } else { 12 };
    u32::from_be_bytes(body[at..at + 4].try_into().unwrap()).into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_loop_segments_continue_the_media_time() {
    if !ffmpeg_ready() {
        return;
    }
    for (timeline, addressing) in
        [(false, LiveAddressing::NumberDuration), (true, LiveAddressing::TimeTimeline)]
    {
        let dir = content(if timeline { "loop-timeline" } else { "loop-template" }, timeline);
        let cdn = start(live_config(&dir, LiveConfig { addressing, ..LiveConfig::default() })).await;
        let video_scale = timescale(&std::fs::read(dir.0.join("init-stream0.m4s")).unwrap());
        let audio_scale = timescale(&std::fs::read(dir.0.join("init-stream1.m4s")).unwrap());
        // Segment 6: the second loop's second segment, VOD segment 2; it ended 6 s after the
        // stream's start, well inside the 30 s window.
        let n = COUNT + 2;
        let video = get(&url(&cdn, "a", &format!("live/0/{n}.m4s"))).await;
        assert_eq!(video.status(), 200);
        let video = video.bytes().await.unwrap();
        assert_eq!(tfdt(&video), (n - 1) * video_scale, "its presentation time (timeline: {timeline})");
        let vod = std::fs::read(dir.0.join("chunk-stream0-00002.m4s")).unwrap();
        assert_eq!(video.len(), vod.len());
        // A timeline lists every audio file (ffmpeg may end with a short one); `@duration`
        // counts ceil(4 s / 1 s).
        let files = std::fs::read_dir(&dir.0).unwrap();
        let audio_files =
            files.filter(|f| f.as_ref().unwrap().file_name().to_string_lossy().starts_with("chunk-stream1-"));
        let audio_count = if timeline { audio_files.count() as u64 } else { COUNT };
        let audio = get(&url(&cdn, "a", &format!("live/1/{}.m4s", audio_count + 2))).await;
        assert_eq!(audio.status(), 200);
        let audio = audio.bytes().await.unwrap();
        let vod_audio = std::fs::read(dir.0.join("chunk-stream1-00002.m4s")).unwrap();
        assert_eq!(tfdt(&audio), tfdt(&vod_audio) + COUNT * audio_scale, "one 4 s loop later");
        if timeline {
            // The same segment by its time, as the $Time$ template names it.
            let text = mpd(&cdn, "a").await;
            assert!(text.contains("t$Time$.m4s"), "{text}");
            let by_time = get(&url(&cdn, "b", &format!("live/0/t{}.m4s", (n - 1) * video_scale))).await;
            assert_eq!(by_time.bytes().await.unwrap(), video);
        }
        cdn.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_routes_take_faults_and_are_logged_with_their_numbers() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = content("faults", false);
    let faults =
        FaultScript::parse(r#"{"faults": [{"location": "b", "kind": {"http": 503}, "resources": "media"}]}"#)
            .unwrap();
    let cdn = start(ServeConfig { faults, latency_ms: 50, ..live_config(&dir, LiveConfig::default()) }).await;
    let _ = mpd(&cdn, "b").await;
    assert_eq!(get(&url(&cdn, "b", "init-stream0.m4s")).await.status(), 200);
    assert_eq!(get(&url(&cdn, "b", "live/0/7.m4s")).await.status(), 503);
    let started = std::time::Instant::now();
    assert_eq!(get(&url(&cdn, "a", "live/0/7.m4s")).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(50), "the latency applies");
    let _ = get(&url(&cdn, "a", "time")).await;
    let log: Vec<_> =
        cdn.requests().into_iter().map(|r| (r.location, r.path, r.kind, r.segment, r.status)).collect();
    assert_eq!(
        log,
        [
            ("b".into(), "/manifest.mpd".into(), Some(ResourceKind::Manifest), None, Some(200)),
            ("b".into(), "/init-stream0.m4s".into(), Some(ResourceKind::Init), None, Some(200)),
            ("b".into(), "/live/0/7.m4s".into(), Some(ResourceKind::Media), Some(7), Some(503)),
            ("a".into(), "/live/0/7.m4s".into(), Some(ResourceKind::Media), Some(7), Some(200)),
            ("a".into(), "/time".into(), None, None, Some(200)),
        ]
    );
    cdn.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_cannot_loop_does_not_start() {
    // The hand-written folder's initialization segment is random bytes: no timescale to read.
    let folder = Folder::new("live-refused");
    let config = ServeConfig { live: Some(LiveConfig::default()), ..folder.config() };
    match TestCdn::start(config).await {
        Err(error @ ServeError::Live { .. }) => {
            assert!(error.to_string().contains("init-stream0.m4s"), "{error}");
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("started"),
    }
}
