//! The per-event time rules on the times as the server converts them (§5.5 then §5.8): end
//! before start, duration and UNTIL judged on the converted start and end as well.
use std::sync::Arc;

use jiff::tz::TimeZone;

use super::{EventLocs, Source, check_record, codes};
use crate::diag::{Code, Diagnostic};
use crate::record::event::{EventField, ScheduleEvent, ServerTimes};

/// Per-event rules whose outcome the server's conversion of the times can change.
const COMPOSED: [&Code; 3] = [
    &codes::END_BEFORE_START,
    &codes::DURATION_LIMIT,
    &codes::RECURRENCE_UNTIL,
];

/// Runs the per-event time rules again on the server's converted times; `out` holds the
/// findings of [`check_record`] on the intended times. A finding only the server's times have
/// is added (the server rejects what the file does not show), one only the intended times have
/// is taken back (the server accepts the moved event; the shift itself is reported by
/// `ical::tz-shift` / `ical::utc-with-zone`).
pub fn converted_rules(
    e: &ScheduleEvent,
    server: &ServerTimes,
    locs: &EventLocs,
    source: Source,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    if server.start.is_none() && server.end.is_none() {
        return;
    }
    let mut moved = e.clone();
    moved.start_date = server.start.or(e.start_date);
    moved.end_date = server.end.or(e.end_date);
    let mut on_server = Vec::new();
    check_record(&moved, locs, source, file, row, &mut on_server);
    let import_date = server.import.to_zoned_datetime(TimeZone::UTC).date();
    for code in COMPOSED {
        let is = |d: &Diagnostic| d.code.name == code.name;
        let intended = out.iter().any(is);
        let converted = on_server.iter().any(is);
        if intended && !converted {
            out.retain(|d| !is(d));
        } else if converted && !intended {
            for mut d in on_server.iter().filter(|d| is(d)).cloned() {
                d.message = format!(
                    "with the times the server converts (import day {import_date}), {}",
                    d.message
                );
                let start = locs.at(EventField::StartDate);
                d = d
                    .label(start.span, start.at, "converted by the server")
                    .help("write DTSTART and DTEND in UTC (kbulk convert --dialect kaltura does)");
                out.push(d);
            }
        }
    }
}
