//! Counting 64-bit keys (document frequencies of words and terms) by radix-partitioned
//! aggregation: keys are first appended to one of `PARTS` buffers by a few of their bits, and
//! only when many are queued is each partition's table updated, one partition at a time. The
//! method is the partitioned ("radix-cluster") aggregation of Manegold, Boncz & Kersten 2000,
//! "Optimizing database architecture for the new bottleneck: memory access" (VLDB Journal 9),
//! as used for aggregation on multi-core chips by Cieslewicz & Ross 2007, "Adaptive aggregation
//! on chip multiprocessors" (VLDB).
//!
//! Why: a corpus's vocabulary makes a count table of millions of keys, far larger than a core's
//! caches, and counting every distinct word of every article into it missed cache on nearly
//! every increment (a fifth of the read that extracts event terms at gen 1M, perf). Appending
//! to a buffer is sequential; a partition's table is a 256th of the whole, so while its queued
//! keys are counted it stays in cache and each of its lines is fetched once per flush, not once
//! per key. Counts are sums, so the result is the same as counting directly, in any order.
//!
//! Once counting is over, [`KeyCounts::freeze`] moves each partition's counts into a flat
//! linear-probing table (`crate::flat`), which [`KeyCounts::get_many`] reads in batches whose
//! cache misses overlap.

use ahash::AHashMap;
use rayon::prelude::*;

use crate::flat::{get_each, FlatTable};

/// Number of partitions: a table of a few million keys splits into cache-sized pieces.
const PARTS: usize = 256;

/// Keys queued (over all partitions) before they are counted: 16 MiB of buffer, enough that a
/// partition receives several keys per line of its table between flushes.
const QUEUE: usize = 1 << 21;

/// The partition of a key. Keys are hashes with uniform middle bits (the top two bits of a term
/// hash carry its kind, so they are not used).
fn part(key: u64) -> usize {
    (key >> 40) as usize & (PARTS - 1)
}

/// Counts of 64-bit keys. [`KeyCounts::bump`] counts at once; [`KeyCounts::add`] queues, for
/// bulk counting, and reads then need [`KeyCounts::finish`] first ([`KeyCounts::merge`] and
/// [`KeyCounts::retain`] flush by themselves). Reading with keys queued panics: it would
/// silently undercount.
#[derive(Debug, Clone)]
pub struct KeyCounts {
    parts: Vec<AHashMap<u64, u32>>,
    queue: Vec<Vec<u64>>,
    queued: usize,
    /// The counts once frozen, a table per partition (`parts` then empty); `None` while
    /// counting. Partition by partition, freezing never holds two copies of the whole.
    frozen: Option<Frozen>,
}

/// Frozen counts: a flat table per partition, and key 0's count, which a flat table cannot
/// hold.
#[derive(Debug, Clone)]
struct Frozen {
    tables: Vec<FlatTable<u32>>,
    zero: u32,
}

impl Frozen {
    /// The count of `key`, given what its table holds for it.
    fn count(&self, key: u64, stored: Option<u32>) -> u32 {
        if key == 0 {
            self.zero
        } else {
            stored.unwrap_or(0)
        }
    }
}

impl Default for KeyCounts {
    fn default() -> Self {
        KeyCounts::new()
    }
}

impl KeyCounts {
    /// No counts.
    pub fn new() -> Self {
        KeyCounts {
            // Fixed seeds: nothing leaks map order to output, but runs stay reproducible.
            parts: (0..PARTS)
                .map(|_| AHashMap::with_hasher(ahash::RandomState::with_seeds(5, 6, 7, 8)))
                .collect(),
            queue: vec![Vec::new(); PARTS],
            queued: 0,
            frozen: None,
        }
    }

    /// Ends counting: the counts move into a flat table read by [`KeyCounts::get`] and, faster
    /// for many keys at once, [`KeyCounts::get_many`]. Counting more afterwards panics.
    pub fn freeze(&mut self) {
        self.finish();
        if self.frozen.is_some() {
            return;
        }
        let zero = self.parts[part(0)].get(&0).copied().unwrap_or(0);
        let tables = std::mem::take(&mut self.parts)
            .into_par_iter()
            .map(|counts| {
                let mut table = FlatTable::for_keys(counts.len());
                counts
                    .into_iter()
                    .filter(|&(k, _)| k != 0)
                    .for_each(|(k, c)| table.insert_new(k, c));
                table
            })
            .collect();
        self.frozen = Some(Frozen { tables, zero });
    }

    /// The count of each of `keys`, in order, appended to `out`.
    pub fn get_many(&self, keys: &[u64], out: &mut Vec<u32>) {
        let Some(frozen) = &self.frozen else {
            out.extend(keys.iter().map(|&k| self.get(k)));
            return;
        };
        get_each(keys, |k| &frozen.tables[part(k)], |k, c| out.push(frozen.count(k, c)));
    }

    fn assert_counting(&self) {
        assert!(self.frozen.is_none(), "counting into frozen counts");
    }

    /// Adds one to `key`'s count now.
    pub fn bump(&mut self, key: u64) {
        self.assert_counting();
        *self.parts[part(key)].entry(key).or_insert(0) += 1;
    }

    /// Adds one to `key`'s count, queued.
    #[inline]
    pub fn add(&mut self, key: u64) {
        debug_assert!(self.frozen.is_none(), "counting into frozen counts");
        self.queue[part(key)].push(key);
        self.queued += 1;
        if self.queued >= QUEUE {
            self.flush();
        }
    }

    /// Counts the queued keys.
    pub fn flush(&mut self) {
        if self.queued == 0 {
            return;
        }
        self.assert_counting();
        for (table, keys) in self.parts.iter_mut().zip(&mut self.queue) {
            for &k in keys.iter() {
                *table.entry(k).or_insert(0) += 1;
            }
            keys.clear();
        }
        self.queued = 0;
    }

    /// Gives the queue's memory back once counting is over.
    fn drop_queue(&mut self) {
        debug_assert_eq!(self.queued, 0);
        if self.queue.iter().any(|q| q.capacity() > 0) {
            self.queue = vec![Vec::new(); PARTS];
        }
    }

    /// The count of `key` (0 if never added).
    #[inline]
    pub fn get(&self, key: u64) -> u32 {
        assert_eq!(self.queued, 0, "reading counts with keys still queued");
        if let Some(frozen) = &self.frozen {
            return frozen.count(key, frozen.tables[part(key)].get(key));
        }
        self.parts[part(key)].get(&key).copied().unwrap_or(0)
    }

    /// Number of distinct keys counted.
    pub fn len(&self) -> usize {
        assert_eq!(self.queued, 0, "reading counts with keys still queued");
        if let Some(frozen) = &self.frozen {
            return frozen.tables.iter().map(|t| t.len()).sum::<usize>()
                + usize::from(frozen.zero > 0);
        }
        self.parts.iter().map(|p| p.len()).sum()
    }

    /// True when nothing has been counted.
    pub fn is_empty(&self) -> bool {
        if let Some(frozen) = &self.frozen {
            return frozen.zero == 0 && frozen.tables.iter().all(|t| t.len() == 0);
        }
        self.queued == 0 && self.parts.iter().all(|p| p.is_empty())
    }

    /// Adds `other`'s counts to these (counts saturate), and ends counting here. Partitions
    /// merge in parallel.
    pub fn merge(&mut self, mut other: KeyCounts) {
        self.assert_counting();
        other.assert_counting();
        self.finish();
        other.flush();
        self.parts.par_iter_mut().zip(other.parts.into_par_iter()).for_each(|(mine, theirs)| {
            // Folding the smaller table into the larger keeps a parallel reduction linear.
            let small =
                if mine.len() < theirs.len() { std::mem::replace(mine, theirs) } else { theirs };
            for (k, c) in small {
                let e = mine.entry(k).or_insert(0);
                *e = e.saturating_add(c);
            }
        });
    }

    /// Keeps only the keys whose count passes `keep`, and frees the queue: for the end of
    /// counting.
    pub fn retain(&mut self, keep: impl Fn(u32) -> bool + Sync) {
        self.assert_counting();
        self.finish();
        self.parts.par_iter_mut().for_each(|p| {
            p.retain(|_, c| keep(*c));
            p.shrink_to_fit();
        });
    }

    /// Flushes and frees the queue: for the end of counting.
    pub fn finish(&mut self) {
        self.flush();
        self.drop_queue();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of keys with many repeats, some sharing a partition.
    fn keys(n: u64, distinct: u64, seed: u64) -> Vec<u64> {
        (0..n)
            .map(|i| {
                let x = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed) % distinct;
                crate::normalize::word_hash(&x.to_le_bytes(), 7)
            })
            .collect()
    }

    fn naive(keys: &[u64]) -> std::collections::HashMap<u64, u32> {
        let mut m = std::collections::HashMap::new();
        for &k in keys {
            *m.entry(k).or_insert(0) += 1;
        }
        m
    }

    #[test]
    fn counts_match_a_plain_table_across_flushes_and_merges() {
        // More keys than one queue holds, so counting crosses automatic flushes.
        let a_keys = keys(QUEUE as u64 + 12_345, 50_000, 1);
        let b_keys = keys(70_000, 90_000, 2);
        let mut a = KeyCounts::new();
        a_keys.iter().for_each(|&k| a.add(k));
        let mut b = KeyCounts::new();
        b_keys.iter().for_each(|&k| b.add(k));
        a.merge(b);
        let all: Vec<u64> = a_keys.iter().chain(&b_keys).copied().collect();
        let want = naive(&all);
        assert_eq!(a.len(), want.len());
        for (&k, &c) in &want {
            assert_eq!(a.get(k), c);
        }
        assert_eq!(a.get(0xDEAD_BEEF), 0);
    }

    #[test]
    fn direct_and_queued_counts_add_up() {
        let mut c = KeyCounts::new();
        c.bump(7);
        c.add(7);
        c.add(9);
        c.finish();
        assert_eq!((c.get(7), c.get(9), c.len()), (2, 1, 2));
    }

    #[test]
    #[should_panic(expected = "still queued")]
    fn reading_with_keys_queued_panics_rather_than_undercount() {
        let mut c = KeyCounts::new();
        c.add(7);
        let _ = c.get(7);
    }

    #[test]
    fn retain_drops_the_keys_that_fail_and_keeps_the_rest() {
        let ks = keys(10_000, 3_000, 3);
        let mut c = KeyCounts::new();
        ks.iter().for_each(|&k| c.add(k));
        c.retain(|n| n > 3);
        let want = naive(&ks);
        assert_eq!(c.len(), want.values().filter(|&&n| n > 3).count());
        for (&k, &n) in &want {
            assert_eq!(c.get(k), if n > 3 { n } else { 0 });
        }
    }

    #[test]
    fn frozen_counts_read_as_the_counting_tables_did() {
        // Enough keys that probe runs cross batches and wrap around the table's end; key 0 is
        // an ordinary key to the caller.
        let mut ks = keys(200_000, 60_000, 4);
        ks.extend([0, 0, 0]);
        let mut c = KeyCounts::new();
        ks.iter().for_each(|&k| c.add(k));
        c.retain(|n| n > 1);
        let want: Vec<(u64, u32)> = naive(&ks).into_iter().filter(|&(_, n)| n > 1).collect();
        let absent: Vec<u64> = keys(5_000, 1 << 40, 5);
        let asked: Vec<u64> =
            want.iter().map(|x| x.0).chain(absent.iter().copied()).chain([0, 1]).collect();
        let mut before = Vec::new();
        c.get_many(&asked, &mut before);
        let len = c.len();
        c.freeze();
        assert_eq!(c.len(), len);
        let mut after = Vec::new();
        c.get_many(&asked, &mut after);
        assert_eq!(after, before);
        let one_by_one: Vec<u32> = asked.iter().map(|&k| c.get(k)).collect();
        assert_eq!(one_by_one, before);
        for (i, &(_, n)) in want.iter().enumerate() {
            assert_eq!(after[i], n);
        }
        assert_eq!(c.get(0), 3);
        for t in &c.frozen.as_ref().expect("frozen").tables {
            assert!(t.len() * 4 <= t.slots() * 3, "at most three quarters full");
        }
    }

    #[test]
    #[should_panic(expected = "frozen")]
    fn counting_into_frozen_counts_panics_rather_than_drop_keys() {
        let mut c = KeyCounts::new();
        c.add(7);
        c.freeze();
        c.add(8);
        c.finish();
    }

    #[test]
    fn an_empty_table_merges_and_reads_as_zero() {
        let mut a = KeyCounts::new();
        assert!(a.is_empty());
        a.merge(KeyCounts::new());
        a.finish();
        assert!(a.is_empty());
        assert_eq!(a.get(42), 0);
        a.freeze();
        assert!(a.is_empty());
        let mut out = Vec::new();
        a.get_many(&[0, 42], &mut out);
        assert_eq!(out, [0, 0]);
    }
}
