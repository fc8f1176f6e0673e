//! Writers of App JSON Lines and App CSV: what `kbulk export apps` and `kbulk convert` write,
//! and what the App readers read back unchanged.
use std::io::{self, Write};

use crate::record::App;
use crate::record::app::AppField;

/// The App CSV columns, in order: every field but the `organizationDomain` object, whose two
/// fields are dotted columns.
pub fn csv_columns() -> impl Iterator<Item = AppField> {
    AppField::ALL
        .into_iter()
        .filter(|f| *f != AppField::OrganizationDomain)
}

/// The text of `field` in `app` (empty when absent).
pub fn cell(app: &App, field: AppField) -> String {
    let d = app.organization_domain.as_ref();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match field {
        AppField::Action => text(&app.action),
        AppField::Id => text(&app.id),
        AppField::PartnerId => app.partner_id.map(|n| n.to_string()).unwrap_or_default(),
        AppField::AppCustomId => text(&app.app_custom_id),
        AppField::AppCustomName => text(&app.app_custom_name),
        AppField::AppType => text(&app.app_type),
        AppField::Status => text(&app.status),
        AppField::Version => app.version.map(|n| n.to_string()).unwrap_or_default(),
        AppField::CreatedAt => text(&app.created_at),
        AppField::UpdatedAt => text(&app.updated_at),
        AppField::OrganizationDomain => String::new(),
        AppField::OrganizationId => d.map(|d| text(&d.organization_id)).unwrap_or_default(),
        AppField::Domain => d.map(|d| text(&d.domain)).unwrap_or_default(),
        AppField::ObjectType => text(&app.object_type),
    }
}

/// Writes apps as App CSV (header first, written on the first app or at [`CsvWriter::finish`]).
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    header: bool,
}

impl<W: Write> CsvWriter<W> {
    /// A writer to `out`.
    pub fn new(out: W) -> Self {
        CsvWriter {
            out: csv::WriterBuilder::new().from_writer(out),
            header: false,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.header {
            self.header = true;
            self.out.write_record(csv_columns().map(AppField::name))?;
        }
        Ok(())
    }

    /// Writes one app.
    pub fn write(&mut self, app: &App) -> io::Result<()> {
        self.header()?;
        self.out
            .write_record(csv_columns().map(|f| cell(app, f)))
            .map_err(io::Error::from)
    }

    /// Writes the header if no app came, and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }
}

/// Writes one app as a line of App JSON Lines.
pub fn write_jsonl(out: &mut dyn Write, app: &App) -> io::Result<()> {
    serde_json::to_writer(&mut *out, app)?;
    out.write_all(b"\n")
}
