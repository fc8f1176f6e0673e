//! The API v3 HTTP client: one blocking `ureq` agent, JSON bodies, every response body inspected,
//! and every transport failure classified by what it says about the call's fate.
//!
//! The classification is the heart of "retry only what is safe": a call that never reached the
//! server ([`FailureKind::NotSent`]) or that the server refused before processing it
//! ([`FailureKind::Rejected`], HTTP 503 or 429) did not happen; anything else that fails after the
//! request left ([`FailureKind::Unknown`]: other 5xx, a timeout, a reset, a torn or garbled
//! response) may or may not have been applied.
use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

use super::auth::Secret;
use super::multirequest::{self, Call};

/// The error object Kaltura returns (with HTTP 200) for a failed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Kaltura's code, e.g. `SYSTEM_NAME_ALREADY_EXISTS`.
    pub code: String,
    /// Kaltura's message, e.g. `System name [cam-1] already exists`.
    pub message: String,
}

impl ApiError {
    /// Reads a `KalturaAPIException` body; `None` when `v` is not one.
    pub fn from_value(v: &Value) -> Option<Self> {
        let obj = v.as_object()?;
        if obj.get("objectType").and_then(Value::as_str) != Some("KalturaAPIException") {
            return None;
        }
        let text = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or_default();
        Some(ApiError {
            code: text("code").to_string(),
            message: text("message").to_string(),
        })
    }

    /// Whether the session is no longer valid (expired or revoked KS).
    pub fn is_invalid_ks(&self) -> bool {
        self.code == "INVALID_KS" || self.code == "EXPIRED_KS"
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{} ({})", self.message, self.code)
        }
    }
}

/// What a transport failure says about whether the call was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The request never left: DNS failure, connection refused, connect timeout.
    NotSent,
    /// The server answered that it did not process the request (HTTP 503 or 429).
    Rejected,
    /// The request left and no trustworthy answer came back: the call may have been applied.
    Unknown,
    /// The server refused the request as a whole (HTTP 4xx other than 429): nothing was applied,
    /// and sending it again would meet the same answer.
    Refused,
}

/// A call or multirequest that got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What it says about the call's fate.
    pub kind: FailureKind,
    /// What happened, for people (never contains the KS).
    pub message: String,
    /// How long the server asked the client to wait (`Retry-After` on HTTP 429 or 503), as it
    /// said it: the retry policy caps it and never waits less than its own backoff.
    pub retry_after: Option<Duration>,
}

impl Failure {
    pub(super) fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Whether the call certainly did not take effect.
    pub fn not_applied(&self) -> bool {
        self.kind != FailureKind::Unknown
    }

    /// Whether trying again later may succeed (everything but [`FailureKind::Refused`]).
    pub fn transient(&self) -> bool {
        self.kind != FailureKind::Refused
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One chunk of a file for [`Client::upload_chunk`].
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    /// The upload token.
    pub token: &'a str,
    /// The file name sent with it.
    pub file_name: &'a str,
    /// The bytes.
    pub data: &'a [u8],
    /// Where they go in the file.
    pub resume_at: u64,
    /// Whether this is the last chunk.
    pub final_chunk: bool,
}

/// One element of a response: the result, or the error Kaltura returned for it.
pub type Element = Result<Value, ApiError>;

/// A blocking API v3 client. Cheap to clone: clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    api_url: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.api_url)
            .finish()
    }
}

/// Idle connections kept for reuse (per host and overall): above any sensible concurrency.
const MAX_IDLE_CONNECTIONS: usize = 64;

/// Largest response body read (lists of 500 objects are far below this).
const MAX_RESPONSE_BYTES: u64 = 64 << 20;

impl Client {
    /// A client for `service_url`: Kaltura's service URL (`https://www.kaltura.com`) or its API v3
    /// root (`.../api_v3`); `timeout` bounds each request from connect to the last byte.
    pub fn new(service_url: &str, timeout: Duration) -> Result<Self, String> {
        let api_url = api_v3_url(service_url)?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            // ureq keeps 3 idle connections per host by default: with more requests in flight
            // than that, every answer beyond the third closed its connection and the next
            // request paid a new TCP handshake. Keep enough for any `--concurrency`.
            .max_idle_connections(MAX_IDLE_CONNECTIONS)
            .max_idle_connections_per_host(MAX_IDLE_CONNECTIONS)
            .user_agent(concat!("kbulk/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client { agent, api_url })
    }

    /// The API v3 root calls go to (`.../api_v3`).
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// Runs one call. `Ok(Err(_))` is an error Kaltura returned; `Err(_)` a transport failure.
    pub fn call(&self, ks: Option<&Secret>, call: &Call) -> Result<Element, Failure> {
        let mut body = Map::new();
        body.insert("format".into(), Value::from(1));
        if let Some(ks) = ks {
            body.insert("ks".into(), Value::String(ks.expose().to_string()));
        }
        for (k, v) in multirequest::encode_params(&call.params, 0) {
            body.insert(k, v);
        }
        let url = format!(
            "{}/service/{}/action/{}",
            self.api_url, call.service, call.action
        );
        let value = self.post(&url, &Value::Object(body))?;
        Ok(match ApiError::from_value(&value) {
            Some(e) => Err(e),
            None => Ok(value),
        })
    }

    /// Runs `calls` as one multirequest and returns one element per call, in order. A response
    /// that is not an array of exactly that many elements is a [`FailureKind::Unknown`] failure.
    pub fn multirequest(&self, ks: &Secret, calls: &[Call]) -> Result<Vec<Element>, Failure> {
        let body = multirequest::body(ks.expose(), calls);
        let url = format!("{}/service/multirequest", self.api_url);
        let value = self.post(&url, &body)?;
        multirequest::elements(value, calls.len())
            .map_err(|m| Failure::new(FailureKind::Unknown, m))
    }

    /// Sends one chunk of a file to an upload token (`uploadToken.upload`, multipart
    /// `fileData`): `resume` and `resume_at` place it, `final_chunk` marks the last one. Sending
    /// the same chunk again overwrites the same bytes, so a chunk is always safe to resend.
    pub fn upload_chunk(&self, ks: &Secret, chunk: &Chunk<'_>) -> Result<Element, Failure> {
        use sha2::Digest;
        let boundary = format!(
            "----kbulk{}",
            hex::encode(&sha2::Sha256::digest(chunk.data)[..16])
        );
        let mut body = Vec::with_capacity(chunk.data.len() + 1024);
        let fields = [
            ("ks", ks.expose().to_string()),
            ("format", "1".to_string()),
            ("uploadTokenId", chunk.token.to_string()),
            ("resume", (chunk.resume_at > 0).to_string()),
            ("resumeAt", chunk.resume_at.to_string()),
            ("finalChunk", chunk.final_chunk.to_string()),
        ];
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let name: String = chunk
            .file_name
            .chars()
            .map(|c| if c == '"' || c.is_control() { '_' } else { c })
            .collect();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"fileData\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(chunk.data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let url = format!("{}/service/uploadToken/action/upload", self.api_url);
        let value = self.send(
            &url,
            &format!("multipart/form-data; boundary={boundary}"),
            &body,
        )?;
        Ok(match ApiError::from_value(&value) {
            Some(e) => Err(e),
            None => Ok(value),
        })
    }

    fn post(&self, url: &str, body: &Value) -> Result<Value, Failure> {
        self.send(url, "application/json", body.to_string().as_bytes())
    }

    /// Runs one call whose parameters travel as the multipart `json` part, with `data` as the
    /// file part `fileData` (the bulk services' upload, as the official clients send it).
    pub fn call_with_file(
        &self,
        ks: &Secret,
        call: &Call,
        file_name: &str,
        data: &[u8],
    ) -> Result<Element, Failure> {
        use sha2::Digest;
        let boundary = format!(
            "----kbulk{}",
            hex::encode(&sha2::Sha256::digest(data)[..16])
        );
        let mut params = Map::new();
        params.insert("format".into(), Value::from(1));
        params.insert("ks".into(), Value::String(ks.expose().to_string()));
        for (k, v) in multirequest::encode_params(&call.params, 0) {
            params.insert(k, v);
        }
        let name: String = file_name
            .chars()
            .map(|c| if c == '"' || c.is_control() { '_' } else { c })
            .collect();
        let mut body = Vec::with_capacity(data.len() + 1024);
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"json\"\r\n\
                 Content-Type: application/json\r\n\r\n{}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"fileData\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                Value::Object(params)
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let url = format!(
            "{}/service/{}/action/{}",
            self.api_url, call.service, call.action
        );
        let value = self.send(
            &url,
            &format!("multipart/form-data; boundary={boundary}"),
            &body,
        )?;
        Ok(match ApiError::from_value(&value) {
            Some(e) => Err(e),
            None => Ok(value),
        })
    }

    /// Runs a call that answers with a raw body instead of an API object (`serveLog`): the
    /// body as text, or the API error when the body is one.
    pub fn call_raw(&self, ks: &Secret, call: &Call) -> Result<Result<String, ApiError>, Failure> {
        let mut body = Map::new();
        body.insert("format".into(), Value::from(1));
        body.insert("ks".into(), Value::String(ks.expose().to_string()));
        for (k, v) in multirequest::encode_params(&call.params, 0) {
            body.insert(k, v);
        }
        let url = format!(
            "{}/service/{}/action/{}",
            self.api_url, call.service, call.action
        );
        let text = self.send_text(
            &url,
            "application/json",
            Value::Object(body).to_string().as_bytes(),
        )?;
        if text.trim_start().starts_with('{')
            && let Ok(v) = serde_json::from_str::<Value>(&text)
            && let Some(e) = ApiError::from_value(&v)
        {
            return Ok(Err(e));
        }
        Ok(Ok(text))
    }

    fn send(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Value, Failure> {
        let text = self.send_text(url, content_type, body)?;
        serde_json::from_str(&text).map_err(|e| {
            Failure::new(
                FailureKind::Unknown,
                format!("the response is not JSON ({e})"),
            )
        })
    }

    fn send_text(&self, url: &str, content_type: &str, body: &[u8]) -> Result<String, Failure> {
        let mut response = self
            .agent
            .post(url)
            .header("Accept", "application/json")
            .header("Content-Type", content_type)
            .send(body)
            .map_err(classify)?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string();
        match status {
            200..=299 => {}
            429 | 503 => {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, jiff::Timestamp::now()));
                let asked = match retry_after {
                    Some(d) => format!(", asked to wait {:.1} s", d.as_secs_f64()),
                    None => String::new(),
                };
                return Err(Failure {
                    retry_after,
                    ..Failure::new(
                        FailureKind::Rejected,
                        format!("the server is busy (HTTP {status}{asked}); nothing was applied"),
                    )
                });
            }
            _ => {
                return Err(Failure::new(
                    if status >= 500 {
                        FailureKind::Unknown
                    } else {
                        // A 4xx refuses the request as a whole (bad URL, body too large).
                        FailureKind::Refused
                    },
                    format!("HTTP {status} from {url}"),
                ));
            }
        }
        text.map_err(|e| {
            Failure::new(
                FailureKind::Unknown,
                format!("the response was cut off: {e}"),
            )
        })
    }
}

/// Reads a `Retry-After` value (RFC 9110 §10.2.3): a number of seconds, or an HTTP-date, which
/// is read against `now` (a date already past means "now"). Anything else is ignored.
pub fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only: seconds. An absurd number saturates; the policy caps it anyway.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    static DATES: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    let at = DATES.parse_timestamp(value).ok()?;
    let wait = now.duration_until(at);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// Maps a ureq error to what it says about the request's fate.
pub(super) fn classify(e: ureq::Error) -> Failure {
    use ureq::Timeout;
    let kind = match &e {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::BadUri(_) => {
            FailureKind::NotSent
        }
        ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => FailureKind::NotSent,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            FailureKind::NotSent
        }
        _ => FailureKind::Unknown,
    };
    Failure::new(kind, e.to_string())
}

/// Normalizes a service URL to its API v3 root.
fn api_v3_url(service_url: &str) -> Result<String, String> {
    let trimmed = service_url.trim().trim_end_matches('/');
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        return Err(format!(
            "the service URL {trimmed:?} must start with http:// or https://"
        ));
    }
    Ok(if trimmed.ends_with("/api_v3") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/api_v3")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn service_urls_normalize_to_api_v3() {
        assert_eq!(
            api_v3_url("https://www.kaltura.com/").unwrap(),
            "https://www.kaltura.com/api_v3"
        );
        assert_eq!(
            api_v3_url("http://127.0.0.1:1/api_v3").unwrap(),
            "http://127.0.0.1:1/api_v3"
        );
        assert!(api_v3_url("www.kaltura.com").is_err());
    }

    #[test]
    fn api_errors_are_recognised_only_by_object_type() {
        let e = ApiError::from_value(&json!({"objectType": "KalturaAPIException",
            "code": "INVALID_KS", "message": "Invalid KS"}))
        .unwrap();
        assert!(e.is_invalid_ks());
        assert_eq!(e.to_string(), "Invalid KS (INVALID_KS)");
        assert!(ApiError::from_value(&json!({"code": "X"})).is_none());
        assert!(ApiError::from_value(&json!([1])).is_none());
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now: jiff::Timestamp = "2026-12-02T20:00:00Z".parse().unwrap();
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("Wed, 02 Dec 2026 20:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        // A date in the past: retry now.
        assert_eq!(
            retry_after("Wed, 02 Dec 2026 19:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for bad in ["", "soon", "-3", "1.5"] {
            assert_eq!(retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn an_unreachable_server_is_not_sent() {
        // Port 1 on loopback: nothing listens there.
        let c = Client::new("http://127.0.0.1:1", Duration::from_secs(2)).unwrap();
        let err = c.call(None, &Call::new("system", "ping")).unwrap_err();
        assert_eq!(err.kind, FailureKind::NotSent, "{err}");
    }
}
