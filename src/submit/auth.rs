//! Authentication: a KS given as is, `session.start` with a partner's admin secret, or an app
//! token (a weak widget session, then `appToken.startSession` with
//! `tokenHash = hex(HASH(widgetKs + token))`). Secrets live in [`Secret`], whose `Debug` and
//! `Display` never show the value, so they cannot leak into a log, a journal or a panic.
use std::fmt;

use serde_json::Value;

pub use crate::sandbox::HashType;

use super::client::{Client, Failure};
use super::multirequest::Call;

/// A secret string (KS, admin secret, app token). Formatting prints `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How to obtain a session.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A KS obtained elsewhere (cannot be renewed when it expires).
    Ks(Secret),
    /// `session.start(secret, userId, type=2 ADMIN, partnerId, expiry)`.
    AdminSecret {
        /// Partner id.
        partner_id: i64,
        /// The partner's admin secret.
        secret: Secret,
        /// User id written on the session (may be empty).
        user_id: String,
    },
    /// `session.startWidgetSession("_" + partnerId)`, then `appToken.startSession`.
    AppToken {
        /// Partner id.
        partner_id: i64,
        /// The app token id.
        id: String,
        /// The app token's secret value.
        token: Secret,
        /// The token's `hashType`.
        hash: HashType,
        /// User id written on the session (may be empty).
        user_id: String,
    },
}

/// Why no session could be opened.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    /// The server answered with an error (wrong secret, unknown token, ...).
    #[error("{call} failed: {message} ({code})")]
    Refused {
        /// The call that failed.
        call: &'static str,
        /// Kaltura's code.
        code: String,
        /// Kaltura's message.
        message: String,
    },
    /// No usable answer came back.
    #[error("{call} failed: {failure}")]
    Transport {
        /// The call that failed.
        call: &'static str,
        /// What happened.
        failure: Failure,
    },
    /// The answer had no KS in it.
    #[error("{0} returned no KS")]
    NoKs(&'static str),
}

/// Session lifetime asked for, in seconds (Kaltura's default and maximum usual value).
pub const SESSION_EXPIRY: i64 = 86_400;

impl Credentials {
    /// The secret strings these credentials hold (to scrub them from any text).
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::Ks(ks) => vec![ks.expose()],
            Credentials::AdminSecret { secret, .. } => vec![secret.expose()],
            Credentials::AppToken { token, .. } => vec![token.expose()],
        }
    }

    /// Whether a new session can be opened when the current one expires.
    pub fn renewable(&self) -> bool {
        !matches!(self, Credentials::Ks(_))
    }

    /// Opens a session, retrying every transient failure (5xx, 429, timeouts, refused or dropped
    /// connections: session calls change none of the data kbulk submits, so they are safe to
    /// resend) with `retry`'s backoff; an answer from the server (wrong secret, unknown partner)
    /// fails at once.
    pub fn session_with_retry(
        &self,
        client: &Client,
        retry: &super::retry::RetryPolicy,
        sleep: &dyn Fn(std::time::Duration),
    ) -> Result<Secret, AuthError> {
        let mut failures = 0;
        loop {
            match self.session(client) {
                Err(AuthError::Transport { failure, .. })
                    if failure.transient() && retry.allows(failures + 1) =>
                {
                    failures += 1;
                    sleep(retry.delay_after(failures, failure.retry_after));
                }
                other => return other,
            }
        }
    }

    /// Opens a session and returns its KS, trying once (transport failures are reported;
    /// [`Credentials::session_with_retry`] retries them).
    pub fn session(&self, client: &Client) -> Result<Secret, AuthError> {
        match self {
            Credentials::Ks(ks) => Ok(ks.clone()),
            Credentials::AdminSecret {
                partner_id,
                secret,
                user_id,
            } => {
                let call = Call::new("session", "start")
                    .with("secret", secret.expose())
                    .with("userId", user_id.as_str())
                    .with("type", 2)
                    .with("partnerId", *partner_id)
                    .with("expiry", SESSION_EXPIRY);
                let v = run(client, None, &call, "session.start")?;
                ks_of(&v).ok_or(AuthError::NoKs("session.start"))
            }
            Credentials::AppToken {
                partner_id,
                id,
                token,
                hash,
                user_id,
            } => {
                let widget = Call::new("session", "startWidgetSession")
                    .with("widgetId", format!("_{partner_id}"))
                    .with("expiry", SESSION_EXPIRY);
                let v = run(client, None, &widget, "session.startWidgetSession")?;
                let weak = ks_of(&v).ok_or(AuthError::NoKs("session.startWidgetSession"))?;
                let token_hash = token_hash(*hash, &weak, token);
                let mut start = Call::new("appToken", "startSession")
                    .with("id", id.as_str())
                    .with("tokenHash", token_hash)
                    .with("expiry", SESSION_EXPIRY);
                if !user_id.is_empty() {
                    start = start.with("userId", user_id.as_str());
                }
                let v = run(client, Some(&weak), &start, "appToken.startSession")?;
                ks_of(&v).ok_or(AuthError::NoKs("appToken.startSession"))
            }
        }
    }
}

/// `text` with every occurrence of each (non-empty) secret replaced by `[redacted]`.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        if out.contains(*s) {
            out = out.replace(*s, "[redacted]");
        }
    }
    out
}

/// `hex(HASH(ks + token))`, the proof of an app token.
pub fn token_hash(hash: HashType, ks: &Secret, token: &Secret) -> String {
    hash.hex_digest(format!("{}{}", ks.expose(), token.expose()).as_bytes())
}

fn run(
    client: &Client,
    ks: Option<&Secret>,
    call: &Call,
    name: &'static str,
) -> Result<Value, AuthError> {
    match client.call(ks, call) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(AuthError::Refused {
            call: name,
            code: e.code,
            message: e.message,
        }),
        Err(failure) => Err(AuthError::Transport {
            call: name,
            failure,
        }),
    }
}

/// The KS in a session answer: a bare string (`session.start`) or an object's `ks`.
fn ks_of(v: &Value) -> Option<Secret> {
    let text = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("ks")?.as_str()?,
        _ => return None,
    };
    (!text.is_empty()).then(|| Secret::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_never_format() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
        let c = Credentials::AdminSecret {
            partner_id: 1,
            secret: s,
            user_id: String::new(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn redaction_scrubs_every_secret() {
        let t = redact(
            "Invalid KS \"abcd1234\" and s3cret",
            &["abcd1234", "s3cret", ""],
        );
        assert_eq!(t, "Invalid KS \"[redacted]\" and [redacted]");
    }

    #[test]
    fn token_hash_is_hex_of_ks_then_token() {
        let h = token_hash(HashType::Sha1, &Secret::new("a"), &Secret::new("bc"));
        assert_eq!(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn ks_comes_from_strings_or_objects() {
        assert_eq!(ks_of(&json!("K")).unwrap().expose(), "K");
        assert_eq!(ks_of(&json!({"ks": "K2"})).unwrap().expose(), "K2");
        assert!(ks_of(&json!({"ks": ""})).is_none());
        assert!(ks_of(&json!(5)).is_none());
    }
}
