//! Chaos soak (issue 12): thousands of simulated sessions in the `cdn` model, each with a seeded
//! random fault script (every fault kind, random timing, locations dying, recovering, trickling
//! at a sliver of the bandwidth), random outages and a random synthetic trace, on short content
//! (2 to 5 segments of 2 s). Every session must end `Ended` or with a typed error in its report,
//! without a panic or a hang, and no segment may be requested more than [`MAX_REQUESTS_PER_SEGMENT`]
//! times.
//!
//! `cargo test -p flick-tests --test chaos_soak -- --nocapture` runs 10 000 sessions (about 4 s
//! on two cores in a debug build, so CI runs them all); set `FLICK_SOAK_SESSIONS` for another
//! count and `FLICK_SOAK_SEED` for another first seed. The outcome table is printed.

use flick_abr::units::Bitrate;
use flick_platform::faults::{Fault, FaultKind, FaultScript, ResourceKind};
use flick_platform::sim::network::{CdnNetworkConfig, LocationProfile};
use flick_platform::sim::{Ladder, Model, SessionSpec, Trace, TracePeriod, run_session};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most requests any one media segment may take. A failing segment is retried location
/// after location (with a backoff) until 10 s of failing give the session up; abandonments and
/// seeks add a few. Over 100 000 soak sessions (seeds 1 to 100 000) the worst was 14 (seed
/// 59697); 25 leaves room for a tuning change and still catches a retry loop without pacing,
/// which an HTTP error answered in one short round trip would drive into the hundreds.
const MAX_REQUESTS_PER_SEGMENT: usize = 25;

/// Issue 12 (fixed): a location trickling at a sliver of the bandwidth used to keep a download
/// going as long as some bytes arrived, so a session could run into the simulator's time limit
/// neither ended nor failed (seed 2249; seed 16773). Set to `true` to count such sessions apart
/// again (`UNFINISHED-trickle`) should it come back; `false` makes them fail the soak.
const TRICKLE_HOLDS_SESSION: bool = false;

/// Wall time one session may take before the soak calls it a hang.
const HANG: Duration = Duration::from_secs(60);

const ABRS: &[&str] = &["hedge", "bola", "throughput", "bba", "robust-mpc"];

/// A xorshift generator (the soak must be the same on every machine).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.range(0.0, 1.0) < p
    }
}

/// Every fault kind, drawn at random: the match is exhaustive, so a new kind must be added here.
fn fault_kind(rng: &mut Rng) -> FaultKind {
    let kinds = [
        FaultKind::Http(0),
        FaultKind::Reset,
        FaultKind::NoAnswer,
        FaultKind::StallMidBody,
        FaultKind::Truncate,
        FaultKind::SlowFirstByte(0),
        FaultKind::Trickle(0),
    ];
    match kinds[rng.below(kinds.len() as u64) as usize] {
        FaultKind::Http(_) => {
            FaultKind::Http([404, 403, 410, 429, 500, 502, 503, 504][rng.below(8) as usize])
        }
        FaultKind::SlowFirstByte(_) => FaultKind::SlowFirstByte(rng.below(12_000)),
        FaultKind::Trickle(_) => FaultKind::Trickle(1 + rng.below(2_000)),
        kind @ (FaultKind::Reset | FaultKind::NoAnswer | FaultKind::StallMidBody | FaultKind::Truncate) => {
            kind
        }
    }
}

/// One session's world: content, trace, network (faults and outages), algorithm.
struct World {
    ladder: Ladder,
    locations: Vec<&'static str>,
    trace: Trace,
    network: CdnNetworkConfig,
    abr: &'static str,
}

fn world(seed: u64) -> World {
    let mut rng = Rng::new(seed);
    let segments = 2 + rng.below(4) as usize;
    let bitrates_kbps = [300u64, 1_200, 3_000];
    let sizes = (0..segments)
        .map(|_| {
            bitrates_kbps.iter().map(|&k| (k * 250) as f64 * rng.range(0.6, 1.4)).map(|b| b as u64).collect()
        })
        .collect();
    let ladder = Ladder {
        name: "soak".into(),
        segment_duration: Duration::from_secs(2),
        bitrates: bitrates_kbps.iter().map(|&k| Bitrate::from_kbps(k)).collect(),
        sizes,
        segments,
        audio: None,
    };
    let locations = ["a", "b", "c"][..1 + rng.below(3) as usize].to_vec();
    let trace = Trace {
        name: format!("soak-{seed}"),
        periods: (0..1 + rng.below(6))
            .map(|_| TracePeriod {
                duration_ms: rng.range(100.0, 6_000.0),
                kbps: if rng.chance(0.1) { rng.range(10.0, 200.0) } else { rng.range(200.0, 20_000.0) },
                latency_ms: rng.chance(0.7).then(|| rng.range(5.0, 600.0)),
            })
            .collect(),
    };
    let n = locations.len();
    let mut faults = Vec::new();
    // Faults of single locations, with random timing, recovery and resources.
    for _ in 0..rng.below(6) {
        let at_s = rng.chance(0.7).then(|| rng.range(0.0, 12.0));
        faults.push(Fault {
            location: locations[rng.below(n as u64) as usize].to_string(),
            at_s,
            after_requests: rng.chance(0.3).then(|| rng.below(12)),
            until_s: rng.chance(0.5).then(|| at_s.unwrap_or(0.0) + rng.range(0.2, 20.0)),
            kind: fault_kind(&mut rng),
            resources: match rng.below(4) {
                0 => Some(ResourceKind::Media),
                1 => Some(ResourceKind::Init),
                2 if rng.chance(0.3) => Some(ResourceKind::Manifest),
                _ => None,
            },
        });
    }
    // Every location dying at once, for good or for a while.
    if rng.chance(0.2) {
        let kind = fault_kind(&mut rng);
        let at_s = rng.range(0.0, 8.0);
        let until_s = rng.chance(0.5).then(|| at_s + rng.range(1.0, 30.0));
        for l in &locations {
            faults.insert(
                0,
                Fault {
                    location: l.to_string(),
                    at_s: Some(at_s),
                    after_requests: None,
                    until_s,
                    kind,
                    resources: None,
                },
            );
        }
    }
    // Outages, and trickling locations (a sliver of the bandwidth).
    let profiles = (0..n)
        .map(|_| LocationProfile {
            bandwidth_factor: if rng.chance(0.2) { rng.range(0.001, 0.05) } else { rng.range(0.3, 1.0) },
            outages_ms: (0..rng.below(3))
                .map(|_| {
                    let start = rng.range(0.0, 15_000.0);
                    let end = if rng.chance(0.2) { 1e9 } else { start + rng.range(100.0, 20_000.0) };
                    (start, end)
                })
                .collect(),
        })
        .collect();
    let network = CdnNetworkConfig {
        latency_jitter: rng.range(0.0, 0.5),
        locations: profiles,
        faults: FaultScript { faults },
        ..CdnNetworkConfig::default()
    };
    World { ladder, locations, trace, network, abr: ABRS[rng.below(ABRS.len() as u64) as usize] }
}

/// How one session ended.
#[derive(Debug)]
struct Ending {
    seed: u64,
    /// `ended`, an error kind, or `UNFINISHED` (neither: a bug).
    outcome: String,
    /// Requests of the segment asked for most.
    max_requests: usize,
}

/// The session of world `w` (seed `seed`), played to its end.
fn session(w: &World, seed: u64) -> flick_player::SessionReport {
    let content = w.ladder.content(&w.locations);
    let spec = SessionSpec {
        trace: &w.trace,
        content: &content,
        model: Model::Cdn,
        player: Model::Cdn.player_config(None),
        network: w.network.clone(),
        seed,
    };
    run_session(&spec, flick_abr::by_name(w.abr).unwrap()).0
}

fn play(seed: u64) -> Ending {
    let w = world(seed);
    let report = session(&w, seed);
    let mut per_segment: HashMap<(String, usize), usize> = HashMap::new();
    for s in &report.segments {
        *per_segment.entry((format!("{:?}", s.track), s.index)).or_default() += 1;
    }
    let duration = w.ladder.segment_duration.as_secs_f64() * w.ladder.segments as f64;
    // A location trickling (the report lists media requests only, and the download that holds
    // the session may be an init segment's, so the world is what tells).
    let trickled = w.network.locations.iter().any(|p| p.bandwidth_factor < 0.05);
    let outcome = match &report.error {
        Some(error) => error.kind.clone(),
        None if report.played_s >= duration - 0.01 => "ended".to_string(),
        None if trickled && TRICKLE_HOLDS_SESSION => "UNFINISHED-trickle (known, issue 12)".to_string(),
        None => format!("UNFINISHED (played {:.2} of {duration} s)", report.played_s),
    };
    Ending { seed, outcome, max_requests: per_segment.values().copied().max().unwrap_or(0) }
}

#[test]
fn every_chaotic_session_ends_or_fails_typed_within_a_bounded_number_of_requests() {
    let sessions: u64 =
        std::env::var("FLICK_SOAK_SESSIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let first: u64 = std::env::var("FLICK_SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let started = Instant::now();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let next = Arc::new(AtomicU64::new(first));
    let done = Arc::new(AtomicUsize::new(0));
    let endings = Arc::new(Mutex::new(Vec::new()));
    // What each worker is playing (seed, start in ms since `started`), for the hang watchdog.
    let current: Arc<Vec<(AtomicU64, AtomicU64)>> =
        Arc::new((0..workers).map(|_| (AtomicU64::new(0), AtomicU64::new(u64::MAX))).collect());
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let (next, done, endings, current) =
                (next.clone(), done.clone(), endings.clone(), current.clone());
            std::thread::spawn(move || {
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed >= first + sessions {
                        current[w].1.store(u64::MAX, Ordering::Relaxed);
                        return;
                    }
                    current[w].0.store(seed, Ordering::Relaxed);
                    current[w].1.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                    let ending = match std::panic::catch_unwind(|| play(seed)) {
                        Ok(ending) => ending,
                        Err(panic) => {
                            let message = panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            Ending { seed, outcome: format!("PANIC {message}"), max_requests: 0 }
                        }
                    };
                    endings.lock().unwrap().push(ending);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    while done.load(Ordering::Relaxed) < sessions as usize {
        std::thread::sleep(Duration::from_millis(200));
        let now_ms = started.elapsed().as_millis() as u64;
        for (seed, since) in current.iter() {
            let since = since.load(Ordering::Relaxed);
            if since != u64::MAX && now_ms.saturating_sub(since) > HANG.as_millis() as u64 {
                panic!("session seed {} has run for over {HANG:?}: a hang", seed.load(Ordering::Relaxed));
            }
        }
    }
    for h in handles {
        h.join().unwrap();
    }
    let endings = std::mem::take(&mut *endings.lock().unwrap());
    let mut table: BTreeMap<String, usize> = BTreeMap::new();
    for e in &endings {
        let key = if e.outcome.starts_with("UNFINISHED (") || e.outcome.starts_with("PANIC") {
            e.outcome.split(' ').next().unwrap().to_string()
        } else {
            e.outcome.clone()
        };
        *table.entry(key).or_default() += 1;
    }
    let worst = endings.iter().max_by_key(|e| e.max_requests).unwrap();
    eprintln!(
        "chaos soak: {} sessions (seeds {first}..{}) in {:.1} s on {workers} threads",
        endings.len(),
        first + sessions,
        started.elapsed().as_secs_f64()
    );
    for (outcome, count) in &table {
        eprintln!("  {outcome:<24} {count:>6}");
    }
    eprintln!(
        "  most requests of one segment: {} (seed {}; bound {MAX_REQUESTS_PER_SEGMENT})",
        worst.max_requests, worst.seed
    );
    let bad: Vec<&Ending> = endings
        .iter()
        .filter(|e| {
            e.outcome.starts_with("UNFINISHED (")
                || e.outcome.starts_with("PANIC")
                || e.max_requests > MAX_REQUESTS_PER_SEGMENT
        })
        .collect();
    assert!(bad.is_empty(), "{} sessions broke a bound, e.g. {:?}", bad.len(), &bad[..bad.len().min(10)]);
}

/// Soak seed 2249 (bba, 3 segments, locations a at 2.2 % and b at 66 % of an 18 kbit/s trace):
/// segment 0 comes from `a` over 1 175 s, segment 1 over 1 761 s, and the session reaches the
/// simulator's limit (3 720 s) at 4 of 6 s played, with no error.
#[test]
fn a_trickling_location_does_not_hold_the_session_past_the_time_limit() {
    let ending = play(2249);
    assert!(!ending.outcome.starts_with("UNFINISHED"), "{}", ending.outcome);
}

/// One session of the soak in detail (`FLICK_SOAK_SEED=N cargo test -p flick-tests --test
/// chaos_soak -- --ignored --nocapture one_session`): its world and its report.
#[test]
#[ignore = "a tool: shows the session of FLICK_SOAK_SEED"]
fn one_session() {
    let seed: u64 = std::env::var("FLICK_SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let w = world(seed);
    eprintln!("abr {}, {} segments, locations {:?}", w.abr, w.ladder.segments, w.locations);
    eprintln!("trace {:?}", w.trace.periods);
    eprintln!("locations {:?}", w.network.locations);
    for f in &w.network.faults.faults {
        eprintln!("fault {f:?}");
    }
    let report = session(&w, seed);
    for s in &report.segments {
        eprintln!(
            "segment {:?} {} rung {} at {} {:.0}..{:.0} ms {:?}",
            s.track, s.index, s.rung, s.location, s.start_ms, s.end_ms, s.outcome
        );
    }
    eprintln!(
        "played {} s, session {} s, stalls {:?}, error {:?}",
        report.played_s, report.session_s, report.stalls, report.error
    );
    eprintln!("{}", play(seed).outcome);
}
