//! How App rows become App Registry calls: the list that finds apps by `appCustomId`, the body
//! of `add` and `update`, what differs between a row and the app the server holds, and the
//! enable/disable call that sets the status the file asks for.
use serde_json::{Map, Value, json};

use super::super::common::{Target, put};
use super::super::{Key, ListSpec};
use crate::record::App;
use crate::submit::multirequest::Call;
use crate::submit::registry::SERVICE;

/// The list that finds apps by appCustomId (`filter.appCustomIdIn`).
pub(super) const BY_CUSTOM_ID: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "AppRegistryFilter",
    filter_field: "appCustomIdIn",
    object_field: "appCustomId",
};

/// The lookup of an appCustomId.
pub(super) fn name_key(custom_id: &str) -> Key {
    Key {
        list: BY_CUSTOM_ID,
        value: custom_id.to_string(),
    }
}

/// The `organizationDomain` the row sends, as the service will store it (whitespace stripped).
fn binding(a: &App) -> Option<Value> {
    let d = a.normalized_domain()?;
    let mut o = Map::new();
    put(
        &mut o,
        [
            ("organizationId", &d.organization_id),
            ("domain", &d.domain),
        ],
    );
    Some(Value::Object(o))
}

/// The fields a row sets (absent ones are not sent: the service leaves them unchanged).
fn fields(a: &App) -> Map<String, Value> {
    let mut o = Map::new();
    put(
        &mut o,
        [
            ("appCustomId", &a.app_custom_id),
            ("appCustomName", &a.app_custom_name),
            ("appType", &a.app_type),
        ],
    );
    if let Some(b) = binding(a) {
        o.insert("organizationDomain".into(), b);
    }
    o
}

/// `add`: appCustomId, appType, appCustomName and the binding (the status is always enabled).
pub(super) fn add(a: &App) -> Call {
    Call {
        service: SERVICE.into(),
        action: "add".into(),
        params: fields(a),
    }
}

/// `update` of app `id` with the row's fields.
pub(super) fn update(a: &App, id: &Target) -> Call {
    let mut params = fields(a);
    params.insert("id".into(), id.value());
    Call {
        service: SERVICE.into(),
        action: "update".into(),
        params,
    }
}

/// `enable` or `disable` of app `id` (a value: a GUID, or a reference to an earlier result).
pub(super) fn set_status(status: &str, id: Value) -> Call {
    let action = if status == "disabled" {
        "disable"
    } else {
        "enable"
    };
    Call::new(SERVICE, action).with("id", id)
}

/// `delete` of app `id`.
pub(super) fn delete(id: &Target) -> Call {
    Call::new(SERVICE, "delete").with("id", id.value())
}

/// Whether the server's app `obj` differs from the row in a field the row sets.
pub(super) fn differs(a: &App, obj: &Value) -> bool {
    fields(a).iter().any(|(k, v)| match k.as_str() {
        // Absent keys compare as absent, present ones by value.
        "organizationDomain" => {
            let theirs = obj.get(k).cloned().unwrap_or(Value::Null);
            let norm = |v: &Value| {
                json!({"organizationId": v.get("organizationId"), "domain": v.get("domain")})
            };
            norm(v) != norm(&theirs)
        }
        _ => obj.get(k) != Some(v),
    })
}

/// The status change the row asks for, if the server's app (`None`: a new app, enabled) is not
/// in it yet.
pub(super) fn status_change<'a>(a: &'a App, obj: Option<&Value>) -> Option<&'a str> {
    let want = a.status.as_deref()?;
    let now = obj
        .and_then(|o| o.get("status"))
        .and_then(Value::as_str)
        .unwrap_or("enabled");
    (want != now).then_some(want)
}
