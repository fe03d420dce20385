//! `flick inspect URL|FILE`: parse a manifest the way the player would and say what it would play
//! (periods, tracks, rungs, segment counts and addressing, locations, content steering) and what
//! it would not (notices with short machine codes), without playing anything.
//!
//! It stays fast and small on any input: the manifest is read through the native driver's
//! limits (at most [`BodyLimits::manifest`] bytes, http(s) with at most three redirects and no
//! downgrade, whole within 30 s; or a local file read no further than that), and a representation's segments are
//! never listed: its count, addressing and first and last segment are reported, and a
//! SegmentTemplate's segments stay computed on demand, so a template describing a million
//! segments costs two look-ups.
//!
//! Exit 0 when Flick would play it; 1 with one line `error[kind]: message` when it would not
//! (unreadable, malformed, unsupported, nothing playable); 2 on bad usage. `--json` writes one
//! JSON document to stdout (and nothing else there), also when the manifest is not playable.

use crate::compare::UsageError;
use anyhow::Context;
use clap::Args;
use flick_native::{BodyLimits, FetchConfig};
use flick_player::RequestKind;
use flick_player::manifest::{self, ManifestError};
use flick_player::presentation::{
    Presentation, Representation, SegmentIndex, SegmentRef, Segments, Track, TrackKind,
};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};
use url::Url;

/// Longest a manifest may take to arrive whole over HTTP.
const FETCH_DEADLINE: Duration = Duration::from_secs(30);

/// Arguments of `flick inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The manifest: an `http(s)://` or `file://` URL, or a file path.
    source: String,
    /// Write the summary as one JSON document to stdout (and nothing else there).
    #[arg(long)]
    json: bool,
}

/// Why a manifest is not playable: `error[kind]: message` (exit code 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Short machine code: `read`, `too_large`, `fetch`, `manifest.<what>`, or a notice's code.
    pub kind: String,
    /// What went wrong, on one line.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.kind, one_line(&self.message))
    }
}

impl std::error::Error for Failure {}

fn failure(kind: impl Into<String>, message: impl Into<String>) -> Failure {
    Failure { kind: kind.into(), message: message.into() }
}

/// Run `flick inspect`.
pub fn run(args: InspectArgs) -> anyhow::Result<()> {
    if args.source.trim().is_empty() {
        return Err(UsageError("the manifest's URL or path is empty".into()).into());
    }
    let started = Instant::now();
    let limits = BodyLimits::default();
    let mut summary = Summary::new(&args.source);
    let outcome = read(&args.source, limits.manifest).and_then(|(bytes, url)| {
        summary.manifest_url = Some(url.to_string());
        summary.bytes = Some(bytes.len() as u64);
        let parsing = Instant::now();
        let parsed = manifest::parse(&bytes, &url);
        summary.parse_ms = Some(parsing.elapsed().as_secs_f64() * 1000.0);
        parsed.map_err(|e| failure(format!("manifest.{}", manifest_kind(&e)), e.to_string()))
    });
    let result = match outcome {
        Ok(presentation) => summary.describe(&presentation),
        Err(cause) => Err(cause),
    };
    summary.total_ms = started.elapsed().as_secs_f64() * 1000.0;
    summary.playable = result.is_ok();
    summary.error = result.as_ref().err().cloned();
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &summary).context("writing the summary to stdout")?;
        writeln!(out).and_then(|()| out.flush()).context("writing the summary to stdout")?;
    } else {
        let mut out = std::io::stdout().lock();
        summary.write_text(&mut out).and_then(|()| out.flush()).context("writing the summary to stdout")?;
    }
    result.map_err(anyhow::Error::from)
}

/// The manifest's bytes (at most `limit`) and the URL its relative URLs resolve against.
fn read(source: &str, limit: u64) -> Result<(Vec<u8>, Url), Failure> {
    if source.contains("://") {
        let url = Url::parse(source).map_err(|e| failure("read", format!("bad URL {source:?}: {e}")))?;
        return match url.scheme() {
            "http" | "https" => fetch(&url).map(|bytes| (bytes, url)),
            "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| failure("read", format!("{url} does not name a local file")))?;
                read_file(&path, limit).map(|(bytes, _)| (bytes, url))
            }
            scheme => Err(failure(
                "read",
                format!("{scheme}: URLs are not read, only http, https and file ({source})"),
            )),
        };
    }
    read_file(Path::new(source), limit)
}

/// Fetch `url` with the native driver's client and limits (a manifest request's).
fn fetch(url: &Url) -> Result<Vec<u8>, Failure> {
    let config = FetchConfig::default();
    let client = config.client().map_err(|e| failure("fetch", format!("building the HTTP client: {e}")))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failure("fetch", format!("starting the async runtime: {e}")))?;
    let fetch = flick_native::fetch_whole(&client, &config, url.as_str(), RequestKind::Manifest);
    // No core watches this request for stalls: a body trickling in is given up as a whole.
    let fetched = runtime.block_on(async { tokio::time::timeout(FETCH_DEADLINE, fetch).await });
    let Ok(fetched) = fetched else {
        return Err(failure(
            "fetch",
            format!("{url}: no whole answer within {} s", FETCH_DEADLINE.as_secs()),
        ));
    };
    fetched.map_err(|e| {
        let message = match &e {
            flick_player::FetchError::Http(status) => format!("{url}: HTTP {status}"),
            flick_player::FetchError::Transport(cause) => format!("{url}: {cause}"),
            other => format!("{url}: {other:?}"),
        };
        let kind = if message.contains("too large") { "too_large" } else { "fetch" };
        failure(kind, message)
    })
}

/// A local file, read no further than `limit` bytes (a larger one fails without being read
/// whole), and its `file://` URL.
fn read_file(path: &Path, limit: u64) -> Result<(Vec<u8>, Url), Failure> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| failure("read", format!("cannot read {shown}: {e}")))?;
    let meta = file.metadata().map_err(|e| failure("read", format!("cannot read {shown}: {e}")))?;
    if meta.is_dir() {
        return Err(failure("read", format!("{shown} is a folder, not a manifest")));
    }
    if meta.len() > limit {
        return Err(too_large(&shown.to_string(), meta.len(), limit));
    }
    // Devices and pipes announce no length: never read more than the limit and a byte.
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| failure("read", format!("cannot read {shown}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(&shown.to_string(), bytes.len() as u64, limit));
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let url = Url::from_file_path(&absolute)
        .map_err(|()| failure("read", format!("{shown} cannot be named by a file:// URL")))?;
    Ok((bytes, url))
}

fn too_large(what: &str, size: u64, limit: u64) -> Failure {
    failure("too_large", format!("{what}: {size} bytes or more, larger than the manifest limit of {limit}"))
}

/// The short code of a manifest error.
fn manifest_kind(error: &ManifestError) -> &'static str {
    match error {
        ManifestError::Malformed(_) => "malformed",
        ManifestError::Unsupported { .. } => "unsupported",
        ManifestError::NoPeriods => "no_periods",
        ManifestError::NoPlayableTracks { .. } => "no_playable_tracks",
        ManifestError::MissingAttribute { .. } => "missing_attribute",
        ManifestError::InvalidAttribute { .. } => "invalid_attribute",
        ManifestError::InvalidTemplate { .. } => "invalid_template",
        ManifestError::MissingSegmentDuration { .. } => "missing_segment_duration",
        ManifestError::UnknownPeriodDuration { .. } => "unknown_period_duration",
        ManifestError::InvalidTiming { .. } => "invalid_timing",
        ManifestError::TooManySegments { .. } => "too_many_segments",
        ManifestError::TooManyBaseUrls { .. } => "too_many_base_urls",
        ManifestError::InvalidUrl { .. } => "invalid_url",
        _ => "other",
    }
}

/// Control characters (a hostile manifest's newlines, say) shown escaped, so a cause stays one line.
fn one_line(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect()
}

/// What `flick inspect` reports (the `--json` document).
#[derive(Serialize, Debug)]
struct Summary {
    /// The source as given.
    source: String,
    /// The URL relative URLs resolve against (the manifest's own).
    manifest_url: Option<String>,
    /// Size of the manifest.
    bytes: Option<u64>,
    /// Time spent parsing, in milliseconds.
    parse_ms: Option<f64>,
    /// Time spent in all (reading, parsing, summarising), in milliseconds.
    total_ms: f64,
    /// Whether Flick would play it.
    playable: bool,
    /// Why not.
    error: Option<Failure>,
    /// `@mediaPresentationDuration`, else the end of the last period, when known.
    duration_s: Option<f64>,
    /// `@minBufferTime`.
    min_buffer_time_s: Option<f64>,
    periods: Vec<PeriodSummary>,
    locations: Vec<LocationSummary>,
    steering: Option<SteeringSummary>,
    notices: Vec<Notice>,
}

#[derive(Serialize, Debug)]
struct PeriodSummary {
    index: usize,
    id: Option<String>,
    start_s: f64,
    duration_s: Option<f64>,
    /// Flick plays the first period only.
    played: bool,
    tracks: Vec<TrackSummary>,
}

#[derive(Serialize, Debug)]
struct TrackSummary {
    kind: TrackKind,
    id: Option<String>,
    language: Option<String>,
    mime_type: Option<String>,
    /// Every distinct `@codecs` of its representations.
    codecs: Vec<String>,
    /// Whether Flick plays it (the first video and the first audio track of the played period).
    played: bool,
    representations: Vec<RungSummary>,
}

#[derive(Serialize, Debug)]
struct RungSummary {
    id: String,
    bandwidth_bps: u64,
    width: Option<u32>,
    height: Option<u32>,
    frame_rate: Option<String>,
    codecs: Option<String>,
    mime_type: Option<String>,
    audio_sampling_rate: Option<String>,
    /// Its base URLs, best first, with their location ids.
    base_urls: Vec<BaseUrlSummary>,
    segments: SegmentsSummary,
}

#[derive(Serialize, Debug)]
struct BaseUrlSummary {
    url: String,
    location: String,
}

/// How a representation's segments are addressed.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Addressing {
    /// A SegmentTemplate: each segment's URL and timing computed when asked, none stored.
    Template,
    /// Listed one by one (SegmentList).
    Listed,
    /// SegmentBase: the segments are in a `sidx` index fetched before playback.
    Indexed,
}

#[derive(Serialize, Debug)]
struct SegmentsSummary {
    addressing: Addressing,
    /// How many media segments (unknown until the `sidx` is fetched, for `indexed`).
    count: Option<u64>,
    init: Option<ResourceSummary>,
    /// The `sidx` byte range, for `indexed`.
    index: Option<ResourceSummary>,
    first: Option<SegmentSummary>,
    last: Option<SegmentSummary>,
}

#[derive(Serialize, Debug)]
struct ResourceSummary {
    /// Resolved against the first base URL when it resolves; as written otherwise.
    url: String,
    /// `start-end`, inclusive.
    range: Option<String>,
}

#[derive(Serialize, Debug)]
struct SegmentSummary {
    number: u64,
    start_s: f64,
    duration_s: f64,
    url: String,
    range: Option<String>,
}

#[derive(Serialize, Debug)]
struct LocationSummary {
    id: String,
    priority: Option<u32>,
    weight: Option<u32>,
}

#[derive(Serialize, Debug)]
struct SteeringSummary {
    server: String,
    default_service_location: Option<String>,
    query_before_start: bool,
}

/// How much a notice matters.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Severity {
    /// Worth knowing.
    Info,
    /// Part of the manifest is not played.
    Warning,
    /// Flick would not play it.
    Error,
}

/// One thing Flick does not do with this manifest (or that is worth knowing), with a short code.
#[derive(Serialize, Debug)]
struct Notice {
    code: &'static str,
    severity: Severity,
    message: String,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn range_text(resource: &SegmentRef) -> Option<String> {
    resource.range.map(|r| format!("{}-{}", r.start, r.end))
}

impl Summary {
    fn new(source: &str) -> Summary {
        Summary {
            source: source.to_string(),
            manifest_url: None,
            bytes: None,
            parse_ms: None,
            total_ms: 0.0,
            playable: false,
            error: None,
            duration_s: None,
            min_buffer_time_s: None,
            periods: Vec::new(),
            locations: Vec::new(),
            steering: None,
            notices: Vec::new(),
        }
    }

    fn notice(&mut self, code: &'static str, severity: Severity, message: String) {
        self.notices.push(Notice { code, severity, message });
    }

    /// Fill the summary in from `presentation`; the first reason it is not playable, if any.
    fn describe(&mut self, presentation: &Presentation) -> Result<(), Failure> {
        self.duration_s = presentation.duration.map(secs);
        self.min_buffer_time_s = presentation.min_buffer_time.map(secs);
        self.locations = presentation
            .locations
            .iter()
            .map(|l| LocationSummary { id: l.id.clone(), priority: l.priority, weight: l.weight })
            .collect();
        self.steering = presentation.steering.as_ref().map(|s| SteeringSummary {
            server: s.server.to_string(),
            default_service_location: s.default_service_location.clone(),
            query_before_start: s.query_before_start,
        });
        let location_id = |i: usize| presentation.locations.get(i).map_or("?".to_string(), |l| l.id.clone());
        for (index, period) in presentation.periods.iter().enumerate() {
            // As the core chooses: the first video and the first audio track with a representation.
            let played_track = |kind: TrackKind| {
                period.tracks.iter().position(|t| t.kind == kind && !t.representations.is_empty())
            };
            let played = [played_track(TrackKind::Video), played_track(TrackKind::Audio)];
            let tracks = period
                .tracks
                .iter()
                .enumerate()
                .map(|(i, track)| track_summary(track, index == 0 && played.contains(&Some(i)), &location_id))
                .collect();
            self.periods.push(PeriodSummary {
                index,
                id: period.id.clone(),
                start_s: secs(period.start),
                duration_s: period.duration.map(secs),
                played: index == 0,
                tracks,
            });
        }
        if presentation.duration.is_none() {
            self.notice(
                "duration_unknown",
                Severity::Info,
                "the presentation's duration is not known".into(),
            );
        }
        if presentation.periods.len() > 1 {
            self.notice(
                "multi_period",
                Severity::Warning,
                format!(
                    "{} periods: Flick plays the first period only today (periods 1 to {} are not played)",
                    presentation.periods.len(),
                    presentation.periods.len() - 1
                ),
            );
        }
        let Some(first) = self.periods.first() else {
            let message = "the presentation has no period".to_string();
            self.notice("no_period", Severity::Error, message.clone());
            return Err(failure("no_period", message));
        };
        let texts: Vec<String> = first
            .tracks
            .iter()
            .filter(|t| t.kind == TrackKind::Text)
            .map(|t| t.language.clone().unwrap_or_else(|| "und".into()))
            .collect();
        let played_kinds: Vec<TrackKind> = first.tracks.iter().filter(|t| t.played).map(|t| t.kind).collect();
        let extra: Vec<String> = first
            .tracks
            .iter()
            .filter(|t| !t.played && t.kind != TrackKind::Text)
            .map(|t| format!("{:?} {}", t.kind, t.language.as_deref().unwrap_or("und")).to_lowercase())
            .collect();
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        for track in first.tracks.iter().filter(|t| t.played) {
            for rung in &track.representations {
                if rung.segments.count == Some(0) {
                    problems.push((
                        "no_segments",
                        format!(
                            "representation {:?} of the played {:?} track has no segment",
                            rung.id, track.kind
                        )
                        .to_lowercase(),
                    ));
                }
                if rung.base_urls.is_empty() {
                    problems.push(("no_base_url", format!("representation {:?} has no base URL", rung.id)));
                }
            }
        }
        let indexed: usize = first
            .tracks
            .iter()
            .filter(|t| t.played)
            .flat_map(|t| &t.representations)
            .filter(|r| r.segments.addressing == Addressing::Indexed)
            .count();
        if !texts.is_empty() {
            self.notice(
                "text_not_played",
                Severity::Warning,
                format!("{} text track(s) ({}): subtitles are not shown yet", texts.len(), texts.join(", ")),
            );
        }
        if !extra.is_empty() {
            self.notice(
                "extra_tracks",
                Severity::Info,
                format!("not played at start (the first video and audio tracks are): {}", extra.join(", ")),
            );
        }
        for (kind, name) in [(TrackKind::Video, "no_video"), (TrackKind::Audio, "no_audio")] {
            if !played_kinds.is_empty() && !played_kinds.contains(&kind) {
                self.notice(
                    name,
                    Severity::Info,
                    format!("no {kind:?} track: plays without it").to_lowercase(),
                );
            }
        }
        if indexed > 0 {
            self.notice(
                "sidx_to_fetch",
                Severity::Info,
                format!(
                    "{indexed} played representation(s) keep their segments in a sidx index, fetched before playback starts"
                ),
            );
        }
        if played_kinds.is_empty() {
            problems.insert(0, ("no_playable_track", "the first period has no video or audio track".into()));
        }
        for (code, message) in &problems {
            self.notice(code, Severity::Error, message.clone());
        }
        match problems.into_iter().next() {
            Some((code, message)) => Err(failure(code, message)),
            None => Ok(()),
        }
    }

    /// The summary for people.
    fn write_text(&self, out: &mut impl Write) -> std::io::Result<()> {
        let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1} ms"));
        let s = |v: Option<f64>| v.map_or("unknown".to_string(), |v| format!("{v:.3} s"));
        writeln!(out, "manifest {}", self.manifest_url.as_deref().unwrap_or(&self.source))?;
        if let Some(bytes) = self.bytes {
            writeln!(out, "  {bytes} bytes, parsed in {}", ms(self.parse_ms))?;
        }
        if self.error.is_none() || !self.periods.is_empty() {
            writeln!(out, "  duration {}, min buffer {}", s(self.duration_s), s(self.min_buffer_time_s))?;
        }
        for period in &self.periods {
            let id = period.id.as_deref().map(|id| format!(" id={}", short(id, 40))).unwrap_or_default();
            let played = if period.played { "" } else { "  (not played)" };
            writeln!(
                out,
                "period {}{id}: start {}, duration {}{played}",
                period.index,
                s(Some(period.start_s)),
                s(period.duration_s)
            )?;
            for track in &period.tracks {
                let kind = format!("{:?}", track.kind).to_lowercase();
                let played = if track.played { "  (played)" } else { "" };
                writeln!(
                    out,
                    "  {kind} track{}: lang {}, {}, codecs {}{played}",
                    track.id.as_deref().map(|id| format!(" {}", short(id, 40))).unwrap_or_default(),
                    track.language.as_deref().map_or("-".into(), |l| short(l, 20)),
                    track.mime_type.as_deref().map_or("-".into(), |m| short(m, 40)),
                    if track.codecs.is_empty() {
                        "-".to_string()
                    } else {
                        short(&track.codecs.join(", "), 80)
                    },
                )?;
                for rung in &track.representations {
                    write_rung(out, rung)?;
                }
            }
        }
        if !self.locations.is_empty() {
            writeln!(out, "locations")?;
            for l in &self.locations {
                let opt = |v: Option<u32>| v.map_or("-".to_string(), |v| v.to_string());
                writeln!(
                    out,
                    "  {}: priority {}, weight {}",
                    short(&l.id, 60),
                    opt(l.priority),
                    opt(l.weight)
                )?;
            }
        }
        if let Some(steering) = &self.steering {
            writeln!(
                out,
                "content steering {}: default location {}, query before start {}",
                short(&steering.server, 120),
                steering.default_service_location.as_deref().map_or("-".into(), |l| short(l, 40)),
                steering.query_before_start
            )?;
        }
        for notice in &self.notices {
            let severity = format!("{:?}", notice.severity).to_lowercase();
            writeln!(out, "{severity}[{}]: {}", notice.code, one_line(&notice.message))?;
        }
        match &self.error {
            None => writeln!(out, "playable"),
            Some(_) => writeln!(out, "not playable"),
        }
    }
}

fn write_rung(out: &mut impl Write, rung: &RungSummary) -> std::io::Result<()> {
    let mut line = format!("    {} {:.0} kbit/s", short(&rung.id, 40), rung.bandwidth_bps as f64 / 1000.0);
    if let (Some(w), Some(h)) = (rung.width, rung.height) {
        line.push_str(&format!(" {w}x{h}"));
    }
    if let Some(rate) = &rung.frame_rate {
        line.push_str(&format!(" {} fps", short(rate, 20)));
    }
    if let Some(rate) = &rung.audio_sampling_rate {
        line.push_str(&format!(" {} Hz", short(rate, 20)));
    }
    if let Some(codecs) = &rung.codecs {
        line.push_str(&format!(" {}", short(codecs, 40)));
    }
    let segments = &rung.segments;
    let count = segments.count.map_or("unknown".to_string(), |c| c.to_string());
    let how = match segments.addressing {
        Addressing::Template => format!("{count} segments, template (computed lazily)"),
        Addressing::Listed => format!("{count} segments, listed"),
        Addressing::Indexed => "segments in a sidx index, fetched at start".to_string(),
    };
    writeln!(out, "{line}: {how}")?;
    if let Some(base) = rung.base_urls.first() {
        let more = if rung.base_urls.len() > 1 {
            format!(" (+{} more)", rung.base_urls.len() - 1)
        } else {
            "".into()
        };
        writeln!(out, "      base {} [{}]{more}", short(&base.url, 100), short(&base.location, 40))?;
    }
    if let Some(index) = &segments.index {
        writeln!(
            out,
            "      index {}{}",
            short(&index.url, 100),
            index.range.as_deref().map(|r| format!(" bytes {r}")).unwrap_or_default()
        )?;
    }
    for (name, segment) in [("first", &segments.first), ("last", &segments.last)] {
        if let Some(seg) = segment {
            writeln!(
                out,
                "      {name} #{} at {:.3} s for {:.3} s: {}{}",
                seg.number,
                seg.start_s,
                seg.duration_s,
                short(&seg.url, 100),
                seg.range.as_deref().map(|r| format!(" bytes {r}")).unwrap_or_default()
            )?;
        }
    }
    Ok(())
}

/// `text` on one line, cut to `max` characters (saying how long it was).
fn short(text: &str, max: usize) -> String {
    let text = one_line(text);
    let len = text.chars().count();
    if len <= max {
        return text;
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({len} chars)")
}

fn track_summary(track: &Track, played: bool, location_id: &impl Fn(usize) -> String) -> TrackSummary {
    let mut codecs: Vec<String> = Vec::new();
    for codec in track.representations.iter().filter_map(|r| r.codecs.clone()) {
        if !codecs.contains(&codec) {
            codecs.push(codec);
        }
    }
    TrackSummary {
        kind: track.kind,
        id: track.id.clone(),
        language: track.language.clone(),
        mime_type: track.mime_type.clone(),
        codecs,
        played,
        representations: track.representations.iter().map(|r| rung_summary(r, location_id)).collect(),
    }
}

fn rung_summary(rep: &Representation, location_id: &impl Fn(usize) -> String) -> RungSummary {
    let base = rep.base_urls.first().map(|b| &b.url);
    // As the player asks for it: joined to the first base URL (kept as written if it does not join).
    let resolve = |resource: &SegmentRef| ResourceSummary {
        url: base
            .and_then(|b| b.join(&resource.url).ok())
            .map_or_else(|| resource.url.clone(), |u| u.to_string()),
        range: range_text(resource),
    };
    let segments = match &rep.segments {
        SegmentIndex::Listed { init, segments } => SegmentsSummary {
            addressing: if segments.is_computed() { Addressing::Template } else { Addressing::Listed },
            count: Some(segments.len() as u64),
            init: init.as_ref().map(resolve),
            index: None,
            first: segment_summary(segments, 0, &resolve),
            last: segments.len().checked_sub(1).and_then(|i| segment_summary(segments, i, &resolve)),
        },
        SegmentIndex::Indexed { init, index, .. } => SegmentsSummary {
            addressing: Addressing::Indexed,
            count: None,
            init: init.as_ref().map(resolve),
            index: Some(resolve(index)),
            first: None,
            last: None,
        },
    };
    RungSummary {
        id: rep.id.clone(),
        bandwidth_bps: rep.bandwidth.bps(),
        width: rep.width,
        height: rep.height,
        frame_rate: rep.frame_rate.clone(),
        codecs: rep.codecs.clone(),
        mime_type: rep.mime_type.clone(),
        audio_sampling_rate: rep.audio_sampling_rate.clone(),
        base_urls: rep
            .base_urls
            .iter()
            .map(|b| BaseUrlSummary { url: b.url.to_string(), location: location_id(b.location) })
            .collect(),
        segments,
    }
}

/// Segment `i` (its URL built now, for a template: one segment, never the list).
fn segment_summary(
    segments: &Segments,
    i: usize,
    resolve: &impl Fn(&SegmentRef) -> ResourceSummary,
) -> Option<SegmentSummary> {
    let segment = segments.get(i)?;
    let resource = resolve(&segment.location);
    Some(SegmentSummary {
        number: segment.number,
        start_s: secs(segment.start),
        duration_s: secs(segment.duration),
        url: resource.url,
        range: resource.range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_stay_on_one_line_and_long_names_are_cut() {
        let cause = failure("manifest.malformed", "bad\nthing\r");
        assert_eq!(cause.to_string(), "error[manifest.malformed]: bad\\nthing\\r");
        let long = "x".repeat(4000);
        let cut = short(&long, 100);
        assert!(cut.ends_with("… (4000 chars)"), "{cut}");
        assert_eq!(cut.chars().count(), 100 + "… (4000 chars)".chars().count());
        assert_eq!(short("short", 100), "short");
    }

    #[test]
    fn a_file_larger_than_the_limit_is_refused_without_reading_it_whole() {
        let dir = std::env::temp_dir().join(format!("flick-inspect-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.mpd");
        std::fs::write(&path, vec![b' '; 2000]).unwrap();
        assert_eq!(read_file(&path, 1000).unwrap_err().kind, "too_large");
        assert_eq!(read_file(&path, 2000).unwrap().0.len(), 2000);
        // A device that never ends stops at the limit.
        let zero = read_file(Path::new("/dev/zero"), 1000).unwrap_err();
        assert_eq!(zero.kind, "too_large", "{zero}");
        assert_eq!(read_file(&dir, 1000).unwrap_err().kind, "read", "a folder");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_http_https_and_file_urls_are_read() {
        let error = read("ftp://127.0.0.1/a.mpd", 1000).unwrap_err();
        assert_eq!(error.kind, "read");
        assert!(error.message.contains("only http, https and file"), "{error}");
    }
}
