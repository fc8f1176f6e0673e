//! Schedule resources end to end: every action, parents before children whatever the file order,
//! server-parity failures, refusal and `--skip-invalid`, dry runs, JSON Lines in and out, and a
//! resume that has nothing left to do.
use kbulk::sandbox::FaultConfig;
use serde_json::{Value, json};

use super::*;

fn add(h: &SandboxHandle, class: &str, system_name: &str, parent: i64) -> i64 {
    let r = api(
        h,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": class, "name": format!("pre {system_name}"),
               "systemName": system_name, "parentId": parent}}),
    );
    r["id"].as_i64().unwrap_or_else(|| panic!("added: {r}"))
}

fn find(list: &[Value], system_name: &str) -> Option<Value> {
    list.iter()
        .find(|r| r["systemName"] == system_name)
        .cloned()
}

#[test]
fn every_action_end_to_end() {
    let h = sandbox(FaultConfig::default());
    let existing = add(&h, "KalturaLocationScheduleResource", "existing-loc", 0);
    add(&h, "KalturaLocationScheduleResource", "will-upsert", 0);
    add(&h, "KalturaCameraScheduleResource", "old-cam", 0);
    add(&h, "KalturaCameraScheduleResource", "doomed", 0);
    let adds_before = adds(&h);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "all.csv",
        &[
            "1,Room,camera,cam-1,a room camera,\"t1,t2\",location,bldg".into(),
            "1,Building,location,bldg,,,,".into(),
            "6,Upserted,location,will-upsert,new description,,,".into(),
            "6,Fresh,location,fresh-loc,,,location,existing-loc".into(),
            "2,Renamed camera,camera,old-cam,,,,".into(),
            "3,,camera,doomed,,,,".into(),
            "1,Again,location,existing-loc,,,,".into(),
            "2,Ghost,camera,ghost,,,,".into(),
            "1,Orphan,camera,orphan-cam,,,location,nowhere".into(),
        ],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "rows failed on the server: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("9 rows: 6 done, 3 failed, 0 unfinished"),
        "{}",
        text(&out)
    );

    let (list, total) = all_resources(&h);
    assert_eq!(total, 6, "4 existing + cam-1 + bldg + fresh-loc - doomed");
    let bldg = find(&list, "bldg").expect("parent created");
    let cam = find(&list, "cam-1").expect("child created");
    assert_eq!(
        cam["parentId"], bldg["id"],
        "the child points at its parent"
    );
    assert_eq!(cam["tags"], "t1,t2");
    assert_eq!(cam["objectType"], "KalturaCameraScheduleResource");
    let fresh = find(&list, "fresh-loc").expect("upsert added");
    assert_eq!(fresh["parentId"], existing, "parent resolved by name");
    let upserted = find(&list, "will-upsert").expect("upsert updated");
    assert_eq!(upserted["name"], "Upserted");
    assert_eq!(upserted["description"], "new description");
    assert_eq!(find(&list, "old-cam").unwrap()["name"], "Renamed camera");
    assert!(find(&list, "doomed").is_none(), "deleted by name");
    assert!(find(&list, "orphan-cam").is_none());
    assert_eq!(
        adds(&h) - adds_before,
        3,
        "one add per new resource, none refused by the server"
    );

    let (header, rows) = results_csv(&dir.path().join("all.csv.results.csv"));
    assert_eq!(
        header,
        [
            "*action",
            "name",
            "type",
            "systemName",
            "description",
            "tags",
            "parentType",
            "parentSystemName",
            "resultStatus",
            "objectId",
            "objectStatus",
            "errorDescription",
            "warnings"
        ],
        "the input's header as written, so the results file can be submitted again"
    );
    assert_eq!(rows.len(), 9, "one result per data row");
    let statuses: Vec<&str> = rows.iter().map(|r| r[8].as_str()).collect();
    assert_eq!(statuses, ["2", "2", "2", "2", "2", "2", "1", "1", "1"]);
    assert_eq!(rows[0][5], "t1,t2", "original cells echoed");
    assert_eq!(rows[0][9], cam["id"].to_string());
    assert_eq!(rows[1][9], bldg["id"].to_string());
    assert_eq!(rows[6][10], "SYSTEM_NAME_ALREADY_EXISTS");
    assert_eq!(rows[6][11], "System name [existing-loc] already exists");
    assert_eq!(rows[7][11], "Unable to find camera resource [ghost]");
    assert_eq!(
        rows[8][11],
        "Unable to find parent location resource [nowhere]"
    );
    // A done row with a warning: the warning has its own column, errorDescription stays empty.
    assert_eq!(rows[3][8], "2");
    assert_eq!(
        rows[3][11], "",
        "no note in a successful row's errorDescription"
    );
    assert!(
        rows[3][12].starts_with("resource::parent-after-child: "),
        "{:?}",
        rows[3]
    );
    assert_eq!(
        rows[4][12], "",
        "a row without findings has an empty warnings cell"
    );

    // Resuming a finished run sends nothing and reports the same.
    let requests = h.stats().requests;
    let again = run(submit_cmd(&h, &[file.to_str().unwrap(), "--resume"]));
    assert_eq!(code(&again), 1, "{}", text(&again));
    assert_eq!(h.stats().requests, requests, "nothing left to send");
    let (_, rows2) = results_csv(&dir.path().join("all.csv.results.csv"));
    assert_eq!(rows2, rows);

    // Without --resume an existing journal is not overwritten.
    let refused = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&refused), 2);
    assert!(
        text(&refused).contains("already exists"),
        "{}",
        text(&refused)
    );
}

#[test]
fn a_results_file_can_be_submitted_again_as_it_is() {
    let h = sandbox(FaultConfig::default());
    add(&h, "KalturaLocationScheduleResource", "site", 0);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "first.csv",
        &[
            "1,Hall,location,hall,,,,".into(),
            "6,Site,location,site,renamed once,,,".into(),
            "1,Cam,camera,hall-cam,,,location,hall".into(),
        ],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let results = dir.path().join("first.csv.results.csv");
    let (list, total) = all_resources(&h);
    assert_eq!(total, 3);
    let adds_before = adds(&h);

    // The results file itself: the same rows, with the result columns as unknown columns.
    let again = run(submit_cmd(&h, &[results.to_str().unwrap()]));
    let (header, rows) = results_csv(&dir.path().join("first.csv.results.csv.results.csv"));
    assert_eq!(header[0], "*action", "{}", text(&again));
    assert_eq!(rows.len(), 3, "every row read again: {}", text(&again));
    // Adds of what now exists fail as the server fails them; the upsert is an update.
    assert_eq!(code(&again), 1, "{}", text(&again));
    let statuses: Vec<&str> = rows.iter().map(|r| r[13].as_str()).collect();
    assert_eq!(statuses, ["1", "2", "1"], "{rows:?}");
    assert_eq!(rows[0][15], "SYSTEM_NAME_ALREADY_EXISTS");
    assert_eq!(
        rows[1][14],
        find(&list, "site").unwrap()["id"].to_string(),
        "the upsert found the same object"
    );
    assert_eq!(adds(&h), adds_before, "nothing added twice");
    assert_eq!(all_resources(&h).1, 3);
}

#[test]
fn invalid_rows_refuse_the_submission_unless_skipped() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "bad.csv",
        &[
            "1,Good,location,good-1,,,,".into(),
            "1,Bad,projector,bad-1,,,,".into(),
            "1,Good too,camera,good-2,,,,".into(),
        ],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 1);
    assert!(
        text(&out).contains("nothing was submitted"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("projector"),
        "the finding is shown: {}",
        text(&out)
    );
    assert_eq!(all_resources(&h).1, 0);
    assert!(!dir.path().join("bad.csv.kbulk-journal").exists());

    let out = run(submit_cmd(&h, &[file.to_str().unwrap(), "--skip-invalid"]));
    assert_eq!(
        code(&out),
        1,
        "a skipped row is a data problem: {}",
        text(&out)
    );
    let (list, total) = all_resources(&h);
    assert_eq!(total, 2);
    assert!(find(&list, "bad-1").is_none());
    let (_, rows) = results_csv(&dir.path().join("bad.csv.results.csv"));
    assert_eq!(rows[1][8], "1");
    assert_eq!(rows[1][10], "REFUSED");
    assert!(
        rows[1][11].contains("Wrong value passed for property type [projector]"),
        "the server's own message: {}",
        rows[1][11]
    );
    assert_eq!((rows[0][8].as_str(), rows[2][8].as_str()), ("2", "2"));
}

#[test]
fn dry_run_plans_waves_and_changes_nothing() {
    let h = sandbox(FaultConfig::default());
    add(&h, "KalturaLocationScheduleResource", "there", 0);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "plan.csv",
        &[
            "1,Child,camera,child,,,location,parent".into(),
            "1,Parent,location,parent,,,,".into(),
            "6,There,location,there,,,,".into(),
        ],
    );
    let before = h.stats();
    let out = run(submit_cmd(
        &h,
        &[file.to_str().unwrap(), "--dry-run", "--format", "json"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let calls: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(calls.len(), 3);
    let by_row = |row: u64| calls.iter().find(|c| c["row"] == row).unwrap().clone();
    assert_eq!(by_row(2)["wave"], 0);
    assert_eq!(by_row(1)["wave"], 1, "the child waits for its parent");
    assert_eq!(
        by_row(1)["params"]["scheduleResource"]["parentId"],
        "{row 2}"
    );
    assert_eq!(
        by_row(3)["action"],
        "update",
        "action 6 on an existing name"
    );
    assert_eq!(by_row(3)["call"], "update");
    let after = h.stats();
    assert_eq!(after.objects, before.objects, "nothing created");
    assert!(
        after
            .calls
            .keys()
            .all(|k| !k.ends_with(".add") || before.calls.get(k) == after.calls.get(k)),
        "no write call: {:?}",
        after.calls
    );
    assert!(!dir.path().join("plan.csv.kbulk-journal").exists());
    assert!(!dir.path().join("plan.csv.results.csv").exists());
}

#[test]
fn json_lines_in_and_out() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.jsonl");
    std::fs::write(
        &file,
        [
            json!({"kind": "scheduleResource", "action": "add", "name": "Cam", "type": "camera",
                   "systemName": "j-cam", "parentType": "location", "parentSystemName": "j-loc"}),
            json!({"kind": "scheduleResource", "action": "add", "name": "Loc", "type": "location",
                   "systemName": "j-loc"}),
        ]
        .iter()
        .map(|v| format!("{v}\n"))
        .collect::<String>(),
    )
    .unwrap();
    let out = run(submit_cmd(
        &h,
        &[file.to_str().unwrap(), "--format", "json"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let rows: Vec<kbulk::submit::results::JsonRow> = lines[..2]
        .iter()
        .map(|v| serde_json::from_value(v.clone()).expect("row object"))
        .collect();
    assert!(
        rows.iter()
            .all(|r| r.status == "ok" && r.result_status == 2)
    );
    let summary = &lines[2];
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["done"], 2);
    assert_eq!(summary["exit_code"], 0);
    let (list, _) = all_resources(&h);
    let loc = find(&list, "j-loc").unwrap();
    assert_eq!(find(&list, "j-cam").unwrap()["parentId"], loc["id"]);
    assert_eq!(
        rows[1].object_id.as_deref(),
        Some(loc["id"].to_string().as_str())
    );
    let (header, csv_rows) = results_csv(&dir.path().join("r.jsonl.results.csv"));
    assert_eq!(header[0], "record");
    assert!(
        csv_rows[0][0].contains("\"j-cam\""),
        "the raw line is echoed"
    );
}

#[test]
fn text_that_reads_like_a_placeholder_is_kept_verbatim() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "ph.csv",
        &[
            "1,Plain,location,plain-1,,,,".into(),
            "1,Tricky,location,tricky-1,see {1:result:id} here,,,".into(),
            "1,Plain,location,plain-2,,,,".into(),
        ],
    );
    let out = run(submit_cmd(&h, &[file.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let (list, _) = all_resources(&h);
    assert_eq!(
        find(&list, "tricky-1").unwrap()["description"],
        "see {1:result:id} here",
        "not replaced by another call's result"
    );
}

#[test]
fn help_teaches_options_environment_examples_and_exit_codes() {
    let out = crate::common::kbulk(["submit", "--help"]);
    assert_eq!(crate::common::code(&out), 0);
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--service-url",
        "--batch-size",
        "--concurrency",
        "--resume",
        "--skip-invalid",
        "--dry-run",
        "KALTURA_SERVICE_URL",
        "KALTURA_APP_TOKEN_ID",
        "KALTURA_ADMIN_SECRET",
        "Examples:",
        "3 submission incomplete",
    ] {
        assert!(help.contains(needle), "--help mentions {needle}:\n{help}");
    }
}
