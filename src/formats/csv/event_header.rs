//! The schedule-event CSV's column map as the engine builds and uses it (kaltura-formats §2.3,
//! §4.2.1): known names at their cells, every unknown name together counted as one entry placed
//! after them, and a row's values paired with that map in order (`array_combine`); plus the
//! §2.2 first-cell rules (`#` comments, `*` headers) for this engine.
use std::sync::Arc;

use super::event::COLUMNS;
use super::php::RecordRef;
use super::{header_name, php_trim};
use crate::diag::Diagnostic;
use crate::formats::Findings;
use crate::formats::csv::event_codes as codes;
use crate::source::{Place, Span, locate_in};

/// The column map a `*` header defines, as the server pairs values with it.
#[derive(Debug, Clone, Default)]
pub(super) struct ColumnMap {
    /// For each of the 18 columns, the position of the value the server reads for it.
    pub index: [Option<usize>; 18],
    /// Cells in the header.
    pub width: usize,
    /// Entries in the server's map (known cells, plus one if any name is unknown): the number
    /// of values a row must have.
    pub server_width: usize,
}

pub(super) fn cell_place(rec: RecordRef<'_>, i: usize) -> Place {
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

/// The place of `range` (bytes of the trimmed value of cell `i`) in the file, when the cell's
/// raw text holds the value unescaped; else the whole cell.
pub(super) fn value_place(rec: RecordRef<'_>, i: usize, range: std::ops::Range<usize>) -> Place {
    let whole = cell_place(rec, i);
    let c = &rec.cells()[i];
    let raw = &rec.raw()[c.raw.clone()];
    let value = php_trim(rec.value(i));
    let inner = raw.strip_prefix(b"\"").unwrap_or(raw);
    let Some(lead) = inner.windows(value.len().max(1)).position(|w| w == value) else {
        return whole;
    };
    if range.end > value.len() || range.start >= range.end {
        return whole;
    }
    let start = whole.span.start + (raw.len() - inner.len() + lead + range.start) as u64;
    let span = Span::new(start, start + range.len() as u64);
    Place {
        span,
        at: locate_in(rec.raw(), rec.offset(), rec.line(), span.start),
    }
}

fn row_place(rec: RecordRef<'_>) -> Place {
    Place {
        span: Span::new(rec.offset(), rec.offset() + rec.content_len() as u64),
        at: crate::source::LineCol {
            line: rec.line(),
            column: 1,
        },
    }
}

fn unknown_hint(name: &str) -> String {
    COLUMNS
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name.trim()))
        .map_or_else(
            || format!("the columns are: {}", COLUMNS.join(", ")),
            |c| format!("did you mean `{c}`? Column names are case-sensitive"),
        )
}

/// Parses a `*` header as `parseColumns` does and reports what the map does to the rows.
/// `saw_header`: an earlier header exists (so a `*` row of no known names is a data row lost).
pub(super) fn read_header(
    rec: RecordRef<'_>,
    file: &Arc<str>,
    saw_header: bool,
    diags: &mut Findings<'_>,
) -> ColumnMap {
    let names: Vec<String> = (0..rec.cells().len())
        .map(|i| header_name(rec.value(i)))
        .collect();
    let known: Vec<(usize, usize)> = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| COLUMNS.iter().position(|c| c == n).map(|k| (i, k)))
        .collect();
    let unknown: Vec<usize> = (0..names.len())
        .filter(|i| !known.iter().any(|(j, _)| j == i))
        .collect();
    let mut map = ColumnMap {
        width: names.len(),
        server_width: known.len() + usize::from(!unknown.is_empty()),
        ..ColumnMap::default()
    };
    if known.is_empty() && saw_header {
        let p = row_place(rec);
        diags.push(
            Diagnostic::new(&codes::ROW_TAKEN_AS_HEADER, file, "this row starts with `*`, so the server takes it as a new header: none of its cells is a column name and every row after it loses its columns")
                .label(p.span, p.at, "taken as a header")
                .help("if this is data, make sure its first cell does not start with `*`"),
        );
    }
    // Values pair, in order, with the known names in header order (a repeated name: the later
    // value wins), then the one `plugins` entry.
    for (pos, &(i, k)) in known.iter().enumerate() {
        if map.index[k].is_some() {
            let p = cell_place(rec, i);
            diags.push(
                Diagnostic::new(
                    &codes::DUPLICATE_COLUMN,
                    file,
                    format!(
                        "column `{}` appears twice in the header; the later cell wins on every row",
                        COLUMNS[k]
                    ),
                )
                .label(p.span, p.at, "repeated column"),
            );
        }
        map.index[k] = Some(pos);
    }
    if known.is_empty() {
        return map;
    }
    match unknown.as_slice() {
        [] => {}
        [u] if *u == names.len() - 1 => {
            let p = cell_place(rec, *u);
            diags.push(
                Diagnostic::new(&codes::UNKNOWN_COLUMN_IGNORED, file, format!("`{}` is not an event CSV column: the engine counts it as one extra column and drops its values", names[*u]))
                    .label(p.span, p.at, "unknown column")
                    .help(unknown_hint(&names[*u])),
            );
        }
        [u] => {
            let p = cell_place(rec, *u);
            let next = known
                .iter()
                .find(|(i, _)| i > u)
                .map_or("", |(_, k)| COLUMNS[*k]);
            diags.push(
                Diagnostic::new(&codes::COLUMNS_SHIFTED, file, format!("`{}` is not an event CSV column: the engine pairs values with the known columns first, so from `{next}` on each column reads the value of the cell to its left", names[*u]))
                    .label(p.span, p.at, "unknown column")
                    .help(unknown_hint(&names[*u])),
            );
        }
        many => {
            for &u in many {
                let p = cell_place(rec, u);
                diags.push(
                    Diagnostic::new(&codes::UNKNOWN_COLUMN, file, format!("`{}` is not an event CSV column: with {} unknown names the engine counts {} columns for a header of {} cells, and rows that fill the header fail", names[u], many.len(), map.server_width, map.width))
                        .label(p.span, p.at, "unknown column")
                        .server("The number of values is not equal to the number of columns. Event will not be created.")
                        .help(unknown_hint(&names[u])),
                );
            }
        }
    }
    map
}

/// Warns about `#` rows that look like data the user meant to import (kaltura-formats §2.2).
pub(super) fn comment_rule(
    rec: RecordRef<'_>,
    cols: Option<&ColumnMap>,
    file: &Arc<str>,
    diags: &mut Findings<'_>,
) {
    let non_empty = (0..rec.cells().len())
        .filter(|&i| !php_trim(rec.value(i)).is_empty())
        .count();
    let width = cols.map_or(0, |c| c.width);
    let looks_like_data = if width >= 3 {
        rec.cells().len() == width && non_empty >= 2
    } else {
        non_empty >= 3
    };
    if looks_like_data {
        let p = row_place(rec);
        let hash = rec.raw().iter().position(|&b| b == b'#').unwrap_or(0) as u64;
        let start = p.span.start + hash;
        let at = locate_in(rec.raw(), rec.offset(), rec.line(), start);
        let p = Place {
            span: Span::new(start, start + 1),
            at,
        };
        diags.push(
            Diagnostic::new(&codes::COMMENT_LOOKS_LIKE_DATA, file, "this row starts with `#`, so the server skips it as a comment, but it has the shape of a data row")
                .label(p.span, p.at, "taken as a comment")
                .help("if it is data, make sure the first cell does not start with `#` (quoting does not help)"),
        );
    }
}
