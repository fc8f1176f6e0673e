//! Unit tests of the entry planner: parents first, implicit actions, rows in doubt.
use super::*;
use crate::record::entry::{Assets, ContentAsset, Resource};
use crate::submit::journal::RowEntry;
use crate::submit::plan::testing;
use crate::submit::plan::{Found, Item, Planner, Recovery};

fn item(row: u64, e: Entry, prior: Option<RowEntry>) -> Item {
    testing::item("t.xml", row, RecordData::Entry(Box::new(e)), prior)
}

fn entry(reference: Option<&str>, action: Option<EntryAction>) -> Entry {
    Entry {
        action,
        entry_type: Some("1".into()),
        reference_id: reference.map(str::to_string),
        name: Some("n".into()),
        category_ids: Some(vec![4, 5]),
        content_assets: Some(Assets {
            action: None,
            assets: vec![ContentAsset {
                resource: Some(Resource::Url {
                    url: "https://x/a.mp4".into(),
                }),
                ..ContentAsset::default()
            }],
        }),
        ..Entry::default()
    }
}

fn found(p: &EntryPlanner, existing: &[Value]) -> Found {
    testing::found(p.keys(), existing, "referenceId")
}

#[test]
fn a_second_stream_waits_for_its_parent_and_gets_its_id() {
    let mut child = entry(None, Some(EntryAction::Add));
    child.parent_reference_id = Some("cam1".into());
    let mut p = EntryPlanner::new(vec![
        item(1, child, None),
        item(2, entry(Some("cam1"), Some(EntryAction::Add)), None),
        item(3, entry(Some("old"), None), None),
    ]);
    let f = found(&p, &[json!({"id": "0_old", "referenceId": "old"})]);
    p.absorb(&f);
    let w = p.wave();
    let names: Vec<(u64, String)> = w
        .tasks
        .iter()
        .map(|t| {
            (
                t.row.row,
                t.calls.iter().map(Call::name).collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                2,
                "media.add media.addContent categoryEntry.add categoryEntry.add".to_string()
            ),
            (
                3,
                "media.update media.updateContent categoryEntry.add categoryEntry.add".to_string()
            ),
        ]
    );
    assert_eq!(w.tasks[0].check, Check::Lookup(key(BY_REFERENCE, "cam1")));
    assert_eq!(w.tasks[1].calls[0].params["entryId"], "0_old");
    let s = p.finished(
        &w.tasks[0],
        TaskResult::Ok(&[
            json!({"id": "0_new", "status": 7}),
            json!({"id": "0_new", "status": 2}),
            json!({}),
            json!({}),
        ]),
    );
    assert!(
        matches!(s, Settle::Done { ref object_id, object_status: Some(2), .. } if object_id == "0_new")
    );
    let w = p.wave();
    assert_eq!(w.tasks.len(), 1);
    assert_eq!(
        w.tasks[0].calls[0].params["entry"]["parentEntryId"],
        "0_new"
    );
    assert_eq!(w.tasks[0].check, Check::Unidentifiable);
}

#[test]
fn an_adopted_add_sends_only_what_the_entry_lacks() {
    let mut p = EntryPlanner::new(vec![item(1, entry(Some("r"), None), None)]);
    p.absorb(&found(&p, &[]));
    let w = p.wave();
    let t = &w.tasks[0];
    let mut f = Found::default();
    f.insert(
        key(BY_REFERENCE, "r"),
        vec![json!({"id": "0_r", "referenceId": "r", "status": 7, "categoriesIds": "4"})],
    );
    let Recovery::Resend(again) = p.recover(t, &f) else {
        panic!("resend what is missing")
    };
    let names: Vec<String> = again.calls.iter().map(Call::name).collect();
    assert_eq!(names, ["media.addContent", "categoryEntry.add"]);
    assert_eq!(again.calls[1].params["categoryEntry"]["categoryId"], 5);
    assert_eq!(again.check, Check::Idempotent);
    let s = p.finished(
        &again,
        TaskResult::Ok(&[json!({"id": "0_r", "status": 2}), json!({})]),
    );
    assert!(matches!(s, Settle::Done { ref object_id, .. } if object_id == "0_r"));
}

#[test]
fn unsupported_parts_fail_the_row_instead_of_being_dropped() {
    let mut e = entry(Some("t"), Some(EntryAction::Add));
    e.thumbnails = Some(Assets {
        action: None,
        assets: vec![Default::default()],
    });
    let mut p = EntryPlanner::new(vec![item(1, e, None)]);
    p.absorb(&found(&p, &[]));
    let w = p.wave();
    assert!(w.tasks.is_empty());
    assert!(
        matches!(&w.settled[..], [(_, Settle::Failed { code: Some(c), error, .. })]
        if c == "UNSUPPORTED_BY_SUBMIT" && error.contains("thumbnails"))
    );
}

#[test]
fn deletes_in_doubt_are_done_when_the_entry_is_gone() {
    let sent = |row| testing::sent(row, "delete");
    let mut by_id = entry(None, Some(EntryAction::Delete));
    by_id.entry_id = Some("0_gone".into());
    let mut p = EntryPlanner::new(vec![
        item(1, by_id, Some(sent(1))),
        item(
            2,
            entry(Some("r"), Some(EntryAction::Delete)),
            Some(sent(2)),
        ),
        item(
            3,
            entry(Some("still"), Some(EntryAction::Delete)),
            Some(sent(3)),
        ),
    ]);
    assert!(p.keys().contains(&key(BY_ID, "0_gone")));
    let mut f = found(&p, &[json!({"id": "0_s", "referenceId": "still"})]);
    f.insert(key(BY_ID, "0_gone"), vec![]);
    let settled = p.absorb(&f);
    let rows: Vec<u64> = settled.iter().map(|(r, _)| r.row).collect();
    assert_eq!(rows, [1, 2]);
    let w = p.wave();
    assert_eq!(w.tasks.len(), 1, "the entry still there is deleted again");
    assert_eq!(w.tasks[0].calls[0].params["entryId"], "0_s");
}
