//! `flick`: the command-line front end.

mod bench_command;
mod compare;
mod demo_command;
mod inspect_command;
mod play_command;
mod progress;
mod serve_command;
mod sim_command;
mod views;
mod window;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Flick: an adaptive-bitrate DASH player, its simulator and its lab.
#[derive(Parser, Debug)]
#[command(name = "flick", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Watch a stream in a window (or headless, with a status line).
    Play(play_command::PlayArgs),
    /// The built-in demo, offline: generated content, a local CDN with two locations, location
    /// `a` failing half-way, played in the window with the statistics panel open.
    Demo(demo_command::DemoArgs),
    /// Flick's decoding pipeline against `gst-launch-1.0 playbin` (dashdemux) on the same local
    /// 720p and 1080p content: dropped frames, CPU time, peak memory.
    BenchPlay(bench_command::BenchArgs),
    /// Replay bandwidth traces against the player core and score ABR algorithms.
    Sim(sim_command::SimArgs),
    /// Every algorithm on every trace against the offline optimum: tables, confidence intervals,
    /// charts.
    Compare(compare::CompareArgs),
    /// Flick's test CDN: serve a DASH folder from several local locations with throttling,
    /// latency, scripted faults and content steering.
    Serve(serve_command::ServeArgs),
    /// Parse a manifest (URL or file) and say what Flick would play and what it would not:
    /// periods, tracks, rungs, segment addressing, locations, content steering.
    Inspect(inspect_command::InspectArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Play(args) => play_command::run(args),
        Command::Demo(args) => demo_command::run(args),
        Command::BenchPlay(args) => bench_command::run(args),
        Command::Sim(args) => sim_command::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Serve(args) => serve_command::run(args),
        Command::Inspect(args) => inspect_command::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flick: {e:#}");
            // A mistake in the command line that only shows after parsing is still bad usage.
            ExitCode::from(if e.downcast_ref::<compare::UsageError>().is_some() { 2 } else { 1 })
        }
    }
}
