//! `kbulk check --report FILE.html`: the page's data agrees with the JSON stream, it escapes
//! hostile text, and it renders and filters in headless Chromium without script errors.
use std::collections::BTreeMap;

use crate::common::{chromium_dom, code, kbulk, report};

/// The JSON held in `<script type="application/json" id="ID">` of the page.
fn script_json(html: &str, id: &str) -> serde_json::Value {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html.find(&open).expect("data script") + open.len();
    let end = start + html[start..].find("</script>").expect("script end");
    serde_json::from_str(&html[start..end]).expect("the data is JSON")
}

/// `data-NAME="VALUE"` on the `<body>` of a dumped DOM.
fn body_attr(dom: &str, name: &str) -> Option<String> {
    let body = &dom[dom.find("<body")?..];
    let body = &body[..body.find('>')?];
    let key = format!("{name}=\"");
    let start = body.find(&key)? + key.len();
    Some(body[start..start + body[start..].find('"')?].to_string())
}

#[test]
fn report_page_agrees_with_the_json_stream() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let out = kbulk(
        ["check", "samples/", "--format", "json", "--report"]
            .map(String::from)
            .into_iter()
            .chain([page.display().to_string()]),
    );
    assert_eq!(code(&out), 1, "the samples have errors");
    let json = report(&out);
    let html = std::fs::read_to_string(&page).expect("the page was written");
    for external in [" src=", " href=", "url(", "@import"] {
        assert!(!html.contains(external), "no external assets ({external})");
    }
    assert!(
        html.contains("default-src 'none'"),
        "the page forbids loading anything"
    );

    let rows = script_json(&html, "rows");
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), json.diagnostics.len(), "one row per finding");
    let meta = script_json(&html, "meta");
    let summary = json.summary.unwrap();
    assert_eq!(meta["summary"]["errors"], summary.errors);
    assert_eq!(meta["summary"]["warnings"], summary.warnings);
    assert_eq!(meta["summary"]["records"], summary.records);
    assert_eq!(
        meta["files"].as_array().unwrap().len() as u64,
        summary.files
    );
    // Each row is the same finding as the JSON stream's, in the same order.
    for (row, d) in rows.iter().zip(&json.diagnostics) {
        assert_eq!(row[1], d.code.as_str());
        assert_eq!(row[4], d.message.as_str());
        assert_eq!(row[5].as_u64(), d.line);
    }
    // Counts per code agree with the stream.
    let mut by_code = BTreeMap::new();
    for d in &json.diagnostics {
        *by_code.entry(d.code.clone()).or_insert(0u64) += 1;
    }
    for c in meta["codes"].as_array().unwrap() {
        assert_eq!(
            Some(&c["count"].as_u64().unwrap()),
            by_code.get(c["code"].as_str().unwrap())
        );
    }
    // A located finding carries the source lines around it, its own line among them.
    let located = rows
        .iter()
        .find(|r| r[1] == "resource::unknown-type")
        .expect("sample finding");
    assert!(
        located[11].as_str().unwrap().contains("Camera"),
        "{located}"
    );
}

#[test]
fn report_lists_at_most_report_max_rows_but_counts_all() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    let out = kbulk([
        "check".to_string(),
        "samples/".into(),
        "--report-max".into(),
        "3".into(),
        "--report".into(),
        page.display().to_string(),
    ]);
    assert_eq!(code(&out), 1);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(script_json(&html, "rows").as_array().unwrap().len(), 3);
    let meta = script_json(&html, "meta");
    assert_eq!(meta["summary"]["listed"], 3);
    assert!(meta["summary"]["findings"].as_u64().unwrap() > 3);
}

#[test]
fn report_escapes_text_that_would_end_its_script() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("evil.csv");
    std::fs::write(&csv, "*action,name,type,systemName\n1,</script><script>document.title='pwned'</script>,Camera,x\n").unwrap();
    let page = dir.path().join("r.html");
    let out = kbulk([
        "check".to_string(),
        csv.display().to_string(),
        "--report".into(),
        page.display().to_string(),
    ]);
    assert_eq!(code(&out), 1);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("<script>document.title"),
        "hostile text is escaped in the data"
    );
    let dom = chromium_dom(&format!("file://{}", page.display()));
    assert_eq!(
        body_attr(&dom, "data-ready").as_deref(),
        Some("1"),
        "the page's script ran"
    );
    assert!(
        dom.contains("<title>kbulk check report</title>"),
        "no injected script ran"
    );
}

#[test]
fn report_renders_and_filters_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let out = kbulk([
        "check".to_string(),
        "samples/".into(),
        "--format".into(),
        "json".into(),
        "--report".into(),
        page.display().to_string(),
    ]);
    let json = report(&out);
    let url = format!("file://{}", page.display());

    let dom = chromium_dom(&url);
    assert_eq!(
        body_attr(&dom, "data-ready").as_deref(),
        Some("1"),
        "the script ran to the end"
    );
    assert_eq!(body_attr(&dom, "data-errors"), None, "no script errors");
    assert_eq!(
        body_attr(&dom, "data-shown"),
        Some(json.diagnostics.len().to_string())
    );
    assert!(dom.contains("<svg"), "the chart is drawn");
    assert_eq!(
        dom.matches("<tr class=\"finding\"").count(),
        json.diagnostics.len()
    );

    // Filtering by code shows exactly that code's findings.
    let code_name = "resource::unknown-type";
    let expected = json
        .diagnostics
        .iter()
        .filter(|d| d.code == code_name)
        .count();
    assert!(expected > 0);
    let dom = chromium_dom(&format!("{url}#filter={code_name}"));
    assert_eq!(body_attr(&dom, "data-shown"), Some(expected.to_string()));
    // Filtering by impact.
    let silent = json
        .diagnostics
        .iter()
        .filter(|d| d.impact.as_str() == "silent")
        .count();
    let dom = chromium_dom(&format!("{url}#impact=silent"));
    assert_eq!(body_attr(&dom, "data-shown"), Some(silent.to_string()));
    assert_eq!(body_attr(&dom, "data-errors"), None);
}
