//! The binary on entry files: JSON output, detection, `--format-in`, `explain` for every code.
use kbulk::diag::{JsonLine, Severity};

use super::{check_json, kbulk};

#[test]
fn samples_check_as_described() {
    for (file, clean) in [
        ("samples/entries-valid.xml", true),
        ("samples/entries-valid.csv", true),
        ("samples/entries-errors.xml", false),
        ("samples/entries-errors.csv", false),
        ("samples/entries-v1-v2.csv", false),
    ] {
        let (code, lines) = check_json(&[file], &[]);
        let errors = lines
            .iter()
            .any(|l| matches!(l, JsonLine::Diagnostic(d) if d.severity == Severity::Error));
        assert_eq!(!errors, clean, "{file}");
        assert_eq!(code, if clean { 0 } else { 1 }, "{file}");
        let JsonLine::File(f) = &lines[lines.len() - 2] else {
            panic!("no file line")
        };
        assert_eq!(f.record_kind.as_deref(), Some("entry"), "{file}");
    }
}

#[test]
fn format_in_forces_the_reader() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("feed.txt");
    std::fs::write(
        &path,
        "<mrss><channel><item><type>1</type><name>x</name></item></channel></mrss>",
    )
    .expect("write");
    let p = path.to_str().expect("path");
    let (_, lines) = check_json(&[p], &["--format-in", "xml"]);
    let JsonLine::File(f) = &lines[lines.len() - 2] else {
        panic!("no file line")
    };
    assert_eq!(f.format.as_deref(), Some("mrss-xml"));
    assert_eq!(f.records, 1);
    let (_, lines) = check_json(&[p], &["--format-in", "entry-csv"]);
    let JsonLine::File(f) = &lines[lines.len() - 2] else {
        panic!("no file line")
    };
    assert_eq!(f.format.as_deref(), Some("entry-csv"));
}

#[test]
fn every_entry_and_xml_code_is_explained() {
    let (code, list, _) = kbulk(&["explain"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| {
            n.starts_with("xml::") || n.starts_with("entry::") || n.starts_with("entry-csv::")
        })
        .collect();
    assert!(names.len() >= 55, "{}", names.len());
    for name in names {
        let (code, text, _) = kbulk(&["explain", name]);
        assert_eq!(code, 0, "{name}");
        let body = text.split("\n\n").nth(2).unwrap_or("");
        assert!(
            body.split_whitespace().count() >= 15,
            "{name}: explanation too short: {body}"
        );
    }
}

#[test]
fn an_ignored_asset_id_points_at_the_attribute_itself() {
    // Line 7: `<content assetId="0_flav0001"><urlContentResource url=…/>`; the finding is about
    // the id, so it points at the attribute's value (column 40), not at the resource after it.
    let (_, lines) = check_json(&["tests/xml/cases/asset-id-ignored.xml"], &[]);
    let d = lines
        .iter()
        .find_map(|l| match l {
            JsonLine::Diagnostic(d) if d.code == "entry::asset-id-ignored" => Some(d),
            _ => None,
        })
        .expect("entry::asset-id-ignored");
    assert_eq!((d.line, d.column), (Some(7), Some(40)));
    let text = std::fs::read_to_string("tests/xml/cases/asset-id-ignored.xml").expect("case");
    let span = d.span.as_ref().expect("span");
    assert_eq!(&text[span.start as usize..span.end as usize], "0_flav0001");
}
