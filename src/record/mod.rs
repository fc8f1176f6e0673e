//! The normalized record model: one typed record per row, event or item, whatever the format.
//!
//! Every format reader maps into [`Record`]; every writer maps out of it. Nothing converts one
//! format into another directly. Equality of records ignores where they came from.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::source::Origin;

pub mod app;
pub mod category;
pub mod category_user;
pub mod codes;
pub mod entry;
pub mod event;
pub mod locs;
pub mod resource;
pub mod table;
pub mod user;
pub mod values;

pub use app::App;
pub use category::Category;
pub use category_user::{CategoryEntry, CategoryUser};
pub use entry::Entry;
pub use event::{EventTime, EventType, Recurrence, ScheduleEvent};
pub use resource::{ResourceAction, ResourceType, ResourceView, ScheduleResource};
pub use user::User;

/// The kinds of record Kaltura takes in bulk. Each has a typed struct in this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    /// A schedule resource (location, camera, live entry): resource CSVs.
    ScheduleResource,
    /// A schedule event (recording, live stream, blackout): iCal files, schedule-event CSVs.
    ScheduleEvent,
    /// A media entry: XML bulk uploads (mrss), entry CSVs.
    Entry,
    /// An App Registry application record.
    App,
    /// A category: category CSVs.
    Category,
    /// A user: user CSVs.
    User,
    /// A user's membership of a category: category-user CSVs.
    CategoryUser,
    /// An entry's assignment to a category: category-entry CSVs.
    CategoryEntry,
}

impl RecordKind {
    /// The camelCase name used in JSON (`scheduleResource`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::ScheduleResource => "scheduleResource",
            RecordKind::ScheduleEvent => "scheduleEvent",
            RecordKind::Entry => "entry",
            RecordKind::App => "app",
            RecordKind::Category => "category",
            RecordKind::User => "user",
            RecordKind::CategoryUser => "categoryUser",
            RecordKind::CategoryEntry => "categoryEntry",
        }
    }

    /// A phrase for people ("schedule resources").
    pub fn describe(self) -> &'static str {
        match self {
            RecordKind::ScheduleResource => "schedule resources",
            RecordKind::ScheduleEvent => "schedule events",
            RecordKind::Entry => "media entries",
            RecordKind::App => "App Registry applications",
            RecordKind::Category => "categories",
            RecordKind::User => "users",
            RecordKind::CategoryUser => "category members",
            RecordKind::CategoryEntry => "category entries",
        }
    }
}

/// The typed content of a record, tagged by `kind` in JSON.
///
/// Kinds whose readers exist have a variant here; the enum is non-exhaustive so that new kinds
/// (see [`RecordKind`]) are added without breaking matches outside the crate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
// Records move by value through sinks one at a time; a box per event would cost more than the
// size difference.
#[allow(clippy::large_enum_variant)]
pub enum RecordData {
    /// A schedule resource.
    ScheduleResource(ScheduleResource),
    /// A schedule event.
    ScheduleEvent(ScheduleEvent),
    /// A media entry (boxed: it is several times larger than the other kinds).
    Entry(Box<Entry>),
    /// A category.
    Category(Category),
    /// A user.
    User(User),
    /// A user's membership of a category.
    CategoryUser(CategoryUser),
    /// An entry's assignment to a category.
    CategoryEntry(CategoryEntry),
    /// An App Registry application.
    App(App),
}

impl RecordData {
    /// The kind of this record.
    pub fn kind(&self) -> RecordKind {
        match self {
            RecordData::ScheduleResource(_) => RecordKind::ScheduleResource,
            RecordData::ScheduleEvent(_) => RecordKind::ScheduleEvent,
            RecordData::Entry(_) => RecordKind::Entry,
            RecordData::Category(_) => RecordKind::Category,
            RecordData::User(_) => RecordKind::User,
            RecordData::CategoryUser(_) => RecordKind::CategoryUser,
            RecordData::CategoryEntry(_) => RecordKind::CategoryEntry,
            RecordData::App(_) => RecordKind::App,
        }
    }
}

/// A normalized record and where it came from. Equality compares the data only.
#[derive(Debug, Clone)]
pub struct Record {
    /// Where the record came from.
    pub origin: Origin,
    /// The typed content.
    pub data: RecordData,
}

impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
    }
}

/// One line of normalized JSON Lines: the record's fields, its `kind`, and optionally its origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonRecord {
    /// The record, tagged by `kind`.
    #[serde(flatten)]
    pub data: RecordData,
    /// Where it was read from (informational; ignored when the line is read back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<JsonOrigin>,
}

/// The origin of a record as written into JSON Lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JsonOrigin {
    /// Source file.
    pub file: String,
    /// 1-based physical line where the record starts.
    pub line: u64,
    /// The server's ordinal (`lineIndex`).
    pub row: u64,
}

impl From<&Record> for JsonRecord {
    fn from(r: &Record) -> Self {
        JsonRecord {
            data: r.data.clone(),
            origin: Some(JsonOrigin {
                file: r.origin.file.to_string(),
                line: r.origin.line,
                row: r.origin.row,
            }),
        }
    }
}
