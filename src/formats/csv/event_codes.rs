//! Diagnostic codes for schedule-event CSVs as `BulkUploadScheduleEventCsvEngine` reads them.
crate::codes! {
    NO_HEADER = "event-csv::no-header", Error, Job,
        "An event CSV row comes before any `*` header: the job crashes.",
        "The event CSV engine builds its column map from the `*` header only. Without one the map \
is null and `count(null)` throws a TypeError on PHP 8, which the engine does not catch: the \
worker crashes and the job fails. Start the file with the 18-column header.";
    UNKNOWN_COLUMN = "event-csv::unknown-column", Error, Rejected,
        "The header has several columns the event engine does not know: every row fails.",
        "The engine's column map holds each known header name at its cell, plus one single entry \
(`plugins`) for all unknown names together, and the row must have exactly as many values as the \
map has entries. With two or more unknown names (typos, a wrong case such as `resourceId` for \
`resourceID`) a row as wide as the header has more values than the map has entries, and fails \
with \"The number of values is not equal to the number of columns. Event will not be created.\" \
Use only the 18 known names, exactly.";
    UNKNOWN_COLUMN_IGNORED = "event-csv::unknown-column-ignored", Warning, Silent,
        "The last header cell is the only unknown column: its values are dropped.",
        "One unknown header name is counted as one column (the `plugins` entry, which the engine \
puts after the known ones), so rows still have the right number of values. When that column is \
the last one, the values pair with their own columns and the unknown column's value goes to a \
key named `Array` that nothing reads: it is dropped without a word.";
    COLUMNS_SHIFTED = "event-csv::columns-shifted", Error, Silent,
        "One unknown column before known ones: every later value lands in the column to its left.",
        "The engine pairs a row's values, in order, with its column map, and the map holds the \
known names in header order followed by one entry for the unknown ones. With exactly one unknown \
name that is not the last cell, the counts still match, so nothing is reported for the header: \
the value under each known column right of it is read as the previous column's value, and the \
last value is lost. kbulk reads every row the way the server pairs it, so the findings on the \
rows show what the server then sees (often a missing eventOrganizerId or an invalid \
templateEntryType). Fix the column name.";
    DUPLICATE_COLUMN = "event-csv::duplicate-column", Warning, Silent,
        "The header names a column twice; the later cell wins.",
        "A repeated column name is one entry of the column map: the later position's value is \
used on every row and the earlier one is lost.";
    COLUMN_COUNT = "event-csv::column-count", Error, Rejected,
        "The row does not have as many fields as the header.",
        "Every row must have exactly as many fields as the header: no missing and no trailing \
commas. Otherwise the row fails with \"The number of values is not equal to the number of \
columns. Event will not be created.\" Quote values that contain commas.";
    ACTION = "event-csv::action", Error, Rejected,
        "The action is not 1: the event CSV only adds events.",
        "The event CSV engine supports creation only: an action that is missing or not equal to \
1 fails the row with \"Invalid action type value ... passed. Only action type 1 (ADD) is \
supported at this time.\" Updates and cancels go through iCal (by UID) or the API.";
    REQUIRED = "event-csv::required", Error, Rejected,
        "A required value is empty.",
        "action, eventType, title, startTime, eventOrganizerId and contentOwnerId must be given; \
empty or `0` counts as missing (PHP `empty`). Each missing one adds \"Value for ... must be \
specified!\" to the row's error and the event is not created.";
    EVENT_TYPE = "event-csv::event-type", Error, Rejected,
        "eventType is not 1 (record) or 2 (live stream).",
        "The design note allows 1 (RECORD) and 2 (LIVE_STREAM); the code also builds 4 (MEETING) \
and 5 (LIVE_REDIRECT), which are undocumented (a warning). Any other value fails with \"Invalid \
scheduled event type: ...\" when the row is executed.";
    TEMPLATE_ENTRY_TYPE = "event-csv::template-entry-type", Error, Rejected,
        "templateEntryType is not `media` or `live`: the row fails after its event was created.",
        "The template entry is created after the event: an invalid or empty templateEntryType \
fails the row with \"Invalid template entry type: ...\" only then. The bulk log reports the row \
as failed, but the event it already added stays behind, linked to the resource, with no template \
entry (the result's objectId names it). Write `media` or `live` (case-sensitive).";
    NO_RESOURCE = "event-csv::no-resource", Error, Rejected,
        "Neither resource nor resourceID is given.",
        "Each event is linked to a schedule resource, named by system name (`resource`) or id \
(`resourceID`, capital ID). Without both the row fails with \"Neither the resource system name \
nor the resource ID were specified. Event was not created.\"";
    BOTH_RESOURCES = "event-csv::both-resources", Warning, Silent,
        "Both resource and resourceID are given; resourceID wins.",
        "When both columns have a value the engine looks the resource up by id and ignores the \
system name. If they name different resources, the event is linked to the id's.";
    CATEGORY_CONFLICT = "event-csv::category-conflict", Warning, Silent,
        "Both categoryIds and categoryPaths are given: no category is linked.",
        "With both columns filled the event is still created but without any category, and the \
row's description says \"Please use categoryIds OR categoryPaths, and not both. Event category \
association will not be created.\" Use one of the two.";
    RECURRENCE_SYNTAX = "event-csv::recurrence-syntax", Warning, Silent,
        "A recurrence part is not `KEY=VALUE` as the engine splits it: PHP warns and ignores it.",
        "The recurrence string is `KEY=VALUE` parts separated by commas, multi-values separated by \
`;` (`FREQ=WEEKLY,BYDAY=MO;WE,COUNT=10`). The engine splits each part with `list($key, $value) = \
explode('=', trim($part))`: a part without `=` (an empty part after a trailing comma, `COUNT 10`) \
raises a PHP warning and is ignored, spaces around `=` make the key `BYDAY ` that no case matches, \
and a second `=` cuts the value. The job goes on, without that part: the series is not the one \
written (a lost COUNT leaves it unbounded, a lost BYDAY changes its days). Only a bare `FREQ` \
without `=` is worse: `constant()` on an empty name crashes the job (event::recurrence-frequency).";
    RECURRENCE_IGNORED_KEY = "event-csv::recurrence-ignored-key", Warning, Silent,
        "The recurrence string has a key the engine ignores.",
        "Only FREQ, INTERVAL, BYMONTHDAY, BYMONTH, BYDAY, BYSETPOS and COUNT are read. UNTIL (use \
endTime), WKST, BYHOUR, BYMINUTE, BYYEARDAY, BYWEEKNO, misspelt keys and keys with spaces around \
`=` are silently ignored.";
    COUNT_CLEARED = "event-csv::count-cleared", Warning, Silent,
        "COUNT is cleared because endTime is set.",
        "For a recurring row, endTime becomes the recurrence's `until` and the engine clears \
`count`. A row with both COUNT and endTime therefore ends at endTime, not after COUNT \
occurrences.";
    INVALID_TIME = "event-csv::invalid-time", Error, Rejected,
        "startTime or endTime is not a time strtotime reads.",
        "The engine passes the cell to PHP `strtotime` and sends what it returns. `strtotime` \
reads ISO 8601, `@` Unix times, `m/d/Y` (slashes: month first), `d-m-Y` and `d.m.Y` (day \
first), `Y/m/d`, month names (`1 July 2027`, `July 1, 2027`, `Thu, 01 Jul 2027 10:00:00 +0200`) \
and 12- or 24-hour clocks; it returns false for a month above 12 (`31/12/2027` in slashes), \
for words it does not know and for other shapes, and the row then fails on the missing or \
zero date. kbulk reports the forms above as strtotime reads them and this code for the rest: \
write ISO 8601 with an explicit offset.";
    TIME_OFFSET = "event-csv::time-offset", Warning, Silent,
        "A time has no explicit offset: the batch server's zone applies.",
        "`strtotime` reads a time without offset in the batch server's default zone, which the \
uploader neither sees nor controls. kbulk assumes UTC. Write an explicit offset (`Z` or \
`+02:00`).";
    INVALID_DURATION = "event-csv::invalid-duration", Error, Rejected,
        "duration is not a whole number of seconds.",
        "The `duration` column is the length of each occurrence in seconds, as an integer. Other \
values are sent as they are and fail the API's integer validation.";
    RECURRENCE_NO_FREQUENCY = "event-csv::recurrence-no-frequency", Error, Rejected,
        "The recurrence string has no FREQ part: the API rejects the null frequency.",
        "The engine calls `constant()` only for a part whose key is exactly `FREQ`. A recurrence \
without one (no FREQ at all, or `FREQ = DAILY` whose key is `FREQ `) is sent with a null \
frequency, and the API rejects the event with PROPERTY_VALIDATION_CANNOT_BE_NULL \"The property \
\\\"frequency\\\" cannot be null\". Start the string with `FREQ=DAILY` (or WEEKLY, MONTHLY, ...).";
    CATEGORY_PAGE = "event-csv::category-page", Warning, Silent,
        "More than 30 categories: the engine's lookup returns 30 and drops the others.",
        "The engine resolves categoryIds (`idIn`) or categoryPaths (`fullNameIn`) with one \
`category.list` call and no pager, so it gets the API's default page of 30 categories (and an \
`in` filter keeps only its first 500 values). The event and its template entry are linked only \
to the categories on that page; the others are dropped without a word. Which 30 depends on the \
account's categories (`--against` would be needed to name them). Keep each row to 30 categories.";
    DATE_ORDER = "event-csv::date-order", Warning, Silent,
        "A numeric date whose day and month can be swapped: strtotime's reading is named.",
        "PHP `strtotime` reads `03/04/2027` month first (March 4, American order) but \
`03-04-2027` and `03.04.2027` day first (3 April). A sheet exported in another locale can \
therefore be read with day and month swapped, and nothing reports it. kbulk reads the date as \
strtotime does and names the date it becomes; write ISO 8601 (`2027-04-03T10:00:00Z`).";
    DATE_ROLLOVER = "event-csv::date-rollover", Error, Silent,
        "A day past the end of its month: strtotime rolls it over into the next month.",
        "PHP `strtotime` accepts any day from 0 to 31 in any month and carries the excess into the \
next month: `02/31/2027` becomes 3 March 2027, `2027-04-31` becomes 1 May, day 0 the last day \
of the previous month. The event is silently created on that other date, with nothing in the \
bulk log, and the checks that follow (end before start, duration) see the rolled date, as kbulk \
does. Write the date that is meant.";
    HOUR_ROLLOVER = "event-csv::hour-rollover", Warning, Silent,
        "Hour 24 with minutes (`24:30`): strtotime carries it into 00:30 of the next day.",
        "PHP `strtotime` accepts an hour of 24 with any minute and second. `24:00` is the end of \
the day (midnight of the next, as in ISO 8601), but `24:30` is 00:30 on the next day: the event \
is created on that date, with nothing in the bulk log, and the checks that follow (end before \
start, duration) see the moved time, as kbulk does. Write the next day's date and a time from \
00:00 to 23:59.";
    COMMENT_LOOKS_LIKE_DATA = "event-csv::comment-looks-like-data", Warning, Silent,
        "A row whose first cell starts with `#` is skipped as a comment, but it looks like data.",
        "Every Kaltura CSV engine, the event engine included, looks only at the first cell, after \
trimming, and quoting does not protect it: a row whose first value begins with `#` is a comment \
and vanishes without a result. kbulk warns when such a row has as many cells as the header or \
several non-empty cells.";
    ROW_TAKEN_AS_HEADER = "event-csv::row-taken-as-header", Error, Silent,
        "A row whose first cell starts with `*` replaces the column map.",
        "Any row whose first cell starts with `*` (after trimming, quoted or not) is a header for \
every Kaltura CSV engine: it is not imported, and every following row is read with its cells as \
column names. kbulk reports it when none of its cells is an event CSV column.";
    RELATIVE_TIME = "event-csv::relative-time", Error, Silent,
        "startTime or endTime is a relative phrase: strtotime reads it against the job's run time.",
        "PHP `strtotime` accepts phrases such as `tomorrow 10:00`, `next monday` or `+1 week` \
and reads them relative to the moment the batch worker processes the row, which can be hours \
or days after the upload (jobs wait in a queue and resume in runs). The event is created at \
whatever time that gives, without a word. Write absolute times in ISO 8601 with an offset.";
}
