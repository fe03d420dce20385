//! `flick inspect` end to end: the built binary on manifest files (good, dynamic, garbage,
//! missing, hostile) and on manifests served over loopback HTTP (the test CDN, and a tiny server
//! announcing a body above the manifest limit).

use flick_serve::{ServeConfig, TestCdn};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// Run `flick ARGS`, killing it if it takes longer than 30 s.
async fn flick(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_flick"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start flick");
    tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("flick {args:?} did not finish"))
        .expect("wait for flick")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flick-inspect-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_string()
}

/// `flick inspect ARGS --json`: exit code, the JSON document, and stderr.
async fn inspect_json(source: &str) -> (Option<i32>, Value, String) {
    let out = flick(&["inspect", source, "--json"]).await;
    let stderr = text(&out.stderr);
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}\n{stderr}", text(&out.stdout)));
    (out.status.code(), json, stderr)
}

/// The one `flick: error[kind]: message` line of a failure.
fn cause(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("flick:")).collect();
    assert_eq!(lines.len(), 1, "one cause line: {stderr}");
    lines[0]
}

fn codes(json: &Value) -> Vec<&str> {
    json["notices"].as_array().unwrap().iter().map(|n| n["code"].as_str().unwrap()).collect()
}

/// Two periods; video by SegmentTimeline on two CDNs with DVB priorities, audio by SegmentBase, a
/// text track; content steering.
const GOOD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:dvb="urn:dvb:dash:dash-extensions:2014-1"
     type="static" mediaPresentationDuration="PT60S" minBufferTime="PT2S">
  <BaseURL serviceLocation="beta" dvb:priority="2" dvb:weight="10">https://b.example/vod/</BaseURL>
  <BaseURL serviceLocation="alpha" dvb:priority="1" dvb:weight="5">https://a.example/vod/</BaseURL>
  <ContentSteering defaultServiceLocation="alpha" queryBeforeStart="true">https://steer.example/s</ContentSteering>
  <Period id="main" start="PT0S" duration="PT40S">
    <AdaptationSet contentType="video" mimeType="video/mp4" codecs="avc1.64001f">
      <SegmentTemplate timescale="1000" initialization="v/$RepresentationID$/init.mp4" media="v/$RepresentationID$/$Time$.m4s">
        <SegmentTimeline><S t="0" d="4000" r="9"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="720p" bandwidth="3000000" width="1280" height="720" frameRate="30"/>
      <Representation id="360p" bandwidth="800000" width="640" height="360" frameRate="30000/1001"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en" codecs="mp4a.40.2">
      <Representation id="aac" bandwidth="128000" audioSamplingRate="48000">
        <BaseURL>audio.mp4</BaseURL>
        <SegmentBase indexRange="900-1499"><Initialization range="0-899"/></SegmentBase>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="text" mimeType="application/mp4" lang="fr" codecs="stpp">
      <SegmentTemplate timescale="1" duration="4" media="t/$Number$.m4s"/>
      <Representation id="sub" bandwidth="1000"/>
    </AdaptationSet>
  </Period>
  <Period id="extra" duration="PT20S">
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <SegmentTemplate timescale="1" duration="2" media="e/$Number$.m4s"/>
      <Representation id="e" bandwidth="500000"/>
    </AdaptationSet>
  </Period>
</MPD>
"#;

#[tokio::test]
async fn a_good_static_manifest_is_summarised() {
    let dir = scratch("good");
    let path = write(&dir, "good.mpd", GOOD);
    let (code, json, stderr) = inspect_json(&path).await;
    assert_eq!(code, Some(0), "{stderr}\n{json:#}");
    assert_eq!(json["playable"], true);
    assert!(json["error"].is_null());
    assert_eq!(json["duration_s"], 60.0);
    assert_eq!(json["min_buffer_time_s"], 2.0);
    let periods = json["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!((periods[0]["id"].as_str(), periods[0]["played"].as_bool()), (Some("main"), Some(true)));
    assert_eq!((periods[1]["start_s"].as_f64(), periods[1]["played"].as_bool()), (Some(40.0), Some(false)));
    assert_eq!(periods[0]["duration_s"], 40.0);

    let tracks = periods[0]["tracks"].as_array().unwrap();
    let kinds: Vec<&str> = tracks.iter().map(|t| t["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["video", "audio", "text"]);
    let played: Vec<bool> = tracks.iter().map(|t| t["played"].as_bool().unwrap()).collect();
    assert_eq!(played, [true, true, false]);
    assert_eq!(tracks[1]["language"], "en");
    assert_eq!(tracks[0]["codecs"], serde_json::json!(["avc1.64001f"]));

    // Rungs lowest first, with resolution, frame rate and their template's segments.
    let video = tracks[0]["representations"].as_array().unwrap();
    assert_eq!(video[0]["id"], "360p");
    assert_eq!((video[1]["width"].as_u64(), video[1]["height"].as_u64()), (Some(1280), Some(720)));
    assert_eq!(video[0]["frame_rate"], "30000/1001");
    assert_eq!(video[1]["bandwidth_bps"], 3_000_000);
    let segments = &video[1]["segments"];
    assert_eq!(segments["addressing"], "template");
    assert_eq!(segments["count"], 10);
    assert_eq!(segments["first"]["url"], "https://a.example/vod/v/720p/0.m4s", "best location first");
    assert_eq!(segments["last"]["url"], "https://a.example/vod/v/720p/36000.m4s");
    assert_eq!(
        (segments["last"]["start_s"].as_f64(), segments["last"]["duration_s"].as_f64()),
        (Some(36.0), Some(4.0))
    );
    assert_eq!(segments["init"]["url"], "https://a.example/vod/v/720p/init.mp4");
    let bases: Vec<&str> =
        video[1]["base_urls"].as_array().unwrap().iter().map(|b| b["location"].as_str().unwrap()).collect();
    assert_eq!(bases, ["alpha", "beta"]);

    // The audio's segments are in a sidx, to be fetched.
    let audio = &tracks[1]["representations"][0];
    assert_eq!(audio["audio_sampling_rate"], "48000");
    assert_eq!(audio["segments"]["addressing"], "indexed");
    assert!(audio["segments"]["count"].is_null());
    assert_eq!(audio["segments"]["index"]["url"], "https://a.example/vod/audio.mp4");
    assert_eq!(audio["segments"]["index"]["range"], "900-1499");

    let locations = json["locations"].as_array().unwrap();
    assert_eq!(locations[0]["id"], "alpha");
    assert_eq!((locations[0]["priority"].as_u64(), locations[0]["weight"].as_u64()), (Some(1), Some(5)));
    assert_eq!((locations[1]["id"].as_str(), locations[1]["priority"].as_u64()), (Some("beta"), Some(2)));
    assert_eq!(json["steering"]["server"], "https://steer.example/s");
    assert_eq!(json["steering"]["default_service_location"], "alpha");
    assert_eq!(json["steering"]["query_before_start"], true);

    let codes = codes(&json);
    for code in ["multi_period", "text_not_played", "sidx_to_fetch"] {
        assert!(codes.contains(&code), "no {code} in {codes:?}");
    }
    assert!(!codes.contains(&"no_audio"), "{codes:?}");
    assert!(stderr.is_empty(), "nothing on stderr when it is playable: {stderr}");

    // Without --json, the same for people.
    let out = flick(&["inspect", &path]).await;
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("720p 3000 kbit/s 1280x720 30 fps"), "{stdout}");
    assert!(stdout.contains("10 segments, template (computed lazily)"), "{stdout}");
    assert!(stdout.contains("segments in a sidx index"), "{stdout}");
    assert!(stdout.contains("warning[multi_period]"), "{stdout}");
    assert!(stdout.trim_end().ends_with("playable"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_dynamic_manifest_is_summarised_with_its_live_side() {
    let dir = scratch("dynamic");
    let live = GOOD.replace(
        r#"type="static""#,
        r#"type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z" timeShiftBufferDepth="PT30S" minimumUpdatePeriod="PT2S""#,
    );
    let path = write(&dir, "live.mpd", live);
    let (code, json, stderr) = inspect_json(&path).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json["playable"], true);
    assert_eq!(json["live"]["availability_start_unix_s"], 1_704_067_200.0);
    assert_eq!(json["live"]["window_s"], 30.0);
    assert_eq!(json["live"]["update_period_s"], 2.0);
    let out = flick(&["inspect", &path]).await;
    let stdout = text(&out.stdout);
    assert!(stdout.contains("live: window 30.000 s, updates every 2.000 s"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Well-formed, but nothing Flick plays: subtitles only.
const TEXT_ONLY: &str = r#"<MPD type="static" mediaPresentationDuration="PT8S"><Period>
  <AdaptationSet contentType="text" mimeType="application/mp4" lang="fr">
    <SegmentTemplate timescale="1" duration="4" media="t/$Number$.m4s"/>
    <Representation id="sub" bandwidth="1000"/>
  </AdaptationSet></Period></MPD>"#;

#[tokio::test]
async fn garbage_a_missing_file_and_nothing_playable_fail_with_a_typed_cause() {
    let dir = scratch("garbage");
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let cases = [
        (write(&dir, "noise.mpd", noise), "manifest.malformed"),
        (write(&dir, "html.mpd", "<html><body>404</body></html>"), "manifest.malformed"),
        (write(&dir, "empty.mpd", ""), "manifest.malformed"),
        (write(&dir, "text-only.mpd", TEXT_ONLY), "no_playable_track"),
        (dir.join("missing.mpd").to_str().unwrap().to_string(), "read"),
        (dir.to_str().unwrap().to_string(), "read"),
    ];
    for (source, kind) in cases {
        let out = flick(&["inspect", &source]).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{source}: {stderr}");
        assert!(cause(&stderr).starts_with(&format!("flick: error[{kind}]: ")), "{source}: {stderr}");
        assert!(text(&out.stdout).trim_end().ends_with("not playable"), "{source}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn bad_usage_exits_2() {
    for args in
        [&["inspect"][..], &["inspect", "a.mpd", "--nope"], &["inspect", ""], &["inspect", "a.mpd", "b.mpd"]]
    {
        let out = flick(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// 4.8 KB: a static MPD of 1 000 000 one-second segments per representation, whose media names
/// are 4 000 characters long, in five representations.
fn hostile() -> String {
    let name = "n".repeat(4000);
    let reps: String = (0..5)
        .map(|i| {
            format!(
                "      <Representation id=\"v{i}\" bandwidth=\"{}\" width=\"1280\" height=\"720\" codecs=\"avc1.64001f\"/>\n",
                (i + 1) * 500_000
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1000000S" minBufferTime="PT2S">
  <Period>
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <SegmentTemplate timescale="1" duration="1" media="{name}$Number$.m4s"/>
{reps}    </AdaptationSet>
  </Period>
</MPD>
"#
    )
}

#[tokio::test]
async fn a_hostile_manifest_is_reported_without_listing_its_segments() {
    let dir = scratch("hostile");
    let mpd = hostile();
    assert!((4700..5000).contains(&mpd.len()), "{} bytes", mpd.len());
    let path = write(&dir, "hostile.mpd", &mpd);
    let out = flick(&["inspect", &path, "--json"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Two segments per representation are described, never a million.
    assert!(out.stdout.len() < 100_000, "{} bytes of JSON", out.stdout.len());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["playable"], true);
    let reps = json["periods"][0]["tracks"][0]["representations"].as_array().unwrap();
    assert_eq!(reps.len(), 5);
    for rep in reps {
        let segments = &rep["segments"];
        assert_eq!(segments["addressing"], "template", "computed lazily");
        assert_eq!(segments["count"], 1_000_000);
        assert_eq!(segments["last"]["number"], 1_000_000);
        assert_eq!(segments["last"]["start_s"], 999_999.0);
        let url = segments["last"]["url"].as_str().unwrap();
        assert!(url.ends_with(&format!("{}1000000.m4s", "n".repeat(4000))), "{}", &url[..80]);
    }
    // For people, the names are cut.
    let out = flick(&["inspect", &path]).await;
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.lines().all(|l| l.chars().count() < 300), "long lines:\n{stdout}");
    assert!(stdout.contains("1000000 segments, template (computed lazily)"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_served_over_loopback_http_is_fetched_and_resolved_there() {
    let dir = scratch("served");
    let served = GOOD.replace(r#"<BaseURL serviceLocation="beta" dvb:priority="2" dvb:weight="10">https://b.example/vod/</BaseURL>"#, "");
    write(&dir, "manifest.mpd", served);
    let cdn = TestCdn::start(ServeConfig::new(dir.clone())).await.expect("start the test CDN");
    let url = cdn.manifest_url();
    let (code, json, stderr) = inspect_json(&url).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json["manifest_url"], url.as_str());
    // The test CDN rewrites the BaseURLs to its own two locations.
    let ids: Vec<&str> =
        json["locations"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "b"]);
    let (_, a) = &cdn.location_urls()[0];
    let first =
        json["periods"][0]["tracks"][0]["representations"][0]["segments"]["first"]["url"].as_str().unwrap();
    assert_eq!(first, format!("{a}v/360p/0.m4s"));
    assert_eq!(cdn.requests().len(), 1, "one request: the manifest");

    // A missing manifest is an HTTP failure.
    let missing = url.replace("manifest.mpd", "nope.mpd");
    let out = flick(&["inspect", &missing]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(cause(&text(&out.stderr)).contains("error[fetch]: ") && text(&out.stderr).contains("HTTP 404"));
    cdn.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_announcing_more_than_the_limit_is_not_read() {
    // A server announcing a 17 MiB manifest, then sending bytes for as long as it is read.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = [0u8; 4096];
        let _ = stream.read(&mut head).await;
        let size = 17 * 1024 * 1024;
        stream
            .write_all(format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let block = vec![b' '; 65536];
        let mut sent = 0;
        while sent < size && stream.write_all(&block).await.is_ok() {
            sent += block.len();
        }
        sent
    });
    let out = flick(&["inspect", &format!("http://{addr}/big.mpd")]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(cause(&stderr).contains("error[too_large]: "), "{stderr}");
    let sent = tokio::time::timeout(Duration::from_secs(10), server).await.unwrap().unwrap();
    assert!(sent < 17 * 1024 * 1024, "the whole body was read");
}
