//! `kbulk submit`: check, plan and submit bulk files to the Kaltura API in parallel batches, with
//! a journal that makes a killed run resumable, Kaltura-shaped results, and a progress bar.
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use kbulk::diag::Severity;
use kbulk::submit::journal::Journal;
use kbulk::submit::preflight::{self, Checked};
use kbulk::submit::results::{self, JsonRow};
use kbulk::submit::retry::RetryPolicy;
use kbulk::submit::{self as engine, Progress, Submission, SubmitOptions};

use super::render::{self, ColorChoice, OutputFormat};
use super::{CliError, Exit};

/// Options of `kbulk submit`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Every file is checked first, exactly as `kbulk check` does. Rows with errors stop the submission \
(nothing is sent) unless --skip-invalid is given, in which case they are skipped and reported as \
errors in the results. Names and reference ids are resolved with batched list calls: a resource's \
action 6 becomes update or add, an event whose UID exists is updated (and a cancel cancels it by \
id), an entry without <action> updates the entry its referenceId names or is added. Parents \
(resources, a recording's second stream) are created before their children whatever the file \
order. Entries' local files are uploaded first in --chunk-size chunks, resumably. Calls go out in \
multirequests of --batch-size with --concurrency of them in flight.

Transient failures (HTTP 5xx and 429, timeouts, resets) are retried with exponential backoff \
(--retry-delay-ms, doubling, ±20% jitter; --retries times). Errors the API returns are never \
retried. When a call may have been applied (the connection failed after it was sent), kbulk looks \
the object up before sending anything again: no duplicates. A row that cannot be looked up (an add \
without systemName or referenceId) is never re-sent; it is reported with the code OUTCOME_UNKNOWN.

Every row's state is kept in a journal (SQLite; default FILE.kbulk-journal next to the first \
input). If a run is interrupted, even by kill -9, `kbulk submit FILE... --resume` finishes it: \
nothing is sent twice and no row is lost. Results are written per input as FILE.results.csv \
(Kaltura's bulk log shape: original cells, then resultStatus 1 error / 2 ok / 3 not finished, \
objectId, objectStatus, errorDescription).

Authentication (first that applies): --ks; --app-token-id + --app-token + --partner-id (widget \
session, then appToken.startSession); --partner-id + --admin-secret (session.start). Prefer the \
environment variables for secrets: command lines are visible to other users. Secrets never appear \
in any output, journal or results file.

App Registry apps (App JSON Lines, App CSV) are upserted by appCustomId over the App Registry's REST API (--region or --app-registry-url): added when absent, updated when a field differs, left alone when equal (no version bump); `status` is set with enable/disable; only rows whose `action` is `delete` delete.

Category, user, category-user and category-entry CSVs go through the API as their engines do: \
categories parents first, users by userId with their groups, category users by categoryId + \
userId (then activate / deactivate), category entries activated (7) or rejected (8). An update \
that would change nothing is not sent (`unchanged`); `kbulk export` writes such files back.

Environment: KALTURA_SERVICE_URL, KALTURA_KS, KALTURA_APP_REGISTRY_URL, KALTURA_APP_REGISTRY_REGION, KALTURA_PARTNER_ID, KALTURA_ADMIN_SECRET, \
KALTURA_APP_TOKEN_ID, KALTURA_APP_TOKEN, KALTURA_APP_TOKEN_HASH_TYPE, KALTURA_USER_ID.

--via bulk (schedule-resource, schedule-event and entry CSV, iCal) hands the rows to Kaltura's \
bulk-upload engine as server-side jobs of at most --max-records rows, in dependency order, \
rewritten so the engine never meets its PHP 8 crash (names resolved to ids, parents set by kbulk after the job; each \
rewrite is printed); each job is polled with backoff and its log read back into the same \
results file. --force sends rows the check refuses and lets the engine judge them. --resume \
polls the jobs a killed run started and never starts them again. See docs/bulk.md.

Exit codes: 0 every row done; 1 data problems (rows refused by the check, or failed on the \
server); 2 usage or operational failure; 3 submission incomplete (rows not finished: run again \
with --resume).

Examples:
  export KALTURA_SERVICE_URL=https://www.kaltura.com KALTURA_PARTNER_ID=1234567
  export KALTURA_ADMIN_SECRET=...            # or KALTURA_KS, or KALTURA_APP_TOKEN_ID + KALTURA_APP_TOKEN
  kbulk submit resources.csv --dry-run
  kbulk submit resources.csv --concurrency 8 --batch-size 20
  kbulk submit resources.csv --resume        # after an interruption
  kbulk submit lectures.ics --events-type record
  kbulk submit entries.xml media.jsonl --chunk-size 16777216
  kbulk submit a.csv b.jsonl --skip-invalid --format json > results.jsonl
  kbulk submit resources.csv --via bulk --max-records 500")]
pub struct SubmitArgs {
    /// Files to submit (resource CSV, iCal, event CSV, XML bulk upload, entry CSV, category,
    /// user, category-user and category-entry CSVs, App JSON Lines or CSV, kbulk JSON Lines).
    /// With --resume they may be omitted: the journal (--journal) knows them.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Where and as whom.
    #[command(flatten)]
    pub conn: super::conn::ConnArgs,

    /// Calls per multirequest.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub batch_size: u32,

    /// Multirequests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// Retries of a transient failure (0: none).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// Wait before the first retry; it doubles for each further retry.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub retry_delay_ms: u64,

    /// Seconds allowed for one request, from connect to the last byte of the answer.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub timeout: u64,

    /// Bytes per chunk when uploading an entry's local file (uploadToken.upload).
    #[arg(long, value_name = "BYTES", default_value_t = engine::DEFAULT_CHUNK_SIZE as u64,
          value_parser = clap::value_parser!(u64).range(1..=(1 << 30)))]
    pub chunk_size: u64,

    /// The journal file (default: FILE.kbulk-journal beside the first input).
    #[arg(long, value_name = "JOURNAL")]
    pub journal: Option<PathBuf>,

    /// Continue the submission the journal records.
    #[arg(long)]
    pub resume: bool,

    /// Where to write the results CSVs (default: beside each input); made if it does not exist.
    #[arg(long, value_name = "DIR")]
    pub results_dir: Option<PathBuf>,

    /// Submit the valid rows and report the invalid ones, instead of refusing the submission.
    #[arg(long)]
    pub skip_invalid: bool,

    /// Print the calls that would be made (after read-only lookups) and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Output: `human` (summary) or `json` (JSON Lines: one object per row, then a summary).
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,

    /// No progress bar and no per-file lines.
    #[arg(short, long)]
    pub quiet: bool,

    /// Colour: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Options for schedule events.
    #[command(flatten)]
    pub events: super::check::EventArgs,

    /// The route: `api` calls the API row by row in multirequests; `bulk` hands the rows to
    /// Kaltura's bulk-upload engine as server-side jobs (resource, event and entry CSV, iCal).
    #[arg(long, value_enum, default_value = "api")]
    pub via: Via,

    /// Options of --via bulk.
    #[command(flatten)]
    pub bulk: super::submit_bulk::BulkArgs,
    /// Where App Registry apps go (the KS above is sent as `Authorization: Bearer`).
    #[command(flatten)]
    pub registry: super::export::RegistryArgs,
}

/// How `kbulk submit` sends rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Via {
    /// The API, row by row in multirequests.
    Api,
    /// Kaltura's bulk-upload engine (server-side jobs).
    Bulk,
}

impl SubmitArgs {
    /// The options; `apps_only` when every record goes to the App Registry, which needs no
    /// `--service-url` when the KS is given (a session from a secret or an app token still
    /// opens through the API).
    fn options(&self, journal: PathBuf, apps_only: bool) -> Result<SubmitOptions, CliError> {
        let credentials = self.conn.credentials()?;
        let registry = self.registry.base()?;
        let url = match self.conn.service_url() {
            Ok(url) => url,
            // The journal records where the rows went: the App Registry.
            Err(_) if apps_only && !credentials.renewable() => registry.clone(),
            Err(_) if apps_only => {
                return Err(CliError::Usage(
                    "--service-url (or KALTURA_SERVICE_URL) is required to open a session with \
                     --admin-secret or an app token; App Registry apps alone need only --ks"
                        .into(),
                ));
            }
            Err(e) => return Err(e),
        };
        let mut opts = SubmitOptions::new(&url, credentials, journal);
        opts.batch_size = self.batch_size as usize;
        opts.concurrency = self.concurrency as usize;
        opts.retry = RetryPolicy {
            max_retries: self.retries,
            base_delay: Duration::from_millis(self.retry_delay_ms),
            ..RetryPolicy::default()
        };
        opts.timeout = Duration::from_secs(self.timeout.max(1));
        opts.resume = self.resume;
        opts.chunk_size = self.chunk_size as usize;
        opts.app_registry_url = Some(registry);
        Ok(opts)
    }
}

/// `name.ext` → `dir/name.ext.suffix`.
fn beside(path: &Path, dir: Option<&Path>, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into());
    let dir = dir
        .map(Path::to_path_buf)
        .or_else(|| path.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    dir.join(format!("{name}{suffix}"))
}

/// Runs `kbulk submit`.
pub fn run(args: &SubmitArgs) -> Result<Exit, CliError> {
    let journal_path = match (&args.journal, args.files.first()) {
        (Some(j), _) => j.clone(),
        (None, Some(first)) => beside(first, None, ".kbulk-journal"),
        (None, None) => {
            return Err(CliError::Usage(
                "give the files to submit (or, with --resume, the --journal to continue)".into(),
            ));
        }
    };
    if let Some(dir) = args.results_dir.as_deref().filter(|_| !args.dry_run) {
        // Made before anything is sent: a results file that cannot be written is found out
        // now, not after the rows are in Kaltura.
        std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir.display(), e))?;
    }
    let files = if args.files.is_empty() {
        if !args.resume || !journal_path.exists() {
            return Err(CliError::Usage(
                "no files given (only --resume with an existing --journal may omit them)".into(),
            ));
        }
        let j = Journal::open(&journal_path)
            .and_then(|j| j.inputs())
            .map_err(|e| CliError::Failed(format!("{}: {e}", journal_path.display())))?;
        j.into_iter().map(|i| i.path).collect()
    } else {
        args.files.clone()
    };
    if args.resume && !args.dry_run && !journal_path.exists() {
        // The journal is written before any request: without one nothing was sent.
        eprintln!(
            "no journal at {}: nothing was sent yet, so the submission starts afresh",
            journal_path.display()
        );
    }
    let mut read = kbulk::formats::ReadOptions::default();
    args.events.apply(&mut read);
    let mut checked = Vec::new();
    for f in &files {
        let name: Arc<str> = Arc::from(f.display().to_string());
        checked
            .push(preflight::check_with(f, name, &read).map_err(|e| CliError::io(f.display(), e))?);
    }
    let apps_only = checked.iter().all(|c| {
        c.records
            .iter()
            .all(|r| r.data.kind() == kbulk::record::RecordKind::App)
    }) && checked.iter().any(|c| !c.records.is_empty());
    let mut opts = args.options(journal_path, apps_only)?;
    if args.via == Via::Bulk
        && let Some(why) = checked
            .iter()
            .find_map(|c| engine::bulk::unsupported(c.report.detection.format))
    {
        return Err(CliError::Usage(why));
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let write_err = |e: io::Error| CliError::io("stdout", e);
    if let Some(exit) = report_check(&checked, args, &mut out).map_err(write_err)? {
        out.flush().map_err(write_err)?;
        return Ok(exit);
    }
    if args.via == Via::Bulk {
        if args.bulk.force {
            // The engine judges every row: the check's findings stay as warnings.
            checked.iter_mut().for_each(|c| c.refused.clear());
        }
        // This route rewrites the rows the engine would crash on (docs/bulk.md): the warning
        // about that crash does not apply to what is sent, so it stays out of the results.
        for c in &mut checked {
            c.report
                .diagnostics
                .retain(|d| d.code.name != "resource::lookup-crash");
        }
        if args.dry_run {
            return super::submit_bulk::dry_run(&checked, args, &mut out);
        }
        return super::submit_bulk::run(&checked, args, opts, &mut out);
    }
    if args.dry_run {
        let calls = engine::dry_run(&checked, &opts).map_err(submit_error)?;
        for (file, p) in &calls {
            for call in &p.calls {
                // References between the calls of a row read as the server sees them.
                let params = kbulk::submit::multirequest::encode_params(&call.params, 0);
                match args.format {
                    OutputFormat::Json => render::json_line(
                        &mut out,
                        &json!({"type": "call", "file": file.as_ref(), "row": p.row.row,
                                "wave": p.wave, "action": p.action, "service": call.service,
                                "call": call.action, "params": params}),
                    ),
                    OutputFormat::Human => writeln!(
                        out,
                        "wave {}  {file}:{}  {}  {}  {}",
                        p.wave,
                        p.row.row,
                        p.action,
                        call.name(),
                        serde_json::Value::Object(params)
                    ),
                }
                .map_err(write_err)?;
            }
        }
        if args.format == OutputFormat::Human {
            writeln!(out, "dry run: {} calls planned, nothing sent", calls.len())
                .map_err(write_err)?;
        }
        out.flush().map_err(write_err)?;
        return Ok(Exit::Clean);
    }
    let stop = interrupt::install();
    opts.stop = Some(Arc::clone(&stop));
    let bar = progress_bar(args);
    let submission = engine::submit(&checked, &opts, &mut |p: &Progress| {
        bar.set_length(p.total);
        bar.set_position(p.settled());
        bar.set_message(match p.phase {
            engine::Phase::LookingUp => "looking up".to_string(),
            engine::Phase::Uploading => "uploading files".to_string(),
            engine::Phase::Waiting => "waiting to retry".to_string(),
            _ => format!("{} failed", p.failed),
        });
    });
    bar.finish_and_clear();
    let submission = submission.map_err(submit_error)?;
    write_results(&checked, &submission, args, &mut out)?;
    out.flush().map_err(write_err)?;
    let (_, failed, unfinished) = submission.counts();
    if unfinished > 0 && stop.load(Ordering::SeqCst) {
        eprintln!(
            "interrupted: no new batch was sent, the batches in flight were recorded; run the \
             same command with --resume to finish"
        );
        return Ok(Exit::Interrupted);
    }
    Ok(if unfinished > 0 {
        Exit::Incomplete
    } else if failed > 0 {
        Exit::DataProblems
    } else {
        Exit::Clean
    })
}

pub(super) fn submit_error(e: engine::SubmitError) -> CliError {
    CliError::Submit(Box::new(e))
}

pub(super) fn progress_bar(args: &SubmitArgs) -> ProgressBar {
    if args.quiet || args.format == OutputFormat::Json || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {per_sec}  ETA {eta}  {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Prints what the check found; returns the exit code when the submission must not start.
fn report_check(
    checked: &[Checked],
    args: &SubmitArgs,
    out: &mut dyn Write,
) -> io::Result<Option<Exit>> {
    let handler = render::handler(args.color.enabled(io::stderr().is_terminal()));
    let mut stderr = io::stderr().lock();
    let (mut file_errors, mut row_errors, mut warnings) = (0usize, 0usize, 0usize);
    for c in checked {
        for d in &c.report.diagnostics {
            let blocking = preflight::blocks(d);
            if d.severity == Severity::Warning || (d.severity == Severity::Error && !blocking) {
                warnings += 1;
            }
            if !blocking {
                continue;
            }
            if d.row.is_some() {
                row_errors += 1;
            } else {
                file_errors += 1;
            }
            match args.format {
                OutputFormat::Json => render::json_line(out, &d.to_json())?,
                OutputFormat::Human => {
                    stderr.write_all(render::human(&handler, d, Some(&c.path)).as_bytes())?
                }
            }
        }
    }
    let refused: usize = checked.iter().map(|c| c.refused.len()).sum();
    if args.format == OutputFormat::Human && !args.quiet && warnings > 0 {
        writeln!(
            stderr,
            "note: {warnings} warnings (kbulk check shows them); they do not stop a submission"
        )?;
    }
    let forced = args.bulk.force && args.via == Via::Bulk;
    let stop = file_errors > 0 || (refused > 0 && !args.skip_invalid && !forced);
    if stop {
        let why = if file_errors > 0 {
            format!("{file_errors} file-level errors")
        } else {
            format!("{refused} rows have errors ({row_errors} findings)")
        };
        match args.format {
            OutputFormat::Json => render::json_line(
                out,
                &json!({"type": "summary", "submitted": false, "refused_rows": refused,
                        "file_errors": file_errors, "exit_code": Exit::DataProblems.code()}),
            )?,
            OutputFormat::Human => writeln!(
                stderr,
                "nothing was submitted: {why}; fix them{}",
                if file_errors > 0 {
                    ""
                } else if args.via == Via::Bulk {
                    ", or pass --skip-invalid to submit the other rows, or --force to let the \
                     engine judge them"
                } else {
                    ", or pass --skip-invalid to submit the other rows"
                }
            )?,
        }
        return Ok(Some(Exit::DataProblems));
    }
    Ok(None)
}

pub(super) fn write_results(
    checked: &[Checked],
    submission: &Submission,
    args: &SubmitArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let write_err = |e: io::Error| CliError::io("stdout", e);
    let mut written = Vec::new();
    for (c, outcome) in checked.iter().zip(&submission.inputs) {
        let path = beside(&c.path, args.results_dir.as_deref(), ".results.csv");
        let file = File::create(&path).map_err(|e| CliError::io(path.display(), e))?;
        results::write_csv(c, outcome, BufWriter::new(file))
            .map_err(|e| CliError::io(path.display(), e))?;
        if args.format == OutputFormat::Json {
            let mut warnings = results::row_warnings(c);
            for (row, r) in &outcome.rows {
                let mut line = JsonRow::new(&c.name, *row, r);
                line.warnings = warnings.remove(row).unwrap_or_default();
                render::json_line(out, &line).map_err(write_err)?;
            }
        }
        written.push(path);
    }
    let (done, failed, unfinished) = submission.counts();
    match args.format {
        OutputFormat::Json => render::json_line(
            out,
            &json!({"type": "summary", "submitted": true, "rows": done + failed + unfinished,
                    "done": done, "failed": failed, "unfinished": unfinished,
                    "results": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                    "exit_code": if unfinished > 0 { Exit::Incomplete.code() }
                                else if failed > 0 { Exit::DataProblems.code() } else { 0 }}),
        )
        .map_err(write_err)?,
        OutputFormat::Human => {
            if !args.quiet {
                for p in &written {
                    writeln!(out, "results: {}", p.display()).map_err(write_err)?;
                }
            }
            writeln!(
                out,
                "submitted {} rows: {done} done, {failed} failed, {unfinished} unfinished{}",
                done + failed + unfinished,
                if unfinished > 0 {
                    " (run again with --resume to finish)"
                } else {
                    ""
                }
            )
            .map_err(write_err)?;
        }
    }
    Ok(())
}

/// SIGINT and SIGTERM: the first sets the stop flag, the second exits at once (exit 130; the
/// journal is durable after every commit, so the run is still safe to resume).
pub(super) mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, OnceLock};

    static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();

    /// Installs the handlers (once) and returns the flag they set.
    pub fn install() -> Arc<AtomicBool> {
        let flag = Arc::clone(STOP.get_or_init(|| Arc::new(AtomicBool::new(false))));
        #[cfg(unix)]
        // SAFETY: the handler only touches atomics and calls `_exit`, both async-signal-safe.
        unsafe {
            let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
        flag
    }

    #[cfg(unix)]
    extern "C" fn on_signal(_: libc::c_int) {
        if let Some(flag) = STOP.get()
            && !flag.swap(true, Ordering::SeqCst)
        {
            return;
        }
        // SAFETY: `_exit` is async-signal-safe and skips destructors on purpose.
        unsafe { libc::_exit(130) }
    }
}
