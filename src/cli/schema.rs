//! `kbulk schema`: prints the JSON Schemas of the records and of the diagnostic stream.
use std::io::Write;

use super::{CliError, Exit};

/// Options of `kbulk schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Which schema: diagnostic (the `--format json` stream of check, convert, fix and submit),
    /// schedule-resource, schedule-event, entry, app (one line of App JSON Lines) or record.
    /// Omit to list them.
    pub name: Option<String>,
}

/// Runs `kbulk schema`.
pub fn run(args: &SchemaArgs) -> Result<Exit, CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let w = |e| CliError::io("stdout", e);
    match &args.name {
        None => {
            for (name, file) in kbulk::schema::NAMES {
                writeln!(out, "{name:<20} schemas/{file}").map_err(w)?;
            }
        }
        Some(name) => {
            let s = kbulk::schema::schema(name).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown schema `{name}`; run `kbulk schema` to list them"
                ))
            })?;
            out.write_all(s.as_bytes()).map_err(w)?;
        }
    }
    Ok(Exit::Clean)
}
