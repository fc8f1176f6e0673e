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
use std::ops::Range;

mod parse;
mod reader;

pub use reader::PhpCsvReader;

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

#[cfg(test)]
mod tests;
