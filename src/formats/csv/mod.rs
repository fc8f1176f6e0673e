//! Kaltura's CSV dialect: PHP `fgetcsv` tokenizing, line classification (empty, `*` header,
//! `#` comment, data), header parsing and the engines' value trimming, shared by every CSV kind.
mod cells;
pub mod codes;
pub mod entry;
mod entry_header;
pub mod entry_writer;
pub mod event;
pub mod event_codes;
mod event_header;
pub mod event_writer;
pub mod php;
pub mod resource;
mod resource_header;
pub mod resource_writer;
pub mod strtotime;
pub mod table;
pub mod table_codes;
pub mod table_writer;

pub use entry_header::Column as EntryColumn;
pub use php::{CsvChunk, CsvRecord, CsvRow, PhpCsvReader, RecordRef};

/// How the server classifies one record (kaltura-formats §2.2, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineClass {
    /// All cells empty or blank after trimming: skipped, not counted.
    Empty,
    /// First cell starts with `*` after trimming: redefines the columns.
    Header,
    /// First cell starts with `#` after trimming: skipped, not counted.
    Comment,
    /// A data row: counted, gets the next `lineIndex`.
    Data,
}

/// PHP `trim()` with its default character list.
pub fn php_trim(v: &[u8]) -> &[u8] {
    trim_bytes(v, b" \t\n\r\0\x0B")
}

/// The engines' `trimArray`: PHP `trim($v, " \t\n\r\0\x0B\xC2\xA0")`, which strips the bytes
/// 0xC2 and 0xA0 one by one (kaltura-formats §2.6).
pub fn trim_array(v: &[u8]) -> &[u8] {
    trim_bytes(v, b" \t\n\r\0\x0B\xC2\xA0")
}

fn trim_bytes<'a>(v: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = v.iter().position(|b| !set.contains(b)).unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !set.contains(b))
        .map_or(start, |e| e + 1);
    &v[start..end.max(start)]
}

/// What trimming should leave: ASCII whitespace and whole non-breaking spaces removed from both
/// ends, character by character. Differs from [`trim_array`] exactly when the server corrupts.
pub fn intended_trim(v: &str) -> &str {
    v.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0B' | '\u{A0}'))
}

/// Checks whether the engines' byte-wise trim ([`trim_array`]) would cut a character of `raw`
/// (valid UTF-8) that a character-wise trim keeps; `intended` is `intended_trim(raw)`. Returns
/// the finding, with `what` naming the column, for the caller's code.
pub fn trim_cut(
    code: &'static crate::diag::Code,
    raw: &[u8],
    intended: &str,
    file: &std::sync::Arc<str>,
    place: crate::source::Place,
    what: &str,
) -> Option<crate::diag::Diagnostic> {
    let server = trim_array(raw);
    if server == intended.as_bytes() || std::str::from_utf8(raw).is_err() {
        return None;
    }
    let at_end = !intended.is_empty()
        && server.len() < intended.len()
        && intended.as_bytes().starts_with(server);
    let (lost, edge, side) = if at_end {
        (intended.chars().next_back().unwrap_or(' '), "last", "end")
    } else {
        (intended.chars().next().unwrap_or(' '), "first", "start")
    };
    Some(
        crate::diag::Diagnostic::new(code, file, format!("the server's trimming cuts a byte of `{lost}` ({edge} character of `{intended}`) and the character is lost"))
            .label(place.span, place.at, format!("{what} becomes invalid UTF-8"))
            .help(format!("move `{lost}` away from the {side} of the value")),
    )
}

/// Classifies a record the way `BulkUploadEngineCsv` does.
pub fn classify(rec: &impl CsvRow) -> LineClass {
    let first = php_trim(rec.cell(0));
    let all_empty =
        (0..rec.cell_count()).all(|i| rec.cell(i).iter().all(|b| b" \t\n\r\0\x0B,".contains(b)));
    if all_empty {
        LineClass::Empty
    } else if first.first() == Some(&b'*') {
        LineClass::Header
    } else if first.first() == Some(&b'#') {
        LineClass::Comment
    } else {
        LineClass::Data
    }
}

/// A header cell's column name: the cell trimmed of `*` and spaces only (not TAB, not NBSP).
pub fn header_name(cell: &[u8]) -> String {
    let start = cell
        .iter()
        .position(|b| !matches!(b, b'*' | b' '))
        .unwrap_or(cell.len());
    let end = cell
        .iter()
        .rposition(|b| !matches!(b, b'*' | b' '))
        .map_or(start, |e| e + 1);
    String::from_utf8_lossy(&cell[start..end.max(start)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_array_cuts_utf8_edges() {
        assert_eq!(trim_array("Bahà".as_bytes()), b"Bah\xC3");
        assert_eq!(trim_array("£5".as_bytes()), b"\xA35");
        assert_eq!(trim_array("\u{a0}x\u{a0}".as_bytes()), b"x");
        assert_eq!(intended_trim(" Bahà "), "Bahà");
    }

    #[test]
    fn header_names_trim_star_and_space_only() {
        assert_eq!(header_name(b"* title*"), "title");
        assert_eq!(header_name(b"\ttitle"), "\ttitle");
    }
}
