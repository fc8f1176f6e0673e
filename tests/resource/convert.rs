//! `kbulk convert` for resources: CSV → JSON Lines → CSV keeps the records, the canonical CSV
//! is what Kaltura reads, and the JSON Lines validate against the committed schema.
use std::path::Path;
use std::sync::Arc;

use kbulk::formats::ReadOptions;
use kbulk::pipeline::read_path;
use kbulk::record::{Record, RecordData, ResourceAction, ResourceType};

use crate::common::{code, kbulk, path};

fn read_records(file: &Path) -> Vec<Record> {
    let mut records = Vec::new();
    read_path(
        file,
        Arc::from(file.display().to_string()),
        &ReadOptions::default(),
        &mut records,
    );
    records
}

fn convert(input: &Path, to: &str, out: &Path) -> std::process::Output {
    kbulk([
        "convert".as_ref(),
        input.as_os_str(),
        "--to".as_ref(),
        to.as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ])
}

#[test]
fn csv_to_jsonl_to_csv_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    for sample in [
        "samples/resources-valid.csv",
        "samples/resources-hierarchy.csv",
        "tests/resource/cases/trim.csv",
    ] {
        let src = path(sample);
        let original = read_records(&src);
        assert!(!original.is_empty());
        let jsonl = dir.path().join("out.jsonl");
        let out = convert(&src, "jsonl", &jsonl);
        assert!(code(&out) <= 1, "{}", String::from_utf8_lossy(&out.stderr));
        let via_json = read_records(&jsonl);
        assert_eq!(
            original, via_json,
            "{sample}: JSON Lines carries every record"
        );
        let csv = dir.path().join("out.csv");
        let out = convert(&jsonl, "csv", &csv);
        assert!(code(&out) <= 1, "{}", String::from_utf8_lossy(&out.stderr));
        let back = read_records(&csv);
        assert_eq!(
            original, back,
            "{sample}: CSV → JSONL → CSV gives the same records"
        );
    }
}

#[test]
fn canonical_csv_has_v3_header_codes_and_explicit_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.csv");
    std::fs::write(
        &src,
        "*name,action,systemName\nRoom,01,r1\nHall,,h1\n\"Odd, \"\"quoted\"\" name\",6,o1\n",
    )
    .unwrap();
    let out_file = dir.path().join("out.csv");
    assert_eq!(code(&convert(&src, "csv", &out_file)), 0);
    let text = std::fs::read_to_string(&out_file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "*action,resourceId,name,type,systemName,description,tags,parentType,parentSystemName"
    );
    assert_eq!(lines[1], "1,,Room,location,r1,,,location,");
    assert_eq!(lines[2], "1,,Hall,location,h1,,,location,");
    assert_eq!(
        lines[3],
        "6,,\"Odd, \"\"quoted\"\" name\",location,o1,,,location,"
    );
    let records = read_records(&out_file);
    let RecordData::ScheduleResource(r) = &records[2].data else {
        panic!()
    };
    assert_eq!(r.name.as_deref(), Some("Odd, \"quoted\" name"));
    assert_eq!(
        (r.action, r.resource_type),
        (ResourceAction::AddOrUpdate, ResourceType::Location)
    );
}

#[test]
fn rows_that_cannot_be_carried_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("out.jsonl");
    let out = convert(&path("samples/resources-silent.csv"), "jsonl", &out_file);
    assert_eq!(code(&out), 1, "errors in the input");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("convert::not-carried"), "{err}");
    assert!(err.contains("could not be converted"), "{err}");
    let written = std::fs::read_to_string(&out_file).unwrap().lines().count();
    let total = read_records(&path("samples/resources-silent.csv")).len();
    assert_eq!(written, total, "every convertible record is written");
    assert!(err.contains(&format!("converted {written} records")));
}

#[test]
fn jsonl_output_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(path("schemas/schedule-resource.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let out = kbulk(["convert", "samples/resources-valid.csv", "--to", "jsonl"]);
    assert_eq!(code(&out), 0);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 5);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(validator.is_valid(&v), "{line}");
        assert_eq!(v["kind"], "scheduleResource");
        assert!(v["origin"]["row"].as_u64().unwrap() >= 1);
    }
    let bad = serde_json::json!({"kind": "scheduleResource", "action": "create", "type": "location", "parentType": "location"});
    assert!(
        !validator.is_valid(&bad),
        "the schema rejects unknown actions"
    );
}

#[test]
fn jsonl_input_is_checked_like_csv() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.jsonl");
    std::fs::write(&f, "{\"kind\":\"scheduleResource\",\"action\":\"add\",\"type\":\"location\"}\n\n{\"kind\":\"scheduleResource\",\"action\":\"nope\"}\n{\"kind\":\"scheduleResource\",\"action\":\"delete\",\"type\":\"camera\"}\n").unwrap();
    let (out, rep) = crate::common::check_json(&f, &[]);
    assert_eq!(code(&out), 1);
    let got: Vec<(String, Option<u64>)> = rep
        .diagnostics
        .iter()
        .map(|d| (d.code.clone(), d.line))
        .collect();
    assert_eq!(
        got,
        vec![
            ("resource::name-required".to_string(), Some(1)),
            ("jsonl::invalid-record".to_string(), Some(3)),
            ("resource::missing-target".to_string(), Some(4)),
        ]
    );
}
