//! The iCal engine (`BulkUploadEngineICal`, kaltura-formats §5) as it runs a job: every VEVENT
//! read with kbulk's iCal reader (Kaltura's lexical rules, the server's converted times), the
//! class of every event from the job's `eventsType` (anything but 1, 2, 3 fails the whole job:
//! "Event type [x] not supported"), the UIDs looked up with `referenceIdIn` before any write —
//! with the batching bug of §5.7 (past 100 UIDs every further UID queues a list of the whole
//! growing list, each answering at most 100 events) — then per event: `METHOD:CANCEL` →
//! `scheduleEvent.cancel` with the **UID** as the id (the documented defect: it fails with
//! `INVALID_OBJECT_ID` unless the UID is the id), a known UID → `update`, else `add`. Results are
//! numbered from 0, reported as ADD (1) for adds and updates, API errors with their code.
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::formats::feed::{Chunk, Events, Feed, ReadEvent};
use crate::formats::{Findings, ReadOptions};
use crate::record::ScheduleEvent;
use crate::record::event::{EventAction, EventType};
use crate::sandbox::{BulkApi, BulkEnd, BulkJob, BulkResult};

/// One event as the engine holds it (a VEVENT, or an event-CSV row).
pub(super) struct Item {
    /// 0-based VEVENT ordinal (the iCal engine's `lineIndex`), or the CSV row's `lineIndex`.
    pub(super) index: u64,
    pub(super) event: Option<ScheduleEvent>,
    /// The server's start and end, when they differ from the file's.
    pub(super) server: (Option<i64>, Option<i64>),
    row_data: String,
}

/// Collects the reader's events.
pub(super) struct Collect<'a> {
    pub(super) data: &'a [u8],
    pub(super) items: Vec<Item>,
}

impl Feed<Events> for Collect<'_> {
    fn wants_records(&self) -> bool {
        true
    }

    fn chunk(&mut self, chunk: Chunk<'_, Events>, _: &mut Findings<'_>) -> std::io::Result<()> {
        for row in chunk.rows {
            let row_data = row
                .origin
                .as_ref()
                .and_then(|o| {
                    self.data
                        .get(o.span.start as usize..o.span.end as usize)
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                })
                .unwrap_or_default();
            let (event, server) = match row.record {
                Some(ReadEvent { event, server }) => {
                    let s = server.map_or((None, None), |s| {
                        (s.start.map(|t| t.unix()), s.end.map(|t| t.unix()))
                    });
                    (Some(event), s)
                }
                None => (None, (None, None)),
            };
            self.items.push(Item {
                index: row.row,
                event,
                server,
                row_data,
            });
        }
        Ok(())
    }
}

/// The result action of a cancel (`scheduleBulkUpload.CANCEL`).
const CANCEL: &str = "scheduleBulkUpload.CANCEL";

fn put(o: &mut Map<String, Value>, name: &str, v: &Option<String>) {
    if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
        o.insert(name.into(), json!(v));
    }
}

/// `kSchedulingICalEvent::toObject`: the event object the engine sends. The parser always sets
/// `recurrenceType` (NONE without RRULE), reads `STATUS` and `X-KALTURA-PARENT-ID` (read-only
/// in the API), and does not turn a DURATION into an end date for a single event.
pub(super) fn to_object(item: &Item, e: &ScheduleEvent, class: &str) -> Value {
    let mut o = Map::new();
    o.insert("objectType".into(), json!(class));
    for (name, v) in [
        ("referenceId", &e.reference_id),
        ("summary", &e.summary),
        ("description", &e.description),
        ("status", &e.status),
        ("location", &e.location),
        ("contact", &e.contact),
        ("comment", &e.comment),
        ("organizer", &e.organizer),
        ("parentId", &e.parent_id),
        ("tags", &e.tags),
        ("ownerId", &e.owner_id),
        ("templateEntryId", &e.template_entry_id),
        ("entryIds", &e.entry_ids),
        ("categoryIds", &e.category_ids),
    ] {
        put(&mut o, name, v);
    }
    if let Some(v) = e.geo_latitude {
        o.insert("geoLatitude".into(), json!(v));
    }
    if let Some(v) = e.geo_longitude {
        o.insert("geoLongitude".into(), json!(v));
    }
    if let Some(v) = e.priority {
        o.insert("priority".into(), json!(v));
    }
    if let Some(v) = e.sequence {
        o.insert("sequence".into(), json!(v));
    }
    if let Some(c) = e.classification_type {
        o.insert("classificationType".into(), json!(c as u8 + 1));
    }
    let start = item.server.0.or(e.start_date.map(|t| t.unix()));
    let end = item.server.1.or(e.end_date.map(|t| t.unix()));
    if let Some(s) = start {
        o.insert("startDate".into(), json!(s));
    }
    if let Some(t) = end {
        o.insert("endDate".into(), json!(t));
    }
    match &e.recurrence {
        None => {
            o.insert("recurrenceType".into(), json!(0));
            if let Some(d) = e.duration {
                o.insert("duration".into(), json!(d));
            }
        }
        Some(r) => {
            o.insert("recurrenceType".into(), json!(1));
            let duration = e.duration.or_else(|| Some(end? - start?));
            if let Some(d) = duration {
                o.insert("duration".into(), json!(d));
            }
            let mut rec = Map::new();
            rec.insert("objectType".into(), json!("KalturaScheduleEventRecurrence"));
            if let Some(f) = r.frequency {
                rec.insert("frequency".into(), json!(f.api_name()));
            }
            if let Some(u) = r.until {
                rec.insert("until".into(), json!(u.unix()));
            }
            if let Some(c) = r.count {
                rec.insert("count".into(), json!(c));
            }
            if let Some(i) = r.interval {
                rec.insert("interval".into(), json!(i));
            }
            for (name, v) in r.api_list_parts() {
                put(&mut rec, name, v);
            }
            o.insert("recurrence".into(), Value::Object(rec));
        }
    }
    Value::Object(o)
}

/// The lookup as the engine makes it, bug included: `referenceId → id` (the last one wins).
fn lookup(uids: &[String], api: &mut dyn BulkApi) -> HashMap<String, Value> {
    let mut lists: Vec<&[String]> = Vec::new();
    if uids.len() < 100 {
        if !uids.is_empty() {
            lists.push(uids);
        }
    } else {
        // At 100 UIDs a call is queued and the list is never reset: every further UID queues
        // the whole list again.
        lists.extend((100..=uids.len()).map(|n| &uids[..n]));
    }
    let mut found = HashMap::new();
    for list in lists {
        let answer = api.call(
            "schedule_scheduleevent",
            "list",
            json!({"filter": {"objectType": "KalturaScheduleEventFilter",
                              "referenceIdIn": list.join(",")},
                   "pager": {"objectType": "KalturaFilterPager", "pageSize": 100}}),
        );
        for o in answer["objects"].as_array().into_iter().flatten() {
            if let Some(r) = o["referenceId"].as_str() {
                found.insert(r.to_string(), o["id"].clone());
            }
        }
    }
    found
}

/// Reads a job's file (after a UTF-8 BOM) with `read` into the items the engine sees; an I/O
/// error ends the job as the engine's would.
pub(super) fn read_items<'j>(
    job: &'j BulkJob,
    keep_raw: bool,
    read: impl FnOnce(
        &'j [u8],
        u64,
        &Arc<str>,
        &ReadOptions,
        &mut Collect<'j>,
        &mut Findings<'_>,
    ) -> std::io::Result<u64>,
) -> Result<Vec<Item>, BulkEnd> {
    let file: Arc<str> = Arc::from(job.file_name.as_str());
    let opts = ReadOptions {
        keep_raw,
        max_records: None,
        ..ReadOptions::default()
    };
    let mut collect = Collect {
        data: &job.data,
        items: Vec::new(),
    };
    let mut sink: Vec<crate::diag::Diagnostic> = Vec::new();
    let mut findings = Findings::new(file.clone(), None, &mut sink);
    let skip = if job.data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let read = read(
        &job.data[skip..],
        skip as u64,
        &file,
        &opts,
        &mut collect,
        &mut findings,
    );
    drop(findings);
    match read {
        Ok(_) => Ok(collect.items),
        Err(e) => Err(BulkEnd::Failed {
            message: format!("Error: {e}"),
            error_type: 0,
        }),
    }
}

/// Runs an iCal job.
pub fn run(job: &BulkJob, api: &mut dyn BulkApi) -> BulkEnd {
    let class = match job.events_type {
        Some(t @ 1..=3) => EventType::from_code(t as u8).map_or("", EventType::api_class),
        other => {
            return BulkEnd::Failed {
                message: format!(
                    "Error: Event type [{}] not supported",
                    other.map(|t| t.to_string()).unwrap_or_default()
                ),
                error_type: 0,
            };
        }
    };
    let items = match read_items(job, true, |data, offset, file, opts, feed, findings| {
        crate::formats::ics::read(data, offset, file, opts, feed, findings)
    }) {
        Ok(items) => items,
        Err(end) => return end,
    };
    let collect = Collect {
        data: &job.data,
        items,
    };
    let uids: Vec<String> = collect
        .items
        .iter()
        .filter_map(|i| i.event.as_ref())
        .filter(|e| e.action != EventAction::Cancel)
        .filter_map(|e| e.reference_id.clone())
        .collect();
    let known = lookup(&uids, api);
    for item in &collect.items {
        let mut r = BulkResult {
            line_index: item.index,
            status: 3,
            action: Some("1".into()),
            row_data: item.row_data.clone(),
            ..BulkResult::default()
        };
        let Some(e) = &item.event else {
            r.status = 1;
            r.error_type = Some(0);
            r.error_description = Some("Unable to parse the event".into());
            api.report(r);
            continue;
        };
        let answer = if e.action == EventAction::Cancel {
            r.action = Some(CANCEL.into());
            let uid = e.reference_id.clone().unwrap_or_default();
            api.call(
                "schedule_scheduleevent",
                "cancel",
                json!({"scheduleEventId": uid}),
            )
        } else {
            let object = to_object(item, e, class);
            match e.reference_id.as_ref().and_then(|u| known.get(u)) {
                Some(id) => api.call(
                    "schedule_scheduleevent",
                    "update",
                    json!({"scheduleEventId": id, "scheduleEvent": object}),
                ),
                None => api.call(
                    "schedule_scheduleevent",
                    "add",
                    json!({"scheduleEvent": object}),
                ),
            }
        };
        if answer["objectType"] == "KalturaAPIException" {
            r.status = 1;
            r.error_type = Some(4);
            r.error_code = answer["code"].as_str().map(str::to_string);
            r.error_description = answer["message"].as_str().map(str::to_string);
        } else {
            r.object_id = match &answer["id"] {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) => Some(s.clone()),
                _ => None,
            };
            r.object_status = answer["status"].as_i64().map(|s| s.to_string());
        }
        api.report(r);
    }
    BulkEnd::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::BulkKind;

    #[derive(Default)]
    struct Fake {
        calls: Vec<(String, Value)>,
        results: Vec<BulkResult>,
    }

    impl BulkApi for Fake {
        fn call(&mut self, service: &str, action: &str, params: Value) -> Value {
            self.calls.push((format!("{service}.{action}"), params));
            match action {
                "list" => json!({"objects": [{"id": 7, "referenceId": "old"}]}),
                "cancel" => json!({"objectType": "KalturaAPIException",
                                   "code": "INVALID_OBJECT_ID", "message": "Invalid object id [x]"}),
                _ => json!({"id": 10 + self.calls.len(), "status": 2}),
            }
        }
        fn report(&mut self, result: BulkResult) {
            self.results.push(result);
        }
    }

    fn job(events: &[&str], events_type: Option<i64>) -> BulkJob {
        let mut text = String::from("BEGIN:VCALENDAR\r\n");
        for e in events {
            text.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:{e}\r\nSUMMARY:S\r\nDTSTART:20270901T080000Z\r\n\
                 DTEND:20270901T090000Z\r\n{}END:VEVENT\r\n",
                if e.starts_with("cancel") {
                    "METHOD:CANCEL\r\n"
                } else {
                    ""
                }
            ));
        }
        text.push_str("END:VCALENDAR\r\n");
        BulkJob {
            id: 1,
            kind: BulkKind::ICal,
            file_name: "e.ics".into(),
            data: text.into_bytes(),
            max_records: 1000,
            events_type,
        }
    }

    #[test]
    fn known_uids_update_cancels_pass_the_uid_and_indexes_count_from_zero() {
        let mut api = Fake::default();
        let end = run(&job(&["new", "old", "cancel-me"], Some(2)), &mut api);
        assert_eq!(end, BulkEnd::Done);
        let names: Vec<&str> = api.calls.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "schedule_scheduleevent.list",
                "schedule_scheduleevent.add",
                "schedule_scheduleevent.update",
                "schedule_scheduleevent.cancel"
            ]
        );
        assert_eq!(
            api.calls[1].1["scheduleEvent"]["objectType"],
            "KalturaLiveStreamScheduleEvent"
        );
        assert_eq!(api.calls[2].1["scheduleEventId"], 7);
        assert_eq!(api.calls[3].1["scheduleEventId"], "cancel-me");
        let idx: Vec<u64> = api.results.iter().map(|r| r.line_index).collect();
        assert_eq!(idx, [0, 1, 2]);
        assert_eq!(api.results[2].status, 1);
        assert_eq!(
            api.results[2].error_code.as_deref(),
            Some("INVALID_OBJECT_ID")
        );
        assert_eq!(
            api.results[1].action.as_deref(),
            Some("1"),
            "updates report ADD"
        );
    }

    #[test]
    fn an_unsupported_events_type_fails_the_job() {
        let mut api = Fake::default();
        let end = run(&job(&["a"], Some(4)), &mut api);
        assert!(
            matches!(&end, BulkEnd::Failed { message, .. } if message == "Error: Event type [4] not supported"),
            "{end:?}"
        );
        assert!(api.calls.is_empty());
    }

    #[test]
    fn past_100_uids_every_further_uid_queues_the_whole_list() {
        let mut api = Fake::default();
        let uids: Vec<String> = (0..102).map(|i| format!("u{i}")).collect();
        let refs: Vec<&str> = uids.iter().map(String::as_str).collect();
        run(&job(&refs, Some(1)), &mut api);
        let lists: Vec<usize> = api
            .calls
            .iter()
            .filter(|(n, _)| n.ends_with(".list"))
            .map(|(_, p)| {
                p["filter"]["referenceIdIn"]
                    .as_str()
                    .unwrap()
                    .split(',')
                    .count()
            })
            .collect();
        assert_eq!(lists, [100, 101, 102]);
    }
}
