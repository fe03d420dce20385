//! What a rendering driver reports: buffered ranges, frame counters, and track choices.

use super::*;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// `presentation(segments, ["a"])` with two audio tracks, `en` then `fr`.
pub(super) fn with_two_languages(segments: usize) -> Arc<Presentation> {
    let mut p = (*presentation(segments, &["a"])).clone();
    let video = p.periods[0].tracks[0].clone();
    for language in ["en", "fr"] {
        let mut audio = video.clone();
        audio.kind = TrackKind::Audio;
        audio.language = Some(language.into());
        audio.representations.truncate(1);
        let rep = &mut audio.representations[0];
        rep.id = format!("audio-{language}");
        if let SegmentIndex::Listed { init, segments } = &mut rep.segments {
            *init = Some(SegmentRef { url: format!("{language}/init.mp4"), range: None });
            for (i, s) in segments.listed_mut().unwrap().iter_mut().enumerate() {
                s.location.url = format!("{language}/{i}.m4s");
            }
        }
        p.periods[0].tracks.push(audio);
    }
    Arc::new(p)
}

fn fetches_of(d: &Driver, suffix: &str) -> usize {
    d.fetched.iter().filter(|r| r.url.ends_with(suffix)).count()
}

#[test]
fn evicted_media_ahead_of_the_position_is_fetched_again() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(30, &["a"]) });
    d.run_until(secs(8.0));
    let position = d.player.position(d.now);
    let level = d.player.buffer_level(d.now);
    assert!(level > secs(10.0), "the buffer filled: {level:?}");
    // The decoder holds only the next four seconds.
    let held = position + secs(4.0);
    d.input(Input::Buffered { track: TrackKind::Video, ranges: vec![(Duration::ZERO, held)] });
    assert!(
        d.events.iter().any(|(_, e)| matches!(e, PlayerEvent::BufferEvicted { track: TrackKind::Video, .. })),
        "{:?}",
        d.events
    );
    assert!(d.player.buffer_level(d.now) <= secs(4.0) + SEG);
    // The segment the held media ends in, unless less than half a second of it is missing.
    let refetched = ((held.as_secs_f64() + 0.5) / SEG.as_secs_f64()).floor() as usize;
    d.run_until(secs(200.0));
    assert!(
        d.fetched.iter().filter(|r| r.url.ends_with(&format!("/{refetched}.m4s"))).count() >= 2,
        "segment {refetched} is fetched again"
    );
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.stalls.is_empty(), "{:?}", report.stalls);
}

#[test]
fn a_report_that_matches_what_was_appended_changes_nothing() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(30, &["a"]) });
    d.run_until(secs(8.0));
    let end = d.player.position(d.now) + d.player.buffer_level(d.now);
    let fetched = d.fetched.len();
    // Decoders trim edges: a little less than appended, split by a tiny gap, is still all there.
    let ranges = vec![(secs(0.04), secs(6.0)), (secs(6.05), end - secs(0.1))];
    d.input(Input::Buffered { track: TrackKind::Video, ranges });
    assert!(!d.events.iter().any(|(_, e)| matches!(e, PlayerEvent::BufferEvicted { .. })));
    assert_eq!(d.fetched.len(), fetched);
    assert!(d.cancelled.is_empty());
}

#[test]
fn frame_counters_reach_the_report() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(5, &["a"]) });
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert_eq!((report.decoded_frames, report.dropped_frames), (None, None));
    d.input(Input::DecoderFrames { decoded: 300, dropped: 2 });
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert_eq!((report.decoded_frames, report.dropped_frames), (Some(300), Some(2)));
}

#[test]
fn selecting_another_audio_track_restarts_there_at_the_position() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: with_two_languages(20) });
    d.run_until(secs(6.0));
    assert_eq!(d.player.selected_track(TrackKind::Audio), Some(0));
    assert!(fetches_of(&d, "en/0.m4s") == 1 && fetches_of(&d, "fr/0.m4s") == 0);
    let position = d.player.position(d.now);
    d.input(Input::SelectTrack { kind: TrackKind::Audio, index: 1 });
    assert_eq!(d.player.selected_track(TrackKind::Audio), Some(1));
    assert!(d.events.iter().any(|(_, e)| matches!(
        e,
        PlayerEvent::TrackChanged { kind: TrackKind::Audio, index: 1, language: Some(l) } if l == "fr"
    )));
    let first = (position.as_secs_f64() / SEG.as_secs_f64()).floor() as usize;
    d.run_until(secs(200.0));
    assert_eq!(fetches_of(&d, "fr/init.mp4"), 1);
    let first_french = d.fetched.iter().find(|r| r.url.contains("/fr/") && r.url.ends_with(".m4s"));
    let first_french = first_french.unwrap();
    assert!(
        first_french.url.ends_with(&format!("fr/{first}.m4s")),
        "French from {first}: {}",
        first_french.url
    );
    assert_eq!(d.player.state(), PlayerState::Ended);
    assert_eq!(fetches_of(&d, "fr/19.m4s"), 1);
    assert_eq!(fetches_of(&d, "en/19.m4s"), 0);
    // Selecting the track already played, or one that does not exist, changes nothing.
    let events = d.events.len();
    d.input(Input::SelectTrack { kind: TrackKind::Audio, index: 1 });
    d.input(Input::SelectTrack { kind: TrackKind::Audio, index: 7 });
    assert_eq!(d.events.len(), events);
}
