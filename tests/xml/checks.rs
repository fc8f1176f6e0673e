//! Library-level checks of the XML reader: exact places, the server's messages, record mapping,
//! the per-bulk limit, and rules that only fire in context.
use kbulk::formats::ReadOptions;
use kbulk::record::RecordData;
use kbulk::record::entry::{AssetsAction, Resource};

use super::{codes, read_str, read_with};

fn doc(items: &str) -> String {
    format!("<?xml version=\"1.0\"?>\n<mrss>\n<channel>\n{items}</channel>\n</mrss>\n")
}

#[test]
fn out_of_order_points_at_both_elements() {
    let (report, _) = read_str(
        "o.xml",
        &doc("<item>\n  <name>x</name>\n  <type>1</type>\n</item>\n"),
    );
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "xml::out-of-order")
        .expect("order");
    assert_eq!((d.labels[0].at.line, d.labels[0].at.column), (6, 4));
    assert_eq!((d.labels[1].at.line, d.labels[1].at.column), (5, 4));
    assert!(d.message.contains("<type> must come before <name>"));
}

#[test]
fn every_schema_problem_of_a_file_is_reported_not_just_the_first() {
    let items = "<item><name>a</name><type>1</type></item>\n<item><type>1</type><bogus/></item>\n<item><type>1</type><media/></item>\n";
    let (report, records) = read_str("m.xml", &doc(items));
    let c = codes(&report);
    for code in [
        "xml::out-of-order",
        "xml::unknown-element",
        "xml::missing-element",
    ] {
        assert!(c.contains(code), "{code} missing from {c:?}");
    }
    assert_eq!(records.len(), 3);
    assert!(
        report.diagnostics.iter().all(
            |d| d.code.impact == kbulk::diag::Impact::Job || d.code.name.starts_with("entry::")
        )
    );
}

#[test]
fn server_messages_are_quoted() {
    let items = "<item><action>add</action><referenceId>r</referenceId><name>Clip</name></item>\n<item><action>update</action></item>\n";
    let (report, _) = read_str("s.xml", &doc(items));
    let server: Vec<_> = report
        .diagnostics
        .iter()
        .filter_map(|d| d.server_message.clone())
        .collect();
    assert!(
        server.contains(&"entry type must be set to a value on item [Clip] ".to_string()),
        "{server:?}"
    );
    assert!(
        server.contains(&"Missing entry id element".to_string()),
        "{server:?}"
    );
}

#[test]
fn items_over_the_limit_retry_forever() {
    let items: String = (0..5)
        .map(|i| format!("<item><action>delete</action><entryId>0_abcd123{i}</entryId></item>\n"))
        .collect();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("many.xml");
    std::fs::write(&path, doc(&items)).expect("write");
    let opts = ReadOptions {
        max_records: Some(3),
        ..Default::default()
    };
    let (report, _) = read_with(&path, &opts);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "xml::too-many-items")
        .expect("limit");
    assert_eq!(d.row, Some(4));
    let (report, _) = read_with(
        &path,
        &ReadOptions {
            max_records: None,
            ..Default::default()
        },
    );
    assert!(!codes(&report).contains("xml::too-many-items"));
}

#[test]
fn items_map_every_part_of_the_element_tree() {
    let item = r#"<item><action>update</action><entryId>0_abcd1234</entryId><referenceId>r</referenceId>
<entitledUsersView><user>a</user><user>b</user></entitledUsersView>
<categories><categoryId>7</categoryId></categories>
<contentAssets><action>update</action><content assetId="0_x"><tags><tag>hd</tag></tags>
<remoteStorageContentResources><remoteStorageContentResource url="a/b.mp4"><storageProfileId>3</storageProfileId></remoteStorageContentResource></remoteStorageContentResources>
<streams><stream type="audio" trackIndex="1" language="eng"/></streams></content>
<content><sshUrlContentResource url="sftp://h/x.mp4" keyPassphrase="p"><privateKey>K</privateKey><publicKey>P</publicKey></sshUrlContentResource></content>
<content><serverFileContentResource filePath="/x"><fileChecksum type="sha1">abc</fileChecksum></serverFileContentResource></content></contentAssets>
</item>
"#;
    let (_, records) = read_str("t.xml", &doc(item));
    let RecordData::Entry(e) = &records[0].data else {
        panic!("entry")
    };
    assert_eq!(e.entitled_users_view, Some(vec!["a".into(), "b".into()]));
    assert_eq!(e.category_ids, Some(vec![7]));
    let a = e.content_assets.as_ref().expect("assets");
    assert_eq!(a.action, Some(AssetsAction::Update));
    assert_eq!(a.assets.len(), 3);
    assert_eq!(a.assets[0].tags, Some(vec!["hd".into()]));
    assert_eq!(a.assets[0].streams.as_ref().map(Vec::len), Some(1));
    assert!(
        matches!(&a.assets[0].resource, Some(Resource::RemoteStorages { resources }) if resources[0].storage_profile_id == Some(3))
    );
    assert!(
        matches!(&a.assets[1].resource, Some(Resource::SshUrl { private_key: Some(k), public_key: Some(p), .. }) if k == "K" && p == "P")
    );
    assert!(
        matches!(&a.assets[2].resource, Some(Resource::ServerFile { file_checksum: Some(c), .. }) if c.value == "abc")
    );
}

#[test]
fn crlf_files_locate_like_lf_files() {
    let text = doc("<item>\n<name>a</name>\n<type>1</type>\n</item>\n").replace('\n', "\r\n");
    let (report, _) = read_str("crlf.xml", &text);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "xml::out-of-order")
        .expect("order");
    assert_eq!(d.labels[0].at.line, 6);
}

#[test]
fn a_bom_keeps_offsets_on_the_file() {
    let text = format!("\u{feff}{}", doc("<item><type>9</type></item>\n"));
    let (report, _) = read_str("bom.xml", &text);
    let d = &report.diagnostics[0];
    assert_eq!(d.code.name, "xml::invalid-value");
    assert_eq!(
        &text.as_bytes()[d.labels[0].span.start as usize..d.labels[0].span.end as usize],
        b"9"
    );
}
