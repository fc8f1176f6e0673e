//! Inputs the fuzz targets (`fuzz/`) found that crashed a reader or writer, as bytes; each must
//! now read and convert to located diagnostics without a panic.
use std::sync::Arc;

use kbulk::convert::{ConvertSink, Target};
use kbulk::formats::ics::Dialect;
use kbulk::formats::{Format, ReadOptions, Sink};
use kbulk::record::Record;

/// Reads an iCal file from bytes and converts its records to every event target.
fn ical_converts(bytes: &[u8]) -> (Vec<Record>, Vec<&'static str>) {
    let file: Arc<str> = Arc::from("fuzzed.ics");
    let opts = ReadOptions {
        import_time: Some("2027-01-15T12:00:00Z".parse().unwrap()),
        ..ReadOptions::default()
    };
    let mut records: Vec<Record> = Vec::new();
    let mut diags: Vec<kbulk::diag::Diagnostic> = Vec::new();
    let mut findings = kbulk::formats::Findings::new(file.clone(), None, &mut diags);
    kbulk::pipeline::read_format(
        Format::Ical,
        bytes,
        0,
        &file,
        &opts,
        &mut records,
        &mut findings,
    )
    .unwrap();
    findings.finish().unwrap();
    for target in [
        Target::Csv,
        Target::Jsonl,
        Target::Ics {
            dialect: Dialect::Kaltura,
        },
        Target::Ics {
            dialect: Dialect::Rfc5545,
        },
    ] {
        let mut sink = ConvertSink::new(target, Vec::new());
        for r in &records {
            sink.record(r.clone());
        }
        sink.finish().unwrap();
    }
    (records, diags.iter().map(|d| d.code.name).collect())
}

/// `convert` target: a DURATION of 10^18 weeks (saturated to i64::MAX seconds) overflowed
/// start + duration in the event CSV and iCal writers.
#[test]
fn huge_duration_converts_without_overflow() {
    let bytes = b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nDTSTART:20240101T000000Z\nDURATION:P999999999999999999W\nSUMMARY:s\nEND:VEVENT\nEND:VCALENDAR\n";
    let (records, codes) = ical_converts(bytes);
    assert_eq!(records.len(), 1);
    assert!(!codes.is_empty(), "the duration is reported: {codes:?}");
}

/// `ical` target: non-ASCII bytes in BYDAY made the `rrule` crate slice inside a character when
/// the occurrences were counted.
#[test]
fn non_ascii_byday_is_reported_not_a_panic() {
    let bytes = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:s\nDTSTART:20150720T080000Z\nDTEND:20150720T090000Z\nRRULE:FREQ=DAILY;UNTIL=20150722T080000Z;BYDAY=MO,ثé ;WKST=SU\nEND:VEVENT\nEND:VCALENDAR\n";
    let (records, codes) = ical_converts(bytes.as_bytes());
    assert_eq!(records.len(), 1);
    assert!(!codes.is_empty(), "the rule is reported: {codes:?}");
}
