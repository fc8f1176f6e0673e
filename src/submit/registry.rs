//! The App Registry REST client (`seeds/app-registry-api.txt`): `POST {base}/app-registry/
//! {action}` with a JSON body and `Authorization: Bearer <KS>`, one call per request (no
//! multirequest). Application errors come back as HTTP 200 bodies and validation errors as HTTP
//! 400 `VALIDATION_ERROR`: both are the call's own error (a per-row result), never a transport
//! failure. Transport failures are classified as the API v3 client does.
use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

use super::auth::Secret;
use super::client::{ApiError, Element, Failure, FailureKind, classify, retry_after};
use super::multirequest::{Call, resolve_refs};

/// The service name planners put on App Registry calls; the executor routes them here.
pub const SERVICE: &str = "app-registry";

/// The App Registry regions (seed: NVP is the default; EU is irp2, DE frp2).
pub const REGIONS: [&str; 3] = ["nvp1", "irp2", "frp2"];

/// The one App Registry host the seed (`seeds/app-registry-api.txt`) gives: NVP's.
pub const NVP1_URL: &str = "https://app-registry.nvp1.ovp.kaltura.com/api/v1";

/// The base URL (`.../api/v1`) of a region. Only `nvp1` has a documented host: for `irp2` and
/// `frp2` the seed names the region but not its URL, so the answer says so (and asks for
/// `--app-registry-url`) instead of guessing one.
pub fn region_url(region: &str) -> Result<String, String> {
    match region {
        "nvp1" => Ok(NVP1_URL.to_string()),
        "irp2" | "frp2" => Err(format!(
            "the App Registry contract names region {region} but not its host (it documents only \
             nvp1: {NVP1_URL}); give the {region} base URL with --app-registry-url (or \
             KALTURA_APP_REGISTRY_URL)"
        )),
        other => Err(format!(
            "unknown App Registry region {other:?}: the regions are {}",
            REGIONS.join(", ")
        )),
    }
}

/// Largest response body read (a list page of 5000 apps is far below this).
const MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// A blocking App Registry client. Cheap to clone.
#[derive(Clone)]
pub struct Registry {
    agent: ureq::Agent,
    base: String,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("base", &self.base)
            .finish()
    }
}

impl Registry {
    /// A client for `base` (`https://app-registry.nvp1.ovp.kaltura.com/api/v1`; a trailing `/` or
    /// `/app-registry` is accepted).
    pub fn new(base: &str, timeout: Duration) -> Result<Self, String> {
        let base = base
            .trim()
            .trim_end_matches('/')
            .trim_end_matches("/app-registry")
            .to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "the App Registry URL {base:?} must start with http:// or https://"
            ));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .max_idle_connections(64)
            .max_idle_connections_per_host(64)
            .user_agent(concat!("kbulk/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Registry { agent, base })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Runs one action with `body`. `Ok(Err(_))` is the service's error for the call (HTTP 200
    /// error body, HTTP 400 validation error); `Err(_)` a transport failure.
    pub fn call(&self, ks: &Secret, action: &str, body: &Value) -> Result<Element, Failure> {
        let url = format!("{}/app-registry/{action}", self.base);
        let mut response = self
            .agent
            .post(&url)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .header("Authorization", &format!("Bearer {}", ks.expose()))
            .send(body.to_string().as_bytes())
            .map_err(classify)?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string();
        let parsed = |text: &str| -> Result<Value, Failure> {
            if text.trim().is_empty() {
                // `delete` answers an empty body.
                return Ok(Value::Null);
            }
            serde_json::from_str(text).map_err(|e| {
                Failure::new(
                    FailureKind::Unknown,
                    format!("the response is not JSON ({e})"),
                )
            })
        };
        match status {
            200..=299 => {
                let text = text.map_err(|e| {
                    Failure::new(
                        FailureKind::Unknown,
                        format!("the response was cut off: {e}"),
                    )
                })?;
                let v = parsed(&text)?;
                Ok(match app_error(&v) {
                    Some(e) => Err(e),
                    None => Ok(v),
                })
            }
            429 | 503 => {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, jiff::Timestamp::now()));
                Err(Failure {
                    retry_after,
                    ..Failure::new(
                        FailureKind::Rejected,
                        format!("the App Registry is busy (HTTP {status}); nothing was applied"),
                    )
                })
            }
            400..=499 => {
                // A validation error is the row's own: the service's code and message.
                let body = text.ok().and_then(|t| parsed(&t).ok());
                match body.as_ref().and_then(app_error) {
                    Some(e) => Ok(Err(e)),
                    None => Err(Failure::new(
                        FailureKind::Refused,
                        format!("HTTP {status} from {url}"),
                    )),
                }
            }
            _ => Err(Failure::new(
                FailureKind::Unknown,
                format!("HTTP {status} from {url}"),
            )),
        }
    }

    /// Runs the calls of one task in order, each call's references to earlier results resolved
    /// (`{1:result:id}`); stops at the first error. A transport failure after an earlier call of
    /// the task was applied is an unknown outcome (part of the task took effect).
    pub fn run(&self, ks: &Secret, calls: &[Call]) -> Result<Vec<Element>, Failure> {
        let mut results: Vec<Value> = Vec::new();
        let mut out = Vec::new();
        for call in calls {
            let body = Value::Object(resolve_refs(&call.params, &results));
            match self.call(ks, &call.action, &body) {
                Ok(Ok(v)) => {
                    results.push(v.clone());
                    out.push(Ok(v));
                }
                Ok(Err(e)) => {
                    out.push(Err(e));
                    break;
                }
                Err(f) if !out.is_empty() => {
                    return Err(Failure {
                        kind: FailureKind::Unknown,
                        ..f
                    });
                }
                Err(f) => return Err(f),
            }
        }
        Ok(out)
    }
}

/// The largest `pager.limit` the service accepts (seed §10.2).
pub const MAX_PAGE: usize = 5000;

/// What [`Registry::export`] found: the apps, in the service's order, and the newest `updatedAt`.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// Every app the filter matched.
    pub apps: Vec<Value>,
    /// The greatest `updatedAt` among them (the watermark of the next delta sync).
    pub watermark: Option<String>,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The service refused the list (its code and message).
    #[error("the App Registry refused the list: {0}")]
    Refused(ApiError),
    /// No usable answer after the retries.
    #[error("listing apps failed: {0}")]
    Failed(Failure),
    /// The answer was not a list page.
    #[error("the list answer has no `objects` array")]
    BadAnswer,
}

impl Registry {
    /// Pages through `list` with `updatedAtGreaterThanOrEqual: since` (when given), `page` apps
    /// at a time (at most [`MAX_PAGE`]), retrying transient failures as `retry` says.
    pub fn export(
        &self,
        ks: &Secret,
        since: Option<&str>,
        page: usize,
        retry: &super::retry::RetryPolicy,
        sleep: &dyn Fn(Duration),
    ) -> Result<Export, ExportError> {
        let page = page.clamp(1, MAX_PAGE);
        let mut filter = Map::new();
        if let Some(s) = since {
            filter.insert("updatedAtGreaterThanOrEqual".into(), Value::from(s));
        }
        let mut out = Export::default();
        let mut newest: Option<(jiff::Timestamp, String)> = None;
        loop {
            let body = serde_json::json!({
                "filter": Value::Object(filter.clone()),
                "pager": {"offset": out.apps.len(), "limit": page},
            });
            let mut failures = 0;
            let answer = loop {
                match self.call(ks, "list", &body) {
                    Ok(Ok(v)) => break v,
                    Ok(Err(e)) => return Err(ExportError::Refused(e)),
                    // A list changes nothing: every failure but a refusal is worth a retry.
                    Err(f) if f.transient() && retry.allows(failures + 1) => {
                        failures += 1;
                        sleep(retry.delay_after(failures, f.retry_after));
                    }
                    Err(f) => return Err(ExportError::Failed(f)),
                }
            };
            let objects = answer
                .get("objects")
                .and_then(Value::as_array)
                .ok_or(ExportError::BadAnswer)?;
            for o in objects {
                if let Some(text) = o.get("updatedAt").and_then(Value::as_str)
                    && let Ok(t) = text.parse::<jiff::Timestamp>()
                    && newest.as_ref().is_none_or(|(n, _)| t > *n)
                {
                    newest = Some((t, text.to_string()));
                }
            }
            let n = objects.len();
            out.apps.extend(objects.iter().cloned());
            let total = answer.get("totalCount").and_then(Value::as_u64);
            if n < page || total.is_some_and(|t| out.apps.len() as u64 >= t) {
                break;
            }
        }
        out.watermark = newest.map(|(_, s)| s);
        Ok(out)
    }
}

/// The service's error object (`{code, message, objectType: KalturaAPIException}`), if `v` is one.
fn app_error(v: &Value) -> Option<ApiError> {
    if let Some(e) = ApiError::from_value(v) {
        return Some(e);
    }
    let o: &Map<String, Value> = v.as_object()?;
    if let Some(inner) = o.get("error").filter(|e| e.is_object()) {
        // The seed shows "an error object" without its shape: a wrapped one is read too.
        return app_error(inner);
    }
    let code = o.get("code")?.as_str()?;
    (!o.contains_key("id")).then(|| ApiError {
        code: code.to_string(),
        message: o
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn regions_and_errors() {
        assert_eq!(region_url("nvp1").as_deref(), Ok(NVP1_URL));
        let e = region_url("irp2").unwrap_err();
        assert!(e.contains("--app-registry-url"), "{e}");
        assert!(region_url("us1").is_err());
        let e = app_error(
            &json!({"code": "VALIDATION_ERROR", "message": "appCustomId is required",
            "objectType": "KalturaAPIException"}),
        )
        .unwrap();
        assert_eq!(e.code, "VALIDATION_ERROR");
        assert!(app_error(&json!({"id": "g", "code": "x"})).is_none());
        assert_eq!(
            app_error(&json!({"error": {"code": "X"}})).unwrap().code,
            "X"
        );
        let r = Registry::new(
            "http://127.0.0.1:1/api/v1/app-registry/",
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(r.base(), "http://127.0.0.1:1/api/v1");
        assert!(Registry::new("ftp://x", Duration::from_secs(1)).is_err());
    }
}
