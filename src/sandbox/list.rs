//! `list` actions: Kaltura's pager (page size capped at 500, default 30, no result past offset
//! 10,000) and filters (`{field}Equal`, `{field}In`, `{field}NotIn`, `{field}GreaterThanOrEqual`,
//! `{field}LessThanOrEqual`), with `in` lists cut to their first 500 values as Kaltura does.
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::params;
use super::store::now_secs;

/// `KalturaPager::MAX_PAGE_SIZE`.
pub(crate) const MAX_PAGE_SIZE: i64 = 500;
/// Default page size of a list without a pager.
pub(crate) const DEFAULT_PAGE_SIZE: i64 = 30;
/// `SphinxCriteria::MAX_MATCHES`: no list reaches past this offset.
pub(crate) const MAX_MATCHES: i64 = 10_000;
/// `baseObjectFilter::$maxInValues`: an `in` filter keeps this many values.
pub(crate) const MAX_IN_VALUES: usize = 500;
/// Times below this (1980) in a date filter are relative to now, as Kaltura reads them.
const RELATIVE_TIME_LIMIT: i64 = 315_532_800;

/// Which slice of the matches a list returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pager {
    pub offset: usize,
    pub size: usize,
}

/// Reads `pager{pageSize, pageIndex}`; fails with `QUERY_EXCEEDED_MAX_MATCHES_ALLOWED` when the
/// page starts at or past 10,000 results.
pub(crate) fn pager(v: Option<&Value>) -> Result<Pager, ApiError> {
    let obj = v.and_then(Value::as_object);
    let size =
        params::int(obj.and_then(|o| o.get("pageSize")), "pageSize")?.unwrap_or(DEFAULT_PAGE_SIZE);
    let size = if size <= 0 {
        DEFAULT_PAGE_SIZE
    } else {
        size.min(MAX_PAGE_SIZE)
    };
    let index = params::int(obj.and_then(|o| o.get("pageIndex")), "pageIndex")?
        .unwrap_or(1)
        .max(1);
    let offset = (index - 1).saturating_mul(size);
    if offset >= MAX_MATCHES {
        return Err(ApiError::query_exceeded());
    }
    let size = size.min(MAX_MATCHES - offset);
    Ok(Pager {
        offset: offset as usize,
        size: size as usize,
    })
}

/// A filter object reduced to the conditions the sandbox evaluates.
pub(crate) struct Filter {
    conditions: Vec<(String, Op)>,
}

enum Op {
    Equal(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    AtLeast(i64),
    AtMost(i64),
}

const SUFFIXES: [&str; 5] = [
    "GreaterThanOrEqual",
    "LessThanOrEqual",
    "NotIn",
    "Equal",
    "In",
];

impl Filter {
    /// Builds a filter from its JSON form; conditions on fields outside `fields` are ignored,
    /// as Kaltura ignores properties a filter class does not have.
    pub fn new(v: Option<&Value>, fields: &[&str]) -> Result<Self, ApiError> {
        let mut conditions = Vec::new();
        let Some(obj) = v.and_then(Value::as_object) else {
            return Ok(Filter { conditions });
        };
        for (key, value) in obj {
            let Some((field, suffix)) = SUFFIXES
                .iter()
                .find_map(|s| key.strip_suffix(s).map(|f| (f, *s)))
            else {
                continue;
            };
            if !fields.contains(&field) || value.is_null() {
                continue;
            }
            let op = match suffix {
                "Equal" => match params::text(Some(value)) {
                    Some(t) => Op::Equal(t),
                    None => continue,
                },
                "In" | "NotIn" => {
                    let mut values = params::list(Some(value)).unwrap_or_default();
                    values.truncate(MAX_IN_VALUES);
                    if suffix == "In" {
                        Op::In(values)
                    } else {
                        Op::NotIn(values)
                    }
                }
                _ => {
                    let Some(mut n) = params::int(Some(value), key)? else {
                        continue;
                    };
                    if field.ends_with("Date") || field.ends_with("At") {
                        n = relative_time(n);
                    }
                    if suffix == "GreaterThanOrEqual" {
                        Op::AtLeast(n)
                    } else {
                        Op::AtMost(n)
                    }
                }
            };
            conditions.push((field.to_string(), op));
        }
        Ok(Filter { conditions })
    }

    /// Whether the filter names a condition on `field` (e.g. to decide about deleted objects).
    pub fn mentions(&self, field: &str) -> bool {
        self.conditions.iter().any(|(f, _)| f == field)
    }

    /// Whether an object satisfies every condition.
    pub fn matches(&self, object: &Value) -> bool {
        self.conditions.iter().all(|(field, op)| {
            let value = params::text(object.get(field.as_str()));
            match op {
                Op::Equal(t) => value.as_deref() == Some(t.as_str()),
                // An empty `in` list matches nothing, as in Kaltura.
                Op::In(list) => value.is_some_and(|v| list.contains(&v)),
                Op::NotIn(list) => value.is_none_or(|v| !list.contains(&v)),
                Op::AtLeast(n) => number(object.get(field.as_str())).is_some_and(|v| v >= *n),
                Op::AtMost(n) => number(object.get(field.as_str())).is_some_and(|v| v <= *n),
            }
        })
    }
}

fn number(v: Option<&Value>) -> Option<i64> {
    params::int(v, "").ok().flatten()
}

fn relative_time(t: i64) -> i64 {
    if t.abs() < RELATIVE_TIME_LIMIT {
        now_secs() + t
    } else {
        t
    }
}

/// Applies filter and pager to `objects` (already in list order) and builds the list response.
pub(crate) fn respond(
    objects: Vec<Value>,
    filter: &Filter,
    pager: Pager,
    response_type: &str,
) -> Value {
    let matching: Vec<Value> = objects.into_iter().filter(|o| filter.matches(o)).collect();
    let total = matching.len();
    let page: Vec<Value> = matching
        .into_iter()
        .skip(pager.offset)
        .take(pager.size)
        .collect();
    json!({"objectType": response_type, "objects": page, "totalCount": total})
}

/// A whole `list` action: reads the call's `filter` (on `fields`) and `pager`, loads the objects
/// `sql` selects (in list order) and returns the page.
pub(crate) fn run(
    tx: &rusqlite::Transaction<'_>,
    p: &super::params::Params,
    fields: &[&str],
    response_type: &str,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Value, ApiError> {
    run_visible(tx, p, fields, response_type, sql, args, |_| true)
}

/// [`run`] over the objects `visible` keeps (entitlement), before filters and pager.
pub(crate) fn run_visible(
    tx: &rusqlite::Transaction<'_>,
    p: &super::params::Params,
    fields: &[&str],
    response_type: &str,
    sql: &str,
    args: impl rusqlite::Params,
    visible: impl Fn(&Value) -> bool,
) -> Result<Value, ApiError> {
    let filter = Filter::new(p.root.get("filter"), fields)?;
    let pager = pager(p.root.get("pager"))?;
    let mut objects = super::store::objects(tx, sql, args)?;
    objects.retain(|o| visible(o));
    Ok(respond(objects, &filter, pager, response_type))
}

/// The object named by a filter's `objectType`, or none.
pub(crate) fn filter_class(v: Option<&Value>) -> Option<String> {
    params::non_empty(
        v.and_then(Value::as_object)
            .and_then(|o: &Map<String, Value>| o.get("objectType")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_caps_and_limits() {
        assert_eq!(
            pager(None).unwrap(),
            Pager {
                offset: 0,
                size: 30
            }
        );
        assert_eq!(pager(Some(&json!({"pageSize": 9999}))).unwrap().size, 500);
        assert_eq!(
            pager(Some(&json!({"pageSize": 500, "pageIndex": 20})))
                .unwrap()
                .offset,
            9_500
        );
        let err = pager(Some(&json!({"pageSize": 500, "pageIndex": 21}))).unwrap_err();
        assert_eq!(err.code, "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED");
        assert_eq!(
            pager(Some(&json!({"pageSize": 300, "pageIndex": 34})))
                .unwrap()
                .size,
            100
        );
    }

    #[test]
    fn filters_evaluate_and_cap_in_lists() {
        let many: Vec<String> = (0..600).map(|i| i.to_string()).collect();
        let f = Filter::new(
            Some(&json!({"idIn": many.join(","), "nameEqual": "a", "bogusEqual": 1})),
            &["id", "name"],
        )
        .unwrap();
        assert!(f.matches(&json!({"id": 499, "name": "a"})));
        assert!(
            !f.matches(&json!({"id": 500, "name": "a"})),
            "values past 500 are dropped"
        );
        assert!(!f.matches(&json!({"id": 1, "name": "b"})));
        let g = Filter::new(
            Some(&json!({"startDateGreaterThanOrEqual": 2_000_000_000})),
            &["startDate"],
        )
        .unwrap();
        assert!(g.matches(&json!({"startDate": 2_000_000_001})));
        assert!(!g.matches(&json!({"startDate": 1_999_999_999})));
    }
}
