//! The player: one sans-IO state machine that every driver runs.
//!
//! A driver feeds [`Input`]s with the current session time to [`Player::handle_input`], calls
//! [`Player::handle_timeout`] when [`Player::poll_timeout`]'s time comes, and after each call
//! drains [`Player::poll_output`] until it returns `None`. Time is a [`Duration`] since the start
//! of the session; the core never reads a clock.

mod buffer;
mod decoder;
mod indexes;
mod live;
mod playback;
mod requests;
mod scheduler;
mod selection;
mod status;
mod steering;
mod track;

use crate::config::PlayerConfig;
use crate::error::PlayerError;
use crate::estimator::Estimator;
use crate::failover::Failover;
use crate::io::{Input, Output, PlayerEvent, RequestId, RequestKind};
use crate::log::{LogEntry, LogRecord};
use crate::metrics::Metrics;
use crate::presentation::{Presentation, TrackKind};
use crate::state::PlayerState;
use core::time::Duration;
use flick_abr::Abr;
use playback::Clock;
use std::collections::VecDeque;
use std::sync::Arc;
use track::TrackState;

/// Most event log entries kept ([`PlayerConfig::record_log`]); older ones are dropped.
pub const MAX_LOG_ENTRIES: usize = 100_000;

/// A request in flight.
#[derive(Clone, Debug)]
struct InFlight {
    id: RequestId,
    kind: RequestKind,
    /// Index into `Player::tracks`.
    track: Option<usize>,
    rep: usize,
    segment: Option<usize>,
    location: Option<usize>,
    sent_at: Duration,
    first_byte_at: Option<Duration>,
    last_progress_at: Duration,
    received: u64,
    expected: Option<u64>,
    data: Vec<bytes::Bytes>,
    /// Bytes of this segment already received by an earlier request that failed (this one asks
    /// for the rest with a byte range).
    prefix: u64,
    /// Longest wait for the first byte.
    first_byte_limit: Duration,
    /// Longest wait between two pieces of the body.
    stall_limit: Duration,
    /// The body must bring at least this many bits per second, measured over
    /// [`crate::failover::PROGRESS_WINDOW`] (0: no floor).
    min_rate_bps: u64,
    /// Start of the current progress window, and the bytes received when it began.
    window: (Duration, u64),
    /// Length of a progress window ([`crate::failover::PROGRESS_WINDOW`], shorter at live
    /// buffer depths).
    progress_window: Duration,
    /// Cut for slowness while it still brought [`crate::failover::ALIVE_BPS`]: a slow location,
    /// left for another, but no sign that every location is dead.
    alive: bool,
    /// A media segment's start and duration on the period timeline, as of the request.
    timing: Option<(Duration, Duration)>,
    /// The presentation's version when it was sent (a live MPD refresh moves segment indexes).
    generation: u64,
}

impl InFlight {
    /// When the request is given up if nothing more arrives.
    fn deadline(&self) -> Duration {
        match self.first_byte_at {
            None => self.sent_at.saturating_add(self.first_byte_limit),
            Some(_) => {
                let stalled = self.last_progress_at.saturating_add(self.stall_limit);
                match self.min_rate_bps {
                    0 => stalled,
                    _ => stalled.min(self.window.0.saturating_add(self.progress_window)),
                }
            }
        }
    }

    /// Whether the body, at `now`, brought less than its floor over a whole progress window;
    /// a window that passed the test starts again.
    fn trickles(&mut self, now: Duration) -> bool {
        if self.min_rate_bps == 0 || self.first_byte_at.is_none() {
            return false;
        }
        let elapsed = now.saturating_sub(self.window.0);
        if elapsed < self.progress_window {
            return false;
        }
        let bits = self.received.saturating_sub(self.window.1).saturating_mul(8) as f64;
        let seconds = elapsed.as_secs_f64();
        if bits < self.min_rate_bps as f64 * seconds {
            self.alive = bits >= crate::failover::ALIVE_BPS as f64 * seconds;
            return true;
        }
        self.window = (now, self.received);
        false
    }
}

/// The player core.
pub struct Player {
    config: PlayerConfig,
    abr: Box<dyn Abr>,
    state: PlayerState,
    want_play: bool,
    has_played: bool,
    presentation: Option<Arc<Presentation>>,
    manifest_url: Option<url::Url>,
    manifest_failing_since: Option<Duration>,
    manifest_retry_at: Option<Duration>,
    tracks: Vec<TrackState>,
    requests: Vec<InFlight>,
    next_id: u64,
    clock: Clock,
    estimator: Estimator,
    failover: Failover,
    metrics: Metrics,
    outputs: VecDeque<Output>,
    pinned_rung: Option<usize>,
    last_seek_segment: usize,
    now: Duration,
    log: VecDeque<LogEntry>,
    /// Log entries dropped to keep the log within [`MAX_LOG_ENTRIES`].
    log_dropped: u64,
    /// Whether the buffer ran dry since the last media request (CMCD `bs`).
    starved_since_request: bool,
    /// Index of the period being played.
    period: usize,
    /// When the decoder's state is next asked for ([`PlayerConfig::decoder_reports`]).
    decoder_report_due: Option<Duration>,
    /// The playback clock reached the end of the buffer: the decoder is asked where it really
    /// is before the core calls it a stall.
    stall_check: Option<buffer::StallCheck>,
    /// The decoder's last reported position, and when it came.
    decoder_position: Option<(Duration, Duration)>,
    /// Segment indexes still to fetch before playback.
    pending_indexes: Vec<indexes::PendingIndex>,
    /// The wall clock, once known (live streams).
    wall: Option<live::WallClock>,
    /// The live side of the session, for a dynamic MPD.
    live: Option<live::LiveState>,
    /// Version of the presentation: a live MPD refresh makes a new one.
    generation: u64,
    /// The manifest URL the session was loaded with (refreshes go to `<Location>` first).
    first_manifest_url: Option<url::Url>,
    /// Stream events already reported.
    seen_events: live::SeenEvents,
}

impl Player {
    /// A player in [`PlayerState::Idle`] using `abr` for video.
    pub fn new(config: PlayerConfig, abr: Box<dyn Abr>) -> Self {
        let estimator = Estimator::new(&config.estimator, Duration::from_secs(4));
        let failover = Failover::new(&config);
        Player {
            want_play: config.autoplay,
            config,
            abr,
            state: PlayerState::Idle,
            has_played: false,
            presentation: None,
            manifest_url: None,
            manifest_failing_since: None,
            manifest_retry_at: None,
            tracks: Vec::new(),
            requests: Vec::new(),
            next_id: 0,
            clock: Clock::default(),
            estimator,
            failover,
            metrics: Metrics::default(),
            outputs: VecDeque::new(),
            pinned_rung: None,
            last_seek_segment: 0,
            now: Duration::ZERO,
            log: VecDeque::new(),
            log_dropped: 0,
            starved_since_request: false,
            period: 0,
            decoder_report_due: None,
            stall_check: None,
            decoder_position: None,
            pending_indexes: Vec::new(),
            wall: None,
            live: None,
            generation: 0,
            first_manifest_url: None,
            seen_events: Default::default(),
        }
    }

    /// Give back the ABR algorithm (to carry its learned state into another session).
    pub fn into_abr(self) -> Box<dyn Abr> {
        self.abr
    }

    /// Feed one input observed at session time `now`.
    pub fn handle_input(&mut self, now: Duration, input: Input) {
        self.advance(now);
        if self.config.record_log {
            self.log_entry(LogRecord::from(&input));
        }
        match input {
            Input::Load { url } => self.load(url),
            Input::LoadPresentation { presentation } => {
                self.unload();
                self.metrics.load_at = Some(self.now);
                self.start_presentation(presentation);
            }
            Input::Play => self.play(),
            Input::Pause => self.pause(),
            Input::Seek { position } => self.seek(position),
            Input::SetQuality { rung } => self.pinned_rung = rung,
            Input::ResponseStarted { id, content_length } => self.on_response(id, content_length),
            Input::Redirected { id, url } => self.on_redirect(id, &url),
            Input::Data { id, chunk } => self.on_data(id, chunk),
            Input::Complete { id } => self.on_complete(id),
            Input::Failed { id, error } => self.on_failed(id, error),
            Input::Playback { position } => self.on_decoder_position(position),
            Input::Buffered { track, ranges } => self.on_buffered(track, &ranges),
            Input::DecoderFrames { decoded, dropped } => self.on_frames(decoded, dropped),
            Input::SelectTrack { kind, index } => self.select_track(kind, index),
            Input::WallClock { unix } => self.on_wall_clock(unix),
            Input::ServerDate { id, date } => self.on_server_date(id, &date),
            Input::GoLive => self.go_live(),
        }
        self.drive();
    }

    /// Let time pass to `now` (call when [`Player::poll_timeout`]'s time has come).
    pub fn handle_timeout(&mut self, now: Duration) {
        self.advance(now);
        self.drive();
    }

    /// The next thing the driver must do, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        let output = self.outputs.pop_front()?;
        if self.config.record_log {
            self.log_entry(LogRecord::from(&output));
        }
        Some(output)
    }

    /// The event log (empty unless [`PlayerConfig::record_log`] is set): every input and output,
    /// or in a very long session the last [`MAX_LOG_ENTRIES`].
    pub fn event_log(&self) -> Vec<&LogEntry> {
        self.log.iter().collect()
    }

    /// How many of the earliest log entries were dropped to keep the log bounded.
    pub fn event_log_dropped(&self) -> u64 {
        self.log_dropped
    }

    fn log_entry(&mut self, record: LogRecord) {
        if self.log.len() == MAX_LOG_ENTRIES {
            self.log.pop_front();
            self.log_dropped += 1;
        }
        self.log.push_back(LogEntry { at_ms: self.now.as_secs_f64() * 1000.0, record });
    }

    /// When the core next needs [`Player::handle_timeout`], if ever.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let mut next: Option<Duration> = None;
        let mut consider = |t: Duration| next = Some(next.map_or(t, |n: Duration| n.min(t)));
        if self.state == PlayerState::Playing
            && self.stall_check.is_none()
            && let Some(t) = self.clock.reaches(self.playable_end())
        {
            consider(t);
        }
        for track in &self.tracks {
            match track.wait {
                track::Wait::BufferFull(t)
                | track::Wait::Delayed { until: t, .. }
                | track::Wait::Retry { until: t, .. }
                | track::Wait::Available(t) => consider(t),
                track::Wait::None => {}
            }
        }
        if let Some(t) = self.manifest_retry_at {
            consider(t);
        }
        if let Some(live) = self.live.as_ref().filter(|_| self.state.is_active()) {
            if let Some(t) = live.next_refresh {
                consider(t);
            }
            if self.state == PlayerState::Playing && !live.ended {
                consider(live.next_tick.unwrap_or(self.now));
            }
            if self.state == PlayerState::Buffering
                && let Some(t) = self.live_start_hold()
            {
                consider(t);
            }
        }
        if let Some(t) = self.failover.steering().and_then(|s| s.next_at()) {
            consider(t);
        }
        if let Some(t) = self.decoder_wake_up() {
            consider(t);
        }
        if self.state == PlayerState::Loading
            && let Some(t) = self.index_wake_up()
        {
            consider(t);
        }
        if self.failover.has_timeouts() {
            for r in &self.requests {
                consider(r.deadline());
            }
        }
        next.map(|t| t.max(self.now))
    }

    /// The current state.
    pub fn state(&self) -> PlayerState {
        self.state
    }

    /// The playback position at `now`.
    pub fn position(&self, now: Duration) -> Duration {
        self.clock.position(now.max(self.now)).min(self.playable_end().max(self.clock.anchor_position()))
    }

    /// Media buffered ahead of the position at `now` (the least over the selected tracks).
    pub fn buffer_level(&self, now: Duration) -> Duration {
        self.playable_end().saturating_sub(self.position(now))
    }

    /// The loaded presentation, if any.
    pub fn presentation(&self) -> Option<&Presentation> {
        self.presentation.as_deref()
    }

    /// The current throughput estimate.
    pub fn throughput_estimate(&self) -> Option<flick_abr::units::Bitrate> {
        self.estimator.estimate()
    }

    /// Rung of the video segment fetched last.
    pub fn video_rung(&self) -> Option<usize> {
        self.tracks.iter().find(|t| t.kind == TrackKind::Video).and_then(|t| t.last_rung)
    }

    /// Name of the ABR algorithm.
    pub fn abr_name(&self) -> &'static str {
        self.abr.name()
    }

    /// The error that failed the session, if any.
    pub fn error(&self) -> Option<&PlayerError> {
        self.metrics.error.as_ref()
    }

    /// Index, among the period's tracks of `kind`, of the one being played.
    pub fn selected_track(&self, kind: TrackKind) -> Option<usize> {
        let presentation = self.presentation.as_ref()?;
        let current = self.tracks.iter().find(|t| t.kind == kind)?.track;
        self.played_period(presentation)?
            .tracks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind == kind && !t.representations.is_empty())
            .position(|(i, _)| i == current)
    }

    /// Requests in flight.
    pub fn requests_in_flight(&self) -> usize {
        self.requests.len()
    }

    fn emit(&mut self, event: PlayerEvent) {
        self.outputs.push_back(Output::Event(event));
    }

    fn set_state(&mut self, to: PlayerState) {
        if self.state != to {
            let from = self.state;
            self.state = to;
            self.emit(PlayerEvent::StateChanged { from, to });
        }
    }

    fn fail(&mut self, error: PlayerError) {
        if self.state == PlayerState::Failed {
            return;
        }
        self.clock.stop(self.now);
        for r in std::mem::take(&mut self.requests) {
            self.outputs.push_back(Output::Cancel(r.id));
        }
        for t in &mut self.tracks {
            t.wait = track::Wait::None;
            t.in_flight = false;
            t.held_media = None;
        }
        self.manifest_retry_at = None;
        if let Some(live) = self.live.as_mut() {
            live.next_refresh = None;
            live.next_tick = None;
        }
        self.metrics.error = Some(error.clone());
        self.metrics.stall_ended(self.now);
        self.emit(PlayerEvent::Error { error });
        self.set_state(PlayerState::Failed);
    }

    fn next_request_id(&mut self) -> RequestId {
        self.next_id += 1;
        RequestId(self.next_id)
    }
}

#[cfg(test)]
mod tests;
