//! Unit tests of the user planner: add-or-update by userId, a missing group made in the row's
//! multirequest, a group a row of the file adds waited for, and `-group` removal.
use super::*;
use crate::submit::plan::testing;
use crate::submit::plan::{Item, Planner, Wave};
use serde_json::json;

fn item(row: u64, action: i64, id: &str, group: &str) -> Item {
    let u = User {
        action: Some(action),
        user_id: Some(id.into()),
        group: (!group.is_empty()).then(|| group.to_string()),
        ..User::default()
    };
    testing::item("u.csv", row, RecordData::User(u), None)
}

fn named(row: u64, id: &str, screen_name: &str) -> Item {
    let u = User {
        action: Some(6),
        user_id: Some(id.into()),
        screen_name: Some(screen_name.into()),
        ..User::default()
    };
    testing::item("u.csv", row, RecordData::User(u), None)
}

fn rows(w: &Wave) -> Vec<u64> {
    w.tasks.iter().map(|t| t.row.row).collect()
}

fn calls(w: &Wave, i: usize) -> Vec<String> {
    w.tasks[i]
        .calls
        .iter()
        .map(|c| format!("{}.{}", c.service, c.action))
        .collect()
}

#[test]
fn upserts_groups_and_removals() {
    let mut p = UserPlanner::new(vec![
        named(1, "known", "Known"),
        item(2, 6, "new", "absent"),
        item(3, 2, "known", "-old"),
        item(4, 1, "member", "team"),
        item(5, 1, "team", ""),
    ]);
    p.absorb(&testing::found(p.keys(), &[json!({"id": "known"})], "id"));
    let w = p.wave();
    assert_eq!(
        rows(&w),
        [1, 2, 5],
        "row 3 waits for row 1, row 4 for the group row 5"
    );
    assert_eq!(w.tasks[0].action, "update");
    assert_eq!(
        calls(&w, 1),
        ["user.add", "user.add", "groupuser.add"],
        "the group is made first"
    );
    assert_eq!(w.tasks[1].calls[1].params["user"]["type"], 1);
    for t in &w.tasks {
        let id = t.calls[0].params["user"]["id"].clone();
        let s = p.finished(t, TaskResult::Ok(&[json!({"id": id})]));
        assert!(matches!(s, Settle::Done { .. }), "{s:?}");
    }
    let w = p.wave();
    assert_eq!(rows(&w), [3, 4]);
    assert_eq!(calls(&w, 0), ["user.update", "groupuser.delete"]);
    assert_eq!(w.tasks[0].calls[1].params["groupId"], "old");
    assert_eq!(
        calls(&w, 1),
        ["user.add", "groupuser.add"],
        "the group exists now"
    );
}

#[test]
fn an_update_that_changes_nothing_is_not_sent() {
    let mut p = UserPlanner::new(vec![named(1, "ann", "Ann"), named(2, "bob", "Robert")]);
    let held = [
        json!({"id": "ann", "screenName": "Ann", "status": 1}),
        json!({"id": "bob", "screenName": "Bob", "status": 1}),
    ];
    p.absorb(&testing::found(p.keys(), &held, "id"));
    let w = p.wave();
    assert_eq!(rows(&w), [2], "only bob changes");
    assert_eq!(w.tasks[0].calls[0].params["user"]["screenName"], "Robert");
    assert!(
        matches!(&w.settled[..], [(id, Settle::Done { action, .. })] if id.row == 1 && action == "unchanged"),
        "{:?}",
        w.settled
    );
}
