//! Candidate pairs from banded signatures, scored as they are found.
//!
//! Each band is processed on its own (bands in parallel): (key, article) entries are sorted and
//! every run of equal keys is a bucket. A pair is reported by the first band in which it
//! collides only — later bands check the earlier ones' rows and skip it — so no global set of
//! seen pairs is needed and each pair is scored once. Buckets larger than [`MAX_BUCKET`] (the
//! same text posted thousands of times) are not expanded into all pairs: each member is paired
//! with the bucket's first `MAX_BUCKET` members, which keeps cost linear and still links every
//! member to the bucket's core. Cost: O(b · n log n) for the sorts plus the pairs found.
//!
//! Known gap: a pair whose first colliding band fell in such a truncated bucket, beyond its
//! first `MAX_BUCKET` members, is skipped there and also skipped by later bands (they defer to
//! the earlier collision). Only buckets of over 256 near-identical signatures are affected.
//! [`candidate_pairs_in_time`] (event clustering, one row a band) deduplicates by sorting
//! instead and has no such gap.

use rayon::prelude::*;

use super::bands::{band_key, LshParams};
use crate::sketch::Signatures;

/// Bucket size above which pairs are no longer enumerated exhaustively.
pub const MAX_BUCKET: usize = 256;

/// A scored candidate pair, `a < b` in article order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// First article.
    pub a: u32,
    /// Second article.
    pub b: u32,
    /// Score given by the caller's scoring function.
    pub score: f32,
}

/// `entries` set to band `band`'s (key, rank, article) for every article not skipped, sorted:
/// each run of equal keys is a bucket, in rank order.
fn sorted_band(
    entries: &mut Vec<(u64, u32, u32)>,
    sigs: &Signatures,
    band: usize,
    rows: usize,
    rank: &[u32],
    skip: &[bool],
) {
    entries.clear();
    entries.extend(
        (0..sigs.len())
            .filter(|&i| !skip[i])
            .map(|i| (band_key(sigs.get(i), band, rows), rank[i], i as u32)),
    );
    entries.sort_unstable();
}

fn collided_earlier(sigs: &Signatures, a: u32, b: u32, band: usize, rows: usize) -> bool {
    let (sa, sb) = (sigs.get(a as usize), sigs.get(b as usize));
    // Rows are a few u32s: a slice comparison here became a `memcmp` call per band, which cost
    // more than the comparison (perf, story candidates at one row per band).
    let (sa, sb) = (&sa[..band * rows], &sb[..band * rows]);
    if rows == 1 {
        // One-row bands (story candidates) compare whole blocks without an exit per value, so
        // the comparison vectorises; most pairs share no earlier value and scan the whole prefix.
        return sa
            .chunks(16)
            .zip(sb.chunks(16))
            .any(|(x, y)| x.iter().zip(y).fold(false, |acc, (p, q)| acc | (p == q)));
    }
    sa.chunks_exact(rows)
        .zip(sb.chunks_exact(rows))
        .any(|(x, y)| x.iter().zip(y).all(|(p, q)| p == q))
}

/// Finds every candidate pair of `sigs` under `lsh`, keeps those for which `score` returns
/// `Some`, and returns them sorted by (a, b). `rank` orders articles inside a bucket (pass a
/// rank that does not depend on input order to make large-bucket truncation order-free);
/// articles with `skip[i]` (for example empty texts) take no part.
pub fn candidate_pairs<F>(
    sigs: &Signatures,
    lsh: LshParams,
    rank: &[u32],
    skip: &[bool],
    score: F,
) -> Vec<Pair>
where
    F: Fn(u32, u32) -> Option<f32> + Sync,
{
    pairs_of(sigs, lsh, rank, skip, score)
}

/// Time-local candidate pairs for event clustering: `rank` must order articles by time (dated
/// ones by day, undated ones last), and `days[i]` is article `i`'s day (None when undated).
/// Inside a bucket each article is paired with the `max_bucket` articles just before it in
/// time, and never with dated articles more than `window` days before it. At low thresholds
/// (one or two rows a band) a bucket holds every article sharing a sketch value and grows with
/// the corpus; reports of one event are close in time, so the nearest ones are the pairs worth
/// scoring, and the cost per article stays bounded however large the corpus.
///
/// Unlike [`candidate_pairs`], a pair counts when it is among the nearest in any band, not
/// only in the first band where it collides, and pairs are deduplicated by sorting rather than
/// by re-reading both signatures: at one row a band most colliding pairs collide in several
/// bands (two in three at gen 1M), and the signature reads for that test were random accesses
/// into a table far larger than a cache. The sorted pairs are then scored in order, so the
/// first article of a run of pairs stays in cache.
#[allow(clippy::too_many_arguments)]
pub fn candidate_pairs_in_time<F>(
    sigs: &Signatures,
    lsh: LshParams,
    rank: &[u32],
    skip: &[bool],
    days: &[Option<i32>],
    window: i32,
    max_bucket: usize,
    score: F,
) -> Vec<Pair>
where
    F: Fn(u32, u32) -> Option<f32> + Sync,
{
    let n = sigs.len();
    let rows = lsh.rows_per_band;
    // The window as a rank: article i may pair with earlier articles of rank >= lo[i]. Ranks
    // follow time, so this is one lookup per article instead of a day lookup per pair.
    let mut day_at_rank = vec![None; n];
    for (i, &r) in rank.iter().enumerate() {
        day_at_rank[r as usize] = days[i];
    }
    let dated = day_at_rank.partition_point(Option::is_some);
    debug_assert!(day_at_rank[dated..].iter().all(Option::is_none), "rank not in time order");
    debug_assert!(day_at_rank[..dated].is_sorted(), "rank not in time order");
    let lo: Vec<u32> = days
        .iter()
        .map(|d| match d {
            Some(d) => {
                day_at_rank[..dated].partition_point(|x| x.is_some_and(|x| x < d - window)) as u32
            }
            None => 0,
        })
        .collect();
    let keys: Vec<Vec<u64>> = (0..lsh.num_bands)
        .into_par_iter()
        // One entry buffer per worker: a fresh one per band was a fresh mapping of pages for
        // the kernel to zero, 64 times over.
        .map_init(Vec::new, |entries, band| {
            sorted_band(entries, sigs, band, rows, rank, skip);
            let mut out = Vec::new();
            for bucket in entries.chunk_by(|x, y| x.0 == y.0) {
                for (i, x) in bucket.iter().enumerate() {
                    let lo = lo[x.2 as usize];
                    // The nearest in time first, until the cap or the window.
                    for y in bucket[..i].iter().rev().take(max_bucket).take_while(|y| y.1 >= lo) {
                        let (a, b) = if x.2 < y.2 { (x.2, y.2) } else { (y.2, x.2) };
                        out.push(u64::from(a) << 32 | u64::from(b));
                    }
                }
            }
            out
        })
        .collect();
    let mut keys = keys.concat();
    keys.par_sort_unstable();
    keys.dedup();
    keys.par_iter()
        .filter_map(|&k| {
            let (a, b) = ((k >> 32) as u32, k as u32);
            score(a, b).map(|score| Pair { a, b, score })
        })
        .collect()
}

fn pairs_of<F>(
    sigs: &Signatures,
    lsh: LshParams,
    rank: &[u32],
    skip: &[bool],
    score: F,
) -> Vec<Pair>
where
    F: Fn(u32, u32) -> Option<f32> + Sync,
{
    let rows = lsh.rows_per_band;
    let mut pairs: Vec<Pair> = (0..lsh.num_bands)
        .into_par_iter()
        .flat_map_iter(|band| {
            let mut entries = Vec::new();
            sorted_band(&mut entries, sigs, band, rows, rank, skip);
            let mut out = Vec::new();
            for bucket in entries.chunk_by(|x, y| x.0 == y.0) {
                for (i, x) in bucket.iter().enumerate() {
                    for y in &bucket[..i.min(MAX_BUCKET)] {
                        let (a, b) = if x.2 < y.2 { (x.2, y.2) } else { (y.2, x.2) };
                        if collided_earlier(sigs, a, b, band, rows) {
                            continue;
                        }
                        if let Some(s) = score(a, b) {
                            out.push(Pair { a, b, score: s });
                        }
                    }
                }
            }
            out
        })
        .collect();
    pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsh::choose_bands;
    use crate::sketch::MinHasher;

    #[test]
    fn each_colliding_pair_is_reported_once() {
        let mh = MinHasher::new(32, 0);
        let mut sigs = Signatures::new(32);
        let base: Vec<u64> = (0..200u64).map(crate::shingle::mix64).collect();
        let mut sig = vec![0; 32];
        for variant in 0..4u64 {
            let mut s = base.clone();
            s.truncate(200 - variant as usize * 5);
            mh.sketch(&s, &mut sig);
            sigs.push(&sig);
        }
        let other: Vec<u64> = (1000..1200u64).map(crate::shingle::mix64).collect();
        mh.sketch(&other, &mut sig);
        sigs.push(&sig);
        let lsh = choose_bands(0.5, 32, None, None).unwrap();
        let rank: Vec<u32> = (0..5).collect();
        let pairs = candidate_pairs(&sigs, lsh, &rank, &[false; 5], |a, b| {
            Some(sigs.similarity(a as usize, b as usize) as f32)
        });
        let keys: Vec<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(keys, [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
        assert!(pairs.iter().all(|p| p.score > 0.7));
    }

    #[test]
    fn skipped_articles_never_pair() {
        let mut sigs = Signatures::new(8);
        sigs.push(&[1; 8]);
        sigs.push(&[1; 8]);
        let lsh = LshParams { num_bands: 2, rows_per_band: 4 };
        let pairs = candidate_pairs(&sigs, lsh, &[0, 1], &[false, true], |_, _| Some(1.0));
        assert!(pairs.is_empty());
    }

    #[test]
    fn huge_buckets_stay_linear_but_connected() {
        let n = MAX_BUCKET * 3;
        let mut sigs = Signatures::new(8);
        for _ in 0..n {
            sigs.push(&[7; 8]);
        }
        let lsh = LshParams { num_bands: 1, rows_per_band: 8 };
        let rank: Vec<u32> = (0..n as u32).collect();
        let pairs = candidate_pairs(&sigs, lsh, &rank, &vec![false; n], |_, _| Some(1.0));
        assert!(pairs.len() < n * MAX_BUCKET);
        let mut touched = vec![false; n];
        for p in &pairs {
            touched[p.a as usize] = true;
            touched[p.b as usize] = true;
        }
        assert!(touched.iter().all(|&t| t));
    }

    #[test]
    fn time_local_pairs_stay_in_the_window_and_under_the_cap() {
        // 600 identical signatures: one bucket per band, on days 0..59 (10 a day).
        let mh = MinHasher::new(16, 0);
        let mut sigs = Signatures::new(16);
        let mut sig = vec![0; 16];
        mh.sketch(&(0..50u64).map(crate::shingle::mix64).collect::<Vec<_>>(), &mut sig);
        for _ in 0..600 {
            sigs.push(&sig);
        }
        let days: Vec<Option<i32>> = (0..600).map(|i| Some(i / 10)).collect();
        let rank: Vec<u32> = (0..600).collect();
        let lsh = choose_bands(0.5, 16, None, None).unwrap();
        let pairs =
            candidate_pairs_in_time(&sigs, lsh, &rank, &[false; 600], &days, 2, 25, |_, _| {
                Some(1.0)
            });
        assert!(pairs
            .iter()
            .all(|p| (days[p.b as usize].unwrap() - days[p.a as usize].unwrap()) <= 2));
        // Each article pairs with at most 25 earlier ones, the nearest in time.
        let mut earlier = vec![0usize; 600];
        for p in &pairs {
            earlier[p.b as usize] += 1;
        }
        assert!(earlier.iter().all(|&k| k <= 25));
        assert_eq!(earlier[599], 25);
        assert!(pairs.iter().any(|p| p.a == 598 && p.b == 599));
        // Without dates, only the cap applies.
        let undated = vec![None; 600];
        let all =
            candidate_pairs_in_time(&sigs, lsh, &rank, &[false; 600], &undated, 2, 25, |_, _| {
                Some(1.0)
            });
        assert!(all.len() > pairs.len());
    }

    #[test]
    fn time_local_pairs_near_in_any_band_count_once() {
        // Band 0 is one bucket of six, where the cap of 2 keeps articles 0 and 5 apart; band 1
        // puts only 0 and 5 together. A pair beyond the cap where it first collides is still
        // found where it is near, and every pair is reported once.
        let mut sigs = Signatures::new(2);
        for i in 0..6u32 {
            sigs.push(&[7, if i == 5 { 100 } else { 100 + i }]);
        }
        let lsh = LshParams { num_bands: 2, rows_per_band: 1 };
        let rank: Vec<u32> = (0..6).collect();
        let days = vec![Some(0); 6];
        let pairs =
            candidate_pairs_in_time(&sigs, lsh, &rank, &[false; 6], &days, 3, 2, |_, _| Some(1.0));
        let keys: Vec<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(
            keys,
            [(0, 1), (0, 2), (0, 5), (1, 2), (1, 3), (2, 3), (2, 4), (3, 4), (3, 5), (4, 5)]
        );
    }
}
