//! MinHash sketching at 128 values: the pipeline's one-permutation MinHash with optimal
//! densification (`MinHasher`) against classic k-hash MinHash (`ClassicMinHasher`) on the same
//! shingle sets, to show the speed-up one-permutation hashing buys. Throughput is articles per
//! second.
//!
//! Input: the word 5-shingle hashes of a seeded 2,000-article `samestory::gen` corpus (about
//! 670 shingles per article), computed up front so that only sketching is timed.
//! Single-threaded: the per-core rate.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use samestory::normalize::{tokenize, Tokens};
use samestory::shingle::word_shingles;
use samestory::sketch::{ClassicMinHasher, MinHasher};

const ARTICLES: u64 = 2_000;
/// Values per signature: the CLI's default `--num-perm`.
const NUM_PERM: usize = 128;

fn benches(c: &mut Criterion) {
    let corpus = common::corpus(ARTICLES);
    let mut tokens = Tokens::default();
    let shingles: Vec<Vec<u64>> = corpus
        .texts
        .iter()
        .map(|t| {
            tokenize(t, 0, false, &mut tokens);
            let mut s = Vec::new();
            word_shingles(&tokens.words, 5, 0, &mut s);
            s
        })
        .collect();
    let mut sig = vec![0u32; NUM_PERM];

    let mut g = c.benchmark_group("minhash_128");
    g.throughput(Throughput::Elements(shingles.len() as u64));

    // One-permutation: one bin/value split per shingle, then densification of empty bins
    // (rare at ~670 shingles over 128 bins). A corpus pass takes milliseconds, so 20 samples
    // fit in 3 s.
    g.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    let one = MinHasher::new(NUM_PERM, 0);
    g.bench_function("one_permutation", |b| {
        b.iter(|| {
            for s in &shingles {
                one.sketch(black_box(s), &mut sig);
            }
            sig[0]
        })
    });

    // Classic: 128 seeded hashes of every shingle, about 128 times the work, so a corpus pass
    // takes a good fraction of a second. Flat sampling with the minimum 10 samples measures it
    // in seconds instead of the minutes linear sampling would need.
    g.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(5));
    let classic = ClassicMinHasher::new(NUM_PERM, 0);
    g.bench_function("classic", |b| {
        b.iter(|| {
            for s in &shingles {
                classic.sketch(black_box(s), &mut sig);
            }
            sig[0]
        })
    });
    g.finish();
}

criterion_group!(sketch, benches);
criterion_main!(sketch);
