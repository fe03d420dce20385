//! Every fault × every kind of resource, against Flick's test CDN with the native driver: no
//! panic, no hang, no stall while a healthy location exists; a typed error where none does (the
//! manifest has one location only). Plus a location that recovers and is used again.

use flick_native::{HeadlessOptions, play_headless};
use flick_platform::faults::{Fault, FaultKind, FaultScript, ResourceKind};
use flick_player::{PlayerConfig, SessionReport};
use flick_serve::{ServeConfig, TestCdn};
use flick_tests::fixtures::{TempDir, encode_clip, ffmpeg_ready};
use std::path::PathBuf;
use std::time::Duration;

const KINDS: [FaultKind; 8] = [
    FaultKind::Http(503),
    FaultKind::Http(404),
    FaultKind::Reset,
    FaultKind::NoAnswer,
    FaultKind::StallMidBody,
    FaultKind::Truncate,
    FaultKind::SlowFirstByte(2500),
    FaultKind::Trickle(1),
];

async fn session(dir: PathBuf, faults: Vec<Fault>, play: Duration) -> SessionReport {
    let mut config = ServeConfig::new(dir);
    config.cdns = 2;
    config.rate_kbps = Some(4000);
    config.latency_ms = 40;
    config.faults = FaultScript { faults };
    let cdn = TestCdn::start(config).await.expect("the test CDN starts");
    let options = HeadlessOptions {
        abr: "hedge".into(),
        player: PlayerConfig::default(),
        duration: Some(play),
        status: false,
    };
    // A hang would show as this outer limit firing.
    let report =
        tokio::time::timeout(play + Duration::from_secs(30), play_headless(&cdn.manifest_url(), options))
            .await
            .expect("the session ends by itself")
            .expect("the session runs");
    cdn.shutdown().await;
    report
}

fn fault(kind: FaultKind, resources: ResourceKind, until_s: Option<f64>) -> Fault {
    Fault {
        location: "a".into(),
        at_s: None,
        after_requests: None,
        until_s,
        kind,
        resources: Some(resources),
    }
}

#[test]
fn every_fault_on_every_resource() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("fault-matrix");
    encode_clip(
        &dir.0,
        Duration::from_secs(20),
        &[400, 1200, 2500],
        &["-use_template", "1", "-use_timeline", "0"],
    );
    let long = TempDir::new("fault-matrix-long");
    encode_clip(
        &long.0,
        Duration::from_secs(60),
        &[400, 1200, 2500],
        &["-use_template", "1", "-use_timeline", "0"],
    );
    let mut cases = Vec::new();
    for kind in KINDS {
        for resources in [ResourceKind::Manifest, ResourceKind::Init, ResourceKind::Media] {
            cases.push((kind, resources));
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let play = Duration::from_secs(12);
    let (reports, recovered) = runtime.block_on(async {
        let tasks: Vec<_> = cases
            .iter()
            .map(|&(kind, resources)| {
                // Without a manifest the player needs up to ~15 s to give up: let it.
                let play = if resources == ResourceKind::Manifest { Duration::from_secs(25) } else { play };
                tokio::spawn(session(dir.0.clone(), vec![fault(kind, resources, None)], play))
            })
            .collect();
        // Location a answers 503 for its first 4 s, then recovers: it is probed and used again.
        let recovering = tokio::spawn(session(
            long.0.clone(),
            vec![fault(FaultKind::Http(503), ResourceKind::Media, Some(4.0))],
            Duration::from_secs(25),
        ));
        let mut reports = Vec::new();
        for t in tasks {
            reports.push(t.await.unwrap());
        }
        (reports, recovering.await.unwrap())
    });
    for ((kind, resources), report) in cases.iter().zip(&reports) {
        let what = format!("{kind:?} on the {resources:?}");
        eprintln!(
            "{what:<34} error {:<22} stalls {} startup {:>6.0} ms bitrate {:>5.0} kbit/s cdn switches {}",
            report.error.as_ref().map_or("-", |e| e.kind.as_str()),
            report.stalls.len(),
            report.startup_ms.unwrap_or(f64::NAN),
            report.mean_video_bitrate_kbps,
            report.cdn_switches
        );
        let manifest_lost =
            *resources == ResourceKind::Manifest && !matches!(kind, FaultKind::SlowFirstByte(_));
        if manifest_lost {
            // The manifest has no other location: the session must end in a typed error.
            let error = report.error.as_ref().unwrap_or_else(|| panic!("{what}: no error"));
            assert!(["all_locations_failed", "manifest"].contains(&error.kind.as_str()), "{what}: {error:?}");
            assert!(report.session_s < 16.0, "{what}: took {} s to give up", report.session_s);
        } else {
            assert!(report.error.is_none(), "{what}: {:?}", report.error);
            assert!(report.stalls.is_empty(), "{what}: {:?}", report.stalls);
            assert!(report.played_s > 5.0, "{what}: played {}", report.played_s);
        }
    }
    assert!(recovered.error.is_none() && recovered.stalls.is_empty(), "{:?}", recovered.stalls);
    let ok: Vec<_> =
        recovered.segments.iter().filter(|s| s.outcome == flick_player::metrics::Outcome::Ok).collect();
    assert!(ok.iter().any(|s| s.location == "b"), "it used b while a was failing");
    assert!(
        ok.iter().any(|s| s.location == "a" && s.start_ms > 4000.0),
        "a came back and is used again: {:?}",
        ok.iter().map(|s| (s.start_ms, &s.location)).collect::<Vec<_>>()
    );
}
