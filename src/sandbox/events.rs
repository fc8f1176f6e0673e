//! `schedule_scheduleevent` (add, update, cancel, delete, get, list) and
//! `schedule_scheduleeventresource` (add, get, update, delete, list), with Kaltura's date and
//! duration rules.
use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::fields;
use super::list;
use super::params::{self, Params};
use super::session::Session;
use super::store::{self, now_secs};

/// Event classes and their `KalturaScheduleEventType` codes.
const CLASSES: [(&str, i64); 3] = [
    ("KalturaRecordScheduleEvent", 1),
    ("KalturaLiveStreamScheduleEvent", 2),
    ("KalturaBlackoutScheduleEvent", 3),
];
const WRITABLE: [&str; 28] = [
    "summary",
    "description",
    "startDate",
    "endDate",
    "referenceId",
    "classificationType",
    "geoLatitude",
    "geoLongitude",
    "location",
    "organizer",
    "ownerId",
    "priority",
    "sequence",
    "recurrenceType",
    "duration",
    "contact",
    "comment",
    "tags",
    "categoryIds",
    "recurrence",
    "templateEntryId",
    "preStartTime",
    "postEndTime",
    "sourceEntryId",
    "projectedAudience",
    "preStartEntryId",
    "postEndEntryId",
    "resourceIds",
];
const INTS: [&str; 7] = [
    "startDate",
    "endDate",
    "duration",
    "recurrenceType",
    "priority",
    "sequence",
    "classificationType",
];
const FILTER_FIELDS: [&str; 11] = [
    "id",
    "referenceId",
    "status",
    "startDate",
    "endDate",
    "summary",
    "templateEntryId",
    "ownerId",
    "recurrenceType",
    "createdAt",
    "updatedAt",
];

/// `max_single_schedule_event_duration`: one occurrence lasts at most a day.
pub(crate) const MAX_SINGLE_DURATION: i64 = 86_400;
/// `max_schedule_event_duration`: a whole series spans at most two years.
pub(crate) const MAX_TOTAL_DURATION: i64 = 60 * 60 * 24 * 365 * 2;

/// `KalturaScheduleEventStatus`.
const CANCELLED: i64 = 1;
const ACTIVE: i64 = 2;
const DELETED: i64 = 3;
/// `KalturaScheduleEventRecurrenceType`: NONE 0, RECURRING 1, RECURRENCE 2.
const RECURRING: i64 = 1;

/// The actions of `schedule_scheduleevent`.
pub(crate) const EVENT_ACTIONS: [&str; 6] = ["add", "update", "cancel", "delete", "get", "list"];
/// The actions of `schedule_scheduleeventresource`.
pub(crate) const LINK_ACTIONS: [&str; 5] = ["add", "get", "update", "delete", "list"];

/// Runs one `schedule_scheduleevent` action.
pub(crate) fn call(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    match action {
        "add" => add(tx, session, p),
        "update" => update(tx, session, p),
        "cancel" => set_status(tx, session, p, CANCELLED),
        "delete" => set_status(tx, session, p, DELETED),
        "get" => load(tx, session, fields::id(p, "scheduleEventId")?),
        _ => list(tx, session, p),
    }
}

fn load(tx: &Transaction<'_>, session: &Session, id: i64) -> Result<Value, ApiError> {
    store::live_object(tx, "events", id, session.partner_id)?
        .ok_or_else(|| ApiError::invalid_object_id(&id.to_string()))
}

/// `KalturaScheduleEvent::validateForInsert/Update`: summary, dates, durations, recurrence.
fn validate(obj: &mut Value) -> Result<(), ApiError> {
    let class = obj["objectType"].as_str().unwrap_or_default().to_string();
    let prop = |f: &str| format!("{class}::{f}");
    if params::non_empty(obj.get("summary")).is_none() {
        return Err(ApiError::cannot_be_null(&prop("summary")));
    }
    fields::check_length(obj, &class, "summary", 1, 256)?;
    let start = obj["startDate"]
        .as_i64()
        .ok_or_else(|| ApiError::cannot_be_null(&prop("startDate")))?;
    let recurrence_type = obj["recurrenceType"].as_i64().unwrap_or(0);
    if !(0..=2).contains(&recurrence_type) {
        let v = recurrence_type.to_string();
        return Err(ApiError::invalid_enum(
            &v,
            "recurrenceType",
            "KalturaScheduleEventRecurrenceType",
        ));
    }
    if let Some(end) = obj["endDate"].as_i64()
        && end < start
    {
        return Err(ApiError::end_before_start(end, start));
    }
    if recurrence_type == RECURRING {
        let duration = obj["duration"]
            .as_i64()
            .ok_or_else(|| ApiError::cannot_be_null(&prop("duration")))?;
        if duration > MAX_SINGLE_DURATION {
            return Err(ApiError::max_duration(MAX_SINGLE_DURATION));
        }
        let recurrence = obj.get("recurrence").and_then(Value::as_object);
        let recurrence = recurrence.ok_or_else(|| ApiError::cannot_be_null(&prop("recurrence")))?;
        let until = params::int(recurrence.get("until"), "until")?;
        let count = params::int(recurrence.get("count"), "count")?;
        match (until, count) {
            (Some(until), None) if until - start > MAX_TOTAL_DURATION => {
                return Err(ApiError::max_duration(MAX_TOTAL_DURATION));
            }
            (Some(_), None) | (None, Some(_)) => {}
            _ => return Err(ApiError::all_null_but_one("until / count")),
        }
    } else {
        let end = obj["endDate"]
            .as_i64()
            .ok_or_else(|| ApiError::cannot_be_null(&prop("endDate")))?;
        if end - start > MAX_SINGLE_DURATION {
            return Err(ApiError::max_duration(MAX_SINGLE_DURATION));
        }
        obj["duration"] = json!(end - start);
    }
    Ok(())
}

fn take_fields(sent: &Map<String, Value>, obj: &mut Value, class: &str) -> Result<(), ApiError> {
    fields::copy(sent, obj, &WRITABLE);
    fields::normalize_ints(obj, class, &INTS)
}

fn save(tx: &Transaction<'_>, id: i64, obj: &Value) -> Result<(), ApiError> {
    let reference_id = params::text(obj.get("referenceId"));
    store::update_object(tx, "events", "reference_id", id, reference_id, obj)
}

fn add(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let sent = fields::object(p, "scheduleEvent")?;
    let (class, _) = fields::class(sent, "KalturaScheduleEvent", &CLASSES)?;
    fields::reject_read_only(sent, class, &fields::READ_ONLY, None)?;
    let now = now_secs();
    let mut obj = json!({
        "objectType": class, "partnerId": session.partner_id, "status": ACTIVE, "recurrenceType": 0,
        "ownerId": session.user_id, "sequence": 1, "createdAt": now, "updatedAt": now,
    });
    take_fields(sent, &mut obj, class)?;
    validate(&mut obj)?;
    tx.execute(
        "INSERT INTO events (partner_id, status, data) VALUES (?1, ?2, '{}')",
        params![session.partner_id, ACTIVE],
    )?;
    let id = tx.last_insert_rowid();
    obj["id"] = json!(id);
    save(tx, id, &obj)?;
    Ok(obj)
}

fn update(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::id(p, "scheduleEventId")?;
    let sent = fields::object(p, "scheduleEvent")?;
    let mut obj = load(tx, session, id)?;
    let class = obj["objectType"].as_str().unwrap_or_default().to_string();
    fields::reject_read_only(sent, &class, &fields::READ_ONLY, Some(&obj))?;
    // A new end date recomputes the duration of a single event, so the stored one must not win.
    if sent.get("endDate").is_some_and(|v| !v.is_null())
        && obj["recurrenceType"].as_i64() != Some(RECURRING)
    {
        obj["duration"] = Value::Null;
    }
    take_fields(sent, &mut obj, &class)?;
    validate(&mut obj)?;
    obj["updatedAt"] = json!(now_secs());
    save(tx, id, &obj)?;
    Ok(obj)
}

/// `cancel` (status CANCELLED, still listed) and `delete` (status DELETED, gone from get and list).
fn set_status(
    tx: &Transaction<'_>,
    session: &Session,
    p: &Params,
    status: i64,
) -> Result<Value, ApiError> {
    let id = fields::id(p, "scheduleEventId")?;
    let mut obj = load(tx, session, id)?;
    obj["status"] = json!(status);
    obj["updatedAt"] = json!(now_secs());
    save(tx, id, &obj)?;
    Ok(obj)
}

fn list(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    list::run(
        tx,
        p,
        &FILTER_FIELDS,
        "KalturaScheduleEventListResponse",
        "SELECT data FROM events WHERE partner_id = ?1 AND status != 3 ORDER BY id",
        params![session.partner_id],
    )
}

/// Runs one `schedule_scheduleeventresource` action.
pub(crate) fn call_link(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    match action {
        "list" => list::run(
            tx,
            p,
            &["eventId", "resourceId", "createdAt", "updatedAt"],
            "KalturaScheduleEventResourceListResponse",
            "SELECT data FROM event_resources WHERE partner_id = ?1 ORDER BY id",
            params![session.partner_id],
        ),
        "add" => add_link(tx, session, p),
        _ => {
            let event_id = fields::id(p, "scheduleEventId")?;
            let resource_id = fields::id(p, "scheduleResourceId")?;
            let mut obj = load_link(tx, session, event_id, resource_id)?;
            match action {
                "get" => Ok(obj),
                "update" => {
                    let sent = fields::object(p, "scheduleEventResource")?;
                    let class = "KalturaScheduleEventResource";
                    // eventId and resourceId are insert-only: they may only be sent unchanged.
                    fields::reject_read_only(
                        sent,
                        class,
                        &[
                            "eventId",
                            "resourceId",
                            "partnerId",
                            "createdAt",
                            "updatedAt",
                        ],
                        Some(&obj),
                    )?;
                    obj["updatedAt"] = json!(now_secs());
                    tx.execute(
                        "UPDATE event_resources SET data = ?3 WHERE event_id = ?1 AND resource_id = ?2",
                        params![event_id, resource_id, obj.to_string()],
                    )?;
                    Ok(obj)
                }
                _ => {
                    tx.execute(
                        "DELETE FROM event_resources WHERE event_id = ?1 AND resource_id = ?2",
                        params![event_id, resource_id],
                    )?;
                    Ok(Value::Null)
                }
            }
        }
    }
}

fn load_link(
    tx: &Transaction<'_>,
    session: &Session,
    event_id: i64,
    resource_id: i64,
) -> Result<Value, ApiError> {
    store::object(
        tx,
        "SELECT data FROM event_resources WHERE event_id = ?1 AND resource_id = ?2 AND partner_id = ?3",
        params![event_id, resource_id, session.partner_id],
    )?
    .ok_or_else(|| ApiError::invalid_object_id(&format!("{event_id},{resource_id}")))
}

fn add_link(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let sent = fields::object(p, "scheduleEventResource")?;
    let class = "KalturaScheduleEventResource";
    let event_id = params::int(sent.get("eventId"), &format!("{class}::eventId"))?
        .ok_or_else(|| ApiError::cannot_be_null(&format!("{class}::eventId")))?;
    let resource_id = params::int(sent.get("resourceId"), &format!("{class}::resourceId"))?
        .ok_or_else(|| ApiError::cannot_be_null(&format!("{class}::resourceId")))?;
    load(tx, session, event_id).map_err(|_| ApiError::event_id_not_found(event_id))?;
    let resource_exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM resources WHERE id = ?1 AND partner_id = ?2 AND status != 3)",
        params![resource_id, session.partner_id],
        |r| r.get(0),
    )?;
    if !resource_exists {
        return Err(ApiError::resource_id_not_found(resource_id));
    }
    let linked: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM event_resources WHERE event_id = ?1 AND resource_id = ?2)",
        params![event_id, resource_id],
        |r| r.get(0),
    )?;
    if linked {
        return Err(ApiError::event_resource_exists(event_id, resource_id));
    }
    let now = now_secs();
    let obj = json!({
        "objectType": class, "eventId": event_id, "resourceId": resource_id,
        "partnerId": session.partner_id, "createdAt": now, "updatedAt": now,
    });
    tx.execute(
        "INSERT INTO event_resources (partner_id, event_id, resource_id, data) VALUES (?1, ?2, ?3, ?4)",
        params![session.partner_id, event_id, resource_id, obj.to_string()],
    )?;
    Ok(obj)
}
