//! Rules for schedule resources: per-record rules (run in parallel) and the file-level rules
//! that need the whole file in order (duplicates, parent order, limits).
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::diag::{Diagnostic, Severity};
use crate::record::resource::{ResourceAction, ResourceField, ResourceType, ResourceView};
use crate::source::{LineCol, Span};

pub use crate::record::codes::resource as codes;

pub use crate::record::locs::{FieldPlaces, ResourceLocs};
pub use crate::source::Place;

use crate::check::index::NameIndex;

mod spilled;

/// Longest `name` and `systemName` the API accepts, in characters.
pub const MAX_NAME_CHARS: usize = 256;

/// Runs the per-record rules on one resource.
pub fn check_record(
    r: &ResourceView,
    locs: &ResourceLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    let diag = |code, field: ResourceField, msg: String, label: &str| {
        let p = locs.at(field);
        Diagnostic::new(code, file, msg)
            .label(p.span, p.at, label)
            .row(row)
    };
    let class = r.resource_type.api_class();
    // What an add-or-update row certainly becomes (kaltura-formats §3.3): with a resourceId an
    // update; with neither resourceId nor systemName nothing is looked up, so an add; only a
    // systemName leaves it to the account (`--against` would tell).
    let action = match (r.action, r.resource_id.is_some(), r.system_name.is_some()) {
        (ResourceAction::AddOrUpdate, true, _) => ResourceAction::Update,
        (ResourceAction::AddOrUpdate, false, false) => ResourceAction::Add,
        (a, _, _) => a,
    };
    if r.name.is_none() {
        match action {
            ResourceAction::Add => out.push(
                diag(&codes::NAME_REQUIRED, ResourceField::Name, "this row adds a resource but has no name".into(), "name is empty")
                    .server(format!("The property \"{class}::name\" cannot be null"))
                    .help("give the resource a name (1–256 characters)"),
            ),
            ResourceAction::AddOrUpdate => out.push(
                diag(&codes::NAME_REQUIRED, ResourceField::Name, "this add-or-update row has no name: if the systemName does not exist yet, the add fails".into(), "name is empty")
                    .severity(Severity::Warning)
                    .server(format!("The property \"{class}::name\" cannot be null")),
            ),
            _ => {}
        }
    }
    if let Some(name) = r.name.filter(|n| n.len() > MAX_NAME_CHARS) {
        let n = name.chars().count();
        if n > MAX_NAME_CHARS {
            out.push(diag(
                &codes::NAME_LENGTH,
                ResourceField::Name,
                format!("name has {n} characters; the API allows at most {MAX_NAME_CHARS}"),
                "too long",
            ));
        }
    }
    if let Some(sn) = r.system_name.filter(|n| n.len() > MAX_NAME_CHARS) {
        let n = sn.chars().count();
        if n > MAX_NAME_CHARS {
            out.push(diag(
                &codes::SYSTEM_NAME_LENGTH,
                ResourceField::SystemName,
                format!("systemName has {n} characters; the API allows at most {MAX_NAME_CHARS}"),
                "too long",
            ));
        }
    }
    if matches!(r.action, ResourceAction::Update | ResourceAction::Delete)
        && r.resource_id.is_none()
        && r.system_name.is_none()
    {
        out.push(
            diag(
                &codes::MISSING_TARGET,
                ResourceField::Action,
                format!(
                    "this {} row says neither resourceId nor systemName",
                    r.action.word()
                ),
                "which resource?",
            )
            .server("Mandatory Columns [resourceId or systemName] missing from CSV.")
            .help("add a resourceId, or a systemName with the resource's type"),
        );
    }
    if r.resource_type == ResourceType::LiveEntry {
        let msg = "The property \"KalturaLiveEntryScheduleResource::entryId\" cannot be null";
        match action {
            ResourceAction::Add => out.push(
                diag(&codes::LIVE_ENTRY_ADD, ResourceField::Type, "a live_entry resource cannot be added from a CSV: it needs an entryId and the CSV has no column for it".into(), "live_entry add")
                    .server(msg)
                    .help("create live-entry resources through the API"),
            ),
            ResourceAction::AddOrUpdate => out.push(
                diag(&codes::LIVE_ENTRY_ADD, ResourceField::Type, "if this live_entry resource does not exist yet, the add fails: it needs an entryId the CSV cannot give".into(), "live_entry add-or-update")
                    .severity(Severity::Warning)
                    .server(msg),
            ),
            _ => {}
        }
    }
    if r.action == ResourceAction::Add && r.resource_id.is_some() {
        out.push(
            diag(
                &codes::ID_IGNORED_ON_ADD,
                ResourceField::ResourceId,
                "resourceId is ignored on an add row: a new resource is created".into(),
                "ignored",
            )
            .help("use action 2 (update) to change the existing resource"),
        );
    }
}

/// What the file-level rules remember of each `(type, systemName)`: where its first cell is,
/// packed into one word (48 bits of offset, 16 of length) because the index is the only thing
/// that grows with the file. Its line and column are resolved from the file when a finding
/// needs them.
#[derive(Debug, Clone, Copy)]
struct NameEntry(u64);

impl NameEntry {
    fn new(span: Span) -> Self {
        NameEntry((span.start.min((1 << 48) - 1) << 16) | span.len().min(0xFFFF))
    }

    fn place(&self) -> (Span, LineCol) {
        let start = self.0 >> 16;
        (
            Span::new(start, start + (self.0 & 0xFFFF)),
            LineCol::UNRESOLVED,
        )
    }
}

/// A parent referenced before any row adds it.
#[derive(Debug, Clone, Copy)]
struct PendingParent {
    first: Place,
    row: u64,
    count: u64,
}

/// 64-bit key of a `(type, name)` pair. A collision would need two names with equal hashes in
/// one file (about 1 in 10^7 for a million names); it can only merge two duplicate reports.
fn name_key(t: ResourceType, name: &str) -> u64 {
    let mut h = foldhash::fast::FixedState::with_seed(0x6b62_756c_6b00).build_hasher();
    h.write_u8(t as u8);
    h.write(name.as_bytes());
    h.finish()
}

/// The keys are already hashes: the maps use them as they are.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// Bytes a pending parent costs in the maps besides its name (entry, map slack, `String`).
const PENDING_COST: usize = 160;

/// The rules that need every record of a file in order. Feed records with
/// [`FileRules::observe`], then call [`FileRules::finish`].
///
/// The names they remember stay in memory up to a budget ([`FileRules::with_memory`]); past it,
/// what they hold and every later name event go to a [`KeyLog`] on disk and the duplicate and
/// parent rules run at the end as a merge of it ([`spilled`]), with the same findings.
#[derive(Debug)]
pub struct FileRules {
    pub(crate) file: Arc<str>,
    max_records: Option<u64>,
    /// Names that a row of this file creates (add, or add-or-update).
    created: NameIndex,
    pending_parents: KeyMap<PendingParent>,
    parent_names: KeyMap<(ResourceType, String)>,
    /// What `pending_parents` and `parent_names` hold, about.
    pending_bytes: usize,
    budget: usize,
    spilled: Option<spilled::Spilled>,
    records: u64,
    first_over_limit: Option<(u64, Place)>,
    lookups: u64,
    first_lookup: Option<(u64, Place, &'static str)>,
    /// The system-name keys [`FileRules::prefetch`] computed, in row order, for
    /// [`FileRules::observe`] to take instead of hashing the name a second time.
    ahead: VecDeque<Ahead>,
}

/// A key computed ahead: the name it is for (where it is, its length and type; two live rows
/// cannot share these without sharing the name), and the key.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ahead {
    at: usize,
    len: usize,
    resource_type: ResourceType,
    key: u64,
}

/// Keys held ahead at most (the pipeline prefetches 32 rows ahead); past it the queue is
/// dropped, which only costs hashing again.
const MAX_AHEAD: usize = 256;

impl FileRules {
    /// Rules for one file; `max_records` is the per-bulk row limit (`None`: no limit).
    pub fn new(file: Arc<str>, max_records: Option<u64>) -> Self {
        FileRules {
            file,
            max_records,
            created: NameIndex::default(),
            pending_parents: KeyMap::default(),
            parent_names: KeyMap::default(),
            pending_bytes: 0,
            budget: usize::MAX,
            spilled: None,
            records: 0,
            first_over_limit: None,
            lookups: 0,
            first_lookup: None,
            ahead: VecDeque::new(),
        }
    }

    /// Sets the bytes the name index may hold in memory before it spills to disk.
    pub fn with_memory(mut self, budget: u64) -> Self {
        self.budget = usize::try_from(budget).unwrap_or(usize::MAX);
        self
    }

    /// The bytes the index may hold in memory, and whether it has spilled (for tests).
    #[cfg(test)]
    pub(crate) fn budget_spilled(&self) -> (usize, bool) {
        (self.budget, self.spilled.is_some())
    }

    /// Starts loading the index slot a later row will need (call a few rows ahead of
    /// [`FileRules::observe`]); a pure speed hint.
    pub fn prefetch(&mut self, r: &ResourceView) {
        if let (Some(sn), None) = (r.system_name, &self.spilled) {
            let key = name_key(r.resource_type, sn);
            self.created.prefetch(key);
            if self.ahead.len() >= MAX_AHEAD {
                self.ahead.clear();
            }
            self.ahead.push_back(Ahead {
                at: sn.as_ptr() as usize,
                len: sn.len(),
                resource_type: r.resource_type,
                key,
            });
        }
    }

    /// The key of this row's system name: the one [`FileRules::prefetch`] computed if it is
    /// next in the queue, else hashed now.
    fn system_key(&mut self, t: ResourceType, sn: &str) -> u64 {
        if let Some(a) = self.ahead.front()
            && a.at == sn.as_ptr() as usize
            && a.len == sn.len()
            && a.resource_type == t
        {
            let key = a.key;
            self.ahead.pop_front();
            return key;
        }
        name_key(t, sn)
    }

    /// Notes one data row. `r` is `None` when the row could not be mapped to a record (it still
    /// counts against the row limit).
    pub fn observe(
        &mut self,
        r: Option<&ResourceView>,
        locs: &ResourceLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        self.records += 1;
        if let Some(max) = self.max_records
            && row > max
            && self.first_over_limit.is_none()
        {
            self.first_over_limit = Some((row, locs.row));
        }
        let Some(r) = r else {
            // A row prefetched but not usable would stay at the front of the queue.
            self.ahead.clear();
            return;
        };
        let sn_key = r.system_name.map(|sn| self.system_key(r.resource_type, sn));
        self.note_lookups(r, locs, row);
        if r.parent_system_name.is_none() && r.system_name.is_none() {
            return;
        }
        if self.spilled.is_none() {
            let parent = r.parent_system_name.map_or(0, |p| p.len() + PENDING_COST);
            let need = self.created.bytes_after_insert() + self.pending_bytes + parent;
            if need > self.budget {
                self.spill(locs.row.span.start);
            }
        }
        if let Some(s) = &mut self.spilled {
            s.observe(r, sn_key, locs, row, self.records);
            return;
        }
        if let Some(parent) = r.parent_system_name {
            let key = name_key(r.parent_type, parent);
            if !self.created.contains(key) {
                let p = locs.at(ResourceField::ParentSystemName);
                self.pending_parents
                    .entry(key)
                    .and_modify(|e| e.count += 1)
                    .or_insert_with(|| PendingParent {
                        first: p,
                        row,
                        count: 1,
                    });
                self.parent_names.entry(key).or_insert_with(|| {
                    self.pending_bytes += parent.len() + PENDING_COST;
                    (r.parent_type, parent.to_string())
                });
            }
        }
        let (Some(sn), Some(key)) = (r.system_name, sn_key) else {
            return;
        };
        let here_span = locs.span(ResourceField::SystemName);
        match r.action {
            ResourceAction::Add | ResourceAction::AddOrUpdate => {
                let vacant = self.created.insert_new(key, NameEntry::new(here_span).0);
                let here = || locs.at(ResourceField::SystemName);
                if let Err(prev) = vacant {
                    let what = (r.action, r.resource_type);
                    out.push(duplicate(
                        &self.file,
                        what,
                        sn,
                        here(),
                        NameEntry(prev),
                        row,
                    ));
                } else if !self.pending_parents.is_empty()
                    && let Some(pending) = self.pending_parents.remove(&key)
                {
                    out.push(late_parent(
                        &self.file,
                        r.resource_type,
                        sn,
                        here(),
                        pending,
                    ));
                }
            }
            ResourceAction::Delete => {
                self.created.remove(key);
            }
            ResourceAction::Update => {}
        }
    }

    /// Moves what the index holds to a log on disk; every later name event goes there too.
    /// `from` is where the first row handled by the log starts.
    fn spill(&mut self, from: u64) {
        let created = std::mem::take(&mut self.created);
        let pending = std::mem::take(&mut self.pending_parents);
        let mut names = std::mem::take(&mut self.parent_names);
        self.pending_bytes = 0;
        let pending = pending.into_iter().map(|(key, p)| {
            let (t, name) = names.remove(&key).unwrap_or_default();
            (key, p, t, name)
        });
        self.spilled = Some(spilled::Spilled::new(
            self.budget,
            from,
            created.iter(),
            pending,
        ));
    }

    fn note_lookups(&mut self, r: &ResourceView, locs: &ResourceLocs, row: u64) {
        let by_name =
            r.system_name.is_some() && r.resource_id.is_none() && r.action != ResourceAction::Add;
        let what = if r.parent_system_name.is_some() {
            Some((ResourceField::ParentSystemName, "parentSystemName"))
        } else if by_name {
            Some((ResourceField::SystemName, "systemName lookup"))
        } else {
            None
        };
        if let Some((field, why)) = what {
            self.lookups += 1;
            if self.first_lookup.is_none() {
                self.first_lookup = Some((row, locs.at(field), why));
            }
        }
    }

    /// The earliest position at which [`FileRules::observe`] or [`FileRules::finish`] may still
    /// report a finding that sorts before the rows observed since (`None`: none, findings of
    /// later rows are at those rows). The limit and lookup findings sit at their first row and
    /// are known only at the end; a missing or late parent sits at its first child, which is a
    /// lookup too, so never before the first lookup. Once the index has spilled, duplicates are
    /// found only at the end: from the first row the log handles on, everything waits.
    pub fn hold(&self) -> Option<u64> {
        let over = self.first_over_limit.map(|(_, p)| p.span.start);
        let lookup = self.first_lookup.map(|(_, p, _)| p.span.start);
        let spilled = self.spilled.as_ref().map(|s| s.from);
        over.into_iter().chain(lookup).chain(spilled).min()
    }

    /// Emits the findings that need the whole file.
    pub fn finish(self, out: &mut Vec<Diagnostic>) {
        self.finish_into(&mut |d| out.push(d));
    }

    /// Emits the findings that need the whole file, one by one (a spilled index can have
    /// millions: give them to something that does not hold them all).
    pub fn finish_into(self, out: &mut dyn FnMut(Diagnostic)) {
        if let (Some(max), Some((row, p))) = (self.max_records, self.first_over_limit) {
            let over = self.records - (max.min(self.records));
            out(
                Diagnostic::new(&codes::MAX_RECORDS, &self.file, format!("the file has {} data rows; rows {row} to {} ({over} rows) are over the limit of {max} per bulk and fail", self.records, self.records))
                    .label(p.span, p.at, "first row over the limit")
                    .row(row)
                    .server("Exeeded max records count per bulk")
                    .help("split the file, or pass --max-records with your installation's limit (0: none)"),
            );
        }
        if let Some((row, p, why)) = self.first_lookup {
            out(
                Diagnostic::new(&codes::LOOKUP_CRASH, &self.file, format!("{} need{} the server to look resources up by name; on PHP 8 the job crashes at the first of them", if self.lookups == 1 { "1 row".to_string() } else { format!("{} rows", self.lookups) }, if self.lookups == 1 { "s" } else { "" }))
                    .label(p.span, p.at, format!("first {why}"))
                    .row(row)
                    .help("give resourceId instead of names, or submit with `kbulk submit`, which resolves names itself"),
            );
        }
        if let Some(s) = self.spilled {
            s.finish(&self.file, out);
            return;
        }
        let mut pending: Vec<_> = self.pending_parents.into_iter().collect();
        pending.sort_by_key(|(_, p)| p.first.span.start);
        for (key, p) in pending {
            let (t, name) = &self.parent_names[&key];
            out(missing_parent(&self.file, *t, name, p));
        }
    }
}

/// A second add (or add-or-update) of `sn`, first added at `prev`.
fn duplicate(
    file: &Arc<str>,
    (action, t): (ResourceAction, ResourceType),
    sn: &str,
    here: Place,
    prev: NameEntry,
    row: u64,
) -> Diagnostic {
    let (span, at) = prev.place();
    let (code, sev_msg) = if action == ResourceAction::Add {
        (&codes::DUPLICATE_SYSTEM_NAME, "this row adds it again")
    } else {
        (
            &codes::UPSERT_REPEATS_ADD,
            "this add-or-update row may be sent as a second add",
        )
    };
    let mut d = Diagnostic::new(
        code,
        file,
        format!(
            "systemName `{sn}` ({}) is already added by an earlier row; {sev_msg}",
            t.as_str()
        ),
    )
    .label(here.span, here.at, "added again here")
    .label(span, at, "first added here")
    .row(row);
    if action == ResourceAction::Add {
        d = d.server(format!("System name [{sn}] already exists"));
    }
    d
}

/// The add of `sn` at `here`, after children that named it as parent.
fn late_parent(
    file: &Arc<str>,
    t: ResourceType,
    sn: &str,
    here: Place,
    pending: PendingParent,
) -> Diagnostic {
    let (span, at) = (pending.first.span, pending.first.at);
    let others = pending.count - 1;
    let more = if others > 0 {
        format!(" (and {others} more child rows)")
    } else {
        String::new()
    };
    Diagnostic::new(
        &codes::PARENT_AFTER_CHILD,
        file,
        format!(
            "{} `{sn}` is added here, after row {} that names it as parent{more}",
            t.as_str(),
            pending.row
        ),
    )
    .label(span, at, "child names the parent here")
    .label(here.span, here.at, "parent added only here")
    .row(pending.row)
    .server(format!(
        "Unable to find parent {} resource [{sn}]",
        t.as_str()
    ))
    .help("move the parent row above its children")
}

/// A parent that no row of the file adds.
fn missing_parent(file: &Arc<str>, t: ResourceType, name: &str, p: PendingParent) -> Diagnostic {
    let (span, at) = (p.first.span, p.first.at);
    let many = if p.count > 1 {
        format!(" ({} rows name it)", p.count)
    } else {
        String::new()
    };
    Diagnostic::new(
        &codes::PARENT_NOT_IN_FILE,
        file,
        format!(
            "parent {} `{name}` is not added in this file, so it must already exist in Kaltura{many}",
            t.as_str()
        ),
    )
    .label(span, at, "parent named here")
    .row(p.row)
    .server(format!(
        "Unable to find parent {} resource [{name}]",
        t.as_str()
    ))
}

#[cfg(test)]
mod tests;
