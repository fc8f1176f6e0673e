//! Calls and multirequests: the [`Call`] value planners build, references from one call to the
//! result of an earlier call of the same task (`{N:result:path}` once numbered), the JSON body of
//! a multirequest, and the split of its response into one element per call.
//!
//! References are typed values ([`result_ref`]), not text: a cell of user data that happens to
//! read `{1:result:id}` is sent as that text and never renumbered.
use serde_json::{Map, Value, json};

use super::client::{ApiError, Element};

/// The key of the marker object [`result_ref`] builds.
const REF_KEY: &str = "$kbulkRef";

/// One API call: service, action and parameters (the KS and `format` are added when sending).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Service name as Kaltura spells it (`schedule_scheduleresource`, `media`, ...).
    pub service: String,
    /// Action name (`add`, `list`, ...).
    pub action: String,
    /// Parameters by name; objects nest (`scheduleResource: {objectType, name, ...}`).
    pub params: Map<String, Value>,
}

impl Call {
    /// A call with no parameters yet.
    pub fn new(service: &str, action: &str) -> Self {
        Call {
            service: service.to_string(),
            action: action.to_string(),
            params: Map::new(),
        }
    }

    /// Adds a parameter.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.insert(name.to_string(), value.into());
        self
    }

    /// `service.action`, for messages and dry runs.
    pub fn name(&self) -> String {
        format!("{}.{}", self.service, self.action)
    }

    /// Whether some text parameter looks like a placeholder (`{2:result...}`). Inside a
    /// multirequest the server would replace it with another call's result, corrupting the user's
    /// text, so such a call travels alone (see [`super::exec::pack`]).
    pub fn has_placeholder_text(&self) -> bool {
        self.params.values().any(placeholder_text)
    }

    /// The same call with every reference moved `offset` calls further (for packing a task
    /// whose first call lands at position `offset + 1` of a multirequest).
    pub fn shifted(&self, offset: usize) -> Call {
        Call {
            service: self.service.clone(),
            action: self.action.clone(),
            params: self
                .params
                .iter()
                .map(|(k, v)| (k.clone(), shift(v, offset)))
                .collect(),
        }
    }
}

/// A reference to the result of call number `call` (1-based, within the same task) at `path`
/// (`id`, `objects:0:id`; empty for the whole result). Sent as `{N:result:path}`.
pub fn result_ref(call: usize, path: &str) -> Value {
    json!({ REF_KEY: [call, path] })
}

fn as_ref(v: &Value) -> Option<(u64, &str)> {
    let obj = v.as_object()?;
    if obj.len() != 1 {
        return None;
    }
    let pair = obj.get(REF_KEY)?.as_array()?;
    match pair.as_slice() {
        [n, p] => Some((n.as_u64()?, p.as_str()?)),
        _ => None,
    }
}

fn placeholder_text(v: &Value) -> bool {
    match v {
        Value::String(s) => s.match_indices('{').any(|(i, _)| {
            let rest = &s[i + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0 && rest[digits..].starts_with(":result")
        }),
        Value::Object(m) => as_ref(v).is_none() && m.values().any(placeholder_text),
        Value::Array(items) => items.iter().any(placeholder_text),
        _ => false,
    }
}

fn shift(v: &Value, offset: usize) -> Value {
    if let Some((n, path)) = as_ref(v) {
        return result_ref(n as usize + offset, path);
    }
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), shift(v, offset)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| shift(v, offset)).collect()),
        other => other.clone(),
    }
}

fn encode(v: &Value) -> Value {
    if let Some((n, path)) = as_ref(v) {
        return Value::String(if path.is_empty() {
            format!("{{{n}:result}}")
        } else {
            format!("{{{n}:result:{path}}}")
        });
    }
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), encode(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(encode).collect()),
        other => other.clone(),
    }
}

/// The wire form of a call's parameters: references written as `{N:result:path}` (N moved by
/// `offset`).
pub fn encode_params(params: &Map<String, Value>, offset: usize) -> Map<String, Value> {
    params
        .iter()
        .map(|(k, v)| (k.clone(), encode(&shift(v, offset))))
        .collect()
}

/// The JSON body of a multirequest: the shared `ks` and `format`, then `"1"`, `"2"`, ... each
/// holding `service`, `action` and the call's parameters.
pub fn body(ks: &str, calls: &[Call]) -> Value {
    let mut root = Map::new();
    root.insert("format".into(), Value::from(1));
    root.insert("ks".into(), Value::String(ks.to_string()));
    for (i, call) in calls.iter().enumerate() {
        let mut element = encode_params(&call.params, 0);
        element.insert("service".into(), Value::String(call.service.clone()));
        element.insert("action".into(), Value::String(call.action.clone()));
        root.insert((i + 1).to_string(), Value::Object(element));
    }
    Value::Object(root)
}

/// Splits a multirequest response into `expected` elements. A single `KalturaAPIException`
/// instead of an array (the whole request refused, e.g. `INVALID_KS`) becomes that error for
/// every element; any other shape is an error message (the outcome is unknown).
pub fn elements(response: Value, expected: usize) -> Result<Vec<Element>, String> {
    if let Some(e) = ApiError::from_value(&response) {
        return Ok(vec![Err(e); expected]);
    }
    let Value::Array(items) = response else {
        return Err("the multirequest response is not an array".to_string());
    };
    if items.len() != expected {
        return Err(format!(
            "the multirequest response has {} elements for {expected} calls",
            items.len()
        ));
    }
    Ok(items
        .into_iter()
        .map(|v| match ApiError::from_value(&v) {
            Some(e) => Err(e),
            None => Ok(v),
        })
        .collect())
}

/// `params` with every reference replaced by the value it points at in `results` (the results
/// of the task's earlier calls, in order), for services that run a task's calls one by one.
pub fn resolve_refs(params: &Map<String, Value>, results: &[Value]) -> Map<String, Value> {
    fn resolve(v: &Value, results: &[Value]) -> Value {
        if let Some((n, path)) = as_ref(v) {
            return (n as usize)
                .checked_sub(1)
                .and_then(|i| results.get(i))
                .and_then(|r| at_path(r, path))
                .cloned()
                .unwrap_or(Value::Null);
        }
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), resolve(v, results)))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| resolve(v, results)).collect())
            }
            other => other.clone(),
        }
    }
    params
        .iter()
        .map(|(k, v)| (k.clone(), resolve(v, results)))
        .collect()
}

/// Reads `path` (`a:b:0:c`) inside a result, as placeholders do.
pub fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split(':')
        .filter(|s| !s.is_empty())
        .try_fold(v, |node, seg| match node {
            Value::Array(items) => items.get(seg.parse::<usize>().ok()?),
            other => other.get(seg),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_shift_and_encode_but_user_text_does_not() {
        let call = Call::new("schedule_scheduleeventresource", "add").with(
            "scheduleEventResource",
            json!({"eventId": result_ref(1, "id"), "note": "{1:result:id}"}),
        );
        let moved = call.shifted(4);
        let b = body("KS", &[Call::new("system", "ping"), moved]);
        assert_eq!(b["2"]["scheduleEventResource"]["eventId"], "{5:result:id}");
        assert_eq!(b["2"]["scheduleEventResource"]["note"], "{1:result:id}");
        assert_eq!(b["2"]["service"], "schedule_scheduleeventresource");
        assert_eq!(b["ks"], "KS");
        assert_eq!(b["1"]["action"], "ping");
        assert_eq!(encode(&result_ref(2, "")), json!("{2:result}"));
    }

    #[test]
    fn placeholder_text_is_spotted_but_references_are_not() {
        let text = Call::new("s", "a").with("o", json!({"d": ["x {12:result:id} y"]}));
        assert!(text.has_placeholder_text());
        let reference = Call::new("s", "a").with("id", result_ref(1, "id"));
        assert!(!reference.has_placeholder_text());
        assert!(
            !Call::new("s", "a")
                .with("d", "{x:result} {:result} {1:res")
                .has_placeholder_text()
        );
    }

    #[test]
    fn responses_split_per_element_and_odd_shapes_are_unknown() {
        let ok = elements(
            json!([{"id": 1}, {"objectType": "KalturaAPIException", "code": "X", "message": "m"}, null]),
            3,
        )
        .unwrap();
        assert_eq!(ok[0], Ok(json!({"id": 1})));
        assert_eq!(ok[1].as_ref().unwrap_err().code, "X");
        assert_eq!(ok[2], Ok(Value::Null));
        assert!(elements(json!([1]), 2).is_err());
        assert!(elements(json!({"id": 1}), 1).is_err());
        let refused = elements(
            json!({"objectType": "KalturaAPIException", "code": "INVALID_KS"}),
            2,
        )
        .unwrap();
        assert!(
            refused
                .iter()
                .all(|e| e.as_ref().unwrap_err().is_invalid_ks())
        );
    }

    #[test]
    fn paths_walk_objects_and_arrays() {
        let v = json!({"objects": [{"id": 7}]});
        assert_eq!(at_path(&v, "objects:0:id"), Some(&json!(7)));
        assert_eq!(at_path(&v, "objects:1:id"), None);
        assert_eq!(at_path(&v, ""), Some(&v));
    }
}
