//! One simulated session: the real player core on a virtual clock against a network model.

use super::ladder::SimContent;
use super::network::{CdnNetwork, CdnNetworkConfig, NetworkModel, PensieveNetwork, SabreNetwork};
use super::trace::Trace;
use flick_abr::Abr;
use flick_player::virtual_time::{InputSource, Step, VirtualClock};
use flick_player::{FetchError, Input, Output, Player, PlayerConfig, PlayerState, QoeConfig, SessionReport};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;

/// The network and player model a simulation follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Flick's own model of a multi-location CDN (`cdn`; `flick` is its old name): per-request
    /// latency, fair sharing, progress events, locations with their own outages and faults.
    #[serde(alias = "flick")]
    Cdn,
    /// Pensieve's test simulator, to reproduce published figures.
    Pensieve,
    /// Sabre's simulator, to reproduce published figures.
    Sabre,
}

impl Model {
    /// The model called `name`.
    pub fn from_name(name: &str) -> Option<Model> {
        match name {
            "cdn" | "flick" => Some(Model::Cdn),
            "pensieve" => Some(Model::Pensieve),
            "sabre" => Some(Model::Sabre),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Model::Cdn => "cdn",
            Model::Pensieve => "pensieve",
            Model::Sabre => "sabre",
        }
    }

    /// The player configuration the model prescribes; `buffer` overrides its maximum buffer.
    pub fn player_config(self, buffer: Option<Duration>) -> PlayerConfig {
        let base = PlayerConfig::default();
        let config = match self {
            Model::Cdn => base,
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

    fn network(self, trace: &Trace, seed: u64, flick: &CdnNetworkConfig) -> Box<dyn NetworkModel> {
        match self {
            Model::Cdn => Box::new(CdnNetwork::new(trace, flick.clone(), seed)),
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
    /// Network parameters for the `cdn` model.
    pub network: CdnNetworkConfig,
    /// Seed of the session's randomness.
    pub seed: u64,
}

/// The network's inputs, and the failures of requests for what the content does not have.
struct SimInputs {
    network: Box<dyn NetworkModel>,
    missing: VecDeque<(Duration, Input)>,
}

impl InputSource for SimInputs {
    fn next_at(&mut self) -> Option<Duration> {
        let missing = self.missing.front().map(|(t, _)| *t);
        match (missing, self.network.peek()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn pop(&mut self) -> Option<(Duration, Input)> {
        let missing = self.missing.front().map(|(t, _)| *t);
        match (missing, self.network.peek()) {
            (Some(a), Some(b)) if b < a => self.network.pop(),
            (Some(_), _) => self.missing.pop_front(),
            (None, _) => self.network.pop(),
        }
    }
}

/// Run one session to its end (or failure, or a time limit of 20 × the content plus an hour),
/// returning the report and the ABR instance.
pub fn run_session(spec: &SessionSpec<'_>, abr: Box<dyn Abr>) -> (SessionReport, Box<dyn Abr>) {
    let mut player = Player::new(spec.player.clone(), abr);
    let mut inputs = SimInputs {
        network: spec.model.network(spec.trace, spec.seed, &spec.network),
        missing: VecDeque::new(),
    };
    let mut limit = spec.content.presentation.duration.unwrap_or_default() * 20 + Duration::from_secs(3600);
    let mut clock = VirtualClock::default();
    if let Some(edge) = spec.content.live_edge_at_start {
        // A live session lasts until the live edge reaches the end of the content.
        limit = spec.content.length().saturating_sub(edge);
        let unix = super::ladder::SIM_AVAILABILITY_START + edge;
        player.handle_input(clock.now(), Input::WallClock { unix });
    }
    player.handle_input(
        clock.now(),
        Input::LoadPresentation { presentation: spec.content.presentation.clone() },
    );
    loop {
        let now = clock.now();
        while let Some(output) = player.poll_output() {
            match output {
                Output::Fetch(request) => {
                    let size = match request.range {
                        Some(range) => Some(range.len()),
                        None => spec.content.size_of(&request.url),
                    };
                    match size {
                        Some(size) => inputs.network.start(now, &request, size),
                        None => inputs
                            .missing
                            .push_back((now, Input::Failed { id: request.id, error: FetchError::Http(404) })),
                    }
                }
                Output::Cancel(id) => inputs.network.cancel(now, id),
                Output::Append(_)
                | Output::Flush { .. }
                | Output::EndOfStream { .. }
                | Output::ReportDecoder
                | Output::SetPlaybackRate { .. }
                | Output::Event(_) => {}
            }
        }
        if matches!(player.state(), PlayerState::Ended | PlayerState::Failed) || now >= limit {
            break;
        }
        if clock.step(&mut player, &mut inputs, Some(limit)) == Step::Idle {
            break;
        }
    }
    let report = player.report(clock.now(), "sim", Some(spec.model.name()), spec.model.qoe());
    (report, player.into_abr())
}
