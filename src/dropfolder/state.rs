//! The drop folder's durable state (INBOX/.kbulk/state.sqlite): each input by the SHA-256 of its
//! content, with how far its handover got, so a restart after `kill -9` neither repeats nor
//! loses a file.
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

/// How far an input got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Its outputs are durable in OUTBOX (or its report in the rejected folder); the original may
    /// still be in INBOX.
    Done,
    /// The original was moved to the archive (or the rejected folder): finished.
    Archived,
}

/// The state store.
pub struct State {
    db: Connection,
}

impl State {
    /// Opens (creating) the store at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let db = Connection::open(path)?;
        db.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS inputs (
                 hash TEXT PRIMARY KEY, name TEXT NOT NULL, outcome TEXT NOT NULL,
                 archived INTEGER NOT NULL DEFAULT 0)",
        )?;
        Ok(State { db })
    }

    /// What is known of the content `hash`: the name it arrived under, its outcome and stage.
    pub fn get(&self, hash: &str) -> rusqlite::Result<Option<(String, String, Stage)>> {
        self.db
            .query_row(
                "SELECT name, outcome, archived FROM inputs WHERE hash = ?1",
                params![hash],
                |r| {
                    let stage = if r.get::<_, i64>(2)? != 0 {
                        Stage::Archived
                    } else {
                        Stage::Done
                    };
                    Ok((r.get(0)?, r.get(1)?, stage))
                },
            )
            .optional()
    }

    /// Records that the outputs of `hash` (arrived as `name`) are durable, with `outcome`
    /// (`handed-over` or `rejected`).
    pub fn done(&self, hash: &str, name: &str, outcome: &str) -> rusqlite::Result<()> {
        self.db.execute(
            "INSERT OR IGNORE INTO inputs (hash, name, outcome) VALUES (?1, ?2, ?3)",
            params![hash, name, outcome],
        )?;
        Ok(())
    }

    /// Records that the original of `hash` left INBOX.
    pub fn archived(&self, hash: &str) -> rusqlite::Result<()> {
        self.db.execute(
            "UPDATE inputs SET archived = 1 WHERE hash = ?1",
            params![hash],
        )?;
        Ok(())
    }
}
