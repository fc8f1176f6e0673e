//! The file-level entry rules: reference-id duplicates (an index that spills to disk past its
//! budget) and the per-bulk record limit.
use std::hash::BuildHasher;
use std::sync::Arc;

use super::{EntryLocs, Source, codes};
use crate::check::index::NameIndex;
use crate::check::repeats::Repeats;
use crate::check::spill::{Dec, Enc};
use crate::diag::Diagnostic;
use crate::formats::xml::codes as xml_codes;
use crate::record::entry::{Entry, EntryAction, EntryField};
use crate::source::{LineCol, Place, Span};

/// Where a reference id was first added, packed in the index's value: the file offset in the
/// high 40 bits, the length (at most 2^24 - 1 bytes) in the low 24. Its line and column are
/// resolved from the file when a finding needs them.
fn pack_span(span: Span) -> u64 {
    (span.start.min((1 << 40) - 1) << 24) | span.len().min((1 << 24) - 1)
}

fn unpack_span(v: u64) -> Span {
    let start = v >> 24;
    Span::new(start, start + (v & ((1 << 24) - 1)))
}

/// 64-bit key of a reference id. A collision would need two ids with equal hashes in one file;
/// it could only report a false duplicate, as the previous 64-bit hash could.
fn ref_key(r: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6b62_756c_6b01).hash_one(r)
}

/// The rules that need every entry of a file in order: reference-id duplicates and the
/// per-bulk record limit. Feed entries with [`FileRules::observe`], then call
/// [`FileRules::finish`].
///
/// The reference ids stay in memory up to a budget ([`FileRules::with_memory`]); past it, what
/// the index holds and every later added reference id go to disk and the duplicates are found
/// at the end as a merge ([`Repeats`]), with the same findings.
#[derive(Debug)]
pub struct FileRules {
    pub(crate) file: Arc<str>,
    max_records: Option<u64>,
    pub(crate) source: Source,
    added_refs: NameIndex,
    budget: usize,
    spilled: Option<Repeats>,
    records: u64,
    first_over_limit: Option<(u64, Place)>,
}

impl FileRules {
    /// Rules for one file read by `source`; `max_records` is the per-bulk limit.
    pub fn new(file: Arc<str>, max_records: Option<u64>, source: Source) -> Self {
        FileRules {
            file,
            max_records,
            source,
            added_refs: NameIndex::default(),
            budget: usize::MAX,
            spilled: None,
            records: 0,
            first_over_limit: None,
        }
    }

    /// Sets the bytes the reference-id index may hold in memory before it spills to disk.
    pub fn with_memory(mut self, budget: u64) -> Self {
        self.budget = usize::try_from(budget).unwrap_or(usize::MAX);
        self
    }

    /// The bytes the index may hold in memory, and whether it has spilled (for tests).
    #[cfg(test)]
    pub(crate) fn budget_spilled(&self) -> (usize, bool) {
        (self.budget, self.spilled.is_some())
    }

    /// Notes one item or row (`e` is `None` when it could not be mapped; it still counts).
    pub fn observe(
        &mut self,
        e: Option<&Entry>,
        locs: &EntryLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        self.records += 1;
        if let Some(max) = self.max_records
            && row > max
            && self.first_over_limit.is_none()
        {
            self.first_over_limit = Some((row, locs.item));
        }
        let Some(e) = e else { return };
        let adds = matches!(e.action, Some(EntryAction::Add) | None) && e.entry_id.is_none();
        let Some(r) = e.reference_id.as_deref().filter(|_| adds) else {
            return;
        };
        let key = ref_key(r);
        let here = locs.at(EntryField::ReferenceId);
        if self.spilled.is_none() && self.added_refs.bytes_after_insert() > self.budget {
            let held = std::mem::take(&mut self.added_refs);
            let held = held.iter().map(|(k, v)| (k, Enc::new().u64(v)));
            self.spilled = Some(Repeats::new(self.budget, locs.item.span.start, held));
        }
        if let Some(s) = &mut self.spilled {
            // The index's key form (`norm`), so that held and logged uses of a key meet.
            let e = Enc::new().u64(pack_span(here.span)).place(here).u64(row);
            s.push(crate::check::index::norm(key), self.records, e.text(r));
            return;
        }
        if let Err(first) = self.added_refs.insert_new(key, pack_span(here.span)) {
            out.push(duplicate_ref(&self.file, r, here, first, row));
        }
    }

    /// The earliest position at which [`FileRules::finish`] may still report a finding that
    /// sorts before the items observed since: the first item over the limit, or, once the
    /// index has spilled, the first item it did not see (`None`: none; duplicates are reported
    /// at the later item, as it is observed).
    pub fn hold(&self) -> Option<u64> {
        let over = self.first_over_limit.map(|(_, p)| p.span.start);
        over.into_iter()
            .chain(self.spilled.as_ref().map(|s| s.from))
            .min()
    }

    /// Emits the findings that need the whole file.
    pub fn finish(self, out: &mut Vec<Diagnostic>) {
        self.finish_into(&mut |d| out.push(d));
    }

    /// Emits the findings that need the whole file, one by one (a spilled index can have
    /// millions: give them to something that does not hold them all).
    pub fn finish_into(self, out: &mut dyn FnMut(Diagnostic)) {
        if let Some(s) = self.spilled {
            s.finish(&self.file, "reference-id", out, |first, later| {
                let first = Dec(first).u64();
                let mut d = Dec(later);
                let _ = d.u64();
                let (here, row) = (d.place(), d.u64());
                duplicate_ref(&self.file, &d.text(), here, first, row)
            });
        }
        let (Some(max), Some((row, p))) = (self.max_records, self.first_over_limit) else {
            return;
        };
        let n = self.records;
        let d = match self.source {
            Source::Xml => Diagnostic::new(&xml_codes::TOO_MANY_ITEMS, &self.file, format!("the file has {n} items; items {row} to {n} are over the limit of {max} per bulk: they are never processed and the job retries forever"))
                .help("split the file into files of at most {max} items, or pass --max-records with your installation's limit (0: none)".replace("{max}", &max.to_string())),
            Source::Csv => Diagnostic::new(&codes::CSV_MAX_RECORDS, &self.file, format!("the file has {n} data rows; rows {row} to {n} are over the limit of {max} per bulk and fail"))
                .server("Exeeded max records count per bulk")
                .help("split the file, or pass --max-records with your installation's limit (0: none)"),
            Source::Jsonl => Diagnostic::new(&codes::MAX_RECORDS, &self.file, format!("the file has {n} entries, more than the {max} one bulk upload takes"))
                .help("split the records into several bulk files"),
        };
        out(d
            .label(p.span, p.at, "first record over the limit")
            .row(row));
    }
}

/// A second add of reference id `r`, first added at the packed span `first`.
fn duplicate_ref(file: &Arc<str>, r: &str, here: Place, first: u64, row: u64) -> Diagnostic {
    Diagnostic::new(
        &codes::DUPLICATE_REFERENCE_ID,
        file,
        format!("referenceId `{r}` is already used by an earlier item of this file"),
    )
    .label(here.span, here.at, "used again here")
    .label(unpack_span(first), LineCol::UNRESOLVED, "first used here")
    .row(row)
    .help("give every entry its own referenceId; updates by referenceId reach only the first entry")
}
