//! How category-user rows become API calls: the list that finds memberships by category id and
//! user id together, and the `categoryUser` object a row sends.
use serde_json::{Map, Value, json};

use super::super::common::put;
use super::super::{Key, ListSpec};
use crate::record::CategoryUser;
use crate::submit::multirequest::Call;

pub(super) const SERVICE: &str = "categoryuser";

/// `KalturaUpdateMethodType::AUTOMATIC`, the engine's default for `updateMethod`.
pub(super) const AUTOMATIC: i64 = 1;

/// Memberships by (category id, user id): a compound list (`submit::lookup`), the key's value
/// `categoryId:userId`.
pub(super) const BY_PAIR: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "KalturaCategoryUserFilter",
    filter_field: "categoryIdIn:userIdIn",
    object_field: "categoryId:userId",
};

pub(super) fn pair_key(pair: &str) -> Key {
    Key {
        list: BY_PAIR,
        value: pair.to_string(),
    }
}

/// The `categoryUser` object: the ids on add, the permission level when set and the update
/// method (AUTOMATIC when empty, as the engine sends it).
pub(super) fn object(c: &CategoryUser, with_ids: bool) -> Value {
    let mut o = Map::new();
    o.insert("objectType".into(), json!("KalturaCategoryUser"));
    if with_ids {
        put(&mut o, [("categoryId", c.category_id)]);
        put(&mut o, [("userId", &c.user_id)]);
    }
    put(
        &mut o,
        [
            ("permissionLevel", c.permission_level),
            ("updateMethod", Some(c.update_method.unwrap_or(AUTOMATIC))),
        ],
    );
    Value::Object(o)
}

/// A call addressing one membership (`get`, `update`, `delete`, `activate`, `deactivate`).
pub(super) fn on_pair(action: &str, category: i64, user: &str) -> Call {
    Call::new(SERVICE, action)
        .with("categoryId", category)
        .with("userId", user)
}

/// The status call the engine makes after the add or update: `activate` for 1, `deactivate`
/// for 3 (other statuses are not set).
pub(super) fn status_action(status: Option<i64>) -> Option<&'static str> {
    match status {
        Some(1) => Some("activate"),
        Some(3) => Some("deactivate"),
        _ => None,
    }
}

/// Whether the row would change the membership `obj` the server holds.
pub(super) fn differs(c: &CategoryUser, obj: &Value) -> bool {
    let level = c
        .permission_level
        .is_some_and(|l| obj["permissionLevel"].as_i64() != Some(l));
    let method = obj["updateMethod"].as_i64() != Some(c.update_method.unwrap_or(AUTOMATIC));
    level || method
}
