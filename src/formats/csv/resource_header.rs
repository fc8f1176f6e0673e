//! The schedule-resource CSV's header and comment lines as
//! `BulkUploadScheduleResourceEngineCsv` reads them: the column map, unknown and repeated
//! columns, rows taken as a header, comments shaped like data.
use std::sync::Arc;

use super::cells::CsvLocs;
use super::header_name;
use super::php::RecordRef;
use crate::diag::Diagnostic;
use crate::formats::Findings;
use crate::record::codes::resource as codes;
use crate::record::resource::ResourceField;
use crate::source::Span;

/// The column map a `*` header defines.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    /// Cell index of each known field (the later one when a header repeats a name).
    pub index: [Option<usize>; 9],
    /// Number of header cells.
    pub width: usize,
}

/// Parses a `*` header into a column map, reporting unknown and repeated names.
pub(super) fn read_header(
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
pub(super) fn comment_rule(
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
