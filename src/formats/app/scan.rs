//! Where the keys of one JSON object sit in its text: the byte range of each member (key to the
//! end of its value) of the object and of the objects directly inside it, so that App findings
//! point at the JSON key. The text has already been parsed as JSON; this only walks it.

/// One member: its dotted path (`organizationDomain.domain`), where its key starts and where its
/// value ends (byte offsets into the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Member {
    pub(super) path: String,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The members of the object `text` holds, to one level of nesting, in text order.
pub(super) fn members(text: &[u8]) -> Vec<Member> {
    let mut out = Vec::new();
    value(text, ws(text, 0), "", 0, &mut out);
    out
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of the string starting at `i` (its opening quote).
fn string_end(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Walks the value at `i`; returns where it ends. Members of objects at `depth` 0 and 1 are
/// recorded.
fn value(b: &[u8], i: usize, path: &str, depth: usize, out: &mut Vec<Member>) -> usize {
    match b.get(i) {
        Some(b'{') => {
            let mut i = ws(b, i + 1);
            while i < b.len() && b[i] != b'}' {
                let start = i;
                let key_end = string_end(b, i);
                let key: String = serde_json::from_slice(&b[start..key_end]).unwrap_or_default();
                let full = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                i = ws(b, key_end);
                if b.get(i) == Some(&b':') {
                    i = ws(b, i + 1);
                }
                let end = value(b, i, &full, depth + 1, out);
                if depth < 2 {
                    out.push(Member {
                        path: full,
                        start,
                        end,
                    });
                }
                i = ws(b, end);
                if b.get(i) == Some(&b',') {
                    i = ws(b, i + 1);
                }
            }
            (i + 1).min(b.len())
        }
        Some(b'[') => {
            let mut i = ws(b, i + 1);
            while i < b.len() && b[i] != b']' {
                i = ws(b, value(b, i, "", 9, out));
                if b.get(i) == Some(&b',') {
                    i = ws(b, i + 1);
                }
            }
            (i + 1).min(b.len())
        }
        Some(b'"') => string_end(b, i),
        Some(_) => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']') && !b[j].is_ascii_whitespace()
            {
                j += 1;
            }
            j.max(i + 1)
        }
        None => i,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_have_their_key_and_value_ranges() {
        let t = br#"{"a": 1, "o": {"x": "y\"}", "n": [1, {"deep": 2}]}, "s":"v" }"#;
        let m = members(t);
        let got: Vec<_> = m
            .iter()
            .map(|m| {
                (
                    m.path.as_str(),
                    std::str::from_utf8(&t[m.start..m.end]).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", r#""a": 1"#),
                ("o.x", r#""x": "y\"}""#),
                ("o.n", r#""n": [1, {"deep": 2}]"#),
                ("o", r#""o": {"x": "y\"}", "n": [1, {"deep": 2}]}"#),
                ("s", r#""s":"v""#),
            ]
        );
    }
}
