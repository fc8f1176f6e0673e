//! How schedule-resource rows become API calls: the lists that find resources (by type and
//! systemName, or by id) and the `scheduleResource` object a row sends.
use serde_json::{Map, Value, json};

use crate::submit::plan::common::put;

use super::super::common::Target;
use super::super::{Key, ListSpec};
use crate::record::{ResourceType, ScheduleResource};

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

/// The `scheduleResource` object: the values the row sets (absent cells are not sent).
pub(super) fn object(r: &ScheduleResource, parent: Option<&Target>) -> Value {
    let mut o = Map::new();
    o.insert("objectType".into(), json!(r.resource_type.api_class()));
    put(
        &mut o,
        [
            ("name", &r.name),
            ("systemName", &r.system_name),
            ("description", &r.description),
            ("tags", &r.tags),
        ],
    );
    if let Some(p) = parent {
        o.insert("parentId".into(), p.value());
    }
    Value::Object(o)
}
