//! Unit tests of the schedule-resource planner: waves, parents, cycles, rows in doubt.
use super::*;
use crate::submit::client::ApiError;
use crate::submit::journal::RowEntry;
use crate::submit::plan::testing;
use crate::submit::plan::{Item, Planner, Wave};
use serde_json::json;

fn item(row: u64, csv: &str, prior: Option<RowEntry>) -> Item {
    let c: Vec<&str> = csv.split(',').collect();
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let r = ScheduleResource {
        action: ResourceAction::from_code(c[0].parse().unwrap()).unwrap(),
        resource_id: None,
        name: opt(c[1]),
        resource_type: ResourceType::parse(c[2]).unwrap(),
        system_name: opt(c[3]),
        description: None,
        tags: None,
        parent_type: ResourceType::Location,
        parent_system_name: opt(c[4]),
    };
    testing::item("t.csv", row, RecordData::ScheduleResource(r), prior)
}

/// Lookups that found nothing for any key.
fn nothing(p: &ResourcePlanner) -> Found {
    testing::found(p.keys(), &[], "systemName")
}

fn rows(w: &Wave) -> Vec<u64> {
    w.tasks.iter().map(|t| t.row.row).collect()
}

fn ok(p: &mut ResourcePlanner, t: &Task, id: u64) {
    let s = p.finished(t, TaskResult::Ok(&[json!({"id": id, "status": 2})]));
    assert!(matches!(s, Settle::Done { .. }));
}

#[test]
fn parents_go_first_and_same_resource_rows_keep_file_order() {
    let mut p = ResourcePlanner::new(vec![
        item(1, "1,Child,camera,cam,bldg", None),
        item(2, "1,Parent,location,bldg,", None),
        item(3, "2,Again,camera,cam,", None),
        item(4, "1,Other,location,other,", None),
    ]);
    p.absorb(&nothing(&p));
    let w = p.wave();
    assert_eq!(rows(&w), [2, 4], "the child waits for its parent");
    for t in &w.tasks {
        ok(&mut p, t, t.row.row * 10);
    }
    let w = p.wave();
    assert_eq!(rows(&w), [1]);
    assert_eq!(
        w.tasks[0].calls[0].params["scheduleResource"]["parentId"],
        20
    );
    ok(&mut p, &w.tasks[0], 10);
    let w = p.wave();
    assert_eq!(
        rows(&w),
        [3],
        "the update waits for the add of the same name"
    );
    assert_eq!(w.tasks[0].calls[0].params["scheduleResourceId"], 10);
    ok(&mut p, &w.tasks[0], 10);
    assert!(p.wave().tasks.is_empty());
}

#[test]
fn cycles_and_failed_parents_fail_children_but_deferred_parents_defer_them() {
    let mut p = ResourcePlanner::new(vec![
        item(1, "1,A,location,a,b", None),
        item(2, "1,B,location,b,a", None),
        item(3, "1,P,location,p,", None),
        item(4, "1,C,camera,c,p", None),
        item(5, "1,Q,location,q,", None),
        item(6, "1,D,camera,d,q", None),
    ]);
    p.absorb(&nothing(&p));
    let w = p.wave();
    assert_eq!(rows(&w), [3, 5]);
    let err = ApiError {
        code: "X".into(),
        message: "no".into(),
    };
    let elements = [Err(err.clone())];
    let rejected = TaskResult::Rejected {
        at: 0,
        error: &err,
        before: &[],
        elements: &elements,
    };
    assert!(matches!(
        p.finished(&w.tasks[0], rejected),
        Settle::Failed { .. }
    ));
    p.abandoned(w.tasks[1].row, false);
    let w = p.wave();
    assert!(w.tasks.is_empty());
    let failed: Vec<u64> = w.settled.iter().map(|(r, _)| r.row).collect();
    assert_eq!(
        failed,
        [4, 1, 2],
        "the child of a failed parent, then the cycle"
    );
    assert!(matches!(&w.settled[1].1, Settle::Failed { code: Some(c), .. } if c == "PARENT_CYCLE"));
    assert_eq!(w.deferred.len(), 1);
    assert_eq!(
        w.deferred[0].0.row, 6,
        "the child of an unfinished parent waits for resume"
    );
}

#[test]
fn in_doubt_adds_are_adopted_when_found_and_resent_when_missing() {
    let doubt = |row| Some(testing::sent(row, "add"));
    let mut p = ResourcePlanner::new(vec![
        item(1, "1,A,location,a,", doubt(1)),
        item(2, "1,B,location,b,", doubt(2)),
        item(3, "1,C,location,c,", None),
    ]);
    let mut found = Found::default();
    for k in p.keys() {
        let objs = match k.value.as_str() {
            "a" | "c" => vec![json!({"id": 7, "systemName": k.value})],
            _ => vec![],
        };
        found.insert(k, objs);
    }
    let settled = p.absorb(&found);
    assert_eq!(settled.len(), 1);
    assert!(matches!(&settled[0].1, Settle::Done { object_id, .. } if object_id == "7"));
    let w = p.wave();
    assert_eq!(rows(&w), [2], "missing: sent again");
    assert_eq!(
        w.settled.len(),
        1,
        "an add of a name that existed before is refused"
    );
    assert!(
        matches!(&w.settled[0].1, Settle::Failed { code: Some(c), .. } if c == "SYSTEM_NAME_ALREADY_EXISTS")
    );
}

#[test]
fn a_child_is_ready_as_soon_as_its_parent_is_done_while_other_parents_are_out() {
    let mut p = ResourcePlanner::new(vec![
        item(1, "1,P,location,p,", None),
        item(2, "1,Q,location,q,", None),
        item(3, "1,C,camera,c,p", None),
        item(4, "1,D,camera,d,q", None),
        item(5, "2,Again,camera,c,", None),
    ]);
    p.absorb(&nothing(&p));
    let first = p.wave();
    assert_eq!(rows(&first), [1, 2]);
    assert!(p.wave().tasks.is_empty(), "nothing new while both are out");
    ok(&mut p, &first.tasks[0], 10);
    let w = p.wave();
    assert_eq!(rows(&w), [3], "P's child goes while Q is still out");
    assert_eq!(
        w.tasks[0].calls[0].params["scheduleResource"]["parentId"],
        10
    );
    ok(&mut p, &w.tasks[0], 30);
    let w = p.wave();
    assert_eq!(rows(&w), [5], "the update follows the add of the same name");
    ok(&mut p, &w.tasks[0], 30);
    ok(&mut p, &first.tasks[1], 20);
    assert_eq!(rows(&p.wave()), [4]);
}
