//! Diagnostic codes for schedule resources (resource CSVs and resource records in JSON Lines).
crate::codes! {
    NO_HEADER = "resource::no-header", Error, Rejected,
        "A resource CSV row comes before any `*` header line.",
        "Kaltura's resource CSV engine has no headerless mode: its column map is empty until a line \
whose first cell starts with `*` names the columns (for example \
`*action,name,type,systemName,description,tags,parentType,parentSystemName`). Rows before such a \
header have every field empty and fail. Add the header as the first line.";
    UNKNOWN_COLUMN = "resource::unknown-column", Warning, Silent,
        "A header names a column the resource engine does not know; its values are dropped.",
        "The server trims each header cell of `*` and spaces only, then matches it exactly and \
case-sensitively against action, resourceId, name, type, systemName, description, tags, parentType \
and parentSystemName. Any other name (including `Name`, `system_name`, or a name with a leading \
TAB or non-breaking space) goes to a plugin map that the resource engine ignores: every value in \
that column is silently dropped.";
    DUPLICATE_COLUMN = "resource::duplicate-column", Warning, Silent,
        "A header names the same column twice; the later cell wins.",
        "When a header repeats a known column, the server keeps both positions but copies values in \
order, so the value of the later column overwrites the earlier one on every row.";
    UNKNOWN_ACTION = "resource::unknown-action", Error, Silent,
        "The action is not 1, 2, 3 or 6: the server drops the row from its results.",
        "The action cell is compared with PHP loose equality to 1 (add), 2 (update), 3 (delete) \
and 6 (add or update); an empty cell or `0` means add, and numeric spellings such as `01` or `1.0` \
work. Anything else, including words like `add`, sets \"Unknown action passed: [...]\" on the \
row, but the engine never reports that result: the row silently disappears from the bulk log. A \
non-numeric action on a row that is reported for another reason can also make the whole job fail \
with INVALID_ENUM_VALUE.";
    UNKNOWN_TYPE = "resource::unknown-type", Error, Rejected,
        "`type` is not location, camera or live_entry (case-sensitive).",
        "The server accepts exactly `location`, `camera` and `live_entry` (an empty cell means \
location). Any other value, including a different case, fails the row with \"Wrong value passed \
for property type [...]\".";
    UNKNOWN_PARENT_TYPE = "resource::unknown-parent-type", Error, Rejected,
        "`parentType` is not location, camera or live_entry (case-sensitive).",
        "Like `type`, `parentType` must be exactly `location`, `camera` or `live_entry` (empty means \
location); otherwise the row fails with \"Wrong value passed for property parentType [...]\".";
    INVALID_RESOURCE_ID = "resource::invalid-resource-id", Error, Rejected,
        "`resourceId` is not a whole number.",
        "Resource ids are integers. A non-numeric resourceId makes the update or delete call fail \
(or target nothing), so the row fails.";
    NAME_REQUIRED = "resource::name-required", Error, Rejected,
        "A row that adds a resource has no `name`.",
        "The API requires `name` when a resource is added. An add row (action 1, or 6 when the \
systemName does not exist yet) without a name fails with PROPERTY_VALIDATION_CANNOT_BE_NULL.";
    NAME_LENGTH = "resource::name-length", Error, Rejected,
        "`name` is longer than 256 characters.",
        "The API limits a resource name to 1–256 characters; longer names fail validation.";
    SYSTEM_NAME_LENGTH = "resource::system-name-length", Error, Rejected,
        "`systemName` is longer than 256 characters.",
        "The API limits a resource systemName to 1–256 characters; longer names fail validation.";
    MISSING_TARGET = "resource::missing-target", Error, Rejected,
        "An update or delete row has neither `resourceId` nor `systemName`.",
        "Update (2) and delete (3) rows must say which resource they change: a resourceId, or a \
systemName together with the right `type` (lookups are per type). Otherwise the server reports \
\"Mandatory Columns [resourceId or systemName] missing from CSV.\"";
    LIVE_ENTRY_ADD = "resource::live-entry-add", Error, Rejected,
        "A `live_entry` resource cannot be added from a CSV.",
        "KalturaLiveEntryScheduleResource requires an entryId on insert, and the resource CSV has \
no column for it, so every live_entry add fails with PROPERTY_VALIDATION_CANNOT_BE_NULL. Create \
live-entry resources through the API (kbulk submit from JSON Lines, or the KMC).";
    ID_IGNORED_ON_ADD = "resource::id-ignored-on-add", Warning, Silent,
        "`resourceId` on an add row is ignored.",
        "An add (action 1) always creates a new resource; the resourceId cell is not used. If the \
row meant to change an existing resource, use action 2 (update) or 6 (add or update).";
    DUPLICATE_SYSTEM_NAME = "resource::duplicate-system-name", Error, Rejected,
        "The file adds the same `systemName` twice for one type.",
        "systemName is unique per partner and resource type. Add rows are never looked up first, so \
a second add of a name that an earlier row already added fails with SYSTEM_NAME_ALREADY_EXISTS.";
    UPSERT_REPEATS_ADD = "resource::upsert-repeats-add", Warning, Rejected,
        "An add-or-update row repeats a `systemName` an earlier row adds.",
        "The server resolves systemNames once, before it writes anything, and learns new ids only \
after each multi-request chunk. An action-6 row for a name that an earlier row of the same file \
adds may therefore be sent as a second add and fail with SYSTEM_NAME_ALREADY_EXISTS. Put the two \
rows into one, or use action 2 for the second.";
    PARENT_AFTER_CHILD = "resource::parent-after-child", Error, Rejected,
        "A row names a parent that the file only adds later.",
        "The server resolves `parentSystemName` from resources that already exist or that were added \
earlier in the same file. A parent added further down is not known yet, and the child fails with \
\"Unable to find parent {type} resource [{name}]\". Move the parent row above its children.";
    PARENT_NOT_IN_FILE = "resource::parent-not-in-file", Warning, Advice,
        "A parent is not added in this file, so it must already exist in Kaltura.",
        "kbulk cannot see the partner's existing resources. If no resource with this systemName and \
parentType exists, every child row fails with \"Unable to find parent {type} resource [{name}]\".";
    LOOKUP_CRASH = "resource::lookup-crash", Warning, Job,
        "Name-based lookups crash Kaltura's resource engine on PHP 8.",
        "A misplaced parenthesis in the engine (`count($filterSystemNames[$type] >= MAX_IN_FILTER)`) \
makes PHP 8 throw a TypeError the worker does not catch: the whole job crashes on the first row \
with a parentSystemName, or with a systemName but no resourceId and an update, delete or \
add-or-update action. On PHP 7 it makes one list call per name. Resolve names to resourceId before \
upload, or submit with `kbulk submit`, which does the lookups itself.";
    MAX_RECORDS = "resource::max-records", Error, Rejected,
        "The file has more data rows than the per-bulk limit.",
        "Kaltura's shipped batch configuration allows 1000 rows per bulk file (`maxRecords`); every \
row beyond it fails with \"Exeeded max records count per bulk\". Split the file, or set \
`--max-records` to your installation's value (0 for no limit).";
    COMMENT_LOOKS_LIKE_DATA = "resource::comment-looks-like-data", Warning, Silent,
        "A row whose first cell starts with `#` is skipped as a comment, but it looks like data.",
        "The server looks only at the first cell, after trimming, and quoting does not protect it: a \
row whose first value begins with `#` is a comment and vanishes without a result. kbulk warns when \
such a row has as many cells as the header or several non-empty cells.";
    ROW_TAKEN_AS_HEADER = "resource::row-taken-as-header", Error, Silent,
        "A row whose first cell starts with `*` replaces the column map.",
        "Any row whose first cell starts with `*` (after trimming, quoted or not) is a header: it is \
not imported, and every following row is read with its cells as column names. kbulk reports it \
when its cells are not column names.";
    TRIM_CORRUPTS_VALUE = "resource::trim-corrupts-value", Error, Silent,
        "The server's byte-wise trimming would cut a character at the edge of this value.",
        "The engine trims every cell with PHP `trim($v, \" \\t\\n\\r\\0\\x0B\\xC2\\xA0\")`, which \
removes any leading or trailing byte 0xC2 or 0xA0, not just the non-breaking space. A value ending \
in à, Р, נ or Ġ (last byte A0), or starting with a character from U+0080–U+00BF such as £, ©, ° or \
« (first byte C2), loses a byte and becomes invalid UTF-8; the API then drops the broken character. \
Move the character away from the edge of the value (for example add a trailing period).";
    EXTRA_CELLS = "resource::extra-cells", Warning, Silent,
        "A row has non-empty cells beyond the header's columns; they are ignored.",
        "Cells past the last header column have no name, so the server drops their values. This \
usually means an unquoted comma inside a value (quote the cell) or a missing header column.";
    NO_DATA = "resource::no-data", Warning, Advice,
        "The file has a header but no data rows.",
        "Nothing would be imported. An upload of this file creates a job that finishes with no \
results.";
}
