//! The one JSON Lines stream that every command writes with `--format json` (`check`, `convert`,
//! `submit`): diagnostics, per-file lines and a summary from the check (`diag`'s types), and for
//! `submit` the planned calls of a dry run, one line per row's outcome and the run's summary.
//! `kbulk schema diagnostic` prints the schema of [`StreamLine`], committed as
//! `schemas/diagnostic.schema.json`. Every object carries `type`.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diag::{JsonDiagnostic, JsonFile, JsonKind, JsonSummary};
use crate::dropfolder::run::Event;
use crate::submit::results::JsonRow;

/// Any object of the JSON Lines stream of `check`, `convert` and `submit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StreamLine {
    /// A diagnostic (a finding of the check, or what `convert` could not carry).
    Diagnostic(JsonDiagnostic),
    /// Per-file detection and counts.
    File(JsonFile),
    /// Final totals of `check` and `convert`.
    Summary(JsonSummary),
    /// `submit`: one row's outcome.
    Row(JsonRow),
    /// `submit --dry-run`: one planned call.
    Call(JsonCall),
    /// `submit`: the run's final line.
    SubmitSummary(JsonSubmitSummary),
    /// `fix`: what was done to one file.
    Fixed(JsonFixed),
    /// `fix`: the run's final line.
    FixSummary(JsonFixSummary),
    /// `dropfolder`: one step of a file's life.
    Event(JsonEvent),
    /// `dropfolder`: the run's final line.
    DropSummary(JsonDropSummary),
}

/// The `type` of a drop-folder event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventTag {
    /// A drop-folder event.
    Event,
}

/// One step of a drop-folder file's life (`"type": "event"`, `"event"`: `claimed`, `fixed`,
/// `split`, `handed-over`, `rejected` or `duplicate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonEvent {
    /// Always `event`.
    #[serde(rename = "type")]
    pub kind: EventTag,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

impl JsonEvent {
    /// The stream line of `event`.
    pub fn new(event: Event) -> Self {
        Self {
            kind: EventTag::Event,
            event,
        }
    }
}

/// The last line of `dropfolder` (`"type": "summary"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonDropSummary {
    /// Always `summary`.
    #[serde(rename = "type")]
    pub kind: JsonKind,
    /// Files handed over.
    pub handed_over: u64,
    /// Files rejected.
    pub rejected: u64,
    /// Duplicate drops archived.
    pub duplicates: u64,
    /// The process exit code this run ends with.
    pub exit_code: u8,
}

/// What `fix` did to one file (`"type": "file"`), after that file's repair diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonFixed {
    /// Always `file`.
    #[serde(rename = "type")]
    pub kind: JsonKind,
    /// The input.
    pub file: String,
    /// Repairs made.
    pub repairs: u64,
    /// Problems left alone (`fix::left-alone`).
    pub left_alone: u64,
    /// Where the repaired file was written; absent when nothing was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
}

/// The last line of `fix` (`"type": "summary"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonFixSummary {
    /// Always `summary`.
    #[serde(rename = "type")]
    pub kind: JsonKind,
    /// Files read.
    pub files: u64,
    /// Files with at least one repair.
    pub repaired: u64,
    /// Files with something left alone.
    pub left_alone: u64,
    /// The process exit code this run ends with.
    pub exit_code: u8,
}

/// The `type` of a row's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RowTag {
    /// A row's outcome.
    Row,
}

/// The `type` of a planned call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CallTag {
    /// A planned call.
    Call,
}

/// One call `submit --dry-run` would send (`"type": "call"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonCall {
    /// Always `call`.
    #[serde(rename = "type")]
    pub kind: CallTag,
    /// The input.
    pub file: String,
    /// The row's `lineIndex`.
    pub row: u64,
    /// The wave the call goes in (parents before children).
    pub wave: u64,
    /// The row's action (`add`, `update`, ...).
    pub action: String,
    /// The API service (`schedule_scheduleresource`, ...).
    pub service: String,
    /// The service's action.
    pub call: String,
    /// The parameters as the server reads them (references to other calls as `{N:result:id}`).
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// The last line of `submit` (`"type": "summary"`): either the check stopped the submission
/// (`submitted: false`, with what stopped it) or the rows' counts and the results files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct JsonSubmitSummary {
    /// Always `summary`.
    #[serde(rename = "type")]
    pub kind: JsonKind,
    /// Whether anything was submitted.
    pub submitted: bool,
    /// Not submitted: rows refused by the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_rows: Option<u64>,
    /// Not submitted: file-level errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_errors: Option<u64>,
    /// Submitted: rows in all inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Submitted: rows done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<u64>,
    /// Submitted: rows failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<u64>,
    /// Submitted: rows not finished (run again with `--resume`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unfinished: Option<u64>,
    /// Submitted: the results files written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<String>>,
    /// The process exit code this run ends with.
    pub exit_code: u8,
}
