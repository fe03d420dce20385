//! A session's course over time, derived from its report alone: the rate of each segment fetched
//! and the buffer level (the player itself records neither as a series).

use flick_platform::sim::Trace;
use flick_player::SessionReport;
use flick_player::metrics::Outcome;
use flick_player::presentation::TrackKind;

/// One session as series of (session seconds, value) points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    /// Nominal rate of the segment being fetched (Mbit/s), as a step line from each request.
    pub bitrate: Vec<(f64, f64)>,
    /// Media buffered ahead of the playback position (seconds), a polyline.
    pub buffer: Vec<(f64, f64)>,
    /// When playback ended (or the last thing happened).
    pub end_s: f64,
}

/// The course of the session `report` describes. The buffer grows by a segment's duration when
/// it arrives and drains at one second per second while playing: from the start-up until the
/// end, except during stalls.
pub fn timeline(report: &SessionReport) -> Timeline {
    let video: Vec<_> =
        report.segments.iter().filter(|s| s.track == TrackKind::Video && s.outcome == Outcome::Ok).collect();
    let mut bitrate = Vec::with_capacity(video.len() * 2 + 1);
    for (i, s) in video.iter().enumerate() {
        let rate = s.bitrate_kbps as f64 / 1000.0;
        let from = s.start_ms / 1000.0;
        if i > 0 {
            bitrate.push((from, bitrate.last().map_or(rate, |p: &(f64, f64)| p.1)));
        }
        bitrate.push((from, rate));
    }
    if let (Some(last), Some(&(_, rate))) = (video.last(), bitrate.last()) {
        bitrate.push((last.end_ms / 1000.0, rate));
    }

    // Events: (time s, order at equal times, kind): arrivals first, then playback changes.
    #[derive(Clone, Copy, PartialEq)]
    enum Event {
        Arrive(f64),
        Play,
        Stop,
    }
    let mut events: Vec<(f64, u8, Event)> =
        video.iter().map(|s| (s.end_ms / 1000.0, 0, Event::Arrive(s.duration_s))).collect();
    if let Some(start) = report.startup_ms {
        events.push((start / 1000.0, 1, Event::Play));
    }
    for stall in &report.stalls {
        events.push((stall.at_ms / 1000.0, 2, Event::Stop));
        events.push(((stall.at_ms + stall.duration_ms) / 1000.0, 1, Event::Play));
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut buffer = vec![(0.0, 0.0)];
    let (mut level, mut playing, mut t) = (0.0_f64, false, 0.0_f64);
    for (at, _, event) in events {
        if playing && at > t {
            if level <= at - t {
                // Runs dry before the next event (the end of the media).
                buffer.push((t + level, 0.0));
                level = 0.0;
            } else {
                level -= at - t;
                buffer.push((at, level));
            }
        } else {
            buffer.push((at, level));
        }
        t = at.max(t);
        match event {
            Event::Arrive(duration) => {
                level += duration;
                buffer.push((at, level));
            }
            Event::Play => playing = true,
            Event::Stop => playing = false,
        }
    }
    if playing && level > 0.0 {
        buffer.push((t + level, 0.0));
        t += level;
    }
    buffer.dedup();
    let end_s = t.max(bitrate.last().map_or(0.0, |p| p.0));
    Timeline { bitrate, buffer, end_s }
}

/// The trace's bandwidth (Mbit/s) as a step line from 0 to `until_s` seconds (the trace loops).
pub fn bandwidth(trace: &Trace, until_s: f64) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    if trace.periods.iter().all(|p| p.duration_ms <= 0.0) {
        return points;
    }
    let mut t = 0.0;
    'outer: loop {
        for p in &trace.periods {
            if p.duration_ms <= 0.0 {
                continue;
            }
            let mbps = p.kbps / 1000.0;
            let end = t + p.duration_ms / 1000.0;
            points.push((t, mbps));
            points.push((end.min(until_s), mbps));
            t = end;
            if t >= until_s {
                break 'outer;
            }
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use flick_platform::sim::TracePeriod;
    use flick_player::metrics::{SegmentRecord, Stall};

    fn segment(index: usize, kbps: u64, start_ms: f64, end_ms: f64) -> SegmentRecord {
        SegmentRecord {
            track: TrackKind::Video,
            index,
            rung: 0,
            bitrate_kbps: kbps,
            location: "a".into(),
            bytes: 1,
            start_ms,
            first_byte_ms: Some(start_ms),
            end_ms,
            outcome: Outcome::Ok,
            rebuffer_s: 0.0,
            duration_s: 4.0,
        }
    }

    fn report(segments: Vec<SegmentRecord>, startup_ms: f64, stalls: Vec<Stall>) -> SessionReport {
        SessionReport {
            driver: "sim".into(),
            abr: "x".into(),
            model: None,
            startup_ms: Some(startup_ms),
            played_s: 0.0,
            rebuffer_s: 0.0,
            stalls,
            mean_video_bitrate_kbps: 0.0,
            switches: 0,
            cdn_switches: 0,
            qoe_lin: 0.0,
            qoe_log: 0.0,
            scored_chunks: 0,
            session_s: 0.0,
            decoded_frames: None,
            dropped_frames: None,
            error: None,
            segments,
            segments_left_out: 0,
            stalls_left_out: 0,
            live: None,
        }
    }

    #[test]
    fn the_buffer_fills_on_arrival_drains_while_playing_and_waits_out_stalls() {
        // Segment 0 arrives at 1 s (playback starts), segment 1 at 2 s, segment 2 at 11 s: the
        // buffer (7 s at 2 s) runs dry at 9 s, a 2 s stall, then 4 s more of media.
        let r = report(
            vec![
                segment(0, 750, 0.0, 1000.0),
                segment(1, 1200, 1000.0, 2000.0),
                segment(2, 300, 2000.0, 11_000.0),
            ],
            1000.0,
            vec![Stall { at_ms: 9_000.0, duration_ms: 2000.0 }],
        );
        let t = timeline(&r);
        let at = |x: f64| {
            let i = t.buffer.iter().rposition(|p| p.0 <= x).unwrap();
            t.buffer[i].1
        };
        assert_eq!(t.buffer[0], (0.0, 0.0));
        assert_eq!(at(1.0), 4.0);
        assert_eq!(at(2.0), 7.0);
        assert!(t.buffer.contains(&(9.0, 0.0)), "{:?}", t.buffer);
        assert_eq!(at(10.0), 0.0);
        assert_eq!(at(11.0), 4.0);
        assert_eq!(t.buffer.last(), Some(&(15.0, 0.0)));
        assert_eq!(t.end_s, 15.0);
        assert_eq!(t.bitrate.first(), Some(&(0.0, 0.75)));
        assert!(t.bitrate.contains(&(2.0, 1.2)) && t.bitrate.contains(&(2.0, 0.3)));
        assert_eq!(t.bitrate.last(), Some(&(11.0, 0.3)));
    }

    #[test]
    fn the_trace_repeats_to_the_end_of_the_session() {
        let trace = Trace {
            name: "t".into(),
            periods: vec![
                TracePeriod { duration_ms: 1000.0, kbps: 1000.0, latency_ms: None },
                TracePeriod { duration_ms: 1000.0, kbps: 3000.0, latency_ms: None },
            ],
        };
        let b = bandwidth(&trace, 3.5);
        assert_eq!(
            b,
            vec![
                (0.0, 1.0),
                (1.0, 1.0),
                (1.0, 3.0),
                (2.0, 3.0),
                (2.0, 1.0),
                (3.0, 1.0),
                (3.0, 3.0),
                (3.5, 3.0)
            ]
        );
    }
}
