//! `--threshold` means what it says: on real text (Reuters-21578 in `../shared/data/`), the
//! pairs and groups `dedup` finds agree with exact all-pairs Jaccard at the same threshold.
//! Skipped, with a message, where the data set is absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use samestory::cluster::star_groups;
use samestory::dedup::{keep_order, ArticleInfo};
use samestory::lsh::candidates::Pair;
use samestory::normalize::{tokenize, Boilerplate, Tokens};
use samestory::params::{Keep, ShingleParams};
use samestory::read::{Corpus, FieldMap, Location};
use samestory::shingle::Shingler;
use samestory::sketch::into_set;

use crate::util::{json_lines, run, stdout};

fn reuters() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/reuters21578/articles.jsonl");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent (the shared data sets are not here)", p.display());
        None
    }
}

struct Exact {
    infos: Vec<ArticleInfo>,
    sets: Vec<Vec<u64>>,
}

/// Shingle sets exactly as `dedup --keep-boilerplate` builds them, via the library.
fn exact_sets(path: &PathBuf) -> Exact {
    let corpus = Corpus::open(std::slice::from_ref(path), FieldMap::default()).unwrap();
    let params = ShingleParams::default();
    let mut shingler = Shingler::new(params.clone());
    let mut tokens = Tokens::default();
    let none = Boilerplate::default();
    let (mut infos, mut sets) = (Vec::new(), Vec::new());
    corpus
        .scan(|chunk| {
            for rec in &chunk.records {
                let r = corpus.parse(&chunk, rec).unwrap();
                let mut sh = Vec::new();
                tokenize(&r.text, params.seed, false, &mut tokens);
                shingler.shingles(&tokens, &none, &mut sh);
                if sh.is_empty() {
                    tokenize(&r.title, params.seed, false, &mut tokens);
                    shingler.shingles(&tokens, &none, &mut sh);
                }
                sets.push(into_set(sh));
                infos.push(ArticleInfo {
                    id: r.id.to_string(),
                    published: r.published,
                    time_utc: r.time_utc,
                    len: r.text.len() as u32,
                    loc: Location { input: 0, line: rec.loc.line },
                });
            }
            Ok(())
        })
        .unwrap();
    Exact { infos, sets }
}

/// Every pair with Jaccard >= t, by an inverted index (exact: every pair sharing a shingle is
/// counted).
fn exact_pairs(sets: &[Vec<u64>], t: f64) -> Vec<Pair> {
    let mut postings: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for (i, s) in sets.iter().enumerate() {
        for &h in s {
            postings.entry(h).or_default().push(i as u32);
        }
    }
    let lists: Vec<&Vec<u32>> = postings.values().collect();
    let mut by_doc: Vec<Vec<usize>> = vec![Vec::new(); sets.len()];
    for (k, docs) in lists.iter().enumerate() {
        for &d in docs.iter() {
            by_doc[d as usize].push(k);
        }
    }
    let mut count = vec![0u32; sets.len()];
    let mut touched = Vec::new();
    let mut out = Vec::new();
    for i in 0..sets.len() {
        for &k in &by_doc[i] {
            for &j in lists[k].iter().filter(|&&j| j as usize > i) {
                if count[j as usize] == 0 {
                    touched.push(j);
                }
                count[j as usize] += 1;
            }
        }
        for &j in &touched {
            let inter = count[j as usize] as f64;
            let jac = inter / ((sets[i].len() + sets[j as usize].len()) as f64 - inter);
            if jac + 1e-9 >= t {
                out.push(Pair { a: i as u32, b: j, score: jac as f32 });
            }
            count[j as usize] = 0;
        }
        touched.clear();
    }
    out
}

fn pair_set(pairs: &[Pair], infos: &[ArticleInfo]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .map(|p| {
            let (a, b) = (&infos[p.a as usize].id, &infos[p.b as usize].id);
            if a < b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            }
        })
        .collect()
}

fn emitted_pairs(
    path: &std::path::Path,
    t: &str,
    verify: &str,
) -> (BTreeSet<(String, String)>, String) {
    let dir = tempfile::tempdir().unwrap();
    let pairs = dir.path().join("pairs.tsv");
    let o = run(
        &[
            "dedup",
            "-q",
            "--keep-boilerplate",
            "--threshold",
            t,
            "--verify",
            verify,
            "--emit-pairs",
            pairs.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(&pairs).unwrap();
    let set = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].to_string())
        })
        .collect();
    (set, stdout(&o))
}

/// Pairs of articles sharing a group, from JSON Lines output or from star groups.
fn co_members(groups: &[Vec<String>]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for g in groups {
        for (i, a) in g.iter().enumerate() {
            for b in &g[i + 1..] {
                out.insert(if a < b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) });
            }
        }
    }
    out
}

fn f1(found: &BTreeSet<(String, String)>, truth: &BTreeSet<(String, String)>) -> (f64, f64) {
    let tp = found.intersection(truth).count() as f64;
    let p = if found.is_empty() { 1.0 } else { tp / found.len() as f64 };
    let r = if truth.is_empty() { 1.0 } else { tp / truth.len() as f64 };
    (p, r)
}

#[test]
fn threshold_agrees_with_exact_all_pairs_jaccard_on_reuters() {
    let Some(path) = reuters() else { return };
    let exact = exact_sets(&path);
    for t in ["0.5", "0.8"] {
        let tf: f64 = t.parse().unwrap();
        let truth_pairs = exact_pairs(&exact.sets, tf);
        let truth = pair_set(&truth_pairs, &exact.infos);
        assert!(truth.len() > 100, "Reuters has many near-duplicates at {t}: {}", truth.len());

        // Exact verification: no false pair at all, and LSH misses almost nothing.
        let (found, out) = emitted_pairs(&path, t, "exact");
        let (p, r) = f1(&found, &truth);
        assert_eq!(p, 1.0, "t {t}: exact verification admitted a pair below the threshold");
        assert!(r >= 0.97, "t {t}: recall {r:.4} of {} exact pairs", truth.len());

        // The groups agree with star groups built on the exact pairs.
        let prio = keep_order(&exact.infos, Keep::Earliest);
        let stars = star_groups(exact.infos.len(), &truth_pairs, &prio);
        let star_ids: Vec<Vec<String>> = stars
            .members()
            .into_iter()
            .map(|m| m.into_iter().map(|i| exact.infos[i as usize].id.clone()).collect())
            .collect();
        let ours: Vec<Vec<String>> = json_lines(&out)
            .into_iter()
            .filter(|v| v["type"] == "group")
            .map(|v| {
                v["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["id"].as_str().unwrap().to_string())
                    .collect()
            })
            .collect();
        let (gp, gr) = f1(&co_members(&ours), &co_members(&star_ids));
        assert!(
            gp >= 0.97 && gr >= 0.97,
            "t {t}: group agreement precision {gp:.4} recall {gr:.4}"
        );

        // Estimated verification stays close: errors only for pairs near the threshold.
        let (found, _) = emitted_pairs(&path, t, "estimate");
        let (p, r) = f1(&found, &truth);
        assert!(p >= 0.93 && r >= 0.93, "t {t}: estimate precision {p:.4} recall {r:.4}");
    }
}
