//! Live playback: the wall clock and its sync with the server, where the live edge is and which
//! segments exist yet, the start at the target latency, MPD refreshes, the catch-up rate, DVR
//! seeks and "back to live".
//!
//! Presentation time `p` of the played period is at wall-clock time `availabilityStartTime +
//! period start + p`; a segment can be fetched once its end is that far in the past (less its
//! `@availabilityTimeOffset`). The core never reads a clock: the wall clock is the device's
//! ([`crate::Input::WallClock`]) until the server's is read.

use super::Player;
use super::track::{TrackState, Wait};
use crate::io::{Method, Output, PlayerEvent, RequestId, RequestKind};
use crate::live::LatencyStats;
use crate::presentation::{Presentation, SegmentRef, StreamEvent, UtcTiming};
use crate::state::PlayerState;
use core::time::Duration;
use std::collections::VecDeque;
use std::sync::Arc;

/// How often latency is sampled and the catch-up rate reconsidered while playing live.
pub(crate) const LIVE_TICK: Duration = Duration::from_millis(250);

/// Least time between two MPD requests made because a segment is not listed yet.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_millis(500);

/// Times in a row a live segment may be answered 404 ("not produced yet") before it counts as a
/// failure of the location.
const NOT_YET_TRIES: u8 = 4;

/// Stream events remembered to report each once.
const EVENTS_REMEMBERED: usize = 1024;

/// Where the wall clock comes from, best last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ClockSource {
    /// The MPD's `@publishTime` (the MPD was published about when it was fetched).
    PublishTime,
    /// The newest segment a SegmentTimeline lists (a clock grossly at odds with it is wrong).
    Timeline,
    /// The device ([`crate::Input::WallClock`]).
    Device,
    /// A response's `Date` header (one-second resolution).
    DateHeader,
    /// `<UTCTiming>`.
    UtcTiming,
}

impl ClockSource {
    fn name(self) -> &'static str {
        match self {
            ClockSource::PublishTime => "publish_time",
            ClockSource::Timeline => "timeline",
            ClockSource::Device => "device",
            ClockSource::DateHeader => "date_header",
            ClockSource::UtcTiming => "utc_timing",
        }
    }
}

/// The wall clock: Unix time at session time zero.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WallClock {
    pub(crate) at_zero: Duration,
    pub(crate) source: ClockSource,
    /// The device's, kept to report how far off it was.
    pub(crate) device_at_zero: Option<Duration>,
}

/// What the player keeps about a live presentation.
#[derive(Clone, Debug)]
pub(crate) struct LiveState {
    /// Latency aimed for.
    pub(crate) target: Duration,
    /// Playback-rate bounds of the catch-up.
    pub(crate) rate_bounds: (f64, f64),
    /// Latency above the target by more than this is jumped, not caught up.
    pub(crate) max_drift: Duration,
    /// Whether playback follows the live edge (not a DVR position the viewer chose).
    pub(crate) following: bool,
    /// Current playback rate.
    pub(crate) rate: f64,
    /// When latency is next sampled.
    pub(crate) next_tick: Option<Duration>,
    /// When the MPD is next fetched (`@minimumUpdatePeriod`).
    pub(crate) next_refresh: Option<Duration>,
    /// When the last MPD request was sent.
    pub(crate) refresh_sent_at: Option<Duration>,
    /// Since when refreshes fail.
    pub(crate) refresh_failing_since: Option<Duration>,
    /// The clock request under way, and whether it reads a `Date` header (`HEAD`).
    pub(crate) clock_request: Option<(RequestId, bool)>,
    /// Playback waits for the clock before choosing where to start.
    pub(crate) waiting_for_clock: bool,
    /// A representative segment duration.
    pub(crate) segment_duration: Duration,
    /// Whether the MPD turned static (the stream ends at its end).
    pub(crate) ended: bool,
    /// Latency statistics.
    pub(crate) stats: LatencyStats,
}

/// The identity of a reported stream event.
type EventKey = (String, Option<String>, Option<String>, Duration);

impl Player {
    /// The wall-clock time at session time `now`, if known.
    pub(super) fn wall_now(&self, now: Duration) -> Option<Duration> {
        self.wall.map(|w| w.at_zero.saturating_add(now))
    }

    /// The device's wall clock at the current session time.
    pub(super) fn on_wall_clock(&mut self, unix: Duration) {
        let at_zero = unix.saturating_sub(self.now);
        match &mut self.wall {
            Some(w) if w.source > ClockSource::Device => w.device_at_zero = Some(at_zero),
            _ => {
                self.wall =
                    Some(WallClock { at_zero, source: ClockSource::Device, device_at_zero: Some(at_zero) })
            }
        }
    }

    /// Set the clock from a server's reading `server` taken between `sent_at` and now.
    fn sync_clock(&mut self, server: Duration, sent_at: Duration, source: ClockSource) {
        let midpoint = sent_at + self.now.saturating_sub(sent_at) / 2;
        let at_zero = server.saturating_sub(midpoint);
        let device = self.wall.and_then(|w| w.device_at_zero);
        if source == ClockSource::DateHeader
            && let Some(device) = device
            && device.abs_diff(at_zero) < Duration::from_millis(1500)
        {
            // The device agrees with the header to within its resolution: keep the finer clock.
            return;
        }
        if self.wall.is_some_and(|w| w.source > source) {
            return;
        }
        self.wall = Some(WallClock { at_zero, source, device_at_zero: device });
        let offset_ms = device.map_or(0.0, |d| (at_zero.as_secs_f64() - d.as_secs_f64()) * 1000.0);
        self.emit(PlayerEvent::ClockSynced { source: source.name(), offset_ms });
    }

    /// A response's `Date` header.
    pub(super) fn on_server_date(&mut self, id: RequestId, date: &str) {
        let Some(r) = self.requests.iter().find(|r| r.id == id) else { return };
        let (kind, sent_at) = (r.kind, r.sent_at);
        let Some(server) = crate::live::clock::parse_http_date(date) else { return };
        // The header has whole seconds: the server's time was somewhere in the next one.
        let server = server + Duration::from_millis(500);
        let head_clock =
            self.live.as_ref().and_then(|l| l.clock_request).is_some_and(|(c, head)| c == id && head);
        if head_clock {
            self.sync_clock(server, sent_at, ClockSource::UtcTiming);
            self.clock_done();
        } else if kind == RequestKind::Manifest || kind == RequestKind::Clock {
            self.sync_clock(server, sent_at, ClockSource::DateHeader);
        }
    }

    /// The body of a clock request arrived.
    pub(super) fn on_clock_answer(&mut self, sent_at: Duration, body: &[u8]) {
        let head = self.live.as_ref().and_then(|l| l.clock_request).is_some_and(|(_, head)| head);
        if !head && let Some(server) = std::str::from_utf8(body).ok().and_then(crate::live::clock::parse_iso)
        {
            self.sync_clock(server, sent_at, ClockSource::UtcTiming);
        }
        self.clock_done();
    }

    /// The clock request ended (read or failed): playback may start.
    pub(super) fn clock_done(&mut self) {
        let Some(live) = self.live.as_mut() else { return };
        live.clock_request = None;
        if std::mem::take(&mut live.waiting_for_clock) {
            self.begin_playback();
        }
    }

    /// A live presentation was loaded: set up its state and read the server's clock.
    pub(super) fn start_live(&mut self, presentation: &Presentation) {
        let Some(info) = presentation.live.as_ref() else {
            self.live = None;
            return;
        };
        if self.wall.is_none()
            && let Some(publish) = info.publish_time
        {
            let at_zero = publish.saturating_sub(self.now);
            self.wall = Some(WallClock { at_zero, source: ClockSource::PublishTime, device_at_zero: None });
        }
        let segment_duration = self.representative_segment_duration(presentation);
        let config = &self.config.live;
        // A suggested delay shorter than the default cannot be held with the buffer failover
        // needs when segments can only be fetched once complete (ffmpeg suggests one segment):
        // it is raised to the default.
        let default = segment_duration.mul_f64(config.default_segments.clamp(1.0, 100.0));
        let suggested = info.suggested_presentation_delay.map(|d| d.max(default));
        let target =
            config.target_latency.or(info.latency.and_then(|l| l.target)).or(suggested).unwrap_or(default);
        let (mut low, mut high) = (config.min_rate.min(1.0), config.max_rate.max(1.0));
        if let Some((min, max)) = info.playback_rate {
            low = low.max(min);
            high = high.min(max);
        }
        let max_drift = config
            .max_drift
            .or(info.latency.and_then(|l| l.max).map(|max| max.saturating_sub(target)))
            .unwrap_or_else(|| Duration::from_secs(3).max(segment_duration * 2));
        let mut stats = LatencyStats::new(target);
        stats.set_window(info.time_shift_buffer_depth);
        self.live = Some(LiveState {
            target,
            rate_bounds: (low, high),
            max_drift,
            following: true,
            rate: 1.0,
            next_tick: None,
            next_refresh: None,
            refresh_sent_at: None,
            refresh_failing_since: None,
            clock_request: None,
            waiting_for_clock: false,
            segment_duration,
            ended: false,
            stats,
        });
        self.schedule_refresh(presentation);
        let timing = info.utc_timing.first().cloned();
        match timing {
            Some(UtcTiming::Direct(server)) => {
                let now = self.now;
                self.sync_clock(server, now, ClockSource::UtcTiming);
            }
            Some(UtcTiming::HttpBody(url)) => self.ask_clock(url, false),
            Some(UtcTiming::HttpHead(url)) => self.ask_clock(url, true),
            None => {}
        }
    }

    fn ask_clock(&mut self, url: url::Url, head: bool) {
        let resource = SegmentRef { url: url.to_string(), range: None };
        self.send(RequestKind::Clock, None, 0, None, None, url.to_string(), &resource);
        if let Some(r) = self.requests.last() {
            let id = r.id;
            if head && let Some(Output::Fetch(fetch)) = self.outputs.back_mut() {
                fetch.method = Method::Head;
            }
            if let Some(live) = self.live.as_mut() {
                live.clock_request = Some((id, head));
            }
        }
    }

    fn representative_segment_duration(&self, presentation: &Presentation) -> Duration {
        self.played_period(presentation)
            .into_iter()
            .flat_map(|p| &p.tracks)
            .filter_map(|t| t.representations.first()?.segments.segments()?.timing(0))
            .map(|(_, d)| d)
            .find(|d| !d.is_zero())
            .unwrap_or(Duration::from_secs(2))
    }

    /// Where the live edge is at `now` on the played period's timeline: media ending before it
    /// has been produced.
    pub(super) fn live_edge(&self, now: Duration) -> Option<Duration> {
        let presentation = self.presentation.as_deref()?;
        let info = presentation.live.as_ref()?;
        let period_start = self.played_period(presentation)?.start;
        Some(self.wall_now(now)?.saturating_sub(info.availability_start.saturating_add(period_start)))
    }

    /// The session time at which the played period's time `p` is at the live edge.
    fn session_time_of_edge(&self, p: Duration) -> Option<Duration> {
        let presentation = self.presentation.as_deref()?;
        let info = presentation.live.as_ref()?;
        let period_start = self.played_period(presentation)?.start;
        let wall = info.availability_start.saturating_add(period_start).saturating_add(p);
        Some(wall.saturating_sub(self.wall?.at_zero))
    }

    /// The oldest position still in the DVR window at `now`.
    pub(super) fn window_start(&self, now: Duration) -> Option<Duration> {
        let depth = self.presentation.as_deref()?.live.as_ref()?.time_shift_buffer_depth?;
        Some(self.live_edge(now)?.saturating_sub(depth))
    }

    /// Latency to the live edge at `now`.
    pub(super) fn latency(&self, now: Duration) -> Option<Duration> {
        Some(self.live_edge(now)?.saturating_sub(self.position(now)))
    }

    /// Where a live session starts: the target latency behind the edge, within what is listed.
    pub(super) fn live_start(&mut self, presentation: &Presentation) -> Option<Duration> {
        let live = self.live.as_ref()?;
        if live.clock_request.is_some() {
            self.live.as_mut()?.waiting_for_clock = true;
            return None;
        }
        self.check_clock_against_timeline(presentation);
        let live = self.live.as_ref()?;
        let Some(edge) = self.live_edge(self.now) else {
            self.fail(crate::PlayerError::Unplayable(
                "a live stream needs the time, and there is none: no wall clock from the driver, no \
                 UTCTiming, Date header or @publishTime, and no SegmentTimeline"
                    .into(),
            ));
            return None;
        };
        let target = live.target;
        let mut start = edge.saturating_sub(target);
        if let Some(window) = self.window_start(self.now) {
            start = start.max(window);
        }
        for i in 0..self.tracks.len() {
            let Some(segments) = self.track_timeline(presentation, i) else { continue };
            let listed = self.tracks[i].segment_count.min(segments.len());
            if let Some((first, _)) = segments.timing(0) {
                start = start.max(first);
            }
            if let Some((last_start, _)) = listed.checked_sub(1).and_then(|l| segments.timing(l)) {
                // An MPD listing fewer segments than the clock says exist: start at its newest.
                start = start.min(last_start.max(segments.timing(0).map_or(Duration::ZERO, |f| f.0)));
            }
        }
        // The first segment alone must hold some playing time: a start in its last moments
        // would stall while the next one is fetched (or not produced yet). Start a little
        // earlier instead; the catch-up takes the extra latency back.
        let least = (live.segment_duration / 2).min(Duration::from_secs(1));
        for i in 0..self.tracks.len() {
            let Some(segments) = self.track_timeline(presentation, i) else { continue };
            if let Some((first_start, duration)) = segments.timing(segments.index_ending_after(start))
                && first_start + duration < start + least
            {
                start = (first_start + duration).saturating_sub(least).max(first_start);
            }
        }
        Some(start)
    }

    /// A SegmentTimeline lists what exists: when a clock that was not read from the server puts
    /// the edge before its first segment or long after its last, the clock is off (a wrong
    /// device clock, no `UTCTiming`), and the newest listed segment's end is taken as the edge.
    fn check_clock_against_timeline(&mut self, presentation: &Presentation) {
        if self.wall.is_some_and(|w| w.source >= ClockSource::DateHeader) {
            return;
        }
        // No clock at all (no device clock, publish time, server clock or Date header): the
        // timeline is all there is.
        let edge = self.live_edge(self.now);
        let depth = presentation.live.as_ref().and_then(|l| l.time_shift_buffer_depth);
        let slack = depth.unwrap_or(Duration::ZERO).max(Duration::from_secs(60));
        let mut newest: Option<Duration> = None;
        for i in 0..self.tracks.len() {
            let Some(segments) = self.track_timeline(presentation, i) else { continue };
            let Some((first, _)) = segments.timing(0) else { continue };
            let Some((start, duration)) = segments.len().checked_sub(1).and_then(|l| segments.timing(l))
            else {
                continue;
            };
            let last_end = start + duration;
            // An open-ended template reaches far into the future: it says nothing of the edge.
            if last_end > first + Duration::from_secs(86_400 * 365) {
                return;
            }
            newest = Some(newest.map_or(last_end, |n| n.min(last_end)));
            if let Some(edge) = edge
                && edge + duration >= first
                && edge <= last_end + slack
            {
                return;
            }
        }
        let (Some(newest), Some(info)) = (newest, presentation.live.as_ref()) else { return };
        let Some(period_start) = self.played_period(presentation).map(|p| p.start) else { return };
        let wall = info.availability_start.saturating_add(period_start).saturating_add(newest);
        let device = self.wall.and_then(|w| w.device_at_zero);
        let at_zero = wall.saturating_sub(self.now);
        self.wall = Some(WallClock { at_zero, source: ClockSource::Timeline, device_at_zero: device });
        let offset_ms = device.map_or(0.0, |d| (at_zero.as_secs_f64() - d.as_secs_f64()) * 1000.0);
        self.emit(PlayerEvent::ClockSynced { source: ClockSource::Timeline.name(), offset_ms });
    }

    /// A live stream that began less than the target latency ago (or whose MPD lists less):
    /// playback waits until it is that far behind the edge, rather than start and stall on
    /// every segment. The session time to start at, while it is in the future.
    pub(super) fn live_start_hold(&self) -> Option<Duration> {
        let live = self.live.as_ref()?;
        if self.has_played || live.ended {
            return None;
        }
        let latency = self.latency(self.now)?;
        let wanted = live.target.saturating_sub(crate::live::DEAD_ZONE);
        (latency < wanted && self.buffer_level(self.now) < wanted).then(|| self.now + (wanted - latency))
    }

    /// A live start plays from inside a segment, where a VOD start has the whole first segment:
    /// it waits for half a segment's worth (or a quarter of the target) so the next fetch does
    /// not stall it.
    /// Media that far ahead is available already (the start is the target behind the edge).
    pub(super) fn live_start_needs_more(&self, level: Duration) -> bool {
        let Some(live) = self.live.as_ref() else { return false };
        !self.has_played && !live.ended && level < (live.segment_duration / 2).min(live.target / 4)
    }

    /// Why track `i` cannot fetch its next segment yet (a live segment not produced yet, or not
    /// listed yet): the time to look again.
    pub(super) fn live_wait(&mut self, i: usize) -> Option<Duration> {
        let live = self.live.as_ref()?;
        let presentation = self.presentation.clone()?;
        let t = &self.tracks[i];
        if !t.live {
            return None;
        }
        let step = live.segment_duration.min(Duration::from_secs(1)).max(MIN_REFRESH_INTERVAL);
        let segments = self.track_timeline(&presentation, i)?;
        let next = t.next_segment;
        if next >= t.segment_count.min(segments.len()) {
            let period = self.period;
            let ended = self.played_period(&presentation).is_some_and(|p| p.duration.is_some());
            if ended && let Some(next_period) = presentation.periods.get(period + 1) {
                // The period played has ended and the MPD goes on in another: playing periods
                // in turn is not built yet, and waiting here would stall for ever.
                let name = next_period.id.clone().unwrap_or_else(|| format!("{}", period + 1));
                self.fail(crate::PlayerError::Unplayable(format!(
                    "the live stream goes on in a new period ({name:?}), and Flick plays one period only"
                )));
                return None;
            }
            // Not listed yet: a newer MPD lists it.
            self.refresh_manifest(true);
            return Some(self.now.saturating_add(step));
        }
        let (start, duration) = segments.timing(next)?;
        let offset = self.played_track(&presentation, i)?.representations.first()?.availability_time_offset;
        let early = if offset.is_finite() { Duration::from_secs_f64(offset.min(1e6)) } else { duration };
        let available = (start + duration).saturating_sub(early.min(duration));
        let at = self.session_time_of_edge(available)?;
        (at > self.now).then_some(at)
    }

    /// Ask for the MPD again: on its `@minimumUpdatePeriod`, or (`needed`) because a segment is
    /// not listed yet.
    pub(super) fn refresh_manifest(&mut self, needed: bool) {
        let Some(live) = self.live.as_ref() else { return };
        if live.ended || self.requests.iter().any(|r| r.kind == RequestKind::Manifest) {
            return;
        }
        if needed && live.refresh_sent_at.is_some_and(|at| self.now < at + MIN_REFRESH_INTERVAL) {
            return;
        }
        if let Some(live) = self.live.as_mut() {
            live.refresh_sent_at = Some(self.now);
            live.next_refresh = None;
        }
        self.request_manifest();
    }

    fn schedule_refresh(&mut self, presentation: &Presentation) {
        let period = presentation.live.as_ref().and_then(|l| l.minimum_update_period);
        let Some(live) = self.live.as_mut() else { return };
        let from = live.refresh_sent_at.unwrap_or(self.now);
        live.next_refresh = period.map(|p| from + p.max(MIN_REFRESH_INTERVAL));
    }

    /// A new version of the MPD of a live session.
    pub(super) fn on_refresh(&mut self, fresh: Presentation) {
        let Some(old) = self.presentation.clone() else { return };
        if let Some(live) = self.live.as_mut() {
            live.refresh_failing_since = None;
        }
        let dynamic = fresh.is_live();
        self.emit(PlayerEvent::ManifestUpdated { dynamic, periods: fresh.periods.len() });
        let Some(old_period) = self.played_period(&old) else { return };
        let same = |p: &crate::presentation::Period| match (&p.id, &old_period.id) {
            (Some(a), Some(b)) => a == b,
            _ => p.start == old_period.start,
        };
        let Some(period) = fresh.periods.iter().position(same) else {
            // The period played left the MPD: keep playing what was known of it.
            return;
        };
        // Where each track's next segment starts, to find it again in the new timeline.
        let resume: Vec<Duration> = (0..self.tracks.len())
            .map(|i| {
                let t = &self.tracks[i];
                self.track_timeline(&old, i)
                    .and_then(|s| s.timing(t.next_segment))
                    .map_or(t.buffered_end, |x| x.0)
            })
            .collect();
        let fresh = Arc::new(fresh);
        self.presentation = Some(fresh.clone());
        self.period = period;
        self.generation += 1;
        let Some(new_period) = self.played_period(&fresh) else { return };
        let mut rebuild = false;
        for (i, at) in resume.into_iter().enumerate() {
            let t = &self.tracks[i];
            let Some(track) = new_period.tracks.get(t.track) else {
                rebuild = true;
                continue;
            };
            if track.kind != t.kind || track.representations.len() != t.rungs.len() {
                rebuild = true;
                continue;
            }
            let counted = TrackState::new(t.kind, t.track, track, new_period.duration);
            let next = self
                .track_timeline(&fresh, i)
                .map_or(0, |s| s.index_ending_after(at + Duration::from_millis(1)));
            let t = &mut self.tracks[i];
            t.segment_count = counted.segment_count;
            t.next_segment = next;
            t.live = dynamic;
            if matches!(t.wait, Wait::Available(_)) {
                t.wait = Wait::None;
            }
        }
        if rebuild {
            let position = self.position(self.now);
            for t in &mut self.tracks {
                if let Some(track) = new_period.tracks.get(t.track).filter(|tr| tr.kind == t.kind) {
                    *t = TrackState::new(t.kind, t.track, track, new_period.duration);
                    t.live = dynamic;
                }
            }
            self.seek(position);
        }
        if dynamic {
            self.schedule_refresh(&fresh);
        } else if let Some(live) = self.live.as_mut() {
            live.ended = true;
            live.next_refresh = None;
            self.set_rate(1.0);
        }
        self.report_mpd_events(&fresh);
    }

    /// A live MPD refresh failed: try again (the `<Location>` first, then the URL first loaded),
    /// and give up only if a track needs it and it kept failing.
    pub(super) fn on_refresh_failed(&mut self, error: crate::io::FetchError) {
        let now = self.now;
        let Some(live) = self.live.as_mut() else { return };
        let since = *live.refresh_failing_since.get_or_insert(now);
        // Retry at once elsewhere when there is somewhere else, in a second otherwise.
        let candidates = self.manifest_candidates();
        let next = candidates
            .iter()
            .position(|u| Some(u) == self.manifest_url.as_ref())
            .map_or(0, |i| (i + 1) % candidates.len().max(1));
        let elsewhere = candidates.get(next).filter(|u| Some(*u) != self.manifest_url.as_ref()).cloned();
        if let Some(live) = self.live.as_mut() {
            live.next_refresh =
                Some(now + if elsewhere.is_some() { MIN_REFRESH_INTERVAL } else { Duration::from_secs(1) });
            live.refresh_sent_at = None;
        }
        if let Some(url) = elsewhere {
            self.manifest_url = Some(url);
        }
        let needs = self.tracks.iter().any(|t| t.live && t.next_segment >= t.segment_count);
        if needs && self.failover.gives_up(since, now) {
            self.fail(crate::PlayerError::AllLocationsFailed {
                what: "live manifest".into(),
                last: Some(error),
            });
        }
    }

    /// Where a live MPD can be asked for: its `<Location>`s, the URL it was loaded from, and that
    /// URL on every other location (CDN) of the presentation, when it sits under one of their
    /// base URLs (a multi-CDN origin serves the MPD at the same path on each).
    pub(super) fn manifest_candidates(&self) -> Vec<url::Url> {
        let mut candidates: Vec<url::Url> = Vec::new();
        let mut add = |u: url::Url| {
            if !candidates.contains(&u) {
                candidates.push(u);
            }
        };
        let Some(presentation) = self.presentation.as_deref() else { return Vec::new() };
        for u in presentation.live.iter().flat_map(|l| &l.locations) {
            add(u.clone());
        }
        let Some(first) = self.first_manifest_url.clone() else { return candidates };
        add(first.clone());
        let bases: Vec<&url::Url> = self
            .played_period(presentation)
            .into_iter()
            .flat_map(|p| &p.tracks)
            .flat_map(|t| t.representations.first())
            .flat_map(|r| r.base_urls.iter().map(|b| &b.url))
            .collect();
        if let Some(rest) = bases.iter().find_map(|b| first.as_str().strip_prefix(b.as_str())) {
            for base in &bases {
                if let Ok(u) = base.join(rest) {
                    add(u);
                }
            }
        }
        candidates
    }

    /// For a live MPD refresh without a `<Location>`: the MPD's URL on the healthiest location
    /// (as segments choose theirs), and that location, when the MPD sits under the locations'
    /// base URLs.
    pub(super) fn refresh_location(&self) -> Option<(url::Url, usize)> {
        let presentation = self.presentation.as_deref()?;
        let live = presentation.live.as_ref()?;
        if !live.locations.is_empty() {
            return None;
        }
        let first = self.first_manifest_url.as_ref()?;
        let bases: Vec<&crate::presentation::BaseUrl> = self
            .played_period(presentation)?
            .tracks
            .first()?
            .representations
            .first()?
            .base_urls
            .iter()
            .collect();
        let rest = bases.iter().find_map(|b| first.as_str().strip_prefix(b.url.as_str()))?;
        let candidates: Vec<crate::presentation::BaseUrl> = bases
            .iter()
            .filter_map(|b| {
                Some(crate::presentation::BaseUrl { url: b.url.join(rest).ok()?, location: b.location })
            })
            .collect();
        let level = self.buffer_level(self.now);
        match self.failover.pick(&candidates, self.now, level) {
            crate::failover::location::Pick::Now(k) => candidates.get(k).map(|c| (c.url.clone(), c.location)),
            crate::failover::location::Pick::Wait(_) => None,
        }
    }

    /// Sample the latency and steer the playback rate; refresh the MPD when due.
    pub(super) fn live_tick(&mut self) {
        let now = self.now;
        let Some(live) = self.live.as_ref() else { return };
        if live.next_refresh.is_some_and(|at| now >= at) {
            self.refresh_manifest(false);
        }
        let Some(live) = self.live.as_ref() else { return };
        if self.state != PlayerState::Playing {
            if let Some(l) = self.live.as_mut() {
                l.next_tick = None;
            }
            return;
        }
        if live.ended || live.next_tick.is_some_and(|at| now < at) {
            return;
        }
        let (target, following, max_drift, bounds, rate) =
            (live.target, live.following, live.max_drift, live.rate_bounds, live.rate);
        let since_tick = live.next_tick.map_or(Duration::ZERO, |at| LIVE_TICK + now.saturating_sub(at));
        if let Some(l) = self.live.as_mut() {
            l.next_tick = Some(now + LIVE_TICK);
        }
        let Some(latency) = self.latency(now) else { return };
        let window_start = self.window_start(now);
        let position = self.position(now);
        let dvr = window_start.map(|w| position.saturating_sub(w));
        let buffer = self.buffer_level(now);
        if let Some(l) = self.live.as_mut() {
            l.stats.sample(now, latency, dvr);
            if rate != 1.0 {
                l.stats.caught_up_for(since_tick);
            }
        }
        if let Some(start) = window_start
            && position < start
        {
            // The window moved past the position (a long pause or stall): back into it.
            self.jump_to_live();
            return;
        }
        if !following {
            self.set_rate(1.0);
            return;
        }
        let error = latency.as_secs_f64() - target.as_secs_f64();
        if latency > target + max_drift {
            self.jump_to_live();
            return;
        }
        // Hysteresis: catching up starts past the dead zone's double and goes on until the
        // error is within half of it, so the rate does not flicker around the target.
        let dead_zone = crate::live::DEAD_ZONE.as_secs_f64();
        let settled = if rate == 1.0 { 1.5 * dead_zone } else { dead_zone / 2.0 };
        let rate = if error.abs() < settled && buffer >= crate::live::LOW_BUFFER {
            1.0
        } else {
            crate::live::catch_up_rate(error, buffer, bounds)
        };
        self.set_rate(rate);
    }

    /// Seek to the target latency behind the live edge and follow it.
    fn jump_to_live(&mut self) {
        if let Some(live) = self.live.as_mut() {
            live.stats.jumped();
        }
        self.go_live();
    }

    /// [`crate::Input::GoLive`].
    pub(super) fn go_live(&mut self) {
        let Some(live) = self.live.as_ref() else { return };
        let Some(edge) = self.live_edge(self.now) else { return };
        let target = edge.saturating_sub(live.target);
        self.set_following(true);
        self.seek(target);
    }

    fn set_following(&mut self, following: bool) {
        let Some(live) = self.live.as_mut() else { return };
        if live.following != following {
            live.following = following;
            let target_latency = live.target;
            self.emit(PlayerEvent::LiveEdge { following, target_latency });
        }
    }

    /// A seek in a live session: kept within the window and short of the edge; seeking close
    /// to the edge follows it again, further back stops following.
    pub(super) fn clamp_live_seek(&mut self, position: Duration) -> Duration {
        let Some(live) = self.live.as_ref() else { return position };
        if live.ended {
            return position;
        }
        let (Some(edge), target, segment) = (self.live_edge(self.now), live.target, live.segment_duration)
        else {
            return position;
        };
        let latest = edge.saturating_sub(segment);
        let mut position = position.min(latest);
        if let Some(start) = self.window_start(self.now) {
            position = position.max(start);
        }
        let following = edge.saturating_sub(position) <= target + segment;
        self.set_following(following);
        position
    }

    /// Play at `rate`.
    pub(super) fn set_rate(&mut self, rate: f64) {
        let Some(live) = self.live.as_mut() else { return };
        if live.rate == rate {
            return;
        }
        live.rate = rate;
        self.clock.set_rate(rate, self.now);
        self.outputs.push_back(Output::SetPlaybackRate { rate });
        self.emit(PlayerEvent::PlaybackRateChanged { rate });
    }

    /// A live segment was answered 404: produced late, or the clock is off. Wait and ask again
    /// (and read the server's clock again) rather than blame the location, a few times.
    pub(super) fn not_produced_yet(&mut self, i: usize) -> bool {
        if self.live.as_ref().is_none_or(|l| l.ended) || !self.tracks[i].live {
            return false;
        }
        let t = &mut self.tracks[i];
        if t.not_yet >= NOT_YET_TRIES {
            t.not_yet = 0;
            return false;
        }
        t.not_yet += 1;
        let wait = self
            .live
            .as_ref()
            .map_or(MIN_REFRESH_INTERVAL, |l| (l.segment_duration / 4).max(MIN_REFRESH_INTERVAL));
        let t = &mut self.tracks[i];
        t.in_flight = false;
        t.wait = Wait::Available(self.now + wait);
        let timing = self.presentation.as_ref().and_then(|p| p.live.as_ref()?.utc_timing.first().cloned());
        if self.live.as_ref().is_some_and(|l| l.clock_request.is_none()) {
            match timing {
                Some(UtcTiming::HttpBody(url)) => self.ask_clock(url, false),
                Some(UtcTiming::HttpHead(url)) => self.ask_clock(url, true),
                _ => {}
            }
        }
        true
    }

    /// Report the MPD's events not reported yet.
    pub(super) fn report_mpd_events(&mut self, presentation: &Presentation) {
        for event in &presentation.events {
            self.report_event(event.clone());
        }
    }

    /// Report an event once.
    pub(super) fn report_event(&mut self, event: StreamEvent) {
        let key: EventKey =
            (event.scheme_id_uri.clone(), event.value.clone(), event.id.clone(), event.presentation_time);
        // In-band events are identified by scheme, value and id alone (they repeat in segments).
        let seen =
            |k: &EventKey| k.0 == key.0 && k.1 == key.1 && k.2 == key.2 && (event.in_band || k.3 == key.3);
        if self.seen_events.iter().any(seen) {
            return;
        }
        if self.seen_events.len() == EVENTS_REMEMBERED {
            self.seen_events.pop_front();
        }
        self.seen_events.push_back(key);
        self.emit(PlayerEvent::StreamEvent(event));
    }

    /// The live part of the status.
    pub(super) fn live_status(&self, now: Duration) -> Option<crate::status::LiveStatus> {
        let live = self.live.as_ref()?;
        let edge = self.live_edge(now)?;
        Some(crate::status::LiveStatus {
            latency: edge.saturating_sub(self.position(now)),
            target_latency: live.target,
            window: (self.window_start(now).unwrap_or(Duration::ZERO), edge),
            following: live.following,
            playback_rate: live.rate,
            ended: live.ended,
            clock: self.wall.map_or("none", |w| w.source.name()),
        })
    }
}

/// Stream events already reported.
pub(crate) type SeenEvents = VecDeque<EventKey>;
