//! Server-side bulk jobs in the sandbox: the seam between the sandbox and a model of Kaltura's
//! bulk-upload engines ([`BulkEngine`]), the job configuration and faults ([`BulkConfig`]), and
//! the services that start, poll, abort and serve the log of a job (`service.rs`), the worker
//! that runs jobs in the background with Kaltura's status transitions (`worker.rs`) and the log
//! writers (`log.rs`).
//!
//! The sandbox does not know any file format: it stores the upload, and its worker hands the
//! bytes to the configured [`BulkEngine`], which makes the API calls the real engine would make
//! (through [`BulkApi`], as the job's partner) and reports one [`BulkResult`] per row. The
//! sandbox stores the results (upserted by `lineIndex`, as Kaltura does) and writes the log from
//! them in the shape of the job's type. Without an engine, jobs are accepted and fail as
//! Kaltura's do when no engine is found ("Unable to find bulk upload engine").
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

pub(crate) mod log;
pub(crate) mod service;
pub(crate) mod worker;

/// The kind of file a job holds: which engine Kaltura would run and which log it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkKind {
    /// Schedule-resource CSV (`schedulebulkupload_schedulebulk.addScheduleResources`).
    ScheduleResourceCsv,
    /// Schedule-event CSV (`addScheduleEvents` with `KalturaBulkUploadScheduleEventCsvJobData`).
    ScheduleEventCsv,
    /// iCal (`addScheduleEvents` with `KalturaBulkUploadICalJobData{eventsType}`).
    ICal,
    /// Entry CSV (`bulkupload_bulk.addEntries` with `KalturaBulkUploadCsvJobData`).
    EntryCsv,
    /// XML bulk upload (`bulkupload_bulk.addEntries` with `KalturaBulkUploadXmlJobData`).
    EntryXml,
}

impl BulkKind {
    /// `KalturaBulkUploadType` as the API spells it.
    pub fn upload_type(self) -> &'static str {
        match self {
            BulkKind::ScheduleResourceCsv | BulkKind::ScheduleEventCsv | BulkKind::EntryCsv => {
                "bulkUploadCsv.CSV"
            }
            BulkKind::ICal => "scheduleBulkUpload.ICAL",
            BulkKind::EntryXml => "bulkUploadXml.XML",
        }
    }

    /// `KalturaBulkUploadObjectType` as the API spells it.
    pub fn object_type(self) -> &'static str {
        match self {
            BulkKind::ScheduleResourceCsv => "scheduleBulkUpload.SCHEDULE_RESOURCE",
            BulkKind::ScheduleEventCsv | BulkKind::ICal => "scheduleBulkUpload.SCHEDULE_EVENT",
            BulkKind::EntryCsv | BulkKind::EntryXml => "1",
        }
    }

    /// The name stored with a job (and read back).
    pub fn name(self) -> &'static str {
        match self {
            BulkKind::ScheduleResourceCsv => "scheduleResourceCsv",
            BulkKind::ScheduleEventCsv => "scheduleEventCsv",
            BulkKind::ICal => "ical",
            BulkKind::EntryCsv => "entryCsv",
            BulkKind::EntryXml => "entryXml",
        }
    }

    /// The kind named `name` (see [`BulkKind::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        [
            BulkKind::ScheduleResourceCsv,
            BulkKind::ScheduleEventCsv,
            BulkKind::ICal,
            BulkKind::EntryCsv,
            BulkKind::EntryXml,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// What an engine gets: the uploaded file and the job data that matter to it.
#[derive(Debug, Clone)]
pub struct BulkJob {
    /// The job id.
    pub id: i64,
    /// Which engine.
    pub kind: BulkKind,
    /// The file name from `bulkUploadData.fileName` (or the upload's).
    pub file_name: String,
    /// The uploaded bytes.
    pub data: Vec<u8>,
    /// The worker's `maxRecords` (Kaltura's shipped configuration: 1000; 0: no limit).
    pub max_records: u64,
    /// `eventsType` of an iCal job (1 RECORD, 2 LIVE_STREAM, 3 BLACKOUT).
    pub events_type: Option<i64>,
}

/// One per-row result, as the engine reports it (`KalturaBulkUploadResult`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkResult {
    /// `lineIndex`: 1-based data-row ordinal (CSV, XML), 0-based VEVENT ordinal (iCal).
    pub line_index: u64,
    /// 1 ERROR, 2 OK, 3 IN_PROGRESS.
    pub status: i64,
    /// The action done or attempted (`1` ADD, `2` UPDATE, ...; the XML log spells it).
    pub action: Option<String>,
    /// The object created or touched.
    pub object_id: Option<String>,
    /// The object's status, or the API error code on an API failure (as the engines write it).
    pub object_status: Option<String>,
    /// What went wrong.
    pub error_description: Option<String>,
    /// `BatchJobErrorTypes`: 0 APP, 4 KALTURA_API, ...
    pub error_type: Option<i64>,
    /// The error code (event engines).
    pub error_code: Option<String>,
    /// `rowData`: the CSV row re-joined as the engine does, the VEVENT or the `<item>`.
    pub row_data: String,
}

/// How a job ended, as the engine saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkEnd {
    /// The engine went through the file (the sandbox decides FINISHED, FINISHED_PARTIALLY or
    /// FAILED from the results, as Kaltura's closer does).
    Done,
    /// The whole job failed (an uncaught exception, a PHP 8 `TypeError`): the job's message and
    /// `BatchJobErrorTypes`.
    Failed {
        /// The job's `error` text.
        message: String,
        /// 0 APP, 1 RUNTIME, 4 KALTURA_API.
        error_type: i64,
    },
}

/// What an engine may do while it runs a job.
pub trait BulkApi {
    /// One API v3 call as the job's partner (an impersonated ADMIN session): the result, or the
    /// `KalturaAPIException` object.
    fn call(&mut self, service: &str, action: &str, params: Value) -> Value;
    /// Stores a row's result now (the log and `numOfObjects` grow as the job runs).
    fn report(&mut self, result: BulkResult);
}

/// A model of Kaltura's bulk-upload engines, supplied by whoever starts the sandbox.
pub trait BulkEngine: Send + Sync {
    /// Runs `job`: the calls the real engine makes, a result per reported row, and the end.
    fn run(&self, job: &BulkJob, api: &mut dyn BulkApi) -> BulkEnd;
}

/// A fault for tests: what goes wrong with bulk jobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BulkFault {
    /// Jobs run normally.
    #[default]
    None,
    /// Jobs reach QUEUED and stay there (a batch farm with no free worker).
    StuckQueued,
    /// Jobs fail as a whole before any row is handled (the worker's own failure).
    Fail,
    /// Every other `bulkupload_bulk.get` is applied and its connection closed unanswered.
    DropPolls,
}

impl std::str::FromStr for BulkFault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(BulkFault::None),
            "stuck-queued" => Ok(BulkFault::StuckQueued),
            "fail" => Ok(BulkFault::Fail),
            "drop-polls" => Ok(BulkFault::DropPolls),
            other => Err(format!(
                "unknown bulk fault {other:?}: none, stuck-queued, fail or drop-polls"
            )),
        }
    }
}

/// Bulk jobs: the engine model, the worker's pace and limits, and the fault.
#[derive(Clone)]
pub struct BulkConfig {
    /// The engine model (`None`: jobs fail with "Unable to find bulk upload engine").
    pub engine: Option<Arc<dyn BulkEngine>>,
    /// The pause before each status change (PENDING → QUEUED → PROCESSING → ...), and between
    /// the worker's runs of `max_records_each_run` rows.
    pub step: Duration,
    /// `maxRecords` (Kaltura's shipped batch configuration: 1000).
    pub max_records: u64,
    /// Results reported per worker run before the job goes through RETRY (Kaltura: 100, the
    /// CSV engines handle 101).
    pub max_records_each_run: u64,
    /// The fault.
    pub fault: BulkFault,
}

impl Default for BulkConfig {
    fn default() -> Self {
        BulkConfig {
            engine: None,
            step: Duration::from_millis(50),
            max_records: 1000,
            max_records_each_run: 101,
            fault: BulkFault::None,
        }
    }
}

impl std::fmt::Debug for BulkConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkConfig")
            .field("engine", &self.engine.is_some())
            .field("step", &self.step)
            .field("max_records", &self.max_records)
            .field("max_records_each_run", &self.max_records_each_run)
            .field("fault", &self.fault)
            .finish()
    }
}

/// `KalturaBatchJobStatus`.
pub mod status {
    /// Waiting for a worker.
    pub const PENDING: i64 = 0;
    /// Taken by a worker, parsing.
    pub const QUEUED: i64 = 1;
    /// Rows being handled.
    pub const PROCESSING: i64 = 2;
    /// Every row handled.
    pub const FINISHED: i64 = 5;
    /// The job failed as a whole.
    pub const FAILED: i64 = 6;
    /// Aborted by `bulkupload_bulk.abort`.
    pub const ABORTED: i64 = 7;
    /// Rows handled, objects still closing.
    pub const ALMOST_DONE: i64 = 8;
    /// Between two worker runs.
    pub const RETRY: i64 = 9;
    /// Finished, some rows failed.
    pub const FINISHED_PARTIALLY: i64 = 12;

    /// Whether a job in this status will not change any more.
    pub fn is_final(s: i64) -> bool {
        matches!(
            s,
            FINISHED | FAILED | ABORTED | 10 | 11 | FINISHED_PARTIALLY
        )
    }
}
