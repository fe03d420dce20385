//! Scripted-driver tests of the state machine.

use super::*;
use crate::io::{Chunk, FetchError, FetchRequest, Input, Output, PlayerEvent};
use crate::metrics::QoeConfig;
use crate::presentation::{
    BaseUrl, Location, MediaSegment, Period, Representation, SegmentIndex, SegmentRef, Track,
};
use crate::virtual_time::{InputSource, Step as VirtualStep, VirtualClock};
use flick_abr::units::{Bitrate, Bytes};

const SEG: Duration = Duration::from_secs(2);

fn presentation(segments: usize, locations: &[&str]) -> Arc<Presentation> {
    let base_urls: Vec<BaseUrl> = locations
        .iter()
        .enumerate()
        .map(|(i, l)| BaseUrl { url: url::Url::parse(&format!("http://{l}/")).unwrap(), location: i })
        .collect();
    let reps = [500u64, 1500, 4000]
        .iter()
        .enumerate()
        .map(|(r, &kbps)| Representation {
            id: format!("r{r}"),
            bandwidth: Bitrate::from_kbps(kbps),
            width: None,
            height: None,
            frame_rate: None,
            codecs: None,
            mime_type: None,
            audio_sampling_rate: None,
            base_urls: base_urls.clone(),
            segments: SegmentIndex::Listed {
                init: Some(SegmentRef { url: format!("r{r}/init.mp4"), range: None }),
                segments: (0..segments)
                    .map(|i| MediaSegment {
                        location: SegmentRef { url: format!("r{r}/{i}.m4s"), range: None },
                        number: i as u64,
                        start: SEG * i as u32,
                        duration: SEG,
                        size: Some(Bytes(kbps * 1000 / 8 * 2)),
                    })
                    .collect(),
            },
        })
        .collect();
    Arc::new(Presentation {
        duration: Some(SEG * segments as u32),
        min_buffer_time: None,
        periods: vec![Period {
            id: None,
            start: Duration::ZERO,
            duration: Some(SEG * segments as u32),
            tracks: vec![Track {
                kind: TrackKind::Video,
                id: None,
                language: None,
                mime_type: None,
                representations: reps,
            }],
        }],
        locations: locations
            .iter()
            .map(|l| Location { id: l.to_string(), priority: None, weight: None })
            .collect(),
        steering: None,
    })
}

/// A driver whose network answers each request after `latency` at `kbps`, failing requests to
/// hosts listed in `dead` with `dead_error` (or never answering them when `None`).
struct Driver {
    player: Player,
    now: Duration,
    latency: Duration,
    kbps: u64,
    dead: Vec<String>,
    dead_error: Option<FetchError>,
    /// Dead hosts come back at this time.
    dead_until: Option<Duration>,
    /// Hosts that send the first piece of each body and then nothing.
    stalling: Vec<String>,
    /// Hosts that send a byte a second.
    trickling: Vec<String>,
    /// Whole bodies of the requests whose URL ends with the key.
    bodies: Vec<(String, bytes::Bytes)>,
    /// What the scripted network will do to the requests in flight.
    net: ScriptedNet,
    clock: VirtualClock,
    events: Vec<(Duration, PlayerEvent)>,
    fetched: Vec<FetchRequest>,
    cancelled: Vec<RequestId>,
    appended: Vec<Append>,
    /// When the core said each track was complete.
    ended_tracks: Vec<(Duration, crate::presentation::TrackKind)>,
    /// How many times the core asked for the decoder's state.
    decoder_asks: usize,
    /// The decoder's position at a session time, when the core asks (`None`: no answer).
    decoder: Option<Box<dyn FnMut(Duration) -> Option<Duration>>>,
}

use crate::io::Append;

/// What the scripted network does next to a request.
#[derive(Clone, Debug)]
enum Step {
    Fail(FetchError),
    Start,
    Chunk(u64),
    Body(bytes::Bytes),
    Finish,
}

const BODY: u64 = 250_000;

/// (time, request, what happens to it) of the requests in flight.
#[derive(Default)]
struct ScriptedNet {
    pending: Vec<(Duration, FetchRequest, Step)>,
}

impl InputSource for ScriptedNet {
    fn next_at(&mut self) -> Option<Duration> {
        self.pending.sort_by_key(|(t, _, _)| *t);
        self.pending.first().map(|(t, _, _)| *t)
    }

    fn pop(&mut self) -> Option<(Duration, Input)> {
        if self.pending.is_empty() {
            return None;
        }
        let (at, r, step) = self.pending.remove(0);
        let id = r.id;
        let input = match step {
            Step::Fail(error) => Input::Failed { id, error },
            Step::Start => {
                Input::ResponseStarted { id, content_length: Some(r.range.map_or(BODY, |range| range.len())) }
            }
            Step::Chunk(len) => Input::Data { id, chunk: x_bytes(len) },
            Step::Body(body) => Input::Data { id, chunk: Chunk::Bytes(body) },
            Step::Finish => Input::Complete { id },
        };
        Some((at, input))
    }
}

/// `len` bytes of `x`.
fn x_bytes(len: u64) -> Chunk {
    Chunk::Bytes(bytes::Bytes::from(vec![b'x'; len as usize]))
}

impl Driver {
    fn new(config: PlayerConfig, abr: &str) -> Self {
        Self::with_abr(config, flick_abr::by_name(abr).unwrap())
    }

    fn with_abr(config: PlayerConfig, abr: Box<dyn flick_abr::Abr>) -> Self {
        Driver {
            player: Player::new(config, abr),
            now: Duration::ZERO,
            latency: Duration::from_millis(50),
            kbps: 8000,
            dead: Vec::new(),
            dead_error: None,
            dead_until: None,
            stalling: Vec::new(),
            trickling: Vec::new(),
            bodies: Vec::new(),
            net: ScriptedNet::default(),
            clock: VirtualClock::default(),
            events: Vec::new(),
            fetched: Vec::new(),
            cancelled: Vec::new(),
            appended: Vec::new(),
            ended_tracks: Vec::new(),
            decoder_asks: 0,
            decoder: None,
        }
    }

    fn input(&mut self, input: Input) {
        self.player.handle_input(self.now, input);
        self.drain();
    }

    fn drain(&mut self) {
        while let Some(o) = self.player.poll_output() {
            match o {
                Output::Fetch(r) => {
                    self.fetched.push(r.clone());
                    let host = url::Url::parse(&r.url).unwrap().host_str().unwrap().to_string();
                    if self.dead.contains(&host) && self.dead_until.is_none_or(|t| self.now < t) {
                        // Without an error, a dead host never answers.
                        if let Some(e) = &self.dead_error {
                            self.net.pending.push((self.now + self.latency, r, Step::Fail(e.clone())));
                        }
                        continue;
                    }
                    if let Some((_, body)) =
                        self.bodies.iter().find(|(suffix, _)| r.url.ends_with(suffix.as_str()))
                    {
                        let at = self.now + self.latency;
                        let mut r = r.clone();
                        r.range =
                            Some(crate::presentation::ByteRange { start: 0, end: body.len() as u64 - 1 });
                        self.net.pending.push((at, r.clone(), Step::Start));
                        self.net.pending.push((at, r.clone(), Step::Body(body.clone())));
                        self.net.pending.push((at, r, Step::Finish));
                        continue;
                    }
                    if self.trickling.contains(&host) {
                        // One byte a second, for ever.
                        let start = self.now + self.latency;
                        self.net.pending.push((start, r.clone(), Step::Start));
                        for k in 0..600u32 {
                            self.net.pending.push((
                                start + Duration::from_secs(u64::from(k)),
                                r.clone(),
                                Step::Chunk(1),
                            ));
                        }
                        continue;
                    }
                    let body = r.range.map_or(BODY, |range| range.len());
                    let transfer = Duration::from_secs_f64(body as f64 * 8.0 / (self.kbps as f64 * 1000.0));
                    let stalls = self.stalling.contains(&host) && r.kind == crate::io::RequestKind::Media;
                    let start = self.now + self.latency;
                    self.net.pending.push((start, r.clone(), Step::Start));
                    // The body arrives in 200 ms pieces.
                    let pieces = (transfer.as_secs_f64() / 0.2).ceil().max(1.0) as u64;
                    for k in 1..=pieces {
                        let at = start + transfer.mul_f64(k as f64 / pieces as f64);
                        let len = body * k / pieces - body * (k - 1) / pieces;
                        self.net.pending.push((at, r.clone(), Step::Chunk(len)));
                        if stalls {
                            break;
                        }
                    }
                    if !stalls {
                        self.net.pending.push((start + transfer, r, Step::Finish));
                    }
                }
                Output::Cancel(id) => {
                    self.cancelled.push(id);
                    self.net.pending.retain(|(_, r, _)| r.id != id);
                }
                Output::Append(a) => self.appended.push(a),
                Output::Flush { .. } => {}
                Output::EndOfStream { track } => self.ended_tracks.push((self.now, track)),
                Output::ReportDecoder => {
                    self.decoder_asks += 1;
                    if let Some(position) = self.decoder.as_mut().and_then(|decoder| decoder(self.now)) {
                        self.player.handle_input(self.now, Input::Playback { position });
                    }
                }
                Output::Event(e) => self.events.push((self.now, e)),
            }
        }
    }

    /// Run until `until` or the session ends.
    fn run_until(&mut self, until: Duration) {
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(steps < 1_000_000, "the session does not progress");
            if matches!(self.player.state(), PlayerState::Ended | PlayerState::Failed) {
                return;
            }
            let step = self.clock.step(&mut self.player, &mut self.net, Some(until));
            self.now = self.clock.now();
            self.drain();
            if matches!(step, VirtualStep::Until | VirtualStep::Idle) {
                return;
            }
        }
    }

    fn states(&self) -> Vec<PlayerState> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                PlayerEvent::StateChanged { to, .. } => Some(*to),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn plays_a_healthy_stream_to_the_end_without_stalling() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(10, &["a"]) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.stalls.is_empty(), "{:?}", report.stalls);
    assert_eq!(report.segments.iter().filter(|s| s.outcome == crate::metrics::Outcome::Ok).count(), 10);
    assert!((report.played_s - 20.0).abs() < 1e-6, "played {}", report.played_s);
    assert_eq!(
        d.states(),
        vec![PlayerState::Loading, PlayerState::Buffering, PlayerState::Playing, PlayerState::Ended]
    );
    // The decoder received an init segment before the first media segment of each rung.
    assert_eq!(d.appended[0].kind, crate::io::AppendKind::Init);
    assert!(!d.appended[1].data.is_empty() && d.appended[1].data.iter().all(|&b| b == b'x'));
}

#[test]
fn the_event_log_records_inputs_and_outputs_in_order() {
    let config = PlayerConfig { record_log: true, ..PlayerConfig::default() };
    let mut d = Driver::new(config, "bba");
    d.input(Input::LoadPresentation { presentation: presentation(3, &["a"]) });
    d.run_until(Duration::from_secs(60));
    let log = d.player.event_log();
    assert!(matches!(log[0].record, crate::log::LogRecord::LoadPresentation));
    assert!(log.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    let fetches = log.iter().filter(|e| matches!(e.record, crate::log::LogRecord::Fetch { .. })).count();
    let completes = log.iter().filter(|e| matches!(e.record, crate::log::LogRecord::Complete { .. })).count();
    assert_eq!(fetches, completes);
    assert_eq!(fetches, d.fetched.len());
    let json = serde_json::to_string(&log).unwrap();
    assert!(json.contains("\"type\":\"fetch\""), "{json}");
}

#[test]
fn a_slow_network_stalls_and_resumes_and_the_stall_is_reported() {
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.kbps = 600; // one 2 s segment of 250 kB takes 3.3 s
    d.input(Input::LoadPresentation { presentation: presentation(5, &["a"]) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(!report.stalls.is_empty());
    let stalled: f64 = report.stalls.iter().map(|s| s.duration_ms).sum::<f64>() / 1000.0;
    assert!((stalled - report.rebuffer_s).abs() < 1e-9);
    let attributed: f64 = report.segments.iter().map(|s| s.rebuffer_s).sum();
    assert!((attributed - report.rebuffer_s).abs() < 1e-6, "{attributed} vs {}", report.rebuffer_s);
    assert!(report.qoe_lin < 0.5);
}

#[test]
fn a_dead_location_fails_over_to_the_next_one() {
    for error in [Some(FetchError::Http(503)), Some(FetchError::Reset), None] {
        let mut d = Driver::new(PlayerConfig::default(), "bola");
        d.dead = vec!["a".into()];
        d.dead_error = error.clone();
        d.input(Input::LoadPresentation { presentation: presentation(8, &["a", "b"]) });
        d.run_until(Duration::from_secs(120));
        assert_eq!(d.player.state(), PlayerState::Ended, "{error:?}");
        let report = d.player.report(d.now, "test", None, QoeConfig::default());
        let ok: Vec<_> =
            report.segments.iter().filter(|s| s.outcome == crate::metrics::Outcome::Ok).collect();
        assert_eq!(ok.len(), 8);
        assert!(ok.iter().all(|s| s.location == "b"), "{error:?}");
        if error.is_none() {
            assert!(!d.cancelled.is_empty(), "the silent request must be given up");
        }
    }
}

#[test]
fn with_little_buffer_a_silent_location_is_left_early() {
    let config = PlayerConfig { max_buffer: Duration::from_secs(6), ..PlayerConfig::default() };
    let mut d = Driver::new(config, "throughput");
    d.input(Input::LoadPresentation { presentation: presentation(30, &["a", "b"]) });
    d.run_until(Duration::from_secs(3));
    d.dead = vec!["a".into()]; // a stops answering at 3 s with ~4 s buffered
    d.run_until(Duration::from_secs(80));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.stalls.is_empty(), "{:?}", report.stalls);
    let timeout = report.segments.iter().find(|s| s.outcome == crate::metrics::Outcome::Timeout).unwrap();
    let waited = timeout.end_ms - timeout.start_ms;
    assert!(waited < 2000.0, "gave up after {waited} ms, not the 4 s default");
    assert_eq!(report.cdn_switches, 1);
}

#[test]
fn a_body_that_stalls_is_resumed_elsewhere_with_a_byte_range() {
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.kbps = 2000;
    d.stalling = vec!["a".into()];
    d.input(Input::LoadPresentation { presentation: presentation(3, &["a", "b"]) });
    d.run_until(Duration::from_secs(60));
    let fails: Vec<_> =
        d.events.iter().filter(|(_, e)| matches!(e, PlayerEvent::RequestFailed { .. })).take(4).collect();
    assert_eq!(d.player.state(), PlayerState::Ended, "{fails:?}");
    let resumed: Vec<_> = d.fetched.iter().filter(|r| r.range.is_some()).collect();
    assert!(!resumed.is_empty(), "{:?}", d.fetched);
    assert!(resumed.iter().all(|r| r.url.starts_with("http://b/") && r.range.unwrap().start > 0));
    // The decoder got whole segments: the piece from a and the rest from b.
    let media: Vec<_> = d.appended.iter().filter(|a| a.kind == crate::io::AppendKind::Media).collect();
    assert_eq!(media.len(), 3);
}

#[test]
fn without_known_sizes_the_resume_range_comes_from_the_announced_length() {
    let mut p = (*presentation(3, &["a", "b"])).clone();
    for rep in &mut p.periods[0].tracks[0].representations {
        if let SegmentIndex::Listed { segments, .. } = &mut rep.segments {
            segments.listed_mut().unwrap().iter_mut().for_each(|s| s.size = None);
        }
    }
    let mut d = Driver::new(PlayerConfig::default(), "throughput");
    d.kbps = 2000;
    d.stalling = vec!["a".into()];
    d.input(Input::LoadPresentation { presentation: Arc::new(p) });
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let resumed: Vec<_> = d.fetched.iter().filter_map(|r| r.range).collect();
    assert!(!resumed.is_empty());
    assert!(resumed.iter().all(|r| r.end == BODY - 1 && r.start > 0), "{resumed:?}");
}

#[test]
fn a_location_that_recovers_is_probed_and_used_again() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.dead = vec!["a".into()];
    d.dead_error = Some(FetchError::Http(503));
    d.dead_until = Some(Duration::from_secs(5));
    d.input(Input::LoadPresentation { presentation: presentation(40, &["a", "b"]) });
    d.run_until(Duration::from_secs(200));
    assert_eq!(d.player.state(), PlayerState::Ended);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    let ok: Vec<_> = report.segments.iter().filter(|s| s.outcome == crate::metrics::Outcome::Ok).collect();
    assert_eq!(ok.first().unwrap().location, "b");
    assert_eq!(ok.last().unwrap().location, "a", "a came back and is preferred again");
    assert!(report.stalls.is_empty());
}

#[test]
fn dvb_weights_pick_among_equally_preferred_locations() {
    let mut p = (*presentation(3, &["a", "b"])).clone();
    p.locations[0].weight = Some(0);
    p.locations[1].weight = Some(5);
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: Arc::new(p) });
    d.run_until(Duration::from_secs(60));
    assert_eq!(d.player.state(), PlayerState::Ended);
    assert!(d.fetched.iter().all(|r| r.url.starts_with("http://b/")), "{:?}", d.fetched);
}

#[test]
fn every_location_dead_ends_in_a_typed_error_within_the_limit() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.dead = vec!["a".into(), "b".into()];
    d.dead_error = Some(FetchError::Http(503));
    d.input(Input::LoadPresentation { presentation: presentation(8, &["a", "b"]) });
    d.run_until(Duration::from_secs(120));
    assert_eq!(d.player.state(), PlayerState::Failed);
    assert!(matches!(d.player.error(), Some(PlayerError::AllLocationsFailed { .. })));
    assert!(d.now <= Duration::from_secs(12), "failed only at {:?}", d.now);
    assert_eq!(d.player.requests_in_flight(), 0);
}

#[test]
fn silent_locations_fail_by_timeout_not_by_hanging() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.dead = vec!["a".into()];
    d.input(Input::LoadPresentation { presentation: presentation(4, &["a"]) });
    d.run_until(Duration::from_secs(600));
    assert_eq!(d.player.state(), PlayerState::Failed);
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert_eq!(report.error.unwrap().kind, "all_locations_failed");
}

#[test]
fn pause_holds_the_position_and_play_resumes() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(20, &["a"]) });
    d.run_until(Duration::from_secs(5));
    assert_eq!(d.player.state(), PlayerState::Playing);
    d.input(Input::Pause);
    let held = d.player.position(d.now);
    d.run_until(Duration::from_secs(15));
    assert_eq!(d.player.state(), PlayerState::Paused);
    assert_eq!(d.player.position(d.now), held);
    d.input(Input::Play);
    d.run_until(Duration::from_secs(17));
    assert_eq!(d.player.position(d.now), held + Duration::from_secs(2));
}

#[test]
fn seek_flushes_and_refills_from_the_target_segment() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::LoadPresentation { presentation: presentation(20, &["a"]) });
    d.run_until(Duration::from_secs(3));
    d.input(Input::Seek { position: Duration::from_secs(25) });
    assert_eq!(d.player.state(), PlayerState::Seeking);
    let first_after: Vec<_> = d.fetched.iter().rev().take(1).collect();
    assert!(
        first_after[0].url.ends_with("/12.m4s") || first_after[0].url.ends_with("init.mp4"),
        "{}",
        first_after[0].url
    );
    d.run_until(Duration::from_secs(5));
    assert_eq!(d.player.state(), PlayerState::Playing);
    assert!(d.player.position(d.now) >= Duration::from_secs(25));
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.stalls.is_empty(), "a seek is not a stall");
}

#[test]
fn a_pinned_quality_overrides_the_algorithm() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::SetQuality { rung: Some(2) });
    d.input(Input::LoadPresentation { presentation: presentation(5, &["a"]) });
    d.run_until(Duration::from_secs(60));
    let report = d.player.report(d.now, "test", None, QoeConfig::default());
    assert!(report.segments.iter().all(|s| s.rung == 2));
}

#[test]
fn the_full_buffer_waits_instead_of_fetching_ahead() {
    let config = PlayerConfig { max_buffer: Duration::from_secs(10), ..PlayerConfig::default() };
    let mut d = Driver::new(config, "bola");
    d.input(Input::LoadPresentation { presentation: presentation(60, &["a"]) });
    for t in 1..60 {
        d.run_until(Duration::from_secs(t));
        assert!(d.player.buffer_level(d.now) <= Duration::from_secs(10));
    }
}

#[test]
fn a_manifest_url_that_does_not_parse_is_an_error_not_a_panic() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::Load { url: "not a url".into() });
    assert_eq!(d.player.state(), PlayerState::Failed);
    assert!(matches!(d.player.error(), Some(PlayerError::InvalidInput(_))));
}

#[test]
fn answers_about_unknown_requests_are_ignored() {
    let mut d = Driver::new(PlayerConfig::default(), "bola");
    d.input(Input::Complete { id: RequestId(99) });
    d.input(Input::Data { id: RequestId(7), chunk: Chunk::Counted(5) });
    d.input(Input::Failed { id: RequestId(3), error: FetchError::Reset });
    assert_eq!(d.player.state(), PlayerState::Idle);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever the network does, the position never runs backwards while playing, never
        /// passes the buffered media, every request is answered or cancelled, and the session
        /// ends (played out or failed) rather than hanging.
        #[test]
        fn invariants_hold_under_random_networks(
            kbps in 200u64..20_000,
            latency_ms in 0u64..2_000,
            dead_a in any::<bool>(),
            pauses in proptest::collection::vec((1u64..60, any::<bool>()), 0..4),
            seek_to in proptest::option::of(0u64..30),
            abr in prop::sample::select(vec!["bola", "bba", "throughput", "robust-mpc"]),
        ) {
            let mut d = Driver::new(PlayerConfig::default(), abr);
            d.kbps = kbps;
            d.latency = Duration::from_millis(latency_ms);
            if dead_a {
                d.dead = vec!["a".into()];
                d.dead_error = Some(FetchError::Http(503));
            }
            d.input(Input::LoadPresentation { presentation: presentation(15, &["a", "b"]) });
            let mut last_position = Duration::ZERO;
            let mut commands = pauses.clone();
            commands.sort();
            for t in 1..400u64 {
                let now = Duration::from_secs(t);
                d.run_until(now);
                // Commands due now, several at the same second among them.
                while let Some(&(at, pause)) = commands.first()
                    && at == t
                {
                    d.input(if pause { Input::Pause } else { Input::Play });
                    commands.remove(0);
                }
                if seek_to.is_some() && t == 10 {
                    d.input(Input::Seek { position: Duration::from_secs(seek_to.unwrap()) });
                    last_position = Duration::ZERO;
                }
                let position = d.player.position(d.now);
                prop_assert!(position <= d.player.playable_end().max(last_position));
                if d.player.state() == PlayerState::Playing && !(seek_to.is_some() && t == 10) {
                    prop_assert!(position >= last_position);
                }
                last_position = position;
                if matches!(d.player.state(), PlayerState::Ended | PlayerState::Failed) {
                    break;
                }
                if commands.is_empty() && t > 60 {
                    d.input(Input::Play);
                }
            }
            prop_assert!(matches!(d.player.state(), PlayerState::Ended | PlayerState::Failed),
                "state {:?}", d.player.state());
            // Every request was answered or cancelled.
            prop_assert_eq!(d.player.requests_in_flight(), 0);
            let fetched: std::collections::HashSet<_> = d.fetched.iter().map(|r| r.id).collect();
            prop_assert!(d.cancelled.iter().all(|id| fetched.contains(id)));
        }
    }
}

mod abandonment;
mod decoder_cadence;
mod decoder_reports;
mod end_of_stream;
mod hostile;
mod slow_servers;
mod startup;

mod steering_and_cmcd {
    use super::*;
    use crate::presentation::ContentSteering;

    pub(super) fn steered() -> Arc<Presentation> {
        let mut p = (*presentation(10, &["a", "b"])).clone();
        p.steering = Some(ContentSteering {
            server: url::Url::parse("http://steer/s").unwrap(),
            default_service_location: None,
            query_before_start: false,
        });
        Arc::new(p)
    }

    pub(super) fn fetches(player: &mut Player) -> Vec<FetchRequest> {
        std::iter::from_fn(|| player.poll_output())
            .filter_map(|o| if let Output::Fetch(r) = o { Some(r) } else { None })
            .collect()
    }

    #[test]
    fn the_steering_answer_reorders_locations_and_sets_the_next_poll() {
        let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
        player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: steered() });
        let first = fetches(&mut player);
        let steer = first.iter().find(|r| r.kind == RequestKind::Steering).expect("asks the steering server");
        assert!(first.iter().any(|r| r.url.starts_with("http://a/")), "plays from a meanwhile");
        let t = Duration::from_millis(30);
        player.handle_input(t, Input::ResponseStarted { id: steer.id, content_length: None });
        let body =
            br#"{"VERSION":1,"TTL":20,"RELOAD-URI":"/s2?session=7","SERVICE-LOCATION-PRIORITY":["b","a"]}"#;
        player.handle_input(
            t,
            Input::Data { id: steer.id, chunk: Chunk::Bytes(bytes::Bytes::from_static(body)) },
        );
        player.handle_input(t, Input::Complete { id: steer.id });
        // Finish the request to a; the next ones go to b.
        let pending = first.iter().find(|r| r.url.starts_with("http://a/")).unwrap();
        let t = Duration::from_millis(100);
        player.handle_input(t, Input::ResponseStarted { id: pending.id, content_length: None });
        player.handle_input(t, Input::Data { id: pending.id, chunk: Chunk::Counted(1000) });
        player.handle_input(t, Input::Complete { id: pending.id });
        let next = fetches(&mut player);
        assert!(next.iter().all(|r| r.url.starts_with("http://b/")), "{next:?}");
        assert_eq!(player.poll_timeout().map(|t| t <= Duration::from_secs(21)), Some(true));
        player.handle_timeout(Duration::from_millis(20_030));
        let again = fetches(&mut player);
        let poll = again.iter().find(|r| r.kind == RequestKind::Steering).expect("polls again after the TTL");
        assert!(poll.url.starts_with("http://steer/s2?session=7"), "{}", poll.url);
        assert!(poll.url.contains("_DASH_pathway="), "{}", poll.url);
    }

    #[test]
    fn a_pathway_clone_adds_a_location_the_priority_can_name() {
        let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
        player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: steered() });
        let first = fetches(&mut player);
        let steer = first.iter().find(|r| r.kind == RequestKind::Steering).unwrap();
        let body = br#"{"VERSION":1,"TTL":300,"SERVICE-LOCATION-PRIORITY":["c","a"],
            "PATHWAY-CLONES":[{"BASE-ID":"b","ID":"c","URI-REPLACEMENT":{"HOST":"c.example:8080","PARAMS":{"token":"t1"}}}]}"#;
        let t = Duration::from_millis(30);
        player.handle_input(
            t,
            Input::Data { id: steer.id, chunk: Chunk::Bytes(bytes::Bytes::from_static(body)) },
        );
        player.handle_input(t, Input::Complete { id: steer.id });
        // The init and first media segments went to `a` before the answer; once they are in,
        // what comes next goes to the clone.
        let t = Duration::from_millis(100);
        for pending in first.iter().filter(|r| r.url.starts_with("http://a/")) {
            player.handle_input(t, Input::Data { id: pending.id, chunk: Chunk::Counted(1000) });
            player.handle_input(t, Input::Complete { id: pending.id });
        }
        let next = fetches(&mut player);
        assert!(!next.is_empty());
        assert!(
            next.iter().all(|r| r.url.starts_with("http://c.example:8080/") && r.url.contains("token=t1")),
            "{next:?}"
        );
        assert_eq!(player.presentation().unwrap().locations.last().unwrap().id, "c");
    }

    #[test]
    fn a_broken_steering_server_changes_nothing() {
        let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bola").unwrap());
        player.handle_input(Duration::ZERO, Input::LoadPresentation { presentation: steered() });
        let first = fetches(&mut player);
        let steer = first.iter().find(|r| r.kind == RequestKind::Steering).unwrap();
        player.handle_input(
            Duration::from_millis(5),
            Input::Failed { id: steer.id, error: FetchError::Http(500) },
        );
        assert_eq!(player.state(), PlayerState::Buffering);
        assert!(player.error().is_none());
    }

    #[test]
    fn cmcd_goes_in_the_query_or_the_headers() {
        let config = PlayerConfig {
            cmcd: Some(crate::cmcd::CmcdConfig { session_id: Some("s1".into()), ..Default::default() }),
            ..PlayerConfig::default()
        };
        let mut player = Player::new(config, flick_abr::by_name("bola").unwrap());
        player
            .handle_input(Duration::ZERO, Input::LoadPresentation { presentation: presentation(3, &["a"]) });
        let r = fetches(&mut player);
        assert!(r[0].url.contains("CMCD="), "{}", r[0].url);
        assert!(r[0].url.contains("ot%3Di") && r[0].url.contains("sid%3D%22s1%22"), "{}", r[0].url);
        let headers = PlayerConfig {
            cmcd: Some(crate::cmcd::CmcdConfig {
                transmission: crate::cmcd::CmcdTransmission::Headers,
                ..Default::default()
            }),
            ..PlayerConfig::default()
        };
        let mut player = Player::new(headers, flick_abr::by_name("bola").unwrap());
        player
            .handle_input(Duration::ZERO, Input::LoadPresentation { presentation: presentation(3, &["a"]) });
        let r = fetches(&mut player);
        assert!(!r[0].url.contains("CMCD"));
        assert!(
            r[0].headers.iter().any(|(k, v)| k == "CMCD-Object" && v.contains("ot=i")),
            "{:?}",
            r[0].headers
        );
    }
}
