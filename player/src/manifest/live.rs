//! The dynamic (live) side of an MPD: `@availabilityStartTime` and the attributes that move with
//! the clock, `<UTCTiming>`, `<Location>`, `ServiceDescription`, and `EventStream` events.

use super::ManifestError;
use crate::presentation::{LatencyTarget, Live, StreamEvent, UtcTiming};
use core::time::Duration;
use dash_mpd_core::MPD;
use url::Url;

/// Most MPD events kept from one manifest.
pub const MAX_MPD_EVENTS: usize = 10_000;

/// A live template with no end is computed up to this wall-clock time (2200-01-01T00:00:00Z), so
/// its segments can be addressed lazily without listing them.
const HORIZON_UNIX_SECONDS: u64 = 7_258_118_400;

fn unix(at: &dash_mpd_core::XsDatetime) -> Option<Duration> {
    let seconds = u64::try_from(at.timestamp()).ok()?;
    Some(Duration::new(seconds, at.timestamp_subsec_nanos().min(999_999_999)))
}

/// The live description of a dynamic MPD.
pub(super) fn live(mpd: &MPD, manifest_url: &Url) -> Result<Live, ManifestError> {
    let start = mpd.availabilityStartTime.as_ref().ok_or(ManifestError::MissingAttribute {
        at: "MPD".into(),
        attribute: "MPD@availabilityStartTime",
    })?;
    let availability_start = unix(start).ok_or_else(|| ManifestError::InvalidAttribute {
        at: "MPD".into(),
        attribute: "MPD@availabilityStartTime",
        value: start.to_rfc3339(),
        reason: "before 1970".into(),
    })?;
    let service = mpd.ServiceDescription.first();
    let millis = |v: Option<f64>| {
        v.filter(|v| v.is_finite() && *v >= 0.0 && *v < 1e12).map(|v| Duration::from_secs_f64(v / 1000.0))
    };
    let latency = service.and_then(|s| s.Latency.first()).map(|l| LatencyTarget {
        target: millis(l.target),
        min: millis(l.min),
        max: millis(l.max),
    });
    let playback_rate = service.and_then(|s| s.PlaybackRate.first()).map(|r| {
        let sane = |v: Option<f64>, default: f64| v.filter(|v| v.is_finite() && *v > 0.0).unwrap_or(default);
        (sane(r.min, 1.0).min(1.0), sane(r.max, 1.0).max(1.0))
    });
    let utc_timing = mpd.UTCTiming.iter().filter_map(|t| utc_timing(t, manifest_url)).collect();
    let locations = mpd
        .locations
        .iter()
        .filter_map(|l| manifest_url.join(l.url.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .collect();
    Ok(Live {
        availability_start,
        publish_time: mpd.publishTime.as_ref().and_then(unix),
        minimum_update_period: mpd.minimumUpdatePeriod,
        time_shift_buffer_depth: mpd.timeShiftBufferDepth,
        suggested_presentation_delay: mpd.suggestedPresentationDelay,
        latency,
        playback_rate,
        utc_timing,
        locations,
    })
}

/// One `<UTCTiming>` Flick can use (`http-xsdate`, `http-iso`, `http-head`, `direct`; the NTP
/// schemes need a socket a browser does not have, and are skipped).
fn utc_timing(timing: &dash_mpd_core::UTCTiming, manifest_url: &Url) -> Option<UtcTiming> {
    let scheme = timing.schemeIdUri.trim();
    let value = timing.value.as_deref()?.trim();
    let scheme = scheme.strip_prefix("urn:mpeg:dash:utc:")?;
    let url = || {
        // Several URLs may be listed, separated by spaces: the first that resolves is used.
        value
            .split_whitespace()
            .filter_map(|v| manifest_url.join(v).ok())
            .find(|u| matches!(u.scheme(), "http" | "https"))
    };
    match scheme {
        "http-xsdate:2014" | "http-iso:2014" | "http-xsdate:2012" | "http-iso:2012" => {
            url().map(UtcTiming::HttpBody)
        }
        "http-head:2014" | "http-head:2012" => url().map(UtcTiming::HttpHead),
        "direct:2014" | "direct:2012" => crate::live::clock::parse_iso(value).map(UtcTiming::Direct),
        _ => None,
    }
}

/// How far a live period whose end is unknown is addressed, from its start: up to a far-future
/// date, or a day when the start is past it.
pub(super) fn horizon(live: &Live, period_start: Duration) -> Duration {
    let start = live.availability_start.saturating_add(period_start);
    Duration::from_secs(HORIZON_UNIX_SECONDS).saturating_sub(start).max(Duration::from_secs(86_400))
}

/// The events of every `EventStream` of every period, on the presentation timeline.
pub(super) fn events(mpd: &MPD, period_starts: &[Duration]) -> Vec<StreamEvent> {
    let mut events = Vec::new();
    for (period, start) in mpd.periods.iter().zip(period_starts) {
        for stream in &period.event_streams {
            let timescale = stream.timescale.filter(|&t| t > 0).unwrap_or(1);
            let offset = stream.presentationTimeOffset.unwrap_or(0);
            for event in &stream.event {
                if events.len() == MAX_MPD_EVENTS {
                    return events;
                }
                let ticks = event.presentationTime.unwrap_or(0).saturating_sub(offset);
                let time = start.saturating_add(super::ticks_to_duration(ticks, timescale));
                let message = event
                    .content
                    .clone()
                    .or_else(|| event.messageData.clone())
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                events.push(StreamEvent {
                    scheme_id_uri: stream.schemeIdUri.clone(),
                    value: stream.value.clone().or_else(|| event.value.clone()),
                    id: event.id.clone(),
                    presentation_time: time,
                    duration: event.duration.map(|d| super::ticks_to_duration(d, timescale)),
                    message,
                    in_band: false,
                });
            }
        }
    }
    events
}
