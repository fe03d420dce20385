//! What the player tells about the session: the status snapshot, the session report and the
//! record of each media request.

use super::{InFlight, Player};
use crate::metrics::{Outcome, QoeConfig, SegmentRecord, SessionReport};
use crate::presentation::TrackKind;
use crate::status::{PlayerStatus, RungInfo};
use core::time::Duration;

impl Player {
    /// Where the session stands at `now`, as a statistics panel shows it.
    pub fn status(&self, now: Duration) -> PlayerStatus {
        let position = self.position(now);
        let buffer = self.buffer_level(now);
        let period = self.presentation.as_deref().and_then(|p| self.played_period(p));
        let tracks = period.map(|p| p.tracks.as_slice()).unwrap_or_default();
        let languages = |kind: TrackKind| {
            tracks
                .iter()
                .filter(|t| t.kind == kind && !t.representations.is_empty())
                .map(|t| t.language.clone())
                .collect::<Vec<_>>()
        };
        let video = self.tracks.iter().find(|t| t.kind == TrackKind::Video).and_then(|t| tracks.get(t.track));
        let rungs = video.map_or_else(Vec::new, |video| {
            video
                .representations
                .iter()
                .map(|r| RungInfo { bitrate_kbps: r.bandwidth.bps() / 1000, size: r.width.zip(r.height) })
                .collect()
        });
        PlayerStatus {
            state: self.state,
            position,
            duration: self.presentation.as_ref().and_then(|p| p.duration),
            buffer,
            buffered: if buffer.is_zero() { Vec::new() } else { vec![(position, position + buffer)] },
            rungs,
            video_rung: self.video_rung(),
            pinned_rung: self.pinned_rung,
            throughput_kbps: self.estimator.estimate().map(|b| b.kbps()),
            abr: self.abr.name(),
            location: self.metrics.last_media_location.clone(),
            location_changes: self.metrics.cdn_switches as u32,
            audio_tracks: languages(TrackKind::Audio),
            audio_track: self.selected_track(TrackKind::Audio),
            text_tracks: languages(TrackKind::Text),
            frames: self.metrics.frames,
            error: self.metrics.error.clone(),
            live: self.live_status(now),
        }
    }

    /// The session report as of `now`.
    pub fn report(&self, now: Duration, driver: &str, model: Option<&str>, qoe: QoeConfig) -> SessionReport {
        let now = now.max(self.now);
        let played = self.clock.played(now, self.playable_end());
        let mut report = self.metrics.report(now, played, driver, self.abr.name(), model, qoe);
        report.live = self.live.as_ref().map(|l| l.stats.report(self.metrics.started_at));
        report
    }

    /// Record how a media request ended, for the report.
    pub(super) fn record_request(&mut self, r: &InFlight, outcome: Outcome) {
        let Some(ti) = r.track else { return };
        let Some(segment) = r.segment else { return };
        let t = &self.tracks[ti];
        let location = self.location_id(r.location);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        self.metrics.record(SegmentRecord {
            track: t.kind,
            index: segment,
            rung: r.rep,
            bitrate_kbps: t.rungs[r.rep].bps() / 1000,
            location,
            bytes: r.received,
            start_ms: ms(r.sent_at),
            first_byte_ms: r.first_byte_at.map(ms),
            end_ms: ms(self.now),
            outcome,
            rebuffer_s: 0.0,
            duration_s: t.segment_duration.as_secs_f64(),
        });
    }

    /// The id of location `location` (`origin` when the request went to none).
    pub(super) fn location_id(&self, location: Option<usize>) -> String {
        location
            .and_then(|l| self.presentation.as_ref()?.locations.get(l))
            .map_or_else(|| "origin".to_string(), |l| l.id.clone())
    }
}
