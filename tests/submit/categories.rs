//! Categories end to end: parents before children whatever the file order, add-or-update by
//! reference id, update and delete by id, the failures the API (or the planner, in its words)
//! gives, a resume and a re-submission that change nothing, and a generated tree under faults.
use std::path::{Path, PathBuf};
use std::time::Duration;

use kbulk::sandbox::FaultConfig;
use serde_json::{Value, json};

use super::*;

/// The header of the category CSVs these tests write.
const HEADER: &str = "*action,name,relativePath,referenceId,description,categoryId";

/// Writes a category CSV.
pub fn category_csv(dir: &Path, name: &str, header: &str, rows: &[String]) -> PathBuf {
    let path = dir.join(name);
    let mut text = format!("{header}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).expect("write csv");
    path
}

fn add(h: &SandboxHandle, name: &str, parent: i64, reference: &str) -> i64 {
    let r = api(
        h,
        "category",
        "add",
        json!({"category": {"objectType": "KalturaCategory", "name": name, "parentId": parent,
               "referenceId": reference}}),
    );
    r["id"].as_i64().unwrap_or_else(|| panic!("added: {r}"))
}

/// Every live category.
pub fn categories(h: &SandboxHandle) -> Vec<Value> {
    list_all(h, "category")
}

fn by_full_name<'a>(all: &'a [Value], full: &str) -> Option<&'a Value> {
    all.iter().find(|c| c["fullName"] == full)
}

fn category_adds(h: &SandboxHandle) -> u64 {
    h.stats().calls.get("category.add").copied().unwrap_or(0)
}

#[test]
fn every_action_end_to_end_parents_first() {
    let h = sandbox(FaultConfig::default());
    let existing = add(&h, "Existing", 0, "");
    let old = add(&h, "Old", 0, "old-ref");
    let doomed = add(&h, "Doomed", 0, "");
    add(&h, "Doomed child", doomed, "");
    let dir = tempfile::tempdir().unwrap();
    let file = category_csv(
        dir.path(),
        "cats.csv",
        HEADER,
        &[
            "1,Mechanics,Courses>Physics,,,".into(),
            "1,Physics,Courses,phys,,".into(),
            "1,Courses,,courses,All courses,".into(),
            "6,Renamed,,old-ref,updated by reference,".into(),
            "1,Child of existing,Existing,,,".into(),
            format!("2,Existing,,,new description,{existing}"),
            "1,Existing,,,,".into(),
            "1,Orphan,Nowhere,,,".into(),
            format!("3,,,,,{doomed}"),
            "2,Ghost,,,,99999".into(),
        ],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "rows failed: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("10 rows: 7 done, 3 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let all = categories(&h);
    let courses = by_full_name(&all, "Courses").expect("root added");
    let physics = by_full_name(&all, "Courses>Physics").expect("child added");
    let mechanics = by_full_name(&all, "Courses>Physics>Mechanics").expect("grandchild added");
    assert_eq!(physics["parentId"], courses["id"]);
    assert_eq!(mechanics["parentId"], physics["id"]);
    assert_eq!(mechanics["depth"], 2);
    assert_eq!(courses["description"], "All courses");
    let renamed = all.iter().find(|c| c["id"] == old).expect("kept");
    assert_eq!(
        renamed["name"], "Renamed",
        "found by referenceId and updated"
    );
    assert_eq!(renamed["description"], "updated by reference");
    let child = by_full_name(&all, "Existing>Child of existing").expect("under an existing one");
    assert_eq!(child["parentId"], existing);
    let e = all.iter().find(|c| c["id"] == existing).unwrap();
    assert_eq!(e["description"], "new description");
    assert!(
        all.iter()
            .all(|c| c["id"] != doomed && c["name"] != "Doomed child"),
        "deleted with its subtree"
    );
    assert_eq!(
        category_adds(&h),
        4 + 4,
        "one add per new category, none refused"
    );

    let (header, rows) = results_csv(&dir.path().join("cats.csv.results.csv"));
    assert_eq!(header[..6], HEADER.split(',').collect::<Vec<_>>()[..]);
    assert_eq!(header[6], "resultStatus");
    let statuses: Vec<&str> = rows.iter().map(|r| r[6].as_str()).collect();
    assert_eq!(statuses, ["2", "2", "2", "2", "2", "2", "1", "1", "2", "1"]);
    assert_eq!(rows[0][7], mechanics["id"].to_string());
    assert_eq!(rows[6][8], "DUPLICATE_CATEGORY");
    assert_eq!(rows[6][9], "The category \"Existing\" already exists");
    assert_eq!(
        rows[7][9],
        "Parent category not found for full name [Nowhere]"
    );
    assert_eq!(rows[9][8], "CATEGORY_NOT_FOUND", "the server's own error");
    assert_eq!(rows[9][9], "Category id \"99999\" not found");

    // Resuming a finished run sends nothing and reports the same.
    let requests = h.stats().requests;
    let again = run(submit_cmd(&h, &[file.to_str().unwrap(), "--resume"]));
    assert_eq!(code(&again), 1, "{}", text(&again));
    assert_eq!(h.stats().requests, requests, "nothing left to send");
    let (_, rows2) = results_csv(&dir.path().join("cats.csv.results.csv"));
    assert_eq!(rows2, rows);
}

#[test]
fn an_add_or_update_file_submitted_again_adds_nothing() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = vec![
        "6,Sub,Top,sub,second level,".into(),
        "6,Top,,top,first level,".into(),
    ];
    let first = category_csv(dir.path(), "a.csv", HEADER, &rows);
    let out = run(submit_cmd(&h, &[first.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let before = categories(&h);
    assert_eq!(before.len(), 2);
    let adds = category_adds(&h);

    let second = category_csv(dir.path(), "b.csv", HEADER, &rows);
    let out = run(submit_cmd(&h, &[second.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(
        category_adds(&h),
        adds,
        "found by referenceId: nothing added"
    );
    let after = categories(&h);
    assert_eq!(after.len(), 2);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b["id"], a["id"]);
        assert_eq!(b["fullName"], a["fullName"]);
        assert_eq!(b["description"], a["description"]);
    }
    let (_, results) = results_csv(&dir.path().join("b.csv.results.csv"));
    assert!(results.iter().all(|r| r[6] == "2"), "{results:?}");
}

#[test]
fn invalid_rows_refuse_the_file_unless_skipped() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = category_csv(
        dir.path(),
        "bad.csv",
        "*action,name,relativePath,userJoinPolicy",
        &["1,Fine,,".into(), "1,Joins,,1".into(), "1,,Fine,".into()],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(categories(&h).is_empty(), "nothing sent: {}", text(&out));

    let out = run(submit_cmd(&h, &[file.to_str().unwrap(), "--skip-invalid"]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let all = categories(&h);
    assert_eq!(all.len(), 1, "only the valid row: {all:?}");
    let (_, rows) = results_csv(&dir.path().join("bad.csv.results.csv"));
    assert_eq!(rows[0][4], "2");
    assert_eq!(rows[1][4], "1");
    assert!(rows[1][7].contains("userJoinPolicy"), "{:?}", rows[1]);
    assert!(
        rows[2][7].starts_with("Mandatory Column [name] missing from CSV."),
        "the engine's words: {:?}",
        rows[2]
    );
}

#[test]
fn the_sandbox_refuses_what_kaltura_refuses() {
    let h = sandbox(FaultConfig::default());
    let r = api(
        &h,
        "category",
        "add",
        json!({"category": {"objectType": "KalturaCategory", "name": "A", "userJoinPolicy": 1}}),
    );
    assert_eq!(r["code"], "PROPERTY_VALIDATION_NOT_UPDATABLE");
    let r = api(&h, "category", "add", json!({"category": {"name": "a>b"}}));
    assert_eq!(r["code"], "CATEGORY_NAME_CONTAINS_INVALID_CHARS");
    let r = api(
        &h,
        "category",
        "add",
        json!({"category": {"name": "A", "privacy": 9}}),
    );
    assert_eq!(r["code"], "INVALID_ENUM_VALUE");
    let r = api(
        &h,
        "category",
        "add",
        json!({"category": {"name": "A", "parentId": 5}}),
    );
    assert_eq!(r["code"], "CATEGORY_NOT_FOUND");
    let a = add(&h, "A", 0, "");
    let r = api(&h, "category", "add", json!({"category": {"name": "A"}}));
    assert_eq!(r["code"], "DUPLICATE_CATEGORY");
    let b = add(&h, "B", a, "");
    let r = api(
        &h,
        "category",
        "update",
        json!({"id": a, "category": {"parentId": b}}),
    );
    assert_eq!(r["code"], "CANNOT_SET_PARENT_CATEGORY_TO_CHILD");
    let r = api(
        &h,
        "category",
        "update",
        json!({"id": a, "category": {"name": "A2"}}),
    );
    assert_eq!(r["fullName"], "A2");
    let child = api(&h, "category", "get", json!({"id": b}));
    assert_eq!(child["fullName"], "A2>B", "the subtree follows a rename");
    let listed = api(
        &h,
        "category",
        "list",
        json!({"filter": {"objectType": "KalturaCategoryFilter", "fullNameIn": "A2>B,X"}}),
    );
    assert_eq!(listed["totalCount"], 1);
}

/// `n` categories: one root per 10 rows, listed *after* the children that name it.
pub fn generated_categories(n: usize, prefix: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            let group = i / 10;
            if i % 10 == 9 || i == n - 1 {
                format!("1,{prefix}root-{group},")
            } else {
                format!("1,{prefix}c-{i},{prefix}root-{group}")
            }
        })
        .collect()
}

/// Asserts each generated category exists once, under its root.
#[track_caller]
pub fn assert_tree(h: &SandboxHandle, n: usize, prefix: &str, ctx: &str) {
    let all = categories(h);
    assert_eq!(all.len(), n, "{ctx}: one category per row, no duplicate");
    let names = count_by(&all, "fullName");
    for i in 0..n {
        let group = i / 10;
        let root = format!("{prefix}root-{group}");
        let full = if i % 10 == 9 || i == n - 1 {
            root.clone()
        } else {
            format!("{root}>{prefix}c-{i}")
        };
        assert_eq!(names.get(&full), Some(&1), "{ctx}: {full} exactly once");
        if full != root {
            let c = by_full_name(&all, &full).unwrap();
            let r = by_full_name(&all, &root).unwrap();
            assert_eq!(c["parentId"], r["id"], "{ctx}: {full} under its root");
        }
    }
}

#[test]
fn a_tree_under_faults_is_made_exactly_once() {
    const ROWS: usize = 600;
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = category_csv(
        dir.path(),
        "tree.csv",
        "*action,name,relativePath",
        &generated_categories(ROWS, "f-"),
    );
    h.set_faults(FaultConfig {
        seed: 7,
        latency: Duration::from_millis(1),
        fail_rate: 0.10,
        drop_rate: 0.05,
        ..FaultConfig::default()
    })
    .unwrap();
    let out = run(submit_cmd(
        &h,
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
    assert_eq!(
        stats.calls["category.add"], ROWS as u64,
        "one add executed per row: dropped adds were adopted, never re-sent"
    );
    assert_tree(&h, ROWS, "f-", "faults");
}
