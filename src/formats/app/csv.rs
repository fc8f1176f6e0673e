//! App CSV: RFC 4180 rows under a header of App fields (`appCustomId,appCustomName,appType,
//! status,organizationDomain.organizationId,organizationDomain.domain,...`), nested fields as
//! dotted names; every cell keeps its span for the findings about it. An empty cell is an absent
//! field.
use std::io::{self, Read};
use std::sync::Arc;

use csv_core::{ReadFieldResult, Reader};

use super::{Checker, set_text, unknown_field, wrong_type};
use crate::formats::{Findings, ReadOptions, Sink};
use crate::record::app::AppField;
use crate::record::locs::AppLocs;
use crate::record::{App, Record, RecordData};
use crate::source::{LineCol, Origin, Place, Span};

/// Rows read between two flushes of the findings.
const FLUSH_ROWS: u64 = 1024;

/// One cell: its unquoted value and where its text is.
struct Cell {
    value: String,
    place: Place,
}

/// Splits `data` into records of cells; `base` is the file offset of `data[0]`.
struct Cells<'a> {
    data: &'a [u8],
    base: u64,
    pos: usize,
    line: u64,
    /// Byte offset of the start of the current line.
    line_start: usize,
    reader: Reader,
}

impl<'a> Cells<'a> {
    fn new(data: &'a [u8], base: u64) -> Self {
        Cells {
            data,
            base,
            pos: 0,
            line: 1,
            line_start: 0,
            reader: Reader::new(),
        }
    }

    /// Moves the line count over `data[from..to]`.
    fn advance(&mut self, from: usize, to: usize) {
        for (i, &b) in self.data[from..to].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = from + i + 1;
            }
        }
    }

    /// The next record: its line, span and cells; `None` at the end.
    fn next_record(&mut self) -> Option<(Place, Vec<Cell>)> {
        let mut cells = Vec::new();
        let mut out = vec![0u8; 1024];
        let mut record_start: Option<(usize, LineCol)> = None;
        loop {
            let start = self.pos;
            let at = LineCol {
                line: self.line,
                column: String::from_utf8_lossy(&self.data[self.line_start..start])
                    .chars()
                    .count() as u64
                    + 1,
            };
            let mut value = Vec::new();
            let (result, consumed) = loop {
                let (res, nin, nout) = self.reader.read_field(&self.data[self.pos..], &mut out);
                value.extend_from_slice(&out[..nout]);
                self.pos += nin;
                match res {
                    ReadFieldResult::OutputFull => continue,
                    ReadFieldResult::InputEmpty if self.pos >= self.data.len() => {
                        // Flush the last field of a file without a final line break.
                        let (res, nin, nout) = self.reader.read_field(&[], &mut out);
                        value.extend_from_slice(&out[..nout]);
                        self.pos += nin;
                        break (res, self.pos - start);
                    }
                    ReadFieldResult::InputEmpty => continue,
                    other => break (other, self.pos - start),
                }
            };
            let record_end = match result {
                ReadFieldResult::Field { record_end } => record_end,
                _ => {
                    if cells.is_empty() {
                        return None;
                    }
                    true
                }
            };
            let mut text_end = start + consumed;
            while text_end > start && matches!(self.data[text_end - 1], b'\n' | b'\r') {
                text_end -= 1;
            }
            if !record_end && text_end > start && self.data[text_end - 1] == b',' {
                text_end -= 1;
            }
            record_start.get_or_insert((start, at));
            cells.push(Cell {
                value: String::from_utf8_lossy(&value).into_owned(),
                place: Place {
                    span: Span::new(self.base + start as u64, self.base + text_end as u64),
                    at,
                },
            });
            let end_of_text = text_end;
            self.advance(start, start + consumed);
            if record_end {
                let (s, at) = record_start.unwrap_or((start, at));
                let place = Place {
                    span: Span::new(self.base + s as u64, self.base + end_of_text as u64),
                    at,
                };
                return Some((place, cells));
            }
        }
    }
}

/// The header's cells and every data row's cells by row number, split exactly as [`read`] splits
/// them (blank records skipped, the first other record is the header): what a results file
/// echoes.
pub fn rows(data: &[u8]) -> (Vec<String>, Vec<(u64, Vec<String>)>) {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut cells = Cells::new(data, 0);
    let mut header = None;
    let mut rows = Vec::new();
    while let Some((_, record)) = cells.next_record() {
        if record.iter().all(|c| c.value.trim().is_empty()) {
            continue;
        }
        let values: Vec<String> = record.into_iter().map(|c| c.value).collect();
        if header.is_none() {
            header = Some(values);
        } else {
            rows.push((rows.len() as u64 + 1, values));
        }
    }
    (header.unwrap_or_default(), rows)
}

/// Reads an App CSV from `input` (positioned at file offset `offset`), checking each app.
/// Returns the number of apps read. App registries hold thousands of apps, not millions: the
/// file is read whole.
pub fn read(
    mut input: impl Read,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    let mut cells = Cells::new(&data, offset);
    let mut checker = Checker::new(file, opts.apps_against.as_deref());
    let mut header: Option<Vec<Option<AppField>>> = None;
    let mut rows = 0u64;
    while let Some((place, record)) = cells.next_record() {
        if record.iter().all(|c| c.value.trim().is_empty()) {
            continue;
        }
        let Some(columns) = &header else {
            header = Some(columns_of(&record, file, diags));
            continue;
        };
        rows += 1;
        if rows.is_multiple_of(FLUSH_ROWS) {
            diags.flush(place.span.start)?;
        }
        let mut app = App::default();
        let mut locs = AppLocs::whole(place);
        for (i, cell) in record.iter().enumerate() {
            let Some(column) = columns.get(i) else {
                if !cell.value.is_empty() {
                    diags.push(
                        unknown_field(file, rows, cell.place, &format!("column {}", i + 1)).help(
                            "this cell has no column in the header: add one or remove the cell",
                        ),
                    );
                }
                continue;
            };
            let Some(field) = column else { continue };
            locs.set(*field, cell.place);
            if cell.value.is_empty() {
                continue;
            }
            if let Err(msg) = set_text(&mut app, *field, cell.value.clone()) {
                diags.push(wrong_type(
                    file,
                    rows,
                    cell.place,
                    format!("{}: {msg}", field.name()),
                ));
            }
        }
        checker.app(&app, &locs, rows, diags);
        let raw = opts.keep_raw.then(|| {
            let (a, b) = (
                (place.span.start - offset) as usize,
                (place.span.end - offset) as usize,
            );
            Arc::from(String::from_utf8_lossy(&data[a..b]).as_ref())
        });
        sink.record(Record {
            origin: Origin {
                file: file.clone(),
                span: place.span,
                line: place.at.line,
                row: rows,
                raw,
            },
            data: RecordData::App(app),
        });
    }
    checker.finish(diags);
    Ok(rows)
}

/// The fields of the header's columns (`None`: a column whose values are dropped, reported).
fn columns_of(
    record: &[Cell],
    file: &Arc<str>,
    diags: &mut Vec<crate::diag::Diagnostic>,
) -> Vec<Option<AppField>> {
    record
        .iter()
        .map(|c| {
            let name = c.value.trim();
            match AppField::from_name(name) {
                Some(AppField::OrganizationDomain) | None => {
                    let mut d = unknown_field(file, 0, c.place, name);
                    d.row = None;
                    if name == "organizationDomain" {
                        d = d.help("organizationDomain is an object: use the columns organizationDomain.organizationId and organizationDomain.domain");
                    }
                    diags.push(d);
                    None
                }
                f => f,
            }
        })
        .collect()
}

/// True when `head` (the start of a file, BOM removed) looks like an App CSV: its first line
/// names `appCustomId` as a column.
pub fn sniff(head: &[u8]) -> bool {
    let first = head
        .split(|&b| b == b'\n')
        .find(|l| !l.trim_ascii().is_empty());
    first.is_some_and(|l| {
        l.split(|&b| b == b',')
            .any(|c| c.trim_ascii().trim_ascii_matches_quotes() == b"appCustomId")
    })
}

trait TrimQuotes {
    fn trim_ascii_matches_quotes(&self) -> &[u8];
}

impl TrimQuotes for [u8] {
    fn trim_ascii_matches_quotes(&self) -> &[u8] {
        let s = self.strip_prefix(b"\"").unwrap_or(self);
        s.strip_suffix(b"\"").unwrap_or(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_have_spans_lines_and_columns() {
        let data = b"a,\"b,\"\"c\"\"\"\r\nxy,\n\"multi\nline\",z";
        let mut c = Cells::new(data, 3);
        let (p, r) = c.next_record().unwrap();
        assert_eq!(p.at.line, 1);
        assert_eq!(r[1].value, "b,\"c\"");
        assert_eq!(r[1].place.span, Span::new(5, 14));
        let (_, r) = c.next_record().unwrap();
        assert_eq!(r[0].value, "xy");
        assert_eq!(r[1].value, "");
        assert_eq!(r[1].place.at.column, 4);
        let (p, r) = c.next_record().unwrap();
        assert_eq!((p.at.line, r[0].value.as_str()), (3, "multi\nline"));
        assert_eq!((r[1].place.at.line, r[1].place.at.column), (4, 7));
        assert!(c.next_record().is_none());
        assert!(sniff(b"\n\"appCustomId\",appType\n"));
        assert!(!sniff(b"*action,name\n"));
    }
}
