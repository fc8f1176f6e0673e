//! kbulk's model of Kaltura's bulk-upload engines, for the sandbox's bulk jobs: the sandbox
//! stores an upload and its worker hands the bytes to [`KalturaEngines`] (a
//! [`crate::sandbox::BulkEngine`]), which reads the file as the real engine does — kbulk's PHP
//! `fgetcsv` tokenizer and line classes — and makes the API calls that engine makes, with its
//! messages, limits and documented bugs (kaltura-formats §3, §5, §9.4). The sandbox imports nothing
//! of this module; the binary (and tests) plug it in through `SandboxConfig::bulk.engine`.
use crate::sandbox::{BulkApi, BulkEnd, BulkEngine, BulkJob, BulkKind};

pub mod csv;
pub mod entry;
pub mod event;
pub mod ical;
pub mod resource;

/// The engines kbulk models, one per [`BulkKind`].
#[derive(Debug, Clone, Copy, Default)]
pub struct KalturaEngines;

impl BulkEngine for KalturaEngines {
    fn run(&self, job: &BulkJob, api: &mut dyn BulkApi) -> BulkEnd {
        match job.kind {
            BulkKind::ScheduleResourceCsv => resource::run(job, api),
            BulkKind::ICal => ical::run(job, api),
            BulkKind::ScheduleEventCsv => event::run(job, api),
            BulkKind::EntryCsv => entry::run(job, api),
            // kbulk has no model of the XML engine yet: the job fails as Kaltura's does when the
            // worker has no engine for the job's type.
            BulkKind::EntryXml => BulkEnd::Failed {
                message: "Error: Unable to find bulk upload engine".into(),
                error_type: 4,
            },
        }
    }
}

/// A [`crate::sandbox::BulkConfig`] with kbulk's engine model plugged in.
pub fn sandbox_config() -> crate::sandbox::BulkConfig {
    crate::sandbox::BulkConfig {
        engine: Some(std::sync::Arc::new(KalturaEngines)),
        ..crate::sandbox::BulkConfig::default()
    }
}
