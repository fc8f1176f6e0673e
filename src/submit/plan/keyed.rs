//! The one keyed planner every kind uses, [`Keyed`]: its rows, keys, lookups and waves. The
//! per-kind description it is parameterised by, [`Kind`], is in `keyed/kind.rs`.
//!
//! What every kind shares (written once, here):
//!
//! - **Rows and their state**: each row is open, in flight, settled or deferred; a row's
//!   journal entry from an earlier run settles it (done, failed) or marks it in doubt (sent,
//!   never answered).
//! - **The natural key** ([`Kind::Name`]: a resource's type + systemName, an event's or entry's
//!   referenceId): objects known to exist by key (from the journal, the lookups and the rows
//!   settled in this run), keys whose lookup failed (nothing is decided about them in this run),
//!   and the rows that may add each key (references wait for them).
//! - **File order per object**: a row waits for the earlier row touching the same object
//!   ([`Kind::touch`]); if that one is deferred, so is this one.
//! - **References** ([`Keyed::resolve`]): a key a row points at (a parent, a template) exists,
//!   is waited for (a row of the file adds it), is stalled (that row was deferred), cannot be
//!   known (its lookup failed) or is absent; the kind words the message.
//! - **Lookups**: the keys of unsettled rows, of their references and, for deletes left in
//!   doubt, of their ids; what came back is sorted into known / unknown / ids that exist, and
//!   the lists the kind alone uses go to [`Kind::absorb_ref`].
//! - **Rows in doubt**: an add without a key cannot be looked up and is never sent twice; an add
//!   whose object is found is adopted ([`Kind::doubted_add`]); a delete whose object is gone is
//!   done; another action whose effect the lookup finds (a category entry already in the status
//!   its moderation call sets) is done ([`Kind::doubted_other`]). After an unknown outcome in
//!   this run the same rules run on the task's lookup.
//! - **Waves**: every open row whose dependencies are met is planned; what is still open when
//!   nothing is in flight and nothing could be sent waits on itself ([`Kind::cycle`]). A row that
//!   must wait is parked on the row it waits for (the earlier row on the same object, or the
//!   open adder of a key it refers to) and reconsidered only once that row settles or is given
//!   up, so a wave costs the rows it may plan, not the whole file: the engine asks for one after
//!   every answer and children go out while their parents' wave still drains.
//! - **Dry runs**: the waves are simulated, each planned row taken as done, so later rows refer
//!   to the objects of earlier rows as `{row N}`.
//!
//! What each kind says (its [`Kind`] impl, next to its calls): how a record is taken out of an
//! [`Item`], its key and the lists that look keys and ids up, which rows add a key, the other
//! keys it needs (parents, linked resources), the calls of a row once its references are met
//! ([`Kind::task`]: which fields go on add and on update, links in the same multirequest), the
//! verdict on a finished task, and the words of its messages.
//!
//! Where the three planners this replaced differed, the description keeps the difference:
//! events take the latest event with a UID ([`Kind::pick`]), the others the first; a resource's
//! add is its whole task, so a found add in doubt is done at once, while events and entries adopt
//! the object and send what hangs off it (links, content); a resource delete left in doubt by name
//! is gone when nothing knows the name, an entry's when the lookup misses it and no earlier row
//! touches it ([`Kind::doubted_delete_gone`]); deleted resources report status 3. One corner is
//! now the same for all: an object this run or the journal settled is used even when its key's
//! lookup failed (resources used to defer such rows).
use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Debug;

use serde_json::Value;

use super::common::Target;
use super::{
    Check, Found, Item, Key, Lookup, Planner, Preview, Recovery, Settle, Task, TaskResult,
    Uploaded, Wave,
};
use crate::submit::engine::{OUTCOME_UNKNOWN, OUTCOME_UNKNOWN_MESSAGE};
use crate::submit::journal::{RowId, RowState};

mod kind;

pub(super) use kind::{Doubt, Kind, Ref, Verdict, adopted, fail};

/// Where a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// Not sent yet.
    Open,
    /// A task is out.
    InFlight,
    /// Done, or failed for good.
    Settled,
    /// Given up for this run; may finish on resume.
    Deferred,
}

/// One row of a kind.
#[derive(Debug, Clone)]
pub(super) struct Row<R> {
    /// Its journal id.
    pub(super) id: RowId,
    /// The record.
    pub(super) rec: R,
    pub(super) state: State,
    /// A previous run sent this row and never learnt the outcome (the action it sent).
    pub(super) in_doubt: Option<String>,
    /// The earlier row of the file that touches the same object.
    pub(super) prev_same: Option<usize>,
    /// The object an earlier attempt of this row's add made (found after an unknown outcome).
    pub(super) adopted: Option<Value>,
    /// What became of the row's local file, if it has one.
    pub(super) upload: Option<Uploaded>,
}

/// The keyed planner of one kind. See the module documentation.
#[derive(Debug, Clone)]
pub struct Keyed<K: Kind> {
    pub(super) rows: Vec<Row<K::Rec>>,
    by_id: HashMap<RowId, usize>,
    /// Objects known to exist, by key.
    pub(super) known: HashMap<K::Name, Target>,
    /// Keys whose lookup failed: nothing may be decided about them in this run.
    pub(super) unknown: HashMap<K::Name, String>,
    /// Rows that may add each key (references can come from them).
    adders: HashMap<K::Name, Vec<usize>>,
    /// Ids found (`true`) or not (`false`) by id lookups (deletes left in doubt).
    existing_ids: HashMap<String, bool>,
    /// The kind's own lookups.
    pub(super) extra: K::Extra,
    /// Open rows to reconsider at the next wave (all of them at first), in file order.
    dirty: BTreeSet<usize>,
    /// Rows waiting for a row (by index) to leave the open and in-flight states.
    parked: HashMap<usize, Vec<usize>>,
    /// The row the last [`Keyed::plan`] found itself waiting for, if it named one.
    blocker: Cell<Option<usize>>,
}

impl<K: Kind> Keyed<K> {
    /// A planner for `items` (items of other kinds are ignored).
    pub fn new(items: Vec<Item>) -> Self {
        let mut rows = Vec::with_capacity(items.len());
        let mut last_touch: HashMap<String, usize> = HashMap::new();
        let mut adders: HashMap<K::Name, Vec<usize>> = HashMap::new();
        let mut known = HashMap::new();
        for item in items {
            let Some(rec) = K::take(item.record.data) else {
                continue;
            };
            let i = rows.len();
            let name = K::name(&rec);
            let (mut state, mut in_doubt) = (State::Open, None);
            if let Some(p) = &item.prior {
                match p.state {
                    RowState::Done => {
                        state = State::Settled;
                        if let (Some(n), Some(id)) = (&name, &p.object_id)
                            && p.action.as_deref() != Some("delete")
                        {
                            known.insert(n.clone(), Target::Id(id.clone()));
                        }
                    }
                    RowState::Failed => state = State::Settled,
                    RowState::Sent => in_doubt = Some(p.action.clone().unwrap_or_default()),
                    RowState::Planned => {}
                }
            }
            let prev_same = K::touch(&rec).and_then(|t| last_touch.insert(t, i));
            if let Some(n) = name
                && K::adds(&rec)
            {
                adders.entry(n).or_default().push(i);
            }
            rows.push(Row {
                id: item.id,
                rec,
                state,
                in_doubt,
                prev_same,
                adopted: None,
                upload: item.upload,
            });
        }
        let by_id = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let dirty = (0..rows.len()).collect();
        Keyed {
            rows,
            by_id,
            known,
            unknown: HashMap::new(),
            adders,
            existing_ids: HashMap::new(),
            extra: K::Extra::default(),
            dirty,
            parked: HashMap::new(),
            blocker: Cell::new(None),
        }
    }

    /// Row `i` left the open and in-flight states: the rows parked on it are reconsidered.
    fn wake(&mut self, i: usize) {
        if let Some(rows) = self.parked.remove(&i) {
            self.dirty.extend(rows);
        }
    }

    /// Plans the dirty rows into `wave`, parking those that must wait.
    fn plan_dirty(&mut self, wave: &mut Wave) {
        while let Some(i) = self.dirty.pop_first() {
            if self.rows[i].state != State::Open {
                continue;
            }
            let id = self.rows[i].id;
            self.blocker.set(None);
            match self.plan(i) {
                Ok(Some(t)) => {
                    self.rows[i].state = State::InFlight;
                    wave.tasks.push(t);
                }
                // Every wait names the row waited for (`plan`, `resolve`); a wait that did not
                // is simply reconsidered at the next full scan.
                Ok(None) => {
                    if let Some(b) = self.blocker.take().filter(|&b| b != i) {
                        self.parked.entry(b).or_default().push(i);
                    }
                }
                Err(Verdict::Decided(s)) => wave.settled.push((id, self.settle(i, s))),
                Err(Verdict::Defer(why)) => {
                    self.rows[i].state = State::Deferred;
                    self.wake(i);
                    wave.deferred.push((id, why));
                }
            }
        }
    }

    /// Settles row `i`, keeping what is known about its key up to date.
    fn settle(&mut self, i: usize, s: Settle) -> Settle {
        self.wake(i);
        let row = &mut self.rows[i];
        row.state = State::Settled;
        if let (
            Settle::Done {
                action, object_id, ..
            },
            Some(name),
        ) = (&s, K::name(&row.rec))
        {
            if action == "delete" {
                self.known.remove(&name);
            } else {
                self.known.insert(name, Target::Id(object_id.clone()));
            }
        }
        s
    }

    /// The existing object with this key: `Err` is why it cannot be known in this run.
    pub(super) fn existing(&self, name: &K::Name) -> Result<Option<Target>, &str> {
        if let Some(t) = self.known.get(name) {
            return Ok(Some(t.clone()));
        }
        match self.unknown.get(name) {
            Some(why) => Err(why),
            None => Ok(None),
        }
    }

    /// What a key that row `i` refers to stands for now.
    pub(super) fn resolve(&self, i: usize, name: &K::Name) -> Ref {
        match self.existing(name) {
            Ok(Some(t)) => return Ref::Exists(t),
            Err(why) => return Ref::Unknown(why.to_string()),
            Ok(None) => {}
        }
        let mut stalled = None;
        for &a in self.adders.get(name).map(Vec::as_slice).unwrap_or(&[]) {
            if a == i {
                continue;
            }
            match self.rows[a].state {
                State::Open | State::InFlight => {
                    self.blocker.set(Some(a));
                    return Ref::Wait;
                }
                State::Deferred => stalled = Some(self.rows[a].id.row),
                State::Settled => {}
            }
        }
        stalled.map_or(Ref::Absent, Ref::Stalled)
    }

    /// The task of open row `i`, after the earlier row on the same object.
    fn plan(&self, i: usize) -> Result<Option<Task>, Verdict> {
        if let Some(p) = self.rows[i].prev_same {
            match self.rows[p].state {
                State::Open | State::InFlight => {
                    self.blocker.set(Some(p));
                    return Ok(None);
                }
                State::Deferred => {
                    return Err(Verdict::Defer(format!(
                        "waits for row {} {}, which did not finish",
                        self.rows[p].id.row,
                        K::SAME
                    )));
                }
                State::Settled => {}
            }
        }
        K::task(self, i)
    }

    /// What the lookups say about a row a previous run left in doubt.
    fn doubt(&self, i: usize, action: &str, found: &Found) -> Doubt {
        let rec = &self.rows[i].rec;
        let name = K::name(rec);
        match action {
            "add" => match name {
                None => Doubt::Done(Settle::failed(
                    Some("add"),
                    OUTCOME_UNKNOWN_MESSAGE,
                    OUTCOME_UNKNOWN,
                )),
                Some(n) => K::doubted_add(self, i, &n, found),
            },
            "delete" => {
                let id = K::object_id(rec);
                let gone = match (&id, &name) {
                    (Some(id), _) => self.existing_ids.get(id) == Some(&false),
                    (None, Some(n)) => K::doubted_delete_gone(self, i, n, found),
                    (None, None) => false,
                };
                match gone {
                    true => Doubt::Done(Settle::Done {
                        action: "delete".into(),
                        object_id: id.unwrap_or_default(),
                        object_status: K::DELETED_STATUS,
                    }),
                    false => Doubt::Open,
                }
            }
            other => match name {
                Some(n) => K::doubted_other(self, i, other, found.get(&K::name_key(&n))),
                None => Doubt::Open,
            },
        }
    }
}

impl<K: Kind> Planner for Keyed<K> {
    fn describe(&self) -> &'static str {
        K::DESCRIBE
    }

    fn rows(&self) -> usize {
        self.rows.len()
    }

    fn keys(&self) -> Vec<Key> {
        let mut keys = Vec::new();
        for row in self.rows.iter().filter(|r| r.state != State::Settled) {
            if let Some(n) = K::name(&row.rec) {
                keys.push(K::name_key(&n));
            }
            if let (Some(list), Some(id), Some("delete")) =
                (K::ID_LIST, K::object_id(&row.rec), row.in_doubt.as_deref())
            {
                keys.push(Key { list, value: id });
            }
            K::refs(&row.rec, &mut keys);
        }
        keys.sort();
        keys.dedup();
        keys
    }

    fn absorb(&mut self, found: &Found) -> Vec<(RowId, Settle)> {
        for key in self.keys() {
            let lookup = found.get(&key);
            if let Some(name) = K::name_of(&key) {
                match lookup {
                    Lookup::Found(objs) => {
                        K::absorb_own(&mut self.extra, &name, objs);
                        if let Some(id) = K::pick(objs).and_then(|o| K::found_id(&name, o)) {
                            self.known.insert(name, Target::Id(id));
                        }
                    }
                    Lookup::Failed(why) => {
                        self.unknown.insert(name, why.to_string());
                    }
                    Lookup::Missing => {}
                }
            } else if Some(key.list) == K::ID_LIST {
                match lookup {
                    Lookup::Found(_) => self.existing_ids.insert(key.value.clone(), true),
                    Lookup::Missing => self.existing_ids.insert(key.value.clone(), false),
                    Lookup::Failed(_) => None,
                };
                // Kinds that compare an update with the object keep what the id found.
                K::absorb_ref(&mut self.extra, &key, lookup);
            } else {
                K::absorb_ref(&mut self.extra, &key, lookup);
            }
        }
        let mut settled = Vec::new();
        for i in 0..self.rows.len() {
            let Some(action) = self.rows[i].in_doubt.clone() else {
                continue;
            };
            if self.rows[i].state != State::Open {
                continue;
            }
            match self.doubt(i, &action, found) {
                Doubt::Done(s) => {
                    let id = self.rows[i].id;
                    settled.push((id, self.settle(i, s)));
                }
                Doubt::Adopt(o) => self.rows[i].adopted = Some(o),
                Doubt::Open => {}
            }
        }
        settled
    }

    fn wave(&mut self) -> Wave {
        let mut wave = Wave::default();
        self.plan_dirty(&mut wave);
        if wave.tasks.is_empty() && !self.rows.iter().any(|r| r.state == State::InFlight) {
            // Nothing is out: before calling what is left a cycle, every open row once more.
            self.parked.clear();
            self.dirty = (0..self.rows.len())
                .filter(|&i| self.rows[i].state == State::Open)
                .collect();
            self.plan_dirty(&mut wave);
        }
        if wave.tasks.is_empty() && !self.rows.iter().any(|r| r.state == State::InFlight) {
            // Whatever is still open waits on itself: references that form a cycle.
            for i in 0..self.rows.len() {
                if self.rows[i].state == State::Open {
                    let s = K::cycle(&self.rows[i].rec);
                    let id = self.rows[i].id;
                    wave.settled.push((id, self.settle(i, s)));
                }
            }
        }
        wave
    }

    fn finished(&mut self, task: &Task, result: TaskResult<'_>) -> Settle {
        let Some(&i) = self.by_id.get(&task.row) else {
            return Settle::failed(Some(&task.action), "unknown row", "KBULK_INTERNAL");
        };
        let s = K::finished(self, i, task, result);
        self.settle(i, s)
    }

    fn recover(&mut self, task: &Task, found: &Found) -> Recovery {
        let Some(&i) = self.by_id.get(&task.row) else {
            return Recovery::Unknown("unknown row".into());
        };
        let Check::Lookup(key) = &task.check else {
            return Recovery::Resend(task.clone());
        };
        match (task.action.as_str(), found.get(key)) {
            (_, Lookup::Failed(why)) => Recovery::Unknown(why.to_string()),
            ("delete", Lookup::Missing) => Recovery::Settled(self.settle(
                i,
                Settle::Done {
                    action: "delete".into(),
                    object_id: key.value.clone(),
                    object_status: K::DELETED_STATUS,
                },
            )),
            ("add", Lookup::Found(objs)) => {
                self.rows[i].adopted = K::pick(objs).cloned();
                match self.plan(i) {
                    Ok(Some(t)) => Recovery::Resend(t),
                    Ok(None) => Recovery::Unknown("nothing to send".into()),
                    Err(Verdict::Decided(s)) => Recovery::Settled(self.settle(i, s)),
                    Err(Verdict::Defer(why)) => Recovery::Unknown(why),
                }
            }
            ("add" | "delete", _) => Recovery::Resend(task.clone()),
            (other, lookup) => match K::doubted_other(self, i, other, lookup) {
                Doubt::Done(s) => Recovery::Settled(self.settle(i, s)),
                Doubt::Adopt(_) | Doubt::Open => Recovery::Resend(task.clone()),
            },
        }
    }

    fn abandoned(&mut self, row: RowId, permanent: bool) {
        if let Some(&i) = self.by_id.get(&row) {
            self.rows[i].state = if permanent {
                State::Settled
            } else {
                State::Deferred
            };
            self.wake(i);
        }
    }

    fn preview(&self) -> Vec<Preview> {
        let mut sim = self.clone();
        let mut out = Vec::new();
        for wave in 0u32.. {
            let w = sim.wave();
            if w.tasks.is_empty() {
                break;
            }
            for t in w.tasks {
                let i = sim.by_id[&t.row];
                sim.rows[i].state = State::Settled;
                sim.wake(i);
                if let Some(name) = K::name(&sim.rows[i].rec) {
                    if t.action == "delete" {
                        sim.known.remove(&name);
                    } else {
                        sim.known.entry(name).or_insert(Target::Row(t.row));
                    }
                }
                out.push(Preview {
                    row: t.row,
                    wave,
                    action: t.action,
                    calls: t.calls,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
