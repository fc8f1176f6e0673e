//! The category-entry kind (moderation of entries assigned to categories): assignments keyed by
//! category id + entry id, looked up in one compound list; action 7 (the default) →
//! `categoryEntry.activate`, 8 → `reject`, as `BulkUploadCategoryEntryEngineCsv` calls them.
//!
//! The lookup tells the assignment's status first: an assignment already in the status the row
//! asks for is left alone (the row is `unchanged`, where Kaltura would answer "Cannot activate a
//! non pending categoryEntry"), so a file submitted again changes nothing; a missing one fails
//! with the API's error without a call. A moderation call whose answer was lost is done when the
//! lookup finds the status it sets, never sent twice (the second would be refused as not
//! pending).
use std::collections::HashMap;

use serde_json::Value;

use super::common::verdict;
use super::keyed::{Doubt, Keyed, Kind, Verdict, fail};
use super::{Check, Key, ListSpec, Lookup, Settle, Task, TaskResult};
use crate::record::{CategoryEntry, RecordData};

mod calls;
use calls::{BY_PAIR, moderation, on_pair, pair_key};

/// Plans category entries.
pub(super) type CategoryEntryPlanner = Keyed<CategoryEntries>;

/// The description of category entries for [`Keyed`].
#[derive(Debug, Clone)]
pub(super) struct CategoryEntries;

/// The action word of a row whose assignment is already as the file says.
const UNCHANGED: &str = "unchanged";

/// The key of a row: `categoryId:entryId`.
fn pair(e: &CategoryEntry) -> Option<String> {
    let entry = e.entry_id.as_deref().filter(|u| !u.is_empty())?;
    Some(format!("{}:{entry}", e.category_id.filter(|&i| i > 0)?))
}

/// The status of a found assignment.
fn status_of(objs: &[Value]) -> Option<i64> {
    objs.first().and_then(|o| o["status"].as_i64())
}

impl Kind for CategoryEntries {
    type Rec = CategoryEntry;
    type Name = String;
    /// The assignments the lookups found, by key.
    type Extra = HashMap<String, Value>;

    const DESCRIBE: &'static str = "category entries";
    const SAME: &'static str = "on the same category and entry";
    const ID_LIST: Option<ListSpec> = None;
    const DELETED_STATUS: Option<i64> = None;

    fn take(data: RecordData) -> Option<CategoryEntry> {
        match data {
            RecordData::CategoryEntry(e) => Some(e),
            _ => None,
        }
    }

    fn name(e: &CategoryEntry) -> Option<String> {
        pair(e)
    }

    fn name_key(name: &String) -> Key {
        pair_key(name)
    }

    fn name_of(key: &Key) -> Option<String> {
        (key.list == BY_PAIR).then(|| key.value.clone())
    }

    fn found_id(name: &String, _: &Value) -> Option<String> {
        Some(name.clone())
    }

    fn object_id(_: &CategoryEntry) -> Option<String> {
        None
    }

    fn touch(e: &CategoryEntry) -> Option<String> {
        pair(e)
    }

    fn adds(_: &CategoryEntry) -> bool {
        false
    }

    fn absorb_own(extra: &mut Self::Extra, name: &String, objs: &[Value]) {
        super::common::keep_first(extra, name, objs);
    }

    fn doubted_other(p: &CategoryEntryPlanner, i: usize, action: &str, found: Lookup<'_>) -> Doubt {
        let row = &p.rows[i];
        let (Some((call, status)), Some(key)) = (moderation(row.rec.action()), pair(&row.rec))
        else {
            return Doubt::Open;
        };
        match found {
            Lookup::Found(objs)
                if call == action && row.prev_same.is_none() && status_of(objs) == Some(status) =>
            {
                Doubt::Done(Settle::Done {
                    action: action.into(),
                    object_id: key,
                    object_status: Some(status),
                })
            }
            _ => Doubt::Open,
        }
    }

    fn task(p: &CategoryEntryPlanner, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &p.rows[i];
        let e = &row.rec;
        let (Some(entry), Some(category)) = (
            e.entry_id.as_deref().filter(|u| !u.is_empty()),
            e.category_id.filter(|&c| c > 0),
        ) else {
            return Err(fail(
                None,
                "Mandatory Column missing from CSV",
                "MISSING_MANDATORY_PARAMETER",
            ));
        };
        let Some((call, status)) = moderation(e.action()) else {
            return Err(fail(
                None,
                format!("Unknown action passed: [{}]", e.action()),
                "UNKNOWN_ACTION",
            ));
        };
        let key = format!("{category}:{entry}");
        let existing = p.existing(&key).map_err(|why| {
            Verdict::Defer(format!("cannot look up category entry [{key}]: {why}"))
        })?;
        if existing.is_none() {
            return Err(fail(
                Some(call),
                "Entry is not assigned to category",
                "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY",
            ));
        }
        // What an earlier row of this run did to the assignment supersedes the first lookup.
        let settled_here = row.prev_same.is_some();
        let held = (!settled_here)
            .then(|| p.extra.get(&key))
            .flatten()
            .and_then(|o| o["status"].as_i64());
        if held == Some(status) {
            return Err(Verdict::Decided(Settle::Done {
                action: UNCHANGED.into(),
                object_id: key,
                object_status: Some(status),
            }));
        }
        Ok(Some(Task {
            row: row.id,
            action: call.into(),
            calls: vec![on_pair(call, category, entry)],
            check: Check::Lookup(pair_key(&key)),
        }))
    }

    fn finished(p: &CategoryEntryPlanner, i: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        let rec = &p.rows[i].rec;
        let key = pair(rec).unwrap_or_default();
        let mut s = verdict(&task.action, Some(0), Some(&key), result);
        if let Settle::Done { object_status, .. } = &mut s {
            *object_status = moderation(rec.action()).map(|(_, status)| status);
        }
        s
    }

    fn cycle(_: &CategoryEntry) -> Settle {
        Settle::failed(None, "the row waits on itself", "KBULK_INTERNAL")
    }
}

#[cfg(test)]
mod tests;
