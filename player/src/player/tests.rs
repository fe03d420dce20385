//! Scripted-driver tests of the state machine.

use super::*;
use crate::io::{Chunk, FetchError, FetchRequest, Input, Output, PlayerEvent};
use crate::metrics::QoeConfig;
use crate::presentation::{
    BaseUrl, Location, MediaSegment, Period, Representation, SegmentIndex, SegmentRef, Track,
};
use crate::virtual_time::{InputSource, Step as VirtualStep, VirtualClock};
use flick_abr::units::{Bitrate, Bytes};

mod driver;

use driver::*;

#[test]
fn plays_a_healthy_stream_to_the_end_without_stalling() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(10, &["a"]) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.stalls.is_empty(), "{:?}", report.stalls);
    assert_eq!(report.segments.iter().filter(|s| s.outcome == crate::metrics::Outcome::Ok).count(), 10);
    assert!((report.played_s - 20.0).abs() < 1e-6, "played {}", report.played_s);
    assert_eq!(
        d.states(),
        vec![PlayerState::Loading, PlayerState::Buffering, PlayerState::Playing, PlayerState::Ended]
    );
    // The decoder received an init segment before the first media segment of each rung.
    assert_eq!(d.appended[0].kind, crate::io::AppendKind::Init);
    assert!(!d.appended[1].data.is_empty() && d.appended[1].data.iter().all(|&b| b == b'x'));
}

#[test]
fn the_event_log_records_inputs_and_outputs_in_order() {
    let config = PlayerConfig { record_log: true, ..PlayerConfig::default() };
    let mut d = Driver::new(config, "bba");
    d.input(Input::LoadPresentation { presentation: presentation(3, &["a"]) });
    d.run_until(Duration::from_secs(60));
    let log = d.player.event_log();
    assert!(matches!(log[0].record, crate::log::LogRecord::LoadPresentation));
    assert!(log.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    let fetches = log.iter().filter(|e| matches!(e.record, crate::log::LogRecord::Fetch { .. })).count();
    let completes = log.iter().filter(|e| matches!(e.record, crate::log::LogRecord::Complete { .. })).count();
    assert_eq!(fetches, completes);
    assert_eq!(fetches, d.fetched.len());
    let json = serde_json::to_string(&log).unwrap();
    assert!(json.contains("\"type\":\"fetch\""), "{json}");
}

#[test]
fn a_slow_network_stalls_and_resumes_and_the_stall_is_reported() {
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.kbps = 600; // one 2 s segment of 250 kB takes 3.3 s
    d.input(Input::LoadPresentation { presentation: presentation(5, &["a"]) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(!report.stalls.is_empty());
    let stalled: f64 = report.stalls.iter().map(|s| s.duration_ms).sum::<f64>() / 1000.0;
    assert!((stalled - report.rebuffer_s).abs() < 1e-9);
    let attributed: f64 = report.segments.iter().map(|s| s.rebuffer_s).sum();
    assert!((attributed - report.rebuffer_s).abs() < 1e-6, "{attributed} vs {}", report.rebuffer_s);
    assert!(report.qoe_lin < 0.5);
}

#[test]
fn a_dead_location_fails_over_to_the_next_one() {
    for error in [Some(FetchError::Http(503)), Some(FetchError::Reset), None] {
        let mut d = Driver::new(PlayerConfig::default(), "bola");
        d.dead = vec!["a".into()];
        d.dead_error = error.clone();
        d.input(Input::LoadPresentation { presentation: presentation(8, &["a", "b"]) });
        d.run_until(Duration::from_secs(120));
        assert_eq!(d.player.state(), PlayerState::Ended, "{error:?}");
        let report = d.player.report(d.now, "test", None, QoeConfig::default());
        let ok: Vec<_> =
            report.segments.iter().filter(|s| s.outcome == crate::metrics::Outcome::Ok).collect();
        assert_eq!(ok.len(), 8);
        assert!(ok.iter().all(|s| s.location == "b"), "{error:?}");
        if error.is_none() {
            assert!(!d.cancelled.is_empty(), "the silent request must be given up");
        }
    }
}

#[test]
fn with_little_buffer_a_silent_location_is_left_early() {
    let config = PlayerConfig { max_buffer: Duration::from_secs(6), ..PlayerConfig::default() };
    let mut d = Driver::new(config, "throughput");
    d.input(Input::LoadPresentation { presentation: presentation(30, &["a", "b"]) });
    d.run_until(Duration::from_secs(3));
    d.dead = vec!["a".into()]; // a stops answering at 3 s with ~4 s buffered
    d.run_until(Duration::from_secs(80));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.stalls.is_empty(), "{:?}", report.stalls);
    let timeout = report.segments.iter().find(|s| s.outcome == crate::metrics::Outcome::Timeout).unwrap();
    let waited = timeout.end_ms - timeout.start_ms;
    assert!(waited < 2000.0, "gave up after {waited} ms, not the 4 s default");
    assert_eq!(report.cdn_switches, 1);
}

#[test]
fn a_body_that_stalls_is_resumed_elsewhere_with_a_byte_range() {
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.kbps = 2000;
    d.stalling = vec!["a".into()];
    d.input(Input::LoadPresentation { presentation: presentation(3, &["a", "b"]) });
    d.run_until(Duration::from_secs(60));
    let fails: Vec<_> =
        d.events.iter().filter(|(_, e)| matches!(e, PlayerEvent::RequestFailed { .. })).take(4).collect();
    assert_eq!(d.player.state(), PlayerState::Ended, "{fails:?}");
    let resumed: Vec<_> = d.fetched.iter().filter(|r| r.range.is_some()).collect();
    assert!(!resumed.is_empty(), "{:?}", d.fetched);
    assert!(resumed.iter().all(|r| r.url.starts_with("http://b/") && r.range.unwrap().start > 0));
    // The decoder got whole segments: the piece from a and the rest from b.
    let media: Vec<_> = d.appended.iter().filter(|a| a.kind == crate::io::AppendKind::Media).collect();
    assert_eq!(media.len(), 3);
}

#[test]
fn without_known_sizes_the_resume_range_comes_from_the_announced_length() {
    let mut p = (*presentation(3, &["a", "b"])).clone();
    for rep in &mut p.periods[0].tracks[0].representations {
        if let SegmentIndex::Listed { segments, .. } = &mut rep.segments {
            segments.listed_mut().unwrap().iter_mut().for_each(|s| s.size = None);
        }
    }
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.kbps = 2000;
    d.stalling = vec!["a".into()];
    d.input(Input::LoadPresentation { presentation: Arc::new(p) });
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let resumed: Vec<_> = d.fetched.iter().filter_map(|r| r.range).collect();
    assert!(!resumed.is_empty());
    assert!(resumed.iter().all(|r| r.end == BODY - 1 && r.start > 0), "{resumed:?}");
}

#[test]
fn a_location_that_recovers_is_probed_and_used_again() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.dead = vec!["a".into()];
    d.dead_error = Some(FetchError::Http(503));
    d.dead_until = Some(Duration::from_secs(5));
    d.input(Input::LoadPresentation { presentation: presentation(40, &["a", "b"]) });
    d.run_until(Duration::from_secs(200));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    let ok: Vec<_> = report.segments.iter().filter(|s| s.outcome == crate::metrics::Outcome::Ok).collect();
    assert_eq!(ok.first().unwrap().location, "b");
    assert_eq!(ok.last().unwrap().location, "a", "a came back and is preferred again");
    assert!(report.stalls.is_empty());
}

#[test]
fn dvb_weights_pick_among_equally_preferred_locations() {
    let mut p = (*presentation(3, &["a", "b"])).clone();
    p.locations[0].weight = Some(0);
    p.locations[1].weight = Some(5);
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: Arc::new(p) });
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended);
    assert!(d.fetched.iter().all(|r| r.url.starts_with("http://b/")), "{:?}", d.fetched);
}

#[test]
fn every_location_dead_ends_in_a_typed_error_within_the_limit() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.dead = vec!["a".into(), "b".into()];
    d.dead_error = Some(FetchError::Http(503));
    d.input(Input::LoadPresentation { presentation: presentation(8, &["a", "b"]) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Failed);
    assert!(matches!(d.player.error(), Some(PlayerError::AllLocationsFailed { .. })));
    assert!(d.now <= Duration::from_secs(12), "failed only at {:?}", d.now);
    assert_eq!(d.player.requests_in_flight(), 0);
}

#[test]
fn silent_locations_fail_by_timeout_not_by_hanging() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.dead = vec!["a".into()];
    d.input(Input::LoadPresentation { presentation: presentation(4, &["a"]) });
    d.run_until(Duration::from_secs(600));
    assert_eq!(d.player.state(), PlayerState::Failed);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert_eq!(report.error.unwrap().kind, "all_locations_failed");
}

#[test]
fn pause_holds_the_position_and_play_resumes() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(20, &["a"]) });
    d.run_until(Duration::from_secs(5));
    assert_eq!(d.player.state(), PlayerState::Playing);
    d.input(Input::Pause);
    let held = d.player.position(d.now);
    d.run_until(Duration::from_secs(15));
    assert_eq!(d.player.state(), PlayerState::Paused);
    assert_eq!(d.player.position(d.now), held);
    d.input(Input::Play);
    d.run_until(Duration::from_secs(17));
    assert_eq!(d.player.position(d.now), held + Duration::from_secs(2));
}

#[test]
fn seek_flushes_and_refills_from_the_target_segment() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(20, &["a"]) });
    d.run_until(Duration::from_secs(3));
    d.input(Input::Seek { position: Duration::from_secs(25) });
    assert_eq!(d.player.state(), PlayerState::Seeking);
    let first_after: Vec<_> = d.fetched.iter().rev().take(1).collect();
    assert!(
        first_after[0].url.ends_with("/12.m4s") || first_after[0].url.ends_with("init.mp4"),
        "{}",
        first_after[0].url
    );
    d.run_until(Duration::from_secs(5));
    assert_eq!(d.player.state(), PlayerState::Playing);
    assert!(d.player.position(d.now) >= Duration::from_secs(25));
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.stalls.is_empty(), "a seek is not a stall");
}

#[test]
fn a_pinned_quality_overrides_the_algorithm() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::SetQuality { rung: Some(2) });
    d.input(Input::LoadPresentation { presentation: presentation(5, &["a"]) });
    d.run_until(Duration::from_secs(60));
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.segments.iter().all(|s| s.rung == 2));
}

#[test]
fn the_full_buffer_waits_instead_of_fetching_ahead() {
    let config = PlayerConfig { max_buffer: Duration::from_secs(10), ..PlayerConfig::default() };
    let mut d = Driver::new(config, "bola");
    d.input(Input::LoadPresentation { presentation: presentation(60, &["a"]) });
    for t in 1..60 {
        d.run_until(Duration::from_secs(t));
        assert!(d.player.buffer_level(d.now) <= Duration::from_secs(10));
    }
}

#[test]
fn a_manifest_url_that_does_not_parse_is_an_error_not_a_panic() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::Load { url: "not a url".into() });
    assert_eq!(d.player.state(), PlayerState::Failed);
    assert!(matches!(d.player.error(), Some(PlayerError::InvalidInput(_))));
}

#[test]
fn answers_about_unknown_requests_are_ignored() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::Complete { id: RequestId(99) });
    d.input(Input::Data { id: RequestId(7), chunk: Chunk::Counted(5) });
    d.input(Input::Failed { id: RequestId(3), error: FetchError::Reset });
    assert_eq!(d.player.state(), PlayerState::Idle);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever the network does, the position never runs backwards while playing, never
        /// passes the buffered media, every request is answered or cancelled, and the session
        /// ends (played out or failed) rather than hanging.
        #[test]
        fn invariants_hold_under_random_networks(
            kbps in 200u64..20_000,
            latency_ms in 0u64..2_000,
            dead_a in any::<bool>(),
            pauses in proptest::collection::vec((1u64..60, any::<bool>()), 0..4),
            seek_to in proptest::option::of(0u64..30),
            abr in prop::sample::select(vec!["bola", "bba", "throughput", "robust-mpc"]),
        ) {
            let mut d = Driver::new(PlayerConfig::default(), abr);
            d.kbps = kbps;
            d.latency = Duration::from_millis(latency_ms);
            if dead_a {
                d.dead = vec!["a".into()];
                d.dead_error = Some(FetchError::Http(503));
            }
            d.input(Input::LoadPresentation { presentation: presentation(15, &["a", "b"]) });
            let mut last_position = Duration::ZERO;
            let mut commands = pauses.clone();
            commands.sort();
            for t in 1..400u64 {
                let now = Duration::from_secs(t);
                d.run_until(now);
                // Commands due now, several at the same second among them.
                while let Some(&(at, pause)) = commands.first()
                    && at == t
                {
                    d.input(if pause { Input::Pause } else { Input::Play });
                    commands.remove(0);
                }
                if seek_to.is_some() && t == 10 {
                    d.input(Input::Seek { position: Duration::from_secs(seek_to.unwrap()) });
                    last_position = Duration::ZERO;
                }
                let position = d.player.position(d.now);
                prop_assert!(position <= d.player.playable_end().max(last_position));
                if d.player.state() == PlayerState::Playing && !(seek_to.is_some() && t == 10) {
                    prop_assert!(position >= last_position);
                }
                last_position = position;
                if matches!(d.player.state(), PlayerState::Ended | PlayerState::Failed) {
                    break;
                }
                if commands.is_empty() && t > 60 {
                    d.input(Input::Play);
                }
            }
            prop_assert!(matches!(d.player.state(), PlayerState::Ended | PlayerState::Failed),
                "state {:?}", d.player.state());
            // Every request was answered or cancelled.
            prop_assert_eq!(d.player.requests_in_flight(), 0);
            let fetched: std::collections::HashSet<_> = d.fetched.iter().map(|r| r.id).collect();
            prop_assert!(d.cancelled.iter().all(|id| fetched.contains(id)));
        }
    }
}

mod abandonment;
mod decoder_cadence;
mod decoder_reports;
mod end_of_stream;
mod hostile;
mod live;
mod slow_servers;
mod startup;

mod steering_and_cmcd {
    use super::*;
    use crate::presentation::ContentSteering;

    pub(super) fn steered() -> Arc<Presentation> {
        let mut p = (*presentation(10, &["a", "b"])).clone();
        p.steering = Some(ContentSteering {
            server: url::Url::parse("http://steer/s").unwrap(),
            default_service_location: None,
            query_before_start: false,
        });
        Arc::new(p)
    }

    pub(super) fn fetches(player: &mut Player) -> Vec<FetchRequest> {
        std::iter::from_fn(|| player.poll_output())
            .filter_map(|o| if let Output::Fetch(r) = o { Some(r) } else { None })
            .collect()
    }

    #[test]
    fn the_steering_answer_reorders_locations_and_sets_the_next_poll() {
        let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
        player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: steered() });
        let first = fetches(&mut player);
        let steer = first.iter().find(|r| r.kind == RequestKind::Steering).expect("asks the steering server");
        assert!(first.iter().any(|r| r.url.starts_with("http://a/")), "plays from a meanwhile");
        let t = Duration::from_millis(30);
        player.handle_input(t, Input::ResponseStarted { id: steer.id, content_length: None });
        let body =
            br#"{"VERSION":1,"TTL":20,"RELOAD-URI":"/s2?session=7","SERVICE-LOCATION-PRIORITY":["b","a"]}"#;
        player.handle_input(
            t,
            Input::Data { id: steer.id, chunk: Chunk::Bytes(bytes::Bytes::from_static(body)) },
        );
        player.handle_input(t, Input::Complete { id: steer.id });
        // Finish the request to a; the next ones go to b.
        let pending = first.iter().find(|r| r.url.starts_with("http://a/")).unwrap();
        let t = Duration::from_millis(100);
        player.handle_input(t, Input::ResponseStarted { id: pending.id, content_length: None });
        player.handle_input(t, Input::Data { id: pending.id, chunk: Chunk::Counted(1000) });
        player.handle_input(t, Input::Complete { id: pending.id });
        let next = fetches(&mut player);
        assert!(next.iter().all(|r| r.url.starts_with("http://b/")), "{next:?}");
        assert_eq!(player.poll_timeout().map(|t| t <= Duration::from_secs(21)), Some(true));
        player.handle_timeout(Duration::from_millis(20_030));
        let again = fetches(&mut player);
        let poll = again.iter().find(|r| r.kind == RequestKind::Steering).expect("polls again after the TTL");
        assert!(poll.url.starts_with("http://steer/s2?session=7"), "{}", poll.url);
        assert!(poll.url.contains("_DASH_pathway="), "{}", poll.url);
    }

    #[test]
    fn a_pathway_clone_adds_a_location_the_priority_can_name() {
        let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
        player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: steered() });
        let first = fetches(&mut player);
        let steer = first.iter().find(|r| r.kind == RequestKind::Steering).unwrap();
        let body = br#"{"VERSION":1,"TTL":300,"SERVICE-LOCATION-PRIORITY":["c","a"],
            "PATHWAY-CLONES":[{"BASE-ID":"b","ID":"c","URI-REPLACEMENT":{"HOST":"c.example:8080","PARAMS":{"token":"t1"}}}]}"#;
        let t = Duration::from_millis(30);
        player.handle_input(
            t,
            Input::Data { id: steer.id, chunk: Chunk::Bytes(bytes::Bytes::from_static(body)) },
        );
        player.handle_input(t, Input::Complete { id: steer.id });
        // The init and first media segments went to `a` before the answer; once they are in,
        // what comes next goes to the clone.
        let t = Duration::from_millis(100);
        for pending in first.iter().filter(|r| r.url.starts_with("http://a/")) {
            player.handle_input(t, Input::Data { id: pending.id, chunk: Chunk::Counted(1000) });
            player.handle_input(t, Input::Complete { id: pending.id });
        }
        let next = fetches(&mut player);
        assert!(!next.is_empty());
        assert!(
            next.iter().all(|r| r.url.starts_with("http://c.example:8080/") && r.url.contains("token=t1")),
            "{next:?}"
        );
        assert_eq!(player.presentation().unwrap().locations.last().unwrap().id, "c");
    }

    #[test]
    fn a_broken_steering_server_changes_nothing() {
        let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
        player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: steered() });
        let first = fetches(&mut player);
        let steer = first.iter().find(|r| r.kind == RequestKind::Steering).unwrap();
        player.handle_input(
            Duration::from_millis(5),
            Input::Failed { id: steer.id, error: FetchError::Http(500) },
        );
        assert_eq!(player.state(), PlayerState::Buffering);
        assert!(player.error().is_none());
    }

    #[test]
    fn cmcd_goes_in_the_query_or_the_headers() {
        let config = PlayerConfig {
            cmcd: Some(crate::cmcd::CmcdConfig { session_id: Some("s1".into()), ..Default::default() }),
            ..PlayerConfig::default()
        };
        let mut player = Player::new(config, flick_abr::by_name("bola").unwrap());
        player
            .handle_input(Duration::ZERO, Input::LoadPresentation { presentation: presentation(3, &["a"]) });
        let r = fetches(&mut player);
        assert!(r[0].url.contains("CMCD="), "{}", r[0].url);
        assert!(r[0].url.contains("ot%3Di") && r[0].url.contains("sid%3D%22s1%22"), "{}", r[0].url);
        let headers = PlayerConfig {
            cmcd: Some(crate::cmcd::CmcdConfig {
                transmission: crate::cmcd::CmcdTransmission::Headers,
                ..Default::default()
            }),
            ..PlayerConfig::default()
        };
        let mut player = Player::new(headers, flick_abr::by_name("bola").unwrap());
        player
            .handle_input(Duration::ZERO, Input::LoadPresentation { presentation: presentation(3, &["a"]) });
        let r = fetches(&mut player);
        assert!(!r[0].url.contains("CMCD"));
        assert!(
            r[0].headers.iter().any(|(k, v)| k == "CMCD-Object" && v.contains("ot=i")),
            "{:?}",
            r[0].headers
        );
    }
}
