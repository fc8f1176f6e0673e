//! Reads schedule-resource CSVs exactly as `BulkUploadScheduleResourceEngineCsv` does and maps
//! every data row to a [`ScheduleResource`], in parallel chunks with a deterministic order.
use std::io::{self, Read};
use std::sync::Arc;

use rayon::prelude::*;

use super::codes as csv_codes;
use super::php::{CsvChunk, PhpCsvReader, RecordRef};
use super::{LineClass, classify, header_name, intended_trim};
use crate::check::resource::{FileRules, check_record};
use crate::diag::Diagnostic;
use crate::formats::{Findings, ReadOptions, Sink};
use crate::record::codes::resource as codes;
use crate::record::locs::{FieldPlaces, ResourceLocs};
use crate::record::resource::{ResourceAction, ResourceField, ResourceType, ResourceView};
use crate::record::{Record, RecordData};
use crate::source::Place;
use crate::source::{LineCol, Origin, Span, locate_in};

/// Rows read before each parallel mapping step.
const CHUNK_ROWS: usize = 8192;
/// Longest row kbulk reads in one piece.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// The column map a `*` header defines.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    /// Cell index of each known field (the later one when a header repeats a name).
    pub index: [Option<usize>; 9],
    /// Number of header cells.
    pub width: usize,
}

/// Where a CSV row's cells are, resolving line/column only when asked.
struct CsvLocs<'a> {
    rec: RecordRef<'a>,
}

impl<'a> CsvLocs<'a> {
    fn span(&self, i: usize) -> Span {
        let c = &self.rec.cells()[i];
        Span::new(
            self.rec.offset() + c.raw.start as u64,
            self.rec.offset() + c.raw.end as u64,
        )
    }

    fn cell(&self, i: usize) -> Place {
        let span = self.span(i);
        Place {
            span,
            at: self.at(span.start),
        }
    }

    /// A cell whose line and column are left for [`crate::diag::resolve_labels`], which resolves
    /// every label of the file in one pass: for header cells, so that a header of millions of
    /// unknown columns costs one scan, not one scan of the line per cell.
    fn cell_lazy(&self, i: usize) -> Place {
        Place {
            span: self.span(i),
            at: LineCol::UNRESOLVED,
        }
    }

    fn at(&self, offset: u64) -> LineCol {
        locate_in(self.rec.raw(), self.rec.offset(), self.rec.line(), offset)
    }

    fn row(&self) -> Place {
        let span = Span::new(
            self.rec.offset(),
            self.rec.offset() + self.rec.content_len() as u64,
        );
        Place {
            span,
            at: LineCol {
                line: self.rec.line(),
                column: 1,
            },
        }
    }
}

/// One mapped data row, borrowing from the chunk it was read into.
struct Mapped<'a> {
    view: Option<ResourceView<'a>>,
    convertible: bool,
    diags: Vec<Diagnostic>,
    locs: ResourceLocs<'a>,
}

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
/// sending records to `sink` and findings to `diags`. Returns the number of data rows.
///
/// With more than one worker thread, a reader thread tokenizes the next chunk while this one
/// checks the current chunk.
pub fn read(
    input: impl Read + Send,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let mut reader = PhpCsvReader::new(input, offset, MAX_RECORD_BYTES);
    let mut state = FileState {
        file,
        opts,
        cols: None,
        rules: FileRules::new(file.clone(), opts.max_records).with_memory(opts.memory),
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
                state.process(&chunk, sink, diags);
                diags.flush(state.watermark(&chunk))?;
                let _ = recycle_tx.send(chunk);
            }
            Ok(())
        })?;
    } else {
        let mut chunk = CsvChunk::default();
        while reader.read_chunk(&mut chunk, CHUNK_ROWS)? {
            state.process(&chunk, sink, diags);
            diags.flush(state.watermark(&chunk))?;
        }
    }
    Ok(state.finish(diags))
}

/// What reading one file carries from chunk to chunk.
struct FileState<'f> {
    file: &'f Arc<str>,
    opts: &'f ReadOptions,
    cols: Option<Arc<ColumnMap>>,
    rules: FileRules,
    rows: u64,
    reported_no_header: bool,
    saw_header: bool,
}

impl FileState<'_> {
    /// The position before which no later finding can sort, once `chunk` is processed: the end
    /// of its last record (later records report inside themselves), or what the file rules
    /// still hold open.
    fn watermark(&self, chunk: &CsvChunk) -> u64 {
        let end = chunk.end();
        self.rules.hold().map_or(end, |h| h.min(end))
    }

    /// Classifies the chunk's records in order, maps its data rows in parallel, then runs the
    /// file-level rules and feeds the sink in order.
    fn process(&mut self, chunk: &CsvChunk, sink: &mut dyn Sink, diags: &mut Findings<'_>) {
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
        let mut mapped: Vec<Mapped> = jobs.par_iter().map(|j| map_row(j, file)).collect();
        let wants_records = sink.wants_records();
        // How far ahead the name index slot is requested: far enough that the load has arrived
        // when the row is observed (24–64 measured alike on a 200 MB file; 8 was 10% slower).
        const AHEAD: usize = 32;
        for (i, job) in jobs.iter().enumerate() {
            if let Some(v) = mapped.get(i + AHEAD).and_then(|m| m.view.as_ref()) {
                self.rules.prefetch(v);
            }
            let m = &mut mapped[i];
            if job.cols.is_none() && !self.reported_no_header {
                self.reported_no_header = true;
                let p = m.locs.row;
                diags.push(
                    Diagnostic::new(&codes::NO_HEADER, file, "this data row comes before any `*` header: the server has no column map for it and every field is empty")
                        .label(p.span, p.at, "no header above this row")
                        .row(job.row)
                        .help("start the file with a header such as `*action,name,type,systemName,description,tags,parentType,parentSystemName`"),
                );
            }
            diags.append(&mut m.diags);
            let usable = m.view.as_ref().filter(|_| m.convertible);
            self.rules.observe(usable, &m.locs, job.row, diags);
            if let (Some(view), true) = (usable, wants_records) {
                let rec = job.rec;
                let raw = self.opts.keep_raw.then(|| {
                    Arc::from(String::from_utf8_lossy(&rec.raw()[..rec.content_len()]).as_ref())
                });
                sink.record(Record {
                    origin: Origin {
                        file: file.clone(),
                        span: m.locs.row.span,
                        line: rec.line(),
                        row: job.row,
                        raw,
                    },
                    data: RecordData::ScheduleResource(view.to_owned()),
                });
            }
        }
    }

    /// Runs the end-of-file rules; returns the number of data rows.
    fn finish(self, diags: &mut Findings<'_>) -> u64 {
        if self.saw_header && self.rows == 0 {
            diags.push(Diagnostic::new(
                &codes::NO_DATA,
                self.file,
                "the file has a header but no data rows",
            ));
        }
        self.rules.finish_into(&mut |d| diags.push(d));
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

/// Parses a `*` header into a column map, reporting unknown and repeated names.
fn read_header(
    rec: RecordRef<'_>,
    file: &Arc<str>,
    saw_header: bool,
    diags: &mut Findings<'_>,
) -> ColumnMap {
    let locs = CsvLocs { rec };
    let names: Vec<String> = (0..rec.cells().len())
        .map(|i| header_name(rec.value(i)))
        .collect();
    let mut map = ColumnMap {
        index: [None; 9],
        width: names.len(),
    };
    let known = names
        .iter()
        .filter(|n| ResourceField::from_column(n).is_some())
        .count();
    if known == 0 && names.iter().any(|n| !n.is_empty()) {
        let p = locs.row();
        let msg = if saw_header {
            "this row starts with `*`, so the server takes it as a new header: none of its cells is a column name and every row after it loses its columns"
        } else {
            "the header names no schedule-resource column: every row below it has empty fields"
        };
        let semicolons = names.len() == 1
            && names[0]
                .split(';')
                .any(|n| ResourceField::from_column(n.trim_matches(['*', ' '])).is_some());
        let help = if semicolons {
            "the columns are separated by `;`, but Kaltura splits CSV cells on `,` only: save the file with commas"
        } else {
            "if this is data, make sure its first cell does not start with `*`; the header's names are case-sensitive"
        };
        diags.push(
            Diagnostic::new(&codes::ROW_TAKEN_AS_HEADER, file, msg)
                .label(p.span, p.at, "taken as a header")
                .help(help),
        );
        return map;
    }
    for (i, name) in names.iter().enumerate() {
        match ResourceField::from_column(name) {
            Some(f) => {
                if map.index[f.index()].is_some() {
                    let p = locs.cell_lazy(i);
                    diags.push(Diagnostic::new(&codes::DUPLICATE_COLUMN, file, format!("column `{name}` appears twice in the header; the later cell wins on every row")).label(p.span, p.at, "repeated column"));
                }
                map.index[f.index()] = Some(i);
            }
            None if name.is_empty() => {}
            None => {
                let p = locs.cell_lazy(i);
                let mut d = Diagnostic::new(&codes::UNKNOWN_COLUMN, file, format!("`{name}` is not a schedule-resource column: the server ignores every value in it")).label(p.span, p.at, "unknown column");
                let clean = name.trim_matches(|c: char| c.is_whitespace());
                if let Some(f) = ResourceField::ALL
                    .into_iter()
                    .find(|f| f.column().eq_ignore_ascii_case(clean))
                {
                    d = d.help(format!("did you mean `{}`? Column names are case-sensitive and only `*` and spaces are trimmed", f.column()));
                } else {
                    d = d.help("known columns: action, resourceId, name, type, systemName, description, tags, parentType, parentSystemName");
                }
                diags.push(d);
            }
        }
    }
    map
}

/// Warns about `#` rows that look like data the user meant to import.
fn comment_rule(
    rec: RecordRef<'_>,
    cols: Option<&ColumnMap>,
    file: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) {
    let non_empty = (0..rec.cells().len())
        .filter(|&i| !super::php_trim(rec.value(i)).is_empty())
        .count();
    let width = cols.map_or(0, |c| c.width);
    let looks_like_data = if width >= 3 {
        rec.cells().len() == width && non_empty >= 2
    } else {
        non_empty >= 3
    };
    if looks_like_data {
        let p = CsvLocs { rec }.row();
        diags.push(
            Diagnostic::new(&codes::COMMENT_LOOKS_LIKE_DATA, file, "this row starts with `#`, so the server skips it as a comment, but it has the shape of a data row")
                .label(Span::new(p.span.start, p.span.start + 1), p.at, "taken as a comment")
                .help("if it is data, make sure the first cell does not start with `#` (quoting does not help)"),
        );
    }
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

/// Maps one data row to a resource view, running the row's parse-time and per-record rules.
fn map_row<'a>(job: &'a Job<'a>, file: &Arc<str>) -> Mapped<'a> {
    let (rec, row) = (job.rec, job.row);
    let locs = CsvLocs { rec };
    let mut diags = Vec::new();
    let Some(cols) = job.cols.as_deref() else {
        return Mapped {
            view: None,
            convertible: false,
            diags,
            locs: ResourceLocs::whole(locs.row()),
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
        return Mapped {
            view: None,
            convertible: false,
            diags,
            locs: resolved,
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
    check_record(&view, &resolved, file, row, &mut diags);
    Mapped {
        view: Some(view),
        convertible,
        diags,
        locs: resolved,
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
