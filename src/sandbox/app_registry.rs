//! The App Registry REST service, to the letter of `seeds/app-registry-api.txt`: `POST
//! /api/v1/app-registry/{add|get|update|delete|enable|disable|list|findByOrganizationDomain}`
//! with `Authorization: Bearer <ADMIN KS>`, JSON bodies, application errors as HTTP 200 bodies
//! and `VALIDATION_ERROR` as HTTP 400.
use rusqlite::{Transaction, params};
use serde_json::{Map, Value, json};

use super::http::{Request, Response};
use super::server::Shared;
use super::session;
use super::store;

/// `appType` values (seed §4.1).
const APP_TYPES: [&str; 12] = [
    "kms",
    "kmc",
    "ep",
    "sites",
    "pitch",
    "test",
    "games",
    "empAccount",
    "epmEvent",
    "epmSystem",
    "mr",
    "kalturaServer",
];
const ACTIONS: [&str; 8] = [
    "add",
    "get",
    "update",
    "delete",
    "enable",
    "disable",
    "list",
    "findByOrganizationDomain",
];
const MAX_LIMIT: i64 = 5000;
const DEFAULT_LIMIT: i64 = 30;
const MAX_DOMAIN: usize = 255;

/// An error of this service: HTTP status, code and message.
struct AppError {
    status: u16,
    code: &'static str,
    message: String,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError {
        status: 400,
        code: "VALIDATION_ERROR",
        message: message.into(),
    }
}

fn app_error(code: &'static str, message: impl Into<String>) -> AppError {
    AppError {
        status: 200,
        code,
        message: message.into(),
    }
}

impl From<super::error::ApiError> for AppError {
    fn from(e: super::error::ApiError) -> Self {
        AppError {
            status: 200,
            code: e.code,
            message: e.message,
        }
    }
}

/// Serves one App Registry request.
pub(crate) fn handle(shared: &Shared, request: &Request, action: &str) -> Response {
    if !ACTIONS.contains(&action) {
        let body = json!({"code": "NOT_FOUND", "message": format!("Cannot POST /api/v1/app-registry/{action}"), "objectType": "KalturaAPIException"});
        return Response::json(404, &body);
    }
    if request.method != "POST" {
        let body = json!({"code": "METHOD_NOT_ALLOWED", "message": "all App Registry endpoints use POST", "objectType": "KalturaAPIException"});
        return Response::json(405, &body);
    }
    shared.counters.call("appRegistry", action);
    match run(shared, request, action) {
        Ok(Some(v)) => Response::json(200, &v),
        Ok(None) => Response {
            status: 200,
            content_type: "application/json",
            body: Vec::new(),
        },
        Err(e) => Response::json(
            e.status,
            &json!({"code": e.code, "message": e.message, "objectType": "KalturaAPIException"}),
        ),
    }
}

fn run(shared: &Shared, request: &Request, action: &str) -> Result<Option<Value>, AppError> {
    let ks = request
        .header("authorization")
        .and_then(|h| {
            h.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        })
        .map(|(_, ks)| ks.trim().to_string());
    let body: Map<String, Value> = if request.body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice(&request.body) {
            Ok(Value::Object(m)) => m,
            _ => return Err(invalid("request body must be a JSON object")),
        }
    };
    shared.store.tx(|tx| {
        let caller = session::validate(tx, shared, ks.as_deref())?;
        if !caller.is_admin() {
            return Err(app_error(
                "SERVICE_FORBIDDEN",
                "The App Registry requires an ADMIN KS (type=2)",
            ));
        }
        dispatch(tx, shared, caller.partner_id, action, &body)
    })
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::from(super::error::ApiError::from(e))
    }
}

fn dispatch(
    tx: &Transaction<'_>,
    shared: &Shared,
    partner: i64,
    action: &str,
    body: &Map<String, Value>,
) -> Result<Option<Value>, AppError> {
    match action {
        "add" => add(tx, shared, partner, body).map(Some),
        "get" => load(tx, partner, &required_string(body, "id")?).map(|(_, app)| Some(app)),
        "update" => update(tx, partner, body).map(Some),
        "delete" => {
            let (seq, _) = load(tx, partner, &required_string(body, "id")?)?;
            tx.execute("DELETE FROM apps WHERE seq = ?1", [seq])?;
            Ok(None)
        }
        "enable" | "disable" => set_status(
            tx,
            partner,
            body,
            if action == "enable" {
                "enabled"
            } else {
                "disabled"
            },
        )
        .map(Some),
        "list" => list(tx, partner, body).map(Some),
        _ => find_by_domain(tx, partner, body).map(Some),
    }
}

fn now_iso() -> String {
    format!("{:.3}", jiff::Timestamp::now())
}

fn required_string(body: &Map<String, Value>, field: &str) -> Result<String, AppError> {
    match body.get(field) {
        None | Some(Value::Null) => Err(invalid(format!("{field} is required"))),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(invalid(format!("{field} should not be empty")))
        }
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(invalid(format!("{field} must be a string"))),
    }
}

fn optional_string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, AppError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => required_string(body, field).map(Some),
    }
}

fn app_type(value: Option<String>, field: &str) -> Result<Option<String>, AppError> {
    match value {
        Some(t) if !APP_TYPES.contains(&t.as_str()) => Err(invalid(format!(
            "{field} must be one of the following values: {}",
            APP_TYPES.join(", ")
        ))),
        other => Ok(other),
    }
}

/// Removes every whitespace character (the service strips it from domains).
fn strip(domain: &str) -> String {
    domain.chars().filter(|c| !c.is_whitespace()).collect()
}

fn domains(domain: &str) -> impl Iterator<Item = &str> {
    domain.split(',').filter(|d| !d.is_empty())
}

/// Reads and normalises an `organizationDomain` object.
fn organization_domain(body: &Map<String, Value>) -> Result<Option<Value>, AppError> {
    let obj = match body.get("organizationDomain") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(invalid("organizationDomain must be an object")),
    };
    let raw = required_string(obj, "domain")
        .map_err(|e| invalid(format!("organizationDomain.{}", e.message)))?;
    let domain = strip(&raw);
    if domain.chars().count() > MAX_DOMAIN || raw.chars().count() > MAX_DOMAIN {
        return Err(invalid(
            "organizationDomain.domain must be shorter than or equal to 255 characters",
        ));
    }
    if domains(&domain).next().is_none() {
        return Err(invalid("organizationDomain.domain should not be empty"));
    }
    let organization = optional_string(obj, "organizationId")
        .map_err(|e| invalid(format!("organizationDomain.{}", e.message)))?;
    if organization
        .as_ref()
        .is_some_and(|o| o.chars().count() > MAX_DOMAIN)
    {
        return Err(invalid(
            "organizationDomain.organizationId must be shorter than or equal to 255 characters",
        ));
    }
    let mut out = json!({"domain": domain});
    if let Some(o) = organization {
        out["organizationId"] = json!(o);
    }
    Ok(Some(out))
}

fn all_apps(tx: &Transaction<'_>, partner: Option<i64>) -> Result<Vec<Value>, AppError> {
    store::objects(
        tx,
        "SELECT data FROM apps WHERE (?1 IS NULL OR partner_id = ?1) ORDER BY seq",
        params![partner],
    )
    .map_err(AppError::from)
}

/// Uniqueness rules of seed §5: `appCustomId` per partner, and organizationId + each domain +
/// appType across the registry.
fn check_unique(tx: &Transaction<'_>, partner: i64, app: &Value) -> Result<(), AppError> {
    let id = app["id"].as_str().unwrap_or_default();
    let custom_id = app["appCustomId"].as_str().unwrap_or_default();
    let others = all_apps(tx, None)?;
    let others: Vec<&Value> = others
        .iter()
        .filter(|o| o["id"].as_str() != Some(id))
        .collect();
    if others.iter().any(|o| {
        o["partnerId"].as_i64() == Some(partner) && o["appCustomId"].as_str() == Some(custom_id)
    }) {
        return Err(app_error(
            "APP_REGISTRY_ALREADY_EXISTS_WITH_THIS_APP_CUSTOM_ID",
            format!("App registry already exists with this appCustomId [{custom_id}]"),
        ));
    }
    let Some(binding) = app.get("organizationDomain") else {
        return Ok(());
    };
    let domain = binding["domain"].as_str().unwrap_or_default();
    for d in domains(domain) {
        let clash = others.iter().any(|o| {
            o["appType"] == app["appType"]
                && o["organizationDomain"]["organizationId"] == binding["organizationId"]
                && o["organizationDomain"]["domain"]
                    .as_str()
                    .is_some_and(|od| domains(od).any(|x| x == d))
        });
        if clash {
            return Err(app_error(
                "ORGANIZATION_ID_DOMAIN_AND_APP_TYPE_MUST_BE_UNIQUE",
                format!(
                    "organizationId, domain and appType must be unique: domain [{d}] is already registered"
                ),
            ));
        }
    }
    Ok(())
}

fn load(tx: &Transaction<'_>, partner: i64, id: &str) -> Result<(i64, Value), AppError> {
    let row: Option<(i64, String)> = rusqlite::OptionalExtension::optional(tx.query_row(
        "SELECT seq, data FROM apps WHERE id = ?1 AND partner_id = ?2",
        params![id, partner],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ))?;
    let (seq, data) =
        row.ok_or_else(|| app_error("OBJECT_NOT_FOUND", format!("App [{id}] not found")))?;
    Ok((seq, store::parse_data(&data)?))
}

fn save(tx: &Transaction<'_>, seq: i64, app: &Value) -> Result<(), AppError> {
    tx.execute(
        "UPDATE apps SET app_custom_id = ?2, data = ?3 WHERE seq = ?1",
        params![seq, app["appCustomId"].as_str(), app.to_string()],
    )?;
    Ok(())
}

fn add(
    tx: &Transaction<'_>,
    shared: &Shared,
    partner: i64,
    body: &Map<String, Value>,
) -> Result<Value, AppError> {
    let custom_id = required_string(body, "appCustomId")?;
    let kind = app_type(Some(required_string(body, "appType")?), "appType")?;
    let name = required_string(body, "appCustomName")?;
    let binding = organization_domain(body)?;
    let now = now_iso();
    let mut app = json!({
        "id": shared.ids.uuid(), "partnerId": partner, "appCustomId": custom_id, "appCustomName": name,
        "appType": kind, "status": "enabled", "version": 0, "createdAt": now, "updatedAt": now,
        "objectType": "App",
    });
    if let Some(b) = binding {
        app["organizationDomain"] = b;
    }
    check_unique(tx, partner, &app)?;
    tx.execute(
        "INSERT INTO apps (id, partner_id, app_custom_id, data) VALUES (?1, ?2, ?3, ?4)",
        params![app["id"].as_str(), partner, custom_id, app.to_string()],
    )?;
    Ok(app)
}

fn update(
    tx: &Transaction<'_>,
    partner: i64,
    body: &Map<String, Value>,
) -> Result<Value, AppError> {
    let id = required_string(body, "id")?;
    let custom_id = optional_string(body, "appCustomId")?;
    let name = optional_string(body, "appCustomName")?;
    let kind = app_type(optional_string(body, "appType")?, "appType")?;
    let binding = organization_domain(body)?;
    let (seq, mut app) = load(tx, partner, &id)?;
    for (field, value) in [
        ("appCustomId", custom_id),
        ("appCustomName", name),
        ("appType", kind),
    ] {
        if let Some(v) = value {
            app[field] = json!(v);
        }
    }
    if let Some(b) = binding {
        app["organizationDomain"] = b;
    }
    check_unique(tx, partner, &app)?;
    app["version"] = json!(app["version"].as_i64().unwrap_or(0) + 1);
    app["updatedAt"] = json!(now_iso());
    save(tx, seq, &app)?;
    Ok(app)
}

fn set_status(
    tx: &Transaction<'_>,
    partner: i64,
    body: &Map<String, Value>,
    status: &str,
) -> Result<Value, AppError> {
    let (seq, mut app) = load(tx, partner, &required_string(body, "id")?)?;
    if app["status"].as_str() != Some(status) {
        app["status"] = json!(status);
        app["version"] = json!(app["version"].as_i64().unwrap_or(0) + 1);
        app["updatedAt"] = json!(now_iso());
        save(tx, seq, &app)?;
    }
    Ok(app)
}

/// Reads `pager{offset, limit}` (seed §10.2): offset ≥ 0, limit 1..=5000, defaults 0 and 30.
fn pager(body: &Map<String, Value>) -> Result<(usize, usize), AppError> {
    let obj = match body.get("pager") {
        None | Some(Value::Null) => return Ok((0, DEFAULT_LIMIT as usize)),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(invalid("pager must be an object")),
    };
    let int = |field: &str, default: i64| -> Result<i64, AppError> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v
                .as_i64()
                .ok_or_else(|| invalid(format!("pager.{field} must be an integer number"))),
        }
    };
    let offset = int("offset", 0)?;
    let limit = int("limit", DEFAULT_LIMIT)?;
    if offset < 0 {
        return Err(invalid("pager.offset must not be less than 0"));
    }
    if limit < 1 {
        return Err(invalid("pager.limit must not be less than 1"));
    }
    if limit > MAX_LIMIT {
        return Err(invalid(format!(
            "pager.limit must not be greater than {MAX_LIMIT}"
        )));
    }
    Ok((offset as usize, limit as usize))
}

fn string_list(filter: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, AppError> {
    match filter.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid(format!("filter.{field} must contain only strings")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid(format!("filter.{field} must be an array"))),
    }
}

fn date(filter: &Map<String, Value>, field: &str) -> Result<Option<jiff::Timestamp>, AppError> {
    let Some(text) =
        optional_string(filter, field).map_err(|e| invalid(format!("filter.{}", e.message)))?
    else {
        return Ok(None);
    };
    let bad = || {
        invalid(format!(
            "filter.{field} must be a valid ISO 8601 date string"
        ))
    };
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(Some(ts));
    }
    let day: jiff::civil::Date = text.parse().map_err(|_| bad())?;
    day.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| Some(z.timestamp()))
        .map_err(|_| bad())
}

fn stamp(app: &Value, field: &str) -> Option<jiff::Timestamp> {
    app[field].as_str()?.parse().ok()
}

fn page(matching: Vec<Value>, (offset, limit): (usize, usize)) -> Value {
    let total = matching.len();
    let objects: Vec<Value> = matching.into_iter().skip(offset).take(limit).collect();
    json!({"objects": objects, "totalCount": total})
}

fn list(tx: &Transaction<'_>, partner: i64, body: &Map<String, Value>) -> Result<Value, AppError> {
    let empty = Map::new();
    let filter = match body.get("filter") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return Err(invalid("filter must be an object")),
    };
    let text =
        |f: &str| optional_string(filter, f).map_err(|e| invalid(format!("filter.{}", e.message)));
    let ids = string_list(filter, "idIn")?;
    let custom_ids = string_list(filter, "appCustomIdIn")?;
    let names = string_list(filter, "appCustomNameIn")?;
    let kind = app_type(text("appType")?, "filter.appType")?;
    let status = text("status")?;
    if status
        .as_deref()
        .is_some_and(|s| s != "enabled" && s != "disabled")
    {
        return Err(invalid(
            "filter.status must be one of the following values: enabled, disabled",
        ));
    }
    let domain = text("domain")?.map(|d| strip(&d));
    let organization = text("organizationId")?;
    let bounds = [
        (
            "createdAt",
            date(filter, "createdAtGreaterThanOrEqual")?,
            date(filter, "createdAtLessThanOrEqual")?,
        ),
        (
            "updatedAt",
            date(filter, "updatedAtGreaterThanOrEqual")?,
            date(filter, "updatedAtLessThanOrEqual")?,
        ),
    ];
    let pager = pager(body)?;
    let within = |list: &Option<Vec<String>>, v: &Value| {
        list.as_ref()
            .is_none_or(|l| v.as_str().is_some_and(|s| l.iter().any(|x| x == s)))
    };
    let matching: Vec<Value> = all_apps(tx, Some(partner))?
        .into_iter()
        .filter(|app| {
            within(&ids, &app["id"])
                && within(&custom_ids, &app["appCustomId"])
                && within(&names, &app["appCustomName"])
                && kind.as_deref().is_none_or(|k| app["appType"] == k)
                && status.as_deref().is_none_or(|s| app["status"] == s)
                && organization
                    .as_deref()
                    .is_none_or(|o| app["organizationDomain"]["organizationId"] == o)
                && domain.as_deref().is_none_or(|d| {
                    app["organizationDomain"]["domain"]
                        .as_str()
                        .is_some_and(|ad| domains(ad).any(|x| x == d))
                })
                && bounds.iter().all(|(field, min, max)| {
                    let t = stamp(app, field);
                    min.is_none_or(|m| t.is_some_and(|t| t >= m))
                        && max.is_none_or(|m| t.is_some_and(|t| t <= m))
                })
        })
        .collect();
    Ok(page(matching, pager))
}

fn find_by_domain(
    tx: &Transaction<'_>,
    partner: i64,
    body: &Map<String, Value>,
) -> Result<Value, AppError> {
    let raw = required_string(body, "domain")?;
    if raw.chars().count() > MAX_DOMAIN {
        return Err(invalid(
            "domain must be shorter than or equal to 255 characters",
        ));
    }
    let domain = strip(&raw);
    let kind = app_type(Some(required_string(body, "appType")?), "appType")?;
    let organization = optional_string(body, "organizationId")?;
    let pager = pager(body)?;
    let matching: Vec<Value> = all_apps(tx, Some(partner))?
        .into_iter()
        .filter(|app| {
            app["appType"].as_str() == kind.as_deref()
                && organization
                    .as_deref()
                    .is_none_or(|o| app["organizationDomain"]["organizationId"] == o)
                && app["organizationDomain"]["domain"]
                    .as_str()
                    .is_some_and(|ad| domains(ad).any(|x| x == domain))
        })
        .collect();
    Ok(page(matching, pager))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_stripped_and_split() {
        assert_eq!(strip(" a.com ,\tb.org "), "a.com,b.org");
        assert_eq!(
            domains("a.com,,b.org").collect::<Vec<_>>(),
            vec!["a.com", "b.org"]
        );
    }
}
