//! Media entries as Kaltura's XML bulk upload (`<mrss><channel><item>`) and entry CSVs describe
//! them. Field names are Kaltura's own (the XML element names, camelCase).
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

/// A file checksum (`<fileChecksum type="md5|sha1">`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Checksum {
    /// The hex digest.
    pub value: String,
    /// `md5` (the default) or `sha1`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<String>,
}

/// A `remoteStorageContentResource`: a file already on a partner storage profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RemoteStorage {
    /// Path or URL on the storage (a plain string).
    pub url: String,
    /// `storageProfileId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_profile_id: Option<i64>,
    /// `storageProfile` (system name, ≤120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_profile: Option<String>,
}

/// Where an asset's file comes from: one XML resource element, or a local file kbulk uploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "resource", rename_all = "camelCase")]
pub enum Resource {
    /// `urlContentResource@url`: the server downloads the URL.
    Url {
        /// The URL.
        url: String,
    },
    /// `sshUrlContentResource`: download over sftp/scp with a key pair.
    #[serde(rename_all = "camelCase")]
    SshUrl {
        /// The sftp:// or scp:// URL.
        url: String,
        /// `@keyPassphrase`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_passphrase: Option<String>,
        /// `<privateKey>`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private_key: Option<String>,
        /// `<publicKey>`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_key: Option<String>,
    },
    /// `serverFileContentResource`: a path on the Kaltura server (usually disabled).
    #[serde(rename_all = "camelCase")]
    ServerFile {
        /// `@filePath`.
        file_path: String,
        /// `<fileSize>` in bytes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_size: Option<i64>,
        /// `<fileChecksum>`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_checksum: Option<Checksum>,
    },
    /// `dropFolderFileContentResource`: a file in the drop folder (drop-folder XML jobs only).
    #[serde(rename_all = "camelCase")]
    DropFolderFile {
        /// `@filePath`, relative to the drop folder.
        file_path: String,
        /// `@dropFolderFileId`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        drop_folder_file_id: Option<String>,
        /// `<fileSize>`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_size: Option<i64>,
        /// `<fileChecksum>`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_checksum: Option<Checksum>,
    },
    /// `remoteStorageContentResource`.
    RemoteStorage(RemoteStorage),
    /// `remoteStorageContentResources`: one file on several storages.
    RemoteStorages {
        /// The storages.
        resources: Vec<RemoteStorage>,
    },
    /// `entryContentResource`: copy from another entry.
    #[serde(rename_all = "camelCase")]
    Entry {
        /// `@entryId` of the source entry.
        entry_id: String,
        /// `<flavorParamsId>`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flavor_params_id: Option<i64>,
        /// `<flavorParams>` (system name).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flavor_params: Option<String>,
    },
    /// `assetContentResource`: copy an existing asset.
    #[serde(rename_all = "camelCase")]
    Asset {
        /// `@assetId`.
        asset_id: String,
    },
    /// `assetInfo` (content only): sets the flavor's language and label, no file.
    AssetInfo {
        /// `@language` (ISO 639-3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        /// `@label`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A file on this machine that `kbulk submit` uploads; no Kaltura bulk file can say it.
    LocalFile {
        /// The local path.
        path: String,
    },
    /// Another `contentResource-extension` element (a plugin's), kept as raw XML.
    Extension {
        /// The element's XML.
        xml: String,
    },
}

impl Resource {
    /// The XML element name of this resource (`None` for a local file).
    pub fn element(&self) -> Option<&'static str> {
        Some(match self {
            Resource::Url { .. } => "urlContentResource",
            Resource::SshUrl { .. } => "sshUrlContentResource",
            Resource::ServerFile { .. } => "serverFileContentResource",
            Resource::DropFolderFile { .. } => "dropFolderFileContentResource",
            Resource::RemoteStorage(_) => "remoteStorageContentResource",
            Resource::RemoteStorages { .. } => "remoteStorageContentResources",
            Resource::Entry { .. } => "entryContentResource",
            Resource::Asset { .. } => "assetContentResource",
            Resource::AssetInfo { .. } => "assetInfo",
            Resource::Extension { .. } => "contentResource-extension",
            Resource::LocalFile { .. } => return None,
        })
    }
}

/// An audio/video stream of a content asset (`<streams><stream>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stream {
    /// `@type` (required).
    #[serde(rename = "type")]
    pub stream_type: String,
    /// `@trackIndex` (required).
    pub track_index: String,
    /// `@language`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `@channelIndex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_index: Option<String>,
    /// `@label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `@channelLayout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_layout: Option<String>,
}

/// One `<content>` (a flavor) of `<contentAssets>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContentAsset {
    /// `@flavorParamsId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavor_params_id: Option<i64>,
    /// `@flavorParams` (system name, ≤120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavor_params: Option<String>,
    /// `@assetId` (the flavor to update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    /// `<tags><tag>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The file (exactly one resource element).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// `<streams>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streams: Option<Vec<Stream>>,
}

/// One `<thumbnail>` of `<thumbnails>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThumbnailAsset {
    /// `@assetId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    /// `@isDefault` (adds the tag `default_thumb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// `@thumbParamsId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb_params_id: Option<i64>,
    /// `@thumbParams` (system name, ≤120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb_params: Option<String>,
    /// `<tags><tag>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The image (exactly one resource element).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
}

/// `<contentAssets>` or `<thumbnails>`: a sub-action and the assets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assets<T> {
    /// `update` or `replace` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<AssetsAction>,
    /// The assets in file order.
    #[serde(default)]
    pub assets: Vec<T>,
}

impl<T> Default for Assets<T> {
    fn default() -> Self {
        Assets {
            action: None,
            assets: Vec::new(),
        }
    }
}

/// One `<customData>` (custom metadata of one profile).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomData {
    /// `@metadataId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_id: Option<String>,
    /// `@metadataProfile` (system name, ≤120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_profile: Option<String>,
    /// `@metadataProfileId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_profile_id: Option<String>,
    /// `replace` (default) or `transformXslt`, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `<xslt>` content (raw XML or text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xslt: Option<String>,
    /// The content of `<xmlData>` (raw XML, usually `<metadata>…</metadata>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_data: Option<String>,
}

/// `<customDataItems>`: the only place the bulk engine reads custom metadata from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomDataItems {
    /// `<action>` (`update`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The `<customData>` elements.
    #[serde(default)]
    pub items: Vec<CustomData>,
}

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
