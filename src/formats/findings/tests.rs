//! Unit tests of the findings stream: ordering, spilling runs to disk and their encoding.
use super::*;

static A: Code = Code {
    name: "test::a",
    severity: Severity::Error,
    impact: crate::diag::Impact::Rejected,
    summary: "a",
    explanation: "a",
};
static B: Code = Code {
    name: "test::b",
    severity: Severity::Warning,
    impact: crate::diag::Impact::Silent,
    summary: "b",
    explanation: "b",
};

fn at(code: &'static Code, pos: u64, msg: &str, n: u64) -> Diagnostic {
    let file: Arc<str> = Arc::from("f");
    Diagnostic::new(code, &file, msg)
        .label(
            Span::new(pos, pos + 1),
            LineCol { line: n, column: 1 },
            "here",
        )
        .row(n)
}

/// Pushes the same findings through a `Findings` (with the given watermarks per chunk) and
/// through one sort; the two orders must be equal, whatever spills.
fn same_as_one_sort(chunks: Vec<(Vec<Diagnostic>, u64)>, held_max: usize) {
    let mut all: Vec<Diagnostic> = chunks.iter().flat_map(|c| c.0.clone()).collect();
    crate::diag::sort(&mut all);
    let mut got = Vec::new();
    let mut f = Findings::new(Arc::from("f"), None, &mut got);
    f.held_max = held_max;
    for (c, w) in chunks {
        f.extend(c);
        f.flush(w).unwrap();
    }
    f.finish().unwrap();
    let key = |d: &Diagnostic| format!("{:?}", d.to_json());
    assert_eq!(
        got.iter().map(key).collect::<Vec<_>>(),
        all.iter().map(key).collect::<Vec<_>>()
    );
}

#[test]
fn findings_leave_in_sort_order_with_late_ones_before_the_watermark() {
    // Chunk i covers positions [100 i, 100 i + 100); a file rule holds position 150 open
    // until the end, where it reports there.
    let mut chunks = Vec::new();
    for i in 0..10u64 {
        let mut c = vec![
            at(&B, 100 * i + 50, "b", i),
            at(&A, 100 * i + 50, "z", i),
            at(&A, 100 * i + 50, "a", i),
        ];
        if i == 9 {
            c.push(at(&A, 150, "late", 99));
            c.push(Diagnostic::new(&A, &Arc::from("f"), "no place"));
        }
        chunks.push((c, if i < 1 { 100 * (i + 1) } else { 150 }));
    }
    same_as_one_sort(chunks, 4);
}

#[test]
fn equal_keys_keep_their_push_order_across_spills() {
    // Far more than the memory budget, all held (watermark 0) so that runs spill and merge.
    let mut chunks = Vec::new();
    let held_max = 64;
    // Blocks of 200 chunks: within a block every finding waits (spilling, and merging
    // the runs past MAX_RUNS); the next block releases the one before from the runs.
    for i in 0..600u64 {
        let block = 100 * (i / 200);
        let c = (0..32)
            .map(|j| {
                let code = if j % 2 == 0 { &A } else { &B };
                at(code, block + (i * 7 + j) % 100, "m", i)
            })
            .collect();
        chunks.push((c, block));
    }
    same_as_one_sort(chunks, held_max);
}

#[test]
fn one_finding_holds_at_most_a_kilobyte_of_each_text() {
    let mut got = Vec::new();
    let mut f = Findings::new(Arc::from("f"), None, &mut got);
    let huge = "é".repeat(10_000);
    f.push(
        Diagnostic::new(&A, &Arc::from("f"), format!("value `{huge}`"))
            .label(Span::new(0, 1), LineCol { line: 1, column: 1 }, &huge)
            .help(&huge),
    );
    f.push(at(&A, 5, "short", 1));
    f.finish().unwrap();
    let d = &got[0];
    for t in [
        &d.message,
        d.help.as_ref().unwrap(),
        d.labels[0].message.as_ref().unwrap(),
    ] {
        assert!(t.len() <= crate::diag::MAX_TEXT, "{} bytes", t.len());
        assert!(t.ends_with("more bytes not shown)"), "{t}");
    }
    assert_eq!(got[1].message, "short");
}

#[test]
fn a_failing_sink_stops_the_file() {
    struct Broken;
    impl FindingSink for Broken {
        fn finding(&mut self, _d: Diagnostic) -> io::Result<()> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
        }
    }
    let mut out = Broken;
    let mut f = Findings::new(Arc::from("f"), None, &mut out);
    f.push(at(&A, 1, "a", 1));
    assert!(f.flush(10).is_err());
    assert!(f.failed());
}
