//! App Registry apps in files: App JSON Lines (one App object per line, as the service returns
//! it) and App CSV (a header of App fields, nested fields as dotted names), their writers, and
//! the one place where their readers hand each app to the app rules.
use std::sync::Arc;

use serde_json::Value;

use crate::check::app::AppRules;
use crate::diag::Diagnostic;
use crate::record::App;
use crate::record::app::{AppField, Existing};
use crate::record::codes::app as codes;
use crate::record::locs::AppLocs;
use crate::source::Place;

pub mod csv;
pub mod jsonl;
mod scan;
pub mod writer;

/// The rules every app of a file goes through, whatever its reader: the reader builds the app
/// and its locations, this hands them to `check::app` (the hook the one driver will own).
#[derive(Debug)]
pub(crate) struct Checker {
    rules: AppRules,
}

impl Checker {
    pub(crate) fn new(file: &Arc<str>, existing: Option<&Existing>) -> Self {
        Checker {
            rules: AppRules::new(file.clone(), existing),
        }
    }

    pub(crate) fn app(&mut self, app: &App, locs: &AppLocs, row: u64, out: &mut Vec<Diagnostic>) {
        self.rules.app(app, locs, row, out);
    }

    pub(crate) fn finish(self, out: &mut Vec<Diagnostic>) {
        self.rules.finish(out);
    }
}

/// Sets `field` of `app` from a text value (CSV cells; JSON strings). Returns an error message
/// when the text does not fit the field (an integer field).
fn set_text(app: &mut App, field: AppField, text: String) -> Result<(), String> {
    match field {
        AppField::Action => app.action = Some(text),
        AppField::Id => app.id = Some(text),
        AppField::AppCustomId => app.app_custom_id = Some(text),
        AppField::AppCustomName => app.app_custom_name = Some(text),
        AppField::AppType => app.app_type = Some(text),
        AppField::Status => app.status = Some(text),
        AppField::CreatedAt => app.created_at = Some(text),
        AppField::UpdatedAt => app.updated_at = Some(text),
        AppField::ObjectType => app.object_type = Some(text),
        AppField::PartnerId | AppField::Version => {
            let n: i64 = text
                .trim()
                .parse()
                .map_err(|_| format!("`{text}` is not a whole number"))?;
            if field == AppField::PartnerId {
                app.partner_id = Some(n);
            } else {
                app.version = Some(n);
            }
        }
        AppField::OrganizationId => {
            app.organization_domain
                .get_or_insert_with(Default::default)
                .organization_id = Some(text);
        }
        AppField::Domain => {
            app.organization_domain
                .get_or_insert_with(Default::default)
                .domain = Some(text);
        }
        AppField::OrganizationDomain => {
            return Err("organizationDomain is an object: give organizationDomain.organizationId and organizationDomain.domain".into());
        }
    }
    Ok(())
}

/// Sets `field` of `app` from a JSON value; `Err` says what type was expected.
fn set_json(app: &mut App, field: AppField, value: &Value) -> Result<(), String> {
    match (field, value) {
        (_, Value::Null) => Ok(()),
        (AppField::PartnerId | AppField::Version, Value::Number(n)) => match n.as_i64() {
            Some(_) => set_text(app, field, n.to_string()),
            None => Err(format!("{} must be a whole number", field.name())),
        },
        (AppField::PartnerId | AppField::Version, _) => {
            Err(format!("{} must be a whole number", field.name()))
        }
        (AppField::OrganizationDomain, Value::Object(_)) => {
            app.organization_domain.get_or_insert_with(Default::default);
            Ok(())
        }
        (AppField::OrganizationDomain, _) => Err("organizationDomain must be an object".into()),
        (_, Value::String(s)) => set_text(app, field, s.clone()),
        (_, _) => Err(format!("{} must be a string", field.name())),
    }
}

/// The finding for a field whose value does not fit it.
fn wrong_type(file: &Arc<str>, row: u64, p: Place, msg: String) -> Diagnostic {
    Diagnostic::new(&codes::WRONG_TYPE, file, msg.clone())
        .label(p.span, p.at, "wrong type")
        .row(row)
        .server(msg)
}

/// The finding for a field the App entity does not have.
fn unknown_field(file: &Arc<str>, row: u64, p: Place, name: &str) -> Diagnostic {
    let close = AppField::ALL
        .into_iter()
        .map(AppField::name)
        .find(|f| f.eq_ignore_ascii_case(name) || f.rsplit('.').next() == Some(name));
    let mut d = Diagnostic::new(
        &codes::UNKNOWN_FIELD,
        file,
        format!("`{name}` is not an App field; its value is dropped"),
    )
    .label(p.span, p.at, "unknown field")
    .row(row);
    if let Some(c) = close {
        d = d.help(format!("did you mean `{c}`?"));
    }
    d
}
