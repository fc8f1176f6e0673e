//! Writes canonical schedule-resource CSVs: the full V3 header, canonical action codes, defaults
//! written out, and quoting that PHP `fgetcsv` reads back to the same values.
use std::io::{self, Write};
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::formats::codes;
use crate::record::resource::{ResourceField, ScheduleResource};
use crate::source::{LineCol, Origin};

/// A resource CSV writer; writes the header before the first row.
pub struct ResourceCsvWriter<W: Write> {
    out: W,
    header_written: bool,
    line: Vec<u8>,
}

impl<W: Write> ResourceCsvWriter<W> {
    /// A writer on `out`.
    pub fn new(out: W) -> Self {
        ResourceCsvWriter {
            out,
            header_written: false,
            line: Vec::with_capacity(256),
        }
    }

    /// Writes the header now (a file with no records still gets one).
    pub fn write_header(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.header_written = true;
            let names: Vec<&str> = ResourceField::ALL.iter().map(|f| f.column()).collect();
            writeln!(self.out, "*{}", names.join(","))?;
        }
        Ok(())
    }

    /// Writes one resource. Values PHP would read back differently are reported against
    /// `origin` (the record is still written).
    pub fn write(
        &mut self,
        r: &ScheduleResource,
        origin: &Origin,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<()> {
        self.write_header()?;
        let id = r.resource_id.map(|i| i.to_string());
        let cells: [(ResourceField, Option<&str>); 9] = [
            (ResourceField::Action, Some(action_code(r))),
            (ResourceField::ResourceId, id.as_deref()),
            (ResourceField::Name, r.name.as_deref()),
            (ResourceField::Type, Some(r.resource_type.as_str())),
            (ResourceField::SystemName, r.system_name.as_deref()),
            (ResourceField::Description, r.description.as_deref()),
            (ResourceField::Tags, r.tags.as_deref()),
            (ResourceField::ParentType, Some(r.parent_type.as_str())),
            (
                ResourceField::ParentSystemName,
                r.parent_system_name.as_deref(),
            ),
        ];
        self.line.clear();
        for (i, (field, v)) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            let v = v.unwrap_or("");
            if super::php_trim(v.as_bytes()).len() != v.len() {
                diags.push(
                    Diagnostic::new(&codes::UNREPRESENTABLE, &origin.file, format!("`{}` of this record starts or ends with white space, which Kaltura's reader trims", field.column()))
                        .label(origin.span, LineCol { line: origin.line, column: 1 }, "record")
                        .row(origin.row),
                );
            }
            if !push_cell(&mut self.line, v) {
                diags.push(
                    Diagnostic::new(&codes::UNREPRESENTABLE, &origin.file, format!("`{}` of this record cannot be written so that PHP reads it back unchanged (a backslash before a quote or at the end of a quoted value)", field.column()))
                        .label(origin.span, LineCol { line: origin.line, column: 1 }, "record")
                        .row(origin.row),
                );
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.write_header()?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn action_code(r: &ScheduleResource) -> &'static str {
    match r.action.code() {
        1 => "1",
        2 => "2",
        3 => "3",
        _ => "6",
    }
}

/// Appends one cell, quoting only when needed. Returns `false` when PHP would read it back
/// differently whatever we do.
pub fn push_cell(line: &mut Vec<u8>, v: &str) -> bool {
    let b = v.as_bytes();
    let starts_quoted = b.iter().find(|c| !matches!(c, b' ' | b'\t' | 0x0b | 0x0c)) == Some(&b'"');
    let needs_quotes = starts_quoted || b.iter().any(|c| matches!(c, b',' | b'\n' | b'\r'));
    if !needs_quotes {
        line.extend_from_slice(b);
        return true;
    }
    line.push(b'"');
    for &c in b {
        if c == b'"' {
            line.push(b'"');
        }
        line.push(c);
    }
    line.push(b'"');
    memchr::memmem::find(b, b"\\\"").is_none() && !v.ends_with('\\')
}

/// Shared by tests: the canonical header line.
pub fn canonical_header() -> Arc<str> {
    let names: Vec<&str> = ResourceField::ALL.iter().map(|f| f.column()).collect();
    Arc::from(format!("*{}", names.join(",")))
}
