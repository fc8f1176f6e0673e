//! The command line's shared behaviour: exit codes, JSON stream, explain, schemas, colour,
//! broken pipes, discovery.
use std::io::Read;
use std::process::{Command, Stdio};

mod samples;

use crate::common::{check_json, code, kbulk, path, report, root};

mod html_report;
pub mod progress;
pub mod stream;

#[test]
fn exit_codes_distinguish_clean_problems_and_failures() {
    let (out, rep) = check_json(&path("samples/resources-valid.csv"), &[]);
    assert_eq!(code(&out), 0, "a clean file exits 0");
    assert_eq!(rep.summary.unwrap().exit_code, 0);
    let (out, rep) = check_json(&path("samples/resources-errors.csv"), &[]);
    assert_eq!(code(&out), 1, "errors exit 1");
    assert_eq!(rep.summary.unwrap().exit_code, 1);
    // Warnings alone pass, but fail under --strict.
    let (out, _) = check_json(&path("samples/resources-hierarchy.csv"), &[]);
    assert_eq!(code(&out), 0);
    let (out, _) = check_json(&path("samples/resources-hierarchy.csv"), &["--strict"]);
    assert_eq!(code(&out), 1);
    // A missing path and a bad flag are usage/operational failures.
    assert_eq!(code(&kbulk(["check", "no/such/file.csv"])), 2);
    assert_eq!(code(&kbulk(["check", "--no-such-flag", "samples"])), 2);
}

#[test]
fn json_stream_has_files_diagnostics_and_a_summary() {
    let (_, rep) = check_json(&path("samples"), &[]);
    let summary = rep.summary.expect("summary");
    assert_eq!(summary.files as usize, rep.files.len());
    assert_eq!(
        summary.errors as usize,
        rep.diagnostics
            .iter()
            .filter(|d| d.severity == kbulk::diag::Severity::Error)
            .count()
    );
    assert_eq!(
        summary.records,
        rep.files.iter().map(|f| f.records).sum::<u64>()
    );
    // The samples README is skipped when walking a directory.
    assert!(rep.files.iter().all(|f| !f.file.ends_with("README.md")));
    let valid = rep
        .files
        .iter()
        .find(|f| f.file.ends_with("resources-valid.csv"))
        .unwrap();
    assert_eq!(valid.format.as_deref(), Some("resource-csv"));
    assert_eq!(valid.record_kind.as_deref(), Some("scheduleResource"));
    assert_eq!(valid.detected_by, "its `*` header");
    for d in &rep.diagnostics {
        if let (Some(line), Some(span)) = (d.line, d.span) {
            assert!(
                line >= 1 && d.column.unwrap() >= 1 && span.end >= span.start,
                "{d:?}"
            );
            assert_eq!(d.labels[0].span, span);
        }
    }
}

#[test]
fn spans_point_at_the_bytes_in_the_file() {
    let file = path("samples/resources-errors.csv");
    let bytes = std::fs::read(&file).unwrap();
    let (_, rep) = check_json(&file, &[]);
    let d = rep
        .diagnostics
        .iter()
        .find(|d| d.code == "resource::unknown-type")
        .unwrap();
    let span = d.span.unwrap();
    assert_eq!(&bytes[span.start as usize..span.end as usize], b"Camera");
}

#[test]
fn explain_covers_every_code() {
    let codes = kbulk::codes::all_codes();
    let mut names: Vec<_> = codes.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), codes.len(), "code names are unique");
    for c in &codes {
        assert!(
            c.explanation.len() > 80,
            "{} has a real explanation",
            c.name
        );
        let out = kbulk(["explain", c.name]);
        assert_eq!(code(&out), 0);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with(c.name), "{text}");
        assert!(text.contains(c.summary));
    }
    let list = String::from_utf8(kbulk(["explain"]).stdout).unwrap();
    assert_eq!(list.lines().count(), codes.len());
    let out = kbulk(["explain", "unknown-action"]);
    assert_eq!(code(&out), 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("resource::unknown-action"),
        "suggests the full code"
    );
}

#[test]
fn committed_schemas_match_the_types() {
    for (name, file) in kbulk::schema::NAMES {
        let committed = std::fs::read_to_string(root().join("schemas").join(file)).unwrap();
        assert_eq!(
            committed,
            kbulk::schema::schema(name).unwrap(),
            "schemas/{file} is stale: run `kbulk schema {name} > schemas/{file}`"
        );
    }
}

#[test]
fn app_json_lines_validate_against_the_app_schema() {
    let out = kbulk(["schema", "app"]);
    assert_eq!(code(&out), 0);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = std::fs::read_to_string(path("samples/apps-valid.jsonl")).unwrap();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(validator.is_valid(&v), "{line}");
    }
    // The schema constrains: a number where the contract has text fails it.
    assert!(!validator.is_valid(&serde_json::json!({"appCustomId": 12345})));
}

#[test]
fn json_report_validates_against_the_diagnostic_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(path("schemas/diagnostic.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let out = kbulk(["check", "--format", "json", "samples"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(validator.is_valid(&v), "{line}");
        n += 1;
    }
    assert!(n > 10);
    // The schema really constrains: a diagnostic without a code fails it.
    let bad = serde_json::json!({"type": "diagnostic", "severity": "error"});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn human_output_is_plain_without_a_terminal_and_coloured_on_request() {
    let out = kbulk(["check", "samples/resources-errors.csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
    assert!(
        text.contains("samples/resources-errors.csv:2:"),
        "path:line:column"
    );
    assert!(
        text.contains("Studio A,Camera"),
        "the snippet shows the line"
    );
    assert!(text.contains("the server will report: Wrong value passed for property type [Camera]"));
    let out = kbulk(["check", "--color", "always", "samples/resources-errors.csv"]);
    assert!(String::from_utf8(out.stdout).unwrap().contains('\x1b'));
}

#[test]
fn silent_losses_are_marked_in_human_output() {
    let text = String::from_utf8(kbulk(["check", "samples/resources-silent.csv"]).stdout).unwrap();
    assert!(text.contains("silent loss: unknown action `add`"), "{text}");
}

#[test]
fn a_header_that_explains_every_row_is_said_once_and_the_rows_counted() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("semi.csv");
    let mut text = String::from("*action;name;type;systemName\n");
    for i in 0..40 {
        text.push_str(&format!("1;Room {i};location;r-{i}\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let out = kbulk(["check", csv.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let human = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        human.matches("resource::row-taken-as-header").count(),
        2,
        "{human}"
    );
    assert!(
        !human.contains("× this row adds a resource but has no name"),
        "{human}"
    );
    assert!(
        human.contains(
            "… 40 findings on the rows after it follow from resource::row-taken-as-header \
             (resource::name-required ×40): not shown; --verbose shows them"
        ),
        "{human}"
    );
    // The totals still count every finding.
    assert!(human.contains("40 records: 41 errors"), "{human}");
    let verbose = String::from_utf8(kbulk(["check", csv.to_str().unwrap(), "--verbose"]).stdout);
    let verbose = verbose.unwrap();
    assert_eq!(
        verbose
            .matches("× this row adds a resource but has no name")
            .count(),
        40
    );
    assert!(!verbose.contains("not shown"), "{verbose}");
    // The JSON stream is for machines: every finding, always.
    let (_, report) = crate::common::check_json(&csv, &[]);
    assert_eq!(report.diagnostics.len(), 41);
}

#[test]
fn unclassifiable_files_get_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.txt");
    std::fs::write(&f, "hello, this is not a bulk file\n").unwrap();
    let (out, rep) = check_json(&f, &[]);
    assert_eq!(code(&out), 1);
    assert_eq!(rep.diagnostics[0].code, "input::unknown-format");
    assert_eq!(rep.files[0].format, None);
    let u16 = dir.path().join("excel.csv");
    std::fs::write(&u16, b"\xFF\xFE*\0a\0").unwrap();
    let (_, rep) = check_json(&u16, &[]);
    assert_eq!(rep.diagnostics[0].code, "input::utf16");
    // When walking a directory, files that cannot be classified are passed over quietly.
    std::fs::copy(
        path("samples/resources-valid.csv"),
        dir.path().join("rooms.data"),
    )
    .unwrap();
    std::fs::remove_file(&u16).unwrap();
    let (out, rep) = check_json(dir.path(), &[]);
    assert_eq!(code(&out), 0, "{:?}", rep.diagnostics);
    assert_eq!(rep.files.len(), 1);
    assert_eq!(
        rep.files[0].format.as_deref(),
        Some("resource-csv"),
        "detected from content, not extension"
    );
}

#[test]
fn broken_pipe_exits_zero() {
    let mut big = String::from("*action,name,type,systemName\n");
    for i in 0..20000 {
        big.push_str(&format!("1,Room {i},Location,r{i}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.csv");
    std::fs::write(&f, big).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(["check", "--max-records", "0"])
        .arg(&f)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "nothing on stderr: {err}");
}

#[test]
fn output_order_does_not_depend_on_threads() {
    let mut text = String::from("*action,name,type,systemName,parentType,parentSystemName\n");
    for i in 0..12000 {
        let t = if i % 7 == 0 { "Camera" } else { "camera" };
        let name = if i % 11 == 0 {
            String::new()
        } else {
            format!("Cam {i}")
        };
        text.push_str(&format!(
            "1,{name},{t},cam-{},location,room-{}\n",
            i % 9000,
            i % 13
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("many.csv");
    std::fs::write(&f, text).unwrap();
    let run = |j: &str| {
        let out = kbulk([
            "check",
            "--format",
            "json",
            "--max-records",
            "5000",
            "-j",
            j,
            f.to_str().unwrap(),
        ]);
        report(&out);
        out.stdout
    };
    let one = run("1");
    assert!(one.len() > 100_000, "many findings");
    assert_eq!(one, run("4"));
}

#[test]
fn completions_and_man_page_cover_every_subcommand_and_flag() {
    let bash = kbulk(["completions", "bash"]);
    assert_eq!(code(&bash), 0);
    let bash = String::from_utf8(bash.stdout).unwrap();
    for word in [
        "check",
        "convert",
        "submit",
        "sandbox",
        "--resume",
        "--max-records",
    ] {
        assert!(bash.contains(word), "bash completions lack {word}");
    }
    for shell in ["zsh", "fish", "powershell"] {
        let out = kbulk(["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("resume"),
            "{shell}"
        );
    }
    let bad = kbulk(["completions", "tcsh"]);
    assert_eq!(code(&bad), 2, "an unknown shell is a usage error");

    let man = kbulk(["man"]);
    assert_eq!(code(&man), 0);
    let man = String::from_utf8(man.stdout).unwrap();
    assert!(man.contains(".TH kbulk 1"), "a roff page for section 1");
    for section in ["KBULK CHECK", "KBULK SUBMIT", "KBULK SANDBOX"] {
        assert!(
            man.contains(&format!(".SH \"{section}\"")),
            "man page lacks {section}"
        );
    }
    assert!(
        man.contains("resume"),
        "the submit section documents --resume"
    );
}
