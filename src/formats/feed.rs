//! What a reader hands on, chunk by chunk: records with their locations and the reader's own
//! findings, in file order, to a [`Feed`] (the one driver, `kbulk::pipeline`, which runs the
//! checks, the file-level rules and the sink). Readers know nothing of checks.
use std::io;

use crate::diag::{Code, Diagnostic};
use crate::record::event::ServerTimes;
use crate::record::locs::{AppLocs, CellLocs, EntryLocs, EventLocs, ResourceLocs};
use crate::record::{App, Entry, RecordData, ResourceView, ScheduleEvent};
use crate::source::{Origin, Place};

use super::Findings;

/// One kind of record as readers produce it and rules judge it: the record (which may borrow
/// from the chunk it was read from) and where its parts sit.
pub trait RowKind {
    /// The record the rules see.
    type Record<'a>: Send + Sync;
    /// Where its parts sit in the file.
    type Locs<'a>: Send + Sync;
    /// The owned record data a sink receives.
    fn data(record: Self::Record<'_>) -> RecordData;
}

/// Schedule resources (resource CSV): a view borrowing the row's cells.
#[derive(Debug)]
pub enum Resources {}

impl RowKind for Resources {
    type Record<'a> = ResourceView<'a>;
    type Locs<'a> = ResourceLocs<'a>;
    fn data(record: ResourceView<'_>) -> RecordData {
        RecordData::ScheduleResource(record.to_owned())
    }
}

/// Entries (XML items, entry-CSV rows).
#[derive(Debug)]
pub enum Entries {}

impl RowKind for Entries {
    type Record<'a> = Box<Entry>;
    type Locs<'a> = EntryLocs;
    fn data(record: Box<Entry>) -> RecordData {
        RecordData::Entry(record)
    }
}

/// Schedule events (iCal VEVENTs, event-CSV rows).
#[derive(Debug)]
pub enum Events {}

/// An event as read, with the times the server would use instead where they differ.
#[derive(Debug)]
pub struct ReadEvent {
    /// The event as the file means it.
    pub event: ScheduleEvent,
    /// The server's converted times (`None`: the same as the file's).
    pub server: Option<ServerTimes>,
}

impl RowKind for Events {
    type Record<'a> = ReadEvent;
    type Locs<'a> = EventLocs;
    fn data(record: ReadEvent) -> RecordData {
        RecordData::ScheduleEvent(record.event)
    }
}

/// App Registry apps (App JSON Lines, App CSV).
#[derive(Debug)]
pub enum Apps {}

impl RowKind for Apps {
    type Record<'a> = App;
    type Locs<'a> = AppLocs;
    fn data(record: App) -> RecordData {
        RecordData::App(record)
    }
}

/// The simple CSV kinds (categories, users, category-users, category-entries): the typed
/// record and the cells of its columns.
#[derive(Debug)]
pub enum Tables {}

impl RowKind for Tables {
    type Record<'a> = RecordData;
    type Locs<'a> = CellLocs;
    fn data(record: RecordData) -> RecordData {
        record
    }
}

/// Where a record of kbulk JSON Lines sits: its line, and for an app the places of its keys.
#[derive(Debug, Clone)]
pub struct AnyLocs {
    /// The whole line.
    pub line: Place,
    /// An app's keys (`None` for the other kinds).
    pub app: Option<Box<AppLocs>>,
    /// Its number among the records of its kind in the file, from 1.
    pub nth: u64,
}

/// Records of any kind, each known by its line (kbulk JSON Lines).
#[derive(Debug)]
pub enum AnyKind {}

impl RowKind for AnyKind {
    type Record<'a> = RecordData;
    type Locs<'a> = AnyLocs;
    fn data(record: RecordData) -> RecordData {
        record
    }
}

/// Which per-record rules apply to a row: the reader knows when the server never gets to them,
/// or when one of them cannot be judged from the file.
#[derive(Debug, Clone, Copy, Default)]
pub enum Checks {
    /// Every rule of the kind.
    #[default]
    All,
    /// None: the server stops at a finding of the reader's.
    None,
    /// Every rule but the one with this code (the server sees what kbulk cannot).
    Except(&'static Code),
}

impl Checks {
    /// Whether a per-record rule's finding stands under this.
    pub fn keeps(self, d: &Diagnostic) -> bool {
        match self {
            Checks::All => true,
            Checks::None => false,
            Checks::Except(code) => !std::ptr::eq(d.code, code),
        }
    }
}

/// One record of a chunk.
pub struct Row<'a, K: RowKind> {
    /// Its row (item, event, line) number in the file, from 1.
    pub row: u64,
    /// The record the per-record rules check; `None` when the reader could not make one.
    pub record: Option<K::Record<'a>>,
    /// Whether the file-level rules see the record and the sink gets it (a row with a value
    /// the target cannot carry is checked but goes no further).
    pub usable: bool,
    /// Which per-record rules run on it.
    pub checks: Checks,
    /// Where its parts sit.
    pub locs: K::Locs<'a>,
    /// What the reader found in it.
    pub findings: Vec<Diagnostic>,
    /// Its origin, when the feed wants records ([`Feed::wants_records`]).
    pub origin: Option<Origin>,
}

/// Records read and mapped together, in file order.
pub struct Chunk<'a, K: RowKind> {
    /// The records.
    pub rows: Vec<Row<'a, K>>,
    /// The reader's watermark: no finding it pushes later sorts before this byte offset (the
    /// chunk's end, an earlier place it still holds open, or 0 when it reports at the start
    /// of elements that stay open to the end of the file).
    pub watermark: u64,
}

/// Where a reader sends its chunks: the driver that checks them, feeds the file-level rules
/// and the sink in order, and flushes the findings.
pub trait Feed<K: RowKind> {
    /// Whether records go anywhere (origins and raw text are built only then).
    fn wants_records(&self) -> bool;

    /// Takes one chunk; the reader's findings pushed so far are in `findings`. An error is the
    /// finding sink's: reading stops.
    fn chunk(&mut self, chunk: Chunk<'_, K>, findings: &mut Findings<'_>) -> io::Result<()>;
}
