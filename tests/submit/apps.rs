//! App Registry apps from the CLI against the sandbox: `kbulk submit` adds, a re-submit of the
//! unchanged file is a no-op that bumps no `version`, a changed field updates, `status` is set
//! with enable/disable, only an explicit `action: delete` deletes, and the service's errors
//! (HTTP 200 bodies, HTTP 400 VALIDATION_ERROR) become per-row results with its code and
//! message. Faults, kills and export live in `apps_sync.rs`.
use std::io::{BufReader, Write};
use std::net::TcpListener;

use kbulk::sandbox::FaultConfig;
use serde_json::{Value, json};

use super::retry_after::{forward, read_request, upstream_of};
use super::*;
use crate::sandbox::app_registry::registry;

/// `kbulk submit` for apps: the sandbox's KS and its App Registry URL (or `url`).
pub fn apps_cmd_at(h: &SandboxHandle, url: &str, args: &[&str]) -> Command {
    let mut cmd = submit_cmd(h, args);
    cmd.env("KALTURA_APP_REGISTRY_URL", url);
    cmd
}

/// `kbulk submit` for apps against the sandbox's App Registry.
pub fn apps_cmd(h: &SandboxHandle, args: &[&str]) -> Command {
    apps_cmd_at(h, &h.app_registry_url(), args)
}

/// Writes App JSON Lines and returns the path.
pub fn jsonl(dir: &Path, name: &str, apps: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let text: String = apps.iter().map(|a| format!("{a}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// Every app the sandbox holds, by appCustomId (asserting no appCustomId is held twice).
#[track_caller]
pub fn server_apps(h: &SandboxHandle) -> HashMap<String, Value> {
    let ks = h.admin_ks().unwrap();
    let (status, page) = registry(
        h,
        &ks,
        "list",
        json!({"pager": {"offset": 0, "limit": 5000}}),
    );
    assert_eq!(status, 200, "{page}");
    let objects = page["objects"].as_array().unwrap();
    assert_eq!(page["totalCount"].as_u64(), Some(objects.len() as u64));
    let mut by_cid = HashMap::new();
    for o in objects {
        let cid = o["appCustomId"].as_str().unwrap().to_string();
        assert!(
            by_cid.insert(cid.clone(), o.clone()).is_none(),
            "{cid} twice"
        );
    }
    by_cid
}

/// How many App Registry `action` calls the sandbox executed.
pub fn registry_calls(h: &SandboxHandle, action: &str) -> u64 {
    h.stats()
        .calls
        .get(&format!("appRegistry.{action}"))
        .copied()
        .unwrap_or(0)
}

/// The write calls (add, update, enable, disable, delete) executed so far.
fn writes(h: &SandboxHandle) -> [u64; 5] {
    ["add", "update", "enable", "disable", "delete"].map(|a| registry_calls(h, a))
}

fn three_apps() -> Vec<Value> {
    vec![
        json!({"appCustomId": "kms-main", "appCustomName": "Corporate MediaSpace", "appType": "kms",
               "organizationDomain": {"organizationId": "org-123", "domain": "example.com"}}),
        json!({"appCustomId": "ep-01", "appCustomName": "Annual Conference Portal", "appType": "ep"}),
        json!({"appCustomId": "kaf-canvas", "appCustomName": "Canvas KAF", "appType": "sites",
               "status": "disabled"}),
    ]
}

/// The `"type":"row"` objects of a `--format json` run.
fn json_rows(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "row")
        .collect()
}

#[test]
fn apps_are_added_and_an_unchanged_resubmit_bumps_no_version() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(dir.path(), "apps.jsonl", &three_apps());
    let path = file.to_str().unwrap();
    let out = run(apps_cmd(&h, &[path]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let apps = server_apps(&h);
    assert_eq!(apps.len(), 3);
    assert_eq!(
        apps["kms-main"]["organizationDomain"]["domain"],
        "example.com"
    );
    assert_eq!(apps["kms-main"]["version"], 0);
    assert_eq!(
        apps["kaf-canvas"]["status"], "disabled",
        "disabled after the add"
    );
    assert_eq!(apps["kaf-canvas"]["version"], 1);
    assert_eq!(writes(&h), [3, 0, 0, 1, 0]);
    // The results file: every row OK with the server's GUID.
    let (header, rows) = results_csv(&dir.path().join("apps.jsonl.results.csv"));
    assert_eq!(header[..3], ["record", "resultStatus", "objectId"]);
    for (row, cid) in rows.iter().zip(["kms-main", "ep-01", "kaf-canvas"]) {
        assert_eq!(row[1], "2", "{row:?}");
        assert_eq!(row[2], apps[cid]["id"].as_str().unwrap());
    }

    // The same file again (a new journal): nothing is written, no version moves.
    let journal = dir.path().join("again.journal");
    let out = run(apps_cmd(
        &h,
        &[
            path,
            "--journal",
            journal.to_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(writes(&h), [3, 0, 0, 1, 0], "no write call at all");
    let rows = json_rows(&out);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["action"] == "unchanged"), "{rows:?}");
    let again = server_apps(&h);
    for (cid, app) in &apps {
        assert_eq!(again[cid]["version"], app["version"], "{cid}");
        assert_eq!(again[cid]["updatedAt"], app["updatedAt"], "{cid}");
    }
}

#[test]
fn a_changed_field_updates_and_status_follows_the_file() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let first = jsonl(dir.path(), "v1.jsonl", &three_apps());
    assert_eq!(code(&run(apps_cmd(&h, &[first.to_str().unwrap()]))), 0);
    let before = server_apps(&h);
    let mut apps = three_apps();
    apps[0]["appCustomName"] = json!("Corporate MediaSpace (new)");
    apps[1]["status"] = json!("disabled");
    apps[2]["status"] = json!("enabled");
    let second = jsonl(dir.path(), "v2.jsonl", &apps);
    let out = run(apps_cmd(
        &h,
        &[second.to_str().unwrap(), "--format", "json"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let actions: Vec<_> = json_rows(&out)
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["update", "disable", "enable"]);
    assert_eq!(writes(&h), [3, 1, 1, 2, 0], "one call per change");
    let after = server_apps(&h);
    assert_eq!(
        after["kms-main"]["appCustomName"],
        "Corporate MediaSpace (new)"
    );
    assert_eq!(after["ep-01"]["status"], "disabled");
    assert_eq!(after["kaf-canvas"]["status"], "enabled");
    for cid in ["kms-main", "ep-01", "kaf-canvas"] {
        assert_eq!(
            after[cid]["version"].as_i64().unwrap(),
            before[cid]["version"].as_i64().unwrap() + 1,
            "{cid}: one version per change"
        );
        assert_eq!(
            after[cid]["id"], before[cid]["id"],
            "the same app, not a new one"
        );
    }
}

#[test]
fn only_an_explicit_delete_deletes() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let all = jsonl(dir.path(), "all.jsonl", &three_apps());
    assert_eq!(code(&run(apps_cmd(&h, &[all.to_str().unwrap()]))), 0);
    // A file without two of the apps leaves them alone.
    let one = jsonl(dir.path(), "one.jsonl", &three_apps()[..1]);
    assert_eq!(code(&run(apps_cmd(&h, &[one.to_str().unwrap()]))), 0);
    assert_eq!(server_apps(&h).len(), 3, "absent rows delete nothing");
    // An explicit delete removes its app; a delete of an unknown appCustomId fails its row.
    let del = jsonl(
        dir.path(),
        "del.jsonl",
        &[
            json!({"action": "delete", "appCustomId": "ep-01"}),
            json!({"action": "delete", "appCustomId": "no-such-app"}),
        ],
    );
    let out = run(apps_cmd(&h, &[del.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "a row failed: {}", text(&out));
    let apps = server_apps(&h);
    assert!(!apps.contains_key("ep-01"));
    assert_eq!(apps.len(), 2);
    assert_eq!(registry_calls(&h, "delete"), 1);
    let (_, rows) = results_csv(&dir.path().join("del.jsonl.results.csv"));
    assert_eq!(rows[0][1], "2");
    assert_eq!(
        (rows[1][1].as_str(), rows[1][3].as_str()),
        ("1", "OBJECT_NOT_FOUND")
    );
    assert!(rows[1][4].contains("no-such-app"), "{:?}", rows[1]);
}

#[test]
fn a_service_error_in_a_200_body_is_the_row_result() {
    let h = sandbox(FaultConfig::default());
    let ks = h.admin_ks().unwrap();
    let (status, _) = registry(
        &h,
        &ks,
        "add",
        json!({"appCustomId": "theirs", "appCustomName": "Theirs", "appType": "kms",
               "organizationDomain": {"organizationId": "org-1", "domain": "corp.com"}}),
    );
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apps.csv");
    std::fs::write(
        &file,
        "appCustomId,appCustomName,appType,organizationDomain.organizationId,organizationDomain.domain\n\
         mine,Mine,kms,org-1,\"other.com,corp.com\"\n\
         fine,Fine,ep,,\n",
    )
    .unwrap();
    let out = run(apps_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let (header, rows) = results_csv(&dir.path().join("apps.csv.results.csv"));
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(
        rows[0][at("appCustomId")],
        "mine",
        "the CSV cells are echoed"
    );
    assert_eq!(rows[0][at("resultStatus")], "1");
    assert_eq!(
        rows[0][at("objectStatus")],
        "ORGANIZATION_ID_DOMAIN_AND_APP_TYPE_MUST_BE_UNIQUE"
    );
    assert!(
        rows[0][at("errorDescription")].contains("domain [corp.com] is already registered"),
        "the server's message: {:?}",
        rows[0]
    );
    assert_eq!(rows[1][at("resultStatus")], "2", "the other row is done");
    assert_eq!(server_apps(&h).len(), 2);
}

/// A proxy in front of the sandbox that answers `add` of appCustomId `strict` with HTTP 400
/// VALIDATION_ERROR (a rule kbulk's check does not know) and forwards everything else.
fn strict_proxy(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let Some((head, body)) = read_request(&mut reader) else {
                    return;
                };
                let refused = head[0].contains("/app-registry/add")
                    && serde_json::from_slice::<Value>(&body)
                        .is_ok_and(|b| b["appCustomId"] == "strict");
                if refused {
                    let body = r#"{"code":"VALIDATION_ERROR","message":"appCustomName must match /^[a-z]+$/","objectType":"KalturaAPIException"}"#;
                    let response = format!(
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = writer.write_all(response.as_bytes());
                } else {
                    let _ = writer.write_all(&forward(&upstream, &head, &body));
                }
            });
        }
    });
    url
}

#[test]
fn a_validation_error_400_is_the_row_result_and_is_not_retried() {
    let h = sandbox(FaultConfig::default());
    let url = strict_proxy(upstream_of(&h));
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(
        dir.path(),
        "apps.jsonl",
        &[
            json!({"appCustomId": "strict", "appCustomName": "Strict One", "appType": "ep"}),
            json!({"appCustomId": "easy", "appCustomName": "Easy", "appType": "ep"}),
        ],
    );
    let out = run(apps_cmd_at(
        &h,
        &url,
        &[file.to_str().unwrap(), "--retry-delay-ms", "1"],
    ));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let (_, rows) = results_csv(&dir.path().join("apps.jsonl.results.csv"));
    assert_eq!(
        (rows[0][1].as_str(), rows[0][3].as_str()),
        ("1", "VALIDATION_ERROR")
    );
    assert_eq!(rows[0][4], "appCustomName must match /^[a-z]+$/");
    assert_eq!(rows[1][1], "2");
    assert_eq!(
        registry_calls(&h, "add"),
        1,
        "only `easy` reached the sandbox"
    );
    let apps = server_apps(&h);
    assert!(apps.contains_key("easy") && !apps.contains_key("strict"));
}
