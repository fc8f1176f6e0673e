//! The one driver: reads a path (detecting its format), runs its reader, checks every chunk of
//! records the reader hands on (per-record rules in parallel, then the file-level rules in file
//! order), passes records to the sink in order, flushes the findings at each chunk's watermark
//! and reports progress. Readers (`formats`) know nothing of checks; rules (`check`) know
//! nothing of byte layouts; this is where the two meet.
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::check::rules::{AnyRules, Rules, Table};
use crate::check::{app, entry, event, resource};
use crate::diag::Diagnostic;
use crate::formats::feed::{Checks, Chunk, Feed, RowKind};
use crate::formats::{
    Detection, FileReport, FindingSink, Findings, Format, ReadOptions, Sink, codes, csv, detect,
    ics, jsonl, xml,
};
use crate::record::Record;
use crate::record::locs::{EntrySource, EventSource};

/// How far a file has been read, reported after every chunk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the file read so far (the reader may be a little ahead of the records).
    pub bytes: u64,
    /// Records handed on so far.
    pub records: u64,
}

/// Runs `rules` over the chunks a reader hands on: the [`Feed`] every reader writes to.
struct Driver<'a, R: Rules> {
    rules: R,
    sink: &'a mut dyn Sink,
    wants: bool,
    bytes: &'a AtomicU64,
    records: u64,
    progress: &'a mut dyn FnMut(Progress),
}

/// How many records ahead the file rules are told what is coming ([`Rules::prefetch`]): far
/// enough that the resource name index slot has arrived when the row is observed (24–64
/// measured alike on a 200 MB file; 8 was 10% slower).
const AHEAD: usize = 32;

impl<R: Rules> Feed<R::Kind> for Driver<'_, R> {
    fn wants_records(&self) -> bool {
        self.wants
    }

    fn chunk(&mut self, chunk: Chunk<'_, R::Kind>, findings: &mut Findings<'_>) -> io::Result<()> {
        let Chunk {
            mut rows,
            watermark,
        } = chunk;
        let rules = &self.rules;
        rows.par_iter_mut().with_min_len(16).for_each(|r| {
            let Some(record) = &r.record else { return };
            let from = r.findings.len();
            match r.checks {
                Checks::None => {}
                Checks::All => rules.check(record, &r.locs, r.row, &mut r.findings),
                checks => {
                    rules.check(record, &r.locs, r.row, &mut r.findings);
                    let mut i = 0;
                    r.findings.retain(|d| {
                        i += 1;
                        i <= from || checks.keeps(d)
                    });
                }
            }
        });
        for i in 0..rows.len() {
            if let Some(ahead) = rows.get(i + AHEAD).and_then(|r| r.record.as_ref()) {
                self.rules.prefetch(ahead);
            }
            let r = &mut rows[i];
            findings.append(&mut r.findings);
            let usable = r.record.as_ref().filter(|_| r.usable);
            self.rules.observe(usable, &r.locs, r.row, findings);
            if !(r.usable && self.wants) {
                continue;
            }
            if let (Some(origin), Some(record)) = (r.origin.take(), r.record.take()) {
                let data = <R::Kind as RowKind>::data(record);
                self.sink.record(Record { origin, data });
            }
        }
        self.records += rows.len() as u64;
        let held = self.rules.hold().map_or(watermark, |h| h.min(watermark));
        findings.flush(held)?;
        (self.progress)(Progress {
            bytes: self.bytes.load(Ordering::Relaxed),
            records: self.records,
        });
        Ok(())
    }
}

/// Runs `read` (a reader) with `rules` behind it; the end-of-file rules run after the reader's
/// own end-of-file findings.
fn drive<R: Rules>(
    rules: R,
    hooks: Hooks<'_>,
    findings: &mut Findings<'_>,
    read: impl FnOnce(&mut dyn Feed<R::Kind>, &mut Findings<'_>) -> io::Result<u64>,
) -> io::Result<u64> {
    let wants = hooks.sink.wants_records();
    let mut driver = Driver {
        rules,
        wants,
        sink: hooks.sink,
        bytes: hooks.bytes,
        records: 0,
        progress: hooks.progress,
    };
    let n = read(&mut driver, findings)?;
    driver.rules.finish(&mut |d| findings.push(d));
    Ok(n)
}

/// Where a file's records and progress go.
struct Hooks<'a> {
    sink: &'a mut dyn Sink,
    bytes: &'a AtomicU64,
    progress: &'a mut dyn FnMut(Progress),
}

/// Reads `input` (positioned after any BOM, at file offset `offset`) as `format`: the format's
/// reader with its kind's rules behind it, records to `sink`, findings to `findings`. Returns
/// the number of records (rows, items, events, lines) read.
pub fn read_format(
    format: Format,
    input: impl BufRead + Send,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    findings: &mut Findings<'_>,
) -> io::Result<u64> {
    let bytes = AtomicU64::new(0);
    let hooks = Hooks {
        sink,
        bytes: &bytes,
        progress: &mut |_| {},
    };
    read_hooked(format, input, offset, file, opts, hooks, findings)
}

fn read_hooked(
    format: Format,
    input: impl BufRead + Send,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    hooks: Hooks<'_>,
    findings: &mut Findings<'_>,
) -> io::Result<u64> {
    let (name, max) = (file.clone(), opts.max_records);
    match format {
        Format::ResourceCsv => drive(
            resource::FileRules::new(name, max).with_memory(opts.memory),
            hooks,
            findings,
            |feed, f| csv::resource::read(input, offset, file, opts, feed, f),
        ),
        Format::EntryCsv => {
            let rules = entry::FileRules::new(name, max, EntrySource::Csv).with_memory(opts.memory);
            drive(rules, hooks, findings, |feed, f| {
                csv::entry::read(input, offset, file, opts, feed, f)
            })
        }
        Format::MrssXml => {
            let rules = entry::FileRules::new(name, max, EntrySource::Xml).with_memory(opts.memory);
            drive(rules, hooks, findings, |feed, f| {
                xml::reader::read(input, offset, file, opts, feed, f)
            })
        }
        Format::EventCsv => {
            let rules = event::FileRules::new(name, EventSource::Csv).with_memory(opts.memory);
            drive(rules, hooks, findings, |feed, f| {
                csv::event::read(input, offset, file, opts, feed, f)
            })
        }
        Format::Ical => {
            let rules = event::FileRules::new(name, EventSource::Ical).with_memory(opts.memory);
            drive(rules, hooks, findings, |feed, f| {
                ics::read(input, offset, file, opts, feed, f)
            })
        }
        Format::JsonLines => drive(AnyRules::new(name, opts), hooks, findings, |feed, f| {
            jsonl::read(input, offset, file, opts, feed, f)
        }),
        Format::CategoryCsv
        | Format::UserCsv
        | Format::CategoryUserCsv
        | Format::CategoryEntryCsv => {
            let spec = format.table().expect("a simple CSV kind");
            let rules = Table::new(spec.kind, name, max).expect("rules for every simple kind");
            drive(rules, hooks, findings, |feed, f| {
                csv::table::read(spec, input, offset, file, opts, feed, f)
            })
        }
        Format::AppJsonl => {
            let rules = app::FileRules::new(name, opts.apps_against.as_deref());
            drive(rules, hooks, findings, |feed, f| {
                crate::formats::app::jsonl::read(input, offset, file, opts, feed, f)
            })
        }
        Format::AppCsv => {
            let rules = app::FileRules::new(name, opts.apps_against.as_deref());
            drive(rules, hooks, findings, |feed, f| {
                crate::formats::app::csv::read(input, offset, file, opts, feed, f)
            })
        }
    }
}

/// A file that counts the bytes read from it, for the progress hook.
struct Counted<'a> {
    file: File,
    bytes: &'a AtomicU64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// How many bytes detection looks at.
const HEAD_BYTES: usize = 64 * 1024;

/// Detects the format of `path` (unless `opts.format` says it) and reads it, sending records to
/// `sink`. Problems with the content, and a file that cannot be opened, become diagnostics.
pub fn read_path(
    path: &Path,
    name: Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> FileReport {
    let mut diagnostics = Vec::new();
    let mut report = match read_path_to(path, name.clone(), opts, sink, &mut diagnostics) {
        Ok(r) => r,
        Err(e) => {
            // Only the spill file can fail here (a Vec takes every finding).
            diagnostics.push(Diagnostic::new(
                &codes::UNREADABLE,
                &name,
                format!("reading stopped: the findings could not be kept: {e}"),
            ));
            FileReport {
                file: name,
                detection: Detection {
                    format: None,
                    by: "it could not be read to the end".into(),
                },
                records: 0,
                diagnostics: Vec::new(),
            }
        }
    };
    report.diagnostics = diagnostics;
    report
}

/// Like [`read_path`], but the findings stream to `out` in their final order (sorted, labels
/// located) as the file is read, instead of being collected: memory does not grow with their
/// number. The returned report's `diagnostics` is empty. An error is `out`'s own (or the
/// temporary file that holds findings waiting for their turn); reading stopped there.
pub fn read_path_to(
    path: &Path,
    name: Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    out: &mut dyn FindingSink,
) -> io::Result<FileReport> {
    read_path_watched(path, name, opts, sink, out, &mut |_| {})
}

/// Like [`read_path_to`], and calls `progress` after every chunk with how far the file has
/// been read (for a progress bar; the library never draws one).
pub fn read_path_watched(
    path: &Path,
    name: Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    out: &mut dyn FindingSink,
    progress: &mut dyn FnMut(Progress),
) -> io::Result<FileReport> {
    let mut fail = |d: Diagnostic, by: &str| -> io::Result<FileReport> {
        let detection = Detection {
            format: None,
            by: by.into(),
        };
        out.detected(&detection);
        out.finding(d)?;
        Ok(FileReport {
            file: name.clone(),
            detection,
            records: 0,
            diagnostics: Vec::new(),
        })
    };
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let opened = File::open(path).and_then(|f| {
        f.take(HEAD_BYTES as u64).read_to_end(&mut head)?;
        Ok(())
    });
    if let Err(e) = opened {
        return fail(
            Diagnostic::new(
                &codes::UNREADABLE,
                &name,
                format!("cannot read the file: {e}"),
            ),
            "it could not be read",
        );
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return fail(
            Diagnostic::new(
                &codes::UTF16,
                &name,
                "the file is UTF-16; Kaltura reads bulk files as UTF-8 and would see garbage",
            )
            .help("save the file as UTF-8 (a UTF-8 BOM is fine)"),
            "its UTF-16 byte-order mark",
        );
    }
    let detection = match opts.format {
        Some(f) => Detection {
            format: Some(f),
            by: "--format-in".into(),
        },
        None => detect(&head, path),
    };
    out.detected(&detection);
    let Some(format) = detection.format else {
        let d = Diagnostic::new(&codes::UNKNOWN_FORMAT, &name, format!("kbulk cannot tell what kind of bulk file this is: {}", detection.by))
            .help("kbulk reads resource/event/entry CSVs (with a `*` header), iCal, mrss XML, JSON Lines and App Registry apps (JSON Lines, CSV); name the format with --format-in if detection is wrong");
        out.finding(d)?;
        return Ok(FileReport {
            file: name,
            detection,
            records: 0,
            diagnostics: Vec::new(),
        });
    };
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3u64
    } else {
        0
    };
    let mut findings = Findings::new(name.clone(), Some(path), out);
    let bytes = AtomicU64::new(0);
    let result = (|| -> io::Result<u64> {
        let file = Counted {
            file: File::open(path)?,
            bytes: &bytes,
        };
        let mut f = BufReader::with_capacity(1 << 16, file);
        io::copy(&mut (&mut f).take(bom), &mut io::sink())?;
        let hooks = Hooks {
            sink,
            bytes: &bytes,
            progress,
        };
        read_hooked(format, f, bom, &name, opts, hooks, &mut findings)
    })();
    if let Err(e) = &result
        && !findings.failed()
    {
        findings.push(Diagnostic::new(
            &codes::UNREADABLE,
            &name,
            format!("reading stopped: {e}"),
        ));
    }
    findings.finish()?;
    Ok(FileReport {
        file: name,
        detection,
        records: result.unwrap_or(0),
        diagnostics: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lazily resolved XML positions (`check`) must equal the ones counted while reading.
    #[test]
    fn offsets_only_resolve_to_the_counted_positions() {
        use crate::formats::{Discard, ReadOptions};
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xml/cases");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("cases")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
            .collect();
        files.sort();
        // A BOM and CR line ends too.
        let tmp = tempfile::tempdir().expect("temp dir");
        let crlf = tmp.path().join("bom-crlf.xml");
        let bytes = std::fs::read(&files[0]).expect("case");
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend(
            String::from_utf8_lossy(&bytes)
                .replace('\n', "\r\n")
                .bytes(),
        );
        std::fs::write(&crlf, with_bom).expect("write");
        files.push(crlf);
        let key = |r: &crate::formats::FileReport| {
            r.diagnostics
                .iter()
                .map(|d| serde_json::to_string(&d.to_json()).expect("json"))
                .collect::<Vec<_>>()
        };
        for f in files {
            let name: std::sync::Arc<str> = std::sync::Arc::from("f.xml");
            let opts = ReadOptions::default();
            let lazy = read_path(&f, name.clone(), &opts, &mut Discard);
            let mut records = Vec::new();
            let counted = read_path(&f, name, &opts, &mut records);
            assert_eq!(key(&lazy), key(&counted), "{}", f.display());
        }
    }
}
