//! The bulk log `serveLog` returns, written from the stored results as Kaltura writes it per job
//! type: CSV jobs a results CSV **without** header (the partner lacks `FEATURE_CSV_HEADER_ROW`),
//! each row the re-split `rowData` then status, objectId, objectStatus and the error only when
//! there is one, formula cells sanitized (`KCsvWrapper`); iCal jobs a `VCALENDAR` with one VEVENT
//! per result carrying `X-KALTURA-INDEX`, `X-KALTURA-INGEST-STATUS`, ...; XML jobs an `<mrss>`
//! with an `<item>` per result. No results yet: "Log file is not ready".
use serde_json::Value;

use super::super::http::Response;
use super::BulkKind;

/// The log of a job of `kind`; `object` finds a result's current object (event, entry) by id.
pub(crate) fn write(
    kind: BulkKind,
    job: &Value,
    results: &[Value],
    object: &dyn Fn(&str) -> Option<Value>,
) -> Response {
    match kind {
        BulkKind::ICal => ical(results, object),
        BulkKind::EntryXml => xml(job, results, object),
        _ => csv(results),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `KCsvWrapper::sanitize`: a cell that, without quotes and trimmed, starts a formula.
fn sanitize(cell: &str) -> String {
    let cleaned: String = cell.chars().filter(|c| *c != '\'' && *c != '"').collect();
    let cleaned = cleaned.trim();
    if cleaned.starts_with(['+', '=', '-', '@', ',']) {
        format!("'{cleaned}")
    } else {
        cell.to_string()
    }
}

/// PHP `fputcsv`: a field is enclosed when it holds the delimiter, a quote, the escape
/// character, a space, tab, CR or LF; quotes inside are doubled.
fn fputcsv(cells: &[String], out: &mut String) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\\', ' ', '\t', '\r', '\n']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}

/// PHP `str_getcsv` on a `rowData` (delimiter `,`, enclosure `"`, escape `\`).
fn str_getcsv(row: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .escape(Some(b'\\'))
        .from_reader(row.as_bytes());
    match reader.records().next() {
        Some(Ok(r)) => r.iter().map(str::to_string).collect(),
        _ => vec![String::new()],
    }
}

fn csv(results: &[Value]) -> Response {
    if results.is_empty() {
        return Response::text(200, "Log file is not ready");
    }
    let mut out = String::new();
    for r in results {
        let mut cells = str_getcsv(r["rowData"].as_str().unwrap_or_default());
        cells.push(text(&r["status"]));
        cells.push(text(&r["objectId"]));
        cells.push(text(&r["objectStatus"]));
        let error = text(&r["errorDescription"]);
        if !error.is_empty() {
            cells.push(error.replace(['\n', '\r', '\t'], " "));
        }
        let cells: Vec<String> = cells.iter().map(|c| sanitize(c)).collect();
        fputcsv(&cells, &mut out);
    }
    Response {
        status: 200,
        content_type: "text/plain; charset=UTF-8",
        body: out.into_bytes(),
    }
}

/// An iCal date-time in UTC, as the serializer writes it.
fn ical_time(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

fn ical(results: &[Value], object: &dyn Fn(&str) -> Option<Value>) -> Response {
    if results.is_empty() {
        return Response::text(200, "Log file is not ready");
    }
    let mut out = String::from("BEGIN:VCALENDAR\r\n");
    for r in results {
        out.push_str("BEGIN:VEVENT\r\n");
        let id = text(&r["objectId"]);
        match (!id.is_empty()).then(|| object(&id)).flatten() {
            Some(event) => {
                let mut prop = |name: &str, v: String| {
                    if !v.is_empty() {
                        out.push_str(&format!("{name}:{v}\r\n"));
                    }
                };
                prop("UID", text(&event["referenceId"]));
                prop("SUMMARY", text(&event["summary"]));
                prop("DESCRIPTION", text(&event["description"]));
                prop(
                    "DTSTART",
                    event["startDate"]
                        .as_i64()
                        .map(ical_time)
                        .unwrap_or_default(),
                );
                prop(
                    "DTEND",
                    event["endDate"].as_i64().map(ical_time).unwrap_or_default(),
                );
                prop("X-KALTURA-ID", text(&event["id"]));
                prop("X-KALTURA-TYPE", text(&event["type"]));
                prop("X-KALTURA-STATUS", text(&event["status"]));
            }
            None => {
                // The stored rowData, re-parsed: its properties without the VEVENT lines.
                for line in r["rowData"].as_str().unwrap_or_default().split("\r\n") {
                    let l = line.trim_end_matches('\n');
                    if l.is_empty() || l.starts_with("BEGIN:VEVENT") || l.starts_with("END:VEVENT")
                    {
                        continue;
                    }
                    out.push_str(l);
                    out.push_str("\r\n");
                }
            }
        }
        out.push_str(&format!("X-KALTURA-INDEX:{}\r\n", text(&r["lineIndex"])));
        out.push_str(&format!(
            "X-KALTURA-INGEST-STATUS:{}\r\n",
            text(&r["status"])
        ));
        out.push_str(&format!(
            "X-KALTURA-INGEST-ACTION:{}\r\n",
            text(&r["action"])
        ));
        for (name, field) in [
            ("X-KALTURA-ERROR-DESCRIPTION", "errorDescription"),
            ("X-KALTURA-ERROR-TYPE", "errorType"),
            ("X-KALTURA-ERROR-CODE", "errorCode"),
        ] {
            let v = text(&r[field]).replace(['\r', '\n'], " ");
            if !v.is_empty() {
                out.push_str(&format!("{name}:{v}\r\n"));
            }
        }
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    Response {
        status: 200,
        content_type: "text/calendar; charset=UTF-8",
        body: out.into_bytes(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The action word of the XML log.
fn action_word(action: &str) -> &str {
    match action {
        "2" => "update",
        "3" => "delete",
        "1" | "" => "add",
        other => other,
    }
}

fn xml(job: &Value, results: &[Value], object: &dyn Fn(&str) -> Option<Value>) -> Response {
    if results.is_empty() {
        let message = escape(&text(&job["error"]));
        return Response::xml(
            200,
            format!("<mrss><error>Log file is not ready: {message}</error></mrss>"),
        );
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mrss xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version=\"2.0\"><channel>",
    );
    for r in results {
        out.push_str("<item><result>");
        let error = text(&r["errorDescription"]);
        if !error.is_empty() {
            out.push_str(&format!(
                "<errorDescription>{}</errorDescription>",
                escape(&error)
            ));
        }
        out.push_str("</result>");
        out.push_str(&format!(
            "<action>{}</action>",
            action_word(&text(&r["action"]))
        ));
        let id = text(&r["objectId"]);
        if let Some(entry) = (!id.is_empty()).then(|| object(&id)).flatten() {
            for (element, field) in [
                ("entryId", "id"),
                ("referenceID", "referenceId"),
                ("createdAt", "createdAt"),
                ("updatedAt", "updatedAt"),
                ("type", "type"),
                ("userId", "userId"),
                ("name", "name"),
                ("status", "status"),
                ("description", "description"),
                ("tags", "tags"),
            ] {
                let v = text(&entry[field]);
                if !v.is_empty() {
                    out.push_str(&format!("<{element}>{}</{element}>", escape(&v)));
                }
            }
        }
        out.push_str("</item>");
    }
    out.push_str("</channel></mrss>");
    Response::xml(200, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_log_has_no_header_and_sanitizes_formulas() {
        let results = vec![
            json!({"lineIndex": 1, "status": 2, "objectId": "7", "objectStatus": "2",
                   "rowData": "1,Cam,camera,\"a,b\""}),
            json!({"lineIndex": 2, "status": 1, "objectStatus": "SYSTEM_NAME_ALREADY_EXISTS",
                   "errorDescription": "System name [x]\nalready exists", "rowData": "1,-5,camera"}),
        ];
        let r = csv(&results);
        let body = String::from_utf8(r.body).unwrap();
        assert_eq!(
            body,
            "1,Cam,camera,\"a,b\",2,7,2\n1,'-5,camera,1,,SYSTEM_NAME_ALREADY_EXISTS,\"System name [x] already exists\"\n"
        );
        assert_eq!(
            String::from_utf8(csv(&[]).body).unwrap(),
            "Log file is not ready"
        );
    }
}
