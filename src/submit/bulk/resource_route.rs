//! The schedule-resource CSV input on the bulk route: its rows cut into pieces in dependency
//! order ([`resource::next_piece`]), the names each piece needs resolved with list calls just
//! before it starts, the rows rewritten ([`resource::prepare`]) and the piece journaled and run.
use std::collections::{BTreeMap, HashMap};

use super::jobs::JobKind;
use super::journal::{Piece, PiecePlan};
use super::{End, Route, SubmitError, codes, resource};
use crate::submit::journal::{Mark, RowId, RowState};
use crate::submit::preflight::Checked;

impl Route<'_, '_> {
    /// Sends one resource CSV through the bulk engine; `false` when the run stops (a job left
    /// open or failed as a whole).
    pub(super) fn resource_input(
        &mut self,
        c: &Checked,
        input: u32,
        tag: &str,
    ) -> Result<bool, SubmitError> {
        let states = self.states(input)?;
        let mut pending: Vec<resource::Row> = resource::read(&c.path)
            .map_err(|e| SubmitError::Config(format!("{}: {e}", c.name)))?
            .into_iter()
            .filter(|r| {
                matches!(
                    states.get(&r.line),
                    Some((RowState::Planned, _)) | Some((RowState::Failed, true))
                )
            })
            .collect();
        let stem = c
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bulk.csv".into());
        while !pending.is_empty() {
            if self.stopped() {
                return Ok(false);
            }
            let picked = resource::next_piece(&pending, self.bulk.max_records as usize);
            let rows: Vec<resource::Row> = picked.iter().map(|&i| pending[i].clone()).collect();
            for i in picked.into_iter().rev() {
                pending.remove(i);
            }
            let seq = self.journal.pieces().map_err(SubmitError::journal)?.len() + 1;
            let name = format!("{stem}.kbulk-{tag}-{seq}.csv");
            let Some(piece) = self.prepare(input, &rows, name)? else {
                continue;
            };
            if !matches!(self.run(piece, false)?, End::Closed) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Resolves the names `rows` need, rewrites them and journals the piece (`None` when no
    /// row is left to send).
    fn prepare(
        &mut self,
        input: u32,
        rows: &[resource::Row],
        file_name: String,
    ) -> Result<Option<Piece>, SubmitError> {
        let known = self.lookup(&resource::names_needed(rows.iter()))?;
        let mut notes = Vec::new();
        let mut sent = Vec::new();
        let mut local = Vec::new();
        for r in rows {
            match resource::prepare(r, &known, &mut notes) {
                resource::Prepared::Send(s) => sent.push(s),
                resource::Prepared::Local { error } => local.push((
                    RowId { input, row: r.line },
                    Mark::Failed {
                        action: None,
                        error: format!("{error} (kbulk did not send this row to the engine)"),
                        code: Some(codes::NOT_SENT.into()),
                        retryable: false,
                    },
                )),
            }
        }
        self.journal.apply(&local).map_err(SubmitError::journal)?;
        for n in notes {
            self.note(n);
        }
        if sent.is_empty() {
            self.count()?;
            return Ok(None);
        }
        let plan = PiecePlan {
            input,
            file_name,
            body: resource::body(&sent),
            rows: sent,
            job: JobKind::ScheduleResourceCsv,
        };
        self.journal
            .add_piece(&plan)
            .map(Some)
            .map_err(SubmitError::journal)
    }

    /// The ids of the resources named by `names` that exist.
    fn lookup(
        &self,
        names: &std::collections::BTreeSet<resource::Key>,
    ) -> Result<HashMap<resource::Key, i64>, SubmitError> {
        let mut by_kind: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (kind, name) in names {
            by_kind.entry(kind).or_default().push(name);
        }
        let mut known = HashMap::new();
        for (kind, names) in by_kind {
            let filter = resource::filter_of(kind);
            let listed = self
                .list_in("schedule_scheduleresource", filter, "systemNameIn", &names)
                .map_err(|e| format!("looking up resources by systemName: {e}"));
            for o in listed.map_err(SubmitError::Config)? {
                if let (Some(name), Some(id)) = (o["systemName"].as_str(), o["id"].as_i64()) {
                    known.insert((kind.to_string(), name.to_string()), id);
                }
            }
        }
        Ok(known)
    }
}
