//! The decoder's side of playback, for a driver that renders: the core asks for the decoder's
//! state at one cadence ([`crate::PlayerConfig::decoder_reports`], [`Output::ReportDecoder`]), and
//! again when its own clock says the buffer ran dry, so a decoder that plays a little slower than
//! the session clock (a busy page) is not taken for a stalled one. The decoder's position is
//! trusted while playing or paused; a stall is called when the decoder, asked, has not moved.

use super::Player;
use super::buffer::StallCheck;
use crate::io::Output;
use crate::state::PlayerState;
use core::time::Duration;

/// A decoder that moved less than this since its previous report is not playing.
const STILL: Duration = Duration::from_millis(10);

impl Player {
    /// Ask for the decoder's state when it is due.
    pub(super) fn poll_decoder(&mut self) {
        let Some(interval) = self.config.decoder_reports else { return };
        if !self.state.is_active() {
            self.decoder_report_due = None;
            return;
        }
        let due = *self.decoder_report_due.get_or_insert(self.now);
        if self.now >= due {
            self.outputs.push_back(Output::ReportDecoder);
            self.decoder_report_due = Some(self.now.saturating_add(interval));
        }
    }

    /// When the core next needs the decoder (a report due, or a stall check that runs out).
    pub(super) fn decoder_wake_up(&self) -> Option<Duration> {
        let interval = self.config.decoder_reports?;
        let check = self.stall_check.map(|c| c.since.saturating_add(interval));
        match (self.decoder_report_due.filter(|_| self.state.is_active()), check) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The clock reached the end of the buffer at `hit`: whether that is a stall. Without decoder
    /// reports it is; with them, the decoder is asked first, and it is a stall when the decoder
    /// has not answered that it still plays within one report interval.
    pub(super) fn stall_confirmed(&mut self, hit: Duration) -> bool {
        let Some(interval) = self.config.decoder_reports else { return true };
        let end = self.playable_end();
        if self.stall_check.is_some_and(|c| c.end != end) {
            // Media arrived since: the end it was about is not where playback would stop now.
            self.stall_check = None;
        }
        match self.stall_check {
            None => {
                self.stall_check = Some(StallCheck { since: hit, end });
                self.outputs.push_back(Output::ReportDecoder);
                false
            }
            Some(check) => self.now >= check.since.saturating_add(interval),
        }
    }

    /// When a stall was first suspected (the clock's `hit` without decoder reports).
    pub(super) fn stall_started_at(&mut self, hit: Duration) -> Duration {
        self.stall_check.take().map_or(hit, |c| c.since.min(hit))
    }

    /// The decoder says it is at `position`.
    pub(super) fn on_decoder_position(&mut self, position: Duration) {
        let previous = self.decoder_position.replace((position, self.now));
        if !matches!(self.state, PlayerState::Playing | PlayerState::Paused) {
            return;
        }
        if self.stall_check.is_some() {
            let moving = previous.is_none_or(|(p, _)| position > p + STILL);
            if !moving {
                // Asked because the buffer ran dry, and it has not moved: leave the clock at the
                // end of the buffer, so the stall is called when the check runs out.
                return;
            }
            self.stall_check = None;
        }
        self.clock.reanchor(position, self.now);
    }

    /// The decoder's frame counters.
    pub(super) fn on_frames(&mut self, decoded: u64, dropped: u64) {
        self.metrics.frames = Some((decoded, dropped));
    }
}
