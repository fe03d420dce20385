//! The wall clock of a live session: the device's, corrected from the server's (`UTCTiming`, a
//! `Date` header) or, when grossly at odds with it, from a SegmentTimeline.

use super::{ClockSource, WallClock};
use crate::io::{Method, Output, PlayerEvent, RequestId, RequestKind};
use crate::player::Player;
use crate::presentation::{Presentation, SegmentRef};
use core::time::Duration;

impl Player {
    /// The wall-clock time at session time `now`, if known.
    pub(in crate::player) fn wall_now(&self, now: Duration) -> Option<Duration> {
        self.wall.map(|w| w.at_zero.saturating_add(now))
    }

    /// The device's wall clock at the current session time.
    pub(in crate::player) fn on_wall_clock(&mut self, unix: Duration) {
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
    pub(in crate::player) fn sync_clock(&mut self, server: Duration, sent_at: Duration, source: ClockSource) {
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
    pub(in crate::player) fn on_server_date(&mut self, id: RequestId, date: &str) {
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
    pub(in crate::player) fn on_clock_answer(&mut self, sent_at: Duration, body: &[u8]) {
        let head = self.live.as_ref().and_then(|l| l.clock_request).is_some_and(|(_, head)| head);
        if !head && let Some(server) = std::str::from_utf8(body).ok().and_then(crate::live::clock::parse_iso)
        {
            self.sync_clock(server, sent_at, ClockSource::UtcTiming);
        }
        self.clock_done();
    }

    /// The clock request ended (read or failed): playback may start.
    pub(in crate::player) fn clock_done(&mut self) {
        let Some(live) = self.live.as_mut() else { return };
        live.clock_request = None;
        if std::mem::take(&mut live.waiting_for_clock) {
            self.begin_playback();
        }
    }

    pub(in crate::player) fn ask_clock(&mut self, url: url::Url, head: bool) {
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

    /// A SegmentTimeline lists what exists: when a clock that was not read from the server puts
    /// the edge before its first segment or long after its last, the clock is off (a wrong
    /// device clock, no `UTCTiming`), and the newest listed segment's end is taken as the edge.
    pub(in crate::player) fn check_clock_against_timeline(&mut self, presentation: &Presentation) {
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
}
