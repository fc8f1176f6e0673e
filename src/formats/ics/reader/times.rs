//! Dates, times and zones of DTSTART/DTEND as the server reads them, and the rules about
//! components nested inside a VEVENT.
use super::*;

pub(super) fn locs_has(locs: &EventLocs, f: EventField) -> bool {
    locs.fields[f.index()].is_some()
}

pub(super) fn nested_rules(ev: &RawEvent, file: &Arc<str>, out: &mut Vec<Diagnostic>) {
    for n in &ev.nested {
        let mut clobbered: Vec<String> = Vec::new();
        for l in &n.lines {
            let name = l.name_upper();
            if matches!(
                name.as_str(),
                "SUMMARY"
                    | "DESCRIPTION"
                    | "DURATION"
                    | "LOCATION"
                    | "UID"
                    | "DTSTART"
                    | "DTEND"
                    | "STATUS"
                    | "RRULE"
                    | "PRIORITY"
                    | "COMMENT"
                    | "CONTACT"
                    | "ORGANIZER"
                    | "CLASS"
                    | "METHOD"
            ) && !clobbered.contains(&name)
            {
                clobbered.push(name.clone());
            }
            if name == "DURATION"
                && let Err(why) = parse_duration(l.value_str().trim())
            {
                let p = place(l, l.value.clone());
                out.push(
                    Diagnostic::new(&codes::DURATION_SYNTAX, file, format!("the {} inside this event has DURATION {why}; the server reads it as the event's", n.name))
                        .label(p.span, p.at, "not a duration")
                        .row(ev.index),
                );
            }
        }
        let effect = if clobbered.is_empty() {
            "its properties are read as the event's own".to_string()
        } else {
            format!(
                "its {} replace{} the event's own",
                clobbered.join(", "),
                if clobbered.len() == 1 { "s" } else { "" }
            )
        };
        out.push(
            Diagnostic::new(
                &codes::NESTED_COMPONENT,
                file,
                format!(
                    "a {} inside this VEVENT: the server does not see the component and {effect}",
                    n.name
                ),
            )
            .label(n.begin.span, n.begin.at, "nested component")
            .label(ev.begin.span, ev.begin.at, "in this event")
            .row(ev.index)
            .help("remove nested components (kbulk convert --to ics drops them)"),
        );
    }
}

/// A DTSTART/DTEND as the file means it and as the server computes it.
#[derive(Debug, Clone)]
pub(super) struct ReadTime {
    /// The instant the file means.
    pub intended: EventTime,
    /// The zone it names (its IANA name), when it has a TZID the server knows.
    pub zone: Option<String>,
    /// The instant the server computes, when it differs from `intended`.
    pub server: Option<EventTime>,
}

impl ReadTime {
    fn plain(t: EventTime) -> Self {
        ReadTime {
            intended: t,
            zone: None,
            server: None,
        }
    }
}

/// Reads DTSTART/DTEND: the instant the file means and the zone it names, reporting how the
/// server would read it.
pub(super) fn event_time(
    line: &ContentLine,
    v: &str,
    ctx: &Ctx<'_>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) -> Option<ReadTime> {
    let file = ctx.file;
    let name = line.name_upper();
    let vp = place(line, line.value.clone());
    let diag = |code, msg: String, label: &str| {
        Diagnostic::new(code, file, msg)
            .label(vp.span, vp.at, label)
            .row(row)
    };
    let is_date = line
        .param("VALUE")
        .is_some_and(|p| p.value.eq_ignore_ascii_case("DATE"))
        || (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()));
    if is_date {
        let t = parse_local_basic(&format!("{}T000000", v.get(..8).unwrap_or(v)))
            .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
            .map(|z| EventTime(z.timestamp()));
        out.push(
            diag(
                &codes::ALL_DAY_DATE,
                format!("{name} is an all-day date: the server reads no date and the event fails"),
                "all-day date",
            )
            .help("write a UTC date-time such as 20270701T000000Z"),
        );
        return t.map(ReadTime::plain);
    }
    let tzid = line.param("TZID");
    if let Some(t) = parse_utc_basic(v) {
        match tzid {
            None => return Some(ReadTime::plain(t)),
            // The server's pattern with a parameter is `YYYYMMDDTHHMMSS`, unanchored: it ignores
            // the `Z` and reads the digits as a local time in the zone (RFC 5545 forbids TZID on
            // a UTC time; readers that accept it take the `Z`, as kbulk does).
            Some(_) => return utc_with_zone(line, v, t, ctx, row, out),
        }
    }
    let Some(local) = parse_local_basic(v) else {
        out.push(
            diag(
                &codes::INVALID_DATE,
                format!("{name} `{v}` is not a date-time the server reads"),
                "not YYYYMMDDTHHMMSSZ",
            )
            .help("write YYYYMMDDTHHMMSSZ (UTC)"),
        );
        return None;
    };
    let Some(tzid) = tzid else {
        out.push(
            diag(&codes::FLOATING_TIME, format!("{name} `{v}` is a floating local time (no Z, no TZID): the server reads no date"), "floating time")
                .help(format!("write it in UTC as {v}Z if it is UTC, or convert it from its zone")),
        );
        return local
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| ReadTime::plain(EventTime(z.timestamp())));
    };
    let raw = String::from_utf8_lossy(&line.text[line.raw_params.clone()]).into_owned();
    let server_name = tz::server_zone_name(&raw).unwrap_or_default();
    // A zone finding points at the parameter that names the zone, not at the time after it.
    let zone_diag = |range: std::ops::Range<usize>, msg: String, label: &str| {
        let p = place(line, range);
        Diagnostic::new(&codes::UNKNOWN_ZONE, file, msg)
            .label(p.span, p.at, label)
            .row(row)
    };
    let Some(zone) = tz::resolve(&tzid.value) else {
        out.push(
            zone_diag(
                tzid.range.clone(),
                format!(
                    "TZID `{}` is not a zone the server knows: it uses its own default zone",
                    tzid.value
                ),
                "unknown zone",
            )
            .help("use an IANA zone name such as Europe/Paris, or UTC times"),
        );
        return local
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| ReadTime::plain(EventTime(z.timestamp())));
    };
    let zone_name = zone
        .iana_name()
        .map_or_else(|| tzid.value.clone(), str::to_string);
    if server_name.trim() != tzid.value.trim() && tz::resolve(&server_name).is_none() {
        out.push(
            zone_diag(line.raw_params.clone(), format!("the server takes the zone name from the whole parameter text and reads `{server_name}`, which it does not know: it uses its own default zone"), "zone name misread")
                .help("give TZID as the only parameter, or use UTC times"),
        );
    }
    let s = tz::shift(&zone, local, ctx.import)?;
    if s.minutes != 0 {
        let date = local.date();
        let import_date = ctx.import.to_zoned_datetime(zone.clone()).date();
        let dir = if s.minutes > 0 { "later" } else { "earlier" };
        out.push(
            diag(&codes::TZ_SHIFT, format!(
                "{zone_name} is {} on {date} but {} at import ({import_date}): the server places this {name} {} minutes {dir} ({} instead of {})",
                s.at_event, s.at_import, s.minutes.abs(), EventTime(s.server), EventTime(s.intended)
            ), "shifted by the import-time offset")
            .help(format!("write {name} in UTC as {} (kbulk convert --to ics does)", EventTime(s.intended).ical_utc())),
        );
    }
    Some(ReadTime {
        intended: EventTime(s.intended),
        zone: Some(zone_name),
        server: (s.minutes != 0).then_some(EventTime(s.server)),
    })
}

/// A `…Z` value with a TZID: the server reads its digits as a local time in the zone (with the
/// import-day offset), so the event moves by the zone's offset.
fn utc_with_zone(
    line: &ContentLine,
    v: &str,
    utc: EventTime,
    ctx: &Ctx<'_>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) -> Option<ReadTime> {
    let name = line.name_upper();
    let tzid = line.param("TZID")?;
    let vp = place(line, line.value.clone());
    let zp = place(line, line.raw_params.clone());
    let local = parse_local_basic(&v[..15])?;
    let zone = tz::resolve(&tzid.value);
    let (server, zone_text) = match &zone {
        Some(z) => {
            let s = tz::shift(z, local, ctx.import)?;
            (
                EventTime(s.server),
                format!(
                    "{} at its import-day offset {}",
                    tzid.value.trim(),
                    s.at_import
                ),
            )
        }
        // An unknown zone falls back to the batch server's default zone; kbulk assumes UTC.
        None => (
            utc,
            format!(
                "the server's default zone (`{}` is unknown to it)",
                tzid.value.trim()
            ),
        ),
    };
    if zone.is_none() {
        let tp = place(line, tzid.range.clone());
        out.push(
            Diagnostic::new(
                &codes::UNKNOWN_ZONE,
                ctx.file,
                format!(
                    "TZID `{}` is not a zone the server knows: it uses its own default zone",
                    tzid.value
                ),
            )
            .label(tp.span, tp.at, "unknown zone")
            .row(row)
            .help("remove the TZID parameter: the value is already UTC"),
        );
    }
    if server != utc {
        let minutes = (server.unix() - utc.unix()) / 60;
        let dir = if minutes > 0 { "later" } else { "earlier" };
        out.push(
            Diagnostic::new(&codes::UTC_WITH_ZONE, ctx.file, format!(
                "{name} `{v}` is UTC but has a TZID: the server ignores the `Z` and reads {} in {zone_text}, placing this {name} {} minutes {dir} ({server} instead of {utc})",
                local.time(), minutes.abs()
            ))
            .label(vp.span, vp.at, "UTC time")
            .label(zp.span, zp.at, "zone the server applies")
            .row(row)
            .help("remove the TZID parameter (the value is UTC), or drop the `Z` if the time is local"),
        );
    }
    Some(ReadTime {
        intended: utc,
        zone: None,
        server: (server != utc).then_some(server),
    })
}
