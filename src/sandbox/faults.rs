//! Fault injection and the counters that let tests see it happen: which fault a request meets,
//! and how many requests, calls and faults the sandbox has seen.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use serde::Serialize;

use super::config::FaultConfig;
use super::random::{splitmix64, unit};

/// The fault a request meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Served normally.
    None,
    /// HTTP 503, not applied.
    Fail,
    /// Applied, then the connection is closed without a response.
    Drop,
    /// Applied, held for the timeout, then closed without a response.
    Timeout,
}

/// What the router must do for one faultable request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Draw {
    pub fault: Fault,
    pub latency: Duration,
    pub hold: Duration,
}

/// The fault generator: the configuration and the number of draws made under it.
pub(crate) struct Faults {
    config: RwLock<FaultConfig>,
    draws: AtomicU64,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Self {
        Faults {
            config: RwLock::new(config),
            draws: AtomicU64::new(0),
        }
    }

    /// Replaces the configuration and restarts the sequence, so the next request is draw 0.
    pub fn set(&self, config: FaultConfig) {
        let mut guard = self.config.write().unwrap_or_else(|p| p.into_inner());
        *guard = config;
        self.draws.store(0, Ordering::SeqCst);
    }

    /// The fault for the next request (draw number = arrival order under this configuration).
    pub fn draw(&self) -> Draw {
        let config = self
            .config
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let index = self.draws.fetch_add(1, Ordering::SeqCst);
        let r = unit(splitmix64(config.seed, index));
        let fault = if r < config.fail_rate {
            Fault::Fail
        } else if r < config.fail_rate + config.drop_rate {
            Fault::Drop
        } else if r < config.fail_rate + config.drop_rate + config.timeout_rate {
            Fault::Timeout
        } else {
            Fault::None
        };
        Draw {
            fault,
            latency: config.latency,
            hold: config.timeout,
        }
    }
}

/// A snapshot of the sandbox's counters (also served as JSON at `GET /__sandbox/stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Every HTTP request received, whatever its path.
    pub requests: u64,
    /// Requests subject to fault injection (API v3 calls, multirequests, App Registry calls).
    pub faultable: u64,
    /// Requests that waited the configured latency.
    pub delayed: u64,
    /// Requests answered with an injected HTTP 503 (not applied).
    pub failed: u64,
    /// Requests applied and then dropped without a response.
    pub dropped: u64,
    /// Requests applied, held and then closed without a response.
    pub timed_out: u64,
    /// Calls executed, by `service.action` (multirequest elements counted one by one; App
    /// Registry calls as `appRegistry.{action}`), including calls whose response was then dropped.
    pub calls: BTreeMap<String, u64>,
    /// Objects currently in the store, by kind (`resources`, `events`, `entries`, `apps`, ...).
    pub objects: BTreeMap<String, i64>,
}

/// The live counters behind [`Stats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub faultable: AtomicU64,
    pub delayed: AtomicU64,
    pub failed: AtomicU64,
    pub dropped: AtomicU64,
    pub timed_out: AtomicU64,
    calls: Mutex<BTreeMap<String, u64>>,
}

impl Counters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one executed call.
    pub fn call(&self, service: &str, action: &str) {
        let key = format!("{service}.{action}");
        *self
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key)
            .or_default() += 1;
    }

    pub fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            faultable: self.faultable.load(Ordering::Relaxed),
            delayed: self.delayed.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            timed_out: self.timed_out.load(Ordering::Relaxed),
            calls: self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            objects: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_rates_and_restart_with_set() {
        let config = FaultConfig {
            seed: 9,
            fail_rate: 0.2,
            drop_rate: 0.1,
            timeout_rate: 0.05,
            ..FaultConfig::default()
        };
        let faults = Faults::new(config.clone());
        let first: Vec<Fault> = (0..4000).map(|_| faults.draw().fault).collect();
        let share = |f: Fault| first.iter().filter(|x| **x == f).count() as f64 / 4000.0;
        assert!((share(Fault::Fail) - 0.2).abs() < 0.03);
        assert!((share(Fault::Drop) - 0.1).abs() < 0.03);
        assert!((share(Fault::Timeout) - 0.05).abs() < 0.02);
        faults.set(config);
        let again: Vec<Fault> = (0..4000).map(|_| faults.draw().fault).collect();
        assert_eq!(first, again, "same seed, same sequence");
    }
}
