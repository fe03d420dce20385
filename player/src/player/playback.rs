//! The playback clock and the state transitions it drives: start, stall, resume, pause, seek, end.

use super::Player;
use super::track::Wait;
use crate::io::{Output, PlayerEvent, RequestKind};
use crate::metrics::Outcome;
use crate::state::PlayerState;
use core::time::Duration;

/// Media time as a function of session time: runs while playing (at its rate), frozen otherwise.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    anchor_position: Duration,
    anchor_time: Duration,
    running: bool,
    played_before: Duration,
    /// Media seconds per session second (live latency control); 1.0 is exact.
    rate: f64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            anchor_position: Duration::ZERO,
            anchor_time: Duration::ZERO,
            running: false,
            played_before: Duration::ZERO,
            rate: 1.0,
        }
    }
}

impl Clock {
    /// Media time played in `elapsed` session time.
    fn media(&self, elapsed: Duration) -> Duration {
        if self.rate == 1.0 { elapsed } else { elapsed.mul_f64(self.rate) }
    }

    pub(crate) fn position(&self, now: Duration) -> Duration {
        if self.running {
            self.anchor_position + self.media(now.saturating_sub(self.anchor_time))
        } else {
            self.anchor_position
        }
    }

    pub(crate) fn anchor_position(&self) -> Duration {
        self.anchor_position
    }

    /// When the running clock reaches `position`.
    pub(crate) fn reaches(&self, position: Duration) -> Option<Duration> {
        let media = position.saturating_sub(self.anchor_position);
        let session = if self.rate == 1.0 { media } else { media.div_f64(self.rate) };
        self.running.then(|| self.anchor_time + session)
    }

    pub(crate) fn start(&mut self, now: Duration) {
        if !self.running {
            self.anchor_time = now;
            self.running = true;
        }
    }

    pub(crate) fn stop(&mut self, now: Duration) {
        if self.running {
            self.played_before += self.media(now.saturating_sub(self.anchor_time));
            self.anchor_position = self.position(now);
            self.anchor_time = now;
            self.running = false;
        }
    }

    /// Move the position (a seek, or the decoder's report of where it really is).
    pub(crate) fn reanchor(&mut self, position: Duration, now: Duration) {
        if self.running {
            self.played_before += self.media(now.saturating_sub(self.anchor_time));
        }
        self.anchor_position = position;
        self.anchor_time = now;
    }

    /// Play at `rate` from `now` on.
    pub(crate) fn set_rate(&mut self, rate: f64, now: Duration) {
        let position = self.position(now);
        self.reanchor(position, now);
        self.rate = rate;
    }

    /// Media played up to `now`, never past `end`.
    pub(crate) fn played(&self, now: Duration, end: Duration) -> Duration {
        let running = match self.reaches(end) {
            Some(hit) => self.media(now.min(hit).saturating_sub(self.anchor_time)),
            None => Duration::ZERO,
        };
        self.played_before + running
    }
}

impl Player {
    /// Let session time pass to `now`: the clock stops where the buffer runs dry.
    pub(super) fn advance(&mut self, now: Duration) {
        let now = now.max(self.now);
        if self.state == PlayerState::Playing {
            let end = self.playable_end();
            if let Some(hit) = self.clock.reaches(end).filter(|&hit| hit <= now) {
                let ended = self.content_fully_buffered();
                self.now = now;
                if !ended && !self.stall_confirmed(hit) {
                    return;
                }
                let hit = if ended { hit } else { self.stall_started_at(hit) };
                self.clock.stop(hit);
                self.now = hit;
                if ended {
                    self.reach_the_end();
                } else {
                    self.metrics.stall_started(hit);
                    self.starved_since_request = true;
                    self.emit(PlayerEvent::StallStarted { position: end });
                    self.set_state(PlayerState::Buffering);
                }
                self.now = now;
                return;
            }
        }
        // Media arrived in time, or playback stopped: no stall to confirm.
        self.stall_check = None;
        self.now = now;
    }

    /// Start or resume playback when enough is buffered.
    pub(super) fn check_ready(&mut self) {
        if !matches!(self.state, PlayerState::Buffering | PlayerState::Seeking) {
            return;
        }
        let level = self.buffer_level(self.now);
        let all = self.content_fully_buffered();
        if all && level.is_zero() {
            self.reach_the_end();
            return;
        }
        let threshold =
            if self.has_played { self.config.resume_threshold } else { self.config.start_threshold };
        if level.is_zero() || (level < threshold && !all) {
            return;
        }
        if self.live_start_hold().is_some() || self.live_start_needs_more(level) {
            return;
        }
        if let Some(start) = self.metrics.stall_ended(self.now) {
            let duration = self.now.saturating_sub(start);
            self.emit(PlayerEvent::StallEnded { duration });
        }
        if self.want_play {
            if !self.has_played {
                self.has_played = true;
                self.metrics.started_at = Some(self.now);
            }
            self.clock.start(self.now);
            self.set_state(PlayerState::Playing);
        } else {
            self.set_state(PlayerState::Paused);
        }
    }

    /// Everything of the period played has played: the end, unless the presentation goes on in
    /// periods Flick does not play yet. A session must never end cleanly short of the
    /// presentation's end: that is a typed error naming what was not played.
    fn reach_the_end(&mut self) {
        let rest = self.presentation.as_ref().and_then(|p| {
            let next = p.periods.get(self.period + 1)?;
            let name = next.id.clone().map_or_else(|| format!("{}", self.period + 1), |id| format!("{id:?}"));
            Some(format!(
                "the presentation goes on after the period played, in period {name} at {:.3} s ({} periods in all), \
                 and Flick plays one period only",
                next.start.as_secs_f64(),
                p.periods.len()
            ))
        });
        match rest {
            Some(what) => self.fail(crate::PlayerError::Unplayable(what)),
            None => self.set_state(PlayerState::Ended),
        }
    }

    pub(super) fn play(&mut self) {
        self.want_play = true;
        if self.state == PlayerState::Paused {
            if self.buffer_level(self.now).is_zero() {
                self.set_state(PlayerState::Buffering);
            } else {
                if !self.has_played {
                    self.has_played = true;
                    self.metrics.started_at = Some(self.now);
                }
                self.clock.start(self.now);
                self.set_state(PlayerState::Playing);
            }
        }
    }

    pub(super) fn pause(&mut self) {
        self.want_play = false;
        if self.state == PlayerState::Playing {
            self.clock.stop(self.now);
            self.set_state(PlayerState::Paused);
        }
    }

    pub(super) fn seek(&mut self, position: Duration) {
        if !(self.state.is_active() || self.state == PlayerState::Ended) {
            return;
        }
        let Some(presentation) = self.presentation.clone() else { return };
        let position = match presentation.duration {
            Some(d) => position.min(d),
            None => self.clamp_live_seek(position),
        };
        for r in std::mem::take(&mut self.requests) {
            if r.track.is_none() {
                // The manifest and the steering server are not the tracks' business.
                self.requests.push(r);
                continue;
            }
            self.outputs.push_back(Output::Cancel(r.id));
            if r.kind == RequestKind::Media {
                self.record_request(&r, Outcome::Cancelled);
            }
        }
        self.metrics.stall_ended(self.now);
        self.clock.stop(self.now);
        self.clock.reanchor(position, self.now);
        let mut video_segment = 0;
        for i in 0..self.tracks.len() {
            let index = self.track_timeline(&presentation, i).map_or(0, |s| s.index_ending_after(position));
            let t = &mut self.tracks[i];
            t.next_segment = index;
            t.buffered_end = position;
            t.appended_rep = None;
            t.in_flight = false;
            t.wait = Wait::None;
            t.failing_since = None;
            t.abandoned_rung = None;
            t.retry_cap = None;
            t.partial = None;
            t.held_media = None;
            if t.kind == crate::presentation::TrackKind::Video {
                video_segment = index;
            }
        }
        self.last_seek_segment = video_segment;
        self.abr.on_seek(video_segment);
        self.outputs.push_back(Output::Flush { position });
        self.set_state(PlayerState::Seeking);
    }
}
