//! Schedule events end to end: an iCal file (add, update of an existing UID, cancel), an event
//! CSV (resources linked by systemName and id, a media template entry with its category), faults
//! with zero duplicates, and a killed run resumed.
use std::process::Stdio;
use std::time::{Duration, Instant};

use kbulk::sandbox::FaultConfig;
use kbulk::submit::{self, RowStatus};

use super::*;

/// Every event (cancelled ones included), by referenceId.
pub(super) fn events(h: &SandboxHandle) -> Vec<Value> {
    list_all(h, "schedule_scheduleevent")
}

fn with_uid<'a>(all: &'a [Value], uid: &str) -> Vec<&'a Value> {
    all.iter().filter(|e| e["referenceId"] == uid).collect()
}

pub(super) fn vevent(uid: &str, summary: &str, day: u32, extra: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART:202709{day:02}T080000Z\r\n\
         DTEND:202709{day:02}T090000Z\r\n{extra}END:VEVENT\r\n"
    )
}

pub(super) fn ics(dir: &Path, name: &str, events: &[String]) -> PathBuf {
    let path = dir.join(name);
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n");
    for e in events {
        text.push_str(e);
    }
    text.push_str("END:VCALENDAR\r\n");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn ical_adds_updates_by_uid_and_cancels() {
    let h = sandbox(FaultConfig::default());
    let existing = api(
        &h,
        "schedule_scheduleevent",
        "add",
        json!({"scheduleEvent": {"objectType": "KalturaRecordScheduleEvent", "summary": "old",
               "startDate": 1_900_000_000, "endDate": 1_900_003_600, "referenceId": "u-old"}}),
    );
    let old_id = existing["id"].as_i64().expect("seeded event");
    let dir = tempfile::tempdir().unwrap();
    let file = ics(
        dir.path(),
        "cal.ics",
        &[
            vevent("u-1", "First", 6, "X-KALTURA-TAGS:a,b\r\n"),
            vevent("u-old", "Renamed", 7, ""),
            vevent(
                "u-weekly",
                "Weekly",
                8,
                "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=4\r\n",
            ),
            vevent("u-1", "First", 6, "METHOD:CANCEL\r\n"),
        ],
    );
    let out = run(submit_cmd(
        &h,
        &[file.to_str().unwrap(), "--events-type", "live-stream"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 done, 0 failed"));

    let all = events(&h);
    assert_eq!(all.len(), 3, "one event per UID: {all:#?}");
    let first = with_uid(&all, "u-1");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["status"], 1, "cancelled after being added");
    assert_eq!(first[0]["objectType"], "KalturaLiveStreamScheduleEvent");
    assert_eq!(first[0]["tags"], "a,b");
    let old = with_uid(&all, "u-old");
    assert_eq!(
        old[0]["id"], old_id,
        "the existing event was updated, not re-added"
    );
    assert_eq!(old[0]["summary"], "Renamed");
    let weekly = with_uid(&all, "u-weekly");
    assert_eq!(weekly[0]["recurrenceType"], 1);
    assert_eq!(weekly[0]["recurrence"]["frequency"], "weeks");
    assert_eq!(weekly[0]["recurrence"]["count"], 4);
    assert_eq!(weekly[0]["duration"], 3600);

    let (header, rows) = results_csv(&dir.path().join("cal.ics.results.csv"));
    assert_eq!(header[0], "record");
    assert_eq!(rows.len(), 4);
    assert!(rows[1][0].starts_with("BEGIN:VEVENT") && rows[1][0].contains("UID:u-old"));
    let actions: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(actions, ["2"; 4]);
    assert_eq!(rows[1][2], old_id.to_string());
}

const EVENT_HEADER: &str = "*action,eventType,title,description,tags,categoryIds,categoryPaths,resource,resourceID,startTime,duration,endTime,recurrence,coEditors,coPublishers,eventOrganizerId,contentOwnerId,templateEntryType";

#[test]
fn event_csv_links_resources_and_creates_template_entries() {
    let h = sandbox(FaultConfig::default());
    let room = api(
        &h,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": "KalturaLocationScheduleResource",
               "name": "Room", "systemName": "room-1"}}),
    );
    let cam = api(
        &h,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": "KalturaCameraScheduleResource",
               "name": "Cam", "systemName": "cam-1"}}),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.csv");
    let cam_id = cam["id"].as_i64().unwrap();
    std::fs::write(
        &path,
        format!(
            "{EVENT_HEADER}\n\
             1,1,Lecture,Intro,\"x,y\",1201,,room-1,,2027-09-06T08:00:00Z,,2027-09-06T09:30:00Z,,ed@example.org,,org@example.org,owner@example.org,media\n\
             1,1,Lab,,,,,,{cam_id},2027-09-08T12:00:00Z,5400,,\"FREQ=WEEKLY,BYDAY=WE,COUNT=3\",,,org@example.org,owner@example.org,media\n\
             1,1,Nowhere,,,,,no-such-room,,2027-09-09T12:00:00Z,,2027-09-09T13:00:00Z,,,,org@example.org,owner@example.org,media\n\
             1,2,Graduation,,,,,,{cam_id},2027-06-30T15:00:00+02:00,,2027-06-30T18:00:00+02:00,,,,org@example.org,live@example.org,live\n"
        ),
    )
    .unwrap();
    let out = run(submit_cmd(&h, &[path.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "one row fails: {}", text(&out));

    let all = events(&h);
    assert_eq!(all.len(), 3, "{all:#?}");
    let links = api(&h, "schedule_scheduleeventresource", "list", json!({}));
    let pairs: Vec<(i64, i64)> = links["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["eventId"].as_i64().unwrap(),
                l["resourceId"].as_i64().unwrap(),
            )
        })
        .collect();
    let lecture = all.iter().find(|e| e["summary"] == "Lecture").unwrap();
    let lab = all.iter().find(|e| e["summary"] == "Lab").unwrap();
    assert!(pairs.contains(&(
        lecture["id"].as_i64().unwrap(),
        room["id"].as_i64().unwrap()
    )));
    assert!(pairs.contains(&(lab["id"].as_i64().unwrap(), cam_id)));
    assert_eq!(pairs.len(), 3);
    let template = lecture["templateEntryId"].as_str().expect("template entry");
    let entry = api(&h, "media", "get", json!({"entryId": template}));
    assert_eq!(entry["name"], "Lecture");
    assert_eq!(entry["userId"], "owner@example.org");
    assert_eq!(entry["entitledUsersEdit"], "ed@example.org");
    assert_eq!(
        entry["categoriesIds"], "1201",
        "assigned to the row's category"
    );
    assert_eq!(lecture["categoryIds"], "1201");

    let live = all.iter().find(|e| e["summary"] == "Graduation").unwrap();
    assert_eq!(live["objectType"], "KalturaLiveStreamScheduleEvent");
    let template = live["templateEntryId"]
        .as_str()
        .expect("live template entry");
    let entry = api(&h, "baseEntry", "get", json!({"entryId": template}));
    assert_eq!(entry["objectType"], "KalturaLiveStreamEntry");
    assert_eq!(entry["userId"], "live@example.org");

    let (header, rows) = results_csv(&dir.path().join("events.csv.results.csv"));
    assert_eq!(header[2], "title", "the original columns come first");
    assert_eq!(rows[0][2], "Lecture");
    assert_eq!(rows[0][18], "2");
    assert_eq!(rows[0][19], lecture["id"].to_string());
    assert_eq!(rows[2][18], "1");
    assert_eq!(rows[2][20], "RESOURCE_NOT_FOUND");
    assert!(rows[2][21].contains("no-such-room"), "{:?}", rows[2]);
}

fn event_rows(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            vevent(
                &format!("f-{i}"),
                &format!("Event {i}"),
                1 + (i % 28) as u32,
                "",
            )
        })
        .collect()
}

#[test]
fn ical_under_faults_makes_each_event_once() {
    const ROWS: usize = 800;
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = ics(dir.path(), "faults.ics", &event_rows(ROWS));
    let inputs = checked(&[&file]);
    h.set_faults(FaultConfig {
        seed: 11,
        fail_rate: 0.10,
        drop_rate: 0.10,
        ..FaultConfig::default()
    })
    .unwrap();
    let mut opts = options(&h, dir.path().join("f.journal"));
    opts.batch_size = 5;
    let result = submit::submit(&inputs, &opts, &mut |_| {}).expect("runs");
    let stats = h.stats();
    h.set_faults(FaultConfig::default()).unwrap();
    assert!(stats.dropped >= 3 && stats.failed >= 3, "{stats:?}");
    assert_eq!(result.counts(), (ROWS as u64, 0, 0));
    let all = events(&h);
    assert_eq!(all.len(), ROWS, "no duplicate event");
    for i in 0..ROWS {
        assert_eq!(with_uid(&all, &format!("f-{i}")).len(), 1);
    }
    assert!(
        result.inputs[0]
            .rows
            .values()
            .all(|r| r.status == RowStatus::Ok)
    );
}

#[test]
fn a_killed_ical_run_resumes_with_no_duplicate() {
    const ROWS: usize = 1_500;
    let h = sandbox(FaultConfig {
        latency: Duration::from_millis(2),
        ..FaultConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = ics(dir.path(), "kill.ics", &event_rows(ROWS));
    let path = file.to_str().unwrap();
    let adds = |h: &SandboxHandle| {
        h.stats()
            .calls
            .get("schedule_scheduleevent.add")
            .copied()
            .unwrap_or(0)
    };
    let mut cmd = submit_cmd(&h, &[path, "--concurrency", "4", "--batch-size", "10"]);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = cmd.spawn().expect("kbulk starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while adds(&h) < 300 && Instant::now() < deadline && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "still running when killed"
    );
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let before = adds(&h);
    assert!(
        (300..ROWS as u64).contains(&before),
        "killed mid-run: {before}"
    );

    let out = run(submit_cmd(&h, &[path, "--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{ROWS} done, 0 failed")),
        "{}",
        text(&out)
    );
    let all = events(&h);
    assert_eq!(all.len(), ROWS, "no duplicate, no lost event");
    assert_eq!(adds(&h), ROWS as u64, "exactly one add executed per event");
}
