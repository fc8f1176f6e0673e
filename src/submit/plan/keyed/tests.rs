//! Unit tests of the keyed planner over a made-up kind: what a new kind writes is its
//! description, and the planner does the rest (references first, file order, in doubt, dry runs).
use serde_json::json;

use super::*;
use crate::record::{RecordData, ResourceAction, ResourceType, ScheduleResource};
use crate::submit::multirequest::Call;
use crate::submit::plan::ListSpec;
use crate::submit::plan::common::{done, one_call, verdict};
use crate::submit::plan::testing;

const THINGS: ListSpec = ListSpec {
    service: "thing",
    filter_type: "ThingFilter",
    filter_field: "nameIn",
    object_field: "name",
};

/// Things by name, each naming its parent thing: a description and nothing else.
#[derive(Debug, Clone)]
struct Things;

impl Kind for Things {
    type Rec = ScheduleResource;
    type Name = String;
    type Extra = ();
    const DESCRIBE: &'static str = "things";
    const SAME: &'static str = "with the same name";
    const ID_LIST: Option<ListSpec> = None;
    const DELETED_STATUS: Option<i64> = None;

    fn take(data: RecordData) -> Option<ScheduleResource> {
        match data {
            RecordData::ScheduleResource(r) => Some(r),
            _ => None,
        }
    }
    fn name(r: &ScheduleResource) -> Option<String> {
        r.system_name.clone()
    }
    fn name_key(n: &String) -> Key {
        Key {
            list: THINGS,
            value: n.clone(),
        }
    }
    fn name_of(key: &Key) -> Option<String> {
        (key.list == THINGS).then(|| key.value.clone())
    }
    fn object_id(_: &ScheduleResource) -> Option<String> {
        None
    }
    fn touch(r: &ScheduleResource) -> Option<String> {
        r.system_name.clone()
    }
    fn adds(_: &ScheduleResource) -> bool {
        true
    }
    fn refs(r: &ScheduleResource, keys: &mut Vec<Key>) {
        keys.extend(r.parent_system_name.as_ref().map(Self::name_key));
    }
    fn task(p: &Keyed<Self>, i: usize) -> Result<Option<Task>, Verdict> {
        let row = &p.rows[i];
        if let Some(o) = &row.adopted {
            return Err(match done("add", o) {
                Some(s) => Verdict::Decided(s),
                None => Verdict::Defer("no id".into()),
            });
        }
        let parent = match &row.rec.parent_system_name {
            None => None,
            Some(n) => match p.resolve(i, n) {
                Ref::Exists(t) => Some(t.value()),
                Ref::Wait => return Ok(None),
                other => return Err(fail(None, format!("{other:?}"), "PARENT")),
            },
        };
        let name = Self::name(&row.rec).unwrap_or_default();
        let (action, call) = match p.existing(&name) {
            Ok(Some(t)) => ("update", Call::new("thing", "update").with("id", t.value())),
            _ => ("add", Call::new("thing", "add")),
        };
        let call = call.with("thing", json!({"name": name, "parentId": parent}));
        let check = Check::Lookup(Self::name_key(&name));
        Ok(Some(one_call(row.id, action, call, check)))
    }
    fn finished(_: &Keyed<Self>, _: usize, task: &Task, result: TaskResult<'_>) -> Settle {
        verdict(&task.action, Some(0), None, result)
    }
    fn cycle(_: &ScheduleResource) -> Settle {
        Settle::failed(None, "a cycle", "PARENT_CYCLE")
    }
}

fn thing(row: u64, name: &str, parent: Option<&str>, prior: Option<&str>) -> Item {
    let r = ScheduleResource {
        action: ResourceAction::Add,
        resource_id: None,
        name: None,
        resource_type: ResourceType::Location,
        system_name: Some(name.into()),
        description: None,
        tags: None,
        parent_type: ResourceType::Location,
        parent_system_name: parent.map(str::to_string),
    };
    let prior = prior.map(|a| testing::sent(row, a));
    testing::item("t.csv", row, RecordData::ScheduleResource(r), prior)
}

fn found(p: &Keyed<Things>, existing: &[(&str, u64)]) -> Found {
    let objs: Vec<Value> = existing
        .iter()
        .map(|(n, id)| json!({"id": id, "name": n}))
        .collect();
    testing::found(p.keys(), &objs, "name")
}

fn rows(w: &Wave) -> Vec<u64> {
    w.tasks.iter().map(|t| t.row.row).collect()
}

#[test]
fn a_described_kind_gets_references_file_order_doubt_and_dry_runs() {
    let mut p = Keyed::<Things>::new(vec![
        thing(1, "child", Some("parent"), None),
        thing(2, "parent", None, None),
        thing(3, "old", None, None),
        thing(4, "old", Some("old"), None),
        thing(5, "gone", None, Some("add")),
        thing(6, "a", Some("b"), None),
        thing(7, "b", Some("a"), None),
    ]);
    assert_eq!(p.describe(), "things");
    let f = found(&p, &[("old", 30), ("gone", 50)]);
    assert!(
        p.absorb(&f).is_empty(),
        "an adopted add still runs its task"
    );
    let preview = p.preview();
    let child = preview.iter().find(|c| c.row.row == 1).unwrap();
    assert_eq!(child.wave, 1, "a dry run puts the child after its parent");
    assert_eq!(child.calls[0].params["thing"]["parentId"], "{row 2}");

    let w = p.wave();
    assert_eq!(
        rows(&w),
        [2, 3],
        "the child waits for its parent, row 4 for row 3"
    );
    assert_eq!(w.tasks[1].action, "update");
    assert!(
        matches!(&w.settled[..], [(r, Settle::Done { object_id, .. })] if r.row == 5 && object_id == "50"),
        "the add in doubt was found: adopted"
    );
    for t in &w.tasks {
        let id = t.row.row * 10;
        p.finished(t, TaskResult::Ok(&[json!({"id": id})]));
    }
    let w = p.wave();
    assert_eq!(rows(&w), [1, 4]);
    assert_eq!(w.tasks[0].calls[0].params["thing"]["parentId"], 20);
    assert_eq!(w.tasks[1].calls[0].params["thing"]["parentId"], 30);
    for t in &w.tasks {
        p.finished(t, TaskResult::Ok(&[json!({"id": 1})]));
    }
    let w = p.wave();
    let cycle: Vec<u64> = w.settled.iter().map(|(r, _)| r.row).collect();
    assert_eq!(
        cycle,
        [6, 7],
        "rows that wait on each other fail as a cycle"
    );
}
