//! The drop-folder loop: claim settled files, fix, check, split, hand over atomically, archive,
//! with the durable state that makes a restart after `kill -9` finish every input exactly once.
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Severity};
use crate::formats::{self, Discard, ReadOptions};

use super::state::{Stage, State};
use super::{fix, media, split};

/// The prefix of kbulk's temporaries in OUTBOX and the rejected folder (ignored everywhere).
pub const TEMP_PREFIX: &str = ".kbulk-tmp.";
/// How long watch mode waits for an XML's media before rejecting it, by default
/// (`--media-timeout`).
pub const MEDIA_TIMEOUT: Duration = Duration::from_secs(600);

/// Where files come from and go, and how they are treated.
#[derive(Debug, Clone)]
pub struct Options {
    /// The watched folder.
    pub inbox: PathBuf,
    /// Where good files (and their pieces and media) are handed over.
    pub outbox: PathBuf,
    /// Where bad files go, with their reports.
    pub rejected: PathBuf,
    /// Where originals go once their outputs are durable.
    pub archive: PathBuf,
    /// How long size and mtime must stay unchanged before a file is claimed.
    pub settle: Duration,
    /// Records per piece (0: never split).
    pub max_records: u64,
    /// Read options for the check (time zones, events type).
    pub read: ReadOptions,
    /// Whether media absent now are missing for good (`--once`), or waited for.
    pub once: bool,
    /// In watch mode, how long after the XML arrived its media may still be missing.
    pub media_timeout: Duration,
}

/// One thing that happened to a file, for the terminal line or the JSON event (in the stream as
/// [`crate::stream::JsonEvent`]: `{"type": "event", "event": "claimed", ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// The file settled and was claimed.
    Claimed {
        /// Its name in INBOX.
        file: String,
    },
    /// Repairs were made.
    Fixed {
        /// Its name.
        file: String,
        /// The repair codes, in order.
        repairs: Vec<String>,
    },
    /// The file was split.
    Split {
        /// Its name.
        file: String,
        /// Number of pieces.
        pieces: usize,
    },
    /// Outputs are durable in OUTBOX and the original archived.
    HandedOver {
        /// Its name.
        file: String,
        /// Names written to OUTBOX, in handover order (media first).
        outputs: Vec<String>,
    },
    /// The file went to the rejected folder with its reports.
    Rejected {
        /// Its name.
        file: String,
        /// Number of errors.
        errors: usize,
        /// The first error's code.
        first: String,
    },
    /// The content was seen before; archived without handover.
    Duplicate {
        /// Its name.
        file: String,
        /// The name the content first arrived under.
        of: String,
    },
}

/// Totals of a run.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Summary {
    /// Files handed over.
    pub handed_over: u64,
    /// Files rejected.
    pub rejected: u64,
    /// Duplicate drops archived.
    pub duplicates: u64,
}

/// An operational failure (the folders, the state store).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DropError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    #[diagnostic(code(dropfolder::io))]
    Io {
        /// The path concerned.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// The state store failed.
    #[error("state store: {0}")]
    #[diagnostic(code(dropfolder::state))]
    State(#[from] rusqlite::Error),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> DropError + '_ {
    move |source| DropError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Whether a name is one kbulk leaves alone: hidden, kbulk's temporaries, editors' and
/// downloaders' partial files.
pub fn ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || [".tmp", ".part", ".crdownload", ".swp", ".partial"]
            .iter()
            .any(|s| name.to_ascii_lowercase().ends_with(s))
}

/// Whether a name is a bulk file (the rest are media, handed over with the XML naming them).
fn is_bulk(name: &str) -> bool {
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("csv" | "ics" | "ical" | "xml" | "jsonl" | "txt")
    )
}

/// Writes `bytes` as `dir/name` atomically: hidden temporary, fsync, rename, directory fsync.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), DropError> {
    let tmp = dir.join(format!("{TEMP_PREFIX}{name}"));
    let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
    f.write_all(bytes).map_err(io_err(&tmp))?;
    f.sync_all().map_err(io_err(&tmp))?;
    drop(f);
    let dst = dir.join(name);
    fs::rename(&tmp, &dst).map_err(io_err(&dst))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), DropError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

/// Moves `src` into `dir` (as `name`, or `name.N` when taken), durably; copies when the folders
/// are on different file systems.
fn move_into(src: &Path, dir: &Path, name: &str, unique: bool) -> Result<(), DropError> {
    let mut dst = dir.join(name);
    let mut n = 1;
    while unique && dst.exists() {
        dst = dir.join(format!("{name}.{n}"));
        n += 1;
    }
    if fs::rename(src, &dst).is_err() {
        let bytes = fs::read(src).map_err(io_err(src))?;
        let target = dst
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        write_atomic(dir, &target, &bytes)?;
        fs::remove_file(src).map_err(io_err(src))?;
    }
    sync_dir(dir)?;
    if let Some(parent) = src.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// The processor: the folders, the state store and the stop flag.
pub struct DropFolder<'a> {
    opts: &'a Options,
    state: State,
    stop: &'a AtomicBool,
}

impl<'a> DropFolder<'a> {
    /// Creates the folders and opens the state; removes temporaries a killed run left.
    pub fn open(opts: &'a Options, stop: &'a AtomicBool) -> Result<Self, DropError> {
        let work = opts.inbox.join(".kbulk");
        for d in [&opts.outbox, &opts.rejected, &opts.archive, &work] {
            fs::create_dir_all(d).map_err(io_err(d))?;
        }
        for d in [&opts.outbox, &opts.rejected, &opts.archive, &work] {
            for e in fs::read_dir(d).map_err(io_err(d))?.flatten() {
                if e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                    fs::remove_file(e.path()).map_err(io_err(&e.path()))?;
                }
            }
        }
        let state = State::open(&work.join("state.sqlite"))?;
        Ok(DropFolder { opts, state, stop })
    }

    /// One pass over INBOX: every bulk file, once settled, is finished. Returns the totals.
    pub fn pass(&self, on: &mut dyn FnMut(&Event)) -> Result<Summary, DropError> {
        let mut sum = Summary::default();
        let inbox = &self.opts.inbox;
        let mut names: Vec<String> = fs::read_dir(inbox)
            .map_err(io_err(inbox))?
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !ignored(n) && is_bulk(n))
            .collect();
        names.sort();
        for name in names {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let path = inbox.join(&name);
            if !self.settled(&path)? {
                continue;
            }
            self.file(&name, &path, &mut sum, on)?;
        }
        Ok(sum)
    }

    /// Waits until `path`'s size and mtime have not changed for the settle time (`false` when
    /// the file vanished or the run is stopping).
    fn settled(&self, path: &Path) -> Result<bool, DropError> {
        let stat = |p: &Path| fs::metadata(p).ok().map(|m| (m.len(), m.modified().ok()));
        let Some(mut seen) = stat(path) else {
            return Ok(false);
        };
        loop {
            let age = seen
                .1
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .unwrap_or_default();
            if age >= self.opts.settle {
                return Ok(true);
            }
            if self.stop.load(Ordering::SeqCst) {
                return Ok(false);
            }
            std::thread::sleep((self.opts.settle - age).min(Duration::from_millis(200)));
            match stat(path) {
                None => return Ok(false),
                Some(now) => seen = now,
            }
        }
    }

    /// Finishes one input: duplicate, resume after a crash, reject or hand over.
    fn file(
        &self,
        name: &str,
        path: &Path,
        sum: &mut Summary,
        on: &mut dyn FnMut(&Event),
    ) -> Result<(), DropError> {
        let o = self.opts;
        let bytes = fs::read(path).map_err(io_err(path))?;
        let hash = hex::encode(Sha256::digest(&bytes));
        if let Some((first, outcome, stage)) = self.state.get(&hash)? {
            if stage == Stage::Done && first == name {
                // Outputs were durable before a crash: finish the move and say so once.
                let rejected = outcome == "rejected";
                let dir = if rejected { &o.rejected } else { &o.archive };
                move_into(path, dir, name, !rejected)?;
                self.state.archived(&hash)?;
                if rejected {
                    sum.rejected += 1;
                } else {
                    sum.handed_over += 1;
                }
                return Ok(());
            }
            move_into(path, &o.archive, name, true)?;
            sum.duplicates += 1;
            on(&Event::Duplicate {
                file: name.into(),
                of: first,
            });
            return Ok(());
        }
        on(&Event::Claimed { file: name.into() });
        let file: Arc<str> = Arc::from(name);
        let fixed = fix::fix(&bytes, &file);
        if !fixed.repairs.is_empty() {
            on(&Event::Fixed {
                file: name.into(),
                repairs: fixed
                    .repairs
                    .iter()
                    .map(|d| d.code.name.to_string())
                    .collect(),
            });
        }
        let work = o.inbox.join(".kbulk");
        write_atomic(&work, name, &fixed.bytes)?;
        let checked = work.join(name);
        let mut read = o.read.clone();
        read.max_records = None;
        let report = formats::read_path(&checked, file.clone(), &read, &mut Discard);
        let _ = fs::remove_file(&checked);
        let mut diags = fixed.repairs;
        diags.extend(report.diagnostics);
        let text = String::from_utf8_lossy(&fixed.bytes);
        let mut media = Vec::new();
        for r in media::refs(&text) {
            match media::locate(&r, &[&o.inbox, &o.outbox], &file) {
                Ok(p) => media.push((r.file_path.clone(), p)),
                Err(d) => {
                    let d = *d;
                    if !o.once && path_age(path) < o.media_timeout {
                        return Ok(()); // wait for the media to arrive
                    }
                    diags.push(d);
                }
            }
        }
        let errors: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if let Some(first) = errors.first() {
            let first = first.code.name.to_string();
            let n = errors.len();
            write_atomic(
                &o.rejected,
                &format!("{name}.report.txt"),
                text_report(name, &diags).as_bytes(),
            )?;
            write_atomic(
                &o.rejected,
                &format!("{name}.report.jsonl"),
                &jsonl_report(&diags),
            )?;
            self.state.done(&hash, name, "rejected")?;
            move_into(path, &o.rejected, name, false)?;
            self.state.archived(&hash)?;
            sum.rejected += 1;
            on(&Event::Rejected {
                file: name.into(),
                errors: n,
                first,
            });
            return Ok(());
        }
        let mut outputs = Vec::new();
        for (rel, p) in &media {
            if p.starts_with(&o.inbox) {
                move_into(p, &o.outbox, rel, false)?;
            }
            outputs.push(rel.clone());
        }
        let pieces = split::split(&text, o.max_records, report.detection.format);
        match pieces {
            Some(pieces) => {
                on(&Event::Split {
                    file: name.into(),
                    pieces: pieces.len(),
                });
                let p = Path::new(name);
                let stem = p.file_stem().unwrap_or_default().to_string_lossy();
                let ext = p.extension().map(|e| format!(".{}", e.to_string_lossy()));
                for (i, piece) in pieces.iter().enumerate() {
                    let out = format!("{stem}.part{:03}{}", i + 1, ext.as_deref().unwrap_or(""));
                    write_atomic(&o.outbox, &out, piece.as_bytes())?;
                    outputs.push(out);
                }
            }
            None => {
                write_atomic(&o.outbox, name, &fixed.bytes)?;
                outputs.push(name.into());
            }
        }
        self.state.done(&hash, name, "handed-over")?;
        move_into(path, &o.archive, name, true)?;
        self.state.archived(&hash)?;
        sum.handed_over += 1;
        on(&Event::HandedOver {
            file: name.into(),
            outputs,
        });
        Ok(())
    }
}

fn path_age(path: &Path) -> Duration {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .unwrap_or_default()
}

/// The plain-text report of a rejected file: one located line per finding, with its help.
fn text_report(name: &str, diags: &[Diagnostic]) -> String {
    let mut s = format!("{name}: rejected by kbulk dropfolder\n\n");
    for d in diags {
        let at = d
            .primary()
            .map(|l| format!(":{}:{}", l.at.line, l.at.column))
            .unwrap_or_default();
        s.push_str(&format!(
            "{name}{at}: {}[{}]: {}\n",
            d.severity.as_str(),
            d.code.name,
            d.message
        ));
        if let Some(h) = &d.help {
            s.push_str(&format!("  help: {h}\n"));
        }
    }
    s.push_str("\nExplain a code with `kbulk explain CODE`.\n");
    s
}

/// The JSON Lines diagnostics of a rejected file.
fn jsonl_report(diags: &[Diagnostic]) -> Vec<u8> {
    let mut out = Vec::new();
    for d in diags {
        if serde_json::to_writer(&mut out, &d.to_json()).is_ok() {
            out.push(b'\n');
        }
    }
    out
}
