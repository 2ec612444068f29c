//! `samestory cluster`: story clusters with summaries.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use samestory::cluster::story::{Linkage, StoryParams};
use samestory::events::{cluster, Detail, StoryResult};
use samestory::params::{BoilerplateParams, DedupParams, ShingleParams};
use samestory::read::Corpus;
use samestory::tsv;
use samestory::write::dedup::RejectedRecord;
use samestory::write::html::write_html;
use samestory::write::markdown::write_markdown;
use samestory::write::Output;
use serde::Serialize;

use super::outputs::{self, Target};
use super::progress::Bars;
use super::{thousands, CommonArgs, InputArgs, Outcome};

/// Output formats of `cluster`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClusterFormat {
    /// One JSON object per cluster, then one per thread, rejected records and a summary.
    Jsonl,
    /// `id<TAB>event<TAB>thread` for every article.
    Tsv,
    /// A Markdown digest for people.
    Md,
    /// One self-contained HTML page (no network needed to open it).
    Html,
}

/// Cluster linkage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinkageArg {
    /// Cosine to the centroid.
    Centroid,
    /// Mean cosine to the members.
    Average,
}

/// Flags of `samestory cluster`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  samestory cluster articles.jsonl -o clusters.jsonl
  samestory cluster articles.jsonl --report report.html
  samestory cluster articles.jsonl --format md > digest.md
  samestory cluster articles.jsonl --format tsv > events.tsv
  samestory eval --truth truth/events.tsv clusters.jsonl")]
pub struct ClusterArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub common: CommonArgs,

    /// Write clusters here instead of stdout (.gz or .zst compresses)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ClusterFormat::Jsonl)]
    pub format: ClusterFormat,

    /// Also write the HTML report for editors to FILE (.gz or .zst compresses)
    ///
    /// Like every output file, a name ending in .gz or .zst is written compressed, for
    /// archiving or mailing: a browser opens the page once it is decompressed.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Cosine similarity to a cluster's centroid an article needs to join it
    ///
    /// Articles are compared by their event vectors: the most distinctive terms (TF-IDF),
    /// headline words and named entities. Lower merges more. With the refinement on (the
    /// default, see --resolution) these clusters are only its starting point and it regroups
    /// them, so the threshold changes little, on some corpora nothing; with --resolution 0 it
    /// decides.
    #[arg(long, default_value_t = 0.2, value_name = "COS")]
    pub event_threshold: f64,

    /// Days after an event's first report within which reports still join it
    #[arg(long, default_value_t = 3, value_name = "DAYS")]
    pub window_days: i32,

    /// Days a story thread may go quiet and still be continued
    ///
    /// An event joins a thread only if its first day is at most this many days after the
    /// first day of the thread's latest event.
    #[arg(long, default_value_t = 180, value_name = "DAYS")]
    pub thread_window_days: i32,

    /// Share of entities an event must have in common with a story thread to join it
    ///
    /// Averaged over the thread's events, as a share of the shorter of the event's entity list
    /// and the thread's mean list; the event must also share at least two entities with the
    /// thread's events on average. For a thread of one event this is the share of the smaller
    /// list the two events have in common. Events join in time order, each the thread it
    /// matches best.
    #[arg(long, default_value_t = 0.3, value_name = "FRACTION")]
    pub thread_overlap: f64,

    /// Terms kept in each article's event vector
    #[arg(long, default_value_t = 32, value_name = "NUM")]
    pub top_terms: usize,

    /// Jaccard of two articles' top-term sets at which they are compared at all
    ///
    /// Candidate pairs come from MinHash LSH at this threshold; lower finds more pairs of
    /// reports worded differently, at some cost in time.
    #[arg(long, default_value_t = 0.1, value_name = "J")]
    pub candidate_threshold: f64,

    /// Terms in more than this share of all articles are ignored
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION")]
    pub max_df_share: f64,

    /// How an article is compared with a cluster
    ///
    /// `centroid`: cosine to the cluster's centroid, best for full articles; `average`: mean
    /// cosine to the members, steadier for headline-only corpora. Like --event-threshold, it
    /// shapes the clusters the refinement starts from and decides only with --resolution 0.
    #[arg(long, value_enum, default_value_t = LinkageArg::Centroid)]
    pub linkage: LinkageArg,

    /// After clustering, merge a cluster into a larger one whose centroid is this similar
    ///
    /// Single-pass assignment leaves fragments when the first reports of an event share few
    /// words with later ones (headlines especially); one merge round, each cluster moving at
    /// most once into a larger one, joins them. 0 (the default) turns it off: the refinement
    /// (--resolution) joins fragments better.
    #[arg(long, default_value_t = 0.0, value_name = "COS")]
    pub merge_threshold: f64,

    /// Refine clusters by community detection at this resolution (0: off; negative refused)
    ///
    /// After single-pass assignment, clusters are refined on the graph of candidate pairs
    /// (Louvain on the Constant Potts Model, warm-started from the clusters): fragments with
    /// many edges into a larger cluster join it. The resolution is the mean edge weight (cosine)
    /// a cluster's members need among themselves; higher keeps more clusters apart.
    #[arg(long, default_value_t = 0.03, value_name = "GAMMA")]
    pub resolution: f64,

    /// Cosine a candidate pair needs to count as an edge in the refinement
    ///
    /// No effect with --resolution 0, which turns the refinement off.
    #[arg(long, default_value_t = 0.0, value_name = "COS")]
    pub edge_threshold: f64,

    /// Days over which a refinement edge's weight halves with the reports' distance in time
    ///
    /// Reports days apart on the same subject are more often separate events. 0 turns the
    /// decay off. No effect with --resolution 0, which turns the refinement off.
    #[arg(long, default_value_t = 1.0, value_name = "DAYS")]
    pub edge_half_life: f64,

    /// Cosine to the rest of its cluster below which an article group leaves it (0: off)
    ///
    /// The refinement can pull in reports that share a generic term or two with many members
    /// of an event; after it, any near-duplicate group whose cosine to the rest of its cluster
    /// is below this becomes a cluster of its own.
    #[arg(long, default_value_t = 0.1, value_name = "COS")]
    pub straggler_threshold: f64,

    /// Jaccard threshold of the near-duplicate stage (as `dedup --threshold`)
    #[arg(long, default_value_t = 0.5, value_name = "J")]
    pub dup_threshold: f64,

    /// Words per shingle in the near-duplicate stage (characters with --char-shingles)
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub shingle_size: usize,

    /// Shingle characters instead of words in the near-duplicate stage (as `dedup`)
    ///
    /// For text written without spaces (Chinese, Japanese), whose words run a clause long:
    /// two copies a word apart share few word shingles, and are found only with this; use a
    /// size of 5 to 9. Event terms are taken as without it.
    #[arg(long)]
    pub char_shingles: bool,

    /// Do not drop recurring lines (page furniture) before near-duplicate detection, and let
    /// summaries and entities use them
    #[arg(long)]
    pub keep_boilerplate: bool,

    /// Seed of every hash
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    inner: &'a T,
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    articles: usize,
    rejected: usize,
    clusters: usize,
    threads: usize,
    groups: usize,
    event_threshold: f64,
    window_days: i32,
    dup_threshold: f64,
    inputs: &'a [String],
}

fn write_jsonl(
    out: &mut (dyn Write + Send),
    res: &StoryResult,
    args: &ClusterArgs,
) -> std::io::Result<()> {
    use erased::Ser;
    // Clusters are the bulk of the output (every member with its title, outlet and url, and
    // the copies' diffs): they are serialised on all threads, a batch at a time, while the
    // batch before is written, so that the writing (1.2 GB at gen 1M) does not leave the other
    // cores idle. Largest come first, at tens of kilobytes each: batches of 4,096 held 49 MB
    // more at gen 100k, batches of 256 hold a few.
    let serialise = |batch: &[samestory::story::ClusterSummary]| -> std::io::Result<Vec<Vec<u8>>> {
        batch
            .par_iter()
            .map(|c| {
                let mut buf = Vec::with_capacity(1024);
                Tagged { kind: "cluster", inner: c }.write(&mut buf)?;
                buf.push(b'\n');
                Ok(buf)
            })
            .collect()
    };
    let mut ready: Vec<Vec<u8>> = Vec::new();
    for batch in res.clusters.chunks(256) {
        let (written, lines) =
            rayon::join(|| ready.iter().try_for_each(|l| out.write_all(l)), || serialise(batch));
        written?;
        ready = lines?;
    }
    for l in &ready {
        out.write_all(l)?;
    }
    let mut line = |v: &dyn erased::Ser| -> std::io::Result<()> {
        v.write(out)?;
        out.write_all(b"\n")
    };
    for t in &res.threads {
        line(&Tagged { kind: "thread", inner: t })?;
    }
    for r in &res.dedup.rejected {
        line(&RejectedRecord::from(r))?;
    }
    line(&Summary {
        kind: "summary",
        articles: res.meta.articles,
        rejected: res.meta.rejected,
        clusters: res.meta.clusters,
        threads: res.meta.threads,
        groups: res.dedup.groups.len(),
        event_threshold: args.event_threshold,
        window_days: args.window_days,
        dup_threshold: args.dup_threshold,
        inputs: &res.meta.inputs,
    })
}

mod erased {
    //! Lets one closure write records of different types.
    pub trait Ser {
        fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
            serde_json::to_writer(out, self).map_err(std::io::Error::from)
        }
    }
}

fn write_tsv(out: &mut dyn Write, res: &StoryResult) -> std::io::Result<()> {
    for c in &res.clusters {
        for m in &c.members {
            writeln!(out, "{}\t{}\t{}", tsv::escape(&m.id), c.cluster, c.thread)?;
        }
    }
    Ok(())
}

/// Runs `cluster`.
pub fn run(args: &ClusterArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    args.common.init_threads()?;
    // Checked here so that the message names this command's flag, not `dedup`'s `--threshold`.
    if !(args.dup_threshold > 0.0 && args.dup_threshold <= 1.0) {
        return Err(samestory::error::Error::param("--dup-threshold", "must be in (0, 1]").into());
    }
    let dedup_params = DedupParams {
        threshold: args.dup_threshold,
        shingle: ShingleParams {
            size: args.shingle_size,
            char_shingles: args.char_shingles,
            seed: args.seed,
        },
        boilerplate: BoilerplateParams { enabled: !args.keep_boilerplate, ..Default::default() },
        seed: args.seed,
        ..DedupParams::default()
    };
    dedup_params.validate()?;
    let story = StoryParams {
        threshold: args.event_threshold,
        window_days: args.window_days,
        thread_window_days: args.thread_window_days,
        thread_overlap: args.thread_overlap,
        top_terms: args.top_terms,
        candidate_threshold: args.candidate_threshold,
        max_df_share: args.max_df_share,
        // For these three 0 turns the step off; anything else, negative or NaN included, goes
        // to validation, which names the flag.
        merge_threshold: (args.merge_threshold != 0.0).then_some(args.merge_threshold),
        linkage: match args.linkage {
            LinkageArg::Centroid => Linkage::Centroid,
            LinkageArg::Average => Linkage::Average,
        },
        resolution: (args.resolution != 0.0).then_some(args.resolution),
        edge_threshold: args.edge_threshold,
        edge_half_life: (args.edge_half_life != 0.0).then_some(args.edge_half_life),
        straggler_threshold: args.straggler_threshold,
        seed: args.seed,
    };
    story.validate()?;
    outputs::distinct_inputs(&args.input.sources())?;
    outputs::check(
        &args.input.sources(),
        Target { flag: "-o", path: args.output.as_deref() },
        &[Target { flag: "--report", path: args.report.as_deref() }],
    )?;
    let corpus = Corpus::open(&args.input.inputs, args.input.fields())?;
    super::report_skipped(&corpus, args.common.quiet);
    let bars = Bars::new(&args.common);
    // TSV shows only which event and thread each article is in: unless a report is also
    // asked for, the summaries are cut to the entities that link threads.
    let detail = if args.format == ClusterFormat::Tsv && args.report.is_none() {
        Detail::Assignments
    } else {
        Detail::Full
    };
    let res = cluster(&corpus, &dedup_params, &story, detail, args.input.skip_invalid, &bars)?;
    let quiet = args.common.quiet;
    if args.common.verbose && !quiet {
        let lsh = &res.dedup.lsh;
        let off =
            |x: Option<f64>, unit: &str| x.map_or("off".to_string(), |v| format!("{v}{unit}"));
        say!(
            "samestory: near-duplicates: {}-{} shingles, LSH {} bands x {} rows (S-curve knee {:.3}) for Jaccard {} with {} values; {} candidate pairs, {} at or above it",
            dedup_params.shingle.size,
            if dedup_params.shingle.char_shingles { "character" } else { "word" },
            lsh.num_bands,
            lsh.rows_per_band,
            lsh.knee(),
            dedup_params.threshold,
            dedup_params.num_perm,
            thousands(res.dedup.stats.candidates),
            thousands(res.dedup.stats.edges),
        );
        say!(
            "samestory: events: top {} terms (terms in over {} of articles dropped), candidates at Jaccard {}, window {} days; single pass at cosine {} ({:?} linkage), merge round {}, refinement at resolution {} with edge half-life {}, stragglers below cosine {} leave; threads: entity overlap {} within {} days",
            story.top_terms,
            story.max_df_share,
            story.candidate_threshold,
            story.window_days,
            story.threshold,
            story.linkage,
            off(story.merge_threshold, ""),
            off(story.resolution, ""),
            off(story.edge_half_life, " days"),
            story.straggler_threshold,
            story.thread_overlap,
            story.thread_window_days,
        );
    }
    // A rejected record is an error the run was told to step over, not chatter: it is named
    // even under --quiet, since TSV and Markdown output carry no record of it.
    for r in &res.dedup.rejected {
        say!("samestory: rejected {}", r.to_error());
    }
    // The report first: a report path that cannot be written must fail the run before any
    // data reaches stdout, where a pipeline would take a partial answer for a whole one.
    if let Some(path) = &args.report {
        let mut f = Output::create(Some(path))?;
        write_html(&mut f, &res.clusters, &res.threads, &res.meta).map_err(|e| f.err(e))?;
        f.finish()?;
    }
    let mut output = Output::create(args.output.as_deref())?;
    match args.format {
        ClusterFormat::Jsonl => write_jsonl(&mut output, &res, args),
        ClusterFormat::Tsv => write_tsv(&mut output, &res),
        ClusterFormat::Md => write_markdown(&mut output, &res.clusters, &res.threads, &res.meta),
        ClusterFormat::Html => write_html(&mut output, &res.clusters, &res.threads, &res.meta),
    }
    .map_err(|e| output.err(e))?;
    output.finish()?;
    if !quiet {
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        let mb = res.dedup.stats.bytes as f64 / 1e6;
        let n = res.meta.articles as u64;
        say!(
            "samestory: {} articles, {:.1} MB in {:.2} s ({} articles/s, {:.1} MB/s); {} near-duplicate groups, {} event clusters; story threads with several events: {}{}",
            thousands(n),
            mb,
            secs,
            thousands((n as f64 / secs) as u64),
            mb / secs,
            thousands(res.dedup.groups.len() as u64),
            thousands(res.clusters.len() as u64),
            thousands(res.meta.threads as u64),
            if res.dedup.rejected.is_empty() {
                String::new()
            } else {
                format!("; {} rejected", thousands(res.dedup.rejected.len() as u64))
            },
        );
    }
    let outcome = if res.dedup.rejected.is_empty() { Outcome::Clean } else { Outcome::Rejected };
    // The process ends here: freeing a million clusters' strings one by one took seconds at
    // gen 1M, and the system takes the memory back at exit anyway.
    std::mem::forget(res);
    Ok(outcome)
}
