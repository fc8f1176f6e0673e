//! How user rows become API calls: the list that finds users by id and the `user` and
//! `groupUser` objects a row sends.
use serde_json::{Map, Value, json};

use super::super::common::put;
use super::super::{Key, ListSpec};
use crate::record::User;

pub(super) const SERVICE: &str = "user";
pub(super) const GROUP_SERVICE: &str = "groupuser";

/// `KalturaUserType::GROUP`.
pub(super) const GROUP_TYPE: i64 = 1;

/// Users by id.
pub(super) const BY_ID: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "KalturaUserFilter",
    filter_field: "idIn",
    object_field: "id",
};

pub(super) fn id_key(id: &str) -> Key {
    Key {
        list: BY_ID,
        value: id.to_string(),
    }
}

/// `dateOfBirth` as the engine sends it: the date's midnight UTC as Unix seconds.
fn birth_seconds(v: &str) -> Option<i64> {
    let d: jiff::civil::Date = v.get(..10)?.parse().ok()?;
    d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// The `user` object: the values the row sets (empty cells are not sent), as the engine's
/// `createUserFromResultAndJobData` does; `with_id` on add.
pub(super) fn object(u: &User, with_id: bool) -> Value {
    let mut o = Map::new();
    o.insert("objectType".into(), json!("KalturaUser"));
    if with_id {
        put(&mut o, [("id", &u.user_id)]);
    }
    put(
        &mut o,
        [
            ("screenName", &u.screen_name),
            ("firstName", &u.first_name),
            ("lastName", &u.last_name),
            ("email", &u.email),
            ("tags", &u.tags),
            ("zip", &u.zip),
            ("country", &u.country),
            ("state", &u.state),
            ("city", &u.city),
            ("partnerData", &u.partner_data),
            ("externalId", &u.external_id),
        ],
    );
    put(
        &mut o,
        [
            ("gender", u.gender.filter(|g| *g != 0)),
            (
                "dateOfBirth",
                u.date_of_birth.as_deref().and_then(birth_seconds),
            ),
        ],
    );
    if let Some(c) = &u.capabilities {
        let caps: Vec<Value> = c
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| json!({"objectType": "KalturaUserCapability", "capability": s}))
            .collect();
        o.insert("capabilities".into(), Value::Array(caps));
    }
    Value::Object(o)
}

/// The group user the engine creates for a missing group.
pub(super) fn group_object(group: &str) -> Value {
    json!({"objectType": "KalturaUser", "id": group, "type": GROUP_TYPE, "screenName": group})
}

/// The `groupUser` object that adds the row's user to `group`.
pub(super) fn membership(u: &User, group: &str) -> Value {
    let mut o = Map::new();
    o.insert("objectType".into(), json!("KalturaGroupUser"));
    put(&mut o, [("userId", &u.user_id)]);
    o.insert("groupId".into(), json!(group));
    put(&mut o, [("creationMode", u.group_user_creation_mode)]);
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::birth_seconds;

    #[test]
    fn date_of_birth_is_sent_as_midnight_utc() {
        assert_eq!(birth_seconds("1970-01-02"), Some(86_400));
        assert_eq!(birth_seconds("31/12/1990"), None);
    }
}
