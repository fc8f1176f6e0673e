//! Issue 13's "done when": a folder of mixed real-world files (every sample, and the 197 wild
//! iCal files of ../shared/conformance/ics-wild, read in place and copied into a temporary
//! INBOX) goes through `kbulk dropfolder --once`: each file ends handed over, rejected with its
//! two reports, or archived as a duplicate, exactly once; OUTBOX holds exactly the announced
//! outputs, and every piece checks without an error within `--max-records`.
use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use super::{Folders, names};
use crate::common::{check_json, path};

#[test]
fn a_folder_of_mixed_real_world_files_goes_through_once() {
    let f = Folders::new();
    let mut inputs = BTreeSet::new();
    for dir in ["samples", "../shared/conformance/ics-wild"] {
        for e in fs::read_dir(path(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".md") || name.ends_with(".rst") || name.starts_with('.') {
                continue;
            }
            fs::copy(&p, f.inbox().join(&name)).unwrap();
            inputs.insert(name);
        }
    }
    assert!(inputs.len() > 200, "{} inputs", inputs.len());
    let (rc, events) = f.once(&["--max-records", "3"]);
    assert_eq!(rc, 1, "some files are bad, so exit 1");
    let mut fate: BTreeMap<String, String> = BTreeMap::new();
    let mut outputs = BTreeSet::new();
    for ev in &events {
        let kind = ev["event"].as_str().unwrap_or_default();
        if !matches!(kind, "handed-over" | "rejected" | "duplicate") {
            continue;
        }
        let file = ev["file"].as_str().unwrap().to_string();
        assert!(
            fate.insert(file.clone(), kind.to_string()).is_none(),
            "{file} ended twice"
        );
        for o in ev["outputs"].as_array().into_iter().flatten() {
            assert!(outputs.insert(o.as_str().unwrap().to_string()), "{o} twice");
        }
    }
    let ended: BTreeSet<String> = fate.keys().cloned().collect();
    assert_eq!(ended, inputs, "every input ends exactly once");
    let in_outbox: BTreeSet<String> = names(&f.outbox()).into_iter().collect();
    assert_eq!(
        in_outbox, outputs,
        "OUTBOX holds exactly the announced outputs"
    );
    let rejected: BTreeSet<String> = names(&f.rejected()).into_iter().collect();
    let count = |k: &str| fate.values().filter(|v| *v == k).count();
    for (file, kind) in &fate {
        let reports = [
            file.clone(),
            format!("{file}.report.txt"),
            format!("{file}.report.jsonl"),
        ];
        let in_rejected = reports.iter().filter(|r| rejected.contains(*r)).count();
        let want = if kind == "rejected" { 3 } else { 0 };
        assert_eq!(in_rejected, want, "{file} ({kind}) in the rejected folder");
    }
    assert!(
        count("handed-over") > 20 && count("rejected") > 50 && count("duplicate") > 10,
        "{fate:?}"
    );
    // The pieces are what the server accepts: no error, at most 3 records each.
    let (_, report) = check_json(&f.outbox(), &[]);
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| format!("{:?}", d.severity) == "Error")
        .map(|d| format!("{}: {} {}", d.file, d.code, d.message))
        .collect();
    assert!(
        errors.is_empty(),
        "handed-over pieces with errors: {errors:#?}"
    );
    assert!(report.files.iter().all(|fl| fl.records <= 3));
    assert!(report.files.len() >= outputs.len());
    eprintln!(
        "{} inputs: {} handed over in {} outputs, {} rejected, {} duplicates",
        inputs.len(),
        count("handed-over"),
        outputs.len(),
        count("rejected"),
        count("duplicate")
    );
}
