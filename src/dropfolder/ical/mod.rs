//! The iCal part of `kbulk fix`: rewrites the constructs that Kaltura's iCal engine mangles in
//! the dialect it reads as meant (what `kbulk convert --to ics --dialect kaltura` writes), line
//! by line, keeping every other line as it is:
//!
//! * folded lines are written on one line (the server's unfolding loses the whitespace at the
//!   fold and cuts values at a continuation holding `:`);
//! * RFC 5545 text escapes (`\,` `\;` `\\`) are written as the characters they stand for (the
//!   server keeps the backslashes); a value with an escaped line break is left alone, since no
//!   way of writing it survives the server's reader;
//! * a DTSTART/DTEND with TZID becomes UTC at the event's own date (the server would use the
//!   zone's offset on the import day); a series is converted only when its zone has no offset
//!   change from its start on, otherwise it is left alone;
//! * components nested in a VEVENT (VALARM, ...) are removed (the server reads their
//!   properties as the event's own);
//! * GEO becomes GEOLATITUDE and GEOLONGITUDE (the only coordinates the server reads);
//! * a single event's DURATION without DTEND becomes DTEND (the server needs DTEND).
//!
//! The rewrite is accepted only when re-reading it yields the same events ([`same_meaning`]: the
//! zone name of a TZID time aside, which the server never stores, and DURATION read as the end
//! it means) and no finding that the input did not have.
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::formats::ics::rrule::{parse_local_basic, parse_utc_basic};
use crate::formats::ics::scanner::{ContentLine, Scanner};
use crate::formats::ics::{has_text_escape, parse_duration, tz, unescape_text};
use crate::record::event::EventTime;
use crate::source::{LineCol, Span};

use super::codes;

mod verify;

pub use verify::same_meaning;
use verify::verify;

/// How many times one kind of repair was made, and where first.
#[derive(Default)]
struct Tally {
    count: u64,
    first: Option<(Span, LineCol)>,
}

impl Tally {
    fn add(&mut self, line: &ContentLine) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(line.whole());
        }
    }
}

/// The repairs of one rewrite, per kind, and what was left alone.
#[derive(Default)]
struct Plan {
    folds: Tally,
    escapes: Tally,
    utc: Tally,
    nested: Tally,
    geo: Tally,
    end: Tally,
    left: Vec<Diagnostic>,
}

impl Plan {
    fn changed(&self) -> bool {
        [
            &self.folds,
            &self.escapes,
            &self.utc,
            &self.nested,
            &self.geo,
        ]
        .iter()
        .any(|t| t.count > 0)
    }
}

/// Text properties the reader unescapes (the others are kept verbatim by both).
const TEXT: &[&str] = &["SUMMARY", "DESCRIPTION", "LOCATION", "CONTACT", "COMMENT"];

fn left_alone(file: &Arc<str>, line: &ContentLine, msg: String) -> Diagnostic {
    let (span, at) = line.whole();
    Diagnostic::new(&codes::UNFIXABLE, file, msg).label(span, at, "left as it is")
}

/// Rewrites `body` (an iCal file's text without BOM) in Kaltura's dialect. `None` when there is
/// nothing to rewrite, or when the rewrite is refused (the reason is in `repairs`).
pub fn rewrite(body: &str, file: &Arc<str>, repairs: &mut Vec<Diagnostic>) -> Option<String> {
    let mut scanner = Scanner::new(body.as_bytes(), 0);
    let import = jiff::Timestamp::now();
    let mut plan = Plan::default();
    let mut out = String::with_capacity(body.len() + body.len() / 16);
    let mut depth = 0usize;
    // The lines of the VEVENT being read, with its open components (only one event is held).
    let mut event_lines: Vec<ContentLine> = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut orphan: Option<ContentLine> = None;
    loop {
        let mut l = ContentLine::default();
        // Reading from memory cannot fail.
        if !scanner.next_line(&mut l).unwrap_or(false) {
            break;
        }
        if l.truncated || !l.utf8 {
            return None; // `check` reports it; nothing here is safe to rewrite
        }
        if orphan.is_none() && matches!(l.text.first(), Some(b' ' | b'\t')) {
            orphan = Some(l.clone());
        }
        let be = begin_end(&l);
        if !open.is_empty() {
            // Inside an event: BEGIN/END matched as the reader matches them (an END closes the
            // innermost open component of its name).
            match be {
                Some((true, c)) => open.push(c),
                Some((false, c)) => {
                    if let Some(pos) = open.iter().rposition(|s| *s == c) {
                        open.truncate(pos);
                    }
                }
                None => {}
            }
            event_lines.push(l);
            if open.is_empty() {
                event(&event_lines, file, import, &mut plan, &mut out);
                event_lines.clear();
            }
            continue;
        }
        match be {
            Some((true, comp)) if comp == "VEVENT" && depth == 1 => {
                open.push(comp);
                event_lines.push(l);
                continue;
            }
            Some((true, _)) => depth += 1,
            Some((false, _)) => depth = depth.saturating_sub(1),
            None => {}
        }
        emit(&mut out, &l, &mut plan);
    }
    if !event_lines.is_empty() {
        event(&event_lines, file, import, &mut plan, &mut out);
    }
    repairs.append(&mut plan.left);
    if !plan.changed() {
        return None;
    }
    // A line that starts with a blank after an empty line is its own line to the reader; written
    // without the empty line, it would become a continuation of the line before.
    if let Some(l) = orphan {
        repairs.push(left_alone(
            file,
            &l,
            format!(
                "the iCal rewrite was not made: line {} starts with a blank after an empty line, \
                 and written without the empty line it would become part of the line before",
                l.first.at.line
            ),
        ));
        return None;
    }
    if let Err(why) = verify(body, &out, file, import) {
        repairs.push(
            Diagnostic::new(
                &codes::UNFIXABLE,
                file,
                format!("the iCal rewrite was not made: {why}"),
            )
            .label(Span::new(0, 1), LineCol { line: 1, column: 1 }, "this file"),
        );
        return None;
    }
    for (tally, code, what) in [
        (
            &plan.folds,
            &codes::ICAL_FOLDS,
            "folded line(s) written on one line",
        ),
        (
            &plan.escapes,
            &codes::ICAL_ESCAPES,
            "value(s) with RFC 5545 escapes written as plain text",
        ),
        (
            &plan.utc,
            &codes::ICAL_UTC,
            "TZID time(s) written in UTC at the event's own date",
        ),
        (
            &plan.nested,
            &codes::ICAL_NESTED,
            "component(s) nested in an event removed",
        ),
        (
            &plan.end,
            &codes::ICAL_END,
            "DURATION(s) of single events written as DTEND",
        ),
        (
            &plan.geo,
            &codes::ICAL_GEO,
            "GEO propert(ies) written as GEOLATITUDE and GEOLONGITUDE",
        ),
    ] {
        push_tally(repairs, file, tally, code, what);
    }
    Some(out)
}

fn push_tally(
    repairs: &mut Vec<Diagnostic>,
    file: &Arc<str>,
    tally: &Tally,
    code: &'static Code,
    what: &str,
) {
    if let Some((span, at)) = tally.first {
        repairs.push(
            Diagnostic::new(code, file, format!("{} {what}", tally.count)).label(
                span,
                at,
                "first one",
            ),
        );
    }
}

/// `Some((is_begin, component))` for BEGIN/END lines.
fn begin_end(l: &ContentLine) -> Option<(bool, String)> {
    let name = l.name_key();
    let begin = match &*name {
        "BEGIN" => true,
        "END" => false,
        _ => return None,
    };
    Some((begin, l.value_str().trim().to_ascii_uppercase()))
}

/// Writes one content line as it is (unfolded).
fn emit(out: &mut String, l: &ContentLine, plan: &mut Plan) {
    if !l.folds.is_empty() {
        plan.folds.add(l);
    }
    out.push_str(&String::from_utf8_lossy(&l.text));
    out.push_str("\r\n");
}

/// Writes `l` with a new value (its name and parameters kept, unfolded).
fn emit_value(out: &mut String, l: &ContentLine, head: &str, value: &str, plan: &mut Plan) {
    if !l.folds.is_empty() {
        plan.folds.add(l);
    }
    out.push_str(head);
    out.push(':');
    out.push_str(value);
    out.push_str("\r\n");
}

/// Rewrites one VEVENT (`lines` from its BEGIN to its END).
fn event(
    lines: &[ContentLine],
    file: &Arc<str>,
    import: jiff::Timestamp,
    plan: &mut Plan,
    out: &mut String,
) {
    // The event's own properties, at depth 1; nested components are dropped whole.
    let mut own: Vec<&ContentLine> = Vec::with_capacity(lines.len());
    let mut stack: Vec<String> = Vec::new();
    for l in lines {
        match begin_end(l) {
            Some((true, c)) => {
                if stack.len() == 1 {
                    plan.nested.add(l);
                }
                stack.push(c);
                if stack.len() == 1 {
                    own.push(l);
                }
                continue;
            }
            Some((false, c)) => {
                if let Some(pos) = stack.iter().rposition(|s| *s == c) {
                    stack.truncate(pos);
                }
                if stack.is_empty() {
                    own.push(l);
                }
                continue;
            }
            None => {}
        }
        if stack.len() == 1 {
            own.push(l);
        }
    }
    let has = |n: &str| own.iter().any(|l| &*l.name_key() == n);
    let recurring = has("RRULE");
    let geo_free = !has("GEOLATITUDE") && !has("GEOLONGITUDE");
    // A single event with DURATION and no DTEND: the server needs DTEND (it does not compute it).
    let count = |n: &str| own.iter().filter(|l| &*l.name_key() == n).count();
    let end_from_duration = (!recurring && !has("DTEND") && count("DURATION") == 1)
        .then(|| {
            let start = own.iter().find(|l| &*l.name_key() == "DTSTART")?;
            let sv = start.value_str();
            let start = match start.param("TZID") {
                Some(_) => utc_time(start, sv.trim(), false, import).ok()?,
                None => sv.trim().to_string(),
            };
            let start = parse_utc_basic(&start)?;
            let dur = own.iter().find(|l| &*l.name_key() == "DURATION")?;
            let secs = parse_duration(dur.value_str().trim()).ok()?;
            EventTime::from_unix(start.unix().checked_add(secs)?)
        })
        .flatten();
    for l in own {
        let name = l.name_upper();
        let value = l.value_str();
        let v = value.trim();
        let Some(colon) = l.colon else {
            emit(out, l, plan);
            continue;
        };
        let head = String::from_utf8_lossy(&l.text[..colon]).into_owned();
        if TEXT.contains(&name.as_str()) && has_text_escape(v) {
            let plain = unescape_text(v);
            if plain.contains(['\n', '\r']) {
                plan.left.push(left_alone(file, l, format!("{name} holds an escaped line break: the server's reader cannot read a line break however it is written")));
            } else if has_text_escape(&plain) || plain.trim() != plain {
                plan.left.push(left_alone(
                    file,
                    l,
                    format!("{name} cannot be written without escapes so that it reads the same"),
                ));
            } else {
                plan.escapes.add(l);
                emit_value(out, l, &head, &plain, plan);
                continue;
            }
        } else if (name == "DTSTART" || name == "DTEND") && l.param("TZID").is_some() {
            match utc_time(l, v, recurring, import) {
                Ok(t) => {
                    plan.utc.add(l);
                    emit_value(out, l, &name, &t, plan);
                    continue;
                }
                Err(Some(why)) => plan.left.push(left_alone(file, l, why)),
                Err(None) => {}
            }
        } else if name == "DURATION"
            && let Some(end) = end_from_duration
        {
            plan.end.add(l);
            emit_value(out, l, "DTEND", &end.ical_utc(), plan);
            continue;
        } else if name == "GEO"
            && geo_free
            && let Some((a, b)) = v.split_once([';', ','])
            && [a, b]
                .iter()
                .all(|x| x.trim().parse::<f64>().is_ok_and(f64::is_finite))
        {
            plan.geo.add(l);
            out.push_str(&format!(
                "GEOLATITUDE:{}\r\nGEOLONGITUDE:{}\r\n",
                a.trim(),
                b.trim()
            ));
            continue;
        }
        emit(out, l, plan);
    }
}

/// The UTC value of a DTSTART/DTEND with TZID; `Err(Some(why))` when it is left alone for a
/// reason worth saying, `Err(None)` when it is not a TZID date-time at all (a date, garbage:
/// `check` reports those).
fn utc_time(
    l: &ContentLine,
    v: &str,
    recurring: bool,
    import: jiff::Timestamp,
) -> Result<String, Option<String>> {
    if l.param("VALUE")
        .is_some_and(|p| p.value.eq_ignore_ascii_case("DATE"))
    {
        return Err(None);
    }
    if let Some(t) = parse_utc_basic(v) {
        // Already UTC: the server would still apply the zone's offset; drop the TZID.
        return Ok(t.ical_utc());
    }
    let local = parse_local_basic(v).ok_or(None)?;
    let tzid = l.param("TZID").map(|p| p.value.clone()).unwrap_or_default();
    let zone = tz::resolve(&tzid).ok_or_else(|| {
        Some(format!(
            "TZID `{tzid}` is not a zone kbulk knows the rules of, so the UTC time is unknown"
        ))
    })?;
    let shift = tz::shift(&zone, local, import).ok_or(None)?;
    if recurring && zone.following(shift.intended).next().is_some() {
        return Err(Some(format!(
            "this series is in {tzid}, whose offset changes after its start: the server expands \
             a series from one UTC start, so no way of writing it keeps every occurrence at its \
             local time"
        )));
    }
    Ok(EventTime(shift.intended).ical_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(text: &str) -> (Option<String>, Vec<Diagnostic>) {
        let mut repairs = Vec::new();
        let out = rewrite(text, &Arc::from("t.ics"), &mut repairs);
        (out, repairs)
    }

    fn codes_of(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.code.name).collect()
    }

    const HEAD: &str =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\n";
    const TAIL: &str = "END:VEVENT\r\nEND:VCALENDAR\r\n";

    fn cal(body: &str) -> String {
        format!("{HEAD}{body}{TAIL}")
    }

    #[test]
    fn folds_and_escapes_are_written_plainly() {
        let input = cal(
            "SUMMARY:Room 1\\, floor 2\r\nDESCRIPTION:see https://exa\r\n mple.com/x for\r\n  more\r\nDTSTART:20270105T100000Z\r\nDTEND:20270105T110000Z\r\n",
        );
        let (out, rep) = fix(&input);
        let out = out.expect("rewritten");
        assert!(out.contains("SUMMARY:Room 1, floor 2\r\n"), "{out}");
        assert!(
            out.contains("DESCRIPTION:see https://example.com/x for more\r\n"),
            "{out}"
        );
        assert_eq!(codes_of(&rep), ["fix::ical-folds", "fix::ical-escapes"]);
        assert_eq!(fix(&out).0, None, "a second rewrite changes nothing");
    }

    #[test]
    fn tzid_times_become_utc_at_the_event_date() {
        let input = cal(
            "SUMMARY:x\r\nDTSTART;TZID=Europe/Paris:20270105T100000\r\nDTEND;TZID=Europe/Paris:20270705T110000\r\n",
        );
        let (out, rep) = fix(&input);
        let out = out.expect("rewritten");
        assert!(out.contains("DTSTART:20270105T090000Z\r\n"), "{out}");
        assert!(out.contains("DTEND:20270705T090000Z\r\n"), "{out}");
        assert_eq!(codes_of(&rep), ["fix::ical-utc"]);
    }

    #[test]
    fn a_series_in_a_fixed_zone_and_a_utc_time_with_tzid_are_converted() {
        let input = cal(
            "SUMMARY:x\r\nDTSTART;TZID=Asia/Tokyo:20270105T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=30\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:u2\r\nSUMMARY:y\r\nDTSTART;TZID=Europe/Paris:20270105T100000Z\r\nDTEND:20270105T110000Z\r\n",
        );
        let (out, rep) = fix(&input);
        let out = out.expect("rewritten");
        assert!(out.contains("DTSTART:20270105T010000Z\r\n"), "{out}");
        assert!(out.contains("DTSTART:20270105T100000Z\r\n"), "{out}");
        assert_eq!(codes_of(&rep), ["fix::ical-utc"]);
        assert!(rep[0].message.starts_with("2 "), "{}", rep[0].message);
    }

    #[test]
    fn a_series_across_dst_and_a_line_break_are_left_alone() {
        let input = cal(
            "SUMMARY:a\\nb\r\nDTSTART;TZID=Europe/Paris:20270105T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=30\r\n",
        );
        let (out, rep) = fix(&input);
        assert_eq!(out, None);
        assert_eq!(codes_of(&rep), ["fix::left-alone", "fix::left-alone"]);
        assert!(rep[0].message.contains("line break"));
        assert!(
            rep[1].message.contains("offset changes"),
            "{}",
            rep[1].message
        );
    }

    #[test]
    fn a_blank_started_line_after_an_empty_line_stops_the_rewrite() {
        let input = cal("SUMMARY\r\n\r\n :x\r\nDESCRIPTION:a\r\n  b\r\n");
        let (out, rep) = fix(&input);
        assert_eq!(out, None);
        assert_eq!(codes_of(&rep), ["fix::left-alone"]);
        assert!(rep[0].message.contains("line 8"), "{}", rep[0].message);
    }

    #[test]
    fn a_single_event_with_duration_gets_dtend() {
        let input =
            cal("SUMMARY:x\r\nDTSTART;TZID=Europe/Paris:20270705T100000\r\nDURATION:PT1H30M\r\n");
        let (out, rep) = fix(&input);
        let out = out.expect("rewritten");
        assert!(
            out.contains("DTSTART:20270705T080000Z\r\nDTEND:20270705T093000Z\r\n"),
            "{out}"
        );
        assert!(!out.contains("DURATION"), "{out}");
        assert_eq!(codes_of(&rep), ["fix::ical-utc", "fix::ical-end"]);
        assert_eq!(fix(&out).0, None);
    }

    #[test]
    fn unbalanced_components_stop_the_rewrite() {
        let input = cal("SUMMARY:a\r\n b\r\nBEGIN:VALARM\r\nDESCRIPTION:r\r\n");
        let (out, rep) = fix(&input);
        assert_eq!(out, None);
        assert_eq!(codes_of(&rep), ["fix::left-alone"]);
        assert!(
            rep[0].message.contains("not well formed"),
            "{}",
            rep[0].message
        );
    }

    #[test]
    fn nested_alarms_go_and_geo_becomes_two_properties() {
        let input = cal(
            "SUMMARY:x\r\nGEO:37.386013;-122.082932\r\nDTSTART:20270105T100000Z\r\nDTEND:20270105T110000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n",
        );
        let (out, rep) = fix(&input);
        let out = out.expect("rewritten");
        assert!(
            !out.contains("VALARM") && !out.contains("Reminder"),
            "{out}"
        );
        assert!(out.contains("GEOLATITUDE:37.386013\r\nGEOLONGITUDE:-122.082932\r\n"));
        assert_eq!(codes_of(&rep), ["fix::ical-nested", "fix::ical-geo"]);
    }
}
