//! Bitrate ladders with real segment sizes: a Pensieve `video_size_*` folder, a Sabre manifest
//! JSON, or a local DASH folder; and the presentation the simulated player sees for one.

use flick_abr::units::{Bitrate, Bytes};
use flick_player::presentation::{
    BaseUrl, Location, MediaSegment, Period, Presentation, Representation, SegmentIndex, SegmentRef, Track,
    TrackKind,
};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Pensieve's Envivio rates, used for a `video_size_*` folder (which holds sizes only).
pub const PENSIEVE_BITRATES_KBPS: [u64; 6] = [300, 750, 1200, 1850, 2850, 4300];
/// Pensieve plays the first 48 of the 49 chunks in its size files.
pub const PENSIEVE_CHUNKS: usize = 48;

/// A video ladder with per-segment sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct Ladder {
    /// Where it came from.
    pub name: String,
    /// Nominal segment duration.
    pub segment_duration: Duration,
    /// Rates, lowest first.
    pub bitrates: Vec<Bitrate>,
    /// `sizes[segment][rung]` in bytes; may list more segments than are played.
    pub sizes: Vec<Vec<u64>>,
    /// Segments played.
    pub segments: usize,
    /// An audio track beside the video (from a DASH folder), fetched as the players fetch it.
    pub audio: Option<AudioLadder>,
}

/// One audio representation with its segment sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct AudioLadder {
    /// Its rate.
    pub bitrate: Bitrate,
    /// Segment sizes in bytes.
    pub sizes: Vec<u64>,
    /// Nominal segment duration.
    pub segment_duration: Duration,
}

/// Why a ladder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LadderError {
    /// A file could not be read.
    #[error("{path}: {cause}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        cause: std::io::Error,
    },
    /// The content is not a usable ladder.
    #[error("{path}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct SabreManifest {
    segment_duration_ms: f64,
    bitrates_kbps: Vec<f64>,
    segment_sizes_bits: Vec<Vec<f64>>,
}

impl Ladder {
    /// Read a ladder from a Sabre manifest JSON file, a Pensieve `video_size_*` folder, or a
    /// local DASH folder (an MPD and its segment files).
    pub fn load(path: &Path) -> Result<Ladder, LadderError> {
        let format = |message: String| LadderError::Format { path: path.to_path_buf(), message };
        let io = |cause| LadderError::Io { path: path.to_path_buf(), cause };
        if path.is_dir() {
            if path.join("video_size_0").exists() {
                return Self::load_pensieve(path);
            }
            return super::dash_folder::load(path);
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let m: SabreManifest =
            serde_json::from_str(&text).map_err(|e| format(format!("Sabre manifest: {e}")))?;
        if m.bitrates_kbps.is_empty() || m.segment_sizes_bits.is_empty() || m.segment_duration_ms <= 0.0 {
            return Err(format("empty ladder".into()));
        }
        let rungs = m.bitrates_kbps.len();
        if m.segment_sizes_bits.iter().any(|s| s.len() != rungs) {
            return Err(format("every segment needs one size per bitrate".into()));
        }
        Ok(Ladder {
            name: path.display().to_string(),
            segment_duration: Duration::from_secs_f64(m.segment_duration_ms / 1000.0),
            bitrates: m.bitrates_kbps.iter().map(|&k| Bitrate::from_kbps_f64(k)).collect(),
            segments: m.segment_sizes_bits.len(),
            audio: None,
            sizes: m
                .segment_sizes_bits
                .iter()
                .map(|s| s.iter().map(|b| (b / 8.0).round() as u64).collect())
                .collect(),
        })
    }

    fn load_pensieve(dir: &Path) -> Result<Ladder, LadderError> {
        let mut columns = Vec::new();
        for rung in 0.. {
            let file = dir.join(format!("video_size_{rung}"));
            if !file.exists() {
                break;
            }
            let text = std::fs::read_to_string(&file)
                .map_err(|cause| LadderError::Io { path: file.clone(), cause })?;
            let sizes: Result<Vec<u64>, _> = text.split_whitespace().map(str::parse).collect();
            columns
                .push(sizes.map_err(|e| LadderError::Format { path: file.clone(), message: e.to_string() })?);
        }
        let chunks = columns.iter().map(Vec::len).min().unwrap_or(0);
        let format = |message: String| LadderError::Format { path: dir.to_path_buf(), message };
        if columns.len() != PENSIEVE_BITRATES_KBPS.len() {
            return Err(format(format!(
                "{} rungs: a video_size_* folder carries no rates, and Pensieve's are known for 6",
                columns.len()
            )));
        }
        if chunks < 2 {
            return Err(format("too few chunks".into()));
        }
        Ok(Ladder {
            name: dir.display().to_string(),
            segment_duration: Duration::from_secs(4),
            bitrates: PENSIEVE_BITRATES_KBPS.iter().map(|&k| Bitrate::from_kbps(k)).collect(),
            sizes: (0..chunks).map(|s| columns.iter().map(|c| c[s]).collect()).collect(),
            segments: PENSIEVE_CHUNKS.min(chunks),
            audio: None,
        })
    }

    /// The presentation the simulated player loads, served from `locations` (at least one).
    pub fn content(&self, locations: &[&str]) -> SimContent {
        let locations: Vec<&str> = if locations.is_empty() { vec!["a"] } else { locations.to_vec() };
        let base_urls: Vec<BaseUrl> =
            locations.iter().enumerate().map(|(i, l)| BaseUrl { url: url_for(l), location: i }).collect();
        let mut sizes = HashMap::new();
        let representations = self
            .bitrates
            .iter()
            .enumerate()
            .map(|(rung, &bandwidth)| {
                // Sizes past the played segments stay listed (beyond the period's end, so never
                // fetched): Pensieve's RobustMPC looks one segment ahead into them.
                let segments = (0..self.sizes.len())
                    .map(|s| {
                        let path = format!("v{rung}/{s}.m4s");
                        let size = self.sizes[s][rung];
                        sizes.insert(format!("/{path}"), size);
                        MediaSegment {
                            location: SegmentRef { url: path, range: None },
                            number: s as u64,
                            start: self.segment_duration * s as u32,
                            duration: self.segment_duration,
                            size: Some(Bytes(size)),
                        }
                    })
                    .collect();
                Representation {
                    id: format!("v{rung}"),
                    bandwidth,
                    width: None,
                    height: None,
                    frame_rate: None,
                    codecs: None,
                    mime_type: Some("video/mp4".into()),
                    audio_sampling_rate: None,
                    base_urls: base_urls.clone(),
                    availability_time_offset: 0.0,
                    segments: SegmentIndex::Listed { init: None, segments },
                }
            })
            .collect();
        let duration = self.segment_duration * self.segments as u32;
        let presentation = Presentation {
            duration: Some(duration),
            min_buffer_time: None,
            periods: vec![Period {
                id: None,
                start: Duration::ZERO,
                duration: Some(duration),
                tracks: std::iter::once(Track {
                    kind: TrackKind::Video,
                    id: None,
                    language: None,
                    mime_type: Some("video/mp4".into()),
                    representations,
                })
                .chain(self.audio.as_ref().map(|audio| audio.track(&base_urls, &mut sizes)))
                .collect(),
            }],
            locations: locations
                .iter()
                .map(|l| Location { id: l.to_string(), priority: None, weight: None })
                .collect(),
            steering: None,
            live: None,
            events: Vec::new(),
            warnings: Vec::new(),
        };
        SimContent { presentation: Arc::new(presentation), sizes: Arc::new(sizes), live_edge_at_start: None }
    }
}

impl AudioLadder {
    fn track(&self, base_urls: &[BaseUrl], sizes: &mut HashMap<String, u64>) -> Track {
        let segments = self
            .sizes
            .iter()
            .enumerate()
            .map(|(s, &size)| {
                let path = format!("a0/{s}.m4s");
                sizes.insert(format!("/{path}"), size);
                MediaSegment {
                    location: SegmentRef { url: path, range: None },
                    number: s as u64,
                    start: self.segment_duration * s as u32,
                    duration: self.segment_duration,
                    size: Some(Bytes(size)),
                }
            })
            .collect();
        Track {
            kind: TrackKind::Audio,
            id: None,
            language: None,
            mime_type: Some("audio/mp4".into()),
            representations: vec![Representation {
                id: "a0".into(),
                bandwidth: self.bitrate,
                width: None,
                height: None,
                frame_rate: None,
                codecs: None,
                mime_type: Some("audio/mp4".into()),
                audio_sampling_rate: None,
                base_urls: base_urls.to_vec(),
                availability_time_offset: 0.0,
                segments: SegmentIndex::Listed { init: None, segments },
            }],
        }
    }
}

fn url_for(location: &str) -> url::Url {
    url::Url::parse(&format!("http://{location}.sim.invalid/"))
        .unwrap_or_else(|_| url::Url::parse("http://sim.invalid/").expect("a constant URL parses"))
}

/// What the simulated CDN serves: the presentation and the size of every resource by path.
#[derive(Clone, Debug)]
pub struct SimContent {
    /// The presentation handed to the player.
    pub presentation: Arc<Presentation>,
    /// Resource sizes by URL path.
    pub sizes: Arc<HashMap<String, u64>>,
    /// For a live session: where the live edge is when the session starts (the content before
    /// it has been "produced"; the rest appears as the session's virtual time passes).
    pub live_edge_at_start: Option<Duration>,
}

/// The simulated wall-clock time of a live presentation's time zero (2020-09-13T12:26:40Z).
pub const SIM_AVAILABILITY_START: Duration = Duration::from_secs(1_600_000_000);

impl SimContent {
    /// The same content as a live stream whose edge is at `edge` when the session starts:
    /// segments appear as virtual time passes, with a DVR window of `window`, and the session
    /// ends when the edge reaches the end of the content.
    pub fn as_live(&self, edge: Duration, window: Duration) -> SimContent {
        let mut presentation = (*self.presentation).clone();
        presentation.duration = None;
        for period in &mut presentation.periods {
            period.duration = None;
        }
        presentation.live = Some(flick_player::presentation::Live {
            availability_start: SIM_AVAILABILITY_START,
            publish_time: None,
            minimum_update_period: None,
            time_shift_buffer_depth: Some(window),
            suggested_presentation_delay: None,
            latency: None,
            playback_rate: None,
            utc_timing: Vec::new(),
            locations: Vec::new(),
        });
        SimContent {
            presentation: Arc::new(presentation),
            sizes: self.sizes.clone(),
            live_edge_at_start: Some(edge),
        }
    }

    /// The content's length: the end of its longest track.
    pub fn length(&self) -> Duration {
        self.presentation
            .periods
            .iter()
            .flat_map(|p| &p.tracks)
            .filter_map(|t| {
                let segments = t.representations.first()?.segments.segments()?;
                let (start, duration) = segments.timing(segments.len().checked_sub(1)?)?;
                Some(start + duration)
            })
            .max()
            .unwrap_or_default()
    }

    /// Size of the resource at `url`, if served.
    pub fn size_of(&self, url: &str) -> Option<u64> {
        let path = url.find("://").and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))?;
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.sizes.get(path).copied()
    }
}
