//! Request parameters as Kaltura reads them: path pairs, query string, and a JSON, form-encoded
//! or multipart body, merged into one JSON object. Nested names work in both Kaltura spellings,
//! `filter:objectType` and `filter[objectType]`.
use serde_json::{Map, Value};

use super::error::ApiError;
use super::http::Request;
use super::multipart::{self, FilePart};

/// Everything a call received: the merged parameters and any uploaded files.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pub root: Map<String, Value>,
    pub files: Vec<FilePart>,
}

/// Collects parameters as Kaltura's `infraRequestUtils::getRequestParams` does:
///
/// - the URL parameters are the query string with the path pairs (`/key/value` after the
///   action) over it, the first of a repeated path key winning (`getUrlRequestParams`);
/// - the body is read only when PHP or Kaltura would read it: a `Content-Type` of exactly
///   `application/json` with a trimmed body from `{` to `}` that decodes to a non-empty object;
///   for `multipart/form-data`, the `json` part alone when it decodes to a non-empty object (the
///   part both official clients send every parameter in), otherwise the plain fields; a
///   form-encoded body; anything else (another JSON spelling such as
///   `application/json; charset=utf-8`, malformed JSON, `text/plain`) is ignored, as PHP leaves
///   `$_POST` empty for it;
/// - the URL parameters replace the body's, recursively (`array_replace_recursive($post,
///   $_FILES, $urlParams)`): `filter[idIn]` in the query replaces that one filter field and
///   keeps the body's others.
///
/// `name__null` (the clients' `KalturaNullField`) then becomes an explicit null at `name`.
pub(crate) fn collect(request: &Request, path_pairs: &[&str]) -> Result<Params, ApiError> {
    let mut params = Params::default();
    if !request.body.is_empty() {
        read_body(request, &mut params)?;
    }
    let mut url = Map::new();
    parse_form(&request.query, &mut url);
    let mut path = Map::new();
    let mut seen = std::collections::HashSet::new();
    for pair in path_pairs.chunks(2) {
        let [k, v] = pair else { continue };
        let key = url_decode(k);
        if seen.insert(key.clone()) {
            set_nested(&mut path, &key, Value::String(url_decode(v)));
        }
    }
    replace_recursive(&mut url, path);
    replace_recursive(&mut params.root, url);
    apply_nulls(&mut params.root);
    Ok(params)
}

/// PHP's `array_replace_recursive` on objects: `over`'s values replace `base`'s, except that two
/// objects at the same key are merged the same way.
fn replace_recursive(base: &mut Map<String, Value>, over: Map<String, Value>) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(inner)) => {
                replace_recursive(existing, inner);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn read_body(request: &Request, params: &mut Params) -> Result<(), ApiError> {
    let content_type = request
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type == "application/json" {
        if let Some(body) = json_object(&request.body) {
            insert_all(&mut params.root, body);
        }
    } else if content_type.starts_with("multipart/form-data") {
        let boundary = multipart::boundary(request.header("content-type").unwrap_or(""))
            .ok_or_else(|| ApiError::invalid_request_body("multipart body without a boundary"))?;
        let parts = multipart::parse(&request.body, &boundary)
            .map_err(|e| ApiError::invalid_request_body(&e))?;
        let mut json_part = None;
        let mut fields = Map::new();
        for part in parts {
            if part.filename.is_some() {
                params.files.push(part);
                continue;
            }
            if part.name == "json" {
                json_part = json_object(&part.data);
            }
            let value = String::from_utf8_lossy(&part.data).into_owned();
            set_nested(&mut fields, &part.name, Value::String(value));
        }
        match json_part {
            Some(json) => insert_all(&mut params.root, json),
            None => params.root = fields,
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        parse_form(&String::from_utf8_lossy(&request.body), &mut params.root);
    }
    Ok(())
}

/// A body Kaltura takes as JSON parameters: trimmed, from `{` to `}`, decoding to a non-empty
/// object (`json_decode` giving an empty array counts as no body).
fn json_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    let trimmed = bytes.trim_ascii();
    if !(trimmed.starts_with(b"{") && trimmed.ends_with(b"}")) {
        return None;
    }
    match serde_json::from_slice(trimmed) {
        Ok(Value::Object(map)) if !map.is_empty() => Some(map),
        _ => None,
    }
}

fn insert_all(root: &mut Map<String, Value>, body: Map<String, Value>) {
    for (k, v) in body {
        set_nested(root, &k, v);
    }
}

/// Turns every `name__null` key, at any depth, into `name: null` (Kaltura's way of saying "set
/// this property to null"), overriding a value sent for `name` itself.
pub(crate) fn apply_nulls(map: &mut Map<String, Value>) {
    let nulled: Vec<String> = map
        .keys()
        .filter(|k| k.ends_with("__null"))
        .cloned()
        .collect();
    for key in nulled {
        map.remove(&key);
        let name = key.trim_end_matches("__null");
        if !name.is_empty() {
            map.insert(name.to_string(), Value::Null);
        }
    }
    for value in map.values_mut() {
        if let Value::Object(inner) = value {
            apply_nulls(inner);
        }
    }
}

/// Decodes `application/x-www-form-urlencoded` text into nested parameters.
pub(crate) fn parse_form(text: &str, root: &mut Map<String, Value>) {
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        set_nested(root, &url_decode(k), Value::String(url_decode(v)));
    }
}

/// Percent-decoding with `+` as space; malformed escapes are kept as they are.
pub(crate) fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2]))
            {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_digit(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Sets `value` at a nested name: `a:b:c`, `a[b][c]` and mixtures name the same place.
pub(crate) fn set_nested(root: &mut Map<String, Value>, key: &str, value: Value) {
    let normalized = key.replace('[', ":").replace(']', "");
    let segments: Vec<&str> = normalized.split(':').filter(|s| !s.is_empty()).collect();
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut node = root;
    for seg in parents {
        let slot = node
            .entry(seg.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else { return };
        node = next;
    }
    match (node.get_mut(*last), value) {
        // A JSON object merged over form fields (or the reverse) keeps both.
        (Some(Value::Object(existing)), Value::Object(new)) => {
            for (k, v) in new {
                set_nested(existing, &k, v);
            }
        }
        (_, value) => {
            node.insert(last.to_string(), value);
        }
    }
}

/// A parameter as text: strings as they are, numbers and booleans spelled out, null as absent.
pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// A non-empty text parameter.
pub(crate) fn non_empty(v: Option<&Value>) -> Option<String> {
    text(v).filter(|s| !s.is_empty())
}

/// An integer parameter: JSON numbers or numeric strings; empty or null is absent.
pub(crate) fn int(v: Option<&Value>, prop: &str) -> Result<Option<i64>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
            .map(Some)
            .ok_or_else(|| ApiError::numeric_value(prop)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ApiError::numeric_value(prop)),
        Some(Value::Bool(b)) => Ok(Some(i64::from(*b))),
        Some(_) => Err(ApiError::numeric_value(prop)),
    }
}

/// A boolean parameter: `true`/`false`, `1`/`0`, numbers; absent or unreadable gives `None`.
pub(crate) fn boolean(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Some(true),
            "0" | "false" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A comma-separated list parameter (Kaltura `...In` filters); a JSON array works too.
pub(crate) fn list(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::Array(items) => Some(items.iter().filter_map(|i| text(Some(i))).collect()),
        other => text(Some(other)).map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_names_in_both_spellings() {
        let mut root = Map::new();
        parse_form(
            "filter%5BobjectType%5D=X&filter:idIn=1,2&1:service=media&ks=a+b",
            &mut root,
        );
        assert_eq!(
            Value::Object(root),
            json!({
                "filter": {"objectType": "X", "idIn": "1,2"},
                "1": {"service": "media"},
                "ks": "a b"
            })
        );
    }

    #[test]
    fn null_fields_become_nulls_at_any_depth() {
        let mut root = Map::new();
        parse_form(
            "pager__null=&scheduleResource[description__null]=&scheduleResource[description]=x&scheduleResource[name]=n",
            &mut root,
        );
        apply_nulls(&mut root);
        assert_eq!(
            Value::Object(root),
            json!({"pager": null, "scheduleResource": {"description": null, "name": "n"}})
        );
    }

    #[test]
    fn url_decode_survives_bad_escapes() {
        assert_eq!(url_decode("a%2Cb%"), "a,b%");
        assert_eq!(url_decode("%zz%4"), "%zz%4");
        assert_eq!(url_decode("%C3%A9"), "é");
    }

    #[test]
    fn typed_reads() {
        assert_eq!(int(Some(&json!("42")), "p").unwrap(), Some(42));
        assert_eq!(int(Some(&json!(7)), "p").unwrap(), Some(7));
        assert_eq!(int(Some(&json!("")), "p").unwrap(), None);
        assert_eq!(
            int(Some(&json!("x")), "p").unwrap_err().code,
            "PROPERTY_VALIDATION_NUMERIC_VALUE"
        );
        assert_eq!(boolean(Some(&json!("true"))), Some(true));
        assert_eq!(list(Some(&json!("a, b,,c"))).unwrap(), vec!["a", "b", "c"]);
        assert_eq!(list(Some(&json!(["x", 2]))).unwrap(), vec!["x", "2"]);
    }
}
