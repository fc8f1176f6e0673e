//! Helpers shared by the API v3 services for reading the object a call sends: its class, the
//! properties it may set, read-only properties, lengths and numeric ids.
use serde_json::{Map, Value};

use super::error::ApiError;
use super::params::{self, Params};

/// Properties the server sets; a client that sends one gets `PROPERTY_VALIDATION_NOT_UPDATABLE`
/// unless it sends the current value back unchanged.
pub(crate) const READ_ONLY: [&str; 6] = [
    "id",
    "partnerId",
    "status",
    "createdAt",
    "updatedAt",
    "parentId",
];

/// The object parameter `name` of a call, which must be a JSON object.
pub(crate) fn object<'a>(p: &'a Params, name: &str) -> Result<&'a Map<String, Value>, ApiError> {
    p.root
        .get(name)
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// The object parameter `name` of a call, of class `class` when it names one (`objectType`).
pub(crate) fn object_of<'a>(
    p: &'a Params,
    name: &str,
    class: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    let sent = object(p, name)?;
    if let Some(other) = params::non_empty(sent.get("objectType")).filter(|c| c != class) {
        return Err(ApiError::invalid_object_type(&other));
    }
    Ok(sent)
}

/// The concrete class of an object: one of `known` (name and type code); missing → the base
/// class is abstract, anything else → invalid object type.
pub(crate) fn class(
    obj: &Map<String, Value>,
    base: &str,
    known: &[(&'static str, i64)],
) -> Result<(&'static str, i64), ApiError> {
    let Some(name) = params::non_empty(obj.get("objectType")) else {
        return Err(ApiError::object_type_abstract(base));
    };
    known
        .iter()
        .find(|(k, _)| *k == name)
        .copied()
        .ok_or_else(|| {
            if name == base {
                ApiError::object_type_abstract(base)
            } else {
                ApiError::invalid_object_type(&name)
            }
        })
}

/// Rejects read-only properties set to anything but their current value.
pub(crate) fn reject_read_only(
    obj: &Map<String, Value>,
    class: &str,
    read_only: &[&str],
    current: Option<&Value>,
) -> Result<(), ApiError> {
    for field in read_only {
        let Some(sent) = params::text(obj.get(*field)) else {
            continue;
        };
        let existing = current.and_then(|c| params::text(c.get(*field)));
        if existing.as_deref() != Some(sent.as_str()) {
            return Err(ApiError::not_updatable(&format!("{class}::{field}")));
        }
    }
    Ok(())
}

/// Copies the writable properties the client set from `src` into `dst`; an explicit null
/// (`name__null`, or a JSON null) clears the property.
pub(crate) fn copy(src: &Map<String, Value>, dst: &mut Value, writable: &[&str]) {
    for field in writable {
        match src.get(*field) {
            None => {}
            Some(Value::Null) => {
                if let Some(obj) = dst.as_object_mut() {
                    obj.remove(*field);
                }
            }
            Some(v) => dst[*field] = v.clone(),
        }
    }
}

/// Integer properties are stored as numbers whatever the client sent (form bodies send text).
pub(crate) fn normalize_ints(
    dst: &mut Value,
    class: &str,
    fields: &[&str],
) -> Result<(), ApiError> {
    for field in fields {
        if let Some(v) = dst.get(*field) {
            let n = params::int(Some(v), &format!("{class}::{field}"))?;
            dst[*field] = n.map(Value::from).unwrap_or(Value::Null);
        }
    }
    Ok(())
}

/// Checks a text property's length (in characters) when it is set.
pub(crate) fn check_length(
    obj: &Value,
    class: &str,
    field: &str,
    min: usize,
    max: usize,
) -> Result<(), ApiError> {
    if let Some(text) = params::text(obj.get(field)) {
        let n = text.chars().count();
        if n < min {
            return Err(ApiError::min_length(&format!("{class}::{field}"), min));
        }
        if n > max {
            return Err(ApiError::max_length(&format!("{class}::{field}"), max));
        }
    }
    Ok(())
}

/// A numeric id parameter: missing → `MISSING_MANDATORY_PARAMETER`, not a number →
/// `INVALID_OBJECT_ID` (what a client sending a name where an id belongs meets).
pub(crate) fn id(p: &Params, name: &str) -> Result<i64, ApiError> {
    let raw =
        params::non_empty(p.root.get(name)).ok_or_else(|| ApiError::missing_parameter(name))?;
    raw.trim()
        .parse()
        .map_err(|_| ApiError::invalid_object_id(&raw))
}

/// A text id parameter (entry ids, upload token ids).
pub(crate) fn text_id(p: &Params, name: &str) -> Result<String, ApiError> {
    params::non_empty(p.root.get(name)).ok_or_else(|| ApiError::missing_parameter(name))
}
