//! Benchmark: submitting schedule resources to the sandbox with 20 ms added latency per request,
//! each way against a fresh sandbox:
//!
//! - (a) one `schedule_scheduleresource.add` call per row, sequentially (an ad-hoc script);
//! - (b) sequential multirequests of 20 adds (Kaltura's own bulk worker pattern);
//! - (c) `kbulk::submit::submit` — lookups, journal, dependency waves — with multirequests of 20
//!   and 8 in flight; timed from the call of `submit()` to its return (the preflight check of
//!   the file is timed apart and shown beside it, and so is the time to the first batch sent);
//! - (d) a plain client: `concurrency` threads sending multirequests of 20 adds back to back —
//!   what the sandbox itself can answer on this machine, measured in the same run.
//!
//! Prints a Markdown table of (a), (b), (c) (rows/s, ratios), then `KBULK_BENCH_RUNS` (default 3)
//! alternating runs of (d) and (c): rows/s of each as a share of the latency bound,
//! `concurrency × 20 rows / latency` (8,000 rows/s at 20 ms and 8 in flight), over the whole run
//! and in the steady state (between 10 % and 90 % of the rows done, which leaves out start-up and
//! the tail), (c) as a share of (d), and the median of each column. Every run checks that exactly
//! one resource exists per row.
//!
//! Run: `cargo bench --bench submit`. `KBULK_BENCH_ROWS` sets the rows (default 10,000; the
//! one-call-per-row baseline alone then takes over 200 s), `KBULK_BENCH_LATENCY_MS` the added
//! latency (default 20), `KBULK_BENCH_CONCURRENCY` the concurrency of (c) and (d) (default 8);
//! `KBULK_BENCH_ONLY_SUBMIT=1` skips (a) and (b); `KBULK_BENCH_QUEUED` the batches (c) queues per
//! worker beyond those in flight (default `exec::QUEUED_PER_WORKER`, 3; 1 was the old value).
use std::path::Path;
use std::time::{Duration, Instant};

use kbulk::sandbox::{FaultConfig, Sandbox, SandboxConfig, SandboxHandle};
use kbulk::submit::auth::{Credentials, Secret};
use kbulk::submit::client::Client;
use kbulk::submit::multirequest::Call;
use kbulk::submit::{Phase, SubmitOptions, preflight, submit};
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
fn plain_parallel(n: usize, latency: Duration, concurrency: usize) -> Timed {
    let h = sandbox(latency);
    let client = Client::new(&h.api_v3_url(), Duration::from_secs(60)).unwrap();
    let ks = Secret::new(h.admin_ks().unwrap());
    let calls: Vec<Call> = rows(n).iter().map(|(a, b, c)| add(a, b, c)).collect();
    let chunks: Vec<&[Call]> = calls.chunks(20).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let answered = std::sync::Mutex::new(Vec::new());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..concurrency {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { break };
                    let r = client.multirequest(&ks, chunk).expect("answered");
                    assert!(r.iter().all(Result::is_ok));
                    answered
                        .lock()
                        .unwrap()
                        .push((start.elapsed(), chunk.len() as u64));
                }
            });
        }
    });
    let t = start.elapsed();
    assert_eq!(count(&h), n as i64);
    let mut done = 0;
    let mut samples = answered.into_inner().unwrap();
    samples.sort();
    for s in &mut samples {
        done += s.1;
        s.1 = done;
    }
    Timed {
        preflight: Duration::ZERO,
        submit: t,
        first_send: Duration::ZERO,
        samples,
    }
}

/// What one run of (c) measured.
struct Timed {
    /// `preflight::check` of the input (reading and checking the CSV): not in `submit`.
    preflight: Duration,
    /// `submit()` from its call to its return: session, journal, lookups, sending, results.
    submit: Duration,
    /// From the call of `submit()` to the first batch handed to the executor (the journal
    /// created, the planner built, the first lookups answered).
    first_send: Duration,
    /// (time since the start, rows done by then), in time order: what the steady-state rate is
    /// read from.
    samples: Vec<(Duration, u64)>,
}

impl Timed {
    /// Rows/s between the moments 10 % and 90 % of the `n` rows were done: the rate once the
    /// pipe is full, without start-up (session, journal, lookups, the first answers) or the
    /// tail (the last batches, fewer than `concurrency` in flight). `None` with too few samples.
    fn steady(&self, n: usize) -> Option<f64> {
        let at = |share: u64| {
            self.samples
                .iter()
                .find(|(_, done)| *done * 10 >= n as u64 * share)
                .copied()
        };
        let ((t1, d1), (t2, d2)) = (at(1)?, at(9)?);
        let dt = t2.checked_sub(t1)?.as_secs_f64();
        (d2 > d1 && dt > 0.0).then(|| (d2 - d1) as f64 / dt)
    }
}

fn kbulk_submit(n: usize, latency: Duration, concurrency: usize, dir: &Path, run: usize) -> Timed {
    let h = sandbox(latency);
    let file = dir.join(format!("bench-{n}-{run}.csv"));
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
    let journal = dir.join(format!("bench-{n}-{concurrency}-{run}.journal"));
    let _ = std::fs::remove_file(&journal);
    let mut opts = SubmitOptions::new(
        &h.base_url(),
        Credentials::Ks(Secret::new(h.admin_ks().unwrap())),
        journal,
    );
    opts.concurrency = concurrency;
    opts.batch_size = 20;
    opts.queued_per_worker = env_or(
        "KBULK_BENCH_QUEUED",
        kbulk::submit::exec::QUEUED_PER_WORKER as u64,
    ) as usize;
    let start = Instant::now();
    let inputs = vec![preflight::check(&file, file.display().to_string().into()).unwrap()];
    let preflight = start.elapsed();
    let start = Instant::now();
    let mut first_send = None;
    let mut samples: Vec<(Duration, u64)> = Vec::new();
    let result = submit(&inputs, &opts, &mut |p| {
        if p.phase == Phase::Sending && first_send.is_none() {
            first_send = Some(start.elapsed());
        }
        if samples.last().is_none_or(|&(_, d)| d < p.done) {
            samples.push((start.elapsed(), p.done));
        }
    })
    .expect("submission runs");
    let submit = start.elapsed();
    assert_eq!(result.counts(), (n as u64, 0, 0), "every row done");
    assert_eq!(count(&h), n as i64);
    Timed {
        preflight,
        submit,
        first_send: first_send.unwrap_or(submit),
        samples,
    }
}

/// The latency bound: `concurrency` multirequests of 20 rows in flight, each taking `latency`.
fn bound(latency: Duration, concurrency: usize) -> f64 {
    (concurrency * 20) as f64 / latency.as_secs_f64().max(1e-9)
}

/// A throughput and its share of the bound, as the tables print it.
fn share(n: usize, d: Duration, latency: Duration, concurrency: usize) -> String {
    let reached = n as f64 / d.as_secs_f64();
    format!(
        "{reached:.0} rows/s ({:.0} %)",
        100.0 * reached / bound(latency, concurrency)
    )
}

/// `rate` rows/s and its share of the bound, as the tables print it.
fn rate_share(rate: f64, latency: Duration, concurrency: usize) -> String {
    format!(
        "{rate:.0} rows/s ({:.0} %)",
        100.0 * rate / bound(latency, concurrency)
    )
}

/// (d) and (c) `runs` times, alternating, each against a fresh sandbox; prints every run and the
/// median of each column: the whole run, and the steady state (from 10 % to 90 % of the rows
/// done).
fn submit_runs(n: usize, latency: Duration, concurrency: usize, dir: &Path, runs: usize) {
    let mut plain = Vec::new();
    let mut kbulk = Vec::new();
    for run in 0..runs {
        let d = plain_parallel(n, latency, concurrency);
        let c = kbulk_submit(n, latency, concurrency, dir, run);
        eprintln!(
            "run {}: (d) {:.2?}, (c) {:.2?} (first batch sent after {:.2?}; preflight {:.2?})",
            run + 1,
            d.submit,
            c.submit,
            c.first_send,
            c.preflight
        );
        plain.push(d);
        kbulk.push(c);
    }
    println!(
        "\n{n} resources, {} ms latency, batch 20, concurrency {concurrency}: latency bound \
         {:.0} rows/s. Whole run: (c) is `submit()` from its call to its return (session, \
         journal, lookups, sending, results), (c)+pre adds the preflight check of the file; \
         steady state: rows/s between 10 % and 90 % of the rows done, (d) and (c) alike.\n",
        latency.as_millis(),
        bound(latency, concurrency)
    );
    println!(
        "| run | (d) plain, whole run | (c) kbulk, whole run | (c)+pre | (c) / (d) | \
         (d) plain, steady | (c) kbulk, steady | (c) / (d) steady | first send | preflight |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let steady = |t: &Timed| t.steady(n).unwrap_or(0.0);
    let line = |name: &str, d: &Timed, c: &Timed, ds: f64, cs: f64| {
        println!(
            "| {name} | {} | {} | {} | {:.0} % | {} | {} | {:.0} % | {:.0} ms | {:.0} ms |",
            share(n, d.submit, latency, concurrency),
            share(n, c.submit, latency, concurrency),
            share(n, c.submit + c.preflight, latency, concurrency),
            100.0 * d.submit.as_secs_f64() / c.submit.as_secs_f64(),
            rate_share(ds, latency, concurrency),
            rate_share(cs, latency, concurrency),
            100.0 * cs / ds.max(1e-9),
            c.first_send.as_secs_f64() * 1e3,
            c.preflight.as_secs_f64() * 1e3
        );
    };
    for (run, (d, c)) in plain.iter().zip(&kbulk).enumerate() {
        line(&format!("{}", run + 1), d, c, steady(d), steady(c));
    }
    if runs > 1 {
        let median = |mut v: Vec<Duration>| {
            v.sort();
            v[v.len() / 2]
        };
        let median_f = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let m = |t: &[Timed]| Timed {
            submit: median(t.iter().map(|c| c.submit).collect()),
            first_send: median(t.iter().map(|c| c.first_send).collect()),
            preflight: median(t.iter().map(|c| c.preflight).collect()),
            samples: Vec::new(),
        };
        line(
            "median",
            &m(&plain),
            &m(&kbulk),
            median_f(plain.iter().map(steady).collect()),
            median_f(kbulk.iter().map(steady).collect()),
        );
    }
}

fn main() {
    let n = env_or("KBULK_BENCH_ROWS", 10_000) as usize;
    let latency = Duration::from_millis(env_or("KBULK_BENCH_LATENCY_MS", 20));
    let concurrency = env_or("KBULK_BENCH_CONCURRENCY", 8) as usize;
    let runs = env_or("KBULK_BENCH_RUNS", 3).max(1) as usize;
    let dir = tempfile::tempdir().unwrap();
    eprintln!(
        "submitting {n} resources, {} ms latency per request",
        latency.as_millis()
    );
    if env_or("KBULK_BENCH_ONLY_SUBMIT", 0) == 1 {
        submit_runs(n, latency, concurrency, dir.path(), runs);
        return;
    }
    let a = one_call_per_row(n, latency);
    eprintln!("(a) done in {a:.2?}");
    let b = sequential_multirequests(n, latency);
    eprintln!("(b) done in {b:.2?}");
    let c = kbulk_submit(n, latency, concurrency, dir.path(), 0);
    eprintln!("(c) done in {:.2?}", c.submit);
    let c = c.submit + c.preflight;
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
            &format!("(c) kbulk submit (with preflight), batch 20, concurrency {concurrency}"),
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
    submit_runs(n, latency, concurrency, dir.path(), runs);
}
