//! Diagnostic codes of XML bulk uploads (`<mrss>`): well-formedness, security, the element
//! tree and order that Kaltura's XSD enforces, and the XML engine's whole-file behaviour.
crate::codes! {
    MALFORMED = "xml::malformed", Error, Job,
        "The file is not well-formed XML.",
        "The batch job parses the whole document before it looks at any item; a syntax error \
(an unclosed tag, a mismatched end tag, a stray `&`, invalid UTF-8) fails the entire job with \
\"Could not load xml [{jobId}], ...\" and no item is processed. kbulk stops reading at the first \
such error, since what follows cannot be interpreted reliably.";
    DOCTYPE = "xml::doctype", Error, Job,
        "The file has a DOCTYPE; kbulk refuses document type declarations.",
        "Kaltura's bulk XML never needs a DOCTYPE. A document type declaration can define entities \
that expand to gigabytes (\"billion laughs\") or read local files and URLs (external entities), \
so kbulk does not process it: entities it declares are not expanded and are reported where they \
are used. The server's libxml2 does not expand external entities either, so what they hold \
is missing and the schema validation fails the whole job. Remove the DOCTYPE.";
    UNDEFINED_ENTITY = "xml::undefined-entity", Error, Job,
        "An entity reference is neither predefined nor a character reference.",
        "Only `&lt;`, `&gt;`, `&amp;`, `&apos;`, `&quot;` and numeric character references mean \
something without a DTD. Any other `&name;` fails the whole job when libxml loads the file \
(or, with a DOCTYPE, expands to content kbulk refuses to read). Escape a literal ampersand as \
`&amp;`.";
    SCRIPT = "xml::script", Error, Job,
        "The file contains a `<script>` element: the upload is refused.",
        "When an entry bulk file has an XML or HTML MIME type, `bulkupload_bulk.addEntries` \
searches it for `<script>` elements anywhere (inside custom metadata too) and refuses the \
upload with FILE_CONTENT_NOT_SECURE \"File content contains potential security risks\": the whole \
job fails before it starts. Remove the element, or escape it as text.";
    WRONG_ROOT = "xml::wrong-root", Error, Silent,
        "The root element is not `<mrss>`: the job can succeed with zero entries.",
        "`item` and `channel` are global elements of Kaltura's schema, so a document whose root is \
not `mrss` can pass validation, produce no item at all and finish with \"Finished \
successfully\". The root must be `<mrss>` with `<channel>` and `<item>` inside.";
    UNKNOWN_ELEMENT = "xml::unknown-element", Error, Job,
        "An element the schema does not allow here.",
        "The batch validates the whole file against the bulk-upload XSD before processing and \
fails the entire job on the first violation (\"Validate files failed on job [{jobId}], ...\"). \
Element names are case-sensitive; plugin elements (customDataItems, subTitles, attachments, \
distributions, scenes, ...) are allowed only at the end of `<item>`.";
    OUT_OF_ORDER = "xml::out-of-order", Error, Job,
        "An element comes in the wrong place: the schema fixes the order of an item's children.",
        "Every complex element of the bulk XSD is an `xs:sequence`: children must appear in the \
schema's order (for an item: action, type/entryId/referenceId, userId, entitledUsers*, name, \
description, keepManualThumbnails, tags, categories, partnerData, partnerSortData, access \
control, conversion profile, startDate, endDate, template, media, msDuration, contentAssets, \
thumbnails, then plugin elements). One misplaced element fails the whole job. `kbulk convert \
--to xml` writes the canonical order.";
    TOO_MANY = "xml::too-many", Error, Job,
        "An element occurs more often than the schema allows.",
        "Most item children may appear once; `<categories>` takes at most 32 entries and cannot mix \
`<category>` with `<categoryId>`; an item takes at most two of type/entryId/referenceId groups. \
A repeat fails XSD validation and with it the whole job.";
    MISSING_ELEMENT = "xml::missing-element", Error, Job,
        "A required element is missing.",
        "The schema requires some children: `<channel>` in `<mrss>`, `<item>` in `<channel>`, \
`<mediaType>` in `<media>`, one resource element in `<content>` and `<thumbnail>`, the keys of \
`<sshUrlContentResource>`, a storage profile in `<remoteStorageContentResource>`. Without them \
validation fails the whole job.";
    UNEXPECTED_TEXT = "xml::unexpected-text", Error, Job,
        "Text inside an element that only holds elements.",
        "Elements such as `<item>`, `<tags>` or `<media>` contain only child elements; text inside \
them (other than whitespace) fails XSD validation and the whole job.";
    UNKNOWN_ATTRIBUTE = "xml::unknown-attribute", Error, Job,
        "An attribute the schema does not declare on this element.",
        "The bulk XSD declares every attribute it accepts (for example `url` on \
`urlContentResource`, `flavorParamsId`/`flavorParams`/`assetId` on `content`). Any other \
attribute fails validation and the whole job. Namespace declarations and `xsi:` attributes are \
allowed.";
    MISSING_ATTRIBUTE = "xml::missing-attribute", Error, Job,
        "A required attribute is missing.",
        "Resource elements need their key attribute: `url` on url, ssh and remote-storage \
resources, `filePath` on server-file and drop-folder resources, `entryId` on \
`entryContentResource`, `assetId` on `assetContentResource`, `type` and `trackIndex` on \
`stream`. Without it validation fails the whole job.";
    INVALID_VALUE = "xml::invalid-value", Error, Job,
        "A value does not match its schema type (enumeration, integer, boolean, date-time).",
        "The XSD types every simple value: `<action>` is exactly `add`, `update` or `delete` (lower \
case), `<type>` a KalturaEntryType, `<mediaType>` 1, 2, 5 or 201–204, ids and sizes xs:int \
(−2147483648 to 2147483647), flags xs:boolean (true, false, 1, 0), dates xs:dateTime \
(`2026-05-01T09:00:00`, optional zone). Any other value fails validation and the whole job.";
    TOO_LONG = "xml::too-long", Error, Job,
        "A value is longer than the schema's maxLength.",
        "The XSD limits lengths: name 256, referenceId 2000, entryId and templateEntryId 20, \
userId and parentReferenceId 100, partnerData 4000, system names (accessControl, \
conversionProfile, flavorParams, thumbParams, storageProfile) 120 characters. A longer value \
fails validation and the whole job.";
    INVALID_URL = "xml::invalid-url", Error, Job,
        "A resource URL does not match the schema's URL pattern.",
        "`@url` of `urlContentResource` and `sshUrlContentResource` has the type T_url: scheme \
http, https, ftp, sftp or scp, then `:/` or `://`, then ASCII characters only; non-ASCII \
letters, `\"`, `\\`, `{`, `}`, `|`, `^` and the backtick are rejected. A mismatch fails XSD \
validation and the whole job. Percent-encode such characters.";
    DATE_CRASHES_WORKER = "xml::date-crashes-worker", Error, Job,
        "A date the schema accepts but the engine cannot read: the batch worker crashes.",
        "xs:dateTime allows any year, but the engine reads `startDate`/`endDate` with a pattern whose \
years start with 1 or 2. Outside 1000–2999 it writes an error result without failing the item \
and then continues with a null object: PHP throws a TypeError the worker does not catch, and the \
job never completes.";
    CUSTOM_DATA_OUTSIDE_ITEMS = "xml::custom-data-outside-items", Error, Job,
        "`<customData>` directly inside `<item>`: the bulk schema only accepts it in `<customDataItems>`.",
        "The metadata handler of bulk uploads reads custom metadata only from \
`<customDataItems><customData>`. A bare `<customData>` under `<item>` is valid only in the \
syndication schema; in a bulk file it is an unknown element and validation fails the whole job \
(even where a lenient validator lets it through, the engine would ignore it). Wrap it in \
`<customDataItems>`.";
    DROP_FOLDER_RESOURCE = "xml::drop-folder-resource", Warning, Job,
        "`dropFolderFileContentResource` is valid only in drop-folder XML jobs.",
        "Drop-folder XML jobs validate against a schema that adds `dropFolderFileContentResource`; \
a file uploaded through `bulkupload_bulk.addEntries` is validated against the plain bulk schema, \
where the element is unknown and the whole job fails. Use this element only for files placed in \
an XML drop folder.";
    TOO_MANY_ITEMS = "xml::too-many-items", Error, Job,
        "The file has more items than the per-bulk limit: the job retries forever.",
        "The XML engine checks `maxRecords` (1000 in Kaltura's shipped configuration) only to stop \
the current run: items beyond the limit are never processed, and because every retry resets the \
attempt counter the job keeps retrying forever instead of reporting an error. Split the file, or \
pass `--max-records` with your installation's value (0: no limit).";
    TOO_LARGE = "xml::too-large", Error, Job,
        "A tag, text or item is larger than kbulk reads (16 MiB): reading stopped or the value was cut.",
        "To keep memory flat whatever the input, kbulk reads at most 16 MiB in one tag, text node, \
comment or value, and keeps at most 16 MiB of one item's values. Real bulk files stay far \
below; a larger one is usually damaged (an unclosed quote or comment) or hostile, and the \
server's libxml2 refuses text nodes over 10 MB by default: the whole job fails with \"Could not \
load xml\".";
    TOO_DEEP = "xml::too-deep", Error, Job,
        "Elements are nested deeper than kbulk reads (256 levels).",
        "Kaltura's bulk XML is at most about ten levels deep, plus whatever custom metadata holds. \
kbulk stops reading at 256 levels of nesting so that hostile input cannot exhaust memory; the \
server's libxml2 has the same default limit, so the whole job fails with \"Could not load xml\".";
}
