//! What an entry's files are: content and thumbnail assets, the resource each file comes from
//! (URL, drop folder, remote storage, another entry, a local file) and custom metadata.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::AssetsAction;

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
