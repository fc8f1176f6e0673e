//! Rules for media entries, shared by XML items, entry-CSV rows and JSON Lines records:
//! per-record rules (run in parallel) and the file-level rules (reference-id duplicates, limits).
use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Severity};
use crate::formats::xml::codes as xml_codes;
use crate::record::entry::{ENTRY_TYPES, Entry, EntryAction, EntryField, MEDIA_CLIP, Resource};

pub use crate::record::codes::entry as codes;
pub use crate::record::values;

pub use crate::record::locs::{EntryLocs, EntrySource as Source};

mod file_rules;
use crate::source::Place;
pub use file_rules::FileRules;

mod update;

use values::{
    entry_id_shape, find_placeholder, php_is_url, server_date, t_url_problem, xsd_datetime,
};

/// Longest values the XSD and API accept, in characters.
pub const MAX_LENGTHS: &[(EntryField, usize)] = &[
    (EntryField::Name, 256),
    (EntryField::ReferenceId, 2000),
    (EntryField::EntryId, 20),
    (EntryField::TemplateEntry, 20),
    (EntryField::UserId, 100),
    (EntryField::ParentReferenceId, 100),
    (EntryField::PartnerData, 4000),
];

/// Runs the per-record rules on one entry.
pub fn check_entry(
    e: &Entry,
    locs: &EntryLocs,
    file: &Arc<str>,
    row: u64,
    source: Source,
    out: &mut Vec<Diagnostic>,
) {
    let diag = |code: &'static Code, p: Place, msg: String, label: &str| {
        Diagnostic::new(code, file, msg)
            .label(p.span, p.at, label)
            .row(row)
    };
    // A finding at one field that names the other field it disagrees with.
    let conflict = |code: &'static Code,
                    (at, label): (EntryField, &str),
                    (other, other_label): (EntryField, &str),
                    msg: String| {
        let o = locs.at(other);
        diag(code, locs.at(at), msg, label).label(o.span, o.at, other_label)
    };
    let name = e.name.as_deref().unwrap_or("");
    action_rules(e, locs, file, row, source, out);
    if let (Some(t), Some(_)) = (&e.entry_type, e.media_type)
        && t != MEDIA_CLIP
    {
        out.push(
            conflict(
                &codes::TYPE_CONFLICT,
                (EntryField::MediaType, "typed element"),
                (EntryField::Type, "type given here"),
                format!("<media> belongs to media clips (type 1), but this entry's type is {t}"),
            )
            .server(format!(
                "Conflicted typed element for type [{t}] on item [{name}] "
            ))
            .help("use type 1 with <media>, or drop <media>"),
        );
    }
    if source != Source::Xml
        && let Some(t) = &e.entry_type
        && !ENTRY_TYPES.contains(&t.as_str())
        && !t.contains('.')
        && find_placeholder(t).is_none()
    {
        out.push(
            diag(&codes::UNKNOWN_ENTRY_TYPE, locs.at(EntryField::Type), format!("`{t}` is not an entry type"), "unknown type")
                .help("use 1 (media clip), 5 (playlist), 7 (live stream), 10 (document), ... or a plugin value such as `document.Document`"),
        );
    }
    if let Some(m) = e.media_type
        && m.is_live()
    {
        out.push(
            diag(
                &codes::LIVE_MEDIA_TYPE,
                locs.at(EntryField::MediaType),
                format!(
                    "media type {} is a live type; bulk ingestion creates media clips from files",
                    m.code()
                ),
                "live media type",
            )
            .help("use 1 (video), 2 (image) or 5 (audio)"),
        );
    }
    for (field, value, what) in [
        (EntryField::StartDate, &e.start_date, "start"),
        (EntryField::EndDate, &e.end_date, "end"),
    ] {
        if let Some(v) = value {
            date_rule(v, locs.at(field), what, name, file, row, source, out);
        }
    }
    url_rules(e, locs, file, row, source, out);
    for (field, value) in [
        (EntryField::EntryId, &e.entry_id),
        (EntryField::TemplateEntry, &e.template_entry_id),
    ] {
        if let Some(v) = value {
            id_rule(v, locs.at(field), file, row, out);
        }
    }
    for (i, r) in e.content_resources().enumerate() {
        if let Resource::Entry { entry_id, .. } = r {
            id_rule(
                entry_id,
                EntryLocs::nth(&locs.content, i, locs.item),
                file,
                row,
                out,
            );
        }
    }
    if let (Some(c), Some(t)) = (
        e.content_assets.as_ref().and_then(|a| a.action),
        e.thumbnails.as_ref().and_then(|a| a.action),
    ) && c != t
    {
        let (a, b) = (c.as_str(), t.as_str());
        out.push(
            conflict(
                &codes::ASSET_ACTION_MISMATCH,
                (EntryField::ThumbnailsAction, "differs"),
                (EntryField::ContentAssetsAction, "contentAssets action"),
                format!("contentAssets says `{a}` but thumbnails says `{b}`"),
            )
            .server(format!(
                "ContentAsset->action: {a} must be the same as thumbnails->action: {b}"
            ))
            .help("give the same action to both, or only one of them"),
        );
    }
    custom_data_rules(e, locs, file, row, out);
    update::update_asset_rules(e, locs, file, row, out);
    for (i, c) in e.categories.iter().flatten().enumerate() {
        if c.contains(',') {
            let at = EntryLocs::nth(&locs.categories, i, locs.at(EntryField::Categories));
            out.push(
                diag(&codes::CATEGORY_COMMA, at, format!("category `{c}` contains a comma: the server splits it into several categories"), "comma in a category name")
                    .help("remove the comma from the category name"),
            );
        }
    }
    if source == Source::Jsonl {
        length_rules(e, locs, file, row, out);
    }
}

fn action_rules(
    e: &Entry,
    locs: &EntryLocs,
    file: &Arc<str>,
    row: u64,
    source: Source,
    out: &mut Vec<Diagnostic>,
) {
    let name = e.name.as_deref().unwrap_or("");
    let at = locs.at(EntryField::Action);
    match e.effective_action() {
        Some(EntryAction::Add) if e.entry_type.is_none() && source != Source::Csv => out.push(
            Diagnostic::new(
                &codes::TYPE_REQUIRED,
                file,
                "this item adds an entry but has no <type>",
            )
            .label(
                at.span,
                at.at,
                if e.action.is_some() {
                    "add"
                } else {
                    "no action, entryId or referenceId: add"
                },
            )
            .row(row)
            .server(format!(
                "entry type must be set to a value on item [{name}] "
            ))
            .help("add <type>1</type> (media clip) after <action>"),
        ),
        Some(a @ (EntryAction::Update | EntryAction::Delete))
            if e.entry_id.is_none() && e.reference_id.is_none() =>
        {
            out.push(
                Diagnostic::new(
                    &codes::MISSING_TARGET,
                    file,
                    format!(
                        "this {} item names neither <entryId> nor <referenceId>",
                        a.as_str()
                    ),
                )
                .label(at.span, at.at, "which entry?")
                .row(row)
                .server("Missing entry id element")
                .help("add <entryId> or <referenceId> after <action>"),
            );
        }
        None if source != Source::Csv => {
            let mut d = Diagnostic::new(&codes::IMPLICIT_ACTION, file, "no <action>: the server updates the first entry with this referenceId, or adds one when there is none")
                .label(locs.item.span, locs.item.at, "no action")
                .row(row)
                .help("write <action>add</action> or <action>update</action>");
            if e.entry_type.is_none() {
                d = d
                    .severity(Severity::Warning)
                    .help("write the action; if the referenceId does not exist yet the add fails because <type> is missing");
            }
            out.push(d);
        }
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn date_rule(
    v: &str,
    p: Place,
    what: &str,
    name: &str,
    file: &Arc<str>,
    row: u64,
    source: Source,
    out: &mut Vec<Diagnostic>,
) {
    if find_placeholder(v).is_some() || (source == Source::Xml && !xsd_datetime(v)) {
        // Reported where it was read (placeholder, or the schema's type check).
        return;
    }
    let Some(d) = server_date(v) else {
        let d = if source == Source::Xml {
            Diagnostic::new(&xml_codes::DATE_CRASHES_WORKER, file, format!("{what}Date `{v}` is a valid xs:dateTime but the engine reads only years 1000–2999: the worker crashes on this item"))
                .server(format!("Invalid schedule {what} date {v} on item {name}"))
        } else {
            let line = row;
            Diagnostic::new(
                &codes::INVALID_DATE,
                file,
                format!("schedule {what} date `{v}` does not contain YYYY-MM-DDTHH:MM:SS"),
            )
            .server(format!("Invalid schedule {what} date '{v}' on line {line}"))
        };
        out.push(
            d.label(p.span, p.at, "not YYYY-MM-DDTHH:MM:SS")
                .row(row)
                .help("write the date as UTC, for example 2026-05-01T09:00:00"),
        );
        return;
    };
    let read = &v[d.matched.clone()];
    if d.ignored {
        out.push(
            Diagnostic::new(
                &codes::DATE_TEXT_IGNORED,
                file,
                format!("the server reads only `{read}` of `{v}`, as UTC; the rest is ignored"),
            )
            .label(p.span, p.at, "partly ignored")
            .row(row)
            .help(format!(
                "convert to UTC and write `{read}` without an offset"
            )),
        );
    }
    if d.rolls_over {
        out.push(
            Diagnostic::new(
                &codes::DATE_ROLLS_OVER,
                file,
                format!("`{read}` is not a real date-time; PHP rolls it over to another date"),
            )
            .label(p.span, p.at, "no such date")
            .row(row),
        );
    }
}

fn url_rules(
    e: &Entry,
    locs: &EntryLocs,
    file: &Arc<str>,
    row: u64,
    source: Source,
    out: &mut Vec<Diagnostic>,
) {
    let assets = [
        (e.content_resources().collect::<Vec<_>>(), &locs.content),
        (e.thumbnail_resources().collect::<Vec<_>>(), &locs.thumbs),
    ];
    for (kind, (resources, places)) in assets.iter().enumerate() {
        for (i, r) in resources.iter().enumerate() {
            let p = EntryLocs::nth(
                places,
                i,
                locs.at(if kind == 0 {
                    EntryField::ContentAssets
                } else {
                    EntryField::Thumbnails
                }),
            );
            match r {
                Resource::Url { url } | Resource::SshUrl { url, .. } => {
                    if find_placeholder(url).is_some() {
                        continue;
                    }
                    if source == Source::Xml {
                        // An absent url attribute is the reader's `xml::missing-attribute`.
                        if let Some(why) = t_url_problem(url).filter(|_| !url.is_empty()) {
                            out.push(
                                Diagnostic::new(&xml_codes::INVALID_URL, file, format!("url `{url}` does not match the schema's URL pattern: {why}"))
                                    .label(p.span, p.at, "invalid url")
                                    .row(row)
                                    .help("percent-encode non-ASCII and unsafe characters"),
                            );
                        }
                    } else if (kind == 0 || source == Source::Jsonl) && !php_is_url(url) {
                        out.push(
                            Diagnostic::new(&codes::INVALID_URL, file, format!("url `{url}` fails the server's URL check"))
                                .label(p.span, p.at, "invalid url")
                                .row(row)
                                .server(format!("Invalid url '{url}' on line {row}"))
                                .help("use an absolute ASCII URL with a scheme and host; percent-encode other characters"),
                        );
                    }
                }
                Resource::ServerFile { file_path, .. } => out.push(
                    Diagnostic::new(&codes::SERVER_FILE, file, format!("serverFileContentResource `{file_path}` is ignored unless the batch allows server resources: the entry would have no content"))
                        .label(p.span, p.at, "server file")
                        .row(row)
                        .help("use urlContentResource, a drop folder, or kbulk submit with a local file"),
                ),
                Resource::DropFolderFile { file_path, .. } => out.push(
                    Diagnostic::new(&xml_codes::DROP_FOLDER_RESOURCE, file, format!("dropFolderFileContentResource `{file_path}` is valid only in drop-folder XML jobs; an uploaded bulk file fails validation"))
                        .label(p.span, p.at, "drop-folder resource")
                        .row(row)
                        .help("place this file in an XML drop folder, or use urlContentResource"),
                ),
                Resource::LocalFile { path } => out.push(
                    Diagnostic::new(&codes::LOCAL_FILE, file, format!("`{path}` is a local file: only kbulk submit can upload it"))
                        .label(p.span, p.at, "local file")
                        .row(row),
                ),
                _ => {}
            }
        }
    }
    if source == Source::Csv && e.content_assets.is_none() {
        let p = locs.at(EntryField::ContentAssets);
        out.push(
            Diagnostic::new(
                &codes::INVALID_URL,
                file,
                "url is empty: every entry-CSV row needs the URL of its media",
            )
            .label(p.span, p.at, "no url")
            .row(row)
            .server(format!("Invalid url '' on line {row}"))
            .help("fill the url column"),
        );
    }
}

fn id_rule(v: &str, p: Place, file: &Arc<str>, row: u64, out: &mut Vec<Diagnostic>) {
    if entry_id_shape(v) || find_placeholder(v).is_some() || v.contains("{existing_value}") {
        return;
    }
    out.push(
        Diagnostic::new(&codes::ENTRY_ID_FORMAT, file, format!("`{v}` does not look like a Kaltura entry id (digit, `_`, eight lower-case letters or digits)"))
            .label(p.span, p.at, "not an entry id")
            .row(row)
            .server(format!("Entry id [{v}] not found"))
            .help("use <referenceId> to address entries by your own ids"),
    );
}

fn custom_data_rules(
    e: &Entry,
    locs: &EntryLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let Some(items) = &e.custom_data_items else {
        return;
    };
    for (i, c) in items.items.iter().enumerate() {
        let p = EntryLocs::nth(&locs.custom, i, locs.at(EntryField::CustomData));
        let d = |code, msg: &str, server: String| {
            Diagnostic::new(code, file, msg.to_string())
                .label(p.span, p.at, "customData")
                .row(row)
                .server(server)
        };
        if c.metadata_profile_id.is_none() && c.metadata_profile.is_none() {
            out.push(
                d(
                    &codes::CUSTOM_DATA_PROFILE,
                    "this customData names no metadata profile",
                    "Missing custom data metadataProfile attribute".into(),
                )
                .help("add metadataProfileId=\"...\" or metadataProfile=\"systemName\""),
            );
        }
        match c.action.as_deref().unwrap_or("replace") {
            "replace" if c.xml_data.is_none() => out.push(d(
                &codes::CUSTOM_DATA_MISSING,
                "this customData replaces metadata but has no <xmlData>",
                "customDataItems->customData->xmlData element is missing".into(),
            )),
            "transformXslt" if c.xslt.is_none() => out.push(d(
                &codes::CUSTOM_DATA_MISSING,
                "this customData transforms metadata but has no <xslt>",
                "customDataItems->customData->xslt element is missing".into(),
            )),
            "replace" | "transformXslt" => {}
            a => out.push(
                d(
                    &codes::CUSTOM_DATA_ACTION,
                    &format!("customData action `{a}` is not supported"),
                    format!("customDataItems->customData->action: {a} is not supported"),
                )
                .help("use replace or transformXslt"),
            ),
        }
    }
}

fn length_rules(e: &Entry, locs: &EntryLocs, file: &Arc<str>, row: u64, out: &mut Vec<Diagnostic>) {
    for &(field, max) in MAX_LENGTHS {
        let v = match field {
            EntryField::Name => &e.name,
            EntryField::ReferenceId => &e.reference_id,
            EntryField::EntryId => &e.entry_id,
            EntryField::TemplateEntry => &e.template_entry_id,
            EntryField::UserId => &e.user_id,
            EntryField::ParentReferenceId => &e.parent_reference_id,
            _ => &e.partner_data,
        };
        if let Some(v) = v {
            let n = v.chars().count();
            if n > max {
                let p = locs.at(field);
                out.push(
                    Diagnostic::new(
                        &codes::TOO_LONG,
                        file,
                        format!(
                            "{} has {n} characters; Kaltura allows at most {max}",
                            field.element()
                        ),
                    )
                    .label(p.span, p.at, "too long")
                    .row(row),
                );
            }
        }
    }
}
