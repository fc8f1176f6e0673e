//! Format readers and writers, and the entry point that detects a file's format and reads it.
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::record::{Record, RecordKind};

pub mod app;
pub mod codes;
pub mod csv;
pub mod detect;
pub mod feed;
pub mod findings;
pub mod ics;
pub mod jsonl;
pub mod xml;

pub use detect::{Detection, Format, detect};
pub use findings::{FindingSink, Findings};

/// Where records go as a reader produces them, in file order.
pub trait Sink {
    /// Receives one record.
    fn record(&mut self, record: Record);

    /// Whether records are wanted at all; when not, readers only check (and allocate less).
    fn wants_records(&self) -> bool {
        true
    }
}

/// A sink that drops records (for `check`).
#[derive(Debug, Default)]
pub struct Discard;

impl Sink for Discard {
    fn record(&mut self, _record: Record) {}

    fn wants_records(&self) -> bool {
        false
    }
}

impl Sink for Vec<Record> {
    fn record(&mut self, record: Record) {
        self.push(record);
    }
}

/// How to read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The per-bulk row limit (`None`: no limit). Kaltura's shipped configuration uses 1000.
    pub max_records: Option<u64>,
    /// Keep each record's raw text in its origin (results files echo it).
    pub keep_raw: bool,
    /// Read as this format instead of detecting it.
    pub format: Option<Format>,
    /// The event type of an iCal job (`eventsType`): every VEVENT gets it, whatever the file says.
    pub events_type: crate::record::EventType,
    /// When the server is assumed to import the file (it converts TZID times with the zone's
    /// offset at that moment). `None`: now.
    pub import_time: Option<jiff::Timestamp>,
    /// The apps a server holds (`check --against`): the app rules also check against them.
    pub apps_against: Option<Arc<crate::record::app::Existing>>,
    /// Bytes the file-level name index (system names, reference ids, UIDs) may hold in memory
    /// before it spills to disk (`--memory`); the findings are the same either way.
    pub memory: u64,
}

impl ReadOptions {
    /// The import instant: [`ReadOptions::import_time`] or now.
    pub fn import_instant(&self) -> jiff::Timestamp {
        self.import_time.unwrap_or_else(jiff::Timestamp::now)
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_records: Some(DEFAULT_MAX_RECORDS),
            keep_raw: false,
            format: None,
            events_type: crate::record::EventType::Record,
            import_time: None,
            apps_against: None,
            memory: DEFAULT_MEMORY,
        }
    }
}

/// Kaltura's shipped `maxRecords` (rows or items per bulk file).
pub const DEFAULT_MAX_RECORDS: u64 = 1000;

/// Default of [`ReadOptions::memory`]: 32 MiB, about 2 million names in memory; with the
/// readers' chunks the whole check of any file stays under 100 MiB (at 64 MiB the index and
/// the sort buffer taking it over peaked at 139 MiB on a 1 GB resource CSV).
pub const DEFAULT_MEMORY: u64 = 32 << 20;

/// What reading one file produced.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file as named.
    pub file: Arc<str>,
    /// The format used and why.
    pub detection: Detection,
    /// Records (rows, events, items, lines) read.
    pub records: u64,
    /// Findings, in deterministic order.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// The record kind of the file, when known.
    pub fn kind(&self) -> Option<RecordKind> {
        self.detection.format.and_then(Format::kind)
    }
}
