//! iCal `check` throughput against the `icalendar` crate's parser on generated calendars of three
//! shapes (the bench's Kaltura events, short events, folded UTF-8 descriptions), in the same run,
//! and peak memory of the release `kbulk check` on files of 10,000 and 100,000 events (memory
//! must not grow with the file).
//!
//! Run: `cargo bench --bench ical` (optionally `-- EVENTS`, default 100000;
//! `KBULK_BENCH_NO_RSS=1` skips the memory runs).
#![allow(clippy::print_stdout)]
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use kbulk::formats::{Discard, ReadOptions};

/// The file shapes the ratio is measured on.
#[derive(Clone, Copy)]
enum Shape {
    /// [`generate`]: summaries, descriptions, locations, Kaltura properties, a fifth recurring.
    Bench,
    /// Short events: UID, SUMMARY, two dates and a LOCATION (the `benches/rss.sh` shape).
    Short,
    /// A 600-byte UTF-8 DESCRIPTION folded at 75 octets, as exporters write it.
    Folded,
}

impl Shape {
    fn label(self) -> &'static str {
        match self {
            Shape::Bench => "bench shape (Kaltura properties, a fifth recurring)",
            Shape::Short => "short events (benches/rss.sh shape)",
            Shape::Folded => "600-byte UTF-8 descriptions folded at 75 octets",
        }
    }
}

/// Folds a content line before 75 octets, never inside a UTF-8 character nor next to a space
/// (the server would drop that space: a finding), CRLF-terminated.
fn fold_into(s: &mut String, line: &str) {
    let (mut width, mut prev) = (0, 'x');
    for c in line.chars() {
        let w = width + c.len_utf8();
        if w > 75 || (w > 66 && c != ' ' && prev != ' ') {
            s.push_str("\r\n ");
            width = 1;
        }
        s.push(c);
        width += c.len_utf8();
        prev = c;
    }
    s.push_str("\r\n");
}

fn generate_shape(path: &Path, n: usize, shape: Shape) {
    if let Shape::Bench = shape {
        return generate(path, n);
    }
    let mut s = String::with_capacity(n * 700);
    s.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kbulk bench//EN\r\n");
    for i in 0..n {
        let d = 1 + i % 28;
        let _ = write!(
            s,
            "BEGIN:VEVENT\r\nUID:event-{i}@example.org\r\nSUMMARY:Lecture {i}\r\n\
DTSTART:202709{d:02}T080000Z\r\nDTEND:202709{d:02}T090000Z\r\nLOCATION:Room {}\r\n",
            i % 97
        );
        if let Shape::Folded = shape {
            let text = "Vorlesung \u{fc}ber Gr\u{f6}\u{df}en und Ma\u{df}e, caf\u{e9} et th\u{e9}\u{e2}tre; ";
            fold_into(&mut s, &format!("DESCRIPTION:{} {i}", text.repeat(8)));
        }
        s.push_str("END:VEVENT\r\n");
    }
    s.push_str("END:VCALENDAR\r\n");
    std::fs::write(path, s).unwrap();
}

/// Writes a calendar of `n` events, as an exporter would (CRLF, UTC times, a fifth recurring).
fn generate(path: &Path, n: usize) {
    let mut s = String::with_capacity(n * 330);
    s.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kbulk bench//EN\r\n");
    for i in 0..n {
        let day = i % 28 + 1;
        let hour = i % 10 + 8;
        let _ = write!(
            s,
            "BEGIN:VEVENT\r\nUID:bench-{i}@example.org\r\nSUMMARY:Lecture {i}: algorithms and data structures\r\n\
DESCRIPTION:Recorded lecture number {i} in room {}; bring the slides\r\nLOCATION:Building {} room {}\r\n\
DTSTART:202707{day:02}T{hour:02}0000Z\r\nDTEND:202707{day:02}T{hour:02}5000Z\r\n\
X-KALTURA-TAGS:lecture,course-{}\r\nX-KALTURA-CATEGORY-IDS:{}\r\n",
            i % 40,
            i % 7,
            i % 300,
            i % 50,
            1000 + i % 90
        );
        if i % 5 == 0 {
            s.push_str("RRULE:FREQ=WEEKLY;COUNT=12;BYDAY=MO,WE\r\n");
        }
        s.push_str("END:VEVENT\r\n");
    }
    s.push_str("END:VCALENDAR\r\n");
    std::fs::write(path, s).unwrap();
}

fn kbulk_read(path: &Path) -> (u64, usize) {
    let opts = ReadOptions {
        import_time: Some("2027-01-15T12:00:00Z".parse().unwrap()),
        ..ReadOptions::default()
    };
    let report = kbulk::pipeline::read_path(path, Arc::from("bench.ics"), &opts, &mut Discard);
    (report.records, report.diagnostics.len())
}

fn icalendar_parse(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let unfolded = icalendar::parser::unfold(&text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("icalendar parses the file");
    cal.components.len()
}

/// Best of `runs` timings, in seconds.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(v);
    }
    (best, last.unwrap())
}

/// Peak resident memory (KiB) of `kbulk check FILE`, measured by a fresh, small copy of this
/// bench (`--peak FILE`) so that no page of this big process is counted.
fn peak_kib(file: &Path) -> i64 {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--peak", file.to_str().unwrap()])
        .output()
        .expect("the bench re-runs itself");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a KiB count")
}

/// `--peak FILE`: runs `kbulk check FILE` and prints its peak resident memory in KiB.
fn child_peak_kib(file: &Path) -> i64 {
    let status = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args([
            "check",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--import-date",
            "2027-01-15",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("kbulk runs");
    assert!(status.code().is_some());
    // SAFETY: getrusage only writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    ru.ru_maxrss
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--peak") {
        println!("{}", child_peak_kib(Path::new(&args[2])));
        return;
    }
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    println!(
        "| file shape | events | size | findings | kbulk check (library) | icalendar parse (unfold + read_calendar) | kbulk faster by |"
    );
    println!("|---|---|---|---|---|---|---|");
    for shape in [Shape::Bench, Shape::Short, Shape::Folded] {
        let path = dir.path().join("shape.ics");
        generate_shape(&path, n, shape);
        let size = std::fs::metadata(&path).unwrap().len() as f64 / (1 << 20) as f64;
        let (t_kbulk, (records, diags)) = best(5, || kbulk_read(&path));
        let (t_ical, comps) = best(3, || icalendar_parse(&path));
        assert_eq!(records as usize, n);
        assert_eq!(comps, n);
        println!(
            "| {} | {n} | {size:.1} MiB | {diags} | {t_kbulk:.3} s ({:.1} MiB/s) | {t_ical:.3} s ({:.1} MiB/s) | {:.1}× |",
            shape.label(),
            size / t_kbulk,
            size / t_ical,
            t_ical / t_kbulk
        );
    }
    if std::env::var_os("KBULK_BENCH_NO_RSS").is_some() {
        return;
    }
    let big = dir.path().join("big.ics");
    let small = dir.path().join("small.ics");
    generate(&big, n);
    generate(&small, n / 10);
    let small_kib = peak_kib(&small);
    let big_kib = peak_kib(&big);
    println!(
        "peak memory of `kbulk check`: {:.1} MiB for {} events, {:.1} MiB for {n} events",
        small_kib as f64 / 1024.0,
        n / 10,
        big_kib as f64 / 1024.0
    );
}
