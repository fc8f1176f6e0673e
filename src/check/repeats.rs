//! The "first use wins" indexes (entry reference ids, event UIDs) once they pass their memory
//! budget: every later use goes to a [`KeyLog`] on disk, and at the end of the file the uses of
//! each key are replayed in file order, so that each repeat is reported against its first use
//! exactly as the in-memory index would have reported it.
use std::io;
use std::sync::Arc;

use crate::check::spill::{Enc, KeyLog};
use crate::diag::Diagnostic;
use crate::formats::codes::UNREADABLE;

/// The uses of a first-use-wins index, on disk.
///
/// Every payload starts with what the index keeps of a first use (the caller's encoding), so a
/// key's first event, whether it was held in memory when the index spilled or logged since,
/// gives the first use of a later one.
#[derive(Debug)]
pub(crate) struct Repeats {
    log: KeyLog,
    /// Where the first record handled by the log starts: findings may wait from there.
    pub(crate) from: u64,
    error: Option<io::Error>,
}

impl Repeats {
    /// A log of budget `budget` holding what the index held (`(key, first use)`, distinct
    /// keys); later uses follow with [`Repeats::push`] from the record starting at `from`.
    pub(crate) fn new(budget: usize, from: u64, held: impl Iterator<Item = (u64, Enc)>) -> Self {
        let mut r = Repeats {
            log: KeyLog::new(budget),
            from,
            error: None,
        };
        for (key, e) in held {
            r.push(key, 0, e);
        }
        r
    }

    /// Logs a use of `key` by record number `seq` (counted from 1, in file order).
    pub(crate) fn push(&mut self, key: u64, seq: u64, e: Enc) {
        if self.error.is_none()
            && let Err(e) = self.log.push(key, seq, &e.0)
        {
            self.error = Some(e);
        }
    }

    /// Replays the uses key by key: `repeat(first, later)` makes the finding of every use after
    /// the first (both are whole payloads). `what` names the index in the message sent when
    /// the temporary files failed.
    pub(crate) fn finish(
        self,
        file: &Arc<str>,
        what: &str,
        out: &mut dyn FnMut(Diagnostic),
        mut repeat: impl FnMut(&[u8], &[u8]) -> Diagnostic,
    ) {
        let from = self.from;
        let replayed = self.error.map_or(Ok(()), Err).and_then(|()| {
            let mut merged = self.log.into_sorted()?;
            let (mut first, mut payload) = (Vec::new(), Vec::new());
            let mut current = None;
            while let Some((key, _)) = merged.next(&mut payload)? {
                if current == Some(key) {
                    out(repeat(&first, &payload));
                } else {
                    current = Some(key);
                    std::mem::swap(&mut first, &mut payload);
                }
            }
            Ok(())
        });
        if let Err(e) = replayed {
            out(Diagnostic::new(
                &UNREADABLE,
                file,
                format!(
                    "the {what} index could not use its temporary file: {e}; duplicate checks after byte {from} are incomplete"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::spill::Dec;

    #[test]
    fn every_later_use_meets_the_first() {
        let held = [(7u64, Enc::new().u64(100)), (9, Enc::new().u64(200))];
        let mut r = Repeats::new(0, 0, held.into_iter());
        // Key 7 again twice, key 3 new then again, key 9 once more.
        for (seq, key, at) in [
            (1, 7, 101),
            (2, 3, 300),
            (3, 7, 102),
            (4, 3, 301),
            (5, 9, 201),
        ] {
            r.push(key, seq, Enc::new().u64(at));
        }
        let file: Arc<str> = Arc::from("f");
        let mut pairs = Vec::new();
        r.finish(&file, "test", &mut |_| {}, |first, later| {
            pairs.push((Dec(first).u64(), Dec(later).u64()));
            Diagnostic::new(&UNREADABLE, &file, String::new())
        });
        pairs.sort();
        assert_eq!(pairs, [(100, 101), (100, 102), (200, 201), (300, 301)]);
    }
}
