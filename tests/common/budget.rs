//! The file-level indexes past their memory budget: a file checked with its index in memory
//! and spilled to disk (from the first record, and from the middle of the file) must give the
//! same JSON findings, byte for byte, whatever the thread count.
use super::check_json;

/// A tiny deterministic generator (xorshift), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Checks `content` (written as `name`) with every budget and compares the output; `codes`
/// must be among the findings.
pub fn same_findings_every_budget(name: &str, content: &str, codes: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(name);
    std::fs::write(&f, content).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["--max-records", "0"];
        args.extend_from_slice(extra);
        let (out, rep) = check_json(&f, &args);
        assert!(out.status.code().is_some(), "kbulk ran");
        (out.stdout, rep)
    };
    let (memory, rep) = run(&[]);
    for &code in codes {
        assert!(
            rep.diagnostics.iter().any(|d| d.code == code),
            "the file exercises {code}"
        );
    }
    for extra in [
        &["--memory", "0"][..],
        &["--memory", "40K"],
        &["--memory", "40K", "-j", "1"],
        &["--memory", "0", "-j", "2"],
    ] {
        let (spilled, _) = run(extra);
        assert!(
            spilled == memory,
            "{extra:?} changes the findings:\n{}",
            first_difference(&memory, &spilled)
        );
    }
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    match a.lines().zip(b.lines()).find(|(x, y)| x != y) {
        Some((x, y)) => format!("in memory: {x}\nspilled:   {y}"),
        None => format!("{} lines vs {} lines", a.lines().count(), b.lines().count()),
    }
}
