//! Time zones as Kaltura's iCal reader sees them (`kSchedulingICal::parseDate`): how it takes the
//! zone name from the parameter text, which names it knows, and how far its import-time offset
//! moves a local time compared with the zone's real offset on the event's own date.
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// The zone name the server extracts from a property's raw parameter text (`;TZID=...`): the
/// first double-quoted substring, else everything after the first `=`.
pub fn server_zone_name(raw_params: &str) -> Option<String> {
    if let Some(q) = raw_params.find('"') {
        let rest = &raw_params[q + 1..];
        let end = rest.find('"').unwrap_or(rest.len());
        return Some(rest[..end].to_string());
    }
    raw_params
        .find('=')
        .map(|e| raw_params[e + 1..].to_string())
}

/// A few Windows / Exchange zone names the server's mapping tables know, with their IANA zones
/// (the common ones Outlook writes).
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("GMT Standard Time", "Europe/London"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("India Standard Time", "Asia/Kolkata"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("UTC", "UTC"),
];

/// Resolves a zone name the way the server would (IANA identifiers, `GMT±hhmm`, common
/// Windows names). `None`: the server falls back to its default zone.
pub fn resolve(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    if name.is_empty() || name.len() > 128 {
        return None;
    }
    if let Some(rest) = name.strip_prefix("GMT")
        && let Some(off) = gmt_offset(rest)
    {
        return Some(TimeZone::fixed(off));
    }
    if let Some((_, iana)) = WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(name))
    {
        return TimeZone::get(iana).ok();
    }
    TimeZone::get(name).ok()
}

fn gmt_offset(rest: &str) -> Option<Offset> {
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// `UTC-4 (EDT)`: an offset and, when the zone names it, its abbreviation.
pub fn describe_offset(tz: &TimeZone, at: Timestamp) -> String {
    let info = tz.to_offset_info(at);
    let secs = info.offset().seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    let mut s = if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    };
    if secs == 0 {
        s = "UTC".into();
    }
    let abbr = info.abbreviation();
    if !abbr.is_empty() && !abbr.starts_with(['+', '-']) && abbr != "UTC" {
        s.push_str(&format!(" ({abbr})"));
    }
    s
}

/// How the server's import moves one local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    /// The instant the file means (the zone's rules at the event's own date).
    pub intended: Timestamp,
    /// The instant the server computes (the zone's offset at import time).
    pub server: Timestamp,
    /// `server − intended` in minutes (positive: the server places the event later).
    pub minutes: i64,
    /// The zone's offset on the event's date, described.
    pub at_event: String,
    /// The zone's offset at import time, described.
    pub at_import: String,
}

/// Computes the instant a local time in `tz` means, and the one the server computes when it
/// imports at `import`.
pub fn shift(tz: &TimeZone, local: DateTime, import: Timestamp) -> Option<Shift> {
    let intended = tz.to_ambiguous_timestamp(local).compatible().ok()?;
    let as_utc = local.to_zoned_datetime(TimeZone::UTC).ok()?.timestamp();
    let import_offset = tz.to_offset(import).seconds();
    let server = as_utc
        .checked_sub(SignedDuration::from_secs(import_offset as i64))
        .ok()?;
    let minutes = (server.as_second() - intended.as_second()) / 60;
    Some(Shift {
        intended,
        server,
        minutes,
        at_event: describe_offset(tz, intended),
        at_import: describe_offset(tz, import),
    })
}

/// True when the zone's offset changes at some point (DST or history) around `at`, within a
/// year either side.
pub fn has_transitions_near(tz: &TimeZone, at: Timestamp) -> bool {
    let year = SignedDuration::from_hours(24 * 366);
    let from = at.checked_sub(year).unwrap_or(at);
    let until = at.checked_add(year).unwrap_or(at);
    tz.following(from)
        .next()
        .is_some_and(|t| t.timestamp() < until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_takes_the_first_quoted_string_or_all_after_equals() {
        assert_eq!(
            server_zone_name(";TZID=Europe/Paris").as_deref(),
            Some("Europe/Paris")
        );
        assert_eq!(
            server_zone_name(";TZID=X;VALUE=DATE-TIME").as_deref(),
            Some("X;VALUE=DATE-TIME")
        );
        assert_eq!(
            server_zone_name(";TZID=\"America/New_York\"").as_deref(),
            Some("America/New_York")
        );
        assert_eq!(server_zone_name(";VALUE=DATE").as_deref(), Some("DATE"));
    }

    #[test]
    fn new_york_summer_event_imported_in_winter_moves_an_hour() {
        let tz = resolve("America/New_York").unwrap();
        let local: DateTime = "2027-07-01T10:00:00".parse().unwrap();
        let import: Timestamp = "2027-01-15T12:00:00Z".parse().unwrap();
        let s = shift(&tz, local, import).unwrap();
        assert_eq!(s.intended.to_string(), "2027-07-01T14:00:00Z");
        assert_eq!(s.minutes, 60);
        assert_eq!(s.at_event, "UTC-4 (EDT)");
        assert_eq!(s.at_import, "UTC-5 (EST)");
        let same: Timestamp = "2027-06-01T12:00:00Z".parse().unwrap();
        assert_eq!(shift(&tz, local, same).unwrap().minutes, 0);
    }

    #[test]
    fn resolves_gmt_offsets_and_windows_names() {
        assert!(resolve("GMT+0200").is_some());
        assert!(resolve("Eastern Standard Time").is_some());
        assert!(resolve("Mars/Olympus").is_none());
        assert!(resolve("X;VALUE=DATE-TIME").is_none());
    }
}
