//! The bulk route's part of the submission journal: one row per server-side job ("piece"), with
//! the exact file it sends and what kbulk needs to read its log (the rows in it, the action and
//! parent each was sent with), the job id once the server gave one, and whether it is closed.
//!
//! The rule that makes resuming safe: a piece is written `starting` (and its rows `sent`) before
//! the request that starts its job leaves, and `running` with the job id as soon as the answer
//! comes. On resume a `running` piece is polled, never started again; a `starting` piece may or
//! may not have a job, so it is looked for by its unique file name before anything is sent.
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::super::journal::Journal;

/// Where a piece stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceState {
    /// Written; its job may or may not have been started.
    Starting,
    /// Its job was started (the id is known) and is not closed yet.
    Running,
    /// The job ended and its rows are journaled.
    Closed,
}

impl PieceState {
    fn as_str(self) -> &'static str {
        match self {
            PieceState::Starting => "starting",
            PieceState::Running => "running",
            PieceState::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "running" => PieceState::Running,
            "closed" => PieceState::Closed,
            _ => PieceState::Starting,
        }
    }
}

/// One row as it was sent in a piece.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRow {
    /// The input row's `lineIndex`.
    pub row: u64,
    /// The cells sent (the canonical columns, after kbulk's rewrites).
    pub cells: Vec<String>,
    /// The action sent (`add`, `update`, `delete`, or the raw cell the engine does not know).
    pub action: String,
    /// The parent kbulk sets after the job (API class of the row, parent id): the engine never
    /// sees `parentSystemName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<(String, i64)>,
}

/// What a piece sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiecePlan {
    /// The journal's id of the input the rows come from.
    pub input: u32,
    /// The file name sent (unique per piece, so a job can be found by it).
    pub file_name: String,
    /// The file sent.
    pub body: String,
    /// The rows in it, in file order.
    pub rows: Vec<SentRow>,
    /// The job it starts (journals written before iCal jobs hold resource CSV pieces only).
    #[serde(default)]
    pub job: super::jobs::JobKind,
}

/// A piece as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Its journal id (pieces run in this order).
    pub seq: u32,
    /// What it sends.
    pub plan: PiecePlan,
    /// The server's job id, once known.
    pub job_id: Option<i64>,
    /// Where it stands.
    pub state: PieceState,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS bulk_pieces (
    seq INTEGER PRIMARY KEY, plan TEXT NOT NULL, job_id INTEGER,
    state TEXT NOT NULL CHECK (state IN ('starting', 'running', 'closed')),
    updated_at INTEGER NOT NULL)";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn bad(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

impl Journal {
    /// Every piece, in order.
    pub fn pieces(&self) -> rusqlite::Result<Vec<Piece>> {
        self.conn().execute_batch(SCHEMA)?;
        let mut stmt = self
            .conn()
            .prepare("SELECT seq, plan, job_id, state FROM bulk_pieces ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, plan, job_id, state) = row?;
            out.push(Piece {
                seq,
                plan: serde_json::from_str(&plan).map_err(bad)?,
                job_id,
                state: PieceState::parse(&state),
            });
        }
        Ok(out)
    }

    /// Writes a new piece, `starting`, and marks its rows sent, in one transaction.
    pub fn add_piece(&mut self, plan: &PiecePlan) -> rusqlite::Result<Piece> {
        self.conn().execute_batch(SCHEMA)?;
        let text = serde_json::to_string(plan).map_err(bad)?;
        let tx = self.conn().unchecked_transaction()?;
        let t = now();
        let seq = tx.query_row(
            "INSERT INTO bulk_pieces (plan, state, updated_at) VALUES (?1, 'starting', ?2)
             RETURNING seq",
            params![text, t],
            |r| r.get::<_, u32>(0),
        )?;
        {
            let mut sent = tx.prepare_cached(
                "UPDATE rows SET state = 'sent', action = ?3, attempts = attempts + 1,
                 updated_at = ?4 WHERE input = ?1 AND line_index = ?2",
            )?;
            for r in &plan.rows {
                sent.execute(params![plan.input, r.row as i64, r.action, t])?;
            }
        }
        tx.commit()?;
        Ok(Piece {
            seq,
            plan: plan.clone(),
            job_id: None,
            state: PieceState::Starting,
        })
    }

    /// Records a piece's job id and state.
    pub fn set_piece(
        &self,
        seq: u32,
        job_id: Option<i64>,
        state: PieceState,
    ) -> rusqlite::Result<()> {
        self.conn().execute(
            "UPDATE bulk_pieces SET job_id = COALESCE(?2, job_id), state = ?3, updated_at = ?4
             WHERE seq = ?1",
            params![seq, job_id, state.as_str(), now()],
        )?;
        Ok(())
    }

    /// The run's random tag (in every piece's file name), made once per journal.
    pub fn bulk_tag(&self) -> rusqlite::Result<String> {
        if let Some(tag) = self.meta("bulk_tag")? {
            return Ok(tag);
        }
        let seed = format!(
            "{:?}{}{}",
            std::time::SystemTime::now(),
            std::process::id(),
            self.path().display()
        );
        use sha2::Digest;
        let tag = hex::encode(&sha2::Sha256::digest(seed.as_bytes())[..4]);
        self.set_meta("bulk_tag", &tag)?;
        Ok(tag)
    }

    /// The route the journal's submission took (`api` when none is recorded).
    pub fn route(&self) -> rusqlite::Result<String> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'route'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .unwrap_or_else(|| "api".into()))
    }
}
