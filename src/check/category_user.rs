//! Category-user (entitlement) and category-entry rules: the two engines' messages (the
//! category-user engine keeps only the last one of a row), repeated memberships, and each
//! engine's per-bulk limit (which the category-entry engine never enforces).
use std::sync::Arc;

use super::table::{
    Shared, Table, TableKind, at, known_action, last_message_wins, two_places, unknown_action,
};
use crate::diag::{Code, Diagnostic};
use crate::record::codes::category_user as codes;
use crate::record::locs::CellLocs;
use crate::record::{CategoryEntry, CategoryUser, RecordData};

/// The per-record rules of one category-user row.
pub fn check_member(
    m: &CategoryUser,
    locs: &CellLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let mut failed: Vec<Diagnostic> = Vec::new();
    if m.user_id.is_none() {
        failed.push(
            at(
                &codes::USER_REQUIRED,
                file,
                locs,
                "userId",
                row,
                "the row has no userId",
                "missing",
            )
            .server("Missing mandatory parameter userId"),
        );
    }
    if m.category_id.is_none_or(|c| c == 0) && m.category_reference_id.is_none() {
        failed.push(
            at(
                &codes::CATEGORY_REQUIRED,
                file,
                locs,
                "categoryId",
                row,
                "the row has neither categoryId nor categoryReferenceId",
                "missing",
            )
            .server("Missing mandatory parameter categoryId"),
        );
    }
    match m.status {
        Some(s) if s != 0 && !(1..=4).contains(&s) => failed.push(
            at(&codes::INVALID_STATUS, file, locs, "status", row, format!("status `{s}` is not 1 (active), 2 (pending), 3 (not active) or 4 (deleted)"), "not 1–4")
                .server("Wrong value passed for property status."),
        ),
        Some(2) => out.push(
            at(&codes::PENDING_IGNORED, file, locs, "status", row, "status 2 (pending) is dropped by the engine: the membership gets the API's default status", "ignored")
                .help("leave status empty, or use 1 (active) or 3 (not active)"),
        ),
        _ => {}
    }
    match m.permission_level {
        Some(p) if p != 0 && !(0..=4).contains(&p) => failed.push(
            at(&codes::INVALID_PERMISSION, file, locs, "permissionLevel", row, format!("permissionLevel `{p}` is not 0–4"), "not 0–4")
                .server("Wrong value passed for property permissionLevel."),
        ),
        Some(4) => failed.push(
            at(&codes::NONE_PERMISSION, file, locs, "permissionLevel", row, "permissionLevel 4 (NONE) is refused by the engine", "NONE")
                .server("NONE permission (4) level is not allowed. Users without permissions should not be added to categories. Use allowed permission value")
                .help("use 0 (manager), 1 (moderator), 2 (contributor) or 3 (member)"),
        ),
        _ => {}
    }
    if let Some(u) = m.update_method.filter(|u| *u != 0 && *u != 1) {
        failed.push(
            at(
                &codes::INVALID_UPDATE_METHOD,
                file,
                locs,
                "updateMethod",
                row,
                format!("updateMethod `{u}` is not 0 (manual) or 1 (automatic)"),
                "not 0 or 1",
            )
            .server("Wrong value passed for property updateMethod."),
        );
    }
    last_message_wins(&codes::LAST_MESSAGE_WINS, file, locs, row, failed, out);
    if !known_action(m.action()) {
        out.push(unknown_action(
            &codes::UNKNOWN_ACTION,
            file,
            locs,
            row,
            m.action(),
            "1 (add), 2 (update), 3 (delete) or 6 (add or update)",
        ));
    }
}

/// The per-record rules of one category-entry row.
pub fn check_category_entry(
    e: &CategoryEntry,
    locs: &CellLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    if !matches!(e.action(), 7 | 8) {
        out.push(unknown_action(
            &codes::ENTRY_UNKNOWN_ACTION,
            file,
            locs,
            row,
            e.action(),
            "7 (activate, the default) or 8 (reject)",
        ));
    }
    let missing = match (&e.entry_id, e.category_id.filter(|c| *c != 0)) {
        (None, _) => Some("entryId"),
        (_, None) => Some("categoryId"),
        _ => None,
    };
    if let Some(column) = missing {
        out.push(
            at(
                &codes::ENTRY_MISSING_COLUMN,
                file,
                locs,
                column,
                row,
                format!("the row has no {column}"),
                "missing",
            )
            .server("Mandatory Column missing from CSV"),
        );
    }
}

/// The category-user file rules.
pub type MemberRules = Table<Members>;

/// The category-user kind: its file rules keep nothing beyond the shared ones.
#[derive(Debug, Default)]
pub struct Members;

impl TableKind for Members {
    type Record = CategoryUser;
    const LIMIT_CODE: &'static Code = &codes::MAX_RECORDS;
    const LIMIT_SERVER: Option<&'static str> = Some("Exceeded max records count per bulk");

    fn record(data: &RecordData) -> Option<&CategoryUser> {
        match data {
            RecordData::CategoryUser(m) => Some(m),
            _ => None,
        }
    }

    fn check(
        m: &CategoryUser,
        locs: &CellLocs,
        file: &Arc<str>,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        check_member(m, locs, file, row, out);
    }

    fn observe(
        &mut self,
        shared: &mut Shared,
        m: &CategoryUser,
        locs: &CellLocs,
        row: u64,
        diags: &mut Vec<Diagnostic>,
    ) {
        let category = match (m.category_id, &m.category_reference_id) {
            (Some(id), _) => format!("#{id}"),
            (None, Some(r)) => format!("ref:{r}"),
            _ => return,
        };
        let Some(user) = &m.user_id else { return };
        if m.action() != 1 {
            return;
        }
        let here = locs.at("userId");
        if let Some((first_row, first)) = shared.added.add(format!("{category}/{user}"), row, here)
        {
            diags.push(
                two_places(
                    &codes::DUPLICATE_MEMBER,
                    &shared.file,
                    format!(
                        "row {first_row} already adds `{user}` to this category: this add fails"
                    ),
                    row,
                    (here, "added again"),
                    (first, "first added here"),
                )
                .server("CategoryUser already exists")
                .help("use action 2 (update) or 6 (add or update) for the later row"),
            );
        }
    }
}

/// The category-entry file rules.
pub type EntryRules = Table<CategoryEntries>;

/// The category-entry kind: its file rules keep nothing beyond the shared ones.
#[derive(Debug, Default)]
pub struct CategoryEntries;

impl TableKind for CategoryEntries {
    type Record = CategoryEntry;
    const LIMIT_CODE: &'static Code = &codes::ENTRY_LIMIT_NOT_ENFORCED;
    const LIMIT_SERVER: Option<&'static str> = None;

    fn record(data: &RecordData) -> Option<&CategoryEntry> {
        match data {
            RecordData::CategoryEntry(e) => Some(e),
            _ => None,
        }
    }

    fn check(
        e: &CategoryEntry,
        locs: &CellLocs,
        file: &Arc<str>,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        check_category_entry(e, locs, file, row, out);
    }

    fn observe(
        &mut self,
        shared: &mut Shared,
        e: &CategoryEntry,
        locs: &CellLocs,
        row: u64,
        diags: &mut Vec<Diagnostic>,
    ) {
        let (Some(entry), Some(cat)) = (&e.entry_id, e.category_id) else {
            return;
        };
        let here = locs.row;
        if let Some((first_row, first)) = shared.added.add(format!("{cat}/{entry}"), row, here) {
            diags.push(two_places(
                &codes::ENTRY_DUPLICATE,
                &shared.file,
                format!("row {first_row} already acts on entry `{entry}` in category {cat}: this row finds it no longer pending"),
                row,
                (here, "again"),
                (first, "first here"),
            ));
        }
    }
}
