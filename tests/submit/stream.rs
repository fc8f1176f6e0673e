//! `submit --format json` writes the one stream of `check` (schema `schemas/diagnostic.schema.json`):
//! a dry run's calls, the check's findings and a summary when it stops the run, each row's outcome
//! and the run's summary.
use kbulk::sandbox::FaultConfig;

use super::*;
use crate::cli::stream::validated;

#[test]
fn every_line_of_submit_json_is_in_the_stream_schema() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(
        dir.path(),
        "s.csv",
        &[
            "1,Cam,camera,s-cam,,,location,s-hall".into(),
            "1,Hall,location,s-hall,,,,".into(),
            "2,Ghost,camera,s-ghost,,,,".into(),
        ],
    );
    let f = file.to_str().unwrap();

    let dry = run(submit_cmd(&h, &[f, "--dry-run", "--format", "json"]));
    assert_eq!(code(&dry), 0, "{}", text(&dry));
    let calls = validated(&String::from_utf8_lossy(&dry.stdout));
    assert!(calls.iter().any(|c| c["type"] == "call"), "{calls:?}");

    let out = run(submit_cmd(&h, &[f, "--format", "json"]));
    assert_eq!(code(&out), 1, "one row fails on the server: {}", text(&out));
    let lines = validated(&String::from_utf8_lossy(&out.stdout));
    let rows: Vec<&Value> = lines.iter().filter(|l| l["type"] == "row").collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["status"], "error");
    assert_eq!(rows[2]["error_code"], "RESOURCE_NOT_FOUND");
    // The child named before its parent: done, with the check's warning in its own field.
    assert_eq!(rows[0]["status"], "ok");
    assert!(rows[0].get("error_description").is_none(), "{}", rows[0]);
    assert!(
        rows[0]["warnings"]
            .as_array()
            .is_some_and(|ws| ws.iter().any(|w| w
                .as_str()
                .is_some_and(|w| w.starts_with("resource::parent-after-child: ")))),
        "{}",
        rows[0]
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["submitted"], true);
    assert_eq!(summary["failed"], 1);

    // A file-level error stops the run: the findings and a summary, in the same schema.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "*action;name;type;systemName\n1;A;location;a\n").unwrap();
    let stopped = run(submit_cmd(&h, &[bad.to_str().unwrap(), "--format", "json"]));
    assert_eq!(code(&stopped), 1, "{}", text(&stopped));
    let lines = validated(&String::from_utf8_lossy(&stopped.stdout));
    assert!(lines.iter().any(|l| l["type"] == "diagnostic"), "{lines:?}");
    assert_eq!(lines.last().unwrap()["submitted"], false);
}
