//! A `BufRead` wrapper that counts lines and columns of every byte the XML parser consumes,
//! and refuses to let one token (tag, text, comment) grow past a limit, so that memory stays
//! bounded whatever the input.
//!
//! Counting lines and columns costs as much as tokenizing, so a tracker made with
//! `lines: false` keeps only byte offsets: its marks' line/column are [`LineCol::UNRESOLVED`]
//! and `pipeline::read_path` resolves the few that end up in findings by re-reading the file.
use std::io::{self, BufRead, Read};

use crate::source::Place;
use crate::source::{LineCol, Span};

/// A position: file offset, 1-based line and 0-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mark {
    /// Byte offset in the file.
    pub pos: u64,
    /// 1-based line.
    pub line: u64,
    /// Characters since the start of the line.
    pub col: u64,
}

impl Mark {
    /// The mark after `bytes`, which start at this mark.
    pub fn advance(self, bytes: &[u8]) -> Mark {
        if self.line == 0 {
            // Offsets only: lines and columns are resolved later.
            return Mark {
                pos: self.pos + bytes.len() as u64,
                ..self
            };
        }
        let mut line = self.line;
        let mut last = None;
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if !(bytes[i] == b'\n' && i > 0 && bytes[i - 1] == b'\r') {
                line += 1;
            }
            last = Some(i);
        }
        let col = match last {
            Some(i) => chars(&bytes[i + 1..]),
            None => self.col + chars(bytes),
        };
        Mark {
            pos: self.pos + bytes.len() as u64,
            line,
            col,
        }
    }

    /// Line and column of this mark ([`LineCol::UNRESOLVED`] when only offsets are kept).
    pub fn at(self) -> LineCol {
        if self.line == 0 {
            return LineCol::UNRESOLVED;
        }
        LineCol {
            line: self.line,
            column: self.col + 1,
        }
    }

    /// A place of `len` bytes starting here.
    pub fn place(self, len: u64) -> Place {
        Place {
            span: Span::new(self.pos, self.pos + len),
            at: self.at(),
        }
    }

    /// A place from here to `end`.
    pub fn to(self, end: u64) -> Place {
        self.place(end.saturating_sub(self.pos))
    }
}

fn chars(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| (c as i8) >= -0x40).count() as u64
}

/// The error a [`Tracker`] returns when one token exceeds its limit.
#[derive(Debug)]
pub struct TokenTooLarge;

impl std::fmt::Display for TokenTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a single tag, text or comment is larger than kbulk reads")
    }
}

impl std::error::Error for TokenTooLarge {}

/// Counts lines and columns of consumed bytes; limits bytes consumed between two [`Tracker::reset`]s.
pub struct Tracker<R> {
    inner: R,
    mark: Mark,
    prev_cr: bool,
    since_reset: u64,
    limit: u64,
}

impl<R: BufRead> Tracker<R> {
    /// Wraps `inner`, whose first byte is at file offset `offset` (line 1, column 1). With
    /// `lines` false only offsets are kept (see the module documentation).
    pub fn new(inner: R, offset: u64, limit: u64, lines: bool) -> Self {
        Tracker {
            inner,
            mark: Mark {
                pos: offset,
                line: u64::from(lines),
                col: 0,
            },
            prev_cr: false,
            since_reset: 0,
            limit,
        }
    }

    /// The position of the next unconsumed byte.
    pub fn mark(&self) -> Mark {
        self.mark
    }

    /// Starts a new token: the limit counts from here.
    pub fn reset(&mut self) {
        self.since_reset = 0;
    }
}

impl<R: BufRead> Read for Tracker<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracker<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.since_reset > self.limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, TokenTooLarge));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        if self.mark.line == 0 {
            self.mark.pos += n as u64;
            self.since_reset += n as u64;
            self.inner.consume(n);
            return;
        }
        // The bytes are still in the inner buffer: fill_buf returns them without reading.
        let Tracker {
            inner,
            mark,
            prev_cr,
            since_reset,
            ..
        } = self;
        if let Ok(buf) = inner.fill_buf() {
            let bytes = &buf[..n.min(buf.len())];
            let mut next = mark.advance(bytes);
            if *prev_cr && bytes[0] == b'\n' {
                // CRLF split across two reads: the CR already counted the line break.
                next.line -= 1;
            }
            *prev_cr = bytes.last() == Some(&b'\r');
            next.pos = mark.pos + n as u64;
            *mark = next;
        }
        *since_reset += n as u64;
        inner.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_characters() {
        let m = Mark {
            pos: 0,
            line: 1,
            col: 0,
        }
        .advance("ab\r\ncé\rx\ny".as_bytes());
        assert_eq!((m.line, m.col), (4, 1));
        let mut t = Tracker::new(&b"a\r\nb"[..], 0, 100, true);
        let _ = t.fill_buf();
        t.consume(2);
        t.consume(1);
        t.consume(1);
        assert_eq!(t.mark().at(), LineCol { line: 2, column: 2 });
    }

    #[test]
    fn refuses_a_token_over_the_limit() {
        let data = [b'x'; 100];
        let mut t = Tracker::new(io::BufReader::with_capacity(10, &data[..]), 0, 20, false);
        let mut sink = Vec::new();
        assert!(io::copy(&mut t, &mut sink).is_err());
        assert!(sink.len() <= 40);
    }
}
