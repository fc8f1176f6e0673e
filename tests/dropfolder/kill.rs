//! Kill harness: the real binary is SIGKILLed at random moments from its first instruction and
//! restarted; from outside, the folders must end as one uninterrupted run leaves them (every
//! input handed over or rejected exactly once, nothing partial ever visible in OUTBOX).
//!
//! Soak: `KBULK_KILL_ROUNDS=500 cargo test --release --test main dropfolder::kill`.
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Folders, names, resources};

/// The mixed inputs: split CSV, LF iCal, an Outlook iCal rewritten in the Kaltura dialect, a `;`
/// CSV, a bad CSV and a duplicate.
fn fill(inbox: &Path) {
    fs::write(inbox.join("a.csv"), resources(9)).unwrap();
    fs::write(inbox.join("dup.csv"), resources(9)).unwrap();
    fs::write(
        inbox.join("semi.csv"),
        "*name;type\r\nS1;camera\r\nS2;camera\r\nS3;camera\r\n",
    )
    .unwrap();
    fs::write(inbox.join("bad.csv"), "*name,type\r\nX,projector\r\n").unwrap();
    let mut ics = String::from("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//EN\n");
    for i in 0..5 {
        ics.push_str(&format!(
            "BEGIN:VEVENT\nUID:e{i}\nDTSTART:2027010{}T100000Z\nDTEND:2027010{}T110000Z\nSUMMARY:E{i}\nEND:VEVENT\n",
            i + 1,
            i + 1
        ));
    }
    ics.push_str("END:VCALENDAR\n");
    fs::write(inbox.join("cal.ics"), ics).unwrap();
    // Outlook style: rewritten in the Kaltura dialect (fold, escape, TZID, alarm), then split.
    let mut outlook = String::from(
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nVERSION:2.0\r\n",
    );
    for i in 0..3 {
        outlook.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:o{i}\r\nSUMMARY:Board {i}\\, room 2\r\nDESCRIPTION:see https://example.org/board/{i} a\r\n nd more\r\n\
DTSTART;TZID=Europe/Paris:2027071{i}T100000\r\nDTEND;TZID=Europe/Paris:2027071{i}T110000\r\n\
BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\nEND:VEVENT\r\n"
        ));
    }
    outlook.push_str("END:VCALENDAR\r\n");
    fs::write(inbox.join("outlook.ics"), outlook).unwrap();
}

/// Every visible file under `dir` with its content.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    names(dir)
        .into_iter()
        .filter(|n| !n.starts_with('.'))
        .map(|n| {
            let bytes = fs::read(dir.join(&n)).unwrap_or_default();
            (n, bytes)
        })
        .collect()
}

fn command(f: &Folders) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kbulk"));
    c.arg("dropfolder")
        .arg(f.inbox())
        .arg("--to")
        .arg(f.outbox())
        .args(["--once", "--settle", "0", "--max-records", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// A small xorshift generator, seeded from the clock (the seed is printed on failure).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn sigkill_at_random_moments_then_restart_hands_over_exactly_once() {
    let want_out = harness(fill, "KBULK_KILL_ROUNDS", 6);
    assert!(want_out.len() >= 9, "{:?}", want_out.keys());
    let piece = String::from_utf8_lossy(&want_out["outlook.part001.ics"]);
    assert!(
        piece.contains("DTSTART:20270710T080000Z") && !piece.contains("VALARM"),
        "{piece}"
    );
}

/// Every sample and the 197 wild iCal files of ../shared/conformance/ics-wild.
fn fill_real_world(inbox: &Path) {
    for dir in ["samples", "../shared/conformance/ics-wild"] {
        for e in fs::read_dir(crate::common::path(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.ends_with(".md") || name.ends_with(".rst") || name.starts_with('.')) {
                fs::copy(&p, inbox.join(&name)).unwrap();
            }
        }
    }
}

/// The "done when" of issue 13 under kills: the folder of mixed real-world files ends as an
/// uninterrupted run leaves it. Soak: `KBULK_KILL_REAL_ROUNDS=20`.
#[test]
fn sigkill_on_a_folder_of_real_world_files_changes_nothing() {
    let want_out = harness(fill_real_world, "KBULK_KILL_REAL_ROUNDS", 2);
    assert!(want_out.len() > 30, "{:?}", want_out.keys());
}

/// Runs `fill`ed folders once without kills, then `rounds` times (from `env`, else
/// `default_rounds`) with three SIGKILLs at random instants and a restart; every round must end
/// as the uninterrupted run. Returns that run's OUTBOX.
fn harness(fill: fn(&Path), env: &str, default_rounds: usize) -> BTreeMap<String, Vec<u8>> {
    let reference = Folders::new();
    fill(&reference.inbox());
    let started = Instant::now();
    assert_eq!(command(&reference).status().unwrap().code(), Some(1));
    let full_run = started.elapsed().as_micros() as u64;
    let want_out = contents(&reference.outbox());
    let want_rejected = contents(&reference.rejected());
    let want_archive = names(&reference.inbox().join(".kbulk/archive"));

    let rounds: usize = std::env::var(env)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_rounds);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    for round in 0..rounds {
        let f = Folders::new();
        fill(&f.inbox());
        for _kill in 0..3 {
            let mut child = command(&f).spawn().unwrap();
            std::thread::sleep(Duration::from_micros(rng.below(full_run)));
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            // Whatever is visible in OUTBOX is complete: a file of the uninterrupted run.
            for (name, bytes) in contents(&f.outbox()) {
                assert_eq!(
                    want_out.get(&name),
                    Some(&bytes),
                    "seed {seed} round {round}: {name}"
                );
            }
        }
        let status = command(&f).status().unwrap();
        assert!(
            matches!(status.code(), Some(0 | 1)),
            "seed {seed} round {round}"
        );
        assert_eq!(contents(&f.outbox()), want_out, "seed {seed} round {round}");
        assert_eq!(
            contents(&f.rejected()),
            want_rejected,
            "seed {seed} round {round}"
        );
        assert_eq!(
            names(&f.inbox().join(".kbulk/archive")),
            want_archive,
            "seed {seed} round {round}"
        );
        let left: Vec<String> = names(&f.inbox())
            .into_iter()
            .filter(|n| !n.starts_with('.'))
            .collect();
        assert!(
            left.is_empty(),
            "seed {seed} round {round}: left in INBOX {left:?}"
        );
    }
    want_out
}
