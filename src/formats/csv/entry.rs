//! Reads entry CSVs exactly as `BulkUploadEntryEngineCsv` does (headerless V1/V2 rows, `*`
//! V3 headers with plugin columns) and maps every data row to an [`Entry`], in parallel chunks
//! with a deterministic order.
use std::io::{self, Read};
use std::sync::Arc;

use rayon::prelude::*;

use super::cells::CsvLocs;
pub use super::entry_header::{COLUMNS, Column, ColumnMap};
use super::entry_header::{comment_rule, read_header};
use super::php::{CsvChunk, PhpCsvReader, RecordRef};
use super::resource::{MAX_RECORD_BYTES, php_numeric, record_level};
use super::{LineClass, classify, intended_trim, php_trim};
use crate::diag::Diagnostic;
use crate::formats::feed::{Checks, Chunk, Entries, Feed, Row};
use crate::formats::{Findings, ReadOptions};
use crate::record::codes::entry as codes;
use crate::record::entry::{
    Assets, ContentAsset, Entry, EntryAction, MEDIA_CLIP, MediaType, Resource, ThumbnailAsset,
};
use crate::record::locs::EntryLocs;
use crate::record::values::find_placeholder;
use crate::source::Place;

/// Rows read before each parallel mapping step.
const CHUNK_ROWS: usize = 4096;

/// One mapped data row.
struct Mapped {
    /// The entry the rules check (its action is known).
    entry: Option<Box<Entry>>,
    /// Whether it goes on to the file rules and the sink (its row is valid UTF-8).
    usable: bool,
    diags: Vec<Diagnostic>,
    locs: EntryLocs,
    version: u8,
}

/// Reads an entry CSV from `input` (positioned after any BOM, at file offset `offset`),
/// handing its rows to `feed` and its findings to `diags`. Returns the number of data rows.
pub fn read(
    input: impl Read,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    feed: &mut dyn Feed<Entries>,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let mut reader = PhpCsvReader::new(input, offset, MAX_RECORD_BYTES);
    let mut chunk = CsvChunk::default();
    let mut cols: Option<Arc<ColumnMap>> = None;
    let mut rows = 0u64;
    let mut saw_header = false;
    let mut last_version = 0u8;
    let mut first_v2: Option<(u64, Place)> = None;
    let mut last_v1: Option<(u64, Place)> = None;
    while reader.read_chunk(&mut chunk, CHUNK_ROWS)? {
        let mut jobs = Vec::with_capacity(chunk.len());
        for rec in chunk.iter() {
            record_level(rec, file, diags);
            match classify(&rec) {
                LineClass::Empty => {}
                LineClass::Header => {
                    cols = Some(Arc::new(read_header(rec, file, saw_header, diags)));
                    saw_header = true;
                }
                LineClass::Comment => comment_rule(rec, cols.as_deref(), file, diags),
                LineClass::Data => {
                    rows += 1;
                    jobs.push((rec, rows, cols.clone()));
                }
            }
        }
        let mapped: Vec<Mapped> = jobs
            .par_iter()
            .map(|(rec, row, cols)| map_row(*rec, *row, cols.as_deref(), file))
            .collect();
        let wants = feed.wants_records();
        let mut out = Vec::with_capacity(jobs.len());
        for ((rec, row, _), m) in jobs.iter().zip(mapped) {
            match m.version {
                1 => last_v1 = Some((*row, m.locs.item)),
                2 => {
                    first_v2.get_or_insert((*row, m.locs.item));
                }
                _ => {}
            }
            if m.version > 0 {
                last_version = m.version;
            }
            let origin = (wants && m.entry.is_some() && m.usable)
                .then(|| super::cells::origin(*rec, file, m.locs.item.span, *row, opts.keep_raw));
            out.push(Row {
                row: *row,
                record: m.entry,
                usable: m.usable,
                checks: Checks::All,
                locs: m.locs,
                findings: m.diags,
                origin,
            });
        }
        // Later rows report inside themselves; the mixed-versions finding (at the last V1
        // row, known at the end) may hold an earlier place open.
        let end = chunk.end();
        let v1 = last_v1.map(|(_, p)| p.span.start);
        let watermark = v1.map_or(end, |v| v.min(end));
        feed.chunk(
            Chunk {
                rows: out,
                watermark,
            },
            diags,
        )?;
    }
    if let (1, Some((row2, p2)), Some((row1, p1))) = (last_version, first_v2, last_v1) {
        diags.push(
            Diagnostic::new(&codes::CSV_MIXED_VERSIONS, file, format!("the last row ({row1}) has 5 values, so the job's CSV version is V1 and the V2 fields of every row (from row {row2} on) are ignored"))
                .label(p1.span, p1.at, "last row is V1")
                .label(p2.span, p2.at, "a V2 row")
                .row(row1)
                .help("add a V3 header (for example `*title,description,tags,url,contentType,...`) instead of relying on value counts"),
        );
    }
    if rows == 0 {
        diags.push(Diagnostic::new(
            &codes::CSV_NO_DATA,
            file,
            "the file has no data rows",
        ));
    }
    Ok(rows)
}

/// Splits a comma-separated cell into trimmed, non-empty parts.
fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Maps one data row to an entry, running the row's parse-time rules.
fn map_row(rec: RecordRef<'_>, row: u64, cols: Option<&ColumnMap>, file: &Arc<str>) -> Mapped {
    let cells = CsvLocs { rec };
    let mut diags = Vec::new();
    let mut locs = EntryLocs::whole(cells.row());
    let positional;
    let (cols, version) = match cols {
        Some(c) => (c, 3),
        None => match rec.cells().len() {
            5 | 12 => {
                positional = ColumnMap::positional(rec.cells().len());
                (&positional, if rec.cells().len() == 5 { 1 } else { 2 })
            }
            n => {
                let p = cells.row();
                diags.push(
                    Diagnostic::new(&codes::CSV_WRONG_VALUE_COUNT, file, format!("this row has {n} values and there is no `*` header: the server only reads 5 (V1) or 12 (V2)"))
                        .label(p.span, p.at, format!("{n} values"))
                        .row(row)
                        .server(format!("Wrong number of values on line {row}"))
                        .help("add a V3 header naming the columns, or check for unquoted commas and trailing empty cells"),
                );
                return Mapped {
                    entry: None,
                    usable: false,
                    diags,
                    locs,
                    version: 0,
                };
            }
        },
    };
    for c in Column::ALL {
        if let (Some(i), Some(f)) = (cols.index[c as usize], c.field())
            && i < rec.cells().len()
        {
            locs.set(f, cells.cell(i));
        }
    }
    let value_at = |i: usize, what: &str, diags: &mut Vec<Diagnostic>| -> Option<String> {
        let raw = rec.value(i);
        let text = String::from_utf8_lossy(raw);
        let intended = intended_trim(&text);
        if let Some(d) = super::trim_cut(
            &codes::CSV_TRIM_CORRUPTS_VALUE,
            raw,
            intended,
            file,
            cells.cell(i),
            what,
        ) {
            diags.push(d.row(row));
        }
        if let Some(r) = find_placeholder(intended) {
            let p = cells.cell(i);
            diags.push(
                Diagnostic::new(
                    &codes::PLACEHOLDER,
                    file,
                    format!(
                        "`{}` is a placeholder that was never substituted",
                        &intended[r]
                    ),
                )
                .label(p.span, p.at, "placeholder")
                .row(row)
                .help("replace every @NAME@ placeholder with its value before upload"),
            );
        }
        (!intended.is_empty()).then(|| intended.to_string())
    };
    let get = |c: Column, diags: &mut Vec<Diagnostic>| -> Option<String> {
        let i = cols.index[c as usize].filter(|&i| i < rec.cells().len())?;
        value_at(i, c.name(), diags)
    };
    let at = |locs: &EntryLocs, c: Column| c.field().map_or(locs.item, |f| locs.at(f));

    let action_raw = get(Column::Action, &mut diags);
    let action_ok = match action_raw.as_deref() {
        None | Some("0") => true,
        Some(a) => match php_numeric(a) {
            Some(1.0) => true,
            Some(n) if n == 2.0 || n == 3.0 => {
                let p = at(&locs, Column::Action);
                diags.push(
                    Diagnostic::new(&codes::CSV_ACTION_SKIPPED, file, format!("action {a} ({}) is not implemented by the entry CSV engine: the row is skipped without a result", if n == 2.0 { "update" } else { "delete" }))
                        .label(p.span, p.at, "skipped")
                        .row(row)
                        .help("use an XML bulk upload to update or delete entries"),
                );
                false
            }
            _ => {
                let p = at(&locs, Column::Action);
                diags.push(
                    Diagnostic::new(
                        &codes::CSV_UNKNOWN_ACTION,
                        file,
                        format!("unknown action `{a}`: the row vanishes from the bulk results"),
                    )
                    .label(p.span, p.at, "not 1")
                    .row(row)
                    .server(format!("unknown action passed: [{a}]"))
                    .help("leave action empty or write 1 (add)"),
                );
                false
            }
        },
    };
    let mut e = Entry {
        action: Some(EntryAction::Add),
        entry_type: Some(MEDIA_CLIP.to_string()),
        name: get(Column::Title, &mut diags),
        description: get(Column::Description, &mut diags),
        tags: get(Column::Tags, &mut diags).map(|v| list(&v)),
        ..Default::default()
    };
    let url = get(Column::Url, &mut diags);
    let content_type = get(Column::ContentType, &mut diags);
    e.media_type = Some(
        match content_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("image") => MediaType::Image,
            Some("audio") => MediaType::Audio,
            None | Some("video") => MediaType::Video,
            Some(other) => {
                let p = at(&locs, Column::ContentType);
                diags.push(
                Diagnostic::new(&codes::CSV_UNKNOWN_CONTENT_TYPE, file, format!("contentType `{other}` is not image, audio or video: the entry becomes a video"))
                    .label(p.span, p.at, "read as video")
                    .row(row),
            );
                MediaType::Video
            }
        },
    );
    let numeric = |c: Column, diags: &mut Vec<Diagnostic>| -> Option<i64> {
        let v = get(c, diags)?;
        match php_numeric(&v).filter(|n| n.fract() == 0.0 && n.abs() < 9e15) {
            Some(n) => Some(n as i64),
            None => {
                let p = at(&locs, c);
                diags.push(
                    Diagnostic::new(&codes::CSV_NOT_NUMERIC, file, format!("{} `{v}` is not numeric: the server ignores it and the default applies", c.name()))
                        .label(p.span, p.at, "ignored")
                        .row(row)
                        .help("write the profile's numeric id"),
                );
                None
            }
        }
    };
    if version > 1 {
        e.conversion_profile_id = numeric(Column::ConversionProfileId, &mut diags);
        e.access_control_id = numeric(Column::AccessControlProfileId, &mut diags);
        e.categories = get(Column::Category, &mut diags).map(|v| list(&v));
        e.start_date = get(Column::ScheduleStartDate, &mut diags);
        e.end_date = get(Column::ScheduleEndDate, &mut diags);
        if let Some(u) = get(Column::ThumbnailUrl, &mut diags) {
            e.thumbnails = Some(Assets {
                action: None,
                assets: vec![ThumbnailAsset {
                    resource: Some(Resource::Url { url: u }),
                    ..Default::default()
                }],
            });
            locs.thumbs.push(at(&locs, Column::ThumbnailUrl));
        }
        e.partner_data = get(Column::PartnerData, &mut diags);
    }
    let private_key = get(Column::SshPrivateKey, &mut diags);
    let public_key = get(Column::SshPublicKey, &mut diags);
    let passphrase = get(Column::SshKeyPassphrase, &mut diags);
    if private_key.is_some() != public_key.is_some() {
        let (missing, c, server) = if private_key.is_none() {
            (
                "private",
                Column::SshPublicKey,
                format!("Missing SSH private key on line  {row}"),
            )
        } else {
            (
                "public",
                Column::SshPrivateKey,
                format!("Missing SSH public key on line {row}"),
            )
        };
        let p = at(&locs, c);
        diags.push(
            Diagnostic::new(
                &codes::CSV_SSH_KEY_MISSING,
                file,
                format!("an SSH key pair needs both keys; the {missing} key is missing"),
            )
            .label(p.span, p.at, "only one key")
            .row(row)
            .server(server),
        );
    }
    if let Some(url) = url {
        let lower = url.to_ascii_lowercase();
        let resource = if lower.starts_with("sftp:") || lower.starts_with("scp:") {
            Resource::SshUrl {
                url,
                key_passphrase: passphrase,
                private_key,
                public_key,
            }
        } else {
            Resource::Url { url }
        };
        locs.content.push(at(&locs, Column::Url));
        e.content_assets = Some(Assets {
            action: None,
            assets: vec![ContentAsset {
                resource: Some(resource),
                ..Default::default()
            }],
        });
    }
    if let Some(id) = get(Column::EntryId, &mut diags) {
        let p = at(&locs, Column::EntryId);
        diags.push(
            Diagnostic::new(
                &codes::CSV_ENTRY_ID_IGNORED,
                file,
                format!(
                    "entryId `{id}` does not update that entry: the entry CSV always adds a new one"
                ),
            )
            .label(p.span, p.at, "ignored")
            .row(row)
            .help("use an XML bulk upload with <action>update</action> to change existing entries"),
        );
    }
    e.user_id = get(Column::OwnerId, &mut diags);
    e.entitled_users_edit = get(Column::EntitledUsersEdit, &mut diags).map(|v| list(&v));
    e.entitled_users_publish = get(Column::EntitledUsersPublish, &mut diags).map(|v| list(&v));
    e.entitled_users_view = get(Column::EntitledUsersView, &mut diags).map(|v| list(&v));
    e.reference_id = get(Column::ReferenceId, &mut diags);
    e.template_entry_id = get(Column::TemplateEntryId, &mut diags);
    for (i, name) in &cols.plugins {
        if *i < rec.cells().len()
            && let Some(v) = value_at(*i, name, &mut diags)
        {
            e.plugins_data.insert(name.clone(), v);
        }
    }
    if cols.width > 0 {
        for i in cols.width..rec.cells().len() {
            if !php_trim(rec.value(i)).is_empty() {
                let p = cells.cell(i);
                diags.push(
                    Diagnostic::new(&codes::CSV_EXTRA_CELLS, file, format!("this row has {} cells but the header names {}; the value in cell {} is dropped", rec.cells().len(), cols.width, i + 1))
                        .label(p.span, p.at, "no column for this cell")
                        .row(row)
                        .help("quote values that contain commas"),
                );
                break;
            }
        }
    }
    Mapped {
        entry: action_ok.then(|| Box::new(e)),
        usable: std::str::from_utf8(rec.raw()).is_ok(),
        diags,
        locs,
        version,
    }
}
