//! The submission journal: a SQLite file (WAL, `synchronous=FULL`) with one row per input row,
//! keyed by (input file, `lineIndex`), holding its state — planned, sent, done (with the object
//! id) or failed (with the error) — so that a run killed at any moment can be resumed.
//!
//! The rule that makes resuming safe: a row is marked `sent`, and that mark is committed, before
//! the request carrying it leaves. On resume a `planned` row was therefore certainly never sent,
//! and a `sent` row is "in doubt" and must be looked up before anything is sent again. The
//! journal never holds a KS, secret or token.
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

/// Identifies one input row: the journal's id of its file and the row's `lineIndex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowId {
    /// The journal's id of the input file.
    pub input: u32,
    /// The server's row ordinal (`lineIndex`).
    pub row: u64,
}

/// Where a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// Not sent yet (or known not to have been applied).
    Planned,
    /// Sent; the outcome is not known yet.
    Sent,
    /// Applied; the object id is known.
    Done,
    /// Failed; see the error.
    Failed,
}

impl RowState {
    fn as_str(self) -> &'static str {
        match self {
            RowState::Planned => "planned",
            RowState::Sent => "sent",
            RowState::Done => "done",
            RowState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            RowState::Planned,
            RowState::Sent,
            RowState::Done,
            RowState::Failed,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// Everything the journal knows about one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowEntry {
    /// Which row.
    pub id: RowId,
    /// Its state.
    pub state: RowState,
    /// The action sent or done (`add`, `update`, `delete`, ...), once decided.
    pub action: Option<String>,
    /// The created or affected object's id.
    pub object_id: Option<String>,
    /// The object's status as the server reported it.
    pub object_status: Option<i64>,
    /// Why the row failed (or the last transient error of a row still in doubt).
    pub error: Option<String>,
    /// Kaltura's error code, when the server gave one.
    pub error_code: Option<String>,
    /// Whether a failed row may succeed if tried again (`--resume` tries it).
    pub retryable: bool,
    /// How many times the row's request was sent.
    pub attempts: u32,
}

/// A change to one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// About to be sent with this action.
    Sent {
        /// The action.
        action: String,
    },
    /// Known not to have been applied: back to planned, with the reason.
    NotApplied {
        /// What happened.
        error: String,
    },
    /// In doubt after a failure that may have applied it.
    InDoubt {
        /// What happened.
        error: String,
    },
    /// A note on a row whose state does not change (why it waits).
    Note {
        /// The note.
        error: String,
    },
    /// Applied.
    Done {
        /// The action done.
        action: String,
        /// The object id.
        object_id: String,
        /// The object's status.
        object_status: Option<i64>,
    },
    /// Failed.
    Failed {
        /// The action attempted, if any.
        action: Option<String>,
        /// Why.
        error: String,
        /// Kaltura's code.
        code: Option<String>,
        /// Whether trying again may succeed.
        retryable: bool,
    },
}

/// The upload of a row's local file: the token and how far it got (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadEntry {
    /// The upload token.
    pub token_id: String,
    /// The file's size when the upload started.
    pub file_size: u64,
    /// The file's modification time (seconds) when the upload started.
    pub file_mtime: i64,
    /// Bytes the server has confirmed, from the start of the file.
    pub uploaded: u64,
}

/// A journal input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalInput {
    /// The journal's id for it.
    pub id: u32,
    /// The path as given when it was first registered.
    pub path: PathBuf,
    /// SHA-256 of its content, hex.
    pub sha256: String,
}

/// An open journal.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inputs (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS rows (
    input INTEGER NOT NULL REFERENCES inputs(id), line_index INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('planned', 'sent', 'done', 'failed')),
    action TEXT, object_id TEXT, object_status INTEGER, error TEXT, error_code TEXT,
    retryable INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (input, line_index)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (
    input INTEGER NOT NULL, line_index INTEGER NOT NULL,
    token_id TEXT NOT NULL, file_size INTEGER NOT NULL, file_mtime INTEGER NOT NULL,
    uploaded INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (input, line_index)) WITHOUT ROWID;
";

/// Opens a connection with the schema, in the given SQLite journal mode, with
/// `synchronous=FULL`: a commit is on disk before the request it announces is sent.
fn connect(path: &Path, mode: &str) -> rusqlite::Result<Connection> {
    connect_with(path, mode, "FULL")
}

/// [`connect`] with the given `synchronous` setting (set before the schema is written).
fn connect_with(path: &Path, mode: &str, sync: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.query_row(&format!("PRAGMA journal_mode={mode}"), [], |_| Ok(()))?;
    conn.execute_batch(&format!(
        "PRAGMA synchronous={sync}; PRAGMA foreign_keys=ON;"
    ))?;
    conn.execute_batch(SCHEMA)?;
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('version', ?1)",
        [VERSION],
    )?;
    Ok(conn)
}

/// Splits row indexes into runs of consecutive values, as inclusive `(first, last)` pairs.
fn runs(rows: &[u64]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &r in rows {
        match out.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(r) => *last = r,
            _ => out.push((r, r)),
        }
    }
    out
}

/// The journal format version written in `meta`.
const VERSION: &str = "1";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Journal {
    /// Opens `path`, creating it (and its schema) if needed.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = connect(path, "WAL")?;
        Ok(Journal {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Creates the journal `path` with its metadata, inputs (path, SHA-256) and their rows (all
    /// `planned`) atomically: everything is written under a temporary name in the same
    /// directory (a leftover of a killed run is replaced), synced, then renamed into place, so a
    /// kill at any instant leaves either no journal or a complete one. Input ids are 1, 2, ... in the order given.
    pub fn create(
        path: &Path,
        meta: &[(&str, &str)],
        inputs: &[(&Path, &str, Vec<u64>)],
    ) -> rusqlite::Result<Self> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "journal".into());
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        let io = |e: std::io::Error| rusqlite::Error::ToSqlConversionFailure(Box::new(e));
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
        {
            // No WAL while building: one file holds everything once the connection closes. No
            // sync either, from the first statement on (and the rollback journal in memory): the
            // file is not the journal until it is synced below and renamed, so a kill meanwhile
            // leaves only a stray `.tmp`.
            let mut conn = connect_with(&tmp, "MEMORY", "OFF")?;
            let tx = conn.transaction()?;
            {
                let mut set =
                    tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
                for (k, v) in meta {
                    set.execute(params![k, v])?;
                }
                let mut input =
                    tx.prepare_cached("INSERT INTO inputs (id, path, sha256) VALUES (?1, ?2, ?3)")?;
                // Rows come in runs of consecutive indexes (usually one run per input): each
                // run is one statement that SQLite expands itself.
                let mut run = tx.prepare_cached(
                    "WITH RECURSIVE r(i) AS (SELECT ?2 UNION ALL SELECT i + 1 FROM r WHERE i < ?3)
                     INSERT OR IGNORE INTO rows (input, line_index, state, updated_at)
                     SELECT ?1, i, 'planned', ?4 FROM r",
                )?;
                let t = now();
                for (n, (p, sha, rows)) in inputs.iter().enumerate() {
                    let id = n as u32 + 1;
                    input.execute(params![id, p.to_string_lossy(), sha])?;
                    for (first, last) in runs(rows) {
                        run.execute(params![id, first as i64, last as i64, t])?;
                    }
                }
            }
            tx.commit()?;
            // Switched to WAL here, unsynced, so that opening the journal below finds it in WAL
            // mode already: converting it there took a rollback journal and four syncs. The
            // switch empties the rollback journal, and closing checkpoints and removes the WAL.
            conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
        }
        let wal = PathBuf::from(format!("{}-wal", tmp.display()));
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            // Rows left in a WAL would not follow the rename: never take such a file.
            return Err(io(std::io::Error::other(format!(
                "{} was not checkpointed",
                wal.display()
            ))));
        }
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself is durable once the directory is synced.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        let journal = Journal::open(path)?;
        // The first commit into a new WAL also writes and syncs its header (and the directory):
        // done here, beside the first lookups, rather than in front of the first request. (A
        // new value: rewriting an equal one may leave the WAL untouched.)
        journal.set_meta("created_at", &now().to_string())?;
        Ok(journal)
    }

    /// The connection, for the bulk route's own table (`submit::bulk::journal`).
    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The file it lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    }

    /// Sets a value in the `meta` table (never a secret).
    pub fn set_meta(&self, key: &str, value: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Every registered input, by id.
    pub fn inputs(&self) -> rusqlite::Result<Vec<JournalInput>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, path, sha256 FROM inputs ORDER BY id")?;
        stmt.query_map([], |r| {
            Ok(JournalInput {
                id: r.get(0)?,
                path: PathBuf::from(r.get::<_, String>(1)?),
                sha256: r.get(2)?,
            })
        })?
        .collect()
    }

    /// Registers an input by content hash (an input already registered keeps its id).
    pub fn add_input(&self, path: &Path, sha256: &str) -> rusqlite::Result<u32> {
        self.conn.execute(
            "INSERT OR IGNORE INTO inputs (path, sha256) VALUES (?1, ?2)",
            params![path.to_string_lossy(), sha256],
        )?;
        self.conn
            .query_row("SELECT id FROM inputs WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
    }

    /// Adds rows in state `planned` (rows already present are left as they are).
    pub fn add_rows(&mut self, rows: &[RowId]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO rows (input, line_index, state, updated_at)
                 VALUES (?1, ?2, 'planned', ?3)",
            )?;
            let t = now();
            for r in rows {
                stmt.execute(params![r.input, r.row as i64, t])?;
            }
        }
        tx.commit()
    }

    /// Every row, in (input, lineIndex) order.
    pub fn rows(&self) -> rusqlite::Result<Vec<RowEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT input, line_index, state, action, object_id, object_status, error, error_code,
                    retryable, attempts FROM rows ORDER BY input, line_index",
        )?;
        stmt.query_map([], |r| {
            let state: String = r.get(2)?;
            Ok(RowEntry {
                id: RowId {
                    input: r.get(0)?,
                    row: r.get::<_, i64>(1)? as u64,
                },
                state: RowState::parse(&state).unwrap_or(RowState::Sent),
                action: r.get(3)?,
                object_id: r.get(4)?,
                object_status: r.get(5)?,
                error: r.get(6)?,
                error_code: r.get(7)?,
                retryable: r.get::<_, i64>(8)? != 0,
                attempts: r.get::<_, i64>(9)? as u32,
            })
        })?
        .collect()
    }

    /// When (Unix seconds) a row last in state `sent` was last written: the latest moment a
    /// request whose outcome is unknown may have left. `None` when no row is in doubt.
    pub fn last_sent_at(&self) -> rusqlite::Result<Option<i64>> {
        self.conn.query_row(
            "SELECT MAX(updated_at) FROM rows WHERE state = 'sent'",
            [],
            |r| r.get(0),
        )
    }

    /// The upload journaled for a row.
    pub fn upload(&self, row: RowId) -> rusqlite::Result<Option<UploadEntry>> {
        self.conn
            .query_row(
                "SELECT token_id, file_size, file_mtime, uploaded FROM uploads
                 WHERE input = ?1 AND line_index = ?2",
                params![row.input, row.row as i64],
                |r| {
                    Ok(UploadEntry {
                        token_id: r.get(0)?,
                        file_size: r.get::<_, i64>(1)? as u64,
                        file_mtime: r.get(2)?,
                        uploaded: r.get::<_, i64>(3)? as u64,
                    })
                },
            )
            .optional()
    }

    /// Records a row's upload (committed when this returns).
    pub fn set_upload(&mut self, row: RowId, u: &UploadEntry) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO uploads (input, line_index, token_id, file_size, file_mtime, uploaded,
                                  updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(input, line_index) DO UPDATE SET token_id = excluded.token_id,
               file_size = excluded.file_size, file_mtime = excluded.file_mtime,
               uploaded = excluded.uploaded, updated_at = excluded.updated_at",
            params![
                row.input,
                row.row as i64,
                u.token_id,
                u.file_size as i64,
                u.file_mtime,
                u.uploaded as i64,
                now()
            ],
        )?;
        Ok(())
    }

    /// Applies changes in one transaction: all of them are durable when this returns, or none.
    pub fn apply(&mut self, marks: &[(RowId, Mark)]) -> rusqlite::Result<()> {
        if marks.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut sent = tx.prepare_cached(
                "UPDATE rows SET state = 'sent', action = ?3, attempts = attempts + 1,
                 updated_at = ?4 WHERE input = ?1 AND line_index = ?2",
            )?;
            let mut note = tx.prepare_cached(
                "UPDATE rows SET state = ?3, error = ?4, updated_at = ?5
                 WHERE input = ?1 AND line_index = ?2",
            )?;
            let mut remark = tx.prepare_cached(
                "UPDATE rows SET error = ?3, updated_at = ?4 WHERE input = ?1 AND line_index = ?2",
            )?;
            let mut done = tx.prepare_cached(
                "UPDATE rows SET state = 'done', action = ?3, object_id = ?4, object_status = ?5,
                 error = NULL, error_code = NULL, retryable = 0, updated_at = ?6
                 WHERE input = ?1 AND line_index = ?2",
            )?;
            let mut failed = tx.prepare_cached(
                "UPDATE rows SET state = 'failed', action = COALESCE(?3, action), error = ?4,
                 error_code = ?5, retryable = ?6, updated_at = ?7
                 WHERE input = ?1 AND line_index = ?2",
            )?;
            let t = now();
            for (id, mark) in marks {
                let (input, row) = (id.input, id.row as i64);
                match mark {
                    Mark::Sent { action } => {
                        sent.execute(params![input, row, action, t])?;
                    }
                    Mark::NotApplied { error } => {
                        note.execute(params![input, row, "planned", error, t])?;
                    }
                    Mark::InDoubt { error } => {
                        note.execute(params![input, row, "sent", error, t])?;
                    }
                    Mark::Note { error } => {
                        remark.execute(params![input, row, error, t])?;
                    }
                    Mark::Done {
                        action,
                        object_id,
                        object_status,
                    } => {
                        done.execute(params![input, row, action, object_id, object_status, t])?;
                    }
                    Mark::Failed {
                        action,
                        error,
                        code,
                        retryable,
                    } => {
                        failed.execute(params![input, row, action, error, code, retryable, t])?;
                    }
                }
            }
        }
        tx.commit()
    }
}

#[cfg(test)]
mod tests;
