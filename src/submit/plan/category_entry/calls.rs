//! How category-entry rows become API calls: the list that finds an entry's assignment to a
//! category by category id and entry id together, and the moderation call a row sends.
use super::super::{Key, ListSpec};
use crate::submit::multirequest::Call;

pub(super) const SERVICE: &str = "categoryentry";

/// `KalturaCategoryEntryStatus`.
pub(super) const ACTIVE: i64 = 2;
pub(super) const REJECTED: i64 = 4;

/// Assignments by (category id, entry id): a compound list (`submit::lookup`), the key's value
/// `categoryId:entryId`.
pub(super) const BY_PAIR: ListSpec = ListSpec {
    service: SERVICE,
    filter_type: "KalturaCategoryEntryFilter",
    filter_field: "categoryIdIn:entryIdIn",
    object_field: "categoryId:entryId",
};

pub(super) fn pair_key(pair: &str) -> Key {
    Key {
        list: BY_PAIR,
        value: pair.to_string(),
    }
}

/// The engine's call for an action: 7 → `activate`, 8 → `reject`, with the status it leaves.
pub(super) fn moderation(action: i64) -> Option<(&'static str, i64)> {
    match action {
        7 => Some(("activate", ACTIVE)),
        8 => Some(("reject", REJECTED)),
        _ => None,
    }
}

/// `categoryEntry.activate` / `reject(entryId, categoryId)`.
pub(super) fn on_pair(action: &str, category: i64, entry: &str) -> Call {
    Call::new(SERVICE, action)
        .with("entryId", entry)
        .with("categoryId", category)
}
