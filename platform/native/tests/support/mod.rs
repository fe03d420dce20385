//! Fixtures of the native driver's tests: DASH content made with ffmpeg, served by three test
//! CDNs on loopback: an origin for the MPD (rewritten to name two locations) and the locations
//! `a` and `b` for the segments.

#![allow(dead_code)]

pub mod cdn;

pub use cdn::{Cdn, Fault};
use flick_player::SessionReport;
use flick_player::metrics::{Outcome, SegmentRecord};
use flick_tests::fixtures::{TempDir, encode, ffmpeg_ready};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Content, its servers, and how long it plays.
pub struct Setup {
    /// The content (removed on drop).
    pub dir: TempDir,
    /// Serves the rewritten MPD.
    pub origin: Cdn,
    /// Location `a` (listed first: the preferred one).
    pub a: Cdn,
    /// Location `b`.
    pub b: Cdn,
    /// Length of the content.
    pub content: Duration,
}

impl Setup {
    /// The 6 s test clip (`None` when ffmpeg tests are skipped).
    pub async fn short(name: &str) -> Option<Setup> {
        if !ffmpeg_ready() {
            return None;
        }
        let dir = TempDir::new(name);
        encode(&dir.0, &["-use_template", "1", "-use_timeline", "0"]);
        Some(Setup::serve(dir, flick_tests::fixtures::CONTENT).await)
    }

    /// A clip of `secs` seconds, same ladder and segmenting (`None` when ffmpeg tests are skipped).
    pub async fn long(name: &str, secs: u64) -> Option<Setup> {
        if !ffmpeg_ready() {
            return None;
        }
        let dir = TempDir::new(name);
        encode_clip(&dir.0, secs);
        Some(Setup::serve(dir, Duration::from_secs(secs)).await)
    }

    async fn serve(dir: TempDir, content: Duration) -> Setup {
        let origin = Cdn::start(&dir.0).await;
        let a = Cdn::start(&dir.0).await;
        let b = Cdn::start(&dir.0).await;
        let mpd = std::fs::read_to_string(dir.0.join("manifest.mpd")).expect("read the MPD");
        origin.put("manifest.mpd", with_base_urls(&mpd, &a.url(""), &b.url("")).into_bytes());
        Setup { dir, origin, a, b, content }
    }

    /// The MPD's URL.
    pub fn manifest_url(&self) -> String {
        self.origin.url("manifest.mpd")
    }
}

/// `mpd` with two MPD-level BaseURLs, locations `a` and `b`, in that order.
pub fn with_base_urls(mpd: &str, a: &str, b: &str) -> String {
    let open = mpd.find("<MPD").expect("an MPD element");
    let end = open + mpd[open..].find('>').expect("the end of the MPD tag") + 1;
    let bases = format!(
        "\n\t<BaseURL serviceLocation=\"a\">{a}</BaseURL>\n\t<BaseURL serviceLocation=\"b\">{b}</BaseURL>"
    );
    format!("{}{bases}{}", &mpd[..end], &mpd[end..])
}

/// `flick_tests::fixtures::encode` with another length: three H.264 rungs and AAC audio, 2 s
/// segments, `$Number$` templates.
pub fn encode_clip(dir: &Path, secs: u64) {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "lavfi", "-i", &format!("testsrc2=size=320x180:rate=25:duration={secs}")])
        .args(["-f", "lavfi", "-i", &format!("sine=frequency=440:sample_rate=48000:duration={secs}")])
        .args(["-map", "0:v", "-map", "0:v", "-map", "0:v", "-map", "1:a"])
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"])
        .args(["-g", "25", "-keyint_min", "25", "-sc_threshold", "0"])
        .args(["-s:v:0", "160x90"]);
    for (i, kbps) in flick_tests::fixtures::VIDEO_BITRATES_KBPS.iter().enumerate() {
        cmd.arg(format!("-b:v:{i}")).arg(format!("{kbps}k"));
    }
    cmd.args(["-c:a", "aac", "-b:a", "64k"])
        .args(["-f", "dash", "-seg_duration", "2"])
        .args(["-adaptation_sets", "id=0,streams=v id=1,streams=a"])
        .args(["-use_template", "1", "-use_timeline", "0"])
        .arg(dir.join("manifest.mpd"));
    let out = cmd.output().expect("run ffmpeg");
    assert!(out.status.success(), "ffmpeg failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Media segments that arrived.
pub fn delivered(report: &SessionReport) -> Vec<&SegmentRecord> {
    report.segments.iter().filter(|s| s.outcome == Outcome::Ok).collect()
}

/// The report, for assertion messages.
pub fn pretty(report: &SessionReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default()
}

/// Wait up to `limit` for `done`, checking every 20 ms.
pub async fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < until {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}
