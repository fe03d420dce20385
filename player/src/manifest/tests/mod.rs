//! MPD-level tests: hand-written manifests through [`super::parse`].

mod addressing;
mod base_urls;
mod errors;
mod hostile;
mod live;

use super::{ManifestError, parse};
use crate::presentation::{MediaSegment, Presentation, Representation, SegmentIndex, TrackKind};
use core::time::Duration;
use url::Url;

const MANIFEST_URL: &str = "https://origin.example/content/movie/manifest.mpd";

fn manifest_url() -> Url {
    Url::parse(MANIFEST_URL).unwrap()
}

fn try_parse(mpd: &str) -> Result<Presentation, ManifestError> {
    parse(mpd.as_bytes(), &manifest_url())
}

#[track_caller]
fn parse_ok(mpd: &str) -> Presentation {
    match try_parse(mpd) {
        Ok(presentation) => presentation,
        Err(e) => panic!("expected the MPD to parse, got: {e}"),
    }
}

/// A static MPD of `duration` with one video adaptation set holding `body`.
fn video_mpd(duration: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="{duration}" minBufferTime="PT2S">
  <Period id="p0">
    <AdaptationSet id="v" contentType="video" mimeType="video/mp4" codecs="avc1.64001f" width="1280" height="720" frameRate="25">
      {body}
    </AdaptationSet>
  </Period>
</MPD>"#
    )
}

fn first_rep(p: &Presentation) -> &Representation {
    &p.periods[0].tracks[0].representations[0]
}

fn segments(rep: &Representation) -> Vec<MediaSegment> {
    rep.segments.segments().expect("a listed segment index").iter().collect()
}

fn urls(rep: &Representation) -> Vec<String> {
    segments(rep).into_iter().map(|s| s.location.url).collect()
}

fn starts_ms(rep: &Representation) -> Vec<u128> {
    segments(rep).iter().map(|s| s.start.as_millis()).collect()
}

fn durations_ms(rep: &Representation) -> Vec<u128> {
    segments(rep).iter().map(|s| s.duration.as_millis()).collect()
}

#[test]
fn tracks_ladder_and_inherited_attributes() {
    let p = parse_ok(
        r#"<MPD type="static" mediaPresentationDuration="PT8S" minBufferTime="PT1.5S">
  <Period>
    <AdaptationSet id="1" mimeType="video/mp4" codecs="avc1.4d401f" frameRate="30000/1001" width="640" height="360" lang="und">
      <SegmentTemplate timescale="1000" duration="4000" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4"/>
      <Representation id="hi" bandwidth="3000000" width="1920" height="1080" codecs="avc1.640028"/>
      <Representation id="lo" bandwidth="300000"/>
      <Representation id="mid" bandwidth="1200000" width="1280" height="720"/>
    </AdaptationSet>
    <AdaptationSet id="2" lang="en">
      <SegmentTemplate timescale="48000" duration="192000" media="a/$Number$.m4s"/>
      <Representation id="a" bandwidth="128000" mimeType="audio/mp4" codecs="mp4a.40.2" audioSamplingRate="48000"/>
    </AdaptationSet>
    <AdaptationSet contentType="text" mimeType="application/mp4" codecs="stpp" lang="fr">
      <SegmentTemplate timescale="1" duration="4" media="t/$Number$.m4s"/>
      <Representation id="t" bandwidth="1000"/>
    </AdaptationSet>
    <AdaptationSet contentType="image" mimeType="image/jpeg">
      <SegmentTemplate timescale="1" duration="4" media="thumb/$Number$.jpg"/>
      <Representation id="thumbs" bandwidth="10000"/>
    </AdaptationSet>
  </Period>
</MPD>"#,
    );
    assert_eq!(p.duration, Some(Duration::from_secs(8)));
    assert_eq!(p.min_buffer_time, Some(Duration::from_millis(1500)));
    let period = &p.periods[0];
    assert_eq!(period.start, Duration::ZERO);
    assert_eq!(period.duration, Some(Duration::from_secs(8)));
    let kinds: Vec<_> = period.tracks.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TrackKind::Video, TrackKind::Audio, TrackKind::Text]);

    let video = p.track(TrackKind::Video).unwrap();
    assert_eq!(video.id.as_deref(), Some("1"));
    assert_eq!(video.mime_type.as_deref(), Some("video/mp4"));
    let ids: Vec<_> = video.representations.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["lo", "mid", "hi"]);
    let lo = &video.representations[0];
    assert_eq!(lo.bandwidth.bps(), 300_000);
    assert_eq!((lo.width, lo.height), (Some(640), Some(360)));
    assert_eq!(lo.codecs.as_deref(), Some("avc1.4d401f"));
    assert_eq!(lo.mime_type.as_deref(), Some("video/mp4"));
    assert_eq!(lo.frame_rate.as_deref(), Some("30000/1001"));
    let hi = &video.representations[2];
    assert_eq!((hi.width, hi.height), (Some(1920), Some(1080)));
    assert_eq!(hi.codecs.as_deref(), Some("avc1.640028"));
    assert_eq!(hi.segments.init().unwrap().url, "hi/init.mp4");
    assert_eq!(urls(hi), ["hi/1.m4s", "hi/2.m4s"]);

    let audio = p.track(TrackKind::Audio).unwrap();
    assert_eq!(audio.language.as_deref(), Some("en"));
    assert_eq!(audio.mime_type.as_deref(), Some("audio/mp4"));
    let a = &audio.representations[0];
    assert_eq!(a.audio_sampling_rate.as_deref(), Some("48000"));
    assert_eq!(durations_ms(a), [4000, 4000]);
    let text = p.track(TrackKind::Text).unwrap();
    assert_eq!(text.language.as_deref(), Some("fr"));
}

#[test]
fn period_timing_is_filled_in() {
    let set = r#"<AdaptationSet contentType="audio"><SegmentTemplate duration="2" media="$Number$.m4s"/>
        <Representation id="a" bandwidth="1"/></AdaptationSet>"#;
    let p = parse_ok(&format!(
        r#"<MPD mediaPresentationDuration="PT30S">
          <Period id="a" duration="PT10S">{set}</Period>
          <Period id="b">{set}</Period>
          <Period id="c" start="PT25S">{set}</Period>
        </MPD>"#
    ));
    let spans: Vec<_> =
        p.periods.iter().map(|p| (p.start.as_secs(), p.duration.map(|d| d.as_secs()))).collect();
    assert_eq!(spans, [(0, Some(10)), (10, Some(15)), (25, Some(5))]);
    let counts: Vec<_> = p.periods.iter().map(|p| segments(&p.tracks[0].representations[0]).len()).collect();
    assert_eq!(counts, [5, 8, 3]);
    assert_eq!(p.periods[1].id.as_deref(), Some("b"));

    // Without mediaPresentationDuration, the presentation ends with its last period.
    let p = parse_ok(&format!(r#"<MPD><Period start="PT5S" duration="PT4S">{set}</Period></MPD>"#));
    assert_eq!(p.duration, Some(Duration::from_secs(9)));
}

#[test]
fn adaptation_sets_classified_by_representation_and_codecs() {
    let p = parse_ok(
        r#"<MPD mediaPresentationDuration="PT2S"><Period>
          <AdaptationSet><Representation id="v" bandwidth="1" mimeType="video/webm"><BaseURL>v.webm</BaseURL></Representation></AdaptationSet>
          <AdaptationSet codecs="ec-3"><Representation id="a" bandwidth="1"><BaseURL>a.mp4</BaseURL></Representation></AdaptationSet>
          <AdaptationSet mimeType="video/mp4" codecs="wvtt"><Representation id="t" bandwidth="1"><BaseURL>t.mp4</BaseURL></Representation></AdaptationSet>
          <AdaptationSet mimeType="application/x-unknown"><Representation id="x" bandwidth="1"/></AdaptationSet>
          <AdaptationSet contentType="video"/>
        </Period></MPD>"#,
    );
    let kinds: Vec<_> = p.periods[0].tracks.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TrackKind::Video, TrackKind::Audio, TrackKind::Text]);
    // No addressing at all: the BaseURL is one segment covering the period.
    let v = first_rep(&p);
    assert_eq!(v.base_urls[0].url.as_str(), "https://origin.example/content/movie/v.webm");
    let SegmentIndex::Listed { init: None, segments } = &v.segments else { panic!("{:?}", v.segments) };
    assert_eq!(segments.len(), 1);
    assert_eq!(segments.get(0).unwrap().location.url, "");
    assert_eq!(segments.get(0).unwrap().duration, Duration::from_secs(2));
}

#[test]
fn utf8_bom_and_namespaced_root_are_fine() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(
        video_mpd(
            "PT2S",
            r#"<SegmentTemplate duration="2" media="$Number$"/><Representation id="r" bandwidth="1"/>"#,
        )
        .bytes(),
    );
    assert!(parse(&bytes, &manifest_url()).is_ok());
}
