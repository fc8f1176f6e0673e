//! Diagnostic codes for user rows (`user::`): the user engine's messages (of which only the last
//! one reaches the results), group membership and the API's uniqueness.
crate::codes! {
    ID_REQUIRED = "user::id-required", Error, Rejected,
        "The row has neither `userId` nor `externalId`.",
        "The user engine fails such a row with 'Mandatory Column [userId] missing from CSV.'.";
    INVALID_DATE_OF_BIRTH = "user::invalid-date-of-birth", Error, Rejected,
        "`dateOfBirth` is not `YYYY-MM-DD`.",
        "The engine checks the date against `YYYY-MM-DD` (years starting with 1 or 2) and fails the \
row with \"Format of property dateOfBirth is incorrect [{v}].\".";
    INVALID_GENDER = "user::invalid-gender", Error, Rejected,
        "`gender` is not 0 (unknown), 1 (male) or 2 (female).",
        "The engine accepts only 0 (unknown), 1 (male) and 2 (female) and fails any other row \
with \"Wrong value passed for property gender [{v}]\".";
    INVALID_GROUP_MODE = "user::invalid-group-mode", Error, Rejected,
        "`groupUserCreationMode` is not 1 (manual) or 2 (automatic).",
        "The engine accepts only 1 (manual) and 2 (automatic, the default) and fails any other \
row with \"Wrong value passed for property groupUserCreationMode [{v}]\".";
    LAST_MESSAGE_WINS = "user::last-message-wins", Note, Advice,
        "The row has several errors; the bulk results will show only the last one.",
        "The user engine validates every rule and overwrites the error description each time, so \
the results file shows only the last failure of a row. kbulk lists each; fix them all before \
uploading again.";
    GROUP_REMOVAL = "user::group-removal", Note, Advice,
        "`group` starts with `-`: the row removes the user from that group.",
        "A leading `-` (for example `-group1`) makes the engine remove the user's membership of \
the group user `group1` instead of adding it (the server writes such rows itself for group \
sync). Check that a removal is meant.";
    EMPTY_GROUP = "user::empty-group", Error, Rejected,
        "`group` is just `-`: there is no group to remove the user from.",
        "After the leading `-` the group id is empty; the engine asks to remove the user from the \
group user `` and the API refuses it with GROUP_USER_NOT_FOUND \"Group user was not found\".";
    UNKNOWN_ACTION = "user::unknown-action", Error, Silent,
        "The action is not 1, 2, 3 or 6: the row does nothing.",
        "The engine sets \"Unknown action passed: [{action}]\" but the row is never sent nor \
reported. Use 1 (add), 2 (update), 3 (delete) or 6 (add or update).";
    DUPLICATE_USER = "user::duplicate-user", Error, Rejected,
        "Two rows add the same `userId`: the second add fails.",
        "User ids are unique per partner; the second add fails with DUPLICATE_USER_BY_ID \"User \
with id [{id}] already exists in system\". Use action 2 (update) or 6 for the later row.";
    MAX_RECORDS = "user::max-records", Error, Rejected,
        "The file has more rows than the job's `maxRecords` (1000 in Kaltura's shipped configuration).",
        "Rows past the limit fail with \"Exeeded max records count per bulk\" (sic). Split the file.";
}
