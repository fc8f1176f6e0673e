//! Reads iCal files as Kaltura's iCal engine does: content lines from the scanner, components
//! tracked with BEGIN/END, every VEVENT mapped to a [`ScheduleEvent`] (in parallel chunks, order
//! kept) with the server's lexical, date, time-zone and RRULE rules.
use std::io::{self, BufReader, Read};
use std::sync::Arc;

use rayon::prelude::*;

use super::rrule::{self, IssueKind, parse_local_basic, parse_utc_basic};
use super::scanner::{ContentLine, MAX_LINE, Scanner};
use super::{has_text_escape, parse_duration, tz, unescape_text};
use crate::check::event::{FileRules, check_record};
use crate::diag::{Diagnostic, Severity};
use crate::formats::ics::codes;
use crate::formats::{ReadOptions, Sink};
use crate::record::codes::event as ev_codes;
use crate::record::event::{Classification, EventAction, EventField, EventTime, ScheduleEvent};
use crate::record::locs::{EventLocs, EventSource as Source};
use crate::record::{Record, RecordData};
use crate::source::Place;
use crate::source::{LineCol, Origin, Span};

/// Events mapped per parallel step.
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
/// previous chunk of events in parallel and sends records to `sink` in file order.
pub fn read(
    input: impl Read + Send,
    offset: u64,
    file: &Arc<str>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    diags: &mut Vec<Diagnostic>,
) -> io::Result<u64> {
    let ctx = Ctx {
        file,
        opts,
        import: opts.import_instant(),
    };
    let mut rules = FileRules::new(file.clone(), Source::Ical);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RawEvent>>(2);
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
        for mut chunk in rx {
            let lines = flush(&mut chunk, &ctx, &mut rules, sink, diags);
            let _ = back_tx.try_send(lines);
        }
        scanner
            .join()
            .expect("the iCal scanner thread does not panic")
    });
    diags.extend(scan_diags);
    rules.finish(diags);
    result
}

/// Scans content lines into events, sending them in chunks; reports the file's structure.
fn scan(
    input: impl Read,
    offset: u64,
    file: &Arc<str>,
    tx: &std::sync::mpsc::SyncSender<Vec<RawEvent>>,
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
        let is_begin = &*name == "BEGIN";
        let is_end = &*name == "END";
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
                if stack.len() == 1
                    && &*name == "METHOD"
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
                            && tx.send(std::mem::take(&mut chunk)).is_err()
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
        let _ = tx.send(chunk);
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

fn line_ending_rule(e: &super::scanner::EndingStats, file: &Arc<str>, diags: &mut Vec<Diagnostic>) {
    let bad = e.lf + e.cr;
    let Some((offset, line)) = e.first_bad else {
        return;
    };
    let kind = if e.lf >= e.cr { "LF" } else { "CR" };
    let d = if e.crlf == 0 {
        Diagnostic::new(&codes::LINE_ENDINGS, file, format!("every line ends in {kind} alone: the server splits on CRLF only, sees one single line, and imports zero events while reporting success"))
            .help("save the file with CRLF line endings (kbulk convert --to ics writes CRLF)")
    } else {
        Diagnostic::new(&codes::LINE_ENDINGS, file, format!("{bad} line{} end in {kind} alone among CRLF lines: the server glues each to the next line and loses that property", if bad == 1 { "" } else { "s" }))
            .help("use CRLF on every line")
    };
    diags.push(d.label(
        Span::new(offset, offset + 1),
        LineCol { line, column: 1 },
        "first line break that is not CRLF",
    ));
}

/// Maps a chunk of events in parallel, then runs file rules and emits records in order.
fn flush(
    chunk: &mut Vec<RawEvent>,
    ctx: &Ctx<'_>,
    rules: &mut FileRules,
    sink: &mut dyn Sink,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Line> {
    let mut lines = Vec::new();
    if chunk.is_empty() {
        return lines;
    }
    let mapped: Vec<(ScheduleEvent, EventLocs, Vec<Diagnostic>)> = chunk
        .par_iter_mut()
        .with_min_len(16)
        .map(|ev| {
            ev.parse_lines();
            map_event(ev, ctx)
        })
        .collect();
    let wants = sink.wants_records();
    for (mut raw, (event, locs, d)) in chunk.drain(..).zip(mapped) {
        lines.append(&mut raw.props);
        diags.extend(d);
        rules.observe(&event, &locs, raw.index, diags);
        if !wants {
            continue;
        }
        sink.record(Record {
            origin: Origin {
                file: ctx.file.clone(),
                span: Span::new(raw.begin.span.start, raw.end),
                line: raw.begin.at.line,
                row: raw.index,
                raw: None,
            },
            data: RecordData::ScheduleEvent(event),
        });
    }
    lines
}

/// Lexical rules of one content line (any component).
fn line_rules(line: &ContentLine, file: &Arc<str>, row: Option<u64>, out: &mut Vec<Diagnostic>) {
    let with_row = |d: Diagnostic| match row {
        Some(r) => d.row(r),
        None => d,
    };
    if line.truncated {
        let p = place(line, 0..line.name.end);
        out.push(with_row(
            Diagnostic::new(
                &codes::LINE_TOO_LONG,
                file,
                format!(
                    "this line is longer than {} MiB and was cut",
                    MAX_LINE >> 20
                ),
            )
            .label(p.span, p.at, "line starts here"),
        ));
    }
    if line.colon.is_none() && line.first_colon.is_none() {
        let p = place(line, 0..line.text.len());
        out.push(with_row(
            Diagnostic::new(
                &codes::MALFORMED_LINE,
                file,
                "this line has no `:`: the server glues it to the value of the property before it",
            )
            .label(p.span, p.at, "not a property")
            .help("remove the line, or write it as NAME:VALUE"),
        ));
        return;
    }
    if let (Some(first), Some(colon)) = (line.first_colon, line.colon)
        && first < colon
    {
        let p = place(line, first..first + 1);
        let name = String::from_utf8_lossy(&line.text[..first]).to_ascii_uppercase();
        out.push(with_row(
            Diagnostic::new(&codes::COLON_IN_PARAMETER, file, format!("the server splits this line at the `:` inside the quoted parameter, so it reads a property named `{name}` and loses this {}", line.name_upper()))
                .label(p.span, p.at, "the server splits here")
                .help("use an IANA zone name such as Europe/Berlin, or UTC times"),
        ));
    }
    if !line.utf8
        && let Err(e) = std::str::from_utf8(&line.text)
    {
        let at = e.valid_up_to();
        let p = place(line, at..at + 1);
        out.push(with_row(
            Diagnostic::new(
                &codes::INVALID_UTF8,
                file,
                format!(
                    "this line is not valid UTF-8 (byte 0x{:02X})",
                    line.text[at]
                ),
            )
            .label(p.span, p.at, "invalid byte")
            .help("save the file as UTF-8"),
        ));
    }
    if !line.folds.is_empty() {
        fold_rule(line, file, row, out);
    }
}

/// Compares the RFC unfolding with the server's (trim each continuation, append without a
/// separator, stop at a continuation holding `:`).
fn fold_rule(line: &ContentLine, file: &Arc<str>, row: Option<u64>, out: &mut Vec<Diagnostic>) {
    let first_fold = line.folds[0].text.start;
    let head_end = first_fold.max(line.value.start.min(first_fold));
    let mut server = String::from_utf8_lossy(&line.text[line.value.start.min(head_end)..head_end])
        .trim()
        .to_string();
    for f in &line.folds {
        let seg = &line.text[f.text.clone()];
        if memchr::memchr(b':', seg).is_some() && f.text.start >= line.value.start {
            let at = LineCol {
                line: f.line,
                column: 1,
            };
            let d = Diagnostic::new(&codes::FOLDED_LINE, file, format!("this continuation of {} contains `:`: the server reads it as a new property and cuts the value before it", line.name_upper()))
                .severity(Severity::Error)
                .label(Span::new(f.offset, f.offset + 1 + seg.len() as u64), at, "read as a bogus property")
                .help("write the value on one line: Kaltura does not limit line length");
            out.push(match row {
                Some(r) => d.row(r),
                None => d,
            });
            return;
        }
        server.push_str(String::from_utf8_lossy(seg).trim());
    }
    let rfc = String::from_utf8_lossy(&line.text[line.value.clone()])
        .trim()
        .to_string();
    if server != rfc {
        let f = &line.folds[0];
        let d = Diagnostic::new(&codes::FOLDED_LINE, file, format!("the server unfolds this {} without the whitespace at the fold: it stores `{}` instead of `{}`", line.name_upper(), clip(&server), clip(&rfc)))
            .label(Span::new(f.offset, f.offset + 1), LineCol { line: f.line, column: 1 }, "folded here")
            .help("write the value on one line: Kaltura does not limit line length");
        out.push(match row {
            Some(r) => d.row(r),
            None => d,
        });
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Property names (dashes removed) that reach internal setter methods of the server's parser.
const SETTER_QUIRKS: &[(&str, &str)] = &[
    ("RULE", "crashes the worker with a TypeError"),
    ("PARENTCOMPONENT", "crashes the worker with a TypeError"),
    ("FIELD", "crashes the worker with an ArgumentCountError"),
    (
        "CONFIGURATIONFIELD",
        "crashes the worker with an ArgumentCountError",
    ),
    ("WRITETOSTDOUT", "turns the parser's output echoing on"),
    (
        "KALTURATYPE",
        "silently overrides the job's events type for this event",
    ),
];

/// Properties the server drops that users may rely on.
const IGNORED: &[&str] = &[
    "ATTENDEE",
    "URL",
    "CATEGORIES",
    "RELATED-TO",
    "X-KALTURA-RESOURCE-IDS",
    "ATTACH",
    "RESOURCES",
];

/// Maps one VEVENT to an event, with every per-event rule.
fn map_event(ev: &RawEvent, ctx: &Ctx<'_>) -> (ScheduleEvent, EventLocs, Vec<Diagnostic>) {
    let file = ctx.file;
    let row = ev.index;
    let mut out = Vec::new();
    let mut e = ScheduleEvent {
        event_type: ctx.opts.events_type,
        ..ScheduleEvent::default()
    };
    let mut locs = EventLocs::whole(ev.begin);
    let mut duration_seen = false;
    for line in &ev.props {
        line_rules(line, file, Some(row), &mut out);
        let key = line.name_key();
        let name: &str = &key;
        let value_place = place(line, line.value.clone());
        let name_place = place(line, line.name.clone());
        let value = line.value_str();
        let v = value.trim();
        let diag = |code, msg: String, label: &str| {
            Diagnostic::new(code, file, msg)
                .label(value_place.span, value_place.at, label)
                .row(row)
        };
        let text = |field: EventField, out: &mut Vec<Diagnostic>| -> Option<String> {
            if has_text_escape(v) {
                out.push(
                    diag(&codes::ESCAPED_TEXT, format!("{name} has RFC 5545 escapes that the server stores literally (with the backslashes)"), "escaped text")
                        .help("write the text without escapes (kbulk convert --to ics does)"),
                );
            }
            let _ = field;
            (!v.is_empty()).then(|| unescape_text(v))
        };
        let plain = || (!v.is_empty()).then(|| v.to_string());
        let without_dashes = |q: &str| name.bytes().filter(|&b| b != b'-').eq(q.bytes());
        if let Some((_, what)) = SETTER_QUIRKS.iter().find(|(q, _)| without_dashes(q)) {
            out.push(
                Diagnostic::new(&codes::SETTER_QUIRK, file, format!("the property name {name} reaches an internal method of the server's iCal parser and {what}"))
                    .label(name_place.span, name_place.at, "internal setter")
                    .row(row)
                    .help("rename or remove the property"),
            );
            continue;
        }
        let field = match name {
            "UID" => {
                e.reference_id = plain();
                Some(EventField::ReferenceId)
            }
            "SUMMARY" => {
                e.summary = text(EventField::Summary, &mut out);
                Some(EventField::Summary)
            }
            "DESCRIPTION" => {
                e.description = text(EventField::Description, &mut out);
                Some(EventField::Description)
            }
            "LOCATION" => {
                e.location = text(EventField::Location, &mut out);
                Some(EventField::Location)
            }
            "CONTACT" => {
                e.contact = text(EventField::Organizer, &mut out);
                None
            }
            "COMMENT" => {
                e.comment = text(EventField::Organizer, &mut out);
                None
            }
            "ORGANIZER" => {
                e.organizer = plain();
                Some(EventField::Organizer)
            }
            "STATUS" => {
                e.status = Some(v.to_string());
                Some(EventField::Status)
            }
            "X-KALTURA-PARENT-ID" => {
                e.parent_id = Some(v.to_string());
                Some(EventField::ParentId)
            }
            "X-KALTURA-TAGS" => {
                e.tags = plain();
                Some(EventField::Tags)
            }
            "X-KALTURA-OWNER-ID" => {
                e.owner_id = plain();
                Some(EventField::OwnerId)
            }
            "X-KALTURA-TEMPLATE-ENTRY-ID" => {
                e.template_entry_id = plain();
                Some(EventField::TemplateEntryId)
            }
            "X-KALTURA-ENTRY-IDS" => {
                e.entry_ids = plain();
                Some(EventField::EntryIds)
            }
            "X-KALTURA-CATEGORY-IDS" => {
                e.category_ids = plain();
                Some(EventField::CategoryIds)
            }
            "GEOLATITUDE" | "GEOLONGITUDE" => {
                let f = if name == "GEOLATITUDE" {
                    EventField::GeoLatitude
                } else {
                    EventField::GeoLongitude
                };
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => {
                        if f == EventField::GeoLatitude {
                            e.geo_latitude = Some(x)
                        } else {
                            e.geo_longitude = Some(x)
                        }
                    }
                    _ => out.push(diag(
                        &ev_codes::INVALID_NUMBER,
                        format!("{name} `{v}` is not a number"),
                        "not a number",
                    )),
                }
                Some(f)
            }
            "GEO" => {
                out.push(
                    diag(
                        &codes::GEO_IGNORED,
                        "the server does not read GEO: the event gets no coordinates".into(),
                        "ignored",
                    )
                    .help(
                        "write GEOLATITUDE and GEOLONGITUDE instead (kbulk convert --to ics does)",
                    ),
                );
                if let Some((a, b)) = v.split_once([';', ','])
                    && let (Ok(a), Ok(b)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>())
                {
                    e.geo_latitude.get_or_insert(a);
                    e.geo_longitude.get_or_insert(b);
                }
                None
            }
            "PRIORITY" | "SEQUENCE" => {
                let f = if name == "PRIORITY" {
                    EventField::Priority
                } else {
                    EventField::Sequence
                };
                match v.parse::<i64>() {
                    Ok(n) if f == EventField::Priority => e.priority = Some(n),
                    Ok(n) => e.sequence = Some(n),
                    Err(_) => out.push(diag(
                        &ev_codes::INVALID_NUMBER,
                        format!("{name} `{v}` is not an integer"),
                        "not an integer",
                    )),
                }
                Some(f)
            }
            "CLASS" => {
                e.classification_type = Classification::parse(v);
                if e.classification_type.is_none() {
                    let hint = Classification::parse(&v.to_ascii_uppercase())
                        .map(|c| format!("; write `{}`", c.as_str()))
                        .unwrap_or_default();
                    out.push(diag(
                        &codes::CLASS_IGNORED,
                        format!("CLASS `{v}` is not exactly PUBLIC, PRIVATE or CONFIDENTIAL: the server ignores it{hint}"),
                        "ignored",
                    ));
                }
                Some(EventField::Classification)
            }
            "DURATION" => {
                duration_seen = true;
                match parse_duration(v) {
                    Ok(s) => e.duration = Some(s),
                    Err(why) => out.push(
                        diag(
                            &codes::DURATION_SYNTAX,
                            format!("DURATION {why}"),
                            "not a duration",
                        )
                        .help("write a positive ISO 8601 duration such as PT1H30M"),
                    ),
                }
                Some(EventField::Duration)
            }
            "DTSTART" | "DTEND" => {
                let t = event_time(line, v, ctx, row, &mut out);
                if let Some((t, zone)) = t {
                    if name == "DTSTART" {
                        e.start_date = Some(t);
                        if zone.is_some() {
                            e.time_zone = zone;
                        }
                    } else {
                        e.end_date = Some(t);
                        if e.time_zone.is_none() {
                            e.time_zone = zone;
                        }
                    }
                }
                Some(if name == "DTSTART" {
                    EventField::StartDate
                } else {
                    EventField::EndDate
                })
            }
            "RRULE" => {
                let (r, issues) = rrule::parse_ical(v);
                let lead = value.len() - value.trim_start().len();
                for i in issues {
                    let start = line.value.start + lead + i.range.start;
                    let p = place(line, start..line.value.start + lead + i.range.end);
                    let (code, sev_help) = match i.kind {
                        IssueKind::FreqMissing | IssueKind::FreqInvalid => (
                            &ev_codes::RECURRENCE_FREQUENCY,
                            "FREQ must be SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY, in upper case",
                        ),
                        IssueKind::UntilNotUtc => {
                            (&codes::RRULE_UNTIL, "write UNTIL as YYYYMMDDTHHMMSSZ")
                        }
                        IssueKind::Ignored => (
                            &codes::RRULE_IGNORED_PART,
                            "remove the part, or expand the series yourself",
                        ),
                        IssueKind::Invalid | IssueKind::Syntax => {
                            (&ev_codes::RECURRENCE_INVALID, "fix the value")
                        }
                    };
                    let mut d = Diagnostic::new(code, file, i.message)
                        .label(p.span, p.at, "")
                        .row(row)
                        .help(sev_help);
                    if code.name == ev_codes::RECURRENCE_FREQUENCY.name {
                        d = d.server("The property \"frequency\" cannot be null");
                    }
                    out.push(d);
                }
                e.recurrence = Some(r);
                Some(EventField::Recurrence)
            }
            "METHOD" => {
                if v.eq_ignore_ascii_case("CANCEL") {
                    e.action = EventAction::Cancel;
                }
                Some(EventField::Action)
            }
            "X-KALTURA-TYPE" => {
                let t = v
                    .parse::<u8>()
                    .ok()
                    .and_then(crate::record::EventType::from_code);
                if t != Some(ctx.opts.events_type) {
                    out.push(
                        diag(&codes::TYPE_IGNORED, format!("X-KALTURA-TYPE `{v}` is ignored: the event is created as {:?}, the job's events type", ctx.opts.events_type), "ignored")
                            .help("submit events of another type in a separate job (--events-type)"),
                    );
                }
                None
            }
            "EXDATE" | "RDATE" | "RECURRENCE-ID" => {
                let what = match name {
                    "EXDATE" => "the excluded dates are scheduled anyway",
                    "RDATE" => "the extra dates are never scheduled",
                    _ => {
                        "this moved occurrence carries the series' UID and updates the whole series"
                    }
                };
                out.push(
                    diag(
                        &codes::EXCEPTION_IGNORED,
                        format!("the server ignores {name}: {what}"),
                        "ignored",
                    )
                    .help("expand exceptions into single events with their own UIDs"),
                );
                None
            }
            n if IGNORED.contains(&n) => {
                out.push(diag(
                    &codes::IGNORED_PROPERTY,
                    format!("the server does not import {n}"),
                    "ignored",
                ));
                None
            }
            _ => None,
        };
        if let Some(f) = field {
            locs.set(f, value_place);
        }
    }
    let _ = duration_seen;
    nested_rules(ev, file, &mut out);
    check_record(&e, &locs, Source::Ical, file, row, &mut out);
    if e.start_date.is_none()
        && e.action == EventAction::Add
        && !locs_has(&locs, EventField::StartDate)
    {
        let p = ev.begin;
        out.push(
            Diagnostic::new(&ev_codes::START_REQUIRED, file, "the event has no DTSTART")
                .label(p.span, p.at, "no DTSTART")
                .row(row)
                .help("add DTSTART as YYYYMMDDTHHMMSSZ"),
        );
    }
    (e, locs, out)
}

fn locs_has(locs: &EventLocs, f: EventField) -> bool {
    locs.fields[f.index()].is_some()
}

fn nested_rules(ev: &RawEvent, file: &Arc<str>, out: &mut Vec<Diagnostic>) {
    for n in &ev.nested {
        let mut clobbered: Vec<String> = Vec::new();
        for l in &n.lines {
            let name = l.name_upper();
            if matches!(
                name.as_str(),
                "SUMMARY"
                    | "DESCRIPTION"
                    | "DURATION"
                    | "LOCATION"
                    | "UID"
                    | "DTSTART"
                    | "DTEND"
                    | "STATUS"
                    | "RRULE"
                    | "PRIORITY"
                    | "COMMENT"
                    | "CONTACT"
                    | "ORGANIZER"
                    | "CLASS"
                    | "METHOD"
            ) && !clobbered.contains(&name)
            {
                clobbered.push(name.clone());
            }
            if name == "DURATION"
                && let Err(why) = parse_duration(l.value_str().trim())
            {
                let p = place(l, l.value.clone());
                out.push(
                    Diagnostic::new(&codes::DURATION_SYNTAX, file, format!("the {} inside this event has DURATION {why}; the server reads it as the event's", n.name))
                        .label(p.span, p.at, "not a duration")
                        .row(ev.index),
                );
            }
        }
        let effect = if clobbered.is_empty() {
            "its properties are read as the event's own".to_string()
        } else {
            format!(
                "its {} replace{} the event's own",
                clobbered.join(", "),
                if clobbered.len() == 1 { "s" } else { "" }
            )
        };
        out.push(
            Diagnostic::new(
                &codes::NESTED_COMPONENT,
                file,
                format!(
                    "a {} inside this VEVENT: the server does not see the component and {effect}",
                    n.name
                ),
            )
            .label(n.begin.span, n.begin.at, "nested component")
            .label(ev.begin.span, ev.begin.at, "in this event")
            .row(ev.index)
            .help("remove nested components (kbulk convert --to ics drops them)"),
        );
    }
}

/// Reads DTSTART/DTEND: the instant the file means and the zone it names, reporting how the
/// server would read it.
fn event_time(
    line: &ContentLine,
    v: &str,
    ctx: &Ctx<'_>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) -> Option<(EventTime, Option<String>)> {
    let file = ctx.file;
    let name = line.name_upper();
    let vp = place(line, line.value.clone());
    let diag = |code, msg: String, label: &str| {
        Diagnostic::new(code, file, msg)
            .label(vp.span, vp.at, label)
            .row(row)
    };
    let is_date = line
        .param("VALUE")
        .is_some_and(|p| p.value.eq_ignore_ascii_case("DATE"))
        || (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()));
    if is_date {
        let t = parse_local_basic(&format!("{}T000000", v.get(..8).unwrap_or(v)))
            .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
            .map(|z| EventTime(z.timestamp()));
        out.push(
            diag(
                &codes::ALL_DAY_DATE,
                format!("{name} is an all-day date: the server reads no date and the event fails"),
                "all-day date",
            )
            .help("write a UTC date-time such as 20270701T000000Z"),
        );
        return t.map(|t| (t, None));
    }
    if let Some(t) = parse_utc_basic(v) {
        return Some((t, None));
    }
    let Some(local) = parse_local_basic(v) else {
        out.push(
            diag(
                &codes::INVALID_DATE,
                format!("{name} `{v}` is not a date-time the server reads"),
                "not YYYYMMDDTHHMMSSZ",
            )
            .help("write YYYYMMDDTHHMMSSZ (UTC)"),
        );
        return None;
    };
    let Some(tzid) = line.param("TZID") else {
        out.push(
            diag(&codes::FLOATING_TIME, format!("{name} `{v}` is a floating local time (no Z, no TZID): the server reads no date"), "floating time")
                .help(format!("write it in UTC as {v}Z if it is UTC, or convert it from its zone")),
        );
        return local
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| (EventTime(z.timestamp()), None));
    };
    let raw = String::from_utf8_lossy(&line.text[line.raw_params.clone()]).into_owned();
    let server_name = tz::server_zone_name(&raw).unwrap_or_default();
    let Some(zone) = tz::resolve(&tzid.value) else {
        out.push(
            diag(
                &codes::UNKNOWN_ZONE,
                format!(
                    "TZID `{}` is not a zone the server knows: it uses its own default zone",
                    tzid.value
                ),
                "unknown zone",
            )
            .help("use an IANA zone name such as Europe/Paris, or UTC times"),
        );
        return local
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| (EventTime(z.timestamp()), None));
    };
    let zone_name = zone
        .iana_name()
        .map_or_else(|| tzid.value.clone(), str::to_string);
    if server_name.trim() != tzid.value.trim() && tz::resolve(&server_name).is_none() {
        out.push(
            diag(&codes::UNKNOWN_ZONE, format!("the server takes the zone name from the whole parameter text and reads `{server_name}`, which it does not know: it uses its own default zone"), "zone name misread")
                .help("give TZID as the only parameter, or use UTC times"),
        );
    }
    let s = tz::shift(&zone, local, ctx.import)?;
    if s.minutes != 0 {
        let date = local.date();
        let import_date = ctx.import.to_zoned_datetime(zone.clone()).date();
        let dir = if s.minutes > 0 { "later" } else { "earlier" };
        out.push(
            diag(&codes::TZ_SHIFT, format!(
                "{zone_name} is {} on {date} but {} at import ({import_date}): the server places this {name} {} minutes {dir} ({} instead of {})",
                s.at_event, s.at_import, s.minutes.abs(), EventTime(s.server), EventTime(s.intended)
            ), "shifted by the import-time offset")
            .help(format!("write {name} in UTC as {} (kbulk convert --to ics does)", EventTime(s.intended).ical_utc())),
        );
    }
    Some((EventTime(s.intended), Some(zone_name)))
}
