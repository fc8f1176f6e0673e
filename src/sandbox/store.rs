//! The sandbox store: one SQLite connection (in memory, or a file that survives restarts) behind a
//! mutex. Every call runs in one transaction while holding it, so concurrent clients can never
//! interleave a uniqueness check with another client's insert: no lost and no duplicated write.
//! Objects are kept as their JSON form plus the columns that uniqueness and lookups need.
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

use super::error::ApiError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sessions (
    ks TEXT PRIMARY KEY, partner_id INTEGER NOT NULL, type INTEGER NOT NULL, user_id TEXT NOT NULL,
    expiry INTEGER NOT NULL, privileges TEXT NOT NULL, widget INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, type INTEGER NOT NULL,
    system_name TEXT, status INTEGER NOT NULL, data TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS resources_system_name ON resources(partner_id, type, system_name)
    WHERE system_name IS NOT NULL AND status != 3;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, reference_id TEXT,
    status INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS event_resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, event_id INTEGER NOT NULL,
    resource_id INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE (event_id, resource_id));
CREATE TABLE IF NOT EXISTS upload_tokens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, partner_id INTEGER NOT NULL,
    content BLOB NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS upload_chunks (
    token_id TEXT NOT NULL, resume_at INTEGER NOT NULL, content BLOB NOT NULL,
    PRIMARY KEY (token_id, resume_at));
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, partner_id INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS category_entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, entry_id TEXT NOT NULL,
    category_id INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE (entry_id, category_id));
CREATE TABLE IF NOT EXISTS categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, full_name TEXT NOT NULL,
    status INTEGER NOT NULL, data TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS categories_full_name ON categories(partner_id, full_name)
    WHERE status != 3;
CREATE TABLE IF NOT EXISTS users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, id TEXT NOT NULL,
    status INTEGER NOT NULL, data TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS users_id ON users(partner_id, id) WHERE status != 2;
CREATE TABLE IF NOT EXISTS group_users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, user_id TEXT NOT NULL,
    group_id TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (partner_id, user_id, group_id));
CREATE TABLE IF NOT EXISTS category_users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, category_id INTEGER NOT NULL,
    user_id TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (partner_id, category_id, user_id));
CREATE TABLE IF NOT EXISTS bulk_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, kind TEXT NOT NULL,
    status INTEGER NOT NULL, file BLOB NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bulk_results (
    job_id INTEGER NOT NULL, line_index INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (job_id, line_index));
CREATE TABLE IF NOT EXISTS apps (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, partner_id INTEGER NOT NULL,
    app_custom_id TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (partner_id, app_custom_id));
";

/// Prepared statements kept per connection: above the distinct statements of all the services.
const STATEMENT_CACHE: usize = 128;

/// The database behind a sandbox.
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (and if needed creates) the store; `None` keeps it in memory.
    pub fn open(path: Option<&Path>) -> rusqlite::Result<Self> {
        let conn = match path {
            Some(p) => {
                let c = Connection::open(p)?;
                c.busy_timeout(Duration::from_secs(5))?;
                // WAL keeps a crash from tearing a write; NORMAL is durable enough for a sandbox.
                c.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
                c.execute_batch("PRAGMA synchronous=NORMAL;")?;
                c
            }
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch(SCHEMA)?;
        // Every call runs the same few statements (session, lookups, insert, update): parsed
        // once per connection instead of once per call, which was a fifth of the sandbox's CPU.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn tx<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Parses a stored JSON `data` column.
pub(crate) fn parse_data(text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text)
        .map_err(|e| ApiError::internal(&format!("corrupt stored object: {e}")))
}

/// All `data` objects a query returns (the query must select one `data` column).
pub(crate) fn objects(
    tx: &Transaction<'_>,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Value>, ApiError> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |row| row.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(parse_data(&row?)?);
    }
    Ok(out)
}

/// The one `data` object a query returns, if any.
pub(crate) fn object(
    tx: &Transaction<'_>,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Option<Value>, ApiError> {
    let text: Option<String> = tx
        .prepare_cached(sql)?
        .query_row(args, |row| row.get(0))
        .optional()?;
    text.map(|t| parse_data(&t)).transpose()
}

/// The live (not deleted: status 3) object `id` of partner `partner_id` in `table` (a table
/// with `id`, `partner_id`, `status` and `data` columns).
pub(crate) fn live_object(
    tx: &Transaction<'_>,
    table: &str,
    id: i64,
    partner_id: i64,
) -> Result<Option<Value>, ApiError> {
    object(
        tx,
        &format!("SELECT data FROM {table} WHERE id = ?1 AND partner_id = ?2 AND status != 3"),
        params![id, partner_id],
    )
}

/// Stores `obj` back into row `id` of `table`: its `data`, its `status`, and the indexed
/// column `column` set to `value`.
pub(crate) fn update_object(
    tx: &Transaction<'_>,
    table: &str,
    column: &str,
    id: i64,
    value: impl rusqlite::ToSql,
    obj: &Value,
) -> Result<(), ApiError> {
    tx.prepare_cached(&format!(
        "UPDATE {table} SET {column} = ?2, status = ?3, data = ?4 WHERE id = ?1"
    ))?
    .execute(params![id, value, obj["status"].as_i64(), obj.to_string()])?;
    Ok(())
}

/// Seconds since the Unix epoch, as Kaltura stamps `createdAt`/`updatedAt`.
pub(crate) fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The tables the stats endpoint counts, with the condition that excludes deleted objects.
const COUNTED: [(&str, &str); 12] = [
    ("resources", "status != 3"),
    ("events", "status != 3"),
    ("event_resources", "1"),
    ("upload_tokens", "1"),
    ("entries", "1"),
    ("category_entries", "1"),
    ("apps", "1"),
    ("categories", "status != 3"),
    ("users", "status != 2"),
    ("group_users", "1"),
    ("category_users", "1"),
    ("bulk_jobs", "1"),
];

/// Number of live (not deleted) objects of each counted kind.
pub(crate) fn counts(tx: &Transaction<'_>) -> Result<Vec<(String, i64)>, ApiError> {
    COUNTED
        .iter()
        .map(|(table, live)| {
            let n = tx.query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE {live}"),
                params![],
                |r| r.get(0),
            )?;
            Ok((table.to_string(), n))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_call_rolls_back() {
        let store = Store::open(None).unwrap();
        let failed: Result<(), ApiError> = store.tx(|tx| {
            tx.execute(
                "INSERT INTO apps (id, partner_id, app_custom_id, data) VALUES ('a', 1, 'x', '{}')",
                [],
            )?;
            Err(ApiError::upload_token_not_found())
        });
        assert!(failed.is_err());
        let counts = store.tx(counts).unwrap();
        assert!(counts.iter().all(|(_, n)| *n == 0), "{counts:?}");
    }

    #[test]
    fn a_file_store_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let store = Store::open(Some(&path)).unwrap();
            store
                .tx(|tx| {
                    tx.execute("INSERT INTO apps (id, partner_id, app_custom_id, data) VALUES ('a', 1, 'x', '{\"k\":1}')", [])?;
                    Ok::<_, ApiError>(())
                })
                .unwrap();
        }
        let store = Store::open(Some(&path)).unwrap();
        let v = store
            .tx(|tx| object(tx, "SELECT data FROM apps WHERE id = ?1", ["a"]))
            .unwrap();
        assert_eq!(v.unwrap()["k"], 1);
    }
}
