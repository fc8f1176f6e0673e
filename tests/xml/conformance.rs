//! Kaltura's own sample bulk XML files (read in place from ../shared/conformance): they parse,
//! and their `@PLACEHOLDER@`s are reported as invalid values at their exact places.
use kbulk::record::RecordData;
use kbulk::record::entry::{EntryAction, MediaType, Resource};

use super::{codes, read, root};

#[test]
fn add_sample_reads_two_items_and_reports_its_placeholders() {
    let path = root().join("../shared/conformance/kaltura/entries_bulk_upload.xml");
    let (report, records) = read(&path);
    assert_eq!(report.records, 2);
    assert_eq!(records.len(), 2);
    let RecordData::Entry(e) = &records[0].data else {
        panic!("not an entry")
    };
    assert_eq!(e.action, Some(EntryAction::Add));
    assert_eq!(e.entry_type.as_deref(), Some("1"));
    assert_eq!(e.name.as_deref(), Some("monitor_bulk_xml1"));
    assert_eq!(e.tags, Some(vec!["monitor".into(), "xml".into()]));
    assert_eq!(e.categories, Some(vec!["monitor>xml".into()]));
    assert_eq!(e.media_type, Some(MediaType::Video));
    assert!(
        matches!(e.content_resources().next(), Some(Resource::Url { url }) if url == "@ENTRY1_URL@")
    );
    assert_eq!(codes(&report), ["entry::placeholder".to_string()].into());
    let places: Vec<(u64, u64, String)> = report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.labels[0].at.line,
                d.labels[0].at.column,
                d.message.clone(),
            )
        })
        .collect();
    assert_eq!(places.len(), 4);
    assert_eq!(places[0].0, 35);
    assert!(places[0].2.contains("@ENTRY1_REF_ID@"));
    assert_eq!((places[1].0, places[1].1), (51, 31));
    let bytes = std::fs::read(&path).expect("read");
    let span = report.diagnostics[1].labels[0].span;
    assert_eq!(
        &bytes[span.start as usize..span.end as usize],
        b"@ENTRY1_URL@"
    );
    assert!(places[1].2.contains("@ENTRY1_URL@"));
}

#[test]
fn update_delete_sample_reports_the_action_placeholder() {
    let path = root().join("../shared/conformance/kaltura/entries_bulk_upload_update_delete.xml");
    let (report, records) = read(&path);
    assert_eq!(report.records, 2);
    // `@ACTION@` is no action the engine knows: the items are not carried into conversions.
    assert!(records.is_empty());
    let actions = report
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("@ACTION@"))
        .count();
    assert_eq!(actions, 2);
    assert_eq!(codes(&report), ["entry::placeholder".to_string()].into());
}

#[test]
fn element_names_of_the_model_exist_in_the_reference_xsd() {
    let xsd = std::fs::read_to_string(root().join("../shared/conformance/kaltura/ingestion.xsd"))
        .expect("ingestion.xsd");
    let plugin = [
        "customDataItems",
        "customData",
        "xslt",
        "xmlData",
        "pluginReplacementOptions",
        "subTitles",
        "attachments",
        "distributions",
        "scenes",
        "widevineAssets",
        "dropFolderFileContentResource",
    ];
    let mut stack = vec![&kbulk::formats::xml::schema::MRSS];
    let mut seen = std::collections::HashSet::new();
    while let Some(m) = stack.pop() {
        if !seen.insert(m.name) {
            continue;
        }
        if !plugin.contains(&m.name) {
            assert!(
                xsd.contains(&format!("name=\"{}\"", m.name)),
                "<{}> is not in ingestion.xsd",
                m.name
            );
        }
        for a in m.attrs {
            assert!(
                xsd.contains(&format!("name=\"{}\"", a.name)) || plugin.contains(&m.name),
                "@{} of <{}>",
                a.name,
                m.name
            );
        }
        for s in m.slots {
            stack.extend(s.children.iter().copied());
        }
    }
    assert!(seen.len() > 60);
}
