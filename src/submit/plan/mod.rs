//! Planning: turning records into calls. A planner per record kind drives the executor through
//! the [`Planner`] trait — lookups first, then waves of tasks whose dependencies are met, then the
//! verdict on each task's outcome and, after an unknown outcome, on what a lookup found.
//!
//! The executor knows nothing about kinds, and neither does most of the planning: every kind's
//! planner is the one keyed planner (`keyed.rs`) over the kind's description (`resource.rs`,
//! `event.rs`, `entry.rs`: its key, lookups, references and calls), built by [`planners`].
use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use super::client::ApiError;
use super::journal::{RowEntry, RowId};
use super::multirequest::Call;
use crate::record::{Record, RecordData};

mod app;
mod category;
mod category_entry;
mod category_user;
mod common;
mod entry;
mod event;
mod keyed;
mod resource;
#[cfg(test)]
mod testing;
mod user;

/// A list that can find objects by the value of one field, many values per call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListSpec {
    /// Service (`schedule_scheduleresource`).
    pub service: &'static str,
    /// Filter class (`KalturaCameraScheduleResourceFilter`).
    pub filter_type: &'static str,
    /// Filter property taking a comma-separated list (`systemNameIn`).
    pub filter_field: &'static str,
    /// Object property the values are compared with (`systemName`).
    pub object_field: &'static str,
}

/// One value to look up in one list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Where to look.
    pub list: ListSpec,
    /// The value of `list.object_field` wanted.
    pub value: String,
}

/// What a lookup found for one key.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<'a> {
    /// The objects whose field has the value (normally one).
    Found(&'a [Value]),
    /// No object has the value.
    Missing,
    /// The lookup itself failed (after retries): nothing is known.
    Failed(&'a str),
}

/// The results of a round of lookups.
#[derive(Debug, Clone, Default)]
pub struct Found {
    objects: HashMap<Key, Vec<Value>>,
    failed: HashMap<Key, String>,
}

impl Found {
    /// Records the objects found for `key` (an empty vector: none).
    pub fn insert(&mut self, key: Key, objects: Vec<Value>) {
        self.objects.entry(key).or_default().extend(objects);
    }

    /// Records that `key` could not be looked up.
    pub fn fail(&mut self, key: Key, why: String) {
        self.failed.insert(key, why);
    }

    /// What is known about `key`. A key never asked for is `Failed`.
    pub fn get(&self, key: &Key) -> Lookup<'_> {
        if let Some(why) = self.failed.get(key) {
            return Lookup::Failed(why);
        }
        match self.objects.get(key) {
            Some(v) if !v.is_empty() => Lookup::Found(v),
            Some(_) => Lookup::Missing,
            None => Lookup::Failed("not looked up"),
        }
    }

    /// Merges another round into this one (later answers win).
    pub fn merge(&mut self, other: Found) {
        for (k, v) in other.objects {
            self.failed.remove(&k);
            self.objects.insert(k, v);
        }
        for (k, why) in other.failed {
            self.failed.insert(k, why);
        }
    }
}

/// How to tell, after a failure that may have applied a task, whether it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Sending the task again is harmless (an update by id with the same values, a lookup).
    Idempotent,
    /// Look this key up, then ask the planner ([`Planner::recover`]).
    Lookup(Key),
    /// Nothing identifies the object: the task is never sent again after an unknown outcome.
    Unidentifiable,
}

/// The calls of one row, sent together in one multirequest (references between them allowed).
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The row.
    pub row: RowId,
    /// The action word journaled and reported (`add`, `update`, `delete`, ...).
    pub action: String,
    /// The calls, in order.
    pub calls: Vec<Call>,
    /// What to do after an unknown outcome.
    pub check: Check,
}

/// The final word on a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    /// Applied.
    Done {
        /// The action done.
        action: String,
        /// The object's id.
        object_id: String,
        /// The object's status, when known.
        object_status: Option<i64>,
    },
    /// Failed for good: sending it again would fail again.
    Failed {
        /// The action attempted, if one was chosen.
        action: Option<String>,
        /// Why, in the server's words where it gave some.
        error: String,
        /// Kaltura's error code (or kbulk's own, upper case).
        code: Option<String>,
    },
}

impl Settle {
    /// A failure with a code.
    pub fn failed(action: Option<&str>, error: impl Into<String>, code: &str) -> Self {
        Settle::Failed {
            action: action.map(str::to_string),
            error: error.into(),
            code: Some(code.to_string()),
        }
    }
}

/// What the executor hands back when a task ran.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskResult<'a> {
    /// Every call succeeded; one result per call.
    Ok(&'a [Value]),
    /// Call number `at` (0-based) returned an error; `before` holds the results of the calls
    /// before it.
    Rejected {
        /// Which call failed.
        at: usize,
        /// The error.
        error: &'a ApiError,
        /// Results of the earlier calls.
        before: &'a [Value],
        /// Every element of the task, in call order (later calls may have succeeded: a
        /// multirequest has no transaction).
        elements: &'a [super::client::Element],
    },
}

/// The planner's answer after a lookup that followed an unknown outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Recovery {
    /// The task had taken effect.
    Settled(Settle),
    /// It had not: send this (the same task, or what remains of it).
    Resend(Task),
    /// Still cannot tell (the lookup failed): the row stays in doubt for `--resume`.
    Unknown(String),
}

/// A wave: tasks whose dependencies are met, and rows decided without a call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wave {
    /// Tasks to run now (any order, in parallel).
    pub tasks: Vec<Task>,
    /// Rows settled without a call (e.g. "Unable to find parent").
    pub settled: Vec<(RowId, Settle)>,
    /// Rows that cannot go on in this run (e.g. their parent is in doubt), with the reason;
    /// they stay unfinished for `--resume`.
    pub deferred: Vec<(RowId, String)>,
}

/// One call of a dry run, with references to other rows written as `{row N}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// The row.
    pub row: RowId,
    /// The dependency wave it would go in (0 first).
    pub wave: u32,
    /// The action word.
    pub action: String,
    /// The calls.
    pub calls: Vec<Call>,
}

/// Drives one kind's rows. The executor calls, in order: [`Planner::keys`], [`Planner::absorb`],
/// then [`Planner::wave`] repeatedly (feeding back [`Planner::finished`], [`Planner::recover`] and
/// [`Planner::abandoned`]) until a wave is empty.
pub trait Planner: Send {
    /// What the planner submits, for messages ("schedule resources").
    fn describe(&self) -> &'static str;

    /// Rows it owns (for progress).
    fn rows(&self) -> usize;

    /// Keys to look up before the first wave: names to resolve, existence checks, and the keys of
    /// rows a previous run left in doubt.
    fn keys(&self) -> Vec<Key>;

    /// Takes in what the first lookups found. Returns rows settled by it (adopted in-doubt rows,
    /// names that do not exist, ...).
    fn absorb(&mut self, found: &Found) -> Vec<(RowId, Settle)>;

    /// The next tasks whose dependencies are met; an empty wave ends the run.
    fn wave(&mut self) -> Wave;

    /// A task ran; its verdict.
    fn finished(&mut self, task: &Task, result: TaskResult<'_>) -> Settle;

    /// A task's outcome was unknown and its [`Check::Lookup`] key was looked up.
    fn recover(&mut self, task: &Task, found: &Found) -> Recovery;

    /// The executor gave up on a row for this run (`permanent`: it failed for good; otherwise it
    /// is unfinished and may complete on resume). Rows depending on it must not be sent.
    fn abandoned(&mut self, row: RowId, permanent: bool);

    /// The calls a run would make, for `--dry-run` (after [`Planner::absorb`]).
    fn preview(&self) -> Vec<Preview>;
}

impl fmt::Debug for dyn Planner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Planner({}, {} rows)", self.describe(), self.rows())
    }
}

/// One record to submit and what a previous run left of it.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its journal id.
    pub id: RowId,
    /// The record.
    pub record: Record,
    /// Its journal entry from a previous run, if any.
    pub prior: Option<RowEntry>,
    /// For an entry with a local file: what became of the upload (`None`: nothing to upload).
    pub upload: Option<Uploaded>,
}

/// What became of the upload of a row's local file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploaded {
    /// The file is on the server under this upload token.
    Token(String),
    /// It cannot be uploaded (unreadable file, the server refused it).
    Failed {
        /// Why.
        error: String,
        /// The code.
        code: String,
    },
    /// Not finished in this run (transient failures); `--resume` continues it.
    Unfinished(String),
}

/// Builds the planners for `items`, one per kind, in the order kinds depend on each other
/// (resources before the events that use them, events before the entries recorded from them).
pub fn planners(items: Vec<Item>) -> Vec<Box<dyn Planner>> {
    let (mut resources, mut events, mut entries) = (Vec::new(), Vec::new(), Vec::new());
    let (mut categories, mut users) = (Vec::new(), Vec::new());
    let (mut apps, mut members, mut assignments) = (Vec::new(), Vec::new(), Vec::new());
    for item in items {
        match &item.record.data {
            RecordData::ScheduleResource(_) => resources.push(item),
            RecordData::ScheduleEvent(_) => events.push(item),
            RecordData::Entry(_) => entries.push(item),
            RecordData::Category(_) => categories.push(item),
            RecordData::User(_) => users.push(item),
            RecordData::CategoryUser(_) => members.push(item),
            RecordData::CategoryEntry(_) => assignments.push(item),
            RecordData::App(_) => apps.push(item),
        }
    }
    let mut out: Vec<Box<dyn Planner>> = Vec::new();
    if !resources.is_empty() {
        out.push(Box::new(resource::ResourcePlanner::new(resources)));
    }
    if !events.is_empty() {
        out.push(Box::new(event::EventPlanner::new(events)));
    }
    if !entries.is_empty() {
        out.push(Box::new(entry::EntryPlanner::new(entries)));
    }
    if !categories.is_empty() {
        out.push(Box::new(category::CategoryPlanner::new(categories)));
    }
    if !users.is_empty() {
        out.push(Box::new(user::UserPlanner::new(users)));
    }
    if !members.is_empty() {
        out.push(Box::new(category_user::CategoryUserPlanner::new(members)));
    }
    if !assignments.is_empty() {
        out.push(Box::new(category_entry::CategoryEntryPlanner::new(
            assignments,
        )));
    }
    if !apps.is_empty() {
        out.push(Box::new(app::AppPlanner::new(apps)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec = ListSpec {
        service: "s",
        filter_type: "F",
        filter_field: "nameIn",
        object_field: "name",
    };

    fn key(v: &str) -> Key {
        Key {
            list: SPEC,
            value: v.into(),
        }
    }

    #[test]
    fn found_distinguishes_missing_failed_and_unasked() {
        let mut f = Found::default();
        f.insert(key("a"), vec![serde_json::json!({"id": 1})]);
        f.insert(key("b"), vec![]);
        f.fail(key("c"), "down".into());
        assert!(matches!(f.get(&key("a")), Lookup::Found(v) if v.len() == 1));
        assert_eq!(f.get(&key("b")), Lookup::Missing);
        assert_eq!(f.get(&key("c")), Lookup::Failed("down"));
        assert!(matches!(f.get(&key("d")), Lookup::Failed(_)));
        let mut later = Found::default();
        later.insert(key("c"), vec![]);
        f.merge(later);
        assert_eq!(f.get(&key("c")), Lookup::Missing);
    }
}
