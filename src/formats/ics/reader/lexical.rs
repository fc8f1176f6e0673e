//! Lexical rules of iCal content lines as the server splits them: line endings, line length,
//! malformed lines, quoted colons, invalid UTF-8 and folding.
use super::*;
use crate::diag::Severity;
use crate::formats::ics::scanner::{EndingStats, MAX_LINE};
use crate::source::LineCol;

pub(super) fn line_ending_rule(e: &EndingStats, file: &Arc<str>, diags: &mut Vec<Diagnostic>) {
    let bad = e.lf + e.cr;
    let Some((offset, line, column)) = e.first_bad else {
        return;
    };
    let kind = if e.lf >= e.cr { "LF" } else { "CR" };
    let d = if e.crlf == 0 {
        Diagnostic::new(&codes::LINE_ENDINGS, file, format!("every line ends in {kind} alone: the server splits on CRLF only, sees one single line, and imports zero events while reporting success"))
            .help("save the file with CRLF line endings (kbulk convert --to ics writes CRLF)")
    } else {
        Diagnostic::new(&codes::LINE_ENDINGS, file, format!("{bad} line{} end in {kind} alone among CRLF lines: the server glues each to the next line and loses that property", if bad == 1 { "" } else { "s" }))
            .help("use CRLF on every line")
    };
    diags.push(d.label(
        Span::new(offset, offset + 1),
        LineCol { line, column },
        "first line break that is not CRLF",
    ));
}

/// Maps a chunk of events in parallel, then runs file rules and emits records in order.
/// Lexical rules of one content line (any component).
pub(super) fn line_rules(
    line: &ContentLine,
    file: &Arc<str>,
    row: Option<u64>,
    out: &mut Vec<Diagnostic>,
) {
    let with_row = |d: Diagnostic| match row {
        Some(r) => d.row(r),
        None => d,
    };
    if line.truncated {
        let p = place(line, 0..line.name.end);
        out.push(with_row(
            Diagnostic::new(
                &codes::LINE_TOO_LONG,
                file,
                format!(
                    "this line is longer than {} MiB and was cut",
                    MAX_LINE >> 20
                ),
            )
            .label(p.span, p.at, "line starts here"),
        ));
    }
    if line.colon.is_none() && line.first_colon.is_none() {
        let p = place(line, 0..line.text.len());
        out.push(with_row(
            Diagnostic::new(
                &codes::MALFORMED_LINE,
                file,
                "this line has no `:`: the server glues it to the value of the property before it",
            )
            .label(p.span, p.at, "not a property")
            .help("remove the line, or write it as NAME:VALUE"),
        ));
        return;
    }
    if let (Some(first), Some(colon)) = (line.first_colon, line.colon)
        && first < colon
    {
        let p = place(line, first..first + 1);
        let name = String::from_utf8_lossy(&line.text[..first]).to_ascii_uppercase();
        out.push(with_row(
            Diagnostic::new(&codes::COLON_IN_PARAMETER, file, format!("the server splits this line at the `:` inside the quoted parameter, so it reads a property named `{name}` and loses this {}", line.name_upper()))
                .label(p.span, p.at, "the server splits here")
                .help("use an IANA zone name such as Europe/Berlin, or UTC times"),
        ));
    }
    if !line.utf8
        && let Err(e) = std::str::from_utf8(&line.text)
    {
        let at = e.valid_up_to();
        let p = place(line, at..at + 1);
        out.push(with_row(
            Diagnostic::new(
                &codes::INVALID_UTF8,
                file,
                format!(
                    "this line is not valid UTF-8 (byte 0x{:02X})",
                    line.text[at]
                ),
            )
            .label(p.span, p.at, "invalid byte")
            .help("save the file as UTF-8"),
        ));
    }
    if !line.folds.is_empty() {
        fold_rule(line, file, row, out);
    }
}

/// Compares the RFC unfolding with the server's (trim each continuation, append without a
/// separator, stop at a continuation holding `:`).
fn fold_rule(line: &ContentLine, file: &Arc<str>, row: Option<u64>, out: &mut Vec<Diagnostic>) {
    for f in &line.folds {
        let seg = &line.text[f.text.clone()];
        if memchr::memchr(b':', seg).is_some() && f.text.start >= line.value.start {
            let at = LineCol {
                line: f.line,
                column: 1,
            };
            let d = Diagnostic::new(&codes::FOLDED_LINE, file, format!("this continuation of {} contains `:`: the server reads it as a new property and cuts the value before it", line.name_upper()))
                .severity(Severity::Error)
                .label(Span::new(f.offset, f.offset + 1 + seg.len() as u64), at, "read as a bogus property")
                .help("write the value on one line: Kaltura does not limit line length");
            out.push(match row {
                Some(r) => d.row(r),
                None => d,
            });
            return;
        }
    }
    if unfolds_alike(line) {
        return;
    }
    let (server, rfc) = unfoldings(line);
    if server != rfc {
        let f = &line.folds[0];
        let d = Diagnostic::new(&codes::FOLDED_LINE, file, format!("the server unfolds this {} without the whitespace at the fold: it stores `{}` instead of `{}`", line.name_upper(), clip(&server), clip(&rfc)))
            .label(Span::new(f.offset, f.offset + 1), LineCol { line: f.line, column: 1 }, "folded here")
            .help("write the value on one line: Kaltura does not limit line length");
        out.push(match row {
            Some(r) => d.row(r),
            None => d,
        });
    }
}

/// The value as the server unfolds it (each piece trimmed, appended without a separator) and
/// as RFC 5545 does (the whole value, trimmed).
fn unfoldings(line: &ContentLine) -> (String, String) {
    let first_fold = line.folds[0].text.start;
    let head_end = first_fold.max(line.value.start.min(first_fold));
    let mut server = String::from_utf8_lossy(&line.text[line.value.start.min(head_end)..head_end])
        .trim()
        .to_string();
    for f in &line.folds {
        server.push_str(String::from_utf8_lossy(&line.text[f.text.clone()]).trim());
    }
    let rfc = String::from_utf8_lossy(&line.text[line.value.clone()])
        .trim()
        .to_string();
    (server, rfc)
}

/// True when both unfoldings are sure to be the same without building them: the line is valid
/// UTF-8, its value is the piece before the first fold and the continuations end to end, and
/// every piece is cut between characters and neither starts nor ends with whitespace, so trimming
/// each piece (the server) and trimming the whole (RFC) both change nothing.
fn unfolds_alike(line: &ContentLine) -> bool {
    let t = &line.text;
    let first_fold = line.folds[0].text.start;
    if !line.utf8 || line.value.start > first_fold {
        return false;
    }
    let pieces = std::iter::once(line.value.start..first_fold)
        .chain(line.folds.iter().map(|f| f.text.clone()));
    let mut expected = line.value.start;
    for r in pieces {
        if r.start != expected || r.is_empty() || !edges_kept(t, r.clone()) {
            return false;
        }
        expected = r.end;
    }
    expected == line.value.end
}

/// True when `t[r]` (of a valid UTF-8 `t`) starts and ends at character boundaries with
/// characters that are not whitespace.
fn edges_kept(t: &[u8], r: std::ops::Range<usize>) -> bool {
    let inside = |i: usize| t.get(i).is_some_and(|b| b & 0xC0 == 0x80);
    if inside(r.start) || inside(r.end) {
        return false;
    }
    let piece = &t[r];
    let first = piece[..piece.len().min(4)]
        .utf8_chunks()
        .next()
        .and_then(|c| c.valid().chars().next());
    let last_start = piece.iter().rposition(|b| b & 0xC0 != 0x80).unwrap_or(0);
    let last = std::str::from_utf8(&piece[last_start..])
        .ok()
        .and_then(|s| s.chars().next());
    matches!((first, last), (Some(a), Some(b)) if !a.is_whitespace() && !b.is_whitespace())
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ics::scanner::Scanner;

    fn line(text: &str) -> ContentLine {
        let mut s = Scanner::new(text.as_bytes(), 0);
        let mut l = ContentLine::default();
        assert!(s.next_line(&mut l).unwrap());
        l
    }

    /// The shortcut only answers "alike" where building both unfoldings agrees, and it does
    /// answer for folds between non-space characters, UTF-8 ones included.
    #[test]
    fn unfolds_alike_agrees_with_both_unfoldings() {
        let alike = [
            "DESCRIPTION:caf\u{e9} th\u{e9}\r\n \u{e2}tre et gr\u{f6}\r\n \u{df}e\r\n",
            "SUMMARY:ab\r\n cd\r\n\tef\r\n",
        ];
        let differ = [
            "SUMMARY:ab \r\n cd\r\n",
            "SUMMARY:ab\r\n  cd\r\n",
            "SUMMARY:ab\r\n \u{a0}cd\r\n",
            "SUMMARY:\r\n ab\r\n",
            "SUMMARY:ab\r\n \r\n cd\r\n",
        ];
        for text in alike {
            let l = line(text);
            assert!(!l.folds.is_empty(), "{text:?}");
            assert!(unfolds_alike(&l), "{text:?}");
            let (server, rfc) = unfoldings(&l);
            assert_eq!(server, rfc, "{text:?}");
        }
        for text in differ {
            let l = line(text);
            assert!(!unfolds_alike(&l), "{text:?}");
        }
        // A fold inside a character: the server's pieces are not UTF-8 on their own.
        let bytes = b"SUMMARY:caf\xC3\r\n \xA9\r\n";
        let mut s = Scanner::new(&bytes[..], 0);
        let mut l = ContentLine::default();
        assert!(s.next_line(&mut l).unwrap());
        assert!(l.utf8);
        assert!(!unfolds_alike(&l));
        let (server, rfc) = unfoldings(&l);
        assert_ne!(server, rfc);
    }
}
