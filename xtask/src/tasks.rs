//! `cargo xtask test`, `demo` and `bench`: the workspace-wide tasks.

use crate::process::{self, Failure};
use crate::{setup, workspace};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// One step of `cargo xtask test`: a name for the summary and the cargo arguments.
struct Step {
    /// Short name used in the summary line.
    name: &'static str,
    /// Arguments after `cargo`.
    args: &'static [&'static str],
}

/// The checks `cargo xtask test` runs, in order; the first failure stops the run.
const TEST_STEPS: &[Step] = &[
    Step { name: "fmt", args: &["fmt", "--all", "--", "--check"] },
    Step { name: "clippy", args: &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"] },
    Step { name: "test", args: &["test", "--workspace"] },
    Step { name: "wasm", args: &["build", "-p", "flick-wasm", "--target", "wasm32-unknown-unknown"] },
    // Not cargo itself: `fuzz::smoke` (cargo fuzz build, then a fixed number of runs per target).
    Step { name: "fuzz", args: &["fuzz", "run", "--", "-runs=N"] },
];

/// `cargo xtask test`: setup, then every step of [`TEST_STEPS`], then a summary line.
pub fn test() -> Result<(), Failure> {
    setup::run()?;
    let target_dir = workspace::target_dir();
    eprintln!("test: building in {}", target_dir.display());
    let started = Instant::now();
    for (done, step) in TEST_STEPS.iter().enumerate() {
        if step.name == "test" {
            // The browser tests play the web build.
            crate::web::build()?;
        }
        process::heading(&format!(
            "[{}/{}] {}: cargo {}",
            done + 1,
            TEST_STEPS.len(),
            step.name,
            step.args.join(" ")
        ));
        let result = if step.name == "fuzz" {
            crate::fuzz::smoke()
        } else {
            let mut command = workspace::cargo(&target_dir);
            command.args(step.args);
            process::run(&mut command)
        };
        if let Err(failure) = result {
            eprintln!(
                "\nxtask test: FAILED at step {} ({}) after {done} of {} passed, {:.0} s",
                done + 1,
                step.name,
                TEST_STEPS.len(),
                started.elapsed().as_secs_f64()
            );
            return Err(failure);
        }
    }
    let names: Vec<&str> = TEST_STEPS.iter().map(|s| s.name).collect();
    eprintln!(
        "\nxtask test: all {} steps passed ({}) in {:.0} s",
        TEST_STEPS.len(),
        names.join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The demo's `flick sim` options: the flag, its value, and whether the value is a path inside the
/// repository (made absolute) rather than a plain word.
const DEMO_OPTIONS: &[(&str, &str, bool)] = &[
    ("--traces", "data/traces/pensieve-test", true),
    ("--ladder", "data/ladders/envivio", true),
    ("--model", "pensieve", false),
    ("--abr", "hedge,robust-mpc,bba,bola,throughput", false),
];

/// `cargo xtask demo [ARGS]`: setup, build `flick` in release mode, run `flick demo [ARGS]` (the
/// player window on generated content, a local two-location CDN, location `a` failing half-way).
pub fn demo(extra: &[String]) -> Result<(), Failure> {
    setup::run()?;
    let target_dir = workspace::target_dir();
    let mut build = workspace::cargo(&target_dir);
    build.args(["build", "--release", "-p", "flick-ui", "--bin", "flick"]);
    process::heading(&format!("demo: {}", process::describe(&build)));
    process::run(&mut build)?;
    let mut flick = Command::new(target_dir.join("release").join("flick"));
    flick.arg("demo").args(extra);
    process::heading(&format!("demo: {}", process::describe(&flick)));
    process::run(&mut flick)
}

/// `cargo xtask demo --sim [ARGS]`: setup, build `flick` in release mode, run `flick sim` over the
/// repository's Pensieve test traces and Envivio ladder (`data/`). `ARGS` go to `flick sim`; an option given
/// there replaces the demo's own.
pub fn demo_sim(extra: &[String]) -> Result<(), Failure> {
    setup::run()?;
    let root = workspace::root();
    let target_dir = workspace::target_dir();

    let mut build = workspace::cargo(&target_dir);
    build.args(["build", "--release", "-p", "flick-ui", "--bin", "flick"]);
    process::heading(&format!("demo: {}", process::describe(&build)));
    process::run(&mut build)?;

    let mut sim = Command::new(target_dir.join("release").join("flick"));
    // Runs in the caller's directory, so relative paths in `extra` mean what they say there.
    sim.arg("sim").args(demo_args(&root, extra)).args(extra);
    process::heading(&format!("demo: {}", process::describe(&sim)));
    process::run(&mut sim)
}

/// The demo's own `flick sim` arguments, less the options `extra` already gives.
fn demo_args(root: &Path, extra: &[String]) -> Vec<String> {
    let given = |flag: &str| {
        extra.iter().any(|arg| arg == flag || arg.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
    };
    let mut args = Vec::new();
    for &(flag, value, is_path) in DEMO_OPTIONS.iter().filter(|(flag, ..)| !given(flag)) {
        args.push(flag.to_string());
        args.push(if is_path { root.join(value).display().to_string() } else { value.to_string() });
    }
    args
}

/// `cargo xtask bench [ARGS]`: `cargo bench --workspace [ARGS]` in the shared target directory.
pub fn bench(extra: &[String]) -> Result<(), Failure> {
    let mut command = workspace::cargo(&workspace::target_dir());
    command.args(["bench", "--workspace"]).args(extra);
    process::heading(&format!("bench: {}", process::describe(&command)));
    process::run(&mut command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn demo_arguments_point_into_the_repository() {
        let args = demo_args(Path::new("/s"), &[]);
        assert_eq!(
            args,
            strings(&[
                "--traces",
                "/s/data/traces/pensieve-test",
                "--ladder",
                "/s/data/ladders/envivio",
                "--model",
                "pensieve",
                "--abr",
                "hedge,robust-mpc,bba,bola,throughput",
            ])
        );
    }

    #[test]
    fn extra_options_replace_the_demo_defaults() {
        let args = demo_args(Path::new("/s"), &strings(&["--abr", "bola", "--model=sabre", "--seed", "1"]));
        assert_eq!(
            args,
            strings(&["--traces", "/s/data/traces/pensieve-test", "--ladder", "/s/data/ladders/envivio"])
        );
    }
}
