//! Live sessions: a dynamic MPD made at the time of each request, a server clock, the live edge.

use super::*;
use crate::live::clock::parse_iso;

/// 2026-12-01T00:00:00Z.
const AST: u64 = 1_796_083_200;

fn unix(seconds_after_ast: f64) -> Duration {
    Duration::from_secs(AST) + Duration::from_secs_f64(seconds_after_ast)
}

/// ISO 8601 of `AST + t`.
fn iso(t: Duration) -> String {
    let total = t.as_millis();
    let (ms, s) = (total % 1000, total / 1000);
    let (hh, mm, ss) = (s / 3600, (s / 60) % 60, s % 60);
    assert!(hh < 24, "tests stay within the first day");
    let text = format!("2026-12-01T{hh:02}:{mm:02}:{ss:02}.{ms:03}Z");
    assert_eq!(parse_iso(&text), Some(Duration::from_secs(AST) + Duration::from_millis(total as u64)));
    text
}

/// The live stream's server: its clock runs `server_at_zero` seconds after the availability
/// start at session time zero.
#[derive(Clone)]
struct Server {
    server_at_zero: f64,
    /// `<SegmentTemplate>` body, `{T}` replaced by a timeline of what is available.
    timeline: bool,
    extra: String,
    mup: &'static str,
    /// From this session time on, the MPD is static with this duration.
    turns_static: Option<(Duration, &'static str)>,
}

impl Server {
    fn new(server_at_zero: f64) -> Self {
        Server { server_at_zero, timeline: false, extra: String::new(), mup: "", turns_static: None }
    }

    fn time(&self, now: Duration) -> Duration {
        now + Duration::from_secs_f64(self.server_at_zero)
    }

    fn mpd(&self, now: Duration) -> bytes::Bytes {
        let t = self.time(now).as_secs();
        let template = if self.timeline {
            // The segments produced so far, within a 30 s window.
            let last_end = t / 2 * 2;
            let first = last_end.saturating_sub(30);
            let count = (last_end - first) / 2;
            format!(
                r#"<SegmentTemplate timescale="1" startNumber="{}" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4">
                     <SegmentTimeline><S t="{first}" d="2" r="{}"/></SegmentTimeline></SegmentTemplate>"#,
                first / 2 + 1,
                count as i64 - 1
            )
        } else {
            r#"<SegmentTemplate timescale="1" duration="2" startNumber="1" media="$RepresentationID$/$Number$.m4s" initialization="$RepresentationID$/init.mp4"/>"#
                .to_string()
        };
        let head = match self.turns_static {
            Some((at, duration)) if now >= at => {
                format!(r#"type="static" mediaPresentationDuration="{duration}""#)
            }
            _ => format!(
                r#"type="dynamic" availabilityStartTime="2026-12-01T00:00:00Z" publishTime="{}" timeShiftBufferDepth="PT30S" {}"#,
                iso(self.time(now)),
                self.mup
            ),
        };
        let reps: String = [500u64, 1500, 4000]
            .iter()
            .enumerate()
            .map(|(r, kbps)| format!(r#"<Representation id="r{r}" bandwidth="{}"/>"#, kbps * 1000))
            .collect();
        let text = format!(
            r#"<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" {head} minBufferTime="PT2S">{}
                 <Period id="p0" start="PT0S"><AdaptationSet contentType="video" mimeType="video/mp4">{template}{reps}</AdaptationSet></Period></MPD>"#,
            self.extra
        );
        bytes::Bytes::from(text)
    }
}

/// A driver for `server`, the device clock `device_at_zero` seconds after the availability start.
fn live_driver(server: &Server, device_at_zero: f64, config: PlayerConfig) -> Driver {
    let mut d = Driver::new(config, "hedge");
    let mpd = server.clone();
    d.made_bodies.push(("live.mpd".into(), Box::new(move |now| mpd.mpd(now))));
    let clock = server.clone();
    d.made_bodies.push(("/time".into(), Box::new(move |now| bytes::Bytes::from(iso(clock.time(now))))));
    d.input(Input::WallClock { unix: unix(device_at_zero) });
    d.input(Input::Load { url: "http://a/live.mpd".into() });
    d
}

/// (session time asked, segment number) of every media request.
fn media_requests(d: &Driver) -> Vec<(Duration, u64)> {
    d.fetched
        .iter()
        .zip(&d.fetched_at)
        .filter(|(r, _)| r.kind == RequestKind::Media)
        .map(|(r, at)| {
            let name = r.url.rsplit('/').next().unwrap();
            (*at, name.trim_end_matches(".m4s").parse().unwrap())
        })
        .collect()
}

fn stalls(d: &Driver) -> usize {
    d.events.iter().filter(|(_, e)| matches!(e, PlayerEvent::StallStarted { .. })).count()
}

#[test]
fn a_live_stream_starts_at_the_target_latency_and_follows_the_edge_without_stalling() {
    let server = Server::new(100.0);
    let mut d = live_driver(&server, 100.0, PlayerConfig::default());
    d.run_until(Duration::from_secs(60));
    let requests = media_requests(&d);
    // The edge is at 100.05 s when the MPD arrives; 5 s (2.5 segments) behind it is in segment 48.
    assert_eq!(requests[0].1, 48, "{requests:?}");
    for (at, number) in &requests {
        let end = Duration::from_secs(number * 2);
        assert!(server.time(*at) >= end, "segment {number} asked at {at:?}, before it existed");
    }
    let numbers: Vec<u64> = requests.iter().map(|r| r.1).collect();
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "one segment after the other: {numbers:?}");
    assert_eq!(stalls(&d), 0);
    assert_eq!(d.player.state(), PlayerState::Playing);
    assert!(d.ended_tracks.is_empty(), "a live track never ends");
    let status = d.player.status(d.now);
    let live = status.live.expect("live status");
    assert_eq!(live.target_latency, Duration::from_secs(5));
    assert!(live.latency.abs_diff(live.target_latency) < Duration::from_millis(450), "{live:?}");
    assert_eq!(live.window.1, Duration::from_secs_f64(160.0));
    let report = d.player.report(d.now, "test", None, QoeConfig::default()).live.expect("a live report");
    assert!((report.latency_mean_s - 5.0).abs() < 0.3, "{report:?}");
    assert!(report.samples > 200);
}

#[test]
fn a_wrong_device_clock_is_corrected_from_the_servers_before_choosing_a_segment() {
    let mut server = Server::new(100.0);
    server.extra =
        r#"<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="http://a/time"/>"#.into();
    // The device is 30 s ahead: trusted, it would ask for segments that do not exist yet.
    let mut d = live_driver(&server, 130.0, PlayerConfig::default());
    d.run_until(Duration::from_secs(20));
    let kinds: Vec<RequestKind> = d.fetched.iter().map(|r| r.kind).collect();
    assert_eq!(&kinds[..2], [RequestKind::Manifest, RequestKind::Clock]);
    assert_eq!(media_requests(&d)[0].1, 48);
    let synced = d.events.iter().find_map(|(_, e)| match e {
        PlayerEvent::ClockSynced { source, offset_ms } => Some((*source, *offset_ms)),
        _ => None,
    });
    let (source, offset) = synced.expect("the clock was read");
    assert_eq!(source, "utc_timing");
    assert!((offset + 30_000.0).abs() < 100.0, "{offset}");
    assert_eq!(stalls(&d), 0);
}

#[test]
fn a_timeline_that_grows_is_refreshed_when_it_runs_out_even_with_a_rare_update_period() {
    let mut server = Server::new(100.0);
    server.timeline = true;
    server.mup = r#"minimumUpdatePeriod="PT500S""#;
    let mut d = live_driver(&server, 100.0, PlayerConfig::default());
    d.run_until(Duration::from_secs(40));
    let numbers: Vec<u64> = media_requests(&d).iter().map(|r| r.1).collect();
    assert!(numbers.len() >= 18, "{numbers:?}");
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
    let refreshes = d.fetched.iter().filter(|r| r.kind == RequestKind::Manifest).count();
    assert!(refreshes >= 10, "{refreshes} MPD requests");
    assert!(refreshes < 80, "{refreshes} MPD requests: refreshes are rate-limited");
    assert_eq!(stalls(&d), 0);
    let live = d.player.status(d.now).live.unwrap();
    assert!(live.latency < Duration::from_secs(7), "{live:?}");
}

#[test]
fn a_refresh_that_turns_the_mpd_static_ends_the_stream_at_its_end() {
    let mut server = Server::new(100.0);
    server.mup = r#"minimumUpdatePeriod="PT2S""#;
    server.turns_static = Some((Duration::from_secs(10), "PT130S"));
    let mut d = live_driver(&server, 100.0, PlayerConfig::default());
    d.run_until(Duration::from_secs(90));
    assert_eq!(d.player.state(), PlayerState::Ended);
    assert!(d.events.iter().any(|(_, e)| matches!(e, PlayerEvent::ManifestUpdated { dynamic: false, .. })));
    let last = media_requests(&d).last().unwrap().1;
    assert_eq!(last, 65, "the last segment of 130 s");
    assert_eq!(d.ended_tracks.len(), 1);
    assert!(d.player.error().is_none());
}

#[test]
fn a_seek_back_into_the_window_stops_following_and_go_live_comes_back() {
    let server = Server::new(100.0);
    let mut d = live_driver(&server, 100.0, PlayerConfig::default());
    d.run_until(Duration::from_secs(10));
    let edge = d.player.status(d.now).live.unwrap().window.1;
    d.input(Input::Seek { position: edge - Duration::from_secs(20) });
    let seeked_at = d.now;
    d.run_until(Duration::from_secs(30));
    let live = d.player.status(d.now).live.unwrap();
    assert!(!live.following);
    assert!(live.latency.abs_diff(Duration::from_secs(20)) < Duration::from_millis(500), "{live:?}");
    assert!(
        d.rates.iter().filter(|(at, _)| *at > seeked_at).all(|(_, r)| *r == 1.0),
        "no catch-up while not following: {:?}",
        d.rates
    );
    // Far before the window: held at its start.
    d.input(Input::Seek { position: Duration::ZERO });
    let live = d.player.status(d.now).live.unwrap();
    assert!(d.player.position(d.now) >= live.window.0, "{live:?}");
    d.input(Input::GoLive);
    d.run_until(Duration::from_secs(50));
    let live = d.player.status(d.now).live.unwrap();
    assert!(live.following);
    assert!(live.latency.abs_diff(live.target_latency) < Duration::from_millis(500), "{live:?}");
    let following: Vec<bool> = d
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            PlayerEvent::LiveEdge { following, .. } => Some(*following),
            _ => None,
        })
        .collect();
    assert_eq!(following, [true, false, true]);
    assert_eq!(stalls(&d), 0);
}

#[test]
fn after_a_stall_the_latency_is_caught_up_by_playing_faster() {
    let server = Server::new(100.0);
    let mut d = live_driver(&server, 100.0, PlayerConfig::default());
    d.run_until(Duration::from_secs(20));
    // The only server stops answering for 6 s: the 5 s buffer runs dry.
    d.dead = vec!["a".into()];
    d.dead_until = Some(Duration::from_secs(26));
    d.run_until(Duration::from_secs(40));
    assert!(stalls(&d) >= 1, "the outage outlasts the buffer");
    let behind = d.player.status(d.now).live.unwrap();
    assert!(behind.latency > behind.target_latency + Duration::from_millis(500), "{behind:?}");
    d.run_until(Duration::from_secs(160));
    let live = d.player.status(d.now).live.unwrap();
    assert!(live.latency.abs_diff(live.target_latency) < Duration::from_millis(400), "{live:?}");
    assert!(d.rates.iter().any(|(_, r)| *r > 1.0), "{:?}", d.rates);
    assert!(d.rates.iter().all(|(_, r)| (0.95..=1.05).contains(r)));
    let report = d.player.report(d.now, "test", None, QoeConfig::default()).live.unwrap();
    assert!(report.catch_up_s > 10.0, "{report:?}");
}

#[test]
fn mpd_events_are_reported_once_across_refreshes_and_emsg_boxes_in_segments() {
    let mut server = Server::new(100.0);
    server.mup = r#"minimumUpdatePeriod="PT2S""#;
    server.extra = String::new();
    let mut d = live_driver(&server, 100.0, PlayerConfig::default());
    // An MPD with an event stream, for every refresh.
    let mpd = server.clone();
    d.made_bodies.insert(
        0,
        (
            "live.mpd".into(),
            Box::new(move |now| {
                let text = String::from_utf8(mpd.mpd(now).to_vec()).unwrap().replace(
                    r#"<Period id="p0" start="PT0S">"#,
                    r#"<Period id="p0" start="PT0S"><EventStream schemeIdUri="urn:example:ad" timescale="1"><Event id="1" presentationTime="110" duration="30">ad</Event></EventStream>"#,
                );
                bytes::Bytes::from(text)
            }),
        ),
    );
    let mut emsg = vec![0, 0, 0, 0];
    emsg.extend_from_slice(b"urn:scte:scte35:2013:bin\0\0");
    for v in [1u32, 0, 10, 42] {
        emsg.extend_from_slice(&v.to_be_bytes());
    }
    emsg.extend_from_slice(&[0xfc, 0x30]);
    let mut segment = ((emsg.len() + 8) as u32).to_be_bytes().to_vec();
    segment.extend_from_slice(b"emsg");
    segment.extend_from_slice(&emsg);
    segment.extend_from_slice(&[0, 0, 0, 8, b'm', b'd', b'a', b't']);
    d.bodies.push(("r0/50.m4s".into(), segment.into()));
    d.run_until(Duration::from_secs(20));
    let events: Vec<&crate::presentation::StreamEvent> = d
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            PlayerEvent::StreamEvent(event) => Some(event),
            _ => None,
        })
        .collect();
    let mpd_events = events.iter().filter(|e| !e.in_band).count();
    assert_eq!(mpd_events, 1, "{events:?}");
    let in_band: Vec<_> = events.iter().filter(|e| e.in_band).collect();
    if d.fetched.iter().any(|r| r.url.ends_with("r0/50.m4s")) {
        assert_eq!(in_band.len(), 1, "{events:?}");
        assert_eq!(in_band[0].scheme_id_uri, "urn:scte:scte35:2013:bin");
        assert_eq!(in_band[0].presentation_time, Duration::from_secs(98));
    }
}

#[test]
fn a_stream_that_began_moments_ago_is_waited_for_until_it_is_the_target_behind() {
    // On air for 1 s: one segment exists in a second, the target is 5 s.
    let server = Server::new(1.0);
    let mut d = live_driver(&server, 1.0, PlayerConfig::default());
    d.run_until(Duration::from_secs(30));
    let playing_at = d
        .events
        .iter()
        .find_map(|(at, e)| {
            matches!(e, PlayerEvent::StateChanged { to: PlayerState::Playing, .. }).then_some(*at)
        })
        .expect("it plays");
    assert!(
        playing_at >= Duration::from_millis(3800),
        "started at {playing_at:?}, before the stream was 5 s old"
    );
    assert_eq!(stalls(&d), 0);
    let live = d.player.status(d.now).live.unwrap();
    assert!(live.latency.abs_diff(live.target_latency) < Duration::from_millis(450), "{live:?}");
}

#[test]
fn a_location_that_stops_answering_is_left_within_a_live_buffer() {
    let mut server = Server::new(100.0);
    server.extra =
        r#"<BaseURL serviceLocation="a">http://a/</BaseURL><BaseURL serviceLocation="b">http://b/</BaseURL>"#
            .into();
    let mut d = live_driver(&server, 100.0, PlayerConfig::default());
    // 3 Mbit/s: each 2 s segment takes two thirds of a second, and the buffer is 3 to 5 s.
    d.kbps = 3000;
    d.run_until(Duration::from_secs(20));
    d.dead = vec!["a".into()];
    d.run_until(Duration::from_secs(60));
    assert_eq!(
        stalls(&d),
        0,
        "{:?}",
        d.events.iter().filter(|(_, e)| matches!(e, PlayerEvent::StallStarted { .. })).collect::<Vec<_>>()
    );
    let last = d.fetched.iter().rev().find(|r| r.kind == RequestKind::Media).unwrap();
    assert!(last.url.starts_with("http://b/"), "{}", last.url);
    let live = d.player.status(d.now).live.unwrap();
    assert!(live.latency.abs_diff(live.target_latency) < Duration::from_millis(450), "{live:?}");
}

#[test]
fn a_timeline_refresh_fails_over_to_the_mpd_on_another_location() {
    for error in [Some(FetchError::Http(503)), None] {
        let mut server = Server::new(100.0);
        server.timeline = true;
        server.mup = r#"minimumUpdatePeriod="PT2S""#;
        server.extra =
            r#"<BaseURL serviceLocation="a">http://a/</BaseURL><BaseURL serviceLocation="b">http://b/</BaseURL>"#.into();
        let mut d = live_driver(&server, 100.0, PlayerConfig::default());
        d.run_until(Duration::from_secs(20));
        d.dead = vec!["a".into()];
        d.dead_error = error.clone();
        d.run_until(Duration::from_secs(60));
        let what = format!("{error:?}");
        assert_eq!(stalls(&d), 0, "{what}");
        assert!(
            d.fetched.iter().any(|r| r.kind == RequestKind::Manifest && r.url == "http://b/live.mpd"),
            "{what}"
        );
        let numbers: Vec<u64> = media_requests(&d).iter().map(|r| r.1).collect();
        assert!(numbers.last().unwrap() - numbers[0] >= 28, "{what}: {numbers:?}");
        assert_eq!(d.player.state(), PlayerState::Playing, "{what}");
    }
}

#[test]
fn without_any_clock_a_timeline_gives_the_time_and_a_template_a_typed_error() {
    for (timeline, plays) in [(true, true), (false, false)] {
        let mut server = Server::new(100.0);
        server.timeline = timeline;
        let mut d = Driver::new(PlayerConfig::default(), "hedge");
        // An MPD with no publishTime, and a driver that gives no wall clock.
        let mpd = server.clone();
        d.made_bodies.push((
            "live.mpd".into(),
            Box::new(move |now| {
                let text = String::from_utf8(mpd.mpd(now).to_vec()).unwrap();
                let start = text.find("publishTime=").unwrap();
                let end = start + text[start..].find("Z\"").unwrap() + 2;
                bytes::Bytes::from(format!("{}{}", &text[..start], &text[end..]))
            }),
        ));
        d.input(Input::Load { url: "http://a/live.mpd".into() });
        d.run_until(Duration::from_secs(20));
        if plays {
            assert_eq!(d.player.state(), PlayerState::Playing, "{:?}", d.player.error());
            assert_eq!(stalls(&d), 0);
        } else {
            let error = d.player.error().expect("a typed error").to_string();
            assert!(error.contains("needs the time"), "{error}");
        }
    }
}

#[test]
fn a_live_period_that_ends_into_another_is_a_typed_error_not_an_endless_stall() {
    let mut server = Server::new(100.0);
    server.mup = r#"minimumUpdatePeriod="PT2S""#;
    let mut d = live_driver(&server, 100.0, PlayerConfig::default());
    let mpd = server.clone();
    // From 5 s on, the period ends at 120 s and another begins.
    d.made_bodies.insert(
        0,
        (
            "live.mpd".into(),
            Box::new(move |now| {
                let text = String::from_utf8(mpd.mpd(now).to_vec()).unwrap();
                if now < Duration::from_secs(5) {
                    return bytes::Bytes::from(text);
                }
                let first = text.find("<Period").unwrap();
                let end = text.find("</Period>").unwrap() + "</Period>".len();
                let period = &text[first..end];
                let ended = period.replace(r#"start="PT0S""#, r#"start="PT0S" duration="PT120S""#);
                let next = period.replace(r#"id="p0" start="PT0S""#, r#"id="ad" start="PT120S""#);
                bytes::Bytes::from(format!("{}{ended}{next}{}", &text[..first], &text[end..]))
            }),
        ),
    );
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Failed);
    let error = d.player.error().unwrap().to_string();
    assert!(error.contains("new period (\"ad\")"), "{error}");
}
