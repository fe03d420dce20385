//! The live status line on stderr: state, position, buffer, video rung and bit rate, throughput
//! estimate and location, redrawn in place about four times a second on a terminal and printed
//! as one line a second otherwise (a log file, a CI run). Notable events (a failed request, a
//! location change, a stall, the session's error) get lines of their own.

use flick_player::{FetchError, Player, PlayerEvent, PlayerState};
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// What the status line shows, gathered from the player and its events.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct StatusView {
    /// Session time.
    pub elapsed: Duration,
    /// Player state.
    pub state: Option<PlayerState>,
    /// Playback position.
    pub position: Duration,
    /// Presentation duration, when known.
    pub duration: Option<Duration>,
    /// Media buffered ahead.
    pub buffer: Duration,
    /// Rung (lowest 0) and nominal bit rate of the video being fetched.
    pub video: Option<(usize, u64)>,
    /// Number of video rungs.
    pub rungs: usize,
    /// Throughput estimate in kbit/s.
    pub throughput_kbps: Option<f64>,
    /// Location media requests go to.
    pub location: Option<String>,
    /// Latency to the live edge and the playback rate, for a live stream.
    pub live: Option<(Duration, f64)>,
}

impl StatusView {
    /// The line, without terminal control characters.
    pub fn line(&self) -> String {
        let state = self.state.map_or_else(|| "idle".to_string(), state_name);
        let position = match self.duration {
            Some(d) => format!("{:.1}/{:.1} s", self.position.as_secs_f64(), d.as_secs_f64()),
            None => format!("{:.1} s", self.position.as_secs_f64()),
        };
        let video = match self.video {
            Some((rung, kbps)) => format!("{}/{} {kbps} kbit/s", rung + 1, self.rungs.max(rung + 1)),
            None => "-".to_string(),
        };
        let estimate = match self.throughput_kbps {
            Some(k) if k >= 1000.0 => format!("{:.1} Mbit/s", k / 1000.0),
            Some(k) => format!("{k:.0} kbit/s"),
            None => "-".to_string(),
        };
        let live = match self.live {
            Some((latency, rate)) if rate != 1.0 => {
                format!("  live {:.1} s {rate:.2}x", latency.as_secs_f64())
            }
            Some((latency, _)) => format!("  live {:.1} s", latency.as_secs_f64()),
            None => String::new(),
        };
        format!(
            "[{:6.1} s] {state:<9} pos {position}  buffer {:.1} s  video {video}  est {estimate}  location {}{live}",
            self.elapsed.as_secs_f64(),
            self.buffer.as_secs_f64(),
            self.location.as_deref().unwrap_or("-"),
        )
    }
}

/// A fetch error as a person reads it.
fn describe(error: &FetchError) -> String {
    match error {
        FetchError::Http(code) => format!("HTTP {code}"),
        FetchError::Timeout => "no answer in time".into(),
        FetchError::Reset => "connection refused, reset or closed".into(),
        FetchError::Stalled => "body stalled".into(),
        FetchError::Truncated => "body shorter than announced".into(),
        FetchError::Transport(message) => message.clone(),
    }
}

fn state_name(state: PlayerState) -> String {
    format!("{state:?}").to_lowercase()
}

/// The status line of one session.
pub(crate) struct StatusLine {
    enabled: bool,
    terminal: bool,
    view: StatusView,
    /// A line is on the terminal without its newline.
    drawn: bool,
    /// When the last line was printed, and in which state.
    last: Option<(Duration, PlayerState)>,
}

impl StatusLine {
    /// A status line on stderr, or a silent one when `enabled` is false.
    pub fn new(enabled: bool) -> Self {
        StatusLine {
            enabled,
            terminal: std::io::stderr().is_terminal(),
            view: StatusView::default(),
            drawn: false,
            last: None,
        }
    }

    /// Whether it prints anything.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// How often to redraw.
    pub fn period(&self) -> Duration {
        if self.terminal { Duration::from_millis(250) } else { Duration::from_secs(1) }
    }

    /// Take note of an event (and print the notable ones on a line of their own).
    pub fn event(&mut self, elapsed: Duration, event: &PlayerEvent) {
        let note = match event {
            PlayerEvent::PresentationLoaded { duration, video_rungs } => {
                self.view.duration = *duration;
                self.view.rungs = *video_rungs;
                None
            }
            PlayerEvent::QualityChanged { to, bitrate_kbps, .. } => {
                self.view.video = Some((*to, *bitrate_kbps));
                None
            }
            PlayerEvent::LocationChanged { from, to } => {
                self.view.location = Some(to.clone());
                from.as_ref().map(|from| format!("location {from} -> {to}"))
            }
            PlayerEvent::RequestFailed { kind, location, error } => {
                Some(format!("{kind:?} request to location {location} failed: {}", describe(error)))
            }
            PlayerEvent::StallStarted { position } => {
                Some(format!("stalled at {:.1} s", position.as_secs_f64()))
            }
            PlayerEvent::StallEnded { duration } => {
                Some(format!("resumed after {:.1} s", duration.as_secs_f64()))
            }
            PlayerEvent::Error { error } => Some(format!("failed: {} ({})", error, error.kind())),
            PlayerEvent::TrackChanged { kind, index, language } => Some(format!(
                "{kind:?} track {index}{}",
                language.as_ref().map(|l| format!(" ({l})")).unwrap_or_default()
            )),
            PlayerEvent::BufferEvicted { track, held_until, appended_until } => Some(format!(
                "{track:?} buffer evicted: held to {:.1} s of {:.1} s appended",
                held_until.as_secs_f64(),
                appended_until.as_secs_f64()
            )),
            PlayerEvent::LiveEdge { following: false, .. } => Some("left the live edge".into()),
            PlayerEvent::LiveEdge { following: true, target_latency } => {
                Some(format!("following the live edge at {:.1} s", target_latency.as_secs_f64()))
            }
            PlayerEvent::ClockSynced { source, offset_ms } => {
                Some(format!("clock synced from {source} ({offset_ms:+.0} ms from the device)"))
            }
            PlayerEvent::ManifestUpdated { dynamic: false, .. } => Some("the live stream ended".into()),
            PlayerEvent::StreamEvent(event) => Some(format!(
                "event {} at {:.1} s{}",
                event.scheme_id_uri,
                event.presentation_time.as_secs_f64(),
                event.id.as_ref().map(|id| format!(" (id {id})")).unwrap_or_default()
            )),
            PlayerEvent::StateChanged { to, .. } => {
                self.view.state = Some(*to);
                None
            }
            _ => None,
        };
        if let Some(note) = note {
            self.print_note(elapsed, &note);
        }
    }

    fn print_note(&mut self, elapsed: Duration, note: &str) {
        if !self.enabled {
            return;
        }
        let mut err = std::io::stderr().lock();
        let clear = if self.terminal && self.drawn { "\r\x1b[2K" } else { "" };
        let _ = writeln!(err, "{clear}[{:6.1} s] {note}", elapsed.as_secs_f64());
        self.drawn = false;
    }

    /// Redraw from the player's state at session time `elapsed`.
    pub fn draw(&mut self, player: &Player, elapsed: Duration) {
        if !self.enabled {
            return;
        }
        let status = player.status(elapsed);
        self.view.elapsed = elapsed;
        self.view.state = Some(status.state);
        self.view.position = status.position;
        self.view.buffer = status.buffer;
        self.view.throughput_kbps = status.throughput_kbps;
        self.view.live = status.live.as_ref().map(|l| (l.latency, l.playback_rate));
        self.last = Some((elapsed, status.state));
        let line = self.view.line();
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            self.drawn = true;
        } else {
            let _ = writeln!(err, "{line}");
        }
    }

    /// Draw the last state (unless just drawn) and end the line.
    pub fn finish(&mut self, player: &Player, elapsed: Duration) {
        if !self.enabled {
            return;
        }
        let fresh = self.last.is_some_and(|(at, state)| {
            state == player.state() && elapsed.saturating_sub(at) < Duration::from_millis(100)
        });
        if fresh && !self.drawn {
            return;
        }
        let terminal = self.terminal;
        self.terminal = false;
        if terminal && self.drawn {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
        self.draw(player, elapsed);
        self.terminal = terminal;
        self.drawn = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_every_field() {
        let view = StatusView {
            elapsed: Duration::from_millis(12_340),
            state: Some(PlayerState::Playing),
            position: Duration::from_millis(10_000),
            duration: Some(Duration::from_secs(20)),
            buffer: Duration::from_millis(4_200),
            video: Some((2, 600)),
            rungs: 3,
            throughput_kbps: Some(35_250.0),
            location: Some("a".into()),
            live: None,
        };
        assert_eq!(
            view.line(),
            "[  12.3 s] playing   pos 10.0/20.0 s  buffer 4.2 s  video 3/3 600 kbit/s  est 35.2 Mbit/s  location a"
        );
        let live = StatusView { live: Some((Duration::from_millis(5_040), 1.03)), ..view.clone() };
        assert!(live.line().ends_with("location a  live 5.0 s 1.03x"), "{}", live.line());
        let empty = StatusView::default().line();
        assert!(
            empty.contains("idle") && empty.contains("video -") && empty.contains("location -"),
            "{empty}"
        );
    }
}
