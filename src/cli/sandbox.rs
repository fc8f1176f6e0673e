//! `kbulk sandbox`: start the local Kaltura-compatible server, print its URLs, serve until killed.
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use kbulk::sandbox::{
    AppToken, DEFAULT_ADMIN_SECRET, DEFAULT_PARTNER_ID, DEFAULT_USER_SECRET, FaultConfig, Sandbox,
    SandboxConfig,
};

use super::{CliError, Exit};

/// Options of `kbulk sandbox`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Serves API v3 (sessions, app tokens, schedule resources and events, uploads, media, multirequest) \
and the App Registry REST service on one port; nothing leaves this machine. Point a client at the \
printed API v3 URL (Kaltura's serviceUrl + /api_v3) or App Registry URL (the seed's \
$KALTURA_APP_REGISTRY_URL); counters are at /__sandbox/stats. The default secrets are public: \
use them only with the sandbox. See docs/sandbox.md.

Example: kbulk sandbox --listen 127.0.0.1:0 --app-token dev:s3cret:SHA256 --drop-rate 0.05 --seed 7")]
pub struct SandboxArgs {
    /// Address to listen on: a loopback IP and port, or just a port. Port 0 picks a free port
    /// and prints it.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8642", value_parser = parse_listen)]
    pub listen: SocketAddr,

    /// The partner id the sandbox hosts (sessions for any other partner are refused).
    #[arg(long, value_name = "ID", default_value_t = DEFAULT_PARTNER_ID)]
    pub partner_id: i64,

    /// Admin secret for `session.start` (ADMIN or USER sessions). Never printed.
    #[arg(long, value_name = "SECRET", env = "KBULK_SANDBOX_ADMIN_SECRET", hide_env_values = true,
          default_value = DEFAULT_ADMIN_SECRET)]
    pub admin_secret: String,

    /// User secret for `session.start` (USER sessions only). Never printed.
    #[arg(long, value_name = "SECRET", env = "KBULK_SANDBOX_USER_SECRET", hide_env_values = true,
          default_value = DEFAULT_USER_SECRET)]
    pub user_secret: String,

    /// An app token for `appToken.startSession`, as ID:TOKEN[:HASH[:TYPE]]; HASH is SHA1
    /// (default), MD5, SHA256 or SHA512, TYPE is user (default) or admin. Repeatable.
    #[arg(long = "app-token", value_name = "ID:TOKEN[:HASH[:TYPE]]")]
    pub app_tokens: Vec<AppToken>,

    /// Enforce entry entitlement by default for the partner (Kaltura's per-partner setting):
    /// entries in a category are hidden from sessions whose user neither owns them nor is among
    /// their entitled users, unless the KS has the `disableentitlement` privilege.
    #[arg(long)]
    pub entitlement: bool,

    /// SQLite file to keep the data in (created if missing; survives restarts). Without it the
    /// data lives in memory and is gone when the sandbox stops.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Seed of the fault generator: the same seed and the same request sequence meet the same faults.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,

    /// Delay added before every API request (App Registry included; system.ping exempt).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Share of API requests answered with HTTP 503 and NOT applied (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fail_rate: f64,

    /// Share of API requests applied (committed) and then dropped: the connection closes with no
    /// response, as when a proxy or network fails after the server did the work (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub drop_rate: f64,

    /// Share of API requests applied (committed), then held for --timeout-ms without a response
    /// and closed: what a client that times out cannot tell from a lost request (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub timeout_rate: f64,

    /// How long a timed-out request is held before its connection is closed.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    pub timeout_ms: u64,

    /// Largest request body accepted, in MiB (larger ones get HTTP 413).
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    pub max_body_mb: usize,

    /// Most connections open at once; the next client is answered HTTP 503 at once (before
    /// anything is read) and closed.
    #[arg(long, value_name = "N", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Largest request head (request line and headers), in KiB; larger ones get HTTP 431.
    #[arg(long, value_name = "KIB", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_header_kb: u32,

    /// Most headers in one request; more get HTTP 431.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_headers: u32,

    /// Seconds for a whole request head to arrive once a connection is ready for one (after it
    /// opens, or after the previous answer on a keep-alive connection); then it is closed.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,

    /// Seconds a connection may stay without a byte moving (a body that stops arriving, a client
    /// that does not read) before it is closed; time spent answering does not count.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,

    /// Pause before each status change of a server-side bulk job (PENDING → QUEUED →
    /// PROCESSING → ...), and between the worker's runs of 101 rows.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub bulk_step_ms: u64,

    /// The worker's `maxRecords` for bulk jobs (Kaltura's shipped configuration: 1000; 0: none).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub bulk_max_records: u64,

    /// A bulk-job fault: none, stuck-queued (jobs never leave QUEUED), fail (jobs fail as a
    /// whole) or drop-polls (every other bulkupload_bulk.get is answered by closing the connection).
    #[arg(long, value_name = "FAULT", default_value = "none")]
    pub bulk_fault: kbulk::sandbox::BulkFault,
}

/// Accepts `PORT` or `IP:PORT` with a loopback IP: the sandbox has no real security, so it never
/// listens beyond this machine.
fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let addr = match text.parse::<u16>() {
        Ok(port) => SocketAddr::from(([127, 0, 0, 1], port)),
        Err(_) => text
            .parse::<SocketAddr>()
            .map_err(|e| format!("{e} (expected PORT or 127.0.0.1:PORT)"))?,
    };
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{} is not a loopback address; the sandbox only listens on this machine",
            addr.ip()
        ));
    }
    Ok(addr)
}

/// Runs the sandbox server until the process is killed.
pub fn run(args: &SandboxArgs) -> Result<Exit, CliError> {
    let config = SandboxConfig {
        listen: args.listen,
        partner_id: args.partner_id,
        admin_secret: args.admin_secret.clone(),
        user_secret: args.user_secret.clone(),
        app_tokens: args.app_tokens.clone(),
        entitlement: args.entitlement,
        db: args.db.clone(),
        faults: FaultConfig {
            seed: args.seed,
            latency: Duration::from_millis(args.latency_ms),
            fail_rate: args.fail_rate,
            drop_rate: args.drop_rate,
            timeout_rate: args.timeout_rate,
            timeout: Duration::from_millis(args.timeout_ms),
        },
        max_body_bytes: args.max_body_mb.saturating_mul(1024 * 1024),
        max_connections: args.max_connections as usize,
        max_header_bytes: (args.max_header_kb as usize).saturating_mul(1024),
        max_headers: args.max_headers as usize,
        header_timeout: Duration::from_secs(args.header_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        // kbulk's model of Kaltura's engines runs the jobs (the sandbox itself knows no format).
        bulk: kbulk::sandbox::BulkConfig {
            step: Duration::from_millis(args.bulk_step_ms),
            max_records: args.bulk_max_records,
            fault: args.bulk_fault,
            ..kbulk::bulkmodel::sandbox_config()
        },
    };
    if let Err(problem) = config.faults.validate() {
        return Err(CliError::Usage(problem));
    }
    let handle = Sandbox::start(config).map_err(|e| CliError::Failed(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let mut lines = vec![
        format!("kbulk sandbox listening on {}", handle.addr()),
        format!("API v3:       {}", handle.api_v3_url()),
        format!("App Registry: {}", handle.app_registry_url()),
        format!("stats:        {}/__sandbox/stats", handle.base_url()),
        format!("partner id:   {}", handle.partner_id()),
        format!(
            "store:        {}",
            args.db
                .as_ref()
                .map_or("in memory (gone when the sandbox stops)".to_string(), |p| p
                    .display()
                    .to_string())
        ),
    ];
    if !args.app_tokens.is_empty() {
        let ids: Vec<&str> = args.app_tokens.iter().map(|t| t.id.as_str()).collect();
        lines.push(format!("app tokens:   {}", ids.join(", ")));
    }
    if args.fail_rate + args.drop_rate + args.timeout_rate > 0.0 || args.latency_ms > 0 {
        lines.push(format!(
            "faults:       seed {}, latency {} ms, fail {}, drop {}, timeout {} (held {} ms)",
            args.seed,
            args.latency_ms,
            args.fail_rate,
            args.drop_rate,
            args.timeout_rate,
            args.timeout_ms
        ));
    }
    for line in lines {
        writeln!(out, "{line}").map_err(|e| CliError::io("stdout", e))?;
    }
    out.flush().map_err(|e| CliError::io("stdout", e))?;
    drop(out);
    handle.wait();
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_accepts_ports_and_loopback_only() {
        assert_eq!(
            parse_listen("0").unwrap(),
            SocketAddr::from(([127, 0, 0, 1], 0))
        );
        assert_eq!(parse_listen("127.0.0.1:9000").unwrap().port(), 9000);
        assert!(parse_listen("[::1]:9000").is_ok());
        assert!(parse_listen("0.0.0.0:9000").is_err());
        assert!(parse_listen("nonsense").is_err());
    }
}
