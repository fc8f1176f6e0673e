//! The schedule-event planner. The natural key is `referenceId` (the iCal UID): every reference
//! id of the file is looked up with `schedule_scheduleevent.list` (`referenceIdIn`, 100 per call,
//! pager followed) before anything is sent. An add whose reference id exists becomes an update of
//! that event (as Kaltura's iCal engine does); a cancel cancels the looked-up event by id. Each
//! event's resources (CSV `resourceID`, or `resource` by systemName, resolved with
//! `schedule_scheduleresource.list`) are linked with `schedule_scheduleeventresource.add` in the
//! same multirequest (`{1:result:id}`); an event-CSV row with `templateEntryType` first creates
//! its template entry (`media.add`, or `liveStream.add` for `live`) and assigns it to the row's
//! categories.
//!
//! After an unknown outcome an add is looked up by reference id: found, only its links are sent
//! again (a link already made counts as done); missing, it is sent again. An event without a
//! reference id (event CSVs) cannot be looked up: it is never sent twice.
use std::collections::HashMap;

use serde_json::{Value, json};

mod calls;
use calls::{event_object, items, template_call};

use super::common::{Target, id_of, verdict};
use super::keyed::{Keyed, Kind, Verdict};
use super::{Check, Key, ListSpec, Lookup, Settle, Task, TaskResult};
use crate::record::event::EventAction;
use crate::record::{RecordData, ScheduleEvent};
use crate::submit::multirequest::{Call, result_ref};

const SERVICE: &str = "schedule_scheduleevent";

/// Events by reference id.
pub(crate) const BY_REFERENCE: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "KalturaScheduleEventFilter",
    filter_field: "referenceIdIn",
    object_field: "referenceId",
};

/// Resources of any type by systemName (the event CSV's `resource` does not say the type).
pub(crate) const RESOURCE_BY_NAME: ListSpec = ListSpec {
    service: "schedule_scheduleresource",
    filter_type: "KalturaScheduleResourceFilter",
    filter_field: "systemNameIn",
    object_field: "systemName",
};

fn ref_key(r: &str) -> Key {
    Key {
        list: BY_REFERENCE,
        value: r.to_string(),
    }
}

fn resource_key(n: &str) -> Key {
    Key {
        list: RESOURCE_BY_NAME,
        value: n.to_string(),
    }
}

/// What a resource systemName resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Named {
    Id(u64),
    Missing,
    Ambiguous(usize),
    Failed(String),
}

/// Plans schedule events.
pub(super) type EventPlanner = Keyed<Events>;

/// The description of schedule events for [`Keyed`].
#[derive(Debug, Clone)]
pub(super) struct Events;

type Row = super::keyed::Row<ScheduleEvent>;

fn fail(action: &str, error: impl Into<String>, code: &str) -> Verdict {
    super::keyed::fail(Some(action), error, code)
}

impl Events {
    /// The event with the row's reference id: `Ok(None)` when there is none.
    fn existing(p: &EventPlanner, row: &Row) -> Result<Option<Target>, Verdict> {
        let Some(r) = &row.rec.reference_id else {
            return Ok(None);
        };
        p.existing(r)
            .map_err(|why| Verdict::Defer(format!("cannot look up referenceId [{r}]: {why}")))
    }

    /// The resource ids to link.
    fn resource_ids(p: &EventPlanner, row: &Row) -> Result<Vec<u64>, Verdict> {
        let mut ids = Vec::new();
        for v in items(&row.rec.resource_id) {
            match v.parse::<u64>() {
                Ok(id) => ids.push(id),
                Err(_) => {
                    return Err(fail(
                        "add",
                        format!("resourceID [{v}] is not a number"),
                        "INVALID_RESOURCE_ID",
                    ));
                }
            }
        }
        if let Some(n) = &row.rec.resource_system_name {
            match p.extra.get(n) {
                Some(Named::Id(id)) => ids.push(*id),
                Some(Named::Missing) | None => {
                    return Err(fail(
                        "add",
                        format!("Unable to find schedule resource [{n}]"),
                        "RESOURCE_NOT_FOUND",
                    ));
                }
                Some(Named::Ambiguous(k)) => {
                    return Err(fail(
                        "add",
                        format!(
                            "{k} schedule resources have the systemName [{n}]; give resourceID instead"
                        ),
                        "RESOURCE_AMBIGUOUS",
                    ));
                }
                Some(Named::Failed(why)) => {
                    return Err(Verdict::Defer(format!(
                        "cannot look up resource [{n}]: {why}"
                    )));
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// The calls that hang off an event: resource links and the template entry's categories.
    fn links(
        p: &EventPlanner,
        row: &Row,
        event: Value,
        template: Option<Value>,
    ) -> Result<Vec<Call>, Verdict> {
        let mut calls: Vec<Call> = Self::resource_ids(p, row)?
            .into_iter()
            .map(|rid| {
                Call::new("schedule_scheduleeventresource", "add").with(
                    "scheduleEventResource",
                    json!({"objectType": "KalturaScheduleEventResource",
                           "eventId": event.clone(), "resourceId": rid}),
                )
            })
            .collect();
        if let Some(t) = template {
            for c in items(&row.rec.category_ids) {
                let Ok(cid) = c.parse::<i64>() else {
                    return Err(fail(
                        "add",
                        format!("categoryIds [{c}] is not a number"),
                        "INVALID_CATEGORY_ID",
                    ));
                };
                calls.push(Call::new("categoryEntry", "add").with(
                    "categoryEntry",
                    json!({"objectType": "KalturaCategoryEntry", "entryId": t.clone(),
                           "categoryId": cid}),
                ));
            }
        }
        Ok(calls)
    }

    /// The task of a row: a cancel, the links of an adopted add, an update of the event its
    /// UID names, or an add with its template entry and links.
    fn row_task(p: &EventPlanner, i: usize) -> Result<Task, Verdict> {
        let row = &p.rows[i];
        let e = &row.rec;
        let existing = Self::existing(p, row)?;
        let make = |action: &str, calls: Vec<Call>, check: Check| Task {
            row: row.id,
            action: action.to_string(),
            calls,
            check,
        };
        if e.action == EventAction::Cancel {
            let Some(r) = &e.reference_id else {
                return Err(fail(
                    "cancel",
                    "a cancel needs the event's UID",
                    "MISSING_REFERENCE_ID",
                ));
            };
            let Some(t) = existing else {
                return Err(fail(
                    "cancel",
                    format!("Unable to find schedule event with referenceId [{r}]"),
                    "SCHEDULE_EVENT_NOT_FOUND",
                ));
            };
            let call = Call::new(SERVICE, "cancel").with("scheduleEventId", t.value());
            return Ok(make("cancel", vec![call], Check::Idempotent));
        }
        if e.category_paths.is_some() {
            return Err(fail(
                "add",
                "categoryPaths cannot be resolved by kbulk submit (categories are not looked up by \
                 name); give categoryIds instead",
                "CATEGORY_PATHS_UNSUPPORTED",
            ));
        }
        if let Some(adopted) = &row.adopted {
            // The add of a previous attempt was applied: only what hangs off it remains.
            let Some(id) = id_of(adopted) else {
                return Err(fail(
                    "add",
                    "the lookup answered without an id",
                    "BAD_RESPONSE",
                ));
            };
            let template = adopted
                .get("templateEntryId")
                .filter(|t| t.as_str().is_some_and(|s| !s.is_empty()))
                .cloned()
                .filter(|_| e.template_entry_type.is_some());
            let calls = Self::links(p, row, Target::Id(id.clone()).value(), template)?;
            if calls.is_empty() {
                return Err(Verdict::Decided(Settle::Done {
                    action: "add".into(),
                    object_id: id,
                    object_status: adopted.get("status").and_then(Value::as_i64),
                }));
            }
            return Ok(make("add", calls, Check::Idempotent));
        }
        if let Some(t) = existing {
            let call = Call::new(SERVICE, "update")
                .with("scheduleEventId", t.value())
                .with("scheduleEvent", event_object(e, None));
            let mut calls = vec![call];
            calls.extend(Self::links(p, row, t.value(), None)?);
            return Ok(make("update", calls, Check::Idempotent));
        }
        let mut calls = Vec::new();
        let template = match e.template_entry_type {
            Some(kind) if e.template_entry_id.is_none() => {
                calls.push(template_call(e, kind));
                Some(result_ref(1, "id"))
            }
            _ => None,
        };
        let main = calls.len() + 1;
        calls.push(
            Call::new(SERVICE, "add").with("scheduleEvent", event_object(e, template.clone())),
        );
        calls.extend(Self::links(p, row, result_ref(main, "id"), template)?);
        let check = match &e.reference_id {
            Some(r) => Check::Lookup(ref_key(r)),
            None => Check::Unidentifiable,
        };
        Ok(make("add", calls, check))
    }
}

impl Kind for Events {
    type Rec = ScheduleEvent;
    type Name = String;
    /// Resource systemNames and what they resolved to.
    type Extra = HashMap<String, Named>;

    const DESCRIBE: &'static str = "schedule events";
    const SAME: &'static str = "with the same UID";
    const ID_LIST: Option<ListSpec> = None;
    const DELETED_STATUS: Option<i64> = None;

    fn take(data: RecordData) -> Option<ScheduleEvent> {
        match data {
            RecordData::ScheduleEvent(e) => Some(e),
            _ => None,
        }
    }

    fn name(e: &ScheduleEvent) -> Option<String> {
        e.reference_id.clone()
    }

    fn name_key(r: &String) -> Key {
        ref_key(r)
    }

    fn name_of(key: &Key) -> Option<String> {
        (key.list == BY_REFERENCE).then(|| key.value.clone())
    }

    fn object_id(_: &ScheduleEvent) -> Option<String> {
        None
    }

    fn touch(e: &ScheduleEvent) -> Option<String> {
        e.reference_id.clone()
    }

    /// No row refers to another event.
    fn adds(_: &ScheduleEvent) -> bool {
        false
    }

    fn refs(e: &ScheduleEvent, keys: &mut Vec<Key>) {
        if let Some(n) = &e.resource_system_name {
            keys.push(resource_key(n));
        }
    }

    fn absorb_ref(resources: &mut Self::Extra, key: &Key, found: Lookup<'_>) {
        let named = match found {
            Lookup::Found([one]) => match id_of(one).and_then(|s| s.parse().ok()) {
                Some(id) => Named::Id(id),
                None => Named::Failed("the lookup answered without an id".into()),
            },
            Lookup::Found(many) => Named::Ambiguous(many.len()),
            Lookup::Missing => Named::Missing,
            Lookup::Failed(why) => Named::Failed(why.to_string()),
        };
        resources.insert(key.value.clone(), named);
    }

    /// The latest event with the UID.
    fn pick(objs: &[Value]) -> Option<&Value> {
        objs.last()
    }

    fn task(p: &EventPlanner, i: usize) -> Result<Option<Task>, Verdict> {
        Self::row_task(p, i).map(Some)
    }

    fn finished(p: &EventPlanner, i: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        let main = task.calls.iter().position(|c| c.service == SERVICE);
        let known = match &p.rows[i].adopted {
            Some(o) => id_of(o),
            None => task
                .calls
                .iter()
                .find_map(|c| match c.params.get("scheduleEventId") {
                    Some(Value::Number(n)) => Some(n.to_string()),
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                }),
        };
        verdict(&task.action, main, known.as_deref(), result)
    }

    /// Events refer to no other event, so rows wait only on earlier rows: never reached.
    fn cycle(_: &ScheduleEvent) -> Settle {
        Settle::failed(
            None,
            "the row waits for rows that wait for it",
            "PARENT_CYCLE",
        )
    }
}

#[cfg(test)]
mod tests;
