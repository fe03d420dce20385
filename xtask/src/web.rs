//! The browser side of the tasks: `cargo xtask web` (the release wasm build, wasm-bindgen,
//! wasm-opt and the demo page into `wasm/dist/`), the web pieces of `setup` (wasm-bindgen-cli,
//! the npm packages of `tests/web/`), `cargo xtask demo --web` and `cargo xtask h2h`.

use crate::process::{self, Failure};
use crate::workspace;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The `wasm-bindgen-cli` version: it must equal the `wasm-bindgen` crate's (`Cargo.toml`).
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

/// `wasm-opt` features: what rustc's wasm32 target emits (reference types for wasm-bindgen's
/// externref table among them); binaryen 108 must be told.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The folder of the web build: `wasm/dist`.
pub fn dist_dir() -> PathBuf {
    workspace::root().join("wasm").join("dist")
}

/// The npm project of the browser tests and the head-to-head harness: `tests/web`.
pub fn node_dir() -> PathBuf {
    workspace::root().join("tests").join("web")
}

/// Install `wasm-bindgen-cli` (unless the right version is on `PATH`) and the npm packages
/// (unless `node_modules` matches the lock file); returns how many it installed.
pub fn setup() -> Result<usize, Failure> {
    let mut installed = 0;
    let version = process::output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if bindgen_version_matches(&version) {
        eprintln!("setup: wasm-bindgen {WASM_BINDGEN_VERSION} present");
    } else {
        let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut install = Command::new(program);
        install.args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION]);
        eprintln!("setup: {}", process::describe(&install));
        process::run(&mut install)?;
        installed += 1;
    }
    let dir = node_dir();
    if npm_up_to_date(&dir) {
        eprintln!("setup: npm packages of tests/web present");
    } else if !process::available("npm") {
        eprintln!("setup: warning: no npm here: the browser tests need Node.js and npm");
    } else {
        let mut ci = Command::new("npm");
        ci.args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir);
        eprintln!("setup: {} (in tests/web)", process::describe(&ci));
        process::run(&mut ci)?;
        installed += 1;
    }
    Ok(installed)
}

/// Whether `wasm-bindgen --version` output names [`WASM_BINDGEN_VERSION`].
fn bindgen_version_matches(output: &str) -> bool {
    output.split_whitespace().nth(1) == Some(WASM_BINDGEN_VERSION)
}

/// Whether `node_modules` was installed from the current `package-lock.json` (npm writes its own
/// copy, `node_modules/.package-lock.json`, at every install).
fn npm_up_to_date(dir: &Path) -> bool {
    let modified = |p: PathBuf| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(dir.join("package-lock.json")), modified(dir.join("node_modules/.package-lock.json"))) {
        (Some(lock), Some(installed)) => installed >= lock,
        _ => false,
    }
}

/// `cargo xtask web`: build `wasm/dist/` and print the size of the player library.
pub fn web() -> Result<(), Failure> {
    let dist = build()?;
    report_size(&dist);
    eprintln!("web: built {}", dist.display());
    Ok(())
}

/// Build the release wasm, shrink it with wasm-opt, run wasm-bindgen into [`dist_dir`], and copy the demo
/// page (`wasm/www/`) beside them; returns the folder.
pub fn build() -> Result<PathBuf, Failure> {
    let target_dir = workspace::target_dir();
    let mut cargo = workspace::cargo(&target_dir);
    cargo.args([
        "build",
        "-p",
        "flick-wasm",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]);
    process::heading(&format!("web: {}", process::describe(&cargo)));
    process::run(&mut cargo)?;

    // wasm-opt runs before wasm-bindgen: binaryen 108 breaks the externref table wasm-bindgen adds.
    let wasm = target_dir.join("wasm32-unknown-unknown").join("wasm-release").join("flick_wasm.wasm");
    let optimized = wasm.with_file_name("flick_wasm.opt.wasm");
    if newer(&optimized, &wasm) {
        eprintln!("web: {} is up to date", optimized.display());
    } else {
        let mut opt = Command::new("wasm-opt");
        opt.arg("-Oz").args(WASM_OPT_FEATURES).arg(&wasm).arg("-o").arg(&optimized);
        process::heading(&format!("web: {}", process::describe(&opt)));
        process::run(&mut opt).map_err(|f| hint(f, "wasm-opt", "apt-get install binaryen"))?;
    }

    let dist = dist_dir();
    fs::create_dir_all(&dist).map_err(|e| Failure::new(format!("creating {}: {e}", dist.display())))?;
    let mut bindgen = Command::new("wasm-bindgen");
    bindgen.args(["--target", "web", "--out-name", "flick", "--out-dir"]).arg(&dist).arg(&optimized);
    process::heading(&format!("web: {}", process::describe(&bindgen)));
    process::run(&mut bindgen).map_err(|f| hint(f, "wasm-bindgen", "cargo xtask setup"))?;

    let www = workspace::root().join("wasm").join("www");
    copy_files(&www, &dist)?;
    Ok(dist)
}

/// `cargo xtask demo --web [ARGS]`: build the web bundle and `flick`, make demo content with
/// ffmpeg (once), and serve both with `flick serve` (two locations, 4 Mbit/s, 40 ms, unless
/// `ARGS`, passed on to `flick serve`, say otherwise); prints the page's URL and serves until
/// Ctrl-C.
pub fn demo(extra: &[String]) -> Result<(), Failure> {
    crate::setup::run()?;
    let dist = build()?;
    report_size(&dist);
    let flick = build_flick()?;
    let content = content(60)?;
    let mut serve = Command::new(&flick);
    serve.arg("serve").arg(&content).arg("--www").arg(&dist).arg("--quiet");
    if !extra.iter().any(|a| a.starts_with("--rate") || a.starts_with("--trace")) {
        serve.args(["--rate", "4000"]);
    }
    if !extra.iter().any(|a| a.starts_with("--latency")) {
        serve.args(["--latency", "40"]);
    }
    serve.args(extra).stdout(Stdio::piped());
    process::heading(&format!("demo: {}", process::describe(&serve)));
    let mut child = serve.spawn().map_err(|e| Failure::new(format!("starting flick serve: {e}")))?;
    let stdout = child.stdout.take().ok_or_else(|| Failure::new("no stdout from flick serve"))?;
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let manifest = lines.next().ok_or_else(|| Failure::new("flick serve printed no manifest URL"))?;
    let a = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        .ok_or_else(|| Failure::new("flick serve printed no location"))?;
    eprintln!("\ndemo: open {a}www/index.html?src={manifest}\n      (Ctrl-C stops the server)");
    for line in lines {
        eprintln!("{line}");
    }
    let status = child.wait().map_err(|e| Failure::new(format!("waiting for flick serve: {e}")))?;
    if status.success() { Ok(()) } else { Err(Failure::new(format!("flick serve ended: {status}"))) }
}

/// `cargo xtask h2h`: build the web bundle, then run the head-to-head harness
/// (`tests/tests/h2h.rs`, an ignored test) and print its table. `FLICK_H2H_*` variables narrow
/// the run (see that file).
pub fn h2h() -> Result<(), Failure> {
    crate::setup::run()?;
    let dist = build()?;
    report_size(&dist);
    let mut test = workspace::cargo(&workspace::target_dir());
    test.args(["test", "-p", "flick-tests", "--test", "h2h", "--", "--ignored", "--nocapture"]);
    process::heading(&format!(
        "h2h: {} (about 30 minutes: on-demand and live scenarios)",
        process::describe(&test)
    ));
    process::run(&mut test)
}

/// Build the `flick` binary (debug: serving needs no speed) and return its path.
pub fn build_flick() -> Result<PathBuf, Failure> {
    let target_dir = workspace::target_dir();
    let mut build = workspace::cargo(&target_dir);
    build.args(["build", "-p", "flick-ui", "--bin", "flick"]);
    process::heading(&format!("web: {}", process::describe(&build)));
    process::run(&mut build)?;
    Ok(target_dir.join("debug").join("flick"))
}

/// Demo content of `seconds` (made once with ffmpeg under the target folder): three video rungs
/// (400, 1200 and 2500 kbit/s; 320x180 and 640x360) and AAC audio, 2 s segments.
pub fn content(seconds: u32) -> Result<PathBuf, Failure> {
    let dir = workspace::target_dir().join("web-content").join(format!("{seconds}s"));
    let mpd = dir.join("manifest.mpd");
    if mpd.exists() {
        return Ok(dir);
    }
    fs::create_dir_all(&dir).map_err(|e| Failure::new(format!("creating {}: {e}", dir.display())))?;
    let mut ffmpeg = Command::new("ffmpeg");
    ffmpeg
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "lavfi", "-i", &format!("testsrc2=size=640x360:rate=25:duration={seconds}")])
        .args(["-f", "lavfi", "-i", &format!("sine=frequency=440:sample_rate=48000:duration={seconds}")])
        .args(["-map", "0:v", "-map", "0:v", "-map", "0:v", "-map", "1:a"])
        .args(["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"])
        .args(["-g", "50", "-keyint_min", "50", "-sc_threshold", "0"])
        .args(["-s:v:0", "320x180", "-s:v:1", "640x360", "-s:v:2", "640x360"]);
    for (i, kbps) in [400, 1200, 2500].iter().enumerate() {
        ffmpeg.arg(format!("-b:v:{i}")).arg(format!("{kbps}k"));
        ffmpeg.arg(format!("-maxrate:v:{i}")).arg(format!("{kbps}k"));
        ffmpeg.arg(format!("-bufsize:v:{i}")).arg(format!("{}k", kbps * 2));
    }
    ffmpeg
        .args(["-c:a", "aac", "-b:a", "64k", "-f", "dash", "-seg_duration", "2"])
        .args(["-adaptation_sets", "id=0,streams=v id=1,streams=a"])
        .args(["-use_template", "1", "-use_timeline", "0"])
        .arg(&mpd);
    process::heading(&format!("web: {}", process::describe(&ffmpeg)));
    process::run(&mut ffmpeg).map_err(|f| hint(f, "ffmpeg", "cargo xtask setup"))?;
    Ok(dir)
}

/// Whether `path` exists and was modified after `than`.
fn newer(path: &Path, than: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(path), modified(than)), (Some(a), Some(b)) if a > b)
}

/// A failure to start `program` names how to install it.
fn hint(failure: Failure, program: &str, install: &str) -> Failure {
    if process::available(program) {
        failure
    } else {
        Failure::new(format!("{} ({program} is not installed: {install})", failure.message))
    }
}

/// Copy the files (not folders) of `from` into `to`.
fn copy_files(from: &Path, to: &Path) -> Result<(), Failure> {
    let entries = fs::read_dir(from).map_err(|e| Failure::new(format!("reading {}: {e}", from.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            let target = to.join(entry.file_name());
            fs::copy(&path, &target).map_err(|e| Failure::new(format!("copying {}: {e}", path.display())))?;
        }
    }
    Ok(())
}

/// Print the gzipped size of `flick_bg.wasm` + `flick.js` (the player library).
fn report_size(dist: &Path) {
    let files = ["flick_bg.wasm", "flick.js"];
    let sizes: Vec<Option<(u64, u64)>> = files.iter().map(|f| sizes(&dist.join(f))).collect();
    for (file, size) in files.iter().zip(&sizes) {
        match size {
            Some((raw, gz)) => eprintln!("web: {file:<14} {:>8.1} KB, {:>7.1} KB gzipped", kb(*raw), kb(*gz)),
            None => eprintln!("web: {file}: size unknown (gzip missing?)"),
        }
    }
    let total: u64 = sizes.iter().flatten().map(|(_, gz)| gz).sum();
    eprintln!("web: player library {:.1} KB gzipped (target ≤ 150 KB)", kb(total));
}

fn kb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

/// Size of `path` and of its `gzip -9` form.
fn sizes(path: &Path) -> Option<(u64, u64)> {
    let raw = fs::metadata(path).ok()?.len();
    let out = Command::new("gzip").arg("-9c").arg(path).stderr(Stdio::null()).output().ok()?;
    out.status.success().then_some((raw, out.stdout.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_version_is_the_crate_version() {
        let manifest = fs::read_to_string(workspace::root().join("Cargo.toml")).unwrap();
        let line =
            manifest.lines().find(|l| l.starts_with("wasm-bindgen =")).expect("wasm-bindgen in Cargo.toml");
        assert!(line.contains(&format!("\"={WASM_BINDGEN_VERSION}\"")), "{line}");
    }

    #[test]
    fn bindgen_versions_are_read_from_the_version_line() {
        assert!(bindgen_version_matches("wasm-bindgen 0.2.130\n"));
        assert!(!bindgen_version_matches("wasm-bindgen 0.2.129"));
        assert!(!bindgen_version_matches(""));
    }
}
