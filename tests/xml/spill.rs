//! The reference-id index past its memory budget: XML and entry CSV files with repeated
//! reference ids give the same findings with the index in memory and spilled to disk.
use std::fmt::Write as _;

use crate::common::budget::{Rng, same_findings_every_budget};

/// Mostly unique reference ids, some drawn from a small pool (duplicates), some on updates or
/// with an entry id (which add no reference id), some with UTF-8.
fn ref_id(rng: &mut Rng, i: u64) -> (u64, String) {
    let r = rng.next();
    let id = if (r >> 16).is_multiple_of(5) {
        format!("réf-{}", (r >> 24) % 300)
    } else {
        format!("ref-{i}")
    };
    (r, id)
}

#[test]
fn spilled_reference_ids_give_the_same_findings_in_xml() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mrss><channel>\n");
    for i in 0..6000 {
        let (r, id) = ref_id(&mut rng, i);
        let action = match (r >> 40) % 8 {
            0 => "<action>update</action>",
            1 => "",
            _ => "<action>add</action>",
        };
        let entry_id = if (r >> 44) % 11 == 0 {
            "<entryId>0_abcd1234</entryId>"
        } else {
            ""
        };
        writeln!(
            s,
            "<item>{action}<type>1</type>{entry_id}<referenceId>{id}</referenceId><name>Item {i}</name><media><mediaType>1</mediaType></media></item>"
        )
        .unwrap();
    }
    s.push_str("</channel></mrss>\n");
    same_findings_every_budget("entries.xml", &s, &["entry::duplicate-reference-id"]);
}

#[test]
fn spilled_reference_ids_give_the_same_findings_in_entry_csv() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut s = String::from("*title,url,contentType,referenceId\n");
    for i in 0..6000 {
        let (_, id) = ref_id(&mut rng, i);
        writeln!(s, "Item {i},https://cdn.example.com/{i}.mp4,video,{id}").unwrap();
    }
    same_findings_every_budget("entries.csv", &s, &["entry::duplicate-reference-id"]);
}
