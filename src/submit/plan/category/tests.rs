//! Unit tests of the category planner: parents first by full name, missing parents, add-or-update by
//! reference id under `relativePath`, and an add left in doubt adopted by full name.
use super::*;
use crate::submit::journal::RowEntry;
use crate::submit::plan::testing;
use crate::submit::plan::{Found, Item, Planner, Wave};
use serde_json::json;

fn item(
    row: u64,
    action: i64,
    name: &str,
    path: &str,
    reference: &str,
    prior: Option<RowEntry>,
) -> Item {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let c = Category {
        action: Some(action),
        name: opt(name),
        relative_path: opt(path),
        reference_id: opt(reference),
        ..Category::default()
    };
    testing::item("c.csv", row, RecordData::Category(c), prior)
}

fn rows(w: &Wave) -> Vec<u64> {
    w.tasks.iter().map(|t| t.row.row).collect()
}

fn ok(p: &mut CategoryPlanner, t: &Task, id: u64) {
    let s = p.finished(t, TaskResult::Ok(&[json!({"id": id, "status": 2})]));
    assert!(matches!(s, Settle::Done { .. }), "{s:?}");
}

#[test]
fn parents_go_first_by_full_name() {
    let mut p = CategoryPlanner::new(vec![
        item(1, 1, "Mechanics", "Courses>Physics", "", None),
        item(2, 1, "Physics", "Courses", "", None),
        item(3, 1, "Courses", "", "", None),
    ]);
    p.absorb(&testing::found(p.keys(), &[], "fullName"));
    let w = p.wave();
    assert_eq!(rows(&w), [3], "only the root is ready");
    ok(&mut p, &w.tasks[0], 30);
    let w = p.wave();
    assert_eq!(rows(&w), [2]);
    assert_eq!(w.tasks[0].calls[0].params["category"]["parentId"], 30);
    ok(&mut p, &w.tasks[0], 20);
    let w = p.wave();
    assert_eq!(rows(&w), [1]);
    assert_eq!(w.tasks[0].calls[0].params["category"]["parentId"], 20);
}

#[test]
fn parents_that_nothing_adds_fail_with_the_engines_words() {
    // Full names hold their parents, so rows naming each other cannot wait on each other.
    let mut p = CategoryPlanner::new(vec![
        item(1, 1, "A", "B", "", None),
        item(2, 1, "B", "A", "", None),
    ]);
    p.absorb(&testing::found(p.keys(), &[], "fullName"));
    let w = p.wave();
    assert!(w.tasks.is_empty());
    assert_eq!(w.settled.len(), 2, "both rows fail, nothing is sent");
    let mut codes: Vec<_> = w
        .settled
        .iter()
        .map(|(_, s)| match s {
            Settle::Failed { error, code, .. } => {
                assert!(
                    error.starts_with("Parent category not found for full name"),
                    "{error}"
                );
                code.clone().unwrap_or_default()
            }
            s => panic!("{s:?}"),
        })
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        ["PARENT_CATEGORY_NOT_FOUND", "PARENT_CATEGORY_NOT_FOUND"],
        "`B>A` and `A>B` add neither `A` nor `B`"
    );
}

#[test]
fn add_or_update_finds_the_reference_under_its_path() {
    let mut p = CategoryPlanner::new(vec![
        item(1, 6, "Physics", "Courses", "phys", None),
        item(2, 6, "Art", "Courses", "art", None),
    ]);
    let existing = [
        json!({"id": 7, "fullName": "Courses", "referenceId": ""}),
        json!({"id": 8, "fullName": "Old>Physics", "referenceId": "phys"}),
        json!({"id": 9, "fullName": "Courses>Physics", "referenceId": "phys"}),
    ];
    let mut found = Found::default();
    for k in p.keys() {
        let field = if k.list == BY_REFERENCE {
            "referenceId"
        } else {
            "fullName"
        };
        let objs = existing
            .iter()
            .filter(|o| o[field] == k.value.as_str())
            .cloned()
            .collect();
        found.insert(k, objs);
    }
    p.absorb(&found);
    let w = p.wave();
    assert_eq!(rows(&w), [1, 2]);
    assert_eq!(w.tasks[0].action, "update");
    assert_eq!(
        w.tasks[0].calls[0].params["id"], 9,
        "the one under relativePath"
    );
    assert_eq!(
        w.tasks[1].action, "add",
        "no category with that reference: added"
    );
    assert_eq!(w.tasks[1].calls[0].params["category"]["parentId"], 7);
}

#[test]
fn an_add_left_in_doubt_is_adopted_when_its_full_name_exists() {
    let mut p = CategoryPlanner::new(vec![item(
        1,
        1,
        "Courses",
        "",
        "",
        Some(testing::sent(1, "add")),
    )]);
    let settled = p.absorb(&testing::found(
        p.keys(),
        &[json!({"id": 5, "fullName": "Courses", "status": 2})],
        "fullName",
    ));
    let w = p.wave();
    let all: Vec<_> = settled.into_iter().chain(w.settled).collect();
    assert!(w.tasks.is_empty(), "not sent again");
    match &all[..] {
        [(_, Settle::Done { object_id, .. })] => assert_eq!(object_id, "5"),
        s => panic!("{s:?}"),
    }
}

#[test]
fn an_update_by_id_that_changes_nothing_is_not_sent() {
    let by_id = |row: u64, id: i64, description: &str| {
        let c = Category {
            action: Some(2),
            category_id: Some(id),
            name: Some("A".into()),
            description: Some(description.into()),
            ..Category::default()
        };
        testing::item("c.csv", row, RecordData::Category(c), None)
    };
    let mut p = CategoryPlanner::new(vec![by_id(1, 7, "same"), by_id(2, 8, "new")]);
    let keys = p.keys();
    assert!(
        keys.iter().any(|k| k.value == "7"),
        "looked up by id: {keys:?}"
    );
    let held = [
        json!({"id": "7", "name": "A", "description": "same", "status": 2}),
        json!({"id": "8", "name": "A", "description": "old", "status": 2}),
    ];
    p.absorb(&testing::found(keys, &held, "id"));
    let w = p.wave();
    assert_eq!(rows(&w), [2], "only category 8 changes");
    assert!(
        matches!(&w.settled[..], [(id, Settle::Done { action, object_id, .. })]
            if id.row == 1 && action == "unchanged" && object_id == "7"),
        "{:?}",
        w.settled
    );
}
