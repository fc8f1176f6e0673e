//! The UID index past its memory budget: an iCal file with repeated UIDs (and events without
//! one) gives the same findings with the index in memory and spilled to disk.
use std::fmt::Write as _;

use crate::common::budget::{Rng, same_findings_every_budget};

#[test]
fn spilled_uids_give_the_same_findings() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kbulk//tests//EN\r\n");
    for i in 0..5000u64 {
        let r = rng.next();
        let uid = match (r >> 16) % 10 {
            0 | 1 => format!("UID:dup-é{}@example.org\r\n", (r >> 24) % 300),
            2 if i > 100 => String::new(),
            _ => format!("UID:event-{i}@example.org\r\n"),
        };
        let day = 1 + i % 28;
        write!(
            s,
            "BEGIN:VEVENT\r\n{uid}SUMMARY:Lecture {i}\r\nDTSTART:202709{day:02}T080000Z\r\nDTEND:202709{day:02}T090000Z\r\nEND:VEVENT\r\n"
        )
        .unwrap();
    }
    s.push_str("END:VCALENDAR\r\n");
    same_findings_every_budget(
        "events.ics",
        &s,
        &["event::duplicate-uid", "event::no-uid-resume"],
    );
}
