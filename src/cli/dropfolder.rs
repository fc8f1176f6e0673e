//! `kbulk dropfolder`: sits in front of a Kaltura drop folder, handing over only files that are
//! fixed, checked and split, and rejecting the rest with their reports.
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kbulk::diag::JsonKind;
use kbulk::dropfolder::run::{DropFolder, Event, Options, Summary};
use kbulk::formats::{self, ReadOptions};
use kbulk::stream::{JsonDropSummary, JsonEvent};

use super::check::EventArgs;
use super::progress;
use super::render::{self, OutputFormat};
use super::{CliError, Exit};

/// Options of `kbulk dropfolder`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Each settled file in INBOX is fixed (as `kbulk fix`), checked (as `kbulk check`), split over \
--max-records into STEM.part001.EXT, … and handed over to OUTBOX atomically (hidden temporary, \
fsync, rename, directory fsync); the original then moves to --archive. Files with errors go to \
--rejected with NAME.report.txt and NAME.report.jsonl. A drop-folder XML's media are handed over \
before it. State (INBOX/.kbulk/state.sqlite) keys files by content: the same content is handed \
over once, and a restart after a crash finishes every file exactly once.

Exit codes (--once): 0 every file handed over, 1 some rejected, 2 usage or I/O error.

Examples:
  kbulk dropfolder /srv/inbox --to /srv/kaltura-drop --once
  kbulk dropfolder /srv/inbox --to /srv/kaltura-drop --settle 10 --format json")]
pub struct DropFolderArgs {
    /// The folder files arrive in.
    #[arg(value_name = "INBOX")]
    pub inbox: PathBuf,
    /// The folder Kaltura watches.
    #[arg(long, value_name = "OUTBOX")]
    pub to: PathBuf,
    /// Where rejected files and their reports go (default: `rejected` beside OUTBOX).
    #[arg(long, value_name = "DIR")]
    pub rejected: Option<PathBuf>,
    /// Where originals go once handed over (default: INBOX/.kbulk/archive).
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// Process what is there and exit.
    #[arg(long)]
    pub once: bool,
    /// Seconds a file's size and mtime must stay unchanged before it is claimed.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub settle: f64,
    /// Records per handed-over piece (0: never split).
    #[arg(long, value_name = "N", default_value_t = formats::DEFAULT_MAX_RECORDS)]
    pub max_records: u64,
    /// Scan the folder every second instead of waiting for file-system events (network mounts,
    /// where inotify sees no changes made by other machines). Without it, kbulk wakes on events
    /// and still rescans every 30 s in case one was missed.
    #[arg(long)]
    pub poll: bool,
    /// In watch mode, seconds an XML waits for the media it names (`filePath`) before it is
    /// rejected as missing them (with --once, absent media are missing at once).
    #[arg(long, value_name = "SECS", default_value_t = kbulk::dropfolder::run::MEDIA_TIMEOUT.as_secs())]
    pub media_timeout: u64,
    /// Output: `human` (one line per file) or `json` (one object per event and a summary, in the
    /// stream schema of `kbulk schema diagnostic`).
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Options for schedule events.
    #[command(flatten)]
    pub events: EventArgs,
}

/// The human output: one line per file, printed when the file ends (handed over, rejected or
/// duplicate) and listing its steps: `NAME: fixed N (codes), split into K, handed over (…)`.
#[derive(Default)]
struct Lines {
    /// Steps seen so far per file not yet ended.
    steps: std::collections::HashMap<String, Vec<String>>,
}

impl Lines {
    /// The file's line when `e` ends it.
    fn on(&mut self, e: &Event) -> Option<String> {
        let (file, step, ends) = match e {
            Event::Claimed { file } => {
                // A file claimed again (an XML waiting for its media) starts over.
                self.steps.insert(file.clone(), Vec::new());
                return None;
            }
            Event::Fixed { file, repairs } => {
                let left = repairs.iter().filter(|r| *r == "fix::left-alone").count();
                let made: Vec<&str> = repairs
                    .iter()
                    .map(String::as_str)
                    .filter(|r| *r != "fix::left-alone")
                    .collect();
                let mut step = format!("fixed {} ({})", made.len(), made.join(", "));
                if left > 0 {
                    step.push_str(&format!(", {left} left alone (see kbulk fix)"));
                }
                (file, step, false)
            }
            Event::Split { file, pieces } => (file, format!("split into {pieces}"), false),
            Event::HandedOver { file, outputs } => {
                (file, format!("handed over ({})", outputs.join(", ")), true)
            }
            Event::Rejected {
                file,
                errors,
                first,
            } => (
                file,
                format!("rejected, {errors} error(s), first {first} (see {file}.report.txt)"),
                true,
            ),
            Event::Duplicate { file, of } => (file, format!("duplicate of {of}, archived"), true),
        };
        let steps = self.steps.entry(file.clone()).or_default();
        steps.push(step);
        if !ends {
            return None;
        }
        let steps = self.steps.remove(file).unwrap_or_default();
        Some(format!("{file}: {}", steps.join(", ")))
    }
}

/// Runs `kbulk dropfolder`.
pub fn run(args: &DropFolderArgs) -> Result<Exit, CliError> {
    if !args.inbox.is_dir() {
        return Err(CliError::Usage(format!(
            "{}: not a folder",
            args.inbox.display()
        )));
    }
    if !args.settle.is_finite() || args.settle < 0.0 {
        return Err(CliError::Usage(
            "--settle takes a number of seconds >= 0".into(),
        ));
    }
    let rejected = args.rejected.clone().unwrap_or_else(|| {
        args.to
            .parent()
            .map_or_else(|| PathBuf::from("rejected"), |p| p.join("rejected"))
    });
    let mut read = ReadOptions::default();
    args.events.apply(&mut read);
    let opts = Options {
        inbox: args.inbox.clone(),
        outbox: args.to.clone(),
        rejected,
        archive: args
            .archive
            .clone()
            .unwrap_or_else(|| args.inbox.join(".kbulk").join("archive")),
        settle: Duration::from_secs_f64(args.settle),
        max_records: args.max_records,
        read,
        once: args.once,
        media_timeout: Duration::from_secs(args.media_timeout),
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, stop.clone())
            .map_err(|e| CliError::Failed(format!("cannot handle signals: {e}")))?;
    }
    let folder = DropFolder::open(&opts, &stop).map_err(|e| CliError::Failed(e.to_string()))?;
    let json = args.format == OutputFormat::Json;
    let bar = progress::files_bar(!json, args.once.then(|| waiting_files(&args.inbox)));
    let mut print_err = None;
    let mut lines = Lines::default();
    let mut on = |e: &Event| {
        match e {
            Event::Claimed { file } => bar.set_message(file.clone()),
            Event::HandedOver { .. } | Event::Rejected { .. } | Event::Duplicate { .. } => {
                bar.inc(1)
            }
            Event::Fixed { .. } | Event::Split { .. } => {}
        }
        let mut out = io::stdout().lock();
        let r = if json {
            render::json_line(&mut out, &JsonEvent::new(e.clone()))
        } else {
            match lines.on(e) {
                Some(line) => bar.suspend(|| writeln!(out, "{line}")),
                None => Ok(()),
            }
        };
        if let Err(e) = r.and_then(|_| out.flush()) {
            print_err.get_or_insert(e);
        }
    };
    let waker = if args.once || args.poll {
        None
    } else {
        Some(Waker::watch(&args.inbox)?)
    };
    let mut total = Summary::default();
    loop {
        let s = folder
            .pass(&mut on)
            .map_err(|e| CliError::Failed(e.to_string()))?;
        total.handed_over += s.handed_over;
        total.rejected += s.rejected;
        total.duplicates += s.duplicates;
        if args.once || stop.load(Ordering::SeqCst) {
            break;
        }
        match &waker {
            Some(w) => w.wait(&stop),
            None => std::thread::sleep(Duration::from_secs(1)),
        }
    }
    bar.finish_and_clear();
    if let Some(e) = print_err {
        return Err(CliError::io("stdout", e));
    }
    let exit = if total.rejected > 0 {
        Exit::DataProblems
    } else {
        Exit::Clean
    };
    let mut out = io::stdout().lock();
    let w = if json {
        render::json_line(
            &mut out,
            &JsonDropSummary {
                kind: JsonKind::Summary,
                handed_over: total.handed_over,
                rejected: total.rejected,
                duplicates: total.duplicates,
                exit_code: exit.code(),
            },
        )
    } else {
        writeln!(
            out,
            "dropfolder: {} handed over, {} rejected, {} duplicate(s)",
            total.handed_over, total.rejected, total.duplicates
        )
    };
    w.map_err(|e| CliError::io("stdout", e))?;
    Ok(exit)
}

/// The files waiting in INBOX (not hidden, not kbulk's own folder): the length of a `--once`
/// bar. Media that go with an XML are counted too, so the bar may end before its length.
fn waiting_files(inbox: &std::path::Path) -> u64 {
    std::fs::read_dir(inbox)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .count() as u64
        })
        .unwrap_or(0)
}

/// Wakes the watch loop when something changes in INBOX (inotify through `notify`).
struct Waker {
    _watcher: notify::RecommendedWatcher,
    events: std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
}

/// How long the watch loop sleeps without an event before it rescans anyway.
const RESCAN: Duration = Duration::from_secs(30);

impl Waker {
    fn watch(inbox: &std::path::Path) -> Result<Waker, CliError> {
        use notify::Watcher;
        let (tx, events) = std::sync::mpsc::channel();
        let fail = |e: notify::Error| {
            CliError::Failed(format!(
                "{}: cannot watch the folder ({e}); use --poll to scan it instead",
                inbox.display()
            ))
        };
        let mut watcher = notify::recommended_watcher(tx).map_err(fail)?;
        watcher
            .watch(inbox, notify::RecursiveMode::NonRecursive)
            .map_err(fail)?;
        Ok(Waker {
            _watcher: watcher,
            events,
        })
    }

    /// Returns when an event arrived (after draining the burst), when `stop` is set, or after
    /// [`RESCAN`].
    fn wait(&self, stop: &AtomicBool) {
        let start = std::time::Instant::now();
        while start.elapsed() < RESCAN && !stop.load(Ordering::SeqCst) {
            match self.events.recv_timeout(Duration::from_millis(200)) {
                Ok(_) => {
                    while self.events.try_recv().is_ok() {}
                    return;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(Duration::from_secs(1));
                    return;
                }
            }
        }
    }
}
