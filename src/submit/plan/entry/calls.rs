//! How entry rows become API calls: the `KalturaMediaEntry` object, the content resource and the
//! category links, with the parts `kbulk submit` does not send refused by name.
use serde_json::{Map, Value, json};

use crate::submit::plan::common::put;

use super::{Act, Row};
use crate::record::entry::{AssetsAction, MEDIA_CLIP, MediaType, Resource};
use crate::submit::multirequest::Call;
use crate::submit::plan::Uploaded;
use crate::submit::plan::keyed::{Verdict, fail};

/// `YYYY-MM-DDTHH:MM:SS` (UTC, as the bulk formats write it) or RFC 3339 → Unix seconds.
fn unix(text: &str) -> Option<i64> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let civil: jiff::civil::DateTime = text.get(..19).unwrap_or(text).parse().ok()?;
    civil
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

fn joined(v: &Option<Vec<String>>) -> Option<String> {
    v.as_ref().map(|items| items.join(","))
}

/// The content resource to send, if the row has content.
pub(super) fn content(row: &Row, action: &str) -> Result<Option<Value>, Verdict> {
    let Some(assets) = &row.rec.content_assets else {
        return Ok(None);
    };
    let with_file: Vec<_> = assets
        .assets
        .iter()
        .filter(|a| a.resource.is_some())
        .collect();
    if assets.action == Some(AssetsAction::Update) || with_file.len() > 1 {
        return Err(fail(
            Some(action),
            "kbulk submit sends one content file per entry; per-flavor assets \
             (contentAssets action update, or several <content>) are not sent",
            "UNSUPPORTED_BY_SUBMIT",
        ));
    }
    let Some(resource) = with_file.first().and_then(|a| a.resource.as_ref()) else {
        return Ok(None);
    };
    match resource {
        Resource::Url { url } => Ok(Some(
            json!({"objectType": "KalturaUrlResource", "url": url}),
        )),
        Resource::LocalFile { path } => match &row.upload {
            Some(Uploaded::Token(t)) => Ok(Some(
                json!({"objectType": "KalturaUploadedFileTokenResource", "token": t}),
            )),
            Some(Uploaded::Failed { error, code }) => Err(fail(Some(action), error, code)),
            Some(Uploaded::Unfinished(why)) => Err(Verdict::Defer(why.clone())),
            None => Err(Verdict::Defer(format!("{path} was not uploaded"))),
        },
        other => Err(fail(
            Some(action),
            format!(
                "kbulk submit sends content by URL or from a local file; {} is not sent",
                other.element().unwrap_or("this resource")
            ),
            "UNSUPPORTED_BY_SUBMIT",
        )),
    }
}

/// The entry object, or why the row cannot be sent as it is.
pub(super) fn object(
    row: &Row,
    act: Act,
    parent: Option<Value>,
    template: Option<Value>,
) -> Result<Value, Verdict> {
    let e = &row.rec;
    let a = if act == Act::Add { "add" } else { "update" };
    let unsupported = |what: &str| {
        fail(
            Some(a),
            format!("kbulk submit does not send {what}; submit this item as an XML bulk upload"),
            "UNSUPPORTED_BY_SUBMIT",
        )
    };
    if e.entry_type.as_deref().is_some_and(|t| t != MEDIA_CLIP) {
        return Err(unsupported("entries other than media clips (type 1)"));
    }
    if e.thumbnails.as_ref().is_some_and(|t| !t.assets.is_empty()) {
        return Err(unsupported("thumbnails"));
    }
    if e.custom_data_items
        .as_ref()
        .is_some_and(|c| !c.items.is_empty())
        || !e.plugins_data.is_empty()
    {
        return Err(unsupported("custom metadata"));
    }
    if !e.extensions.is_empty() {
        return Err(unsupported("item extensions (subtitles, attachments, ...)"));
    }
    if e.access_control.is_some() || e.conversion_profile.is_some() {
        return Err(unsupported(
            "access control or conversion profiles by system name (give their ids)",
        ));
    }
    let mut o = Map::new();
    o.insert("objectType".into(), json!("KalturaMediaEntry"));
    if act == Act::Add {
        o.insert(
            "mediaType".into(),
            json!(e.media_type.unwrap_or(MediaType::Video).code()),
        );
    }
    let texts = [
        ("name", e.name.clone()),
        ("description", e.description.clone()),
        ("referenceId", e.reference_id.clone()),
        ("userId", e.user_id.clone()),
        ("tags", joined(&e.tags)),
        ("categories", joined(&e.categories)),
        ("partnerData", e.partner_data.clone()),
        ("licenseType", e.license_type.clone()),
        ("templateEntryId", e.template_entry_id.clone()),
        ("entitledUsersEdit", joined(&e.entitled_users_edit)),
        ("entitledUsersPublish", joined(&e.entitled_users_publish)),
        ("entitledUsersView", joined(&e.entitled_users_view)),
    ];
    put(&mut o, texts);
    let ints = [
        ("partnerSortData", e.partner_sort_data),
        ("accessControlId", e.access_control_id),
        ("conversionProfileId", e.conversion_profile_id),
    ];
    put(&mut o, ints);
    for (k, v) in [("startDate", &e.start_date), ("endDate", &e.end_date)] {
        if let Some(text) = v {
            let Some(t) = unix(text) else {
                return Err(fail(
                    Some(a),
                    format!("{k} [{text}] is not a date"),
                    "INVALID_DATE",
                ));
            };
            o.insert(k.into(), json!(t));
        }
    }
    if let Some(p) = parent {
        o.insert("parentEntryId".into(), p);
    }
    if let Some(t) = template {
        o.insert("templateEntryId".into(), t);
    }
    Ok(Value::Object(o))
}

/// `categoryEntry.add` calls for the row's category ids the entry is not in yet.
pub(super) fn categories(row: &Row, entry: &Value, already: &[String]) -> Vec<Call> {
    row.rec
        .category_ids
        .iter()
        .flatten()
        .filter(|c| !already.contains(&c.to_string()))
        .map(|c| {
            Call::new("categoryEntry", "add").with(
                "categoryEntry",
                json!({"objectType": "KalturaCategoryEntry", "entryId": entry.clone(),
                       "categoryId": c}),
            )
        })
        .collect()
}
