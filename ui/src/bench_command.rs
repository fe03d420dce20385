//! `flick bench-play`: Flick's decoding pipeline against GStreamer's own DASH player, on the same
//! content from the same local server, one after the other in the same run.
//!
//! For each height asked (default 720 and 1080), a one-rung H.264 (30 fps) + AAC ladder of `--secs`
//! seconds is encoded once with ffmpeg into a cache folder and served by a test CDN. Then, as
//! child processes: `flick play URL --decode-headless` (the media pipeline with its frames consumed
//! by an `appsink`, audio to a clocked null sink, no window), and `gst-launch-1.0 playbin` with
//! `dashdemux` and clocked `fakesink`s (video through `fpsdisplaysink` to count frames). Each
//! child's CPU time (user + system) and peak resident memory come from `wait4`; dropped frames
//! from Flick's session report and from `fpsdisplaysink`'s last message.

use crate::play_command::runtime;
use anyhow::{Context, anyhow, bail};
use clap::Args;
use flick_serve::{ServeConfig, TestCdn};
use flick_tests::media::{MediaSpec, VideoRung, try_encode_media};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Arguments of `flick bench-play`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Seconds of content to play.
    #[arg(long, default_value_t = 60)]
    secs: u64,
    /// Picture heights to run (16:9, 30 fps), e.g. `720,1080`.
    #[arg(long, value_delimiter = ',', default_values_t = [720u32, 1080])]
    heights: Vec<u32>,
    /// Where to keep the generated content (default: the user's cache folder).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
}

/// What one player used.
#[derive(Clone, Debug, Default)]
struct Usage {
    wall: Duration,
    cpu: Duration,
    peak_rss_kib: u64,
    frames: Option<u64>,
    dropped: Option<u64>,
}

fn spec(height: u32, secs: u64) -> MediaSpec {
    let width = (height * 16 / 9 + 1) & !1;
    let kbps = if height >= 1080 {
        6_000
    } else if height >= 720 {
        3_000
    } else {
        1_200
    };
    MediaSpec {
        length: Duration::from_secs(secs),
        fps: 30,
        rungs: vec![VideoRung { width, height, kbps }],
        audio_languages: vec!["eng".into()],
        segment: Duration::from_secs(2),
        preset: "veryfast".into(),
        timeline: false,
    }
}

fn cache_root(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = given {
        return Ok(dir);
    }
    let home = std::env::var_os("HOME").ok_or_else(|| anyhow!("HOME is not set"))?;
    Ok(PathBuf::from(home).join(".cache/flick/bench"))
}

fn ensure(dir: &Path, spec: &MediaSpec) -> anyhow::Result<()> {
    let done = dir.join("flick-bench-v1.done");
    if done.is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    eprintln!("bench: encoding {} into {} (once)…", describe(spec), dir.display());
    try_encode_media(dir, spec).map_err(|e| anyhow!(e))?;
    std::fs::write(&done, b"").context("marking the content complete")?;
    Ok(())
}

fn describe(spec: &MediaSpec) -> String {
    let r = &spec.rungs[0];
    format!("{} s of {}x{}@{} H.264 {} kbit/s", spec.length.as_secs(), r.width, r.height, spec.fps, r.kbps)
}

/// Run `command`, wait for it with `wait4`, and return its resource usage and stdout/stderr.
fn measure(command: &mut Command) -> anyhow::Result<(Usage, String)> {
    let log = std::env::temp_dir().join(format!("flick-bench-{}-{}.log", std::process::id(), rand_suffix()));
    let file = std::fs::File::create(&log).context("creating the child's log")?;
    let started = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(file.try_clone().context("log")?)
        .stderr(file)
        .spawn()
        .with_context(|| format!("starting {command:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped (std never waits on its own), and both
    // pointers are to live locals.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if reaped != pid {
        bail!("waiting for {command:?}: {}", std::io::Error::last_os_error());
    }
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!("{command:?} failed (status {status}): {}", tail(&output));
    }
    let time =
        |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    let usage = Usage {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        peak_rss_kib: usage.ru_maxrss as u64,
        ..Usage::default()
    };
    Ok((usage, output))
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// Flick: `flick play URL --decode-headless --report FILE`.
fn run_flick(url: &str) -> anyhow::Result<Usage> {
    let report = std::env::temp_dir().join(format!("flick-bench-report-{}.json", rand_suffix()));
    let exe = std::env::current_exe().context("finding the flick binary")?;
    let mut command = Command::new(exe);
    command.args(["play", url, "--decode-headless", "--report"]).arg(&report);
    let (mut usage, _) = measure(&mut command)?;
    let text = std::fs::read_to_string(&report).context("reading Flick's session report")?;
    let _ = std::fs::remove_file(&report);
    let json: serde_json::Value = serde_json::from_str(&text).context("parsing Flick's session report")?;
    usage.frames = json["decoded_frames"].as_u64();
    usage.dropped = json["dropped_frames"].as_u64();
    Ok(usage)
}

/// GStreamer: `gst-launch-1.0 -v playbin uri=URL` with clocked fake sinks.
fn run_playbin(url: &str) -> anyhow::Result<Usage> {
    let mut command = Command::new("gst-launch-1.0");
    command.args([
        "-v",
        "playbin",
        &format!("uri={url}"),
        "video-sink=fpsdisplaysink video-sink=fakesink text-overlay=false sync=true",
        "audio-sink=fakesink sync=true",
    ]);
    let (mut usage, output) = measure(&mut command)?;
    // "last-message = rendered: 1799, dropped: 0, current: 30.00, average: 30.00"
    if let Some(line) = output.lines().rev().find(|l| l.contains("last-message = rendered:")) {
        let number = |key: &str| {
            line.split(key)
                .nth(1)
                .and_then(|r| r.trim().split(',').next())
                .and_then(|n| n.trim().parse::<u64>().ok())
        };
        let rendered = number("rendered:");
        usage.dropped = number("dropped:");
        usage.frames = rendered.zip(usage.dropped).map(|(r, d)| r + d);
    }
    Ok(usage)
}

fn row(name: &str, u: &Usage) -> String {
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    format!(
        "{name:<10} {:>7.1} {:>8.2} {:>7.1} {:>11.1} {:>8} {:>8}",
        u.wall.as_secs_f64(),
        u.cpu.as_secs_f64(),
        100.0 * u.cpu.as_secs_f64() / u.wall.as_secs_f64().max(1e-9),
        u.peak_rss_kib as f64 / 1024.0,
        opt(u.frames),
        opt(u.dropped)
    )
}

/// Run `flick bench-play`.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if Command::new("gst-launch-1.0").arg("--version").output().is_err() {
        bail!("gst-launch-1.0 is missing (apt-get install gstreamer1.0-tools)");
    }
    let root = cache_root(args.cache)?;
    let runtime = runtime()?;
    for height in args.heights {
        let spec = spec(height, args.secs);
        let dir = root.join(format!("{height}p-{}s", args.secs));
        ensure(&dir, &spec)?;
        let mut config = ServeConfig::new(dir);
        config.cdns = 1;
        let cdn = runtime.block_on(TestCdn::start(config)).context("starting the CDN")?;
        let url = cdn.manifest_url();
        println!("\n{} from {url}", describe(&spec));
        let flick = run_flick(&url)?;
        let playbin = run_playbin(&url)?;
        runtime.block_on(cdn.shutdown());
        println!("player      wall s    CPU s   CPU %  peak RSS MB   frames  dropped");
        println!("{}", row("flick", &flick));
        println!("{}", row("playbin", &playbin));
        println!(
            "flick/playbin: CPU {:.2}x, peak RSS {:.2}x",
            flick.cpu.as_secs_f64() / playbin.cpu.as_secs_f64().max(1e-9),
            flick.peak_rss_kib as f64 / (playbin.peak_rss_kib as f64).max(1.0)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladders_are_sixteen_by_nine_with_even_widths() {
        let s = spec(1080, 60);
        assert_eq!((s.rungs[0].width, s.rungs[0].height, s.fps), (1920, 1080, 30));
        assert_eq!(spec(720, 60).rungs[0].width, 1280);
        assert_eq!(spec(360, 10).rungs[0].width % 2, 0);
    }
}
