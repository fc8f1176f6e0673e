//! `kbulk check`: pre-flight check of bulk files, reporting what the server would reject and
//! what it would silently drop or corrupt.
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use kbulk::diag::{Counts, Diagnostic, Severity};
use kbulk::formats::{self, Discard, Format, ReadOptions};
use kbulk::pipeline;
use kbulk::record::EventType;

use super::progress;
use super::render::{self, ColorChoice, OutputFormat};
use super::report::{self, HtmlReport};
use super::{CliError, Exit, walk};

/// Options of `kbulk check`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Files are classified by their content (a `*` header's column names, BEGIN:VCALENDAR, an <mrss> \
root, JSON objects with a `kind`), not only by extension. Directories are walked recursively; \
hidden files and README/Markdown files are skipped.

Every finding has a stable code; `kbulk explain CODE` tells the whole story. Findings marked \
`silent loss` are the ones the Kaltura server would accept without a word while dropping or \
corrupting data.

Exit codes: 0 clean (warnings allowed unless --strict), 1 data problems found, 2 usage or \
operational failure.

Examples:
  kbulk check samples/
  kbulk check resources.csv --max-records 5000
  kbulk check drop/ --format json > findings.jsonl")]
pub struct CheckArgs {
    /// Files or directories to check.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format: `human` (snippets) or `json` (JSON Lines, see schemas/diagnostic.schema.json).
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Rows allowed per bulk file, as the server's `maxRecords` (0: no limit).
    #[arg(long, value_name = "N", default_value_t = formats::DEFAULT_MAX_RECORDS)]
    pub max_records: u64,
    /// Read every file as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format_in: Option<InputFormat>,
    /// Memory the index of names (systemNames, referenceIds, UIDs) may use per file before it
    /// spills to a temporary file: a number of bytes with an optional K, M or G (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "32M", value_parser = parse_size)]
    pub memory: u64,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Print only findings and the final summary (no per-file lines, no notes).
    #[arg(short, long)]
    pub quiet: bool,
    /// Show every row finding that a file-level finding already explains (a header row that
    /// names no column, so every row below it is empty): by default they are counted in one line.
    #[arg(short, long)]
    pub verbose: bool,
    /// Worker threads for per-record checks (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Colour: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Also write a self-contained HTML report (summary, chart, filterable table with
    /// snippets) to this file.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Findings listed in the HTML report (all are counted).
    #[arg(long, value_name = "N", default_value_t = report::DEFAULT_MAX_ROWS, requires = "report")]
    pub report_max: u64,
    /// Options for schedule events.
    #[command(flatten)]
    pub events: EventArgs,
    /// Also check App Registry apps against the apps this App Registry holds (base URL
    /// `.../api/v1`): domains other apps hold, deletes of apps that do not exist.
    #[arg(long, value_name = "URL")]
    pub against: Option<String>,
    /// The KS for --against (or how to open a session).
    #[command(flatten)]
    pub session: super::export::KsArgs,
}

/// Options that shape how schedule events are read (iCal jobs, time zones).
#[derive(Debug, Clone, clap::Args)]
pub struct EventArgs {
    /// The iCal job's events type (`eventsType`): every VEVENT is created with it, whatever
    /// X-KALTURA-TYPE says.
    #[arg(long, value_enum, value_name = "TYPE", default_value = "record")]
    pub events_type: EventsTypeArg,
    /// The day (YYYY-MM-DD) or instant (RFC 3339) the server imports the file; it converts TZID
    /// times with the zone's offset at that moment. Default: now.
    #[arg(long, value_name = "DATE", value_parser = parse_import_date)]
    pub import_date: Option<jiff::Timestamp>,
}

/// The event types an iCal job accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsTypeArg {
    /// 1: recordings.
    Record,
    /// 2: live streams.
    LiveStream,
    /// 3: blackouts.
    Blackout,
}

impl From<EventsTypeArg> for EventType {
    fn from(t: EventsTypeArg) -> Self {
        match t {
            EventsTypeArg::Record => EventType::Record,
            EventsTypeArg::LiveStream => EventType::LiveStream,
            EventsTypeArg::Blackout => EventType::Blackout,
        }
    }
}

/// Parses `--import-date`: a day (taken at 12:00 UTC) or an RFC 3339 instant.
fn parse_import_date(s: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let d: jiff::civil::Date = s
        .parse()
        .map_err(|e| format!("expected YYYY-MM-DD or an RFC 3339 instant: {e}"))?;
    d.at(12, 0, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| e.to_string())
}

impl EventArgs {
    /// Applies these options to read options.
    pub fn apply(&self, opts: &mut ReadOptions) {
        opts.events_type = self.events_type.into();
        opts.import_time = self.import_date;
    }
}

/// Input formats that can be forced with `--format-in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Schedule-resource CSV.
    ResourceCsv,
    /// Entry CSV (V1/V2 headerless or V3 with a `*` header).
    EntryCsv,
    /// XML bulk upload (`<mrss>`).
    Xml,
    /// Schedule-event CSV.
    EventCsv,
    /// iCal (.ics).
    Ical,
    /// kbulk JSON Lines.
    Jsonl,
    /// Category CSV.
    CategoryCsv,
    /// User CSV.
    UserCsv,
    /// Category-user (entitlement) CSV.
    CategoryUserCsv,
    /// Category-entry status CSV.
    CategoryEntryCsv,
    /// App Registry apps, one App object per line.
    AppJsonl,
    /// App Registry apps, CSV with a header of App fields.
    AppCsv,
}

impl From<InputFormat> for Format {
    fn from(f: InputFormat) -> Self {
        match f {
            InputFormat::ResourceCsv => Format::ResourceCsv,
            InputFormat::EntryCsv => Format::EntryCsv,
            InputFormat::Xml => Format::MrssXml,
            InputFormat::EventCsv => Format::EventCsv,
            InputFormat::Ical => Format::Ical,
            InputFormat::Jsonl => Format::JsonLines,
            InputFormat::CategoryCsv => Format::CategoryCsv,
            InputFormat::UserCsv => Format::UserCsv,
            InputFormat::CategoryUserCsv => Format::CategoryUserCsv,
            InputFormat::CategoryEntryCsv => Format::CategoryEntryCsv,
            InputFormat::AppJsonl => Format::AppJsonl,
            InputFormat::AppCsv => Format::AppCsv,
        }
    }
}

/// Sets the size of rayon's global pool.
pub fn set_threads(threads: Option<usize>) -> Result<(), CliError> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| CliError::Failed(format!("cannot start {n} threads: {e}")))?;
    }
    Ok(())
}

/// Where one file's findings go as they stream out of the reader: counted, written as JSON
/// Lines at once, or (human output, whose per-file line with the counts comes first) rendered
/// into a spool; and into the HTML report.
struct FileOut<'a> {
    args: &'a CheckArgs,
    handler: &'a miette::GraphicalReportHandler,
    path: &'a std::path::Path,
    from_dir: bool,
    /// A file found in a directory that is no bulk file: not reported at all.
    skip: bool,
    counts: Counts,
    json: Option<&'a mut BufWriter<io::StdoutLock<'static>>>,
    human: Spool,
    html: Option<&'a mut HtmlReport>,
    /// An error of the HTML report (the reader sees only that the sink failed).
    failed: Option<CliError>,
    /// Human output: the file-level finding that explains every row finding after it, and
    /// those findings counted by code instead of printed (unless `--verbose`).
    cascade: Option<Cascade>,
}

/// Codes of file-level findings that make every later row's findings consequences: a `*` row
/// that names no column leaves every row below it with empty fields.
const CASCADE_ROOTS: &[&str] = &[
    "resource::row-taken-as-header",
    "resource::no-header",
    "entry-csv::row-taken-as-header",
    "event-csv::row-taken-as-header",
];

/// Row findings held back because a file-level finding explains them.
struct Cascade {
    root: &'static str,
    hidden: std::collections::BTreeMap<&'static str, u64>,
}

impl Cascade {
    /// The one line that stands for the hidden findings, if any.
    fn line(&self) -> Option<String> {
        let total: u64 = self.hidden.values().sum();
        if total == 0 {
            return None;
        }
        let codes: Vec<String> = self
            .hidden
            .iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect();
        Some(format!(
            "  … {total} finding{} on the rows after it follow from {} ({}): not shown; \
             --verbose shows them\n",
            if total == 1 { "" } else { "s" },
            self.root,
            codes.join(", ")
        ))
    }
}

impl formats::FindingSink for FileOut<'_> {
    fn detected(&mut self, detection: &formats::Detection) {
        self.skip = self.from_dir && detection.format.is_none();
    }

    fn finding(&mut self, d: Diagnostic) -> io::Result<()> {
        if self.skip {
            return Ok(());
        }
        self.counts.add(d.severity);
        if let Some(html) = self.html.as_deref_mut()
            && let Err(e) = html.finding(&d, self.path)
        {
            let err = io::Error::other(e.to_string());
            self.failed = Some(e);
            return Err(err);
        }
        if let Some(out) = self.json.as_deref_mut() {
            return render::json_line(out, &d.to_json());
        }
        if self.args.quiet && d.severity == Severity::Note {
            return Ok(());
        }
        if let Some(cascade) = &mut self.cascade
            && d.row.is_some()
            && !self.args.verbose
        {
            *cascade.hidden.entry(d.code.name).or_default() += 1;
            return Ok(());
        }
        if self.cascade.is_none() && CASCADE_ROOTS.contains(&d.code.name) {
            self.cascade = Some(Cascade {
                root: d.code.name,
                hidden: Default::default(),
            });
        }
        self.human
            .write_all(render::human(self.handler, &d, Some(self.path)).as_bytes())
    }
}

/// Text held until it can be printed: in memory up to a few MiB, then in an anonymous
/// temporary file, so a file with millions of findings does not grow the process.
#[derive(Default)]
struct Spool {
    memory: Vec<u8>,
    disk: Option<io::BufWriter<std::fs::File>>,
}

/// Bytes a [`Spool`] keeps in memory.
const SPOOL_MEMORY: usize = 8 << 20;

impl Spool {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(disk) = &mut self.disk {
            return disk.write_all(bytes);
        }
        if self.memory.len() + bytes.len() <= SPOOL_MEMORY {
            self.memory.extend_from_slice(bytes);
            return Ok(());
        }
        let mut disk = io::BufWriter::new(tempfile::tempfile()?);
        disk.write_all(&self.memory)?;
        disk.write_all(bytes)?;
        self.memory = Vec::new();
        self.disk = Some(disk);
        Ok(())
    }

    fn copy_to(self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&self.memory)?;
        if let Some(disk) = self.disk {
            use std::io::Seek;
            let mut f = disk.into_inner().map_err(|e| e.into_error())?;
            f.seek(io::SeekFrom::Start(0))?;
            io::copy(&mut f, out)?;
        }
        Ok(())
    }
}

/// Runs `kbulk check`.
pub fn run(args: &CheckArgs) -> Result<Exit, CliError> {
    set_threads(args.threads)?;
    let inputs = walk::expand(&args.paths)?;
    if inputs.is_empty() {
        return Err(CliError::Usage(
            "no files to check (directories held no candidate files)".into(),
        ));
    }
    let mut opts = ReadOptions {
        max_records: (args.max_records > 0).then_some(args.max_records),
        keep_raw: false,
        format: args.format_in.map(Format::from),
        memory: args.memory,
        ..ReadOptions::default()
    };
    args.events.apply(&mut opts);
    if let Some(url) = &args.against {
        let ks = args.session.ks()?;
        opts.apps_against = Some(Arc::new(super::export::existing(url, &ks)?));
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let handler = render::handler(args.color.enabled(render::stdout_is_terminal()));
    let mut total = Counts::default();
    let (mut files, mut records) = (0u64, 0u64);
    let write_err = |e: io::Error| CliError::io("stdout", e);
    let mut html = match &args.report {
        Some(path) => Some(HtmlReport::create(path, args.report_max)?),
        None => None,
    };
    for input in &inputs {
        let name: Arc<str> = Arc::from(input.path.display().to_string());
        let mut file = FileOut {
            args,
            handler: &handler,
            path: &input.path,
            from_dir: input.from_dir,
            skip: false,
            counts: Counts::default(),
            json: match args.format {
                OutputFormat::Json => Some(&mut out),
                OutputFormat::Human => None,
            },
            human: Spool::default(),
            html: html.as_mut(),
            failed: None,
            cascade: None,
        };
        let len = std::fs::metadata(&input.path).map_or(0, |m| m.len());
        let bar = progress::file_bar(!args.quiet && args.format == OutputFormat::Human, len);
        let mut watch = progress::watcher(&bar);
        let read = pipeline::read_path_watched(
            &input.path,
            name,
            &opts,
            &mut Discard,
            &mut file,
            &mut watch,
        );
        bar.finish_and_clear();
        let report = match (read, file.failed.take()) {
            (_, Some(e)) => return Err(e),
            (Err(e), None) => return Err(write_err(e)),
            (Ok(r), None) => r,
        };
        if file.skip {
            continue;
        }
        let (counts, mut human) = (file.counts, file.human);
        if let Some(line) = file.cascade.as_ref().and_then(Cascade::line) {
            human.write_all(line.as_bytes()).map_err(write_err)?;
        }
        files += 1;
        records += report.records;
        total.merge(counts);
        if let Some(html) = &mut html {
            html.file(&report, counts);
        }
        match args.format {
            OutputFormat::Json => {
                render::json_line(&mut out, &render::file_json(&report, counts))
                    .map_err(write_err)?;
            }
            OutputFormat::Human => {
                if !args.quiet {
                    let what = match report.detection.format {
                        Some(f) => format!(
                            "{}, detected from {}; {} record{}",
                            f.describe(),
                            report.detection.by,
                            report.records,
                            if report.records == 1 { "" } else { "s" }
                        ),
                        None => "not classified".to_string(),
                    };
                    let verdict = if counts == Counts::default() {
                        "clean".to_string()
                    } else {
                        render::counts_phrase(counts)
                    };
                    writeln!(out, "{}: {what}: {verdict}", report.file).map_err(write_err)?;
                }
                human.copy_to(&mut out).map_err(write_err)?;
            }
        }
    }
    let failing = total.errors > 0 || (args.strict && total.warnings > 0);
    let exit = if failing {
        Exit::DataProblems
    } else {
        Exit::Clean
    };
    match args.format {
        OutputFormat::Json => {
            render::json_line(
                &mut out,
                &render::summary_json(files, records, total, exit.code()),
            )
            .map_err(write_err)?;
        }
        OutputFormat::Human => {
            writeln!(
                out,
                "checked {files} file{}, {records} records: {}",
                if files == 1 { "" } else { "s" },
                render::counts_phrase(total)
            )
            .map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)?;
    if let Some(html) = html {
        html.finish(files, records, total)?;
    }
    Ok(exit)
}

/// Parses a size such as `64M`, `1G`, `512K`, `1048576` (K, M, G: powers of 1024; a trailing
/// `B` or `iB` is allowed).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 10),
        Some((i, 'm' | 'M')) => (&t[..i], 20),
        Some((i, 'g' | 'G')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a size (examples: 64M, 1G, 500000)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{s}` is too large"))
}
