//! The story-clustering pipeline: near-duplicate groups (via [`crate::dedup`]), then event
//! clusters and story threads (via [`crate::cluster::story`]), then per-cluster summaries.
//!
//! Reads the corpus twice more than `dedup`: once to count term document frequencies, once to
//! build event vectors and keep what summaries and reports need (headline, outlet, link, date,
//! and the first [`TEXT_KEEP`] bytes of each text).

use ahash::AHashMap;
use rayon::prelude::*;

use crate::article::format_date;
use crate::cluster::features::{
    event_vector, extract, extract_with, DocFreq, EventVector, RawTerm, TermKind,
};
use crate::cluster::story::{cluster_events, link_threads, StoryParams, Unit};
use crate::dedup::{dedup, round4, DedupResult};
use crate::error::{Error, Result};
use crate::params::DedupParams;
use crate::progress::Progress;
use crate::read::{Chunk, Corpus};
use crate::story::{ClusterSummary, DayCount, MemberSummary, ReportMeta, ThreadSummary};
use crate::summarize::{summarize, MemberText, SummaryParams, TermStats};

/// Bytes of each article's text kept for summaries: news puts the key facts first.
pub const TEXT_KEEP: usize = 2500;

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

/// Display texts of the terms an article's vector kept.
type Labels = Vec<(u64, String)>;

struct Kept {
    title: String,
    source: String,
    url: String,
    text: String,
    vector: EventVector,
}

fn for_each_article<F>(corpus: &Corpus, res: &DedupResult, mut f: F) -> Result<()>
where
    F: FnMut(&Chunk, &[(usize, &crate::read::RawRecord)]) -> Result<()>,
{
    let mut next = 0usize;
    corpus.scan(|chunk: Chunk| {
        let mut mine = Vec::new();
        for rec in &chunk.records {
            if next < res.articles.len() && res.articles[next].loc == rec.loc {
                mine.push((next, rec));
                next += 1;
            }
        }
        f(&chunk, &mine)
    })?;
    if next != res.articles.len() {
        return Err(Error::parse("input", 0, "record", "input changed while being read"));
    }
    Ok(())
}

/// Runs near-duplicate detection, event clustering, threads and summaries.
pub fn cluster(
    corpus: &Corpus,
    dedup_params: &DedupParams,
    story: &StoryParams,
    skip_invalid: bool,
    progress: &dyn Progress,
) -> Result<StoryResult> {
    let res = dedup(corpus, dedup_params, skip_invalid, progress)?;
    let n = res.articles.len();

    // Document frequencies of terms (and, for summaries, of words).
    progress.phase("terms", Some(n as u64));
    let mut df = DocFreq::new();
    let mut words = TermStats::new();
    for_each_article(corpus, &res, |chunk, recs| {
        let (d, w) = recs
            .par_iter()
            .fold(
                || (DocFreq::new(), TermStats::new(), Vec::new()),
                |(mut d, mut w, mut buf): (DocFreq, TermStats, Vec<RawTerm>), (_, rec)| {
                    if let Ok(r) = corpus.parse(chunk, rec) {
                        extract_with(&r.title, &r.text, TITLE_WEIGHT, false, &mut buf);
                        d.add_hashes(buf.iter().map(|t| t.hash));
                        w.add_document(&r.text);
                    }
                    (d, w, buf)
                },
            )
            .map(|(d, w, _)| (d, w))
            .reduce(
                || (DocFreq::new(), TermStats::new()),
                |(mut d1, mut w1), (d2, w2)| {
                    d1.merge(d2);
                    w1.merge(w2);
                    (d1, w1)
                },
            );
        df.merge(d);
        words.merge(w);
        progress.advance(recs.len() as u64);
        Ok(())
    })?;
    progress.finish_phase();

    // Event vectors, and what the summaries need.
    progress.phase("events", Some(n as u64));
    let mut kept: Vec<Option<Kept>> = (0..n).map(|_| None).collect();
    let mut names: AHashMap<u64, String> = AHashMap::new();
    for_each_article(corpus, &res, |chunk, recs| {
        let got: Vec<(usize, Kept, Labels)> = recs
            .par_iter()
            .map_init(Vec::new, |buf: &mut Vec<RawTerm>, &(i, rec)| {
                let r = corpus.parse(chunk, rec).map_err(|r| r.to_error())?;
                extract(&r.title, &r.text, TITLE_WEIGHT, buf);
                let vector = event_vector(buf, &df, story.top_terms, story.max_df_share);
                let labels: Vec<(u64, String)> = buf
                    .iter()
                    .filter(|t| vector.terms.binary_search(&t.hash).is_ok())
                    .map(|t| (t.hash, t.text.clone()))
                    .collect();
                let mut text = r.text.to_string();
                if text.len() > TEXT_KEEP {
                    let mut cut = TEXT_KEEP;
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.truncate(cut);
                }
                let k = Kept {
                    title: r.title.to_string(),
                    source: r.source.to_string(),
                    url: r.url.to_string(),
                    text,
                    vector,
                };
                Ok((i, k, labels))
            })
            .collect::<Result<_>>()?;
        for (i, k, labels) in got {
            kept[i] = Some(k);
            for (h, t) in labels {
                // Several surface forms share a stem; keep one that does not depend on
                // input order.
                match names.entry(h) {
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        if t < *e.get() {
                            e.insert(t);
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(t);
                    }
                }
            }
        }
        progress.advance(recs.len() as u64);
        Ok(())
    })?;
    progress.finish_phase();
    let kept: Vec<Kept> = kept
        .into_iter()
        .map(|k| {
            k.ok_or_else(|| Error::parse("input", 0, "record", "input changed while being read"))
        })
        .collect::<Result<_>>()?;

    // Units: near-duplicate groups.
    progress.phase("clustering", None);
    let id_rank = {
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.par_sort_by(|&a, &b| res.articles[a as usize].id.cmp(&res.articles[b as usize].id));
        let mut rank = vec![0u32; n];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        rank
    };
    let units: Vec<Unit> = res
        .groups
        .iter()
        .map(|g| Unit {
            vector: kept[g.representative as usize].vector.clone(),
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
    progress.finish_phase();

    progress.phase("summaries", None);
    let mut group_of = vec![0u32; n];
    for (g, group) in res.groups.iter().enumerate() {
        for &(m, _) in &group.members {
            group_of[m as usize] = g as u32;
        }
    }
    let n_clusters = ev.centroids.len();
    let mut members_of: Vec<Vec<u32>> = vec![Vec::new(); n_clusters];
    for (g, group) in res.groups.iter().enumerate() {
        let c = ev.cluster_of[g] as usize;
        members_of[c].extend(group.members.iter().map(|&(m, _)| m));
    }
    let sparams = SummaryParams::default();
    let mut clusters: Vec<(usize, ClusterSummary)> = members_of
        .par_iter()
        .enumerate()
        .map(|(c, members)| {
            let summary = summarize_cluster(
                members,
                &ev.centroids[c],
                &res,
                &kept,
                &group_of,
                &names,
                &words,
                &sparams,
            );
            (c, summary)
        })
        .collect();
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
    // Threads link events by the entities their summaries name; numbered by their smallest
    // (so largest) cluster, in output order.
    let keys: Vec<Vec<u64>> = clusters
        .iter()
        .map(|c| {
            let mut k: Vec<u64> = c
                .entities
                .iter()
                .filter(|e| !e.chars().next().is_some_and(|ch| ch.is_ascii_digit()))
                .map(|e| xxhash_rust::xxh3::xxh3_64(e.to_lowercase().as_bytes()))
                .collect();
            k.sort_unstable();
            k.dedup();
            k
        })
        .collect();
    let days: Vec<Option<i32>> = clusters
        .iter()
        .map(|c| c.first_date.as_deref().and_then(crate::article::parse_date))
        .collect();
    let thread_of = link_threads(&keys, &days, story);
    for (c, t) in clusters.iter_mut().zip(thread_of) {
        c.thread = t;
    }
    let threads = build_threads(&mut clusters);
    progress.finish_phase();
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

#[allow(clippy::too_many_arguments)]
fn summarize_cluster(
    members: &[u32],
    centroid: &EventVector,
    res: &DedupResult,
    kept: &[Kept],
    group_of: &[u32],
    names: &AHashMap<u64, String>,
    words: &TermStats,
    params: &SummaryParams,
) -> ClusterSummary {
    let arts = &res.articles;
    let reps: std::collections::HashSet<u32> =
        members.iter().map(|&m| res.groups[group_of[m as usize] as usize].representative).collect();
    let texts: Vec<MemberText> = members
        .iter()
        .map(|&m| {
            let k = &kept[m as usize];
            MemberText {
                id: &arts[m as usize].id,
                title: &k.title,
                text: &k.text,
                source: &k.source,
                published: arts[m as usize].published,
                group: group_of[m as usize],
                is_group_representative: reps.contains(&m),
            }
        })
        .collect();
    let summary = summarize(&texts, words, params);
    let mut scored: Vec<(u32, f64)> = members
        .iter()
        .map(|&m| {
            let v = &kept[m as usize].vector;
            (m, if v.is_empty() { 0.0 } else { round4(v.cosine(centroid).clamp(0.0, 1.0)) })
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
        .filter(|&&m| arts[m as usize].published.is_some() && !kept[m as usize].source.is_empty())
        .min_by_key(|&&m| (arts[m as usize].published, arts[m as usize].id.as_str()))
        .map(|&m| kept[m as usize].source.clone());
    let outlets: std::collections::BTreeSet<&str> = members
        .iter()
        .map(|&m| kept[m as usize].source.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    let groups: std::collections::BTreeSet<u32> =
        members.iter().map(|&m| group_of[m as usize]).collect();
    let label = |kind: TermKind, max: usize| -> Vec<String> {
        let mut v: Vec<(f32, &String)> = centroid
            .terms
            .iter()
            .zip(&centroid.weights)
            .filter(|(t, _)| *t >> 62 == kind as u64)
            .filter_map(|(t, &w)| names.get(t).map(|s| (w, s)))
            .collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        v.into_iter().take(max).map(|x| x.1.clone()).collect()
    };
    // Keywords come from the summariser (distinctive against the corpus); fall back to the
    // centroid's own top words when it found none.
    let keywords = if summary.keywords.is_empty() {
        label(TermKind::Word, params.keywords)
    } else {
        summary.keywords
    };
    let entities = if summary.entities.is_empty() {
        label(TermKind::Entity, params.entities)
    } else {
        summary.entities
    };
    ClusterSummary {
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
        mixed: members.len() >= 4 && cohesion < 0.35,
        members: scored
            .iter()
            .map(|&(m, s)| {
                let k = &kept[m as usize];
                MemberSummary {
                    id: arts[m as usize].id.clone(),
                    group: group_of[m as usize],
                    similarity: s,
                    title: k.title.clone(),
                    source: k.source.clone(),
                    published: arts[m as usize].published.map(format_date),
                    url: k.url.clone(),
                }
            })
            .collect(),
        group_diffs: summary.group_diffs,
    }
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
