//! `uploadToken`: add, get, delete, list and a chunked, resumable `upload`. Chunks may come in any order: one
//! that starts past the bytes received so far waits until the gap is filled, as Kaltura's
//! chunked upload does; a retried chunk simply overwrites the same bytes.
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Value, json};

use super::error::ApiError;
use super::fields;
use super::params::{self, Params};
use super::random::IdGen;
use super::session::Session;
use super::store::{self, now_secs};

/// `KalturaUploadTokenStatus`.
pub(crate) const PENDING: i64 = 0;
pub(crate) const PARTIAL_UPLOAD: i64 = 1;
pub(crate) const FULL_UPLOAD: i64 = 2;
pub(crate) const CLOSED: i64 = 3;

/// The actions of the service.
pub(crate) const ACTIONS: [&str; 5] = ["add", "upload", "get", "delete", "list"];

/// The fields `KalturaUploadTokenFilter` filters on.
const FILTER_FIELDS: [&str; 5] = ["id", "userId", "status", "fileName", "fileSize"];

/// Runs one action.
pub(crate) fn call(
    tx: &Transaction<'_>,
    ids: &IdGen,
    session: &Session,
    action: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    match action {
        "add" => add(tx, session, p, &ids.upload_token_id()),
        "upload" => upload(tx, session, p),
        "delete" => delete(tx, session, p),
        "list" => list(tx, session, p),
        _ => load(tx, session, &fields::text_id(p, "uploadTokenId")?).map(|(obj, _)| obj),
    }
}

/// A token and its bytes.
pub(crate) fn load(
    tx: &Transaction<'_>,
    session: &Session,
    id: &str,
) -> Result<(Value, Vec<u8>), ApiError> {
    let row: Option<(String, Vec<u8>)> = tx
        .query_row(
            "SELECT data, content FROM upload_tokens WHERE id = ?1 AND partner_id = ?2",
            params![id, session.partner_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (data, content) = row.ok_or_else(ApiError::upload_token_not_found)?;
    Ok((store::parse_data(&data)?, content))
}

/// `restrictPeerToCurrentUser`: a session that is not an ADMIN one sees its own tokens only.
fn visible_to(session: &Session, token: &Value) -> bool {
    session.is_admin() || token["userId"].as_str() == Some(session.user_id.as_str())
}

/// `uploadToken.delete(uploadTokenId)`: the token and its bytes go; it is not found after.
fn delete(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::text_id(p, "uploadTokenId")?;
    let (token, _) = load(tx, session, &id)?;
    if !visible_to(session, &token) {
        return Err(ApiError::upload_token_not_found());
    }
    tx.execute("DELETE FROM upload_chunks WHERE token_id = ?1", [&id])?;
    tx.execute("DELETE FROM upload_tokens WHERE id = ?1", [&id])?;
    Ok(Value::Null)
}

/// `uploadToken.list(filter, pager)`: a non-admin session lists its own tokens; a
/// `fileNameEqual` without a status filter lists only open tokens (PENDING, PARTIAL_UPLOAD,
/// FULL_UPLOAD), as the service enforces to keep the query fast.
fn list(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let mut p_filtered = Params {
        root: p.root.clone(),
        files: Vec::new(),
    };
    if let Some(Value::Object(filter)) = p_filtered.root.get_mut("filter") {
        let set = |k: &str| params::non_empty(filter.get(k)).is_some();
        if set("fileNameEqual") && !set("statusEqual") && !set("statusIn") {
            filter.insert(
                "statusIn".into(),
                json!(format!("{PENDING},{PARTIAL_UPLOAD},{FULL_UPLOAD}")),
            );
        }
    }
    super::list::run_visible(
        tx,
        &p_filtered,
        &FILTER_FIELDS,
        "KalturaUploadTokenListResponse",
        "SELECT data FROM upload_tokens WHERE partner_id = ?1 ORDER BY seq",
        params![session.partner_id],
        |token| visible_to(session, token),
    )
}

/// Stores a token's object (and bytes, when given).
pub(crate) fn save(
    tx: &Transaction<'_>,
    obj: &Value,
    content: Option<&[u8]>,
) -> Result<(), ApiError> {
    let id = obj["id"].as_str().unwrap_or_default();
    match content {
        Some(c) => tx.execute(
            "UPDATE upload_tokens SET data = ?2, content = ?3 WHERE id = ?1",
            params![id, obj.to_string(), c],
        )?,
        None => tx.execute(
            "UPDATE upload_tokens SET data = ?2 WHERE id = ?1",
            params![id, obj.to_string()],
        )?,
    };
    Ok(())
}

fn add(
    tx: &Transaction<'_>,
    session: &Session,
    p: &Params,
    token_id: &str,
) -> Result<Value, ApiError> {
    let sent = p.root.get("uploadToken").and_then(Value::as_object);
    let now = now_secs();
    let mut obj = json!({
        "objectType": "KalturaUploadToken", "id": token_id, "partnerId": session.partner_id,
        "userId": session.user_id, "status": PENDING, "uploadedFileSize": 0,
        "createdAt": now, "updatedAt": now,
    });
    if let Some(sent) = sent {
        fields::copy(sent, &mut obj, &["fileName", "fileSize", "autoFinalize"]);
        fields::normalize_ints(&mut obj, "KalturaUploadToken", &["fileSize"])?;
    }
    tx.execute(
        "INSERT INTO upload_tokens (id, partner_id, content, data) VALUES (?1, ?2, x'', ?3)",
        params![token_id, session.partner_id, obj.to_string()],
    )?;
    Ok(obj)
}

/// Writes `chunk` at `at` (overwriting what is there, extending past the end).
fn write_at(content: &mut Vec<u8>, at: usize, chunk: &[u8]) {
    let end = at + chunk.len();
    if content.len() < end {
        content.resize(end, 0);
    }
    content[at..end].copy_from_slice(chunk);
}

fn upload(tx: &Transaction<'_>, session: &Session, p: &Params) -> Result<Value, ApiError> {
    let id = fields::text_id(p, "uploadTokenId")?;
    let (mut obj, mut content) = load(tx, session, &id)?;
    let status = obj["status"].as_i64().unwrap_or(PENDING);
    if status != PENDING && status != PARTIAL_UPLOAD {
        return Err(ApiError::upload_token_invalid_status_for_upload());
    }
    let file = p
        .files
        .iter()
        .find(|f| f.name == "fileData")
        .ok_or_else(|| ApiError::missing_parameter("fileData"))?;
    let resume = params::boolean(p.root.get("resume")).unwrap_or(false);
    let final_chunk = params::boolean(p.root.get("finalChunk")).unwrap_or(true);
    let resume_at = params::int(p.root.get("resumeAt"), "resumeAt")?.unwrap_or(-1);
    if !resume {
        content = file.data.clone();
        tx.execute("DELETE FROM upload_chunks WHERE token_id = ?1", [&id])?;
    } else {
        let at = if resume_at < 0 {
            content.len()
        } else {
            resume_at as usize
        };
        if at <= content.len() {
            write_at(&mut content, at, &file.data);
        } else {
            tx.execute(
                "INSERT OR REPLACE INTO upload_chunks (token_id, resume_at, content) VALUES (?1, ?2, ?3)",
                params![id, at as i64, file.data],
            )?;
        }
        merge_waiting_chunks(tx, &id, &mut content)?;
    }
    if final_chunk {
        obj["finalChunkReceived"] = json!(true);
    }
    let waiting: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM upload_chunks WHERE token_id = ?1)",
        [&id],
        |r| r.get(0),
    )?;
    let complete = obj["finalChunkReceived"].as_bool() == Some(true) && !waiting;
    obj["status"] = json!(if complete {
        FULL_UPLOAD
    } else {
        PARTIAL_UPLOAD
    });
    obj["uploadedFileSize"] = json!(content.len());
    obj["updatedAt"] = json!(now_secs());
    save(tx, &obj, Some(&content))?;
    Ok(obj)
}

/// Appends every waiting chunk that now touches the received bytes.
fn merge_waiting_chunks(
    tx: &Transaction<'_>,
    id: &str,
    content: &mut Vec<u8>,
) -> Result<(), ApiError> {
    loop {
        let next: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT resume_at, content FROM upload_chunks WHERE token_id = ?1 AND resume_at <= ?2 \
                 ORDER BY resume_at LIMIT 1",
                params![id, content.len() as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((at, chunk)) = next else {
            return Ok(());
        };
        write_at(content, at as usize, &chunk);
        tx.execute(
            "DELETE FROM upload_chunks WHERE token_id = ?1 AND resume_at = ?2",
            params![id, at],
        )?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_at_overwrites_and_extends() {
        let mut c = b"abcdef".to_vec();
        write_at(&mut c, 4, b"XYZ");
        assert_eq!(c, b"abcdXYZ");
        write_at(&mut c, 0, b"Q");
        assert_eq!(c, b"QbcdXYZ");
    }
}
