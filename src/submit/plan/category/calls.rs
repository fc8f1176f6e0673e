//! How category rows become API calls: the lists that find categories (by full name, by id, by
//! reference id) and the `category` object a row sends.
use serde_json::{Map, Value, json};

use super::super::common::{Target, put};
use super::super::{Key, ListSpec};
use crate::record::Category;

pub(super) const SERVICE: &str = "category";

/// Categories by full name (`a>b>c`; names cannot hold commas, so `In` lists are safe).
pub(super) const BY_FULL_NAME: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "KalturaCategoryFilter",
    filter_field: "fullNameIn",
    object_field: "fullName",
};

/// Categories by id.
pub(super) const BY_ID: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "KalturaCategoryFilter",
    filter_field: "idIn",
    object_field: "id",
};

/// Categories by reference id (the API has no `referenceIdIn`: one value per call).
pub(super) const BY_REFERENCE: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "KalturaCategoryFilter",
    filter_field: "referenceIdEqual",
    object_field: "referenceId",
};

pub(super) fn full_name_key(full: &str) -> Key {
    Key {
        list: BY_FULL_NAME,
        value: full.to_string(),
    }
}

pub(super) fn reference_key(r: &str) -> Key {
    Key {
        list: BY_REFERENCE,
        value: r.to_string(),
    }
}

/// The `category` object: the values the row sets (empty cells are not sent), as the engine's
/// `createCategoryFromResultAndJobData` does — `userJoinPolicy` included when filled.
pub(super) fn object(c: &Category, parent: Option<&Target>) -> Value {
    let mut o = Map::new();
    o.insert("objectType".into(), json!("KalturaCategory"));
    put(
        &mut o,
        [
            ("name", &c.name),
            ("tags", &c.tags),
            ("description", &c.description),
            ("referenceId", &c.reference_id),
            ("owner", &c.owner),
            ("partnerData", &c.partner_data),
        ],
    );
    put(
        &mut o,
        [
            ("contributionPolicy", c.contribution_policy),
            ("privacy", c.privacy),
            ("appearInList", c.appear_in_list),
            ("inheritanceType", c.inheritance_type),
            ("defaultPermissionLevel", c.default_permission_level),
            ("userJoinPolicy", c.user_join_policy),
            ("partnerSortValue", c.partner_sort_value),
        ],
    );
    put(&mut o, [("moderation", c.moderation)]);
    if let Some(p) = parent {
        o.insert("parentId".into(), p.value());
    }
    Value::Object(o)
}
