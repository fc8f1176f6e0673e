//! `kbulk submit --via bulk`: its options, and the run that hands the rows to Kaltura's bulk
//! engine as server-side jobs (`kbulk::submit::bulk`), with notes on what it rewrote and a
//! progress bar of rows done.
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use kbulk::submit::preflight::Checked;
use kbulk::submit::{self as engine, SubmitOptions};

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

/// `--via bulk`: the rows go to Kaltura's bulk engine as server-side jobs.
pub fn run(
    checked: &[Checked],
    args: &SubmitArgs,
    mut opts: SubmitOptions,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    let stop = interrupt::install();
    opts.stop = Some(Arc::clone(&stop));
    let bulk = engine::bulk::BulkOptions {
        max_records: args.bulk.max_records,
        poll_min: Duration::from_millis(args.bulk.poll_interval_ms.max(1)),
        poll_max: Duration::from_millis(
            args.bulk.poll_max_ms.max(args.bulk.poll_interval_ms).max(1),
        ),
        job_timeout: Duration::from_secs(args.bulk.job_timeout),
    };
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
