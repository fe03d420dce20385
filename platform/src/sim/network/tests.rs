//! Timing of each network model on hand-made traces.

use super::*;
use crate::sim::trace::{Trace, TracePeriod};
use flick_player::{FetchRequest, Input, RequestId, RequestKind};

fn trace(periods: &[(f64, f64, Option<f64>)]) -> Trace {
    Trace {
        name: "t".into(),
        periods: periods
            .iter()
            .map(|&(duration_ms, kbps, latency_ms)| TracePeriod { duration_ms, kbps, latency_ms })
            .collect(),
    }
}

fn request(id: u64, location: usize) -> FetchRequest {
    FetchRequest {
        id: RequestId(id),
        url: format!("http://x/{id}"),
        range: None,
        kind: RequestKind::Media,
        track: None,
        location: Some(location),
        headers: Vec::new(),
        method: flick_player::io::Method::Get,
    }
}

/// Drain every event, returning (ms, event).
fn drain(net: &mut dyn NetworkModel) -> Vec<(f64, Input)> {
    let mut out = Vec::new();
    while let Some((t, e)) = net.pop() {
        out.push((to_ms(t), e));
        assert!(out.len() < 100_000);
    }
    out
}

fn completion(events: &[(f64, Input)], id: u64) -> f64 {
    events.iter().find(|(_, e)| *e == Input::Complete { id: RequestId(id) }).expect("completes").0
}

#[test]
fn pensieve_adds_80_ms_and_moves_95_percent_of_the_bandwidth() {
    // 1 Mbit/s for 10 s: 118 750 bytes take exactly 1 s at 0.95 × 1 Mbit/s.
    let mut net = PensieveNetwork::new(&trace(&[(10_000.0, 1000.0, None)]));
    net.start(Duration::ZERO, &request(1, 0), 118_750);
    let events = drain(&mut net);
    assert!((completion(&events, 1) - 1080.0).abs() < 1e-6, "{events:?}");
}

#[test]
fn pensieve_spans_periods_and_loops_the_trace() {
    // 500 ms at 1 Mbit/s then 500 ms at 3 Mbit/s, looping; 2 s worth = 2 loops.
    let mut net = PensieveNetwork::new(&trace(&[(500.0, 1000.0, None), (500.0, 3000.0, None)]));
    let bytes = ((1e6 * 0.5 + 3e6 * 0.5) * 2.0 * 0.95 / 8.0) as u64;
    net.start(Duration::ZERO, &request(1, 0), bytes);
    let events = drain(&mut net);
    assert!((completion(&events, 1) - 2080.0).abs() < 0.01, "{events:?}");
}

#[test]
fn sabre_pays_latency_then_reports_progress_until_complete() {
    let mut net = SabreNetwork::new(&trace(&[(60_000.0, 1000.0, Some(100.0))]));
    net.start(Duration::ZERO, &request(1, 0), 125_000); // 1 Mbit at 1 Mbit/s: 1 s
    let events = drain(&mut net);
    assert_eq!(
        events[0],
        (100.0, Input::ResponseStarted { id: RequestId(1), content_length: Some(125_000) })
    );
    assert!((completion(&events, 1) - 1100.0).abs() < 1e-6);
    let data: u64 = events
        .iter()
        .filter_map(|(_, e)| if let Input::Data { chunk, .. } = e { Some(chunk.len()) } else { None })
        .sum();
    assert_eq!(data, 125_000);
    let steps = events.iter().filter(|(_, e)| matches!(e, Input::Data { .. })).count();
    assert!(steps >= 19, "progress every 50 ms: {steps}");
}

#[test]
fn sabre_idle_time_advances_the_trace() {
    let mut net = SabreNetwork::new(&trace(&[(1000.0, 1000.0, Some(0.0)), (1000.0, 2000.0, Some(0.0))]));
    net.start(Duration::from_millis(1000), &request(1, 0), 250_000); // 2 Mbit at 2 Mbit/s
    let events = drain(&mut net);
    assert!((completion(&events, 1) - 2000.0).abs() < 1e-6, "{events:?}");
}

#[test]
fn flick_shares_the_link_between_concurrent_requests() {
    let config = CdnNetworkConfig { latency_jitter: 0.0, ..CdnNetworkConfig::default() };
    let mut net = CdnNetwork::new(&trace(&[(60_000.0, 1000.0, Some(50.0))]), config, 0);
    net.start(Duration::ZERO, &request(1, 0), 125_000);
    net.start(Duration::ZERO, &request(2, 0), 125_000);
    let events = drain(&mut net);
    // Two 1 Mbit bodies sharing 1 Mbit/s both finish after 2 s (plus the 50 ms round trip).
    assert!((completion(&events, 1) - 2050.0).abs() < 1.0, "{events:?}");
    assert!((completion(&events, 2) - 2050.0).abs() < 1.0);
}

#[test]
fn flick_locations_have_their_own_share_and_outages() {
    let config = CdnNetworkConfig {
        latency_jitter: 0.0,
        locations: vec![
            LocationProfile { bandwidth_factor: 1.0, outages_ms: vec![(0.0, 5000.0)] },
            LocationProfile { bandwidth_factor: 0.5, outages_ms: vec![] },
        ],
        ..CdnNetworkConfig::default()
    };
    let mut net = CdnNetwork::new(&trace(&[(60_000.0, 2000.0, Some(50.0))]), config, 0);
    net.start(Duration::ZERO, &request(1, 0), 125_000);
    net.start(Duration::ZERO, &request(2, 1), 125_000);
    let events = drain(&mut net);
    // Location 1 runs at half of 2 Mbit/s; location 0 says nothing until its outage ends.
    assert!((completion(&events, 2) - 1050.0).abs() < 1.0, "{events:?}");
    let first_from_dead =
        events.iter().find(|(_, e)| matches!(e, Input::ResponseStarted { id: RequestId(1), .. })).unwrap().0;
    assert!(first_from_dead >= 5000.0, "{events:?}");
}

#[test]
fn cancelled_requests_say_nothing_more() {
    let mut net = CdnNetwork::new(&trace(&[(60_000.0, 1000.0, None)]), CdnNetworkConfig::default(), 3);
    net.start(Duration::ZERO, &request(1, 0), 1_000_000);
    let first = net.pop().unwrap();
    assert!(matches!(first.1, Input::ResponseStarted { .. }));
    net.cancel(first.0, RequestId(1));
    assert!(net.pop().is_none());
}
