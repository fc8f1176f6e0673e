//! Start-up is crash-safe: `session.start` is retried through 503s, `--resume` without a journal
//! starts afresh (saying so), an unreadable journal is named with how to start over, and a
//! journal is created whole or not at all.
use kbulk::sandbox::{DEFAULT_ADMIN_SECRET, DEFAULT_PARTNER_ID, FaultConfig};
use kbulk::submit::auth::{Credentials, Secret};
use kbulk::submit::journal::Journal;

use super::*;

/// Options that open a session with `session.start` and `secret`.
fn admin_options(h: &SandboxHandle, journal: PathBuf, secret: &str) -> SubmitOptions {
    let mut opts = options(h, journal);
    opts.credentials = Credentials::AdminSecret {
        partner_id: DEFAULT_PARTNER_ID,
        secret: Secret::new(secret),
        user_id: String::new(),
    };
    opts
}

#[test]
fn session_start_is_retried_through_busy_replies() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "s.csv", &generated_rows(50, "s-"));
    let opts = admin_options(&h, dir.path().join("s.journal"), DEFAULT_ADMIN_SECRET);
    h.set_faults(FaultConfig {
        seed: 11,
        fail_rate: 0.5,
        ..FaultConfig::default()
    })
    .unwrap();
    let result = kbulk::submit::submit(&checked(&[&file]), &opts, &mut |_| {}).expect("runs");
    let stats = h.stats();
    h.set_faults(FaultConfig::default()).unwrap();
    assert!(stats.failed > 0, "503s happened");
    assert!(stats.calls.get("session.start").copied().unwrap_or(0) >= 1);
    assert_eq!(result.counts(), (50, 0, 0));
    assert_exactly_once(&h, 50, "s-");
}

#[test]
fn a_wrong_secret_fails_fast_with_the_servers_code() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "w.csv", &generated_rows(3, "w-"));
    let opts = admin_options(&h, dir.path().join("w.journal"), "not-the-secret");
    let err = kbulk::submit::submit(&checked(&[&file]), &opts, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("session.start"), "{err}");
    assert_eq!(h.stats().calls.get("session.start").copied(), Some(1));
    assert!(!dir.path().join("w.journal").exists());
}

#[test]
fn resume_without_a_journal_starts_afresh() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "r.csv", &generated_rows(5, "r-"));
    let out = run(submit_cmd(&h, &[file.to_str().unwrap(), "--resume"]));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("starts afresh").count(),
        1,
        "said once: {stderr}"
    );
    assert_exactly_once(&h, 5, "r-");
}

#[test]
fn an_unreadable_journal_is_named_and_never_reused() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let file = csv(dir.path(), "u.csv", &generated_rows(5, "u-"));
    let journal = dir.path().join("u.csv.kbulk-journal");
    std::fs::write(
        &journal,
        "this is not a database, it is a text file of some length",
    )
    .unwrap();
    let out = run(submit_cmd(&h, &[file.to_str().unwrap(), "--resume"]));
    assert_eq!(code(&out), 2, "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("u.csv.kbulk-journal") && all.contains("delete the journal"),
        "{all}"
    );
    assert_eq!(all_resources(&h).1, 0, "nothing sent");
}

#[test]
fn a_created_journal_is_complete_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.journal");
    let j = Journal::create(
        &path,
        &[("service_url", "http://x/api_v3")],
        &[(Path::new("a.csv"), "abc", vec![1, 2, 3])],
    )
    .unwrap();
    assert_eq!(j.inputs().unwrap().len(), 1);
    assert_eq!(j.rows().unwrap().len(), 3);
    assert_eq!(
        j.meta("service_url").unwrap().as_deref(),
        Some("http://x/api_v3")
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}
