//! `kbulk fix` over the 197 wild iCal files of ../shared/conformance/ics-wild (read in place):
//! each is fixed into a temporary folder; a second fix changes nothing, the fixed file reads as
//! the same events as the input, and re-checking it adds no finding.
use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use kbulk::diag::Diagnostic;
use kbulk::dropfolder::fix::fix;
use kbulk::dropfolder::ical::same_meaning;
use kbulk::formats::ReadOptions;
use kbulk::pipeline::read_path;
use kbulk::record::{Record, RecordData};

/// The events of `path` (in the form `same_meaning` compares) and its findings.
fn read(path: &Path, opts: &ReadOptions) -> (Vec<Record>, Vec<Diagnostic>) {
    let mut records: Vec<Record> = Vec::new();
    let name: Arc<str> = Arc::from("f.ics");
    let report = read_path(path, name, opts, &mut records);
    for r in &mut records {
        if let RecordData::ScheduleEvent(e) = &mut r.data {
            same_meaning(e);
        }
    }
    (records, report.diagnostics)
}

/// The input as text, decoded as `fix` decodes it (the encoding repair is not under test here).
fn decoded(bytes: &[u8]) -> Vec<u8> {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_with_bom_removal(bytes)
            .0
            .into_owned()
            .into_bytes();
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.to_vec(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode(bytes)
            .0
            .into_owned()
            .into_bytes(),
    }
}

#[test]
fn every_wild_ical_file_is_fixed_losslessly_and_idempotently() {
    let dir = crate::common::path("../shared/conformance/ics-wild");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ics"))
        .collect();
    files.sort();
    assert!(files.len() >= 197, "{} files", files.len());
    let tmp = tempfile::tempdir().unwrap();
    let opts = ReadOptions {
        import_time: Some(jiff::Timestamp::now()),
        max_records: None,
        ..ReadOptions::default()
    };
    let mut rewritten = 0;
    let mut left_alone = 0;
    for path in &files {
        let label = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fs::read(path).unwrap();
        let name: Arc<str> = Arc::from(label.as_str());
        let once = fix(&bytes, &name);
        let twice = fix(&once.bytes, &name);
        assert_eq!(
            twice.bytes, once.bytes,
            "{label}: a second fix changes bytes"
        );
        assert!(
            !twice.changed(),
            "{label}: a second fix repairs {:?}",
            twice.repairs
        );
        let codes: Vec<&str> = once.repairs.iter().map(|d| d.code.name).collect();
        rewritten += usize::from(codes.iter().any(|c| c.starts_with("fix::ical-")));
        left_alone += usize::from(codes.contains(&"fix::left-alone"));
        let base = tmp.path().join(format!("base-{label}"));
        fs::write(&base, decoded(&bytes)).unwrap();
        let fixed = tmp.path().join(&label);
        fs::write(&fixed, &once.bytes).unwrap();
        let (want, before) = read(&base, &opts);
        let (got, after) = read(&fixed, &opts);
        assert_eq!(got.len(), want.len(), "{label}: number of events");
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{label}: event {k} reads differently after {codes:?}");
        }
        let mut count: HashMap<(&str, Option<u64>), i64> = HashMap::new();
        for d in &before {
            *count.entry((d.code.name, d.row)).or_default() += 1;
        }
        for d in &after {
            let n = count.entry((d.code.name, d.row)).or_default();
            *n -= 1;
            assert!(
                *n >= 0,
                "{label}: fixing added the finding {} ({:?}) after {codes:?}",
                d.code.name,
                d.message
            );
        }
    }
    eprintln!(
        "{} wild iCal files: {rewritten} rewritten in the Kaltura dialect, {left_alone} with something left alone",
        files.len()
    );
    assert!(rewritten >= 20, "only {rewritten} files were rewritten");
}
