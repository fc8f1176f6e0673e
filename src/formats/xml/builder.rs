//! Builds one [`Entry`] from the elements of an `<item>` as the reader streams them, keeping
//! where each field was written. Schema problems are the reader's; this only maps values.
use std::sync::Arc;

use super::reader::{AttrValue, MAX_ITEM_BYTES};
use crate::diag::Diagnostic;
use crate::formats::xml::codes;
use crate::record::entry::{
    Assets, AssetsAction, Checksum, ContentAsset, CustomData, CustomDataItems, Entry, EntryAction,
    EntryField, MediaType, RemoteStorage, Resource, Stream, ThumbnailAsset,
};
use crate::record::locs::EntryLocs;
use crate::source::Place;
use crate::source::Span;

/// The entry being read, and the asset, resource or custom data currently open.
pub struct ItemBuilder {
    entry: Entry,
    locs: EntryLocs,
    row: u64,
    valid_action: bool,
    stored: usize,
    over: bool,
    content: Option<ContentAsset>,
    thumb: Option<ThumbnailAsset>,
    resource: Option<Resource>,
    remote: Option<RemoteStorage>,
    custom: Option<CustomData>,
    checksum_type: Option<String>,
    /// The `@assetId` attribute of the open `<content>` or `<thumbnail>`.
    asset_id_at: Option<Place>,
}

fn attr<'a, 'b>(attrs: &'a [AttrValue<'b>], name: &str) -> Option<&'a AttrValue<'b>> {
    attrs.iter().find(|a| a.name == name)
}

fn sval(attrs: &[AttrValue<'_>], name: &str) -> Option<String> {
    attr(attrs, name).map(|a| String::from(&*a.value))
}

fn ival(attrs: &[AttrValue<'_>], name: &str) -> Option<i64> {
    attr(attrs, name).and_then(|a| a.value.trim().parse().ok())
}

fn bval(v: &str) -> Option<bool> {
    match v.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

impl ItemBuilder {
    /// A builder for item number `row` whose start tag is at `start`.
    pub fn new(row: u64, start: Place) -> Self {
        ItemBuilder {
            entry: Entry::default(),
            locs: EntryLocs::whole(start),
            row,
            valid_action: true,
            stored: 0,
            over: false,
            content: None,
            thumb: None,
            resource: None,
            remote: None,
            custom: None,
            checksum_type: None,
            asset_id_at: None,
        }
    }

    /// The entry, its places, its row and whether its action is one the engine knows.
    pub fn into_parts(self) -> (Entry, EntryLocs, u64, bool) {
        (self.entry, self.locs, self.row, self.valid_action)
    }

    /// The item ends at file offset `end`.
    pub fn close(&mut self, end: u64) {
        self.locs.item.span = Span::new(self.locs.item.span.start, end);
    }

    /// Keeps a value unless the item already holds too much.
    fn keep(&mut self, len: usize) -> bool {
        self.stored += len;
        if self.stored > MAX_ITEM_BYTES {
            self.over = true;
        }
        !self.over
    }

    /// An element of the item opens (`parent` is its parent's name).
    pub fn start(
        &mut self,
        name: &'static str,
        parent: &str,
        attrs: &[AttrValue<'_>],
        at: Place,
        file: &Arc<str>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let len: usize = attrs.iter().map(|a| a.value.len()).sum();
        if !self.keep(len) {
            if self.stored - len <= MAX_ITEM_BYTES {
                diags.push(
                    Diagnostic::new(&codes::TOO_LARGE, file, format!("this item holds more than {} MiB of values; kbulk keeps no more of them", MAX_ITEM_BYTES >> 20))
                        .label(at.span, at.at, "from here on")
                        .row(self.row),
                );
            }
            return;
        }
        let place_of = |a: &str| attr(attrs, a).map_or(at, |v| v.place);
        match (parent, name) {
            ("item", "contentAssets") => {
                self.entry
                    .content_assets
                    .get_or_insert_with(Assets::default);
                self.locs.set(EntryField::ContentAssets, at);
            }
            ("item", "thumbnails") => {
                self.entry.thumbnails.get_or_insert_with(Assets::default);
                self.locs.set(EntryField::Thumbnails, at);
            }
            ("item", "customDataItems") => {
                self.entry
                    .custom_data_items
                    .get_or_insert_with(CustomDataItems::default);
                self.locs.set(EntryField::CustomData, at);
            }
            // `EntryField::MediaType` is the `<mediaType>` value's place (set by `text`).
            ("item", "tags") => {
                self.entry.tags.get_or_insert_with(Vec::new);
                self.locs.set(EntryField::Tags, at);
            }
            ("item", "categories") => self.locs.set(EntryField::Categories, at),
            ("item", f @ ("entitledUsersEdit" | "entitledUsersPublish" | "entitledUsersView")) => {
                let (list, field) = self.entitled(f);
                list.get_or_insert_with(Vec::new);
                self.locs.set(field, at);
            }
            ("contentAssets", "content") => {
                self.asset_id_at = attr(attrs, "assetId").map(|v| v.place);
                self.content = Some(ContentAsset {
                    flavor_params_id: ival(attrs, "flavorParamsId"),
                    flavor_params: sval(attrs, "flavorParams"),
                    asset_id: sval(attrs, "assetId"),
                    ..Default::default()
                });
            }
            ("thumbnails", "thumbnail") => {
                self.asset_id_at = attr(attrs, "assetId").map(|v| v.place);
                self.thumb = Some(ThumbnailAsset {
                    asset_id: sval(attrs, "assetId"),
                    is_default: attr(attrs, "isDefault").and_then(|a| bval(&a.value)),
                    thumb_params_id: ival(attrs, "thumbParamsId"),
                    thumb_params: sval(attrs, "thumbParams"),
                    ..Default::default()
                });
            }
            ("content" | "thumbnail", _)
            | ("remoteStorageContentResources", "remoteStorageContentResource") => {
                let s = |a: &str| sval(attrs, a).unwrap_or_default();
                let (resource, place) = match name {
                    "urlContentResource" => (Resource::Url { url: s("url") }, place_of("url")),
                    "sshUrlContentResource" => (
                        Resource::SshUrl {
                            url: s("url"),
                            key_passphrase: sval(attrs, "keyPassphrase"),
                            private_key: None,
                            public_key: None,
                        },
                        place_of("url"),
                    ),
                    "serverFileContentResource" => (
                        Resource::ServerFile {
                            file_path: s("filePath"),
                            file_size: None,
                            file_checksum: None,
                        },
                        place_of("filePath"),
                    ),
                    "dropFolderFileContentResource" => (
                        Resource::DropFolderFile {
                            file_path: s("filePath"),
                            drop_folder_file_id: sval(attrs, "dropFolderFileId"),
                            file_size: None,
                            file_checksum: None,
                        },
                        place_of("filePath"),
                    ),
                    "remoteStorageContentResource" if parent == "remoteStorageContentResources" => {
                        self.remote = Some(RemoteStorage {
                            url: s("url"),
                            storage_profile_id: None,
                            storage_profile: None,
                        });
                        return;
                    }
                    "remoteStorageContentResource" => (
                        Resource::RemoteStorage(RemoteStorage {
                            url: s("url"),
                            storage_profile_id: None,
                            storage_profile: None,
                        }),
                        place_of("url"),
                    ),
                    "remoteStorageContentResources" => (
                        Resource::RemoteStorages {
                            resources: Vec::new(),
                        },
                        at,
                    ),
                    "entryContentResource" => (
                        Resource::Entry {
                            entry_id: s("entryId"),
                            flavor_params_id: None,
                            flavor_params: None,
                        },
                        place_of("entryId"),
                    ),
                    "assetContentResource" => (
                        Resource::Asset {
                            asset_id: s("assetId"),
                        },
                        place_of("assetId"),
                    ),
                    "assetInfo" => (
                        Resource::AssetInfo {
                            language: sval(attrs, "language"),
                            label: sval(attrs, "label"),
                        },
                        at,
                    ),
                    "streams" | "tags" => return,
                    "contentResource-extension" => (Resource::Extension { xml: String::new() }, at),
                    _ => return,
                };
                if parent == "content" {
                    self.locs.content.push(place);
                    self.locs.content_ids.push(self.asset_id_at);
                } else {
                    self.locs.thumbs.push(place);
                    self.locs.thumb_ids.push(self.asset_id_at);
                }
                self.resource = Some(resource);
            }
            ("streams", "stream") => {
                if let Some(c) = &mut self.content {
                    let s = |a: &str| sval(attrs, a);
                    c.streams.get_or_insert_with(Vec::new).push(Stream {
                        stream_type: s("type").unwrap_or_default(),
                        track_index: s("trackIndex").unwrap_or_default(),
                        language: s("language"),
                        channel_index: s("channelIndex"),
                        label: s("label"),
                        channel_layout: s("channelLayout"),
                    });
                }
            }
            ("customDataItems", "customData") => {
                self.locs.custom.push(at);
                self.custom = Some(CustomData {
                    metadata_id: sval(attrs, "metadataId"),
                    metadata_profile: sval(attrs, "metadataProfile"),
                    metadata_profile_id: sval(attrs, "metadataProfileId"),
                    ..Default::default()
                });
            }
            (_, "fileChecksum") => self.checksum_type = sval(attrs, "type"),
            _ => {}
        }
    }

    fn entitled(&mut self, f: &str) -> (&mut Option<Vec<String>>, EntryField) {
        match f {
            "entitledUsersEdit" => (
                &mut self.entry.entitled_users_edit,
                EntryField::EntitledUsersEdit,
            ),
            "entitledUsersPublish" => (
                &mut self.entry.entitled_users_publish,
                EntryField::EntitledUsersPublish,
            ),
            _ => (
                &mut self.entry.entitled_users_view,
                EntryField::EntitledUsersView,
            ),
        }
    }

    /// A text-only element closes with `value` (entities resolved) at `at`; only the values
    /// the entry keeps are copied.
    pub fn text(&mut self, name: &'static str, parent: &str, value: &str, at: Place) {
        if !self.keep(value.len()) {
            return;
        }
        let int = |v: &str| v.trim().parse::<i64>().ok();
        let e = &mut self.entry;
        let field = match (parent, name) {
            ("item", "action") => {
                // The engine lower-cases the action (the schema does not: that is its own error).
                e.action = EntryAction::parse(&value.trim().to_ascii_lowercase());
                self.valid_action = e.action.is_some();
                Some(EntryField::Action)
            }
            ("item", "type") => {
                e.entry_type = Some(value.trim().to_string());
                Some(EntryField::Type)
            }
            ("item", "licenseType") => {
                e.license_type = Some(value.trim().to_string());
                Some(EntryField::LicenseType)
            }
            ("item", "entryId") => {
                e.entry_id = Some(value.to_owned());
                Some(EntryField::EntryId)
            }
            ("item", "referenceId") => {
                e.reference_id = Some(value.to_owned());
                Some(EntryField::ReferenceId)
            }
            ("item", "parentReferenceId") => {
                e.parent_reference_id = Some(value.to_owned());
                Some(EntryField::ParentReferenceId)
            }
            ("item", "userId") => {
                e.user_id = Some(value.to_owned());
                Some(EntryField::UserId)
            }
            ("item", "name") => {
                e.name = Some(value.to_owned());
                Some(EntryField::Name)
            }
            ("item", "description") => {
                e.description = Some(value.to_owned());
                Some(EntryField::Description)
            }
            ("item", "keepManualThumbnails") => {
                e.keep_manual_thumbnails = bval(value);
                Some(EntryField::KeepManualThumbnails)
            }
            ("item", "partnerData") => {
                e.partner_data = Some(value.to_owned());
                Some(EntryField::PartnerData)
            }
            ("item", "partnerSortData") => {
                e.partner_sort_data = int(value);
                Some(EntryField::PartnerSortData)
            }
            ("item", "accessControlId") => {
                e.access_control_id = int(value);
                Some(EntryField::AccessControl)
            }
            ("item", "accessControl") => {
                e.access_control = Some(value.to_owned());
                Some(EntryField::AccessControl)
            }
            ("item", "conversionProfileId") => {
                e.conversion_profile_id = int(value);
                Some(EntryField::ConversionProfile)
            }
            ("item", "conversionProfile") => {
                e.conversion_profile = Some(value.to_owned());
                Some(EntryField::ConversionProfile)
            }
            ("item", "startDate") => {
                e.start_date = Some(value.to_owned());
                Some(EntryField::StartDate)
            }
            ("item", "endDate") => {
                e.end_date = Some(value.to_owned());
                Some(EntryField::EndDate)
            }
            ("item", "templateEntryId") => {
                e.template_entry_id = Some(value.to_owned());
                Some(EntryField::TemplateEntry)
            }
            ("item", "templateEntry") => {
                e.template_entry = Some(value.to_owned());
                Some(EntryField::TemplateEntry)
            }
            ("item", "msDuration") => {
                e.ms_duration = int(value);
                Some(EntryField::MsDuration)
            }
            ("media", "mediaType") => {
                e.media_type = int(value).and_then(MediaType::from_code);
                Some(EntryField::MediaType)
            }
            (p @ ("entitledUsersEdit" | "entitledUsersPublish" | "entitledUsersView"), "user") => {
                let p = p.to_string();
                self.entitled(&p)
                    .0
                    .get_or_insert_with(Vec::new)
                    .push(value.to_owned());
                None
            }
            ("categories", "category") => {
                e.categories
                    .get_or_insert_with(Vec::new)
                    .push(value.to_owned());
                self.locs.categories.push(at);
                None
            }
            ("categories", "categoryId") => {
                if let Some(id) = int(value) {
                    e.category_ids.get_or_insert_with(Vec::new).push(id);
                }
                None
            }
            ("tags", "tag") => {
                let tags = if let Some(c) = &mut self.content {
                    &mut c.tags
                } else if let Some(t) = &mut self.thumb {
                    &mut t.tags
                } else {
                    &mut e.tags
                };
                tags.get_or_insert_with(Vec::new).push(value.to_owned());
                None
            }
            ("contentAssets", "action") => {
                e.content_assets.get_or_insert_with(Assets::default).action =
                    AssetsAction::parse(value);
                Some(EntryField::ContentAssetsAction)
            }
            ("thumbnails", "action") => {
                e.thumbnails.get_or_insert_with(Assets::default).action =
                    AssetsAction::parse(value);
                Some(EntryField::ThumbnailsAction)
            }
            ("customDataItems", "action") => {
                e.custom_data_items
                    .get_or_insert_with(Default::default)
                    .action = Some(value.to_owned());
                None
            }
            ("customData", "action") => {
                if let Some(c) = &mut self.custom {
                    c.action = Some(value.to_owned());
                }
                None
            }
            (_, "fileSize") => {
                let size = int(value);
                if let Some(
                    Resource::ServerFile { file_size, .. }
                    | Resource::DropFolderFile { file_size, .. },
                ) = &mut self.resource
                {
                    *file_size = size;
                }
                None
            }
            (_, "fileChecksum") => {
                let sum = Checksum {
                    value: value.to_owned(),
                    checksum_type: self.checksum_type.take(),
                };
                if let Some(
                    Resource::ServerFile { file_checksum, .. }
                    | Resource::DropFolderFile { file_checksum, .. },
                ) = &mut self.resource
                {
                    *file_checksum = Some(sum);
                }
                None
            }
            ("sshUrlContentResource", k @ ("privateKey" | "publicKey")) => {
                if let Some(Resource::SshUrl {
                    private_key,
                    public_key,
                    ..
                }) = &mut self.resource
                {
                    *(if k == "privateKey" {
                        private_key
                    } else {
                        public_key
                    }) = Some(value.to_owned());
                }
                None
            }
            ("remoteStorageContentResource", k @ ("storageProfileId" | "storageProfile")) => {
                let target = match (&mut self.remote, &mut self.resource) {
                    (Some(r), _) | (None, Some(Resource::RemoteStorage(r))) => Some(r),
                    _ => None,
                };
                if let Some(r) = target {
                    if k == "storageProfileId" {
                        r.storage_profile_id = int(value);
                    } else {
                        r.storage_profile = Some(value.to_owned());
                    }
                }
                None
            }
            ("entryContentResource", k @ ("flavorParamsId" | "flavorParams")) => {
                if let Some(Resource::Entry {
                    flavor_params_id,
                    flavor_params,
                    ..
                }) = &mut self.resource
                {
                    if k == "flavorParamsId" {
                        *flavor_params_id = int(value);
                    } else {
                        *flavor_params = Some(value.to_owned());
                    }
                }
                None
            }
            _ => None,
        };
        if let Some(f) = field {
            self.locs.set(f, at);
        }
    }

    /// An opaque element closed; `xml` is its raw XML (its content only for `xmlData`/`xslt`).
    pub fn captured(&mut self, name: &str, parent: &str, xml: String, at: Place) {
        if !self.keep(xml.len()) {
            return;
        }
        match (parent, name) {
            ("customData", "xmlData") => {
                if let Some(c) = &mut self.custom {
                    c.xml_data = Some(xml);
                }
            }
            ("customData", "xslt") => {
                if let Some(c) = &mut self.custom {
                    c.xslt = Some(xml);
                }
            }
            ("content" | "thumbnail", "contentResource-extension") => {
                if let Some(Resource::Extension { xml: x }) = &mut self.resource {
                    *x = xml;
                }
                self.end(name, parent);
            }
            ("item", _) => {
                self.locs.set(EntryField::CustomData, at);
                self.entry.extensions.push(xml);
            }
            _ => {}
        }
    }

    /// An element with children closed.
    pub fn end(&mut self, name: &str, parent: &str) {
        match (parent, name) {
            ("contentAssets", "content") => {
                if let Some(c) = self.content.take() {
                    self.entry
                        .content_assets
                        .get_or_insert_with(Assets::default)
                        .assets
                        .push(c);
                }
            }
            ("thumbnails", "thumbnail") => {
                if let Some(t) = self.thumb.take() {
                    self.entry
                        .thumbnails
                        .get_or_insert_with(Assets::default)
                        .assets
                        .push(t);
                }
            }
            ("customDataItems", "customData") => {
                if let Some(c) = self.custom.take() {
                    self.entry
                        .custom_data_items
                        .get_or_insert_with(Default::default)
                        .items
                        .push(c);
                }
            }
            ("remoteStorageContentResources", "remoteStorageContentResource") => {
                if let (Some(r), Some(Resource::RemoteStorages { resources })) =
                    (self.remote.take(), &mut self.resource)
                {
                    resources.push(r);
                }
            }
            ("content", _) => {
                if let (Some(r), Some(c)) = (self.resource.take(), &mut self.content) {
                    c.resource.get_or_insert(r);
                }
            }
            ("thumbnail", _) => {
                if let (Some(r), Some(t)) = (self.resource.take(), &mut self.thumb) {
                    t.resource.get_or_insert(r);
                }
            }
            _ => {}
        }
    }
}
