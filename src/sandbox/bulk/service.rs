//! The bulk services: `schedulebulkupload_schedulebulk.addScheduleResources/addScheduleEvents`
//! (and their aliases `schedule_scheduleresource.addFromBulkUpload`,
//! `schedule_scheduleevent.addFromBulkUpload`), `bulkupload_bulk.addEntries` (alias
//! `media.bulkUploadAdd`), `bulkupload_bulk.get/list/abort` and `serveLog` (also on the
//! deprecated `bulkupload` service). A job is stored PENDING with its file and handed to the
//! worker when the transaction commits.
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Value, json};

use super::super::error::ApiError;
use super::super::http::Response;
use super::super::list::{self, Filter};
use super::super::params::{self, Params};
use super::super::server::Shared;
use super::super::session::Session;
use super::super::store::{self, now_secs};
use super::{BulkKind, log, status};

/// Actions of `schedulebulkupload_schedulebulk`.
pub(crate) const SCHEDULE_ACTIONS: [&str; 2] = ["addscheduleresources", "addscheduleevents"];
/// Actions of `bulkupload_bulk`.
pub(crate) const BULK_ACTIONS: [&str; 6] =
    ["addentries", "get", "list", "abort", "servelog", "serve"];
/// Actions of the deprecated `bulkupload` service.
pub(crate) const OLD_ACTIONS: [&str; 2] = ["servelog", "serve"];

const FILTER_FIELDS: [&str; 5] = [
    "id",
    "status",
    "bulkUploadObjectType",
    "uploadedOn",
    "bulkUploadType",
];

/// Whether `service.action` (lower case) starts a bulk job, and which action of the bulk
/// service it is the same as.
pub(crate) fn alias(service: &str, action: &str) -> Option<&'static str> {
    match (service, action) {
        ("schedule_scheduleresource", "addfrombulkupload") => Some("addscheduleresources"),
        ("schedule_scheduleevent", "addfrombulkupload") => Some("addscheduleevents"),
        ("media", "bulkuploadadd") => Some("addentries"),
        _ => None,
    }
}

/// Runs one JSON action of the bulk services; `Ok((value, Some(id)))` when a job was created
/// (the caller hands it to the worker after the commit).
pub(crate) fn call(
    tx: &Transaction<'_>,
    shared: &Shared,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<(Value, Option<i64>), ApiError> {
    match action {
        "addscheduleresources" => add(tx, shared, session, p, |_| {
            Ok(BulkKind::ScheduleResourceCsv)
        }),
        "addscheduleevents" => add(tx, shared, session, p, |data| {
            let data = data.ok_or_else(|| ApiError::missing_parameter("bulkUploadData"))?;
            match data.get("objectType").and_then(Value::as_str) {
                Some("KalturaBulkUploadICalJobData") => {
                    if params::non_empty(data.get("eventsType")).is_none() {
                        return Err(ApiError::missing_parameter("eventsType"));
                    }
                    Ok(BulkKind::ICal)
                }
                Some("KalturaBulkUploadScheduleEventCsvJobData") => Ok(BulkKind::ScheduleEventCsv),
                Some("KalturaBulkUploadJobData") | None => {
                    Err(ApiError::object_type_abstract("KalturaBulkUploadJobData"))
                }
                Some(other) => Err(ApiError::invalid_object_type(other)),
            }
        }),
        "addentries" => add(tx, shared, session, p, |data| {
            match data
                .and_then(|d| d.get("objectType"))
                .and_then(Value::as_str)
            {
                Some("KalturaBulkUploadXmlJobData") => Ok(BulkKind::EntryXml),
                Some("KalturaBulkUploadCsvJobData") | None => Ok(BulkKind::EntryCsv),
                Some("KalturaBulkUploadJobData") => {
                    Err(ApiError::object_type_abstract("KalturaBulkUploadJobData"))
                }
                Some(other) => Err(ApiError::invalid_object_type(other)),
            }
        }),
        "get" => Ok((load(tx, session, job_id(p)?)?, None)),
        "abort" => Ok((abort(tx, session, job_id(p)?)?, None)),
        _ => Ok((list(tx, session, p)?, None)),
    }
}

fn job_id(p: &Params) -> Result<i64, ApiError> {
    let raw = params::text(p.root.get("id")).unwrap_or_default();
    params::int(p.root.get("id"), "id")?.ok_or_else(|| ApiError::bulk_upload_not_found(&raw))
}

fn add(
    tx: &Transaction<'_>,
    shared: &Shared,
    session: &Session,
    p: &Params,
    kind: impl FnOnce(Option<&serde_json::Map<String, Value>>) -> Result<BulkKind, ApiError>,
) -> Result<(Value, Option<i64>), ApiError> {
    let file = p
        .files
        .iter()
        .find(|f| f.name == "fileData")
        .ok_or_else(|| ApiError::missing_parameter("fileData"))?;
    let data = p.root.get("bulkUploadData").and_then(Value::as_object);
    let kind = kind(data)?;
    let file_name = data
        .and_then(|d| params::non_empty(d.get("fileName")))
        .or_else(|| file.filename.clone())
        .unwrap_or_else(|| "bulk".into());
    let events_type = match data {
        Some(d) => params::int(d.get("eventsType"), "eventsType")?,
        None => None,
    };
    let now = now_secs();
    let job = json!({
        "objectType": "KalturaBulkUpload",
        "partnerId": session.partner_id,
        "status": status::PENDING,
        "uploadedOn": now,
        "uploadedBy": if session.user_id.is_empty() { "sandbox" } else { session.user_id.as_str() },
        "uploadedByUserId": session.user_id,
        "fileName": file_name,
        "numOfObjects": 0,
        "numOfErrorObjects": 0,
        "bulkUploadType": kind.upload_type(),
        "bulkUploadObjectType": kind.object_type(),
        "eventsType": events_type,
        "maxRecords": shared.bulk.config().max_records,
    });
    tx.execute(
        "INSERT INTO bulk_jobs (partner_id, kind, status, file, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            session.partner_id,
            kind.name(),
            status::PENDING,
            file.data,
            job.to_string()
        ],
    )?;
    let id = tx.last_insert_rowid();
    let job = finish(tx, id, job)?;
    Ok((job, Some(id)))
}

/// Adds the id and URLs to a stored job and writes it back.
fn finish(tx: &Transaction<'_>, id: i64, mut job: Value) -> Result<Value, ApiError> {
    job["id"] = json!(id);
    job["logFileUrl"] = json!(format!(
        "/api_v3/service/bulkupload_bulk/action/serveLog/id/{id}"
    ));
    job["bulkFileUrl"] = json!(format!(
        "/api_v3/service/bulkupload_bulk/action/serve/id/{id}"
    ));
    save(tx, id, &job)?;
    Ok(job)
}

/// Writes a job's JSON and status column.
pub(crate) fn save(tx: &Transaction<'_>, id: i64, job: &Value) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE bulk_jobs SET data = ?1, status = ?2 WHERE id = ?3",
        params![job.to_string(), job["status"].as_i64().unwrap_or(0), id],
    )?;
    Ok(())
}

/// A job of the session's partner.
pub(crate) fn load(tx: &Transaction<'_>, session: &Session, id: i64) -> Result<Value, ApiError> {
    store::object(
        tx,
        "SELECT data FROM bulk_jobs WHERE id = ?1 AND partner_id = ?2",
        params![id, session.partner_id],
    )?
    .ok_or_else(|| ApiError::bulk_upload_not_found(&id.to_string()))
}

fn abort(tx: &Transaction<'_>, session: &Session, id: i64) -> Result<Value, ApiError> {
    let mut job = load(tx, session, id)?;
    if !status::is_final(job["status"].as_i64().unwrap_or(0)) {
        job["status"] = json!(status::ABORTED);
        job["error"] = json!("Aborted by the partner");
        save(tx, id, &job)?;
    }
    Ok(job)
}

fn list(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let filter = Filter::new(
        p.root
            .get("bulkUploadFilter")
            .or_else(|| p.root.get("filter")),
        &FILTER_FIELDS,
    )?;
    let pager = list::pager(p.root.get("pager"))?;
    // Kaltura lists the newest jobs first and counts at most 10,000 (`MAX_RESULTS_COUNT`).
    let objects = store::objects(
        tx,
        "SELECT data FROM bulk_jobs WHERE partner_id = ?1 ORDER BY id DESC LIMIT 10000",
        params![session.partner_id],
    )?;
    Ok(list::respond(
        objects,
        &filter,
        pager,
        "KalturaBulkUploadListResponse",
    ))
}

/// `serveLog` (and `serve`, the original file): the log as Kaltura writes it for the job's type,
/// or an error body.
pub(crate) fn serve(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Response, ApiError> {
    let id = job_id(p)?;
    let job = load(tx, session, id)?;
    let (kind, file): (String, Vec<u8>) = tx
        .query_row(
            "SELECT kind, file FROM bulk_jobs WHERE id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::bulk_upload_not_found(&id.to_string()))?;
    if action == "serve" {
        return Ok(Response {
            status: 200,
            content_type: "application/octet-stream",
            body: file,
        });
    }
    let kind = BulkKind::from_name(&kind).unwrap_or(BulkKind::ScheduleResourceCsv);
    let results = results(tx, id)?;
    let partner = session.partner_id;
    let object = |id: &str| -> Option<Value> {
        let sql = match kind {
            BulkKind::EntryXml | BulkKind::EntryCsv => {
                "SELECT data FROM entries WHERE id = ?1 AND partner_id = ?2"
            }
            _ => "SELECT data FROM events WHERE CAST(id AS TEXT) = ?1 AND partner_id = ?2",
        };
        store::object(tx, sql, params![id, partner]).ok().flatten()
    };
    Ok(log::write(kind, &job, &results, &object))
}

/// A job's stored results in `lineIndex` order.
pub(crate) fn results(tx: &Transaction<'_>, id: i64) -> Result<Vec<Value>, ApiError> {
    store::objects(
        tx,
        "SELECT data FROM bulk_results WHERE job_id = ?1 ORDER BY line_index",
        params![id],
    )
}
