//! samestory finds near-duplicate news articles and groups reports of the same real-world event
//! into story clusters with summaries.
//!
//! The pipeline follows the data:
//!
//! 1. [`read`]: JSON Lines (plain, gzip, zstd), `.txt` directories, stdin, read in parallel chunks;
//! 2. [`normalize`]: Unicode NFKC, case and punctuation folding, boilerplate lines;
//! 3. [`shingle`]: word or character k-grams hashed to 64 bits (Broder 1997);
//! 4. [`sketch`]: one-permutation MinHash with optimal densification (Shrivastava 2017);
//! 5. [`lsh`]: banding (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3);
//! 6. [`cluster`]: star groups of near-duplicates (Aslam et al. 2004), then event clusters by
//!    time-ordered centroid assignment (Allan et al. 1998) and story threads;
//! 7. [`summarize`]: headline, MMR summary with KLSum coverage (Carbonell & Goldstein 1998; Haghighi & Vanderwende 2009), keywords, entities;
//! 8. [`write`](mod@write): JSON Lines, TSV, Markdown and a self-contained HTML report.
//!
//! [`dedup::dedup`] and [`events::cluster`] run the whole pipeline; [`gen`] makes synthetic
//! corpora with ground truth and [`eval`] scores clusterings against labels.
//!
//! ```
//! use samestory::dedup::dedup;
//! use samestory::params::DedupParams;
//! use samestory::progress::NoProgress;
//! use samestory::read::{Corpus, FieldMap};
//!
//! # fn main() -> samestory::error::Result<()> {
//! let dir = tempfile::tempdir().expect("temp dir");
//! let path = dir.path().join("articles.jsonl");
//! let story = "NATO defence ministers met in Brussels on Wednesday to discuss air defences \
//!              for Ukraine after a wave of Russian missile strikes on cities across the country.";
//! let copy = story.replace("Wednesday", "Wednesday afternoon");
//! let lines = [
//!     serde_json::json!({"id": "a", "text": story}),
//!     serde_json::json!({"id": "b", "text": copy}),
//!     serde_json::json!({"id": "c", "text": "The central bank left interest rates unchanged."}),
//! ];
//! std::fs::write(&path, lines.map(|l| l.to_string()).join("\n")).expect("write");
//!
//! let corpus = Corpus::open(&[path], FieldMap::default())?;
//! let result = dedup(&corpus, &DedupParams::default(), false, &NoProgress)?;
//! assert_eq!(result.groups.len(), 2); // {a, b} and {c}
//! assert_eq!(result.groups[0].members.len(), 2);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod article;
pub mod cluster;
pub mod counts;
pub mod dedup;
pub mod error;
pub mod eval;
pub mod events;
mod flat;
pub mod gen;
pub mod lsh;
pub mod normalize;
pub mod params;
pub mod progress;
pub mod read;
pub mod shingle;
pub mod sketch;
pub mod spill;
pub mod story;
pub mod summarize;
pub mod tsv;
pub mod write;
