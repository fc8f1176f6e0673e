//! Unit tests of the content-line scanner.
use super::*;

fn lines(text: &str) -> Vec<ContentLine> {
    let mut s = Scanner::new(text.as_bytes(), 0);
    let mut out = Vec::new();
    let mut l = ContentLine::default();
    while s.next_line(&mut l).unwrap() {
        out.push(l.clone());
    }
    out
}

#[test]
fn unfolds_and_keeps_positions() {
    let ls = lines("BEGIN:VEVENT\r\nSUMMARY:a long\r\n  title\r\nEND:VEVENT\r\n");
    assert_eq!(ls.len(), 3);
    let s = &ls[1];
    assert_eq!(s.name_upper(), "SUMMARY");
    assert_eq!(s.value_str(), "a long title");
    assert_eq!(s.folds.len(), 1);
    // "title" starts at line 3, column 3 (after the fold space and one more space).
    let pos = s.text.len() - 5;
    let (off, at) = s.locate(pos);
    assert_eq!(at, LineCol { line: 3, column: 3 });
    assert_eq!(off, 14 + 16 + 2);
}

#[test]
fn utf8_is_judged_on_the_whole_line_and_the_value_read_once() {
    let mut s = Scanner::new(&b"SUMMARY:caf\xC3\xA9 \xC3\xA9t\xC3\xA9\r\nSUMMARY;X=\xFF:caf\xC3\xA9\r\nSUMMARY:caf\xC3\r\nSUMMARY\r\n"[..], 0);
    let mut l = ContentLine::default();
    let mut seen = Vec::new();
    while s.next_line(&mut l).unwrap() {
        seen.push((l.utf8, l.value_str().into_owned()));
    }
    assert_eq!(
        seen,
        [
            (true, "caf\u{e9} \u{e9}t\u{e9}".to_string()),
            (false, "caf\u{e9}".to_string()),
            (false, "caf\u{fffd}".to_string()),
            (true, String::new()),
        ]
    );
}

#[test]
fn quoted_parameters_may_hold_colons_and_semicolons() {
    let ls = lines("DTSTART;TZID=\"(UTC+02:00) Jer;usalem\";X=1:20270101T100000\n");
    let l = &ls[0];
    assert_eq!(l.params[0].name, "TZID");
    assert_eq!(l.params[0].value, "(UTC+02:00) Jer;usalem");
    assert!(l.params[0].quoted);
    assert_eq!(l.params[1].value, "1");
    assert_eq!(l.value_str(), "20270101T100000");
    assert!(l.first_colon.unwrap() < l.colon.unwrap());
    assert_eq!(l.ending, Ending::Lf);
}

#[test]
fn counts_endings_and_cr() {
    let mut s = Scanner::new("A:1\r\nB:2\nC:3\rD:4".as_bytes(), 0);
    let mut l = ContentLine::default();
    let mut names = Vec::new();
    while s.next_line(&mut l).unwrap() {
        names.push((l.name_upper(), l.first.at.line));
    }
    assert_eq!(
        names,
        vec![
            ("A".into(), 1),
            ("B".into(), 2),
            ("C".into(), 3),
            ("D".into(), 4)
        ]
    );
    assert_eq!((s.endings.crlf, s.endings.lf, s.endings.cr), (1, 1, 1));
    assert_eq!(s.endings.first_bad, Some((8, 2, 4)));
}
