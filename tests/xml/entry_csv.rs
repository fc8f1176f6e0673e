//! Entry CSVs: V1/V2/V3 column sets, the engine's field rules, and the rows it silently skips.
use kbulk::record::RecordData;
use kbulk::record::entry::{MediaType, Resource};

use super::{codes, read, read_str, root};

fn entry(records: &[kbulk::record::Record], i: usize) -> &kbulk::record::Entry {
    match &records[i].data {
        RecordData::Entry(e) => e,
        _ => panic!("not an entry"),
    }
}

#[test]
fn headerless_v1_and_v2_rows_map_by_position() {
    let csv = "Clip,desc,\"a, b\",https://x.example.com/1.mp4,image\nClip2,d,t,https://x.example.com/2.mp4,audio,5,7,News>Local,2026-05-01T09:00:00,,https://x.example.com/2.jpg,pd\n";
    let (report, records) = read_str("v.csv", csv);
    assert_eq!(
        report.detection.format,
        Some(kbulk::formats::Format::EntryCsv)
    );
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    let (a, b) = (entry(&records, 0), entry(&records, 1));
    assert_eq!(a.tags, Some(vec!["a".into(), "b".into()]));
    assert_eq!(a.media_type, Some(MediaType::Image));
    assert_eq!(b.media_type, Some(MediaType::Audio));
    assert_eq!(
        (b.conversion_profile_id, b.access_control_id),
        (Some(5), Some(7))
    );
    assert_eq!(b.categories, Some(vec!["News>Local".into()]));
    assert_eq!(b.partner_data.as_deref(), Some("pd"));
    assert!(b.thumbnails.is_some());
}

#[test]
fn wrong_value_count_quotes_the_server() {
    let (report, records) = read_str(
        "w.csv",
        "a,b,c,https://x.example.com/1.mp4,video\na,b,c,d,e,f\n",
    );
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "entry-csv::wrong-value-count")
        .expect("count");
    assert_eq!(
        d.server_message.as_deref(),
        Some("Wrong number of values on line 2")
    );
    assert_eq!(records.len(), 1);
}

#[test]
fn a_final_v1_row_disables_v2_fields() {
    let (report, _) = read(&root().join("samples/entries-v1-v2.csv"));
    assert_eq!(
        codes(&report),
        ["entry-csv::mixed-versions".to_string()].into()
    );
}

#[test]
fn errors_sample_reports_each_rule() {
    let (report, records) = read(&root().join("samples/entries-errors.csv"));
    let c = codes(&report);
    for code in [
        "entry-csv::unknown-column",
        "entry::invalid-url",
        "entry-csv::action-skipped",
        "entry-csv::unknown-content-type",
        "entry-csv::not-numeric",
        "entry::date-text-ignored",
        "entry-csv::ssh-key-missing",
        "entry::duplicate-reference-id",
        "entry-csv::comment-looks-like-data",
        "entry::placeholder",
    ] {
        assert!(c.contains(code), "{code} missing from {c:?}");
    }
    // The `#` row is a comment, and the update row is skipped by the engine: not carried.
    assert_eq!(report.records, 6);
    assert_eq!(records.len(), 5);
    let url = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "entry::invalid-url")
        .expect("url");
    assert_eq!(
        url.server_message.as_deref(),
        Some("Invalid url 'cdn.example.com/a.mp4' on line 1")
    );
    let ssh = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "entry-csv::ssh-key-missing")
        .expect("ssh");
    assert_eq!(
        ssh.server_message.as_deref(),
        Some("Missing SSH public key on line 4")
    );
}

#[test]
fn v3_rows_map_ssh_urls_and_plugin_columns() {
    let csv = "*title,url,sshPrivateKey,sshPublicKey,ownerId,entitledUsersEdit,metadataProfileId,metadataXml\nA,sftp://h/a.mp4,K,P,bob,\"x,y\",4,<metadata/>\n";
    let (report, records) = read_str("v3.csv", csv);
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    let e = entry(&records, 0);
    assert!(matches!(
        e.content_resources().next(),
        Some(Resource::SshUrl {
            private_key: Some(_),
            ..
        })
    ));
    assert_eq!(e.user_id.as_deref(), Some("bob"));
    assert_eq!(e.entitled_users_edit, Some(vec!["x".into(), "y".into()]));
    assert_eq!(
        e.plugins_data.get("metadataProfileId").map(String::as_str),
        Some("4")
    );
}

#[test]
fn missing_url_and_silent_rows() {
    let csv = "*title,url,action,entryId\nNo url,,,\nGone,https://x.example.com/a.mp4,add,\nKept,https://x.example.com/b.mp4,1,0_abcd1234\n";
    let (report, records) = read_str("s.csv", csv);
    let c = codes(&report);
    assert!(
        c.contains("entry::invalid-url")
            && c.contains("entry-csv::unknown-action")
            && c.contains("entry-csv::entry-id-ignored"),
        "{c:?}"
    );
    let empty = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "entry::invalid-url")
        .expect("url");
    assert_eq!(
        empty.server_message.as_deref(),
        Some("Invalid url '' on line 1")
    );
    assert_eq!(records.len(), 2);
}

#[test]
fn trimming_that_corrupts_and_dates() {
    let csv = "*title,url,scheduleStartDate,scheduleEndDate\nBahà,https://x.example.com/a.mp4,2026-05-01,2026-13-01T00:00:00\n";
    let (report, _) = read_str("t.csv", csv);
    let c = codes(&report);
    for code in [
        "entry-csv::trim-corrupts-value",
        "entry::invalid-date",
        "entry::date-rolls-over",
    ] {
        assert!(c.contains(code), "{code} missing from {c:?}");
    }
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "entry::invalid-date")
        .expect("date");
    assert_eq!(
        d.server_message.as_deref(),
        Some("Invalid schedule start date '2026-05-01' on line 1")
    );
}

#[test]
fn header_problems_and_limits() {
    let mut csv = String::from("*title,Url,title,url\n");
    for i in 0..4 {
        csv.push_str(&format!("T{i},,T,https://x.example.com/{i}.mp4\n"));
    }
    csv.push_str("*nothing,known\n");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("h.csv");
    std::fs::write(&path, &csv).expect("write");
    let opts = kbulk::formats::ReadOptions {
        max_records: Some(2),
        ..Default::default()
    };
    let (report, _) = super::read_with(&path, &opts);
    let c = codes(&report);
    for code in [
        "entry-csv::unknown-column",
        "entry-csv::duplicate-column",
        "entry-csv::max-records",
        "entry-csv::row-taken-as-header",
    ] {
        assert!(c.contains(code), "{code} missing from {c:?}");
    }
    let unknown = report
        .diagnostics
        .iter()
        .find(|d| d.code.name == "entry-csv::unknown-column")
        .expect("unknown");
    assert!(
        unknown
            .help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean `url`")
    );
}
