//! The XML tokenizer side of the reader: quick-xml's event loop over a [`Tracker`], with the
//! events copied into batches (one string of bytes and a list of event ranges with their
//! positions) so that tokenizing can run on its own thread while the reader walks the schema.
//!
//! Tokenizing is about a third of reading a bulk XML; with more than one rayon thread it runs
//! ahead on a scoped thread ([`run`]), otherwise batches are filled and read in turn.
use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesCData, BytesEnd, BytesPI, BytesRef, BytesStart, BytesText, Event};

use super::reader::MAX_TOKEN;
use super::track::{Mark, Tracker};

/// Events per batch (a batch also ends once it holds [`BATCH_BYTES`]).
const BATCH_EVENTS: usize = 2048;
/// Bytes of event content per batch.
const BATCH_BYTES: usize = 64 << 10;

/// What an event was; its content is a range of [`Batch::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Start,
    Empty,
    End,
    Text,
    CData,
    Comment,
    DocType,
    Ref,
    /// A declaration or processing instruction (read for well-formedness only).
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    from: u32,
    to: u32,
    name_len: u32,
    mark: Mark,
    end: Mark,
}

/// How the stream ended: the error (with the position where its token started), if any, and
/// the position after the last byte read.
#[derive(Debug)]
pub struct Done {
    /// The error and the mark where the token that failed started.
    pub error: Option<(quick_xml::Error, Mark)>,
    /// The position after everything consumed.
    pub end: Mark,
}

/// Consecutive events, their content kept in one string.
#[derive(Debug, Default)]
pub struct Batch {
    text: String,
    toks: Vec<Tok>,
    /// Set on the last batch.
    pub done: Option<Done>,
}

impl Batch {
    /// The events of this batch with the positions where each starts and ends.
    pub fn events(&self) -> impl Iterator<Item = (Event<'_>, Mark, Mark)> {
        self.toks.iter().map(|t| {
            let s = &self.text[t.from as usize..t.to as usize];
            let ev = match t.kind {
                Kind::Start => Event::Start(BytesStart::from_content(s, t.name_len as usize)),
                Kind::Empty => Event::Empty(BytesStart::from_content(s, t.name_len as usize)),
                Kind::End => Event::End(BytesEnd::new(s)),
                Kind::Text => Event::Text(BytesText::from_escaped(s)),
                Kind::CData => Event::CData(BytesCData::new(s)),
                Kind::Comment => Event::Comment(BytesText::from_escaped(s)),
                Kind::DocType => Event::DocType(BytesText::from_escaped(s)),
                Kind::Ref => Event::GeneralRef(BytesRef::new(s)),
                Kind::Other => Event::PI(BytesPI::new("")),
            };
            (ev, t.mark, t.end)
        })
    }

    /// An empty batch with room for a full one.
    fn new() -> Self {
        Batch {
            text: String::with_capacity(BATCH_BYTES + (1 << 12)),
            toks: Vec::with_capacity(BATCH_EVENTS),
            done: None,
        }
    }

    fn clear(&mut self) {
        self.text.clear();
        self.toks.clear();
        self.done = None;
    }
}

/// quick-xml over a position-tracking reader.
pub struct Tokenizer<R> {
    reader: Reader<Tracker<R>>,
    buf: Vec<u8>,
    finished: bool,
}

impl<R: BufRead> Tokenizer<R> {
    /// Tokenizes `input`, whose first byte is at file offset `offset`; `lines`: count lines and
    /// columns as well as offsets.
    pub fn new(input: R, offset: u64, lines: bool) -> Self {
        let mut reader = Reader::from_reader(Tracker::new(input, offset, MAX_TOKEN, lines));
        reader.config_mut().check_end_names = true;
        Tokenizer {
            reader,
            buf: Vec::with_capacity(1 << 12),
            finished: false,
        }
    }

    /// True once the last batch was filled.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Clears `batch` and fills it with the next events.
    pub fn fill(&mut self, batch: &mut Batch) {
        batch.clear();
        while batch.toks.len() < BATCH_EVENTS && batch.text.len() < BATCH_BYTES {
            self.buf.clear();
            self.reader.get_mut().reset();
            let mark = self.reader.get_ref().mark();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(e) => {
                    self.finish(batch, Some((e, mark)));
                    return;
                }
            };
            let end = self.reader.get_ref().mark();
            let (kind, content, name_len): (Kind, &str, usize) = match &event {
                Event::Start(e) => (Kind::Start, e, e.name().0.len()),
                Event::Empty(e) => (Kind::Empty, e, e.name().0.len()),
                Event::End(e) => (Kind::End, e, 0),
                Event::Text(t) => (Kind::Text, t, 0),
                Event::CData(t) => (Kind::CData, t, 0),
                Event::Comment(t) => (Kind::Comment, t, 0),
                Event::DocType(t) => (Kind::DocType, t, 0),
                Event::GeneralRef(r) => (Kind::Ref, r, 0),
                Event::Decl(_) | Event::PI(_) => (Kind::Other, "", 0),
                Event::Eof => {
                    self.finish(batch, None);
                    return;
                }
            };
            let from = batch.text.len();
            batch.text.push_str(content);
            batch.toks.push(Tok {
                kind,
                from: from as u32,
                to: batch.text.len() as u32,
                name_len: name_len as u32,
                mark,
                end,
            });
        }
    }

    fn finish(&mut self, batch: &mut Batch, error: Option<(quick_xml::Error, Mark)>) {
        self.finished = true;
        batch.done = Some(Done {
            error,
            end: self.reader.get_ref().mark(),
        });
    }
}

/// Tokenizes `input` and hands each batch to `each` in order, until `each` returns false or
/// the input ends. With more than one rayon thread the tokenizer runs ahead on its own thread.
pub fn run<R: BufRead + Send>(
    input: R,
    offset: u64,
    lines: bool,
    mut each: impl FnMut(&Batch) -> bool,
) {
    let mut tok = Tokenizer::new(input, offset, lines);
    if rayon::current_num_threads() < 2 {
        let mut batch = Batch::new();
        while !tok.finished() {
            tok.fill(&mut batch);
            if !each(&batch) {
                return;
            }
        }
        return;
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
    // Batches go back to the tokenizer once read, so their buffers are reused.
    let (back_tx, back_rx) = std::sync::mpsc::sync_channel::<Batch>(4);
    std::thread::scope(|s| {
        s.spawn(move || {
            while !tok.finished() {
                let mut batch = back_rx.try_recv().unwrap_or_else(|_| Batch::new());
                tok.fill(&mut batch);
                if tx.send(batch).is_err() {
                    // The reader stopped early.
                    return;
                }
            }
        });
        for batch in rx.iter() {
            let more = each(&batch);
            let _ = back_tx.try_send(batch);
            if !more {
                break;
            }
        }
        // Dropping the receiver stops a tokenizer still running.
        drop(rx);
    });
}
