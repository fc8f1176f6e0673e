//! The tokenizer against PHP's `fgetcsv` behaviour, record by record and chunk by chunk.
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
        input.extend_from_slice(format!("{i},\"a\"\"{i}\",\"x\ny\"z, plain\r\n#c\r").as_bytes());
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
            let key = |v: &[(u64, u64, Vec<u8>)]| v.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>();
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
