//! The on-disk side of the file-level name indexes: a log of keyed events that stays within a
//! memory budget by writing sorted runs to anonymous temporary files, and gives the events back
//! merged in `(key, sequence)` order, so that duplicate and parent rules run as a merge once the
//! index of a huge file no longer fits in memory.
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use crate::source::{LineCol, Place, Span};

/// The smallest sort buffer, whatever the budget, so that a tiny budget still writes runs of
/// many events rather than one file per event.
const MIN_BUFFER: usize = 64 << 10;
/// Runs read at once by the final merge; past it, runs are first merged into one.
const MAX_RUNS: usize = 64;
/// Read and write buffer of one run.
const RUN_BUFFER: usize = 64 << 10;
/// Bytes one buffered event costs besides its payload.
const EVENT_COST: usize = std::mem::size_of::<Event>();

#[derive(Debug, Clone, Copy)]
struct Event {
    key: u64,
    seq: u64,
    off: usize,
    len: usize,
}

/// Keyed events (a key, a sequence number and a payload), sorted on disk past a budget.
#[derive(Debug)]
pub struct KeyLog {
    buffer: usize,
    events: Vec<Event>,
    arena: Vec<u8>,
    runs: Vec<File>,
}

impl KeyLog {
    /// A log that buffers about `budget` bytes before it writes a sorted run.
    pub fn new(budget: usize) -> Self {
        KeyLog {
            buffer: budget.max(MIN_BUFFER),
            events: Vec::new(),
            arena: Vec::new(),
            runs: Vec::new(),
        }
    }

    /// Adds one event; `(key, seq)` pairs must be unique.
    pub fn push(&mut self, key: u64, seq: u64, payload: &[u8]) -> io::Result<()> {
        self.events.push(Event {
            key,
            seq,
            off: self.arena.len(),
            len: payload.len(),
        });
        self.arena.extend_from_slice(payload);
        if self.events.len() * EVENT_COST + self.arena.len() >= self.buffer {
            self.write_run()?;
        }
        Ok(())
    }

    fn write_run(&mut self) -> io::Result<()> {
        if self.events.is_empty() {
            return Ok(());
        }
        self.events.sort_unstable_by_key(|e| (e.key, e.seq));
        let mut w = BufWriter::with_capacity(RUN_BUFFER, tempfile::tempfile()?);
        for e in &self.events {
            write_event(&mut w, e.key, e.seq, &self.arena[e.off..e.off + e.len])?;
        }
        let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        self.runs.push(file);
        self.events.clear();
        self.arena.clear();
        if self.runs.len() > MAX_RUNS {
            let runs = std::mem::take(&mut self.runs);
            let mut merged = Merge::new(runs)?;
            let mut w = BufWriter::with_capacity(RUN_BUFFER, tempfile::tempfile()?);
            let mut payload = Vec::new();
            while let Some((key, seq)) = merged.next(&mut payload)? {
                write_event(&mut w, key, seq, &payload)?;
            }
            let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.seek(SeekFrom::Start(0))?;
            self.runs.push(file);
        }
        Ok(())
    }

    /// Every event, in `(key, seq)` order.
    pub fn into_sorted(mut self) -> io::Result<Merge> {
        self.write_run()?;
        Merge::new(self.runs)
    }
}

fn write_event(w: &mut impl Write, key: u64, seq: u64, payload: &[u8]) -> io::Result<()> {
    w.write_all(&key.to_le_bytes())?;
    w.write_all(&seq.to_le_bytes())?;
    w.write_all(&(payload.len() as u32).to_le_bytes())?;
    w.write_all(payload)
}

/// The sorted runs of a [`KeyLog`], merged.
#[derive(Debug)]
pub struct Merge {
    runs: Vec<BufReader<File>>,
    heads: BinaryHeap<Reverse<(u64, u64, usize)>>,
    payloads: Vec<Vec<u8>>,
}

impl Merge {
    fn new(files: Vec<File>) -> io::Result<Self> {
        let mut m = Merge {
            runs: files
                .into_iter()
                .map(|f| BufReader::with_capacity(RUN_BUFFER, f))
                .collect(),
            heads: BinaryHeap::new(),
            payloads: Vec::new(),
        };
        m.payloads.resize_with(m.runs.len(), Vec::new);
        for i in 0..m.runs.len() {
            m.advance(i)?;
        }
        Ok(m)
    }

    /// Reads the next event of run `i` into its head.
    fn advance(&mut self, i: usize) -> io::Result<()> {
        let r = &mut self.runs[i];
        let mut head = [0u8; 20];
        match r.read_exact(&mut head[..1]) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            other => other?,
        }
        r.read_exact(&mut head[1..])?;
        let key = u64::from_le_bytes(head[0..8].try_into().expect("8 bytes"));
        let seq = u64::from_le_bytes(head[8..16].try_into().expect("8 bytes"));
        let len = u32::from_le_bytes(head[16..20].try_into().expect("4 bytes")) as usize;
        let p = &mut self.payloads[i];
        p.resize(len, 0);
        r.read_exact(p)?;
        self.heads.push(Reverse((key, seq, i)));
        Ok(())
    }

    /// The next event's key and sequence number, its payload in `payload`; `None` at the end.
    pub fn next(&mut self, payload: &mut Vec<u8>) -> io::Result<Option<(u64, u64)>> {
        let Some(Reverse((key, seq, i))) = self.heads.pop() else {
            return Ok(None);
        };
        std::mem::swap(payload, &mut self.payloads[i]);
        self.advance(i)?;
        Ok(Some((key, seq)))
    }
}

/// Writes the fields of an event payload.
#[derive(Debug, Default)]
pub struct Enc(pub Vec<u8>);

impl Enc {
    /// Starts a payload.
    pub fn new() -> Self {
        Enc(Vec::with_capacity(64))
    }

    /// One byte.
    pub fn u8(mut self, v: u8) -> Self {
        self.0.push(v);
        self
    }

    /// A number.
    pub fn u64(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A place (span and line/column).
    pub fn place(self, p: Place) -> Self {
        self.u64(p.span.start)
            .u64(p.span.end)
            .u64(p.at.line)
            .u64(p.at.column)
    }

    /// A text, last in the payload (it takes the rest).
    pub fn text(mut self, s: &str) -> Self {
        self.0.extend_from_slice(s.as_bytes());
        self
    }
}

/// Reads the fields of an event payload back, in the order [`Enc`] wrote them.
#[derive(Debug)]
pub struct Dec<'a>(pub &'a [u8]);

impl Dec<'_> {
    /// One byte.
    pub fn u8(&mut self) -> u8 {
        let (v, rest) = self.0.split_first().expect("payload written by Enc");
        self.0 = rest;
        *v
    }

    /// A number.
    pub fn u64(&mut self) -> u64 {
        let (v, rest) = self.0.split_at(8);
        self.0 = rest;
        u64::from_le_bytes(v.try_into().expect("8 bytes"))
    }

    /// A place.
    pub fn place(&mut self) -> Place {
        let span = Span::new(self.u64(), self.u64());
        let at = LineCol {
            line: self.u64(),
            column: self.u64(),
        };
        Place { span, at }
    }

    /// The rest, as text (written from a `&str`).
    pub fn text(&mut self) -> String {
        String::from_utf8_lossy(std::mem::take(&mut self.0)).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_runs_in_key_then_sequence_order() {
        // 64 KiB buffer and ~40-byte events: thousands of runs, so runs are merged early too.
        let mut log = KeyLog::new(0);
        let mut expect = Vec::new();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for seq in 0..300_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = x % 1000;
            let text = format!("k{key}-s{seq}");
            log.push(key, seq, text.as_bytes()).unwrap();
            expect.push((key, seq, text));
        }
        assert!(log.runs.len() > 1);
        expect.sort();
        let mut merged = log.into_sorted().unwrap();
        let mut got = Vec::new();
        let mut p = Vec::new();
        while let Some((k, s)) = merged.next(&mut p).unwrap() {
            got.push((k, s, String::from_utf8(p.clone()).unwrap()));
        }
        assert_eq!(got, expect);
    }

    #[test]
    fn payload_fields_round_trip() {
        let place = Place {
            span: Span::new(10, 20),
            at: LineCol { line: 3, column: 4 },
        };
        let e = Enc::new().u8(7).u64(99).place(place).text("naïve");
        let mut d = Dec(&e.0);
        assert_eq!(d.u8(), 7);
        assert_eq!(d.u64(), 99);
        assert_eq!(d.place(), place);
        assert_eq!(d.text(), "naïve");
    }
}
