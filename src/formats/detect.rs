//! Sniffs a file's format and record kind from its content (the extension only breaks ties).
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::csv::{LineClass, PhpCsvReader, classify, header_name};
use crate::record::RecordKind;

/// The file formats kbulk knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Schedule-resource CSV (`*action,name,type,systemName,...`).
    ResourceCsv,
    /// Schedule-event CSV (`*action,eventType,title,startTime,...`).
    EventCsv,
    /// Entry CSV (V1/V2 headerless or V3 `*title,url,...`).
    EntryCsv,
    /// iCalendar (`BEGIN:VCALENDAR`), as Kaltura's iCal bulk upload and drop folders read it.
    Ical,
    /// XML bulk upload (`<mrss><channel><item>`).
    MrssXml,
    /// kbulk's normalized JSON Lines (one record per line, tagged by `kind`).
    JsonLines,
    /// Category CSV (`*action,name,relativePath,...`).
    CategoryCsv,
    /// User CSV (`*action,userId,firstName,...`).
    UserCsv,
    /// Category-user (entitlement) CSV (`*action,categoryId,userId,permissionLevel,...`).
    CategoryUserCsv,
    /// Category-entry status CSV (`*action,entryId,categoryId`).
    CategoryEntryCsv,
    /// App Registry apps as JSON Lines (one App object per line, as the service returns it).
    AppJsonl,
    /// App Registry apps as CSV (a header of App fields, nested fields as dotted names).
    AppCsv,
}

impl Format {
    /// The kebab-case name (`resource-csv`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::ResourceCsv => "resource-csv",
            Format::EventCsv => "event-csv",
            Format::EntryCsv => "entry-csv",
            Format::Ical => "ical",
            Format::MrssXml => "mrss-xml",
            Format::JsonLines => "jsonl",
            Format::CategoryCsv => "category-csv",
            Format::UserCsv => "user-csv",
            Format::CategoryUserCsv => "category-user-csv",
            Format::CategoryEntryCsv => "category-entry-csv",
            Format::AppJsonl => "app-jsonl",
            Format::AppCsv => "app-csv",
        }
    }

    /// A phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            Format::ResourceCsv => "schedule-resource CSV",
            Format::EventCsv => "schedule-event CSV",
            Format::EntryCsv => "entry CSV",
            Format::Ical => "iCal file",
            Format::MrssXml => "XML bulk upload (mrss)",
            Format::JsonLines => "JSON Lines",
            Format::CategoryCsv => "category CSV",
            Format::UserCsv => "user CSV",
            Format::CategoryUserCsv => "category-user CSV",
            Format::CategoryEntryCsv => "category-entry CSV",
            Format::AppJsonl => "App Registry JSON Lines",
            Format::AppCsv => "App Registry CSV",
        }
    }

    /// The record kind a file of this format holds (JSON Lines may hold any kind).
    pub fn kind(self) -> Option<RecordKind> {
        match self {
            Format::ResourceCsv => Some(RecordKind::ScheduleResource),
            Format::EventCsv | Format::Ical => Some(RecordKind::ScheduleEvent),
            Format::EntryCsv | Format::MrssXml => Some(RecordKind::Entry),
            Format::AppJsonl | Format::AppCsv => Some(RecordKind::App),
            Format::JsonLines => None,
            Format::CategoryCsv => Some(RecordKind::Category),
            Format::UserCsv => Some(RecordKind::User),
            Format::CategoryUserCsv => Some(RecordKind::CategoryUser),
            Format::CategoryEntryCsv => Some(RecordKind::CategoryEntry),
        }
    }

    /// The column description of the simple CSV kinds (category, user, ...), if this is one.
    pub fn table(self) -> Option<&'static crate::record::table::TableSpec> {
        match self {
            Format::CategoryCsv => Some(&crate::record::category::SPEC),
            Format::UserCsv => Some(&crate::record::user::SPEC),
            Format::CategoryUserCsv => Some(&crate::record::category_user::SPEC),
            Format::CategoryEntryCsv => Some(&crate::record::category_user::ENTRY_SPEC),
            _ => None,
        }
    }
}

/// What detection found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The format, when recognised.
    pub format: Option<Format>,
    /// Why: a short phrase shown to the user ("from its `*` header").
    pub by: String,
}

/// Columns that only the resource CSV has.
const RESOURCE_COLUMNS: &[&str] = &[
    "resourceId",
    "type",
    "systemName",
    "parentType",
    "parentSystemName",
];
/// Columns that only the schedule-event CSV has.
const EVENT_COLUMNS: &[&str] = &[
    "eventType",
    "startTime",
    "endTime",
    "duration",
    "recurrence",
    "resource",
    "resourceID",
    "categoryIds",
    "categoryPaths",
    "eventOrganizerId",
    "contentOwnerId",
    "templateEntryType",
    "coEditors",
    "coPublishers",
];
/// Columns that only the entry CSV has.
const ENTRY_COLUMNS: &[&str] = &[
    "title",
    "url",
    "contentType",
    "conversionProfileId",
    "accessControlProfileId",
    "category",
    "scheduleStartDate",
    "scheduleEndDate",
    "thumbnailUrl",
    "partnerData",
    "entryId",
    "ownerId",
    "referenceId",
    "templateEntryId",
    "entitledUsersEdit",
    "entitledUsersPublish",
    "entitledUsersView",
    "sshPrivateKey",
    "sshPublicKey",
    "sshKeyPassphrase",
];

/// Columns that only the category CSV has.
const CATEGORY_COLUMNS: &[&str] = &[
    "relativePath",
    "contributionPolicy",
    "privacy",
    "inheritanceType",
    "owner",
    "userJoinPolicy",
    "appearInList",
    "defaultPermissionLevel",
    "partnerSortValue",
    "moderation",
];
/// Columns that only the user CSV has.
const USER_COLUMNS: &[&str] = &[
    "screenName",
    "firstName",
    "lastName",
    "email",
    "gender",
    "zip",
    "country",
    "state",
    "city",
    "dateOfBirth",
    "group",
    "groupUserCreationMode",
    "userRole",
    "externalId",
    "capabilities",
];
/// Columns that only the category-user CSV has.
const CATEGORY_USER_COLUMNS: &[&str] = &[
    "categoryUserId",
    "categoryReferenceId",
    "permissionLevel",
    "updateMethod",
    "status",
];
/// Entry-CSV columns that the simple kinds share, which do not make a file an entry CSV.
const SHARED_COLUMNS: &[&str] = &["referenceId", "partnerData", "entryId"];

/// The simple kind a header names (category, user, category-user, category-entry), when it
/// names no column of the resource, event or entry CSVs.
fn simple_kind(names: &[String], others: usize) -> Option<Format> {
    let has = |n: &str| names.iter().any(|x| x == n);
    let score = |set: &[&str]| names.iter().filter(|n| set.contains(&n.as_str())).count();
    if others > 0 {
        return None;
    }
    if has("entryId")
        && has("categoryId")
        && names
            .iter()
            .all(|n| matches!(n.as_str(), "action" | "entryId" | "categoryId" | ""))
    {
        return Some(Format::CategoryEntryCsv);
    }
    let cu = score(CATEGORY_USER_COLUMNS)
        + usize::from(has("userId") && (has("categoryId") || has("categoryReferenceId")));
    let (c, u) = (
        score(CATEGORY_COLUMNS),
        score(USER_COLUMNS) + usize::from(has("userId")),
    );
    if cu > 0 && cu >= c && cu >= u {
        Some(Format::CategoryUserCsv)
    } else if c > 0 && c >= u {
        Some(Format::CategoryCsv)
    } else if u > 0 {
        Some(Format::UserCsv)
    } else {
        None
    }
}

/// Detects the format of a file from its first bytes (`head`, BOM included) and its path.
pub fn detect(head: &[u8], path: &Path) -> Detection {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let trimmed = trim_start(body);
    let found = |f: Format, by: &str| Detection {
        format: Some(f),
        by: by.to_string(),
    };
    if starts_with_ci(trimmed, b"BEGIN:VCALENDAR") {
        return found(Format::Ical, "its BEGIN:VCALENDAR line");
    }
    if trimmed.starts_with(b"<") {
        if find(trimmed, b"<mrss").is_some() {
            return found(Format::MrssXml, "its <mrss> root element");
        }
        if trimmed.starts_with(b"<?xml") {
            return found(
                Format::MrssXml,
                "its XML declaration (no <mrss> root seen yet)",
            );
        }
    }
    if trimmed.starts_with(b"{") && find(trimmed, b"\"kind\"").is_some() {
        return found(Format::JsonLines, "its JSON objects with a \"kind\" field");
    }
    if trimmed.starts_with(b"{") && find(trimmed, b"\"appCustomId\"").is_some() {
        return found(Format::AppJsonl, "its JSON objects with App fields");
    }
    if super::app::csv::sniff(body) {
        return found(Format::AppCsv, "its header of App fields (appCustomId)");
    }
    if let Some(d) = detect_csv(body) {
        return d;
    }
    match ext.as_deref() {
        Some("ics" | "ical" | "ifb") => found(Format::Ical, "its .ics extension"),
        Some("xml") => found(Format::MrssXml, "its .xml extension"),
        Some("jsonl" | "ndjson") => found(Format::JsonLines, "its .jsonl extension"),
        _ => Detection {
            format: None,
            by: unknown_reason(trimmed),
        },
    }
}

fn unknown_reason(body: &[u8]) -> String {
    if body.is_empty() {
        "the file is empty".into()
    } else if body.contains(&0) {
        "it holds binary data (NUL bytes)".into()
    } else {
        "no `*` header, iCal, XML or JSON Lines content was found".into()
    }
}

/// Looks for the first `*` header in the head of a CSV and scores its column names.
fn detect_csv(body: &[u8]) -> Option<Detection> {
    let mut reader = PhpCsvReader::new(body, 0, body.len().max(1));
    let mut rec = crate::formats::csv::CsvRecord::default();
    let mut first_data: Option<Vec<String>> = None;
    for _ in 0..200 {
        match reader.read_record(&mut rec) {
            Ok(true) => {}
            _ => break,
        }
        match classify(&rec) {
            LineClass::Header => {
                let mut names: Vec<String> = (0..rec.cells.len())
                    .map(|i| header_name(rec.value(i)))
                    .collect();
                // A `;`-separated header is one cell to Kaltura; score its parts so the file is
                // still recognised (the reader then reports the delimiter).
                if names.len() == 1 && names[0].contains(';') {
                    names = names[0]
                        .split(';')
                        .map(|n| n.trim_matches(['*', ' ']).to_string())
                        .collect();
                }
                let score =
                    |set: &[&str]| names.iter().filter(|n| set.contains(&n.as_str())).count();
                let (r, e, n) = (
                    score(RESOURCE_COLUMNS),
                    score(EVENT_COLUMNS),
                    score(ENTRY_COLUMNS),
                );
                let entry_only = names
                    .iter()
                    .filter(|n| {
                        ENTRY_COLUMNS.contains(&n.as_str()) && !SHARED_COLUMNS.contains(&n.as_str())
                    })
                    .count();
                let simple = simple_kind(&names, r + e + entry_only);
                let best = if let Some(f) = simple {
                    f
                } else if r >= e && r >= n && r > 0 {
                    Format::ResourceCsv
                } else if e >= n && e > 0 {
                    Format::EventCsv
                } else if n > 0 {
                    Format::EntryCsv
                } else if names.iter().any(|n| n == "name") {
                    Format::ResourceCsv
                } else {
                    return None;
                };
                let by = if first_data.is_some() {
                    "its `*` header (which comes after data rows)"
                } else {
                    "its `*` header"
                };
                return Some(Detection {
                    format: Some(best),
                    by: by.into(),
                });
            }
            LineClass::Data if first_data.is_none() => {
                first_data = Some(
                    (0..rec.cells.len())
                        .map(|i| String::from_utf8_lossy(rec.value(i)).trim().to_string())
                        .collect(),
                );
            }
            _ => {}
        }
    }
    let cells = first_data?;
    let is_type = |c: &String| matches!(c.as_str(), "location" | "camera" | "live_entry");
    if cells.iter().any(is_type) {
        return Some(Detection {
            format: Some(Format::ResourceCsv),
            by: "its rows' resource types (it has no `*` header)".into(),
        });
    }
    if cells.len() == 5 || cells.len() == 12 {
        return Some(Detection {
            format: Some(Format::EntryCsv),
            by: format!(
                "its headerless rows of {} values (entry CSV V{})",
                cells.len(),
                if cells.len() == 5 { 1 } else { 2 }
            ),
        });
    }
    None
}

fn trim_start(b: &[u8]) -> &[u8] {
    let i = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[i..]
}

fn starts_with_ci(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str, name: &str) -> Option<Format> {
        detect(text.as_bytes(), Path::new(name)).format
    }

    #[test]
    fn content_wins_over_extension() {
        assert_eq!(
            fmt("*action,name,type,systemName\n1,a,camera,x\n", "x.txt"),
            Some(Format::ResourceCsv)
        );
        assert_eq!(fmt("BEGIN:VCALENDAR\r\n", "x.csv"), Some(Format::Ical));
        assert_eq!(
            fmt("<?xml version=\"1.0\"?><mrss>", "x.csv"),
            Some(Format::MrssXml)
        );
        assert_eq!(
            fmt("{\"kind\":\"scheduleResource\"}\n", "x.txt"),
            Some(Format::JsonLines)
        );
        assert_eq!(
            fmt("*action,eventType,title,startTime\n", "x.csv"),
            Some(Format::EventCsv)
        );
        assert_eq!(
            fmt("*title,url,contentType\n", "x.csv"),
            Some(Format::EntryCsv)
        );
        assert_eq!(
            fmt("# c\n1,room,location,r1\n", "x.csv"),
            Some(Format::ResourceCsv)
        );
        assert_eq!(fmt("hello world\n", "x.bin"), None);
        assert_eq!(
            fmt("*action,name,relativePath,referenceId\n", "x.csv"),
            Some(Format::CategoryCsv)
        );
        assert_eq!(
            fmt("*action,userId,group,capabilities\n", "x.csv"),
            Some(Format::UserCsv)
        );
        assert_eq!(
            fmt("*action,categoryId,userId,permissionLevel\n", "x.csv"),
            Some(Format::CategoryUserCsv)
        );
        assert_eq!(
            fmt("*action,entryId,categoryId\n", "x.csv"),
            Some(Format::CategoryEntryCsv)
        );
        assert_eq!(
            fmt("*title,url,referenceId\n", "x.csv"),
            Some(Format::EntryCsv)
        );
    }

    #[test]
    fn app_files_are_recognised() {
        assert_eq!(
            fmt("{\"appCustomId\":\"a\",\"appType\":\"ep\"}\n", "x.txt"),
            Some(Format::AppJsonl)
        );
        assert_eq!(
            fmt("{\"kind\":\"app\",\"appCustomId\":\"a\"}\n", "x.txt"),
            Some(Format::JsonLines)
        );
        assert_eq!(
            fmt("appCustomId,appCustomName,appType\na,A,kms\n", "x.txt"),
            Some(Format::AppCsv)
        );
    }
}
