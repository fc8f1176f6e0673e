//! The conformance corpus read in place from `../shared/conformance`: every iCal file of
//! `ics-wild/` is read with no panic and no hang, and yields events or located diagnostics;
//! every RRULE of Kaltura's own tests parses, with what the server ignores reported.
use std::sync::mpsc;
use std::time::Duration;

use kbulk::check::event::{EventLocs, Source, check_record};
use kbulk::check::resource::Place;
use kbulk::formats::Format;
use kbulk::formats::ics::rrule::{IssueKind, parse_ical, parse_utc_basic, to_csv};
use kbulk::record::ScheduleEvent;

use super::util::{codes, read, root};

#[test]
fn every_wild_ics_file_yields_events_or_located_diagnostics() {
    let dir = root().join("../shared/conformance/ics-wild");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("../shared/conformance/ics-wild is present")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ics"))
        .collect();
    files.sort();
    assert!(files.len() >= 190, "only {} files", files.len());
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let mut summary = Vec::new();
        for path in files {
            let result = std::panic::catch_unwind(|| read(&path, Some(Format::Ical)));
            summary.push((path, result.map_err(|_| ())));
        }
        tx.send(summary).unwrap();
    });
    let summary = rx
        .recv_timeout(Duration::from_secs(600))
        .expect("the corpus is read without a hang");
    worker.join().unwrap();
    let mut events = 0;
    for (path, result) in summary {
        let (records, diags) = result.unwrap_or_else(|_| panic!("{} panicked", path.display()));
        events += records.len();
        assert!(
            !records.is_empty() || !diags.is_empty(),
            "{}: neither events nor diagnostics",
            path.display()
        );
        if records.is_empty() {
            assert!(
                diags.iter().any(|d| d.primary().is_some())
                    || diags
                        .iter()
                        .any(|d| d.code.name == "ical::no-calendar"
                            || d.code.name == "ical::no-events"),
                "{}: no located diagnostic",
                path.display()
            );
        }
        for d in &diags {
            if let Some(l) = d.primary() {
                assert!(
                    l.at.line >= 1 && l.at.column >= 1,
                    "{}: bad place",
                    path.display()
                );
            }
        }
    }
    assert!(events > 150, "only {events} events in the corpus");
}

#[test]
fn known_wild_files_report_what_kaltura_would_break() {
    let dir = root().join("../shared/conformance/ics-wild");
    let mut with_alarm = 0;
    let mut with_lf = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ics") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let (_, diags) = read(&path, Some(Format::Ical));
        let c = codes(&diags);
        let text = String::from_utf8_lossy(&bytes);
        let in_event_alarm = text.contains("BEGIN:VALARM") && text.contains("BEGIN:VEVENT");
        if in_event_alarm && c.contains(&"ical::nested-component".to_string()) {
            with_alarm += 1;
        }
        let lf_only = bytes.contains(&b'\n') && !bytes.windows(2).any(|w| w == b"\r\n");
        if lf_only {
            assert!(
                c.contains(&"ical::line-endings".to_string()),
                "{}: LF-only but not reported",
                path.display()
            );
            with_lf += 1;
        }
    }
    assert!(with_alarm > 0 && with_lf > 0, "{with_alarm} {with_lf}");
}

#[test]
fn every_kaltura_rrule_parses_and_ignored_parts_are_reported() {
    let text =
        std::fs::read_to_string(root().join("../shared/conformance/kaltura/rrule-examples.txt"))
            .expect("rrule-examples.txt");
    let start = parse_utc_basic("20260105T090000Z").unwrap();
    let mut lines = 0;
    let mut unbounded = 0;
    let mut csv_lost = 0;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        lines += 1;
        let (r, issues) = parse_ical(line);
        assert!(r.frequency.is_some(), "{line}: no frequency");
        for i in &issues {
            assert!(
                !matches!(
                    i.kind,
                    IssueKind::FreqMissing | IssueKind::FreqInvalid | IssueKind::Invalid
                ),
                "{line}: {}",
                i.message
            );
        }
        // Round trip through the RRULE text.
        let (again, _) = parse_ical(&r.to_rrule());
        assert_eq!(again, r, "{line}");
        // What the event CSV cannot carry is named.
        let (_, lost) = to_csv(&r);
        for part in ["WKST", "BYHOUR", "BYMINUTE", "BYYEARDAY", "BYWEEKNO"] {
            if line.contains(&format!("{part}=")) {
                assert!(lost.contains(&part), "{line}: {part} not reported as lost");
            }
        }
        csv_lost += usize::from(!lost.is_empty());
        // The server's own rules: unbounded rules and over 1000 occurrences are reported.
        let e = ScheduleEvent {
            summary: Some("x".into()),
            start_date: Some(start),
            duration: Some(600),
            recurrence: Some(r.clone()),
            ..ScheduleEvent::default()
        };
        let mut out = Vec::new();
        let file = "rrule-examples.txt".into();
        check_record(
            &e,
            &EventLocs::whole(Place::default()),
            Source::Ical,
            &file,
            0,
            &mut out,
        );
        let c = codes(&out);
        let bounded = r.count.is_some() != r.until.is_some();
        assert_eq!(
            c.contains(&"event::recurrence-bound".to_string()),
            !bounded,
            "{line}: {c:?}"
        );
        assert!(
            !c.contains(&"event::recurrence-invalid".to_string()),
            "{line}: {c:?}"
        );
        if line == "FREQ=DAILY;UNTIL=20301231T235959Z" {
            assert!(
                c.contains(&"event::recurrence-truncated".to_string()),
                "{line}: {c:?}"
            );
        }
        unbounded += usize::from(!bounded);
    }
    assert_eq!(lines, 57);
    assert!(unbounded > 0 && csv_lost > 0);
}

#[test]
fn mutated_inputs_never_panic() {
    let seeds = [
        std::fs::read(root().join("samples/events-outlook.ics")).unwrap(),
        std::fs::read(root().join("samples/events-valid.ics")).unwrap(),
        std::fs::read(root().join("tests/ical/cases/csv-valid.csv")).unwrap(),
    ];
    let alphabet = b":;=\",\r\n \tZT0123456789-+\\\xC3\xA9\xFFBEGIN:END:VEVENTVALARMRRULE";
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let file: std::sync::Arc<str> = "mutated".into();
    let opts = super::util::opts(None);
    for round in 0..3000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..(next() % 8 + 1) {
            let at = (next() as usize) % (bytes.len() + 1);
            match next() % 3 {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, alphabet[(next() as usize) % alphabet.len()]),
                _ if at < bytes.len() => bytes[at] = alphabet[(next() as usize) % alphabet.len()],
                _ => {}
            }
        }
        let mut records: Vec<kbulk::record::Record> = Vec::new();
        let mut out: Vec<kbulk::diag::Diagnostic> = Vec::new();
        let mut diags = kbulk::formats::Findings::new(file.clone(), None, &mut out);
        let format = if round % seeds.len() == 2 {
            kbulk::formats::Format::EventCsv
        } else {
            kbulk::formats::Format::Ical
        };
        kbulk::pipeline::read_format(
            format,
            &bytes[..],
            0,
            &file,
            &opts,
            &mut records,
            &mut diags,
        )
        .unwrap();
        diags.finish().unwrap();
    }
}
