//! API v3 basics: sessions and app tokens, KS checks, dispatch errors, request encodings,
//! multirequest with placeholders and per-element errors, body limits.
use kbulk::sandbox::{HashType, SandboxConfig, SessionType};
use serde_json::{Value, json};

use super::*;

fn admin_session(h: &kbulk::sandbox::SandboxHandle) -> String {
    let ks = api(
        h,
        "session",
        "start",
        json!({"secret": kbulk::sandbox::DEFAULT_ADMIN_SECRET, "partnerId": h.partner_id(), "type": 2}),
    );
    ks.as_str()
        .expect("session.start returns the KS string")
        .to_string()
}

#[test]
fn ping_needs_no_ks_and_unknown_calls_are_named() {
    let h = start();
    assert_eq!(api(&h, "system", "ping", json!({})), json!(true));
    let msg = expect_error(
        &api(&h, "nosuchservice", "list", json!({})),
        "SERVICE_DOES_NOT_EXISTS",
    );
    assert_eq!(msg, "Service \"nosuchservice\" does not exists");
    expect_error(
        &api(&h, "schedule_scheduleresource", "explode", json!({})),
        "ACTION_DOES_NOT_EXISTS",
    );
}

#[test]
fn session_start_checks_secret_partner_and_type() {
    let h = start();
    let ks = admin_session(&h);
    ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "list",
        json!({}),
    ));
    let wrong_secret = api(
        &h,
        "session",
        "start",
        json!({"secret": "nope", "partnerId": h.partner_id(), "type": 2}),
    );
    expect_error(&wrong_secret, "START_SESSION_ERROR");
    let wrong_partner = api(
        &h,
        "session",
        "start",
        json!({"secret": kbulk::sandbox::DEFAULT_ADMIN_SECRET, "partnerId": 1, "type": 2}),
    );
    expect_error(&wrong_partner, "START_SESSION_ERROR");
    // The user secret opens user sessions only.
    let user = api(
        &h,
        "session",
        "start",
        json!({"secret": kbulk::sandbox::DEFAULT_USER_SECRET, "partnerId": h.partner_id(), "type": 0}),
    );
    assert!(user.is_string(), "{user}");
    let user_as_admin = api(
        &h,
        "session",
        "start",
        json!({"secret": kbulk::sandbox::DEFAULT_USER_SECRET, "partnerId": h.partner_id(), "type": 2}),
    );
    expect_error(&user_as_admin, "START_SESSION_ERROR");
}

#[test]
fn missing_forged_and_expired_ks_are_invalid_ks_and_never_echoed() {
    let h = start();
    let missing = api(&h, "schedule_scheduleresource", "list", json!({}));
    expect_error(&missing, "INVALID_KS");
    let forged = "djJ8MTIzNDU2N3x0aGlzIGlzIG5vdCBhIHJlYWwga3M=";
    let response = api_ks(&h, forged, "schedule_scheduleresource", "list", json!({}));
    let msg = expect_error(&response, "INVALID_KS");
    assert!(
        !response.to_string().contains(forged),
        "the KS is a secret: {msg}"
    );
    let short = api(
        &h,
        "session",
        "start",
        json!({"secret": kbulk::sandbox::DEFAULT_ADMIN_SECRET, "partnerId": h.partner_id(), "type": 2, "expiry": 1}),
    );
    let short = short.as_str().unwrap().to_string();
    ok(api_ks(
        &h,
        &short,
        "schedule_scheduleresource",
        "list",
        json!({}),
    ));
    // Wait for the one-second session to lapse (no assertion on time, only on the outcome).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let expired = api_ks(&h, &short, "schedule_scheduleresource", "list", json!({}));
    let msg = expect_error(&expired, "INVALID_KS");
    assert!(msg.contains("EXPIRED"), "{msg}");
    assert!(!expired.to_string().contains(&short));
}

#[test]
fn app_token_sessions_check_the_hash_of_every_type() {
    let h = start();
    for token in super::app_tokens() {
        let widget = ok(api(
            &h,
            "session",
            "startWidgetSession",
            json!({"widgetId": format!("_{}", h.partner_id())}),
        ));
        assert_eq!(widget["objectType"], "KalturaStartWidgetSessionResponse");
        let weak = widget["ks"].as_str().unwrap().to_string();
        // The weak KS may do nothing but start an app-token session.
        let forbidden = api_ks(&h, &weak, "schedule_scheduleresource", "list", json!({}));
        let msg = expect_error(&forbidden, "SERVICE_FORBIDDEN");
        assert_eq!(
            msg,
            "The access to service [schedule_scheduleresource->list] is forbidden"
        );
        let hash = token
            .hash_type
            .hex_digest(format!("{weak}{}", token.token).as_bytes());
        let expected_len = match token.hash_type {
            HashType::Md5 => 32,
            HashType::Sha1 => 40,
            HashType::Sha256 => 64,
            HashType::Sha512 => 128,
        };
        assert_eq!(hash.len(), expected_len);
        let wrong = api_ks(
            &h,
            &weak,
            "appToken",
            "startSession",
            json!({"id": token.id, "tokenHash": "0".repeat(expected_len)}),
        );
        expect_error(&wrong, "INVALID_APP_TOKEN_HASH");
        let info = ok(api_ks(
            &h,
            &weak,
            "appToken",
            "startSession",
            json!({"id": token.id, "tokenHash": hash, "userId": "device-1"}),
        ));
        assert_eq!(info["objectType"], "KalturaSessionInfo");
        assert_eq!(info["sessionType"], SessionType::User.code());
        assert_eq!(info["userId"], "device-1");
        let strong = info["ks"].as_str().unwrap();
        ok(api_ks(
            &h,
            strong,
            "schedule_scheduleresource",
            "list",
            json!({}),
        ));
    }
    let widget = api(
        &h,
        "session",
        "startWidgetSession",
        json!({"widgetId": format!("_{}", h.partner_id())}),
    );
    let weak = widget["ks"].as_str().unwrap();
    let unknown = api_ks(
        &h,
        weak,
        "appToken",
        "startSession",
        json!({"id": "nope", "tokenHash": "00"}),
    );
    assert_eq!(
        expect_error(&unknown, "APP_TOKEN_ID_NOT_FOUND"),
        "Application token id \"nope\" not found"
    );
    expect_error(
        &api(
            &h,
            "session",
            "startWidgetSession",
            json!({"widgetId": "_1"}),
        ),
        "INVALID_WIDGET_ID",
    );
}

#[test]
fn form_bodies_query_strings_and_path_pairs_are_read_like_json() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let base = format!(
        "{}/service/schedule_scheduleresource/action",
        h.api_v3_url()
    );
    let form = format!(
        "ks={ks}&format=1&scheduleResource%5BobjectType%5D=KalturaCameraScheduleResource\
         &scheduleResource%5Bname%5D=Cam+A&scheduleResource:systemName=cam-a"
    );
    let (status, text) = post(
        &format!("{base}/add"),
        "application/x-www-form-urlencoded",
        form.as_bytes(),
        &[],
    );
    assert_eq!(status, 200);
    let added: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(added["name"], "Cam A");
    assert_eq!(added["objectType"], "KalturaCameraScheduleResource");
    let mut response = agent()
        .get(format!(
            "{base}/list/filter:systemNameIn/cam-a?ks={ks}&format=1"
        ))
        .call()
        .unwrap();
    let listed: Value =
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(listed["totalCount"], 1);
    assert_eq!(listed["objects"][0]["id"], added["id"]);
}

#[test]
fn malformed_and_oversized_bodies_are_refused_without_harm() {
    let h = start_with(SandboxConfig {
        max_body_bytes: 1024,
        ..SandboxConfig::default()
    });
    let url = format!("{}/service/system/action/ping", h.api_v3_url());
    // Malformed JSON is ignored, as Kaltura ignores it (no parameters: XML, the default format).
    let (status, text) = post(&url, "application/json", b"{not json, \"format\": 1}", &[]);
    assert_eq!(status, 200);
    assert!(text.contains("<result>1</result>"), "{text}");
    let (status, _) = post(&url, "application/json", &vec![b' '; 4096], &[]);
    assert_eq!(status, 413);
    let (status, text) = post(
        &url,
        "multipart/form-data; boundary=zz",
        b"--zz\r\ngarbage",
        &[],
    );
    assert_eq!(status, 400, "{text}");
    // Hostile raw requests: a bad request line, a bad header, a body announced and never sent.
    for raw in [
        &b"GARBAGE\r\n\r\n"[..],
        b"POST /api_v3/service/system/action/ping HTTP/1.1\r\nno colon here\r\n\r\n",
        b"POST /api_v3/service/system/action/ping HTTP/1.1\r\nContent-Length: 900\r\n\r\n{",
        b"POST /api_v3/service/system/action/ping HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ] {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(h.addr()).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        stream.write_all(raw).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
    // The server is still serving.
    assert_eq!(api(&h, "system", "ping", json!({})), json!(true));
}

#[test]
fn multirequest_resolves_placeholders_and_fails_elements_alone() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let body = json!({
        "ks": ks,
        "format": 1,
        "1": {"service": "schedule_scheduleresource", "action": "add",
              "scheduleResource": {"objectType": "KalturaLocationScheduleResource", "name": "Room", "systemName": "room-1"}},
        "2": {"service": "schedule_scheduleresource", "action": "add",
              "scheduleResource": {"objectType": "KalturaCameraScheduleResource", "name": "Cam", "systemName": "cam-1", "parentId": "{1:result:id}"}},
        "3": {"service": "schedule_scheduleresource", "action": "add",
              "scheduleResource": {"objectType": "KalturaLocationScheduleResource", "name": "Again", "systemName": "room-1"}},
        "4": {"service": "schedule_scheduleresource", "action": "get", "scheduleResourceId": "{2:result:id}"},
        "5": {"service": "schedule_scheduleresource", "action": "add",
              "scheduleResource": {"objectType": "KalturaCameraScheduleResource", "name": "Orphan", "parentId": "{3:result:id}"}},
        "6": {"service": "system", "action": "ping"},
        "7": {"service": "schedule_scheduleresource", "action": "list", "ks": "forged",
              "filter": {"idIn": "{1:result:id},{2:result:id}"}},
        "8": {"service": "schedule_scheduleresource", "action": "list", "filter": {"idIn": "{1:result:id},{2:result:id}"}},
    });
    let url = format!("{}/service/multirequest", h.api_v3_url());
    let (status, text) = post(&url, "application/json", body.to_string().as_bytes(), &[]);
    assert_eq!(status, 200);
    let results: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(results.len(), 8);
    let parent = results[0]["id"].as_i64().unwrap();
    assert_eq!(results[1]["parentId"], parent);
    assert_eq!(
        expect_error(&results[2], "SYSTEM_NAME_ALREADY_EXISTS"),
        "System name [room-1] already exists"
    );
    assert_eq!(results[3]["id"], results[1]["id"]);
    expect_error(&results[4], "PROPERTY_VALIDATION_NUMERIC_VALUE");
    assert_eq!(results[5], json!(true));
    expect_error(&results[6], "INVALID_KS");
    assert_eq!(results[7]["totalCount"], 2);
}

#[test]
fn form_encoded_multirequest_starts_a_session_and_uses_it() {
    let h = start();
    let form = format!(
        "format=1&1:service=session&1:action=start&1:secret={}&1:partnerId={}&1:type=2\
         &2:service=schedule_scheduleresource&2:action=add&2:ks=%7B1:result%7D\
         &2:scheduleResource:objectType=KalturaLocationScheduleResource&2:scheduleResource:name=Hall",
        kbulk::sandbox::DEFAULT_ADMIN_SECRET,
        h.partner_id()
    );
    let url = format!("{}/service/multirequest", h.api_v3_url());
    let (_, text) = post(
        &url,
        "application/x-www-form-urlencoded",
        form.as_bytes(),
        &[],
    );
    let results: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(results[0].is_string());
    assert_eq!(ok(results[1].clone())["name"], "Hall");
}
