//! The core's events under the names pages listen for (`player.on(name, callback)`), with their
//! details as plain JSON objects (times in seconds, camelCase keys).
//!
//! | name | when | detail |
//! |---|---|---|
//! | `statechange` | the playback state changed | `{from, to}` |
//! | `loaded` | the manifest was read | `{duration, videoRungs}` |
//! | `qualitychange` | the video rung of the segments fetched changed | `{from, to, bitrateKbps}` |
//! | `cdnchange` | requests moved to another location | `{from, to}` |
//! | `stall` | playback stopped for lack of data, or resumed | `{started, position}` / `{started, duration}` |
//! | `requestfailed` | a request failed (it may be retried elsewhere) | `{kind, location, error}` |
//! | `trackchange` | another track of a kind is played | `{kind, index, language}` |
//! | `bufferevicted` | the browser dropped media the core had appended | `{track, heldUntil, appendedUntil}` |
//! | `error` | the session failed for good | `{code, message}` |
//! | `liveedge` | playback started or stopped following a live edge | `{following, targetLatency}` |
//! | `playbackrate` | the core changed the playback rate (live latency catch-up) | `{rate}` |
//! | `clocksync` | the server's clock was read (live) | `{source, offsetMs}` |
//! | `manifestupdate` | a live MPD was read again | `{dynamic, periods}` |
//! | `streamevent` | an MPD or in-band (`emsg`) event, SCTE-35 cues among them, before its time | `{schemeIdUri, value, id, presentationTime, duration, message, inBand}` |
//!
//! Every event also reaches listeners of `*`, with the name in the detail's `type`.

use flick_player::PlayerEvent;
use serde_json::{Value, json};

/// Names a page may listen for.
pub const NAMES: &[&str] = &[
    "statechange",
    "loaded",
    "qualitychange",
    "cdnchange",
    "stall",
    "requestfailed",
    "trackchange",
    "bufferevicted",
    "error",
    "liveedge",
    "playbackrate",
    "clocksync",
    "manifestupdate",
    "streamevent",
    "event",
    "*",
];

/// The page-facing name and detail of a core event.
pub fn to_js(event: &PlayerEvent) -> (&'static str, Value) {
    let (name, mut detail) = match event {
        PlayerEvent::StateChanged { from, to } => ("statechange", json!({ "from": from, "to": to })),
        PlayerEvent::PresentationLoaded { duration, video_rungs } => {
            ("loaded", json!({ "duration": duration.map(|d| d.as_secs_f64()), "videoRungs": video_rungs }))
        }
        PlayerEvent::QualityChanged { from, to, bitrate_kbps } => {
            ("qualitychange", json!({ "from": from, "to": to, "bitrateKbps": bitrate_kbps }))
        }
        PlayerEvent::LocationChanged { from, to } => ("cdnchange", json!({ "from": from, "to": to })),
        PlayerEvent::StallStarted { position } => {
            ("stall", json!({ "started": true, "position": position.as_secs_f64() }))
        }
        PlayerEvent::StallEnded { duration } => {
            ("stall", json!({ "started": false, "duration": duration.as_secs_f64() }))
        }
        PlayerEvent::TrackChanged { kind, index, language } => {
            ("trackchange", json!({ "kind": kind, "index": index, "language": language }))
        }
        PlayerEvent::BufferEvicted { track, held_until, appended_until } => (
            "bufferevicted",
            json!({
                "track": track,
                "heldUntil": held_until.as_secs_f64(),
                "appendedUntil": appended_until.as_secs_f64(),
            }),
        ),
        PlayerEvent::RequestFailed { kind, location, error } => {
            ("requestfailed", json!({ "kind": kind, "location": location, "error": error }))
        }
        PlayerEvent::LiveEdge { following, target_latency } => {
            ("liveedge", json!({ "following": following, "targetLatency": target_latency.as_secs_f64() }))
        }
        PlayerEvent::PlaybackRateChanged { rate } => ("playbackrate", json!({ "rate": rate })),
        PlayerEvent::ClockSynced { source, offset_ms } => {
            ("clocksync", json!({ "source": source, "offsetMs": offset_ms }))
        }
        PlayerEvent::ManifestUpdated { dynamic, periods } => {
            ("manifestupdate", json!({ "dynamic": dynamic, "periods": periods }))
        }
        PlayerEvent::StreamEvent(event) => (
            "streamevent",
            json!({
                "schemeIdUri": event.scheme_id_uri,
                "value": event.value,
                "id": event.id,
                "presentationTime": event.presentation_time.as_secs_f64(),
                "duration": event.duration.map(|d| d.as_secs_f64()),
                "message": event.message,
                "inBand": event.in_band,
            }),
        ),
        PlayerEvent::Error { error } => {
            ("error", json!({ "code": error.kind(), "message": error.to_string() }))
        }
        // An event newer than this list: its JSON form, under a generic name.
        other => ("event", serde_json::to_value(other).unwrap_or(Value::Null)),
    };
    if let Value::Object(map) = &mut detail {
        map.insert("type".into(), Value::from(name));
    }
    (name, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flick_player::{FetchError, PlayerError, PlayerState, RequestKind};
    use std::time::Duration;

    #[test]
    fn events_get_page_names_and_plain_details() {
        let (name, detail) =
            to_js(&PlayerEvent::StateChanged { from: PlayerState::Loading, to: PlayerState::Playing });
        assert_eq!(
            (name, &detail["to"], &detail["type"]),
            ("statechange", &json!("playing"), &json!("statechange"))
        );
        let (name, detail) = to_js(&PlayerEvent::StallEnded { duration: Duration::from_millis(1500) });
        assert_eq!((name, detail["duration"].as_f64()), ("stall", Some(1.5)));
        let (name, detail) = to_js(&PlayerEvent::QualityChanged { from: Some(0), to: 2, bitrate_kbps: 2500 });
        assert_eq!((name, detail["bitrateKbps"].as_u64()), ("qualitychange", Some(2500)));
    }

    #[test]
    fn errors_carry_a_code_and_a_message() {
        let error =
            PlayerError::AllLocationsFailed { what: "manifest".into(), last: Some(FetchError::Reset) };
        let (name, detail) = to_js(&PlayerEvent::Error { error });
        assert_eq!(name, "error");
        assert_eq!(detail["code"], "all_locations_failed");
        assert!(detail["message"].as_str().unwrap().contains("Reset"));
        let failed = PlayerEvent::RequestFailed {
            kind: RequestKind::Media,
            location: "a".into(),
            error: FetchError::Http(503),
        };
        let (name, detail) = to_js(&failed);
        assert_eq!((name, &detail["location"]), ("requestfailed", &json!("a")));
    }

    #[test]
    fn every_name_is_listed() {
        let live = [
            PlayerEvent::StallStarted { position: Duration::ZERO },
            PlayerEvent::LiveEdge { following: true, target_latency: Duration::from_secs(5) },
            PlayerEvent::PlaybackRateChanged { rate: 1.03 },
            PlayerEvent::ClockSynced { source: "utc_timing", offset_ms: -12.5 },
            PlayerEvent::ManifestUpdated { dynamic: false, periods: 1 },
        ];
        for event in &live {
            let (name, detail) = to_js(event);
            assert!(NAMES.contains(&name) && name != "event", "{name}: {detail}");
        }
    }

    #[test]
    fn live_events_have_camel_case_details_in_seconds() {
        let (name, detail) =
            to_js(&PlayerEvent::LiveEdge { following: false, target_latency: Duration::from_millis(4500) });
        assert_eq!(
            (name, &detail["following"], detail["targetLatency"].as_f64()),
            ("liveedge", &json!(false), Some(4.5))
        );
        let (name, detail) = to_js(&PlayerEvent::ClockSynced { source: "date_header", offset_ms: 250.0 });
        assert_eq!(
            (name, &detail["source"], detail["offsetMs"].as_f64()),
            ("clocksync", &json!("date_header"), Some(250.0))
        );
        let cue = flick_player::presentation::StreamEvent {
            scheme_id_uri: "urn:scte:scte35:2013:xml".into(),
            value: None,
            id: Some("7".into()),
            presentation_time: Duration::from_millis(40_500),
            duration: Some(Duration::from_secs(30)),
            message: "<SpliceInfoSection/>".into(),
            in_band: false,
        };
        let (name, detail) = to_js(&PlayerEvent::StreamEvent(cue));
        assert_eq!(name, "streamevent");
        assert_eq!(detail["schemeIdUri"], "urn:scte:scte35:2013:xml");
        assert_eq!(
            (detail["presentationTime"].as_f64(), detail["duration"].as_f64()),
            (Some(40.5), Some(30.0))
        );
        assert_eq!(
            (&detail["id"], &detail["value"], &detail["inBand"]),
            (&json!("7"), &Value::Null, &json!(false))
        );
        assert_eq!(detail["message"], "<SpliceInfoSection/>");
    }
}
