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
