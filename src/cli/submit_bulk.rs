//! `kbulk submit --via bulk`: its options, and the run that hands the rows to Kaltura's bulk
//! engine as server-side jobs (`kbulk::submit::bulk`), with notes on what it rewrote and a
//! progress bar of rows done.
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use kbulk::submit::preflight::Checked;
use kbulk::submit::{self as engine, SubmitOptions};

use serde_json::json;

use super::render::{self, OutputFormat};
use super::submit::{SubmitArgs, interrupt, progress_bar, submit_error, write_results};
use super::{CliError, Exit};

/// Options of `kbulk submit --via bulk`.
#[derive(Debug, clap::Args)]
pub struct BulkArgs {
    /// With --via bulk: send the rows the check refuses too, and let the engine judge them.
    #[arg(long)]
    pub force: bool,

    /// With --via bulk: rows per server-side job (Kaltura's shipped `maxRecords`: 1000).
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_records: u64,

    /// With --via bulk: the first wait between two polls of a job (it grows by half each poll).
    #[arg(long, value_name = "MS", default_value_t = 500)]
    pub poll_interval_ms: u64,

    /// With --via bulk: the longest wait between two polls of a job.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub poll_max_ms: u64,

    /// With --via bulk: how long to wait for one job before stopping (its rows stay for
    /// --resume, which polls the job again).
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub job_timeout: u64,
}

fn options(args: &SubmitArgs) -> Result<engine::bulk::BulkOptions, CliError> {
    Ok(engine::bulk::BulkOptions {
        max_records: args.bulk.max_records,
        poll_min: Duration::from_millis(args.bulk.poll_interval_ms.max(1)),
        poll_max: Duration::from_millis(
            args.bulk.poll_max_ms.max(args.bulk.poll_interval_ms).max(1),
        ),
        job_timeout: Duration::from_secs(args.bulk.job_timeout),
        pause: test_pause()?,
    })
}

/// `--via bulk --dry-run`: prints the jobs, pieces and rewrites the route would make; sends
/// nothing (no lookup either).
pub fn dry_run(
    checked: &[Checked],
    args: &SubmitArgs,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let plan = engine::bulk::dry::dry_run(checked, &options(args)?).map_err(submit_error)?;
    let write_err = |e: std::io::Error| CliError::io("stdout", e);
    let json = args.format == OutputFormat::Json;
    for job in &plan.jobs {
        let data = &job.call.params["bulkUploadData"];
        if json {
            render::json_line(
                out,
                &json!({"type": "job", "file": job.input, "job": job.seq,
                        "fileName": job.file_name, "service": job.call.service,
                        "call": job.call.action, "bulkUploadData": data,
                        "rows": job.rows, "bytes": job.bytes}),
            )
        } else {
            writeln!(
                out,
                "job {}  {}  {}  {}  bulkUploadData {}  {} rows ({})  {} bytes",
                job.seq,
                job.input,
                job.file_name,
                job.call.name(),
                data,
                job.rows.len(),
                engine::bulk::dry::ranges(&job.rows),
                job.bytes
            )
        }
        .map_err(write_err)?;
        for r in plan.rewrites.iter().filter(|r| r.job == Some(job.seq)) {
            rewrite(out, r, json).map_err(write_err)?;
        }
    }
    for r in plan.rewrites.iter().filter(|r| r.job.is_none()) {
        rewrite(out, r, json).map_err(write_err)?;
    }
    if !json {
        let rows: usize = plan.jobs.iter().map(|j| j.rows.len()).sum();
        writeln!(
            out,
            "dry run: {} jobs ({rows} rows), {} rewrites, nothing sent (TAG: the run's random \
             tag, made with its journal)",
            plan.jobs.len(),
            plan.rewrites.len()
        )
        .map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    Ok(Exit::Clean)
}

fn rewrite(out: &mut dyn Write, r: &engine::bulk::dry::Rewrite, json: bool) -> std::io::Result<()> {
    if json {
        render::json_line(
            out,
            &json!({"type": "rewrite", "file": r.input, "row": r.row, "job": r.job,
                    "note": r.note}),
        )
    } else {
        let job = r
            .job
            .map_or("not sent to the engine".to_string(), |j| format!("job {j}"));
        writeln!(out, "  {}:{}  {job}: {}", r.input, r.row, r.note)
    }
}

/// The test hook `KBULK_TEST_BULK_PAUSE=journaled|started:MS` (docs/bulk.md): a pause at that
/// point of every job's start, so a test can kill kbulk exactly there.
fn test_pause() -> Result<Option<(engine::bulk::PausePoint, Duration)>, CliError> {
    let Ok(v) = std::env::var("KBULK_TEST_BULK_PAUSE") else {
        return Ok(None);
    };
    v.split_once(':')
        .and_then(|(at, ms)| Some((engine::bulk::PausePoint::parse(at)?, ms.parse().ok()?)))
        .map(|(at, ms)| Some((at, Duration::from_millis(ms))))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "KBULK_TEST_BULK_PAUSE={v}: expected journaled:MS or started:MS"
            ))
        })
}

/// `--via bulk`: the rows go to Kaltura's bulk engine as server-side jobs.
pub fn run(
    checked: &[Checked],
    args: &SubmitArgs,
    mut opts: SubmitOptions,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let stop = interrupt::install();
    opts.stop = Some(Arc::clone(&stop));
    let bulk = options(args)?;
    let bar = progress_bar(args);
    let quiet = args.quiet;
    let submission = engine::bulk::submit(checked, &opts, &bulk, &mut |e| match e {
        engine::bulk::Event::Progress(p) => {
            bar.set_length(p.total);
            bar.set_position(p.settled());
            bar.set_message(format!("{} failed", p.failed));
        }
        engine::bulk::Event::Note(n) if !quiet => bar.suspend(|| eprintln!("{n}")),
        engine::bulk::Event::Note(_) => {}
    });
    bar.finish_and_clear();
    let submission = submission.map_err(submit_error)?;
    write_results(checked, &submission, args, out)?;
    out.flush().map_err(|e| CliError::io("stdout", e))?;
    let (_, failed, unfinished) = submission.counts();
    if unfinished > 0 && stop.load(Ordering::SeqCst) {
        eprintln!(
            "interrupted: the jobs started go on on the server; run the same command with \
             --resume to poll them and finish"
        );
        return Ok(Exit::Interrupted);
    }
    Ok(if unfinished > 0 {
        Exit::Incomplete
    } else if failed > 0 {
        Exit::DataProblems
    } else {
        Exit::Clean
    })
}
