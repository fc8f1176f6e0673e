//! What a submission ends with: each row's final word ([`RowStatus`], [`RowResult`]), per input
//! ([`InputOutcome`]) and for the run ([`Submission`]).
use std::collections::BTreeMap;
use std::sync::Arc;

use super::Progress;
use super::journal::{RowEntry, RowState};

/// The final word on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    /// Done.
    Ok,
    /// Failed (refused, or the server rejected it).
    Error,
    /// Not finished: never sent, given up for now, or in doubt. `resume` continues it.
    Unfinished,
}

/// One row's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowResult {
    /// The final word.
    pub status: RowStatus,
    /// The action done or attempted.
    pub action: Option<String>,
    /// The object's id.
    pub object_id: Option<String>,
    /// The object's status.
    pub object_status: Option<i64>,
    /// Kaltura's error code (or kbulk's: `REFUSED`, `OUTCOME_UNKNOWN`, ...).
    pub code: Option<String>,
    /// The error, or for unfinished rows what is pending.
    pub error: Option<String>,
}

impl From<&RowEntry> for RowResult {
    fn from(e: &RowEntry) -> Self {
        RowResult {
            status: match e.state {
                RowState::Done => RowStatus::Ok,
                RowState::Failed => RowStatus::Error,
                RowState::Planned | RowState::Sent => RowStatus::Unfinished,
            },
            action: e.action.clone(),
            object_id: e.object_id.clone(),
            object_status: e.object_status,
            code: e.error_code.clone(),
            error: e.error.clone(),
        }
    }
}

/// The results of one input, by `lineIndex`.
#[derive(Debug, Clone)]
pub struct InputOutcome {
    /// The input.
    pub name: Arc<str>,
    /// Row results by `lineIndex` (every data row).
    pub rows: BTreeMap<u64, RowResult>,
}

/// The results of a run.
#[derive(Debug, Clone)]
pub struct Submission {
    /// One per input, in the order given.
    pub inputs: Vec<InputOutcome>,
    /// The final progress counters.
    pub progress: Progress,
}

impl Submission {
    /// Counts of rows by status: (ok, error, unfinished).
    pub fn counts(&self) -> (u64, u64, u64) {
        let mut c = (0, 0, 0);
        for r in self.inputs.iter().flat_map(|i| i.rows.values()) {
            match r.status {
                RowStatus::Ok => c.0 += 1,
                RowStatus::Error => c.1 += 1,
                RowStatus::Unfinished => c.2 += 1,
            }
        }
        c
    }
}
