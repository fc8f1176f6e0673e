//! Unit tests of the category-user planner: add-or-update by category id + user id, the status
//! call after the add, an update that changes nothing left unsent, a delete of a missing
//! membership refused without a call.
use super::*;
use crate::submit::plan::testing;
use crate::submit::plan::{Item, Planner};
use serde_json::json;

fn item(
    row: u64,
    action: i64,
    category: i64,
    user: &str,
    level: Option<i64>,
    status: Option<i64>,
) -> Item {
    let c = CategoryUser {
        action: Some(action),
        category_id: Some(category),
        user_id: Some(user.into()),
        permission_level: level,
        status,
        ..CategoryUser::default()
    };
    testing::item("cu.csv", row, RecordData::CategoryUser(c), None)
}

#[test]
fn upserts_by_pair_and_leaves_unchanged_alone() {
    let mut p = CategoryUserPlanner::new(vec![
        item(1, 6, 5, "ann", Some(2), Some(1)),
        item(2, 6, 5, "bob", Some(3), None),
        item(3, 6, 7, "bob", Some(1), None),
        item(4, 3, 9, "cy", None, None),
        item(5, 1, 5, "bob", None, None),
    ]);
    let held = [
        json!({"key": "5:bob", "categoryId": 5, "userId": "bob", "permissionLevel": 3, "updateMethod": 1, "status": 1}),
        json!({"key": "7:bob", "categoryId": 7, "userId": "bob", "permissionLevel": 3, "updateMethod": 1, "status": 1}),
    ];
    let keys = p.keys();
    assert!(keys.iter().all(|k| k.list == BY_PAIR), "{keys:?}");
    p.absorb(&testing::found(keys, &held, "key"));
    let w = p.wave();
    let rows: Vec<u64> = w.tasks.iter().map(|t| t.row.row).collect();
    assert_eq!(
        rows,
        [1, 3],
        "row 2 is unchanged, 4 and 5 fail without a call"
    );
    let names: Vec<String> = w.tasks[0].calls.iter().map(|c| c.name()).collect();
    assert_eq!(names, ["categoryuser.add", "categoryuser.activate"]);
    assert_eq!(
        w.tasks[0].calls[0].params["categoryUser"]["updateMethod"],
        1
    );
    assert_eq!(w.tasks[1].action, "update");
    assert_eq!(
        w.tasks[1].calls[0].params["categoryUser"]["permissionLevel"],
        1
    );
    let settled: Vec<(u64, String)> = w
        .settled
        .iter()
        .map(|(id, s)| {
            let word = match s {
                Settle::Done { action, .. } => action.clone(),
                Settle::Failed { code, .. } => code.clone().unwrap_or_default(),
            };
            (id.row, word)
        })
        .collect();
    assert!(settled.contains(&(2, "unchanged".into())), "{settled:?}");
    assert!(
        settled.contains(&(4, "INVALID_CATEGORY_USER_ID".into())),
        "{settled:?}"
    );
    let s = p.finished(
        &w.tasks[0],
        TaskResult::Ok(&[json!({"categoryId": 5}), json!({})]),
    );
    assert!(
        matches!(&s, Settle::Done { object_id, .. } if object_id == "5:ann"),
        "{s:?}"
    );
}
