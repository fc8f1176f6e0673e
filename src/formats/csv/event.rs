//! Reads schedule-event CSVs as `BulkUploadScheduleEventCsvEngine` does (kaltura-formats §4):
//! the 18 columns, plain `trim`, action 1 only, required values, the recurrence string, and maps
//! every data row to a [`ScheduleEvent`] in parallel chunks with a deterministic order.
use std::io::{self, Read};
use std::sync::Arc;

use rayon::prelude::*;

use super::event_header::{ColumnMap, cell_place, comment_rule, read_header, value_place};
use super::php::{CsvChunk, PhpCsvReader, RecordRef};
use super::resource::{MAX_RECORD_BYTES, php_numeric, record_level};
use super::{LineClass, classify, php_trim, strtotime};
use crate::diag::{Diagnostic, Severity};
use crate::formats::csv::event_codes as codes;
use crate::formats::feed::{Checks, Chunk, Events, Feed, ReadEvent, Row};
use crate::formats::ics::rrule::{IssueKind, parse_csv};
use crate::formats::{Findings, ReadOptions};
use crate::record::codes::event as ev_codes;
use crate::record::event::{EventField, EventTime, EventType, ScheduleEvent, TemplateEntryType};
use crate::record::locs::EventLocs;
use crate::source::Place;
use crate::source::{LineCol, Span};

/// Categories one `category.list` call without a pager returns (the API's default page size).
pub const CATEGORY_PAGE: usize = 30;

/// Rows read before each parallel mapping step.
const CHUNK_ROWS: usize = 4096;

/// The 18 columns, in the order kbulk writes them.
pub const COLUMNS: [&str; 18] = [
    "action",
    "eventType",
    "title",
    "description",
    "tags",
    "categoryIds",
    "categoryPaths",
    "resource",
    "resourceID",
    "startTime",
    "duration",
    "endTime",
    "recurrence",
    "coEditors",
    "coPublishers",
    "eventOrganizerId",
    "contentOwnerId",
    "templateEntryType",
];

/// Column indexes into [`COLUMNS`].
#[allow(missing_docs)]
pub mod col {
    pub const ACTION: usize = 0;
    pub const EVENT_TYPE: usize = 1;
    pub const TITLE: usize = 2;
    pub const DESCRIPTION: usize = 3;
    pub const TAGS: usize = 4;
    pub const CATEGORY_IDS: usize = 5;
    pub const CATEGORY_PATHS: usize = 6;
    pub const RESOURCE: usize = 7;
    pub const RESOURCE_ID: usize = 8;
    pub const START_TIME: usize = 9;
    pub const DURATION: usize = 10;
    pub const END_TIME: usize = 11;
    pub const RECURRENCE: usize = 12;
    pub const CO_EDITORS: usize = 13;
    pub const CO_PUBLISHERS: usize = 14;
    pub const ORGANIZER: usize = 15;
    pub const CONTENT_OWNER: usize = 16;
    pub const TEMPLATE_ENTRY_TYPE: usize = 17;
}

/// Reads a time as `strtotime` would for the forms kbulk accepts; the flag says whether the
/// text named an offset.
pub fn parse_time(v: &str) -> Option<(EventTime, bool)> {
    match strtotime::read(v) {
        strtotime::Reading::Time { at, offset, .. } => Some((at, offset)),
        _ => None,
    }
}

fn row_place(rec: RecordRef<'_>) -> Place {
    Place {
        span: Span::new(rec.offset(), rec.offset() + rec.content_len() as u64),
        at: LineCol {
            line: rec.line(),
            column: 1,
        },
    }
}

/// Reads an event CSV from `input` (positioned after any BOM, at file offset `offset`).
/// Hands its rows to `feed`; returns the number of data rows.
pub fn read(
    input: impl Read,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    feed: &mut dyn Feed<Events>,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let mut reader = PhpCsvReader::new(input, offset, MAX_RECORD_BYTES);
    let mut chunk = CsvChunk::default();
    let mut cols: Option<Arc<ColumnMap>> = None;
    let mut rows = 0u64;
    let mut reported_no_header = false;
    while reader.read_chunk(&mut chunk, CHUNK_ROWS)? {
        let mut jobs = Vec::with_capacity(chunk.len());
        for rec in chunk.iter() {
            // Quoting, encoding and length findings are the same for every Kaltura CSV.
            record_level(rec, file, diags);
            match classify(&rec) {
                LineClass::Empty => {}
                LineClass::Comment => comment_rule(rec, cols.as_deref(), file, diags),
                LineClass::Header => {
                    cols = Some(Arc::new(read_header(rec, file, cols.is_some(), diags)));
                }
                LineClass::Data => {
                    rows += 1;
                    jobs.push((rec, rows, cols.clone()));
                }
            }
        }
        let mapped: Vec<_> = jobs
            .par_iter()
            .map(|(rec, row, cols)| cols.as_deref().map(|c| map_row(*rec, *row, c, file)))
            .collect();
        let wants = feed.wants_records();
        let mut out = Vec::with_capacity(jobs.len());
        for ((rec, row, _), m) in jobs.iter().zip(mapped) {
            let Some((event, locs, findings, checks)) = m else {
                if !reported_no_header {
                    reported_no_header = true;
                    let p = row_place(*rec);
                    diags.push(
                        Diagnostic::new(&codes::NO_HEADER, file, "this row comes before any `*` header: the event engine has no column map and crashes on PHP 8")
                            .label(p.span, p.at, "no header above this row")
                            .row(*row)
                            .help(format!("start the file with `*{}`", COLUMNS.join(","))),
                    );
                }
                continue;
            };
            let origin =
                wants.then(|| super::cells::origin(*rec, file, locs.row.span, *row, opts.keep_raw));
            out.push(Row {
                row: *row,
                record: Some(ReadEvent {
                    event,
                    server: None,
                }),
                usable: true,
                checks,
                locs,
                findings,
                origin,
            });
        }
        // Later rows report inside themselves (this source holds nothing open).
        let watermark = chunk.end();
        feed.chunk(
            Chunk {
                rows: out,
                watermark,
            },
            diags,
        )?;
    }
    Ok(rows)
}

/// Maps one data row, running the engine's parse-time rules; says which per-event rules apply.
fn map_row(
    rec: RecordRef<'_>,
    row: u64,
    cols: &ColumnMap,
    file: &Arc<str>,
) -> (ScheduleEvent, EventLocs, Vec<Diagnostic>, Checks) {
    let mut out = Vec::new();
    let mut locs = EventLocs::whole(row_place(rec));
    let at = |k: usize| {
        cols.index[k]
            .filter(|&i| i < rec.cells().len())
            .map(|i| cell_place(rec, i))
    };
    let get = |k: usize| -> Option<String> {
        let i = cols.index[k].filter(|&i| i < rec.cells().len())?;
        let v = String::from_utf8_lossy(php_trim(rec.value(i))).into_owned();
        (!v.is_empty()).then_some(v)
    };
    let row_p = locs.row;
    let place_of = |k: usize| at(k).unwrap_or(row_p);
    let diag = |code, k: usize, msg: String, label: &str| {
        let p = place_of(k);
        Diagnostic::new(code, file, msg)
            .label(p.span, p.at, label)
            .row(row)
    };
    for (k, f) in [
        (col::ACTION, EventField::Action),
        (col::EVENT_TYPE, EventField::EventType),
        (col::TITLE, EventField::Summary),
        (col::DESCRIPTION, EventField::Description),
        (col::TAGS, EventField::Tags),
        (col::CATEGORY_IDS, EventField::CategoryIds),
        (col::CATEGORY_PATHS, EventField::CategoryPaths),
        (col::RESOURCE, EventField::Resource),
        (col::RESOURCE_ID, EventField::ResourceId),
        (col::START_TIME, EventField::StartDate),
        (col::DURATION, EventField::Duration),
        (col::END_TIME, EventField::EndDate),
        (col::RECURRENCE, EventField::Recurrence),
        (col::ORGANIZER, EventField::OwnerId),
        (col::CONTENT_OWNER, EventField::ContentOwnerId),
        (col::TEMPLATE_ENTRY_TYPE, EventField::TemplateEntryType),
    ] {
        if let Some(p) = at(k) {
            locs.set(f, p);
        }
    }
    if rec.cells().len() != cols.server_width {
        let p = locs.row;
        let header = if cols.server_width == cols.width {
            format!("the header has {}", cols.width)
        } else {
            format!(
                "the engine counts {} columns for the header's {} cells",
                cols.server_width, cols.width
            )
        };
        out.push(
            Diagnostic::new(&codes::COLUMN_COUNT, file, format!("this row has {} fields but {header}", rec.cells().len()))
                .label(p.span, p.at, "wrong number of fields")
                .row(row)
                .server("The number of values is not equal to the number of columns. Event will not be created.")
                .help("every row needs exactly as many fields as the header: no trailing commas, and quote values containing commas"),
        );
    }
    let action = get(col::ACTION);
    let action_ok = action
        .as_deref()
        .and_then(php_numeric)
        .is_some_and(|n| n == 1.0);
    if !action_ok {
        let a = action.clone().unwrap_or_default();
        out.push(
            diag(&codes::ACTION, col::ACTION, format!("action `{a}` is not 1: the event CSV only adds events"), "not 1")
                .server(format!("Invalid action type value {a} passed. Only action type 1 (ADD) is supported at this time."))
                .help("write 1; update and cancel events through iCal (by UID) or the API"),
        );
    }
    let missing = |v: &Option<String>| v.as_deref().is_none_or(|s| s == "0");
    let required = [
        (col::EVENT_TYPE, "eventType"),
        (col::TITLE, "title"),
        (col::START_TIME, "startTime"),
        (col::ORGANIZER, "eventOrganizerId"),
        (col::CONTENT_OWNER, "contentOwnerId"),
    ];
    for (k, name) in required {
        if missing(&get(k)) {
            out.push(
                diag(&codes::REQUIRED, k, format!("{name} is empty"), "required")
                    .server(format!("Value for {name} must be specified!")),
            );
        }
    }
    let mut e = ScheduleEvent {
        summary: get(col::TITLE).filter(|s| s != "0"),
        description: get(col::DESCRIPTION),
        tags: get(col::TAGS),
        category_ids: get(col::CATEGORY_IDS),
        category_paths: get(col::CATEGORY_PATHS),
        resource_system_name: get(col::RESOURCE),
        resource_id: get(col::RESOURCE_ID),
        co_editors: get(col::CO_EDITORS),
        co_publishers: get(col::CO_PUBLISHERS),
        owner_id: get(col::ORGANIZER).filter(|s| s != "0"),
        content_owner_id: get(col::CONTENT_OWNER).filter(|s| s != "0"),
        ..ScheduleEvent::default()
    };
    if let Some(t) = get(col::EVENT_TYPE).filter(|s| s != "0") {
        match t.parse::<u8>().ok().and_then(EventType::from_code) {
            Some(ty @ (EventType::Record | EventType::LiveStream)) => e.event_type = ty,
            Some(ty @ (EventType::Meeting | EventType::LiveRedirect)) => {
                e.event_type = ty;
                out.push(
                    diag(
                        &codes::EVENT_TYPE,
                        col::EVENT_TYPE,
                        format!("eventType {t} ({ty:?}) is built by the engine but undocumented"),
                        "undocumented type",
                    )
                    .severity(Severity::Warning),
                );
            }
            _ => out.push(
                diag(
                    &codes::EVENT_TYPE,
                    col::EVENT_TYPE,
                    format!("eventType `{t}` is not 1 (record) or 2 (live stream)"),
                    "invalid type",
                )
                .server(format!("Invalid scheduled event type: {t}")),
            ),
        }
    }
    match get(col::TEMPLATE_ENTRY_TYPE).as_deref() {
        Some("media") => e.template_entry_type = Some(TemplateEntryType::Media),
        Some("live") => e.template_entry_type = Some(TemplateEntryType::Live),
        other => {
            let v = other.unwrap_or("");
            out.push(
                diag(&codes::TEMPLATE_ENTRY_TYPE, col::TEMPLATE_ENTRY_TYPE, format!("templateEntryType `{v}` is not `media` or `live`: the event is created, then the entry fails, leaving an orphan event"), "not media or live")
                    .server(format!("Invalid template entry type: {v}"))
                    .help("write media or live (lower case)"),
            );
        }
    }
    if e.resource_id.is_none() && e.resource_system_name.is_none() {
        out.push(
            diag(&codes::NO_RESOURCE, col::RESOURCE, "neither resource nor resourceID is given".into(), "no resource")
                .server("Neither the resource system name nor the resource ID were specified. Event was not created."),
        );
    } else if e.resource_id.is_some() && e.resource_system_name.is_some() {
        out.push(diag(
            &codes::BOTH_RESOURCES,
            col::RESOURCE,
            "both resource and resourceID are given: the server uses resourceID and ignores resource".into(),
            "ignored",
        ));
    }
    if e.category_ids.is_some() && e.category_paths.is_some() {
        out.push(
            diag(&codes::CATEGORY_CONFLICT, col::CATEGORY_PATHS, "both categoryIds and categoryPaths are given: the event is created without any category".into(), "both given")
                .server("Please use categoryIds OR categoryPaths, and not both. Event category association will not be created."),
        );
    }
    if e.category_ids.is_none() || e.category_paths.is_none() {
        let listed = [
            (col::CATEGORY_IDS, "categoryIds", &e.category_ids),
            (col::CATEGORY_PATHS, "categoryPaths", &e.category_paths),
        ];
        for (k, name, v) in listed {
            let n = v.as_deref().map_or(0, |v| {
                let mut all: Vec<&str> = v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                all.sort_unstable();
                all.dedup();
                all.len()
            });
            if n > CATEGORY_PAGE {
                out.push(
                    diag(&codes::CATEGORY_PAGE, k, format!("{name} lists {n} categories, but the engine's category.list call has no pager and returns the default page of {CATEGORY_PAGE}: the others are not linked"), "over 30 categories")
                        .help("link at most 30 categories per row; add the rest to the template entry afterwards"),
                );
            }
        }
    }
    let relative = std::cell::Cell::new(false);
    let time = |k: usize, name: &str, out: &mut Vec<Diagnostic>| -> Option<EventTime> {
        relative.set(false);
        let v = get(k)?;
        match strtotime::read(&v) {
            strtotime::Reading::Time {
                at,
                offset,
                swapped,
                rolled,
                past_midnight,
            } => {
                if past_midnight {
                    let read_as = at.0.to_zoned_datetime(jiff::tz::TimeZone::UTC);
                    out.push(
                        diag(
                            &codes::HOUR_ROLLOVER,
                            k,
                            format!(
                                "{name} `{v}`: strtotime carries hour 24 into the next day, {} at {}",
                                read_as.strftime("%-d %B %Y"),
                                read_as.strftime("%H:%M:%S"),
                            ),
                            "hour 24",
                        )
                        .help("write the next day's date with a time from 00:00 to 23:59"),
                    );
                }
                if let Some((m, d)) = rolled {
                    let read_as = at.0.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
                    let month = jiff::civil::Date::new(2000, m, 1)
                        .map(|x| x.strftime("%B").to_string())
                        .unwrap_or_default();
                    out.push(
                        diag(
                            &codes::DATE_ROLLOVER,
                            k,
                            format!(
                                "{name} `{v}`: {month} has no day {d}, and strtotime rolls it over to {} ({read_as})",
                                read_as.strftime("%-d %B %Y"),
                            ),
                            "no such day",
                        )
                        .help("write the date that is meant, in ISO 8601"),
                    );
                }
                if let Some(other) = swapped {
                    let read_as = at.0.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
                    out.push(
                        diag(
                            &codes::DATE_ORDER,
                            k,
                            format!(
                                "strtotime reads {name} `{v}` as {} ({}), not {} ({})",
                                read_as.strftime("%-d %B %Y"),
                                read_as,
                                other.strftime("%-d %B %Y"),
                                other
                            ),
                            "day and month could be swapped",
                        )
                        .help(format!("write ISO 8601, e.g. {at}")),
                    );
                }
                if !offset {
                    out.push(
                        diag(&codes::TIME_OFFSET, k, format!("{name} `{v}` has no offset: the batch server's zone applies (kbulk assumes UTC)"), "no offset")
                            .help(format!("write it with an offset, e.g. {at}")),
                    );
                }
                Some(at)
            }
            strtotime::Reading::Relative => {
                relative.set(true);
                out.push(
                    diag(
                        &codes::RELATIVE_TIME,
                        k,
                        format!(
                            "{name} `{v}` is read by strtotime relative to the moment the job runs"
                        ),
                        "relative time",
                    )
                    .help("write an absolute time in ISO 8601, e.g. 2027-07-01T10:00:00Z"),
                );
                None
            }
            strtotime::Reading::Refused(why) => {
                out.push(
                    diag(
                        &codes::INVALID_TIME,
                        k,
                        format!("{name} `{v}`: {why}"),
                        "not a time",
                    )
                    .help("write ISO 8601 with an offset, e.g. 2027-07-01T10:00:00Z"),
                );
                None
            }
        }
    };
    e.start_date = time(col::START_TIME, "startTime", &mut out);
    let end = time(col::END_TIME, "endTime", &mut out);
    let end_relative = relative.get();
    if let Some(d) = get(col::DURATION).filter(|s| s != "0") {
        match d.parse::<i64>() {
            Ok(n) if n > 0 => e.duration = Some(n),
            _ => out.push(diag(
                &codes::INVALID_DURATION,
                col::DURATION,
                format!("duration `{d}` is not a positive whole number of seconds"),
                "not seconds",
            )),
        }
    }
    if let Some(text) = get(col::RECURRENCE) {
        let (mut r, issues) = parse_csv(&text);
        let whole = place_of(col::RECURRENCE);
        for i in issues {
            let p = cols.index[col::RECURRENCE]
                .filter(|&c| c < rec.cells().len())
                .map_or(whole, |c| value_place(rec, c, i.range.clone()));
            let (code, label) = match i.kind {
                IssueKind::FreqMissing => (&codes::RECURRENCE_NO_FREQUENCY, "no FREQ"),
                IssueKind::FreqInvalid => (&ev_codes::RECURRENCE_FREQUENCY, "FREQ"),
                IssueKind::Ignored => (&codes::RECURRENCE_IGNORED_KEY, "ignored key"),
                IssueKind::Syntax => (&codes::RECURRENCE_SYNTAX, "syntax"),
                IssueKind::Invalid | IssueKind::UntilNotUtc => {
                    (&ev_codes::RECURRENCE_INVALID, "invalid value")
                }
            };
            out.push(
                Diagnostic::new(code, file, i.message)
                    .label(p.span, p.at, label)
                    .row(row)
                    .help("write KEY=VALUE parts separated by commas, lists with `;`: FREQ=WEEKLY,BYDAY=MO;WE,COUNT=10"),
            );
        }
        if e.duration.is_none() {
            out.push(
                diag(&ev_codes::RECURRENCE_DURATION, col::DURATION, "this recurring row has no duration".into(), "no duration")
                    .server("Recurrence pattern cannot be specified without the duration for each event instance. Event was not created.")
                    .help("give each occurrence's length in seconds in the duration column"),
            );
        }
        if let Some(until) = end {
            if r.count.take().is_some() {
                // At the COUNT part when it can be found in the cell, else at the cell.
                let mut at = 0;
                let part = text.split(',').find_map(|part| {
                    let start = at + part.len() - part.trim_start().len();
                    at += part.len() + 1;
                    let key = part.split('=').next().unwrap_or("").trim();
                    key.eq_ignore_ascii_case("COUNT")
                        .then(|| start..start + part.trim().len())
                });
                let p = cols.index[col::RECURRENCE]
                    .filter(|&c| c < rec.cells().len())
                    .zip(part)
                    .map_or(whole, |(c, range)| value_place(rec, c, range));
                out.push(
                    Diagnostic::new(
                        &codes::COUNT_CLEARED,
                        file,
                        "COUNT is cleared because endTime is set: the series ends at endTime",
                    )
                    .label(p.span, p.at, "COUNT ignored")
                    .row(row),
                );
            }
            r.until = Some(until);
            if let Some(p) = at(col::END_TIME) {
                locs.set(EventField::RecurrenceUntil, p);
            }
        }
        e.recurrence = Some(r);
    } else {
        e.end_date = end;
    }
    let checks = if rec.cells().len() != cols.server_width {
        // The engine stops at the count: no other rule of the row runs, and the values are not
        // paired with any column.
        out.retain(|d| std::ptr::eq(d.code, &codes::COLUMN_COUNT));
        Checks::None
    } else if end_relative {
        // The server does get an end time; kbulk only cannot say which.
        Checks::Except(&ev_codes::END_REQUIRED)
    } else {
        Checks::All
    };
    (e, locs, out, checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_and_without_offsets() {
        let (t, off) = parse_time("2027-07-01T10:00:00+02:00").unwrap();
        assert_eq!(t.to_string(), "2027-07-01T08:00:00Z");
        assert!(off);
        let (t, off) = parse_time("2027-07-01 10:00:00").unwrap();
        assert_eq!(t.to_string(), "2027-07-01T10:00:00Z");
        assert!(!off);
        assert!(parse_time("@1800000000").unwrap().1);
        assert!(parse_time("next monday").is_none());
    }
}
