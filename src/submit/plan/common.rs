//! Helpers the kinds share: ids in answers, objects the file itself creates (for dry runs), errors
//! that mean "already there", and the verdict on a task.
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Check, Settle, Task, TaskResult};
use crate::submit::client::Element;
use crate::submit::journal::RowId;
use crate::submit::multirequest::Call;

/// An object as a planner refers to it: a real id, or the object a row of the file creates (only
/// in dry runs, where nothing is created).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// An existing object.
    Id(String),
    /// The object this row creates (dry runs only).
    Row(RowId),
}

impl Target {
    /// The value sent for it (`{row N}` in dry runs).
    pub(super) fn value(&self) -> Value {
        match self {
            Target::Id(id) => match id.parse::<u64>() {
                Ok(n) => json!(n),
                Err(_) => json!(id),
            },
            Target::Row(r) => json!(format!("{{row {}}}", r.row)),
        }
    }
}

/// The id of a returned object (a number or non-empty text).
pub(super) fn id_of(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A field value that may be absent: `Option<T>` or `&Option<T>`.
pub(super) trait Present {
    /// The value sent.
    type Sent: Serialize;
    /// The value, if present.
    fn present(self) -> Option<Self::Sent>;
}

impl<T: Serialize> Present for Option<T> {
    type Sent = T;
    fn present(self) -> Option<T> {
        self
    }
}

impl<'a, T: Serialize> Present for &'a Option<T> {
    type Sent = &'a T;
    fn present(self) -> Option<&'a T> {
        self.as_ref()
    }
}

/// Sets each field whose value is present on an API object (absent values are not sent).
pub(super) fn put<V: Present>(
    o: &mut Map<String, Value>,
    fields: impl IntoIterator<Item = (&'static str, V)>,
) {
    for (k, v) in fields {
        if let Some(v) = v.present() {
            o.insert(k.into(), json!(v));
        }
    }
}

/// Keeps the first object a lookup of `name` found (the kinds that compare a row with what
/// exists keep their objects by key this way, in [`super::keyed::Kind::absorb_own`]).
pub(super) fn keep_first(
    extra: &mut std::collections::HashMap<String, Value>,
    name: &str,
    objs: &[Value],
) {
    if let Some(o) = objs.first() {
        extra.insert(name.to_string(), o.clone());
    }
}

/// Whether sending `sent` (an API object) as an update would change `held`, the object the
/// server holds: some field of `sent` (its `objectType` aside) has another value there.
/// Numbers and their digits compare equal (`2` and `"2"`), as the API reads them.
pub(super) fn changes(sent: &Value, held: &Value) -> bool {
    let Some(fields) = sent.as_object() else {
        return true;
    };
    fields
        .iter()
        .filter(|(k, _)| *k != "objectType")
        .any(|(k, v)| match (v, &held[k.as_str()]) {
            (a, b) if a == b => false,
            (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
                n.to_string() != *s
            }
            (Value::Bool(b), Value::Number(n)) | (Value::Number(n), Value::Bool(b)) => {
                n.as_i64() != Some(i64::from(*b))
            }
            _ => true,
        })
}

/// The verdict on a row whose update would change nothing: done, not sent.
pub(super) fn unchanged(object_id: String, held: &Value) -> Settle {
    Settle::Done {
        action: "unchanged".into(),
        object_id,
        object_status: held.get("status").and_then(Value::as_i64),
    }
}

/// A row done, as the object the server returned says (`None`: it has no id).
pub(super) fn done(action: &str, obj: &Value) -> Option<Settle> {
    Some(Settle::Done {
        action: action.to_string(),
        object_id: id_of(obj)?,
        object_status: obj.get("status").and_then(Value::as_i64),
    })
}

/// The settlement of a one-call task whose answer is the object (its id and status); a delete
/// answers nothing, and is done with the id it was sent (`id_param`).
pub(super) fn settle_one(task: &Task, result: TaskResult<'_>, id_param: &str) -> Settle {
    match result {
        TaskResult::Ok(values) => {
            let value = values.first().unwrap_or(&Value::Null);
            match (task.action.as_str(), done(&task.action, value)) {
                (_, Some(s)) => s,
                // Kaltura's delete returns nothing: the id is the one deleted.
                ("delete", None) => Settle::Done {
                    action: "delete".into(),
                    object_id: task.calls[0]
                        .params
                        .get(id_param)
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
    }
}

/// The task of one call.
pub(super) fn one_call(row: RowId, action: &str, call: Call, check: Check) -> Task {
    Task {
        row,
        action: action.to_string(),
        calls: vec![call],
        check,
    }
}

/// Error codes that say a link call found its link already made: the call's purpose is met.
pub(super) const ALREADY_LINKED: [&str; 2] = [
    "SCHEDULE_EVENT_RESOURCE_ALREADY_EXISTS",
    "CATEGORY_ENTRY_ALREADY_EXISTS",
];

/// Whether an element is a success, or an "already linked" error of a link call.
fn fine(e: &Element) -> bool {
    match e {
        Ok(_) => true,
        Err(err) => ALREADY_LINKED.contains(&err.code.as_str()),
    }
}

/// The verdict on a task whose call number `main` (if any) creates or changes the row's object
/// and whose other calls link things to it: done with the object's id (`known` when the task does
/// not hold the main call), or failed with the first real error. An error of a link call after
/// the object was made says so, with the object's id.
pub(super) fn verdict(
    action: &str,
    main: Option<usize>,
    known: Option<&str>,
    result: TaskResult<'_>,
) -> Settle {
    let elements: Vec<Element> = match result {
        TaskResult::Ok(values) => values.iter().cloned().map(Ok).collect(),
        TaskResult::Rejected { elements, .. } => elements.to_vec(),
    };
    let object = main.and_then(|m| elements.get(m)?.as_ref().ok());
    let id = object.and_then(id_of).or_else(|| known.map(str::to_string));
    if let Some((at, Err(e))) = elements.iter().enumerate().find(|(_, e)| !fine(e)) {
        let error = match (&id, main) {
            (Some(id), Some(m)) if at > m => format!("object {id} was saved, but: {}", e.message),
            (Some(id), None) => format!("object {id} exists, but: {}", e.message),
            _ => e.message.clone(),
        };
        return Settle::Failed {
            action: Some(action.to_string()),
            error,
            code: Some(e.code.clone()),
        };
    }
    match id {
        Some(object_id) => Settle::Done {
            action: action.to_string(),
            object_id,
            object_status: object.and_then(|o| o.get("status")).and_then(Value::as_i64),
        },
        None => Settle::failed(
            Some(action),
            "the server answered without an object id",
            "BAD_RESPONSE",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::client::ApiError;

    fn err(code: &str) -> Element {
        Err(ApiError {
            code: code.into(),
            message: format!("{code} happened"),
        })
    }

    #[test]
    fn links_already_made_count_as_done_and_real_errors_fail() {
        let els = vec![Ok(json!({"id": 7, "status": 2})), err(ALREADY_LINKED[0])];
        let r = TaskResult::Rejected {
            at: 1,
            error: &ApiError {
                code: ALREADY_LINKED[0].into(),
                message: String::new(),
            },
            before: &[],
            elements: &els,
        };
        assert_eq!(
            verdict("add", Some(0), None, r),
            Settle::Done {
                action: "add".into(),
                object_id: "7".into(),
                object_status: Some(2)
            }
        );
        let els = vec![Ok(json!({"id": 7})), err("SCHEDULE_RESOURCE_ID_NOT_FOUND")];
        let e = ApiError {
            code: "X".into(),
            message: String::new(),
        };
        let r = TaskResult::Rejected {
            at: 1,
            error: &e,
            before: &[],
            elements: &els,
        };
        match verdict("add", Some(0), None, r) {
            Settle::Failed { error, code, .. } => {
                assert!(error.starts_with("object 7 was saved"), "{error}");
                assert_eq!(code.as_deref(), Some("SCHEDULE_RESOURCE_ID_NOT_FOUND"));
            }
            s => panic!("{s:?}"),
        }
        let held = json!({"name": "A", "privacy": 2, "moderation": 0, "tags": "x"});
        assert!(!changes(
            &json!({"objectType": "K", "name": "A", "privacy": "2"}),
            &held
        ));
        assert!(!changes(&json!({"moderation": false}), &held));
        assert!(changes(&json!({"name": "B"}), &held));
        assert!(
            changes(&json!({"description": "new"}), &held),
            "absent there"
        );
        assert!(matches!(
            verdict("add", Some(0), None, TaskResult::Ok(&[json!(null)])),
            Settle::Failed { .. }
        ));
        assert!(matches!(
            verdict("add", None, Some("9"), TaskResult::Ok(&[json!({})])),
            Settle::Done { object_id, .. } if object_id == "9"
        ));
    }
}
