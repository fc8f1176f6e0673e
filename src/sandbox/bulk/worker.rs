//! The bulk worker: one background thread, like a batch farm with one `KAsyncBulkUpload`
//! worker, that takes jobs in order and moves each through Kaltura's statuses with a pause
//! before every change: PENDING → QUEUED ("Parsing file") → PROCESSING → (RETRY → PROCESSING
//! after each run of `max_records_each_run` rows) → FINISHED, or ALMOST_DONE →
//! FINISHED_PARTIALLY when some rows failed, or FAILED ("None of the uploaded items were
//! processed succsessfuly", or the engine's own failure). Jobs still PENDING or QUEUED in a file
//! store are taken up again when the sandbox restarts.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::params;
use serde_json::{Value, json};

use super::super::api_v3;
use super::super::config::SessionType;
use super::super::error::ApiError;
use super::super::params::Params;
use super::super::server::Shared;
use super::super::session;
use super::super::store;
use super::service::save;
use super::{BulkApi, BulkConfig, BulkEnd, BulkFault, BulkJob, BulkKind, BulkResult, status};

/// The bulk state every connection shares: configuration, the worker's queue, the poll counter.
pub(crate) struct Bulk {
    config: Mutex<BulkConfig>,
    queue: Mutex<Sender<i64>>,
    polls: AtomicU64,
    /// Jobs held in QUEUED by the stuck-queued fault, taken up again once it is lifted.
    parked: Mutex<Vec<i64>>,
}

impl Bulk {
    /// The state and the receiving end the worker reads.
    pub fn new(config: BulkConfig) -> (Self, Receiver<i64>) {
        let (tx, rx) = mpsc::channel();
        (
            Bulk {
                config: Mutex::new(config),
                queue: Mutex::new(tx),
                polls: AtomicU64::new(0),
                parked: Mutex::new(Vec::new()),
            },
            rx,
        )
    }

    /// The current configuration.
    pub fn config(&self) -> BulkConfig {
        self.config
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the fault.
    pub fn set_fault(&self, fault: BulkFault) {
        self.config.lock().unwrap_or_else(|p| p.into_inner()).fault = fault;
    }

    /// Hands a committed job to the worker.
    pub fn enqueue(&self, id: i64) {
        let _ = self
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(id);
    }

    /// Holds a job in QUEUED until the stuck-queued fault is lifted.
    fn park(&self, id: i64) {
        self.parked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(id);
    }

    /// The parked jobs, once the fault that held them is gone.
    fn unpark(&self) -> Vec<i64> {
        if self.config().fault == BulkFault::StuckQueued {
            return Vec::new();
        }
        std::mem::take(&mut *self.parked.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Whether this `bulkupload_bulk.get` loses its answer (the drop-polls fault: every other one).
    pub fn drop_poll(&self) -> bool {
        self.config().fault == BulkFault::DropPolls
            && self.polls.fetch_add(1, Ordering::Relaxed).is_multiple_of(2)
    }
}

/// Starts the worker thread; it ends when the sandbox stops.
pub(crate) fn spawn(shared: Arc<Shared>, rx: Receiver<i64>) -> std::io::Result<()> {
    if let Ok(ids) = shared.store.tx(|tx| {
        let mut stmt = tx.prepare("SELECT id FROM bulk_jobs WHERE status IN (0, 1) ORDER BY id")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok::<_, rusqlite::Error>(ids)
    }) {
        ids.into_iter().for_each(|id| shared.bulk.enqueue(id));
    }
    std::thread::Builder::new()
        .name("kbulk-sandbox-bulk".into())
        .spawn(move || {
            while !shared.control.is_stopping() {
                match rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(id) => run(&shared, id),
                    Err(RecvTimeoutError::Timeout) => {
                        for id in shared.bulk.unpark() {
                            run(&shared, id);
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
        })
        .map(|_| ())
}

/// Loads a job, applies `change` and saves it; `None` when the job is gone or was aborted.
fn update(shared: &Shared, id: i64, change: impl FnOnce(&mut Value)) -> Option<Value> {
    shared
        .store
        .tx(|tx| {
            let Some(mut job) =
                store::object(tx, "SELECT data FROM bulk_jobs WHERE id = ?1", params![id])?
            else {
                return Ok(None);
            };
            if job["status"].as_i64() == Some(status::ABORTED) {
                return Ok(None);
            }
            change(&mut job);
            save(tx, id, &job)?;
            Ok::<_, ApiError>(Some(job))
        })
        .ok()
        .flatten()
}

fn set_status(shared: &Shared, id: i64, s: i64) -> Option<Value> {
    update(shared, id, |job| job["status"] = json!(s))
}

fn fail(shared: &Shared, id: i64, message: &str, error_type: i64, number: i64) {
    update(shared, id, |job| {
        job["status"] = json!(status::FAILED);
        job["error"] = json!(message);
        job["errorType"] = json!(error_type);
        job["errorNumber"] = json!(number);
    });
}

fn run(shared: &Arc<Shared>, id: i64) {
    let config = shared.bulk.config();
    let pause = || shared.control.sleep(config.step);
    pause();
    let Some(job) = set_status(shared, id, status::QUEUED) else {
        return;
    };
    if config.fault == BulkFault::StuckQueued {
        return shared.bulk.park(id);
    }
    if shared.control.is_stopping() {
        return;
    }
    pause();
    if set_status(shared, id, status::PROCESSING).is_none() {
        return;
    }
    if config.fault == BulkFault::Fail {
        let name = job["fileName"].as_str().unwrap_or_default();
        return fail(
            shared,
            id,
            &format!("Error: Unable to open file: {name}"),
            0,
            71,
        );
    }
    let Some(engine) = config.engine.clone() else {
        return fail(
            shared,
            id,
            "Error: Unable to find bulk upload engine",
            4,
            51,
        );
    };
    let loaded = shared.store.tx(|tx| {
        tx.query_row(
            "SELECT kind, file FROM bulk_jobs WHERE id = ?1",
            params![id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
    });
    let Ok((kind, data)) = loaded else { return };
    let Some(kind) = BulkKind::from_name(&kind) else {
        return;
    };
    let issued = shared
        .store
        .tx(|tx| session::issue(tx, shared, SessionType::Admin, "batch", 86_400, "", false));
    let Ok(batch) = issued else { return };
    let bulk_job = BulkJob {
        id,
        kind,
        file_name: job["fileName"].as_str().unwrap_or_default().to_string(),
        data,
        max_records: config.max_records,
        events_type: job["eventsType"].as_i64(),
    };
    let mut api = JobApi {
        shared,
        ks: batch.ks,
        id,
        config: &config,
        reported: 0,
        aborted: false,
    };
    let end = engine.run(&bulk_job, &mut api);
    if api.aborted {
        return;
    }
    close(shared, id, end, &config);
}

/// Kaltura's closer: the job's final status from the engine's end and the stored results.
fn close(shared: &Shared, id: i64, end: BulkEnd, config: &BulkConfig) {
    if let BulkEnd::Failed {
        message,
        error_type,
    } = end
    {
        return fail(shared, id, &message, error_type, 0);
    }
    let counted = shared.store.tx(|tx| {
        // Results still IN_PROGRESS become OK once their objects are ready (at once here).
        tx.execute(
            "UPDATE bulk_results SET data = json_set(data, '$.status', 2) \
             WHERE job_id = ?1 AND json_extract(data, '$.status') = 3",
            params![id],
        )?;
        tx.query_row(
            "SELECT COUNT(*) FILTER (WHERE json_extract(data, '$.status') = 1), COUNT(*) \
             FROM bulk_results WHERE job_id = ?1",
            params![id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )
    });
    let Ok((errors, all)) = counted else { return };
    if errors > 0 && errors == all {
        return fail(
            shared,
            id,
            "Error: None of the uploaded items were processed succsessfuly",
            0,
            76,
        );
    }
    if errors == 0 {
        update(shared, id, |job| {
            job["status"] = json!(status::FINISHED);
            job["error"] = json!("Finished successfully");
        });
        return;
    }
    if set_status(shared, id, status::ALMOST_DONE).is_none() {
        return;
    }
    shared.control.sleep(config.step);
    update(shared, id, |job| {
        job["status"] = json!(status::FINISHED_PARTIALLY);
    });
}

/// What an engine sees of the sandbox while it runs a job.
struct JobApi<'a> {
    shared: &'a Arc<Shared>,
    ks: String,
    id: i64,
    config: &'a BulkConfig,
    reported: u64,
    aborted: bool,
}

impl BulkApi for JobApi<'_> {
    fn call(&mut self, service: &str, action: &str, params: Value) -> Value {
        if self.aborted {
            return ApiError::internal("the bulk upload job was aborted").to_json();
        }
        let mut root = match params {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        root.insert("ks".into(), Value::String(self.ks.clone()));
        let p = Params {
            root,
            files: Vec::new(),
        };
        api_v3::call(self.shared, service, action, &p)
    }

    fn report(&mut self, result: BulkResult) {
        if self.aborted {
            return;
        }
        let stored = json!({
            "objectType": "KalturaBulkUploadResult",
            "bulkUploadJobId": self.id,
            "lineIndex": result.line_index,
            "status": result.status,
            "action": result.action,
            "objectId": result.object_id,
            "objectStatus": result.object_status,
            "errorDescription": result.error_description,
            "errorType": result.error_type,
            "errorCode": result.error_code,
            "rowData": result.row_data,
        });
        let id = self.id;
        let error = result.status == 1;
        let _ = self.shared.store.tx(|tx| {
            tx.execute(
                "INSERT INTO bulk_results (job_id, line_index, data) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (job_id, line_index) DO UPDATE SET data = excluded.data",
                params![id, result.line_index as i64, stored.to_string()],
            )?;
            Ok::<_, rusqlite::Error>(())
        });
        let progressed = update(self.shared, id, |job| {
            job["numOfObjects"] = json!(job["numOfObjects"].as_i64().unwrap_or(0) + 1);
            if error {
                job["numOfErrorObjects"] =
                    json!(job["numOfErrorObjects"].as_i64().unwrap_or(0) + 1);
            }
        });
        if progressed.is_none() {
            self.aborted = true;
            return;
        }
        self.reported += 1;
        let each = self.config.max_records_each_run;
        if each > 0 && self.reported.is_multiple_of(each) {
            // One worker run ends; the job waits in RETRY for the next.
            let handled = self.reported;
            update(self.shared, id, |job| {
                job["status"] = json!(status::RETRY);
                job["error"] = json!(format!(
                    "Retrying: {handled} objects were handled until now"
                ));
            });
            self.shared.control.sleep(self.config.step);
            if set_status(self.shared, id, status::PROCESSING).is_none() {
                self.aborted = true;
            }
        }
    }
}
