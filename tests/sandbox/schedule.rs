//! Schedule resources, events and event-resource links: every action and the errors a client
//! meets, list filters, the 500 page size cap, the 500 `in` values and the 10,000 result limit.
use serde_json::{Value, json};

use super::*;

const LOCATION: &str = "KalturaLocationScheduleResource";
const CAMERA: &str = "KalturaCameraScheduleResource";
const LIVE: &str = "KalturaLiveEntryScheduleResource";

#[test]
fn resource_add_validates_like_kaltura() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let room = ok(add_resource(&h, &ks, LOCATION, "room-1"));
    assert_eq!(
        (room["status"].clone(), room["partnerId"].clone()),
        (json!(2), json!(h.partner_id()))
    );
    // Unique per partner *and type*: the same name is free for a camera.
    let dup = add_resource(&h, &ks, LOCATION, "room-1");
    assert_eq!(
        expect_error(&dup, "SYSTEM_NAME_ALREADY_EXISTS"),
        "System name [room-1] already exists"
    );
    ok(add_resource(&h, &ks, CAMERA, "room-1"));
    let live = add_resource(&h, &ks, LIVE, "live-1");
    assert_eq!(
        expect_error(&live, "PROPERTY_VALIDATION_CANNOT_BE_NULL"),
        "The property \"KalturaLiveEntryScheduleResource::entryId\" cannot be null"
    );
    let live_ok = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": LIVE, "name": "Live", "entryId": "0_abcdefgh"}}),
    );
    assert_eq!(ok(live_ok)["entryId"], "0_abcdefgh");
    let nameless = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": CAMERA, "systemName": "x"}}),
    );
    assert_eq!(
        expect_error(&nameless, "PROPERTY_VALIDATION_CANNOT_BE_NULL"),
        "The property \"KalturaCameraScheduleResource::name\" cannot be null"
    );
    let orphan = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": CAMERA, "name": "c", "parentId": 999}}),
    );
    assert_eq!(
        expect_error(&orphan, "RESOURCE_PARENT_ID_NOT_FOUND"),
        "Resource parent id [999] not found"
    );
    let child = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": CAMERA, "name": "c", "parentId": room["id"]}}),
    );
    assert_eq!(ok(child)["parentId"], room["id"]);
    let abstract_class = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"name": "n"}}),
    );
    expect_error(&abstract_class, "OBJECT_TYPE_ABSTRACT");
    let bad_class = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": "KalturaProjector", "name": "n"}}),
    );
    expect_error(&bad_class, "INVALID_OBJECT_TYPE");
    let long = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": CAMERA, "name": "n".repeat(257)}}),
    );
    expect_error(&long, "PROPERTY_VALIDATION_MAX_LENGTH");
    let missing = api_ks(&h, &ks, "schedule_scheduleresource", "add", json!({}));
    expect_error(&missing, "MISSING_MANDATORY_PARAMETER");
}

#[test]
fn resource_get_update_delete_and_not_found() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let a = ok(add_resource(&h, &ks, CAMERA, "cam-a"));
    ok(add_resource(&h, &ks, CAMERA, "cam-b"));
    let id = a["id"].as_i64().unwrap();
    let got = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "get",
        json!({"scheduleResourceId": id}),
    ));
    assert_eq!(got, a);
    let renamed = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "update",
        json!({"scheduleResourceId": id, "scheduleResource": {"objectType": CAMERA, "name": "Renamed", "description": "d"}}),
    ));
    assert_eq!(
        (renamed["name"].clone(), renamed["systemName"].clone()),
        (json!("Renamed"), json!("cam-a"))
    );
    let clash = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "update",
        json!({"scheduleResourceId": id, "scheduleResource": {"objectType": CAMERA, "systemName": "cam-b"}}),
    );
    expect_error(&clash, "SYSTEM_NAME_ALREADY_EXISTS");
    let deleted = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "delete",
        json!({"scheduleResourceId": id}),
    ));
    assert_eq!(deleted["status"], 3);
    let gone = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "get",
        json!({"scheduleResourceId": id}),
    );
    assert_eq!(
        expect_error(&gone, "INVALID_OBJECT_ID"),
        format!("Invalid object id [{id}]")
    );
    expect_error(
        &api_ks(
            &h,
            &ks,
            "schedule_scheduleresource",
            "delete",
            json!({"scheduleResourceId": id}),
        ),
        "INVALID_OBJECT_ID",
    );
    expect_error(
        &api_ks(
            &h,
            &ks,
            "schedule_scheduleresource",
            "update",
            json!({"scheduleResourceId": 4242, "scheduleResource": {"name": "x"}}),
        ),
        "INVALID_OBJECT_ID",
    );
    expect_error(
        &api_ks(
            &h,
            &ks,
            "schedule_scheduleresource",
            "get",
            json!({"scheduleResourceId": "cam-a"}),
        ),
        "INVALID_OBJECT_ID",
    );
    // A deleted resource frees its system name.
    ok(add_resource(&h, &ks, CAMERA, "cam-a"));
    assert_eq!(
        h.stats().objects["resources"],
        2,
        "deleted resources are not counted"
    );
}

#[test]
fn resource_list_filters_by_system_name_id_and_class() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let room = ok(add_resource(&h, &ks, LOCATION, "shared"));
    let cam = ok(add_resource(&h, &ks, CAMERA, "shared"));
    ok(add_resource(&h, &ks, CAMERA, "other"));
    let list = |filter: Value| {
        ok(api_ks(
            &h,
            &ks,
            "schedule_scheduleresource",
            "list",
            json!({"filter": filter}),
        ))
    };
    let by_name = list(json!({"systemNameIn": "shared,missing"}));
    assert_eq!(by_name["objectType"], "KalturaScheduleResourceListResponse");
    assert_eq!(by_name["totalCount"], 2);
    let cameras = list(
        json!({"objectType": "KalturaCameraScheduleResourceFilter", "systemNameIn": "shared"}),
    );
    assert_eq!(cameras["totalCount"], 1);
    assert_eq!(cameras["objects"][0]["id"], cam["id"]);
    let by_id = list(json!({"idIn": format!("{},{}", room["id"], 999)}));
    assert_eq!(by_id["objects"][0]["systemName"], "shared");
    assert_eq!(by_id["totalCount"], 1);
    assert_eq!(list(json!({}))["totalCount"], 3);
}

#[test]
fn lists_cap_pages_at_500_in_values_at_500_and_depth_at_10000() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    // 520 resources through multirequests of 130.
    for batch in 0..4 {
        let mut body = json!({"ks": ks, "format": 1});
        for i in 1..=130 {
            let n = batch * 130 + i;
            body[i.to_string()] = json!({"service": "schedule_scheduleresource", "action": "add",
                "scheduleResource": {"objectType": CAMERA, "name": format!("c{n}"), "systemName": format!("c{n}")}});
        }
        let (_, text) = post(
            &format!("{}/service/multirequest", h.api_v3_url()),
            "application/json",
            body.to_string().as_bytes(),
            &[],
        );
        let results: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert!(results.iter().all(|r| r["objectType"] == CAMERA));
    }
    let page = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "list",
        json!({"pager": {"pageSize": 1000}}),
    ));
    assert_eq!(page["objects"].as_array().unwrap().len(), 500);
    assert_eq!(page["totalCount"], 520);
    let second = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "list",
        json!({"pager": {"pageSize": 500, "pageIndex": 2}}),
    ));
    assert_eq!(second["objects"].as_array().unwrap().len(), 20);
    let default = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "list",
        json!({}),
    ));
    assert_eq!(default["objects"].as_array().unwrap().len(), 30);
    // `in` lists keep their first 500 values: a name in position 510 is silently dropped.
    let names: Vec<String> = (1..=520).map(|n| format!("c{n}")).collect();
    let filtered = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "list",
        json!({"filter": {"systemNameIn": names.join(",")}, "pager": {"pageSize": 500}}),
    ));
    assert_eq!(filtered["totalCount"], 500);
    let deep = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "list",
        json!({"pager": {"pageSize": 500, "pageIndex": 21}}),
    );
    assert_eq!(
        expect_error(&deep, "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED"),
        "Unable to generate list. max matches value was reached"
    );
    let events = api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "list",
        json!({"pager": {"pageSize": 100, "pageIndex": 101}}),
    );
    expect_error(&events, "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED");
}

fn event(class: &str, summary: &str, start: i64, end: i64, reference: &str) -> Value {
    json!({"scheduleEvent": {"objectType": class, "summary": summary, "startDate": start, "endDate": end, "referenceId": reference}})
}

const T0: i64 = 1_900_000_000;

#[test]
fn event_add_enforces_dates_durations_and_read_only_status() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let rec = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        event(
            "KalturaRecordScheduleEvent",
            "Lecture",
            T0,
            T0 + 3600,
            "uid-1",
        ),
    ));
    assert_eq!(
        (rec["status"].clone(), rec["duration"].clone()),
        (json!(2), json!(3600))
    );
    ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        event(
            "KalturaLiveStreamScheduleEvent",
            "Live",
            T0,
            T0 + 60,
            "uid-2",
        ),
    ));
    ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        event(
            "KalturaBlackoutScheduleEvent",
            "Closed",
            T0,
            T0 + 86_400,
            "uid-3",
        ),
    ));
    let backwards = api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        event("KalturaRecordScheduleEvent", "x", T0, T0 - 1, "u"),
    );
    assert_eq!(
        expect_error(&backwards, "INVALID_SCHEDULE_END_BEFORE_START"),
        format!("End time [{}] must be after start time [{T0}]", T0 - 1)
    );
    let too_long = api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        event("KalturaRecordScheduleEvent", "x", T0, T0 + 86_401, "u"),
    );
    assert_eq!(
        expect_error(&too_long, "MAX_SCHEDULE_DURATION_REACHED"),
        "Maximum schedule duration [86400] reached"
    );
    let series = |until: i64| {
        json!({"scheduleEvent": {"objectType": "KalturaRecordScheduleEvent", "summary": "Weekly", "startDate": T0,
            "recurrenceType": 1, "duration": 3600, "recurrence": {"frequency": "weeks", "until": until}}})
    };
    ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        series(T0 + 86_400 * 300),
    ));
    let endless = api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        series(T0 + 63_072_001),
    );
    assert_eq!(
        expect_error(&endless, "MAX_SCHEDULE_DURATION_REACHED"),
        "Maximum schedule duration [63072000] reached"
    );
    let no_summary = api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        json!({"scheduleEvent": {"objectType": "KalturaRecordScheduleEvent", "startDate": T0, "endDate": T0 + 1}}),
    );
    assert_eq!(
        expect_error(&no_summary, "PROPERTY_VALIDATION_CANNOT_BE_NULL"),
        "The property \"KalturaRecordScheduleEvent::summary\" cannot be null"
    );
    let mut with_status = event("KalturaRecordScheduleEvent", "x", T0, T0 + 1, "u");
    with_status["scheduleEvent"]["status"] = json!(2);
    assert_eq!(
        expect_error(
            &api_ks(&h, &ks, "schedule_scheduleevent", "add", with_status),
            "PROPERTY_VALIDATION_NOT_UPDATABLE"
        ),
        "The property \"KalturaRecordScheduleEvent::status\" cannot be updated"
    );
}

#[test]
fn event_update_cancel_get_and_list_by_reference_id() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let a = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        event("KalturaRecordScheduleEvent", "A", T0, T0 + 60, "ref-a"),
    ));
    ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        event("KalturaRecordScheduleEvent", "B", T0, T0 + 60, "ref-b"),
    ));
    let id = a["id"].as_i64().unwrap();
    let moved = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "update",
        json!({"scheduleEventId": id, "scheduleEvent": {"objectType": "KalturaRecordScheduleEvent", "summary": "A2", "endDate": T0 + 7200}}),
    ));
    assert_eq!(
        (moved["summary"].clone(), moved["duration"].clone()),
        (json!("A2"), json!(7200))
    );
    let bad = api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "update",
        json!({"scheduleEventId": id, "scheduleEvent": {"objectType": "KalturaRecordScheduleEvent", "endDate": T0 - 5}}),
    );
    expect_error(&bad, "INVALID_SCHEDULE_END_BEFORE_START");
    let cancelled = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "cancel",
        json!({"scheduleEventId": id}),
    ));
    assert_eq!(cancelled["status"], 1);
    assert_eq!(
        ok(api_ks(
            &h,
            &ks,
            "schedule_scheduleevent",
            "get",
            json!({"scheduleEventId": id})
        ))["status"],
        1
    );
    // The iCal engine's broken cancel passes the UID where the id belongs.
    let by_uid = api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "cancel",
        json!({"scheduleEventId": "ref-a"}),
    );
    assert_eq!(
        expect_error(&by_uid, "INVALID_OBJECT_ID"),
        "Invalid object id [ref-a]"
    );
    expect_error(
        &api_ks(
            &h,
            &ks,
            "schedule_scheduleevent",
            "get",
            json!({"scheduleEventId": 777}),
        ),
        "INVALID_OBJECT_ID",
    );
    let listed = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "list",
        json!({"filter": {"referenceIdIn": "ref-a,ref-z"}}),
    ));
    assert_eq!(listed["objectType"], "KalturaScheduleEventListResponse");
    assert_eq!(listed["totalCount"], 1);
    assert_eq!(listed["objects"][0]["id"], id);
    let by_id = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "list",
        json!({"filter": {"idIn": id.to_string()}}),
    ));
    assert_eq!(by_id["objects"][0]["referenceId"], "ref-a");
}

#[test]
fn event_resource_links_once_and_needs_both_ends() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let ev = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleevent",
        "add",
        event("KalturaRecordScheduleEvent", "E", T0, T0 + 60, "r"),
    ));
    let res = ok(add_resource(&h, &ks, CAMERA, "cam"));
    let link = |event_id: &Value, resource_id: &Value| {
        api_ks(
            &h,
            &ks,
            "schedule_scheduleeventresource",
            "add",
            json!({"scheduleEventResource": {"objectType": "KalturaScheduleEventResource", "eventId": event_id, "resourceId": resource_id}}),
        )
    };
    let linked = ok(link(&ev["id"], &res["id"]));
    assert_eq!(
        (linked["eventId"].clone(), linked["resourceId"].clone()),
        (ev["id"].clone(), res["id"].clone())
    );
    expect_error(
        &link(&ev["id"], &res["id"]),
        "SCHEDULE_EVENT_RESOURCE_ALREADY_EXISTS",
    );
    expect_error(
        &link(&ev["id"], &json!(9999)),
        "SCHEDULE_RESOURCE_ID_NOT_FOUND",
    );
    expect_error(
        &link(&json!(9999), &res["id"]),
        "SCHEDULE_EVENT_ID_NOT_FOUND",
    );
    expect_error(
        &link(&Value::Null, &res["id"]),
        "PROPERTY_VALIDATION_CANNOT_BE_NULL",
    );
    let listed = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleeventresource",
        "list",
        json!({"filter": {"eventIdEqual": ev["id"]}}),
    ));
    assert_eq!(listed["totalCount"], 1);
}
