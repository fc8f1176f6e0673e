//! The rules of one record kind as the driver (`crate::pipeline`) runs them: [`Rules`], and its
//! implementations for resources, entries, events, apps, the simple CSV kinds ([`Table`]) and
//! kbulk JSON Lines (any kind).
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::formats::ReadOptions;
use crate::formats::feed::{
    AnyKind, AnyLocs, Apps, Entries, Events, ReadEvent, Resources, RowKind, Tables,
};
use crate::record::app::Existing;
use crate::record::locs::{
    AppLocs, CellLocs, EntryLocs, EntrySource, EventLocs, EventSource, ResourceLocs,
};
use crate::record::table::TableRules;
use crate::record::{App, RecordData, RecordKind, ResourceView};

use super::{app, entry, event, resource};

/// The rules of one kind: per-record rules, which the driver runs in parallel on every record
/// of a chunk, and file-level rules, which see every record in file order.
///
/// A new kind implements this next to its rules (`src/check/<kind>/`), with a
/// [`RowKind`] that its readers produce.
pub trait Rules: Sync {
    /// The records and locations judged.
    type Kind: RowKind;

    /// Runs the per-record rules on one record (in parallel with other records).
    fn check(
        &self,
        record: &<Self::Kind as RowKind>::Record<'_>,
        locs: &<Self::Kind as RowKind>::Locs<'_>,
        row: u64,
        out: &mut Vec<Diagnostic>,
    );

    /// A speed hint: the record will be observed a few records from now.
    fn prefetch(&mut self, _record: &<Self::Kind as RowKind>::Record<'_>) {}

    /// Notes one record in file order; `None` when the reader could not make a usable record
    /// (it still counts against the limits).
    fn observe(
        &mut self,
        record: Option<&<Self::Kind as RowKind>::Record<'_>>,
        locs: &<Self::Kind as RowKind>::Locs<'_>,
        row: u64,
        out: &mut Vec<Diagnostic>,
    );

    /// The earliest position at which `observe` or `finish` may still report a finding that
    /// sorts before the records observed since (`None`: nothing held open).
    fn hold(&self) -> Option<u64>;

    /// Emits the findings that need the whole file, one by one.
    fn finish(self, out: &mut dyn FnMut(Diagnostic));
}

impl Rules for resource::FileRules {
    type Kind = Resources;

    fn check(
        &self,
        record: &ResourceView<'_>,
        locs: &ResourceLocs<'_>,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        resource::check_record(record, locs, &self.file, row, out);
    }

    fn prefetch(&mut self, record: &ResourceView<'_>) {
        resource::FileRules::prefetch(self, record);
    }

    fn observe(
        &mut self,
        record: Option<&ResourceView<'_>>,
        locs: &ResourceLocs<'_>,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        resource::FileRules::observe(self, record, locs, row, out);
    }

    fn hold(&self) -> Option<u64> {
        resource::FileRules::hold(self)
    }

    fn finish(self, out: &mut dyn FnMut(Diagnostic)) {
        resource::FileRules::finish_into(self, out);
    }
}

impl Rules for entry::FileRules {
    type Kind = Entries;

    fn check(
        &self,
        record: &Box<crate::record::Entry>,
        locs: &EntryLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        entry::check_entry(record, locs, &self.file, row, self.source, out);
    }

    fn observe(
        &mut self,
        record: Option<&Box<crate::record::Entry>>,
        locs: &EntryLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        entry::FileRules::observe(self, record.map(|e| &**e), locs, row, out);
    }

    fn hold(&self) -> Option<u64> {
        entry::FileRules::hold(self)
    }

    fn finish(self, out: &mut dyn FnMut(Diagnostic)) {
        entry::FileRules::finish_into(self, out);
    }
}

impl Rules for event::FileRules {
    type Kind = Events;

    fn check(&self, record: &ReadEvent, locs: &EventLocs, row: u64, out: &mut Vec<Diagnostic>) {
        let (e, source, file) = (&record.event, self.source, &self.file);
        event::check_record(e, locs, source, file, row, out);
        if let Some(server) = &record.server {
            event::converted_rules(e, server, locs, source, file, row, out);
        }
    }

    fn observe(
        &mut self,
        record: Option<&ReadEvent>,
        locs: &EventLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        // Event readers make a record of every row they hand on.
        if let Some(e) = record {
            event::FileRules::observe(self, &e.event, locs, row, out);
        }
    }

    fn hold(&self) -> Option<u64> {
        event::FileRules::hold(self)
    }

    fn finish(self, out: &mut dyn FnMut(Diagnostic)) {
        event::FileRules::finish_into(self, out);
    }
}

impl Rules for app::FileRules {
    type Kind = Apps;

    fn check(&self, record: &App, locs: &AppLocs, row: u64, out: &mut Vec<Diagnostic>) {
        app::check_record(record, locs, &self.file, row, out);
    }

    fn observe(
        &mut self,
        record: Option<&App>,
        locs: &AppLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        if let Some(a) = record {
            app::FileRules::observe(self, a, locs, row, out);
        }
    }

    fn hold(&self) -> Option<u64> {
        // Every app finding points at the later row.
        None
    }

    fn finish(self, out: &mut dyn FnMut(Diagnostic)) {
        let mut found = Vec::new();
        app::FileRules::finish(self, &mut found);
        found.into_iter().for_each(out);
    }
}

/// The rules of one simple CSV kind (category, user, category-user, category-entry), from
/// [`super::table::rules_for`].
pub struct Table(pub Box<dyn TableRules>);

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Table")
    }
}

impl Table {
    /// The rules of `kind` for one file, if it is a simple kind.
    pub fn new(kind: RecordKind, file: Arc<str>, max_records: Option<u64>) -> Option<Self> {
        super::table::rules_for(kind, file, max_records).map(Table)
    }
}

impl Rules for Table {
    type Kind = Tables;

    fn check(&self, record: &RecordData, locs: &CellLocs, row: u64, out: &mut Vec<Diagnostic>) {
        self.0.check(record, locs, row, out);
    }

    fn observe(
        &mut self,
        record: Option<&RecordData>,
        locs: &CellLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        // No simple kind's file rule looks at whether the row already has an error.
        self.0.observe(record, locs, row, out);
    }

    fn hold(&self) -> Option<u64> {
        self.0.hold()
    }

    fn finish(mut self, out: &mut dyn FnMut(Diagnostic)) {
        let mut found = Vec::new();
        self.0.finish(&mut found);
        found.into_iter().for_each(out);
    }
}

/// The rules of every kind, for kbulk JSON Lines (any kind on any line): each record goes to
/// its kind's rules, with locations that all point at its line.
#[derive(Debug)]
pub struct AnyRules {
    resources: resource::FileRules,
    entries: entry::FileRules,
    events: event::FileRules,
    /// The app rules, made at the first app (`apps_against`: the server's apps).
    apps: Option<app::FileRules>,
    apps_against: Option<Arc<Existing>>,
    /// The simple kinds' rules, each with whether a record of its kind was seen (only those
    /// report at the end).
    tables: Vec<(RecordKind, Table, bool)>,
    /// Entries observed so far (the entry limit counts entries only).
    entry_rows: u64,
}

/// The name indexes of a JSON Lines file that share its memory budget.
const INDEXES: u64 = 3;

impl AnyRules {
    /// Rules for one JSON Lines file, with the per-bulk limit, the memory budget and the
    /// server's apps of `opts`. Its three name indexes (resource system names, entry reference
    /// ids, event UIDs) share the one budget: each may hold a third of it before it spills, so
    /// together they stay within `--memory`.
    pub fn new(file: Arc<str>, opts: &ReadOptions) -> Self {
        let (max, memory) = (opts.max_records, opts.memory / INDEXES);
        AnyRules {
            resources: resource::FileRules::new(file.clone(), max).with_memory(memory),
            entries: entry::FileRules::new(file.clone(), max, EntrySource::Jsonl)
                .with_memory(memory),
            events: event::FileRules::new(file.clone(), EventSource::Jsonl).with_memory(memory),
            apps: None,
            apps_against: opts.apps_against.clone(),
            tables: [
                RecordKind::Category,
                RecordKind::User,
                RecordKind::CategoryUser,
                RecordKind::CategoryEntry,
            ]
            .into_iter()
            .filter_map(|k| Table::new(k, file.clone(), max).map(|t| (k, t, false)))
            .collect(),
            entry_rows: 0,
        }
    }
}

impl Rules for AnyRules {
    type Kind = AnyKind;

    fn check(&self, record: &RecordData, locs: &AnyLocs, row: u64, out: &mut Vec<Diagnostic>) {
        let line = locs.line;
        match record {
            RecordData::ScheduleResource(r) => {
                let locs = ResourceLocs::whole(line);
                Rules::check(&self.resources, &r.view(), &locs, row, out);
            }
            RecordData::Entry(e) => {
                Rules::check(&self.entries, e, &EntryLocs::whole(line), row, out);
            }
            RecordData::ScheduleEvent(e) => {
                let (source, file) = (self.events.source, &self.events.file);
                event::check_record(e, &EventLocs::whole(line), source, file, row, out);
            }
            RecordData::App(a) => {
                // Apps whose line was not an object carry no key places and are not checked.
                if let Some(l) = &locs.app {
                    app::check_record(a, l, &self.events.file, row, out);
                }
            }
            data => {
                let kind = data.kind();
                if let Some((_, t, _)) = self.tables.iter().find(|(k, _, _)| *k == kind) {
                    Rules::check(t, data, &CellLocs::whole(line), locs.nth, out);
                }
            }
        }
    }

    fn observe(
        &mut self,
        record: Option<&RecordData>,
        locs: &AnyLocs,
        row: u64,
        out: &mut Vec<Diagnostic>,
    ) {
        let line = locs.line;
        match record {
            Some(RecordData::ScheduleResource(r)) => {
                let locs = ResourceLocs::whole(line);
                self.resources.observe(Some(&r.view()), &locs, row, out);
            }
            Some(RecordData::Entry(e)) => {
                self.entry_rows += 1;
                let locs = EntryLocs::whole(line);
                self.entries.observe(Some(e), &locs, self.entry_rows, out);
            }
            Some(RecordData::ScheduleEvent(e)) => {
                self.events.observe(e, &EventLocs::whole(line), row, out);
            }
            Some(RecordData::App(a)) => {
                let Some(l) = &locs.app else { return };
                let (file, against) = (&self.events.file, self.apps_against.as_deref());
                let apps = self
                    .apps
                    .get_or_insert_with(|| app::FileRules::new(file.clone(), against));
                apps.observe(a, l, row, out);
            }
            Some(data) => {
                let kind = data.kind();
                if let Some((_, t, seen)) = self.tables.iter_mut().find(|(k, _, _)| *k == kind) {
                    *seen = true;
                    Rules::observe(t, Some(data), &CellLocs::whole(line), locs.nth, out);
                }
            }
            None => {}
        }
    }

    fn hold(&self) -> Option<u64> {
        let held = [
            self.resources.hold(),
            self.entries.hold(),
            self.events.hold(),
        ];
        let tables = self.tables.iter().filter_map(|(_, t, _)| t.hold());
        held.into_iter().flatten().chain(tables).min()
    }

    fn finish(self, out: &mut dyn FnMut(Diagnostic)) {
        Rules::finish(self.resources, out);
        Rules::finish(self.entries, out);
        Rules::finish(self.events, out);
        for (_, t, seen) in self.tables {
            if seen {
                Rules::finish(t, out);
            }
        }
        if let Some(apps) = self.apps {
            Rules::finish(apps, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{LineCol, Place, Span};

    /// A JSON Lines file of resources, entries and events: its three indexes share `--memory`
    /// (together they never hold more than the budget), and each spills past its share.
    #[test]
    fn jsonl_indexes_share_one_budget() {
        const BUDGET: u64 = 60_000;
        let opts = ReadOptions {
            memory: BUDGET,
            ..ReadOptions::default()
        };
        let mut rules = AnyRules::new(Arc::from("mixed.jsonl"), &opts);
        let mut out = Vec::new();
        let mut offset = 0u64;
        for i in 0..2000u64 {
            for line in [
                format!(
                    r#"{{"kind":"scheduleResource","action":"add","name":"R{i}","type":"location","systemName":"room-{i}"}}"#
                ),
                format!(
                    r#"{{"kind":"entry","action":"add","type":"1","referenceId":"ref-{i}","name":"E{i}"}}"#
                ),
                format!(
                    r#"{{"kind":"scheduleEvent","action":"add","eventType":"record","referenceId":"uid-{i}@example.org","summary":"S{i}","startDate":"2027-09-06T08:00:00Z","endDate":"2027-09-06T09:00:00Z"}}"#
                ),
            ] {
                let data: RecordData = serde_json::from_str(&line).expect("a record");
                let end = offset + line.len() as u64;
                let locs = AnyLocs {
                    line: Place {
                        span: Span::new(offset, end),
                        at: LineCol::UNRESOLVED,
                    },
                    app: None,
                    nth: i + 1,
                };
                offset = end + 1;
                rules.observe(Some(&data), &locs, i + 1, &mut out);
            }
        }
        let parts = [
            rules.resources.budget_spilled(),
            rules.entries.budget_spilled(),
            rules.events.budget_spilled(),
        ];
        let total: usize = parts.iter().map(|(b, _)| b).sum();
        assert!(
            total as u64 <= BUDGET,
            "the indexes may hold {total} bytes together, past the {BUDGET}-byte budget"
        );
        assert!(
            parts.iter().all(|&(_, spilled)| spilled),
            "2000 names of each kind spill each index at a third of {BUDGET} bytes: {parts:?}"
        );
        assert!(out.is_empty(), "unique names make no finding: {out:?}");
    }
}
