//! Behaviour of each algorithm on hand-made situations.

use flick_abr::units::{Bitrate, Bytes};
use flick_abr::{
    Abr, DecisionContext, DownloadReport, DownloadSample, ProgressContext, ThroughputView, UnknownSizes,
    by_name, names,
};
use std::time::Duration;

const RUNGS: [Bitrate; 6] = [
    Bitrate::from_kbps(300),
    Bitrate::from_kbps(750),
    Bitrate::from_kbps(1200),
    Bitrate::from_kbps(1850),
    Bitrate::from_kbps(2850),
    Bitrate::from_kbps(4300),
];

fn ctx<'a>(buffer_s: f64, estimate_kbps: Option<u64>, samples: &'a [DownloadSample]) -> DecisionContext<'a> {
    DecisionContext {
        now: Duration::from_secs(20),
        rungs: &RUNGS,
        sizes: &UnknownSizes,
        segment: 10,
        segment_count: 48,
        segment_duration: Duration::from_secs(4),
        buffer_level: Duration::from_secs_f64(buffer_s),
        max_buffer: Duration::from_secs(60),
        throughput: ThroughputView {
            estimate: estimate_kbps.map(Bitrate::from_kbps),
            latency: Some(Duration::from_millis(80)),
            samples,
        },
        last_rung: Some(2),
        last_seek_segment: 0,
        abandoned_rung: None,
    }
}

fn download(abr: &mut dyn Abr, kbps: u64) {
    let bytes = kbps * 1000 / 8 * 4;
    abr.on_download(&DownloadReport {
        segment: 9,
        rung: 2,
        size: Bytes(bytes),
        received: Bytes(bytes),
        elapsed: Duration::from_secs(4),
        ttfb: Some(Duration::from_millis(80)),
        buffer_level: Duration::from_secs(10),
        abandoned_to: None,
    });
}

#[test]
fn bba_maps_the_buffer_linearly_between_reservoir_and_cushion() {
    let mut bba = by_name("bba").unwrap();
    let rung = |abr: &mut Box<dyn Abr>, b| abr.choose(&ctx(b, None, &[])).rung;
    assert_eq!(rung(&mut bba, 4.9), 0);
    assert_eq!(rung(&mut bba, 5.0), 0);
    assert_eq!(rung(&mut bba, 7.0), 1);
    assert_eq!(rung(&mut bba, 14.9), 4);
    assert_eq!(rung(&mut bba, 15.0), 5);
}

#[test]
fn throughput_rule_keeps_a_safety_margin() {
    let mut t = by_name("throughput").unwrap();
    // 0.9 × 2000 = 1800 kbit/s: 1850 does not fit, 1200 does (deep buffer: no IBR cap).
    assert_eq!(t.choose(&ctx(40.0, Some(2000), &[])).rung, 2);
    assert_eq!(t.choose(&ctx(40.0, Some(10_000), &[])).rung, 5);
}

#[test]
fn throughput_rule_lowers_the_rung_when_the_buffer_cannot_cover_the_download() {
    let mut t = by_name("throughput").unwrap();
    // 0.9 × (1000 − 80) ms × 10 Mbit/s = 8.3 Mbit: a 4 s segment at 1850 kbit/s fits, 2850 does not.
    assert_eq!(t.choose(&ctx(1.0, Some(10_000), &[])).rung, 3);
}

#[test]
fn throughput_rule_abandons_a_download_that_would_take_too_long() {
    let mut t = by_name("throughput").unwrap();
    let size = Bytes(4300 * 1000 / 8 * 4);
    let progress = ProgressContext {
        now: Duration::from_secs(30),
        rungs: &RUNGS,
        segment: 10,
        rung: 5,
        size: Some(size),
        received: Bytes(50_000),
        elapsed: Duration::from_secs(2),
        ttfb: Some(Duration::from_millis(100)),
        buffer_level: Duration::from_secs(6),
        segment_duration: Duration::from_secs(4),
        throughput: ThroughputView { estimate: None, latency: None, samples: &[] },
    };
    let to = t.check_abandon(&progress).expect("200 kbit/s cannot finish 2 MB in time");
    assert!(to < 5);
    let fast = ProgressContext { received: Bytes(size.get() - 10), ..progress };
    assert_eq!(t.check_abandon(&fast), None);
}

#[test]
fn bola_climbs_with_the_buffer() {
    let mut low = by_name("bola").unwrap();
    let mut high = by_name("bola").unwrap();
    let a = low.choose(&ctx(2.0, Some(50_000), &[])).rung;
    let b = high.choose(&ctx(40.0, Some(50_000), &[])).rung;
    assert!(a < b, "{a} vs {b}");
}

#[test]
fn robust_mpc_tracks_the_measured_throughput() {
    let mut slow = by_name("robust-mpc").unwrap();
    let mut fast = by_name("robust-mpc").unwrap();
    for _ in 0..5 {
        download(slow.as_mut(), 500);
        download(fast.as_mut(), 20_000);
    }
    let s = slow.choose(&ctx(8.0, None, &[])).rung;
    let f = fast.choose(&ctx(8.0, None, &[])).rung;
    assert!(s <= 1, "slow picked {s}");
    assert_eq!(f, 5);
}

#[test]
fn robust_mpc_is_more_careful_than_mpc_after_misprediction() {
    let mut robust = by_name("robust-mpc").unwrap();
    let mut plain = by_name("mpc").unwrap();
    for kbps in [8000, 1000, 8000, 1000, 8000] {
        download(robust.as_mut(), kbps);
        download(plain.as_mut(), kbps);
    }
    let r = robust.choose(&ctx(6.0, None, &[])).rung;
    let p = plain.choose(&ctx(6.0, None, &[])).rung;
    assert!(r < p, "robust {r}, plain {p}");
}

#[test]
fn every_name_builds_and_unknown_names_and_bad_parameters_are_errors() {
    for name in names() {
        assert_eq!(by_name(name).unwrap().name(), *name);
    }
    assert!(by_name("nope").is_err());
    assert!(flick_abr::from_json("bba", r#"{"reservoir_s": 2.0}"#).is_ok());
    assert!(flick_abr::from_json("bba", r#"{"reservoir": 2.0}"#).is_err());
}

#[test]
fn hedge_is_listed_first_and_flick_is_an_unlisted_alias_of_it() {
    assert_eq!(names()[0], "hedge");
    assert!(!names().contains(&"flick"));
    let mut unique = names().to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names().len(), "no name is listed twice");
    assert_eq!(by_name("flick").unwrap().name(), "hedge");
    assert_eq!(flick_abr::from_json("flick", r#"{"jump_ratio": null}"#).unwrap().name(), "hedge");
    assert!(flick_abr::from_json("flick", r#"{"no_such_parameter": 1}"#).is_err());
    // The alias is the same algorithm with the same defaults and the same parameters.
    for json in ["{}", r#"{"jump_ratio": null, "error_quantile": 0.5}"#] {
        let mut alias = flick_abr::from_json("flick", json).unwrap();
        let mut hedge = flick_abr::from_json("hedge", json).unwrap();
        for kbps in [1000, 1000, 1000, 1000, 8000, 600, 3000] {
            download(alias.as_mut(), kbps);
            download(hedge.as_mut(), kbps);
            for buffer in [1.0, 8.0, 30.0] {
                assert_eq!(alias.choose(&ctx(buffer, None, &[])), hedge.choose(&ctx(buffer, None, &[])));
            }
        }
    }
}

#[test]
fn decisions_stay_on_the_ladder_for_every_algorithm() {
    for name in names() {
        let mut abr = by_name(name).unwrap();
        for buffer in [0.0, 0.5, 3.0, 12.0, 30.0, 59.0] {
            for estimate in [None, Some(1), Some(800), Some(100_000)] {
                let d = abr.choose(&ctx(buffer, estimate, &[]));
                assert!(d.rung < RUNGS.len(), "{name}");
            }
        }
    }
}

#[test]
fn hedge_plans_with_the_sizes_it_will_fetch_and_fills_a_fast_link() {
    let mut fast = by_name("hedge").unwrap();
    let mut slow = by_name("hedge").unwrap();
    for _ in 0..5 {
        download(fast.as_mut(), 20_000);
        download(slow.as_mut(), 400);
    }
    assert_eq!(fast.choose(&ctx(20.0, None, &[])).rung, 5);
    assert_eq!(slow.choose(&ctx(3.0, None, &[])).rung, 0);
}

#[test]
fn hedge_abandons_a_download_an_outage_has_doomed() {
    let mut hedge = by_name("hedge").unwrap();
    let size = Bytes(4300 * 1000 / 8 * 4);
    let progress = ProgressContext {
        now: Duration::from_secs(30),
        rungs: &RUNGS,
        segment: 10,
        rung: 5,
        size: Some(size),
        received: Bytes(20_000),
        elapsed: Duration::from_secs(3),
        ttfb: Some(Duration::from_millis(100)),
        buffer_level: Duration::from_secs(2),
        segment_duration: Duration::from_secs(4),
        throughput: ThroughputView { estimate: None, latency: None, samples: &[] },
    };
    assert_eq!(hedge.check_abandon(&progress), Some(0));
    // With a deep buffer, it waits.
    let patient =
        ProgressContext { buffer_level: Duration::from_secs(50), received: Bytes(1_500_000), ..progress };
    assert_eq!(hedge.check_abandon(&patient), None);
}

#[test]
fn hedge_follows_a_link_that_got_much_faster_at_once() {
    let with_jump = || by_name("hedge").unwrap();
    let without_jump = || flick_abr::from_json("hedge", r#"{"jump_ratio": null}"#).unwrap();
    let mut rungs = Vec::new();
    for mut abr in [with_jump(), without_jump()] {
        for _ in 0..4 {
            download(abr.as_mut(), 1000);
        }
        download(abr.as_mut(), 8000);
        rungs.push(abr.choose(&ctx(8.0, None, &[])).rung);
    }
    // The harmonic mean of 1, 1, 1, 1 and 8 Mbit/s is 1.2 Mbit/s; the latest download says 8.
    assert!(rungs[0] > rungs[1], "with the jump rule {} vs without {}", rungs[0], rungs[1]);
    // A single fast download among fast ones is no jump: the two agree.
    let (mut a, mut b) = (with_jump(), without_jump());
    for _ in 0..5 {
        download(a.as_mut(), 3000);
        download(b.as_mut(), 3000);
    }
    assert_eq!(a.choose(&ctx(8.0, None, &[])).rung, b.choose(&ctx(8.0, None, &[])).rung);
}

#[test]
fn hedge_retries_an_abandoned_segment_lower_even_if_its_prediction_still_says_fast() {
    let mut hedge = by_name("hedge").unwrap();
    for _ in 0..5 {
        download(hedge.as_mut(), 20_000);
    }
    assert_eq!(hedge.choose(&ctx(2.0, None, &[])).rung, 5);
    let retry = DecisionContext { abandoned_rung: Some(5), ..ctx(2.0, None, &[]) };
    assert_eq!(hedge.choose(&retry).rung, 4);
}

#[test]
fn hedge_rides_out_a_blockage_on_a_deep_buffer_and_abandons_on_a_short_one() {
    let mut hedge = by_name("hedge").unwrap();
    // 1.5 s into a top-rung body, 60 kB in: at that rate the rest needs about 140 s.
    let blocked = ProgressContext {
        now: Duration::from_secs(30),
        rungs: &RUNGS,
        segment: 10,
        rung: 5,
        size: Some(Bytes(4300 * 1000 / 8 * 4)),
        received: Bytes(60_000),
        elapsed: Duration::from_millis(1600),
        ttfb: Some(Duration::from_millis(100)),
        buffer_level: Duration::from_secs(20),
        segment_duration: Duration::from_secs(4),
        throughput: ThroughputView { estimate: None, latency: None, samples: &[] },
    };
    assert_eq!(hedge.check_abandon(&blocked), None, "20 s of buffer outlasts a short blockage");
    let short = ProgressContext { buffer_level: Duration::from_secs(6), ..blocked };
    assert!(hedge.check_abandon(&short).is_some_and(|q| q < 5), "6 s of buffer: give up the top rung");
}
