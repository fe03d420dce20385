//! One simulated session: the real player core on a virtual clock against a network model.

use super::ladder::SimContent;
use super::network::{
    FlickNetwork, FlickNetworkConfig, NetEvent, NetworkModel, PensieveNetwork, SabreNetwork,
};
use super::trace::Trace;
use flick_abr::Abr;
use flick_player::{FetchError, Input, Output, Player, PlayerConfig, PlayerState, QoeConfig, SessionReport};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;

/// The network and player model a simulation follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Flick's own model: per-request latency, fair sharing, progress events, locations.
    Flick,
    /// Pensieve's test simulator, to reproduce published figures.
    Pensieve,
    /// Sabre's simulator, to reproduce published figures.
    Sabre,
}

impl Model {
    /// The model called `name`.
    pub fn from_name(name: &str) -> Option<Model> {
        match name {
            "flick" => Some(Model::Flick),
            "pensieve" => Some(Model::Pensieve),
            "sabre" => Some(Model::Sabre),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Model::Flick => "flick",
            Model::Pensieve => "pensieve",
            Model::Sabre => "sabre",
        }
    }

    /// The player configuration the model prescribes; `buffer` overrides its maximum buffer.
    pub fn player_config(self, buffer: Option<Duration>) -> PlayerConfig {
        let base = PlayerConfig::default();
        let config = match self {
            Model::Flick => base,
            Model::Pensieve => PlayerConfig {
                max_buffer: Duration::from_secs(60),
                count_next_segment: false,
                full_buffer_poll: Some(Duration::from_millis(500)),
                initial_rung: Some(1),
                request_timeouts: None,
                ..base
            },
            Model::Sabre => PlayerConfig {
                max_buffer: Duration::from_secs(25),
                count_next_segment: true,
                full_buffer_poll: None,
                request_timeouts: None,
                lower_after_abandon: false,
                ..base
            },
        };
        PlayerConfig { max_buffer: buffer.unwrap_or(config.max_buffer), ..config }
    }

    /// How the model scores QoE.
    pub fn qoe(self) -> QoeConfig {
        QoeConfig { rebuffer_penalty: 4.3, first_scored_chunk: usize::from(self == Model::Pensieve) }
    }

    /// Whether one ABR instance plays every trace in turn, keeping what it learned (Pensieve's
    /// reference runs RobustMPC that way).
    pub fn carries_abr_state(self) -> bool {
        self == Model::Pensieve
    }

    fn network(self, trace: &Trace, seed: u64, flick: &FlickNetworkConfig) -> Box<dyn NetworkModel> {
        match self {
            Model::Flick => Box::new(FlickNetwork::new(trace, flick.clone(), seed)),
            Model::Pensieve => Box::new(PensieveNetwork::new(trace)),
            Model::Sabre => Box::new(SabreNetwork::new(trace)),
        }
    }
}

/// Everything a session needs besides its ABR algorithm.
#[derive(Clone, Debug)]
pub struct SessionSpec<'a> {
    /// Network trace.
    pub trace: &'a Trace,
    /// Content served.
    pub content: &'a SimContent,
    /// Model.
    pub model: Model,
    /// Player configuration (usually [`Model::player_config`]).
    pub player: PlayerConfig,
    /// Network parameters for the Flick model.
    pub network: FlickNetworkConfig,
    /// Seed of the session's randomness.
    pub seed: u64,
}

/// Run one session to its end (or failure, or a time limit of 20 × the content plus an hour),
/// returning the report and the ABR instance.
pub fn run_session(spec: &SessionSpec<'_>, abr: Box<dyn Abr>) -> (SessionReport, Box<dyn Abr>) {
    let mut player = Player::new(spec.player.clone(), abr);
    let mut network = spec.model.network(spec.trace, spec.seed, &spec.network);
    let limit = spec.content.presentation.duration.unwrap_or_default() * 20 + Duration::from_secs(3600);
    let mut local: VecDeque<(Duration, NetEvent)> = VecDeque::new();
    let mut now = Duration::ZERO;
    player.handle_input(now, Input::LoadPresentation { presentation: spec.content.presentation.clone() });
    loop {
        while let Some(output) = player.poll_output() {
            match output {
                Output::Fetch(request) => {
                    let size = match request.range {
                        Some(range) => Some(range.len()),
                        None => spec.content.size_of(&request.url),
                    };
                    match size {
                        Some(size) => network.start(now, &request, size),
                        None => local.push_back((now, NetEvent::Failed(request.id, FetchError::Http(404)))),
                    }
                }
                Output::Cancel(id) => network.cancel(now, id),
                Output::Append(_) | Output::Flush { .. } | Output::Event(_) => {}
            }
        }
        if matches!(player.state(), PlayerState::Ended | PlayerState::Failed) || now > limit {
            break;
        }
        let next_local = local.front().map(|(t, _)| *t);
        let next_net = network.peek();
        let next_timer = player.poll_timeout();
        let next_event = match (next_local, next_net) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (next_event, next_timer) {
            (Some(e), t) if t.is_none_or(|t| e <= t) => {
                let (at, event) = if next_local == Some(e) {
                    local.pop_front().expect("peeked")
                } else {
                    network.pop().expect("peeked")
                };
                now = at.max(now);
                player.handle_input(now, to_input(event));
            }
            (_, Some(t)) => {
                now = t.max(now);
                player.handle_timeout(now);
            }
            (None, None) => break,
            (Some(_), None) => unreachable!("handled by the first arm"),
        }
    }
    let report = player.report(now, "sim", Some(spec.model.name()), spec.model.qoe());
    (report, player.into_abr())
}

fn to_input(event: NetEvent) -> Input {
    match event {
        NetEvent::Started(id, content_length) => Input::ResponseStarted { id, content_length },
        NetEvent::Data(id, len) => Input::Data { id, len, chunk: bytes_empty() },
        NetEvent::Complete(id) => Input::Complete { id },
        NetEvent::Failed(id, error) => Input::Failed { id, error },
    }
}

fn bytes_empty() -> flick_player::io::Bytes {
    flick_player::io::Bytes::new()
}
