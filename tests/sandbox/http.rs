//! The HTTP layer over raw sockets: keep-alive, chunked request bodies, the body and head limits,
//! the header-read and idle timeouts, and time spent in a handler not counting as idle.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use kbulk::sandbox::{FaultConfig, SandboxConfig};

use super::*;

/// Longest any single read in these tests waits; every timeout under test is much shorter, so a
/// read that hits this is a server that failed to answer or close.
const READ_LIMIT: Duration = Duration::from_secs(20);

fn connect(h: &SandboxHandle) -> TcpStream {
    let s = TcpStream::connect(h.addr()).expect("connect");
    s.set_read_timeout(Some(READ_LIMIT)).unwrap();
    s
}

/// One response read off the socket: status, lower-cased headers, body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one `Content-Length` response; panics on a timeout or a close before it is complete.
fn read_answer(s: &mut TcpStream) -> Answer {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = s
            .read(&mut byte)
            .expect("the answer arrives before the read limit");
        assert_eq!(
            n,
            1,
            "closed in the head: {}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("the body arrives");
    Answer {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

/// True when the server closed the connection (EOF or reset) before the read limit.
fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    match s.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
        ),
    }
}

const PING_JSON: &str = r#"{"format":1}"#;

#[test]
fn one_connection_serves_many_requests_with_chunked_and_sized_bodies() {
    let h = start();
    let mut s = connect(&h);
    let ping = "/api_v3/service/system/action/ping";
    // Chunked: the JSON body in three chunks, one with an extension, and a trailer.
    let (a, b) = PING_JSON.split_at(5);
    let chunked = format!(
        "POST {ping} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x};ext=1\r\n{b}\r\n0\r\nX-Trailer: t\r\n\r\n",
        a.len(),
        b.len()
    );
    s.write_all(chunked.as_bytes()).unwrap();
    let first = read_answer(&mut s);
    assert_eq!((first.status, first.body.as_str()), (200, "true"));
    assert_eq!(first.header("content-type"), Some("application/json"));
    // The same socket again, with Content-Length and Expect: 100-continue.
    let sized = format!(
        "POST {ping} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        PING_JSON.len()
    );
    s.write_all(sized.as_bytes()).unwrap();
    let interim = read_answer(&mut s);
    assert_eq!(interim.status, 100, "100 Continue before the body");
    s.write_all(PING_JSON.as_bytes()).unwrap();
    let second = read_answer(&mut s);
    assert_eq!((second.status, second.body.as_str()), (200, "true"));
    // And a GET with the parameters in the query string; XML when no format is given.
    s.write_all(format!("GET {ping}?x=1 HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .unwrap();
    let third = read_answer(&mut s);
    assert_eq!(third.status, 200);
    assert!(third.body.contains("<result>1</result>"), "{}", third.body);
    // `Connection: close` is honoured: the answer, then the close.
    s.write_all(
        format!("GET {ping}?format=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    assert_eq!(read_answer(&mut s).body, "true");
    assert!(closed_by_server(&mut s));
}

#[test]
fn bodies_and_heads_over_the_limits_are_refused_with_413_and_431() {
    let h = start_with(SandboxConfig {
        max_body_bytes: 1024,
        max_headers: 10,
        max_header_bytes: 2048,
        ..SandboxConfig::default()
    });
    let ping = "/api_v3/service/system/action/ping";
    // Announced too large: refused before the body is sent.
    let mut s = connect(&h);
    s.write_all(
        format!("POST {ping} HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n").as_bytes(),
    )
    .unwrap();
    assert_eq!(read_answer(&mut s).status, 413);
    // Chunked past the limit: refused once the limit is crossed.
    let mut s = connect(&h);
    let big = "a".repeat(1500);
    s.write_all(
        format!(
            "POST {ping} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{big}\r\n",
            big.len()
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(read_answer(&mut s).status, 413);
    // Within the limit, the same body size is fine.
    let mut s = connect(&h);
    let body = format!(r#"{{"format":1,"pad":"{}"}}"#, "a".repeat(900));
    s.write_all(
        format!(
            "POST {ping} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(read_answer(&mut s).body, "true");
    // Too many headers.
    let mut s = connect(&h);
    let many: String = (0..20).map(|i| format!("X-H{i}: v\r\n")).collect();
    s.write_all(format!("GET {ping} HTTP/1.1\r\nHost: x\r\n{many}\r\n").as_bytes())
        .unwrap();
    assert_eq!(read_answer(&mut s).status, 431);
    // A head over the size limit.
    let mut s = connect(&h);
    let long = "v".repeat(4096);
    s.write_all(format!("GET {ping} HTTP/1.1\r\nHost: x\r\nX-Long: {long}\r\n\r\n").as_bytes())
        .unwrap();
    assert_eq!(read_answer(&mut s).status, 431);
}

#[test]
fn a_half_sent_head_or_a_stalled_body_is_closed_at_its_timeout_but_handler_time_is_not_idle() {
    let h = start_with(SandboxConfig {
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        faults: FaultConfig {
            latency: Duration::from_millis(2500),
            ..FaultConfig::default()
        },
        ..SandboxConfig::default()
    });
    // Half a head: closed at the header timeout (well before the read limit).
    let mut s = connect(&h);
    s.write_all(b"POST /api_v3/service/system/action/ping HTTP/1.1\r\nHost: x\r\nContent-Le")
        .unwrap();
    assert!(closed_by_server(&mut s), "a half head is closed");
    // A body that stops arriving: closed at the idle timeout.
    let mut s = connect(&h);
    s.write_all(
        b"POST /api_v3/service/system/action/ping HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"form",
    )
    .unwrap();
    assert!(closed_by_server(&mut s), "a stalled body is closed");
    // A request whose handler takes longer than the idle timeout (injected latency) is answered.
    let mut s = connect(&h);
    let body = r#"{"format":1,"ks":"none"}"#;
    s.write_all(
        format!(
            "POST /api_v3/service/schedule_scheduleresource/action/list HTTP/1.1\r\nHost: x\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    let answer = read_answer(&mut s);
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains("INVALID_KS"), "{}", answer.body);
}
