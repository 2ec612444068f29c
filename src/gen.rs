//! Seeded synthetic news corpora with ground truth for near-duplicates, events and story threads.
//!
//! **Output.** JSON Lines `{"id","title","text","source","url","published"}` (paragraphs joined
//! by `"\n\n"`, `published` in RFC 3339), and optionally three truth files, one line per
//! article in corpus order: `dups.tsv` (id, near-duplicate group), `events.tsv` (id, event) and
//! `stories.tsv` (id, story thread).
//!
//! **Model.** The corpus is cut into chunks of 1,000 articles; chunk *i* covers the *i*-th
//! equal slice of the date range and is filled, in this order, with story-thread meetings that
//! fall in its slice, fresh events, and singletons (articles on no event).
//! - *Vocabulary*: ~260 real English stop words with news-like frequencies (the head from
//!   corpus counts, the tail Zipfian) make up `stop_rate` (45 %) of running tokens; the rest are
//!   tens of thousands of pronounceable pseudo-words drawn from a Zipf–Mandelbrot law
//!   p(r) ∝ (r + q)^-s, shorter words at frequent ranks (Zipf's law of abbreviation). With q
//!   near the stop-word count the content words continue the global rank–frequency curve past
//!   the function words; vocabulary growth then follows Heaps' law. Named entities use a
//!   separate pool of capitalised names.
//! - *Articles*: lognormal length in words (median 600, clipped to 150..1,500); paragraphs of
//!   1–4 sentences of 8–35 words (sum of three uniforms, so ~21 on average), a one- or
//!   two-sentence lead naming the main entity, commas, and quoted speech attributed to an entity.
//! - *Events*: a date, 3–8 entities (1–3 name tokens), 5–15 mid-frequency keywords and 2–5
//!   numbers ("26 people", "$4.5 billion", "12.5%"), reported independently by 1–30 distinct
//!   outlets (power law) over a few days; each report is fresh text mentioning those at a few
//!   percent of positions, under its own headline with an entity and a keyword.
//! - *Syndication*: a share of reports get 1–10 copies (p ∝ 1/k) at other outlets within ~30
//!   hours, edited as wire copy is: word substitutions in short runs, a paragraph cut or added, a
//!   new headline, the last paragraph truncated, and the outlet's own furniture lines
//!   ("Advertisement", newsletter prompts...) inserted. Copies share their original's group.
//! - *Series*: some events recur weeks to months apart (the same body meeting again): mostly the
//!   same entities, new keywords and numbers. They are distinct events in one story thread.
//!   A series' schedule is a pure function of (seed, chunk it starts in), so any later chunk
//!   can find the meetings that land in its slice without shared state.
//!
//! **Determinism and cost.** Every chunk draws from its own generator seeded from (seed, chunk
//! index), chunks are generated in parallel and written in order, so the bytes depend on the
//! seed and parameters only, never on the thread count. Time is linear in the words written;
//! memory is a few chunks per thread (tens of MB) whatever `articles` is. Articles within a
//! chunk are sorted by publication time plus a few hours of jitter, so a corpus is roughly
//! chronological with local disorder, as real dumps are.
//!
//! **References.**
//! - G. K. Zipf, *Human Behavior and the Principle of Least Effort*, 1949 (rank–frequency law,
//!   law of abbreviation); B. Mandelbrot, "An informational theory of the statistical
//!   structure of language", 1953 (the (r + q)^-s form); H. S. Heaps, *Information Retrieval:
//!   Computational and Theoretical Aspects*, 1978 (vocabulary growth).
//! - P. Sobkowicz et al., "Lognormal distributions of user post lengths in Internet
//!   discussions", EPJ Data Science 2(2), 2013 (lognormal text lengths).
//! - D. Blackman, S. Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47(4),
//!   2021 (xoshiro256**); G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom number
//!   generators", OOPSLA 2014 (SplitMix64, used to seed it).
//! - M. D. Vose, "A linear algorithm for generating random numbers with a given distribution",
//!   IEEE TSE 17(9), 1991 (alias method); D. Lemire, "Fast random integer generation in an
//!   interval", ACM TOMACS 29(1), 2019.
//! - H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", 2013 (days to civil dates).

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};

/// The truth files [`generate`] writes into its truth directory: near-duplicate groups, events
/// and story threads, in that order. Named once here, so that callers checking the paths
/// before a run check the files the run writes.
pub const TRUTH_FILES: [&str; 3] = ["dups.tsv", "events.tsv", "stories.tsv"];

/// Articles per chunk: the unit of parallel work, of RNG streams and of local shuffling.
/// Part of the output format: changing it changes every corpus.
const CHUNK: u64 = 1000;
/// Minutes in a day; times are kept as minutes since 1970-01-01 UTC.
const DAY: f64 = 1440.0;
/// Publication times are sorted with up to this much noise (minutes), so neighbouring articles
/// are slightly out of order, as in scraped dumps.
const ORDER_JITTER: f64 = 360.0;

// RNG stream tags: each use of randomness gets its own stream so that adding draws in one
// place never shifts another.
const STREAM_LEXICON: u64 = 1;
const STREAM_OUTLETS: u64 = 2;
const STREAM_CHUNK: u64 = 3;
const STREAM_SERIES: u64 = 4;
const STREAM_SERIES_CAST: u64 = 5;
const STREAM_CALIBRATION: u64 = 6;

/// Every knob of the generator. Output is a function of these (except `threads`) and of the
/// crate version.
#[derive(Debug, Clone, PartialEq)]
pub struct GenParams {
    /// Articles to write (exact).
    pub articles: u64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Worker threads; 0 = all cores. Does not change the output.
    pub threads: usize,
    /// First day of the corpus, as days since 1970-01-01.
    pub start_day: i32,
    /// Length of the date range events are spread over, in days.
    pub days: u32,
    /// Number of content pseudo-words.
    pub vocab: u32,
    /// Number of name tokens entities are built from.
    pub names: u32,
    /// Zipf–Mandelbrot exponent s of content words.
    pub zipf_s: f64,
    /// Zipf–Mandelbrot rank offset q of content words.
    pub zipf_q: f64,
    /// Share of running tokens that are stop words.
    pub stop_rate: f64,
    /// Median article length in words.
    pub words_median: u32,
    /// Standard deviation of log article length.
    pub words_sigma: f64,
    /// Shortest article in words (lengths are clipped).
    pub words_min: u32,
    /// Longest article in words (lengths are clipped).
    pub words_max: u32,
    /// Chance that a word is followed by a comma.
    pub comma_rate: f64,
    /// Share of sentences that are quotes attributed to an entity.
    pub quote_rate: f64,
    /// Share of token positions holding one of the event's keywords.
    pub keyword_rate: f64,
    /// Share of token positions holding one of the event's entities.
    pub entity_rate: f64,
    /// Share of token positions holding one of the event's numbers.
    pub number_rate: f64,
    /// Most independent reports of one event.
    pub max_reports: u32,
    /// Power-law exponent of reports per event: p(k) ∝ k^-exponent.
    pub reports_exponent: f64,
    /// Reports of an event appear over this many days after it.
    pub spread_days: f64,
    /// Share of articles that are singletons (on no event).
    pub singleton_rate: f64,
    /// Share of reports that get syndicated copies.
    pub dup_rate: f64,
    /// Most copies of one report (copies per report: p(k) ∝ 1/k).
    pub max_copies: u32,
    /// Lowest share of a copy's words substituted.
    pub sub_min: f64,
    /// Highest share of a copy's words substituted.
    pub sub_max: f64,
    /// Substitutions come in runs of 1..=sub_burst consecutive words.
    pub sub_burst: u32,
    /// Chance that a copy gets a new headline.
    pub retitle_rate: f64,
    /// Chance that a copy loses a paragraph.
    pub para_cut_rate: f64,
    /// Chance that a copy gains a paragraph.
    pub para_add_rate: f64,
    /// Chance that a copy's last paragraph is truncated.
    pub truncate_rate: f64,
    /// Chance that an original article carries outlet furniture lines (copies always do).
    pub boilerplate_rate: f64,
    /// Share of events that belong to a multi-event story thread.
    pub series_rate: f64,
    /// Most events in one thread (at least 2).
    pub series_max_events: u32,
    /// Shortest gap between meetings of a thread, in days.
    pub series_gap_min: u32,
    /// Longest gap between meetings of a thread, in days.
    pub series_gap_max: u32,
    /// Number of outlets.
    pub outlets: u32,
    /// Share of outlets whose house style uses curly quotes.
    pub curly_rate: f64,
}

impl Default for GenParams {
    fn default() -> Self {
        GenParams {
            articles: 1000,
            seed: 42,
            threads: 0,
            start_day: 19358, // 2023-01-01
            days: 730,
            vocab: 50_000,
            names: 20_000,
            zipf_s: 1.05,
            zipf_q: 250.0,
            stop_rate: 0.45,
            words_median: 600,
            words_sigma: 0.4,
            words_min: 150,
            words_max: 1500,
            comma_rate: 0.06,
            quote_rate: 0.08,
            keyword_rate: 0.03,
            entity_rate: 0.025,
            number_rate: 0.004,
            max_reports: 30,
            reports_exponent: 1.3,
            spread_days: 3.0,
            singleton_rate: 0.2,
            dup_rate: 0.3,
            max_copies: 10,
            sub_min: 0.01,
            sub_max: 0.05,
            sub_burst: 3,
            retitle_rate: 0.3,
            para_cut_rate: 0.25,
            para_add_rate: 0.15,
            truncate_rate: 0.4,
            boilerplate_rate: 0.5,
            series_rate: 0.15,
            series_max_events: 5,
            series_gap_min: 14,
            series_gap_max: 120,
            outlets: 64,
            curly_rate: 0.25,
        }
    }
}

impl GenParams {
    /// Checks every knob; the error names the command-line flag at fault.
    pub fn validate(&self) -> Result<()> {
        fn rate(name: &str, v: f64) -> Result<()> {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::param(name, format!("must be between 0 and 1, got {v}")))
            }
        }
        fn within<T: PartialOrd + std::fmt::Display>(name: &str, v: T, lo: T, hi: T) -> Result<()> {
            if v >= lo && v <= hi {
                Ok(())
            } else {
                Err(Error::param(name, format!("must be between {lo} and {hi}, got {v}")))
            }
        }
        within("--articles", self.articles, 1, 100_000_000_000)?;
        within("--days", self.days, 1, 36_500)?;
        // Keep every timestamp within years 1..9999 so RFC 3339 stays four-digit.
        within("--start", self.start_day, -719_162, 2_932_896 - 36_500 - 400)?;
        within("--vocab", self.vocab, 1000, 2_000_000)?;
        within("--names", self.names, 100, 1_000_000)?;
        within("--zipf-s", self.zipf_s, 0.01, 5.0)?;
        within("--zipf-q", self.zipf_q, 0.0, 1e7)?;
        within("--stop-rate", self.stop_rate, 0.0, 0.95)?;
        within("--words-min", self.words_min, 1, 100_000)?;
        within("--words-max", self.words_max, self.words_min, 100_000)?;
        within("--words-median", self.words_median, self.words_min, self.words_max)?;
        within("--words-sigma", self.words_sigma, 0.0, 3.0)?;
        rate("--comma-rate", self.comma_rate)?;
        rate("--quote-rate", self.quote_rate)?;
        rate("--keyword-rate", self.keyword_rate)?;
        rate("--entity-rate", self.entity_rate)?;
        rate("--number-rate", self.number_rate)?;
        let mentions = self.keyword_rate + self.entity_rate + self.number_rate;
        if mentions > 0.5 {
            return Err(Error::param(
                "--keyword-rate",
                format!("--keyword-rate + --entity-rate + --number-rate must be at most 0.5, got {mentions}"),
            ));
        }
        within("--max-reports", self.max_reports, 1, 10_000)?;
        within("--reports-exponent", self.reports_exponent, 0.0, 10.0)?;
        within("--spread-days", self.spread_days, 0.0, 365.0)?;
        rate("--singleton-rate", self.singleton_rate)?;
        rate("--dup-rate", self.dup_rate)?;
        within("--max-copies", self.max_copies, 1, 10_000)?;
        within("--sub-min", self.sub_min, 0.0, 0.5)?;
        within("--sub-max", self.sub_max, self.sub_min, 0.5)?;
        within("--sub-burst", self.sub_burst, 1, 100)?;
        rate("--retitle-rate", self.retitle_rate)?;
        rate("--para-cut-rate", self.para_cut_rate)?;
        rate("--para-add-rate", self.para_add_rate)?;
        rate("--truncate-rate", self.truncate_rate)?;
        rate("--boilerplate-rate", self.boilerplate_rate)?;
        rate("--series-rate", self.series_rate)?;
        within("--series-max-events", self.series_max_events, 2, 1000)?;
        within("--series-gap-min", self.series_gap_min, 1, 3650)?;
        within("--series-gap-max", self.series_gap_max, self.series_gap_min, 3650)?;
        // Reports of one event are at distinct outlets, and so are the copies of one report.
        let need = self.max_reports.max(self.max_copies.saturating_add(1)).max(2);
        within("--outlets", self.outlets, need, 1_000_000).map_err(|e| match e {
            Error::InvalidParam { name, reason } => Error::param(
                name,
                format!("{reason} (needs at least --max-reports and more than --max-copies)"),
            ),
            other => other,
        })?;
        rate("--curly-rate", self.curly_rate)?;
        Ok(())
    }
}

/// What a run wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Articles written.
    pub articles: u64,
    /// Bytes of JSON Lines written (before compression).
    pub bytes: u64,
    /// Whitespace-separated words in article texts.
    pub words: u64,
    /// Events with at least one article (singletons not included).
    pub events: u64,
    /// Independently written reports on those events.
    pub reports: u64,
    /// Syndicated copies (articles that are near-duplicates of a report).
    pub copies: u64,
    /// Near-duplicate groups with more than one member.
    pub dup_groups: u64,
    /// Articles on no event.
    pub singletons: u64,
    /// Story threads begun (the first event of a series).
    pub series: u64,
    /// Events that belong to a series.
    pub series_events: u64,
}

impl GenStats {
    fn absorb(&mut self, o: &GenStats) {
        self.articles += o.articles;
        self.bytes += o.bytes;
        self.words += o.words;
        self.events += o.events;
        self.reports += o.reports;
        self.copies += o.copies;
        self.dup_groups += o.dup_groups;
        self.singletons += o.singletons;
        self.series += o.series;
        self.series_events += o.series_events;
    }
}

/// Writes a corpus of `params.articles` articles to `out` (named `out_name` in errors) and,
/// with `truth = Some(dir)`, creates `dir` with `dups.tsv`, `events.tsv` and `stories.tsv`.
/// `progress` is called on the calling thread with the number of articles written so far.
///
/// The bytes written depend only on `params` (not `threads`) and the crate version.
pub fn generate(
    params: &GenParams,
    out: &mut dyn Write,
    out_name: &str,
    truth: Option<&Path>,
    progress: &dyn Fn(u64),
) -> Result<GenStats> {
    params.validate()?;
    let shared = Shared::new(params.clone());
    let mut truth = truth.map(TruthFiles::create).transpose()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(params.threads)
        .thread_name(|i| format!("samestory-gen-{i}"))
        .build()
        .map_err(|e| Error::param("--threads", format!("cannot start threads: {e}")))?;
    // Enough chunks per batch to keep every thread busy while the writer drains the last one;
    // capped so memory stays at a few chunks per thread.
    let batch = (pool.current_num_threads() as u64 * 2).clamp(1, 64);
    let n_chunks = shared.n_chunks;

    let mut stats = GenStats::default();
    let mut event_base: Vec<u64> = Vec::new();
    let mut next_event = 0u64;
    let mut next_group = 0u64;

    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ChunkOut>>(1);
        let shared = &shared;
        let pool = &pool;
        let producer = scope.spawn(move || {
            let mut c = 0;
            while c < n_chunks {
                let end = (c + batch).min(n_chunks);
                let outs: Vec<ChunkOut> = pool.install(|| {
                    (c..end)
                        .into_par_iter()
                        .map_init(Scratch::default, |s, i| gen_chunk(shared, i, s))
                        .collect()
                });
                // The writer hung up (an output error): stop generating.
                if tx.send(outs).is_err() {
                    return;
                }
                c = end;
            }
        });
        // Called at once so that its borrow of `rx` ends before `rx` is dropped below.
        let res = (|| -> Result<()> {
            for outs in rx.iter() {
                for chunk in outs {
                    out.write_all(&chunk.json).map_err(|e| Error::io(out_name, e))?;
                    event_base.push(next_event);
                    if let Some(t) = truth.as_mut() {
                        t.write_chunk(&chunk, &event_base, next_group, shared.id_width)?;
                    }
                    next_event += u64::from(chunk.n_events);
                    next_group += u64::from(chunk.n_groups);
                    stats.absorb(&chunk.stats);
                    progress(stats.articles);
                }
            }
            Ok(())
        })();
        drop(rx);
        if let Err(panic) = producer.join() {
            std::panic::resume_unwind(panic);
        }
        res
    })?;
    out.flush().map_err(|e| Error::io(out_name, e))?;
    if let Some(t) = truth {
        t.finish()?;
    }
    Ok(stats)
}

// ---------------------------------------------------------------------------------------------
// Random numbers

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64. Small, fast, and good enough
/// for simulation; not for anything adversarial.
#[derive(Clone, Debug)]
struct Rng {
    s: [u64; 4],
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function: a bijective avalanche mix of 64 bits.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// An independent generator for (seed, stream, index).
    fn new(seed: u64, stream: u64, index: u64) -> Self {
        let key = mix64(mix64(seed ^ mix64(stream.wrapping_mul(GOLDEN))) ^ index);
        let mut sm = key;
        let mut next = || {
            sm = sm.wrapping_add(GOLDEN);
            mix64(sm)
        };
        // Four consecutive SplitMix64 outputs are distinct, so the state is never all zero.
        Rng { s: [next(), next(), next(), next()] }
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    #[inline]
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n) by multiply-shift (Lemire); the bias, at most n / 2^64, is far below
    /// anything a corpus could show.
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    #[inline]
    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in lo..=hi.
    #[inline]
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    #[inline]
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1], keeps ln finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Poisson: Knuth's product method for small means, a rounded normal beyond.
    fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 30.0 {
            let limit = (-lambda).exp();
            let mut k = 0;
            let mut p = self.unit();
            while p > limit {
                k += 1;
                p *= self.unit();
            }
            k
        } else {
            (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64
        }
    }

    /// floor(x) or ceil(x), with the chance of ceil equal to the fraction: exact on average.
    fn round_stochastic(&mut self, x: f64) -> u64 {
        let f = x.floor();
        f as u64 + u64::from(self.chance(x - f))
    }

    /// Index drawn with the given cumulative weights (last = total).
    fn pick_cumulative(&mut self, cum: &[f64]) -> usize {
        let u = self.unit() * cum[cum.len() - 1];
        cum.partition_point(|&c| c <= u).min(cum.len() - 1)
    }
}

/// Walker/Vose alias table: O(1) draws from a fixed discrete distribution.
struct Alias {
    /// (acceptance threshold on 32 random bits, alias)
    cells: Vec<(u32, u32)>,
}

impl Alias {
    fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut cells: Vec<(u32, u32)> = (0..n as u32).map(|i| (u32::MAX, i)).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            cells[s] = ((scaled[s] * 4_294_967_296.0).min(u32::MAX as f64) as u32, l as u32);
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Whatever is left is 1 up to rounding: always accept (alias points to itself).
        Alias { cells }
    }

    #[inline]
    fn sample(&self, rng: &mut Rng) -> u32 {
        let x = rng.next_u64();
        let i = (((x >> 32) * self.cells.len() as u64) >> 32) as usize;
        let (threshold, alias) = self.cells[i];
        if (x as u32) < threshold {
            i as u32
        } else {
            alias
        }
    }
}

/// Discrete power law on 1..=max: p(k) ∝ k^-exponent.
struct PowerLaw {
    cum: Vec<f64>,
}

impl PowerLaw {
    fn new(max: u32, exponent: f64) -> Self {
        let mut acc = 0.0;
        let cum = (1..=max.max(1))
            .map(|k| {
                acc += f64::from(k).powf(-exponent);
                acc
            })
            .collect();
        PowerLaw { cum }
    }

    fn sample(&self, rng: &mut Rng) -> u32 {
        rng.pick_cumulative(&self.cum) as u32 + 1
    }

    fn mean(&self) -> f64 {
        let total = self.cum[self.cum.len() - 1];
        let mut prev = 0.0;
        let mut m = 0.0;
        for (k, &c) in self.cum.iter().enumerate() {
            m += (k + 1) as f64 * (c - prev);
            prev = c;
        }
        m / total
    }
}

// ---------------------------------------------------------------------------------------------
// Lexicon

/// English function words, most frequent first, with rough counts per 1,000 tokens of news
/// text for the head (the, of, to, a, and, in make up ~18 % of running text).
#[rustfmt::skip]
const STOP_HEAD: [(&str, f64); 25] = [
    ("the", 58.0), ("of", 27.0), ("to", 26.0), ("a", 24.0), ("and", 23.0), ("in", 21.0), ("said", 9.0),
    ("for", 9.0), ("that", 9.0), ("is", 8.0), ("on", 8.0), ("was", 7.0), ("with", 6.5), ("he", 6.0),
    ("it", 6.0), ("at", 5.0), ("as", 5.0), ("by", 5.0), ("from", 4.5), ("his", 4.0), ("has", 4.0),
    ("have", 4.0), ("be", 4.0), ("are", 4.0), ("an", 3.5),
];

/// The rest, roughly by frequency; their weights continue the head's curve as 1/rank.
#[rustfmt::skip]
const STOP_TAIL: &[&str] = &[
    "not", "this", "but", "they", "were", "which", "will", "who", "had", "been", "or", "their",
    "its", "her", "after", "more", "would", "she", "we", "also", "there", "one", "when", "all",
    "about", "up", "new", "two", "can", "if", "out", "than", "other", "into", "over", "first", "i",
    "you", "so", "last", "no", "some", "them", "only", "year", "what", "time", "could", "just",
    "people", "like", "do", "him", "most", "our", "these", "any", "because", "now", "then", "how",
    "where", "may", "while", "years", "before", "such", "even", "three", "many", "those", "through",
    "between", "under", "both", "since", "during", "being", "did", "made", "back", "against",
    "well", "should", "each", "much", "very", "here", "off", "still", "down", "us", "me", "own",
    "same", "too", "again", "further", "once", "why", "your", "above", "below", "until", "upon",
    "within", "without", "among", "around", "across", "along", "toward", "behind", "beyond", "near",
    "nor", "yet", "every", "few", "less", "several", "another", "either", "whether", "though",
    "although", "unless", "whose", "however", "already", "almost", "always", "never", "often",
    "sometimes", "soon", "later", "early", "ever", "perhaps", "quite", "rather", "really", "indeed",
    "enough", "nearly", "via", "per", "amid", "despite", "except", "plus", "inside", "outside",
    "throughout", "beside", "anyone", "anything", "everyone", "everything", "someone", "something",
    "nothing", "must", "might", "shall", "cannot", "get", "got", "go", "went", "going", "come",
    "came", "make", "makes", "making", "take", "took", "taken", "say", "says", "told", "see", "saw",
    "seen", "know", "known", "think", "want", "use", "used", "find", "found", "give", "given",
    "put", "set", "keep", "seem", "become", "became", "according", "including", "percent", "four",
    "five", "six", "seven", "eight", "nine", "ten", "hundred", "thousand", "million", "billion",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "yesterday", "week", "month", "day", "days", "weeks", "months", "officials", "government",
    "state", "country", "city", "group", "part", "next", "way", "number", "public", "local",
];

const ONSETS: &[&str] = &[
    "", "", "", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
    "w", "z", "b", "d", "l", "m", "n", "r", "s", "t", "bl", "br", "ch", "cl", "cr", "dr", "fl",
    "fr", "gl", "gr", "pl", "pr", "sc", "sh", "sk", "sl", "sm", "sn", "sp", "st", "str", "th",
    "tr", "tw", "wh", "qu",
];
const NUCLEI: &[&str] = &[
    "a", "e", "i", "o", "u", "a", "e", "i", "o", "a", "e", "ea", "ai", "oo", "ou", "ie", "oa",
    "au", "y",
];
const CODAS: &[&str] = &[
    "", "", "", "", "", "n", "r", "s", "t", "l", "m", "d", "k", "n", "r", "s", "nd", "nt", "st",
    "ng", "rd", "rk", "ll", "ss", "ck", "sh", "th", "x", "ct", "mp", "ft", "lt",
];
/// Cumulative weights of 1..4 syllables in content words and in names.
const CONTENT_SYLLABLES: [f64; 4] = [0.3, 0.72, 0.92, 1.0];
const NAME_SYLLABLES: [f64; 4] = [0.15, 0.7, 0.95, 1.0];
const NAME_SUFFIXES: &[&str] = &[
    "son", "ton", "ov", "ova", "ski", "ez", "ia", "land", "burg", "stad", "ville", "berg", "ford",
    "wood", "ini", "ard",
];

fn pseudo_word(rng: &mut Rng, syllables: usize, out: &mut Vec<u8>) {
    for _ in 0..syllables {
        out.extend_from_slice(ONSETS[rng.index(ONSETS.len())].as_bytes());
        out.extend_from_slice(NUCLEI[rng.index(NUCLEI.len())].as_bytes());
        out.extend_from_slice(CODAS[rng.index(CODAS.len())].as_bytes());
    }
}

/// Pseudo-words are made by gluing syllables, which can stack a letter three times ("sss").
fn pronounceable(w: &[u8]) -> bool {
    !w.windows(3).any(|x| x[0] == x[1] && x[1] == x[2])
}

fn seen_set() -> HashSet<u64, ahash::RandomState> {
    // Fixed seeds: the set is only asked membership, but nothing here may depend on the process.
    HashSet::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4))
}

/// All word forms in one arena, ids in three ranges: stop words, content words (by frequency
/// rank), names (capitalised).
struct Lexicon {
    text: Vec<u8>,
    starts: Vec<u32>,
    n_stop: u32,
    n_content: u32,
    n_names: u32,
    /// Running-text distribution over stop and content ids.
    running: Alias,
    said: u32,
}

impl Lexicon {
    fn new(p: &GenParams) -> Self {
        let mut rng = Rng::new(p.seed, STREAM_LEXICON, 0);
        let mut seen = seen_set();
        let key = |w: &[u8]| xxhash_rust::xxh3::xxh3_64(&w.to_ascii_lowercase());
        let mut text = Vec::with_capacity((p.vocab as usize + p.names as usize) * 8);
        let mut starts = vec![0u32];
        let push = |text: &mut Vec<u8>, starts: &mut Vec<u32>, w: &[u8]| {
            text.extend_from_slice(w);
            starts.push(text.len() as u32);
        };

        let mut stop_weights = Vec::new();
        let mut said = 0;
        let head_last = STOP_HEAD[STOP_HEAD.len() - 1].1;
        let stops = STOP_HEAD.iter().copied().chain(STOP_TAIL.iter().enumerate().map(|(i, &w)| {
            let h = STOP_HEAD.len() as f64;
            (w, head_last * h / (h + 1.0 + i as f64))
        }));
        for (w, weight) in stops {
            if seen.insert(key(w.as_bytes())) {
                if w == "said" {
                    said = stop_weights.len() as u32;
                }
                push(&mut text, &mut starts, w.as_bytes());
                stop_weights.push(weight);
            }
        }
        let n_stop = stop_weights.len() as u32;

        let mut content: Vec<Vec<u8>> = Vec::with_capacity(p.vocab as usize);
        let mut w = Vec::new();
        while content.len() < p.vocab as usize {
            w.clear();
            let syllables = 1 + rng.pick_cumulative(&CONTENT_SYLLABLES);
            pseudo_word(&mut rng, syllables, &mut w);
            if w.len() >= 2 && pronounceable(&w) && seen.insert(key(&w)) {
                content.push(w.clone());
            }
        }
        // Law of abbreviation: frequent ranks go to shorter words, with noise so that length
        // does not determine rank.
        let sort_keys: Vec<f64> =
            content.iter().map(|w| w.len() as f64 + 1.5 * rng.normal()).collect();
        let mut order: Vec<usize> = (0..content.len()).collect();
        order.sort_by(|&a, &b| sort_keys[a].total_cmp(&sort_keys[b]).then(a.cmp(&b)));
        for &i in &order {
            push(&mut text, &mut starts, &content[i]);
        }

        let mut made = 0;
        while made < p.names {
            w.clear();
            let syllables = 1 + rng.pick_cumulative(&NAME_SYLLABLES);
            pseudo_word(&mut rng, syllables, &mut w);
            if rng.chance(0.2) {
                w.extend_from_slice(NAME_SUFFIXES[rng.index(NAME_SUFFIXES.len())].as_bytes());
            }
            if w.len() >= 3 && pronounceable(&w) && seen.insert(key(&w)) {
                w[0] = w[0].to_ascii_uppercase();
                push(&mut text, &mut starts, &w);
                made += 1;
            }
        }

        // Keywords, entities and numbers take some positions from running text; raise the stop
        // share of the rest so that stop words are `stop_rate` of all tokens. An entity mention
        // is 1.9 tokens on average.
        let mentions = p.keyword_rate + p.entity_rate + p.number_rate;
        let background = (1.0 - mentions) / (1.0 + 0.9 * p.entity_rate);
        let stop_share = (p.stop_rate / background).min(0.97);
        let stop_total: f64 = stop_weights.iter().sum();
        let mut weights: Vec<f64> =
            stop_weights.iter().map(|w| w / stop_total * stop_share).collect();
        let content_w: Vec<f64> =
            (1..=p.vocab).map(|r| (f64::from(r) + p.zipf_q).powf(-p.zipf_s)).collect();
        let content_total: f64 = content_w.iter().sum();
        weights.extend(content_w.iter().map(|w| w / content_total * (1.0 - stop_share)));

        Lexicon {
            text,
            starts,
            n_stop,
            n_content: p.vocab,
            n_names: p.names,
            running: Alias::new(&weights),
            said,
        }
    }

    #[inline]
    fn word(&self, id: u32) -> &[u8] {
        &self.text[self.starts[id as usize] as usize..self.starts[id as usize + 1] as usize]
    }

    fn content(&self, rank: u32) -> u32 {
        self.n_stop + rank
    }

    fn name(&self, i: u32) -> u32 {
        self.n_stop + self.n_content + i
    }

    /// A mid-frequency content word: uniform in log rank over ranks 100..20,000 (scaled to the
    /// vocabulary), frequent enough to look like a topic word, rare enough to be telling.
    fn keyword(&self, rng: &mut Rng) -> u32 {
        let lo = (f64::from(self.n_content) / 500.0).max(10.0).ln();
        let hi = (f64::from(self.n_content) * 0.4).ln();
        let rank = rng.uniform(lo, hi).exp() as u32;
        self.content(rank.min(self.n_content - 1))
    }
}

// ---------------------------------------------------------------------------------------------
// Outlets and their furniture

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    Top,
    Middle,
    End,
}

/// Page furniture scrapers leave in article text. `{name}`, `{short}`, `{domain}`, `{year}`
/// are filled per outlet, so each outlet's lines recur across its articles only.
const FURNITURE: &[(Place, &str)] = &[
    (Place::Middle, "Advertisement"),
    (Place::Middle, "ADVERTISEMENT"),
    (Place::Middle, "Story continues below advertisement"),
    (Place::Middle, "Continue reading the main story"),
    (Place::Middle, "Subscribe to our newsletter"),
    (Place::Middle, "Sign up for the {short} morning briefing"),
    (Place::Middle, "Read more from {name}"),
    (Place::Middle, "Related coverage"),
    (Place::Top, "Listen to this article"),
    (Place::Top, "Share this article"),
    (Place::Top, "Follow {short} on WhatsApp for breaking news"),
    (Place::End, "Copyright {year} {name}. All rights reserved."),
    (Place::End, "Support independent journalism. Subscribe to {name} today."),
    (Place::End, "Follow {name} on social media for the latest updates."),
    (Place::End, "Click here to get breaking news alerts."),
    (Place::End, "Have a news tip? Email us at tips@{domain}"),
    (Place::End, "This story was produced with wire service reports."),
    (Place::End, "Get the {short} app for the latest headlines."),
    (Place::End, "Sign up for the {short} daily newsletter here."),
];
/// The first entries of FURNITURE are the advertising/newsletter breaks every outlet has one of.
const FURNITURE_BREAKS: usize = 6;

#[rustfmt::skip]
const OUTLET_SUFFIXES: &[&str] = &[
    "Times", "Post", "Herald", "Tribune", "Gazette", "Chronicle", "Journal", "Observer", "Courier",
    "Dispatch", "Telegraph", "Record", "Star", "Sentinel", "Examiner", "Standard", "Mirror",
    "Express", "Daily", "News", "Wire", "Review", "Register", "Bulletin", "Inquirer", "Monitor",
    "Ledger", "Independent",
];
const TLDS: &[&str] = &[".com", ".com", ".com", ".co.uk", ".net", ".org", ".com.au", ".ca", ".ie"];
const SECTIONS: &[&str] = &[
    "world",
    "politics",
    "business",
    "national",
    "science",
    "health",
    "technology",
    "environment",
    "local",
    "sport",
];

struct Outlet {
    name: String,
    domain: String,
    url_style: u8,
    curly: bool,
    /// Indices into `Shared::furniture`.
    furniture: Vec<u32>,
}

struct Furniture {
    text: String,
    place: Place,
    words: u64,
}

fn build_outlets(p: &GenParams) -> (Vec<Outlet>, Vec<Furniture>) {
    let mut rng = Rng::new(p.seed, STREAM_OUTLETS, 0);
    let year = civil_from_days(i64::from(p.start_day)).0;
    let mut seen = seen_set();
    let mut outlets = Vec::with_capacity(p.outlets as usize);
    let mut furniture = Vec::new();
    let mut w = Vec::new();
    while outlets.len() < p.outlets as usize {
        w.clear();
        pseudo_word(&mut rng, 2, &mut w);
        let suffix = OUTLET_SUFFIXES[rng.index(OUTLET_SUFFIXES.len())];
        let mut key = w.clone();
        key.extend_from_slice(suffix.as_bytes());
        if w.len() < 4 || !seen.insert(xxhash_rust::xxh3::xxh3_64(&key)) {
            continue;
        }
        let short = {
            let mut s = String::from_utf8_lossy(&w).into_owned();
            s[..1].make_ascii_uppercase();
            s
        };
        let the = if rng.chance(0.8) { "The " } else { "" };
        let name = format!("{the}{short} {suffix}");
        let domain = format!(
            "{}{}{}",
            short.to_ascii_lowercase(),
            suffix.to_ascii_lowercase(),
            TLDS[rng.index(TLDS.len())]
        );
        let fill = |t: &str| {
            t.replace("{name}", &name)
                .replace("{short}", &short)
                .replace("{domain}", &domain)
                .replace("{year}", &year.to_string())
        };
        // One advertising break plus one to three other lines, all distinct.
        let mut picks = vec![rng.index(FURNITURE_BREAKS)];
        let extra = rng.between(1, 3) as usize;
        while picks.len() < 1 + extra {
            let k = rng.index(FURNITURE.len());
            if !picks.contains(&k) {
                picks.push(k);
            }
        }
        let mut own = Vec::with_capacity(picks.len());
        for k in picks {
            let (place, template) = FURNITURE[k];
            let text = fill(template);
            let words = text.split_whitespace().count() as u64;
            own.push(furniture.len() as u32);
            furniture.push(Furniture { text, place, words });
        }
        outlets.push(Outlet {
            name,
            domain,
            url_style: rng.below(4) as u8,
            curly: rng.chance(p.curly_rate),
            furniture: own,
        });
    }
    (outlets, furniture)
}

// ---------------------------------------------------------------------------------------------
// Shared, read-only state

struct Shared {
    p: GenParams,
    lex: Lexicon,
    outlets: Vec<Outlet>,
    furniture: Vec<Furniture>,
    reports: PowerLaw,
    copies: PowerLaw,
    n_chunks: u64,
    /// Corpus start and chunk width, in minutes.
    t0: f64,
    width: f64,
    id_width: usize,
    /// Expected articles one event yields (reports and their copies).
    articles_per_event: f64,
    /// Expected meetings of a series that fall inside the corpus.
    meetings_per_series: f64,
    comma_threshold: u64,
}

impl Shared {
    fn new(p: GenParams) -> Self {
        let lex = Lexicon::new(&p);
        let (outlets, furniture) = build_outlets(&p);
        let reports = PowerLaw::new(p.max_reports, p.reports_exponent);
        let copies = PowerLaw::new(p.max_copies, 1.0);
        let n_chunks = p.articles.div_ceil(CHUNK);
        let articles_per_event = reports.mean() * (1.0 + p.dup_rate * copies.mean());
        let meetings_per_series = meetings_inside(&p);
        Shared {
            t0: f64::from(p.start_day) * DAY,
            width: f64::from(p.days) * DAY / n_chunks as f64,
            id_width: p.articles.to_string().len(),
            comma_threshold: (p.comma_rate * 2048.0).round() as u64,
            lex,
            outlets,
            furniture,
            reports,
            copies,
            n_chunks,
            articles_per_event,
            meetings_per_series,
            p,
        }
    }

    fn chunk_len(&self, c: u64) -> u64 {
        CHUNK.min(self.p.articles - c * CHUNK)
    }

    fn window_start(&self, c: u64) -> f64 {
        self.t0 + c as f64 * self.width
    }

    /// The chunk whose time slice holds minute `t`, if any.
    fn chunk_at(&self, t: f64) -> Option<u64> {
        let c = ((t - self.t0) / self.width).floor();
        (c >= 0.0 && c < self.n_chunks as f64).then_some(c as u64)
    }

    /// Calls `f(j, k, t)` for meeting k of every series j that starts in chunk `anchor`.
    /// Draws are unconditional, so every chunk that replays an anchor sees the same schedule.
    fn series_schedule(&self, anchor: u64, mut f: impl FnMut(u32, u32, f64)) {
        let p = &self.p;
        if p.series_rate <= 0.0 {
            return;
        }
        let mut rng = Rng::new(p.seed, STREAM_SERIES, anchor);
        // New threads per chunk such that, over the corpus, series_rate of the events are
        // series meetings (meetings past the end of the corpus do not count).
        let events =
            self.chunk_len(anchor) as f64 * (1.0 - p.singleton_rate) / self.articles_per_event;
        let n = rng.poisson(p.series_rate * events / self.meetings_per_series);
        let start = self.window_start(anchor);
        for j in 0..n as u32 {
            let meetings = rng.between(2, p.series_max_events);
            let mut t = start + rng.unit() * self.width;
            for k in 0..meetings {
                if k > 0 {
                    t +=
                        rng.uniform(f64::from(p.series_gap_min), f64::from(p.series_gap_max)) * DAY;
                }
                f(j, k, t);
            }
        }
    }

    /// Anchors whose later meetings can land in chunk `c`.
    fn anchors_reaching(&self, c: u64) -> std::ops::RangeInclusive<u64> {
        let p = &self.p;
        let span = f64::from(p.series_max_events - 1) * f64::from(p.series_gap_max) * DAY;
        let back = (span / self.width).ceil() as u64 + 2;
        let skip = (f64::from(p.series_gap_min) * DAY / self.width).floor() as u64;
        let lo = c.saturating_sub(back);
        let hi = (c + 1).saturating_sub(skip).min(c);
        lo..=hi
    }

    fn body_words(&self, rng: &mut Rng) -> u32 {
        let p = &self.p;
        let w = f64::from(p.words_median) * (p.words_sigma * rng.normal()).exp();
        (w.round() as u32).clamp(p.words_min, p.words_max)
    }
}

/// Mean number of meetings of a series begun at a uniform time in the corpus that fall before
/// its end, by simulation (series can run for longer than a short corpus).
fn meetings_inside(p: &GenParams) -> f64 {
    const TRIALS: u32 = 4096;
    let mut rng = Rng::new(p.seed, STREAM_CALIBRATION, 0);
    let span = f64::from(p.days);
    let mut inside = 0u32;
    for _ in 0..TRIALS {
        let meetings = rng.between(2, p.series_max_events);
        let mut t = rng.unit() * span;
        for k in 0..meetings {
            if k > 0 {
                t += rng.uniform(f64::from(p.series_gap_min), f64::from(p.series_gap_max));
            }
            inside += u32::from(t < span);
        }
    }
    (f64::from(inside) / f64::from(TRIALS)).max(1.0)
}

// ---------------------------------------------------------------------------------------------
// Tokens and events

const LEX: u8 = 0;
const NUM: u8 = 1;
const FURN: u8 = 2;

const CAP: u8 = 1;
const COMMA: u8 = 2;
const PERIOD: u8 = 4;
/// A paragraph ends after this token.
const PARA: u8 = 8;
const OPEN_QUOTE: u8 = 16;
const CLOSE_QUOTE: u8 = 32;

/// One word (or number phrase, or furniture line) of an article, with the punctuation around
/// it. Articles are edited as token vectors and rendered once, so no word is ever allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tok {
    id: u32,
    kind: u8,
    flags: u8,
}

impl Tok {
    fn lex(id: u32) -> Self {
        Tok { id, kind: LEX, flags: 0 }
    }
}

/// What reports of one event mention.
#[derive(Default)]
struct Event {
    ent_toks: Vec<u32>,
    ent_ends: Vec<u32>,
    /// Cumulative mention weights: the first entity is the protagonist.
    ent_cum: Vec<f64>,
    keywords: Vec<u32>,
    num_text: Vec<u8>,
    num_ends: Vec<u32>,
}

impl Event {
    fn clear(&mut self) {
        self.ent_toks.clear();
        self.ent_ends.clear();
        self.ent_cum.clear();
        self.keywords.clear();
        self.num_text.clear();
        self.num_ends.clear();
    }

    fn n_entities(&self) -> usize {
        self.ent_ends.len()
    }

    fn entity(&self, k: usize) -> &[u32] {
        let start = if k == 0 { 0 } else { self.ent_ends[k - 1] as usize };
        &self.ent_toks[start..self.ent_ends[k] as usize]
    }

    fn push_entity(&mut self, toks: &[u32]) {
        self.ent_toks.extend_from_slice(toks);
        self.ent_ends.push(self.ent_toks.len() as u32);
        let prev = self.ent_cum.last().copied().unwrap_or(0.0);
        self.ent_cum.push(prev + 1.0 / self.ent_ends.len() as f64);
    }

    fn number(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.num_ends[k - 1] as usize };
        &self.num_text[start..self.num_ends[k] as usize]
    }

    fn new_entity(&mut self, lex: &Lexicon, rng: &mut Rng) {
        let n = 1 + rng.pick_cumulative(&[0.3, 0.8, 1.0]);
        let mut toks = [0u32; 3];
        for t in toks.iter_mut().take(n) {
            *t = lex.name(rng.below(u64::from(lex.n_names)) as u32);
        }
        self.push_entity(&toks[..n]);
    }

    fn fill_keywords(&mut self, lex: &Lexicon, rng: &mut Rng, n: u32) {
        for _ in 0..n {
            self.keywords.push(lex.keyword(rng));
        }
    }

    fn fill_numbers(&mut self, rng: &mut Rng, n: u32) {
        for _ in 0..n {
            push_number_phrase(rng, &mut self.num_text);
            self.num_ends.push(self.num_text.len() as u32);
        }
    }
}

const COUNT_UNITS: &[&str] = &[
    "people", "homes", "jobs", "troops", "patients", "students", "workers", "flights", "vehicles",
    "families", "cases", "members", "votes", "years", "days", "tonnes", "miles",
];

fn push_uint(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

fn push_padded(buf: &mut Vec<u8>, n: u64, width: usize) {
    let len = if n == 0 { 1 } else { n.ilog10() as usize + 1 };
    buf.resize(buf.len() + width.saturating_sub(len), b'0');
    push_uint(buf, n);
}

/// 12,345 style.
fn push_grouped(buf: &mut Vec<u8>, n: u64) {
    if n >= 1000 {
        push_grouped(buf, n / 1000);
        buf.push(b',');
        push_padded(buf, n % 1000, 3);
    } else {
        push_uint(buf, n);
    }
}

/// A number as news prints it: a count with a unit, money, or a percentage.
fn push_number_phrase(rng: &mut Rng, buf: &mut Vec<u8>) {
    match rng.below(6) {
        0..=2 => {
            let n = rng.uniform(2f64.ln(), 50_000f64.ln()).exp() as u64;
            push_grouped(buf, n);
            buf.push(b' ');
            buf.extend_from_slice(COUNT_UNITS[rng.index(COUNT_UNITS.len())].as_bytes());
        }
        3 | 4 => {
            buf.push(b'$');
            if rng.chance(0.5) {
                push_uint(buf, rng.between(1, 99).into());
                buf.push(b'.');
                push_uint(buf, rng.below(10));
            } else {
                push_uint(buf, rng.between(2, 900).into());
            }
            buf.extend_from_slice(if rng.chance(0.6) { b" million" } else { b" billion" });
        }
        _ => {
            push_uint(buf, rng.below(100));
            if rng.chance(0.5) {
                buf.push(b'.');
                push_uint(buf, rng.below(10));
            }
            buf.extend_from_slice(if rng.chance(0.6) { b"%" } else { b" percent" });
        }
    }
}

/// Fills `ev` for a fresh event (or, with `singleton`, for a one-off article).
fn new_event(lex: &Lexicon, rng: &mut Rng, ev: &mut Event, singleton: bool) {
    ev.clear();
    let (ents, kws, nums) = if singleton {
        (rng.between(1, 3), rng.between(3, 6), rng.between(0, 2))
    } else {
        (rng.between(3, 8), rng.between(5, 15), rng.between(2, 5))
    };
    for _ in 0..ents {
        ev.new_entity(lex, rng);
    }
    ev.fill_keywords(lex, rng, kws);
    ev.fill_numbers(rng, nums);
}

/// Fills `ev` for meeting `meeting` of a series whose fixed cast is `cast`: the protagonist
/// always, each other entity with p = 0.8, up to two newcomers; fresh keywords and numbers.
fn series_event(lex: &Lexicon, rng: &mut Rng, cast: &Event, meeting: u32, ev: &mut Event) {
    ev.clear();
    for k in 0..cast.n_entities() {
        if k == 0 || meeting == 0 || rng.chance(0.8) {
            ev.push_entity(cast.entity(k));
        }
    }
    for _ in 0..rng.between(0, 2) {
        ev.new_entity(lex, rng);
    }
    let kws = rng.between(5, 15);
    ev.fill_keywords(lex, rng, kws);
    let nums = rng.between(2, 5);
    ev.fill_numbers(rng, nums);
}

// ---------------------------------------------------------------------------------------------
// Writing text

fn push_entity(ev: &Event, k: usize, out: &mut Vec<Tok>) {
    out.extend(ev.entity(k).iter().map(|&id| Tok::lex(id)));
}

/// Appends one sentence; returns the number of tokens added.
fn sentence(sh: &Shared, rng: &mut Rng, ev: &Event, out: &mut Vec<Tok>, lead: bool) -> u32 {
    let p = &sh.p;
    let len = 8 + rng.below(10) + rng.below(10) + rng.below(10);
    let quote = !lead && ev.n_entities() > 0 && rng.chance(p.quote_rate);
    let body_len = if quote { len - 3 } else { len };
    // The lead names the protagonist and the topic early, as news leads do.
    let (lead_entity, lead_keyword) =
        if lead { (rng.below(3), 3 + rng.below(4)) } else { (u64::MAX, u64::MAX) };
    let kw = p.keyword_rate;
    let ent = kw + p.entity_rate;
    let num = ent + p.number_rate;
    let start = out.len();
    let mut i = 0u64;
    while i < body_len {
        let before = out.len();
        if i == lead_entity && ev.n_entities() > 0 {
            push_entity(ev, 0, out);
        } else if i == lead_keyword && !ev.keywords.is_empty() {
            out.push(Tok::lex(ev.keywords[0]));
        } else {
            let x = rng.next_u64();
            let u = (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            if u < kw && !ev.keywords.is_empty() {
                out.push(Tok::lex(ev.keywords[rng.index(ev.keywords.len())]));
            } else if u < ent && ev.n_entities() > 0 {
                push_entity(ev, rng.pick_cumulative(&ev.ent_cum), out);
            } else if u < num && !ev.num_ends.is_empty() {
                out.push(Tok { id: rng.index(ev.num_ends.len()) as u32, kind: NUM, flags: 0 });
            } else {
                out.push(Tok::lex(sh.lex.running.sample(rng)));
            }
            // The low bits of the class draw decide the comma: one draw, two independent uses.
            if (x & 0x7ff) < sh.comma_threshold && i > 1 && i + 2 < body_len {
                if let Some(t) = out.last_mut() {
                    t.flags |= COMMA;
                }
            }
        }
        i += (out.len() - before) as u64;
    }
    out[start].flags |= CAP;
    if quote {
        out[start].flags |= OPEN_QUOTE;
        if let Some(t) = out.last_mut() {
            t.flags = (t.flags & !PERIOD) | COMMA | CLOSE_QUOTE;
        }
        let who = rng.pick_cumulative(&ev.ent_cum);
        if rng.chance(0.7) {
            push_entity(ev, who, out);
            out.push(Tok::lex(sh.lex.said));
        } else {
            out.push(Tok::lex(sh.lex.said));
            push_entity(ev, who, out);
        }
    }
    if let Some(t) = out.last_mut() {
        t.flags = (t.flags & !COMMA) | PERIOD;
    }
    (out.len() - start) as u32
}

/// Cumulative weights of 1..4 sentences in a paragraph after the lead.
const PARA_SENTENCES: [f64; 4] = [0.3, 0.65, 0.9, 1.0];

fn write_body(sh: &Shared, rng: &mut Rng, ev: &Event, target: u32, out: &mut Vec<Tok>) {
    out.clear();
    let mut words = 0;
    let mut lead = true;
    while words < target {
        let n = if lead {
            1 + usize::from(rng.chance(0.4))
        } else {
            1 + rng.pick_cumulative(&PARA_SENTENCES)
        };
        for _ in 0..n {
            words += sentence(sh, rng, ev, out, lead);
            lead = false;
            if words >= target {
                break;
            }
        }
        if let Some(t) = out.last_mut() {
            t.flags |= PARA;
        }
    }
}

/// A 6–12 word headline holding an entity (usually the protagonist) and a keyword; headline
/// style drops most function words.
fn headline(sh: &Shared, rng: &mut Rng, ev: &Event, out: &mut Vec<Tok>) {
    out.clear();
    let n = rng.between(6, 12) as u64;
    let at_entity = rng.below(n);
    let at_keyword = (at_entity + 1 + rng.below(n - 1)) % n;
    for i in 0..n {
        if i == at_entity && ev.n_entities() > 0 {
            let k = if rng.chance(0.7) { 0 } else { rng.pick_cumulative(&ev.ent_cum) };
            push_entity(ev, k, out);
        } else if i == at_keyword && !ev.keywords.is_empty() {
            out.push(Tok::lex(ev.keywords[rng.index(ev.keywords.len())]));
        } else {
            let mut id = sh.lex.running.sample(rng);
            if id < sh.lex.n_stop && rng.chance(0.6) {
                id = sh.lex.running.sample(rng);
            }
            out.push(Tok::lex(id));
        }
    }
    out[0].flags |= CAP;
}

fn para_starts(toks: &[Tok], out: &mut Vec<usize>) {
    out.clear();
    if toks.is_empty() {
        return;
    }
    out.push(0);
    out.extend(
        toks.iter()
            .enumerate()
            .filter(|(i, t)| t.flags & PARA != 0 && i + 1 < toks.len())
            .map(|(i, _)| i + 1),
    );
}

/// Turns `edit` (a copy of the original body) into wire copy as another desk runs it.
fn edit_copy(sh: &Shared, rng: &mut Rng, ev: &Event, t: &mut Toks) {
    let p = &sh.p;
    let edit = &mut t.edit;

    // Substitutions in short runs: editors rework a phrase, not scattered single words.
    let rate = rng.uniform(p.sub_min, p.sub_max);
    let mut left = (rate * edit.len() as f64).round() as usize;
    if rate > 0.0 {
        left = left.max(1);
    }
    while left > 0 && !edit.is_empty() {
        let run = 1 + rng.index(p.sub_burst as usize);
        let pos = rng.index(edit.len());
        for tok in edit[pos..].iter_mut().take(run.min(left)) {
            tok.id = sh.lex.running.sample(rng);
            tok.kind = LEX;
            left -= 1;
        }
    }

    if rng.chance(p.para_cut_rate) {
        para_starts(edit, &mut t.starts);
        let np = t.starts.len();
        if np >= 3 {
            let k = 1 + rng.index(np - 1);
            let end = t.starts.get(k + 1).copied().unwrap_or(edit.len());
            edit.drain(t.starts[k]..end);
        }
    }

    if rng.chance(p.para_add_rate) {
        t.tmp.clear();
        for _ in 0..rng.between(1, 3) {
            sentence(sh, rng, ev, &mut t.tmp, false);
        }
        if let Some(last) = t.tmp.last_mut() {
            last.flags |= PARA;
        }
        para_starts(edit, &mut t.starts);
        let np = t.starts.len();
        // Never ahead of the lead.
        let k = 1 + rng.index(np.max(1));
        let at = t.starts.get(k).copied().unwrap_or(edit.len());
        edit.splice(at..at, t.tmp.iter().copied());
    }

    if rng.chance(p.truncate_rate) {
        para_starts(edit, &mut t.starts);
        let np = t.starts.len();
        if np >= 2 {
            let start = t.starts[np - 1];
            let len = edit.len() - start;
            if len >= 6 {
                let keep = ((len as f64 * rng.uniform(0.3, 0.8)) as usize).max(3);
                edit.truncate(start + keep);
                let opens = edit[start..].iter().filter(|t| t.flags & OPEN_QUOTE != 0).count();
                let closes = edit[start..].iter().filter(|t| t.flags & CLOSE_QUOTE != 0).count();
                if let Some(last) = edit.last_mut() {
                    last.flags = (last.flags & !COMMA) | PERIOD | PARA;
                    if opens > closes {
                        last.flags |= CLOSE_QUOTE;
                    }
                }
            }
        }
    }
}

/// Inserts `n` of the outlet's furniture lines where pages put them.
fn add_furniture(
    sh: &Shared,
    rng: &mut Rng,
    outlet: &Outlet,
    n: u32,
    toks: &mut Vec<Tok>,
    starts: &mut Vec<usize>,
) {
    for _ in 0..n {
        let id = outlet.furniture[rng.index(outlet.furniture.len())];
        let tok = Tok { id, kind: FURN, flags: PARA };
        match sh.furniture[id as usize].place {
            Place::Top => toks.insert(0, tok),
            Place::End => toks.push(tok),
            Place::Middle => {
                para_starts(toks, starts);
                if starts.len() >= 2 {
                    let at = starts[1 + rng.index(starts.len() - 1)];
                    toks.insert(at, tok);
                } else {
                    toks.push(tok);
                }
            }
        }
    }
}

/// Renders tokens as the inside of a JSON string; returns the number of words.
fn render_tokens(sh: &Shared, ev: &Event, toks: &[Tok], curly: bool, buf: &mut Vec<u8>) -> u64 {
    let (open, close): (&[u8], &[u8]) =
        if curly { ("\u{201c}".as_bytes(), "\u{201d}".as_bytes()) } else { (b"\\\"", b"\\\"") };
    let mut words = 0;
    let mut prev_flags = 0;
    for (i, t) in toks.iter().enumerate() {
        if i > 0 {
            if prev_flags & PARA != 0 {
                buf.extend_from_slice(b"\\n\\n");
            } else {
                buf.push(b' ');
            }
        }
        if t.flags & OPEN_QUOTE != 0 {
            buf.extend_from_slice(open);
        }
        let w = match t.kind {
            LEX => sh.lex.word(t.id),
            NUM => ev.number(t.id as usize),
            _ => sh.furniture[t.id as usize].text.as_bytes(),
        };
        if t.kind == LEX {
            words += 1;
        } else if t.kind == NUM {
            words += 1 + w.iter().filter(|&&b| b == b' ').count() as u64;
        } else {
            words += sh.furniture[t.id as usize].words;
        }
        if t.flags & CAP != 0 {
            if let Some((first, rest)) = w.split_first() {
                buf.push(first.to_ascii_uppercase());
                buf.extend_from_slice(rest);
            }
        } else {
            buf.extend_from_slice(w);
        }
        if t.flags & COMMA != 0 {
            buf.push(b',');
        }
        if t.flags & PERIOD != 0 {
            buf.push(b'.');
        }
        if t.flags & CLOSE_QUOTE != 0 {
            buf.extend_from_slice(close);
        }
        prev_flags = t.flags;
    }
    words
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn push_date(buf: &mut Vec<u8>, (y, m, d): (i64, u32, u32), sep: u8) {
    push_padded(buf, y.max(0) as u64, 4);
    buf.push(sep);
    push_padded(buf, u64::from(m), 2);
    buf.push(sep);
    push_padded(buf, u64::from(d), 2);
}

/// Lower-case title words joined by hyphens, as CMSs make URL slugs.
fn push_slug(sh: &Shared, ev: &Event, title: &[Tok], buf: &mut Vec<u8>) {
    for (i, t) in title.iter().take(8).enumerate() {
        if i > 0 {
            buf.push(b'-');
        }
        let w = if t.kind == NUM { ev.number(t.id as usize) } else { sh.lex.word(t.id) };
        for &b in w {
            if b.is_ascii_alphanumeric() {
                buf.push(b.to_ascii_lowercase());
            } else if b == b' ' {
                buf.push(b'-');
            }
        }
    }
}

fn push_url(
    sh: &Shared,
    rng: &mut Rng,
    ev: &Event,
    o: &Outlet,
    title: &[Tok],
    minute: i64,
    buf: &mut Vec<u8>,
) {
    let date = civil_from_days(minute.div_euclid(1440));
    let section = SECTIONS[rng.index(SECTIONS.len())].as_bytes();
    let num = rng.below(9_000_000) + 1_000_000;
    let https = |buf: &mut Vec<u8>, www: bool| {
        buf.extend_from_slice(if www { b"https://www." } else { b"https://" });
        buf.extend_from_slice(o.domain.as_bytes());
        buf.push(b'/');
    };
    match o.url_style {
        0 => {
            https(buf, true);
            push_date(buf, date, b'/');
            buf.push(b'/');
            buf.extend_from_slice(section);
            buf.push(b'/');
            push_slug(sh, ev, title, buf);
            buf.push(b'/');
        }
        1 => {
            https(buf, false);
            buf.extend_from_slice(b"news/");
            buf.extend_from_slice(section);
            buf.push(b'/');
            push_slug(sh, ev, title, buf);
            buf.push(b'-');
            push_uint(buf, num);
        }
        2 => {
            https(buf, true);
            buf.extend_from_slice(section);
            buf.push(b'/');
            push_date(buf, date, b'-');
            buf.push(b'/');
            push_slug(sh, ev, title, buf);
            buf.extend_from_slice(b".html");
        }
        _ => {
            https(buf, false);
            buf.extend_from_slice(b"article/");
            push_uint(buf, num);
            buf.push(b'/');
            push_slug(sh, ev, title, buf);
        }
    }
}

/// RFC 3339 at minute resolution, UTC.
fn push_timestamp(buf: &mut Vec<u8>, minute: i64) {
    push_date(buf, civil_from_days(minute.div_euclid(1440)), b'-');
    let m = minute.rem_euclid(1440) as u64;
    buf.push(b'T');
    push_padded(buf, m / 60, 2);
    buf.push(b':');
    push_padded(buf, m % 60, 2);
    buf.extend_from_slice(b":00Z");
}

// ---------------------------------------------------------------------------------------------
// Chunks

#[derive(Clone, Copy, Debug)]
enum Thread {
    /// The article's own event is its thread.
    Own,
    /// Series `index` begun in chunk `anchor`; its thread is named after its first event.
    Series { anchor: u64, index: u32 },
}

#[derive(Clone, Copy, Debug)]
struct Truth {
    event: u32,
    group: u32,
    thread: Thread,
}

struct Row {
    key: i64,
    start: usize,
    end: usize,
    truth: Truth,
}

/// A generated chunk: its JSON lines in output order, their labels (chunk-local numbering,
/// made global by the writer), and counts.
struct ChunkOut {
    first_article: u64,
    json: Vec<u8>,
    truth: Vec<Truth>,
    n_events: u32,
    n_groups: u32,
    stats: GenStats,
}

/// Token buffers reused across articles of a chunk.
#[derive(Default)]
struct Toks {
    body: Vec<Tok>,
    edit: Vec<Tok>,
    title: Vec<Tok>,
    title2: Vec<Tok>,
    tmp: Vec<Tok>,
    starts: Vec<usize>,
    perm: Vec<u32>,
    perm2: Vec<u32>,
}

/// Per-worker buffers. Nothing in here may carry over from one chunk to the next (the chunk a
/// worker did before depends on scheduling), so `gen_chunk` resets what it reads.
#[derive(Default)]
struct Scratch {
    ev: Event,
    cast: Event,
    toks: Toks,
    meetings: Vec<(u64, u32, u32, f64)>,
}

struct Builder {
    buf: Vec<u8>,
    rows: Vec<Row>,
    /// Articles this chunk gives to events (the rest are singletons).
    cap: u64,
    used: u64,
    next_group: u32,
    stats: GenStats,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        sh: &Shared,
        rng: &mut Rng,
        ev: &Event,
        outlet: u32,
        title: &[Tok],
        body: &[Tok],
        time: f64,
        truth: Truth,
    ) {
        let o = &sh.outlets[outlet as usize];
        let minute = time.floor() as i64;
        let start = self.buf.len();
        let buf = &mut self.buf;
        buf.extend_from_slice(b"\"title\":\"");
        render_tokens(sh, ev, title, o.curly, buf);
        buf.extend_from_slice(b"\",\"text\":\"");
        self.stats.words += render_tokens(sh, ev, body, o.curly, buf);
        buf.extend_from_slice(b"\",\"source\":\"");
        buf.extend_from_slice(o.name.as_bytes());
        buf.extend_from_slice(b"\",\"url\":\"");
        push_url(sh, rng, ev, o, title, minute, buf);
        buf.extend_from_slice(b"\",\"published\":\"");
        push_timestamp(buf, minute);
        buf.extend_from_slice(b"\"}\n");
        let key = (time + rng.unit() * ORDER_JITTER).floor() as i64;
        self.rows.push(Row { key, start, end: self.buf.len(), truth });
        self.stats.articles += 1;
    }
}

/// Writes the reports of one event (and their copies) until the chunk is full; returns the
/// number of articles written.
#[allow(clippy::too_many_arguments)]
fn emit_event(
    sh: &Shared,
    rng: &mut Rng,
    t: &mut Toks,
    ev: &Event,
    b: &mut Builder,
    time: f64,
    event: u32,
    thread: Thread,
    singleton: bool,
) -> u64 {
    let p = &sh.p;
    let n_outlets = sh.outlets.len();
    let n_reports = if singleton { 1 } else { sh.reports.sample(rng) as usize };
    let mut written = 0;
    for r in 0..n_reports {
        if !singleton && b.used >= b.cap {
            break;
        }
        // Partial Fisher–Yates: the reports of an event are at distinct outlets.
        let pick = r + rng.index(n_outlets - r);
        t.perm.swap(r, pick);
        let outlet = t.perm[r];
        let when = if singleton {
            time
        } else if r == 0 {
            time + rng.unit() * 360.0
        } else {
            let u = rng.unit();
            time + p.spread_days * DAY * u * u
        };
        let group = b.next_group;
        b.next_group += 1;
        let truth = Truth { event, group, thread };
        let words = sh.body_words(rng);
        write_body(sh, rng, ev, words, &mut t.body);
        headline(sh, rng, ev, &mut t.title);
        let mut copies =
            if !singleton && rng.chance(p.dup_rate) { u64::from(sh.copies.sample(rng)) } else { 0 };
        if !singleton {
            copies = copies.min(b.cap - b.used - 1);
        }

        t.edit.clear();
        t.edit.extend_from_slice(&t.body);
        if rng.chance(p.boilerplate_rate) {
            let n = rng.between(1, 2);
            add_furniture(sh, rng, &sh.outlets[outlet as usize], n, &mut t.edit, &mut t.starts);
        }
        b.push(sh, rng, ev, outlet, &t.title, &t.edit, when, truth);

        let mut taken = 0;
        for _ in 0..copies {
            let other = loop {
                let pick = taken + rng.index(n_outlets - taken);
                t.perm2.swap(taken, pick);
                taken += 1;
                if t.perm2[taken - 1] != outlet {
                    break t.perm2[taken - 1];
                }
            };
            let copy_time = when + 5.0 + rng.unit() * 30.0 * 60.0;
            t.edit.clear();
            t.edit.extend_from_slice(&t.body);
            edit_copy(sh, rng, ev, t);
            let retitle = rng.chance(p.retitle_rate);
            if retitle {
                headline(sh, rng, ev, &mut t.title2);
            }
            let n = rng.between(1, 3);
            add_furniture(sh, rng, &sh.outlets[other as usize], n, &mut t.edit, &mut t.starts);
            let title = if retitle { &t.title2 } else { &t.title };
            b.push(sh, rng, ev, other, title, &t.edit, copy_time, truth);
        }
        if !singleton {
            b.used += 1 + copies;
            b.stats.reports += 1;
            b.stats.copies += copies;
            b.stats.dup_groups += u64::from(copies > 0);
        }
        written += 1 + copies;
    }
    written
}

fn gen_chunk(sh: &Shared, c: u64, s: &mut Scratch) -> ChunkOut {
    let p = &sh.p;
    let mut rng = Rng::new(p.seed, STREAM_CHUNK, c);
    let n = sh.chunk_len(c);
    let start = sh.window_start(c);
    let n_outlets = sh.outlets.len() as u32;
    s.toks.perm.clear();
    s.toks.perm.extend(0..n_outlets);
    s.toks.perm2.clear();
    s.toks.perm2.extend(0..n_outlets);

    let singletons = rng.round_stochastic(n as f64 * p.singleton_rate).min(n);
    let mut b = Builder {
        buf: Vec::with_capacity(n as usize * (p.words_median as usize * 7 + 400)),
        rows: Vec::with_capacity(n as usize),
        cap: n - singletons,
        used: 0,
        next_group: 0,
        stats: GenStats::default(),
    };

    // Series meetings landing here: threads begun in this chunk first (their first events take
    // local ids 0..k, which is how later chunks name the thread), then later meetings of
    // threads begun here or earlier.
    s.meetings.clear();
    let mut n_new = 0;
    sh.series_schedule(c, |j, k, t| {
        if k == 0 {
            n_new += 1;
            s.meetings.push((c, j, 0, t));
        }
    });
    for a in sh.anchors_reaching(c) {
        sh.series_schedule(a, |j, k, t| {
            if k > 0 && sh.chunk_at(t) == Some(c) {
                s.meetings.push((a, j, k, t));
            }
        });
    }
    let mut next_event = 0u32;
    for &(anchor, j, k, t) in &s.meetings {
        let event = next_event;
        next_event += 1;
        if b.used >= b.cap {
            continue;
        }
        let mut cast_rng = Rng::new(p.seed, STREAM_SERIES_CAST, (anchor << 24) ^ u64::from(j));
        new_event(&sh.lex, &mut cast_rng, &mut s.cast, false);
        series_event(&sh.lex, &mut rng, &s.cast, k, &mut s.ev);
        let thread = Thread::Series { anchor, index: j };
        if emit_event(sh, &mut rng, &mut s.toks, &s.ev, &mut b, t, event, thread, false) > 0 {
            b.stats.events += 1;
            b.stats.series_events += 1;
            b.stats.series += u64::from(k == 0);
        }
    }
    debug_assert!(s.meetings.iter().take(n_new).all(|m| m.2 == 0));

    while b.used < b.cap {
        let event = next_event;
        next_event += 1;
        new_event(&sh.lex, &mut rng, &mut s.ev, false);
        let t = start + rng.unit() * sh.width;
        if emit_event(sh, &mut rng, &mut s.toks, &s.ev, &mut b, t, event, Thread::Own, false) > 0 {
            b.stats.events += 1;
        }
    }
    for _ in 0..singletons {
        let event = next_event;
        next_event += 1;
        new_event(&sh.lex, &mut rng, &mut s.ev, true);
        let t = start + rng.unit() * sh.width;
        emit_event(sh, &mut rng, &mut s.toks, &s.ev, &mut b, t, event, Thread::Own, true);
        b.stats.singletons += 1;
    }

    // Roughly chronological, ids in output order.
    let mut order: Vec<u32> = (0..b.rows.len() as u32).collect();
    order.sort_by_key(|&i| (b.rows[i as usize].key, i));
    let first_article = c * CHUNK;
    let mut json = Vec::with_capacity(b.buf.len() + b.rows.len() * (sh.id_width + 12));
    let mut truth = Vec::with_capacity(b.rows.len());
    for (pos, &i) in order.iter().enumerate() {
        let row = &b.rows[i as usize];
        json.extend_from_slice(b"{\"id\":\"a");
        push_padded(&mut json, first_article + pos as u64 + 1, sh.id_width);
        json.extend_from_slice(b"\",");
        json.extend_from_slice(&b.buf[row.start..row.end]);
        truth.push(row.truth);
    }
    b.stats.bytes = json.len() as u64;
    ChunkOut {
        first_article,
        json,
        truth,
        n_events: next_event,
        n_groups: b.next_group,
        stats: b.stats,
    }
}

// ---------------------------------------------------------------------------------------------
// Truth files

struct TruthFile {
    path: PathBuf,
    w: BufWriter<File>,
    line: Vec<u8>,
}

impl TruthFile {
    fn create(dir: &Path, name: &str) -> Result<Self> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(TruthFile { w: BufWriter::with_capacity(1 << 16, file), path, line: Vec::new() })
    }

    fn flush_lines(&mut self) -> Result<()> {
        self.w.write_all(&self.line).map_err(|e| Error::io(&self.path, e))?;
        self.line.clear();
        Ok(())
    }
}

struct TruthFiles {
    dups: TruthFile,
    events: TruthFile,
    stories: TruthFile,
}

impl TruthFiles {
    fn create(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let [dups, events, stories] = TRUTH_FILES;
        Ok(TruthFiles {
            dups: TruthFile::create(dir, dups)?,
            events: TruthFile::create(dir, events)?,
            stories: TruthFile::create(dir, stories)?,
        })
    }

    /// `event_base[c]` is the global number of chunk c's first event (this chunk's included).
    fn write_chunk(
        &mut self,
        chunk: &ChunkOut,
        event_base: &[u64],
        group_base: u64,
        width: usize,
    ) -> Result<()> {
        let ebase = event_base[event_base.len() - 1];
        for (pos, t) in chunk.truth.iter().enumerate() {
            let id = chunk.first_article + pos as u64 + 1;
            for (file, prefix, n) in [
                (&mut self.dups.line, b'g', group_base + u64::from(t.group)),
                (&mut self.events.line, b'e', ebase + u64::from(t.event)),
                (
                    &mut self.stories.line,
                    b'e',
                    match t.thread {
                        Thread::Own => ebase + u64::from(t.event),
                        Thread::Series { anchor, index } => {
                            event_base[anchor as usize] + u64::from(index)
                        }
                    },
                ),
            ] {
                // Ids are `a` and digits, which `tsv::escape` leaves as they are, so these lines
                // are what `--format tsv` would write and `eval` reads them back unchanged.
                file.push(b'a');
                push_padded(file, id, width);
                file.push(b'\t');
                file.push(prefix);
                push_uint(file, n);
                file.push(b'\n');
            }
        }
        self.dups.flush_lines()?;
        self.events.flush_lines()?;
        self.stories.flush_lines()
    }

    fn finish(self) -> Result<()> {
        for mut f in [self.dups, self.events, self.stories] {
            f.w.flush().map_err(|e| Error::io(&f.path, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn small(articles: u64) -> GenParams {
        GenParams { articles, vocab: 5000, names: 2000, ..GenParams::default() }
    }

    struct Corpus {
        bytes: Vec<u8>,
        docs: Vec<serde_json::Value>,
        /// id -> (group, event, thread)
        truth: HashMap<String, (String, String, String)>,
        /// truth files' raw contents
        files: Vec<String>,
        stats: GenStats,
    }

    fn generate_corpus(p: &GenParams) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        let stats = generate(p, &mut bytes, "mem", Some(dir.path()), &|_| {}).unwrap();
        let docs = bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        let files: Vec<String> =
            TRUTH_FILES.iter().map(|f| fs::read_to_string(dir.path().join(f)).unwrap()).collect();
        let mut truth = HashMap::new();
        let split = |s: &str| -> Vec<(String, String)> {
            s.lines()
                .map(|l| {
                    let (a, b) = l.split_once('\t').unwrap();
                    (a.to_string(), b.to_string())
                })
                .collect()
        };
        let (g, e, t) = (split(&files[0]), split(&files[1]), split(&files[2]));
        for ((g, e), t) in g.iter().zip(&e).zip(&t) {
            assert!(g.0 == e.0 && e.0 == t.0, "truth files disagree on order");
            assert_eq!(crate::tsv::escape(&g.0), g.0, "truth ids need no escaping");
            truth.insert(g.0.clone(), (g.1.clone(), e.1.clone(), t.1.clone()));
        }
        Corpus { bytes, docs, truth, files, stats }
    }

    fn field<'a>(d: &'a serde_json::Value, f: &str) -> &'a str {
        d[f].as_str().unwrap_or_else(|| panic!("{f} missing or not a string in {d}"))
    }

    fn shingles(text: &str, k: usize) -> HashSet<Vec<String>> {
        let w: Vec<String> = text.to_lowercase().split_whitespace().map(str::to_string).collect();
        w.windows(k.min(w.len())).map(<[String]>::to_vec).collect()
    }

    fn jaccard(a: &HashSet<Vec<String>>, b: &HashSet<Vec<String>>) -> f64 {
        a.intersection(b).count() as f64 / a.union(b).count().max(1) as f64
    }

    #[test]
    fn xoshiro_matches_reference_output() {
        // First outputs of xoshiro256** from state [1, 2, 3, 4], as in the reference C code.
        let mut rng = Rng { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
        assert_eq!(got, [11520, 0, 1509978240, 1215971899390074240]);
    }

    #[test]
    fn streams_are_independent_and_reproducible() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, 1, 0).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let firsts: HashSet<u64> =
            (0..1000).map(|i| Rng::new(7, STREAM_CHUNK, i).next_u64()).collect();
        assert_eq!(firsts.len(), 1000);
        assert_ne!(Rng::new(7, 1, 0).next_u64(), Rng::new(7, 2, 0).next_u64());
        assert_ne!(Rng::new(7, 1, 0).next_u64(), Rng::new(8, 1, 0).next_u64());
    }

    #[test]
    fn samplers_follow_their_distributions() {
        let mut rng = Rng::new(1, 99, 0);
        let alias = Alias::new(&[1.0, 2.0, 0.0, 5.0]);
        let mut counts = [0u32; 4];
        for _ in 0..80_000 {
            counts[alias.sample(&mut rng) as usize] += 1;
        }
        assert_eq!(counts[2], 0);
        for (c, want) in counts.iter().zip([10_000.0, 20_000.0, 0.0, 50_000.0]) {
            assert!((f64::from(*c) - want).abs() <= 0.03 * 80_000.0, "{counts:?}");
        }
        let law = PowerLaw::new(10, 1.0);
        let mean = (0..50_000).map(|_| f64::from(law.sample(&mut rng))).sum::<f64>() / 50_000.0;
        assert!((mean - law.mean()).abs() < 0.1, "{mean} vs {}", law.mean());
        assert!((law.mean() - 10.0 / 2.928_968).abs() < 1e-3);
        let poisson = (0..20_000).map(|_| rng.poisson(3.5) as f64).sum::<f64>() / 20_000.0;
        assert!((poisson - 3.5).abs() < 0.1, "{poisson}");
    }

    #[test]
    fn civil_dates_match_chrono() {
        for days in (-719_162..2_932_896).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            let want = crate::article::format_date(days as i32);
            assert_eq!(format!("{y:04}-{m:02}-{d:02}"), want, "{days}");
        }
        let mut buf = Vec::new();
        push_timestamp(&mut buf, 19_452 * 1440 + 14 * 60 + 10);
        assert_eq!(buf, b"2023-04-05T14:10:00Z");
        buf.clear();
        push_grouped(&mut buf, 1_234_005);
        assert_eq!(buf, b"1,234,005");
    }

    #[test]
    fn same_bytes_for_any_thread_count_and_run() {
        let base = GenParams { threads: 1, ..small(2500) };
        let one = generate_corpus(&base);
        for threads in [2, 3, 1] {
            let other = generate_corpus(&GenParams { threads, ..base.clone() });
            assert!(one.bytes == other.bytes, "corpus differs with {threads} threads");
            assert_eq!(one.files, other.files, "truth differs with {threads} threads");
            assert_eq!(one.stats, other.stats);
        }
        let reseeded = generate_corpus(&GenParams { seed: base.seed + 1, ..base.clone() });
        assert!(one.bytes != reseeded.bytes);
    }

    #[test]
    fn exact_count_and_sequential_padded_ids() {
        for n in [1, 7, 999, 1000, 1001, 2345] {
            let c = generate_corpus(&small(n));
            assert_eq!(c.docs.len() as u64, n);
            assert_eq!(c.stats.articles, n);
            assert_eq!(c.stats.bytes, c.bytes.len() as u64);
            let width = n.to_string().len();
            for (i, d) in c.docs.iter().enumerate() {
                assert_eq!(field(d, "id"), format!("a{:0width$}", i + 1));
            }
            for f in &c.files {
                assert_eq!(f.lines().count() as u64, n);
            }
            let s = &c.stats;
            assert_eq!(s.reports + s.copies + s.singletons, n, "{s:?}");
        }
    }

    #[test]
    fn records_have_every_field_in_news_shape() {
        let c = generate_corpus(&small(1500));
        let line = c.bytes.split(|&b| b == b'\n').next().unwrap();
        assert!(
            line.starts_with(b"{\"id\":\"a0001\",\"title\":\""),
            "{}",
            String::from_utf8_lossy(line)
        );
        let mut sources = HashSet::new();
        for d in &c.docs {
            let obj = d.as_object().unwrap();
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            assert_eq!(keys.len(), 6, "{keys:?}");
            let title = field(d, "title");
            assert!(title.split(' ').count() >= 6 && !title.ends_with('.'), "{title}");
            assert!(title.chars().next().unwrap().is_uppercase(), "{title}");
            let text = field(d, "text");
            assert!(!text.contains("\n\n\n") && !text.starts_with('\n') && !text.ends_with('\n'));
            assert!(text.contains("\n\n"));
            for para in text.split("\n\n") {
                assert!(!para.is_empty() && !para.contains('\n'));
                let first = para.chars().next().unwrap();
                assert!(
                    first.is_uppercase() || first.is_ascii_digit() || "$\"\u{201c}".contains(first),
                    "{para}"
                );
            }
            let published = field(d, "published");
            assert_eq!(published.len(), 20, "{published}");
            assert!(chrono::DateTime::parse_from_rfc3339(published).is_ok(), "{published}");
            assert!(crate::article::parse_date(published).is_some());
            let url = field(d, "url");
            assert!(
                url.starts_with("https://") && !url.contains(' ') && !url.contains("--"),
                "{url}"
            );
            sources.insert(field(d, "source").to_string());
        }
        assert!(sources.len() >= 60, "{}", sources.len());
        assert!(sources.iter().any(|s| s.starts_with("The ")));
    }

    #[test]
    fn truth_labels_are_consistent() {
        let p = small(6000);
        let c = generate_corpus(&p);
        assert_eq!(c.truth.len(), c.docs.len());
        let mut group_event: HashMap<&str, &str> = HashMap::new();
        let mut event_thread: HashMap<&str, &str> = HashMap::new();
        let mut group_size: HashMap<&str, usize> = HashMap::new();
        let mut event_size: HashMap<&str, usize> = HashMap::new();
        let mut thread_events: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut group_docs: HashMap<&str, Vec<&serde_json::Value>> = HashMap::new();
        for d in &c.docs {
            let (g, e, t) = &c.truth[field(d, "id")];
            assert!(g.starts_with('g') && e.starts_with('e') && t.starts_with('e'));
            // Copies share their original's event; events lie in one thread.
            assert_eq!(*group_event.entry(g).or_insert(e), e.as_str(), "group {g} spans events");
            assert_eq!(*event_thread.entry(e).or_insert(t), t.as_str(), "event {e} spans threads");
            *group_size.entry(g).or_default() += 1;
            *event_size.entry(e).or_default() += 1;
            thread_events.entry(t).or_default().insert(e);
            group_docs.entry(g).or_default().push(d);
        }
        let multi = group_size.values().filter(|&&n| n > 1).count() as u64;
        assert_eq!(multi, c.stats.dup_groups);
        let singles = event_size.values().filter(|&&n| n == 1).count() as u64;
        assert!(singles >= c.stats.singletons);
        let share = c.stats.singletons as f64 / p.articles as f64;
        assert!((share - p.singleton_rate).abs() < 0.02, "{share}");

        // A thread with several events is a series; any other thread is its own event.
        let mut series_events = 0;
        for (t, events) in &thread_events {
            if events.len() > 1 {
                series_events += events.len();
            } else {
                assert!(events.contains(t), "thread {t} names another event");
            }
        }
        assert!(series_events > 0);
        let series_share = series_events as f64 / c.stats.events as f64;
        assert!((0.05..0.3).contains(&series_share), "{series_share}");

        // Copies are at distinct outlets within ~30 hours of each other.
        for docs in group_docs.values().filter(|d| d.len() > 1) {
            let sources: HashSet<&str> = docs.iter().map(|d| field(d, "source")).collect();
            assert_eq!(sources.len(), docs.len());
            let times: Vec<i64> = docs
                .iter()
                .map(|d| {
                    chrono::DateTime::parse_from_rfc3339(field(d, "published")).unwrap().timestamp()
                })
                .collect();
            let span = times.iter().max().unwrap() - times.iter().min().unwrap();
            assert!(span <= 31 * 3600, "copies {span} s apart");
        }
    }

    #[test]
    fn copies_are_near_duplicates_and_events_are_not() {
        let c = generate_corpus(&small(3000));
        let mut by_group: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut by_event: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
        for d in &c.docs {
            let (g, e, _) = &c.truth[field(d, "id")];
            by_group.entry(g).or_default().push(field(d, "text"));
            by_event.entry(e).or_default().push((g, field(d, "text")));
        }
        let mut dup = Vec::new();
        for texts in by_group.values().filter(|t| t.len() > 1) {
            dup.push(jaccard(&shingles(texts[0], 5), &shingles(texts[1], 5)));
        }
        dup.sort_by(f64::total_cmp);
        let median = dup[dup.len() / 2];
        assert!(
            dup[dup.len() / 20] > 0.3 && (0.5..0.95).contains(&median),
            "near-dup J median {median}"
        );
        // Independent reports of one event share words but not passages.
        let mut same_event = Vec::new();
        for reports in by_event.values() {
            let firsts: Vec<&str> =
                reports.iter().filter(|r| r.0 != reports[0].0).map(|r| r.1).take(1).collect();
            if let Some(other) = firsts.first() {
                same_event.push(jaccard(&shingles(reports[0].1, 5), &shingles(other, 5)));
            }
        }
        assert!(!same_event.is_empty());
        assert!(same_event.iter().all(|&j| j < 0.05), "{same_event:?}");
    }

    #[test]
    fn text_statistics_look_like_news() {
        let c = generate_corpus(&GenParams { articles: 2000, ..GenParams::default() });
        let mut lengths: Vec<usize> =
            c.docs.iter().map(|d| field(d, "text").split_whitespace().count()).collect();
        lengths.sort_unstable();
        let median = lengths[lengths.len() / 2];
        assert!((520..720).contains(&median), "median {median} words");
        assert!(lengths[lengths.len() / 20] > 200 && lengths[lengths.len() * 19 / 20] < 1600);

        let stop: HashSet<&str> =
            STOP_HEAD.iter().map(|s| s.0).chain(STOP_TAIL.iter().copied()).collect();
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut total = 0;
        for d in c.docs.iter().take(500) {
            for w in field(d, "text").split_whitespace() {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
                *counts.entry(w).or_default() += 1;
                total += 1;
            }
        }
        let stops: usize =
            counts.iter().filter(|(w, _)| stop.contains(w.as_str())).map(|(_, n)| n).sum();
        let share = stops as f64 / total as f64;
        assert!((0.40..0.50).contains(&share), "stop share {share}");
        let mut ranked: Vec<(&String, &usize)> = counts.iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        assert_eq!(ranked[0].0, "the");
        let the = *ranked[0].1 as f64 / total as f64;
        assert!((0.04..0.07).contains(&the), "{the}");
        // Many types, most of them rare (Zipf/Heaps): a long tail of hapaxes.
        let hapax = counts.values().filter(|&&n| n == 1).count();
        assert!(
            counts.len() > 5000 && hapax * 5 > counts.len(),
            "{} types, {hapax} hapaxes",
            counts.len()
        );
    }

    #[test]
    fn furniture_recurs_per_outlet() {
        let p = small(3000);
        let sh = Shared::new(p.clone());
        let lines: HashSet<&str> = sh.furniture.iter().map(|f| f.text.as_str()).collect();
        let c = generate_corpus(&p);
        let mut per_source: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut with = 0;
        for d in &c.docs {
            let found: Vec<&str> =
                field(d, "text").split("\n\n").filter(|para| lines.contains(para)).collect();
            with += usize::from(!found.is_empty());
            per_source.entry(field(d, "source")).or_default().extend(found);
        }
        assert!(with * 3 > c.docs.len(), "{with} articles with furniture");
        assert!(per_source.values().all(|f| f.len() <= 4));
        let shared_lines = per_source.values().flatten().filter(|l| **l == "Advertisement").count();
        assert!(shared_lines > 1, "the plain ad break should be common to several outlets");
    }

    #[test]
    fn reports_mention_their_event() {
        let p = small(10);
        let sh = Shared::new(p.clone());
        let mut rng = Rng::new(5, 77, 0);
        let mut ev = Event::default();
        new_event(&sh.lex, &mut rng, &mut ev, false);
        let mut body = Vec::new();
        write_body(&sh, &mut rng, &ev, 20_000, &mut body);
        let keywords: HashSet<u32> = ev.keywords.iter().copied().collect();
        let kw = body.iter().filter(|t| t.kind == LEX && keywords.contains(&t.id)).count() as f64;
        let nums = body.iter().filter(|t| t.kind == NUM).count() as f64;
        let n = body.len() as f64;
        assert!((0.02..0.05).contains(&(kw / n)), "keyword share {}", kw / n);
        assert!((0.002..0.008).contains(&(nums / n)), "number share {}", nums / n);
        let protagonist = ev.entity(0)[0];
        assert!(body.iter().take(40).any(|t| t.id == protagonist), "lead lacks the protagonist");
        let mut title = Vec::new();
        for _ in 0..50 {
            headline(&sh, &mut rng, &ev, &mut title);
            assert!(title.iter().any(|t| keywords.contains(&t.id)));
            assert!((0..ev.n_entities()).any(|k| title.iter().any(|t| t.id == ev.entity(k)[0])));
        }
    }

    #[test]
    fn series_events_share_cast_not_event() {
        let c = generate_corpus(&GenParams { series_rate: 0.5, ..small(4000) });
        let mut events: HashMap<&str, Vec<&serde_json::Value>> = HashMap::new();
        let mut threads: HashMap<&str, HashSet<&str>> = HashMap::new();
        for d in &c.docs {
            let (_, e, t) = &c.truth[field(d, "id")];
            events.entry(e).or_default().push(d);
            threads.entry(t).or_default().insert(e);
        }
        // Capitalised words inside sentences are entity names.
        let names = |docs: &[&serde_json::Value]| -> HashSet<String> {
            docs.iter()
                .flat_map(|d| {
                    field(d, "text")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .windows(2)
                        .filter(|w| !w[0].ends_with('.') && !w[0].ends_with('"'))
                        .map(|w| w[1].trim_matches(|c: char| !c.is_alphanumeric()).to_string())
                        .collect::<Vec<_>>()
                })
                .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                .collect()
        };
        let first_day = |docs: &[&serde_json::Value]| {
            docs.iter().map(|d| &field(d, "published")[..10]).min().unwrap().to_string()
        };
        let mut checked = 0;
        for evs in threads.values().filter(|e| e.len() > 1) {
            let evs: Vec<&str> = evs.iter().copied().collect();
            let (a, b) = (&events[evs[0]], &events[evs[1]]);
            assert_ne!(first_day(a), first_day(b), "series meetings on one day");
            let (na, nb) = (names(a), names(b));
            assert!(na.intersection(&nb).count() >= 2, "series events share no cast");
            checked += 1;
        }
        assert!(checked >= 5, "{checked} series checked");
    }

    #[test]
    fn output_is_roughly_chronological() {
        let c = generate_corpus(&small(5000));
        let days: Vec<i32> = c
            .docs
            .iter()
            .map(|d| crate::article::parse_date(field(d, "published")).unwrap())
            .collect();
        let means: Vec<f64> = days
            .chunks(1000)
            .map(|c| c.iter().map(|&d| f64::from(d)).sum::<f64>() / c.len() as f64)
            .collect();
        assert!(means.windows(2).all(|w| w[0] < w[1]), "{means:?}");
        let start = GenParams::default().start_day;
        assert!(days.iter().all(|&d| d >= start && d < start + 740));
        let inversions = days.windows(2).filter(|w| w[1] < w[0]).count();
        assert!(inversions > 0 && inversions < days.len() / 2);
    }

    #[test]
    fn progress_counts_up_to_the_total() {
        let seen = std::sync::Mutex::new(Vec::new());
        let mut sink = Vec::new();
        generate(&small(2500), &mut sink, "mem", None, &|n| seen.lock().unwrap().push(n)).unwrap();
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen, [1000, 2000, 2500]);
    }

    #[test]
    fn compressed_outputs_read_back() {
        use crate::write::Output;
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let p = small(1200);
        let mut plain = Vec::new();
        generate(&p, &mut plain, "mem", None, &|_| {}).unwrap();
        for name in ["c.jsonl.gz", "c.jsonl.zst", "c.jsonl"] {
            let path = dir.path().join(name);
            let mut out = Output::create(Some(&path)).unwrap();
            let label = out.name().to_string();
            generate(&p, &mut out, &label, None, &|_| {}).unwrap();
            out.finish().unwrap();
            let mut back = Vec::new();
            crate::read::source::open_input(&path).unwrap().read_to_end(&mut back).unwrap();
            assert!(back == plain, "{name} does not round-trip");
        }
    }

    struct Failing(std::io::ErrorKind);
    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(self.0.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_errors_name_the_output_and_keep_their_kind() {
        let err = generate(
            &small(3000),
            &mut Failing(std::io::ErrorKind::BrokenPipe),
            "out.jsonl",
            None,
            &|_| {},
        )
        .unwrap_err();
        assert!(err.is_broken_pipe());
        assert!(err.to_string().starts_with("out.jsonl:"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, "").unwrap();
        let err =
            generate(&small(5), &mut Vec::new(), "mem", Some(&blocker.join("truth")), &|_| {})
                .unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
    }

    #[test]
    fn invalid_params_name_their_flag() {
        let d = GenParams::default();
        let cases = [
            (GenParams { articles: 0, ..d.clone() }, "--articles"),
            (GenParams { dup_rate: 1.5, ..d.clone() }, "--dup-rate"),
            (GenParams { singleton_rate: f64::NAN, ..d.clone() }, "--singleton-rate"),
            (GenParams { sub_min: 0.1, sub_max: 0.05, ..d.clone() }, "--sub-max"),
            (GenParams { words_median: 100, ..d.clone() }, "--words-median"),
            (GenParams { words_min: 900, ..d.clone() }, "--words-median"),
            (GenParams { series_max_events: 1, ..d.clone() }, "--series-max-events"),
            (GenParams { series_gap_min: 200, ..d.clone() }, "--series-gap-max"),
            (GenParams { outlets: 10, ..d.clone() }, "--outlets"),
            (GenParams { vocab: 10, ..d.clone() }, "--vocab"),
            (GenParams { keyword_rate: 0.4, entity_rate: 0.2, ..d.clone() }, "--keyword-rate"),
            (GenParams { days: 0, ..d.clone() }, "--days"),
            (GenParams { sub_burst: 0, ..d.clone() }, "--sub-burst"),
        ];
        for (p, flag) in cases {
            match p.validate() {
                Err(Error::InvalidParam { name, reason }) => assert_eq!(name, flag, "{reason}"),
                other => panic!("{flag}: expected InvalidParam, got {other:?}"),
            }
        }
        d.validate().unwrap();
        let err =
            generate(&GenParams { dup_rate: 2.0, ..d }, &mut Vec::new(), "mem", None, &|_| {})
                .unwrap_err();
        assert!(err.to_string().contains("--dup-rate"), "{err}");
    }

    #[test]
    fn extreme_knobs_still_give_exact_counts() {
        let cases = [
            GenParams { singleton_rate: 1.0, ..small(1500) },
            GenParams {
                singleton_rate: 0.0,
                dup_rate: 1.0,
                max_copies: 40,
                outlets: 64,
                ..small(1500)
            },
            GenParams {
                series_rate: 1.0,
                days: 3,
                series_gap_min: 1,
                series_gap_max: 1,
                ..small(2100)
            },
            GenParams {
                series_rate: 0.0,
                max_reports: 1,
                words_min: 1,
                words_median: 8,
                words_max: 10,
                ..small(1100)
            },
            GenParams {
                sub_min: 0.5,
                sub_max: 0.5,
                sub_burst: 100,
                truncate_rate: 1.0,
                para_cut_rate: 1.0,
                para_add_rate: 1.0,
                ..small(1100)
            },
            GenParams {
                quote_rate: 1.0,
                comma_rate: 1.0,
                curly_rate: 1.0,
                keyword_rate: 0.5,
                entity_rate: 0.0,
                number_rate: 0.0,
                ..small(300)
            },
        ];
        for p in cases {
            let c = generate_corpus(&p);
            assert_eq!(c.docs.len() as u64, p.articles, "{p:?}");
        }
    }
}
