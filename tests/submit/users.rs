//! Users end to end: add, add-or-update by userId, update, delete, group membership (the group
//! made when it does not exist, a leading `-` removing the membership), the API's errors, and a
//! resume that sends nothing.
use std::time::Duration;

use kbulk::sandbox::FaultConfig;
use serde_json::{Value, json};

use super::categories::category_csv;
use super::*;

const HEADER: &str = "*action,userId,screenName,firstName,email,group,gender,dateOfBirth";

fn users(h: &SandboxHandle) -> Vec<Value> {
    list_all(h, "user")
}

fn members(h: &SandboxHandle, group: &str) -> Vec<String> {
    let r = api(
        h,
        "groupUser",
        "list",
        json!({"filter": {"objectType": "KalturaGroupUserFilter", "groupIdEqual": group},
               "pager": {"pageSize": 500}}),
    );
    let mut m: Vec<String> = r["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["userId"].as_str().unwrap().to_string())
        .collect();
    m.sort();
    m
}

#[test]
fn every_action_and_group_membership_end_to_end() {
    let h = sandbox(FaultConfig::default());
    for (id, ty) in [("existing", 0), ("frank", 0), ("staff", 1)] {
        let r = api(
            &h,
            "user",
            "add",
            json!({"user": {"objectType": "KalturaUser", "id": id, "type": ty}}),
        );
        assert_eq!(r["id"], id, "{r}");
    }
    let r = api(
        &h,
        "groupUser",
        "add",
        json!({"groupUser": {"objectType": "KalturaGroupUser", "userId": "frank", "groupId": "staff"}}),
    );
    assert_eq!(r["groupId"], "staff", "{r}");
    let dir = tempfile::tempdir().unwrap();
    let file = category_csv(
        dir.path(),
        "users.csv",
        HEADER,
        &[
            "1,alice,Alice,Alice,alice@example.com,teachers,2,1990-04-01".into(),
            "1,bob,Bob,Bob,,teachers,,".into(),
            "6,existing,Existing again,,,,,".into(),
            "6,carol,Carol,,,,,".into(),
            "2,frank,Frank,,,-staff,,".into(),
            "1,frank,,,,,,".into(),
            "2,ghost,Ghost,,,,,".into(),
            "3,carol,,,,,,".into(),
        ],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "rows failed: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("8 rows: 6 done, 2 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let all = users(&h);
    let by_id = |id: &str| all.iter().find(|u| u["id"] == id).cloned();
    let alice = by_id("alice").expect("added");
    assert_eq!(alice["gender"], 2);
    assert_eq!(
        alice["dateOfBirth"], 638_928_000,
        "1990-04-01 as midnight UTC"
    );
    assert_eq!(alice["email"], "alice@example.com");
    assert_eq!(by_id("teachers").expect("group made")["type"], 1);
    assert_eq!(members(&h, "teachers"), ["alice", "bob"]);
    assert_eq!(by_id("existing").unwrap()["screenName"], "Existing again");
    assert_eq!(by_id("frank").unwrap()["screenName"], "Frank");
    assert!(members(&h, "staff").is_empty(), "`-staff` removed frank");
    assert!(
        by_id("carol").is_none(),
        "added, then deleted in file order"
    );

    let (_, rows) = results_csv(&dir.path().join("users.csv.results.csv"));
    let statuses: Vec<&str> = rows.iter().map(|r| r[8].as_str()).collect();
    assert_eq!(statuses, ["2", "2", "2", "2", "2", "1", "1", "2"]);
    assert_eq!(rows[0][9], "alice");
    assert_eq!(rows[5][10], "DUPLICATE_USER_BY_ID");
    assert_eq!(rows[5][11], "User with id [frank] already exists in system");
    assert_eq!(rows[6][10], "INVALID_USER_ID", "the server's own error");

    let requests = h.stats().requests;
    let again = run(submit_cmd(&h, &[file.to_str().unwrap(), "--resume"]));
    assert_eq!(code(&again), 1, "{}", text(&again));
    assert_eq!(h.stats().requests, requests, "nothing left to send");
    let (_, rows2) = results_csv(&dir.path().join("users.csv.results.csv"));
    assert_eq!(rows2, rows);
}

#[test]
fn users_under_faults_are_made_once_with_their_groups() {
    const ROWS: usize = 300;
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (0..ROWS)
        .map(|i| format!("6,u{i},User {i},,,g{},,", i % 3))
        .collect();
    let file = category_csv(dir.path(), "many.csv", HEADER, &rows);
    h.set_faults(FaultConfig {
        seed: 11,
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
    h.set_faults(FaultConfig::default()).unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    let all = users(&h);
    assert_eq!(all.len(), ROWS + 3, "every user once, and the three groups");
    let ids = count_by(&all, "id");
    assert!(ids.values().all(|n| *n == 1), "no duplicate");
    for g in 0..3 {
        assert_eq!(members(&h, &format!("g{g}")).len(), ROWS / 3, "group g{g}");
    }
}

#[test]
fn a_results_dir_that_does_not_exist_yet_is_made_before_anything_is_sent() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = category_csv(
        dir.path(),
        "users.csv",
        HEADER,
        &["1,alice,Alice,Alice,alice@example.com,,2,1990-04-01".into()],
    );
    let results = dir.path().join("out/nested");
    let mut cmd = submit_cmd(&h, &[file.to_str().unwrap()]);
    cmd.arg("--results-dir").arg(&results);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let csv = std::fs::read_to_string(results.join("users.csv.results.csv"))
        .expect("the results file is in the new directory");
    assert!(
        csv.lines().nth(1).is_some_and(|l| l.contains("alice")),
        "{csv}"
    );
    assert_eq!(users(&h).len(), 1);

    // A results dir that cannot be made (a file is in the way) stops the run before any call.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let other = category_csv(
        dir.path(),
        "more.csv",
        HEADER,
        &["1,bob,Bob,Bob,,,,".into()],
    );
    let mut cmd = submit_cmd(&h, &[other.to_str().unwrap()]);
    cmd.arg("--results-dir").arg(blocked.join("sub"));
    let out = run(cmd);
    assert_ne!(code(&out), 0, "{}", text(&out));
    assert_eq!(users(&h).len(), 1, "nothing was sent");
    assert!(
        !dir.path().join("more.csv.kbulk-journal").exists(),
        "no journal is left behind"
    );
}
