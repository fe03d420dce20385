//! Hand-broken manifests: each fails with the specific typed error, and nothing panics.

use super::*;
use proptest::prelude::*;

const REP: &str = r#"<Representation id="r" bandwidth="1"/>"#;
const AT_REP: &str = "Period[0] id=\"p0\" > AdaptationSet[0] id=\"v\" > Representation[0] id=\"r\"";

fn with_template(template: &str) -> String {
    video_mpd("PT10S", &format!("{template}{REP}"))
}

#[track_caller]
fn assert_invalid(result: Result<Presentation, ManifestError>, expected_attribute: &str) {
    match result {
        Err(ManifestError::InvalidAttribute { attribute, .. }) if attribute == expected_attribute => {}
        other => panic!("expected an invalid {expected_attribute}, got {other:?}"),
    }
}

#[test]
fn not_xml_truncated_or_not_an_mpd() {
    let good = with_template(r#"<SegmentTemplate duration="2" media="$Number$"/>"#);
    for bad in [&good[..good.len() / 2], "", "plain text", "<MPD><Period></MPD>", "<Period/>"] {
        assert!(matches!(try_parse(bad), Err(ManifestError::Malformed(_))), "{bad:?}");
    }
    let truncated = try_parse(&good[..good.find("</AdaptationSet>").unwrap()]).unwrap_err();
    assert!(truncated.to_string().contains("<AdaptationSet> is not closed"), "{truncated}");
    assert!(matches!(
        parse(&[0x3c, 0x4d, 0xff, 0xfe], &manifest_url()),
        Err(ManifestError::Malformed(m)) if m.contains("UTF-8")
    ));
    // A value of the wrong type, reported by the deserializer.
    assert!(matches!(
        try_parse(&with_template(r#"<SegmentTemplate duration="2" timescale="-5" media="$Number$"/>"#)),
        Err(ManifestError::Malformed(_))
    ));
}

#[test]
fn mpd_level_errors() {
    assert_eq!(try_parse(r#"<MPD type="static"></MPD>"#), Err(ManifestError::NoPeriods));
    assert!(matches!(
        try_parse(r#"<MPD type="dynamic"><Period/></MPD>"#),
        Err(ManifestError::MissingAttribute { attribute: "MPD@availabilityStartTime", .. })
    ));
    assert_invalid(try_parse(r#"<MPD type="sometimes"><Period/></MPD>"#), "MPD@type");
    assert_eq!(
        try_parse(
            r#"<MPD><Period id="x"><AdaptationSet contentType="image"><Representation id="i" bandwidth="1"/></AdaptationSet></Period></MPD>"#
        ),
        Err(ManifestError::NoPlayableTracks { at: "Period[0] id=\"x\"".into() })
    );
    assert!(matches!(
        try_parse(
            r#"<MPD xmlns:xlink="http://www.w3.org/1999/xlink"><Period xlink:href="http://x/p.xml"/></MPD>"#
        ),
        Err(ManifestError::Unsupported { .. })
    ));
}

#[test]
fn huge_durations_are_rejected_not_overflowed() {
    assert_invalid(
        try_parse(r#"<MPD mediaPresentationDuration="PT99999999999999999H"><Period/></MPD>"#),
        "mediaPresentationDuration",
    );
    assert_invalid(try_parse(r#"<MPD><Period start="P99999999999999Y"/></MPD>"#), "start");
    assert!(matches!(
        try_parse(r#"<MPD mediaPresentationDuration="PT10S"><Period start="PT20S"/></MPD>"#),
        Err(ManifestError::InvalidTiming { .. })
    ));
    assert!(matches!(
        try_parse(r#"<MPD><Period start="PT20S"/><Period start="PT10S"/></MPD>"#),
        Err(ManifestError::InvalidTiming { .. })
    ));
    assert!(matches!(
        try_parse(r#"<MPD><Period start="PT2S"/><Period/></MPD>"#),
        Err(ManifestError::InvalidTiming { reason, .. }) if reason.contains("no @duration")
    ));
}

#[test]
fn representation_errors() {
    // What dash.js, Shaka and Media3 accept is played, with a warning.
    for (rep, warning) in [
        (r#"<Representation id="r"/>"#, "Representation@bandwidth is missing"),
        (r#"<Representation id="r" bandwidth="0"/>"#, "Representation@bandwidth is 0"),
        (r#"<Representation bandwidth="5"/>"#, "no Representation@id; called it \"v-0\""),
    ] {
        let p = parse_ok(&video_mpd(
            "PT2S",
            &format!(r#"<SegmentTemplate duration="2" media="$Number$"/>{rep}"#),
        ));
        assert!(p.warnings.iter().any(|w| w.contains(warning)), "{rep}: {:?}", p.warnings);
    }
    assert_invalid(
        try_parse(&video_mpd(
            "PT2S",
            r#"<SegmentTemplate duration="2" media="$Number$"/><Representation id="r" bandwidth="5" width="99999999999"/>"#,
        )),
        "Representation@width",
    );
}

#[test]
fn template_errors() {
    assert_eq!(
        try_parse(&with_template(r#"<SegmentTemplate media="$Number$.m4s"/>"#)),
        Err(ManifestError::MissingSegmentDuration { at: AT_REP.into(), element: "SegmentTemplate" })
    );
    // No @media (optional in the schema; Media3 plays it): the segments are the BaseURL.
    let p = parse_ok(&with_template(r#"<SegmentTemplate duration="2"/>"#));
    assert!(p.warnings[0].contains("without @media"), "{:?}", p.warnings);
    assert_invalid(
        try_parse(&with_template(r#"<SegmentTemplate timescale="0" duration="2" media="$Number$"/>"#)),
        "SegmentTemplate@timescale",
    );
    for duration in ["0", "-2", "NaN", "INF", "1e400"] {
        let mpd = with_template(&format!(r#"<SegmentTemplate duration="{duration}" media="$Number$"/>"#));
        assert_invalid(try_parse(&mpd), "SegmentTemplate@duration");
    }
    for (template, attribute) in [
        (r#"<SegmentTemplate duration="2" media="$Number"/>"#, "SegmentTemplate@media"),
        (r#"<SegmentTemplate duration="2" media="$Nmber$"/>"#, "SegmentTemplate@media"),
        (r#"<SegmentTemplate duration="2" media="$Number%5s$"/>"#, "SegmentTemplate@media"),
        (
            r#"<SegmentTemplate duration="2" media="$Number$" initialization="init-$Number$.mp4"/>"#,
            "SegmentTemplate@initialization",
        ),
    ] {
        match try_parse(&with_template(template)) {
            Err(ManifestError::InvalidTemplate { attribute: a, .. }) if a == attribute => {}
            other => panic!("{template}: {other:?}"),
        }
    }
    assert!(matches!(
        try_parse(&with_template(r#"<SegmentTemplate timescale="1" duration="0.00001" media="$Number$"/>"#)),
        Err(ManifestError::InvalidAttribute { .. })
    ));
    assert!(matches!(
        try_parse(&with_template(
            r#"<SegmentTemplate timescale="1000000000" duration="1" media="$Number$"/>"#
        )),
        Err(ManifestError::TooManySegments { count: 10_000_000_000, limit: 1_000_000, .. })
    ));
}

#[test]
fn timeline_errors() {
    let timeline = |s: &str| {
        with_template(&format!(
            r#"<SegmentTemplate media="$Time$"><SegmentTimeline>{s}</SegmentTimeline></SegmentTemplate>"#
        ))
    };
    assert_invalid(try_parse(&timeline(r#"<S t="0" d="0" r="5"/>"#)), "S@d");
    assert_invalid(try_parse(&timeline(r#"<S t="0" d="1" r="-7"/>"#)), "S@r");
    assert_invalid(try_parse(&timeline(r#"<S t="10" d="5"/><S t="12" d="5"/>"#)), "S@t");
    assert!(matches!(
        try_parse(&timeline(r#"<S t="0" d="1" r="4000000"/>"#)),
        Err(ManifestError::TooManySegments { .. })
    ));
    assert!(matches!(
        try_parse(&timeline(r#"<S t="18446744073709551610" d="5" r="3"/>"#)),
        Err(ManifestError::InvalidTiming { .. })
    ));
    // r=-1 with no known end.
    let open_ended = r#"<MPD><Period><AdaptationSet contentType="video"><SegmentTemplate media="$Time$">
        <SegmentTimeline><S t="0" d="1" r="-1"/></SegmentTimeline></SegmentTemplate>
        <Representation id="r" bandwidth="1"/></AdaptationSet></Period></MPD>"#;
    assert!(matches!(try_parse(open_ended), Err(ManifestError::UnknownPeriodDuration { .. })));
}

#[test]
fn list_and_base_errors() {
    let list = |body: &str| with_template(&format!("<SegmentList>{body}</SegmentList>"));
    assert_eq!(
        try_parse(&list(r#"<SegmentURL media="a"/><SegmentURL media="b"/>"#)),
        Err(ManifestError::MissingSegmentDuration { at: AT_REP.into(), element: "SegmentList" })
    );
    assert_invalid(
        try_parse(&with_template(
            r#"<SegmentList duration="1"><SegmentURL mediaRange="9-3"/></SegmentList>"#,
        )),
        "SegmentURL@mediaRange",
    );
    assert_invalid(
        try_parse(&with_template(
            r#"<SegmentList duration="1"><Initialization range="x"/><SegmentURL/></SegmentList>"#,
        )),
        "Initialization@range",
    );
    assert_invalid(try_parse(&with_template(r#"<SegmentBase indexRange="10"/>"#)), "SegmentBase@indexRange");
    assert_invalid(
        try_parse(&with_template(r#"<SegmentBase timescale="0" indexRange="0-10"/>"#)),
        "SegmentBase@timescale",
    );
}

#[test]
fn base_url_errors() {
    let mpd = |base: &str| {
        format!(
            r#"<MPD mediaPresentationDuration="PT2S"><BaseURL>{base}</BaseURL><Period><AdaptationSet contentType="video">
            <SegmentTemplate duration="1" media="$Number$"/>{REP}</AdaptationSet></Period></MPD>"#
        )
    };
    assert!(matches!(try_parse(&mpd("http://[::1")), Err(ManifestError::InvalidUrl { .. })));
    let many: String = (0..70).map(|i| format!("<BaseURL>https://h{i}.example/</BaseURL>")).collect();
    assert!(matches!(
        try_parse(&mpd(&format!("x</BaseURL>{many}<BaseURL>y"))),
        Err(ManifestError::TooManyBaseUrls { .. })
    ));
}

#[test]
fn errors_say_where() {
    let err = try_parse(&with_template(r#"<SegmentTemplate timescale="0" duration="2" media="$Number$"/>"#))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{AT_REP}: invalid SegmentTemplate@timescale=\"0\": must be positive")
    );
}

/// A valid MPD exercising most code paths, for mutation.
fn seed() -> String {
    String::from(
        r#"<MPD type="static" mediaPresentationDuration="PT8S"><BaseURL serviceLocation="a">https://a.example/</BaseURL>
        <Period id="p"><AdaptationSet contentType="video"><SegmentTemplate timescale="90000" media="$RepresentationID$-$Time$-$Number%04d$.m4s" initialization="i.mp4">
        <SegmentTimeline><S t="0" d="180000" r="-1"/></SegmentTimeline></SegmentTemplate>
        <Representation id="v" bandwidth="100" width="320"/></AdaptationSet>
        <AdaptationSet contentType="audio"><SegmentList timescale="1000" duration="2000"><Initialization range="0-9"/><SegmentURL mediaRange="10-99"/></SegmentList>
        <Representation id="a" bandwidth="50"><BaseURL>a.mp4</BaseURL></Representation>
        <Representation id="b" bandwidth="60"><SegmentBase indexRange="100-199" timescale="48000"/></Representation></AdaptationSet>
        </Period></MPD>"#,
    )
}

#[test]
fn seed_parses() {
    let p = parse_ok(&seed());
    assert_eq!(segments(first_rep(&p)).len(), 4);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Byte flips, insertions of hostile snippets and truncations never panic.
    #[test]
    fn mutated_manifests_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..12, any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        const SNIPPETS: [&str; 12] = [
            "99999999999999999999", "-1", "0", "$", "%0999d", "<S d=\"1\" r=\"-1\"/>", "PT9999999999999H",
            "\"", "<", "&amp;", "18446744073709551615", "1e308",
        ];
        let mut bytes = seed().into_bytes();
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                k => {
                    let snippet = SNIPPETS[k % SNIPPETS.len()].as_bytes();
                    bytes.splice(i..i, snippet.iter().copied());
                }
            }
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        let _ = parse(&bytes, &manifest_url());
    }
}
