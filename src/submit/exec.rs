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
use super::registry::{self, Registry};

/// Batches marked sent and queued per worker by default, beyond the ones being sent. The thread
/// that writes the journal syncs the marks of the next batches while these are sent: with one
/// per worker (a round trip of work), a sync slower than a round trip left every worker idle
/// until it ended; at 20 ms latency, syncs on a busy disk took up to 25 ms, and a third of them
/// over 2 ms. More queued means more rows in doubt (looked up on resume) after a kill.
pub const QUEUED_PER_WORKER: usize = 3;

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

/// What [`Executor::stream`] reports to, on the caller's thread.
pub trait Feed {
    /// Why the run must stop (the journal could not be written).
    type Error;
    /// Units were answered: file the answers. Returns the units that became ready (numbered
    /// after every unit so far, in the order returned).
    fn answered(&mut self, completed: Vec<(usize, Sent)>) -> Vec<Vec<Call>>;
    /// `units` are about to be sent (none, after answers that freed nothing new): make them
    /// durable, with whatever [`Feed::answered`] left to write.
    fn dispatching(&mut self, units: &[usize]) -> Result<(), Self::Error>;
}

/// Runs units of calls in parallel multirequests.
#[derive(Debug, Clone)]
pub struct Executor {
    client: Client,
    /// Where App Registry calls go (they are REST calls, one per request, never batched).
    registry: Option<Registry>,
    batch_size: usize,
    concurrency: usize,
    /// Batches marked and queued per worker beyond those being sent.
    queued: usize,
}

/// Groups units (by their call counts) into batches of at most `batch_size` calls, in order. A
/// unit larger than the batch size travels alone (its calls reference each other), and so does a
/// `solo` unit: a single call whose text would read as a placeholder inside a multirequest is
/// sent as a plain call, where the server leaves it alone; so does every unit of REST calls.
pub fn pack(call_counts: &[usize], solo: &[bool], batch_size: usize) -> Vec<Vec<usize>> {
    let batch_size = batch_size.max(1);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current = Vec::new();
    let mut calls = 0;
    for (i, &n) in call_counts.iter().enumerate() {
        if solo.get(i) == Some(&true) {
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
            registry: None,
            batch_size: batch_size.max(1),
            concurrency: concurrency.max(1),
            queued: QUEUED_PER_WORKER,
        }
    }

    /// The same executor, queueing `per_worker` marked batches per worker (at least 1) beyond
    /// those being sent.
    pub fn with_queue(mut self, per_worker: usize) -> Self {
        self.queued = per_worker.max(1);
        self
    }

    /// The same executor, sending App Registry calls to `registry`.
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
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
        struct Steps<'s, 'a, E> {
            step: &'s mut Step<'a, E>,
            completed: Vec<(usize, Sent)>,
        }
        impl<E> Feed for Steps<'_, '_, E> {
            type Error = E;
            fn answered(&mut self, completed: Vec<(usize, Sent)>) -> Vec<Vec<Call>> {
                self.completed.extend(completed);
                Vec::new()
            }
            fn dispatching(&mut self, units: &[usize]) -> Result<(), E> {
                (self.step)(std::mem::take(&mut self.completed), units)
            }
        }
        let units = units.iter().map(|u| u.to_vec()).collect();
        let mut feed = Steps {
            step,
            completed: Vec::new(),
        };
        self.stream(ks, units, &mut feed, stop)
    }

    /// Runs `units`, and every unit `feed` adds as answers arrive, until none is left or `stop`
    /// is set. Units are numbered in the order they were given (the ones `feed` returns follow
    /// the ones before). On this thread: [`Feed::answered`] whenever answers are in, and
    /// [`Feed::dispatching`] first, after every `answered`, and always before the units it names
    /// are sent. If `dispatching` fails, nothing more is dispatched, the requests in flight are
    /// awaited (their answers dropped: their rows stay "sent", in doubt) and the error is
    /// returned.
    pub fn stream<E>(
        &self,
        ks: &Secret,
        units: Vec<Vec<Call>>,
        feed: &mut dyn Feed<Error = E>,
        stop: Option<&AtomicBool>,
    ) -> Result<(), E> {
        let mut counts: Vec<usize> = Vec::new();
        let mut solo: Vec<bool> = Vec::new();
        let mut bodies: Vec<Option<Vec<Call>>> = Vec::new();
        let add = |units: Vec<Vec<Call>>,
                   counts: &mut Vec<usize>,
                   solo: &mut Vec<bool>,
                   bodies: &mut Vec<Option<Vec<Call>>>| {
            for u in units {
                counts.push(u.len());
                let rest = u.iter().any(|c| c.service == registry::SERVICE);
                solo.push(rest || (u.len() == 1 && u[0].has_placeholder_text()));
                bodies.push(Some(u));
            }
        };
        add(units, &mut counts, &mut solo, &mut bodies);
        // Units `packed..` are not in a batch yet: they are packed when batches run short, so
        // units that become ready together share batches.
        let mut packed = 0;
        let mut batches: Vec<Vec<usize>> = Vec::new();
        let fill = |need: usize,
                    packed: &mut usize,
                    batches: &mut Vec<Vec<usize>>,
                    counts: &[usize],
                    solo: &[bool]| {
            if batches.len() < need && *packed < counts.len() {
                let from = *packed;
                batches.extend(
                    pack(&counts[from..], &solo[from..], self.batch_size)
                        .into_iter()
                        .map(|b| b.into_iter().map(|u| u + from).collect::<Vec<_>>()),
                );
                *packed = counts.len();
            }
        };
        // `None`: the batch was taken off the queue after the run failed, and not sent.
        type Answer = (usize, Option<Result<Vec<Element>, Failure>>);
        let (work_tx, work_rx) = mpsc::channel::<(usize, Vec<Vec<Call>>)>();
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = mpsc::channel::<Answer>();
        // Set when `dispatching` failed: the batches still queued are not sent.
        let abort = AtomicBool::new(false);
        thread::scope(|scope| {
            for _ in 0..self.concurrency {
                let work_rx = Arc::clone(&work_rx);
                let done_tx = done_tx.clone();
                let abort = &abort;
                scope.spawn(move || {
                    loop {
                        let next = work_rx.lock().map(|rx| rx.recv());
                        let Ok(Ok((b, units))) = next else { break };
                        let answer = (!abort.load(Ordering::SeqCst)).then(|| self.send(ks, units));
                        if done_tx.send((b, answer)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(done_tx);
            // Every batch marked sent (durable) goes on the workers' queue at once: a worker that
            // finishes a request takes the next one itself, without waiting for this thread,
            // whose next journal sync (the answers just in, the marks of the batches after)
            // overlaps the requests in flight. Up to `queued × concurrency` batches
            // wait on the queue beyond the `concurrency` being sent: enough to cover a slow sync
            // (one took 25 ms, more than a round trip, on a busy disk) without a worker idling.
            let mut marked = 0;
            // Batches on the queue or being sent, not answered yet.
            let mut in_flight = 0;
            let mut completed = Vec::new();
            let mut failed = None;
            let mut first = true;
            loop {
                let mut filed = first;
                if failed.is_none() && !completed.is_empty() {
                    let more = feed.answered(std::mem::take(&mut completed));
                    add(more, &mut counts, &mut solo, &mut bodies);
                    filed = true;
                }
                let stopped = stop.is_some_and(|s| s.load(Ordering::SeqCst));
                let target = if failed.is_some() || stopped {
                    marked
                } else {
                    let answered = marked - in_flight;
                    let need = answered + (1 + self.queued) * self.concurrency;
                    fill(need, &mut packed, &mut batches, &counts, &solo);
                    need.min(batches.len())
                };
                let marking: Vec<usize> = batches[marked..target].concat();
                if failed.is_none() && (filed || !marking.is_empty()) {
                    first = false;
                    if let Err(e) = feed.dispatching(&marking) {
                        failed = Some(e);
                        abort.store(true, Ordering::SeqCst);
                        completed.clear();
                        continue;
                    }
                    for (b, batch) in batches.iter().enumerate().take(target).skip(marked) {
                        let units = batch
                            .iter()
                            .map(|&u| bodies[u].take().unwrap_or_default())
                            .collect();
                        // Workers only stop once `work_tx` is dropped, so this cannot fail.
                        let _ = work_tx.send((b, units));
                    }
                    in_flight += target - marked;
                    marked = target;
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
                        if let Some(answer) = answer {
                            split(&batches[b], &counts, answer, &mut completed);
                        }
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

    fn send(&self, ks: &Secret, units: Vec<Vec<Call>>) -> Result<Vec<Element>, Failure> {
        if units
            .iter()
            .flatten()
            .any(|c| c.service == registry::SERVICE)
        {
            // A REST unit always travels alone (`pack`): its calls run one by one.
            return match &self.registry {
                Some(r) => r.run(ks, &units.concat()),
                None => Err(Failure {
                    kind: super::client::FailureKind::Refused,
                    message: "no App Registry URL is configured".into(),
                    retry_after: None,
                }),
            };
        }
        let mut calls = Vec::new();
        for unit in units {
            let offset = calls.len();
            if offset == 0 {
                calls.extend(unit);
            } else {
                calls.extend(unit.iter().map(|c| c.shifted(offset)));
            }
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
