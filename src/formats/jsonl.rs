//! kbulk's normalized JSON Lines: one [`JsonRecord`] per line, any kind, read back with the same
//! per-record and file-level rules as the original formats.
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use super::codes;
use crate::check::entry;
use crate::check::event::{FileRules as EventRules, check_record as check_event};
use crate::check::resource::{FileRules, check_record};
use crate::check::table::rules_for;
use crate::diag::Diagnostic;
use crate::formats::{Findings, ReadOptions, Sink};
use crate::record::locs::{
    CellLocs, EntryLocs, EntrySource as Source, EventLocs, EventSource, ResourceLocs,
};
use crate::record::table::TableRules;
use crate::record::{JsonRecord, Record, RecordData, RecordKind};
use crate::source::Place;
use crate::source::{LineCol, Origin, Span};

/// Lines read between two flushes of the findings.
const FLUSH_LINES: u64 = 1024;

/// Longest line read.
const MAX_LINE: u64 = 16 << 20;

/// Reads JSON Lines from `input` (positioned at file offset `offset`), checking each record.
/// Returns the number of records read (lines that parsed).
pub fn read(
    input: impl Read,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut buf = Vec::new();
    let mut pos = offset;
    let mut line_no = 0u64;
    let mut rows = 0u64;
    let mut resources = FileRules::new(file.clone(), opts.max_records).with_memory(opts.memory);
    let mut entries = entry::FileRules::new(file.clone(), opts.max_records, Source::Jsonl)
        .with_memory(opts.memory);
    let mut entry_rows = 0u64;
    let mut events = EventRules::new(file.clone(), EventSource::Jsonl).with_memory(opts.memory);
    // The simple kinds' rules, made when a record of the kind first appears (with its own count).
    let mut tables: Vec<(RecordKind, Box<dyn TableRules>, u64)> = Vec::new();
    let mut apps: Option<super::app::Checker> = None;
    loop {
        if line_no.is_multiple_of(FLUSH_LINES) {
            // Lines report inside themselves; the file rules may hold earlier places open.
            let held = [resources.hold(), entries.hold(), events.hold()];
            let tables_held = tables.iter().filter_map(|(_, r, _)| r.hold());
            diags.flush(
                held.into_iter()
                    .flatten()
                    .chain(tables_held)
                    .fold(pos, u64::min),
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
        let place = Place {
            span: Span::new(start, start + text.len() as u64),
            at: LineCol {
                line: line_no,
                column: 1,
            },
        };
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
        match &rec.data {
            RecordData::ScheduleResource(r) => {
                let locs = ResourceLocs::whole(place);
                let view = r.view();
                check_record(&view, &locs, file, rows, diags);
                resources.observe(Some(&view), &locs, rows, diags);
            }
            RecordData::Entry(e) => {
                entry_rows += 1;
                let locs = EntryLocs::whole(place);
                placeholders(text, start, line_no, file, rows, diags);
                entry::check_entry(e, &locs, file, rows, Source::Jsonl, diags);
                entries.observe(Some(e), &locs, entry_rows, diags);
            }
            RecordData::ScheduleEvent(e) => {
                let locs = EventLocs::whole(place);
                check_event(e, &locs, EventSource::Jsonl, file, rows, diags);
                events.observe(e, &locs, rows, diags);
            }
            RecordData::App(_) => {
                // Mapped again from the line, so the findings point at its keys.
                let apps = apps.get_or_insert_with(|| {
                    super::app::Checker::new(file, opts.apps_against.as_deref())
                });
                if let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(text) {
                    let (app, locs) = super::app::jsonl::map(&obj, text, place, file, rows, diags);
                    apps.app(&app, &locs, rows, diags);
                }
            }
            data => {
                let kind = data.kind();
                if !tables.iter().any(|(k, _, _)| *k == kind)
                    && let Some(r) = rules_for(kind, file.clone(), opts.max_records)
                {
                    tables.push((kind, r, 0));
                }
                if let Some((_, rules, n)) = tables.iter_mut().find(|(k, _, _)| *k == kind) {
                    *n += 1;
                    let locs = CellLocs::whole(place);
                    rules.check(data, &locs, *n, diags);
                    rules.observe(Some(data), &locs, *n, false, diags);
                }
            }
        }
        let raw = opts
            .keep_raw
            .then(|| Arc::from(String::from_utf8_lossy(text).as_ref()));
        sink.record(Record {
            origin: Origin {
                file: file.clone(),
                span: place.span,
                line: line_no,
                row: rows,
                raw,
            },
            data: rec.data,
        });
    }
    resources.finish_into(&mut |d| diags.push(d));
    entries.finish_into(&mut |d| diags.push(d));
    events.finish_into(&mut |d| diags.push(d));
    for (_, rules, _) in &mut tables {
        rules.finish(diags);
    }
    if let Some(apps) = apps {
        apps.finish(diags);
    }
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
    while let Some(r) = entry::values::find_placeholder(&s[from..]) {
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

fn trim_line_end(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &b[..end]
}
