//! `kbulk submit` against the sandbox on 127.0.0.1: helpers shared by the modules.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use kbulk::sandbox::{FaultConfig, Sandbox, SandboxConfig, SandboxHandle};
use kbulk::submit::SubmitOptions;
use kbulk::submit::auth::{Credentials, Secret};
use kbulk::submit::preflight::{self, Checked};
use kbulk::submit::retry::RetryPolicy;
use serde_json::{Value, json};

mod apps;
mod apps_sync;
mod auth;
mod bulk;
mod bulk_dry;
mod bulk_entries;
mod bulk_events;
mod bulk_kill;
mod categories;
mod entries;
mod events;
mod export_kinds;
mod faults;
mod kill;
mod members;
mod orphan;
mod placeholders;
mod progress;
mod resources;
mod retry_after;
mod startup;
mod stream;
mod users;

/// The header of every resource CSV the tests write.
pub const HEADER: &str =
    "*action,name,type,systemName,description,tags,parentType,parentSystemName";

/// A sandbox on 127.0.0.1:0 with the test app tokens and the given faults.
pub fn sandbox(faults: FaultConfig) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        app_tokens: crate::sandbox::app_tokens(),
        faults,
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

/// Writes a resource CSV (header + rows) and returns its path.
pub fn csv(dir: &Path, name: &str, rows: &[String]) -> PathBuf {
    let path = dir.join(name);
    let mut text = String::from(HEADER);
    text.push('\n');
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).expect("write csv");
    path
}

/// `n` rows: one location per 100 rows, listed *after* the cameras that name it as parent.
pub fn generated_rows(n: usize, prefix: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            let group = i / 100;
            if i % 100 == 99 || i == n - 1 {
                format!("1,Building {group},location,{prefix}loc-{group},,,,")
            } else {
                format!(
                    "1,Camera {i},camera,{prefix}cam-{i},camera number {i},\"a,b\",location,{prefix}loc-{group}"
                )
            }
        })
        .collect()
}

/// The `kbulk submit` command for `sandbox`, with no KALTURA_* variable inherited and an ADMIN KS.
pub fn submit_cmd(h: &SandboxHandle, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kbulk"));
    for (k, _) in std::env::vars() {
        if k.starts_with("KALTURA_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("submit")
        .args(args)
        .env("NO_COLOR", "1")
        .env("KALTURA_SERVICE_URL", h.base_url())
        .env("KALTURA_KS", h.admin_ks().expect("ks"));
    cmd
}

/// Runs a command to completion.
/// How many `schedule_scheduleresource.add` calls the sandbox has executed.
pub fn adds(h: &SandboxHandle) -> u64 {
    h.stats()
        .calls
        .get("schedule_scheduleresource.add")
        .copied()
        .unwrap_or(0)
}

pub fn run(mut cmd: Command) -> Output {
    cmd.output().expect("kbulk runs")
}

/// The exit code.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// stdout and stderr, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One API call on the sandbox (an ADMIN KS added).
pub fn api(h: &SandboxHandle, service: &str, action: &str, mut params: Value) -> Value {
    params["ks"] = json!(h.admin_ks().expect("ks"));
    crate::sandbox::api(h, service, action, params)
}

/// Every object of `service`'s list, 500 at a time (up to 10,000).
pub fn list_all(h: &SandboxHandle, service: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1..=20 {
        let r = api(
            h,
            service,
            "list",
            json!({"pager": {"pageSize": 500, "pageIndex": page}}),
        );
        let objects = r["objects"].as_array().expect("objects").clone();
        let n = objects.len();
        all.extend(objects);
        if n < 500 {
            break;
        }
    }
    all
}

/// Every live resource, listed 500 at a time (at most 10,000, the list limit), and the total.
pub fn all_resources(h: &SandboxHandle) -> (Vec<Value>, u64) {
    let mut all = Vec::new();
    let mut total = 0;
    for page in 1..=20 {
        let r = api(
            h,
            "schedule_scheduleresource",
            "list",
            json!({"pager": {"pageSize": 500, "pageIndex": page}}),
        );
        total = r["totalCount"].as_u64().expect("totalCount");
        let objects = r["objects"].as_array().expect("objects").clone();
        let n = objects.len();
        all.extend(objects);
        if n < 500 {
            break;
        }
    }
    (all, total)
}

/// How many objects carry each value of `field`.
pub fn count_by(objects: &[Value], field: &str) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for o in objects {
        *m.entry(o[field].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    m
}

/// How many live resources carry each systemName.
pub fn by_system_name(resources: &[Value]) -> HashMap<String, usize> {
    count_by(resources, "systemName")
}

/// Asserts every systemName in `rows` (a generated file) exists exactly once and nothing else does.
#[track_caller]
pub fn assert_exactly_once(h: &SandboxHandle, rows: usize, prefix: &str) {
    let (list, total) = all_resources(h);
    assert_eq!(total as usize, rows, "one resource per row, no duplicate");
    let names = by_system_name(&list);
    assert_eq!(names.len(), rows, "every systemName distinct");
    for i in 0..rows {
        let group = i / 100;
        let name = if i % 100 == 99 || i == rows - 1 {
            format!("{prefix}loc-{group}")
        } else {
            format!("{prefix}cam-{i}")
        };
        assert_eq!(names.get(&name), Some(&1), "{name} exists exactly once");
    }
}

/// Asserts every camera of a generated file points at its building.
#[track_caller]
pub fn assert_parents(h: &SandboxHandle, prefix: &str) {
    let (list, _) = all_resources(h);
    let ids: HashMap<&str, &Value> = list
        .iter()
        .map(|r| (r["systemName"].as_str().unwrap(), &r["id"]))
        .collect();
    for r in list
        .iter()
        .filter(|r| r["objectType"] == "KalturaCameraScheduleResource")
    {
        let name = r["systemName"].as_str().unwrap();
        let i: usize = name[prefix.len() + "cam-".len()..].parse().unwrap();
        let parent = format!("{prefix}loc-{}", i / 100);
        assert_eq!(&r["parentId"], ids[parent.as_str()], "parent of {name}");
    }
}

/// Reads a results CSV: header and rows.
pub fn results_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)
        .expect("results file");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Library options for `sandbox` with fast retries.
pub fn options(h: &SandboxHandle, journal: PathBuf) -> SubmitOptions {
    let mut o = SubmitOptions::new(
        &h.base_url(),
        Credentials::Ks(Secret::new(h.admin_ks().expect("ks"))),
        journal,
    );
    o.retry = RetryPolicy {
        max_retries: 8,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        jitter: 0.2,
    };
    o.timeout = Duration::from_secs(30);
    o
}

/// Pre-flight checks of files.
pub fn checked(paths: &[&Path]) -> Vec<Checked> {
    paths
        .iter()
        .map(|p| preflight::check(p, p.display().to_string().into()).expect("check"))
        .collect()
}
