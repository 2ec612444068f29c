//! The story-clustering pipeline: near-duplicate groups (via [`crate::dedup`]), then event
//! clusters and story threads (via [`crate::cluster::story`]), then per-cluster summaries.
//!
//! It reads the corpus no more often than `dedup` does. A [`Rider`] in deduplication's second
//! read extracts each article's headline and link terms, counts the summariser's word
//! frequencies (from deduplication's own word hashes), and spills what summaries need later
//! (headline, outlet, link and the first [`TEXT_KEEP`] bytes of the text) to a [`Spill`] file.
//! Once near-duplicate groups exist, each group's text terms are extracted once, from its
//! representative's spilled lead: a copy's text is its representative's give or take a few
//! edits. Weights need the whole corpus's document frequencies, so event vectors are built
//! after that pass, from the lists it keeps. Texts are read back one cluster at a time for the
//! summaries: memory holds event vectors (a few hundred bytes an article), not texts.

use rayon::prelude::*;

use crate::article::format_date;
use crate::cluster::features::{
    kind_of, weigh_terms, DocFreq, EventVector, Extractor, RawTerm, TermKind,
};
use crate::cluster::story::{cluster_events, link_threads, StoryParams, Unit};
use crate::dedup::{dedup_with, round4, DedupResult, Rider};
use crate::error::{Error, Result};
use crate::normalize::Boilerplate;
use crate::params::DedupParams;
use crate::progress::Progress;
use crate::read::{Corpus, Record};
use crate::spill::{pack, unpack, Slot, Spill, SpillReader};
use crate::story::{ClusterSummary, DayCount, MemberSummary, ReportMeta, ThreadSummary};
use crate::summarize::{summarize, MemberText, SummaryParams, TermStats};

/// Bytes of each article's text kept for summaries: news puts the key facts first.
pub const TEXT_KEEP: usize = 2500;

/// The part of a text that event terms come from: its first [`TEXT_KEEP`] bytes, where news
/// writing puts who, what, where and when. On gen 20k, terms from the whole text score the
/// same events BCubed F1 (0.9988 vs 0.9989) at 6% more time; from 1,500 bytes, 0.9967.
fn lead(text: &str) -> &str {
    cut(text, TEXT_KEEP)
}

/// Weight of headline words relative to body words.
const TITLE_WEIGHT: f32 = 3.0;

/// What a story-clustering run found.
#[derive(Debug, Clone)]
pub struct StoryResult {
    /// The near-duplicate stage's result (articles, groups, rejected records).
    pub dedup: DedupResult,
    /// Event clusters, largest first.
    pub clusters: Vec<ClusterSummary>,
    /// Story threads.
    pub threads: Vec<ThreadSummary>,
    /// Run facts for report headers.
    pub meta: ReportMeta,
}

/// The story stage's work inside deduplication's reads.
struct EventRider {
    /// The shingle seed: the summariser's word statistics key on deduplication's word hashes.
    seed: u64,
    words: TermStats,
    /// What [`Rider::store`] fills, behind a lock because it runs beside [`Rider::keep`].
    stored: std::sync::Mutex<Stored>,
}

/// The articles' spilled records, in article order.
struct Stored {
    /// Where each article's summary fields are in the spill.
    slots: Vec<Slot>,
    /// Each article's headline and link terms: a few hundred bytes an article at most, kept in
    /// memory because both passes over the groups read every one of them.
    own: OwnTerms,
    /// (article, line hash) for each distinct boilerplate line of each article.
    furniture: Vec<(u32, u64)>,
    spill: Spill,
}

/// A worker's counts, plus its extraction scratch.
struct Counts {
    words: TermStats,
    scratch: Extractor,
}

/// Bytes of one spilled term: its hash and its tf.
const TERM_BYTES: usize = 12;

impl Rider for EventRider {
    type Count = Counts;
    /// The summary fields, packed, the (term hash, tf) list and the boilerplate lines.
    type Kept = (Vec<u8>, Vec<u8>, Vec<u64>);

    fn new_count(&self) -> Counts {
        Counts { words: TermStats::with_seed(self.seed), scratch: Extractor::new() }
    }

    // Event terms are extracted after the read (see `event_terms`); the summariser's word
    // counts come from pass 2's tokens.
    fn count(&self, _: &mut Counts, _: &Record<'_>) {}

    fn merge(&self, into: &mut Counts, from: Counts) {
        into.words.merge(from.words);
    }

    fn counted(&mut self, pass: u8, total: Counts) {
        if pass == 2 {
            self.words = total.words;
        }
    }

    fn keep(
        &self,
        acc: &mut Counts,
        rec: &Record<'_>,
        words: Option<&[u64]>,
        furniture: &[u64],
    ) -> (Vec<u8>, Vec<u8>, Vec<u64>) {
        // The summariser's word statistics reuse deduplication's tokens of the text.
        match words {
            Some(w) => acc.words.queue_words(w),
            None => acc.words.add_document(&rec.text),
        }
        // Only the headline's and the link's terms: the text's are taken after the read, once
        // for each distinct text ([`event_terms`]).
        let terms = acc.scratch.extract_with_url(&rec.title, "", &rec.url, TITLE_WEIGHT, false);
        let mut packed = Vec::with_capacity(terms.len() * TERM_BYTES);
        pack_sorted(terms, &mut packed);
        let mut record = Vec::with_capacity(rec.text.len().min(TEXT_KEEP) + 256);
        pack(&[&rec.title, &rec.source, &rec.url, lead(&rec.text)], &mut record);
        (record, packed, furniture.to_vec())
    }

    fn store(
        &self,
        index: usize,
        (record, terms, furniture): (Vec<u8>, Vec<u8>, Vec<u64>),
    ) -> Result<()> {
        // One caller at a time: the lock is never contended.
        let mut st = self.stored.lock().unwrap_or_else(|e| e.into_inner());
        debug_assert_eq!(index, st.slots.len());
        let slot = st.spill.push(&record)?;
        st.slots.push(slot);
        st.own.push(&terms);
        st.furniture.extend(furniture.into_iter().map(|h| (index as u32, h)));
        Ok(())
    }
}

/// Appends `terms` as (hash, tf) pairs, to be read back by [`unpack_terms`].
fn pack_terms(terms: impl IntoIterator<Item = (u64, f32)>, out: &mut Vec<u8>) {
    for (hash, tf) in terms {
        out.extend_from_slice(&hash.to_le_bytes());
        out.extend_from_slice(&tf.to_le_bytes());
    }
}

/// [`pack_terms`] in hash order, the order [`merge_terms`] reads its lists in: sorted once
/// here, not each time an article's list is merged.
fn pack_sorted(terms: &[RawTerm], out: &mut Vec<u8>) {
    let mut pairs: Vec<(u64, f32)> = terms.iter().map(|t| (t.hash, t.tf)).collect();
    pairs.sort_unstable_by_key(|t| t.0);
    pack_terms(pairs, out);
}

/// The (term hash, tf) pairs of a spilled term list.
fn unpack_terms(bytes: &[u8]) -> impl Iterator<Item = (u64, f32)> + '_ {
    bytes.chunks_exact(TERM_BYTES).map(|c| {
        let (h, tf) = c.split_at(8);
        (
            u64::from_le_bytes(h.try_into().expect("8 bytes")),
            f32::from_le_bytes(tf.try_into().expect("4 bytes")),
        )
    })
}

/// `text` cut to at most `max` bytes, between words. A word cut in two is a word no other
/// article has: "th" of "the" was a keyword of 213 clusters at gen 100k, and an event term of
/// its article. A single word longer than the backing-off limit is cut where it must be.
fn cut(text: &str, max: usize) -> &str {
    /// Bytes to back off looking for the end of a word; any real word is shorter.
    const MAX_WORD: usize = 64;
    if text.len() <= max {
        return text;
    }
    // Non-ASCII bytes count as word bytes: letters outside ASCII are, and a cut before a
    // symbol costs at most that symbol.
    let in_word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let b = text.as_bytes();
    let mut at = max;
    if in_word(b[at]) {
        let floor = max.saturating_sub(MAX_WORD);
        while at > floor && in_word(b[at - 1]) {
            at -= 1;
        }
        if at == 0 || (at == floor && in_word(b[at - 1])) {
            at = max;
        }
    }
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

/// Distinct events a boilerplate line must occur in to be furniture for the summariser.
const FURNITURE_EVENTS: usize = 3;

/// The boilerplate lines (`lines`: article, line hash) that are furniture for the summaries:
/// those found in articles of at least [`FURNITURE_EVENTS`] events (`event_of` an article);
/// and, for each of the `n` articles, whether it holds one. Deduplication's test, a line in
/// many articles, also holds for the short paragraphs that the copies of one syndicated story
/// share; those are the story, and its summary needs them. An outlet's "Follow us" line
/// recurs across unrelated stories.
fn story_furniture(
    lines: &[(u32, u64)],
    n: usize,
    event_of: impl Fn(u32) -> u32,
) -> (Boilerplate, Vec<bool>) {
    let mut seen: Vec<(u64, u32)> = lines.iter().map(|&(m, h)| (h, event_of(m))).collect();
    seen.sort_unstable();
    seen.dedup();
    let set = Boilerplate::from_hashes(
        seen.chunk_by(|a, b| a.0 == b.0)
            .filter(|events| events.len() >= FURNITURE_EVENTS)
            .map(|events| events[0].0),
    );
    let mut has = vec![false; n];
    for &(m, h) in lines {
        if set.contains_hash(h) {
            has[m as usize] = true;
        }
    }
    (set, has)
}

/// Each near-duplicate group's text terms, from its representative, as (hash, tf) lists
/// sorted by hash, in group order; and the corpus's document frequencies, counting for each
/// article its own headline and link terms and its group's text terms.
///
/// A copy's text is its representative's give or take a few edits (that is what put it in the
/// group), so its text terms are taken to be the representative's: extracting every copy's
/// text again, as the read did before, spent two fifths of the extraction (copies are 40% of
/// gen 100k's articles) on lists that differ from the representative's in a word or two.
///
/// The lists stay in memory (1.5 GB at gen 1M), each freed as its group's vectors are made.
/// Spilled to a file they cost more than they saved: the kernel copied written pages at about
/// half a gigabyte a second on the 2-core machine measured, and one thread wrote while the
/// other waited, so the phase ran at 1.6 cores of 2. Held here, they stay below the peak the
/// clustering reaches later.
fn event_terms(
    res: &DedupResult,
    slots: &[Slot],
    own: &OwnTerms,
    spill: &SpillReader,
) -> Result<(DocFreq, Vec<Vec<u8>>)> {
    // One count table per worker thread, merged at the end (as in deduplication's reads).
    let accs: Vec<std::sync::Mutex<DocFreq>> = (0..rayon::current_num_threads().max(1))
        .map(|_| std::sync::Mutex::new(DocFreq::new()))
        .collect();
    let bodies: Vec<Vec<u8>> = res
        .groups
        .par_iter()
        .map_init(
            || (Extractor::new(), Vec::new(), Vec::new()),
            |(ex, buf, union), group| {
                spill.read(slots[group.representative as usize], buf)?;
                let [_, _, _, text] = unpack::<4>(buf)?;
                let body = ex.extract_with_url("", text, "", TITLE_WEIGHT, false);
                let mut packed = Vec::with_capacity(body.len() * TERM_BYTES);
                pack_sorted(body, &mut packed);
                let slot = rayon::current_thread_index().unwrap_or(0) % accs.len();
                let mut df = accs[slot].lock().unwrap_or_else(|e| e.into_inner());
                for &(m, _) in &group.members {
                    merge_terms(own.of(m), &packed, union);
                    df.queue_hashes(union.iter().map(|t| t.0));
                }
                Ok(packed)
            },
        )
        .collect::<Result<_>>()?;
    let mut df = DocFreq::new();
    for acc in accs {
        df.merge(acc.into_inner().unwrap_or_else(|e| e.into_inner()));
    }
    Ok((df, bodies))
}

/// Distinct headline and link term lists of a group remembered while its vectors are made (a
/// bound on the linear search; groups with more are weighed member by member past it).
const MAX_DISTINCT_HEADLINES: usize = 8;

/// Each article's headline and link terms, as packed (hash, tf) lists one after another.
#[derive(Default)]
struct OwnTerms {
    bytes: Vec<u8>,
    /// Where each article's list ends in `bytes`.
    ends: Vec<usize>,
}

impl OwnTerms {
    /// Appends the next article's packed list.
    fn push(&mut self, packed: &[u8]) {
        self.bytes.extend_from_slice(packed);
        self.ends.push(self.bytes.len());
    }

    /// Article `m`'s packed list.
    fn of(&self, m: u32) -> &[u8] {
        let m = m as usize;
        let start = if m == 0 { 0 } else { self.ends[m - 1] };
        &self.bytes[start..self.ends[m]]
    }
}

/// An article's event terms, in hash order: its headline and link terms (`own`) with its
/// group's text terms (`body`), both lists from [`pack_sorted`], a term in both weighing as
/// the two together, as one extraction of the whole article gives.
fn merge_terms(own: &[u8], body: &[u8], out: &mut Vec<(u64, f32)>) {
    out.clear();
    let mut own = unpack_terms(own).peekable();
    for (h, tf) in unpack_terms(body) {
        while let Some(&(o, otf)) = own.peek() {
            if o >= h {
                break;
            }
            out.push((o, otf));
            own.next();
        }
        match own.peek() {
            Some(&(o, otf)) if o == h => {
                out.push((h, tf + otf));
                own.next();
            }
            _ => out.push((h, tf)),
        }
    }
    out.extend(own);
}

/// How much of each cluster's summary a run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Everything [`ClusterSummary`] holds.
    Full,
    /// The events and threads each article belongs to, and no more: clusters carry their
    /// members (id, group and similarity; no title, outlet, date or link), sizes, dates and the
    /// entities threads are linked by, but no headline, summary, keywords, copy diffs or
    /// mixed-events flag. Clusters, their numbers and
    /// threads are the same as with [`Detail::Full`].
    Assignments,
}

/// Runs near-duplicate detection, event clustering, threads and summaries.
pub fn cluster(
    corpus: &Corpus,
    dedup_params: &DedupParams,
    story: &StoryParams,
    detail: Detail,
    skip_invalid: bool,
    progress: &dyn Progress,
) -> Result<StoryResult> {
    let mut rider = EventRider {
        seed: dedup_params.shingle.seed,
        words: TermStats::with_seed(dedup_params.shingle.seed),
        stored: std::sync::Mutex::new(Stored {
            slots: Vec::new(),
            own: OwnTerms::default(),
            furniture: Vec::new(),
            spill: Spill::new()?,
        }),
    };
    let mut res = dedup_with(corpus, dedup_params, skip_invalid, progress, &mut rider)?;
    // Signatures are done with once groups exist; free them before the next peak.
    res.signatures = crate::sketch::Signatures::new(res.signatures.num_perm());
    let n = res.articles.len();
    let EventRider { mut words, stored, .. } = rider;
    let Stored { slots, own, furniture, spill } =
        stored.into_inner().unwrap_or_else(|e| e.into_inner());
    words.freeze();
    if slots.len() != n {
        let names: Vec<&str> = corpus.inputs().iter().map(|i| i.name.as_str()).collect();
        let reason = "changed while being read: the reads found different records";
        return Err(Error::input(names.join(", "), reason));
    }
    let spill = spill.finish()?;
    let mut group_of = vec![0u32; n];
    for (g, group) in res.groups.iter().enumerate() {
        for &(m, _) in &group.members {
            group_of[m as usize] = g as u32;
        }
    }
    progress.phase("event terms", None);
    let (df, bodies) = event_terms(&res, &slots, &own, &spill)?;
    progress.finish_phase();
    progress.phase("event vectors", None);
    let df = df.without_singletons();
    // A group at a time, its text terms read once for all its members. A copy with the same
    // headline and link terms as a member weighed before it has that member's vector (28% of
    // the articles at gen 100k; the phase 0.38 -> 0.31 s).
    let per_group: Vec<Vec<EventVector>> = res
        .groups
        .par_iter()
        .zip(bodies)
        .map_init(Vec::new, |merged, (group, body)| {
            let body = &body[..];
            let mut done: Vec<(&[u8], usize)> = Vec::new();
            let mut vs: Vec<EventVector> = Vec::with_capacity(group.members.len());
            for &(m, _) in &group.members {
                let mine = own.of(m);
                if let Some(&(_, k)) = done.iter().find(|(o, _)| *o == mine) {
                    vs.push(vs[k].clone());
                    continue;
                }
                merge_terms(mine, body, merged);
                if done.len() < MAX_DISTINCT_HEADLINES {
                    done.push((mine, vs.len()));
                }
                vs.push(weigh_terms(
                    merged.iter().copied(),
                    &df,
                    story.top_terms,
                    story.max_df_share,
                ));
            }
            vs
        })
        .collect();
    let mut vectors: Vec<EventVector> = vec![EventVector::default(); n];
    for (group, vs) in res.groups.iter().zip(per_group) {
        for (&(m, _), v) in group.members.iter().zip(vs) {
            vectors[m as usize] = v;
        }
    }
    drop((df, own));
    progress.finish_phase();

    // Units: near-duplicate groups.
    progress.phase("clustering", None);
    let id_rank = crate::dedup::id_rank(&res.articles);
    // Each unit borrows its representative's vector for the clustering and gives it back after:
    // a copy of every distinct text's vector was a quarter of a gigabyte at gen 1M.
    let units: Vec<Unit> = res
        .groups
        .iter()
        .map(|g| Unit {
            vector: std::mem::take(&mut vectors[g.representative as usize]),
            first_day: g
                .members
                .iter()
                .filter_map(|&(m, _)| res.articles[m as usize].published)
                .min(),
            size: g.members.len(),
            rank: id_rank[g.representative as usize],
        })
        .collect();
    let ev = cluster_events(&units, story);
    for (g, unit) in res.groups.iter().zip(units) {
        vectors[g.representative as usize] = unit.vector;
    }
    progress.finish_phase();

    progress.phase("summaries", None);
    let (furniture, has_boilerplate) =
        story_furniture(&furniture, n, |m| ev.cluster_of[group_of[m as usize] as usize]);
    words.set_boilerplate(furniture, dedup_params.boilerplate.max_words);
    let n_clusters = ev.centroids.len();
    let mut members_of: Vec<Vec<u32>> = vec![Vec::new(); n_clusters];
    for (g, group) in res.groups.iter().enumerate() {
        let c = ev.cluster_of[g] as usize;
        members_of[c].extend(group.members.iter().map(|&(m, _)| m));
    }
    let sparams =
        SummaryParams { entities_only: detail == Detail::Assignments, ..SummaryParams::default() };
    let ctx = Context {
        res: &res,
        vectors: &vectors,
        slots: &slots,
        spill: &spill,
        group_of: &group_of,
        id_rank: &id_rank,
        has_boilerplate: &has_boilerplate,
    };
    // Largest first: a cluster's summary costs in proportion to its size, and a large one met
    // last kept one core busy while the other waited (gen 1M: about two core-seconds).
    let mut by_size: Vec<usize> = (0..n_clusters).collect();
    by_size.sort_by_key(|&c| std::cmp::Reverse(members_of[c].len()));
    let mut clusters: Vec<(usize, ClusterSummary)> = by_size
        .par_iter()
        .map(|&c| {
            let summary =
                summarize_cluster(&members_of[c], &ev.centroids[c], &ctx, &words, &sparams)?;
            Ok((c, summary))
        })
        .collect::<Result<_>>()?;
    // Largest first, then earliest, then by the first member id.
    clusters.sort_by(|(_, a), (_, b)| {
        b.size
            .cmp(&a.size)
            .then_with(|| a.first_date.cmp(&b.first_date))
            .then_with(|| a.members[0].id.cmp(&b.members[0].id))
    });
    let mut number = vec![0u32; n_clusters];
    for (k, (c, _)) in clusters.iter().enumerate() {
        number[*c] = k as u32;
    }
    let mut clusters: Vec<ClusterSummary> = clusters
        .into_iter()
        .map(|(c, mut s)| {
            s.cluster = number[c];
            s
        })
        .collect();
    // Threads link events by the entities their summaries name.
    let keys: Vec<Vec<u64>> = clusters.iter().map(|c| thread_keys(&c.entities)).collect();
    let days: Vec<Option<i32>> = clusters
        .iter()
        .map(|c| c.first_date.as_deref().and_then(crate::article::parse_date))
        .collect();
    let thread_of = dense_threads(&link_threads(&keys, &days, story));
    for (c, t) in clusters.iter_mut().zip(thread_of) {
        c.thread = t;
    }
    let threads = build_threads(&mut clusters);
    progress.finish_phase();
    // Freeing what the summaries read took 2.5 s at gen 1M, mostly closing the spill file,
    // whose gigabytes of cached pages the system then drops: a thread of its own does it while
    // the caller writes the output. Where no thread can be started, it is done here.
    let leftovers =
        (spill, vectors, words, slots, ev, members_of, group_of, id_rank, has_boilerplate);
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(leftovers));
    let meta = ReportMeta {
        inputs: corpus.inputs().iter().map(|i| i.name.clone()).collect(),
        articles: n,
        rejected: res.rejected.len(),
        clusters: clusters.len(),
        threads: threads.iter().filter(|t| t.clusters.len() > 1).count(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    Ok(StoryResult { dedup: res, clusters, threads, meta })
}

/// What summaries read from.
struct Context<'a> {
    res: &'a DedupResult,
    vectors: &'a [EventVector],
    slots: &'a [Slot],
    spill: &'a SpillReader,
    group_of: &'a [u32],
    /// Each article's rank by id, for orders that must not follow the input.
    id_rank: &'a [u32],
    /// Whether each article holds a line that is furniture for the summaries.
    has_boilerplate: &'a [bool],
}

fn summarize_cluster(
    members: &[u32],
    centroid: &EventVector,
    ctx: &Context,
    words: &TermStats,
    params: &SummaryParams,
) -> Result<ClusterSummary> {
    let (res, group_of) = (ctx.res, ctx.group_of);
    let arts = &res.articles;
    let reps: std::collections::HashSet<u32> =
        members.iter().map(|&m| res.groups[group_of[m as usize] as usize].representative).collect();
    // Each member's title, source, url and text, read back from the spill file.
    let spilled: Vec<Vec<u8>> = members
        .iter()
        .map(|&m| {
            let mut bytes = Vec::new();
            ctx.spill.read(ctx.slots[m as usize], &mut bytes)?;
            Ok(bytes)
        })
        .collect::<Result<_>>()?;
    let fields: Vec<[&str; 4]> = spilled.iter().map(|b| unpack::<4>(b)).collect::<Result<_>>()?;
    let texts: Vec<MemberText> = members
        .iter()
        .zip(&fields)
        .map(|(&m, &[title, source, _, text])| MemberText {
            id: &arts[m as usize].id,
            title,
            text,
            source,
            published: arts[m as usize].published,
            group: group_of[m as usize],
            is_group_representative: reps.contains(&m),
            has_boilerplate: ctx.has_boilerplate[m as usize],
        })
        .collect();
    let summary = summarize(&texts, words, params);
    // A text with no event terms at all ("Ok.") has nothing to compare: alone, or with only its
    // own copies, it is the whole cluster (similarity 1); among other texts it shares nothing.
    let lone = reps.len() == 1 && centroid.is_empty();
    // (member, similarity, position in `members`)
    let mut scored: Vec<(u32, f64, usize)> = members
        .iter()
        .enumerate()
        .map(|(k, &m)| {
            let v = &ctx.vectors[m as usize];
            let s = if lone {
                1.0
            } else if v.is_empty() {
                0.0
            } else {
                round4(v.cosine(centroid).clamp(0.0, 1.0))
            };
            (m, s, k)
        })
        .collect();
    scored.sort_by(|a, b| {
        b.1.total_cmp(&a.1).then_with(|| arts[a.0 as usize].id.cmp(&arts[b.0 as usize].id))
    });
    let cohesion = if scored.is_empty() {
        0.0
    } else {
        round4(scored.iter().map(|x| x.1).sum::<f64>() / scored.len() as f64)
    };
    let mut days: Vec<i32> = members.iter().filter_map(|&m| arts[m as usize].published).collect();
    days.sort_unstable();
    let mut per_day: Vec<DayCount> = Vec::new();
    for d in &days {
        match per_day.last_mut() {
            Some(last) if last.date == format_date(*d) => last.articles += 1,
            _ => per_day.push(DayCount { date: format_date(*d), articles: 1 }),
        }
    }
    let first_outlet = members
        .iter()
        .zip(&fields)
        .filter(|(&m, f)| arts[m as usize].published.is_some() && !f[1].is_empty())
        .min_by_key(|(&m, _)| {
            let a = &arts[m as usize];
            (a.instant(), a.id.as_str())
        })
        .map(|(_, f)| f[1].to_string());
    let outlets: std::collections::BTreeSet<&str> =
        fields.iter().map(|f| f[1]).filter(|s| !s.is_empty()).collect();
    let groups: std::collections::BTreeSet<u32> =
        members.iter().map(|&m| group_of[m as usize]).collect();
    // Keywords and entities come from the summariser (distinctive against the corpus); when
    // it finds none, the centroid's own heaviest terms stand in, named by re-extracting them
    // from the members (rare, so not worth keeping every term's text for), URL slugs included
    // as in the event vectors: a headline-only cluster's terms may come from its links alone.
    let label = |kind: TermKind, max: usize| -> Vec<String> {
        let mut names: ahash::AHashMap<u64, String> = ahash::AHashMap::new();
        let mut scratch = Extractor::new();
        for (t, f) in texts.iter().zip(&fields) {
            for term in scratch.extract_with_url(t.title, t.text, f[2], TITLE_WEIGHT, true) {
                // Several surface forms share a stem: keep one independent of member order,
                // a spelling with lower-case letters before a shouted one ("New York" over
                // "NEW YORK", which the filter below would drop).
                fn key(t: &str) -> (bool, &str) {
                    (!t.chars().any(char::is_lowercase), t)
                }
                let e = names.entry(term.hash).or_insert_with(|| term.text.clone());
                if key(&term.text) < key(e) {
                    *e = term.text.clone();
                }
            }
        }
        let mut v: Vec<(f32, &String)> = centroid
            .terms
            .iter()
            .zip(&centroid.weights)
            .filter(|(&t, _)| kind_of(t) == kind)
            .filter_map(|(t, &w)| names.get(t).map(|s| (w, s)))
            // A run of capitals from a shouting headline ("MLN DLRS IN LATEST WEEK") is not
            // a name; one word of capitals is an acronym and stays.
            .filter(|(_, s)| {
                kind != TermKind::Entity || !s.contains(' ') || s.chars().any(char::is_lowercase)
            })
            .collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        v.into_iter().take(max).map(|x| x.1.clone()).collect()
    };
    let keywords = if summary.keywords.is_empty() && !params.entities_only {
        label(TermKind::Word, params.keywords)
    } else {
        summary.keywords
    };
    let entities = if summary.entities.is_empty() {
        label(TermKind::Entity, params.entities)
    } else {
        summary.entities
    };
    Ok(ClusterSummary {
        cluster: 0,
        size: members.len(),
        headline: summary.headline,
        summary: summary.summary,
        keywords,
        entities,
        thread: 0,
        distinct_texts: groups.len(),
        outlets: outlets.len(),
        first_date: days.first().map(|&d| format_date(d)),
        last_date: days.last().map(|&d| format_date(d)),
        per_day,
        first_outlet,
        cohesion,
        // Members far from their own centroid on average: likely two events glued together.
        mixed: !params.entities_only && {
            // Distinct texts only: forty copies of one wire are one voice.
            let texts: Vec<u32> = members.iter().filter(|m| reps.contains(m)).copied().collect();
            let vectors: Vec<&EventVector> =
                texts.iter().map(|&m| &ctx.vectors[m as usize]).collect();
            let ranks: Vec<u32> = texts.iter().map(|&m| ctx.id_rank[m as usize]).collect();
            looks_mixed(&vectors, &ranks)
        },
        members: scored
            .iter()
            .map(|&(m, s, k)| {
                let member = MemberSummary {
                    id: arts[m as usize].id.clone(),
                    group: group_of[m as usize],
                    similarity: s,
                    title: String::new(),
                    source: String::new(),
                    published: None,
                    url: String::new(),
                };
                // Assignments name members by id alone: copying every member's strings only
                // to drop them cost memory and time for nothing.
                if params.entities_only {
                    return member;
                }
                let [title, source, url, _] = fields[k];
                MemberSummary {
                    title: title.to_string(),
                    source: source.to_string(),
                    published: arts[m as usize].published.map(format_date),
                    url: url.to_string(),
                    ..member
                }
            })
            .collect(),
        group_diffs: summary.group_diffs,
    })
}

/// Smallest share of a cluster's distinct texts the smaller half of a split must hold.
const MIXED_MIN_SHARE: f64 = 0.2;

/// Cosine between the two halves' centroids below which they report different events. On gen
/// 100k (clusters of 4 or more, "glued" = under 90% from one true event): 8 of 9 flags right at
/// 0.3, 8 of 37 at 0.45; most glued clusters there are one event plus a few stragglers, which
/// no split test sees.
const MIXED_MAX_COSINE: f64 = 0.3;

/// Whether a cluster looks like two events glued together: a 2-means split of its distinct
/// texts' event vectors (spherical k-means, Dhillon & Modha 2001; seeded with the text least
/// like the whole and the text least like that one, so deterministic) gives two substantial
/// halves whose centroids are far apart. One event's reports split into halves that still share
/// their names and places; two events' halves share little. `order` gives each text's rank by
/// id, in the same order as `vectors`: the answer must not depend on the input's order.
fn looks_mixed(vectors: &[&EventVector], order: &[u32]) -> bool {
    let n = vectors.len();
    if n < 4 {
        return false;
    }
    // Canonical order: by id. Article numbers follow the input, and with them the seeds and
    // the sums' rounding moved, flipping the flag on 5 of 320 UCI clusters in shuffled input.
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by_key(|&i| order[i]);
    let centroid = |which: &dyn Fn(usize) -> bool| -> ahash::AHashMap<u64, f64> {
        let mut sum: ahash::AHashMap<u64, f64> = ahash::AHashMap::new();
        for &i in idx.iter().filter(|&&i| which(i)) {
            for (t, &w) in vectors[i].terms.iter().zip(&vectors[i].weights) {
                *sum.entry(*t).or_insert(0.0) += f64::from(w);
            }
        }
        let norm = in_key_order(&sum, |_, w| w * w).sqrt().max(1e-12);
        sum.values_mut().for_each(|w| *w /= norm);
        sum
    };
    let dot = |v: &EventVector, c: &ahash::AHashMap<u64, f64>| -> f64 {
        v.terms.iter().zip(&v.weights).map(|(t, &w)| f64::from(w) * c.get(t).unwrap_or(&0.0)).sum()
    };
    let whole = centroid(&|_| true);
    let first = |score: &dyn Fn(usize) -> f64| -> usize {
        idx.iter().copied().fold(idx[0], |best, i| if score(i) < score(best) { i } else { best })
    };
    let a = first(&|i| dot(vectors[i], &whole));
    let b = first(&|i| if i == a { f64::INFINITY } else { vectors[i].cosine(vectors[a]) });
    let mut side: Vec<bool> = (0..n).map(|i| i == b).collect();
    let (mut ca, mut cb) = (centroid(&|i| i == a), centroid(&|i| i == b));
    for _ in 0..10 {
        let next: Vec<bool> = (0..n).map(|i| dot(vectors[i], &cb) > dot(vectors[i], &ca)).collect();
        if next == side {
            break;
        }
        side = next;
        ca = centroid(&|i| !side[i]);
        cb = centroid(&|i| side[i]);
    }
    let small = side.iter().filter(|&&x| x).count().min(side.iter().filter(|&&x| !x).count());
    if (small as f64) < MIXED_MIN_SHARE * n as f64 || small < 2 {
        return false;
    }
    let between = in_key_order(&ca, |t, w| w * cb.get(&t).unwrap_or(&0.0));
    between < MIXED_MAX_COSINE
}

/// The sum of `f` over a map's entries, added in key order: a hash map's own order would make
/// the rounding, and so a threshold decision, depend on its seed.
fn in_key_order(map: &ahash::AHashMap<u64, f64>, f: impl Fn(u64, f64) -> f64) -> f64 {
    let mut entries: Vec<(u64, f64)> = map.iter().map(|(&t, &w)| (t, w)).collect();
    entries.sort_unstable_by_key(|e| e.0);
    entries.into_iter().map(|(t, w)| f(t, w)).sum()
}

/// The sorted, distinct keys `link_threads` compares: the entities' lower-cased hashes, numbers
/// left out.
fn thread_keys(entities: &[String]) -> Vec<u64> {
    let mut k: Vec<u64> = entities
        .iter()
        // Amounts are numbers too: "$863 billion" names no story.
        .filter(|e| {
            !e.chars().find(|ch| ch.is_alphanumeric()).is_some_and(|ch| ch.is_ascii_digit())
        })
        .map(|e| xxhash_rust::xxh3::xxh3_64(e.to_lowercase().as_bytes()))
        .collect();
    k.sort_unstable();
    k.dedup();
    k
}

/// Thread numbers 0, 1, 2, ... for `root` (each event's thread as its smallest, so largest,
/// event): first the threads that link several events, then the one-event threads, each in the
/// order of their largest event. The `summary` record counts the linked threads only, so its
/// `threads: T` names exactly the threads numbered below T, and no number is skipped.
fn dense_threads(root: &[u32]) -> Vec<u32> {
    let mut events = vec![0u32; root.len()];
    for &r in root {
        events[r as usize] += 1;
    }
    let mut number = vec![u32::MAX; root.len()];
    let mut next = 0u32;
    for linked in [true, false] {
        for (c, &r) in root.iter().enumerate() {
            if r as usize == c && (events[c] > 1) == linked {
                number[c] = next;
                next += 1;
            }
        }
    }
    root.iter().map(|&r| number[r as usize]).collect()
}

fn build_threads(clusters: &mut [ClusterSummary]) -> Vec<ThreadSummary> {
    let mut by_thread: std::collections::BTreeMap<u32, Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, c) in clusters.iter().enumerate() {
        by_thread.entry(c.thread).or_default().push(i);
    }
    by_thread
        .into_iter()
        .map(|(t, idx)| {
            let mut ordered: Vec<&ClusterSummary> = idx.iter().map(|&i| &clusters[i]).collect();
            ordered.sort_by(|a, b| a.first_date.cmp(&b.first_date).then(a.cluster.cmp(&b.cluster)));
            let largest =
                idx.iter().map(|&i| &clusters[i]).min_by_key(|c| c.cluster).expect("non-empty");
            let mut shared: Vec<String> = largest.entities.clone();
            if ordered.len() > 1 {
                shared.retain(|e| ordered.iter().filter(|c| c.entities.contains(e)).count() > 1);
            }
            ThreadSummary {
                thread: t,
                clusters: ordered.iter().map(|c| c.cluster).collect(),
                size: ordered.iter().map(|c| c.size).sum(),
                headline: largest.headline.clone(),
                entities: shared,
                first_date: ordered.iter().filter_map(|c| c.first_date.clone()).min(),
                last_date: ordered.iter().filter_map(|c| c.last_date.clone()).max(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::features::event_vector;

    #[test]
    fn furniture_is_a_line_found_across_events() {
        // Line 7 is in articles of three events; line 9 in three copies of one event's story,
        // and line 8 in two events only.
        let event = [0, 0, 0, 1, 1, 2, 2, 2];
        let mut lines: Vec<(u32, u64)> = (0..3).map(|m| (m, 9)).collect();
        lines.extend([(0, 7), (3, 7), (7, 7), (1, 8), (4, 8)]);
        let (bp, has) = story_furniture(&lines, 8, |m| event[m as usize]);
        assert_eq!(bp.len(), 1);
        assert!(bp.contains_hash(7));
        assert!(!bp.contains_hash(9) && !bp.contains_hash(8));
        assert_eq!(has, [true, false, false, true, false, false, false, true]);
    }

    #[test]
    fn leads_are_cut_between_words() {
        assert_eq!(cut("short text", 100), "short text");
        assert_eq!(cut("the quick brown", 6), "the ");
        assert_eq!(cut("the quick brown", 4), "the ");
        assert_eq!(cut("the quick brown", 3), "the");
        // A cut inside a non-ASCII word backs off to its start, never inside a character.
        assert_eq!(cut("a Zürich b", 5), "a ");
        assert_eq!(cut("a Zürich b", 9), "a Zürich");
        assert_eq!(cut("a Zürich b", 10), "a Zürich ");
        // One word longer than any real word is cut where it must be.
        let long = "x".repeat(200);
        assert_eq!(cut(&long, 100).len(), 100);
        let tail = format!("ab {long}");
        assert_eq!(cut(&tail, 150).len(), 150);
        assert_eq!(cut(&tail, 50), "ab ");
    }

    #[test]
    fn headline_and_text_lists_merge_into_the_whole_articles_terms() {
        let mut ex = Extractor::new();
        // Words in both the headline and the text ("NATO", "Brussels", "air defence"), in one
        // only, and in the link.
        let (title, url) =
            ("NATO ministers meet in Brussels", "https://x.org/nato-air-defence-talks");
        let text =
            "Defence ministers of NATO met in Brussels on 12 October to discuss air defence \
                    for Ukraine. NATO said 50 countries would attend.";
        let mut whole: Vec<(u64, f32)> = ex
            .extract_with_url(title, text, url, TITLE_WEIGHT, false)
            .iter()
            .map(|t| (t.hash, t.tf))
            .collect();
        whole.sort_by_key(|t| t.0);
        let mut own = Vec::new();
        pack_sorted(ex.extract_with_url(title, "", url, TITLE_WEIGHT, false), &mut own);
        let mut body = Vec::new();
        pack_sorted(ex.extract_with_url("", text, "", TITLE_WEIGHT, false), &mut body);
        let mut merged = Vec::new();
        merge_terms(&own, &body, &mut merged);
        assert_eq!(merged, whole);
        assert!(merged.iter().any(|t| t.1 > TITLE_WEIGHT), "a term of both adds up");
        // A copy with no text of its own keeps just its headline and link terms.
        merge_terms(&own, &[], &mut merged);
        assert_eq!(merged.len(), own.len() / TERM_BYTES);
    }

    #[test]
    fn spilled_term_lists_weigh_as_the_extracted_terms() {
        let mut ex = Extractor::new();
        let docs = [
            ("NATO ministers meet in Brussels", "Defence ministers of NATO met in Brussels on 12 October to discuss air defence for Ukraine, officials said."),
            ("Ukraine asks for air defence", "Ukraine asked NATO for more air defence systems as ministers met."),
            ("Central bank holds rates", "The central bank held rates at 4.5% on Thursday."),
        ];
        let mut df = DocFreq::new();
        let mut extracted = Vec::new();
        let mut spilled = Vec::new();
        for (title, text) in docs {
            let terms = ex.extract_with_url(title, text, "", TITLE_WEIGHT, false).to_vec();
            df.add_hashes(terms.iter().map(|t| t.hash));
            let mut bytes = Vec::new();
            pack_terms(terms.iter().map(|t| (t.hash, t.tf)), &mut bytes);
            assert_eq!(bytes.len(), terms.len() * TERM_BYTES);
            let back: Vec<(u64, f32)> = unpack_terms(&bytes).collect();
            assert_eq!(back, terms.iter().map(|t| (t.hash, t.tf)).collect::<Vec<_>>());
            extracted.push(terms);
            spilled.push(bytes);
        }
        let trimmed = df.clone().without_singletons();
        for (terms, bytes) in extracted.iter().zip(&spilled) {
            let direct = event_vector(terms, &df, 8, 0.9);
            assert!(!direct.is_empty());
            assert_eq!(weigh_terms(unpack_terms(bytes), &trimmed, 8, 0.9), direct);
        }
    }

    #[test]
    fn assignments_are_the_full_runs_without_member_strings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let lines: String = (0..4)
            .map(|i| {
                format!(
                    "{}\n",
                    serde_json::json!({"id": format!("a{i}"), "title": "Storm hits coast", "text": "A storm hit the coast near Port Town on Friday, cutting power to thousands of homes.", "source": format!("Outlet {i}"), "url": format!("https://example.com/{i}"), "published": "2024-03-01"})
                )
            })
            .collect();
        std::fs::write(&path, lines).unwrap();
        let run = |detail| {
            let corpus =
                Corpus::open(std::slice::from_ref(&path), crate::read::FieldMap::default())
                    .unwrap();
            let (dedup, story) = (DedupParams::default(), StoryParams::default());
            cluster(&corpus, &dedup, &story, detail, false, &crate::progress::NoProgress).unwrap()
        };
        let (full, tsv) = (run(Detail::Full), run(Detail::Assignments));
        assert_eq!(full.clusters.len(), tsv.clusters.len());
        for (f, t) in full.clusters.iter().zip(&tsv.clusters) {
            assert_eq!((f.cluster, f.thread, f.size), (t.cluster, t.thread, t.size));
            assert_eq!((&f.first_date, &f.last_date), (&t.first_date, &t.last_date));
            for (fm, tm) in f.members.iter().zip(&t.members) {
                assert_eq!((&fm.id, fm.group, fm.similarity), (&tm.id, tm.group, tm.similarity));
                assert!(!fm.title.is_empty() && !fm.source.is_empty() && !fm.url.is_empty());
                assert!(fm.published.is_some());
                let empty = MemberSummary {
                    title: String::new(),
                    source: String::new(),
                    published: None,
                    url: String::new(),
                    ..tm.clone()
                };
                assert_eq!(tm, &empty);
            }
        }
    }

    #[test]
    fn thread_keys_leave_out_numbers_and_amounts() {
        let names = |v: &[&str]| thread_keys(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let k = names(&["NATO", "nato", "G7", "$863 billion", "€4.5 million", "2,701 families"]);
        assert_eq!(k, names(&["G7", "NATO"]), "case folded, amounts and counts out");
        assert_eq!(k.len(), 2);
    }

    #[test]
    fn threads_are_numbered_densely_linked_ones_first() {
        // Events 0..6 by size; threads {0}, {1, 4}, {2}, {3, 5}, {6} as link_threads gives
        // them (each event's thread as its smallest event).
        let root = [0, 1, 2, 3, 1, 3, 6];
        assert_eq!(dense_threads(&root), [2, 0, 3, 1, 0, 1, 4]);
        assert_eq!(dense_threads(&[]), Vec::<u32>::new());
    }

    fn vector(terms: std::ops::Range<u64>) -> EventVector {
        let n = (terms.end - terms.start) as f32;
        EventVector { terms: terms.collect(), weights: vec![1.0 / n.sqrt(); n as usize] }
    }

    #[test]
    fn two_events_glued_together_look_mixed_and_one_event_does_not() {
        // One event: reports sharing most of their terms, each with a few of its own.
        let one: Vec<EventVector> = (0..6u64).map(|i| vector(i..i + 20)).collect();
        let refs: Vec<&EventVector> = one.iter().collect();
        let order: Vec<u32> = (0..6).collect();
        assert!(!looks_mixed(&refs, &order));
        // Two events: two such groups with no term in common.
        let two: Vec<EventVector> = (0..4u64)
            .map(|i| vector(i..i + 20))
            .chain((0..3u64).map(|i| vector(100 + i..120 + i)))
            .collect();
        let refs: Vec<&EventVector> = two.iter().collect();
        let order: Vec<u32> = (0..7).collect();
        assert!(looks_mixed(&refs, &order));
        // The verdict does not depend on the members' order.
        let rev: Vec<&EventVector> = two.iter().rev().collect();
        let rev_order: Vec<u32> = (0..7).rev().collect();
        assert!(looks_mixed(&rev, &rev_order));
        // A lone straggler is not a second event.
        let straggler: Vec<EventVector> =
            (0..6u64).map(|i| vector(i..i + 20)).chain([vector(200..220)]).collect();
        let refs: Vec<&EventVector> = straggler.iter().collect();
        assert!(!looks_mixed(&refs, &order));
        assert!(!looks_mixed(&refs[..3], &order[..3]), "too small to split");
    }
}
