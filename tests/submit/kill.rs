//! Crash safety: `kbulk submit` killed with SIGKILL at several points (as soon as the first add
//! lands, then mid-run, then late), each time resumed with `--resume`, ends with every row done
//! exactly once — no duplicate, no lost row — and exactly one executed add per row.
use std::process::Stdio;
use std::time::{Duration, Instant};

use kbulk::sandbox::FaultConfig;

use super::*;

const ROWS: usize = 3_000;

fn adds(h: &SandboxHandle) -> u64 {
    h.stats()
        .calls
        .get("schedule_scheduleresource.add")
        .copied()
        .unwrap_or(0)
}

/// Starts a run and kills it with SIGKILL once `at` adds have executed; whether it was still
/// running when killed.
fn kill_at(h: &SandboxHandle, path: &str, resume: bool, at: u64) -> bool {
    let mut args = vec![
        path,
        "--concurrency",
        "4",
        "--retries",
        "8",
        "--retry-delay-ms",
        "5",
    ];
    if resume {
        args.push("--resume");
    }
    let mut cmd = submit_cmd(h, &args);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = cmd.spawn().expect("kbulk starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while adds(h) < at && Instant::now() < deadline {
        if child.try_wait().expect("poll").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let running = child.try_wait().expect("poll").is_none();
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    running
}

#[test]
fn killed_runs_resume_with_no_duplicate_and_no_lost_row() {
    let h = sandbox(FaultConfig {
        seed: 3,
        latency: Duration::from_millis(2),
        drop_rate: 0.02,
        ..FaultConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "kill.csv", &generated_rows(ROWS, "k-"));
    let path = file.to_str().unwrap();
    assert!(
        kill_at(&h, path, false, 1),
        "killed as the first add landed"
    );
    assert!(kill_at(&h, path, true, 900), "killed mid-run");
    kill_at(&h, path, true, 2_000);
    let journal = dir.path().join("kill.csv.kbulk-journal");
    assert!(journal.exists());

    let out = run(submit_cmd(
        &h,
        &[path, "--resume", "--retry-delay-ms", "5", "--retries", "8"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("{ROWS} done, 0 failed, 0 unfinished")),
        "{}",
        text(&out)
    );
    h.set_faults(FaultConfig::default()).unwrap();
    assert_exactly_once(&h, ROWS, "k-");
    assert_eq!(adds(&h), ROWS as u64, "exactly one add executed per row");
    let (_, rows) = results_csv(&dir.path().join("kill.csv.results.csv"));
    assert_eq!(rows.len(), ROWS);
    assert!(rows.iter().all(|r| r[8] == "2" && !r[9].is_empty()));
}
