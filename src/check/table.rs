//! The rules of the simple CSV kinds (category, user, category-user, category-entry), behind
//! the one entry point the driver takes them from ([`rules_for`], through `check::rules::Table`),
//! and what those rules share: the driver's side of [`TableRules`] ([`Table`], given a
//! [`TableKind`]), a finding at a column, the per-bulk limit and duplicates of an added key.
use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::record::locs::CellLocs;
use crate::record::table::TableRules;
use crate::record::{RecordData, RecordKind};
use crate::source::{LineCol, Place};

/// The rules of `kind` for one file, if it is a simple kind; `max_records` is the per-bulk
/// limit (`None`: none).
pub fn rules_for(
    kind: RecordKind,
    file: Arc<str>,
    max_records: Option<u64>,
) -> Option<Box<dyn TableRules>> {
    Some(match kind {
        RecordKind::Category => Box::new(super::category::Rules::new(file, max_records)),
        RecordKind::User => Box::new(super::user::Rules::new(file, max_records)),
        RecordKind::CategoryUser => {
            Box::new(super::category_user::MemberRules::new(file, max_records))
        }
        RecordKind::CategoryEntry => {
            Box::new(super::category_user::EntryRules::new(file, max_records))
        }
        _ => return None,
    })
}

/// What one simple kind adds to the rules every simple kind shares (the record taken out of
/// [`RecordData`], the per-bulk limit, the keys added so far): its per-record rules and what it
/// notes of each row in file order.
pub trait TableKind: Default + Sync {
    /// The record the rules judge.
    type Record;
    /// The code of the per-bulk limit's finding.
    const LIMIT_CODE: &'static Code;
    /// The engine's message for rows over the limit (`None`: the engine does not enforce it).
    const LIMIT_SERVER: Option<&'static str>;
    /// The record, if `data` is of this kind.
    fn record(data: &RecordData) -> Option<&Self::Record>;
    /// The per-record rules of the record at `row`.
    fn check(
        r: &Self::Record,
        locs: &CellLocs,
        file: &Arc<str>,
        row: u64,
        out: &mut Vec<Diagnostic>,
    );
    /// Sees each mapped row in file order, after the limit has counted it.
    fn observe(
        &mut self,
        shared: &mut Shared,
        r: &Self::Record,
        locs: &CellLocs,
        row: u64,
        diags: &mut Vec<Diagnostic>,
    );
    /// The earliest byte offset a later finding of the kind's own file rules may point at.
    fn hold(&self) -> Option<u64> {
        None
    }
    /// The kind's own end-of-file findings, after the limit's.
    fn finish(&mut self, _shared: &Shared, _diags: &mut Vec<Diagnostic>) {}
}

/// What the file rules of every simple kind keep.
#[derive(Debug)]
pub struct Shared {
    /// The file's name, for findings.
    pub(crate) file: Arc<str>,
    pub(crate) limit: Limit,
    /// The keys added by earlier rows (full names, user ids, memberships).
    pub(crate) added: Added,
}

/// The file rules of one simple kind: the shared ones and the kind's own.
#[derive(Debug)]
pub struct Table<K> {
    shared: Shared,
    kind: K,
}

impl<K: TableKind> Table<K> {
    /// The rules of one file; `max_records` is the per-bulk limit (`None`: none).
    pub fn new(file: Arc<str>, max_records: Option<u64>) -> Self {
        Table {
            shared: Shared {
                file,
                limit: Limit::new(max_records),
                added: Added::default(),
            },
            kind: K::default(),
        }
    }
}

impl<K: TableKind> TableRules for Table<K> {
    fn check(&self, data: &RecordData, locs: &CellLocs, row: u64, diags: &mut Vec<Diagnostic>) {
        if let Some(r) = K::record(data) {
            K::check(r, locs, &self.shared.file, row, diags);
        }
    }

    fn observe(
        &mut self,
        data: Option<&RecordData>,
        locs: &CellLocs,
        row: u64,
        diags: &mut Vec<Diagnostic>,
    ) {
        self.shared.limit.observe(row, locs);
        if let Some(r) = data.and_then(K::record) {
            self.kind.observe(&mut self.shared, r, locs, row, diags);
        }
    }

    fn hold(&self) -> Option<u64> {
        [self.kind.hold(), self.shared.limit.hold()]
            .into_iter()
            .flatten()
            .min()
    }

    fn finish(&mut self, diags: &mut Vec<Diagnostic>) {
        let s = &self.shared;
        if let Some(d) = s.limit.finish(K::LIMIT_CODE, &s.file, K::LIMIT_SERVER) {
            diags.push(d);
        }
        self.kind.finish(&self.shared, diags);
    }
}

/// A finding at two places of the file: `here` (row `row`) and an earlier one, `first`.
pub(crate) fn two_places(
    code: &'static Code,
    file: &Arc<str>,
    message: String,
    row: u64,
    (here, here_label): (Place, &str),
    (first, first_label): (Place, &str),
) -> Diagnostic {
    Diagnostic::new(code, file, message)
        .label(here.span, here.at, here_label)
        .label(first.span, LineCol::UNRESOLVED, first_label)
        .row(row)
}

/// The engine's validations of a row, in its order (`failed`), into `out`; when there are
/// several, first the `code` finding that the bulk results show only the last one's message.
pub(crate) fn last_message_wins(
    code: &'static Code,
    file: &Arc<str>,
    locs: &CellLocs,
    row: u64,
    mut failed: Vec<Diagnostic>,
    out: &mut Vec<Diagnostic>,
) {
    if failed.len() > 1
        && let Some(last) = failed.last().and_then(|d| d.server_message.clone())
    {
        let p = locs.row;
        out.push(
            Diagnostic::new(code, file, format!("this row fails {} checks; the bulk results will show only the last: \"{last}\"", failed.len()))
                .label(p.span, p.at, "several errors")
                .row(row)
                .server(last),
        );
    }
    out.append(&mut failed);
}

/// A finding about `column` of the record at `row` (the whole record when it has no cell).
pub(crate) fn at(
    code: &'static Code,
    file: &Arc<str>,
    locs: &CellLocs,
    column: &str,
    row: u64,
    message: impl Into<String>,
    label: &str,
) -> Diagnostic {
    let p = locs.at(column);
    Diagnostic::new(code, file, message)
        .label(p.span, p.at, label)
        .row(row)
}

/// Whether an action is one of add (1), update (2), delete (3), add-or-update (6).
pub(crate) fn known_action(a: i64) -> bool {
    matches!(a, 1 | 2 | 3 | 6)
}

/// The finding for an action the engine does not know (the row vanishes from the results).
pub(crate) fn unknown_action(
    code: &'static Code,
    file: &Arc<str>,
    locs: &CellLocs,
    row: u64,
    action: i64,
    valid: &str,
) -> Diagnostic {
    at(
        code,
        file,
        locs,
        "action",
        row,
        format!(
            "unknown action `{action}`: the row does nothing and vanishes from the bulk results"
        ),
        "unknown action",
    )
    .server(format!("Unknown action passed: [{action}]"))
    .help(format!("use {valid}"))
}

/// The first row over the per-bulk limit, reported at the end of the file.
#[derive(Debug)]
pub(crate) struct Limit {
    max: Option<u64>,
    first_over: Option<(u64, Place)>,
    rows: u64,
}

impl Limit {
    pub(crate) fn new(max: Option<u64>) -> Self {
        Limit {
            max,
            first_over: None,
            rows: 0,
        }
    }

    pub(crate) fn observe(&mut self, row: u64, locs: &CellLocs) {
        self.rows = self.rows.max(row);
        if let Some(max) = self.max
            && row > max
            && self.first_over.is_none()
        {
            self.first_over = Some((row, locs.row));
        }
    }

    pub(crate) fn hold(&self) -> Option<u64> {
        self.first_over.map(|(_, p)| p.span.start)
    }

    /// The finding, worded by the kind (`server`: the engine's message; `None`: not enforced).
    pub(crate) fn finish(
        &self,
        code: &'static Code,
        file: &Arc<str>,
        server: Option<&str>,
    ) -> Option<Diagnostic> {
        let (max, (row, p)) = (self.max?, self.first_over?);
        let n = self.rows;
        let d = match server {
            Some(s) => Diagnostic::new(code, file, format!("the file has {n} data rows; rows {row} to {n} are over the limit of {max} per bulk and fail"))
                .server(s)
                .help("split the file, or pass --max-records with your installation's limit (0: none)"),
            None => Diagnostic::new(code, file, format!("the file has {n} data rows, more than the limit of {max} per bulk, which this engine does not enforce: every row is processed")),
        };
        Some(d.label(p.span, p.at, "first row over the limit").row(row))
    }
}

/// Keys added by earlier rows, to point a repeated add at the first one.
#[derive(Debug, Default)]
pub(crate) struct Added {
    first: HashMap<String, (u64, Place)>,
}

impl Added {
    /// Notes that `row` adds `key`; returns the earlier row and place that added it, if any.
    pub(crate) fn add(&mut self, key: String, row: u64, place: Place) -> Option<(u64, Place)> {
        match self.first.get(&key) {
            Some(first) => Some(*first),
            None => {
                self.first.insert(key, (row, place));
                None
            }
        }
    }

    /// Whether some row added `key`.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.first.contains_key(key)
    }
}
