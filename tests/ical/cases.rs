//! CLI cases as data: every `tests/ical/cases/NAME.{ics,csv}` is checked with
//! `kbulk check --format json` and must report exactly the codes listed in `NAME.expect`
//! (an optional first line `args: ...` adds options). A line `CODE LINE:COLUMN` also requires
//! one finding of that code at exactly that place.
use std::collections::BTreeSet;
use std::fs;

use super::util::{json_diagnostics, kbulk, root};

/// Codes whose tests live elsewhere (library or conversion tests), not in case files.
const TESTED_ELSEWHERE: &[&str] = &[
    "ical::line-too-long",
    "ical::unrepresentable",
    "event::not-carried-field",
];

#[test]
fn every_case_reports_exactly_its_codes() {
    let dir = root().join("tests/ical/cases");
    let mut seen_codes = BTreeSet::new();
    let mut n = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "ics" && ext != "csv" {
            continue;
        }
        n += 1;
        let expect = fs::read_to_string(path.with_extension("expect")).expect("a .expect sidecar");
        let mut args: Vec<String> = vec![
            "check".into(),
            path.display().to_string(),
            "--format".into(),
            "json".into(),
        ];
        let mut want = BTreeSet::new();
        let mut located = Vec::new();
        for line in expect.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(extra) = line.strip_prefix("args:") {
                args.extend(extra.split_whitespace().map(String::from));
            } else if let Some((code, at)) = line.split_once(' ') {
                want.insert(code.to_string());
                located.push((code.to_string(), at.trim().to_string()));
            } else {
                want.insert(line.to_string());
            }
        }
        if !args.iter().any(|a| a == "--import-date") {
            args.extend(["--import-date".to_string(), "2027-01-15".to_string()]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = kbulk(&refs);
        assert!(
            code == 0 || code == 1,
            "{}: exit {code}: {stderr}",
            path.display()
        );
        let diags = json_diagnostics(&stdout);
        let got: BTreeSet<String> = diags.iter().map(|d| d.code.clone()).collect();
        for d in &diags {
            if d.code.starts_with("ical::") || d.code.starts_with("event") {
                let file_wide = matches!(
                    d.code.as_str(),
                    "ical::no-events" | "ical::no-calendar" | "event::uid-lookup-limit"
                );
                assert!(
                    file_wide || (d.line.is_some() && d.column.is_some()),
                    "{}: {} has no location",
                    path.display(),
                    d.code
                );
            }
        }
        for (c, at) in &located {
            let here = diags.iter().any(|d| {
                d.code == *c
                    && d.line.zip(d.column).map(|(l, col)| format!("{l}:{col}")) == Some(at.clone())
            });
            if !here {
                let places: Vec<String> = diags
                    .iter()
                    .filter(|d| d.code == *c)
                    .map(|d| format!("{:?}:{:?}", d.line, d.column))
                    .collect();
                failures.push(format!(
                    "{}: {c} expected at {at}, found at {places:?}",
                    path.display()
                ));
            }
        }
        if got != want {
            failures.push(format!(
                "{}: expected {want:?}, got {got:?}",
                path.display()
            ));
        }
        let has_error = diags
            .iter()
            .any(|d| d.severity == kbulk::diag::Severity::Error);
        assert_eq!(
            code == 1,
            has_error,
            "{}: exit code vs errors",
            path.display()
        );
        seen_codes.extend(want);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(n >= 70, "only {n} cases");
    let tables = [
        kbulk::check::event::codes::ALL,
        kbulk::check::event::ical_codes::ALL,
        kbulk::check::event::csv_codes::ALL,
    ];
    let untested: Vec<&str> = tables
        .iter()
        .flat_map(|t| t.iter())
        .map(|c| c.name)
        .filter(|c| !seen_codes.contains(*c) && !TESTED_ELSEWHERE.contains(c))
        .collect();
    assert!(untested.is_empty(), "codes without a case: {untested:?}");
}

#[test]
fn every_event_code_has_a_real_explanation() {
    for table in [
        kbulk::check::event::codes::ALL,
        kbulk::check::event::ical_codes::ALL,
        kbulk::check::event::csv_codes::ALL,
    ] {
        for c in table.iter() {
            assert!(
                c.explanation.len() > 120,
                "{}: explanation too short",
                c.name
            );
            assert!(
                kbulk::codes::find_code(c.name).is_some(),
                "{} not registered",
                c.name
            );
            let (code, out, _) = kbulk(&["explain", c.name]);
            assert_eq!(code, 0, "explain {}", c.name);
            assert!(out.contains(c.name));
        }
    }
}
