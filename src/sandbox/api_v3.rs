//! API v3 dispatch: service and action lookup, KS checks, one call per transaction, and
//! `multirequest` with `{N:result:path}` placeholders and per-element errors.
use serde_json::{Map, Value};

use super::error::ApiError;
use super::params::Params;
use super::server::Shared;
use super::{bulk, categories, category_users, entries, events, resources, session, upload, users};

/// Who may call an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// No KS needed (`system.ping`, `session.start`, `session.startWidgetSession`).
    None,
    /// Any valid KS, the weak widget KS included (`appToken.startSession`).
    Widget,
    /// A full (non-widget) KS.
    Full,
}

/// The known services (lower case, as Kaltura compares them) and their actions.
fn lookup(service: &str, action: &str) -> Result<Auth, ApiError> {
    let actions: &[&str] = match service {
        "system" => &["ping"],
        "session" => &["start", "startwidgetsession"],
        "apptoken" => &["startsession"],
        "schedule_scheduleresource" => &resources::ACTIONS,
        "schedule_scheduleevent" => &events::EVENT_ACTIONS,
        "schedule_scheduleeventresource" => &events::LINK_ACTIONS,
        "uploadtoken" => &upload::ACTIONS,
        "media" => &entries::MEDIA_ACTIONS,
        "livestream" => &entries::LIVE_STREAM_ACTIONS,
        "baseentry" => &entries::BASE_ENTRY_ACTIONS,
        "categoryentry" => &entries::CATEGORY_ENTRY_ACTIONS,
        "category" => &categories::ACTIONS,
        "user" => &users::ACTIONS,
        "groupuser" => &users::GROUP_ACTIONS,
        "categoryuser" => &category_users::ACTIONS,
        "schedulebulkupload_schedulebulk" => &bulk::service::SCHEDULE_ACTIONS,
        "bulkupload_bulk" => &bulk::service::BULK_ACTIONS,
        "bulkupload" => &bulk::service::OLD_ACTIONS,
        _ => return Err(ApiError::service_does_not_exist(service)),
    };
    if !actions.contains(&action) && bulk::service::alias(service, action).is_none() {
        return Err(ApiError::action_does_not_exist(action, service));
    }
    Ok(match (service, action) {
        ("system", _) | ("session", _) => Auth::None,
        ("apptoken", _) => Auth::Widget,
        _ => Auth::Full,
    })
}

/// Actions the partner's user role has no permission for (Kaltura's default roles give schedule
/// writes to administrators only): a USER KS gets `SERVICE_FORBIDDEN`, as does any KS whose
/// `setrole` names another role than the administrator's.
fn admin_only(service: &str, action: &str) -> bool {
    (service.starts_with("schedule_") || service.starts_with("schedulebulkupload_"))
        && !matches!(action, "get" | "list")
}

/// Runs one call; the result or error as the JSON Kaltura returns.
pub(crate) fn call(shared: &Shared, service: &str, action: &str, p: &Params) -> Value {
    match try_call(shared, service, action, p) {
        Ok(v) => v,
        Err(e) => e.to_json(),
    }
}

fn try_call(
    shared: &Shared,
    service_name: &str,
    action_name: &str,
    p: &Params,
) -> Result<Value, ApiError> {
    let service = service_name.to_ascii_lowercase();
    let action = action_name.to_ascii_lowercase();
    let auth = lookup(&service, &action)?;
    shared.counters.call(&service, &action);
    let ks = super::params::text(p.root.get("ks"));
    let mut created = None;
    let result = shared.store.tx(|tx| {
        if auth == Auth::None {
            return match (service.as_str(), action.as_str()) {
                ("system", _) => Ok(Value::Bool(true)),
                (_, "start") => session::start(tx, shared, p),
                _ => session::start_widget(tx, shared, p),
            };
        }
        let caller = session::validate(tx, shared, ks.as_deref())?;
        if (caller.widget && auth == Auth::Full)
            || (admin_only(&service, &action) && !caller.has_admin_role())
        {
            return Err(ApiError::service_forbidden(&format!(
                "{service_name}->{action_name}"
            )));
        }
        let bulk_action = bulk::service::alias(&service, &action).or(matches!(
            service.as_str(),
            "schedulebulkupload_schedulebulk" | "bulkupload_bulk"
        )
        .then_some(action.as_str()));
        if let Some(bulk_action) = bulk_action {
            let (value, job) = bulk::service::call(tx, shared, &caller, bulk_action, p)?;
            created = job;
            return Ok(value);
        }
        match service.as_str() {
            "apptoken" => session::start_app_token(tx, shared, &caller, p),
            "schedule_scheduleresource" => resources::call(tx, &caller, &action, p),
            "schedule_scheduleevent" => events::call(tx, &caller, &action, p),
            "schedule_scheduleeventresource" => events::call_link(tx, &caller, &action, p),
            "uploadtoken" => upload::call(tx, &shared.ids, &caller, &action, p),
            "media" => entries::call_media(tx, &shared.ids, &caller, &action, p),
            "baseentry" => entries::call_base_entry(tx, &shared.ids, &caller, &action, p),
            "livestream" => entries::call_live_stream(tx, &shared.ids, &caller, &action, p),
            "category" => categories::call(tx, &caller, &action, p),
            "user" => users::call(tx, &caller, &action, p),
            "groupuser" => users::call_group(tx, &caller, &action, p),
            "categoryuser" => category_users::call(tx, &caller, &action, p),
            _ => entries::call_category_entry(tx, &caller, &action, p),
        }
    });
    if let (Ok(_), Some(id)) = (&result, created) {
        shared.bulk.enqueue(id);
    }
    result
}

/// `serveLog` / `serve` of a bulk job: a raw body (the log, the file) instead of an API answer,
/// or `None` when the call is not one of them.
pub(crate) fn bulk_file(
    shared: &Shared,
    service: &str,
    action: &str,
    p: &Params,
) -> Option<super::http::Response> {
    let (service, action) = (service.to_ascii_lowercase(), action.to_ascii_lowercase());
    if !matches!(service.as_str(), "bulkupload_bulk" | "bulkupload")
        || !matches!(action.as_str(), "servelog" | "serve")
    {
        return None;
    }
    shared.counters.call(&service, &action);
    let ks = super::params::text(p.root.get("ks"));
    let served = shared.store.tx(|tx| {
        let caller = session::validate(tx, shared, ks.as_deref())?;
        if caller.widget {
            return Err(ApiError::service_forbidden(&format!("{service}->{action}")));
        }
        bulk::service::serve(tx, &caller, &action, p)
    });
    Some(match served {
        Ok(r) => r,
        Err(e) => super::http::Response::json(200, &e.to_json()),
    })
}

/// Runs a multirequest: keys `"1"`, `"2"`, ... each `{service, action, params...}`; other
/// top-level parameters (`ks`, `format`, ...) are shared defaults. Elements run in order, each in
/// its own transaction, so each can fail alone.
pub(crate) fn multirequest(shared: &Shared, p: &Params) -> Value {
    let mut numbered: Vec<(u64, &Map<String, Value>)> = p
        .root
        .iter()
        .filter_map(|(k, v)| Some((k.parse::<u64>().ok()?, v.as_object()?)))
        .collect();
    numbered.sort_by_key(|(n, _)| *n);
    let defaults: Map<String, Value> = p
        .root
        .iter()
        .filter(|(k, _)| k.parse::<u64>().is_err())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut results: Vec<Value> = Vec::with_capacity(numbered.len());
    for (n, request) in numbered {
        let mut root = defaults.clone();
        for (k, v) in request {
            root.insert(k.clone(), resolve(v, &results));
        }
        let service = super::params::text(root.remove("service").as_ref());
        let action = super::params::text(root.remove("action").as_ref());
        let prefix = format!("{n}:");
        let files = p
            .files
            .iter()
            .filter_map(|f| {
                let name = f.name.strip_prefix(&prefix)?;
                Some(super::multipart::FilePart {
                    name: name.to_string(),
                    ..f.clone()
                })
            })
            .collect();
        let sub = Params { root, files };
        let result = match (service, action) {
            (Some(s), Some(a)) => call(shared, &s, &a, &sub),
            (None, _) => ApiError::service_not_specified().to_json(),
            (_, None) => ApiError::action_not_specified().to_json(),
        };
        results.push(result);
    }
    Value::Array(results)
}

/// Replaces `{N:result}` / `{N:result:a:b}` placeholders with earlier results. A value that is
/// exactly one placeholder takes the referenced value (number, string, object); a placeholder
/// inside longer text is replaced by the value's text. A placeholder whose request failed, or
/// whose path does not exist, stays as it is, so the call fails visibly (a numeric property then
/// gets `PROPERTY_VALIDATION_NUMERIC_VALUE`) instead of silently losing the reference.
fn resolve(value: &Value, results: &[Value]) -> Value {
    match value {
        Value::String(s) => resolve_text(s, results),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve(v, results)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, results)).collect()),
        other => other.clone(),
    }
}

fn resolve_text(s: &str, results: &[Value]) -> Value {
    if !s.contains(":result") {
        return Value::String(s.to_string());
    }
    if let Some(v) = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .and_then(|inner| lookup_placeholder(inner, results))
    {
        return v;
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = &rest[open + 1..open + close];
        match lookup_placeholder(inner, results) {
            Some(v) => out.push_str(&super::params::text(Some(&v)).unwrap_or_default()),
            None => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Value::String(out)
}

fn is_placeholder(inner: &str) -> bool {
    let mut parts = inner.splitn(3, ':');
    matches!((parts.next(), parts.next()), (Some(n), Some("result")) if n.parse::<usize>().is_ok())
}

fn lookup_placeholder(inner: &str, results: &[Value]) -> Option<Value> {
    if !is_placeholder(inner) {
        return None;
    }
    let mut parts = inner.splitn(3, ':');
    let n: usize = parts.next()?.parse().ok()?;
    let _ = parts.next();
    let mut node = results.get(n.checked_sub(1)?)?;
    if node.get("objectType").and_then(Value::as_str) == Some("KalturaAPIException") {
        return None;
    }
    for seg in parts
        .next()
        .unwrap_or("")
        .split(':')
        .filter(|s| !s.is_empty())
    {
        node = match node {
            Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            other => other.get(seg)?,
        };
    }
    (!node.is_null()).then(|| node.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_resolve_whole_embedded_and_failed() {
        let results = vec![
            json!({"id": 7, "objects": [{"id": "0_x"}]}),
            json!({"objectType": "KalturaAPIException", "code": "X"}),
            json!("ks-text"),
        ];
        assert_eq!(resolve_text("{1:result:id}", &results), json!(7));
        assert_eq!(
            resolve_text("{1:result:objects:0:id}", &results),
            json!("0_x")
        );
        assert_eq!(resolve_text("{3:result}", &results), json!("ks-text"));
        assert_eq!(resolve_text("a-{1:result:id}-b", &results), json!("a-7-b"));
        assert_eq!(
            resolve_text("{2:result:id}", &results),
            json!("{2:result:id}")
        );
        assert_eq!(resolve_text("{9:result}", &results), json!("{9:result}"));
        assert_eq!(resolve_text("{0:result}", &results), json!("{0:result}"));
        assert_eq!(resolve_text("{plain}", &results), json!("{plain}"));
    }
}
