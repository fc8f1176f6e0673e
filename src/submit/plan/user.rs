//! The user kind: users by `userId`, action 6 as update-or-add, and group membership as the
//! user engine does it — a `group` adds the user to that group user (created as a user of type
//! GROUP when it does not exist and no row of the file adds it), a leading `-` removes the
//! membership; all in the row's one multirequest, after the user's own call.
//!
//! Messages for rows that fail without a call are the API's ("User with id \[x\] already exists
//! in system").
use serde_json::Value;

use std::collections::HashMap;

use super::common::{changes, id_of, unchanged};
use super::keyed::{Keyed, Kind, Ref, Verdict, fail};
use super::{Check, Key, ListSpec, Settle, Task, TaskResult};
use crate::record::{RecordData, User};
use crate::submit::client::Element;
use crate::submit::multirequest::Call;

mod calls;
use calls::{BY_ID, GROUP_SERVICE, SERVICE, group_object, id_key, membership, object};

/// Plans users.
pub(super) type UserPlanner = Keyed<Users>;

/// The description of users for [`Keyed`].
#[derive(Debug, Clone)]
pub(super) struct Users;

/// Errors of the group calls that mean their purpose is already met.
const GROUP_FINE: [&str; 3] = [
    "DUPLICATE_USER_BY_ID",
    "GROUP_USER_ALREADY_EXISTS",
    "GROUP_USER_DOES_NOT_EXIST",
];

/// `KalturaUserStatus::DELETED`.
const DELETED: i64 = 2;

/// The group calls of a row (after its user call): `Ok(None)` while a row adds the group.
fn group_calls(p: &UserPlanner, i: usize) -> Result<Option<Vec<Call>>, Verdict> {
    let u = &p.rows[i].rec;
    let (Some(group), Some(user)) = (&u.group, &u.user_id) else {
        return Ok(Some(Vec::new()));
    };
    if let Some(g) = group.strip_prefix('-') {
        let call = Call::new(GROUP_SERVICE, "delete")
            .with("userId", user.as_str())
            .with("groupId", g);
        return Ok(Some(vec![call]));
    }
    let mut out = Vec::new();
    match p.resolve(i, group) {
        Ref::Exists(_) => {}
        Ref::Wait => return Ok(None),
        Ref::Absent => out.push(Call::new(SERVICE, "add").with("user", group_object(group))),
        Ref::Unknown(why) => {
            return Err(Verdict::Defer(format!(
                "cannot look up group [{group}]: {why}"
            )));
        }
        Ref::Stalled(row) => {
            return Err(Verdict::Defer(format!(
                "waits for its group (row {row}), which did not finish"
            )));
        }
    }
    out.push(Call::new(GROUP_SERVICE, "add").with("groupUser", membership(u, group)));
    Ok(Some(out))
}

impl Kind for Users {
    type Rec = User;
    type Name = String;
    /// The users the lookups found, by id (an update that would change nothing is not sent).
    type Extra = HashMap<String, Value>;

    const DESCRIBE: &'static str = "users";
    const SAME: &'static str = "on the same user";
    const ID_LIST: Option<ListSpec> = None;
    const DELETED_STATUS: Option<i64> = Some(DELETED);

    fn take(data: RecordData) -> Option<User> {
        match data {
            RecordData::User(u) => Some(u),
            _ => None,
        }
    }

    fn name(u: &User) -> Option<String> {
        u.user_id.clone()
    }

    fn name_key(id: &String) -> Key {
        id_key(id)
    }

    fn name_of(key: &Key) -> Option<String> {
        (key.list == BY_ID).then(|| key.value.clone())
    }

    fn object_id(_: &User) -> Option<String> {
        None
    }

    fn touch(u: &User) -> Option<String> {
        u.user_id.clone()
    }

    fn adds(u: &User) -> bool {
        matches!(u.action(), 1 | 6)
    }

    fn refs(u: &User, keys: &mut Vec<Key>) {
        if let Some(g) = u.group.as_deref().filter(|g| !g.starts_with('-')) {
            keys.push(id_key(g));
        }
    }

    fn absorb_own(extra: &mut Self::Extra, name: &String, objs: &[Value]) {
        super::common::keep_first(extra, name, objs);
    }

    fn task(p: &UserPlanner, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &p.rows[i];
        let u = &row.rec;
        let Some(id) = &u.user_id else {
            return Err(fail(
                None,
                "Mandatory Column [userId] missing from CSV.",
                "MISSING_MANDATORY_PARAMETER",
            ));
        };
        let Some(groups) = group_calls(p, i)? else {
            return Ok(None);
        };
        let existing = p
            .existing(id)
            .map_err(|why| Verdict::Defer(format!("cannot look up user [{id}]: {why}")))?;
        let action = match u.action() {
            1 => "add",
            2 => "update",
            3 => "delete",
            6 if existing.is_some() && row.in_doubt.as_deref() != Some("add") => "update",
            6 => "add",
            a => {
                return Err(fail(
                    None,
                    format!("Unknown action passed: [{a}]"),
                    "UNKNOWN_ACTION",
                ));
            }
        };
        let main = match action {
            "add" if row.adopted.is_some() => None,
            "add" if existing.is_some() && row.in_doubt.is_none() => {
                return Err(fail(
                    Some("add"),
                    format!("User with id [{id}] already exists in system"),
                    "DUPLICATE_USER_BY_ID",
                ));
            }
            "add" => Some(Call::new(SERVICE, "add").with("user", object(u, true))),
            "update" => Some(
                Call::new(SERVICE, "update")
                    .with("userId", id.as_str())
                    .with("user", object(u, false)),
            ),
            _ => Some(Call::new(SERVICE, "delete").with("userId", id.as_str())),
        };
        let groups = if action == "delete" {
            Vec::new()
        } else {
            groups
        };
        // An update that would change nothing, with no group call, is not sent (what an earlier
        // row of this run did supersedes the first lookup).
        if action == "update"
            && groups.is_empty()
            && row.prev_same.is_none()
            && let (Some(held), Some(main)) = (p.extra.get(id), &main)
            && !changes(&main.params["user"], held)
        {
            return Err(Verdict::Decided(unchanged(id.clone(), held)));
        }
        if main.is_none() && groups.is_empty() {
            // An unknown outcome, and the lookup found the user: the add was applied.
            let obj = row.adopted.clone().unwrap_or(Value::Null);
            return Err(Verdict::Decided(Settle::Done {
                action: "add".into(),
                object_id: id_of(&obj).unwrap_or_else(|| id.clone()),
                object_status: obj.get("status").and_then(Value::as_i64),
            }));
        }
        let check = match action {
            "update" => Check::Idempotent,
            _ => Check::Lookup(id_key(id)),
        };
        Ok(Some(Task {
            row: row.id,
            action: action.to_string(),
            calls: main.into_iter().chain(groups).collect(),
            check,
        }))
    }

    fn finished(p: &UserPlanner, i: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        let id = p.rows[i].rec.user_id.clone().unwrap_or_default();
        let elements: Vec<Element> = match result {
            TaskResult::Ok(values) => values.iter().cloned().map(Ok).collect(),
            TaskResult::Rejected { elements, .. } => elements.to_vec(),
        };
        // The user's own call comes first, unless an adopted add left only the group calls.
        let has_main = task.calls.first().is_some_and(|c| {
            c.service == SERVICE && c.params.get("user").is_none_or(|u| u.get("type").is_none())
        });
        for (n, e) in elements.iter().enumerate() {
            let Err(err) = e else { continue };
            let is_main = n == 0 && has_main;
            if !is_main && GROUP_FINE.contains(&err.code.as_str()) {
                continue;
            }
            let error = if is_main {
                err.message.clone()
            } else {
                format!("user {id} was saved, but: {}", err.message)
            };
            return Settle::Failed {
                action: Some(task.action.clone()),
                error,
                code: Some(err.code.clone()),
            };
        }
        let object = elements
            .first()
            .and_then(|e| e.as_ref().ok())
            .filter(|_| has_main);
        Settle::Done {
            action: task.action.clone(),
            object_id: object.and_then(id_of).unwrap_or(id),
            object_status: match task.action.as_str() {
                "delete" => Some(DELETED),
                _ => object.and_then(|o| o.get("status")).and_then(Value::as_i64),
            },
        }
    }

    fn cycle(u: &User) -> Settle {
        Settle::failed(
            Some("add"),
            format!(
                "Group user [{}] is added by a row that waits for this one",
                u.group.as_deref().unwrap_or_default()
            ),
            "GROUP_CYCLE",
        )
    }
}

#[cfg(test)]
mod tests;
