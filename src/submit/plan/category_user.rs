//! The category-user kind (end-user entitlements): memberships keyed by category id + user id,
//! looked up in one compound list; action 6 as update-or-add (`categoryUser.get` succeeding, as
//! the engine's), 2 update and 3 delete of an existing membership; after the add or update the
//! engine's status call (`status` 1 → `activate`, 3 → `deactivate`) in the same multirequest. An
//! update that would change nothing (permission level, update method and status as the server
//! holds them) is not sent: the row is `unchanged`.
//!
//! Rows that give only `categoryReferenceId` are refused before sending: the key is the
//! category's id, which the lookups of one run cannot learn from the reference first.
use std::collections::HashMap;

use serde_json::Value;

use super::common::verdict;
use super::keyed::{Keyed, Kind, Verdict, fail};
use super::{Check, Key, ListSpec, Settle, Task, TaskResult};
use crate::record::{CategoryUser, RecordData};
use crate::submit::multirequest::Call;

mod calls;
use calls::{BY_PAIR, SERVICE, differs, object, on_pair, pair_key, status_action};

/// Plans category users.
pub(super) type CategoryUserPlanner = Keyed<CategoryUsers>;

/// The description of category users for [`Keyed`].
#[derive(Debug, Clone)]
pub(super) struct CategoryUsers;

/// The action word of a row whose membership is already as the file says.
const UNCHANGED: &str = "unchanged";

/// The key of a row: `categoryId:userId`.
fn pair(c: &CategoryUser) -> Option<String> {
    let user = c.user_id.as_deref().filter(|u| !u.is_empty())?;
    Some(format!("{}:{user}", c.category_id.filter(|&i| i > 0)?))
}

impl Kind for CategoryUsers {
    type Rec = CategoryUser;
    type Name = String;
    /// The memberships the lookups found, by key.
    type Extra = HashMap<String, Value>;

    const DESCRIBE: &'static str = "category users";
    const SAME: &'static str = "on the same category and user";
    const ID_LIST: Option<ListSpec> = None;
    const DELETED_STATUS: Option<i64> = Some(4);

    fn take(data: RecordData) -> Option<CategoryUser> {
        match data {
            RecordData::CategoryUser(c) => Some(c),
            _ => None,
        }
    }

    fn name(c: &CategoryUser) -> Option<String> {
        pair(c)
    }

    fn name_key(name: &String) -> Key {
        pair_key(name)
    }

    fn name_of(key: &Key) -> Option<String> {
        (key.list == BY_PAIR).then(|| key.value.clone())
    }

    fn found_id(name: &String, _: &Value) -> Option<String> {
        Some(name.clone())
    }

    fn object_id(_: &CategoryUser) -> Option<String> {
        None
    }

    fn touch(c: &CategoryUser) -> Option<String> {
        pair(c)
    }

    fn adds(c: &CategoryUser) -> bool {
        matches!(c.action(), 1 | 6)
    }

    fn absorb_own(extra: &mut Self::Extra, name: &String, objs: &[Value]) {
        super::common::keep_first(extra, name, objs);
    }

    fn task(p: &CategoryUserPlanner, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &p.rows[i];
        let c = &row.rec;
        let Some(user) = c.user_id.as_deref().filter(|u| !u.is_empty()) else {
            return Err(fail(
                None,
                "Missing mandatory parameter userId",
                "MISSING_MANDATORY_PARAMETER",
            ));
        };
        let Some(category) = c.category_id.filter(|&i| i > 0) else {
            let error = match c.category_reference_id {
                Some(_) => {
                    "kbulk submits category users by categoryId: give the category's id \
                     (categoryReferenceId is resolved only by Kaltura's bulk engine)"
                }
                None => "Missing mandatory parameter categoryId",
            };
            return Err(fail(None, error, "MISSING_MANDATORY_PARAMETER"));
        };
        let key = format!("{category}:{user}");
        if row.adopted.is_some() {
            // An unknown outcome, and the lookup found the membership: the add was applied.
            return Err(Verdict::Decided(Settle::Done {
                action: "add".into(),
                object_id: key,
                object_status: None,
            }));
        }
        let existing = p.existing(&key).map_err(|why| {
            Verdict::Defer(format!("cannot look up category user [{key}]: {why}"))
        })?;
        let missing = |action: &str| {
            fail(
                Some(action),
                format!(
                    "Invalid CategoryUser for category [\"{category}\"] and for user [\"{user}\"]"
                ),
                "INVALID_CATEGORY_USER_ID",
            )
        };
        let action = match c.action() {
            1 if existing.is_some() && row.in_doubt.is_none() => {
                return Err(fail(
                    Some("add"),
                    "CategoryUser already exists",
                    "CATEGORY_USER_ALREADY_EXISTS",
                ));
            }
            1 => "add",
            6 if existing.is_some() && row.in_doubt.as_deref() != Some("add") => "update",
            6 => "add",
            2 | 3 if existing.is_none() => {
                return Err(missing(if c.action() == 2 { "update" } else { "delete" }));
            }
            2 => "update",
            3 => "delete",
            a => {
                return Err(fail(
                    None,
                    format!("Unknown action passed: [{a}]"),
                    "UNKNOWN_ACTION",
                ));
            }
        };
        let status = status_action(c.status);
        let (calls, check) = match action {
            "add" => {
                let add = Call::new(SERVICE, "add").with("categoryUser", object(c, true));
                let mut calls = vec![add];
                calls.extend(status.map(|s| on_pair(s, category, user)));
                (calls, Check::Lookup(pair_key(&key)))
            }
            "delete" => (
                vec![on_pair("delete", category, user)],
                Check::Lookup(pair_key(&key)),
            ),
            _ => {
                // What this run settled supersedes what the first lookup found.
                let settled_here = p.rows[..i]
                    .iter()
                    .any(|r| pair(&r.rec) == Some(key.clone()));
                let held = (!settled_here).then(|| p.extra.get(&key)).flatten();
                let change = held.is_none_or(|o| differs(c, o));
                let status = status.filter(|s| {
                    let want = if *s == "activate" { 1 } else { 3 };
                    held.is_none_or(|o| o["status"].as_i64() != Some(want))
                });
                if !change && status.is_none() {
                    return Err(Verdict::Decided(Settle::Done {
                        action: UNCHANGED.into(),
                        object_id: key,
                        object_status: held.and_then(|o| o["status"].as_i64()),
                    }));
                }
                let mut calls = Vec::new();
                if change {
                    calls.push(
                        on_pair("update", category, user).with("categoryUser", object(c, false)),
                    );
                }
                calls.extend(status.map(|s| on_pair(s, category, user)));
                (calls, Check::Idempotent)
            }
        };
        Ok(Some(Task {
            row: row.id,
            action: action.into(),
            calls,
            check,
        }))
    }

    fn finished(p: &CategoryUserPlanner, i: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        let key = pair(&p.rows[i].rec).unwrap_or_default();
        let main = matches!(task.calls[0].action.as_str(), "add" | "update").then_some(0);
        let mut s = verdict(&task.action, main, Some(&key), result);
        if let Settle::Done {
            object_id,
            object_status,
            ..
        } = &mut s
        {
            *object_id = key;
            if task.action == "delete" {
                *object_status = Self::DELETED_STATUS;
            }
        }
        s
    }

    fn cycle(_: &CategoryUser) -> Settle {
        Settle::failed(Some("add"), "the row waits on itself", "KBULK_INTERNAL")
    }
}

#[cfg(test)]
mod tests;
