//! `samestory gen`: write a seeded synthetic news corpus and, optionally, its ground truth.

use std::path::PathBuf;
use std::time::Instant;

use samestory::gen::{self, GenParams};
use samestory::progress::Progress;
use samestory::write::Output;

use super::outputs::{self, Target};
use super::progress::Bars;
use super::CommonArgs;

const EXAMPLES: &str = "\
Examples:
  samestory gen --articles 100000 --seed 7 -o corpus.jsonl.zst --truth truth/
  samestory gen --articles 2000 --dup-rate 0.6 --sub-max 0.02 -o easy.jsonl
  samestory gen --articles 1000000 -j 2 --series-rate 0.3 -o big.jsonl.gz --truth big/";

fn defaults() -> GenParams {
    GenParams::default()
}

fn parse_day(s: &str) -> Result<i32, String> {
    samestory::article::parse_date(s).ok_or_else(|| format!("expected YYYY-MM-DD, got {s:?}"))
}

fn format_day(days: i32) -> String {
    samestory::article::format_date(days)
}

/// Write a synthetic news corpus with ground-truth labels
///
/// Writes JSON Lines {"id","title","text","source","url","published"} modelled on news wires:
/// events reported independently by several outlets, syndicated near-duplicate copies, story
/// threads that recur over months, and one-off articles. The output depends only on the seed
/// and the knobs below, never on --threads.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct GenArgs {
    /// Number of articles to write
    ///
    /// The corpus has exactly this many lines, with ids a1, a2, ... zero-padded to the width
    /// of N.
    #[arg(long, value_name = "N", default_value_t = defaults().articles)]
    pub articles: u64,

    /// Seed of every random choice
    ///
    /// The same seed and knobs give the same bytes, whatever the thread count.
    #[arg(long, value_name = "NUM", default_value_t = defaults().seed)]
    pub seed: u64,

    /// Write the corpus to FILE instead of stdout
    ///
    /// A name ending in .gz or .zst is compressed accordingly.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write ground truth into DIR
    ///
    /// Creates DIR with dups.tsv (id, near-duplicate group), events.tsv (id, event) and
    /// stories.tsv (id, story thread): tab-separated, no header, one line per article in
    /// corpus order. A syndicated copy shares its original's group; all reports of an event
    /// share the event; events of a series share the thread, any other event is its own thread.
    #[arg(long, value_name = "DIR")]
    pub truth: Option<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,

    /// First day of the corpus (YYYY-MM-DD)
    ///
    /// Events are spread evenly over --days days from this date; the corpus is written in
    /// rough date order.
    #[arg(long, value_name = "DATE", value_parser = parse_day, default_value = "2023-01-01",
          help_heading = "Time")]
    pub start: i32,

    /// Days the corpus spans
    ///
    /// With a fixed --articles, fewer days means more articles a day (denser news).
    #[arg(long, value_name = "N", default_value_t = defaults().days, help_heading = "Time")]
    pub days: u32,

    /// Number of content pseudo-words
    ///
    /// Pronounceable made-up words whose frequencies follow a Zipf–Mandelbrot law; shorter
    /// words get frequent ranks.
    #[arg(long, value_name = "N", default_value_t = defaults().vocab, help_heading = "Vocabulary")]
    pub vocab: u32,

    /// Number of name tokens entities are built from
    ///
    /// Named entities are 1–3 capitalised tokens drawn from this separate pool.
    #[arg(long, value_name = "N", default_value_t = defaults().names, help_heading = "Vocabulary")]
    pub names: u32,

    /// Zipf–Mandelbrot exponent s of content words
    ///
    /// Word at rank r has probability proportional to (r + q)^-s; larger s concentrates text
    /// on fewer words.
    #[arg(long, value_name = "S", default_value_t = defaults().zipf_s, help_heading = "Vocabulary")]
    pub zipf_s: f64,

    /// Zipf–Mandelbrot rank offset q of content words
    ///
    /// A q near the number of stop words (~260) makes content words continue the rank-frequency
    /// curve past the function words, as in real English.
    #[arg(long, value_name = "Q", default_value_t = defaults().zipf_q, help_heading = "Vocabulary")]
    pub zipf_q: f64,

    /// Share of running words that are English stop words
    ///
    /// "the", "of", "to", "a", "and", "in" ... at news-like relative frequencies.
    #[arg(long, value_name = "RATE", default_value_t = defaults().stop_rate, help_heading = "Vocabulary")]
    pub stop_rate: f64,

    /// Median article length in words
    ///
    /// Lengths are lognormal around this median, then clipped to --words-min..--words-max.
    #[arg(long, value_name = "N", default_value_t = defaults().words_median, help_heading = "Articles")]
    pub words_median: u32,

    /// Spread of article lengths (sigma of log length)
    ///
    /// 0.4 puts 90 % of articles within about half and twice the median.
    #[arg(long, value_name = "SIGMA", default_value_t = defaults().words_sigma, help_heading = "Articles")]
    pub words_sigma: f64,

    /// Shortest article in words
    ///
    /// Lognormal draws below this are raised to it. Edited copies can end shorter.
    #[arg(long, value_name = "N", default_value_t = defaults().words_min, help_heading = "Articles")]
    pub words_min: u32,

    /// Longest article in words
    ///
    /// Lognormal draws above this are lowered to it; must be at least --words-median.
    #[arg(long, value_name = "N", default_value_t = defaults().words_max, help_heading = "Articles")]
    pub words_max: u32,

    /// Chance that a word is followed by a comma
    ///
    /// Never after a sentence's first two words or before its last.
    #[arg(long, value_name = "RATE", default_value_t = defaults().comma_rate, help_heading = "Articles")]
    pub comma_rate: f64,

    /// Share of sentences that are quotes
    ///
    /// A quote is written "...," Entity said. (or said Entity.), in the outlet's quote style.
    #[arg(long, value_name = "RATE", default_value_t = defaults().quote_rate, help_heading = "Articles")]
    pub quote_rate: f64,

    /// Share of word positions holding one of the event's keywords
    ///
    /// Each event has 5–15 mid-frequency keywords; its reports share them, which is what makes
    /// independent reports of one event look alike.
    #[arg(long, value_name = "RATE", default_value_t = defaults().keyword_rate, help_heading = "Events")]
    pub keyword_rate: f64,

    /// Share of word positions holding one of the event's named entities
    ///
    /// Each event has 3–8 entities; the first (the protagonist) is mentioned most and leads
    /// the headline and first sentence.
    #[arg(long, value_name = "RATE", default_value_t = defaults().entity_rate, help_heading = "Events")]
    pub entity_rate: f64,

    /// Share of word positions holding one of the event's numbers
    ///
    /// Each event has 2–5 figures such as "26 people", "$4.5 billion" or "12.5%".
    #[arg(long, value_name = "RATE", default_value_t = defaults().number_rate, help_heading = "Events")]
    pub number_rate: f64,

    /// Most outlets reporting one event independently
    ///
    /// Reports per event follow a power law on 1..N (see --reports-exponent); each is freshly
    /// written at a distinct outlet.
    #[arg(long, value_name = "N", default_value_t = defaults().max_reports, help_heading = "Events")]
    pub max_reports: u32,

    /// Power-law exponent of reports per event
    ///
    /// p(k) ∝ k^-exponent: most events get one or two reports, a few get many.
    #[arg(long, value_name = "EXP", default_value_t = defaults().reports_exponent, help_heading = "Events")]
    pub reports_exponent: f64,

    /// Days over which reports of an event appear
    ///
    /// The first report comes within hours; later ones up to this many days after the event,
    /// most of them early.
    #[arg(long, value_name = "DAYS", default_value_t = defaults().spread_days, help_heading = "Events")]
    pub spread_days: f64,

    /// Share of articles that are on no event
    ///
    /// Singletons are their own event, thread and near-duplicate group.
    #[arg(long, value_name = "RATE", default_value_t = defaults().singleton_rate, help_heading = "Events")]
    pub singleton_rate: f64,

    /// Share of reports that are syndicated
    ///
    /// A syndicated report gets 1..--max-copies near-duplicate copies at other outlets within
    /// about 30 hours (p(k) ∝ 1/k).
    #[arg(long, value_name = "RATE", default_value_t = defaults().dup_rate, help_heading = "Syndication")]
    pub dup_rate: f64,

    /// Most copies of one syndicated report
    ///
    /// Copies per syndicated report follow p(k) ∝ 1/k on 1..N, each at a distinct outlet
    /// other than the original's.
    #[arg(long, value_name = "N", default_value_t = defaults().max_copies, help_heading = "Syndication")]
    pub max_copies: u32,

    /// Lowest share of a copy's words that are changed
    ///
    /// Each copy changes a share drawn uniformly from --sub-min..--sub-max.
    #[arg(long, value_name = "RATE", default_value_t = defaults().sub_min, help_heading = "Syndication")]
    pub sub_min: f64,

    /// Highest share of a copy's words that are changed
    ///
    /// At least --sub-min, at most 0.5. Changed words are redrawn from the running-text
    /// distribution, keeping capitalisation and punctuation.
    #[arg(long, value_name = "RATE", default_value_t = defaults().sub_max, help_heading = "Syndication")]
    pub sub_max: f64,

    /// Longest run of consecutive changed words
    ///
    /// Editors rework phrases, so changes come in runs of 1..N words; 1 scatters them, which
    /// breaks the most shingles for the same share.
    #[arg(long, value_name = "N", default_value_t = defaults().sub_burst, help_heading = "Syndication")]
    pub sub_burst: u32,

    /// Chance that a copy gets its own headline
    ///
    /// Otherwise it keeps the original's headline, and so the same URL slug.
    #[arg(long, value_name = "RATE", default_value_t = defaults().retitle_rate, help_heading = "Syndication")]
    pub retitle_rate: f64,

    /// Chance that a copy drops a paragraph (never the lead)
    ///
    /// Only copies of articles with three or more paragraphs lose one.
    #[arg(long, value_name = "RATE", default_value_t = defaults().para_cut_rate, help_heading = "Syndication")]
    pub para_cut_rate: f64,

    /// Chance that a copy gains a paragraph of its own
    ///
    /// The new paragraph is freshly written about the same event and placed after the lead.
    #[arg(long, value_name = "RATE", default_value_t = defaults().para_add_rate, help_heading = "Syndication")]
    pub para_add_rate: f64,

    /// Chance that a copy's last paragraph is cut short
    ///
    /// Keeps 30–80 % of its words and ends it with a period, as feeds with length limits do.
    #[arg(long, value_name = "RATE", default_value_t = defaults().truncate_rate, help_heading = "Syndication")]
    pub truncate_rate: f64,

    /// Chance that an original article carries page furniture
    ///
    /// Furniture lines ("Advertisement", newsletter prompts, copyright lines) are a small fixed
    /// set per outlet, so they recur across that outlet's articles. Copies always get 1–3 lines
    /// of their own outlet's furniture; originals get 1–2 with this chance.
    #[arg(long, value_name = "RATE", default_value_t = defaults().boilerplate_rate, help_heading = "Syndication")]
    pub boilerplate_rate: f64,

    /// Share of events that belong to a story thread
    ///
    /// A thread is the same body meeting again: 2..--series-max-events events weeks to months
    /// apart with mostly the same entities but new keywords and numbers. They are different
    /// events in one thread (stories.tsv).
    #[arg(long, value_name = "RATE", default_value_t = defaults().series_rate, help_heading = "Series")]
    pub series_rate: f64,

    /// Most events in one thread
    ///
    /// Each thread has 2..N events, uniformly; those falling after the corpus end are dropped.
    #[arg(long, value_name = "N", default_value_t = defaults().series_max_events, help_heading = "Series")]
    pub series_max_events: u32,

    /// Shortest gap between events of a thread, in days
    ///
    /// Gaps are uniform between --series-gap-min and --series-gap-max.
    #[arg(long, value_name = "DAYS", default_value_t = defaults().series_gap_min, help_heading = "Series")]
    pub series_gap_min: u32,

    /// Longest gap between events of a thread, in days
    ///
    /// At least --series-gap-min. With the defaults a thread runs for up to 16 months.
    #[arg(long, value_name = "DAYS", default_value_t = defaults().series_gap_max, help_heading = "Series")]
    pub series_gap_max: u32,

    /// Number of outlets
    ///
    /// Each has a name ("The X Times"), a domain and URL pattern, and its own furniture lines.
    /// Must be at least --max-reports and more than --max-copies.
    #[arg(long, value_name = "N", default_value_t = defaults().outlets, help_heading = "Outlets")]
    pub outlets: u32,

    /// Share of outlets that print curly quotes
    ///
    /// Outlets restyle wire copy, so a copy may differ from its original in quote marks only.
    #[arg(long, value_name = "RATE", default_value_t = defaults().curly_rate, help_heading = "Outlets")]
    pub curly_rate: f64,
}

impl GenArgs {
    /// The library parameters these flags stand for.
    pub fn params(&self) -> GenParams {
        GenParams {
            articles: self.articles,
            seed: self.seed,
            threads: self.common.threads,
            start_day: self.start,
            days: self.days,
            vocab: self.vocab,
            names: self.names,
            zipf_s: self.zipf_s,
            zipf_q: self.zipf_q,
            stop_rate: self.stop_rate,
            words_median: self.words_median,
            words_sigma: self.words_sigma,
            words_min: self.words_min,
            words_max: self.words_max,
            comma_rate: self.comma_rate,
            quote_rate: self.quote_rate,
            keyword_rate: self.keyword_rate,
            entity_rate: self.entity_rate,
            number_rate: self.number_rate,
            max_reports: self.max_reports,
            reports_exponent: self.reports_exponent,
            spread_days: self.spread_days,
            singleton_rate: self.singleton_rate,
            dup_rate: self.dup_rate,
            max_copies: self.max_copies,
            sub_min: self.sub_min,
            sub_max: self.sub_max,
            sub_burst: self.sub_burst,
            retitle_rate: self.retitle_rate,
            para_cut_rate: self.para_cut_rate,
            para_add_rate: self.para_add_rate,
            truncate_rate: self.truncate_rate,
            boilerplate_rate: self.boilerplate_rate,
            series_rate: self.series_rate,
            series_max_events: self.series_max_events,
            series_gap_min: self.series_gap_min,
            series_gap_max: self.series_gap_max,
            outlets: self.outlets,
            curly_rate: self.curly_rate,
        }
    }
}

/// Runs `samestory gen`.
pub fn run(args: &GenArgs) -> anyhow::Result<()> {
    let quiet = args.common.quiet;
    let params = args.params();
    // Before creating the output, so a bad flag leaves no empty file behind.
    params.validate()?;
    let mut truth = Vec::new();
    if let Some(dir) = args.truth.as_deref() {
        outputs::new_dir("--truth", dir)?;
        // While the directory is not there, nothing in it can be the corpus file, and an -o
        // inside it is refused for its missing directory.
        if dir.is_dir() {
            truth = gen::TRUTH_FILES.map(|f| dir.join(f)).to_vec();
        }
    }
    let truth: Vec<_> = truth.iter().map(|p| Target { flag: "--truth", path: Some(p) }).collect();
    outputs::check(&[], Target { flag: "-o", path: args.output.as_deref() }, &truth)?;
    if let Some(dir) = args.truth.as_deref() {
        // Made before -o is opened: a directory that cannot be made (no permission, a full
        // disk) must fail the run while whatever -o names is still intact.
        std::fs::create_dir_all(dir).map_err(|e| {
            samestory::error::Error::param(
                "--truth",
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
    }
    let mut out = Output::create(args.output.as_deref())?;
    let bars = Bars::new(&args.common);
    bars.phase("generating", Some(params.articles));
    let done = std::sync::atomic::AtomicU64::new(0);
    let started = Instant::now();
    let name = out.name().to_string();
    let stats = gen::generate(&params, &mut out, &name, args.truth.as_deref(), &|n| {
        let before = done.swap(n, std::sync::atomic::Ordering::Relaxed);
        bars.advance(n.saturating_sub(before));
    })?;
    out.finish()?;
    bars.finish_phase();
    if !quiet {
        let secs = started.elapsed().as_secs_f64();
        let mb = stats.bytes as f64 / 1e6;
        say!(
            "samestory gen: {} articles, {:.1} MB in {:.2} s ({:.0} MB/s): {} events, {} reports, \
             {} copies in {} groups, {} singletons, {} threads ({} events), from {}",
            stats.articles,
            mb,
            secs,
            mb / secs.max(1e-9),
            stats.events,
            stats.reports,
            stats.copies,
            stats.dup_groups,
            stats.singletons,
            stats.series,
            stats.series_events,
            format_day(params.start_day),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        gen: GenArgs,
    }

    #[test]
    fn flag_defaults_match_the_library() {
        let cli = Cli::try_parse_from(["gen"]).unwrap();
        assert_eq!(cli.gen.params(), GenParams::default());
    }

    #[test]
    fn flags_reach_the_params() {
        let cli = Cli::try_parse_from([
            "gen",
            "--articles",
            "5",
            "--seed",
            "9",
            "-j",
            "3",
            "--start",
            "2020-02-29",
            "--dup-rate",
            "0.5",
            "--sub-burst",
            "1",
            "--curly-rate",
            "1",
        ])
        .unwrap();
        let p = cli.gen.params();
        assert_eq!((p.articles, p.seed, p.threads, p.dup_rate, p.sub_burst), (5, 9, 3, 0.5, 1));
        assert_eq!(format_day(p.start_day), "2020-02-29");
        assert_eq!(p.curly_rate, 1.0);
    }

    #[test]
    fn bad_dates_are_rejected_by_the_parser() {
        assert!(Cli::try_parse_from(["gen", "--start", "2023-02-30"]).is_err());
        assert!(Cli::try_parse_from(["gen", "--start", "soon"]).is_err());
    }

    #[test]
    fn help_describes_every_knob() {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        let help = cmd.render_long_help().to_string();
        for flag in
            ["--articles", "--truth", "--dup-rate", "--series-rate", "--sub-burst", "--curly-rate"]
        {
            assert!(help.contains(flag), "{flag} missing from help");
        }
        for arg in cmd.get_arguments() {
            if arg.get_id() != "help" {
                assert!(arg.get_help().is_some(), "{} has no help", arg.get_id());
            }
        }
    }
}
