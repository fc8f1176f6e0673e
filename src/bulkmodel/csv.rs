//! What every CSV engine shares (kaltura-formats §2): reading the data rows with kbulk's PHP
//! `fgetcsv` tokenizer and line classes, the `*` header's column map, `rowData` as
//! `createUploadResult` builds it, the encoding check and PHP's loose reading of the action cell.
use std::collections::HashMap;

use crate::formats::csv::{CsvRecord, LineClass, PhpCsvReader, classify, trim_array};

/// One data row as the engine sees it.
#[derive(Debug, Clone)]
pub struct Row {
    /// `lineIndex`: 1-based, data rows only.
    pub line: u64,
    /// Values by column name (trimmed with `trimArray`; empty values absent).
    pub values: HashMap<String, String>,
    /// `rowData`.
    pub row_data: String,
    /// A cell failed `mb_detect_encoding`.
    pub bad_encoding: bool,
}

impl Row {
    /// The value of a column, when non-empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.values.get(column).map(String::as_str)
    }
}

/// Every data row of `bytes` under the last `*` header before it (rows before any header have
/// no columns, as on the server).
pub fn rows(bytes: &[u8], known: &[&str]) -> Vec<Row> {
    let skip = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut reader = PhpCsvReader::new(&bytes[skip..], skip as u64, 64 << 20);
    let mut rec = CsvRecord::default();
    let mut columns: Option<Vec<Option<String>>> = None;
    let mut out = Vec::new();
    let mut line = 0;
    while let Ok(true) = reader.read_record(&mut rec) {
        match classify(&rec) {
            LineClass::Header => {
                columns = Some(
                    (0..rec.cells.len())
                        .map(|i| {
                            let name = String::from_utf8_lossy(rec.value(i));
                            let name = name.trim_matches(|c| c == '*' || c == ' ');
                            known.contains(&name).then(|| name.to_string())
                        })
                        .collect(),
                );
            }
            LineClass::Data => {
                line += 1;
                out.push(row(&rec, line, columns.as_deref()));
            }
            _ => {}
        }
    }
    out
}

fn row(rec: &CsvRecord, line: u64, columns: Option<&[Option<String>]>) -> Row {
    let mut bad_encoding = false;
    let mut cells = Vec::with_capacity(rec.cells.len());
    let mut values = HashMap::new();
    for i in 0..rec.cells.len() {
        let raw = rec.value(i);
        let text = match std::str::from_utf8(raw) {
            Ok(t) => t.to_string(),
            Err(_) => {
                bad_encoding = true;
                "encoding cannot be detected".to_string()
            }
        };
        cells.push(if text.contains(',') {
            format!("\"{text}\"")
        } else {
            text
        });
        let Some(Some(name)) = columns.and_then(|c| c.get(i)) else {
            continue;
        };
        // `iconv_strlen` of invalid UTF-8 is false: such a value is never set.
        if let Ok(v) = std::str::from_utf8(trim_array(raw))
            && !v.is_empty()
        {
            values.insert(name.clone(), v.to_string());
        }
    }
    Row {
        line,
        values,
        row_data: cells.join(","),
        bad_encoding,
    }
}

/// The action cell as PHP compares it with the integer codes: empty and `"0"` are falsy (ADD),
/// numeric strings compare by value (`"01"`, `"1.0"` are 1), anything else matches no code.
pub fn action(cell: Option<&str>) -> Result<i64, String> {
    let Some(cell) = cell else { return Ok(1) };
    if cell == "0" {
        return Ok(1);
    }
    match cell.trim().parse::<f64>() {
        Ok(n) if n.fract() == 0.0 && n.abs() < 1e15 => Ok(n as i64),
        _ => Err(cell.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_the_header_and_rejoin_row_data() {
        let text = b"# note\n*action,name,tags\n1,Cam,\"a,b\"\n\n,,\n2, Lobby ,\n";
        let rows = rows(text, &["action", "name", "tags"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row_data, "1,Cam,\"a,b\"");
        assert_eq!(rows[0].get("tags"), Some("a,b"));
        assert_eq!(rows[1].line, 2);
        assert_eq!(rows[1].get("name"), Some("Lobby"));
        assert_eq!(rows[1].get("tags"), None);
        assert_eq!(action(Some("01")), Ok(1));
        assert_eq!(action(Some("0")), Ok(1));
        assert_eq!(action(None), Ok(1));
        assert_eq!(action(Some("add")), Err("add".into()));
    }
}
