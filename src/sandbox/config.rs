//! Configuration of a sandbox: partner, secrets, app tokens, store and fault injection.
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Everything a sandbox needs to start. `SandboxConfig::default()` is a working sandbox on
/// `127.0.0.1:0` (a free port), partner [`DEFAULT_PARTNER_ID`], in-memory store, no faults.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Address to listen on; port 0 picks a free port (read it back from the handle).
    pub listen: SocketAddr,
    /// The one partner this sandbox hosts; `session.start` for any other id fails.
    pub partner_id: i64,
    /// Admin secret: `session.start` with it may open ADMIN (type 2) or USER sessions.
    pub admin_secret: String,
    /// User secret: `session.start` with it may open USER (type 0) sessions only.
    pub user_secret: String,
    /// App tokens accepted by `appToken.startSession`.
    pub app_tokens: Vec<AppToken>,
    /// The partner's default entitlement enforcement (off by default, as for most partners):
    /// when on, entries in a category are hidden from sessions whose user neither owns them nor
    /// is among their entitled users, unless the KS has `disableentitlement`; a KS with
    /// `enableentitlement` turns it on for itself whatever this says.
    pub entitlement: bool,
    /// SQLite file holding the data; `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// Fault injection (off by default).
    pub faults: FaultConfig,
    /// Largest request body accepted, in bytes; larger ones get HTTP 413.
    pub max_body_bytes: usize,
    /// Most connections served at once; further clients get HTTP 503 and are closed.
    pub max_connections: usize,
    /// Largest request head (request line and headers), in bytes; larger ones get HTTP 431.
    pub max_header_bytes: usize,
    /// Most headers in one request; more get HTTP 431.
    pub max_headers: usize,
    /// Time for a whole request head to arrive once a connection is ready for one (after it
    /// opens, or after the previous answer on a keep-alive connection); then it is closed.
    pub header_timeout: Duration,
    /// A connection on which nothing moves for this long (a body that stops arriving, a client
    /// that does not read) is closed; time spent in a handler does not count.
    pub idle_timeout: Duration,
    /// Server-side bulk jobs: the engine model, the worker's pace, limits and faults.
    pub bulk: super::BulkConfig,
}

/// The partner id used when none is configured (the one the App Registry seed shows).
pub const DEFAULT_PARTNER_ID: i64 = 1_234_567;
/// The admin secret used when none is configured. The sandbox holds no real data.
pub const DEFAULT_ADMIN_SECRET: &str = "sandbox-admin-secret";
/// The user secret used when none is configured.
pub const DEFAULT_USER_SECRET: &str = "sandbox-user-secret";

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            partner_id: DEFAULT_PARTNER_ID,
            admin_secret: DEFAULT_ADMIN_SECRET.to_string(),
            user_secret: DEFAULT_USER_SECRET.to_string(),
            app_tokens: Vec::new(),
            entitlement: false,
            db: None,
            faults: FaultConfig::default(),
            max_body_bytes: 256 * 1024 * 1024,
            max_connections: 256,
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            header_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            bulk: super::BulkConfig::default(),
        }
    }
}

// Secrets stay out of debug output: a config may end up in a log or a panic message.
impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("listen", &self.listen)
            .field("partner_id", &self.partner_id)
            .field("admin_secret", &"<redacted>")
            .field("user_secret", &"<redacted>")
            .field("app_tokens", &self.app_tokens)
            .field("entitlement", &self.entitlement)
            .field("db", &self.db)
            .field("faults", &self.faults)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_connections", &self.max_connections)
            .field("max_header_bytes", &self.max_header_bytes)
            .field("max_headers", &self.max_headers)
            .field("header_timeout", &self.header_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("bulk", &self.bulk)
            .finish()
    }
}

/// Session type of a KS, as Kaltura numbers it (`KalturaSessionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionType {
    /// 0: a user session.
    User,
    /// 2: an admin session.
    Admin,
}

impl SessionType {
    /// The number Kaltura uses on the wire.
    pub fn code(self) -> i64 {
        match self {
            SessionType::User => 0,
            SessionType::Admin => 2,
        }
    }

    /// The type for a wire number, if it is one Kaltura defines.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(SessionType::User),
            2 => Some(SessionType::Admin),
            _ => None,
        }
    }
}

/// The hash an app token uses for `tokenHash = hex(HASH(ks + token))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashType {
    /// SHA-1, Kaltura's default.
    #[default]
    Sha1,
    /// MD5.
    Md5,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl HashType {
    /// Lower-case hex digest of `data` with this hash.
    pub fn hex_digest(self, data: &[u8]) -> String {
        use sha2::Digest;
        match self {
            HashType::Sha1 => hex::encode(sha1::Sha1::digest(data)),
            HashType::Md5 => hex::encode(md5::Md5::digest(data)),
            HashType::Sha256 => hex::encode(sha2::Sha256::digest(data)),
            HashType::Sha512 => hex::encode(sha2::Sha512::digest(data)),
        }
    }

    /// The name Kaltura uses (`KalturaAppTokenHashType`).
    pub fn name(self) -> &'static str {
        match self {
            HashType::Sha1 => "SHA1",
            HashType::Md5 => "MD5",
            HashType::Sha256 => "SHA256",
            HashType::Sha512 => "SHA512",
        }
    }
}

impl FromStr for HashType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Ok(HashType::Sha1),
            "MD5" => Ok(HashType::Md5),
            "SHA256" => Ok(HashType::Sha256),
            "SHA512" => Ok(HashType::Sha512),
            _ => Err(format!(
                "unknown hash type {s:?} (expected SHA1, MD5, SHA256 or SHA512)"
            )),
        }
    }
}

/// An app token the sandbox accepts, like one made with `appToken.add`.
#[derive(Clone, PartialEq, Eq)]
pub struct AppToken {
    /// The token id (`appToken.startSession(id, ...)`).
    pub id: String,
    /// The token secret that is hashed with the widget KS.
    pub token: String,
    /// Which hash `tokenHash` is computed with.
    pub hash_type: HashType,
    /// Session type of the KS the token opens.
    pub session_type: SessionType,
}

impl fmt::Debug for AppToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppToken")
            .field("id", &self.id)
            .field("token", &"<redacted>")
            .field("hash_type", &self.hash_type)
            .field("session_type", &self.session_type)
            .finish()
    }
}

impl FromStr for AppToken {
    type Err = String;

    /// Parses `ID:TOKEN[:HASH[:TYPE]]`, e.g. `0_abc:4f2e...:SHA256:admin`; HASH defaults to
    /// SHA1 and TYPE (`user` or `admin`) to `user`, as for Kaltura capture-device tokens.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split(':');
        let id = parts.next().unwrap_or_default();
        let token = parts.next().unwrap_or_default();
        if id.is_empty() || token.is_empty() {
            return Err("expected ID:TOKEN[:HASH[:TYPE]]".to_string());
        }
        let hash_type = match parts.next() {
            Some(h) if !h.is_empty() => h.parse()?,
            _ => HashType::default(),
        };
        let session_type = match parts.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("user") | Some("0") => SessionType::User,
            Some("admin") | Some("2") => SessionType::Admin,
            Some(other) => return Err(format!("unknown session type {other:?} (user or admin)")),
        };
        if parts.next().is_some() {
            return Err("expected ID:TOKEN[:HASH[:TYPE]]".to_string());
        }
        Ok(AppToken {
            id: id.to_string(),
            token: token.to_string(),
            hash_type,
            session_type,
        })
    }
}

/// Fault injection. Each API request draws one number from a generator seeded with `seed` and
/// indexed by the request's arrival order, so a run with the same seed and the same sequence of
/// requests meets the same faults. Rates are probabilities in `0.0..=1.0` whose sum is at most 1.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Seed of the fault generator.
    pub seed: u64,
    /// Delay added before every API request is handled.
    pub latency: Duration,
    /// Share of requests answered with HTTP 503 **without** being applied.
    pub fail_rate: f64,
    /// Share of requests applied (committed) and then answered by closing the connection.
    pub drop_rate: f64,
    /// Share of requests applied (committed), then held for `timeout` and closed unanswered.
    pub timeout_rate: f64,
    /// How long a timed-out request is held before its connection is closed.
    pub timeout: Duration,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            seed: 0,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            drop_rate: 0.0,
            timeout_rate: 0.0,
            timeout: Duration::from_secs(30),
        }
    }
}

impl FaultConfig {
    /// Checks every rate is a probability and that together they do not exceed 1.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("fail rate", self.fail_rate),
            ("drop rate", self.drop_rate),
            ("timeout rate", self.timeout_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} {rate} is not between 0 and 1"));
            }
        }
        let sum = self.fail_rate + self.drop_rate + self.timeout_rate;
        if sum > 1.0 + 1e-9 {
            return Err(format!(
                "fail, drop and timeout rates add up to {sum}, more than 1"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_token_parses_defaults_and_full_form() {
        let t: AppToken = "tok1:abc".parse().unwrap();
        assert_eq!(
            (t.hash_type, t.session_type),
            (HashType::Sha1, SessionType::User)
        );
        let t: AppToken = "tok2:abc:sha-256:admin".parse().unwrap();
        assert_eq!(
            (t.hash_type, t.session_type),
            (HashType::Sha256, SessionType::Admin)
        );
        assert!("tok3".parse::<AppToken>().is_err());
        assert!("tok3:x:SHA3".parse::<AppToken>().is_err());
        assert!(!format!("{t:?}").contains("abc"));
    }

    #[test]
    fn hashes_match_known_digests() {
        assert_eq!(
            HashType::Sha1.hex_digest(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            HashType::Md5.hex_digest(b"abc"),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert!(HashType::Sha256.hex_digest(b"abc").starts_with("ba7816bf"));
        assert!(HashType::Sha512.hex_digest(b"abc").starts_with("ddaf35a1"));
    }

    #[test]
    fn fault_rates_are_checked() {
        let mut f = FaultConfig {
            fail_rate: 0.5,
            drop_rate: 0.4,
            ..FaultConfig::default()
        };
        assert!(f.validate().is_ok());
        f.timeout_rate = 0.2;
        assert!(f.validate().is_err());
        f.timeout_rate = -0.1;
        assert!(f.validate().is_err());
    }
}
