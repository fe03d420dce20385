//! A long session stays flat: a simulated 24-hour session needs no more memory than a 6-hour one
//! (request records, stalls and the event log are bounded; totals keep counting).
//!
//! A counting allocator measures the memory the session itself takes (its content is built
//! before the measurement starts).

use flick_abr::units::Bitrate;
use flick_platform::sim::{Ladder, Model, SessionSpec, Trace, TracePeriod, run_session};
use flick_player::PlayerConfig;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Three rungs of 4 s segments for `hours`.
fn ladder(hours: u64) -> Ladder {
    let segments = (hours * 3600 / 4) as usize;
    let bitrates = vec![Bitrate::from_kbps(400), Bitrate::from_kbps(1200), Bitrate::from_kbps(3000)];
    let sizes = (0..segments)
        .map(|s| bitrates.iter().map(|b| b.bps() / 2 + (s as u64 % 7) * 1000).collect())
        .collect();
    Ladder {
        name: format!("{hours}h"),
        segment_duration: Duration::from_secs(4),
        bitrates,
        sizes,
        segments,
        audio: None,
    }
}

/// A network that swings between 0.3 and 6 Mbit/s, with a short outage now and then, so the
/// session switches, abandons, stalls and fails over all along.
fn trace() -> Trace {
    let periods = (0..600)
        .map(|i| TracePeriod {
            duration_ms: 3000.0,
            kbps: match i % 10 {
                0 => 300.0,
                3 => 0.0,
                5 => 6000.0,
                _ => 2500.0,
            },
            latency_ms: Some(40.0),
        })
        .collect();
    Trace { name: "swings".into(), periods }
}

/// Memory the session took at its peak, over what was allocated before it; and its report's
/// record and stall counts.
fn session_peak(hours: u64) -> (usize, flick_player::SessionReport) {
    let ladder = ladder(hours);
    let content = ladder.content(&["a", "b"]);
    let trace = trace();
    let spec = SessionSpec {
        trace: &trace,
        content: &content,
        model: Model::Cdn,
        player: PlayerConfig { record_log: true, ..Model::Cdn.player_config(None) },
        network: Default::default(),
        seed: 3,
    };
    let abr = flick_abr::by_name("hedge").unwrap();
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let (report, _) = run_session(&spec, abr);
    (PEAK.load(Ordering::SeqCst) - before, report)
}

#[test]
fn a_24_hour_session_weighs_what_a_6_hour_one_does() {
    let (six, short) = session_peak(6);
    let (day, long) = session_peak(24);
    assert!(short.error.is_none() && long.error.is_none(), "{:?} {:?}", short.error, long.error);
    assert!(long.played_s > 23.0 * 3600.0, "played {} s", long.played_s);
    assert!(
        long.scored_chunks > 4 * short.scored_chunks - 100,
        "totals keep counting: {}",
        long.scored_chunks
    );
    assert_eq!(long.segments.len(), flick_player::metrics::MAX_SEGMENT_RECORDS);
    assert!(long.segments_left_out > 0);
    eprintln!(
        "peak session memory: 6 h {} KB ({} records), 24 h {} KB ({} records, {} left out)",
        six / 1024,
        short.segments.len(),
        day / 1024,
        long.segments.len(),
        long.segments_left_out
    );
    assert!(day < six + six / 4, "24 h took {day} bytes, 6 h {six}");
}
