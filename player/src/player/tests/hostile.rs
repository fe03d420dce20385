//! Values a hostile server or a careless configuration can send: each once panicked or overflowed
//! the core; each now ends in bounded, typed behaviour.

use super::steering_and_cmcd::{fetches, steered};
use super::*;

/// Answer the steering request among `requests` with `body` at `t`.
fn answer_steering(player: &mut Player, requests: &[FetchRequest], t: Duration, body: &'static [u8]) {
    let steer = requests.iter().find(|r| r.kind == RequestKind::Steering).expect("a steering request");
    player.handle_input(t, Input::ResponseStarted { id: steer.id, content_length: None });
    player
        .handle_input(t, Input::Data { id: steer.id, chunk: Chunk::Bytes(bytes::Bytes::from_static(body)) });
    player.handle_input(t, Input::Complete { id: steer.id });
}

fn steered_player() -> (Player, Vec<FetchRequest>) {
    let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
    player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: steered() });
    let first = fetches(&mut player);
    (player, first)
}

/// When the steering server is asked next, after an answer at `t`.
fn next_steering_poll(player: &mut Player, t: Duration) -> Duration {
    // Every other wake-up is a request deadline or a buffer check; step through them.
    let mut now = t;
    for _ in 0..10_000 {
        let Some(next) = player.poll_timeout() else { break };
        now = next.max(now);
        player.handle_timeout(now);
        if fetches(player).iter().any(|r| r.kind == RequestKind::Steering) {
            return now;
        }
    }
    panic!("the steering server is never asked again");
}

#[test]
fn a_steering_ttl_of_1e20_seconds_is_a_day_not_a_panic() {
    let (mut player, first) = steered_player();
    let t = Duration::from_millis(30);
    answer_steering(&mut player, &first, t, br#"{"VERSION":1,"TTL":1e20}"#);
    let next = next_steering_poll(&mut player, t);
    assert!(next > t + Duration::from_secs(86_000) && next <= t + Duration::from_secs(86_400), "{next:?}");
}

#[test]
fn a_tiny_steering_ttl_does_not_poll_every_round_trip() {
    let (mut player, first) = steered_player();
    let t = Duration::from_millis(30);
    answer_steering(&mut player, &first, t, br#"{"VERSION":1,"TTL":1e-9}"#);
    let next = next_steering_poll(&mut player, t);
    assert!(next >= t + Duration::from_secs(1), "asked again at {next:?}");
}

#[test]
fn a_reload_uri_that_is_not_http_is_ignored() {
    let (mut player, first) = steered_player();
    let t = Duration::from_millis(30);
    answer_steering(&mut player, &first, t, br#"{"VERSION":1,"TTL":10,"RELOAD-URI":"file:///etc/passwd"}"#);
    let mut now = t;
    let poll = loop {
        let next = player.poll_timeout().expect("a wake-up");
        now = next.max(now);
        player.handle_timeout(now);
        if let Some(r) = fetches(&mut player).into_iter().find(|r| r.kind == RequestKind::Steering) {
            break r;
        }
    };
    assert!(poll.url.starts_with("http://steer/s"), "{}", poll.url);
}

#[test]
fn pathway_clones_are_capped() {
    let (mut player, first) = steered_player();
    let clones: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"BASE-ID":"a","ID":"c{i}","URI-REPLACEMENT":{{"HOST":"c{i}.example"}}}}"#))
        .collect();
    let body = format!(r#"{{"VERSION":1,"TTL":300,"PATHWAY-CLONES":[{}]}}"#, clones.join(","));
    let body: &'static [u8] = Box::leak(body.into_bytes().into_boxed_slice());
    answer_steering(&mut player, &first, Duration::from_millis(30), body);
    let locations = player.presentation().unwrap().locations.len();
    assert_eq!(locations, 2 + crate::failover::steering::MAX_CLONES);
}

#[test]
fn an_audio_bandwidth_near_the_top_of_u64_does_not_overflow() {
    let mut p = (*super::decoder_reports::with_two_languages(4)).clone();
    for track in &mut p.periods[0].tracks {
        if track.kind == TrackKind::Audio {
            track.representations[0].bandwidth = Bitrate(u64::MAX / 5);
        }
    }
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: Arc::new(p) });
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended);
}

#[test]
fn a_content_length_near_the_top_of_u64_on_a_resumed_request_does_not_overflow() {
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.input(Input::LoadPresentation { presentation: presentation(3, &["a", "b"]) });
    let media = d.fetched.iter().find(|r| r.kind == RequestKind::Media).unwrap().clone();
    d.net.pending.retain(|(_, r, _)| r.id != media.id);
    d.input(Input::ResponseStarted { id: media.id, content_length: Some(u64::MAX - 3) });
    d.input(Input::Data { id: media.id, chunk: x_bytes(1000) });
    d.input(Input::Failed { id: media.id, error: FetchError::Reset });
    d.run_until(Duration::from_secs(5));
    // The retry goes on with what it can; the session stays alive.
    assert!(!matches!(d.player.state(), PlayerState::Failed), "{:?}", d.player.error());
    let resumed = d.fetched.iter().filter(|r| r.kind == RequestKind::Media).nth(1).expect("a retry");
    if let Some(range) = resumed.range {
        assert!(range.start <= range.end);
    }
}

#[test]
fn extreme_configuration_values_neither_panic_nor_hang() {
    let config = PlayerConfig {
        give_up_after: Duration::MAX,
        full_buffer_poll: Some(Duration::MAX),
        request_timeouts: Some(crate::RequestTimeouts {
            first_byte: Duration::MAX,
            stall: Duration::MAX,
            buffer_fraction: 1e308,
            min: Duration::MAX,
        }),
        decoder_reports: Some(Duration::MAX),
        ..PlayerConfig::default()
    };
    let mut d = Driver::new(config, "bola");
    d.input(Input::LoadPresentation { presentation: presentation(4, &["a"]) });
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended);
}

#[test]
fn a_byte_range_to_the_end_of_u64_has_a_length() {
    let range = crate::presentation::ByteRange { start: 0, end: u64::MAX };
    assert_eq!(range.len(), u64::MAX);
}

#[test]
fn a_seek_does_not_silence_the_steering_client() {
    let (mut player, first) = steered_player();
    player.handle_input(Duration::from_millis(10), Input::Seek { position: Duration::from_secs(8) });
    let after_seek = fetches(&mut player);
    assert!(after_seek.iter().all(|r| r.kind != RequestKind::Steering), "the steering request goes on");
    let t = Duration::from_millis(30);
    answer_steering(&mut player, &first, t, br#"{"VERSION":1,"TTL":20}"#);
    let next = next_steering_poll(&mut player, t);
    assert!(next <= t + Duration::from_secs(21), "asked again after its TTL, at {next:?}");
}

#[test]
fn a_body_past_its_kind_cap_is_refused_as_soon_as_its_length_is_announced() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(3, &["a", "b"]) });
    let init = d.fetched.iter().find(|r| r.kind == RequestKind::Init).unwrap().clone();
    d.net.pending.retain(|(_, r, _)| r.id != init.id);
    d.input(Input::ResponseStarted { id: init.id, content_length: Some(1 << 30) });
    assert!(d.cancelled.contains(&init.id), "a 1 GiB init segment is not waited for");
    assert!(d.events.iter().any(|(_, e)| matches!(
        e,
        PlayerEvent::RequestFailed { kind: RequestKind::Init, error: FetchError::Transport(_), .. }
    )));
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended, "fetched elsewhere: {:?}", d.player.error());
}

#[test]
fn the_event_log_is_bounded() {
    let config = PlayerConfig { record_log: true, ..PlayerConfig::default() };
    let mut d = Driver::new(config, "bola");
    d.input(Input::LoadPresentation { presentation: presentation(3, &["a"]) });
    for i in 0..(crate::MAX_LOG_ENTRIES as u64 + 10) {
        d.player.handle_input(d.now, Input::DecoderFrames { decoded: i, dropped: 0 });
    }
    assert_eq!(d.player.event_log().len(), crate::MAX_LOG_ENTRIES);
    assert!(d.player.event_log_dropped() >= 10);
}

#[test]
fn a_body_that_ends_short_of_its_length_is_truncated_and_resumed_elsewhere() {
    // Drivers hand over what arrives and say when the body ended; the core alone compares it with
    // the announced length.
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.input(Input::LoadPresentation { presentation: presentation(3, &["a", "b"]) });
    let media = d.fetched.iter().find(|r| r.kind == RequestKind::Media).unwrap().clone();
    d.net.pending.retain(|(_, r, _)| r.id != media.id);
    d.input(Input::ResponseStarted { id: media.id, content_length: Some(125_000) });
    d.input(Input::Data { id: media.id, chunk: x_bytes(50_000) });
    d.input(Input::Complete { id: media.id });
    assert!(d.events.iter().any(|(_, e)| matches!(
        e,
        PlayerEvent::RequestFailed { kind: RequestKind::Media, error: FetchError::Truncated, .. }
    )));
    // A connection reset part-way through an announced body is a truncation too.
    let next = d.fetched.iter().filter(|r| r.kind == RequestKind::Media).nth(1).expect("a retry").clone();
    assert_eq!(next.range.map(|r| r.start), Some(50_000), "the rest is asked for: {next:?}");
    d.net.pending.retain(|(_, r, _)| r.id != next.id);
    d.input(Input::ResponseStarted { id: next.id, content_length: Some(75_000) });
    d.input(Input::Data { id: next.id, chunk: x_bytes(10_000) });
    d.input(Input::Failed { id: next.id, error: FetchError::Reset });
    let truncated = d
        .events
        .iter()
        .filter(|(_, e)| matches!(e, PlayerEvent::RequestFailed { error: FetchError::Truncated, .. }))
        .count();
    assert_eq!(truncated, 2);
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended, "{:?}", d.player.error());
}

#[test]
fn relative_urls_resolve_against_the_url_that_answered_the_manifest() {
    let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
    player.handle_input(Duration::ZERO, Input::Load { url: "http://origin.example/dir/a.mpd".into() });
    let manifest = fetches(&mut player).into_iter().find(|r| r.kind == RequestKind::Manifest).unwrap();
    let mpd = br#"<MPD type="static" mediaPresentationDuration="PT4S"><Period>
        <AdaptationSet contentType="video" mimeType="video/mp4">
        <SegmentTemplate timescale="1000" duration="2000" media="v/$Number$.m4s"/>
        <Representation id="v" bandwidth="500000"/></AdaptationSet></Period></MPD>"#;
    let t = Duration::from_millis(20);
    let id = manifest.id;
    player.handle_input(t, Input::Redirected { id, url: "http://edge.example/cdn/a.mpd".into() });
    player.handle_input(t, Input::ResponseStarted { id, content_length: None });
    player.handle_input(t, Input::Data { id, chunk: Chunk::Bytes(bytes::Bytes::from_static(mpd)) });
    player.handle_input(t, Input::Complete { id });
    let media = fetches(&mut player).into_iter().find(|r| r.kind == RequestKind::Media).expect("a segment");
    assert_eq!(media.url, "http://edge.example/cdn/v/1.m4s");
}
