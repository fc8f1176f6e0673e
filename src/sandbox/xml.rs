//! API v3 response formats: `format=2` XML (also the default when `format` is absent) written as
//! Kaltura's `KalturaXmlSerializer` writes it, `format=1` JSON, and Kaltura's own error for any
//! other format.
//!
//! The XML shape, from the server's serializer: `<?xml version="1.0" encoding="utf-8"?><xml>
//! <result>…</result><executionTime>…</executionTime></xml>`; an object is `<objectType>` first,
//! then one element per non-null property; an array is `<item>…</item>` per element; booleans are
//! `1`/`0`; an exception is `<error><code/><message/><objectType>KalturaAPIException</objectType>
//! <args><item><objectType>KalturaApiExceptionArg</objectType><name/><value/></item></args>
//! </error>`.
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::error::ApiError;

/// How a call's result is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `format=1`.
    Json,
    /// `format=2`, and the default.
    Xml,
}

impl Format {
    /// The format a request asks for; anything but 1 and 2 is `UNKNOWN_RESPONSE_FORMAT` (which is
    /// then answered in XML, the server's default).
    pub fn from_param(value: Option<&str>) -> Result<Format, ApiError> {
        match value.map(str::trim) {
            None | Some("") | Some("2") => Ok(Format::Xml),
            Some("1") => Ok(Format::Json),
            Some(other) => Err(ApiError::unknown_response_format(other)),
        }
    }
}

/// The whole XML document for a result (a value, a list, a multirequest array or an exception).
pub(crate) fn document(result: &Value, execution_time: f64) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(r#"<?xml version="1.0" encoding="utf-8"?><xml><result>"#);
    write_value(&mut out, result);
    let _ = write!(
        out,
        "</result><executionTime>{}</executionTime></xml>",
        number_text(execution_time)
    );
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => {
                let _ = write!(out, "{i}");
            }
            (_, Some(u), _) => {
                let _ = write!(out, "{u}");
            }
            (_, _, Some(f)) => out.push_str(&number_text(f)),
            _ => {}
        },
        Value::String(s) => escape_into(out, s),
        Value::Array(items) => {
            for item in items {
                out.push_str("<item>");
                write_value(out, item);
                out.push_str("</item>");
            }
        }
        Value::Object(map) => {
            if map.get("objectType").and_then(Value::as_str) == Some("KalturaAPIException") {
                write_error(out, map);
            } else {
                write_object(out, map);
            }
        }
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>) {
    if let Some(class) = map.get("objectType") {
        out.push_str("<objectType>");
        write_value(out, class);
        out.push_str("</objectType>");
    }
    for (name, value) in map {
        if name == "objectType" || value.is_null() || !is_element_name(name) {
            continue;
        }
        let _ = write!(out, "<{name}>");
        write_value(out, value);
        let _ = write!(out, "</{name}>");
    }
}

fn write_error(out: &mut String, map: &Map<String, Value>) {
    out.push_str("<error><code>");
    write_value(out, map.get("code").unwrap_or(&Value::Null));
    out.push_str("</code><message>");
    write_value(out, map.get("message").unwrap_or(&Value::Null));
    out.push_str("</message><objectType>KalturaAPIException</objectType><args>");
    if let Some(Value::Object(args)) = map.get("args") {
        for (name, value) in args {
            out.push_str("<item><objectType>KalturaApiExceptionArg</objectType><name>");
            escape_into(out, name);
            out.push_str("</name><value>");
            write_value(out, value);
            out.push_str("</value></item>");
        }
    }
    out.push_str("</args></error>");
}

/// Property names become element names; anything that could not be one is left out rather than
/// breaking the document (clients only read the properties their classes declare).
fn is_element_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

/// A float as PHP prints it: no trailing `.0` on whole numbers.
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Text content escaped as `kString::xmlEncode` does (`& < > " '`); characters XML 1.0 cannot
/// carry at all are dropped so that the document stays well-formed.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_lists_and_scalars_follow_the_server_serializer() {
        let list = json!({
            "objectType": "KalturaScheduleResourceListResponse",
            "objects": [{"objectType": "KalturaCameraScheduleResource", "id": 7, "name": "a<b",
                         "description": null, "flag": true, "ratio": 1.5, "whole": 2.0}],
            "totalCount": 1
        });
        assert_eq!(
            document(&list, 0.0),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><xml><result>\
             <objectType>KalturaScheduleResourceListResponse</objectType><objects><item>\
             <objectType>KalturaCameraScheduleResource</objectType><flag>1</flag><id>7</id>\
             <name>a&lt;b</name><ratio>1.5</ratio><whole>2</whole></item></objects>\
             <totalCount>1</totalCount></result><executionTime>0</executionTime></xml>"
        );
        assert!(document(&json!("ks"), 0.0).contains("<result>ks</result>"));
        assert!(document(&Value::Null, 0.0).contains("<result></result>"));
    }

    #[test]
    fn errors_and_multirequest_items() {
        let err = ApiError::missing_parameter("id").to_json();
        let multi = json!([true, err]);
        let xml = document(&multi, 0.0);
        assert!(
            xml.contains(
                "<result><item>1</item><item><error><code>MISSING_MANDATORY_PARAMETER</code>\
                 <message>Missing parameter &quot;id&quot;</message>\
                 <objectType>KalturaAPIException</objectType><args><item>\
                 <objectType>KalturaApiExceptionArg</objectType><name>PARAM_NAME</name>\
                 <value>id</value></item></args></error></item></result>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn formats_are_read_as_the_server_reads_them() {
        assert_eq!(Format::from_param(None).unwrap(), Format::Xml);
        assert_eq!(Format::from_param(Some("2")).unwrap(), Format::Xml);
        assert_eq!(Format::from_param(Some("1")).unwrap(), Format::Json);
        assert_eq!(
            Format::from_param(Some("3")).unwrap_err().code,
            "UNKNOWN_RESPONSE_FORMAT"
        );
    }
}
