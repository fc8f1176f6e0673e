//! Category users (entitlements) and category entries (moderation) end to end against the
//! sandbox: every action with the API's errors in the results file, a re-submission that
//! changes nothing, and a generated file under faults (503s and dropped connections) made
//! exactly once, counted by listing the server.
use std::path::{Path, PathBuf};
use std::time::Duration;

use kbulk::sandbox::FaultConfig;
use serde_json::{Value, json};

use super::categories::category_csv;
use super::*;

/// The header of the category-user CSVs these tests write.
pub const MEMBER_HEADER: &str = "*action,categoryId,userId,permissionLevel,status,updateMethod";
/// The header of the category-entry CSVs these tests write.
pub const ASSIGNMENT_HEADER: &str = "*action,entryId,categoryId";

/// Adds a category (held for moderation when `moderation`), its id.
pub fn category(h: &SandboxHandle, name: &str, moderation: bool) -> i64 {
    let r = api(
        h,
        "category",
        "add",
        json!({"category": {"objectType": "KalturaCategory", "name": name,
               "moderation": moderation}}),
    );
    r["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("category added: {r}"))
}

/// Adds a membership through the API.
fn member(h: &SandboxHandle, category: i64, user: &str, level: i64, method: i64) {
    let r = api(
        h,
        "categoryUser",
        "add",
        json!({"categoryUser": {"objectType": "KalturaCategoryUser", "categoryId": category,
               "userId": user, "permissionLevel": level, "updateMethod": method}}),
    );
    assert_eq!(r["userId"], user, "{r}");
}

/// Every membership of `category`.
pub fn members(h: &SandboxHandle, category: i64) -> Vec<Value> {
    let r = api(
        h,
        "categoryUser",
        "list",
        json!({"filter": {"objectType": "KalturaCategoryUserFilter", "categoryIdEqual": category},
               "pager": {"pageSize": 500}}),
    );
    r["objects"].as_array().expect("objects").clone()
}

fn calls(h: &SandboxHandle, name: &str) -> u64 {
    h.stats().calls.get(name).copied().unwrap_or(0)
}

/// Adds an entry and assigns it to `category` (PENDING in a moderated one); the entry's id.
pub fn assigned_entry(h: &SandboxHandle, reference: &str, category: i64) -> String {
    let e = api(
        h,
        "media",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": reference,
               "referenceId": reference}}),
    );
    let id = e["id"].as_str().expect("entry added").to_string();
    let r = api(
        h,
        "categoryEntry",
        "add",
        json!({"categoryEntry": {"objectType": "KalturaCategoryEntry", "entryId": id,
               "categoryId": category}}),
    );
    assert_eq!(r["entryId"], id.as_str(), "{r}");
    id
}

/// Every assignment of `category`, by entry id: its status.
pub fn assignments(h: &SandboxHandle, category: i64) -> std::collections::HashMap<String, i64> {
    let mut out = std::collections::HashMap::new();
    for page in 1..=20 {
        let r = api(
            h,
            "categoryEntry",
            "list",
            json!({"filter": {"objectType": "KalturaCategoryEntryFilter",
                              "categoryIdEqual": category},
                   "pager": {"pageSize": 500, "pageIndex": page}}),
        );
        let objects = r["objects"].as_array().expect("objects");
        for o in objects {
            out.insert(
                o["entryId"].as_str().unwrap().to_string(),
                o["status"].as_i64().unwrap(),
            );
        }
        if objects.len() < 500 {
            break;
        }
    }
    out
}

#[test]
fn every_member_action_end_to_end() {
    let h = sandbox(FaultConfig::default());
    let a = category(&h, "A", false);
    let b = category(&h, "B", false);
    member(&h, b, "old", 3, 1);
    member(&h, b, "manual", 3, 0);
    member(&h, b, "gone", 3, 1);
    member(&h, b, "same", 2, 1);
    let dir = tempfile::tempdir().unwrap();
    let file = category_csv(
        dir.path(),
        "members.csv",
        MEMBER_HEADER,
        &[
            format!("1,{a},ann,2,,"),
            format!("6,{a},bob,3,3,"),
            format!("6,{b},old,1,,"),
            format!("2,{b},manual,1,,"),
            format!("3,{b},gone,,,"),
            format!("6,{b},same,2,,"),
            format!("1,{b},same,2,,"),
            format!("3,{a},nobody,,,"),
            "1,99999,cy,3,,".into(),
        ],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "rows failed: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("9 rows: 5 done, 4 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let in_a = members(&h, a);
    let ann = in_a
        .iter()
        .find(|m| m["userId"] == "ann")
        .expect("ann added");
    assert_eq!(ann["permissionLevel"], 2);
    assert_eq!(ann["updateMethod"], 1, "AUTOMATIC, the engine's default");
    let bob = in_a
        .iter()
        .find(|m| m["userId"] == "bob")
        .expect("bob added");
    assert_eq!(bob["status"], 3, "deactivated after the add");
    let in_b = members(&h, b);
    let by_user = |u: &str| in_b.iter().find(|m| m["userId"] == u);
    assert_eq!(by_user("old").unwrap()["permissionLevel"], 1, "updated");
    assert_eq!(
        by_user("manual").unwrap()["permissionLevel"],
        3,
        "manual changes are not overridden"
    );
    assert!(by_user("gone").is_none(), "deleted");
    assert_eq!(
        calls(&h, "categoryuser.add"),
        4 + 3,
        "three adds sent (one refused by the server), none for the existing `same`"
    );
    assert_eq!(
        calls(&h, "categoryuser.update"),
        2,
        "`same` was already as the file says: no update sent"
    );

    let (header, rows) = results_csv(&dir.path().join("members.csv.results.csv"));
    assert_eq!(header[6], "resultStatus");
    let statuses: Vec<&str> = rows.iter().map(|r| r[6].as_str()).collect();
    assert_eq!(statuses, ["2", "2", "2", "1", "2", "2", "1", "1", "1"]);
    assert_eq!(rows[0][7], format!("{a}:ann"));
    assert_eq!(
        rows[3][8], "CANNOT_OVERRIDE_MANUAL_CHANGES",
        "{:?}",
        rows[3]
    );
    assert_eq!(rows[6][8], "CATEGORY_USER_ALREADY_EXISTS");
    assert_eq!(rows[7][8], "INVALID_CATEGORY_USER_ID");
    assert_eq!(
        rows[7][9],
        format!("Invalid CategoryUser for category [\"{a}\"] and for user [\"nobody\"]")
    );
    assert_eq!(rows[8][8], "CATEGORY_NOT_FOUND", "the server's own error");

    // The same file again: the adds are refused as existing, the rest changes nothing.
    let updates = calls(&h, "categoryuser.update");
    let second = category_csv(
        dir.path(),
        "again.csv",
        MEMBER_HEADER,
        &[format!("6,{a},ann,2,,"), format!("6,{b},old,1,,")],
    );
    let out = run(submit_cmd(&h, &[second.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(
        calls(&h, "categoryuser.update"),
        updates,
        "nothing to change"
    );
    let (_, rows) = results_csv(&dir.path().join("again.csv.results.csv"));
    assert!(rows.iter().all(|r| r[6] == "2"), "{rows:?}");
}

/// `n` memberships spread over `categories` (row i: user `{prefix}u{i}`).
pub fn generated_members(n: usize, categories: &[i64], prefix: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            let c = categories[i % categories.len()];
            let status = if i % 3 == 0 { "3" } else { "" };
            format!("6,{c},{prefix}u{i},{},{status},", i % 4)
        })
        .collect()
}

/// Asserts each generated membership exists once, with its level and status.
#[track_caller]
pub fn assert_members(h: &SandboxHandle, n: usize, categories: &[i64], prefix: &str, ctx: &str) {
    let mut seen = 0;
    for (k, &c) in categories.iter().enumerate() {
        let all = members(h, c);
        let ours: Vec<&Value> = all
            .iter()
            .filter(|m| m["userId"].as_str().unwrap().starts_with(prefix))
            .collect();
        let names = count_by(&all, "userId");
        for i in (k..n).step_by(categories.len()) {
            let user = format!("{prefix}u{i}");
            assert_eq!(names.get(&user), Some(&1), "{ctx}: {user} exactly once");
            let m = ours.iter().find(|m| m["userId"] == user.as_str()).unwrap();
            assert_eq!(m["permissionLevel"], (i % 4) as i64, "{ctx}: {user}");
            assert_eq!(m["status"], if i % 3 == 0 { 3 } else { 1 }, "{ctx}: {user}");
        }
        seen += ours.len();
    }
    assert_eq!(seen, n, "{ctx}: one membership per row, no other");
}

fn fault_run(h: &SandboxHandle, file: &Path) -> kbulk::sandbox::Stats {
    h.set_faults(FaultConfig {
        seed: 11,
        latency: Duration::from_millis(1),
        fail_rate: 0.15,
        drop_rate: 0.10,
        ..FaultConfig::default()
    })
    .unwrap();
    let out = run(submit_cmd(
        h,
        &[
            file.to_str().unwrap(),
            "--retries",
            "12",
            "--retry-delay-ms",
            "2",
        ],
    ));
    let stats = h.stats();
    h.set_faults(FaultConfig::default()).unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        stats.failed > 0 && stats.dropped > 0,
        "faults happened: {} failed, {} dropped",
        stats.failed,
        stats.dropped
    );
    stats
}

#[test]
fn members_under_faults_are_made_exactly_once() {
    const ROWS: usize = 400;
    let h = sandbox(FaultConfig::default());
    let cats: Vec<i64> = (0..4)
        .map(|i| category(&h, &format!("F{i}"), false))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = category_csv(
        dir.path(),
        "f.csv",
        MEMBER_HEADER,
        &generated_members(ROWS, &cats, "f-"),
    );
    let stats = fault_run(&h, &file);
    assert_eq!(
        stats.calls["categoryuser.add"], ROWS as u64,
        "one add executed per row: dropped adds were adopted, never re-sent"
    );
    assert_members(&h, ROWS, &cats, "f-", "faults");
    let (_, rows) = results_csv(&dir.path().join("f.csv.results.csv"));
    assert_eq!(rows.len(), ROWS);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[6], "2", "row {i}: {r:?}");
        assert_eq!(r[7], format!("{}:f-u{i}", cats[i % cats.len()]), "row {i}");
    }
}

#[test]
fn every_assignment_action_end_to_end() {
    let h = sandbox(FaultConfig::default());
    let held = category(&h, "Held", true);
    let open = category(&h, "Open", false);
    let e1 = assigned_entry(&h, "e1", held);
    let e2 = assigned_entry(&h, "e2", held);
    let e3 = assigned_entry(&h, "e3", open);
    let e4 = assigned_entry(&h, "e4", held);
    let loose = api(
        &h,
        "media",
        "add",
        json!({"entry": {"objectType": "KalturaMediaEntry", "mediaType": 1, "name": "loose"}}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = category_csv(
        dir.path(),
        "moderate.csv",
        ASSIGNMENT_HEADER,
        &[
            format!("7,{e1},{held}"),
            format!("8,{e2},{held}"),
            format!(",{e3},{open}"),
            format!("8,{e4},{held}"),
            format!("7,{e4},{held}"),
            format!("7,{loose},{held}"),
        ],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "rows failed: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("6 rows: 4 done, 2 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let status = assignments(&h, held);
    assert_eq!(status[&e1], 2, "activated");
    assert_eq!(status[&e2], 4, "rejected");
    assert_eq!(status[&e4], 4, "rejected, then not pending any more");
    assert_eq!(assignments(&h, open)[&e3], 2, "already active");
    assert_eq!(calls(&h, "categoryentry.activate"), 1 + 1, "e3 not sent");
    let (header, rows) = results_csv(&dir.path().join("moderate.csv.results.csv"));
    assert_eq!(header[3], "resultStatus");
    let statuses: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(statuses, ["2", "2", "2", "2", "1", "1"]);
    assert_eq!(rows[0][4], format!("{held}:{e1}"));
    assert_eq!(
        rows[4][5], "CANNOT_ACTIVATE_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING",
        "the server's own error: {:?}",
        rows[4]
    );
    assert_eq!(rows[5][5], "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY");
    assert_eq!(rows[5][6], "Entry is not assigned to category");

    // Submitted again, the file changes nothing and sends no moderation call.
    let before = (
        calls(&h, "categoryentry.activate"),
        calls(&h, "categoryentry.reject"),
    );
    let again = category_csv(
        dir.path(),
        "again.csv",
        ASSIGNMENT_HEADER,
        &[format!("7,{e1},{held}"), format!("8,{e2},{held}")],
    );
    let out = run(submit_cmd(&h, &[again.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let after = (
        calls(&h, "categoryentry.activate"),
        calls(&h, "categoryentry.reject"),
    );
    assert_eq!(after, before);
}

/// A moderated category holding `n` PENDING entries, and a file moderating them (row i:
/// reject when i % 5 == 0, else activate).
pub fn generated_assignments(
    h: &SandboxHandle,
    dir: &Path,
    name: &str,
    n: usize,
    prefix: &str,
) -> (i64, Vec<String>, PathBuf) {
    let c = category(h, &format!("{prefix}held"), true);
    let ids: Vec<String> = (0..n)
        .map(|i| assigned_entry(h, &format!("{prefix}{i}"), c))
        .collect();
    let rows: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("{},{id},{c}", if i % 5 == 0 { 8 } else { 7 }))
        .collect();
    let file = category_csv(dir, name, ASSIGNMENT_HEADER, &rows);
    (c, ids, file)
}

/// Asserts each generated assignment is in the status its row asks for.
#[track_caller]
pub fn assert_moderated(h: &SandboxHandle, category: i64, ids: &[String], ctx: &str) {
    let status = assignments(h, category);
    assert_eq!(status.len(), ids.len(), "{ctx}: one assignment per entry");
    for (i, id) in ids.iter().enumerate() {
        let want = if i % 5 == 0 { 4 } else { 2 };
        assert_eq!(status.get(id), Some(&want), "{ctx}: row {i} ({id})");
    }
}

#[test]
fn assignments_under_faults_are_moderated_exactly_once() {
    const ROWS: usize = 300;
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let (c, ids, file) = generated_assignments(&h, dir.path(), "f.csv", ROWS, "f-");
    let stats = fault_run(&h, &file);
    let moderated = stats
        .calls
        .get("categoryentry.activate")
        .copied()
        .unwrap_or(0)
        + stats
            .calls
            .get("categoryentry.reject")
            .copied()
            .unwrap_or(0);
    assert_eq!(
        moderated, ROWS as u64,
        "one moderation call executed per row: a lost answer was found done, never re-sent"
    );
    assert_moderated(&h, c, &ids, "faults");
    let (_, rows) = results_csv(&dir.path().join("f.csv.results.csv"));
    assert_eq!(rows.len(), ROWS);
    assert!(
        rows.iter().all(|r| r[3] == "2" && !r[4].is_empty()),
        "every row done: {rows:?}"
    );
}
