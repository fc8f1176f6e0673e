//! The action an entry row takes once its lookups are in: `<action>` applied to what exists.
use super::{Act, EntryPlanner, Row};
use crate::record::entry::EntryAction;
use crate::submit::plan::common::Target;
use crate::submit::plan::keyed::{Verdict, fail};

/// What a row does, and to which entry.
pub(super) fn act(p: &EntryPlanner, row: &Row) -> Result<(Act, Option<Target>), Verdict> {
    let e = &row.rec;
    let existing = match (&e.entry_id, &e.reference_id) {
        (Some(id), _) => Some(Target::Id(id.clone())),
        (None, Some(r)) => p
            .existing(r)
            .map_err(|why| Verdict::Defer(format!("cannot look up referenceId [{r}]: {why}")))?,
        (None, None) => None,
    };
    let missing = |a: &str| {
        fail(
            Some(a),
            format!(
                "Unable to find entry [{}]",
                e.reference_id.as_deref().unwrap_or_default()
            ),
            "ENTRY_ID_NOT_FOUND",
        )
    };
    match e.action {
        Some(EntryAction::Add) => match (&existing, &e.reference_id, &row.in_doubt) {
            (Some(t), Some(r), None) => Err(fail(
                Some("add"),
                format!(
                    "an entry with referenceId [{r}] already exists ({}); kbulk does not add a \
                     second one (leave <action> out to update it)",
                    t.value()
                ),
                "REFERENCE_ID_EXISTS",
            )),
            _ => Ok((Act::Add, None)),
        },
        Some(EntryAction::Update) => existing
            .map(|t| (Act::Update, Some(t)))
            .ok_or_else(|| missing("update")),
        Some(EntryAction::Delete) => existing
            .map(|t| (Act::Delete, Some(t)))
            .ok_or_else(|| missing("delete")),
        None => Ok(match existing {
            Some(t) if row.in_doubt.as_deref() != Some("add") => (Act::Update, Some(t)),
            _ => (Act::Add, None),
        }),
    }
}
