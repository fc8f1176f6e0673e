//! Conversion between .ics (both dialects), schedule-event CSV and JSON Lines, through the
//! record model, with what cannot be carried reported.
use std::sync::Arc;

use kbulk::convert::{ConvertSink, Target};
use kbulk::formats::ics::Dialect;
use kbulk::formats::{self, Format};
use kbulk::record::{Record, RecordData, ScheduleEvent};

use super::util::{codes, kbulk, opts, read, root};

const TZ_CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Summer lecture\\, room 2\r\n\
DTSTART;TZID=America/New_York:20270701T100000\r\nDTEND;TZID=America/New_York:20270701T110000\r\n\
STATUS:CONFIRMED\r\nLOCATION:Hall A\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:series-1\r\nSUMMARY:Weekly\r\nDTSTART:20270705T090000Z\r\nDURATION:PT1H\r\n\
RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE;WKST=SU\r\nX-KALTURA-TAGS:a,b\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:single-2\r\nSUMMARY:Duration only\r\nDTSTART:20270710T090000Z\r\nDURATION:PT30M\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Converts `records` into `target`, returning the output text, the writer's findings and the
/// number of records written.
fn convert(records: &[Record], target: Target) -> (String, Vec<kbulk::diag::Diagnostic>, u64) {
    let mut buf = Vec::new();
    let mut sink = ConvertSink::new(target, &mut buf);
    for r in records {
        formats::Sink::record(&mut sink, r.clone());
    }
    let (written, diags) = sink.finish().unwrap();
    (String::from_utf8(buf).unwrap(), diags, written)
}

fn events(records: &[Record]) -> Vec<ScheduleEvent> {
    records
        .iter()
        .map(|r| match &r.data {
            RecordData::ScheduleEvent(e) => e.clone(),
            other => panic!("not an event: {other:?}"),
        })
        .collect()
}

#[test]
fn kaltura_dialect_is_what_the_server_reads() {
    let dir = tempfile::tempdir().unwrap();
    let src = write_temp(&dir, "in.ics", TZ_CALENDAR);
    let (records, diags) = read(&src, None);
    assert_eq!(records.len(), 3);
    assert!(codes(&diags).contains(&"ical::tz-shift".to_string()));
    let (out, wdiags, written) = convert(
        &records,
        Target::Ics {
            dialect: Dialect::Kaltura,
        },
    );
    assert_eq!(written, 3);
    // CRLF everywhere, no folding, no STATUS, no nested component, a UID on every event.
    assert!(!out.replace("\r\n", "").contains('\n'));
    assert!(out.lines().all(|l| !l.starts_with(' ')));
    assert!(!out.contains("STATUS") && !out.contains("VALARM"));
    assert_eq!(
        out.matches("BEGIN:VEVENT").count(),
        out.matches("\r\nUID:").count()
    );
    // The TZID time converted at the event's own date (EDT), the comma unescaped.
    assert!(
        out.contains("DTSTART:20270701T140000Z\r\nDTEND:20270701T150000Z"),
        "{out}"
    );
    assert!(out.contains("SUMMARY:Summer lecture, room 2\r\n"));
    // DTEND written for the single event that only had DURATION.
    assert!(
        out.contains("DTSTART:20270710T090000Z\r\nDTEND:20270710T093000Z"),
        "{out}"
    );
    assert!(codes(&wdiags).contains(&"event::not-carried-field".to_string()));
    // Read back: clean of the problems the dialect removes, same events.
    let back = write_temp(&dir, "out.ics", &out);
    let (again, d2) = read(&back, None);
    let c = codes(&d2);
    for gone in [
        "ical::tz-shift",
        "ical::nested-component",
        "event::status-read-only",
        "event::end-required",
        "ical::escaped-text",
        "ical::line-endings",
    ] {
        assert!(
            !c.contains(&gone.to_string()),
            "{gone} still reported: {c:?}"
        );
    }
    let (a, b) = (events(&records), events(&again));
    assert_eq!(a[1], b[1]);
    assert_eq!(a[0].start_date, b[0].start_date);
    assert_eq!(a[0].summary, b[0].summary);
    assert!(
        b[0].reference_id
            .as_deref()
            .is_some_and(|u| u.starts_with("kbulk-"))
    );
}

#[test]
fn rfc5545_dialect_folds_escapes_and_names_zones() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("{}\r\n", "x".repeat(120));
    let text = TZ_CALENDAR.replace(
        "LOCATION:Hall A\r\n",
        &format!("LOCATION:Hall A\r\nDESCRIPTION:{long}"),
    );
    let src = write_temp(&dir, "in.ics", &text);
    let (records, _) = read(&src, None);
    let (out, _, written) = convert(
        &records,
        Target::Ics {
            dialect: Dialect::Rfc5545,
        },
    );
    assert_eq!(written, 3);
    assert!(out.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
    assert!(out.contains("DTSTART;TZID=America/New_York:20270701T100000"));
    assert_eq!(out.matches("BEGIN:VTIMEZONE").count(), 1);
    assert!(out.contains("TZOFFSETTO:-0400") && out.contains("TZOFFSETTO:-0500"));
    assert!(out.contains("SUMMARY:Summer lecture\\, room 2"));
    assert!(out.lines().any(|l| l.starts_with(' ')), "no folded line");
    // A strict third-party parser reads it.
    let unfolded = icalendar::parser::unfold(&out);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("icalendar parses the output");
    assert_eq!(
        cal.components.iter().filter(|c| c.name == "VEVENT").count(),
        3
    );
    // And kbulk reads back the same instants.
    let back = write_temp(&dir, "out.ics", &out);
    let (again, _) = read(&back, None);
    let (a, b) = (events(&records), events(&again));
    assert_eq!(a[0].start_date, b[0].start_date);
    assert_eq!(a[0].time_zone, b[0].time_zone);
    assert_eq!(a[1].recurrence, b[1].recurrence);
}

#[test]
fn ics_to_jsonl_matches_the_committed_schema_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let src = write_temp(&dir, "in.ics", TZ_CALENDAR);
    let (records, _) = read(&src, None);
    let (out, _, written) = convert(&records, Target::Jsonl);
    assert_eq!(written, 3);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/schedule-event.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(
            &kbulk::schema::schema("schedule-event").unwrap()
        )
        .unwrap(),
        schema,
        "schemas/schedule-event.schema.json is stale: regenerate it with `kbulk schema schedule-event`"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{line}: {errors:?}");
    }
    let back = write_temp(&dir, "out.jsonl", &out);
    let (again, diags) = read(&back, None);
    assert_eq!(events(&records), events(&again));
    // The same per-record rules run on JSON Lines.
    assert!(codes(&diags).contains(&"event::status-read-only".to_string()));
}

#[test]
fn csv_and_ics_round_trip_and_report_what_does_not_fit() {
    let src = root().join("tests/ical/cases/csv-valid.csv");
    let (records, diags) = read(&src, None);
    assert!(diags.is_empty(), "{:?}", codes(&diags));
    assert_eq!(records.len(), 2);
    // csv -> csv is stable.
    let (csv, _, _) = convert(&records, Target::Csv);
    assert!(csv.starts_with("*action,eventType,title,"));
    let dir = tempfile::tempdir().unwrap();
    let p = write_temp(&dir, "again.csv", &csv);
    let (again, d2) = read(&p, None);
    assert!(d2.is_empty(), "{:?}", codes(&d2));
    assert_eq!(events(&records), events(&again));
    // csv -> ics: the resource link, owner and template type have no iCal property.
    let (ics, wdiags, written) = convert(
        &records,
        Target::Ics {
            dialect: Dialect::Kaltura,
        },
    );
    assert_eq!(written, 2);
    assert!(
        wdiags
            .iter()
            .any(|d| d.code.name == "event::not-carried-field" && d.message.contains("resource"))
    );
    assert!(ics.contains("RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO,WE"));
    // The live-stream row's type is the job's business in iCal: said, not lost silently.
    assert!(
        wdiags
            .iter()
            .any(|d| d.message.contains("event type (LiveStream)"))
    );
    // ics -> csv: UID and location have no column; the rule's WKST neither.
    let src = write_temp(&dir, "in.ics", TZ_CALENDAR);
    let (records, _) = read(&src, None);
    let (csv, wdiags, written) = convert(&records, Target::Csv);
    assert_eq!(written, 3);
    let msgs: Vec<&str> = wdiags.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("location")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("RRULE WKST")), "{msgs:?}");
    assert!(wdiags.iter().any(|d| d.code.name == "event-csv::required"));
    assert!(csv.contains("FREQ=WEEKLY,BYDAY=MO;WE,COUNT=4"), "{csv}");
}

#[test]
fn cancels_and_blackouts_are_reported_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:123\r\nMETHOD:CANCEL\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let src = write_temp(&dir, "c.ics", text);
    let (records, _) = read(&src, None);
    let (_, wdiags, written) = convert(&records, Target::Csv);
    assert_eq!(written, 0);
    assert!(
        wdiags
            .iter()
            .any(|d| d.code.name == "event::not-carried-field")
    );
    // The CLI sums it up as convert::not-carried.
    let (code, _, stderr) = kbulk(&[
        "convert",
        src.to_str().unwrap(),
        "--to",
        "csv",
        "--color",
        "never",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("convert::not-carried"), "{stderr}");
}

#[test]
fn kaltura_writer_reports_values_it_cannot_write() {
    let e = ScheduleEvent {
        summary: Some("two\nlines".into()),
        start_date: Some(kbulk::formats::ics::rrule::parse_utc_basic("20270701T140000Z").unwrap()),
        end_date: Some(kbulk::formats::ics::rrule::parse_utc_basic("20270701T150000Z").unwrap()),
        ..ScheduleEvent::default()
    };
    let r = Record {
        origin: kbulk::source::Origin {
            file: Arc::from("x.jsonl"),
            span: kbulk::source::Span::new(0, 1),
            line: 1,
            row: 1,
            raw: None,
        },
        data: RecordData::ScheduleEvent(e),
    };
    let (out, wdiags, _) = convert(
        &[r],
        Target::Ics {
            dialect: Dialect::Kaltura,
        },
    );
    assert!(out.contains("SUMMARY:two lines\r\n"));
    assert_eq!(codes(&wdiags), vec!["ical::unrepresentable".to_string()]);
}

#[test]
fn overlong_lines_are_cut_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:x\r\nDESCRIPTION:{}\r\nDTSTART:20270701T140000Z\r\nDTEND:20270701T150000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "y".repeat(1_200_000)
    );
    let src = write_temp(&dir, "long.ics", &text);
    let (records, diags) = read(&src, Some(Format::Ical));
    assert_eq!(records.len(), 1);
    assert_eq!(codes(&diags), vec!["ical::line-too-long".to_string()]);
    let e = &events(&records)[0];
    assert!(e.start_date.is_some() && e.end_date.is_some());
    let _ = opts(None);
}

#[test]
fn cli_converts_with_dialect_and_events_type() {
    let dir = tempfile::tempdir().unwrap();
    let src = write_temp(&dir, "in.ics", TZ_CALENDAR);
    let out = dir.path().join("out.ics");
    let (code, _, stderr) = kbulk(&[
        "convert",
        src.to_str().unwrap(),
        "--to",
        "ics",
        "--dialect",
        "kaltura",
        "--events-type",
        "live-stream",
        "--import-date",
        "2027-01-15",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("converted 3 records"), "{stderr}");
    let (code, stdout, _) = kbulk(&[
        "check",
        out.to_str().unwrap(),
        "--format",
        "json",
        "--import-date",
        "2027-01-15",
    ]);
    assert_eq!(code, 0, "{stdout}");
}
