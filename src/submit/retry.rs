//! The retry policy: which failures are retried, how often, and how long to wait.
//!
//! Transient failures (HTTP 5xx and 429, timeouts, resets, refused connections) are retried with
//! exponential backoff — by default 1 s, 2 s, 4 s, each ±20 % jitter, at most 3 retries, as
//! Kaltura's guides advise. A `Retry-After` on 429 or 503 is honoured as a floor on the wait,
//! capped at `max_delay` (60 s by default). Errors the API returns (`KalturaAPIException`:
//! validation, not found, already exists) and HTTP 4xx are never retried. Whether a retried call
//! may be re-sent as is, or must first be looked up because it may already have been applied, is
//! decided by the caller from [`super::client::FailureKind`]; this module only says when.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How transient failures are retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: never retry).
    pub max_retries: u32,
    /// Wait before the first retry; each further retry waits twice as long.
    pub base_delay: Duration,
    /// Longest wait, whatever the attempt.
    pub max_delay: Duration,
    /// Share of the wait drawn at random either side (0.2: ±20 %), so that many clients that
    /// failed together do not retry together.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// Whether a call that has failed `failures` times (1 after the first failure) may be tried
    /// again.
    pub fn allows(&self, failures: u32) -> bool {
        failures <= self.max_retries
    }

    /// The wait before retry number `retry` (1-based): `base · 2^(retry-1)`, capped, jittered.
    pub fn delay(&self, retry: u32) -> Duration {
        let nominal = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
            .min(self.max_delay);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let factor = 1.0 + jitter * (2.0 * random_unit() - 1.0);
        nominal.mul_f64(factor.max(0.0))
    }

    /// The wait before retry number `retry` when the server said how long to wait
    /// (`Retry-After`): at least the server's wait, capped at `max_delay` like any wait, jittered
    /// upwards only (never sooner than asked, and clients told the same instant do not all come
    /// back at once), and never shorter than [`RetryPolicy::delay`]. The retry still counts
    /// against `max_retries`.
    pub fn delay_after(&self, retry: u32, asked: Option<Duration>) -> Duration {
        let backoff = self.delay(retry);
        let Some(asked) = asked else { return backoff };
        let asked = asked.min(self.max_delay);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let asked = asked
            .mul_f64(1.0 + jitter * random_unit())
            .min(self.max_delay);
        backoff.max(asked)
    }
}

/// A number in `[0, 1)`; jitter needs spread, not cryptographic quality.
fn random_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = nanos
        ^ COUNTER
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .rotate_left(17);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let p = RetryPolicy::default();
        for (retry, secs) in [(1, 1.0), (2, 2.0), (3, 4.0)] {
            let d = p.delay(retry).as_secs_f64();
            assert!((secs * 0.8..=secs * 1.2).contains(&d), "retry {retry}: {d}");
        }
        let capped = RetryPolicy {
            max_delay: Duration::from_secs(3),
            jitter: 0.0,
            ..p.clone()
        };
        assert_eq!(capped.delay(10), Duration::from_secs(3));
        assert!(p.allows(3) && !p.allows(4));
    }

    #[test]
    fn retry_after_is_a_floor_capped_at_the_longest_wait() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(60),
            ..RetryPolicy::default()
        };
        for _ in 0..20 {
            let d = p.delay_after(1, Some(Duration::from_secs(5)));
            assert!(
                d >= Duration::from_secs(5) && d <= Duration::from_secs(6),
                "{d:?}"
            );
            let capped = p.delay_after(1, Some(Duration::from_secs(3600)));
            assert_eq!(capped, Duration::from_secs(60));
        }
        // A shorter request than the backoff keeps the backoff.
        let slow = RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        assert_eq!(
            slow.delay_after(2, Some(Duration::from_millis(1))),
            Duration::from_secs(2)
        );
        assert_eq!(slow.delay_after(2, None), Duration::from_secs(2));
    }

    #[test]
    fn jitter_spreads() {
        let p = RetryPolicy::default();
        let draws: Vec<Duration> = (0..50).map(|_| p.delay(1)).collect();
        assert!(draws.iter().any(|d| *d != draws[0]));
    }
}
