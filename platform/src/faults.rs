//! Fault scripts: what goes wrong, where and when. One format (JSON, YAML-free) read by Flick's
//! test CDN (`flick serve --faults FILE`) and by the simulator, so a failover scenario runs the
//! same way against real servers and in simulation.
//!
//! ```json
//! { "faults": [
//!     { "location": "a", "at_s": 6.0, "kind": "no_answer" },
//!     { "location": "b", "after_requests": 10, "until_s": 30.0, "kind": { "http": 503 },
//!       "resources": "media" }
//! ] }
//! ```
//! Time is counted from the first request any location received (the session's start).

use serde::{Deserialize, Serialize};
use std::path::Path;

/// A list of faults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultScript {
    /// The faults, in any order; where several apply to one request the first listed wins.
    pub faults: Vec<Fault>,
}

/// Which requests a fault hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// The MPD.
    Manifest,
    /// Initialization segments (and segment indexes).
    Init,
    /// Media segments.
    Media,
}

/// What goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this HTTP status (e.g. 503, 404) and a short body.
    Http(u16),
    /// Close the connection without answering (a TCP reset where the server can).
    Reset,
    /// Accept the request and never answer.
    NoAnswer,
    /// Send the headers and part of the body (about a third), then stop sending and keep the
    /// connection open.
    StallMidBody,
    /// Announce the full length, send part of the body (about half), then close.
    Truncate,
    /// Wait this many milliseconds before the first byte.
    SlowFirstByte(u64),
    /// Answer at once, then send the body at this many bytes per second (a server that
    /// trickles: it never goes silent long enough to look dead).
    Trickle(u64),
}

/// One fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Location id (`a`, `b`, ... as `flick serve` names its servers, or the simulator's).
    pub location: String,
    /// Starts this many seconds after the session's first request.
    #[serde(default)]
    pub at_s: Option<f64>,
    /// Starts once the location has received this many requests.
    #[serde(default)]
    pub after_requests: Option<u64>,
    /// Ends (the location recovers) this many seconds after the session's first request.
    #[serde(default)]
    pub until_s: Option<f64>,
    /// What goes wrong.
    pub kind: FaultKind,
    /// Only these requests are hit; all when absent.
    #[serde(default)]
    pub resources: Option<ResourceKind>,
}

/// Why a fault script could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FaultScriptError {
    /// The file could not be read.
    #[error("{path}: {cause}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        cause: std::io::Error,
    },
    /// The content is not a fault script.
    #[error("{path}: {message}")]
    Format {
        /// File.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl FaultScript {
    /// Read a script from a JSON file.
    pub fn load(path: &Path) -> Result<FaultScript, FaultScriptError> {
        let text = std::fs::read_to_string(path)
            .map_err(|cause| FaultScriptError::Io { path: path.display().to_string(), cause })?;
        Self::parse(&text)
            .map_err(|message| FaultScriptError::Format { path: path.display().to_string(), message })
    }

    /// Parse a script from JSON text, checking it makes sense.
    pub fn parse(text: &str) -> Result<FaultScript, String> {
        let script: FaultScript = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for (i, f) in script.faults.iter().enumerate() {
            let bad = |what: &str| Err(format!("fault {i} ({}): {what}", f.location));
            if f.at_s.is_some_and(|t| !(t.is_finite() && t >= 0.0)) {
                return bad("at_s must be a non-negative number");
            }
            if let (Some(start), Some(end)) = (f.at_s, f.until_s)
                && end < start
            {
                return bad("until_s is before at_s");
            }
            if let FaultKind::Http(code) = f.kind
                && !(100..=599).contains(&code)
            {
                return bad("not an HTTP status");
            }
        }
        Ok(script)
    }

    /// The fault hitting a request to `location` for `resource`, `elapsed_s` after the session's
    /// first request, when the location has already received `requests_before` requests.
    pub fn active(
        &self,
        location: &str,
        resource: ResourceKind,
        elapsed_s: f64,
        requests_before: u64,
    ) -> Option<FaultKind> {
        self.faults
            .iter()
            .find(|f| {
                f.location == location
                    && f.resources.is_none_or(|r| r == resource)
                    && f.at_s.is_none_or(|t| elapsed_s >= t)
                    && f.after_requests.is_none_or(|n| requests_before >= n)
                    && f.until_s.is_none_or(|t| elapsed_s < t)
            })
            .map(|f| f.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_and_matches_by_time_count_and_resource() {
        let script = FaultScript::parse(
            r#"{"faults": [
                {"location": "a", "at_s": 6, "until_s": 20, "kind": "no_answer"},
                {"location": "b", "after_requests": 3, "kind": {"http": 503}, "resources": "media"},
                {"location": "c", "kind": {"slow_first_byte": 2000}},
                {"location": "d", "kind": "reset"}, {"location": "d", "kind": "stall_mid_body"},
                {"location": "e", "kind": "truncate"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(script.active("a", ResourceKind::Media, 5.9, 0), None);
        assert_eq!(script.active("a", ResourceKind::Manifest, 6.0, 0), Some(FaultKind::NoAnswer));
        assert_eq!(script.active("a", ResourceKind::Media, 20.0, 0), None);
        assert_eq!(script.active("b", ResourceKind::Media, 0.0, 2), None);
        assert_eq!(script.active("b", ResourceKind::Media, 0.0, 3), Some(FaultKind::Http(503)));
        assert_eq!(script.active("b", ResourceKind::Init, 0.0, 3), None);
        assert_eq!(script.active("c", ResourceKind::Init, 0.0, 0), Some(FaultKind::SlowFirstByte(2000)));
        assert_eq!(script.active("d", ResourceKind::Init, 0.0, 0), Some(FaultKind::Reset));
    }

    #[test]
    fn nonsense_is_rejected_with_the_reason() {
        assert!(FaultScript::parse(r#"{"faults": [{"location": "a", "kind": "explode"}]}"#).is_err());
        let e = FaultScript::parse(
            r#"{"faults": [{"location": "a", "at_s": 5, "until_s": 1, "kind": "reset"}]}"#,
        );
        assert!(e.unwrap_err().contains("until_s"));
        assert!(FaultScript::parse(r#"{"faults": [{"location": "a", "kind": {"http": 999}}]}"#).is_err());
    }
}
