//! Start-up: what is fetched before the first frame.

use super::decoder_reports::with_two_languages;
use super::*;

/// Answer the request whose URL ends with `suffix` in full, now.
fn answer(d: &mut Driver, suffix: &str) {
    let r = d.fetched.iter().rev().find(|r| r.url.ends_with(suffix)).unwrap_or_else(|| panic!("no {suffix}"));
    let id = r.id;
    d.pending.retain(|(_, p, _)| p.id != id);
    d.input(Input::ResponseStarted { id, content_length: Some(1000) });
    d.input(Input::Data { id, len: 1000, chunk: bytes::Bytes::from_static(b"x") });
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
