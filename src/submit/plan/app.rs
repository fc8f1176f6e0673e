//! The App Registry kind: upserts apps by `appCustomId` — added when no app has it, updated when
//! a field the row sets differs from the server's app, left alone when equal (so an unchanged
//! file is a no-op that bumps no `version`) — sets the status the row asks for with enable /
//! disable, and deletes only rows whose `action` says `delete`. After an unknown outcome the app
//! is looked up by appCustomId.
//!
//! The calls are REST calls to the App Registry (service `app-registry`): the executor sends each
//! task alone, its calls one after the other.
use std::collections::HashMap;

use serde_json::Value;

use super::common::{Target, id_of};
use super::keyed::{Keyed, Kind, Verdict, fail};
use super::{Check, Key, ListSpec, Settle, Task, TaskResult};
use crate::record::{App, RecordData};
use crate::submit::multirequest::result_ref;

mod calls;
use calls::{BY_CUSTOM_ID, differs, name_key, set_status, status_change};

/// Plans App Registry apps.
pub(super) type AppPlanner = Keyed<Apps>;

/// The description of apps for [`Keyed`].
#[derive(Debug, Clone)]
pub(super) struct Apps;

/// The action word of a row that found its app as the file says.
pub(super) const UNCHANGED: &str = "unchanged";

/// The task of an upsert whose app is `existing` (`None`: absent), or the verdict when nothing
/// is to be sent.
fn upsert(
    p: &AppPlanner,
    i: usize,
    existing: Option<(Target, Option<&Value>)>,
) -> Result<Task, Verdict> {
    let row = &p.rows[i];
    let a = &row.rec;
    let cid = a.app_custom_id.clone().unwrap_or_default();
    let Some((target, obj)) = existing else {
        let mut task_calls = vec![calls::add(a)];
        if let Some(s) = status_change(a, None) {
            task_calls.push(set_status(s, result_ref(1, "id")));
        }
        return Ok(Task {
            row: row.id,
            action: "add".into(),
            calls: task_calls,
            check: Check::Lookup(name_key(&cid)),
        });
    };
    // An app known without its fields (a dry run's earlier row, the journal) is updated.
    let changed = obj.is_none_or(|o| differs(a, o));
    let status = status_change(a, obj);
    let mut task_calls = Vec::new();
    if changed {
        task_calls.push(calls::update(a, &target));
    }
    if let Some(s) = status {
        task_calls.push(set_status(s, target.value()));
    }
    let action = match (changed, status) {
        (true, _) => "update",
        (false, Some("disabled")) => "disable",
        (false, Some(_)) => "enable",
        (false, None) => {
            return Err(Verdict::Decided(Settle::Done {
                action: UNCHANGED.into(),
                object_id: match &target {
                    Target::Id(id) => id.clone(),
                    Target::Row(r) => format!("{{row {}}}", r.row),
                },
                object_status: None,
            }));
        }
    };
    Ok(Task {
        row: row.id,
        action: action.into(),
        calls: task_calls,
        // Update, enable and disable by id are safe to send again.
        check: Check::Idempotent,
    })
}

impl Kind for Apps {
    type Rec = App;
    type Name = String;
    /// The server's apps by appCustomId, as the lookups found them.
    type Extra = HashMap<String, Value>;

    const DESCRIBE: &'static str = "App Registry apps";
    const SAME: &'static str = "with the same appCustomId";
    const ID_LIST: Option<ListSpec> = None;
    const DELETED_STATUS: Option<i64> = None;

    fn take(data: RecordData) -> Option<App> {
        match data {
            RecordData::App(a) => Some(a),
            _ => None,
        }
    }

    fn name(a: &App) -> Option<String> {
        a.app_custom_id.clone().filter(|c| !c.trim().is_empty())
    }

    fn name_key(name: &String) -> Key {
        name_key(name)
    }

    fn name_of(key: &Key) -> Option<String> {
        (key.list == BY_CUSTOM_ID).then(|| key.value.clone())
    }

    /// Apps are found by appCustomId; the id a file carries is informational.
    fn object_id(_: &App) -> Option<String> {
        None
    }

    fn touch(a: &App) -> Option<String> {
        Self::name(a)
    }

    fn adds(a: &App) -> bool {
        !a.is_delete()
    }

    fn absorb_own(extra: &mut Self::Extra, name: &String, objs: &[Value]) {
        super::common::keep_first(extra, name, objs);
    }

    fn task(p: &AppPlanner, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &p.rows[i];
        let a = &row.rec;
        let Some(cid) = Self::name(a) else {
            return Err(fail(None, "appCustomId is required", "VALIDATION_ERROR"));
        };
        if let Some(obj) = &row.adopted {
            // An add whose outcome was unknown, and the lookup found the app: it was applied;
            // what the row asks beyond the add (its status) may still be missing.
            let Some(id) = id_of(obj) else {
                return Err(Verdict::Defer("the lookup answered without an id".into()));
            };
            return match upsert(p, i, Some((Target::Id(id.clone()), Some(obj)))) {
                Ok(t) => Ok(Some(t)),
                Err(Verdict::Decided(_)) => Err(Verdict::Decided(Settle::Done {
                    action: "add".into(),
                    object_id: id,
                    object_status: None,
                })),
                Err(v) => Err(v),
            };
        }
        let existing = p
            .existing(&cid)
            .map_err(|why| Verdict::Defer(format!("cannot look up appCustomId [{cid}]: {why}")))?;
        if a.is_delete() {
            let Some(target) = existing else {
                return Err(fail(
                    Some("delete"),
                    format!("App with appCustomId [{cid}] not found"),
                    "OBJECT_NOT_FOUND",
                ));
            };
            return Ok(Some(Task {
                row: row.id,
                action: "delete".into(),
                calls: vec![calls::delete(&target)],
                check: Check::Lookup(name_key(&cid)),
            }));
        }
        // What this run settled supersedes what the first lookup found.
        let settled_here = p.rows[..i]
            .iter()
            .any(|r| Self::name(&r.rec) == Some(cid.clone()));
        let obj = (!settled_here).then(|| p.extra.get(&cid)).flatten();
        upsert(p, i, existing.map(|t| (t, obj))).map(Some)
    }

    fn finished(_: &AppPlanner, _: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        match result {
            TaskResult::Ok(values) => {
                if task.action == "delete" {
                    let id = task.calls[0].params.get("id");
                    return Settle::Done {
                        action: "delete".into(),
                        object_id: id.and_then(Value::as_str).unwrap_or_default().to_string(),
                        object_status: None,
                    };
                }
                match values.iter().rev().find_map(id_of) {
                    Some(object_id) => Settle::Done {
                        action: task.action.clone(),
                        object_id,
                        object_status: None,
                    },
                    None => Settle::failed(
                        Some(&task.action),
                        "the App Registry answered without an app id",
                        "BAD_RESPONSE",
                    ),
                }
            }
            TaskResult::Rejected {
                at, error, before, ..
            } => {
                let saved = (at > 0).then(|| before.iter().find_map(id_of)).flatten();
                Settle::Failed {
                    action: Some(task.action.clone()),
                    error: match saved {
                        Some(id) => format!("app {id} was saved, but: {}", error.message),
                        None => error.message.clone(),
                    },
                    code: Some(error.code.clone()),
                }
            }
        }
    }

    fn cycle(a: &App) -> Settle {
        Settle::failed(
            Some(if a.is_delete() { "delete" } else { "add" }),
            "the row waits on itself",
            "KBULK_INTERNAL",
        )
    }
}

#[cfg(test)]
mod tests;
