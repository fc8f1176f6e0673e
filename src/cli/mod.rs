//! Argument parsing and dispatch for the `kbulk` binary; each subcommand lives in its own file.
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod completions;
mod conn;
mod convert;
mod dropfolder;
mod exit;
mod explain;
mod export;
mod fix;
mod jobs;
mod progress;
mod render;
mod report;
mod sandbox;
mod schema;
mod submit;
mod submit_bulk;
mod walk;

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
    /// Check bulk files before upload: what the server would reject, and what it would silently
    /// drop or corrupt, with file, line and column.
    Check(check::CheckArgs),
    /// Convert a bulk file to another format through the normalized record model.
    Convert(convert::ConvertArgs),
    /// Explain a diagnostic code, or list every code.
    Explain(explain::ExplainArgs),
    /// Print the JSON Schema of the records or of the diagnostic stream.
    Schema(schema::SchemaArgs),
    /// Submit bulk files to the Kaltura API: parallel, retried safely, resumable, with results.
    Submit(submit::SubmitArgs),
    /// Look at server-side bulk jobs: list them, get one, print its log.
    Jobs(jobs::JobsArgs),
    /// Export App Registry apps (delta sync from a watermark), or categories, users, category
    /// users and category entries from the Kaltura API, as files check and submit read back.
    Export(export::ExportArgs),
    /// Run a local Kaltura-compatible API server (API v3 and App Registry) for rehearsals and tests.
    Sandbox(sandbox::SandboxArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff) of kbulk and all its subcommands.
    Man(completions::ManArgs),
    /// Repair bulk files: encodings, `;`/tab CSVs, iCal line endings.
    Fix(fix::FixArgs),
    /// Sit in front of a Kaltura drop folder: fix, check, split and hand over arriving files.
    Dropfolder(dropfolder::DropFolderArgs),
}

/// Parses the command line, runs the subcommand and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Submit(args) => submit::run(args),
        Command::Jobs(args) => jobs::run(args),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Export(args) => export::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
        Command::Fix(args) => fix::run(args),
        Command::Dropfolder(args) => dropfolder::run(args),
    };
    exit::finish(outcome)
}
