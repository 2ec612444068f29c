//! Bench inputs shared by every bench file: a seeded synthetic corpus from `samestory::gen`,
//! generated in memory at bench start, so every run measures the same bytes without any
//! fixture files checked in.

use samestory::gen::{generate, GenParams};

/// Seed of every bench corpus (the same one `scripts/bench.sh` uses).
pub const SEED: u64 = 7;

/// A generated corpus: the JSON Lines bytes as written, and each article's text.
pub struct Corpus {
    /// The corpus file's bytes. Each bench file compiles this module on its own and only the
    /// pipeline bench reads them.
    #[allow(dead_code)]
    pub jsonl: Vec<u8>,
    /// The `text` field of each article, in corpus order.
    pub texts: Vec<String>,
}

/// Generates `articles` articles with the generator's default knobs and [`SEED`]. Defaults
/// matter: they give news-like length (median ~600 words), syndicated near-copies, boilerplate
/// and a share of curly-quote outlets, which is what the pipeline is tuned for.
pub fn corpus(articles: u64) -> Corpus {
    let params = GenParams { articles, seed: SEED, ..GenParams::default() };
    let mut jsonl = Vec::new();
    generate(&params, &mut jsonl, "bench corpus", None, &|_| {}).expect("generate bench corpus");
    let texts = jsonl
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_slice(line).expect("generated JSON");
            v["text"].as_str().expect("text field").to_owned()
        })
        .collect();
    Corpus { jsonl, texts }
}
