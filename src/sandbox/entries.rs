//! Entries: `media` add/addContent/update/updateContent/delete/get/list, `liveStream`
//! add/get/update/delete/list, `baseEntry` add/get/update/delete/list/addContent/updateContent
//! and `categoryEntry` add/delete/list. Every retrieval honours entitlement
//! ([`Session::entry_entitled`]).
//! Content is "converted" at once: an entry is READY as soon as `addContent` succeeds.
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::error::ApiError;
use super::fields;
use super::list;
use super::params::{self, Params};
use super::random::IdGen;
use super::session::Session;
use super::store::{self, now_secs};
use super::upload;

const WRITABLE: [&str; 20] = [
    "name",
    "description",
    "tags",
    "referenceId",
    "mediaType",
    "templateEntryId",
    "parentEntryId",
    "userId",
    "creatorId",
    "categories",
    "categoriesIds",
    "partnerData",
    "adminTags",
    "startDate",
    "endDate",
    "conversionProfileId",
    "entitledUsersEdit",
    "entitledUsersPublish",
    "displayInSearch",
    "sourceType",
];
/// What an entry takes from its template when it does not set it itself.
const FROM_TEMPLATE: [&str; 8] = [
    "description",
    "tags",
    "userId",
    "categories",
    "categoriesIds",
    "entitledUsersEdit",
    "entitledUsersPublish",
    "adminTags",
];
const READ_ONLY: [&str; 5] = ["id", "partnerId", "status", "createdAt", "updatedAt"];
const FILTER_FIELDS: [&str; 11] = [
    "id",
    "referenceId",
    "name",
    "status",
    "mediaType",
    "parentEntryId",
    "templateEntryId",
    "userId",
    "tags",
    "createdAt",
    "updatedAt",
];

/// `KalturaEntryStatus`.
const READY: i64 = 2;
const NO_CONTENT: i64 = 7;

/// The actions of `media`.
pub(crate) const MEDIA_ACTIONS: [&str; 7] = [
    "add",
    "addcontent",
    "update",
    "updatecontent",
    "delete",
    "get",
    "list",
];
/// The actions of `baseEntry`.
pub(crate) const BASE_ENTRY_ACTIONS: [&str; 7] = [
    "add",
    "get",
    "list",
    "update",
    "delete",
    "addcontent",
    "updatecontent",
];
/// The actions of `categoryEntry`.
pub(crate) const CATEGORY_ENTRY_ACTIONS: [&str; 5] =
    ["add", "delete", "list", "activate", "reject"];

/// `CategoryEntryStatus`.
const CATEGORY_ENTRY_PENDING: i64 = 1;
const CATEGORY_ENTRY_ACTIVE: i64 = 2;
const CATEGORY_ENTRY_REJECTED: i64 = 4;

/// Runs one `media` action.
pub(crate) fn call_media(
    tx: &Transaction<'_>,
    ids: &IdGen,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    match action {
        "add" => add(tx, ids, session, p),
        "addcontent" => add_content(tx, session, p, false),
        "updatecontent" => add_content(tx, session, p, true),
        "update" => update(tx, session, p),
        "delete" => delete(tx, session, p),
        "get" => load(tx, session, &fields::text_id(p, "entryId")?),
        _ => list(tx, session, p, "KalturaMediaListResponse", Some(1)),
    }
}

/// Runs one `baseEntry` action.
pub(crate) fn call_base_entry(
    tx: &Transaction<'_>,
    ids: &IdGen,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    match action {
        "add" => add_base_entry(tx, ids, session, p),
        "get" => load(tx, session, &fields::text_id(p, "entryId")?),
        "update" => update(tx, session, p),
        "delete" => delete(tx, session, p),
        "addcontent" => add_content(tx, session, p, false),
        "updatecontent" => add_content(tx, session, p, true),
        _ => list(tx, session, p, "KalturaBaseEntryListResponse", None),
    }
}

/// An entry of the partner that the session is entitled to; one it is not entitled to is not
/// found, as Kaltura's entry criteria hide it from every retrieval.
fn load(tx: &Transaction<'_>, session: &Session, id: &str) -> Result<Value, ApiError> {
    store::object(
        tx,
        "SELECT data FROM entries WHERE id = ?1 AND partner_id = ?2",
        params![id, session.partner_id],
    )?
    .filter(|entry| session.entry_entitled(entry))
    .ok_or_else(|| ApiError::entry_not_found(id))
}

/// An entry the caller may change: `INVALID_KS` (-4, INVALID_TYPE) for a USER KS that neither
/// owns it nor holds `edit:*` / `edit:ENTRY_ID`, as Kaltura's `checkIfUserAllowedToUpdateEntry`.
fn load_for_edit(tx: &Transaction<'_>, session: &Session, id: &str) -> Result<Value, ApiError> {
    let entry = load(tx, session, id)?;
    if !session.may_edit_entry(id, entry["userId"].as_str()) {
        return Err(ApiError::invalid_ks(-4, "INVALID_TYPE"));
    }
    Ok(entry)
}

fn save(tx: &Transaction<'_>, obj: &Value) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE entries SET data = ?2 WHERE id = ?1",
        params![obj["id"].as_str().unwrap_or_default(), obj.to_string()],
    )?;
    Ok(())
}

fn add(
    tx: &Transaction<'_>,
    ids: &IdGen,
    session: &Session,
    p: &Params,
) -> Result<Value, ApiError> {
    add_entry(tx, ids, session, p, "entry", "KalturaMediaEntry")
}

/// `baseEntry.add(entry, type)`: the entry's `objectType` says what is made, a media entry
/// (`mediaType` needed), a live stream, or a plain `KalturaBaseEntry` of the given `type`
/// (Kaltura's AUTOMATIC, -1, when none is given).
fn add_base_entry(
    tx: &Transaction<'_>,
    ids: &IdGen,
    session: &Session,
    p: &Params,
) -> Result<Value, ApiError> {
    let sent = fields::object(p, "entry")?;
    let class =
        params::non_empty(sent.get("objectType")).unwrap_or_else(|| "KalturaBaseEntry".to_string());
    match class.as_str() {
        "KalturaMediaEntry" | "KalturaLiveStreamEntry" | "KalturaBaseEntry" => {
            let mut entry = add_entry(tx, ids, session, p, "entry", &class)?;
            if class == "KalturaBaseEntry" {
                let entry_type = params::int(p.root.get("type"), "type")?
                    .filter(|t| *t > 0)
                    .unwrap_or(-1);
                entry["type"] = json!(entry_type);
                save(tx, &entry)?;
            }
            Ok(entry)
        }
        other => Err(ApiError::invalid_object_type(other)),
    }
}

/// `liveStream.add(liveStreamEntry, sourceType)`: a live entry (type 7, mediaType 201 unless
/// given), with no content to add; `get`, `delete` and `list` as for media.
pub(crate) fn call_live_stream(
    tx: &Transaction<'_>,
    ids: &IdGen,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    match action {
        "add" => add_entry(
            tx,
            ids,
            session,
            p,
            "liveStreamEntry",
            "KalturaLiveStreamEntry",
        ),
        "get" => load(tx, session, &fields::text_id(p, "entryId")?),
        "update" => update(tx, session, p),
        "delete" => delete(tx, session, p),
        _ => list(tx, session, p, "KalturaLiveStreamListResponse", Some(7)),
    }
}

/// The actions of `liveStream`.
pub(crate) const LIVE_STREAM_ACTIONS: [&str; 5] = ["add", "get", "update", "delete", "list"];

fn add_entry(
    tx: &Transaction<'_>,
    ids: &IdGen,
    session: &Session,
    p: &Params,
    param: &str,
    class: &str,
) -> Result<Value, ApiError> {
    let sent = fields::object_of(p, param, class)?;
    fields::reject_read_only(sent, class, &READ_ONLY, None)?;
    let now = now_secs();
    let live = class == "KalturaLiveStreamEntry";
    let mut obj = json!({
        "objectType": class, "partnerId": session.partner_id, "userId": session.user_id,
        "creatorId": session.user_id, "status": NO_CONTENT, "type": if live { 7 } else { 1 },
        "createdAt": now, "updatedAt": now,
    });
    if live {
        obj["mediaType"] = json!(201);
        obj["status"] = json!(READY);
        if let Some(source) = params::non_empty(p.root.get("sourceType")) {
            obj["sourceType"] = json!(source);
        }
    }
    fields::copy(sent, &mut obj, &WRITABLE);
    fields::normalize_ints(
        &mut obj,
        class,
        &["mediaType", "startDate", "endDate", "conversionProfileId"],
    )?;
    if class == "KalturaMediaEntry" && obj["mediaType"].is_null() {
        return Err(ApiError::cannot_be_null(&format!("{class}::mediaType")));
    }
    if let Some(template_id) = params::non_empty(obj.get("templateEntryId")) {
        let template = load(tx, session, &template_id)?;
        for field in FROM_TEMPLATE {
            if obj.get(field).is_none_or(Value::is_null) && !template[field].is_null() {
                obj[field] = template[field].clone();
            }
        }
    }
    if let Some(parent_id) = params::non_empty(obj.get("parentEntryId")) {
        load(tx, session, &parent_id).map_err(|_| ApiError::parent_entry_not_found(&parent_id))?;
    }
    // Entry ids are random: draw again on the (unlikely) collision.
    let id = loop {
        let candidate = ids.entry_id();
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM entries WHERE id = ?1)",
            [&candidate],
            |r| r.get(0),
        )?;
        if !taken {
            break candidate;
        }
    };
    obj["id"] = json!(id);
    tx.execute(
        "INSERT INTO entries (id, partner_id, data) VALUES (?1, ?2, ?3)",
        params![id, session.partner_id, obj.to_string()],
    )?;
    Ok(obj)
}

/// `media.update`: the writable fields sent replace the entry's (`mediaType` is fixed at add).
fn update(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let entry_id = fields::text_id(p, "entryId")?;
    let mut entry = load_for_edit(tx, session, &entry_id)?;
    let param = ["mediaEntry", "liveStreamEntry"]
        .into_iter()
        .find(|name| p.root.contains_key(*name))
        .unwrap_or("baseEntry");
    let sent = fields::object(p, param)?;
    let class = entry["objectType"]
        .as_str()
        .unwrap_or("KalturaMediaEntry")
        .to_string();
    let class = class.as_str();
    // Only an administrator may give an entry to another user.
    if let Some(user) = params::text(sent.get("userId"))
        && Some(user.as_str()) != entry["userId"].as_str()
        && !session.is_admin()
    {
        return Err(ApiError::invalid_ks(-4, "INVALID_TYPE"));
    }
    fields::reject_read_only(sent, class, &READ_ONLY, Some(&entry))?;
    let writable: Vec<&str> = WRITABLE
        .iter()
        .copied()
        .filter(|f| *f != "mediaType")
        .collect();
    fields::copy(sent, &mut entry, &writable);
    fields::normalize_ints(
        &mut entry,
        class,
        &["startDate", "endDate", "conversionProfileId"],
    )?;
    if let Some(parent_id) = params::non_empty(entry.get("parentEntryId")) {
        load(tx, session, &parent_id).map_err(|_| ApiError::parent_entry_not_found(&parent_id))?;
    }
    entry["updatedAt"] = json!(now_secs());
    save(tx, &entry)?;
    Ok(entry)
}

/// `media.delete`: the entry and its category assignments go (Kaltura keeps a DELETED row that no
/// list shows).
fn delete(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let entry_id = fields::text_id(p, "entryId")?;
    load_for_edit(tx, session, &entry_id)?;
    tx.execute("DELETE FROM entries WHERE id = ?1", [&entry_id])?;
    tx.execute(
        "DELETE FROM category_entries WHERE entry_id = ?1",
        [&entry_id],
    )?;
    Ok(Value::Null)
}

/// `media.addContent`, or with `replace` `media.updateContent` (the entry may already have
/// content).
fn add_content(
    tx: &Transaction<'_>,
    session: &Session,
    p: &Params,
    replace: bool,
) -> Result<Value, ApiError> {
    let entry_id = fields::text_id(p, "entryId")?;
    let mut entry = load_for_edit(tx, session, &entry_id)?;
    if !replace && entry["status"].as_i64() != Some(NO_CONTENT) {
        return Err(ApiError::entry_already_with_content());
    }
    let resource = fields::object(p, "resource")?;
    let class = params::non_empty(resource.get("objectType"))
        .ok_or_else(|| ApiError::object_type_abstract("KalturaResource"))?;
    match class.as_str() {
        "KalturaUploadedFileTokenResource" => {
            let token_id = params::non_empty(resource.get("token")).ok_or_else(|| {
                ApiError::cannot_be_null("KalturaUploadedFileTokenResource::token")
            })?;
            let (mut token, content) = upload::load(tx, session, &token_id)?;
            if token["status"].as_i64() != Some(upload::FULL_UPLOAD) {
                return Err(ApiError::upload_token_invalid_status_for_add_entry());
            }
            token["status"] = json!(upload::CLOSED);
            token["entryId"] = json!(entry_id);
            upload::save(tx, &token, None)?;
            entry["dataSize"] = json!(content.len());
        }
        "KalturaUrlResource" => {
            if params::non_empty(resource.get("url")).is_none() {
                return Err(ApiError::cannot_be_null("KalturaUrlResource::url"));
            }
        }
        "KalturaResource" | "KalturaContentResource" | "KalturaDataCenterContentResource" => {
            return Err(ApiError::object_type_abstract(&class));
        }
        _ => return Err(ApiError::resource_type_not_supported(&class)),
    }
    entry["status"] = json!(READY);
    entry["updatedAt"] = json!(now_secs());
    save(tx, &entry)?;
    Ok(entry)
}

/// A list of the entries the session is entitled to; `media.list` and `liveStream.list` see only
/// their own entry type (1 media clip, 7 live stream), `baseEntry.list` every type.
fn list(
    tx: &Transaction<'_>,
    session: &Session,
    p: &Params,
    response_type: &str,
    entry_type: Option<i64>,
) -> Result<Value, ApiError> {
    list::run_visible(
        tx,
        p,
        &FILTER_FIELDS,
        response_type,
        "SELECT data FROM entries WHERE partner_id = ?1 ORDER BY seq",
        params![session.partner_id],
        |entry| {
            entry_type.is_none_or(|t| entry["type"].as_i64() == Some(t))
                && session.entry_entitled(entry)
        },
    )
}

/// Runs one `categoryEntry` action. Any positive category id exists (entries may name
/// categories the sandbox does not hold); a held category with `moderation` makes adds PENDING.
pub(crate) fn call_category_entry(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    if action == "list" {
        return list::run(
            tx,
            p,
            &["entryId", "categoryId", "createdAt"],
            "KalturaCategoryEntryListResponse",
            "SELECT data FROM category_entries WHERE partner_id = ?1 ORDER BY seq",
            params![session.partner_id],
        );
    }
    if action == "delete" {
        return delete_category_entry(tx, session, p);
    }
    if matches!(action, "activate" | "reject") {
        return moderate_category_entry(tx, session, p, action == "activate");
    }
    let sent = fields::object(p, "categoryEntry")?;
    let class = "KalturaCategoryEntry";
    let entry_id = params::non_empty(sent.get("entryId"))
        .ok_or_else(|| ApiError::cannot_be_null(&format!("{class}::entryId")))?;
    let category_id = params::int(sent.get("categoryId"), &format!("{class}::categoryId"))?
        .ok_or_else(|| ApiError::cannot_be_null(&format!("{class}::categoryId")))?;
    let mut entry =
        load(tx, session, &entry_id).map_err(|_| ApiError::invalid_entry_id(&entry_id))?;
    if category_id <= 0 {
        return Err(ApiError::category_not_found(&category_id.to_string()));
    }
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM category_entries WHERE entry_id = ?1 AND category_id = ?2)",
        params![entry_id, category_id],
        |r| r.get(0),
    )?;
    if exists {
        return Err(ApiError::category_entry_exists());
    }
    // A category with moderation holds new assignments for approval.
    let moderated = super::store::live_object(tx, "categories", category_id, session.partner_id)?
        .is_some_and(|c| c["moderation"] == json!(true));
    let status = if moderated {
        CATEGORY_ENTRY_PENDING
    } else {
        CATEGORY_ENTRY_ACTIVE
    };
    let obj = json!({
        "objectType": class, "entryId": entry_id, "categoryId": category_id,
        "status": status,
        "creatorUserId": session.user_id, "createdAt": now_secs(),
    });
    tx.execute(
        "INSERT INTO category_entries (partner_id, entry_id, category_id, data) VALUES (?1, ?2, ?3, ?4)",
        params![session.partner_id, entry_id, category_id, obj.to_string()],
    )?;
    let mut ids: Vec<String> = params::list(entry.get("categoriesIds")).unwrap_or_default();
    ids.push(category_id.to_string());
    entry["categoriesIds"] = json!(ids.join(","));
    save(tx, &entry)?;
    Ok(obj)
}

/// `categoryEntry.activate` / `reject(entryId, categoryId)`: a PENDING assignment becomes ACTIVE
/// or REJECTED; any other status is refused as Kaltura does. (The sandbox's adds are PENDING in
/// a category with `moderation`, ACTIVE otherwise.)
fn moderate_category_entry(
    tx: &Transaction<'_>,
    session: &Session,
    p: &Params,
    activate: bool,
) -> Result<Value, ApiError> {
    let entry_id = fields::text_id(p, "entryId")?;
    let category_id = fields::id(p, "categoryId")?;
    load(tx, session, &entry_id).map_err(|_| ApiError::invalid_entry_id(&entry_id))?;
    let found = tx.query_row(
        "SELECT seq, data FROM category_entries WHERE entry_id = ?1 AND category_id = ?2 \
         AND partner_id = ?3",
        params![entry_id, category_id, session.partner_id],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    );
    let (seq, data) = match found {
        Ok(v) => v,
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            return Err(ApiError::entry_is_not_assigned_to_category());
        }
        Err(e) => return Err(e.into()),
    };
    let mut obj = super::store::parse_data(&data)?;
    if obj["status"].as_i64() != Some(CATEGORY_ENTRY_PENDING) {
        return Err(ApiError::category_entry_not_pending(activate));
    }
    obj["status"] = json!(if activate {
        CATEGORY_ENTRY_ACTIVE
    } else {
        CATEGORY_ENTRY_REJECTED
    });
    tx.execute(
        "UPDATE category_entries SET data = ?2 WHERE seq = ?1",
        params![seq, obj.to_string()],
    )?;
    Ok(Value::Null)
}

/// `categoryEntry.delete(entryId, categoryId)`: the assignment goes, and the entry's
/// `categoriesIds` loses the id.
fn delete_category_entry(
    tx: &Transaction<'_>,
    session: &Session,
    p: &Params,
) -> Result<Value, ApiError> {
    let entry_id = fields::text_id(p, "entryId")?;
    let category_id = fields::id(p, "categoryId")?;
    let mut entry =
        load(tx, session, &entry_id).map_err(|_| ApiError::invalid_entry_id(&entry_id))?;
    let removed = tx.execute(
        "DELETE FROM category_entries WHERE entry_id = ?1 AND category_id = ?2 AND partner_id = ?3",
        params![entry_id, category_id, session.partner_id],
    )?;
    if removed == 0 {
        return Err(ApiError::entry_is_not_assigned_to_category());
    }
    let ids: Vec<String> = params::list(entry.get("categoriesIds"))
        .unwrap_or_default()
        .into_iter()
        .filter(|id| *id != category_id.to_string())
        .collect();
    entry["categoriesIds"] = json!(ids.join(","));
    save(tx, &entry)?;
    Ok(Value::Null)
}
