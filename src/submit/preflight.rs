//! Pre-flight for `submit`: every input is read with the same readers and checks as `kbulk
//! check`, records keep their raw text (results echo it), and rows are sorted into those that can
//! be submitted and those refused, with the reason.
//!
//! A few checks describe only Kaltura's server-side bulk *engine*, which `submit` does not use:
//! a parent listed after its child (kbulk creates parents first whatever the order), bytes the
//! engine's trimming would cut (kbulk sends the intended value), the PHP 8 lookup crash and the
//! engine's `maxRecords`. They never refuse a row here.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Severity};
use crate::formats::{self, FileReport, ReadOptions};
use crate::record::Record;

/// Codes that concern only Kaltura's bulk engine, not API calls.
pub const ENGINE_ONLY: &[&str] = &[
    "resource::parent-after-child",
    "resource::trim-corrupts-value",
    "resource::lookup-crash",
    "resource::max-records",
    "resource::upsert-repeats-add",
    // kbulk cancels by the event id it looked up, not by the UID.
    "event::cancel-by-uid",
    // kbulk applies the events of one UID in file order: the first adds, the later update.
    "event::duplicate-uid",
    // kbulk adds categories parent-before-child whatever the order, and sends each row alone.
    "category::parent-after-child",
    "category::job-crash",
    "category::max-records",
    "user::max-records",
    "category-user::max-records",
    // kbulk sends the intended value, not the bytes the engine's trimming leaves.
    "csv::trim-corrupts-value",
];

/// Whether a finding refuses its row (or, without a row, the whole file).
pub fn blocks(d: &Diagnostic) -> bool {
    d.severity == Severity::Error && !ENGINE_ONLY.contains(&d.code.name)
}

/// One input after the pre-flight check.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The file.
    pub path: PathBuf,
    /// The name used in messages (as given on the command line).
    pub name: Arc<str>,
    /// SHA-256 of the content, hex: the journal's key for the file.
    pub sha256: String,
    /// What the reader and checks found.
    pub report: FileReport,
    /// Every record read, in file order (refused rows included: results echo them).
    pub records: Vec<Record>,
    /// Refused rows (`lineIndex` → reason).
    pub refused: BTreeMap<u64, String>,
}

impl Checked {
    /// Findings that refuse the whole file (not tied to a row).
    pub fn file_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.report
            .diagnostics
            .iter()
            .filter(|d| d.row.is_none() && blocks(d))
    }

    /// Findings that refuse a row.
    pub fn row_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.report
            .diagnostics
            .iter()
            .filter(|d| d.row.is_some() && blocks(d))
    }

    /// The records to submit: those of rows not refused.
    pub fn submittable(&self) -> impl Iterator<Item = &Record> {
        self.records
            .iter()
            .filter(|r| !self.refused.contains_key(&r.origin.row))
    }

    /// How many data rows the input has, submitted or refused.
    pub fn row_count(&self) -> u64 {
        self.report.records
    }

    /// Every data row's `lineIndex`, submitted or refused (iCal items count from 0, as the
    /// server's iCal engine numbers them; other formats from 1).
    pub fn row_ids(&self) -> std::ops::Range<u64> {
        row_range(&self.report)
    }
}

/// The reason written for a refused row: the server's own words when the check knows them.
fn reason(d: &Diagnostic) -> String {
    format!(
        "{} ({})",
        d.server_message.as_deref().unwrap_or(&d.message),
        d.code.name
    )
}

fn row_range(report: &FileReport) -> std::ops::Range<u64> {
    let first = u64::from(report.detection.format != Some(formats::Format::Ical));
    first..first + report.records
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Reads and checks one input. Only failing to hash the file is an error; everything else about
/// its content is a diagnostic.
pub fn check(path: &Path, name: Arc<str>) -> io::Result<Checked> {
    check_with(path, name, &ReadOptions::default())
}

/// [`check`] with read options (the iCal job's events type, the import date); the row limit is
/// lifted and raw text kept whatever `base` says.
pub fn check_with(path: &Path, name: Arc<str>, base: &ReadOptions) -> io::Result<Checked> {
    let sha256 = sha256_file(path)?;
    let opts = ReadOptions {
        max_records: None,
        keep_raw: true,
        ..base.clone()
    };
    let mut records: Vec<Record> = Vec::new();
    let report = crate::pipeline::read_path(path, name.clone(), &opts, &mut records);
    let mut refused = BTreeMap::new();
    for d in report.diagnostics.iter().filter(|d| blocks(d)) {
        if let Some(row) = d.row {
            refused.entry(row).or_insert_with(|| reason(d));
        }
    }
    let with_record: std::collections::HashSet<u64> =
        records.iter().map(|r| r.origin.row).collect();
    for row in row_range(&report) {
        if !with_record.contains(&row) {
            refused
                .entry(row)
                .or_insert_with(|| "kbulk could not read this row".to_string());
        }
    }
    Ok(Checked {
        path: path.to_path_buf(),
        name,
        sha256,
        report,
        records,
        refused,
    })
}
