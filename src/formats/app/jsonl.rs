//! App JSON Lines: one App object per line, exactly as the App Registry returns it (what
//! `kbulk export apps` writes), each key located for the findings about it.
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use serde_json::Value;

use super::scan::{Member, members};
use super::{set_json, unknown_field, wrong_type};
use crate::diag::Diagnostic;
use crate::formats::codes as format_codes;
use crate::formats::feed::{Apps, Checks, Chunk, Feed, Row};
use crate::formats::jsonl::{line_origin, line_place, trim_line_end};
use crate::formats::{Findings, ReadOptions};
use crate::record::App;
use crate::record::app::AppField;
use crate::record::locs::AppLocs;
use crate::source::{LineCol, Place, Span};

/// Lines read between two flushes of the findings.
const FLUSH_LINES: u64 = 1024;

/// Keys a line may carry besides the App's: kbulk JSON Lines' own.
const KBULK_KEYS: [&str; 2] = ["kind", "origin"];

/// Reads App JSON Lines from `input` (positioned at file offset `offset`), handing each app to
/// `feed`.
/// Returns the number of apps read.
pub fn read(
    input: impl Read,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    feed: &mut dyn Feed<Apps>,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let wants = feed.wants_records();
    let mut chunk: Vec<Row<Apps>> = Vec::new();
    let mut buf = Vec::new();
    let (mut pos, mut line_no, mut rows) = (offset, 0u64, 0u64);
    loop {
        if line_no.is_multiple_of(FLUSH_LINES) {
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
        let n = reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let start = pos;
        pos += n as u64;
        let text = trim_line_end(&buf);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let place = line_place(start, text, line_no);
        let Some(obj) = parse(text, start, line_no, file, diags) else {
            continue;
        };
        rows += 1;
        let (app, locs) = map(&obj, text, place, file, rows, diags);
        let origin = wants.then(|| line_origin(file, place, rows, text, opts.keep_raw));
        chunk.push(Row {
            row: rows,
            record: Some(app),
            usable: true,
            checks: Checks::All,
            locs,
            findings: Vec::new(),
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

/// Parses one line as a JSON object, reporting where it is not one.
fn parse(
    text: &[u8],
    start: u64,
    line: u64,
    file: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<serde_json::Map<String, Value>> {
    let (msg, col) = match serde_json::from_slice::<Value>(text) {
        Ok(Value::Object(o)) => return Some(o),
        Ok(_) => ("the line is JSON but not an object".to_string(), 0),
        Err(e) => (e.to_string(), e.column().saturating_sub(1) as u64),
    };
    let len = text.len() as u64;
    diags.push(
        Diagnostic::new(
            &format_codes::JSONL_INVALID,
            file,
            format!("not an App object: {msg}"),
        )
        .label(
            Span::new(start + col.min(len), start + (col + 1).min(len)),
            LineCol {
                line,
                column: col + 1,
            },
            "here",
        )
        .help("each line of App JSON Lines is one App object, as the App Registry returns it"),
    );
    None
}

/// Builds the app of one JSON object and the places of its keys; reports unknown keys and values
/// of the wrong type. `text` is the object's line and `line` its place.
pub(crate) fn map(
    obj: &serde_json::Map<String, Value>,
    text: &[u8],
    line: Place,
    file: &Arc<str>,
    row: u64,
    diags: &mut Vec<Diagnostic>,
) -> (App, AppLocs) {
    let mut locs = AppLocs::whole(line);
    let places: Vec<(Member, Place)> = members(text)
        .into_iter()
        .map(|m| {
            let prefix = String::from_utf8_lossy(&text[..m.start]);
            let p = Place {
                span: Span::new(
                    line.span.start + m.start as u64,
                    line.span.start + m.end as u64,
                ),
                at: LineCol {
                    line: line.at.line,
                    column: prefix.chars().count() as u64 + 1,
                },
            };
            (m, p)
        })
        .collect();
    let place_of = |path: &str| {
        places
            .iter()
            .find(|(m, _)| m.path == path)
            .map_or(line, |(_, p)| *p)
    };
    for (m, p) in &places {
        if let Some(f) = AppField::from_name(&m.path) {
            locs.set(f, *p);
        }
    }
    let mut app = App::default();
    let field = |app: &mut App, path: &str, v: &Value, diags: &mut Vec<Diagnostic>| {
        match AppField::from_name(path) {
            Some(f) => {
                if let Err(msg) = set_json(app, f, v) {
                    diags.push(wrong_type(file, row, place_of(path), msg));
                }
            }
            None => diags.push(unknown_field(file, row, place_of(path), path)),
        }
    };
    for (k, v) in obj {
        if KBULK_KEYS.contains(&k.as_str()) {
            continue;
        }
        field(&mut app, k, v, diags);
        if let (AppField::OrganizationDomain, Value::Object(inner)) =
            (AppField::from_name(k).unwrap_or(AppField::Id), v)
        {
            for (ik, iv) in inner {
                field(&mut app, &format!("{k}.{ik}"), iv, diags);
            }
        }
    }
    (app, locs)
}
