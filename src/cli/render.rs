//! Output of findings: human reports through miette (snippets re-read from disk, so huge files
//! are never held in memory) and JSON Lines.
use std::fmt;
use std::fs::File;
use std::io::{self, IsTerminal, Read, Seek, SeekFrom, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use kbulk::diag::{Counts, Diagnostic, Impact, JsonFile, JsonKind, JsonSummary, Severity};
use kbulk::formats::FileReport;

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Readable reports with source snippets.
    Human,
    /// JSON Lines: one object per diagnostic, one per file, and a final summary.
    Json,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour output going to a stream that is (or is not) a terminal.
    pub fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// A miette handler for human output.
pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(110)
        .with_links(false)
}

/// Whether stdout is a terminal.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// Renders one diagnostic as human text (snippet read from `path` on disk).
pub fn human(
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    path: Option<&std::path::Path>,
) -> String {
    let source = path.and_then(|p| DiskSource::load(p, d));
    let view = View { d, source };
    let mut out = String::new();
    if handler.render_report(&mut out, &view).is_err() {
        out = format!("{}: {}\n", d.code.name, d.message);
    }
    out
}

/// The source lines around a diagnostic's primary label, re-read from `path`: the 0-based number
/// of the first line and the text (two lines before, one after; at most 2,000 bytes, cut at a
/// character boundary).
pub fn snippet(d: &Diagnostic, path: &std::path::Path) -> Option<(usize, String)> {
    let l = d.primary()?;
    let source = DiskSource::load(path, d)?;
    let span = SourceSpan::new(
        (l.span.start as usize).into(),
        l.span.len().min(400) as usize,
    );
    let contents = source.read_span(&span, 2, 1).ok()?;
    let data = contents.data();
    let text = String::from_utf8_lossy(&data[..data.len().min(2000)]).into_owned();
    Some((contents.line(), text))
}

/// The JSON object for one file.
pub fn file_json(report: &FileReport, counts: Counts) -> JsonFile {
    JsonFile {
        kind: JsonKind::File,
        file: report.file.to_string(),
        format: report.detection.format.map(|f| f.as_str().to_string()),
        record_kind: report.kind().map(|k| k.as_str().to_string()),
        detected_by: report.detection.by.clone(),
        records: report.records,
        errors: counts.errors,
        warnings: counts.warnings,
        notes: counts.notes,
    }
}

/// The JSON summary object.
pub fn summary_json(files: u64, records: u64, counts: Counts, exit_code: u8) -> JsonSummary {
    JsonSummary {
        kind: JsonKind::Summary,
        files,
        records,
        errors: counts.errors,
        warnings: counts.warnings,
        notes: counts.notes,
        exit_code,
    }
}

/// Writes one JSON value as a line.
pub fn json_line(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// "3 errors, 1 warning".
pub fn counts_phrase(c: Counts) -> String {
    let part = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![part(c.errors, "error"), part(c.warnings, "warning")];
    if c.notes > 0 {
        parts.push(part(c.notes, "note"));
    }
    parts.join(", ")
}

/// A diagnostic as miette sees it.
struct View<'a> {
    d: &'a Diagnostic,
    source: Option<DiskSource>,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.d.code.impact == Impact::Silent {
            f.write_str("silent loss: ")?;
        }
        f.write_str(&self.d.message)?;
        if self.source.is_none()
            && let Some(l) = self.d.primary()
        {
            write!(f, " (at {}:{}:{})", self.d.file, l.at.line, l.at.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code.name))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let mut lines = Vec::new();
        if let Some(h) = &self.d.help {
            lines.push(h.clone());
        }
        if let Some(s) = &self.d.server_message {
            lines.push(format!("the server will report: {s}"));
        }
        if let Some(r) = self.d.row {
            lines.push(format!(
                "record {r} in the server's own numbering (its lineIndex)"
            ));
        }
        (!lines.is_empty()).then(|| Box::new(lines.join("\n")) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.d.labels.iter().enumerate().map(|(i, l)| {
            let len = l.span.len().min(400) as usize;
            let span = SourceSpan::new((l.span.start as usize).into(), len);
            if i == 0 {
                LabeledSpan::new_primary_with_span(l.message.clone(), span)
            } else {
                LabeledSpan::new_with_span(l.message.clone(), span)
            }
        })))
    }
}

/// Bytes around each label, re-read from the file, with the line number each window starts on.
struct DiskSource {
    name: String,
    windows: Vec<Window>,
}

struct Window {
    /// File offset of `bytes[0]`, which is the start of a line.
    start: u64,
    /// 0-based line number of `bytes[0]`.
    line: usize,
    bytes: Vec<u8>,
}

const WINDOW: u64 = 4096;

impl DiskSource {
    fn load(path: &std::path::Path, d: &Diagnostic) -> Option<DiskSource> {
        if d.labels.is_empty() {
            return None;
        }
        let mut f = File::open(path).ok()?;
        let mut windows = Vec::new();
        for l in &d.labels {
            let from = l.span.start.saturating_sub(WINDOW);
            let to = l.span.start + l.span.len().min(400) + WINDOW;
            f.seek(SeekFrom::Start(from)).ok()?;
            let mut bytes = Vec::new();
            (&mut f).take(to - from).read_to_end(&mut bytes).ok()?;
            let rel = (l.span.start - from) as usize;
            if rel > bytes.len() {
                return None;
            }
            // Start the window at the beginning of a line, up to two lines before the label.
            let mut cut = rel;
            for step in 0..3 {
                let search_end = if step == 0 {
                    cut
                } else {
                    cut.saturating_sub(1)
                };
                match bytes[..search_end].iter().rposition(|&b| b == b'\n') {
                    Some(p) => cut = p + 1,
                    None if from == 0 => {
                        cut = 0;
                        break;
                    }
                    None => break,
                }
                if cut == 0 {
                    break;
                }
            }
            let breaks = bytes[cut..rel].iter().filter(|&&b| b == b'\n').count();
            let line = (l.at.line as usize).saturating_sub(1 + breaks);
            windows.push(Window {
                start: from + cut as u64,
                line,
                bytes: bytes[cut..].to_vec(),
            });
        }
        Some(DiskSource {
            name: d.file.to_string(),
            windows,
        })
    }
}

impl SourceCode for DiskSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let off = span.offset() as u64;
        let w = self
            .windows
            .iter()
            .filter(|w| w.start <= off && off <= w.start + w.bytes.len() as u64)
            .max_by_key(|w| w.start)
            .ok_or(MietteError::OutOfBounds)?;
        let bytes = &w.bytes[..];
        let rel = (off - w.start) as usize;
        let end_rel = (rel + span.len()).min(bytes.len());
        // Context start: back `before` lines from the label's line.
        let line_start = |pos: usize| {
            bytes[..pos]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
        };
        let mut start = line_start(rel);
        for _ in 0..before {
            if start == 0 {
                break;
            }
            start = line_start(start - 1);
        }
        let mut end = end_rel;
        for _ in 0..=after {
            match bytes[end..].iter().position(|&b| b == b'\n') {
                Some(p) => end = end + p + 1,
                None => {
                    end = bytes.len();
                    break;
                }
            }
        }
        let lines_before = bytes[..start].iter().filter(|&&b| b == b'\n').count();
        let first_line = w.line + lines_before;
        let count = bytes[start..end].iter().filter(|&&b| b == b'\n').count() + 1;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &bytes[start..end],
            SourceSpan::new((w.start as usize + start).into(), end - start),
            first_line,
            0,
            count,
        )))
    }
}
