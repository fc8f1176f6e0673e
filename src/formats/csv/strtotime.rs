//! The event CSV's times as PHP `strtotime` reads them (kaltura-formats §4.1): ISO 8601, `@`
//! Unix times, the numeric dates spreadsheets write (`m/d/Y` month first, `d-m-Y` and `d.m.Y`
//! day first, `Y/m/d`), month names (`1 July 2027`, `July 1, 2027`, RFC 2822 with a weekday),
//! 12- and 24-hour clocks and offsets; relative phrases (`next monday`, `+1 day`), which it
//! reads against the moment the job runs; and what it refuses.
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

use crate::record::event::EventTime;

/// How `strtotime` reads one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// An instant; `offset` says whether the text named one (else the batch server's zone
    /// applies and kbulk assumes UTC); `swapped` names the other reading of a numeric date
    /// whose day and month could be exchanged.
    Time {
        /// The instant, with UTC for a text without offset.
        at: EventTime,
        /// The text names its offset.
        offset: bool,
        /// The date read the other way round (day and month swapped), when that is a date too.
        swapped: Option<Date>,
        /// The month and day as written, when that day does not exist in that month and
        /// strtotime rolled it over into the next month (`02/31/2027` → 3 March).
        rolled: Option<(i8, i8)>,
        /// The clock said hour 24 with minutes or seconds (`24:30`): strtotime carries it into
        /// 00:MM of the next day. (`24:00` alone is the end of the day, as in ISO 8601, and is
        /// not flagged.)
        past_midnight: bool,
    },
    /// A phrase read relative to the moment the job runs (`tomorrow`, `next monday`, `+1 day`).
    Relative,
    /// Something `strtotime` returns false for, or that kbulk cannot read; the reason.
    Refused(String),
}

const RELATIVE_WORDS: &[&str] = &[
    "now",
    "today",
    "tomorrow",
    "yesterday",
    "midnight",
    "noon",
    "next",
    "last",
    "this",
    "ago",
    "first",
    "second",
    "third",
];

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn month_of(word: &str) -> Option<i8> {
    let w = word.trim_end_matches(['.', ',']).to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w))
        .map(|i| i as i8 + 1)
}

fn is_weekday(word: &str) -> bool {
    let w = word.trim_end_matches(',').to_ascii_lowercase();
    w.len() >= 3 && WEEKDAYS.iter().any(|d| w.starts_with(d))
}

/// Reads `text` (already trimmed) as `strtotime` would.
pub fn read(text: &str) -> Reading {
    let v = text.trim();
    if let Some(secs) = v.strip_prefix('@') {
        return match secs.parse::<i64>().ok().and_then(EventTime::from_unix) {
            Some(at) => Reading::Time {
                at,
                offset: true,
                swapped: None,
                rolled: None,
                past_midnight: false,
            },
            None => Reading::Refused(format!("`@{secs}` is not a Unix time")),
        };
    }
    if let Ok(t) = v.parse::<jiff::Timestamp>() {
        return Reading::Time {
            at: EventTime(t),
            offset: true,
            swapped: None,
            rolled: None,
            past_midnight: false,
        };
    }
    if let Ok(dt) = v.parse::<DateTime>() {
        return local(dt, None, None, None, false);
    }
    if let Ok(d) = v.parse::<Date>() {
        return local(d.to_datetime(Time::midnight()), None, None, None, false);
    }
    let lower = v.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| RELATIVE_WORDS.contains(w))
        || v.starts_with('+')
        || (words.len() <= 2
            && words
                .iter()
                .all(|w| is_weekday(w) || (w.contains(':') && !w.contains(['-', '/']))))
    {
        return Reading::Relative;
    }
    match split_date(v) {
        Some((date, swapped, rolled, rest)) => match clock(rest.trim()) {
            Some((time, off, hour_24)) => {
                // strtotime reads hour 24 as midnight at the end of the day (`24:00`, as ISO
                // 8601 does) and carries `24:MM` into 00:MM of the next day.
                let date = if hour_24 {
                    match date.tomorrow() {
                        Ok(d) => d,
                        Err(_) => return Reading::Refused("the date is out of range".into()),
                    }
                } else {
                    date
                };
                let dt = date.to_datetime(time);
                let past_midnight = hour_24 && time != Time::midnight();
                local(dt, off, swapped, rolled, past_midnight)
            }
            None => Reading::Refused(format!(
                "`{}` after the date is not a time of day strtotime reads",
                rest.trim()
            )),
        },
        None => Reading::Refused(refusal(v)),
    }
}

fn local(
    dt: DateTime,
    off: Option<Offset>,
    swapped: Option<Date>,
    rolled: Option<(i8, i8)>,
    past_midnight: bool,
) -> Reading {
    let tz = off.map_or(TimeZone::UTC, TimeZone::fixed);
    match dt.to_zoned_datetime(tz) {
        Ok(z) => Reading::Time {
            at: EventTime(z.timestamp()),
            offset: off.is_some(),
            swapped,
            rolled,
            past_midnight,
        },
        Err(_) => Reading::Refused("the date is out of range".into()),
    }
}

fn refusal(v: &str) -> String {
    let b: Vec<&str> = v.split(['/', '-', '.']).collect();
    if b.len() == 3
        && let (Ok(a), Ok(m)) = (b[0].parse::<u32>(), b[1].parse::<u32>())
    {
        if v.contains('/') && a > 12 && m <= 12 {
            return format!(
                "strtotime reads `a/b/Y` month first, and there is no month {a}: it returns false (write day-first dates with dots or dashes, or ISO 8601)"
            );
        }
        if m > 12 {
            return format!("there is no month {m}: strtotime returns false");
        }
    }
    "strtotime returns false for it, or kbulk cannot tell how it reads it".into()
}

/// A date as strtotime builds it: any day 0–31 of a month 1–12, a day past the month's end
/// rolled over into the next month (and day 0 back to the last day of the previous one). The
/// second value holds the month and day as written when they rolled.
fn php_date(y: i16, m: i32, d: i32) -> Option<(Date, Option<(i8, i8)>)> {
    if !(1..=12).contains(&m) || !(0..=31).contains(&d) {
        return None;
    }
    if let Ok(date) = Date::new(y, m as i8, d as i8) {
        return Some((date, None));
    }
    let first = Date::new(y, m as i8, 1).ok()?;
    let date = first
        .checked_add(jiff::Span::new().days(i64::from(d) - 1))
        .ok()?;
    Some((date, Some((m as i8, d as i8))))
}

/// A date at the start of `v` (numeric or with a month name): the date, its swapped reading,
/// the month and day as written when they rolled over, and the rest.
type SplitDate<'a> = (Date, Option<Date>, Option<(i8, i8)>, &'a str);

/// A numeric or month-name date at the start of `v`.
fn split_date(v: &str) -> Option<SplitDate<'_>> {
    let mut v = v.trim_start();
    // RFC 2822 and Outlook write a weekday first: `Thu, 01 Jul 2027 10:00:00 +0200`.
    if let Some(first) = v.split([' ', ',']).next()
        && is_weekday(first)
        && first.chars().all(|c| c.is_ascii_alphabetic())
    {
        v = v[first.len()..].trim_start_matches([',', ' ']);
    }
    let end = v.find([' ', 'T', 't']).unwrap_or(v.len());
    let head = &v[..end];
    if let Some(sep) = ['/', '-', '.'].into_iter().find(|&c| head.contains(c)) {
        let p: Vec<&str> = head.split(sep).collect();
        if p.len() != 3
            || p.iter()
                .any(|x| x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let n: Vec<i32> = p.iter().map(|x| x.parse().unwrap_or(-1)).collect();
        let year = |s: &str, y: i32| -> i16 {
            match s.len() {
                1 | 2 if y < 70 => (2000 + y) as i16,
                1 | 2 => (1900 + y) as i16,
                _ => y as i16,
            }
        };
        let (y, m, d, swap) = if p[0].len() == 4 {
            (n[0] as i16, n[1], n[2], false)
        } else if sep == '/' {
            (year(p[2], n[2]), n[0], n[1], true)
        } else if p[2].len() == 4 || sep == '.' {
            // Day first is what these separators mean wherever people write them.
            (year(p[2], n[2]), n[1], n[0], false)
        } else {
            return None;
        };
        let (date, rolled) = php_date(y, m, d)?;
        let swapped = (swap && m != d && rolled.is_none())
            .then(|| Date::new(y, d as i8, m as i8).ok())
            .flatten();
        return Some((date, swapped, rolled, &v[end..]));
    }
    // `1 July 2027` or `July 1, 2027` (or `Jul 1 2027`).
    let words: Vec<&str> = v
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .take(3)
        .collect();
    let rest_after = |n: usize| -> &str {
        let mut r = v;
        for _ in 0..n {
            r = r.trim_start_matches([' ', ',']);
            let e = r.find([' ', ',']).unwrap_or(r.len());
            r = &r[e..];
        }
        r
    };
    if words.len() >= 3 {
        let num = |w: &str| w.trim_end_matches(',').parse::<i16>().ok();
        if let (Some(d), Some(m), Some(y)) = (num(words[0]), month_of(words[1]), num(words[2])) {
            let (date, rolled) = php_date(y, m.into(), d.into())?;
            return Some((date, None, rolled, rest_after(3)));
        }
        if let (Some(m), Some(d), Some(y)) = (month_of(words[0]), num(words[1]), num(words[2])) {
            let (date, rolled) = php_date(y, m.into(), d.into())?;
            return Some((date, None, rolled, rest_after(3)));
        }
    }
    None
}

/// A time of day with an optional offset: `10:00`, `10:00:30`, `10am`, `10:30 PM`, then `Z`,
/// `UTC`, `GMT`, `+02:00`, `+0200`, `+02`; the third value says the clock named hour 24
/// (`24:00` … `24:59:59`), which strtotime carries into the next day (the time returned is then
/// 00:MM:SS, and the caller moves the date).
fn clock(rest: &str) -> Option<(Time, Option<Offset>, bool)> {
    let mut r = rest.trim_start_matches(['T', 't']).trim();
    if r.is_empty() {
        return Some((Time::midnight(), None, false));
    }
    let mut off = None;
    for (suffix, o) in [("z", 0), ("utc", 0), ("gmt", 0)] {
        if r.to_ascii_lowercase().ends_with(suffix) {
            off = Some(o);
            r = r[..r.len() - suffix.len()].trim_end();
            break;
        }
    }
    if off.is_none()
        && let Some(i) = r.rfind(['+', '-'])
        && i > 0
    {
        let o = r[i + 1..].replace(':', "");
        if o.len() == 2 || o.len() == 4 {
            let h: i32 = o[..2].parse().ok()?;
            let m: i32 = o
                .get(2..)
                .filter(|s| !s.is_empty())
                .map_or(Some(0), |s| s.parse().ok())?;
            let secs = (h * 3600 + m * 60) * if &r[i..=i] == "-" { -1 } else { 1 };
            off = Some(secs);
            r = r[..i].trim_end();
        }
    }
    let lower = r.to_ascii_lowercase();
    let (body, pm) = if let Some(b) = lower.strip_suffix("am") {
        (b.trim_end().to_string(), Some(false))
    } else if let Some(b) = lower.strip_suffix("pm") {
        (b.trim_end().to_string(), Some(true))
    } else {
        (lower, None)
    };
    if body.is_empty() {
        return None;
    }
    let parts: Vec<&str> = body.split(':').collect();
    if parts.len() > 3 || (parts.len() == 1 && pm.is_none()) {
        return None;
    }
    let n = |i: usize| -> Option<i8> {
        parts.get(i).map_or(Some(0), |s| {
            s.split('.').next().and_then(|s| s.parse().ok())
        })
    };
    let (mut h, m, s) = (n(0)?, n(1)?, n(2)?);
    match pm {
        Some(_) if !(1..=12).contains(&h) => return None,
        Some(true) if h != 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    // Hour 24 (timelib's `hour24` is 0–24 with any minute): the end of the day for `24:00`,
    // the next day's 00:MM for `24:MM`; the caller moves the date.
    let hour_24 = h == 24 && pm.is_none();
    if hour_24 {
        h = 0;
    }
    let time = Time::new(h, m, s, 0).ok()?;
    let off = match off {
        Some(secs) => Some(Offset::from_seconds(secs).ok()?),
        None => None,
    };
    Some((time, off, hour_24))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(v: &str) -> (String, bool, Option<String>) {
        match read(v) {
            Reading::Time {
                at,
                offset,
                swapped,
                ..
            } => (at.to_string(), offset, swapped.map(|d| d.to_string())),
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn slashes_are_month_first_dashes_and_dots_day_first() {
        assert_eq!(
            at("03/04/2027 10:00"),
            (
                "2027-03-04T10:00:00Z".into(),
                false,
                Some("2027-04-03".into())
            )
        );
        assert_eq!(at("03-04-2027 10:00").0, "2027-04-03T10:00:00Z");
        assert_eq!(at("03.04.2027 10:00").0, "2027-04-03T10:00:00Z");
        assert_eq!(at("2027/04/03 10:00:00").0, "2027-04-03T10:00:00Z");
        assert_eq!(at("12/12/2027").2, None);
    }

    #[test]
    fn month_names_clocks_and_offsets() {
        assert_eq!(at("July 1, 2027 2:30 PM").0, "2027-07-01T14:30:00Z");
        assert_eq!(at("1 Jul 2027 10:00 +02:00").0, "2027-07-01T08:00:00Z");
        assert!(at("Thu, 01 Jul 2027 10:00:00 +0200").1);
        assert_eq!(at("07/01/2027 12:15am UTC").0, "2027-07-01T00:15:00Z");
    }

    #[test]
    fn relative_phrases_and_refusals() {
        assert_eq!(read("next tuesday"), Reading::Relative);
        assert_eq!(read("+1 day"), Reading::Relative);
        assert_eq!(read("tomorrow 10:00"), Reading::Relative);
        assert!(matches!(read("31/12/2027"), Reading::Refused(m) if m.contains("month first")));
        assert!(matches!(read("2027-13-01"), Reading::Refused(_)));
        assert!(matches!(read("02/32/2027"), Reading::Refused(_)));
        assert!(matches!(read("soon"), Reading::Refused(_)));
    }

    #[test]
    fn days_past_the_end_of_the_month_roll_over_as_in_php() {
        let rolled = |v: &str| match read(v) {
            Reading::Time { at, rolled, .. } => (at.to_string(), rolled),
            other => panic!("{v}: {other:?}"),
        };
        assert_eq!(
            rolled("02/31/2027"),
            ("2027-03-03T00:00:00Z".into(), Some((2, 31)))
        );
        assert_eq!(rolled("2027-02-29 10:00").0, "2027-03-01T10:00:00Z");
        assert_eq!(rolled("2027-04-31T10:00:00Z").0, "2027-05-01T10:00:00Z");
        assert_eq!(rolled("2027-02-30T10:00:00Z").0, "2027-03-02T10:00:00Z");
        assert_eq!(rolled("31 June 2027").0, "2027-07-01T00:00:00Z");
        assert_eq!(rolled("30.02.2028").0, "2028-03-01T00:00:00Z");
        assert_eq!(rolled("2027-03-00").0, "2027-02-28T00:00:00Z");
        assert_eq!(rolled("2028-02-29"), ("2028-02-29T00:00:00Z".into(), None));
        assert_eq!(rolled("2027-12-31 24:00").0, "2028-01-01T00:00:00Z");
        assert_eq!(
            rolled("12/31/2027 24:00:00 +01:00").0,
            "2027-12-31T23:00:00Z"
        );
    }

    #[test]
    fn hour_24_with_minutes_is_carried_into_the_next_day() {
        let read24 = |v: &str| match read(v) {
            Reading::Time {
                at, past_midnight, ..
            } => (at.to_string(), past_midnight),
            other => panic!("{v}: {other:?}"),
        };
        assert_eq!(
            read24("2027-12-31 24:30"),
            ("2028-01-01T00:30:00Z".into(), true)
        );
        assert_eq!(
            read24("2027-06-01T24:05:10Z"),
            ("2027-06-02T00:05:10Z".into(), true)
        );
        assert_eq!(
            read24("06/01/2027 24:59 +02:00"),
            ("2027-06-01T22:59:00Z".into(), true)
        );
        assert_eq!(
            read24("2027-06-01 24:00"),
            ("2027-06-02T00:00:00Z".into(), false)
        );
        assert!(matches!(read("2027-06-01 24:60"), Reading::Refused(_)));
        assert!(matches!(read("2027-06-01 25:00"), Reading::Refused(_)));
        assert!(matches!(read("2027-06-01 24:30pm"), Reading::Refused(_)));
    }
}
