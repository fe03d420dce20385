//! Live mode: a VOD DASH folder served as a live stream whose window moves with the server's
//! clock ([`LiveConfig`], `flick serve DIR --live`).
//!
//! The folder's static MPD (one Period, `SegmentTemplate` addressing with `$Number$` and
//! `@duration`, or a `SegmentTimeline`) is served as a dynamic MPD:
//! - `type="dynamic"`, `availabilityStartTime` = the CDN's start minus
//!   [`LiveConfig::start_offset`] (to the millisecond), `publishTime` = the request's moment,
//!   `minimumUpdatePeriod`, `timeShiftBufferDepth`, `suggestedPresentationDelay` when set, no
//!   `mediaPresentationDuration`; the Period starts at `PT0S` and keeps its id;
//! - every `SegmentTemplate` gets `media="live/$RepresentationID$/$Number$.m4s"` (or
//!   `t$Time$.m4s`, see [`LiveAddressing`]) while `initialization` still names the VOD file;
//! - MPD-level `UTCTiming` elements are replaced by two (`http-iso` and `http-xsdate`) naming
//!   `GET /time` on the location that served the MPD, which answers its current UTC time
//!   (`2026-12-01T23:59:59.123Z`). The BaseURLs are then rewritten as for VOD.
//!
//! The media loops forever: live segment `n` of a representation is its VOD segment
//! `(n - startNumber) mod count`, and each `moof/traf/tfdt` (and a `sidx`'s earliest
//! presentation time) is moved on by `loop × loop length`, converted to that track's timescale
//! (read from the initialization segment), so media time keeps growing across loops. The loop
//! length is `count × @duration` for `@duration` templates, where `count` is
//! `ceil(Period length / @duration)` (the segments a VOD player would ask for); for timelines it
//! runs from the first segment's `t` to the last one's end, with the timeline's own durations,
//! equal or not. Media time equals presentation time when the VOD files' `tfdt` equal the
//! timeline's `t` (as in ffmpeg's video tracks); an offset between them (ffmpeg's AAC tracks
//! start 1024 samples late, behind an edit list) carries over unchanged to every loop.
//!
//! A segment is served once it has ended on the server's clock (`availabilityStartTime` + its
//! presentation end) and until `timeShiftBufferDepth` plus its own duration after that; before
//! and after, it is a 404, as from a real origin. `@duration` templates stay `@duration` when
//! the representation's segments are all equal and start at presentation time 0; otherwise (and
//! with [`LiveAddressing::NumberTimeline`]) the template lists the window's segments in a
//! `SegmentTimeline` (at most the newest 100 000), a new window at each request.

mod clock;
mod manifest;
mod mp4;
mod source;
mod template;
mod timing;

pub use clock::{format_utc, parse_utc};

use crate::files;
use source::Source;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How a live MPD addresses its segments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LiveAddressing {
    /// `$Number$` with `@duration`, as long as a representation's segments are all of one
    /// duration (else that template gets a `SegmentTimeline`).
    #[default]
    NumberDuration,
    /// `$Number$` with a `SegmentTimeline` listing the window's segments (`--live-timeline`).
    NumberTimeline,
    /// `$Time$` with a `SegmentTimeline` (`--live-time`).
    TimeTimeline,
}

/// How to serve the folder as a live stream (see the [module documentation](self)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveConfig {
    /// `timeShiftBufferDepth`: how far back the window reaches; default 30 s.
    pub window: Duration,
    /// `minimumUpdatePeriod`: how often players should fetch the MPD again; default 2 s.
    pub update_period: Duration,
    /// How segments are addressed; default `$Number$` with `@duration`.
    pub addressing: LiveAddressing,
    /// `suggestedPresentationDelay`, written only when set.
    pub presentation_delay: Option<Duration>,
    /// Pretend the stream started this long before the CDN did (`availabilityStartTime` is the
    /// CDN's start minus this), so a DVR window exists at once; `None` means [`Self::window`],
    /// so a fresh server already has a full window. `Some(Duration::ZERO)` starts the stream
    /// with the CDN: its first segment appears one segment duration later.
    pub start_offset: Option<Duration>,
}

impl Default for LiveConfig {
    fn default() -> LiveConfig {
        LiveConfig {
            window: Duration::from_secs(30),
            update_period: Duration::from_secs(2),
            addressing: LiveAddressing::NumberDuration,
            presentation_delay: None,
            start_offset: None,
        }
    }
}

/// A live request's segment: track (representation) index and live segment number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) track: usize,
    pub(crate) number: u64,
}

/// Why a live segment is not served.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// It does not exist (yet, any more, or at all): 404.
    NotFound(String),
    /// Its VOD file could not be read or patched: 500.
    Broken(String),
}

/// One representation as served live.
#[derive(Debug)]
struct Served {
    /// The request path (decoded) before its segments' names: `/BASE/live/ID/`.
    prefix: String,
    /// `(track_ID, timescale)` of its initialization segment.
    timescales: Vec<(u32, u32)>,
}

/// The live state of a test CDN.
#[derive(Debug)]
pub(crate) struct Live {
    config: LiveConfig,
    start: SystemTime,
    manifest: PathBuf,
    source: Source,
    served: Vec<Served>,
}

impl Live {
    /// Read the MPD `manifest` (text `text`) of the folder `dir` and its initialization
    /// segments; the stream starts at `started` minus the start offset.
    pub(crate) fn load(
        dir: &Path,
        manifest: &Path,
        text: &str,
        config: LiveConfig,
        started: SystemTime,
    ) -> Result<Live, String> {
        if config.window.is_zero() || config.update_period.is_zero() {
            return Err("the live window and update period must be above 0".into());
        }
        let source = source::read(text)?;
        let mut served = Vec::with_capacity(source.tracks.len());
        for track in &source.tracks {
            let path = files::resolve(dir, &track.init).map_err(|_| {
                format!("representation {:?}: no initialization segment at {}", track.id, track.init)
            })?;
            let init = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let timescales = mp4::track_timescales(&init).map_err(|e| format!("{}: {e}", path.display()))?;
            let base = template::directory(&track.base);
            let base = files::percent_decode(base).unwrap_or_else(|| base.to_string());
            served.push(Served { prefix: format!("/{base}live/{}/", track.id), timescales });
        }
        let offset = config.start_offset.unwrap_or(config.window);
        let start = started.checked_sub(offset).ok_or("the start offset reaches before 1970")?;
        let millis =
            start.duration_since(UNIX_EPOCH).map_err(|_| "the stream would start before 1970")?.as_millis();
        let start = UNIX_EPOCH + Duration::from_millis(millis as u64);
        let manifest = dir.join(manifest);
        let manifest = manifest.canonicalize().unwrap_or(manifest);
        Ok(Live { config, start, manifest, source, served })
    }

    /// `availabilityStartTime`.
    pub(crate) fn start(&self) -> SystemTime {
        self.start
    }

    /// Whether the file `path` (canonical) is the MPD served live.
    pub(crate) fn is_manifest(&self, path: &Path) -> bool {
        path == self.manifest
    }

    /// The live MPD at `now` (before the BaseURL rewrite), announcing the time server `time_url`.
    pub(crate) fn manifest(&self, now: SystemTime, time_url: &str) -> String {
        let moment = manifest::Moment { start: self.start, now };
        manifest::render(&self.source, &self.config, &moment, time_url)
    }

    /// The live segment the request path `path` (as sent) names, if any:
    /// `/BASE/live/ID/NUMBER.m4s` or `/BASE/live/ID/tTIME.m4s`.
    pub(crate) fn route(&self, path: &str) -> Option<Route> {
        let decoded = files::percent_decode(path)?;
        let (track, rest) = self
            .served
            .iter()
            .enumerate()
            .find_map(|(i, s)| decoded.strip_prefix(&s.prefix).map(|rest| (i, rest)))?;
        let name = rest.strip_suffix(".m4s")?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let timing = &self.source.tracks.get(track)?.timing;
        let start_number = self.source.tracks.get(track)?.start_number;
        let number = match name.strip_prefix('t') {
            Some(time) if digits(time) => {
                start_number.checked_add(timing.index_of_time(time.parse().ok()?)?)?
            }
            Some(_) => return None,
            None if digits(name) => name.parse().ok()?,
            None => return None,
        };
        Some(Route { track, number })
    }

    /// The bytes of live segment `route` at `now`, read from the folder `dir` and patched.
    pub(crate) async fn segment(
        &self,
        dir: &Path,
        route: Route,
        now: SystemTime,
    ) -> Result<Vec<u8>, Refusal> {
        let (Some(track), Some(served)) = (self.source.tracks.get(route.track), self.served.get(route.track))
        else {
            return Err(Refusal::NotFound("no such representation\n".into()));
        };
        let timing = &track.timing;
        let name = format!("segment {} of representation {:?}", route.number, track.id);
        let Some(i) = route.number.checked_sub(track.start_number) else {
            return Err(Refusal::NotFound(format!("{name} is before the first one\n")));
        };
        let now_ticks = timing.ticks(now.duration_since(self.start).unwrap_or_default());
        let end = timing.end(i);
        let segment = timing.segment(i);
        if end > now_ticks {
            let at = u64::try_from(end.max(0) as u128 * 1_000_000_000 / u128::from(timing.timescale))
                .unwrap_or(u64::MAX);
            let at =
                self.start.checked_add(Duration::from_nanos(at)).map_or_else(|| "never".into(), format_utc);
            return Err(Refusal::NotFound(format!("{name} is not available yet (from {at})\n")));
        }
        if now_ticks - end > timing.ticks(self.config.window) + i128::from(segment.duration) {
            return Err(Refusal::NotFound(format!("{name} has left the time-shift window\n")));
        }
        let vod_time = segment.media_time - u128::from(segment.loop_index) * u128::from(timing.loop_len());
        let vod_number = track.start_number.saturating_add(segment.vod_index);
        let url = template::fill(&track.media, &track.id, track.bandwidth, Some(vod_number), Some(vod_time))
            .map_err(Refusal::Broken)?;
        let url = template::resolve(&track.base, &url);
        let path = files::resolve(dir, &url)
            .map_err(|_| Refusal::NotFound(format!("{name}: no VOD file {url}\n")))?;
        let bytes =
            tokio::fs::read(&path).await.map_err(|e| Refusal::NotFound(format!("{name}: {url}: {e}\n")))?;
        // The loop's length in seconds is loop_len / timescale: in `scale` units, rounded.
        let loops = u128::from(segment.loop_index) * u128::from(timing.loop_len());
        let shift = |scale: u32| {
            let ticks =
                (loops * u128::from(scale) + u128::from(timing.timescale) / 2) / u128::from(timing.timescale);
            u64::try_from(ticks).unwrap_or(u64::MAX)
        };
        mp4::shift_times(&bytes, &served.timescales, shift)
            .map_err(|e| Refusal::Broken(format!("{name}: {url}: {e}\n")))
    }
}

#[cfg(test)]
mod tests;
