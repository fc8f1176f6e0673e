//! iCalendar (`.ics`) files as Kaltura's iCal bulk upload and iCal drop folders read them: our
//! own content-line scanner (exact spans), the VEVENT → [`ScheduleEvent`] mapping with the
//! server's rules, and writers in two dialects.
//!
//! [`ScheduleEvent`]: crate::record::ScheduleEvent
pub mod codes;
pub mod reader;
pub mod rrule;
pub mod scanner;
pub mod tz;
pub mod writer;

pub use reader::read;
pub use writer::{Dialect, IcsWriter};

/// Undoes RFC 5545 text escaping (`\,` `\;` `\n` `\N` `\\`); other backslashes stay.
pub fn unescape_text(v: &str) -> String {
    if !v.contains('\\') {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(c @ (',' | ';' | '\\')) => out.push(c),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// True when `v` holds an RFC 5545 text escape that Kaltura would keep literally.
pub fn has_text_escape(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'\\' && matches!(w[1], b',' | b';' | b'n' | b'N' | b'\\'))
}

/// Parses an iCal/ISO 8601 duration as PHP `DateInterval` (plus the server's plain-seconds
/// form) into seconds. `Err` says why the server would throw.
pub fn parse_duration(v: &str) -> Result<i64, String> {
    let v = v.trim();
    if let Ok(n) = v.parse::<i64>() {
        return if n > 0 {
            Ok(n)
        } else {
            Err(format!("`{v}` is not a positive number of seconds"))
        };
    }
    if v.starts_with('-') {
        return Err(format!(
            "`{v}` is negative: PHP DateInterval throws and the job fails"
        ));
    }
    let body = v.strip_prefix('+').unwrap_or(v);
    let Some(body) = body.strip_prefix('P') else {
        return Err(format!(
            "`{v}` is not an ISO 8601 duration (PT1H, P1D, P1W)"
        ));
    };
    let mut total = 0i64;
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in body.chars() {
        match c {
            'T' if !in_time && num.is_empty() => in_time = true,
            '0'..='9' => num.push(c),
            _ => {
                let n: i64 = num
                    .parse()
                    .map_err(|_| format!("`{v}` is not an ISO 8601 duration"))?;
                num.clear();
                let unit = match (in_time, c) {
                    (false, 'Y') => 365 * 86_400,
                    (false, 'M') => 30 * 86_400,
                    (false, 'W') => 7 * 86_400,
                    (false, 'D') => 86_400,
                    (true, 'H') => 3600,
                    (true, 'M') => 60,
                    (true, 'S') => 1,
                    _ => return Err(format!("`{v}` is not an ISO 8601 duration")),
                };
                total = total.saturating_add(n.saturating_mul(unit));
                any = true;
            }
        }
    }
    if !num.is_empty() || !any {
        return Err(format!("`{v}` is not an ISO 8601 duration"));
    }
    Ok(total)
}

/// `PT1H30M`: seconds as an iCal duration.
pub fn format_duration(secs: i64) -> String {
    if secs > 0 && secs % 86_400 == 0 {
        return format!("P{}D", secs / 86_400);
    }
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_dateinterval() {
        assert_eq!(parse_duration("PT1H30M"), Ok(5400));
        assert_eq!(parse_duration("P1W"), Ok(604_800));
        assert_eq!(parse_duration("P1DT2H"), Ok(93_600));
        assert_eq!(parse_duration("3600"), Ok(3600));
        assert!(parse_duration("-PT15M").unwrap_err().contains("negative"));
        assert!(parse_duration("1 hour").is_err());
        assert!(parse_duration("P").is_err());
        assert_eq!(format_duration(5400), "PT1H30M");
        assert_eq!(format_duration(86_400), "P1D");
    }

    #[test]
    fn text_escapes() {
        assert_eq!(unescape_text(r"a\, b\; c\nd\\e\x"), "a, b; c\nd\\e\\x");
        assert!(has_text_escape(r"a\, b"));
        assert!(!has_text_escape(r"C:\dir"));
    }
}
