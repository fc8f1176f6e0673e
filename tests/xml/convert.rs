//! Conversion between XML, entry CSV and JSON Lines: round trips keep the records, the XML
//! written is in schema order, JSON Lines match `schemas/entry.schema.json`, and what a format
//! cannot carry is reported.
use kbulk::convert::{ConvertSink, Target};
use kbulk::record::{Record, RecordData};

use super::{codes, kbulk, read, read_str, root};

fn convert(records: &[Record], target: Target) -> (String, Vec<kbulk::diag::Diagnostic>, u64) {
    let mut sink = ConvertSink::new(target, Vec::new());
    for r in records {
        kbulk::formats::Sink::record(&mut sink, r.clone());
    }
    let (written, diags) = {
        let s = sink;
        s.finish().expect("finish")
    };
    // finish consumed the buffer; convert again into a buffer we keep.
    let mut out = Vec::new();
    {
        let mut sink = ConvertSink::new(target, &mut out);
        for r in records {
            kbulk::formats::Sink::record(&mut sink, r.clone());
        }
        sink.finish().expect("finish");
    }
    (String::from_utf8(out).expect("utf8"), diags, written)
}

fn entries(records: &[Record]) -> Vec<kbulk::record::Entry> {
    records
        .iter()
        .map(|r| match &r.data {
            RecordData::Entry(e) => (**e).clone(),
            _ => panic!("not an entry"),
        })
        .collect()
}

#[test]
fn xml_to_jsonl_to_xml_keeps_every_field() {
    let (_, records) = read(&root().join("samples/entries-valid.xml"));
    let (jsonl, diags, written) = convert(&records, Target::Jsonl);
    assert!(diags.is_empty());
    assert_eq!(written, 2);
    let (_, back) = read_str("back.jsonl", &jsonl);
    assert_eq!(entries(&back), entries(&records));
    let (xml, diags, _) = convert(&back, Target::Xml);
    assert!(diags.is_empty(), "{diags:?}");
    let (report, again) = read_str("again.xml", &xml);
    assert!(report.diagnostics.is_empty(), "{:?}", codes(&report));
    assert_eq!(entries(&again), entries(&records));
}

#[test]
fn the_xml_writer_fixes_element_order() {
    let (report, records) = read(&root().join("tests/xml/cases/order-name-before-type.xml"));
    assert!(codes(&report).contains("xml::out-of-order"));
    let (xml, _, _) = convert(&records, Target::Xml);
    let (report, again) = read_str("fixed.xml", &xml);
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    assert_eq!(entries(&again), entries(&records));
}

#[test]
fn jsonl_output_matches_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/entry.schema.json")).expect("schema file"),
    )
    .expect("schema json");
    assert!(
        kbulk::schema::schema("entry").expect("entry schema")
            == std::fs::read_to_string(root().join("schemas/entry.schema.json")).expect("schema"),
        "schemas/entry.schema.json is stale: run `cargo run -- schema entry > schemas/entry.schema.json`"
    );
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let mut lines = 0;
    for sample in [
        "samples/entries-valid.xml",
        "samples/entries-errors.xml",
        "samples/entries-valid.csv",
        "samples/entries-errors.csv",
        "tests/xml/cases/valid-full.xml",
        "tests/xml/checks.rs",
    ] {
        if !sample.ends_with(".xml") && !sample.ends_with(".csv") {
            continue;
        }
        let (_, records) = read(&root().join(sample));
        let (jsonl, _, _) = convert(&records, Target::Jsonl);
        for line in jsonl.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{sample}: {errors:?}\n{line}");
            lines += 1;
        }
    }
    assert!(lines >= 10);
    // The schema is not vacuous: a wrong type is refused.
    assert!(!validator.is_valid(&serde_json::json!({"kind": "entry", "mediaType": "hologram"})));
}

#[test]
fn csv_to_xml_to_csv_round_trips() {
    let (_, records) = read(&root().join("samples/entries-valid.csv"));
    let (xml, diags, _) = convert(&records, Target::Xml);
    assert!(diags.is_empty(), "{diags:?}");
    let (report, from_xml) = read_str("e.xml", &xml);
    assert!(report.diagnostics.is_empty(), "{:?}", codes(&report));
    assert_eq!(entries(&from_xml), entries(&records));
    let (csv, diags, _) = convert(&from_xml, Target::Csv);
    assert!(diags.is_empty(), "{diags:?}");
    let (_, back) = read_str("e.csv", &csv);
    assert_eq!(entries(&back), entries(&records));
}

#[test]
fn what_a_csv_cannot_carry_is_reported() {
    let (_, records) = read(&root().join("samples/entries-valid.xml"));
    let (csv, diags, written) = convert(&records, Target::Csv);
    assert_eq!(written, 1, "the delete item cannot be a CSV row");
    assert!(csv.starts_with("*action,title,"));
    let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert!(diags.iter().all(|d| d.code.name == "entry::not-in-format"));
    assert!(
        msgs.iter().any(|m| m.contains("customDataItems")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("delete")), "{msgs:?}");
}

#[test]
fn csv_plugin_columns_survive_csv_but_not_xml() {
    let csv = "*title,url,metadataProfileId\nA,https://x.example.com/a.mp4,4\nB,https://x.example.com/b.mp4,\n";
    let (_, records) = read_str("p.csv", csv);
    let (out, diags, _) = convert(&records, Target::Csv);
    assert!(diags.is_empty());
    assert_eq!(
        out.lines().filter(|l| l.starts_with('*')).count(),
        2,
        "{out}"
    );
    let (_, back) = read_str("p2.csv", &out);
    assert_eq!(entries(&back), entries(&records));
    let (_, diags, _) = convert(&records, Target::Xml);
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("metadataProfileId"))
    );
}

#[test]
fn cli_converts_and_refuses_kinds_a_format_cannot_hold() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("o.xml");
    let (code, _, stderr) = kbulk(&[
        "convert",
        "samples/entries-valid.csv",
        "--to",
        "xml",
        "-o",
        out.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (report, records) = read(&out);
    assert!(report.diagnostics.is_empty());
    assert_eq!(records.len(), 2);
    let (code, _, stderr) = kbulk(&["convert", "samples/resources-valid.csv", "--to", "xml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be written as"), "{stderr}");
    let (code, stdout, _) = kbulk(&["convert", "samples/resources-valid.csv", "--to", "csv"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("*action,resourceId,"), "{stdout}");
}
