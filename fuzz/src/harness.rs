//! A driver that checks the player's invariants after every step: the fuzz targets' oracle.
//!
//! After each input or time step it drains the outputs and checks, panicking with
//! `invariant broken: ...` when one fails:
//!
//! - every [`Output::Fetch`] has an id never used before, a URL that parses, a byte range whose
//!   start is not after its end, a location the presentation has, and a track for init and media
//!   requests;
//! - every [`Output::Cancel`] names a request that was fetched, is not cancelled yet, and that the
//!   driver has not answered to completion ([`Input::Complete`] or [`Input::Failed`]);
//! - every [`PlayerEvent::StateChanged`] starts from the state the previous one ended in, changes
//!   it, and the last one ends in [`Player::state`]; a `Failed` player has an error;
//! - [`Player::poll_timeout`] is never earlier than the last `now` given, and
//!   [`Player::handle_timeout`] at a due time makes progress (a wake-up that is due again at the
//!   same instant with nothing done, over and over, would hang a driver on virtual time);
//! - the position never decreases while the player stays `Playing`, except through an input that
//!   moves it on purpose (a seek, a track change, a load, or the decoder's own position report);
//! - one step emits a bounded number of outputs.
//!
//! Time is the harness's: it only moves forward.

use crate::content::{Body, Content};
use flick_player::presentation::TrackKind;
use flick_player::{
    Chunk, FetchError, FetchRequest, Input, Output, Player, PlayerConfig, PlayerEvent, PlayerState, RequestId,
};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

/// Most outputs one step may emit.
const MAX_OUTPUTS_PER_STEP: usize = 100_000;
/// Most wake-ups in a row at one instant that do nothing and are due again at once.
const MAX_IDLE_WAKES: u32 = 64;
/// Steps of history kept for the message of a broken invariant.
const HISTORY: usize = 24;

/// Where a request stands, as the driver sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Fetched, not answered to completion, not cancelled.
    Open { started: bool },
    /// The driver sent `Complete` or `Failed`.
    Answered,
    /// The core cancelled it.
    Cancelled,
}

/// The checking driver.
pub struct Harness {
    player: Player,
    content: Content,
    now: Duration,
    requests: HashMap<RequestId, (FetchRequest, Status)>,
    /// Open requests in the order they were fetched.
    open: Vec<RequestId>,
    state: PlayerState,
    position: Duration,
    idle_wakes: u32,
    decoder_asked: bool,
    /// Answer [`Output::ReportDecoder`] in [`Harness::serve_all`] (with the core's own position),
    /// as a driver that renders would.
    pub answer_decoder: bool,
    history: Vec<String>,
    steps: u64,
    /// The playback-rate bounds of the configuration.
    player_config_live: (f64, f64),
}

/// What the driver says about a request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// The response started, announcing this length.
    Started(Option<u64>),
    /// A piece of body.
    Data(Chunk),
    /// The body ended.
    Complete,
    /// It failed.
    Failed(FetchError),
}

impl Harness {
    /// A harness around a new player with `config` and the ABR algorithm `abr` (a name
    /// `flick_abr::by_name` knows), on a network serving `content`.
    pub fn new(config: PlayerConfig, abr: &str, content: Content) -> Harness {
        let abr = flick_abr::by_name(abr).unwrap_or_else(|_| flick_abr::by_name("bola").unwrap());
        let player_config_live = (config.live.min_rate, config.live.max_rate);
        Harness {
            player_config_live,
            player: Player::new(config, abr),
            content,
            now: Duration::ZERO,
            requests: HashMap::new(),
            open: Vec::new(),
            state: PlayerState::Idle,
            position: Duration::ZERO,
            idle_wakes: 0,
            decoder_asked: false,
            answer_decoder: false,
            history: Vec::new(),
            steps: 0,
        }
    }

    /// The player.
    pub fn player(&self) -> &Player {
        &self.player
    }

    /// The session time.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// Requests fetched and still open, oldest first.
    pub fn open_requests(&self) -> &[RequestId] {
        &self.open
    }

    /// Every request id fetched so far, in no order.
    pub fn fetched_ids(&self) -> Vec<RequestId> {
        self.requests.keys().copied().collect()
    }

    /// The request fetched with `id`.
    pub fn request(&self, id: RequestId) -> Option<&FetchRequest> {
        self.requests.get(&id).map(|(r, _)| r)
    }

    /// `Load` the MPD at `url`.
    pub fn load(&mut self, url: &str) {
        self.input(Input::Load { url: url.to_string() });
    }

    /// `LoadPresentation`.
    pub fn load_presentation(
        &mut self,
        presentation: std::sync::Arc<flick_player::presentation::Presentation>,
    ) {
        self.input(Input::LoadPresentation { presentation });
    }

    /// Feed `input` now, then check.
    pub fn input(&mut self, input: Input) {
        // Inputs that move the position on purpose.
        let moves = matches!(
            input,
            Input::Seek { .. }
                | Input::Load { .. }
                | Input::LoadPresentation { .. }
                | Input::SelectTrack { .. }
                | Input::Playback { .. }
                | Input::GoLive
        );
        if let Some(id) = input.request()
            && let Some((_, status)) = self.requests.get_mut(&id)
            && let Status::Open { started } = status
        {
            if input.ends_request() {
                *status = Status::Answered;
                self.open.retain(|&o| o != id);
            } else if matches!(input, Input::ResponseStarted { .. }) {
                *started = true;
            }
        }
        self.note(format!("{:?} {}", self.now, describe(&input)));
        self.player.handle_input(self.now, input);
        self.check(moves);
    }

    /// Let `step` pass, then call `handle_timeout`.
    pub fn advance(&mut self, step: Duration) {
        self.now = self.now.saturating_add(step);
        self.idle_wakes = 0;
        self.note(format!("{:?} advance {step:?}", self.now));
        self.player.handle_timeout(self.now);
        self.check(false);
    }

    /// Move to the player's wake-up time, if it has one, and call `handle_timeout`; whether it had.
    pub fn wake(&mut self) -> bool {
        let Some(at) = self.player.poll_timeout() else { return false };
        if at > self.now {
            self.now = at;
            self.idle_wakes = 0;
        }
        self.note(format!("{:?} wake", self.now));
        self.player.handle_timeout(self.now);
        let emitted = self.check(false);
        if emitted == 0 && self.player.poll_timeout() == Some(self.now) {
            self.idle_wakes += 1;
            if self.idle_wakes > MAX_IDLE_WAKES {
                self.broken(format!(
                    "poll_timeout() stays at now ({:?}) and handle_timeout then does nothing ({} times)",
                    self.now, self.idle_wakes
                ));
            }
        } else {
            self.idle_wakes = 0;
        }
        true
    }

    /// Answer `id` with `answer` now.
    pub fn answer(&mut self, id: RequestId, answer: Answer) {
        let input = match answer {
            Answer::Started(content_length) => Input::ResponseStarted { id, content_length },
            Answer::Data(chunk) => Input::Data { id, chunk },
            Answer::Complete => Input::Complete { id },
            Answer::Failed(error) => Input::Failed { id, error },
        };
        self.input(input);
    }

    /// The right body for the open request `id`, whole.
    pub fn body(&self, id: RequestId) -> Body {
        match self.requests.get(&id) {
            Some((request, _)) => self.content.body(request),
            None => Body::Missing,
        }
    }

    /// Answer the open request `id` rightly and completely: status, the whole body, the end.
    pub fn serve(&mut self, id: RequestId) {
        let started = matches!(self.requests.get(&id), Some((_, Status::Open { started: true })));
        match self.body(id) {
            Body::Missing => self.answer(id, Answer::Failed(FetchError::Http(404))),
            Body::Bytes(bytes) => {
                if !started {
                    self.answer(id, Answer::Started(Some(bytes.len() as u64)));
                }
                self.answer(id, Answer::Data(Chunk::Bytes(bytes.into())));
                self.answer(id, Answer::Complete);
            }
            Body::Counted(len) => {
                if !started {
                    self.answer(id, Answer::Started(Some(len)));
                }
                self.answer(id, Answer::Data(Chunk::Counted(len)));
                self.answer(id, Answer::Complete);
            }
        }
    }

    /// Answer every open request rightly, and the decoder's report if it was asked for.
    pub fn serve_all(&mut self) {
        if self.answer_decoder && std::mem::take(&mut self.decoder_asked) {
            let position = self.player.position(self.now);
            self.input(Input::Playback { position });
            self.input(Input::DecoderFrames { decoded: 0, dropped: 0 });
        }
        for id in self.open.clone() {
            if self.open.contains(&id) {
                self.serve(id);
            }
        }
    }

    /// `rounds` times: when requests are open (or the decoder was asked), 50 ms later answer them
    /// all; otherwise wake the player when it asks.
    pub fn run(&mut self, rounds: usize) {
        for _ in 0..rounds {
            if matches!(self.player.state(), PlayerState::Ended | PlayerState::Failed) && self.open.is_empty()
            {
                return;
            }
            if !self.open.is_empty() || self.decoder_asked {
                self.advance(Duration::from_millis(50));
                self.serve_all();
            } else if !self.wake() {
                return;
            }
        }
    }

    fn note(&mut self, step: String) {
        self.steps += 1;
        if self.history.len() == HISTORY {
            self.history.remove(0);
        }
        self.history.push(step);
    }

    fn broken(&self, what: String) -> ! {
        let mut message =
            format!("invariant broken: {what}\n  state {:?}, now {:?}, last steps:", self.state, self.now);
        for step in &self.history {
            let _ = write!(message, "\n    {step}");
        }
        panic!("{message}");
    }

    /// Drain and check the outputs, then the player's state; returns how many outputs there were.
    fn check(&mut self, moves_position: bool) -> usize {
        let before = (self.state, self.position);
        let mut emitted = 0;
        while let Some(output) = self.player.poll_output() {
            emitted += 1;
            if emitted > MAX_OUTPUTS_PER_STEP {
                self.broken(format!("more than {MAX_OUTPUTS_PER_STEP} outputs in one step"));
            }
            self.check_output(output);
        }
        let state = self.player.state();
        if state != self.state {
            self.broken(format!("state() is {state:?} but the last StateChanged went to {:?}", self.state));
        }
        if state == PlayerState::Failed && self.player.error().is_none() {
            self.broken("Failed without an error".into());
        }
        if let Some(at) = self.player.poll_timeout()
            && at < self.now
        {
            self.broken(format!("poll_timeout() is {at:?}, before now {:?}", self.now));
        }
        let position = self.player.position(self.now);
        if before.0 == PlayerState::Playing
            && state == PlayerState::Playing
            && !moves_position
            && position < before.1
        {
            self.broken(format!("the position went back from {:?} to {position:?} while playing", before.1));
        }
        self.position = position;
        emitted
    }

    fn check_output(&mut self, output: Output) {
        match output {
            Output::SetPlaybackRate { rate } => {
                let live = &self.player_config_live;
                if !(rate.is_finite() && rate >= live.0.min(1.0) && rate <= live.1.max(1.0)) {
                    self.broken(format!("a playback rate of {rate}, outside {live:?}"));
                }
            }
            Output::Fetch(request) => {
                if self.requests.contains_key(&request.id) {
                    self.broken(format!("Fetch reuses the id {:?}: {request:?}", request.id));
                }
                if let Err(e) = url::Url::parse(&request.url) {
                    self.broken(format!("Fetch of a URL that does not parse ({e}): {request:?}"));
                }
                if let Some(range) = request.range
                    && range.start > range.end
                {
                    self.broken(format!("Fetch of an empty byte range: {request:?}"));
                }
                let locations = self.player.presentation().map(|p| p.locations.len());
                if let (Some(location), Some(count)) = (request.location, locations)
                    && location >= count
                {
                    self.broken(format!("Fetch from location {location} of {count}: {request:?}"));
                }
                // (`FetchRequest::track` says index requests carry one too; during loading they
                // do not, which no driver needs.)
                use flick_player::RequestKind::{Init, Media};
                if matches!(request.kind, Init | Media) && request.track.is_none() {
                    self.broken(format!("Fetch of a {:?} without a track: {request:?}", request.kind));
                }
                self.open.push(request.id);
                self.requests.insert(request.id, (request, Status::Open { started: false }));
            }
            Output::Cancel(id) => match self.requests.get_mut(&id) {
                Some((_, status @ Status::Open { .. })) => {
                    *status = Status::Cancelled;
                    self.open.retain(|&o| o != id);
                }
                Some((_, status)) => {
                    let status = *status;
                    self.broken(format!("Cancel of {id:?}, which is {status:?}"))
                }
                None => self.broken(format!("Cancel of {id:?}, which was never fetched")),
            },
            Output::Append(append) => {
                let rungs = self.player.presentation().map_or(0, |p| {
                    p.periods
                        .iter()
                        .flat_map(|period| &period.tracks)
                        .filter(|t| t.kind == append.track)
                        .map(|t| t.representations.len())
                        .max()
                        .unwrap_or(0)
                });
                if append.rung >= rungs {
                    self.broken(format!(
                        "Append of rung {} of a {:?} track with {rungs} rungs",
                        append.rung, append.track
                    ));
                }
            }
            Output::Event(PlayerEvent::StateChanged { from, to }) => {
                if from != self.state || from == to {
                    self.broken(format!("StateChanged {from:?} -> {to:?} after {:?}", self.state));
                }
                self.state = to;
            }
            Output::Event(PlayerEvent::QualityChanged { to, .. }) => {
                let rungs = self
                    .player
                    .presentation()
                    .and_then(|p| {
                        p.periods
                            .iter()
                            .flat_map(|period| &period.tracks)
                            .filter(|t| t.kind == TrackKind::Video)
                            .map(|t| t.representations.len())
                            .max()
                    })
                    .unwrap_or(0);
                if to >= rungs {
                    self.broken(format!("QualityChanged to rung {to} of {rungs}"));
                }
            }
            Output::ReportDecoder => self.decoder_asked = true,
            Output::Flush { .. } | Output::EndOfStream { .. } | Output::Event(_) => {}
        }
    }
}

/// A short description of an input for the history (bodies as their length).
fn describe(input: &Input) -> String {
    match input {
        Input::LoadPresentation { presentation } => {
            format!("LoadPresentation ({} locations)", presentation.locations.len())
        }
        Input::Data { id, chunk: Chunk::Bytes(b) } => format!("Data {{ id: {id:?}, {} bytes }}", b.len()),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{self, MPD_URLS};

    fn played(mut harness: Harness, rounds: usize) -> Harness {
        harness.run(rounds);
        harness
    }

    #[test]
    fn every_built_in_mpd_plays_to_its_end() {
        for url in &MPD_URLS[..3] {
            let mut h = Harness::new(PlayerConfig::default(), "bola", Content::standard());
            h.load(url);
            let h = played(h, 200);
            assert_eq!(h.player().state(), PlayerState::Ended, "{url}: {:?}", h.player().error());
        }
    }

    #[test]
    fn the_built_in_live_mpd_plays_at_its_edge() {
        let mut h = Harness::new(PlayerConfig::default(), "bola", Content::standard());
        h.load(MPD_URLS[3]);
        let h = played(h, 200);
        let report = h.player().report(h.now, "fuzz", None, flick_player::QoeConfig::default());
        assert!(report.startup_ms.is_some(), "{:?}", h.player().error());
        let live = report.live.expect("a live report");
        assert_eq!(live.target_latency_s, 5.0);
    }

    #[test]
    fn the_built_in_presentations_play_to_their_end() {
        for p in [content::small_presentation(3), content::steered_presentation()] {
            let mut h = Harness::new(PlayerConfig::default(), "hedge", Content::standard());
            h.load_presentation(p);
            let h = played(h, 200);
            assert_eq!(h.player().state(), PlayerState::Ended, "{:?}", h.player().error());
        }
    }

    #[test]
    fn the_steering_answer_brings_the_clone_into_use() {
        let mut h = Harness::new(PlayerConfig::default(), "bola", Content::standard());
        h.load_presentation(content::steered_presentation());
        h.run(200);
        let hosts: Vec<String> = h.requests.values().map(|(r, _)| r.url.clone()).collect();
        assert!(hosts.iter().any(|u| u.starts_with("http://c.example/")), "{hosts:?}");
    }

    #[test]
    #[should_panic(expected = "invariant broken: Cancel of RequestId(7), which was never fetched")]
    fn a_cancel_of_an_unknown_request_is_caught() {
        let mut h = Harness::new(PlayerConfig::default(), "bola", Content::standard());
        h.check_output(Output::Cancel(RequestId(7)));
    }
}
