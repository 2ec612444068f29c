//! MinHash signatures: how they are computed ([`minhash`]) and how two are compared.

pub mod minhash;

pub use minhash::{ClassicMinHasher, MinHasher};

/// Value of a slot that received no shingle (only an empty text has them after densification).
pub const EMPTY: u32 = u32::MAX;

/// Estimated Jaccard similarity of two signatures: the fraction of slots holding the same value.
/// Two empty texts share nothing: an empty signature is similar to nothing, itself included,
/// so that articles without words never group together.
#[inline]
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    if a.is_empty() || a[0] == EMPTY || b[0] == EMPTY {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// How many values two sorted, deduplicated lists share: one merge pass.
pub fn common(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Exact Jaccard similarity of two sorted, deduplicated shingle sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let inter = common(a, b);
    inter as f64 / (a.len() + b.len() - inter) as f64
}

/// Sorts and deduplicates a shingle list into a set for [`jaccard`].
pub fn into_set(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Signatures of a corpus, `num_perm` values per article, stored contiguously.
#[derive(Debug, Clone, Default)]
pub struct Signatures {
    num_perm: usize,
    values: Vec<u32>,
}

impl Signatures {
    /// An empty store for signatures of `num_perm` values.
    pub fn new(num_perm: usize) -> Self {
        Signatures { num_perm, values: Vec::new() }
    }

    /// Values per signature.
    pub fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// Number of signatures stored.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.num_perm).unwrap_or(0)
    }

    /// True when no signature is stored.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Appends one signature.
    pub fn push(&mut self, sig: &[u32]) {
        debug_assert_eq!(sig.len(), self.num_perm);
        self.values.extend_from_slice(sig);
    }

    /// Appends signatures laid out contiguously.
    pub fn extend_from_flat(&mut self, flat: &[u32]) {
        debug_assert_eq!(flat.len() % self.num_perm, 0);
        self.values.extend_from_slice(flat);
    }

    /// The signature of article `i`.
    #[inline]
    pub fn get(&self, i: usize) -> &[u32] {
        &self.values[i * self.num_perm..(i + 1) * self.num_perm]
    }

    /// Estimated Jaccard of articles `a` and `b`.
    #[inline]
    pub fn similarity(&self, a: usize, b: usize) -> f64 {
        estimate(self.get(a), self.get(b))
    }

    /// True when article `i` had no shingle.
    pub fn is_empty_at(&self, i: usize) -> bool {
        self.get(i)[0] == EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_basics() {
        assert_eq!(jaccard(&[1, 2, 3], &[1, 2, 3]), 1.0);
        assert_eq!(jaccard(&[1, 2], &[3, 4]), 0.0);
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }

    #[test]
    fn empty_signatures_match_nothing() {
        let e = vec![EMPTY; 8];
        assert_eq!(estimate(&e, &e), 0.0);
        let s = vec![1u32; 8];
        assert_eq!(estimate(&s, &s), 1.0);
    }
}
