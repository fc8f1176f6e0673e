//! Positions in input files: byte spans, 1-based line/column locations, and the origin of a record.
//!
//! Spans are half-open byte ranges into the original file (a BOM counts: offsets match the bytes
//! on disk). Lines and columns are 1-based; columns count Unicode scalar values from the start of
//! the line. Row ordinals follow the server's own numbering (`lineIndex`) and are 1-based for CSV.
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into the original file. Bytes, never chars.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
pub struct Span {
    /// First byte (0-based offset from the start of the file).
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

impl Span {
    /// A span from `start` to `end` (clamped so that `end >= start`).
    pub fn new(start: u64, end: u64) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// A resolved position: 1-based line and column (columns count characters, not bytes).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize, JsonSchema,
)]
pub struct LineCol {
    /// 1-based physical line (LF, CRLF and bare CR each end a line).
    pub line: u64,
    /// 1-based column in characters.
    pub column: u64,
}

impl LineCol {
    /// A position not resolved yet: [`resolve_labels`] fills it in from the file.
    pub const UNRESOLVED: LineCol = LineCol { line: 0, column: 0 };
}

/// Resolves byte offsets of a stream to lines and columns in one pass; `offsets` must be
/// sorted. Offsets past the end resolve to the end.
pub fn resolve_offsets(
    mut input: impl std::io::Read,
    offsets: &[u64],
) -> std::io::Result<Vec<LineCol>> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut buf = vec![0u8; 1 << 16];
    let (mut pos, mut line) = (0u64, 1u64);
    // Characters of the current line seen so far (bytes that do not continue a UTF-8 sequence).
    let mut chars = 0u64;
    // A CR ends its line only once we know no LF follows (CRLF breaks at the LF).
    let mut cr_pending = false;
    let mut next = 0usize;
    loop {
        let n = input.read(&mut buf)?;
        // A BOM is no character (its lead byte is the only one of its bytes that would count).
        let bom = pos == 0 && buf[..n].starts_with(b"\xEF\xBB\xBF");
        for &b in &buf[..n] {
            if cr_pending && b != b'\n' {
                line += 1;
                chars = 0;
            }
            cr_pending = false;
            while next < offsets.len() && offsets[next] == pos {
                out.push(LineCol {
                    line,
                    column: chars + 1,
                });
                next += 1;
            }
            if next == offsets.len() {
                return Ok(out);
            }
            match b {
                b'\n' => {
                    line += 1;
                    chars = 0;
                }
                b'\r' => {
                    cr_pending = true;
                    chars += 1;
                }
                _ => chars += u64::from(b & 0xC0 != 0x80 && !(bom && pos == 0)),
            }
            pos += 1;
        }
        if n == 0 {
            if cr_pending {
                line += 1;
                chars = 0;
            }
            while next < offsets.len() {
                out.push(LineCol {
                    line,
                    column: chars + 1,
                });
                next += 1;
            }
            return Ok(out);
        }
    }
}

/// The scanning state of a [`Locator`] at one byte offset (before the byte there is read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ScanState {
    pos: u64,
    line: u64,
    /// Characters of the current line before `pos`.
    chars: u64,
    /// A CR was the last byte; it ends its line unless an LF follows.
    cr_pending: bool,
}

impl ScanState {
    const START: ScanState = ScanState {
        pos: 0,
        line: 1,
        chars: 0,
        cr_pending: false,
    };

    /// Where `pos` is, given the byte there (`None`: end of input).
    fn at(&self, next: Option<u8>) -> LineCol {
        if self.cr_pending && next != Some(b'\n') {
            LineCol {
                line: self.line + 1,
                column: 1,
            }
        } else {
            LineCol {
                line: self.line,
                column: self.chars + 1,
            }
        }
    }

    fn step(&mut self, b: u8, bom: bool) {
        if self.cr_pending && b != b'\n' {
            self.line += 1;
            self.chars = 0;
        }
        self.cr_pending = false;
        match b {
            b'\n' => {
                self.line += 1;
                self.chars = 0;
            }
            b'\r' => {
                self.cr_pending = true;
                self.chars += 1;
            }
            _ => self.chars += u64::from(b & 0xC0 != 0x80 && !(bom && self.pos == 0)),
        }
        self.pos += 1;
    }
}

/// Bytes between the checkpoints a [`Locator`] keeps (a jump back re-reads at most this much).
const CHECKPOINT_BYTES: u64 = 1 << 14;

/// Resolves byte offsets of a seekable input to lines and columns, reading forward as offsets
/// grow and jumping back to a checkpoint (one every 16 KiB read) for an earlier offset, so a
/// file's findings are located as they stream out, in memory that does not grow with the file
/// beyond 32 bytes per 16 KiB (2 MiB per GiB); a jump back reads at most 16 KiB. Gives the same
/// answers as [`resolve_offsets`].
#[derive(Debug)]
pub struct Locator<R> {
    input: R,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    buf_start: u64,
    buf_len: usize,
    /// The input is at its end after `buf`.
    eof: bool,
    state: ScanState,
    bom: bool,
    checkpoints: Vec<ScanState>,
}

impl<R: std::io::Read + std::io::Seek> Locator<R> {
    /// A locator over `input` (positioned anywhere: it seeks to the start).
    pub fn new(mut input: R) -> std::io::Result<Self> {
        use std::io::SeekFrom;
        input.seek(SeekFrom::Start(0))?;
        let mut head = [0u8; 3];
        let mut n = 0;
        while n < 3 {
            let got = input.read(&mut head[n..])?;
            if got == 0 {
                break;
            }
            n += got;
        }
        input.seek(SeekFrom::Start(0))?;
        Ok(Locator {
            input,
            buf: vec![0u8; CHECKPOINT_BYTES as usize],
            buf_start: 0,
            buf_len: 0,
            eof: false,
            state: ScanState::START,
            bom: n == 3 && head == *b"\xEF\xBB\xBF",
            checkpoints: vec![ScanState::START],
        })
    }

    /// Resolves `offsets` (sorted ascending); offsets past the end resolve to the end.
    pub fn resolve(&mut self, offsets: &[u64]) -> std::io::Result<Vec<LineCol>> {
        let mut out = Vec::with_capacity(offsets.len());
        for &off in offsets {
            out.push(self.locate(off)?);
        }
        Ok(out)
    }

    /// Resolves one offset.
    pub fn locate(&mut self, off: u64) -> std::io::Result<LineCol> {
        let i = self.checkpoints.partition_point(|c| c.pos <= off) - 1;
        let cp = self.checkpoints[i];
        if self.state.pos > off || cp.pos > self.state.pos {
            self.jump(cp)?;
        }
        loop {
            let end = self.buf_start + self.buf_len as u64;
            if self.state.pos < end {
                let stop = off.min(end);
                while self.state.pos < stop {
                    let b = self.buf[(self.state.pos - self.buf_start) as usize];
                    self.state.step(b, self.bom);
                    if self.state.pos.is_multiple_of(CHECKPOINT_BYTES)
                        && self
                            .checkpoints
                            .last()
                            .is_some_and(|c| c.pos < self.state.pos)
                    {
                        self.checkpoints.push(self.state);
                    }
                }
                if self.state.pos < end {
                    let b = self.buf[(self.state.pos - self.buf_start) as usize];
                    return Ok(self.state.at(Some(b)));
                }
            }
            if self.eof {
                return Ok(self.state.at(None));
            }
            self.fill()?;
        }
    }

    fn jump(&mut self, to: ScanState) -> std::io::Result<()> {
        let end = self.buf_start + self.buf_len as u64;
        if to.pos < self.buf_start || to.pos > end {
            self.input.seek(std::io::SeekFrom::Start(to.pos))?;
            self.buf_start = to.pos;
            self.buf_len = 0;
            self.eof = false;
        }
        self.state = to;
        Ok(())
    }

    /// Reads the bytes after `buf` (keeping the position inside the new buffer).
    fn fill(&mut self) -> std::io::Result<()> {
        self.buf_start += self.buf_len as u64;
        self.buf_len = 0;
        loop {
            match self.input.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.buf_len = n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Where a record came from: file, byte span, physical line and the server's row ordinal.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file as named on the command line.
    pub file: Arc<str>,
    /// The bytes of the whole record (row, VEVENT, item, JSON line).
    pub span: Span,
    /// 1-based physical line where the record starts.
    pub line: u64,
    /// The server's ordinal for this record (`lineIndex`: 1-based data rows for CSV).
    pub row: u64,
    /// The record's raw text as it stood in the file (results files echo it), when kept.
    pub raw: Option<Arc<str>>,
}

/// Counts the characters of `bytes` (invalid UTF-8 sequences count one per byte).
pub fn char_count(bytes: &[u8]) -> u64 {
    // Columns are counted on every located value: most prefixes are ASCII, where a word-wise
    // test is much cheaper than validating.
    if bytes.is_ascii() {
        return bytes.len() as u64;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.chars().count() as u64,
        Err(_) => String::from_utf8_lossy(bytes).chars().count() as u64,
    }
}

/// Resolves `offset` inside `bytes` (which start at file offset `base`, physical line
/// `base_line`, at the start of that line) to a line and column.
pub fn locate_in(bytes: &[u8], base: u64, base_line: u64, offset: u64) -> LineCol {
    let rel = (offset.saturating_sub(base) as usize).min(bytes.len());
    let head = &bytes[..rel];
    let mut line = base_line;
    let mut line_start = 0usize;
    let mut i = 0usize;
    while let Some(k) = memchr::memchr2(b'\n', b'\r', &head[i..]) {
        let at = i + k;
        i = at + 1;
        if head[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            // CRLF: one line break, counted at the LF.
            continue;
        }
        line += 1;
        line_start = at + 1;
    }
    LineCol {
        line,
        column: char_count(&head[line_start..]) + 1,
    }
}

/// A whole file held in memory, with its line starts, for formats read in one piece.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The file as named on the command line.
    pub name: Arc<str>,
    /// The file's bytes, BOM included (spans index these bytes).
    pub bytes: Arc<[u8]>,
    /// Length of a UTF-8 BOM at the start (0 or 3); readers start after it.
    pub bom_len: usize,
    line_starts: Vec<u64>,
}

impl SourceFile {
    /// Wraps `bytes` read from `name`, indexing line starts (LF, CRLF and bare CR).
    pub fn new(name: impl Into<Arc<str>>, bytes: impl Into<Arc<[u8]>>) -> Self {
        let bytes: Arc<[u8]> = bytes.into();
        let bom_len = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut line_starts = vec![0u64];
        let mut i = 0usize;
        while let Some(k) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + k;
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                i = at + 1;
                continue;
            }
            line_starts.push(at as u64 + 1);
            i = at + 1;
        }
        SourceFile {
            name: name.into(),
            bytes,
            bom_len,
            line_starts,
        }
    }

    /// The bytes after the BOM.
    pub fn body(&self) -> &[u8] {
        &self.bytes[self.bom_len..]
    }

    /// Resolves a byte offset to a 1-based line and column.
    pub fn locate(&self, offset: u64) -> LineCol {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[idx] as usize;
        let end = (offset as usize).min(self.bytes.len());
        let mut from = start;
        if idx == 0 {
            from = from.max(self.bom_len.min(end));
        }
        LineCol {
            line: idx as u64 + 1,
            column: char_count(&self.bytes[from..end]) + 1,
        }
    }

    /// Number of physical lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// A place in the file: a byte span and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    /// The bytes.
    pub span: Span,
    /// Line and column of `span.start`.
    pub at: LineCol,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_crlf_once_and_bare_cr() {
        let text = b"ab\r\ncd\ref\ngh";
        let f = SourceFile::new("t", &text[..]);
        assert_eq!(f.locate(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.locate(4), LineCol { line: 2, column: 1 });
        assert_eq!(f.locate(7), LineCol { line: 3, column: 1 });
        assert_eq!(f.locate(11), LineCol { line: 4, column: 2 });
        assert_eq!(locate_in(text, 0, 1, 11), LineCol { line: 4, column: 2 });
    }

    #[test]
    fn the_locator_answers_like_one_pass_in_any_order() {
        let mut text = String::from("\u{feff}");
        for i in 0..40_000 {
            text.push_str(match i % 4 {
                0 => "a,é\r\n",
                1 => "b\rc",
                2 => "ccc\n",
                _ => "dé\u{1F600}x",
            });
        }
        let bytes = text.as_bytes();
        let all: Vec<u64> = (0..=bytes.len() as u64 + 3).collect();
        let want = resolve_offsets(bytes, &all).unwrap();
        let mut loc = Locator::new(std::io::Cursor::new(bytes)).unwrap();
        // Forward, then backward across checkpoints, then a sorted batch again.
        let mut order: Vec<u64> = (0..all.len() as u64).step_by(997).collect();
        order.extend((0..all.len() as u64).rev().step_by(1009));
        order.extend((0..all.len() as u64).step_by(13));
        for o in order {
            assert_eq!(loc.locate(o).unwrap(), want[o as usize], "offset {o}");
        }
    }

    #[test]
    fn offsets_resolve_in_one_pass_like_locate() {
        let text = "a,é\r\nb\rccc\nd";
        let f = SourceFile::new("t", text.as_bytes());
        let offsets: Vec<u64> = (0..=text.len() as u64).collect();
        let got = resolve_offsets(text.as_bytes(), &offsets).unwrap();
        for (o, lc) in offsets.iter().zip(got) {
            if text.is_char_boundary(*o as usize) {
                assert_eq!(lc, f.locate(*o), "offset {o}");
            }
        }
    }

    #[test]
    fn columns_count_characters_and_skip_bom() {
        let f = SourceFile::new("t", "\u{feff}é,x".as_bytes());
        assert_eq!(f.locate(3), LineCol { line: 1, column: 1 });
        assert_eq!(f.locate(6), LineCol { line: 1, column: 3 });
    }
}
