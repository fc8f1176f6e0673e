//! Where a CSV record's cells are: spans from the reader's offsets, line and column resolved
//! only when asked (or left for one pass over the file).
use std::sync::Arc;

use super::php::RecordRef;
use crate::source::Place;
use crate::source::{LineCol, Origin, Span, locate_in};

/// The origin of the record `rec`, row `row`, at `span` (`keep_raw`: with the record's text,
/// without its line end).
pub(super) fn origin(
    rec: RecordRef<'_>,
    file: &Arc<str>,
    span: Span,
    row: u64,
    keep_raw: bool,
) -> Origin {
    Origin {
        file: file.clone(),
        span,
        line: rec.line(),
        row,
        raw: keep_raw
            .then(|| Arc::from(String::from_utf8_lossy(&rec.raw()[..rec.content_len()]).as_ref())),
    }
}

/// Where a CSV row's cells are, resolving line/column only when asked.
pub(super) struct CsvLocs<'a> {
    pub(super) rec: RecordRef<'a>,
}

impl<'a> CsvLocs<'a> {
    pub(super) fn span(&self, i: usize) -> Span {
        let c = &self.rec.cells()[i];
        Span::new(
            self.rec.offset() + c.raw.start as u64,
            self.rec.offset() + c.raw.end as u64,
        )
    }

    pub(super) fn cell(&self, i: usize) -> Place {
        let span = self.span(i);
        Place {
            span,
            at: self.at(span.start),
        }
    }

    /// A cell whose line and column are left for [`crate::diag::resolve_labels`], which resolves
    /// every label of the file in one pass: for header cells, so that a header of millions of
    /// unknown columns costs one scan, not one scan of the line per cell.
    pub(super) fn cell_lazy(&self, i: usize) -> Place {
        Place {
            span: self.span(i),
            at: LineCol::UNRESOLVED,
        }
    }

    pub(super) fn at(&self, offset: u64) -> LineCol {
        locate_in(self.rec.raw(), self.rec.offset(), self.rec.line(), offset)
    }

    pub(super) fn row(&self) -> Place {
        let span = Span::new(
            self.rec.offset(),
            self.rec.offset() + self.rec.content_len() as u64,
        );
        Place {
            span,
            at: LineCol {
                line: self.rec.line(),
                column: 1,
            },
        }
    }
}
