//! Faults: 10,000 resources under 10 % HTTP 503, 5 % drop-after-commit and added latency end with
//! every row done exactly once; an add without a natural key whose answer is lost is never
//! re-sent; an add whose outcome stays unknown is left in doubt and adopted on resume.
use std::time::Duration;

use kbulk::sandbox::FaultConfig;
use kbulk::submit::{self, RowStatus};

use super::*;

#[test]
fn ten_thousand_resources_under_faults_all_done_exactly_once() {
    const ROWS: usize = 10_000;
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "big.csv", &generated_rows(ROWS, "f-"));
    let inputs = checked(&[&file]);
    assert!(inputs[0].refused.is_empty(), "{:?}", inputs[0].refused);
    h.set_faults(FaultConfig {
        seed: 42,
        latency: Duration::from_millis(1),
        fail_rate: 0.10,
        drop_rate: 0.05,
        ..FaultConfig::default()
    })
    .unwrap();
    let opts = options(&h, dir.path().join("big.journal"));
    let mut reports = 0u64;
    let result = submit::submit(&inputs, &opts, &mut |_| reports += 1).expect("submission runs");
    let stats = h.stats();
    h.set_faults(FaultConfig::default()).unwrap();

    assert!(stats.failed > 20, "503s happened: {}", stats.failed);
    assert!(stats.dropped > 10, "drops happened: {}", stats.dropped);
    assert_eq!(result.counts(), (ROWS as u64, 0, 0), "every row done");
    assert!(
        result.inputs[0]
            .rows
            .values()
            .all(|r| r.status == RowStatus::Ok && r.object_id.is_some())
    );
    assert_eq!(
        stats.calls["schedule_scheduleresource.add"], ROWS as u64,
        "exactly one add executed per row: dropped adds were adopted, never re-sent"
    );
    assert!(reports > 10, "progress was reported");
    assert_exactly_once(&h, ROWS, "f-");
    assert_parents(&h, "f-");
}

#[test]
fn an_unidentifiable_add_is_never_resent() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "nokey.csv",
        &["1,No system name,location,,,,,".into()],
    );
    h.set_faults(FaultConfig {
        drop_rate: 1.0,
        ..FaultConfig::default()
    })
    .unwrap();
    let out = run(submit_cmd(
        &h,
        &[file.to_str().unwrap(), "--retry-delay-ms", "1"],
    ));
    h.set_faults(FaultConfig::default()).unwrap();
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(adds(&h), 1, "sent once");
    assert_eq!(all_resources(&h).1, 1, "applied once, not duplicated");
    let (_, rows) = results_csv(&dir.path().join("nokey.csv.results.csv"));
    assert_eq!(rows[0][8], "1");
    assert_eq!(rows[0][10], "OUTCOME_UNKNOWN");
    assert!(
        rows[0][11].contains("does not send it again"),
        "{}",
        rows[0][11]
    );
}

#[test]
fn lost_answers_to_an_update_leave_the_row_unfinished_until_resume() {
    let h = sandbox(FaultConfig::default());
    let created = api(
        &h,
        "schedule_scheduleresource",
        "add",
        serde_json::json!({"scheduleResource": {"objectType": "KalturaLocationScheduleResource", "name": "Old"}}),
    );
    let id = created["id"].to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("upd.csv");
    std::fs::write(&file, format!("*action,resourceId,name\n2,{id},New name\n")).unwrap();
    h.set_faults(FaultConfig {
        drop_rate: 1.0,
        ..FaultConfig::default()
    })
    .unwrap();
    let path = file.to_str().unwrap();
    let out = run(submit_cmd(
        &h,
        &[path, "--retries", "2", "--retry-delay-ms", "1"],
    ));
    assert_eq!(code(&out), 3, "incomplete: {}", text(&out));
    assert_eq!(
        h.stats().calls["schedule_scheduleresource.update"],
        3,
        "an update by id is idempotent: re-sent as is, 1 + 2 retries"
    );
    let (_, rows) = results_csv(&dir.path().join("upd.csv.results.csv"));
    assert_eq!(rows[0][3], "3", "not finished");
    assert!(rows[0][6].contains("--resume"), "{}", rows[0][6]);

    h.set_faults(FaultConfig::default()).unwrap();
    let out = run(submit_cmd(&h, &[path, "--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (list, _) = all_resources(&h);
    assert_eq!(list[0]["name"], "New name");
    let (_, rows) = results_csv(&dir.path().join("upd.csv.results.csv"));
    assert_eq!(
        (rows[0][3].as_str(), rows[0][4].as_str()),
        ("2", id.as_str())
    );
}

/// A journal as a run killed right after sending row 1 leaves it.
fn journal_in_doubt(file: &Path, journal: &Path) {
    use kbulk::submit::journal::{Journal, Mark, RowId};
    let sha = kbulk::submit::preflight::sha256_file(file).unwrap();
    let mut j = Journal::open(journal).unwrap();
    let input = j.add_input(file, &sha).unwrap();
    let row = RowId { input, row: 1 };
    j.add_rows(&[row]).unwrap();
    j.apply(&[(
        row,
        Mark::Sent {
            action: "add".into(),
        },
    )])
    .unwrap();
}

#[test]
fn rows_left_in_doubt_are_looked_up_on_resume() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    // The add reached the server before the crash: adopted, not added again.
    let applied = csv(
        dir.path(),
        "applied.csv",
        &["1,Keyed,camera,keyed-1,,,,".into()],
    );
    journal_in_doubt(&applied, &dir.path().join("applied.csv.kbulk-journal"));
    let id = api(
        &h,
        "schedule_scheduleresource",
        "add",
        serde_json::json!({"scheduleResource": {"objectType": "KalturaCameraScheduleResource",
            "name": "Keyed", "systemName": "keyed-1"}}),
    )["id"]
        .to_string();
    let out = run(submit_cmd(&h, &[applied.to_str().unwrap(), "--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(adds(&h), 1, "looked up and adopted");
    let (_, rows) = results_csv(&dir.path().join("applied.csv.results.csv"));
    assert_eq!(
        (rows[0][8].as_str(), rows[0][9].as_str()),
        ("2", id.as_str())
    );

    // It never arrived: sent now, once.
    let lost = csv(dir.path(), "lost.csv", &["1,Lost,camera,lost-1,,,,".into()]);
    journal_in_doubt(&lost, &dir.path().join("lost.csv.kbulk-journal"));
    let out = run(submit_cmd(&h, &[lost.to_str().unwrap(), "--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(adds(&h), 2);
    assert_eq!(by_system_name(&all_resources(&h).0).get("lost-1"), Some(&1));

    // No key: cannot be looked up, so it is reported, not re-sent.
    let nokey = csv(dir.path(), "nokey2.csv", &["1,Nameless,camera,,,,,".into()]);
    journal_in_doubt(&nokey, &dir.path().join("nokey2.csv.kbulk-journal"));
    let out = run(submit_cmd(&h, &[nokey.to_str().unwrap(), "--resume"]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(adds(&h), 2, "not re-sent");
    let (_, rows) = results_csv(&dir.path().join("nokey2.csv.results.csv"));
    assert_eq!(rows[0][10], "OUTCOME_UNKNOWN");
}
