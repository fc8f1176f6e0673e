//! `kbulk fix`: repairs bulk files that the bytes prove wrong (encoding, delimiter, iCal line
//! endings and dialect) and reports each repair with its code and place.
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use kbulk::diag::JsonKind;
use kbulk::dropfolder::{fix, run::write_atomic};
use kbulk::stream::{JsonFixSummary, JsonFixed};

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
    let (mut repaired, mut left_alone) = (0u64, 0u64);
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
        let written = if fixed.changed() || args.out.is_some() {
            write_atomic(&dir, &file_name, &fixed.bytes)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            Some(match &args.out {
                Some(d) => d.join(&file_name).display().to_string(),
                None => path.display().to_string(),
            })
        } else {
            None
        };
        let alone = fixed
            .repairs
            .iter()
            .filter(|d| std::ptr::eq(d.code, &kbulk::dropfolder::codes::UNFIXABLE))
            .count() as u64;
        let repairs = fixed.repairs.len() as u64 - alone;
        repaired += u64::from(repairs > 0);
        left_alone += u64::from(alone > 0);
        match args.format {
            OutputFormat::Json => {
                for d in &fixed.repairs {
                    render::json_line(&mut out, &d.to_json()).map_err(write_err)?;
                }
                let line = JsonFixed {
                    kind: JsonKind::File,
                    file: name.to_string(),
                    repairs,
                    left_alone: alone,
                    written,
                };
                render::json_line(&mut out, &line).map_err(write_err)?;
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
    let exit = if left_alone > 0 {
        Exit::DataProblems
    } else {
        Exit::Clean
    };
    if args.format == OutputFormat::Json {
        let summary = JsonFixSummary {
            kind: JsonKind::Summary,
            files: args.files.len() as u64,
            repaired,
            left_alone,
            exit_code: exit.code(),
        };
        render::json_line(&mut out, &summary).map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    Ok(exit)
}
