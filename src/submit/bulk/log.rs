//! Reading a CSV job's log (`serveLog`, kaltura-formats §9.3): a results CSV without header, each
//! row the re-split `rowData` (formula-looking cells sanitized by `KCsvWrapper`), then status,
//! objectId, objectStatus and the error only when there is one. The log has no `lineIndex`, and
//! rows the engine never reports (§9.4) are simply absent, so log rows are matched to the rows
//! sent by content, in order.
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

#[cfg(test)]
mod tests {
    use super::*;

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
