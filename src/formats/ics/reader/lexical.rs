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
    let first_fold = line.folds[0].text.start;
    let head_end = first_fold.max(line.value.start.min(first_fold));
    let mut server = String::from_utf8_lossy(&line.text[line.value.start.min(head_end)..head_end])
        .trim()
        .to_string();
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
        server.push_str(String::from_utf8_lossy(seg).trim());
    }
    let rfc = String::from_utf8_lossy(&line.text[line.value.clone()])
        .trim()
        .to_string();
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

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}
