//! Rules for schedule events: the API's per-event validation (run in parallel by the readers)
//! and the file-level rules that need every event in order (duplicate UIDs, resume and lookup
//! defects).
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::formats::ics::rrule::count_occurrences;
use crate::record::event::{EventAction, EventField, ScheduleEvent};
use crate::source::{LineCol, Place, Span, char_count};

pub use crate::formats::csv::event_codes as csv_codes;
pub use crate::formats::ics::codes as ical_codes;
pub use crate::record::codes::event as codes;

pub use crate::record::locs::{EventLocs, EventSource as Source};

mod converted;
pub use converted::converted_rules;
mod file_rules;
pub use file_rules::{EVENTS_PER_RUN, FileRules, UID_LOOKUP_PAGE};

/// Longest summary the API accepts, in characters.
pub const MAX_SUMMARY_CHARS: usize = 256;
/// Tags must stay under this many characters.
pub const MAX_TAGS_CHARS: usize = 65_000;
pub use crate::record::event::MAX_OCCURRENCES;
/// Longest whole event (`max_schedule_event_duration`), in seconds.
pub const MAX_EVENT_SECONDS: i64 = 2 * 365 * 86_400;

/// True for a Kaltura entry id (`0_abcd1234`).
pub fn is_entry_id(v: &str) -> bool {
    let b = v.as_bytes();
    match b.iter().position(|&c| c == b'_') {
        Some(u) if u > 0 && b.len() - u - 1 == 8 => {
            b[..u].iter().all(u8::is_ascii_digit)
                && b[u + 1..].iter().all(u8::is_ascii_alphanumeric)
        }
        _ => false,
    }
}

/// Runs the per-event rules.
pub fn check_record(
    e: &ScheduleEvent,
    locs: &EventLocs,
    source: Source,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let diag = |code, field: EventField, msg: String, label: &str| {
        let p = locs.at(field);
        Diagnostic::new(code, file, msg)
            .label(p.span, p.at, label)
            .row(row)
    };
    let class = e.event_type.api_class();
    if e.action == EventAction::Cancel {
        match &e.reference_id {
            Some(uid) if uid.bytes().all(|b| b.is_ascii_digit()) => {}
            Some(uid) => out.push(
                diag(&codes::CANCEL_BY_UID, EventField::Action, format!("this cancel passes the UID `{uid}` to scheduleEvent.cancel, which takes the numeric event id"), "METHOD:CANCEL")
                    .server(format!("Invalid object id [{uid}]"))
                    .help("cancel the event through the API by its id, or use the numeric event id as UID"),
            ),
            None => out.push(
                diag(&codes::CANCEL_BY_UID, EventField::Action, "this cancel has no UID: the server cannot tell which event to cancel".into(), "METHOD:CANCEL")
                    .help("give the UID of the event (its numeric id)"),
            ),
        }
        return;
    }
    match &e.summary {
        None if source != Source::Csv => out.push(
            diag(
                &codes::SUMMARY_REQUIRED,
                EventField::Summary,
                "the event has no SUMMARY".into(),
                "no summary",
            )
            .server(format!("The property \"{class}::summary\" cannot be null"))
            .help("add a SUMMARY line (1–256 characters)"),
        ),
        Some(s) => {
            let n = s.chars().count();
            if n > MAX_SUMMARY_CHARS {
                out.push(diag(
                    &codes::SUMMARY_LENGTH,
                    EventField::Summary,
                    format!(
                        "the summary has {n} characters; the API allows at most {MAX_SUMMARY_CHARS}"
                    ),
                    "too long",
                ));
            }
        }
        None => {}
    }
    if e.start_date.is_none() && source == Source::Jsonl {
        out.push(diag(
            &codes::START_REQUIRED,
            EventField::StartDate,
            "the event has no startDate".into(),
            "no start",
        ));
    }
    if !e.is_recurring() && e.end_date.is_none() && e.start_date.is_some() {
        let with_duration = if e.duration.is_some() {
            ": DURATION alone is not turned into an end date for single events"
        } else {
            ""
        };
        out.push(
            diag(
                &codes::END_REQUIRED,
                EventField::EndDate,
                format!("this single event has no end time{with_duration}"),
                "no DTEND",
            )
            .server(format!("The property \"{class}::endDate\" cannot be null"))
            .help(if source == Source::Csv {
                "fill endTime, or give the row a recurrence"
            } else {
                "add DTEND (kbulk convert --to ics computes it from DURATION)"
            }),
        );
    }
    if let (Some(s), Some(end)) = (e.start_date, e.end_date)
        && end < s
    {
        out.push(
            diag(
                &codes::END_BEFORE_START,
                EventField::EndDate,
                format!("the event ends ({end}) before it starts ({s})"),
                "before the start",
            )
            .server(format!(
                "End time [{}] must be after start time [{}]",
                end.unix(),
                s.unix()
            )),
        );
    }
    let max_single = e.event_type.max_single_duration();
    if let Some(len) = e.occurrence_seconds()
        && len > max_single
    {
        let field = if e.duration.is_some() {
            EventField::Duration
        } else {
            EventField::EndDate
        };
        out.push(
            diag(
                &codes::DURATION_LIMIT,
                field,
                format!(
                    "one occurrence lasts {} (the limit for this event type is {})",
                    human_secs(len),
                    human_secs(max_single)
                ),
                "too long",
            )
            .server(format!("Maximum schedule duration [{max_single}] reached"))
            .help("split the event into shorter ones"),
        );
    }
    if let Some(r) = &e.recurrence {
        recurrence_rules(e, r, locs, source, file, row, out);
    }
    for (v, field, what) in [
        (e.geo_latitude, EventField::GeoLatitude, "GEOLATITUDE"),
        (e.geo_longitude, EventField::GeoLongitude, "GEOLONGITUDE"),
    ] {
        if let Some(v) = v
            && v < 0.0
        {
            out.push(
                diag(
                    &codes::GEO_NEGATIVE,
                    field,
                    format!("{what} is {v}; the API accepts only values ≥ 0"),
                    "negative",
                )
                .help("leave coordinates out, or put the place in LOCATION"),
            );
        }
    }
    if let Some(p) = e.priority
        && !(0..=9).contains(&p)
    {
        out.push(diag(
            &codes::INVALID_NUMBER,
            EventField::Priority,
            format!("PRIORITY is {p}; it must be 0–9"),
            "out of range",
        ));
    }
    if let Some(s) = e.sequence
        && s < 0
    {
        out.push(diag(
            &codes::INVALID_NUMBER,
            EventField::Sequence,
            format!("SEQUENCE is {s}; it must be ≥ 0"),
            "negative",
        ));
    }
    if e.status.is_some() {
        let v = e.status.as_deref().unwrap_or_default();
        let server = if v.trim().parse::<i64>().is_ok() {
            format!("The property \"{class}::status\" cannot be updated")
        } else {
            format!(
                "Invalid enumeration value \"{v}\" for parameter \"status\", expecting enumeration type \"KalturaScheduleEventStatus\""
            )
        };
        out.push(
            diag(
                &codes::STATUS_READ_ONLY,
                EventField::Status,
                format!("STATUS `{v}` is read-only in the API: adding this event fails"),
                "read-only",
            )
            .server(server)
            .help("remove the STATUS line (kbulk convert --dialect kaltura drops it)"),
        );
    }
    if let Some(p) = &e.parent_id {
        out.push(
            diag(&codes::PARENT_ID_READ_ONLY, EventField::ParentId, format!("X-KALTURA-PARENT-ID `{p}` is read-only in the API: adding this event fails"), "read-only")
                .server(format!("The property \"{class}::parentId\" cannot be updated"))
                .help("this looks like an occurrence exported from Kaltura: keep only the series and single events"),
        );
        if e.recurrence.is_some() {
            let pp = locs.at(EventField::ParentId);
            out.push(
                diag(&codes::EXPORTED_OCCURRENCE, EventField::Recurrence, format!("this occurrence of series {p} carries the series' RRULE{}: without X-KALTURA-PARENT-ID it would be imported as a whole series, updating the series with its UID or adding a new one", e.reference_id.as_deref().map(|u| format!(" and UID `{u}`")).unwrap_or_default()), "the series' rule")
                    .label(pp.span, pp.at, "an exported occurrence")
                    .help("remove this VEVENT: keep only the series and single events"),
            );
        }
    }
    entry_rules(e, locs, file, row, out);
}

#[allow(clippy::too_many_arguments)]
fn recurrence_rules(
    e: &ScheduleEvent,
    r: &crate::record::Recurrence,
    locs: &EventLocs,
    source: Source,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let p = locs.at(EventField::Recurrence);
    let diag = |code, msg: String, label: &str| {
        Diagnostic::new(code, file, msg)
            .label(p.span, p.at, label)
            .row(row)
    };
    if r.frequency.is_none() && source == Source::Jsonl {
        out.push(diag(
            &codes::RECURRENCE_FREQUENCY,
            "the recurrence has no frequency: the server crashes on it".into(),
            "no frequency",
        ));
    }
    match (r.count.is_some(), r.until.is_some()) {
        (true, true) | (false, false) => {
            let msg = if r.count.is_some() {
                "the recurrence has both COUNT and UNTIL".to_string()
            } else if source == Source::Csv {
                "the recurrence has neither COUNT nor an endTime: it never ends".to_string()
            } else {
                "the recurrence has neither COUNT nor UNTIL: it never ends".to_string()
            };
            out.push(
                diag(&codes::RECURRENCE_BOUND, msg, "unbounded or doubly bounded")
                    .server("Only one of the passed properties: until / count should not be null")
                    .help("give exactly one of COUNT and UNTIL"),
            );
        }
        _ => {}
    }
    if e.occurrence_seconds().is_none() && source != Source::Csv {
        out.push(
            diag(&codes::RECURRENCE_DURATION, "this recurring event has neither DURATION nor DTEND: its occurrences have no length".into(), "no duration")
                .help("add DURATION (e.g. PT1H) or DTEND"),
        );
    }
    let Some(start) = e.start_date else { return };
    if let (Some(until), Some(len)) = (r.until, e.occurrence_seconds())
        && until.unix() < start.unix().saturating_add(len)
    {
        let u = locs.fields[EventField::RecurrenceUntil.index()].unwrap_or(p);
        out.push(
            Diagnostic::new(
                &codes::RECURRENCE_UNTIL,
                file,
                format!("UNTIL ({until}) is before the first occurrence ends"),
            )
            .label(u.span, u.at, "too early")
            .row(row)
            .server("The property \"Recurrence::until\" is not valid"),
        );
    }
    if let Some(until) = r.until
        && until.unix() - start.unix() > MAX_EVENT_SECONDS
    {
        out.push(
            diag(&codes::DURATION_LIMIT, format!("the series runs from {start} to {until}, longer than the 2 years the server allows"), "too long")
                .server(format!("Maximum schedule duration [{MAX_EVENT_SECONDS}] reached")),
        );
    }
    if r.frequency.is_some() && (r.count.is_some() != r.until.is_some()) {
        match count_occurrences(r, start, MAX_OCCURRENCES + 1) {
            Ok(n) if n > MAX_OCCURRENCES as usize => out.push(
                diag(&codes::RECURRENCE_TRUNCATED, format!("this series has more than {MAX_OCCURRENCES} occurrences: the server keeps the first {MAX_OCCURRENCES} and drops the rest"), "over 1000 occurrences")
                    .help("split the series or end it earlier"),
            ),
            Ok(_) => {}
            Err(reason) => out.push(diag(
                &codes::RECURRENCE_INVALID,
                format!("the rule cannot be expanded: {reason}"),
                "invalid rule",
            )),
        }
    }
}

fn entry_rules(
    e: &ScheduleEvent,
    locs: &EventLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let diag = |code, field: EventField, msg: String, label: &str| {
        let p = locs.at(field);
        Diagnostic::new(code, file, msg)
            .label(p.span, p.at, label)
            .row(row)
    };
    if let Some(t) = &e.template_entry_id
        && !is_entry_id(t.trim())
    {
        out.push(diag(
            &codes::ENTRY_ID,
            EventField::TemplateEntryId,
            format!("`{t}` is not an entry id"),
            "not like 0_abcd1234",
        ));
    }
    // The first bad item of a comma-separated list, with its place in the value.
    let bad_item = |ids: &str, field: EventField, ok: &dyn Fn(&str) -> bool| {
        let (range, bad) = list_items(ids).find(|(_, i)| !i.is_empty() && !ok(i))?;
        Some((item_place(locs.at(field), ids, range), bad.to_string()))
    };
    if let Some(ids) = &e.entry_ids
        && let Some((p, bad)) = bad_item(ids, EventField::EntryIds, &is_entry_id)
    {
        out.push(
            Diagnostic::new(
                &codes::ENTRY_ID,
                file,
                format!("`{bad}` in the entry ids is not an entry id"),
            )
            .label(p.span, p.at, "not like 0_abcd1234")
            .row(row),
        );
    }
    if let Some(ids) = &e.category_ids
        && let Some((p, bad)) = bad_item(ids, EventField::CategoryIds, &|i: &str| {
            i.parse::<u64>().is_ok()
        })
    {
        out.push(
            Diagnostic::new(
                &codes::CATEGORY_IDS,
                file,
                format!("`{bad}` in the category ids is not an integer"),
            )
            .label(p.span, p.at, "not an id")
            .row(row)
            .help("category ids are integers; name categories by path in the event CSV's categoryPaths"),
        );
    }
    if let Some(t) = &e.tags {
        let n = t.chars().count();
        if n >= MAX_TAGS_CHARS {
            out.push(diag(
                &codes::TAGS_LENGTH,
                EventField::Tags,
                format!("the tags have {n} characters; they must stay under {MAX_TAGS_CHARS}"),
                "too long",
            ));
        }
    }
    if !e.event_type.links_entries() {
        for (v, field, what) in [
            (
                &e.template_entry_id,
                EventField::TemplateEntryId,
                "template entry",
            ),
            (&e.entry_ids, EventField::EntryIds, "entry ids"),
            (&e.category_ids, EventField::CategoryIds, "category ids"),
        ] {
            if v.is_some() {
                out.push(diag(
                    &codes::ENTRY_LINK_IGNORED,
                    field,
                    format!(
                        "the {what} of a {:?} event are dropped by the server",
                        e.event_type
                    )
                    .to_lowercase(),
                    "ignored",
                ));
            }
        }
    }
}

/// `1 h 30 min`, `2 days`.
pub fn human_secs(s: i64) -> String {
    let a = s.abs();
    if a % 86_400 == 0 && a >= 86_400 {
        let d = a / 86_400;
        format!("{d} day{}", if d == 1 { "" } else { "s" })
    } else if a >= 3600 {
        let (h, m) = (a / 3600, a % 3600 / 60);
        if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else {
        format!("{} min {} s", a / 60, a % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_look_like_partition_underscore_eight() {
        assert!(is_entry_id("0_abcd1234"));
        assert!(is_entry_id("1_ABCD12x4"));
        assert!(!is_entry_id("abcd1234"));
        assert!(!is_entry_id("0_abc"));
        assert!(!is_entry_id("0_abcd-234"));
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human_secs(86_400), "1 day");
        assert_eq!(human_secs(5400), "1 h 30 min");
        assert_eq!(human_secs(90), "1 min 30 s");
    }
}

/// The items of a comma-separated list, trimmed, each with its byte range in `list`.
fn list_items(list: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let mut at = 0;
    list.split(',').map(move |part| {
        let lead = part.len() - part.trim_start().len();
        let item = part.trim();
        let start = at + lead;
        at += part.len() + 1;
        (start..start + item.len(), item)
    })
}

/// The place of `range` of `value` inside `whole`, the place of the value: exact when the file
/// holds the value verbatim on one line (same length, no escape), else the whole value's place.
fn item_place(whole: Place, value: &str, range: std::ops::Range<usize>) -> Place {
    let verbatim = whole.span.end.saturating_sub(whole.span.start) == value.len() as u64
        && !value.contains(['\\', '"', '\n', '\r']);
    match (verbatim, value.get(..range.start), value.get(range.clone())) {
        (true, Some(before), Some(_)) => Place {
            span: Span::new(
                whole.span.start + range.start as u64,
                whole.span.start + range.end as u64,
            ),
            at: LineCol {
                line: whole.at.line,
                column: whole.at.column + char_count(before.as_bytes()),
            },
        },
        _ => whole,
    }
}

#[cfg(test)]
mod item_place_tests {
    use super::*;

    fn place(start: u64, len: u64, column: u64) -> Place {
        Place {
            span: Span::new(start, start + len),
            at: LineCol { line: 9, column },
        }
    }

    #[test]
    fn a_verbatim_value_gives_the_item_its_own_place() {
        let value = "0_abcd1234, entry-2";
        let (range, item) = list_items(value).nth(1).unwrap();
        assert_eq!(item, "entry-2");
        let p = item_place(place(100, value.len() as u64, 21), value, range);
        assert_eq!((p.span.start, p.span.end, p.at.column), (112, 119, 33));
    }

    #[test]
    fn a_value_not_held_verbatim_keeps_the_whole_place() {
        // Folded (the file's span is longer than the value) or escaped: no exact column.
        let value = "0_abcd1234,entry-2";
        let (range, _) = list_items(value).nth(1).unwrap();
        let folded = place(100, value.len() as u64 + 3, 21);
        assert_eq!(item_place(folded, value, range.clone()).at.column, 21);
        let escaped = "a\\,b,c";
        let (range, item) = list_items(escaped).nth(2).unwrap();
        assert_eq!(item, "c");
        let whole = place(0, escaped.len() as u64, 5);
        assert_eq!(item_place(whole, escaped, range).at.column, 5);
    }
}
