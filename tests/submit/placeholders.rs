//! The executor's references between calls of one task (`{N:result:id}`), packed at any offset
//! of a real multirequest, and a failed call whose dependents fail visibly instead of touching
//! another object.
use std::time::Duration;

use kbulk::sandbox::FaultConfig;
use kbulk::submit::auth::Secret;
use kbulk::submit::client::Client;
use kbulk::submit::exec::{Executor, Sent};
use kbulk::submit::multirequest::{Call, result_ref};
use serde_json::json;

use super::*;

fn add_then_rename(system_name: &str, new_name: &str) -> Vec<Call> {
    vec![
        Call::new("schedule_scheduleresource", "add").with(
            "scheduleResource",
            json!({"objectType": "KalturaLocationScheduleResource", "name": "first",
                   "systemName": system_name}),
        ),
        Call::new("schedule_scheduleresource", "update")
            .with("scheduleResourceId", result_ref(1, "id"))
            .with(
                "scheduleResource",
                json!({"objectType": "KalturaLocationScheduleResource", "name": new_name}),
            ),
    ]
}

#[test]
fn references_follow_their_task_in_a_packed_multirequest() {
    let h = sandbox(FaultConfig::default());
    let exec = Executor::new(
        Client::new(&h.api_v3_url(), Duration::from_secs(30)).unwrap(),
        20,
        2,
    );
    let ks = Secret::new(h.admin_ks().unwrap());
    let units = [
        add_then_rename("p-1", "renamed 1"),
        add_then_rename("p-2", "renamed 2"),
        // The add fails (no name): the update that depends on it must fail too.
        vec![
            Call::new("schedule_scheduleresource", "add").with(
                "scheduleResource",
                json!({"objectType": "KalturaLocationScheduleResource", "systemName": "p-3"}),
            ),
            add_then_rename("unused", "x").remove(1),
        ],
        // User text that reads like a placeholder: sent alone, as a plain call, kept verbatim.
        vec![Call::new("schedule_scheduleresource", "add").with(
            "scheduleResource",
            json!({"objectType": "KalturaLocationScheduleResource", "name": "renamed text",
                   "description": "{1:result:id} is user text"}),
        )],
    ];
    let refs: Vec<&[Call]> = units.iter().map(Vec::as_slice).collect();
    let mut answers = Vec::new();
    let mut dispatched = Vec::new();
    exec.run::<()>(&ks, &refs, &mut |done, going| {
        answers.extend(done);
        dispatched.extend_from_slice(going);
        Ok(())
    })
    .unwrap();
    assert_eq!(
        dispatched,
        [3, 0, 1, 2],
        "the plain call, then one multirequest of 6 calls"
    );
    assert_eq!(h.stats().requests, 2);
    answers.sort_by_key(|(u, _)| *u);
    for (u, sent) in &answers[..2] {
        let Sent::Answered(elements) = sent else {
            panic!("unit {u} answered")
        };
        let added = elements[0].as_ref().unwrap();
        let updated = elements[1].as_ref().unwrap();
        assert_eq!(
            updated["id"], added["id"],
            "the reference named this task's add"
        );
        assert_eq!(updated["name"], format!("renamed {}", u + 1));
    }
    let Sent::Answered(third) = &answers[2].1 else {
        panic!("answered")
    };
    assert_eq!(
        third[0].as_ref().unwrap_err().code,
        "PROPERTY_VALIDATION_CANNOT_BE_NULL"
    );
    assert!(third[1].is_err(), "the dependent call failed visibly");
    let Sent::Answered(fourth) = &answers[3].1 else {
        panic!("answered")
    };
    assert_eq!(
        fourth[0].as_ref().unwrap()["description"],
        "{1:result:id} is user text"
    );
    let (list, total) = all_resources(&h);
    assert_eq!(total, 3);
    assert!(
        list.iter()
            .all(|r| r["name"].as_str().unwrap().starts_with("renamed"))
    );
}
