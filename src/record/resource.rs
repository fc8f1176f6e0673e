//! Schedule resources (locations, cameras, live entries) as Kaltura's resource CSV describes them.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What to do with a resource row (the CSV `action` column: 1, 2, 3 or 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ResourceAction {
    /// 1: `scheduleResource.add` (also an empty cell or `0`).
    Add,
    /// 2: `scheduleResource.update`, by `resourceId` or `systemName`.
    Update,
    /// 3: `scheduleResource.delete`, by `resourceId` or `systemName`.
    Delete,
    /// 6: update when the `systemName` exists, add otherwise.
    AddOrUpdate,
}

impl ResourceAction {
    /// The canonical CSV code (1, 2, 3, 6).
    pub fn code(self) -> u8 {
        match self {
            ResourceAction::Add => 1,
            ResourceAction::Update => 2,
            ResourceAction::Delete => 3,
            ResourceAction::AddOrUpdate => 6,
        }
    }

    /// The action for a canonical code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(ResourceAction::Add),
            2 => Some(ResourceAction::Update),
            3 => Some(ResourceAction::Delete),
            6 => Some(ResourceAction::AddOrUpdate),
            _ => None,
        }
    }

    /// A word for messages.
    pub fn word(self) -> &'static str {
        match self {
            ResourceAction::Add => "add",
            ResourceAction::Update => "update",
            ResourceAction::Delete => "delete",
            ResourceAction::AddOrUpdate => "add-or-update",
        }
    }
}

/// A resource type, spelled as the CSV spells it (case-sensitive).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    /// `location` (API type 1, `KalturaLocationScheduleResource`); the default.
    #[default]
    Location,
    /// `camera` (API type 3, `KalturaCameraScheduleResource`).
    Camera,
    /// `live_entry` (API type 2, `KalturaLiveEntryScheduleResource`; needs an `entryId`).
    LiveEntry,
}

impl ResourceType {
    /// Every type, in CSV spelling order.
    pub const ALL: [ResourceType; 3] = [
        ResourceType::Location,
        ResourceType::Camera,
        ResourceType::LiveEntry,
    ];

    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Location => "location",
            ResourceType::Camera => "camera",
            ResourceType::LiveEntry => "live_entry",
        }
    }

    /// Parses the exact (case-sensitive) CSV spelling.
    pub fn parse(s: &str) -> Option<Self> {
        ResourceType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The API class the server instantiates for this type.
    pub fn api_class(self) -> &'static str {
        match self {
            ResourceType::Location => "KalturaLocationScheduleResource",
            ResourceType::Camera => "KalturaCameraScheduleResource",
            ResourceType::LiveEntry => "KalturaLiveEntryScheduleResource",
        }
    }
}

/// One schedule resource row, normalized: values trimmed as the server trims them, defaults
/// applied, the action canonical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleResource {
    /// What to do.
    pub action: ResourceAction,
    /// Id of an existing resource (the target of update/delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<u64>,
    /// Display name (required to add; 1–256 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Resource type (default `location`).
    #[serde(rename = "type", default)]
    pub resource_type: ResourceType,
    /// Unique name per partner and type; also the lookup key for update/delete/upsert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Comma-separated tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Type of the parent resource (default `location`).
    #[serde(default)]
    pub parent_type: ResourceType,
    /// `systemName` of the parent, which must exist or be added earlier in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_system_name: Option<String>,
}

/// A borrowed view of a schedule resource: what the checks read, built from a CSV row without
/// allocating. [`ResourceView::to_owned`] makes the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceView<'a> {
    /// What to do.
    pub action: ResourceAction,
    /// Id of an existing resource.
    pub resource_id: Option<u64>,
    /// Display name.
    pub name: Option<&'a str>,
    /// Resource type.
    pub resource_type: ResourceType,
    /// System name.
    pub system_name: Option<&'a str>,
    /// Free text.
    pub description: Option<&'a str>,
    /// Comma-separated tags.
    pub tags: Option<&'a str>,
    /// Type of the parent resource.
    pub parent_type: ResourceType,
    /// `systemName` of the parent.
    pub parent_system_name: Option<&'a str>,
}

impl ResourceView<'_> {
    /// The owned record.
    pub fn to_owned(&self) -> ScheduleResource {
        let own = |v: Option<&str>| v.map(str::to_string);
        ScheduleResource {
            action: self.action,
            resource_id: self.resource_id,
            name: own(self.name),
            resource_type: self.resource_type,
            system_name: own(self.system_name),
            description: own(self.description),
            tags: own(self.tags),
            parent_type: self.parent_type,
            parent_system_name: own(self.parent_system_name),
        }
    }
}

impl ScheduleResource {
    /// A borrowed view for the checks.
    pub fn view(&self) -> ResourceView<'_> {
        ResourceView {
            action: self.action,
            resource_id: self.resource_id,
            name: self.name.as_deref(),
            resource_type: self.resource_type,
            system_name: self.system_name.as_deref(),
            description: self.description.as_deref(),
            tags: self.tags.as_deref(),
            parent_type: self.parent_type,
            parent_system_name: self.parent_system_name.as_deref(),
        }
    }
}

/// The fields of a schedule resource, used to point diagnostics at the right cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceField {
    /// `action`
    Action,
    /// `resourceId`
    ResourceId,
    /// `name`
    Name,
    /// `type`
    Type,
    /// `systemName`
    SystemName,
    /// `description`
    Description,
    /// `tags`
    Tags,
    /// `parentType`
    ParentType,
    /// `parentSystemName`
    ParentSystemName,
}

impl ResourceField {
    /// Every field in canonical column order (the order of the canonical V3 header).
    pub const ALL: [ResourceField; 9] = [
        ResourceField::Action,
        ResourceField::ResourceId,
        ResourceField::Name,
        ResourceField::Type,
        ResourceField::SystemName,
        ResourceField::Description,
        ResourceField::Tags,
        ResourceField::ParentType,
        ResourceField::ParentSystemName,
    ];

    /// The column names in canonical order: the engine's `getColumns`.
    pub const COLUMNS: [&'static str; 9] = {
        let mut out = [""; 9];
        let mut i = 0;
        while i < out.len() {
            out[i] = ResourceField::ALL[i].column();
            i += 1;
        }
        out
    };

    /// The column name, exactly as the server matches it (case-sensitive).
    pub const fn column(self) -> &'static str {
        match self {
            ResourceField::Action => "action",
            ResourceField::ResourceId => "resourceId",
            ResourceField::Name => "name",
            ResourceField::Type => "type",
            ResourceField::SystemName => "systemName",
            ResourceField::Description => "description",
            ResourceField::Tags => "tags",
            ResourceField::ParentType => "parentType",
            ResourceField::ParentSystemName => "parentSystemName",
        }
    }

    /// The field for an exact column name.
    pub fn from_column(name: &str) -> Option<Self> {
        ResourceField::ALL.into_iter().find(|f| f.column() == name)
    }

    /// Position in [`ResourceField::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}
