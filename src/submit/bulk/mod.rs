//! `kbulk submit --via bulk`: hands the rows to Kaltura's own bulk-upload engine instead of
//! calling the API row by row. Each input is cut into pieces (server-side jobs) of at most
//! `maxRecords` rows in dependency order and rewritten so the engine never meets its documented
//! crashes ([`resource`]); each piece is journaled, started, polled with backoff until its job
//! ends, and its log read back ([`log`]) into the same row results as the direct route, rows the
//! engine never reported included. A killed run resumes by polling the jobs it started, never by
//! starting them again; rows of a job that failed as a whole are re-sent by `resume`.
//!
//! Supported: schedule-resource CSV, schedule-event CSV and entry CSV ([`event`]) and iCal
//! ([`ical`]). Other formats are refused with [`unsupported`].
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub mod dry;
pub mod event;
pub mod ical;
pub mod jobs;
pub mod journal;
pub mod log;
mod parents;
pub mod resource;
mod resource_route;

use super::journal::{Mark, RowId, RowState};
use super::multirequest::Call;
use super::preflight::Checked;
use super::{Phase, Progress, Submission, SubmitError, SubmitOptions, connect, open_journal};
use crate::formats::Format;
use jobs::{JobError, JobKind, Jobs};
use journal::{Piece, PiecePlan, PieceState};

/// Options of the bulk route.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Rows per job (Kaltura's shipped `maxRecords`: 1000).
    pub max_records: u64,
    /// First wait between two polls of a job; it grows by half each poll.
    pub poll_min: Duration,
    /// Longest wait between two polls.
    pub poll_max: Duration,
    /// How long one job may take before kbulk stops waiting (the rows stay for `resume`).
    pub job_timeout: Duration,
    /// A test hook: wait this long at this point of a piece's start (said in a note first), so
    /// a test can kill the process exactly there. `None` in normal use.
    pub pause: Option<(PausePoint, Duration)>,
}

/// Where [`BulkOptions::pause`] waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PausePoint {
    /// After the piece (and its rows as sent) is journaled, before its start request leaves.
    Journaled,
    /// After the server answered the start, before the job id is journaled.
    Started,
}

impl PausePoint {
    /// The hook's spelling (`journaled`, `started`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "journaled" => Some(PausePoint::Journaled),
            "started" => Some(PausePoint::Started),
            _ => None,
        }
    }
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            max_records: 1000,
            poll_min: Duration::from_millis(500),
            poll_max: Duration::from_secs(10),
            job_timeout: Duration::from_secs(3600),
            pause: None,
        }
    }
}

/// What the route tells its observer.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Rows settled so far (a job's handled rows count as they are reported).
    Progress(Progress),
    /// A rewrite, a job that started, ended or is given up: one sentence for the user.
    Note(String),
}

/// Why a format cannot take the bulk route (`None`: it can).
pub fn unsupported(format: Option<Format>) -> Option<String> {
    let name = match format {
        Some(Format::ResourceCsv | Format::EventCsv | Format::EntryCsv | Format::Ical) => {
            return None;
        }
        Some(f) => f.as_str(),
        None => "an unknown format",
    };
    Some(format!(
        "--via bulk supports schedule-resource CSV, schedule-event CSV, entry CSV and iCal only; \
         {name} is not supported on this route yet (submit it --via api)"
    ))
}

/// Codes kbulk writes on rows of this route.
pub mod codes {
    /// The engine reported nothing for the row (kaltura-formats §9.4).
    pub const NO_RESULT: &str = "NO_RESULT";
    /// kbulk did not send the row: the engine would fail (or crash) on it.
    pub const NOT_SENT: &str = "KBULK_NOT_SENT";
    /// The job failed as a whole before reporting the row.
    pub const JOB_FAILED: &str = "BULK_JOB_FAILED";
}

/// How a piece ended.
enum End {
    /// Its job ended and every row is journaled.
    Closed,
    /// Its job failed as a whole.
    Failed,
    /// kbulk stopped waiting (interrupted, timed out, the server unreachable): resume polls.
    Open,
}

struct Route<'a, 'o> {
    jobs: Jobs<'a>,
    opts: &'a SubmitOptions,
    bulk: &'a BulkOptions,
    journal: &'a mut super::journal::Journal,
    observer: &'o mut dyn FnMut(Event),
    progress: Progress,
}

/// Submits `inputs` through the bulk engine (see the module doc). Returns every row's result.
pub fn submit(
    inputs: &[Checked],
    opts: &SubmitOptions,
    bulk: &BulkOptions,
    observer: &mut dyn FnMut(Event),
) -> Result<Submission, SubmitError> {
    if let Some(why) = inputs
        .iter()
        .find_map(|c| unsupported(c.report.detection.format))
    {
        return Err(SubmitError::Config(why));
    }
    let (exec, ks) = connect(opts)?;
    let client = exec.client().clone();
    let fresh = !opts.journal.exists();
    let (mut journal, ids) = open_journal(inputs, opts, client.api_url())?;
    let shown = opts.journal.display().to_string();
    if fresh {
        journal
            .set_meta("route", "bulk")
            .map_err(SubmitError::journal)?;
    } else if journal.route().map_err(SubmitError::journal)? != "bulk" {
        return Err(SubmitError::JournalMismatch(format!(
            "the journal {shown} records a submission --via api: resume it --via api"
        )));
    }
    let tag = journal.bulk_tag().map_err(SubmitError::journal)?;
    let mut route = Route {
        jobs: Jobs {
            client: &client,
            ks: &ks,
            retry: &opts.retry,
            sleep: &std::thread::sleep,
        },
        opts,
        bulk,
        journal: &mut journal,
        observer,
        progress: Progress::default(),
    };
    route.count()?;
    let mut halted = false;
    // First the jobs an earlier run started: polled, never started again.
    for piece in route.journal.pieces().map_err(SubmitError::journal)? {
        if piece.state == PieceState::Closed {
            continue;
        }
        if !matches!(route.run(piece, true)?, End::Closed) {
            halted = true;
            break;
        }
    }
    if !halted {
        'inputs: for (c, &input) in inputs.iter().zip(&ids) {
            if c.report.detection.format == Some(Format::Ical) {
                if !route.ical_input(c, input, &tag)? {
                    break 'inputs;
                }
                continue;
            }
            let csv_kind = match c.report.detection.format {
                Some(Format::EventCsv) => Some(JobKind::ScheduleEventCsv),
                Some(Format::EntryCsv) => Some(JobKind::EntryCsv),
                _ => None,
            };
            if let Some(kind) = csv_kind {
                if !route.csv_input(c, input, &tag, kind)? {
                    break 'inputs;
                }
                continue;
            }
            if !route.resource_input(c, input, &tag)? {
                break 'inputs;
            }
        }
    }
    let outcomes = super::outcomes(&journal, inputs, &ids)?;
    let mut submission = Submission {
        inputs: outcomes,
        progress: Progress::default(),
    };
    let (done, failed, unfinished) = submission.counts();
    submission.progress = Progress {
        total: done + failed + unfinished,
        done,
        failed,
        unfinished,
        phase: Phase::Finished,
    };
    observer(Event::Progress(submission.progress.clone()));
    Ok(submission)
}

impl Route<'_, '_> {
    fn stopped(&self) -> bool {
        self.opts
            .stop
            .as_deref()
            .is_some_and(|s| s.load(Ordering::SeqCst))
    }

    fn note(&mut self, text: String) {
        (self.observer)(Event::Note(text));
    }

    /// The test hook of [`BulkOptions::pause`].
    fn pause_at(&mut self, at: PausePoint, file_name: &str) {
        if let Some((point, wait)) = self.bulk.pause
            && point == at
        {
            self.note(format!(
                "test pause: {} ms at {at:?} of {file_name}",
                wait.as_millis()
            ));
            (self.jobs.sleep)(wait);
        }
    }

    /// Recounts settled rows from the journal and reports them.
    fn count(&mut self) -> Result<(), SubmitError> {
        let rows = self.journal.rows().map_err(SubmitError::journal)?;
        self.progress.total = rows.len() as u64;
        self.progress.done = rows.iter().filter(|r| r.state == RowState::Done).count() as u64;
        self.progress.failed = rows.iter().filter(|r| r.state == RowState::Failed).count() as u64;
        self.progress.phase = Phase::Sending;
        (self.observer)(Event::Progress(self.progress.clone()));
        Ok(())
    }

    /// Each row's state (and whether a failure may be retried) for one input.
    fn states(&self, input: u32) -> Result<HashMap<u64, (RowState, bool)>, SubmitError> {
        Ok(self
            .journal
            .rows()
            .map_err(SubmitError::journal)?
            .into_iter()
            .filter(|e| e.id.input == input)
            .map(|e| (e.id.row, (e.state, e.retryable)))
            .collect())
    }

    /// The objects of `service` whose `field` (an `…In` filter of `filter_type`) is one of
    /// `values`: 100 values per call, one page of up to 500 objects each.
    fn list_in(
        &self,
        service: &str,
        filter_type: &str,
        field: &str,
        values: &[&str],
    ) -> Result<Vec<Value>, jobs::JobError> {
        let mut objects = Vec::new();
        for chunk in values.chunks(100) {
            let call = Call::new(service, "list")
                .with(
                    "filter",
                    json!({"objectType": filter_type, field: chunk.join(",")}),
                )
                .with(
                    "pager",
                    json!({"objectType": "KalturaFilterPager", "pageSize": 500}),
                );
            let mut listed = self.jobs.read(&call)?;
            if let Value::Array(a) = listed["objects"].take() {
                objects.extend(a);
            }
        }
        Ok(objects)
    }

    /// Starts (or adopts) the piece's job, polls it to its end and journals its rows;
    /// `resumed`: the piece comes from an earlier run, which may have started its job.
    fn run(&mut self, piece: Piece, resumed: bool) -> Result<End, SubmitError> {
        let plan = &piece.plan;
        let id = match piece.job_id {
            Some(id) => id,
            None => {
                let look_first = resumed && piece.state == PieceState::Starting;
                self.pause_at(PausePoint::Journaled, &plan.file_name);
                let started =
                    self.jobs
                        .start(plan.job, &plan.file_name, plan.body.as_bytes(), look_first);
                if started.is_ok() {
                    self.pause_at(PausePoint::Started, &plan.file_name);
                }
                match started {
                    Ok(job) => {
                        let id = job["id"].as_i64().unwrap_or_default();
                        self.journal
                            .set_piece(piece.seq, Some(id), PieceState::Running)
                            .map_err(SubmitError::journal)?;
                        self.note(format!(
                            "job {id} started: {} rows (rows {}-{} of the input) as {}",
                            plan.rows.len(),
                            plan.rows.first().map_or(0, |r| r.row),
                            plan.rows.last().map_or(0, |r| r.row),
                            plan.file_name,
                        ));
                        id
                    }
                    Err(JobError::Api(e)) => {
                        let marks = self.marks(plan, |_| Mark::Failed {
                            action: None,
                            error: format!("the server refused the job: {}", e.message),
                            code: Some(e.code.clone()),
                            retryable: false,
                        });
                        return self.close(piece.seq, None, &marks, End::Closed);
                    }
                    Err(JobError::Transport(f)) => {
                        self.note(format!(
                            "{}: the job could not be started ({f}); run again with --resume",
                            plan.file_name
                        ));
                        return Ok(End::Open);
                    }
                }
            }
        };
        let Some(job) = self.poll(id, plan.rows.len() as u64)? else {
            return Ok(End::Open);
        };
        self.finish(&piece, id, &job)
    }

    /// Polls job `id` with backoff until it ends; `None` when kbulk stops waiting.
    fn poll(&mut self, id: i64, rows: u64) -> Result<Option<Value>, SubmitError> {
        let started = Instant::now();
        let mut wait = self.bulk.poll_min;
        let mut failures = 0;
        let mut last = -1;
        let base = self.progress.clone();
        loop {
            match self.jobs.get(id) {
                Ok(job) => {
                    failures = 0;
                    let status = job["status"].as_i64().unwrap_or(0);
                    if status != last {
                        last = status;
                        self.note(format!("job {id}: {}", jobs::status_name(status)));
                    }
                    if jobs::is_final(status) {
                        return Ok(Some(job));
                    }
                    let handled = job["numOfObjects"].as_u64().unwrap_or(0).min(rows);
                    let mut p = base.clone();
                    p.done += handled;
                    (self.observer)(Event::Progress(p));
                }
                Err(e) => {
                    failures += 1;
                    if failures > 10 || matches!(e, JobError::Api(_)) {
                        self.note(format!(
                            "job {id}: polling failed ({e}); the job goes on on the server, \
                             run again with --resume to poll it"
                        ));
                        return Ok(None);
                    }
                }
            }
            if self.stopped() {
                return Ok(None);
            }
            if started.elapsed() >= self.bulk.job_timeout {
                self.note(format!(
                    "job {id} still {} after {} s; stopped waiting (run again with --resume to \
                     poll it again)",
                    jobs::status_name(last),
                    self.bulk.job_timeout.as_secs()
                ));
                return Ok(None);
            }
            (self.jobs.sleep)(wait);
            wait = wait.mul_f64(1.5).min(self.bulk.poll_max);
        }
    }

    /// One mark per row of `plan`.
    fn marks(&self, plan: &PiecePlan, f: impl Fn(&journal::SentRow) -> Mark) -> Vec<(RowId, Mark)> {
        plan.rows
            .iter()
            .map(|r| {
                (
                    RowId {
                        input: plan.input,
                        row: r.row,
                    },
                    f(r),
                )
            })
            .collect()
    }

    fn close(
        &mut self,
        seq: u32,
        job: Option<i64>,
        marks: &[(RowId, Mark)],
        end: End,
    ) -> Result<End, SubmitError> {
        self.journal.apply(marks).map_err(SubmitError::journal)?;
        self.journal
            .set_piece(seq, job, PieceState::Closed)
            .map_err(SubmitError::journal)?;
        self.count()?;
        Ok(end)
    }

    /// Reads the ended job's log, sets the parents kbulk took out, and journals every row.
    fn finish(&mut self, piece: &Piece, id: i64, job: &Value) -> Result<End, SubmitError> {
        let plan = &piece.plan;
        let status = job["status"].as_i64().unwrap_or(0);
        let failed = jobs::failed_as_whole(status);
        let reason = job["error"].as_str().unwrap_or_default().to_string();
        let text = match self.jobs.log(id) {
            Ok(t) if t.trim() == "Log file is not ready" => String::new(),
            Ok(t) => t,
            Err(e) => {
                if !failed {
                    self.note(format!("job {id}: its log could not be read ({e})"));
                    return Ok(End::Open);
                }
                String::new()
            }
        };
        let (logged, unmatched) = match plan.job {
            JobKind::Ical { .. } => log::align_ical(&text, &plan.rows),
            JobKind::ScheduleResourceCsv | JobKind::ScheduleEventCsv | JobKind::EntryCsv => {
                log::align(&text, &plan.rows)
            }
        };
        if unmatched > 0 {
            self.note(format!(
                "job {id}: {unmatched} log rows match no row sent (left out of the results)"
            ));
        }
        let mut parents = parents::set(&self.jobs, self.opts.batch_size, &plan.rows, &logged);
        let mut marks = Vec::new();
        for (r, l) in plan.rows.iter().zip(&logged) {
            let rid = RowId {
                input: plan.input,
                row: r.row,
            };
            let action = Some(r.action.clone());
            let mark = match l {
                Some(l) if l.status == 1 => {
                    let code = l
                        .object_status
                        .clone()
                        .filter(|s| s.parse::<i64>().is_err());
                    Mark::Failed {
                        action,
                        error: l.error.clone().unwrap_or_default(),
                        code,
                        retryable: false,
                    }
                }
                Some(l) => {
                    let object_id = l.object_id.clone().unwrap_or_default();
                    parents.remove(&r.row).unwrap_or(Ok(())).map_or_else(
                        |error| Mark::Failed {
                            action: action.clone(),
                            error,
                            code: None,
                            retryable: false,
                        },
                        |()| Mark::Done {
                            action: r.action.clone(),
                            object_id: object_id.clone(),
                            object_status: l.object_status.as_deref().and_then(|s| s.parse().ok()),
                        },
                    )
                }
                None if failed => Mark::Failed {
                    action,
                    error: format!("job {id} {}: {reason}", jobs::status_name(status)),
                    code: Some(codes::JOB_FAILED.into()),
                    retryable: true,
                },
                None => Mark::Failed {
                    action,
                    error: "the engine reported no result for this row: it was dropped silently \
                            (Kaltura's engine never reports a row with an action it does not \
                            know, kaltura-formats §9.4)"
                        .into(),
                    code: Some(codes::NO_RESULT.into()),
                    retryable: false,
                },
            };
            marks.push((rid, mark));
        }
        self.note(format!(
            "job {id} {}{}",
            jobs::status_name(status),
            if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            }
        ));
        // A job FAILED because every row was rejected ("None of the uploaded items were
        // processed") reported them all: only one that left rows unreported failed as a whole.
        let end = if failed && logged.iter().any(Option::is_none) {
            End::Failed
        } else {
            End::Closed
        };
        self.close(piece.seq, Some(id), &marks, end)
    }
}
