use super::*;
use crate::live::tests::TEMPLATE;

#[test]
fn ffmpeg_templates_and_timelines_become_tracks_and_edits() {
    let source = read(TEMPLATE).unwrap();
    assert_eq!(source.prefix, "");
    let [video, audio] = &source.tracks[..] else { panic!("{:?}", source.tracks) };
    assert_eq!((video.id.as_str(), video.bandwidth, video.start_number), ("0", Some(150_000), 1));
    assert_eq!(video.timing, Timing::equal(1_000_000, 0, 0, 2_000_000, 3).unwrap());
    assert_eq!((video.init.as_str(), video.base.as_str()), ("init-stream0.m4s", ""));
    assert_eq!(video.media, "chunk-stream$RepresentationID$-$Number%05d$.m4s");
    assert_eq!(audio.timing.loop_len(), 288_000);
    assert_eq!(audio.timing.nominal(), None);
    let kinds: Vec<String> = source
        .edits
        .iter()
        .map(|(range, edit)| match edit {
            Edit::Root(tag) => format!("root {}", tag.separator.escape_debug()),
            Edit::Period(_) => "period".into(),
            Edit::Template { track, indent, .. } => {
                format!("template {track} {}", indent.as_deref().unwrap_or("-").len())
            }
            Edit::Remove => format!("remove {:?}", &TEMPLATE[range.clone()]),
            Edit::UtcTiming { indent } => format!("utc {indent:?} at {}", &TEMPLATE[range.start..]),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "root \\n\\t",
            "remove \"\\n\\t<UTCTiming schemeIdUri=\\\"urn:mpeg:dash:utc:direct:2014\\\" value=\\\"2020-01-01T00:00:00Z\\\"/>\"",
            "period",
            "template 0 4",
            "template 1 4",
            "utc Some(\"\") at </MPD>\n",
        ]
    );
}

#[test]
fn set_level_templates_base_urls_and_prefixes_are_followed() {
    let mpd = r#"<mpd:MPD xmlns:mpd="urn:mpeg:dash:schema:mpd:2011" mediaPresentationDuration="PT4S"><mpd:BaseURL>http://cdn.example/</mpd:BaseURL><mpd:BaseURL>media/</mpd:BaseURL>
<mpd:Period><mpd:AdaptationSet><mpd:BaseURL>video/</mpd:BaseURL>
<mpd:SegmentTemplate timescale="1000" duration="2000" startNumber="0" presentationTimeOffset="500" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/>
<mpd:Representation id="lo" bandwidth="1"/>
<mpd:Representation id="hi" bandwidth="2"><mpd:SegmentTemplate startNumber="5"/></mpd:Representation>
</mpd:AdaptationSet></mpd:Period></mpd:MPD>"#;
    let source = read(mpd).unwrap();
    assert_eq!(source.prefix, "mpd:");
    let [lo, hi] = &source.tracks[..] else { panic!() };
    assert_eq!((lo.base.as_str(), lo.init.as_str()), ("media/video/", "media/video/lo/init.mp4"));
    assert_eq!((lo.start_number, hi.start_number), (0, 5));
    assert_eq!(hi.timing, Timing::equal(1000, 500, 500, 2000, 2).unwrap());
    let tracks: Vec<usize> = source
        .edits
        .iter()
        .filter_map(|(_, e)| if let Edit::Template { track, .. } = e { Some(*track) } else { None })
        .collect();
    assert_eq!(tracks, [0, 1], "the set's template is written for lo, which has none of its own");
    assert!(
        matches!(source.edits.last(), Some((r, Edit::UtcTiming { indent: None })) if mpd[r.start..].starts_with("</mpd:MPD>"))
    );
}

#[test]
fn open_ended_repeats_run_to_the_period_end() {
    let mpd = r#"<MPD><Period duration="PT10S"><AdaptationSet><Representation id="a">
<SegmentTemplate timescale="10" initialization="i" media="$Time$"><SegmentTimeline><S t="0" d="30" r="-1"/></SegmentTimeline></SegmentTemplate>
</Representation></AdaptationSet></Period></MPD>"#;
    let track = &read(mpd).unwrap().tracks[0];
    assert_eq!(track.timing, Timing::equal(10, 0, 0, 30, 4).unwrap());
}

#[test]
fn what_cannot_loop_is_refused_with_a_reason() {
    let wrap =
        |inner: &str| format!(r#"<MPD mediaPresentationDuration="PT6S"><Period>{inner}</Period></MPD>"#);
    let rep = |template: &str| {
        wrap(&format!(r#"<AdaptationSet><Representation id="v">{template}</Representation></AdaptationSet>"#))
    };
    let cases = [
        (r#"<MPD type="dynamic"><Period/></MPD>"#.to_string(), "not static"),
        ("<html/>".into(), "not <MPD>"),
        (r#"<MPD><Period/><Period/></MPD>"#.into(), "several"),
        (wrap(""), "no Period with a Representation"),
        (rep(r#"<SegmentBase indexRange="0-9"/>"#), "SegmentTemplate addressing"),
        (rep(""), "no SegmentTemplate"),
        (rep(r#"<SegmentTemplate media="$Number$.m4s" duration="2"/>"#), "initialization"),
        (rep(r#"<SegmentTemplate initialization="i" duration="2"/>"#), "@media"),
        (rep(r#"<SegmentTemplate initialization="i" media="x.m4s" duration="2"/>"#), "neither $Number$"),
        (rep(r#"<SegmentTemplate initialization="i" media="$Number$"/>"#), "neither @duration"),
        (rep(r#"<SegmentTemplate initialization="i" media="$Number$" duration="0"/>"#), "loop"),
        (rep(r#"<SegmentTemplate initialization="i" media="$Number$" timescale="x" duration="2"/>"#), "timescale"),
        (rep(r#"<SegmentTemplate initialization="i" media="$Time$"><SegmentTimeline><S d="-1"/></SegmentTimeline></SegmentTemplate>"#), "positive @d"),
        (rep(r#"<SegmentTemplate initialization="i" media="$Time$"><SegmentTimeline><S d="1" r="2000000"/></SegmentTimeline></SegmentTemplate>"#), "more than"),
        ("<MPD><Period><AdaptationSet><Representation id=\"v\"><SegmentTemplate initialization=\"i\" media=\"$Number$\" duration=\"2\"/></Representation></AdaptationSet></Period></MPD>".into(), "length is unknown"),
        ("<MPD><Period>".into(), "no Period"),
    ];
    for (mpd, reason) in cases {
        let error = read(&mpd).err().unwrap_or_else(|| panic!("{mpd} was read"));
        assert!(error.contains(reason), "{mpd}: {error}");
    }
}
