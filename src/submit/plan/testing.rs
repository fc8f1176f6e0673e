//! What the planners' unit tests share: an item of a file, a row a previous run left sent, and
//! the answers of lookups.
use serde_json::Value;

use super::{Found, Item, Key};
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

/// The answers to `keys`: for each, the objects of `existing` whose `field` is the key's value.
pub(super) fn found(keys: Vec<Key>, existing: &[Value], field: &str) -> Found {
    let mut f = Found::default();
    for k in keys {
        let objs = existing
            .iter()
            .filter(|o| o[field] == k.value.as_str())
            .cloned()
            .collect();
        f.insert(k, objs);
    }
    f
}
