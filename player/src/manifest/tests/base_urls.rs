//! BaseURL resolution at every level, and candidate locations.

use super::*;
use crate::presentation::Location;

fn location(id: &str, priority: Option<u32>, weight: Option<u32>) -> Location {
    Location { id: id.into(), priority, weight }
}

fn base_urls(rep: &Representation) -> Vec<(&str, usize)> {
    rep.base_urls.iter().map(|b| (b.url.as_str(), b.location)).collect()
}

const SET: &str = r#"<SegmentTemplate duration="2" media="$Number$.m4s"/>"#;

#[test]
fn no_base_url_resolves_against_the_manifest_directory() {
    let p = parse_ok(&video_mpd("PT2S", &format!(r#"{SET}<Representation id="r" bandwidth="1"/>"#)));
    assert_eq!(base_urls(first_rep(&p)), [("https://origin.example/content/movie/", 0)]);
    assert_eq!(p.locations, [location("origin", None, None)]);
}

#[test]
fn relative_base_urls_nest_through_every_level() {
    let p = parse_ok(&format!(
        r#"<MPD mediaPresentationDuration="PT2S">
          <BaseURL>../media/</BaseURL>
          <Period><BaseURL>period1/</BaseURL>
            <AdaptationSet contentType="video"><BaseURL>video/</BaseURL>{SET}
              <Representation id="r" bandwidth="1"><BaseURL>720p/</BaseURL></Representation>
              <Representation id="s" bandwidth="2"><BaseURL>/root/</BaseURL></Representation>
            </AdaptationSet>
          </Period>
        </MPD>"#
    ));
    let reps = &p.periods[0].tracks[0].representations;
    assert_eq!(base_urls(&reps[0]), [("https://origin.example/content/media/period1/video/720p/", 0)]);
    assert_eq!(base_urls(&reps[1]), [("https://origin.example/root/", 0)]);
    assert_eq!(p.locations, [location("origin", None, None)]);
}

#[test]
fn absolute_base_url_below_relative_ones_replaces_them() {
    let p = parse_ok(&format!(
        r#"<MPD mediaPresentationDuration="PT2S"><BaseURL>relative/</BaseURL><Period>
            <AdaptationSet contentType="video">{SET}
              <Representation id="r" bandwidth="1"><BaseURL>http://cdn.example:8080/x/</BaseURL></Representation>
            </AdaptationSet></Period></MPD>"#
    ));
    assert_eq!(base_urls(first_rep(&p)), [("http://cdn.example:8080/x/", 0)]);
    assert_eq!(p.locations, [location("cdn.example:8080", None, None)]);
}

#[test]
fn several_cdns_with_service_location_and_dvb_priority() {
    let p = parse_ok(&format!(
        r#"<MPD xmlns:dvb="urn:dvb:dash:dash-extensions:2014-1" mediaPresentationDuration="PT2S">
          <BaseURL serviceLocation="b" dvb:priority="2" dvb:weight="10">https://b.example/vod/</BaseURL>
          <BaseURL serviceLocation="a" dvb:priority="1" dvb:weight="5">https://a.example/vod/</BaseURL>
          <BaseURL dvb:priority="1">https://c.example/vod/</BaseURL>
          <BaseURL dvb:priority="3">fallback/</BaseURL>
          <Period>
            <AdaptationSet contentType="video">{SET}
              <Representation id="r" bandwidth="1"><BaseURL>r/</BaseURL></Representation>
              <Representation id="s" bandwidth="2">
                <BaseURL serviceLocation="d" dvb:priority="0">https://d.example/only-s/</BaseURL>
              </Representation>
            </AdaptationSet>
          </Period>
        </MPD>"#
    ));
    // Best first: priority 0, then priority 1 in document order, then 2, then 3.
    assert_eq!(
        p.locations,
        [
            location("d", Some(0), None),
            location("a", Some(1), Some(5)),
            location("c.example", Some(1), None),
            location("b", Some(2), Some(10)),
            location("origin", Some(3), None),
        ]
    );
    let reps = &p.periods[0].tracks[0].representations;
    assert_eq!(
        base_urls(&reps[0]),
        [
            ("https://a.example/vod/r/", 1),
            ("https://c.example/vod/r/", 2),
            ("https://b.example/vod/r/", 3),
            ("https://origin.example/content/movie/fallback/r/", 4),
        ]
    );
    assert_eq!(base_urls(&reps[1]), [("https://d.example/only-s/", 0)]);
    // Every base URL's location index points at a location.
    for rep in reps {
        for base in &rep.base_urls {
            assert!(base.location < p.locations.len());
        }
    }
}

#[test]
fn one_base_url_per_location() {
    // Two BaseURLs on the same host without serviceLocation are one location: the first wins.
    let p = parse_ok(&format!(
        r#"<MPD mediaPresentationDuration="PT2S">
          <BaseURL>https://cdn.example/a/</BaseURL><BaseURL>https://cdn.example/b/</BaseURL>
          <BaseURL>https://other.example/</BaseURL>
          <Period><AdaptationSet contentType="video">{SET}<Representation id="r" bandwidth="1"/></AdaptationSet></Period>
        </MPD>"#
    ));
    assert_eq!(base_urls(first_rep(&p)), [("https://cdn.example/a/", 0), ("https://other.example/", 1)]);
    assert_eq!(p.locations.len(), 2);
}

#[test]
fn period_level_base_urls_per_period() {
    let p = parse_ok(&format!(
        r#"<MPD mediaPresentationDuration="PT4S">
          <Period duration="PT2S"><BaseURL>https://ads.example/</BaseURL>
            <AdaptationSet contentType="video">{SET}<Representation id="ad" bandwidth="1"/></AdaptationSet></Period>
          <Period><AdaptationSet contentType="video">{SET}<Representation id="main" bandwidth="1"/></AdaptationSet></Period>
        </MPD>"#
    ));
    assert_eq!(base_urls(&p.periods[0].tracks[0].representations[0]), [("https://ads.example/", 0)]);
    assert_eq!(
        base_urls(&p.periods[1].tracks[0].representations[0]),
        [("https://origin.example/content/movie/", 1)]
    );
    assert_eq!(p.locations, [location("ads.example", None, None), location("origin", None, None)]);
}
