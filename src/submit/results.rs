//! Results: a CSV per input in the shape of Kaltura's bulk log — the row's original cells, then
//! `resultStatus` (1 ERROR, 2 OK, 3 not finished), `objectId`, `objectStatus` (the API error code
//! for a failed row, as Kaltura's engines write it) and `errorDescription` — always with a header
//! and always with all four result cells — then kbulk's own `warnings` column (the check's
//! non-blocking findings on that row, `code: message` joined by `; `, so `errorDescription` only
//! ever holds what went wrong); and one JSON object per row for `--format json`.
//!
//! The header repeats the input's own header cells as written (`*action` stays `*action`), so a
//! results file can be submitted again as it is: the result columns are unknown columns to the
//! server, which ignores them.
//!
//! CSV inputs are re-read with the same PHP `fgetcsv` tokenizer as the check, so every data row
//! (refused rows included) is echoed exactly as the server would have split it (App CSVs with
//! the App CSV reader's own splitting). Other inputs echo
//! each record's text in a `record` column: the JSON line, the iCal `VEVENT` or the XML `<item>`.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Write};

use serde::Serialize;

use super::preflight::{Checked, blocks};
use super::{InputOutcome, RowResult, RowStatus};
use crate::diag::Severity;
use crate::formats::Format;
use crate::formats::csv::{CsvRecord, LineClass, PhpCsvReader, classify};

/// The result columns appended to the original ones.
pub const RESULT_COLUMNS: [&str; 4] = [
    "resultStatus",
    "objectId",
    "objectStatus",
    "errorDescription",
];

/// kbulk's column after the result columns: the row's warnings.
pub const WARNINGS_COLUMN: &str = "warnings";

/// Kaltura's `KalturaBulkUploadResultStatus` for a row result.
pub fn result_status(s: RowStatus) -> u8 {
    match s {
        RowStatus::Error => 1,
        RowStatus::Ok => 2,
        RowStatus::Unfinished => 3,
    }
}

/// The four result cells of a row.
fn result_cells(r: Option<&RowResult>) -> [String; 4] {
    let Some(r) = r else {
        return [
            "3".into(),
            String::new(),
            String::new(),
            "not submitted".into(),
        ];
    };
    let status = match (r.status, &r.code) {
        (RowStatus::Ok, _) => r.object_status.map(|s| s.to_string()).unwrap_or_default(),
        (_, Some(code)) => code.clone(),
        _ => String::new(),
    };
    let error = match r.status {
        RowStatus::Ok => String::new(),
        RowStatus::Error => r.error.clone().unwrap_or_default(),
        RowStatus::Unfinished => format!(
            "not finished; run kbulk submit --resume to complete it{}",
            r.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
    };
    [
        result_status(r.status).to_string(),
        r.object_id.clone().unwrap_or_default(),
        status,
        error.replace(['\n', '\r', '\t'], " "),
    ]
}

/// The check's non-blocking findings (warnings, and errors only the server's engine has) by
/// `lineIndex`, each as `code: message` on one line.
pub fn row_warnings(input: &Checked) -> BTreeMap<u64, Vec<String>> {
    let mut by_row: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for d in &input.report.diagnostics {
        let Some(row) = d.row else { continue };
        if d.severity == Severity::Note || blocks(d) {
            continue;
        }
        by_row.entry(row).or_default().push(format!(
            "{}: {}",
            d.code.name,
            d.message.replace(['\n', '\r', '\t'], " ")
        ));
    }
    by_row
}

/// Writes the results CSV of one input.
pub fn write_csv(input: &Checked, outcome: &InputOutcome, out: impl Write) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let warnings = row_warnings(input);
    let warning = |row: &u64| warnings.get(row).map(|w| w.join("; ")).unwrap_or_default();
    let is_csv = matches!(
        input.report.detection.format,
        Some(
            Format::ResourceCsv
                | Format::EventCsv
                | Format::EntryCsv
                | Format::CategoryCsv
                | Format::UserCsv
                | Format::CategoryUserCsv
                | Format::CategoryEntryCsv
        )
    );
    let app_csv = input.report.detection.format == Some(Format::AppCsv);
    if is_csv || app_csv {
        let (header, rows) = if app_csv {
            crate::formats::app::csv::rows(&std::fs::read(&input.path)?)
        } else {
            csv_rows(input)?
        };
        let mut head = header;
        head.extend(RESULT_COLUMNS.iter().map(|s| s.to_string()));
        head.push(WARNINGS_COLUMN.into());
        w.write_record(&head)?;
        for (row, cells) in rows {
            let mut line = cells;
            line.extend(result_cells(outcome.rows.get(&row)));
            line.push(warning(&row));
            w.write_record(&line)?;
        }
    } else {
        let mut head = vec!["record".to_string()];
        head.extend(RESULT_COLUMNS.iter().map(|s| s.to_string()));
        head.push(WARNINGS_COLUMN.into());
        w.write_record(&head)?;
        // Readers that keep no raw text (iCal, XML) give each record's byte span instead.
        let bytes = if input.records.iter().any(|r| r.origin.raw.is_none()) {
            std::fs::read(&input.path)?
        } else {
            Vec::new()
        };
        let raw: BTreeMap<u64, String> = input
            .records
            .iter()
            .map(|r| {
                let text = match &r.origin.raw {
                    Some(t) => t.to_string(),
                    None => {
                        let (a, b) = (r.origin.span.start as usize, r.origin.span.end as usize);
                        bytes
                            .get(a..b.min(bytes.len()))
                            .map(|s| String::from_utf8_lossy(s).trim().to_string())
                            .unwrap_or_default()
                    }
                };
                (r.origin.row, text)
            })
            .collect();
        for (row, result) in &outcome.rows {
            let mut line = vec![raw.get(row).cloned().unwrap_or_default()];
            line.extend(result_cells(Some(result)));
            line.push(warning(row));
            w.write_record(&line)?;
        }
    }
    w.flush()
}

/// Data rows' cells by `lineIndex`.
type Rows = Vec<(u64, Vec<String>)>;

/// The first header's cells as written (`*action`, not `action`) and every data row's cells, by
/// `lineIndex`.
fn csv_rows(input: &Checked) -> io::Result<(Vec<String>, Rows)> {
    let f = File::open(&input.path)?;
    let mut reader = BufReader::new(f);
    let mut bom = [0u8; 3];
    let skip = {
        use std::io::{Read, Seek};
        let n = reader.read(&mut bom)?;
        let has_bom = n == 3 && bom == *b"\xEF\xBB\xBF";
        reader.seek(io::SeekFrom::Start(if has_bom { 3 } else { 0 }))?;
        if has_bom { 3 } else { 0 }
    };
    let mut php = PhpCsvReader::new(reader, skip, 64 << 20);
    let mut rec = CsvRecord::default();
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut n = 0u64;
    while php.read_record(&mut rec)? {
        let cells = || -> Vec<String> {
            (0..rec.cells.len())
                .map(|i| String::from_utf8_lossy(rec.value(i)).into_owned())
                .collect()
        };
        match classify(&rec) {
            LineClass::Header if header.is_none() => {
                header = Some(cells());
            }
            LineClass::Data => {
                n += 1;
                rows.push((n, cells()));
            }
            _ => {}
        }
    }
    Ok((header.unwrap_or_default(), rows))
}

/// One row of `--format json` output (snake_case keys, like every object of the stream; the
/// results CSV keeps Kaltura's camelCase column names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct JsonRow {
    /// Always `"row"`.
    #[serde(rename = "type")]
    #[schemars(with = "crate::stream::RowTag")]
    pub kind: String,
    /// The input.
    pub file: String,
    /// `lineIndex`.
    pub row: u64,
    /// `ok`, `error` or `unfinished`.
    pub status: String,
    /// 1 ERROR, 2 OK, 3 not finished (as in the results CSV).
    pub result_status: u8,
    /// The action done or attempted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The object's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// The object's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_status: Option<i64>,
    /// The error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The error or what is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// The check's warnings on the row (`code: message`), as in the results CSV's `warnings`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl JsonRow {
    /// The JSON form of one row's result.
    pub fn new(file: &str, row: u64, r: &RowResult) -> Self {
        JsonRow {
            kind: "row".into(),
            file: file.to_string(),
            row,
            status: match r.status {
                RowStatus::Ok => "ok",
                RowStatus::Error => "error",
                RowStatus::Unfinished => "unfinished",
            }
            .into(),
            result_status: result_status(r.status),
            action: r.action.clone(),
            object_id: r.object_id.clone(),
            object_status: r.object_status,
            error_code: r.code.clone(),
            error_description: if r.status == RowStatus::Ok {
                None
            } else {
                r.error.clone()
            },
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_rows_carry_the_code_as_object_status() {
        let r = RowResult {
            status: RowStatus::Error,
            action: Some("add".into()),
            object_id: None,
            object_status: None,
            code: Some("SYSTEM_NAME_ALREADY_EXISTS".into()),
            error: Some("System name [a]\nalready exists".into()),
        };
        let cells = result_cells(Some(&r));
        assert_eq!(cells[0], "1");
        assert_eq!(cells[2], "SYSTEM_NAME_ALREADY_EXISTS");
        assert_eq!(cells[3], "System name [a] already exists");
        let ok = RowResult {
            status: RowStatus::Ok,
            object_id: Some("7".into()),
            object_status: Some(2),
            code: None,
            error: None,
            ..r
        };
        assert_eq!(
            result_cells(Some(&ok)),
            ["2", "7", "2", ""].map(String::from)
        );
    }
}
