//! `flick demo`: the built-in demo, offline. At first run it encodes its content with ffmpeg
//! into a cache folder (`$XDG_CACHE_HOME/flick/demo`, else `~/.cache/flick/demo`; reused after),
//! serves it from an in-process test CDN with two locations, scripts location `a` to stop
//! answering half-way, and plays it: in the window with the statistics panel open (where the
//! location switch shows while playback goes on), or headless with the status line when there is
//! no display.

use crate::play_command::{finish, headless, runtime};
use crate::window::{self, WindowOptions};
use anyhow::{Context, anyhow};
use clap::Args;
use flick_native::media::{AudioOutput, MediaConfig, VideoFormat};
use flick_native::{HeadlessOptions, NativeSession};
use flick_platform::faults::{Fault, FaultKind, FaultScript};
use flick_player::PlayerConfig;
use flick_serve::{ServeConfig, TestCdn};
use flick_tests::media::{MediaSpec, VideoRung, try_encode_media};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Length of the demo clip.
pub const DEMO_LENGTH: Duration = Duration::from_secs(40);

/// Each location's bandwidth: the top rung fits, the buffer fills at a visible pace.
pub const DEMO_RATE_KBPS: u64 = 8_000;

/// The player keeps at most this much buffered, so it still fetches when location `a` fails.
pub const DEMO_BUFFER: Duration = Duration::from_secs(10);

/// Marks a complete cache (written last, so an interrupted encode starts over).
const DONE: &str = "flick-demo-v1.done";

/// Arguments of `flick demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Play without a window, with the status line (the default without a display).
    #[arg(long)]
    headless: bool,
    /// Where to keep the generated content (default: the user's cache folder).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
}

/// The demo's ladder: 240p, 480p and 720p at 25 fps, English audio, 2 s segments.
pub fn demo_spec() -> MediaSpec {
    MediaSpec {
        length: DEMO_LENGTH,
        fps: 25,
        rungs: vec![
            VideoRung { width: 426, height: 240, kbps: 400 },
            VideoRung { width: 854, height: 480, kbps: 1_000 },
            VideoRung { width: 1280, height: 720, kbps: 2_500 },
        ],
        audio_languages: vec!["eng".into()],
        segment: Duration::from_secs(2),
        preset: "ultrafast".into(),
        timeline: false,
    }
}

fn default_cache() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("flick/demo"));
    }
    let home = std::env::var_os("HOME").ok_or_else(|| anyhow!("neither XDG_CACHE_HOME nor HOME is set"))?;
    Ok(PathBuf::from(home).join(".cache/flick/demo"))
}

/// The demo content in `dir`, encoded now unless a complete copy is there.
pub fn ensure_content(dir: &Path) -> anyhow::Result<()> {
    if dir.join(DONE).is_file() && dir.join("manifest.mpd").is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    eprintln!("flick demo: generating the demo content with ffmpeg into {} (once)…", dir.display());
    try_encode_media(dir, &demo_spec()).map_err(|e| anyhow!(e))?;
    std::fs::write(dir.join(DONE), b"").with_context(|| format!("writing into {}", dir.display()))?;
    Ok(())
}

/// Location `a` stops answering half-way through the clip (timed from the manifest request).
pub fn demo_faults() -> FaultScript {
    FaultScript {
        faults: vec![Fault {
            location: "a".into(),
            at_s: Some(DEMO_LENGTH.as_secs_f64() / 2.0),
            after_requests: None,
            until_s: None,
            kind: FaultKind::NoAnswer,
            resources: None,
        }],
    }
}

/// Run `flick demo`.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let dir = match args.cache {
        Some(dir) => dir,
        None => default_cache()?,
    };
    ensure_content(&dir)?;
    let runtime = runtime()?;
    let mut config = ServeConfig::new(dir);
    config.cdns = 2;
    config.rate_kbps = Some(DEMO_RATE_KBPS);
    config.faults = demo_faults();
    let cdn = runtime.block_on(TestCdn::start(config)).context("starting the demo CDN")?;
    let url = cdn.manifest_url();
    eprintln!(
        "flick demo: serving {url} from locations a and b; a stops answering at {:.0} s",
        DEMO_LENGTH.as_secs_f64() / 2.0
    );
    let windowed = !args.headless && window::display_available();
    let options = HeadlessOptions {
        abr: "hedge".into(),
        player: PlayerConfig { max_buffer: DEMO_BUFFER, ..PlayerConfig::default() },
        duration: None,
        status: !windowed,
    };
    let report = if windowed {
        let session = NativeSession::headless(&url, options)?
            .with_media(MediaConfig { audio: AudioOutput::System, video: VideoFormat::Rgba })?;
        let options = WindowOptions {
            title: "Flick demo".into(),
            stats: true,
            close_when_finished: false,
            screenshots: None,
        };
        window::play(&runtime, session, options)?
    } else {
        if !args.headless {
            eprintln!("flick demo: no display; playing headless");
        }
        headless(&runtime, &url, options, None)?
    };
    runtime.block_on(cdn.shutdown());
    finish(&report, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fault_kills_location_a_half_way() {
        let script = demo_faults();
        assert_eq!(script.faults.len(), 1);
        assert_eq!(script.faults[0].location, "a");
        assert_eq!(script.faults[0].at_s, Some(20.0));
        assert!(demo_spec().rungs.windows(2).all(|w| w[0].kbps < w[1].kbps));
    }

    #[test]
    fn complete_content_is_reused() {
        let dir = flick_tests::fixtures::TempDir::new("demo-cache");
        std::fs::write(dir.0.join("manifest.mpd"), "<MPD/>").unwrap();
        std::fs::write(dir.0.join(DONE), b"").unwrap();
        // Complete: nothing is encoded (the fake manifest stays as it is).
        ensure_content(&dir.0).expect("reused");
        assert_eq!(std::fs::read_to_string(dir.0.join("manifest.mpd")).unwrap(), "<MPD/>");
    }
}
