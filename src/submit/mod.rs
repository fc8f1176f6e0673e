//! `kbulk submit`: parallel, resumable submission of checked records to the Kaltura API with no
//! lost and no duplicated row.
//!
//! The pieces, in the order a run meets them: [`preflight`] reads and checks the inputs;
//! [`auth`] opens a session; a [`plan::Planner`] per kind turns records into calls (lookups
//! first, then dependency waves); [`engine`] drives it on the [`exec::Executor`] (multirequests
//! of `batch_size`, `concurrency` in flight) with the [`retry`] policy, looking a task up before
//! re-sending it whenever its outcome is unknown; the [`journal`] records every row's state before
//! and after each request, so `resume` finishes a killed run; [`results`] writes Kaltura-shaped
//! logs. See `docs/submit.md`.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub mod auth;
pub mod bulk;
pub mod client;
pub mod engine;
pub mod exec;
pub mod export;
pub mod journal;
pub mod lookup;
pub mod multirequest;
mod outcome;
pub mod plan;
pub mod preflight;
pub mod registry;
pub mod results;
pub mod retry;
pub mod upload;

use auth::{AuthError, Credentials};
use client::Client;
use exec::Executor;
use journal::{Journal, Mark, RowEntry, RowId, RowState};
pub use outcome::{InputOutcome, RowResult, RowStatus, Submission};
use plan::{Item, Preview, Uploaded};
use preflight::Checked;
use retry::RetryPolicy;

/// How to submit.
#[derive(Debug, Clone)]
pub struct SubmitOptions {
    /// Kaltura's service URL (`https://www.kaltura.com`) or its `/api_v3` root.
    pub service_url: String,
    /// How to open a session.
    pub credentials: Credentials,
    /// Calls per multirequest (Kaltura's workers use 20).
    pub batch_size: usize,
    /// Multirequests in flight at once.
    pub concurrency: usize,
    /// Multirequests marked `sent` and queued per worker beyond those in flight (at least 1;
    /// default [`exec::QUEUED_PER_WORKER`]): how long a journal sync may take without a worker
    /// waiting for it, against how many rows a kill leaves in doubt.
    pub queued_per_worker: usize,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// Time allowed for one request, from connect to the last byte of the answer.
    pub timeout: Duration,
    /// The journal file.
    pub journal: PathBuf,
    /// Continue the run the journal records instead of starting one.
    pub resume: bool,
    /// Bytes per `uploadToken.upload` chunk of a local file.
    pub chunk_size: usize,
    /// The App Registry base URL (`.../api/v1`) apps are submitted to (`None`: the nvp1 region).
    pub app_registry_url: Option<String>,
    /// Set it (from a signal handler, another thread) to stop sending new batches: the batches
    /// in flight finish or time out and are recorded, and [`submit`] returns with the other rows
    /// unfinished, ready for `resume`.
    pub stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

/// The default chunk size of uploads (8 MiB).
pub const DEFAULT_CHUNK_SIZE: usize = 8 << 20;

impl SubmitOptions {
    /// Options with kbulk's defaults: batches of 20, 8 in flight, 1 s/2 s/4 s retries, 120 s per
    /// request.
    pub fn new(service_url: &str, credentials: Credentials, journal: PathBuf) -> Self {
        SubmitOptions {
            service_url: service_url.to_string(),
            credentials,
            batch_size: 20,
            concurrency: 8,
            queued_per_worker: exec::QUEUED_PER_WORKER,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(120),
            journal,
            resume: false,
            chunk_size: DEFAULT_CHUNK_SIZE,
            app_registry_url: None,
            stop: None,
        }
    }
}

/// What a run is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Opening the journal and the session.
    #[default]
    Starting,
    /// Uploading entries' local files.
    Uploading,
    /// Resolving names and checking what exists.
    LookingUp,
    /// Sending rows.
    Sending,
    /// Waiting before a retry.
    Waiting,
    /// All done.
    Finished,
}

/// Progress of a run, reported to the observer after every batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Rows in all inputs.
    pub total: u64,
    /// Rows done (this run or before).
    pub done: u64,
    /// Rows failed for good (refused rows included).
    pub failed: u64,
    /// Rows given up for this run (they stay for `--resume`).
    pub unfinished: u64,
    /// What the run is doing.
    pub phase: Phase,
}

impl Progress {
    /// Rows with a final answer.
    pub fn settled(&self) -> u64 {
        self.done + self.failed
    }
}

/// Why a run could not go on (data problems are row results, not errors).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SubmitError {
    /// The journal could not be read or written.
    #[error("journal: {0}")]
    #[diagnostic(
        code(kbulk::submit::journal),
        help(
            "to start over, delete the journal or pass --journal FILE for a new submission \
             (rows the old journal records as done may then be sent again)"
        )
    )]
    Journal(String),
    /// The journal belongs to another run.
    #[error("{0}")]
    #[diagnostic(
        code(kbulk::submit::journal_mismatch),
        help(
            "resume with exactly the files of the first run, unchanged, against the same service \
             URL; or pass --journal to start a new submission"
        )
    )]
    JournalMismatch(String),
    /// A journal already exists and `resume` was not asked for.
    #[error("the journal {0} already exists")]
    #[diagnostic(
        code(kbulk::submit::journal_exists),
        help("pass --resume to continue that submission, or --journal FILE to start a new one")
    )]
    JournalExists(String),
    /// No session could be opened.
    #[error("cannot open a session: {0}")]
    #[diagnostic(
        code(kbulk::submit::auth),
        help(
            "a refusal (wrong secret, unknown partner, no permission) is not retried: check \
             --partner-id and the secret or app token; a server that stayed unreachable was \
             retried with backoff (--retries, --retry-delay-ms)"
        )
    )]
    Auth(#[from] AuthError),
    /// The options make no sense.
    #[error("{0}")]
    #[diagnostic(code(kbulk::submit::config))]
    Config(String),
}

impl SubmitError {
    fn journal(e: rusqlite::Error) -> Self {
        SubmitError::Journal(e.to_string())
    }
}

/// How long a request left in flight by an interrupted run is given to land before its rows are
/// looked up. A killed process's last requests may still be on their way: one the server applies
/// after the resumed run looked its row up would be sent again and duplicated (the soak caught
/// this with entries, which the server does not deduplicate).
pub const IN_DOUBT_SETTLE: Duration = Duration::from_secs(2);

/// The wait before looking up rows in doubt whose last `sent` write was at `at` (Unix seconds,
/// whole: counted from the end of that second): [`IN_DOUBT_SETTLE`] after it, less what has
/// passed since.
fn settle_wait(at: i64, now: std::time::SystemTime) -> Duration {
    let written = std::time::UNIX_EPOCH + Duration::from_secs(at.max(0) as u64 + 1);
    (written + IN_DOUBT_SETTLE)
        .duration_since(now)
        .unwrap_or(Duration::ZERO)
}

/// kbulk's code for rows the pre-flight check refused.
pub const REFUSED: &str = "REFUSED";

fn connect(opts: &SubmitOptions) -> Result<(Executor, auth::Secret), SubmitError> {
    if opts.batch_size == 0 || opts.concurrency == 0 {
        return Err(SubmitError::Config(
            "batch size and concurrency must be at least 1".into(),
        ));
    }
    let client = Client::new(&opts.service_url, opts.timeout).map_err(SubmitError::Config)?;
    let ks = opts
        .credentials
        .session_with_retry(&client, &opts.retry, &std::thread::sleep)?;
    let base = match &opts.app_registry_url {
        Some(u) => u.clone(),
        None => registry::region_url(registry::REGIONS[0]).unwrap_or_default(),
    };
    let apps = registry::Registry::new(&base, opts.timeout).map_err(SubmitError::Config)?;
    Ok((
        Executor::new(client, opts.batch_size, opts.concurrency)
            .with_queue(opts.queued_per_worker)
            .with_registry(apps),
        ks,
    ))
}

/// Opens the journal and reconciles it with the inputs; returns the journal id of each input.
fn open_journal(
    inputs: &[Checked],
    opts: &SubmitOptions,
    api_url: &str,
) -> Result<(Journal, Vec<u32>), SubmitError> {
    let shown = opts.journal.display().to_string();
    let unreadable = |e: rusqlite::Error| SubmitError::Journal(format!("{shown}: {e}"));
    if !opts.journal.exists() {
        // No journal means nothing was ever sent (it is written before any request), so a
        // resume without one simply starts afresh.
        let rows: Vec<_> = inputs
            .iter()
            .map(|c| (c.path.as_path(), c.sha256.as_str(), c.row_ids().collect()))
            .collect();
        let journal = Journal::create(&opts.journal, &[("service_url", api_url)], &rows)
            .map_err(unreadable)?;
        return finish_journal(journal, inputs, true);
    }
    if !opts.resume {
        return Err(SubmitError::JournalExists(shown));
    }
    let journal = Journal::open(&opts.journal).map_err(unreadable)?;
    let registered = journal.inputs().map_err(unreadable)?;
    if registered.is_empty() {
        return Err(SubmitError::Journal(format!(
            "{shown} records no submission (it was left by an interrupted older run)"
        )));
    }
    match journal.meta("service_url").map_err(unreadable)? {
        Some(url) if url != api_url => {
            return Err(SubmitError::JournalMismatch(format!(
                "the journal {shown} records a submission to {url}, not {api_url}"
            )));
        }
        Some(_) => {}
        None => journal
            .set_meta("service_url", api_url)
            .map_err(unreadable)?,
    }
    for c in inputs {
        if !registered.iter().any(|r| r.sha256 == c.sha256) {
            return Err(SubmitError::JournalMismatch(format!(
                "{} is not part of the submission the journal {shown} records (or it changed \
                 since)",
                c.name
            )));
        }
    }
    if let Some(missing) = registered
        .iter()
        .find(|r| !inputs.iter().any(|c| c.sha256 == r.sha256))
    {
        return Err(SubmitError::JournalMismatch(format!(
            "the journal {shown} also records {}, which is not given",
            missing.path.display()
        )));
    }
    finish_journal(journal, inputs, false)
}

/// Each input's row results as the journal records them (`ids`: the inputs' journal ids).
fn outcomes(
    journal: &Journal,
    inputs: &[Checked],
    ids: &[u32],
) -> Result<Vec<InputOutcome>, SubmitError> {
    let entries = journal.rows().map_err(SubmitError::journal)?;
    let mut outcomes: Vec<InputOutcome> = inputs
        .iter()
        .map(|c| InputOutcome {
            name: c.name.clone(),
            rows: BTreeMap::new(),
        })
        .collect();
    for e in &entries {
        if let Some(pos) = ids.iter().position(|&i| i == e.id.input) {
            outcomes[pos].rows.insert(e.id.row, RowResult::from(e));
        }
    }
    Ok(outcomes)
}

/// Finds the inputs' ids in a complete journal and marks refused rows failed. A `fresh` journal
/// (just created by [`Journal::create`]) already holds every input, as ids 1, 2, ..., and every
/// row, planned.
fn finish_journal(
    mut journal: Journal,
    inputs: &[Checked],
    fresh: bool,
) -> Result<(Journal, Vec<u32>), SubmitError> {
    let mut ids = Vec::new();
    for (n, c) in inputs.iter().enumerate() {
        if fresh {
            ids.push(n as u32 + 1);
            continue;
        }
        let id = journal
            .add_input(&c.path, &c.sha256)
            .map_err(SubmitError::journal)?;
        let rows: Vec<RowId> = c.row_ids().map(|row| RowId { input: id, row }).collect();
        journal.add_rows(&rows).map_err(SubmitError::journal)?;
        ids.push(id);
    }
    let current: BTreeMap<RowId, RowState> = if fresh {
        BTreeMap::new()
    } else {
        journal
            .rows()
            .map_err(SubmitError::journal)?
            .into_iter()
            .map(|e| (e.id, e.state))
            .collect()
    };
    let mut marks = Vec::new();
    for (c, &id) in inputs.iter().zip(&ids) {
        for (&row, why) in &c.refused {
            let rid = RowId { input: id, row };
            if fresh || current.get(&rid) == Some(&RowState::Planned) {
                marks.push((
                    rid,
                    Mark::Failed {
                        action: None,
                        error: why.clone(),
                        code: Some(REFUSED.into()),
                        retryable: false,
                    },
                ));
            }
        }
    }
    journal.apply(&marks).map_err(SubmitError::journal)?;
    Ok((journal, ids))
}

/// The local file an entry's content comes from, if any.
fn local_file(record: &crate::record::Record) -> Option<&str> {
    let crate::record::RecordData::Entry(e) = &record.data else {
        return None;
    };
    e.content_resources().find_map(|r| match r {
        crate::record::entry::Resource::LocalFile { path } => Some(path.as_str()),
        _ => None,
    })
}

/// The rows to submit (with what `prior` says of them) and the uploads of their local files
/// (with what `journal`, if there is one yet, says of them).
fn gather(
    inputs: &[Checked],
    ids: &[u32],
    prior: &BTreeMap<RowId, RowEntry>,
    journal: Option<&Journal>,
) -> Result<(Vec<Item>, Vec<upload::Job>), SubmitError> {
    let mut items = Vec::new();
    let mut uploads = Vec::new();
    for (c, &input) in inputs.iter().zip(ids) {
        for record in c.submittable() {
            let id = RowId {
                input,
                row: record.origin.row,
            };
            let prior = prior.get(&id).cloned();
            match prior.as_ref().map(|p| p.state) {
                Some(RowState::Failed) => continue,
                Some(RowState::Done) => {}
                _ => {
                    if let Some(path) = local_file(record) {
                        let dir = c.path.parent().map(PathBuf::from).unwrap_or_default();
                        let prior = match journal {
                            Some(j) => j.upload(id).map_err(SubmitError::journal)?,
                            None => None,
                        };
                        uploads.push(upload::Job {
                            row: id,
                            path: dir.join(path),
                            prior,
                        });
                    }
                }
            }
            items.push(Item {
                id,
                record: record.clone(),
                prior,
                upload: None,
            });
        }
    }
    Ok((items, uploads))
}

/// Submits the checked inputs (refused rows are journaled and reported, never sent). `observer`
/// receives progress after every batch. Returns every row's result; rows not finished (in doubt,
/// or given up after transient failures) are [`RowStatus::Unfinished`] and a later run with
/// `resume` continues them.
pub fn submit(
    inputs: &[Checked],
    opts: &SubmitOptions,
    observer: &mut dyn FnMut(&Progress),
) -> Result<Submission, SubmitError> {
    // Authenticate first: bad credentials must not leave a journal behind.
    let (exec, ks) = connect(opts)?;
    let api_url = exec.client().api_url();
    let (mut journal, ids, mut items, uploads, mut planners, first_found, mut progress);
    if opts.journal.exists() {
        (journal, ids) = open_journal(inputs, opts, api_url)?;
        if journal.route().map_err(SubmitError::journal)? == "bulk" {
            return Err(SubmitError::JournalMismatch(format!(
                "the journal {} records a submission --via bulk: resume it --via bulk",
                opts.journal.display()
            )));
        }
        if let Some(at) = journal.last_sent_at().map_err(SubmitError::journal)? {
            std::thread::sleep(settle_wait(at, std::time::SystemTime::now()));
        }
        let prior: BTreeMap<RowId, RowEntry> = journal
            .rows()
            .map_err(SubmitError::journal)?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        progress = Progress {
            total: prior.len() as u64,
            ..Progress::default()
        };
        for e in prior.values() {
            match e.state {
                RowState::Done => progress.done += 1,
                RowState::Failed => progress.failed += 1,
                _ => {}
            }
        }
        (items, uploads) = gather(inputs, &ids, &prior, Some(&journal))?;
        planners = Vec::new();
        first_found = None;
    } else {
        // A new submission: every row is planned, the refused ones failed. Nothing has been
        // written to the server, and nothing will be before the journal exists; building it
        // (and syncing it to disk) overlaps gathering the rows and the first kind's lookups,
        // which only read.
        ids = (1..=inputs.len() as u32).collect::<Vec<_>>();
        progress = Progress {
            total: inputs.iter().map(|c| c.row_ids().count() as u64).sum(),
            failed: inputs.iter().map(|c| c.refused.len() as u64).sum(),
            ..Progress::default()
        };
        (items, uploads) = gather(inputs, &ids, &BTreeMap::new(), None)?;
        if uploads.is_empty() {
            let created;
            (created, planners, first_found) = std::thread::scope(|scope| {
                let create = scope.spawn(|| open_journal(inputs, opts, api_url));
                let mut planners = plan::planners(std::mem::take(&mut items));
                let found = planners
                    .first_mut()
                    .map(|p| lookup::find(&exec, &ks, &p.keys(), &opts.retry, &std::thread::sleep));
                let created = create.join().unwrap_or_else(|_| {
                    Err(SubmitError::Journal("creating the journal failed".into()))
                });
                (created, planners, found)
            });
            (journal, _) = created?;
        } else {
            (journal, _) = open_journal(inputs, opts, api_url)?;
            planners = Vec::new();
            first_found = None;
        }
    }
    observer(&progress);
    if !uploads.is_empty() {
        progress.phase = Phase::Uploading;
        observer(&progress);
        let uploader = upload::Uploader {
            client: exec.client(),
            ks: &ks,
            chunk_size: opts.chunk_size,
            concurrency: opts.concurrency,
            retry: &opts.retry,
            sleep: &std::thread::sleep,
        };
        let mut done = uploader
            .run(&mut journal, uploads)
            .map_err(SubmitError::journal)?;
        for item in &mut items {
            item.upload = done.remove(&item.id);
        }
    }
    if planners.is_empty() {
        planners = plan::planners(items);
    }
    if planners.iter().any(|p| p.rows() > 0) {
        let mut engine = engine::Engine {
            exec: &exec,
            ks,
            credentials: &opts.credentials,
            journal: &mut journal,
            retry: &opts.retry,
            sleep: &std::thread::sleep,
            stop: opts.stop.as_deref(),
            progress,
            observer,
        };
        let mut first_found = first_found;
        for p in &mut planners {
            if engine.stopped() {
                break;
            }
            engine.drive_found(p.as_mut(), first_found.take())?;
        }
        progress = engine.progress.clone();
    }
    progress.phase = Phase::Finished;
    let outcomes = outcomes(&journal, inputs, &ids)?;
    let submission = Submission {
        inputs: outcomes,
        progress,
    };
    let (done, failed, unfinished) = submission.counts();
    let mut progress = submission.progress.clone();
    (progress.done, progress.failed, progress.unfinished) = (done, failed, unfinished);
    observer(&progress);
    Ok(Submission {
        progress,
        ..submission
    })
}

/// The calls a submission of `inputs` would make, without writing anything: a session is opened
/// and read-only lookups resolve names, nothing else is sent and no journal is written.
pub fn dry_run(
    inputs: &[Checked],
    opts: &SubmitOptions,
) -> Result<Vec<(Arc<str>, Preview)>, SubmitError> {
    let mut items = Vec::new();
    for (n, c) in inputs.iter().enumerate() {
        for record in c.submittable() {
            items.push(Item {
                id: RowId {
                    input: n as u32,
                    row: record.origin.row,
                },
                record: record.clone(),
                prior: None,
                // A dry run uploads nothing: the token is named after the file.
                upload: local_file(record).map(|p| Uploaded::Token(format!("{{upload of {p}}}"))),
            });
        }
    }
    let mut planners = plan::planners(items);
    if planners.iter().all(|p| p.rows() == 0) {
        return Ok(Vec::new());
    }
    let (exec, ks) = connect(opts)?;
    let mut out = Vec::new();
    for p in &mut planners {
        let found = lookup::find(&exec, &ks, &p.keys(), &opts.retry, &std::thread::sleep);
        p.absorb(&found);
        for preview in p.preview() {
            let name = inputs[preview.row.input as usize].name.clone();
            out.push((name, preview));
        }
    }
    Ok(out)
}
