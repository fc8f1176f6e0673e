//! Progress bars: drawn on a terminal, absent when piped. The terminal is a pseudo-terminal made
//! by util-linux `script`, which copies everything the program writes to it to its own stdout.
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::code;

/// Runs `kbulk ARGS` with stdin, stdout and stderr on a pseudo-terminal (`script -qec`); what
/// the terminal showed is the returned stdout. `envs` are set for kbulk (not on its command line).
pub fn under_pty(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut line = String::from(env!("CARGO_BIN_EXE_kbulk"));
    for a in args {
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/._-=:".contains(&b)),
            "keep pty arguments shell-safe: {a}"
        );
        line.push(' ');
        line.push_str(a);
    }
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("COLUMNS", "100")
        .stdin(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output()
        .expect("util-linux `script` runs (apt-get install util-linux)")
}

/// `n` resource rows.
pub fn big_csv(dir: &Path, n: usize) -> std::path::PathBuf {
    let mut text = String::from("*action,name,type,systemName\n");
    for i in 0..n {
        text.push_str(&format!("1,Room {i},location,p-loc-{i}\n"));
    }
    let p = dir.join("big.csv");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn convert_draws_a_bar_on_a_terminal_and_nothing_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_csv(dir.path(), 50_000);
    let out = dir.path().join("big.jsonl");
    let args = [
        "convert",
        input.to_str().unwrap(),
        "--to",
        "jsonl",
        "-o",
        out.to_str().unwrap(),
    ];
    let tty = under_pty(&args, &[]);
    assert_eq!(code(&tty), 0);
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert!(screen.contains("ETA"), "a bar with an ETA: {screen:?}");
    assert!(screen.contains("/s"), "and a rate: {screen:?}");
    assert!(
        screen.contains(" records"),
        "and the records read: {screen:?}"
    );
    assert!(screen.contains("converted 50000 records"), "{screen:?}");

    let piped = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert_eq!(code(&piped), 0);
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(!err.contains("ETA") && !err.contains('\x1b'), "{err:?}");
    assert_eq!(err.trim(), "converted 50000 records: 0 errors, 0 warnings");
    assert!(piped.stdout.is_empty());
    // --quiet on a terminal: no bar either.
    let quiet = under_pty(&[&args[..], &["--quiet"]].concat(), &[]);
    let screen = String::from_utf8_lossy(&quiet.stdout);
    assert!(!screen.contains("ETA"), "{screen:?}");
}

#[test]
fn dropfolder_once_draws_a_files_bar_on_a_terminal_and_nothing_when_piped() {
    let run = |tty: bool| {
        let dir = tempfile::tempdir().unwrap();
        let (inbox, outbox) = (dir.path().join("in"), dir.path().join("out"));
        std::fs::create_dir_all(&inbox).unwrap();
        for i in 0..120 {
            std::fs::write(
                inbox.join(format!("r{i:03}.csv")),
                format!("*action,name,type,systemName\n1,Room {i},location,d-{i}\n"),
            )
            .unwrap();
        }
        let args = [
            "dropfolder",
            inbox.to_str().unwrap(),
            "--to",
            outbox.to_str().unwrap(),
            "--once",
            "--settle",
            "0",
        ];
        let out = if tty {
            under_pty(&args, &[])
        } else {
            Command::new(env!("CARGO_BIN_EXE_kbulk"))
                .args(args)
                .output()
                .unwrap()
        };
        assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 120);
        out
    };
    let tty = run(true);
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert!(
        screen.contains("/120 files"),
        "a bar over the files: {screen:?}"
    );
    assert!(screen.contains("ETA"), "with an ETA: {screen:?}");
    assert!(
        screen.contains("r119.csv: handed over (r119.csv)"),
        "the per-file lines still print: {screen:?}"
    );
    let piped = run(false);
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(!err.contains("ETA") && !err.contains('\x1b'), "{err:?}");
    let text = String::from_utf8_lossy(&piped.stdout);
    assert_eq!(
        text.lines().count(),
        121,
        "120 file lines and the summary: {text}"
    );
}

#[test]
fn check_draws_a_bar_on_a_terminal_and_nothing_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_csv(dir.path(), 200_000);
    let args = ["check", input.to_str().unwrap(), "--max-records", "0"];
    let tty = under_pty(&args, &[]);
    assert_eq!(code(&tty), 0);
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert!(screen.contains("ETA"), "a bar with an ETA: {screen:?}");
    assert!(
        screen.contains(" records"),
        "and the records read: {screen:?}"
    );
    assert!(screen.contains("200000 records: clean"), "{screen:?}");

    let piped = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(code(&piped), 0);
    assert!(
        piped.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&piped.stderr)
    );
    let text = String::from_utf8_lossy(&piped.stdout);
    assert!(!text.contains("ETA") && !text.contains('\x1b'), "{text:?}");
    // --format json on a terminal: the stream only, no bar.
    let json = under_pty(&[&args[..], &["--format", "json"]].concat(), &[]);
    assert!(!String::from_utf8_lossy(&json.stdout).contains("ETA"));
}
