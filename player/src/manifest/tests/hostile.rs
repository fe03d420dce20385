//! Manifests written to exhaust memory or time: what they describe is computed when asked, so
//! they cost what their bytes cost.

use super::*;

/// A 4.8 KB static MPD: a million one-second segments per representation, five representations,
/// each segment URL a 4 000-character name (as a hostile server would send).
fn million_segments_long_names() -> String {
    let name = "x".repeat(4000);
    let reps: String =
        (1..=5).map(|i| format!(r#"<Representation id="r{i}" bandwidth="{i}000"/>"#)).collect();
    video_mpd(
        "PT1000000S",
        &format!(r#"<SegmentTemplate timescale="1" duration="1" media="{name}$Number$.m4s"/>{reps}"#),
    )
}

#[test]
fn a_million_segments_with_long_names_cost_nothing_until_asked() {
    let mpd = million_segments_long_names();
    assert!(mpd.len() < 5_000, "{} bytes", mpd.len());
    let p = parse_ok(&mpd);
    for rep in &p.periods[0].tracks[0].representations {
        let segments = rep.segments.segments().unwrap();
        assert!(segments.is_computed(), "{}: computed when asked, not stored", rep.id);
        assert_eq!(segments.len(), 1_000_000);
        let last = segments.get(999_999).unwrap();
        assert_eq!(last.location.url.len(), 4000 + "1000000.m4s".len());
        assert_eq!(last.start, Duration::from_secs(999_999));
        assert_eq!(segments.index_ending_after(Duration::from_secs_f64(500_000.5)), 500_000);
    }
}

#[test]
fn segments_that_hold_no_time_are_refused() {
    // 1 tick of a nanosecond timescale; a timeline of microsecond segments.
    let template =
        r#"<SegmentTemplate timescale="1000000000" duration="1" media="$Number$" endNumber="10"/>"#;
    assert!(matches!(
        try_parse(&video_mpd("PT10S", &format!(r#"{template}<Representation id="r" bandwidth="1"/>"#))),
        Err(ManifestError::InvalidAttribute { attribute: "segment duration", .. })
    ));
    let timeline = r#"<SegmentTemplate timescale="1000000" media="$Time$"><SegmentTimeline>
        <S t="0" d="1" r="99"/></SegmentTimeline></SegmentTemplate><Representation id="r" bandwidth="1"/>"#;
    assert!(matches!(
        try_parse(&video_mpd("PT10S", timeline)),
        Err(ManifestError::InvalidAttribute { attribute: "segment duration", .. })
    ));
}

#[test]
fn a_timeline_is_kept_as_its_runs() {
    let timeline = r#"<SegmentTemplate timescale="1000" media="$Time$.m4s"><SegmentTimeline>
        <S t="0" d="2000" r="499999"/><S d="1000" r="-1"/></SegmentTimeline></SegmentTemplate>
        <Representation id="r" bandwidth="1"/>"#;
    let p = parse_ok(&video_mpd("PT1000010S", timeline));
    let segments = first_rep(&p).segments.segments().unwrap();
    assert!(segments.is_computed());
    assert_eq!(segments.len(), 500_000 + 10);
    assert_eq!(segments.get(500_000).unwrap().location.url, "1000000000.m4s");
    assert_eq!(segments.get(500_009).unwrap().duration, Duration::from_secs(1));
}

#[test]
fn one_short_segment_at_the_end_of_a_timeline_is_real_content() {
    // ffmpeg's audio timelines end with a few frames: 256 ticks at 48 kHz is 5.3 ms.
    let timeline = r#"<SegmentTemplate timescale="48000" media="$Time$.m4s"><SegmentTimeline>
        <S t="0" d="96000" r="2"/><S d="256"/></SegmentTimeline></SegmentTemplate>
        <Representation id="r" bandwidth="1"/>"#;
    let p = parse_ok(&video_mpd("PT6.006S", timeline));
    let segments = first_rep(&p).segments.segments().unwrap();
    assert_eq!(segments.len(), 4);
    assert_eq!(segments.timing(3).unwrap().1, Duration::from_nanos(5_333_333));
}

#[test]
fn computed_segments_do_not_count_against_the_stored_segment_cap() {
    let name = "x".repeat(100);
    let reps: String =
        (1..=8).map(|i| format!(r#"<Representation id="r{i}" bandwidth="{i}000"/>"#)).collect();
    let mpd = video_mpd(
        "PT1000000S",
        &format!(r#"<SegmentTemplate timescale="1" duration="1" media="{name}$Number$.m4s"/>{reps}"#),
    );
    let p = parse_ok(&mpd);
    assert_eq!(p.periods[0].tracks[0].representations.len(), 8, "8 million computed segments in all");
}

#[test]
fn a_manifest_past_its_byte_or_element_budget_is_refused_with_a_typed_error() {
    let filler = "<!-- x -->".repeat(super::super::MAX_MANIFEST_BYTES / 10 + 1);
    let big = video_mpd(
        "PT4S",
        &format!(
            r#"{filler}<SegmentTemplate duration="2" media="$Number$"/>
        <Representation id="r" bandwidth="1"/>"#
        ),
    );
    assert!(matches!(try_parse(&big), Err(ManifestError::TooLarge { what: "bytes", .. })));
    let many = "<Label/>".repeat(super::super::MAX_ELEMENTS as usize);
    let crowded = video_mpd(
        "PT4S",
        &format!(
            r#"{many}<SegmentTemplate duration="2" media="$Number$"/>
        <Representation id="r" bandwidth="1"/>"#
        ),
    );
    assert!(crowded.len() < super::super::MAX_MANIFEST_BYTES);
    assert!(matches!(try_parse(&crowded), Err(ManifestError::TooLarge { what: "elements", .. })));
}
