//! Where a record's parts sit in its file: the location types that readers fill and checks,
//! writers and reporters read, and which reader produced a record.
use crate::record::app::AppField;
use crate::record::entry::EntryField;
use crate::record::event::EventField;
use crate::record::resource::ResourceField;
use crate::source::{LineCol, Place, Span};

/// Where the fields of one record sit, for formats that know (CSV cells); lines and columns
/// are resolved only when a finding needs them.
pub trait FieldPlaces: Sync {
    /// The bytes of `field`'s cell, when the record has one.
    fn span(&self, field: ResourceField) -> Option<Span>;
    /// Line and column of a byte offset inside the record.
    fn locate(&self, offset: u64) -> LineCol;
}

/// Where a record and its fields sit in the file (the cell for CSV, the line for JSON Lines).
#[derive(Clone, Copy)]
pub struct ResourceLocs<'a> {
    /// The whole record.
    pub row: Place,
    /// Field places, when the format has them.
    pub fields: Option<&'a dyn FieldPlaces>,
}

impl std::fmt::Debug for ResourceLocs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceLocs")
            .field("row", &self.row)
            .finish_non_exhaustive()
    }
}

impl ResourceLocs<'_> {
    /// Locations for a record known only by its place (every field points at the record).
    pub fn whole(row: Place) -> Self {
        ResourceLocs { row, fields: None }
    }

    /// The place of `field`, or of the whole record when the field has no cell.
    pub fn at(&self, field: ResourceField) -> Place {
        match self.fields.and_then(|f| Some((f, f.span(field)?))) {
            Some((f, span)) => Place {
                span,
                at: f.locate(span.start),
            },
            None => self.row,
        }
    }

    /// The bytes of `field`, or of the whole record, without resolving a line and column.
    pub fn span(&self, field: ResourceField) -> Span {
        self.fields
            .and_then(|f| f.span(field))
            .unwrap_or(self.row.span)
    }
}

/// Which reader produced a record: the same field means different things to different engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntrySource {
    /// An XML bulk item (schema-level problems are the reader's).
    Xml,
    /// An entry-CSV row.
    Csv,
    /// A JSON Lines record (checked as it would be written to either format).
    Jsonl,
}

/// Where the parts of one entry sit in its file.
#[derive(Debug, Clone, Default)]
pub struct EntryLocs {
    /// The whole item, row or line.
    pub item: Place,
    /// Per item-level field (see [`EntryField`]); `None` where the field has no place.
    pub fields: [Option<Place>; EntryField::COUNT],
    /// Per content asset: its resource (the URL or path attribute when there is one).
    pub content: Vec<Place>,
    /// Per thumbnail: its resource.
    pub thumbs: Vec<Place>,
    /// Per content asset, beside `content`: its `@assetId` attribute, when it has one.
    pub content_ids: Vec<Option<Place>>,
    /// Per thumbnail, beside `thumbs`: its `@assetId` attribute, when it has one.
    pub thumb_ids: Vec<Option<Place>>,
    /// Per `<customData>`.
    pub custom: Vec<Place>,
    /// Per category name (`<category>` values), when each has its own place.
    pub categories: Vec<Place>,
}

impl EntryLocs {
    /// Locations that all point at one place (a CSV row without cells, a JSON line).
    pub fn whole(item: Place) -> Self {
        EntryLocs {
            item,
            ..Default::default()
        }
    }

    /// The place of `field`, or of the whole item.
    pub fn at(&self, field: EntryField) -> Place {
        self.fields[field.index()].unwrap_or(self.item)
    }

    /// Records the place of `field` (the first one wins).
    pub fn set(&mut self, field: EntryField, p: Place) {
        self.fields[field.index()].get_or_insert(p);
    }

    /// The `i`th place of `list`, or `fallback` when there is none.
    pub fn nth(list: &[Place], i: usize, fallback: Place) -> Place {
        list.get(i).copied().unwrap_or(fallback)
    }
}

/// Which reader produced the event: some rules are reported by the reader itself, at the
/// exact place, and skipped here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSource {
    /// An iCal file.
    Ical,
    /// A schedule-event CSV.
    Csv,
    /// kbulk JSON Lines.
    Jsonl,
}

/// Where each field of one event sits in its file.
#[derive(Debug, Clone)]
pub struct EventLocs {
    /// The whole record (VEVENT, row, JSON line).
    pub row: Place,
    /// Per field ([`EventField::index`]); `None` where the field has no place of its own.
    pub fields: [Option<Place>; EventField::COUNT],
}

impl EventLocs {
    /// Locations with only the whole record known.
    pub fn whole(row: Place) -> Self {
        EventLocs {
            row,
            fields: [None; EventField::COUNT],
        }
    }

    /// The place of `field`, or of the whole record.
    pub fn at(&self, field: EventField) -> Place {
        self.fields[field.index()].unwrap_or(self.row)
    }

    /// Records where `field` is.
    pub fn set(&mut self, field: EventField, p: Place) {
        self.fields[field.index()] = Some(p);
    }
}

/// Where the cells of one row of a simple CSV kind sit (see [`crate::record::table`]); a JSON
/// line has only the whole record.
#[derive(Debug, Clone, Default)]
pub struct CellLocs {
    /// The whole row or line.
    pub row: Place,
    /// The cell of each column the row has, by column name.
    pub cells: Vec<(&'static str, Place)>,
}

impl CellLocs {
    /// Locations with only the whole record known.
    pub fn whole(row: Place) -> Self {
        CellLocs {
            row,
            cells: Vec::new(),
        }
    }

    /// The place of column `name`, or of the whole row.
    pub fn at(&self, name: &str) -> Place {
        self.cells
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map_or(self.row, |(_, p)| *p)
    }
}

/// Where each field of one app sits in its file: the CSV cell, or the JSON key and its value.
#[derive(Debug, Clone)]
pub struct AppLocs {
    /// The whole record (row, JSON line).
    pub row: Place,
    /// Per field ([`AppField::index`]); `None` where the field has no place of its own.
    pub fields: [Option<Place>; AppField::COUNT],
}

impl AppLocs {
    /// Locations with only the whole record known.
    pub fn whole(row: Place) -> Self {
        AppLocs {
            row,
            fields: [None; AppField::COUNT],
        }
    }

    /// The place of `field`, or of its parent object, or of the whole record.
    pub fn at(&self, field: AppField) -> Place {
        let parent = match field {
            AppField::OrganizationId | AppField::Domain => {
                self.fields[AppField::OrganizationDomain.index()]
            }
            _ => None,
        };
        self.fields[field.index()].or(parent).unwrap_or(self.row)
    }

    /// Records where `field` is (the first place wins).
    pub fn set(&mut self, field: AppField, p: Place) {
        self.fields[field.index()].get_or_insert(p);
    }
}
