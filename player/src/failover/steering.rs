//! The DASH-IF Content Steering client: poll the steering server, reorder locations by its
//! `SERVICE-LOCATION-PRIORITY`, follow `RELOAD-URI`, and report `_DASH_pathway` and
//! `_DASH_throughput`.

use crate::presentation::{BaseUrl, Location, Presentation};
use core::time::Duration;
use serde::Deserialize;

/// Wait before asking again after a failed or unusable answer.
const RETRY: Duration = Duration::from_secs(10);
/// TTL when the answer gives none (the specification's default).
const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// Shortest TTL followed: a server asking for less would be polled on every round trip.
const MIN_TTL: f64 = 1.0;
/// Longest TTL followed (a day).
const MAX_TTL: f64 = 86_400.0;
/// Most locations pathway clones may add over a session.
pub(crate) const MAX_CLONES: usize = 16;

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
    /// Locations added by pathway clones so far.
    clones: usize,
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
pub(crate) struct PathwayClone {
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
    pub(crate) fn new(config: &crate::presentation::ContentSteering, now: Duration) -> Self {
        Steering {
            url: config.server.clone(),
            next_at: Some(now),
            in_flight: false,
            priority: config.default_service_location.iter().cloned().collect(),
            clone_params: Vec::new(),
            clones: 0,
        }
    }

    /// When the server should be asked next.
    pub(crate) fn next_at(&self) -> Option<Duration> {
        self.next_at.filter(|_| !self.in_flight)
    }

    /// `url` with the query parameters a pathway clone gives `location`.
    pub(crate) fn decorate(&self, url: String, location: usize) -> String {
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
    pub(crate) fn order(&self, candidates: &[BaseUrl], locations: &[Location]) -> Vec<BaseUrl> {
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

    /// The URL to ask the server now, if it is time (the request is then taken as sent):
    /// `pathway` is the location media comes from, `throughput_bps` the estimate.
    pub(crate) fn due(
        &mut self,
        now: Duration,
        pathway: Option<&str>,
        throughput_bps: Option<u64>,
    ) -> Option<String> {
        if self.in_flight || self.next_at.is_none_or(|t| t > now) {
            return None;
        }
        self.in_flight = true;
        let mut url = self.url.clone();
        {
            let mut query = url.query_pairs_mut();
            if let Some(pathway) = pathway {
                query.append_pair("_DASH_pathway", pathway);
            }
            if let Some(t) = throughput_bps {
                query.append_pair("_DASH_throughput", &t.to_string());
            }
        }
        Some(url.to_string())
    }

    /// The server answered `body` at `now`: take its priority, TTL and reload URI; the pathway
    /// clones it describes are returned for [`add_clone`].
    pub(crate) fn answered(&mut self, body: &[u8], now: Duration) -> Vec<PathwayClone> {
        self.in_flight = false;
        match serde_json::from_slice::<Answer>(body) {
            Ok(answer) if answer.version == 1 => {
                if let Some(priority) = answer.priority {
                    self.priority = priority;
                }
                let reload = answer.reload_uri.and_then(|r| self.url.join(&r).ok());
                if let Some(reload) = reload.filter(|u| matches!(u.scheme(), "http" | "https")) {
                    self.url = reload;
                }
                // Clamped before the conversion: `1e20` seconds is no Duration.
                let ttl = answer
                    .ttl
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .map_or(DEFAULT_TTL, |t| Duration::from_secs_f64(t.clamp(MIN_TTL, MAX_TTL)));
                self.next_at = Some(now.saturating_add(ttl));
                answer.clones
            }
            _ => {
                self.next_at = Some(now.saturating_add(RETRY));
                Vec::new()
            }
        }
    }

    /// The server could not be reached at `now`: keep the current priority, ask again later.
    pub(crate) fn failed(&mut self, now: Duration) {
        self.in_flight = false;
        self.next_at = Some(now.saturating_add(RETRY));
    }

    /// Requests to `location` carry `params` from now on.
    fn add_params(&mut self, location: usize, params: Vec<(String, String)>) {
        self.clone_params.push((location, params));
    }
}

/// Add the location a pathway clone describes (once) to `presentation`: every base URL of the
/// base location, with the host replaced. Returns the new location's index.
pub(crate) fn add_clone(
    presentation: &mut Presentation,
    steering: &mut Steering,
    clone: &PathwayClone,
) -> Option<usize> {
    if presentation.locations.iter().any(|l| l.id == clone.id) || steering.clones >= MAX_CLONES {
        return None;
    }
    steering.clones += 1;
    let base = presentation.locations.iter().position(|l| l.id == clone.base)?;
    let rewrite = |url: &url::Url| -> Option<url::Url> {
        let mut url = url.clone();
        if let Some(host) = &clone.replacement.host {
            let parsed = url::Url::parse(&format!("{}://{host}/", url.scheme())).ok()?;
            url.set_host(parsed.host_str()).ok()?;
            url.set_port(parsed.port()).ok()?;
        }
        Some(url)
    };
    let index = presentation.locations.len();
    presentation.locations.push(Location { id: clone.id.clone(), priority: None, weight: None });
    for rep in presentation
        .periods
        .iter_mut()
        .flat_map(|p| p.tracks.iter_mut())
        .flat_map(|t| t.representations.iter_mut())
    {
        let extra: Vec<BaseUrl> = rep
            .base_urls
            .iter()
            .filter(|b| b.location == base)
            .filter_map(|b| Some(BaseUrl { url: rewrite(&b.url)?, location: index }))
            .collect();
        rep.base_urls.extend(extra);
    }
    if !clone.replacement.params.is_empty() {
        let params = clone.replacement.params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        steering.add_params(index, params);
    }
    Some(index)
}
