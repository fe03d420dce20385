//! The player window for real: `flick play` under Xvfb (wgpu on Mesa's lavapipe), playing test
//! content from a local test CDN, takes two screenshots a second apart; the video area must show
//! a picture, the picture must move between them, and the statistics panel must hold text.
//!
//! Without Xvfb the test is skipped with a message, except in CI (`CI=true`), where that is a
//! failure. `FLICK_SKIP_FFMPEG_TESTS=1` skips it too.

use flick_serve::{LiveConfig, ServeConfig, TestCdn};
use flick_tests::fixtures::{TempDir, ffmpeg_ready};
use flick_tests::media::{MediaSpec, encode_media};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Far more than a healthy run needs (a few seconds); a hung window fails instead of blocking CI.
const LIMIT: Duration = Duration::from_secs(120);

/// A virtual X server, stopped when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Start Xvfb on a free display, or `None` when it is not installed.
    fn start() -> Option<Xvfb> {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("Xvfb's display number");
        let number: u32 = line.trim().parse().expect("a display number");
        Some(Xvfb { child, display: format!(":{number}") })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Png {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
}

fn read_png(path: &Path) -> Png {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut rgba = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgba).expect("PNG pixels");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    Png { width: info.width as usize, height: info.height as usize, rgba }
}

impl Png {
    /// Pixels (RGB) inside `rect` = [x0, y0, x1, y1], shrunk by `inset` pixels.
    fn region(&self, rect: &[f64], inset: usize) -> Vec<[u8; 3]> {
        let x0 = (rect[0] as usize + inset).min(self.width);
        let y0 = (rect[1] as usize + inset).min(self.height);
        let x1 = (rect[2] as usize).saturating_sub(inset).min(self.width);
        let y1 = (rect[3] as usize).saturating_sub(inset).min(self.height);
        let mut out = Vec::new();
        for y in y0..y1 {
            for x in x0..x1 {
                let i = (y * self.width + x) * 4;
                out.push([self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]]);
            }
        }
        out
    }
}

fn distinct(pixels: &[[u8; 3]]) -> usize {
    let mut set: Vec<[u8; 3]> = pixels.to_vec();
    set.sort();
    set.dedup();
    set.len()
}

/// Share of pixels far (in summed RGB) from the region's most common colour.
fn ink(pixels: &[[u8; 3]]) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for p in pixels {
        *counts.entry(*p).or_insert(0usize) += 1;
    }
    let background = counts.into_iter().max_by_key(|(_, n)| *n).map(|(p, _)| p).unwrap_or([0; 3]);
    let far = pixels
        .iter()
        .filter(|p| p.iter().zip(background).map(|(a, b)| (*a as i32 - b as i32).abs()).sum::<i32>() > 90)
        .count();
    far as f64 / pixels.len().max(1) as f64
}

/// A window session's screenshots and layout.
struct Shots {
    dir: TempDir,
    layout: serde_json::Value,
}

impl Shots {
    fn rect(&self, name: &str) -> Vec<f64> {
        serde_json::from_value(self.layout[name].clone())
            .unwrap_or_else(|e| panic!("the {name} rectangle: {e}"))
    }

    fn png(&self, n: usize) -> Png {
        read_png(&self.dir.0.join(format!("shot-{n}.png")))
    }
}

/// `flick play` of 12 s of two-language content served by one location (live when `live`),
/// under `xvfb`, with screenshots at `at` (seconds after the first frame, comma-separated).
async fn window_session(xvfb: &Xvfb, live: Option<LiveConfig>, at: &str) -> Shots {
    let dir = TempDir::new("window-content");
    let path = dir.0.clone();
    tokio::task::spawn_blocking(move || {
        encode_media(&path, &MediaSpec::two_languages(Duration::from_secs(12)))
    })
    .await
    .expect("encode");
    let mut config = ServeConfig::new(dir.0.clone());
    config.cdns = 1;
    config.live = live;
    let cdn = TestCdn::start(config).await.expect("the CDN starts");
    let shots = TempDir::new("window-shots");
    let runtime_dir = TempDir::new("window-xdg");
    std::fs::set_permissions(&runtime_dir.0, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let mut flick = tokio::process::Command::new(env!("CARGO_BIN_EXE_flick"));
    flick
        .args(["play", &cdn.manifest_url(), "--stats", "--duration", "60", "--screenshot-at", at])
        .arg("--screenshot-dir")
        .arg(&shots.0)
        .env("DISPLAY", &xvfb.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", &runtime_dir.0)
        .kill_on_drop(true);
    let started = Instant::now();
    let out =
        tokio::time::timeout(LIMIT, flick.output()).await.expect("the window closes in time").expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "flick play failed ({}): {stderr}", out.status);
    eprintln!("window run took {:.1} s", started.elapsed().as_secs_f64());
    cdn.shutdown().await;
    let layout =
        serde_json::from_str(&std::fs::read_to_string(shots.0.join("layout.json")).expect("layout.json"))
            .expect("JSON");
    Shots { dir: shots, layout }
}

/// Xvfb, or `None` (and a message) where it is missing outside CI.
fn xvfb_or_skip(what: &str) -> Option<Xvfb> {
    let xvfb = Xvfb::start();
    if xvfb.is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "Xvfb is missing in CI (apt-get install xvfb)");
        eprintln!("Xvfb is not installed (apt-get install xvfb): skipping {what}");
    }
    xvfb
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_shows_moving_video_and_the_statistics_panel() {
    if !ffmpeg_ready() {
        return;
    }
    let Some(xvfb) = xvfb_or_skip("the window test") else { return };
    let shots = window_session(&xvfb, None, "2,3").await;
    let (video, stats) = (shots.rect("video"), shots.rect("stats"));
    let (first, second) = (shots.png(1), shots.png(2));
    assert_eq!((first.width, first.height), (second.width, second.height));

    let (a, b) = (first.region(&video, 2), second.region(&video, 2));
    assert!(a.len() > 10_000, "a video area of {} pixels ({video:?})", a.len());
    let colours = distinct(&a);
    assert!(colours > 200, "the video area is blank: {colours} colours");
    let changed = a.iter().zip(&b).filter(|(p, q)| p != q).count() as f64 / a.len() as f64;
    assert!(
        changed > 0.01,
        "the picture did not move between the screenshots: {:.2} % changed",
        changed * 100.0
    );

    // An on-demand stream has no LIVE badge: nothing red below the seek bar.
    let controls = shots.rect("controls");
    let buttons = [controls[0], controls[1] + 24.0, controls[2], controls[3]];
    assert_eq!(red(&first.region(&buttons, 0)), 0, "a LIVE badge on an on-demand stream");

    let panel = first.region(&stats, 4);
    let text = ink(&panel);
    assert!(text > 0.005 && text < 0.6, "the statistics panel holds no text: {:.2} % ink", text * 100.0);
    eprintln!(
        "video {colours} colours, {:.1} % changed in a second; stats panel {:.1} % ink",
        changed * 100.0,
        text * 100.0
    );
}

/// Pixels of the LIVE badge's red (the seek bar's accent is the same red, so the bar's row is
/// left out by the caller).
fn red(pixels: &[[u8; 3]]) -> usize {
    pixels.iter().filter(|p| p[0] > 200 && p[1] < 90 && p[2] < 90).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_stream_shows_live_its_latency_and_moving_video() {
    if !ffmpeg_ready() {
        return;
    }
    let Some(xvfb) = xvfb_or_skip("the live window test") else { return };
    let shots = window_session(&xvfb, Some(LiveConfig::default()), "3,4").await;
    let (video, controls) = (shots.rect("video"), shots.rect("controls"));
    let (first, second) = (shots.png(1), shots.png(2));
    let (a, b) = (first.region(&video, 2), second.region(&video, 2));
    assert!(distinct(&a) > 200, "the video area is blank");
    let changed = a.iter().zip(&b).filter(|(p, q)| p != q).count() as f64 / a.len() as f64;
    assert!(changed > 0.01, "the live picture did not move: {:.2} % changed", changed * 100.0);
    // Below the seek bar's row: the LIVE badge is the only red there.
    let buttons = [controls[0], controls[1] + 24.0, controls[2], controls[3]];
    let badge = red(&first.region(&buttons, 0));
    assert!(badge > 20, "no red LIVE badge in the control bar ({badge} red pixels)");
    eprintln!(
        "live window: {:.1} % of the picture changed in a second, {badge} red badge pixels",
        changed * 100.0
    );
}
