//! The bulk services as a client sees them: start a job with its file and `bulkUploadData`, find
//! a job by its file name (when a start's answer was lost), get a job, fetch its log, list jobs.
//! Read-only calls are retried on any transient failure; a start whose outcome is unknown is
//! looked for before it is sent again, so a job is never started twice.
use std::time::Duration;

use serde_json::{Value, json};

use super::super::auth::Secret;
use super::super::client::{ApiError, Client, Failure};
use super::super::multirequest::Call;
use super::super::retry::RetryPolicy;

/// `KalturaBatchJobStatus` names, by value.
pub const STATUS_NAMES: [&str; 13] = [
    "PENDING",
    "QUEUED",
    "PROCESSING",
    "PROCESSED",
    "MOVEFILE",
    "FINISHED",
    "FAILED",
    "ABORTED",
    "ALMOST_DONE",
    "RETRY",
    "FATAL",
    "DONT_PROCESS",
    "FINISHED_PARTIALLY",
];

/// The name of a batch-job status.
pub fn status_name(s: i64) -> &'static str {
    usize::try_from(s)
        .ok()
        .and_then(|i| STATUS_NAMES.get(i))
        .copied()
        .unwrap_or("UNKNOWN")
}

/// Whether a job in status `s` will not change any more.
pub fn is_final(s: i64) -> bool {
    matches!(s, 5 | 6 | 7 | 10 | 11 | 12)
}

/// Whether a final status means the job failed as a whole.
pub fn failed_as_whole(s: i64) -> bool {
    matches!(s, 6 | 7 | 10 | 11)
}

/// Why a bulk call gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// The API refused it.
    #[error("{0}")]
    Api(ApiError),
    /// No usable answer after the retries.
    #[error("{0}")]
    Transport(Failure),
}

/// What kind of job a file starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JobKind {
    /// `schedulebulkupload_schedulebulk.addScheduleResources`, CSV job data.
    #[default]
    ScheduleResourceCsv,
    /// `schedulebulkupload_schedulebulk.addScheduleEvents` with
    /// `KalturaBulkUploadScheduleEventCsvJobData` (schedule-event CSV).
    ScheduleEventCsv,
    /// `media.bulkUploadAdd` (`bulkupload_bulk.addEntries`) with `KalturaBulkUploadCsvJobData`
    /// (entry CSV).
    EntryCsv,
    /// `schedulebulkupload_schedulebulk.addScheduleEvents` with `KalturaBulkUploadICalJobData`
    /// and its mandatory `eventsType` (1 RECORD, 2 LIVE_STREAM, 3 BLACKOUT).
    Ical {
        /// `eventsType`: every VEVENT of the job is created with it.
        events_type: u8,
    },
}

impl JobKind {
    /// The call that starts a job of this kind for a file named `file_name` (the file goes as
    /// `fileData`).
    pub fn call(self, file_name: &str) -> Call {
        match self {
            JobKind::ScheduleResourceCsv => {
                Call::new("schedulebulkupload_schedulebulk", "addScheduleResources").with(
                    "bulkUploadData",
                    json!({"objectType": "KalturaBulkUploadCsvJobData",
                           "fileName": file_name, "csvVersion": 3}),
                )
            }
            JobKind::ScheduleEventCsv => {
                Call::new("schedulebulkupload_schedulebulk", "addScheduleEvents").with(
                    "bulkUploadData",
                    json!({"objectType": "KalturaBulkUploadScheduleEventCsvJobData",
                           "fileName": file_name}),
                )
            }
            JobKind::EntryCsv => Call::new("media", "bulkUploadAdd").with(
                "bulkUploadData",
                json!({"objectType": "KalturaBulkUploadCsvJobData", "fileName": file_name}),
            ),
            JobKind::Ical { events_type } => {
                Call::new("schedulebulkupload_schedulebulk", "addScheduleEvents").with(
                    "bulkUploadData",
                    json!({"objectType": "KalturaBulkUploadICalJobData",
                           "fileName": file_name, "eventsType": events_type}),
                )
            }
        }
    }
}

/// A session on the bulk services.
pub struct Jobs<'a> {
    /// The client.
    pub client: &'a Client,
    /// The session.
    pub ks: &'a Secret,
    /// Retries of transient failures.
    pub retry: &'a RetryPolicy,
    /// How to wait (tests pass a recorder).
    pub sleep: &'a dyn Fn(Duration),
}

impl Jobs<'_> {
    /// A read-only call, retried on transient failures.
    pub fn read(&self, call: &Call) -> Result<Value, JobError> {
        let mut failures = 0;
        loop {
            match self.client.call(Some(self.ks), call) {
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(e)) => return Err(JobError::Api(e)),
                Err(f) => {
                    failures += 1;
                    if !f.transient() || !self.retry.allows(failures) {
                        return Err(JobError::Transport(f));
                    }
                    (self.sleep)(self.retry.delay_after(failures, f.retry_after));
                }
            }
        }
    }

    /// `bulkupload_bulk.get`.
    pub fn get(&self, id: i64) -> Result<Value, JobError> {
        self.read(&Call::new("bulkupload_bulk", "get").with("id", id))
    }

    /// `bulkupload_bulk.list`, newest first, one page.
    pub fn list(&self, page: u32, size: u32) -> Result<Value, JobError> {
        self.read(
            &Call::new("bulkupload_bulk", "list")
                .with("filter", json!({"objectType": "KalturaBulkUploadFilter"}))
                .with(
                    "pager",
                    json!({"objectType": "KalturaFilterPager",
                                      "pageIndex": page, "pageSize": size}),
                ),
        )
    }

    /// `bulkupload_bulk.serveLog`: the log as the server writes it.
    pub fn log(&self, id: i64) -> Result<String, JobError> {
        let call = Call::new("bulkupload_bulk", "serveLog").with("id", id);
        let mut failures = 0;
        loop {
            match self.client.call_raw(self.ks, &call) {
                Ok(Ok(text)) => return Ok(text),
                Ok(Err(e)) => return Err(JobError::Api(e)),
                Err(f) => {
                    failures += 1;
                    if !f.transient() || !self.retry.allows(failures) {
                        return Err(JobError::Transport(f));
                    }
                    (self.sleep)(self.retry.delay_after(failures, f.retry_after));
                }
            }
        }
    }

    /// The job whose `fileName` is `name`, among the newest 1,000.
    pub fn find(&self, name: &str) -> Result<Option<Value>, JobError> {
        for page in 1..=2 {
            let listed = self.list(page, 500)?;
            let objects = listed["objects"].as_array().cloned().unwrap_or_default();
            if let Some(job) = objects.iter().find(|j| j["fileName"] == name) {
                return Ok(Some(job.clone()));
            }
            if objects.len() < 500 {
                break;
            }
        }
        Ok(None)
    }

    /// Starts a job of `kind` for `body` named `file_name`, or adopts the job a lost answer
    /// started (`look_first`: a previous run may have started it).
    pub fn start(
        &self,
        kind: JobKind,
        file_name: &str,
        body: &[u8],
        look_first: bool,
    ) -> Result<Value, JobError> {
        if look_first && let Some(job) = self.find(file_name)? {
            return Ok(job);
        }
        let call = kind.call(file_name);
        let mut failures = 0;
        loop {
            let failure = match self.client.call_with_file(self.ks, &call, file_name, body) {
                Ok(Ok(job)) => return Ok(job),
                Ok(Err(e)) => return Err(JobError::Api(e)),
                Err(f) => f,
            };
            failures += 1;
            let delay = self.retry.delay_after(failures, failure.retry_after);
            if !failure.not_applied() {
                // The job may have been started: give the request time to land, then look.
                (self.sleep)(delay);
                if let Some(job) = self.find(file_name)? {
                    return Ok(job);
                }
            }
            if !failure.transient() || !self.retry.allows(failures) {
                return Err(JobError::Transport(failure));
            }
            if failure.not_applied() {
                (self.sleep)(delay);
            }
        }
    }
}
