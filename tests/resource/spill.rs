//! The name index past its memory budget: the same resource CSV checked with the index in
//! memory and spilled to disk (from the first row, and from the middle of the file) gives the
//! same JSON findings, byte for byte, whatever the thread count.
use std::fmt::Write as _;

use crate::common::budget::{Rng, same_findings_every_budget};
use crate::common::kbulk;

/// Rows that exercise every name rule: duplicates (add and add-or-update), children before
/// their parent, parents never added, deletes and re-adds, updates by name, UTF-8 names.
fn hostile_names(rows: u64) -> String {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut s =
        String::from("*action,name,type,systemName,description,parentType,parentSystemName\n");
    for i in 0..rows {
        let r = rng.next();
        let action = ["1", "1", "1", "1", "6", "3", "2"][(r % 7) as usize];
        let t = ["location", "camera"][((r >> 8) % 2) as usize];
        // Mostly unique names, some repeated from a small pool so duplicates happen.
        let name = if (r >> 16).is_multiple_of(5) {
            format!("salle-é{}", (r >> 24) % 300)
        } else {
            format!("room-{i}")
        };
        let parent = match (r >> 40) % 6 {
            0 => format!("room-{}", i + 1 + (r >> 44) % 50), // a later row: parent after child
            1 => format!("nowhere-{}", (r >> 44) % 400),     // never added
            2 => format!("salle-é{}", (r >> 44) % 300),
            _ => String::new(),
        };
        let ptype = if parent.is_empty() { "" } else { "location" };
        writeln!(
            s,
            "{action},Room {i},{t},{name},\"desc, {i}\",{ptype},{parent}"
        )
        .unwrap();
    }
    s
}

#[test]
fn spilled_index_gives_the_same_findings() {
    same_findings_every_budget(
        "names.csv",
        &hostile_names(6000),
        &[
            "resource::duplicate-system-name",
            "resource::upsert-repeats-add",
            "resource::parent-after-child",
            "resource::parent-not-in-file",
        ],
    );
}

#[test]
fn spill_handles_a_parent_that_is_its_own_row_and_deletes() {
    let csv = "*action,name,type,systemName,parentType,parentSystemName\n\
1,A,location,a,location,a\n\
3,A,location,a,,\n\
1,A,location,a,,\n\
1,A,location,a,,\n\
1,B,location,b,location,c\n\
1,B,location,b2,location,c\n\
6,C,location,c,,\n\
6,C,location,c,,\n";
    same_findings_every_budget(
        "names.csv",
        csv,
        &[
            "resource::duplicate-system-name",
            "resource::upsert-repeats-add",
            "resource::parent-after-child",
        ],
    );
}

#[test]
fn memory_flag_rejects_what_is_not_a_size() {
    let out = kbulk(["check", "--memory", "lots", "samples"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a size"));
}

/// kbulk JSON Lines mixing the three kinds with a name index (resources, entries, events), with
/// repeats of each: the indexes share the budget and spill, and the findings do not change.
#[test]
fn jsonl_indexes_spill_with_the_same_findings() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = String::new();
    for i in 0..3000u64 {
        let r = rng.next();
        let n = if (r >> 8).is_multiple_of(6) {
            (r >> 16) % 200
        } else {
            1000 + i
        };
        match r % 3 {
            0 => writeln!(
                s,
                r#"{{"kind":"scheduleResource","action":"add","name":"Room {i}","type":"location","systemName":"room-{n}"}}"#
            ),
            1 => writeln!(
                s,
                r#"{{"kind":"entry","action":"add","type":"1","referenceId":"ref-{n}","name":"Entry {i}","mediaType":"video"}}"#
            ),
            _ => writeln!(
                s,
                r#"{{"kind":"scheduleEvent","action":"add","eventType":"record","referenceId":"uid-{n}@example.org","summary":"Event {i}","startDate":"2027-09-06T08:00:00Z","endDate":"2027-09-06T09:00:00Z"}}"#
            ),
        }
        .unwrap();
    }
    same_findings_every_budget(
        "mixed.jsonl",
        &s,
        &[
            "resource::duplicate-system-name",
            "entry::duplicate-reference-id",
            "event::duplicate-uid",
        ],
    );
}
