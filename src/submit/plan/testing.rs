//! What the planners' unit tests share: an item of a file and a row a previous run left sent.
use super::Item;
use crate::record::{Record, RecordData};
use crate::source::{Origin, Span};
use crate::submit::journal::{RowEntry, RowId, RowState};

/// Row `row` of `file`, holding `data`.
pub(super) fn item(file: &str, row: u64, data: RecordData, prior: Option<RowEntry>) -> Item {
    Item {
        id: RowId { input: 1, row },
        record: Record {
            origin: Origin {
                file: file.into(),
                span: Span::default(),
                line: row,
                row,
                raw: None,
            },
            data,
        },
        prior,
        upload: None,
    }
}

/// The journal entry of row `row`, sent as `action` by a previous run and never answered.
pub(super) fn sent(row: u64, action: &str) -> RowEntry {
    RowEntry {
        id: RowId { input: 1, row },
        state: RowState::Sent,
        action: Some(action.into()),
        object_id: None,
        object_status: None,
        error: None,
        error_code: None,
        retryable: false,
        attempts: 1,
    }
}
