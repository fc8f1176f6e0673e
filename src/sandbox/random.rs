//! Randomness: a seeded, indexable generator for faults and an unguessable one for ids and KSs.
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// SplitMix64 output for position `index` of the stream seeded with `seed`. Indexable, so
/// concurrent requests draw without sharing state and a request's draw depends only on its
/// arrival number.
pub(crate) fn splitmix64(seed: u64, index: u64) -> u64 {
    let mut z = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in `[0, 1)` from a 64-bit draw.
pub(crate) fn unit(draw: u64) -> f64 {
    (draw >> 11) as f64 / (1u64 << 53) as f64
}

/// Unguessable identifiers: SHA-256 over a secret key (time, process, address entropy) and a
/// counter. KSs must not be forgeable by guessing, which SplitMix alone would allow.
pub(crate) struct IdGen {
    key: [u8; 32],
    counter: AtomicU64,
}

impl IdGen {
    pub fn new() -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let local = 0u8;
        let mut h = Sha256::new();
        h.update(now.as_nanos().to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        h.update((&local as *const u8 as usize).to_le_bytes());
        h.update(format!("{:?}", std::thread::current().id()).as_bytes());
        let heap = Box::new(0u64);
        h.update((&*heap as *const u64 as usize).to_le_bytes());
        IdGen {
            key: h.finalize().into(),
            counter: AtomicU64::new(0),
        }
    }

    /// 32 fresh unguessable bytes.
    pub fn bytes(&self) -> [u8; 32] {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(n.to_le_bytes());
        h.finalize().into()
    }

    /// A KS: 64 hex characters.
    pub fn ks(&self) -> String {
        hex::encode(self.bytes())
    }

    /// An entry id like Kaltura's: `0_` and 8 characters of `[0-9a-z]`.
    pub fn entry_id(&self) -> String {
        const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let bytes = self.bytes();
        let tail: String = bytes[..8]
            .iter()
            .map(|b| ALPHABET[*b as usize % 36] as char)
            .collect();
        format!("0_{tail}")
    }

    /// An upload token id: `0_` and 32 hex characters.
    pub fn upload_token_id(&self) -> String {
        format!("0_{}", hex::encode(&self.bytes()[..16]))
    }

    /// A version-4 UUID, as the App Registry uses for app ids.
    pub fn uuid(&self) -> String {
        let mut b = self.bytes();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(&b[..16]);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_reproducible_and_spread() {
        assert_eq!(splitmix64(7, 3), splitmix64(7, 3));
        assert_ne!(splitmix64(7, 3), splitmix64(8, 3));
        let mean: f64 = (0..10_000).map(|i| unit(splitmix64(1, i))).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
    }

    #[test]
    fn ids_have_kaltura_shapes_and_differ() {
        let g = IdGen::new();
        let e = g.entry_id();
        assert_eq!(e.len(), 10);
        assert!(e.starts_with("0_"));
        let u = g.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(g.ks(), g.ks());
    }
}
