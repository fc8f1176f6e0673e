//! Splitting a (fixed, UTF-8) bulk file into pieces of at most `max` records: CSV pieces repeat
//! the header, iCal pieces keep the calendar properties and VTIMEZONEs, XML pieces keep the
//! channel. Records keep their order, so parents stay before children.
use crate::formats::detect::Format;

/// A file cut into a head, its records and a tail; each piece is head + some records + tail.
struct Parts<'a> {
    head: &'a str,
    records: Vec<&'a str>,
    tail: &'a str,
}

impl Parts<'_> {
    fn pieces(&self, max: usize) -> Vec<String> {
        self.records
            .chunks(max.max(1))
            .map(|chunk| {
                let mut s = String::from(self.head);
                chunk.iter().for_each(|r| s.push_str(r));
                s.push_str(self.tail);
                s
            })
            .collect()
    }
}

/// Splits `text` when it holds more than `max` records (0: no limit); `None` when it needs no
/// split or its layout is not one kbulk knows how to cut. `format` is what detection found: an
/// App CSV's header is its first line (no `*`), and every piece must repeat it.
pub fn split(text: &str, max: u64, format: Option<Format>) -> Option<Vec<String>> {
    let parts = parts(text, format)?;
    if max == 0 || parts.records.len() as u64 <= max {
        return None;
    }
    Some(parts.pieces(max as usize))
}

/// The number of records `split` counts in `text` (for reports and tests).
pub fn count(text: &str, format: Option<Format>) -> usize {
    parts(text, format).map_or(0, |p| p.records.len())
}

/// Cuts `text` by its layout: VEVENTs, `<item>`s or CSV records.
fn parts(text: &str, format: Option<Format>) -> Option<Parts<'_>> {
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("BEGIN:VCALENDAR")
    {
        blocks(text, "BEGIN:VEVENT", "END:VEVENT")
    } else if text.contains("<mrss") {
        blocks(text, "<item>", "</item>").or_else(|| blocks(text, "<item ", "</item>"))
    } else {
        csv(text, format == Some(Format::AppCsv))
    }
}

/// Cuts at blocks from `open` to the end of the line holding `close`; text between blocks goes
/// with the following block.
fn blocks<'a>(text: &'a str, open: &str, close: &str) -> Option<Parts<'a>> {
    let first = text.find(open)?;
    let head_end = text[..first].rfind('\n').map_or(0, |i| i + 1);
    let mut records = Vec::new();
    let mut start = head_end;
    let mut search = first;
    while let Some(o) = text[search..].find(open).map(|i| i + search) {
        let c = text[o..].find(close)? + o + close.len();
        let end = text[c..].find('\n').map_or(text.len(), |i| c + i + 1);
        records.push(&text[start..end]);
        start = end;
        search = end;
    }
    Some(Parts {
        head: &text[..head_end],
        records,
        tail: &text[start..],
    })
}

/// Cuts a CSV into its header (the `*` line with comments before it; with `plain_header`, the
/// first non-blank line, as App CSVs have it) and its records; a quoted cell may hold line
/// breaks, so records end at a line break outside quotes.
fn csv(text: &str, plain_header: bool) -> Option<Parts<'_>> {
    let mut records = Vec::new();
    let (mut start, mut quoted) = (0usize, false);
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                records.push(&text[start..=i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < text.len() {
        records.push(&text[start..]);
    }
    let header = if plain_header {
        records
            .iter()
            .position(|l| !l.trim_start_matches('\u{feff}').trim().is_empty())
    } else {
        records
            .iter()
            .position(|l| l.trim_start_matches('\u{feff}').starts_with('*'))
    };
    let head_len = header.map_or(0, |h| h + 1);
    let head_end: usize = records[..head_len].iter().map(|l| l.len()).sum();
    let records: Vec<&str> = records.split_off(head_len.min(records.len()));
    Some(Parts {
        head: &text[..head_end],
        records: records
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .collect(),
        tail: "",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_pieces_repeat_the_header() {
        let p = split("*a,b\n1,2\n3,\"x\ny\"\n5,6\n", 2, None).unwrap();
        assert_eq!(p, ["*a,b\n1,2\n3,\"x\ny\"\n", "*a,b\n5,6\n"]);
        assert!(split("*a,b\n1,2\n", 2, None).is_none());
    }

    #[test]
    fn app_csv_pieces_repeat_the_plain_header() {
        let text = "\nappCustomId,appType\na,kms\nb,ep\nc,mr\n";
        let p = split(text, 2, Some(Format::AppCsv)).unwrap();
        assert_eq!(
            p,
            [
                "\nappCustomId,appType\na,kms\nb,ep\n",
                "\nappCustomId,appType\nc,mr\n"
            ]
        );
        assert_eq!(count(text, Some(Format::AppCsv)), 3);
    }

    #[test]
    fn ical_pieces_keep_the_calendar() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let p = split(ics, 1, None).unwrap();
        assert_eq!(p.len(), 2);
        assert!(p[1].starts_with("BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE"));
        assert!(p[1].contains("UID:2") && !p[1].contains("UID:1"));
        assert!(p[1].ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    }

    #[test]
    fn xml_pieces_keep_the_channel() {
        let xml = "<mrss>\n<channel>\n<item>\n<name>a</name>\n</item>\n<item>\n<name>b</name>\n</item>\n</channel>\n</mrss>\n";
        let p = split(xml, 1, None).unwrap();
        assert_eq!(
            p[0],
            "<mrss>\n<channel>\n<item>\n<name>a</name>\n</item>\n</channel>\n</mrss>\n"
        );
        assert_eq!(
            p[1],
            "<mrss>\n<channel>\n<item>\n<name>b</name>\n</item>\n</channel>\n</mrss>\n"
        );
        assert_eq!(count(xml, None), 2);
    }
}
