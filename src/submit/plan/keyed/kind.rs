//! The description of one kind that [`Keyed`] is parameterised by ([`Kind`]) and the words
//! the two speak in: what a reference stands for ([`Ref`]), what a lookup says of an add left in
//! doubt ([`Doubt`]) and why a row is not sent now ([`Verdict`]).
use std::fmt::Debug;
use std::hash::Hash;

use serde_json::Value;

use super::Keyed;
use crate::record::RecordData;
use crate::submit::plan::common::Target;
use crate::submit::plan::{Found, Key, ListSpec, Lookup, Settle, Task, TaskResult};

/// Why a row is not sent now: decided without a call (failed, or found already done), or
/// deferred to a later run.
pub(in crate::submit::plan) enum Verdict {
    Decided(Settle),
    Defer(String),
}

/// An unknown outcome whose lookup found the object (`obj`): the add was applied, and the row
/// is done with the object's id (deferred if the lookup's object has none).
pub(in crate::submit::plan) fn adopted(obj: &Value) -> Verdict {
    match crate::submit::plan::common::done("add", obj) {
        Some(s) => Verdict::Decided(s),
        None => Verdict::Defer("the lookup answered without an id".into()),
    }
}

/// A row decided as failed without a call.
pub(in crate::submit::plan) fn fail(
    action: Option<&str>,
    error: impl Into<String>,
    code: &str,
) -> Verdict {
    Verdict::Decided(Settle::failed(action, error, code))
}

/// What a key a row refers to (a parent, a template) stands for now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::submit::plan) enum Ref {
    /// The object exists (or, in a dry run, an earlier row makes it).
    Exists(Target),
    /// A row of the file adds it and has not settled: wait.
    Wait,
    /// The row of the file that adds it was deferred (its row number).
    Stalled(u64),
    /// Its lookup failed (why).
    Unknown(String),
    /// It does not exist and nothing in the file adds it.
    Absent,
}

/// What a lookup says about an add a previous run left in doubt.
pub(in crate::submit::plan) enum Doubt {
    /// It was applied, and nothing more is to be sent.
    Done(Settle),
    /// It was applied: this is the object; what hangs off it is still to be sent.
    Adopt(Value),
    /// It was not applied (or cannot be told yet): plan the row as usual.
    Open,
}

/// The description of one kind: everything [`Keyed`] needs to know about it.
pub(in crate::submit::plan) trait Kind:
    Sized + Clone + Debug + Send + 'static
{
    /// The typed record.
    type Rec: Clone + Debug + Send;
    /// The natural key of an object of the kind.
    type Name: Clone + Debug + Eq + Hash + Send;
    /// What the kind keeps of lookups only it uses (linked objects of other kinds).
    type Extra: Clone + Debug + Default + Send;

    /// What the planner submits, for messages ("schedule resources").
    const DESCRIBE: &'static str;
    /// How "waits for row N …" names rows touching the same object ("with the same UID").
    const SAME: &'static str;
    /// The list that finds objects by id (for deletes left in doubt), if the kind deletes.
    const ID_LIST: Option<ListSpec>;
    /// The status reported for a deleted object.
    const DELETED_STATUS: Option<i64>;

    /// The record, if `data` is of this kind.
    fn take(data: RecordData) -> Option<Self::Rec>;
    /// The record's own key, if it has one.
    fn name(rec: &Self::Rec) -> Option<Self::Name>;
    /// The lookup of a key.
    fn name_key(name: &Self::Name) -> Key;
    /// The key a lookup of this kind's own lists is about (`None`: another list).
    fn name_of(key: &Key) -> Option<Self::Name>;
    /// The object's id as the record gives it (deleted by id, found by id).
    fn object_id(rec: &Self::Rec) -> Option<String>;
    /// What identifies the object the row touches, for keeping such rows in file order.
    fn touch(rec: &Self::Rec) -> Option<String>;
    /// Whether the row may add the object its key names (references wait for such rows).
    fn adds(rec: &Self::Rec) -> bool;
    /// The other keys the row needs looked up (its references; by default none).
    fn refs(_rec: &Self::Rec, _keys: &mut Vec<Key>) {}
    /// Takes in the lookup of a key of a list that is not the kind's own (by default nothing:
    /// a kind whose lookups of other lists only decide what waits for what).
    fn absorb_ref(_extra: &mut Self::Extra, _key: &Key, _found: Lookup<'_>) {}
    /// Takes in the objects found for one of the kind's own keys (kinds that compare a row with
    /// what exists keep them; the others need only the id, which [`Keyed`] keeps).
    fn absorb_own(_extra: &mut Self::Extra, _name: &Self::Name, _objs: &[Value]) {}
    /// The id of an object a lookup of its key found (kinds whose objects have no `id`, such as
    /// category users, name it by their key).
    fn found_id(_name: &Self::Name, obj: &Value) -> Option<String> {
        crate::submit::plan::common::id_of(obj)
    }
    /// The object to take from a lookup that found several.
    fn pick(objs: &[Value]) -> Option<&Value> {
        objs.first()
    }
    /// What a lookup says about the row's add, sent by a previous run and never answered.
    fn doubted_add(p: &Keyed<Self>, i: usize, name: &Self::Name, found: &Found) -> Doubt {
        match found.get(&Self::name_key(name)) {
            Lookup::Found(objs) if p.rows[i].prev_same.is_none() => match Self::pick(objs) {
                Some(o) => Doubt::Adopt(o.clone()),
                None => Doubt::Open,
            },
            _ => Doubt::Open,
        }
    }
    /// What the lookup of the row's key says about a task of another action (not add or delete)
    /// sent and never answered: `Done` when its effect is already there (a status change that
    /// may not be sent twice), `Open` to plan or send it again (the default: updates are
    /// idempotent).
    fn doubted_other(_p: &Keyed<Self>, _i: usize, _action: &str, _found: Lookup<'_>) -> Doubt {
        Doubt::Open
    }
    /// Whether the object of a delete left in doubt, which has no id, is gone.
    fn doubted_delete_gone(p: &Keyed<Self>, i: usize, name: &Self::Name, found: &Found) -> bool {
        p.rows[i].prev_same.is_none() && found.get(&Self::name_key(name)) == Lookup::Missing
    }
    /// The task of a row whose earlier rows on the same object are settled: `Ok(None)` while
    /// a reference is waited for.
    fn task(p: &Keyed<Self>, i: usize) -> Result<Option<Task>, Verdict>;
    /// The verdict on a task that ran.
    fn finished(p: &Keyed<Self>, i: usize, task: &Task, result: TaskResult<'_>) -> Settle;
    /// The verdict on a row still open when nothing else can run (its references form a cycle).
    fn cycle(rec: &Self::Rec) -> Settle;
}
