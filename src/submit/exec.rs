//! The executor: packs units of calls (a row's task, a lookup) into multirequests of at most
//! `batch_size` calls, keeps `concurrency` of them in flight on worker threads, and hands every
//! answer back to the caller's thread — which is the only one that touches the journal.
//!
//! The caller's `step` hook is called with the units that just completed and the units about to
//! be dispatched, before they are dispatched: one journal transaction can record both, and a
//! row's "sent" mark is durable before its request leaves.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

use super::auth::Secret;
use super::client::{Client, Element, Failure};
use super::multirequest::Call;

/// What became of one unit.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// The server answered: one element per call of the unit.
    Answered(Vec<Element>),
    /// No usable answer for the request that carried the unit.
    Failed(Failure),
}

/// The hook [`Executor::run`] calls with completed units and the units about to be dispatched.
pub type Step<'a, E> = dyn FnMut(Vec<(usize, Sent)>, &[usize]) -> Result<(), E> + 'a;

/// Runs units of calls in parallel multirequests.
#[derive(Debug, Clone)]
pub struct Executor {
    client: Client,
    batch_size: usize,
    concurrency: usize,
}

/// Groups units (by their call counts) into batches of at most `batch_size` calls, in order. A
/// unit larger than the batch size travels alone (its calls reference each other), and so does a
/// `solo` unit: a single call whose text would read as a placeholder inside a multirequest is
/// sent as a plain call, where the server leaves it alone.
pub fn pack(call_counts: &[usize], solo: &[bool], batch_size: usize) -> Vec<Vec<usize>> {
    let batch_size = batch_size.max(1);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current = Vec::new();
    let mut calls = 0;
    for (i, &n) in call_counts.iter().enumerate() {
        if solo.get(i) == Some(&true) && n == 1 {
            batches.push(vec![i]);
            continue;
        }
        if !current.is_empty() && calls + n > batch_size {
            batches.push(std::mem::take(&mut current));
            calls = 0;
        }
        current.push(i);
        calls += n;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

impl Executor {
    /// An executor over `client`.
    pub fn new(client: Client, batch_size: usize, concurrency: usize) -> Self {
        Executor {
            client,
            batch_size: batch_size.max(1),
            concurrency: concurrency.max(1),
        }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs every unit. `step(completed, dispatching)` is called on this thread first with no
    /// completed unit, then each time answers arrive, always before the units it names as
    /// dispatching are sent; the last call dispatches nothing. If `step` fails, nothing more is
    /// dispatched, the requests in flight are awaited (their answers dropped: their rows stay
    /// "sent", in doubt) and the error is returned.
    pub fn run<E>(&self, ks: &Secret, units: &[&[Call]], step: &mut Step<'_, E>) -> Result<(), E> {
        self.run_until(ks, units, step, None)
    }

    /// [`Executor::run`], dispatching nothing more once `stop` is set: the requests in flight
    /// are awaited and handed to `step` as usual, the units never dispatched are simply not
    /// named (their rows stay as they were).
    pub fn run_until<E>(
        &self,
        ks: &Secret,
        units: &[&[Call]],
        step: &mut Step<'_, E>,
        stop: Option<&AtomicBool>,
    ) -> Result<(), E> {
        let counts: Vec<usize> = units.iter().map(|u| u.len()).collect();
        let solo: Vec<bool> = units
            .iter()
            .map(|u| u.iter().any(Call::has_placeholder_text))
            .collect();
        let batches = pack(&counts, &solo, self.batch_size);
        let workers = self.concurrency.min(batches.len()).max(1);
        let (work_tx, work_rx) = mpsc::channel::<usize>();
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = mpsc::channel::<(usize, Result<Vec<Element>, Failure>)>();
        thread::scope(|scope| {
            for _ in 0..workers {
                let work_rx = Arc::clone(&work_rx);
                let done_tx = done_tx.clone();
                let batches = &batches;
                scope.spawn(move || {
                    loop {
                        let next = work_rx.lock().map(|rx| rx.recv());
                        let Ok(Ok(b)) = next else { break };
                        let answer = self.send(ks, units, &batches[b]);
                        if done_tx.send((b, answer)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            // Batches `next..marked` are marked sent (durable) but not dispatched yet: a free
            // slot takes one at once, without waiting for the journal, whose next sync (the
            // answers just in, the marks of the batches after) overlaps the requests in flight.
            let mut next = 0;
            let mut marked = 0;
            let mut in_flight = 0;
            let mut completed = Vec::new();
            let mut failed = None;
            let mut first = true;
            loop {
                let dispatch = |next: &mut usize, in_flight: &mut usize, marked: usize| {
                    let k = (self.concurrency - *in_flight).min(marked - *next);
                    for b in *next..*next + k {
                        // Workers only stop once `work_tx` is dropped, so this cannot fail.
                        let _ = work_tx.send(b);
                    }
                    *in_flight += k;
                    *next += k;
                };
                // Marked batches go even after a stop: they are recorded as sent.
                if failed.is_none() {
                    dispatch(&mut next, &mut in_flight, marked);
                }
                let stopped = stop.is_some_and(|s| s.load(Ordering::SeqCst));
                let target = if failed.is_some() || stopped {
                    marked
                } else {
                    let free = self.concurrency - in_flight;
                    (next + free + self.concurrency).min(batches.len())
                };
                let marking: Vec<usize> = batches[marked..target].concat();
                if failed.is_none() && (first || !completed.is_empty() || !marking.is_empty()) {
                    first = false;
                    if let Err(e) = step(std::mem::take(&mut completed), &marking) {
                        failed = Some(e);
                        completed.clear();
                        continue;
                    }
                    marked = target;
                    dispatch(&mut next, &mut in_flight, marked);
                }
                if in_flight == 0 {
                    break;
                }
                let Ok(answer) = done_rx.recv() else { break };
                let mut answers = vec![answer];
                answers.extend(done_rx.try_iter());
                in_flight -= answers.len();
                if failed.is_none() {
                    for (b, answer) in answers {
                        split(&batches[b], &counts, answer, &mut completed);
                    }
                }
            }
            drop(work_tx);
            match failed {
                Some(e) => Err(e),
                None => Ok(()),
            }
        })
    }

    fn send(
        &self,
        ks: &Secret,
        units: &[&[Call]],
        batch: &[usize],
    ) -> Result<Vec<Element>, Failure> {
        let mut calls = Vec::new();
        for &u in batch {
            let offset = calls.len();
            calls.extend(units[u].iter().map(|c| c.shifted(offset)));
        }
        if let [only] = calls.as_slice() {
            return self.client.call(Some(ks), only).map(|e| vec![e]);
        }
        self.client.multirequest(ks, &calls)
    }
}

/// Splits a batch's answer into its units' shares.
fn split(
    batch: &[usize],
    counts: &[usize],
    answer: Result<Vec<Element>, Failure>,
    out: &mut Vec<(usize, Sent)>,
) {
    match answer {
        Ok(elements) => {
            let mut rest = elements.into_iter();
            for &u in batch {
                out.push((u, Sent::Answered(rest.by_ref().take(counts[u]).collect())));
            }
        }
        Err(f) => out.extend(batch.iter().map(|&u| (u, Sent::Failed(f.clone())))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_units_whole_and_in_order() {
        assert_eq!(
            pack(&[1, 1, 1, 1, 1], &[], 2),
            vec![vec![0, 1], vec![2, 3], vec![4]]
        );
        assert_eq!(pack(&[2, 3, 1], &[], 4), vec![vec![0], vec![1, 2]]);
        assert_eq!(pack(&[5, 1], &[], 2), vec![vec![0], vec![1]]);
        assert_eq!(
            pack(&[1, 1, 1], &[false, true, false], 20),
            vec![vec![1], vec![0, 2]]
        );
        assert!(pack(&[], &[], 20).is_empty());
    }
}
