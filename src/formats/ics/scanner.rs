//! The iCal content-line scanner: reads physical lines from a stream (CRLF, LF or bare CR),
//! unfolds RFC 5545 continuations, splits name, parameters (quoted values may hold `:` and `;`)
//! and value, and keeps the byte offset, line and column of every piece.
//!
//! It holds one content line at a time, so memory stays flat whatever the file size.
use std::io::{self, BufRead};
use std::ops::Range;

use crate::source::{LineCol, Span, char_count};

/// Longest content line (after unfolding) kbulk keeps; the rest is skipped and reported.
pub const MAX_LINE: usize = 1 << 20;

/// How a physical line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ending {
    /// `\r\n`, what Kaltura's reader needs.
    #[default]
    CrLf,
    /// `\n` alone.
    Lf,
    /// `\r` alone.
    Cr,
    /// End of file without a line break.
    Eof,
}

/// Where a physical segment of a content line starts: its position in the unfolded text, its
/// file offset and its line/column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Segment {
    /// Position in [`ContentLine::text`] where this segment's bytes begin.
    pub text_pos: usize,
    /// File offset of that byte.
    pub offset: u64,
    /// Line and column of that byte.
    pub at: LineCol,
}

/// One fold: a continuation line appended to the content line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// The continuation's bytes after its one leading space or TAB, as a range of `text`.
    pub text: Range<usize>,
    /// File offset of the leading space or TAB.
    pub offset: u64,
    /// Its line (column 1).
    pub line: u64,
}

/// One parameter (`NAME=value`), names upper-cased, values unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Upper-cased name.
    pub name: String,
    /// Value without the surrounding quotes (several values stay comma-separated).
    pub value: String,
    /// The whole `NAME=value` in `text`.
    pub range: Range<usize>,
    /// True when the value was quoted.
    pub quoted: bool,
}

/// One unfolded content line.
#[derive(Debug, Clone, Default)]
pub struct ContentLine {
    /// The unfolded bytes (fold breaks and the continuation's leading space removed).
    pub text: Vec<u8>,
    /// The first physical segment (the line's first byte).
    pub first: Segment,
    /// Further physical segments, one per fold (no allocation for unfolded lines).
    pub segments: Vec<Segment>,
    /// Folds, in order (empty for an unfolded line).
    pub folds: Vec<Fold>,
    /// The property name as written.
    pub name: Range<usize>,
    /// Parameters, in order.
    pub params: Vec<Param>,
    /// The text between the name and the value separator (`;TZID=...`), as the server keeps it.
    pub raw_params: Range<usize>,
    /// The value (after the RFC separator colon).
    pub value: Range<usize>,
    /// Position of the RFC separator colon; `None` when the line has no `:` outside quotes.
    pub colon: Option<usize>,
    /// Position of the first `:` anywhere (where the server splits).
    pub first_colon: Option<usize>,
    /// How the line's last physical line ended.
    pub ending: Ending,
    /// True when the line was longer than [`MAX_LINE`] and cut.
    pub truncated: bool,
    /// True when `text` is valid UTF-8.
    pub utf8: bool,
    /// True once [`ContentLine::parse`] split the line (only `name` is set before).
    parsed: bool,
    /// The value, when it is valid UTF-8 but not ASCII: validated once by `parse`, so that
    /// [`ContentLine::value_str`] need not validate it again (`None` for ASCII values, which
    /// are cheap to re-check).
    value_text: Option<String>,
}

impl ContentLine {
    /// The upper-cased property name.
    pub fn name_upper(&self) -> String {
        String::from_utf8_lossy(&self.text[self.name.clone()]).to_ascii_uppercase()
    }

    /// The upper-cased property name without allocating (names longer than 64 bytes are cut,
    /// which no property kbulk knows is).
    pub fn name_key(&self) -> NameKey {
        let src = &self.text[self.name.clone()];
        let mut k = NameKey {
            buf: [0; 64],
            len: src.len().min(64),
        };
        for (d, s) in k.buf.iter_mut().zip(src) {
            *d = s.to_ascii_uppercase();
        }
        k
    }

    /// The value as text (invalid UTF-8 replaced).
    pub fn value_str(&self) -> std::borrow::Cow<'_, str> {
        let v = &self.text[self.value.clone()];
        if let Some(s) = self.value_text.as_deref().filter(|_| self.utf8) {
            return std::borrow::Cow::Borrowed(s);
        }
        match self.utf8.then(|| std::str::from_utf8(v).ok()).flatten() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => String::from_utf8_lossy(v),
        }
    }

    fn segment_for(&self, pos: usize) -> &Segment {
        let idx = self.segments.partition_point(|s| s.text_pos <= pos);
        if idx == 0 {
            &self.first
        } else {
            &self.segments[idx - 1]
        }
    }

    /// File offset of the byte at `pos` in `text` (no character counting).
    pub fn offset_of(&self, pos: usize) -> u64 {
        let seg = self.segment_for(pos);
        let end = pos.min(self.text.len()).max(seg.text_pos);
        seg.offset + (end - seg.text_pos) as u64
    }

    /// The first parameter called `name` (upper case).
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// File offset and line/column of the byte at `pos` in `text` (or just past the end).
    pub fn locate(&self, pos: usize) -> (u64, LineCol) {
        let seg = self.segment_for(pos);
        let end = pos.min(self.text.len()).max(seg.text_pos);
        let chars = char_count(&self.text[seg.text_pos..end]);
        (
            seg.offset + (end - seg.text_pos) as u64,
            LineCol {
                line: seg.at.line,
                column: seg.at.column + chars,
            },
        )
    }

    /// The span and start position of `range` in `text`.
    pub fn place(&self, range: Range<usize>) -> (Span, LineCol) {
        let (start, at) = self.locate(range.start);
        (Span::new(start, self.offset_of(range.end)), at)
    }

    /// The whole line.
    pub fn whole(&self) -> (Span, LineCol) {
        self.place(0..self.text.len())
    }

    fn clear(&mut self) {
        self.text.clear();
        self.segments.clear();
        self.folds.clear();
        self.params.clear();
        self.name = 0..0;
        self.raw_params = 0..0;
        self.value = 0..0;
        self.colon = None;
        self.first_colon = None;
        self.ending = Ending::CrLf;
        self.truncated = false;
        self.utf8 = false;
        self.parsed = false;
        self.value_text = None;
    }

    /// Finds the property name only (what grouping lines into components needs).
    fn parse_name(&mut self) {
        let end = memchr::memchr2(b';', b':', &self.text).unwrap_or(self.text.len());
        self.name = 0..end;
    }

    /// Splits `text` into name, parameters and value (RFC 5545 §3.1 grammar, leniently) and
    /// checks its UTF-8. Lines from [`Scanner::next_line_unparsed`] need this before use; a
    /// second call does nothing.
    pub fn parse(&mut self) {
        if self.parsed {
            return;
        }
        self.parsed = true;
        let t = &self.text;
        self.first_colon = memchr::memchr(b':', t);
        let name_end = t
            .iter()
            .position(|&b| b == b';' || b == b':')
            .unwrap_or(t.len());
        self.name = 0..name_end;
        let mut i = name_end;
        while i < t.len() && t[i] == b';' {
            let pstart = i + 1;
            let mut j = pstart;
            while j < t.len() && !matches!(t[j], b'=' | b';' | b':') {
                j += 1;
            }
            let pname = String::from_utf8_lossy(&t[pstart..j]).to_ascii_uppercase();
            let mut value = Vec::new();
            let mut quoted = false;
            if j < t.len() && t[j] == b'=' {
                j += 1;
                loop {
                    if j < t.len() && t[j] == b'"' {
                        quoted = true;
                        let close = memchr::memchr(b'"', &t[j + 1..]).map(|k| j + 1 + k);
                        let end = close.unwrap_or(t.len());
                        value.extend_from_slice(&t[j + 1..end]);
                        j = (end + 1).min(t.len());
                    }
                    while j < t.len() && !matches!(t[j], b';' | b':' | b',' | b'"') {
                        value.push(t[j]);
                        j += 1;
                    }
                    if j < t.len() && t[j] == b',' {
                        value.push(b',');
                        j += 1;
                        continue;
                    }
                    if j < t.len() && t[j] == b'"' {
                        continue;
                    }
                    break;
                }
            }
            self.params.push(Param {
                name: pname,
                value: String::from_utf8_lossy(&value).into_owned(),
                range: pstart..j,
                quoted,
            });
            i = j;
        }
        self.raw_params = name_end..i;
        if i < t.len() && t[i] == b':' {
            self.colon = Some(i);
            self.value = i + 1..t.len();
        } else {
            self.colon = None;
            self.value = t.len()..t.len();
        }
        // The value starts after an ASCII `:` (or is empty at the end), so the line is valid
        // UTF-8 exactly when the text before the value and the value are: a non-ASCII value is
        // validated once here and kept as text.
        let v = &t[self.value.clone()];
        let head_ok = std::str::from_utf8(&t[..self.value.start]).is_ok();
        self.utf8 = if v.is_ascii() {
            head_ok
        } else {
            match std::str::from_utf8(v) {
                Ok(s) => {
                    self.value_text = head_ok.then(|| s.to_owned());
                    head_ok
                }
                Err(_) => false,
            }
        };
    }
}

/// An upper-cased property name held on the stack.
#[derive(Debug, Clone, Copy)]
pub struct NameKey {
    buf: [u8; 64],
    len: usize,
}

impl NameKey {
    /// Whether the name is `name` (upper case), comparing bytes: cheaper than going through
    /// `&str`, which validates the key on every use.
    pub fn is(&self, name: &str) -> bool {
        &self.buf[..self.len] == name.as_bytes()
    }
}

impl std::ops::Deref for NameKey {
    type Target = str;

    fn deref(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// A physical line: a range of the scanner's chunk (valid until the next refill) and where it is.
#[derive(Debug, Clone, Copy)]
struct Phys {
    start: usize,
    len: usize,
    offset: u64,
    line: u64,
    ending: Ending,
    truncated: bool,
}

/// Counts of line endings seen, and the first line of each kind that Kaltura cannot split.
#[derive(Debug, Clone, Copy, Default)]
pub struct EndingStats {
    /// Lines ended by CRLF.
    pub crlf: u64,
    /// Lines ended by a bare LF.
    pub lf: u64,
    /// Lines ended by a bare CR.
    pub cr: u64,
    /// First line ended by LF or CR: (offset of the break, line, column of the break in
    /// characters, from 1).
    pub first_bad: Option<(u64, u64, u64)>,
}

/// Reads content lines from a stream.
pub struct Scanner<R> {
    input: R,
    /// Offset of the next unread byte of `input`.
    pos: u64,
    /// Physical line number of the next physical line.
    line: u64,
    /// Bytes of the current LF-terminated chunk not yet split into physical lines.
    chunk: Vec<u8>,
    chunk_at: usize,
    chunk_offset: u64,
    chunk_truncated: bool,
    /// Line-ending counts so far.
    pub endings: EndingStats,
}

impl<R: BufRead> Scanner<R> {
    /// A scanner over `input`, which starts at file offset `offset` (after any BOM) on line 1.
    pub fn new(input: R, offset: u64) -> Self {
        Scanner {
            input,
            pos: offset,
            line: 1,
            chunk: Vec::new(),
            chunk_at: 0,
            chunk_offset: offset,
            chunk_truncated: false,
            endings: EndingStats::default(),
        }
    }

    /// Reads the next LF-terminated chunk (at most [`MAX_LINE`] bytes kept).
    fn refill(&mut self) -> io::Result<bool> {
        self.chunk.clear();
        self.chunk_at = 0;
        self.chunk_offset = self.pos;
        self.chunk_truncated = false;
        let n = io::Read::take(&mut self.input, MAX_LINE as u64 + 2)
            .read_until(b'\n', &mut self.chunk)?;
        self.pos += n as u64;
        if n == 0 {
            return Ok(false);
        }
        if self.chunk.last() != Some(&b'\n') && n >= MAX_LINE + 2 {
            // Skip the rest of an overlong line without keeping it.
            self.chunk_truncated = true;
            let mut last = self.chunk.last().copied();
            loop {
                let buf = self.input.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                match memchr::memchr(b'\n', buf) {
                    Some(k) => {
                        let cr = if k > 0 {
                            buf[k - 1] == b'\r'
                        } else {
                            last == Some(b'\r')
                        };
                        self.input.consume(k + 1);
                        self.pos += k as u64 + 1;
                        // Keep the line's own ending so that it is counted right.
                        if cr && self.chunk.last() != Some(&b'\r') {
                            self.chunk.push(b'\r');
                        }
                        self.chunk.push(b'\n');
                        break;
                    }
                    None => {
                        let len = buf.len();
                        last = buf.last().copied();
                        self.input.consume(len);
                        self.pos += len as u64;
                    }
                }
            }
        }
        Ok(true)
    }

    /// Reads the next physical line; its bytes stay in the chunk until the next call.
    fn next_phys(&mut self) -> io::Result<Option<Phys>> {
        if self.chunk_at >= self.chunk.len() && !self.refill()? {
            return Ok(None);
        }
        let rest = &self.chunk[self.chunk_at..];
        let cr = memchr::memchr(b'\r', rest);
        let (len, consumed, ending) = match cr {
            Some(i) if rest.get(i + 1) == Some(&b'\n') => (i, i + 2, Ending::CrLf),
            Some(i) if i + 1 < rest.len() || rest.last() != Some(&b'\n') => (i, i + 1, Ending::Cr),
            _ if rest.last() == Some(&b'\n') => (rest.len() - 1, rest.len(), Ending::Lf),
            _ => (rest.len(), rest.len(), Ending::Eof),
        };
        let p = Phys {
            start: self.chunk_at,
            len: len.min(MAX_LINE),
            offset: self.chunk_offset + self.chunk_at as u64,
            line: self.line,
            ending,
            truncated: self.chunk_truncated || len > MAX_LINE,
        };
        let break_at = p.offset + len as u64;
        self.chunk_at += consumed;
        self.line += 1;
        match ending {
            Ending::CrLf => self.endings.crlf += 1,
            Ending::Lf | Ending::Cr => {
                if ending == Ending::Lf {
                    self.endings.lf += 1;
                } else {
                    self.endings.cr += 1;
                }
                if self.endings.first_bad.is_none() {
                    let text = &rest[..len];
                    let bom = p.offset == 0 && text.starts_with(b"\xEF\xBB\xBF");
                    let chars =
                        text.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64 - u64::from(bom);
                    self.endings.first_bad = Some((break_at, p.line, chars + 1));
                }
            }
            Ending::Eof => {}
        }
        Ok(Some(p))
    }

    fn bytes(&self, p: &Phys) -> &[u8] {
        &self.chunk[p.start..p.start + p.len]
    }

    /// The first byte of the next physical line, without reading it.
    fn peek_byte(&mut self) -> io::Result<Option<u8>> {
        if self.chunk_at < self.chunk.len() {
            return Ok(Some(self.chunk[self.chunk_at]));
        }
        Ok(self.input.fill_buf()?.first().copied())
    }

    /// Reads the next non-empty content line into `out`; `false` at the end of the input.
    pub fn next_line(&mut self, out: &mut ContentLine) -> io::Result<bool> {
        let more = self.next_line_unparsed(out)?;
        out.parse();
        Ok(more)
    }

    /// Like [`Scanner::next_line`], but only the property name is found: the rest of
    /// [`ContentLine::parse`] (and its UTF-8 check) can then run on another thread.
    pub fn next_line_unparsed(&mut self, out: &mut ContentLine) -> io::Result<bool> {
        out.clear();
        // Physical lines are copied once, from the chunk into the content line; a fold is
        // recognized by peeking at the next line's first byte.
        let first = loop {
            match self.next_phys()? {
                None => return Ok(false),
                Some(p) if self.bytes(&p).iter().all(|b| matches!(b, b' ' | b'\t')) => {}
                Some(p) => break p,
            }
        };
        out.first = Segment {
            text_pos: 0,
            offset: first.offset,
            at: LineCol {
                line: first.line,
                column: 1,
            },
        };
        out.text
            .extend_from_slice(&self.chunk[first.start..first.start + first.len]);
        out.ending = first.ending;
        out.truncated = first.truncated;
        while matches!(self.peek_byte()?, Some(b' ' | b'\t')) {
            let Some(p) = self.next_phys()? else {
                break;
            };
            let start = out.text.len();
            let room = MAX_LINE.saturating_sub(start);
            let add = &self.chunk[p.start + 1..p.start + p.len];
            if add.len() > room {
                out.truncated = true;
            }
            out.text.extend_from_slice(&add[..add.len().min(room)]);
            out.segments.push(Segment {
                text_pos: start,
                offset: p.offset + 1,
                at: LineCol {
                    line: p.line,
                    column: 2,
                },
            });
            out.folds.push(Fold {
                text: start..out.text.len(),
                offset: p.offset,
                line: p.line,
            });
            out.ending = p.ending;
            out.truncated |= p.truncated;
        }
        out.parse_name();
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
