//! Where to reach Kaltura and as whom: the service URL and credential options that `kbulk submit`
//! and `kbulk jobs` share, read from flags or `KALTURA_*` variables (secrets never echoed).
use kbulk::submit::auth::{Credentials, HashType, Secret};

use super::CliError;

/// The service URL and credentials.
#[derive(Debug, clap::Args)]
pub struct ConnArgs {
    /// Kaltura service URL (https://www.kaltura.com) or its /api_v3 root.
    #[arg(long, value_name = "URL", env = "KALTURA_SERVICE_URL")]
    pub service_url: Option<String>,

    /// A KS to use as is (ADMIN session recommended).
    #[arg(long, value_name = "KS", env = "KALTURA_KS", hide_env_values = true)]
    pub ks: Option<String>,

    /// Partner id, for --admin-secret or an app token.
    #[arg(long, value_name = "ID", env = "KALTURA_PARTNER_ID")]
    pub partner_id: Option<i64>,

    /// The partner's admin secret: opens an ADMIN session with session.start.
    #[arg(
        long,
        value_name = "SECRET",
        env = "KALTURA_ADMIN_SECRET",
        hide_env_values = true
    )]
    pub admin_secret: Option<String>,

    /// App token id: opens a session with appToken.startSession.
    #[arg(long, value_name = "ID", env = "KALTURA_APP_TOKEN_ID")]
    pub app_token_id: Option<String>,

    /// The app token's secret value.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "KALTURA_APP_TOKEN",
        hide_env_values = true
    )]
    pub app_token: Option<String>,

    /// The app token's hash type: SHA1, MD5, SHA256 or SHA512.
    #[arg(long, value_name = "HASH", env = "KALTURA_APP_TOKEN_HASH_TYPE", default_value = "SHA1",
          value_parser = parse_hash)]
    pub app_token_hash: HashType,

    /// User id written on the session.
    #[arg(long, value_name = "USER", env = "KALTURA_USER_ID", default_value = "")]
    pub user_id: String,
}

fn parse_hash(s: &str) -> Result<HashType, String> {
    s.parse()
}

impl ConnArgs {
    /// The service URL, required.
    pub fn service_url(&self) -> Result<String, CliError> {
        self.service_url
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                CliError::Usage("--service-url (or KALTURA_SERVICE_URL) is required".into())
            })
    }

    /// The first credentials that apply.
    pub fn credentials(&self) -> Result<Credentials, CliError> {
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        if let Some(ks) = nonempty(&self.ks) {
            return Ok(Credentials::Ks(Secret::new(ks)));
        }
        let partner = || {
            self.partner_id.ok_or_else(|| {
                CliError::Usage("--partner-id (or KALTURA_PARTNER_ID) is required".into())
            })
        };
        if let (Some(id), Some(token)) = (nonempty(&self.app_token_id), nonempty(&self.app_token)) {
            return Ok(Credentials::AppToken {
                partner_id: partner()?,
                id,
                token: Secret::new(token),
                hash: self.app_token_hash,
                user_id: self.user_id.clone(),
            });
        }
        if let Some(secret) = nonempty(&self.admin_secret) {
            return Ok(Credentials::AdminSecret {
                partner_id: partner()?,
                secret: Secret::new(secret),
                user_id: self.user_id.clone(),
            });
        }
        Err(CliError::Usage(
            "no credentials: give --ks, or --partner-id with --admin-secret, or --partner-id with \
             --app-token-id and --app-token (or their KALTURA_* environment variables)"
                .into(),
        ))
    }
}
