//! `kbulk export categories|users|category-users|category-entries` against the sandbox: every
//! object of each list in the kind's CSV, which `kbulk check` passes and `kbulk submit` sends
//! back as a no-op (nothing added, every row done, nothing changed on the server).
use std::path::Path;
use std::process::Command;

use kbulk::sandbox::FaultConfig;
use serde_json::{Value, json};

use super::members::{assigned_entry, assignments, category, members};
use super::*;

fn export_cmd(h: &SandboxHandle, what: &str, out: &Path) -> Command {
    export_as(h, what, out, &["--format", "csv"])
}

fn export_as(h: &SandboxHandle, what: &str, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kbulk"));
    for (k, _) in std::env::vars() {
        if k.starts_with("KALTURA_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(["export", what])
        .args(extra)
        .arg("-o")
        .arg(out)
        .env("NO_COLOR", "1")
        .env("KALTURA_SERVICE_URL", h.base_url())
        .env("KALTURA_KS", h.admin_ks().expect("ks"));
    cmd
}

fn check_cmd(file: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kbulk"));
    cmd.arg("check").arg(file).env("NO_COLOR", "1");
    cmd
}

/// Writes calls of the sandbox so far (lists and gets left out).
fn writes(h: &SandboxHandle) -> u64 {
    h.stats()
        .calls
        .iter()
        .filter(|(k, _)| !k.ends_with(".list") && !k.ends_with(".get") && !k.starts_with("session"))
        .map(|(_, n)| n)
        .sum()
}

#[test]
fn exports_check_clean_and_submit_back_as_no_ops() {
    let h = sandbox(FaultConfig::default());
    let a = category(&h, "A", false);
    let held = category(&h, "Held", true);
    let r = api(
        &h,
        "category",
        "add",
        json!({"category": {"objectType": "KalturaCategory", "name": "B", "parentId": a,
               "description": "under A", "referenceId": "b-ref", "privacy": 2}}),
    );
    let b = r["id"].as_i64().expect("child");
    for (id, first) in [("ann", "Ann"), ("bob", "Bob")] {
        let r = api(
            &h,
            "user",
            "add",
            json!({"user": {"objectType": "KalturaUser", "id": id, "firstName": first,
                   "email": format!("{id}@example.com"), "dateOfBirth": 86_400}}),
        );
        assert_eq!(r["id"], id, "{r}");
    }
    for (c, u, level) in [(a, "ann", 1), (b, "bob", 3), (held, "ann", 0)] {
        let r = api(
            &h,
            "categoryUser",
            "add",
            json!({"categoryUser": {"objectType": "KalturaCategoryUser", "categoryId": c,
                   "userId": u, "permissionLevel": level}}),
        );
        assert_eq!(r["userId"], u, "{r}");
    }
    api(
        &h,
        "categoryUser",
        "deactivate",
        json!({"categoryId": b, "userId": "bob"}),
    );
    let e1 = assigned_entry(&h, "e1", held);
    let e2 = assigned_entry(&h, "e2", held);
    let _pending = assigned_entry(&h, "e3", held);
    let _active = assigned_entry(&h, "e4", a);
    api(
        &h,
        "categoryEntry",
        "activate",
        json!({"entryId": e1, "categoryId": held}),
    );
    api(
        &h,
        "categoryEntry",
        "reject",
        json!({"entryId": e2, "categoryId": held}),
    );
    let dir = tempfile::tempdir().unwrap();
    let before: Vec<Vec<Value>> = vec![
        list_all(&h, "category"),
        list_all(&h, "user"),
        members(&h, a),
        members(&h, b),
    ];
    let statuses = assignments(&h, held);

    for (what, rows) in [
        ("categories", 3),
        ("users", 2),
        ("category-users", 3),
        ("category-entries", 3),
    ] {
        let file = dir.path().join(format!("{what}.csv"));
        let out = run(export_cmd(&h, what, &file));
        assert_eq!(code(&out), 0, "{what}: {}", text(&out));
        let body = std::fs::read_to_string(&file).unwrap();
        assert!(
            body.starts_with('*'),
            "{what}: the kind's `*` header: {body}"
        );
        assert_eq!(body.lines().count(), rows + 1, "{what}: {body}");
        let checked = run(check_cmd(&file));
        assert_eq!(code(&checked), 0, "{what}: {body}\n{}", text(&checked));

        let writes_before = writes(&h);
        let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
        assert_eq!(code(&out), 0, "{what}: {body}\n{}", text(&out));
        let (header, results) = results_csv(&dir.path().join(format!("{what}.csv.results.csv")));
        let status = header.iter().position(|c| c == "resultStatus").unwrap();
        assert_eq!(results.len(), rows, "{what}");
        assert!(
            results.iter().all(|r| r[status] == "2"),
            "{what}: every row done: {results:?}"
        );
        assert_eq!(writes(&h), writes_before, "{what}: nothing written back");
    }
    let after: Vec<Vec<Value>> = vec![
        list_all(&h, "category"),
        list_all(&h, "user"),
        members(&h, a),
        members(&h, b),
    ];
    assert_eq!(after, before, "the server holds what it held");
    assert_eq!(assignments(&h, held), statuses);
    let out = run(export_cmd(
        &h,
        "category-entries",
        &dir.path().join("x.csv"),
    ));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pending moderation"),
        "the pending assignment is named: {}",
        text(&out)
    );
}

#[test]
fn the_output_file_extension_picks_the_format_unless_format_is_given() {
    let h = sandbox(FaultConfig::default());
    let r = api(
        &h,
        "category",
        "add",
        json!({"category": {"objectType": "KalturaCategory", "name": "Courses"}}),
    );
    assert!(r["id"].is_i64(), "{r}");
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str, extra: &[&str]| {
        let file = dir.path().join(name);
        let out = run(export_as(&h, "categories", &file, extra));
        assert_eq!(code(&out), 0, "{}", text(&out));
        std::fs::read_to_string(&file).unwrap()
    };
    let csv = read("cats.csv", &[]);
    assert!(csv.starts_with("*action,categoryId,name"), "{csv}");
    let jsonl = read("cats.jsonl", &[]);
    assert!(jsonl.starts_with("{\"kind\":\"category\""), "{jsonl}");
    let forced = read("forced.csv", &["--format", "jsonl"]);
    assert!(forced.starts_with('{'), "{forced}");
}
