//! Benchmark: submitting schedule resources to the sandbox with 20 ms added latency per request,
//! three ways in the same run, each against a fresh sandbox:
//!
//! - (a) one `schedule_scheduleresource.add` call per row, sequentially (an ad-hoc script);
//! - (b) sequential multirequests of 20 adds (Kaltura's own bulk worker pattern);
//! - (c) `kbulk::submit::submit` — pre-flight lookups, journal, dependency waves — with
//!   multirequests of 20 and 8 in flight.
//!
//! - (d) a plain client: `concurrency` threads sending multirequests of 20 adds back to back —
//!   what the sandbox itself can answer, measured in the same run.
//!
//! Prints a Markdown table with throughput (rows/s) and the ratios of (c) to each baseline, and
//! checks that every run created exactly one resource per row.
//!
//! Run: `cargo bench --bench submit`. `KBULK_BENCH_ROWS` sets the rows (default 10,000; the
//! one-call-per-row baseline alone then takes over 200 s), `KBULK_BENCH_LATENCY_MS` the added
//! latency (default 20), `KBULK_BENCH_CONCURRENCY` the concurrency of (c) (default 8);
//! `KBULK_BENCH_ONLY_SUBMIT=1` skips (a) and (b). It also prints the rows/s of (c) and (d) as a
//! fraction of the latency bound, `concurrency × 20 rows / latency` (8,000 rows/s at 20 ms and
//! 8 in flight).
use std::path::Path;
use std::time::{Duration, Instant};

use kbulk::sandbox::{FaultConfig, Sandbox, SandboxConfig, SandboxHandle};
use kbulk::submit::auth::{Credentials, Secret};
use kbulk::submit::client::Client;
use kbulk::submit::multirequest::Call;
use kbulk::submit::{SubmitOptions, preflight, submit};
use serde_json::{Value, json};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sandbox(latency: Duration) -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        faults: FaultConfig {
            latency,
            ..FaultConfig::default()
        },
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

/// The resources: one location per 20 rows, then its cameras (parents first, as a script needs).
fn rows(n: usize) -> Vec<(String, String, &'static str)> {
    (0..n)
        .map(|i| {
            if i % 20 == 0 {
                (
                    format!("Building {i}"),
                    format!("b-loc-{i}"),
                    "KalturaLocationScheduleResource",
                )
            } else {
                (
                    format!("Camera {i}"),
                    format!("b-cam-{i}"),
                    "KalturaCameraScheduleResource",
                )
            }
        })
        .collect()
}

fn add(name: &str, system_name: &str, class: &str) -> Call {
    Call::new("schedule_scheduleresource", "add").with(
        "scheduleResource",
        json!({"objectType": class, "name": name, "systemName": system_name,
               "description": "benchmark resource", "tags": "bench"}),
    )
}

fn count(h: &SandboxHandle) -> i64 {
    h.stats().objects.get("resources").copied().unwrap_or(0)
}

fn one_call_per_row(n: usize, latency: Duration) -> Duration {
    let h = sandbox(latency);
    let client = Client::new(&h.api_v3_url(), Duration::from_secs(60)).unwrap();
    let ks = Secret::new(h.admin_ks().unwrap());
    let start = Instant::now();
    for (name, sys, class) in rows(n) {
        let r = client
            .call(Some(&ks), &add(&name, &sys, class))
            .expect("answered");
        assert!(r.is_ok(), "{r:?}");
    }
    let t = start.elapsed();
    assert_eq!(count(&h), n as i64);
    t
}

fn sequential_multirequests(n: usize, latency: Duration) -> Duration {
    let h = sandbox(latency);
    let client = Client::new(&h.api_v3_url(), Duration::from_secs(60)).unwrap();
    let ks = Secret::new(h.admin_ks().unwrap());
    let calls: Vec<Call> = rows(n).iter().map(|(a, b, c)| add(a, b, c)).collect();
    let start = Instant::now();
    for chunk in calls.chunks(20) {
        let r = client.multirequest(&ks, chunk).expect("answered");
        assert!(r.iter().all(Result::is_ok));
    }
    let t = start.elapsed();
    assert_eq!(count(&h), n as i64);
    t
}

/// (d) The sandbox's own capacity: `concurrency` threads of a plain client, each sending
/// multirequests of 20 adds back to back (no lookups, no journal, no parents). If this falls short
/// of the bound, the server — not kbulk — is what queues.
fn plain_parallel(n: usize, latency: Duration, concurrency: usize) -> Duration {
    let h = sandbox(latency);
    let client = Client::new(&h.api_v3_url(), Duration::from_secs(60)).unwrap();
    let ks = Secret::new(h.admin_ks().unwrap());
    let calls: Vec<Call> = rows(n).iter().map(|(a, b, c)| add(a, b, c)).collect();
    let chunks: Vec<&[Call]> = calls.chunks(20).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { break };
                    let r = client.multirequest(&ks, chunk).expect("answered");
                    assert!(r.iter().all(Result::is_ok));
                }
            });
        }
    });
    let t = start.elapsed();
    assert_eq!(count(&h), n as i64);
    t
}

fn kbulk_submit(n: usize, latency: Duration, concurrency: usize, dir: &Path) -> Duration {
    let h = sandbox(latency);
    let file = dir.join(format!("bench-{n}.csv"));
    let mut text =
        String::from("*action,name,type,systemName,description,tags,parentType,parentSystemName\n");
    for (i, (name, sys, _)) in rows(n).iter().enumerate() {
        if i % 20 == 0 {
            text.push_str(&format!(
                "1,{name},location,{sys},benchmark resource,bench,,\n"
            ));
        } else {
            let parent = format!("b-loc-{}", i / 20 * 20);
            text.push_str(&format!(
                "1,{name},camera,{sys},benchmark resource,bench,location,{parent}\n"
            ));
        }
    }
    std::fs::write(&file, text).unwrap();
    let journal = dir.join(format!("bench-{n}-{concurrency}.journal"));
    let _ = std::fs::remove_file(&journal);
    let mut opts = SubmitOptions::new(
        &h.base_url(),
        Credentials::Ks(Secret::new(h.admin_ks().unwrap())),
        journal,
    );
    opts.concurrency = concurrency;
    opts.batch_size = 20;
    let start = Instant::now();
    let inputs = vec![preflight::check(&file, file.display().to_string().into()).unwrap()];
    let result = submit(&inputs, &opts, &mut |_| {}).expect("submission runs");
    let t = start.elapsed();
    assert_eq!(result.counts(), (n as u64, 0, 0), "every row done");
    assert_eq!(count(&h), n as i64);
    t
}

/// (c)'s throughput against the bound `concurrency × 20 rows / latency`.
fn print_bound(way: &str, n: usize, c: Duration, latency: Duration, concurrency: usize) {
    let bound = (concurrency * 20) as f64 / latency.as_secs_f64().max(1e-9);
    let reached = n as f64 / c.as_secs_f64();
    println!(
        "{way}: {reached:.0} rows/s, {:.0}% of the latency bound ({bound:.0} rows/s)",
        100.0 * reached / bound
    );
}

fn main() {
    let n = env_or("KBULK_BENCH_ROWS", 10_000) as usize;
    let latency = Duration::from_millis(env_or("KBULK_BENCH_LATENCY_MS", 20));
    let concurrency = env_or("KBULK_BENCH_CONCURRENCY", 8) as usize;
    let dir = tempfile::tempdir().unwrap();
    eprintln!(
        "submitting {n} resources three ways, {} ms latency per request",
        latency.as_millis()
    );
    let only_submit = env_or("KBULK_BENCH_ONLY_SUBMIT", 0) == 1;
    if only_submit {
        let d = plain_parallel(n, latency, concurrency);
        eprintln!("(d) done in {d:.2?}");
        let c = kbulk_submit(n, latency, concurrency, dir.path());
        eprintln!("(c) done in {c:.2?}");
        print_bound("(d) plain client", n, d, latency, concurrency);
        print_bound("(c) kbulk submit", n, c, latency, concurrency);
        println!(
            "(c) reaches {:.0}% of (d), the sandbox's own capacity in the same run",
            100.0 * d.as_secs_f64() / c.as_secs_f64()
        );
        return;
    }
    let a = one_call_per_row(n, latency);
    eprintln!("(a) done in {a:.2?}");
    let b = sequential_multirequests(n, latency);
    eprintln!("(b) done in {b:.2?}");
    let c = kbulk_submit(n, latency, concurrency, dir.path());
    eprintln!("(c) done in {c:.2?}");
    let d = plain_parallel(n, latency, concurrency);
    eprintln!("(d) done in {d:.2?}");
    print_bound("(d) plain client", n, d, latency, concurrency);
    print_bound("(c) kbulk submit", n, c, latency, concurrency);
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    let row = |name: &str, d: Duration| -> Value {
        json!([
            name,
            format!("{:.2}", d.as_secs_f64()),
            format!("{:.0}", rate(d)),
            format!("{:.2}×", rate(d) / rate(a)),
            format!("{:.2}×", rate(d) / rate(b))
        ])
    };
    println!(
        "\n{n} resources, {} ms added latency per request:\n",
        latency.as_millis()
    );
    println!("| way | seconds | rows/s | vs (a) | vs (b) |");
    println!("|---|---:|---:|---:|---:|");
    for r in [
        row("(a) one call per row, sequential", a),
        row("(b) multirequests of 20, sequential", b),
        row(
            &format!("(c) kbulk submit, batch 20, concurrency {concurrency}"),
            c,
        ),
    ] {
        let cells: Vec<&str> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        println!("| {} |", cells.join(" | "));
    }
}
