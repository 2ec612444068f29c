//! LSH candidate search: `candidate_pairs` over the 128-value signatures of a corpus, banded
//! for threshold 0.5 as the CLI does by default, with every candidate scored by estimated
//! Jaccard and kept at 0.5 or above (the pipeline's default verify step). Throughput is
//! articles per second.
//!
//! Input: signatures of seeded `samestory::gen` corpora of 2,000 and 8,000 articles, sketched
//! up front. Two sizes because this is the one stage that is not linear (a sort per band):
//! articles/s should fall only slowly from one to the other. Bands run in parallel on the
//! rayon pool, so this is a whole-machine rate. Choosing (b, r) is a one-off calculation and
//! is not timed.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use samestory::lsh::{candidate_pairs, choose_bands};
use samestory::normalize::{tokenize, Tokens};
use samestory::shingle::word_shingles;
use samestory::sketch::{MinHasher, Signatures};

const NUM_PERM: usize = 128;
const THRESHOLD: f64 = 0.5;

/// Signatures as the pipeline computes them (word 5-shingles, one-permutation MinHash).
fn signatures(articles: u64) -> Signatures {
    let corpus = common::corpus(articles);
    let hasher = MinHasher::new(NUM_PERM, 0);
    let (mut tokens, mut shingles, mut sig) = (Tokens::default(), Vec::new(), vec![0; NUM_PERM]);
    let mut sigs = Signatures::new(NUM_PERM);
    for t in &corpus.texts {
        tokenize(t, 0, false, &mut tokens);
        shingles.clear();
        word_shingles(&tokens.words, 5, 0, &mut shingles);
        hasher.sketch(&shingles, &mut sig);
        sigs.push(&sig);
    }
    sigs
}

fn benches(c: &mut Criterion) {
    let lsh = choose_bands(THRESHOLD, NUM_PERM, None, None).expect("bands");
    let mut g = c.benchmark_group("candidate_pairs_t0.5");
    // A pass takes milliseconds; 20 samples keep the file to a few seconds per size.
    g.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for articles in [2_000u64, 8_000] {
        let sigs = signatures(articles);
        let n = sigs.len();
        // Input order as rank, as for a corpus whose ids sort in input order (generated ids do).
        let rank: Vec<u32> = (0..n as u32).collect();
        let skip: Vec<bool> = (0..n).map(|i| sigs.is_empty_at(i)).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(articles), &sigs, |b, sigs| {
            b.iter(|| {
                candidate_pairs(black_box(sigs), lsh, &rank, &skip, |a, b| {
                    let s = sigs.similarity(a as usize, b as usize);
                    (s + 1e-9 >= THRESHOLD).then_some(s as f32)
                })
            })
        });
    }
    g.finish();
}

criterion_group!(lsh_benches, benches);
criterion_main!(lsh_benches);
