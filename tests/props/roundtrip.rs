//! Round trips for generated records with awkward text: quotes, commas, semicolons, newlines,
//! backslashes, non-ASCII, leading and trailing spaces. A writer either carries a value exactly
//! or says it did not (a diagnostic); it never changes a value silently.
use std::sync::Arc;

use kbulk::convert::{ConvertSink, Target};
use kbulk::diag::Diagnostic;
use kbulk::formats::ics::Dialect;
use kbulk::formats::{Format, ReadOptions, Sink, csv, ics, jsonl, xml};
use kbulk::record::entry::{Entry, EntryAction, MediaType};
use kbulk::record::event::ScheduleEvent;
use kbulk::record::resource::{ResourceAction, ResourceType, ScheduleResource};
use kbulk::record::{Record, RecordData};
use kbulk::source::{Origin, Span};
use proptest::prelude::*;

/// Few cases: each runs a writer and a reader per target.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text made of the characters writers must escape or quote, and ordinary ones.
fn awkward() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just(",".to_string()),
        Just(";".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\\".to_string()),
        Just("\\n".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("é".to_string()),
        Just("日本".to_string()),
        Just("🎬".to_string()),
        Just("<&>'".to_string()),
        Just(":".to_string()),
        "[a-zA-Z0-9]{1,6}",
    ];
    proptest::collection::vec(piece, 1..8).prop_map(|v| v.concat())
}

/// A name-like value: awkward, but with a letter so it is never blank.
fn named() -> impl Strategy<Value = String> {
    (awkward(), "[a-z]{1,4}").prop_map(|(a, b)| format!("{b}{a}"))
}

fn origin() -> Origin {
    Origin {
        file: Arc::from("gen.jsonl"),
        span: Span::new(0, 1),
        line: 1,
        row: 1,
        raw: None,
    }
}

fn opts() -> ReadOptions {
    ReadOptions {
        import_time: Some("2027-01-15T12:00:00Z".parse().unwrap()),
        ..ReadOptions::default()
    }
}

/// Writes `records` with `target`: the bytes and the writer's findings.
fn write(records: &[Record], target: Target) -> (Vec<u8>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut sink = ConvertSink::new(target, &mut out);
    for r in records {
        sink.record(r.clone());
    }
    let (_, diags) = sink.finish().unwrap();
    (out, diags)
}

/// Reads `bytes` as `format`.
fn read(format: Format, bytes: &[u8]) -> Vec<Record> {
    let file: Arc<str> = Arc::from("out");
    let mut records: Vec<Record> = Vec::new();
    let mut collected: Vec<kbulk::diag::Diagnostic> = Vec::new();
    let mut diags = kbulk::formats::Findings::new(file.clone(), None, &mut collected);
    let sink: &mut dyn Sink = &mut records;
    let o = opts();
    match format {
        Format::ResourceCsv => csv::resource::read(bytes, 0, &file, &o, sink, &mut diags),
        Format::EventCsv => csv::event::read(bytes, 0, &file, &o, sink, &mut diags),
        Format::EntryCsv => csv::entry::read(bytes, 0, &file, &o, sink, &mut diags),
        Format::Ical => ics::read(bytes, 0, &file, &o, sink, &mut diags),
        Format::MrssXml => xml::reader::read(bytes, 0, &file, &o, sink, &mut diags),
        Format::JsonLines => jsonl::read(bytes, 0, &file, &o, sink, &mut diags),
        Format::CategoryCsv
        | Format::UserCsv
        | Format::CategoryUserCsv
        | Format::CategoryEntryCsv => {
            let spec = format.table().unwrap();
            let mut rules = kbulk::check::table::rules_for(spec.kind, file.clone(), None).unwrap();
            csv::table::read(spec, bytes, 0, &file, &o, sink, &mut diags, &mut *rules)
        }
        Format::AppJsonl => kbulk::formats::app::jsonl::read(bytes, 0, &file, &o, sink, &mut diags),
        Format::AppCsv => kbulk::formats::app::csv::read(bytes, 0, &file, &o, sink, &mut diags),
    }
    .unwrap();
    diags.finish().unwrap();
    records
}

/// The property: what the writer carried without a word comes back equal.
fn round_trip(records: &[Record], target: Target, back: Format) -> Result<(), TestCaseError> {
    let (bytes, diags) = write(records, target);
    let again = read(back, &bytes);
    if diags.is_empty() {
        prop_assert_eq!(
            records,
            &again[..],
            "{:?} → {:?} changed a record silently; written:\n{}",
            target,
            back,
            String::from_utf8_lossy(&bytes)
        );
    } else {
        prop_assert!(diags.iter().all(|d| !d.message.is_empty()));
    }
    Ok(())
}

fn resource() -> impl Strategy<Value = ScheduleResource> {
    (
        named(),
        proptest::option::of(named()),
        proptest::option::of(awkward()),
        proptest::option::of(awkward()),
        0usize..3,
    )
        .prop_map(
            |(name, system_name, description, tags, t)| ScheduleResource {
                action: ResourceAction::Add,
                resource_id: None,
                name: Some(name),
                resource_type: ResourceType::ALL[t],
                system_name,
                description,
                tags,
                parent_type: ResourceType::default(),
                parent_system_name: None,
            },
        )
}

fn event() -> impl Strategy<Value = ScheduleEvent> {
    (
        named(),
        proptest::option::of(awkward()),
        proptest::option::of(awkward()),
        named(),
        0u32..1000,
    )
        .prop_map(|(summary, description, location, reference_id, hour)| {
            let start = format!(
                "2027{:02}{:02}T{:02}0000Z",
                1 + hour % 12,
                1 + hour % 28,
                hour % 24
            );
            let end = format!(
                "2027{:02}{:02}T{:02}3000Z",
                1 + hour % 12,
                1 + hour % 28,
                hour % 24
            );
            ScheduleEvent {
                summary: Some(summary),
                description,
                location,
                reference_id: Some(reference_id),
                start_date: Some(kbulk::formats::ics::rrule::parse_utc_basic(&start).unwrap()),
                end_date: Some(kbulk::formats::ics::rrule::parse_utc_basic(&end).unwrap()),
                ..ScheduleEvent::default()
            }
        })
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        named(),
        proptest::option::of(awkward()),
        proptest::option::of(named()),
        proptest::option::of(proptest::collection::vec("[a-z]{1,5}( [a-z]{1,5})?", 1..4)),
    )
        .prop_map(|(name, description, reference_id, tags)| Entry {
            name: Some(name),
            description,
            reference_id,
            tags,
            // What every reader fills in when the file leaves them out.
            action: Some(EntryAction::Add),
            entry_type: Some("1".into()),
            media_type: Some(MediaType::Video),
            ..Entry::default()
        })
}

fn records<T>(items: Vec<T>, wrap: fn(T) -> RecordData) -> Vec<Record> {
    items
        .into_iter()
        .map(|d| Record {
            origin: origin(),
            data: wrap(d),
        })
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn resources_round_trip(items in proptest::collection::vec(resource(), 1..4)) {
        let rs = records(items, RecordData::ScheduleResource);
        round_trip(&rs, Target::Jsonl, Format::JsonLines)?;
        round_trip(&rs, Target::Csv, Format::ResourceCsv)?;
    }

    #[test]
    fn events_round_trip(items in proptest::collection::vec(event(), 1..4)) {
        let rs = records(items, RecordData::ScheduleEvent);
        round_trip(&rs, Target::Jsonl, Format::JsonLines)?;
        round_trip(&rs, Target::Csv, Format::EventCsv)?;
        round_trip(&rs, Target::Ics { dialect: Dialect::Rfc5545 }, Format::Ical)?;
        round_trip(&rs, Target::Ics { dialect: Dialect::Kaltura }, Format::Ical)?;
    }

    #[test]
    fn entries_round_trip(items in proptest::collection::vec(entry(), 1..4)) {
        let rs = records(items, |e| RecordData::Entry(Box::new(e)));
        round_trip(&rs, Target::Jsonl, Format::JsonLines)?;
        round_trip(&rs, Target::Csv, Format::EntryCsv)?;
        round_trip(&rs, Target::Xml, Format::MrssXml)?;
    }
}

/// The codes a writer reported for one record.
fn reported(r: RecordData, target: Target) -> Vec<&'static str> {
    let (_, diags) = write(
        &[Record {
            origin: origin(),
            data: r,
        }],
        target,
    );
    diags.iter().map(|d| d.code.name).collect()
}

// The minimal cases proptest found: each value was changed by the reader without a word.

#[test]
fn resource_csv_reports_trailing_space() {
    let r = ScheduleResource {
        action: ResourceAction::Add,
        resource_id: None,
        name: Some("a ".into()),
        resource_type: ResourceType::Location,
        system_name: None,
        description: Some("\n".into()),
        tags: None,
        parent_type: ResourceType::Location,
        parent_system_name: None,
    };
    let got = reported(RecordData::ScheduleResource(r), Target::Csv);
    assert_eq!(got, vec!["convert::unrepresentable"; 2]);
}

#[test]
fn entry_csv_reports_trailing_space() {
    let e = Entry {
        name: Some("a ".into()),
        ..Entry::default()
    };
    let got = reported(RecordData::Entry(Box::new(e)), Target::Csv);
    assert_eq!(got, vec!["convert::unrepresentable"]);
}

#[test]
fn ics_writers_report_what_kaltura_reads_differently() {
    let at = |s| kbulk::formats::ics::rrule::parse_utc_basic(s).unwrap();
    let e = ScheduleEvent {
        reference_id: Some("a,".into()),
        summary: Some("a\\n".into()),
        start_date: Some(at("20270101T000000Z")),
        end_date: Some(at("20270101T003000Z")),
        ..ScheduleEvent::default()
    };
    let rfc = Target::Ics {
        dialect: Dialect::Rfc5545,
    };
    let kaltura = Target::Ics {
        dialect: Dialect::Kaltura,
    };
    assert_eq!(
        reported(RecordData::ScheduleEvent(e.clone()), rfc),
        vec!["ical::unrepresentable"]
    );
    assert_eq!(
        reported(RecordData::ScheduleEvent(e), kaltura),
        vec!["ical::unrepresentable"]
    );
}
