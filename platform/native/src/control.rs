//! Talking to a running session from another thread (a window): commands in, a status snapshot
//! out. Both are plain data: no GStreamer or tokio types cross.

use flick_player::presentation::TrackKind;
use flick_player::{Input, Player, PlayerEvent, PlayerState};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::mpsc;

/// What a viewer can ask of a running session.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Start or resume playback.
    Play,
    /// Pause.
    Pause,
    /// Jump to a position.
    Seek(Duration),
    /// Pin a video rung (`Some`) or let the ABR algorithm choose (`None`).
    SetQuality(Option<usize>),
    /// Play the `index`-th track of `kind`.
    SelectTrack(TrackKind, usize),
    /// Audio volume (0.0 to 1.0) and mute.
    SetVolume(f64, bool),
    /// Back to the live edge (a live stream).
    GoLive,
    /// End the session.
    Stop,
}

impl Command {
    /// The core's input for the command, when it is the core's business (`SetVolume` and
    /// `Stop` are the driver's).
    pub(crate) fn input(self) -> Option<Input> {
        match self {
            Command::Play => Some(Input::Play),
            Command::Pause => Some(Input::Pause),
            Command::Seek(position) => Some(Input::Seek { position }),
            Command::SetQuality(rung) => Some(Input::SetQuality { rung }),
            Command::SelectTrack(kind, index) => Some(Input::SelectTrack { kind, index }),
            Command::GoLive => Some(Input::GoLive),
            Command::SetVolume(..) | Command::Stop => None,
        }
    }
}

/// Sends [`Command`]s to a session; clones reach the same session.
#[derive(Clone, Debug)]
pub struct Controller(pub(crate) mpsc::UnboundedSender<Command>);

impl Controller {
    /// Send a command (ignored once the session has ended).
    pub fn send(&self, command: Command) {
        let _ = self.0.send(command);
    }
}

/// One video rung as a viewer picks it.
#[derive(Clone, Debug, PartialEq)]
pub struct Rung {
    /// Nominal bit rate in kbit/s.
    pub bitrate_kbps: u64,
    /// Width and height, when the manifest gives them.
    pub size: Option<(u32, u32)>,
}

/// A session's state as a viewer shows it, refreshed several times a second.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionStatus {
    /// Session time.
    pub elapsed: Duration,
    /// Player state.
    pub state: Option<PlayerState>,
    /// Playback position.
    pub position: Duration,
    /// Presentation duration, when known.
    pub duration: Option<Duration>,
    /// Media buffered ahead of the position.
    pub buffer: Duration,
    /// Buffered video ranges (from the position to the end of what was appended).
    pub buffered: Vec<(Duration, Duration)>,
    /// Video rungs, lowest first.
    pub rungs: Vec<Rung>,
    /// Rung of the video being fetched.
    pub video_rung: Option<usize>,
    /// Rung pinned by the viewer (`None`: automatic).
    pub pinned_rung: Option<usize>,
    /// Throughput estimate in kbit/s.
    pub throughput_kbps: Option<f64>,
    /// ABR algorithm.
    pub abr: String,
    /// CDN location media requests go to.
    pub location: Option<String>,
    /// Location changes so far.
    pub location_changes: u32,
    /// Audio tracks (their languages), and which plays.
    pub audio_tracks: Vec<Option<String>>,
    /// Index of the audio track played.
    pub audio_track: Option<usize>,
    /// Text tracks (their languages).
    pub text_tracks: Vec<Option<String>>,
    /// Video frames decoded and dropped.
    pub frames: (u64, u64),
    /// Audio buffers played since the last flush, and the stream time of the last one.
    pub audio: (u64, Option<Duration>),
    /// Recent notable events, newest last.
    pub notes: Vec<String>,
    /// The session has ended (the stream ended, failed, or a stop was asked for).
    pub finished: bool,
    /// The live edge and the latency to it, for a live stream.
    pub live: Option<flick_player::LiveStatus>,
    /// The decoder played every track out to its end (the end of the stream reached the sinks).
    pub played_out: bool,
    /// Why the session failed, if it did.
    pub error: Option<String>,
}

/// How many notes [`SessionStatus::notes`] keeps.
const NOTES: usize = 8;

impl SessionStatus {
    /// Take note of a core event.
    pub(crate) fn event(&mut self, event: &PlayerEvent) {
        let note = match event {
            PlayerEvent::LocationChanged { from, to } => {
                from.as_ref().map(|from| format!("CDN location {from} -> {to}"))
            }
            PlayerEvent::RequestFailed { kind, location, error } => {
                Some(format!("{kind:?} request to {location} failed: {error:?}"))
            }
            PlayerEvent::StallStarted { position } => {
                Some(format!("stalled at {:.1} s", position.as_secs_f64()))
            }
            PlayerEvent::TrackChanged { kind, index, language } => {
                Some(format!("{kind:?} track {}", language.clone().unwrap_or_else(|| index.to_string())))
            }
            PlayerEvent::Error { error } => {
                self.error = Some(format!("{error} ({})", error.kind()));
                None
            }
            _ => None,
        };
        if let Some(note) = note {
            if self.notes.len() == NOTES {
                self.notes.remove(0);
            }
            self.notes.push(format!("[{:.1} s] {note}", self.elapsed.as_secs_f64()));
        }
    }

    /// Refresh from the player's status at session time `now`.
    pub(crate) fn refresh(&mut self, player: &Player, now: Duration) {
        let status = player.status(now);
        self.elapsed = now;
        self.state = Some(status.state);
        self.position = status.position;
        self.duration = status.duration;
        self.buffer = status.buffer;
        self.buffered = status.buffered;
        self.rungs =
            status.rungs.into_iter().map(|r| Rung { bitrate_kbps: r.bitrate_kbps, size: r.size }).collect();
        self.video_rung = status.video_rung;
        self.pinned_rung = status.pinned_rung;
        self.throughput_kbps = status.throughput_kbps;
        self.abr = status.abr.to_string();
        self.location = status.location;
        self.location_changes = status.location_changes;
        self.audio_tracks = status.audio_tracks;
        self.audio_track = status.audio_track;
        self.text_tracks = status.text_tracks;
        if let Some(frames) = status.frames {
            self.frames = frames;
        }
        self.live = status.live;
    }
}

/// The latest [`SessionStatus`] of a session; clones share it.
#[derive(Clone, Debug, Default)]
pub struct StatusFeed(pub(crate) Arc<Mutex<SessionStatus>>);

impl StatusFeed {
    pub(crate) fn lock(&self) -> MutexGuard<'_, SessionStatus> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A copy of the latest status.
    pub fn get(&self) -> SessionStatus {
        self.lock().clone()
    }
}
