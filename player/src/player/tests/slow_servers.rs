//! A server that trickles is a failing server, for every kind of request; segment indexes fail
//! over like segments.

use super::*;
use crate::presentation::{ByteRange, SegmentIndex};
use mp4_atom::{Encode, SegmentReference, Sidx};

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

#[test]
fn a_location_that_trickles_a_byte_a_second_is_left_without_a_stall() {
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.kbps = 4000;
    d.input(Input::LoadPresentation { presentation: presentation(30, &["a", "b"]) });
    d.run_until(secs(6.0));
    d.trickling = vec!["a".into()];
    d.run_until(secs(200.0));
    assert_eq!(d.player.state(), PlayerState::Ended, "{:?}", d.player.error());
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.stalls.is_empty(), "{:?}", report.stalls);
    let slow = report.segments.iter().find(|s| s.outcome == crate::metrics::Outcome::Stalled).expect("a cut");
    assert!(
        slow.end_ms - slow.first_byte_ms.unwrap() < 2600.0,
        "left after {} ms",
        slow.end_ms - slow.start_ms
    );
    for s in report.segments.iter().filter(|s| s.location == "a" && s.start_ms > 6000.0) {
        assert_ne!(s.outcome, crate::metrics::Outcome::Ok, "nothing sent to a after 6 s came whole: {s:?}");
        assert!(s.end_ms - s.first_byte_ms.unwrap_or(s.start_ms) < 2600.0, "cut within the window: {s:?}");
    }
}

#[test]
fn a_trickling_init_segment_is_left_too() {
    let mut d = Driver::new(PlayerConfig::default(), "bba");
    d.trickling = vec!["a".into()];
    d.input(Input::LoadPresentation { presentation: presentation(5, &["a", "b"]) });
    d.run_until(secs(200.0));
    assert_eq!(d.player.state(), PlayerState::Ended, "{:?}", d.player.error());
    let init_failures = d
        .events
        .iter()
        .filter(|(_, e)| matches!(e, PlayerEvent::RequestFailed { kind: RequestKind::Init, location, .. } if location == "a"))
        .count();
    assert!(init_failures >= 1, "the init request to a was cut: {:?}", d.events);
}

/// `segments` two-second segments as the bytes of a `sidx`.
fn sidx(segments: u32) -> bytes::Bytes {
    let reference = SegmentReference {
        reference_type: false,
        referenced_size: 250_000,
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
        references: vec![reference; segments as usize],
    };
    let mut bytes = Vec::new();
    sidx.encode(&mut bytes).unwrap();
    bytes.into()
}

/// `presentation(segments, locations)` with SegmentBase addressing: each rung's `sidx` is fetched
/// first.
fn indexed(segments: usize, locations: &[&str]) -> Arc<Presentation> {
    let mut p = (*presentation(segments, locations)).clone();
    for (r, rep) in p.periods[0].tracks[0].representations.iter_mut().enumerate() {
        rep.segments = SegmentIndex::Indexed {
            init: Some(SegmentRef {
                url: format!("r{r}/media.mp4"),
                range: Some(ByteRange { start: 0, end: 99 }),
            }),
            index: SegmentRef {
                url: format!("r{r}/media.mp4?index"),
                range: Some(ByteRange { start: 100, end: 199 }),
            },
            timescale: 1_000,
            presentation_time_offset: 0,
        };
    }
    Arc::new(p)
}

#[test]
fn a_segment_index_fails_over_to_the_next_location() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.dead = vec!["a".into()];
    d.dead_error = Some(FetchError::Http(503));
    for r in 0..3 {
        d.bodies.push((format!("r{r}/media.mp4?index"), sidx(5)));
    }
    d.input(Input::LoadPresentation { presentation: indexed(5, &["a", "b"]) });
    d.run_until(secs(120.0));
    assert_eq!(d.player.state(), PlayerState::Ended, "{:?}", d.player.error());
    let indexes: Vec<_> = d.fetched.iter().filter(|r| r.kind == RequestKind::Index).collect();
    assert!(indexes.iter().any(|r| r.url.starts_with("http://a/")), "a was tried");
    assert!(indexes.iter().any(|r| r.url.starts_with("http://b/")), "b answered");
}

#[test]
fn a_trickling_segment_index_is_left_for_another_location() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.trickling = vec!["a".into()];
    for r in 0..3 {
        d.bodies.push((format!("b/r{r}/media.mp4?index"), sidx(5)));
    }
    d.input(Input::LoadPresentation { presentation: indexed(5, &["a", "b"]) });
    d.run_until(secs(120.0));
    assert_eq!(d.player.state(), PlayerState::Ended, "{:?}", d.player.error());
}

#[test]
fn a_segment_index_failing_everywhere_ends_the_session_with_a_typed_error() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.dead = vec!["a".into(), "b".into()];
    d.dead_error = Some(FetchError::Reset);
    d.input(Input::LoadPresentation { presentation: indexed(5, &["a", "b"]) });
    d.run_until(secs(120.0));
    assert_eq!(d.player.state(), PlayerState::Failed);
    assert!(
        matches!(d.player.error(), Some(PlayerError::AllLocationsFailed { .. })),
        "{:?}",
        d.player.error()
    );
}

#[test]
fn few_segment_indexes_are_fetched_at_once() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    let mut p = (*indexed(5, &["a"])).clone();
    let rep = p.periods[0].tracks[0].representations[0].clone();
    let reps = &mut p.periods[0].tracks[0].representations;
    for r in 3..20 {
        let mut extra = rep.clone();
        extra.id = format!("r{r}");
        reps.push(extra);
    }
    d.input(Input::LoadPresentation { presentation: Arc::new(p) });
    let in_flight = d.fetched.iter().filter(|r| r.kind == RequestKind::Index).count();
    assert_eq!(in_flight, crate::player::indexes::MAX_IN_FLIGHT);
}

#[test]
fn a_slow_network_is_waited_for_not_given_up() {
    // 40 kbit/s for a 500 kbit/s lowest rung: below a tenth of the rung, above 8 kbit/s. With no
    // other location to go to, the slow downloads go on, and the session plays on.
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.kbps = 40;
    d.input(Input::LoadPresentation { presentation: presentation(2, &["a"]) });
    d.run_until(secs(3000.0));
    assert_eq!(d.player.state(), PlayerState::Ended, "{:?}", d.player.error());
    let media = d.fetched.iter().filter(|r| r.kind == RequestKind::Media).count();
    assert_eq!(media, 2, "each segment asked for once: nowhere better to go");
}
