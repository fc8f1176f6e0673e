//! A small HTTP/1.1 server over `std::net`: one thread per connection, keep-alive, bodies with
//! `Content-Length` or chunked, `Expect: 100-continue`, size limits, and the one thing a
//! general-purpose server (tiny_http included) will not do: close a connection without answering,
//! which is how the sandbox injects "applied, then the connection dropped".
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// Longest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: u64 = 64 * 1024;
/// Most headers accepted in one request.
const MAX_HEADERS: usize = 100;
/// An idle keep-alive connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// One parsed HTTP request.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Header names lower-cased, values trimmed, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response to send.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response {
            status,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
        }
    }

    pub fn xml(status: u16, document: String) -> Self {
        Response {
            status,
            content_type: "text/xml",
            body: document.into_bytes(),
        }
    }

    pub fn text(status: u16, text: &str) -> Self {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.as_bytes().to_vec(),
        }
    }
}

/// What the handler wants done with a request.
pub(crate) enum Reply {
    /// Answer it.
    Send(Response),
    /// Close the connection without answering.
    Close,
}

/// Turns requests into replies; called from many connection threads at once.
pub(crate) trait Handler: Send + Sync + 'static {
    fn handle(&self, request: Request) -> Reply;
}

/// Shared run state: the stop flag (with a condition variable so sleeps end early on stop) and the
/// open connections, so stopping can close them.
pub(crate) struct Control {
    stopping: AtomicBool,
    stop_lock: Mutex<()>,
    stop_signal: Condvar,
    conns: Mutex<HashMap<u64, TcpStream>>,
    conns_changed: Condvar,
    next_conn: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Control {
    pub fn new() -> Self {
        Control {
            stopping: AtomicBool::new(false),
            stop_lock: Mutex::new(()),
            stop_signal: Condvar::new(),
            conns: Mutex::new(HashMap::new()),
            conns_changed: Condvar::new(),
            next_conn: AtomicU64::new(0),
        }
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Sleeps for `duration` or until the server stops, whichever comes first.
    pub fn sleep(&self, duration: Duration) {
        let guard = lock(&self.stop_lock);
        let _woken = self
            .stop_signal
            .wait_timeout_while(guard, duration, |_| !self.is_stopping());
    }

    /// Blocks until the server has been asked to stop.
    pub fn wait_stopped(&self) {
        let mut guard = lock(&self.stop_lock);
        while !self.is_stopping() {
            guard = self
                .stop_signal
                .wait(guard)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    fn open_connections(&self) -> usize {
        lock(&self.conns).len()
    }

    /// Stops accepting, wakes sleepers, closes every open connection and waits (bounded) for the
    /// connection threads to finish.
    pub fn stop(&self, listen_addr: SocketAddr, accept_thread: Option<JoinHandle<()>>) {
        {
            let _guard = lock(&self.stop_lock);
            self.stopping.store(true, Ordering::SeqCst);
            self.stop_signal.notify_all();
        }
        // Wake the accept loop, which is blocked in `accept`.
        let _ = TcpStream::connect_timeout(&listen_addr, Duration::from_secs(1));
        if let Some(handle) = accept_thread {
            let _ = handle.join();
        }
        let mut conns = lock(&self.conns);
        for stream in conns.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !conns.is_empty() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            conns = self
                .conns_changed
                .wait_timeout(conns, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// Limits applied to every connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_body_bytes: usize,
    pub max_connections: usize,
}

/// Starts the accept loop on its own thread.
pub(crate) fn serve(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    control: Arc<Control>,
    limits: Limits,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("sandbox-accept".into())
        .spawn(move || {
            for stream in listener.incoming() {
                if control.is_stopping() {
                    break;
                }
                let Ok(stream) = stream else {
                    // Out of descriptors and the like: back off instead of spinning.
                    control.sleep(Duration::from_millis(20));
                    continue;
                };
                if control.open_connections() >= limits.max_connections {
                    let mut s = stream;
                    let _ = write_response(
                        &mut s,
                        &Response::text(503, "too many connections\n"),
                        false,
                    );
                    let _ = s.shutdown(Shutdown::Both);
                    continue;
                }
                let id = control.next_conn.fetch_add(1, Ordering::Relaxed);
                let Ok(registered) = stream.try_clone() else {
                    continue;
                };
                lock(&control.conns).insert(id, registered);
                let (handler, ctl) = (Arc::clone(&handler), Arc::clone(&control));
                let spawned = std::thread::Builder::new()
                    .name(format!("sandbox-conn-{id}"))
                    .spawn(move || {
                        connection(stream, handler.as_ref(), &ctl, limits);
                        lock(&ctl.conns).remove(&id);
                        ctl.conns_changed.notify_all();
                    });
                if spawned.is_err()
                    && let Some(s) = lock(&control.conns).remove(&id)
                {
                    let _ = s.shutdown(Shutdown::Both);
                }
            }
        })
}

/// Why a request could not be read.
enum ReadError {
    /// The client sent something we answer with this status, then close.
    Status(u16, &'static str),
    /// The connection failed or timed out; just close.
    Io,
}

fn connection(stream: TcpStream, handler: &dyn Handler, control: &Control, limits: Limits) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while !control.is_stopping() {
        match read_request(&mut reader, &mut writer, limits.max_body_bytes) {
            Ok(None) | Err(ReadError::Io) => break,
            Err(ReadError::Status(status, text)) => {
                let _ = write_response(&mut writer, &Response::text(status, text), false);
                break;
            }
            Ok(Some((request, keep_alive))) => match handler.handle(request) {
                Reply::Send(response) => {
                    if write_response(&mut writer, &response, keep_alive).is_err() || !keep_alive {
                        break;
                    }
                }
                Reply::Close => break,
            },
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

/// Reads one request; `Ok(None)` when the client closed the connection between requests.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
    max_body: usize,
) -> Result<Option<(Request, bool)>, ReadError> {
    let mut head_budget = MAX_HEAD_BYTES;
    let mut line = read_line(reader, &mut head_budget)?;
    // Tolerate blank lines before a request line (RFC 9112 §2.2).
    while line.as_deref() == Some("") {
        line = read_line(reader, &mut head_budget)?;
    }
    let Some(line) = line else { return Ok(None) };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Status(400, "malformed request line\n"));
    };
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(ReadError::Status(
            505,
            "only HTTP/1.0 and HTTP/1.1 are served\n",
        ));
    }
    let mut headers = Vec::new();
    loop {
        let Some(h) = read_line(reader, &mut head_budget)? else {
            return Err(ReadError::Io);
        };
        if h.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::Status(431, "too many headers\n"));
        }
        let Some((name, value)) = h.split_once(':') else {
            return Err(ReadError::Status(400, "malformed header\n"));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    };
    let mut request = Request {
        method: method.to_string(),
        path,
        query,
        headers,
        body: Vec::new(),
    };
    let connection = request
        .header("connection")
        .unwrap_or("")
        .to_ascii_lowercase();
    let keep_alive = if version == "HTTP/1.1" {
        !connection.contains("close")
    } else {
        connection.contains("keep-alive")
    };
    let expects_continue = request
        .header("expect")
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        send_continue(writer, expects_continue)?;
        request.body = read_chunked(reader, max_body)?;
    } else if let Some(len) = request.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| ReadError::Status(400, "malformed Content-Length\n"))?;
        if len > max_body {
            return Err(ReadError::Status(413, "request body too large\n"));
        }
        send_continue(writer, expects_continue)?;
        request.body = read_exact_len(reader, len)?;
    }
    Ok(Some((request, keep_alive)))
}

fn send_continue(writer: &mut TcpStream, expects_continue: bool) -> Result<(), ReadError> {
    if expects_continue {
        writer
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|_| ReadError::Io)?;
    }
    Ok(())
}

/// Reads one CRLF- (or LF-) terminated line within the head budget; `None` at end of stream.
fn read_line(
    reader: &mut BufReader<TcpStream>,
    budget: &mut u64,
) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::new();
    let n = reader
        .by_ref()
        .take(*budget)
        .read_until(b'\n', &mut buf)
        .map_err(|_| ReadError::Io)?;
    if n == 0 {
        return if *budget == 0 {
            Err(ReadError::Status(431, "request head too large\n"))
        } else {
            Ok(None)
        };
    }
    *budget -= n as u64;
    if buf.last() != Some(&b'\n') {
        return if *budget == 0 {
            Err(ReadError::Status(431, "request head too large\n"))
        } else {
            Err(ReadError::Io)
        };
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| ReadError::Status(400, "request head is not UTF-8\n"))
}

fn read_chunked(reader: &mut BufReader<TcpStream>, max_body: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    let mut budget = MAX_HEAD_BYTES;
    loop {
        let Some(size_line) = read_line(reader, &mut budget)? else {
            return Err(ReadError::Io);
        };
        let size_hex = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| ReadError::Status(400, "malformed chunk size\n"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            while let Some(t) = read_line(reader, &mut budget)? {
                if t.is_empty() {
                    break;
                }
            }
            return Ok(body);
        }
        if body.len().saturating_add(size) > max_body {
            return Err(ReadError::Status(413, "request body too large\n"));
        }
        body.extend(read_exact_len(reader, size)?);
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf).map_err(|_| ReadError::Io)?;
        if &crlf != b"\r\n" {
            return Err(ReadError::Status(400, "malformed chunk\n"));
        }
    }
}

/// Reads exactly `len` bytes, growing the buffer as they arrive: a client that announces a large
/// body and sends nothing costs no memory.
fn read_exact_len(reader: &mut BufReader<TcpStream>, len: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::with_capacity(len.min(64 * 1024));
    reader
        .by_ref()
        .take(len as u64)
        .read_to_end(&mut body)
        .map_err(|_| ReadError::Io)?;
    if body.len() == len {
        Ok(body)
    } else {
        Err(ReadError::Io)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

fn write_response(stream: &mut TcpStream, response: &Response, keep_alive: bool) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    let mut out = Vec::with_capacity(head.len() + response.body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(&response.body);
    stream.write_all(&out)?;
    stream.flush()
}
