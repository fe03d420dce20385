//! The core says when a track is complete, so no driver has to guess it.

use super::*;

/// `presentation(segments, ["a"])` whose last segment is `last` long, while the MPD still
/// declares whole segments.
fn short_last_segment(segments: usize, last: Duration) -> Arc<Presentation> {
    let mut p = (*presentation(segments, &["a"])).clone();
    for rep in &mut p.periods[0].tracks[0].representations {
        if let SegmentIndex::Listed { segments, .. } = &mut rep.segments
            && let Some(s) = segments.listed_mut().and_then(|l| l.last_mut())
        {
            s.duration = last;
        }
    }
    Arc::new(p)
}

#[test]
fn each_track_ends_right_after_its_last_segment_even_when_it_is_shorter_than_declared() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: short_last_segment(5, Duration::from_millis(1200)) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Ended);
    assert_eq!(d.ended_tracks.len(), 1, "{:?}", d.ended_tracks);
    let (ended_at, track) = d.ended_tracks[0];
    assert_eq!(track, TrackKind::Video);
    let last_append = d.appended.iter().rposition(|a| a.segment == Some(4)).expect("the last segment");
    assert_eq!(d.appended.len(), last_append + 1, "nothing is appended after the end");
    assert!(
        ended_at < Duration::from_secs(5),
        "told at the last append ({ended_at:?}), not at the end of play"
    );
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!((report.played_s - 9.2).abs() < 1e-6, "played {} s of 9.2 s of media", report.played_s);
}

#[test]
fn a_seek_back_after_the_end_ends_the_track_again() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(4, &["a"]) });
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended);
    d.input(Input::Seek { position: Duration::from_secs(3) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Ended);
    assert_eq!(d.ended_tracks.len(), 2, "once per flush: {:?}", d.ended_tracks);
}

#[test]
fn a_presentation_that_goes_on_in_another_period_does_not_end_as_if_complete() {
    let mut p = (*presentation(3, &["a"])).clone();
    let mut second = p.periods[0].clone();
    second.id = Some("ad".into());
    second.start = Duration::from_secs(6);
    p.periods.push(second);
    p.duration = Some(Duration::from_secs(12));
    let mut d = Driver::new(PlayerConfig::default(), "hedge");
    d.input(Input::LoadPresentation { presentation: Arc::new(p) });
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Failed, "never a clean end after 6 of 12 s");
    let error = d.player.error().unwrap().to_string();
    assert!(error.contains("period \"ad\" at 6.000 s (2 periods in all)"), "{error}");
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!((report.played_s - 6.0).abs() < 0.1, "it played the first period: {}", report.played_s);
}
