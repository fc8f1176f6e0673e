//! `kbulk jobs list|get|log`: look at server-side bulk jobs (Kaltura or the sandbox) from the
//! terminal — the newest jobs with their status, one job as the server returns it, or a job's
//! log as `serveLog` serves it.
use std::io::{self, BufWriter, Write};
use std::time::Duration;

use kbulk::submit::bulk::jobs::{self, Jobs};
use kbulk::submit::client::Client;
use kbulk::submit::retry::RetryPolicy;

use super::conn::ConnArgs;
use super::render::{self, OutputFormat};
use super::{CliError, Exit};

/// Options of `kbulk jobs`.
#[derive(Debug, clap::Args)]
pub struct JobsArgs {
    /// What to show.
    #[command(subcommand)]
    pub command: JobsCommand,
}

/// The `kbulk jobs` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum JobsCommand {
    /// The newest jobs: id, status, rows handled, errors, file name and the job's message.
    List {
        /// How many jobs (newest first).
        #[arg(long, value_name = "N", default_value_t = 30,
              value_parser = clap::value_parser!(u32).range(1..=500))]
        limit: u32,
        /// Output: `human` (a table) or `json` (one job object per line).
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
        /// Where and as whom.
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// One job, as `bulkupload_bulk.get` returns it (JSON).
    Get {
        /// The job id.
        id: i64,
        /// Where and as whom.
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// A job's log, as `bulkupload_bulk.serveLog` serves it (results CSV, iCal or XML).
    Log {
        /// The job id.
        id: i64,
        /// Where and as whom.
        #[command(flatten)]
        conn: ConnArgs,
    },
}

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

/// Runs `kbulk jobs`.
pub fn run(args: &JobsArgs) -> Result<Exit, CliError> {
    let conn = match &args.command {
        JobsCommand::List { conn, .. }
        | JobsCommand::Get { conn, .. }
        | JobsCommand::Log { conn, .. } => conn,
    };
    let client = Client::new(&conn.service_url()?, Duration::from_secs(60)).map_err(failed)?;
    let retry = RetryPolicy::default();
    let ks = conn
        .credentials()?
        .session_with_retry(&client, &retry, &std::thread::sleep)
        .map_err(failed)?;
    let jobs = Jobs {
        client: &client,
        ks: &ks,
        retry: &retry,
        sleep: &std::thread::sleep,
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let io_err = |e: io::Error| CliError::io("stdout", e);
    match &args.command {
        JobsCommand::List { limit, format, .. } => {
            let listed = jobs.list(1, *limit).map_err(failed)?;
            let objects = listed["objects"].as_array().cloned().unwrap_or_default();
            for j in &objects {
                match format {
                    OutputFormat::Json => render::json_line(&mut out, j).map_err(io_err)?,
                    OutputFormat::Human => {
                        let status = j["status"].as_i64().unwrap_or(-1);
                        writeln!(
                            out,
                            "{:>8}  {:<18}  {:>6} rows  {:>5} errors  {}  {}",
                            j["id"],
                            jobs::status_name(status),
                            j["numOfObjects"].as_i64().unwrap_or(0),
                            j["numOfErrorObjects"].as_i64().unwrap_or(0),
                            j["fileName"].as_str().unwrap_or_default(),
                            j["error"].as_str().unwrap_or_default()
                        )
                        .map_err(io_err)?;
                    }
                }
            }
            if *format == OutputFormat::Human && objects.is_empty() {
                writeln!(out, "no bulk jobs").map_err(io_err)?;
            }
        }
        JobsCommand::Get { id, .. } => {
            let job = jobs.get(*id).map_err(failed)?;
            let text = serde_json::to_string_pretty(&job).map_err(failed)?;
            writeln!(out, "{text}").map_err(io_err)?;
        }
        JobsCommand::Log { id, .. } => {
            let log = jobs.log(*id).map_err(failed)?;
            out.write_all(log.as_bytes()).map_err(io_err)?;
        }
    }
    out.flush().map_err(io_err)?;
    Ok(Exit::Clean)
}
