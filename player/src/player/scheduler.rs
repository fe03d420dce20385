//! Deciding what to fetch next, per track, and sending the requests.

use super::track::{TrackSizes, Wait};
use super::{InFlight, Player};
use crate::error::PlayerError;
use crate::failover::location::Pick;
use crate::io::{FetchRequest, Output, RequestKind};
use crate::presentation::{SegmentRef, TrackKind};
use crate::state::PlayerState;
use core::time::Duration;
use flick_abr::{Decision, DecisionContext};

impl Player {
    /// Act on everything that is due: request timeouts, retries, and each track's next fetch.
    pub(super) fn drive(&mut self) {
        self.expire_requests();
        self.poll_steering();
        self.poll_decoder();
        if let Some(at) = self.manifest_retry_at.filter(|&t| t <= self.now) {
            self.manifest_retry_at = None;
            let _ = at;
            self.request_manifest();
        }
        if self.state == PlayerState::Loading {
            self.pump_indexes();
        }
        if !self.state.is_active() {
            return;
        }
        self.live_tick();
        if !self.state.is_active() {
            return;
        }
        for i in 0..self.tracks.len() {
            self.schedule_track(i);
            if !self.state.is_active() {
                return;
            }
        }
        self.check_ready();
    }

    fn schedule_track(&mut self, i: usize) {
        let t = &self.tracks[i];
        if t.in_flight || t.done() || self.waits_for_slower_track(i) {
            return;
        }
        match t.wait {
            Wait::BufferFull(until) | Wait::Available(until) if self.now < until => return,
            Wait::Delayed { until, rung } | Wait::Retry { until, rung } => {
                if self.now < until {
                    return;
                }
                if self.gave_up(i) {
                    return;
                }
                self.tracks[i].wait = Wait::None;
                self.fetch(i, rung);
                return;
            }
            _ => {}
        }
        self.tracks[i].wait = Wait::None;
        if let Some(until) = self.live_wait(i) {
            self.tracks[i].wait = Wait::Available(until);
            return;
        }
        let level = self.track_level(i);
        let next =
            if self.config.count_next_segment { self.next_segment_duration(i) } else { Duration::ZERO };
        let wanted = level + next;
        if wanted > self.config.max_buffer {
            let wait = self.config.full_buffer_poll.unwrap_or(wanted - self.config.max_buffer);
            self.tracks[i].wait = Wait::BufferFull(self.now.saturating_add(wait));
            if self.tracks[i].kind == TrackKind::Video {
                self.abr.on_idle(wait);
            }
            return;
        }
        let decision = self.decide(i);
        if decision.delay.is_zero() {
            self.fetch(i, decision.rung);
        } else {
            self.tracks[i].wait =
                Wait::Delayed { until: self.now.saturating_add(decision.delay), rung: decision.rung };
        }
    }

    /// Before playback starts (or starts again after a stall or a seek), a track that is ahead of
    /// another whose download is under way leaves it the link: playing needs every track's next
    /// segment, not a second segment of the smaller one.
    fn waits_for_slower_track(&self, i: usize) -> bool {
        if !matches!(self.state, PlayerState::Buffering | PlayerState::Seeking) {
            return false;
        }
        let end = self.tracks[i].buffered_end;
        self.tracks.iter().enumerate().any(|(j, t)| j != i && t.in_flight && t.buffered_end < end)
    }

    /// Fail the session if track `i` has been failing on every location for too long.
    fn gave_up(&mut self, i: usize) -> bool {
        let t = &self.tracks[i];
        let Some(since) = t.failing_since else { return false };
        if !self.failover.gives_up(since, self.now) {
            return false;
        }
        let what = format!(
            "segment {} of the {:?} track: no location answered for {:?}",
            t.next_segment,
            t.kind,
            self.failover.give_up_after()
        );
        self.fail(PlayerError::AllLocationsFailed { what, last: None });
        true
    }

    fn next_segment_duration(&self, i: usize) -> Duration {
        let t = &self.tracks[i];
        self.presentation
            .as_ref()
            .and_then(|p| self.track_timeline(p, i)?.timing(t.next_segment))
            .map_or(t.segment_duration, |(_, duration)| duration)
    }

    fn decide(&mut self, i: usize) -> Decision {
        let t = &self.tracks[i];
        let top = t.rungs.len().saturating_sub(1);
        if t.kind != TrackKind::Video {
            return Decision::rung(self.audio_rung(i));
        }
        if let Some(rung) = self.pinned_rung {
            return Decision::rung(rung.min(top));
        }
        let Some(presentation) = self.presentation.clone() else { return Decision::rung(0) };
        let Some(track) = self.played_track(&presentation, i) else { return Decision::rung(0) };
        let sizes = TrackSizes(track);
        let ctx = DecisionContext {
            now: self.now,
            rungs: &t.rungs,
            sizes: &sizes,
            segment: t.next_segment,
            segment_count: t.segment_count,
            segment_duration: t.segment_duration,
            buffer_level: self.track_level(i),
            max_buffer: self.config.max_buffer,
            throughput: self.estimator.view(),
            last_rung: t.last_rung,
            last_seek_segment: self.last_seek_segment,
            abandoned_rung: t.abandoned_rung,
        };
        let mut decision = if t.last_rung.is_none() && t.abandoned_rung.is_none() {
            Decision::rung(self.config.initial_rung.unwrap_or_else(|| self.abr.initial(&ctx)))
        } else {
            self.abr.choose(&ctx)
        };
        decision.rung = decision.rung.min(top).min(t.retry_cap.unwrap_or(top));
        decision
    }

    /// Audio needs a tenth of the throughput at most; the lowest rung until it is measured.
    fn audio_rung(&self, i: usize) -> usize {
        let rungs = &self.tracks[i].rungs;
        match self.estimator.estimate() {
            None => 0,
            Some(e) => rungs.iter().rposition(|r| r.bps().saturating_mul(10) <= e.bps()).unwrap_or(0),
        }
    }

    /// Request the track's next media segment at `rung` and, when the decoder will need the
    /// init segment of `rung` and it is neither cached nor on its way, the init segment beside it
    /// (in parallel, from the same location: one round trip less at start-up and on switches).
    pub(super) fn fetch(&mut self, i: usize, rung: usize) {
        let Some(presentation) = self.presentation.clone() else { return };
        let Some(rep) = self.played_track(&presentation, i).and_then(|t| t.representations.get(rung)) else {
            return;
        };
        let t = &self.tracks[i];
        let init_on_its_way =
            self.requests.iter().any(|r| r.track == Some(i) && r.kind == RequestKind::Init && r.rep == rung);
        let init = rep.segments.init().filter(|_| t.init_data[rung].is_none() && !init_on_its_way).cloned();
        let media_held =
            t.held_media.as_ref().is_some_and(|(h, _)| h.rep == rung && h.segment == Some(t.next_segment));
        let Some(segment) = rep.segments.segments().and_then(|s| s.get(t.next_segment)) else {
            self.fail(PlayerError::Unplayable(format!(
                "representation {} has no segment {}",
                rep.id, t.next_segment
            )));
            return;
        };
        let media = (!media_held).then(|| segment.location.clone());
        let (segment_start, segment_duration) = (segment.start, segment.duration);
        let candidates = self.failover.candidates(&rep.base_urls, &presentation.locations);
        let base = match self.failover.pick(&candidates, self.now, self.track_level(i)) {
            Pick::Now(k) => candidates[k].clone(),
            Pick::Wait(until) => {
                let deadline = self.tracks[i].failing_since.map(|s| self.failover.give_up_at(s));
                let until = deadline.map_or(until, |d| until.min(d));
                self.tracks[i].wait = Wait::Retry { until, rung };
                return;
            }
        };
        let location = base.location;
        let url_of = |player: &Self, resource: &SegmentRef| {
            player
                .failover
                .url(&base, resource)
                .map_err(|e| PlayerError::Unplayable(format!("bad segment URL {}: {e}", resource.url)))
        };
        if let Some(init) = init {
            match url_of(self, &init) {
                Ok(url) => self.send(RequestKind::Init, Some(i), rung, None, Some(location), url, &init),
                Err(e) => return self.fail(e),
            }
        }
        let Some(mut resource) = media else { return };
        let url = match url_of(self, &resource) {
            Ok(url) => url,
            Err(e) => return self.fail(e),
        };
        self.note_media_location(location);
        let carried = self.resumable_part(i, rung, &mut resource);
        let segment = Some(self.tracks[i].next_segment);
        let timing = Some((segment_start, segment_duration));
        self.send(RequestKind::Media, Some(i), rung, segment, Some(location), url, &resource);
        if let Some(r) = self.requests.last_mut() {
            r.timing = timing;
            if let Some((prefix, data)) = carried {
                r.prefix = prefix;
                r.data = data;
            }
        }
    }

    /// Take the part of the next segment a failed request already received, if it can be
    /// resumed: narrow `resource` to the rest and return the bytes carried over.
    fn resumable_part(
        &mut self,
        i: usize,
        rung: usize,
        resource: &mut SegmentRef,
    ) -> Option<(u64, Vec<bytes::Bytes>)> {
        let t = &mut self.tracks[i];
        let partial = t.partial.take()?;
        if partial.rep != rung || partial.segment != t.next_segment || partial.received == 0 {
            return None;
        }
        let next = t.next_segment;
        let presentation = self.presentation.clone()?;
        let segments = self.played_track(&presentation, i)?.representations.get(rung)?.segments.segments()?;
        let size = segments.size(next).map(|s| s.get()).or(partial.total);
        resource.range = Some(crate::failover::resume::rest(resource.range, size, partial.received)?);
        Some((partial.received, partial.data))
    }

    fn note_media_location(&mut self, location: usize) {
        let id = self.location_id(Some(location));
        if self.metrics.last_media_location.as_deref() != Some(id.as_str()) {
            let from = self.metrics.last_media_location.replace(id.clone());
            if from.is_some() {
                self.metrics.cdn_switches += 1;
            }
            self.emit(crate::io::PlayerEvent::LocationChanged { from, to: id });
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn send(
        &mut self,
        kind: RequestKind,
        track: Option<usize>,
        rep: usize,
        segment: Option<usize>,
        location: Option<usize>,
        url: String,
        resource: &SegmentRef,
    ) {
        let id = self.next_request_id();
        if let Some(i) = track {
            self.tracks[i].in_flight = true;
        }
        let track_kind = track.map(|i| self.tracks[i].kind);
        let buffer = track.map(|i| self.track_level(i));
        let (mut first_byte_limit, stall_limit) =
            self.failover.limits(kind, buffer, self.estimator.latency());
        if let (Some(buffer), Some(live)) = (buffer, self.live.as_ref())
            && matches!(kind, RequestKind::Media | RequestKind::Init)
        {
            // A live buffer holds a few seconds: the usual floor of the wait for a first byte
            // would spend most of it on a dead server. An eighth of the target latency (and
            // never less than three round trips) is the floor instead.
            let floor = (live.target / 8)
                .max(Duration::from_millis(300))
                .max(self.estimator.latency().unwrap_or_default() * 3);
            first_byte_limit = first_byte_limit.min(buffer.mul_f64(0.25).max(floor));
        }
        if let (RequestKind::Manifest, Some(live)) = (kind, self.live.as_ref()) {
            // A refresh a timeline waits for: a silent server is left for another in a quarter of
            // the target latency.
            let floor = self.estimator.latency().unwrap_or_default() * 3;
            first_byte_limit =
                first_byte_limit.min((live.target / 4).max(Duration::from_millis(500)).max(floor));
        }
        let rung_bps = track.and_then(|i| self.tracks[i].rungs.get(rep)).map(|r| r.bps());
        let mut min_rate_bps = self.failover.min_rate(kind, rung_bps);
        let mut progress_window = crate::failover::PROGRESS_WINDOW;
        if let (Some(live), RequestKind::Media, Some(rung)) = (self.live.as_ref(), kind, rung_bps)
            && min_rate_bps > 0
        {
            // A live buffer cannot wait for a body coming at less than half its rate: it is
            // left for another location after a shorter window.
            min_rate_bps = min_rate_bps.max(rung / 2);
            progress_window = progress_window.min((live.target / 5).max(Duration::from_millis(500)));
        }
        self.requests.push(InFlight {
            id,
            kind,
            track,
            rep,
            segment,
            location,
            sent_at: self.now,
            first_byte_at: None,
            last_progress_at: self.now,
            received: 0,
            expected: None,
            data: Vec::new(),
            prefix: 0,
            first_byte_limit,
            stall_limit,
            min_rate_bps,
            window: (self.now, 0),
            progress_window,
            alive: false,
            timing: None,
            generation: self.generation,
        });
        let (url, headers) = self.with_cmcd(url, kind, track, rep);
        self.outputs.push_back(Output::Fetch(FetchRequest {
            id,
            url,
            range: resource.range,
            kind,
            track: track_kind,
            location,
            headers,
            method: crate::io::Method::Get,
        }));
    }

    /// Add CMCD to a request, as the configuration asks.
    fn with_cmcd(
        &mut self,
        url: String,
        kind: RequestKind,
        track: Option<usize>,
        rep: usize,
    ) -> (String, Vec<(String, String)>) {
        let Some(config) = self.config.cmcd.clone() else { return (url, Vec::new()) };
        if kind == RequestKind::Steering {
            return (url, Vec::new());
        }
        let ms = |d: Duration| d.as_millis() as u64;
        let mut data = crate::cmcd::CmcdData {
            object_type: "m",
            startup: !self.has_played,
            throughput_kbps: self.estimator.estimate().map(|e| e.bps() / 1000),
            ..Default::default()
        };
        if let Some(i) = track {
            let t = &self.tracks[i];
            data.bitrate_kbps = t.rungs.get(rep).map(|r| r.bps() / 1000);
            data.top_bitrate_kbps = t.rungs.last().map(|r| r.bps() / 1000);
            data.buffer_ms = Some(ms(self.track_level(i)));
            data.object_type = match (kind, t.kind) {
                (RequestKind::Init | RequestKind::Index, _) => "i",
                (_, TrackKind::Video) => "v",
                (_, TrackKind::Audio) => "a",
                (_, TrackKind::Text) => "c",
            };
            if kind == RequestKind::Media {
                data.duration_ms = Some(ms(t.segment_duration));
                data.buffer_starvation = std::mem::take(&mut self.starved_since_request);
            }
        }
        match config.transmission {
            crate::cmcd::CmcdTransmission::Headers => (url, data.headers(&config)),
            crate::cmcd::CmcdTransmission::Query => match url::Url::parse(&url) {
                Ok(mut u) => {
                    u.query_pairs_mut().append_pair("CMCD", &data.query_value(&config));
                    (u.to_string(), Vec::new())
                }
                Err(_) => (url, Vec::new()),
            },
        }
    }

    /// Give up requests that went unanswered, stopped progressing, or trickle below their floor.
    fn expire_requests(&mut self) {
        if !self.failover.has_timeouts() {
            return;
        }
        let now = self.now;
        let mut expired: Vec<(crate::io::RequestId, crate::io::FetchError)> = Vec::new();
        for r in &mut self.requests {
            if now >= r.deadline() && r.first_byte_at.is_none() {
                expired.push((r.id, crate::io::FetchError::Timeout));
            } else if now >= r.last_progress_at.saturating_add(r.stall_limit) {
                expired.push((r.id, crate::io::FetchError::Stalled));
            } else if r.trickles(now) {
                // Slow but alive, with nowhere better to go: let it bring what it can.
                if r.alive && !self.failover.leave_slow(r.location, now) {
                    r.window = (now, r.received);
                    r.alive = false;
                    continue;
                }
                expired.push((r.id, crate::io::FetchError::Stalled));
            }
        }
        for (id, error) in expired {
            // An earlier one may have failed the session, which cancelled every request.
            if self.requests.iter().any(|r| r.id == id) {
                self.outputs.push_back(Output::Cancel(id));
                self.on_failed(id, error);
            }
        }
    }
}
