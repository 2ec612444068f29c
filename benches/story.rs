//! Story clustering's costs, from the inside out: event-term extraction (tokenising, stemming,
//! names and numbers) on article leads, and the whole `samestory::events::cluster` run
//! (deduplication's two reads with the story rider, event vectors, clustering, summaries) on
//! a JSON Lines file. Throughput is articles/s and MB/s of input text (extraction) or of the
//! file (the whole run). Output writing is not included.
//!
//! Input: a seeded 3,000-article `samestory::gen` corpus (~13 MB), as in the pipeline bench;
//! the file is written to a temporary directory so reads hit the page cache. `scripts/bench.sh`
//! times the binary on much larger corpora.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use samestory::cluster::features::Extractor;
use samestory::cluster::story::StoryParams;
use samestory::events::{cluster, Detail, TEXT_KEEP};
use samestory::params::DedupParams;
use samestory::progress::NoProgress;
use samestory::read::{Corpus, FieldMap};

const ARTICLES: u64 = 3_000;

fn benches(c: &mut Criterion) {
    let corpus = common::corpus(ARTICLES);
    let leads: Vec<&str> = corpus
        .texts
        .iter()
        .map(|t| {
            let mut at = t.len().min(TEXT_KEEP);
            while !t.is_char_boundary(at) {
                at -= 1;
            }
            &t[..at]
        })
        .collect();

    let mut g = c.benchmark_group("story");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6));
    g.throughput(Throughput::ElementsAndBytes {
        elements: leads.len() as u64,
        bytes: leads.iter().map(|l| l.len() as u64).sum(),
    });
    // One thread, one reusable extractor, as each rayon worker runs it.
    g.bench_function("extract_terms", |b| {
        let mut ex = Extractor::new();
        b.iter(|| leads.iter().map(|l| ex.extract("", l, 3.0, false).len()).sum::<usize>())
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("corpus.jsonl");
    std::fs::write(&path, &corpus.jsonl).expect("write corpus");
    let paths: Vec<PathBuf> = vec![path];
    g.throughput(Throughput::ElementsAndBytes {
        elements: corpus.texts.len() as u64,
        bytes: corpus.jsonl.len() as u64,
    });
    let (dedup, story) = (DedupParams::default(), StoryParams::default());
    // Full summaries (JSON Lines, Markdown, HTML) and assignments only (TSV).
    for (name, detail) in [("cluster", Detail::Full), ("cluster_assignments", Detail::Assignments)]
    {
        g.bench_function(name, |b| {
            b.iter(|| {
                let corpus = Corpus::open(&paths, FieldMap::default()).expect("open");
                cluster(&corpus, &dedup, &story, detail, false, &NoProgress).expect("cluster")
            })
        });
    }
    g.finish();
}

criterion_group!(story, benches);
criterion_main!(story);
