//! What entry rows point at: reference ids resolved to entries (found, added by an earlier row,
//! or still unknown) and the action a row takes once its lookups are in.
use super::{Act, EntryPlanner, Row, State, Verdict, fail};
use crate::record::entry::EntryAction;
use crate::submit::plan::common::Target;

impl EntryPlanner {
    /// The entry a reference id names: `Ok(Some)` exists, `Ok(None)` does not and nothing in the
    /// file adds it, `Err(None)` wait (a row of the file adds it), `Err(Some)` why not now.
    pub(super) fn resolve(&self, i: usize, r: &str) -> Result<Option<Target>, Option<Verdict>> {
        if let Some(t) = self.known.get(r) {
            return Ok(Some(t.clone()));
        }
        if let Some(why) = self.unknown.get(r) {
            return Err(Some(Verdict::Defer(format!(
                "cannot look up referenceId [{r}]: {why}"
            ))));
        }
        let mut deferred = None;
        for &a in self.adders.get(r).map(Vec::as_slice).unwrap_or(&[]) {
            if a == i {
                continue;
            }
            match self.rows[a].state {
                State::Open | State::InFlight => return Err(None),
                State::Deferred => deferred = Some(a),
                State::Settled => {}
            }
        }
        match deferred {
            Some(a) => Err(Some(Verdict::Defer(format!(
                "waits for row {} (referenceId [{r}]), which did not finish",
                self.rows[a].id.row
            )))),
            None => Ok(None),
        }
    }

    /// What a row does: its action applied to what the lookups found.
    pub(super) fn act(&self, row: &Row) -> Result<(Act, Option<Target>), Verdict> {
        let e = &row.e;
        let existing = match (&e.entry_id, &e.reference_id) {
            (Some(id), _) => Some(Target::Id(id.clone())),
            (None, Some(r)) => match self.known.get(r) {
                Some(t) => Some(t.clone()),
                None => match self.unknown.get(r) {
                    Some(why) => {
                        return Err(Verdict::Defer(format!(
                            "cannot look up referenceId [{r}]: {why}"
                        )));
                    }
                    None => None,
                },
            },
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
}
