//! Kaltura's official clients, unchanged, against a sandbox started by the test: the Python client
//! (`KalturaApiClient` with `lxml`, and `pycryptodome` for its KS v2) and the Node client
//! (`kaltura-client`). Each is installed from its package registry into `target/clients/` when it
//! is not there yet; an install that fails is a test failure with the reason, never a skip. The
//! walks themselves are `tests/sandbox/clients/walk.py` and `walk.js`.
use std::path::{Path, PathBuf};
use std::process::Command;

use kbulk::sandbox::{DEFAULT_ADMIN_SECRET, DEFAULT_USER_SECRET};

use super::start;

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/clients")
}

fn walks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sandbox/clients")
}

/// Runs an install command, failing the test with its output when it does not succeed.
fn install(what: &str, mut cmd: Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run the installer of {what} ({cmd:?}): {e}"));
    assert!(
        out.status.success(),
        "installing {what} failed ({cmd:?}); the official clients come from the package registry:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a walk against a fresh sandbox and asserts every call passed, and at least `calls` of
/// them (a walk that stopped early is a failure too).
fn walk(program: &str, script: &str, env: (&str, &Path), calls: u32) {
    let h = start();
    let out = Command::new(program)
        .arg(walks_dir().join(script))
        .arg(h.base_url())
        .arg(h.partner_id().to_string())
        .arg(DEFAULT_ADMIN_SECRET)
        .arg(DEFAULT_USER_SECRET)
        // An app token the sandbox accepts (see `super::app_tokens`): ID:TOKEN, SHA-256.
        .arg("tok-sha256:secret-of-tok-sha256")
        .env(env.0, env.1)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout.lines().rev().find(|l| l.ends_with(" failed"));
    assert!(
        out.status.success() && summary.is_some_and(|s| s.ends_with(" 0 failed")),
        "{script}: {summary:?}\n{}\n{}",
        stdout
            .lines()
            .filter(|l| !l.starts_with("ok "))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    let passed: u32 = summary
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(passed >= calls, "{script} walked only {passed} calls");
}

#[test]
fn the_official_python_client_walks_every_emulated_service() {
    let dir = clients_dir().join("py");
    let ready = ["KalturaClient/__init__.py", "lxml", "Crypto/Cipher"]
        .iter()
        .all(|p| dir.join(p).exists());
    if !ready {
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "pip", "install", "--quiet", "--target"])
            .arg(&dir)
            .args(["KalturaApiClient", "lxml", "pycryptodome"]);
        install("the Python client KalturaApiClient", cmd);
    }
    walk("python3", "walk.py", ("PYTHONPATH", &dir), 81);
}

#[test]
fn the_official_node_client_walks_every_emulated_service() {
    let dir = clients_dir().join("node");
    if !dir
        .join("node_modules/kaltura-client/package.json")
        .exists()
    {
        std::fs::create_dir_all(&dir).expect("create the client cache");
        let mut cmd = Command::new("npm");
        cmd.args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg("kaltura-client");
        install("the Node client kaltura-client", cmd);
    }
    walk(
        "node",
        "walk.js",
        ("NODE_PATH", &dir.join("node_modules")),
        67,
    );
}
