//! Writes schedule events as .ics in two dialects:
//!
//! * `kaltura` (for files meant for Kaltura): CRLF, no folding, no escaping, UTC times converted
//!   at each event's own date, no STATUS or X-KALTURA-PARENT-ID, no nested components, a UID on
//!   every event. Streams: one event at a time.
//! * `rfc5545` (for calendars and other tools), through the `icalendar` crate: folded and escaped
//!   lines, VERSION/PRODID, local times with TZID and one VTIMEZONE per zone.
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};

use icalendar::{Component, EventLike, Property};

use super::format_duration;
use crate::diag::{Diagnostic, Severity};
use crate::formats::ics::codes as ical_codes;
use crate::record::codes::event as ev_codes;
use crate::record::event::{EventAction, EventTime, ScheduleEvent};
use crate::source::{LineCol, Origin};

/// The .ics dialect to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// What Kaltura's iCal reader reads correctly (the default for files meant for Kaltura).
    #[default]
    Kaltura,
    /// Standard RFC 5545.
    Rfc5545,
}

/// PRODID of files kbulk writes.
pub const PRODID: &str = "-//kbulk//kbulk//EN";

/// An .ics writer. Call [`IcsWriter::finish`] at the end.
pub struct IcsWriter<W: Write> {
    out: W,
    dialect: Dialect,
    started: bool,
    buf: String,
    /// rfc5545: the zones used, with the first and last instant written in each (their
    /// VTIMEZONEs close the calendar; RFC 5545 lets components come in any order).
    zones: BTreeMap<String, (i64, i64)>,
}

fn origin_diag(code: &'static crate::diag::Code, origin: &Origin, msg: String) -> Diagnostic {
    Diagnostic::new(code, &origin.file, msg)
        .label(
            origin.span,
            LineCol {
                line: origin.line,
                column: 1,
            },
            "record",
        )
        .row(origin.row)
}

/// A UID derived from the event's content and position (stable across runs).
pub fn synthetic_uid(e: &ScheduleEvent, origin: &Origin) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    origin.file.hash(&mut h);
    origin.row.hash(&mut h);
    e.summary.hash(&mut h);
    e.start_date.map(EventTime::unix).hash(&mut h);
    format!("kbulk-{:016x}", h.finish())
}

impl<W: Write> IcsWriter<W> {
    /// A writer of `dialect` on `out`.
    pub fn new(out: W, dialect: Dialect) -> Self {
        IcsWriter {
            out,
            dialect,
            started: false,
            buf: String::with_capacity(1024),
            zones: BTreeMap::new(),
        }
    }

    /// Writes one event; returns `false` when it was left out.
    pub fn write(
        &mut self,
        e: &ScheduleEvent,
        origin: &Origin,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<bool> {
        let lost: Vec<&str> = [
            (e.category_paths.is_some(), "categoryPaths"),
            (e.resource_system_name.is_some(), "resource"),
            (e.resource_id.is_some(), "resourceID"),
            (e.co_editors.is_some(), "coEditors"),
            (e.co_publishers.is_some(), "coPublishers"),
            (e.content_owner_id.is_some(), "contentOwnerId"),
            (e.template_entry_type.is_some(), "templateEntryType"),
        ]
        .into_iter()
        .filter_map(|(p, n)| p.then_some(n))
        .collect();
        if !lost.is_empty() {
            diags.push(
                origin_diag(
                    &ev_codes::NOT_CARRIED_FIELD,
                    origin,
                    format!(
                        "iCal has no property Kaltura reads for: {}",
                        lost.join(", ")
                    ),
                )
                .help(
                    "link resources and create template entries through the event CSV or the API",
                ),
            );
        }
        if e.event_type != crate::record::EventType::Record {
            diags.push(
                origin_diag(&ev_codes::NOT_CARRIED_FIELD, origin, format!("the event type ({:?}) is not carried by iCal: the server takes it from the job", e.event_type))
                    .severity(Severity::Note)
                    .help("submit the file with the matching events type (kbulk check --events-type, eventsType on the job)"),
            );
        }
        match self.dialect {
            Dialect::Kaltura => self.write_kaltura(e, origin, diags),
            Dialect::Rfc5545 => {
                // Kaltura's reader trims values, reads the UID verbatim (RFC 5545 escapes `,;\`
                // and line breaks in it) and a carriage return does not survive the folding.
                let uid_escaped = e
                    .reference_id
                    .as_ref()
                    .is_some_and(|u| u.contains([',', ';', '\\', '\n']));
                let bad: Vec<&str> = [
                    ("UID", &e.reference_id),
                    ("SUMMARY", &e.summary),
                    ("DESCRIPTION", &e.description),
                    ("LOCATION", &e.location),
                    ("CONTACT", &e.contact),
                    ("COMMENT", &e.comment),
                    ("ORGANIZER", &e.organizer),
                ]
                .into_iter()
                .filter(|(n, v)| {
                    v.as_ref().is_some_and(|v| {
                        v.trim() != v || v.contains('\r') || (*n == "UID" && uid_escaped)
                    })
                })
                .map(|(n, _)| n)
                .collect();
                if !bad.is_empty() {
                    diags.push(origin_diag(&ical_codes::UNREPRESENTABLE, origin, format!("{} of this event cannot be written so that Kaltura reads it back unchanged (spaces at either end, a carriage return, or `,;\\` and line breaks in the UID, which RFC 5545 escapes)", bad.join(", "))));
                }
                self.start()?;
                let ev = self.rfc_event(e, origin);
                self.out.write_all(Component::to_string(&ev).as_bytes())?;
                Ok(true)
            }
        }
    }

    fn write_kaltura(
        &mut self,
        e: &ScheduleEvent,
        origin: &Origin,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<bool> {
        self.start()?;
        let b = &mut self.buf;
        b.clear();
        b.push_str("BEGIN:VEVENT\r\n");
        let mut bad: Vec<&str> = Vec::new();
        let mut prop = |b: &mut String, name: &'static str, v: &str| {
            let clean: String = v
                .chars()
                .map(|c| if matches!(c, '\r' | '\n') { ' ' } else { c })
                .collect();
            let clean = clean.trim();
            // The server stores `\n`, `\,` … literally; kbulk's reader reads them as escapes.
            if clean != v || (name != "UID" && super::has_text_escape(clean)) {
                bad.push(name);
            }
            if !clean.is_empty() {
                b.push_str(name);
                b.push(':');
                b.push_str(clean);
                b.push_str("\r\n");
            }
        };
        let uid = e
            .reference_id
            .clone()
            .unwrap_or_else(|| synthetic_uid(e, origin));
        prop(b, "UID", &uid);
        if e.action == EventAction::Cancel {
            prop(b, "METHOD", "CANCEL");
        }
        for (name, v) in [
            ("SUMMARY", &e.summary),
            ("DESCRIPTION", &e.description),
            ("LOCATION", &e.location),
            ("CONTACT", &e.contact),
            ("COMMENT", &e.comment),
            ("ORGANIZER", &e.organizer),
        ] {
            if let Some(v) = v {
                prop(b, name, v);
            }
        }
        if let Some(v) = e.geo_latitude {
            prop(b, "GEOLATITUDE", &v.to_string());
        }
        if let Some(v) = e.geo_longitude {
            prop(b, "GEOLONGITUDE", &v.to_string());
        }
        if let Some(v) = e.priority {
            prop(b, "PRIORITY", &v.to_string());
        }
        if let Some(v) = e.sequence {
            prop(b, "SEQUENCE", &v.to_string());
        }
        if let Some(c) = e.classification_type {
            prop(b, "CLASS", c.as_str());
        }
        if let Some(s) = e.start_date {
            prop(b, "DTSTART", &s.ical_utc());
        }
        if e.is_recurring() {
            if let Some(d) = e.occurrence_seconds().filter(|d| *d > 0) {
                prop(b, "DURATION", &format_duration(d));
            }
        } else {
            let end = e.end_date.or_else(|| {
                let (s, d) = (e.start_date?, e.duration?);
                EventTime::from_unix(s.unix().checked_add(d)?)
            });
            if let Some(end) = end {
                prop(b, "DTEND", &end.ical_utc());
            }
        }
        if let Some(r) = &e.recurrence {
            let mut rule = r.to_rrule();
            if let Some(n) = &r.name {
                rule.push_str(&format!(";NAME={n}"));
            }
            prop(b, "RRULE", &rule);
        }
        for (name, v) in [
            ("X-KALTURA-TAGS", &e.tags),
            ("X-KALTURA-OWNER-ID", &e.owner_id),
            ("X-KALTURA-TEMPLATE-ENTRY-ID", &e.template_entry_id),
            ("X-KALTURA-ENTRY-IDS", &e.entry_ids),
            ("X-KALTURA-CATEGORY-IDS", &e.category_ids),
        ] {
            if let Some(v) = v {
                prop(b, name, v);
            }
        }
        b.push_str("END:VEVENT\r\n");
        if !bad.is_empty() {
            diags.push(origin_diag(&ical_codes::UNREPRESENTABLE, origin, format!("{} of this event cannot be written as Kaltura reads it (a line break, spaces at either end, or a backslash sequence that reads as an RFC 5545 escape): written with line breaks as spaces and trimmed", bad.join(", "))));
        }
        let mut dropped = Vec::new();
        if e.status.is_some() {
            dropped.push("STATUS");
        }
        if e.parent_id.is_some() {
            dropped.push("X-KALTURA-PARENT-ID");
        }
        if !dropped.is_empty() {
            diags.push(
                origin_diag(
                    &ev_codes::NOT_CARRIED_FIELD,
                    origin,
                    format!(
                        "{} dropped: read-only in the API, the add would fail",
                        dropped.join(" and ")
                    ),
                )
                .severity(Severity::Note),
            );
        }
        self.out.write_all(self.buf.as_bytes())?;
        Ok(true)
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(
                self.out,
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{PRODID}\r\n"
            )?;
            if self.dialect == Dialect::Rfc5545 {
                self.out.write_all(b"CALSCALE:GREGORIAN\r\n")?;
            }
        }
        Ok(())
    }

    fn rfc_event(&mut self, e: &ScheduleEvent, origin: &Origin) -> icalendar::Event {
        let mut ev = icalendar::Event::new();
        let uid = e
            .reference_id
            .clone()
            .unwrap_or_else(|| synthetic_uid(e, origin));
        ev.uid(&uid);
        if let Some(s) = &e.summary {
            ev.summary(s);
        }
        if let Some(s) = &e.description {
            ev.description(s);
        }
        if let Some(s) = &e.location {
            ev.location(s);
        }
        for (name, v) in [
            ("CONTACT", &e.contact),
            ("COMMENT", &e.comment),
            ("ORGANIZER", &e.organizer),
            ("X-KALTURA-TAGS", &e.tags),
            ("X-KALTURA-OWNER-ID", &e.owner_id),
            ("X-KALTURA-TEMPLATE-ENTRY-ID", &e.template_entry_id),
            ("X-KALTURA-ENTRY-IDS", &e.entry_ids),
            ("X-KALTURA-CATEGORY-IDS", &e.category_ids),
            ("STATUS", &e.status),
            ("X-KALTURA-PARENT-ID", &e.parent_id),
        ] {
            if let Some(v) = v {
                ev.add_property(name, v);
            }
        }
        if let (Some(a), Some(b)) = (e.geo_latitude, e.geo_longitude) {
            ev.add_property("GEO", format!("{a};{b}"));
        }
        if let Some(v) = e.priority {
            ev.add_property("PRIORITY", v.to_string());
        }
        if let Some(v) = e.sequence {
            ev.add_property("SEQUENCE", v.to_string());
        }
        if let Some(c) = e.classification_type {
            ev.add_property("CLASS", c.as_str());
        }
        if e.action == EventAction::Cancel {
            ev.add_property("METHOD", "CANCEL");
        }
        let zone = e
            .time_zone
            .as_deref()
            .and_then(|z| jiff::tz::TimeZone::get(z).ok().map(|tz| (z, tz)));
        let mut time_prop = |name: &str, t: EventTime| -> Property {
            match &zone {
                Some((zname, tz)) => {
                    let local = t.0.to_zoned_datetime(tz.clone()).datetime();
                    let mut p = Property::new(name, local.strftime("%Y%m%dT%H%M%S").to_string());
                    p.add_parameter("TZID", zname);
                    let entry = self
                        .zones
                        .entry(zname.to_string())
                        .or_insert((t.unix(), t.unix()));
                    entry.0 = entry.0.min(t.unix());
                    entry.1 = entry.1.max(t.unix());
                    p
                }
                None => Property::new(name, t.ical_utc()),
            }
        };
        if let Some(s) = e.start_date {
            ev.append_property(time_prop("DTSTART", s));
        }
        if let Some(end) = e.end_date {
            ev.append_property(time_prop("DTEND", end));
        } else if let Some(d) = e.duration {
            ev.add_property("DURATION", format_duration(d));
        }
        if let Some(r) = &e.recurrence {
            ev.add_property("RRULE", r.to_rrule());
        }
        ev
    }

    /// Ends the calendar (VTIMEZONEs first for rfc5545) and flushes; returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.start()?;
        for (name, (from, to)) in &self.zones {
            if let Some(text) = vtimezone(name, *from, *to) {
                self.out.write_all(text.as_bytes())?;
            }
        }
        self.out.write_all(b"END:VCALENDAR\r\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn offset_text(o: jiff::tz::Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    format!("{sign}{:02}{:02}", s.abs() / 3600, s.abs() % 3600 / 60)
}

/// A VTIMEZONE for `name` listing its real transitions from a year before `from` to a year
/// after `to` (Unix seconds), one STANDARD/DAYLIGHT block per transition.
pub fn vtimezone(name: &str, from: i64, to: i64) -> Option<String> {
    let tz = jiff::tz::TimeZone::get(name).ok()?;
    let year = 366 * 86_400;
    let start = jiff::Timestamp::from_second(from - year).ok()?;
    let end = jiff::Timestamp::from_second(to + year).ok()?;
    let mut s = format!("BEGIN:VTIMEZONE\r\nTZID:{name}\r\n");
    let first = tz.to_offset_info(start);
    let start_local = first.offset().to_datetime(start);
    let block = |s: &mut String, dst: bool, at: jiff::civil::DateTime, from, to, abbr: &str| {
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        s.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            at.strftime("%Y%m%dT%H%M%S"),
            offset_text(from),
            offset_text(to)
        ));
        if !abbr.is_empty() {
            s.push_str(&format!("TZNAME:{abbr}\r\n"));
        }
        s.push_str(&format!("END:{kind}\r\n"));
    };
    block(
        &mut s,
        first.dst().is_dst(),
        start_local,
        first.offset(),
        first.offset(),
        first.abbreviation(),
    );
    for t in tz.following(start).take(200) {
        if t.timestamp() > end {
            break;
        }
        let before = tz.to_offset(
            t.timestamp()
                .checked_sub(jiff::SignedDuration::from_secs(1))
                .ok()?,
        );
        block(
            &mut s,
            t.dst().is_dst(),
            before.to_datetime(t.timestamp()),
            before,
            t.offset(),
            t.abbreviation(),
        );
    }
    s.push_str("END:VTIMEZONE\r\n");
    Some(s)
}
