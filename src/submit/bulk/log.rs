//! Reading a CSV job's log (`serveLog`, kaltura-formats §9.3): a results CSV without header, each
//! row the re-split `rowData` (formula-looking cells sanitized by `KCsvWrapper`), then status,
//! objectId, objectStatus and the error only when there is one. The log has no `lineIndex`, and
//! rows the engine never reports (§9.4) are simply absent, so log rows are matched to the rows
//! sent by content, in order. An iCal job's log (§5.11) is a `VCALENDAR` with one VEVENT per
//! result carrying `X-KALTURA-INDEX` (the 0-based VEVENT ordinal of the file sent), so its
//! events are matched by index ([`align_ical`]).
use super::journal::SentRow;

/// One row's result as the log gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// 1 ERROR, 2 OK, 3 IN_PROGRESS.
    pub status: i64,
    /// The object id.
    pub object_id: Option<String>,
    /// `objectStatus`: the object's status, or the API error code (as the engines write it).
    pub object_status: Option<String>,
    /// The error.
    pub error: Option<String>,
}

/// `KCsvWrapper::sanitize` as the log applies it to a cell.
fn sanitize(cell: &str) -> String {
    let cleaned: String = cell.chars().filter(|c| *c != '\'' && *c != '"').collect();
    let cleaned = cleaned.trim();
    if cleaned.starts_with(['+', '=', '-', '@', ',']) {
        format!("'{cleaned}")
    } else {
        cell.to_string()
    }
}

fn non_empty(s: Option<&String>) -> Option<String> {
    s.filter(|s| !s.is_empty()).cloned()
}

/// Matches the log's rows to `sent` (in order): one entry per sent row, `None` for the rows the
/// log does not report. Log rows that match no sent row are counted in the second value.
pub fn align(log: &str, sent: &[SentRow]) -> (Vec<Option<Logged>>, usize) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(log.as_bytes());
    let records: Vec<Vec<String>> = reader
        .records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    let mut out = vec![None; sent.len()];
    let mut cursor = 0;
    let mut unmatched = 0;
    for rec in &records {
        let hit = (cursor..sent.len()).find(|&i| {
            let n = sent[i].cells.len();
            rec.len() > n
                && sent[i]
                    .cells
                    .iter()
                    .zip(rec)
                    .all(|(mine, logged)| sanitize(mine) == *logged)
        });
        let Some(i) = hit else {
            unmatched += 1;
            continue;
        };
        let n = sent[i].cells.len();
        out[i] = Some(Logged {
            status: rec[n].trim().parse().unwrap_or(1),
            object_id: non_empty(rec.get(n + 1)),
            object_status: non_empty(rec.get(n + 2)),
            error: non_empty(rec.get(n + 3)),
        });
        cursor = i + 1;
    }
    (out, unmatched)
}

/// Matches an iCal job's log to `sent` (the VEVENTs of the file sent, in order) by
/// `X-KALTURA-INDEX`: one entry per sent event, `None` for the events the log does not report.
/// The object id is the exported event's `X-KALTURA-ID`; an API error's code (the log's
/// `X-KALTURA-ERROR-CODE`) goes where the CSV engines put it, in `object_status`. Log events
/// with an index outside the file sent are counted in the second value.
pub fn align_ical(log: &str, sent: &[SentRow]) -> (Vec<Option<Logged>>, usize) {
    let mut out = vec![None; sent.len()];
    let mut unmatched = 0;
    let mut props: Vec<(String, String)> = Vec::new();
    let mut inside = false;
    for line in log.split("\r\n").flat_map(|l| l.split('\n')) {
        if line == "BEGIN:VEVENT" {
            inside = true;
            props.clear();
            continue;
        }
        if line == "END:VEVENT" {
            inside = false;
            let get = |name: &str| {
                props
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .filter(|v| !v.is_empty())
            };
            let Some(i) = get("X-KALTURA-INDEX")
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|&i| i < sent.len())
            else {
                unmatched += 1;
                continue;
            };
            let status = get("X-KALTURA-INGEST-STATUS")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(1);
            out[i] = Some(Logged {
                status,
                object_id: get("X-KALTURA-ID"),
                object_status: get("X-KALTURA-ERROR-CODE")
                    .filter(|_| status == 1)
                    .or_else(|| get("X-KALTURA-STATUS")),
                error: get("X-KALTURA-ERROR-DESCRIPTION"),
            });
            continue;
        }
        if inside && let Some(colon) = line.find(':') {
            let name = line[..colon].split(';').next().unwrap_or_default();
            props.push((name.to_ascii_uppercase(), line[colon + 1..].to_string()));
        }
    }
    (out, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ical_log_events_match_by_index() {
        let rows = [sent(4, &[]), sent(5, &[]), sent(7, &[])];
        let log = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nX-KALTURA-ID:11\r\n\
                   X-KALTURA-STATUS:2\r\nX-KALTURA-INDEX:0\r\nX-KALTURA-INGEST-STATUS:2\r\n\
                   X-KALTURA-INGEST-ACTION:1\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:c\r\n\
                   X-KALTURA-INDEX:2\r\nX-KALTURA-INGEST-STATUS:1\r\n\
                   X-KALTURA-ERROR-DESCRIPTION:End time [1] must be after start time [2]\r\n\
                   X-KALTURA-ERROR-TYPE:4\r\nX-KALTURA-ERROR-CODE:INVALID_SCHEDULE_END_BEFORE_START\r\n\
                   END:VEVENT\r\nBEGIN:VEVENT\r\nX-KALTURA-INDEX:9\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (got, unmatched) = align_ical(log, &rows);
        assert_eq!(unmatched, 1);
        let first = got[0].as_ref().unwrap();
        assert_eq!((first.status, first.object_id.as_deref()), (2, Some("11")));
        assert_eq!(first.object_status.as_deref(), Some("2"));
        assert_eq!(got[1], None);
        let third = got[2].as_ref().unwrap();
        assert_eq!(third.status, 1);
        assert_eq!(
            third.object_status.as_deref(),
            Some("INVALID_SCHEDULE_END_BEFORE_START")
        );
        assert!(third.error.as_deref().unwrap().starts_with("End time"));
    }

    fn sent(row: u64, cells: &[&str]) -> SentRow {
        SentRow {
            row,
            cells: cells.iter().map(|s| s.to_string()).collect(),
            action: "add".into(),
            parent: None,
        }
    }

    #[test]
    fn rows_the_log_leaves_out_are_none() {
        let rows = [
            sent(1, &["1", "", "A", "location", "a"]),
            sent(2, &["9", "", "B", "location", "b"]),
            sent(3, &["1", "", "-C", "camera", "c,d"]),
        ];
        let log = "1,,A,location,a,2,11,2\n1,,'-C,camera,\"c,d\",1,,SYSTEM_NAME_ALREADY_EXISTS,\"System name [c,d] already exists\"\n";
        let (got, unmatched) = align(log, &rows);
        assert_eq!(unmatched, 0);
        assert_eq!(got[0].as_ref().unwrap().object_id.as_deref(), Some("11"));
        assert_eq!(got[1], None);
        let third = got[2].as_ref().unwrap();
        assert_eq!(third.status, 1);
        assert_eq!(
            third.object_status.as_deref(),
            Some("SYSTEM_NAME_ALREADY_EXISTS")
        );
    }
}
