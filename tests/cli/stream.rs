//! One JSON Lines stream for every command: `convert --format json` (and `submit`'s, in
//! `tests/submit/stream.rs`) validate against the same `schemas/diagnostic.schema.json` as
//! `check --format json`.
use serde_json::Value;

use crate::common::{code, kbulk, path};

/// Parses a JSON Lines stream and validates every line against the committed stream schema.
#[track_caller]
pub fn validated(text: &str) -> Vec<Value> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(path("schemas/diagnostic.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for v in &lines {
        assert!(validator.is_valid(v), "not in the stream schema: {v}");
    }
    lines
}

#[test]
fn the_stream_schema_constrains_submit_objects_too() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(path("schemas/diagnostic.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let ok = serde_json::json!({"type": "row", "file": "a.csv", "row": 1, "status": "ok",
                                "result_status": 2});
    assert!(validator.is_valid(&ok));
    for bad in [
        serde_json::json!({"type": "row", "row": 1, "status": "ok", "result_status": 2}),
        serde_json::json!({"type": "summary", "submitted": true}),
        serde_json::json!({"type": "call", "file": "a.csv", "row": 1}),
        serde_json::json!({"type": "rows", "file": "a.csv", "row": 1, "status": "ok",
                           "result_status": 2}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}

#[test]
fn convert_reports_its_losses_as_the_check_stream() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("e.csv");
    let out = kbulk([
        "convert",
        path("samples/entries-valid.xml").to_str().unwrap(),
        "--to",
        "csv",
        "-o",
        out_file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1, "a record could not be carried");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = validated(&String::from_utf8(out.stdout).unwrap());
    let losses: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] == "diagnostic" && l["code"] == "entry::not-in-format")
        .collect();
    assert!(!losses.is_empty());
    for l in &losses {
        assert!(l["line"].as_u64().unwrap() > 0, "located: {l}");
        assert!(l["span"]["end"].as_u64().is_some(), "{l}");
        assert!(l["row"].as_u64().is_some(), "{l}");
    }
    assert!(
        lines.iter().any(|l| l["code"] == "convert::not-carried"),
        "the count of what was left out"
    );
    let file = &lines[lines.len() - 2];
    assert_eq!(file["type"], "file");
    assert_eq!(file["format"], "mrss-xml");
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["exit_code"], 1);
    assert_eq!(
        summary["errors"].as_u64().unwrap() + summary["warnings"].as_u64().unwrap(),
        (lines.len() - 2) as u64,
        "the counts are the diagnostics'"
    );
    // The converted file is written as without --format json.
    assert!(
        std::fs::read_to_string(&out_file)
            .unwrap()
            .contains("Intro & welcome")
    );
}

#[test]
fn convert_to_stdout_puts_the_stream_on_stderr() {
    let out = kbulk([
        "convert",
        path("samples/resources-errors.csv").to_str().unwrap(),
        "--to",
        "jsonl",
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1);
    let records = String::from_utf8(out.stdout).unwrap();
    assert!(
        records
            .lines()
            .all(|l| l.contains("\"kind\":\"scheduleResource\"")),
        "stdout holds only records: {records}"
    );
    let lines = validated(&String::from_utf8(out.stderr).unwrap());
    assert_eq!(lines.last().unwrap()["type"], "summary");
    assert!(
        lines
            .iter()
            .any(|l| l["type"] == "diagnostic" && l["severity"] == "error")
    );
}

#[test]
fn fix_reports_its_repairs_in_the_same_stream() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("semi.csv");
    std::fs::write(
        &input,
        "*action;name;type;systemName\n1;Room;location;r-1\n1;Hall;location;r-2\n",
    )
    .unwrap();
    let fixed = dir.path().join("fixed");
    std::fs::create_dir(&fixed).unwrap();
    let out = kbulk([
        "fix",
        input.to_str().unwrap(),
        "--out",
        fixed.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let lines = validated(&String::from_utf8(out.stdout).unwrap());
    let (summary, rest) = lines.split_last().expect("lines");
    let (file, repairs) = rest.split_last().expect("a file line");
    assert!(!repairs.is_empty(), "the delimiter repair is reported");
    assert!(
        repairs.iter().all(|l| l["type"] == "diagnostic"),
        "{lines:?}"
    );
    assert_eq!(file["type"], "file");
    assert_eq!(file["repairs"], repairs.len());
    assert_eq!(file["left_alone"], 0);
    let written = fixed.join("semi.csv");
    assert_eq!(file["written"], written.to_str().unwrap());
    assert!(
        std::fs::read_to_string(&written)
            .unwrap()
            .starts_with("*action,name")
    );
    assert_eq!(summary["type"], "summary");
    assert_eq!(
        (summary["files"].clone(), summary["repaired"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(summary["exit_code"], 0);
}

#[test]
fn fix_counts_what_it_left_alone_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    // LF-only (repaired) with an escaped line break that no spelling makes readable (left alone).
    let input = dir.path().join("talk.ics");
    std::fs::write(
        &input,
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a1\nDTSTART:20270101T100000Z\n\
         DTEND:20270101T110000Z\nSUMMARY:Talk\nDESCRIPTION:one\\ntwo\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    .unwrap();
    let out = kbulk([
        "fix",
        input.to_str().unwrap(),
        "--in-place",
        "--format",
        "json",
    ]);
    let lines = validated(&String::from_utf8(out.stdout.clone()).unwrap());
    let (summary, rest) = lines.split_last().unwrap();
    let file = rest.last().unwrap();
    assert_eq!(
        (file["repairs"].clone(), file["left_alone"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(
        file["written"],
        input.to_str().unwrap(),
        "--in-place writes the input"
    );
    assert_eq!(summary["left_alone"], 1, "{lines:?}");
    assert_eq!(summary["exit_code"], code(&out));
    assert_eq!(code(&out), 1);
}
