//! A file's findings on their way out: readers push them chunk by chunk, and they leave in the
//! deterministic order of [`crate::diag::sort`] as soon as no later finding can sort before
//! them; findings that must wait (a file-level rule may still report at an earlier place) spill
//! to an anonymous temporary file past a budget, so memory does not grow with their number.
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Label, Severity};
use crate::formats::{Detection, codes};
use crate::source::{LineCol, Locator, Span};

/// Where a file's findings go, in their final order, with every label located.
pub trait FindingSink {
    /// Called once per file, before any of its findings, with what detection decided.
    fn detected(&mut self, _detection: &Detection) {}

    /// Receives the next finding. An error stops reading the file.
    fn finding(&mut self, d: Diagnostic) -> io::Result<()>;
}

impl FindingSink for Vec<Diagnostic> {
    fn finding(&mut self, d: Diagnostic) -> io::Result<()> {
        self.push(d);
        Ok(())
    }
}

/// Findings waiting in memory before they are written to disk as one sorted run.
const HELD_IN_MEMORY: usize = 16 * 1024;
/// Sorted runs on disk before they are merged into one.
const MAX_RUNS: usize = 32;
/// Findings located and sent together.
const SEND_BATCH: usize = 4096;

/// The findings of one file between its reader and a [`FindingSink`].
///
/// Readers push into it as into a `Vec` (it derefs to the current batch) and call
/// [`Findings::flush`] after each chunk with a *watermark*: a byte offset that no finding pushed
/// later will sort before. Everything before the watermark leaves at once; the rest waits.
pub struct Findings<'a> {
    file: Arc<str>,
    batch: Vec<Diagnostic>,
    /// Sorted; all at or after `watermark`; newer than every run.
    held: Vec<Diagnostic>,
    /// Sorted runs on disk, oldest first.
    runs: Vec<Run>,
    codes: Vec<&'static Code>,
    out: &'a mut dyn FindingSink,
    path: Option<PathBuf>,
    locator: Option<Locator<File>>,
    locate_error: Option<io::Error>,
    watermark: u64,
    /// Findings held in memory before they spill ([`HELD_IN_MEMORY`]; smaller in tests).
    held_max: usize,
    /// The sink or the spill file failed: reading stops and the error is returned.
    failed: Option<io::Error>,
}

impl std::fmt::Debug for Findings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Findings")
            .field("file", &self.file)
            .field("batch", &self.batch.len())
            .field("held", &self.held.len())
            .field("runs", &self.runs.len())
            .field("watermark", &self.watermark)
            .finish_non_exhaustive()
    }
}

impl Deref for Findings<'_> {
    type Target = Vec<Diagnostic>;
    fn deref(&self) -> &Vec<Diagnostic> {
        &self.batch
    }
}

impl DerefMut for Findings<'_> {
    fn deref_mut(&mut self) -> &mut Vec<Diagnostic> {
        &mut self.batch
    }
}

impl<'a> Findings<'a> {
    /// Findings of `file`, sent to `out`; labels not located yet are located by re-reading
    /// `path` (without a path they stay unresolved).
    pub fn new(file: Arc<str>, path: Option<&Path>, out: &'a mut dyn FindingSink) -> Self {
        Findings {
            file,
            batch: Vec::new(),
            held: Vec::new(),
            runs: Vec::new(),
            codes: Vec::new(),
            out,
            path: path.map(Path::to_path_buf),
            locator: None,
            locate_error: None,
            watermark: 0,
            held_max: HELD_IN_MEMORY,
            failed: None,
        }
    }

    /// Adds a finding. Past a budget, what was pushed is sorted into the waiting findings (and
    /// spilled), so even one record with millions of findings (a header of unknown columns)
    /// holds memory flat.
    pub fn push(&mut self, d: Diagnostic) {
        self.batch.push(d);
        if self.batch.len() >= 2 * self.held_max {
            self.absorb();
            self.relieve();
        }
    }

    /// Spills the waiting findings when they pass the budget.
    fn relieve(&mut self) {
        if self.failed.is_none()
            && self.held.len() > self.held_max
            && let Err(e) = self.spill()
        {
            self.failed = Some(e);
        }
    }

    /// Takes in what was pushed and sends every finding that sorts before `watermark`: the
    /// caller promises that no finding pushed after this call sorts before it. An error means
    /// the sink (or the spill file) failed and reading should stop.
    pub fn flush(&mut self, watermark: u64) -> io::Result<()> {
        self.absorb();
        self.watermark = self.watermark.max(watermark);
        self.emit(Some(self.watermark));
        self.relieve();
        self.check()
    }

    /// Sends everything left. An error is the sink's (or the spill file's).
    pub fn finish(mut self) -> io::Result<()> {
        self.absorb();
        if self.failed.is_none()
            && let Some(e) = self.locate_error.take()
        {
            self.held.push(Diagnostic::new(
                &codes::UNREADABLE,
                &self.file,
                format!("re-reading for positions failed: {e}"),
            ));
        }
        self.emit(None);
        self.check()
    }

    /// Whether the sink (or spill) failed; the reader's own error is then not a finding.
    pub fn failed(&self) -> bool {
        self.failed.is_some()
    }

    fn check(&mut self) -> io::Result<()> {
        match &self.failed {
            Some(e) => Err(io::Error::new(e.kind(), e.to_string())),
            None => Ok(()),
        }
    }

    fn absorb(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        for d in &mut self.batch {
            d.cap_text();
            debug_assert!(
                d.sort_key().0 >= self.watermark,
                "{} at {} arrived after the watermark {}",
                d.code.name,
                d.sort_key().0,
                self.watermark
            );
        }
        // Both parts are sorted runs: the stable sort merges them in linear time and keeps the
        // push order of equal keys, as sorting the whole file's findings at once would.
        self.batch.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.held.append(&mut self.batch);
        self.held.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    /// Sends, in order, every waiting finding whose position is before `limit` (all: `None`).
    fn emit(&mut self, limit: Option<u64>) {
        let below = |d: &Diagnostic| limit.is_none_or(|l| d.sort_key().0 < l);
        let h = self.held.partition_point(|d| below(d));
        if h == 0
            && self
                .runs
                .iter()
                .all(|r| !r.head.as_ref().is_some_and(below))
        {
            return;
        }
        let mut fresh = self
            .held
            .drain(..h)
            .collect::<Vec<_>>()
            .into_iter()
            .peekable();
        let mut ready = Vec::with_capacity(SEND_BATCH.min(h.max(16)));
        loop {
            // The smallest head; on equal keys the older source (earlier run, then memory).
            let mut best: Option<usize> = None;
            for (i, r) in self.runs.iter().enumerate() {
                let Some(d) = r.head.as_ref().filter(|d| below(d)) else {
                    continue;
                };
                if best.is_none_or(|b| {
                    d.sort_key() < self.runs[b].head.as_ref().expect("a head").sort_key()
                }) {
                    best = Some(i);
                }
            }
            let take_fresh = match (best, fresh.peek()) {
                (None, None) => break,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(b), Some(f)) => {
                    f.sort_key() < self.runs[b].head.as_ref().expect("a head").sort_key()
                }
            };
            let d = if take_fresh {
                fresh.next().expect("peeked")
            } else {
                let b = best.expect("a run");
                let d = self.runs[b].head.take().expect("a head");
                if let Err(e) = self.runs[b].advance(&self.codes, &self.file) {
                    self.failed = Some(e);
                }
                d
            };
            ready.push(d);
            if ready.len() >= SEND_BATCH {
                self.send(&mut ready);
            }
        }
        self.send(&mut ready);
        self.runs.retain(|r| r.head.is_some());
    }

    /// Locates the labels of `ready` and hands its findings to the sink, in order.
    fn send(&mut self, ready: &mut Vec<Diagnostic>) {
        if self.failed.is_some() {
            ready.clear();
            return;
        }
        self.locate(ready);
        for d in ready.drain(..) {
            if self.failed.is_none()
                && let Err(e) = self.out.finding(d)
            {
                self.failed = Some(e);
            }
        }
    }

    fn locate(&mut self, ready: &mut [Diagnostic]) {
        let mut wanted: Vec<u64> = ready
            .iter()
            .flat_map(|d| d.labels.iter())
            .filter(|l| l.at == LineCol::UNRESOLVED)
            .map(|l| l.span.start)
            .collect();
        if wanted.is_empty() || self.locate_error.is_some() {
            return;
        }
        let Some(path) = &self.path else { return };
        if self.locator.is_none() {
            match File::open(path).and_then(Locator::new) {
                Ok(l) => self.locator = Some(l),
                Err(e) => {
                    self.locate_error = Some(e);
                    return;
                }
            }
        }
        let locator = self.locator.as_mut().expect("opened above");
        wanted.sort_unstable();
        wanted.dedup();
        let found = match locator.resolve(&wanted) {
            Ok(f) => f,
            Err(e) => {
                self.locate_error = Some(e);
                return;
            }
        };
        for l in ready.iter_mut().flat_map(|d| d.labels.iter_mut()) {
            if l.at == LineCol::UNRESOLVED
                && let Ok(i) = wanted.binary_search(&l.span.start)
            {
                l.at = found[i];
            }
        }
    }

    /// Writes the held findings to disk as one sorted run (merging the runs when they are many).
    fn spill(&mut self) -> io::Result<()> {
        if self.runs.len() >= MAX_RUNS {
            let mut merged = RunWriter::new()?;
            loop {
                let mut best: Option<usize> = None;
                for (i, r) in self.runs.iter().enumerate() {
                    let Some(d) = &r.head else { continue };
                    if best.is_none_or(|b| {
                        d.sort_key() < self.runs[b].head.as_ref().expect("a head").sort_key()
                    }) {
                        best = Some(i);
                    }
                }
                let Some(b) = best else { break };
                let d = self.runs[b].head.take().expect("a head");
                self.runs[b].advance(&self.codes, &self.file)?;
                merged.write(&d, &mut self.codes, &self.file)?;
            }
            self.runs = vec![merged.finish(&self.codes, &self.file)?];
        }
        let mut w = RunWriter::new()?;
        for d in self.held.drain(..) {
            w.write(&d, &mut self.codes, &self.file)?;
        }
        self.runs.push(w.finish(&self.codes, &self.file)?);
        Ok(())
    }
}

/// A sorted run of findings on disk, with its next finding decoded.
struct Run {
    input: BufReader<File>,
    head: Option<Diagnostic>,
}

impl Run {
    fn advance(&mut self, codes: &[&'static Code], file: &Arc<str>) -> io::Result<()> {
        self.head = decode(&mut self.input, codes, file)?;
        Ok(())
    }
}

struct RunWriter {
    out: BufWriter<File>,
}

impl RunWriter {
    fn new() -> io::Result<Self> {
        Ok(RunWriter {
            out: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
        })
    }

    fn write(
        &mut self,
        d: &Diagnostic,
        codes: &mut Vec<&'static Code>,
        file: &Arc<str>,
    ) -> io::Result<()> {
        encode(&mut self.out, d, codes, file)
    }

    fn finish(self, codes: &[&'static Code], file: &Arc<str>) -> io::Result<Run> {
        let mut f = self.out.into_inner().map_err(|e| e.into_error())?;
        f.seek(SeekFrom::Start(0))?;
        let mut run = Run {
            input: BufReader::with_capacity(1 << 16, f),
            head: None,
        };
        run.advance(codes, file)?;
        Ok(run)
    }
}

fn put_u64(w: &mut impl Write, v: u64) -> io::Result<()> {
    w.write_all(&v.to_le_bytes())
}

fn put_str(w: &mut impl Write, s: Option<&str>) -> io::Result<()> {
    match s {
        None => put_u64(w, u64::MAX),
        Some(s) => {
            put_u64(w, s.len() as u64)?;
            w.write_all(s.as_bytes())
        }
    }
}

fn encode(
    w: &mut impl Write,
    d: &Diagnostic,
    codes: &mut Vec<&'static Code>,
    file: &Arc<str>,
) -> io::Result<()> {
    let code = match codes.iter().position(|c| std::ptr::eq(*c, d.code)) {
        Some(i) => i,
        None => {
            codes.push(d.code);
            codes.len() - 1
        }
    };
    put_u64(w, code as u64)?;
    w.write_all(&[match d.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }])?;
    put_str(w, Some(&d.message))?;
    put_str(w, (d.file != *file).then_some(&*d.file))?;
    put_u64(w, d.row.unwrap_or(u64::MAX))?;
    put_u64(w, d.labels.len() as u64)?;
    for l in &d.labels {
        for v in [l.span.start, l.span.end, l.at.line, l.at.column] {
            put_u64(w, v)?;
        }
        put_str(w, l.message.as_deref())?;
    }
    put_str(w, d.help.as_deref())?;
    put_str(w, d.server_message.as_deref())
}

fn get_u64(r: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn get_str(r: &mut impl Read) -> io::Result<Option<String>> {
    let n = get_u64(r)?;
    if n == u64::MAX {
        return Ok(None);
    }
    let mut s = Vec::new();
    r.take(n).read_to_end(&mut s)?;
    String::from_utf8(s)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn decode(
    r: &mut impl io::BufRead,
    codes: &[&'static Code],
    file: &Arc<str>,
) -> io::Result<Option<Diagnostic>> {
    if r.fill_buf()?.is_empty() {
        return Ok(None);
    }
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "corrupt findings spill file");
    let code = *codes.get(get_u64(r)? as usize).ok_or_else(bad)?;
    let mut sev = [0u8];
    r.read_exact(&mut sev)?;
    let severity = match sev[0] {
        0 => Severity::Error,
        1 => Severity::Warning,
        2 => Severity::Note,
        _ => return Err(bad()),
    };
    let message = get_str(r)?.ok_or_else(bad)?;
    let file = get_str(r)?.map_or_else(|| file.clone(), Arc::from);
    let row = Some(get_u64(r)?).filter(|&v| v != u64::MAX);
    let n = get_u64(r)?;
    let mut labels = Vec::new();
    for _ in 0..n {
        let (start, end, line, column) = (get_u64(r)?, get_u64(r)?, get_u64(r)?, get_u64(r)?);
        labels.push(Label {
            span: Span { start, end },
            at: LineCol { line, column },
            message: get_str(r)?,
        });
    }
    Ok(Some(Diagnostic {
        code,
        severity,
        message,
        file,
        row,
        labels,
        help: get_str(r)?,
        server_message: get_str(r)?,
    }))
}

#[cfg(test)]
mod tests;
