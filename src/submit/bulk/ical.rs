//! iCal files on the bulk route: the VEVENTs are cut into jobs of the schedule bulk service
//! (`addScheduleEvents`, `KalturaBulkUploadICalJobData{eventsType}`), each job the file's own
//! calendar lines around its VEVENTs, byte for byte. The iCal engine's defects (kaltura-formats
//! §5.7) are kept out of its way:
//! - a job holds at most 100 VEVENTs, so its UID lookup never hits the batching bug (past 100
//!   UIDs events are missed and added twice) and the worker's resume off-by-one (101 events per
//!   run, the last one processed again) never comes into play;
//! - a UID already in the job starts the next job, so an event added by the file is found (and
//!   updated, as `--via api` does) by the job after, not added twice by one job's lookup;
//! - `METHOD:CANCEL` is never sent to the engine (it passes the UID where `scheduleEvent.cancel`
//!   takes the event id, failing with `INVALID_OBJECT_ID`): kbulk looks the UID up and cancels
//!   the event by id itself, once every earlier job has run.
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::super::journal::{Mark, RowId};
use super::super::multirequest::Call;
use super::super::preflight::Checked;
use super::jobs::{JobError, JobKind};
use super::journal::{PiecePlan, SentRow};
use super::{Route, SubmitError};
use crate::record::RecordData;
use crate::record::event::EventAction;

/// Most VEVENTs per iCal job (see the module doc).
pub const MAX_EVENTS: usize = 100;

/// One VEVENT of the input.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its `lineIndex` (0-based VEVENT ordinal, as the engine numbers them).
    pub row: u64,
    /// The VEVENT's bytes as they stand in the file.
    pub raw: String,
    /// `UID`.
    pub uid: Option<String>,
    /// `METHOD:CANCEL`.
    pub cancel: bool,
}

/// The calendar around the events (everything before the first VEVENT and between two, and
/// everything after the last), the events, and the job's `eventsType`.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// Lines before the first VEVENT (and any component between two VEVENTs).
    pub head: String,
    /// Lines after the last VEVENT.
    pub tail: String,
    /// The VEVENTs, in file order.
    pub events: Vec<Event>,
    /// `eventsType` (1 RECORD, 2 LIVE_STREAM, 3 BLACKOUT).
    pub events_type: u8,
}

/// The input's calendar, cut at its records' spans.
pub fn read(c: &Checked) -> std::io::Result<Calendar> {
    read_at(&c.path, &c.records)
}

fn read_at(path: &Path, records: &[crate::record::Record]) -> std::io::Result<Calendar> {
    let bytes = std::fs::read(path)?;
    let text = |a: u64, b: u64| {
        bytes
            .get(a as usize..b as usize)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default()
    };
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut cal = Calendar {
        events_type: 1,
        ..Calendar::default()
    };
    let mut at = start;
    for r in records {
        let RecordData::ScheduleEvent(e) = &r.data else {
            continue;
        };
        cal.events_type = e.event_type.code();
        let mut span = r.origin.span;
        // The span ends at `END:VEVENT`: the line end goes with the event.
        let rest = bytes.get(span.end as usize..).unwrap_or_default();
        if rest.starts_with(b"\r\n") {
            span.end += 2;
        } else if rest.starts_with(b"\n") {
            span.end += 1;
        }
        if cal.events.is_empty() {
            cal.head.push_str(&text(at, span.start));
        } else {
            // A component between two VEVENTs (a VTIMEZONE) goes in every job's head.
            let gap = text(at, span.start);
            if !gap.trim().is_empty() {
                cal.head.push_str(&gap);
            }
        }
        cal.events.push(Event {
            row: r.origin.row,
            raw: text(span.start, span.end),
            uid: e.reference_id.clone(),
            cancel: e.action == EventAction::Cancel,
        });
        at = span.end;
    }
    cal.tail = text(at, bytes.len() as u64);
    Ok(cal)
}

/// The next job's events: in file order, at most `max` (and [`MAX_EVENTS`]), ending before the
/// first event whose UID the job already holds. Indexes into `pending`; never empty when
/// `pending` is not.
pub fn next_piece(pending: &[Event], max: usize) -> Vec<usize> {
    let mut seen = HashSet::new();
    let mut picked = Vec::new();
    for (i, e) in pending.iter().enumerate() {
        if picked.len() >= max.clamp(1, MAX_EVENTS) {
            break;
        }
        if let Some(u) = &e.uid
            && !seen.insert(u.as_str())
        {
            break;
        }
        picked.push(i);
    }
    picked
}

/// The file of one job: the calendar's head, the events, its tail.
pub fn body(cal: &Calendar, events: &[&Event]) -> String {
    let mut out = cal.head.clone();
    for e in events {
        out.push_str(&e.raw);
    }
    out.push_str(&cal.tail);
    out
}

impl Route<'_, '_> {
    /// Sends one iCal input through the bulk engine; `false` when the run stops (a job left
    /// open or failed as a whole).
    pub(super) fn ical_input(
        &mut self,
        c: &Checked,
        input: u32,
        tag: &str,
    ) -> Result<bool, SubmitError> {
        let cal = read(c).map_err(|e| SubmitError::Config(format!("{}: {e}", c.name)))?;
        let states = self.states(input)?;
        let mut pending: Vec<Event> = cal
            .events
            .iter()
            .filter(|e| {
                matches!(
                    states.get(&e.row),
                    Some((super::RowState::Planned, _)) | Some((super::RowState::Failed, true))
                )
            })
            .cloned()
            .collect();
        let stem = c
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bulk.ics".into());
        while !pending.is_empty() {
            if self.stopped() {
                return Ok(false);
            }
            let picked = next_piece(&pending, self.bulk.max_records as usize);
            let events: Vec<Event> = picked.iter().map(|&i| pending[i].clone()).collect();
            for i in picked.into_iter().rev() {
                pending.remove(i);
            }
            let known = self.events_by_uid(events.iter().filter_map(|e| e.uid.as_deref()))?;
            let (cancels, sent): (Vec<&Event>, Vec<&Event>) = events.iter().partition(|e| e.cancel);
            for e in cancels {
                if !self.cancel(input, e, &known)? {
                    return Ok(false);
                }
            }
            if sent.is_empty() {
                self.count()?;
                continue;
            }
            let seq = self.journal.pieces().map_err(SubmitError::journal)?.len() + 1;
            let rows = sent
                .iter()
                .map(|e| SentRow {
                    row: e.row,
                    cells: Vec::new(),
                    action: match e.uid.as_ref().and_then(|u| known.get(u)) {
                        Some(_) => "update".into(),
                        None => "add".into(),
                    },
                    parent: None,
                })
                .collect();
            let plan = PiecePlan {
                input,
                file_name: format!("{stem}.kbulk-{tag}-{seq}.ics"),
                body: body(&cal, &sent),
                rows,
                job: JobKind::Ical {
                    events_type: cal.events_type,
                },
            };
            let piece = self
                .journal
                .add_piece(&plan)
                .map_err(SubmitError::journal)?;
            if !matches!(self.run(piece, false)?, super::End::Closed) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Events by UID (`referenceIdIn`, 100 per call): `referenceId → id`.
    fn events_by_uid<'u>(
        &self,
        uids: impl Iterator<Item = &'u str>,
    ) -> Result<HashMap<String, Value>, SubmitError> {
        let uids: BTreeSet<&str> = uids.collect();
        let uids: Vec<&str> = uids.into_iter().collect();
        let listed = self
            .list_in(
                "schedule_scheduleevent",
                "KalturaScheduleEventFilter",
                "referenceIdIn",
                &uids,
            )
            .map_err(|e| SubmitError::Config(format!("looking up schedule events by UID: {e}")))?;
        let mut known = HashMap::new();
        for o in listed {
            if let Some(r) = o["referenceId"].as_str() {
                known.insert(r.to_string(), o["id"].clone());
            }
        }
        Ok(known)
    }

    /// Cancels the event a `METHOD:CANCEL` names, by id (see the module doc); `false` when the
    /// server could not be reached (the row stays for `--resume`).
    fn cancel(
        &mut self,
        input: u32,
        e: &Event,
        known: &HashMap<String, Value>,
    ) -> Result<bool, SubmitError> {
        let id = RowId { input, row: e.row };
        let uid = e.uid.clone().unwrap_or_default();
        let failed = |error: String, code: &str| Mark::Failed {
            action: Some("cancel".into()),
            error,
            code: Some(code.into()),
            retryable: false,
        };
        let mark = match known.get(&uid) {
            None => failed(
                format!(
                    "Unable to find schedule event with referenceId [{uid}] (kbulk cancels by id \
                     itself: the engine would pass the UID to scheduleEvent.cancel)"
                ),
                "SCHEDULE_EVENT_NOT_FOUND",
            ),
            Some(event) => {
                let call = Call::new("schedule_scheduleevent", "cancel")
                    .with("scheduleEventId", event.clone());
                match self.jobs.read(&call) {
                    Ok(v) => {
                        self.note(format!(
                            "row {}: cancelled event {event} ({uid}) with scheduleEvent.cancel \
                             (the engine would pass the UID as the id)",
                            e.row
                        ));
                        Mark::Done {
                            action: "cancel".into(),
                            object_id: match &v["id"] {
                                Value::Null => event.to_string(),
                                other => other.to_string().trim_matches('"').to_string(),
                            },
                            object_status: v["status"].as_i64(),
                        }
                    }
                    Err(JobError::Api(a)) => failed(a.message.clone(), &a.code),
                    Err(JobError::Transport(f)) => {
                        self.note(format!(
                            "row {}: the cancel could not be sent ({f}); run again with --resume",
                            e.row
                        ));
                        return Ok(false);
                    }
                }
            }
        };
        self.journal
            .apply(&[(id, mark)])
            .map_err(SubmitError::journal)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(row: u64, uid: Option<&str>) -> Event {
        Event {
            row,
            raw: format!(
                "BEGIN:VEVENT\r\nUID:{}\r\nEND:VEVENT\r\n",
                uid.unwrap_or("")
            ),
            uid: uid.map(str::to_string),
            cancel: false,
        }
    }

    #[test]
    fn a_repeated_uid_starts_the_next_job_and_jobs_hold_at_most_100() {
        let pending = [ev(0, Some("a")), ev(1, None), ev(2, Some("a")), ev(3, None)];
        assert_eq!(next_piece(&pending, 1000), [0, 1]);
        let many: Vec<Event> = (0..150).map(|i| ev(i, None)).collect();
        assert_eq!(next_piece(&many, 1000).len(), MAX_EVENTS);
        assert_eq!(next_piece(&many, 7).len(), 7);
    }

    #[test]
    fn a_job_file_keeps_the_calendar_around_its_events() {
        let cal = Calendar {
            head: "BEGIN:VCALENDAR\r\n".into(),
            tail: "END:VCALENDAR\r\n".into(),
            events: vec![ev(0, Some("a")), ev(1, Some("b"))],
            events_type: 1,
        };
        let b = body(&cal, &[&cal.events[1]]);
        assert_eq!(
            b,
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
    }
}
