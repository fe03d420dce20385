//! The MPD-level `<ContentSteering>` element (DASH-IF Content Steering), read with a side pass
//! over the XML because `dash-mpd-core` 0.1 drops it.

use crate::presentation::ContentSteering;
use quick_xml::events::Event;
use url::Url;

/// The `<ContentSteering>` child of `<MPD>`, if any, with its server URL resolved against
/// `manifest_url`.
pub(super) fn find(xml: &str, manifest_url: &Url) -> Option<ContentSteering> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    let mut found: Option<(Option<String>, bool)> = None;
    let mut text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 && e.local_name().as_ref() == "ContentSteering" {
                    let mut default = None;
                    let mut before_start = false;
                    for a in e.attributes().flatten() {
                        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()?.into_owned();
                        match a.key.local_name().as_ref() {
                            "defaultServiceLocation" => default = Some(value),
                            "queryBeforeStart" => before_start = value == "true",
                            _ => {}
                        }
                    }
                    found = Some((default, before_start));
                }
            }
            Event::Text(t) if found.is_some() && depth == 2 => {
                let raw: &str = t.as_ref();
                text.push_str(&quick_xml::escape::unescape(raw).ok()?);
            }
            Event::GeneralRef(r) if found.is_some() && depth == 2 => {
                let name: &str = r.as_ref();
                text.push_str(&quick_xml::escape::unescape(&format!("&{name};")).ok()?);
            }
            Event::End(_) => {
                if depth == 2
                    && let Some((default_service_location, query_before_start)) = found.take()
                {
                    let server = manifest_url.join(text.trim()).ok()?;
                    return Some(ContentSteering { server, default_service_location, query_before_start });
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MPD: &str = r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S">
  <BaseURL serviceLocation="a">http://a.example/</BaseURL>
  <BaseURL serviceLocation="b">http://b.example/</BaseURL>
  <ContentSteering defaultServiceLocation="b" queryBeforeStart="true">steer/sessions?x=1</ContentSteering>
  <Period><AdaptationSet/></Period>
</MPD>"#;

    #[test]
    fn the_steering_element_dash_mpd_core_drops_is_read() {
        let base = Url::parse("http://origin.example/v/manifest.mpd").unwrap();
        let s = find(MPD, &base).unwrap();
        assert_eq!(s.server.as_str(), "http://origin.example/v/steer/sessions?x=1");
        assert_eq!(s.default_service_location.as_deref(), Some("b"));
        assert!(s.query_before_start);
        assert_eq!(find("<MPD><Period/></MPD>", &base), None);
    }

    #[test]
    fn a_parsed_presentation_carries_its_steering_server() {
        let mpd = r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S" minBufferTime="PT2S">
  <BaseURL serviceLocation="a">http://a.example/</BaseURL>
  <BaseURL serviceLocation="b">http://b.example/</BaseURL>
  <ContentSteering defaultServiceLocation="b">https://steer.example/v1?token=1&amp;x=2</ContentSteering>
  <Period id="p0">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4">
      <SegmentTemplate timescale="1000" duration="2000" startNumber="1" initialization="v_$RepresentationID$.mp4" media="v_$RepresentationID$_$Number$.m4s"/>
      <Representation id="lo" bandwidth="500000" codecs="avc1.64001f" width="640" height="360"/>
    </AdaptationSet>
  </Period>
</MPD>"#;
        let base = Url::parse("http://origin.example/m.mpd").unwrap();
        let p = crate::manifest::parse(mpd.as_bytes(), &base).unwrap();
        let s = p.steering.expect("kept");
        assert_eq!(s.server.as_str(), "https://steer.example/v1?token=1&x=2");
        assert_eq!(s.default_service_location.as_deref(), Some("b"));
        assert_eq!(p.locations.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }
}
