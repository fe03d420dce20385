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
    /// Query parameters pathway clones add to every request of a location, by location index.
    clone_params: Vec<(usize, Vec<(String, String)>)>,
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
    #[serde(rename = "PATHWAY-CLONES", default)]
    clones: Vec<PathwayClone>,
}

/// A new location made from an existing one by replacing the host (and adding query parameters).
#[derive(Deserialize)]
struct PathwayClone {
    #[serde(rename = "BASE-ID")]
    base: String,
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "URI-REPLACEMENT")]
    replacement: UriReplacement,
}

#[derive(Deserialize)]
struct UriReplacement {
    #[serde(rename = "HOST", default)]
    host: Option<String>,
    #[serde(rename = "PARAMS", default)]
    params: std::collections::BTreeMap<String, String>,
}

impl Steering {
    /// A client for the presentation's steering server, to be asked at once.
    pub fn new(config: &crate::presentation::ContentSteering, now: Duration) -> Self {
        Steering {
            url: config.server.clone(),
            next_at: Some(now),
            in_flight: false,
            priority: config.default_service_location.iter().cloned().collect(),
            clone_params: Vec::new(),
        }
    }

    /// When the server should be asked next.
    pub fn next_at(&self) -> Option<Duration> {
        self.next_at.filter(|_| !self.in_flight)
    }

    /// `url` with the query parameters a pathway clone gives `location`.
    pub fn decorate(&self, url: String, location: usize) -> String {
        let Some((_, params)) = self.clone_params.iter().find(|(l, _)| *l == location) else { return url };
        match url::Url::parse(&url) {
            Ok(mut u) => {
                u.query_pairs_mut().extend_pairs(params.iter());
                u.to_string()
            }
            Err(_) => url,
        }
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
                let clones = answer.clones;
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
                for clone in clones {
                    self.clone_pathway(&clone);
                }
            }
            _ => steering.next_at = Some(now + RETRY),
        }
    }

    /// Add the location a pathway clone describes (once): every base URL of the base location,
    /// with the host replaced and the parameters added.
    fn clone_pathway(&mut self, clone: &PathwayClone) {
        let Some(presentation) = self.presentation.as_mut() else { return };
        if presentation.locations.iter().any(|l| l.id == clone.id) {
            return;
        }
        let Some(base) = presentation.locations.iter().position(|l| l.id == clone.base) else { return };
        let rewrite = |url: &url::Url| -> Option<url::Url> {
            let mut url = url.clone();
            if let Some(host) = &clone.replacement.host {
                let parsed = url::Url::parse(&format!("{}://{host}/", url.scheme())).ok()?;
                url.set_host(parsed.host_str()).ok()?;
                url.set_port(parsed.port()).ok()?;
            }
            Some(url)
        };
        let p = std::sync::Arc::make_mut(presentation);
        let index = p.locations.len();
        p.locations.push(crate::presentation::Location {
            id: clone.id.clone(),
            priority: None,
            weight: None,
        });
        for rep in
            p.periods.iter_mut().flat_map(|p| p.tracks.iter_mut()).flat_map(|t| t.representations.iter_mut())
        {
            let extra: Vec<BaseUrl> = rep
                .base_urls
                .iter()
                .filter(|b| b.location == base)
                .filter_map(|b| Some(BaseUrl { url: rewrite(&b.url)?, location: index }))
                .collect();
            rep.base_urls.extend(extra);
        }
        self.locations.grow(index + 1);
        if let Some(steering) = self.steering.as_mut()
            && !clone.replacement.params.is_empty()
        {
            let params = clone.replacement.params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            steering.clone_params.push((index, params));
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
