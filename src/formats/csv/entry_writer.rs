//! Writes entry CSVs: a V3 `*` header (rewritten when the plugin columns change), canonical
//! values, quoting PHP `fgetcsv` reads back unchanged, and a report of what a CSV cannot say.
use std::io::{self, Write};

use super::entry::Column;
use super::resource_writer::push_cell;
use crate::diag::Diagnostic;
use crate::formats::codes;
use crate::formats::xml::writer::dropped;
use crate::record::entry::{Entry, EntryAction, MEDIA_CLIP, Resource};
use crate::record::values::normalize_date;
use crate::source::{LineCol, Origin};

/// The columns written, in order (before any plugin columns).
pub const WRITTEN: [Column; 22] = [
    Column::Action,
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
    Column::OwnerId,
    Column::EntitledUsersEdit,
    Column::EntitledUsersPublish,
    Column::EntitledUsersView,
    Column::ReferenceId,
    Column::TemplateEntryId,
];

/// An entry-CSV writer.
pub struct EntryCsvWriter<W: Write> {
    out: W,
    plugins: Option<Vec<String>>,
    line: Vec<u8>,
}

impl<W: Write> EntryCsvWriter<W> {
    /// A writer on `out`.
    pub fn new(out: W) -> Self {
        EntryCsvWriter {
            out,
            plugins: None,
            line: Vec::with_capacity(512),
        }
    }

    fn header(&mut self, plugins: Vec<String>) -> io::Result<()> {
        if self.plugins.as_ref() == Some(&plugins) {
            return Ok(());
        }
        let mut names: Vec<&str> = WRITTEN.iter().map(|c| c.name()).collect();
        names.extend(plugins.iter().map(String::as_str));
        writeln!(self.out, "*{}", names.join(","))?;
        self.plugins = Some(plugins);
        Ok(())
    }

    /// Writes one entry as a V3 row; returns `false` when the entry cannot be a CSV row at all
    /// (updates and deletes). Fields a CSV cannot hold are reported in `diags`.
    pub fn write(
        &mut self,
        e: &Entry,
        origin: &Origin,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<bool> {
        let mut drop = |what: &str| diags.push(dropped(origin, "an entry CSV", what));
        match e.effective_action() {
            Some(a @ (EntryAction::Update | EntryAction::Delete)) => {
                diags.push(
                    dropped(
                        origin,
                        "an entry CSV",
                        &format!(
                            "this {} record (the entry CSV engine only adds entries)",
                            a.as_str()
                        ),
                    )
                    .severity(crate::diag::Severity::Error),
                );
                return Ok(false);
            }
            None => drop(
                "the implicit action (no <action>: update by referenceId when it exists); the row is written as an add",
            ),
            _ => {}
        }
        if let Some(t) = e.entry_type.as_deref().filter(|t| *t != MEDIA_CLIP) {
            drop(&format!("type {t} (an entry CSV creates media clips)"));
        }
        let content_type = match e.media_type {
            Some(m) => m.csv_word().or_else(|| {
                drop(&format!(
                    "media type {} (a CSV says image, audio or video)",
                    m.code()
                ));
                None
            }),
            None => None,
        };
        let (mut url, mut ssh) = (None, (None, None, None));
        if let Some(a) = &e.content_assets {
            if a.action.is_some() {
                drop("contentAssets/action");
            }
            for (i, c) in a.assets.iter().enumerate() {
                if i > 0 {
                    drop("a second content asset (a CSV row has one url)");
                    continue;
                }
                if c.flavor_params_id.is_some()
                    || c.flavor_params.is_some()
                    || c.asset_id.is_some()
                    || c.tags.is_some()
                    || c.streams.is_some()
                {
                    drop("the content asset's flavor params, asset id, tags or streams");
                }
                match &c.resource {
                    Some(Resource::Url { url: u }) => url = Some(u.as_str()),
                    Some(Resource::SshUrl {
                        url: u,
                        key_passphrase,
                        private_key,
                        public_key,
                    }) => {
                        url = Some(u.as_str());
                        ssh = (
                            private_key.as_deref(),
                            public_key.as_deref(),
                            key_passphrase.as_deref(),
                        );
                    }
                    Some(r) => drop(&format!(
                        "a {} content resource (a CSV takes a URL)",
                        r.element().unwrap_or("local file")
                    )),
                    None => {}
                }
            }
        }
        let mut thumb = None;
        if let Some(t) = &e.thumbnails {
            for (i, a) in t.assets.iter().enumerate() {
                match &a.resource {
                    Some(Resource::Url { url }) if i == 0 => thumb = Some(url.as_str()),
                    _ => drop("a thumbnail other than one URL"),
                }
            }
        }
        for (set, what) in [
            (e.entry_id.is_some(), "entryId"),
            (e.license_type.is_some(), "licenseType"),
            (e.parent_reference_id.is_some(), "parentReferenceId"),
            (e.keep_manual_thumbnails.is_some(), "keepManualThumbnails"),
            (e.category_ids.is_some(), "categoryIds"),
            (e.partner_sort_data.is_some(), "partnerSortData"),
            (e.access_control.is_some(), "accessControl (system name)"),
            (
                e.conversion_profile.is_some(),
                "conversionProfile (system name)",
            ),
            (e.template_entry.is_some(), "templateEntry (reference id)"),
            (e.ms_duration.is_some(), "msDuration"),
            (e.custom_data_items.is_some(), "customDataItems"),
            (
                !e.extensions.is_empty(),
                "plugin elements (subTitles, attachments, ...)",
            ),
        ] {
            if set {
                drop(what);
            }
        }
        let join = |v: &Option<Vec<String>>| v.as_ref().map(|v| v.join(","));
        let num = |n: Option<i64>| n.map(|n| n.to_string());
        let values: Vec<Option<String>> = vec![
            Some("1".into()),
            e.name.clone(),
            e.description.clone(),
            join(&e.tags),
            url.map(String::from),
            content_type.map(String::from),
            num(e.conversion_profile_id),
            num(e.access_control_id),
            join(&e.categories),
            e.start_date
                .as_deref()
                .map(|d| normalize_date(d).to_string()),
            e.end_date.as_deref().map(|d| normalize_date(d).to_string()),
            thumb.map(String::from),
            e.partner_data.clone(),
            ssh.0.map(String::from),
            ssh.1.map(String::from),
            ssh.2.map(String::from),
            e.user_id.clone(),
            join(&e.entitled_users_edit),
            join(&e.entitled_users_publish),
            join(&e.entitled_users_view),
            e.reference_id.clone(),
            e.template_entry_id.clone(),
        ];
        self.header(e.plugins_data.keys().cloned().collect())?;
        self.line.clear();
        let names = WRITTEN
            .iter()
            .map(|c| c.name().to_string())
            .chain(e.plugins_data.keys().cloned());
        let cells = values
            .into_iter()
            .chain(e.plugins_data.values().map(|v| Some(v.clone())));
        for (i, (name, v)) in names.zip(cells).enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            let v = v.as_deref().unwrap_or("");
            if super::trim_array(v.as_bytes()).len() != v.len() {
                diags.push(
                    Diagnostic::new(&codes::UNREPRESENTABLE, &origin.file, format!("`{name}` of this record starts or ends with white space (or a byte of U+00A0), which Kaltura's reader trims"))
                        .label(origin.span, LineCol { line: origin.line, column: 1 }, "record")
                        .row(origin.row),
                );
            }
            if !push_cell(&mut self.line, v) {
                diags.push(
                    Diagnostic::new(&codes::UNREPRESENTABLE, &origin.file, format!("`{name}` of this record cannot be written so that PHP reads it back unchanged (a backslash before a quote or at the end of a quoted value)"))
                        .label(origin.span, LineCol { line: origin.line, column: 1 }, "record")
                        .row(origin.row),
                );
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        Ok(true)
    }

    /// Flushes and returns the inner writer (a file without records still gets a header).
    pub fn finish(mut self) -> io::Result<W> {
        if self.plugins.is_none() {
            self.header(Vec::new())?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}
