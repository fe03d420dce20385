use super::*;
use std::path::{Path, PathBuf};

/// ffmpeg's MPD shape: per-Representation templates, `@duration` in microseconds.
pub(crate) const TEMPLATE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"
	profiles="urn:mpeg:dash:profile:isoff-live:2011"
	type="static"
	mediaPresentationDuration="PT6.0S"
	minBufferTime="PT4.0S">
	<UTCTiming schemeIdUri="urn:mpeg:dash:utc:direct:2014" value="2020-01-01T00:00:00Z"/>
	<Period id="0" start="PT0.0S">
		<AdaptationSet id="0" contentType="video">
			<Representation id="0" bandwidth="150000">
				<SegmentTemplate timescale="1000000" duration="2000000" initialization="init-stream$RepresentationID$.m4s" media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1">
				</SegmentTemplate>
			</Representation>
		</AdaptationSet>
		<AdaptationSet id="1" contentType="audio">
			<Representation id="2" bandwidth="64000">
				<SegmentTemplate timescale="48000" initialization="init-stream$RepresentationID$.m4s" media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1">
					<SegmentTimeline>
						<S t="0" d="95232" />
						<S d="96256" r="1" />
						<S d="256" />
					</SegmentTimeline>
				</SegmentTemplate>
			</Representation>
		</AdaptationSet>
	</Period>
</MPD>
"#;

fn at(secs: f64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_169_600) + Duration::from_secs_f64(secs)
}

fn render(config: &LiveConfig, elapsed: f64) -> String {
    let source = source::read(TEMPLATE).unwrap();
    let moment = manifest::Moment { start: at(0.0), now: at(elapsed) };
    manifest::render(&source, config, &moment, "http://127.0.0.1:8001/time")
}

/// The audio track's timeline over `loops` loops (ffmpeg's four unequal AAC segments).
fn audio_loops(loops: usize) -> String {
    let one =
        "\n\t\t\t\t\t\t<S d=\"95232\"/>\n\t\t\t\t\t\t<S d=\"96256\" r=\"1\"/>\n\t\t\t\t\t\t<S d=\"256\"/>";
    one.repeat(loops).replacen("<S d=\"95232\"/>", "<S t=\"0\" d=\"95232\"/>", 1)
}

#[test]
fn the_live_mpd_is_dynamic_and_its_timelines_list_the_window() {
    let expected = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"
	profiles="urn:mpeg:dash:profile:isoff-live:2011"
	type="dynamic"
	availabilityStartTime="2026-12-02T00:00:00.000Z"
	publishTime="2026-12-02T00:00:31.500Z"
	minimumUpdatePeriod="PT2S"
	timeShiftBufferDepth="PT30S"
	minBufferTime="PT4.0S">
	<Period id="0" start="PT0S">
		<AdaptationSet id="0" contentType="video">
			<Representation id="0" bandwidth="150000">
				<SegmentTemplate timescale="1000000" initialization="init-stream$RepresentationID$.m4s" media="live/$RepresentationID$/$Number$.m4s" startNumber="1" duration="2000000"/>
			</Representation>
		</AdaptationSet>
		<AdaptationSet id="1" contentType="audio">
			<Representation id="2" bandwidth="64000">
				<SegmentTemplate timescale="48000" initialization="init-stream$RepresentationID$.m4s" media="live/$RepresentationID$/$Number$.m4s" startNumber="1">
					<SegmentTimeline>{}
					</SegmentTimeline>
				</SegmentTemplate>
			</Representation>
		</AdaptationSet>
	</Period>
	<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="http://127.0.0.1:8001/time"/>
	<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-xsdate:2014" value="http://127.0.0.1:8001/time"/>
</MPD>
"#,
        audio_loops(5)
    );
    assert_eq!(render(&LiveConfig::default(), 31.5), expected);
}

#[test]
fn timeline_windows_move_and_options_show() {
    let config = LiveConfig {
        addressing: LiveAddressing::NumberTimeline,
        presentation_delay: Some(Duration::from_millis(4500)),
        window: Duration::from_secs(10),
        update_period: Duration::from_millis(500),
        start_offset: None,
    };
    let mpd = render(&config, 100.2);
    for part in [
        r#"publishTime="2026-12-02T00:01:40.200Z""#,
        r#"minimumUpdatePeriod="PT0.5S""#,
        r#"timeShiftBufferDepth="PT10S""#,
        r#"suggestedPresentationDelay="PT4.5S""#,
        // Video segments ending from 90.2 s to 100.2 s: 46 (ends at 92 s) to 50 (100 s).
        r#"startNumber="46">"#,
        r#"<S t="90000000" d="2000000" r="4"/>"#,
        // Audio: loop 15 starts at 90 s; its first segment ends at 91.984 s.
        r#"<S t="4320000" d="95232"/>"#,
    ] {
        assert!(mpd.contains(part), "{part} in\n{mpd}");
    }
    assert!(!mpd.contains("mediaPresentationDuration") && !mpd.contains("direct:2014"), "{mpd}");
    let later = render(&config, 102.2);
    assert!(later.contains(r#"<S t="92000000" d="2000000" r="4"/>"#), "{later}");
    let time = render(&LiveConfig { addressing: LiveAddressing::TimeTimeline, ..config.clone() }, 100.2);
    assert!(time.contains(r#"media="live/$RepresentationID$/t$Time$.m4s""#), "{time}");
    // Before the first segment ends, the timeline is empty.
    let fresh = render(&LiveConfig { start_offset: Some(Duration::ZERO), ..config }, 1.0);
    assert!(fresh.contains("<SegmentTimeline/>"), "{fresh}");
}

fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    [&((payload.len() + 8) as u32).to_be_bytes()[..], kind, payload].concat()
}

/// A folder with TEMPLATE's video representation: an init segment (track 1 at 12800 Hz) and
/// three media segments whose tfdt is k × 2 s (v0).
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flick-serve-live-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let video_only = TEMPLATE.split("\t\t<AdaptationSet id=\"1\"").next().unwrap();
    let mpd = format!("{video_only}\t</Period>\n</MPD>\n");
    std::fs::write(dir.join("manifest.mpd"), mpd).unwrap();
    let tkhd = boxed(b"tkhd", &[[0u8; 12].to_vec(), 1u32.to_be_bytes().to_vec()].concat());
    let mdhd = boxed(b"mdhd", &[[0u8; 12].to_vec(), 12_800u32.to_be_bytes().to_vec()].concat());
    let init = boxed(b"moov", &boxed(b"trak", &[tkhd, boxed(b"mdia", &mdhd)].concat()));
    std::fs::write(dir.join("init-stream0.m4s"), init).unwrap();
    for k in 0..3u32 {
        let tfhd = boxed(b"tfhd", &[0, 2, 0, 0, 0, 0, 0, 1]);
        let tfdt = boxed(b"tfdt", &[[0u8; 4].to_vec(), (k * 25_600).to_be_bytes().to_vec()].concat());
        let moof = boxed(b"moof", &boxed(b"traf", &[tfhd, tfdt].concat()));
        let segment = [moof, boxed(b"mdat", &[k as u8; 10])].concat();
        std::fs::write(dir.join(format!("chunk-stream0-{:05}.m4s", k + 1)), segment).unwrap();
    }
    dir.canonicalize().unwrap()
}

fn tfdt(segment: &[u8]) -> u32 {
    let at = segment.windows(4).position(|w| w == b"tfdt").unwrap();
    u32::from_be_bytes(segment[at + 8..at + 12].try_into().unwrap())
}

#[tokio::test]
async fn segments_are_served_in_their_window_with_their_times_moved_on() {
    let dir = folder("window");
    let text = std::fs::read_to_string(dir.join("manifest.mpd")).unwrap();
    let live = Live::load(&dir, Path::new("manifest.mpd"), &text, LiveConfig::default(), at(30.0)).unwrap();
    assert_eq!(live.start(), at(0.0));
    assert!(live.is_manifest(&dir.join("manifest.mpd")));
    assert_eq!(live.route("/live/0/5.m4s"), Some(Route { track: 0, number: 5 }));
    assert_eq!(live.route("/live/%30/5.m4s"), Some(Route { track: 0, number: 5 }));
    assert_eq!(live.route("/live/0/t8000000.m4s"), Some(Route { track: 0, number: 5 }));
    for path in [
        "/live/0/t8000001.m4s",
        "/live/2/5.m4s",
        "/live/0/5.mp4",
        "/live/0/+5.m4s",
        "/live/0/.m4s",
        "/live/0/t.m4s",
        "/x/live/0/5.m4s",
        "/live/0/99999999999999999999.m4s",
        "/live/0/%zz.m4s",
    ] {
        assert_eq!(live.route(path), None, "{path}");
    }
    let get = |number: u64, now: f64| live.segment(&dir, Route { track: 0, number }, at(now));
    // Segment 5 (the second loop's second segment) ends at 10 s.
    let five = get(5, 10.0).await.unwrap();
    assert_eq!(tfdt(&five), 4 * 25_600, "its presentation time, in the track's timescale");
    assert_eq!(five.len(), std::fs::read(dir.join("chunk-stream0-00002.m4s")).unwrap().len());
    assert!(
        matches!(get(5, 9.999).await, Err(Refusal::NotFound(m)) if m.contains("not available yet (from 2026-12-02T00:00:10.000Z)"))
    );
    // At 100 s, segment 35 (ended at 70 s) is 30 s old, 34 is 32 s old (window + one segment), 33 is gone.
    assert!(get(34, 100.0).await.is_ok());
    assert!(
        matches!(get(33, 100.0).await, Err(Refusal::NotFound(m)) if m.contains("left the time-shift window"))
    );
    assert!(matches!(get(0, 100.0).await, Err(Refusal::NotFound(m)) if m.contains("before the first")));
    assert!(matches!(get(u64::MAX, 100.0).await, Err(Refusal::NotFound(_))));
    std::fs::remove_file(dir.join("chunk-stream0-00003.m4s")).unwrap();
    assert!(matches!(get(3, 7.0).await, Err(Refusal::NotFound(m)) if m.contains("chunk-stream0-00003.m4s")));
    std::fs::write(dir.join("chunk-stream0-00001.m4s"), b"not mp4").unwrap();
    assert!(matches!(get(4, 9.0).await, Err(Refusal::Broken(_))));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn folders_that_cannot_go_live_say_why() {
    let dir = folder("refused");
    let text = std::fs::read_to_string(dir.join("manifest.mpd")).unwrap();
    let load =
        |text: &str, config: LiveConfig| Live::load(&dir, Path::new("manifest.mpd"), text, config, at(0.0));
    let zero = LiveConfig { window: Duration::ZERO, ..LiveConfig::default() };
    assert!(load(&text, zero).unwrap_err().contains("above 0"));
    std::fs::write(dir.join("init-stream0.m4s"), b"junk").unwrap();
    assert!(load(&text, LiveConfig::default()).unwrap_err().contains("init-stream0.m4s"));
    std::fs::remove_file(dir.join("init-stream0.m4s")).unwrap();
    assert!(load(&text, LiveConfig::default()).unwrap_err().contains("no initialization segment"));
    std::fs::remove_dir_all(&dir).unwrap();
}
