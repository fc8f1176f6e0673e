//! Diagnostic codes for schedule-event CSVs as `BulkUploadScheduleEventCsvEngine` reads them.
crate::codes! {
    NO_HEADER = "event-csv::no-header", Error, Job,
        "An event CSV row comes before any `*` header: the job crashes.",
        "The event CSV engine builds its column map from the `*` header only. Without one the map \
is null and `count(null)` throws a TypeError on PHP 8, which the engine does not catch: the \
worker crashes and the job fails. Start the file with the 18-column header.";
    UNKNOWN_COLUMN = "event-csv::unknown-column", Error, Rejected,
        "The header names a column the event engine does not know: every row fails.",
        "The engine's column map counts each known header name, plus one single entry when any \
unknown name exists, and then pairs values positionally with `array_combine`. An unknown column \
(a typo, a wrong case such as `resourceId` for `resourceID`) makes the counts differ, and every \
row fails with \"The number of values is not equal to the number of columns. Event will not be \
created.\" Use only the 18 known names, exactly.";
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
    TEMPLATE_ENTRY_TYPE = "event-csv::template-entry-type", Error, Silent,
        "templateEntryType is not `media` or `live`: the event is created without its entry.",
        "The template entry is created after the event: an invalid or empty templateEntryType \
fails with \"Invalid template entry type: ...\" only then, leaving an orphan event linked to the \
resource but with no template entry. Write `media` or `live` (case-sensitive).";
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
    RECURRENCE_SYNTAX = "event-csv::recurrence-syntax", Error, Job,
        "The recurrence string cannot be read as the engine reads it.",
        "The recurrence string is `KEY=VALUE` parts separated by commas, multi-values separated by \
`;` (`FREQ=WEEKLY,BYDAY=MO;WE,COUNT=10`). Keys are case-sensitive and spaces around `=` are not \
removed. An unknown or lower-case FREQ value makes PHP 8 throw an Error that crashes the job; a \
part without `=` raises a PHP warning and is ignored.";
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
        "startTime or endTime is not a time kbulk can read.",
        "The engine passes the cell to PHP `strtotime`. kbulk reads ISO 8601 (`2027-07-01T10:00:00Z`, \
`2027-07-01 10:00:00+02:00`), `@` Unix times and plain Unix seconds; other strtotime phrases \
are ambiguous (and `strtotime` returns false for many): write ISO 8601 with an explicit offset.";
    TIME_OFFSET = "event-csv::time-offset", Warning, Silent,
        "A time has no explicit offset: the batch server's zone applies.",
        "`strtotime` reads a time without offset in the batch server's default zone, which the \
uploader neither sees nor controls. kbulk assumes UTC. Write an explicit offset (`Z` or \
`+02:00`).";
    INVALID_DURATION = "event-csv::invalid-duration", Error, Rejected,
        "duration is not a whole number of seconds.",
        "The `duration` column is the length of each occurrence in seconds, as an integer. Other \
values are sent as they are and fail the API's integer validation.";
}
