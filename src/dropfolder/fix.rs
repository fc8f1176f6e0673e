//! `kbulk fix`: repairs that the bytes prove (encoding, CSV delimiter, iCal line endings and the
//! iCal constructs the server mangles), each reported as a located diagnostic; anything that
//! would need a guess is left alone and reported.
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::source::{LineCol, Span};

use super::{codes, ical, requote};

/// The result of fixing one file's bytes.
#[derive(Debug)]
pub struct Fixed {
    /// The repaired bytes (the input unchanged when nothing was repaired).
    pub bytes: Vec<u8>,
    /// One note per repair, and a warning per problem left alone.
    pub repairs: Vec<Diagnostic>,
}

impl Fixed {
    /// Whether any repair changed the bytes.
    pub fn changed(&self) -> bool {
        self.repairs
            .iter()
            .any(|d| !std::ptr::eq(d.code, &codes::UNFIXABLE))
    }
}

/// A label at the very start of the file.
fn at(d: Diagnostic, start: u64, end: u64, line: u64, message: &str) -> Diagnostic {
    d.label(Span::new(start, end), LineCol { line, column: 1 }, message)
}

/// Repairs `bytes` (the content of `file`): re-encodes to UTF-8, rewrites a `;`/tab CSV with `,`,
/// gives an iCal file CRLF line endings and rewrites it in Kaltura's dialect ([`ical`]). Running
/// it on its own output changes nothing.
pub fn fix(bytes: &[u8], file: &Arc<str>) -> Fixed {
    let mut repairs = Vec::new();
    let text = decode(bytes, file, &mut repairs);
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let bom = &text[..text.len() - body.len()];
    let fixed_body = if body.trim_start().starts_with("BEGIN:VCALENDAR") {
        let crlf_body = crlf(body, file, &mut repairs);
        ical::rewrite(crlf_body.as_deref().unwrap_or(body), file, &mut repairs).or(crlf_body)
    } else {
        delimiter(body, file, &mut repairs)
    };
    let out = match fixed_body {
        Some(b) => format!("{bom}{b}").into_bytes(),
        None if declares_encoding(bytes) => bytes.to_vec(),
        None => text.as_bytes().to_vec(),
    };
    Fixed {
        bytes: out,
        repairs,
    }
}

/// Decodes UTF-16 (with a BOM) or Windows-1252 (when not UTF-8) to UTF-8 text.
fn decode<'a>(
    bytes: &'a [u8],
    file: &Arc<str>,
    repairs: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'a, str> {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(bytes)
        && enc != encoding_rs::UTF_8
    {
        let (text, _) = enc.decode_with_bom_removal(bytes);
        let msg = format!("{} with a byte-order mark, re-encoded as UTF-8", enc.name());
        repairs.push(at(
            Diagnostic::new(&codes::UTF16, file, msg),
            0,
            2,
            1,
            "this byte-order mark",
        ));
        return std::borrow::Cow::Owned(text.into_owned());
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        // An XML declaration naming its encoding is read by that encoding: nothing to repair.
        Err(_) if declares_encoding(bytes) => String::from_utf8_lossy(bytes),
        Err(e) => {
            let first = e.valid_up_to() as u64;
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            repairs.push(at(
                Diagnostic::new(
                    &codes::LEGACY_ENCODING,
                    file,
                    format!(
                        "not UTF-8 (byte 0x{:02X}); decoded as Windows-1252",
                        bytes[first as usize]
                    ),
                ),
                first,
                first + 1,
                line,
                "first byte that is not UTF-8",
            ));
            std::borrow::Cow::Owned(text.into_owned())
        }
    }
}

/// Whether `bytes` start with an XML declaration naming an encoding other than UTF-8.
fn declares_encoding(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    head.starts_with("<?xml")
        && head
            .split("?>")
            .next()
            .is_some_and(|decl| decl.contains("encoding=") && !decl.contains("utf-8"))
}

/// Rewrites bare LF line endings of an iCal body as CRLF.
fn crlf(body: &str, file: &Arc<str>, repairs: &mut Vec<Diagnostic>) -> Option<String> {
    let bare = body
        .bytes()
        .enumerate()
        .filter(|&(i, b)| b == b'\n' && (i == 0 || body.as_bytes()[i - 1] != b'\r'))
        .count();
    if bare == 0 {
        return None;
    }
    let first = body.find('\n').unwrap_or(0) as u64;
    let mut out = String::with_capacity(body.len() + bare);
    for (i, ch) in body.char_indices() {
        if ch == '\n' && (i == 0 || body.as_bytes()[i - 1] != b'\r') {
            out.push('\r');
        }
        out.push(ch);
    }
    repairs.push(at(
        Diagnostic::new(
            &codes::CRLF,
            file,
            format!("{bare} bare LF line ending(s) rewritten as CRLF"),
        ),
        first,
        first + 1,
        1,
        "first bare LF",
    ));
    Some(out)
}

/// The delimiter a `*` header line proves: `;` or tab, present, with no comma.
fn header_delimiter(body: &str) -> Option<(u8, usize)> {
    let (offset, line) = body
        .split_inclusive('\n')
        .scan(0usize, |pos, l| {
            let here = *pos;
            *pos += l.len();
            Some((here, l))
        })
        .find(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))?;
    if !line.starts_with('*') || line.contains(',') {
        return None;
    }
    let semis = line.matches(';').count();
    let tabs = line.matches('\t').count();
    match (semis, tabs) {
        (0, 0) => None,
        (s, t) if s >= t => Some((b';', offset)),
        _ => Some((b'\t', offset)),
    }
}

/// Rewrites a CSV whose header proves `;` or tab as a `,` CSV quoted the way fgetcsv reads it.
fn delimiter(body: &str, file: &Arc<str>, repairs: &mut Vec<Diagnostic>) -> Option<String> {
    let (delim, offset) = header_delimiter(body)?;
    let name = if delim == b';' { "`;`" } else { "tab" };
    let header_line = 1 + body[..offset].matches('\n').count() as u64;
    let eol = if body.contains("\r\n") { "\r\n" } else { "\n" };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let refuse = |why: String| {
        Diagnostic::new(&codes::UNFIXABLE, file, why).label(
            Span::new(offset as u64, offset as u64 + 1),
            LineCol {
                line: header_line,
                column: 1,
            },
            "this header",
        )
    };
    let mut out = Vec::with_capacity(body.len() + 64);
    let mut cells: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    for rec in reader.byte_records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                repairs.push(refuse(format!(
                    "the {name}-separated rows do not parse ({e}); delimiter left as it is"
                )));
                return None;
            }
        };
        requote::write_record(&mut out, rec.iter(), eol.as_bytes());
        cells.push(rec.iter().map(<[u8]>::to_vec).collect());
        lines.push(rec.position().map_or(0, |p| p.line()));
    }
    if !body.ends_with('\n') && out.ends_with(eol.as_bytes()) {
        out.truncate(out.len() - eol.len());
    }
    // The emulation of fgetcsv must read exactly the cells the delimiter meant.
    if let Some(i) = requote::first_difference(&out, &cells) {
        let line = lines.get(i).copied().unwrap_or(0);
        repairs.push(refuse(format!(
            "PHP fgetcsv would not read line {line} of the rewritten file as it was meant; \
             delimiter left as it is"
        )));
        return None;
    }
    let rows = cells.len();
    let text = String::from_utf8(out).ok()?;
    repairs.push(at(
        Diagnostic::new(
            &codes::DELIMITER,
            file,
            format!("{name}-separated CSV ({rows} lines) rewritten with `,`"),
        ),
        offset as u64,
        offset as u64 + 1,
        header_line,
        "this header proves the delimiter",
    ));
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name() -> Arc<str> {
        Arc::from("t.csv")
    }

    #[test]
    fn semicolon_csv_becomes_comma_csv_with_quotes() {
        let f = fix(b"*name;type\r\nRoom, A;camera\r\n", &name());
        assert_eq!(f.bytes, b"*name,type\r\n\"Room, A\",camera\r\n");
        assert!(f.changed());
        let again = fix(&f.bytes, &name());
        assert!(again.repairs.is_empty());
        assert_eq!(again.bytes, f.bytes);
    }

    #[test]
    fn backslash_quote_is_requoted_for_fgetcsv() {
        // Excel means the cell `a\"` (the `""` is one quote); fgetcsv must read just that.
        let input = b"*name;type\n\"a\\\"\"\";camera\nC:\\dir\\;x, y\n";
        let f = fix(input, &name());
        assert!(f.changed(), "{:?}", f.repairs);
        let rows = requote::read_like_fgetcsv(&f.bytes);
        let want: Vec<Vec<&[u8]>> = vec![
            vec![b"*name", b"type"],
            vec![b"a\\\"", b"camera"],
            vec![b"C:\\dir\\", b"x, y"],
        ];
        assert_eq!(rows, want, "{}", String::from_utf8_lossy(&f.bytes));
        let again = fix(&f.bytes, &name());
        assert!(again.repairs.is_empty());
        assert_eq!(again.bytes, f.bytes);
    }

    #[test]
    fn latin1_xml_with_its_declaration_is_left_as_it_is() {
        let input = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><mrss>\xE9</mrss>";
        let f = fix(input, &name());
        assert_eq!(f.bytes, input);
        assert!(f.repairs.is_empty());
    }

    #[test]
    fn lf_ical_gets_crlf() {
        let f = fix(b"BEGIN:VCALENDAR\nEND:VCALENDAR\n", &name());
        assert_eq!(f.bytes, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
        assert!(fix(&f.bytes, &name()).repairs.is_empty());
    }
}
