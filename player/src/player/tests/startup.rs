//! Start-up: what is fetched before the first frame.

use super::decoder_reports::with_two_languages;
use super::*;
use crate::io::AppendKind;

/// Answer the request whose URL ends with `suffix` in full, now.
fn answer(d: &mut Driver, suffix: &str) {
    let r = d.fetched.iter().rev().find(|r| r.url.ends_with(suffix)).unwrap_or_else(|| panic!("no {suffix}"));
    let id = r.id;
    d.net.pending.retain(|(_, p, _)| p.id != id);
    d.input(Input::ResponseStarted { id, content_length: Some(1000) });
    d.input(Input::Data { id, chunk: x_bytes(1000) });
    d.input(Input::Complete { id });
}

fn asked(d: &Driver, suffix: &str) -> bool {
    d.fetched.iter().any(|r| r.url.ends_with(suffix))
}

#[test]
fn before_the_first_frame_audio_leaves_the_link_to_video() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: with_two_languages(20) });
    answer(&mut d, "r0/init.mp4");
    answer(&mut d, "en/init.mp4");
    assert!(asked(&d, "r0/0.m4s") && asked(&d, "en/0.m4s"));
    answer(&mut d, "en/0.m4s");
    assert_eq!(d.player.state(), PlayerState::Buffering);
    assert!(!asked(&d, "en/1.m4s"), "audio waits while the first video segment downloads");
    answer(&mut d, "r0/0.m4s");
    assert_eq!(d.player.state(), PlayerState::Playing);
    assert!(asked(&d, "en/1.m4s"), "once playing, audio fetches ahead again");
}

#[test]
fn while_playing_tracks_fetch_independently() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: with_two_languages(20) });
    answer(&mut d, "r0/init.mp4");
    answer(&mut d, "en/init.mp4");
    answer(&mut d, "en/0.m4s");
    answer(&mut d, "r0/0.m4s");
    answer(&mut d, "en/1.m4s");
    assert!(asked(&d, "en/2.m4s"), "audio may run ahead of video once playing");
}

#[test]
fn the_init_segment_and_the_first_media_segment_are_asked_for_together() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: with_two_languages(20) });
    for url in ["r0/init.mp4", "r0/0.m4s", "en/init.mp4", "en/0.m4s"] {
        assert!(asked(&d, url), "{url} asked for at once");
    }
}

#[test]
fn media_that_arrives_before_its_init_segment_waits_for_it() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(10, &["a"]) });
    answer(&mut d, "r0/0.m4s");
    assert!(d.appended.is_empty(), "nothing appended before the init segment");
    answer(&mut d, "r0/init.mp4");
    let kinds: Vec<_> = d.appended.iter().map(|a| (a.kind, a.segment)).collect();
    assert_eq!(kinds, vec![(AppendKind::Init, None), (AppendKind::Media, Some(0))]);
    assert_eq!(d.player.state(), PlayerState::Playing);
}

#[test]
fn a_failed_init_segment_is_asked_for_again_without_fetching_the_media_twice() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(10, &["a", "b"]) });
    let init = d.fetched.iter().find(|r| r.url.ends_with("r0/init.mp4")).unwrap().id;
    d.net.pending.retain(|(_, p, _)| p.id != init);
    d.input(Input::Failed { id: init, error: FetchError::Http(503) });
    answer(&mut d, "r0/0.m4s");
    assert!(d.appended.is_empty());
    let again: Vec<_> = d.fetched.iter().filter(|r| r.url.ends_with("r0/init.mp4")).collect();
    assert_eq!(again.len(), 2, "the init segment is asked for again (where the media came from)");
    answer(&mut d, "r0/init.mp4");
    assert_eq!(d.fetched.iter().filter(|r| r.url.ends_with("r0/0.m4s")).count(), 1);
    assert_eq!(d.appended.len(), 2);
    assert_eq!(d.player.state(), PlayerState::Playing);
}
