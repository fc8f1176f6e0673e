//! Reads XML bulk uploads (`<mrss><channel><item>`) in one streaming pass with quick-xml:
//! checks well-formedness, refuses DOCTYPEs and `<script>`, walks the XSD's element tree
//! ([`super::schema`]) to report every order, cardinality, attribute and value problem, and
//! maps each `<item>` to an [`Entry`]. Items are checked in parallel chunks, in file order.
//! This file owns the event loop, tags and chunking; `walk` the XSD element tree and attributes,
//! `text` text nodes, entities and value rules.
//!
//! Memory stays flat in the file size: one item (at most [`MAX_ITEM_BYTES`] of values) and one
//! chunk of items are held at a time, tokens are capped at [`MAX_TOKEN`] bytes and nesting at
//! [`MAX_DEPTH`] levels.
use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{self, BufRead};
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};

use super::builder::ItemBuilder;
use super::codes;
use super::schema::{self, Model, Text, TextError};
use super::tokens;
use super::track::{Mark, TokenTooLarge};
use crate::diag::Diagnostic;
use crate::formats::feed::{Checks, Chunk, Entries, Feed, Row};
use crate::formats::{Findings, ReadOptions};
use crate::record::codes::entry as entry_codes;
use crate::record::values::find_placeholder;
use crate::source::Origin;
use crate::source::Place;

mod text;
mod walk;

use walk::attributes;

/// Longest tag, text node or comment read in one piece.
pub const MAX_TOKEN: u64 = 16 << 20;
/// Most bytes of values kept for one item (and for one captured raw-XML value).
pub const MAX_ITEM_BYTES: usize = 16 << 20;
/// Deepest nesting read.
pub const MAX_DEPTH: usize = 256;
/// Items collected before each parallel checking step.
const CHUNK_ITEMS: usize = 512;
/// Distinct undefined entity names reported per file.
const MAX_ENTITY_NAMES: usize = 64;

/// An attribute as read: name, unescaped value and where the value is. Both borrow the tag's
/// bytes when they can (a value is owned only when normalizing changed it).
#[derive(Debug, Clone)]
pub struct AttrValue<'a> {
    /// The attribute's name.
    pub name: &'a str,
    /// The value, entities resolved.
    pub value: Cow<'a, str>,
    /// The value's bytes (inside the quotes).
    pub place: Place,
    /// The attribute's name.
    pub name_place: Place,
}

/// One open element.
struct Frame {
    /// The schema model (`None`: unknown here, or inside an opaque subtree).
    model: Option<&'static Model>,
    /// The element's name when it has no model.
    name: Box<str>,
    /// Current slot of the parent sequence and occurrences in it.
    slot: usize,
    count: u32,
    slot_name: Option<&'static str>,
    ident_occurrences: u32,
    ident_type_open: bool,
    last_child: Option<(&'static str, Place)>,
    start: Place,
    text_start: Option<Mark>,
    text_end: u64,
    text_reported: bool,
}

impl Frame {
    fn new(model: Option<&'static Model>, name: &str, start: Place) -> Self {
        Frame {
            model,
            name: if model.is_some() {
                Box::from("")
            } else {
                Box::from(name)
            },
            slot: 0,
            count: 0,
            slot_name: None,
            ident_occurrences: 0,
            ident_type_open: false,
            last_child: None,
            start,
            text_start: None,
            text_end: 0,
            text_reported: false,
        }
    }

    fn name(&self) -> &str {
        self.model.map_or(&self.name, |m| m.name)
    }

    fn text_only(&self) -> bool {
        self.model
            .is_some_and(|m| m.slots.is_empty() && !matches!(m.text, Text::Elements | Text::Any))
    }
}

/// Raw XML being kept for an opaque element (plugin elements, `xmlData`, `xslt`).
struct Capture {
    depth: usize,
    with_tags: bool,
    empty: bool,
    buf: String,
    over: bool,
}

/// An item waiting for the parallel checking step. Boxed: an entry and its places are over
/// two KiB, which would otherwise be copied at every move from builder to chunk to sink.
type Pending = Box<ItemBuilder>;

struct State<'a, 'f> {
    file: &'a Arc<str>,
    diags: &'a mut Findings<'f>,
    stack: Vec<Frame>,
    capture: Option<Capture>,
    item: Option<Pending>,
    items: u64,
    saw_root: bool,
    doctype: bool,
    entities: HashSet<String>,
    /// The text of the open text-only element (at most one is open: its children have no
    /// model, and text inside them is not its text), reused from element to element.
    text: String,
}

/// Reads an XML bulk upload from `input` (positioned after any BOM, at file offset `offset`),
/// handing its items to `feed` and its findings to `diags`. Returns the number of items.
pub fn read(
    input: impl BufRead + Send,
    offset: u64,
    file: &Arc<str>,
    _opts: &ReadOptions,
    feed: &mut dyn Feed<Entries>,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    // Records carry their line; findings alone can have their positions resolved afterwards.
    let lines = feed.wants_records();
    let mut chunk: Vec<Pending> = Vec::new();
    let mut st = State {
        file,
        diags,
        stack: Vec::with_capacity(16),
        capture: None,
        item: None,
        items: 0,
        saw_root: false,
        doctype: false,
        entities: HashSet::new(),
        text: String::new(),
    };
    let mut result = Ok(());
    let mut last = None;
    tokens::run(input, offset, lines, |batch| {
        for (event, mark, end) in batch.events() {
            last = Some(end);
            if !st.event(event, mark, end, &mut chunk) {
                return false;
            }
            if chunk.len() >= CHUNK_ITEMS {
                // Closing an element reports at its start tag, and the root stays open to the
                // end: every finding waits (spilling past the budget) until the file is read.
                let rows = take_rows(&mut chunk, file, lines);
                if let Err(e) = feed.chunk(Chunk { rows, watermark: 0 }, st.diags) {
                    result = Err(e);
                    return false;
                }
            }
        }
        if let Some(done) = &batch.done {
            last = Some(done.end);
            if let Some((e, mark)) = &done.error {
                result = st.error(e, *mark);
            }
        }
        true
    });
    result?;
    if let Some(end) = last {
        st.finish(end);
    }
    let rows = take_rows(&mut chunk, file, lines);
    feed.chunk(Chunk { rows, watermark: 0 }, st.diags)?;
    Ok(st.items)
}

/// Turns the chunk's items into rows for the driver (an item whose action the engine does not
/// know has no record: it is counted, not checked); with `wants`, each gets its origin.
fn take_rows<'a>(chunk: &mut Vec<Pending>, file: &Arc<str>, wants: bool) -> Vec<Row<'a, Entries>> {
    chunk
        .drain(..)
        .map(|p| {
            let (entry, locs, row, valid) = p.into_parts();
            let origin = (wants && valid).then(|| Origin {
                file: file.clone(),
                span: locs.item.span,
                line: locs.item.at.line,
                row,
                raw: None,
            });
            Row {
                row,
                record: valid.then(|| Box::new(entry)),
                usable: true,
                checks: Checks::All,
                locs,
                findings: Vec::new(),
                origin,
            }
        })
        .collect()
}

/// Appends the concatenation of `parts` (pieces of raw XML) unless the capture would grow
/// past [`MAX_ITEM_BYTES`].
fn push_capped(c: &mut Capture, parts: &[&str]) {
    if c.buf.len() + parts.iter().map(|p| p.len()).sum::<usize>() > MAX_ITEM_BYTES {
        c.over = true;
    } else {
        for p in parts {
            c.buf.push_str(p);
        }
    }
}

impl State<'_, '_> {
    /// Handles one event; false when reading must stop.
    fn event(&mut self, event: Event, mark: Mark, end: Mark, chunk: &mut Vec<Pending>) -> bool {
        let file = self.file;
        match event {
            Event::Start(e) => {
                if self.stack.len() >= MAX_DEPTH {
                    let p = mark.place(1);
                    self.diags.push(
                        Diagnostic::new(&codes::TOO_DEEP, file, format!("elements are nested more than {MAX_DEPTH} levels deep: reading stopped here"))
                            .label(p.span, p.at, "too deep"),
                    );
                    return false;
                }
                self.start(&e, mark, end, false, chunk);
            }
            Event::Empty(e) => {
                self.start(&e, mark, end, true, chunk);
                self.end(mark, end, chunk);
            }
            Event::End(e) => {
                if let Some(c) = &mut self.capture
                    && self.stack.len() > c.depth + 1
                {
                    push_capped(c, &["</", &e, ">"]);
                }
                self.end(mark, end, chunk);
            }
            Event::Text(t) => {
                // Blank text between elements (most text events) needs no normalizing. The
                // test does not stop early so that it compiles to vector compares: such text
                // is short, and longer text is mostly element content, tested first.
                let blank = || {
                    t.bytes().fold(true, |all, b| {
                        all & matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
                    })
                };
                if self.wants_text() || !blank() {
                    self.text(&t.xml10_content(), &t, mark, end);
                }
            }
            Event::CData(t) => {
                if let Some(c) = &mut self.capture {
                    push_capped(c, &["<![CDATA[", &t, "]]>"]);
                } else {
                    let content = t.into_inner();
                    self.text(&content, "", mark, end);
                }
            }
            Event::GeneralRef(r) => self.reference(&r, mark, end),
            Event::Comment(c) => {
                if let Some(cap) = &mut self.capture {
                    push_capped(cap, &["<!--", &c, "-->"]);
                }
            }
            Event::DocType(_) => {
                self.doctype = true;
                let p = mark.to(end.pos);
                self.diags.push(
                    Diagnostic::new(&codes::DOCTYPE, file, "the file declares a DOCTYPE: kbulk refuses document type declarations and expands none of its entities")
                        .label(p.span, p.at, "DOCTYPE")
                        .help("remove the DOCTYPE; Kaltura's bulk XML never needs one"),
                );
            }
            Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => return false,
        }
        true
    }

    /// Reports the error that stopped the tokenizer at the token starting at `mark`; an I/O
    /// error other than bad data is returned instead.
    fn error(&mut self, e: &quick_xml::Error, mark: Mark) -> io::Result<()> {
        let file = self.file;
        let too_large = matches!(e, quick_xml::Error::Io(io) if io.get_ref().is_some_and(|i| i.is::<TokenTooLarge>()));
        let p = mark.place(1);
        if too_large {
            self.diags.push(
                Diagnostic::new(
                    &codes::TOO_LARGE,
                    file,
                    format!(
                        "this tag, text or comment is longer than {} MiB: reading stopped here",
                        MAX_TOKEN >> 20
                    ),
                )
                .label(p.span, p.at, "starts here")
                .help("look for an unclosed comment, CDATA section or quote"),
            );
        } else if let quick_xml::Error::Io(io) = e
            && io.kind() != io::ErrorKind::InvalidData
        {
            return Err(io::Error::new(io.kind(), io.to_string()));
        } else {
            self.diags.push(
                Diagnostic::new(
                    &codes::MALFORMED,
                    file,
                    format!("the file is not well-formed XML: {e}"),
                )
                .label(p.span, p.at, "reading stopped here")
                .server("Could not load xml [{jobId}], ...")
                .help("the whole job fails on a syntax error; fix it and check again"),
            );
        }
        Ok(())
    }

    fn start(
        &mut self,
        e: &BytesStart,
        mark: Mark,
        end: Mark,
        empty: bool,
        chunk: &mut Vec<Pending>,
    ) {
        let name: &str = e.name().0;
        let name_place = mark.advance(b"<").place(name.len() as u64);
        let tag_place = mark.to(end.pos);
        if name.eq_ignore_ascii_case("script") {
            self.diags.push(
                Diagnostic::new(
                    &codes::SCRIPT,
                    self.file,
                    "the file contains a <script> element: Kaltura refuses the whole upload",
                )
                .label(name_place.span, name_place.at, "script element")
                .server("File content contains potential security risks")
                .help("remove the <script> element (escape it as &lt;script&gt; if it is text)"),
            );
        }
        if let Some(c) = &mut self.capture {
            let raw: &str = e;
            push_capped(c, &["<", raw, if empty { "/>" } else { ">" }]);
            self.stack.push(Frame::new(None, name, tag_place));
            return;
        }
        let model = self.child_model(name, name_place);
        if self.stack.is_empty() && !self.saw_root {
            self.saw_root = true;
            if name != "mrss" {
                self.diags.push(
                    Diagnostic::new(&codes::WRONG_ROOT, self.file, format!("the root element is <{name}>, not <mrss>: the job can finish \"successfully\" with no entry"))
                        .label(name_place.span, name_place.at, "root element")
                        .help("wrap the channels in <mrss>"),
                );
            }
        }
        let attrs = if model.is_some() || self.item.is_some() {
            attributes(e, mark, self)
        } else {
            Vec::new()
        };
        if let Some(m) = model {
            self.check_attrs(m, &attrs, name_place);
            if m.text == Text::Any {
                let raw: &str = e;
                let with_tags = !matches!(m.name, "xmlData" | "xslt");
                let mut buf = String::new();
                if with_tags {
                    buf = if empty {
                        format!("<{raw}/>")
                    } else {
                        format!("<{raw}>")
                    };
                }
                self.capture = Some(Capture {
                    depth: self.stack.len(),
                    with_tags,
                    empty,
                    buf,
                    over: false,
                });
            }
        }
        let parent: &'static str = self
            .stack
            .last()
            .and_then(|f| f.model)
            .map_or("", |m| m.name);
        let is_item = name == "item" && model.is_some_and(|m| std::ptr::eq(m, &schema::ITEM));
        if is_item {
            self.items += 1;
            if let Some(mut b) = self.item.take() {
                b.close(mark.pos);
                chunk.push(b);
            }
            self.item = Some(Box::new(ItemBuilder::new(self.items, tag_place)));
        } else if let (Some(b), Some(m)) = (&mut self.item, model) {
            b.start(m.name, parent, &attrs, tag_place, self.file, self.diags);
        }
        if self.item.is_some() {
            for a in &attrs {
                self.placeholder(&a.value, a.place);
            }
        }
        self.stack.push(Frame::new(model, name, tag_place));
    }

    fn end(&mut self, mark: Mark, end: Mark, chunk: &mut Vec<Pending>) {
        let Some(f) = self.stack.pop() else {
            return;
        };
        if let Some(c) = &self.capture
            && self.stack.len() == c.depth
        {
            let mut c = self.capture.take().expect("capture is set");
            if c.with_tags && !c.empty {
                c.buf.push_str("</");
                c.buf.push_str(f.name());
                c.buf.push('>');
            }
            if c.over {
                self.diags.push(
                    Diagnostic::new(
                        &codes::TOO_LARGE,
                        self.file,
                        format!(
                            "<{}> is larger than {} MiB; kbulk kept none of it",
                            f.name(),
                            MAX_ITEM_BYTES >> 20
                        ),
                    )
                    .label(f.start.span, f.start.at, "too large"),
                );
                c.buf.clear();
            }
            let parent = self
                .stack
                .last()
                .and_then(|p| p.model)
                .map_or("", |m| m.name);
            if let Some(b) = &mut self.item {
                b.captured(f.name(), parent, c.buf, f.start);
            }
            return;
        }
        if self.capture.is_some() {
            return;
        }
        let Some(m) = f.model else {
            return;
        };
        // Required children never seen.
        let from = f.slot;
        for (k, s) in m.slots.iter().enumerate().skip(from) {
            let have = if k == from { f.count } else { 0 };
            if have < s.min && !s.identity {
                let p = mark.place(end.pos.saturating_sub(mark.pos));
                self.diags.push(
                    Diagnostic::new(
                        &codes::MISSING_ELEMENT,
                        self.file,
                        format!("<{}> needs {}", m.name, s.names()),
                    )
                    .label(p.span, p.at, format!("<{}> ends here", m.name))
                    .label(f.start.span, f.start.at, "opened here")
                    .server("Validate files failed on job [{jobId}], ..."),
                );
            }
        }
        let parent = self
            .stack
            .last()
            .and_then(|p| p.model)
            .map_or("", |m| m.name);
        if f.text_only() {
            let value = if f.text_start.is_some() {
                std::mem::take(&mut self.text)
            } else {
                String::new()
            };
            let vp = match f.text_start {
                Some(s) => s.to(f.text_end),
                None => mark.place(0),
            };
            if self.item.is_some() {
                self.placeholder(&value, vp);
            }
            if find_placeholder(&value).is_none() {
                self.value_rule(m.text, &value, vp, m.name, true);
            }
            if let Some(b) = &mut self.item {
                b.text(m.name, parent, &value, vp);
            }
            self.text = value;
        }
        if std::ptr::eq(m, &schema::ITEM) {
            if let Some(mut b) = self.item.take() {
                b.close(end.pos);
                chunk.push(b);
            }
        } else if let Some(b) = &mut self.item {
            b.end(m.name, parent);
        }
    }

    fn finish(&mut self, end: Mark) {
        if let Some(f) = self.stack.last() {
            self.diags.push(
                Diagnostic::new(
                    &codes::MALFORMED,
                    self.file,
                    format!("the file ends before <{}> is closed", f.name()),
                )
                .label(f.start.span, f.start.at, "never closed")
                .server("Could not load xml [{jobId}], ..."),
            );
        } else if !self.saw_root {
            let p = end.place(0);
            self.diags.push(
                Diagnostic::new(&codes::MALFORMED, self.file, "the file has no root element")
                    .label(p.span, p.at, "end of file")
                    .server("Could not load xml [{jobId}], ..."),
            );
        }
    }
}
