//! The sandbox's HTTP/1.1 layer: hyper on a small tokio runtime. hyper parses requests, keeps
//! connections alive, reads chunked bodies, answers `Expect: 100-continue` and enforces the head
//! limits (431) and the header-read timeout; this module adds what hyper leaves to its user: the
//! body size limit (413), a bound on open connections (503 before anything is read), an idle
//! timeout for connections on which nothing moves, stopping, and the one thing a general-purpose
//! server will not do by itself: close a connection without answering, which is how the sandbox
//! injects "applied, then the connection dropped" (the handler's [`Reply::Close`] becomes a
//! service error, on which hyper aborts the connection without writing a response).
//!
//! Handlers are synchronous (SQLite, fault sleeps) and run on tokio's blocking pool, so a slow
//! request never holds the threads that read and write other connections.
use std::io;
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// hyper's own read-buffer bound; raised only when the head limit asks for more.
const HYPER_DEFAULT_BUF: usize = 8192 + 4096 * 100;
/// How long a refused connection (over the bound) is drained before it is closed, so that the
/// client reads the 503 instead of a reset.
const REFUSAL_DRAIN: Duration = Duration::from_millis(500);
/// How long stopping waits for running handlers (sleeps end at once; SQLite work does not).
const STOP_GRACE: Duration = Duration::from_secs(5);

/// One request, its body read in full.
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

/// Turns requests into replies; called from many blocking threads at once.
pub(crate) trait Handler: Send + Sync + 'static {
    fn handle(&self, request: Request) -> Reply;
}

/// Shared run state: the stop flag, with a condition variable so that handler sleeps end early
/// on stop, and a watch channel that tells the accept loop and every connection to end.
pub(crate) struct Control {
    stopping: AtomicBool,
    stop_lock: Mutex<()>,
    stop_signal: Condvar,
    shutdown: watch::Sender<bool>,
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
            shutdown: watch::Sender::new(false),
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

    /// Stops accepting, wakes sleepers, closes every open connection and waits for the server
    /// thread (which gives running handlers a bounded grace).
    pub fn stop(&self, server_thread: Option<JoinHandle<()>>) {
        {
            let _guard = lock(&self.stop_lock);
            self.stopping.store(true, Ordering::SeqCst);
            self.stop_signal.notify_all();
        }
        self.shutdown.send_replace(true);
        if let Some(handle) = server_thread {
            let _ = handle.join();
        }
    }

    /// Resolves once stopping has begun.
    async fn stopped(mut watch: watch::Receiver<bool>) {
        // An error means the sender is gone, which only happens once the server is gone too.
        let _ = watch.wait_for(|stopping| *stopping).await;
    }
}

/// Limits applied to every connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Largest body read; a larger one is answered 413 (before it is read when announced).
    pub max_body_bytes: usize,
    /// Most connections open at once; the next one is answered 503 and closed.
    pub max_connections: usize,
    /// Largest request head (request line and headers); larger: 431 (hyper).
    pub max_header_bytes: usize,
    /// Most headers in one request; more: 431 (hyper).
    pub max_headers: usize,
    /// Time for a whole request head to arrive, counted from when the connection is ready for
    /// one (so it is also how long a keep-alive connection may wait idle for its next request).
    pub header_timeout: Duration,
    /// A connection on which no byte moves for this long, while no handler runs for it, is
    /// closed (a body that stops arriving, a client that never reads).
    pub idle_timeout: Duration,
}

/// Starts the server on its own thread: a two-worker tokio runtime serving `listener`.
pub(crate) fn serve(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    control: Arc<Control>,
    limits: Limits,
) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sandbox-http")
        .enable_io()
        .enable_time()
        .build()?;
    let listener = {
        let _entered = runtime.enter();
        tokio::net::TcpListener::from_std(listener)?
    };
    std::thread::Builder::new()
        .name("sandbox-server".into())
        .spawn(move || {
            runtime.block_on(accept_loop(listener, handler, Arc::clone(&control), limits));
            runtime.shutdown_timeout(STOP_GRACE);
        })
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    handler: Arc<dyn Handler>,
    control: Arc<Control>,
    limits: Limits,
) {
    let open = Arc::new(AtomicUsize::new(0));
    let stopped = Control::stopped(control.shutdown.subscribe());
    tokio::pin!(stopped);
    loop {
        let accepted = tokio::select! {
            () = &mut stopped => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        if open.load(Ordering::SeqCst) >= limits.max_connections {
            tokio::spawn(refuse(stream));
            continue;
        }
        let slot = Slot::take(&open);
        let (handler, watch) = (Arc::clone(&handler), control.shutdown.subscribe());
        tokio::spawn(async move {
            connection(stream, handler, limits, watch).await;
            drop(slot);
        });
    }
}

/// One place under the connection bound, given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>) -> Slot {
        open.fetch_add(1, Ordering::SeqCst);
        Slot(Arc::clone(open))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answers a connection over the bound with 503 before reading anything, then closes it.
async fn refuse(mut stream: TcpStream) {
    let body = "kbulk sandbox: too many connections, try again\n";
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(answer.as_bytes()).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    // Read (and discard) what the client sends for a moment: closing with unread bytes would
    // reset the connection, and the client could lose the answer.
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(REFUSAL_DRAIN, async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// When bytes last moved on a connection, and whether a handler is running for it.
struct Activity {
    opened: Instant,
    last_ms: AtomicU64,
    busy: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            last_ms: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn quiet_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.opened.elapsed().saturating_sub(last)
    }

    /// Marks a handler as running until the guard is dropped.
    fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }

    /// Resolves when nothing has moved for `idle` while no handler ran.
    async fn idle(&self, idle: Duration) {
        loop {
            let quiet = self.quiet_for();
            if quiet >= idle && self.busy.load(Ordering::SeqCst) == 0 {
                return;
            }
            let wait = if quiet >= idle { idle } else { idle - quiet };
            tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
        }
    }
}

struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A socket that records when bytes move on it.
struct Tracked {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves one connection until the client closes it, it stays idle too long, a handler asks to
/// close it, or the server stops; returning drops (closes) the socket.
async fn connection(
    stream: TcpStream,
    handler: Arc<dyn Handler>,
    limits: Limits,
    watch: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        stream,
        activity: Arc::clone(&activity),
    });
    let service = {
        let activity = Arc::clone(&activity);
        service_fn(move |request| {
            answer(
                request,
                Arc::clone(&handler),
                Arc::clone(&activity),
                limits.max_body_bytes,
            )
        })
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_headers(limits.max_headers)
        .max_header_size(limits.max_header_bytes)
        .max_buf_size(limits.max_header_bytes.max(HYPER_DEFAULT_BUF));
    let served = builder.serve_connection(io, service);
    tokio::select! {
        _ = served => {}
        () = activity.idle(limits.idle_timeout) => {}
        () = Control::stopped(watch) => {}
    }
}

/// The handler asked to close the connection without an answer.
#[derive(Debug)]
struct CloseWithoutAnswer;

impl std::fmt::Display for CloseWithoutAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("closed without an answer")
    }
}

impl std::error::Error for CloseWithoutAnswer {}

type HyperResponse = hyper::Response<Full<Bytes>>;

/// Reads the body under the limit and runs the handler on the blocking pool.
async fn answer(
    request: hyper::Request<Incoming>,
    handler: Arc<dyn Handler>,
    activity: Arc<Activity>,
    max_body: usize,
) -> Result<HyperResponse, CloseWithoutAnswer> {
    let (parts, body) = request.into_parts();
    let too_large = || to_hyper(Response::text(413, "request body too large\n"), false);
    if body.size_hint().lower() > max_body as u64 {
        return Ok(too_large());
    }
    let body = match Limited::new(body, max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => return Ok(too_large()),
        // The client went away or sent a malformed body: nothing to answer.
        Err(_) => return Err(CloseWithoutAnswer),
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).trim().to_string();
            (name.as_str().to_string(), value)
        })
        .collect();
    let request = Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body: body.to_vec(),
    };
    let busy = activity.busy();
    let reply = tokio::task::spawn_blocking(move || handler.handle(request)).await;
    drop(busy);
    match reply {
        Ok(Reply::Send(response)) => Ok(to_hyper(response, true)),
        // A handler that panicked is treated like a dropped connection: the client sees no answer.
        Ok(Reply::Close) | Err(_) => Err(CloseWithoutAnswer),
    }
}

fn to_hyper(response: Response, keep_alive: bool) -> HyperResponse {
    let mut out = hyper::Response::new(Full::new(Bytes::from(response.body)));
    *out.status_mut() = hyper::StatusCode::from_u16(response.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(response.content_type),
    );
    if !keep_alive {
        headers.insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
    }
    out
}
