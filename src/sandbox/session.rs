//! Sessions: KS issue and validation, `session.start`, `session.startWidgetSession` and
//! `appToken.startSession` with the real token-hash check. A KS is an unguessable token stored
//! with its partner, type, user, expiry and privileges; anything not in the table is forged.
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Value, json};

use super::config::SessionType;
use super::error::ApiError;
use super::params::{self, Params};
use super::server::Shared;
use super::store::now_secs;

/// Default KS lifetime, as in Kaltura.
const DEFAULT_EXPIRY: i64 = 86_400;

/// A validated session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub ks: String,
    pub partner_id: i64,
    pub session_type: SessionType,
    pub user_id: String,
    pub expiry: i64,
    pub privileges: String,
    /// A weak widget session: good for `appToken.startSession` only.
    pub widget: bool,
    /// The partner's default entitlement enforcement (`SandboxConfig::entitlement`).
    pub partner_entitlement: bool,
}

/// The role id (`setrole:1`) of the sandbox partner's administrator role: every permission.
pub(crate) const ADMIN_ROLE_ID: &str = "1";

impl Session {
    /// An ADMIN KS (and not a widget one).
    pub fn is_admin(&self) -> bool {
        self.session_type == SessionType::Admin && !self.widget
    }

    /// The value of a privilege (`name:value`), `Some("")` for a bare `name`.
    pub fn privilege(&self, name: &str) -> Option<&str> {
        privilege_list(&self.privileges)
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Whether the session acts with the administrator role: an ADMIN KS has it by default, a
    /// `setrole` privilege replaces the role whatever the KS type (as Kaltura's permission
    /// manager does); any role other than the administrator's has no schedule write permission.
    pub fn has_admin_role(&self) -> bool {
        if self.widget {
            return false;
        }
        match self.privilege("setrole") {
            Some(role) => role.trim() == ADMIN_ROLE_ID,
            None => self.session_type == SessionType::Admin,
        }
    }

    /// Whether entry entitlement is enforced for this session, as `kEntitlementUtils::
    /// initEntitlementEnforcement` decides: the partner's default, off with the
    /// `disableentitlement` privilege, on with `enableentitlement` (which wins over both).
    pub fn entitlement_enforced(&self) -> bool {
        if self.privilege("enableentitlement").is_some() {
            return true;
        }
        self.partner_entitlement && self.privilege("disableentitlement").is_none()
    }

    /// `kEntitlementUtils::isEntryEntitled` for an entry with its owner, entitled users and
    /// categories: entitled when enforcement is off, when the KS lists the entry in
    /// `disableentitlementforentry`, when the session's user owns it or is one of its
    /// `entitledUsersEdit`/`entitledUsersPublish`/`entitledUsersView`, or when it is in no
    /// category. Categories are not modelled, so an entry in a category is entitled to nobody
    /// else (as a category with private privacy and no members).
    pub fn entry_entitled(&self, entry: &Value) -> bool {
        if !self.entitlement_enforced() {
            return true;
        }
        let id = entry["id"].as_str().unwrap_or_default();
        let for_entry = privilege_list(&self.privileges)
            .any(|(n, v)| n.eq_ignore_ascii_case("disableentitlementforentry") && v.trim() == id);
        let user = self.user_id.as_str();
        let listed = |field: &str| {
            params::list(entry.get(field))
                .unwrap_or_default()
                .iter()
                .any(|u| !user.is_empty() && u == user)
        };
        let in_category = ["categoriesIds", "categories"]
            .iter()
            .any(|f| params::list(entry.get(*f)).is_some_and(|c| !c.is_empty()));
        for_entry
            || (!user.is_empty() && entry["userId"].as_str() == Some(user))
            || listed("entitledUsersEdit")
            || listed("entitledUsersPublish")
            || listed("entitledUsersView")
            || !in_category
    }

    /// `checkIfUserAllowedToUpdateEntry`: an ADMIN KS, `edit:*`, `edit:ENTRY_ID`, or the owner.
    pub fn may_edit_entry(&self, entry_id: &str, owner: Option<&str>) -> bool {
        self.is_admin()
            || privilege_list(&self.privileges)
                .any(|(n, v)| n.eq_ignore_ascii_case("edit") && (v == "*" || v == entry_id))
            || owner == Some(self.user_id.as_str())
    }
}

/// Stores and returns a new session.
pub(crate) fn issue(
    tx: &Transaction<'_>,
    shared: &Shared,
    session_type: SessionType,
    user_id: &str,
    lifetime: i64,
    privileges: &str,
    widget: bool,
) -> Result<Session, ApiError> {
    let lifetime = if lifetime <= 0 {
        DEFAULT_EXPIRY
    } else {
        lifetime
    };
    let session = Session {
        ks: shared.ids.ks(),
        partner_id: shared.partner_id,
        session_type,
        user_id: user_id.to_string(),
        expiry: now_secs().saturating_add(lifetime),
        privileges: privileges.to_string(),
        widget,
        partner_entitlement: shared.entitlement,
    };
    tx.execute(
        "INSERT INTO sessions (ks, partner_id, type, user_id, expiry, privileges, widget) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            session.ks,
            session.partner_id,
            session.session_type.code(),
            session.user_id,
            session.expiry,
            session.privileges,
            session.widget
        ],
    )?;
    Ok(session)
}

/// Checks a KS: one the sandbox issued (looked up), or one a client generated locally from the
/// admin or user secret (v1 or v2, signature verified). Missing, forged, foreign or expired ones
/// give `INVALID_KS` with Kaltura's error number.
pub(crate) fn validate(
    tx: &Transaction<'_>,
    shared: &Shared,
    ks: Option<&str>,
) -> Result<Session, ApiError> {
    let Some(ks) = ks.filter(|k| !k.is_empty()) else {
        return Err(ApiError::invalid_ks(-1, "INVALID_STR"));
    };
    let row = tx
        .prepare_cached(
            "SELECT partner_id, type, user_id, expiry, privileges, widget FROM sessions WHERE ks = ?1",
        )?
        .query_row(
            [ks],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            },
        )
        .optional()?;
    let (partner_id, type_code, user_id, expiry, privileges, widget) = match row {
        Some(row) => row,
        None => local(ks, shared)?,
    };
    if expiry <= now_secs() {
        return Err(ApiError::invalid_ks(-5, "EXPIRED"));
    }
    let session_type = SessionType::from_code(type_code)
        .ok_or_else(|| ApiError::invalid_ks(-4, "INVALID_TYPE"))?;
    Ok(Session {
        ks: ks.to_string(),
        partner_id,
        session_type,
        user_id,
        expiry,
        privileges,
        widget,
        partner_entitlement: shared.entitlement,
    })
}

type SessionRow = (i64, i64, String, i64, String, bool);

/// A KS the sandbox did not issue: verified as a locally generated one.
fn local(ks: &str, shared: &Shared) -> Result<SessionRow, ApiError> {
    let secrets = super::ks::Secrets {
        partner_id: shared.partner_id,
        admin: &shared.admin_secret,
        user: &shared.user_secret,
    };
    let claims = super::ks::verify(ks, &secrets, now_secs()).map_err(|refusal| {
        let (code, desc) = refusal.code();
        ApiError::invalid_ks(code, desc)
    })?;
    let widget =
        privilege_list(&claims.privileges).any(|(name, value)| name == "widget" && value == "1");
    Ok((
        claims.partner_id,
        claims.session_type,
        claims.user_id,
        claims.expiry,
        claims.privileges,
        widget,
    ))
}

/// The privileges of a KS, `name:value` (or a bare `name`) separated by commas.
pub(crate) fn privilege_list(privileges: &str) -> impl Iterator<Item = (&str, &str)> {
    privileges
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once(':').unwrap_or((p, "")))
}

/// `session.start(secret, userId, type, partnerId, expiry, privileges)`: the KS string.
pub(crate) fn start(tx: &Transaction<'_>, shared: &Shared, p: &Params) -> Result<Value, ApiError> {
    let secret = params::non_empty(p.root.get("secret"))
        .ok_or_else(|| ApiError::missing_parameter("secret"))?;
    let partner = params::text(p.root.get("partnerId")).unwrap_or_default();
    let type_code = params::int(p.root.get("type"), "type")?.unwrap_or(0);
    let session_type = SessionType::from_code(type_code).ok_or_else(|| {
        ApiError::invalid_enum(&type_code.to_string(), "type", "KalturaSessionType")
    })?;
    let partner_ok = partner.trim().parse::<i64>().ok() == Some(shared.partner_id);
    let secret_ok = secret == shared.admin_secret
        || (session_type == SessionType::User && secret == shared.user_secret);
    if !partner_ok || !secret_ok {
        return Err(ApiError::start_session_error(&partner));
    }
    let user = params::text(p.root.get("userId")).unwrap_or_default();
    let lifetime = params::int(p.root.get("expiry"), "expiry")?.unwrap_or(DEFAULT_EXPIRY);
    let privileges = params::text(p.root.get("privileges")).unwrap_or_default();
    let session = issue(
        tx,
        shared,
        session_type,
        &user,
        lifetime,
        &privileges,
        false,
    )?;
    Ok(Value::String(session.ks))
}

/// `session.startWidgetSession(widgetId = "_" + partnerId, expiry)`: a weak USER KS.
pub(crate) fn start_widget(
    tx: &Transaction<'_>,
    shared: &Shared,
    p: &Params,
) -> Result<Value, ApiError> {
    let widget = params::non_empty(p.root.get("widgetId"))
        .ok_or_else(|| ApiError::missing_parameter("widgetId"))?;
    if widget != format!("_{}", shared.partner_id) {
        return Err(ApiError::invalid_widget_id(&widget));
    }
    let lifetime = params::int(p.root.get("expiry"), "expiry")?.unwrap_or(DEFAULT_EXPIRY);
    let session = issue(
        tx,
        shared,
        SessionType::User,
        "0",
        lifetime,
        "widget:1,view:*",
        true,
    )?;
    Ok(json!({
        "objectType": "KalturaStartWidgetSessionResponse",
        "partnerId": shared.partner_id,
        "ks": session.ks,
        "userId": "0",
    }))
}

/// `appToken.startSession(id, tokenHash, userId, type, expiry, sessionPrivileges)`, where
/// `tokenHash = hex(HASH(ks + token))` with the KS of this very call.
pub(crate) fn start_app_token(
    tx: &Transaction<'_>,
    shared: &Shared,
    caller: &Session,
    p: &Params,
) -> Result<Value, ApiError> {
    let id =
        params::non_empty(p.root.get("id")).ok_or_else(|| ApiError::missing_parameter("id"))?;
    let hash = params::non_empty(p.root.get("tokenHash"))
        .ok_or_else(|| ApiError::missing_parameter("tokenHash"))?;
    let token = shared
        .app_tokens
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::app_token_not_found(&id))?;
    let expected = token
        .hash_type
        .hex_digest(format!("{}{}", caller.ks, token.token).as_bytes());
    if !hash.eq_ignore_ascii_case(&expected) {
        return Err(ApiError::invalid_app_token_hash());
    }
    let user = params::text(p.root.get("userId")).unwrap_or_default();
    let lifetime = params::int(p.root.get("expiry"), "expiry")?.unwrap_or(DEFAULT_EXPIRY);
    let privileges = params::text(p.root.get("sessionPrivileges")).unwrap_or_default();
    let session = issue(
        tx,
        shared,
        token.session_type,
        &user,
        lifetime,
        &privileges,
        false,
    )?;
    Ok(json!({
        "objectType": "KalturaSessionInfo",
        "ks": session.ks,
        "sessionType": session.session_type.code(),
        "partnerId": session.partner_id,
        "userId": session.user_id,
        "expiry": session.expiry,
        "privileges": session.privileges,
    }))
}
