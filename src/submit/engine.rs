//! The engine: drives one planner through lookups and waves of tasks on the executor (a task
//! goes out as soon as what it depends on is done, while the rest of its wave is in flight), applies the
//! retry policy, looks a task up before re-sending it whenever its outcome is unknown, and writes
//! every state change to the journal (before a request leaves, and as soon as its answer is in).
use std::time::Duration;

use super::auth::{Credentials, Secret};
use super::client::{Failure, FailureKind};
use super::exec::{Executor, Feed, Sent};
use super::journal::{Journal, Mark, RowId};
use super::lookup;
use super::multirequest::Call;
use super::plan::{Check, Found, Planner, Recovery, Settle, Task, TaskResult, Wave};
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
        self.drive_found(planner, None)
    }

    /// [`Engine::drive`], with the first lookups (of `planner.keys()`) already made, if `found`.
    pub fn drive_found(
        &mut self,
        planner: &mut dyn Planner,
        found: Option<Found>,
    ) -> Result<(), SubmitError> {
        let found = match found {
            Some(f) => f,
            None => self.lookup(&planner.keys()),
        };
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
            let mut marks = Vec::new();
            self.wave_marks(&wave, &mut marks);
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
            self.send(planner, tasks, &mut retries, &mut unknown, &mut renew)?;
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

    /// The marks of the rows a wave settled or deferred without a call.
    fn wave_marks(&mut self, wave: &Wave, marks: &mut Vec<(RowId, Mark)>) {
        for (r, s) in &wave.settled {
            let m = self.settle_mark(*r, s);
            marks.push(m);
        }
        for (row, why) in &wave.deferred {
            self.progress.unfinished += 1;
            marks.push((
                *row,
                Mark::Note {
                    error: self.redact(why),
                },
            ));
        }
    }

    /// Sends one round of tasks, and the tasks that become ready as their answers come in (a
    /// child goes out as soon as its parent is done, not after the whole round), and files every
    /// answer.
    fn send(
        &mut self,
        planner: &mut dyn Planner,
        tasks: Vec<(Task, u32)>,
        retries: &mut Vec<Retry>,
        unknown: &mut Vec<(Task, u32)>,
        renew: &mut bool,
    ) -> Result<(), SubmitError> {
        self.progress.phase = super::Phase::Sending;
        let units: Vec<Vec<Call>> = tasks.iter().map(|(t, _)| t.calls.clone()).collect();
        let exec = self.exec;
        let ks = self.ks.clone();
        let stop = self.stop;
        let mut round = Round {
            renewable: self.credentials.renewable(),
            engine: self,
            planner,
            tasks,
            retries,
            unknown,
            renew,
            marks: Vec::new(),
        };
        exec.stream(&ks, units, &mut round, stop)
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

/// One round of sending: files answers, plans what they made ready, and journals both.
struct Round<'r, 'a> {
    engine: &'r mut Engine<'a>,
    planner: &'r mut dyn Planner,
    /// Every task of the round, by unit number, with its earlier failures.
    tasks: Vec<(Task, u32)>,
    retries: &'r mut Vec<Retry>,
    unknown: &'r mut Vec<(Task, u32)>,
    /// The session expired: nothing new is planned until it is renewed.
    renew: &'r mut bool,
    renewable: bool,
    /// Marks not yet written (with the next dispatch's).
    marks: Vec<(RowId, Mark)>,
}

impl Feed for Round<'_, '_> {
    type Error = SubmitError;

    fn answered(&mut self, completed: Vec<(usize, Sent)>) -> Vec<Vec<Call>> {
        for (u, sent) in completed {
            let (task, prior) = &self.tasks[u];
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
                            let s = self.planner.finished(task, TaskResult::Ok(&values));
                            let m = self.engine.settle_mark(task.row, &s);
                            self.marks.push(m);
                        }
                        Some(0)
                            if self.renewable
                                && elements[0].as_ref().is_err_and(|e| e.is_invalid_ks())
                                && self.engine.retry.allows(failures) =>
                        {
                            // The session expired: nothing was applied. New KS, same task.
                            *self.renew = true;
                            self.retries.push(Retry {
                                task: task.clone(),
                                failures,
                                asked: None,
                            });
                            self.marks.push((
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
                            let s = self.planner.finished(
                                task,
                                TaskResult::Rejected {
                                    at,
                                    error: &error,
                                    before: &values[..at.min(values.len())],
                                    elements: &elements,
                                },
                            );
                            let m = self.engine.settle_mark(task.row, &s);
                            self.marks.push(m);
                        }
                    }
                }
                Sent::Failed(f) => {
                    let m = self.engine.failed(
                        self.planner,
                        task,
                        failures,
                        f,
                        self.retries,
                        self.unknown,
                    );
                    self.marks.extend(m);
                }
            }
        }
        if *self.renew || self.engine.stopped() {
            return Vec::new();
        }
        let wave = self.planner.wave();
        self.engine.wave_marks(&wave, &mut self.marks);
        let from = self.tasks.len();
        self.tasks.extend(wave.tasks.into_iter().map(|t| (t, 0)));
        self.tasks[from..]
            .iter()
            .map(|(t, _)| t.calls.clone())
            .collect()
    }

    fn dispatching(&mut self, units: &[usize]) -> Result<(), SubmitError> {
        for &u in units {
            let task = &self.tasks[u].0;
            self.marks.push((
                task.row,
                Mark::Sent {
                    action: task.action.clone(),
                },
            ));
        }
        let marks = std::mem::take(&mut self.marks);
        self.engine.mark(&marks)?;
        (self.engine.observer)(&self.engine.progress);
        Ok(())
    }
}

/// `position(Result::is_err)` found an error there; this keeps the match total without a panic.
fn unreachable_error() -> super::client::ApiError {
    super::client::ApiError {
        code: "KBULK_INTERNAL".into(),
        message: "inconsistent answer".into(),
    }
}
