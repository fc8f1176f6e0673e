//! How schedule-resource rows become API calls: the lists that find resources (by type and
//! systemName, or by id), the `scheduleResource` object a row sends, and reading ids back.
use serde_json::{Map, Value, json};

use super::super::{Check, Key, ListSpec, Settle, Task};
use crate::record::{ResourceType, ScheduleResource};
use crate::submit::journal::RowId;
use crate::submit::multirequest::Call;

pub(super) const SERVICE: &str = "schedule_scheduleresource";

/// The list that finds resources of `t` by systemName.
pub(super) fn by_name(t: ResourceType) -> ListSpec {
    ListSpec {
        service: SERVICE,
        filter_type: match t {
            ResourceType::Location => "KalturaLocationScheduleResourceFilter",
            ResourceType::Camera => "KalturaCameraScheduleResourceFilter",
            ResourceType::LiveEntry => "KalturaLiveEntryScheduleResourceFilter",
        },
        filter_field: "systemNameIn",
        object_field: "systemName",
    }
}

/// The list that finds resources by id.
pub(super) const BY_ID: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "KalturaScheduleResourceFilter",
    filter_field: "idIn",
    object_field: "id",
};

pub(super) fn name_key(t: ResourceType, name: &str) -> Key {
    Key {
        list: by_name(t),
        value: name.to_string(),
    }
}

pub(super) fn id_key(id: u64) -> Key {
    Key {
        list: BY_ID,
        value: id.to_string(),
    }
}

/// A resource as the planner refers to it: a real id, or the resource a row of the file creates
/// (only in dry runs, where nothing is created).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// An existing resource.
    Id(u64),
    /// The resource this row creates (dry runs only).
    Row(RowId),
}

impl Target {
    pub(super) fn value(self) -> Value {
        match self {
            Target::Id(id) => json!(id),
            Target::Row(r) => json!(format!("{{row {}}}", r.row)),
        }
    }
}

pub(super) fn task(row: RowId, action: &str, call: Call, check: Check) -> Task {
    Task {
        row,
        action: action.to_string(),
        calls: vec![call],
        check,
    }
}

/// The `scheduleResource` object: the values the row sets (absent cells are not sent).
pub(super) fn object(r: &ScheduleResource, parent: Option<Target>) -> Value {
    let mut o = Map::new();
    o.insert("objectType".into(), json!(r.resource_type.api_class()));
    for (k, v) in [
        ("name", &r.name),
        ("systemName", &r.system_name),
        ("description", &r.description),
        ("tags", &r.tags),
    ] {
        if let Some(v) = v {
            o.insert(k.into(), json!(v));
        }
    }
    if let Some(p) = parent {
        o.insert("parentId".into(), p.value());
    }
    Value::Object(o)
}

/// The id of a returned object (a number or numeric text).
pub(super) fn id_of(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

pub(super) fn done(action: &str, obj: &Value) -> Option<Settle> {
    Some(Settle::Done {
        action: action.to_string(),
        object_id: id_of(obj)?,
        object_status: obj.get("status").and_then(Value::as_i64),
    })
}
