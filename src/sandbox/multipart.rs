//! A strict little `multipart/form-data` reader (RFC 7578) for `uploadToken.upload`: fields and
//! files, any bytes in them, errors instead of panics on malformed bodies.
use memchr::memmem;

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilePart {
    /// The form field name (`fileData`, `ks`, ...).
    pub name: String,
    /// The file name, present for file parts.
    pub filename: Option<String>,
    /// The part's bytes.
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data; boundary=...` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        (!v.is_empty() && v.len() <= 200).then(|| v.to_string())
    })
}

/// Splits a body into its parts.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Result<Vec<FilePart>, String> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos = memmem::find(body, delimiter.as_bytes()).ok_or("no multipart boundary found")?;
    pos += delimiter.len();
    let mut parts = Vec::new();
    loop {
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("malformed multipart boundary line")?;
        let head_end =
            memmem::find(rest, b"\r\n\r\n").ok_or("multipart part without headers end")?;
        let head = std::str::from_utf8(&rest[..head_end])
            .map_err(|_| "multipart headers are not UTF-8")?;
        let content = &rest[head_end + 4..];
        let end = memmem::find(content, next_delimiter.as_bytes())
            .ok_or("unterminated multipart part")?;
        let (name, filename) = disposition(head)?;
        parts.push(FilePart {
            name,
            filename,
            data: content[..end].to_vec(),
        });
        // Advance past the part, its CRLF and the delimiter.
        pos = body.len() - content.len() + end + next_delimiter.len();
    }
}

/// Reads `name` and `filename` from a part's `Content-Disposition: form-data` header.
fn disposition(head: &str) -> Result<(String, Option<String>), String> {
    let line = head
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
        .ok_or("multipart part without Content-Disposition")?;
    let mut name = None;
    let mut filename = None;
    for param in line.split(';').skip(1) {
        let Some((k, v)) = param.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => filename = Some(v),
            _ => {}
        }
    }
    Ok((name.ok_or("multipart part without a name")?, filename))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_binary_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"resume\"\r\n\r\n1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"fileData\"; filename=\"a.bin\"\r\n\
Content-Type: application/octet-stream\r\n\r\n\x00\r\n--X\xff\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "resume");
        assert_eq!(parts[0].data, b"1");
        assert_eq!(parts[1].filename.as_deref(), Some("a.bin"));
        assert_eq!(parts[1].data, b"\x00\r\n--X\xff");
    }

    #[test]
    fn malformed_bodies_are_errors() {
        assert!(parse(b"nothing here", "b").is_err());
        assert!(parse(b"--b\r\nno end of headers", "b").is_err());
        assert!(
            parse(
                b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
                "b"
            )
            .is_err()
        );
        assert!(
            parse(
                b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nunterminated",
                "b"
            )
            .is_err()
        );
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\""),
            Some("abc".into())
        );
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
