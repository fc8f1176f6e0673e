//! What the four simple CSV kinds share (categories, users, category-users, category-entries):
//! each is a flat row of named columns, so one description ([`TableSpec`]) tells the CSV reader
//! and writer which columns exist and how their values are typed, and a record moves between
//! its columns and its typed struct through its JSON form (field names are the column names).
use serde_json::{Map, Value};

use crate::diag::Diagnostic;
use crate::record::locs::CellLocs;
use crate::record::{RecordData, RecordKind};

/// How a column's value is typed in the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text, kept as written (after the engine's trimming).
    Text,
    /// An integer (an enum value or an id); the engines pass it to the API as written.
    Int,
    /// A boolean written `1`/`0` (or `true`/`false`).
    Bool,
}

/// One column of a simple CSV kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The header name (case-sensitive) and the record field's JSON name.
    pub name: &'static str,
    /// The value's type.
    pub ty: ColumnType,
}

/// A text column.
pub const fn text(name: &'static str) -> Column {
    Column {
        name,
        ty: ColumnType::Text,
    }
}

/// An integer column.
pub const fn int(name: &'static str) -> Column {
    Column {
        name,
        ty: ColumnType::Int,
    }
}

/// A boolean column.
pub const fn boolean(name: &'static str) -> Column {
    Column {
        name,
        ty: ColumnType::Bool,
    }
}

/// The description of one simple CSV kind: its engine's `getColumns()`, in order.
#[derive(Debug)]
pub struct TableSpec {
    /// The record kind.
    pub kind: RecordKind,
    /// The engine's name, for messages ("category CSV").
    pub title: &'static str,
    /// The columns, in the engine's order.
    pub columns: &'static [Column],
    /// Whether the engine forwards unknown columns as plugin data (`pluginsData`).
    pub plugins: bool,
    /// The action a row without one gets (1 add; 7 activate for category-entries).
    pub default_action: i64,
}

impl TableSpec {
    /// The column with this exact name.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Builds the record from its fields (column name → typed JSON value) and plugin data.
    pub fn record(
        &self,
        mut fields: Map<String, Value>,
        plugins: Map<String, Value>,
    ) -> Result<RecordData, serde_json::Error> {
        fields.insert("kind".into(), Value::String(self.kind.as_str().into()));
        if !plugins.is_empty() {
            fields.insert("pluginsData".into(), Value::Object(plugins));
        }
        serde_json::from_value(Value::Object(fields))
    }

    /// The record's fields (column name → JSON value) and plugin data, if it is of this kind.
    pub fn fields(&self, data: &RecordData) -> Option<(Map<String, Value>, Map<String, Value>)> {
        if data.kind() != self.kind {
            return None;
        }
        let Ok(Value::Object(mut o)) = serde_json::to_value(data) else {
            return None;
        };
        o.remove("kind");
        let plugins = match o.remove("pluginsData") {
            Some(Value::Object(p)) => p,
            _ => Map::new(),
        };
        Some((o, plugins))
    }
}

/// The rules of one simple kind, as the driver runs them: per record (in the parallel step) and
/// per file (in file order). Implemented in `check`; the driver runs it (`check::rules::Table`).
pub trait TableRules: Sync {
    /// The per-record rules of the record at `row` (1-based data row).
    fn check(&self, data: &RecordData, locs: &CellLocs, row: u64, diags: &mut Vec<Diagnostic>);
    /// Sees each row in file order (`None`: the row could not be mapped).
    fn observe(
        &mut self,
        data: Option<&RecordData>,
        locs: &CellLocs,
        row: u64,
        diags: &mut Vec<Diagnostic>,
    );
    /// The earliest byte offset a later finding of these rules may still point at.
    fn hold(&self) -> Option<u64>;
    /// The findings only known at the end of the file.
    fn finish(&mut self, diags: &mut Vec<Diagnostic>);
}
