//! What the browser tests and the head-to-head harness share: checking that Chromium, Node, the
//! npm packages and the web build are here, running `tests/web/browser.mjs`, and making a live
//! MPD of an on-demand folder.

#![allow(dead_code)] // each test file uses its own part

use flick_tests::fixtures::ffmpeg_ready;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Held by each browser test for its whole run. They measure real-time playback (the failover
/// test asserts no stall at all), so they must not share this machine's two cores with another
/// test's ffmpeg encode or Chromium: a 0.2 s start-up stall was once seen that way.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    static BROWSER: Mutex<()> = Mutex::new(());
    BROWSER.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Whether everything the browser tests need is here; `false` (after saying what is missing) to
/// skip. In CI a missing piece is a failure.
pub fn browser_ready() -> bool {
    if !ffmpeg_ready() {
        return false;
    }
    let chromium = std::env::var("FLICK_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<String> = [
        (PathBuf::from(&chromium), "Chromium (apt-get install chromium)"),
        (root().join("tests/web/node_modules/playwright-core"), "the npm packages (cargo xtask setup)"),
        (root().join("wasm/dist/flick_bg.wasm"), "the web build (cargo xtask web)"),
        (root().join("wasm/dist/index.html"), "the demo page (cargo xtask web)"),
    ]
    .into_iter()
    .filter(|(path, _)| !path.exists())
    .map(|(path, what)| format!("{what}: {} not found", path.display()))
    .chain(Command::new("node").arg("--version").output().is_err().then(|| "Node.js (node)".to_string()))
    .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!("browser tests need: {}", missing.join("; "));
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipping: {message}");
    false
}

/// Run `tests/web/browser.mjs` on `pages` and return its observations, one per page.
pub fn run_pages(pages: Vec<Value>) -> Vec<Value> {
    run_pages_with(&[], pages)
}

/// [`run_pages`] in a Chromium started with the extra flags `args`.
pub fn run_pages_with(args: &[&str], pages: Vec<Value>) -> Vec<Value> {
    run_job(json!({ "args": args, "pages": pages }))
}

/// [`run_pages`] with at most `lanes` pages playing at once.
pub fn run_pages_in_lanes(lanes: usize, pages: Vec<Value>) -> Vec<Value> {
    run_job(json!({ "pages": pages, "concurrency": lanes }))
}

fn run_job(job: Value) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg(root().join("tests/web/browser.mjs"))
        .current_dir(root().join("tests/web"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start node");
    let job = job.to_string();
    child.stdin.take().expect("stdin").write_all(job.as_bytes()).expect("write the job");
    let out = child.wait_with_output().expect("wait for node");
    assert!(out.status.success(), "browser.mjs failed ({})", out.status);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str::<Vec<Value>>(line).unwrap_or_else(|e| panic!("browser.mjs printed {text:?}: {e}"))
}

/// `at` as an ISO 8601 UTC date-time with milliseconds (`2026-12-01T23:59:59.123Z`).
pub fn iso_utc(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).expect("after 1970");
    let (days, seconds) = ((since.as_secs() / 86_400) as i64, since.as_secs() % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        since.subsec_millis()
    )
}

/// Where the MPD-level attribute `name` of `mpd` starts (at its name), and its value.
fn root_attribute<'a>(mpd: &'a str, name: &str) -> Option<(usize, &'a str)> {
    let root = mpd.find("<MPD")?;
    let tag = &mpd[root..root + mpd[root..].find('>')?];
    let key = format!("{name}=\"");
    let at = tag.match_indices(&key).map(|(i, _)| i).find(|&i| tag[..i].ends_with(char::is_whitespace))?;
    let value = &tag[at + key.len()..];
    Some((root + at, &value[..value.find('"')?]))
}

/// `mpd` without its MPD-level attribute `name`.
fn without_attribute(mpd: &str, name: &str) -> String {
    match root_attribute(mpd, name) {
        Some((at, value)) => {
            let end = at + name.len() + 2 + value.len() + 1;
            format!("{}{}", &mpd[..at], &mpd[end..])
        }
        None => mpd.to_string(),
    }
}

/// ffmpeg's on-demand `$Number$` MPD made live: `type="dynamic"`, its first segment produced
/// from `availability_start` on (so segment N is available at `availability_start + N × segment
/// duration`), a DVR window of `window`, refreshed every `update`; `period_extra` is inserted at
/// the top of the Period (an `EventStream`, say), `mpd_extra` at the end of the MPD (a
/// `UTCTiming`). Served from the same folder, the segments map onto the on-demand files, and a
/// player that follows the clock never asks for one "from the future".
pub fn live_mpd(
    vod: &str,
    availability_start: SystemTime,
    window: Duration,
    update: Duration,
    period_extra: &str,
    mpd_extra: &str,
) -> String {
    let mpd = without_attribute(vod, "mediaPresentationDuration");
    let dynamic = format!(
        "type=\"dynamic\" availabilityStartTime=\"{}\" publishTime=\"{}\" timeShiftBufferDepth=\"PT{}S\" \
         minimumUpdatePeriod=\"PT{}S\"",
        iso_utc(availability_start),
        iso_utc(SystemTime::now()),
        window.as_secs(),
        update.as_secs(),
    );
    assert!(mpd.contains("type=\"static\""), "not ffmpeg's static MPD: {vod}");
    let mpd = mpd.replacen("type=\"static\"", &dynamic, 1);
    let period = mpd.find("<Period").expect("a Period");
    let period_open = period + mpd[period..].find('>').expect("the Period's tag") + 1;
    let mpd = format!("{}\n{period_extra}{}", &mpd[..period_open], &mpd[period_open..]);
    let close = mpd.rfind("</MPD>").expect("</MPD>");
    format!("{}{mpd_extra}\n{}", &mpd[..close], &mpd[close..])
}

/// ffmpeg's on-demand MPD with its duration set to `seconds` (a live MPD turning static ends
/// there).
pub fn static_mpd(vod: &str, seconds: u64) -> String {
    let (_, value) = root_attribute(vod, "mediaPresentationDuration").expect("mediaPresentationDuration");
    vod.replacen(
        &format!("mediaPresentationDuration=\"{value}\""),
        &format!("mediaPresentationDuration=\"PT{seconds}S\""),
        1,
    )
}

/// Replace the file at `path` with `text` at once (a server reading it sees the old or the new).
pub fn write_atomically(path: &std::path::Path, text: &str) {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).expect("write the MPD");
    std::fs::rename(&temporary, path).expect("replace the MPD");
}
