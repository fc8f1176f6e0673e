//! `category`: add, update, delete, get and list of categories, with Kaltura's checks (name
//! required, 1–200 characters without `<`, `>` or `,`, the parent must exist, full names unique
//! per partner, enums in range, `userJoinPolicy` and the server's own fields read-only) and the
//! full name kept up to date for the whole subtree when a category is renamed or moved.
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::error::ApiError;
use super::fields;
use super::list::{self, Filter};
use super::params::{self, Params};
use super::session::Session;
use super::store::{self, now_secs};

const CLASS: &str = "KalturaCategory";
const WRITABLE: [&str; 14] = [
    "name",
    "parentId",
    "tags",
    "description",
    "referenceId",
    "owner",
    "partnerData",
    "contributionPolicy",
    "privacy",
    "appearInList",
    "inheritanceType",
    "defaultPermissionLevel",
    "partnerSortValue",
    "moderation",
];
/// Set by the server; `userJoinPolicy` is `@readonly` in `KalturaCategory` (kaltura-formats §7.1).
const READ_ONLY: [&str; 9] = [
    "id",
    "partnerId",
    "status",
    "createdAt",
    "updatedAt",
    "fullName",
    "fullIds",
    "depth",
    "userJoinPolicy",
];
const INTS: [&str; 8] = [
    "parentId",
    "contributionPolicy",
    "privacy",
    "appearInList",
    "inheritanceType",
    "defaultPermissionLevel",
    "partnerSortValue",
    "userJoinPolicy",
];
/// The enum properties: name, allowed values, API enum type.
const ENUMS: [(&str, &[i64], &str); 5] = [
    ("privacy", &[1, 2, 3], "KalturaPrivacyType"),
    ("appearInList", &[1, 3], "KalturaAppearInListType"),
    (
        "contributionPolicy",
        &[1, 2],
        "KalturaContributionPolicyType",
    ),
    ("inheritanceType", &[1, 2], "KalturaInheritanceType"),
    (
        "defaultPermissionLevel",
        &[0, 1, 2, 3, 4],
        "KalturaCategoryUserPermissionLevel",
    ),
];
const FILTER_FIELDS: [&str; 8] = [
    "id",
    "parentId",
    "fullName",
    "referenceId",
    "name",
    "status",
    "createdAt",
    "updatedAt",
];

/// `KalturaCategoryStatus`.
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
        "get" => load(tx, session, fields::id(p, "id")?),
        _ => list(tx, session, p),
    }
}

fn load(tx: &Transaction<'_>, session: &Session, id: i64) -> Result<Value, ApiError> {
    store::live_object(tx, "categories", id, session.partner_id)?
        .ok_or_else(|| ApiError::category_not_found(&id.to_string()))
}

fn live(tx: &Transaction<'_>, session: &Session) -> Result<Vec<Value>, ApiError> {
    store::objects(
        tx,
        "SELECT data FROM categories WHERE partner_id = ?1 AND status != 3 ORDER BY id",
        params![session.partner_id],
    )
}

/// Checks the object's own values and computes its full name, ids and depth from its parent.
fn validate(
    tx: &Transaction<'_>,
    session: &Session,
    obj: &mut Value,
    id: Option<i64>,
) -> Result<(), ApiError> {
    let Some(name) = params::non_empty(obj.get("name")) else {
        return Err(ApiError::cannot_be_null(&format!("{CLASS}::name")));
    };
    fields::check_length(obj, CLASS, "name", 1, 200)?;
    if name.contains(['<', '>', ',']) {
        return Err(ApiError::category_name_invalid_chars());
    }
    for (field, allowed, ty) in ENUMS {
        if let Some(v) = obj.get(field).and_then(Value::as_i64)
            && !allowed.contains(&v)
        {
            return Err(ApiError::invalid_enum(&v.to_string(), field, ty));
        }
    }
    let parent = obj["parentId"].as_i64().unwrap_or(0);
    let (full_name, full_ids, depth) = if parent == 0 {
        (name.clone(), String::new(), 0)
    } else {
        let p = load(tx, session, parent)?;
        let ids = p["fullIds"].as_str().unwrap_or_default();
        if let Some(me) = id
            && (parent == me || ids.split('>').any(|s| s == me.to_string()))
        {
            return Err(ApiError::cannot_set_parent_to_child());
        }
        (
            format!("{}>{name}", p["fullName"].as_str().unwrap_or_default()),
            ids.to_string(),
            p["depth"].as_i64().unwrap_or(0) + 1,
        )
    };
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM categories WHERE partner_id = ?1 AND full_name = ?2 \
         AND status != 3 AND id != ?3)",
        params![session.partner_id, full_name, id.unwrap_or(-1)],
        |r| r.get(0),
    )?;
    if taken {
        return Err(ApiError::duplicate_category(&full_name));
    }
    obj["fullName"] = json!(full_name);
    obj["depth"] = json!(depth);
    obj["fullIds"] = json!(full_ids);
    Ok(())
}

fn save(tx: &Transaction<'_>, id: i64, obj: &mut Value) -> Result<(), ApiError> {
    let ids = obj["fullIds"].as_str().unwrap_or_default();
    obj["fullIds"] = json!(if ids.is_empty() {
        id.to_string()
    } else if ids.ends_with(&format!(">{id}")) || ids == id.to_string() {
        ids.to_string()
    } else {
        format!("{ids}>{id}")
    });
    let full_name = obj["fullName"].as_str().unwrap_or_default();
    store::update_object(tx, "categories", "full_name", id, full_name, obj)
}

/// The enum values the client sent are stored as numbers; a non-number is refused.
fn normalize(obj: &mut Value) -> Result<(), ApiError> {
    fields::normalize_ints(obj, CLASS, &INTS)?;
    if let Some(m) = obj.get("moderation") {
        let b = params::boolean(Some(m));
        obj["moderation"] = b.map(Value::Bool).unwrap_or(Value::Null);
    }
    Ok(())
}

fn add(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let sent = fields::object_of(p, "category", CLASS)?;
    fields::reject_read_only(sent, CLASS, &READ_ONLY, None)?;
    let now = now_secs();
    let mut obj = json!({
        "objectType": CLASS, "partnerId": session.partner_id, "parentId": 0, "status": ACTIVE,
        "privacy": 1, "appearInList": 1, "inheritanceType": 2, "userJoinPolicy": 3,
        "defaultPermissionLevel": 3, "contributionPolicy": 1, "moderation": false,
        "createdAt": now, "updatedAt": now,
    });
    fields::copy(sent, &mut obj, &WRITABLE);
    normalize(&mut obj)?;
    validate(tx, session, &mut obj, None)?;
    tx.execute(
        "INSERT INTO categories (partner_id, full_name, status, data) VALUES (?1, ?2, ?3, '{}')",
        params![
            session.partner_id,
            obj["fullName"].as_str().unwrap_or_default(),
            ACTIVE
        ],
    )?;
    let id = tx.last_insert_rowid();
    obj["id"] = json!(id);
    save(tx, id, &mut obj)?;
    Ok(obj)
}

fn update(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::id(p, "id")?;
    let sent = fields::object_of(p, "category", CLASS)?;
    let mut obj = load(tx, session, id)?;
    fields::reject_read_only(sent, CLASS, &READ_ONLY, Some(&obj))?;
    let before = obj["fullName"].as_str().unwrap_or_default().to_string();
    fields::copy(sent, &mut obj, &WRITABLE);
    normalize(&mut obj)?;
    validate(tx, session, &mut obj, Some(id))?;
    obj["updatedAt"] = json!(now_secs());
    save(tx, id, &mut obj)?;
    if obj["fullName"] != before.as_str() {
        rename_subtree(tx, session, id)?;
    }
    Ok(obj)
}

/// Recomputes the full names, ids and depths of every descendant of `id`.
fn rename_subtree(tx: &Transaction<'_>, session: &Session, id: i64) -> Result<(), ApiError> {
    let all = live(tx, session)?;
    let parent = load(tx, session, id)?;
    let mut stack = vec![parent];
    while let Some(p) = stack.pop() {
        let pid = p["id"].as_i64().unwrap_or(0);
        for child in all.iter().filter(|c| c["parentId"].as_i64() == Some(pid)) {
            let mut c = child.clone();
            let cid = c["id"].as_i64().unwrap_or(0);
            c["fullName"] = json!(format!(
                "{}>{}",
                p["fullName"].as_str().unwrap_or_default(),
                c["name"].as_str().unwrap_or_default()
            ));
            c["fullIds"] = json!(format!(
                "{}>{cid}",
                p["fullIds"].as_str().unwrap_or_default()
            ));
            c["depth"] = json!(p["depth"].as_i64().unwrap_or(0) + 1);
            save(tx, cid, &mut c)?;
            stack.push(c);
        }
    }
    Ok(())
}

/// `category.delete(id)`: the category and its whole subtree are deleted.
fn delete(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::id(p, "id")?;
    let obj = load(tx, session, id)?;
    let prefix = format!("{}>", obj["fullIds"].as_str().unwrap_or_default());
    let now = now_secs();
    for mut c in live(tx, session)? {
        let ids = c["fullIds"].as_str().unwrap_or_default();
        if c["id"].as_i64() == Some(id) || ids.starts_with(&prefix) {
            let cid = c["id"].as_i64().unwrap_or(0);
            c["status"] = json!(DELETED);
            c["updatedAt"] = json!(now);
            save(tx, cid, &mut c)?;
        }
    }
    Ok(Value::Null)
}

fn list(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let filter = Filter::new(p.root.get("filter"), &FILTER_FIELDS)?;
    let pager = list::pager(p.root.get("pager"))?;
    let objects = live(tx, session)?;
    Ok(list::respond(
        objects,
        &filter,
        pager,
        "KalturaCategoryListResponse",
    ))
}
