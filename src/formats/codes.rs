//! Diagnostic codes about whole input files: reading, encoding, format detection, JSON Lines.
crate::codes! {
    UNREADABLE = "input::unreadable", Error, Job,
        "The file could not be read.",
        "kbulk could not open or finish reading the file (permissions, a vanished file, a read \
error). The message says what the operating system reported. Nothing of the file is checked: \
until it can be read, count on the whole job failing.";
    UTF16 = "input::utf16", Error, Job,
        "The file is UTF-16.",
        "Kaltura's engines skip a UTF-8 byte-order mark and nothing else: a UTF-16 file (as Excel's \
\"Unicode text\" export writes) is read as garbage and every row fails or vanishes: the whole job fails to import anything. \
Save the file as UTF-8.";
    UNKNOWN_FORMAT = "input::unknown-format", Error, Job,
        "kbulk cannot tell what kind of bulk file this is.",
        "Detection looks at the content: a `*` header line for CSVs (its column names decide \
between resource, event and entry CSVs), `BEGIN:VCALENDAR` for iCal, an `<mrss>` root for XML, \
JSON objects with a `kind` field for JSON Lines; the extension only breaks ties. A CSV without a \
header is recognised from its rows when they hold resource types or 5/12 entry values. Name the \
format with `--format-in` when detection cannot decide. Nothing of the file is checked, and a \
file submitted as the wrong kind fails as a whole job.";
    JSONL_INVALID = "jsonl::invalid-record", Error, Rejected,
        "A JSON Lines line is not a valid kbulk record.",
        "Each line of a kbulk JSON Lines file is one JSON object with a `kind` (for example \
`scheduleResource`) and that kind's fields, as `schemas/*.schema.json` describe. The message gives \
serde's reason and the column where parsing stopped; the line is skipped.";
    NOT_CARRIED = "convert::not-carried", Warning, Silent,
        "Some records could not be written in the target format.",
        "A record with an error that leaves it without a meaning in the target format (an unknown \
action, an invalid enum, invalid UTF-8, a row before any header) is not written. The other \
diagnostics of the run say why each such row was left out.";
    UNREPRESENTABLE = "convert::unrepresentable", Error, Silent,
        "A value cannot be written so that Kaltura reads it back unchanged.",
        "Some values cannot survive Kaltura's CSV reader whatever the quoting: a backslash right \
before a quote, or a backslash at the end of a value that must be quoted, is read differently by \
PHP fgetcsv. The record is written, but the server will see a different value.";
}
