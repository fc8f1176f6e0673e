//! Hostile XML: every case yields a diagnostic, never a panic, and the reader stops or skips
//! before memory can grow with the input.
use super::{codes, read_str};

#[test]
fn billion_laughs_is_refused_without_expansion() {
    let mut doc =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    doc.push_str(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..10 {
        let prev = format!("&lol{};", i - 1).repeat(10);
        doc.push_str(&format!(" <!ENTITY lol{i} \"{prev}\">\n"));
    }
    doc.push_str(
        "]>\n<mrss><channel><item><type>1</type><name>&lol9;</name></item></channel></mrss>\n",
    );
    let (report, records) = read_str("lol.xml", &doc);
    let c = codes(&report);
    assert!(c.contains("xml::doctype"), "{c:?}");
    assert!(c.contains("xml::undefined-entity"), "{c:?}");
    let name = match &records[0].data {
        kbulk::record::RecordData::Entry(e) => e.name.clone().unwrap_or_default(),
        _ => panic!("not an entry"),
    };
    assert!(
        name.len() < 10,
        "the entity was expanded: {} bytes",
        name.len()
    );
}

#[test]
fn external_entity_is_not_read() {
    let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE mrss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<mrss><channel><item><type>1</type><description>&xxe;</description></item></channel></mrss>\n";
    let (report, records) = read_str("xxe.xml", doc);
    let c = codes(&report);
    assert!(
        c.contains("xml::doctype") && c.contains("xml::undefined-entity"),
        "{c:?}"
    );
    let json = serde_json::to_string(&kbulk::record::JsonRecord::from(&records[0])).expect("json");
    assert!(!json.contains("root:"), "file content leaked: {json}");
}

#[test]
fn huge_text_stops_at_the_token_limit() {
    let big = "x".repeat(17 << 20);
    let doc = format!(
        "<mrss><channel><item><type>1</type><description>{big}</description></item></channel></mrss>"
    );
    let (report, _) = read_str("big.xml", &doc);
    assert!(
        codes(&report).contains("xml::too-large"),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn huge_attribute_stops_at_the_token_limit() {
    let big = "a".repeat(17 << 20);
    let doc = format!(
        "<mrss><channel><item><type>1</type><contentAssets><content><urlContentResource url=\"http://x/{big}\"/></content></contentAssets></item></channel></mrss>"
    );
    let (report, _) = read_str("attr.xml", &doc);
    assert!(
        codes(&report).contains("xml::too-large"),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    let depth = 100_000;
    let doc = format!(
        "<mrss><channel><item><type>1</type><scenes>{}{}</scenes></item></channel></mrss>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let (report, _) = read_str("deep.xml", &doc);
    assert!(
        codes(&report).contains("xml::too-deep"),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn garbage_and_truncation_never_panic() {
    for doc in [
        "",
        "<",
        "<mrss",
        "<mrss><channel><item>",
        "\u{0}\u{1}<<>>",
        "<mrss>&#xFFFFFFFF;</mrss>",
        "<mrss a='1' a='2'/>",
        "<?xml?><mrss><![CDATA[x",
    ] {
        let (report, _) = read_str("g.xml", doc);
        assert!(!report.diagnostics.is_empty(), "no finding for {doc:?}");
    }
}
