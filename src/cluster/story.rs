//! Event clusters and story threads.
//!
//! Near-duplicate groups (from [`crate::dedup`]) are the unit: copies of one text always share
//! an event. Each group is represented by its representative's [`EventVector`]. Candidate pairs
//! come from MinHash LSH over each vector's term set at a low Jaccard threshold (never from all
//! pairs). Groups are then visited in time order and assigned to the most similar open cluster
//! among their candidates' clusters, by cosine to the cluster centroid (single-pass centroid
//! clustering, as in the TDT event detection systems: Allan, Papka & Lavrenko 1998, "On-line new
//! event detection and tracking"; Yang, Pierce & Carbonell 1998). A cluster closes to newcomers
//! dated more than `window_days` after its first article, and similarity to a centroid, unlike
//! single-link components, cannot chain unrelated reports into a blob.
//!
//! Single-pass clusters of short texts are fragmented (a headline shares few words with any one
//! centroid), so they are then refined on the graph of candidate pairs by Louvain on the
//! Constant Potts Model ([`super::community`]), warm-started from them: a fragment with many
//! light edges into a larger cluster joins it, and CPM's resolution (`resolution`) keeps a
//! cluster only while its members are linked more densely than that on average. Edge weights
//! are cosines decayed with the days between the two reports (half-life `edge_half_life`), as
//! the time-decayed similarity of Yang, Pierce & Carbonell (1998): reports days apart on the
//! same subject are more often separate events.
//!
//! Threads link events that continue one another ([`link_threads`]): events in time order join
//! the thread whose entity profile (how many of its events name each entity) they share enough
//! of, if it was last active within `thread_window_days`. Like the centroid above, the profile
//! stands for the whole thread, so threads do not chain. Everything is ordered by dates and
//! ids, never by input order or thread timing.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use ahash::AHashMap;
use rayon::prelude::*;

use super::community::{louvain, Graph};
use super::features::EventVector;
use crate::lsh::candidates::{candidate_pairs_in_time, MAX_BUCKET};
use crate::lsh::choose_bands;
use crate::shingle::mix64;
use crate::sketch::{MinHasher, Signatures};

/// Parameters of event clustering.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryParams {
    /// Terms kept per event vector.
    pub top_terms: usize,
    /// Cosine to a cluster centroid needed to join it.
    pub threshold: f64,
    /// Jaccard of term sets at which LSH makes candidates (low: recall matters here).
    pub candidate_threshold: f64,
    /// Days after a cluster's first article within which it accepts new articles.
    pub window_days: i32,
    /// Days after a thread's latest event within which an event can continue it.
    pub thread_window_days: i32,
    /// Share of its entities an event must have in common with a thread's events on average
    /// (of the shorter of its list and their mean list) to join the thread.
    pub thread_overlap: f64,
    /// Terms found in more than this share of all articles carry no event signal.
    pub max_df_share: f64,
    /// How a unit is compared with a cluster.
    pub linkage: Linkage,
    /// Cosine between cluster centroids at which a fragment joins a larger cluster (None: no
    /// merge round).
    pub merge_threshold: Option<f64>,
    /// CPM resolution of the Louvain refinement on the candidate graph: the mean edge weight a
    /// cluster's members need among themselves (None: no refinement). Higher keeps more apart.
    pub resolution: Option<f64>,
    /// Cosine a candidate pair needs to be an edge of the refinement graph.
    pub edge_threshold: f64,
    /// Days over which a refinement edge's weight halves with the gap between the two
    /// reports' first days (None: no decay).
    pub edge_half_life: Option<f64>,
    /// Cosine to the rest of its cluster below which a unit leaves it for a cluster of its own
    /// (0: never).
    pub straggler_threshold: f64,
    /// Seed of the sketches.
    pub seed: u64,
}

impl Default for StoryParams {
    fn default() -> Self {
        StoryParams {
            top_terms: 32,
            threshold: 0.2,
            candidate_threshold: 0.1,
            window_days: 3,
            thread_window_days: 180,
            thread_overlap: 0.3,
            max_df_share: 0.2,
            linkage: Linkage::Centroid,
            // The refinement joins fragments better than the merge round (README, Quality).
            merge_threshold: None,
            resolution: Some(0.03),
            edge_threshold: 0.0,
            edge_half_life: Some(1.0),
            // Half the event threshold. BCubed F1, none / 0.05 / 0.1 / 0.15: dense gen 100k
            // 0.9732 / – / 0.9909 / 0.9937 (at 0.12), UCI 0.8272 / 0.8281 / 0.8306 / 0.8063,
            // gen 20k 0.9989 / 0.9990 / 0.9992 / 0.9994.
            straggler_threshold: 0.1,
            seed: 0,
        }
    }
}

/// How a unit is compared with a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// Cosine to the cluster's centroid (sum of member vectors).
    Centroid,
    /// Mean cosine to the cluster's members (group-average linkage), which does not shrink as
    /// a cluster of short, varied texts grows.
    Average,
}

impl StoryParams {
    /// Checks ranges.
    pub fn validate(&self) -> crate::error::Result<()> {
        use crate::error::Error;
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::param("--event-threshold", "must be in (0, 1]"));
        }
        if self.window_days < 0 {
            return Err(Error::param("--window-days", "must not be negative"));
        }
        if self.thread_window_days < 0 {
            return Err(Error::param("--thread-window-days", "must not be negative"));
        }
        if self.resolution.is_some_and(|g| !(g > 0.0 && g.is_finite())) {
            return Err(Error::param("--resolution", "must be positive (0 turns it off)"));
        }
        if self.edge_half_life.is_some_and(|h| !(h > 0.0 && h.is_finite())) {
            return Err(Error::param("--edge-half-life", "must be positive (0 turns it off)"));
        }
        if !(self.straggler_threshold >= 0.0 && self.straggler_threshold <= 1.0) {
            return Err(Error::param("--straggler-threshold", "must be in [0, 1]"));
        }
        if !(self.edge_threshold >= 0.0 && self.edge_threshold <= 1.0) {
            return Err(Error::param("--edge-threshold", "must be in [0, 1]"));
        }
        if !(1..=1024).contains(&self.top_terms) {
            return Err(Error::param("--top-terms", "must be between 1 and 1024"));
        }
        // Shares and similarities outside their range were taken silently and gave a run
        // that looked normal (`--thread-overlap 1.5` or `nan` linked no threads at all).
        if !(self.thread_overlap >= 0.0 && self.thread_overlap <= 1.0) {
            return Err(Error::param("--thread-overlap", "must be in [0, 1]"));
        }
        if !(self.candidate_threshold > 0.0 && self.candidate_threshold <= 1.0) {
            return Err(Error::param("--candidate-threshold", "must be in (0, 1]"));
        }
        if !(self.max_df_share > 0.0 && self.max_df_share <= 1.0) {
            return Err(Error::param("--max-df-share", "must be in (0, 1]"));
        }
        if self.merge_threshold.is_some_and(|m| !(m > 0.0 && m <= 1.0)) {
            return Err(Error::param("--merge-threshold", "must be in [0, 1] (0 turns it off)"));
        }
        Ok(())
    }
}

/// One unit to cluster: a near-duplicate group.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Event vector of the group's representative.
    pub vector: EventVector,
    /// Earliest publication day in the group.
    pub first_day: Option<i32>,
    /// Articles in the group.
    pub size: usize,
    /// Rank of the representative's id (a total order independent of input order).
    pub rank: u32,
}

/// Result of event clustering over units.
#[derive(Debug, Clone)]
pub struct EventClusters {
    /// Cluster of each unit.
    pub cluster_of: Vec<u32>,
    /// Centroid of each cluster (sum of member vectors, normalised).
    pub centroids: Vec<EventVector>,
}

/// Unit numbers in time order; undated units go last, ties by id rank.
fn time_order(units: &[Unit]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..units.len() as u32).collect();
    order.sort_by_key(|&i| {
        (units[i as usize].first_day.unwrap_or(i32::MAX), units[i as usize].rank)
    });
    order
}

/// [`time_order`] and each unit's place in it.
fn time_positions(units: &[Unit]) -> (Vec<u32>, Vec<u32>) {
    let order = time_order(units);
    let mut pos = vec![0u32; units.len()];
    for (p, &u) in order.iter().enumerate() {
        pos[u as usize] = p as u32;
    }
    (order, pos)
}

/// The centroids of `count` clusters, each unit added in time `order`.
fn centroids_of(order: &[u32], cluster_of: &[u32], units: &[Unit], count: usize) -> Vec<Centroid> {
    // Each cluster's members in time order, so that clusters are built independently (in
    // parallel) and each adds its members in the order a single pass would.
    let members = Adjacency::grouped(count, order.iter().map(|&u| (cluster_of[u as usize], u)));
    (0..count as u32)
        .into_par_iter()
        .map(|c| {
            let mut cl = Centroid::default();
            for &u in members.of(c) {
                cl.add(&units[u as usize].vector, 1);
                if cl.first_day.is_none() {
                    cl.first_day = units[u as usize].first_day;
                }
            }
            cl
        })
        .collect()
}

/// Lists of `u32` per node in one flat array (compressed sparse rows): one allocation instead
/// of one growing vector per node.
struct Adjacency {
    start: Vec<usize>,
    items: Vec<u32>,
}

impl Adjacency {
    /// Each pair listed under its later end (by `pos`, a position in time order) only: that
    /// end's list, in pair order, holds its earlier neighbours.
    fn earlier(n: usize, pairs: &[(u32, u32, f64)], pos: &[u32]) -> Self {
        let later = |a: u32, b: u32| pos[a as usize] > pos[b as usize];
        Self::grouped(n, pairs.iter().map(|&(a, b, _)| if later(a, b) { (a, b) } else { (b, a) }))
    }

    /// Items grouped by key (`key < n`), in the order given.
    fn grouped(n: usize, entries: impl Iterator<Item = (u32, u32)> + Clone) -> Self {
        let mut start = vec![0usize; n + 1];
        for (k, _) in entries.clone() {
            start[k as usize + 1] += 1;
        }
        for k in 0..n {
            start[k + 1] += start[k];
        }
        let mut next = start.clone();
        let mut items = vec![0u32; start[n]];
        for (k, v) in entries {
            items[next[k as usize]] = v;
            next[k as usize] += 1;
        }
        Adjacency { start, items }
    }

    fn of(&self, k: u32) -> &[u32] {
        &self.items[self.start[k as usize]..self.start[k as usize + 1]]
    }
}

/// Candidate unit pairs with their cosine: MinHash over each vector's term set, LSH at
/// `candidate_threshold`.
/// `pos[u]` is unit `u`'s place in time order ([`time_positions`]).
fn candidates(units: &[Unit], pos: &[u32], params: &StoryParams) -> Vec<(u32, u32, f64)> {
    let k = 64;
    let hasher = MinHasher::new(k, params.seed ^ 0xE7E7);
    let mut sigs = Signatures::new(k);
    let flat: Vec<Vec<u32>> = units
        .par_iter()
        .map(|u| {
            let mut s = vec![0u32; k];
            // Term hashes keep their kind in the top bits; sketches need uniformly mixed bits.
            let mixed: Vec<u64> = u.vector.terms.iter().map(|&t| mix64(t)).collect();
            hasher.sketch(&mixed, &mut s);
            s
        })
        .collect();
    for s in &flat {
        sigs.push(s);
    }
    let Ok(lsh) = choose_bands(params.candidate_threshold, k, None, None) else {
        return Vec::new();
    };
    // Buckets are walked in time order, so each unit meets its nearest reports in time first.
    let days: Vec<Option<i32>> = units.iter().map(|u| u.first_day).collect();
    let skip: Vec<bool> = units.iter().map(|u| u.vector.is_empty()).collect();
    let filters: Vec<TermFilter> = units.par_iter().map(|u| TermFilter::new(&u.vector)).collect();
    // The window needs no check here: candidate_pairs_in_time pairs no dated units further
    // apart than it.
    candidate_pairs_in_time(
        &sigs,
        lsh,
        pos,
        &skip,
        &days,
        params.window_days,
        MAX_BUCKET,
        |a, b| {
            let (ua, ub) = (&units[a as usize], &units[b as usize]);
            let c = filters[a as usize].cosine(&ua.vector, &ub.vector);
            (c > 0.0).then_some(c as f32)
        },
    )
    .into_iter()
    .map(|p| (p.a, p.b, f64::from(p.score)))
    .collect()
}

/// A 512-bit Bloom filter of a vector's terms, for scoring candidate pairs. The merge-join of
/// two sorted term lists is a chain of dependent steps, and scoring the candidate pairs was the
/// largest cost of event clustering (perf); probing one vector's terms against the other's
/// filter makes the steps independent, and only the few that pass need a binary search.
struct TermFilter([u64; 8]);

/// Terms above which a filter fills up and the merge-join is used instead.
const FILTER_TERMS: usize = 64;

impl TermFilter {
    fn new(v: &EventVector) -> Self {
        let mut bits = [0u64; 8];
        for &t in &v.terms {
            // Term hashes are mixed in their low bits (the kind sits in the top two).
            bits[(t >> 6) as usize & 7] |= 1 << (t & 63);
        }
        TermFilter(bits)
    }

    /// The cosine of `a` (this filter's vector) and `b`: the merge-join's sum, term for term
    /// in the same order.
    fn cosine(&self, a: &EventVector, b: &EventVector) -> f64 {
        if a.terms.len() > FILTER_TERMS {
            return a.cosine(b);
        }
        let mut dot = 0.0f64;
        for (&t, &w) in b.terms.iter().zip(&b.weights) {
            if self.0[(t >> 6) as usize & 7] & (1 << (t & 63)) != 0 {
                if let Ok(i) = a.terms.binary_search(&t) {
                    dot += f64::from(a.weights[i]) * f64::from(w);
                }
            }
        }
        dot
    }
}

/// Hashes a term hash with one multiplication. Term hashes are uniformly mixed already (but
/// for the kind in their top two bits, which the multiplication spreads), and centroid lookups
/// are the single-pass assignment's main cost.
#[derive(Default, Clone, Copy)]
struct TermHasher(u64);

impl Hasher for TermHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Default)]
struct Centroid {
    sum: HashMap<u64, f64, BuildHasherDefault<TermHasher>>,
    norm2: f64,
    members: usize,
    first_day: Option<i32>,
}

impl Centroid {
    /// The sum of member vectors dotted with `v`.
    fn dot(&self, v: &EventVector) -> f64 {
        v.terms
            .iter()
            .zip(&v.weights)
            .map(|(t, &w)| self.sum.get(t).map_or(0.0, |s| s * f64::from(w)))
            .sum()
    }

    fn similarity(&self, v: &EventVector, linkage: Linkage) -> f64 {
        if self.norm2 <= 0.0 {
            return 0.0;
        }
        let dot = self.dot(v);
        match linkage {
            Linkage::Centroid => dot / self.norm2.sqrt(),
            // The sum of unit vectors dotted with v is the sum of cosines to the members.
            Linkage::Average => dot / self.members.max(1) as f64,
        }
    }

    fn add(&mut self, v: &EventVector, times: usize) {
        self.members += 1;
        let times = times as f64;
        for (t, &w) in v.terms.iter().zip(&v.weights) {
            let e = self.sum.entry(*t).or_insert(0.0);
            let old = *e;
            *e += f64::from(w) * times;
            self.norm2 += *e * *e - old * old;
        }
    }

    fn vector(&self, top: usize) -> EventVector {
        let mut w: Vec<(u64, f64)> = self.sum.iter().map(|(&t, &s)| (t, s)).collect();
        w.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        w.truncate(top);
        w.sort_by_key(|x| x.0);
        let norm = w.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt().max(1e-12);
        EventVector {
            terms: w.iter().map(|x| x.0).collect(),
            weights: w.iter().map(|x| (x.1 / norm) as f32).collect(),
        }
    }
}

/// Clusters `units` into events and links events into threads.
pub fn cluster_events(units: &[Unit], params: &StoryParams) -> EventClusters {
    let n = units.len();
    let (order, pos) = time_positions(units);
    let pairs = candidates(units, &pos, params);
    // A unit only ever meets clusters of units before it in time order (those after it have
    // none yet), so only earlier neighbours are listed: half the entries of listing both ends.
    let adj = Adjacency::earlier(n, &pairs, &pos);
    // The refinement's graph needs the pairs, not the single pass's clusters: it is built on
    // the other cores while the single pass, which must go in order on one, runs (at gen 1M
    // 2.9 s of work beside 3.5 s of single pass).
    let ((mut cluster_of, mut clusters), graph) = rayon::join(
        || single_pass(units, &order, &adj, params),
        || params.resolution.map(|_| edge_graph(pairs, &pos, units, params)),
    );
    drop(adj);
    if let Some(t) = params.merge_threshold {
        merge_fragments(&mut clusters, &mut cluster_of, units, params, t);
    }
    if let (Some(gamma), Some(graph)) = (params.resolution, graph) {
        clusters = refine(&graph, &order, &mut cluster_of, units, gamma);
    }
    if params.straggler_threshold > 0.0 {
        clusters =
            eject_stragglers(&clusters, &order, &mut cluster_of, units, params.straggler_threshold);
    }
    let centroids: Vec<EventVector> = clusters.par_iter().map(|c| c.vector(64)).collect();
    EventClusters { cluster_of, centroids }
}

/// Single-pass centroid clustering: `units` in time `order`, each into the most similar open
/// cluster among its earlier neighbours' (`adj`), or a new one; returns each unit's cluster and
/// the clusters' centroids.
fn single_pass(
    units: &[Unit],
    order: &[u32],
    adj: &Adjacency,
    params: &StoryParams,
) -> (Vec<u32>, Vec<Centroid>) {
    const NONE: u32 = u32::MAX;
    let mut cluster_of = vec![NONE; units.len()];
    let mut clusters: Vec<Centroid> = Vec::new();
    // The unit that last looked at each cluster: a unit in a large LSH bucket has thousands of
    // candidates, and checking each cluster once must not cost a scan of those already seen.
    let mut seen_by: Vec<u32> = Vec::new();
    for &u in order {
        let unit = &units[u as usize];
        let mut best: Option<(f64, u32)> = None;
        for &nb in adj.of(u) {
            let c = cluster_of[nb as usize];
            if c == NONE || seen_by[c as usize] == u {
                continue;
            }
            seen_by[c as usize] = u;
            let cl = &clusters[c as usize];
            if let (Some(d), Some(f)) = (unit.first_day, cl.first_day) {
                if d - f > params.window_days {
                    continue;
                }
            }
            let s = cl.similarity(&unit.vector, params.linkage);
            if s >= params.threshold && best.is_none_or(|(bs, bc)| s > bs || (s == bs && c < bc)) {
                best = Some((s, c));
            }
        }
        let c = match best {
            Some((_, c)) => c,
            None => {
                clusters.push(Centroid { first_day: unit.first_day, ..Default::default() });
                seen_by.push(u);
                (clusters.len() - 1) as u32
            }
        };
        cluster_of[u as usize] = c;
        let cl = &mut clusters[c as usize];
        // Copies count once: a story syndicated ten times is still one voice in the centroid.
        cl.add(&unit.vector, 1);
        if cl.first_day.is_none() {
            cl.first_day = unit.first_day;
        }
    }
    (cluster_of, clusters)
}

/// Moves out of its cluster every unit whose cosine to the rest of the cluster (the centroid
/// without it) is below `threshold`, each into a cluster of its own; returns the new centroids.
///
/// The refinement optimises a whole partition: at resolution γ a unit joins a community when
/// its edges into it outweigh γ per member, so in dense news a report sharing one generic
/// term with each of many members ends up inside an event it has nothing to do with. Checking
/// each member against the cluster as a whole, as single-pass assignment does on entry, sends
/// such stragglers out. Decisions are made against the clusters as they stand, all at once, so
/// the result does not depend on the order they are checked in.
fn eject_stragglers(
    clusters: &[Centroid],
    order: &[u32],
    cluster_of: &mut [u32],
    units: &[Unit],
    threshold: f64,
) -> Vec<Centroid> {
    let mut next = clusters.len() as u32;
    let eject: Vec<bool> = order
        .par_iter()
        .map(|&u| {
            let c = &clusters[cluster_of[u as usize] as usize];
            let v = &units[u as usize].vector;
            if c.members < 2 || v.is_empty() {
                return false;
            }
            // The rest of the cluster is its sum minus v (unit length).
            let dot = c.dot(v);
            let rest2 = (c.norm2 - 2.0 * dot + 1.0).max(0.0);
            let cos = if rest2 > 1e-12 { (dot - 1.0) / rest2.sqrt() } else { 1.0 };
            cos < threshold
        })
        .collect();
    for (&u, &out) in order.iter().zip(&eject) {
        if out {
            cluster_of[u as usize] = next;
            next += 1;
        }
    }
    // A cluster all of whose units left is gone: renumber densely, in time order.
    let mut number = vec![u32::MAX; next as usize];
    let mut count = 0u32;
    for &u in order {
        let c = &mut number[cluster_of[u as usize] as usize];
        if *c == u32::MAX {
            *c = count;
            count += 1;
        }
        cluster_of[u as usize] = *c;
    }
    centroids_of(order, cluster_of, units, count as usize)
}

/// Day gaps whose edge decay [`refine`] tabulates; longer ones (a window set wider than this)
/// are computed as met.
const DECAY_TABLE_DAYS: u32 = 366;

/// Louvain refinement ([`super::community`]) of `cluster_of` on `graph` ([`edge_graph`]);
/// returns the new clusters' centroids. Nodes are numbered by their place in the time order, so
/// nothing depends on input order.
fn refine(
    graph: &Graph,
    order: &[u32],
    cluster_of: &mut [u32],
    units: &[Unit],
    gamma: f64,
) -> Vec<Centroid> {
    let initial: Vec<u32> = order.iter().map(|&u| cluster_of[u as usize]).collect();
    let identity: Vec<u32> = (0..units.len() as u32).collect();
    let part = louvain(graph, &initial, &identity, gamma);
    let m = part.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    for (p, &u) in order.iter().enumerate() {
        cluster_of[u as usize] = part[p];
    }
    centroids_of(order, cluster_of, units, m)
}

/// The refinement's graph: candidate pairs whose cosine reaches `edge_threshold`, weighed by
/// the time decay, with nodes numbered by their place in time order (`pos`).
fn edge_graph(
    pairs: Vec<(u32, u32, f64)>,
    pos: &[u32],
    units: &[Unit],
    params: &StoryParams,
) -> Graph {
    let n = units.len();
    // Gaps are whole days: the decay of each is worked out once, not once per edge (19 million
    // at gen 1M).
    let decay_of = |gap: f64| params.edge_half_life.map_or(1.0, |h| 0.5f64.powf(gap / h));
    let decays: Vec<f64> = (0..=DECAY_TABLE_DAYS).map(|d| decay_of(f64::from(d))).collect();
    // In place: a second list of 19 million edges would be 300 MB more.
    let mut edges = pairs;
    edges.retain(|p| p.2 >= params.edge_threshold);
    edges.par_iter_mut().for_each(|e| {
        let (a, b, s) = *e;
        let (x, y) = (pos[a as usize], pos[b as usize]);
        // Candidate pairs are never further apart than the window (see `candidates`).
        let gap = match (units[a as usize].first_day, units[b as usize].first_day) {
            (Some(d), Some(e)) => (d - e).unsigned_abs(),
            _ => 0,
        };
        let decay = match decays.get(gap as usize) {
            Some(&d) => d,
            None => decay_of(f64::from(gap)),
        };
        *e = (x.min(y), x.max(y), s * decay);
    });
    // Pairs are distinct, so an unstable sort is deterministic; at gen 1M there are 19 million.
    edges.par_sort_unstable_by_key(|a| (a.0, a.1));
    Graph::new(n, &edges)
}

/// One round of centroid merging: single-pass assignment splits an event whose first reports
/// share few words with later ones into fragments; a fragment whose centroid is close enough to
/// a larger cluster's (and within the time window) joins it. Each cluster moves at most once and
/// only into a larger one, so fragments cannot chain into a blob.
fn merge_fragments(
    clusters: &mut Vec<Centroid>,
    cluster_of: &mut [u32],
    units: &[Unit],
    params: &StoryParams,
    threshold: f64,
) {
    let m = clusters.len();
    let vectors: Vec<EventVector> = clusters.par_iter().map(|c| c.vector(64)).collect();
    let sizes: Vec<usize> = {
        let mut s = vec![0usize; m];
        for (u, &c) in cluster_of.iter().enumerate() {
            s[c as usize] += units[u].size;
        }
        s
    };
    let pseudo: Vec<Unit> = (0..m)
        .map(|c| Unit {
            vector: vectors[c].clone(),
            first_day: clusters[c].first_day,
            size: sizes[c],
            rank: c as u32,
        })
        .collect();
    let (_, pos) = time_positions(&pseudo);
    let pairs = candidates(&pseudo, &pos, params);
    let mut best: Vec<Option<(f64, u32)>> = vec![None; m];
    for &(a, b, _) in &pairs {
        let s = vectors[a as usize].cosine(&vectors[b as usize]);
        if s < threshold {
            continue;
        }
        // The smaller cluster (ties: the later one) moves into the larger.
        let (from, to) =
            if (sizes[a as usize], b) > (sizes[b as usize], a) { (b, a) } else { (a, b) };
        let slot = &mut best[from as usize];
        if slot.is_none_or(|(bs, bt)| s > bs || (s == bs && to < bt)) {
            *slot = Some((s, to));
        }
    }
    // Targets that move themselves are not followed: one hop only.
    let target: Vec<u32> = (0..m as u32)
        .map(|c| match best[c as usize] {
            Some((_, t)) if best[t as usize].is_none() => t,
            _ => c,
        })
        .collect();
    for c in cluster_of.iter_mut() {
        *c = target[*c as usize];
    }
    for c in 0..m {
        let t = target[c] as usize;
        if t != c {
            let moved = std::mem::take(&mut clusters[c]);
            for (term, w) in moved.sum {
                let e = clusters[t].sum.entry(term).or_insert(0.0);
                let old = *e;
                *e += w;
                clusters[t].norm2 += *e * *e - old * old;
            }
            clusters[t].members += moved.members;
        }
    }
    // Renumber densely so that every cluster index holds members.
    let mut new_index = vec![u32::MAX; m];
    let mut kept = Vec::new();
    for (c, cl) in std::mem::take(clusters).into_iter().enumerate() {
        if target[c] as usize == c {
            new_index[c] = kept.len() as u32;
            kept.push(cl);
        }
    }
    for c in cluster_of.iter_mut() {
        *c = new_index[*c as usize];
    }
    *clusters = kept;
}

/// Links events into threads: events in time order (first day, undated last, ties by event
/// number) each join the open thread whose entity profile they match best, or start one. A
/// thread's profile counts, for each entity, the events naming it, so the comparison is with
/// the thread as a whole (the mean over its events), never with its closest member: a chain
/// whose neighbours share names but whose ends do not stays apart, as union-find would not.
///
/// `entities` holds each event's sorted, distinct keys. An event joins a thread only if it
/// shares at least two entities with the thread's events on average, that mean is at least
/// `thread_overlap` of the shorter of its own list and the thread's mean list, and its first
/// day is at most `thread_window_days` after the thread's latest event. For a one-event
/// thread this is the pairwise rule: two shared names and `thread_overlap` of the smaller
/// list. An entity found in more than 200 events (a country, a president, an outlet's "Follow
/// us on WhatsApp") is no evidence either way and is left out of every list. Candidate threads
/// come from the entity index, never from all pairs. Returns each event's thread as its
/// smallest member.
pub fn link_threads(
    entities: &[Vec<u64>],
    first_days: &[Option<i32>],
    params: &StoryParams,
) -> Vec<u32> {
    let n = entities.len();
    let mut index: AHashMap<u64, Vec<u32>> = AHashMap::new();
    for (c, ents) in entities.iter().enumerate() {
        for &e in ents {
            index.entry(e).or_default().push(c as u32);
        }
    }
    index.retain(|_, events| events.len() <= MAX_THREAD_POSTINGS);
    // Counted as shared, common names linked events whose only bond was one outlet's
    // furniture line and "WhatsApp" (gen 100k: a thread of 566 articles from 119 events).
    let keys: Vec<Vec<u64>> = entities
        .iter()
        .map(|ents| ents.iter().copied().filter(|e| index.contains_key(e)).collect())
        .collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by_key(|&c| (first_days[c as usize].is_none(), first_days[c as usize], c));
    let mut threads: Vec<Thread> = Vec::new();
    let mut thread_of = vec![u32::MAX; n];
    // Last event each thread was gathered for, so a candidate is scored once per event.
    let mut seen: Vec<u32> = Vec::new();
    let mut candidates: Vec<u32> = Vec::new();
    for &c in &order {
        let (own, day) = (&keys[c as usize], first_days[c as usize]);
        candidates.clear();
        for key in own {
            for &other in &index[key] {
                let t = thread_of[other as usize];
                if t != u32::MAX && seen[t as usize] != c {
                    seen[t as usize] = c;
                    candidates.push(t);
                }
            }
        }
        let mut best: Option<(f64, u32)> = None;
        for &t in &candidates {
            let thread = &threads[t as usize];
            if let (Some(d), Some(last)) = (day, thread.last_day) {
                if d - last > params.thread_window_days {
                    continue;
                }
            }
            let Some(overlap) = thread.overlap(own) else { continue };
            // Ties go to the older thread: numbers follow time order, not input order.
            if overlap >= params.thread_overlap
                && best.is_none_or(|(o, b)| overlap > o || (overlap == o && t < b))
            {
                best = Some((overlap, t));
            }
        }
        let t = match best {
            Some((_, t)) => t,
            None => {
                threads.push(Thread::default());
                seen.push(u32::MAX);
                threads.len() as u32 - 1
            }
        };
        threads[t as usize].add(c, own, day);
        thread_of[c as usize] = t;
    }
    thread_of.iter().map(|&t| threads[t as usize].first).collect()
}

/// Events sharing an entity more often than this are not compared through it.
const MAX_THREAD_POSTINGS: usize = 200;

/// Entities two events need in common to be one thread, and the mean an event needs with a
/// thread's events: one shared name is too often a coincidence.
const MIN_SHARED: u32 = 2;

/// A story thread as its entity profile.
#[derive(Debug, Default)]
struct Thread {
    /// (entity, events naming it), sorted by entity.
    profile: Vec<(u64, u32)>,
    events: u32,
    /// Sum of the members' list lengths.
    names: u32,
    /// Smallest member (events are numbered largest first).
    first: u32,
    last_day: Option<i32>,
}

impl Thread {
    /// Mean shared entities of `keys` with the members, over the shorter of `keys` and the
    /// members' mean list; None below [`MIN_SHARED`] shared on average.
    fn overlap(&self, keys: &[u64]) -> Option<f64> {
        let shared: u32 = keys
            .iter()
            .filter_map(|k| self.profile.binary_search_by_key(k, |p| p.0).ok())
            .map(|i| self.profile[i].1)
            .sum();
        if shared < MIN_SHARED * self.events {
            return None;
        }
        let events = f64::from(self.events);
        let shorter = (keys.len() as f64).min(f64::from(self.names) / events);
        Some(f64::from(shared) / events / shorter)
    }

    fn add(&mut self, event: u32, keys: &[u64], day: Option<i32>) {
        self.first = if self.events == 0 { event } else { self.first.min(event) };
        self.events += 1;
        self.names += keys.len() as u32;
        self.last_day = match (self.last_day, day) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let mut fresh = Vec::new();
        for &k in keys {
            match self.profile.binary_search_by_key(&k, |p| p.0) {
                Ok(i) => self.profile[i].1 += 1,
                Err(_) => fresh.push((k, 1)),
            }
        }
        if !fresh.is_empty() {
            self.profile.extend(fresh);
            self.profile.sort_unstable_by_key(|p| p.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vec_of(terms: &[(u64, f32)]) -> EventVector {
        let norm = terms.iter().map(|t| t.1 * t.1).sum::<f32>().sqrt();
        let mut t = terms.to_vec();
        t.sort_by_key(|x| x.0);
        EventVector {
            terms: t.iter().map(|x| x.0).collect(),
            weights: t.iter().map(|x| x.1 / norm).collect(),
        }
    }

    fn unit(terms: &[(u64, f32)], day: i32, rank: u32) -> Unit {
        Unit { vector: vec_of(terms), first_day: Some(day), size: 1, rank }
    }

    #[test]
    fn same_terms_same_days_cluster_and_far_days_do_not() {
        let a: Vec<(u64, f32)> = (1..20).map(|t| (t, 1.0)).collect();
        let b: Vec<(u64, f32)> = (3..22).map(|t| (t, 1.0)).collect();
        let other: Vec<(u64, f32)> = (100..120).map(|t| (t, 1.0)).collect();
        let units = vec![unit(&a, 0, 0), unit(&b, 1, 1), unit(&other, 1, 2), unit(&a, 60, 3)];
        let r = cluster_events(&units, &StoryParams::default());
        assert_eq!(r.cluster_of[0], r.cluster_of[1]);
        assert_ne!(r.cluster_of[0], r.cluster_of[2]);
        assert_ne!(r.cluster_of[0], r.cluster_of[3], "two months later is another event");
    }

    #[test]
    fn single_pass_meets_earlier_reports_whatever_the_input_order() {
        // Listed latest first: each unit must still meet the clusters of the units before it
        // in time, which come after it in the list.
        let a: Vec<(u64, f32)> = (1..20).map(|t| (t, 1.0)).collect();
        let units = vec![unit(&a, 2, 0), unit(&a, 1, 1), unit(&a, 0, 2)];
        let params = StoryParams { resolution: None, ..Default::default() };
        let r = cluster_events(&units, &params);
        assert_eq!(r.cluster_of, [0, 0, 0]);
    }

    #[test]
    fn threads_need_shared_entities_within_the_window() {
        let ents = vec![vec![1, 2, 3], vec![2, 3, 9], vec![1, 7, 8], vec![2, 3, 4]];
        let days = vec![Some(0), Some(100), Some(5), Some(400)];
        let t = link_threads(&ents, &days, &StoryParams::default());
        assert_eq!(t[0], t[1], "two shared entities, 100 days apart");
        assert_ne!(t[0], t[2], "one shared entity is not enough");
        assert_ne!(t[1], t[3], "300 days apart is beyond the window");
    }

    /// Events numbered `0..` whose threads `link_threads` gives as sets of members.
    fn thread_sets(ents: &[Vec<u64>], days: &[Option<i32>]) -> Vec<Vec<u32>> {
        let t = link_threads(ents, days, &StoryParams::default());
        let mut sets: Vec<Vec<u32>> = Vec::new();
        for root in 0..ents.len() as u32 {
            let members: Vec<u32> =
                (0..ents.len() as u32).filter(|&c| t[c as usize] == root).collect();
            if !members.is_empty() {
                assert_eq!(members[0], root, "a thread is named by its smallest member");
                sets.push(members);
            }
        }
        sets
    }

    #[test]
    fn shares_and_similarities_out_of_range_are_refused() {
        let ok = StoryParams::default();
        assert!(ok.validate().is_ok());
        let bad = [
            StoryParams { thread_overlap: 1.5, ..StoryParams::default() },
            StoryParams { thread_overlap: f64::NAN, ..StoryParams::default() },
            StoryParams { candidate_threshold: 0.0, ..StoryParams::default() },
            StoryParams { candidate_threshold: 2.0, ..StoryParams::default() },
            StoryParams { max_df_share: 0.0, ..StoryParams::default() },
            StoryParams { merge_threshold: Some(3.0), ..StoryParams::default() },
        ];
        for p in bad {
            assert!(p.validate().is_err(), "{p:?}");
        }
    }

    #[test]
    fn threads_do_not_chain() {
        // Each event shares two of its four names with the next: neighbours match, the ends
        // share nothing. Union-find made all eight one thread.
        let ents: Vec<Vec<u64>> = (0..8u64).map(|i| (2 * i..2 * i + 4).collect()).collect();
        let days: Vec<Option<i32>> = (0..8).map(|i| Some(10 * i)).collect();
        let sets = thread_sets(&ents, &days);
        assert!(sets.iter().all(|s| s.len() <= 2), "{sets:?}");
        assert_eq!(sets.len(), 4, "each event still pairs with its neighbour: {sets:?}");
    }

    #[test]
    fn a_series_with_a_changing_cast_is_one_thread() {
        // A body meeting four times, two months apart: the protagonist (1) always, most of the
        // cast each time, a newcomer each time. An event naming one of them is another story.
        let ents = vec![
            vec![1, 2, 3, 4, 5, 6],
            vec![1, 2, 3, 4, 5, 100],
            vec![1, 2, 3, 5, 6, 101],
            vec![1, 3, 4, 5, 6, 102],
            vec![1, 200, 201, 202],
        ];
        let days = vec![Some(0), Some(60), Some(120), Some(180), Some(90)];
        assert_eq!(thread_sets(&ents, &days), [vec![0, 1, 2, 3], vec![4]]);
    }

    #[test]
    fn names_in_very_many_events_are_not_shared_names() {
        // 999 is in every event, like an outlet's "Follow us on WhatsApp" line: with it, 0 and
        // 1 share two names of five; without it, one.
        let mut ents: Vec<Vec<u64>> =
            vec![vec![1, 50, 51, 52, 999], vec![1, 60, 61, 62, 999], vec![1, 50, 51, 70, 999]];
        ents.extend((0..MAX_THREAD_POSTINGS as u64).map(|i| vec![1000 + i, 999]));
        let days = vec![Some(0); ents.len()];
        let t = link_threads(&ents, &days, &StoryParams::default());
        assert_ne!(t[0], t[1]);
        assert_eq!(t[0], t[2], "names of their own still link");
    }

    #[test]
    fn threads_are_the_same_whatever_the_event_order() {
        // Pseudo-random events over 40 names, so threads compete for events; days distinct.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let n = 60usize;
        let ents: Vec<Vec<u64>> = (0..n)
            .map(|_| {
                let mut e: Vec<u64> = (0..2 + next(4)).map(|_| next(40)).collect();
                e.sort_unstable();
                e.dedup();
                e
            })
            .collect();
        let days: Vec<Option<i32>> = (0..n as i32).map(|i| Some((i * 37) % n as i32 * 7)).collect();
        let reference = thread_sets(&ents, &days);
        assert!(reference.iter().any(|s| s.len() > 2), "the case must link something");
        for shift in [1, 17, 59] {
            // Event i of the reference is event (i + shift) % n here.
            let at = |i: usize| (i + shift) % n;
            let mut e2 = vec![Vec::new(); n];
            let mut d2 = vec![None; n];
            for i in 0..n {
                e2[at(i)] = ents[i].clone();
                d2[at(i)] = days[i];
            }
            let mut moved: Vec<Vec<u32>> = thread_sets(&e2, &d2)
                .into_iter()
                .map(|s| {
                    let mut back: Vec<u32> =
                        s.iter().map(|&c| ((c as usize + n - shift) % n) as u32).collect();
                    back.sort_unstable();
                    back
                })
                .collect();
            moved.sort();
            assert_eq!(moved, reference, "shift {shift}");
        }
    }

    #[test]
    fn fragments_of_one_event_merge_into_the_larger_cluster() {
        let a: Vec<(u64, f32)> = (1..21).map(|t| (t, 1.0)).collect();
        let b: Vec<(u64, f32)> = (13..33).map(|t| (t, 1.0)).collect();
        let far: Vec<(u64, f32)> = (500..520).map(|t| (t, 1.0)).collect();
        let units = vec![unit(&a, 0, 0), unit(&a, 0, 1), unit(&b, 1, 2), unit(&far, 1, 3)];
        let off = StoryParams {
            merge_threshold: None,
            resolution: None,
            candidate_threshold: 0.1,
            ..Default::default()
        };
        let no_merge = StoryParams { threshold: 0.45, ..off.clone() };
        let on = StoryParams { merge_threshold: Some(0.3), ..no_merge.clone() };
        let r = cluster_events(&units, &no_merge);
        assert_ne!(r.cluster_of[0], r.cluster_of[2], "cosine 0.4 to the centroid is below 0.45");
        let r = cluster_events(&units, &on);
        assert_eq!(r.cluster_of[0], r.cluster_of[2], "the fragment joins");
        assert_ne!(r.cluster_of[0], r.cluster_of[3], "an unrelated cluster does not");
        assert_eq!(r.centroids.len(), 2);
        let refined = StoryParams { resolution: Some(0.03), ..no_merge.clone() };
        let r = cluster_events(&units, &refined);
        assert_eq!(r.cluster_of[0], r.cluster_of[2], "the refinement joins the fragment");
        assert_ne!(r.cluster_of[0], r.cluster_of[3], "but not an unrelated cluster");
        let strict = StoryParams { resolution: Some(0.5), ..no_merge.clone() };
        let r = cluster_events(&units, &strict);
        assert_ne!(r.cluster_of[0], r.cluster_of[2], "edges lighter than the resolution do not");
    }

    #[test]
    fn refinement_never_joins_reports_further_apart_than_the_window() {
        // Two bursts of identical reports ten days apart: the strongest possible edges, with
        // no decay and a low resolution, still must not join them.
        let terms: Vec<(u64, f32)> = (1..20).map(|t| (t, 1.0)).collect();
        let units: Vec<Unit> =
            (0..8u32).map(|i| unit(&terms, if i < 4 { 0 } else { 10 }, i)).collect();
        let params =
            StoryParams { edge_half_life: None, resolution: Some(0.001), ..Default::default() };
        let r = cluster_events(&units, &params);
        assert!(r.cluster_of[..4].iter().all(|&c| c == r.cluster_of[0]));
        assert!(r.cluster_of[4..].iter().all(|&c| c == r.cluster_of[4]));
        assert_ne!(r.cluster_of[0], r.cluster_of[4]);
    }

    #[test]
    fn a_member_unlike_the_rest_of_its_cluster_leaves_it() {
        // Five reports of one event, and a straggler sharing one term with each of them.
        let event: Vec<(u64, f32)> = (1..21).map(|t| (t, 1.0)).collect();
        let mut units: Vec<Unit> = (0..5u32).map(|i| unit(&event, 0, i)).collect();
        let straggler: Vec<(u64, f32)> =
            [(1, 1.0)].into_iter().chain((300..330).map(|t| (t, 1.0))).collect();
        units.push(unit(&straggler, 0, 5));
        let cosine = vec_of(&straggler).cosine(&vec_of(&event));
        assert!(cosine > 0.0 && cosine < 0.1, "{cosine}");
        // The refinement at a tiny resolution keeps the straggler in; the check sends it out.
        let kept = StoryParams {
            resolution: Some(0.001),
            straggler_threshold: 0.0,
            threshold: 0.01,
            ..Default::default()
        };
        let r = cluster_events(&units, &kept);
        assert_eq!(r.cluster_of[5], r.cluster_of[0], "the setting must let it in first");
        for order in [false, true] {
            let mut us = units.clone();
            if order {
                us.reverse();
            }
            let r = cluster_events(&us, &StoryParams { straggler_threshold: 0.1, ..kept.clone() });
            let (s, e) = if order { (0, 1) } else { (5, 0) };
            assert_ne!(r.cluster_of[s], r.cluster_of[e], "the straggler leaves");
            let event_ids: Vec<u32> = (0..6).filter(|&i| i != s).map(|i| r.cluster_of[i]).collect();
            assert!(event_ids.iter().all(|&c| c == event_ids[0]), "the event stays whole");
            assert_eq!(r.centroids.len(), 2, "cluster numbers stay dense");
        }
    }

    #[test]
    fn centroid_assignment_does_not_chain() {
        // Each unit shares half its terms with the next: neighbours are similar, the ends not.
        let units: Vec<Unit> = (0..8u64)
            .map(|i| {
                let terms: Vec<(u64, f32)> = (i * 10..i * 10 + 20).map(|t| (t, 1.0)).collect();
                unit(&terms, 0, i as u32)
            })
            .collect();
        // Single-pass assignment alone; the refinement, at a low resolution, may join a chain
        // this dense (each link weighs 0.5).
        let params = StoryParams {
            threshold: 0.45,
            candidate_threshold: 0.1,
            resolution: None,
            ..Default::default()
        };
        let r = cluster_events(&units, &params);
        assert_ne!(r.cluster_of[0], r.cluster_of[7]);
    }
}
