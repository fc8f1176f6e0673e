//! `kbulk fix` and `kbulk dropfolder`: repairs of files as Excel, Google, LibreOffice and Outlook
//! write them, splitting, settle, drop-folder media, duplicates and a kill harness.
mod kill;
mod mixed;
mod wild;

use std::fs;
use std::path::Path;

use crate::common::{code, kbulk};

/// Runs `kbulk check --format json` on `path` and returns the finding codes.
pub fn findings(path: &Path) -> Vec<String> {
    let out = kbulk([
        "check".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        path.as_os_str(),
    ]);
    crate::common::report(&out)
        .diagnostics
        .into_iter()
        .map(|d| d.code)
        .collect()
}

/// Fixes `name` holding `bytes` into an `out` folder and returns the fixed bytes, after
/// checking that a second `fix` changes nothing.
fn fix_bytes(name: &str, bytes: &[u8]) -> (Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(name);
    fs::write(&input, bytes).unwrap();
    let out_dir = dir.path().join("out");
    let out = kbulk([
        "fix".as_ref(),
        input.as_os_str(),
        "--out".as_ref(),
        out_dir.as_os_str(),
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let fixed_path = out_dir.join(name);
    let fixed = fs::read(&fixed_path).unwrap();
    let again = kbulk([
        "fix".as_ref(),
        fixed_path.as_os_str(),
        "--in-place".as_ref(),
    ]);
    assert_eq!(code(&again), 0);
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to repair"));
    assert_eq!(
        fs::read(&fixed_path).unwrap(),
        fixed,
        "fix twice changes nothing"
    );
    let codes = findings(&fixed_path);
    assert!(codes.is_empty(), "fixed file has findings: {codes:?}");
    (fixed, stdout)
}

/// UTF-16LE with a BOM, as Excel's "Unicode text" export writes.
fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    b
}

#[test]
fn excel_unicode_text_becomes_utf8_comma_csv() {
    let text = "*name\ttype\tdescription\r\nSalle Fauré\tcamera\t\"a, b\"\r\n";
    let (fixed, said) = fix_bytes("rooms.csv", &utf16le_bom(text));
    assert_eq!(
        String::from_utf8(fixed).unwrap(),
        "*name,type,description\r\nSalle Fauré,camera,\"a, b\"\r\n"
    );
    assert!(
        said.contains("fix::utf16") && said.contains("fix::delimiter"),
        "{said}"
    );
}

#[test]
fn excel_cp1252_semicolon_csv_becomes_utf8_comma_csv() {
    let mut bytes = b"*name;type;description\r\nSalle Faur".to_vec();
    bytes.push(0xE9); // é in Windows-1252
    bytes.extend_from_slice(b";camera;\"say \"\"hi\"\"; now\"\r\n");
    let (fixed, said) = fix_bytes("rooms.csv", &bytes);
    assert_eq!(
        String::from_utf8(fixed).unwrap(),
        // fgetcsv reads a quote that does not start a cell literally: no quoting needed.
        "*name,type,description\r\nSalle Fauré,camera,say \"hi\"; now\r\n"
    );
    assert!(said.contains("fix::windows-1252"), "{said}");
}

#[test]
fn libreoffice_quoted_semicolon_csv_is_rewritten() {
    let bytes = b"*name;type\n\"Room 1\";\"camera\"\n\"Room; 2\";\"camera\"\n";
    let (fixed, _) = fix_bytes("lo.csv", bytes);
    assert_eq!(fixed, b"*name,type\nRoom 1,camera\nRoom; 2,camera\n");
}

#[test]
fn google_lf_ical_gets_crlf() {
    let ics = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\n\
BEGIN:VEVENT\nUID:g1@google.com\nDTSTART:20270105T100000Z\nDTEND:20270105T110000Z\n\
SUMMARY:Lecture\nEND:VEVENT\nEND:VCALENDAR\n";
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.ics");
    fs::write(&raw, ics).unwrap();
    assert!(!findings(&raw).is_empty(), "the LF-only file has a finding");
    let (fixed, said) = fix_bytes("google.ics", ics.as_bytes());
    assert_eq!(String::from_utf8(fixed).unwrap(), ics.replace('\n', "\r\n"));
    assert!(said.contains("fix::crlf"));
}

#[test]
fn google_calendar_export_is_rewritten_and_checks_clean() {
    // Google Calendar: LF endings, local times with TZID, folded descriptions, escaped commas,
    // a reminder (VALARM) inside the event.
    let ics = "BEGIN:VCALENDAR\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nVERSION:2.0\n\
CALSCALE:GREGORIAN\nMETHOD:PUBLISH\nX-WR-CALNAME:Lectures\nX-WR-TIMEZONE:Europe/Berlin\n\
BEGIN:VEVENT\nDTSTART;TZID=Europe/Berlin:20270315T090000\nDTEND;TZID=Europe/Berlin:20270315T103000\n\
DTSTAMP:20261201T120000Z\nUID:3j4k5l6m7n@google.com\nCREATED:20261130T100000Z\n\
DESCRIPTION:Slides: https://example.edu/slides/lecture-1.pdf and the reading list is o\n n the course page\n\
LAST-MODIFIED:20261130T100000Z\nLOCATION:Hall A\\, Building 3\n\
SEQUENCE:0\nSUMMARY:Lecture 1\\; Introduction\nTRANSP:OPAQUE\n\
BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:This is an event reminder\nTRIGGER:-P0DT0H10M0S\nEND:VALARM\n\
END:VEVENT\nEND:VCALENDAR\n";
    let (fixed, said) = fix_bytes("google-tz.ics", ics.as_bytes());
    let fixed = String::from_utf8(fixed).unwrap();
    for c in [
        "fix::crlf",
        "fix::ical-folds",
        "fix::ical-escapes",
        "fix::ical-utc",
        "fix::ical-nested",
    ] {
        assert!(said.contains(c), "{c} missing: {said}");
    }
    for line in [
        "DTSTART:20270315T080000Z\r\nDTEND:20270315T093000Z\r\n",
        "DESCRIPTION:Slides: https://example.edu/slides/lecture-1.pdf and the reading list is on the course page\r\n",
        "LOCATION:Hall A, Building 3\r\n",
        "SUMMARY:Lecture 1; Introduction\r\n",
        "X-WR-TIMEZONE:Europe/Berlin\r\n",
    ] {
        assert!(fixed.contains(line), "{line:?} missing:\n{fixed}");
    }
    assert!(!fixed.contains("VALARM"), "{fixed}");
}

#[test]
fn outlook_ical_is_rewritten_in_the_kaltura_dialect() {
    // Outlook writes CRLF (the sample is stored with LF), with escapes, folded lines, Windows
    // zone names and alarms inside events.
    let sample = fs::read_to_string(crate::common::path("samples/events-outlook.ics")).unwrap();
    let bytes = sample
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("o.ics");
    fs::write(&input, &bytes).unwrap();
    let before = findings(&input);
    let out = kbulk(["fix".as_ref(), input.as_os_str(), "--in-place".as_ref()]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    // The weekly series names a zone kbulk cannot resolve: left alone, so exit 1.
    assert_eq!(code(&out), 1, "{said}");
    for c in [
        "fix::ical-folds",
        "fix::ical-escapes",
        "fix::ical-utc",
        "fix::ical-nested",
        "fix::left-alone",
    ] {
        assert!(said.contains(c), "{c} missing: {said}");
    }
    let fixed = String::from_utf8(fs::read(&input).unwrap()).unwrap();
    for line in [
        "SUMMARY:Board meeting, Q3 review\r\n",
        "DESCRIPTION:Agenda and minutes are at https://intranet.example.org/board/q3 and the dial-in number is in the invitation\r\n",
        "DTSTART:20270715T140000Z\r\nDTEND:20270715T153000Z\r\n",
        "DTSTART;TZID=\"(UTC-05:00) Eastern Time (US & Canada)\":20270105T090000\r\n",
        "BEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\n",
    ] {
        assert!(fixed.contains(line), "{line:?} missing:\n{fixed}");
    }
    assert!(
        !fixed.contains("VALARM") && !fixed.contains("Reminder"),
        "{fixed}"
    );
    let after = findings(&input);
    for gone in [
        "ical::folded-line",
        "ical::escaped-text",
        "ical::nested-component",
    ] {
        assert!(
            before.iter().any(|c| c == gone),
            "{gone} before: {before:?}"
        );
        assert!(!after.iter().any(|c| c == gone), "{gone} after: {after:?}");
    }
    for c in &after {
        let n = |v: &[String]| v.iter().filter(|x| *x == c).count();
        assert!(
            n(&after) <= n(&before),
            "new finding {c}: {before:?} -> {after:?}"
        );
    }
    let again = kbulk(["fix".as_ref(), input.as_os_str(), "--in-place".as_ref()]);
    assert_eq!(code(&again), 1, "the series is still left alone");
    assert_eq!(
        fs::read_to_string(&input).unwrap(),
        fixed,
        "fix twice changes nothing"
    );
}

/// Cells that PHP fgetcsv reads differently from RFC 4180: quotes, delimiters, line breaks and
/// backslashes before quotes or at a value's end.
const AWKWARD: &[&str] = &[
    "Room \"A\"",
    "a,b",
    "a;b",
    "two\r\nlines",
    "lf\nonly",
    "C:\\dir\\",
    "C:\\dir\\, two",
    "say \\\"hi\\\"",
    "say \\\"hi\\\", twice",
    "  \"lead",
    "x\\\\\"y",
    "tail\\\\",
    "",
];

#[test]
fn delimiter_rewrite_requotes_what_fgetcsv_reads_differently() {
    // The source as Excel writes it with `;`: RFC quoting, quotes doubled, no backslash escape.
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> =
        vec![vec!["*name".into(), "type".into(), "description".into()]];
    for (i, cell) in AWKWARD.iter().enumerate() {
        rows.push(vec![
            cell.to_string(),
            "camera".into(),
            format!("{i}{cell}"),
        ]);
        rows.push(vec![format!("r{i}"), cell.to_string(), cell.to_string()]);
    }
    for r in &rows {
        w.write_record(r).unwrap();
    }
    let source = w.into_inner().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("awkward.csv");
    fs::write(&input, &source).unwrap();
    let out = kbulk(["fix".as_ref(), input.as_os_str(), "--in-place".as_ref()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 0, "{said}");
    assert!(
        said.contains("fix::delimiter") && !said.contains("left-alone"),
        "{said}"
    );
    let fixed = fs::read(&input).unwrap();
    let read = kbulk::dropfolder::requote::read_like_fgetcsv(&fixed);
    assert_eq!(
        read.len(),
        rows.len(),
        "{}",
        String::from_utf8_lossy(&fixed)
    );
    for (i, (got, want)) in read.iter().zip(&rows).enumerate() {
        let want: Vec<&[u8]> = want.iter().map(|c| c.as_bytes()).collect();
        assert_eq!(
            got,
            &want,
            "record {i} of\n{}",
            String::from_utf8_lossy(&fixed)
        );
    }
    // Fixing again changes nothing.
    let again = kbulk(["fix".as_ref(), input.as_os_str(), "--in-place".as_ref()]);
    assert_eq!(code(&again), 0);
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to repair"));
    assert_eq!(fs::read(&input).unwrap(), fixed);
}

/// An INBOX/OUTBOX pair in a temporary folder.
pub struct Folders {
    pub dir: tempfile::TempDir,
}

impl Folders {
    pub fn new() -> Self {
        let f = Folders {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir(f.inbox()).unwrap();
        f
    }
    pub fn inbox(&self) -> std::path::PathBuf {
        self.dir.path().join("in")
    }
    pub fn outbox(&self) -> std::path::PathBuf {
        self.dir.path().join("out")
    }
    pub fn rejected(&self) -> std::path::PathBuf {
        self.dir.path().join("rejected")
    }
    /// `kbulk dropfolder INBOX --to OUTBOX --once --settle 0 --format json` plus `extra`.
    pub fn once(&self, extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
        let mut args: Vec<std::ffi::OsString> = vec![
            "dropfolder".into(),
            self.inbox().into(),
            "--to".into(),
            self.outbox().into(),
            "--once".into(),
            "--format".into(),
            "json".into(),
        ];
        if !extra.contains(&"--settle") {
            args.extend(["--settle".into(), "0".into()]);
        }
        args.extend(extra.iter().map(|s| s.into()));
        let out = kbulk(args);
        // Every line is in the one stream schema, and the last is the summary with the exit code.
        let events = crate::cli::stream::validated(&String::from_utf8(out.stdout.clone()).unwrap());
        let (summary, steps) = events.split_last().expect("a summary line");
        assert_eq!(summary["type"], "summary", "{summary}");
        assert_eq!(summary["exit_code"], code(&out), "{summary}");
        assert!(steps.iter().all(|e| e["type"] == "event"), "{events:?}");
        (code(&out), events)
    }
}

/// Sorted names in `dir`.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A resource CSV with `n` rows named `R0`, `R1`, ….
pub fn resources(n: usize) -> String {
    let mut s = String::from("*name,type,description\r\n");
    for i in 0..n {
        s.push_str(&format!("R{i},camera,row {i}\r\n"));
    }
    s
}

#[test]
fn split_round_trip_keeps_every_record_once_in_order() {
    let f = Folders::new();
    let input = resources(7);
    fs::write(f.inbox().join("big.csv"), &input).unwrap();
    let (rc, events) = f.once(&["--max-records", "3"]);
    assert_eq!(rc, 0);
    assert_eq!(
        names(&f.outbox()),
        ["big.part001.csv", "big.part002.csv", "big.part003.csv"]
    );
    let mut rows = Vec::new();
    for n in names(&f.outbox()) {
        let piece = fs::read_to_string(f.outbox().join(&n)).unwrap();
        let mut lines = piece.lines();
        assert_eq!(
            lines.next(),
            Some("*name,type,description"),
            "{n} repeats the header"
        );
        rows.extend(lines.map(str::to_string));
        assert!(findings(&f.outbox().join(&n)).is_empty());
    }
    let want: Vec<String> = input.lines().skip(1).map(str::to_string).collect();
    assert_eq!(rows, want);
    assert_eq!(events.last().unwrap()["handed_over"], 1);
    assert_eq!(names(&f.inbox().join(".kbulk/archive")), ["big.csv"]);
}

#[test]
fn bad_files_are_rejected_with_reports_and_duplicates_handed_over_once() {
    let f = Folders::new();
    fs::write(f.inbox().join("a.csv"), resources(2)).unwrap();
    fs::write(f.inbox().join("b.csv"), resources(2)).unwrap();
    fs::write(f.inbox().join("bad.csv"), "*name,type\r\nX,projector\r\n").unwrap();
    fs::write(f.inbox().join(".hidden.csv"), resources(1)).unwrap();
    fs::write(f.inbox().join("c.csv.part"), resources(1)).unwrap();
    let (rc, events) = f.once(&[]);
    assert_eq!(rc, 1);
    assert_eq!(names(&f.outbox()), ["a.csv"]);
    assert_eq!(
        names(&f.rejected()),
        ["bad.csv", "bad.csv.report.jsonl", "bad.csv.report.txt"]
    );
    let jsonl = fs::read_to_string(f.rejected().join("bad.csv.report.jsonl")).unwrap();
    assert!(
        jsonl
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    assert!(jsonl.contains("\"severity\":\"error\""));
    assert!(
        fs::read_to_string(f.rejected().join("bad.csv.report.txt"))
            .unwrap()
            .contains("bad.csv:2:")
    );
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "duplicate" && e["file"] == "b.csv")
    );
    assert_eq!(names(&f.inbox().join(".kbulk/archive")), ["a.csv", "b.csv"]);
    assert!(f.inbox().join(".hidden.csv").exists() && f.inbox().join("c.csv.part").exists());
    // The same content dropped again later is archived, not handed over.
    fs::write(f.inbox().join("again.csv"), resources(2)).unwrap();
    let (rc, _) = f.once(&[]);
    assert_eq!(rc, 0);
    assert_eq!(names(&f.outbox()), ["a.csv"]);
}

#[test]
fn a_file_written_slowly_is_not_claimed_early() {
    let f = Folders::new();
    let path = f.inbox().join("slow.csv");
    let full = resources(12);
    let writer = {
        let (path, full) = (path.clone(), full.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            let mut file = fs::File::create(&path).unwrap();
            for line in full.split_inclusive('\n') {
                file.write_all(line.as_bytes()).unwrap();
                file.flush().unwrap();
                std::thread::sleep(std::time::Duration::from_millis(150));
            }
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (rc, _) = f.once(&["--settle", "1"]);
    writer.join().unwrap();
    assert_eq!(rc, 0);
    assert_eq!(
        fs::read_to_string(f.outbox().join("slow.csv")).unwrap(),
        full
    );
}

/// A drop-folder XML naming `media` with `resource` inside the content resource.
fn drop_xml(media: &str, resource: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mrss>\n  <channel>\n    <item>\n      \
<action>add</action>\n      <type>1</type>\n      <contentAssets><content>\
<dropFolderFileContentResource filePath=\"{media}\">{resource}</dropFolderFileContentResource>\
</content></contentAssets>\n    </item>\n  </channel>\n</mrss>\n"
    )
}

#[test]
fn drop_folder_xml_media_present_missing_and_mismatched() {
    let f = Folders::new();
    fs::write(f.inbox().join("a.mp4"), b"0123456789").unwrap();
    fs::write(f.inbox().join("b.mp4"), b"0123456789").unwrap();
    fs::write(
        f.inbox().join("good.xml"),
        drop_xml("a.mp4", "<fileSize>10</fileSize>"),
    )
    .unwrap();
    let md5 = "781e5e245d69b566979b86e28d23f2c7"; // md5("0123456789")
    fs::write(
        f.inbox().join("sum.xml"),
        drop_xml(
            "b.mp4",
            &format!("<fileChecksum type=\"md5\">{md5}</fileChecksum>"),
        ),
    )
    .unwrap();
    fs::write(f.inbox().join("lost.xml"), drop_xml("nowhere.mp4", "")).unwrap();
    fs::write(
        f.inbox().join("size.xml"),
        drop_xml("a.mp4", "<fileSize>11</fileSize>"),
    )
    .unwrap();
    let (rc, events) = f.once(&[]);
    assert_eq!(rc, 1);
    assert_eq!(
        names(&f.outbox()),
        ["a.mp4", "b.mp4", "good.xml", "sum.xml"]
    );
    let handed: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "handed-over")
        .collect();
    assert_eq!(
        handed[0]["outputs"],
        serde_json::json!(["a.mp4", "good.xml"])
    );
    let lost = fs::read_to_string(f.rejected().join("lost.xml.report.jsonl")).unwrap();
    assert!(lost.contains("dropfolder::media-missing"));
    let size = fs::read_to_string(f.rejected().join("size.xml.report.jsonl")).unwrap();
    assert!(size.contains("dropfolder::media-mismatch") && size.contains("Xml size [11]"));
}

#[test]
fn fix_in_place_leaves_only_the_fixed_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("semi.csv");
    fs::write(&input, "*name;type\r\nA;camera\r\n").unwrap();
    let out = kbulk(["fix".as_ref(), input.as_os_str(), "--in-place".as_ref()]);
    assert_eq!(code(&out), 0);
    assert_eq!(names(dir.path()), ["semi.csv"], "no temporary left behind");
    assert_eq!(fs::read(&input).unwrap(), b"*name,type\r\nA,camera\r\n");
}

#[test]
fn once_prints_one_line_per_file_and_a_summary() {
    let f = Folders::new();
    fs::write(
        f.inbox().join("semi.csv"),
        "*name;type\r\nS1;camera\r\nS2;camera\r\nS3;camera\r\n",
    )
    .unwrap();
    fs::write(f.inbox().join("bad.csv"), "*name,type\r\nX,projector\r\n").unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["dropfolder".into(), f.inbox().into()];
    args.extend(["--to".into(), f.outbox().into(), "--once".into()]);
    args.extend(["--settle", "0", "--max-records", "2"].map(Into::into));
    let out = kbulk(args);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8(out.stdout).unwrap();
    let want = [
        "semi.csv: fixed 1 (fix::delimiter), split into 2, handed over (semi.part001.csv, semi.part002.csv)",
        "bad.csv: rejected, 1 error(s), first resource::unknown-type (see bad.csv.report.txt)",
        "dropfolder: 1 handed over, 1 rejected, 0 duplicate(s)",
    ];
    let mut got: Vec<&str> = text.lines().collect();
    got.sort();
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(got, want, "one line per file, then the summary");
    let missing = f.dir.path().join("nowhere");
    let usage = kbulk([
        "dropfolder".as_ref(),
        missing.as_os_str(),
        "--to".as_ref(),
        f.outbox().as_os_str(),
        "--once".as_ref(),
    ]);
    assert_eq!(code(&usage), 2, "a missing INBOX is a usage error");
}

#[test]
fn explain_knows_the_new_codes() {
    for c in [
        "fix::utf16",
        "fix::delimiter",
        "fix::ical-folds",
        "fix::ical-escapes",
        "fix::ical-utc",
        "fix::ical-nested",
        "fix::ical-geo",
        "fix::ical-end",
        "dropfolder::media-missing",
    ] {
        assert_eq!(code(&kbulk(["explain", c])), 0, "{c}");
    }
}

#[test]
fn watch_mode_hands_over_new_files_and_stops_on_sigterm() {
    watch_mode(&["--poll"]);
}

#[test]
fn watch_mode_wakes_on_file_system_events() {
    // Without --poll kbulk sleeps until inotify reports a change; its safety rescan comes only
    // after 30 s, and the wait below gives up after 25 s, so the handover proves the event woke it.
    watch_mode(&[]);
}

fn watch_mode(extra: &[&str]) {
    let f = Folders::new();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .arg("dropfolder")
        .arg(f.inbox())
        .arg("--to")
        .arg(f.outbox())
        .args(["--settle", "0.2"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Let the first (empty) pass finish so the file arrives while kbulk waits.
    std::thread::sleep(std::time::Duration::from_millis(500));
    fs::write(f.inbox().join("late.csv"), resources(3)).unwrap();
    let target = f.outbox().join("late.csv");
    for _ in 0..250 {
        if target.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), resources(3));
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("late.csv: handed over"), "{stdout}");
    assert!(
        stdout.contains("dropfolder: 1 handed over, 0 rejected"),
        "{stdout}"
    );
}

#[test]
fn watch_mode_waits_for_media_then_rejects_after_the_media_timeout() {
    let f = Folders::new();
    fs::write(f.inbox().join("early.xml"), drop_xml("late.mp4", "")).unwrap();
    fs::write(f.inbox().join("lost.xml"), drop_xml("never.mp4", "")).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .arg("dropfolder")
        .arg(f.inbox())
        .arg("--to")
        .arg(f.outbox())
        .args(["--settle", "0", "--poll", "--media-timeout", "3"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The media of early.xml arrives within its timeout: both are handed over, media first.
    std::thread::sleep(std::time::Duration::from_millis(800));
    fs::write(f.inbox().join("late.mp4"), b"video").unwrap();
    let report = f.rejected().join("lost.xml.report.jsonl");
    for _ in 0..150 {
        if report.exists() && f.outbox().join("early.xml").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert!(f.outbox().join("late.mp4").exists() && f.outbox().join("early.xml").exists());
    assert!(
        fs::read_to_string(&report)
            .unwrap()
            .contains("dropfolder::media-missing"),
        "never.mp4 is missing once the timeout passed"
    );
    assert!(!f.outbox().join("lost.xml").exists());
    assert_eq!(out.status.code(), Some(1), "a file was rejected");
}
