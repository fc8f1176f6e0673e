//! `Retry-After` on 429 and 503 is honoured: a tiny proxy in front of the sandbox answers the
//! first batches of adds "busy, come back later" and records when each request arrived, so the
//! wait is observed on the server's side.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kbulk::sandbox::FaultConfig;

use super::*;

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    adds: bool,
    status: u16,
}

/// How the proxy answers the n-th batch of adds (0-based); `None` forwards it.
type Busy = dyn Fn(usize) -> Option<(u16, String)> + Send + Sync;

/// Reads one HTTP/1.1 request: head lines and body (by Content-Length).
pub(super) fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(Vec<String>, Vec<u8>)> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let length = head
        .iter()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// Sends the request to `upstream` on a fresh connection (`Connection: close`) and returns the
/// whole response.
/// The sandbox's `host:port`, for a proxy in front of it.
pub(super) fn upstream_of(h: &kbulk::sandbox::SandboxHandle) -> String {
    h.base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

pub(super) fn forward(upstream: &str, head: &[String], body: &[u8]) -> Vec<u8> {
    let mut up = TcpStream::connect(upstream).expect("sandbox reachable");
    let mut out = String::new();
    for line in head {
        let name = line.split(':').next().unwrap_or_default();
        if !name.eq_ignore_ascii_case("connection") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    up.write_all(out.as_bytes()).unwrap();
    up.write_all(body).unwrap();
    let mut response = Vec::new();
    let _ = up.read_to_end(&mut response);
    response
}

/// Starts the proxy; returns its base URL and the log of requests.
fn proxy(upstream: String, busy: Arc<Busy>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let (upstream, busy, seen) = (upstream.clone(), Arc::clone(&busy), Arc::clone(&seen));
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                // One request per connection: every answer says `Connection: close`.
                let Some((head, body)) = read_request(&mut reader) else {
                    return;
                };
                let at = Instant::now();
                let adds = String::from_utf8_lossy(&body).contains("\"add\"");
                let answer = {
                    let mut seen = seen.lock().unwrap();
                    let n = seen.iter().filter(|s: &&Seen| s.adds).count();
                    let answer = if adds { busy(n) } else { None };
                    let status = answer.as_ref().map_or(200, |(s, _)| *s);
                    seen.push(Seen { at, adds, status });
                    answer
                };
                let response = match answer {
                    Some((status, retry_after)) => format!(
                        "HTTP/1.1 {status} Busy\r\nRetry-After: {retry_after}\r\n\
                         Content-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    .into_bytes(),
                    None => forward(&upstream, &head, &body),
                };
                let _ = writer.write_all(&response);
            });
        }
    });
    (url, log)
}

#[test]
fn retry_after_in_seconds_and_as_a_date_is_waited_out() {
    let h = sandbox(FaultConfig::default());
    let upstream = upstream_of(&h);
    // The first batch of adds: 429, come back in 1 s. The second: 503, come back at a date 2 s
    // ahead (whole seconds, so at least 1 s from now). Then the sandbox answers.
    let busy: Arc<Busy> = Arc::new(|n| match n {
        0 => Some((429, "1".to_string())),
        1 => {
            let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
            let date = jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&at)
                .unwrap();
            Some((503, date))
        }
        _ => None,
    });
    let (url, log) = proxy(upstream, busy);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "ra.csv", &generated_rows(5, "ra-"));
    let mut opts = options(&h, dir.path().join("ra.journal"));
    opts.service_url = url;
    // Backoff alone would wait milliseconds: any longer wait is the server's.
    opts.retry = RetryPolicy {
        max_retries: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(60),
        jitter: 0.2,
    };
    opts.concurrency = 1;
    let result = kbulk::submit::submit(&checked(&[&file]), &opts, &mut |_| {}).expect("runs");
    assert_eq!(result.counts(), (5, 0, 0));
    assert_exactly_once(&h, 5, "ra-");
    let adds: Vec<Seen> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.adds)
        .cloned()
        .collect();
    let statuses: Vec<u16> = adds.iter().map(|s| s.status).collect();
    assert_eq!(statuses, [429, 503, 200], "{adds:?}");
    let first = adds[1].at - adds[0].at;
    assert!(
        first >= Duration::from_secs(1),
        "waited {first:?} after 429"
    );
    let second = adds[2].at - adds[1].at;
    assert!(
        second >= Duration::from_millis(900),
        "waited {second:?} after 503"
    );
}

#[test]
fn retry_after_is_capped_by_the_longest_wait() {
    let h = sandbox(FaultConfig::default());
    let upstream = upstream_of(&h);
    // An hour is asked for; the policy's longest wait (300 ms here) is what is waited.
    let busy: Arc<Busy> = Arc::new(|n| (n == 0).then(|| (429, "3600".to_string())));
    let (url, log) = proxy(upstream, busy);
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "cap.csv", &generated_rows(3, "cap-"));
    let mut opts = options(&h, dir.path().join("cap.journal"));
    opts.service_url = url;
    opts.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(300),
        jitter: 0.2,
    };
    let result = kbulk::submit::submit(&checked(&[&file]), &opts, &mut |_| {}).expect("runs");
    assert_eq!(result.counts(), (3, 0, 0));
    assert_exactly_once(&h, 3, "cap-");
    let adds: Vec<Seen> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.adds)
        .cloned()
        .collect();
    assert_eq!(adds.len(), 2, "{adds:?}");
    let waited = adds[1].at - adds[0].at;
    // Behaviour, not speed: an hour was asked, the cap is 300 ms.
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(60),
        "waited {waited:?}"
    );
}
