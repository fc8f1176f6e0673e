//! Shared helpers: read a file or a string with the library, run the binary, collect codes.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use kbulk::diag::JsonLine;
use kbulk::formats::{FileReport, ReadOptions, read_path};
use kbulk::record::Record;

mod cases;
mod checks;
mod cli;
mod conformance;
mod convert;
mod entry_csv;
mod security;
mod spill;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads `path` with default options, keeping the records.
pub fn read(path: &Path) -> (FileReport, Vec<Record>) {
    read_with(path, &ReadOptions::default())
}

/// Reads `path` with `opts`, keeping the records.
pub fn read_with(path: &Path, opts: &ReadOptions) -> (FileReport, Vec<Record>) {
    let mut records = Vec::new();
    let name: Arc<str> = Arc::from(path.display().to_string());
    let report = read_path(path, name, opts, &mut records);
    (report, records)
}

/// Writes `content` to a temporary file called `name` and reads it.
pub fn read_str(name: &str, content: &str) -> (FileReport, Vec<Record>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write");
    read(&path)
}

/// The set of codes in a report.
pub fn codes(report: &FileReport) -> BTreeSet<String> {
    report
        .diagnostics
        .iter()
        .map(|d| d.code.name.to_string())
        .collect()
}

/// Runs the built `kbulk` binary; returns (exit code, stdout, stderr).
pub fn kbulk(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run kbulk");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `kbulk check --format json` on `paths` and parses every line.
pub fn check_json(paths: &[&str], extra: &[&str]) -> (i32, Vec<JsonLine>) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    let (code, stdout, stderr) = kbulk(&args);
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{stderr}")))
        .collect();
    (code, lines)
}
