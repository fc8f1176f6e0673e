//! The schedule-resource kind: resolves `systemName`s to ids with batched list calls, applies
//! action 6 as update-or-add, creates parents before children whatever the file order, keeps rows
//! that touch the same resource in file order, and decides after an unknown outcome by looking the
//! resource up (by type + systemName for adds, by id for deletes).
//!
//! Messages for rows that fail without a call are the ones Kaltura's resource engine writes
//! ("Unable to find parent location resource \[x\]", "System name \[x\] already exists").

use super::common::{Target, one_call, settle_one};
use super::keyed::{Doubt, Keyed, Kind, Ref, Verdict, adopted, fail};
use super::{Check, Found, Key, ListSpec, Settle, Task, TaskResult};
use crate::record::{RecordData, ResourceAction, ResourceType, ScheduleResource};
use crate::submit::multirequest::Call;

mod calls;
use calls::{BY_ID, SERVICE, by_name, name_key, object};

/// Plans schedule resources.
pub(super) type ResourcePlanner = Keyed<Resources>;

/// The description of schedule resources for [`Keyed`].
#[derive(Debug, Clone)]
pub(super) struct Resources;

type Row = super::keyed::Row<ScheduleResource>;

/// The resource a row targets by `resourceId` or by name; `Err` says why it cannot be known now.
fn target(p: &ResourcePlanner, r: &ScheduleResource) -> Result<Option<Target>, String> {
    match r.resource_id {
        Some(id) => Ok(Some(Target::Id(id.to_string()))),
        None => named(p, r),
    }
}

/// The existing resource with the row's type and systemName, if any.
fn named(p: &ResourcePlanner, r: &ScheduleResource) -> Result<Option<Target>, String> {
    let Some(n) = &r.system_name else {
        return Ok(None);
    };
    p.existing(&(r.resource_type, n.clone()))
        .map_err(|why| format!("cannot look up systemName [{n}]: {why}"))
}

/// The row's parent: `Ok(Some(parent))` ready, `Ok(None)` not ready yet, `Err` why not now.
fn parent(p: &ResourcePlanner, i: usize) -> Result<Option<Option<Target>>, Verdict> {
    let r = &p.rows[i].rec;
    let Some(pname) = &r.parent_system_name else {
        return Ok(Some(None));
    };
    match p.resolve(i, &(r.parent_type, pname.clone())) {
        Ref::Exists(t) => Ok(Some(Some(t))),
        Ref::Wait => Ok(None),
        Ref::Unknown(why) => Err(Verdict::Defer(format!(
            "cannot look up parent [{pname}]: {why}"
        ))),
        Ref::Stalled(row) => Err(Verdict::Defer(format!(
            "waits for its parent (row {row}), which did not finish"
        ))),
        Ref::Absent => Err(fail(
            None,
            format!(
                "Unable to find parent {} resource [{pname}]",
                r.parent_type.as_str()
            ),
            "PARENT_NOT_FOUND",
        )),
    }
}

/// The task of a row whose parent is known.
fn calls(p: &ResourcePlanner, row: &Row, parent: Option<Target>) -> Result<Task, Verdict> {
    let r = &row.rec;
    let target = target(p, r).map_err(Verdict::Defer)?;
    let missing = || {
        fail(
            Some(r.action.word()),
            format!(
                "Unable to find {} resource [{}]",
                r.resource_type.as_str(),
                r.system_name.as_deref().unwrap_or_default()
            ),
            "RESOURCE_NOT_FOUND",
        )
    };
    let add = || -> Result<Task, Verdict> {
        let existing = named(p, r).map_err(Verdict::Defer)?;
        if let (Some(n), Some(_), None) = (&r.system_name, existing, &row.in_doubt) {
            // It existed before this row was ever sent: the server would refuse the add.
            return Err(fail(
                Some("add"),
                format!("System name [{n}] already exists"),
                "SYSTEM_NAME_ALREADY_EXISTS",
            ));
        }
        let call = Call::new(SERVICE, "add").with("scheduleResource", object(r, parent.as_ref()));
        let check = match &r.system_name {
            Some(n) => Check::Lookup(name_key(r.resource_type, n)),
            None => Check::Unidentifiable,
        };
        Ok(one_call(row.id, "add", call, check))
    };
    let update = |id: Target| {
        let call = Call::new(SERVICE, "update")
            .with("scheduleResourceId", id.value())
            .with("scheduleResource", object(r, parent.as_ref()));
        one_call(row.id, "update", call, Check::Idempotent)
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
            let check = match &id {
                Target::Id(n) => Check::Lookup(Key {
                    list: BY_ID,
                    value: n.clone(),
                }),
                Target::Row(_) => Check::Idempotent,
            };
            Ok(one_call(row.id, "delete", call, check))
        }
    }
}

impl Kind for Resources {
    type Rec = ScheduleResource;
    type Name = (ResourceType, String);
    type Extra = ();

    const DESCRIBE: &'static str = "schedule resources";
    const SAME: &'static str = "on the same resource";
    const ID_LIST: Option<ListSpec> = Some(BY_ID);
    const DELETED_STATUS: Option<i64> = Some(3);

    fn take(data: RecordData) -> Option<ScheduleResource> {
        match data {
            RecordData::ScheduleResource(r) => Some(r),
            _ => None,
        }
    }

    fn name(r: &ScheduleResource) -> Option<Self::Name> {
        Some((r.resource_type, r.system_name.clone()?))
    }

    fn name_key((t, n): &Self::Name) -> Key {
        name_key(*t, n)
    }

    fn name_of(key: &Key) -> Option<Self::Name> {
        let t = ResourceType::ALL
            .into_iter()
            .find(|t| by_name(*t) == key.list)?;
        Some((t, key.value.clone()))
    }

    fn object_id(r: &ScheduleResource) -> Option<String> {
        r.resource_id.map(|id| id.to_string())
    }

    fn touch(r: &ScheduleResource) -> Option<String> {
        match (r.resource_id, &r.system_name) {
            (Some(id), _) if r.action != ResourceAction::Add => Some(format!("#{id}")),
            (_, Some(n)) => Some(format!("{}/{n}", r.resource_type.as_str())),
            _ => None,
        }
    }

    fn adds(r: &ScheduleResource) -> bool {
        matches!(r.action, ResourceAction::Add | ResourceAction::AddOrUpdate)
    }

    fn refs(r: &ScheduleResource, keys: &mut Vec<Key>) {
        if let Some(p) = &r.parent_system_name {
            keys.push(name_key(r.parent_type, p));
        }
    }

    /// The add is the whole task: found, the row is done.
    fn doubted_add(p: &ResourcePlanner, _: usize, name: &Self::Name, _: &Found) -> Doubt {
        match p.known.get(name) {
            Some(Target::Id(id)) => Doubt::Done(Settle::Done {
                action: "add".into(),
                object_id: id.clone(),
                object_status: None,
            }),
            // Missing: it was never applied; unknown: decided when the row is planned.
            _ => Doubt::Open,
        }
    }

    fn doubted_delete_gone(p: &ResourcePlanner, _: usize, name: &Self::Name, _: &Found) -> bool {
        !p.known.contains_key(name) && !p.unknown.contains_key(name)
    }

    fn task(p: &ResourcePlanner, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &p.rows[i];
        if let Some(obj) = &row.adopted {
            // An unknown outcome, and the lookup found the resource: the add was applied.
            return Err(adopted(obj));
        }
        match parent(p, i)? {
            Some(parent) => calls(p, row, parent).map(Some),
            None => Ok(None),
        }
    }

    fn finished(_: &ResourcePlanner, _: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        settle_one(task, result, "scheduleResourceId")
    }

    fn cycle(r: &ScheduleResource) -> Settle {
        Settle::failed(
            Some(r.action.word()),
            format!(
                "Unable to find parent {} resource [{}] (the rows' parents form a cycle)",
                r.parent_type.as_str(),
                r.parent_system_name.as_deref().unwrap_or_default()
            ),
            "PARENT_CYCLE",
        )
    }
}

#[cfg(test)]
mod tests;
