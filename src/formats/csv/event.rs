//! Reads schedule-event CSVs as `BulkUploadScheduleEventCsvEngine` does (kaltura-formats §4):
//! the 18 columns, plain `trim`, action 1 only, required values, the recurrence string, and maps
//! every data row to a [`ScheduleEvent`] in parallel chunks with a deterministic order.
use std::io::{self, Read};
use std::sync::Arc;

use rayon::prelude::*;

use super::php::{CsvChunk, PhpCsvReader, RecordRef};
use super::resource::{MAX_RECORD_BYTES, php_numeric, record_level};
use super::{LineClass, classify, header_name, php_trim};
use crate::diag::{Diagnostic, Severity};
use crate::formats::csv::event_codes as codes;
use crate::formats::ics::rrule::{IssueKind, parse_csv};
use crate::formats::feed::{Chunk, Events, Feed, Row};
use crate::formats::{Findings, ReadOptions};
use crate::record::codes::event as ev_codes;
use crate::record::event::{EventField, EventTime, EventType, ScheduleEvent, TemplateEntryType};
use crate::record::locs::EventLocs;
use crate::source::Place;
use crate::source::{LineCol, Origin, Span, locate_in};

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

/// The column map a `*` header defines.
#[derive(Debug, Clone, Default)]
struct ColumnMap {
    index: [Option<usize>; 18],
    width: usize,
}

/// Reads a time as `strtotime` would for the forms kbulk accepts; the flag says whether the
/// text named an offset.
pub fn parse_time(v: &str) -> Option<(EventTime, bool)> {
    if let Some(secs) = v.strip_prefix('@') {
        return secs
            .parse::<i64>()
            .ok()
            .and_then(EventTime::from_unix)
            .map(|t| (t, true));
    }
    if let Ok(t) = v.parse::<jiff::Timestamp>() {
        return Some((EventTime(t), true));
    }
    let utc = |dt: jiff::civil::DateTime| {
        dt.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| (EventTime(z.timestamp()), false))
    };
    if let Ok(dt) = v.parse::<jiff::civil::DateTime>() {
        return utc(dt);
    }
    if let Ok(d) = v.parse::<jiff::civil::Date>() {
        return utc(d.to_datetime(jiff::civil::Time::midnight()));
    }
    None
}

fn cell_place(rec: RecordRef<'_>, i: usize) -> Place {
    let c = &rec.cells()[i];
    let span = Span::new(
        rec.offset() + c.raw.start as u64,
        rec.offset() + c.raw.end as u64,
    );
    Place {
        span,
        at: locate_in(rec.raw(), rec.offset(), rec.line(), span.start),
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
                LineClass::Empty | LineClass::Comment => {}
                LineClass::Header => cols = Some(Arc::new(read_header(rec, file, diags))),
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
            let Some((event, locs, findings)) = m else {
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
            let origin = wants.then(|| Origin {
                file: file.clone(),
                span: locs.row.span,
                line: rec.line(),
                row: *row,
                raw: opts.keep_raw.then(|| {
                    Arc::from(String::from_utf8_lossy(&rec.raw()[..rec.content_len()]).as_ref())
                }),
            });
            out.push(Row {
                row: *row,
                record: Some(event),
                usable: true,
                locs,
                findings,
                origin,
            });
        }
        // Later rows report inside themselves (this source holds nothing open).
        let watermark = chunk.end();
        feed.chunk(Chunk { rows: out, watermark }, diags)?;
    }
    Ok(rows)
}

fn read_header(rec: RecordRef<'_>, file: &Arc<str>, diags: &mut Findings<'_>) -> ColumnMap {
    let mut map = ColumnMap {
        width: rec.cells().len(),
        ..ColumnMap::default()
    };
    for i in 0..rec.cells().len() {
        let name = header_name(rec.value(i));
        match COLUMNS.iter().position(|c| *c == name) {
            Some(k) => {
                if map.index[k].is_some() {
                    let p = cell_place(rec, i);
                    diags.push(
                        Diagnostic::new(&codes::DUPLICATE_COLUMN, file, format!("column `{name}` appears twice in the header; the later cell wins on every row"))
                            .label(p.span, p.at, "repeated column"),
                    );
                }
                map.index[k] = Some(i);
            }
            None => {
                let p = cell_place(rec, i);
                let hint = COLUMNS
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(name.trim()))
                    .map_or_else(
                        || format!("the columns are: {}", COLUMNS.join(", ")),
                        |c| format!("did you mean `{c}`? Column names are case-sensitive"),
                    );
                diags.push(
                    Diagnostic::new(&codes::UNKNOWN_COLUMN, file, format!("`{name}` is not an event CSV column: the server's column count no longer matches the rows and every row fails"))
                        .label(p.span, p.at, "unknown column")
                        .server("The number of values is not equal to the number of columns. Event will not be created.")
                        .help(hint),
                );
            }
        }
    }
    map
}

/// Maps one data row, running the engine's parse-time rules.
fn map_row(
    rec: RecordRef<'_>,
    row: u64,
    cols: &ColumnMap,
    file: &Arc<str>,
) -> (ScheduleEvent, EventLocs, Vec<Diagnostic>) {
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
    if rec.cells().len() != cols.width {
        let p = locs.row;
        out.push(
            Diagnostic::new(&codes::COLUMN_COUNT, file, format!("this row has {} fields but the header has {}", rec.cells().len(), cols.width))
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
    let time = |k: usize, name: &str, out: &mut Vec<Diagnostic>| -> Option<EventTime> {
        let v = get(k)?;
        match parse_time(&v) {
            Some((t, true)) => Some(t),
            Some((t, false)) => {
                out.push(
                    diag(&codes::TIME_OFFSET, k, format!("{name} `{v}` has no offset: the batch server's zone applies (kbulk assumes UTC)"), "no offset")
                        .help(format!("write it with an offset, e.g. {t}")),
                );
                Some(t)
            }
            None => {
                out.push(
                    diag(
                        &codes::INVALID_TIME,
                        k,
                        format!("{name} `{v}` is not a time kbulk can read"),
                        "not ISO 8601",
                    )
                    .help("write ISO 8601 with an offset, e.g. 2027-07-01T10:00:00Z"),
                );
                None
            }
        }
    };
    e.start_date = time(col::START_TIME, "startTime", &mut out);
    let end = time(col::END_TIME, "endTime", &mut out);
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
        let p = place_of(col::RECURRENCE);
        for i in issues {
            let (code, label) = match i.kind {
                IssueKind::FreqMissing | IssueKind::FreqInvalid => {
                    (&ev_codes::RECURRENCE_FREQUENCY, "FREQ")
                }
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
                out.push(diag(
                    &codes::COUNT_CLEARED,
                    col::RECURRENCE,
                    "COUNT is cleared because endTime is set: the series ends at endTime".into(),
                    "COUNT ignored",
                ));
            }
            r.until = Some(until);
        }
        e.recurrence = Some(r);
    } else {
        e.end_date = end;
    }
    (e, locs, out)
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
