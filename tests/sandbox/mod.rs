//! Protocol tests of `kbulk sandbox` over real HTTP on 127.0.0.1: helpers shared by the modules.
use std::time::Duration;

use kbulk::sandbox::{AppToken, HashType, Sandbox, SandboxConfig, SandboxHandle, SessionType};
use serde_json::{Value, json};

mod api_v3;
pub mod app_registry;
mod cli;
mod clients;
mod concurrency;
mod entries;
mod faults;
mod http;
mod params;
mod schedule;

/// App tokens every test sandbox accepts, one per hash type.
pub fn app_tokens() -> Vec<AppToken> {
    [
        ("tok-sha1", HashType::Sha1),
        ("tok-md5", HashType::Md5),
        ("tok-sha256", HashType::Sha256),
        ("tok-sha512", HashType::Sha512),
    ]
    .into_iter()
    .map(|(id, hash_type)| AppToken {
        id: id.to_string(),
        token: format!("secret-of-{id}"),
        hash_type,
        session_type: SessionType::User,
    })
    .collect()
}

/// A sandbox on 127.0.0.1:0 with an in-memory store and no faults.
pub fn start() -> SandboxHandle {
    start_with(SandboxConfig {
        app_tokens: app_tokens(),
        ..SandboxConfig::default()
    })
}

pub fn start_with(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(config).expect("sandbox starts")
}

/// An HTTP client that reports every status as a response, not an error.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// POSTs a body with a content type; returns status and body text.
pub fn post(url: &str, content_type: &str, body: &[u8], headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = agent().post(url).header("Content-Type", content_type);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let mut response = request.send(body).expect("request completes");
    let status = response.status().as_u16();
    (
        status,
        response.body_mut().read_to_string().expect("body reads"),
    )
}

/// One API v3 call with a JSON body; the parsed JSON response (HTTP 200 asserted).
pub fn api(h: &SandboxHandle, service: &str, action: &str, params: Value) -> Value {
    let url = format!("{}/service/{service}/action/{action}", h.api_v3_url());
    let mut body = params;
    body["format"] = json!(1);
    let (status, text) = post(&url, "application/json", body.to_string().as_bytes(), &[]);
    assert_eq!(status, 200, "API v3 answers 200 even for errors: {text}");
    serde_json::from_str(&text).expect("JSON response")
}

/// Like [`api`] with a KS merged into the parameters.
pub fn api_ks(
    h: &SandboxHandle,
    ks: &str,
    service: &str,
    action: &str,
    mut params: Value,
) -> Value {
    params["ks"] = json!(ks);
    api(h, service, action, params)
}

/// Asserts a response is a KalturaAPIException with `code`; returns its message.
#[track_caller]
pub fn expect_error(response: &Value, code: &str) -> String {
    assert_eq!(
        response["objectType"], "KalturaAPIException",
        "expected {code}, got {response}"
    );
    assert_eq!(response["code"], code, "{response}");
    response["message"].as_str().unwrap_or_default().to_string()
}

/// Asserts a response is not an exception.
#[track_caller]
pub fn ok(response: Value) -> Value {
    assert_ne!(
        response["objectType"], "KalturaAPIException",
        "unexpected error: {response}"
    );
    response
}

/// Adds a resource of a class with a name and system name; the raw response.
pub fn add_resource(h: &SandboxHandle, ks: &str, class: &str, system_name: &str) -> Value {
    api_ks(
        h,
        ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": class, "name": format!("name of {system_name}"), "systemName": system_name}}),
    )
}
