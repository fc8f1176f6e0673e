//! Rules for App Registry applications: the contract's per-app validation (required fields,
//! enums, lengths, domains), the file-level uniqueness rules (`appCustomId`, organisation +
//! domain + type) and, with `--against`, the same rules against the apps the server holds.
use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::record::app::{
    ACTIONS, APP_TYPES, App, AppField, Existing, MAX_DOMAIN, STATUSES, domain_parts,
    strip_whitespace,
};
use crate::source::Place;

pub use crate::record::codes::app as codes;
pub use crate::record::locs::AppLocs;

fn diag(
    code: &'static Code,
    file: &Arc<str>,
    row: u64,
    p: Place,
    msg: String,
    label: &str,
) -> Diagnostic {
    Diagnostic::new(code, file, msg)
        .label(p.span, p.at, label)
        .row(row)
}

/// Runs the per-app rules.
pub fn check_record(
    app: &App,
    locs: &AppLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let at = |f: AppField| locs.at(f);
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if let Some(a) = app.action.as_deref().filter(|a| !ACTIONS.contains(a)) {
        out.push(
            diag(
                &codes::UNKNOWN_ACTION,
                file,
                row,
                at(AppField::Action),
                format!("`{a}` is not an action kbulk knows; this row would not be submitted"),
                "action",
            )
            .help("use `upsert` (or leave it empty) to add or update, `delete` to remove the app"),
        );
    }
    if blank(&app.app_custom_id) {
        out.push(
            diag(
                &codes::CUSTOM_ID_REQUIRED,
                file,
                row,
                at(AppField::AppCustomId),
                "this app has no appCustomId, the key it is added, updated or deleted by".into(),
                "no appCustomId",
            )
            .server("appCustomId is required"),
        );
    }
    let upsert = !app.is_delete();
    if upsert && blank(&app.app_custom_name) {
        out.push(
            diag(
                &codes::NAME_REQUIRED,
                file,
                row,
                at(AppField::AppCustomName),
                "this app has no appCustomName; registering it would fail".into(),
                "no appCustomName",
            )
            .server("appCustomName is required"),
        );
    }
    match app.app_type.as_deref() {
        Some(t) if !t.trim().is_empty() && !APP_TYPES.contains(&t) => {
            let hint = APP_TYPES
                .iter()
                .find(|k| k.eq_ignore_ascii_case(t.trim()))
                .map(|k| format!("did you mean `{k}`? "))
                .unwrap_or_default();
            out.push(
                diag(
                    &codes::UNKNOWN_TYPE,
                    file,
                    row,
                    at(AppField::AppType),
                    format!("`{t}` is not an App Registry app type"),
                    "appType",
                )
                .help(format!("{hint}the types are {}", APP_TYPES.join(", ")))
                .server(format!(
                    "appType must be one of the following values: {}",
                    APP_TYPES.join(", ")
                )),
            );
        }
        _ if upsert && blank(&app.app_type) => out.push(
            diag(
                &codes::TYPE_REQUIRED,
                file,
                row,
                at(AppField::AppType),
                "this app has no appType; registering it would fail".into(),
                "no appType",
            )
            .server("appType is required"),
        ),
        _ => {}
    }
    if let Some(s) = app.status.as_deref().filter(|s| !STATUSES.contains(s)) {
        out.push(
            diag(
                &codes::UNKNOWN_STATUS,
                file,
                row,
                at(AppField::Status),
                format!("`{s}` is not an app status"),
                "status",
            )
            .help("write `enabled` or `disabled` (or leave it out to keep the current status)"),
        );
    }
    if let Some(d) = &app.organization_domain {
        binding(d, locs, file, row, out);
    }
}

/// The rules of an `organizationDomain` binding.
fn binding(
    d: &crate::record::app::OrganizationDomain,
    locs: &AppLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(o) = &d.organization_id {
        let p = locs.at(AppField::OrganizationId);
        if o.trim().is_empty() {
            out.push(diag(
                &codes::EMPTY_VALUE,
                file,
                row,
                p,
                "organizationDomain.organizationId is empty".into(),
                "empty",
            ));
        } else if o.chars().count() > MAX_DOMAIN {
            out.push(
                diag(&codes::ORGANIZATION_ID_LENGTH, file, row, p,
                    format!("organizationDomain.organizationId has {} characters, more than {MAX_DOMAIN}", o.chars().count()), "too long")
                .server("organizationDomain.organizationId must be shorter than or equal to 255 characters"),
            );
        }
    }
    let p = locs.at(AppField::Domain);
    let Some(raw) = d.domain.as_deref().filter(|s| !s.trim().is_empty()) else {
        out.push(
            diag(
                &codes::DOMAIN_REQUIRED,
                file,
                row,
                p,
                "organizationDomain has no domain; a binding needs one".into(),
                "no domain",
            )
            .server("organizationDomain.domain is required"),
        );
        return;
    };
    let stripped = strip_whitespace(raw);
    if domain_parts(&stripped).next().is_none() {
        // Only commas (and spaces): nothing is left once the service strips and splits it.
        out.push(
            diag(
                &codes::DOMAIN_REQUIRED,
                file,
                row,
                p,
                format!("`{raw}` names no domain once its spaces and empty parts are removed"),
                "no domain",
            )
            .server("organizationDomain.domain should not be empty"),
        );
        return;
    }
    if raw.chars().count() > MAX_DOMAIN {
        out.push(
            diag(
                &codes::DOMAIN_LENGTH,
                file,
                row,
                p,
                format!(
                    "organizationDomain.domain has {} characters, more than {MAX_DOMAIN}",
                    raw.chars().count()
                ),
                "too long",
            )
            .server("organizationDomain.domain must be shorter than or equal to 255 characters"),
        );
    }
    if stripped != raw {
        out.push(
            diag(
                &codes::DOMAIN_WHITESPACE,
                file,
                row,
                p,
                format!("the service stores this domain list as `{stripped}`"),
                "whitespace",
            )
            .help("remove the spaces so the file says what the registry will hold"),
        );
    }
    if stripped.split(',').any(str::is_empty) {
        out.push(
            diag(
                &codes::EMPTY_DOMAIN_PART,
                file,
                row,
                p,
                format!("`{raw}` has an empty domain between its commas"),
                "empty part",
            )
            .help("remove the extra comma, or put back the domain that was lost"),
        );
    }
}

/// `organizationId`, one domain, `appType`: what must be unique across the registry.
type DomainKey = (Option<String>, String, Option<String>);

fn domain_keys(app: &App) -> Vec<DomainKey> {
    let Some(d) = app.normalized_domain() else {
        return Vec::new();
    };
    let domain = d.domain.unwrap_or_default();
    domain_parts(&domain)
        .map(|part| {
            (
                d.organization_id.clone(),
                part.to_string(),
                app.app_type.clone(),
            )
        })
        .collect()
}

/// What the server holds, indexed for the `--against` rules.
#[derive(Debug, Default)]
struct Server {
    source: String,
    by_custom_id: HashMap<String, App>,
    by_domain: HashMap<DomainKey, String>,
}

/// The rules that need every app of the file in order (and, with `--against`, the server's).
#[derive(Debug)]
pub struct FileRules {
    file: Arc<str>,
    custom_ids: HashMap<String, Place>,
    domains: HashMap<DomainKey, Place>,
    server: Option<Server>,
}

impl FileRules {
    /// Rules for one file; `existing`: the apps the server holds (`--against`).
    pub fn new(file: Arc<str>, existing: Option<&Existing>) -> Self {
        let server = existing.map(|e| {
            let mut s = Server {
                source: e.source.clone(),
                ..Server::default()
            };
            for app in &e.apps {
                let Some(cid) = app.app_custom_id.clone() else {
                    continue;
                };
                for k in domain_keys(app) {
                    s.by_domain.insert(k, cid.clone());
                }
                s.by_custom_id.insert(cid, app.clone());
            }
            s
        });
        FileRules {
            file,
            custom_ids: HashMap::new(),
            domains: HashMap::new(),
            server,
        }
    }

    /// Sees the next app of the file.
    pub fn observe(&mut self, app: &App, locs: &AppLocs, row: u64, out: &mut Vec<Diagnostic>) {
        let file = &self.file;
        let Some(cid) = app.app_custom_id.clone().filter(|c| !c.trim().is_empty()) else {
            return;
        };
        let here = locs.at(AppField::AppCustomId);
        if let Some(first) = self.custom_ids.get(&cid) {
            out.push(
                diag(
                    &codes::DUPLICATE_CUSTOM_ID,
                    file,
                    row,
                    here,
                    format!("appCustomId `{cid}` is already used by an earlier row"),
                    "again here",
                )
                .label(first.span, first.at, "first used here")
                .help("keep one row per app"),
            );
        } else {
            self.custom_ids.insert(cid.clone(), here);
        }
        if let Some(s) = &self.server {
            against(s, app, &cid, locs, file, row, out);
        }
        if app.is_delete() {
            return;
        }
        let dp = locs.at(AppField::Domain);
        for key in domain_keys(app) {
            if let Some(first) = self.domains.get(&key) {
                out.push(
                    diag(&codes::DUPLICATE_DOMAIN, file, row, dp,
                        format!("domain `{}` is already bound to a {} app of organization {} by an earlier row", key.1,
                            key.2.as_deref().unwrap_or("(no type)"), key.0.as_deref().unwrap_or("(none)")), "again here")
                    .label(first.span, first.at, "first bound here")
                    .server("ORGANIZATION_ID_DOMAIN_AND_APP_TYPE_MUST_BE_UNIQUE"),
                );
            } else {
                self.domains.insert(key, dp);
            }
        }
    }

    /// The end of the file (nothing is held: every finding points at the later row).
    pub fn finish(self, _out: &mut Vec<Diagnostic>) {}
}

/// The `--against` rules of one app.
fn against(
    s: &Server,
    app: &App,
    cid: &str,
    locs: &AppLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let existing = s.by_custom_id.get(cid);
    if app.is_delete() && existing.is_none() {
        out.push(
            diag(
                &codes::DELETE_MISSING,
                file,
                row,
                locs.at(AppField::AppCustomId),
                format!(
                    "{} holds no app with appCustomId `{cid}`: nothing to delete",
                    s.source
                ),
                "not on the server",
            )
            .server("OBJECT_NOT_FOUND"),
        );
    }
    if let (Some(mine), Some(theirs)) = (app.id.as_deref(), existing.and_then(|e| e.id.as_deref()))
        && mine != theirs
    {
        out.push(diag(
            &codes::ID_MISMATCH,
            file,
            row,
            locs.at(AppField::Id),
            format!("the server's app `{cid}` has id {theirs}, not {mine}"),
            "another id",
        ));
    }
    if app.is_delete() {
        return;
    }
    for key in domain_keys(app) {
        if let Some(other) = s.by_domain.get(&key).filter(|o| o.as_str() != cid) {
            out.push(
                diag(
                    &codes::DOMAIN_TAKEN,
                    file,
                    row,
                    locs.at(AppField::Domain),
                    format!(
                        "domain `{}` is already bound to the app `{other}` on {}",
                        key.1, s.source
                    ),
                    "taken",
                )
                .server("ORGANIZATION_ID_DOMAIN_AND_APP_TYPE_MUST_BE_UNIQUE"),
            );
        }
    }
}

/// Every app rule for one file, in the shape readers call: one value, fed each app in order.
#[derive(Debug)]
pub struct AppRules {
    rules: FileRules,
}

impl AppRules {
    /// The rules for `file`; `existing`: the server's apps (`--against`).
    pub fn new(file: Arc<str>, existing: Option<&Existing>) -> Self {
        AppRules {
            rules: FileRules::new(file, existing),
        }
    }

    /// Checks the next app: its own rules, then the file's.
    pub fn app(&mut self, app: &App, locs: &AppLocs, row: u64, out: &mut Vec<Diagnostic>) {
        check_record(app, locs, &self.rules.file, row, out);
        self.rules.observe(app, locs, row, out);
    }

    /// The end of the file.
    pub fn finish(self, out: &mut Vec<Diagnostic>) {
        self.rules.finish(out);
    }
}

#[cfg(test)]
mod tests;
