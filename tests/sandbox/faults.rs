//! Fault injection: each mode happens at its configured rate (2000 requests, fixed seed), failed
//! requests are not applied, dropped and timed-out ones are, a seed reproduces its faults, and
//! latency is applied to every request it should be.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use kbulk::sandbox::{FaultConfig, SandboxConfig, SandboxHandle};
use serde_json::json;

use super::*;

const REQUESTS: usize = 2000;
const TOLERANCE: f64 = 0.025;

fn faulty(faults: FaultConfig) -> SandboxHandle {
    start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
}

/// Outcome of one resource add as a client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Answered,
    Http5xx,
    NoResponse,
}

fn add_raw(agent: &ureq::Agent, h: &SandboxHandle, ks: &str, name: &str) -> Seen {
    let url = format!(
        "{}/service/schedule_scheduleresource/action/add",
        h.api_v3_url()
    );
    let body = json!({"ks": ks, "format": 1, "scheduleResource": {"objectType": "KalturaCameraScheduleResource", "name": name, "systemName": name}});
    match agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
    {
        Ok(r) if r.status().as_u16() >= 500 => Seen::Http5xx,
        Ok(r) => {
            assert_eq!(r.status().as_u16(), 200);
            Seen::Answered
        }
        Err(_) => Seen::NoResponse,
    }
}

/// Sends `REQUESTS` adds from `threads` threads; the outcomes in request order per thread.
fn run(h: &SandboxHandle, ks: &str, threads: usize) -> Vec<Seen> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let agent = agent();
                    (0..REQUESTS / threads)
                        .map(|i| add_raw(&agent, h, ks, &format!("r-{t}-{i}")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

fn share(seen: &[Seen], kind: Seen) -> f64 {
    seen.iter().filter(|s| **s == kind).count() as f64 / seen.len() as f64
}

fn stored(h: &SandboxHandle) -> i64 {
    h.stats().objects["resources"]
}

#[test]
fn injected_5xx_happen_at_their_rate_and_apply_nothing() {
    let h = faulty(FaultConfig {
        seed: 11,
        fail_rate: 0.1,
        ..FaultConfig::default()
    });
    let ks = h.admin_ks().unwrap();
    let seen = run(&h, &ks, 1);
    let rate = share(&seen, Seen::Http5xx);
    assert!((rate - 0.1).abs() < TOLERANCE, "5xx rate {rate}");
    assert_eq!(share(&seen, Seen::NoResponse), 0.0);
    let stats = h.stats();
    assert_eq!(
        stats.failed as usize,
        seen.iter().filter(|s| **s == Seen::Http5xx).count()
    );
    assert_eq!(
        stored(&h) as usize,
        seen.iter().filter(|s| **s == Seen::Answered).count(),
        "a 5xx is never applied"
    );
    // The same seed meets the same faults in the same order.
    let again = faulty(FaultConfig {
        seed: 11,
        fail_rate: 0.1,
        ..FaultConfig::default()
    });
    let ks = again.admin_ks().unwrap();
    assert_eq!(run(&again, &ks, 1), seen);
}

#[test]
fn dropped_requests_happen_at_their_rate_and_are_applied() {
    let h = faulty(FaultConfig {
        seed: 5,
        drop_rate: 0.1,
        ..FaultConfig::default()
    });
    let ks = h.admin_ks().unwrap();
    let seen = run(&h, &ks, 4);
    let rate = share(&seen, Seen::NoResponse);
    assert!((rate - 0.1).abs() < TOLERANCE, "drop rate {rate}");
    let stats = h.stats();
    assert_eq!(
        stats.dropped as usize,
        seen.iter().filter(|s| **s == Seen::NoResponse).count()
    );
    assert_eq!(
        stored(&h) as usize,
        REQUESTS,
        "every dropped add was committed first"
    );
    assert_eq!(
        stats.calls["schedule_scheduleresource.add"] as usize,
        REQUESTS
    );
}

#[test]
fn timed_out_requests_happen_at_their_rate_and_are_applied() {
    let faults = FaultConfig {
        seed: 3,
        timeout_rate: 0.1,
        timeout: Duration::from_millis(20),
        ..FaultConfig::default()
    };
    let h = faulty(faults);
    let ks = h.admin_ks().unwrap();
    let seen = run(&h, &ks, 8);
    let rate = share(&seen, Seen::NoResponse);
    assert!((rate - 0.1).abs() < TOLERANCE, "timeout rate {rate}");
    let stats = h.stats();
    assert_eq!(
        stats.timed_out as usize,
        seen.iter().filter(|s| **s == Seen::NoResponse).count()
    );
    assert_eq!((stats.dropped, stats.failed), (0, 0));
    assert_eq!(stored(&h) as usize, REQUESTS);
}

#[test]
fn all_modes_together_split_the_requests() {
    let faults = FaultConfig {
        seed: 2024,
        fail_rate: 0.05,
        drop_rate: 0.05,
        timeout_rate: 0.05,
        timeout: Duration::from_millis(10),
        ..FaultConfig::default()
    };
    let h = faulty(faults);
    let ks = h.admin_ks().unwrap();
    let seen = run(&h, &ks, 8);
    let stats = h.stats();
    for (count, name) in [
        (stats.failed, "failed"),
        (stats.dropped, "dropped"),
        (stats.timed_out, "timed out"),
    ] {
        let rate = count as f64 / REQUESTS as f64;
        assert!((rate - 0.05).abs() < TOLERANCE, "{name} rate {rate}");
    }
    assert_eq!(
        (stats.dropped + stats.timed_out) as usize,
        seen.iter().filter(|s| **s == Seen::NoResponse).count()
    );
    assert_eq!(stored(&h) as usize, REQUESTS - stats.failed as usize);
}

#[test]
fn a_dropped_connection_closes_without_a_byte_after_applying() {
    let h = faulty(FaultConfig {
        drop_rate: 1.0,
        ..FaultConfig::default()
    });
    let ks = h.admin_ks().unwrap();
    let body = json!({"ks": ks, "scheduleResource": {"objectType": "KalturaLocationScheduleResource", "name": "Hall", "systemName": "hall"}}).to_string();
    let mut stream = TcpStream::connect(h.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "POST /api_v3/service/schedule_scheduleresource/action/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut buf = Vec::new();
    let read = stream.read_to_end(&mut buf);
    assert!(
        read.is_ok_and(|n| n == 0) || buf.is_empty(),
        "no response bytes: {:?}",
        String::from_utf8_lossy(&buf)
    );
    // The add happened: a retry meets the duplicate.
    h.set_faults(FaultConfig::default()).unwrap();
    let retry = api_ks(
        &h,
        &ks,
        "schedule_scheduleresource",
        "add",
        json!({"scheduleResource": {"objectType": "KalturaLocationScheduleResource", "name": "Hall", "systemName": "hall"}}),
    );
    expect_error(&retry, "SYSTEM_NAME_ALREADY_EXISTS");
}

#[test]
fn a_timed_out_request_is_held_open_without_an_answer() {
    let h = faulty(FaultConfig {
        timeout_rate: 1.0,
        timeout: Duration::from_secs(60),
        ..FaultConfig::default()
    });
    let mut stream = TcpStream::connect(h.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    stream.write_all(b"POST /api_v3/service/session/action/start HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").unwrap();
    let mut buf = [0u8; 64];
    let err = stream
        .read(&mut buf)
        .expect_err("nothing arrives while the request is held");
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
    assert_eq!(h.stats().timed_out, 1);
    // Stopping the sandbox releases the held connection.
    h.stop();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert!(matches!(stream.read(&mut buf), Ok(0) | Err(_)));
}

#[test]
fn latency_is_applied_to_each_api_request_but_not_to_ping() {
    let h = faulty(FaultConfig {
        latency: Duration::from_millis(5),
        ..FaultConfig::default()
    });
    let ks = h.admin_ks().unwrap();
    for i in 0..20 {
        ok(add_resource(
            &h,
            &ks,
            "KalturaCameraScheduleResource",
            &format!("c{i}"),
        ));
    }
    assert_eq!(api(&h, "system", "ping", json!({})), json!(true));
    let stats = h.stats();
    assert_eq!((stats.delayed, stats.faultable), (20, 20));
    let (status, _) = post(
        &format!("{}/__sandbox/stats", h.base_url()),
        "application/json",
        b"",
        &[],
    );
    assert_eq!(status, 200);
}

#[test]
fn invalid_fault_rates_are_refused() {
    let err = kbulk::sandbox::Sandbox::start(SandboxConfig {
        faults: FaultConfig {
            fail_rate: 0.7,
            drop_rate: 0.7,
            ..FaultConfig::default()
        },
        ..SandboxConfig::default()
    });
    assert!(matches!(err, Err(kbulk::sandbox::SandboxError::Config(_))));
}
