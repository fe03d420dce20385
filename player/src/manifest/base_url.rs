//! BaseURL resolution (ISO/IEC 23009-1 5.6, DVB-DASH 10.8) and candidate locations.
//!
//! Each level (MPD, Period, AdaptationSet, Representation) may list several BaseURLs. A level's
//! candidates are every BaseURL resolved against every candidate of the level above (or the
//! level above's candidates unchanged when the level has none). An absolute BaseURL (or a
//! network-path one, `//host/...`) starts a new location: its `@serviceLocation`, else its
//! `host[:port]`, with its own DVB `@priority`/`@weight`. A relative one stays at its parent's
//! location (its own `@serviceLocation`/`@priority`/`@weight` override when given). URLs that
//! only ever resolved against the manifest's URL belong to the location `"origin"`.

use super::{MAX_BASE_URLS, ManifestError};
use crate::presentation::{BaseUrl, Location, Period};
use url::Url;

/// DVB-DASH's default `@dvb:priority` for a BaseURL that gives none.
const DEFAULT_PRIORITY: u32 = 1;

/// Name of the location of URLs resolved only against the manifest's own URL.
const ORIGIN: &str = "origin";

/// A resolved base URL and the location it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Candidate {
    url: Url,
    location: Location,
    /// Whether some BaseURL contributed (otherwise `url` is the manifest's own URL).
    explicit: bool,
}

/// The starting point: the manifest's URL, at the `"origin"` location.
pub(super) fn root(manifest_url: &Url) -> Vec<Candidate> {
    vec![Candidate {
        url: manifest_url.clone(),
        location: Location { id: ORIGIN.into(), priority: None, weight: None },
        explicit: false,
    }]
}

/// The candidates of a level whose BaseURL elements are `level`, below `parents`.
pub(super) fn descend(
    parents: &[Candidate],
    level: &[dash_mpd_core::BaseURL],
    at: &str,
) -> Result<Vec<Candidate>, ManifestError> {
    if level.is_empty() {
        return Ok(parents.to_vec());
    }
    let count = parents.len().saturating_mul(level.len());
    if count > MAX_BASE_URLS.saturating_mul(4) {
        return Err(ManifestError::TooManyBaseUrls { at: at.into(), count, limit: MAX_BASE_URLS });
    }
    let mut out: Vec<Candidate> = Vec::new();
    for parent in parents {
        for base in level {
            let candidate = resolve(parent, base, at)?;
            if !out.iter().any(|c| c.url == candidate.url && c.location.id == candidate.location.id) {
                out.push(candidate);
            }
        }
    }
    if out.len() > MAX_BASE_URLS {
        return Err(ManifestError::TooManyBaseUrls { at: at.into(), count: out.len(), limit: MAX_BASE_URLS });
    }
    Ok(out)
}

fn resolve(parent: &Candidate, base: &dash_mpd_core::BaseURL, at: &str) -> Result<Candidate, ManifestError> {
    let text = base.base.trim();
    let url = parent.url.join(text).map_err(|e| ManifestError::InvalidUrl {
        at: at.into(),
        url: text.into(),
        reason: e.to_string(),
    })?;
    let priority = base
        .priority
        .map(|p| {
            u32::try_from(p).map_err(|_| ManifestError::InvalidAttribute {
                at: at.into(),
                attribute: "BaseURL@dvb:priority",
                value: p.to_string(),
                reason: "out of range".into(),
            })
        })
        .transpose()?;
    let weight = base
        .weight
        .map(|w| {
            u32::try_from(w).map_err(|_| ManifestError::InvalidAttribute {
                at: at.into(),
                attribute: "BaseURL@dvb:weight",
                value: w.to_string(),
                reason: "must be a non-negative 32-bit integer".into(),
            })
        })
        .transpose()?;
    let starts_location = Url::parse(text).is_ok() || text.starts_with("//");
    let location = if starts_location {
        Location { id: base.serviceLocation.clone().unwrap_or_else(|| host_port(&url)), priority, weight }
    } else {
        Location {
            id: base.serviceLocation.clone().unwrap_or_else(|| parent.location.id.clone()),
            priority: priority.or(parent.location.priority),
            weight: weight.or(parent.location.weight),
        }
    };
    Ok(Candidate { url, location, explicit: true })
}

/// `host` or `host:port` (when the port is not the scheme's default); `"origin"` for URLs
/// without a host.
fn host_port(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => ORIGIN.into(),
    }
}

fn rank(location: &Location) -> u32 {
    location.priority.unwrap_or(DEFAULT_PRIORITY)
}

/// The presentation's locations, collected while representations are built.
#[derive(Debug, Default)]
pub(super) struct LocationTable {
    /// In order of first appearance; [`BaseUrl::location`] indexes this until [`Self::finish`].
    seen: Vec<Location>,
}

impl LocationTable {
    fn intern(&mut self, location: &Location) -> usize {
        match self.seen.iter().position(|l| l.id == location.id) {
            Some(index) => index,
            None => {
                self.seen.push(location.clone());
                self.seen.len() - 1
            }
        }
    }

    /// A representation's base URLs: one per location, best (lowest priority value) first,
    /// document order among equals. Without any BaseURL, the manifest's directory.
    pub(super) fn base_urls(
        &mut self,
        candidates: &[Candidate],
        manifest_url: &Url,
        at: &str,
    ) -> Result<Vec<BaseUrl>, ManifestError> {
        let mut out: Vec<BaseUrl> = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            let index = self.intern(&candidate.location);
            if out.iter().any(|b| b.location == index) {
                continue;
            }
            let url = if candidate.explicit {
                candidate.url.clone()
            } else {
                manifest_url.join("./").map_err(|e| ManifestError::InvalidUrl {
                    at: at.into(),
                    url: manifest_url.to_string(),
                    reason: format!("no directory to resolve segments against: {e}"),
                })?
            };
            out.push(BaseUrl { url, location: index });
        }
        let seen = &self.seen;
        out.sort_by_key(|b| seen.get(b.location).map_or(u32::MAX, rank));
        Ok(out)
    }

    /// Sort the locations best first (lowest priority value, then first appearance), renumber
    /// every [`BaseUrl::location`] in `periods` to match, and return the sorted list.
    pub(super) fn finish(self, periods: &mut [Period]) -> Vec<Location> {
        let mut order: Vec<usize> = (0..self.seen.len()).collect();
        order.sort_by_key(|&i| self.seen.get(i).map_or(u32::MAX, rank));
        let mut renumber = vec![0; self.seen.len()];
        for (new, &old) in order.iter().enumerate() {
            if let Some(slot) = renumber.get_mut(old) {
                *slot = new;
            }
        }
        let representations =
            periods.iter_mut().flat_map(|p| p.tracks.iter_mut()).flat_map(|t| t.representations.iter_mut());
        for representation in representations {
            for base in &mut representation.base_urls {
                base.location = renumber.get(base.location).copied().unwrap_or(base.location);
            }
        }
        order.into_iter().filter_map(|i| self.seen.get(i).cloned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(text: &str) -> dash_mpd_core::BaseURL {
        dash_mpd_core::BaseURL { base: text.into(), ..Default::default() }
    }

    fn manifest() -> Url {
        Url::parse("https://origin.example/a/b/manifest.mpd?token=1").unwrap()
    }

    #[test]
    fn relative_and_absolute_levels() {
        let root = root(&manifest());
        let mpd = descend(&root, &[base("https://cdn1.example:8443/x/"), base("media/")], "MPD").unwrap();
        assert_eq!(mpd[0].url.as_str(), "https://cdn1.example:8443/x/");
        assert_eq!(mpd[0].location.id, "cdn1.example:8443");
        assert_eq!(mpd[1].url.as_str(), "https://origin.example/a/b/media/");
        assert_eq!(mpd[1].location.id, "origin");
        let rep = descend(&mpd, &[base("v1/")], "Representation").unwrap();
        assert_eq!(rep[0].url.as_str(), "https://cdn1.example:8443/x/v1/");
        assert_eq!(rep[1].url.as_str(), "https://origin.example/a/b/media/v1/");
        // An absolute BaseURL below several candidates collapses to one.
        let abs = descend(&mpd, &[base("//cdn2.example/z/")], "Representation").unwrap();
        assert_eq!(abs.len(), 1);
        assert_eq!(abs[0].url.as_str(), "https://cdn2.example/z/");
        assert_eq!(abs[0].location.id, "cdn2.example");
    }

    #[test]
    fn no_base_url_means_manifest_directory() {
        let mut table = LocationTable::default();
        let urls = table.base_urls(&root(&manifest()), &manifest(), "here").unwrap();
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].url.as_str(), "https://origin.example/a/b/");
        assert_eq!(table.finish(&mut []), [Location { id: "origin".into(), priority: None, weight: None }]);
    }

    #[test]
    fn bad_priority_and_weight() {
        let mut b = base("https://x/");
        b.weight = Some(-1);
        assert!(matches!(
            descend(&root(&manifest()), &[b], "MPD"),
            Err(ManifestError::InvalidAttribute { attribute: "BaseURL@dvb:weight", .. })
        ));
        let mut b = base("https://x/");
        b.priority = Some(u64::MAX);
        assert!(matches!(
            descend(&root(&manifest()), &[b], "MPD"),
            Err(ManifestError::InvalidAttribute { attribute: "BaseURL@dvb:priority", .. })
        ));
    }

    #[test]
    fn too_many_combinations() {
        let level: Vec<_> = (0..20).map(|i| base(&format!("https://h{i}.example/"))).collect();
        let rel: Vec<_> = (0..20).map(|i| base(&format!("p{i}/"))).collect();
        let first = descend(&root(&manifest()), &level, "MPD").unwrap();
        assert!(matches!(descend(&first, &rel, "Period[0]"), Err(ManifestError::TooManyBaseUrls { .. })));
    }
}
