//! Throughput of `check` on generated bulk XML of three shapes (pretty-printed items with assets
//! and custom data, one-line items, 2 KB UTF-8 descriptions), each as a ratio to a bare quick-xml
//! event loop over the same file in the same run, and peak memory of the release binary on a
//! 10 MB and a 100 MB file (memory must stay flat in the file size).
//!
//! Run: `cargo bench --bench xml` (KBULK_BENCH_MB sets the files' size, default 100;
//! `KBULK_BENCH_NO_RSS=1` skips the memory runs).
#![allow(clippy::print_stdout)]
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_xml::Reader;
use quick_xml::events::Event;

/// The file shapes the ratio is measured on.
#[derive(Clone, Copy)]
enum Shape {
    /// Pretty-printed items with tags, categories, assets, thumbnails and custom data.
    Bench,
    /// One-line items with a UTF-8 referenceId and one asset (the `benches/rss.sh` shape).
    Compact,
    /// Items whose description is about 2 KB of UTF-8 text with entity references.
    LongText,
}

impl Shape {
    fn label(self) -> &'static str {
        match self {
            Shape::Bench => "bench shape (pretty-printed, assets, custom data)",
            Shape::Compact => "one-line items (benches/rss.sh shape)",
            Shape::LongText => "2 KB UTF-8 descriptions with entities",
        }
    }
}

fn item(shape: Shape, i: u64) -> String {
    match shape {
        Shape::Bench => bench_item(i),
        Shape::Compact => format!(
            "<item><action>add</action><type>1</type><referenceId>r\u{e9}f-{i}</referenceId><name>Video {i}</name><description>Lecture {i} of the course</description><media><mediaType>1</mediaType></media><contentAssets><content><urlContentResource url=\"https://cdn.example.com/v/{i}.mp4\"/></content></contentAssets></item>\n"
        ),
        Shape::LongText => {
            let para = "Der Vortrag behandelt Gr\u{f6}\u{df}en &amp; Ma\u{df}e, caf\u{e9}s et th\u{e9}\u{e2}tres; ";
            format!(
                "  <item>\n    <action>add</action>\n    <type>1</type>\n    <referenceId>ref-{i}</referenceId>\n    <name>Vortrag {i}</name>\n    <description>{}</description>\n    <media>\n      <mediaType>1</mediaType>\n    </media>\n    <contentAssets>\n      <content>\n        <urlContentResource url=\"https://cdn.example.com/v/{i}.mp4\"/>\n      </content>\n    </contentAssets>\n  </item>\n",
                para.repeat(24)
            )
        }
    }
}

fn generate(path: &Path, mb: u64, shape: Shape) -> u64 {
    let mut out = BufWriter::new(File::create(path).expect("create"));
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mrss>\n  <channel>\n")
        .expect("write");
    let mut written = 0u64;
    let mut i = 0u64;
    while written < mb << 20 {
        let item = item(shape, i);
        out.write_all(item.as_bytes()).expect("write");
        written += item.len() as u64;
        i += 1;
    }
    out.write_all(b"  </channel>\n</mrss>\n").expect("write");
    out.flush().expect("flush");
    i
}

fn bench_item(i: u64) -> String {
    format!(
        "    <item>\n      <action>add</action>\n      <type>1</type>\n      <referenceId>ref-{i}</referenceId>\n      <userId>user{u}</userId>\n      <name>Lecture {i}: caf\u{e9} &amp; more</name>\n      <description>Recorded lecture number {i}, with a description long enough to look like a real one written by a person.</description>\n      <tags>\n        <tag>lecture</tag>\n        <tag>term{t}</tag>\n      </tags>\n      <categories>\n        <category>Courses&gt;Term {t}</category>\n      </categories>\n      <startDate>2026-05-01T09:00:00</startDate>\n      <media>\n        <mediaType>1</mediaType>\n      </media>\n      <contentAssets>\n        <content flavorParamsId=\"0\">\n          <urlContentResource url=\"https://cdn.example.com/lectures/{i}.mp4\"/>\n        </content>\n      </contentAssets>\n      <thumbnails>\n        <thumbnail isDefault=\"true\">\n          <urlContentResource url=\"https://cdn.example.com/lectures/{i}.jpg\"/>\n        </thumbnail>\n      </thumbnails>\n      <customDataItems>\n        <customData metadataProfileId=\"12\">\n          <xmlData><metadata><Course>C{t}</Course></metadata></xmlData>\n        </customData>\n      </customDataItems>\n    </item>\n",
        u = i % 97,
        t = i % 7
    )
}

fn bare(path: &Path) -> (Duration, u64) {
    let t = Instant::now();
    let mut reader = Reader::from_reader(BufReader::with_capacity(
        1 << 16,
        File::open(path).expect("open"),
    ));
    let mut buf = Vec::new();
    let mut events = 0u64;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(_) => events += 1,
            Err(e) => panic!("{e}"),
        }
        buf.clear();
    }
    (t.elapsed(), events)
}

fn kbulk(path: &Path) -> (Duration, u64, usize) {
    let t = Instant::now();
    let opts = kbulk::formats::ReadOptions {
        max_records: None,
        ..Default::default()
    };
    let name: Arc<str> = Arc::from(path.display().to_string());
    let report = kbulk::pipeline::read_path(path, name, &opts, &mut kbulk::formats::Discard);
    (t.elapsed(), report.records, report.diagnostics.len())
}

/// Peak resident memory (VmHWM, KiB) of `kbulk check` on `path`, polled from /proc.
fn peak_kib(path: &Path) -> Option<u64> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbulk"))
        .args(["check", "--format", "json", "--max-records", "0"])
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status)
            && let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if child.try_wait().ok()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Some(peak)
}

fn main() {
    let mb: u64 = std::env::var("KBULK_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "| file shape | size | items | findings | bare quick-xml loop | kbulk check | ratio |"
    );
    println!("|---|---|---|---|---|---|---|");
    for shape in [Shape::Bench, Shape::Compact, Shape::LongText] {
        let path = dir.path().join("shape.xml");
        let items = generate(&path, mb, shape);
        let size = std::fs::metadata(&path).expect("size").len() as f64 / (1 << 20) as f64;
        // Warm the page cache, then alternate and take the best of three runs of each.
        let _ = bare(&path);
        let mut best_bare = Duration::MAX;
        let mut best_kbulk = Duration::MAX;
        let (mut records, mut diags) = (0, 0);
        for _ in 0..3 {
            let (t, _events) = bare(&path);
            best_bare = best_bare.min(t);
            let (t, r, d) = kbulk(&path);
            best_kbulk = best_kbulk.min(t);
            records = r;
            diags = d;
        }
        assert_eq!(records, items, "every item read");
        let mbps = |d: Duration| size / d.as_secs_f64();
        println!(
            "| {} | {size:.1} MiB | {items} | {diags} | {:.3} s ({:.1} MiB/s) | {:.3} s ({:.1} MiB/s) | {:.2}× |",
            shape.label(),
            best_bare.as_secs_f64(),
            mbps(best_bare),
            best_kbulk.as_secs_f64(),
            mbps(best_kbulk),
            best_bare.as_secs_f64() / best_kbulk.as_secs_f64()
        );
    }
    if std::env::var_os("KBULK_BENCH_NO_RSS").is_some() {
        return;
    }
    let large = dir.path().join("large.xml");
    let small = dir.path().join("small.xml");
    generate(&large, mb, Shape::Bench);
    generate(&small, (mb / 10).max(1), Shape::Bench);
    let size = std::fs::metadata(&large).expect("size").len() as f64 / (1 << 20) as f64;
    let small_size = std::fs::metadata(&small).expect("size").len() as f64 / (1 << 20) as f64;
    match (peak_kib(&small), peak_kib(&large)) {
        (Some(s), Some(l)) => {
            println!(
                "peak memory (VmHWM) of `kbulk check`: {small_size:.1} MiB file: {:.1} MiB; {size:.1} MiB file: {:.1} MiB",
                s as f64 / 1024.0,
                l as f64 / 1024.0
            );
        }
        _ => println!("peak memory: /proc not available"),
    }
}
