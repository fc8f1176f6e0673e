//! Runs every `cases/*.csv` through `kbulk check --format json` and compares the findings with
//! the hand-written `*.expect` beside it: one `code line:column [row=N]` per line (or just `code`
//! for a file-wide finding), `args: ...` for extra arguments, `#` comments.
use std::collections::BTreeSet;

use crate::common::{check_json, code, path};

#[derive(Debug, Default)]
struct Expect {
    args: Vec<String>,
    findings: BTreeSet<String>,
}

fn parse_expect(text: &str) -> Expect {
    let mut e = Expect::default();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some(args) = line.strip_prefix("args:") {
            e.args = args.split_whitespace().map(String::from).collect();
        } else {
            e.findings.insert(line.to_string());
        }
    }
    e
}

#[test]
fn every_case_yields_exactly_the_expected_findings() {
    run_cases("tests/resource/cases", 15);
}

/// Checks every `*.csv` of `dir` (at least `min` of them) against its `.expect`.
pub fn run_cases(dir: &str, min: usize) {
    let dir = path(dir);
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    cases.sort();
    assert!(cases.len() >= min, "the case corpus is present");
    let mut failures = Vec::new();
    for case in &cases {
        let expect = parse_expect(
            &std::fs::read_to_string(case.with_extension("expect"))
                .unwrap_or_else(|_| panic!("{} has an .expect file", case.display())),
        );
        let args: Vec<&str> = expect.args.iter().map(String::as_str).collect();
        let (out, rep) = check_json(case, &args);
        let got: BTreeSet<String> = rep
            .diagnostics
            .iter()
            .map(|d| {
                let mut s = d.code.clone();
                if let (Some(l), Some(c)) = (d.line, d.column) {
                    s.push_str(&format!(" {l}:{c}"));
                }
                if let Some(r) = d.row {
                    s.push_str(&format!(" row={r}"));
                }
                s
            })
            .collect();
        if got != expect.findings {
            failures.push(format!(
                "{}:\n  expected {:?}\n  got      {:?}",
                case.display(),
                expect.findings,
                got
            ));
        }
        let has_errors = rep
            .diagnostics
            .iter()
            .any(|d| d.severity == kbulk::diag::Severity::Error);
        assert_eq!(code(&out), i32::from(has_errors), "{}", case.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn server_messages_are_quoted_verbatim() {
    let (_, rep) = check_json(&path("samples/resources-errors.csv"), &[]);
    let msg = |c: &str| {
        rep.diagnostics
            .iter()
            .find(|d| d.code == c)
            .and_then(|d| d.server_message.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        msg("resource::unknown-type"),
        "Wrong value passed for property type [Camera]"
    );
    assert_eq!(
        msg("resource::missing-target"),
        "Mandatory Columns [resourceId or systemName] missing from CSV."
    );
    assert_eq!(
        msg("resource::duplicate-system-name"),
        "System name [room-202] already exists"
    );
    assert_eq!(
        msg("resource::live-entry-add"),
        "The property \"KalturaLiveEntryScheduleResource::entryId\" cannot be null"
    );
    assert_eq!(
        msg("resource::parent-after-child"),
        "Unable to find parent location resource [room-301]"
    );
    let (_, rep) = check_json(&path("samples/resources-silent.csv"), &[]);
    let d = rep
        .diagnostics
        .iter()
        .find(|d| d.code == "resource::unknown-action")
        .unwrap();
    assert_eq!(
        d.server_message.as_deref(),
        Some("Unknown action passed: [add]")
    );
    assert_eq!(
        d.impact,
        kbulk::diag::Impact::Silent,
        "the row vanishes from the results"
    );
}

#[test]
fn parent_after_child_points_at_both_rows() {
    let (_, rep) = check_json(&path("tests/resource/cases/parents.csv"), &[]);
    let d = rep
        .diagnostics
        .iter()
        .find(|d| d.code == "resource::parent-after-child")
        .unwrap();
    assert_eq!(d.labels.len(), 2);
    assert_eq!(
        (d.labels[0].line, d.labels[1].line),
        (2, 4),
        "child first, then the late parent"
    );
    assert!(d.message.contains("and 1 more child rows"), "{}", d.message);
}

#[test]
fn max_records_can_be_lifted() {
    let (out, rep) = check_json(
        &path("tests/resource/cases/max-records.csv"),
        &["--max-records", "0"],
    );
    assert_eq!(code(&out), 0, "{:?}", rep.diagnostics);
    let (_, rep) = check_json(
        &path("tests/resource/cases/max-records.csv"),
        &["--max-records", "3"],
    );
    assert!(
        rep.diagnostics[0].message.contains("rows 4 to 5 (2 rows)"),
        "{}",
        rep.diagnostics[0].message
    );
}

#[test]
fn semicolon_files_are_recognised_and_told_about_the_delimiter() {
    let (_, rep) = check_json(&path("tests/resource/cases/semicolons.csv"), &[]);
    assert_eq!(rep.files[0].format.as_deref(), Some("resource-csv"));
    let d = &rep.diagnostics[0];
    assert_eq!(d.code, "resource::row-taken-as-header");
    assert!(
        d.help.as_deref().unwrap_or("").contains("`,` only"),
        "{:?}",
        d.help
    );
}
