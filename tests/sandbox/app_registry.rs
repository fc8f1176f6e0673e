//! The App Registry seed walked end to end (add, get, update, disable, enable twice, list with
//! filters and pager, findByOrganizationDomain, delete), then its uniqueness, validation and
//! authentication rules.
use kbulk::sandbox::{SandboxHandle, SessionType};
use serde_json::{Value, json};

use super::*;

/// `POST $KALTURA_APP_REGISTRY_URL/app-registry/{action}` with a Bearer KS: status and JSON body
/// (`Value::Null` for an empty body).
pub fn registry(h: &SandboxHandle, ks: &str, action: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/app-registry/{action}", h.app_registry_url());
    let auth = format!("Bearer {ks}");
    let (status, text) = post(
        &url,
        "application/json",
        body.to_string().as_bytes(),
        &[("Authorization", &auth)],
    );
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, value)
}

#[track_caller]
fn app_ok(response: (u16, Value)) -> Value {
    assert_eq!(response.0, 200, "{}", response.1);
    assert_ne!(
        response.1["objectType"], "KalturaAPIException",
        "{}",
        response.1
    );
    response.1
}

#[track_caller]
fn app_err(response: (u16, Value), status: u16, code: &str) -> String {
    assert_eq!(response.0, status, "{}", response.1);
    assert_eq!(response.1["objectType"], "KalturaAPIException");
    assert_eq!(response.1["code"], code, "{}", response.1);
    response.1["message"].as_str().unwrap().to_string()
}

#[test]
fn the_seed_walkthrough_end_to_end() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    // §5 Register an App.
    let app = app_ok(registry(
        &h,
        &ks,
        "add",
        json!({"appCustomId": "my-events-site-01", "appType": "ep", "appCustomName": "Annual Conference Portal"}),
    ));
    let id = app["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a GUID: {id}");
    assert_eq!(app["partnerId"], h.partner_id());
    assert_eq!(
        (
            app["status"].clone(),
            app["version"].clone(),
            app["objectType"].clone()
        ),
        (json!("enabled"), json!(0), json!("App"))
    );
    assert_eq!(app["createdAt"], app["updatedAt"]);
    assert!(app["createdAt"].as_str().unwrap().ends_with('Z'));
    // §6 Get.
    assert_eq!(app_ok(registry(&h, &ks, "get", json!({"id": id}))), app);
    // §7 Update.
    let updated = app_ok(registry(
        &h,
        &ks,
        "update",
        json!({"id": id, "appCustomName": "Updated Conference Portal"}),
    ));
    assert_eq!(
        (updated["appCustomName"].clone(), updated["version"].clone()),
        (json!("Updated Conference Portal"), json!(1))
    );
    assert_eq!(
        (updated["appCustomId"].clone(), updated["createdAt"].clone()),
        (app["appCustomId"].clone(), app["createdAt"].clone())
    );
    // §9 Disable, enable, enable again: the no-op keeps the version.
    let disabled = app_ok(registry(&h, &ks, "disable", json!({"id": id})));
    assert_eq!(
        (disabled["status"].clone(), disabled["version"].clone()),
        (json!("disabled"), json!(2))
    );
    let enabled = app_ok(registry(&h, &ks, "enable", json!({"id": id})));
    assert_eq!(
        (enabled["status"].clone(), enabled["version"].clone()),
        (json!("enabled"), json!(3))
    );
    let again = app_ok(registry(&h, &ks, "enable", json!({"id": id})));
    assert_eq!(again, enabled, "enabling an enabled app changes nothing");
    // §10 List with filters and pager.
    let kms = app_ok(registry(
        &h,
        &ks,
        "add",
        json!({"appCustomId": "kms-main", "appType": "kms", "appCustomName": "Corporate MediaSpace",
        "organizationDomain": {"organizationId": "org-123", "domain": "example.com, other.com"}}),
    ));
    assert_eq!(
        kms["organizationDomain"],
        json!({"organizationId": "org-123", "domain": "example.com,other.com"})
    );
    app_ok(registry(
        &h,
        &ks,
        "add",
        json!({"appCustomId": "12345", "appType": "epmEvent", "appCustomName": "Event"}),
    ));
    let ep = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"appType": "ep", "status": "enabled"}, "pager": {"offset": 0, "limit": 50}}),
    ));
    assert_eq!(ep["totalCount"], 1);
    assert_eq!(ep["objects"][0]["id"], json!(id));
    let by_custom = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"appCustomIdIn": ["12345", "12346", "12347"]}}),
    ));
    assert_eq!(by_custom["objects"][0]["appCustomId"], "12345");
    let by_ids = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"idIn": [id, "not-a-guid"]}}),
    ));
    assert_eq!(by_ids["totalCount"], 1);
    let only_invalid = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"idIn": ["not-a-guid"]}}),
    ));
    assert_eq!(only_invalid["totalCount"], 0);
    let by_domain = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"domain": "other.com", "organizationId": "org-123"}}),
    ));
    assert_eq!(by_domain["objects"][0]["id"], kms["id"]);
    let by_name = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"appCustomNameIn": ["Event"]}}),
    ));
    assert_eq!(by_name["totalCount"], 1);
    let all = app_ok(registry(&h, &ks, "list", json!({})));
    assert_eq!(all["totalCount"], 3);
    let second = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"pager": {"offset": 1, "limit": 1}}),
    ));
    assert_eq!(
        (
            second["totalCount"].clone(),
            second["objects"].as_array().unwrap().len()
        ),
        (json!(3), 1)
    );
    assert_eq!(second["objects"][0]["id"], kms["id"]);
    let disabled_only = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"status": "disabled"}}),
    ));
    assert_eq!(disabled_only["totalCount"], 0);
    // §14.5 delta sync by updatedAt watermark.
    let since = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"updatedAtGreaterThanOrEqual": enabled["updatedAt"], "appType": "ep"}}),
    ));
    assert_eq!(since["totalCount"], 1);
    let future = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"createdAtGreaterThanOrEqual": "2999-01-01T00:00:00Z"}}),
    ));
    assert_eq!(future["totalCount"], 0);
    let past = app_ok(registry(
        &h,
        &ks,
        "list",
        json!({"filter": {"createdAtLessThanOrEqual": "2000-01-01"}}),
    ));
    assert_eq!(past["totalCount"], 0);
    // §11 findByOrganizationDomain.
    let found = app_ok(registry(
        &h,
        &ks,
        "findByOrganizationDomain",
        json!({"domain": "example.com", "appType": "kms"}),
    ));
    assert_eq!(
        (
            found["totalCount"].clone(),
            found["objects"][0]["appCustomId"].clone()
        ),
        (json!(1), json!("kms-main"))
    );
    let spaced = app_ok(registry(
        &h,
        &ks,
        "findByOrganizationDomain",
        json!({"domain": " other.com ", "appType": "kms", "organizationId": "org-123"}),
    ));
    assert_eq!(spaced["totalCount"], 1);
    let other_type = app_ok(registry(
        &h,
        &ks,
        "findByOrganizationDomain",
        json!({"domain": "example.com", "appType": "ep"}),
    ));
    assert_eq!(other_type["totalCount"], 0);
    // §8 Delete: empty body, then gone.
    let (status, body) = registry(&h, &ks, "delete", json!({"id": id}));
    assert_eq!((status, body), (200, Value::Null));
    app_err(
        registry(&h, &ks, "get", json!({"id": id})),
        200,
        "OBJECT_NOT_FOUND",
    );
    app_err(
        registry(&h, &ks, "delete", json!({"id": id})),
        200,
        "OBJECT_NOT_FOUND",
    );
}

#[test]
fn uniqueness_of_custom_id_and_of_organization_domain_type() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let bound = |custom: &str, kind: &str, org: &str, domain: &str| {
        json!({"appCustomId": custom, "appType": kind, "appCustomName": custom,
               "organizationDomain": {"organizationId": org, "domain": domain}})
    };
    app_ok(registry(
        &h,
        &ks,
        "add",
        bound("a", "kms", "org", "a.com,b.com"),
    ));
    app_err(
        registry(
            &h,
            &ks,
            "add",
            json!({"appCustomId": "a", "appType": "ep", "appCustomName": "x"}),
        ),
        200,
        "APP_REGISTRY_ALREADY_EXISTS_WITH_THIS_APP_CUSTOM_ID",
    );
    // Each comma-separated domain is checked alone, after whitespace is stripped.
    let msg = app_err(
        registry(&h, &ks, "add", bound("b", "kms", "org", "c.com , b.com")),
        200,
        "ORGANIZATION_ID_DOMAIN_AND_APP_TYPE_MUST_BE_UNIQUE",
    );
    assert!(msg.contains("b.com"), "{msg}");
    app_ok(registry(&h, &ks, "add", bound("c", "ep", "org", "b.com")));
    app_ok(registry(
        &h,
        &ks,
        "add",
        bound("d", "kms", "org-2", "b.com"),
    ));
    let e = app_ok(registry(&h, &ks, "add", bound("e", "kms", "org", "e.com")));
    app_err(
        registry(
            &h,
            &ks,
            "update",
            json!({"id": e["id"], "appCustomId": "a"}),
        ),
        200,
        "APP_REGISTRY_ALREADY_EXISTS_WITH_THIS_APP_CUSTOM_ID",
    );
    app_err(
        registry(
            &h,
            &ks,
            "update",
            json!({"id": e["id"], "organizationDomain": {"organizationId": "org", "domain": "a.com"}}),
        ),
        200,
        "ORGANIZATION_ID_DOMAIN_AND_APP_TYPE_MUST_BE_UNIQUE",
    );
    let unchanged = app_ok(registry(&h, &ks, "get", json!({"id": e["id"]})));
    assert_eq!(
        (
            unchanged["version"].clone(),
            unchanged["appCustomId"].clone()
        ),
        (json!(0), json!("e")),
        "a failed update changes nothing"
    );
}

#[test]
fn validation_errors_are_http_400_and_the_pager_is_bounded() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let msg = app_err(
        registry(
            &h,
            &ks,
            "add",
            json!({"appType": "ep", "appCustomName": "x"}),
        ),
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(msg, "appCustomId is required");
    app_err(
        registry(
            &h,
            &ks,
            "add",
            json!({"appCustomId": "x", "appType": "nope", "appCustomName": "x"}),
        ),
        400,
        "VALIDATION_ERROR",
    );
    app_err(
        registry(
            &h,
            &ks,
            "add",
            json!({"appCustomId": 5, "appType": "ep", "appCustomName": "x"}),
        ),
        400,
        "VALIDATION_ERROR",
    );
    app_err(
        registry(
            &h,
            &ks,
            "add",
            json!({"appCustomId": "x", "appType": "ep", "appCustomName": "x",
        "organizationDomain": {"domain": "d".repeat(256)}}),
        ),
        400,
        "VALIDATION_ERROR",
    );
    app_err(registry(&h, &ks, "get", json!({})), 400, "VALIDATION_ERROR");
    app_err(
        registry(
            &h,
            &ks,
            "findByOrganizationDomain",
            json!({"domain": "a.com"}),
        ),
        400,
        "VALIDATION_ERROR",
    );
    app_err(
        registry(&h, &ks, "list", json!({"pager": {"limit": 5001}})),
        400,
        "VALIDATION_ERROR",
    );
    app_err(
        registry(&h, &ks, "list", json!({"pager": {"limit": 0}})),
        400,
        "VALIDATION_ERROR",
    );
    app_err(
        registry(&h, &ks, "list", json!({"pager": {"offset": -1}})),
        400,
        "VALIDATION_ERROR",
    );
    app_err(
        registry(
            &h,
            &ks,
            "list",
            json!({"filter": {"createdAtGreaterThanOrEqual": "yesterday"}}),
        ),
        400,
        "VALIDATION_ERROR",
    );
    let url = format!("{}/app-registry/list", h.app_registry_url());
    let (status, _) = post(
        &url,
        "application/json",
        b"[1,2]",
        &[("Authorization", &format!("Bearer {ks}"))],
    );
    assert_eq!(status, 400);
    // Default page of 30, at most 5000.
    for i in 0..35 {
        app_ok(registry(
            &h,
            &ks,
            "add",
            json!({"appCustomId": format!("app-{i}"), "appType": "test", "appCustomName": "n"}),
        ));
    }
    let default = app_ok(registry(&h, &ks, "list", json!({})));
    assert_eq!(
        (
            default["objects"].as_array().unwrap().len(),
            default["totalCount"].clone()
        ),
        (30, json!(35))
    );
    let max = app_ok(registry(&h, &ks, "list", json!({"pager": {"limit": 5000}})));
    assert_eq!(max["objects"].as_array().unwrap().len(), 35);
}

#[test]
fn the_registry_wants_a_bearer_admin_ks() {
    let h = start();
    let user = h.ks(SessionType::User).unwrap();
    app_err(
        registry(&h, &user, "list", json!({})),
        200,
        "SERVICE_FORBIDDEN",
    );
    app_err(registry(&h, "forged", "list", json!({})), 200, "INVALID_KS");
    let url = format!("{}/app-registry/list", h.app_registry_url());
    let (status, text) = post(&url, "application/json", b"{}", &[]);
    assert_eq!(status, 200);
    assert!(text.contains("INVALID_KS"), "{text}");
    let (status, _) = post(
        &format!("{}/app-registry/explode", h.app_registry_url()),
        "application/json",
        b"{}",
        &[],
    );
    assert_eq!(status, 404);
}
