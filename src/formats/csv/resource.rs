//! Reads schedule-resource CSVs exactly as `BulkUploadScheduleResourceEngineCsv` does and maps
//! every data row to a [`ScheduleResource`], in parallel chunks with a deterministic order.
use std::io::{self, Read};
use std::sync::Arc;

use rayon::prelude::*;

use super::cells::CsvLocs;
use super::codes as csv_codes;
use super::php::{CsvChunk, PhpCsvReader, RecordRef};
pub use super::resource_header::ColumnMap;
use super::resource_header::{comment_rule, read_header};
use super::{LineClass, classify, intended_trim};
use crate::diag::Diagnostic;
use crate::formats::feed::{Checks, Chunk, Feed, Resources, Row};
use crate::formats::{Findings, ReadOptions};
use crate::record::codes::resource as codes;
use crate::record::locs::{FieldPlaces, ResourceLocs};
use crate::record::resource::{ResourceAction, ResourceField, ResourceType, ResourceView};
use crate::source::{LineCol, Span};

/// Rows read before each parallel mapping step.
const CHUNK_ROWS: usize = 8192;
/// Longest row kbulk reads in one piece.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

impl FieldPlaces for Job<'_> {
    fn span(&self, field: ResourceField) -> Option<Span> {
        let cols = self.cols.as_deref()?;
        let i = cols.index[field.index()].filter(|&i| i < self.rec.cells().len())?;
        Some(CsvLocs { rec: self.rec }.span(i))
    }

    fn locate(&self, offset: u64) -> LineCol {
        CsvLocs { rec: self.rec }.at(offset)
    }
}

/// A data row waiting to be mapped.
struct Job<'a> {
    rec: RecordRef<'a>,
    row: u64,
    cols: Option<Arc<ColumnMap>>,
    utf8: bool,
}

/// Reads a resource CSV from `input` (positioned after any BOM, at file offset `offset`),
/// handing its rows to `feed` and its findings to `diags`. Returns the number of data rows.
///
/// With more than one worker thread, a reader thread tokenizes the next chunk while this one
/// checks the current chunk.
pub fn read(
    input: impl Read + Send,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    feed: &mut dyn Feed<Resources>,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let mut reader = PhpCsvReader::new(input, offset, MAX_RECORD_BYTES);
    let mut state = FileState {
        file,
        opts,
        cols: None,
        rows: 0,
        reported_no_header: false,
        saw_header: false,
    };
    if rayon::current_num_threads() > 1 {
        std::thread::scope(|scope| -> io::Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<CsvChunk>>(2);
            let (recycle_tx, recycle_rx) = std::sync::mpsc::channel::<CsvChunk>();
            scope.spawn(move || {
                loop {
                    let mut chunk = recycle_rx.try_recv().unwrap_or_default();
                    let next = match reader.read_chunk(&mut chunk, CHUNK_ROWS) {
                        Ok(true) => Ok(chunk),
                        Ok(false) => break,
                        Err(e) => Err(e),
                    };
                    let failed = next.is_err();
                    if tx.send(next).is_err() || failed {
                        break;
                    }
                }
            });
            for chunk in rx {
                let chunk = chunk?;
                state.process(&chunk, feed, diags)?;
                let _ = recycle_tx.send(chunk);
            }
            Ok(())
        })?;
    } else {
        let mut chunk = CsvChunk::default();
        while reader.read_chunk(&mut chunk, CHUNK_ROWS)? {
            state.process(&chunk, feed, diags)?;
        }
    }
    Ok(state.finish(diags))
}

/// What reading one file carries from chunk to chunk.
struct FileState<'f> {
    file: &'f Arc<str>,
    opts: &'f ReadOptions,
    cols: Option<Arc<ColumnMap>>,
    rows: u64,
    reported_no_header: bool,
    saw_header: bool,
}

impl FileState<'_> {
    /// Classifies the chunk's records in order, maps its data rows in parallel, and hands
    /// them to `feed` (later records report inside themselves: the chunk's end is the
    /// watermark).
    fn process(
        &mut self,
        chunk: &CsvChunk,
        feed: &mut dyn Feed<Resources>,
        diags: &mut Findings<'_>,
    ) -> io::Result<()> {
        let file = self.file;
        let mut jobs = Vec::with_capacity(chunk.len());
        for rec in chunk.iter() {
            let utf8 = record_level(rec, file, diags);
            match classify(&rec) {
                LineClass::Empty => {}
                LineClass::Header => {
                    self.cols = Some(Arc::new(read_header(rec, file, self.saw_header, diags)));
                    self.saw_header = true;
                }
                LineClass::Comment => comment_rule(rec, self.cols.as_deref(), file, diags),
                LineClass::Data => {
                    self.rows += 1;
                    jobs.push(Job {
                        rec,
                        row: self.rows,
                        cols: self.cols.clone(),
                        utf8,
                    });
                }
            }
        }
        let keep_raw = feed.wants_records().then_some(self.opts.keep_raw);
        let mut rows: Vec<Row<Resources>> = jobs
            .par_iter()
            .map(|j| map_row(j, file, keep_raw))
            .collect();
        if !self.reported_no_header
            && let Some((job, row)) = jobs.iter().zip(&mut rows).find(|(j, _)| j.cols.is_none())
        {
            self.reported_no_header = true;
            let p = row.locs.row;
            row.findings.insert(
                0,
                Diagnostic::new(&codes::NO_HEADER, file, "this data row comes before any `*` header: the server has no column map for it and every field is empty")
                    .label(p.span, p.at, "no header above this row")
                    .row(job.row)
                    .help("start the file with a header such as `*action,name,type,systemName,description,tags,parentType,parentSystemName`"),
            );
        }
        let watermark = chunk.end();
        feed.chunk(Chunk { rows, watermark }, diags)
    }

    /// Reports an empty file; returns the number of data rows.
    fn finish(self, diags: &mut Findings<'_>) -> u64 {
        if self.saw_header && self.rows == 0 {
            diags.push(Diagnostic::new(
                &codes::NO_DATA,
                self.file,
                "the file has a header but no data rows",
            ));
        }
        self.rows
    }
}

/// Findings about the record's syntax, whatever its class. Returns whether it is valid UTF-8.
pub(crate) fn record_level(rec: RecordRef, file: &Arc<str>, diags: &mut Findings<'_>) -> bool {
    let locs = CsvLocs { rec };
    if rec.unterminated()
        && let Some(i) = rec.cells().len().checked_sub(1)
    {
        let p = locs.cell(i);
        diags.push(
            Diagnostic::new(
                &csv_codes::UNTERMINATED_QUOTE,
                file,
                "this quote is never closed: the rest of the file becomes one cell",
            )
            .label(
                Span::new(p.span.start, p.span.start + 1),
                p.at,
                "opened here",
            )
            .help("close the quote, and write a literal quote inside a quoted cell as \"\""),
        );
    }
    if rec.truncated() {
        let p = locs.row();
        diags.push(
            Diagnostic::new(
                &csv_codes::RECORD_TOO_LONG,
                file,
                format!(
                    "this row is longer than {} MiB and was cut",
                    MAX_RECORD_BYTES >> 20
                ),
            )
            .label(
                Span::new(p.span.start, p.span.start + 1),
                p.at,
                "row starts here",
            ),
        );
    }
    for (i, c) in rec.cells().iter().enumerate() {
        if c.backslash_quote {
            let raw = &rec.raw()[c.raw.clone()];
            let at = memchr::memmem::find(raw, b"\\\"").unwrap_or(0);
            let start = rec.offset() + (c.raw.start + at) as u64;
            diags.push(
                Diagnostic::new(&csv_codes::BACKSLASH_QUOTE, file, "`\\\"` inside a quoted cell: PHP keeps the backslash and the quote does not end the cell")
                    .label(Span::new(start, start + 2), locs.at(start), "escaped quote")
                    .help(format!("cell {} may have swallowed the cells after it; avoid a backslash right before a quote", i + 1)),
            );
        }
    }
    let utf8 = std::str::from_utf8(rec.raw()).is_ok();
    if !utf8 {
        for (i, c) in rec.cells().iter().enumerate() {
            if let Err(e) = std::str::from_utf8(&rec.raw()[c.raw.clone()]) {
                let start = rec.offset() + (c.raw.start + e.valid_up_to()) as u64;
                let len = e.error_len().unwrap_or(1) as u64;
                let byte = rec.raw()[c.raw.start + e.valid_up_to()];
                diags.push(
                    Diagnostic::new(
                        &csv_codes::INVALID_UTF8,
                        file,
                        format!("cell {} is not valid UTF-8 (byte 0x{byte:02X})", i + 1),
                    )
                    .label(
                        Span::new(start, start + len),
                        locs.at(start),
                        "invalid byte",
                    )
                    .server("value with unknown encoding was passed")
                    .help("save the file as UTF-8"),
                );
            }
        }
    }
    utf8
}

/// PHP loose comparison of an action cell with 1, 2, 3 and 6 (empty and `0` mean add).
pub fn php_action(v: &str) -> Option<ResourceAction> {
    if v.is_empty() || v == "0" {
        return Some(ResourceAction::Add);
    }
    let n = php_numeric(v)?;
    [1u8, 2, 3, 6]
        .into_iter()
        .find(|&c| n == f64::from(c))
        .and_then(ResourceAction::from_code)
}

/// Parses a PHP numeric string (leading and trailing whitespace allowed, sign, decimals,
/// exponent); `None` when PHP 8 would not call it numeric.
pub fn php_numeric(v: &str) -> Option<f64> {
    let t = v.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C'));
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j) > 0 {
            i = j;
        }
    }
    if i != b.len() {
        return None;
    }
    t.parse::<f64>().ok()
}

/// The value of a cell as the server reads it (trimmed), checking that the server's byte-wise
/// trimming does not cut a character. `None` for an empty value.
fn cell_value<'a>(
    job: &Job<'a>,
    idx: usize,
    f: ResourceField,
    locs: &ResourceLocs,
    file: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a str> {
    let (rec, row) = (job.rec, job.row);
    let raw = rec.value(idx);
    let checked = if job.utf8 {
        // SAFETY: the whole record was validated as UTF-8 (`record_level`), and a value is a
        // slice of it cut at ASCII bytes (delimiters, quotes) or a concatenation of such
        // slices, so it is valid UTF-8 too.
        Ok(unsafe { std::str::from_utf8_unchecked(raw) })
    } else {
        std::str::from_utf8(raw)
    };
    let text = match checked {
        Ok(t) => t,
        // Invalid UTF-8 is reported by `record_level`; check what precedes the bad byte.
        Err(e) => std::str::from_utf8(&raw[..e.valid_up_to()]).unwrap_or_default(),
    };
    let (first, last) = (
        raw.first().copied().unwrap_or(b'x'),
        raw.last().copied().unwrap_or(b'x'),
    );
    let plain = |b: u8| b.is_ascii_graphic() || b >= 0xC3;
    if plain(first) && plain(last) {
        return (!text.is_empty()).then_some(text);
    }
    let intended = intended_trim(text);
    if text.len() == raw.len()
        && let Some(d) = super::trim_cut(
            &codes::TRIM_CORRUPTS_VALUE,
            raw,
            intended,
            file,
            locs.at(f),
            f.column(),
        )
    {
        diags.push(d.row(row));
    }
    (!intended.is_empty()).then_some(intended)
}

/// Maps one data row to a resource view, running the row's parse-time rules; with
/// `keep_raw` (records wanted), the row gets its origin (with its raw text if true).
fn map_row<'a>(job: &'a Job<'a>, file: &Arc<str>, keep_raw: Option<bool>) -> Row<'a, Resources> {
    let (rec, row) = (job.rec, job.row);
    let locs = CsvLocs { rec };
    let mut diags = Vec::new();
    let origin = keep_raw.map(|keep| super::cells::origin(rec, file, locs.row().span, row, keep));
    let Some(cols) = job.cols.as_deref() else {
        return Row {
            row,
            record: None,
            usable: false,
            checks: Checks::All,
            findings: diags,
            locs: ResourceLocs::whole(locs.row()),
            origin,
        };
    };
    let resolved = ResourceLocs {
        row: locs.row(),
        fields: Some(job as &dyn FieldPlaces),
    };
    let mut convertible = job.utf8;
    let value = |f: ResourceField, diags: &mut Vec<Diagnostic>| -> Option<&'a str> {
        let idx = cols.index[f.index()].filter(|&i| i < rec.cells().len())?;
        cell_value(job, idx, f, &resolved, file, diags)
    };
    let action_raw = value(ResourceField::Action, &mut diags);
    let resource_id_raw = value(ResourceField::ResourceId, &mut diags);
    let name = value(ResourceField::Name, &mut diags);
    let type_raw = value(ResourceField::Type, &mut diags);
    let system_name = value(ResourceField::SystemName, &mut diags);
    let description = value(ResourceField::Description, &mut diags);
    let tags = value(ResourceField::Tags, &mut diags);
    let parent_type_raw = value(ResourceField::ParentType, &mut diags);
    let parent_system_name = value(ResourceField::ParentSystemName, &mut diags);

    let at = |f: ResourceField| resolved.at(f);
    let Some(action) = php_action(action_raw.unwrap_or("")) else {
        let a = action_raw.unwrap_or_default();
        let p = at(ResourceField::Action);
        diags.push(
            Diagnostic::new(&codes::UNKNOWN_ACTION, file, format!("unknown action `{a}`: the server drops this row from its results without a word"))
                .label(p.span, p.at, "not 1, 2, 3 or 6")
                .row(row)
                .server(format!("Unknown action passed: [{a}]"))
                .help("use 1 (add), 2 (update), 3 (delete) or 6 (add or update)"),
        );
        return Row {
            row,
            record: None,
            usable: false,
            checks: Checks::All,
            findings: diags,
            locs: resolved,
            origin,
        };
    };
    let mut enum_value = |raw: Option<&str>,
                          f: ResourceField,
                          code,
                          prop: &str,
                          diags: &mut Vec<Diagnostic>|
     -> ResourceType {
        let Some(raw) = raw else {
            return ResourceType::Location;
        };
        if let Some(t) = ResourceType::parse(raw) {
            return t;
        }
        convertible = false;
        let p = at(f);
        let mut d = Diagnostic::new(code, file, format!("`{raw}` is not a resource type"))
            .label(p.span, p.at, "not location, camera or live_entry")
            .row(row)
            .server(format!("Wrong value passed for property {prop} [{raw}]"));
        d = match ResourceType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(raw.trim()))
        {
            Some(t) => d.help(format!(
                "did you mean `{}`? Types are case-sensitive",
                t.as_str()
            )),
            None => d.help("use location, camera or live_entry (empty means location)"),
        };
        diags.push(d);
        ResourceType::Location
    };
    let resource_type = enum_value(
        type_raw,
        ResourceField::Type,
        &codes::UNKNOWN_TYPE,
        "type",
        &mut diags,
    );
    let parent_type = enum_value(
        parent_type_raw,
        ResourceField::ParentType,
        &codes::UNKNOWN_PARENT_TYPE,
        "parentType",
        &mut diags,
    );
    let resource_id = match resource_id_raw {
        None => None,
        Some(s) => match s.parse::<u64>() {
            Ok(id) => Some(id),
            Err(_) => {
                convertible = false;
                let p = at(ResourceField::ResourceId);
                diags.push(
                    Diagnostic::new(
                        &codes::INVALID_RESOURCE_ID,
                        file,
                        format!("resourceId `{s}` is not a whole number"),
                    )
                    .label(p.span, p.at, "not an id")
                    .row(row),
                );
                None
            }
        },
    };
    for i in cols.width..rec.cells().len() {
        if !super::php_trim(rec.value(i)).is_empty() {
            let p = locs.cell(i);
            diags.push(
                Diagnostic::new(&codes::EXTRA_CELLS, file, format!("this row has {} cells but the header names {}; the value in cell {} is dropped", rec.cells().len(), cols.width, i + 1))
                    .label(p.span, p.at, "no column for this cell")
                    .row(row)
                    .help("quote values that contain commas"),
            );
            break;
        }
    }
    let view = ResourceView {
        action,
        resource_id,
        name,
        resource_type,
        system_name,
        description,
        tags,
        parent_type,
        parent_system_name,
    };
    Row {
        row,
        record: Some(view),
        usable: convertible,
        checks: Checks::All,
        findings: diags,
        locs: resolved,
        origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_loose_action_equality() {
        for (v, a) in [
            ("", Some(ResourceAction::Add)),
            ("0", Some(ResourceAction::Add)),
            ("01", Some(ResourceAction::Add)),
            ("1.0", Some(ResourceAction::Add)),
            ("2", Some(ResourceAction::Update)),
            ("+3", Some(ResourceAction::Delete)),
            ("6e0", Some(ResourceAction::AddOrUpdate)),
            ("0.0", None),
            ("add", None),
            ("4", None),
            ("1a", None),
            (".", None),
        ] {
            assert_eq!(php_action(v), a, "action {v:?}");
        }
    }
}
