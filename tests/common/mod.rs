//! Helpers shared by the integration tests: running the built binary and reading its JSON.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kbulk::diag::{JsonDiagnostic, JsonFile, JsonLine, JsonSummary};

pub mod budget;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the crate root.
pub fn path(rel: &str) -> PathBuf {
    root().join(rel)
}

/// Runs the kbulk binary with `args` (from the crate root, colour off).
pub fn kbulk<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("kbulk runs")
}

/// The exit code of a finished run.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// The parsed JSON Lines report of `kbulk check --format json`.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<JsonDiagnostic>,
    pub files: Vec<JsonFile>,
    pub summary: Option<JsonSummary>,
}

/// Parses every stdout line as a [`JsonLine`]; the summary must be the last line.
pub fn report(out: &Output) -> Report {
    let text = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    let mut r = Report::default();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<JsonLine>(line)
            .unwrap_or_else(|e| panic!("line {i} is not a report object: {e}: {line}"))
        {
            JsonLine::Diagnostic(d) => r.diagnostics.push(d),
            JsonLine::File(f) => r.files.push(f),
            JsonLine::Summary(s) => {
                assert_eq!(i, lines.len() - 1, "the summary is the last line");
                r.summary = Some(s);
            }
        }
    }
    r
}

/// Runs `kbulk check --format json` on `file` with extra arguments.
pub fn check_json(file: &Path, extra: &[&str]) -> (Output, Report) {
    let mut args: Vec<std::ffi::OsString> = vec!["check".into(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(Into::into));
    args.push(file.into());
    let out = kbulk(args);
    let rep = report(&out);
    (out, rep)
}

/// The headless Chromium binary (Debian's `chromium`), installed with apt-get when it is absent
/// and we may (root, as on CI and the project's machines); otherwise the test fails saying how
/// to install it.
pub fn chromium() -> PathBuf {
    static FOUND: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            let find = || {
                ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
                    .iter()
                    .map(PathBuf::from)
                    .find(|p| p.exists())
            };
            if let Some(p) = find() {
                return p;
            }
            let root = Command::new("id")
                .arg("-u")
                .output()
                .is_ok_and(|o| o.stdout.starts_with(b"0"));
            if root {
                let apt = |args: &[&str]| {
                    Command::new("apt-get")
                        .args(args)
                        .env("DEBIAN_FRONTEND", "noninteractive")
                        .status()
                        .is_ok_and(|s| s.success())
                };
                let _ = apt(&["update", "-qq"]);
                let _ = apt(&["install", "-y", "-qq", "chromium"]);
            }
            find().expect(
                "the HTML report tests need Debian's chromium: `apt-get install chromium` \
                 (.ci/run installs it)",
            )
        })
        .clone()
}

/// Loads `page` (a file URL with an optional `#fragment`) in headless Chromium and returns the
/// DOM after its scripts ran.
pub fn chromium_dom(url: &str) -> String {
    let profile = tempfile::tempdir().expect("temp dir");
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the DOM is UTF-8")
}
