//! What every fuzz target shares: reading bytes the way `kbulk check` reads a file
//! (`formats::read_path`), and writing records back the way `kbulk convert` does.
use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, Once};

use kbulk::convert::{ConvertSink, Target};
use kbulk::diag::Diagnostic;
use kbulk::formats::ics::Dialect;
use kbulk::formats::{Format, ReadOptions, Sink, csv, detect, ics, jsonl, xml};
use kbulk::record::{Record, RecordKind};

static INIT: Once = Once::new();

/// One rayon worker: a run is one input, and the readers' pipeline thread would dominate.
pub fn init() {
    INIT.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build_global();
    });
}

/// Reads `data` as `format` exactly as `formats::read_path` does (UTF-16 refused, UTF-8 BOM
/// skipped, labels resolved to line and column), returning the records and the findings.
pub fn read(format: Format, data: &[u8], opts: &ReadOptions) -> (Vec<Record>, Vec<Diagnostic>) {
    init();
    let file: Arc<str> = Arc::from("fuzz");
    let mut records: Vec<Record> = Vec::new();
    let mut diags = Vec::new();
    if data.starts_with(b"\xFF\xFE") || data.starts_with(b"\xFE\xFF") {
        return (records, diags);
    }
    let bom = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let body = &data[bom..];
    let sink: &mut dyn Sink = &mut records;
    let off = bom as u64;
    let mut findings = kbulk::formats::Findings::new(file.clone(), None, &mut diags);
    let result = match format {
        Format::ResourceCsv => csv::resource::read(body, off, &file, opts, sink, &mut findings),
        Format::EventCsv => csv::event::read(body, off, &file, opts, sink, &mut findings),
        Format::EntryCsv => csv::entry::read(body, off, &file, opts, sink, &mut findings),
        Format::Ical => ics::read(body, off, &file, opts, sink, &mut findings),
        Format::MrssXml => xml::reader::read(body, off, &file, opts, sink, &mut findings),
        Format::JsonLines => jsonl::read(body, off, &file, opts, sink, &mut findings),
        Format::CategoryCsv
        | Format::UserCsv
        | Format::CategoryUserCsv
        | Format::CategoryEntryCsv => {
            let spec = format.table().expect("a simple CSV kind");
            let mut rules =
                kbulk::check::table::rules_for(spec.kind, file.clone(), opts.max_records)
                    .expect("rules for every simple kind");
            csv::table::read(
                spec,
                body,
                off,
                &file,
                opts,
                sink,
                &mut findings,
                &mut *rules,
            )
        }
        Format::AppJsonl => kbulk::formats::app::jsonl::read(body, off, &file, opts, sink, &mut findings),
        Format::AppCsv => kbulk::formats::app::csv::read(body, off, &file, opts, sink, &mut findings),
    };
    // Reading from memory cannot fail with I/O; the only errors are the reader's own.
    let _ = result;
    let _ = findings.finish();
    resolve(data, &mut diags);
    kbulk::diag::sort(&mut diags);
    for d in &diags {
        let _ = d.to_json();
    }
    (records, diags)
}

/// `diag::resolve_labels` on bytes in memory.
fn resolve(data: &[u8], diags: &mut [Diagnostic]) {
    let mut wanted: Vec<u64> = diags
        .iter()
        .flat_map(|d| d.labels.iter())
        .map(|l| l.span.start)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    if let Ok(found) = kbulk::source::resolve_offsets(Cursor::new(data), &wanted) {
        assert_eq!(found.len(), wanted.len(), "one position per offset");
    }
}

/// Detects the format as `read_path` does (by content; the name has no extension).
pub fn detect_format(data: &[u8]) -> Option<Format> {
    let head = &data[..data.len().min(64 * 1024)];
    detect(head, Path::new("fuzz")).format
}

/// Writes `records` with `target` as `kbulk convert` does, returning the bytes and findings.
pub fn write(records: &[Record], target: Target) -> (Vec<u8>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut sink = ConvertSink::new(target, &mut out);
    for r in records {
        sink.record(r.clone());
    }
    // The output is a Vec: writing cannot fail with I/O.
    let (_, diags) = sink.finish().expect("writing to memory");
    (out, diags)
}

/// The targets a record kind converts to, with the format each is read back as.
pub fn targets(kind: RecordKind) -> Vec<(Target, Format)> {
    let mut t = vec![(Target::Jsonl, Format::JsonLines)];
    match kind {
        RecordKind::Entry => {
            t.push((Target::Csv, Format::EntryCsv));
            t.push((Target::Xml, Format::MrssXml));
        }
        RecordKind::ScheduleEvent => {
            t.push((Target::Csv, Format::EventCsv));
            t.push((
                Target::Ics {
                    dialect: Dialect::Kaltura,
                },
                Format::Ical,
            ));
            t.push((
                Target::Ics {
                    dialect: Dialect::Rfc5545,
                },
                Format::Ical,
            ));
        }
        _ => t.push((Target::Csv, Format::ResourceCsv)),
    }
    t
}

/// The options `kbulk check` uses, with a fixed import time so runs repeat.
pub fn opts() -> ReadOptions {
    ReadOptions {
        import_time: Some(jiff_ts()),
        ..ReadOptions::default()
    }
}

fn jiff_ts() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_780_000_000).expect("a valid instant")
}
