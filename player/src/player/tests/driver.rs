//! The scripted driver of the core's tests: a presentation builder and a network that answers
//! each request after a latency at a rate, with dead, stalling and trickling hosts, run on the
//! shared virtual clock.

use super::*;
use crate::io::Append;

pub(super) const SEG: Duration = Duration::from_secs(2);

pub(super) fn presentation(segments: usize, locations: &[&str]) -> Arc<Presentation> {
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
            availability_time_offset: 0.0,
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
        live: None,
        events: Vec::new(),
        warnings: Vec::new(),
    })
}

/// A driver whose network answers each request after `latency` at `kbps`, failing requests to
/// hosts listed in `dead` with `dead_error` (or never answering them when `None`).
pub(super) struct Driver {
    pub(super) player: Player,
    pub(super) now: Duration,
    pub(super) latency: Duration,
    pub(super) kbps: u64,
    pub(super) dead: Vec<String>,
    pub(super) dead_error: Option<FetchError>,
    /// Dead hosts come back at this time.
    pub(super) dead_until: Option<Duration>,
    /// Hosts that send the first piece of each body and then nothing.
    pub(super) stalling: Vec<String>,
    /// Hosts that send a byte a second.
    pub(super) trickling: Vec<String>,
    /// Whole bodies of the requests whose URL ends with the key.
    pub(super) bodies: Vec<(String, bytes::Bytes)>,
    /// What the scripted network will do to the requests in flight.
    pub(super) net: ScriptedNet,
    pub(super) clock: VirtualClock,
    pub(super) events: Vec<(Duration, PlayerEvent)>,
    pub(super) fetched: Vec<FetchRequest>,
    /// When each of `fetched` was asked for.
    pub(super) fetched_at: Vec<Duration>,
    pub(super) cancelled: Vec<RequestId>,
    pub(super) appended: Vec<Append>,
    /// When the core said each track was complete.
    pub(super) ended_tracks: Vec<(Duration, crate::presentation::TrackKind)>,
    /// How many times the core asked for the decoder's state.
    pub(super) decoder_asks: usize,
    /// The decoder's position at a session time, when the core asks (`None`: no answer).
    pub(super) decoder: Option<Box<dyn FnMut(Duration) -> Option<Duration>>>,
    /// Bodies made at the time of the request, for URLs ending with the key (a live MPD, a time
    /// server); checked before `bodies`.
    pub(super) made_bodies: Vec<(String, MadeBody)>,
    /// Playback rates the core asked for, and when.
    pub(super) rates: Vec<(Duration, f64)>,
}

/// A body made at the time of its request.
pub(super) type MadeBody = Box<dyn FnMut(Duration) -> bytes::Bytes>;

/// What the scripted network does next to a request.
#[derive(Clone, Debug)]
pub(super) enum Step {
    Fail(FetchError),
    Start,
    Chunk(u64),
    Body(bytes::Bytes),
    Finish,
}

pub(super) const BODY: u64 = 250_000;

/// (time, request, what happens to it) of the requests in flight.
#[derive(Default)]
pub(super) struct ScriptedNet {
    pub(super) pending: Vec<(Duration, FetchRequest, Step)>,
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
pub(super) fn x_bytes(len: u64) -> Chunk {
    Chunk::Bytes(bytes::Bytes::from(vec![b'x'; len as usize]))
}

impl Driver {
    pub(super) fn new(config: PlayerConfig, abr: &str) -> Self {
        Self::with_abr(config, flick_abr::by_name(abr).unwrap())
    }

    pub(super) fn with_abr(config: PlayerConfig, abr: Box<dyn flick_abr::Abr>) -> Self {
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
            fetched_at: Vec::new(),
            cancelled: Vec::new(),
            appended: Vec::new(),
            ended_tracks: Vec::new(),
            decoder_asks: 0,
            decoder: None,
            made_bodies: Vec::new(),
            rates: Vec::new(),
        }
    }

    pub(super) fn input(&mut self, input: Input) {
        self.player.handle_input(self.now, input);
        self.drain();
    }

    pub(super) fn drain(&mut self) {
        while let Some(o) = self.player.poll_output() {
            match o {
                Output::Fetch(r) => {
                    self.fetched.push(r.clone());
                    self.fetched_at.push(self.now);
                    let host = url::Url::parse(&r.url).unwrap().host_str().unwrap().to_string();
                    if self.dead.contains(&host) && self.dead_until.is_none_or(|t| self.now < t) {
                        // Without an error, a dead host never answers.
                        if let Some(e) = &self.dead_error {
                            self.net.pending.push((self.now + self.latency, r, Step::Fail(e.clone())));
                        }
                        continue;
                    }
                    let made = self
                        .made_bodies
                        .iter_mut()
                        .find(|(suffix, _)| r.url.ends_with(suffix.as_str()))
                        .map(|(_, make)| make(self.now));
                    let listed = self
                        .bodies
                        .iter()
                        .find(|(suffix, _)| r.url.ends_with(suffix.as_str()))
                        .map(|b| b.1.clone());
                    if let Some(body) = made.or(listed) {
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
                Output::SetPlaybackRate { rate } => self.rates.push((self.now, rate)),
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
    pub(super) fn run_until(&mut self, until: Duration) {
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

    pub(super) fn states(&self) -> Vec<PlayerState> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                PlayerEvent::StateChanged { to, .. } => Some(*to),
                _ => None,
            })
            .collect()
    }
}
