//! Diagnostics: the stable code table, the plain `Diagnostic` value readers and checks produce,
//! and its JSON form. Rendering (miette) happens only in the binary.
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::source::{LineCol, Span};

/// How bad a finding is. Only errors make `check` fail unless `--strict` is given.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The record (or file) will fail, vanish or be corrupted.
    Error,
    /// Probably wrong, or risky; the user should look.
    Warning,
    /// Information: something kbulk did or noticed.
    Note,
}

impl Severity {
    /// The lower-case name used in JSON and text.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// What the Kaltura server would do with the problem: the reason kbulk separates parity from
/// silent loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// The server reports an error for this record (server parity).
    Rejected,
    /// The server accepts the input and drops or corrupts data without saying so.
    Silent,
    /// The whole job fails, crashes, or never finishes.
    Job,
    /// Not an error for the server: a risk, or a better way to write it.
    Advice,
}

impl Impact {
    /// The outcome in plain words, as `kbulk explain` states it for every code (the policy of
    /// docs/parity.md: each starts with `rejected`, `silently changed`, `job crash` or
    /// `advice`).
    pub fn outcome(self) -> &'static str {
        match self {
            Impact::Rejected => {
                "rejected: the server reports an error for this record in the bulk log"
            }
            Impact::Silent => {
                "silently changed: the job goes on and the record is created, changed or dropped differently from the file, with nothing in the log"
            }
            Impact::Job => "job crash: the whole job fails, crashes or never finishes",
            Impact::Advice => "advice: the server does nothing wrong; a risk or a better form",
        }
    }

    /// The kebab-case name used in JSON and text.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Rejected => "rejected",
            Impact::Silent => "silent",
            Impact::Job => "job",
            Impact::Advice => "advice",
        }
    }
}

/// One entry of the code table: a stable name, its default severity and impact, and the long
/// explanation `kbulk explain` prints.
#[derive(Debug)]
pub struct Code {
    /// Stable name, `area::what` (for example `resource::unknown-type`).
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// What the server would do.
    pub impact: Impact,
    /// One line.
    pub summary: &'static str,
    /// The long explanation (several sentences, plain text).
    pub explanation: &'static str,
}

/// Declares code statics and a module-level `ALL` table listing them.
#[macro_export]
macro_rules! codes {
    ($( $ident:ident = $name:literal, $sev:ident, $impact:ident, $summary:literal, $expl:literal; )*) => {
        $(
            #[doc = $summary]
            pub static $ident: $crate::diag::Code = $crate::diag::Code {
                name: $name,
                severity: $crate::diag::Severity::$sev,
                impact: $crate::diag::Impact::$impact,
                summary: $summary,
                explanation: $expl,
            };
        )*
        /// Every code this module defines, in declaration order.
        pub static ALL: &[&$crate::diag::Code] = &[ $( &$ident ),* ];
    };
}

/// A labelled place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The bytes concerned.
    pub span: Span,
    /// Where `span.start` is.
    pub at: LineCol,
    /// What this place is (shown beside the snippet).
    pub message: Option<String>,
}

/// One finding about the input: plain data, serializable, rendered only at the edge.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The stable code.
    pub code: &'static Code,
    /// Severity (the code's default unless a rule raised or lowered it).
    pub severity: Severity,
    /// One sentence saying what is wrong here.
    pub message: String,
    /// The file as named on the command line.
    pub file: Arc<str>,
    /// The server's ordinal of the record concerned (`lineIndex`), when there is one.
    pub row: Option<u64>,
    /// The primary place first, then secondary places ("first defined here").
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// The message the Kaltura server would write in its log for the same problem, verbatim.
    pub server_message: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and no location yet.
    pub fn new(code: &'static Code, file: &Arc<str>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            file: file.clone(),
            row: None,
            labels: Vec::new(),
            help: None,
            server_message: None,
        }
    }

    /// Adds a labelled place (the first one added is the primary place).
    pub fn label(mut self, span: Span, at: LineCol, message: impl Into<String>) -> Self {
        let message = message.into();
        self.labels.push(Label {
            span,
            at,
            message: (!message.is_empty()).then_some(message),
        });
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the server's own message for this problem.
    pub fn server(mut self, message: impl Into<String>) -> Self {
        self.server_message = Some(message.into());
        self
    }

    /// Sets the server row ordinal.
    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    /// Overrides the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Cuts every text of the finding (message, help, server message, label messages) to
    /// [`MAX_TEXT`] bytes, so that a finding quoting a 16 MiB cell holds 1 KiB, not 16 MiB.
    pub fn cap_text(&mut self) {
        cap(&mut self.message);
        for t in [&mut self.help, &mut self.server_message]
            .into_iter()
            .chain(self.labels.iter_mut().map(|l| &mut l.message))
            .flatten()
        {
            cap(t);
        }
    }

    /// The primary label, if the diagnostic has a location.
    pub fn primary(&self) -> Option<&Label> {
        self.labels.first()
    }

    /// The ordering key that keeps output deterministic: position, then code, then message.
    pub fn sort_key(&self) -> (u64, &'static str, &str) {
        (
            self.primary().map_or(u64::MAX, |l| l.span.start),
            self.code.name,
            &self.message,
        )
    }

    /// The JSON Lines form of this diagnostic.
    pub fn to_json(&self) -> JsonDiagnostic {
        let primary = self.primary();
        JsonDiagnostic {
            kind: JsonKind::Diagnostic,
            code: self.code.name.to_string(),
            severity: self.severity,
            impact: self.code.impact,
            message: self.message.clone(),
            file: self.file.to_string(),
            line: primary.map(|l| l.at.line),
            column: primary.map(|l| l.at.column),
            span: primary.map(|l| l.span),
            row: self.row,
            help: self.help.clone(),
            server_message: self.server_message.clone(),
            labels: self
                .labels
                .iter()
                .map(|l| JsonLabel {
                    line: l.at.line,
                    column: l.at.column,
                    span: l.span,
                    message: l.message.clone(),
                })
                .collect(),
        }
    }
}

/// The longest text a finding keeps in one field (bytes); longer text is cut at a character
/// boundary and says how much was cut.
pub const MAX_TEXT: usize = 1024;

fn cap(text: &mut String) {
    if text.len() <= MAX_TEXT {
        return;
    }
    let mut keep = MAX_TEXT - 64;
    while !text.is_char_boundary(keep) {
        keep -= 1;
    }
    let cut = text.len() - keep;
    text.truncate(keep);
    text.push_str(&format!("… ({cut} more bytes not shown)"));
}

/// Sorts diagnostics into their deterministic output order.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Fills in every label whose position is [`LineCol::UNRESOLVED`] by reading `path` once.
pub fn resolve_labels(path: &std::path::Path, diags: &mut [Diagnostic]) -> std::io::Result<()> {
    let mut wanted: Vec<u64> = diags
        .iter()
        .flat_map(|d| d.labels.iter())
        .filter(|l| l.at == LineCol::UNRESOLVED)
        .map(|l| l.span.start)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    wanted.sort_unstable();
    wanted.dedup();
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let found = crate::source::resolve_offsets(file, &wanted)?;
    for l in diags.iter_mut().flat_map(|d| d.labels.iter_mut()) {
        if l.at == LineCol::UNRESOLVED
            && let Ok(i) = wanted.binary_search(&l.span.start)
        {
            l.at = found[i];
        }
    }
    Ok(())
}

/// The `type` tag of each JSON Lines object kbulk writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JsonKind {
    /// A diagnostic.
    Diagnostic,
    /// What was detected in one input file, with its counts.
    File,
    /// The final totals.
    Summary,
}

/// A labelled place in the JSON form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JsonLabel {
    /// 1-based line.
    pub line: u64,
    /// 1-based column (characters).
    pub column: u64,
    /// Byte span in the file.
    pub span: Span,
    /// What this place is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One diagnostic as a JSON Lines object (`"type": "diagnostic"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JsonDiagnostic {
    /// Always `diagnostic`.
    #[serde(rename = "type")]
    pub kind: JsonKind,
    /// Stable code; `kbulk explain CODE` describes it.
    pub code: String,
    /// error, warning or note.
    pub severity: Severity,
    /// rejected (server reports it), silent (server drops or corrupts without a word), job
    /// (the whole job fails) or advice.
    pub impact: Impact,
    /// What is wrong here.
    pub message: String,
    /// The file as named on the command line.
    pub file: String,
    /// 1-based line of the primary place (absent for file-wide findings).
    pub line: Option<u64>,
    /// 1-based column of the primary place, in characters.
    pub column: Option<u64>,
    /// Byte span of the primary place.
    pub span: Option<Span>,
    /// The server's ordinal of the record (`lineIndex`), when there is one.
    pub row: Option<u64>,
    /// What to do about it.
    pub help: Option<String>,
    /// The message the Kaltura server would log for the same problem.
    pub server_message: Option<String>,
    /// Every labelled place, primary first.
    pub labels: Vec<JsonLabel>,
}

/// What `check` found out about one input file (`"type": "file"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JsonFile {
    /// Always `file`.
    #[serde(rename = "type")]
    pub kind: JsonKind,
    /// The file as named on the command line (or found in a directory).
    pub file: String,
    /// The detected format (`resource-csv`, ...), absent when it could not be classified.
    pub format: Option<String>,
    /// The record kind (`scheduleResource`, ...).
    pub record_kind: Option<String>,
    /// How the format was recognised.
    pub detected_by: String,
    /// Records read.
    pub records: u64,
    /// Errors found in this file.
    pub errors: u64,
    /// Warnings found in this file.
    pub warnings: u64,
    /// Notes found in this file.
    pub notes: u64,
}

/// The final object of a JSON Lines report (`"type": "summary"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JsonSummary {
    /// Always `summary`.
    #[serde(rename = "type")]
    pub kind: JsonKind,
    /// Files checked.
    pub files: u64,
    /// Records read in all files.
    pub records: u64,
    /// Errors in all files.
    pub errors: u64,
    /// Warnings in all files.
    pub warnings: u64,
    /// Notes in all files.
    pub notes: u64,
    /// The process exit code this run ends with.
    pub exit_code: u8,
}

/// Any object of the JSON Lines diagnostic stream (what `schemas/diagnostic.schema.json` describes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum JsonLine {
    /// A diagnostic.
    Diagnostic(JsonDiagnostic),
    /// Per-file detection and counts.
    File(JsonFile),
    /// Final totals.
    Summary(JsonSummary),
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Errors.
    pub errors: u64,
    /// Warnings.
    pub warnings: u64,
    /// Notes.
    pub notes: u64,
}

impl Counts {
    /// Counts one diagnostic.
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => self.notes += 1,
        }
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, other: Counts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.notes += other.notes;
    }
}
