//! Upload tokens (chunked, resumable, out of order), media entries with templates and parents,
//! content, baseEntry lists by reference id and category entries: the scheduling seed's
//! capture-device flow end to end.
use kbulk::sandbox::SandboxHandle;
use serde_json::{Value, json};

use super::*;

/// `uploadToken.upload` as a multipart request, like Kaltura's clients send it.
fn upload(h: &SandboxHandle, ks: &str, token: &str, data: &[u8], fields: &[(&str, &str)]) -> Value {
    let boundary = "----kbulk-test-boundary";
    let mut body = Vec::new();
    for (k, v) in [("ks", ks), ("format", "1"), ("uploadTokenId", token)]
        .iter()
        .chain(fields)
    {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"fileData\"; filename=\"rec.mp4\"\r\nContent-Type: video/mp4\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let url = format!("{}/service/uploadToken/action/upload", h.api_v3_url());
    let (status, text) = post(
        &url,
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
        &[],
    );
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn device_ks(h: &SandboxHandle) -> String {
    let widget = api(
        h,
        "session",
        "startWidgetSession",
        json!({"widgetId": format!("_{}", h.partner_id())}),
    );
    let weak = widget["ks"].as_str().unwrap();
    let token = &super::app_tokens()[0];
    let hash = token
        .hash_type
        .hex_digest(format!("{weak}{}", token.token).as_bytes());
    let info = api_ks(
        h,
        weak,
        "appToken",
        "startSession",
        json!({"id": token.id, "tokenHash": hash}),
    );
    info["ks"].as_str().unwrap().to_string()
}

#[test]
fn capture_device_flow_uploads_in_chunks_and_creates_a_ready_entry() {
    let h = start();
    let admin = h.admin_ks().unwrap();
    let template = ok(api_ks(
        &h,
        &admin,
        "media",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "Template", "tags": "lecture", "description": "from template"}}),
    ));
    let ks = device_ks(&h);
    let token = ok(api_ks(
        &h,
        &ks,
        "uploadToken",
        "add",
        json!({"uploadToken": {"fileName": "rec.mp4", "fileSize": 12}}),
    ));
    assert_eq!(
        (token["objectType"].clone(), token["status"].clone()),
        (json!("KalturaUploadToken"), json!(0))
    );
    let id = token["id"].as_str().unwrap();
    // Chunks 0, 8 (final, early) then 4: the token is complete only once the gap is filled.
    let first = ok(upload(
        &h,
        &ks,
        id,
        b"0123",
        &[("resume", "0"), ("finalChunk", "0")],
    ));
    assert_eq!(
        (first["status"].clone(), first["uploadedFileSize"].clone()),
        (json!(1), json!(4))
    );
    let last = ok(upload(
        &h,
        &ks,
        id,
        b"89ab",
        &[("resume", "1"), ("resumeAt", "8"), ("finalChunk", "1")],
    ));
    assert_eq!(last["status"], 1, "a gap is still open: {last}");
    let middle = ok(upload(
        &h,
        &ks,
        id,
        b"4567",
        &[("resume", "1"), ("resumeAt", "4"), ("finalChunk", "0")],
    ));
    assert_eq!(
        (middle["status"].clone(), middle["uploadedFileSize"].clone()),
        (json!(2), json!(12))
    );
    let again = upload(&h, &ks, id, b"x", &[]);
    expect_error(&again, "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD");

    let entry = ok(api_ks(
        &h,
        &ks,
        "media",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "Recording", "referenceId": "rec-1", "templateEntryId": template["id"]}}),
    ));
    let entry_id = entry["id"].as_str().unwrap().to_string();
    assert!(
        entry_id.starts_with("0_") && entry_id.len() == 10,
        "{entry_id}"
    );
    assert_eq!(
        (entry["status"].clone(), entry["tags"].clone()),
        (json!(7), json!("lecture"))
    );
    let ready = ok(api_ks(
        &h,
        &ks,
        "media",
        "addContent",
        json!({"entryId": entry_id, "resource": {"objectType": "KalturaUploadedFileTokenResource", "token": id}}),
    ));
    assert_eq!(
        (ready["status"].clone(), ready["dataSize"].clone()),
        (json!(2), json!(12))
    );
    let twice = api_ks(
        &h,
        &ks,
        "media",
        "addContent",
        json!({"entryId": entry_id, "resource": {"objectType": "KalturaUrlResource", "url": "https://example.com/a.mp4"}}),
    );
    expect_error(&twice, "ENTRY_ALREADY_WITH_CONTENT");
    assert_eq!(
        ok(api_ks(
            &h,
            &ks,
            "uploadToken",
            "get",
            json!({"uploadTokenId": id})
        ))["status"],
        3
    );

    // A second stream of the same recording names the first as its parent.
    let second = ok(api_ks(
        &h,
        &ks,
        "media",
        "add",
        json!({"entry": {"mediaType": 1, "name": "Screen", "referenceId": "rec-1", "parentEntryId": entry_id}}),
    ));
    assert_eq!(second["parentEntryId"], json!(entry_id));
    let by_ref = ok(api_ks(
        &h,
        &ks,
        "baseEntry",
        "list",
        json!({"filter": {"referenceIdIn": "rec-1,rec-9"}}),
    ));
    assert_eq!(by_ref["objectType"], "KalturaBaseEntryListResponse");
    assert_eq!(by_ref["totalCount"], 2);
    let media = ok(api_ks(
        &h,
        &ks,
        "media",
        "list",
        json!({"filter": {"idIn": entry_id}}),
    ));
    assert_eq!(media["objects"][0]["status"], 2);
    assert_eq!(
        ok(api_ks(
            &h,
            &ks,
            "media",
            "get",
            json!({"entryId": entry_id})
        ))["name"],
        "Recording"
    );
    assert_eq!(
        ok(api_ks(
            &h,
            &ks,
            "baseEntry",
            "get",
            json!({"entryId": entry_id})
        ))["id"],
        json!(entry_id)
    );

    let cat = ok(api_ks(
        &h,
        &ks,
        "categoryEntry",
        "add",
        json!({"categoryEntry": {"entryId": entry_id, "categoryId": 42}}),
    ));
    assert_eq!(
        (cat["objectType"].clone(), cat["categoryId"].clone()),
        (json!("KalturaCategoryEntry"), json!(42))
    );
    expect_error(
        &api_ks(
            &h,
            &ks,
            "categoryEntry",
            "add",
            json!({"categoryEntry": {"entryId": entry_id, "categoryId": 42}}),
        ),
        "CATEGORY_ENTRY_ALREADY_EXISTS",
    );
    expect_error(
        &api_ks(
            &h,
            &ks,
            "categoryEntry",
            "add",
            json!({"categoryEntry": {"entryId": "0_missing0", "categoryId": 42}}),
        ),
        "INVALID_ENTRY_ID",
    );
    assert_eq!(
        ok(api_ks(
            &h,
            &ks,
            "media",
            "get",
            json!({"entryId": entry_id})
        ))["categoriesIds"],
        "42"
    );
    let links = ok(api_ks(
        &h,
        &ks,
        "categoryEntry",
        "list",
        json!({"filter": {"entryIdEqual": entry_id}}),
    ));
    assert_eq!(links["totalCount"], 1);
}

#[test]
fn entry_errors_name_the_missing_piece() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let missing = api_ks(&h, &ks, "media", "get", json!({"entryId": "0_nothere1"}));
    assert_eq!(
        expect_error(&missing, "ENTRY_ID_NOT_FOUND"),
        "Entry id \"0_nothere1\" not found"
    );
    let orphan = api_ks(
        &h,
        &ks,
        "media",
        "add",
        json!({"entry": {"mediaType": 1, "name": "x", "parentEntryId": "0_nothere1"}}),
    );
    expect_error(&orphan, "PARENT_ENTRY_ID_NOT_FOUND");
    let no_template = api_ks(
        &h,
        &ks,
        "media",
        "add",
        json!({"entry": {"mediaType": 1, "templateEntryId": "0_nothere1"}}),
    );
    expect_error(&no_template, "ENTRY_ID_NOT_FOUND");
    expect_error(
        &api_ks(&h, &ks, "media", "add", json!({"entry": {"name": "x"}})),
        "PROPERTY_VALIDATION_CANNOT_BE_NULL",
    );
    let entry = ok(api_ks(
        &h,
        &ks,
        "media",
        "add",
        json!({"entry": {"mediaType": 1, "name": "x"}}),
    ));
    let token = ok(api_ks(&h, &ks, "uploadToken", "add", json!({})));
    ok(upload(
        &h,
        &ks,
        token["id"].as_str().unwrap(),
        b"part",
        &[("finalChunk", "false")],
    ));
    let partial = api_ks(
        &h,
        &ks,
        "media",
        "addContent",
        json!({"entryId": entry["id"], "resource": {"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]}}),
    );
    expect_error(&partial, "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY");
    let unknown_token = api_ks(
        &h,
        &ks,
        "media",
        "addContent",
        json!({"entryId": entry["id"], "resource": {"objectType": "KalturaUploadedFileTokenResource", "token": "0_nope"}}),
    );
    expect_error(&unknown_token, "UPLOAD_TOKEN_NOT_FOUND");
    let odd = api_ks(
        &h,
        &ks,
        "media",
        "addContent",
        json!({"entryId": entry["id"], "resource": {"objectType": "KalturaRemoteStorageResource"}}),
    );
    expect_error(&odd, "RESOURCE_TYPE_NOT_SUPPORTED");
    let url = ok(api_ks(
        &h,
        &ks,
        "media",
        "addContent",
        json!({"entryId": entry["id"], "resource": {"objectType": "KalturaUrlResource", "url": "https://example.com/v.mp4"}}),
    ));
    assert_eq!(url["status"], 2);
    let no_file = api_ks(
        &h,
        &ks,
        "uploadToken",
        "upload",
        json!({"uploadTokenId": token["id"]}),
    );
    expect_error(&no_file, "MISSING_MANDATORY_PARAMETER");
}

#[test]
fn media_update_update_content_and_delete() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let entry = ok(api_ks(
        &h,
        &ks,
        "media",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "a",
               "referenceId": "r"}}),
    ));
    let id = entry["id"].as_str().unwrap();
    let updated = ok(api_ks(
        &h,
        &ks,
        "media",
        "update",
        json!({"entryId": id, "mediaEntry": {"objectType": "KalturaMediaEntry", "name": "b"}}),
    ));
    assert_eq!(updated["name"], "b");
    assert_eq!(updated["referenceId"], "r", "fields not sent are kept");
    expect_error(
        &api_ks(
            &h,
            &ks,
            "media",
            "update",
            json!({"entryId": id, "mediaEntry": {"status": 2}}),
        ),
        "PROPERTY_VALIDATION_NOT_UPDATABLE",
    );
    let url = json!({"objectType": "KalturaUrlResource", "url": "https://x/a.mp4"});
    ok(api_ks(
        &h,
        &ks,
        "media",
        "addContent",
        json!({"entryId": id, "resource": url}),
    ));
    expect_error(
        &api_ks(
            &h,
            &ks,
            "media",
            "addContent",
            json!({"entryId": id, "resource": url}),
        ),
        "ENTRY_ALREADY_WITH_CONTENT",
    );
    let replaced = ok(api_ks(
        &h,
        &ks,
        "media",
        "updateContent",
        json!({"entryId": id, "resource": url}),
    ));
    assert_eq!(replaced["status"], 2);
    api_ks(&h, &ks, "media", "delete", json!({"entryId": id}));
    expect_error(
        &api_ks(&h, &ks, "media", "get", json!({"entryId": id})),
        "ENTRY_ID_NOT_FOUND",
    );
    let list = ok(api_ks(
        &h,
        &ks,
        "baseEntry",
        "list",
        json!({"filter": {"referenceIdIn": "r"}}),
    ));
    assert_eq!(list["totalCount"], 0);
}

#[test]
fn live_stream_add_makes_a_live_entry() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let live = ok(api_ks(
        &h,
        &ks,
        "liveStream",
        "add",
        json!({"liveStreamEntry": {"objectType": "KalturaLiveStreamEntry", "name": "Live",
               "userId": "u"}, "sourceType": "32"}),
    ));
    assert_eq!(live["objectType"], "KalturaLiveStreamEntry");
    assert_eq!(
        (live["type"].as_i64(), live["mediaType"].as_i64()),
        (Some(7), Some(201))
    );
    assert_eq!(live["sourceType"], "32");
    let got = ok(api_ks(
        &h,
        &ks,
        "baseEntry",
        "get",
        json!({"entryId": live["id"]}),
    ));
    assert_eq!(got["name"], "Live");
    expect_error(
        &api_ks(
            &h,
            &ks,
            "liveStream",
            "add",
            json!({"liveStreamEntry": {"objectType": "KalturaMediaEntry", "name": "x"}}),
        ),
        "INVALID_OBJECT_TYPE",
    );
}

/// A USER session for `user` with `privileges`, from `session.start`.
fn user_ks(h: &SandboxHandle, user: &str, privileges: &str) -> String {
    let started = api(
        h,
        "session",
        "start",
        json!({"secret": kbulk::sandbox::DEFAULT_USER_SECRET, "userId": user, "type": 0,
               "partnerId": h.partner_id(), "privileges": privileges}),
    );
    started.as_str().expect("a KS").to_string()
}

fn entry_ids(listed: &Value) -> Vec<String> {
    listed["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn entitlement_hides_categorised_entries_unless_owned_entitled_or_disabled() {
    let h = start_with(kbulk::sandbox::SandboxConfig {
        entitlement: true,
        ..kbulk::sandbox::SandboxConfig::default()
    });
    let admin = h.admin_ks().unwrap();
    let add = |name: &str, extra: Value| {
        let mut entry = json!({"objectType": "KalturaMediaEntry", "mediaType": 1, "name": name, "userId": "owner"});
        for (k, v) in extra.as_object().unwrap() {
            entry[k] = v.clone();
        }
        ok(api_ks(
            &h,
            &admin,
            "media",
            "add",
            json!({ "entry": entry }),
        ))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let open = add("no category", json!({}));
    let hidden = add("in a category", json!({}));
    let shared = add(
        "entitled",
        json!({"entitledUsersPublish": "colleague,other"}),
    );
    for id in [&hidden, &shared] {
        ok(api_ks(
            &h,
            &admin,
            "categoryEntry",
            "add",
            json!({"categoryEntry": {"entryId": id, "categoryId": 7}}),
        ));
    }
    let get = |ks: &str, id: &str| api_ks(&h, ks, "baseEntry", "get", json!({"entryId": id}));
    let listed = |ks: &str| {
        let mut ids = entry_ids(&ok(api_ks(&h, ks, "baseEntry", "list", json!({}))));
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };

    // Enforced: a stranger sees the uncategorised entry and the one it is entitled to.
    let other = user_ks(&h, "other", "");
    assert_eq!(listed(&other), sorted(vec![&open, &shared]));
    expect_error(&get(&other, &hidden), "ENTRY_ID_NOT_FOUND");
    expect_error(
        &api_ks(&h, &other, "media", "delete", json!({"entryId": hidden})),
        "ENTRY_ID_NOT_FOUND",
    );
    // The owner sees everything it owns.
    let owner = user_ks(&h, "owner", "");
    assert_eq!(listed(&owner), sorted(vec![&open, &hidden, &shared]));
    // `disableentitlement` lifts enforcement; `disableentitlementforentry` lifts it for one.
    let lifted = user_ks(&h, "other", "disableentitlement");
    assert_eq!(listed(&lifted), sorted(vec![&open, &hidden, &shared]));
    let one = user_ks(&h, "other", &format!("disableentitlementforentry:{hidden}"));
    ok(get(&one, &hidden));
    // `enableentitlement` wins over `disableentitlement`.
    let both = user_ks(&h, "other", "disableentitlement,enableentitlement");
    expect_error(&get(&both, &hidden), "ENTRY_ID_NOT_FOUND");

    // A partner without enforcement (the default): everything is visible, unless a KS asks
    // for enforcement with `enableentitlement`.
    let h2 = start();
    let admin2 = h2.admin_ks().unwrap();
    let id = ok(api_ks(
        &h2,
        &admin2,
        "media",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "n", "userId": "owner"}}),
    ))["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(api_ks(
        &h2,
        &admin2,
        "categoryEntry",
        "add",
        json!({"categoryEntry": {"entryId": id, "categoryId": 7}}),
    ));
    let stranger = user_ks(&h2, "other", "");
    ok(api_ks(
        &h2,
        &stranger,
        "baseEntry",
        "get",
        json!({"entryId": id}),
    ));
    let asks = user_ks(&h2, "other", "enableentitlement");
    expect_error(
        &api_ks(&h2, &asks, "baseEntry", "get", json!({"entryId": id})),
        "ENTRY_ID_NOT_FOUND",
    );
}

#[test]
fn upload_tokens_list_and_delete_per_user() {
    let h = start();
    let admin = h.admin_ks().unwrap();
    let alice = user_ks(&h, "alice", "");
    let bob = user_ks(&h, "bob", "");
    let add = |ks: &str, name: &str| {
        ok(api_ks(
            &h,
            ks,
            "uploadToken",
            "add",
            json!({"uploadToken": {"fileName": name, "fileSize": 3}}),
        ))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let a1 = add(&alice, "a1.mp4");
    let a2 = add(&alice, "a2.mp4");
    let b1 = add(&bob, "b1.mp4");
    let list = |ks: &str, filter: Value| {
        let listed = ok(api_ks(
            &h,
            ks,
            "uploadToken",
            "list",
            json!({ "filter": filter }),
        ));
        assert_eq!(listed["objectType"], "KalturaUploadTokenListResponse");
        entry_ids(&listed)
    };
    // A USER KS lists its own tokens; an ADMIN KS lists every one.
    assert_eq!(list(&alice, json!({})), vec![a1.clone(), a2.clone()]);
    assert_eq!(
        list(&admin, json!({})),
        vec![a1.clone(), a2.clone(), b1.clone()]
    );
    assert_eq!(
        list(&admin, json!({"fileNameEqual": "b1.mp4"})),
        vec![b1.clone()]
    );
    assert_eq!(
        list(
            &admin,
            json!({"idIn": format!("{a2},{b1}"), "statusEqual": 0})
        ),
        vec![a2.clone(), b1.clone()]
    );
    // Uploaded in full, then closed by an entry: a file-name filter lists only open tokens.
    upload(&h, &alice, &a1, b"abc", &[]);
    let entry = ok(api_ks(
        &h,
        &alice,
        "media",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "e"}}),
    ));
    ok(api_ks(
        &h,
        &alice,
        "media",
        "addContent",
        json!({"entryId": entry["id"], "resource": {"objectType": "KalturaUploadedFileTokenResource", "token": a1}}),
    ));
    assert!(list(&alice, json!({"fileNameEqual": "a1.mp4"})).is_empty());
    assert_eq!(
        list(&alice, json!({"fileNameEqual": "a1.mp4", "statusEqual": 3})),
        vec![a1.clone()]
    );
    // Delete: not another user's token (not found for it), then gone for its owner.
    expect_error(
        &api_ks(
            &h,
            &bob,
            "uploadToken",
            "delete",
            json!({"uploadTokenId": a2}),
        ),
        "UPLOAD_TOKEN_NOT_FOUND",
    );
    assert_eq!(
        api_ks(
            &h,
            &alice,
            "uploadToken",
            "delete",
            json!({"uploadTokenId": a2})
        ),
        Value::Null
    );
    expect_error(
        &api_ks(
            &h,
            &alice,
            "uploadToken",
            "get",
            json!({"uploadTokenId": a2}),
        ),
        "UPLOAD_TOKEN_NOT_FOUND",
    );
    assert_eq!(list(&admin, json!({})), vec![a1, b1]);
}

#[test]
fn base_entry_add_and_live_stream_update() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let media = ok(api_ks(
        &h,
        &ks,
        "baseEntry",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "m"}}),
    ));
    assert_eq!(
        (media["type"].clone(), media["status"].clone()),
        (json!(1), json!(7))
    );
    let plain = ok(api_ks(
        &h,
        &ks,
        "baseEntry",
        "add",
        json!({"entry": {"name": "plain"}, "type": 6}),
    ));
    assert_eq!(plain["objectType"], "KalturaBaseEntry");
    assert_eq!(plain["type"], 6);
    expect_error(
        &api_ks(
            &h,
            &ks,
            "baseEntry",
            "add",
            json!({"entry": {"objectType": "KalturaMediaEntry", "name": "no type"}}),
        ),
        "PROPERTY_VALIDATION_CANNOT_BE_NULL",
    );
    let live = ok(api_ks(
        &h,
        &ks,
        "liveStream",
        "add",
        json!({"liveStreamEntry": {"objectType": "KalturaLiveStreamEntry", "name": "live"}, "sourceType": "32"}),
    ));
    let updated = ok(api_ks(
        &h,
        &ks,
        "liveStream",
        "update",
        json!({"entryId": live["id"], "liveStreamEntry": {"objectType": "KalturaLiveStreamEntry", "name": "renamed", "description": "d"}}),
    ));
    assert_eq!(updated["objectType"], "KalturaLiveStreamEntry");
    assert_eq!(
        (updated["name"].as_str(), updated["description"].as_str()),
        (Some("renamed"), Some("d"))
    );
    assert_eq!(updated["mediaType"], 201);
    expect_error(
        &api_ks(
            &h,
            &ks,
            "liveStream",
            "update",
            json!({"entryId": live["id"], "liveStreamEntry": {"id": "0_other"}}),
        ),
        "PROPERTY_VALIDATION_NOT_UPDATABLE",
    );
}
