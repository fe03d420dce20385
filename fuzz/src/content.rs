//! Built-in content the targets play: a few MPDs (every addressing mode the player fetches
//! differently: templates, `SegmentBase` with a `sidx`, content steering; two locations, two audio
//! languages and a text track), presentations to load directly, and the right answer to each
//! request.

use flick_abr::units::{Bitrate, Bytes};
use flick_player::presentation::{
    BaseUrl, ContentSteering, Location, MediaSegment, Period, Presentation, Representation, SegmentIndex,
    SegmentRef, Track, TrackKind,
};
use flick_player::{FetchRequest, RequestKind};
use std::sync::Arc;
use std::time::Duration;

/// The URL the `manifest` target loads its input from.
pub const MANIFEST_URL: &str = "http://a.example/vod/manifest.mpd";

/// Where the `sidx` of [`segment_base_mpd`] starts in its media file.
const INDEX_START: u64 = 100;

/// A template MPD: 6 s in 2 s segments, two video rungs, audio in two languages, a text track,
/// served from locations `a` and `b`.
pub fn template_mpd(steering: bool) -> String {
    let steering = if steering {
        r#"<ContentSteering defaultServiceLocation="a" queryBeforeStart="false">http://steer.example/s</ContentSteering>"#
    } else {
        ""
    };
    format!(
        r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6S" minBufferTime="PT2S">
  <BaseURL serviceLocation="a">http://a.example/vod/</BaseURL>
  <BaseURL serviceLocation="b">http://b.example/vod/</BaseURL>
  {steering}
  <Period id="p0">
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <SegmentTemplate duration="2" startNumber="1" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4"/>
      <Representation id="v0" bandwidth="300000" width="320" height="180" codecs="avc1.42c00d"/>
      <Representation id="v1" bandwidth="1200000" width="1280" height="720" codecs="avc1.64001f"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en">
      <SegmentTemplate duration="2" startNumber="1" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4"/>
      <Representation id="en" bandwidth="64000" codecs="mp4a.40.2"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="fr">
      <SegmentTemplate duration="2" startNumber="1" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4"/>
      <Representation id="fr" bandwidth="64000" codecs="mp4a.40.2"/>
    </AdaptationSet>
    <AdaptationSet contentType="text" mimeType="application/mp4" lang="en">
      <SegmentTemplate duration="2" startNumber="1" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4"/>
      <Representation id="t" bandwidth="1000" codecs="stpp"/>
    </AdaptationSet>
  </Period>
</MPD>
"#
    )
}

/// A `sidx` box listing three 2 s subsegments of 30 000, 40 000 and 50 000 bytes.
pub fn sidx() -> Vec<u8> {
    use mp4_atom::{Encode, SegmentReference, Sidx};
    let reference = |size| SegmentReference {
        reference_type: false,
        referenced_size: size,
        subsegment_duration: 2_000,
        starts_with_sap: true,
        sap_type: 1,
        sap_delta_time: 0,
    };
    let sidx = Sidx {
        reference_id: 1,
        timescale: 1_000,
        earliest_presentation_time: 0,
        first_offset: 0,
        references: vec![reference(30_000), reference(40_000), reference(50_000)],
    };
    let mut bytes = Vec::new();
    sidx.encode(&mut bytes).expect("a sidx encodes");
    bytes
}

/// A `SegmentBase` MPD: one video file whose `sidx` ([`sidx`]) lists the segments, one location.
pub fn segment_base_mpd() -> String {
    let end = INDEX_START + sidx().len() as u64 - 1;
    format!(
        r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6S" minBufferTime="PT2S">
  <Period>
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <Representation id="v" bandwidth="400000" codecs="avc1.42c00d">
        <BaseURL>v.mp4</BaseURL>
        <SegmentBase indexRange="{INDEX_START}-{end}" timescale="1000"><Initialization range="0-{last}"/></SegmentBase>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
"#,
        last = INDEX_START - 1
    )
}

/// The steering server's usual answer: prefer `b`, and a pathway clone `c` of `b`.
pub const STEERING_ANSWER: &str = r#"{"VERSION":1,"TTL":4,"RELOAD-URI":"/s2?session=1","SERVICE-LOCATION-PRIORITY":["c","b","a"],"PATHWAY-CLONES":[{"BASE-ID":"b","ID":"c","URI-REPLACEMENT":{"HOST":"c.example","PARAMS":{"token":"t"}}}]}"#;

/// A presentation given directly: `segments` segments of 2 s in three video rungs, locations `a`
/// and `b`.
pub fn small_presentation(segments: usize) -> Arc<Presentation> {
    const SEG: Duration = Duration::from_secs(2);
    let locations = ["a", "b"];
    let base_urls: Vec<BaseUrl> = locations
        .iter()
        .enumerate()
        .map(|(i, l)| BaseUrl { url: url::Url::parse(&format!("http://{l}.example/")).unwrap(), location: i })
        .collect();
    let representations = [300u64, 1200, 4000]
        .iter()
        .enumerate()
        .map(|(r, &kbps)| Representation {
            id: format!("r{r}"),
            bandwidth: Bitrate::from_kbps(kbps),
            width: None,
            height: None,
            frame_rate: None,
            codecs: None,
            mime_type: Some("video/mp4".into()),
            audio_sampling_rate: None,
            base_urls: base_urls.clone(),
            availability_time_offset: 0.0,
            segments: SegmentIndex::Listed {
                init: Some(SegmentRef { url: format!("r{r}/init.mp4"), range: None }),
                segments: (0..segments)
                    .map(|i| MediaSegment {
                        location: SegmentRef { url: format!("r{r}/{i}.m4s"), range: None },
                        number: i as u64,
                        start: SEG * i as u32,
                        duration: SEG,
                        size: Some(Bytes(kbps * 1000 / 8 * 2)),
                    })
                    .collect(),
            },
        })
        .collect();
    let duration = SEG * segments as u32;
    Arc::new(Presentation {
        duration: Some(duration),
        min_buffer_time: None,
        periods: vec![Period {
            id: None,
            start: Duration::ZERO,
            duration: Some(duration),
            tracks: vec![Track {
                kind: TrackKind::Video,
                id: None,
                language: None,
                mime_type: Some("video/mp4".into()),
                representations,
            }],
        }],
        locations: locations
            .iter()
            .map(|l| Location { id: l.to_string(), priority: None, weight: None })
            .collect(),
        steering: None,
        live: None,
        events: Vec::new(),
        warnings: Vec::new(),
    })
}

/// [`small_presentation`] with a content-steering server.
pub fn steered_presentation() -> Arc<Presentation> {
    let mut p = (*small_presentation(4)).clone();
    p.steering = Some(ContentSteering {
        server: url::Url::parse("http://steer.example/s").unwrap(),
        default_service_location: Some("a".into()),
        query_before_start: false,
    });
    Arc::new(p)
}

/// What a request gets from the built-in network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// These bytes.
    Bytes(Vec<u8>),
    /// So many bytes of media (the core needs only the count).
    Counted(u64),
    /// An HTTP 404.
    Missing,
}

/// The network's content: MPDs by URL, the `sidx`, the steering server's answer.
#[derive(Clone, Debug)]
pub struct Content {
    /// MPD bytes by URL (the query string ignored).
    pub manifests: Vec<(String, Vec<u8>)>,
    /// What every index request gets (cut to its range).
    pub sidx: Vec<u8>,
    /// What every steering request gets.
    pub steering: Vec<u8>,
}

/// URLs of the built-in MPDs, in the order [`Content::standard`] lists them.
pub const MPD_URLS: [&str; 4] = [
    "http://a.example/vod/manifest.mpd",
    "http://a.example/vod/steered.mpd",
    "http://a.example/vod/single.mpd",
    "http://a.example/live/manifest.mpd",
];

/// What the time server of [`live_mpd`] answers.
pub const SERVER_TIME: &str = "2026-12-01T00:01:40.000Z";

/// A live MPD (2 s segments, a 30 s window, refreshed every 2 s, a timeline for the video and a
/// number template for the audio, an `http-iso` clock, an event stream) on locations `a` and `b`.
pub fn live_mpd() -> String {
    r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2026-12-01T00:00:00Z"
     publishTime="2026-12-01T00:01:40Z" minimumUpdatePeriod="PT2S" timeShiftBufferDepth="PT30S" minBufferTime="PT2S">
  <BaseURL serviceLocation="a">http://a.example/live/</BaseURL>
  <BaseURL serviceLocation="b">http://b.example/live/</BaseURL>
  <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="http://a.example/time"/>
  <Period id="p0" start="PT0S">
    <EventStream schemeIdUri="urn:scte:scte35:2013:xml" timescale="1"><Event id="1" presentationTime="90" duration="10">cue</Event></EventStream>
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <SegmentTemplate timescale="1" startNumber="36" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4">
        <SegmentTimeline><S t="70" d="2" r="14"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="v0" bandwidth="300000" width="320" height="180" codecs="avc1.42c00d"/>
      <Representation id="v1" bandwidth="1200000" width="1280" height="720" codecs="avc1.64001f"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en">
      <SegmentTemplate duration="2" startNumber="1" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4"/>
      <Representation id="en" bandwidth="64000" codecs="mp4a.40.2"/>
    </AdaptationSet>
  </Period>
</MPD>
"#
    .to_string()
}

impl Content {
    /// The built-in MPDs at [`MPD_URLS`], the [`sidx`] and [`STEERING_ANSWER`].
    pub fn standard() -> Content {
        Content {
            manifests: vec![
                (MPD_URLS[0].to_string(), template_mpd(false).into_bytes()),
                (MPD_URLS[1].to_string(), template_mpd(true).into_bytes()),
                (MPD_URLS[2].to_string(), segment_base_mpd().into_bytes()),
                (MPD_URLS[3].to_string(), live_mpd().into_bytes()),
            ],
            sidx: sidx(),
            steering: STEERING_ANSWER.as_bytes().to_vec(),
        }
    }

    /// The right answer to `request`.
    pub fn body(&self, request: &FetchRequest) -> Body {
        let len = request.range.map(|r| r.len());
        match request.kind {
            RequestKind::Manifest => {
                let path = request.url.split(['?', '#']).next().unwrap_or_default();
                match self.manifests.iter().find(|(url, _)| url == path) {
                    Some((_, mpd)) => Body::Bytes(mpd.clone()),
                    None => Body::Missing,
                }
            }
            RequestKind::Steering => Body::Bytes(self.steering.clone()),
            RequestKind::Clock => Body::Bytes(SERVER_TIME.as_bytes().to_vec()),
            RequestKind::Index => {
                let mut bytes = vec![0; INDEX_START as usize];
                bytes.extend_from_slice(&self.sidx);
                let start = request.range.map_or(0, |r| r.start.min(bytes.len() as u64) as usize);
                let end = request
                    .range
                    .map_or(bytes.len(), |r| (r.end.saturating_add(1)).min(bytes.len() as u64) as usize);
                Body::Bytes(bytes[start..end.max(start)].to_vec())
            }
            RequestKind::Init => Body::Counted(len.unwrap_or(800)),
            RequestKind::Media => Body::Counted(len.unwrap_or(20_000)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_mpds_parse() {
        let url = url::Url::parse(MANIFEST_URL).unwrap();
        for (name, mpd) in Content::standard().manifests {
            let p = flick_player::manifest::parse(&mpd, &url).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!p.periods[0].tracks.is_empty(), "{name}");
        }
        let url = url::Url::parse(MPD_URLS[1]).unwrap();
        let steered = flick_player::manifest::parse(template_mpd(true).as_bytes(), &url).unwrap();
        assert!(steered.steering.is_some());
        assert_eq!(steered.locations.len(), 2);
    }

    #[test]
    fn the_sidx_lists_three_segments() {
        let segments = flick_player::segment_index::segments_from_sidx(&sidx(), INDEX_START, "", 0).unwrap();
        assert_eq!(segments.len(), 3);
    }
}
