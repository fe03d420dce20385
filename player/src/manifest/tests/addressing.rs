//! Segment addressing: every scheme, inheritance, timelines, templates, offsets.

use super::*;
use crate::presentation::{ByteRange, SegmentRef};
use flick_abr::units::Bytes;

#[test]
fn template_with_number_and_duration() {
    let p = parse_ok(&video_mpd(
        "PT9.5S",
        r#"<SegmentTemplate timescale="90000" duration="180000" startNumber="7"
             media="$RepresentationID$/seg-$Number%05d$-$Bandwidth$.m4s" initialization="$RepresentationID$/init-$Bandwidth%08d$.mp4"/>
           <Representation id="v1" bandwidth="250000"/>"#,
    ));
    let rep = first_rep(&p);
    assert_eq!(rep.segments.init().unwrap(), &SegmentRef { url: "v1/init-00250000.mp4".into(), range: None });
    assert_eq!(
        urls(rep),
        [
            "v1/seg-00007-250000.m4s",
            "v1/seg-00008-250000.m4s",
            "v1/seg-00009-250000.m4s",
            "v1/seg-00010-250000.m4s",
            "v1/seg-00011-250000.m4s",
        ]
    );
    assert_eq!(segments(rep).iter().map(|s| s.number).collect::<Vec<_>>(), [7, 8, 9, 10, 11]);
    assert_eq!(starts_ms(rep), [0, 2000, 4000, 6000, 8000]);
    // The last segment is cut at the period's end: durations sum to the period.
    assert_eq!(durations_ms(rep), [2000, 2000, 2000, 2000, 1500]);
    let total: Duration = segments(rep).iter().map(|s| s.duration).sum();
    assert_eq!(total, Duration::from_millis(9500));
}

#[test]
fn template_time_with_duration_includes_the_offset() {
    let p = parse_ok(&video_mpd(
        "PT4S",
        r#"<SegmentTemplate timescale="1000" duration="2000" presentationTimeOffset="500" media="t$Time$.m4s"/>
           <Representation id="r" bandwidth="1"/>"#,
    ));
    assert_eq!(urls(first_rep(&p)), ["t500.m4s", "t2500.m4s"]);
    assert_eq!(starts_ms(first_rep(&p)), [0, 2000]);
}

#[test]
fn end_number_limits_the_count() {
    let p = parse_ok(&video_mpd(
        "PT100S",
        r#"<SegmentTemplate duration="2" startNumber="3" endNumber="5" media="$Number$"/><Representation id="r" bandwidth="1"/>"#,
    ));
    assert_eq!(urls(first_rep(&p)), ["3", "4", "5"]);
}

#[test]
fn timeline_with_repeats_time_and_offset() {
    let p = parse_ok(&video_mpd(
        "PT10S",
        r#"<SegmentTemplate timescale="1000" presentationTimeOffset="1000" startNumber="0"
              media="$RepresentationID$_$Time$_$Number$.m4s" initialization="$RepresentationID$.init">
             <SegmentTimeline>
               <S t="1000" d="2000" r="2"/>
               <S d="1500"/>
               <S t="9000" d="1000" r="-1"/>
             </SegmentTimeline>
           </SegmentTemplate>
           <Representation id="v" bandwidth="1"/>"#,
    ));
    let rep = first_rep(&p);
    assert_eq!(
        urls(rep),
        ["v_1000_0.m4s", "v_3000_1.m4s", "v_5000_2.m4s", "v_7000_3.m4s", "v_9000_4.m4s", "v_10000_5.m4s",]
    );
    // Period timeline: media time minus the 1 s offset; a gap from 7.5 s to 8 s; r=-1 runs to the
    // period's end at 10 s (media time 11 s).
    assert_eq!(starts_ms(rep), [0, 2000, 4000, 6000, 8000, 9000]);
    assert_eq!(durations_ms(rep), [2000, 2000, 2000, 1500, 1000, 1000]);
}

#[test]
fn timeline_r_minus_one_runs_to_the_next_t() {
    let p = parse_ok(&video_mpd(
        "PT8S",
        r#"<SegmentTemplate media="$Time$"><SegmentTimeline>
             <S t="0" d="2" r="-1"/><S t="5" d="3"/>
           </SegmentTimeline></SegmentTemplate><Representation id="r" bandwidth="1"/>"#,
    ));
    assert_eq!(urls(first_rep(&p)), ["0", "2", "4", "5"]);
    assert_eq!(durations_ms(first_rep(&p)), [2000, 2000, 1000, 3000]);
}

#[test]
fn template_inherits_across_period_set_and_representation() {
    let p = parse_ok(
        r#"<MPD mediaPresentationDuration="PT6S"><Period>
          <SegmentTemplate timescale="1000" media="period-$Number$.m4s" initialization="period-init.mp4" startNumber="10"/>
          <AdaptationSet contentType="video">
            <SegmentTemplate duration="3000" media="$RepresentationID$-$Number$.m4s"/>
            <Representation id="a" bandwidth="1"/>
            <Representation id="b" bandwidth="2">
              <SegmentTemplate startNumber="1" initialization="b-init.mp4"/>
            </Representation>
          </AdaptationSet>
        </Period></MPD>"#,
    );
    let video = &p.periods[0].tracks[0];
    let (a, b) = (&video.representations[0], &video.representations[1]);
    assert_eq!(urls(a), ["a-10.m4s", "a-11.m4s"]);
    assert_eq!(a.segments.init().unwrap().url, "period-init.mp4");
    assert_eq!(urls(b), ["b-1.m4s", "b-2.m4s"]);
    assert_eq!(b.segments.init().unwrap().url, "b-init.mp4");
    // The audio set has no template of its own and the period's has no @duration.
    let err = try_parse(
        r#"<MPD mediaPresentationDuration="PT6S"><Period>
          <SegmentTemplate timescale="1000" media="period-$Number$.m4s"/>
          <AdaptationSet contentType="audio"><Representation id="c" bandwidth="3"/></AdaptationSet>
        </Period></MPD>"#,
    )
    .unwrap_err();
    assert_eq!(
        err,
        ManifestError::MissingSegmentDuration {
            at: "Period[0] > AdaptationSet[0] > Representation[0] id=\"c\"".into(),
            element: "SegmentTemplate"
        }
    );
}

#[test]
fn template_initialization_element_and_absolute_media() {
    let p = parse_ok(&video_mpd(
        "PT2S",
        r#"<SegmentTemplate duration="1" media="https://other.example/$Number$.m4s">
             <Initialization sourceURL="init.mp4" range="0-999"/>
           </SegmentTemplate><Representation id="r" bandwidth="1"/>"#,
    ));
    let rep = first_rep(&p);
    assert_eq!(
        rep.segments.init().unwrap(),
        &SegmentRef { url: "init.mp4".into(), range: Some(ByteRange { start: 0, end: 999 }) }
    );
    assert_eq!(urls(rep), ["https://other.example/1.m4s", "https://other.example/2.m4s"]);
    let resolved = rep.base_urls[0].url.join(&segments(rep)[0].location.url).unwrap();
    assert_eq!(resolved.as_str(), "https://other.example/1.m4s");
}

#[test]
fn segment_list_with_duration_and_ranges() {
    // As ffmpeg writes with -single_file 1.
    let p = parse_ok(&video_mpd(
        "PT6.0S",
        r#"<Representation id="0" bandwidth="200000">
             <BaseURL>manifest-stream0.mp4</BaseURL>
             <SegmentList timescale="1000000" duration="2000000" startNumber="1">
               <Initialization range="0-826" />
               <SegmentURL mediaRange="827-61921" indexRange="827-878" />
               <SegmentURL mediaRange="61922-119013" indexRange="61922-61973" />
               <SegmentURL mediaRange="119014-172451" indexRange="119014-119065" />
             </SegmentList>
           </Representation>"#,
    ));
    let rep = first_rep(&p);
    assert_eq!(rep.base_urls[0].url.as_str(), "https://origin.example/content/movie/manifest-stream0.mp4");
    assert_eq!(
        rep.segments.init().unwrap(),
        &SegmentRef { url: String::new(), range: Some(ByteRange { start: 0, end: 826 }) }
    );
    let ranges: Vec<_> = segments(rep).iter().map(|s| s.location.range.unwrap()).collect();
    assert_eq!(ranges[1], ByteRange { start: 61922, end: 119013 });
    assert_eq!(segments(rep)[1].size, Some(Bytes(119013 - 61922 + 1)));
    assert_eq!(starts_ms(rep), [0, 2000, 4000]);
    assert_eq!(urls(rep), ["", "", ""]);
}

#[test]
fn segment_list_with_timeline_and_urls() {
    let p = parse_ok(&video_mpd(
        "PT10S",
        r#"<SegmentList timescale="10">
             <Initialization sourceURL="init.mp4"/>
             <SegmentTimeline><S t="0" d="40" r="1"/><S d="20"/></SegmentTimeline>
             <SegmentURL media="a.m4s"/><SegmentURL media="b.m4s"/><SegmentURL media="c.m4s"/>
           </SegmentList>
           <Representation id="r" bandwidth="1"/>"#,
    ));
    let rep = first_rep(&p);
    assert_eq!(rep.segments.init().unwrap().url, "init.mp4");
    assert_eq!(urls(rep), ["a.m4s", "b.m4s", "c.m4s"]);
    assert_eq!(durations_ms(rep), [4000, 4000, 2000]);
    assert_eq!(segments(rep)[2].number, 3);
}

#[test]
fn segment_base_becomes_an_index() {
    let p = parse_ok(&video_mpd(
        "PT60S",
        r#"<SegmentBase timescale="90000" presentationTimeOffset="900">
             <Initialization range="0-899"/>
           </SegmentBase>
           <Representation id="r" bandwidth="1">
             <BaseURL>r.mp4</BaseURL>
             <SegmentBase indexRange="900-1499"/>
           </Representation>"#,
    ));
    let rep = first_rep(&p);
    assert_eq!(
        rep.segments,
        SegmentIndex::Indexed {
            init: Some(SegmentRef { url: String::new(), range: Some(ByteRange { start: 0, end: 899 }) }),
            index: SegmentRef { url: String::new(), range: Some(ByteRange { start: 900, end: 1499 }) },
            timescale: 90_000,
            presentation_time_offset: 900,
        }
    );
    assert_eq!(rep.segments.segments(), None);
    assert_eq!(rep.base_urls[0].url.as_str(), "https://origin.example/content/movie/r.mp4");
}

#[test]
fn representation_index_and_base_without_index() {
    let p = parse_ok(&video_mpd(
        "PT5S",
        r#"<Representation id="a" bandwidth="1"><BaseURL>a.mp4</BaseURL>
             <SegmentBase><RepresentationIndex sourceURL="a.sidx" range="0-99"/></SegmentBase>
           </Representation>
           <Representation id="b" bandwidth="2"><BaseURL>b.mp4</BaseURL>
             <SegmentBase><Initialization range="0-10"/></SegmentBase>
           </Representation>"#,
    ));
    let reps = &p.periods[0].tracks[0].representations;
    let SegmentIndex::Indexed { index, timescale: 1, .. } = &reps[0].segments else { panic!() };
    assert_eq!(index, &SegmentRef { url: "a.sidx".into(), range: Some(ByteRange { start: 0, end: 99 }) });
    // No index range: one segment, the whole file, covering the period.
    assert_eq!(durations_ms(&reps[1]), [5000]);
    assert!(reps[1].segments.init().is_some());
}

#[test]
fn segments_before_the_offset_are_dropped() {
    let p = parse_ok(&video_mpd(
        "PT4S",
        r#"<SegmentTemplate timescale="1" presentationTimeOffset="10" media="$Time$">
             <SegmentTimeline><S t="6" d="2" r="4"/></SegmentTimeline>
           </SegmentTemplate><Representation id="r" bandwidth="1"/>"#,
    ));
    // 6..8 and 8..10 lie before the period start; 10..12 and 12..14 are in; 14..16 is after the end.
    assert_eq!(urls(first_rep(&p)), ["10", "12"]);
}
