//! Diagnostic codes for category rows (`category::`): the category engine's own messages, the
//! API's name and enum rules, and the PHP 8 crash after an invalid row.
crate::codes! {
    NAME_REQUIRED = "category::name-required", Error, Rejected,
        "A row that adds a category has no name.",
        "Adding (action 1, or empty, or 6 without a category to update) needs the category's own \
name; the engine fails the row with \"Mandatory Column [name] missing from CSV.\".";
    MISSING_TARGET = "category::missing-target", Error, Rejected,
        "An update or delete names neither `categoryId` nor `referenceId`.",
        "Update (2) and delete (3) rows must say which category they change. Without either id the \
engine reports \"Mandatory parameters missing for action [2] - categoryId/referenceId\" (update) \
or \"Mandatory parameters missing for action [3]\" (delete).";
    UNKNOWN_ACTION = "category::unknown-action", Error, Silent,
        "The action is not 1, 2, 3 or 6: the row vanishes from the results.",
        "The engine sets \"Unknown action passed: [{action}]\" on such a row but never reports the \
result (kaltura-formats §9.4): the row silently does nothing. Use 1 (add), 2 (update), 3 \
(delete) or 6 (add or update).";
    INVALID_NAME = "category::invalid-name", Error, Rejected,
        "The category name is longer than 200 characters or contains `<`, `>` or `,`.",
        "The API requires category names of 1 to 200 characters without `<`, `>` or `,` (`>` \
separates levels of a full name). It fails the row with \"Category name contains invalid chars.\" \
(CATEGORY_NAME_CONTAINS_INVALID_CHARS) or \"The property \\\"name\\\" cannot have more than 200 \
characters\".";
    INVALID_ENUM = "category::invalid-enum", Error, Rejected,
        "An enum column holds a value outside its enum.",
        "The engine copies privacy (1, 2, 3), appearInList (1, 3), contributionPolicy (1, 2), \
inheritanceType (1, 2) and defaultPermissionLevel (0–4) as written and the API refuses other \
values with INVALID_ENUM_VALUE \"Invalid enumeration value \\\"{v}\\\" for parameter \
\\\"{name}\\\", expecting enumeration type \\\"{type}\\\"\".";
    USER_JOIN_POLICY = "category::user-join-policy", Error, Rejected,
        "`userJoinPolicy` is filled in: the API refuses it (the property is read-only).",
        "KalturaCategory.userJoinPolicy is `@readonly` in the API, but the batch client sends it \
whenever the column has a value, so the row most likely fails with \
PROPERTY_VALIDATION_NOT_UPDATABLE \"The property \\\"userJoinPolicy\\\" cannot be updated\" \
(kaltura-formats §7.1). Leave the column empty and set the join policy in the KMC.";
    JOB_CRASH = "category::job-crash", Error, Job,
        "An invalid row makes the whole job crash on PHP 8, after earlier rows were created.",
        "The category engine reports a row rejected while parsing, but also appends `null` to its \
work list; when it then creates the categories, setting a property on that `null` is an uncaught \
`Error` on PHP 8 (a warning on PHP 7). The worker dies after the rows before it were already \
created: their results are lost and a retry creates them again (duplicates). Fix every invalid \
row before uploading a category file (kaltura-formats §7.1).";
    PARENT_AFTER_CHILD = "category::parent-after-child", Error, Rejected,
        "`relativePath` names a category that a later row of the file adds.",
        "The engine runs rows one by one in file order and resolves `relativePath` when it reaches \
the row, so a parent added further down does not exist yet: the row fails with \"Parent category \
not found for full name [{path}]\". Put parents before their children. (`kbulk submit` orders \
them itself.)";
    DUPLICATE_CATEGORY = "category::duplicate-category", Error, Rejected,
        "Two rows add the same full name: the second add fails.",
        "Full names (`relativePath>name`) are unique per partner; the second add of the same one \
fails with DUPLICATE_CATEGORY \"The category \\\"{name}\\\" already exists\".";
    REFERENCE_UPDATE = "category::reference-update", Note, Advice,
        "An update or delete by `referenceId` looks under `relativePath` only.",
        "Without `categoryId`, the engine looks the category up with referenceIdEqual and \
fullNameStartsWith = relativePath; an empty relativePath searches the whole partner. When \
nothing matches the row fails with \"Category reference ID not found under the provided \
relativePath\".";
    MAX_RECORDS = "category::max-records", Error, Rejected,
        "The file has more rows than the job's `maxRecords` (1000 in Kaltura's shipped configuration).",
        "Rows past the limit fail with \"Exeeded max records count per bulk\" (sic). Split the file.";
}
