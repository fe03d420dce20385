//! The DASH-IF Content Steering client: poll the steering server, reorder locations by its
//! `SERVICE-LOCATION-PRIORITY`, follow `RELOAD-URI`, and report `_DASH_pathway` and
//! `_DASH_throughput`.

use super::Player;
use crate::io::RequestKind;
use crate::presentation::{BaseUrl, SegmentRef};
use core::time::Duration;
use serde::Deserialize;

/// Wait before asking again after a failed or unusable answer.
const RETRY: Duration = Duration::from_secs(10);
/// TTL when the answer gives none (the specification's default).
const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// Where the steering client stands.
#[derive(Clone, Debug)]
pub(crate) struct Steering {
    url: url::Url,
    next_at: Option<Duration>,
    in_flight: bool,
    /// Location ids, most preferred first.
    priority: Vec<String>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "VERSION")]
    version: u32,
    #[serde(rename = "TTL", default)]
    ttl: Option<f64>,
    #[serde(rename = "RELOAD-URI", default)]
    reload_uri: Option<String>,
    #[serde(rename = "SERVICE-LOCATION-PRIORITY", default)]
    priority: Option<Vec<String>>,
}

impl Steering {
    /// A client for the presentation's steering server, to be asked at once.
    pub fn new(config: &crate::presentation::ContentSteering, now: Duration) -> Self {
        Steering {
            url: config.server.clone(),
            next_at: Some(now),
            in_flight: false,
            priority: config.default_service_location.iter().cloned().collect(),
        }
    }

    /// When the server should be asked next.
    pub fn next_at(&self) -> Option<Duration> {
        self.next_at.filter(|_| !self.in_flight)
    }

    /// `candidates` reordered by the server's priority (unlisted locations keep their order,
    /// after the listed ones).
    pub fn order(&self, candidates: &[BaseUrl], locations: &[crate::presentation::Location]) -> Vec<BaseUrl> {
        let rank = |b: &BaseUrl| {
            locations
                .get(b.location)
                .and_then(|l| self.priority.iter().position(|p| *p == l.id))
                .unwrap_or(usize::MAX)
        };
        let mut ordered = candidates.to_vec();
        ordered.sort_by_key(rank);
        ordered
    }
}

impl Player {
    /// Ask the steering server if it is time.
    pub(super) fn poll_steering(&mut self) {
        let now = self.now;
        let Some(steering) = self.steering.as_mut() else { return };
        if steering.in_flight || steering.next_at.is_none_or(|t| t > now) {
            return;
        }
        steering.in_flight = true;
        let mut url = steering.url.clone();
        let pathway = self.metrics.last_media_location.clone();
        let throughput = self.estimator.estimate();
        {
            let mut query = url.query_pairs_mut();
            if let Some(pathway) = &pathway {
                query.append_pair("_DASH_pathway", pathway);
            }
            if let Some(t) = throughput {
                query.append_pair("_DASH_throughput", &t.bps().to_string());
            }
        }
        let resource = SegmentRef { url: url.to_string(), range: None };
        self.send(RequestKind::Steering, None, 0, None, None, url.to_string(), &resource);
    }

    /// The steering server answered.
    pub(super) fn on_steering_answer(&mut self, body: &[u8]) {
        let now = self.now;
        let Some(steering) = self.steering.as_mut() else { return };
        steering.in_flight = false;
        match serde_json::from_slice::<Answer>(body) {
            Ok(answer) if answer.version == 1 => {
                if let Some(priority) = answer.priority {
                    steering.priority = priority;
                }
                if let Some(reload) = answer.reload_uri.and_then(|r| steering.url.join(&r).ok()) {
                    steering.url = reload;
                }
                let ttl = answer
                    .ttl
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .map_or(DEFAULT_TTL, Duration::from_secs_f64);
                steering.next_at = Some(now + ttl.min(Duration::from_secs(86_400)));
            }
            _ => steering.next_at = Some(now + RETRY),
        }
    }

    /// The steering server could not be reached: keep the current priority, ask again later.
    pub(super) fn on_steering_failed(&mut self) {
        let now = self.now;
        if let Some(steering) = self.steering.as_mut() {
            steering.in_flight = false;
            steering.next_at = Some(now + RETRY);
        }
    }
}
