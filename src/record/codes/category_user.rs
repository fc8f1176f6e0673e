//! Diagnostic codes for category-user (`category-user::`) and category-entry
//! (`category-entry::`) rows: the two engines' messages and defects.
crate::codes! {
    USER_REQUIRED = "category-user::user-required", Error, Rejected,
        "The row has no `userId`.",
        "A membership needs the user it is about: the category-user engine fails a row without \
`userId` with \"Missing mandatory parameter userId\".";
    CATEGORY_REQUIRED = "category-user::category-required", Error, Rejected,
        "The row has neither `categoryId` nor `categoryReferenceId`.",
        "A membership needs its category, by id or by reference id: without either the engine \
fails the row with \"Missing mandatory parameter categoryId\".";
    INVALID_STATUS = "category-user::invalid-status", Error, Rejected,
        "`status` is not 1 (active), 2 (pending), 3 (not active) or 4 (deleted).",
        "The engine accepts status 1 (active), 2 (pending), 3 (not active) and 4 (deleted) and \
fails any other row with \"Wrong value passed for property status.\".";
    PENDING_IGNORED = "category-user::pending-ignored", Warning, Silent,
        "`status` 2 (pending) is dropped by the engine.",
        "The engine keeps only status values other than 2: a pending membership is created with \
the API's default status instead.";
    INVALID_PERMISSION = "category-user::invalid-permission", Error, Rejected,
        "`permissionLevel` is not 0–4.",
        "The engine accepts permissionLevel 0 (manager) to 4 (none) and fails any other row with \
\"Wrong value passed for property permissionLevel.\".";
    NONE_PERMISSION = "category-user::none-permission", Error, Rejected,
        "`permissionLevel` 4 (NONE) is refused.",
        "The engine fails the row with \"NONE permission (4) level is not allowed. Users without \
permissions should not be added to categories. Use allowed permission value\".";
    INVALID_UPDATE_METHOD = "category-user::invalid-update-method", Error, Rejected,
        "`updateMethod` is not 0 (manual) or 1 (automatic).",
        "The engine accepts updateMethod 0 (manual) and 1 (automatic, the default) and fails any \
other row with \"Wrong value passed for property updateMethod.\".";
    LAST_MESSAGE_WINS = "category-user::last-message-wins", Note, Advice,
        "The row has several errors; the bulk results will show only the last one.",
        "The category-user engine overwrites the row's error description at each failed rule, so \
the results show only the last one. kbulk lists each.";
    UNKNOWN_ACTION = "category-user::unknown-action", Error, Silent,
        "The action is not 1, 2, 3 or 6: the row does nothing.",
        "Such a row gets \"Unknown action passed: [{action}]\" and is never reported: it \
silently does nothing. Use 1 (add), 2 (update), 3 (delete) or 6 (add or update).";
    DUPLICATE_MEMBER = "category-user::duplicate-member", Error, Rejected,
        "Two rows add the same user to the same category: the second fails.",
        "A user is a member of a category once; the second add fails with \
CATEGORY_USER_ALREADY_EXISTS \"CategoryUser already exists\". Use action 2 or 6.";
    MAX_RECORDS = "category-user::max-records", Error, Rejected,
        "The file has more rows than the job's `maxRecords`.",
        "Rows past the limit fail with \"Exceeded max records count per bulk\" (spelt correctly in \
this engine). Split the file.";
    ENTRY_MISSING_COLUMN = "category-entry::missing-column", Error, Rejected,
        "The row has no `entryId` or no `categoryId`.",
        "Activating or rejecting needs both the entry and the category: the category-entry \
engine fails a row missing either with 'Mandatory Column missing from CSV'.";
    ENTRY_UNKNOWN_ACTION = "category-entry::unknown-action", Error, Silent,
        "The action is not 7 (activate) or 8 (reject): the row does nothing.",
        "Such a row gets \"Unknown action passed: [{action}]\" and is never reported (the same \
defect as the resource engine's). Use 7 or 8, or leave the action empty (7).";
    ENTRY_LIMIT_NOT_ENFORCED = "category-entry::limit-not-enforced", Note, Advice,
        "The file has more rows than `maxRecords`, which this engine does not enforce.",
        "The category-entry engine evaluates the limit only for rows that already miss a column, \
so a longer file is processed in full (kaltura-formats §7.4). Other jobs' limits do not apply.";
    ENTRY_DUPLICATE = "category-entry::duplicate", Warning, Advice,
        "The same entry and category appear on two rows.",
        "The later row acts on a category entry the earlier one already activated or rejected: \
the API answers CANNOT_ACTIVATE_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING or \
CANNOT_REJECT_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING.";
}
