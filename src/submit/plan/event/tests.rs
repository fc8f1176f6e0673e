//! Unit tests of the schedule-event planner: add or update by UID, cancel, links, rows in doubt.
use super::*;
use crate::record::event::EventTime;
use crate::submit::engine::OUTCOME_UNKNOWN;
use crate::submit::journal::RowEntry;
use crate::submit::plan::testing;
use crate::submit::plan::{Found, Item, Planner};

fn item(row: u64, e: ScheduleEvent, prior: Option<RowEntry>) -> Item {
    testing::item("t.ics", row, RecordData::ScheduleEvent(e), prior)
}

fn ev(uid: Option<&str>, action: EventAction) -> ScheduleEvent {
    ScheduleEvent {
        action,
        reference_id: uid.map(str::to_string),
        summary: Some("s".into()),
        start_date: EventTime::from_unix(1_900_000_000),
        end_date: EventTime::from_unix(1_900_003_600),
        ..ScheduleEvent::default()
    }
}

fn found(p: &EventPlanner, existing: &[(&str, u64)]) -> Found {
    let objs: Vec<Value> = existing
        .iter()
        .map(|(r, id)| json!({"id": id, "referenceId": r}))
        .collect();
    testing::found(p.keys(), &objs, "referenceId")
}

#[test]
fn uid_found_updates_missing_adds_and_cancel_uses_the_id() {
    let mut p = EventPlanner::new(vec![
        item(1, ev(Some("a"), EventAction::Add), None),
        item(2, ev(Some("b"), EventAction::Add), None),
        item(3, ev(Some("a"), EventAction::Cancel), None),
        item(4, ev(Some("zz"), EventAction::Cancel), None),
    ]);
    let f = found(&p, &[("a", 17)]);
    assert!(p.absorb(&f).is_empty());
    let w = p.wave();
    let calls: Vec<(u64, String)> = w
        .tasks
        .iter()
        .map(|t| (t.row.row, t.calls[0].name()))
        .collect();
    assert_eq!(
        calls,
        [
            (1, "schedule_scheduleevent.update".to_string()),
            (2, "schedule_scheduleevent.add".to_string())
        ],
        "row 3 waits for row 1 (same UID)"
    );
    assert_eq!(w.tasks[0].calls[0].params["scheduleEventId"], 17);
    assert_eq!(w.tasks[1].check, Check::Lookup(ref_key("b")));
    assert!(
        matches!(&w.settled[..], [(r, Settle::Failed { code: Some(c), .. })]
        if r.row == 4 && c == "SCHEDULE_EVENT_NOT_FOUND")
    );
    for t in &w.tasks {
        p.finished(t, TaskResult::Ok(&[json!({"id": 17})]));
    }
    let w = p.wave();
    assert_eq!(w.tasks.len(), 1);
    assert_eq!(w.tasks[0].calls[0].name(), "schedule_scheduleevent.cancel");
    assert_eq!(w.tasks[0].calls[0].params["scheduleEventId"], 17);
}

#[test]
fn resources_link_by_reference_and_missing_names_fail() {
    let mut e = ev(None, EventAction::Add);
    e.resource_system_name = Some("room".into());
    e.resource_id = Some("5".into());
    let mut bad = ev(None, EventAction::Add);
    bad.resource_system_name = Some("nowhere".into());
    let mut p = EventPlanner::new(vec![item(1, e, None), item(2, bad, None)]);
    let mut f = Found::default();
    f.insert(
        resource_key("room"),
        vec![json!({"id": 9, "systemName": "room"})],
    );
    f.insert(resource_key("nowhere"), vec![]);
    p.absorb(&f);
    let w = p.wave();
    let t = &w.tasks[0];
    assert_eq!(t.check, Check::Unidentifiable);
    assert_eq!(t.calls.len(), 3);
    let links: Vec<&Value> = t.calls[1..]
        .iter()
        .map(|c| &c.params["scheduleEventResource"]["resourceId"])
        .collect();
    assert_eq!(links, [&json!(5), &json!(9)]);
    assert_eq!(
        t.calls[1].params["scheduleEventResource"]["eventId"],
        result_ref(1, "id")
    );
    assert!(
        matches!(&w.settled[..], [(_, Settle::Failed { code: Some(c), .. })] if c == "RESOURCE_NOT_FOUND")
    );
}

#[test]
fn an_add_in_doubt_is_adopted_or_refused_without_a_key() {
    let sent = |row| testing::sent(row, "add");
    let mut linked = ev(Some("a"), EventAction::Add);
    linked.resource_id = Some("5".into());
    let mut p = EventPlanner::new(vec![
        item(1, linked, Some(sent(1))),
        item(2, ev(None, EventAction::Add), Some(sent(2))),
        item(3, ev(Some("c"), EventAction::Add), Some(sent(3))),
    ]);
    let f = found(&p, &[("a", 40), ("c", 41)]);
    let settled = p.absorb(&f);
    assert!(
        matches!(&settled[..], [(r, Settle::Failed { code: Some(c), .. })]
        if r.row == 2 && c == OUTCOME_UNKNOWN)
    );
    let w = p.wave();
    // Row 1: only its link is sent again, to the adopted event.
    assert_eq!(w.tasks.len(), 1);
    assert_eq!(
        w.tasks[0].calls[0].name(),
        "schedule_scheduleeventresource.add"
    );
    assert_eq!(
        w.tasks[0].calls[0].params["scheduleEventResource"]["eventId"],
        40
    );
    // Row 3 had no link: done with the adopted id.
    assert!(w.settled.iter().any(
        |(r, s)| r.row == 3 && matches!(s, Settle::Done { object_id, .. } if object_id == "41")
    ));
    let s = p.finished(&w.tasks[0], TaskResult::Ok(&[json!({"eventId": 40})]));
    assert!(matches!(s, Settle::Done { object_id, .. } if object_id == "40"));
}
