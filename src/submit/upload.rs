//! Local files of entries, uploaded before the entries are planned: `uploadToken.add`, then the
//! file in chunks with `uploadToken.upload` (`resume`, `resumeAt`, `finalChunk`), files in
//! parallel, chunks of one file in order. The token and every confirmed chunk are journaled
//! (on this thread, as workers report them), so a resumed run asks the token how far it got
//! (`uploadToken.get`) and sends only the rest; a finished upload is never sent again.
//!
//! A chunk lands at a fixed offset, so re-sending it after any transient failure is harmless (a
//! final chunk that was applied closes the token to uploads: the token is then asked whether it
//! holds the whole file). An
//! `uploadToken.add` whose answer is lost is sent again: at worst it leaves an empty token, which
//! the server expires; no entry is ever created here.
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use super::auth::Secret;
use super::client::{ApiError, Client, Failure};
use super::journal::{Journal, RowId, UploadEntry};
use super::multirequest::Call;
use super::plan::Uploaded;
use super::retry::RetryPolicy;

/// A row's local file to upload.
#[derive(Debug, Clone)]
pub struct Job {
    /// The row.
    pub row: RowId,
    /// The file (already resolved against the input's directory).
    pub path: PathBuf,
    /// What an earlier run journaled.
    pub prior: Option<UploadEntry>,
}

enum Msg {
    Saved(RowId, UploadEntry),
    Finished(RowId, Uploaded),
}

/// What uploading needs.
pub struct Uploader<'a> {
    /// The client.
    pub client: &'a Client,
    /// The session.
    pub ks: &'a Secret,
    /// Bytes per chunk.
    pub chunk_size: usize,
    /// Files uploaded at once.
    pub concurrency: usize,
    /// Retry policy for transient failures.
    pub retry: &'a RetryPolicy,
    /// Waits between retries.
    pub sleep: &'a (dyn Fn(Duration) + Sync),
}

impl Uploader<'_> {
    /// Uploads every job's file; returns each row's token or why there is none. Journal errors
    /// stop nothing in flight but are returned at the end.
    pub fn run(
        &self,
        journal: &mut Journal,
        jobs: Vec<Job>,
    ) -> Result<HashMap<RowId, Uploaded>, rusqlite::Error> {
        let mut out = HashMap::new();
        if jobs.is_empty() {
            return Ok(out);
        }
        let workers = self.concurrency.clamp(1, jobs.len());
        let queue = Arc::new(Mutex::new(jobs));
        let (tx, rx) = mpsc::channel::<Msg>();
        let mut journal_error = None;
        thread::scope(|scope| {
            for _ in 0..workers {
                let queue = Arc::clone(&queue);
                let tx = tx.clone();
                scope.spawn(move || {
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.pop());
                        let Some(job) = next else { break };
                        let row = job.row;
                        let done = self.one(&job, &|u| {
                            let _ = tx.send(Msg::Saved(row, u));
                        });
                        if tx.send(Msg::Finished(row, done)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            for msg in rx {
                match msg {
                    Msg::Saved(row, u) => {
                        if let Err(e) = journal.set_upload(row, &u)
                            && journal_error.is_none()
                        {
                            journal_error = Some(e);
                        }
                    }
                    Msg::Finished(row, done) => {
                        out.insert(row, done);
                    }
                }
            }
        });
        match journal_error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Runs a call, retrying transient failures.
    fn attempt(
        &self,
        mut f: impl FnMut() -> Result<Result<Value, ApiError>, Failure>,
    ) -> Result<Result<Value, ApiError>, Failure> {
        let mut failures = 0;
        loop {
            match f() {
                Err(fl) if fl.transient() && self.retry.allows(failures + 1) => {
                    failures += 1;
                    (self.sleep)(self.retry.delay_after(failures, fl.retry_after));
                }
                other => return other,
            }
        }
    }

    fn one(&self, job: &Job, save: &dyn Fn(UploadEntry)) -> Uploaded {
        let shown = job.path.display().to_string();
        let unreadable = |e: std::io::Error| Uploaded::Failed {
            error: format!("cannot read the local file {shown}: {e}"),
            code: "LOCAL_FILE_UNREADABLE".into(),
        };
        let meta = match std::fs::metadata(&job.path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return unreadable(std::io::Error::other("not a regular file")),
            Err(e) => return unreadable(e),
        };
        let size = meta.len();
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        let failed = |e: ApiError| Uploaded::Failed {
            error: e.message,
            code: e.code,
        };
        let unfinished = |f: Failure| Uploaded::Unfinished(format!("upload of {shown}: {f}"));
        let mut start = None;
        if let Some(p) = job
            .prior
            .as_ref()
            .filter(|p| p.file_size == size && p.file_mtime == mtime)
        {
            let get = Call::new("uploadToken", "get").with("uploadTokenId", p.token_id.clone());
            match self.attempt(|| self.client.call(Some(self.ks), &get)) {
                Ok(Ok(v)) => match v.get("status").and_then(Value::as_i64) {
                    // FULL_UPLOAD, or CLOSED: the entry already took it.
                    Some(2 | 3) => return Uploaded::Token(p.token_id.clone()),
                    Some(0 | 1) => {
                        let got = v.get("uploadedFileSize").and_then(Value::as_u64);
                        start = Some((p.token_id.clone(), got.unwrap_or(0).min(size)));
                    }
                    _ => {}
                },
                Ok(Err(e)) if e.code == "UPLOAD_TOKEN_NOT_FOUND" => {}
                Ok(Err(e)) => return failed(e),
                Err(f) => return unfinished(f),
            }
        }
        let file_name = job
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (token, mut offset) = match start {
            Some(s) => s,
            None => {
                let add = Call::new("uploadToken", "add").with(
                    "uploadToken",
                    json!({"objectType": "KalturaUploadToken", "fileName": file_name,
                           "fileSize": size}),
                );
                let token = match self.attempt(|| self.client.call(Some(self.ks), &add)) {
                    Ok(Ok(v)) => match v.get("id").and_then(Value::as_str) {
                        Some(t) if !t.is_empty() => t.to_string(),
                        _ => {
                            return Uploaded::Failed {
                                error: "uploadToken.add answered without a token id".into(),
                                code: "BAD_RESPONSE".into(),
                            };
                        }
                    },
                    Ok(Err(e)) => return failed(e),
                    Err(f) => return unfinished(f),
                };
                save(UploadEntry {
                    token_id: token.clone(),
                    file_size: size,
                    file_mtime: mtime,
                    uploaded: 0,
                });
                (token, 0)
            }
        };
        let mut file = match File::open(&job.path) {
            Ok(f) => f,
            Err(e) => return unreadable(e),
        };
        let chunk_size = self.chunk_size.max(1) as u64;
        loop {
            let len = chunk_size.min(size - offset);
            let mut data = vec![0u8; len as usize];
            if let Err(e) = file
                .seek(SeekFrom::Start(offset))
                .and_then(|_| file.read_exact(&mut data))
            {
                return unreadable(e);
            }
            let final_chunk = offset + len == size;
            let chunk = super::client::Chunk {
                token: &token,
                file_name: &file_name,
                data: &data,
                resume_at: offset,
                final_chunk,
            };
            match self.attempt(|| self.client.upload_chunk(self.ks, &chunk)) {
                Ok(Ok(v)) => {
                    offset += len;
                    save(UploadEntry {
                        token_id: token.clone(),
                        file_size: size,
                        file_mtime: mtime,
                        uploaded: offset,
                    });
                    if final_chunk {
                        return match v.get("status").and_then(Value::as_i64) {
                            Some(2) => Uploaded::Token(token),
                            other => Uploaded::Failed {
                                error: format!(
                                    "the server did not complete the upload of {shown} (token \
                                     status {})",
                                    other.map_or("unknown".to_string(), |s| s.to_string())
                                ),
                                code: "UPLOAD_INCOMPLETE".into(),
                            },
                        };
                    }
                }
                // A final chunk whose answer was lost completed the token, which then refuses
                // the same chunk again: ask the token.
                Ok(Err(e)) if final_chunk && e.code == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD" => {
                    let get = Call::new("uploadToken", "get").with("uploadTokenId", token.clone());
                    return match self.attempt(|| self.client.call(Some(self.ks), &get)) {
                        Ok(Ok(v))
                            if v.get("status").and_then(Value::as_i64) == Some(2)
                                && v.get("uploadedFileSize").and_then(Value::as_u64)
                                    == Some(size) =>
                        {
                            save(UploadEntry {
                                token_id: token.clone(),
                                file_size: size,
                                file_mtime: mtime,
                                uploaded: size,
                            });
                            Uploaded::Token(token)
                        }
                        Ok(Ok(_)) => failed(e),
                        Ok(Err(e)) => failed(e),
                        Err(f) => unfinished(f),
                    };
                }
                Ok(Err(e)) => return failed(e),
                Err(f) => return unfinished(f),
            }
        }
    }
}
