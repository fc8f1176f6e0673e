//! Batched lookups: many [`Key`]s answered by few `list` calls — values grouped by list, at most
//! 100 per `...In` filter (as Kaltura's own workers do), a pager of 500 followed to the last page,
//! the calls themselves sent in parallel multirequests. Lists change nothing, so every transient
//! failure is simply retried; a key still unanswered at the end is reported as failed, never
//! guessed.
use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::auth::Secret;
use super::exec::{Executor, Sent};
use super::multirequest::Call;
use super::plan::{Found, Key, ListSpec};
use super::retry::RetryPolicy;

/// Values per `...In` filter.
pub const MAX_IN_FILTER: usize = 100;
/// Page size asked for (Kaltura's maximum).
pub const PAGE_SIZE: usize = 500;

/// One list call to make: the keys it answers and the page.
#[derive(Debug, Clone)]
struct Query {
    list: ListSpec,
    values: Vec<String>,
    page: usize,
    failures: u32,
    /// How long the server last asked to wait (`Retry-After`).
    asked: Option<Duration>,
}

impl Query {
    fn call(&self) -> Call {
        if self.list.service == super::registry::SERVICE {
            // The App Registry's list: arrays of values, an offset pager of up to 5000.
            return Call::new(self.list.service, "list")
                .with("filter", json!({ self.list.filter_field: self.values }))
                .with(
                    "pager",
                    json!({"offset": (self.page - 1) * PAGE_SIZE, "limit": PAGE_SIZE}),
                );
        }
        let mut filter = serde_json::Map::new();
        filter.insert("objectType".into(), json!(self.list.filter_type));
        if let Some(parts) = compound(&self.list) {
            compound_filter(&parts, &self.values, &mut filter);
            return Call::new(self.list.service, "list")
                .with("filter", serde_json::Value::Object(filter))
                .with(
                    "pager",
                    json!({"pageSize": PAGE_SIZE, "pageIndex": self.page}),
                );
        }
        match self.values.as_slice() {
            // A value with a comma cannot travel in an `In` list: ask for it alone.
            [one] if one.contains(',') && !self.list.filter_field.ends_with("Equal") => {
                let field = self
                    .list
                    .filter_field
                    .strip_suffix("In")
                    .unwrap_or(self.list.filter_field);
                filter.insert(format!("{field}Equal"), json!(one));
            }
            values => {
                filter.insert(self.list.filter_field.into(), json!(values.join(",")));
            }
        }
        Call::new(self.list.service, "list")
            .with("filter", serde_json::Value::Object(filter))
            .with(
                "pager",
                json!({"pageSize": PAGE_SIZE, "pageIndex": self.page}),
            )
    }

    fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.values.iter().map(|v| Key {
            list: self.list,
            value: v.clone(),
        })
    }
}

/// The fields of a compound list (`filter_field` `categoryIdIn:userIdIn`, `object_field`
/// `categoryId:userId`): pairs of (filter field, object field). Its keys' values are the fields'
/// values joined by `:`, the last taking the rest (so only the last may hold a `:`).
fn compound(list: &ListSpec) -> Option<Vec<(&'static str, &'static str)>> {
    let filters: Vec<&str> = list.filter_field.split(':').collect();
    let fields: Vec<&str> = list.object_field.split(':').collect();
    (fields.len() > 1 && filters.len() == fields.len())
        .then(|| filters.into_iter().zip(fields).collect())
}

/// The parts of a compound key's value, one per field.
pub fn compound_parts(value: &str, n: usize) -> Vec<&str> {
    value.splitn(n, ':').collect()
}

/// The filter of a compound query: every field's distinct values as its `In` list (the answer
/// is the cross product, which [`absorb`] sorts back to the keys); a value with a comma is asked
/// alone through `Equal`.
fn compound_filter(
    parts: &[(&'static str, &'static str)],
    values: &[String],
    filter: &mut serde_json::Map<String, Value>,
) {
    for (n, (field, _)) in parts.iter().enumerate() {
        let mut of_field: Vec<&str> = values
            .iter()
            .filter_map(|v| compound_parts(v, parts.len()).get(n).copied())
            .collect();
        of_field.sort_unstable();
        of_field.dedup();
        match of_field.as_slice() {
            [one] if one.contains(',') => {
                let base = field.strip_suffix("In").unwrap_or(field);
                filter.insert(format!("{base}Equal"), json!(one));
            }
            many => {
                filter.insert((*field).into(), json!(many.join(",")));
            }
        }
    }
}

/// The value of `o` a key of `list` is compared with (a compound list's fields joined by `:`).
fn object_value(list: &ListSpec, o: &Value) -> Option<String> {
    match compound(list) {
        Some(parts) => parts
            .iter()
            .map(|(_, f)| o.get(*f).and_then(text))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(":")),
        None => o.get(list.object_field).and_then(text),
    }
}

/// The text of a field for comparison with a key (numbers as digits).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Looks every key up. `sleep` waits between retry rounds (tests pass a no-op).
pub fn find(
    exec: &Executor,
    ks: &Secret,
    keys: &[Key],
    retry: &RetryPolicy,
    sleep: &dyn Fn(Duration),
) -> Found {
    let mut grouped: BTreeMap<ListSpec, Vec<String>> = BTreeMap::new();
    for k in keys {
        grouped.entry(k.list).or_default().push(k.value.clone());
    }
    let mut queries = Vec::new();
    for (list, mut values) in grouped {
        values.sort();
        values.dedup();
        // Lists with only an `...Equal` filter (no `In`) are asked one value at a time.
        let single = list.filter_field.ends_with("Equal");
        let (alone, together): (Vec<String>, Vec<String>) =
            values.into_iter().partition(|v| single || v.contains(','));
        for chunk in together.chunks(MAX_IN_FILTER) {
            queries.push(Query {
                list,
                values: chunk.to_vec(),
                page: 1,
                failures: 0,
                asked: None,
            });
        }
        queries.extend(alone.into_iter().map(|v| Query {
            list,
            values: vec![v],
            page: 1,
            failures: 0,
            asked: None,
        }));
    }
    let mut found = Found::default();
    let mut round = 0;
    while !queries.is_empty() {
        if round > 0 {
            let worst = queries.iter().map(|q| q.failures).max().unwrap_or(1);
            let asked = queries.iter().filter_map(|q| q.asked).max();
            sleep(retry.delay_after(worst, asked));
        }
        round += 1;
        let calls: Vec<Call> = queries.iter().map(Query::call).collect();
        let units: Vec<&[Call]> = calls.iter().map(std::slice::from_ref).collect();
        let mut answers: Vec<(usize, Sent)> = Vec::new();
        let _ = exec.run::<()>(ks, &units, &mut |done, _| {
            answers.extend(done);
            Ok(())
        });
        let mut again = Vec::new();
        for (i, sent) in answers {
            let q = &queries[i];
            match sent {
                Sent::Answered(mut elements) => match elements.pop() {
                    Some(Ok(v)) => {
                        if let Some(next) = absorb(q, &v, &mut found) {
                            again.push(next);
                        }
                    }
                    Some(Err(e)) => {
                        for k in q.keys() {
                            found.fail(k, e.to_string());
                        }
                    }
                    None => {
                        again.extend(retry_or_fail(q, "empty answer", None, retry, &mut found));
                    }
                },
                Sent::Failed(f) if f.transient() => {
                    again.extend(retry_or_fail(
                        q,
                        &f.message,
                        f.retry_after,
                        retry,
                        &mut found,
                    ));
                }
                Sent::Failed(f) => {
                    for k in q.keys() {
                        found.fail(k, f.message.clone());
                    }
                }
            }
        }
        queries = again;
    }
    found
}

fn retry_or_fail(
    q: &Query,
    why: &str,
    asked: Option<Duration>,
    retry: &RetryPolicy,
    found: &mut Found,
) -> Option<Query> {
    let failures = q.failures + 1;
    if retry.allows(failures) {
        return Some(Query {
            failures,
            asked,
            ..q.clone()
        });
    }
    for k in q.keys() {
        found.fail(k, format!("lookup failed after {failures} attempts: {why}"));
    }
    None
}

/// Files a list answer under its keys; returns the query for the next page when there is one.
fn absorb(q: &Query, v: &Value, found: &mut Found) -> Option<Query> {
    let Some(objects) = v.get("objects").and_then(Value::as_array) else {
        for k in q.keys() {
            found.fail(k, "the list answer has no objects".into());
        }
        return None;
    };
    let mut by_value: BTreeMap<&str, Vec<Value>> =
        q.values.iter().map(|v| (v.as_str(), Vec::new())).collect();
    for o in objects {
        if let Some(t) = object_value(&q.list, o)
            && let Some(slot) = by_value.get_mut(t.as_str())
        {
            slot.push(o.clone());
        }
    }
    for (value, objs) in by_value {
        found.insert(
            Key {
                list: q.list,
                value: value.to_string(),
            },
            objs,
        );
    }
    let total = v.get("totalCount").and_then(Value::as_u64).unwrap_or(0) as usize;
    let seen = (q.page - 1) * PAGE_SIZE + objects.len();
    (objects.len() >= PAGE_SIZE && total > seen && q.page < 20).then(|| Query {
        page: q.page + 1,
        ..q.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::plan::Lookup;

    const SPEC: ListSpec = ListSpec {
        service: "schedule_scheduleresource",
        filter_type: "KalturaCameraScheduleResourceFilter",
        filter_field: "systemNameIn",
        object_field: "systemName",
    };

    #[test]
    fn queries_use_in_lists_and_equal_for_commas() {
        let q = Query {
            list: SPEC,
            values: vec!["a".into(), "b".into()],
            page: 1,
            failures: 0,
            asked: None,
        };
        let c = q.call();
        assert_eq!(c.params["filter"]["systemNameIn"], "a,b");
        assert_eq!(c.params["pager"]["pageSize"], 500);
        let q = Query {
            values: vec!["x,y".into()],
            ..q
        };
        assert_eq!(q.call().params["filter"]["systemNameEqual"], "x,y");
    }

    #[test]
    fn compound_keys_filter_on_each_field_and_match_both() {
        const PAIRS: ListSpec = ListSpec {
            service: "categoryuser",
            filter_type: "KalturaCategoryUserFilter",
            filter_field: "categoryIdIn:userIdIn",
            object_field: "categoryId:userId",
        };
        let q = Query {
            list: PAIRS,
            values: vec!["5:ann".into(), "5:bob:x".into(), "7:ann".into()],
            page: 1,
            failures: 0,
            asked: None,
        };
        let c = q.call();
        assert_eq!(c.params["filter"]["categoryIdIn"], "5,7");
        assert_eq!(c.params["filter"]["userIdIn"], "ann,bob:x");
        let mut found = Found::default();
        let objs = json!({"objects": [
            {"categoryId": 5, "userId": "bob:x"},
            {"categoryId": 7, "userId": "bob:x"},
            {"categoryId": 7, "userId": "ann"},
        ], "totalCount": 3});
        assert!(absorb(&q, &objs, &mut found).is_none());
        let key = |v: &str| Key {
            list: PAIRS,
            value: v.into(),
        };
        assert_eq!(found.get(&key("5:ann")), Lookup::Missing);
        assert!(matches!(found.get(&key("5:bob:x")), Lookup::Found(o) if o.len() == 1));
        assert!(matches!(found.get(&key("7:ann")), Lookup::Found(o) if o[0]["categoryId"] == 7));
    }

    #[test]
    fn answers_file_under_keys_and_missing_is_empty() {
        let q = Query {
            list: SPEC,
            values: vec!["a".into(), "b".into()],
            page: 1,
            failures: 0,
            asked: None,
        };
        let mut found = Found::default();
        let next = absorb(
            &q,
            &json!({"objects": [{"id": 5, "systemName": "a"}, {"id": 6, "systemName": "zzz"}], "totalCount": 2}),
            &mut found,
        );
        assert!(next.is_none());
        let key = |v: &str| Key {
            list: SPEC,
            value: v.into(),
        };
        assert!(matches!(found.get(&key("a")), Lookup::Found(o) if o[0]["id"] == 5));
        assert_eq!(found.get(&key("b")), Lookup::Missing);
        let mut f2 = Found::default();
        assert!(absorb(&q, &json!({"nothing": 1}), &mut f2).is_none());
        assert!(matches!(f2.get(&key("a")), Lookup::Failed(_)));
    }
}
