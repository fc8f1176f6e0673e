//! SIGKILLs on the bulk route: exactly between journaling a job and its start (on both sides of
//! the start request, through the `KBULK_TEST_BULK_PAUSE` hook), and at every job of an iCal
//! run. `--resume` polls the jobs that were started, finds a job whose start answer it never
//! journaled by its unique file name, and starts the others exactly once: no duplicate job, no
//! lost row, no event twice.
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kbulk::sandbox::BulkFault;

use super::bulk::{bulk_cmd, bulk_sandbox, event_shape, ical_fixture, job_count, seed_ical};
use super::events::ics;
use super::*;

/// Every job's file name, sorted.
fn file_names(h: &SandboxHandle) -> Vec<String> {
    let jobs = api(
        h,
        "bulkupload_bulk",
        "list",
        json!({"pager": {"pageSize": 500}}),
    );
    let mut names: Vec<String> = jobs["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|j| j["fileName"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names
}

/// Runs `cmd` with the pause hook at `point` and SIGKILLs it while it waits there (the first
/// job's start). Returns the hook's note.
fn kill_in_pause(mut cmd: Command, point: &str) -> String {
    cmd.env("KBULK_TEST_BULK_PAUSE", format!("{point}:30000"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("kbulk starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("test pause:") {
                let _ = tx.send(line);
            }
        }
    });
    let note = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("kbulk reached the pause");
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    note
}

#[test]
fn a_kill_between_journaling_a_job_and_its_start_starts_it_exactly_once() {
    for (point, started) in [("journaled", 0), ("started", 1)] {
        // Resource CSV: two locations first, then 118 cameras whose parents kbulk sets.
        let h = bulk_sandbox(5, BulkFault::None);
        let dir = tempfile::tempdir().unwrap();
        let file = csv(dir.path(), "pause.csv", &generated_rows(120, "p-"));
        let path = file.to_str().unwrap();
        let note = kill_in_pause(bulk_cmd(&h, path, &[]), point);
        assert!(note.contains(".kbulk-"), "{note}");
        assert_eq!(job_count(&h), started, "killed {point}: {note}");
        let out = run(bulk_cmd(&h, path, &["--resume"]));
        assert_eq!(code(&out), 0, "{point}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("120 done, 0 failed, 0 unfinished"),
            "{point}: {}",
            text(&out)
        );
        let names = file_names(&h);
        assert_eq!(names.len(), 2, "{point}: one job per piece: {names:?}");
        assert_ne!(names[0], names[1]);
        assert_exactly_once(&h, 120, "p-");
        assert_parents(&h, "p-");

        // iCal: the same on the first of its jobs.
        let h = bulk_sandbox(5, BulkFault::None);
        seed_ical(&h);
        let file = ics(dir.path(), "pause.ics", &ical_fixture());
        let path = file.to_str().unwrap();
        let args = ["--events-type", "live-stream"];
        kill_in_pause(bulk_cmd(&h, path, &args), point);
        assert_eq!(job_count(&h), started, "iCal killed {point}");
        let out = run(bulk_cmd(
            &h,
            path,
            &["--events-type", "live-stream", "--resume"],
        ));
        assert_eq!(code(&out), 0, "iCal {point}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("111 done, 0 failed, 0 unfinished"),
            "iCal {point}: {}",
            text(&out)
        );
        let names = file_names(&h);
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(unique, names, "iCal {point}: no job started twice");
        assert_eq!(
            super::events::events(&h).len(),
            4 + 105,
            "iCal {point}: each UID once"
        );
    }
}

#[test]
fn ical_bulk_runs_killed_at_every_job_resume_with_each_event_once() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--events-type", "live-stream"];
    // The same file, never interrupted: the jobs and events to end with.
    let whole = bulk_sandbox(5, BulkFault::None);
    seed_ical(&whole);
    let file = ics(dir.path(), "whole.ics", &ical_fixture());
    let out = run(bulk_cmd(&whole, file.to_str().unwrap(), &args));
    assert_eq!(code(&out), 0, "{}", text(&out));

    // Steps of 60 ms: each job runs for a while, and the kill lands at different moments
    // after its start (before or after its id is journaled, while polling, in the cancel).
    let h = bulk_sandbox(60, BulkFault::None);
    seed_ical(&h);
    let file = ics(dir.path(), "killed.ics", &ical_fixture());
    let path = file.to_str().unwrap();
    let waits = [0u64, 120, 10, 400, 40, 250, 5, 600];
    let mut kills = 0;
    for (i, wait) in waits.iter().enumerate() {
        let before = job_count(&h);
        let mut extra = args.to_vec();
        if i > 0 {
            extra.push("--resume");
        }
        let mut cmd = bulk_cmd(&h, path, &extra);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = cmd.spawn().expect("kbulk starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut finished = false;
        while job_count(&h) == before {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            assert!(Instant::now() < deadline, "no new job within 60 s");
            std::thread::sleep(Duration::from_millis(2));
        }
        if finished {
            break;
        }
        std::thread::sleep(Duration::from_millis(*wait));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        kills += 1;
    }
    assert!(kills >= 2, "killed more than once: {kills}");
    let mut extra = args.to_vec();
    extra.push("--resume");
    let out = run(bulk_cmd(&h, path, &extra));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("111 done, 0 failed, 0 unfinished"),
        "{}",
        text(&out)
    );
    let names = file_names(&h);
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!(unique, names, "no job started twice");
    assert_eq!(
        names.len(),
        job_count(&whole),
        "as many jobs as the run never killed"
    );
    assert_eq!(
        event_shape(&h),
        event_shape(&whole),
        "the same events as the run never killed"
    );
    let (hw, rw) = results_csv(&dir.path().join("whole.ics.results.csv"));
    let (hk, rk) = results_csv(&dir.path().join("killed.ics.results.csv"));
    assert_eq!(hw, hk);
    let status = hw.iter().position(|c| c == "resultStatus").unwrap();
    assert_eq!(rw.len(), rk.len());
    for (w, k) in rw.iter().zip(&rk) {
        assert_eq!(w[..=status], k[..=status], "same row, action and status");
    }
}
