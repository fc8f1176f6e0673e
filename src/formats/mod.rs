//! Format readers and writers, and the entry point that detects a file's format and reads it.
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use crate::check::table::rules_for;
use crate::diag::Diagnostic;
use crate::record::{Record, RecordKind};

pub mod app;
pub mod codes;
pub mod csv;
pub mod detect;
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

/// How many bytes detection looks at.
const HEAD_BYTES: usize = 64 * 1024;

/// Detects the format of `path` (unless `opts.format` says it) and reads it, sending records to
/// `sink`. Problems with the content, and a file that cannot be opened, become diagnostics.
pub fn read_path(
    path: &Path,
    name: Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> FileReport {
    let mut diagnostics = Vec::new();
    let mut report = match read_path_to(path, name.clone(), opts, sink, &mut diagnostics) {
        Ok(r) => r,
        Err(e) => {
            // Only the spill file can fail here (a Vec takes every finding).
            diagnostics.push(Diagnostic::new(
                &codes::UNREADABLE,
                &name,
                format!("reading stopped: the findings could not be kept: {e}"),
            ));
            FileReport {
                file: name,
                detection: Detection {
                    format: None,
                    by: "it could not be read to the end".into(),
                },
                records: 0,
                diagnostics: Vec::new(),
            }
        }
    };
    report.diagnostics = diagnostics;
    report
}

/// Like [`read_path`], but the findings stream to `out` in their final order (sorted, labels
/// located) as the file is read, instead of being collected: memory does not grow with their
/// number. The returned report's `diagnostics` is empty. An error is `out`'s own (or the
/// temporary file that holds findings waiting for their turn); reading stopped there.
pub fn read_path_to(
    path: &Path,
    name: Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    out: &mut dyn FindingSink,
) -> io::Result<FileReport> {
    let mut fail = |d: Diagnostic, by: &str| -> io::Result<FileReport> {
        let detection = Detection {
            format: None,
            by: by.into(),
        };
        out.detected(&detection);
        out.finding(d)?;
        Ok(FileReport {
            file: name.clone(),
            detection,
            records: 0,
            diagnostics: Vec::new(),
        })
    };
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let opened = File::open(path).and_then(|f| {
        f.take(HEAD_BYTES as u64).read_to_end(&mut head)?;
        Ok(())
    });
    if let Err(e) = opened {
        return fail(
            Diagnostic::new(
                &codes::UNREADABLE,
                &name,
                format!("cannot read the file: {e}"),
            ),
            "it could not be read",
        );
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return fail(
            Diagnostic::new(
                &codes::UTF16,
                &name,
                "the file is UTF-16; Kaltura reads bulk files as UTF-8 and would see garbage",
            )
            .help("save the file as UTF-8 (a UTF-8 BOM is fine)"),
            "its UTF-16 byte-order mark",
        );
    }
    let detection = match opts.format {
        Some(f) => Detection {
            format: Some(f),
            by: "--format-in".into(),
        },
        None => detect(&head, path),
    };
    out.detected(&detection);
    let Some(format) = detection.format else {
        let d = Diagnostic::new(&codes::UNKNOWN_FORMAT, &name, format!("kbulk cannot tell what kind of bulk file this is: {}", detection.by))
            .help("kbulk reads resource/event/entry CSVs (with a `*` header), iCal, mrss XML, JSON Lines and App Registry apps (JSON Lines, CSV); name the format with --format-in if detection is wrong");
        out.finding(d)?;
        return Ok(FileReport {
            file: name,
            detection,
            records: 0,
            diagnostics: Vec::new(),
        });
    };
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3u64
    } else {
        0
    };
    let mut findings = Findings::new(name.clone(), Some(path), out);
    let diagnostics = &mut findings;
    let result = (|| -> io::Result<u64> {
        let mut f = BufReader::with_capacity(1 << 16, File::open(path)?);
        io::copy(&mut (&mut f).take(bom), &mut io::sink())?;
        match format {
            Format::ResourceCsv => csv::resource::read(f, bom, &name, opts, sink, diagnostics),
            Format::JsonLines => jsonl::read(f, bom, &name, opts, sink, diagnostics),
            Format::EntryCsv => csv::entry::read(f, bom, &name, opts, sink, diagnostics),
            Format::MrssXml => xml::reader::read(f, bom, &name, opts, sink, diagnostics),
            Format::Ical => ics::read(f, bom, &name, opts, sink, diagnostics),
            Format::EventCsv => csv::event::read(f, bom, &name, opts, sink, diagnostics),
            Format::CategoryCsv
            | Format::UserCsv
            | Format::CategoryUserCsv
            | Format::CategoryEntryCsv => {
                let spec = format.table().expect("a simple CSV kind");
                // The kind's rules, until one driver hands every reader its rules.
                let mut rules = rules_for(spec.kind, name.clone(), opts.max_records)
                    .expect("rules for every simple kind");
                csv::table::read(spec, f, bom, &name, opts, sink, diagnostics, &mut *rules)
            }
            Format::AppJsonl => app::jsonl::read(f, bom, &name, opts, sink, diagnostics),
            Format::AppCsv => app::csv::read(f, bom, &name, opts, sink, diagnostics),
        }
    })();
    if let Err(e) = &result
        && !findings.failed()
    {
        findings.push(Diagnostic::new(
            &codes::UNREADABLE,
            &name,
            format!("reading stopped: {e}"),
        ));
    }
    findings.finish()?;
    Ok(FileReport {
        file: name,
        detection,
        records: result.unwrap_or(0),
        diagnostics: Vec::new(),
    })
}
