//! Writing `,`-separated cells so that PHP's `fgetcsv` (as Kaltura reads CSV, with its `\`
//! escape) reads back exactly the same cells, and proving it with the project's emulation
//! ([`crate::formats::csv::PhpCsvReader`]).
//!
//! fgetcsv differs from RFC 4180 in three ways that matter when writing:
//!
//! * inside quotes a backslash protects the next byte (both are kept), so a `"` right after an
//!   odd run of backslashes must not be doubled (it does not close the cell), while every other
//!   `"` is doubled;
//! * a cell whose value ends with an odd run of backslashes would protect its own closing quote:
//!   the last backslash is written after the closing quote, where fgetcsv appends it to the value;
//! * blanks before an opening quote are skipped, so a value that starts with blanks and a quote
//!   is quoted as a whole; any other quote is literal in a bare cell, so such values stay bare.
use crate::formats::csv::{CsvRecord, PhpCsvReader};

/// Whether `v` must be enclosed in quotes for fgetcsv to read it back as it is: it holds a
/// delimiter or a line break, or starts (after blanks) with a quote. Other quotes are literal in
/// a bare cell, which keeps `\\"` out of quotes (where `kbulk check` warns about it).
fn needs_quotes(v: &[u8]) -> bool {
    v.iter().any(|&b| matches!(b, b',' | b'\r' | b'\n'))
        || v.iter()
            .find(|&&b| !matches!(b, b' ' | b'\t' | 0x0b | 0x0c))
            .is_some_and(|&b| b == b'"')
}

/// Appends one cell, quoted only when needed.
pub fn write_cell(out: &mut Vec<u8>, v: &[u8]) {
    if !needs_quotes(v) {
        out.extend_from_slice(v);
        return;
    }
    let trailing = v.iter().rev().take_while(|&&b| b == b'\\').count();
    let (inner, after) = if trailing % 2 == 1 {
        v.split_at(v.len() - 1)
    } else {
        (v, &[][..])
    };
    out.push(b'"');
    let mut i = 0;
    while i < inner.len() {
        match inner[i] {
            b'\\' => {
                // The backslash and the byte it protects are kept as they are.
                out.push(b'\\');
                if let Some(&next) = inner.get(i + 1) {
                    out.push(next);
                }
                i += 2;
            }
            b'"' => {
                out.extend_from_slice(b"\"\"");
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out.push(b'"');
    out.extend_from_slice(after);
}

/// Appends one record: its cells separated by `,`, then `eol`.
pub fn write_record<'a>(out: &mut Vec<u8>, cells: impl IntoIterator<Item = &'a [u8]>, eol: &[u8]) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_cell(out, c);
    }
    out.extend_from_slice(eol);
}

/// Reads `bytes` with the fgetcsv emulation: every record's cell values.
pub fn read_like_fgetcsv(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut reader = PhpCsvReader::new(bytes, 0, usize::MAX);
    let mut rec = CsvRecord::default();
    let mut rows = Vec::new();
    // Reading from memory cannot fail.
    while reader.read_record(&mut rec).unwrap_or(false) {
        rows.push(
            (0..rec.cells.len())
                .map(|i| rec.value(i).to_vec())
                .collect(),
        );
    }
    rows
}

/// The first record (0-based) where fgetcsv's reading of `written` differs from `expected`.
pub fn first_difference(written: &[u8], expected: &[Vec<Vec<u8>>]) -> Option<usize> {
    let got = read_like_fgetcsv(written);
    let n = got.len().max(expected.len());
    (0..n).find(|&i| got.get(i) != expected.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(cells: &[&str]) {
        let mut out = Vec::new();
        write_record(&mut out, cells.iter().map(|c| c.as_bytes()), b"\r\n");
        let rows = read_like_fgetcsv(&out);
        let want: Vec<Vec<u8>> = cells.iter().map(|c| c.as_bytes().to_vec()).collect();
        assert_eq!(rows, vec![want], "{}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn fgetcsv_reads_back_every_awkward_cell() {
        round_trip(&["plain", "a,b", "say \"hi\"", "two\nlines", "cr\ronly"]);
        round_trip(&[r#"a\"b"#, r#"C:\dir\"#, r#"x,\"#, r#"x,\\"#, r#"x,\\\"#]);
        round_trip(&[r#"\""#, r#"\\""#, r#"a\\"b,c"#, r#"q"\"#, "\\", "\\\\"]);
        round_trip(&["  \"lead", " spaced ", "", "#not, a comment", "*x"]);
        round_trip(&["end\\\n", "\\\r\n,", "\"\"\"", "a\\\\\\\"b,"]);
    }

    #[test]
    fn a_value_ending_in_a_backslash_puts_it_after_the_quote() {
        let mut out = Vec::new();
        write_cell(&mut out, br"a,b\");
        assert_eq!(out, br#""a,b"\"#);
        out.clear();
        write_cell(&mut out, br#"a\"b"#);
        assert_eq!(
            out, br#"a\"b"#,
            "a quote that does not start the value stays bare"
        );
    }
}
