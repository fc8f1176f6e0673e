//! Media entries as Kaltura's XML bulk upload (`<mrss><channel><item>`) and entry CSVs describe
//! them. Field names are Kaltura's own (the XML element names, camelCase).
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod assets;
pub use assets::{
    Assets, Checksum, ContentAsset, CustomData, CustomDataItems, RemoteStorage, Resource, Stream,
    ThumbnailAsset,
};

/// What to do with an item (`<action>`; entry CSVs only add).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntryAction {
    /// `add`: `baseEntry.add` (needs `type`).
    Add,
    /// `update`: by `entryId` or `referenceId`.
    Update,
    /// `delete`: by `entryId` or `referenceId`.
    Delete,
}

impl EntryAction {
    /// The XML spelling (exact lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            EntryAction::Add => "add",
            EntryAction::Update => "update",
            EntryAction::Delete => "delete",
        }
    }

    /// Parses the exact XML spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "add" => Some(EntryAction::Add),
            "update" => Some(EntryAction::Update),
            "delete" => Some(EntryAction::Delete),
            _ => None,
        }
    }
}

/// The sub-action of `<contentAssets>` and `<thumbnails>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssetsAction {
    /// `update`: per-asset updates (by `assetId`).
    Update,
    /// `replace` (the default): replace the entry's content, or all of its thumbnails.
    Replace,
}

impl AssetsAction {
    /// The XML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetsAction::Update => "update",
            AssetsAction::Replace => "replace",
        }
    }

    /// Parses the exact XML spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "update" => Some(AssetsAction::Update),
            "replace" => Some(AssetsAction::Replace),
            _ => None,
        }
    }
}

/// `KalturaMediaType` (`<media><mediaType>`; the entry CSV's `contentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MediaType {
    /// 1 (CSV `video`, also any unknown contentType).
    Video,
    /// 2 (CSV `image`).
    Image,
    /// 5 (CSV `audio`).
    Audio,
    /// 201 (live; not meant for bulk XML).
    LiveStreamFlash,
    /// 202 (live).
    LiveStreamWindowsMedia,
    /// 203 (live).
    LiveStreamRealMedia,
    /// 204 (live).
    LiveStreamQuicktime,
}

impl MediaType {
    /// Every media type.
    pub const ALL: [MediaType; 7] = [
        MediaType::Video,
        MediaType::Image,
        MediaType::Audio,
        MediaType::LiveStreamFlash,
        MediaType::LiveStreamWindowsMedia,
        MediaType::LiveStreamRealMedia,
        MediaType::LiveStreamQuicktime,
    ];

    /// The API's integer value.
    pub fn code(self) -> i64 {
        match self {
            MediaType::Video => 1,
            MediaType::Image => 2,
            MediaType::Audio => 5,
            MediaType::LiveStreamFlash => 201,
            MediaType::LiveStreamWindowsMedia => 202,
            MediaType::LiveStreamRealMedia => 203,
            MediaType::LiveStreamQuicktime => 204,
        }
    }

    /// The media type with this integer value.
    pub fn from_code(code: i64) -> Option<Self> {
        MediaType::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The entry CSV `contentType` word, for the three types a CSV can say.
    pub fn csv_word(self) -> Option<&'static str> {
        match self {
            MediaType::Video => Some("video"),
            MediaType::Image => Some("image"),
            MediaType::Audio => Some("audio"),
            _ => None,
        }
    }

    /// True for the live types (201–204).
    pub fn is_live(self) -> bool {
        self.code() > 200
    }
}

/// The `KalturaEntryType` values of the core schema (plugins add `plugin.Value` strings).
pub const ENTRY_TYPES: &[&str] = &["-1", "1", "2", "5", "6", "7", "8", "10"];

/// The entry type of media clips (what entry CSVs create and what `<media>` needs).
pub const MEDIA_CLIP: &str = "1";

/// One media entry: an XML `<item>` or an entry-CSV row, normalized (CSV values trimmed as the
/// server trims them, defaults applied). Dates keep their text; the XML and CSV writers emit the
/// `YYYY-MM-DDTHH:MM:SS` (UTC) part the server reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// `<action>`; absent: update when `entryId` is given or `referenceId` matches, else add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<EntryAction>,
    /// `<entryId>` (≤20): the entry to update or delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
    /// `<type>` (`KalturaEntryType`: 1 media clip, 5 playlist, 7 live stream, ...).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub entry_type: Option<String>,
    /// `<licenseType>` (`KalturaLicenseType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_type: Option<String>,
    /// `<referenceId>` (≤2000): the partner's own id, also a lookup key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// `<parentReferenceId>` (≤100): reference id of the parent entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_reference_id: Option<String>,
    /// `<userId>` (≤100; CSV `ownerId`): the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `<entitledUsersEdit><user>` (CSV: comma-separated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitled_users_edit: Option<Vec<String>>,
    /// `<entitledUsersPublish><user>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitled_users_publish: Option<Vec<String>>,
    /// `<entitledUsersView><user>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitled_users_view: Option<Vec<String>>,
    /// `<name>` (≤256; CSV `title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `<description>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `<keepManualThumbnails>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_manual_thumbnails: Option<bool>,
    /// `<tags><tag>` (CSV: comma-separated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// `<categories><category>`: full names, `>` between levels (CSV `category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// `<categories><categoryId>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_ids: Option<Vec<i64>>,
    /// `<partnerData>` (≤4000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_data: Option<String>,
    /// `<partnerSortData>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_sort_data: Option<i64>,
    /// `<accessControlId>` (CSV `accessControlProfileId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_control_id: Option<i64>,
    /// `<accessControl>` (system name, ≤120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_control: Option<String>,
    /// `<conversionProfileId>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_profile_id: Option<i64>,
    /// `<conversionProfile>` (system name, ≤120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion_profile: Option<String>,
    /// `<startDate>` (CSV `scheduleStartDate`), `YYYY-MM-DDTHH:MM:SS` UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// `<endDate>` (CSV `scheduleEndDate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// `<templateEntryId>` (≤20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_entry_id: Option<String>,
    /// `<templateEntry>`: reference id of the template entry (≤2000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_entry: Option<String>,
    /// `<media><mediaType>` (CSV `contentType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// `<msDuration>` (milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms_duration: Option<i64>,
    /// `<contentAssets>` (CSV `url` and the `ssh*` columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_assets: Option<Assets<ContentAsset>>,
    /// `<thumbnails>` (CSV `thumbnailUrl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnails: Option<Assets<ThumbnailAsset>>,
    /// `<customDataItems>`: custom metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data_items: Option<CustomDataItems>,
    /// Other `item-extension` elements (subTitles, attachments, distributions, scenes, ...),
    /// kept as raw XML.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    /// Entry-CSV columns the engine does not know, forwarded to plugins as `pluginsData`
    /// (`metadataProfileId`, `metadataXml`, `metadataField_*`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub plugins_data: BTreeMap<String, String>,
}

impl Entry {
    /// The content resources, in order.
    pub fn content_resources(&self) -> impl Iterator<Item = &Resource> {
        self.content_assets
            .iter()
            .flat_map(|a| a.assets.iter())
            .filter_map(|a| a.resource.as_ref())
    }

    /// The thumbnail resources, in order.
    pub fn thumbnail_resources(&self) -> impl Iterator<Item = &Resource> {
        self.thumbnails
            .iter()
            .flat_map(|a| a.assets.iter())
            .filter_map(|a| a.resource.as_ref())
    }

    /// The action the engine takes when none is written: update when `entryId` is given;
    /// otherwise it depends on whether `referenceId` already exists (add when there is none).
    pub fn effective_action(&self) -> Option<EntryAction> {
        match (self.action, &self.entry_id, &self.reference_id) {
            (Some(a), _, _) => Some(a),
            (None, Some(_), _) => Some(EntryAction::Update),
            (None, None, Some(_)) => None,
            (None, None, None) => Some(EntryAction::Add),
        }
    }
}

/// The item-level fields of an entry, used to point diagnostics at the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryField {
    /// `action`
    Action,
    /// `entryId`
    EntryId,
    /// `type`
    Type,
    /// `licenseType`
    LicenseType,
    /// `referenceId`
    ReferenceId,
    /// `parentReferenceId`
    ParentReferenceId,
    /// `userId` / `ownerId`
    UserId,
    /// `entitledUsersEdit`
    EntitledUsersEdit,
    /// `entitledUsersPublish`
    EntitledUsersPublish,
    /// `entitledUsersView`
    EntitledUsersView,
    /// `name` / `title`
    Name,
    /// `description`
    Description,
    /// `keepManualThumbnails`
    KeepManualThumbnails,
    /// `tags`
    Tags,
    /// `categories` / `category`
    Categories,
    /// `partnerData`
    PartnerData,
    /// `partnerSortData`
    PartnerSortData,
    /// `accessControlId` / `accessControl` / `accessControlProfileId`
    AccessControl,
    /// `conversionProfileId` / `conversionProfile`
    ConversionProfile,
    /// `startDate` / `scheduleStartDate`
    StartDate,
    /// `endDate` / `scheduleEndDate`
    EndDate,
    /// `templateEntryId` / `templateEntry`
    TemplateEntry,
    /// `media` / `contentType`
    MediaType,
    /// `msDuration`
    MsDuration,
    /// `contentAssets` / `url`
    ContentAssets,
    /// `contentAssets/action`
    ContentAssetsAction,
    /// `thumbnails` / `thumbnailUrl`
    Thumbnails,
    /// `thumbnails/action`
    ThumbnailsAction,
    /// `customDataItems`
    CustomData,
}

impl EntryField {
    /// Number of fields.
    pub const COUNT: usize = 29;

    /// Position in a per-field array.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The XML element name.
    pub fn element(self) -> &'static str {
        match self {
            EntryField::Action => "action",
            EntryField::EntryId => "entryId",
            EntryField::Type => "type",
            EntryField::LicenseType => "licenseType",
            EntryField::ReferenceId => "referenceId",
            EntryField::ParentReferenceId => "parentReferenceId",
            EntryField::UserId => "userId",
            EntryField::EntitledUsersEdit => "entitledUsersEdit",
            EntryField::EntitledUsersPublish => "entitledUsersPublish",
            EntryField::EntitledUsersView => "entitledUsersView",
            EntryField::Name => "name",
            EntryField::Description => "description",
            EntryField::KeepManualThumbnails => "keepManualThumbnails",
            EntryField::Tags => "tags",
            EntryField::Categories => "categories",
            EntryField::PartnerData => "partnerData",
            EntryField::PartnerSortData => "partnerSortData",
            EntryField::AccessControl => "accessControlId",
            EntryField::ConversionProfile => "conversionProfileId",
            EntryField::StartDate => "startDate",
            EntryField::EndDate => "endDate",
            EntryField::TemplateEntry => "templateEntryId",
            EntryField::MediaType => "media",
            EntryField::MsDuration => "msDuration",
            EntryField::ContentAssets => "contentAssets",
            EntryField::ContentAssetsAction => "contentAssets/action",
            EntryField::Thumbnails => "thumbnails",
            EntryField::ThumbnailsAction => "thumbnails/action",
            EntryField::CustomData => "customDataItems",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_kaltura_names() {
        let e = Entry {
            action: Some(EntryAction::Add),
            entry_type: Some("1".into()),
            reference_id: Some("r1".into()),
            media_type: Some(MediaType::Video),
            content_assets: Some(Assets {
                action: None,
                assets: vec![ContentAsset {
                    resource: Some(Resource::Url {
                        url: "http://x/a.mp4".into(),
                    }),
                    ..Default::default()
                }],
            }),
            ..Default::default()
        };
        let j = serde_json::to_value(&e).unwrap();
        assert_eq!(j["type"], "1");
        assert_eq!(j["referenceId"], "r1");
        assert_eq!(j["mediaType"], "video");
        assert_eq!(
            j["contentAssets"]["assets"][0]["resource"]["resource"],
            "url"
        );
        let back: Entry = serde_json::from_value(j).unwrap();
        assert_eq!(back, e);
        assert_eq!(EntryField::CustomData.index() + 1, EntryField::COUNT);
    }
}
