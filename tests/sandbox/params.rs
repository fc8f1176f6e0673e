//! Where parameters come from, case by case, as Kaltura's `infraRequestUtils::getRequestParams`
//! merges them: path pairs over the query string, both over the body (recursively); the body read
//! only for `application/json` exactly, a multipart `json` part (alone), or form fields.
//!
//! `format` is the probe where one value must win: `1` answers JSON, `2` (and no format) XML.
use serde_json::{Value, json};

use super::*;

fn ping_url(h: &SandboxHandle, tail: &str) -> String {
    format!("{}/service/system/action/ping{tail}", h.api_v3_url())
}

fn is_json(text: &str) -> bool {
    text == "true"
}

fn is_xml(text: &str) -> bool {
    text.starts_with("<?xml") && text.contains("<result>1</result>")
}

fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----kbulk-params-test";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn the_query_string_replaces_the_json_body() {
    let h = start();
    let (_, text) = post(
        &ping_url(&h, "?format=1"),
        "application/json",
        br#"{"format":2}"#,
        &[],
    );
    assert!(is_json(&text), "{text}");
    let (_, text) = post(
        &ping_url(&h, "?format=2"),
        "application/json",
        br#"{"format":1}"#,
        &[],
    );
    assert!(is_xml(&text), "{text}");
}

#[test]
fn the_query_string_replaces_form_fields() {
    let h = start();
    let url = ping_url(&h, "?format=2");
    let (_, text) = post(&url, "application/x-www-form-urlencoded", b"format=1", &[]);
    assert!(is_xml(&text), "{text}");
}

#[test]
fn path_pairs_replace_the_query_string_and_the_body_and_the_first_repeat_wins() {
    let h = start();
    let (_, text) = post(
        &ping_url(&h, "/format/1?format=2"),
        "application/json",
        b"{}",
        &[],
    );
    assert!(is_json(&text), "path over query: {text}");
    let (_, text) = post(
        &ping_url(&h, "/format/2"),
        "application/json",
        br#"{"format":1}"#,
        &[],
    );
    assert!(is_xml(&text), "path over body: {text}");
    let (_, text) = post(
        &ping_url(&h, "/format/1/format/2"),
        "application/json",
        b"{}",
        &[],
    );
    assert!(is_json(&text), "first path pair wins: {text}");
}

#[test]
fn a_multipart_json_part_is_read_alone_and_plain_fields_only_without_it() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let url = format!(
        "{}/service/schedule_scheduleresource/action/list",
        h.api_v3_url()
    );
    // With a `json` part, the plain fields are not read at all: the KS beside it is not seen.
    let (content_type, body) = multipart(&[("ks", &ks), ("json", r#"{"format":1}"#)]);
    let (_, text) = post(&url, &content_type, &body, &[]);
    expect_error(&serde_json::from_str(&text).unwrap(), "INVALID_KS");
    let json_part = json!({"format": 1, "ks": ks}).to_string();
    let (content_type, body) = multipart(&[("format", "2"), ("json", &json_part)]);
    let (_, text) = post(&url, &content_type, &body, &[]);
    let listed: Value = serde_json::from_str(&text).expect("JSON: the part's format won");
    assert_eq!(
        ok(listed)["objectType"],
        "KalturaScheduleResourceListResponse"
    );
    // An empty or unreadable `json` part counts as none: the plain fields are the parameters.
    for json_part in ["{}", "{nope"] {
        let (content_type, body) = multipart(&[("format", "1"), ("ks", &ks), ("json", json_part)]);
        let (_, text) = post(&url, &content_type, &body, &[]);
        let listed: Value = serde_json::from_str(&text).expect("JSON: the plain field's format");
        ok(listed);
    }
}

#[test]
fn bodies_kaltura_does_not_read_are_ignored() {
    let h = start();
    let url = ping_url(&h, "");
    for content_type in [
        "application/json; charset=utf-8",
        "text/json",
        "text/plain",
        "application/octet-stream",
    ] {
        let (status, text) = post(&url, content_type, br#"{"format":1}"#, &[]);
        assert_eq!(status, 200);
        assert!(is_xml(&text), "{content_type}: {text}");
    }
    // `application/json` in another case is the same type; a body not from `{` to `}` is not JSON.
    let (_, text) = post(&url, "Application/JSON", b"  {\"format\":1}\n", &[]);
    assert!(is_json(&text), "{text}");
    let (_, text) = post(&url, "application/json", br#"[{"format":1}]"#, &[]);
    assert!(is_xml(&text), "{text}");
}

#[test]
fn the_query_replaces_one_nested_field_and_keeps_the_bodys_others() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let a = ok(add_resource(
        &h,
        &ks,
        "KalturaCameraScheduleResource",
        "p-a",
    ));
    let b = ok(add_resource(
        &h,
        &ks,
        "KalturaCameraScheduleResource",
        "p-b",
    ));
    let url = format!(
        "{}/service/schedule_scheduleresource/action/list?filter%5BidIn%5D={},{}",
        h.api_v3_url(),
        a["id"],
        b["id"]
    );
    let body = json!({"ks": ks, "format": 1, "filter": {"systemNameIn": "p-a", "idIn": "0"}});
    let (_, text) = post(&url, "application/json", body.to_string().as_bytes(), &[]);
    let listed: Value = serde_json::from_str(&text).unwrap();
    // Merged: the body's systemNameIn and the query's idIn both filter (replacing the whole
    // filter would list both; not merging would list none).
    assert_eq!(listed["totalCount"], 1, "{listed}");
    assert_eq!(listed["objects"][0]["id"], a["id"]);
}
