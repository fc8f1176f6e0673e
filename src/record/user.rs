//! A user row: the columns of Kaltura's user CSV (`BulkUploadUserEngineCsv`), typed.
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::record::RecordKind;
use crate::record::table::{TableSpec, int, text};

/// One user to add, update or delete. Field names are the CSV's column names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    /// `KalturaBulkUploadAction`: 1 add (empty), 2 update, 3 delete, 6 add or update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<i64>,
    /// The user's id (the natural key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Screen name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_name: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// 0 UNKNOWN, 1 MALE, 2 FEMALE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<i64>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// State.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Free partner data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_data: Option<String>,
    /// A group user id to add the user to; a leading `-` removes the membership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// How a missing group is created: 1 MANUAL, 2 AUTOMATIC (default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_user_creation_mode: Option<i64>,
    /// The role of a group created for `group`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_role: Option<String>,
    /// An external id (may stand in for `userId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Capabilities, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<String>,
    /// Columns the engine does not know, forwarded to plugins.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub plugins_data: BTreeMap<String, String>,
}

impl User {
    /// The action, empty read as add (1).
    pub fn action(&self) -> i64 {
        self.action.filter(|&a| a != 0).unwrap_or(1)
    }
}

/// The user CSV's columns (the engine's `getColumns()`).
pub static SPEC: TableSpec = TableSpec {
    kind: RecordKind::User,
    title: "user CSV",
    columns: &[
        int("action"),
        text("userId"),
        text("screenName"),
        text("firstName"),
        text("lastName"),
        text("email"),
        text("tags"),
        int("gender"),
        text("zip"),
        text("country"),
        text("state"),
        text("city"),
        text("dateOfBirth"),
        text("partnerData"),
        text("group"),
        int("groupUserCreationMode"),
        text("userRole"),
        text("externalId"),
        text("capabilities"),
    ],
    plugins: true,
    default_action: 1,
};
