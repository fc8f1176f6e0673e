//! `kbulk submit --via bulk --dry-run`: the jobs, pieces and rewrites the route would make,
//! computed from the files alone. Nothing is sent, not even the lookups: where a rewrite needs a
//! name resolved on the server, the plan says which name and what becomes of the row either way.
//! The pieces are the ones a real run cuts (the same [`resource::next_piece`] and
//! [`ical::next_piece`]); a real run may still leave a row out of its piece when a lookup finds
//! that the engine would fail it (`KBULK_NOT_SENT`).
use super::super::multirequest::Call;
use super::super::preflight::Checked;
use super::jobs::JobKind;
use super::{BulkOptions, SubmitError, event, ical, resource, unsupported};
use crate::formats::Format;

/// One server-side job the route would start.
#[derive(Debug, Clone)]
pub struct PlannedJob {
    /// The input's name.
    pub input: String,
    /// Its place among all the run's jobs (1-based).
    pub seq: usize,
    /// The file name it would be sent as; `TAG` stands for the run's random tag, made when the
    /// journal is.
    pub file_name: String,
    /// The call that starts it (the file goes as `fileData`).
    pub call: Call,
    /// The input rows (`lineIndex`) in it, in file order.
    pub rows: Vec<u64>,
    /// Bytes of the file it sends (before the rewrites that need a lookup).
    pub bytes: usize,
}

/// One thing the route would do to a row instead of handing it to the engine as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The input's name.
    pub input: String,
    /// The row (`lineIndex`).
    pub row: u64,
    /// The job it goes in (`None`: it is not sent to the engine).
    pub job: Option<usize>,
    /// What and why, one sentence.
    pub note: String,
}

/// What `--dry-run --via bulk` shows.
#[derive(Debug, Clone, Default)]
pub struct DryRun {
    /// The jobs, in the order they would start.
    pub jobs: Vec<PlannedJob>,
    /// The rewrites, in job order.
    pub rewrites: Vec<Rewrite>,
}

/// Plans the route for `inputs` without any request (see the module doc). Refused rows
/// (`Checked::refused`) are left out, as a real run leaves them.
pub fn dry_run(inputs: &[Checked], bulk: &BulkOptions) -> Result<DryRun, SubmitError> {
    if let Some(why) = inputs
        .iter()
        .find_map(|c| unsupported(c.report.detection.format))
    {
        return Err(SubmitError::Config(why));
    }
    let mut plan = DryRun::default();
    for c in inputs {
        let stem = c
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let read_err = |e: std::io::Error| SubmitError::Config(format!("{}: {e}", c.name));
        if let Some(kind) = match c.report.detection.format {
            Some(Format::EventCsv) => Some(JobKind::ScheduleEventCsv),
            Some(Format::EntryCsv) => Some(JobKind::EntryCsv),
            _ => None,
        } {
            let rows = event::read(&c.path).map_err(read_err)?;
            plan_csv(&mut plan, c, &stem, rows, bulk, kind);
        } else if c.report.detection.format == Some(Format::Ical) {
            let cal = ical::read(c).map_err(read_err)?;
            plan_ical(&mut plan, c, &stem, &cal, bulk);
        } else {
            let rows = resource::read(&c.path).map_err(read_err)?;
            plan_resources(&mut plan, c, &stem, rows, bulk);
        }
    }
    Ok(plan)
}

fn plan_resources(
    plan: &mut DryRun,
    c: &Checked,
    stem: &str,
    rows: Vec<resource::Row>,
    bulk: &BulkOptions,
) {
    let mut pending: Vec<resource::Row> = rows
        .into_iter()
        .filter(|r| !c.refused.contains_key(&r.line))
        .collect();
    while !pending.is_empty() {
        let picked = resource::next_piece(&pending, bulk.max_records as usize);
        let rows: Vec<resource::Row> = picked.iter().map(|&i| pending[i].clone()).collect();
        for i in picked.into_iter().rev() {
            pending.remove(i);
        }
        let seq = plan.jobs.len() + 1;
        let mut sent = Vec::new();
        for r in &rows {
            let (note, goes) = resource::planned_rewrite(r);
            if goes {
                sent.push(r);
            }
            if let Some(note) = note {
                plan.rewrites.push(Rewrite {
                    input: c.name.to_string(),
                    row: r.line,
                    job: goes.then_some(seq),
                    note,
                });
            }
        }
        if sent.is_empty() {
            continue;
        }
        let file_name = format!("{stem}.kbulk-TAG-{seq}.csv");
        let body = resource::body(
            &sent
                .iter()
                .map(|r| super::journal::SentRow {
                    row: r.line,
                    cells: r.cells.clone(),
                    action: String::new(),
                    parent: None,
                })
                .collect::<Vec<_>>(),
        );
        plan.jobs.push(PlannedJob {
            input: c.name.to_string(),
            seq,
            call: JobKind::ScheduleResourceCsv.call(&file_name),
            file_name,
            rows: sent.iter().map(|r| r.line).collect(),
            bytes: body.len(),
        });
    }
}

fn plan_csv(
    plan: &mut DryRun,
    c: &Checked,
    stem: &str,
    rows: Vec<event::Row>,
    bulk: &BulkOptions,
    kind: JobKind,
) {
    let mut pending: Vec<event::Row> = rows
        .into_iter()
        .filter(|r| !c.refused.contains_key(&r.line))
        .collect();
    while !pending.is_empty() {
        let n = event::next_piece(&pending, bulk.max_records as usize);
        let rows: Vec<event::Row> = pending.drain(..n).collect();
        let seq = plan.jobs.len() + 1;
        let file_name = format!("{stem}.kbulk-TAG-{seq}.csv");
        plan.jobs.push(PlannedJob {
            input: c.name.to_string(),
            seq,
            call: kind.call(&file_name),
            file_name,
            rows: rows.iter().map(|r| r.line).collect(),
            bytes: event::body(&rows).len(),
        });
    }
}

fn plan_ical(plan: &mut DryRun, c: &Checked, stem: &str, cal: &ical::Calendar, bulk: &BulkOptions) {
    let mut pending: Vec<&ical::Event> = cal
        .events
        .iter()
        .filter(|e| !c.refused.contains_key(&e.row))
        .collect();
    let kind = JobKind::Ical {
        events_type: cal.events_type,
    };
    while !pending.is_empty() {
        let owned: Vec<ical::Event> = pending.iter().map(|e| (*e).clone()).collect();
        let picked = ical::next_piece(&owned, bulk.max_records as usize);
        let events: Vec<&ical::Event> = picked.iter().map(|&i| pending[i]).collect();
        for i in picked.into_iter().rev() {
            pending.remove(i);
        }
        let (cancels, sent): (Vec<&ical::Event>, Vec<&ical::Event>) =
            events.into_iter().partition(|e| e.cancel);
        for e in cancels {
            plan.rewrites.push(Rewrite {
                input: c.name.to_string(),
                row: e.row,
                job: None,
                note: format!(
                    "METHOD:CANCEL of {} is not sent to the engine (it would pass the UID to \
                     scheduleEvent.cancel as the id): once every earlier job has run, kbulk \
                     looks the UID up (referenceIdIn) and cancels the event by id",
                    e.uid.as_deref().unwrap_or("(no UID)")
                ),
            });
        }
        if sent.is_empty() {
            continue;
        }
        let seq = plan.jobs.len() + 1;
        let file_name = format!("{stem}.kbulk-TAG-{seq}.ics");
        plan.jobs.push(PlannedJob {
            input: c.name.to_string(),
            seq,
            call: kind.call(&file_name),
            file_name,
            rows: sent.iter().map(|e| e.row).collect(),
            bytes: ical::body(cal, &sent).len(),
        });
    }
}

/// `rows` as ranges: `1-99, 101`.
pub fn ranges(rows: &[u64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            rows[i].to_string()
        } else {
            format!("{}-{}", rows[i], rows[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_print_as_ranges() {
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
        assert_eq!(ranges(&[]), "");
    }
}
