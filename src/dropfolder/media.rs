//! The media a drop-folder XML names (`dropFolderFileContentResource` with `filePath` and
//! `fileSize` or `fileChecksum`), and whether each is present beside it with the stated size or
//! checksum.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use md5::Digest;

use crate::diag::Diagnostic;
use crate::source::{LineCol, Span};

use super::codes;

/// One media reference of an XML file.
#[derive(Debug, Clone)]
pub struct MediaRef {
    /// The `filePath` attribute: a name relative to the drop folder.
    pub file_path: String,
    /// `fileSize`, when given.
    pub size: Option<u64>,
    /// `fileChecksum` type (`md5` or `sha1`) and lower-case hex value, when given.
    pub checksum: Option<(String, String)>,
    /// The `<dropFolderFileContentResource` tag's bytes and line.
    pub span: Span,
    /// Line of the tag (1-based).
    pub line: u64,
}

/// The text between `open` and `close` after `from`, before `limit`.
fn between<'a>(text: &'a str, open: &str, close: &str, limit: usize) -> Option<&'a str> {
    let s = text.find(open)?;
    if s >= limit {
        return None;
    }
    let inner = &text[s + open.len()..];
    let body_start = inner.find('>')? + 1;
    let e = inner.find(close)?;
    inner.get(body_start..e)
}

/// Every `dropFolderFileContentResource` in `xml`, in order.
pub fn refs(xml: &str) -> Vec<MediaRef> {
    const TAG: &str = "<dropFolderFileContentResource";
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(i) = xml[pos..].find(TAG).map(|i| i + pos) {
        let tag_end = xml[i..].find('>').map_or(xml.len(), |e| i + e + 1);
        let tag = &xml[i..tag_end];
        let self_closing = tag.ends_with("/>");
        let end = if self_closing {
            tag_end
        } else {
            xml[tag_end..]
                .find("</dropFolderFileContentResource>")
                .map_or(xml.len(), |e| tag_end + e)
        };
        let body = &xml[tag_end..end];
        let attr = |name: &str| {
            let key = format!("{name}=\"");
            tag.find(&key).and_then(|s| {
                let v = &tag[s + key.len()..];
                v.find('"').map(|e| v[..e].to_string())
            })
        };
        if let Some(file_path) = attr("filePath") {
            let size = between(body, "<fileSize", "</fileSize>", body.len())
                .and_then(|v| v.trim().parse().ok());
            let checksum = between(body, "<fileChecksum", "</fileChecksum>", body.len()).map(|v| {
                let kind = if body.contains("type=\"sha1\"") {
                    "sha1"
                } else {
                    "md5"
                };
                (kind.to_string(), v.trim().to_ascii_lowercase())
            });
            out.push(MediaRef {
                file_path,
                size,
                checksum,
                span: Span::new(i as u64, tag_end as u64),
                line: 1 + xml[..i].matches('\n').count() as u64,
            });
        }
        pos = end.max(i + TAG.len());
    }
    out
}

/// The hex digest of `path` with `kind` (`md5` or `sha1`).
fn digest(path: &Path, kind: &str) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(if kind == "sha1" {
        hex::encode(sha1::Sha1::digest(&bytes))
    } else {
        hex::encode(md5::Md5::digest(&bytes))
    })
}

/// Where `r` is (the first of `dirs` that holds it), or a located diagnostic saying it is missing
/// or mismatched.
pub fn locate(r: &MediaRef, dirs: &[&Path], file: &Arc<str>) -> Result<PathBuf, Box<Diagnostic>> {
    let label = |d: Diagnostic, msg: &str| {
        Box::new(d.label(
            r.span,
            LineCol {
                line: r.line,
                column: 1,
            },
            msg,
        ))
    };
    let rel = Path::new(&r.file_path);
    let safe = rel
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let found = dirs
        .iter()
        .map(|d| d.join(rel))
        .find(|p| safe && p.is_file());
    let Some(path) = found else {
        return Err(label(
            Diagnostic::new(
                &codes::MEDIA_MISSING,
                file,
                format!("media file `{}` is not in the drop folder", r.file_path),
            ),
            "names this file",
        ));
    };
    let mismatch = |what: String| {
        label(
            Diagnostic::new(&codes::MEDIA_MISMATCH, file, what),
            "states this",
        )
    };
    let actual = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    if let Some(size) = r.size
        && size != actual
    {
        return Err(mismatch(format!(
            "File size is invalid for file [{}], Xml size [{size}], actual size [{actual}]",
            r.file_path
        )));
    }
    if let Some((kind, want)) = &r.checksum {
        let got = digest(&path, kind).unwrap_or_default();
        if &got != want {
            return Err(mismatch(format!(
                "File checksum is invalid for file [{}], Xml checksum [{want}], actual checksum [{got}]",
                r.file_path
            )));
        }
    }
    Ok(path)
}
