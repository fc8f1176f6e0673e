//! The element tree of Kaltura's bulk-upload XSD (`ingestion.xsd` plus the plugin elements of
//! the served `bulkUploadXml.bulkUploadXML` schema), as data: for each element its children in
//! `xs:sequence` order with their cardinality, its attributes, and the type of its text.
//!
//! The reader walks these models to report every order, cardinality, attribute and value
//! problem the server's validator would fail the job on; the writer follows the same order.

/// The type of an element's text or of an attribute value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Element-only content (whitespace allowed between children).
    Elements,
    /// A string, optionally with a maximum length in characters.
    Str(Option<usize>),
    /// `xs:int`.
    Int,
    /// `xs:boolean` (`true`, `false`, `1`, `0`).
    Bool,
    /// `xs:dateTime`.
    DateTime,
    /// One of these exact strings.
    Enum(&'static [&'static str]),
    /// `KalturaEntryType`: the core values or a plugin value `plugin.Value`.
    EntryType,
    /// `KalturaLicenseType`: an integer from -1.
    LicenseType,
    /// Anything: content kept as raw XML and not validated (plugin elements, `xmlData`).
    Any,
}

/// A run of children in the sequence: which elements may stand there, and how many.
#[derive(Debug)]
pub struct Slot {
    /// The elements allowed at this point (an `xs:choice` when more than one).
    pub children: &'static [&'static Model],
    /// Minimum occurrences.
    pub min: u32,
    /// Maximum occurrences (`u32::MAX`: unbounded).
    pub max: u32,
    /// All occurrences must be the same element (`<categories>`: category or categoryId).
    pub same_name: bool,
    /// The item's `choice maxOccurs=2` of (type, licenseType?) | entryId, referenceId,
    /// parentReferenceId: counted by occurrences, not by elements.
    pub identity: bool,
}

impl Slot {
    /// True when `name` may stand in this slot.
    pub fn allows(&self, name: &str) -> bool {
        self.children.iter().any(|m| m.name == name)
    }

    /// The model of child `name`.
    pub fn child(&self, name: &str) -> Option<&'static Model> {
        self.children.iter().copied().find(|m| m.name == name)
    }

    /// The names allowed here, for messages (`a`, `a or b`).
    pub fn names(&self) -> String {
        let names: Vec<String> = self
            .children
            .iter()
            .map(|m| format!("<{}>", m.name))
            .collect();
        names.join(" or ")
    }
}

/// An attribute of an element.
#[derive(Debug)]
pub struct Attr {
    /// Name (case-sensitive).
    pub name: &'static str,
    /// `use="required"`.
    pub required: bool,
    /// Value type.
    pub text: Text,
}

/// One element: its children in order, attributes and text type.
#[derive(Debug)]
pub struct Model {
    /// Element name.
    pub name: &'static str,
    /// Children, in sequence order (empty for text-only elements).
    pub slots: &'static [Slot],
    /// Declared attributes.
    pub attrs: &'static [Attr],
    /// Text type (`Elements` when it holds children only).
    pub text: Text,
}

impl Model {
    /// The slot index and model of child `name`, searching from slot `from`.
    pub fn find(&self, name: &str, from: usize) -> Option<(usize, &'static Model)> {
        self.slots
            .iter()
            .enumerate()
            .skip(from)
            .find_map(|(i, s)| s.child(name).map(|m| (i, m)))
    }

    /// The attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&'static Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

const fn leaf(name: &'static str, text: Text) -> Model {
    Model {
        name,
        slots: &[],
        attrs: &[],
        text,
    }
}

/// An element that holds elements (`slots`) and carries `attrs`.
const fn elements(name: &'static str, slots: &'static [Slot], attrs: &'static [Attr]) -> Model {
    Model {
        name,
        slots,
        attrs,
        text: Text::Elements,
    }
}

const fn slot(children: &'static [&'static Model], min: u32, max: u32) -> Slot {
    Slot {
        children,
        min,
        max,
        same_name: false,
        identity: false,
    }
}

const fn opt(children: &'static [&'static Model]) -> Slot {
    slot(children, 0, 1)
}

const fn one(children: &'static [&'static Model]) -> Slot {
    slot(children, 1, 1)
}

const fn any(children: &'static [&'static Model]) -> Slot {
    slot(children, 0, u32::MAX)
}

const fn attr(name: &'static str, required: bool, text: Text) -> Attr {
    Attr {
        name,
        required,
        text,
    }
}

/// The content resources (T_contentResource's choice) a `<content>` or `<thumbnail>` takes
/// one of, then `extra` (`<content>` also takes `assetInfo`).
macro_rules! resources {
    ($($extra:expr),*) => {
        &[
            &SERVER_FILE,
            &URL_RESOURCE,
            &SSH_URL_RESOURCE,
            &REMOTE_STORAGE,
            &REMOTE_STORAGES,
            &ENTRY_RESOURCE,
            &ASSET_RESOURCE,
            &DROP_FOLDER_FILE,
            &CONTENT_RESOURCE_EXTENSION,
            $($extra),*
        ]
    };
}

const UNBOUNDED: u32 = u32::MAX;
const SYSTEM_NAME: Text = Text::Str(Some(120));

/// `<mrss>`, the root.
pub static MRSS: Model = elements(
    "mrss",
    &[
        opt(&[&KS]),
        slot(&[&CHANNEL], 1, UNBOUNDED),
        any(&[&MRSS_EXTENSION]),
    ],
    &[attr("version", false, Text::Str(None))],
);
static KS: Model = leaf("ks", Text::Str(None));
static MRSS_EXTENSION: Model = leaf("mrss-extension", Text::Any);

/// `<channel>`.
pub static CHANNEL: Model = elements(
    "channel",
    &[slot(&[&ITEM], 1, UNBOUNDED), any(&[&CHANNEL_EXTENSION])],
    &[],
);
static CHANNEL_EXTENSION: Model = leaf("channel-extension", Text::Any);

/// `<item>` (T_item).
pub static ITEM: Model = elements(
    "item",
    &[
        opt(&[&ITEM_ACTION]),
        Slot {
            children: &[
                &TYPE,
                &LICENSE_TYPE,
                &ENTRY_ID,
                &REFERENCE_ID,
                &PARENT_REFERENCE_ID,
            ],
            min: 0,
            max: 2,
            same_name: false,
            identity: true,
        },
        opt(&[&USER_ID]),
        opt(&[&ENTITLED_EDIT]),
        opt(&[&ENTITLED_PUBLISH]),
        opt(&[&ENTITLED_VIEW]),
        opt(&[&NAME]),
        opt(&[&DESCRIPTION]),
        opt(&[&KEEP_MANUAL_THUMBNAILS]),
        opt(&[&TAGS]),
        opt(&[&CATEGORIES]),
        opt(&[&PARTNER_DATA]),
        opt(&[&PARTNER_SORT_DATA]),
        opt(&[&ACCESS_CONTROL_ID, &ACCESS_CONTROL]),
        opt(&[&CONVERSION_PROFILE_ID, &CONVERSION_PROFILE]),
        opt(&[&START_DATE]),
        opt(&[&END_DATE]),
        opt(&[&TEMPLATE_ENTRY_ID, &TEMPLATE_ENTRY]),
        opt(&[&MEDIA]),
        opt(&[&MS_DURATION]),
        opt(&[&CONTENT_ASSETS]),
        opt(&[&THUMBNAILS]),
        any(&[
            &CUSTOM_DATA_ITEMS,
            &PLUGIN_REPLACEMENT_OPTIONS,
            &SUB_TITLES,
            &ATTACHMENTS,
            &DISTRIBUTIONS,
            &SCENES,
            &WIDEVINE_ASSETS,
            &ITEM_EXTENSION,
        ]),
    ],
    &[],
);
static ITEM_ACTION: Model = leaf("action", Text::Enum(&["add", "update", "delete"]));
static TYPE: Model = leaf("type", Text::EntryType);
static LICENSE_TYPE: Model = leaf("licenseType", Text::LicenseType);
static ENTRY_ID: Model = leaf("entryId", Text::Str(Some(20)));
static REFERENCE_ID: Model = leaf("referenceId", Text::Str(Some(2000)));
static PARENT_REFERENCE_ID: Model = leaf("parentReferenceId", Text::Str(Some(100)));
static USER_ID: Model = leaf("userId", Text::Str(Some(100)));
static USER: Model = leaf("user", Text::Str(None));
static ENTITLED_EDIT: Model = elements("entitledUsersEdit", &[any(&[&USER])], &[]);
static ENTITLED_PUBLISH: Model = elements("entitledUsersPublish", &[any(&[&USER])], &[]);
static ENTITLED_VIEW: Model = elements("entitledUsersView", &[any(&[&USER])], &[]);
static NAME: Model = leaf("name", Text::Str(Some(256)));
static DESCRIPTION: Model = leaf("description", Text::Str(None));
static KEEP_MANUAL_THUMBNAILS: Model = leaf("keepManualThumbnails", Text::Bool);
static TAG: Model = leaf("tag", Text::Str(None));
static TAGS: Model = elements("tags", &[any(&[&TAG])], &[]);
static CATEGORY: Model = leaf("category", Text::Str(None));
static CATEGORY_ID: Model = leaf("categoryId", Text::Int);
static CATEGORIES: Model = elements(
    "categories",
    &[Slot {
        children: &[&CATEGORY, &CATEGORY_ID],
        min: 0,
        max: 32,
        same_name: true,
        identity: false,
    }],
    &[],
);
static PARTNER_DATA: Model = leaf("partnerData", Text::Str(Some(4000)));
static PARTNER_SORT_DATA: Model = leaf("partnerSortData", Text::Int);
static ACCESS_CONTROL_ID: Model = leaf("accessControlId", Text::Int);
static ACCESS_CONTROL: Model = leaf("accessControl", SYSTEM_NAME);
static CONVERSION_PROFILE_ID: Model = leaf("conversionProfileId", Text::Int);
static CONVERSION_PROFILE: Model = leaf("conversionProfile", SYSTEM_NAME);
static START_DATE: Model = leaf("startDate", Text::DateTime);
static END_DATE: Model = leaf("endDate", Text::DateTime);
static TEMPLATE_ENTRY_ID: Model = leaf("templateEntryId", Text::Str(Some(20)));
static TEMPLATE_ENTRY: Model = leaf("templateEntry", Text::Str(Some(2000)));
static MEDIA_TYPE: Model = leaf(
    "mediaType",
    Text::Enum(&["1", "2", "5", "201", "202", "203", "204"]),
);
static MEDIA_EXTENSION: Model = leaf("media-extension", Text::Any);
static MEDIA: Model = elements(
    "media",
    &[one(&[&MEDIA_TYPE]), any(&[&MEDIA_EXTENSION])],
    &[],
);
static MS_DURATION: Model = leaf("msDuration", Text::Int);
static ASSETS_ACTION: Model = leaf("action", Text::Enum(&["update", "replace"]));

static CONTENT_ASSETS: Model = elements(
    "contentAssets",
    &[opt(&[&ASSETS_ACTION]), any(&[&CONTENT])],
    &[],
);
static CONTENT: Model = elements(
    "content",
    &[
        opt(&[&TAGS]),
        one(resources!(&ASSET_INFO)),
        any(&[&CONTENT_EXTENSION]),
        opt(&[&STREAMS]),
    ],
    &[
        attr("flavorParamsId", false, Text::Int),
        attr("flavorParams", false, SYSTEM_NAME),
        attr("assetId", false, Text::Str(None)),
    ],
);
static CONTENT_EXTENSION: Model = leaf("content-extension", Text::Any);
static THUMBNAILS: Model = elements(
    "thumbnails",
    &[opt(&[&ASSETS_ACTION]), any(&[&THUMBNAIL])],
    &[],
);
static THUMBNAIL: Model = elements(
    "thumbnail",
    &[
        opt(&[&TAGS]),
        one(resources!()),
        any(&[&THUMBNAIL_EXTENSION]),
    ],
    &[
        attr("assetId", false, Text::Str(None)),
        attr("isDefault", false, Text::Bool),
        attr("thumbParamsId", false, Text::Int),
        attr("thumbParams", false, SYSTEM_NAME),
    ],
);
static THUMBNAIL_EXTENSION: Model = leaf("thumbnail-extension", Text::Any);

static FILE_SIZE: Model = leaf("fileSize", Text::Int);
static FILE_CHECKSUM: Model = Model {
    name: "fileChecksum",
    slots: &[],
    attrs: &[attr("type", false, Text::Enum(&["md5", "sha1"]))],
    text: Text::Str(None),
};
static SERVER_FILE: Model = elements(
    "serverFileContentResource",
    &[opt(&[&FILE_SIZE, &FILE_CHECKSUM])],
    &[attr("filePath", true, Text::Str(None))],
);
/// `dropFolderFileContentResource` (drop-folder schema only; `fileSize` is xs:long there).
static DROP_FOLDER_FILE: Model = elements(
    "dropFolderFileContentResource",
    &[opt(&[&FILE_SIZE_LONG, &FILE_CHECKSUM])],
    &[
        attr("filePath", true, Text::Str(Some(500))),
        attr("dropFolderFileId", false, Text::Str(None)),
    ],
);
static FILE_SIZE_LONG: Model = leaf("fileSize", Text::Str(None));
static URL_RESOURCE: Model = elements(
    "urlContentResource",
    &[],
    &[attr("url", true, Text::Str(None))],
);
static PRIVATE_KEY: Model = leaf("privateKey", Text::Str(None));
static PUBLIC_KEY: Model = leaf("publicKey", Text::Str(None));
static SSH_URL_RESOURCE: Model = elements(
    "sshUrlContentResource",
    &[one(&[&PRIVATE_KEY]), one(&[&PUBLIC_KEY])],
    &[
        attr("url", true, Text::Str(None)),
        attr("keyPassphrase", false, Text::Str(None)),
    ],
);
static STORAGE_PROFILE_ID: Model = leaf("storageProfileId", Text::Int);
static STORAGE_PROFILE: Model = leaf("storageProfile", SYSTEM_NAME);
static REMOTE_STORAGE: Model = elements(
    "remoteStorageContentResource",
    &[one(&[&STORAGE_PROFILE_ID, &STORAGE_PROFILE])],
    &[attr("url", true, Text::Str(None))],
);
static REMOTE_STORAGES: Model = elements(
    "remoteStorageContentResources",
    &[slot(&[&REMOTE_STORAGE], 1, UNBOUNDED)],
    &[],
);
static FLAVOR_PARAMS_ID: Model = leaf("flavorParamsId", Text::Int);
static FLAVOR_PARAMS: Model = leaf("flavorParams", SYSTEM_NAME);
static ENTRY_RESOURCE: Model = elements(
    "entryContentResource",
    &[opt(&[&FLAVOR_PARAMS_ID, &FLAVOR_PARAMS])],
    &[attr("entryId", true, Text::Str(None))],
);
static ASSET_RESOURCE: Model = elements(
    "assetContentResource",
    &[],
    &[attr("assetId", true, Text::Str(None))],
);
static ASSET_INFO: Model = elements(
    "assetInfo",
    &[],
    &[
        attr("language", false, Text::Str(None)),
        attr("label", false, Text::Str(None)),
    ],
);
static CONTENT_RESOURCE_EXTENSION: Model = leaf("contentResource-extension", Text::Any);
static STREAM: Model = elements(
    "stream",
    &[],
    &[
        attr("type", true, Text::Str(None)),
        attr("trackIndex", true, Text::Str(None)),
        attr("language", false, Text::Str(None)),
        attr("channelIndex", false, Text::Str(None)),
        attr("label", false, Text::Str(None)),
        attr("channelLayout", false, Text::Str(None)),
    ],
);
static STREAMS: Model = elements("streams", &[slot(&[&STREAM], 1, UNBOUNDED)], &[]);

/// `<customDataItems>` (metadata plugin).
pub static CUSTOM_DATA_ITEMS: Model = elements(
    "customDataItems",
    &[opt(&[&CUSTOM_DATA_ITEMS_ACTION]), any(&[&CUSTOM_DATA])],
    &[],
);
static CUSTOM_DATA_ITEMS_ACTION: Model = leaf("action", Text::Enum(&["update"]));
/// `<customData>` (inside `<customDataItems>` only).
pub static CUSTOM_DATA: Model = elements(
    "customData",
    &[
        opt(&[&CUSTOM_DATA_ACTION]),
        opt(&[&XSLT]),
        opt(&[&XML_DATA]),
    ],
    &[
        attr("metadataId", false, Text::Str(None)),
        attr("metadataProfile", false, SYSTEM_NAME),
        attr("metadataProfileId", false, Text::Str(None)),
    ],
);
static CUSTOM_DATA_ACTION: Model = leaf("action", Text::Enum(&["transformXslt", "replace"]));
static XSLT: Model = leaf("xslt", Text::Any);
static XML_DATA: Model = leaf("xmlData", Text::Any);
static PLUGIN_REPLACEMENT_OPTIONS: Model = leaf("pluginReplacementOptions", Text::Any);
static SUB_TITLES: Model = leaf("subTitles", Text::Any);
static ATTACHMENTS: Model = leaf("attachments", Text::Any);
static DISTRIBUTIONS: Model = leaf("distributions", Text::Any);
static SCENES: Model = leaf("scenes", Text::Any);
static WIDEVINE_ASSETS: Model = leaf("widevineAssets", Text::Any);
static ITEM_EXTENSION: Model = leaf("item-extension", Text::Any);

/// True for attributes every element may carry (namespaces, `xsi:`, `xml:`).
pub fn is_global_attr(name: &str) -> bool {
    name == "xmlns"
        || name.starts_with("xmlns:")
        || name.starts_with("xsi:")
        || name.starts_with("xml:")
}

/// Checks a value against a simple type; `Err` says why not (`Ok` for types not checked here).
pub fn check_text(text: Text, v: &str) -> Result<(), TextError> {
    match text {
        Text::Elements | Text::Any => Ok(()),
        Text::Str(Some(max)) => {
            let n = v.chars().count();
            if n > max {
                Err(TextError::TooLong { len: n, max })
            } else {
                Ok(())
            }
        }
        Text::Str(None) => Ok(()),
        Text::Int => {
            let t = v.trim();
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            let ok = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && t.parse::<i64>().is_ok_and(|n| i32::try_from(n).is_ok());
            if ok {
                Ok(())
            } else {
                Err(TextError::Invalid(
                    "an xs:int (a whole number from -2147483648 to 2147483647)",
                ))
            }
        }
        Text::Bool => match v.trim() {
            "true" | "false" | "1" | "0" => Ok(()),
            _ => Err(TextError::Invalid("an xs:boolean (true, false, 1 or 0)")),
        },
        Text::DateTime => {
            if crate::record::values::xsd_datetime(v.trim()) {
                Ok(())
            } else {
                Err(TextError::Invalid(
                    "an xs:dateTime such as 2026-05-01T09:00:00",
                ))
            }
        }
        Text::Enum(values) => {
            if values.contains(&v) {
                Ok(())
            } else {
                Err(TextError::NotIn(values))
            }
        }
        Text::EntryType => {
            let t = v.trim();
            if crate::record::entry::ENTRY_TYPES.contains(&t)
                || (t.contains('.') && !t.starts_with('.') && !t.ends_with('.'))
            {
                Ok(())
            } else {
                Err(TextError::NotIn(crate::record::entry::ENTRY_TYPES))
            }
        }
        Text::LicenseType => match v.trim().parse::<i64>() {
            Ok(n) if n >= -1 => Ok(()),
            _ => Err(TextError::Invalid(
                "a KalturaLicenseType (an integer from -1)",
            )),
        },
    }
}

/// Why a value does not match its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// Longer than `maxLength`.
    TooLong {
        /// Characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not a value of the type (the phrase says what is expected).
    Invalid(&'static str),
    /// Not one of the enumeration's values.
    NotIn(&'static [&'static str]),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_order_follows_the_xsd() {
        assert_eq!(ITEM.find("name", 0).map(|f| f.0), Some(6));
        assert!(ITEM.find("action", 1).is_none());
        assert_eq!(ITEM.find("referenceId", 0).map(|f| f.0), Some(1));
        assert!(ITEM.find("customData", 0).is_none());
        assert!(CATEGORIES.slots[0].same_name);
    }

    #[test]
    fn simple_types() {
        assert!(check_text(Text::Int, "2147483647").is_ok());
        assert!(check_text(Text::Int, "2147483648").is_err());
        assert!(check_text(Text::Bool, "yes").is_err());
        assert!(check_text(Text::EntryType, "document.Document").is_ok());
        assert!(check_text(Text::EntryType, "3").is_err());
        assert!(matches!(
            check_text(Text::Str(Some(3)), "abcd"),
            Err(TextError::TooLong { len: 4, max: 3 })
        ));
    }
}
