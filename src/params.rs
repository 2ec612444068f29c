//! Tunable parameters of each stage, with defaults chosen from measurements (see README,
//! "How it works") and `validate()` so that a bad value is refused before any work starts.

use crate::error::{Error, Result};

/// How text is cut into shingles.
#[derive(Debug, Clone, PartialEq)]
pub struct ShingleParams {
    /// k: words (or characters with `char_shingles`) per shingle.
    pub size: usize,
    /// Character k-grams instead of word k-grams.
    pub char_shingles: bool,
    /// Seed of the shingle hash; the same seed gives the same signatures on any machine.
    pub seed: u64,
}

impl Default for ShingleParams {
    fn default() -> Self {
        ShingleParams { size: 5, char_shingles: false, seed: 0 }
    }
}

impl ShingleParams {
    /// Checks the shingle size.
    pub fn validate(&self) -> Result<()> {
        if self.size == 0 || self.size > 32 {
            return Err(Error::param("--shingle-size", "must be between 1 and 32"));
        }
        Ok(())
    }
}

/// Boilerplate (page furniture) removal: lines that recur verbatim across the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct BoilerplateParams {
    /// Off with `--keep-boilerplate`.
    pub enabled: bool,
    /// A line must occur in at least this many articles...
    pub min_articles: u32,
    /// ...and in at least this fraction of the corpus.
    pub min_fraction: f64,
    /// Lines longer than this (in words) are never boilerplate: a long paragraph that recurs is
    /// syndicated text, and dropping it would hide exactly the copies we look for.
    pub max_words: u32,
}

impl Default for BoilerplateParams {
    fn default() -> Self {
        BoilerplateParams { enabled: true, min_articles: 3, min_fraction: 0.001, max_words: 24 }
    }
}

impl BoilerplateParams {
    /// Checks ranges.
    pub fn validate(&self) -> Result<()> {
        if self.min_articles < 2 {
            return Err(Error::param("--boilerplate-min-articles", "must be at least 2"));
        }
        if !(0.0..=1.0).contains(&self.min_fraction) {
            return Err(Error::param("--boilerplate-min-fraction", "must be between 0 and 1"));
        }
        Ok(())
    }

    /// How many articles a line must occur in, for a corpus of `n` articles.
    pub fn min_count(&self, n: usize) -> u32 {
        let by_fraction = (self.min_fraction * n as f64).ceil() as u32;
        self.min_articles.max(by_fraction)
    }
}

/// How candidate pairs are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Estimated Jaccard: the fraction of equal MinHash slots over the whole signature.
    Estimate,
    /// Exact Jaccard of the two shingle sets (re-reads the candidates' text).
    Exact,
}

/// Which member of a near-duplicate group is its representative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Earliest published, then longest text, then smallest id.
    Earliest,
    /// Longest text, then earliest, then smallest id.
    Longest,
    /// First in input order.
    First,
}

/// Parameters of `dedup`.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupParams {
    /// Shingling.
    pub shingle: ShingleParams,
    /// Boilerplate removal.
    pub boilerplate: BoilerplateParams,
    /// Number of MinHash values per signature.
    pub num_perm: usize,
    /// Jaccard similarity at and above which two articles are near-duplicates.
    pub threshold: f64,
    /// Override of the number of LSH bands (b).
    pub bands: Option<usize>,
    /// Override of the rows per band (r).
    pub rows: Option<usize>,
    /// Candidate scoring.
    pub verify: Verify,
    /// Representative choice.
    pub keep: Keep,
    /// Seed for every hash (shingles, sketches, bands).
    pub seed: u64,
}

impl Default for DedupParams {
    fn default() -> Self {
        DedupParams {
            shingle: ShingleParams::default(),
            boilerplate: BoilerplateParams::default(),
            num_perm: 128,
            threshold: 0.5,
            bands: None,
            rows: None,
            verify: Verify::Estimate,
            keep: Keep::Earliest,
            seed: 0,
        }
    }
}

impl DedupParams {
    /// Checks every stage's parameters and their interplay.
    pub fn validate(&self) -> Result<()> {
        self.shingle.validate()?;
        self.boilerplate.validate()?;
        if !(8..=4096).contains(&self.num_perm) {
            return Err(Error::param("--num-perm", "must be between 8 and 4096"));
        }
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::param("--threshold", "must be in (0, 1]"));
        }
        match (self.bands, self.rows) {
            (Some(0), _) => return Err(Error::param("--bands", "must be at least 1")),
            (_, Some(0)) => return Err(Error::param("--rows", "must be at least 1")),
            (Some(b), Some(r)) if b * r > self.num_perm => {
                return Err(Error::param(
                    "--bands/--rows",
                    format!("bands x rows = {} exceeds --num-perm {}", b * r, self.num_perm),
                ))
            }
            (Some(b), None) if b > self.num_perm => {
                return Err(Error::param("--bands", "exceeds --num-perm"))
            }
            (None, Some(r)) if r > self.num_perm => {
                return Err(Error::param("--rows", "exceeds --num-perm"))
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        DedupParams::default().validate().unwrap();
    }

    #[test]
    fn bad_values_name_their_flag() {
        let p = DedupParams { threshold: 0.0, ..Default::default() };
        assert!(p.validate().unwrap_err().to_string().contains("--threshold"));
        let p = DedupParams { bands: Some(20), rows: Some(8), ..Default::default() };
        assert!(p.validate().unwrap_err().to_string().contains("exceeds --num-perm 128"));
        let mut p = DedupParams::default();
        p.shingle.size = 0;
        assert!(p.validate().unwrap_err().to_string().contains("--shingle-size"));
    }

    #[test]
    fn boilerplate_count_grows_with_corpus() {
        let b = BoilerplateParams::default();
        assert_eq!(b.min_count(100), 3);
        assert_eq!(b.min_count(100_000), 100);
    }
}
