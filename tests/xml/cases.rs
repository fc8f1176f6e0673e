//! CLI cases as data: every `cases/NAME.xml` is checked by the binary and must produce exactly
//! the codes listed in `cases/NAME.codes` (one per line; empty: clean). A line `CODE LINE:COLUMN`
//! also requires one finding of that code at exactly that place.
use std::collections::BTreeSet;

use kbulk::diag::JsonLine;

use super::{check_json, root};

#[test]
fn every_case_yields_exactly_its_codes() {
    let dir = root().join("tests/xml/cases");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("cases dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    names.sort();
    assert!(names.len() >= 40, "cases went missing");
    let mut failures = Vec::new();
    for path in names {
        let sidecar =
            std::fs::read_to_string(path.with_extension("codes")).expect("sidecar .codes file");
        let mut expected = BTreeSet::new();
        let mut located = Vec::new();
        for l in sidecar.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match l.split_once(' ') {
                Some((code, at)) => {
                    expected.insert(code.to_string());
                    located.push((code.to_string(), at.trim().to_string()));
                }
                None => {
                    expected.insert(l.to_string());
                }
            }
        }
        let rel = path
            .strip_prefix(root())
            .expect("under root")
            .display()
            .to_string();
        let (code, lines) = check_json(&[&rel], &[]);
        let mut found = BTreeSet::new();
        for l in &lines {
            if let JsonLine::Diagnostic(d) = l {
                assert!(
                    d.line.is_some() && d.column.is_some(),
                    "{rel}: {} has no location",
                    d.code
                );
                found.insert(d.code.clone());
            }
        }
        for (c, at) in &located {
            let places: Vec<String> = lines
                .iter()
                .filter_map(|l| match l {
                    JsonLine::Diagnostic(d) if d.code == *c => {
                        Some(format!("{}:{}", d.line.unwrap_or(0), d.column.unwrap_or(0)))
                    }
                    _ => None,
                })
                .collect();
            if !places.contains(at) {
                failures.push(format!("{rel}: {c} expected at {at}, found at {places:?}"));
            }
        }
        let errors = lines.iter().any(
            |l| matches!(l, JsonLine::Diagnostic(d) if d.severity == kbulk::diag::Severity::Error),
        );
        if found != expected || (code == 1) != errors {
            failures.push(format!(
                "{rel}: expected {expected:?}, found {found:?} (exit {code})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
