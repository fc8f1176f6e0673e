//! Setting the parents kbulk took out of the rows it sent (the engine crashes on
//! `parentSystemName`): once a job has created the rows, one `schedule_scheduleresource.update`
//! with `parentId` per row, sent in multirequests of the run's batch size and retried on
//! transient failures (an update is idempotent, so a lost answer is simply sent again).
use std::collections::HashMap;

use serde_json::json;

use super::jobs::Jobs;
use super::journal::SentRow;
use super::log::Logged;
use crate::submit::multirequest::Call;

/// Sets the parent of every row of `rows` that the engine created (`logged` OK) and that was
/// sent without its parent; by `lineIndex`, `Err` with the reason for those that failed.
pub fn set(
    jobs: &Jobs<'_>,
    batch: usize,
    rows: &[SentRow],
    logged: &[Option<Logged>],
) -> HashMap<u64, Result<(), String>> {
    let todo: Vec<(u64, String, Call)> = rows
        .iter()
        .zip(logged)
        .filter_map(|(r, l)| {
            let l = l.as_ref().filter(|l| l.status != 1)?;
            let (class, parent) = r.parent.as_ref()?;
            let id = l.object_id.clone().unwrap_or_default();
            let call = Call::new("schedule_scheduleresource", "update")
                .with("scheduleResourceId", id.as_str())
                .with(
                    "scheduleResource",
                    json!({"objectType": class, "parentId": parent}),
                );
            Some((r.row, id, call))
        })
        .collect();
    let mut out = HashMap::new();
    for chunk in todo.chunks(batch.max(1)) {
        let calls: Vec<Call> = chunk.iter().map(|(_, _, c)| c.clone()).collect();
        let mut failures = 0;
        let answers = loop {
            match jobs.client.multirequest(jobs.ks, &calls) {
                Ok(a) => break Ok(a),
                Err(f) => {
                    failures += 1;
                    if !f.transient() || !jobs.retry.allows(failures) {
                        break Err(f.to_string());
                    }
                    (jobs.sleep)(jobs.retry.delay_after(failures, f.retry_after));
                }
            }
        };
        for (n, (row, id, call)) in chunk.iter().enumerate() {
            let parent = &call.params["scheduleResource"]["parentId"];
            let why = match &answers {
                Ok(a) => match &a[n] {
                    Ok(_) => {
                        out.insert(*row, Ok(()));
                        continue;
                    }
                    Err(e) => e.to_string(),
                },
                Err(f) => f.clone(),
            };
            out.insert(
                *row,
                Err(format!(
                    "the engine created resource {id}, but setting its parentId {parent} \
                     failed: {why}"
                )),
            );
        }
    }
    out
}
