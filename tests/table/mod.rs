//! The simple CSV kinds (category, user): every check as a data case, the engines' messages
//! quoted verbatim, JSON Lines conversion without loss both ways, the same rules on JSON Lines,
//! and `explain` / `schema` knowing the kinds.
use serde_json::Value;

use crate::common::{check_json, code, kbulk, path};

#[test]
fn every_case_yields_exactly_the_expected_findings() {
    crate::resource::cases::run_cases("tests/table/cases", 12);
}

#[test]
fn server_messages_are_the_engines_own() {
    let (_, rep) = check_json(&path("samples/categories-errors.csv"), &[]);
    let msg = |rep: &crate::common::Report, c: &str| {
        rep.diagnostics
            .iter()
            .find(|d| d.code == c)
            .and_then(|d| d.server_message.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        msg(&rep, "category::name-required"),
        "Mandatory Column [name] missing from CSV."
    );
    assert_eq!(
        msg(&rep, "category::missing-target"),
        "Mandatory parameters missing for action [2] - categoryId/referenceId"
    );
    assert_eq!(
        msg(&rep, "category::parent-after-child"),
        "Parent category not found for full name [Courses>Biology]"
    );
    assert_eq!(
        msg(&rep, "category::user-join-policy"),
        "The property \"KalturaCategory::userJoinPolicy\" cannot be updated"
    );
    let crash = rep
        .diagnostics
        .iter()
        .find(|d| d.code == "category::job-crash")
        .expect("the PHP 8 crash");
    assert_eq!(crash.impact, kbulk::diag::Impact::Job);
    assert_eq!(
        crash.row,
        Some(5),
        "at the first row rejected while parsing"
    );
    assert!(
        crash.message.contains("the 4 valid rows before it"),
        "{}",
        crash.message
    );

    let (_, rep) = check_json(&path("samples/users-errors.csv"), &[]);
    assert_eq!(
        msg(&rep, "user::id-required"),
        "Mandatory Column [userId] missing from CSV."
    );
    assert_eq!(
        msg(&rep, "user::invalid-date-of-birth"),
        "Format of property dateOfBirth is incorrect [31/12/1990]."
    );
    let last = rep
        .diagnostics
        .iter()
        .find(|d| d.code == "user::last-message-wins")
        .expect("last message wins");
    assert_eq!(
        last.server_message.as_deref(),
        Some("Wrong value passed for property gender [7]"),
        "gender is checked after dateOfBirth, so its message is the one reported"
    );
}

/// The records of a JSON Lines text, without their origins.
fn records(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).expect("a record");
            v.as_object_mut().unwrap().remove("origin");
            v
        })
        .collect()
}

#[test]
fn csv_and_json_lines_convert_both_ways_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    for sample in ["categories-valid", "users-valid"] {
        let src = path(&format!("samples/{sample}.csv"));
        let j1 = dir.path().join(format!("{sample}.jsonl"));
        let csv = dir.path().join(format!("{sample}.csv"));
        let j2 = dir.path().join(format!("{sample}.2.jsonl"));
        for (from, to, target) in [
            (&src, &j1, "jsonl"),
            (&j1, &csv, "csv"),
            (&csv, &j2, "jsonl"),
        ] {
            let out = kbulk([
                "convert".as_ref(),
                from.as_os_str(),
                "--to".as_ref(),
                target.as_ref(),
                "-o".as_ref(),
                to.as_os_str(),
            ]);
            assert_eq!(code(&out), 0, "{sample} → {target}: {out:?}");
        }
        let first = records(&std::fs::read_to_string(&j1).unwrap());
        let again = records(&std::fs::read_to_string(&j2).unwrap());
        assert!(!first.is_empty());
        assert_eq!(
            first, again,
            "{sample}: CSV → JSONL → CSV → JSONL changed a record"
        );
        let (out, rep) = check_json(&j1, &[]);
        assert_eq!(code(&out), 0, "{:?}", rep.diagnostics);
    }
}

#[test]
fn json_lines_records_meet_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("bad.jsonl");
    let out = kbulk([
        "convert".as_ref(),
        path("samples/users-errors.csv").as_os_str(),
        "--to".as_ref(),
        "jsonl".as_ref(),
        "-o".as_ref(),
        jsonl.as_os_str(),
    ]);
    assert_eq!(code(&out), 1, "the findings are reported: {out:?}");
    let (_, from_csv) = check_json(&path("samples/users-errors.csv"), &[]);
    let (out, from_json) = check_json(&jsonl, &[]);
    assert_eq!(code(&out), 1);
    let codes = |r: &crate::common::Report| {
        let mut c: Vec<String> = r.diagnostics.iter().map(|d| d.code.clone()).collect();
        c.sort();
        c
    };
    assert_eq!(codes(&from_json), codes(&from_csv));
    assert!(
        from_json.diagnostics.iter().all(|d| d.line.is_some()),
        "located at the record's line"
    );
}

#[test]
fn explain_and_schema_know_the_kinds() {
    let list = String::from_utf8(kbulk(["explain"]).stdout).unwrap();
    for c in [
        "category::job-crash",
        "category::user-join-policy",
        "user::last-message-wins",
        "user::group-removal",
        "csv::no-header",
    ] {
        assert!(list.lines().any(|l| l.starts_with(c)), "{c} listed");
    }
    for (name, kind) in [("category", "category"), ("user", "user")] {
        let out = kbulk(["schema", name]);
        assert_eq!(code(&out), 0);
        let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
        let text = schema.to_string();
        assert!(text.contains(&format!("\"{kind}\"")), "{name}: {text}");
    }
}
