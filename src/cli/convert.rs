//! `kbulk convert`: reads a file into normalized records and writes them in another format,
//! reporting what cannot be carried.
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use kbulk::convert::{ConvertSink, Target, not_carried};
use kbulk::diag::{Counts, Diagnostic};
use kbulk::formats::{self, Format, ReadOptions};
use kbulk::record::RecordKind;

use super::check::{EventArgs, InputFormat, set_threads};
use super::progress::{self, Progressed};
use super::render::{self, ColorChoice, OutputFormat};
use super::{CliError, Exit};

/// Options of `kbulk convert`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
The input's format is detected from its content. Findings go to standard error; records that \
cannot be carried are reported, never dropped silently. On a terminal a progress bar (share read, \
rate, ETA) is drawn on standard error; never when it is piped, with --quiet or --format json. \
With --format json the findings are the JSON Lines stream of `kbulk check --format json` \
(schema: `kbulk schema diagnostic`): one diagnostic per finding and per loss, a file line and a \
summary, on standard output when -o is given, else on standard error (the converted records hold \
standard output). Exit codes: 0 converted cleanly, 1 \
converted with data problems (see the findings), 2 usage or I/O failure.

Examples:
  kbulk convert resources.csv --to jsonl -o resources.jsonl
  kbulk convert resources.jsonl --to csv -o canonical.csv
  kbulk convert entries.csv --to xml -o entries.xml
  kbulk convert entries.xml --to csv -o entries.csv
  kbulk convert outlook.ics --to ics -o for-kaltura.ics
  kbulk convert events.csv --to ics --dialect rfc5545 -o calendar.ics
  kbulk convert entries.xml --to csv -o entries.csv --format json > losses.jsonl")]
pub struct ConvertArgs {
    /// The file to convert.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Target format: `jsonl` (normalized records), `csv` (the kind's canonical Kaltura CSV) or
    /// `xml` (an XML bulk upload of media entries).
    /// `ics` (schedule events).
    #[arg(long, value_enum)]
    pub to: TargetArg,
    /// The .ics dialect written by `--to ics`.
    #[arg(long, value_enum, default_value = "kaltura")]
    pub dialect: DialectArg,
    /// Output file (default: standard output).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Read the input as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<InputFormat>,
    /// Check the per-bulk row limit too (0, the default: no limit).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_records: u64,
    /// Findings as `human` text or a `json` Lines stream (the same stream and schema as `check`).
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Print only errors and warnings, no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Worker threads for per-record checks (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Colour of findings on standard error.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Options for schedule events.
    #[command(flatten)]
    pub events: EventArgs,
}

/// Target formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// Normalized JSON Lines (schemas/*.schema.json).
    Jsonl,
    /// Canonical Kaltura CSV for the record kind (resource CSV, schedule-event CSV, entry CSV V3).
    Csv,
    /// XML bulk upload (`<mrss>`), for media entries.
    Xml,
    /// iCal (.ics), schedule events only; see --dialect.
    Ics,
}

/// .ics dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DialectArg {
    /// What Kaltura's reader needs: CRLF, no folding, UTC times, no STATUS, a UID on every event.
    Kaltura,
    /// Standard RFC 5545: folded, escaped, TZID times with VTIMEZONEs.
    Rfc5545,
}

/// Runs `kbulk convert`.
pub fn run(args: &ConvertArgs) -> Result<Exit, CliError> {
    set_threads(args.threads)?;
    let target = match args.to {
        TargetArg::Jsonl => Target::Jsonl,
        TargetArg::Csv => Target::Csv,
        TargetArg::Xml => Target::Xml,
        TargetArg::Ics => Target::Ics {
            dialect: match args.dialect {
                DialectArg::Kaltura => kbulk::formats::ics::Dialect::Kaltura,
                DialectArg::Rfc5545 => kbulk::formats::ics::Dialect::Rfc5545,
            },
        },
    };
    let mut opts = ReadOptions {
        max_records: (args.max_records > 0).then_some(args.max_records),
        keep_raw: false,
        format: args.format_in.map(Format::from),
        ..ReadOptions::default()
    };
    args.events.apply(&mut opts);
    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(File::create(p).map_err(|e| CliError::io(p.display(), e))?),
        None => Box::new(io::stdout().lock()),
    };
    let mut sink = ConvertSink::new(target, BufWriter::new(out));
    let name: Arc<str> = Arc::from(args.file.display().to_string());
    let len = std::fs::metadata(&args.file).map_or(0, |m| m.len());
    let mut progressed = Progressed::new(
        &mut sink,
        progress::file_bar(!args.quiet && args.format == OutputFormat::Human, len),
    );
    let mut report = kbulk::pipeline::read_path(&args.file, name.clone(), &opts, &mut progressed);
    progressed.finish();
    let kind = report.detection.format.and_then(Format::kind);
    let writable = match target {
        Target::Jsonl => true,
        Target::Csv => kind.is_none_or(|k| {
            matches!(
                k,
                RecordKind::ScheduleResource
                    | RecordKind::ScheduleEvent
                    | RecordKind::Entry
                    | RecordKind::Category
                    | RecordKind::User
                    | RecordKind::CategoryUser
                    | RecordKind::CategoryEntry
            )
        }),
        Target::Xml => kind.is_none_or(|k| k == RecordKind::Entry),
        Target::Ics { .. } => kind.is_none_or(|k| k == RecordKind::ScheduleEvent),
    };
    if !writable {
        return Err(CliError::Usage(format!(
            "{}: {} cannot be written as {}; use --to jsonl",
            args.file.display(),
            kind.map_or("these records", RecordKind::describe),
            match target {
                Target::Xml => "an XML bulk upload",
                Target::Ics { .. } => "an iCal file",
                _ => "a Kaltura CSV",
            }
        )));
    }
    let out_name = args
        .output
        .as_ref()
        .map_or("stdout".to_string(), |p| p.display().to_string());
    let (written, mut diags) = sink.finish().map_err(|e| CliError::io(&out_name, e))?;
    diags.extend(std::mem::take(&mut report.diagnostics));
    if let Some(d) = not_carried(&name, report.records, written) {
        diags.push(d);
    }
    kbulk::diag::sort(&mut diags);
    let exit = match args.format {
        OutputFormat::Human => report_findings(args, &diags, written)?,
        OutputFormat::Json => json_findings(args, &report, &diags)?,
    };
    if report.detection.format.is_none() {
        return Err(CliError::Failed(format!(
            "{}: nothing converted: the file could not be classified",
            args.file.display()
        )));
    }
    Ok(exit)
}

/// The findings as the JSON Lines stream of `check`: diagnostics, the file, the summary.
fn json_findings(
    args: &ConvertArgs,
    report: &formats::FileReport,
    diags: &[Diagnostic],
) -> Result<Exit, CliError> {
    let mut counts = Counts::default();
    for d in diags {
        counts.add(d.severity);
    }
    let exit = if counts.errors > 0 {
        Exit::DataProblems
    } else {
        Exit::Clean
    };
    let mut out: Box<dyn Write> = if args.output.is_some() {
        Box::new(BufWriter::new(io::stdout().lock()))
    } else {
        Box::new(BufWriter::new(io::stderr().lock()))
    };
    let to = if args.output.is_some() {
        "stdout"
    } else {
        "stderr"
    };
    let mut write = || -> io::Result<()> {
        for d in diags {
            render::json_line(&mut out, &d.to_json())?;
        }
        render::json_line(&mut out, &render::file_json(report, counts))?;
        render::json_line(
            &mut out,
            &render::summary_json(1, report.records, counts, exit.code()),
        )?;
        out.flush()
    };
    write().map_err(|e| CliError::io(to, e))?;
    Ok(exit)
}

fn report_findings(
    args: &ConvertArgs,
    diags: &[Diagnostic],
    written: u64,
) -> Result<Exit, CliError> {
    let handler = render::handler(
        args.color
            .enabled(io::IsTerminal::is_terminal(&io::stderr())),
    );
    let mut err = io::stderr().lock();
    let mut counts = Counts::default();
    for d in diags {
        counts.add(d.severity);
        if args.quiet && d.severity == kbulk::diag::Severity::Note {
            continue;
        }
        let _ = err.write_all(render::human(&handler, d, Some(&args.file)).as_bytes());
    }
    if !args.quiet {
        let _ = writeln!(
            err,
            "converted {written} records: {}",
            render::counts_phrase(counts)
        );
    }
    Ok(if counts.errors > 0 {
        Exit::DataProblems
    } else {
        Exit::Clean
    })
}
