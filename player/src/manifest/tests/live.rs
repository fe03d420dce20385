//! Dynamic (live) MPDs.

use super::*;
use crate::presentation::UtcTiming;

/// A dynamic MPD whose video adaptation set holds `body`, with `extra` at the MPD level.
fn live_mpd(extra: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2026-12-01T00:00:00Z"
     publishTime="2026-12-01T01:00:00.250Z" minimumUpdatePeriod="PT2S" timeShiftBufferDepth="PT30S"
     suggestedPresentationDelay="PT6S" minBufferTime="PT2S">
  {extra}
  <Period id="p0" start="PT0S">
    <AdaptationSet id="v" contentType="video" mimeType="video/mp4" codecs="avc1.64001f">
      {body}
    </AdaptationSet>
  </Period>
</MPD>"#
    )
}

const DEC_1_2026: u64 = 1_796_083_200;

#[test]
fn a_number_template_without_an_end_is_addressed_lazily_far_into_the_future() {
    let p = parse_ok(&live_mpd(
        "",
        r#"<SegmentTemplate timescale="90000" duration="180000" startNumber="10" media="v/$Number$.m4s" initialization="v/init.mp4"/>
           <Representation id="v1" bandwidth="1000000"/>"#,
    ));
    let live = p.live.as_ref().expect("a live presentation");
    assert_eq!(live.availability_start, Duration::from_secs(DEC_1_2026));
    assert_eq!(live.publish_time, Some(Duration::new(DEC_1_2026 + 3600, 250_000_000)));
    assert_eq!(live.minimum_update_period, Some(Duration::from_secs(2)));
    assert_eq!(live.time_shift_buffer_depth, Some(Duration::from_secs(30)));
    assert_eq!(live.suggested_presentation_delay, Some(Duration::from_secs(6)));
    assert_eq!(p.duration, None, "a live presentation's end is unknown");
    let segments = first_rep(&p).segments.segments().unwrap();
    assert!(segments.len() > 1_000_000_000, "{} segments", segments.len());
    // An hour in: segment 1800 from the start, numbered from 10.
    let index = segments.index_ending_after(Duration::from_secs(3600));
    let segment = segments.get(index).unwrap();
    assert_eq!((segment.location.url.as_str(), segment.start), ("v/1810.m4s", Duration::from_secs(3600)));
}

#[test]
fn a_timeline_repeating_to_the_end_is_open_ended_and_its_availability_offset_is_read() {
    let p = parse_ok(&live_mpd(
        "",
        r#"<SegmentTemplate timescale="1000" media="v/$Time$.m4s" availabilityTimeOffset="1.5">
             <SegmentTimeline><S t="3600000" d="2000" r="-1"/></SegmentTimeline>
           </SegmentTemplate>
           <Representation id="v1" bandwidth="1000000"/>"#,
    ));
    let rep = first_rep(&p);
    assert_eq!(rep.availability_time_offset, 1.5);
    // ffmpeg's low-latency offset: the segment is still being written then.
    let chunked = parse_ok(&live_mpd(
        "",
        r#"<SegmentTemplate timescale="1" duration="2" media="$Number$" availabilityTimeOffset="1.96" availabilityTimeComplete="false"/>
           <Representation id="v1" bandwidth="1"/>"#,
    ));
    assert_eq!(first_rep(&chunked).availability_time_offset, 0.0);
    let segments = rep.segments.segments().unwrap();
    assert_eq!(segments.get(0).unwrap().location.url, "v/3600000.m4s");
    assert!(segments.len() > 1_000_000);
    let later = segments.get(segments.index_ending_after(Duration::from_secs(7200))).unwrap();
    assert_eq!(later.location.url, "v/7200000.m4s");
}

#[test]
fn a_finite_live_timeline_lists_what_the_mpd_lists() {
    let p = parse_ok(&live_mpd(
        "",
        r#"<SegmentTemplate timescale="1000" startNumber="5" media="v/$Number$.m4s">
             <SegmentTimeline><S t="10000" d="2000" r="2"/></SegmentTimeline>
           </SegmentTemplate>
           <Representation id="v1" bandwidth="1000000"/>"#,
    ));
    assert_eq!(urls(first_rep(&p)), ["v/5.m4s", "v/6.m4s", "v/7.m4s"]);
}

#[test]
fn clocks_locations_service_description_and_events_are_read() {
    let p = parse_ok(&live_mpd(
        r#"<Location>https://other.example/live/next.mpd</Location>
           <ServiceDescription id="0"><Latency target="3500" min="2000" max="8000"/><PlaybackRate min="0.9" max="1.1"/></ServiceDescription>
           <UTCTiming schemeIdUri="urn:mpeg:dash:utc:ntp:2014" value="pool.ntp.org"/>
           <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-xsdate:2014" value="/time"/>
           <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-head:2014" value="https://time.example/"/>
           <UTCTiming schemeIdUri="urn:mpeg:dash:utc:direct:2014" value="2026-12-01T01:00:00Z"/>"#,
        r#"<SegmentTemplate timescale="1" duration="2" media="v/$Number$.m4s"/>
           <Representation id="v1" bandwidth="1000000"/>"#,
    ));
    let live = p.live.unwrap();
    assert_eq!(live.locations[0].as_str(), "https://other.example/live/next.mpd");
    let latency = live.latency.unwrap();
    assert_eq!(
        (latency.target, latency.min, latency.max),
        (Some(Duration::from_millis(3500)), Some(Duration::from_secs(2)), Some(Duration::from_secs(8)))
    );
    assert_eq!(live.playback_rate, Some((0.9, 1.1)));
    assert_eq!(
        live.utc_timing,
        [
            UtcTiming::HttpBody(Url::parse("https://origin.example/time").unwrap()),
            UtcTiming::HttpHead(Url::parse("https://time.example/").unwrap()),
            UtcTiming::Direct(Duration::from_secs(DEC_1_2026 + 3600)),
        ],
        "the NTP scheme is skipped"
    );

    let with_events = video_mpd(
        "PT10S",
        r#"<SegmentTemplate timescale="1" duration="2" media="v/$Number$.m4s"/><Representation id="v1" bandwidth="1"/>"#,
    )
    .replace(
        r#"<Period id="p0">"#,
        r#"<Period id="p0" start="PT4S"><EventStream schemeIdUri="urn:scte:scte35:2013:xml" value="1" timescale="10">
             <Event id="7" presentationTime="20" duration="50">splice</Event>
           </EventStream>"#,
    );
    let p = parse_ok(&with_events);
    let event = &p.events[0];
    assert_eq!(event.scheme_id_uri, "urn:scte:scte35:2013:xml");
    assert_eq!(
        (event.presentation_time, event.duration),
        (Duration::from_secs(6), Some(Duration::from_secs(5)))
    );
    assert_eq!((event.id.as_deref(), event.message.as_str(), event.in_band), (Some("7"), "splice", false));
}
