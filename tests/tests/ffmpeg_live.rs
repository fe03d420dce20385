//! The live fixture (`fixtures::FfmpegLive`): a real-time ffmpeg DASH encode whose MPD is dynamic
//! and whose segments appear as the clock runs. Each test runs ffmpeg for about 6 s.
//!
//! ffmpeg must be on `PATH`; `FLICK_SKIP_FFMPEG_TESTS=1` skips these tests.

use flick_tests::fixtures::{FfmpegLive, LiveOptions, TempDir, ffmpeg_ready};
use std::path::Path;
use std::time::Duration;

/// The value of `attribute="…"` in the MPD's text (first occurrence).
fn attribute<'a>(mpd: &'a str, attribute: &str) -> Option<&'a str> {
    let start = mpd.find(&format!("{attribute}=\""))? + attribute.len() + 2;
    Some(&mpd[start..start + mpd[start..].find('"')?])
}

/// Segments listed by the first SegmentTimeline of the MPD (each `S` stands for `r + 1`).
fn timeline_segments(mpd: &str) -> usize {
    let Some(start) = mpd.find("<SegmentTimeline>") else { return 0 };
    let end = start + mpd[start..].find("</SegmentTimeline>").expect("a closed SegmentTimeline");
    mpd[start..end]
        .split("<S ")
        .skip(1)
        .map(|s| {
            attribute(&format!(" {s}"), " r").map_or(1, |r| r.parse::<usize>().expect("a repeat count") + 1)
        })
        .sum()
}

/// Starts `options`, checks the MPD is dynamic and that segments keep coming for ~6 s, returns
/// the first and the last MPD seen.
fn run(name: &str, options: &LiveOptions) -> (String, String) {
    let dir = TempDir::new(name);
    let mut live = FfmpegLive::start(&dir.0, options);
    let first = live.read_mpd();
    assert_eq!(attribute(&first, "type"), Some("dynamic"), "{first}");
    assert!(attribute(&first, "availabilityStartTime").is_some(), "{first}");
    assert!(live.dir().join("init-stream0.m4s").exists());
    for stream in 0..live.streams() {
        assert!(live.segments_of(stream) >= 1, "stream {stream}: {:?}", live.segments());
    }

    // Segments keep appearing, one per 2 s.
    let before = live.segments_of(0);
    live.wait_for_segments(before + 2, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let last = live.read_mpd();
    assert_eq!(attribute(&last, "type"), Some("dynamic"), "{last}");
    assert_ne!(
        attribute(&first, "publishTime"),
        attribute(&last, "publishTime"),
        "the MPD was not rewritten"
    );
    assert!(live.elapsed() < Duration::from_secs(20), "took {:?}", live.elapsed());

    let pid = live.pid();
    drop(live);
    assert!(!Path::new(&format!("/proc/{pid}")).exists(), "ffmpeg ({pid}) was not reaped");
    (first, last)
}

#[test]
fn a_ladder_with_duration_templates_is_live_and_grows() {
    if !ffmpeg_ready() {
        return;
    }
    let (_, mpd) = run("live-template", &LiveOptions::default());
    assert_eq!(mpd.matches("<Representation ").count(), 3, "{mpd}");
    assert!(mpd.contains("media=\"chunk-stream$RepresentationID$-$Number%05d$.m4s\""), "{mpd}");
    assert!(!mpd.contains("<SegmentTimeline>"), "{mpd}");
    assert!(!mpd.contains("UTCTiming"), "{mpd}");
}

#[test]
fn a_timeline_with_utc_timing_is_live_and_grows() {
    if !ffmpeg_ready() {
        return;
    }
    let options = LiveOptions {
        use_timeline: true,
        utc_timing_url: Some("http://127.0.0.1:1/time".into()),
        video_kbps: vec![800],
        ..LiveOptions::default()
    };
    let (first, last) = run("live-timeline", &options);
    assert_eq!(last.matches("<Representation ").count(), 2, "{last}");
    assert!(last.contains("<S t=\"0\""), "{last}");
    assert!(
        timeline_segments(&last) > timeline_segments(&first),
        "the timeline did not grow:\n{first}\n{last}"
    );
    assert!(
        last.contains(
            r#"<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-xsdate:2014" value="http://127.0.0.1:1/time"/>"#
        ),
        "{last}"
    );
}

#[test]
fn a_limited_encode_ends_by_itself_with_a_static_mpd() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("live-limit");
    let options =
        LiveOptions { video_kbps: vec![400], limit: Some(Duration::from_secs(4)), ..LiveOptions::default() };
    let live = FfmpegLive::start(&dir.0, &options);
    let mpd = live.mpd().to_path_buf();
    assert_eq!(live.wait(Duration::from_secs(15)), Ok(true));
    let text = std::fs::read_to_string(mpd).unwrap();
    assert_eq!(attribute(&text, "type"), Some("static"), "{text}");
    assert_eq!(attribute(&text, "mediaPresentationDuration"), Some("PT4.0S"), "{text}");
}
