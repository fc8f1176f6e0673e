//! Diagnostic codes for iCal files as Kaltura's own iCal reader (`kSchedulingICal`) reads them:
//! lexical rules, components, property mapping, dates and time zones, RRULE.
crate::codes! {
    LINE_ENDINGS = "ical::line-endings", Error, Silent,
        "Lines end in LF (or CR) only: the server splits on CRLF and sees no event.",
        "Kaltura's iCal reader splits the file on CRLF and nothing else. A file saved with Unix \
(LF) line endings is one single line to it: BEGIN:VCALENDAR and everything after it become one \
property value, no VEVENT is recognised, and the job finishes successfully with zero events. \
Lines ending in LF in an otherwise CRLF file are glued to the following line, and that property \
is lost. Save the file with CRLF line endings (kbulk convert --to ics writes CRLF).";
    FOLDED_LINE = "ical::folded-line", Warning, Silent,
        "A folded line is unfolded differently by the server.",
        "RFC 5545 folds long lines by breaking them and starting the continuation with a space. \
Kaltura's reader instead appends every following line that contains no `:` to the value, \
trimmed and with no separator: whitespace at the fold is lost (`a long` becomes `along`), and a \
continuation that contains a `:` (a URL, a time, `mailto:`) is read as a new, bogus property \
while the value is cut. Write long values on one line: Kaltura does not limit line length.";
    MALFORMED_LINE = "ical::malformed-line", Error, Silent,
        "A line is not a property (no `:`): the server glues it to the previous value.",
        "Every content line is `NAME[;PARAM=...]:VALUE`. A line without any `:` is appended by the \
server, trimmed, to the value of the property before it, corrupting that value. Remove the line \
or give it a property name.";
    COLON_IN_PARAMETER = "ical::colon-in-parameter", Error, Silent,
        "A quoted parameter value contains `:`; the server splits the line there.",
        "The server splits each line at its first `:`, quotes or not. A parameter such as \
Outlook's `TZID=\"(UTC+02:00) Jerusalem\"` puts that first `:` inside the quotes: the property \
name becomes garbage, the value is wrong, and the property (often DTSTART or DTEND) is lost. \
Use an IANA zone name (`Asia/Jerusalem`) or UTC times.";
    LINE_TOO_LONG = "ical::line-too-long", Error, Rejected,
        "A line is longer than kbulk's limit and was cut.",
        "kbulk reads content lines of up to 1 MiB (after unfolding). A longer line is almost \
certainly binary data or a broken file; the rest of it was skipped.";
    INVALID_UTF8 = "ical::invalid-utf8", Error, Rejected,
        "A line is not valid UTF-8.",
        "Kaltura stores event fields as UTF-8; bytes in another encoding (Latin-1, Windows-1252) \
are rejected by the API or stored as garbage. Save the file as UTF-8.";
    NESTED_COMPONENT = "ical::nested-component", Error, Silent,
        "A component (VALARM, ...) inside a VEVENT overwrites the event's fields.",
        "The server recognises only VCALENDAR and VEVENT. Other BEGIN lines are ignored without \
consuming their lines, so the properties of a VALARM (or any nested component) are read as the \
event's own: the alarm's DESCRIPTION, SUMMARY or DURATION replace the event's. Remove nested \
components from events (kbulk convert --dialect kaltura does).";
    COMPONENT_NESTING = "ical::component-nesting", Error, Silent,
        "BEGIN and END lines do not match.",
        "An END without its BEGIN, a BEGIN never ended, or components nested deeper than kbulk's \
limit of 32 leave events incomplete: the server may drop or merge them. Balance every \
BEGIN:X with END:X.";
    NO_CALENDAR = "ical::no-calendar", Error, Silent,
        "The file has no BEGIN:VCALENDAR.",
        "The server reads events only inside the first VCALENDAR: it takes the lines up to the \
first END:VCALENDAR and recognises VEVENTs in them. A file without BEGIN:VCALENDAR (a bare list \
of VEVENTs, or a file that is not iCal at all) yields no event, and the job still finishes \
successfully. Wrap the events in BEGIN:VCALENDAR and END:VCALENDAR.";
    EXTRA_CALENDAR = "ical::extra-calendar", Error, Silent,
        "The file has more than one VCALENDAR; the server reads only the first.",
        "Everything after the first END:VCALENDAR is ignored by the server: events in later \
calendars are never imported. Merge the calendars into one.";
    NO_EVENTS = "ical::no-events", Warning, Silent,
        "The calendar holds no VEVENT.",
        "The server imports VEVENTs only (VTODO, VJOURNAL, VFREEBUSY and VAVAILABILITY are \
ignored), so this file would produce a successful job that does nothing.";
    FLOATING_TIME = "ical::floating-time", Error, Rejected,
        "A date-time has neither `Z` nor TZID: the server reads no date.",
        "Without a TZID parameter the server's date pattern requires `YYYYMMDDTHHMMSSZ`, with the \
`Z`. A floating local time such as `20270701T100000` becomes a null date: a null start fails \
with START_TIME_AND_LINKED_TO_NOT_SET, a null DTEND with \"endDate cannot be null\", a null UNTIL \
leaves the rule unbounded. kbulk reads such a time as UTC when converting. Write UTC times.";
    ALL_DAY_DATE = "ical::all-day-date", Error, Rejected,
        "An all-day date (VALUE=DATE) is not supported by the server.",
        "The server needs a date and a time. `DTSTART;VALUE=DATE:20270701` is read as a date-time \
in the \"time zone\" `DATE` and, having no time, becomes null: the event fails. kbulk reads an \
all-day date as midnight UTC when converting. Write explicit UTC start and end times.";
    INVALID_DATE = "ical::invalid-date", Error, Rejected,
        "A date-time value cannot be read.",
        "Dates must be `YYYYMMDDTHHMMSSZ` (or local `YYYYMMDDTHHMMSS` with a TZID), years 1000 to \
2999. The server reads anything else as a null date and the event fails.";
    TZ_SHIFT = "ical::tz-shift", Warning, Silent,
        "A TZID time will be shifted by the server: it uses the zone's offset at import time.",
        "The server converts a local time with TZID by subtracting the zone's UTC offset of the \
moment the job runs, not the offset on the event's own date. An event on the other side of a \
daylight-saving change from the import date lands an hour (the DST delta) early or late. kbulk \
computes both offsets with real time-zone rules and names them; pass --import-date to check for \
a planned import day. Write UTC times (kbulk convert --dialect kaltura does it at each event's \
own date).";
    UTC_WITH_ZONE = "ical::utc-with-zone", Error, Silent,
        "A UTC time (`Z`) has a TZID: the server ignores the `Z` and reads it in the zone.",
        "With a parameter the server's date pattern is `YYYYMMDDTHHMMSS`, unanchored: the `Z` of \
`DTSTART;TZID=Europe/Paris:20270701T100000Z` is ignored and 10:00 is read as Paris time, \
converted with the zone's offset at import time. RFC 5545 forbids TZID on a UTC time and the \
readers that accept it take the `Z`, as kbulk does: the server silently places the event hours \
away from that time (the zone's offset), with nothing in the bulk log. Remove the TZID \
parameter, or drop the `Z` if the time is local.";
    SERIES_DST = "ical::series-dst", Warning, Silent,
        "A series with a TZID crosses a daylight-saving change: the server repeats it in UTC.",
        "The server converts DTSTART with the zone's offset at import time and does not store the \
TZID as the recurrence's zone, so it repeats the start at the same UTC time. A series whose \
zone changes offset during it (a weekly lecture from October to December in Europe/Paris) \
silently has the occurrences on the other side of the change from the import day an hour (the \
DST delta) early or late on the local clock; nothing in the bulk log says so. kbulk expands the \
series in its zone, counts the moved occurrences and names the first. Split the series at the \
change, or write the occurrences as single events in UTC.";
    UNKNOWN_ZONE = "ical::unknown-zone", Error, Silent,
        "The TZID names a zone the server does not know: it uses its own default zone.",
        "The server takes the zone name from the parameter text (the first quoted string, else \
everything after the first `=`), so `TZID=X;VALUE=DATE-TIME` names the zone `X;VALUE=DATE-TIME`. \
It looks the name up among PHP zone identifiers, `GMT+hhmm` and a few Windows/Exchange tables; \
an unknown name silently falls back to the batch server's default zone. Use an IANA name such as \
`Europe/Paris`, or UTC times.";
    RRULE_UNTIL = "ical::rrule-until", Error, Rejected,
        "RRULE UNTIL is not a UTC date-time: the server reads it as null.",
        "UNTIL is parsed like a DTSTART without parameters: only `YYYYMMDDTHHMMSSZ` works. A \
date-only or local UNTIL becomes null, which leaves the rule without bound (rejected unless \
COUNT is also given). Write UNTIL in UTC with a time.";
    RRULE_IGNORED_PART = "ical::rrule-ignored-part", Warning, Silent,
        "An RRULE part is ignored by the server.",
        "The server maps FREQ, UNTIL, COUNT, INTERVAL, BYSECOND, BYMINUTE, BYHOUR, BYDAY, \
BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH, BYSETPOS, WKST and its own NAME. Other parts (RSCALE, \
SKIP, X-...) are dropped without a word, and the series is expanded without them.";
    EXCEPTION_IGNORED = "ical::exception-ignored", Warning, Silent,
        "EXDATE, RDATE and RECURRENCE-ID are ignored by the server.",
        "Kaltura has no exceptions to a series: no code reads EXDATE, RDATE or RECURRENCE-ID. \
Excluded dates are recorded anyway, extra dates are not, and a VEVENT with RECURRENCE-ID (a \
moved occurrence) carries the series' UID, so it updates the whole series. Expand exceptions \
into single events with their own UIDs.";
    SETTER_CRASH = "ical::setter-crash", Error, Job,
        "The property name reaches an internal method of the server's parser: the job crashes.",
        "For each property the parser calls the method `set` + the name without dashes when such \
a method exists (case-insensitively). Meant for RRULE, it also reaches internal methods: RULE \
and PARENT-COMPONENT crash the worker with a TypeError, FIELD and CONFIGURATION-FIELD with an \
ArgumentCountError. The error is not caught: the whole job fails (job crash) and no later event \
is imported. Rename or remove the property.";
    SETTER_TYPE = "ical::setter-type", Error, Silent,
        "KALTURA-TYPE (without X-) silently overrides the job's events type for this event.",
        "For each property the parser calls the method `set` + the name without dashes when such \
a method exists. KALTURA-TYPE and KALTURATYPE reach the method that sets the event's type, so \
this event is silently changed to the type the property names instead of the job's \
`eventsType`: nothing in the bulk log says so. X-KALTURA-TYPE (with X-) is merely ignored. \
Remove the property and submit events of another type in a separate job.";
    SETTER_ECHO = "ical::setter-echo", Warning, Silent,
        "WRITE-TO-STDOUT switches the parser's output echoing on; the property is not imported.",
        "For each property the parser calls the method `set` + the name without dashes when such \
a method exists. WRITE-TO-STDOUT (or WRITETOSTDOUT) reaches the parser's switch for echoing \
its output: the worker's log fills with the parsed calendar, and the property's value is \
silently dropped from the event. Rename or remove the property.";
    TYPE_IGNORED = "ical::type-ignored", Warning, Silent,
        "X-KALTURA-TYPE is ignored: the job's events type decides.",
        "Every VEVENT of an iCal job gets the job's `eventsType` (record, live stream or blackout); \
X-KALTURA-TYPE, which Kaltura writes on export, is not read. An event whose X-KALTURA-TYPE \
differs from --events-type would be created with the job's type. Submit such events in a \
separate job of the right type.";
    CALENDAR_CANCEL = "ical::calendar-cancel", Error, Silent,
        "METHOD:CANCEL at calendar level is ignored: the events are added.",
        "RFC 5546 puts METHOD on the VCALENDAR, but the server reads METHOD from each VEVENT. A \
calendar-level METHOD:CANCEL is ignored and every event in it is added or updated instead of \
cancelled.";
    DURATION_SYNTAX = "ical::duration-syntax", Error, Job,
        "DURATION is negative or not an ISO 8601 duration: the job fails.",
        "DURATION is read with PHP DateInterval (`PT1H`, `P1D`, `P1W`; a plain non-zero integer is \
taken as seconds). A negative duration (`-PT15M`, common in VALARM triggers) or anything \
DateInterval cannot read throws outside any try block: the whole job FAILS.";
    CLASS_IGNORED = "ical::class-ignored", Warning, Silent,
        "CLASS is not exactly PUBLIC, PRIVATE or CONFIDENTIAL: the server ignores it.",
        "`classificationType` is set only for the exact upper-case values PUBLIC, PRIVATE and \
CONFIDENTIAL. Other values (lower case, X-names) are dropped without a word.";
    GEO_IGNORED = "ical::geo-ignored", Warning, Silent,
        "The standard GEO property is not read; use GEOLATITUDE and GEOLONGITUDE.",
        "Kaltura reads coordinates from the non-standard properties GEOLATITUDE and GEOLONGITUDE. \
The RFC 5545 GEO property (`GEO:lat;lon`) is ignored, so the event has no coordinates. kbulk \
reads GEO's values into the record; convert --dialect kaltura writes them as GEOLATITUDE and \
GEOLONGITUDE.";
    ESCAPED_TEXT = "ical::escaped-text", Warning, Silent,
        "The value has RFC 5545 escapes (`\\,` `\\;` `\\n` `\\\\`) the server keeps literally.",
        "Kaltura's reader does not unescape text: `Room 1\\, floor 2` is stored with the \
backslash, and `\\n` stays a backslash and an `n`. kbulk reads the intended text; convert \
--dialect kaltura writes it without escapes (a newline cannot be written at all).";
    RESOURCE_LINKS_LOST = "ical::resource-links-lost", Warning, Silent,
        "X-KALTURA-RESOURCE-IDS is not imported: the event is created without its resources.",
        "Kaltura writes the event's resources as X-KALTURA-RESOURCE-IDS when exporting, but the \
iCal import never reads it and creates no scheduleEventResource links: an edited export \
re-imported this way silently loses every resource link (rooms, capture devices) of its \
events, and a recording event without a resource records nothing. Link the resources through \
the API, or import the events as an event CSV with its resource column.";
    IGNORED_PROPERTY = "ical::ignored-property", Note, Silent,
        "The property is not imported by the server.",
        "Kaltura's importer reads a fixed list of properties. Others, such as ATTENDEE, URL, \
CATEGORIES and RELATED-TO (Kaltura exports the category paths there; X-KALTURA-CATEGORY-IDS \
is what it imports), are silently dropped. Nothing in Kaltura holds these values, hence a \
note.";
    UNREPRESENTABLE = "ical::unrepresentable", Error, Silent,
        "A value cannot be written so that Kaltura's reader reads it back unchanged.",
        "Kaltura's reader neither unfolds nor unescapes, and trims every value: a value with a \
line break cannot be written at all (it is written with the break replaced by a space), and \
leading or trailing spaces are lost. The record is written with the closest value.";
}
