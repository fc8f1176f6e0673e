//! A streaming CSV tokenizer that splits records exactly as PHP's `fgetcsv` does with its
//! defaults (delimiter `,`, enclosure `"`, escape `\`, `auto_detect_line_endings` on), keeping
//! the byte span of every cell.
//!
//! Where PHP differs from RFC 4180 we follow PHP: leading blanks before an opening quote are
//! skipped, text after a closing quote is appended to the value, a backslash inside quotes
//! protects the next byte (and is kept), LF, CRLF and bare CR all end a record, and an
//! unterminated quote swallows the rest of the file.
use std::io::{self, Read};
use std::ops::Range;

/// One cell of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvCell {
    /// The cell's bytes within [`CsvRecord::raw`] (quotes included, delimiter excluded).
    pub raw: Range<usize>,
    /// The cell's value within [`CsvRecord::values`] (quotes removed, `""` collapsed).
    pub value: Range<usize>,
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
    /// The unescaped values of all cells, back to back.
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
            .map_or(&[][..], |c| &self.values[c.value.clone()])
    }

    /// Byte offset in the file of the start of cell `i`'s raw text.
    pub fn cell_offset(&self, i: usize) -> u64 {
        self.offset + self.cells.get(i).map_or(self.content_len, |c| c.raw.start) as u64
    }

    /// Number of physical line breaks inside the record's content (quoted line breaks).
    pub fn inner_line_breaks(&self) -> u64 {
        count_line_breaks(&self.raw[..self.content_len])
    }
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

/// Reads [`CsvRecord`]s from a byte stream with bounded memory.
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
}

/// What parsing found when the buffered bytes were not enough to finish a record.
struct NeedMore;

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
        }
    }

    /// Reads the next record into `rec`; returns `false` at the end of the input.
    pub fn read_record(&mut self, rec: &mut CsvRecord) -> io::Result<bool> {
        loop {
            if self.start == self.end && self.eof {
                return Ok(false);
            }
            let avail = &self.buf[self.start..self.end];
            let limit_hit = avail.len() >= self.max_record;
            let slice = if limit_hit {
                &avail[..self.max_record]
            } else {
                avail
            };
            let at_end = self.eof || limit_hit;
            match parse_record(slice, at_end, rec) {
                Ok(consumed) => {
                    rec.offset = self.base + self.start as u64;
                    rec.line = self.line;
                    rec.truncated =
                        limit_hit && consumed == slice.len() && !self.eof_within(consumed);
                    rec.raw.clear();
                    rec.raw.extend_from_slice(&slice[..consumed]);
                    self.start += consumed;
                    self.line += rec.inner_line_breaks() + u64::from(consumed > rec.content_len);
                    return Ok(true);
                }
                Err(NeedMore) => self.fill()?,
            }
        }
    }

    fn eof_within(&self, consumed: usize) -> bool {
        self.eof && self.start + consumed == self.end
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

/// Parses one record from the start of `buf`. `eof` says no more bytes will follow `buf`.
/// Returns the number of bytes consumed (terminator included).
fn parse_record(buf: &[u8], eof: bool, rec: &mut CsvRecord) -> Result<usize, NeedMore> {
    rec.cells.clear();
    rec.values.clear();
    rec.unterminated = false;
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
        let vstart = rec.values.len();
        if j < n && buf[j] == b'"' {
            // Enclosed cell.
            let mut k = j + 1;
            let mut hunk = k;
            let mut backslash_quote = false;
            let closed = loop {
                match memchr::memchr2(b'"', b'\\', &buf[k..]) {
                    None => {
                        if !eof {
                            return Err(NeedMore);
                        }
                        rec.values.extend_from_slice(&buf[hunk..n]);
                        k = n;
                        break false;
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
                            rec.values.extend_from_slice(&buf[hunk..=at]);
                            k = at + 2;
                            hunk = k;
                        } else {
                            rec.values.extend_from_slice(&buf[hunk..at]);
                            k = at + 1;
                            break true;
                        }
                    }
                }
            };
            if !closed {
                rec.unterminated = true;
                rec.cells.push(CsvCell {
                    raw: cell_start..n,
                    value: vstart..rec.values.len(),
                    quoted: true,
                    backslash_quote,
                });
                rec.content_len = n;
                return Ok(n);
            }
            // Text after the closing quote is appended up to the delimiter or line end.
            match memchr::memchr3(b',', b'\n', b'\r', &buf[k..]) {
                None => {
                    if !eof {
                        return Err(NeedMore);
                    }
                    rec.values.extend_from_slice(&buf[k..n]);
                    rec.cells.push(CsvCell {
                        raw: cell_start..n,
                        value: vstart..rec.values.len(),
                        quoted: true,
                        backslash_quote,
                    });
                    rec.content_len = n;
                    return Ok(n);
                }
                Some(d) => {
                    let at = k + d;
                    rec.values.extend_from_slice(&buf[k..at]);
                    rec.cells.push(CsvCell {
                        raw: cell_start..at,
                        value: vstart..rec.values.len(),
                        quoted: true,
                        backslash_quote,
                    });
                    if buf[at] == b',' {
                        i = at + 1;
                        continue;
                    }
                    return finish_line(buf, at, eof, rec);
                }
            }
        } else {
            // Plain cell: leading blanks are kept, the cell runs to the delimiter or line end.
            match memchr::memchr3(b',', b'\n', b'\r', &buf[i..]) {
                None => {
                    if !eof {
                        return Err(NeedMore);
                    }
                    rec.values.extend_from_slice(&buf[i..n]);
                    rec.cells.push(CsvCell {
                        raw: cell_start..n,
                        value: vstart..rec.values.len(),
                        quoted: false,
                        backslash_quote: false,
                    });
                    rec.content_len = n;
                    return Ok(n);
                }
                Some(d) => {
                    let at = i + d;
                    rec.values.extend_from_slice(&buf[i..at]);
                    rec.cells.push(CsvCell {
                        raw: cell_start..at,
                        value: vstart..rec.values.len(),
                        quoted: false,
                        backslash_quote: false,
                    });
                    if buf[at] == b',' {
                        i = at + 1;
                        continue;
                    }
                    return finish_line(buf, at, eof, rec);
                }
            }
        }
    }
}

/// Consumes the line terminator at `at` (CRLF as one) and closes the record.
fn finish_line(buf: &[u8], at: usize, eof: bool, rec: &mut CsvRecord) -> Result<usize, NeedMore> {
    rec.content_len = at;
    if buf[at] == b'\r' {
        if at + 1 < buf.len() {
            return Ok(if buf[at + 1] == b'\n' { at + 2 } else { at + 1 });
        }
        if !eof {
            return Err(NeedMore);
        }
    }
    Ok(at + 1)
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
    fn records_over_the_limit_are_cut() {
        let input = [b'x'; 100];
        let mut r = PhpCsvReader::new(&input[..], 0, 10);
        let mut rec = CsvRecord::default();
        assert!(r.read_record(&mut rec).unwrap());
        assert!(rec.truncated);
        assert_eq!(rec.raw.len(), 10);
    }
}
