//! JSON Schemas generated from the types: the normalized records and the JSON Lines stream of
//! `check`, `convert` and `submit` (`diagnostic`).
//! `schemas/*.schema.json` are these, committed; a test keeps them in step.
use schemars::schema_for;

use crate::record::App;
use crate::record::{
    Category, CategoryEntry, CategoryUser, Entry, JsonRecord, ScheduleEvent, ScheduleResource, User,
};
use crate::stream::StreamLine;

/// The schema names `kbulk schema` knows, with their file names under `schemas/`.
pub const NAMES: &[(&str, &str)] = &[
    ("diagnostic", "diagnostic.schema.json"),
    ("schedule-resource", "schedule-resource.schema.json"),
    ("schedule-event", "schedule-event.schema.json"),
    ("entry", "entry.schema.json"),
    ("category", "category.schema.json"),
    ("user", "user.schema.json"),
    ("category-user", "category-user.schema.json"),
    ("category-entry", "category-entry.schema.json"),
    ("app", "app.schema.json"),
    ("record", "record.schema.json"),
];

/// The schema called `name` as pretty JSON, or `None` for an unknown name.
pub fn schema(name: &str) -> Option<String> {
    let s = match name {
        "diagnostic" => schema_for!(StreamLine),
        "schedule-resource" => record_schema(schema_for!(ScheduleResource), "scheduleResource"),
        "schedule-event" => record_schema(schema_for!(ScheduleEvent), "scheduleEvent"),
        "entry" => record_schema(schema_for!(Entry), "entry"),
        "category" => record_schema(schema_for!(Category), "category"),
        "user" => record_schema(schema_for!(User), "user"),
        "category-user" => record_schema(schema_for!(CategoryUser), "categoryUser"),
        "category-entry" => record_schema(schema_for!(CategoryEntry), "categoryEntry"),
        // One line of App JSON Lines: the App object as the App Registry returns it, no `kind`
        // (in kbulk JSON Lines the same fields come with `kind: "app"`, see `record`).
        "app" => schema_for!(App),
        "record" => schema_for!(JsonRecord),
        _ => return None,
    };
    Some(serde_json::to_string_pretty(&s).expect("schemas serialize") + "\n")
}

/// A record type's schema made to describe one JSON Lines line: it also carries `kind` and may
/// carry `origin`.
fn record_schema(mut s: schemars::Schema, kind: &str) -> schemars::Schema {
    if let Some(obj) = s.as_object_mut() {
        if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
            props.insert("kind".into(), serde_json::json!({"const": kind}));
            props.insert("origin".into(), serde_json::json!({"type": "object", "description": "Where the record was read from (informational)."}));
        }
        if let Some(req) = obj.get_mut("required").and_then(|r| r.as_array_mut()) {
            req.push("kind".into());
        } else {
            obj.insert("required".into(), serde_json::json!(["kind"]));
        }
    }
    s
}
