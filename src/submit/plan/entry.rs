//! The entry planner. The natural key is `referenceId`: every reference id the file names (rows',
//! parents', templates') is looked up with `baseEntry.list` (`referenceIdIn`, 100 per call, pager
//! followed) before anything is sent. Without `<action>`, a row updates the entry its `entryId`
//! or `referenceId` names and adds one otherwise; an explicit add of a reference id that already
//! exists is refused (a second entry with the key would make lookups ambiguous: "no duplicates").
//!
//! An add is one multirequest: `media.add`, then `media.addContent` (`KalturaUrlResource`, or
//! `KalturaUploadedFileTokenResource` for a local file uploaded beforehand by
//! [`crate::submit::upload`]), then `categoryEntry.add` per category id, all on `{1:result:id}`.
//! An update is `media.update`, `media.updateContent` and the category links; a delete is
//! `media.delete`. A row whose `parentReferenceId` (a recording's second stream) or template is
//! added by the file waits for it and gets its id (`parentEntryId`, `templateEntryId`).
//!
//! After an unknown outcome an add is looked up by reference id: found, only what it still lacks
//! is sent (content while the entry has none, the categories it is not in); missing, it is sent
//! again. An add without reference id cannot be looked up and is never sent twice.
use std::collections::HashMap;

use serde_json::{Value, json};

mod calls;
mod resolve;
use calls::{categories, content, object};

use super::common::{Target, id_of, verdict};
use super::{
    Check, Found, Item, Key, ListSpec, Lookup, Planner, Preview, Recovery, Settle, Task,
    TaskResult, Uploaded, Wave,
};
use crate::record::entry::EntryAction;
use crate::record::{Entry, RecordData};
use crate::submit::engine::{OUTCOME_UNKNOWN, OUTCOME_UNKNOWN_MESSAGE};
use crate::submit::journal::{RowId, RowState};
use crate::submit::multirequest::{Call, result_ref};

/// Entries by reference id.
pub(crate) const BY_REFERENCE: ListSpec = ListSpec {
    service: "baseEntry",
    filter_type: "KalturaBaseEntryFilter",
    filter_field: "referenceIdIn",
    object_field: "referenceId",
};

/// Entries by id.
pub(crate) const BY_ID: ListSpec = ListSpec {
    service: "baseEntry",
    filter_type: "KalturaBaseEntryFilter",
    filter_field: "idIn",
    object_field: "id",
};

fn key(list: ListSpec, v: &str) -> Key {
    Key {
        list,
        value: v.to_string(),
    }
}

/// `KalturaEntryStatus::NO_CONTENT`.
const NO_CONTENT: i64 = 7;

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
    e: Entry,
    state: State,
    in_doubt: Option<String>,
    /// The earlier row with the same reference id.
    prev_same: Option<usize>,
    /// The entry an earlier attempt of this row's add made (found after an unknown outcome).
    adopted: Option<Value>,
    upload: Option<Uploaded>,
}

/// Why a row is not sent now: decided without a call, or deferred to a later run.
enum Verdict {
    Decided(Settle),
    Defer(String),
}

fn fail(action: Option<&str>, error: impl Into<String>, code: &str) -> Verdict {
    Verdict::Decided(Settle::failed(action, error, code))
}

/// What a row does once its lookups are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Add,
    Update,
    Delete,
}

/// Plans media entries. See the module documentation.
#[derive(Debug, Clone)]
pub struct EntryPlanner {
    rows: Vec<Row>,
    by_id: HashMap<RowId, usize>,
    /// Entries known to exist, by reference id.
    known: HashMap<String, Target>,
    /// Reference ids whose lookup failed.
    unknown: HashMap<String, String>,
    /// Rows that may add each reference id (parents and templates can come from them).
    adders: HashMap<String, Vec<usize>>,
    /// Entry ids found by id lookups (deletes left in doubt).
    existing_ids: HashMap<String, bool>,
}

impl EntryPlanner {
    /// A planner for `items` (other kinds are ignored).
    pub fn new(items: Vec<Item>) -> Self {
        let mut rows = Vec::with_capacity(items.len());
        let mut last: HashMap<String, usize> = HashMap::new();
        let mut adders: HashMap<String, Vec<usize>> = HashMap::new();
        let mut known = HashMap::new();
        for item in items {
            let RecordData::Entry(e) = item.record.data else {
                continue;
            };
            let e = *e;
            let i = rows.len();
            let (mut state, mut in_doubt) = (State::Open, None);
            if let Some(p) = &item.prior {
                match p.state {
                    RowState::Done => {
                        state = State::Settled;
                        if let (Some(r), Some(id)) = (&e.reference_id, &p.object_id)
                            && p.action.as_deref() != Some("delete")
                        {
                            known.insert(r.clone(), Target::Id(id.clone()));
                        }
                    }
                    RowState::Failed => state = State::Settled,
                    RowState::Sent => in_doubt = Some(p.action.clone().unwrap_or_default()),
                    RowState::Planned => {}
                }
            }
            let prev_same = e.reference_id.clone().and_then(|r| last.insert(r, i));
            if let Some(r) = &e.reference_id
                && !matches!(e.action, Some(EntryAction::Update | EntryAction::Delete))
                && e.entry_id.is_none()
            {
                adders.entry(r.clone()).or_default().push(i);
            }
            rows.push(Row {
                id: item.id,
                e,
                state,
                in_doubt,
                prev_same,
                adopted: None,
                upload: item.upload,
            });
        }
        let by_id = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        EntryPlanner {
            rows,
            by_id,
            known,
            unknown: HashMap::new(),
            adders,
            existing_ids: HashMap::new(),
        }
    }

    fn settle(&mut self, i: usize, s: Settle) -> Settle {
        let row = &mut self.rows[i];
        row.state = State::Settled;
        if let (
            Settle::Done {
                action, object_id, ..
            },
            Some(r),
        ) = (&s, &row.e.reference_id)
        {
            if action == "delete" {
                self.known.remove(r);
            } else {
                self.known.insert(r.clone(), Target::Id(object_id.clone()));
            }
        }
        s
    }

    fn task(&self, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &self.rows[i];
        if let Some(p) = row.prev_same {
            match self.rows[p].state {
                State::Open | State::InFlight => return Ok(None),
                State::Deferred => {
                    return Err(Verdict::Defer(format!(
                        "waits for row {} with the same referenceId, which did not finish",
                        self.rows[p].id.row
                    )));
                }
                State::Settled => {}
            }
        }
        let make = |action: &str, calls: Vec<Call>, check: Check| Task {
            row: row.id,
            action: action.to_string(),
            calls,
            check,
        };
        if let Some(adopted) = &row.adopted {
            // An earlier attempt's add was applied: send only what the entry still lacks.
            let Some(id) = id_of(adopted) else {
                return Err(fail(
                    Some("add"),
                    "the lookup answered without an id",
                    "BAD_RESPONSE",
                ));
            };
            let mut calls = Vec::new();
            let no_content = adopted.get("status").and_then(Value::as_i64) == Some(NO_CONTENT);
            if no_content && let Some(resource) = content(row, "add")? {
                calls.push(
                    Call::new("media", "addContent")
                        .with("entryId", id.clone())
                        .with("resource", resource),
                );
            }
            let already: Vec<String> = adopted
                .get("categoriesIds")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_string())
                .collect();
            calls.extend(categories(row, &json!(id), &already));
            if calls.is_empty() {
                return Err(Verdict::Decided(Settle::Done {
                    action: "add".into(),
                    object_id: id,
                    object_status: adopted.get("status").and_then(Value::as_i64),
                }));
            }
            return Ok(Some(make("add", calls, Check::Idempotent)));
        }
        let mut resolved = Vec::new();
        for r in [&row.e.parent_reference_id, &row.e.template_entry] {
            resolved.push(match r {
                None => None,
                Some(r) => match self.resolve(i, r) {
                    Ok(Some(t)) => Some(t.value()),
                    Ok(None) => {
                        let what = if Some(r) == row.e.parent_reference_id.as_ref() {
                            "parent"
                        } else {
                            "template"
                        };
                        return Err(fail(
                            None,
                            format!("Unable to find {what} entry with referenceId [{r}]"),
                            if what == "parent" {
                                "PARENT_ENTRY_ID_NOT_FOUND"
                            } else {
                                "ENTRY_ID_NOT_FOUND"
                            },
                        ));
                    }
                    Err(None) => return Ok(None),
                    Err(Some(v)) => return Err(v),
                },
            });
        }
        let (parent, template) = (resolved[0].take(), resolved[1].take());
        let (act, target) = self.act(row)?;
        match (act, target) {
            (Act::Delete, Some(t)) => {
                let call = Call::new("media", "delete").with("entryId", t.value());
                let check = match &t {
                    Target::Id(id) => Check::Lookup(key(BY_ID, id)),
                    Target::Row(_) => Check::Idempotent,
                };
                Ok(Some(make("delete", vec![call], check)))
            }
            (Act::Update, Some(t)) => {
                let id = t.value();
                let mut calls = vec![
                    Call::new("media", "update")
                        .with("entryId", id.clone())
                        .with("mediaEntry", object(row, act, parent, template)?),
                ];
                if let Some(resource) = content(row, "update")? {
                    calls.push(
                        Call::new("media", "updateContent")
                            .with("entryId", id.clone())
                            .with("resource", resource),
                    );
                }
                calls.extend(categories(row, &id, &[]));
                Ok(Some(make("update", calls, Check::Idempotent)))
            }
            _ => {
                let entry = object(row, Act::Add, parent, template)?;
                let mut calls = vec![Call::new("media", "add").with("entry", entry)];
                if let Some(resource) = content(row, "add")? {
                    calls.push(
                        Call::new("media", "addContent")
                            .with("entryId", result_ref(1, "id"))
                            .with("resource", resource),
                    );
                }
                calls.extend(categories(row, &result_ref(1, "id"), &[]));
                let check = match &row.e.reference_id {
                    Some(r) => Check::Lookup(key(BY_REFERENCE, r)),
                    None => Check::Unidentifiable,
                };
                Ok(Some(make("add", calls, check)))
            }
        }
    }
}

impl Planner for EntryPlanner {
    fn describe(&self) -> &'static str {
        "media entries"
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn keys(&self) -> Vec<Key> {
        let mut keys = Vec::new();
        for row in self.rows.iter().filter(|r| r.state != State::Settled) {
            let e = &row.e;
            for r in [&e.reference_id, &e.parent_reference_id, &e.template_entry]
                .into_iter()
                .flatten()
            {
                keys.push(key(BY_REFERENCE, r));
            }
            if let (Some(id), Some("delete")) = (&e.entry_id, row.in_doubt.as_deref()) {
                keys.push(key(BY_ID, id));
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    fn absorb(&mut self, found: &Found) -> Vec<(RowId, Settle)> {
        for k in self.keys() {
            match (k.list == BY_ID, found.get(&k)) {
                (false, Lookup::Found(objs)) => {
                    if let Some(id) = objs.first().and_then(id_of) {
                        self.known.insert(k.value.clone(), Target::Id(id));
                    }
                }
                (false, Lookup::Failed(why)) => {
                    self.unknown.insert(k.value.clone(), why.to_string());
                }
                (true, Lookup::Found(_)) => {
                    self.existing_ids.insert(k.value.clone(), true);
                }
                (true, Lookup::Missing) => {
                    self.existing_ids.insert(k.value.clone(), false);
                }
                _ => {}
            }
        }
        let mut settled = Vec::new();
        for i in 0..self.rows.len() {
            let row = &self.rows[i];
            if row.state != State::Open {
                continue;
            }
            match row.in_doubt.as_deref() {
                Some("add") => match &row.e.reference_id {
                    None => {
                        let s =
                            Settle::failed(Some("add"), OUTCOME_UNKNOWN_MESSAGE, OUTCOME_UNKNOWN);
                        let id = row.id;
                        settled.push((id, self.settle(i, s)));
                    }
                    Some(r) => {
                        if let Lookup::Found(objs) = found.get(&key(BY_REFERENCE, r))
                            && row.prev_same.is_none()
                        {
                            self.rows[i].adopted = objs.first().cloned();
                        }
                    }
                },
                Some("delete") => {
                    // By id: the id lookup says it is gone; by reference id: nothing has it any
                    // more (and no earlier row of the file touches it).
                    let gone = match (&row.e.entry_id, &row.e.reference_id) {
                        (Some(id), _) => self.existing_ids.get(id) == Some(&false),
                        (None, Some(r)) => {
                            row.prev_same.is_none()
                                && found.get(&key(BY_REFERENCE, r)) == Lookup::Missing
                        }
                        (None, None) => false,
                    };
                    if gone {
                        let s = Settle::Done {
                            action: "delete".into(),
                            object_id: row.e.entry_id.clone().unwrap_or_default(),
                            object_status: None,
                        };
                        let id = row.id;
                        settled.push((id, self.settle(i, s)));
                    }
                }
                _ => {}
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
            match self.task(i) {
                Ok(Some(t)) => {
                    self.rows[i].state = State::InFlight;
                    wave.tasks.push(t);
                }
                Ok(None) => {}
                Err(Verdict::Decided(s)) => wave.settled.push((id, self.settle(i, s))),
                Err(Verdict::Defer(why)) => {
                    self.rows[i].state = State::Deferred;
                    wave.deferred.push((id, why));
                }
            }
        }
        if wave.tasks.is_empty() && !self.rows.iter().any(|r| r.state == State::InFlight) {
            // Whatever is still open waits on itself: parents that form a cycle.
            for i in 0..self.rows.len() {
                if self.rows[i].state == State::Open {
                    let s = Settle::failed(
                        None,
                        "the rows' parent or template entries form a cycle",
                        "PARENT_CYCLE",
                    );
                    let id = self.rows[i].id;
                    wave.settled.push((id, self.settle(i, s)));
                }
            }
        }
        wave
    }

    fn finished(&mut self, task: &Task, result: TaskResult<'_>) -> Settle {
        let Some(&i) = self.by_id.get(&task.row) else {
            return Settle::failed(Some(&task.action), "unknown row", "KBULK_INTERNAL");
        };
        let first = task.calls.first();
        let entry_param = first
            .and_then(|c| c.params.get("entryId"))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            });
        let s = if task.action == "delete" {
            match result {
                TaskResult::Ok(_) => Settle::Done {
                    action: "delete".into(),
                    object_id: entry_param.unwrap_or_default(),
                    object_status: None,
                },
                TaskResult::Rejected { error, .. } => Settle::Failed {
                    action: Some("delete".into()),
                    error: error.message.clone(),
                    code: Some(error.code.clone()),
                },
            }
        } else {
            let main = first
                .filter(|c| c.service == "media" && (c.action == "add" || c.action == "update"))
                .map(|_| 0);
            let known = match &self.rows[i].adopted {
                Some(o) => id_of(o),
                None => entry_param,
            };
            // The entry's status after its content, when the task added content.
            let content_status = match &result {
                TaskResult::Ok(values) => task
                    .calls
                    .iter()
                    .position(|c| c.action.ends_with("Content"))
                    .and_then(|at| values.get(at)?.get("status")?.as_i64()),
                TaskResult::Rejected { .. } => None,
            };
            match verdict(&task.action, main, known.as_deref(), result) {
                Settle::Done {
                    action,
                    object_id,
                    object_status,
                } => Settle::Done {
                    action,
                    object_id,
                    object_status: content_status.or(object_status),
                },
                failed => failed,
            }
        };
        self.settle(i, s)
    }

    fn recover(&mut self, task: &Task, found: &Found) -> Recovery {
        let Some(&i) = self.by_id.get(&task.row) else {
            return Recovery::Unknown("unknown row".into());
        };
        let Check::Lookup(k) = &task.check else {
            return Recovery::Resend(task.clone());
        };
        match (task.action.as_str(), found.get(k)) {
            (_, Lookup::Failed(why)) => Recovery::Unknown(why.to_string()),
            ("delete", Lookup::Missing) => Recovery::Settled(self.settle(
                i,
                Settle::Done {
                    action: "delete".into(),
                    object_id: k.value.clone(),
                    object_status: None,
                },
            )),
            ("add", Lookup::Found(objs)) => {
                self.rows[i].adopted = objs.first().cloned();
                match self.task(i) {
                    Ok(Some(t)) => Recovery::Resend(t),
                    Ok(None) => Recovery::Unknown("nothing to send".into()),
                    Err(Verdict::Decided(s)) => Recovery::Settled(self.settle(i, s)),
                    Err(Verdict::Defer(why)) => Recovery::Unknown(why),
                }
            }
            _ => Recovery::Resend(task.clone()),
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
                    if t.action == "delete" {
                        sim.known.remove(r);
                    } else {
                        sim.known.entry(r.clone()).or_insert(Target::Row(t.row));
                    }
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
