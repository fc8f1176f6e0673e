//! A streaming CSV tokenizer that splits records exactly as PHP's `fgetcsv` does with its
//! defaults (delimiter `,`, enclosure `"`, escape `\`, `auto_detect_line_endings` on), keeping
//! the byte span of every cell.
//!
//! Where PHP differs from RFC 4180 we follow PHP: leading blanks before an opening quote are
//! skipped, text after a closing quote is appended to the value, a backslash inside quotes
//! protects the next byte (and is kept), LF, CRLF and bare CR all end a record, and an
//! unterminated quote swallows the rest of the file.
//!
//! Two ways to read: [`PhpCsvReader::read_record`] copies one record into a [`CsvRecord`];
//! [`PhpCsvReader::read_chunk`] hands over a whole block of records in a [`CsvChunk`] without
//! copying them (the fast path for large files). Values borrow the record's bytes unless
//! unescaping changed them.
use std::io::{self, Read};
use std::ops::Range;

/// One cell of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvCell {
    /// The cell's bytes, relative to the start of its record (quotes included, delimiter
    /// excluded).
    pub raw: Range<usize>,
    /// The cell's value (quotes removed, `""` collapsed): relative to the start of the record
    /// when `borrowed`, else a range of the unescaped-values buffer.
    pub value: Range<usize>,
    /// The value is a slice of the record's own bytes.
    pub borrowed: bool,
    /// The cell was enclosed in quotes.
    pub quoted: bool,
    /// Inside the quotes a backslash protected a quote (`\"`): PHP keeps both bytes and the quote
    /// does not close the cell.
    pub backslash_quote: bool,
}

/// One record (a row that may span several physical lines when quoted cells hold line breaks).
#[derive(Debug, Clone, Default)]
pub struct CsvRecord {
    /// Byte offset of the record's first byte in the file.
    pub offset: u64,
    /// 1-based physical line of the record's first byte.
    pub line: u64,
    /// The record's bytes, line terminator included.
    pub raw: Vec<u8>,
    /// Length of `raw` without the line terminator.
    pub content_len: usize,
    /// Values that unescaping changed, back to back.
    pub values: Vec<u8>,
    /// The cells in order.
    pub cells: Vec<CsvCell>,
    /// A quoted cell ran to the end of the file without its closing quote.
    pub unterminated: bool,
    /// The record was longer than the reader's limit and was cut there.
    pub truncated: bool,
}

impl CsvRecord {
    /// The value of cell `i` as bytes (empty when the cell does not exist).
    pub fn value(&self, i: usize) -> &[u8] {
        self.cells
            .get(i)
            .map_or(&[][..], |c| cell_value(c, &self.raw, &self.values))
    }

    /// Byte offset in the file of the start of cell `i`'s raw text.
    pub fn cell_offset(&self, i: usize) -> u64 {
        self.offset + self.cells.get(i).map_or(self.content_len, |c| c.raw.start) as u64
    }

    /// Number of physical line breaks inside the record's content (quoted line breaks).
    pub fn inner_line_breaks(&self) -> u64 {
        quoted_line_breaks(&self.cells, &self.raw)
    }
}

/// What line classification needs of a record, whichever way it was read.
pub trait CsvRow {
    /// Number of cells.
    fn cell_count(&self) -> usize;
    /// The value of cell `i` (empty when the cell does not exist).
    fn cell(&self, i: usize) -> &[u8];
}

impl CsvRow for CsvRecord {
    fn cell_count(&self) -> usize {
        self.cells.len()
    }

    fn cell(&self, i: usize) -> &[u8] {
        self.value(i)
    }
}

impl CsvRow for RecordRef<'_> {
    fn cell_count(&self) -> usize {
        self.cells.len()
    }

    fn cell(&self, i: usize) -> &[u8] {
        self.value(i)
    }
}

fn cell_value<'a>(c: &CsvCell, raw: &'a [u8], values: &'a [u8]) -> &'a [u8] {
    if c.borrowed {
        &raw[c.value.clone()]
    } else {
        &values[c.value.clone()]
    }
}

/// Line breaks can only sit inside quoted cells.
fn quoted_line_breaks(cells: &[CsvCell], raw: &[u8]) -> u64 {
    cells
        .iter()
        .filter(|c| c.quoted)
        .map(|c| count_line_breaks(&raw[c.raw.clone()]))
        .sum()
}

/// Counts line breaks, treating CRLF as one.
pub fn count_line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
        let at = i + k;
        if !(bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n')) {
            n += 1;
        }
        i = at + 1;
    }
    n
}

/// Where a record sits in a [`CsvChunk`].
#[derive(Debug, Clone, Default)]
pub struct ChunkRecord {
    /// Start of the record in [`CsvChunk::data`].
    pub start: usize,
    /// Length without the line terminator.
    pub content_len: usize,
    /// Length with the line terminator.
    pub len: usize,
    /// 1-based physical line of the record's first byte.
    pub line: u64,
    /// The record's cells in [`CsvChunk::cells`].
    pub cells: Range<usize>,
    /// A quoted cell ran to the end of the file without its closing quote.
    pub unterminated: bool,
    /// The record was longer than the reader's limit and was cut there.
    pub truncated: bool,
}

/// A block of consecutive records sharing one buffer.
#[derive(Debug, Default)]
pub struct CsvChunk {
    /// File offset of `data[0]`.
    pub base: u64,
    /// The bytes the records point into.
    pub data: Vec<u8>,
    /// The records, in file order.
    pub records: Vec<ChunkRecord>,
    /// The cells of all records.
    pub cells: Vec<CsvCell>,
    /// Values that unescaping changed.
    pub values: Vec<u8>,
}

/// A borrowed record, from a [`CsvChunk`] or a [`CsvRecord`], with the same accessors.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    offset: u64,
    line: u64,
    raw: &'a [u8],
    content_len: usize,
    cells: &'a [CsvCell],
    values: &'a [u8],
    unterminated: bool,
    truncated: bool,
}

impl<'a> RecordRef<'a> {
    /// Byte offset of the record's first byte in the file.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// 1-based physical line of the record's first byte.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The record's bytes, line terminator included.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Length of the record without its line terminator.
    pub fn content_len(&self) -> usize {
        self.content_len
    }

    /// The cells.
    pub fn cells(&self) -> &'a [CsvCell] {
        self.cells
    }

    /// The value of cell `i` (empty when the cell does not exist).
    pub fn value(&self, i: usize) -> &'a [u8] {
        self.cells
            .get(i)
            .map_or(&[][..], |c| cell_value(c, self.raw, self.values))
    }

    /// A quoted cell ran to the end of the file.
    pub fn unterminated(&self) -> bool {
        self.unterminated
    }

    /// The record was cut at the reader's limit.
    pub fn truncated(&self) -> bool {
        self.truncated
    }
}

impl CsvRecord {
    /// The record as a borrowed [`RecordRef`].
    pub fn view(&self) -> RecordRef<'_> {
        RecordRef {
            offset: self.offset,
            line: self.line,
            raw: &self.raw,
            content_len: self.content_len,
            cells: &self.cells,
            values: &self.values,
            unterminated: self.unterminated,
            truncated: self.truncated,
        }
    }
}

impl CsvChunk {
    /// The records of this chunk.
    pub fn iter(&self) -> impl Iterator<Item = RecordRef<'_>> {
        self.records.iter().map(move |m| RecordRef {
            offset: self.base + m.start as u64,
            line: m.line,
            raw: &self.data[m.start..m.start + m.len],
            content_len: m.content_len,
            cells: &self.cells[m.cells.clone()],
            values: &self.values,
            unterminated: m.unterminated,
            truncated: m.truncated,
        })
    }

    /// The file offset just past the last record's bytes held (0 for an empty chunk): every
    /// later record starts at or after it.
    pub fn end(&self) -> u64 {
        self.records
            .last()
            .map_or(0, |m| self.base + (m.start + m.len) as u64)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the chunk holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

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

/// The buffered bytes were not enough to finish a record.
struct NeedMore;

/// What parsing one record found.
struct Parsed {
    consumed: usize,
    content_len: usize,
    unterminated: bool,
}

const INITIAL_BUF: usize = 1 << 20;

impl<R: Read> PhpCsvReader<R> {
    /// A reader starting at file offset `offset` (use it to skip a BOM) on line 1, cutting any
    /// record longer than `max_record` bytes.
    pub fn new(inner: R, offset: u64, max_record: usize) -> Self {
        PhpCsvReader {
            inner,
            buf: vec![0; INITIAL_BUF],
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
        if next.len() < self.buf.len() {
            next.resize(self.buf.len(), 0);
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

/// Parses one record from the start of `buf` (`eof`: no more bytes follow), appending its
/// cells (ranges relative to `buf`) and any unescaped values.
fn parse_record(
    buf: &[u8],
    eof: bool,
    cells: &mut Vec<CsvCell>,
    values: &mut Vec<u8>,
) -> Result<Parsed, NeedMore> {
    let n = buf.len();
    let mut i = 0usize;
    loop {
        let cell_start = i;
        let mut j = i;
        while j < n && matches!(buf[j], b' ' | b'\t' | 0x0b | 0x0c) {
            j += 1;
        }
        if j == n && !eof {
            return Err(NeedMore);
        }
        if j < n && buf[j] == b'"' {
            // Enclosed cell: borrowed unless `""` or text after the closing quote needs a copy.
            let content = j + 1;
            let mut k = content;
            let mut hunk = k;
            let mut copying = false;
            let vstart = values.len();
            let mut backslash_quote = false;
            let close = loop {
                match memchr::memchr2(b'"', b'\\', &buf[k..]) {
                    None => {
                        if !eof {
                            return Err(NeedMore);
                        }
                        break None;
                    }
                    Some(d) => {
                        let at = k + d;
                        if at + 1 >= n && !eof {
                            return Err(NeedMore);
                        }
                        if buf[at] == b'\\' {
                            if buf.get(at + 1) == Some(&b'"') {
                                backslash_quote = true;
                            }
                            k = (at + 2).min(n);
                        } else if buf.get(at + 1) == Some(&b'"') {
                            values.extend_from_slice(&buf[hunk..=at]);
                            copying = true;
                            k = at + 2;
                            hunk = k;
                        } else {
                            break Some(at);
                        }
                    }
                }
            };
            let Some(at) = close else {
                let value = if copying {
                    values.extend_from_slice(&buf[hunk..n]);
                    vstart..values.len()
                } else {
                    content..n
                };
                cells.push(CsvCell {
                    raw: cell_start..n,
                    value,
                    borrowed: !copying,
                    quoted: true,
                    backslash_quote,
                });
                return Ok(Parsed {
                    consumed: n,
                    content_len: n,
                    unterminated: true,
                });
            };
            // Text after the closing quote is appended up to the delimiter or line end.
            let after = at + 1;
            let (stop, found) = match memchr::memchr3(b',', b'\n', b'\r', &buf[after..]) {
                None if !eof => return Err(NeedMore),
                None => (n, false),
                Some(d) => (after + d, true),
            };
            let value = if copying || stop > after {
                if !copying {
                    values.extend_from_slice(&buf[content..at]);
                } else {
                    values.extend_from_slice(&buf[hunk..at]);
                }
                values.extend_from_slice(&buf[after..stop]);
                copying = true;
                vstart..values.len()
            } else {
                content..at
            };
            cells.push(CsvCell {
                raw: cell_start..stop,
                value,
                borrowed: !copying,
                quoted: true,
                backslash_quote,
            });
            if !found {
                return Ok(Parsed {
                    consumed: n,
                    content_len: n,
                    unterminated: false,
                });
            }
            if buf[stop] == b',' {
                i = stop + 1;
                continue;
            }
            return finish_line(buf, stop, eof);
        }
        // Plain cell: leading blanks are kept, the cell runs to the delimiter or line end.
        match memchr::memchr3(b',', b'\n', b'\r', &buf[i..]) {
            None => {
                if !eof {
                    return Err(NeedMore);
                }
                cells.push(CsvCell {
                    raw: i..n,
                    value: i..n,
                    borrowed: true,
                    quoted: false,
                    backslash_quote: false,
                });
                return Ok(Parsed {
                    consumed: n,
                    content_len: n,
                    unterminated: false,
                });
            }
            Some(d) => {
                let at = i + d;
                cells.push(CsvCell {
                    raw: i..at,
                    value: i..at,
                    borrowed: true,
                    quoted: false,
                    backslash_quote: false,
                });
                if buf[at] == b',' {
                    i = at + 1;
                    continue;
                }
                return finish_line(buf, at, eof);
            }
        }
    }
}

/// Consumes the line terminator at `at` (CRLF as one) and closes the record.
fn finish_line(buf: &[u8], at: usize, eof: bool) -> Result<Parsed, NeedMore> {
    let done = |consumed| {
        Ok(Parsed {
            consumed,
            content_len: at,
            unterminated: false,
        })
    };
    if buf[at] == b'\r' {
        if at + 1 < buf.len() {
            return done(if buf[at + 1] == b'\n' { at + 2 } else { at + 1 });
        }
        if !eof {
            return Err(NeedMore);
        }
    }
    done(at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8]) -> Vec<(u64, u64, Vec<String>)> {
        let mut r = PhpCsvReader::new(input, 0, 1 << 20);
        let mut rec = CsvRecord::default();
        let mut out = Vec::new();
        while r.read_record(&mut rec).unwrap() {
            let cells = (0..rec.cells.len())
                .map(|i| String::from_utf8_lossy(rec.value(i)).into_owned())
                .collect();
            out.push((rec.offset, rec.line, cells));
        }
        out
    }

    #[test]
    fn splits_like_fgetcsv() {
        let rows = read_all(b"a,\"b,c\",d\r\n\"x\"\"y\",  \"z\"tail ,\r\nlast");
        assert_eq!(rows[0].2, vec!["a", "b,c", "d"]);
        assert_eq!(rows[1].2, vec!["x\"y", "ztail ", ""]);
        assert_eq!(rows[2].2, vec!["last"]);
        assert_eq!((rows[1].0, rows[1].1), (11, 2));
        assert_eq!(rows[2].1, 3);
    }

    #[test]
    fn bare_cr_and_quoted_newlines_count_lines() {
        let rows = read_all(b"a\rb,\"1\n2\"\rc\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].2, vec!["b", "1\n2"]);
        assert_eq!(rows[2].1, 4);
        assert_eq!(rows[2].2, vec!["c"]);
    }

    #[test]
    fn backslash_keeps_quote_and_swallows_delimiter() {
        let rows = read_all(b"\"C:\\dir\\\",next\nrow2,\"x\"\n");
        // The backslash protects the quote, so the cell runs on to the next quote, which closes
        // it; PHP then appends what follows (`x"`) up to the line end.
        assert_eq!(rows[0].2, vec!["C:\\dir\\\",next\nrow2,x\""]);
        assert_eq!(rows.len(), 1);
        let mut r = PhpCsvReader::new(&b"\"a\\\"b\",c\n"[..], 0, 1 << 20);
        let mut rec = CsvRecord::default();
        assert!(r.read_record(&mut rec).unwrap());
        assert!(rec.cells[0].backslash_quote);
        assert_eq!(rec.value(0), b"a\\\"b");
        assert_eq!(rec.value(1), b"c");
    }

    #[test]
    fn unterminated_quote_takes_the_rest() {
        let mut r = PhpCsvReader::new(&b"a,\"open\nmore"[..], 0, 1 << 20);
        let mut rec = CsvRecord::default();
        assert!(r.read_record(&mut rec).unwrap());
        assert!(rec.unterminated);
        assert_eq!(rec.value(1), b"open\nmore");
        assert!(!r.read_record(&mut rec).unwrap());
    }

    #[test]
    fn small_buffers_and_long_records_agree() {
        let mut input = Vec::new();
        for i in 0..5000 {
            input.extend_from_slice(format!("{i},\"q{i}\nx\",plain{i}\r\n").as_bytes());
        }
        let rows = read_all(&input);
        assert_eq!(rows.len(), 5000);
        assert_eq!(rows[4999].2, vec!["4999", "q4999\nx", "plain4999"]);
        assert_eq!(rows[4999].1, 4999 * 2 + 1);
    }

    #[test]
    fn chunks_hold_the_same_records_as_single_reads() {
        let mut input = Vec::new();
        for i in 0..3000 {
            input
                .extend_from_slice(format!("{i},\"a\"\"{i}\",\"x\ny\"z, plain\r\n#c\r").as_bytes());
        }
        let single = read_all(&input);
        for per_chunk in [3, 1000, 10_000] {
            let mut r = PhpCsvReader::new(&input[..], 5, 1 << 20);
            let mut chunk = CsvChunk::default();
            let mut got = Vec::new();
            while r.read_chunk(&mut chunk, per_chunk).unwrap() {
                assert!(chunk.len() <= per_chunk);
                for rec in chunk.iter() {
                    let cells: Vec<String> = (0..rec.cells().len())
                        .map(|i| String::from_utf8_lossy(rec.value(i)).into_owned())
                        .collect();
                    got.push((rec.offset() - 5, rec.line(), cells));
                }
            }
            assert_eq!(got, single, "{per_chunk} records per chunk");
        }
        assert_eq!(single[0].2, vec!["0", "a\"0", "x\nyz", " plain"]);
    }

    /// (offset, line, cells) of every record, read one by one or in chunks of `per_chunk`.
    fn records(input: &[u8], max: usize, per_chunk: Option<usize>) -> Vec<(u64, u64, Vec<u8>)> {
        let mut r = PhpCsvReader::new(input, 0, max);
        let mut out = Vec::new();
        match per_chunk {
            None => {
                let mut rec = CsvRecord::default();
                while r.read_record(&mut rec).unwrap() {
                    out.push((rec.offset, rec.line, rec.value(0).to_vec()));
                }
            }
            Some(n) => {
                let mut chunk = CsvChunk::default();
                while r.read_chunk(&mut chunk, n).unwrap() {
                    for rec in chunk.iter() {
                        out.push((rec.offset(), rec.line(), rec.value(0).to_vec()));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn a_cut_record_resumes_at_its_true_end() {
        // Long records of every shape: a quoted field with LF, CRLF and bare CR inside, `""`,
        // `\"`, text after the closing quote, a plain cell, and one quote left open at the end.
        let mut input = Vec::new();
        input.extend_from_slice(b"first,1\n");
        input.extend_from_slice(b"\"");
        for i in 0..50 {
            input.extend_from_slice(match i % 5 {
                0 => b"a,b\n".as_slice(),
                1 => b"c\r\n",
                2 => b"d\re",
                3 => b"\"\"q",
                _ => b"\\\"x",
            });
        }
        input.extend_from_slice(b"\"tail,2\r\nsecond,3\r");
        input.extend_from_slice(&[b'p'; 300]);
        input.extend_from_slice(b",4\rthird,5\n  \"");
        input.extend_from_slice(&[b'z'; 300]);
        input.extend_from_slice(b"\nend");
        let whole = records(&input, 1 << 20, None);
        assert_eq!(whole.len(), 6, "{whole:?}");
        for max in [7, 16, 33, 64, 100, 101, 150] {
            for per_chunk in [None, Some(1), Some(2), Some(64)] {
                let cut = records(&input, max, per_chunk);
                let key =
                    |v: &[(u64, u64, Vec<u8>)]| v.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>();
                assert_eq!(key(&cut), key(&whole), "max {max}, chunks {per_chunk:?}");
            }
        }
        let mut r = PhpCsvReader::new(&input[..], 0, 16);
        let mut rec = CsvRecord::default();
        assert!(r.read_record(&mut rec).unwrap());
        assert!(r.read_record(&mut rec).unwrap());
        assert!(
            rec.truncated && !rec.unterminated,
            "the quote closes past the cut"
        );
        for _ in 0..4 {
            assert!(r.read_record(&mut rec).unwrap());
        }
        assert!(
            rec.truncated && rec.unterminated,
            "the last quote never closes"
        );
        assert!(!r.read_record(&mut rec).unwrap());
    }

    #[test]
    fn records_over_the_limit_are_cut() {
        let input = [b'x'; 100];
        let mut r = PhpCsvReader::new(&input[..], 0, 10);
        let mut rec = CsvRecord::default();
        assert!(r.read_record(&mut rec).unwrap());
        assert!(rec.truncated);
        assert_eq!(rec.raw.len(), 10);
    }
}
