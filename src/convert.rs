//! Conversion: records read by any reader are written by the writer of the target format.
//! Nothing converts one format into another directly.
use std::io::{self, Write};
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::formats::Sink;
use crate::formats::app::writer::CsvWriter as AppCsvWriter;
use crate::formats::codes;
use crate::formats::csv::entry_writer::EntryCsvWriter;
use crate::formats::csv::event_writer::EventCsvWriter;
use crate::formats::csv::resource_writer::ResourceCsvWriter;
use crate::formats::csv::table_writer::TableCsvWriter;
use crate::formats::ics::{Dialect, IcsWriter};
use crate::formats::xml::writer::{XmlWriter, dropped};
use crate::record::{JsonRecord, Record, RecordData, RecordKind, category, category_user, user};

/// The formats `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Normalized JSON Lines (any kind).
    Jsonl,
    /// The kind's Kaltura CSV, chosen by the first record: canonical resource CSV, schedule-event
    /// CSV or entry CSV V3.
    Csv,
    /// An XML bulk upload (`<mrss>`; entries only).
    Xml,
    /// iCal (.ics) in the given dialect (schedule events only).
    Ics {
        /// Kaltura's reader or RFC 5545.
        dialect: Dialect,
    },
}

enum Writer<W: Write> {
    /// The CSV writer is chosen by the kind of the first record.
    CsvPending(W),
    Jsonl(W),
    ResourceCsv(ResourceCsvWriter<W>),
    EntryCsv(EntryCsvWriter<W>),
    EventCsv(EventCsvWriter<W>),
    /// Category, user, category-user and category-entry CSVs.
    TableCsv(TableCsvWriter<W>),
    AppCsv(Box<AppCsvWriter<W>>),
    Xml(XmlWriter<W>),
    Ics(IcsWriter<W>),
    /// Only while switching writers.
    Taken,
}

/// A [`Sink`] that writes every record it receives in the target format and reports what it
/// cannot carry. Call [`ConvertSink::finish`] at the end.
pub struct ConvertSink<W: Write> {
    writer: Writer<W>,
    /// Findings made while writing.
    pub diagnostics: Vec<Diagnostic>,
    /// Records written.
    pub written: u64,
    error: Option<io::Error>,
    skipped: Vec<(Arc<str>, u64)>,
}

impl<W: Write> ConvertSink<W> {
    /// A converter writing `target` to `out`.
    pub fn new(target: Target, out: W) -> Self {
        let writer = match target {
            Target::Jsonl => Writer::Jsonl(out),
            Target::Csv => Writer::CsvPending(out),
            Target::Xml => Writer::Xml(XmlWriter::new(out)),
            Target::Ics { dialect } => Writer::Ics(IcsWriter::new(out, dialect)),
        };
        ConvertSink {
            writer,
            diagnostics: Vec::new(),
            written: 0,
            error: None,
            skipped: Vec::new(),
        }
    }

    /// Flushes the output; returns the first I/O error met while writing, if any.
    pub fn finish(self) -> io::Result<(u64, Vec<Diagnostic>)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.writer {
            Writer::Jsonl(mut w) => w.flush()?,
            // No record: the resource header, as before entries existed.
            Writer::CsvPending(w) => {
                ResourceCsvWriter::new(w).finish()?;
            }
            Writer::ResourceCsv(w) => {
                w.finish()?;
            }
            Writer::EntryCsv(w) => {
                w.finish()?;
            }
            Writer::EventCsv(w) => {
                w.finish()?;
            }
            Writer::TableCsv(w) => {
                w.finish()?;
            }
            Writer::AppCsv(w) => w.finish()?,
            Writer::Xml(w) => {
                w.finish()?;
            }
            Writer::Ics(w) => {
                w.finish()?;
            }
            Writer::Taken => {}
        }
        Ok((self.written, self.diagnostics))
    }

    /// Records that could not be written (file, row), in order.
    pub fn skipped(&self) -> &[(Arc<str>, u64)] {
        &self.skipped
    }

    /// Writes one record; `Ok(false)` when the target cannot carry it.
    fn write(&mut self, r: &Record) -> io::Result<bool> {
        if let Writer::CsvPending(_) = self.writer
            && let Writer::CsvPending(out) = std::mem::replace(&mut self.writer, Writer::Taken)
        {
            self.writer = match r.data.kind() {
                RecordKind::Category => Writer::TableCsv(TableCsvWriter::new(&category::SPEC, out)),
                RecordKind::User => Writer::TableCsv(TableCsvWriter::new(&user::SPEC, out)),
                RecordKind::CategoryUser => {
                    Writer::TableCsv(TableCsvWriter::new(&category_user::SPEC, out))
                }
                RecordKind::CategoryEntry => {
                    Writer::TableCsv(TableCsvWriter::new(&category_user::ENTRY_SPEC, out))
                }
                RecordKind::Entry => Writer::EntryCsv(EntryCsvWriter::new(out)),
                RecordKind::ScheduleEvent => Writer::EventCsv(EventCsvWriter::new(out)),
                RecordKind::App => Writer::AppCsv(Box::new(AppCsvWriter::new(out))),
                _ => Writer::ResourceCsv(ResourceCsvWriter::new(out)),
            };
        }
        match (&mut self.writer, &r.data) {
            (Writer::Jsonl(w), _) => {
                serde_json::to_writer(&mut *w, &JsonRecord::from(r))?;
                w.write_all(b"\n")?;
                Ok(true)
            }
            (Writer::ResourceCsv(w), RecordData::ScheduleResource(res)) => {
                w.write(res, &r.origin, &mut self.diagnostics)?;
                Ok(true)
            }
            (Writer::EntryCsv(w), RecordData::Entry(e)) => {
                w.write(e, &r.origin, &mut self.diagnostics)
            }
            (Writer::Xml(w), RecordData::Entry(e)) => w.write(e, &r.origin, &mut self.diagnostics),
            (Writer::TableCsv(w), data) if w.takes(data) => {
                w.write(data, &r.origin, &mut self.diagnostics)
            }
            (Writer::EventCsv(w), RecordData::ScheduleEvent(e)) => {
                w.write(e, &r.origin, &mut self.diagnostics)
            }
            (Writer::AppCsv(w), RecordData::App(a)) => {
                w.write(a)?;
                Ok(true)
            }
            (Writer::Ics(w), RecordData::ScheduleEvent(e)) => {
                w.write(e, &r.origin, &mut self.diagnostics)
            }
            (w, data) => {
                let target = match w {
                    Writer::Xml(_) => "an XML bulk upload",
                    Writer::EntryCsv(_) => "an entry CSV",
                    Writer::EventCsv(_) => "a schedule-event CSV",
                    Writer::AppCsv(_) => "an App CSV",
                    Writer::Ics(_) => "an iCal file",
                    Writer::TableCsv(w) => w.title(),
                    _ => "a resource CSV",
                };
                self.diagnostics.push(
                    dropped(
                        &r.origin,
                        target,
                        &format!("this {} record", data.kind().as_str()),
                    )
                    .severity(crate::diag::Severity::Error),
                );
                Ok(false)
            }
        }
    }
}

impl<W: Write> Sink for ConvertSink<W> {
    fn record(&mut self, record: Record) {
        if self.error.is_some() {
            return;
        }
        match self.write(&record) {
            Ok(true) => self.written += 1,
            Ok(false) => self
                .skipped
                .push((record.origin.file.clone(), record.origin.row)),
            Err(e) => self.error = Some(e),
        }
    }
}

/// The diagnostic that says rows of a file were not carried into the output.
pub fn not_carried(file: &Arc<str>, rows_read: u64, written: u64) -> Option<Diagnostic> {
    let missing = rows_read.checked_sub(written).filter(|&m| m > 0)?;
    Some(
        Diagnostic::new(
            &codes::NOT_CARRIED,
            file,
            format!(
                "{missing} of {rows_read} records could not be converted and are not in the output"
            ),
        )
        .help("the errors above say why; fix them and convert again"),
    )
}
