//! The streaming side of the PHP `fgetcsv` tokenizer: buffering, refilling, handing whole
//! blocks of records over without copying, and skipping the rest of a record cut at the limit.
use std::io::{self, Read};

use super::parse::{NeedMore, Parsed, parse_record};
use super::{ChunkRecord, CsvCell, CsvChunk, CsvRecord, count_line_breaks, quoted_line_breaks};

/// Reads records from a byte stream with bounded memory.
pub struct PhpCsvReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// File offset of `buf[0]`.
    base: u64,
    line: u64,
    max_record: usize,
    /// Bytes of a cut record skipped after `buf[start]`, not yet added to `base`.
    gap: u64,
    /// Line breaks in those skipped bytes, not yet added to `line`.
    gap_lines: u64,
}

/// Where the tokenizer stands in the part of a cut record that is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// Inside an enclosure.
    Quoted,
    /// Inside an enclosure, right after a backslash (the next byte is protected).
    QuotedEscape,
    /// Inside an enclosure, right after a quote: `""` stays inside, anything else closes it.
    QuotedQuote,
    /// In an unquoted cell, or in the text after a closing quote.
    Plain,
    /// Right after a delimiter: blanks, then perhaps an opening quote.
    FieldStart,
    /// Right after a CR that ends the record (an LF may follow and belongs to it).
    Cr,
}

impl Skip {
    /// Feeds one byte; `Some(true)`: the record ended after it, `Some(false)`: before it.
    fn step(&mut self, b: u8) -> Option<bool> {
        loop {
            match (*self, b) {
                (Skip::Quoted, b'"') => *self = Skip::QuotedQuote,
                (Skip::Quoted, b'\\') => *self = Skip::QuotedEscape,
                (Skip::Quoted, _) => {}
                (Skip::QuotedEscape, _) => *self = Skip::Quoted,
                (Skip::QuotedQuote, b'"') => *self = Skip::Quoted,
                (Skip::QuotedQuote, _) => {
                    *self = Skip::Plain;
                    continue;
                }
                (Skip::Plain, b',') => *self = Skip::FieldStart,
                (Skip::Plain, b'\n') => return Some(true),
                (Skip::Plain, b'\r') => *self = Skip::Cr,
                (Skip::Plain, _) => {}
                (Skip::FieldStart, b' ' | b'\t' | 0x0b | 0x0c) => {}
                (Skip::FieldStart, b'"') => *self = Skip::Quoted,
                (Skip::FieldStart, _) => {
                    *self = Skip::Plain;
                    continue;
                }
                (Skip::Cr, b'\n') => return Some(true),
                (Skip::Cr, _) => return Some(false),
            }
            return None;
        }
    }

    /// The state at the end of a record cut after `slice`, as `parse_record` left it.
    fn at_cut(slice: &[u8], p: &Parsed, last: Option<&CsvCell>) -> Skip {
        if p.unterminated {
            let backslashes = slice.iter().rev().take_while(|&&b| b == b'\\').count();
            return if backslashes % 2 == 1 {
                Skip::QuotedEscape
            } else {
                Skip::Quoted
            };
        }
        match (slice.last(), last) {
            (Some(b'\r'), _) => Skip::Cr,
            (Some(b'"'), Some(c)) if c.quoted && c.raw.end == slice.len() => Skip::QuotedQuote,
            (_, Some(c))
                if !c.quoted
                    && slice[c.raw.clone()]
                        .iter()
                        .all(|b| matches!(b, b' ' | b'\t' | 0x0b | 0x0c)) =>
            {
                Skip::FieldStart
            }
            _ => Skip::Plain,
        }
    }
}

/// What skipping the rest of a cut record found.
struct Skipped {
    bytes: u64,
    /// Line breaks in the skipped bytes (the record's own end included).
    lines: u64,
    /// The input ended inside an enclosure: the quote is never closed.
    unterminated: bool,
}

/// The first buffer: a small file is read without zeroing (and faulting in) a large one, which
/// dominated the cost of checking many small files (and of each fuzz run).
const START_BUF: usize = 1 << 16;
/// The buffer that chunks grow to while the input goes on: each chunk is at most one buffer.
const INITIAL_BUF: usize = 1 << 20;

impl<R: Read> PhpCsvReader<R> {
    /// A reader starting at file offset `offset` (use it to skip a BOM) on line 1, cutting any
    /// record longer than `max_record` bytes.
    pub fn new(inner: R, offset: u64, max_record: usize) -> Self {
        PhpCsvReader {
            inner,
            buf: vec![0; START_BUF],
            start: 0,
            end: 0,
            eof: false,
            base: offset,
            line: 1,
            max_record: max_record.max(1),
            gap: 0,
            gap_lines: 0,
        }
    }

    /// Parses the record at `self.start` into `cells`/`values`, refilling as needed. Returns
    /// `None` at the end of the input; `(parsed, truncated)` otherwise. Does not advance.
    fn next_parsed(
        &mut self,
        cells: &mut Vec<CsvCell>,
        values: &mut Vec<u8>,
        can_refill: bool,
    ) -> io::Result<Option<(Parsed, bool)>> {
        let (cells_len, values_len) = (cells.len(), values.len());
        loop {
            if self.start == self.end && self.eof {
                return Ok(None);
            }
            let avail = &self.buf[self.start..self.end];
            let limit_hit = avail.len() >= self.max_record;
            let slice = if limit_hit {
                &avail[..self.max_record]
            } else {
                avail
            };
            match parse_record(slice, self.eof || limit_hit, cells, values) {
                Ok(mut p) => {
                    let truncated = limit_hit
                        && p.consumed == slice.len()
                        && !(self.eof && slice.len() == avail.len());
                    if truncated {
                        // PHP reads the record to its true end (fgetcsv has no length limit
                        // here): skip what is past the cut, so the record's own lines are not
                        // read as rows.
                        let state = Skip::at_cut(slice, &p, cells.last());
                        let skipped = self.skip_rest(state)?;
                        p.unterminated = skipped.unterminated;
                        self.gap += skipped.bytes;
                        self.gap_lines += skipped.lines;
                    }
                    return Ok(Some((p, truncated)));
                }
                Err(NeedMore) => {
                    cells.truncate(cells_len);
                    values.truncate(values_len);
                    if !can_refill {
                        return Ok(None);
                    }
                    self.fill()?;
                }
            }
        }
    }

    /// Reads the next record into `rec`; returns `false` at the end of the input.
    pub fn read_record(&mut self, rec: &mut CsvRecord) -> io::Result<bool> {
        rec.cells.clear();
        rec.values.clear();
        let Some((p, truncated)) = self.next_parsed(&mut rec.cells, &mut rec.values, true)? else {
            return Ok(false);
        };
        rec.offset = self.base + self.start as u64;
        rec.line = self.line;
        rec.truncated = truncated;
        rec.unterminated = p.unterminated;
        rec.content_len = p.content_len;
        rec.raw.clear();
        rec.raw
            .extend_from_slice(&self.buf[self.start..self.start + p.consumed]);
        self.start += p.consumed;
        self.base += std::mem::take(&mut self.gap);
        self.line += std::mem::take(&mut self.gap_lines);
        self.line += rec.inner_line_breaks() + u64::from(p.consumed > p.content_len);
        Ok(true)
    }

    /// Reads up to `max_records` records into `chunk`, replacing what it held; the chunk takes
    /// over the reader's buffer instead of copying. Returns `false` at the end of the input.
    pub fn read_chunk(&mut self, chunk: &mut CsvChunk, max_records: usize) -> io::Result<bool> {
        chunk.records.clear();
        chunk.cells.clear();
        chunk.values.clear();
        loop {
            if chunk.records.len() >= max_records {
                break;
            }
            // Refilling moves the buffer, so it is allowed only before the first record.
            let can_refill = chunk.records.is_empty();
            let cells_from = chunk.cells.len();
            let Some((p, truncated)) =
                self.next_parsed(&mut chunk.cells, &mut chunk.values, can_refill)?
            else {
                break;
            };
            let meta = ChunkRecord {
                start: self.start,
                content_len: p.content_len,
                len: p.consumed,
                line: self.line,
                cells: cells_from..chunk.cells.len(),
                unterminated: p.unterminated,
                truncated,
            };
            let raw = &self.buf[self.start..self.start + p.consumed];
            self.line += quoted_line_breaks(&chunk.cells[meta.cells.clone()], raw)
                + u64::from(p.consumed > p.content_len);
            self.start += p.consumed;
            self.line += std::mem::take(&mut self.gap_lines);
            chunk.records.push(meta);
            if truncated {
                // The bytes after this record do not follow it in the file: end the chunk.
                break;
            }
        }
        if chunk.records.is_empty() {
            return Ok(false);
        }
        // Hand the buffer over: the chunk keeps the bytes, the reader keeps what follows.
        let mut next = std::mem::take(&mut chunk.data);
        // While the input goes on, each buffer doubles up to INITIAL_BUF: a long file soon
        // reads in large chunks, a short one never pays for them.
        let want = if self.eof {
            self.buf.len()
        } else {
            (self.buf.len() * 2).min(INITIAL_BUF).max(self.buf.len())
        };
        if next.len() < want {
            next.resize(want, 0);
        }
        let rest = self.end - self.start;
        next[..rest].copy_from_slice(&self.buf[self.start..self.end]);
        chunk.data = std::mem::replace(&mut self.buf, next);
        chunk.base = self.base;
        self.base += self.start as u64 + std::mem::take(&mut self.gap);
        self.start = 0;
        self.end = rest;
        Ok(true)
    }

    /// Skips the rest of a record cut `max_record` bytes after `start`, from `state`, reading
    /// as far as its true end; what follows the record is moved to right after the cut.
    fn skip_rest(&mut self, mut state: Skip) -> io::Result<Skipped> {
        let cut = self.start + self.max_record;
        let mut from = cut;
        let mut out = Skipped {
            bytes: 0,
            lines: 0,
            unterminated: false,
        };
        let mut cr_before = self.buf[cut - 1] == b'\r';
        loop {
            let mut end_at = None;
            for (i, &b) in self.buf[from..self.end].iter().enumerate() {
                if let Some(after) = state.step(b) {
                    end_at = Some(from + i + usize::from(after));
                    break;
                }
            }
            let stop = end_at.unwrap_or(self.end);
            let region = &self.buf[from..stop];
            out.lines += count_line_breaks(region);
            if cr_before && region.first() == Some(&b'\n') {
                out.lines -= 1;
            }
            cr_before = region.last() == Some(&b'\r') || (region.is_empty() && cr_before);
            out.bytes += (stop - from) as u64;
            if let Some(stop) = end_at {
                self.buf.copy_within(stop..self.end, cut);
                self.end = cut + (self.end - stop);
                return Ok(out);
            }
            // Nothing of this region is kept: read the next bytes into the same place.
            self.end = cut;
            from = cut;
            if self.buf.len() < cut + INITIAL_BUF {
                self.buf.resize(cut + INITIAL_BUF, 0);
            }
            let n = loop {
                match self.inner.read(&mut self.buf[cut..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
                out.unterminated = matches!(state, Skip::Quoted | Skip::QuotedEscape);
                return Ok(out);
            }
            self.end = cut + n;
        }
    }

    /// Moves the unread bytes to the front, grows the buffer if it is full, and reads more.
    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let new_len = (self.buf.len() * 2).min(self.max_record.saturating_add(INITIAL_BUF));
            self.buf.resize(new_len.max(self.buf.len() + 1), 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}
