//! The import rules of ARCHITECTURE.md, enforced by reading the sources: the layers below may
//! not name the layers above, so an arrow that points the wrong way fails here.
use std::path::Path;

use crate::common::path;

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("source dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("source file");
                out.push((p.display().to_string(), text));
            }
        }
    }
    out
}

/// The lines of the files under `dir` (or the file `dir`) that name one of `forbidden`.
fn offenders(dir: &str, forbidden: &[&str], allowed: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    let root = path(dir);
    let files = if root.is_dir() {
        sources(&root)
    } else {
        vec![(
            dir.to_string(),
            std::fs::read_to_string(&root).expect("file"),
        )]
    };
    for (file, text) in files {
        for (n, line) in text.lines().enumerate() {
            if forbidden.iter().any(|f| line.contains(f)) && !allowed.contains(&line.trim()) {
                bad.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    bad
}

#[test]
fn core_types_import_nothing_above_them() {
    let above = [
        "crate::check",
        "crate::formats",
        "crate::submit",
        "crate::sandbox",
    ];
    for dir in ["src/source.rs", "src/diag.rs", "src/record"] {
        let bad = offenders(dir, &above, &[]);
        assert!(
            bad.is_empty(),
            "{dir} imports a higher layer:\n{}",
            bad.join("\n")
        );
    }
    let bad = offenders("src/source.rs", &["crate::diag"], &[]);
    assert!(
        bad.is_empty(),
        "source must not import diag:\n{}",
        bad.join("\n")
    );
}

#[test]
fn formats_do_not_import_checks() {
    // The readers still call the rule entry points inside their chunks (the one driver that
    // will supply them is not built yet); those imports are the only ones left. This list may
    // only shrink: location types, value helpers and codes live in record/ and source.
    let allowed = [
        "use crate::check::entry;",
        "use crate::check::event::{FileRules as EventRules, check_record as check_event};",
        "use crate::check::resource::{FileRules, check_record};",
        "use crate::check::entry::{FileRules, check_entry};",
        "use crate::check::event::{FileRules, check_record};",
        // The simple CSV kinds' rules (category, user, ...) are handed to their reader as a
        // `record::table::TableRules` from this one entry point, in `formats/mod.rs` and
        // `jsonl.rs`; the driver will take it over.
        "use crate::check::table::rules_for;",
        // The App readers' one hook (formats/app/mod.rs), until the driver owns the rules.
        "use crate::check::app::AppRules;",
    ];
    let bad = offenders("src/formats", &["crate::check"], &allowed);
    assert!(
        bad.is_empty(),
        "formats/ imports check/:\n{}",
        bad.join("\n")
    );
    let bad = offenders("src/formats", &["crate::submit", "crate::sandbox"], &[]);
    assert!(
        bad.is_empty(),
        "formats/ imports a higher layer:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_sandbox_stands_alone_and_submit_knows_no_engine_model() {
    // The sandbox runs bulk jobs through the `BulkEngine` seam: kbulk's model of Kaltura's
    // engines (`bulkmodel`) plugs in from outside, so the sandbox names nothing of the crate.
    let above = [
        "crate::check",
        "crate::formats",
        "crate::record",
        "crate::submit",
        "crate::bulkmodel",
    ];
    let bad = offenders("src/sandbox", &above, &[]);
    assert!(
        bad.is_empty(),
        "sandbox/ imports the crate:\n{}",
        bad.join("\n")
    );
    // The client reads jobs' logs itself: it must not lean on the server-side model.
    let allowed = ["pub use crate::sandbox::HashType;"];
    let bad = offenders(
        "src/submit",
        &["crate::bulkmodel", "crate::sandbox"],
        &allowed,
    );
    assert!(
        bad.is_empty(),
        "submit/ imports the sandbox or its engine model:\n{}",
        bad.join("\n")
    );
}
