//! Helpers shared by the iCal tests.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use kbulk::diag::{Diagnostic, JsonDiagnostic, JsonLine};
use kbulk::formats::{Format, ReadOptions};
use kbulk::record::Record;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixed import instant the tests use.
pub fn import_time() -> jiff::Timestamp {
    "2027-01-15T12:00:00Z".parse().unwrap()
}

/// Read options with a fixed import date.
pub fn opts(format: Option<Format>) -> ReadOptions {
    ReadOptions {
        format,
        import_time: Some(import_time()),
        ..ReadOptions::default()
    }
}

/// Reads a file through the library, returning records and diagnostics.
pub fn read(path: &Path, format: Option<Format>) -> (Vec<Record>, Vec<Diagnostic>) {
    let mut records: Vec<Record> = Vec::new();
    let name: Arc<str> = Arc::from(path.display().to_string());
    let report = kbulk::pipeline::read_path(path, name, &opts(format), &mut records);
    (records, report.diagnostics)
}

/// Runs the kbulk binary; returns (exit code, stdout, stderr).
pub fn kbulk(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(args)
        .output()
        .expect("kbulk runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The diagnostics of a `--format json` run.
pub fn json_diagnostics(stdout: &str) -> Vec<JsonDiagnostic> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<JsonLine>(l).expect("a JSON line"))
        .filter_map(|l| match l {
            JsonLine::Diagnostic(d) => Some(d),
            _ => None,
        })
        .collect()
}

/// Distinct codes of a list of diagnostics, sorted.
pub fn codes(diags: &[Diagnostic]) -> Vec<String> {
    let mut c: Vec<String> = diags.iter().map(|d| d.code.name.to_string()).collect();
    c.sort();
    c.dedup();
    c
}
