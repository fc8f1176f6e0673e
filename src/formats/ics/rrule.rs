//! Recurrence rules: the iCal `RRULE` value as `kSchedulingICalRule` reads it, the event CSV's
//! `recurrence` string as `createRecurrenceObject` reads it, and occurrence counting (with the
//! `rrule` crate) for the server's 1000-occurrence cap.
use std::ops::Range;

use crate::record::EventTime;
use crate::record::event::{Frequency, Recurrence};

/// What is wrong with one part of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// No FREQ part at all.
    FreqMissing,
    /// FREQ is not one of the upper-case constant names.
    FreqInvalid,
    /// UNTIL is not `YYYYMMDDTHHMMSSZ`.
    UntilNotUtc,
    /// A part the server drops.
    Ignored,
    /// A value that is not valid for its part.
    Invalid,
    /// (CSV) a part without `=`, or spaces around `=`.
    Syntax,
}

/// One finding about a rule, with the part's byte range inside the rule text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleIssue {
    /// What kind of problem.
    pub kind: IssueKind,
    /// The part concerned, as a byte range of the rule text.
    pub range: Range<usize>,
    /// One sentence.
    pub message: String,
}

/// The keys the event CSV engine reads (case-sensitive).
pub const CSV_KEYS: &[&str] = &[
    "FREQ",
    "INTERVAL",
    "BYMONTHDAY",
    "BYMONTH",
    "BYDAY",
    "BYSETPOS",
    "COUNT",
];

/// Parses `YYYYMMDDTHHMMSSZ` (the only UNTIL form the server reads) into an instant.
pub fn parse_utc_basic(v: &str) -> Option<EventTime> {
    let b = v.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let dt = parse_local_basic(&v[..15])?;
    dt.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| EventTime(z.timestamp()))
}

/// Parses `YYYYMMDDTHHMMSS` (years 1000–2999, as the server's pattern) into a civil date-time.
pub fn parse_local_basic(v: &str) -> Option<jiff::civil::DateTime> {
    let b = v.as_bytes();
    if b.len() != 15 || !v.is_ascii() || b[8] != b'T' || !matches!(b[0], b'1' | b'2') {
        return None;
    }
    let digits = |r: Range<usize>| -> Option<i32> {
        let s = &v[r];
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, mo, d) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (h, mi, s) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    jiff::civil::DateTime::new(
        y as i16,
        mo as i8,
        d as i8,
        h as i8,
        mi as i8,
        s.min(59) as i8,
        0,
    )
    .ok()
}

fn parse_uint(v: &str) -> Option<u32> {
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.parse().ok())
        .flatten()
}

/// Sets the frequency from `v` as written. When `v` is not an upper-case frequency name, keeps
/// what the file means (a lower-case name, so conversion fixes it) and returns the hint to append
/// to the finding (`; write `FREQ=WEEKLY``, or nothing when no case makes it a frequency).
fn set_frequency(r: &mut Recurrence, v: &str) -> Option<String> {
    r.frequency = Frequency::parse(v);
    if r.frequency.is_some() {
        return None;
    }
    r.frequency = Frequency::parse(&v.trim().to_ascii_uppercase());
    Some(
        Frequency::parse(&v.to_ascii_uppercase())
            .map(|f| format!("; write `FREQ={}`", f.as_str()))
            .unwrap_or_default(),
    )
}

/// Sets `COUNT` or `INTERVAL` (`key`) from `v`; `Err` is the finding's message.
fn set_whole(r: &mut Recurrence, key: &str, v: &str) -> Result<(), String> {
    match parse_uint(v) {
        Some(n) if key == "COUNT" => r.count = Some(n),
        Some(n) => r.interval = Some(n),
        None => return Err(format!("`{key}={v}` is not a whole number")),
    }
    Ok(())
}

/// Reads an iCal `RRULE` value as the server does: parts split on `;`, each at its first `=`,
/// part names upper-cased, values verbatim.
pub fn parse_ical(value: &str) -> (Recurrence, Vec<RuleIssue>) {
    let mut r = Recurrence::default();
    let mut issues = Vec::new();
    let mut saw_freq = false;
    let mut pos = 0usize;
    for part in value.split(';') {
        let range = pos..pos + part.len();
        pos += part.len() + 1;
        if part.trim().is_empty() {
            continue;
        }
        let (name, v) = part.split_once('=').unwrap_or((part, ""));
        let name = name.to_ascii_uppercase();
        let issue = |kind, message: String| RuleIssue {
            kind,
            range: range.clone(),
            message,
        };
        let some = |v: &str| (!v.is_empty()).then(|| v.to_string());
        match name.as_str() {
            "FREQ" => {
                saw_freq = true;
                if let Some(hint) = set_frequency(&mut r, v) {
                    issues.push(issue(
                        IssueKind::FreqInvalid,
                        format!("`FREQ={v}` is not an upper-case frequency the server knows{hint}"),
                    ));
                }
            }
            "UNTIL" => {
                r.until = parse_utc_basic(v);
                if r.until.is_none() {
                    issues.push(issue(
                        IssueKind::UntilNotUtc,
                        format!("`UNTIL={v}` is not YYYYMMDDTHHMMSSZ: the server reads no end"),
                    ));
                }
            }
            "COUNT" | "INTERVAL" => {
                if let Err(message) = set_whole(&mut r, &name, v) {
                    issues.push(issue(IssueKind::Invalid, message));
                }
            }
            "BYSECOND" => r.by_second = some(v),
            "BYMINUTE" => r.by_minute = some(v),
            "BYHOUR" => r.by_hour = some(v),
            "BYDAY" => r.by_day = some(v),
            "BYMONTHDAY" => r.by_month_day = some(v),
            "BYYEARDAY" => r.by_year_day = some(v),
            "BYWEEKNO" => r.by_week_number = some(v),
            "BYMONTH" => r.by_month = some(v),
            "BYSETPOS" => r.by_offset = some(v),
            "WKST" => r.week_start_day = some(v),
            "NAME" => r.name = some(v),
            _ => issues.push(issue(
                IssueKind::Ignored,
                format!("the server ignores the rule part `{name}`"),
            )),
        }
    }
    if !saw_freq {
        issues.push(RuleIssue {
            kind: IssueKind::FreqMissing,
            range: 0..value.len(),
            message: "the rule has no FREQ".into(),
        });
    }
    (r, issues)
}

/// Reads an event CSV `recurrence` string as the engine does: parts split on `,`, trimmed, each
/// split at `=` with no trimming around it, keys case-sensitive, multi-values separated by `;`.
pub fn parse_csv(value: &str) -> (Recurrence, Vec<RuleIssue>) {
    let mut r = Recurrence::default();
    let mut issues = Vec::new();
    let mut pos = 0usize;
    let mut saw_freq = false;
    for raw in value.split(',') {
        let range = pos..pos + raw.len();
        pos += raw.len() + 1;
        let part = raw.trim();
        if part.is_empty() {
            continue;
        }
        let issue = |kind, message: String| RuleIssue {
            kind,
            range: range.clone(),
            message,
        };
        let Some((key, rest)) = part.split_once('=') else {
            if part == "FREQ" {
                saw_freq = true;
                issues.push(issue(
                    IssueKind::FreqInvalid,
                    "`FREQ` has no `=`: `constant()` on an empty frequency name crashes the job on PHP 8".into(),
                ));
            } else {
                issues.push(issue(
                    IssueKind::Syntax,
                    format!("`{part}` has no `=`: PHP warns and the part is ignored"),
                ));
            }
            continue;
        };
        // `list($key, $value) = explode('=', ...)`: a second `=` cuts the value.
        let v = rest.split('=').next().unwrap_or(rest);
        if v != rest {
            issues.push(issue(
                IssueKind::Syntax,
                format!(
                    "`{part}` has a second `=`: the engine reads `{key}={v}` and drops the rest"
                ),
            ));
        }
        if key == "FREQ" && v != v.trim() {
            saw_freq = true;
            issues.push(issue(
                IssueKind::FreqInvalid,
                format!("`{part}`: the value keeps its spaces and `constant()` finds no frequency named `{v}`: PHP 8 crashes the job"),
            ));
            continue;
        }
        if key != key.trim() || v != v.trim_start() {
            issues.push(issue(
                IssueKind::Syntax,
                format!("spaces around `=` in `{part}`: the key is `{key}` and is ignored; write `{}={}`", key.trim(), v.trim()),
            ));
            continue;
        }
        let list = |v: &str| (!v.is_empty()).then(|| v.replace(';', ","));
        match key {
            "FREQ" => {
                saw_freq = true;
                if let Some(hint) = set_frequency(&mut r, v) {
                    issues.push(issue(
                        IssueKind::FreqInvalid,
                        format!("`FREQ={v}` is not an upper-case frequency the engine knows: PHP 8 crashes the job{hint}"),
                    ));
                }
            }
            "INTERVAL" | "COUNT" => {
                if let Err(message) = set_whole(&mut r, key, v) {
                    issues.push(issue(IssueKind::Invalid, message));
                }
            }
            "BYMONTHDAY" => r.by_month_day = list(v),
            "BYMONTH" => r.by_month = list(v),
            "BYDAY" => r.by_day = list(v),
            "BYSETPOS" => r.by_offset = list(v),
            _ => issues.push(issue(
                IssueKind::Ignored,
                format!(
                    "the engine ignores the key `{key}`{}",
                    if key == "UNTIL" {
                        " (use the endTime column)"
                    } else {
                        ""
                    }
                ),
            )),
        }
    }
    if !saw_freq {
        issues.push(RuleIssue {
            kind: IssueKind::FreqMissing,
            range: 0..value.len(),
            message: "the recurrence has no `FREQ=` part: the engine sends a null frequency and the API rejects the event".into(),
        });
    }
    (r, issues)
}

/// The event CSV form of a recurrence (`FREQ=WEEKLY,BYDAY=MO;WE,COUNT=4`), and the rule parts the
/// CSV cannot carry (UNTIL goes to endTime and is not listed).
pub fn to_csv(r: &Recurrence) -> (String, Vec<&'static str>) {
    let mut parts = Vec::new();
    let mut lost = Vec::new();
    if let Some(f) = r.frequency {
        parts.push(format!("FREQ={}", f.as_str()));
    }
    if let Some(i) = r.interval {
        parts.push(format!("INTERVAL={i}"));
    }
    for (name, v) in r.by_parts() {
        let Some(v) = v else { continue };
        if CSV_KEYS.contains(&name) {
            parts.push(format!("{name}={}", v.replace(',', ";")));
        } else {
            lost.push(name);
        }
    }
    if r.name.is_some() {
        lost.push("NAME");
    }
    if r.until.is_none()
        && let Some(c) = r.count
    {
        parts.push(format!("COUNT={c}"));
    }
    (parts.join(","), lost)
}

/// Occurrences the server generates at most.
pub use crate::record::event::MAX_OCCURRENCES;

/// Counts occurrences of `r` from `start`, up to `limit` (`Ok(limit)` means at least that many).
/// `Err` carries the `rrule` crate's reason when the rule cannot be expanded.
pub fn count_occurrences(r: &Recurrence, start: EventTime, limit: u16) -> Result<usize, String> {
    if r.frequency.is_none() {
        return Err("no FREQ".into());
    }
    if r.until.is_none()
        && let Some(c) = r.count
    {
        return Ok((c as usize).min(limit as usize));
    }
    let text = format!("DTSTART:{}\nRRULE:{}", start.ical_utc(), r.to_rrule());
    // The `rrule` crate slices by byte and panics inside a multi-byte character.
    if !text.is_ascii() {
        return Err("the rule has characters that are not ASCII".into());
    }
    let set: rrule::RRuleSet = text.parse().map_err(|e: rrule::RRuleError| e.to_string())?;
    Ok(set.all(limit).dates.len())
}

/// The start instants of the first `limit` occurrences of `r` from `start`, expanded in UTC.
pub fn occurrences(r: &Recurrence, start: EventTime, limit: u16) -> Result<Vec<EventTime>, String> {
    if r.frequency.is_none() {
        return Err("no FREQ".into());
    }
    let text = format!("DTSTART:{}\nRRULE:{}", start.ical_utc(), r.to_rrule());
    // The `rrule` crate slices by byte and panics inside a multi-byte character.
    if !text.is_ascii() {
        return Err("the rule has characters that are not ASCII".into());
    }
    let set: rrule::RRuleSet = text.parse().map_err(|e: rrule::RRuleError| e.to_string())?;
    Ok(set
        .all(limit)
        .dates
        .iter()
        .filter_map(|d| EventTime::from_unix(d.timestamp()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ical_rule_parts_map_and_ignored_parts_are_named() {
        let (r, issues) =
            parse_ical("FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE;RSCALE=GREGORIAN;X-FOO=1;NAME=n");
        assert_eq!(r.frequency, Some(Frequency::Weekly));
        assert_eq!(r.count, Some(4));
        assert_eq!(r.by_day.as_deref(), Some("MO,WE"));
        assert_eq!(r.name.as_deref(), Some("n"));
        let ignored: Vec<_> = issues
            .iter()
            .filter(|i| i.kind == IssueKind::Ignored)
            .map(|i| i.range.clone())
            .collect();
        assert_eq!(ignored.len(), 2);
        let (_, issues) = parse_ical("freq=weekly;UNTIL=20270101");
        assert_eq!(issues[0].kind, IssueKind::FreqInvalid);
        assert!(issues[0].message.contains("FREQ=WEEKLY"));
        assert_eq!(issues[1].kind, IssueKind::UntilNotUtc);
    }

    #[test]
    fn csv_recurrence_uses_semicolons_for_lists() {
        let (r, issues) = parse_csv("FREQ=WEEKLY, BYDAY=MO;WE,COUNT=10,WKST=SU,INTERVAL = 2");
        assert_eq!(r.by_day.as_deref(), Some("MO,WE"));
        assert_eq!(r.count, Some(10));
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].kind, IssueKind::Ignored);
        assert_eq!(issues[1].kind, IssueKind::Syntax);
        let (text, lost) = to_csv(&r);
        assert_eq!(text, "FREQ=WEEKLY,BYDAY=MO;WE,COUNT=10");
        assert!(lost.is_empty());
    }

    #[test]
    fn counts_occurrences_up_to_the_cap() {
        let start = parse_utc_basic("20260105T090000Z").unwrap();
        let (r, _) = parse_ical("FREQ=DAILY;UNTIL=20301231T235959Z");
        assert_eq!(count_occurrences(&r, start, 1001), Ok(1001));
        let (r, _) = parse_ical("FREQ=DAILY;UNTIL=20260114T235959Z");
        assert_eq!(count_occurrences(&r, start, 1001), Ok(10));
    }
}
