//! The entry CSV's columns (V1/V2 positions, V3 names) and its header and comment lines as
//! `BulkUploadEntryEngineCsv` reads them: unknown, repeated and metadata columns, rows taken as a
//! header, comments shaped like data.
use std::sync::Arc;

use super::cells::CsvLocs;
use super::header_name;
use super::php::RecordRef;
use super::php_trim;
use crate::diag::Diagnostic;
use crate::formats::Findings;
use crate::record::codes::entry as codes;
use crate::record::entry::EntryField;
use crate::source::Span;

/// The entry engine's columns (`getV2Columns()` order, then the V3-only ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// `title` → name.
    Title,
    /// `description`.
    Description,
    /// `tags` (comma-separated).
    Tags,
    /// `url`: the content.
    Url,
    /// `contentType`: image, audio, else video.
    ContentType,
    /// `conversionProfileId` (V2).
    ConversionProfileId,
    /// `accessControlProfileId` (V2).
    AccessControlProfileId,
    /// `category` (V2): comma-separated full names.
    Category,
    /// `scheduleStartDate` (V2).
    ScheduleStartDate,
    /// `scheduleEndDate` (V2).
    ScheduleEndDate,
    /// `thumbnailUrl` (V2).
    ThumbnailUrl,
    /// `partnerData` (V2).
    PartnerData,
    /// `sshPrivateKey`.
    SshPrivateKey,
    /// `sshPublicKey`.
    SshPublicKey,
    /// `sshKeyPassphrase`.
    SshKeyPassphrase,
    /// `entryId` (stored as object id only).
    EntryId,
    /// `action` (only 1 is implemented).
    Action,
    /// `ownerId` → userId.
    OwnerId,
    /// `entitledUsersEdit`.
    EntitledUsersEdit,
    /// `entitledUsersPublish`.
    EntitledUsersPublish,
    /// `entitledUsersView`.
    EntitledUsersView,
    /// `referenceId`.
    ReferenceId,
    /// `templateEntryId`.
    TemplateEntryId,
}

/// Number of columns.
pub const COLUMNS: usize = 23;

impl Column {
    /// Every column, V1 first, then V2, then V3-only.
    pub const ALL: [Column; COLUMNS] = [
        Column::Title,
        Column::Description,
        Column::Tags,
        Column::Url,
        Column::ContentType,
        Column::ConversionProfileId,
        Column::AccessControlProfileId,
        Column::Category,
        Column::ScheduleStartDate,
        Column::ScheduleEndDate,
        Column::ThumbnailUrl,
        Column::PartnerData,
        Column::SshPrivateKey,
        Column::SshPublicKey,
        Column::SshKeyPassphrase,
        Column::EntryId,
        Column::Action,
        Column::OwnerId,
        Column::EntitledUsersEdit,
        Column::EntitledUsersPublish,
        Column::EntitledUsersView,
        Column::ReferenceId,
        Column::TemplateEntryId,
    ];

    /// Every column's header name, in [`Column::ALL`]'s order: a headerless row's values are
    /// the first 5 (V1) or 12 (V2).
    pub const NAMES: [&'static str; COLUMNS] = {
        let mut out = [""; COLUMNS];
        let mut i = 0;
        while i < COLUMNS {
            out[i] = Column::ALL[i].name();
            i += 1;
        }
        out
    };

    /// The header name (case-sensitive).
    pub const fn name(self) -> &'static str {
        match self {
            Column::Title => "title",
            Column::Description => "description",
            Column::Tags => "tags",
            Column::Url => "url",
            Column::ContentType => "contentType",
            Column::ConversionProfileId => "conversionProfileId",
            Column::AccessControlProfileId => "accessControlProfileId",
            Column::Category => "category",
            Column::ScheduleStartDate => "scheduleStartDate",
            Column::ScheduleEndDate => "scheduleEndDate",
            Column::ThumbnailUrl => "thumbnailUrl",
            Column::PartnerData => "partnerData",
            Column::SshPrivateKey => "sshPrivateKey",
            Column::SshPublicKey => "sshPublicKey",
            Column::SshKeyPassphrase => "sshKeyPassphrase",
            Column::EntryId => "entryId",
            Column::Action => "action",
            Column::OwnerId => "ownerId",
            Column::EntitledUsersEdit => "entitledUsersEdit",
            Column::EntitledUsersPublish => "entitledUsersPublish",
            Column::EntitledUsersView => "entitledUsersView",
            Column::ReferenceId => "referenceId",
            Column::TemplateEntryId => "templateEntryId",
        }
    }

    /// The column with this exact name.
    pub fn from_name(name: &str) -> Option<Self> {
        Column::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The entry field diagnostics about this column point at.
    pub fn field(self) -> Option<EntryField> {
        Some(match self {
            Column::Title => EntryField::Name,
            Column::Description => EntryField::Description,
            Column::Tags => EntryField::Tags,
            Column::Url
            | Column::SshPrivateKey
            | Column::SshPublicKey
            | Column::SshKeyPassphrase => EntryField::ContentAssets,
            Column::ContentType => EntryField::MediaType,
            Column::ConversionProfileId => EntryField::ConversionProfile,
            Column::AccessControlProfileId => EntryField::AccessControl,
            Column::Category => EntryField::Categories,
            Column::ScheduleStartDate => EntryField::StartDate,
            Column::ScheduleEndDate => EntryField::EndDate,
            Column::ThumbnailUrl => EntryField::Thumbnails,
            Column::PartnerData => EntryField::PartnerData,
            Column::EntryId => EntryField::EntryId,
            Column::Action => EntryField::Action,
            Column::OwnerId => EntryField::UserId,
            Column::EntitledUsersEdit => EntryField::EntitledUsersEdit,
            Column::EntitledUsersPublish => EntryField::EntitledUsersPublish,
            Column::EntitledUsersView => EntryField::EntitledUsersView,
            Column::ReferenceId => EntryField::ReferenceId,
            Column::TemplateEntryId => EntryField::TemplateEntry,
        })
    }
}

/// The column map of a `*` header (V3), or of a headerless row (V1: 5 values, V2: 12).
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// Cell index of each known column.
    pub index: [Option<usize>; COLUMNS],
    /// Unknown header names by cell index (forwarded as plugin data).
    pub plugins: Vec<(usize, String)>,
    /// Number of header cells (0 for headerless rows).
    pub width: usize,
}

impl ColumnMap {
    pub(super) fn positional(n: usize) -> Self {
        let mut index = [None; COLUMNS];
        for (i, slot) in index.iter_mut().enumerate().take(n) {
            *slot = Some(i);
        }
        ColumnMap {
            index,
            plugins: Vec::new(),
            width: 0,
        }
    }
}

/// Parses a `*` header, reporting unknown and repeated names.
pub(super) fn read_header(
    rec: RecordRef<'_>,
    file: &Arc<str>,
    saw_header: bool,
    diags: &mut Findings<'_>,
) -> ColumnMap {
    let cells = CsvLocs { rec };
    let names: Vec<String> = (0..rec.cells().len())
        .map(|i| header_name(rec.value(i)))
        .collect();
    let mut map = ColumnMap {
        index: [None; COLUMNS],
        plugins: Vec::new(),
        width: names.len(),
    };
    if saw_header
        && names
            .iter()
            .all(|n| Column::from_name(n).is_none() && !is_metadata_column(n))
    {
        let p = cells.row();
        diags.push(
            Diagnostic::new(&codes::CSV_ROW_TAKEN_AS_HEADER, file, "this row starts with `*`, so the server takes it as a new header: none of its cells is a column name and the rows after it lose their columns")
                .label(p.span, p.at, "taken as a header")
                .help("if this is data, make sure its first cell does not start with `*`"),
        );
    }
    for (i, name) in names.iter().enumerate() {
        match Column::from_name(name) {
            Some(c) => {
                if map.index[c as usize].is_some() {
                    let p = cells.cell(i);
                    diags.push(Diagnostic::new(&codes::CSV_DUPLICATE_COLUMN, file, format!("column `{name}` appears twice in the header; the later cell wins on every row")).label(p.span, p.at, "repeated column"));
                }
                map.index[c as usize] = Some(i);
            }
            None if name.is_empty() => {}
            None => {
                map.plugins.push((i, name.clone()));
                if !is_metadata_column(name) {
                    let p = cells.cell(i);
                    let clean = name.trim_matches(|c: char| c.is_whitespace());
                    let help = match Column::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(clean)) {
                        Some(c) => format!("did you mean `{}`? Column names are case-sensitive and only `*` and spaces are trimmed", c.name()),
                        None => "known columns: title, description, tags, url, contentType, conversionProfileId, accessControlProfileId, category, scheduleStartDate, scheduleEndDate, thumbnailUrl, partnerData, sshPrivateKey, sshPublicKey, sshKeyPassphrase, entryId, action, ownerId, entitledUsersEdit, entitledUsersPublish, entitledUsersView, referenceId, templateEntryId (and metadata plugin columns)".to_string(),
                    };
                    diags.push(
                        Diagnostic::new(&codes::CSV_UNKNOWN_COLUMN, file, format!("`{name}` is not an entry column: the server forwards it to plugins, and none reads it"))
                            .label(p.span, p.at, "unknown column")
                            .help(help),
                    );
                }
            }
        }
    }
    map
}

/// Plugin columns the metadata plugin reads (kaltura-formats §2.7).
fn is_metadata_column(name: &str) -> bool {
    matches!(name, "metadataProfileId" | "metadataXml" | "metadataUrl")
        || name.starts_with("metadataField_")
        || name.starts_with("metadata::")
}

pub(super) fn comment_rule(
    rec: RecordRef<'_>,
    cols: Option<&ColumnMap>,
    file: &Arc<str>,
    diags: &mut Vec<Diagnostic>,
) {
    let non_empty = (0..rec.cells().len())
        .filter(|&i| !php_trim(rec.value(i)).is_empty())
        .count();
    let looks_like_data = match cols {
        Some(c) if c.width >= 3 => rec.cells().len() == c.width && non_empty >= 2,
        _ => rec.cells().len() == 5 || rec.cells().len() == 12,
    };
    if looks_like_data {
        let p = CsvLocs { rec }.row();
        diags.push(
            Diagnostic::new(&codes::CSV_COMMENT_LOOKS_LIKE_DATA, file, "this row starts with `#`, so the server skips it as a comment, but it has the shape of a data row")
                .label(Span::new(p.span.start, p.span.start + 1), p.at, "taken as a comment")
                .help("if it is data, make sure the first cell does not start with `#` (quoting does not help)"),
        );
    }
}
