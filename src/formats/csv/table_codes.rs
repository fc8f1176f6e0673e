//! Diagnostic codes of the CSV dialect the category, user, category-user and category-entry
//! engines share (`csv::`): header, columns and cells, as `BulkUploadEngineCsv` reads them.
crate::codes! {
    NO_HEADER = "csv::no-header", Error, Rejected,
        "A data row comes before any `*` header: the engine has no columns for it.",
        "The category, user, category-user and category-entry engines have no headerless mode \
(kaltura-formats §2.4): until a `*` header defines the columns, every field of a row is empty, so \
the row fails (\"Mandatory Column [name] missing from CSV.\", \"Mandatory Column [userId] missing \
from CSV.\", ...). Start the file with a header such as `*action,name,relativePath`.";
    UNKNOWN_COLUMN = "csv::unknown-column", Warning, Silent,
        "A header names a column the engine does not know: its values are dropped or sent to plugins.",
        "Header names are matched exactly and case-sensitively against the engine's columns after \
trimming `*` and spaces. The category, user and category-user engines forward unknown names to \
server plugins as `pluginsData` (only the metadata plugin reads some of them: metadataProfileId, \
metadataXml, metadataField_*, metadata::...); the category-entry engine ignores them. Either way \
the values do not reach the object. Check the spelling and case of the column name.";
    DUPLICATE_COLUMN = "csv::duplicate-column", Warning, Silent,
        "A header names the same column twice: the later cell wins on every row.",
        "When a header repeats a known column the engine keeps both indexes but copies values in \
cell order, so the value under the later column overwrites the earlier one. Remove one of them.";
    ROW_TAKEN_AS_HEADER = "csv::row-taken-as-header", Error, Silent,
        "A row whose first cell starts with `*` replaces the column map.",
        "The engines take any record whose first cell, after trimming, starts with `*` as a new \
header, quoted or not. When that row was meant as data, none of its cells are column names and \
the rows after it lose their columns.";
    COMMENT_LOOKS_LIKE_DATA = "csv::comment-looks-like-data", Warning, Silent,
        "A row starting with `#` is skipped as a comment, but it has the shape of a data row.",
        "Any record whose first cell starts with `#` after trimming is skipped without a result, \
even when quoted. A value such as `#1 group` in the first column makes the whole row vanish.";
    TRIM_CORRUPTS_VALUE = "csv::trim-corrupts-value", Error, Silent,
        "The engine's trimming cuts a byte of a character at the start or end of a value.",
        "The engines trim values with PHP `trim($v, \" \\t\\n\\r\\0\\x0B\\xC2\\xA0\")`, which strips \
the bytes 0xC2 and 0xA0 one by one: a value ending in `à` (C3 A0) or starting with `£` (C2 A3) \
loses a byte and becomes invalid UTF-8; the API then drops the broken character. Move such \
characters away from the edges of the value.";
    EXTRA_CELLS = "csv::extra-cells", Warning, Silent,
        "A row has more cells than the header names: the extra values are dropped.",
        "Cells beyond the header have no column and are ignored. This usually means an unquoted \
comma in a value. Quote values that contain commas.";
    INVALID_VALUE = "csv::invalid-value", Error, Rejected,
        "A value of a numeric or boolean column is not a number (or 0/1).",
        "Enum, id and number columns (privacy, gender, categoryId, permissionLevel, ...) are passed \
to the API as written; the API refuses a value that is not an integer of the enum (\"Invalid \
enumeration value ...\") or not a number. Boolean columns (moderation) take 1/0 or true/false. \
Write the numeric value the column documents.";
    NO_DATA = "csv::no-data", Warning, Advice,
        "The file has no data rows.",
        "Only empty lines, comments and headers were found: the bulk job would do nothing.";
}
