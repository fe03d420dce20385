//! `flick play`: watch a stream in a window (GStreamer decoding, egui on wgpu), or headless
//! (`--headless`, or when there is no display): the native driver fetches what the player core
//! asks for, decodes nothing and shows a live status line on stderr. Both can write the session
//! report (the same JSON `flick sim` writes per session).

use crate::window::{self, ScreenshotPlan, WindowOptions};
use anyhow::{Context, bail};
use clap::Args;
use clap::builder::PossibleValuesParser;
use flick_native::media::{AudioOutput, MediaConfig, VideoFormat};
use flick_native::{HeadlessOptions, NativeSession};
use flick_player::{PlayerConfig, SessionReport};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `flick play`.
#[derive(Args, Debug)]
pub struct PlayArgs {
    /// URL of the MPD.
    url: String,
    /// Play without a window: decode nothing, show a status line (the default without a display).
    #[arg(long)]
    headless: bool,
    /// Open the statistics panel at start.
    #[arg(long)]
    stats: bool,
    /// Decode with GStreamer but open no window: frames go to an appsink, audio to a null sink
    /// (benchmarks; `flick bench-play` uses it).
    #[arg(long, conflicts_with = "headless")]
    decode_headless: bool,
    /// Tests: save window screenshots into DIR (with `--screenshot-at`), then exit.
    #[arg(long, value_name = "DIR", hide = true)]
    screenshot_dir: Option<PathBuf>,
    /// Tests: seconds after the first video frame at which to take screenshots, e.g. `3,4`.
    #[arg(long, value_name = "SECS,...", value_delimiter = ',', hide = true)]
    screenshot_at: Vec<f64>,
    /// ABR algorithm.
    #[arg(long, default_value = "hedge", value_parser = abr_names())]
    abr: String,
    /// Stop after this many seconds (of wall-clock time from the start of the session).
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    duration: Option<Duration>,
    /// Write the session report as JSON to FILE (`-` for stdout, and nothing else there).
    #[arg(long, value_name = "FILE")]
    report: Option<String>,
}

fn parse_secs(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("`{text}` is not a positive number of seconds")),
    }
}

/// Run `flick play`.
pub fn run(args: PlayArgs) -> anyhow::Result<()> {
    let windowed = !args.headless && !args.decode_headless && window::display_available();
    if !args.headless && !args.decode_headless && !windowed {
        eprintln!("flick: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); playing headless");
    }
    let options = HeadlessOptions {
        abr: args.abr.clone(),
        player: PlayerConfig::default(),
        duration: args.duration,
        status: !windowed,
    };
    let runtime = runtime()?;
    let report = if windowed {
        let session = NativeSession::headless(&args.url, options)?
            .with_media(MediaConfig { audio: AudioOutput::System, video: VideoFormat::Rgba })?;
        let screenshots = args.screenshot_dir.clone().map(|dir| ScreenshotPlan {
            dir,
            at: if args.screenshot_at.is_empty() { vec![3.0, 4.0] } else { args.screenshot_at.clone() },
        });
        let options = WindowOptions {
            title: format!("Flick — {}", args.url),
            stats: args.stats,
            close_when_finished: args.duration.is_some(),
            screenshots,
        };
        window::play(&runtime, session, options)?
    } else {
        let media = args
            .decode_headless
            .then_some(MediaConfig { audio: AudioOutput::Null, video: VideoFormat::Native });
        headless(&runtime, &args.url, options, media)?
    };
    drop(runtime);
    finish(&report, args.report.as_deref())
}

/// The multi-threaded runtime sessions (and demo servers) run on.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Play `url` without a window, with a status line, until it ends (or Ctrl-C): decoding with
/// `media` when given, else decoding nothing.
pub fn headless(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    options: HeadlessOptions,
    media: Option<MediaConfig>,
) -> anyhow::Result<SessionReport> {
    let report = runtime.block_on(async {
        let mut session = NativeSession::headless(url, options)?;
        if let Some(media) = media {
            session = session.with_media(media)?;
        }
        let stop = session.stop_handle();
        // Ctrl-C ends the session early; the report still covers what was played.
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.stop();
            }
        });
        session.run().await
    })?;
    Ok(report)
}

/// Write the report where asked, print the summary, and fail when the session did.
pub fn finish(report: &SessionReport, target: Option<&str>) -> anyhow::Result<()> {
    if let Some(target) = target {
        write_report(target, report)?;
    }
    eprintln!("{}", summary(report));
    if let Some(error) = &report.error {
        bail!("session failed ({}): {}", error.kind, error.message);
    }
    Ok(())
}

fn write_report(target: &str, report: &SessionReport) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(report).context("serialising the session report")?;
    if target == "-" {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{json}").context("writing the report to stdout")?;
        out.flush().context("writing the report to stdout")?;
    } else {
        std::fs::write(target, json + "\n").with_context(|| format!("writing the report to {target}"))?;
    }
    Ok(())
}

/// One line on how the session went.
fn summary(report: &SessionReport) -> String {
    let startup =
        report.startup_ms.map_or_else(|| "never started".to_string(), |ms| format!("startup {ms:.0} ms"));
    format!(
        "played {:.1} s in {:.1} s ({startup}), {} stalls ({:.1} s), mean video {:.0} kbit/s, {} switches, {} CDN switches",
        report.played_s,
        report.session_s,
        report.stalls.len(),
        report.rebuffer_s,
        report.mean_video_bitrate_kbps,
        report.switches,
        report.cdn_switches
    )
}

/// The ABR names `--abr` takes: every listed algorithm, and the hidden alias `flick` of `hedge`.
fn abr_names() -> PossibleValuesParser {
    let listed = flick_abr::names().iter().map(|&name| clap::builder::PossibleValue::new(name));
    PossibleValuesParser::new(listed.chain([clap::builder::PossibleValue::new("flick").hide(true)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_must_be_positive_seconds() {
        assert_eq!(parse_secs("2.5"), Ok(Duration::from_millis(2500)));
        assert!(parse_secs("0").is_err());
        assert!(parse_secs("-1").is_err());
        assert!(parse_secs("soon").is_err());
        assert!(parse_secs("inf").is_err());
    }

    #[derive(clap::Parser)]
    struct Wrapper {
        #[command(flatten)]
        play: PlayArgs,
    }

    #[test]
    fn the_old_name_of_the_default_algorithm_is_still_taken() {
        use clap::Parser;
        let args = Wrapper::try_parse_from(["play", "http://x/a.mpd", "--abr", "flick"]).unwrap();
        assert_eq!(args.play.abr, "flick");
        assert_eq!(Wrapper::try_parse_from(["play", "http://x/a.mpd"]).unwrap().play.abr, "hedge");
        assert!(Wrapper::try_parse_from(["play", "http://x/a.mpd", "--abr", "nope"]).is_err());
    }
}
