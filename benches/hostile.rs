//! Hostile inputs: time and peak memory of the release `kbulk check --format json` on each one,
//! under a memory cap, with a time limit. Every input must end with located findings in bounded
//! memory — never a panic, a hang or an allocation that outgrows the cap.
//!
//! Run: `cargo bench --bench hostile` (`KBULK_HOSTILE_MB`, default 200, sizes the big inputs;
//! the README's table used 1024; `KBULK_HOSTILE_CAP_MB`, default 4096, is the address-space cap
//! put on each child; `KBULK_HOSTILE_ONLY=name` runs one input).
#![allow(clippy::print_stdout)]
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Seconds a child may run before it counts as a hang.
const LIMIT: Duration = Duration::from_secs(300);

type Gen = fn(&mut dyn Write, u64) -> std::io::Result<()>;

/// The inputs: name, file name, what it is, and a generator given the size budget in bytes.
const INPUTS: &[(&str, &str, &str, Gen)] = &[
    (
        "billion-laughs",
        "laughs.xml",
        "XML entity expansion (DOCTYPE with nested entities)",
        billion_laughs,
    ),
    (
        "external-entity",
        "xxe.xml",
        "XML external entity (file:///etc/passwd)",
        external_entity,
    ),
    (
        "deep-nesting",
        "deep.xml",
        "XML nested 1,000,000 elements deep",
        deep_nesting,
    ),
    (
        "single-line",
        "line.csv",
        "one line of SIZE bytes, no newline (resource CSV)",
        single_line,
    ),
    (
        "quoted-field",
        "quoted.csv",
        "one quoted CSV field of SIZE/2 bytes holding newlines",
        quoted_field,
    ),
    (
        "unterminated",
        "unterminated.csv",
        "an unterminated quote on row 2 of a SIZE/4 file",
        unterminated,
    ),
    (
        "columns",
        "columns.csv",
        "a header of 2,000,000 columns",
        many_columns,
    ),
    (
        "folded",
        "folded.ics",
        "an iCal line folded 1,000,000 times",
        folded,
    ),
    (
        "invalid-utf8",
        "latin1.csv",
        "200,000 rows of invalid UTF-8 in every cell",
        invalid_utf8,
    ),
    (
        "nul-bytes",
        "nul.csv",
        "NUL bytes in every cell of SIZE/4 of rows",
        nul_bytes,
    ),
    (
        "findings",
        "findings.csv",
        "one wrong `type` per row: millions of findings (SIZE/3)",
        findings,
    ),
];

fn billion_laughs(w: &mut dyn Write, _: u64) -> std::io::Result<()> {
    writeln!(
        w,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">"
    )?;
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        writeln!(
            w,
            " <!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        )?;
    }
    writeln!(
        w,
        "]>\n<mrss><channel><item><action>add</action><type>1</type><name>&lol9;</name></item></channel></mrss>"
    )
}

fn external_entity(w: &mut dyn Write, _: u64) -> std::io::Result<()> {
    writeln!(
        w,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<mrss><channel><item><action>add</action><type>1</type><name>&e;</name></item></channel></mrss>"
    )
}

fn deep_nesting(w: &mut dyn Write, _: u64) -> std::io::Result<()> {
    w.write_all(b"<mrss><channel><item>")?;
    for _ in 0..1_000_000 {
        w.write_all(b"<a>")?;
    }
    w.write_all(b"</item></channel></mrss>\n")
}

fn single_line(w: &mut dyn Write, size: u64) -> std::io::Result<()> {
    w.write_all(b"*action,name,type,systemName,description\n1,x,camera,c1,")?;
    let chunk = [b'a'; 1 << 16];
    for _ in 0..size / chunk.len() as u64 {
        w.write_all(&chunk)?;
    }
    Ok(())
}

fn quoted_field(w: &mut dyn Write, size: u64) -> std::io::Result<()> {
    w.write_all(b"*action,name,type,systemName,description\n1,x,camera,c1,\"")?;
    let line = b"1,looks,camera,like-a-row,but is inside quotes\n";
    for _ in 0..size / 2 / line.len() as u64 {
        w.write_all(line)?;
    }
    w.write_all(b"\"\n1,after,camera,after-1,\n")
}

fn unterminated(w: &mut dyn Write, size: u64) -> std::io::Result<()> {
    w.write_all(b"*action,name,type,systemName\n1,\"open,camera,c0\n")?;
    let mut i = 0u64;
    let mut written = 0;
    while written < size / 4 {
        let row = format!("1,Room {i},location,room-{i}\n");
        written += row.len() as u64;
        w.write_all(row.as_bytes())?;
        i += 1;
    }
    Ok(())
}

fn many_columns(w: &mut dyn Write, _: u64) -> std::io::Result<()> {
    w.write_all(b"*action,name,type,systemName")?;
    for i in 0..2_000_000 {
        write!(w, ",col{i}")?;
    }
    w.write_all(b"\n1,x,camera,c1\n")
}

fn folded(w: &mut dyn Write, _: u64) -> std::io::Result<()> {
    w.write_all(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20270101T100000Z\r\nDTEND:20270101T110000Z\r\nSUMMARY:x")?;
    for _ in 0..1_000_000 {
        w.write_all(b"\r\n y")?;
    }
    w.write_all(b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
}

fn invalid_utf8(w: &mut dyn Write, _: u64) -> std::io::Result<()> {
    w.write_all(b"*action,name,type,systemName,description\n")?;
    for i in 0..200_000 {
        w.write_all(b"1,Caf\xe9 ")?;
        write!(w, "{i}")?;
        w.write_all(b",location,caf\xe9-")?;
        write!(w, "{i}")?;
        w.write_all(b",d\xe9j\xe0 vu\n")?;
    }
    Ok(())
}

fn nul_bytes(w: &mut dyn Write, size: u64) -> std::io::Result<()> {
    w.write_all(b"*action,name,type,systemName\n")?;
    let mut written = 0;
    let mut i = 0u64;
    while written < size / 4 {
        let row = format!("1,a\0b {i},location,n\0{i}\n");
        written += row.len() as u64;
        w.write_all(row.as_bytes())?;
        i += 1;
    }
    Ok(())
}

fn findings(w: &mut dyn Write, size: u64) -> std::io::Result<()> {
    w.write_all(b"*action,resourceId,name,type\n")?;
    let mut written = 0;
    let mut i = 0u64;
    while written < size / 3 {
        let row = format!("2,{},Room {i},Camera\n", i + 1);
        written += row.len() as u64;
        w.write_all(row.as_bytes())?;
        i += 1;
    }
    Ok(())
}

/// How one child run ended.
struct Outcome {
    secs: f64,
    peak_mib: f64,
    ended: String,
    findings: u64,
}

/// Runs `kbulk check --format json FILE` under an address-space cap and the time limit, and
/// measures it with wait4 (its own peak RSS, not the bench's).
fn run(file: &Path, cap_mb: u64) -> Outcome {
    let out_path = file.with_extension("out.jsonl");
    let stdout = File::create(&out_path).unwrap();
    let cap = cap_mb << 20;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kbulk"));
    cmd.args(["check", "--format", "json", "--max-records", "0"])
        .arg(file)
        .stdout(stdout)
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: cap,
                rlim_max: cap,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    let start = Instant::now();
    // Reaped below with wait4 (which also gives its own rusage), not with Child::wait.
    #[allow(clippy::zombie_processes)]
    let pid = cmd.spawn().expect("kbulk starts").id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data written by wait4.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let mut hung = false;
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if r == pid {
            break;
        }
        if start.elapsed() > LIMIT {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            hung = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let secs = start.elapsed().as_secs_f64();
    let ended = if hung {
        format!("killed after {} s (hang)", LIMIT.as_secs())
    } else if libc::WIFEXITED(status) {
        format!("exit {}", libc::WEXITSTATUS(status))
    } else {
        format!(
            "signal {} (over the {cap_mb} MiB cap or a crash)",
            libc::WTERMSIG(status)
        )
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    let findings = text
        .lines()
        .filter(|l| l.starts_with("{\"type\":\"diagnostic\""))
        .count() as u64;
    let _ = std::fs::remove_file(&out_path);
    Outcome {
        secs,
        peak_mib: ru.ru_maxrss as f64 / 1024.0,
        ended,
        findings,
    }
}

fn main() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let size = env("KBULK_HOSTILE_MB", 200) << 20;
    let cap_mb = env("KBULK_HOSTILE_CAP_MB", 4096);
    let only = std::env::var("KBULK_HOSTILE_ONLY").ok();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "hostile inputs, big ones sized from {} MiB, each child capped at {cap_mb} MiB of address space",
        size >> 20
    );
    println!("| input | file size | time | peak RSS | ended | findings |");
    println!("|---|---|---|---|---|---|");
    for (name, file, what, gen_fn) in INPUTS {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let path: PathBuf = dir.path().join(file);
        {
            let mut w = BufWriter::with_capacity(1 << 20, File::create(&path).unwrap());
            gen_fn(&mut w, size).unwrap();
            w.flush().unwrap();
        }
        let bytes = std::fs::metadata(&path).unwrap().len();
        let o = run(&path, cap_mb);
        println!(
            "| {what} | {:.1} MiB | {:.2} s | {:.1} MiB | {} | {} |",
            bytes as f64 / (1 << 20) as f64,
            o.secs,
            o.peak_mib,
            o.ended,
            o.findings
        );
        let _ = std::fs::remove_file(&path);
    }
}
