//! Running a player on a virtual clock: the loop a simulator (or a test) needs to drive the core
//! with timed inputs instead of a real network and clock.
//!
//! ```
//! use flick_player::virtual_time::{Scheduled, Step, VirtualClock};
//! use flick_player::{Input, Player, PlayerConfig};
//! use std::time::Duration;
//!
//! let mut player = Player::new(PlayerConfig::default(), flick_abr::by_name("bba").unwrap());
//! let mut clock = VirtualClock::default();
//! let mut inputs = Scheduled::default(); // nothing will ever answer
//! player.handle_input(clock.now(), Input::Load { url: "http://cdn.example/a.mpd".into() });
//! while let Some(_) = player.poll_output() {}
//! // The manifest request times out, is retried, and the session finally gives up.
//! while clock.step(&mut player, &mut inputs, None) != Step::Idle {
//!     while let Some(_) = player.poll_output() {}
//! }
//! assert_eq!(player.state(), flick_player::PlayerState::Failed);
//! ```

use crate::{Input, Player};
use core::time::Duration;
use std::collections::VecDeque;

/// A source of timed inputs for a player on a virtual clock (a simulated network).
pub trait InputSource {
    /// When the next input is due, if any.
    fn next_at(&mut self) -> Option<Duration>;
    /// The next input and its time.
    fn pop(&mut self) -> Option<(Duration, Input)>;
}

/// Inputs given in advance, in the order of their times (ties keep the order they were pushed).
#[derive(Clone, Debug, Default)]
pub struct Scheduled(VecDeque<(Duration, Input)>);

impl Scheduled {
    /// Deliver `input` at `at`.
    pub fn push(&mut self, at: Duration, input: Input) {
        let index = self.0.partition_point(|(t, _)| *t <= at);
        self.0.insert(index, (at, input));
    }

    /// Drop every input about which `keep` says no.
    pub fn retain(&mut self, mut keep: impl FnMut(&Input) -> bool) {
        self.0.retain(|(_, input)| keep(input));
    }
}

impl InputSource for Scheduled {
    fn next_at(&mut self) -> Option<Duration> {
        self.0.front().map(|(t, _)| *t)
    }

    fn pop(&mut self) -> Option<(Duration, Input)> {
        self.0.pop_front()
    }
}

/// What one [`VirtualClock::step`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Delivered the source's next input.
    Input,
    /// Let the player's wake-up time come.
    Timeout,
    /// Nothing was due before the limit: time moved to it.
    Until,
    /// Neither the source nor the player will ever do anything more.
    Idle,
}

/// Session time that moves from one event to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VirtualClock {
    now: Duration,
}

impl VirtualClock {
    /// The session time now.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// Move to whichever comes first, the source's next input or the player's wake-up (an input
    /// when both are due together), and hand it to the player. With `until`, time stops there
    /// if nothing is due before it. Drain [`Player::poll_output`] after each step.
    pub fn step(
        &mut self,
        player: &mut Player,
        source: &mut dyn InputSource,
        until: Option<Duration>,
    ) -> Step {
        let next_input = source.next_at();
        let next_timer = player.poll_timeout();
        let next = match (next_input, next_timer) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => return Step::Idle,
            },
        };
        if let Some(until) = until.filter(|&u| next > u) {
            self.now = until.max(self.now);
            player.handle_timeout(self.now);
            return Step::Until;
        }
        if next_input == Some(next)
            && let Some((at, input)) = source.pop()
        {
            self.now = at.max(self.now);
            player.handle_input(self.now, input);
            return Step::Input;
        }
        self.now = next.max(self.now);
        player.handle_timeout(self.now);
        Step::Timeout
    }
}
