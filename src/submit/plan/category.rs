//! The category kind: parents before children whatever the file order (a row waits for the row
//! that adds its `relativePath`), categories found by full name, id or reference id (under
//! `relativePath`, as the engine's `calculateIdToUpdate`), action 6 as update-or-add, and after
//! an unknown outcome the category looked up by full name (adds) or id (deletes).
//!
//! Messages for rows that fail without a call are the category engine's ("Parent category not
//! found for full name \[a>b\]", "Category reference ID not found under the provided
//! relativePath").
use std::collections::HashMap;

use serde_json::Value;

use super::common::{Target, changes, id_of, one_call, settle_one, unchanged};
use super::keyed::{Keyed, Kind, Ref, Verdict, adopted, fail};
use super::{Check, Key, ListSpec, Lookup, Settle, Task, TaskResult};
use crate::record::{Category, RecordData};
use crate::submit::multirequest::Call;

mod calls;
use calls::{BY_FULL_NAME, BY_ID, BY_REFERENCE, SERVICE, full_name_key, object, reference_key};

/// Plans categories.
pub(super) type CategoryPlanner = Keyed<Categories>;

/// The description of categories for [`Keyed`].
#[derive(Debug, Clone)]
pub(super) struct Categories;

/// What the reference-id lookups found: the categories with each reference id.
pub(super) type ByReference = HashMap<String, Result<Vec<Value>, String>>;

/// What the category lookups of other lists found.
#[derive(Debug, Clone, Default)]
pub(super) struct Lookups {
    /// The categories with each reference id.
    pub(super) by_reference: ByReference,
    /// The categories found by id or reference id, by id (an update that would change nothing
    /// is not sent).
    pub(super) by_id: HashMap<String, Value>,
}

/// Whether the row names an existing category to change (by id or reference id).
fn targeted(c: &Category) -> bool {
    c.category_id.is_some_and(|i| i != 0) || c.reference_id.is_some()
}

/// The category the row names by id or reference id: `Ok(None)` when the reference id is not
/// found under `relativePath`, `Err` when it cannot be known now.
fn target(p: &CategoryPlanner, c: &Category) -> Result<Option<Target>, String> {
    if let Some(id) = c.category_id.filter(|i| *i != 0) {
        return Ok(Some(Target::Id(id.to_string())));
    }
    let Some(r) = &c.reference_id else {
        return Ok(None);
    };
    match p.extra.by_reference.get(r) {
        Some(Ok(objs)) => {
            let under = c.relative_path.as_deref().unwrap_or("");
            Ok(objs
                .iter()
                .find(|o| o["fullName"].as_str().unwrap_or("").starts_with(under))
                .and_then(id_of)
                .map(Target::Id))
        }
        Some(Err(why)) => Err(format!("cannot look up referenceId [{r}]: {why}")),
        None => Err(format!("referenceId [{r}] was not looked up")),
    }
}

/// The row's parent: `Ok(Some(parent))` ready, `Ok(None)` not ready yet.
fn parent(p: &CategoryPlanner, i: usize) -> Result<Option<Option<Target>>, Verdict> {
    let c = &p.rows[i].rec;
    let Some(path) = c.relative_path.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(Some(None));
    };
    match p.resolve(i, &path.to_string()) {
        Ref::Exists(t) => Ok(Some(Some(t))),
        Ref::Wait => Ok(None),
        Ref::Unknown(why) => Err(Verdict::Defer(format!(
            "cannot look up parent [{path}]: {why}"
        ))),
        Ref::Stalled(row) => Err(Verdict::Defer(format!(
            "waits for its parent (row {row}), which did not finish"
        ))),
        Ref::Absent => Err(fail(
            None,
            format!("Parent category not found for full name [{path}]"),
            "PARENT_CATEGORY_NOT_FOUND",
        )),
    }
}

fn calls(p: &CategoryPlanner, i: usize, parent: Option<Target>) -> Result<Task, Verdict> {
    let row = &p.rows[i];
    let c = &row.rec;
    let add = || -> Result<Task, Verdict> {
        let Some(full) = c.full_name() else {
            return Err(fail(
                Some("add"),
                "Mandatory Column [name] missing from CSV.",
                "MISSING_MANDATORY_PARAMETER",
            ));
        };
        let existing = p
            .existing(&full)
            .map_err(|why| Verdict::Defer(format!("cannot look up category [{full}]: {why}")))?;
        if existing.is_some() && row.in_doubt.is_none() {
            return Err(fail(
                Some("add"),
                format!("The category \"{full}\" already exists"),
                "DUPLICATE_CATEGORY",
            ));
        }
        let call = Call::new(SERVICE, "add").with("category", object(c, parent.as_ref()));
        Ok(one_call(
            row.id,
            "add",
            call,
            Check::Lookup(full_name_key(&full)),
        ))
    };
    let update = |id: Target| -> Result<Task, Verdict> {
        let sent = object(c, parent.as_ref());
        // What an earlier row of this run did supersedes the first lookup.
        if let (Target::Id(n), None) = (&id, row.prev_same)
            && let Some(held) = p.extra.by_id.get(n)
            && !changes(&sent, held)
        {
            return Err(Verdict::Decided(unchanged(n.clone(), held)));
        }
        let call = Call::new(SERVICE, "update")
            .with("id", id.value())
            .with("category", sent);
        Ok(one_call(row.id, "update", call, Check::Idempotent))
    };
    let not_found = |action: &str| {
        fail(
            Some(action),
            "Category reference ID not found under the provided relativePath",
            "CATEGORY_NOT_FOUND",
        )
    };
    match c.action() {
        1 => add(),
        6 if !targeted(c) => add(),
        6 => match target(p, c).map_err(Verdict::Defer)? {
            Some(id) if row.in_doubt.as_deref() != Some("add") => update(id),
            _ => add(),
        },
        2 => match target(p, c).map_err(Verdict::Defer)? {
            Some(id) => update(id),
            None => Err(not_found("update")),
        },
        3 => {
            let id = target(p, c)
                .map_err(Verdict::Defer)?
                .ok_or_else(|| not_found("delete"))?;
            let call = Call::new(SERVICE, "delete").with("id", id.value());
            let check = match &id {
                Target::Id(n) => Check::Lookup(Key {
                    list: BY_ID,
                    value: n.clone(),
                }),
                Target::Row(_) => Check::Idempotent,
            };
            Ok(one_call(row.id, "delete", call, check))
        }
        a => Err(fail(
            None,
            format!("Unknown action passed: [{a}]"),
            "UNKNOWN_ACTION",
        )),
    }
}

impl Kind for Categories {
    type Rec = Category;
    type Name = String;
    type Extra = Lookups;

    const DESCRIBE: &'static str = "categories";
    const SAME: &'static str = "on the same category";
    const ID_LIST: Option<ListSpec> = Some(BY_ID);
    const DELETED_STATUS: Option<i64> = Some(3);

    fn take(data: RecordData) -> Option<Category> {
        match data {
            RecordData::Category(c) => Some(c),
            _ => None,
        }
    }

    fn name(c: &Category) -> Option<String> {
        matches!(c.action(), 1 | 6).then(|| c.full_name()).flatten()
    }

    fn name_key(full: &String) -> Key {
        full_name_key(full)
    }

    fn name_of(key: &Key) -> Option<String> {
        (key.list == BY_FULL_NAME).then(|| key.value.clone())
    }

    fn object_id(c: &Category) -> Option<String> {
        c.category_id.filter(|i| *i != 0).map(|i| i.to_string())
    }

    fn touch(c: &Category) -> Option<String> {
        if let Some(id) = Self::object_id(c) {
            return Some(format!("#{id}"));
        }
        if let Some(r) = &c.reference_id {
            return Some(format!("ref:{r}"));
        }
        c.full_name().map(|f| format!("name:{f}"))
    }

    fn adds(c: &Category) -> bool {
        matches!(c.action(), 1 | 6)
    }

    fn refs(c: &Category, keys: &mut Vec<Key>) {
        if let Some(path) = c.relative_path.as_deref().filter(|s| !s.is_empty()) {
            keys.push(full_name_key(path));
        }
        if let Some(id) = c.category_id.filter(|i| *i != 0)
            && matches!(c.action(), 2 | 6)
        {
            keys.push(Key {
                list: BY_ID,
                value: id.to_string(),
            });
        }
        if c.category_id.is_none_or(|i| i == 0)
            && let Some(r) = &c.reference_id
            && matches!(c.action(), 2 | 3 | 6)
        {
            keys.push(reference_key(r));
        }
    }

    fn absorb_ref(extra: &mut Lookups, key: &Key, found: Lookup<'_>) {
        if let Lookup::Found(objs) = found {
            for o in objs {
                if let Some(id) = id_of(o) {
                    extra.by_id.insert(id, o.clone());
                }
            }
        }
        if key.list != BY_REFERENCE {
            return;
        }
        let v = match found {
            Lookup::Found(objs) => Ok(objs.to_vec()),
            Lookup::Missing => Ok(Vec::new()),
            Lookup::Failed(why) => Err(why.to_string()),
        };
        extra.by_reference.insert(key.value.clone(), v);
    }

    fn task(p: &CategoryPlanner, i: usize) -> Result<Option<Task>, Verdict> {
        if let Some(obj) = &p.rows[i].adopted {
            // An unknown outcome, and the lookup found the category: the add was applied.
            return Err(adopted(obj));
        }
        match parent(p, i)? {
            Some(parent) => calls(p, i, parent).map(Some),
            None => Ok(None),
        }
    }

    fn finished(_: &CategoryPlanner, _: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        settle_one(task, result, "id")
    }

    fn cycle(c: &Category) -> Settle {
        Settle::failed(
            Some("add"),
            format!(
                "Parent category not found for full name [{}] (the rows' parents form a cycle)",
                c.relative_path.as_deref().unwrap_or_default()
            ),
            "PARENT_CYCLE",
        )
    }
}

#[cfg(test)]
mod tests;
