//! What the core does with the driver's answers: manifests, indexes, init and media segments,
//! progress (and abandonment), failures (and retries elsewhere).

use super::track::{TrackState, Wait};
use super::{InFlight, Player};
use crate::error::PlayerError;
use crate::estimator::Estimator;
use crate::io::{Append, AppendKind, Chunk, FetchError, Output, PlayerEvent, RequestId, RequestKind};
use crate::metrics::Outcome;
use crate::presentation::{Presentation, SegmentIndex, SegmentRef, TrackKind};
use crate::state::PlayerState;
use core::time::Duration;
use flick_abr::units::Bytes;
use flick_abr::{DownloadReport, DownloadSample, ProgressContext};
use std::sync::Arc;

/// Largest response body the core accepts for a request of `kind` (a hostile server cannot make
/// it buffer more): a manifest or an index 16 MiB, an init segment 1 MiB, a steering answer
/// 1 MiB, a media segment 256 MiB.
pub(crate) fn max_body(kind: RequestKind) -> u64 {
    const MIB: u64 = 1024 * 1024;
    match kind {
        RequestKind::Manifest | RequestKind::Index => 16 * MIB,
        RequestKind::Init | RequestKind::Steering | RequestKind::Clock => MIB,
        RequestKind::Media => 256 * MIB,
    }
}
/// Wait between manifest retries.
const MANIFEST_RETRY: Duration = Duration::from_secs(1);

fn concat(chunks: Vec<bytes::Bytes>) -> bytes::Bytes {
    match chunks.len() {
        0 => bytes::Bytes::new(),
        1 => chunks.into_iter().next().unwrap_or_default(),
        _ => {
            let mut all = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
            for c in chunks {
                all.extend_from_slice(&c);
            }
            all.into()
        }
    }
}

impl Player {
    /// Forget the presentation being played (a new load): every request is cancelled and the
    /// tracks dropped, so nothing of the old one can reach the new one.
    pub(super) fn unload(&mut self) {
        for r in std::mem::take(&mut self.requests) {
            self.outputs.push_back(Output::Cancel(r.id));
        }
        self.tracks.clear();
        self.pending_indexes.clear();
        self.presentation = None;
        self.period = 0;
        self.manifest_url = None;
        self.manifest_retry_at = None;
        self.manifest_failing_since = None;
        self.stall_check = None;
        self.decoder_report_due = None;
        self.decoder_position = None;
        self.clock.stop(self.now);
        if self.live.take().is_some_and(|l| l.rate != 1.0) {
            self.clock.set_rate(1.0, self.now);
            self.outputs.push_back(Output::SetPlaybackRate { rate: 1.0 });
        }
        self.generation += 1;
        self.first_manifest_url = None;
        self.seen_events.clear();
    }

    pub(super) fn load(&mut self, url: String) {
        self.unload();
        match url::Url::parse(&url) {
            Ok(u) => {
                self.first_manifest_url = Some(u.clone());
                self.manifest_url = Some(u);
                self.metrics.load_at = Some(self.now);
                self.set_state(PlayerState::Loading);
                self.request_manifest();
            }
            Err(e) => self.fail(PlayerError::InvalidInput(format!("manifest URL {url:?}: {e}"))),
        }
    }

    pub(super) fn request_manifest(&mut self) {
        let located = self.refresh_location();
        if let Some((url, _)) = &located {
            self.manifest_url = Some(url.clone());
        }
        let Some(url) = self.manifest_url.clone() else { return };
        let resource = SegmentRef { url: url.to_string(), range: None };
        let location = located.map(|(_, l)| l);
        self.send(RequestKind::Manifest, None, 0, None, location, url.to_string(), &resource);
    }

    pub(super) fn start_presentation(&mut self, presentation: Arc<Presentation>) {
        self.failover.start(&presentation, self.now);
        self.period = 0;
        let video_rungs = presentation.track(TrackKind::Video).map_or(0, |t| t.representations.len());
        self.emit(PlayerEvent::PresentationLoaded { duration: presentation.duration, video_rungs });
        self.presentation = Some(presentation.clone());
        for message in &presentation.warnings {
            self.emit(PlayerEvent::ManifestWarning { message: message.clone() });
        }
        self.start_live(&presentation);
        self.report_mpd_events(&presentation);
        let Some(period) = self.played_period(&presentation) else {
            self.fail(PlayerError::Unplayable("no period".into()));
            return;
        };
        let selected: Vec<(TrackKind, usize)> = [TrackKind::Video, TrackKind::Audio]
            .iter()
            .filter_map(|&k| {
                period
                    .tracks
                    .iter()
                    .position(|t| t.kind == k && !t.representations.is_empty())
                    .map(|i| (k, i))
            })
            .collect();
        if selected.is_empty() {
            self.fail(PlayerError::Unplayable("no playable video or audio track".into()));
            return;
        }
        self.set_state(PlayerState::Loading);
        let end = period.duration;
        self.tracks = selected.iter().map(|&(k, i)| TrackState::new(k, i, &period.tracks[i], end)).collect();
        self.queue_indexes(&selected.iter().map(|&(_, i)| i).collect::<Vec<_>>());
        if self.pending_indexes.is_empty() {
            self.begin_playback();
        } else {
            self.pump_indexes();
        }
    }

    pub(super) fn begin_playback(&mut self) {
        let Some(presentation) = self.presentation.clone() else { return };
        let Some(period) = self.played_period(&presentation) else { return };
        self.tracks = self
            .tracks
            .iter()
            .map(|t| TrackState::new(t.kind, t.track, &period.tracks[t.track], period.duration))
            .collect();
        let live = self.live.is_some();
        if !live && self.tracks.iter().any(|t| t.segment_count == 0) {
            self.fail(PlayerError::Unplayable("a selected track has no segments".into()));
            return;
        }
        let start = if live {
            let Some(start) = self.live_begin(&presentation) else {
                // Waiting for the server's clock (it calls back), or failed.
                return;
            };
            start
        } else {
            (0..self.tracks.len())
                .filter_map(|i| self.track_timeline(&presentation, i)?.first_start())
                .max()
                .unwrap_or_default()
        };
        for t in &mut self.tracks {
            t.buffered_end = start;
        }
        self.clock.reanchor(start, self.now);
        let video_duration = self
            .tracks
            .iter()
            .find(|t| t.kind == TrackKind::Video)
            .map_or(Duration::from_secs(4), |t| t.segment_duration);
        self.estimator = Estimator::new(&self.config.estimator, video_duration);
        self.metrics.lowest_video_kbps = self
            .tracks
            .iter()
            .find(|t| t.kind == TrackKind::Video)
            .and_then(|t| t.rungs.first())
            .map(|r| r.bps() / 1000);
        self.set_state(PlayerState::Buffering);
    }

    fn take_request(&mut self, id: RequestId) -> Option<InFlight> {
        let i = self.requests.iter().position(|r| r.id == id)?;
        Some(self.requests.swap_remove(i))
    }

    pub(super) fn on_response(&mut self, id: RequestId, content_length: Option<u64>) {
        let now = self.now;
        if let Some(r) = self.requests.iter_mut().find(|r| r.id == id) {
            if r.first_byte_at.is_none() {
                r.window = (now, r.received);
            }
            r.first_byte_at.get_or_insert(now);
            r.last_progress_at = now;
            r.expected = content_length;
            let cap = max_body(r.kind);
            if content_length.is_some_and(|length| length > cap) {
                self.outputs.push_back(Output::Cancel(id));
                self.on_failed(
                    id,
                    FetchError::Transport(format!("a body of {content_length:?} bytes, more than {cap}")),
                );
            }
        }
    }

    /// A request was answered from `url`: for the manifest, relative URLs resolve against it
    /// (and its refreshes, later, ask it directly).
    pub(super) fn on_redirect(&mut self, id: RequestId, url: &str) {
        let manifest = self.requests.iter().any(|r| r.id == id && r.kind == RequestKind::Manifest);
        if let (true, Ok(url)) = (manifest, url::Url::parse(url))
            && matches!(url.scheme(), "http" | "https")
        {
            self.manifest_url = Some(url);
        }
    }

    pub(super) fn on_data(&mut self, id: RequestId, chunk: Chunk) {
        let now = self.now;
        let Some(r) = self.requests.iter_mut().find(|r| r.id == id) else { return };
        if r.first_byte_at.is_none() {
            r.window = (now, r.received);
        }
        r.first_byte_at.get_or_insert(now);
        r.last_progress_at = now;
        r.received = r.received.saturating_add(chunk.len());
        if let Chunk::Bytes(bytes) = chunk
            && !bytes.is_empty()
        {
            r.data.push(bytes);
        }
        let cap = max_body(r.kind);
        if r.received > cap {
            self.outputs.push_back(Output::Cancel(id));
            self.on_failed(id, FetchError::Transport(format!("body larger than {cap} bytes")));
            return;
        }
        let r = r.clone_meta();
        if r.kind == RequestKind::Media && self.pinned_rung.is_none() {
            self.check_abandon(&r);
        }
    }

    fn check_abandon(&mut self, r: &InFlight) {
        let (Some(ti), Some(segment)) = (r.track, r.segment) else { return };
        if self.tracks[ti].kind != TrackKind::Video {
            return;
        }
        let Some(presentation) = self.presentation.clone() else { return };
        let size = r.expected.map(|e| Bytes(e.saturating_add(r.prefix))).or_else(|| {
            self.played_track(&presentation, ti)?
                .representations
                .get(r.rep)?
                .segments
                .segments()?
                .size(segment)
        });
        let t = &self.tracks[ti];
        let progress = ProgressContext {
            now: self.now,
            rungs: &t.rungs,
            segment,
            rung: r.rep,
            size,
            received: Bytes(r.prefix.saturating_add(r.received)),
            elapsed: self.now.saturating_sub(r.sent_at),
            ttfb: r.first_byte_at.map(|f| f.saturating_sub(r.sent_at)),
            buffer_level: self.track_level(ti),
            segment_duration: t.segment_duration,
            throughput: self.estimator.view(),
        };
        let Some(to) = self.abr.check_abandon(&progress) else { return };
        let lower = self.config.lower_after_abandon;
        if lower && r.rep == 0 {
            // Nothing is lower: starting the same download again would only lose what arrived.
            return;
        }
        let Some(r) = self.take_request(r.id) else { return };
        self.outputs.push_back(Output::Cancel(r.id));
        self.record_request(&r, Outcome::Abandoned);
        let report = DownloadReport {
            segment,
            rung: r.rep,
            size: size.unwrap_or(Bytes(r.received)),
            received: Bytes(r.received),
            elapsed: self.now.saturating_sub(r.sent_at),
            ttfb: r.first_byte_at.map(|f| f.saturating_sub(r.sent_at)),
            buffer_level: self.track_level(ti),
            abandoned_to: Some(to),
        };
        self.abr.on_download(&report);
        let t = &mut self.tracks[ti];
        t.in_flight = false;
        t.abandoned_rung = Some(r.rep);
        t.retry_cap = lower.then(|| to.min(r.rep.saturating_sub(1)));
    }

    pub(super) fn on_complete(&mut self, id: RequestId) {
        let Some(mut r) = self.take_request(id) else { return };
        if r.expected.is_some_and(|e| r.received < e) {
            self.requests.push(r);
            self.on_failed(id, FetchError::Truncated);
            return;
        }
        if let Some(l) = r.location {
            self.failover.succeeded(l);
        }
        let data = concat(std::mem::take(&mut r.data));
        match r.kind {
            RequestKind::Manifest => self.on_manifest(data),
            RequestKind::Index => self.on_index(&r, &data),
            RequestKind::Init => {
                let Some(ti) = r.track else { return };
                let t = &mut self.tracks[ti];
                t.init_data[r.rep] = Some(data);
                if let Some((held, data)) = t.held_media.take_if(|(held, _)| held.rep == r.rep) {
                    self.on_media(held, data);
                } else if t.held_media.is_none()
                    && !self.requests.iter().any(|q| q.track == Some(ti) && q.kind == RequestKind::Media)
                {
                    // Its media request failed or was dropped: the scheduler takes it from here.
                    self.tracks[ti].in_flight = false;
                }
            }
            RequestKind::Media => self.on_media(r, data),
            RequestKind::Steering => self.on_steering_answer(&data),
            RequestKind::Clock => self.on_clock_answer(r.sent_at, &data),
        }
    }

    fn on_manifest(&mut self, data: bytes::Bytes) {
        self.manifest_failing_since = None;
        let Some(url) = self.manifest_url.clone() else { return };
        let refresh = self.live.is_some() && self.presentation.is_some();
        match crate::manifest::parse(&data, &url) {
            Ok(p) if refresh => {
                if let Some(next) = p.live.as_ref().and_then(|l| l.locations.first()) {
                    self.manifest_url = Some(next.clone());
                }
                self.on_refresh(p)
            }
            Ok(p) => {
                if let Some(next) = p.live.as_ref().and_then(|l| l.locations.first()) {
                    self.manifest_url = Some(next.clone());
                }
                self.start_presentation(Arc::new(p))
            }
            // A live session goes on with what it has; the refresh is tried again.
            Err(e) if refresh => self.on_refresh_failed(crate::io::FetchError::Transport(e.to_string())),
            Err(e) => self.fail(PlayerError::Manifest(e)),
        }
    }

    fn on_index(&mut self, r: &InFlight, data: &[u8]) {
        let (rep_index, Some(track_index)) = (r.rep, r.segment) else { return };
        let period = self.period;
        let Some(presentation) = self.presentation.as_mut() else { return };
        let presentation = Arc::make_mut(presentation);
        let Some(rep) = presentation
            .periods
            .get_mut(period)
            .and_then(|p| p.tracks.get_mut(track_index))
            .and_then(|t| t.representations.get_mut(rep_index))
        else {
            return;
        };
        let SegmentIndex::Indexed { init, index, presentation_time_offset, timescale } = &rep.segments else {
            return;
        };
        let start = index.range.map_or(0, |range| range.start);
        let pto = *presentation_time_offset;
        match crate::segment_index::segments_from_sidx_scaled(data, start, &index.url, pto, *timescale) {
            Ok(segments) => {
                rep.segments = SegmentIndex::Listed { init: init.clone(), segments: segments.into() }
            }
            Err(error) => {
                let representation = rep.id.clone();
                self.fail(PlayerError::SegmentIndex { representation, error });
                return;
            }
        }
        self.index_done(track_index, rep_index);
    }

    fn on_media(&mut self, r: InFlight, data: bytes::Bytes) {
        let (Some(ti), Some(segment_index)) = (r.track, r.segment) else { return };
        let Some(presentation) = self.presentation.clone() else { return };
        let Some(rep) = self.played_track(&presentation, ti).and_then(|t| t.representations.get(r.rep))
        else {
            return;
        };
        let Some((start, duration)) =
            r.timing.or_else(|| rep.segments.segments().and_then(|s| s.timing(segment_index)))
        else {
            return;
        };
        let moved = r.generation != self.generation;
        let in_band = crate::live::emsg::events(&data, start);
        let t = &mut self.tracks[ti];
        if t.appended_rep != Some(r.rep) && t.init_data[r.rep].is_none() && rep.segments.init().is_some() {
            // The init segment fetched beside it is still on its way (or failed): keep this one
            // until it arrives, and ask for the init segment if nothing else will.
            let init_on_its_way = self
                .requests
                .iter()
                .any(|q| q.track == Some(ti) && q.kind == RequestKind::Init && q.rep == r.rep);
            let rung = r.rep;
            t.held_media = Some((r, data));
            if !init_on_its_way {
                self.fetch(ti, rung);
            }
            return;
        }
        if t.appended_rep != Some(r.rep) {
            t.appended_rep = Some(r.rep);
            let init = t.init_data[r.rep].clone().unwrap_or_default();
            self.outputs.push_back(Output::Append(Append {
                track: t.kind,
                kind: AppendKind::Init,
                representation: rep.id.clone(),
                rung: r.rep,
                segment: None,
                start,
                duration: Duration::ZERO,
                data: init,
            }));
        }
        self.outputs.push_back(Output::Append(Append {
            track: t.kind,
            kind: AppendKind::Media,
            representation: rep.id.clone(),
            rung: r.rep,
            segment: Some(segment_index),
            start,
            duration,
            data,
        }));
        t.buffered_end = t.buffered_end.max(start + duration);
        t.next_segment = segment_index + 1;
        t.not_yet = 0;
        if moved {
            // A refresh renumbered the timeline since the request: find the next one by time.
            let next = self
                .track_timeline(&presentation, ti)
                .map(|s| s.index_ending_after(start + duration + Duration::from_millis(1)));
            if let Some(next) = next {
                self.tracks[ti].next_segment = next;
            }
        }
        let t = &mut self.tracks[ti];
        if t.done() {
            self.outputs.push_back(Output::EndOfStream { track: t.kind });
        }
        t.in_flight = false;
        t.failing_since = None;
        t.abandoned_rung = None;
        t.retry_cap = None;
        t.partial = None;
        let kind = t.kind;
        let previous = t.last_rung.replace(r.rep);
        self.record_request(&r, Outcome::Ok);
        for event in in_band {
            self.report_event(event);
        }
        if kind != TrackKind::Video {
            return;
        }
        let stalled = self.metrics.stall_time(self.now);
        let rebuffer = stalled.saturating_sub(self.metrics.stall_total_at_last_video);
        self.metrics.stall_total_at_last_video = stalled;
        if let Some(rec) = self.metrics.last_record() {
            rec.rebuffer_s = rebuffer.as_secs_f64();
            rec.duration_s = duration.as_secs_f64();
        }
        let kbps = self.tracks[ti].rungs[r.rep].bps() / 1000;
        self.metrics.video_chunk(kbps, rebuffer.as_secs_f64());
        let ttfb = r.first_byte_at.unwrap_or(self.now).saturating_sub(r.sent_at);
        let elapsed = self.now.saturating_sub(r.sent_at);
        self.estimator.push(DownloadSample {
            bytes: Bytes(r.received),
            ttfb,
            total: elapsed,
            rung: r.rep,
            finished_at: self.now,
        });
        let report = DownloadReport {
            segment: segment_index,
            rung: r.rep,
            size: Bytes(r.prefix.saturating_add(r.received)),
            received: Bytes(r.prefix.saturating_add(r.received)),
            elapsed,
            ttfb: Some(ttfb),
            buffer_level: self.track_level(ti),
            abandoned_to: None,
        };
        self.abr.on_download(&report);
        if previous != Some(r.rep) {
            let bitrate_kbps = self.tracks[ti].rungs[r.rep].bps() / 1000;
            self.emit(PlayerEvent::QualityChanged { from: previous, to: r.rep, bitrate_kbps });
        }
    }

    pub(super) fn on_failed(&mut self, id: RequestId, error: FetchError) {
        let Some(r) = self.take_request(id) else { return };
        let location = self.location_id(r.location);
        if r.kind == RequestKind::Media
            && error == FetchError::Http(404)
            && let Some(ti) = r.track
            && self.not_produced_yet(ti)
        {
            self.record_request(&r, Outcome::from(&error));
            self.emit(PlayerEvent::RequestFailed { kind: r.kind, location, error });
            return;
        }
        if let Some(l) = r.location {
            self.failover.failed(l, self.now);
        }
        // A connection that closed before the announced end of the body cut it short.
        let short = r.first_byte_at.is_some() && r.expected.is_some_and(|e| r.received < e);
        let error = if short && matches!(error, FetchError::Reset) { FetchError::Truncated } else { error };
        self.emit(PlayerEvent::RequestFailed { kind: r.kind, location, error: error.clone() });
        let now = self.now;
        match r.kind {
            RequestKind::Manifest if self.live.is_some() && self.presentation.is_some() => {
                self.on_refresh_failed(error);
            }
            RequestKind::Clock => self.clock_done(),
            RequestKind::Manifest => {
                let since = match r.alive {
                    true => self.manifest_failing_since.unwrap_or(now),
                    false => *self.manifest_failing_since.get_or_insert(now),
                };
                if self.failover.gives_up(since, now) {
                    self.fail(PlayerError::AllLocationsFailed { what: "manifest".into(), last: Some(error) });
                } else {
                    self.manifest_retry_at = Some(now + MANIFEST_RETRY);
                }
            }
            RequestKind::Index => {
                // An index request names the period's track in `segment` (see `pump_indexes`).
                if let Some(track) = r.segment {
                    self.index_failed(track, r.rep, error, r.alive);
                }
            }
            RequestKind::Steering => self.on_steering_failed(),
            RequestKind::Init | RequestKind::Media => {
                if r.kind == RequestKind::Media {
                    self.record_request(&r, Outcome::from(&error));
                }
                let Some(ti) = r.track else { return };
                let media_under_way =
                    self.requests.iter().any(|q| q.track == Some(ti) && q.kind == RequestKind::Media);
                let t = &mut self.tracks[ti];
                if r.kind == RequestKind::Init && media_under_way {
                    // The media segment beside it asks for the init segment again when it arrives.
                    t.failing_since.get_or_insert(now);
                    return;
                }
                t.in_flight = false;
                if r.kind == RequestKind::Media
                    && let Some(segment) = r.segment
                    && r.prefix.saturating_add(r.received) > 0
                    && !matches!(error, FetchError::Http(_))
                {
                    t.partial = Some(crate::failover::resume::Partial {
                        rep: r.rep,
                        segment,
                        received: r.prefix.saturating_add(r.received),
                        total: r.expected.map(|e| e.saturating_add(r.prefix)),
                        data: r.data.clone(),
                    });
                }
                // A slow but living location does not start the clock towards giving up.
                let since = match r.alive {
                    true => t.failing_since.unwrap_or(now),
                    false => *t.failing_since.get_or_insert(now),
                };
                if self.failover.gives_up(since, now) {
                    let what = format!("{:?} segment {} of the {:?} track", r.kind, t.next_segment, t.kind);
                    self.fail(PlayerError::AllLocationsFailed { what, last: Some(error) });
                } else {
                    t.wait = Wait::Retry { until: now, rung: r.rep };
                }
            }
        }
    }
}

impl InFlight {
    /// A copy without the body chunks.
    fn clone_meta(&self) -> InFlight {
        InFlight { data: Vec::new(), ..self.clone_shallow() }
    }

    fn clone_shallow(&self) -> InFlight {
        InFlight {
            id: self.id,
            kind: self.kind,
            track: self.track,
            rep: self.rep,
            segment: self.segment,
            location: self.location,
            sent_at: self.sent_at,
            first_byte_at: self.first_byte_at,
            last_progress_at: self.last_progress_at,
            received: self.received,
            expected: self.expected,
            data: Vec::new(),
            prefix: self.prefix,
            first_byte_limit: self.first_byte_limit,
            stall_limit: self.stall_limit,
            min_rate_bps: self.min_rate_bps,
            window: self.window,
            progress_window: self.progress_window,
            alive: self.alive,
            timing: self.timing,
            generation: self.generation,
        }
    }
}
