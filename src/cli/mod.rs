//! Argument parsing and dispatch for the `kbulk` binary; each subcommand lives in its own file.
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod exit;
mod sandbox;

pub use exit::{CliError, Exit};

/// kbulk: check, convert and submit Kaltura bulk files before the server sees them.
#[derive(Debug, Parser)]
#[command(name = "kbulk", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local Kaltura-compatible API server (API v3 and App Registry) for rehearsals and tests.
    Sandbox(sandbox::SandboxArgs),
}

/// Parses the command line, runs the subcommand and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Sandbox(args) => sandbox::run(args),
    };
    exit::finish(outcome)
}
