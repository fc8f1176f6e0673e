//! The rules that run on the times as the server converts them (§5.5 then §5.8): end before
//! start, duration and UNTIL on the converted DTSTART/DTEND, and series expanded without their
//! zone across a daylight-saving change.
use super::*;
use crate::diag::Code;
use crate::record::event::MAX_OCCURRENCES;
use jiff::tz::TimeZone;

/// What the server computes for DTSTART/DTEND when it differs from what the file means.
#[derive(Debug, Default)]
pub(super) struct ServerTimes {
    /// The server's DTSTART, when it differs.
    pub start: Option<EventTime>,
    /// The server's DTEND, when it differs.
    pub end: Option<EventTime>,
    /// The zone DTSTART names, when the server knows it.
    pub start_zone: Option<String>,
}

/// Per-event rules whose outcome the server's conversion of the times can change.
const COMPOSED: [&Code; 3] = [
    &ev_codes::END_BEFORE_START,
    &ev_codes::DURATION_LIMIT,
    &ev_codes::RECURRENCE_UNTIL,
];

/// Runs the per-event time rules again on the server's converted times: a finding only the
/// server's times have is added (the server rejects what the file does not show), one only the
/// intended times have is taken back (the server accepts the moved event; the shift itself is
/// reported by `ical::tz-shift` / `ical::utc-with-zone`). Then the DST rule for series.
pub(super) fn converted_rules(
    e: &ScheduleEvent,
    locs: &EventLocs,
    server: &ServerTimes,
    ctx: &Ctx<'_>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    if server.start.is_some() || server.end.is_some() {
        let mut moved = e.clone();
        moved.start_date = server.start.or(e.start_date);
        moved.end_date = server.end.or(e.end_date);
        let mut on_server = Vec::new();
        check_record(&moved, locs, Source::Ical, ctx.file, row, &mut on_server);
        let import_date = ctx.import.to_zoned_datetime(TimeZone::UTC).date();
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
                        .help(
                            "write DTSTART and DTEND in UTC (kbulk convert --dialect kaltura does)",
                        );
                    out.push(d);
                }
            }
        }
    }
    series_dst_rule(e, locs, server, ctx, row, out);
}

/// A series whose DTSTART has a zone with a daylight-saving change during the series: the
/// server keeps no zone (the TZID is not stored as `recurrence.timeZone`) and repeats the
/// converted start at the same UTC time, so the occurrences whose zone offset differs from the
/// import-day offset are moved by the difference.
fn series_dst_rule(
    e: &ScheduleEvent,
    locs: &EventLocs,
    server: &ServerTimes,
    ctx: &Ctx<'_>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(r), Some(start), Some(name)) = (&e.recurrence, e.start_date, &server.start_zone)
    else {
        return;
    };
    let Some(zone) = tz::resolve(name) else {
        return;
    };
    if r.frequency.is_none() || r.count.is_some() == r.until.is_some() {
        return;
    }
    // Expand on the wall clock (the local times written as if UTC), as the file means it.
    let as_wall = |t: EventTime| {
        t.0.to_zoned_datetime(zone.clone())
            .datetime()
            .to_zoned_datetime(TimeZone::UTC)
            .ok()
            .map(|z| EventTime(z.timestamp()))
    };
    let Some(wall_start) = as_wall(start) else {
        return;
    };
    let mut wall_rule = r.clone();
    wall_rule.until = r.until.and_then(as_wall);
    let Ok(walls) = rrule::occurrences(&wall_rule, wall_start, MAX_OCCURRENCES) else {
        return;
    };
    let import_offset = zone.to_offset(ctx.import).seconds() as i64;
    let offset_at = |wall: EventTime| -> Option<i64> {
        let civil = wall.0.to_zoned_datetime(TimeZone::UTC).datetime();
        let t = zone.to_ambiguous_timestamp(civil).compatible().ok()?;
        Some(wall.unix() - t.as_second())
    };
    let offsets: Vec<(EventTime, i64)> = walls
        .iter()
        .filter_map(|&w| offset_at(w).map(|o| (w, o)))
        .collect();
    let Some(&(_, first_offset)) = offsets.first() else {
        return;
    };
    if offsets.iter().all(|&(_, o)| o == first_offset) {
        return;
    }
    let off: Vec<&(EventTime, i64)> = offsets
        .iter()
        .filter(|&&(_, o)| o != import_offset)
        .collect();
    let Some(&&(first_wall, first_off)) = off.first() else {
        return;
    };
    let minutes = (first_off - import_offset) / 60;
    let dir = if minutes > 0 { "later" } else { "earlier" };
    let zone_name = zone.iana_name().unwrap_or(name.as_str());
    let p = locs.at(EventField::Recurrence);
    let s = locs.at(EventField::StartDate);
    out.push(
        Diagnostic::new(
            &codes::SERIES_DST,
            ctx.file,
            format!(
                "this series in {zone_name} crosses a daylight-saving change, but the server keeps no zone: it repeats the start at the import-day offset {}, so {} of its {} occurrences (the first on {}) start {} minutes {dir} than their local time",
                tz::describe_offset(&zone, ctx.import),
                off.len(),
                offsets.len(),
                first_wall.0.to_zoned_datetime(TimeZone::UTC).date(),
                minutes.abs()
            ),
        )
        .label(p.span, p.at, "expanded without the zone")
        .label(s.span, s.at, "zone with a DST change")
        .row(row)
        .help("split the series at the DST change, or write each occurrence as a single event in UTC"),
    );
}
