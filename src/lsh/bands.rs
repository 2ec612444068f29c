//! Banding (Leskovec, Rajaraman & Ullman, "Mining of Massive Datasets", ch. 3.4): a signature is
//! cut into b bands of r rows; two articles are candidates when all rows of at least one band
//! agree, which happens with probability 1 - (1 - s^r)^b for Jaccard s — the S-curve.
//!
//! (b, r) is chosen for a threshold t by minimising the weighted areas under the S-curve on the
//! wrong side of t (false positives below t, false negatives above), as datasketch's
//! `_optimal_param` does. Each r takes as many bands as fit (b = floor(k / r)), so every hash
//! value that can serve does; false negatives weigh more than false positives because the verify
//! step removes false positives cheaply, while a pair missed here is lost.

use crate::error::{Error, Result};

/// Chosen banding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    /// b: number of bands.
    pub num_bands: usize,
    /// r: rows (signature values) per band.
    pub rows_per_band: usize,
}

impl LshParams {
    /// Probability that a pair of Jaccard `s` becomes a candidate.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows_per_band as i32)).powi(self.num_bands as i32)
    }

    /// The similarity where the S-curve is steepest, about (1/b)^(1/r).
    pub fn knee(&self) -> f64 {
        (1.0 / self.num_bands as f64).powf(1.0 / self.rows_per_band as f64)
    }
}

/// Weight of the false-positive area; false negatives get `1 - FP_WEIGHT`.
const FP_WEIGHT: f64 = 0.02;

fn area(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    // Simpson's rule on a fine grid: the integrands are smooth polynomials.
    let n = 200;
    let h = (b - a) / n as f64;
    if h <= 0.0 {
        return 0.0;
    }
    let mut s = f(a) + f(b);
    for i in 1..n {
        s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// Picks (b, r) for `threshold` and `num_perm` values, honouring user overrides of either.
pub fn choose_bands(
    threshold: f64,
    num_perm: usize,
    bands: Option<usize>,
    rows: Option<usize>,
) -> Result<LshParams> {
    match (bands, rows) {
        (Some(b), Some(r)) => {
            if b * r > num_perm || b == 0 || r == 0 {
                return Err(Error::param("--bands/--rows", "need 1 <= bands x rows <= num_perm"));
            }
            return Ok(LshParams { num_bands: b, rows_per_band: r });
        }
        (Some(b), None) => {
            let r = num_perm / b.max(1);
            if r == 0 {
                return Err(Error::param("--bands", "exceeds --num-perm"));
            }
            return Ok(LshParams { num_bands: b, rows_per_band: r });
        }
        (None, Some(r)) => {
            let b = num_perm / r.max(1);
            if b == 0 {
                return Err(Error::param("--rows", "exceeds --num-perm"));
            }
            return Ok(LshParams { num_bands: b, rows_per_band: r });
        }
        (None, None) => {}
    }
    let mut best = None;
    let mut best_err = f64::INFINITY;
    for r in 1..=num_perm {
        let p = LshParams { num_bands: num_perm / r, rows_per_band: r };
        let fp = area(|s| p.candidate_probability(s), 0.0, threshold);
        let fn_ = area(|s| 1.0 - p.candidate_probability(s), threshold, 1.0);
        let err = FP_WEIGHT * fp + (1.0 - FP_WEIGHT) * fn_;
        if err < best_err - 1e-12 {
            best_err = err;
            best = Some(p);
        }
    }
    best.ok_or_else(|| Error::param("--num-perm", "must be at least 1"))
}

/// Hash of band `band` of `sig` (rows `band*r .. band*r + r`).
#[inline]
pub fn band_key(sig: &[u32], band: usize, rows: usize) -> u64 {
    let slice = &sig[band * rows..(band + 1) * rows];
    let mut h = 0x9E37_79B9_7F4A_7C15u64 ^ band as u64;
    for &v in slice {
        h = (h ^ u64::from(v)).wrapping_mul(0xFF51_AFD7_ED55_8CCD).rotate_left(29);
    }
    crate::shingle::mix64(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_banding_puts_the_knee_near_the_threshold() {
        for t in [0.3, 0.5, 0.7, 0.8, 0.9] {
            let p = choose_bands(t, 128, None, None).unwrap();
            assert!(p.num_bands * p.rows_per_band <= 128);
            assert!(p.num_bands * p.rows_per_band > 128 - p.rows_per_band, "uses the values");
            // Recall is favoured: the knee sits at or below the threshold.
            assert!(p.knee() < t + 0.02 && p.knee() > t - 0.3, "t {t}: {p:?} knee {}", p.knee());
            assert!(p.candidate_probability(t + 0.1) > 0.9, "t {t}: {p:?}");
        }
    }

    #[test]
    fn higher_thresholds_use_longer_bands() {
        let lo = choose_bands(0.4, 128, None, None).unwrap();
        let hi = choose_bands(0.9, 128, None, None).unwrap();
        assert!(hi.rows_per_band > lo.rows_per_band);
    }

    #[test]
    fn overrides_are_honoured_and_checked() {
        let p = choose_bands(0.8, 128, Some(16), Some(8)).unwrap();
        assert_eq!((p.num_bands, p.rows_per_band), (16, 8));
        assert_eq!(choose_bands(0.8, 128, Some(32), None).unwrap().rows_per_band, 4);
        assert!(choose_bands(0.8, 128, Some(32), Some(8)).is_err());
    }

    #[test]
    fn band_keys_differ_by_band_and_content() {
        let s = [1u32, 2, 1, 2];
        assert_ne!(band_key(&s, 0, 2), band_key(&s, 1, 2), "same rows, other band");
        assert_eq!(band_key(&[5, 6, 7], 0, 3), band_key(&[5, 6, 7, 8], 0, 3));
    }
}
