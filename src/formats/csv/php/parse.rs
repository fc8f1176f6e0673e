//! One record of the PHP `fgetcsv` grammar parsed from a buffer: cells with their raw and
//! value ranges, unescaped values copied only when `""` or text after a quote changed them.
use super::CsvCell;

/// The buffered bytes were not enough to finish a record.
pub(super) struct NeedMore;

/// What parsing one record found.
pub(super) struct Parsed {
    pub(super) consumed: usize,
    pub(super) content_len: usize,
    pub(super) unterminated: bool,
}

/// Parses one record from the start of `buf` (`eof`: no more bytes follow), appending its
/// cells (ranges relative to `buf`) and any unescaped values.
pub(super) fn parse_record(
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
