//! The fuzz targets of `fuzz/` under libFuzzer: a short run of each in `cargo xtask test`, and a
//! campaign, `cargo xtask fuzz [SECONDS_PER_TARGET]`.
//!
//! libFuzzer comes through cargo-fuzz (installed by `cargo xtask setup`). cargo-fuzz asks for a
//! nightly compiler, but its flags (`-Cpasses=sancov-module` and the coverage options) work on
//! the stable one once `RUSTC_BOOTSTRAP=1` lets it through, with `--sanitizer none` (Flick is safe
//! Rust: what the targets look for are panics and broken invariants, which need no sanitizer).
//! The binaries build with debug assertions and overflow checks.

use crate::process::{self, Failure};
use crate::workspace;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The targets, as `fuzz/fuzz_targets/` names them.
pub const TARGETS: &[&str] = &["manifest", "segment_index", "steering", "web_config", "state_machine"];

/// The cargo-fuzz version `setup` installs.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Executions of each target in `cargo xtask test` (about a minute in all, with the build cached),
/// from a fixed seed so that the run is the same every time.
pub const SMOKE_RUNS: &[(&str, u64)] = &[
    ("manifest", 100_000),
    ("segment_index", 1_000_000),
    ("steering", 100_000),
    ("web_config", 100_000),
    ("state_machine", 100_000),
];

/// The longest input libFuzzer makes (the seeds are longer where they need to be).
const MAX_LEN: &str = "-max_len=8192";

/// Install cargo-fuzz unless `cargo fuzz --version` already names [`CARGO_FUZZ_VERSION`];
/// returns how many it installed.
pub fn setup() -> Result<usize, Failure> {
    let mut version = cargo();
    version.args(["fuzz", "--version"]);
    let found = process::output(&mut version).unwrap_or_default();
    if found.split_whitespace().nth(1) == Some(CARGO_FUZZ_VERSION) {
        eprintln!("setup: cargo-fuzz {CARGO_FUZZ_VERSION} present");
        return Ok(0);
    }
    let mut install = cargo();
    install.args(["install", "cargo-fuzz", "--version", CARGO_FUZZ_VERSION, "--locked"]);
    eprintln!("setup: {}", process::describe(&install));
    process::run(&mut install)?;
    Ok(1)
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo fuzz <subcommand> ...` in the shared target directory, as Flick builds its targets.
fn cargo_fuzz(target_dir: &Path, subcommand: &str) -> Command {
    let mut command = workspace::cargo(target_dir);
    command.env("RUSTC_BOOTSTRAP", "1").args([
        "fuzz",
        subcommand,
        "--fuzz-dir",
        "fuzz",
        "--sanitizer",
        "none",
        "--features",
        "libfuzzer",
    ]);
    command
}

/// Build every target.
fn build(target_dir: &Path) -> Result<(), Failure> {
    let mut command = cargo_fuzz(target_dir, "build");
    process::heading(&format!("fuzz: {}", process::describe(&command)));
    process::run(&mut command)
}

/// What one libFuzzer run did.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// Inputs executed.
    pub executions: u64,
    /// Inputs in the corpus at the end.
    pub corpus: u64,
    /// The panic or libFuzzer error, and the file holding the input, when it crashed.
    pub crash: Option<(String, String)>,
}

/// Run `target` with libFuzzer `options`, growing `corpus` (from the seeds), logging to `log`.
fn run(
    target_dir: &Path,
    target: &str,
    corpus: &Path,
    options: &[String],
    log: &Path,
) -> Result<Outcome, Failure> {
    let root = workspace::root();
    let artifacts = root.join("fuzz").join("artifacts").join(target);
    for dir in [corpus, &artifacts] {
        fs::create_dir_all(dir).map_err(|e| Failure::new(format!("creating {}: {e}", dir.display())))?;
    }
    let mut command = cargo_fuzz(target_dir, "run");
    command
        .arg(target)
        .arg(corpus)
        .arg(root.join("fuzz").join("seeds").join(target))
        .arg("--")
        .arg(MAX_LEN)
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .args(options);
    eprintln!("fuzz: {} (log: {})", process::describe(&command), log.display());
    let file = fs::File::create(log).map_err(|e| Failure::new(format!("creating {}: {e}", log.display())))?;
    let status = command
        .stdout(file.try_clone().map_err(|e| Failure::new(e.to_string()))?)
        .stderr(file)
        .status()
        .map_err(|e| Failure::new(format!("could not start cargo fuzz: {e}")))?;
    let text = fs::read_to_string(log).unwrap_or_default();
    let mut outcome = parse_log(&text);
    if !status.success() && outcome.crash.is_none() {
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
        return Err(Failure::new(format!(
            "cargo fuzz run {target} failed ({status}); see {}",
            log.display()
        )));
    }
    if outcome.crash.is_some() {
        // The lines around the panic, for the reader.
        let context: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("panicked at") || l.contains("invariant broken"))
            .take(4)
            .collect();
        eprintln!("{}", context.join("\n"));
    }
    outcome.corpus = fs::read_dir(corpus).map(|d| d.count() as u64).unwrap_or(0);
    Ok(outcome)
}

/// Read executions and a crash from libFuzzer's output.
pub fn parse_log(text: &str) -> Outcome {
    let mut outcome = Outcome::default();
    let mut panic_message = None;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            outcome.executions = n.trim().parse().unwrap_or(outcome.executions);
        } else if let Some(rest) = line.strip_prefix("Done ") {
            // "Done 20000 runs in 3 second(s)"
            if let Some(n) = rest.split_whitespace().next().and_then(|n| n.parse().ok()) {
                outcome.executions = outcome.executions.max(n);
            }
        } else if line.contains("panicked at") && panic_message.is_none() {
            let next = lines.peek().map(|l| l.trim()).unwrap_or_default();
            panic_message = Some(format!("{} {next}", line.trim()));
        } else if let Some(rest) = line.split("Test unit written to ").nth(1) {
            let error = panic_message.clone().unwrap_or_else(|| "libFuzzer reported a crash".into());
            outcome.crash = Some((error, rest.trim().to_string()));
        }
    }
    outcome
}

/// One line per target: executions, corpus, finding.
fn table(rows: &[(&str, Outcome, f64)]) {
    eprintln!("\n{:<14} {:>12} {:>8} {:>8}  finding", "target", "executions", "corpus", "seconds");
    for (target, outcome, seconds) in rows {
        let finding = match &outcome.crash {
            None => "none".to_string(),
            Some((error, file)) => format!("CRASH {error} (input: {file})"),
        };
        eprintln!("{target:<14} {:>12} {:>8} {seconds:>8.0}  {finding}", outcome.executions, outcome.corpus);
    }
}

fn fail_on_crashes(rows: &[(&str, Outcome, f64)]) -> Result<(), Failure> {
    let crashed: Vec<&str> = rows.iter().filter(|(_, o, _)| o.crash.is_some()).map(|(t, _, _)| *t).collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "fuzz targets crashed: {} (reproduce with `cargo fuzz run --fuzz-dir fuzz --sanitizer none \
             --features libfuzzer TARGET INPUT` under RUSTC_BOOTSTRAP=1)",
            crashed.join(", ")
        )))
    }
}

/// The short run of `cargo xtask test`: [`SMOKE_RUNS`] executions of each target from a fixed
/// seed, on a fresh corpus made from the seeds.
pub fn smoke() -> Result<(), Failure> {
    let target_dir = workspace::target_dir();
    build(&target_dir)?;
    let work = target_dir.join("fuzz-smoke");
    let _ = fs::remove_dir_all(&work);
    let mut rows = Vec::new();
    for &(target, runs) in SMOKE_RUNS {
        let started = Instant::now();
        let options = [format!("-runs={runs}"), "-seed=12".to_string()];
        let outcome =
            run(&target_dir, target, &work.join(target), &options, &work.join(format!("{target}.log")))?;
        rows.push((target, outcome, started.elapsed().as_secs_f64()));
    }
    table(&rows);
    fail_on_crashes(&rows)
}

/// `cargo xtask fuzz [SECONDS_PER_TARGET]`: each target for that long (default 300 s), one after
/// the other, growing `fuzz/corpus/TARGET` (kept between campaigns); crashes go to
/// `fuzz/artifacts/TARGET/`.
pub fn campaign(seconds: u64) -> Result<(), Failure> {
    crate::setup::run()?;
    let target_dir = workspace::target_dir();
    build(&target_dir)?;
    let root = workspace::root();
    let logs = target_dir.join("fuzz-campaign");
    fs::create_dir_all(&logs).map_err(|e| Failure::new(format!("creating {}: {e}", logs.display())))?;
    let mut rows = Vec::new();
    for &target in TARGETS {
        process::heading(&format!("fuzz: {target} for {seconds} s"));
        let started = Instant::now();
        let options = [format!("-max_total_time={seconds}")];
        let corpus: PathBuf = root.join("fuzz").join("corpus").join(target);
        let outcome = run(&target_dir, target, &corpus, &options, &logs.join(format!("{target}.log")))?;
        rows.push((target, outcome, started.elapsed().as_secs_f64()));
    }
    table(&rows);
    fail_on_crashes(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_has_a_binary_and_a_smoke_run() {
        let dir = workspace::root().join("fuzz").join("fuzz_targets");
        let mut found: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        found.sort();
        let mut listed: Vec<String> = TARGETS.iter().map(|t| t.to_string()).collect();
        listed.sort();
        assert_eq!(found, listed);
        assert_eq!(SMOKE_RUNS.iter().map(|(t, _)| *t).collect::<Vec<_>>(), TARGETS);
    }

    #[test]
    fn the_log_gives_executions_and_the_crash() {
        let clean =
            "#2\tINITED cov: 10\nDone 20000 runs in 3 second(s)\nstat::number_of_executed_units: 20001\n";
        assert_eq!(parse_log(clean), Outcome { executions: 20_001, corpus: 0, crash: None });
        let crash = "#5 NEW\nthread '<unnamed>' panicked at player/src/x.rs:3:4:\nindex out of bounds\n\
                     ==1== ERROR: libFuzzer: deadly signal\nartifact_prefix='a/'; Test unit written to a/crash-1\n\
                     stat::number_of_executed_units: 77\n";
        let outcome = parse_log(crash);
        assert_eq!(outcome.executions, 77);
        let (error, file) = outcome.crash.unwrap();
        assert_eq!(file, "a/crash-1");
        assert!(error.contains("player/src/x.rs:3:4") && error.contains("index out of bounds"), "{error}");
    }
}
