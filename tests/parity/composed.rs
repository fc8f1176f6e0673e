//! The composed rules of the audit (a conversion followed by a check, a code split by outcome):
//! for each case file, the finding's code, impact, place and the server's exact message.
use kbulk::diag::{Impact, JsonDiagnostic};

use crate::ical::util::{json_diagnostics, kbulk, root};

/// Checks `tests/ical/cases/NAME` (or `tests/xml/cases/NAME` for `.xml`) with `args` and
/// returns its findings.
fn findings(name: &str, args: &[&str]) -> Vec<JsonDiagnostic> {
    let dir = if name.ends_with(".xml") {
        "tests/xml/cases"
    } else {
        "tests/ical/cases"
    };
    let path = root().join(dir).join(name);
    let path = path.display().to_string();
    let mut all = vec!["check", path.as_str(), "--format", "json"];
    all.extend_from_slice(args);
    let (_, out, err) = kbulk(&all);
    assert!(err.is_empty() || !err.contains("panicked"), "{err}");
    json_diagnostics(&out)
}

/// The one finding of `code`, with its impact and place (`line:column`).
fn one<'a>(d: &'a [JsonDiagnostic], code: &str, impact: Impact, at: &str) -> &'a JsonDiagnostic {
    let found: Vec<_> = d.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "{code}: {d:#?}");
    let f = found[0];
    assert_eq!(f.impact, impact, "{code}");
    assert_eq!(
        format!("{}:{}", f.line.unwrap_or(0), f.column.unwrap_or(0)),
        at,
        "{code}"
    );
    f
}

const WINTER: &[&str] = &["--import-date", "2027-01-15"];
const SUMMER: &[&str] = &["--import-date", "2027-07-01"];

#[test]
fn a_utc_time_with_a_tzid_is_read_in_the_zone() {
    let d = findings("utc-with-zone.ics", WINTER);
    let f = one(&d, "ical::utc-with-zone", Impact::Silent, "7:27");
    assert!(
        f.message
            .contains("60 minutes earlier (2027-07-01T09:00:00Z instead of 2027-07-01T10:00:00Z)"),
        "{}",
        f.message
    );
    // In summer Paris is two hours ahead: the move follows the import day.
    let d = findings("utc-with-zone.ics", SUMMER);
    let f = one(&d, "ical::utc-with-zone", Impact::Silent, "7:27");
    assert!(f.message.contains("120 minutes earlier"), "{}", f.message);
    assert!(!d.iter().any(|d| d.code == "ical::tz-shift"));
}

#[test]
fn end_before_start_is_checked_on_the_converted_times() {
    // DTSTART 10:00 New York in July (14:00Z), DTEND 14:30Z: imported in winter the server's
    // start is 15:00Z, after the end, and the API rejects the event.
    let d = findings("converted-end-before-start.ics", WINTER);
    let f = one(&d, "event::end-before-start", Impact::Rejected, "8:7");
    assert_eq!(
        f.server_message.as_deref(),
        Some("End time [1814452200] must be after start time [1814454000]")
    );
    assert!(f.message.contains("import day 2027-01-15"));
    one(&d, "ical::tz-shift", Impact::Silent, "7:31");
    // Imported in summer the offsets agree: nothing is moved and nothing is rejected.
    let d = findings("converted-end-before-start.ics", SUMMER);
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn a_series_across_a_dst_change_is_expanded_without_its_zone() {
    let d = findings("series-dst.ics", WINTER);
    let f = one(&d, "ical::series-dst", Impact::Silent, "9:7");
    assert!(
        f.message
            .contains("2 of its 4 occurrences (the first on 2027-10-18) start 60 minutes later"),
        "{}",
        f.message
    );
    // Imported in summer the first two are right and the last two move.
    let d = findings("series-dst.ics", SUMMER);
    let f = one(&d, "ical::series-dst", Impact::Silent, "9:7");
    assert!(
        f.message
            .contains("2 of its 4 occurrences (the first on 2027-11-01) start 60 minutes earlier"),
        "{}",
        f.message
    );
    // Starting on the import day's side, only the occurrences after the change move.
    let d = findings("series-dst-after-start.ics", WINTER);
    assert!(!d.iter().any(|d| d.code == "ical::tz-shift"));
    let f = one(&d, "ical::series-dst", Impact::Silent, "9:7");
    assert!(
        f.message.contains("(the first on 2027-03-29)"),
        "{}",
        f.message
    );
}

#[test]
fn setter_quirks_have_one_code_per_outcome() {
    for (file, code, impact) in [
        ("setter-crash.ics", "ical::setter-crash", Impact::Job),
        ("setter-type.ics", "ical::setter-type", Impact::Silent),
        ("setter-echo.ics", "ical::setter-echo", Impact::Silent),
    ] {
        let d = findings(file, WINTER);
        one(&d, code, impact, "9:1");
    }
    let (code, out, _) = kbulk(&["explain", "ical::setter-quirk"]);
    assert_eq!(code, 0);
    assert!(out.contains("retired"), "{out}");
    for new in [
        "ical::setter-crash",
        "ical::setter-type",
        "ical::setter-echo",
    ] {
        assert!(out.contains(new), "{out}");
    }
    for r in kbulk::codes::RETIRED {
        assert!(
            kbulk::codes::find_code(r.name).is_none(),
            "{} is live",
            r.name
        );
        for new in r.replaced_by {
            assert!(kbulk::codes::find_code(new).is_some(), "{new} is missing");
        }
    }
}

#[test]
fn strtotime_rolls_a_day_past_the_month_over_and_the_checks_see_the_rolled_date() {
    let d = findings("csv-date-rollover.csv", WINTER);
    let rolled: Vec<_> = d
        .iter()
        .filter(|d| d.code == "event-csv::date-rollover")
        .collect();
    assert_eq!(rolled.len(), 2, "{d:#?}");
    assert!(rolled.iter().all(|f| f.impact == Impact::Silent));
    assert!(
        rolled[0]
            .message
            .contains("February has no day 31, and strtotime rolls it over to 3 March 2027"),
        "{}",
        rolled[0].message
    );
    // 30 February 10:00 is 2 March, after the row's end on 1 March: the API rejects the row.
    let f = one(&d, "event::end-before-start", Impact::Rejected, "3:47");
    assert_eq!(
        f.server_message.as_deref(),
        Some("End time [1803898800] must be after start time [1803981600]")
    );
}

#[test]
fn update_items_replace_thumbnails_and_ignore_asset_ids_outside_update_mode() {
    let d = findings("thumbnails-replace-all.xml", &[]);
    let f = one(&d, "entry::thumbnails-replace-all", Impact::Silent, "7:7");
    assert!(
        f.message.contains("deletes every other thumbnail"),
        "{}",
        f.message
    );
    let d = findings("asset-id-ignored.xml", &[]);
    let f = one(&d, "entry::asset-id-ignored", Impact::Silent, "7:40");
    assert!(f.message.contains("@assetId `0_flav0001`"), "{}", f.message);
    // keepManualThumbnails, or the `update` sub-action with asset ids: nothing is lost.
    assert!(findings("thumbnails-keep-manual.xml", &[]).is_empty());
}

#[test]
fn an_edited_export_says_what_re_import_loses() {
    let d = findings("exported-occurrence.ics", WINTER);
    // As it stands the occurrence is rejected; without its parent id it would become a series.
    let f = one(&d, "event::parent-id-read-only", Impact::Rejected, "14:21");
    assert_eq!(
        f.server_message.as_deref(),
        Some("The property \"KalturaRecordScheduleEvent::parentId\" cannot be updated")
    );
    let f = one(&d, "event::exported-occurrence", Impact::Silent, "15:7");
    assert!(f.message.contains("series 90211"), "{}", f.message);
    assert!(f.message.contains("UID `series-1`"), "{}", f.message);
    one(&d, "event::duplicate-uid", Impact::Silent, "10:5");
    // Resource links are lost loudly (a warning), not as a note.
    let d = findings("ignored-property.ics", WINTER);
    let f = one(&d, "ical::resource-links-lost", Impact::Silent, "10:24");
    assert_eq!(f.severity, kbulk::diag::Severity::Warning);
}
