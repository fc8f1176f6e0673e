//! `kbulk submit --via bulk --dry-run`: the jobs, their pieces and the rewrites, from the files
//! alone; the sandbox sees no request at all and no journal is written.
use kbulk::sandbox::BulkFault;

use super::bulk::{bulk_cmd, bulk_sandbox, ical_fixture, job_count};
use super::events::ics;
use super::*;

#[test]
fn dry_run_via_bulk_prints_the_jobs_pieces_and_rewrites_and_sends_nothing() {
    let h = bulk_sandbox(5, BulkFault::None);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "dry.csv", &generated_rows(120, "d-"));
    let path = file.to_str().unwrap();
    let before = h.stats().requests;
    let out = run(bulk_cmd(&h, path, &["--dry-run", "--max-records", "50"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The two locations first (rows 100 and 120), then the 118 cameras in jobs of 50.
    let first = format!(
        "job 1  {path}  dry.csv.kbulk-TAG-1.csv  \
         schedulebulkupload_schedulebulk.addScheduleResources  bulkUploadData \
         {{\"csvVersion\":3,\"fileName\":\"dry.csv.kbulk-TAG-1.csv\",\
         \"objectType\":\"KalturaBulkUploadCsvJobData\"}}  2 rows (100, 120)"
    );
    assert!(stdout.contains(&first), "{stdout}");
    assert!(stdout.contains("50 rows (1-50)"), "{stdout}");
    assert!(stdout.contains("18 rows (102-119)"), "{stdout}");
    assert!(stdout.contains("50 rows (51-99, 101)"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "  {path}:1  job 2: parentSystemName d-loc-0 taken out (the resource engine crashes \
             on it on PHP 8)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("dry run: 4 jobs (120 rows), 118 rewrites, nothing sent"),
        "{stdout}"
    );

    let ical = ics(dir.path(), "dry.ics", &ical_fixture());
    let ical = ical.to_str().unwrap();
    let out = run(bulk_cmd(
        &h,
        ical,
        &[
            "--dry-run",
            "--events-type",
            "live-stream",
            "--format",
            "json",
        ],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON Lines"))
        .collect();
    let jobs: Vec<&Value> = lines.iter().filter(|l| l["type"] == "job").collect();
    // [b-old, b-weekly, b-1], [b-1 again, b-2], [the cancel, then 99 events], [6 events].
    assert_eq!(jobs.len(), 4, "{lines:?}");
    for j in &jobs {
        assert_eq!(j["call"], "addScheduleEvents", "{j}");
        assert_eq!(
            j["bulkUploadData"]["objectType"],
            "KalturaBulkUploadICalJobData"
        );
        assert_eq!(j["bulkUploadData"]["eventsType"], 2, "{j}");
    }
    let rows: usize = jobs
        .iter()
        .map(|j| j["rows"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows, 110, "every event but the cancel goes to the engine");
    let cancel: Vec<&Value> = lines.iter().filter(|l| l["type"] == "rewrite").collect();
    assert_eq!(cancel.len(), 1, "{lines:?}");
    assert_eq!(cancel[0]["job"], Value::Null);
    assert!(
        cancel[0]["note"]
            .as_str()
            .unwrap()
            .contains("METHOD:CANCEL of b-2 is not sent to the engine"),
        "{}",
        cancel[0]
    );

    assert_eq!(h.stats().requests, before, "the sandbox saw no request");
    assert_eq!(job_count(&h), 0);
    assert!(
        !dir.path().join("dry.csv.kbulk-journal").exists(),
        "no journal"
    );
    assert!(
        !dir.path().join("dry.ics.kbulk-journal").exists(),
        "no journal"
    );
}
