//! Unit tests of the category-entry planner: activate and reject by category id + entry id, an
//! assignment already as the row asks left alone, a missing one refused without a call, and a
//! moderation call whose answer was lost found done by the lookup instead of sent twice.
use super::*;
use crate::submit::journal::RowEntry;
use crate::submit::plan::testing;
use crate::submit::plan::{Found, Item, Planner, Recovery};
use serde_json::json;

fn item(row: u64, action: i64, category: i64, entry: &str, prior: Option<RowEntry>) -> Item {
    let e = CategoryEntry {
        action: Some(action),
        category_id: Some(category),
        entry_id: Some(entry.into()),
    };
    testing::item("ce.csv", row, RecordData::CategoryEntry(e), prior)
}

fn held(pairs: &[(&str, i64)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(key, status)| json!({"key": key, "status": status}))
        .collect()
}

fn word(s: &Settle) -> String {
    match s {
        Settle::Done { action, .. } => action.clone(),
        Settle::Failed { code, .. } => code.clone().unwrap_or_default(),
    }
}

#[test]
fn moderates_pending_assignments_and_leaves_the_rest() {
    let mut p = CategoryEntryPlanner::new(vec![
        item(1, 7, 5, "0_a", None),
        item(2, 8, 5, "0_b", None),
        item(3, 7, 5, "0_c", None),
        item(4, 7, 5, "0_d", None),
        item(5, 9, 5, "0_a", None),
    ]);
    let keys = p.keys();
    assert!(keys.iter().all(|k| k.list == BY_PAIR), "{keys:?}");
    let existing = held(&[("5:0_a", 1), ("5:0_b", 1), ("5:0_c", 2)]);
    p.absorb(&testing::found(keys, &existing, "key"));
    let w = p.wave();
    let tasks: Vec<(u64, String)> = w
        .tasks
        .iter()
        .map(|t| (t.row.row, t.calls[0].name()))
        .collect();
    assert_eq!(
        tasks,
        [
            (1, "categoryentry.activate".to_string()),
            (2, "categoryentry.reject".to_string())
        ]
    );
    assert_eq!(w.tasks[0].calls[0].params["entryId"], "0_a");
    assert_eq!(w.tasks[0].calls[0].params["categoryId"], 5);
    let settled: Vec<(u64, String)> = w.settled.iter().map(|(id, s)| (id.row, word(s))).collect();
    assert!(settled.contains(&(3, "unchanged".into())), "{settled:?}");
    assert!(
        settled.contains(&(4, "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY".into())),
        "{settled:?}"
    );
    let s = p.finished(&w.tasks[0], TaskResult::Ok(&[Value::Null]));
    assert_eq!(
        s,
        Settle::Done {
            action: "activate".into(),
            object_id: "5:0_a".into(),
            object_status: Some(2)
        }
    );
    // Row 5 waited for row 1 on the same pair; its action is unknown to the engine.
    let w = p.wave();
    let settled: Vec<(u64, String)> = w.settled.iter().map(|(id, s)| (id.row, word(s))).collect();
    assert_eq!(settled, [(5, "UNKNOWN_ACTION".to_string())]);
}

#[test]
fn a_lost_answer_is_found_done_not_sent_twice() {
    // A previous run sent row 1's activate and never learnt the outcome: the lookup finds it
    // active, so it is done; row 2's reject was not applied (still pending) and is planned.
    let mut p = CategoryEntryPlanner::new(vec![
        item(1, 7, 5, "0_a", Some(testing::sent(1, "activate"))),
        item(2, 8, 5, "0_b", Some(testing::sent(2, "reject"))),
    ]);
    let existing = held(&[("5:0_a", 2), ("5:0_b", 1)]);
    let settled = p.absorb(&testing::found(p.keys(), &existing, "key"));
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(word(&settled[0].1), "activate");
    let w = p.wave();
    assert_eq!(w.tasks.len(), 1);
    let task = w.tasks[0].clone();
    assert_eq!(task.calls[0].name(), "categoryentry.reject");

    // In this run its answer is lost too: the lookup after it decides.
    let mut found = Found::default();
    found.insert(pair_key("5:0_b"), held(&[("5:0_b", 1)]));
    assert!(matches!(p.recover(&task, &found), Recovery::Resend(_)));
    let mut found = Found::default();
    found.insert(pair_key("5:0_b"), held(&[("5:0_b", 4)]));
    match p.recover(&task, &found) {
        Recovery::Settled(s) => assert_eq!(word(&s), "reject"),
        r => panic!("{r:?}"),
    }
}
