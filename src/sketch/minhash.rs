//! MinHash sketches of shingle sets.
//!
//! [`MinHasher`], the one the pipeline uses, is one-permutation hashing (Li, Owen & Zhang 2012,
//! "One Permutation Hashing") with optimal densification (Shrivastava 2017, "Optimal
//! Densification for Fast and Accurate Minwise Hashing", ICML): each shingle hash is split into
//! a bin (high bits, by Lemire's multiply-shift range reduction) and a value (low 32 bits); each
//! bin keeps its minimum, so a signature costs one hash per shingle instead of one per shingle
//! and permutation. A bin that received nothing borrows the value of the first non-empty bin
//! reached by a seeded, bin-specific probe sequence; the probe sequence is shared by all
//! articles, which keeps the estimator unbiased with variance close to classic MinHash.
//!
//! [`ClassicMinHasher`] is Broder's k-hash MinHash (Broder 1997, "On the resemblance and
//! containment of documents"; Broder et al. 2000, "Min-wise independent permutations"): k
//! seeded hashes, each taking the minimum over the set. It costs k times more and serves as the
//! reference the tests compare against.
//!
//! Values are 32-bit: two different shingles share a value with probability 2^-32, far below
//! the estimator's own error at any practical number of values.

use super::EMPTY;
use crate::shingle::mix64;

/// One-permutation MinHash with optimal densification.
#[derive(Debug, Clone)]
pub struct MinHasher {
    num_perm: usize,
    probe_seed: u64,
}

impl MinHasher {
    /// A sketcher producing `num_perm` values; `seed` fixes the densification probes.
    pub fn new(num_perm: usize, seed: u64) -> Self {
        MinHasher { num_perm, probe_seed: mix64(seed ^ 0x5851_F42D_4C95_7F2D) }
    }

    /// Values per signature.
    pub fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// Writes the signature of `shingles` (well-mixed 64-bit hashes; repeats are harmless) to
    /// `sig`, which must hold `num_perm` values. No shingle at all gives an all-[`EMPTY`]
    /// signature.
    pub fn sketch(&self, shingles: &[u64], sig: &mut [u32]) {
        let k = self.num_perm as u64;
        sig.fill(EMPTY);
        for &h in shingles {
            let bin = (((h >> 32) * k) >> 32) as usize;
            // EMPTY marks an untouched bin, so a real value is capped just below it.
            let v = (h as u32).min(EMPTY - 1);
            if v < sig[bin] {
                sig[bin] = v;
            }
        }
        self.densify(sig);
    }

    fn densify(&self, sig: &mut [u32]) {
        let filled = sig.iter().filter(|&&v| v != EMPTY).count();
        if filled == sig.len() || filled == 0 {
            return;
        }
        let k = sig.len() as u64;
        // Borrow only from bins that were filled by shingles, never from bins filled in this
        // loop: the borrowed value must be a function of the original bins alone.
        let original: Vec<bool> = sig.iter().map(|&v| v != EMPTY).collect();
        for bin in 0..sig.len() {
            if original[bin] {
                continue;
            }
            let mut attempt = 0u64;
            loop {
                let probe = mix64(self.probe_seed ^ ((bin as u64) << 32) ^ attempt);
                let j = (((probe >> 32) * k) >> 32) as usize;
                if original[j] {
                    sig[bin] = sig[j];
                    break;
                }
                attempt += 1;
            }
        }
    }
}

/// Classic k-hash MinHash: the reference estimator.
#[derive(Debug, Clone)]
pub struct ClassicMinHasher {
    seeds: Vec<u64>,
}

impl ClassicMinHasher {
    /// A sketcher with `num_perm` independent seeded hash functions.
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let seeds = (0..num_perm as u64).map(|i| mix64(seed ^ mix64(i + 1))).collect();
        ClassicMinHasher { seeds }
    }

    /// Writes the signature of `shingles` to `sig`.
    pub fn sketch(&self, shingles: &[u64], sig: &mut [u32]) {
        sig.fill(EMPTY);
        for (slot, &s) in sig.iter_mut().zip(&self.seeds) {
            for &h in shingles {
                let v = ((mix64(h ^ s) >> 32) as u32).min(EMPTY - 1);
                if v < *slot {
                    *slot = v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::{estimate, jaccard};
    use proptest::prelude::*;

    /// Two shingle sets with a known overlap: `shared` common hashes, `only_a` and `only_b`
    /// private ones, all distinct and well mixed.
    fn sets(shared: usize, only_a: usize, only_b: usize, salt: u64) -> (Vec<u64>, Vec<u64>) {
        let h = |i: usize| mix64(salt.wrapping_mul(0x1000_0000_01B3) ^ i as u64);
        let common: Vec<u64> = (0..shared).map(h).collect();
        let mut a = common.clone();
        a.extend((shared..shared + only_a).map(h));
        let mut b = common;
        b.extend((shared + only_a..shared + only_a + only_b).map(h));
        (a, b)
    }

    fn sorted(mut v: Vec<u64>) -> Vec<u64> {
        v.sort_unstable();
        v
    }

    fn oph(a: &[u64], num_perm: usize, seed: u64) -> Vec<u32> {
        let mut s = vec![0; num_perm];
        MinHasher::new(num_perm, seed).sketch(a, &mut s);
        s
    }

    #[test]
    fn identical_sets_estimate_one_and_disjoint_near_zero() {
        let (a, b) = sets(0, 500, 500, 1);
        assert_eq!(estimate(&oph(&a, 128, 0), &oph(&a, 128, 0)), 1.0);
        assert!(estimate(&oph(&a, 128, 0), &oph(&b, 128, 0)) < 0.05);
    }

    #[test]
    fn densification_fills_every_bin_consistently() {
        let (a, _) = sets(3, 0, 0, 2);
        let s = oph(&a, 64, 9);
        assert!(s.iter().all(|&v| v != EMPTY));
        assert_eq!(s, oph(&a, 64, 9), "deterministic");
        assert!(oph(&[], 64, 9).iter().all(|&v| v == EMPTY));
    }

    #[test]
    fn small_sets_with_densification_stay_unbiased() {
        // Sets far smaller than the number of bins lean entirely on densification.
        let trials = 300;
        let (mut sum, mut exact) = (0.0, 0.0);
        for t in 0..trials {
            let (a, b) = sets(10, 5, 5, 100 + t);
            exact = jaccard(&sorted(a.clone()), &sorted(b.clone()));
            sum += estimate(&oph(&a, 128, t), &oph(&b, 128, t));
        }
        let mean = sum / trials as f64;
        assert!((mean - exact).abs() < 0.03, "mean {mean} vs exact {exact}");
    }

    #[test]
    fn one_permutation_matches_classic_minhash_on_average() {
        let classic = ClassicMinHasher::new(128, 3);
        let (mut d_oph, mut d_classic) = (0.0, 0.0);
        let trials = 60;
        for t in 0..trials {
            let (a, b) = sets(300, 200, 100, 500 + t);
            let exact = jaccard(&sorted(a.clone()), &sorted(b.clone()));
            let (mut sa, mut sb) = (vec![0; 128], vec![0; 128]);
            classic.sketch(&a, &mut sa);
            classic.sketch(&b, &mut sb);
            d_classic += (estimate(&sa, &sb) - exact).powi(2);
            d_oph += (estimate(&oph(&a, 128, t), &oph(&b, 128, t)) - exact).powi(2);
        }
        // Mean squared errors of the two estimators are of the same order (J(1-J)/k ~ 0.0018).
        let (m_oph, m_classic) = (d_oph / trials as f64, d_classic / trials as f64);
        assert!(m_oph < 0.005 && m_classic < 0.005, "oph {m_oph} classic {m_classic}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The estimate stays within 4.5 standard errors, sqrt(J(1-J)/k), of the exact
        /// Jaccard (plus a small floor for J near 0 or 1), for both schemes.
        #[test]
        fn estimate_within_error_bound(shared in 0usize..400, only_a in 0usize..300,
                                       only_b in 0usize..300, salt in any::<u64>(),
                                       seed in any::<u64>()) {
            prop_assume!(shared + only_a > 0 && shared + only_b > 0);
            let (a, b) = sets(shared, only_a, only_b, salt);
            let j = jaccard(&sorted(a.clone()), &sorted(b.clone()));
            let k = 256;
            let bound = 4.5 * (j * (1.0 - j) / k as f64).sqrt() + 0.03;
            let e = estimate(&oph(&a, k, seed), &oph(&b, k, seed));
            prop_assert!((e - j).abs() <= bound, "oph: est {} exact {} bound {}", e, j, bound);
            let c = ClassicMinHasher::new(k, seed);
            let (mut sa, mut sb) = (vec![0; k], vec![0; k]);
            c.sketch(&a, &mut sa);
            c.sketch(&b, &mut sb);
            let e = estimate(&sa, &sb);
            prop_assert!((e - j).abs() <= bound, "classic: est {} exact {} bound {}", e, j, bound);
        }

        /// Symmetric, and 1 on itself.
        #[test]
        fn symmetric_and_reflexive(n in 1usize..200, m in 1usize..200, salt in any::<u64>()) {
            let (a, b) = sets(n / 2, n, m, salt);
            let (sa, sb) = (oph(&a, 64, 1), oph(&b, 64, 1));
            prop_assert_eq!(estimate(&sa, &sb), estimate(&sb, &sa));
            prop_assert_eq!(estimate(&sa, &sa), 1.0);
            let (x, y) = (sorted(a), sorted(b));
            prop_assert_eq!(jaccard(&x, &y), jaccard(&y, &x));
        }
    }
}
