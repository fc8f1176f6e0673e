//! Category rules: the category engine's parse-time messages, the API's name and enum rules,
//! `userJoinPolicy` (read-only in the API), and the file rules — parents before children (the
//! engine runs rows in file order), duplicate full names, the per-bulk limit and the PHP 8 crash
//! after any row the engine rejects while parsing.
use std::collections::HashMap;
use std::sync::Arc;

use super::table::{Shared, Table, TableKind, at, known_action, two_places, unknown_action};
use crate::diag::{Code, Diagnostic};
use crate::record::codes::category as codes;
use crate::record::locs::CellLocs;
use crate::record::{Category, RecordData};
use crate::source::Place;

/// The enum columns: name, allowed values, API enum type.
const ENUMS: [(&str, &[i64], &str); 5] = [
    ("privacy", &[1, 2, 3], "KalturaPrivacyType"),
    ("appearInList", &[1, 3], "KalturaAppearInListType"),
    (
        "contributionPolicy",
        &[1, 2],
        "KalturaContributionPolicyType",
    ),
    ("inheritanceType", &[1, 2], "KalturaInheritanceType"),
    (
        "defaultPermissionLevel",
        &[0, 1, 2, 3, 4],
        "KalturaCategoryUserPermissionLevel",
    ),
];

fn enum_value(c: &Category, name: &str) -> Option<i64> {
    match name {
        "privacy" => c.privacy,
        "appearInList" => c.appear_in_list,
        "contributionPolicy" => c.contribution_policy,
        "inheritanceType" => c.inheritance_type,
        _ => c.default_permission_level,
    }
}

/// Whether the row names the category it updates or deletes.
fn has_target(c: &Category) -> bool {
    c.category_id.is_some_and(|i| i != 0) || c.reference_id.is_some()
}

/// The message the engine rejects the row with while parsing, if it does (these rows crash the
/// job on PHP 8).
pub fn parse_rejection(c: &Category) -> Option<String> {
    match c.action() {
        1 if c.name.is_none() => Some("Mandatory Column [name] missing from CSV.".into()),
        6 if !has_target(c) && c.name.is_none() => {
            Some("Mandatory Column [name] missing from CSV.".into())
        }
        2 if !has_target(c) => {
            Some("Mandatory parameters missing for action [2] - categoryId/referenceId".into())
        }
        3 if !has_target(c) => Some("Mandatory parameters missing for action [3]".into()),
        _ => None,
    }
}

/// The per-record rules of one category.
pub fn check_category(
    c: &Category,
    locs: &CellLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let action = c.action();
    if !known_action(action) {
        out.push(unknown_action(
            &codes::UNKNOWN_ACTION,
            file,
            locs,
            row,
            action,
            "1 (add), 2 (update), 3 (delete) or 6 (add or update)",
        ));
        return;
    }
    if let Some(server) = parse_rejection(c) {
        let (code, column, msg) = if matches!(action, 1 | 6) {
            (
                &codes::NAME_REQUIRED,
                "name",
                "this row adds a category but has no name".to_string(),
            )
        } else {
            (
                &codes::MISSING_TARGET,
                "action",
                format!(
                    "this row {}s a category but names neither categoryId nor referenceId",
                    if action == 2 { "update" } else { "delete" }
                ),
            )
        };
        out.push(
            at(code, file, locs, column, row, msg, "missing")
                .server(server)
                .help("fill in the column, or remove the row"),
        );
    }
    if let Some(name) = &c.name {
        let len = name.chars().count();
        if len > 200 || name.contains(['<', '>', ',']) {
            let (why, server) = if len > 200 {
                (
                    format!("is {len} characters long (at most 200)"),
                    "The property \"name\" cannot have more than 200 characters",
                )
            } else {
                (
                    "contains `<`, `>` or `,`".to_string(),
                    "Category name contains invalid chars.",
                )
            };
            out.push(
                at(
                    &codes::INVALID_NAME,
                    file,
                    locs,
                    "name",
                    row,
                    format!("the category name {why}: the API refuses it"),
                    "invalid name",
                )
                .server(server)
                .help("`>` separates levels: put the parent's full name in relativePath and only the last level in name"),
            );
        }
    }
    for (name, allowed, ty) in ENUMS {
        if let Some(v) = enum_value(c, name).filter(|v| !allowed.contains(v)) {
            let list: Vec<String> = allowed.iter().map(i64::to_string).collect();
            out.push(
                at(
                    &codes::INVALID_ENUM,
                    file,
                    locs,
                    name,
                    row,
                    format!("{name} `{v}` is not one of {}", list.join(", ")),
                    "not in the enum",
                )
                .server(format!("Invalid enumeration value \"{v}\" for parameter \"{name}\", expecting enumeration type \"{ty}\"")),
            );
        }
    }
    if let Some(v) = c.user_join_policy {
        out.push(
            at(&codes::USER_JOIN_POLICY, file, locs, "userJoinPolicy", row, format!("userJoinPolicy `{v}` is sent to the API, where the property is read-only: the row most likely fails"), "read-only in the API")
                .server("The property \"KalturaCategory::userJoinPolicy\" cannot be updated")
                .help("leave userJoinPolicy empty and set the join policy in the KMC"),
        );
    }
    if matches!(action, 2 | 3)
        && c.category_id.is_none()
        && c.reference_id.is_some()
        && c.relative_path.is_none()
    {
        out.push(
            at(&codes::REFERENCE_UPDATE, file, locs, "referenceId", row, "this row finds its category by referenceId alone: without relativePath the engine takes the first category of the whole partner with that reference id", "looked up partner-wide")
                .help("give categoryId, or the parent's full name in relativePath"),
        );
    }
}

/// The category file rules.
pub type Rules = Table<Categories>;

/// What the category file rules keep beyond the shared ones.
#[derive(Debug, Default)]
pub struct Categories {
    /// Parent paths not added by any row yet: the earliest row asking for each.
    waiting: HashMap<String, (u64, Place)>,
    /// The first row the engine rejects while parsing (PHP 8 crashes there), and how many
    /// rows before it the job would create.
    crash: Option<(u64, Place, String, u64)>,
    valid_before: u64,
}

impl TableKind for Categories {
    type Record = Category;
    const LIMIT_CODE: &'static Code = &codes::MAX_RECORDS;
    const LIMIT_SERVER: Option<&'static str> = Some("Exeeded max records count per bulk");

    fn record(data: &RecordData) -> Option<&Category> {
        match data {
            RecordData::Category(c) => Some(c),
            _ => None,
        }
    }

    fn check(c: &Category, locs: &CellLocs, file: &Arc<str>, row: u64, out: &mut Vec<Diagnostic>) {
        check_category(c, locs, file, row, out);
    }

    fn observe(
        &mut self,
        shared: &mut Shared,
        c: &Category,
        locs: &CellLocs,
        row: u64,
        diags: &mut Vec<Diagnostic>,
    ) {
        let over = shared.limit.hold().is_some();
        let rejected = parse_rejection(c)
            .or_else(|| over.then(|| "Exeeded max records count per bulk".into()));
        if self.crash.is_none() {
            match rejected {
                Some(why) => self.crash = Some((row, locs.row, why, self.valid_before)),
                None if known_action(c.action()) => self.valid_before += 1,
                None => {}
            }
        }
        if let Some(path) = c.relative_path.as_deref().filter(|p| !p.is_empty())
            && !shared.added.contains(path)
        {
            self.waiting
                .entry(path.to_string())
                .or_insert((row, locs.at("relativePath")));
        }
        if !matches!(c.action(), 1 | 6) {
            return;
        }
        let Some(full) = c.full_name() else { return };
        let here = locs.at("name");
        let file = &shared.file;
        if c.action() == 1
            && let Some((first_row, first)) = shared.added.add(full.clone(), row, here)
        {
            diags.push(
                two_places(&codes::DUPLICATE_CATEGORY, file, format!("row {first_row} already adds the category `{full}`: this add fails"), row, (here, "added again"), (first, "first added here"))
                    .server(format!("The category \"{full}\" already exists"))
                    .help("remove the repeated row, or make it an update (action 2 with categoryId or referenceId)"),
            );
        } else if c.action() == 6 {
            shared.added.add(full.clone(), row, here);
        }
        if let Some((child_row, p)) = self.waiting.remove(&full) {
            diags.push(
                two_places(&codes::PARENT_AFTER_CHILD, file, format!("this row adds `{full}`, the parent row {child_row} names in its relativePath; the engine processes rows in order, so row {child_row} does not find its parent"), row, (here, "parent added only here"), (p, "needed here first"))
                    .server(format!("Parent category not found for full name [{full}]"))
                    .help("move this row above the rows of its children"),
            );
        }
    }

    fn hold(&self) -> Option<u64> {
        self.crash.as_ref().map(|c| c.1.span.start)
    }

    fn finish(&mut self, shared: &Shared, diags: &mut Vec<Diagnostic>) {
        if let Some((row, p, why, before)) = self.crash.take() {
            diags.push(
                Diagnostic::new(&codes::JOB_CRASH, &shared.file, format!("the engine rejects this row while parsing (\"{why}\") and on PHP 8 the whole category job then crashes here: the {before} valid rows before it are created but their results are lost, the rows after it are never processed, and a retry creates the earlier rows again"))
                    .label(p.span, p.at, "the job crashes at this row")
                    .row(row)
                    .help("fix every row the engine rejects before uploading a category file"),
            );
        }
        self.waiting.clear();
    }
}
