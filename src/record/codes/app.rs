//! Diagnostic codes for App Registry applications (App JSON Lines, App CSV, `kind: app` records).
crate::codes! {
    UNKNOWN_FIELD = "app::unknown-field", Warning, Silent,
        "A field (JSON key or CSV column) is not part of the App entity; its value is dropped.",
        "The App Registry knows appCustomId, appCustomName, appType, organizationDomain \
(organizationId, domain) and the read-only id, partnerId, status, version, createdAt, updatedAt \
and objectType; kbulk adds `action` (upsert or delete). Any other name, including a different \
case (`appcustomid`) or a nested field spelt without its parent (`domain` instead of \
`organizationDomain.domain` in a CSV header), is not sent: its value is silently lost. Rename \
the field to the contract's spelling.";
    WRONG_TYPE = "app::wrong-type", Error, Rejected,
        "A field has the wrong JSON type (a number where text is expected, an object that is not one).",
        "Every App field the service takes is a string, except organizationDomain (an object) and \
the read-only partnerId and version (integers). The service answers a value of another type \
with HTTP 400 VALIDATION_ERROR (\"appCustomId must be a string\"). Quote numbers that are \
identifiers (\"12345\"), and write organizationDomain as an object with organizationId and \
domain.";
    CUSTOM_ID_REQUIRED = "app::custom-id-required", Error, Rejected,
        "The app has no `appCustomId` (or it is empty).",
        "appCustomId is required on add (\"appCustomId is required\", HTTP 400 VALIDATION_ERROR) \
and is the key kbulk upserts and deletes by: without it nothing can tell whether the app exists \
already, so the row cannot be submitted.";
    NAME_REQUIRED = "app::name-required", Error, Rejected,
        "The app has no `appCustomName` (or it is empty).",
        "appCustomName is required when an app is registered (\"appCustomName is required\", HTTP \
400 VALIDATION_ERROR). kbulk upserts, so any row that is not a delete may add its app and must \
carry the display name.";
    TYPE_REQUIRED = "app::type-required", Error, Rejected,
        "The app has no `appType` (or it is empty).",
        "appType is required when an app is registered (\"appType is required\", HTTP 400 \
VALIDATION_ERROR). kbulk upserts, so any row that is not a delete may add its app and must say \
its type (kms, kmc, ep, sites, pitch, test, games, empAccount, epmEvent, epmSystem, mr, \
kalturaServer).";
    UNKNOWN_TYPE = "app::unknown-type", Error, Rejected,
        "`appType` is not one of the App Registry's types (case-sensitive).",
        "The service accepts exactly kms, kmc, ep, sites, pitch, test, games, empAccount, \
epmEvent, epmSystem, mr and kalturaServer (seed §4.1); anything else, including `KMS` or \
`empaccount`, fails with HTTP 400 VALIDATION_ERROR \"appType must be one of the following \
values: ...\".";
    UNKNOWN_STATUS = "app::unknown-status", Error, Rejected,
        "`status` is not `enabled` or `disabled`.",
        "An app's status is `enabled` or `disabled`; kbulk sets it with the enable and disable \
endpoints after adding or updating the app. Any other value (`active`, `Enabled`, `0`) cannot be \
applied.";
    UNKNOWN_ACTION = "app::unknown-action", Error, Rejected,
        "`action` is not `upsert` or `delete`.",
        "kbulk's `action` field says what to do with an app: `upsert` (the default when the field \
is absent or empty: add it when no app has its appCustomId, update it when it differs, leave it \
alone when it is equal) or `delete` (remove the app with that appCustomId). Nothing else is \
understood, and a delete is never guessed.";
    EMPTY_VALUE = "app::empty-value", Error, Rejected,
        "A text field is present but empty or blank.",
        "The service refuses empty strings for the fields it validates (\"organizationId should not \
be empty\", HTTP 400 VALIDATION_ERROR). Leave the field out (an empty CSV cell is read as absent \
for optional fields) or give it a value.";
    DOMAIN_REQUIRED = "app::domain-required", Error, Rejected,
        "`organizationDomain` is given without a `domain` (or one of only commas and spaces).",
        "In an organizationDomain binding, domain is required and organizationId is optional (seed \
§4.2). A binding with only an organizationId fails with \"organizationDomain.domain is \
required\" (HTTP 400 VALIDATION_ERROR); a domain of only commas and spaces, which the service \
strips to nothing, fails with \"organizationDomain.domain should not be empty\".";
    DOMAIN_LENGTH = "app::domain-length", Error, Rejected,
        "`organizationDomain.domain` is longer than 255 characters.",
        "The service limits the domain list to 255 characters (\"organizationDomain.domain must be \
shorter than or equal to 255 characters\"). Split a long list of domains over several apps.";
    ORGANIZATION_ID_LENGTH = "app::organization-id-length", Error, Rejected,
        "`organizationDomain.organizationId` is longer than 255 characters.",
        "The service limits organizationId to 255 characters (\"organizationDomain.organizationId \
must be shorter than or equal to 255 characters\", HTTP 400 VALIDATION_ERROR).";
    DOMAIN_WHITESPACE = "app::domain-whitespace", Warning, Silent,
        "`organizationDomain.domain` contains whitespace, which the service strips without a word.",
        "The App Registry removes every whitespace character from the domain before storing it, so \
`example.com, other.com` is stored as `example.com,other.com` and `exam ple.com` as \
`example.com`. A space inside a name usually hides a typo; the stored value differs from the \
file's, and a later comparison or findByOrganizationDomain search uses the stripped text.";
    EMPTY_DOMAIN_PART = "app::empty-domain-part", Warning, Silent,
        "The comma-separated domain list has an empty part (`a.com,,b.com`, a trailing comma).",
        "The service validates and matches each comma-separated domain separately and skips empty \
parts; an empty part usually means a domain was lost while the list was edited.";
    DUPLICATE_CUSTOM_ID = "app::duplicate-custom-id", Error, Rejected,
        "Two rows of the file have the same `appCustomId`.",
        "appCustomId is unique per partner. kbulk upserts by it, so a second row with the same \
appCustomId would overwrite the first one's values (or, when both add, fail with \
APP_REGISTRY_ALREADY_EXISTS_WITH_THIS_APP_CUSTOM_ID). Keep one row per app.";
    DUPLICATE_DOMAIN = "app::duplicate-domain", Error, Rejected,
        "Two apps of the file bind the same organizationId + domain + appType.",
        "The combination of organizationId, each comma-separated domain and appType must be \
globally unique (seed §5). The second app fails with \
ORGANIZATION_ID_DOMAIN_AND_APP_TYPE_MUST_BE_UNIQUE. Each domain of a list is compared on its own, \
after whitespace is stripped.";
    DOMAIN_TAKEN = "app::domain-taken", Error, Rejected,
        "Another app on the server already binds this organizationId + domain + appType.",
        "Checked with --against: an app with a different appCustomId already holds the same \
organizationId, domain and appType, so this app fails with \
ORGANIZATION_ID_DOMAIN_AND_APP_TYPE_MUST_BE_UNIQUE. Change the binding, or move it off the other \
app first.";
    DELETE_MISSING = "app::delete-missing", Warning, Advice,
        "A delete row names an appCustomId that the server does not hold.",
        "Checked with --against: no app of the partner has this appCustomId, so there is nothing \
to delete (the service would answer OBJECT_NOT_FOUND for its id). kbulk reports the row as \
failed with OBJECT_NOT_FOUND; check the identifier.";
    ID_MISMATCH = "app::id-mismatch", Warning, Advice,
        "The row's `id` is not the id of the server's app with this appCustomId.",
        "Checked with --against: kbulk finds apps by appCustomId, and the server's app with that \
appCustomId has another GUID than the row's id. The row will change the server's app, not the one \
its id names; the file may come from another partner or region.";
}
