//! The resource name rules once their index has spilled: every name event (a parent named, a
//! name added, added-or-updated or deleted) goes to a [`KeyLog`] on disk, and at the end of the
//! file the events of each name are replayed in file order, giving the findings the in-memory
//! rules would have given.
use std::io;
use std::sync::Arc;

use super::{NameEntry, PendingParent, duplicate, late_parent, missing_parent, name_key};
use crate::check::index::norm;
use crate::check::spill::{Dec, Enc, KeyLog};
use crate::diag::Diagnostic;
use crate::formats::codes::UNREADABLE;
use crate::record::resource::{ResourceAction, ResourceField, ResourceType, ResourceView};
use crate::source::Place;

/// What the in-memory index held of a name when it spilled: added, at this packed place.
const HELD_CREATED: u8 = 0;
/// ... or named as a parent before any add: first place, row, count, type, name.
const HELD_PENDING: u8 = 1;
/// A row names it as parent: place, row, type, name.
const PARENT: u8 = 2;
/// A row adds it (the action's code follows): place, row, type, name.
const NAME: u8 = 3;

/// The name log of one file and where its first row starts.
#[derive(Debug)]
pub(super) struct Spilled {
    log: KeyLog,
    /// Where the first row handled by the log starts: findings may wait from there.
    pub(super) from: u64,
    error: Option<io::Error>,
}

impl Spilled {
    /// A log holding what the index held: its added names and the parents still pending.
    pub(super) fn new(
        budget: usize,
        from: u64,
        created: impl Iterator<Item = (u64, u64)>,
        pending: impl Iterator<Item = (u64, PendingParent, ResourceType, String)>,
    ) -> Self {
        let mut s = Spilled {
            log: KeyLog::new(budget),
            from,
            error: None,
        };
        for (key, entry) in created {
            s.push(key, 0, Enc::new().u8(HELD_CREATED).u64(entry));
        }
        for (key, p, t, name) in pending {
            let e = Enc::new().u8(HELD_PENDING).place(p.first).u64(p.row);
            s.push(key, 1, e.u64(p.count).u8(t as u8).text(&name));
        }
        s
    }

    fn push(&mut self, key: u64, seq: u64, e: Enc) {
        if self.error.is_none()
            && let Err(e) = self.log.push(norm(key), seq, &e.0)
        {
            self.error = Some(e);
        }
    }

    /// Logs the name events of row number `n` (counted from 1; `row` is its data row);
    /// `sn_key` is the key of its system name.
    pub(super) fn observe(
        &mut self,
        r: &ResourceView,
        sn_key: Option<u64>,
        locs: &super::ResourceLocs,
        row: u64,
        n: u64,
    ) {
        if let Some(parent) = r.parent_system_name {
            let p = locs.at(ResourceField::ParentSystemName);
            let e = Enc::new()
                .u8(PARENT)
                .place(p)
                .u64(row)
                .u8(r.parent_type as u8);
            self.push(name_key(r.parent_type, parent), 2 * n, e.text(parent));
        }
        let (Some(sn), Some(key)) = (
            r.system_name.filter(|_| r.action != ResourceAction::Update),
            sn_key,
        ) else {
            return;
        };
        let here = locs.at(ResourceField::SystemName);
        let e = Enc::new().u8(NAME).u8(r.action.code()).place(here).u64(row);
        let e = e.u8(r.resource_type as u8).text(sn);
        self.push(key, 2 * n + 1, e);
    }

    /// Replays the log name by name and emits the duplicate and parent findings.
    pub(super) fn finish(self, file: &Arc<str>, out: &mut dyn FnMut(Diagnostic)) {
        let from = self.from;
        if let Err(e) = self
            .error
            .map_or(Ok(()), Err)
            .and_then(|()| replay(self.log, file, out))
        {
            out(Diagnostic::new(
                &UNREADABLE,
                file,
                format!(
                    "the name index could not use its temporary file: {e}; duplicate and parent checks after byte {from} are incomplete"
                ),
            ));
        }
    }
}

/// What the rules know of one name while its events are replayed.
#[derive(Default)]
struct Name {
    created: Option<NameEntry>,
    pending: Option<PendingParent>,
    /// The type and spelling of the first parent reference (the missing-parent message).
    parent: Option<(ResourceType, String)>,
}

impl Name {
    fn end(self, file: &Arc<str>, out: &mut dyn FnMut(Diagnostic)) {
        if let (Some(p), Some((t, name))) = (self.pending, &self.parent) {
            out(missing_parent(file, *t, name, p));
        }
    }
}

fn resource_type(b: u8) -> ResourceType {
    ResourceType::ALL
        .into_iter()
        .find(|t| *t as u8 == b)
        .unwrap_or_default()
}

fn replay(log: KeyLog, file: &Arc<str>, out: &mut dyn FnMut(Diagnostic)) -> io::Result<()> {
    let mut merged = log.into_sorted()?;
    let mut payload = Vec::new();
    let mut current: Option<(u64, Name)> = None;
    while let Some((key, _)) = merged.next(&mut payload)? {
        if current.as_ref().is_none_or(|(k, _)| *k != key) {
            if let Some((_, name)) = current.take() {
                name.end(file, out);
            }
            current = Some((key, Name::default()));
        }
        let name = &mut current.as_mut().expect("set above").1;
        let mut d = Dec(&payload);
        match d.u8() {
            HELD_CREATED => name.created = Some(NameEntry(d.u64())),
            HELD_PENDING => {
                let (first, row, count) = (d.place(), d.u64(), d.u64());
                let t = resource_type(d.u8());
                name.pending = Some(PendingParent { first, row, count });
                name.parent = Some((t, d.text()));
            }
            PARENT => {
                let (first, row) = (d.place(), d.u64());
                if name.created.is_none() {
                    match &mut name.pending {
                        Some(p) => p.count += 1,
                        None => {
                            name.pending = Some(PendingParent {
                                first,
                                row,
                                count: 1,
                            })
                        }
                    }
                    if name.parent.is_none() {
                        name.parent = Some((resource_type(d.u8()), d.text()));
                    }
                }
            }
            _ => {
                let action = ResourceAction::from_code(d.u8());
                let (here, row) = (d.place(), d.u64());
                let t = resource_type(d.u8());
                let sn = d.text();
                added(name, action, t, &sn, here, row, file, out);
            }
        }
    }
    if let Some((_, name)) = current {
        name.end(file, out);
    }
    Ok(())
}

/// Replays one add, add-or-update or delete of a name.
#[allow(clippy::too_many_arguments)]
fn added(
    name: &mut Name,
    action: Option<ResourceAction>,
    t: ResourceType,
    sn: &str,
    here: Place,
    row: u64,
    file: &Arc<str>,
    out: &mut dyn FnMut(Diagnostic),
) {
    match action {
        Some(a @ (ResourceAction::Add | ResourceAction::AddOrUpdate)) => {
            if let Some(prev) = name.created {
                out(duplicate(file, (a, t), sn, here, prev, row));
            } else {
                name.created = Some(NameEntry::new(here.span));
                if let Some(p) = name.pending.take() {
                    out(late_parent(file, t, sn, here, p));
                }
            }
        }
        Some(ResourceAction::Delete) => name.created = None,
        _ => {}
    }
}
