//! A compact open-addressing set of name keys with one position per key, for the file-level
//! rules (resource names, entry reference ids). Built for the one hot loop that touches every row: keys are already hashes, a slot
//! is 16 bytes (key and value in one cache line), and callers can prefetch a key's slot a few
//! rows ahead so that the memory latency of a large index overlaps with other work.

/// Keys (non-zero 64-bit hashes) mapped to a 64-bit value.
#[derive(Debug, Clone)]
pub struct NameIndex {
    slots: Vec<(u64, u64)>,
    len: usize,
}

/// Slot key meaning "empty"; real keys are remapped away from it.
const EMPTY: u64 = 0;

/// The key as the index stores it (0 means empty, so it becomes 1).
pub fn norm(key: u64) -> u64 {
    if key == EMPTY { 1 } else { key }
}

impl Default for NameIndex {
    fn default() -> Self {
        NameIndex {
            slots: vec![(EMPTY, 0); 1024],
            len: 0,
        }
    }
}

impl NameIndex {
    /// Number of keys.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no key is stored.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the slots will take once one more key is inserted (the table doubles at 3/4).
    pub fn bytes_after_insert(&self) -> usize {
        let slots = if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.slots.len() * 2
        } else {
            self.slots.len()
        };
        slots * std::mem::size_of::<(u64, u64)>()
    }

    /// Every stored key and its value, in no particular order. The keys are as stored: a key
    /// given as 0 comes back as 1 (which no lookup tells apart).
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.slots.iter().copied().filter(|&(k, _)| k != EMPTY)
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn home(&self, key: u64) -> usize {
        // The high bits of a good hash are as good as the low ones; they leave the low bits
        // free for other tables keyed by the same hashes.
        (key.rotate_left(29) as usize) & self.mask()
    }

    /// Asks the CPU to start loading the slot of `key` (no effect on other targets).
    pub fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let p = self.slots.as_ptr().wrapping_add(self.home(norm(key)));
            // SAFETY: a prefetch is only a hint; it never faults, whatever the address.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p.cast())
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }

    /// The slot holding `key`, or the empty slot where it would go.
    fn find(&self, key: u64) -> (usize, bool) {
        let mask = self.mask();
        let mut i = self.home(key);
        loop {
            let k = self.slots[i].0;
            if k == key {
                return (i, true);
            }
            if k == EMPTY {
                return (i, false);
            }
            i = (i + 1) & mask;
        }
    }

    /// The value of `key`.
    #[cfg(test)]
    pub fn get(&self, key: u64) -> Option<u64> {
        let key = norm(key);
        match self.find(key) {
            (i, true) => Some(self.slots[i].1),
            _ => None,
        }
    }

    /// Whether `key` is stored.
    pub fn contains(&self, key: u64) -> bool {
        self.find(norm(key)).1
    }

    /// Stores `value` under `key` unless the key is there already, in which case its value is
    /// returned and nothing changes.
    pub fn insert_new(&mut self, key: u64, value: u64) -> Result<(), u64> {
        let key = norm(key);
        let (i, found) = self.find(key);
        if found {
            return Err(self.slots[i].1);
        }
        self.slots[i] = (key, value);
        self.len += 1;
        if self.len * 4 > self.slots.len() * 3 {
            self.grow();
        }
        Ok(())
    }

    /// Removes `key`, shifting later entries of its probe run back so lookups stay correct.
    pub fn remove(&mut self, key: u64) -> Option<u64> {
        let key = norm(key);
        let (mut hole, found) = self.find(key);
        if !found {
            return None;
        }
        let value = self.slots[hole].1;
        let mask = self.mask();
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let k = self.slots[j].0;
            if k == EMPTY {
                break;
            }
            let home = self.home(k);
            // Move the entry at j into the hole if its home is not between hole and j (cyclically).
            let between = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !between {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
        }
        self.slots[hole] = (EMPTY, 0);
        self.len -= 1;
        Some(value)
    }

    fn grow(&mut self) {
        let doubled = vec![(EMPTY, 0); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        for (k, v) in old {
            if k != EMPTY {
                let (i, _) = self.find(k);
                self.slots[i] = (k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map_through_growth_and_removals() {
        let mut idx = NameIndex::default();
        let mut model = std::collections::HashMap::new();
        let mut x = 0x1234_5678_9abc_def0u64;
        for step in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // A small key space forces collisions, repeats and removals of present keys.
            let key = (x % 50_000).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            if step % 5 == 0 {
                assert_eq!(idx.remove(key), model.remove(&key));
            } else {
                let expect = match model.get(&key) {
                    Some(v) => Err(*v),
                    None => {
                        model.insert(key, step);
                        Ok(())
                    }
                };
                assert_eq!(idx.insert_new(key, step), expect);
            }
            assert_eq!(idx.len(), model.len());
        }
        for (k, v) in &model {
            assert_eq!(idx.get(*k), Some(*v));
            idx.prefetch(*k);
        }
        assert!(idx.contains(0) == model.contains_key(&0));
        assert_eq!(idx.is_empty(), model.is_empty());
    }
}
