//! Schedule-event CSV via bulk: the same file `--via api` and `--via bulk` ends with the same
//! events, resource links and template entries on the sandbox, and equivalent results files.
use kbulk::sandbox::BulkFault;

use super::bulk::{bulk_cmd, bulk_sandbox, job_count};
use super::*;

const HEADER: &str = "*action,eventType,title,description,tags,categoryIds,categoryPaths,\
                      resource,resourceID,startTime,duration,endTime,recurrence,coEditors,\
                      coPublishers,eventOrganizerId,contentOwnerId,templateEntryType";

/// Two resources and a category; returns the camera's id (the same on every fresh sandbox).
fn seed(h: &SandboxHandle) -> (i64, i64) {
    let room = api(
        h,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": "KalturaLocationScheduleResource",
               "name": "Room", "systemName": "ev-room"}}),
    );
    assert!(room["id"].is_i64(), "{room}");
    let cam = api(
        h,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": "KalturaCameraScheduleResource",
               "name": "Cam", "systemName": "ev-cam"}}),
    );
    let cat = api(
        h,
        "category",
        "add",
        json!({"category": {"objectType": "KalturaCategory", "name": "Courses"}}),
    );
    assert!(cat["id"].is_i64(), "{cat}");
    (cam["id"].as_i64().unwrap(), cat["id"].as_i64().unwrap())
}

fn rows(cam: i64, cat: i64) -> Vec<String> {
    let mut rows = vec![
        format!(
            "1,1,Lecture,Intro,\"a,b\",{cat},,ev-room,,2027-09-06T08:00:00Z,,\
             2027-09-06T09:30:00Z,,,,lect@example.org,lect@example.org,media"
        ),
        "1,1,Weekly lab,,,,,ev-room,,2027-09-08T12:00:00Z,5400,,\"FREQ=WEEKLY,BYDAY=WE,COUNT=4\",\
         ta@example.org,,lect@example.org,lect@example.org,media"
            .to_string(),
        format!(
            "1,2,Live,,,,,,{cam},2027-06-30T15:00:00+02:00,,2027-06-30T18:00:00+02:00,,,,\
             ev@example.org,ev@example.org,live"
        ),
        // A resource that does not exist: both routes fail the row, each with its own words.
        "1,1,Nowhere,,,,,ev-nowhere,,2027-09-07T08:00:00Z,,2027-09-07T09:00:00Z,,,,\
         lect@example.org,lect@example.org,media"
            .to_string(),
    ];
    rows.extend((0..30).map(|i| {
        format!(
            "1,1,Many {i},,,,,ev-room,,2027-10-{:02}T08:00:00Z,,2027-10-{:02}T09:00:00Z,,,,\
             lect@example.org,lect@example.org,media",
            1 + i % 28,
            1 + i % 28
        )
    }));
    rows
}

fn write(dir: &Path, name: &str, rows: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

/// Events as (summary, class, start, end, status, recurrenceType, ownerId, has a template
/// entry, linked resource ids), sorted.
#[allow(clippy::type_complexity)]
fn objects(
    h: &SandboxHandle,
) -> (
    Vec<(String, String, i64, i64, i64, i64, String, bool, Vec<i64>)>,
    Vec<(String, String, String)>,
) {
    let links = list_all(h, "schedule_scheduleeventresource");
    let mut events: Vec<_> = super::events::events(h)
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            let n = |k: &str| e[k].as_i64().unwrap_or(-1);
            let mut res: Vec<i64> = links
                .iter()
                .filter(|l| l["eventId"] == e["id"])
                .filter_map(|l| l["resourceId"].as_i64())
                .collect();
            res.sort();
            (
                s("summary"),
                s("objectType"),
                n("startDate"),
                n("endDate"),
                n("status"),
                n("recurrenceType").max(0),
                s("ownerId"),
                !s("templateEntryId").is_empty(),
                res,
            )
        })
        .collect();
    events.sort();
    let mut entries: Vec<_> = list_all(h, "baseEntry")
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("name"), s("objectType"), s("userId"))
        })
        .collect();
    entries.sort();
    (events, entries)
}

#[test]
fn event_csv_via_bulk_ends_like_via_api() {
    let dir = tempfile::tempdir().unwrap();
    let a = sandbox(FaultConfig::default());
    let (cam, cat) = seed(&a);
    let b = bulk_sandbox(5, BulkFault::None);
    assert_eq!(seed(&b), (cam, cat), "the same ids on both sandboxes");
    let rows = rows(cam, cat);
    let api_file = write(dir.path(), "api.csv", &rows);
    let bulk_file = write(dir.path(), "bulk.csv", &rows);

    let out = run(submit_cmd(&a, &[api_file.to_str().unwrap()]));
    assert_eq!(code(&out), 1, "one row fails: {}", text(&out));
    let out = run(bulk_cmd(
        &b,
        bulk_file.to_str().unwrap(),
        &["--max-records", "20"],
    ));
    assert_eq!(code(&out), 1, "one row fails: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("33 done, 1 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let jobs = api(
        &b,
        "bulkupload_bulk",
        "list",
        json!({"pager": {"pageSize": 500}}),
    );
    let jobs = jobs["objects"].as_array().unwrap();
    assert_eq!(jobs.len(), 2, "34 rows in jobs of at most 20");
    for j in jobs {
        assert_eq!(
            j["bulkUploadObjectType"], "scheduleBulkUpload.SCHEDULE_EVENT",
            "{j}"
        );
    }
    assert_eq!(job_count(&a), 0);

    let (ea, na) = objects(&a);
    let (eb, nb) = objects(&b);
    assert_eq!(ea.len(), 33);
    assert!(
        ea.iter().all(|e| e.7 && e.8.len() == 1),
        "every event has its template entry and one resource: {ea:?}"
    );
    assert_eq!(
        ea, eb,
        "the same events, owners, templates and resource links"
    );
    assert_eq!(na, nb, "the same template entries");
    let cat_entries = |h: &SandboxHandle| list_all(h, "categoryEntry").len();
    assert_eq!(cat_entries(&a), 1);
    assert_eq!(cat_entries(&b), 1, "the lecture's entry is in its category");

    let (ha, ra) = results_csv(&dir.path().join("api.csv.results.csv"));
    let (hb, rb) = results_csv(&dir.path().join("bulk.csv.results.csv"));
    assert_eq!(ha, hb, "same results columns");
    assert_eq!(ra.len(), 34);
    let col = |n: &str| ha.iter().position(|c| c == n).unwrap();
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(x[..col("resultStatus")], y[..col("resultStatus")]);
        assert_eq!(
            x[col("resultStatus")],
            y[col("resultStatus")],
            "{x:?} / {y:?}"
        );
    }
    // The engine's own words for the missing resource.
    assert_eq!(rb[3][col("resultStatus")], "1");
    assert!(
        rb[3][col("errorDescription")]
            .contains("Invalid resource system name or ID passed. Event was not created."),
        "{:?}",
        rb[3]
    );
}
