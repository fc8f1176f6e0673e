//! Crash safety: `kbulk submit` killed with SIGKILL at several points (as soon as the first add
//! lands, then mid-run, then late), each time resumed with `--resume`, ends with every row done
//! exactly once — no duplicate, no lost row — and exactly one executed add per row; and the kill
//! harness (random kills over the whole run) for resources, iCal events and XML entries.
use std::process::Stdio;
use std::time::{Duration, Instant};

use kbulk::sandbox::FaultConfig;

use super::*;

const ROWS: usize = 3_000;

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

/// A seeded splitmix64 stream: the kill moments of a run, reproducible from the printed seed.
struct Moments(u64);

impl Moments {
    fn next_below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound.max(1)
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

const HARNESS_ARGS: [&str; 6] = [
    "--retries",
    "12",
    "--retry-delay-ms",
    "5",
    "--concurrency",
    "4",
];

/// Starts a run (resuming after the first) and SIGKILLs it after `delay`; whether it ended first.
fn run_or_kill(h: &SandboxHandle, path: &str, resume: bool, delay: Duration, log: &Path) -> bool {
    let mut args = vec![path];
    args.extend(HARNESS_ARGS);
    if resume {
        args.push("--resume");
    }
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut cmd = submit_cmd(h, &args);
    cmd.stdout(out.try_clone().unwrap()).stderr(out);
    let mut child = cmd.spawn().expect("kbulk starts");
    let end = Instant::now() + delay;
    while Instant::now() < end {
        if child.try_wait().expect("poll").is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let ended = child.try_wait().expect("poll").is_some();
    let _ = child.kill();
    child.wait().expect("reaped");
    ended
}

/// One kind of input the kill harness submits: how to write it and how to check the server.
struct Kind {
    /// The input's file name (its results file is `<file>.results.csv`).
    file: &'static str,
    /// Rows per submission.
    rows: usize,
    /// Writes an input of `n` rows whose keys start with the prefix (first making on the server
    /// what the rows need, if anything); returns its path.
    write: fn(&SandboxHandle, &Path, &str, usize, &str) -> PathBuf,
    /// Asserts the server holds each of the `n` rows exactly once, its links right.
    check: fn(&SandboxHandle, usize, &str, &str),
    /// The results column of `resultStatus` (`objectId` follows it).
    status_col: usize,
}

/// Resources by systemName, cameras under their building.
const RESOURCES: Kind = Kind {
    file: "k.csv",
    rows: 400,
    write: |_, dir, name, n, prefix| csv(dir, name, &generated_rows(n, prefix)),
    check: |h, n, prefix, _ctx| {
        assert_exactly_once(h, n, prefix);
        assert_parents(h, prefix);
    },
    status_col: 8,
};

/// iCal events by UID, each with its category ids.
const EVENTS: Kind = Kind {
    file: "k.ics",
    rows: 300,
    write: |_, dir, name, n, prefix| {
        let events = per_row(n, prefix, |uid, i| {
            let day = 1 + (i % 28) as u32;
            super::events::vevent(uid, uid, day, "X-KALTURA-CATEGORY-IDS:7\r\n")
        });
        super::events::ics(dir, name, &events)
    },
    check: |h, n, prefix, ctx| {
        let all = super::events::events(h);
        assert_each_once(&all, n, prefix, ctx);
        assert!(
            all.iter().all(|e| e["categoryIds"] == "7"),
            "{ctx}: every event in its category"
        );
    },
    status_col: 1,
};

/// XML entries by referenceId, each linked to one category.
const ENTRIES: Kind = Kind {
    file: "k.xml",
    rows: 200,
    write: |_, dir, name, n, prefix| {
        let items = per_row(n, prefix, |reference, _| {
            let categories = "      <categories><categoryId>5</categoryId></categories>\n";
            super::entries::url_item(reference, categories)
        });
        super::entries::xml(dir, name, &items)
    },
    check: |h, n, prefix, ctx| {
        let all = super::entries::entries(h);
        assert_each_once(&all, n, prefix, ctx);
        let links = api(
            h,
            "categoryEntry",
            "list",
            json!({"pager": {"pageSize": 500}}),
        );
        assert_eq!(links["totalCount"], n, "{ctx}: one category link per entry");
        let linked = count_by(links["objects"].as_array().unwrap(), "entryId");
        for e in &all {
            let id = e["id"].as_str().unwrap();
            assert_eq!(linked.get(id), Some(&1), "{ctx}: {id} linked once");
        }
    },
    status_col: 1,
};

/// Categories by full name, children listed before their roots.
const CATEGORIES: Kind = Kind {
    file: "k-cat.csv",
    rows: 300,
    write: |_, dir, name, n, prefix| {
        super::categories::category_csv(
            dir,
            name,
            "*action,name,relativePath",
            &super::categories::generated_categories(n, prefix),
        )
    },
    check: |h, n, prefix, ctx| super::categories::assert_tree(h, n, prefix, ctx),
    status_col: 3,
};

/// Category users (entitlements) spread over four categories the harness makes first.
const MEMBERS: Kind = Kind {
    file: "k-members.csv",
    rows: 300,
    write: |h, dir, name, n, prefix| {
        let cats: Vec<i64> = (0..4)
            .map(|k| super::members::category(h, &format!("{prefix}cat{k}"), false))
            .collect();
        let rows = super::members::generated_members(n, &cats, prefix);
        super::categories::category_csv(dir, name, super::members::MEMBER_HEADER, &rows)
    },
    check: |h, n, prefix, ctx| {
        let all = super::categories::categories(h);
        let cats: Vec<i64> = (0..4)
            .map(|k| {
                let name = format!("{prefix}cat{k}");
                let c = all.iter().find(|c| c["name"] == name.as_str());
                c.and_then(|c| c["id"].as_i64())
                    .expect("the harness's category")
            })
            .collect();
        super::members::assert_members(h, n, &cats, prefix, ctx);
    },
    status_col: 6,
};

/// Category entries held for moderation in a category, activated or rejected.
const ASSIGNMENTS: Kind = Kind {
    file: "k-moderate.csv",
    rows: 200,
    write: |h, dir, name, n, prefix| {
        super::members::generated_assignments(h, dir, name, n, prefix).2
    },
    check: |h, n, prefix, ctx| {
        let all = super::categories::categories(h);
        let name = format!("{prefix}held");
        let c = all
            .iter()
            .find(|c| c["name"] == name.as_str())
            .expect("held category");
        let entries = super::entries::entries(h);
        let ids: Vec<String> = (0..n)
            .map(|i| {
                let r = format!("{prefix}{i}");
                let e = entries.iter().find(|e| e["referenceId"] == r.as_str());
                e.and_then(|e| e["id"].as_str()).expect("entry").to_string()
            })
            .collect();
        super::members::assert_moderated(h, c["id"].as_i64().unwrap(), &ids, ctx);
    },
    status_col: 3,
};

/// One generated item per row, each keyed `{prefix}{i}`.
fn per_row(n: usize, prefix: &str, item: impl Fn(&str, usize) -> String) -> Vec<String> {
    (0..n).map(|i| item(&format!("{prefix}{i}"), i)).collect()
}

/// Asserts `all` holds exactly the referenceIds `{prefix}0` .. `{prefix}{n-1}`, each once.
#[track_caller]
fn assert_each_once(all: &[Value], n: usize, prefix: &str, ctx: &str) {
    assert_eq!(all.len(), n, "{ctx}: one object per row, no duplicate");
    let by_ref = count_by(all, "referenceId");
    for i in 0..n {
        let r = format!("{prefix}{i}");
        assert_eq!(by_ref.get(&r), Some(&1), "{ctx}: {r} exactly once");
    }
}

/// The kill harness for resources. `KBULK_SOAK_KILLS` sets the kills per kind (default 8 here),
/// `KBULK_KILL_SEED` the seed (default: from the clock; printed).
#[test]
fn random_kills_over_the_whole_run_lose_and_duplicate_nothing() {
    kill_harness(&RESOURCES, 8);
}

/// The kill harness for iCal events, which the server does not deduplicate (default 4 kills).
#[test]
fn random_kills_of_an_ical_run_lose_and_duplicate_no_event() {
    kill_harness(&EVENTS, 4);
}

/// The kill harness for XML entries and their category links (default 4 kills).
#[test]
fn random_kills_of_an_xml_run_lose_and_duplicate_no_entry() {
    kill_harness(&ENTRIES, 4);
}

/// The kill harness for categories, parents made before children (default 4 kills).
#[test]
fn random_kills_of_a_category_run_lose_and_duplicate_no_category() {
    kill_harness(&CATEGORIES, 4);
}

/// The kill harness for category users (default 4 kills).
#[test]
fn random_kills_of_a_category_user_run_lose_and_duplicate_no_membership() {
    kill_harness(&MEMBERS, 4);
}

/// The kill harness for category-entry moderation (default 4 kills).
#[test]
fn random_kills_of_a_category_entry_run_moderate_each_entry_once() {
    kill_harness(&ASSIGNMENTS, 4);
}

/// SIGKILL at random moments over the whole life of `kbulk submit` (from before its first
/// request to the last write of the results file: delays drawn from 0 to the duration of an
/// unkilled run), resume until a run ends, then list the server and check every row exists
/// exactly once with its links, the results file has one done row per input row, and the KS
/// appears in no output, journal or results.
fn kill_harness(kind: &Kind, default_kills: u64) {
    let n = kind.rows;
    let kills = env_u64("KBULK_SOAK_KILLS").unwrap_or(default_kills);
    let seed = env_u64("KBULK_KILL_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64)
    });
    let what = kind.file;
    eprintln!(
        "kill harness {what}: seed {seed} (KBULK_KILL_SEED={seed} reproduces), {kills} kills"
    );
    let faults = FaultConfig {
        seed,
        latency: Duration::from_millis(2),
        fail_rate: 0.10,
        drop_rate: 0.05,
        ..FaultConfig::default()
    };
    // One unkilled run measures the life of the process.
    // What the rows need is made on the server before the faults start.
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = (kind.write)(&h, dir.path(), kind.file, n, "m-");
    h.set_faults(faults.clone()).unwrap();
    let log = dir.path().join("log.txt");
    let start = Instant::now();
    assert!(run_or_kill(
        &h,
        file.to_str().unwrap(),
        false,
        Duration::from_secs(120),
        &log
    ));
    let life = start.elapsed().as_micros() as u64;
    eprintln!("an unkilled run takes {life} µs");

    let mut moments = Moments(seed);
    let mut done = 0;
    let mut round = 0;
    while done < kills {
        let h = sandbox(FaultConfig::default());
        let dir = tempfile::tempdir().unwrap();
        let prefix = format!("r{round}-");
        let file = (kind.write)(&h, dir.path(), kind.file, n, &prefix);
        h.set_faults(faults.clone()).unwrap();
        let path = file.to_str().unwrap();
        let log = dir.path().join("log.txt");
        let mut resume = false;
        // Up to three kills in one submission, then it is left to finish.
        for _ in 0..3.min(kills - done) {
            let delay = Duration::from_micros(moments.next_below(life + life / 4));
            done += 1;
            if run_or_kill(&h, path, resume, delay, &log) {
                break;
            }
            resume = true;
        }
        let mut finished = false;
        for _ in 0..8 {
            if run_or_kill(&h, path, true, Duration::from_secs(120), &log) {
                finished = true;
                break;
            }
        }
        let ctx = format!("{what} seed {seed} round {round}");
        assert!(finished, "{ctx}: a resumed run ended");
        h.set_faults(FaultConfig::default()).unwrap();
        check_round(&h, kind, dir.path(), &prefix, &ctx);
        round += 1;
    }
}

/// The assertions of one harness round.
fn check_round(h: &SandboxHandle, kind: &Kind, dir: &Path, prefix: &str, ctx: &str) {
    let n = kind.rows;
    let log = std::fs::read_to_string(dir.join("log.txt")).unwrap();
    assert!(
        log.contains(&format!("{n} done, 0 failed, 0 unfinished")),
        "{ctx}: {log}"
    );
    (kind.check)(h, n, prefix, ctx);
    let (_, rows) = results_csv(&dir.join(format!("{}.results.csv", kind.file)));
    assert_eq!(rows.len(), n, "{ctx}: one result per row");
    let s = kind.status_col;
    assert!(
        rows.iter().all(|r| r[s] == "2" && !r[s + 1].is_empty()),
        "{ctx}: every row done with its object id"
    );
    let ks = h.admin_ks().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(ks.len()).any(|w| w == ks.as_bytes()),
            "{ctx}: the KS leaked"
        );
    }
}

/// SIGINT: no new batch is sent, the batches in flight are recorded, the results file is
/// written, the user is told to resume, exit 130; the resume finishes with nothing duplicated.
#[test]
fn ctrl_c_stops_cleanly_and_resumes() {
    let h = sandbox(FaultConfig {
        latency: Duration::from_millis(20),
        ..FaultConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "int.csv", &generated_rows(2_000, "i-"));
    let path = file.to_str().unwrap();
    let mut cmd = submit_cmd(&h, &[path, "--concurrency", "2"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("kbulk starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while adds(&h) < 100 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().expect("ends");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(text(&out).contains("--resume"), "{}", text(&out));
    let sent = adds(&h);
    assert!(sent < 2_000, "stopped early: {sent}");
    let (_, rows) = results_csv(&dir.path().join("int.csv.results.csv"));
    assert_eq!(rows.len(), 2_000, "results written");
    let out = run(submit_cmd(&h, &[path, "--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_exactly_once(&h, 2_000, "i-");
    assert_eq!(adds(&h), 2_000, "nothing sent twice");
}

/// `kbulk sandbox --db FILE` on a fixed port; returns once it accepts connections.
fn sandbox_process(db: &Path, port: u16) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args([
            "sandbox",
            "--listen",
            &port.to_string(),
            "--latency-ms",
            "20",
            "--db",
        ])
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sandbox starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "sandbox listens");
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

/// The sandbox process is stopped and restarted on the same database while a submit runs: the
/// submit rides it out (refused connections are retried) and completes, each row once.
#[test]
fn a_sandbox_restart_mid_run_is_ridden_out() {
    use kbulk::sandbox::{DEFAULT_ADMIN_SECRET, DEFAULT_PARTNER_ID};
    use kbulk::submit::client::Client;
    use kbulk::submit::multirequest::Call;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut server = sandbox_process(&db, port);
    let file = csv(dir.path(), "rs.csv", &generated_rows(1_500, "rs-"));
    let url = format!("http://127.0.0.1:{port}");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kbulk"));
    cmd.args(["submit", file.to_str().unwrap(), "--concurrency", "2"])
        .args(["--retries", "8", "--retry-delay-ms", "100"])
        .env("KALTURA_SERVICE_URL", &url)
        .env("KALTURA_PARTNER_ID", DEFAULT_PARTNER_ID.to_string())
        .env("KALTURA_ADMIN_SECRET", DEFAULT_ADMIN_SECRET)
        .env_remove("KALTURA_KS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut submit = cmd.spawn().expect("kbulk starts");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        submit.try_wait().unwrap().is_none(),
        "still running at the restart"
    );
    server.kill().unwrap();
    server.wait().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let mut server = sandbox_process(&db, port);
    let out = submit.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    let client = Client::new(&url, Duration::from_secs(10)).unwrap();
    let start = Call::new("session", "start")
        .with("secret", DEFAULT_ADMIN_SECRET)
        .with("type", 2)
        .with("partnerId", DEFAULT_PARTNER_ID);
    let ks = client.call(None, &start).unwrap().unwrap();
    let ks = kbulk::submit::auth::Secret::new(ks.as_str().unwrap());
    let mut names = std::collections::HashMap::<String, usize>::new();
    for page in 1..=4 {
        let list = Call::new("schedule_scheduleresource", "list").with(
            "pager",
            serde_json::json!({"pageSize": 500, "pageIndex": page}),
        );
        let r = client.call(Some(&ks), &list).unwrap().unwrap();
        for o in r["objects"].as_array().unwrap() {
            *names
                .entry(o["systemName"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(names.len(), 1_500, "every row exists");
    assert!(names.values().all(|&c| c == 1), "none twice");
}
