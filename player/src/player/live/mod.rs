//! Live playback: the wall clock and its sync with the server, where the live edge is and which
//! segments exist yet, the start at the target latency, MPD refreshes, the catch-up rate, DVR
//! seeks and "back to live".
//!
//! Presentation time `p` of the played period is at wall-clock time `availabilityStartTime +
//! period start + p`; a segment can be fetched once its end is that far in the past (less its
//! `@availabilityTimeOffset`). The core never reads a clock: the wall clock is the device's
//! ([`crate::Input::WallClock`]) until the server's is read.

mod clock;
mod events;
mod refresh;

use super::Player;
use super::track::Wait;
use crate::io::{Output, PlayerEvent, RequestId};
use crate::live::LatencyStats;
use crate::presentation::{Presentation, UtcTiming};
use crate::state::PlayerState;
use core::time::Duration;
use std::collections::VecDeque;

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
    pub(in crate::player) fn name(self) -> &'static str {
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

    pub(in crate::player) fn representative_segment_duration(&self, presentation: &Presentation) -> Duration {
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
    pub(in crate::player) fn session_time_of_edge(&self, p: Duration) -> Option<Duration> {
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

    /// Where a live session starts (tracks set at their first segment, the decoder told):
    /// `None` while the server's clock is read, or when the stream cannot be played.
    pub(super) fn live_begin(&mut self, presentation: &Presentation) -> Option<Duration> {
        if let Some(i) = (0..self.tracks.len()).find(|&i| {
            self.track_timeline(presentation, i).is_some_and(|s| {
                s.len() == 1 && s.timing(0).is_some_and(|(_, d)| d > Duration::from_secs(86_400))
            })
        }) {
            let kind = self.tracks[i].kind;
            self.fail(crate::PlayerError::Unplayable(format!(
                "the live {kind:?} track has no segment addressing (one endless resource): not supported"
            )));
            return None;
        }
        let start = self.live_start(presentation)?;
        for i in 0..self.tracks.len() {
            let next = self.track_timeline(presentation, i).map_or(0, |s| s.index_ending_after(start));
            let t = &mut self.tracks[i];
            t.live = true;
            t.next_segment = next;
        }
        self.outputs.push_back(Output::Flush { position: start });
        let target_latency = self.live.as_ref().map_or(Duration::ZERO, |l| l.target);
        self.emit(PlayerEvent::LiveEdge { following: true, target_latency });
        Some(start)
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
    pub(in crate::player) fn jump_to_live(&mut self) {
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

    pub(in crate::player) fn set_following(&mut self, following: bool) {
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
