//! Writes schedule-event CSVs the event engine reads back unchanged: the 18-column header, action
//! 1, UTC times with an explicit offset, the recurrence string with `;` lists, and a report of
//! every field the CSV cannot carry.
use std::io::{self, Write};

use super::event::COLUMNS;
use super::resource_writer::push_cell;
use crate::diag::{Diagnostic, Severity};
use crate::formats::codes;
use crate::formats::csv::event_codes as csv_codes;
use crate::formats::ics::rrule::to_csv;
use crate::record::codes::event as ev_codes;
use crate::record::event::{EventAction, EventType, ScheduleEvent};
use crate::source::{LineCol, Origin};

/// An event CSV writer; writes the header before the first row.
pub struct EventCsvWriter<W: Write> {
    out: W,
    header_written: bool,
    line: Vec<u8>,
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

impl<W: Write> EventCsvWriter<W> {
    /// A writer on `out`.
    pub fn new(out: W) -> Self {
        EventCsvWriter {
            out,
            header_written: false,
            line: Vec::with_capacity(512),
        }
    }

    /// Writes the header now (a file with no records still gets one).
    pub fn write_header(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.header_written = true;
            writeln!(self.out, "*{}", COLUMNS.join(","))?;
        }
        Ok(())
    }

    /// Writes one event; returns `false` (and reports why) when the CSV cannot express it.
    pub fn write(
        &mut self,
        e: &ScheduleEvent,
        origin: &Origin,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<bool> {
        self.write_header()?;
        if e.action == EventAction::Cancel {
            diags.push(origin_diag(&ev_codes::NOT_CARRIED_FIELD, origin, "a cancel cannot be written to an event CSV (it only adds events); the record is left out".into()).severity(Severity::Error));
            return Ok(false);
        }
        if matches!(e.event_type, EventType::Blackout | EventType::Vod) {
            diags.push(origin_diag(&ev_codes::NOT_CARRIED_FIELD, origin, format!("a {:?} event cannot be created from an event CSV (eventType 1, 2, 4 or 5); the record is left out", e.event_type)).severity(Severity::Error));
            return Ok(false);
        }
        let mut lost: Vec<&str> = Vec::new();
        for (present, name) in [
            (e.reference_id.is_some(), "UID (referenceId)"),
            (e.location.is_some(), "location"),
            (e.contact.is_some(), "contact"),
            (e.comment.is_some(), "comment"),
            (e.priority.is_some(), "priority"),
            (e.sequence.is_some(), "sequence"),
            (
                e.geo_latitude.is_some() || e.geo_longitude.is_some(),
                "geo coordinates",
            ),
            (e.classification_type.is_some(), "classification"),
            (e.template_entry_id.is_some(), "template entry id"),
            (e.entry_ids.is_some(), "entry ids"),
            (
                e.organizer.is_some() && e.owner_id.is_some() && e.organizer != e.owner_id,
                "organizer",
            ),
        ] {
            if present {
                lost.push(name);
            }
        }
        let (recurrence, rule_lost) = match &e.recurrence {
            Some(r) => {
                let (text, lost_parts) = to_csv(r);
                (Some(text), lost_parts)
            }
            None => (None, Vec::new()),
        };
        let rule_lost: Vec<String> = rule_lost.iter().map(|p| format!("RRULE {p}")).collect();
        lost.extend(rule_lost.iter().map(String::as_str));
        if !lost.is_empty() {
            diags.push(
                origin_diag(
                    &ev_codes::NOT_CARRIED_FIELD,
                    origin,
                    format!("the event CSV has no column for: {}", lost.join(", ")),
                )
                .help("convert to .ics or JSON Lines to keep them"),
            );
        }
        let organizer = e.owner_id.as_deref().or(e.organizer.as_deref());
        let mut missing = Vec::new();
        if e.resource_id.is_none() && e.resource_system_name.is_none() {
            missing.push("resource or resourceID");
        }
        if organizer.is_none() {
            missing.push("eventOrganizerId");
        }
        if e.content_owner_id.is_none() {
            missing.push("contentOwnerId");
        }
        if e.template_entry_type.is_none() {
            missing.push("templateEntryType");
        }
        if !missing.is_empty() {
            diags.push(
                origin_diag(
                    &csv_codes::REQUIRED,
                    origin,
                    format!(
                        "the written row has no {}: fill them in before uploading",
                        missing.join(", ")
                    ),
                )
                .severity(Severity::Warning),
            );
        }
        let time = |t: Option<crate::record::EventTime>| t.map(|t| t.to_string());
        let end = if e.is_recurring() {
            time(e.recurrence.as_ref().and_then(|r| r.until))
        } else {
            time(e.end_date).or_else(|| {
                let (s, d) = (e.start_date?, e.duration?);
                crate::record::EventTime::from_unix(s.unix().checked_add(d)?).map(|t| t.to_string())
            })
        };
        let duration = e
            .duration
            .or_else(|| e.is_recurring().then(|| e.occurrence_seconds()).flatten())
            .map(|d| d.to_string());
        let event_type = e.event_type.code().to_string();
        let start = time(e.start_date);
        let cells: [Option<&str>; 18] = [
            Some("1"),
            Some(&event_type),
            e.summary.as_deref(),
            e.description.as_deref(),
            e.tags.as_deref(),
            e.category_ids.as_deref(),
            e.category_paths.as_deref(),
            e.resource_system_name.as_deref(),
            e.resource_id.as_deref(),
            start.as_deref(),
            duration.as_deref(),
            end.as_deref(),
            recurrence.as_deref(),
            e.co_editors.as_deref(),
            e.co_publishers.as_deref(),
            organizer,
            e.content_owner_id.as_deref(),
            e.template_entry_type.map(|t| t.as_str()),
        ];
        self.line.clear();
        for (i, v) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            let v = v.unwrap_or("");
            // The engine trims values with PHP trim: outer whitespace cannot survive.
            if !push_cell(&mut self.line, v) || v.trim() != v {
                diags.push(origin_diag(&codes::UNREPRESENTABLE, origin, format!("`{}` of this event cannot be written so that the server reads it back unchanged (outer whitespace, or a backslash before a quote)", COLUMNS[i])));
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        Ok(true)
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.write_header()?;
        self.out.flush()?;
        Ok(self.out)
    }
}
