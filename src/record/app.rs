//! App Registry applications (KMS sites, Events Platform portals, custom apps) as the App
//! Registry REST contract (`seeds/app-registry-api.txt` §4) describes them.
//!
//! Fields keep the contract's camelCase names, so one line of App JSON Lines is exactly an App
//! object as the service returns it. Enumerated fields (`appType`, `status`, `action`) are kept
//! as text: a value outside the enum is a located finding of the checks, not a parse failure.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `appType` values (seed §4.1).
pub const APP_TYPES: [&str; 12] = [
    "kms",
    "kmc",
    "ep",
    "sites",
    "pitch",
    "test",
    "games",
    "empAccount",
    "epmEvent",
    "epmSystem",
    "mr",
    "kalturaServer",
];

/// `status` values.
pub const STATUSES: [&str; 2] = ["enabled", "disabled"];

/// kbulk's `action` values: `upsert` (the default: add when absent, update when different) and
/// `delete` (only ever done when a row says so).
pub const ACTIONS: [&str; 2] = ["upsert", "delete"];

/// Longest `organizationDomain.domain` and `organizationDomain.organizationId` (seed §4.2).
pub const MAX_DOMAIN: usize = 255;

/// One App Registry application.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct App {
    /// What to do with the app: `upsert` (default) or `delete`. A kbulk field, never sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The GUID the service generated (read-only; informational, never sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The partner (read-only: taken from the KS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<i64>,
    /// The custom identifier, unique per partner: the key kbulk upserts by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_custom_id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_custom_name: Option<String>,
    /// One of [`APP_TYPES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_type: Option<String>,
    /// `enabled` or `disabled` (set with enable/disable; a new app is always enabled first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Starts at 0, +1 on every change (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// ISO 8601 creation time (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// ISO 8601 time of the last change (read-only; the export watermark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The optional organisation/domain binding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_domain: Option<OrganizationDomain>,
    /// Always `App` in the service's answers (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_type: Option<String>,
}

/// `organizationDomain`: binds an app to an organisation and its domains (seed §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDomain {
    /// Organisation identifier (at most 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Domain names, comma-separated (required, at most 255 characters; whitespace is stripped
    /// by the service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

impl App {
    /// Whether the row deletes its app (an explicit `action: delete`).
    pub fn is_delete(&self) -> bool {
        self.action.as_deref() == Some("delete")
    }

    /// The domain binding as the service stores it: whitespace stripped from the domain.
    pub fn normalized_domain(&self) -> Option<OrganizationDomain> {
        let d = self.organization_domain.as_ref()?;
        Some(OrganizationDomain {
            organization_id: d.organization_id.clone(),
            domain: d.domain.as_deref().map(strip_whitespace),
        })
    }
}

/// Removes every whitespace character (the service strips it from domains).
pub fn strip_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The non-empty comma-separated parts of a (stripped) domain list.
pub fn domain_parts(domain: &str) -> impl Iterator<Item = &str> {
    domain.split(',').filter(|d| !d.is_empty())
}

/// The fields of an app that have a place in a file (a CSV cell, a JSON key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppField {
    /// `action`.
    Action,
    /// `id`.
    Id,
    /// `partnerId`.
    PartnerId,
    /// `appCustomId`.
    AppCustomId,
    /// `appCustomName`.
    AppCustomName,
    /// `appType`.
    AppType,
    /// `status`.
    Status,
    /// `version`.
    Version,
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
    /// `organizationDomain` (the object itself).
    OrganizationDomain,
    /// `organizationDomain.organizationId`.
    OrganizationId,
    /// `organizationDomain.domain`.
    Domain,
    /// `objectType`.
    ObjectType,
}

impl AppField {
    /// Number of fields.
    pub const COUNT: usize = 14;

    /// Every field, in CSV column order.
    pub const ALL: [AppField; AppField::COUNT] = [
        AppField::Action,
        AppField::Id,
        AppField::PartnerId,
        AppField::AppCustomId,
        AppField::AppCustomName,
        AppField::AppType,
        AppField::Status,
        AppField::Version,
        AppField::CreatedAt,
        AppField::UpdatedAt,
        AppField::OrganizationDomain,
        AppField::OrganizationId,
        AppField::Domain,
        AppField::ObjectType,
    ];

    /// Position in [`AppField::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name as the contract spells it; nested fields as dotted names
    /// (`organizationDomain.domain`), as CSV headers and messages use them.
    pub fn name(self) -> &'static str {
        match self {
            AppField::Action => "action",
            AppField::Id => "id",
            AppField::PartnerId => "partnerId",
            AppField::AppCustomId => "appCustomId",
            AppField::AppCustomName => "appCustomName",
            AppField::AppType => "appType",
            AppField::Status => "status",
            AppField::Version => "version",
            AppField::CreatedAt => "createdAt",
            AppField::UpdatedAt => "updatedAt",
            AppField::OrganizationDomain => "organizationDomain",
            AppField::OrganizationId => "organizationDomain.organizationId",
            AppField::Domain => "organizationDomain.domain",
            AppField::ObjectType => "objectType",
        }
    }

    /// The field called `name` (dotted for nested fields).
    pub fn from_name(name: &str) -> Option<AppField> {
        AppField::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The apps a server already holds, for the checks run with `--against`.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// Where they were listed from (for messages).
    pub source: String,
    /// Every app of the partner.
    pub apps: Vec<App>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_their_names_and_indexes() {
        for (i, f) in AppField::ALL.into_iter().enumerate() {
            assert_eq!(f.index(), i);
            assert_eq!(AppField::from_name(f.name()), Some(f));
        }
        assert_eq!(AppField::from_name("organizationDomain.nope"), None);
    }

    #[test]
    fn the_json_shape_is_the_contract_shape() {
        let app: App = serde_json::from_str(
            r#"{"id":"g","partnerId":1,"appCustomId":"a","appType":"ep","appCustomName":"A",
                "status":"enabled","version":0,"organizationDomain":{"domain":" x.com , y.com"},
                "objectType":"App"}"#,
        )
        .unwrap();
        assert_eq!(app.app_custom_id.as_deref(), Some("a"));
        assert_eq!(
            app.normalized_domain().unwrap().domain.as_deref(),
            Some("x.com,y.com")
        );
        let back = serde_json::to_value(&app).unwrap();
        assert_eq!(back["organizationDomain"]["domain"], " x.com , y.com");
        assert!(back.get("action").is_none());
    }
}
