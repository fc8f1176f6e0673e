//! `kbulk fix`: repairs bulk files that the bytes prove wrong (encoding, delimiter, iCal line
//! endings and dialect) and reports each repair with its code and place.
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use kbulk::dropfolder::{fix, run::write_atomic};

use super::render::{self, OutputFormat};
use super::{CliError, Exit};

/// Options of `kbulk fix`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Repairs only what the bytes prove: UTF-16 with a byte-order mark and Windows-1252 (when the \
bytes are not UTF-8) become UTF-8; a CSV whose `*` header is `;`- or tab-separated is rewritten \
with `,`, quoted so that PHP fgetcsv reads the same cells; an iCal file gets CRLF line endings and \
is rewritten in the dialect Kaltura reads (no folds, no text escapes, UTC instead of TZID times, no \
alarms inside events, GEOLATITUDE/GEOLONGITUDE), kept only when it reads as the same events with \
no new finding. What would need a guess is left alone and reported (fix::left-alone). Running fix \
twice changes nothing the second time.

Exit codes: 0 done (repaired or nothing to repair), 1 something was left alone, 2 usage or I/O.

Examples:
  kbulk fix export.csv --out fixed/
  kbulk fix calendar.ics --in-place")]
pub struct FixArgs {
    /// Files to repair.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write the repaired files into this folder (same names).
    #[arg(long, value_name = "DIR", conflicts_with = "in_place")]
    pub out: Option<PathBuf>,
    /// Replace each file atomically (temporary file, fsync, rename, directory fsync).
    #[arg(long)]
    pub in_place: bool,
    /// Output format of the report.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
}

/// Runs `kbulk fix`.
pub fn run(args: &FixArgs) -> Result<Exit, CliError> {
    if args.out.is_none() && !args.in_place {
        return Err(CliError::Usage(
            "say where to write: --out DIR or --in-place".into(),
        ));
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir.display(), e))?;
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let write_err = |e: io::Error| CliError::io("stdout", e);
    let mut left_alone = false;
    for path in &args.files {
        let bytes = std::fs::read(path).map_err(|e| CliError::io(path.display(), e))?;
        let name: Arc<str> = Arc::from(path.display().to_string());
        let fixed = fix::fix(&bytes, &name);
        let file_name = path
            .file_name()
            .ok_or_else(|| CliError::Usage(format!("{}: not a file", path.display())))?
            .to_string_lossy()
            .into_owned();
        let dir = match &args.out {
            Some(d) => d.clone(),
            None => path
                .parent()
                .map(|p| {
                    if p.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        p.to_path_buf()
                    }
                })
                .unwrap_or_else(|| PathBuf::from(".")),
        };
        if fixed.changed() || args.out.is_some() {
            write_atomic(&dir, &file_name, &fixed.bytes)
                .map_err(|e| CliError::Failed(e.to_string()))?;
        }
        left_alone |= fixed
            .repairs
            .iter()
            .any(|d| std::ptr::eq(d.code, &kbulk::dropfolder::codes::UNFIXABLE));
        match args.format {
            OutputFormat::Json => {
                for d in &fixed.repairs {
                    render::json_line(&mut out, &d.to_json()).map_err(write_err)?;
                }
            }
            OutputFormat::Human => {
                let verdict = if fixed.repairs.is_empty() {
                    "nothing to repair".to_string()
                } else {
                    fixed
                        .repairs
                        .iter()
                        .map(|d| format!("{} ({})", d.message, d.code.name))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                writeln!(out, "{name}: {verdict}").map_err(write_err)?;
            }
        }
    }
    out.flush().map_err(write_err)?;
    Ok(if left_alone {
        Exit::DataProblems
    } else {
        Exit::Clean
    })
}
