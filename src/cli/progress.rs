//! Progress bars (indicatif) for long runs: drawn on standard error only when it is a terminal,
//! never when it is piped or redirected, so pipes and files carry no bar and no escape codes.
use std::io::{self, IsTerminal};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use kbulk::formats::Sink;
use kbulk::record::Record;

/// A bar over the bytes of a file of `len` bytes, with records read, rate and ETA (one line of
/// at most 80 columns); hidden unless
/// `wanted` and standard error is a terminal.
pub fn file_bar(wanted: bool, len: u64) -> ProgressBar {
    if !wanted || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:30} {percent:>3}%  {binary_bytes_per_sec}  ETA {eta}  {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// A bar over the files of a drop-folder run: with `files` (a `--once` pass over a known number
/// of files) a bar with rate and ETA, without it (watch mode) a spinner with the count and rate;
/// hidden unless `wanted` and standard error is a terminal.
pub fn files_bar(wanted: bool, files: Option<u64>) -> ProgressBar {
    if !wanted || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match files {
        Some(n) => (
            ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
            "{bar:30} {pos}/{len} files  {per_sec}  ETA {eta}  {msg:.30}",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "{spinner} {pos} files  {per_sec}  {msg:.40}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    if files.is_none() {
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
    }
    bar
}

/// A sink that moves a bar to the end of each record it passes on.
pub struct Progressed<'a, S> {
    inner: &'a mut S,
    bar: ProgressBar,
    /// Whether the bar is drawn (checked once: `is_hidden` takes a lock).
    drawn: bool,
    records: u64,
}

impl<'a, S: Sink> Progressed<'a, S> {
    /// Passes records to `inner`, moving `bar`.
    pub fn new(inner: &'a mut S, bar: ProgressBar) -> Self {
        Progressed {
            inner,
            drawn: !bar.is_hidden(),
            bar,
            records: 0,
        }
    }

    /// Clears the bar.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

impl<S: Sink> Sink for Progressed<'_, S> {
    fn record(&mut self, record: Record) {
        self.records += 1;
        if self.drawn {
            self.bar.set_position(record.origin.span.end);
            if self.records % 256 == 1 {
                self.bar.set_message(format!("{} records", self.records));
            }
        }
        self.inner.record(record);
    }

    fn wants_records(&self) -> bool {
        self.inner.wants_records()
    }
}
