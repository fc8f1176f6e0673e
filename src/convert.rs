//! Conversion: records read by any reader are written by the writer of the target format.
//! Nothing converts one format into another directly.
use std::io::{self, Write};
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::formats::Sink;
use crate::formats::codes;
use crate::formats::csv::event_writer::EventCsvWriter;
use crate::formats::csv::resource_writer::ResourceCsvWriter;
use crate::formats::ics::{Dialect, IcsWriter};
use crate::record::{JsonRecord, Record, RecordData};

/// The formats `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Normalized JSON Lines (any kind).
    Jsonl,
    /// The kind's Kaltura CSV (schedule resources: canonical resource CSV; schedule events:
    /// schedule-event CSV), chosen by the first record.
    Csv,
    /// iCal (.ics) in the given dialect (schedule events only).
    Ics {
        /// Kaltura's reader or RFC 5545.
        dialect: Dialect,
    },
}

enum Writer<W: Write> {
    Jsonl(W),
    /// CSV whose kind is not known until the first record.
    PendingCsv(Option<W>),
    ResourceCsv(ResourceCsvWriter<W>),
    EventCsv(EventCsvWriter<W>),
    Ics(IcsWriter<W>),
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
            Target::Csv => Writer::PendingCsv(Some(out)),
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
            Writer::ResourceCsv(w) => {
                w.finish()?;
            }
            Writer::PendingCsv(Some(w)) => {
                ResourceCsvWriter::new(w).finish()?;
            }
            Writer::PendingCsv(None) => {}
            Writer::EventCsv(w) => {
                w.finish()?;
            }
            Writer::Ics(w) => {
                w.finish()?;
            }
        }
        Ok((self.written, self.diagnostics))
    }

    /// Records that could not be written (file, row), in order.
    pub fn skipped(&self) -> &[(Arc<str>, u64)] {
        &self.skipped
    }

    /// Writes one record; `Ok(false)` when the target cannot carry it.
    fn write(&mut self, r: &Record) -> io::Result<bool> {
        if let Writer::PendingCsv(out) = &mut self.writer
            && let Some(out) = out.take()
        {
            self.writer = match r.data {
                RecordData::ScheduleEvent(_) => Writer::EventCsv(EventCsvWriter::new(out)),
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
            (Writer::EventCsv(w), RecordData::ScheduleEvent(e)) => {
                w.write(e, &r.origin, &mut self.diagnostics)
            }
            (Writer::Ics(w), RecordData::ScheduleEvent(e)) => {
                w.write(e, &r.origin, &mut self.diagnostics)
            }
            _ => Ok(false),
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
