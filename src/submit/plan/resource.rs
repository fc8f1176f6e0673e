//! The schedule-resource planner: resolves `systemName`s to ids with batched list calls, applies
//! action 6 as update-or-add, creates parents before children whatever the file order, keeps rows
//! that touch the same resource in file order, and decides after an unknown outcome by looking the
//! resource up (by type + systemName for adds, by id for deletes).
//!
//! Messages for rows that fail without a call are the ones Kaltura's resource engine writes
//! ("Unable to find parent location resource [x]", "System name [x] already exists").
use std::collections::HashMap;

use serde_json::Value;

use super::{
    Check, Found, Item, Key, Lookup, Planner, Preview, Recovery, Settle, Task, TaskResult, Wave,
};
use crate::record::{RecordData, ResourceAction, ResourceType, ScheduleResource};
use crate::submit::engine::{OUTCOME_UNKNOWN, OUTCOME_UNKNOWN_MESSAGE};
use crate::submit::journal::{RowId, RowState};
use crate::submit::multirequest::Call;

mod calls;
use calls::{BY_ID, SERVICE, Target, by_name, done, id_key, id_of, name_key, object, task};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not sent yet.
    Open,
    /// A task is out.
    InFlight,
    /// Done, or failed for good.
    Settled { ok: bool },
    /// Given up for this run; may finish on resume.
    Deferred,
}

#[derive(Debug, Clone)]
struct Row {
    id: RowId,
    r: ScheduleResource,
    state: State,
    /// A previous run sent this row and never learnt the outcome (the action it sent).
    in_doubt: Option<String>,
    /// The earlier row of the file that touches the same resource.
    prev_same: Option<usize>,
}

type Name = (ResourceType, String);

/// Plans schedule resources. See the module documentation.
#[derive(Debug, Clone)]
pub struct ResourcePlanner {
    rows: Vec<Row>,
    by_id: HashMap<RowId, usize>,
    /// Resources known to exist, by (type, systemName).
    known: HashMap<Name, Target>,
    /// Names whose lookup failed: nothing may be decided about them in this run.
    unknown: HashMap<Name, String>,
    /// Rows that add each name (parents can come from them).
    adders: HashMap<Name, Vec<usize>>,
    /// Ids found by id lookups (for deletes left in doubt).
    existing_ids: HashMap<u64, bool>,
}

impl ResourcePlanner {
    /// A planner for `items` (all schedule resources; other kinds are ignored).
    pub fn new(items: Vec<Item>) -> Self {
        let mut rows = Vec::with_capacity(items.len());
        let mut last_touch: HashMap<String, usize> = HashMap::new();
        let mut adders: HashMap<Name, Vec<usize>> = HashMap::new();
        let mut known = HashMap::new();
        for item in items {
            let RecordData::ScheduleResource(r) = item.record.data else {
                continue;
            };
            let i = rows.len();
            let (mut state, mut in_doubt) = (State::Open, None);
            if let Some(p) = &item.prior {
                match p.state {
                    RowState::Done => {
                        state = State::Settled { ok: true };
                        if let (Some(name), Some(id)) = (
                            &r.system_name,
                            p.object_id.as_deref().and_then(|s| s.parse().ok()),
                        ) && p.action.as_deref() != Some("delete")
                        {
                            known.insert((r.resource_type, name.clone()), Target::Id(id));
                        }
                    }
                    RowState::Failed => state = State::Settled { ok: false },
                    RowState::Sent => in_doubt = Some(p.action.clone().unwrap_or_default()),
                    RowState::Planned => {}
                }
            }
            let touch = match (r.resource_id, &r.system_name) {
                (Some(id), _) if r.action != ResourceAction::Add => Some(format!("#{id}")),
                (_, Some(n)) => Some(format!("{}/{n}", r.resource_type.as_str())),
                _ => None,
            };
            let prev_same = touch.and_then(|t| last_touch.insert(t, i));
            if let (Some(n), ResourceAction::Add | ResourceAction::AddOrUpdate) =
                (&r.system_name, r.action)
            {
                adders
                    .entry((r.resource_type, n.clone()))
                    .or_default()
                    .push(i);
            }
            rows.push(Row {
                id: item.id,
                r,
                state,
                in_doubt,
                prev_same,
            });
        }
        let by_id = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        ResourcePlanner {
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
        let ok = matches!(s, Settle::Done { .. });
        row.state = State::Settled { ok };
        if let (
            Settle::Done {
                action, object_id, ..
            },
            Some(name),
        ) = (&s, &row.r.system_name)
        {
            let name = (row.r.resource_type, name.clone());
            match (action.as_str(), object_id.parse::<u64>()) {
                ("delete", _) => {
                    self.known.remove(&name);
                }
                (_, Ok(id)) => {
                    self.known.insert(name, Target::Id(id));
                }
                _ => {}
            }
        }
        s
    }

    /// The id a row targets by `resourceId` or by name; `Err` says why it cannot be known now.
    fn target(&self, row: &Row) -> Result<Option<Target>, String> {
        match row.r.resource_id {
            Some(id) => Ok(Some(Target::Id(id))),
            None => self.named(row),
        }
    }

    /// The existing resource with the row's type and systemName, if any.
    fn named(&self, row: &Row) -> Result<Option<Target>, String> {
        let Some(n) = &row.r.system_name else {
            return Ok(None);
        };
        let name = (row.r.resource_type, n.clone());
        if let Some(why) = self.unknown.get(&name) {
            return Err(format!("cannot look up systemName [{n}]: {why}"));
        }
        Ok(self.known.get(&name).copied())
    }

    /// What a row waits for: `Ok(Some(parent))` ready, `Ok(None)` not ready yet, `Err` settled
    /// or deferred with a reason.
    fn readiness(&self, i: usize) -> Result<Option<Option<Target>>, Verdict> {
        let row = &self.rows[i];
        if let Some(p) = row.prev_same {
            match self.rows[p].state {
                State::Open | State::InFlight => return Ok(None),
                State::Deferred => {
                    return Err(Verdict::Defer(format!(
                        "waits for row {} on the same resource, which did not finish",
                        self.rows[p].id.row
                    )));
                }
                State::Settled { .. } => {}
            }
        }
        let Some(pname) = &row.r.parent_system_name else {
            return Ok(Some(None));
        };
        let ptype = row.r.parent_type;
        let name = (ptype, pname.clone());
        if let Some(t) = self.known.get(&name) {
            return Ok(Some(Some(*t)));
        }
        if let Some(why) = self.unknown.get(&name) {
            return Err(Verdict::Defer(format!(
                "cannot look up parent [{pname}]: {why}"
            )));
        }
        let adders = self.adders.get(&name).map(Vec::as_slice).unwrap_or(&[]);
        let mut deferred = None;
        for &a in adders.iter().filter(|&&a| a != i) {
            match self.rows[a].state {
                State::Open | State::InFlight => return Ok(None),
                State::Deferred => deferred = Some(a),
                State::Settled { .. } => {}
            }
        }
        if let Some(a) = deferred {
            return Err(Verdict::Defer(format!(
                "waits for its parent (row {}), which did not finish",
                self.rows[a].id.row
            )));
        }
        Err(Verdict::Fail(Settle::failed(
            None,
            format!(
                "Unable to find parent {} resource [{pname}]",
                ptype.as_str()
            ),
            "PARENT_NOT_FOUND",
        )))
    }

    /// The task for a ready row, or its verdict.
    fn task(&self, i: usize, parent: Option<Target>) -> Result<Task, Verdict> {
        let row = &self.rows[i];
        let r = &row.r;
        let target = self.target(row).map_err(Verdict::Defer)?;
        let missing = || {
            Verdict::Fail(Settle::failed(
                Some(r.action.word()),
                format!(
                    "Unable to find {} resource [{}]",
                    r.resource_type.as_str(),
                    r.system_name.as_deref().unwrap_or_default()
                ),
                "RESOURCE_NOT_FOUND",
            ))
        };
        let add = || -> Result<Task, Verdict> {
            let existing = self.named(row).map_err(Verdict::Defer)?;
            if let (Some(n), Some(_), None) = (&r.system_name, existing, &row.in_doubt) {
                // It existed before this row was ever sent: the server would refuse the add.
                return Err(Verdict::Fail(Settle::failed(
                    Some("add"),
                    format!("System name [{n}] already exists"),
                    "SYSTEM_NAME_ALREADY_EXISTS",
                )));
            }
            let call = Call::new(SERVICE, "add").with("scheduleResource", object(r, parent));
            let check = match &r.system_name {
                Some(n) => Check::Lookup(name_key(r.resource_type, n)),
                None => Check::Unidentifiable,
            };
            Ok(task(row.id, "add", call, check))
        };
        let update = |id: Target| {
            let call = Call::new(SERVICE, "update")
                .with("scheduleResourceId", id.value())
                .with("scheduleResource", object(r, parent));
            task(row.id, "update", call, Check::Idempotent)
        };
        match r.action {
            ResourceAction::Add => add(),
            ResourceAction::AddOrUpdate => match target {
                Some(id) if row.in_doubt.as_deref() != Some("add") => Ok(update(id)),
                _ => add(),
            },
            ResourceAction::Update => target.map(update).ok_or_else(missing),
            ResourceAction::Delete => {
                let id = target.ok_or_else(missing)?;
                let call = Call::new(SERVICE, "delete").with("scheduleResourceId", id.value());
                let check = match id {
                    Target::Id(n) => Check::Lookup(id_key(n)),
                    Target::Row(_) => Check::Idempotent,
                };
                Ok(task(row.id, "delete", call, check))
            }
        }
    }
}

/// Why a row cannot be sent.
enum Verdict {
    Fail(Settle),
    Defer(String),
}

impl Planner for ResourcePlanner {
    fn describe(&self) -> &'static str {
        "schedule resources"
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn keys(&self) -> Vec<Key> {
        let mut keys = Vec::new();
        for row in self
            .rows
            .iter()
            .filter(|r| !matches!(r.state, State::Settled { .. }))
        {
            let r = &row.r;
            if let Some(n) = &r.system_name {
                keys.push(name_key(r.resource_type, n));
            }
            if let (Some(id), Some("delete")) = (r.resource_id, row.in_doubt.as_deref()) {
                keys.push(id_key(id));
            }
            if let Some(p) = &r.parent_system_name {
                keys.push(name_key(r.parent_type, p));
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    fn absorb(&mut self, found: &Found) -> Vec<(RowId, Settle)> {
        for key in self.keys() {
            let name = || {
                let t = ResourceType::ALL
                    .into_iter()
                    .find(|t| by_name(*t) == key.list)?;
                Some((t, key.value.clone()))
            };
            match (found.get(&key), key.list == BY_ID) {
                (Lookup::Found(objs), false) => {
                    let id = objs.first().and_then(id_of).and_then(|s| s.parse().ok());
                    if let (Some(n), Some(id)) = (name(), id) {
                        self.known.insert(n, Target::Id(id));
                    }
                }
                (Lookup::Failed(why), false) => {
                    if let Some(n) = name() {
                        self.unknown.insert(n, why.to_string());
                    }
                }
                (Lookup::Found(_), true) => {
                    if let Ok(id) = key.value.parse() {
                        self.existing_ids.insert(id, true);
                    }
                }
                (Lookup::Missing, true) => {
                    if let Ok(id) = key.value.parse() {
                        self.existing_ids.insert(id, false);
                    }
                }
                _ => {}
            }
        }
        let mut settled = Vec::new();
        for i in 0..self.rows.len() {
            let Some(action) = self.rows[i].in_doubt.clone() else {
                continue;
            };
            if self.rows[i].state != State::Open {
                continue;
            }
            let row = &self.rows[i];
            let verdict = match action.as_str() {
                "add" => match &row.r.system_name {
                    None => Some(Settle::failed(
                        Some("add"),
                        OUTCOME_UNKNOWN_MESSAGE,
                        OUTCOME_UNKNOWN,
                    )),
                    Some(n) => match self.known.get(&(row.r.resource_type, n.clone())) {
                        Some(Target::Id(id)) => Some(Settle::Done {
                            action: "add".into(),
                            object_id: id.to_string(),
                            object_status: None,
                        }),
                        // Missing: it was never applied; unknown: decided in `wave`.
                        _ => None,
                    },
                },
                "delete" => {
                    let gone = match (row.r.resource_id, &row.r.system_name) {
                        (Some(id), _) => self.existing_ids.get(&id) == Some(&false),
                        (None, Some(n)) => {
                            let name = (row.r.resource_type, n.clone());
                            !self.known.contains_key(&name) && !self.unknown.contains_key(&name)
                        }
                        _ => false,
                    };
                    gone.then(|| Settle::Done {
                        action: "delete".into(),
                        object_id: row.r.resource_id.map(|i| i.to_string()).unwrap_or_default(),
                        object_status: Some(3),
                    })
                }
                _ => None,
            };
            if let Some(s) = verdict {
                let id = row.id;
                settled.push((id, self.settle(i, s)));
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
            let outcome = self.readiness(i).and_then(|ready| match ready {
                Some(parent) => self.task(i, parent).map(Some),
                None => Ok(None),
            });
            match outcome {
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
        if wave.tasks.is_empty() && !self.rows.iter().any(|r| r.state == State::InFlight) {
            // Whatever is still open waits on itself: a cycle of parents.
            for i in 0..self.rows.len() {
                if self.rows[i].state == State::Open {
                    let r = &self.rows[i].r;
                    let s = Settle::failed(
                        Some(r.action.word()),
                        format!(
                            "Unable to find parent {} resource [{}] (the rows' parents form a cycle)",
                            r.parent_type.as_str(),
                            r.parent_system_name.as_deref().unwrap_or_default()
                        ),
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
        let s = match result {
            TaskResult::Ok(values) => {
                let value = values.first().unwrap_or(&Value::Null);
                match (task.action.as_str(), done(&task.action, value)) {
                    (_, Some(s)) => s,
                    // Kaltura's delete returns nothing: the id is the one deleted.
                    ("delete", None) => Settle::Done {
                        action: "delete".into(),
                        object_id: task.calls[0]
                            .params
                            .get("scheduleResourceId")
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                        object_status: Some(3),
                    },
                    (a, None) => Settle::failed(
                        Some(a),
                        "the server answered without an object id",
                        "BAD_RESPONSE",
                    ),
                }
            }
            TaskResult::Rejected { error, .. } => Settle::Failed {
                action: Some(task.action.clone()),
                error: error.message.clone(),
                code: Some(error.code.clone()),
            },
        };
        self.settle(i, s)
    }

    fn recover(&mut self, task: &Task, found: &Found) -> Recovery {
        let Some(&i) = self.by_id.get(&task.row) else {
            return Recovery::Unknown("unknown row".into());
        };
        let Check::Lookup(key) = &task.check else {
            return Recovery::Resend(task.clone());
        };
        match (task.action.as_str(), found.get(key)) {
            (_, Lookup::Failed(why)) => Recovery::Unknown(why.to_string()),
            ("add", Lookup::Found(objs)) => match objs.first().and_then(|o| done("add", o)) {
                Some(s) => Recovery::Settled(self.settle(i, s)),
                None => Recovery::Unknown("the lookup answered without an id".into()),
            },
            ("delete", Lookup::Missing) => Recovery::Settled(self.settle(
                i,
                Settle::Done {
                    action: "delete".into(),
                    object_id: key.value.clone(),
                    object_status: Some(3),
                },
            )),
            _ => Recovery::Resend(task.clone()),
        }
    }

    fn abandoned(&mut self, row: RowId, permanent: bool) {
        if let Some(&i) = self.by_id.get(&row) {
            self.rows[i].state = if permanent {
                State::Settled { ok: false }
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
                let row = &mut sim.rows[i];
                row.state = State::Settled { ok: true };
                if let Some(n) = &row.r.system_name {
                    let name = (row.r.resource_type, n.clone());
                    if t.action == "delete" {
                        sim.known.remove(&name);
                    } else {
                        sim.known.entry(name).or_insert(Target::Row(t.row));
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
