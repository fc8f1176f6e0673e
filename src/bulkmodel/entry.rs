//! The entry CSV engine (`BulkUploadEntryEngineCsv`, kaltura-formats §6) as it runs a job: the
//! rows read with kbulk's PHP `fgetcsv` tokenizer, by the `*` header (V3) or, without one, by
//! position (5 values V1, 12 values V2, anything else "Wrong number of values on line {n}"),
//! then per row:
//! - more rows than `maxRecords` → "Exeeded max records count per bulk";
//! - action UPDATE/DELETE, or one it does not know: **no result at all** (§6.2, §9.4);
//! - the checks of §6.3 (a later one overwrites an earlier message): `url` must pass `isUrl`
//!   ("Invalid url '{url}' on line {n}"), the schedule dates the entry date format;
//! - `media.add` (name, description, tags, mediaType from `contentType`, referenceId,
//!   partnerData, owner and entitlements, numeric profiles, dates), then `media.addContent` with
//!   a `KalturaUrlResource{forceAsyncDownload}`, then each `category` full name looked up
//!   (`fullNameEqual`), created level by level when missing, and `categoryEntry.add`.
//!
//! The result is OK once the entry is READY, IN_PROGRESS before (the sandbox imports a URL at
//! once, so its entries are READY); API errors are KALTURA_API (4) with their code in
//! `objectStatus`. Left out: SSH URL resources and `thumbnailUrl` (no thumbnail service).
use serde_json::{Map, Value, json};

use super::csv::{Row, rows};
use crate::formats::csv::EntryColumn;
use crate::sandbox::{BulkApi, BulkEnd, BulkJob, BulkResult};

/// The V2 columns, in the order of a headerless row (V1 is the first 5).
const V2: &[&str] = EntryColumn::NAMES.split_at(12).0;

/// Every column a V3 header may name.
const V3: [&str; 23] = EntryColumn::NAMES;

/// `isUrl`: spaces and brackets escaped, `_` deleted, then a scheme and a host (ASCII only).
fn is_url(url: &str) -> bool {
    let u = url
        .replace(' ', "%20")
        .replace(['[', ']'], "%5B")
        .replace('_', "");
    let Some((scheme, rest)) = u.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    u.is_ascii()
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !host.is_empty()
        && !host.starts_with(['.', '-'])
}

/// The entry date format (`%Y-%m-%dT%H:%i:%s`, years from 1 or 2; anything after is ignored).
fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 19
        && matches!(b[0], b'1' | b'2')
        && b[..19].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// The values of a headerless row, by position (`Err`: the count fits no version).
fn positional(row: &Row) -> Result<Vec<(String, String)>, usize> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(row.row_data.as_bytes());
    let cells: Vec<String> = match reader.records().next() {
        Some(Ok(r)) => r.iter().map(str::to_string).collect(),
        _ => Vec::new(),
    };
    if cells.len() != 5 && cells.len() != 12 {
        return Err(cells.len());
    }
    Ok(V2
        .iter()
        .zip(cells)
        .map(|(c, v)| (c.to_string(), v.trim().to_string()))
        .filter(|(_, v)| !v.is_empty())
        .collect())
}

fn failed(answer: &Value) -> bool {
    answer["objectType"] == "KalturaAPIException"
}

/// The `KalturaMediaEntry` a row adds.
fn entry(get: &dyn Fn(&str) -> Option<String>) -> Value {
    let mut e = Map::new();
    e.insert("objectType".into(), json!("KalturaMediaEntry"));
    let media_type = match get("contentType")
        .map(|t| t.to_ascii_lowercase())
        .as_deref()
    {
        Some("image") => 2,
        Some("audio") => 5,
        _ => 1,
    };
    e.insert("mediaType".into(), json!(media_type));
    for (field, column) in [
        ("name", "title"),
        ("description", "description"),
        ("tags", "tags"),
        ("referenceId", "referenceId"),
        ("partnerData", "partnerData"),
        ("userId", "ownerId"),
        ("entitledUsersEdit", "entitledUsersEdit"),
        ("entitledUsersPublish", "entitledUsersPublish"),
        ("entitledUsersView", "entitledUsersView"),
        ("templateEntryId", "templateEntryId"),
    ] {
        if let Some(v) = get(column) {
            e.insert(field.into(), json!(v));
        }
    }
    for (field, column) in [
        ("conversionProfileId", "conversionProfileId"),
        ("accessControlId", "accessControlProfileId"),
    ] {
        if let Some(n) = get(column).and_then(|v| v.parse::<i64>().ok()) {
            e.insert(field.into(), json!(n));
        }
    }
    Value::Object(e)
}

/// The category's id by full name, created level by level when missing (`Err`: the message).
fn category(full_name: &str, api: &mut dyn BulkApi) -> Result<Value, String> {
    let mut parent: Option<Value> = None;
    let mut path = String::new();
    for level in full_name.split('>').map(str::trim) {
        if !path.is_empty() {
            path.push('>');
        }
        path.push_str(level);
        let found = api.call(
            "category",
            "list",
            json!({"filter": {"objectType": "KalturaCategoryFilter", "fullNameEqual": path}}),
        );
        if let Some(id) = found["objects"]
            .as_array()
            .and_then(|o| o.first())
            .map(|c| c["id"].clone())
        {
            parent = Some(id);
            continue;
        }
        let mut c = json!({"objectType": "KalturaCategory", "name": level});
        if let Some(p) = &parent {
            c["parentId"] = p.clone();
        }
        let made = api.call("category", "add", json!({ "category": c }));
        if failed(&made) {
            return Err(made["message"].as_str().unwrap_or_default().to_string());
        }
        parent = Some(made["id"].clone());
    }
    parent.ok_or_else(|| format!("Empty category name [{full_name}]"))
}

/// Runs an entry CSV job.
pub fn run(job: &BulkJob, api: &mut dyn BulkApi) -> BulkEnd {
    for (n, row) in rows(&job.data, &V3).iter().enumerate() {
        let mut r = BulkResult {
            line_index: row.line,
            status: 3,
            action: Some("1".into()),
            row_data: row.row_data.clone(),
            ..BulkResult::default()
        };
        let error = |mut r: BulkResult, message: String| {
            r.status = 1;
            r.error_type = Some(0);
            r.object_status = Some("-1".into());
            r.error_description = Some(message);
            r
        };
        if job.max_records > 0 && n as u64 >= job.max_records {
            api.report(error(r, "Exeeded max records count per bulk".into()));
            continue;
        }
        let values = if row.values.is_empty() {
            match positional(row) {
                Ok(v) => v,
                Err(_) => {
                    let m = format!("Wrong number of values on line {}", row.line);
                    api.report(error(r, m));
                    continue;
                }
            }
        } else {
            row.values
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let get = |c: &str| values.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone());
        match super::csv::action(get("action").as_deref()) {
            Ok(1) => {}
            // UPDATE, DELETE and unknown actions are skipped without any result.
            _ => continue,
        }
        let url = get("url").unwrap_or_default();
        let mut message = None;
        if !is_url(&url) {
            message = Some(format!("Invalid url '{url}' on line {}", row.line));
        }
        for (column, what) in [("scheduleStartDate", "start"), ("scheduleEndDate", "end")] {
            if let Some(v) = get(column).filter(|v| !is_date(v)) {
                message = Some(format!(
                    "Invalid schedule {what} date '{v}' on line {}",
                    row.line
                ));
            }
        }
        if let Some(m) = message {
            api.report(error(r, m));
            continue;
        }
        let api_error = |mut r: BulkResult, answer: &Value| {
            r.status = 1;
            r.error_type = Some(4);
            r.object_status = answer["code"].as_str().map(str::to_string);
            r.error_description = answer["message"].as_str().map(str::to_string);
            r
        };
        let added = api.call("media", "add", json!({"entry": entry(&get)}));
        if failed(&added) {
            api.report(api_error(r, &added));
            continue;
        }
        let id = added["id"].clone();
        r.object_id = id.as_str().map(str::to_string);
        let content = api.call(
            "media",
            "addContent",
            json!({"entryId": id, "resource": {"objectType": "KalturaUrlResource",
                   "url": url, "forceAsyncDownload": true}}),
        );
        if failed(&content) {
            api.report(api_error(r, &content));
            continue;
        }
        let mut errors = String::new();
        for name in get("category")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match category(name, api) {
                Ok(cid) => {
                    let linked = api.call(
                        "categoryEntry",
                        "add",
                        json!({"categoryEntry": {"objectType": "KalturaCategoryEntry",
                               "entryId": id, "categoryId": cid}}),
                    );
                    if failed(&linked) {
                        errors.push_str(linked["message"].as_str().unwrap_or_default());
                    }
                }
                Err(m) => errors.push_str(&m),
            }
        }
        let status = content["status"].as_i64().or(added["status"].as_i64());
        r.object_status = status.map(|s| s.to_string());
        r.status = if status == Some(2) { 2 } else { 3 };
        r.error_description = (!errors.is_empty()).then_some(errors);
        api.report(r);
    }
    BulkEnd::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_dates_as_the_engine_checks_them() {
        assert!(is_url("https://example.org/a video_1.mp4"));
        assert!(is_url("ftp://host/x"));
        assert!(!is_url(""));
        assert!(!is_url("example.org/x.mp4"));
        assert!(!is_url("https://exämple.org/x"));
        assert!(is_date("2027-01-02T03:04:05Z"));
        assert!(!is_date("2027-01-02 03:04:05"));
        assert!(!is_date("3027-01-02T03:04:05"));
    }
}
