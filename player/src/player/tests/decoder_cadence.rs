//! The core asks a rendering driver for its decoder's state on one cadence, and before it calls a
//! stall, so every driver reports the same way.

use super::*;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn with_reports() -> PlayerConfig {
    PlayerConfig {
        decoder_reports: Some(crate::DECODER_REPORTS),
        // The network dies for good in these tests: the buffer must drain, not the session fail.
        give_up_after: Duration::from_secs(1000),
        ..PlayerConfig::default()
    }
}

#[test]
fn the_decoder_is_asked_at_one_cadence_and_never_without_decoder_reports() {
    let mut d = Driver::new(with_reports(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(10, &["a"]) });
    d.run_until(secs(10.0));
    assert!((90..=110).contains(&d.decoder_asks), "{} asks in 10 s at 100 ms", d.decoder_asks);

    let mut plain = Driver::new(PlayerConfig::default(), "bola");
    plain.input(Input::LoadPresentation { presentation: presentation(10, &["a"]) });
    plain.run_until(secs(30.0));
    assert_eq!(plain.decoder_asks, 0);
}

/// Play until the buffer is deep, then let the network die: returns (time, position, buffer end).
fn drained(d: &mut Driver) -> (Duration, Duration, Duration) {
    d.input(Input::LoadPresentation { presentation: presentation(60, &["a"]) });
    d.run_until(secs(12.0));
    assert_eq!(d.player.state(), PlayerState::Playing);
    d.dead = vec!["a".into()];
    let (now, position) = (d.now, d.player.position(d.now));
    (now, position, position + d.player.buffer_level(now))
}

#[test]
fn a_decoder_slower_than_the_session_clock_is_followed_not_taken_for_a_stall() {
    let mut d = Driver::new(with_reports(), "bola");
    let (t0, p0, end) = drained(&mut d);
    // The element plays at 0.9x (a busy page): it reaches the end of the buffer later than the
    // session clock would.
    d.decoder = Some(Box::new(move |now| Some(p0 + (now - t0).mul_f64(0.9))));
    d.run_until(secs(200.0));
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    let stall = report.stalls.first().expect("the buffer ran dry in the end");
    let decoder_dry = t0 + (end - p0).div_f64(0.9);
    let clock_dry = t0 + (end - p0);
    assert!(decoder_dry > clock_dry + secs(1.0));
    let at = secs(stall.at_ms / 1000.0);
    assert!(
        at + secs(0.25) >= decoder_dry && at <= decoder_dry + secs(0.25),
        "stalled at {at:?}, the decoder ran dry at {decoder_dry:?}"
    );
}

#[test]
fn a_decoder_that_stands_still_short_of_the_end_is_a_stall() {
    let mut d = Driver::new(with_reports(), "bola");
    let (t0, p0, end) = drained(&mut d);
    // Its last frame ends 40 ms short of the appended media: it stops there.
    let stop = end - secs(0.04);
    d.decoder = Some(Box::new(move |now| Some((p0 + (now - t0)).min(stop))));
    d.run_until(secs(200.0));
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    let stall = report.stalls.first().expect("the decoder stood still: a stall");
    let at = secs(stall.at_ms / 1000.0);
    let dry = t0 + (stop - p0);
    assert!(
        at + secs(0.05) >= dry && at <= dry + secs(0.25),
        "stalled at {at:?}, the decoder stopped at {dry:?}"
    );
    assert_eq!(d.player.state(), PlayerState::Buffering);
}

#[test]
fn a_decoder_that_does_not_answer_is_a_stall_one_interval_later() {
    let mut d = Driver::new(with_reports(), "bola");
    let (t0, p0, end) = drained(&mut d);
    d.decoder = None;
    d.run_until(secs(200.0));
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    let stall = report.stalls.first().expect("a stall");
    let at = secs(stall.at_ms / 1000.0);
    let dry = t0 + (end - p0);
    assert!(
        (at.as_secs_f64() - dry.as_secs_f64()).abs() < 0.01,
        "stalled at {at:?}, the clock ran dry at {dry:?}"
    );
}
