//! Exports of what the Kaltura API can list, as records `kbulk check` and `kbulk submit` read
//! back: categories (as updates by id), users (add-or-update by userId), category users
//! (add-or-update by category + user) and category entries (activate or reject by category +
//! entry). `categoryUser.list` needs a category or user filter on Kaltura, so memberships and
//! assignments are listed category by category.
//!
//! Lists are paged 500 at a time; a list that holds more than Kaltura's 10,000 matches is
//! refused rather than cut short. Transient failures are retried by the policy; lists change
//! nothing, so a retry is always safe.
use std::time::Duration;

use serde_json::{Value, json};

use super::auth::Secret;
use super::client::Client;
use super::multirequest::Call;
use super::retry::RetryPolicy;
use crate::record::{Category, CategoryEntry, CategoryUser, RecordData, User};

/// Objects per list call.
pub const PAGE_SIZE: usize = 500;
/// The most matches a Kaltura list pages through.
pub const MAX_MATCHES: u64 = 10_000;

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// `category.list`.
    Categories,
    /// `user.list` (group users are left out: a user CSV cannot make one).
    Users,
    /// `categoryUser.list`, per category.
    CategoryUsers,
    /// `categoryEntry.list`, per category.
    CategoryEntries,
}

/// An export: the records in list order, and what was left out (why, for people).
#[derive(Debug, Clone, Default)]
pub struct Exported {
    /// The records.
    pub records: Vec<RecordData>,
    /// Objects not written, each with the reason.
    pub skipped: Vec<String>,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A list call failed for good.
    #[error("{service}.list failed: {message}")]
    Call {
        /// The service listed.
        service: &'static str,
        /// The server's or the transport's message.
        message: String,
    },
    /// The list holds more than a Kaltura list can page through.
    #[error(
        "{service}.list matches {total} objects, more than the {MAX_MATCHES} a list pages through"
    )]
    TooMany {
        /// The service listed.
        service: &'static str,
        /// Its totalCount.
        total: u64,
    },
}

/// Every object `service.list` returns for `filter`, page by page.
pub fn list_all(
    client: &Client,
    ks: &Secret,
    service: &'static str,
    filter: Value,
    retry: &RetryPolicy,
    sleep: &dyn Fn(Duration),
) -> Result<Vec<Value>, ExportError> {
    let mut all = Vec::new();
    for page in 1.. {
        let call = Call::new(service, "list")
            .with("filter", filter.clone())
            .with("pager", json!({"pageSize": PAGE_SIZE, "pageIndex": page}));
        let mut failures = 0;
        let answer = loop {
            match client.call(Some(ks), &call) {
                Ok(Ok(v)) => break v,
                Ok(Err(e)) => {
                    return Err(ExportError::Call {
                        service,
                        message: format!("{} ({})", e.message, e.code),
                    });
                }
                Err(f) => {
                    failures += 1;
                    if !f.transient() || !retry.allows(failures) {
                        return Err(ExportError::Call {
                            service,
                            message: f.message,
                        });
                    }
                    sleep(retry.delay_after(failures, f.retry_after));
                }
            }
        };
        let total = answer["totalCount"].as_u64().unwrap_or(0);
        if total > MAX_MATCHES {
            return Err(ExportError::TooMany { service, total });
        }
        let objects = answer["objects"].as_array().cloned().unwrap_or_default();
        let n = objects.len();
        all.extend(objects);
        if n < PAGE_SIZE {
            break;
        }
    }
    Ok(all)
}

/// Exports `what` from the server `client` reaches.
pub fn export(
    client: &Client,
    ks: &Secret,
    what: Listed,
    retry: &RetryPolicy,
    sleep: &dyn Fn(Duration),
) -> Result<Exported, ExportError> {
    let list = |service, filter| list_all(client, ks, service, filter, retry, sleep);
    let mut out = Exported::default();
    match what {
        Listed::Categories => {
            let all = list("category", json!({"objectType": "KalturaCategoryFilter"}))?;
            out.records = all
                .iter()
                .map(|o| RecordData::Category(category(o)))
                .collect();
        }
        Listed::Users => {
            let all = list("user", json!({"objectType": "KalturaUserFilter"}))?;
            for o in &all {
                if o["type"].as_i64() == Some(1) {
                    out.skipped
                        .push(format!("group user {}", text(o, "id").unwrap_or_default()));
                    continue;
                }
                out.records.push(RecordData::User(user(o)));
            }
        }
        Listed::CategoryUsers | Listed::CategoryEntries => {
            let cats = list("category", json!({"objectType": "KalturaCategoryFilter"}))?;
            for c in cats.iter().filter_map(|c| c["id"].as_i64()) {
                if what == Listed::CategoryUsers {
                    let filter = json!({"objectType": "KalturaCategoryUserFilter",
                                        "categoryIdEqual": c});
                    for o in list("categoryUser", filter)? {
                        out.records.push(RecordData::CategoryUser(member(&o)));
                    }
                    continue;
                }
                let filter = json!({"objectType": "KalturaCategoryEntryFilter",
                                    "categoryIdEqual": c});
                for o in list("categoryEntry", filter)? {
                    match assignment(&o) {
                        Some(e) => out.records.push(RecordData::CategoryEntry(e)),
                        None => out.skipped.push(format!(
                            "entry {} in category {c}: pending moderation (no action keeps it pending)",
                            text(&o, "entryId").unwrap_or_default()
                        )),
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A text field, empty read as absent.
fn text(o: &Value, field: &str) -> Option<String> {
    match &o[field] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(o: &Value, field: &str) -> Option<i64> {
    match &o[field] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// A category as an update by id: its parent's full name as `relativePath`. `userJoinPolicy`
/// is left out (the API refuses it on update).
fn category(o: &Value) -> Category {
    let full = text(o, "fullName").unwrap_or_default();
    let relative_path = full.rsplit_once('>').map(|(parent, _)| parent.to_string());
    Category {
        action: Some(2),
        category_id: int(o, "id"),
        name: text(o, "name"),
        relative_path,
        tags: text(o, "tags"),
        description: text(o, "description"),
        reference_id: text(o, "referenceId"),
        contribution_policy: int(o, "contributionPolicy"),
        privacy: int(o, "privacy"),
        inheritance_type: int(o, "inheritanceType"),
        owner: text(o, "owner"),
        appear_in_list: int(o, "appearInList"),
        default_permission_level: int(o, "defaultPermissionLevel"),
        partner_sort_value: int(o, "partnerSortValue"),
        partner_data: text(o, "partnerData"),
        moderation: int(o, "moderation").map(|m| m != 0),
        ..Category::default()
    }
}

/// A user as add-or-update by userId; `dateOfBirth` (Unix seconds) as its UTC day.
fn user(o: &Value) -> User {
    let birth = int(o, "dateOfBirth").filter(|s| *s != 0).and_then(|s| {
        let days = jiff::Span::new().try_days(s.div_euclid(86_400)).ok()?;
        let day = jiff::civil::date(1970, 1, 1).checked_add(days).ok()?;
        Some(day.to_string())
    });
    let capabilities = o["capabilities"].as_array().map(|caps| {
        caps.iter()
            .filter_map(|c| c["capability"].as_str())
            .collect::<Vec<_>>()
            .join(",")
    });
    User {
        action: Some(6),
        user_id: text(o, "id"),
        screen_name: text(o, "screenName"),
        first_name: text(o, "firstName"),
        last_name: text(o, "lastName"),
        email: text(o, "email"),
        tags: text(o, "tags"),
        gender: int(o, "gender").filter(|g| *g != 0),
        zip: text(o, "zip"),
        country: text(o, "country"),
        state: text(o, "state"),
        city: text(o, "city"),
        date_of_birth: birth,
        partner_data: text(o, "partnerData"),
        external_id: text(o, "externalId"),
        capabilities: capabilities.filter(|c| !c.is_empty()),
        ..User::default()
    }
}

/// A membership as add-or-update; only the statuses the engine sets (1 active, 3 not active).
fn member(o: &Value) -> CategoryUser {
    CategoryUser {
        action: Some(6),
        category_id: int(o, "categoryId"),
        user_id: text(o, "userId"),
        status: int(o, "status").filter(|s| matches!(s, 1 | 3)),
        permission_level: int(o, "permissionLevel"),
        update_method: int(o, "updateMethod"),
        ..CategoryUser::default()
    }
}

/// An assignment as the moderation that keeps it: active → 7, rejected → 8; pending → `None`.
fn assignment(o: &Value) -> Option<CategoryEntry> {
    let action = match int(o, "status")? {
        2 => 7,
        4 => 8,
        _ => return None,
    };
    Some(CategoryEntry {
        action: Some(action),
        entry_id: text(o, "entryId"),
        category_id: int(o, "categoryId"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_become_rows_that_change_nothing() {
        let c = category(
            &json!({"id": 7, "name": "B", "fullName": "A>B", "description": "",
                                 "moderation": false, "privacy": 1}),
        );
        assert_eq!(c.action, Some(2));
        assert_eq!(c.category_id, Some(7));
        assert_eq!(c.relative_path.as_deref(), Some("A"));
        assert_eq!(c.description, None, "empty read as absent");
        assert_eq!(c.moderation, Some(false));
        let root = category(&json!({"id": 1, "name": "A", "fullName": "A"}));
        assert_eq!(root.relative_path, None);
        let u = user(&json!({"id": "ann", "dateOfBirth": 86_400, "gender": 0,
                             "capabilities": [{"capability": "a"}, {"capability": "b"}]}));
        assert_eq!(u.date_of_birth.as_deref(), Some("1970-01-02"));
        assert_eq!(u.gender, None);
        assert_eq!(u.capabilities.as_deref(), Some("a,b"));
        let m = member(&json!({"categoryId": 5, "userId": "bob", "status": 2,
                               "permissionLevel": 3, "updateMethod": 0}));
        assert_eq!(
            (m.category_id, m.status, m.update_method),
            (Some(5), None, Some(0))
        );
        let active = assignment(&json!({"categoryId": 5, "entryId": "0_a", "status": 2}));
        assert_eq!(active.and_then(|e| e.action), Some(7));
        let rejected = assignment(&json!({"categoryId": 5, "entryId": "0_a", "status": 4}));
        assert_eq!(rejected.and_then(|e| e.action), Some(8));
        assert!(assignment(&json!({"status": 1})).is_none());
    }
}
