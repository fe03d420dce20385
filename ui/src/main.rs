//! `flick`: the command-line front end.

mod sim_command;

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
    /// Replay bandwidth traces against the player core and score ABR algorithms.
    Sim(sim_command::SimArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sim(args) => sim_command::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flick: {e:#}");
            ExitCode::from(1)
        }
    }
}
