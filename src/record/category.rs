//! A category row: the columns of Kaltura's category CSV (`BulkUploadCategoryEngineCsv`),
//! typed, with the API enums they carry.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::record::RecordKind;
use crate::record::table::{TableSpec, boolean, int, text};

/// One category to add, update or delete. Field names are the CSV's column names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct Category {
    /// `KalturaBulkUploadAction`: 1 add (empty), 2 update, 3 delete, 6 add or update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<i64>,
    /// The category's id (update, delete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<i64>,
    /// The category's own name (one level; 1–200 characters, no `<`, `>` or `,`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The full name of the parent (`a>b`); empty for a root category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relative_path: Option<String>,
    /// Tags (comma-separated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The partner's reference id (update and delete may use it instead of the id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// 1 ALL, 2 MEMBERS_WITH_CONTRIBUTION_PERMISSION.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contribution_policy: Option<i64>,
    /// 1 ALL, 2 AUTHENTICATED_USERS, 3 MEMBERS_ONLY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<i64>,
    /// 1 INHERIT, 2 MANUAL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inheritance_type: Option<i64>,
    /// The owner's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// 1 AUTO_JOIN, 2 REQUEST_TO_JOIN, 3 NOT_ALLOWED (read-only in the API).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_join_policy: Option<i64>,
    /// 1 PARTNER_ONLY, 3 CATEGORY_MEMBERS_ONLY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appear_in_list: Option<i64>,
    /// 0 MANAGER, 1 MODERATOR, 2 CONTRIBUTOR, 3 MEMBER, 4 NONE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_permission_level: Option<i64>,
    /// The partner's sort value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_sort_value: Option<i64>,
    /// Free partner data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_data: Option<String>,
    /// Whether entries added to the category need moderation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation: Option<bool>,
    /// Columns the engine does not know, forwarded to plugins (`metadataProfileId`, ...).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub plugins_data: BTreeMap<String, String>,
}

impl Category {
    /// The action, empty read as add (1).
    pub fn action(&self) -> i64 {
        self.action.filter(|&a| a != 0).unwrap_or(1)
    }

    /// The category's full name (`relativePath>name`), when it has a name.
    pub fn full_name(&self) -> Option<String> {
        let name = self.name.as_deref()?;
        Some(match self.relative_path.as_deref() {
            Some(p) if !p.is_empty() => format!("{p}>{name}"),
            _ => name.to_string(),
        })
    }
}

/// The category CSV's columns (the engine's `getColumns()`).
pub static SPEC: TableSpec = TableSpec {
    kind: RecordKind::Category,
    title: "category CSV",
    columns: &[
        int("action"),
        int("categoryId"),
        text("name"),
        text("relativePath"),
        text("tags"),
        text("description"),
        text("referenceId"),
        int("contributionPolicy"),
        int("privacy"),
        int("inheritanceType"),
        text("owner"),
        int("userJoinPolicy"),
        int("appearInList"),
        int("defaultPermissionLevel"),
        int("partnerSortValue"),
        text("partnerData"),
        boolean("moderation"),
    ],
    plugins: true,
    default_action: 1,
};
