//! Unit tests of the App planner: add / update / no-op / status / delete, and adds in doubt.
use super::*;
use crate::record::app::OrganizationDomain;
use crate::submit::journal::RowEntry;
use crate::submit::plan::testing;
use crate::submit::plan::{Item, Planner};
use serde_json::json;

fn app(cid: &str, name: &str, status: Option<&str>) -> App {
    App {
        app_custom_id: Some(cid.into()),
        app_custom_name: Some(name.into()),
        app_type: Some("kms".into()),
        status: status.map(str::to_string),
        ..App::default()
    }
}

fn item(row: u64, a: App, prior: Option<RowEntry>) -> Item {
    testing::item("a.jsonl", row, RecordData::App(a), prior)
}

fn server(cid: &str, name: &str, status: &str) -> Value {
    json!({"id": format!("guid-{cid}"), "appCustomId": cid, "appCustomName": name,
           "appType": "kms", "status": status, "version": 3,
           "organizationDomain": {"domain": "a.com,b.com"}})
}

#[test]
fn upserts_compare_with_what_exists() {
    let mut bound = app("same", "Same", None);
    bound.organization_domain = Some(OrganizationDomain {
        organization_id: None,
        domain: Some(" a.com, b.com".into()),
    });
    let delete = App {
        action: Some("delete".into()),
        app_custom_id: Some("old".into()),
        ..App::default()
    };
    let mut p = AppPlanner::new(vec![
        item(1, app("new", "New", Some("disabled")), None),
        item(2, app("renamed", "Renamed", None), None),
        item(3, bound, None),
        item(4, app("off", "Off", Some("disabled")), None),
        item(5, delete, None),
        item(
            6,
            App {
                action: Some("delete".into()),
                app_custom_id: Some("nope".into()),
                ..App::default()
            },
            None,
        ),
    ]);
    let existing = [
        server("renamed", "Before", "enabled"),
        server("same", "Same", "enabled"),
        server("off", "Off", "enabled"),
        server("old", "Old", "enabled"),
    ];
    let keys = p.keys();
    assert!(keys.iter().all(|k| k.list == BY_CUSTOM_ID));
    p.absorb(&testing::found(keys, &existing, "appCustomId"));
    let w = p.wave();
    let got: Vec<_> = w
        .tasks
        .iter()
        .map(|t| {
            let calls: Vec<_> = t.calls.iter().map(|c| c.action.as_str()).collect();
            (t.row.row, t.action.as_str(), calls)
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "add", vec!["add", "disable"]),
            (2, "update", vec!["update"]),
            (4, "disable", vec!["disable"]),
            (5, "delete", vec!["delete"]),
        ]
    );
    assert_eq!(w.tasks[1].calls[0].params["id"], "guid-renamed");
    assert_eq!(w.tasks[0].calls[1].params["id"], result_ref(1, "id"));
    let settled: Vec<_> = w
        .settled
        .iter()
        .map(|(r, s)| match s {
            Settle::Done { action, .. } => (r.row, action.clone()),
            Settle::Failed { code, .. } => (r.row, code.clone().unwrap_or_default()),
        })
        .collect();
    // Row 3's whitespace is what the service strips: equal, nothing sent.
    assert_eq!(
        settled,
        [
            (3, UNCHANGED.to_string()),
            (6, "OBJECT_NOT_FOUND".to_string())
        ]
    );
    let s = p.finished(
        &w.tasks[0],
        TaskResult::Ok(&[
            json!({"id": "g1", "status": "enabled"}),
            json!({"id": "g1"}),
        ]),
    );
    assert_eq!(
        s,
        Settle::Done {
            action: "add".into(),
            object_id: "g1".into(),
            object_status: None
        }
    );
    let s = p.finished(&w.tasks[3], TaskResult::Ok(&[Value::Null]));
    assert!(matches!(s, Settle::Done { object_id, .. } if object_id == "guid-old"));
}

#[test]
fn an_add_in_doubt_is_adopted_and_only_what_is_missing_sent() {
    let mut p = AppPlanner::new(vec![
        item(
            1,
            app("a", "A", Some("disabled")),
            Some(testing::sent(1, "add")),
        ),
        item(2, app("b", "B", None), Some(testing::sent(2, "add"))),
    ]);
    let existing = [server("a", "A", "enabled"), server("b", "B", "enabled")];
    p.absorb(&testing::found(p.keys(), &existing, "appCustomId"));
    let w = p.wave();
    assert_eq!(w.tasks.len(), 1);
    assert_eq!(w.tasks[0].action, "disable");
    assert!(
        matches!(&w.settled[0].1, Settle::Done { action, object_id, .. }
        if action == "add" && object_id == "guid-b")
    );
}
