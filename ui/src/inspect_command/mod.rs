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
        ManifestError::TooLarge { .. } => "too_large",
        _ => "other",
    }
}

/// Control characters (a hostile manifest's newlines, say) shown escaped, so a cause stays one line.
fn one_line(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect()
}

mod summary;

use summary::Summary;
#[cfg(test)]
use summary::short;

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
