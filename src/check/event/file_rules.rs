//! The file-level event rules: duplicate UIDs (an index that spills to disk past its budget)
//! and the resume and lookup defects that need the whole file.
use std::hash::BuildHasher;
use std::sync::Arc;

use super::{EventLocs, Source, codes};
use crate::check::index::{NameIndex, norm};
use crate::check::repeats::Repeats;
use crate::check::spill::{Dec, Enc};
use crate::diag::Diagnostic;
use crate::record::event::{EventAction, EventField, ScheduleEvent};
use crate::source::Place;

/// A first use of a UID: its place and row (24 bytes: the UID index is the only thing that
/// grows with the file).
#[derive(Debug, Clone, Copy)]
struct Seen {
    offset: u64,
    len: u32,
    line: u32,
    column: u32,
    row: u32,
}

impl Seen {
    fn new(p: Place, row: u64) -> Self {
        let clamp = |v: u64| v.min(u32::MAX as u64) as u32;
        Seen {
            offset: p.span.start,
            len: clamp(p.span.len()),
            line: clamp(p.at.line),
            column: clamp(p.at.column),
            row: clamp(row),
        }
    }

    fn place(&self) -> Place {
        Place {
            span: crate::source::Span::new(self.offset, self.offset + self.len as u64),
            at: crate::source::LineCol {
                line: self.line as u64,
                column: self.column as u64,
            },
        }
    }

    /// The payload form of a first use, for a spilled index.
    fn enc(&self) -> Enc {
        Enc::new().place(self.place()).u64(self.row as u64)
    }

    fn dec(d: &mut Dec<'_>) -> Self {
        let p = d.place();
        Seen::new(p, d.u64())
    }
}

/// Events processed per worker run by the iCal engine.
pub const EVENTS_PER_RUN: u64 = 101;
/// UIDs looked up per list call by the iCal engine.
pub const UID_LOOKUP_PAGE: u64 = 100;

/// The rules that need every event of a file, in order.
///
/// The UIDs stay in memory up to a budget ([`FileRules::with_memory`]); past it, what the index
/// holds and every later UID go to disk and the duplicates are found at the end as a merge
/// ([`Repeats`]), with the same findings.
#[derive(Debug)]
pub struct FileRules {
    pub(crate) file: Arc<str>,
    pub(crate) source: Source,
    /// UID key to the index of its first use in `seen`.
    uids: NameIndex,
    seen: Vec<Seen>,
    budget: usize,
    spilled: Option<Repeats>,
    events: u64,
    with_uid: u64,
    first_without_uid: Option<(Place, u64)>,
}

/// 64-bit key of a UID. A collision would need two UIDs with equal hashes in one file; it
/// could only report a false duplicate.
fn uid_key(uid: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6b62_756c_6b02).hash_one(uid)
}

impl FileRules {
    /// Rules for one file read by `source`.
    pub fn new(file: Arc<str>, source: Source) -> Self {
        FileRules {
            file,
            source,
            uids: NameIndex::default(),
            seen: Vec::new(),
            budget: usize::MAX,
            spilled: None,
            events: 0,
            with_uid: 0,
            first_without_uid: None,
        }
    }

    /// Sets the bytes the UID index may hold in memory before it spills to disk.
    pub fn with_memory(mut self, budget: u64) -> Self {
        self.budget = usize::try_from(budget).unwrap_or(usize::MAX);
        self
    }

    /// The bytes the index may hold in memory, and whether it has spilled (for tests).
    #[cfg(test)]
    pub(crate) fn budget_spilled(&self) -> (usize, bool) {
        (self.budget, self.spilled.is_some())
    }

    /// Bytes the index takes once one more UID is added.
    fn bytes_after_insert(&self) -> usize {
        let seen = if self.seen.len() == self.seen.capacity() {
            (self.seen.capacity() * 2).max(4)
        } else {
            self.seen.capacity()
        };
        self.uids.bytes_after_insert() + seen * std::mem::size_of::<Seen>()
    }

    /// Feeds one event (in file order).
    pub fn observe(
        &mut self,
        e: &ScheduleEvent,
        locs: &EventLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        self.events += 1;
        match &e.reference_id {
            Some(uid) if e.action == EventAction::Add => {
                self.with_uid += 1;
                let here = locs.at(EventField::ReferenceId);
                let key = norm(uid_key(uid));
                if self.spilled.is_none() && self.bytes_after_insert() > self.budget {
                    self.spill(locs.row.span.start);
                }
                if let Some(s) = &mut self.spilled {
                    let e = Seen::new(here, row).enc().place(here).u64(row);
                    s.push(key, self.events, e.text(uid));
                    return;
                }
                match self.uids.insert_new(key, self.seen.len() as u64) {
                    Err(first) => {
                        let f = self.seen[first as usize];
                        out.push(duplicate_uid(&self.file, uid, here, f, row));
                    }
                    Ok(()) => self.seen.push(Seen::new(here, row)),
                }
            }
            Some(_) => {}
            None => {
                if self.first_without_uid.is_none() {
                    self.first_without_uid = Some((locs.row, row));
                }
            }
        }
    }

    /// Moves what the index holds to a log on disk; every later UID goes there too. `from` is
    /// where the first event handled by the log starts.
    fn spill(&mut self, from: u64) {
        let uids = std::mem::take(&mut self.uids);
        let seen = std::mem::take(&mut self.seen);
        let held = uids.iter().map(|(k, i)| (k, seen[i as usize].enc()));
        self.spilled = Some(Repeats::new(self.budget, from, held));
    }

    /// The earliest position at which [`FileRules::finish`] may still report a finding that
    /// sorts before the events observed since: the first event without UID, for the sources
    /// whose resume rule applies, and, once the index has spilled, the first event it did not
    /// see (`None`: none; duplicate UIDs are reported at the later event).
    pub fn hold(&self) -> Option<u64> {
        let resume = if self.source != Source::Ical && self.source != Source::Jsonl {
            None
        } else {
            self.first_without_uid.map(|(p, _)| p.span.start)
        };
        resume
            .into_iter()
            .chain(self.spilled.as_ref().map(|s| s.from))
            .min()
    }

    /// Reports what only the whole file shows.
    pub fn finish(self, out: &mut Vec<Diagnostic>) {
        self.finish_into(&mut |d| out.push(d));
    }

    /// Reports what only the whole file shows, one finding at a time (a spilled index can have
    /// millions: give them to something that does not hold them all).
    pub fn finish_into(self, out: &mut dyn FnMut(Diagnostic)) {
        if let Some(s) = self.spilled {
            s.finish(&self.file, "UID", out, |first, later| {
                let first = Seen::dec(&mut Dec(first));
                let mut d = Dec(later);
                let _ = Seen::dec(&mut d);
                let (here, row) = (d.place(), d.u64());
                duplicate_uid(&self.file, &d.text(), here, first, row)
            });
        }
        if self.source != Source::Ical && self.source != Source::Jsonl {
            return;
        }
        if self.events > EVENTS_PER_RUN
            && let Some((p, row)) = self.first_without_uid
        {
            out(
                Diagnostic::new(&codes::NO_UID_RESUME, &self.file, format!("{} events, some without UID: the server processes {EVENTS_PER_RUN} per run and repeats the last one of each run, so events without UID may be added twice", self.events))
                    .label(p.span, p.at, "first event without UID")
                    .row(row)
                    .help("give every VEVENT a UID (kbulk convert --dialect kaltura adds them)"),
            );
        }
        if self.with_uid > UID_LOOKUP_PAGE {
            out(
                Diagnostic::new(&codes::UID_LOOKUP_LIMIT, &self.file, format!("{} events have UIDs: if more than {UID_LOOKUP_PAGE} of them already exist, the server's lookup misses some and adds them again", self.with_uid))
                    .help("files that update existing events should hold at most 100 events"),
            );
        }
    }
}

/// A second add of `uid`, first used at `f`.
fn duplicate_uid(file: &Arc<str>, uid: &str, here: Place, f: Seen, row: u64) -> Diagnostic {
    let fp = f.place();
    Diagnostic::new(
        &codes::DUPLICATE_UID,
        file,
        format!(
            "UID `{uid}` is used again (first by the event at row {})",
            f.row
        ),
    )
    .label(here.span, here.at, "repeated UID")
    .label(fp.span, fp.at, "first used here")
    .row(row)
    .help("give every event its own UID")
}
