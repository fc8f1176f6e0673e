//! `kbulk sandbox`: a local Kaltura-compatible API server for rehearsals and tests.
//!
//! It speaks API v3 (`/api_v3/service/{service}/action/{action}`, multirequest included) and the
//! App Registry REST service (`/api/v1/app-registry/...`) on one port, keeps its data in SQLite
//! (in memory or in a file), and can inject the faults that create duplicates in the wild:
//! latency, HTTP 5xx, "applied, then the connection dropped", and timeouts.
//!
//! ```no_run
//! use kbulk::sandbox::{Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::default())?;
//! let api = sandbox.api_v3_url(); // e.g. http://127.0.0.1:41234/api_v3
//! let ks = sandbox.admin_ks()?;   // a KS without a session.start round trip
//! // ... drive a client against `api` ...
//! assert_eq!(sandbox.stats().dropped, 0);
//! sandbox.stop();
//! # Ok::<(), kbulk::sandbox::SandboxError>(())
//! ```
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

mod api_v3;
mod app_registry;
mod bulk;
mod categories;
mod category_users;
mod config;
mod entries;
mod error;
mod events;
mod faults;
mod fields;
mod http;
mod ks;
mod list;
mod multipart;
mod params;
mod random;
mod resources;
mod server;
mod session;
mod store;
mod upload;
mod users;
mod xml;

pub use bulk::{
    BulkApi, BulkConfig, BulkEnd, BulkEngine, BulkFault, BulkJob, BulkKind, BulkResult, status,
};
pub use config::{
    AppToken, DEFAULT_ADMIN_SECRET, DEFAULT_PARTNER_ID, DEFAULT_USER_SECRET, FaultConfig, HashType,
    SandboxConfig, SessionType,
};
pub use faults::Stats;

/// Why a sandbox could not start or act.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SandboxError {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    #[diagnostic(code(kbulk::sandbox::listen))]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The database could not be opened or initialised.
    #[error("cannot open the sandbox database: {0}")]
    #[diagnostic(code(kbulk::sandbox::store))]
    Store(String),
    /// The configuration is inconsistent (e.g. fault rates adding up to more than 1).
    #[error("invalid sandbox configuration: {0}")]
    #[diagnostic(code(kbulk::sandbox::config))]
    Config(String),
    /// A thread could not be started.
    #[error("cannot start the sandbox: {0}")]
    #[diagnostic(code(kbulk::sandbox::thread))]
    Thread(std::io::Error),
}

/// Starts sandboxes.
pub struct Sandbox;

impl Sandbox {
    /// Opens the store, binds the address and starts serving on background threads. The server
    /// runs until [`SandboxHandle::stop`] is called or the handle is dropped.
    pub fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
        config.faults.validate().map_err(SandboxError::Config)?;
        let limits = http_limits(&config)?;
        let store = store::Store::open(config.db.as_deref())
            .map_err(|e| SandboxError::Store(e.to_string()))?;
        let listener = TcpListener::bind(config.listen).map_err(|source| SandboxError::Listen {
            addr: config.listen,
            source,
        })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SandboxError::Listen {
                addr: config.listen,
                source,
            })?;
        let control = Arc::new(http::Control::new());
        let (bulk, bulk_queue) = bulk::worker::Bulk::new(config.bulk.clone());
        let shared = Arc::new(server::Shared {
            partner_id: config.partner_id,
            admin_secret: config.admin_secret,
            user_secret: config.user_secret,
            entitlement: config.entitlement,
            app_tokens: config.app_tokens,
            store,
            ids: random::IdGen::new(),
            faults: faults::Faults::new(config.faults),
            counters: faults::Counters::default(),
            control: Arc::clone(&control),
            bulk,
        });
        bulk::worker::spawn(Arc::clone(&shared), bulk_queue).map_err(SandboxError::Thread)?;
        let router = Arc::new(server::Router {
            shared: Arc::clone(&shared),
        });
        let accept = http::serve(listener, router, Arc::clone(&control), limits)
            .map_err(SandboxError::Thread)?;
        Ok(SandboxHandle {
            addr,
            shared,
            accept: Some(accept),
        })
    }
}

/// The HTTP limits of `config`, refused when one would make the server unusable.
fn http_limits(config: &SandboxConfig) -> Result<http::Limits, SandboxError> {
    let at_least = |what: &str, value: usize, min: usize| {
        if value < min {
            Err(SandboxError::Config(format!(
                "{what} must be at least {min}"
            )))
        } else {
            Ok(())
        }
    };
    at_least("max_connections", config.max_connections, 1)?;
    at_least("max_headers", config.max_headers, 1)?;
    // A request line, Host and Content-Type fit in 1 KiB; less would refuse ordinary clients.
    at_least("max_header_bytes", config.max_header_bytes, 1024)?;
    for (what, value) in [
        ("header_timeout", config.header_timeout),
        ("idle_timeout", config.idle_timeout),
    ] {
        if value.is_zero() {
            return Err(SandboxError::Config(format!("{what} must not be zero")));
        }
    }
    Ok(http::Limits {
        max_body_bytes: config.max_body_bytes,
        max_connections: config.max_connections,
        max_header_bytes: config.max_header_bytes,
        max_headers: config.max_headers,
        header_timeout: config.header_timeout,
        idle_timeout: config.idle_timeout,
    })
}

/// A running sandbox. Dropping it stops the server (see [`SandboxHandle::stop`]).
pub struct SandboxHandle {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    accept: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// The address the server listens on (with the real port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the root every path hangs from.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/api_v3`: the API v3 service URL (calls go to
    /// `{this}/service/{service}/action/{action}`, multirequests to `{this}/service/multirequest`).
    pub fn api_v3_url(&self) -> String {
        format!("{}/api_v3", self.base_url())
    }

    /// `http://127.0.0.1:PORT/api/v1`: the App Registry base URL (the seed's
    /// `$KALTURA_APP_REGISTRY_URL`; endpoints are `{this}/app-registry/{action}`).
    pub fn app_registry_url(&self) -> String {
        format!("{}/api/v1", self.base_url())
    }

    /// The partner id the sandbox hosts.
    pub fn partner_id(&self) -> i64 {
        self.shared.partner_id
    }

    /// Opens an ADMIN session directly (no HTTP round trip, no fault) and returns its KS.
    pub fn admin_ks(&self) -> Result<String, SandboxError> {
        self.ks(SessionType::Admin)
    }

    /// Opens a session of the given type directly and returns its KS (valid for a day).
    pub fn ks(&self, session_type: SessionType) -> Result<String, SandboxError> {
        let shared = &self.shared;
        shared
            .store
            .tx(|tx| session::issue(tx, shared, session_type, "sandbox", 86_400, "", false))
            .map(|s| s.ks)
            .map_err(|e| SandboxError::Store(e.message))
    }

    /// Counters (requests, faults, calls by `service.action`) and object counts.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Replaces the fault configuration and restarts its sequence, e.g. to set fixtures up
    /// without faults and then turn them on.
    pub fn set_faults(&self, faults: FaultConfig) -> Result<(), SandboxError> {
        faults.validate().map_err(SandboxError::Config)?;
        self.shared.faults.set(faults);
        Ok(())
    }

    /// Replaces the bulk-job fault (e.g. to let jobs stuck in QUEUED through after a test).
    pub fn set_bulk_fault(&self, fault: BulkFault) {
        self.shared.bulk.set_fault(fault);
    }

    /// Blocks the calling thread until the sandbox is stopped (the CLI serves this way).
    pub fn wait(&self) {
        self.shared.control.wait_stopped();
    }

    /// Stops accepting, closes open connections (held requests end at once) and waits for the
    /// server threads. The database file, if any, keeps everything committed.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(accept) = self.accept.take() {
            self.shared.control.stop(Some(accept));
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("addr", &self.addr)
            .field("partner_id", &self.shared.partner_id)
            .finish()
    }
}
