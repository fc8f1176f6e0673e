//! Schedule-event CSV on the bulk route: jobs of the schedule bulk service's `addScheduleEvents`
//! with `KalturaBulkUploadScheduleEventCsvJobData` (kaltura-formats §1.1, §4). The engine only
//! creates (action 1) and has no `maxRecords` check, so a job is simply the file's `*` header
//! and at most `--max-records` of its rows, in file order, each row's cells as PHP's `fgetcsv`
//! reads them (so the log's re-split `rowData` matches them). A row under another header than
//! the job's starts the next job. The log is the CSV log of §9.3, matched by content.
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use super::jobs::JobKind;
use super::journal::{PiecePlan, SentRow};
use super::{Route, SubmitError};
use crate::formats::csv::{CsvRecord, LineClass, PhpCsvReader, classify};
use crate::submit::preflight::Checked;

/// One data row: its `lineIndex`, the header in force and its cells as read.
#[derive(Debug, Clone)]
pub struct Row {
    /// `lineIndex` (1-based, data rows only).
    pub line: u64,
    /// The `*` header above it.
    pub header: Arc<Vec<String>>,
    /// Its cells.
    pub cells: Vec<String>,
}

/// Every data row of the file at `path`.
pub fn read(path: &Path) -> io::Result<Vec<Row>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    let skip = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut reader = PhpCsvReader::new(&bytes[skip..], skip as u64, 64 << 20);
    let mut rec = CsvRecord::default();
    let mut header = Arc::new(Vec::new());
    let mut rows = Vec::new();
    let mut line = 0;
    let cells = |rec: &CsvRecord| -> Vec<String> {
        (0..rec.cells.len())
            .map(|i| String::from_utf8_lossy(rec.value(i)).into_owned())
            .collect()
    };
    while reader.read_record(&mut rec)? {
        match classify(&rec) {
            LineClass::Header => header = Arc::new(cells(&rec)),
            LineClass::Data => {
                line += 1;
                rows.push(Row {
                    line,
                    header: Arc::clone(&header),
                    cells: cells(&rec),
                });
            }
            _ => {}
        }
    }
    Ok(rows)
}

/// The next job's rows: at most `max`, in file order, under one header. Never empty when
/// `pending` is not.
pub fn next_piece(pending: &[Row], max: usize) -> usize {
    let Some(first) = pending.first() else {
        return 0;
    };
    pending
        .iter()
        .take(max.max(1))
        .take_while(|r| r.header == first.header)
        .count()
}

/// The CSV file of a job: the header, then the rows.
pub fn body(rows: &[Row]) -> String {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    if let Some(first) = rows.first().filter(|r| !r.header.is_empty()) {
        let _ = w.write_record(first.header.iter());
    }
    for r in rows {
        let _ = w.write_record(&r.cells);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

impl Route<'_, '_> {
    /// Sends one event CSV (or, `kind` [`JobKind::EntryCsv`], entry CSV) through the bulk
    /// engine; `false` when the run stops (a job left open or failed as a whole).
    pub(super) fn csv_input(
        &mut self,
        c: &Checked,
        input: u32,
        tag: &str,
        kind: JobKind,
    ) -> Result<bool, SubmitError> {
        let states = self.states(input)?;
        let mut pending: Vec<Row> = read(&c.path)
            .map_err(|e| SubmitError::Config(format!("{}: {e}", c.name)))?
            .into_iter()
            .filter(|r| {
                matches!(
                    states.get(&r.line),
                    Some((super::RowState::Planned, _)) | Some((super::RowState::Failed, true))
                )
            })
            .collect();
        let stem = c
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "events.csv".into());
        while !pending.is_empty() {
            if self.stopped() {
                return Ok(false);
            }
            let n = next_piece(&pending, self.bulk.max_records as usize);
            let rows: Vec<Row> = pending.drain(..n).collect();
            let seq = self.journal.pieces().map_err(SubmitError::journal)?.len() + 1;
            let plan = PiecePlan {
                input,
                file_name: format!("{stem}.kbulk-{tag}-{seq}.csv"),
                body: body(&rows),
                rows: rows
                    .iter()
                    .map(|r| SentRow {
                        row: r.line,
                        cells: r.cells.clone(),
                        action: "add".into(),
                        parent: None,
                    })
                    .collect(),
                job: kind,
            };
            let piece = self
                .journal
                .add_piece(&plan)
                .map_err(SubmitError::journal)?;
            if !matches!(self.run(piece, false)?, super::End::Closed) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_keep_the_header_and_cut_at_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.csv");
        std::fs::write(
            &path,
            "*action,title,tags\n1,A,\"x,y\"\n1,B,\n*action,title\n1,C\n",
        )
        .unwrap();
        let rows = read(&path).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].cells, ["1", "A", "x,y"]);
        assert_eq!(next_piece(&rows, 10), 2);
        assert_eq!(next_piece(&rows, 1), 1);
        assert_eq!(body(&rows[..2]), "*action,title,tags\n1,A,\"x,y\"\n1,B,\n");
    }
}
