//! The engine: drives one planner through lookups and waves of tasks on the executor, applies the
//! retry policy, looks a task up before re-sending it whenever its outcome is unknown, and writes
//! every state change to the journal (before a request leaves, and as soon as its answer is in).
use std::time::Duration;

use super::auth::{Credentials, Secret};
use super::client::{Failure, FailureKind};
use super::exec::{Executor, Sent};
use super::journal::{Journal, Mark, RowId};
use super::lookup;
use super::multirequest::Call;
use super::plan::{Check, Found, Planner, Recovery, Settle, Task, TaskResult};
use super::retry::RetryPolicy;
use super::{Progress, SubmitError};

/// Kbulk's code for a row whose add was sent, whose outcome is unknown, and that cannot be looked
/// up (no natural key): never re-sent.
pub const OUTCOME_UNKNOWN: &str = "OUTCOME_UNKNOWN";

/// The message for [`OUTCOME_UNKNOWN`].
pub const OUTCOME_UNKNOWN_MESSAGE: &str = "the call was sent but its outcome is unknown (the \
connection failed after sending) and nothing identifies the object to look it up, so kbulk does \
not send it again: that could create a duplicate. Check whether the object exists, then resubmit \
the row if it does not (a natural key such as systemName makes a row safe to retry)";

/// What the engine needs from the run around it.
pub struct Engine<'a> {
    /// Sends the calls.
    pub exec: &'a Executor,
    /// The session in use (renewed when it expires, if the credentials allow).
    pub ks: Secret,
    /// How to open a new session.
    pub credentials: &'a Credentials,
    /// The journal.
    pub journal: &'a mut Journal,
    /// Retry policy.
    pub retry: &'a RetryPolicy,
    /// Waits (tests and benchmarks may shorten it).
    pub sleep: &'a dyn Fn(Duration),
    /// Once set, no new batch is sent: the run records what is in flight and returns.
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
    /// Progress so far, reported after each change.
    pub progress: Progress,
    /// Receives progress.
    pub observer: &'a mut dyn FnMut(&Progress),
}

/// A task waiting to be sent again, with the failures it has met.
struct Retry {
    task: Task,
    failures: u32,
    /// How long the server asked to wait (`Retry-After`), if it did.
    asked: Option<Duration>,
}

impl Engine<'_> {
    /// Removes the KS and the credentials' secrets from text before it is stored or shown
    /// (Kaltura echoes the KS in `INVALID_KS` messages).
    fn redact(&self, text: &str) -> String {
        let mut secrets = self.credentials.secrets();
        secrets.push(self.ks.expose());
        super::auth::redact(text, &secrets)
    }

    fn mark(&mut self, marks: &[(RowId, Mark)]) -> Result<(), SubmitError> {
        self.journal.apply(marks).map_err(SubmitError::journal)
    }

    fn settle_mark(&mut self, row: RowId, s: &Settle) -> (RowId, Mark) {
        match s {
            Settle::Done {
                action,
                object_id,
                object_status,
            } => {
                self.progress.done += 1;
                (
                    row,
                    Mark::Done {
                        action: action.clone(),
                        object_id: object_id.clone(),
                        object_status: *object_status,
                    },
                )
            }
            Settle::Failed {
                action,
                error,
                code,
            } => {
                self.progress.failed += 1;
                (
                    row,
                    Mark::Failed {
                        action: action.clone(),
                        error: self.redact(error),
                        code: code.clone(),
                        retryable: false,
                    },
                )
            }
        }
    }

    fn lookup(&mut self, keys: &[super::plan::Key]) -> Found {
        if keys.is_empty() {
            return Found::default();
        }
        self.progress.phase = super::Phase::LookingUp;
        (self.observer)(&self.progress);
        lookup::find(self.exec, &self.ks, keys, self.retry, self.sleep)
    }

    /// Runs `planner` to the end.
    pub fn drive(&mut self, planner: &mut dyn Planner) -> Result<(), SubmitError> {
        let found = self.lookup(&planner.keys());
        let settled = planner.absorb(&found);
        let marks: Vec<_> = settled
            .iter()
            .map(|(r, s)| self.settle_mark(*r, s))
            .collect();
        self.mark(&marks)?;
        let mut retries: Vec<Retry> = Vec::new();
        let mut renew = false;
        loop {
            let wave = planner.wave();
            let mut marks: Vec<_> = wave
                .settled
                .iter()
                .map(|(r, s)| self.settle_mark(*r, s))
                .collect();
            for (row, why) in &wave.deferred {
                self.progress.unfinished += 1;
                marks.push((
                    *row,
                    Mark::Note {
                        error: self.redact(why),
                    },
                ));
            }
            self.mark(&marks)?;
            if renew {
                self.ks = self.renew()?;
                renew = false;
            }
            let mut tasks: Vec<(Task, u32)> = wave.tasks.into_iter().map(|t| (t, 0)).collect();
            if !retries.is_empty() {
                let worst = retries.iter().map(|r| r.failures).max().unwrap_or(1);
                self.progress.phase = super::Phase::Waiting;
                (self.observer)(&self.progress);
                let asked = retries.iter().filter_map(|r| r.asked).max();
                (self.sleep)(self.retry.delay_after(worst, asked));
                tasks.extend(retries.drain(..).map(|r| (r.task, r.failures)));
            }
            if tasks.is_empty() || self.stopped() {
                break;
            }
            let mut unknown: Vec<(Task, u32)> = Vec::new();
            self.send(planner, &tasks, &mut retries, &mut unknown, &mut renew)?;
            if unknown.is_empty() {
                continue;
            }
            let keys: Vec<_> = unknown
                .iter()
                .filter_map(|(t, _)| match &t.check {
                    Check::Lookup(k) => Some(k.clone()),
                    _ => None,
                })
                .collect();
            let found = self.lookup(&keys);
            let mut marks = Vec::new();
            for (task, failures) in unknown {
                match planner.recover(&task, &found) {
                    Recovery::Settled(s) => marks.push(self.settle_mark(task.row, &s)),
                    Recovery::Resend(task) if self.retry.allows(failures) => {
                        retries.push(Retry {
                            task,
                            failures,
                            asked: None,
                        });
                    }
                    Recovery::Resend(task) => {
                        marks.push(self.give_up(planner, &task, failures, "still not applied"));
                    }
                    Recovery::Unknown(why) => {
                        self.progress.unfinished += 1;
                        planner.abandoned(task.row, false);
                        marks.push((
                            task.row,
                            Mark::InDoubt {
                                error: self.redact(&format!(
                                    "outcome unknown, and the lookup failed: {why}"
                                )),
                            },
                        ));
                    }
                }
            }
            self.mark(&marks)?;
            (self.observer)(&self.progress);
        }
        Ok(())
    }

    /// Gives up on a task for this run; the row stays planned (not applied) or sent (in doubt).
    fn give_up(
        &mut self,
        planner: &mut dyn Planner,
        task: &Task,
        failures: u32,
        why: &str,
    ) -> (RowId, Mark) {
        self.progress.unfinished += 1;
        planner.abandoned(task.row, false);
        let error = self.redact(&format!("gave up after {failures} failed attempts: {why}"));
        (task.row, Mark::NotApplied { error })
    }

    fn renew(&mut self) -> Result<Secret, SubmitError> {
        Ok(self
            .credentials
            .session_with_retry(self.exec.client(), self.retry, self.sleep)?)
    }

    /// Sends one round of tasks and files every answer.
    fn send(
        &mut self,
        planner: &mut dyn Planner,
        tasks: &[(Task, u32)],
        retries: &mut Vec<Retry>,
        unknown: &mut Vec<(Task, u32)>,
        renew: &mut bool,
    ) -> Result<(), SubmitError> {
        self.progress.phase = super::Phase::Sending;
        let units: Vec<&[Call]> = tasks.iter().map(|(t, _)| t.calls.as_slice()).collect();
        let exec = self.exec;
        let ks = self.ks.clone();
        let renewable = self.credentials.renewable();
        let stop = self.stop;
        let mut step = |completed: Vec<(usize, Sent)>, dispatching: &[usize]| {
            let mut marks = Vec::new();
            for (u, sent) in completed {
                let (task, prior) = &tasks[u];
                let failures = prior + 1;
                match sent {
                    Sent::Answered(elements) => {
                        let first_err = elements.iter().position(Result::is_err);
                        let values: Vec<_> = elements
                            .iter()
                            .filter_map(|e| e.as_ref().ok())
                            .cloned()
                            .collect();
                        match first_err {
                            None => {
                                let s = planner.finished(task, TaskResult::Ok(&values));
                                marks.push(self.settle_mark(task.row, &s));
                            }
                            Some(0)
                                if renewable
                                    && elements[0].as_ref().is_err_and(|e| e.is_invalid_ks())
                                    && self.retry.allows(failures) =>
                            {
                                // The session expired: nothing was applied. New KS, same task.
                                *renew = true;
                                retries.push(Retry {
                                    task: task.clone(),
                                    failures,
                                    asked: None,
                                });
                                marks.push((
                                    task.row,
                                    Mark::NotApplied {
                                        error: "session expired".into(),
                                    },
                                ));
                            }
                            Some(at) => {
                                let error = match &elements[at] {
                                    Err(e) => e.clone(),
                                    Ok(_) => unreachable_error(),
                                };
                                let s = planner.finished(
                                    task,
                                    TaskResult::Rejected {
                                        at,
                                        error: &error,
                                        before: &values[..at.min(values.len())],
                                        elements: &elements,
                                    },
                                );
                                marks.push(self.settle_mark(task.row, &s));
                            }
                        }
                    }
                    Sent::Failed(f) => {
                        marks.extend(self.failed(planner, task, failures, f, retries, unknown));
                    }
                }
            }
            for &u in dispatching {
                let task = &tasks[u].0;
                marks.push((
                    task.row,
                    Mark::Sent {
                        action: task.action.clone(),
                    },
                ));
            }
            self.mark(&marks)?;
            (self.observer)(&self.progress);
            Ok::<(), SubmitError>(())
        };
        exec.run_until(&ks, &units, &mut step, stop)
    }

    /// Whether the run was asked to stop.
    pub fn stopped(&self) -> bool {
        self.stop
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Files a transport failure: retry, look up first, or give up.
    fn failed(
        &mut self,
        planner: &mut dyn Planner,
        task: &Task,
        failures: u32,
        f: Failure,
        retries: &mut Vec<Retry>,
        unknown: &mut Vec<(Task, u32)>,
    ) -> Option<(RowId, Mark)> {
        let message = self.redact(&f.message);
        match (f.kind, &task.check) {
            (FailureKind::Refused, _) => {
                planner.abandoned(task.row, true);
                let s = Settle::failed(Some(&task.action), message, "HTTP_REFUSED");
                Some(self.settle_mark(task.row, &s))
            }
            (FailureKind::NotSent | FailureKind::Rejected, _) | (_, Check::Idempotent) => {
                if self.retry.allows(failures) {
                    retries.push(Retry {
                        task: task.clone(),
                        failures,
                        asked: f.retry_after,
                    });
                    let mark = if f.not_applied() {
                        Mark::NotApplied { error: message }
                    } else {
                        Mark::InDoubt { error: message }
                    };
                    Some((task.row, mark))
                } else if f.not_applied() {
                    Some(self.give_up(planner, task, failures, &message))
                } else {
                    self.progress.unfinished += 1;
                    planner.abandoned(task.row, false);
                    let error = format!("gave up after {failures} failed attempts: {message}");
                    Some((task.row, Mark::InDoubt { error }))
                }
            }
            (FailureKind::Unknown, Check::Lookup(_)) => {
                unknown.push((task.clone(), failures));
                Some((task.row, Mark::InDoubt { error: message }))
            }
            (FailureKind::Unknown, Check::Unidentifiable) => {
                planner.abandoned(task.row, true);
                let s = Settle::failed(
                    Some(&task.action),
                    format!("{OUTCOME_UNKNOWN_MESSAGE} ({message})"),
                    OUTCOME_UNKNOWN,
                );
                Some(self.settle_mark(task.row, &s))
            }
        }
    }
}

/// `position(Result::is_err)` found an error there; this keeps the match total without a panic.
fn unreachable_error() -> super::client::ApiError {
    super::client::ApiError {
        code: "KBULK_INTERNAL".into(),
        message: "inconsistent answer".into(),
    }
}
