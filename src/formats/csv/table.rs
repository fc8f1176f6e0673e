//! Reads the CSVs of the simple engines — category, user, category-user, category-entry — as
//! `BulkUploadEngineCsv` and their engines do: a `*` header is mandatory, known columns are
//! matched exactly, unknown ones become plugin data, values are trimmed with `trimArray`; each
//! data row becomes the kind's typed record, in parallel chunks with a deterministic order.
//! Each row goes to a [`Feed`] of [`Tables`]; the driver runs the kind's rules.
use std::io::{self, Read};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::php::{CsvChunk, PhpCsvReader, RecordRef};
use super::resource::{MAX_RECORD_BYTES, php_numeric, record_level};
use super::table_codes as codes;
use super::{LineClass, classify, header_name, intended_trim, php_trim};
use crate::diag::Diagnostic;
use crate::formats::feed::{Checks, Chunk, Feed, Row, Tables};
use crate::formats::{Findings, ReadOptions};
use crate::record::RecordData;
use crate::record::locs::CellLocs;
use crate::record::table::{ColumnType, TableSpec};
use crate::source::{LineCol, Place, Span, locate_in};

/// Rows read before each parallel mapping step.
const CHUNK_ROWS: usize = 4096;

/// The column map of a `*` header.
#[derive(Debug, Clone, Default)]
struct ColumnMap {
    /// Known columns: (cell index, name); a repeated name appears twice (the later wins).
    known: Vec<(usize, &'static str)>,
    /// Unknown names by cell index (plugin data).
    plugins: Vec<(usize, String)>,
    /// Number of header cells.
    width: usize,
}

fn cell_place(rec: RecordRef<'_>, i: usize) -> Place {
    let c = &rec.cells()[i];
    let span = Span::new(
        rec.offset() + c.raw.start as u64,
        rec.offset() + c.raw.end as u64,
    );
    Place {
        span,
        at: locate_in(rec.raw(), rec.offset(), rec.line(), span.start),
    }
}

fn row_place(rec: RecordRef<'_>) -> Place {
    Place {
        span: Span::new(rec.offset(), rec.offset() + rec.content_len() as u64),
        at: LineCol {
            line: rec.line(),
            column: 1,
        },
    }
}

/// One mapped data row.
struct Mapped {
    data: Option<RecordData>,
    /// Whether the record goes on (a row that is not UTF-8 is checked, not sent).
    usable: bool,
    diags: Vec<Diagnostic>,
    locs: CellLocs,
}

/// Reads a CSV of `spec`'s kind from `input` (positioned after any BOM, at file offset
/// `offset`), handing its rows to `feed` and its own findings to `diags`. Returns the number of
/// data rows.
pub fn read(
    spec: &'static TableSpec,
    input: impl Read,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    feed: &mut dyn Feed<Tables>,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let wants = feed.wants_records();
    let mut reader = PhpCsvReader::new(input, offset, MAX_RECORD_BYTES);
    let mut chunk = CsvChunk::default();
    let mut cols: Option<Arc<ColumnMap>> = None;
    let mut rows = 0u64;
    let mut headerless_reported = false;
    while reader.read_chunk(&mut chunk, CHUNK_ROWS)? {
        let mut jobs = Vec::with_capacity(chunk.len());
        for rec in chunk.iter() {
            record_level(rec, file, diags);
            match classify(&rec) {
                LineClass::Empty => {}
                LineClass::Header => {
                    cols = Some(Arc::new(read_header(
                        spec,
                        rec,
                        file,
                        cols.is_some(),
                        diags,
                    )));
                }
                LineClass::Comment => comment_rule(rec, cols.as_deref(), file, diags),
                LineClass::Data => {
                    rows += 1;
                    if cols.is_none() && !headerless_reported {
                        headerless_reported = true;
                        let p = row_place(rec);
                        diags.push(
                            Diagnostic::new(&codes::NO_HEADER, file, format!("this row comes before any `*` header: the {} engine has no columns for it, so every field is empty and the row fails", spec.title))
                                .label(p.span, p.at, "no columns")
                                .row(rows)
                                .help(format!("start the file with a header naming the columns, for example `*{}`", spec.columns.iter().take(3).map(|c| c.name).collect::<Vec<_>>().join(","))),
                        );
                    }
                    jobs.push((rec, rows, cols.clone()));
                }
            }
        }
        let mapped: Vec<Mapped> = jobs
            .par_iter()
            .map(|(rec, row, cols)| map_row(spec, *rec, *row, cols.as_deref(), file))
            .collect();
        let mut out = Vec::with_capacity(mapped.len());
        for ((rec, row, _), m) in jobs.iter().zip(mapped) {
            let origin = wants
                .then(|| super::cells::origin(*rec, file, m.locs.row.span, *row, opts.keep_raw));
            out.push(Row {
                row: *row,
                record: m.data,
                usable: m.usable,
                checks: Checks::All,
                locs: m.locs,
                findings: m.diags,
                origin,
            });
        }
        let watermark = chunk.end();
        feed.chunk(
            Chunk {
                rows: out,
                watermark,
            },
            diags,
        )?;
    }
    if rows == 0 {
        diags.push(Diagnostic::new(
            &codes::NO_DATA,
            file,
            "the file has no data rows",
        ));
    }
    Ok(rows)
}

/// Parses a `*` header, reporting unknown and repeated names.
fn read_header(
    spec: &'static TableSpec,
    rec: RecordRef<'_>,
    file: &Arc<str>,
    saw_header: bool,
    diags: &mut Findings<'_>,
) -> ColumnMap {
    let names: Vec<String> = (0..rec.cells().len())
        .map(|i| header_name(rec.value(i)))
        .collect();
    let mut map = ColumnMap {
        width: names.len(),
        ..Default::default()
    };
    if saw_header
        && names
            .iter()
            .all(|n| spec.column(n).is_none() && !is_metadata_column(n))
    {
        let p = row_place(rec);
        diags.push(
            Diagnostic::new(&codes::ROW_TAKEN_AS_HEADER, file, "this row starts with `*`, so the server takes it as a new header: none of its cells is a column name and the rows after it lose their columns")
                .label(p.span, p.at, "taken as a header")
                .help("if this is data, make sure its first cell does not start with `*`"),
        );
    }
    for (i, name) in names.iter().enumerate() {
        match spec.column(name) {
            Some(c) => {
                if map.known.iter().any(|(_, n)| *n == c.name) {
                    let p = cell_place(rec, i);
                    diags.push(Diagnostic::new(&codes::DUPLICATE_COLUMN, file, format!("column `{name}` appears twice in the header; the later cell wins on every row")).label(p.span, p.at, "repeated column"));
                }
                map.known.push((i, c.name));
            }
            None if name.is_empty() => {}
            None => {
                map.plugins.push((i, name.clone()));
                if spec.plugins && is_metadata_column(name) {
                    continue;
                }
                let p = cell_place(rec, i);
                let clean = name.trim_matches(|c: char| c.is_whitespace());
                let help = match spec
                    .columns
                    .iter()
                    .find(|c| c.name.eq_ignore_ascii_case(clean))
                {
                    Some(c) => format!(
                        "did you mean `{}`? Column names are case-sensitive and only `*` and spaces are trimmed",
                        c.name
                    ),
                    None => format!(
                        "known columns: {}",
                        spec.columns
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let fate = if spec.plugins {
                    "the server forwards it to plugins, and none reads it"
                } else {
                    "the server ignores it"
                };
                diags.push(
                    Diagnostic::new(
                        &codes::UNKNOWN_COLUMN,
                        file,
                        format!("`{name}` is not a column of the {}: {fate}", spec.title),
                    )
                    .label(p.span, p.at, "unknown column")
                    .help(help),
                );
            }
        }
    }
    map
}

/// Plugin columns the metadata plugin reads (kaltura-formats §2.7).
fn is_metadata_column(name: &str) -> bool {
    matches!(name, "metadataProfileId" | "metadataXml" | "metadataUrl")
        || name.starts_with("metadataField_")
        || name.starts_with("metadata::")
}

fn comment_rule(
    rec: RecordRef<'_>,
    cols: Option<&ColumnMap>,
    file: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) {
    let non_empty = (0..rec.cells().len())
        .filter(|&i| !php_trim(rec.value(i)).is_empty())
        .count();
    if let Some(c) = cols
        && c.width >= 2
        && rec.cells().len() == c.width
        && non_empty >= 2
    {
        let p = row_place(rec);
        diags.push(
            Diagnostic::new(&codes::COMMENT_LOOKS_LIKE_DATA, file, "this row starts with `#`, so the server skips it as a comment, but it has the shape of a data row")
                .label(Span::new(p.span.start, p.span.start + 1), p.at, "taken as a comment")
                .help("if it is data, make sure the first cell does not start with `#` (quoting does not help)"),
        );
    }
}

/// Maps one data row to its record and the reader's findings about it.
fn map_row(
    spec: &'static TableSpec,
    rec: RecordRef<'_>,
    row: u64,
    cols: Option<&ColumnMap>,
    file: &Arc<str>,
) -> Mapped {
    let mut diags = Vec::new();
    let mut locs = CellLocs::whole(row_place(rec));
    let empty = ColumnMap::default();
    let cols = cols.unwrap_or(&empty);
    let value_at = |i: usize, what: &str, diags: &mut Vec<Diagnostic>| -> Option<String> {
        let raw = rec.value(i);
        let text = String::from_utf8_lossy(raw);
        let intended = intended_trim(&text);
        if let Some(d) = super::trim_cut(
            &codes::TRIM_CORRUPTS_VALUE,
            raw,
            intended,
            file,
            cell_place(rec, i),
            what,
        ) {
            diags.push(d.row(row));
        }
        (!intended.is_empty()).then(|| intended.to_string())
    };
    let mut fields = Map::new();
    for &(i, name) in &cols.known {
        if i >= rec.cells().len() {
            continue;
        }
        let p = cell_place(rec, i);
        locs.cells.push((name, p));
        let Some(v) = value_at(i, name, &mut diags) else {
            fields.remove(name);
            continue;
        };
        let ty = spec.column(name).map_or(ColumnType::Text, |c| c.ty);
        let typed = match ty {
            ColumnType::Text => Some(Value::String(v.clone())),
            ColumnType::Int => php_numeric(&v)
                .filter(|n| n.fract() == 0.0 && n.abs() < 9e15)
                .map(|n| Value::from(n as i64)),
            ColumnType::Bool => match v.to_ascii_lowercase().as_str() {
                "1" | "true" => Some(Value::Bool(true)),
                "0" | "false" => Some(Value::Bool(false)),
                _ => None,
            },
        };
        match typed {
            Some(t) => {
                fields.insert(name.into(), t);
            }
            None => {
                fields.remove(name);
                let want = if ty == ColumnType::Bool {
                    "1 or 0"
                } else {
                    "an integer"
                };
                diags.push(
                    Diagnostic::new(
                        &codes::INVALID_VALUE,
                        file,
                        format!("{name} `{v}` is not {want}: the API refuses it"),
                    )
                    .label(p.span, p.at, format!("not {want}"))
                    .row(row)
                    .help(format!("write {name} as {want}")),
                );
            }
        }
    }
    let mut plugins = Map::new();
    if spec.plugins {
        for (i, name) in &cols.plugins {
            if *i < rec.cells().len()
                && let Some(v) = value_at(*i, name, &mut diags)
            {
                plugins.insert(name.clone(), Value::String(v));
            }
        }
    }
    if cols.width > 0 {
        for i in cols.width..rec.cells().len() {
            if !php_trim(rec.value(i)).is_empty() {
                let p = cell_place(rec, i);
                diags.push(
                    Diagnostic::new(&codes::EXTRA_CELLS, file, format!("this row has {} cells but the header names {}; the value in cell {} is dropped", rec.cells().len(), cols.width, i + 1))
                        .label(p.span, p.at, "no column for this cell")
                        .row(row)
                        .help("quote values that contain commas"),
                );
                break;
            }
        }
    }
    let data = match spec.record(fields, plugins) {
        Ok(d) => d,
        Err(e) => {
            // The fields are built from the column types, so this does not happen; say so if it does.
            diags.push(
                Diagnostic::new(
                    &codes::INVALID_VALUE,
                    file,
                    format!("this row cannot be read as a {}: {e}", spec.kind.as_str()),
                )
                .label(locs.row.span, locs.row.at, "unreadable")
                .row(row),
            );
            return Mapped {
                data: None,
                usable: false,
                diags,
                locs,
            };
        }
    };
    Mapped {
        data: Some(data),
        usable: std::str::from_utf8(rec.raw()).is_ok(),
        diags,
        locs,
    }
}
