//! The media-entry kind. The natural key is `referenceId`: every reference id the file names (rows',
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
use serde_json::{Value, json};

mod act;
mod calls;
use calls::{categories, content, object};

use super::common::{Target, id_of, verdict};
use super::keyed::{Keyed, Kind, Ref, Verdict, fail};
use super::{Check, Key, ListSpec, Settle, Task, TaskResult};
use crate::record::entry::EntryAction;
use crate::record::{Entry, RecordData};
use crate::submit::multirequest::{Call, result_ref};

/// Entries by reference id.
pub(super) const BY_REFERENCE: ListSpec = ListSpec {
    service: "baseEntry",
    filter_type: "KalturaBaseEntryFilter",
    filter_field: "referenceIdIn",
    object_field: "referenceId",
};

/// Entries by id.
pub(super) const BY_ID: ListSpec = ListSpec {
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

/// Plans media entries.
pub(super) type EntryPlanner = Keyed<Entries>;

/// The description of media entries for [`Keyed`].
#[derive(Debug, Clone)]
pub(super) struct Entries;

type Row = super::keyed::Row<Entry>;

/// What a row does once its lookups are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Add,
    Update,
    Delete,
}

/// The calls that complete an add an earlier attempt applied: only what the entry still lacks.
fn adopted_task(row: &Row, adopted: &Value) -> Result<Task, Verdict> {
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
    Ok(make(row, "add", calls, Check::Idempotent))
}

fn make(row: &Row, action: &str, calls: Vec<Call>, check: Check) -> Task {
    Task {
        row: row.id,
        action: action.to_string(),
        calls,
        check,
    }
}

/// The parent and template a row names, as values to send: `Ok(None)` while one is waited for.
fn references(p: &EntryPlanner, i: usize) -> Result<Option<[Option<Value>; 2]>, Verdict> {
    let e = &p.rows[i].rec;
    let mut resolved = [None, None];
    let named = [
        (
            &e.parent_reference_id,
            "parent",
            "PARENT_ENTRY_ID_NOT_FOUND",
        ),
        (&e.template_entry, "template", "ENTRY_ID_NOT_FOUND"),
    ];
    for (slot, (r, what, code)) in resolved.iter_mut().zip(named) {
        let Some(r) = r else { continue };
        *slot = Some(match p.resolve(i, r) {
            Ref::Exists(t) => t.value(),
            Ref::Wait => return Ok(None),
            Ref::Unknown(why) => {
                return Err(Verdict::Defer(format!(
                    "cannot look up referenceId [{r}]: {why}"
                )));
            }
            Ref::Stalled(row) => {
                return Err(Verdict::Defer(format!(
                    "waits for row {row} (referenceId [{r}]), which did not finish"
                )));
            }
            Ref::Absent => {
                return Err(fail(
                    None,
                    format!("Unable to find {what} entry with referenceId [{r}]"),
                    code,
                ));
            }
        });
    }
    Ok(Some(resolved))
}

impl Kind for Entries {
    type Rec = Entry;
    type Name = String;
    type Extra = ();

    const DESCRIBE: &'static str = "media entries";
    const SAME: &'static str = "with the same referenceId";
    const ID_LIST: Option<ListSpec> = Some(BY_ID);
    const DELETED_STATUS: Option<i64> = None;

    fn take(data: RecordData) -> Option<Entry> {
        match data {
            RecordData::Entry(e) => Some(*e),
            _ => None,
        }
    }

    fn name(e: &Entry) -> Option<String> {
        e.reference_id.clone()
    }

    fn name_key(r: &String) -> Key {
        key(BY_REFERENCE, r)
    }

    fn name_of(k: &Key) -> Option<String> {
        (k.list == BY_REFERENCE).then(|| k.value.clone())
    }

    fn object_id(e: &Entry) -> Option<String> {
        e.entry_id.clone()
    }

    fn touch(e: &Entry) -> Option<String> {
        e.reference_id.clone()
    }

    fn adds(e: &Entry) -> bool {
        !matches!(e.action, Some(EntryAction::Update | EntryAction::Delete)) && e.entry_id.is_none()
    }

    fn refs(e: &Entry, keys: &mut Vec<Key>) {
        for r in [&e.parent_reference_id, &e.template_entry]
            .into_iter()
            .flatten()
        {
            keys.push(key(BY_REFERENCE, r));
        }
    }

    fn task(p: &EntryPlanner, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &p.rows[i];
        if let Some(adopted) = &row.adopted {
            return adopted_task(row, adopted).map(Some);
        }
        let Some([parent, template]) = references(p, i)? else {
            return Ok(None);
        };
        let (act, target) = act::act(p, row)?;
        match (act, target) {
            (Act::Delete, Some(t)) => {
                let call = Call::new("media", "delete").with("entryId", t.value());
                let check = match &t {
                    Target::Id(id) => Check::Lookup(key(BY_ID, id)),
                    Target::Row(_) => Check::Idempotent,
                };
                Ok(Some(make(row, "delete", vec![call], check)))
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
                Ok(Some(make(row, "update", calls, Check::Idempotent)))
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
                let check = match &row.rec.reference_id {
                    Some(r) => Check::Lookup(key(BY_REFERENCE, r)),
                    None => Check::Unidentifiable,
                };
                Ok(Some(make(row, "add", calls, check)))
            }
        }
    }

    fn finished(p: &EntryPlanner, i: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        let first = task.calls.first();
        let entry_param = first
            .and_then(|c| c.params.get("entryId"))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            });
        if task.action == "delete" {
            return match result {
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
            };
        }
        let main = first
            .filter(|c| c.service == "media" && (c.action == "add" || c.action == "update"))
            .map(|_| 0);
        let known = match &p.rows[i].adopted {
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
    }

    fn cycle(_: &Entry) -> Settle {
        Settle::failed(
            None,
            "the rows' parent or template entries form a cycle",
            "PARENT_CYCLE",
        )
    }
}

#[cfg(test)]
mod tests;
