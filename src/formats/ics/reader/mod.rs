//! Reads iCal files as Kaltura's iCal engine does: content lines from the scanner, components
//! assembled with BEGIN/END, VEVENTs mapped in parallel chunks (order kept). Lexical rules live
//! in `lexical`, property mapping in `props`, dates, zones and nested components in `times`.
use std::io::{self, BufReader, Read};
use std::sync::Arc;

use rayon::prelude::*;

use super::rrule::{self, IssueKind, parse_local_basic, parse_utc_basic};
use super::scanner::{ContentLine, Scanner};
use super::{has_text_escape, parse_duration, tz, unescape_text};
use crate::diag::Diagnostic;
use crate::formats::feed::{Checks, Chunk, Events, Feed, ReadEvent, Row};
use crate::formats::ics::codes;
use crate::formats::{Findings, ReadOptions};
use crate::record::codes::event as ev_codes;
use crate::record::event::{Classification, EventAction, EventField, EventTime, ScheduleEvent};
use crate::record::locs::EventLocs;
use crate::source::Place;
use crate::source::{Origin, Span};

/// Events mapped per parallel step.
mod converted;
mod lexical;
mod props;
mod times;

use converted::{ServerTimes, series_dst_rule};
use lexical::{line_ending_rule, line_rules};
use props::map_event;
use times::{ReadTime, event_time, locs_has, nested_rules};

const CHUNK_EVENTS: usize = 512;
/// Deepest component nesting kept.
const MAX_DEPTH: usize = 32;
/// Properties kept per event (hostile files can have millions).
const MAX_PROPS: usize = 10_000;

/// A component nested in a VEVENT, and the properties the server would read as the event's.
#[derive(Debug)]
struct Nested {
    name: String,
    begin: Place,
    lines: Vec<Line>,
}

/// A content line as the scanner hands it on. Boxed: a content line is over 200 bytes, and each
/// moves from the scanner into its event, through the chunk and back for reuse.
type Line = Box<ContentLine>;

/// One VEVENT as scanned, before mapping.
#[derive(Debug)]
struct RawEvent {
    index: u64,
    begin: Place,
    end: u64,
    props: Vec<Line>,
    nested: Vec<Nested>,
    /// Indexes of the nested components still open.
    open: Vec<usize>,
    /// Stack depth at which the VEVENT began.
    depth: usize,
}

/// Everything the mapping step needs besides the event.
struct Ctx<'a> {
    file: &'a Arc<str>,
    opts: &'a ReadOptions,
    import: jiff::Timestamp,
}

impl RawEvent {
    /// Parses the event's lines (the scanner found only their names).
    fn parse_lines(&mut self) {
        let nested = self.nested.iter_mut().flat_map(|n| n.lines.iter_mut());
        for l in self.props.iter_mut().chain(nested) {
            l.parse();
        }
    }
}

fn place(line: &ContentLine, range: std::ops::Range<usize>) -> Place {
    let (span, at) = line.place(range);
    Place { span, at }
}

/// Reads an iCal file from `input` (positioned after any BOM, at file offset `offset`).
/// Returns the number of VEVENTs.
///
/// A scanner thread reads content lines and groups them into events while this thread maps the
/// previous chunk of events in parallel and hands them to `feed` in file order.
pub fn read(
    input: impl Read + Send,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    feed: &mut dyn Feed<Events>,
    diags: &mut Findings<'_>,
) -> io::Result<u64> {
    let ctx = Ctx {
        file,
        opts,
        import: opts.import_instant(),
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<RawEvent>, Vec<Diagnostic>)>(2);
    // Content lines go back to the scanner once mapped, so that their buffers are reused instead
    // of being allocated on one thread and freed on another.
    let (back_tx, back_rx) = std::sync::mpsc::sync_channel::<Vec<Line>>(4);
    let (result, scan_diags) = std::thread::scope(|s| {
        let scan_file = file.clone();
        let scanner = s.spawn(move || {
            let mut scan_diags = Vec::new();
            let r = scan(input, offset, &scan_file, &tx, &back_rx, &mut scan_diags);
            (r, scan_diags)
        });
        for (mut chunk, scanned) in rx {
            diags.extend(scanned);
            // The scanner reports an unended component at its BEGIN when the file ends, and
            // the calendar stays open to the end: every finding waits (spilling past the
            // budget) until the file is read.
            let (rows, lines) = map_chunk(&mut chunk, &ctx, feed.wants_records());
            let _ = back_tx.try_send(lines);
            if let Err(e) = feed.chunk(Chunk { rows, watermark: 0 }, diags) {
                // Dropping the receiver stops the scanner at its next send.
                return (Err(e), Vec::new());
            }
        }
        scanner
            .join()
            .expect("the iCal scanner thread does not panic")
    });
    diags.extend(scan_diags);
    result
}

/// Findings the scanner collects before it sends them on without waiting for a chunk of events.
const SCAN_FINDINGS: usize = 4096;

/// Scans content lines into events, sending them in chunks; reports the file's structure.
fn scan(
    input: impl Read,
    offset: u64,
    file: &Arc<str>,
    tx: &std::sync::mpsc::SyncSender<(Vec<RawEvent>, Vec<Diagnostic>)>,
    back: &std::sync::mpsc::Receiver<Vec<Line>>,
    diags: &mut Vec<Diagnostic>,
) -> io::Result<u64> {
    let mut spare: Vec<Line> = Vec::new();
    let fresh = |spare: &mut Vec<Line>| {
        if spare.is_empty()
            && let Ok(more) = back.try_recv()
        {
            *spare = more;
        }
        spare.pop().unwrap_or_default()
    };
    let mut scanner = Scanner::new(BufReader::with_capacity(1 << 16, input), offset);
    let mut line = Line::default();
    let mut stack: Vec<(String, Place)> = Vec::new();
    let mut calendars = 0u32;
    let mut extra_calendar_reported = false;
    let mut no_calendar_reported = false;
    let mut calendar_cancel: Option<Place> = None;
    let mut current: Option<RawEvent> = None;
    let mut chunk: Vec<RawEvent> = Vec::new();
    let mut events = 0u64;
    let mut nesting_reports = 0u32;
    while scanner.next_line_unparsed(&mut line)? {
        let name = line.name_key();
        let is_begin = name.is("BEGIN");
        let is_end = name.is("END");
        // An event's own lines are parsed by the thread that maps the event.
        if is_begin || is_end || current.is_none() {
            line.parse();
        }
        if !(is_begin || is_end) {
            if let Some(ev) = current.as_mut() {
                if let Some(&i) = ev.open.last() {
                    if ev.nested[i].lines.len() < MAX_PROPS {
                        ev.nested[i]
                            .lines
                            .push(std::mem::replace(&mut line, fresh(&mut spare)));
                    }
                } else if ev.props.len() < MAX_PROPS {
                    ev.props
                        .push(std::mem::replace(&mut line, fresh(&mut spare)));
                }
            } else {
                line_rules(&line, file, None, diags);
                // Lines outside any event may each report: hand the findings over before they
                // pile up (with the events read so far, to keep them in order).
                if diags.len() >= SCAN_FINDINGS
                    && tx
                        .send((std::mem::take(&mut chunk), std::mem::take(diags)))
                        .is_err()
                {
                    return Ok(events);
                }
                if stack.len() == 1
                    && name.is("METHOD")
                    && line.value_str().trim().eq_ignore_ascii_case("CANCEL")
                {
                    calendar_cancel = Some(place(&line, 0..line.text.len()));
                }
            }
            continue;
        }
        let comp = line.value_str().trim().to_ascii_uppercase();
        let here = place(&line, 0..line.text.len());
        if is_begin {
            if stack.len() >= MAX_DEPTH {
                if nesting_reports < 10 {
                    nesting_reports += 1;
                    diags.push(
                        Diagnostic::new(&codes::COMPONENT_NESTING, file, format!("components are nested more than {MAX_DEPTH} deep; kbulk stops following them"))
                            .label(here.span, here.at, "too deep"),
                    );
                }
                continue;
            }
            if let Some(ev) = current.as_mut() {
                ev.open.push(ev.nested.len());
                ev.nested.push(Nested {
                    name: comp.clone(),
                    begin: here,
                    lines: Vec::new(),
                });
            } else if comp == "VCALENDAR" && stack.is_empty() {
                calendars += 1;
                if calendars == 2 && !extra_calendar_reported {
                    extra_calendar_reported = true;
                    diags.push(
                        Diagnostic::new(&codes::EXTRA_CALENDAR, file, "a second VCALENDAR: the server reads only the first one and ignores every event from here on")
                            .label(here.span, here.at, "ignored by the server")
                            .help("merge the calendars into one"),
                    );
                }
            } else if comp == "VEVENT" {
                if calendars == 0 && !no_calendar_reported {
                    no_calendar_reported = true;
                    diags.push(
                        Diagnostic::new(&codes::NO_CALENDAR, file, "this VEVENT is not inside a VCALENDAR: the server reads events only inside the first calendar")
                            .label(here.span, here.at, "outside any calendar")
                            .help("wrap the events in BEGIN:VCALENDAR … END:VCALENDAR"),
                    );
                }
                current = Some(RawEvent {
                    index: events,
                    begin: here,
                    end: here.span.end,
                    props: Vec::with_capacity(16),
                    nested: Vec::new(),
                    open: Vec::new(),
                    depth: stack.len(),
                });
                events += 1;
            }
            stack.push((comp, here));
            continue;
        }
        // END
        match stack.iter().rposition(|(n, _)| *n == comp) {
            Some(pos) => {
                for (open, p) in stack.drain(pos + 1..).rev() {
                    if nesting_reports < 10 {
                        nesting_reports += 1;
                        diags.push(
                            Diagnostic::new(
                                &codes::COMPONENT_NESTING,
                                file,
                                format!("BEGIN:{open} is never ended (END:{comp} comes first)"),
                            )
                            .label(p.span, p.at, "not ended")
                            .label(
                                here.span,
                                here.at,
                                "enclosing component ends here",
                            ),
                        );
                    }
                }
                stack.pop();
                if let Some(ev) = current.as_mut() {
                    if stack.len() <= ev.depth {
                        let mut ev = current.take().expect("current event");
                        ev.end = here.span.end;
                        chunk.push(ev);
                        if chunk.len() >= CHUNK_EVENTS
                            && tx
                                .send((std::mem::take(&mut chunk), std::mem::take(diags)))
                                .is_err()
                        {
                            return Ok(events);
                        }
                    } else {
                        let open = stack.len().saturating_sub(ev.depth + 1);
                        ev.open.truncate(open);
                    }
                }
            }
            None => {
                if nesting_reports < 10 {
                    nesting_reports += 1;
                    diags.push(
                        Diagnostic::new(
                            &codes::COMPONENT_NESTING,
                            file,
                            format!("END:{comp} without a matching BEGIN:{comp}"),
                        )
                        .label(here.span, here.at, "unmatched END"),
                    );
                }
            }
        }
    }
    if let Some(mut ev) = current.take() {
        diags.push(
            Diagnostic::new(
                &codes::COMPONENT_NESTING,
                file,
                "this VEVENT is never ended: the file stops inside it",
            )
            .label(
                ev.begin.span,
                ev.begin.at,
                "BEGIN:VEVENT without END:VEVENT",
            )
            .row(ev.index)
            .help("end the event with END:VEVENT and the calendar with END:VCALENDAR"),
        );
        ev.end = scanner_end(&ev);
        chunk.push(ev);
    }
    if !chunk.is_empty() {
        let _ = tx.send((chunk, std::mem::take(diags)));
    }
    for (open, p) in stack.iter().filter(|(n, _)| n != "VEVENT") {
        diags.push(
            Diagnostic::new(
                &codes::COMPONENT_NESTING,
                file,
                format!("BEGIN:{open} is never ended"),
            )
            .label(p.span, p.at, "not ended"),
        );
    }
    if calendars == 0 && events == 0 {
        diags.push(
            Diagnostic::new(
                &codes::NO_CALENDAR,
                file,
                "the file has no BEGIN:VCALENDAR and no VEVENT: the server imports nothing",
            )
            .help("an iCal file starts with BEGIN:VCALENDAR and holds BEGIN:VEVENT … END:VEVENT blocks"),
        );
    } else if events == 0 {
        diags.push(
            Diagnostic::new(
                &codes::NO_EVENTS,
                file,
                "the calendar holds no VEVENT: the job would succeed and do nothing",
            )
            .help("Kaltura imports VEVENTs only"),
        );
    }
    if let Some(p) = calendar_cancel
        && events > 0
    {
        diags.push(
            Diagnostic::new(&codes::CALENDAR_CANCEL, file, "METHOD:CANCEL on the calendar is ignored: every event in the file is added or updated, not cancelled")
                .label(p.span, p.at, "ignored by the server")
                .help("the server reads METHOD from each VEVENT; cancel through the API"),
        );
    }
    line_ending_rule(&scanner.endings, file, diags);
    Ok(events)
}

fn scanner_end(ev: &RawEvent) -> u64 {
    ev.props
        .last()
        .map_or(ev.begin.span.end, |l| l.whole().0.end)
}

/// Maps a chunk of events in parallel; returns them in order, with the content lines to reuse.
fn map_chunk<'a>(
    chunk: &mut Vec<RawEvent>,
    ctx: &Ctx<'_>,
    wants: bool,
) -> (Vec<Row<'a, Events>>, Vec<Line>) {
    let mut lines = Vec::new();
    if chunk.is_empty() {
        return (Vec::new(), lines);
    }
    let mapped: Vec<(ReadEvent, EventLocs, Vec<Diagnostic>)> = chunk
        .par_iter_mut()
        .with_min_len(16)
        .map(|ev| {
            ev.parse_lines();
            map_event(ev, ctx)
        })
        .collect();
    let mut rows = Vec::with_capacity(mapped.len());
    for (mut raw, (event, locs, findings)) in chunk.drain(..).zip(mapped) {
        lines.append(&mut raw.props);
        let origin = wants.then(|| Origin {
            file: ctx.file.clone(),
            span: Span::new(raw.begin.span.start, raw.end),
            line: raw.begin.at.line,
            row: raw.index,
            raw: None,
        });
        rows.push(Row {
            row: raw.index,
            record: Some(event),
            usable: true,
            checks: Checks::All,
            locs,
            findings,
            origin,
        });
    }
    (rows, lines)
}
