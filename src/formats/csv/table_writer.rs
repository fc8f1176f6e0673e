//! Writes the CSVs of the simple engines (category, user, category-user, category-entry): the
//! full `*` header of the kind's columns plus the first record's plugin columns, and quoting
//! that PHP `fgetcsv` reads back to the same values.
use std::io::{self, Write};

use serde_json::Value;

use super::resource_writer::push_cell;
use crate::diag::Diagnostic;
use crate::formats::codes;
use crate::record::RecordData;
use crate::record::table::TableSpec;
use crate::source::{LineCol, Origin};

/// A writer of one simple kind; writes the header before the first row.
pub struct TableCsvWriter<W: Write> {
    spec: &'static TableSpec,
    out: W,
    /// Plugin columns, fixed by the first record (`None` before it).
    plugins: Option<Vec<String>>,
    line: Vec<u8>,
}

impl<W: Write> TableCsvWriter<W> {
    /// A writer of `spec`'s kind on `out`.
    pub fn new(spec: &'static TableSpec, out: W) -> Self {
        TableCsvWriter {
            spec,
            out,
            plugins: None,
            line: Vec::with_capacity(256),
        }
    }

    /// Whether `data` is of this writer's kind.
    pub fn takes(&self, data: &RecordData) -> bool {
        data.kind() == self.spec.kind
    }

    /// What the writer writes, for messages ("a category CSV").
    pub fn title(&self) -> &'static str {
        match self.spec.kind {
            crate::record::RecordKind::User => "a user CSV",
            crate::record::RecordKind::CategoryUser => "a category-user CSV",
            crate::record::RecordKind::CategoryEntry => "a category-entry CSV",
            _ => "a category CSV",
        }
    }

    fn header(&mut self, plugins: Vec<String>) -> io::Result<()> {
        let mut names: Vec<&str> = self.spec.columns.iter().map(|c| c.name).collect();
        names.extend(plugins.iter().map(String::as_str));
        writeln!(self.out, "*{}", names.join(","))?;
        self.plugins = Some(plugins);
        Ok(())
    }

    /// Writes one record; `Ok(false)` when it is of another kind. Values the CSV cannot carry
    /// are reported against `origin`.
    pub fn write(
        &mut self,
        data: &RecordData,
        origin: &Origin,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<bool> {
        let Some((fields, plugin_data)) = self.spec.fields(data) else {
            return Ok(false);
        };
        if self.plugins.is_none() {
            self.header(plugin_data.keys().cloned().collect())?;
        }
        let plugins = self.plugins.clone().unwrap_or_default();
        let at = LineCol {
            line: origin.line,
            column: 1,
        };
        for k in plugin_data.keys().filter(|k| !plugins.contains(k)) {
            diags.push(
                Diagnostic::new(&codes::UNREPRESENTABLE, &origin.file, format!("plugin column `{k}` of this record is not in the header (taken from the first record), so its value is not written"))
                    .label(origin.span, at, "record")
                    .row(origin.row),
            );
        }
        let cells = self
            .spec
            .columns
            .iter()
            .map(|c| (c.name, fields.get(c.name)))
            .chain(plugins.iter().map(|k| (k.as_str(), plugin_data.get(k))));
        self.line.clear();
        let mut bad = Vec::new();
        for (i, (name, v)) in cells.enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            let text = match v {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => if *b { "1" } else { "0" }.to_string(),
                Some(other) => other.to_string(),
            };
            let trimmed = super::intended_trim(&text).len() != text.len();
            if !push_cell(&mut self.line, &text) || trimmed {
                bad.push(name.to_string());
            }
        }
        for name in bad {
            diags.push(
                Diagnostic::new(&codes::UNREPRESENTABLE, &origin.file, format!("`{name}` of this record cannot be written so that Kaltura reads it back unchanged (white space at its edges, or a backslash before a quote)"))
                    .label(origin.span, at, "record")
                    .row(origin.row),
            );
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        Ok(true)
    }

    /// Writes the header if no record came, flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.plugins.is_none() {
            self.header(Vec::new())?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}
