//! Diagnostic codes for media entries: rules shared by XML items, entry-CSV rows and entry
//! records in JSON Lines (`entry::`), and the entry CSV's own (`entry-csv::`).
crate::codes! {
    TYPE_REQUIRED = "entry::type-required", Error, Rejected,
        "An item that adds an entry has no `<type>`.",
        "The XML engine creates an entry with `baseEntry.add`, which needs the entry type. An add \
item (an explicit `<action>add</action>`, or no action and neither entryId nor a referenceId that \
exists) without `<type>` fails with \"entry type must be set to a value on item [{name}] \". Add \
`<type>1</type>` (media clip) right after `<action>`, before `<referenceId>`.";
    MISSING_TARGET = "entry::missing-target", Error, Rejected,
        "An update or delete item names neither `entryId` nor `referenceId`.",
        "Update and delete items must say which entry they change: by `<entryId>` or by \
`<referenceId>` (the first existing entry with that reference id). Without either, the engine \
reports \"Missing entry id element\" for the item.";
    IMPLICIT_ACTION = "entry::implicit-action", Note, Advice,
        "The item has no `<action>`: what happens depends on the partner's existing entries.",
        "Without `<action>`, the engine updates the entry when `<entryId>` is given; otherwise it \
looks the `<referenceId>` up among existing entries and updates the first match, or adds a new \
entry when there is none. The same file can therefore add on one run and update on the next. \
Write the action explicitly when you know which one you mean.";
    TYPE_CONFLICT = "entry::type-conflict", Error, Rejected,
        "`<media>` is given for an entry whose type is not 1 (media clip).",
        "Typed elements must match the entry type: `<media>` belongs to media clips (type 1). \
Any other type with a `<media>` element fails with \"Conflicted typed element for type [{type}] \
on item [{name}] \".";
    UNKNOWN_ENTRY_TYPE = "entry::unknown-entry-type", Error, Rejected,
        "The entry type is not one of Kaltura's entry types.",
        "KalturaEntryType takes -1 (automatic), 1 (media clip), 2 (mix), 5 (playlist), 6 (data), \
7 (live stream), 8 (live channel) and 10 (document), plus plugin values spelled `plugin.Value`. \
Any other value is refused by the API (and by the XML schema in an XML bulk file).";
    LIVE_MEDIA_TYPE = "entry::live-media-type", Warning, Rejected,
        "A live media type (201–204) is given in a bulk file.",
        "The XML schema lists media types 1 (video), 2 (image), 5 (audio) and the live types \
201–204, but bulk ingestion creates media clips from files: live entries are created through \
the live-stream API, and a bulk item with a live media type usually fails when its content is \
added. Use 1, 2 or 5.";
    INVALID_DATE = "entry::invalid-date", Error, Rejected,
        "A schedule date does not contain `YYYY-MM-DDTHH:MM:SS` as the server reads it.",
        "The entry engines look for the pattern `([1-2][0-9]{3})-([0-1][0-9])-([0-3][0-9])T\
([0-2][0-9]):([0-5][0-9]):([0-5][0-9])` anywhere in the value (the regex is not anchored) and \
read it as UTC. A value without it, including a date without a time or a year outside 1000–2999, \
fails the row with \"Invalid schedule start date '{v}' on line {n}\" (or end date). Write dates \
as `2026-05-01T09:00:00`.";
    DATE_TEXT_IGNORED = "entry::date-text-ignored", Warning, Silent,
        "Part of a date is ignored: the server reads only `YYYY-MM-DDTHH:MM:SS`, as UTC.",
        "The server takes the first `YYYY-MM-DDTHH:MM:SS` in the value and reads it with gmmktime, \
which means UTC. Anything around it is ignored: a time-zone offset such as `+02:00`, fractions \
of a second, or extra text. A value written in local time with an offset is therefore shifted \
by that offset. Convert the time to UTC and drop the offset.";
    DATE_ROLLS_OVER = "entry::date-rolls-over", Warning, Silent,
        "A date matches the server's pattern but is not a real date; PHP rolls it over.",
        "The pattern accepts months 00–19, days 00–39 and hours 00–29, and gmmktime normalizes what \
does not exist: `2026-02-30T00:00:00` becomes March 2nd and `2026-13-01` January of the next \
year. The row is accepted with a different date than written.";
    INVALID_URL = "entry::invalid-url", Error, Rejected,
        "The content URL fails the server's URL check.",
        "The entry CSV engine replaces spaces, `[` and `]` by %20, %5B and %5D, deletes every `_`, \
and then requires PHP's FILTER_VALIDATE_URL to accept the result: ASCII only, with a scheme and \
a host. An empty url fails too: the `url` column is mandatory. The row fails with \
\"Invalid url '{url}' on line {n}\". Percent-encode non-ASCII characters.";
    ENTRY_ID_FORMAT = "entry::entry-id-format", Warning, Rejected,
        "An entry id does not look like a Kaltura entry id.",
        "Kaltura entry ids are a digit, an underscore and eight lower-case letters or digits \
(`0_abcd1234`), at most 20 characters. A value of another shape is almost certainly a \
reference id or a typo, and the lookup fails with \"Entry id [{id}] not found\". Use \
`<referenceId>` to address entries by your own ids.";
    PLACEHOLDER = "entry::placeholder", Error, Rejected,
        "A value is an unsubstituted template placeholder such as `@ENTRY1_URL@`.",
        "Kaltura's sample bulk files and many generators use `@NAME@` placeholders that a script \
replaces before upload. A placeholder left in the file is sent as a literal value: as a URL it \
fails the URL check, as an action it is not supported, as a reference id it creates entries \
nobody can find. Substitute every placeholder.";
    ASSET_ACTION_MISMATCH = "entry::asset-action-mismatch", Error, Rejected,
        "`contentAssets/action` and `thumbnails/action` differ.",
        "On update the engine uses one sub-action for content and thumbnails: when only one is \
given it applies to both, and when both are given they must be equal, otherwise the item fails \
with \"ContentAsset->action: {a} must be the same as thumbnails->action: {b}\".";
    THUMBNAILS_REPLACE_ALL = "entry::thumbnails-replace-all", Warning, Silent,
        "An update gives thumbnails without content: the entry's other thumbnails are deleted.",
        "On update, `<contentAssets>` and `<thumbnails>` default to the sub-action `replace`. \
Thumbnails given without any content asset (and without `keepManualThumbnails` true) replace \
the entry's thumbnails: every thumbnail the entry has that the item does not list is silently \
deleted, with nothing in the bulk log. kbulk cannot see the entry's thumbnails (it would need \
--against), hence a warning. To change one thumbnail write `<thumbnails><action>update</action>` \
with its @assetId; to add one and keep the rest write keepManualThumbnails.";
    ASSET_ID_IGNORED = "entry::asset-id-ignored", Error, Silent,
        "An @assetId in `replace` mode is ignored: the assets are replaced, not updated.",
        "Only the `update` sub-action of `<contentAssets>`/`<thumbnails>` updates assets by \
@assetId (each must belong to the entry, else \"Asset Id [{id}] not found on entry [{entry}]\"). \
In `replace` mode, the default, the engine replaces the entry's content (baseEntry.updateContent) \
or all of its thumbnails and silently ignores the @assetId: the asset named is not updated but \
replaced with the others. Write `<action>update</action>` to update assets by id.";
    CUSTOM_DATA_PROFILE = "entry::custom-data-profile", Error, Rejected,
        "A `<customData>` names no metadata profile.",
        "Each `<customData>` must say which custom-metadata profile its XML belongs to, by \
`metadataProfileId` or by the `metadataProfile` system name. Without either the metadata \
handler fails with \"Missing custom data metadataProfile attribute\" and the item is marked as \
failed (the entry itself is created).";
    CUSTOM_DATA_MISSING = "entry::custom-data-missing", Error, Rejected,
        "A `<customData>` lacks the element its action needs.",
        "The default sub-action `replace` needs `<xmlData>` with the metadata XML \
(\"customDataItems->customData->xmlData element is missing\"); `transformXslt` needs `<xslt>` \
(\"customDataItems->customData->xslt element is missing\").";
    CUSTOM_DATA_ACTION = "entry::custom-data-action", Error, Rejected,
        "A `<customData>` action is not `replace` or `transformXslt`.",
        "The metadata handler knows the sub-actions `replace` (the default) and `transformXslt`; \
any other value fails with \"customDataItems->customData->action: {a} is not supported\".";
    CATEGORY_COMMA = "entry::category-comma", Warning, Silent,
        "A category name contains a comma; the server splits it into two categories.",
        "The engines join category full names with commas and split them again, so `News, \
Sports>Live` becomes two categories `News` and ` Sports>Live`, which the server creates if \
they are missing. Category names cannot contain commas.";
    SERVER_FILE = "entry::server-file", Warning, Silent,
        "`serverFileContentResource` is ignored unless the batch allows server resources.",
        "A server file path is only ingested when the batch worker's `allowServerResource` \
parameter is set, which hosted Kaltura does not do. Otherwise the element is silently ignored \
and the entry is created without content. Use a URL, a drop folder or an upload.";
    LOCAL_FILE = "entry::local-file", Note, Advice,
        "The content is a local file: only `kbulk submit` can upload it.",
        "A `localFile` resource names a file on this machine. Kaltura's bulk formats cannot carry \
it; `kbulk submit` uploads it with an upload token. Converting such a record to XML or CSV \
leaves the content out.";
    DUPLICATE_REFERENCE_ID = "entry::duplicate-reference-id", Warning, Silent,
        "Two items of the file use the same reference id.",
        "Kaltura does not keep reference ids unique. Two adds with one reference id create two \
entries, and every later update or delete by that reference id reaches only the first one; an \
item without `<action>` after an add of the same reference id becomes an update of the entry \
just created. Give every entry its own reference id.";
    TOO_LONG = "entry::too-long", Error, Rejected,
        "A value is longer than Kaltura allows.",
        "The schema and API limit lengths: name 256, referenceId 2000, entryId and templateEntryId \
20, userId 100, parentReferenceId 100, partnerData 4000, system names 120 characters.";
    MAX_RECORDS = "entry::max-records", Warning, Advice,
        "The file holds more entries than one bulk upload takes.",
        "Kaltura's shipped batch configuration processes at most 1000 rows or items per bulk file \
(`maxRecords`); XML files over the limit retry forever and CSV rows over it fail. Split the \
records into several files when converting.";
    NOT_IN_FORMAT = "entry::not-in-format", Warning, Silent,
        "A field of this entry cannot be written in the target format and is left out.",
        "Entry CSVs only add entries and have no columns for many XML elements (license type, \
parent reference, system-name references, several assets, streams, custom metadata, plugin \
elements); XML has no place for CSV plugin columns or local files. The record is written \
without the field; the message names it.";
    CSV_WRONG_VALUE_COUNT = "entry-csv::wrong-value-count", Error, Rejected,
        "A headerless row has neither 5 (V1) nor 12 (V2) values.",
        "Without a `*` header the entry engine decides the version per row from its number of \
values: exactly 5 is V1 (title, description, tags, url, contentType), exactly 12 is V2. Any other \
count, trailing empty cells included, fails with \"Wrong number of values on line {n}\". Add a \
V3 header naming the columns.";
    CSV_MIXED_VERSIONS = "entry-csv::mixed-versions", Error, Silent,
        "A headerless file mixes 5- and 12-value rows and ends with a 5-value row.",
        "The V2 fields (conversion profile, access control, category, dates, thumbnail, \
partnerData) are applied only when the job's CSV version is above V1, and that version is the \
one detected for the last row parsed. A final V1 row therefore makes every row's V2 fields \
silently ignored. Use a V3 header.";
    CSV_ACTION_SKIPPED = "entry-csv::action-skipped", Error, Silent,
        "An entry-CSV row asks for update or delete: the engine skips it without a result.",
        "The entry CSV engine implements only ADD (action 1, the default). Rows with action 2 \
(update) or 3 (delete) are skipped and never appear in the bulk log. Use an XML bulk upload \
for updates and deletes.";
    CSV_UNKNOWN_ACTION = "entry-csv::unknown-action", Error, Silent,
        "An entry-CSV action is not 1: the row vanishes from the results.",
        "Any action other than 1 (or empty, or 0) sets \"unknown action passed: [{action}]\" on the \
row, but that result is never reported: the row silently disappears. Actions are numeric; \
words such as `add` do not work.";
    CSV_SSH_KEY_MISSING = "entry-csv::ssh-key-missing", Error, Rejected,
        "Only one of `sshPrivateKey` and `sshPublicKey` is given.",
        "SSH downloads need both keys. A row with only one fails with \"Missing SSH private key on \
line  {n}\" (two spaces, as the server writes it) or \"Missing SSH public key on line {n}\".";
    CSV_NOT_NUMERIC = "entry-csv::not-numeric", Warning, Silent,
        "`conversionProfileId` or `accessControlProfileId` is not numeric and is ignored.",
        "The engine applies these ids only when they are numeric; any other value (a system name, \
a typo) is dropped without a word and the partner default applies.";
    CSV_UNKNOWN_CONTENT_TYPE = "entry-csv::unknown-content-type", Warning, Silent,
        "`contentType` is not image, audio or video: the entry becomes a video.",
        "The engine compares contentType case-insensitively with `image` (media type 2) and \
`audio` (5); anything else, including typos, is media type 1 (video) without a warning.";
    CSV_ENTRY_ID_IGNORED = "entry-csv::entry-id-ignored", Warning, Silent,
        "`entryId` in an entry CSV does not update anything.",
        "The entry CSV engine stores the entryId cell as the result's object id only: every row \
adds a new entry. To update existing entries use an XML bulk upload with `<action>update</action>`.";
    CSV_UNKNOWN_COLUMN = "entry-csv::unknown-column", Warning, Silent,
        "A header names a column the entry engine does not know.",
        "Header names are trimmed of `*` and spaces, then matched exactly and case-sensitively. \
Unknown names are forwarded to server plugins as plugin data; only the metadata plugin reads any \
(`metadataProfileId`, `metadataXml`, `metadataUrl`, `metadataField_*`, `metadata::*::*`). Any \
other column, such as `Title` or `name`, is silently dropped.";
    CSV_DUPLICATE_COLUMN = "entry-csv::duplicate-column", Warning, Silent,
        "A header names the same column twice; the later cell wins.",
        "When a header repeats a known column, the server keeps both positions but copies values \
in order, so the value of the later column overwrites the earlier one on every row, even when \
the later cell is empty. Remove one of the two columns.";
    CSV_COMMENT_LOOKS_LIKE_DATA = "entry-csv::comment-looks-like-data", Warning, Silent,
        "A row whose first cell starts with `#` is skipped as a comment, but it looks like data.",
        "The server looks only at the first cell, after trimming, and quoting does not protect it: \
a title such as `#1 hit` in the first column makes the row a comment, skipped without a result.";
    CSV_ROW_TAKEN_AS_HEADER = "entry-csv::row-taken-as-header", Error, Silent,
        "A row whose first cell starts with `*` replaces the column map.",
        "Any row whose first cell starts with `*` is a header: it is not imported, and the rows \
after it are read with its cells as column names. kbulk reports it when none of its cells is an \
entry column.";
    CSV_TRIM_CORRUPTS_VALUE = "entry-csv::trim-corrupts-value", Error, Silent,
        "The server's byte-wise trimming would cut a character at the edge of this value.",
        "The entry engine trims every cell with PHP `trim($v, \" \\t\\n\\r\\0\\x0B\\xC2\\xA0\")`, \
which removes any leading or trailing byte 0xC2 or 0xA0. A value ending in à, Р or נ (last byte \
A0), or starting with £, ©, ° or « (first byte C2), loses a byte and the API drops the broken \
character. Move the character away from the edge of the value.";
    CSV_MAX_RECORDS = "entry-csv::max-records", Error, Rejected,
        "The file has more data rows than the per-bulk limit.",
        "Kaltura's shipped batch configuration allows 1000 rows per bulk file (`maxRecords`); every \
row beyond it fails with \"Exeeded max records count per bulk\". Split the file, or set \
`--max-records` to your installation's value (0 for no limit).";
    CSV_EXTRA_CELLS = "entry-csv::extra-cells", Warning, Silent,
        "A row has non-empty cells beyond the header's columns; they are ignored.",
        "Cells past the last header column have no name, so the server drops their values. This \
usually means an unquoted comma inside a value.";
    CSV_NO_DATA = "entry-csv::no-data", Warning, Advice,
        "The file has no data rows.",
        "The entry CSV has no row the engine would import (only a header, comments or empty \
lines). An upload of this file creates a job that ends with \"None of the uploaded items were \
processed succsessfuly\" or with no results at all. Check that the data rows were saved.";
}
