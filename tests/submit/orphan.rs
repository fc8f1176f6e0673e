//! A request left in flight by a killed run may reach the server after the resumed run has
//! looked its rows up. The soak found it (`KBULK_SOAK_KILLS=200 KBULK_KILL_SEED=2026120221`, XML
//! entries, round 78: 201 entries for 200 rows); this pins it deterministically: a proxy holds
//! every batch of adds for a second before passing it on, the first run is killed while its adds
//! are held, and the resumed run must not add the entries again.
use std::io::{BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kbulk::sandbox::FaultConfig;

use super::retry_after::{forward, read_request};
use super::*;

/// Requests of adds seen, and requests forwarded and answered.
#[derive(Default)]
struct Log {
    adds: AtomicUsize,
    open: AtomicUsize,
}

/// A proxy to `upstream` that holds every request carrying an `add` for `hold` first, and
/// forwards it even if its client is gone (as a server would process it).
fn holding_proxy(upstream: String, hold: Duration) -> (String, Arc<Log>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Log::default());
    let shared = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let (upstream, log) = (upstream.clone(), Arc::clone(&shared));
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let Some((head, body)) = read_request(&mut reader) else {
                    return;
                };
                log.open.fetch_add(1, Ordering::SeqCst);
                if String::from_utf8_lossy(&body).contains("\"add\"") {
                    log.adds.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(hold);
                }
                let response = forward(&upstream, &head, &body);
                let _ = writer.write_all(&response);
                log.open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    (url, log)
}

#[test]
fn adds_a_killed_run_left_in_flight_are_not_sent_again() {
    let h = sandbox(FaultConfig::default());
    let upstream = super::retry_after::upstream_of(&h);
    let (url, log) = holding_proxy(upstream, Duration::from_secs(1));
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<String> = (0..5)
        .map(|i| super::entries::url_item(&format!("orphan-{i}"), ""))
        .collect();
    let file = super::entries::xml(dir.path(), "o.xml", &items);
    let path = file.to_str().unwrap();
    let args = [path, "--retry-delay-ms", "5"];
    let mut first = submit_cmd(&h, &args);
    first
        .env("KALTURA_SERVICE_URL", &url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = first.spawn().expect("kbulk starts");
    // Kill it while its adds are held by the proxy: sent, not yet applied.
    let deadline = Instant::now() + Duration::from_secs(60);
    while log.adds.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the first run sent its adds");
        assert!(child.try_wait().unwrap().is_none(), "the first run is held");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut resumed = submit_cmd(&h, &[path, "--retry-delay-ms", "5", "--resume"]);
    resumed.env("KALTURA_SERVICE_URL", &url);
    let out = run(resumed);
    assert_eq!(code(&out), 0, "{}", text(&out));
    // Let every request still held reach the sandbox before counting.
    while log.open.load(Ordering::SeqCst) > 0 {
        assert!(
            Instant::now() < deadline,
            "the held requests were passed on"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let all = super::entries::entries(&h);
    let by_ref = count_by(&all, "referenceId");
    for i in 0..5 {
        let r = format!("orphan-{i}");
        assert_eq!(by_ref.get(&r), Some(&1), "{r} exactly once: {by_ref:?}");
    }
    assert_eq!(all.len(), 5);
}
