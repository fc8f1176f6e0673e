//! `kbulk sandbox` as a process: prints its URLs (the chosen port for port 0), serves, keeps
//! secrets out of its output, and refuses non-loopback addresses.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;

use super::*;

#[test]
fn the_command_prints_its_urls_and_serves_them() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args([
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--admin-secret",
            "TOP-SECRET-1",
            "--app-token",
            "dev:TOKEN-SECRET-2:SHA256",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kbulk runs");
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..7 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        lines.push(line);
    }
    let output = lines.concat();
    let api_url = lines
        .iter()
        .find_map(|l| l.strip_prefix("API v3:").map(|u| u.trim().to_string()))
        .unwrap_or_else(|| panic!("no API v3 line in {output}"));
    assert!(
        api_url.starts_with("http://127.0.0.1:") && !api_url.starts_with("http://127.0.0.1:0/"),
        "{api_url}"
    );
    assert!(output.contains("/api/v1"), "{output}");
    assert!(
        !output.contains("TOP-SECRET-1") && !output.contains("TOKEN-SECRET-2"),
        "secrets printed: {output}"
    );
    let url = format!("{api_url}/service/session/action/start");
    let body = json!({"secret": "TOP-SECRET-1", "partnerId": kbulk::sandbox::DEFAULT_PARTNER_ID, "type": 2});
    let (status, text) = post(&url, "application/json", body.to_string().as_bytes(), &[]);
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(status, 200);
    // No `format`: Kaltura's default, XML, with the KS as the result text.
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><xml><result>")
            && !text.contains("<error>"),
        "{text}"
    );
}

#[test]
fn the_command_refuses_non_loopback_addresses() {
    let out = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(["sandbox", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args([
            "sandbox",
            "--listen",
            "0",
            "--fail-rate",
            "0.8",
            "--drop-rate",
            "0.8",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "rates adding up past 1 are a usage error"
    );
}

#[test]
fn the_http_limits_are_flags_with_their_defaults_in_help_and_zero_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(["sandbox", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for (flag, default) in [
        ("--max-connections", "256"),
        ("--max-header-kb", "64"),
        ("--max-headers", "100"),
        ("--header-timeout", "30"),
        ("--idle-timeout", "60"),
        ("--max-body-mb", "256"),
    ] {
        let at = help
            .find(flag)
            .unwrap_or_else(|| panic!("{flag} missing from --help:\n{help}"));
        let rest = &help[at..];
        let entry = &rest[..rest[2..].find("\n  -").map_or(rest.len(), |e| e + 2)];
        assert!(
            entry.contains(&format!("[default: {default}]")),
            "{flag}: {entry}"
        );
    }
    assert!(help.contains("--entitlement"), "{help}");
    for flag in ["--max-connections", "--header-timeout", "--idle-timeout"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kbulk"))
            .args(["sandbox", "--listen", "0", flag, "0"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} 0 is a usage error");
    }
}
