//! Flick's task runner: `cargo xtask <command>`.
//!
//! The `cargo xtask` alias in `.cargo/config.toml` builds this crate into the clone's own `./target`,
//! so it uses nothing but the standard library and compiles in seconds. Every command that builds
//! the workspace does so in one shared target directory (see [`workspace::target_dir`]).
//!
//! ```text
//! cargo xtask setup        install the Debian packages and Rust pieces the project needs
//! cargo xtask test         setup, then fmt, clippy, tests, the wasm32 build and a short fuzz run
//! cargo xtask fuzz [SECS]  setup, then every fuzz target under libFuzzer for SECS seconds each
//! cargo xtask fuzz --smoke setup, then the short fuzz run of `test`
//! cargo xtask demo [ARGS]  setup, then `flick demo` (the player window; ARGS go to `flick demo`)
//! cargo xtask demo --sim [ARGS]  setup, then `flick sim` over the repository's traces (data/) (ARGS go to `flick sim`)
//! cargo xtask bench [ARGS] `cargo bench --workspace` (ARGS go to cargo)
//! cargo xtask web          the browser build into wasm/dist (wasm-bindgen, wasm-opt, demo page)
//! cargo xtask h2h          Flick (wasm), dash.js and Shaka Player head to head in Chromium
//! ```

mod fuzz;
mod process;
mod setup;
mod tasks;
mod web;
mod workspace;

use process::Failure;
use std::process::ExitCode;

/// The usage text printed by `--help`, `help` and a bare `cargo xtask`.
const USAGE: &str = "\
Flick's task runner

Usage: cargo xtask <COMMAND> [ARGS...]

Commands:
  setup          Install what the project needs (Debian packages, Rust target and components);
                 does nothing when everything is already there
  test           setup, then: cargo fmt --check, cargo clippy -D warnings, cargo test --workspace,
                 the wasm32-unknown-unknown build of flick-wasm, and a fixed number of executions
                 of each fuzz target under libFuzzer
  fuzz [SECONDS] setup, then a fuzz campaign: each target of fuzz/ under libFuzzer for SECONDS
                 (default 300), one after the other; prints executions and findings per target
  fuzz --smoke   setup, then only the short fuzz run of `test`
  demo [ARGS]    setup, build `flick` (release) and run `flick demo`: generated content on a local
                 two-location CDN, location a failing half-way, played in the window (headless
                 with a status line when there is no display); ARGS go to `flick demo`
  demo --sim [ARGS]
                 setup, build `flick` (release) and run `flick sim` over data/ (Pensieve's test traces);
                 ARGS are passed on to `flick sim` (and replace the demo's own --abr/--model/...)
  bench [ARGS]   cargo bench --workspace [ARGS]
  web            setup, then the browser build into wasm/dist: release wasm, wasm-bindgen,
                 wasm-opt and the demo page; prints the library's gzipped size
  h2h            setup, web, then Flick, dash.js and Shaka Player head to head in headless
                 Chromium on the on-demand and live failover scenarios (about 30 minutes; prints tables)
  demo --web     setup, web, then serve generated DASH content and the demo page with
                 `flick serve` and print the page's URL (Ctrl-C stops)
  help           Print this text

Builds go to $CARGO_TARGET_DIR, or $HOME/.cache/flick/target when it is not set.
";

/// A command line that `cargo xtask` understands.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    /// Print [`USAGE`].
    Help,
    /// Install the project's system and toolchain dependencies.
    Setup,
    /// Run the whole check suite, as CI does.
    Test,
    /// Run a fuzz campaign of this many seconds per target.
    Fuzz(u64),
    /// Run the short fuzz step of `test` alone.
    FuzzSmoke,
    /// Run the simulator demo, with extra arguments for `flick sim`.
    Demo(Vec<String>),
    /// Run the benchmarks, with extra arguments for `cargo bench`.
    Bench(Vec<String>),
    /// Build the browser bundle.
    Web,
    /// Run the head-to-head harness.
    H2h,
}

/// Reads the command from the arguments after `cargo xtask`.
fn parse_args(args: &[String]) -> Result<Command, Failure> {
    let Some((first, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let no_args = |command: Command| {
        if rest.is_empty() {
            Ok(command)
        } else {
            Err(Failure::usage(format!("`{first}` takes no arguments (got `{}`)", rest.join(" "))))
        }
    };
    match first.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "setup" => no_args(Command::Setup),
        "test" => no_args(Command::Test),
        "fuzz" => {
            match rest {
                [] => Ok(Command::Fuzz(300)),
                [smoke] if smoke == "--smoke" => Ok(Command::FuzzSmoke),
                [seconds] => seconds.parse().ok().filter(|&s| s > 0).map(Command::Fuzz).ok_or_else(|| {
                    Failure::usage(format!("`fuzz` takes a number of seconds, not `{seconds}`"))
                }),
                _ => Err(Failure::usage("`fuzz` takes at most one argument (seconds per target)")),
            }
        }
        "demo" => Ok(Command::Demo(rest.to_vec())),
        "bench" => Ok(Command::Bench(rest.to_vec())),
        "web" => no_args(Command::Web),
        "h2h" => no_args(Command::H2h),
        other => Err(Failure::usage(format!("unknown command `{other}`"))),
    }
}

/// Runs one command.
fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Help => {
            print!("{USAGE}");
            Ok(())
        }
        Command::Setup => setup::run(),
        Command::Test => tasks::test(),
        Command::Fuzz(seconds) => fuzz::campaign(seconds),
        Command::FuzzSmoke => setup::run().and_then(|()| fuzz::smoke()),
        Command::Demo(args) if args.first().is_some_and(|a| a == "--web") => web::demo(&args[1..]),
        Command::Demo(args) if args.first().is_some_and(|a| a == "--sim") => tasks::demo_sim(&args[1..]),
        Command::Demo(args) => tasks::demo(&args),
        Command::Bench(args) => tasks::bench(&args),
        Command::Web => setup::run().and_then(|()| web::web()),
        Command::H2h => web::h2h(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("xtask: error: {}", failure.message);
            if failure.code == process::USAGE_EXIT_CODE {
                eprintln!("\n{USAGE}");
            }
            ExitCode::from(failure.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_arguments_means_help() {
        assert_eq!(parse_args(&[]).unwrap(), Command::Help);
        assert_eq!(parse_args(&args(&["--help"])).unwrap(), Command::Help);
    }

    #[test]
    fn demo_and_bench_pass_arguments_on() {
        assert_eq!(
            parse_args(&args(&["demo", "--seed", "3"])).unwrap(),
            Command::Demo(args(&["--seed", "3"]))
        );
        assert_eq!(parse_args(&args(&["bench"])).unwrap(), Command::Bench(vec![]));
        // The player demo by default; the simulator table behind `--sim`.
        assert_eq!(parse_args(&args(&["demo"])).unwrap(), Command::Demo(vec![]));
        assert_eq!(
            parse_args(&args(&["demo", "--sim", "--seed", "3"])).unwrap(),
            Command::Demo(args(&["--sim", "--seed", "3"]))
        );
        assert!(USAGE.contains("demo --sim [ARGS]") && USAGE.contains("`flick demo`"));
    }

    #[test]
    fn fuzz_takes_seconds_per_target() {
        assert_eq!(parse_args(&args(&["fuzz"])).unwrap(), Command::Fuzz(300));
        assert_eq!(parse_args(&args(&["fuzz", "60"])).unwrap(), Command::Fuzz(60));
        assert_eq!(parse_args(&args(&["fuzz", "--smoke"])).unwrap(), Command::FuzzSmoke);
        for bad in [&["fuzz", "0"][..], &["fuzz", "x"], &["fuzz", "1", "2"]] {
            assert_eq!(parse_args(&args(bad)).unwrap_err().code, process::USAGE_EXIT_CODE, "{bad:?}");
        }
    }

    #[test]
    fn unknown_commands_and_stray_arguments_are_usage_errors() {
        let err = parse_args(&args(&["frobnicate"])).unwrap_err();
        assert_eq!(err.code, process::USAGE_EXIT_CODE);
        let err = parse_args(&args(&["test", "--fast"])).unwrap_err();
        assert_eq!(err.code, process::USAGE_EXIT_CODE);
    }
}
