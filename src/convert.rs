//! Conversion: records read by any reader are written by the writer of the target format.
//! Nothing converts one format into another directly.
use std::io::{self, Write};
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::formats::Sink;
use crate::formats::codes;
use crate::formats::csv::resource_writer::ResourceCsvWriter;
use crate::record::{JsonRecord, Record, RecordData};

/// The formats `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Normalized JSON Lines (any kind).
    Jsonl,
    /// The kind's Kaltura CSV (schedule resources: canonical resource CSV).
    Csv,
}

enum Writer<W: Write> {
    Jsonl(W),
    ResourceCsv(ResourceCsvWriter<W>),
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
            Target::Csv => Writer::ResourceCsv(ResourceCsvWriter::new(out)),
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
        }
        Ok((self.written, self.diagnostics))
    }

    /// Records that could not be written (file, row), in order.
    pub fn skipped(&self) -> &[(Arc<str>, u64)] {
        &self.skipped
    }

    fn write(&mut self, r: &Record) -> io::Result<()> {
        match (&mut self.writer, &r.data) {
            (Writer::Jsonl(w), _) => {
                serde_json::to_writer(&mut *w, &JsonRecord::from(r))?;
                w.write_all(b"\n")
            }
            (Writer::ResourceCsv(w), RecordData::ScheduleResource(res)) => {
                w.write(res, &r.origin, &mut self.diagnostics)
            }
            _ => Ok(()),
        }
    }
}

impl<W: Write> Sink for ConvertSink<W> {
    fn record(&mut self, record: Record) {
        if self.error.is_some() {
            return;
        }
        match self.write(&record) {
            Ok(()) => self.written += 1,
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
