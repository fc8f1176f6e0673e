//! `schedule_scheduleresource`: add, update, delete, get and list of schedule resources, with
//! Kaltura's checks (name required, unique system name per partner and type, parent must exist,
//! live-entry resources need an entry id).
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Value, json};

use super::error::ApiError;
use super::fields;
use super::list::{self, Filter};
use super::params::{self, Params};
use super::session::Session;
use super::store::{self, now_secs};

/// Resource classes and their `KalturaScheduleResourceType` codes.
const CLASSES: [(&str, i64); 3] = [
    ("KalturaLocationScheduleResource", 1),
    ("KalturaLiveEntryScheduleResource", 2),
    ("KalturaCameraScheduleResource", 3),
];
const FILTERS: [(&str, Option<i64>); 4] = [
    ("KalturaScheduleResourceFilter", None),
    ("KalturaLocationScheduleResourceFilter", Some(1)),
    ("KalturaLiveEntryScheduleResourceFilter", Some(2)),
    ("KalturaCameraScheduleResourceFilter", Some(3)),
];
const WRITABLE: [&str; 7] = [
    "name",
    "systemName",
    "description",
    "tags",
    "parentId",
    "entryId",
    "streamUrl",
];
const READ_ONLY: [&str; 5] = ["id", "partnerId", "status", "createdAt", "updatedAt"];
const FILTER_FIELDS: [&str; 8] = [
    "id",
    "parentId",
    "name",
    "systemName",
    "status",
    "entryId",
    "createdAt",
    "updatedAt",
];

/// `KalturaScheduleResourceStatus`.
const ACTIVE: i64 = 2;
const DELETED: i64 = 3;

/// The actions of the service.
pub(crate) const ACTIONS: [&str; 5] = ["add", "update", "delete", "get", "list"];

/// Runs one action.
pub(crate) fn call(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    match action {
        "add" => add(tx, session, p),
        "update" => update(tx, session, p),
        "delete" => delete(tx, session, p),
        "get" => load(tx, session, fields::id(p, "scheduleResourceId")?),
        _ => list(tx, session, p),
    }
}

fn type_of(obj: &Value) -> i64 {
    let class = obj["objectType"].as_str().unwrap_or_default();
    CLASSES
        .iter()
        .find(|(c, _)| *c == class)
        .map_or(1, |(_, t)| *t)
}

fn load(tx: &Transaction<'_>, session: &Session, id: i64) -> Result<Value, ApiError> {
    store::live_object(tx, "resources", id, session.partner_id)?
        .ok_or_else(|| ApiError::invalid_object_id(&id.to_string()))
}

/// Validates a resource about to be stored (its id is `None` before insertion).
fn validate(
    tx: &Transaction<'_>,
    session: &Session,
    obj: &Value,
    id: Option<i64>,
) -> Result<(), ApiError> {
    let class = obj["objectType"].as_str().unwrap_or_default();
    if params::non_empty(obj.get("name")).is_none() {
        return Err(ApiError::cannot_be_null(&format!("{class}::name")));
    }
    fields::check_length(obj, class, "name", 1, 256)?;
    fields::check_length(obj, class, "systemName", 1, 256)?;
    if type_of(obj) == 2 && params::non_empty(obj.get("entryId")).is_none() {
        return Err(ApiError::cannot_be_null(&format!("{class}::entryId")));
    }
    if let Some(system_name) = params::non_empty(obj.get("systemName")) {
        let taken: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM resources WHERE partner_id = ?1 AND type = ?2 AND system_name = ?3 \
                 AND status != 3 AND id != ?4",
            )?
            .query_row(
                params![
                    session.partner_id,
                    type_of(obj),
                    system_name,
                    id.unwrap_or(-1)
                ],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(ApiError::system_name_exists(&system_name));
        }
    }
    if let Some(parent) = obj["parentId"].as_i64().filter(|p| *p != 0)
        && (Some(parent) == id || load(tx, session, parent).is_err())
    {
        return Err(ApiError::resource_parent_not_found(&parent.to_string()));
    }
    Ok(())
}

fn save(tx: &Transaction<'_>, id: i64, obj: &Value) -> Result<(), ApiError> {
    let system_name = params::non_empty(obj.get("systemName"));
    store::update_object(tx, "resources", "system_name", id, system_name, obj)
}

fn add(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let sent = fields::object(p, "scheduleResource")?;
    let (class, resource_type) = fields::class(sent, "KalturaScheduleResource", &CLASSES)?;
    fields::reject_read_only(sent, class, &READ_ONLY, None)?;
    let now = now_secs();
    let mut obj = json!({
        "objectType": class, "partnerId": session.partner_id, "parentId": 0, "status": ACTIVE,
        "createdAt": now, "updatedAt": now,
    });
    fields::copy(sent, &mut obj, &WRITABLE);
    fields::normalize_ints(&mut obj, class, &["parentId"])?;
    validate(tx, session, &obj, None)?;
    tx.prepare_cached(
        "INSERT INTO resources (partner_id, type, system_name, status, data) VALUES (?1, ?2, NULL, ?3, '{}')",
    )?
    .execute(params![session.partner_id, resource_type, ACTIVE])?;
    let id = tx.last_insert_rowid();
    obj["id"] = json!(id);
    save(tx, id, &obj)?;
    Ok(obj)
}

fn update(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::id(p, "scheduleResourceId")?;
    let sent = fields::object(p, "scheduleResource")?;
    let mut obj = load(tx, session, id)?;
    let class = obj["objectType"].as_str().unwrap_or_default().to_string();
    fields::reject_read_only(sent, &class, &READ_ONLY, Some(&obj))?;
    fields::copy(sent, &mut obj, &WRITABLE);
    fields::normalize_ints(&mut obj, &class, &["parentId"])?;
    validate(tx, session, &obj, Some(id))?;
    obj["updatedAt"] = json!(now_secs());
    save(tx, id, &obj)?;
    Ok(obj)
}

fn delete(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::id(p, "scheduleResourceId")?;
    let mut obj = load(tx, session, id)?;
    obj["status"] = json!(DELETED);
    obj["updatedAt"] = json!(now_secs());
    save(tx, id, &obj)?;
    Ok(obj)
}

fn list(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let filter_value = p.root.get("filter");
    let type_restriction = match list::filter_class(filter_value) {
        None => None,
        Some(name) => FILTERS
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| ApiError::invalid_object_type(&name))?,
    };
    let filter = Filter::new(filter_value, &FILTER_FIELDS)?;
    let pager = list::pager(p.root.get("pager"))?;
    let with_deleted = if filter.mentions("status") {
        DELETED + 1
    } else {
        DELETED
    };
    let objects = store::objects(
        tx,
        "SELECT data FROM resources WHERE partner_id = ?1 AND (?2 IS NULL OR type = ?2) AND status < ?3 ORDER BY id",
        params![session.partner_id, type_restriction, with_deleted],
    )?;
    Ok(list::respond(
        objects,
        &filter,
        pager,
        "KalturaScheduleResourceListResponse",
    ))
}
