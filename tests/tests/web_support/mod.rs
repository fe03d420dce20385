//! What the browser tests and the head-to-head harness share: checking that Chromium, Node, the
//! npm packages and the web build are here, and running `tests/web/browser.mjs`.

#![allow(dead_code)] // each test file uses its own part

use flick_tests::fixtures::ffmpeg_ready;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};

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
