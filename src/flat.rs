//! A flat hash table of 64-bit hash keys: open addressing with linear probing (Knuth, TAOCP
//! vol. 3, 6.4), key and value side by side in one array, and lookups in batches
//! ([`get_each`]) whose home slots are all loaded before any is examined, so that their cache
//! misses overlap instead of following one another.
//!
//! Why: the tables this serves (document frequencies, the stem memo) hold millions of keys, far
//! more than a core's caches, and are read once per word of every article; one lookup at a time
//! in a general hash map (control bytes, then bucket: two dependent misses) made each a tenth of
//! a clustering run (perf, gen 100k). Keys are hashes already, so they need no hashing of
//! their own, only spreading over the slots.

/// Slots of (key, value); key 0 marks an empty slot, so key 0 itself cannot be stored (callers
/// keep its value aside).
#[derive(Debug, Clone)]
pub(crate) struct FlatTable<V> {
    slots: Vec<(u64, V)>,
    /// log2 of the number of slots.
    bits: u32,
    len: usize,
}

impl<V: Copy + Default> FlatTable<V> {
    /// Room for `n` keys with the table at most three quarters full (seven eighths, as full as
    /// a general hash map gets, made the summaries slower in two runs of two at gen 100k:
    /// longer probe runs).
    pub(crate) fn for_keys(n: usize) -> Self {
        Self::with_slots(n + n / 3 + 1)
    }

    /// At least `n` slots (a power of two, 16 or more).
    pub(crate) fn with_slots(n: usize) -> Self {
        let bits = n.next_power_of_two().trailing_zeros().max(4);
        FlatTable { slots: vec![(0, V::default()); 1 << bits], bits, len: 0 }
    }

    /// Keys stored.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Number of slots.
    pub(crate) fn slots(&self) -> usize {
        self.slots.len()
    }

    fn home(&self, key: u64) -> usize {
        // Fibonacci hashing: the top bits of the product depend on every bit of the key.
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    /// The value of `key`, looking from slot `i` on.
    fn probe(&self, key: u64, mut i: usize) -> Option<V> {
        if key == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The value of `key` (None for 0).
    pub(crate) fn get(&self, key: u64) -> Option<V> {
        self.probe(key, self.home(key))
    }

    /// Stores `key` (not 0, not yet stored). The caller keeps the table from filling up
    /// ([`FlatTable::grow`], [`FlatTable::clear`]).
    pub(crate) fn insert_new(&mut self, key: u64, value: V) {
        debug_assert!(key != 0 && self.len < self.slots.len());
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        while self.slots[i].0 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (key, value);
        self.len += 1;
    }

    /// Doubles the slots, keeping every key.
    pub(crate) fn grow(&mut self) {
        let old = std::mem::replace(self, Self::with_slots(2 * self.slots.len()));
        for (k, v) in old.slots.into_iter().filter(|e| e.0 != 0) {
            self.insert_new(k, v);
        }
    }

    /// Forgets every key, keeping the slots.
    pub(crate) fn clear(&mut self) {
        self.slots.fill((0, V::default()));
        self.len = 0;
    }
}

/// Looks each of `keys` up in the table `table_of` gives for it, in order, telling `found`
/// the key and its value. Keys go in batches of 16 whose home slots are all read first.
pub(crate) fn get_each<'a, V: Copy + Default + 'a>(
    keys: &[u64],
    table_of: impl Fn(u64) -> &'a FlatTable<V>,
    mut found: impl FnMut(u64, Option<V>),
) {
    const BATCH: usize = 16;
    for batch in keys.chunks(BATCH) {
        let mut homes = [(0usize, (0u64, V::default())); BATCH];
        for (h, &key) in homes.iter_mut().zip(batch) {
            let table = table_of(key);
            let i = table.home(key);
            *h = (i, table.slots[i]);
        }
        for (&(i, (k, v)), &key) in homes.iter().zip(batch) {
            found(key, if k == key && key != 0 { Some(v) } else { table_of(key).probe(key, i) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_through_clashes_growth_and_wrap_around() {
        let mut t: FlatTable<u32> = FlatTable::with_slots(16);
        // Enough keys, grown into from 16 slots, that probe runs form and wrap around the end.
        let keys: Vec<u64> = (1..=12u64).map(|k| k << 60 | k).chain(1..=40).collect();
        for (n, &k) in keys.iter().enumerate() {
            if 4 * (t.len() + 1) > 3 * t.slots() {
                t.grow();
            }
            t.insert_new(k, n as u32);
        }
        assert_eq!(t.len(), keys.len());
        let asked: Vec<u64> = keys.iter().copied().chain([0, 41, 1 << 62]).collect();
        let mut batched = Vec::new();
        get_each(&asked, |_| &t, |k, v| batched.push((k, v)));
        for (n, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(n as u32));
            assert_eq!(batched[n], (k, Some(n as u32)));
        }
        assert_eq!(&batched[keys.len()..], [(0, None), (41, None), (1 << 62, None)]);
        t.clear();
        assert_eq!((t.len(), t.get(keys[0])), (0, None));
    }
}
