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
use super::{
    Check, Found, Item, Key, ListSpec, Lookup, Planner, Preview, Recovery, Settle, Task,
    TaskResult, Wave,
};
use crate::record::event::EventAction;
use crate::record::{RecordData, ScheduleEvent};
use crate::submit::engine::{OUTCOME_UNKNOWN, OUTCOME_UNKNOWN_MESSAGE};
use crate::submit::journal::{RowId, RowState};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    InFlight,
    Settled,
    Deferred,
}

#[derive(Debug, Clone)]
struct Row {
    id: RowId,
    e: ScheduleEvent,
    state: State,
    /// A previous run sent this row and never learnt the outcome (the action it sent).
    in_doubt: Option<String>,
    /// The earlier row of the file with the same reference id.
    prev_same: Option<usize>,
    /// The event this row's add already made (found after an unknown outcome).
    adopted: Option<Value>,
}

/// What a resource systemName resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Named {
    Id(u64),
    Missing,
    Ambiguous(usize),
    Failed(String),
}

/// Plans schedule events. See the module documentation.
#[derive(Debug, Clone)]
pub struct EventPlanner {
    rows: Vec<Row>,
    by_id: HashMap<RowId, usize>,
    /// Events known to exist, by reference id.
    known: HashMap<String, Target>,
    /// Reference ids whose lookup failed.
    unknown: HashMap<String, String>,
    /// Resource systemNames.
    resources: HashMap<String, Named>,
}

/// Why a row is not sent now: decided without a call (failed, or found already done), or
/// deferred to a later run.
enum Verdict {
    Fail(Settle),
    Defer(String),
}

fn fail(action: &str, error: impl Into<String>, code: &str) -> Verdict {
    Verdict::Fail(Settle::failed(Some(action), error, code))
}

impl EventPlanner {
    /// A planner for `items` (other kinds are ignored).
    pub fn new(items: Vec<Item>) -> Self {
        let mut rows = Vec::with_capacity(items.len());
        let mut last: HashMap<String, usize> = HashMap::new();
        let mut known = HashMap::new();
        for item in items {
            let RecordData::ScheduleEvent(e) = item.record.data else {
                continue;
            };
            let i = rows.len();
            let (mut state, mut in_doubt) = (State::Open, None);
            if let Some(p) = &item.prior {
                match p.state {
                    RowState::Done => {
                        state = State::Settled;
                        if let (Some(r), Some(id)) = (&e.reference_id, &p.object_id) {
                            known.insert(r.clone(), Target::Id(id.clone()));
                        }
                    }
                    RowState::Failed => state = State::Settled,
                    RowState::Sent => in_doubt = Some(p.action.clone().unwrap_or_default()),
                    RowState::Planned => {}
                }
            }
            let prev_same = e.reference_id.clone().and_then(|r| last.insert(r, i));
            rows.push(Row {
                id: item.id,
                e,
                state,
                in_doubt,
                prev_same,
                adopted: None,
            });
        }
        let by_id = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        EventPlanner {
            rows,
            by_id,
            known,
            unknown: HashMap::new(),
            resources: HashMap::new(),
        }
    }

    fn settle(&mut self, i: usize, s: Settle) -> Settle {
        let row = &mut self.rows[i];
        row.state = State::Settled;
        if let (Settle::Done { object_id, .. }, Some(r)) = (&s, &row.e.reference_id) {
            self.known.insert(r.clone(), Target::Id(object_id.clone()));
        }
        s
    }

    /// The event with the row's reference id: `Ok(None)` when there is none.
    fn existing(&self, row: &Row) -> Result<Option<Target>, Verdict> {
        let Some(r) = &row.e.reference_id else {
            return Ok(None);
        };
        if let Some(t) = self.known.get(r) {
            return Ok(Some(t.clone()));
        }
        match self.unknown.get(r) {
            Some(why) => Err(Verdict::Defer(format!(
                "cannot look up referenceId [{r}]: {why}"
            ))),
            None => Ok(None),
        }
    }

    /// The resource ids to link.
    fn resource_ids(&self, row: &Row) -> Result<Vec<u64>, Verdict> {
        let mut ids = Vec::new();
        for v in items(&row.e.resource_id) {
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
        if let Some(n) = &row.e.resource_system_name {
            match self.resources.get(n) {
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
        &self,
        row: &Row,
        event: Value,
        template: Option<Value>,
    ) -> Result<Vec<Call>, Verdict> {
        let mut calls: Vec<Call> = self
            .resource_ids(row)?
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
            for c in items(&row.e.category_ids) {
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

    fn task(&self, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &self.rows[i];
        let e = &row.e;
        let existing = self.existing(row)?;
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
            return Ok(Some(make("cancel", vec![call], Check::Idempotent)));
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
            let calls = self.links(row, Target::Id(id.clone()).value(), template)?;
            if calls.is_empty() {
                return Err(Verdict::Fail(Settle::Done {
                    action: "add".into(),
                    object_id: id,
                    object_status: adopted.get("status").and_then(Value::as_i64),
                }));
            }
            return Ok(Some(make("add", calls, Check::Idempotent)));
        }
        if let Some(t) = existing {
            let call = Call::new(SERVICE, "update")
                .with("scheduleEventId", t.value())
                .with("scheduleEvent", event_object(e, None));
            let mut calls = vec![call];
            calls.extend(self.links(row, t.value(), None)?);
            return Ok(Some(make("update", calls, Check::Idempotent)));
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
        calls.extend(self.links(row, result_ref(main, "id"), template)?);
        let check = match &e.reference_id {
            Some(r) => Check::Lookup(ref_key(r)),
            None => Check::Unidentifiable,
        };
        Ok(Some(make("add", calls, check)))
    }

    fn ready(&self, i: usize) -> Result<bool, Verdict> {
        match self.rows[i].prev_same.map(|p| self.rows[p].state) {
            Some(State::Open | State::InFlight) => Ok(false),
            Some(State::Deferred) => Err(Verdict::Defer(format!(
                "waits for row {} with the same UID, which did not finish",
                self.rows[self.rows[i].prev_same.unwrap_or(i)].id.row
            ))),
            _ => Ok(true),
        }
    }
}

impl Planner for EventPlanner {
    fn describe(&self) -> &'static str {
        "schedule events"
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn keys(&self) -> Vec<Key> {
        let mut keys = Vec::new();
        for row in self.rows.iter().filter(|r| r.state != State::Settled) {
            if let Some(r) = &row.e.reference_id {
                keys.push(ref_key(r));
            }
            if let Some(n) = &row.e.resource_system_name {
                keys.push(resource_key(n));
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    fn absorb(&mut self, found: &Found) -> Vec<(RowId, Settle)> {
        for key in self.keys() {
            match (key.list == BY_REFERENCE, found.get(&key)) {
                (true, Lookup::Found(objs)) => {
                    if let Some(id) = objs.last().and_then(id_of) {
                        self.known.insert(key.value.clone(), Target::Id(id));
                    }
                }
                (true, Lookup::Failed(why)) => {
                    self.unknown.insert(key.value.clone(), why.to_string());
                }
                (true, Lookup::Missing) => {}
                (false, l) => {
                    let named = match l {
                        Lookup::Found([one]) => match id_of(one).and_then(|s| s.parse().ok()) {
                            Some(id) => Named::Id(id),
                            None => Named::Failed("the lookup answered without an id".into()),
                        },
                        Lookup::Found(many) => Named::Ambiguous(many.len()),
                        Lookup::Missing => Named::Missing,
                        Lookup::Failed(why) => Named::Failed(why.to_string()),
                    };
                    self.resources.insert(key.value.clone(), named);
                }
            }
        }
        let mut settled = Vec::new();
        for i in 0..self.rows.len() {
            let row = &self.rows[i];
            if row.state != State::Open || row.in_doubt.as_deref() != Some("add") {
                continue;
            }
            match &row.e.reference_id {
                None => {
                    let s = Settle::failed(Some("add"), OUTCOME_UNKNOWN_MESSAGE, OUTCOME_UNKNOWN);
                    let id = row.id;
                    settled.push((id, self.settle(i, s)));
                }
                Some(r) => {
                    if let Lookup::Found(objs) = found.get(&ref_key(r))
                        && row.prev_same.is_none()
                    {
                        self.rows[i].adopted = objs.last().cloned();
                    }
                }
            }
        }
        settled
    }

    fn wave(&mut self) -> Wave {
        let mut wave = Wave::default();
        for i in 0..self.rows.len() {
            if self.rows[i].state != State::Open {
                continue;
            }
            let id = self.rows[i].id;
            match self
                .ready(i)
                .and_then(|ok| if ok { self.task(i) } else { Ok(None) })
            {
                Ok(Some(t)) => {
                    self.rows[i].state = State::InFlight;
                    wave.tasks.push(t);
                }
                Ok(None) => {}
                Err(Verdict::Fail(s)) => wave.settled.push((id, self.settle(i, s))),
                Err(Verdict::Defer(why)) => {
                    self.rows[i].state = State::Deferred;
                    wave.deferred.push((id, why));
                }
            }
        }
        wave
    }

    fn finished(&mut self, task: &Task, result: TaskResult<'_>) -> Settle {
        let Some(&i) = self.by_id.get(&task.row) else {
            return Settle::failed(Some(&task.action), "unknown row", "KBULK_INTERNAL");
        };
        let main = task.calls.iter().position(|c| c.service == SERVICE);
        let known = match &self.rows[i].adopted {
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
        let s = verdict(&task.action, main, known.as_deref(), result);
        self.settle(i, s)
    }

    fn recover(&mut self, task: &Task, found: &Found) -> Recovery {
        let Some(&i) = self.by_id.get(&task.row) else {
            return Recovery::Unknown("unknown row".into());
        };
        let Check::Lookup(key) = &task.check else {
            return Recovery::Resend(task.clone());
        };
        match found.get(key) {
            Lookup::Failed(why) => Recovery::Unknown(why.to_string()),
            Lookup::Missing => Recovery::Resend(task.clone()),
            Lookup::Found(objs) => {
                self.rows[i].adopted = objs.last().cloned();
                match self.task(i) {
                    Ok(Some(t)) => Recovery::Resend(t),
                    Ok(None) => Recovery::Unknown("nothing to send".into()),
                    Err(Verdict::Fail(s)) => Recovery::Settled(self.settle(i, s)),
                    Err(Verdict::Defer(why)) => Recovery::Unknown(why),
                }
            }
        }
    }

    fn abandoned(&mut self, row: RowId, permanent: bool) {
        if let Some(&i) = self.by_id.get(&row) {
            self.rows[i].state = if permanent {
                State::Settled
            } else {
                State::Deferred
            };
        }
    }

    fn preview(&self) -> Vec<Preview> {
        let mut sim = self.clone();
        let mut out = Vec::new();
        for wave in 0u32.. {
            let w = sim.wave();
            if w.tasks.is_empty() {
                break;
            }
            for t in w.tasks {
                let i = sim.by_id[&t.row];
                sim.rows[i].state = State::Settled;
                if let Some(r) = &sim.rows[i].e.reference_id {
                    sim.known.entry(r.clone()).or_insert(Target::Row(t.row));
                }
                out.push(Preview {
                    row: t.row,
                    wave,
                    action: t.action,
                    calls: t.calls,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
