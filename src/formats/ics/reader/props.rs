//! Property mapping: one VEVENT's content lines to a [`ScheduleEvent`] and its locations,
//! with the server's per-property rules (setter quirks, ignored properties, RRULE, types).
use super::*;

/// Property names (dashes removed) that reach internal setter methods of the server's parser,
/// with the code of what each does.
const SETTER_QUIRKS: &[(&str, &crate::diag::Code, &str)] = &[
    (
        "RULE",
        &codes::SETTER_CRASH,
        "crashes the worker with a TypeError: the job fails",
    ),
    (
        "PARENTCOMPONENT",
        &codes::SETTER_CRASH,
        "crashes the worker with a TypeError: the job fails",
    ),
    (
        "FIELD",
        &codes::SETTER_CRASH,
        "crashes the worker with an ArgumentCountError: the job fails",
    ),
    (
        "CONFIGURATIONFIELD",
        &codes::SETTER_CRASH,
        "crashes the worker with an ArgumentCountError: the job fails",
    ),
    (
        "WRITETOSTDOUT",
        &codes::SETTER_ECHO,
        "turns the parser's output echoing on; the value is not imported",
    ),
    (
        "KALTURATYPE",
        &codes::SETTER_TYPE,
        "silently overrides the job's events type for this event",
    ),
];

/// Properties the server drops that users may rely on.
const IGNORED: &[&str] = &[
    "ATTENDEE",
    "URL",
    "CATEGORIES",
    "RELATED-TO",
    "ATTACH",
    "RESOURCES",
];

/// Maps one VEVENT to an event, with every per-event rule.
pub(super) fn map_event(ev: &RawEvent, ctx: &Ctx<'_>) -> (ReadEvent, EventLocs, Vec<Diagnostic>) {
    let file = ctx.file;
    let row = ev.index;
    let mut out = Vec::new();
    let mut e = ScheduleEvent {
        event_type: ctx.opts.events_type,
        ..ScheduleEvent::default()
    };
    let mut locs = EventLocs::whole(ev.begin);
    let mut duration_seen = false;
    let mut server = ServerTimes::default();
    for line in &ev.props {
        line_rules(line, file, Some(row), &mut out);
        let key = line.name_key();
        let name: &str = &key;
        let value_place = place(line, line.value.clone());
        let name_place = place(line, line.name.clone());
        let value = line.value_str();
        let v = value.trim();
        let diag = |code, msg: String, label: &str| {
            Diagnostic::new(code, file, msg)
                .label(value_place.span, value_place.at, label)
                .row(row)
        };
        let text = |field: EventField, out: &mut Vec<Diagnostic>| -> Option<String> {
            if has_text_escape(v) {
                out.push(
                    diag(&codes::ESCAPED_TEXT, format!("{name} has RFC 5545 escapes that the server stores literally (with the backslashes)"), "escaped text")
                        .help("write the text without escapes (kbulk convert --to ics does)"),
                );
            }
            let _ = field;
            (!v.is_empty()).then(|| unescape_text(v))
        };
        let plain = || (!v.is_empty()).then(|| v.to_string());
        let without_dashes = |q: &str| name.bytes().filter(|&b| b != b'-').eq(q.bytes());
        if let Some((_, code, what)) = SETTER_QUIRKS.iter().find(|(q, _, _)| without_dashes(q)) {
            out.push(
                Diagnostic::new(code, file, format!("the property name {name} reaches an internal method of the server's iCal parser and {what}"))
                    .label(name_place.span, name_place.at, "internal setter")
                    .row(row)
                    .help("rename or remove the property"),
            );
            continue;
        }
        let field = match name {
            "UID" => {
                e.reference_id = plain();
                Some(EventField::ReferenceId)
            }
            "SUMMARY" => {
                e.summary = text(EventField::Summary, &mut out);
                Some(EventField::Summary)
            }
            "DESCRIPTION" => {
                e.description = text(EventField::Description, &mut out);
                Some(EventField::Description)
            }
            "LOCATION" => {
                e.location = text(EventField::Location, &mut out);
                Some(EventField::Location)
            }
            "CONTACT" => {
                e.contact = text(EventField::Organizer, &mut out);
                None
            }
            "COMMENT" => {
                e.comment = text(EventField::Organizer, &mut out);
                None
            }
            "ORGANIZER" => {
                e.organizer = plain();
                Some(EventField::Organizer)
            }
            "STATUS" => {
                e.status = Some(v.to_string());
                Some(EventField::Status)
            }
            "X-KALTURA-PARENT-ID" => {
                e.parent_id = Some(v.to_string());
                Some(EventField::ParentId)
            }
            "X-KALTURA-TAGS" => {
                e.tags = plain();
                Some(EventField::Tags)
            }
            "X-KALTURA-OWNER-ID" => {
                e.owner_id = plain();
                Some(EventField::OwnerId)
            }
            "X-KALTURA-TEMPLATE-ENTRY-ID" => {
                e.template_entry_id = plain();
                Some(EventField::TemplateEntryId)
            }
            "X-KALTURA-ENTRY-IDS" => {
                e.entry_ids = plain();
                Some(EventField::EntryIds)
            }
            "X-KALTURA-CATEGORY-IDS" => {
                e.category_ids = plain();
                Some(EventField::CategoryIds)
            }
            "GEOLATITUDE" | "GEOLONGITUDE" => {
                let f = if name == "GEOLATITUDE" {
                    EventField::GeoLatitude
                } else {
                    EventField::GeoLongitude
                };
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => {
                        if f == EventField::GeoLatitude {
                            e.geo_latitude = Some(x)
                        } else {
                            e.geo_longitude = Some(x)
                        }
                    }
                    _ => out.push(diag(
                        &ev_codes::INVALID_NUMBER,
                        format!("{name} `{v}` is not a number"),
                        "not a number",
                    )),
                }
                Some(f)
            }
            "GEO" => {
                out.push(
                    diag(
                        &codes::GEO_IGNORED,
                        "the server does not read GEO: the event gets no coordinates".into(),
                        "ignored",
                    )
                    .help(
                        "write GEOLATITUDE and GEOLONGITUDE instead (kbulk convert --to ics does)",
                    ),
                );
                if let Some((a, b)) = v.split_once([';', ','])
                    && let (Ok(a), Ok(b)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>())
                {
                    e.geo_latitude.get_or_insert(a);
                    e.geo_longitude.get_or_insert(b);
                    // The coordinates' own places, for the rules on them (negative values).
                    let lead = value.len() - value.trim_start().len();
                    let cut = v.find([';', ',']).unwrap_or(v.len());
                    let at = line.value.start + lead;
                    locs.set(EventField::GeoLatitude, place(line, at..at + cut));
                    locs.set(
                        EventField::GeoLongitude,
                        place(line, at + cut + 1..at + v.len()),
                    );
                }
                None
            }
            "PRIORITY" | "SEQUENCE" => {
                let f = if name == "PRIORITY" {
                    EventField::Priority
                } else {
                    EventField::Sequence
                };
                match v.parse::<i64>() {
                    Ok(n) if f == EventField::Priority => e.priority = Some(n),
                    Ok(n) => e.sequence = Some(n),
                    Err(_) => out.push(diag(
                        &ev_codes::INVALID_NUMBER,
                        format!("{name} `{v}` is not an integer"),
                        "not an integer",
                    )),
                }
                Some(f)
            }
            "CLASS" => {
                e.classification_type = Classification::parse(v);
                if e.classification_type.is_none() {
                    let hint = Classification::parse(&v.to_ascii_uppercase())
                        .map(|c| format!("; write `{}`", c.as_str()))
                        .unwrap_or_default();
                    out.push(diag(
                        &codes::CLASS_IGNORED,
                        format!("CLASS `{v}` is not exactly PUBLIC, PRIVATE or CONFIDENTIAL: the server ignores it{hint}"),
                        "ignored",
                    ));
                }
                Some(EventField::Classification)
            }
            "DURATION" => {
                duration_seen = true;
                match parse_duration(v) {
                    Ok(s) => e.duration = Some(s),
                    Err(why) => out.push(
                        diag(
                            &codes::DURATION_SYNTAX,
                            format!("DURATION {why}"),
                            "not a duration",
                        )
                        .help("write a positive ISO 8601 duration such as PT1H30M"),
                    ),
                }
                Some(EventField::Duration)
            }
            "DTSTART" | "DTEND" => {
                let t = event_time(line, v, ctx, row, &mut out);
                if let Some(ReadTime {
                    intended: t,
                    zone,
                    server: moved,
                }) = t
                {
                    if name == "DTSTART" {
                        e.start_date = Some(t);
                        server.start = moved;
                        server.start_zone.clone_from(&zone);
                        if zone.is_some() {
                            e.time_zone = zone;
                        }
                    } else {
                        e.end_date = Some(t);
                        server.end = moved;
                        if e.time_zone.is_none() {
                            e.time_zone = zone;
                        }
                    }
                }
                Some(if name == "DTSTART" {
                    EventField::StartDate
                } else {
                    EventField::EndDate
                })
            }
            "RRULE" => {
                let (r, issues) = rrule::parse_ical(v);
                let lead = value.len() - value.trim_start().len();
                for i in issues {
                    let start = line.value.start + lead + i.range.start;
                    let p = place(line, start..line.value.start + lead + i.range.end);
                    let (code, sev_help) = match i.kind {
                        IssueKind::FreqMissing | IssueKind::FreqInvalid => (
                            &ev_codes::RECURRENCE_FREQUENCY,
                            "FREQ must be SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY, in upper case",
                        ),
                        IssueKind::UntilNotUtc => {
                            (&codes::RRULE_UNTIL, "write UNTIL as YYYYMMDDTHHMMSSZ")
                        }
                        IssueKind::Ignored => (
                            &codes::RRULE_IGNORED_PART,
                            "remove the part, or expand the series yourself",
                        ),
                        IssueKind::Invalid | IssueKind::Syntax => {
                            (&ev_codes::RECURRENCE_INVALID, "fix the value")
                        }
                    };
                    let mut d = Diagnostic::new(code, file, i.message)
                        .label(p.span, p.at, "")
                        .row(row)
                        .help(sev_help);
                    if code.name == ev_codes::RECURRENCE_FREQUENCY.name {
                        d = d.server("The property \"frequency\" cannot be null");
                    }
                    out.push(d);
                }
                // The UNTIL part's own place, for the rules on the series' end.
                let mut at = line.value.start + lead;
                for part in v.split(';') {
                    if part
                        .get(..6)
                        .is_some_and(|k| k.eq_ignore_ascii_case("UNTIL="))
                    {
                        locs.set(
                            EventField::RecurrenceUntil,
                            place(line, at..at + part.len()),
                        );
                    }
                    at += part.len() + 1;
                }
                e.recurrence = Some(r);
                Some(EventField::Recurrence)
            }
            "METHOD" => {
                if v.eq_ignore_ascii_case("CANCEL") {
                    e.action = EventAction::Cancel;
                }
                Some(EventField::Action)
            }
            "X-KALTURA-TYPE" => {
                let t = v
                    .parse::<u8>()
                    .ok()
                    .and_then(crate::record::EventType::from_code);
                if t != Some(ctx.opts.events_type) {
                    out.push(
                        diag(&codes::TYPE_IGNORED, format!("X-KALTURA-TYPE `{v}` is ignored: the event is created as {:?}, the job's events type", ctx.opts.events_type), "ignored")
                            .help("submit events of another type in a separate job (--events-type)"),
                    );
                }
                None
            }
            "EXDATE" | "RDATE" | "RECURRENCE-ID" => {
                let what = match name {
                    "EXDATE" => "the excluded dates are scheduled anyway",
                    "RDATE" => "the extra dates are never scheduled",
                    _ => {
                        "this moved occurrence carries the series' UID and updates the whole series"
                    }
                };
                out.push(
                    diag(
                        &codes::EXCEPTION_IGNORED,
                        format!("the server ignores {name}: {what}"),
                        "ignored",
                    )
                    .help("expand exceptions into single events with their own UIDs"),
                );
                None
            }
            "X-KALTURA-RESOURCE-IDS" => {
                out.push(
                    diag(&codes::RESOURCE_LINKS_LOST, format!("the server does not import X-KALTURA-RESOURCE-IDS: the event is created without its resources {v}"), "resource links lost")
                        .help("link the resources through the API, or import the events as an event CSV"),
                );
                None
            }
            n if IGNORED.contains(&n) => {
                out.push(diag(
                    &codes::IGNORED_PROPERTY,
                    format!("the server does not import {n}"),
                    "ignored",
                ));
                None
            }
            _ => None,
        };
        if let Some(f) = field {
            locs.set(f, value_place);
        }
    }
    let _ = duration_seen;
    nested_rules(ev, file, &mut out);
    series_dst_rule(&e, &locs, &server, ctx, row, &mut out);
    if e.start_date.is_none()
        && e.action == EventAction::Add
        && !locs_has(&locs, EventField::StartDate)
    {
        let p = ev.begin;
        out.push(
            Diagnostic::new(&ev_codes::START_REQUIRED, file, "the event has no DTSTART")
                .label(p.span, p.at, "no DTSTART")
                .row(row)
                .help("add DTSTART as YYYYMMDDTHHMMSSZ"),
        );
    }
    let server = server.converted(ctx.import);
    (ReadEvent { event: e, server }, locs, out)
}
