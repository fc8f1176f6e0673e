//! The schedule-resource CSV engine (`BulkUploadScheduleResourceEngineCsv`, kaltura-formats §3)
//! as it runs on PHP 8: parse-time checks with their exact messages (the last failing one wins),
//! `maxRecords`, then the `count(bool)` `TypeError` that crashes the whole job on the first row
//! with a `parentSystemName`, or a `systemName` without `resourceId` on a non-ADD action, before
//! any write; otherwise add / update / delete as the partner, API errors with the API's code in
//! `objectStatus`, and unknown actions silently left out of the results.
use serde_json::{Value, json};

use super::csv::{self, Row};
use crate::sandbox::{BulkApi, BulkEnd, BulkJob, BulkResult};

/// The engine's columns (`getColumns`).
pub const COLUMNS: [&str; 9] = crate::record::resource::ResourceField::COLUMNS;

/// The PHP 8 `TypeError` of the misplaced parenthesis in `createObjects` (§3.3).
pub const CRASH: &str = "PHP Fatal error: Uncaught TypeError: count(): Argument #1 ($value) \
     must be of type Countable|array, bool given in BulkUploadScheduleResourceEngineCsv.php:163";

const TYPES: [(&str, &str); 3] = [
    ("location", "KalturaLocationScheduleResource"),
    ("camera", "KalturaCameraScheduleResource"),
    ("live_entry", "KalturaLiveEntryScheduleResource"),
];

/// `KalturaScheduleResourceStatus::ACTIVE`, preset on every result.
const ACTIVE: &str = "2";

struct Parsed {
    row: Row,
    action: Result<i64, String>,
    kind: String,
}

fn result(p: &Parsed, action: &str) -> BulkResult {
    BulkResult {
        line_index: p.row.line,
        status: 3,
        action: Some(action.to_string()),
        object_status: Some(ACTIVE.into()),
        row_data: p.row.row_data.clone(),
        ..BulkResult::default()
    }
}

fn error(mut r: BulkResult, error_type: i64, message: String) -> BulkResult {
    r.status = 1;
    r.error_type = Some(error_type);
    r.error_description = Some(message);
    r
}

/// Runs a resource CSV job.
pub fn run(job: &BulkJob, api: &mut dyn BulkApi) -> BulkEnd {
    let mut valid = Vec::new();
    for row in csv::rows(&job.data, &COLUMNS) {
        let action = csv::action(row.get("action"));
        let mut p = Parsed {
            kind: row.get("type").unwrap_or("location").to_string(),
            action,
            row,
        };
        let shown = match &p.action {
            Ok(a) => a.to_string(),
            Err(raw) => raw.clone(),
        };
        let mut failure = None;
        if p.row.bad_encoding {
            failure = Some("value with unknown encoding was passed".to_string());
        }
        let named = p.row.get("resourceId").is_some() || p.row.get("systemName").is_some();
        if !named && matches!(p.action, Ok(2 | 3)) {
            failure = Some("Mandatory Columns [resourceId or systemName] missing from CSV.".into());
        }
        if !TYPES.iter().any(|(t, _)| *t == p.kind) {
            failure = Some(format!("Wrong value passed for property type [{}]", p.kind));
        }
        if let Some(pt) = p.row.get("parentType")
            && !TYPES.iter().any(|(t, _)| *t == pt)
        {
            failure = Some(format!("Wrong value passed for property parentType [{pt}]"));
        }
        if job.max_records > 0 && p.row.line > job.max_records {
            failure = Some("Exeeded max records count per bulk".into());
        }
        match failure {
            Some(message) => api.report(error(result(&p, &shown), 0, message)),
            None => {
                p.row.values.remove("action");
                valid.push(p);
            }
        }
    }
    // The name lookups are queued before any write: on PHP 8 the first one crashes the worker.
    let crashes = valid.iter().any(|p| {
        p.row.get("parentSystemName").is_some()
            || (p.row.get("systemName").is_some()
                && p.row.get("resourceId").is_none()
                && p.action != Ok(1))
    });
    if crashes {
        return BulkEnd::Failed {
            message: CRASH.into(),
            error_type: 1,
        };
    }
    for p in &valid {
        let id = p.row.get("resourceId").map(str::to_string);
        let action = match p.action {
            Ok(6) if id.is_some() => 2,
            Ok(6) => 1,
            Ok(a) => a,
            // "Unknown action passed" is set but never reported (§9.4).
            Err(_) => continue,
        };
        let r = result(p, &action.to_string());
        let missing = || {
            format!(
                "Unable to find {} resource [{}]",
                p.kind,
                p.row.get("systemName").unwrap_or_default()
            )
        };
        let answer = match (action, &id) {
            (1, _) => api.call(
                "schedule_scheduleresource",
                "add",
                json!({"scheduleResource": resource(p)}),
            ),
            (2, Some(id)) => api.call(
                "schedule_scheduleresource",
                "update",
                json!({"scheduleResourceId": id, "scheduleResource": resource(p)}),
            ),
            (3, Some(id)) => api.call(
                "schedule_scheduleresource",
                "delete",
                json!({"scheduleResourceId": id}),
            ),
            (2 | 3, None) => {
                api.report(error(r, 0, missing()));
                continue;
            }
            _ => continue,
        };
        api.report(outcome(r, &answer, id.as_deref()));
    }
    BulkEnd::Done
}

/// The resource object `createScheduleResourceFromResultAndJobData` builds (no parent: a row
/// with one crashed the job).
fn resource(p: &Parsed) -> Value {
    let class = TYPES
        .iter()
        .find(|(t, _)| *t == p.kind)
        .map_or("KalturaLocationScheduleResource", |(_, c)| c);
    let mut o = json!({"objectType": class});
    for field in ["name", "systemName", "description", "tags"] {
        if let Some(v) = p.row.get(field) {
            o[field] = json!(v);
        }
    }
    o
}

/// `updateObjectsResults`: an API error puts its code in `objectStatus`.
fn outcome(mut r: BulkResult, answer: &Value, id: Option<&str>) -> BulkResult {
    if answer["objectType"] == "KalturaAPIException" {
        r.object_status = answer["code"].as_str().map(str::to_string);
        let message = answer["message"].as_str().unwrap_or_default().to_string();
        return error(r, 4, message);
    }
    r.object_id = match &answer["id"] {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => id.map(str::to_string),
    };
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::BulkKind;

    #[derive(Default)]
    struct Fake {
        calls: Vec<(String, Value)>,
        results: Vec<BulkResult>,
    }

    impl BulkApi for Fake {
        fn call(&mut self, service: &str, action: &str, params: Value) -> Value {
            self.calls.push((format!("{service}.{action}"), params));
            json!({"id": self.calls.len()})
        }
        fn report(&mut self, result: BulkResult) {
            self.results.push(result);
        }
    }

    fn job(text: &str) -> BulkJob {
        BulkJob {
            id: 1,
            kind: BulkKind::ScheduleResourceCsv,
            file_name: "r.csv".into(),
            data: text.as_bytes().to_vec(),
            max_records: 2,
            events_type: None,
        }
    }

    #[test]
    fn a_parent_by_name_crashes_the_job_before_any_write() {
        let mut api = Fake::default();
        let end = run(
            &job("*action,name,systemName,parentSystemName\n1,A,a,\n1,B,b,a\n"),
            &mut api,
        );
        assert_eq!(
            end,
            BulkEnd::Failed {
                message: CRASH.into(),
                error_type: 1
            }
        );
        assert!(api.calls.is_empty());
    }

    #[test]
    fn unknown_actions_vanish_and_rows_past_max_records_fail() {
        let mut api = Fake::default();
        let end = run(
            &job("*action,name,type\n1,A,location\nadd,B,location\n1,C,location\n"),
            &mut api,
        );
        assert_eq!(end, BulkEnd::Done);
        assert_eq!(api.calls.len(), 1, "only row 1 is added");
        let lines: Vec<u64> = api.results.iter().map(|r| r.line_index).collect();
        assert_eq!(
            lines,
            [3, 1],
            "row 2 is never reported; row 3 fails at parse time"
        );
        assert_eq!(
            api.results[0].error_description.as_deref(),
            Some("Exeeded max records count per bulk")
        );
    }
}
