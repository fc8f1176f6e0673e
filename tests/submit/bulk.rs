//! `kbulk submit --via bulk` against the sandbox running kbulk's model of the resource engine on
//! its background worker: the same file ends with the same objects as `--via api`, rows the
//! engine rejects or drops silently are reported as such, a kill while a job runs resumes by
//! polling it (no second job), and a job that fails as a whole is reported and re-sent by
//! `--resume`.
use std::process::Stdio;
use std::time::{Duration, Instant};

use kbulk::sandbox::{BulkConfig, BulkFault};

use super::*;

/// A sandbox whose bulk worker runs kbulk's engine model, with short steps.
pub(super) fn bulk_sandbox(step_ms: u64, fault: BulkFault) -> SandboxHandle {
    bulk_sandbox_with(step_ms, fault, FaultConfig::default())
}

/// The same, with HTTP faults on every API request.
fn bulk_sandbox_with(step_ms: u64, fault: BulkFault, faults: FaultConfig) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        app_tokens: crate::sandbox::app_tokens(),
        faults,
        bulk: BulkConfig {
            step: Duration::from_millis(step_ms),
            fault,
            ..kbulk::bulkmodel::sandbox_config()
        },
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

/// `kbulk submit --via bulk` with fast polling and `extra` arguments.
pub(super) fn bulk_cmd(h: &SandboxHandle, path: &str, extra: &[&str]) -> Command {
    let mut args = vec![
        path,
        "--via",
        "bulk",
        "--poll-interval-ms",
        "10",
        "--poll-max-ms",
        "50",
        "--retry-delay-ms",
        "5",
    ];
    args.extend_from_slice(extra);
    submit_cmd(h, &args)
}

/// How many bulk jobs the sandbox holds.
pub(super) fn job_count(h: &SandboxHandle) -> usize {
    api(
        h,
        "bulkupload_bulk",
        "list",
        json!({"pager": {"pageSize": 500}}),
    )["objects"]
        .as_array()
        .map_or(0, Vec::len)
}

/// Every resource as (systemName, type, name, parent's systemName), sorted.
fn shape(h: &SandboxHandle) -> Vec<(String, String, String, String)> {
    let (list, _) = all_resources(h);
    let names: HashMap<i64, String> = list
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["systemName"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut out: Vec<_> = list
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            let parent = r["parentId"]
                .as_i64()
                .and_then(|p| names.get(&p).cloned())
                .unwrap_or_default();
            (s("systemName"), s("objectType"), s("name"), parent)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn bulk_and_api_routes_end_with_the_same_objects_and_results() {
    let dir = tempfile::tempdir().unwrap();
    // Cameras listed before the building they name: the bulk route must order the jobs.
    let rows = generated_rows(250, "v-");
    let api_file = csv(dir.path(), "api.csv", &rows);
    let bulk_file = csv(dir.path(), "bulk.csv", &rows);

    let a = sandbox(FaultConfig::default());
    let out = run(submit_cmd(&a, &[api_file.to_str().unwrap()]));
    assert_eq!(code(&out), 0, "{}", text(&out));

    let b = bulk_sandbox(5, BulkFault::None);
    let out = run(bulk_cmd(
        &b,
        bulk_file.to_str().unwrap(),
        &["--max-records", "100"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("250 done, 0 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("parentSystemName v-loc-0 taken out"),
        "says what it rewrote: {stderr}"
    );
    assert_exactly_once(&b, 250, "v-");
    assert_parents(&b, "v-");
    assert_eq!(shape(&a), shape(&b), "same objects on both servers");
    assert!(job_count(&b) >= 3, "at most 100 rows per job");
    assert_eq!(adds(&b), 250, "the engine added each row once");

    let (ha, ra) = results_csv(&dir.path().join("api.csv.results.csv"));
    let (hb, rb) = results_csv(&dir.path().join("bulk.csv.results.csv"));
    assert_eq!(ha, hb, "same results columns");
    assert_eq!(ra.len(), rb.len());
    let status = ha.iter().position(|c| c == "resultStatus").unwrap();
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(x[..status], y[..status], "same input cells");
        assert_eq!(x[status], y[status], "same status");
        assert_eq!(x[status + 2], y[status + 2], "same objectStatus");
        assert!(
            !y[status + 4].contains("lookup-crash"),
            "the route rewrote what crashes the engine: {y:?}"
        );
    }
}

#[test]
fn engine_rejected_and_silently_dropped_rows_are_reported() {
    let h = bulk_sandbox(5, BulkFault::None);
    let dir = tempfile::tempdir().unwrap();
    let taken = api(
        &h,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": "KalturaLocationScheduleResource",
               "name": "Taken", "systemName": "taken"}}),
    );
    assert!(taken["id"].is_i64(), "{taken}");
    let file = csv(
        dir.path(),
        "mixed.csv",
        &[
            "1,Fine,location,fine,,,,".into(),
            "1,Again,location,taken,,,,".into(),
            "add,Dropped,location,,,,,".into(),
            "1,Also fine,camera,cam,,,,".into(),
        ],
    );
    let path = file.to_str().unwrap();
    let out = run(bulk_cmd(&h, path, &[]));
    assert_eq!(
        code(&out),
        1,
        "the unknown action is refused: {}",
        text(&out)
    );
    assert_eq!(job_count(&h), 0, "nothing sent");

    let out = run(bulk_cmd(&h, path, &["--force"]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let (header, rows) = results_csv(&dir.path().join("mixed.csv.results.csv"));
    assert_eq!(rows.len(), 4, "one row per input row");
    let col = |n: &str| header.iter().position(|c| c == n).unwrap();
    let (status, object_status, error) = (
        col("resultStatus"),
        col("objectStatus"),
        col("errorDescription"),
    );
    assert_eq!(rows[0][status], "2");
    assert_eq!(rows[1][status], "1");
    assert_eq!(rows[1][object_status], "SYSTEM_NAME_ALREADY_EXISTS");
    assert_eq!(rows[1][error], "System name [taken] already exists");
    assert_eq!(rows[2][status], "1");
    assert_eq!(rows[2][object_status], "NO_RESULT");
    assert!(rows[2][error].contains("dropped silently"), "{:?}", rows[2]);
    assert_eq!(rows[3][status], "2");
}

#[test]
fn a_kill_while_the_job_runs_resumes_by_polling_it() {
    // Steps of 300 ms: the job takes seconds, the kill lands while kbulk polls.
    let h = bulk_sandbox(300, BulkFault::None);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "kill.csv", &generated_rows(120, "k-"));
    let path = file.to_str().unwrap();
    let mut cmd = bulk_cmd(&h, path, &[]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = cmd.spawn().expect("kbulk starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while job_count(&h) == 0 && Instant::now() < deadline {
        assert!(child.try_wait().unwrap().is_none(), "still running");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(child.try_wait().unwrap().is_none(), "killed while polling");
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert_eq!(job_count(&h), 1);

    let out = run(bulk_cmd(&h, path, &["--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("120 done, 0 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    // The first job was polled, not started again; the children went in a second job.
    assert_eq!(job_count(&h), 2, "{}", text(&out));
    assert_exactly_once(&h, 120, "k-");
    assert_parents(&h, "k-");
}

#[test]
fn a_job_failed_as_a_whole_is_reported_and_resume_sends_its_rows_again() {
    let h = bulk_sandbox(5, BulkFault::Fail);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "fail.csv",
        &[
            "1,One,location,one,,,,".into(),
            "1,Two,camera,two,,,,".into(),
        ],
    );
    let path = file.to_str().unwrap();
    let out = run(bulk_cmd(&h, path, &[]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let (header, rows) = results_csv(&dir.path().join("fail.csv.results.csv"));
    let col = |n: &str| header.iter().position(|c| c == n).unwrap();
    for r in &rows {
        assert_eq!(r[col("resultStatus")], "1");
        assert_eq!(r[col("objectStatus")], "BULK_JOB_FAILED");
        assert!(
            r[col("errorDescription")].contains("FAILED: Error: Unable to open file"),
            "the server's reason: {r:?}"
        );
    }
    h.set_bulk_fault(BulkFault::None);
    let out = run(bulk_cmd(&h, path, &["--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(
        job_count(&h),
        2,
        "one new job for the rows that did not land"
    );
    let (list, _) = all_resources(&h);
    assert_eq!(list.len(), 2);
}

#[test]
fn formats_the_route_does_not_support_get_a_clear_error() {
    let h = bulk_sandbox(5, BulkFault::None);
    let events = "samples/entries-valid.xml";
    let out = run(bulk_cmd(&h, events, &[]));
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert_eq!(job_count(&h), 0, "nothing sent");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--via bulk supports schedule-resource CSV, schedule-event CSV,"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_job_stuck_in_queued_times_out_and_resume_polls_the_same_job() {
    let h = bulk_sandbox(5, BulkFault::StuckQueued);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "stuck.csv", &["1,One,location,one,,,,".into()]);
    let path = file.to_str().unwrap();
    let out = run(bulk_cmd(&h, path, &["--job-timeout", "1"]));
    assert_eq!(code(&out), 3, "incomplete: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("still QUEUED"),
        "{}",
        text(&out)
    );
    let (header, rows) = results_csv(&dir.path().join("stuck.csv.results.csv"));
    assert_eq!(
        rows[0][header.iter().position(|c| c == "resultStatus").unwrap()],
        "3"
    );
    // The farm frees up: the worker takes the queued job.
    h.set_bulk_fault(BulkFault::None);
    let out = run(bulk_cmd(&h, path, &["--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(job_count(&h), 1, "polled, not started again");
    assert_eq!(all_resources(&h).0.len(), 1);
}

#[test]
fn dropped_polls_are_retried_and_jobs_can_be_inspected() {
    let h = bulk_sandbox(5, BulkFault::DropPolls);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "drops.csv",
        &[
            "1,One,location,one,,,,".into(),
            "1,Two,location,two,,,,".into(),
        ],
    );
    let out = run(bulk_cmd(&h, file.to_str().unwrap(), &[]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(h.stats().dropped > 0, "some polls lost their answer");
    h.set_bulk_fault(BulkFault::None);

    let jobs = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kbulk"));
        cmd.arg("jobs")
            .args(args)
            .env("KALTURA_SERVICE_URL", h.base_url())
            .env("KALTURA_KS", h.admin_ks().unwrap());
        run(cmd)
    };
    let out = jobs(&["list"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("FINISHED") && listed.contains("drops.csv.kbulk-"),
        "{listed}"
    );
    let out = jobs(&["get", "1"]);
    let job: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(job["status"], 5);
    let out = jobs(&["log", "1"]);
    let log = String::from_utf8_lossy(&out.stdout);
    assert_eq!(log.lines().count(), 2, "the results CSV, no header: {log}");
    assert!(log.starts_with("1,,One,location,one,"), "{log}");
}

#[test]
fn a_job_failed_because_every_row_was_rejected_does_not_stop_the_next() {
    let h = bulk_sandbox(5, BulkFault::None);
    let dir = tempfile::tempdir().unwrap();
    api(
        &h,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": "KalturaLocationScheduleResource",
               "name": "Taken", "systemName": "taken"}}),
    );
    let file = csv(
        dir.path(),
        "two.csv",
        &[
            "1,Again,location,taken,,,,".into(),
            "1,New,location,new,,,,".into(),
        ],
    );
    let out = run(bulk_cmd(
        &h,
        file.to_str().unwrap(),
        &["--max-records", "1"],
    ));
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("None of the uploaded items"),
        "{}",
        text(&out)
    );
    assert_eq!(job_count(&h), 2);
    let (header, rows) = results_csv(&dir.path().join("two.csv.results.csv"));
    let status = header.iter().position(|c| c == "resultStatus").unwrap();
    assert_eq!(rows[0][status + 2], "SYSTEM_NAME_ALREADY_EXISTS");
    assert_eq!(rows[1][status], "2");
}

/// A proxy in front of the sandbox that forwards every request, but closes the connection
/// unanswered after forwarding the first `addScheduleResources`: the job starts, its answer is
/// lost. Returns the proxy's base URL.
fn losing_first_start(h: &SandboxHandle) -> String {
    use super::retry_after::{forward, read_request, upstream_of};
    use std::io::{BufReader, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    let upstream = upstream_of(h);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let lost = std::sync::Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let (upstream, lost) = (upstream.clone(), std::sync::Arc::clone(&lost));
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let Some((head, body)) = read_request(&mut reader) else {
                    return;
                };
                let response = forward(&upstream, &head, &body);
                if head[0].contains("addScheduleResources") && !lost.swap(true, Ordering::SeqCst) {
                    return; // applied, answer lost
                }
                let _ = writer.write_all(&response);
            });
        }
    });
    url
}

#[test]
fn a_start_whose_answer_is_lost_is_found_not_repeated() {
    let h = bulk_sandbox(5, BulkFault::None);
    let url = losing_first_start(&h);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "lossy.csv", &generated_rows(150, "l-"));
    let mut cmd = bulk_cmd(&h, file.to_str().unwrap(), &["--max-records", "50"]);
    cmd.env("KALTURA_SERVICE_URL", &url);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let calls = h.stats().calls;
    assert!(
        calls.get("bulkupload_bulk.list").copied().unwrap_or(0) > 0,
        "the lost start was looked for: {calls:?}"
    );
    // Two buildings first, then 148 cameras in jobs of at most 50.
    assert_eq!(job_count(&h), 4, "the lost start was found, not repeated");
    assert_exactly_once(&h, 150, "l-");
    assert_parents(&h, "l-");
}

#[test]
fn lost_answers_everywhere_lose_no_row_and_start_no_second_job() {
    // A third of the answers (job starts, polls, logs, lookups) are applied and then lost.
    let h = bulk_sandbox_with(
        5,
        BulkFault::None,
        FaultConfig {
            seed: 7,
            drop_rate: 0.3,
            ..FaultConfig::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "lossy.csv", &generated_rows(150, "l-"));
    let out = run(bulk_cmd(
        &h,
        file.to_str().unwrap(),
        &["--max-records", "50", "--retries", "10"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(h.stats().dropped > 0);
    h.set_faults(FaultConfig::default()).unwrap();
    assert_eq!(job_count(&h), 4, "no job started twice");
    assert_exactly_once(&h, 150, "l-");
    assert_parents(&h, "l-");
}

#[test]
fn skip_invalid_leaves_refused_rows_out_of_the_jobs() {
    let h = bulk_sandbox(5, BulkFault::None);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "skip.csv",
        &[
            "1,Bad,projector,bad,,,,".into(),
            "1,Good,location,good,,,,".into(),
        ],
    );
    let out = run(bulk_cmd(&h, file.to_str().unwrap(), &["--skip-invalid"]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let (header, rows) = results_csv(&dir.path().join("skip.csv.results.csv"));
    let status = header.iter().position(|c| c == "resultStatus").unwrap();
    assert_eq!(rows[0][status + 2], "REFUSED");
    assert_eq!(rows[1][status], "2");
    let log = api(&h, "bulkupload_bulk", "list", json!({}));
    assert_eq!(
        log["objects"][0]["numOfObjects"], 1,
        "only the valid row was sent"
    );
}

/// Every event as (referenceId, objectType, summary, start, end, status, recurrenceType), sorted.
pub(super) fn event_shape(h: &SandboxHandle) -> Vec<(String, String, String, i64, i64, i64, i64)> {
    let mut out: Vec<_> = super::events::events(h)
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            let n = |k: &str| e[k].as_i64().unwrap_or(-1);
            (
                s("referenceId"),
                s("objectType"),
                s("summary"),
                n("startDate"),
                n("endDate"),
                n("status"),
                n("recurrenceType").max(0),
            )
        })
        .collect();
    out.sort();
    out
}

/// The event `b-old` the iCal fixture renames.
pub(super) fn seed_ical(h: &SandboxHandle) {
    let old = api(
        h,
        "schedule_scheduleevent",
        "add",
        json!({"scheduleEvent": {"objectType": "KalturaLiveStreamScheduleEvent",
               "summary": "old", "startDate": 1_900_000_000, "endDate": 1_900_003_600,
               "referenceId": "b-old"}}),
    );
    assert!(old["id"].is_i64(), "{old}");
}

/// 111 VEVENTs: an update of `b-old`, a series, a repeated UID, a cancel, and more than 100.
pub(super) fn ical_fixture() -> Vec<String> {
    use super::events::vevent;
    let mut events = vec![
        vevent("b-old", "Renamed", 2, ""),
        vevent(
            "b-weekly",
            "Weekly",
            3,
            "RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=3\r\n",
        ),
        vevent("b-1", "First", 4, ""),
        // The same UID again: an update of the event the row above adds, in the next job.
        vevent("b-1", "First again", 5, ""),
        vevent("b-2", "Cancelled", 6, ""),
        vevent("b-2", "Cancelled", 6, "METHOD:CANCEL\r\n"),
    ];
    // More than 100 events: the engine's UID lookup would miss some, and its worker would run
    // the 101st twice; the route cuts jobs of at most 100.
    events.extend((0..105).map(|i| vevent(&format!("b-many-{i}"), "Many", 10 + i % 15, "")));
    events
}

#[test]
fn ical_via_bulk_ends_like_via_api_and_keeps_the_engine_off_its_defects() {
    use super::events::ics;
    let dir = tempfile::tempdir().unwrap();
    let events = ical_fixture();
    let api_file = ics(dir.path(), "api.ics", &events);
    let bulk_file = ics(dir.path(), "bulk.ics", &events);

    let a = sandbox(FaultConfig::default());
    seed_ical(&a);
    let out = run(submit_cmd(
        &a,
        &[api_file.to_str().unwrap(), "--events-type", "live-stream"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));

    let b = bulk_sandbox(5, BulkFault::None);
    seed_ical(&b);
    let out = run(bulk_cmd(
        &b,
        bulk_file.to_str().unwrap(),
        &["--events-type", "live-stream"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("111 done, 0 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("with scheduleEvent.cancel (the engine would pass the UID as the id)"),
        "says what it did instead of the engine: {stderr}"
    );
    assert_eq!(
        event_shape(&a),
        event_shape(&b),
        "same events on both servers"
    );
    assert_eq!(
        super::events::events(&b).len(),
        4 + 105,
        "each UID once: no duplicate from the lookup bug or the resume off-by-one"
    );
    let jobs = api(
        &b,
        "bulkupload_bulk",
        "list",
        json!({"pager": {"pageSize": 500}}),
    );
    let jobs = jobs["objects"].as_array().unwrap();
    assert!(
        jobs.len() >= 3,
        "a repeated UID and the 100-event cap start new jobs"
    );
    for j in jobs {
        assert_eq!(j["bulkUploadType"], "scheduleBulkUpload.ICAL", "{j}");
        assert_eq!(j["eventsType"], 2, "{j}");
        assert!(j["fileName"].as_str().unwrap().ends_with(".ics"), "{j}");
    }

    let (ha, ra) = results_csv(&dir.path().join("api.ics.results.csv"));
    let (hb, rb) = results_csv(&dir.path().join("bulk.ics.results.csv"));
    assert_eq!(ha, hb, "same results columns");
    assert_eq!(ra.len(), rb.len());
    let status = ha.iter().position(|c| c == "resultStatus").unwrap();
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(x[..status], y[..status], "same input cells and action");
        assert_eq!(x[status], y[status], "same status: {x:?} / {y:?}");
    }
}

#[test]
fn ical_rows_the_engine_rejects_keep_its_message_and_code() {
    use super::events::{ics, vevent};
    let h = bulk_sandbox(5, BulkFault::None);
    let dir = tempfile::tempdir().unwrap();
    // DTEND before DTSTART: the check refuses it; --force lets the engine (the API) judge it.
    let bad = "BEGIN:VEVENT\r\nUID:r-bad\r\nSUMMARY:Bad\r\nDTSTART:20270910T090000Z\r\n\
               DTEND:20270910T080000Z\r\nEND:VEVENT\r\n"
        .to_string();
    let file = ics(dir.path(), "r.ics", &[vevent("r-ok", "Fine", 9, ""), bad]);
    let path = file.to_str().unwrap();
    let out = run(bulk_cmd(&h, path, &["--force"]));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let (header, rows) = results_csv(&dir.path().join("r.ics.results.csv"));
    let col = |n: &str| header.iter().position(|c| c == n).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][col("resultStatus")], "2", "{:?}", rows[0]);
    assert!(!rows[0][col("objectId")].is_empty());
    assert_eq!(rows[1][col("resultStatus")], "1", "{:?}", rows[1]);
    assert_eq!(
        rows[1][col("objectStatus")],
        "INVALID_SCHEDULE_END_BEFORE_START",
        "{:?}",
        rows[1]
    );
    assert!(
        rows[1][col("errorDescription")].contains("must be after start time"),
        "{:?}",
        rows[1]
    );
}
