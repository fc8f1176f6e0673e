//! Expands the paths given on the command line into the files to read, in a stable order.
use std::path::{Path, PathBuf};

use super::CliError;

/// A file to read and the name to show for it.
#[derive(Debug, Clone)]
pub struct Input {
    /// Where to read.
    pub path: PathBuf,
    /// Found by walking a directory (files that cannot be classified are skipped quietly).
    pub from_dir: bool,
}

/// Extensions that are never bulk files, skipped when walking directories.
const DOC_EXTENSIONS: &[&str] = &[
    "md", "markdown", "rst", "html", "htm", "pdf", "png", "jpg", "gif", "toml", "lock", "rs", "sh",
];

/// Expands `paths`: files as given, directories walked recursively in sorted order, hidden
/// entries and documentation files skipped.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Input>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| CliError::io(p.display(), e))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(Input {
                path: p.clone(),
                from_dir: false,
            });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> Result<(), CliError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| CliError::io(dir.display(), e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                walk(&path, out)?;
            }
        } else if meta.is_file() && !is_documentation(&path) {
            out.push(Input {
                path,
                from_dir: true,
            });
        }
    }
    Ok(())
}

fn is_documentation(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    name.to_ascii_uppercase().starts_with("README")
        || name.to_ascii_uppercase().starts_with("LICENSE")
        || ext.as_deref().is_some_and(|e| DOC_EXTENSIONS.contains(&e))
}
