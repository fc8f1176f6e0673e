//! Diagnostic codes for schedule events whatever the file format (iCal, event CSV, JSON Lines):
//! the API's validation of each event and the file-level matching rules.
crate::codes! {
    SUMMARY_REQUIRED = "event::summary-required", Error, Rejected,
        "The event has no summary (iCal SUMMARY, CSV title).",
        "`summary` is mandatory in the Kaltura API (`KalturaScheduleEvent::validateForInsert`). \
An iCal VEVENT without SUMMARY, or with an empty one, is sent without it and the add fails with \
PROPERTY_VALIDATION_CANNOT_BE_NULL. Give every event a title of 1 to 256 characters.";
    SUMMARY_LENGTH = "event::summary-length", Error, Rejected,
        "The summary is longer than 256 characters.",
        "The API limits an event's summary to 1–256 characters; a longer SUMMARY (or CSV title) \
fails validation and the event is not created. Shorten it, and put the rest in DESCRIPTION.";
    START_REQUIRED = "event::start-required", Error, Rejected,
        "The event has no start time.",
        "Every event needs a `startDate`. Without DTSTART (or CSV startTime), or with one the \
server cannot read, the API rejects the event with START_TIME_AND_LINKED_TO_NOT_SET.";
    END_REQUIRED = "event::end-required", Error, Rejected,
        "A single (non-recurring) event has no end time.",
        "For an event without RRULE the server sets recurrenceType NONE and the API then requires \
`endDate`. A DURATION alone is not turned into an end date for single events, so a VEVENT with \
DTSTART and DURATION but no DTEND fails with \"The property ... endDate ... cannot be null\". \
Write DTEND (kbulk convert does it for you).";
    END_BEFORE_START = "event::end-before-start", Error, Rejected,
        "The event ends before it starts.",
        "The API checks `endDate >= startDate` and rejects the event with \
INVALID_SCHEDULE_END_BEFORE_START \"End time [...] must be after start time [...]\". Swapped \
DTSTART/DTEND, or a DTEND written in another zone than DTSTART, are the usual causes.";
    DURATION_LIMIT = "event::duration-limit", Error, Rejected,
        "An occurrence or the whole event is longer than the server allows.",
        "The API limits one occurrence to `max_single_schedule_event_duration` (86,400 s by \
default; 3 days for meetings, 5 years for live redirects) and the whole event, all occurrences \
included, to `max_schedule_event_duration` (2 years). Longer events fail with \
MAX_SCHEDULE_DURATION_REACHED \"Maximum schedule duration [...] reached\". Split long recordings, \
and end series within two years.";
    RECURRENCE_FREQUENCY = "event::recurrence-frequency", Error, Job,
        "The recurrence has no valid upper-case FREQ.",
        "The server turns FREQ into a constant with PHP `constant()`: only SECONDLY, MINUTELY, \
HOURLY, DAILY, WEEKLY, MONTHLY and YEARLY, in upper case, exist. A missing, misspelt or \
lower-case FREQ throws a PHP Error on PHP 8 that the engine does not catch: the batch worker \
crashes and the whole job fails (PHP 7 sends a null frequency and the event fails with \"The \
property \\\"frequency\\\" cannot be null\").";
    RECURRENCE_BOUND = "event::recurrence-bound", Error, Rejected,
        "The recurrence does not have exactly one of COUNT and UNTIL.",
        "The API requires a recurrence to be bounded by exactly one of `until` and `count` \
(PROPERTY_VALIDATION_ALL_MUST_BE_NULL_BUT_ONE \"Only one of the passed properties: until / count \
should not be null\"). An open-ended RRULE, or one with both COUNT and UNTIL, is rejected. In the \
event CSV, an endTime clears COUNT, so a recurring row needs COUNT in its recurrence string or an \
endTime, not neither.";
    RECURRENCE_UNTIL = "event::recurrence-until", Error, Rejected,
        "UNTIL is before the end of the first occurrence.",
        "The API rejects a recurrence whose `until` comes before the first occurrence has ended \
(PROPERTY_VALIDATION_NOT_VALID \"The property \\\"Recurrence::until\\\" is not valid\").";
    RECURRENCE_DURATION = "event::recurrence-duration", Error, Rejected,
        "A recurring event has no occurrence length.",
        "A recurring event gets each occurrence's length from DURATION, or from DTEND − DTSTART. \
With neither (iCal) or with an empty `duration` (event CSV: \"Recurrence pattern cannot be \
specified without the duration for each event instance. Event was not created.\") the event is \
not created.";
    RECURRENCE_TRUNCATED = "event::recurrence-truncated", Warning, Silent,
        "The recurrence has more than 1000 occurrences; the server keeps the first 1000.",
        "Server-side expansion (`max_schedule_event_recurrences`) stops at 1000 occurrences \
without a word: later occurrences are never scheduled. kbulk expands the rule from the event's \
start to count them. Split the series, or lower COUNT/UNTIL.";
    RECURRENCE_INVALID = "event::recurrence-invalid", Warning, Silent,
        "A recurrence rule part cannot be understood.",
        "The server stores rule parts as strings and expands them later; a value that is not valid \
RFC 5545 (a BYDAY of `XX`, a COUNT that is not a number, an INTERVAL of 0) makes expansion do \
something other than intended, or nothing. kbulk could not expand this rule and names the part.";
    STATUS_READ_ONLY = "event::status-read-only", Error, Rejected,
        "STATUS is read-only in the API: the add fails.",
        "The batch client sends every non-null field, read-only ones included. `status` is \
read-only, so a textual STATUS (CONFIRMED, TENTATIVE, CANCELLED) fails with INVALID_ENUM_VALUE \
and a numeric one with PROPERTY_VALIDATION_NOT_UPDATABLE. Every event exported by Kaltura has \
STATUS, so re-importing an export fails entirely. Remove STATUS (kbulk convert --dialect kaltura \
does).";
    PARENT_ID_READ_ONLY = "event::parent-id-read-only", Error, Rejected,
        "X-KALTURA-PARENT-ID is read-only in the API: the add fails.",
        "`parentId` is read-only; the batch client still sends it and the API rejects the event \
with PROPERTY_VALIDATION_NOT_UPDATABLE. Kaltura writes X-KALTURA-PARENT-ID on the occurrences of \
a series when exporting; such occurrences carry their parent's UID and RRULE too, so they should \
not be re-imported at all: keep only the series and single events.";
    GEO_NEGATIVE = "event::geo-negative", Error, Rejected,
        "GEOLATITUDE or GEOLONGITUDE is negative; the API wants values ≥ 0.",
        "`geoLatitude` and `geoLongitude` are floats with `minValue 0` in the API, so any place \
west of Greenwich or south of the equator is rejected. Leave the coordinates out, or put the \
place in LOCATION.";
    INVALID_NUMBER = "event::invalid-number", Error, Rejected,
        "A numeric field is not a number in its range.",
        "PRIORITY must be an integer 0–9, SEQUENCE an integer ≥ 0, GEOLATITUDE/GEOLONGITUDE \
floats. Other values fail the API's type or range validation.";
    ENTRY_ID = "event::entry-id", Error, Rejected,
        "An entry id does not have the form of a Kaltura entry id.",
        "X-KALTURA-TEMPLATE-ENTRY-ID holds one entry id and X-KALTURA-ENTRY-IDS a comma-separated \
list; Kaltura entry ids look like `0_abcd1234` (a partition digit, an underscore and 8 \
alphanumerics, 10 characters). Anything else points at no entry and the API rejects it.";
    CATEGORY_IDS = "event::category-ids", Error, Rejected,
        "A category id is not an integer.",
        "X-KALTURA-CATEGORY-IDS (and the event CSV's categoryIds) is a comma-separated list of \
integer category ids. Names or paths belong in the CSV's categoryPaths column; in iCal there is \
no way to name a category by path.";
    TAGS_LENGTH = "event::tags-length", Error, Rejected,
        "The tags are 65,000 characters or longer.",
        "Kaltura's scheduling documentation limits an event's tags to under 65,000 characters in \
total; longer values are rejected or cut by the database.";
    ENTRY_LINK_IGNORED = "event::entry-link-ignored", Warning, Silent,
        "Entry links are ignored for this event type.",
        "Only RECORD and LIVE_STREAM events keep a template entry, entry ids and category ids. \
For a blackout (or other type) the server drops X-KALTURA-TEMPLATE-ENTRY-ID, X-KALTURA-ENTRY-IDS \
and X-KALTURA-CATEGORY-IDS without a word.";
    CANCEL_BY_UID = "event::cancel-by-uid", Error, Rejected,
        "A cancel names the event by UID, which the server's cancel call cannot use.",
        "For a VEVENT with METHOD:CANCEL the engine calls `scheduleEvent.cancel` with the UID, but \
that call takes the numeric event id: unless the UID is the event id, the API answers \
INVALID_OBJECT_ID \"Invalid object id [...]\". Cancel through the API instead, or use the \
numeric event id as UID.";
    EXPORTED_OCCURRENCE = "event::exported-occurrence", Error, Silent,
        "An occurrence exported from Kaltura carries its series' RRULE: re-imported it is a series.",
        "Kaltura exports each occurrence of a series with X-KALTURA-PARENT-ID and fills its empty \
fields from the parent, so it carries the series' UID and RRULE too. As the file stands the add \
is rejected (parentId is read-only); with X-KALTURA-PARENT-ID removed, the occurrence is \
silently imported as a whole series: it updates the series that has its UID (moving it to the \
occurrence's date) or, where none exists, creates a new series, with nothing in the bulk log. \
Remove the occurrences and keep only the series and single events.";
    DUPLICATE_UID = "event::duplicate-uid", Error, Silent,
        "Two events in the file share a UID.",
        "The UID is the event's referenceId, the key the server matches updates on. Two VEVENTs \
with one UID are either both added (two events with one reference id; later updates hit one of \
them at random) or both applied to the same existing event, the later overwriting the earlier. \
Give every event its own UID.";
    NO_UID_RESUME = "event::no-uid-resume", Warning, Silent,
        "Events without UID in a file of more than 101 events may be added twice.",
        "The iCal engine processes 101 events per run and resumes at the last reported index, so \
it processes the last event of each run twice. With a UID the second pass is an update of the \
event just created; without one the event is added twice. Give every VEVENT a UID, or keep files \
at 101 events or fewer.";
    UID_LOOKUP_LIMIT = "event::uid-lookup-limit", Note, Silent,
        "More than 100 UIDs: existing events may be missed and added as duplicates.",
        "The engine looks existing events up by referenceId 100 at a time, but never resets its \
list: every further UID queues a call with the whole growing list, each returning at most 100 \
events (and `in` filters keep only 500 values). When more than 100 of the file's UIDs already \
exist, some are not found and are added again instead of updated. Keep files that update \
existing events to 100 events.";
    NOT_CARRIED_FIELD = "event::not-carried-field", Warning, Silent,
        "A field of this event has no place in the target format and is left out.",
        "Conversion writes what the target format can say. An iCal event has fields the event CSV \
has no column for (location, priority, geo, entry ids, ...), and the CSV has columns iCal has no \
property for (resource, categoryPaths, co-editors, templateEntryType, ...). Such values are \
reported here, field by field, and not written.";
}
