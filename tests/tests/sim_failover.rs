//! A location that dies mid-session in the simulator's Flick model: the core must move to the
//! other location and play to the end.

use flick_platform::sim::network::{CdnNetworkConfig, LocationProfile};
use flick_platform::sim::{Ladder, Model, SessionSpec, Trace, TracePeriod, run_session};
use std::path::PathBuf;

#[test]
fn a_location_that_stops_answering_is_left_for_the_other() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data");
    let ladder = Ladder::load(&data.join("ladders/envivio")).unwrap();
    let content = ladder.content(&["a", "b"]);
    let trace = Trace {
        name: "4 Mbit/s".into(),
        periods: vec![TracePeriod { duration_ms: 1000.0, kbps: 4000.0, latency_ms: Some(40.0) }],
    };
    let network = CdnNetworkConfig {
        locations: vec![
            LocationProfile { bandwidth_factor: 1.0, outages_ms: vec![(6000.0, 1e9)] },
            LocationProfile::default(),
        ],
        ..CdnNetworkConfig::default()
    };
    for abr in ["bola", "throughput", "robust-mpc"] {
        let spec = SessionSpec {
            trace: &trace,
            content: &content,
            model: Model::Cdn,
            player: Model::Cdn.player_config(None),
            network: network.clone(),
            seed: 7,
        };
        let (report, _) = run_session(&spec, flick_abr::by_name(abr).unwrap());
        assert!(report.error.is_none(), "{abr}: {:?}", report.error);
        assert!((report.played_s - 192.0).abs() < 0.01, "{abr}: played {}", report.played_s);
        assert!(report.cdn_switches >= 1, "{abr}");
        let late: Vec<_> = report
            .segments
            .iter()
            .filter(|s| s.start_ms > 20_000.0 && s.outcome == flick_player::metrics::Outcome::Ok)
            .collect();
        assert!(!late.is_empty() && late.iter().all(|s| s.location == "b"), "{abr}");
    }
}
