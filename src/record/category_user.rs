//! Category-user ("end-user entitlement") and category-entry rows: the columns of
//! `BulkUploadCategoryUserEngineCsv` and `BulkUploadCategoryEntryEngineCsv`, typed.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::record::RecordKind;
use crate::record::table::{TableSpec, int, text};

/// One user's membership of a category. Field names are the CSV's column names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CategoryUser {
    /// `KalturaBulkUploadAction`: 1 add (empty), 2 update, 3 delete, 6 add or update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<i64>,
    /// Read by nothing (the engine ignores it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_user_id: Option<String>,
    /// The category's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<i64>,
    /// The category's reference id (when `categoryId` is not given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_reference_id: Option<String>,
    /// The user's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// 1 ACTIVE, 2 PENDING, 3 NOT_ACTIVE, 4 DELETED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// 0 MANAGER, 1 MODERATOR, 2 CONTRIBUTOR, 3 MEMBER (4 NONE is refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_level: Option<i64>,
    /// 0 MANUAL, 1 AUTOMATIC (the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_method: Option<i64>,
    /// Columns the engine does not know, forwarded to plugins.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub plugins_data: BTreeMap<String, String>,
}

impl CategoryUser {
    /// The action, empty read as add (1).
    pub fn action(&self) -> i64 {
        self.action.filter(|&a| a != 0).unwrap_or(1)
    }
}

/// The category-user CSV's columns.
pub static SPEC: TableSpec = TableSpec {
    kind: RecordKind::CategoryUser,
    title: "category-user CSV",
    columns: &[
        int("action"),
        text("categoryUserId"),
        int("categoryId"),
        text("categoryReferenceId"),
        text("userId"),
        int("status"),
        int("permissionLevel"),
        int("updateMethod"),
    ],
    plugins: true,
    default_action: 1,
};

/// One entry's assignment to a category, activated or rejected (moderation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CategoryEntry {
    /// 7 ACTIVATE (empty), 8 REJECT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<i64>,
    /// The entry's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
    /// The category's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<i64>,
}

impl CategoryEntry {
    /// The action, empty read as activate (7).
    pub fn action(&self) -> i64 {
        self.action.filter(|&a| a != 0).unwrap_or(7)
    }
}

/// The category-entry CSV's columns.
pub static ENTRY_SPEC: TableSpec = TableSpec {
    kind: RecordKind::CategoryEntry,
    title: "category-entry CSV",
    columns: &[int("action"), text("entryId"), int("categoryId")],
    plugins: false,
    default_action: 7,
};
