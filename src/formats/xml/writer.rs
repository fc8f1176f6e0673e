//! Writes entries as an XML bulk upload whose elements follow the order and cardinality of
//! Kaltura's XSD ([`super::schema`]), reporting what the schema has no place for.
use std::fmt::Write as _;
use std::io::{self, Write};

use quick_xml::escape::escape;

use crate::diag::Diagnostic;
use crate::record::codes::entry as codes;
use crate::record::entry::{
    Checksum, ContentAsset, Entry, EntryAction, RemoteStorage, Resource, ThumbnailAsset,
};
use crate::record::values::normalize_date;
use crate::source::{LineCol, Origin};

/// Writes `<mrss><channel>` before the first item and closes them in [`XmlWriter::finish`].
pub struct XmlWriter<W: Write> {
    out: W,
    started: bool,
    buf: String,
}

/// Reports a field the target format cannot hold.
pub fn dropped(origin: &Origin, format: &str, what: &str) -> Diagnostic {
    Diagnostic::new(
        &codes::NOT_IN_FORMAT,
        &origin.file,
        format!("{format} cannot hold {what}; it is left out"),
    )
    .label(
        crate::source::Span::new(origin.span.start, origin.span.start + 1),
        LineCol {
            line: origin.line,
            column: 1,
        },
        "this record",
    )
    .row(origin.row)
}

struct Out<'a> {
    buf: &'a mut String,
    diags: &'a mut Vec<Diagnostic>,
    origin: &'a Origin,
}

impl Out<'_> {
    fn leaf(&mut self, indent: usize, name: &str, v: Option<&str>) {
        if let Some(v) = v {
            let _ = writeln!(self.buf, "{:indent$}<{name}>{}</{name}>", "", escape(v));
        }
    }

    fn list(&mut self, indent: usize, name: &str, child: &str, v: Option<&Vec<String>>) {
        let Some(v) = v else { return };
        if v.is_empty() {
            let _ = writeln!(self.buf, "{:indent$}<{name}/>", "");
            return;
        }
        let _ = writeln!(self.buf, "{:indent$}<{name}>", "");
        for x in v {
            self.leaf(indent + 2, child, Some(x));
        }
        let _ = writeln!(self.buf, "{:indent$}</{name}>", "");
    }

    fn drop(&mut self, what: &str) {
        self.diags.push(dropped(self.origin, "XML", what));
    }
}

fn attrs(pairs: &[(&str, Option<String>)]) -> String {
    let mut s = String::new();
    for (k, v) in pairs {
        if let Some(v) = v {
            let _ = write!(s, " {k}=\"{}\"", escape(v.as_str()));
        }
    }
    s
}

impl<W: Write> XmlWriter<W> {
    /// A writer on `out`.
    pub fn new(out: W) -> Self {
        XmlWriter {
            out,
            started: false,
            buf: String::with_capacity(2048),
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mrss xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version=\"1.0\">\n  <channel>\n")?;
        }
        Ok(())
    }

    /// Writes one entry as an `<item>`. Fields the schema cannot hold are reported in `diags`.
    /// Returns whether the entry was written.
    pub fn write(
        &mut self,
        e: &Entry,
        origin: &Origin,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<bool> {
        self.start()?;
        self.buf.clear();
        let mut o = Out {
            buf: &mut self.buf,
            diags,
            origin,
        };
        item(e, &mut o);
        self.out.write_all(self.buf.as_bytes())?;
        Ok(true)
    }

    /// Closes the document and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.start()?;
        self.out.write_all(b"  </channel>\n</mrss>\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn item(e: &Entry, o: &mut Out) {
    let i = 6;
    let _ = writeln!(o.buf, "    <item>");
    o.leaf(i, "action", e.action.map(EntryAction::as_str));
    // The XSD allows at most two of: (type, licenseType?), entryId, referenceId, parentReferenceId.
    let by_id =
        e.entry_id.is_some() || matches!(e.action, Some(EntryAction::Update | EntryAction::Delete));
    let mut group: Vec<(&str, &String)> = Vec::new();
    let candidates: [(&str, Option<&String>); 4] = if by_id {
        [
            ("entryId", e.entry_id.as_ref()),
            ("referenceId", e.reference_id.as_ref()),
            ("type", e.entry_type.as_ref()),
            ("parentReferenceId", e.parent_reference_id.as_ref()),
        ]
    } else {
        [
            ("type", e.entry_type.as_ref()),
            ("referenceId", e.reference_id.as_ref()),
            ("entryId", e.entry_id.as_ref()),
            ("parentReferenceId", e.parent_reference_id.as_ref()),
        ]
    };
    for (name, v) in candidates {
        if let Some(v) = v {
            if group.len() < 2 {
                group.push((name, v));
            } else {
                o.drop(&format!("{name} `{v}` (an item holds at most two of type, entryId, referenceId and parentReferenceId)"));
            }
        }
    }
    for (name, v) in group {
        o.leaf(i, name, Some(v));
        if name == "type" {
            o.leaf(i, "licenseType", e.license_type.as_deref());
        }
    }
    if e.license_type.is_some() && e.entry_type.is_none() {
        o.drop("licenseType without type");
    }
    o.leaf(i, "userId", e.user_id.as_deref());
    o.list(
        i,
        "entitledUsersEdit",
        "user",
        e.entitled_users_edit.as_ref(),
    );
    o.list(
        i,
        "entitledUsersPublish",
        "user",
        e.entitled_users_publish.as_ref(),
    );
    o.list(
        i,
        "entitledUsersView",
        "user",
        e.entitled_users_view.as_ref(),
    );
    o.leaf(i, "name", e.name.as_deref());
    o.leaf(i, "description", e.description.as_deref());
    o.leaf(
        i,
        "keepManualThumbnails",
        e.keep_manual_thumbnails
            .map(|b| if b { "true" } else { "false" }),
    );
    o.list(i, "tags", "tag", e.tags.as_ref());
    match (&e.categories, &e.category_ids) {
        (Some(names), ids) => {
            if ids.is_some() {
                o.drop("categoryIds (an item lists categories by name or by id, not both)");
            }
            if names.len() > 32 {
                o.drop(&format!(
                    "{} categories beyond the schema's 32",
                    names.len() - 32
                ));
            }
            let names: Vec<String> = names.iter().take(32).cloned().collect();
            o.list(i, "categories", "category", Some(&names));
        }
        (None, Some(ids)) => {
            let ids: Vec<String> = ids.iter().take(32).map(i64::to_string).collect();
            o.list(i, "categories", "categoryId", Some(&ids));
        }
        (None, None) => {}
    }
    o.leaf(i, "partnerData", e.partner_data.as_deref());
    o.leaf(
        i,
        "partnerSortData",
        e.partner_sort_data.map(|n| n.to_string()).as_deref(),
    );
    for (id_name, id, name_name, name) in [
        (
            "accessControlId",
            e.access_control_id,
            "accessControl",
            &e.access_control,
        ),
        (
            "conversionProfileId",
            e.conversion_profile_id,
            "conversionProfile",
            &e.conversion_profile,
        ),
    ] {
        match (id, name) {
            (Some(id), n) => {
                o.leaf(i, id_name, Some(&id.to_string()));
                if let Some(n) = n {
                    o.drop(&format!(
                        "{name_name} `{n}` (the item already gives {id_name})"
                    ));
                }
            }
            (None, Some(n)) => o.leaf(i, name_name, Some(n)),
            (None, None) => {}
        }
    }
    o.leaf(i, "startDate", e.start_date.as_deref().map(normalize_date));
    o.leaf(i, "endDate", e.end_date.as_deref().map(normalize_date));
    match (&e.template_entry_id, &e.template_entry) {
        (Some(id), t) => {
            o.leaf(i, "templateEntryId", Some(id));
            if let Some(t) = t {
                o.drop(&format!(
                    "templateEntry `{t}` (the item already gives templateEntryId)"
                ));
            }
        }
        (None, Some(t)) => o.leaf(i, "templateEntry", Some(t)),
        (None, None) => {}
    }
    if let Some(m) = e.media_type {
        let _ = writeln!(
            o.buf,
            "{:i$}<media>\n{:j$}<mediaType>{}</mediaType>\n{:i$}</media>",
            "",
            "",
            m.code(),
            "",
            j = i + 2
        );
    }
    o.leaf(
        i,
        "msDuration",
        e.ms_duration.map(|n| n.to_string()).as_deref(),
    );
    if let Some(a) = &e.content_assets {
        let _ = writeln!(o.buf, "{:i$}<contentAssets>", "");
        o.leaf(i + 2, "action", a.action.map(|a| a.as_str()));
        for c in &a.assets {
            content(c, i + 2, o);
        }
        let _ = writeln!(o.buf, "{:i$}</contentAssets>", "");
    }
    if let Some(a) = &e.thumbnails {
        let _ = writeln!(o.buf, "{:i$}<thumbnails>", "");
        o.leaf(i + 2, "action", a.action.map(|a| a.as_str()));
        for t in &a.assets {
            thumbnail(t, i + 2, o);
        }
        let _ = writeln!(o.buf, "{:i$}</thumbnails>", "");
    }
    if let Some(c) = &e.custom_data_items {
        let _ = writeln!(o.buf, "{:i$}<customDataItems>", "");
        o.leaf(i + 2, "action", c.action.as_deref());
        for d in &c.items {
            let a = attrs(&[
                ("metadataId", d.metadata_id.clone()),
                ("metadataProfile", d.metadata_profile.clone()),
                ("metadataProfileId", d.metadata_profile_id.clone()),
            ]);
            let _ = writeln!(o.buf, "{:j$}<customData{a}>", "", j = i + 2);
            o.leaf(i + 4, "action", d.action.as_deref());
            if let Some(x) = &d.xslt {
                let _ = writeln!(o.buf, "{:j$}<xslt>{x}</xslt>", "", j = i + 4);
            }
            if let Some(x) = &d.xml_data {
                let _ = writeln!(o.buf, "{:j$}<xmlData>{x}</xmlData>", "", j = i + 4);
            }
            let _ = writeln!(o.buf, "{:j$}</customData>", "", j = i + 2);
        }
        let _ = writeln!(o.buf, "{:i$}</customDataItems>", "");
    }
    for x in &e.extensions {
        let _ = writeln!(o.buf, "{:i$}{x}", "");
    }
    for k in e.plugins_data.keys() {
        o.drop(&format!("CSV plugin column `{k}`"));
    }
    let _ = writeln!(o.buf, "    </item>");
}

fn content(c: &ContentAsset, i: usize, o: &mut Out) {
    let Some(r) = c
        .resource
        .as_ref()
        .filter(|r| !matches!(r, Resource::LocalFile { .. }))
    else {
        o.drop("a content asset without a resource kbulk can write (a local file, or none)");
        return;
    };
    let a = attrs(&[
        ("flavorParamsId", c.flavor_params_id.map(|n| n.to_string())),
        ("flavorParams", c.flavor_params.clone()),
        ("assetId", c.asset_id.clone()),
    ]);
    let _ = writeln!(o.buf, "{:i$}<content{a}>", "");
    o.list(i + 2, "tags", "tag", c.tags.as_ref());
    resource(r, i + 2, o);
    if let Some(streams) = &c.streams {
        let _ = writeln!(o.buf, "{:j$}<streams>", "", j = i + 2);
        for s in streams {
            let a = attrs(&[
                ("type", Some(s.stream_type.clone())),
                ("trackIndex", Some(s.track_index.clone())),
                ("language", s.language.clone()),
                ("channelIndex", s.channel_index.clone()),
                ("label", s.label.clone()),
                ("channelLayout", s.channel_layout.clone()),
            ]);
            let _ = writeln!(o.buf, "{:j$}<stream{a}/>", "", j = i + 4);
        }
        let _ = writeln!(o.buf, "{:j$}</streams>", "", j = i + 2);
    }
    let _ = writeln!(o.buf, "{:i$}</content>", "");
}

fn thumbnail(t: &ThumbnailAsset, i: usize, o: &mut Out) {
    let Some(r) = t
        .resource
        .as_ref()
        .filter(|r| !matches!(r, Resource::LocalFile { .. } | Resource::AssetInfo { .. }))
    else {
        o.drop("a thumbnail without a resource kbulk can write");
        return;
    };
    let a = attrs(&[
        ("assetId", t.asset_id.clone()),
        ("isDefault", t.is_default.map(|b| b.to_string())),
        ("thumbParamsId", t.thumb_params_id.map(|n| n.to_string())),
        ("thumbParams", t.thumb_params.clone()),
    ]);
    let _ = writeln!(o.buf, "{:i$}<thumbnail{a}>", "");
    o.list(i + 2, "tags", "tag", t.tags.as_ref());
    resource(r, i + 2, o);
    let _ = writeln!(o.buf, "{:i$}</thumbnail>", "");
}

fn file_details(size: Option<i64>, sum: &Option<Checksum>, i: usize, o: &mut Out) {
    if let Some(n) = size {
        o.leaf(i, "fileSize", Some(&n.to_string()));
        if sum.is_some() {
            o.drop("fileChecksum (the schema takes fileSize or fileChecksum)");
        }
    } else if let Some(c) = sum {
        let a = attrs(&[("type", c.checksum_type.clone())]);
        let _ = writeln!(
            o.buf,
            "{:i$}<fileChecksum{a}>{}</fileChecksum>",
            "",
            escape(c.value.as_str())
        );
    }
}

fn remote(r: &RemoteStorage, i: usize, o: &mut Out) {
    let _ = writeln!(
        o.buf,
        "{:i$}<remoteStorageContentResource url=\"{}\">",
        "",
        escape(r.url.as_str())
    );
    match (r.storage_profile_id, &r.storage_profile) {
        (Some(id), _) => o.leaf(i + 2, "storageProfileId", Some(&id.to_string())),
        (None, Some(n)) => o.leaf(i + 2, "storageProfile", Some(n)),
        (None, None) => {}
    }
    let _ = writeln!(o.buf, "{:i$}</remoteStorageContentResource>", "");
}

fn resource(r: &Resource, i: usize, o: &mut Out) {
    match r {
        Resource::Url { url } => {
            let _ = writeln!(
                o.buf,
                "{:i$}<urlContentResource url=\"{}\"/>",
                "",
                escape(url.as_str())
            );
        }
        Resource::SshUrl {
            url,
            key_passphrase,
            private_key,
            public_key,
        } => {
            let a = attrs(&[
                ("url", Some(url.clone())),
                ("keyPassphrase", key_passphrase.clone()),
            ]);
            let _ = writeln!(o.buf, "{:i$}<sshUrlContentResource{a}>", "");
            o.leaf(
                i + 2,
                "privateKey",
                Some(private_key.as_deref().unwrap_or("")),
            );
            o.leaf(
                i + 2,
                "publicKey",
                Some(public_key.as_deref().unwrap_or("")),
            );
            let _ = writeln!(o.buf, "{:i$}</sshUrlContentResource>", "");
        }
        Resource::ServerFile {
            file_path,
            file_size,
            file_checksum,
        } => {
            let _ = writeln!(
                o.buf,
                "{:i$}<serverFileContentResource filePath=\"{}\">",
                "",
                escape(file_path.as_str())
            );
            file_details(*file_size, file_checksum, i + 2, o);
            let _ = writeln!(o.buf, "{:i$}</serverFileContentResource>", "");
        }
        Resource::DropFolderFile {
            file_path,
            drop_folder_file_id,
            file_size,
            file_checksum,
        } => {
            let a = attrs(&[
                ("filePath", Some(file_path.clone())),
                ("dropFolderFileId", drop_folder_file_id.clone()),
            ]);
            let _ = writeln!(o.buf, "{:i$}<dropFolderFileContentResource{a}>", "");
            file_details(*file_size, file_checksum, i + 2, o);
            let _ = writeln!(o.buf, "{:i$}</dropFolderFileContentResource>", "");
        }
        Resource::RemoteStorage(r) => remote(r, i, o),
        Resource::RemoteStorages { resources } => {
            let _ = writeln!(o.buf, "{:i$}<remoteStorageContentResources>", "");
            for r in resources {
                remote(r, i + 2, o);
            }
            let _ = writeln!(o.buf, "{:i$}</remoteStorageContentResources>", "");
        }
        Resource::Entry {
            entry_id,
            flavor_params_id,
            flavor_params,
        } => {
            let _ = writeln!(
                o.buf,
                "{:i$}<entryContentResource entryId=\"{}\">",
                "",
                escape(entry_id.as_str())
            );
            match (flavor_params_id, flavor_params) {
                (Some(id), _) => o.leaf(i + 2, "flavorParamsId", Some(&id.to_string())),
                (None, Some(n)) => o.leaf(i + 2, "flavorParams", Some(n)),
                (None, None) => {}
            }
            let _ = writeln!(o.buf, "{:i$}</entryContentResource>", "");
        }
        Resource::Asset { asset_id } => {
            let _ = writeln!(
                o.buf,
                "{:i$}<assetContentResource assetId=\"{}\"/>",
                "",
                escape(asset_id.as_str())
            );
        }
        Resource::AssetInfo { language, label } => {
            let a = attrs(&[("language", language.clone()), ("label", label.clone())]);
            let _ = writeln!(o.buf, "{:i$}<assetInfo{a}/>", "");
        }
        Resource::Extension { xml } => {
            let _ = writeln!(o.buf, "{:i$}{xml}", "");
        }
        Resource::LocalFile { .. } => {}
    }
}
