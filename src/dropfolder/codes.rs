//! Diagnostic codes of `kbulk fix` (repairs made or refused) and `kbulk dropfolder` (handover).
crate::codes! {
    UTF16 = "fix::utf16", Note, Advice,
        "The file was UTF-16 with a byte-order mark and was re-encoded as UTF-8.",
        "Excel's \"Unicode text\" export writes UTF-16LE with a BOM; Kaltura's engines read it as \
garbage. The BOM proves the encoding, so `kbulk fix` decodes it and writes UTF-8 without a BOM.";
    LEGACY_ENCODING = "fix::windows-1252", Note, Advice,
        "The file was not UTF-8 and was re-encoded from Windows-1252 as UTF-8.",
        "Excel and older tools save CSVs in the Windows code page (Windows-1252, a superset of \
Latin-1 for every printable character). Bytes that are not valid UTF-8 are decoded as Windows-1252 \
and written as UTF-8, the only encoding the server reads. The label points at the first byte that \
was not UTF-8.";
    DELIMITER = "fix::delimiter", Note, Advice,
        "A CSV written with `;` or tab was rewritten with `,`.",
        "A localised Excel writes CSVs with `;` (or tab for \"Unicode text\"). The server splits on \
`,` only, so every row becomes one cell. When the `*` header line holds the delimiter and no comma, \
the header proves it: `kbulk fix` rewrites every row with `,` and quotes cells so that PHP fgetcsv \
(with its backslash escape) reads back exactly the same cells: quotes are used only where a cell \
needs them, a backslash before a quote is kept as it is, and a quoted value ending in a backslash \
has that backslash after its closing quote. The result is read back with kbulk's emulation of \
fgetcsv and compared cell by cell before it is accepted.";
    CRLF = "fix::crlf", Note, Advice,
        "An iCal file with bare LF line endings was rewritten with CRLF.",
        "Kaltura's iCal reader splits content lines on CRLF only: a file written with LF (as Google \
Calendar exports and many scripts write) is read as zero events and the job reports success. \
`kbulk fix` writes CRLF line endings.";
    ICAL_FOLDS = "fix::ical-folds", Note, Advice,
        "Folded iCal lines were written on one line.",
        "Kaltura's iCal reader does not unfold as RFC 5545 says: it appends every following line \
that has no `:` to the value, trimmed, so the whitespace at a fold is lost, and a continuation \
holding a `:` (a URL, a time) becomes a bogus property that cuts the value. Kaltura does not \
limit line length, so `kbulk fix` writes each folded line on one line, as `kbulk convert --to \
ics` does.";
    ICAL_ESCAPES = "fix::ical-escapes", Note, Advice,
        "iCal text values with RFC 5545 escapes were written without them.",
        "The server stores `\\,`, `\\;` and `\\\\` in SUMMARY, DESCRIPTION, LOCATION, CONTACT \
and COMMENT literally, backslash included. `kbulk fix` writes the characters they stand for. A \
value with an escaped line break (`\\n`) is left alone (fix::left-alone): the server cannot read \
a line break in any form.";
    ICAL_UTC = "fix::ical-utc", Note, Advice,
        "DTSTART/DTEND times with TZID were written in UTC, at the zone's offset on the event's own date.",
        "The server converts a TZID time with the zone's offset on the day of the import, so an \
event on the other side of a daylight-saving change lands an hour off. `kbulk fix` writes the \
instant the file means in UTC (`YYYYMMDDTHHMMSSZ`). A series is converted only when its zone's \
offset never changes after its start: the server expands a series from one UTC start, so one \
that crosses a daylight-saving change cannot be written right and is left alone. A TZID that \
kbulk cannot resolve is left alone too.";
    ICAL_NESTED = "fix::ical-nested", Note, Advice,
        "Components nested in a VEVENT (VALARM, ...) were removed.",
        "The server recognises only VCALENDAR and VEVENT: the lines of a VALARM inside an event \
are read as the event's own, so the alarm's DESCRIPTION, SUMMARY or DURATION replace the \
event's. The server imports no alarms, so `kbulk fix` removes nested components.";
    ICAL_END = "fix::ical-end", Note, Advice,
        "A single event's DURATION (with no DTEND) was written as DTEND.",
        "The server needs DTEND for an event that does not repeat: it does not compute the end \
from DURATION, and the event fails with \"endDate cannot be null\". `kbulk fix` writes DTEND \
as DTSTART plus the DURATION, in UTC, as `kbulk convert --to ics` does.";
    ICAL_GEO = "fix::ical-geo", Note, Advice,
        "GEO was written as GEOLATITUDE and GEOLONGITUDE.",
        "The server reads coordinates only from the non-standard GEOLATITUDE and GEOLONGITUDE \
properties and ignores GEO. When an event has GEO with two numbers and neither of the others, \
`kbulk fix` writes the same numbers as GEOLATITUDE and GEOLONGITUDE.";
    UNFIXABLE = "fix::left-alone", Warning, Advice,
        "A problem was found that cannot be repaired without guessing; the file was left as it is.",
        "`kbulk fix` only repairs what the bytes prove, and accepts a rewrite only when reading it back \
gives the same cells or records. Rows that do not parse with the detected delimiter, an iCal \
rewrite that would change an event or add a finding, and single constructs that the server cannot \
read as meant however they are written (a text value with a line break, a TZID time in a series or \
in an unknown zone) are left for a person to fix. The message says what was found and why.";
    MEDIA_MISSING = "dropfolder::media-missing", Error, Rejected,
        "A drop-folder XML names a media file that is not beside it.",
        "An item's `dropFolderFileContentResource` names a `filePath` in the drop folder. The \
server would fail the item (\"Drop folder file not found\"). kbulk rejects the XML so that it \
reaches the server only with its media.";
    MEDIA_MISMATCH = "dropfolder::media-mismatch", Error, Rejected,
        "A drop-folder XML's media file does not have the size or checksum the XML states.",
        "`fileSize` and `fileChecksum` (MD5, hex) in a `dropFolderFileContentResource` must match \
the file in the drop folder, or the server fails the item. The media file may still be arriving \
or be another file under the same name.";
    DUPLICATE = "dropfolder::duplicate", Note, Advice,
        "A file with the same content was handed over before; this drop was archived, not handed over.",
        "kbulk keys each input by the SHA-256 of its content in INBOX/.kbulk/state.sqlite, so the \
same file dropped twice (a retry, a copy under another name) reaches the server once.";
}
