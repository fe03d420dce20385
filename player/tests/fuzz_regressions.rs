//! Crashes the fuzz targets found (issue 12, `fuzz/`), replayed through the public API: each failed
//! before its fix. A new one found open goes in ignored, with an entry in `fuzz/src/known.rs`.

use flick_abr::units::{Bitrate, Bytes};
use flick_player::presentation::{
    BaseUrl, ContentSteering, Location, MediaSegment, Period, Presentation, Representation, SegmentIndex,
    SegmentRef, Track, TrackKind,
};
use flick_player::{Chunk, Input, Output, Player, PlayerConfig, RequestKind};
use std::sync::Arc;
use std::time::Duration;

/// One 2 s segment per track of `kinds`, from location `a`.
fn presentation(kinds: &[TrackKind]) -> Arc<Presentation> {
    served_from(kinds, &["a"])
}

/// One 2 s segment per track of `kinds`, from `locations`.
fn served_from(kinds: &[TrackKind], locations: &[&str]) -> Arc<Presentation> {
    let base_urls: Vec<BaseUrl> = locations
        .iter()
        .enumerate()
        .map(|(i, l)| BaseUrl { url: url::Url::parse(&format!("http://{l}.example/")).unwrap(), location: i })
        .collect();
    let track = |kind: TrackKind| Track {
        kind,
        id: None,
        language: None,
        mime_type: None,
        representations: vec![Representation {
            id: format!("{kind:?}"),
            bandwidth: Bitrate::from_kbps(500),
            width: None,
            height: None,
            frame_rate: None,
            codecs: None,
            mime_type: None,
            audio_sampling_rate: None,
            base_urls: base_urls.clone(),
            availability_time_offset: 0.0,
            segments: SegmentIndex::Listed {
                init: Some(SegmentRef { url: format!("{kind:?}/init.mp4"), range: None }),
                segments: vec![MediaSegment {
                    location: SegmentRef { url: format!("{kind:?}/0.m4s"), range: None },
                    number: 0,
                    start: Duration::ZERO,
                    duration: Duration::from_secs(2),
                    size: Some(Bytes(125_000)),
                }]
                .into(),
            },
        }],
    };
    Arc::new(Presentation {
        duration: Some(Duration::from_secs(2)),
        min_buffer_time: None,
        periods: vec![Period {
            id: None,
            start: Duration::ZERO,
            duration: Some(Duration::from_secs(2)),
            tracks: kinds.iter().map(|&k| track(k)).collect(),
        }],
        live: None,
        events: Vec::new(),
        warnings: Vec::new(),
        locations: locations
            .iter()
            .map(|l| Location { id: l.to_string(), priority: None, weight: None })
            .collect(),
        steering: None,
    })
}

fn drain(player: &mut Player) -> Vec<Output> {
    std::iter::from_fn(|| player.poll_output()).collect()
}

/// Fuzz input `fuzz/regressions/state_machine/reload-then-seek`: the requests of a first
/// presentation (video and audio) are still in flight when a second one (video only) is loaded;
/// a seek then records them against the second one's tracks.
#[test]
fn a_seek_after_loading_another_presentation_does_not_panic() {
    let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
    player.handle_input(
        Duration::ZERO,
        Input::LoadPresentation { presentation: presentation(&[TrackKind::Video, TrackKind::Audio]) },
    );
    let fetched = drain(&mut player).iter().filter(|o| matches!(o, Output::Fetch(_))).count();
    assert!(fetched >= 2, "video and audio requests in flight");
    player.handle_input(
        Duration::from_millis(10),
        Input::LoadPresentation { presentation: presentation(&[TrackKind::Video]) },
    );
    drain(&mut player);
    player.handle_input(Duration::from_millis(20), Input::Seek { position: Duration::ZERO });
    drain(&mut player);
}

/// Fuzz input `fuzz/regressions/steering/huge-ttl.json`: a steering server answers a TTL that
/// no `Duration` holds.
#[test]
fn a_steering_ttl_beyond_any_duration_does_not_panic() {
    let mut p = (*presentation(&[TrackKind::Video])).clone();
    p.steering = Some(ContentSteering {
        server: url::Url::parse("http://steer.example/s").unwrap(),
        default_service_location: None,
        query_before_start: false,
    });
    let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
    player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: Arc::new(p) });
    let steering = drain(&mut player)
        .into_iter()
        .find_map(|o| match o {
            Output::Fetch(r) if r.kind == RequestKind::Steering => Some(r.id),
            _ => None,
        })
        .expect("the steering server is asked");
    let t = Duration::from_millis(30);
    let body = br#"{"VERSION":1,"TTL":1e20}"#;
    player.handle_input(t, Input::Data { id: steering, chunk: Chunk::Bytes(body.as_slice().into()) });
    player.handle_input(t, Input::Complete { id: steering });
    drain(&mut player);
    assert!(player.poll_timeout().is_some());
}

/// Fuzz input `fuzz/regressions/state_machine/double-cancel`: the requests to both locations time
/// out in one late wake-up; the first gives the session up, which cancels every request, and the
/// loop over the expired ones then cancels the rest again.
#[test]
fn a_request_is_cancelled_once() {
    let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
    let p = served_from(&[TrackKind::Video, TrackKind::Audio], &["a", "b"]);
    player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: p });
    let mut cancelled = Vec::new();
    let mut now = Duration::ZERO;
    for _ in 0..2 {
        for output in drain(&mut player) {
            if let Output::Cancel(id) = output {
                assert!(!cancelled.contains(&id), "{id:?} cancelled twice");
                cancelled.push(id);
            }
        }
        // Nothing is ever answered: first the timeouts on a, then, much later, those on b.
        now = player.poll_timeout().expect("a timeout")
            + Duration::from_secs(600) * u32::from(now > Duration::ZERO);
        player.handle_timeout(now);
    }
    for output in drain(&mut player) {
        if let Output::Cancel(id) = output {
            assert!(!cancelled.contains(&id), "{id:?} cancelled twice");
            cancelled.push(id);
        }
    }
    assert_eq!(player.state(), flick_player::PlayerState::Failed);
}

/// Fuzz input `fuzz/regressions/state_machine/huge-content-length`: a server announces a body of
/// nearly 2^64 bytes; the abandonment check turns the announced size into bits.
#[test]
fn a_huge_content_length_does_not_overflow() {
    let mut p = (*served_from(&[TrackKind::Video], &["a"])).clone();
    let mut high = p.periods[0].tracks[0].representations[0].clone();
    high.id = "high".into();
    high.bandwidth = Bitrate::from_kbps(4000);
    p.periods[0].tracks[0].representations.push(high);
    let config = PlayerConfig { initial_rung: Some(1), ..PlayerConfig::default() };
    let mut player = Player::new(config, flick_abr::by_name("throughput").unwrap());
    player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: Arc::new(p) });
    let media = drain(&mut player)
        .into_iter()
        .find_map(|o| match o {
            Output::Fetch(r) if r.kind == RequestKind::Media => Some(r.id),
            _ => None,
        })
        .expect("a media request");
    let t = Duration::from_millis(100);
    player.handle_input(t, Input::ResponseStarted { id: media, content_length: Some(u64::MAX - 1) });
    player.handle_input(t, Input::Data { id: media, chunk: Chunk::Counted(1_000) });
    for s in 1..=20 {
        player.handle_input(Duration::from_secs(s), Input::Data { id: media, chunk: Chunk::Counted(1_000) });
        drain(&mut player);
    }
}
