//! The store under concurrent clients (no lost and no duplicated write), across restarts, and
//! with slow clients holding connections open.
use std::collections::HashMap;
use std::time::Duration;

use kbulk::sandbox::SandboxConfig;
use serde_json::{Value, json};

use super::*;

const THREADS: usize = 12;
const DISTINCT: usize = 20;
const SHARED: usize = 8;

#[test]
fn parallel_adds_lose_nothing_and_each_shared_name_has_one_winner() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let outcomes: Vec<(String, Value)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (h, ks) = (&h, &ks);
                scope.spawn(move || {
                    let mut seen = Vec::new();
                    for i in 0..DISTINCT.max(SHARED) {
                        if i < DISTINCT {
                            let name = format!("t{t}-{i}");
                            seen.push((
                                name.clone(),
                                add_resource(h, ks, "KalturaCameraScheduleResource", &name),
                            ));
                        }
                        if i < SHARED {
                            let name = format!("shared-{i}");
                            seen.push((
                                name.clone(),
                                add_resource(h, ks, "KalturaCameraScheduleResource", &name),
                            ));
                        }
                    }
                    seen
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let mut winners: HashMap<String, usize> = HashMap::new();
    for (name, response) in &outcomes {
        if response["objectType"] == "KalturaCameraScheduleResource" {
            *winners.entry(name.clone()).or_default() += 1;
        } else {
            assert!(
                name.starts_with("shared-"),
                "a distinct name failed: {response}"
            );
            expect_error(response, "SYSTEM_NAME_ALREADY_EXISTS");
        }
    }
    assert_eq!(winners.len(), THREADS * DISTINCT + SHARED);
    assert!(winners.values().all(|n| *n == 1), "one winner per name");
    let listed = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "list",
        json!({"pager": {"pageSize": 500}}),
    ));
    assert_eq!(listed["totalCount"], THREADS * DISTINCT + SHARED);
    let mut ids: Vec<i64> = listed["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), THREADS * DISTINCT + SHARED, "ids are unique");
}

#[test]
fn parallel_app_registry_adds_of_one_custom_id_make_one_app() {
    let h = start();
    let ks = h.admin_ks().unwrap();
    let url = format!("{}/app-registry/add", h.app_registry_url());
    let auth = format!("Bearer {ks}");
    let bodies: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (url, auth) = (&url, &auth);
                scope.spawn(move || {
                    let body =
                        json!({"appCustomId": "one", "appType": "ep", "appCustomName": "One"})
                            .to_string();
                    post(
                        url,
                        "application/json",
                        body.as_bytes(),
                        &[("Authorization", auth)],
                    )
                    .1
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let created = bodies
        .iter()
        .filter(|b| b.contains("\"objectType\":\"App\""))
        .count();
    let refused = bodies
        .iter()
        .filter(|b| b.contains("APP_REGISTRY_ALREADY_EXISTS_WITH_THIS_APP_CUSTOM_ID"))
        .count();
    assert_eq!((created, refused), (1, THREADS - 1));
}

#[test]
fn a_database_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || SandboxConfig {
        db: Some(dir.path().join("sandbox.db")),
        ..SandboxConfig::default()
    };
    let h = start_with(config());
    let ks = h.admin_ks().unwrap();
    let added = ok(add_resource(
        &h,
        &ks,
        "KalturaLocationScheduleResource",
        "kept",
    ));
    h.stop();
    let h = start_with(config());
    let listed = ok(api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "list",
        json!({"filter": {"systemNameIn": "kept"}}),
    ));
    assert_eq!(
        listed["objects"][0]["id"], added["id"],
        "the data and the session survived"
    );
    expect_error(
        &add_resource(&h, &ks, "KalturaLocationScheduleResource", "kept"),
        "SYSTEM_NAME_ALREADY_EXISTS",
    );
}

/// Opens `n` connections that each send half a request head and then wait.
fn half_requests(h: &SandboxHandle, n: usize) -> Vec<std::net::TcpStream> {
    use std::io::Write;
    (0..n)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(h.addr()).expect("connect");
            s.write_all(
                b"POST /api_v3/service/system/action/ping HTTP/1.1\r\nHost: x\r\nContent-Le",
            )
            .expect("write half a request");
            s
        })
        .collect()
}

#[test]
fn slow_clients_do_not_stall_others_and_the_bound_answers_503_at_once() {
    // Every wait below is bounded by a client read timeout shorter than the server's idle and
    // header timeouts: an answer that only came when the stalled clients were timed out would fail.
    let timeouts = || SandboxConfig {
        header_timeout: Duration::from_secs(60),
        idle_timeout: Duration::from_secs(60),
        ..SandboxConfig::default()
    };
    let before_timeouts = Some(Duration::from_secs(20));
    let h = start_with(SandboxConfig {
        max_connections: 400,
        ..timeouts()
    });
    let stalled = half_requests(&h, 300);
    let mut s = std::net::TcpStream::connect(h.addr()).expect("connect");
    s.set_read_timeout(before_timeouts).unwrap();
    std::io::Write::write_all(
        &mut s,
        b"GET /api_v3/service/system/action/ping?format=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut s, &mut answer).expect("answered before the timeouts");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("true"), "{answer}");
    drop(stalled);

    let h = start_with(SandboxConfig {
        max_connections: 100,
        ..timeouts()
    });
    let stalled = half_requests(&h, 300);
    // Over the bound the server answers before reading anything, so read without writing.
    let mut s = std::net::TcpStream::connect(h.addr()).expect("connect");
    s.set_read_timeout(before_timeouts).unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut s, &mut answer).expect("answered before the timeouts");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    drop(stalled);
}
