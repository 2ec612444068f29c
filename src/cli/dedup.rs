//! `samestory dedup`: near-duplicate groups.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use samestory::dedup::dedup;
use samestory::params::{BoilerplateParams, DedupParams, Keep, ShingleParams, Verify};
use samestory::read::Corpus;
use samestory::write::{dedup as out, Output};

use super::outputs::{self, Target};
use super::progress::Bars;
use super::{thousands, CommonArgs, InputArgs, Outcome};

/// Output formats of `dedup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DedupFormat {
    /// One JSON object per group, then rejected records and a summary.
    Jsonl,
    /// `id<TAB>group` for every article.
    Tsv,
}

/// How candidates are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyArg {
    /// Estimated Jaccard from the full MinHash signature.
    Estimate,
    /// Exact Jaccard of the shingle sets (re-reads the candidates' text).
    Exact,
}

/// Which member represents a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepArg {
    /// Earliest published, then longest, then smallest id.
    Earliest,
    /// Longest text, then earliest, then smallest id.
    Longest,
    /// First in input order.
    First,
}

/// Flags of `samestory dedup`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  samestory dedup articles.jsonl.gz -o groups.jsonl
  samestory dedup a.jsonl b.jsonl --emit-unique clean.jsonl
  cat dump.jsonl | samestory dedup - --format tsv")]
pub struct DedupArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub common: CommonArgs,

    /// Write groups here instead of stdout (.gz or .zst compresses)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = DedupFormat::Jsonl)]
    pub format: DedupFormat,

    /// Jaccard similarity at which two articles are near-duplicates
    ///
    /// Similarity is the Jaccard index of the two articles' shingle sets, after
    /// normalisation and boilerplate removal. The default 0.5 with 5-word shingles catches
    /// syndicated copies with a few percent of words changed, a cut paragraph and a new
    /// headline, while independent reports of one event score below 0.05.
    #[arg(long, default_value_t = 0.5, value_name = "J")]
    pub threshold: f64,

    /// Words per shingle (characters with --char-shingles)
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub shingle_size: usize,

    /// Shingle characters instead of words
    ///
    /// Character shingles suit languages written without spaces; use a size of 5 to 9.
    #[arg(long)]
    pub char_shingles: bool,

    /// MinHash values per article
    ///
    /// More values estimate Jaccard more precisely (standard error sqrt(J(1-J)/num_perm))
    /// and cost 4 bytes each per article in memory.
    #[arg(long, default_value_t = 128, value_name = "NUM")]
    pub num_perm: usize,

    /// LSH bands (b); chosen from --threshold when absent
    #[arg(long, value_name = "NUM")]
    pub bands: Option<usize>,

    /// LSH rows per band (r); chosen from --threshold when absent
    #[arg(long, value_name = "NUM")]
    pub rows: Option<usize>,

    /// How candidate pairs are scored
    #[arg(long, value_enum, default_value_t = VerifyArg::Estimate)]
    pub verify: VerifyArg,

    /// Which member represents its group (and is kept by --emit-unique)
    #[arg(long, value_enum, default_value_t = KeepArg::Earliest)]
    pub keep: KeepArg,

    /// Seed of every hash; the same seed gives the same output on any machine
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Do not drop lines that recur across the corpus (page furniture) before shingling
    ///
    /// Refused with the --boilerplate-* flags, which tune the dropping this turns off.
    #[arg(
        long,
        conflicts_with_all = ["boilerplate_min_articles", "boilerplate_min_fraction", "boilerplate_max_words"]
    )]
    pub keep_boilerplate: bool,

    /// A boilerplate line occurs in at least this many articles
    #[arg(long, default_value_t = 3, value_name = "NUM")]
    pub boilerplate_min_articles: u32,

    /// A boilerplate line occurs in at least this fraction of the articles
    #[arg(long, default_value_t = 0.001, value_name = "FRACTION")]
    pub boilerplate_min_fraction: f64,

    /// Lines with more words than this are never boilerplate
    #[arg(long, default_value_t = 24, value_name = "NUM")]
    pub boilerplate_max_words: u32,

    /// Also write the corpus with one article per group (its representative), records unchanged
    #[arg(long, value_name = "FILE")]
    pub emit_unique: Option<PathBuf>,

    /// Also write every verified pair as id<TAB>id<TAB>similarity
    #[arg(long, value_name = "FILE")]
    pub emit_pairs: Option<PathBuf>,
}

impl DedupArgs {
    /// The library parameters these flags describe.
    pub fn params(&self) -> DedupParams {
        DedupParams {
            shingle: ShingleParams {
                size: self.shingle_size,
                char_shingles: self.char_shingles,
                seed: self.seed,
            },
            boilerplate: BoilerplateParams {
                enabled: !self.keep_boilerplate,
                min_articles: self.boilerplate_min_articles,
                min_fraction: self.boilerplate_min_fraction,
                max_words: self.boilerplate_max_words,
            },
            num_perm: self.num_perm,
            threshold: self.threshold,
            bands: self.bands,
            rows: self.rows,
            verify: match self.verify {
                VerifyArg::Estimate => Verify::Estimate,
                VerifyArg::Exact => Verify::Exact,
            },
            keep: match self.keep {
                KeepArg::Earliest => Keep::Earliest,
                KeepArg::Longest => Keep::Longest,
                KeepArg::First => Keep::First,
            },
            seed: self.seed,
        }
    }
}

/// Runs `dedup`.
pub fn run(args: &DedupArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    args.common.init_threads()?;
    let params = args.params();
    params.validate()?;
    outputs::distinct_inputs(&args.input.sources())?;
    outputs::check(
        &args.input.sources(),
        Target { flag: "-o", path: args.output.as_deref() },
        &[
            Target { flag: "--emit-pairs", path: args.emit_pairs.as_deref() },
            Target { flag: "--emit-unique", path: args.emit_unique.as_deref() },
        ],
    )?;
    let corpus = Corpus::open(&args.input.inputs, args.input.fields())?;
    super::report_skipped(&corpus, args.common.quiet);
    let bars = Bars::new(&args.common);
    let res = dedup(&corpus, &params, args.input.skip_invalid, &bars)?;
    let quiet = args.common.quiet;
    if args.common.verbose && !quiet {
        say!(
            "samestory: LSH {} bands x {} rows (S-curve knee {:.3}) for threshold {} with {} values; {} candidate pairs, {} at or above the threshold",
            res.lsh.num_bands,
            res.lsh.rows_per_band,
            res.lsh.knee(),
            params.threshold,
            params.num_perm,
            thousands(res.stats.candidates),
            thousands(res.stats.edges),
        );
    }
    // A rejected record is an error the run was told to step over, not chatter: it is named
    // even under --quiet, since TSV and Markdown output carry no record of it.
    for r in &res.rejected {
        say!("samestory: rejected {}", r.to_error());
    }

    let mut output = Output::create(args.output.as_deref())?;
    match args.format {
        DedupFormat::Jsonl => out::write_jsonl(&mut output, &res, &params),
        DedupFormat::Tsv => out::write_tsv(&mut output, &res),
    }
    .map_err(|e| output.err(e))?;
    output.finish()?;
    if let Some(path) = &args.emit_pairs {
        let mut f = Output::create(Some(path))?;
        out::write_pairs(&mut f, &res).map_err(|e| f.err(e))?;
        f.finish()?;
    }
    if let Some(path) = &args.emit_unique {
        let mut f = Output::create(Some(path))?;
        out::write_unique(&mut f, &corpus, &res)
            .with_context(|| format!("writing {}", path.display()))?;
        f.finish()?;
    }

    if !quiet {
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        let mb = res.stats.bytes as f64 / 1e6;
        let n = res.articles.len() as u64;
        say!(
            "samestory: {} articles, {:.1} MB in {:.2} s ({} articles/s, {:.1} MB/s); {} groups, {} duplicates; {} boilerplate lines dropped ({} distinct){}",
            thousands(n),
            mb,
            secs,
            thousands((n as f64 / secs) as u64),
            mb / secs,
            thousands(res.groups.len() as u64),
            thousands(n - res.groups.len() as u64),
            thousands(res.stats.boilerplate_dropped),
            thousands(res.stats.boilerplate_lines as u64),
            if res.rejected.is_empty() {
                String::new()
            } else {
                format!("; {} rejected", thousands(res.rejected.len() as u64))
            },
        );
    }
    Ok(if res.rejected.is_empty() { Outcome::Clean } else { Outcome::Rejected })
}
