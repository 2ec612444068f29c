//! The whole near-duplicate pipeline, `samestory::dedup::dedup`, on a JSON Lines file: both
//! reads (pass 1 parses records and counts boilerplate lines, pass 2 tokenises, shingles and
//! sketches), LSH candidates, scoring and star grouping, with default parameters. Throughput
//! is reported as articles/s and MB/s of input. Output writing is not included.
//!
//! Input: a seeded 5,000-article `samestory::gen` corpus (~21 MB) written to a temporary
//! directory at bench start, so reads hit the page cache: this is the CPU cost, not the disk's.
//! Runs on the global rayon pool (all cores), like the CLI. `scripts/bench.sh` times the
//! binary on much larger corpora.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use samestory::dedup::dedup;
use samestory::params::{DedupParams, Verify};
use samestory::progress::NoProgress;
use samestory::read::{Corpus, FieldMap};

const ARTICLES: u64 = 5_000;

fn benches(c: &mut Criterion) {
    let corpus = common::corpus(ARTICLES);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("corpus.jsonl");
    std::fs::write(&path, &corpus.jsonl).expect("write corpus");
    let paths: Vec<PathBuf> = vec![path];

    let mut g = c.benchmark_group("dedup");
    g.throughput(Throughput::ElementsAndBytes {
        elements: corpus.texts.len() as u64,
        bytes: corpus.jsonl.len() as u64,
    });
    // A run takes a good fraction of a second: flat sampling with the minimum 10 samples
    // keeps each benchmark to several seconds.
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));

    // Defaults: candidates scored by estimated Jaccard from the signatures (two reads).
    // Opening the corpus is timed too: it is part of every run.
    let estimate = DedupParams::default();
    g.bench_function("estimate", |b| {
        b.iter(|| {
            let corpus = Corpus::open(&paths, FieldMap::default()).expect("open");
            dedup(&corpus, &estimate, false, &NoProgress).expect("dedup")
        })
    });

    // `--verify exact`: a third read re-shingles the candidates to score them by exact
    // Jaccard; this shows what that costs on top.
    let exact = DedupParams { verify: Verify::Exact, ..DedupParams::default() };
    g.bench_function("exact", |b| {
        b.iter(|| {
            let corpus = Corpus::open(&paths, FieldMap::default()).expect("open");
            dedup(&corpus, &exact, false, &NoProgress).expect("dedup")
        })
    });
    g.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
