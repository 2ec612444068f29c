//! Near-duplicate groups by greedy star clustering.
//!
//! Connected components over "similar" edges chain: A≈B and B≈C put A and C together even when
//! A≁C, and a run of gradually edited copies collapses into one blob. Star clustering avoids it
//! (Aslam, Pelekhov & Rus 2004, "The star clustering algorithm for static and dynamic
//! information organization"; the CENTER method of Hassanzadeh et al. 2009, "Framework for
//! evaluating clustering algorithms in duplicate detection"): articles are visited by decreasing
//! degree (number of verified near-duplicates), ties broken by a caller-given priority; an
//! unassigned article becomes a centre and takes every unassigned neighbour. Every member is
//! therefore within the threshold of its group's centre. A syndicated original, which is close
//! to all its copies while the copies are less close to each other, has the highest degree and
//! becomes the centre of all of them. Cost: O(n log n + edges).

use crate::lsh::candidates::Pair;

/// Group assignment of a corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    /// Group of each article (indices into `centres`).
    pub group_of: Vec<u32>,
    /// Centre article of each group.
    pub centres: Vec<u32>,
}

impl Groups {
    /// Members of each group, in article order.
    pub fn members(&self) -> Vec<Vec<u32>> {
        let mut m = vec![Vec::new(); self.centres.len()];
        for (i, &g) in self.group_of.iter().enumerate() {
            m[g as usize].push(i as u32);
        }
        m
    }
}

/// Groups `n` articles given verified `edges` (pairs at or above the threshold). `priority[i]`
/// breaks ties in degree: lower goes first, and it must be a total order (distinct values) for
/// the result not to depend on anything else.
pub fn star_groups(n: usize, edges: &[Pair], priority: &[u64]) -> Groups {
    let mut degree = vec![0u32; n];
    for e in edges {
        degree[e.a as usize] += 1;
        degree[e.b as usize] += 1;
    }
    // Adjacency in compressed sparse row form: one allocation, cache friendly.
    let mut offsets = vec![0usize; n + 1];
    for i in 0..n {
        offsets[i + 1] = offsets[i] + degree[i] as usize;
    }
    let mut fill = offsets.clone();
    let mut adj = vec![0u32; offsets[n]];
    for e in edges {
        adj[fill[e.a as usize]] = e.b;
        fill[e.a as usize] += 1;
        adj[fill[e.b as usize]] = e.a;
        fill[e.b as usize] += 1;
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by_key(|&i| (std::cmp::Reverse(degree[i as usize]), priority[i as usize]));

    const NONE: u32 = u32::MAX;
    let mut group_of = vec![NONE; n];
    let mut centres = Vec::new();
    for &c in &order {
        if group_of[c as usize] != NONE {
            continue;
        }
        let g = centres.len() as u32;
        centres.push(c);
        group_of[c as usize] = g;
        for &m in &adj[offsets[c as usize]..offsets[c as usize + 1]] {
            if group_of[m as usize] == NONE {
                group_of[m as usize] = g;
            }
        }
    }
    Groups { group_of, centres }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: u32, b: u32) -> Pair {
        Pair { a, b, score: 0.9 }
    }

    #[test]
    fn a_chain_of_edits_does_not_become_one_group() {
        // 0≈1≈2≈3≈4≈5, each only close to its neighbours.
        let edges: Vec<Pair> = (0..5).map(|i| edge(i, i + 1)).collect();
        let g = star_groups(6, &edges, &[0, 1, 2, 3, 4, 5]);
        let sizes: Vec<usize> = g.members().iter().map(Vec::len).collect();
        assert!(sizes.iter().all(|&s| s <= 3), "{sizes:?}");
        for (i, &grp) in g.group_of.iter().enumerate() {
            let c = g.centres[grp as usize];
            assert!(
                c == i as u32
                    || edges.iter().any(|e| (e.a, e.b) == (c.min(i as u32), c.max(i as u32)))
            );
        }
    }

    #[test]
    fn the_original_gathers_all_its_copies() {
        // 0 is the original; copies 1..=4 each close to it, not to each other.
        let edges: Vec<Pair> = (1..5).map(|i| edge(0, i)).collect();
        let g = star_groups(6, &edges, &[5, 4, 3, 2, 1, 0]);
        assert_eq!(g.members()[g.group_of[0] as usize], [0, 1, 2, 3, 4]);
        assert_eq!(g.centres[g.group_of[0] as usize], 0);
        assert_eq!(g.centres.len(), 2, "article 5 is a group of one");
    }

    #[test]
    fn priority_breaks_degree_ties() {
        let g = star_groups(2, &[edge(0, 1)], &[1, 0]);
        assert_eq!(g.centres, [1]);
    }
}
