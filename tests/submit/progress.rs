//! `submit` draws its bar (rows, rate, ETA) on a terminal and nothing when piped.
use kbulk::sandbox::FaultConfig;

use super::*;
use crate::cli::progress::under_pty;

#[test]
fn submit_draws_a_bar_on_a_terminal_and_nothing_when_piped() {
    let h = sandbox(FaultConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let a = csv(dir.path(), "a.csv", &generated_rows(1000, "pa-"));
    let ks = h.admin_ks().expect("ks");
    let url = h.base_url();
    let tty = under_pty(
        &["submit", a.to_str().unwrap(), "--batch-size", "5"],
        &[("KALTURA_SERVICE_URL", &url), ("KALTURA_KS", &ks)],
    );
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert_eq!(code(&tty), 0, "{screen}");
    assert!(
        screen.contains("/1000 rows"),
        "a bar over the rows: {screen:?}"
    );
    assert!(screen.contains("ETA"), "with an ETA: {screen:?}");
    assert!(!screen.contains(&ks), "no KS on the terminal");
    assert_exactly_once(&h, 1000, "pa-");

    let b = csv(dir.path(), "b.csv", &generated_rows(1000, "pb-"));
    let mut cmd = submit_cmd(&h, &[b.to_str().unwrap(), "--batch-size", "5"]);
    cmd.env_remove("NO_COLOR");
    let piped = run(cmd);
    assert_eq!(code(&piped), 0, "{}", text(&piped));
    for stream in [&piped.stdout, &piped.stderr] {
        let s = String::from_utf8_lossy(stream);
        assert!(!s.contains("ETA") && !s.contains('\x1b'), "{s:?}");
    }
    assert!(String::from_utf8_lossy(&piped.stdout).contains("1000 done"));
}
