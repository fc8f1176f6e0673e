//! `categoryUser`: a user's membership of a category (end-user entitlement), addressed by
//! category id + user id — add (the category must exist, one membership per pair), get, update
//! (permission level and update method; `CANNOT_OVERRIDE_MANUAL_CHANGES` as Kaltura's
//! `updateAction` without `override`), delete, activate, deactivate and list (filtered by
//! category or user, `MUST_FILTER_USERS_OR_CATEGORY` otherwise). The sandbox enforces no
//! entitlement, so an admin's add is ACTIVE at once, as Kaltura's `addCategoryUserImpl` does then.
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::error::ApiError;
use super::fields;
use super::list;
use super::params::{self, Params};
use super::session::Session;
use super::store::{self, now_secs};

const CLASS: &str = "KalturaCategoryUser";
const WRITABLE: [&str; 3] = ["permissionLevel", "updateMethod", "permissionNames"];
const READ_ONLY: [&str; 5] = [
    "partnerId",
    "status",
    "createdAt",
    "updatedAt",
    "categoryFullIds",
];
const FILTER_FIELDS: [&str; 7] = [
    "categoryId",
    "userId",
    "permissionLevel",
    "status",
    "updateMethod",
    "createdAt",
    "updatedAt",
];

/// `KalturaCategoryUserStatus`.
const ACTIVE: i64 = 1;
const NOT_ACTIVE: i64 = 3;
/// `KalturaUpdateMethodType`.
const MANUAL: i64 = 0;
const AUTOMATIC: i64 = 1;

/// The actions of `categoryUser`.
pub(crate) const ACTIONS: [&str; 7] = [
    "add",
    "get",
    "update",
    "delete",
    "activate",
    "deactivate",
    "list",
];

/// Runs one `categoryUser` action.
pub(crate) fn call(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    if action == "add" {
        return add(tx, session, p);
    }
    if action == "list" {
        return list_members(tx, session, p);
    }
    let category = fields::id(p, "categoryId")?;
    let user = fields::text_id(p, "userId")?;
    let (seq, mut obj) = load(tx, session, category, &user)?;
    match action {
        "get" => return Ok(obj),
        "delete" => {
            tx.execute("DELETE FROM category_users WHERE seq = ?1", params![seq])?;
            return Ok(Value::Null);
        }
        "activate" => obj["status"] = json!(ACTIVE),
        "deactivate" => obj["status"] = json!(NOT_ACTIVE),
        _ => {
            let sent = fields::object_of(p, "categoryUser", CLASS)?;
            fields::reject_read_only(sent, CLASS, &READ_ONLY, Some(&obj))?;
            for (field, now) in [("categoryId", json!(category)), ("userId", json!(user))] {
                if let Some(v) = sent.get(field).filter(|v| !v.is_null())
                    && params::text(Some(v)) != params::text(Some(&now))
                {
                    return Err(ApiError::not_updatable(&format!("{CLASS}::{field}")));
                }
            }
            let method = params::int(sent.get("updateMethod"), "updateMethod")?;
            let force = params::boolean(p.root.get("override")).unwrap_or(false);
            if !force
                && method.is_none_or(|m| m == AUTOMATIC)
                && obj["updateMethod"].as_i64() == Some(MANUAL)
            {
                return Err(ApiError::cannot_override_manual_changes());
            }
            fields::copy(sent, &mut obj, &WRITABLE);
            validate(&mut obj)?;
        }
    }
    obj["updatedAt"] = json!(now_secs());
    tx.execute(
        "UPDATE category_users SET data = ?2 WHERE seq = ?1",
        params![seq, obj.to_string()],
    )?;
    Ok(obj)
}

fn load(
    tx: &Transaction<'_>,
    session: &Session,
    category: i64,
    user: &str,
) -> Result<(i64, Value), ApiError> {
    let found = tx.query_row(
        "SELECT seq, data FROM category_users WHERE partner_id = ?1 AND category_id = ?2 \
         AND user_id = ?3",
        params![session.partner_id, category, user],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    );
    match found {
        Ok((seq, data)) => Ok((seq, store::parse_data(&data)?)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Err(ApiError::invalid_category_user_id(
            &category.to_string(),
            user,
        )),
        Err(e) => Err(e.into()),
    }
}

fn validate(obj: &mut Value) -> Result<(), ApiError> {
    fields::normalize_ints(obj, CLASS, &["permissionLevel", "updateMethod"])?;
    if let Some(l) = obj.get("permissionLevel").and_then(Value::as_i64)
        && !matches!(l, 0..=4)
    {
        return Err(ApiError::invalid_enum(
            &l.to_string(),
            "permissionLevel",
            "KalturaCategoryUserPermissionLevel",
        ));
    }
    if let Some(m) = obj.get("updateMethod").and_then(Value::as_i64)
        && !matches!(m, MANUAL | AUTOMATIC)
    {
        return Err(ApiError::invalid_enum(
            &m.to_string(),
            "updateMethod",
            "KalturaUpdateMethodType",
        ));
    }
    Ok(())
}

fn add(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let sent = fields::object_of(p, "categoryUser", CLASS)?;
    fields::reject_read_only(sent, CLASS, &READ_ONLY, None)?;
    let category = params::int(sent.get("categoryId"), &format!("{CLASS}::categoryId"))?
        .ok_or_else(|| ApiError::cannot_be_null(&format!("{CLASS}::categoryId")))?;
    let user = params::non_empty(sent.get("userId"))
        .ok_or_else(|| ApiError::cannot_be_null(&format!("{CLASS}::userId")))?;
    let cat = store::live_object(tx, "categories", category, session.partner_id)?
        .ok_or_else(|| ApiError::category_not_found(&category.to_string()))?;
    let now = now_secs();
    let mut obj = json!({
        "objectType": CLASS, "partnerId": session.partner_id, "categoryId": category,
        "userId": user, "status": ACTIVE, "updateMethod": MANUAL,
        "permissionLevel": cat["defaultPermissionLevel"].as_i64().unwrap_or(3),
        "categoryFullIds": cat["fullIds"], "createdAt": now, "updatedAt": now,
    });
    fields::copy(sent, &mut obj, &WRITABLE);
    validate(&mut obj)?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM category_users WHERE partner_id = ?1 AND category_id = ?2 \
         AND user_id = ?3)",
        params![session.partner_id, category, user],
        |r| r.get(0),
    )?;
    if exists {
        return Err(ApiError::category_user_exists());
    }
    tx.execute(
        "INSERT INTO category_users (partner_id, category_id, user_id, data) VALUES (?1, ?2, ?3, ?4)",
        params![session.partner_id, category, user, obj.to_string()],
    )?;
    Ok(obj)
}

fn list_members(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let filtered = p
        .root
        .get("filter")
        .and_then(Value::as_object)
        .is_some_and(|f| {
            f.iter().any(|(k, v)| {
                !v.is_null()
                    && ["categoryIdEqual", "categoryIdIn", "userIdEqual", "userIdIn"]
                        .contains(&k.as_str())
            })
        });
    if !filtered {
        return Err(ApiError::must_filter_users_or_category());
    }
    list::run(
        tx,
        p,
        &FILTER_FIELDS,
        "KalturaCategoryUserListResponse",
        "SELECT data FROM category_users WHERE partner_id = ?1 ORDER BY seq",
        params![session.partner_id],
    )
}
