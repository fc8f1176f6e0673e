//! App Registry apps under stress and in sync, from the CLI against the sandbox: 503s and
//! dropped answers, SIGKILL + `--resume` with nothing lost or duplicated, `kbulk export apps`
//! (JSONL and CSV, paged, `--since` watermark) read back by `check` and re-submitted as a no-op,
//! `check --against` finding what the server already holds, and the region flag.
use std::process::Stdio;
use std::time::{Duration, Instant};

use kbulk::sandbox::FaultConfig;
use serde_json::{Value, json};

use super::apps::{apps_cmd, jsonl, registry_calls, server_apps};
use super::*;
use crate::common::report;
use crate::sandbox::app_registry::registry;

/// `kbulk ARGS...` with no KALTURA_* variable inherited, the sandbox's KS and App Registry URL.
fn cli(h: &SandboxHandle, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kbulk"));
    for (k, _) in std::env::vars() {
        if k.starts_with("KALTURA_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("KALTURA_KS", h.admin_ks().unwrap())
        .env("KALTURA_APP_REGISTRY_URL", h.app_registry_url());
    cmd
}

/// `n` apps `{prefix}N`; every 4th asks to be disabled, every 3rd binds a domain of its own.
fn generated(n: usize, prefix: &str) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut a = json!({"appCustomId": format!("{prefix}{i}"),
                               "appCustomName": format!("App {i}"), "appType": "ep"});
            if i % 4 == 0 {
                a["status"] = json!("disabled");
            }
            if i % 3 == 0 {
                a["organizationDomain"] =
                    json!({"organizationId": "org", "domain": format!("d{i}.example.com")});
            }
            a
        })
        .collect()
}

/// Asserts the server holds exactly the generated apps, once each, as the file says.
#[track_caller]
fn assert_generated(h: &SandboxHandle, n: usize, prefix: &str) {
    let apps = server_apps(h);
    assert_eq!(apps.len(), n, "one app per row, no duplicate");
    for i in 0..n {
        let a = &apps[&format!("{prefix}{i}")];
        let want = if i % 4 == 0 { "disabled" } else { "enabled" };
        assert_eq!(a["status"], want, "{prefix}{i}");
        assert_eq!(a["version"], if i % 4 == 0 { 1 } else { 0 }, "{prefix}{i}");
    }
}

#[test]
fn apps_under_503s_and_dropped_answers_end_exactly_once() {
    const N: usize = 200;
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(dir.path(), "apps.jsonl", &generated(N, "f-"));
    h.set_faults(FaultConfig {
        seed: 7,
        fail_rate: 0.15,
        drop_rate: 0.10,
        ..FaultConfig::default()
    })
    .unwrap();
    let out = run(apps_cmd(
        &h,
        &[
            file.to_str().unwrap(),
            "--retries",
            "10",
            "--retry-delay-ms",
            "1",
        ],
    ));
    let stats = h.stats();
    h.set_faults(FaultConfig::default()).unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        stats.failed > 10 && stats.dropped > 5,
        "faults happened: {stats:?}"
    );
    assert_eq!(
        registry_calls(&h, "add"),
        N as u64,
        "a dropped add is looked up and adopted, never sent again"
    );
    assert_generated(&h, N, "f-");
    let (_, rows) = results_csv(&dir.path().join("apps.jsonl.results.csv"));
    assert_eq!(rows.len(), N);
    assert!(
        rows.iter().all(|r| r[1] == "2" && !r[2].is_empty()),
        "{rows:?}"
    );
}

/// Starts a submission and SIGKILLs it once `at` adds have executed; whether it was running.
fn kill_at(h: &SandboxHandle, path: &str, resume: bool, at: u64) -> bool {
    let mut args = vec![path, "--retry-delay-ms", "5", "--retries", "8"];
    if resume {
        args.push("--resume");
    }
    let mut cmd = apps_cmd(h, &args);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while registry_calls(h, "add") < at && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    running
}

#[test]
fn a_killed_app_submission_resumes_with_nothing_lost_or_duplicated() {
    const N: usize = 600;
    let h = sandbox(FaultConfig {
        seed: 5,
        latency: Duration::from_millis(5),
        drop_rate: 0.02,
        ..FaultConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(dir.path(), "kill.jsonl", &generated(N, "k-"));
    let path = file.to_str().unwrap();
    assert!(
        kill_at(&h, path, false, 1),
        "killed as the first add landed"
    );
    assert!(kill_at(&h, path, true, 250), "killed mid-run");
    let out = run(apps_cmd(
        &h,
        &[path, "--resume", "--retry-delay-ms", "5", "--retries", "8"],
    ));
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{N} done, 0 failed, 0 unfinished")),
        "{}",
        text(&out)
    );
    h.set_faults(FaultConfig::default()).unwrap();
    assert_eq!(registry_calls(&h, "add"), N as u64, "one add per row, ever");
    assert_generated(&h, N, "k-");
}

/// Runs `kbulk export apps ARGS` and returns the watermark it printed.
#[track_caller]
fn export(h: &SandboxHandle, args: &[&str]) -> String {
    let mut all = vec!["export", "apps"];
    all.extend_from_slice(args);
    let out = run(cli(h, &all));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("watermark: "))
        .unwrap_or_else(|| panic!("no watermark: {}", text(&out)));
    line.to_string()
}

fn exported_ids(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["appCustomId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn export_check_submit_is_a_no_op_and_since_pulls_the_delta() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(dir.path(), "apps.jsonl", &generated(7, "e-"));
    assert_eq!(code(&run(apps_cmd(&h, &[file.to_str().unwrap()]))), 0);
    let before = server_apps(&h);
    let newest = before
        .values()
        .map(|a| a["updatedAt"].as_str().unwrap())
        .max()
        .unwrap()
        .to_string();

    for format in ["jsonl", "csv"] {
        let exported = dir.path().join(format!("export.{format}"));
        let e = exported.to_str().unwrap();
        // Paged three at a time, so the 7 apps take three list calls.
        let lists = registry_calls(&h, "list");
        let watermark = export(&h, &["--format", format, "--page-size", "3", "-o", e]);
        assert_eq!(registry_calls(&h, "list") - lists, 3, "paged");
        assert_eq!(watermark, newest, "the newest updatedAt");
        let (out, rep) = crate::common::check_json(&exported, &[]);
        assert_eq!(code(&out), 0, "the export checks clean: {}", text(&out));
        assert_eq!(rep.files[0].records, 7);
        let writes = ["add", "update", "enable", "disable"].map(|a| registry_calls(&h, a));
        let journal = dir.path().join(format!("{format}.journal"));
        let out = run(apps_cmd(&h, &[e, "--journal", journal.to_str().unwrap()]));
        assert_eq!(code(&out), 0, "{}", text(&out));
        assert_eq!(
            ["add", "update", "enable", "disable"].map(|a| registry_calls(&h, a)),
            writes,
            "re-submitting the {format} export writes nothing"
        );
    }
    let after = server_apps(&h);
    for (cid, a) in &before {
        assert_eq!(
            after[cid]["version"], a["version"],
            "{cid}: no version bump"
        );
    }

    // One app changes on the server; the delta from the watermark holds it.
    std::thread::sleep(Duration::from_millis(5));
    let ks = h.admin_ks().unwrap();
    let id = before["e-1"]["id"].clone();
    let (status, changed) = registry(
        &h,
        &ks,
        "update",
        json!({"id": id, "appCustomName": "Renamed"}),
    );
    assert_eq!(status, 200, "{changed}");
    let delta = dir.path().join("delta.jsonl");
    let watermark = export(&h, &["--since", &newest, "-o", delta.to_str().unwrap()]);
    let mut ids = exported_ids(&delta);
    ids.sort();
    // What changed at or after the watermark: the renamed app and those stamped at it (`>=`).
    let mut expected: Vec<String> = after
        .iter()
        .filter(|(c, a)| *c == "e-1" || a["updatedAt"].as_str().unwrap() >= newest.as_str())
        .map(|(c, _)| c.clone())
        .collect();
    expected.sort();
    assert_eq!(ids, expected, "only what changed at or after {newest}");
    assert!(ids.len() < 7, "a delta, not everything: {ids:?}");
    assert_eq!(
        watermark,
        changed["updatedAt"].as_str().unwrap(),
        "the new watermark"
    );
}

#[test]
fn check_against_the_server_finds_what_it_already_holds() {
    let h = sandbox(FaultConfig::default());
    let ks = h.admin_ks().unwrap();
    let (_, theirs) = registry(
        &h,
        &ks,
        "add",
        json!({"appCustomId": "theirs", "appCustomName": "Theirs", "appType": "kms",
               "organizationDomain": {"organizationId": "org-1", "domain": "corp.com"}}),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(
        dir.path(),
        "apps.jsonl",
        &[
            // Another appCustomId binding the server's domain + organisation + type.
            json!({"appCustomId": "mine", "appCustomName": "Mine", "appType": "kms",
                   "organizationDomain": {"organizationId": "org-1", "domain": "x.com, corp.com"}}),
            // The server's appCustomId, but the file names another app GUID.
            json!({"id": "00000000-0000-0000-0000-000000000000", "appCustomId": "theirs",
                   "appCustomName": "Theirs", "appType": "kms"}),
            json!({"action": "delete", "appCustomId": "ghost"}),
        ],
    );
    let path = file.to_str().unwrap();
    let url = h.app_registry_url();
    let out = run(cli(
        &h,
        &["check", "--format", "json", path, "--against", &url],
    ));
    assert_eq!(code(&out), 1, "{}", text(&out));
    let rep = report(&out);
    let codes: Vec<(&str, Option<u64>)> = rep
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.row))
        .collect();
    for want in [
        ("app::domain-taken", Some(1)),
        ("app::id-mismatch", Some(2)),
        ("app::delete-missing", Some(3)),
    ] {
        assert!(codes.contains(&want), "{want:?} in {codes:?}");
    }
    let taken = rep
        .diagnostics
        .iter()
        .find(|d| d.code == "app::domain-taken")
        .unwrap();
    assert!(
        taken.message.contains("theirs"),
        "names the holder: {}",
        taken.message
    );
    assert!(theirs["id"].is_string());
    // Without --against none of them is known.
    let out = run(cli(&h, &["check", "--format", "json", path]));
    let rep = report(&out);
    assert!(
        rep.diagnostics.iter().all(|d| ![
            "app::domain-taken",
            "app::id-mismatch",
            "app::delete-missing"
        ]
        .contains(&d.code.as_str())),
        "{}",
        text(&out)
    );
    // And the submission meets the server's own answer for the clash.
    let out = run(apps_cmd(&h, &[path]));
    assert_eq!(code(&out), 1, "{}", text(&out));
}

#[test]
fn regions_without_a_documented_host_ask_for_the_url() {
    let h = sandbox(FaultConfig::default());
    let mut cmd = cli(&h, &["export", "apps", "--region", "irp2"]);
    cmd.env_remove("KALTURA_APP_REGISTRY_URL");
    let out = run(cmd);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--app-registry-url") && err.contains("irp2"),
        "{err}"
    );
    // The region from the environment, the URL winning over it.
    let mut cmd = cli(&h, &["export", "apps"]);
    cmd.env("KALTURA_APP_REGISTRY_REGION", "frp2");
    let out = run(cmd);
    assert_eq!(
        code(&out),
        0,
        "the URL wins over the region: {}",
        text(&out)
    );
    let mut cmd = cli(&h, &["export", "apps"]);
    cmd.env("KALTURA_APP_REGISTRY_REGION", "frp2")
        .env_remove("KALTURA_APP_REGISTRY_URL");
    assert_eq!(code(&run(cmd)), 2);
}

#[test]
fn export_opens_an_admin_session_from_the_admin_secret() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = jsonl(dir.path(), "apps.jsonl", &generated(2, "s-"));
    assert_eq!(code(&run(apps_cmd(&h, &[file.to_str().unwrap()]))), 0);
    let exported = dir.path().join("out.jsonl");
    let mut cmd = cli(&h, &["export", "apps", "-o", exported.to_str().unwrap()]);
    cmd.env_remove("KALTURA_KS")
        .env("KALTURA_SERVICE_URL", h.base_url())
        .env("KALTURA_PARTNER_ID", h.partner_id().to_string())
        .env("KALTURA_ADMIN_SECRET", kbulk::sandbox::DEFAULT_ADMIN_SECRET);
    let out = run(cmd);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(exported_ids(&exported).len(), 2);
    assert!(!text(&out).contains(kbulk::sandbox::DEFAULT_ADMIN_SECRET));
    // A wrong secret fails with the server's answer, the secret not in it.
    let mut cmd = cli(&h, &["export", "apps", "--admin-secret", "wrong-s3cret"]);
    cmd.env_remove("KALTURA_KS")
        .env("KALTURA_SERVICE_URL", h.base_url())
        .env("KALTURA_PARTNER_ID", h.partner_id().to_string());
    let out = run(cmd);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(!text(&out).contains("wrong-s3cret"), "{}", text(&out));
}
