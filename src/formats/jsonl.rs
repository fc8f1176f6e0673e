//! kbulk's normalized JSON Lines: one [`JsonRecord`] per line, any kind, handed on (and so
//! checked by the same per-record and file-level rules as the original formats) in chunks.
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use super::codes;
use crate::diag::Diagnostic;
use crate::formats::feed::{AnyKind, AnyLocs, Checks, Chunk, Feed, Row};
use crate::formats::{Findings, ReadOptions};
use crate::record::{JsonRecord, RecordData, RecordKind};
use crate::source::Place;
use crate::source::{LineCol, Origin, Span};

/// Lines read into one chunk.
const FLUSH_LINES: u64 = 1024;

/// Longest line read.
const MAX_LINE: u64 = 16 << 20;

/// Reads JSON Lines from `input` (positioned at file offset `offset`), handing the records to
/// `feed`. Returns the number of records read (lines that parsed).
pub fn read(
    input: impl Read,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    feed: &mut dyn Feed<AnyKind>,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut buf = Vec::new();
    let mut pos = offset;
    let mut line_no = 0u64;
    let mut rows = 0u64;
    let wants = feed.wants_records();
    let mut chunk: Vec<Row<AnyKind>> = Vec::new();
    // Records of each kind so far (each kind's rules number its own records).
    let mut per_kind: Vec<(RecordKind, u64)> = Vec::new();
    loop {
        if line_no.is_multiple_of(FLUSH_LINES) && line_no > 0 {
            // Lines report inside themselves: the next line's start is the watermark.
            let rows = std::mem::take(&mut chunk);
            feed.chunk(
                Chunk {
                    rows,
                    watermark: pos,
                },
                diags,
            )?;
        }
        buf.clear();
        let n = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let start = pos;
        pos += n as u64;
        let mut too_long = false;
        if n as u64 == MAX_LINE && buf.last() != Some(&b'\n') {
            too_long = true;
            let mut rest = Vec::new();
            loop {
                rest.clear();
                let m = (&mut reader).take(MAX_LINE).read_until(b'\n', &mut rest)?;
                pos += m as u64;
                if m == 0 || rest.last() == Some(&b'\n') {
                    break;
                }
            }
        }
        let text = trim_line_end(&buf);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let place = line_place(start, text, line_no);
        if too_long {
            diags.push(
                Diagnostic::new(
                    &codes::JSONL_INVALID,
                    file,
                    format!(
                        "this line is longer than {} MiB and was skipped",
                        MAX_LINE >> 20
                    ),
                )
                .label(place.span, place.at, "too long"),
            );
            continue;
        }
        let parsed = std::str::from_utf8(text)
            .map_err(|e| {
                (
                    format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                    e.valid_up_to() as u64,
                )
            })
            .and_then(|s| {
                serde_json::from_str::<JsonRecord>(s)
                    .map_err(|e| (e.to_string(), e.column().saturating_sub(1) as u64))
            });
        let rec = match parsed {
            Ok(r) => r,
            Err((msg, col)) => {
                let at = Span::new(
                    start + col.min(text.len() as u64),
                    start + (col + 1).min(text.len() as u64),
                );
                diags.push(
                    Diagnostic::new(&codes::JSONL_INVALID, file, format!("not a kbulk record: {msg}"))
                        .label(at, LineCol { line: line_no, column: col + 1 }, "here")
                        .help("each line is one JSON object with a `kind` and that kind's fields (see schemas/)"),
                );
                continue;
            }
        };
        rows += 1;
        let kind = rec.data.kind();
        let nth = match per_kind.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                per_kind.push((kind, 1));
                1
            }
        };
        let mut findings = Vec::new();
        let mut app_locs = None;
        if let RecordData::Entry(_) = &rec.data {
            placeholders(text, start, line_no, file, rows, &mut findings);
        }
        if let RecordData::App(_) = &rec.data
            && let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(text)
        {
            // Mapped again from the line, so the findings point at its keys.
            let (_, locs) = super::app::jsonl::map(&obj, text, place, file, rows, &mut findings);
            app_locs = Some(Box::new(locs));
        }
        let origin = wants.then(|| line_origin(file, place, rows, text, opts.keep_raw));
        chunk.push(Row {
            row: rows,
            record: Some(rec.data),
            usable: true,
            checks: Checks::All,
            locs: AnyLocs {
                line: place,
                app: app_locs,
                nth,
            },
            findings,
            origin,
        });
    }
    feed.chunk(
        Chunk {
            rows: chunk,
            watermark: pos,
        },
        diags,
    )?;
    Ok(rows)
}

/// Reports `@NAME@` placeholders anywhere in an entry's line, at their own columns.
fn placeholders(
    text: &[u8],
    start: u64,
    line: u64,
    file: &Arc<str>,
    row: u64,
    diags: &mut Vec<Diagnostic>,
) {
    let Ok(s) = std::str::from_utf8(text) else {
        return;
    };
    let mut from = 0;
    while let Some(r) = crate::record::values::find_placeholder(&s[from..]) {
        let (a, b) = (from + r.start, from + r.end);
        diags.push(
            Diagnostic::new(
                &crate::record::codes::entry::PLACEHOLDER,
                file,
                format!("`{}` is a placeholder that was never substituted", &s[a..b]),
            )
            .label(
                Span::new(start + a as u64, start + b as u64),
                LineCol {
                    line,
                    column: s[..a].chars().count() as u64 + 1,
                },
                "placeholder",
            )
            .row(row)
            .help("replace every @NAME@ placeholder with its value"),
        );
        from = b;
    }
}

/// Where a line (`text`, its end of line trimmed, starting at `start`) stands in the file.
pub(crate) fn line_place(start: u64, text: &[u8], line_no: u64) -> Place {
    Place {
        span: Span::new(start, start + text.len() as u64),
        at: LineCol {
            line: line_no,
            column: 1,
        },
    }
}

/// The origin of the record on the line at `place` (`keep_raw`: with the line's text).
pub(crate) fn line_origin(
    file: &Arc<str>,
    place: Place,
    row: u64,
    text: &[u8],
    keep_raw: bool,
) -> Origin {
    Origin {
        file: file.clone(),
        span: place.span,
        line: place.at.line,
        row,
        raw: keep_raw.then(|| Arc::from(String::from_utf8_lossy(text).as_ref())),
    }
}

/// The line without its `\n` or `\r\n`.
pub(crate) fn trim_line_end(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &b[..end]
}
