//! User rules: the user engine's messages (it keeps only the last one of a row), group
//! membership (a leading `-` removes it), and the file rules — repeated adds of a `userId` and the
//! per-bulk limit.
use std::sync::Arc;

use super::table::{
    Shared, Table, TableKind, at, known_action, last_message_wins, two_places, unknown_action,
};
use crate::diag::{Code, Diagnostic};
use crate::record::codes::user as codes;
use crate::record::locs::CellLocs;
use crate::record::{RecordData, User};

/// Whether `v` contains the engine's date-only pattern `([1-2][0-9]{3})-([0-1][0-9])-([0-3][0-9])`.
fn date_only(v: &str) -> bool {
    const SHAPE: &[u8; 10] = b"1999-19-39";
    let b = v.as_bytes();
    (0..b.len().saturating_sub(9)).any(|s| {
        b[s..s + 10]
            .iter()
            .zip(SHAPE)
            .enumerate()
            .all(|(i, (&c, &p))| {
                if p.is_ascii_digit() {
                    let lo = if i == 0 { b'1' } else { b'0' };
                    let hi = if i == 0 { b'2' } else { p };
                    c >= lo && c <= hi
                } else {
                    c == p
                }
            })
    })
}

/// The per-record rules of one user.
pub fn check_user(u: &User, locs: &CellLocs, file: &Arc<str>, row: u64, out: &mut Vec<Diagnostic>) {
    let action = u.action();
    // The engine's validations, in its order: each overwrites the row's error description.
    let mut failed: Vec<Diagnostic> = Vec::new();
    if u.user_id.is_none() && u.external_id.is_none() {
        failed.push(
            at(
                &codes::ID_REQUIRED,
                file,
                locs,
                "userId",
                row,
                "the row has neither userId nor externalId",
                "missing",
            )
            .server("Mandatory Column [userId] missing from CSV."),
        );
    }
    if let Some(d) = u.date_of_birth.as_deref().filter(|d| !date_only(d)) {
        failed.push(
            at(
                &codes::INVALID_DATE_OF_BIRTH,
                file,
                locs,
                "dateOfBirth",
                row,
                format!("dateOfBirth `{d}` is not YYYY-MM-DD"),
                "not YYYY-MM-DD",
            )
            .server(format!(
                "Format of property dateOfBirth is incorrect [{d}]."
            ))
            .help("write the date as 1990-12-31"),
        );
    }
    if let Some(g) = u.gender.filter(|g| *g != 0 && !matches!(g, 1 | 2)) {
        failed.push(
            at(
                &codes::INVALID_GENDER,
                file,
                locs,
                "gender",
                row,
                format!("gender `{g}` is not 0 (unknown), 1 (male) or 2 (female)"),
                "not 0, 1 or 2",
            )
            .server(format!("Wrong value passed for property gender [{g}]")),
        );
    }
    if let Some(m) = u
        .group_user_creation_mode
        .filter(|m| *m != 0 && !matches!(m, 1 | 2))
    {
        failed.push(
            at(
                &codes::INVALID_GROUP_MODE,
                file,
                locs,
                "groupUserCreationMode",
                row,
                format!("groupUserCreationMode `{m}` is not 1 (manual) or 2 (automatic)"),
                "not 1 or 2",
            )
            .server(format!(
                "Wrong value passed for property groupUserCreationMode [{m}]"
            )),
        );
    }
    last_message_wins(&codes::LAST_MESSAGE_WINS, file, locs, row, failed, out);
    if !known_action(action) {
        out.push(unknown_action(
            &codes::UNKNOWN_ACTION,
            file,
            locs,
            row,
            action,
            "1 (add), 2 (update), 3 (delete) or 6 (add or update)",
        ));
    }
    if let Some(g) = &u.group
        && let Some(rest) = g.strip_prefix('-')
    {
        if rest.trim().is_empty() {
            out.push(
                at(
                    &codes::EMPTY_GROUP,
                    file,
                    locs,
                    "group",
                    row,
                    "group `-` removes the user from a group with an empty id",
                    "no group id",
                )
                .server("Group user was not found")
                .help("write `-` followed by the group's user id, or leave group empty"),
            );
        } else {
            out.push(
                at(&codes::GROUP_REMOVAL, file, locs, "group", row, format!("group `{g}` removes the user from the group `{rest}` (a leading `-` means removal)"), "removes the membership")
                    .help(format!("write `{rest}` without the `-` to add the user to the group")),
            );
        }
    }
}

/// The user file rules.
pub type Rules = Table<Users>;

/// The user kind: its file rules keep nothing beyond the shared ones.
#[derive(Debug, Default)]
pub struct Users;

impl TableKind for Users {
    type Record = User;
    const LIMIT_CODE: &'static Code = &codes::MAX_RECORDS;
    const LIMIT_SERVER: Option<&'static str> = Some("Exeeded max records count per bulk");

    fn record(data: &RecordData) -> Option<&User> {
        match data {
            RecordData::User(u) => Some(u),
            _ => None,
        }
    }

    fn check(u: &User, locs: &CellLocs, file: &Arc<str>, row: u64, out: &mut Vec<Diagnostic>) {
        check_user(u, locs, file, row, out);
    }

    fn observe(
        &mut self,
        shared: &mut Shared,
        u: &User,
        locs: &CellLocs,
        row: u64,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some(id) = u.user_id.as_deref() else {
            return;
        };
        let here = locs.at("userId");
        match u.action() {
            1 => {
                if let Some((first_row, first)) = shared.added.add(id.to_string(), row, here) {
                    diags.push(
                        two_places(
                            &codes::DUPLICATE_USER,
                            &shared.file,
                            format!("row {first_row} already adds the user `{id}`: this add fails"),
                            row,
                            (here, "added again"),
                            (first, "first added here"),
                        )
                        .server(format!("User with id [{id}] already exists in system"))
                        .help("use action 2 (update) or 6 (add or update) for the later row"),
                    );
                }
            }
            6 => {
                shared.added.add(id.to_string(), row, here);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::date_only;

    #[test]
    fn date_of_birth_pattern_is_unanchored_and_years_start_with_1_or_2() {
        assert!(date_only("1990-12-31"));
        assert!(date_only("born 1990-12-31"));
        assert!(!date_only("31/12/1990"));
        assert!(!date_only("3990-12-31"));
        assert!(!date_only("1990-1-31"));
    }
}
