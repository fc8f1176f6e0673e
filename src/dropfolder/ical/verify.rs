//! Whether an iCal rewrite is accepted: re-reading it yields the same events (compared in the
//! form of [`same_meaning`]) and no finding the input did not have.
use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::formats::ReadOptions;
use crate::formats::ics::codes as ical_codes;
use crate::record::event::EventTime;
use crate::record::{Record, RecordData};

/// Re-reads `before` and `after`: the same events (as [`same_meaning`] compares them) and no new
/// finding.
pub(super) fn verify(
    before: &str,
    after: &str,
    file: &Arc<str>,
    import: jiff::Timestamp,
) -> Result<(), String> {
    let opts = ReadOptions {
        import_time: Some(import),
        max_records: None,
        ..ReadOptions::default()
    };
    let (old, old_diags) = read(before, file, &opts);
    if let Some(d) = old_diags.iter().find(|d| {
        std::ptr::eq(d.code, &ical_codes::COMPONENT_NESTING)
            || std::ptr::eq(d.code, &ical_codes::NO_CALENDAR)
    }) {
        return Err(format!(
            "its components are not well formed ({}), so where an event ends would be a guess",
            d.code.name
        ));
    }
    let (new, new_diags) = read(after, file, &opts);
    if old.len() != new.len() {
        return Err(format!(
            "it would hold {} events instead of {}",
            new.len(),
            old.len()
        ));
    }
    if let Some(k) = (0..old.len()).find(|&k| old[k] != new[k]) {
        return Err(format!("event {k} would read differently"));
    }
    let mut count: HashMap<(&str, Option<u64>), i64> = HashMap::new();
    for d in &old_diags {
        *count.entry((d.code.name, d.row)).or_default() += 1;
    }
    for d in &new_diags {
        let n = count.entry((d.code.name, d.row)).or_default();
        *n -= 1;
        if *n < 0 {
            let at = d.row.map(|r| format!(" (event {r})")).unwrap_or_default();
            return Err(format!(
                "re-checking it would add the finding {}{at}",
                d.code.name
            ));
        }
    }
    Ok(())
}

/// Brings an event to the form both sides of a rewrite share when they mean the same: the zone
/// name of TZID times cleared (the server never stores it), and a single event's DURATION
/// without DTEND turned into its end time (what the rewrite writes).
pub fn same_meaning(e: &mut crate::record::event::ScheduleEvent) {
    e.time_zone = None;
    if e.recurrence.is_none()
        && e.end_date.is_none()
        && let (Some(s), Some(d)) = (e.start_date, e.duration)
        && let Some(end) = s.unix().checked_add(d).and_then(EventTime::from_unix)
    {
        e.end_date = Some(end);
        e.duration = None;
    }
}

/// The events of an iCal text (in the form of [`same_meaning`]) and the findings of reading it.
fn read(text: &str, file: &Arc<str>, opts: &ReadOptions) -> (Vec<Record>, Vec<Diagnostic>) {
    let mut records: Vec<Record> = Vec::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    {
        let mut findings = crate::formats::Findings::new(file.clone(), None, &mut diags);
        // Reading from memory (and collecting findings into a Vec) cannot fail.
        let _ = crate::pipeline::read_format(
            crate::formats::Format::Ical,
            text.as_bytes(),
            0,
            file,
            opts,
            &mut records,
            &mut findings,
        );
        let _ = findings.finish();
    }
    for r in &mut records {
        if let RecordData::ScheduleEvent(e) = &mut r.data {
            same_meaning(e);
        }
    }
    (records, diags)
}
