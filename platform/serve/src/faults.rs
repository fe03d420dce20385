//! Applying a [`FaultScript`](flick_platform::faults::FaultScript) to real requests: the session's
//! clock, what kind of resource a request is for, and how much of a body a fault lets through.

use flick_platform::faults::{FaultKind, ResourceKind};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The session's clock: it starts at the first request for DASH content (the MPD or a segment)
/// any location receives. Steering and `/www/` requests neither start it nor count as requests.
#[derive(Debug, Default)]
pub(crate) struct SessionClock {
    start: OnceLock<Instant>,
}

impl SessionClock {
    /// Start the clock if it has not started; returns the time since it started.
    pub(crate) fn start(&self) -> Duration {
        self.start.get_or_init(Instant::now).elapsed()
    }

    /// How long after the session's start `at` was (zero before it, or when it has not started).
    pub(crate) fn offset_of(&self, at: Instant) -> Duration {
        self.start.get().map_or(Duration::ZERO, |start| at.saturating_duration_since(*start))
    }
}

/// What a request is for: `.mpd` files are the manifest; files with `init` in their name, and
/// ranges starting at byte 0 of single-file `.mp4` representations, are initialization data;
/// everything else is media.
pub(crate) fn resource_kind(path: &str, range: Option<&str>) -> ResourceKind {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.ends_with(".mpd") {
        ResourceKind::Manifest
    } else if name.contains("init")
        || (name.ends_with(".mp4")
            && range.is_some_and(|r| r.trim().strip_prefix("bytes=").is_some_and(|r| r.starts_with("0-"))))
    {
        ResourceKind::Init
    } else {
        ResourceKind::Media
    }
}

/// How a body ends once its allowed part is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyEnd {
    /// Normally (everything was sent).
    Complete,
    /// Never: the connection stays open and silent until the server stops.
    Stall,
    /// The connection is closed although the announced length was not reached.
    Abort,
}

/// How much of a body of `len` bytes to send, and how to end it, under `fault`.
pub(crate) fn body_plan(fault: Option<FaultKind>, len: u64) -> (u64, BodyEnd) {
    match fault {
        Some(FaultKind::StallMidBody) => (len / 3, BodyEnd::Stall),
        Some(FaultKind::Truncate) => (len / 2, BodyEnd::Abort),
        _ => (len, BodyEnd::Complete),
    }
}

/// The rate a trickling body is sent at, in bytes per second.
pub(crate) fn trickle_rate(fault: Option<FaultKind>) -> Option<u64> {
    match fault {
        Some(FaultKind::Trickle(rate)) => Some(rate.max(1)),
        _ => None,
    }
}

/// The fault's name as the fault script spells it, for logs.
pub(crate) fn fault_name(fault: FaultKind) -> String {
    match fault {
        FaultKind::Http(code) => format!("http {code}"),
        FaultKind::Reset => "reset".into(),
        FaultKind::NoAnswer => "no_answer".into(),
        FaultKind::StallMidBody => "stall_mid_body".into(),
        FaultKind::Truncate => "truncate".into(),
        FaultKind::SlowFirstByte(ms) => format!("slow_first_byte {ms} ms"),
        FaultKind::Trickle(rate) => format!("trickle {rate} B/s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_kinds_come_from_names_and_ranges() {
        assert_eq!(resource_kind("/manifest.mpd", None), ResourceKind::Manifest);
        assert_eq!(resource_kind("/init-stream0.m4s", None), ResourceKind::Init);
        assert_eq!(resource_kind("/v/chunk-stream0-00001.m4s", None), ResourceKind::Media);
        assert_eq!(resource_kind("/stream0.mp4", Some("bytes=0-999")), ResourceKind::Init);
        assert_eq!(resource_kind("/stream0.mp4", Some("bytes=1000-1999")), ResourceKind::Media);
        assert_eq!(resource_kind("/stream0.mp4", None), ResourceKind::Media);
    }

    #[test]
    fn faults_cut_bodies() {
        assert_eq!(body_plan(None, 900), (900, BodyEnd::Complete));
        assert_eq!(body_plan(Some(FaultKind::SlowFirstByte(5)), 900), (900, BodyEnd::Complete));
        assert_eq!(body_plan(Some(FaultKind::StallMidBody), 900), (300, BodyEnd::Stall));
        assert_eq!(body_plan(Some(FaultKind::Truncate), 900), (450, BodyEnd::Abort));
    }
}
