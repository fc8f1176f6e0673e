//! The schedule-event CSV engine (`BulkUploadScheduleEventCsvEngine`, kaltura-formats §4) as it
//! runs a job: the rows read with kbulk's PHP `fgetcsv` tokenizer under the `*` header, the
//! events with kbulk's event-CSV reader (the same `strtotime` times and recurrence as the
//! iCal model's [`super::ical::to_object`] sends), then per row, in file order:
//! - the parse checks of §4.2, their messages appended with the literal `\n ` the engine writes:
//!   an action other than 1 ("Only action type 1 (ADD) is supported"), the six required values,
//!   a recurrence without duration, no resource; errors are APP (0);
//! - the resource looked up (`resourceID` by `idEqual`, else `resource` by `systemNameEqual`,
//!   ACTIVE only): none → "Invalid resource system name or ID passed. Event was not created.";
//! - both `categoryIds` and `categoryPaths`: the note of §4.2.7, the event still created without
//!   categories; otherwise categories resolved (`idIn` / `fullNameIn`), unknown ones dropped;
//! - `scheduleEvent.add` (`eventOrganizerId` as `ownerId` and `organizer`), then
//!   `scheduleEventResource.add`, the template entry (`media.add` / `liveStream.add`),
//!   `categoryEntry.add` per category, `scheduleEvent.update` with the `templateEntryId` (§4.4).
//!   An API error in these is KALTURA_API (4) with the event's id when it was already created,
//!   as the engine leaves it (an invalid `templateEntryType` leaves an orphan event).
//!
//! Left out: `scheduleEvent.getConflicts` (the sandbox has no conflict service), so a conflicting
//! event is created where Kaltura would report "Conflicting events found for resource ID".
use std::collections::HashMap;

use serde_json::{Value, json};

use super::csv::{Row, rows};
use super::ical::{Item, read_items, to_object};
use crate::formats::csv::event::COLUMNS;

use crate::record::event::EventType;
use crate::sandbox::{BulkApi, BulkEnd, BulkJob, BulkResult};

/// The engine's required values (empty or `"0"` counts as missing).
const REQUIRED: [&str; 6] = [
    "action",
    "eventType",
    "title",
    "startTime",
    "eventOrganizerId",
    "contentOwnerId",
];

fn failed(answer: &Value) -> bool {
    answer["objectType"] == "KalturaAPIException"
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The parse checks of §4.2 (1–5): the appended message when the row is not created.
fn validate(row: &Row) -> Option<String> {
    let mut errors = String::new();
    let action = row.get("action").unwrap_or_default();
    if action != "1" {
        return Some(format!(
            "\\n Invalid action type value {action} passed. Only action type 1 (ADD) is \
             supported at this time."
        ));
    }
    for c in REQUIRED {
        if row.get(c).is_none_or(|v| v == "0") {
            errors.push_str(&format!("\\n Value for {c} must be specified!"));
        }
    }
    if row.get("recurrence").is_some() && row.get("duration").is_none_or(|d| d == "0") {
        errors.push_str(
            "\\n Recurrence pattern cannot be specified without the duration for each event \
             instance. Event was not created.",
        );
        return Some(errors);
    }
    if row.get("resourceID").is_none() && row.get("resource").is_none() {
        errors.push_str(
            "\\n Neither the resource system name nor the resource ID were specified. Event was \
             not created.",
        );
        return Some(errors);
    }
    (!errors.is_empty()).then_some(errors)
}

/// The ACTIVE resource the row names (`resourceID` wins over `resource`).
fn resource(row: &Row, api: &mut dyn BulkApi) -> Option<Value> {
    let filter = match row.get("resourceID") {
        Some(id) => json!({"objectType": "KalturaScheduleResourceFilter", "idEqual": id,
                           "statusEqual": 2}),
        None => json!({"objectType": "KalturaScheduleResourceFilter",
                       "systemNameEqual": row.get("resource"), "statusEqual": 2}),
    };
    let answer = api.call(
        "schedule_scheduleresource",
        "list",
        json!({"filter": filter}),
    );
    answer["objects"].as_array()?.first()?.get("id").cloned()
}

/// The categories' ids as the engine resolves them (unknown ones dropped).
fn categories(row: &Row, api: &mut dyn BulkApi) -> Vec<Value> {
    let filter = match (row.get("categoryIds"), row.get("categoryPaths")) {
        (Some(ids), None) => json!({"objectType": "KalturaCategoryFilter", "idIn": ids}),
        (None, Some(paths)) => {
            json!({"objectType": "KalturaCategoryFilter", "fullNameIn": paths})
        }
        _ => return Vec::new(),
    };
    let answer = api.call(
        "category",
        "list",
        json!({"filter": filter, "pager": {"objectType": "KalturaFilterPager", "pageSize": 30}}),
    );
    answer["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("id").cloned())
        .collect()
}

/// The template entry call of §4.4.5 (`None`: an invalid type, the engine's exception).
fn template(row: &Row) -> Option<(&'static str, Value)> {
    let mut entry = serde_json::Map::new();
    for (name, column) in [
        ("name", "title"),
        ("description", "description"),
        ("tags", "tags"),
        ("userId", "contentOwnerId"),
        ("creatorId", "contentOwnerId"),
        ("entitledUsersEdit", "coEditors"),
        ("entitledUsersPublish", "coPublishers"),
    ] {
        if let Some(v) = row.get(column) {
            entry.insert(name.into(), json!(v));
        }
    }
    match row.get("templateEntryType") {
        Some("media") => {
            entry.insert("objectType".into(), json!("KalturaMediaEntry"));
            entry.insert("mediaType".into(), json!(1));
            Some(("media", json!({"entry": entry})))
        }
        Some("live") => {
            entry.insert("objectType".into(), json!("KalturaLiveStreamEntry"));
            entry.insert("mediaType".into(), json!(201));
            Some((
                "liveStream",
                json!({"liveStreamEntry": entry, "sourceType": "32"}),
            ))
        }
        _ => None,
    }
}

/// Makes the objects of one valid row (§4.4); `Err`: the API error, with the event's id when
/// it was created.
fn create(
    row: &Row,
    item: &Item,
    resource_id: Value,
    api: &mut dyn BulkApi,
) -> Result<Value, (Value, Option<String>)> {
    let e = item.event.as_ref().ok_or_else(|| {
        (
            json!({"message": "Unable to read the row", "code": ""}),
            None,
        )
    })?;
    let code = row.get("eventType").unwrap_or_default();
    let class = code
        .parse::<u8>()
        .ok()
        .filter(|c| matches!(c, 1 | 2 | 4 | 5))
        .and_then(EventType::from_code)
        .map(EventType::api_class)
        .ok_or_else(|| {
            (
                json!({"message": format!("Invalid scheduled event type: {code}"), "code": ""}),
                None,
            )
        })?;
    let both = row.get("categoryIds").is_some() && row.get("categoryPaths").is_some();
    let cats = if both {
        Vec::new()
    } else {
        categories(row, api)
    };
    let mut object = to_object(item, e, class);
    if let Some(o) = object.as_object_mut() {
        o.remove("categoryIds");
        o.remove("referenceId");
        if let Some(org) = row.get("eventOrganizerId") {
            o.insert("ownerId".into(), json!(org));
            o.insert("organizer".into(), json!(org));
        }
        if !cats.is_empty() {
            let ids: Vec<String> = cats.iter().filter_map(id_text).collect();
            o.insert("categoryIds".into(), json!(ids.join(",")));
        }
    }
    let event = api.call(
        "schedule_scheduleevent",
        "add",
        json!({"scheduleEvent": object}),
    );
    if failed(&event) {
        return Err((event, None));
    }
    let event_id = event["id"].clone();
    let made = id_text(&event_id);
    let link = api.call(
        "schedule_scheduleeventresource",
        "add",
        json!({"scheduleEventResource": {"objectType": "KalturaScheduleEventResource",
               "eventId": event_id, "resourceId": resource_id}}),
    );
    if failed(&link) {
        return Err((link, made));
    }
    let Some((service, params)) = template(row) else {
        let t = row.get("templateEntryType").unwrap_or_default();
        return Err((
            json!({"message": format!("Invalid template entry type: {t}"), "code": ""}),
            made,
        ));
    };
    let entry = api.call(service, "add", params);
    if failed(&entry) {
        return Err((entry, made));
    }
    for c in &cats {
        let answer = api.call(
            "categoryEntry",
            "add",
            json!({"categoryEntry": {"objectType": "KalturaCategoryEntry",
                   "entryId": entry["id"], "categoryId": c}}),
        );
        if failed(&answer) {
            return Err((answer, made));
        }
    }
    let updated = api.call(
        "schedule_scheduleevent",
        "update",
        json!({"scheduleEventId": event_id,
               "scheduleEvent": {"objectType": class, "templateEntryId": entry["id"]}}),
    );
    if failed(&updated) {
        return Err((updated, made));
    }
    Ok(updated)
}

/// Runs a schedule-event CSV job.
pub fn run(job: &BulkJob, api: &mut dyn BulkApi) -> BulkEnd {
    let read = read_items(job, false, |data, offset, file, opts, feed, findings| {
        crate::formats::csv::event::read(data, offset, file, opts, feed, findings)
    });
    let read = match read {
        Ok(items) => items,
        Err(end) => return end,
    };
    let items: HashMap<u64, &Item> = read.iter().map(|i| (i.index, i)).collect();
    let all = rows(&job.data, &COLUMNS);
    let skip = if job.data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let header = job.data[skip..]
        .split(|&b| b == b'\n')
        .any(|l| l.trim_ascii_start().starts_with(b"*"));
    if !all.is_empty() && !header {
        // No `*` header: the column map is null and `count(null)` is a TypeError on PHP 8.
        return BulkEnd::Failed {
            message: "TypeError: count(): Argument #1 ($value) must be of type \
                      Countable|array, null given"
                .into(),
            error_type: 1,
        };
    }
    for row in &all {
        let mut r = BulkResult {
            line_index: row.line,
            status: 3,
            action: Some("1".into()),
            row_data: row.row_data.clone(),
            ..BulkResult::default()
        };
        if let Some(error) = validate(row) {
            r.status = 1;
            r.error_type = Some(0);
            r.error_description = Some(error);
            api.report(r);
            continue;
        }
        let Some(resource_id) = resource(row, api) else {
            r.status = 1;
            r.error_type = Some(0);
            r.error_description = Some(
                "\\n Invalid resource system name or ID passed. Event was not created.".into(),
            );
            api.report(r);
            continue;
        };
        let note =
            (row.get("categoryIds").is_some() && row.get("categoryPaths").is_some()).then(|| {
                "\\n Please use categoryIds OR categoryPaths, and not both. Event category \
                 association will not be created. "
                    .to_string()
            });
        let Some(item) = items.get(&row.line) else {
            r.status = 1;
            r.error_type = Some(0);
            r.error_description = Some("\\n Unable to read the row".into());
            api.report(r);
            continue;
        };
        match create(row, item, resource_id, api) {
            Ok(event) => {
                r.status = 2;
                r.object_id = id_text(&event["id"]);
                r.object_status = event["status"].as_i64().map(|s| s.to_string());
                r.error_description = note;
            }
            Err((e, made)) => {
                r.status = 1;
                r.error_type = Some(4);
                r.object_id = made;
                r.error_code = e["code"]
                    .as_str()
                    .filter(|c| !c.is_empty())
                    .map(str::to_string);
                r.object_status = r.error_code.clone();
                r.error_description = e["message"].as_str().map(str::to_string);
            }
        }
        api.report(r);
    }
    BulkEnd::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Row {
        Row {
            line: 1,
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            row_data: String::new(),
            bad_encoding: false,
        }
    }

    #[test]
    fn parse_checks_append_the_engine_messages() {
        assert_eq!(
            validate(&row(&[("action", "2")])).unwrap(),
            "\\n Invalid action type value 2 passed. Only action type 1 (ADD) is supported at \
             this time."
        );
        let missing = validate(&row(&[("action", "1"), ("eventType", "0")])).unwrap();
        assert!(
            missing.starts_with("\\n Value for eventType must be specified!\\n Value for title")
        );
        assert!(missing.ends_with(
            "Neither the resource system name nor the resource ID were \
                                   specified. Event was not created."
        ));
        let full = [
            ("action", "1"),
            ("eventType", "1"),
            ("title", "T"),
            ("startTime", "2027-01-01"),
            ("eventOrganizerId", "o"),
            ("contentOwnerId", "o"),
            ("resource", "r"),
        ];
        assert_eq!(validate(&row(&full)), None);
        let mut rec = full.to_vec();
        rec.push(("recurrence", "FREQ=DAILY,COUNT=2"));
        assert!(
            validate(&row(&rec))
                .unwrap()
                .contains("without the duration")
        );
    }
}
