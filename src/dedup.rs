//! The near-duplicate pipeline, end to end: read → normalise → boilerplate → shingle →
//! MinHash → LSH → verify → star groups.
//!
//! Pass 1 reads every record, checks it, and counts short lines across the corpus to find
//! boilerplate. Pass 2 reads the corpus again and sketches each article without its
//! boilerplate lines. Signatures (num_perm × 4 bytes an article) and a few bytes of metadata
//! are all that is kept, so memory grows with the number of articles, not their size. With
//! exact verification a third pass rebuilds the shingle sets of the articles that have
//! candidates. Each pass runs on all threads (rayon) over chunks of records, and every result
//! is a pure function of the article, so output does not depend on the thread count.
//!
//! A [`Rider`] does a caller's own per-article work inside these two reads (story clustering
//! extracts event terms and counts their document frequencies in pass 2): reading and parsing a
//! corpus costs as much as deduplicating it, so the reads are shared, not repeated.

use ahash::AHashMap;
use rayon::prelude::*;

use crate::cluster::star_groups;
use crate::error::{Error, Result};
use crate::lsh::{candidate_pairs, candidates::Pair, choose_bands, LshParams};
use crate::normalize::{candidate_lines, short_lines, tokenize, Boilerplate, Tokens};
use crate::params::{DedupParams, Keep, Verify};
use crate::progress::Progress;
use crate::read::{Chunk, Corpus, Location, Record, Rejection};
use crate::shingle::Shingler;
use crate::sketch::{into_set, jaccard, MinHasher, Signatures};

/// What the pipeline keeps of each accepted article.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleInfo {
    /// The article's id.
    pub id: String,
    /// Publication day, the date as written.
    pub published: Option<i32>,
    /// Seconds from midnight UTC of `published` to the moment of publication (0 for a date
    /// alone): `--keep earliest` keeps the morning's copy over the evening's, and compares
    /// moments, not dates, across time zones.
    pub time_utc: i32,
    /// Length of the text in bytes.
    pub len: u32,
    /// Where the record is.
    pub loc: Location,
}

impl ArticleInfo {
    /// The moment of publication, seconds since 1970-01-01T00:00Z, when dated.
    pub fn instant(&self) -> Option<i64> {
        self.published.map(|day| crate::article::instant(day, self.time_utc))
    }
}

/// A near-duplicate group, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The kept member (per `--keep`).
    pub representative: u32,
    /// Members with their similarity to the representative: the representative first, then by
    /// decreasing similarity and id.
    pub members: Vec<(u32, f64)>,
}

/// Counts for the closing stats line and the summary record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DedupStats {
    /// Records read (accepted + rejected).
    pub records: u64,
    /// Bytes of record data read.
    pub bytes: u64,
    /// Distinct boilerplate lines found.
    pub boilerplate_lines: usize,
    /// Boilerplate line occurrences dropped from articles.
    pub boilerplate_dropped: u64,
    /// Articles with no word at all (each a group of one).
    pub empty_articles: u64,
    /// Candidate pairs scored.
    pub candidates: u64,
    /// Pairs at or above the threshold.
    pub edges: u64,
}

/// Everything `dedup` found.
#[derive(Debug, Clone)]
pub struct DedupResult {
    /// Accepted articles, in input order (index = article number).
    pub articles: Vec<ArticleInfo>,
    /// Records that could not be read (only with `skip_invalid`).
    pub rejected: Vec<Rejection>,
    /// Groups, largest first, then by representative id.
    pub groups: Vec<Group>,
    /// Verified pairs (a < b, article numbers) with their similarity.
    pub pairs: Vec<Pair>,
    /// The banding used.
    pub lsh: LshParams,
    /// Signatures of the articles (kept for callers that go on, such as story clustering).
    pub signatures: Signatures,
    /// Counts.
    pub stats: DedupStats,
}

/// Per-article work that rides along deduplication's two reads of the corpus.
///
/// Pass 1 calls [`Rider::count`] on every readable record (per-worker accumulators, merged;
/// records later rejected for a repeated id are counted too), then [`Rider::counted`] once
/// with the merged total. Pass 2 calls [`Rider::keep`] on every accepted article, in
/// parallel (again with per-worker accumulators), [`Rider::store`] with the results in
/// article order on one thread, and [`Rider::counted`] with pass 2's merged total at the end.
pub trait Rider: Sync {
    /// What each pass accumulates.
    type Count: Send;
    /// What pass 2 makes of one article.
    type Kept: Send;
    /// A fresh accumulator.
    fn new_count(&self) -> Self::Count;
    /// Counts one record in pass 1.
    fn count(&self, acc: &mut Self::Count, rec: &Record<'_>);
    /// Adds `from` into `into`.
    fn merge(&self, into: &mut Self::Count, from: Self::Count);
    /// Receives the corpus-wide count at the end of pass `pass` (1 or 2).
    fn counted(&mut self, pass: u8, total: Self::Count);
    /// Works on one accepted article in pass 2; `words` are its text's word hashes under the
    /// shingle seed when the text has words (deduplication tokenised it already), and
    /// `furniture` the hashes of its distinct boilerplate lines.
    fn keep(
        &self,
        acc: &mut Self::Count,
        rec: &Record<'_>,
        words: Option<&[u64]>,
        furniture: &[u64],
    ) -> Self::Kept;
    /// Receives article `index`'s result; called in article order, one call at a time, while
    /// other threads run [`Rider::keep`] on the articles after it (hence `&self`).
    fn store(&self, index: usize, kept: Self::Kept) -> Result<()>;
}

/// The rider that does nothing.
struct NoRider;

impl Rider for NoRider {
    type Count = ();
    type Kept = ();
    fn new_count(&self) {}
    fn count(&self, _: &mut (), _: &Record<'_>) {}
    fn merge(&self, _: &mut (), _: ()) {}
    fn counted(&mut self, _: u8, _: ()) {}
    fn keep(&self, _: &mut (), _: &Record<'_>, _: Option<&[u64]>, _: &[u64]) {}
    fn store(&self, _: usize, _: ()) -> Result<()> {
        Ok(())
    }
}

/// Runs the near-duplicate pipeline over `corpus`. With `skip_invalid`, unreadable records are
/// returned as rejections; otherwise the first one stops the run with its error.
pub fn dedup(
    corpus: &Corpus,
    params: &DedupParams,
    skip_invalid: bool,
    progress: &dyn Progress,
) -> Result<DedupResult> {
    dedup_with(corpus, params, skip_invalid, progress, &mut NoRider)
}

/// [`dedup`], with `rider`'s work done in the same reads.
pub fn dedup_with<R: Rider>(
    corpus: &Corpus,
    params: &DedupParams,
    skip_invalid: bool,
    progress: &dyn Progress,
    rider: &mut R,
) -> Result<DedupResult> {
    params.validate()?;
    let lsh = choose_bands(params.threshold, params.num_perm, params.bands, params.rows)?;
    let mut stats = DedupStats::default();

    // Pass 1: check records, collect metadata, count candidate boilerplate lines.
    progress.phase("reading", None);
    let scan = first_pass(corpus, params, skip_invalid, progress, &mut stats, rider)?;
    progress.finish_phase();
    let FirstPass { mut articles, mut rejected, mut accepted, line_counts, count } = scan;
    rider.counted(1, count);
    reject_duplicate_ids(corpus, &mut articles, &mut rejected, &mut accepted, skip_invalid)?;
    let n = articles.len();
    let boilerplate = if params.boilerplate.enabled {
        let min = params.boilerplate.min_count(n);
        Boilerplate::from_hashes(line_counts.iter().filter(|(_, &c)| c >= min).map(|(&h, _)| h))
    } else {
        Boilerplate::default()
    };
    drop(line_counts);
    stats.boilerplate_lines = boilerplate.len();

    // Pass 2: signatures.
    progress.phase("sketching", Some(n as u64));
    let (signatures, dropped, empty) =
        second_pass(corpus, params, &accepted, &boilerplate, progress, rider)?;
    progress.finish_phase();
    stats.boilerplate_dropped = dropped;
    stats.empty_articles = empty.iter().filter(|&&e| e).count() as u64;

    // LSH candidates, scored as found.
    progress.phase("candidates", None);
    let rank = id_rank(&articles);
    let t = params.threshold;
    let keep_all = params.verify == Verify::Exact;
    let candidates = candidate_pairs(&signatures, lsh, &rank, &empty, |a, b| {
        let s = signatures.similarity(a as usize, b as usize);
        (keep_all || s + 1e-9 >= t).then_some(s as f32)
    });
    stats.candidates = candidates.len() as u64;
    progress.finish_phase();

    let (pairs, sets) = if keep_all {
        progress.phase("verifying", None);
        let sets = shingle_sets(corpus, params, &accepted, &boilerplate, &candidates)?;
        progress.finish_phase();
        let exact: Vec<Pair> = candidates
            .par_iter()
            .filter_map(|p| {
                let (Some(x), Some(y)) = (&sets[p.a as usize], &sets[p.b as usize]) else {
                    return None;
                };
                let j = jaccard(x, y);
                (j + 1e-9 >= t).then_some(Pair { score: j as f32, ..*p })
            })
            .collect();
        (exact, Some(sets))
    } else {
        (candidates, None)
    };
    stats.edges = pairs.len() as u64;

    let priority = keep_order(&articles, params.keep);
    let stars = star_groups(n, &pairs, &priority);
    let similarity = |a: u32, b: u32| -> f64 {
        if a == b {
            return 1.0;
        }
        match &sets {
            Some(sets) => match (&sets[a as usize], &sets[b as usize]) {
                (Some(x), Some(y)) => jaccard(x, y),
                _ => signatures.similarity(a as usize, b as usize),
            },
            None => signatures.similarity(a as usize, b as usize),
        }
    };
    let mut groups: Vec<Group> = stars
        .members()
        .into_par_iter()
        .map(|members| {
            let rep = *members.iter().min_by_key(|&&m| priority[m as usize]).expect("non-empty");
            let mut scored: Vec<(u32, f64)> =
                members.iter().map(|&m| (m, round4(similarity(rep, m)))).collect();
            scored.sort_by(|x, y| {
                (x.0 != rep)
                    .cmp(&(y.0 != rep))
                    .then(y.1.total_cmp(&x.1))
                    .then_with(|| articles[x.0 as usize].id.cmp(&articles[y.0 as usize].id))
            });
            Group { representative: rep, members: scored }
        })
        .collect();
    groups.sort_by(|x, y| {
        y.members.len().cmp(&x.members.len()).then_with(|| {
            articles[x.representative as usize].id.cmp(&articles[y.representative as usize].id)
        })
    });
    Ok(DedupResult { articles, rejected, groups, pairs, lsh, signatures, stats })
}

/// Rounds to 4 decimal places, the precision every output uses.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

struct FirstPass<C> {
    articles: Vec<ArticleInfo>,
    rejected: Vec<Rejection>,
    /// Per record in corpus order: accepted or not.
    accepted: Vec<bool>,
    line_counts: AHashMap<u64, u32>,
    count: C,
}

fn first_pass<R: Rider>(
    corpus: &Corpus,
    params: &DedupParams,
    skip_invalid: bool,
    progress: &dyn Progress,
    stats: &mut DedupStats,
    rider: &R,
) -> Result<FirstPass<R::Count>> {
    let bp = &params.boilerplate;
    let count_lines = bp.enabled;
    let max_words = bp.max_words;
    let seed = params.shingle.seed;
    let mut out = FirstPass {
        articles: Vec::new(),
        rejected: Vec::new(),
        accepted: Vec::new(),
        line_counts: AHashMap::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4)),
        count: rider.new_count(),
    };
    type Parsed = Result<(ArticleInfo, Vec<u64>), Rejection>;
    type Part<C> = (C, Vec<(usize, Parsed)>);
    corpus.scan(|chunk: Chunk| {
        stats.bytes += chunk.len_bytes();
        stats.records += chunk.records.len() as u64;
        // Each worker folds its records' rider counts into one accumulator; results carry
        // their record number so that they are taken in corpus order.
        let parts: Vec<Part<R::Count>> = chunk
            .records
            .par_iter()
            .enumerate()
            .fold(
                || (rider.new_count(), Vec::new(), Tokens::default()),
                |(mut acc, mut done, mut tokens), (i, rec)| {
                    let parsed = corpus.parse(&chunk, rec).map(|r| {
                        let mut lines = Vec::new();
                        if count_lines {
                            short_line_hashes(&r.text, seed, max_words, &mut tokens, &mut lines);
                        }
                        rider.count(&mut acc, &r);
                        let info = ArticleInfo {
                            id: r.id.into_owned(),
                            published: r.published,
                            time_utc: r.time_utc,
                            len: u32::try_from(r.text.len()).unwrap_or(u32::MAX),
                            loc: rec.loc,
                        };
                        (info, lines)
                    });
                    done.push((i, parsed));
                    (acc, done, tokens)
                },
            )
            .map(|(acc, done, _)| (acc, done))
            .collect();
        let mut results: Vec<(usize, Parsed)> = Vec::with_capacity(chunk.records.len());
        for (acc, done) in parts {
            rider.merge(&mut out.count, acc);
            results.extend(done);
        }
        results.sort_unstable_by_key(|r| r.0);
        for (_, res) in results {
            match res {
                Ok((info, lines)) => {
                    for h in lines {
                        *out.line_counts.entry(h).or_insert(0) += 1;
                    }
                    out.articles.push(info);
                    out.accepted.push(true);
                }
                Err(rej) if skip_invalid => {
                    out.rejected.push(rej);
                    out.accepted.push(false);
                }
                Err(rej) => return Err(rej.to_error()),
            }
        }
        progress.advance(chunk.records.len() as u64);
        Ok(())
    })?;
    Ok(out)
}

/// Distinct hashes of the short lines of `text` (as [`candidate_lines`] would find them in the
/// full tokenisation), tokenising only lines short enough to qualify.
fn short_line_hashes(
    text: &str,
    seed: u64,
    max_words: u32,
    tokens: &mut Tokens,
    out: &mut Vec<u64>,
) {
    // Skipping a line in the scan only keeps it from becoming boilerplate; pass 2 tests
    // membership, so both passes agree.
    for (a, b) in short_lines(text, max_words) {
        tokenize(&text[a..b], seed, false, tokens);
        candidate_lines(tokens, max_words, out);
    }
    out.sort_unstable();
    out.dedup();
}

fn reject_duplicate_ids(
    corpus: &Corpus,
    articles: &mut Vec<ArticleInfo>,
    rejected: &mut Vec<Rejection>,
    accepted: &mut [bool],
    skip_invalid: bool,
) -> Result<()> {
    let mut order: Vec<u32> = (0..articles.len() as u32).collect();
    order.par_sort_by(|&a, &b| {
        articles[a as usize].id.cmp(&articles[b as usize].id).then(a.cmp(&b))
    });
    let mut dup = vec![false; articles.len()];
    let mut found = Vec::new();
    // Every repeat points at the id's first record, the one kept, not at the repeat before it.
    let mut kept = order.first().copied().unwrap_or(0);
    for &i in order.iter().skip(1) {
        let (first, again) = (&articles[kept as usize], &articles[i as usize]);
        if first.id == again.id {
            dup[i as usize] = true;
            let (file, line) = corpus.position(first.loc);
            found.push((i, format!("{file}:{line}")));
        } else {
            kept = i;
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    found.sort_unstable();
    let reject_of = |i: u32, first_at: &str| {
        let a = &articles[i as usize];
        let (input, line) = corpus.position(a.loc);
        Rejection {
            input,
            line,
            id: Some(a.id.clone()),
            field: "id".into(),
            reason: format!("duplicate id {:?} (first at {first_at})", a.id),
        }
    };
    if !skip_invalid {
        let (i, first_at) = &found[0];
        return Err(reject_of(*i, first_at).to_error());
    }
    rejected.extend(found.iter().map(|(i, at)| reject_of(*i, at)));
    // Map article numbers back to record numbers to clear their accepted flags.
    for (article, flag) in accepted.iter_mut().filter(|f| **f).enumerate() {
        if dup[article] {
            *flag = false;
        }
    }
    let mut keep = dup.iter().map(|d| !d);
    articles.retain(|_| keep.next().unwrap_or(true));
    rejected.sort_by(|a, b| (a.input.as_str(), a.line).cmp(&(b.input.as_str(), b.line)));
    Ok(())
}

/// Shingles of one record's text (or its title when the text has no words), boilerplate
/// skipped unless it is most of the text ([`Shingler::shingles`]). Returns the number of boilerplate lines dropped, and whether `tokens` still holds
/// the text's words (not the title's).
fn record_shingles(
    rec: &Record,
    params: &DedupParams,
    boilerplate: &Boilerplate,
    tokens: &mut Tokens,
    shingler: &mut Shingler,
    out: &mut Vec<u64>,
    furniture: &mut Vec<u64>,
) -> (u64, bool) {
    out.clear();
    furniture.clear();
    tokenize(&rec.text, params.shingle.seed, params.shingle.char_shingles, tokens);
    let skipped = shingler.shingles(tokens, boilerplate, out);
    let dropped = skipped.lines() as u64;
    // Lines kept for being most of the text are still reported: the summariser decides, by
    // event, which recurring lines are furniture.
    if skipped.found > 0 {
        furniture.extend(tokens.lines.iter().filter(|l| boilerplate.contains(l)).map(|l| l.hash));
        furniture.sort_unstable();
        furniture.dedup();
    }
    if out.is_empty() && !rec.title.is_empty() {
        // Headline-only records (wire flashes, feeds without bodies) are compared by headline.
        tokenize(&rec.title, params.shingle.seed, params.shingle.char_shingles, tokens);
        shingler.shingles(tokens, &Boilerplate::default(), out);
        return (dropped, false);
    }
    (dropped, true)
}

struct Worker {
    tokens: Tokens,
    shingler: Shingler,
    shingles: Vec<u64>,
    /// Whether `tokens` holds the last record's text (not its title).
    text_words: bool,
    /// The distinct boilerplate lines of the last record's text.
    furniture: Vec<u64>,
}

impl Worker {
    /// Shingles `rec` into `self.shingles`; returns the boilerplate lines dropped.
    fn shingle(&mut self, rec: &Record, params: &DedupParams, boilerplate: &Boilerplate) -> u64 {
        let (dropped, text_words) = record_shingles(
            rec,
            params,
            boilerplate,
            &mut self.tokens,
            &mut self.shingler,
            &mut self.shingles,
            &mut self.furniture,
        );
        self.text_words = text_words;
        dropped
    }

    fn new(params: &DedupParams) -> Self {
        Worker {
            tokens: Tokens::default(),
            shingler: Shingler::new(params.shingle.clone()),
            shingles: Vec::new(),
            text_words: false,
            furniture: Vec::new(),
        }
    }
}

/// A record that parsed in pass 1 but not later: the input changed under us.
fn changed(rej: Rejection) -> Error {
    Error::parse(
        rej.input,
        rej.line,
        rej.field,
        format!("input changed while being read: {}", rej.reason),
    )
}

fn second_pass<R: Rider>(
    corpus: &Corpus,
    params: &DedupParams,
    accepted: &[bool],
    boilerplate: &Boilerplate,
    progress: &dyn Progress,
    rider: &mut R,
) -> Result<(Signatures, u64, Vec<bool>)> {
    let k = params.num_perm;
    let hasher = MinHasher::new(k, params.seed);
    let mut sigs = Signatures::new(k);
    let mut dropped = 0u64;
    let mut empty = Vec::new();
    let mut next = 0usize;
    let mut next_article = 0usize;
    // One accumulator per worker thread for the whole read, merged once at the end: a fresh
    // one per rayon piece meant thousands of tables grown from empty and merged on one thread
    // while the others waited (8% of the first two reads at gen 1M, perf). The per-thread
    // tables grow large, so at 1M the misses of counting into them cost about as much CPU, but
    // in parallel. Counts are sums: which thread counted an article does not change the total.
    let accs: Vec<std::sync::Mutex<R::Count>> = (0..rayon::current_num_threads().max(1))
        .map(|_| std::sync::Mutex::new(rider.new_count()))
        .collect();
    // Results of the chunk before, stored while this chunk's articles are worked on: storing
    // (the event rider writes a spill file) on one thread while the others waited was 5% of
    // the read at gen 100k.
    let mut pending: Vec<(usize, R::Kept)> = Vec::new();
    corpus.scan(|chunk: Chunk| {
        let flags = accepted.get(next..next + chunk.records.len()).ok_or_else(|| {
            let input = chunk.records.first().map_or(0, |r| r.loc.input as usize);
            let name = corpus.inputs().get(input).map_or("input", |i| i.name.as_str());
            Error::input(name, "changed while being read: the second read found more records")
        })?;
        next += chunk.records.len();
        let recs: Vec<_> =
            chunk.records.iter().zip(flags).filter(|(_, &a)| a).map(|(r, _)| r).collect();
        let mut flat = vec![0u32; recs.len() * k];
        let shared: &R = rider;
        type Done<K> = Vec<(usize, Result<(u64, K), Rejection>)>;
        let accs = &accs;
        let (stored, parts) = rayon::join(
            || pending.drain(..).try_for_each(|(i, kept)| shared.store(i, kept)),
            || -> Vec<Done<R::Kept>> {
                flat.par_chunks_mut(k)
                    .zip(recs.par_iter())
                    .enumerate()
                    .fold(
                        || (Worker::new(params), Vec::new()),
                        |(mut w, mut done), (i, (sig, rec))| {
                            let result = corpus.parse(&chunk, rec).map(|r| {
                                let d = w.shingle(&r, params, boilerplate);
                                hasher.sketch(&w.shingles, sig);
                                let words = w.text_words.then_some(w.tokens.words.as_slice());
                                // Each thread locks its own accumulator: uncontended.
                                let slot = rayon::current_thread_index().unwrap_or(0) % accs.len();
                                let mut acc = accs[slot].lock().unwrap_or_else(|e| e.into_inner());
                                (d, shared.keep(&mut acc, &r, words, &w.furniture))
                            });
                            done.push((i, result));
                            (w, done)
                        },
                    )
                    .map(|(_, done)| done)
                    .collect()
            },
        );
        stored?;
        let mut results = Vec::with_capacity(recs.len());
        for done in parts {
            results.extend(done);
        }
        results.sort_unstable_by_key(|r| r.0);
        let first = next_article;
        for (i, r) in results {
            let (d, kept) = r.map_err(changed)?;
            dropped += d;
            pending.push((first + i, kept));
        }
        next_article += recs.len();
        sigs.extend_from_flat(&flat);
        let start = empty.len();
        empty.extend((start..start + recs.len()).map(|i| sigs.is_empty_at(i)));
        progress.advance(recs.len() as u64);
        Ok(())
    })?;
    for (i, kept) in pending {
        rider.store(i, kept)?;
    }
    let mut total = rider.new_count();
    for acc in accs {
        rider.merge(&mut total, acc.into_inner().unwrap_or_else(|e| e.into_inner()));
    }
    rider.counted(2, total);
    Ok((sigs, dropped, empty))
}

/// Shingle sets of the articles that appear in `candidates` (None for the others).
fn shingle_sets(
    corpus: &Corpus,
    params: &DedupParams,
    accepted: &[bool],
    boilerplate: &Boilerplate,
    candidates: &[Pair],
) -> Result<Vec<Option<Vec<u64>>>> {
    let n = accepted.iter().filter(|&&a| a).count();
    let mut wanted = vec![false; n];
    for p in candidates {
        wanted[p.a as usize] = true;
        wanted[p.b as usize] = true;
    }
    let mut sets: Vec<Option<Vec<u64>>> = Vec::with_capacity(n);
    let mut next_rec = 0usize;
    corpus.scan(|chunk: Chunk| {
        let flags = &accepted[next_rec..next_rec + chunk.records.len()];
        next_rec += chunk.records.len();
        let base = sets.len();
        let recs: Vec<_> =
            chunk.records.iter().zip(flags).filter(|(_, &a)| a).map(|(r, _)| r).collect();
        let got: Vec<Result<Option<Vec<u64>>, Rejection>> = recs
            .par_iter()
            .enumerate()
            .map_init(
                || Worker::new(params),
                |w, (i, rec)| {
                    if !wanted[base + i] {
                        return Ok(None);
                    }
                    w.shingle(&corpus.parse(&chunk, rec)?, params, boilerplate);
                    Ok(Some(into_set(std::mem::take(&mut w.shingles))))
                },
            )
            .collect();
        for g in got {
            sets.push(g.map_err(changed)?);
        }
        Ok(())
    })?;
    Ok(sets)
}

/// Rank of each article by id: an order that does not depend on input order.
pub(crate) fn id_rank(articles: &[ArticleInfo]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..articles.len() as u32).collect();
    order.par_sort_by(|&a, &b| articles[a as usize].id.cmp(&articles[b as usize].id));
    let mut rank = vec![0u32; articles.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// Priority of each article under `keep` (lower = preferred), a total order.
pub fn keep_order(articles: &[ArticleInfo], keep: Keep) -> Vec<u64> {
    let mut order: Vec<u32> = (0..articles.len() as u32).collect();
    let date = |a: &ArticleInfo| a.instant().unwrap_or(i64::MAX);
    match keep {
        Keep::First => {}
        Keep::Earliest => order.par_sort_by(|&x, &y| {
            let (a, b) = (&articles[x as usize], &articles[y as usize]);
            date(a).cmp(&date(b)).then(b.len.cmp(&a.len)).then_with(|| a.id.cmp(&b.id))
        }),
        Keep::Longest => order.par_sort_by(|&x, &y| {
            let (a, b) = (&articles[x as usize], &articles[y as usize]);
            b.len.cmp(&a.len).then(date(a).cmp(&date(b))).then_with(|| a.id.cmp(&b.id))
        }),
    }
    let mut prio = vec![0u64; articles.len()];
    for (p, &i) in order.iter().enumerate() {
        prio[i as usize] = p as u64;
    }
    prio
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;
    use crate::read::FieldMap;

    /// Records what it is shown, to check the rider contract.
    #[derive(Default)]
    struct Recorder {
        counted: Vec<String>,
        tallied: Vec<String>,
        kept: std::sync::Mutex<Vec<(usize, String, bool, usize)>>,
    }

    impl Rider for Recorder {
        type Count = Vec<String>;
        type Kept = (String, bool, usize);
        fn new_count(&self) -> Vec<String> {
            Vec::new()
        }
        fn count(&self, acc: &mut Vec<String>, rec: &Record<'_>) {
            acc.push(rec.id.to_string());
        }
        fn merge(&self, into: &mut Vec<String>, from: Vec<String>) {
            into.extend(from);
        }
        fn counted(&mut self, pass: u8, total: Vec<String>) {
            if pass == 1 {
                self.counted = total;
            } else {
                self.tallied = total;
            }
        }
        fn keep(
            &self,
            acc: &mut Vec<String>,
            rec: &Record<'_>,
            words: Option<&[u64]>,
            furniture: &[u64],
        ) -> (String, bool, usize) {
            acc.push(rec.id.to_string());
            (rec.id.to_string(), words.is_some_and(|w| !w.is_empty()), furniture.len())
        }
        fn store(&self, index: usize, (id, words, lines): (String, bool, usize)) -> Result<()> {
            self.kept.lock().unwrap().push((index, id, words, lines));
            Ok(())
        }
    }

    #[test]
    fn a_rider_sees_every_article_once_in_order_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        let mut lines = String::new();
        for i in 0..3000 {
            let text = if i % 10 == 0 {
                String::new()
            } else {
                let promo = if i % 7 == 3 { "\\nSubscribe to the Harbour Gazette" } else { "" };
                format!("story {} about the harbour and the ferry strike on day {i}{promo}", i % 40)
            };
            lines
                .push_str(&format!("{{\"id\":\"a{i}\",\"title\":\"t{i}\",\"text\":\"{text}\"}}\n"));
        }
        lines.push_str("{\"id\":\"a5\",\"text\":\"a repeated id\"}\n");
        lines.push_str("not json\n");
        std::fs::write(&path, lines).unwrap();
        let corpus = Corpus::open(&[path], FieldMap::default()).unwrap();
        let params = DedupParams::default();
        let plain = dedup(&corpus, &params, true, &NoProgress).unwrap();
        let mut rider = Recorder::default();
        let ridden = dedup_with(&corpus, &params, true, &NoProgress, &mut rider).unwrap();
        assert_eq!(plain.groups, ridden.groups);
        assert_eq!(plain.articles, ridden.articles);
        assert_eq!(ridden.rejected.len(), 2, "the repeated id and the bad line");
        // Pass 1 counts every readable record, the repeated id included.
        assert_eq!(rider.counted.len(), 3001);
        let mut tallied = rider.tallied.clone();
        tallied.sort();
        let mut ids: Vec<String> = ridden.articles.iter().map(|a| a.id.clone()).collect();
        ids.sort();
        assert_eq!(tallied, ids, "pass 2 counts each accepted article once");
        // Pass 2 keeps exactly the accepted articles, in article order.
        assert_eq!(rider.kept.lock().unwrap().len(), ridden.articles.len());
        for (k, (index, id, words, lines)) in rider.kept.lock().unwrap().iter().enumerate() {
            assert_eq!(*index, k);
            assert_eq!(*id, ridden.articles[k].id);
            // Headline-only records get no text words: they were shingled by title.
            assert_eq!(*words, k % 10 != 0, "article {id}");
            // The recurring line is reported as boilerplate, where it is.
            assert_eq!(*lines, usize::from(k % 10 != 0 && k % 7 == 3), "article {id}");
        }
    }
}
