//! `user` and `groupuser`: users by their partner-given id (add, update, delete, get, list; ids
//! unique per partner among users not deleted, gender in its enum, date of birth a number) and
//! group memberships (a group is a user of type GROUP; a membership is unique).
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::error::ApiError;
use super::fields;
use super::list;
use super::params::{self, Params};
use super::session::Session;
use super::store::{self, now_secs};

const CLASS: &str = "KalturaUser";
const WRITABLE: [&str; 16] = [
    "type",
    "screenName",
    "firstName",
    "lastName",
    "email",
    "tags",
    "gender",
    "zip",
    "country",
    "state",
    "city",
    "dateOfBirth",
    "partnerData",
    "externalId",
    "capabilities",
    "roleIds",
];
const READ_ONLY: [&str; 5] = ["partnerId", "status", "createdAt", "updatedAt", "isAdmin"];
const FILTER_FIELDS: [&str; 7] = [
    "id",
    "type",
    "status",
    "email",
    "externalId",
    "createdAt",
    "updatedAt",
];

/// `KalturaUserStatus`.
const ACTIVE: i64 = 1;
const DELETED: i64 = 2;
/// `KalturaUserType::GROUP`.
const GROUP: i64 = 1;

/// The actions of `user`.
pub(crate) const ACTIONS: [&str; 5] = ["add", "update", "delete", "get", "list"];
/// The actions of `groupUser`.
pub(crate) const GROUP_ACTIONS: [&str; 3] = ["add", "delete", "list"];

/// Runs one `user` action.
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
        "get" => load(tx, session, &fields::text_id(p, "userId")?),
        _ => list::run(
            tx,
            p,
            &FILTER_FIELDS,
            "KalturaUserListResponse",
            "SELECT data FROM users WHERE partner_id = ?1 AND status != 2 ORDER BY seq",
            params![session.partner_id],
        ),
    }
}

fn find(tx: &Transaction<'_>, session: &Session, id: &str) -> Result<Option<Value>, ApiError> {
    store::object(
        tx,
        "SELECT data FROM users WHERE id = ?1 AND partner_id = ?2 AND status != 2",
        params![id, session.partner_id],
    )
}

fn load(tx: &Transaction<'_>, session: &Session, id: &str) -> Result<Value, ApiError> {
    find(tx, session, id)?.ok_or_else(ApiError::invalid_user_id)
}

fn validate(obj: &mut Value) -> Result<(), ApiError> {
    fields::normalize_ints(obj, CLASS, &["gender", "type", "dateOfBirth"])?;
    if let Some(g) = obj.get("gender").and_then(Value::as_i64)
        && !matches!(g, 0..=2)
    {
        return Err(ApiError::invalid_enum(
            &g.to_string(),
            "gender",
            "KalturaGender",
        ));
    }
    if let Some(t) = obj.get("type").and_then(Value::as_i64)
        && !matches!(t, 0 | 1)
    {
        return Err(ApiError::invalid_enum(
            &t.to_string(),
            "type",
            "KalturaUserType",
        ));
    }
    fields::check_length(obj, CLASS, "screenName", 0, 100)?;
    fields::check_length(obj, CLASS, "firstName", 0, 40)?;
    fields::check_length(obj, CLASS, "lastName", 0, 40)?;
    Ok(())
}

fn save(tx: &Transaction<'_>, seq: i64, obj: &Value) -> Result<(), ApiError> {
    tx.execute(
        "UPDATE users SET status = ?2, data = ?3 WHERE seq = ?1",
        params![seq, obj["status"].as_i64(), obj.to_string()],
    )?;
    Ok(())
}

fn seq_of(tx: &Transaction<'_>, session: &Session, id: &str) -> Result<i64, ApiError> {
    Ok(tx.query_row(
        "SELECT seq FROM users WHERE id = ?1 AND partner_id = ?2 AND status != 2",
        params![id, session.partner_id],
        |r| r.get(0),
    )?)
}

/// Adds a user; `user.add` and the group a membership needs.
fn insert(tx: &Transaction<'_>, session: &Session, mut obj: Value) -> Result<Value, ApiError> {
    let Some(id) = params::non_empty(obj.get("id")) else {
        return Err(ApiError::cannot_be_null(&format!("{CLASS}::id")));
    };
    fields::check_length(&obj, CLASS, "id", 1, 100)?;
    validate(&mut obj)?;
    if find(tx, session, &id)?.is_some() {
        return Err(ApiError::duplicate_user(&id));
    }
    obj["id"] = json!(id);
    tx.execute(
        "INSERT INTO users (partner_id, id, status, data) VALUES (?1, ?2, ?3, ?4)",
        params![session.partner_id, id, ACTIVE, obj.to_string()],
    )?;
    Ok(obj)
}

fn add(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let sent = fields::object_of(p, "user", CLASS)?;
    fields::reject_read_only(sent, CLASS, &READ_ONLY, None)?;
    let now = now_secs();
    let mut obj = json!({
        "objectType": CLASS, "partnerId": session.partner_id, "type": 0, "status": ACTIVE,
        "createdAt": now, "updatedAt": now,
    });
    fields::copy(sent, &mut obj, &WRITABLE);
    obj["id"] = sent.get("id").cloned().unwrap_or(Value::Null);
    insert(tx, session, obj)
}

fn update(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::text_id(p, "userId")?;
    let sent = fields::object_of(p, "user", CLASS)?;
    let mut obj = load(tx, session, &id)?;
    fields::reject_read_only(sent, CLASS, &READ_ONLY, Some(&obj))?;
    if let Some(new_id) = params::non_empty(sent.get("id"))
        && new_id != id
    {
        return Err(ApiError::not_updatable(&format!("{CLASS}::id")));
    }
    fields::copy(sent, &mut obj, &WRITABLE);
    validate(&mut obj)?;
    obj["updatedAt"] = json!(now_secs());
    save(tx, seq_of(tx, session, &id)?, &obj)?;
    Ok(obj)
}

fn delete(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::text_id(p, "userId")?;
    let mut obj = load(tx, session, &id)?;
    let seq = seq_of(tx, session, &id)?;
    obj["status"] = json!(DELETED);
    obj["updatedAt"] = json!(now_secs());
    save(tx, seq, &obj)?;
    tx.execute(
        "DELETE FROM group_users WHERE partner_id = ?1 AND (user_id = ?2 OR group_id = ?2)",
        params![session.partner_id, id],
    )?;
    Ok(obj)
}

/// Runs one `groupUser` action.
pub(crate) fn call_group(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    match action {
        "add" => add_member(tx, session, p),
        "delete" => {
            let user = fields::text_id(p, "userId")?;
            let group = fields::text_id(p, "groupId")?;
            let n = tx.execute(
                "DELETE FROM group_users WHERE partner_id = ?1 AND user_id = ?2 AND group_id = ?3",
                params![session.partner_id, user, group],
            )?;
            if n == 0 {
                return Err(ApiError::group_user_does_not_exist(&user, &group));
            }
            Ok(Value::Null)
        }
        _ => list::run(
            tx,
            p,
            &["userId", "groupId", "createdAt"],
            "KalturaGroupUserListResponse",
            "SELECT data FROM group_users WHERE partner_id = ?1 ORDER BY seq",
            params![session.partner_id],
        ),
    }
}

fn add_member(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let class = "KalturaGroupUser";
    let sent = fields::object(p, "groupUser")?;
    let user = params::non_empty(sent.get("userId"))
        .ok_or_else(|| ApiError::cannot_be_null(&format!("{class}::userId")))?;
    let group = params::non_empty(sent.get("groupId"))
        .ok_or_else(|| ApiError::cannot_be_null(&format!("{class}::groupId")))?;
    load(tx, session, &user)?;
    match find(tx, session, &group)? {
        Some(g) if g["type"].as_i64() == Some(GROUP) => {}
        _ => return Err(ApiError::group_not_found(&group)),
    }
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM group_users WHERE partner_id = ?1 AND user_id = ?2 AND group_id = ?3)",
        params![session.partner_id, user, group],
        |r| r.get(0),
    )?;
    if exists {
        return Err(ApiError::group_user_exists());
    }
    let mode = params::int(sent.get("creationMode"), &format!("{class}::creationMode"))?;
    let obj = json!({
        "objectType": class, "partnerId": session.partner_id, "userId": user, "groupId": group,
        "status": 1, "creationMode": mode.unwrap_or(1), "createdAt": now_secs(),
    });
    tx.execute(
        "INSERT INTO group_users (partner_id, user_id, group_id, data) VALUES (?1, ?2, ?3, ?4)",
        params![session.partner_id, user, group, obj.to_string()],
    )?;
    Ok(obj)
}
