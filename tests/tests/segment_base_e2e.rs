//! The failover scenario on a SegmentBase (on-demand) stream: one fragmented MP4 file per rung,
//! whose `sidx` the player fetches by byte range before playing (`fixtures::encode_segment_base`),
//! served by two locations of Flick's test CDN (4 Mbit/s, 40 ms each) and played by the native
//! headless driver with the `hedge` algorithm:
//! - healthy, every request (initialization, `sidx`, media) is a byte range of a rung's file;
//! - location a trickling 1 byte/s from the start for every request but the initialization
//!   ranges (the test CDN counts a range from byte 0 of an `.mp4` as initialization and any other
//!   range as media, so the `sidx` requests are hit along with the media ones): the `sidx`
//!   requests sent to a are given up and fetched whole from b, and the session plays without a
//!   stall;
//! - location a trickling 1 byte/s from 6 s on for every request: left for b without a stall.
//!
//! The same fault scripts run in the simulator on the ladder its DASH-folder loader reads from the
//! same folder. The loader reads each `sidx` from disk itself, so a simulated session lists its
//! segments from the start and sends no index request: there, only the media part of each
//! scenario is played (and must not stall either).

use flick_native::{HeadlessOptions, play_headless};
use flick_platform::faults::{Fault, FaultKind, FaultScript, ResourceKind};
use flick_platform::sim::network::CdnNetworkConfig;
use flick_platform::sim::{Ladder, Model, SessionSpec, Trace, TracePeriod, run_session};
use flick_player::metrics::Outcome;
use flick_player::presentation::TrackKind;
use flick_player::{PlayerConfig, SessionReport};
use flick_serve::{RequestRecord, ServeConfig, TestCdn};
use flick_tests::fixtures::{SegmentBaseStream, TempDir, encode_segment_base, ffmpeg_ready};
use std::time::Duration;

/// Length of the content: 12 segments of 2 s.
const LENGTH: Duration = Duration::from_secs(24);
/// Longest a session runs (the content ends before, even after a slow start).
const CAP: Duration = Duration::from_secs(36);
const KBPS: [u64; 3] = [400, 1200, 2500];
const TRICKLE: FaultKind = FaultKind::Trickle(1);

/// Location a trickles from `at_s` on (from the start when `None`), for `resources` only.
fn trickle_on_a(at_s: Option<f64>, resources: Option<ResourceKind>) -> FaultScript {
    FaultScript {
        faults: vec![Fault {
            location: "a".into(),
            at_s,
            after_requests: None,
            until_s: None,
            kind: TRICKLE,
            resources,
        }],
    }
}

/// A session of the native driver against the test CDN serving `dir` with `faults`: its report
/// and the CDN's request log.
async fn real(dir: std::path::PathBuf, faults: FaultScript) -> (SessionReport, Vec<RequestRecord>) {
    let mut config = ServeConfig::new(dir);
    config.cdns = 2;
    config.rate_kbps = Some(4000);
    config.latency_ms = 40;
    config.faults = faults;
    let cdn = TestCdn::start(config).await.expect("the test CDN starts");
    let options = HeadlessOptions {
        abr: "hedge".into(),
        player: PlayerConfig::default(),
        duration: Some(CAP),
        status: false,
    };
    let report = play_headless(&cdn.manifest_url(), options).await.expect("the session runs");
    let requests = cdn.requests();
    cdn.shutdown().await;
    (report, requests)
}

fn play_real(dir: &std::path::Path, faults: FaultScript) -> (SessionReport, Vec<RequestRecord>) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(real(dir.to_path_buf(), faults))
}

/// The same scenario in the simulator (no index requests there: see the module's comment).
fn simulated(dir: &std::path::Path, faults: FaultScript) -> SessionReport {
    let ladder = Ladder::load(dir).expect("the simulator loads the SegmentBase folder");
    assert_eq!(ladder.segments, 12);
    let content = ladder.content(&["a", "b"]);
    let trace = Trace {
        name: "4 Mbit/s".into(),
        periods: vec![TracePeriod { duration_ms: 1000.0, kbps: 4000.0, latency_ms: Some(40.0) }],
    };
    let spec = SessionSpec {
        trace: &trace,
        content: &content,
        model: Model::Cdn,
        player: Model::Cdn.player_config(None),
        network: CdnNetworkConfig { faults, ..CdnNetworkConfig::default() },
        seed: 1,
    };
    run_session(&spec, flick_abr::by_name("hedge").unwrap()).0
}

/// What a request of the log was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Manifest,
    Init,
    Index,
    Fragment(usize),
    /// The rest of a fragment, from past its first byte (a request resumed elsewhere).
    Rest(usize),
}

/// What `r` asked for: the MPD, or a part of a rung's file (rung, part). Panics on anything
/// else: a request without a range, or a range that is not one part of a file (or the end of a
/// fragment).
fn classify(stream: &SegmentBaseStream, r: &RequestRecord) -> (Option<usize>, Part) {
    if r.path.ends_with(".mpd") {
        return (None, Part::Manifest);
    }
    let rung = stream
        .rungs
        .iter()
        .position(|f| r.path.ends_with(&format!("/{}", f.file)))
        .unwrap_or_else(|| panic!("a request for an unknown file: {r:?}"));
    let file = &stream.rungs[rung];
    let range = r.range.as_deref().unwrap_or_else(|| panic!("a request without a byte range: {r:?}"));
    let (start, end) = range
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
        .unwrap_or_else(|| panic!("an unexpected range: {r:?}"));
    let part = if (start, end) == (0, file.init_end) {
        Part::Init
    } else if (start, end) == file.index {
        Part::Index
    } else {
        let fragments = file.fragments();
        let k = fragments
            .iter()
            .position(|&(first, last)| first <= start && start <= last && end == last)
            .unwrap_or_else(|| {
                panic!("a range that is not (the end of) one fragment of {}: {r:?}", file.file)
            });
        if start == fragments[k].0 { Part::Fragment(k) } else { Part::Rest(k) }
    };
    (Some(rung), part)
}

/// Whether `r` brought its whole range with a partial-content answer.
fn complete(r: &RequestRecord, len: u64) -> bool {
    r.status == Some(206) && r.bytes_sent == len
}

fn index_len(stream: &SegmentBaseStream, rung: usize) -> u64 {
    let (a, b) = stream.rungs[rung].index;
    b - a + 1
}

fn summary(what: &str, report: &SessionReport) {
    eprintln!(
        "{what:<34} startup {:>6.0} ms  stalls {}  bitrate {:>5.0} kbit/s  cdn switches {}  played {:.1} s  media requests {}",
        report.startup_ms.unwrap_or(f64::NAN),
        report.stalls.len(),
        report.mean_video_bitrate_kbps,
        report.cdn_switches,
        report.played_s,
        report.segments.len(),
    );
    for s in &report.segments {
        eprintln!(
            "    segment {:>2} rung {} from {} sent {:>6.0} ms ended {:>6.0} ms: {:?}",
            s.index, s.rung, s.location, s.start_ms, s.end_ms, s.outcome
        );
    }
}

fn log(requests: &[RequestRecord]) -> String {
    requests
        .iter()
        .map(|r| {
            format!(
                "{:>7.3}s {} {} {} -> {:?} {} B in {:?} fault {:?}",
                r.at.as_secs_f64(),
                r.location,
                r.path,
                r.range.as_deref().unwrap_or("-"),
                r.status,
                r.bytes_sent,
                r.duration,
                r.fault
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The session played the whole content: no error, no stall, every segment of the content
/// arrived.
fn played_all_without_a_stall(what: &str, report: &SessionReport) {
    assert!(report.error.is_none(), "{what}: {:?}", report.error);
    assert!(report.stalls.is_empty(), "{what}: stalls {:?}", report.stalls);
    assert!(
        (report.played_s - LENGTH.as_secs_f64()).abs() < 0.1,
        "{what}: played {} s of {LENGTH:?}",
        report.played_s
    );
    let mut arrived: Vec<usize> = report
        .segments
        .iter()
        .filter(|s| s.track == TrackKind::Video && s.outcome == Outcome::Ok)
        .map(|s| s.index)
        .collect();
    arrived.sort_unstable();
    arrived.dedup();
    assert_eq!(arrived, (0..12).collect::<Vec<_>>(), "{what}: {:?}", report.segments);
}

#[test]
fn a_healthy_segment_base_stream_plays_from_byte_ranges() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("segbase-healthy");
    let stream = encode_segment_base(&dir.0, LENGTH, &KBPS);
    let (report, requests) = play_real(&dir.0, FaultScript::default());
    summary("healthy", &report);
    let log = log(&requests);
    played_all_without_a_stall("healthy", &report);
    assert!(report.mean_video_bitrate_kbps > 1100.0, "{} kbit/s", report.mean_video_bitrate_kbps);
    // Every request but the MPD's is a byte range of a rung's file: its initialization, its
    // sidx or one of its fragments; each sidx is fetched once, whole.
    let parts: Vec<(Option<usize>, Part)> = requests.iter().map(|r| classify(&stream, r)).collect();
    for rung in 0..KBPS.len() {
        let index = index_requests(&requests, &parts, rung);
        assert_eq!(index.len(), 1, "rung {rung}'s sidx:\n{log}");
        assert!(complete(index[0], index_len(&stream, rung)), "rung {rung}'s sidx:\n{log}");
    }
    let fragments = parts.iter().filter(|(_, p)| matches!(p, Part::Fragment(_))).count();
    assert!(fragments >= 12, "{fragments} fragment requests:\n{log}");
    assert!(!parts.iter().any(|(_, p)| matches!(p, Part::Rest(_))), "a resumed request:\n{log}");
    assert!(parts.iter().any(|(_, p)| *p == Part::Init), "no initialization request:\n{log}");
    let sim = simulated(&dir.0, FaultScript::default());
    summary("healthy, simulated", &sim);
    played_all_without_a_stall("healthy, simulated", &sim);
}

#[test]
fn a_location_trickling_the_sidx_is_left_for_the_other_without_a_stall() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("segbase-sidx-trickle");
    let stream = encode_segment_base(&dir.0, LENGTH, &KBPS);
    let faults = trickle_on_a(None, Some(ResourceKind::Media));
    let (report, requests) = play_real(&dir.0, faults.clone());
    let what = "a trickles sidx and media from 0 s";
    summary(what, &report);
    let log = log(&requests);
    // The sidx requests to a were hit, cut short, and every sidx came whole from b.
    let parts: Vec<(Option<usize>, Part)> = requests.iter().map(|r| classify(&stream, r)).collect();
    let mut index_on_a = 0;
    for rung in 0..KBPS.len() {
        let len = index_len(&stream, rung);
        let index = index_requests(&requests, &parts, rung);
        for r in index.iter().filter(|r| r.location == "a") {
            assert_eq!(r.fault, Some(TRICKLE), "{r:?}");
            assert!(r.bytes_sent < len, "a trickling sidx request brought it whole: {r:?}");
            index_on_a += 1;
        }
        assert!(
            index.iter().any(|r| r.location == "b" && complete(r, len)),
            "rung {rung}'s sidx never came whole from b:\n{log}"
        );
    }
    assert!(index_on_a >= 1, "no sidx request went to a:\n{log}");
    played_all_without_a_stall(what, &report);
    // Leaving a for the sidx costs one progress window (2 s) of start-up, not a give-up.
    let startup = report.startup_ms.expect("it started");
    assert!(startup < 4000.0, "{what}: start-up took {startup} ms:\n{log}");
    // a brought no media: every fragment that arrived came from b.
    let ok: Vec<_> = report.segments.iter().filter(|s| s.outcome == Outcome::Ok).collect();
    assert!(ok.iter().all(|s| s.location == "b"), "{what}: {:?}", report.segments);
    let sim = simulated(&dir.0, faults);
    summary("a trickles media from 0 s, simulated", &sim);
    played_all_without_a_stall("simulated", &sim);
    let ok: Vec<_> = sim.segments.iter().filter(|s| s.outcome == Outcome::Ok).collect();
    assert!(ok.iter().all(|s| s.location == "b"), "simulated: {:?}", sim.segments);
}

#[test]
fn a_location_trickling_from_6_s_is_left_without_a_stall() {
    if !ffmpeg_ready() {
        return;
    }
    let dir = TempDir::new("segbase-trickle-6s");
    let stream = encode_segment_base(&dir.0, LENGTH, &KBPS);
    let faults = trickle_on_a(Some(6.0), None);
    let (report, requests) = play_real(&dir.0, faults.clone());
    let what = "a trickles everything from 6 s";
    summary(what, &report);
    let log = log(&requests);
    // The sidx requests, sent at the start, came whole from a before it went wrong.
    let parts: Vec<(Option<usize>, Part)> = requests.iter().map(|r| classify(&stream, r)).collect();
    for rung in 0..KBPS.len() {
        let index = index_requests(&requests, &parts, rung);
        assert!(
            index.len() == 1 && index[0].location == "a" && complete(index[0], index_len(&stream, rung)),
            "rung {rung}'s sidx:\n{log}"
        );
    }
    played_all_without_a_stall(what, &report);
    assert!(report.cdn_switches >= 1, "{what}: never left a:\n{log}");
    // Nothing sent after the fault began came from a.
    let late: Vec<_> =
        report.segments.iter().filter(|s| s.start_ms > 6_500.0 && s.outcome == Outcome::Ok).collect();
    assert!(!late.is_empty() && late.iter().all(|s| s.location == "b"), "{what}: {:?}", report.segments);
    let sim = simulated(&dir.0, faults);
    summary("a trickles from 6 s, simulated", &sim);
    played_all_without_a_stall("simulated", &sim);
    assert!(sim.cdn_switches >= 1, "simulated: never left a");
}

/// The requests of `rung`'s `sidx` among `requests` (classified in `parts`).
fn index_requests<'r>(
    requests: &'r [RequestRecord],
    parts: &[(Option<usize>, Part)],
    rung: usize,
) -> Vec<&'r RequestRecord> {
    requests.iter().zip(parts).filter(|(_, p)| **p == (Some(rung), Part::Index)).map(|(r, _)| r).collect()
}
