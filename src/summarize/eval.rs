//! Test-only evaluation of the summariser: ROUGE-1/2 (Lin 2004, "ROUGE: A package for
//! automatic evaluation of summaries"), the LexRank (Erkan & Radev 2004, "LexRank: graph-based
//! lexical centrality as salience in text summarization", JAIR 22), TextRank (Mihalcea & Tarau
//! 2004, "TextRank: bringing order into texts", EMNLP) and lead baselines, and a proxy
//! evaluation on Reuters-21578.
//!
//! Two evaluations. **DUC 2004 task 2** (`duc2004_evaluation`): news document sets with four
//! human-written reference summaries each, scored as DUC did (first 100 words, Porter stems).
//! The sets cannot be redistributed (NIST agreement; AP/NYT copyright) and no registry ships
//! them, so they are read from `bench-data/mds/sets.jsonl` (or `SAMESTORY_DUC`) when present;
//! the README says how they were obtained. **A Reuters proxy** (`proxy_evaluation_on_reuters`),
//! always available with `../shared/data`: multi-document sets are built from Reuters-21578 (same
//! day, same single topic code, tf-idf cosine ≥ 0.3 linking the texts, near-copies dropped,
//! 3–8 articles) and the members' headlines, written by Reuters editors, are the references.
//! Titles are withheld from every system. Run it with
//! `cargo test --lib summarize::eval -- --ignored --nocapture` (needs `../shared/data`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;

/// Lower-cased ASCII letter and digit runs: the tokenisation of Google's `rouge-score` without
/// stemming, so the figures are comparable with ones computed by it.
fn rouge_tokens(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn ngram_counts(tokens: &[String], n: usize) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    if n == 0 || tokens.len() < n {
        return out;
    }
    for w in tokens.windows(n) {
        *out.entry(w.join(" ")).or_insert(0) += 1;
    }
    out
}

/// Recall, precision and F1 of one summary.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Prf {
    pub recall: f64,
    pub precision: f64,
    pub f: f64,
}

/// ROUGE-N of `candidate` against `references`. With several references, matches and totals
/// are pooled over them (Lin 2004, eq. 1); with one, this is `rouge-score`'s figure.
pub(super) fn rouge_n(candidate: &str, references: &[&str], n: usize) -> Prf {
    let cand = ngram_counts(&rouge_tokens(candidate), n);
    let cand_total: u32 = cand.values().sum();
    let (mut hits, mut ref_total, mut cand_pooled) = (0u32, 0u32, 0u32);
    for r in references {
        let rc = ngram_counts(&rouge_tokens(r), n);
        ref_total += rc.values().sum::<u32>();
        cand_pooled += cand_total;
        hits += rc.iter().map(|(g, &k)| k.min(cand.get(g).copied().unwrap_or(0))).sum::<u32>();
    }
    let recall = if ref_total > 0 { f64::from(hits) / f64::from(ref_total) } else { 0.0 };
    let precision = if cand_pooled > 0 { f64::from(hits) / f64::from(cand_pooled) } else { 0.0 };
    let f = if recall + precision > 0.0 {
        2.0 * recall * precision / (recall + precision)
    } else {
        0.0
    };
    Prf { recall, precision, f }
}

/// The summary candidates of a cluster exactly as the summariser sees them (group
/// representatives, furniture dropped), for the baselines.
struct Pool<'a> {
    text: Vec<&'a str>,
    words: Vec<usize>,
    /// Tf-idf unit vectors (LexRank's idf-modified cosine).
    vecs: Vec<SparseVec>,
    /// Distinct content words (TextRank's overlap).
    bags: Vec<Vec<u32>>,
    /// Index of the sentence's article among the representatives, and its publication day.
    doc: Vec<usize>,
    published: Vec<i32>,
}

fn pool<'a>(members: &[MemberText<'a>], stats: &TermStats) -> Pool<'a> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| members[a].id.cmp(members[b].id));
    let units = make_units(members, &order);
    let mut vocab = Vocab::with_capacity(0);
    let mut tokens = Tokens::default();
    let mut p = Pool {
        text: Vec::new(),
        words: Vec::new(),
        vecs: Vec::new(),
        bags: Vec::new(),
        doc: Vec::new(),
        published: Vec::new(),
    };
    let mut ids_of = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        let m: &MemberText<'a> = &members[unit.rep];
        for s in split_sentences(m.text) {
            if !is_candidate(s) {
                continue;
            }
            let mut ids = Vec::new();
            content_ids(s, stats, &mut tokens, &mut vocab, &mut ids);
            p.text.push(s);
            p.words.push(word_count(s));
            p.doc.push(u);
            p.published.push(m.published.unwrap_or(i32::MAX));
            ids_of.push(ids);
        }
    }
    let n = stats.n_docs().max(units.len() as u32);
    let mut idf = vec![1.0; vocab.len()];
    if stats.n_docs() > 0 {
        for (id, &h) in vocab.hashes.iter().enumerate() {
            idf[id] = idf_smooth(stats.df_hash(h), n);
        }
    }
    let mut scratch = Vec::new();
    for ids in ids_of {
        p.vecs.push(weigh(&ids, &idf, &mut scratch));
        let mut bag = ids;
        bag.sort_unstable();
        bag.dedup();
        p.bags.push(bag);
    }
    p
}

/// LexRank with a cosine threshold of 0.1 and jump probability 0.15, as in the paper.
fn lexrank(p: &Pool) -> Vec<f64> {
    let n = p.text.len();
    let adj: Vec<Vec<usize>> = (0..n)
        .map(|i| (0..n).filter(|&j| dot_sparse(&p.vecs[i], &p.vecs[j]) > 0.1).collect())
        .collect();
    power_iterate(n, 0.15, |rank, next| {
        for (i, out) in adj.iter().enumerate() {
            if out.is_empty() {
                continue;
            }
            let share = rank[i] / out.len() as f64;
            for &j in out {
                next[j] += share;
            }
        }
    })
}

/// TextRank: edges weighted by word overlap over the sum of log lengths, damping 0.85.
fn textrank(p: &Pool) -> Vec<f64> {
    let n = p.text.len();
    let overlap = |a: &[u32], b: &[u32]| a.iter().filter(|x| b.binary_search(x).is_ok()).count();
    let w: Vec<Vec<(usize, f64)>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| j != i)
                .filter_map(|j| {
                    let (a, b) = (&p.bags[i], &p.bags[j]);
                    let den = (a.len() as f64).ln() + (b.len() as f64).ln();
                    let o = overlap(a, b);
                    (den > 0.0 && o > 0).then(|| (j, o as f64 / den))
                })
                .collect()
        })
        .collect();
    power_iterate(n, 0.15, |rank, next| {
        for (i, out) in w.iter().enumerate() {
            let total: f64 = out.iter().map(|x| x.1).sum();
            if total <= 0.0 {
                continue;
            }
            for &(j, wij) in out {
                next[j] += rank[i] * wij / total;
            }
        }
    })
}

/// PageRank by power iteration: `r = jump / n + (1 - jump) · spread(r)`.
fn power_iterate(n: usize, jump: f64, spread: impl Fn(&[f64], &mut [f64])) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let mut rank = vec![1.0 / n as f64; n];
    for _ in 0..200 {
        let mut next = vec![0.0; n];
        spread(&rank, &mut next);
        // Sentences with no edges would leak rank; spread theirs evenly, as PageRank does.
        let leaked = (1.0 - next.iter().sum::<f64>()) / n as f64;
        for x in &mut next {
            *x += leaked;
        }
        for x in &mut next {
            *x = jump / n as f64 + (1.0 - jump) * *x;
        }
        let delta: f64 = rank.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        rank = next;
        if delta < 1e-9 {
            break;
        }
    }
    rank
}

/// Whole sentences by descending score until `words` words, in article order, cut to `words`.
fn select(p: &Pool, scores: &[f64], words: usize) -> String {
    let mut ranked: Vec<usize> = (0..p.text.len()).collect();
    ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut chosen = Vec::new();
    let mut total = 0;
    for i in ranked {
        if total >= words {
            break;
        }
        chosen.push(i);
        total += p.words[i];
    }
    chosen.sort_unstable();
    cut(&chosen.iter().map(|&i| p.text[i]).collect::<Vec<_>>().join(" "), words)
}

/// The DUC lead baseline: the most recent article's opening, then the next most recent.
fn lead(p: &Pool, words: usize) -> String {
    let mut idx: Vec<usize> = (0..p.text.len()).collect();
    idx.sort_by_key(|&i| (std::cmp::Reverse(p.published[i]), p.doc[i], i));
    cut(&idx.iter().map(|&i| p.text[i]).collect::<Vec<_>>().join(" "), words)
}

fn cut(s: &str, words: usize) -> String {
    s.split_whitespace().take(words).collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Reuters-21578 proxy sets

struct Article {
    id: String,
    title: String,
    text: String,
    published: Option<i32>,
    topics: String,
}

fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/reuters21578")
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (Hinnant's days_from_civil).
fn days(date: &str) -> Option<i32> {
    let mut it = date.get(..10)?.split('-');
    let (y, m, d): (i32, i32, i32) =
        (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn load_reuters() -> Option<Vec<Article>> {
    let dir = shared_data();
    let articles = std::fs::read_to_string(dir.join("articles.jsonl")).ok()?;
    let topics = std::fs::read_to_string(dir.join("topics.tsv")).ok()?;
    let topic: std::collections::HashMap<&str, &str> = topics
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?))
        })
        .collect();
    let mut out = Vec::new();
    for l in articles.lines() {
        let v: serde_json::Value = serde_json::from_str(l).ok()?;
        let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
        let id = s("id");
        out.push(Article {
            topics: topic.get(id.as_str()).copied().unwrap_or("").to_string(),
            title: s("title"),
            text: s("text"),
            published: days(&s("published")),
            id,
        });
    }
    Some(out)
}

/// Proxy document sets: indices of members and their distinct headlines.
fn proxy_sets(arts: &[Article]) -> Vec<(Vec<usize>, Vec<String>)> {
    let toks = |t: &str| rouge_tokens(t);
    let mut df: BTreeMap<String, u32> = BTreeMap::new();
    for a in arts {
        let mut w = toks(&a.text);
        w.sort();
        w.dedup();
        for x in w {
            *df.entry(x).or_insert(0) += 1;
        }
    }
    let n = arts.len() as f64;
    let vec_of = |t: &str| -> BTreeMap<String, f64> {
        let mut c: BTreeMap<String, u32> = BTreeMap::new();
        for w in toks(t) {
            *c.entry(w).or_insert(0) += 1;
        }
        let mut v: BTreeMap<String, f64> = c
            .into_iter()
            .map(|(w, k)| {
                let idf = (n / f64::from(df[&w])).ln();
                (w, (1.0 + f64::from(k).ln()) * idf)
            })
            .collect();
        let z = v.values().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
        v.values_mut().for_each(|x| *x /= z);
        v
    };
    let cos = |a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>| -> f64 {
        a.iter().map(|(w, x)| x * b.get(w).copied().unwrap_or(0.0)).sum()
    };
    let mut groups: BTreeMap<(Option<i32>, &str), Vec<usize>> = BTreeMap::new();
    for (i, a) in arts.iter().enumerate() {
        if !a.topics.is_empty()
            && !a.topics.contains(' ')
            && !a.title.is_empty()
            && a.text.split_whitespace().count() >= 80
        {
            groups.entry((a.published, a.topics.as_str())).or_default().push(i);
        }
    }
    let mut sets = Vec::new();
    for g in groups.values().filter(|g| g.len() >= 3) {
        let vs: Vec<_> = g.iter().map(|&i| vec_of(&arts[i].text)).collect();
        let mut keep: Vec<usize> = Vec::new();
        for i in 0..g.len() {
            if keep.iter().all(|&j| cos(&vs[i], &vs[j]) < 0.8) {
                keep.push(i);
            }
        }
        let mut parent: Vec<usize> = (0..g.len()).collect();
        fn find(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                i = p[i];
            }
            i
        }
        for (a, &x) in keep.iter().enumerate() {
            for &y in &keep[a + 1..] {
                if cos(&vs[x], &vs[y]) >= 0.3 {
                    let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
                    parent[rx] = ry;
                }
            }
        }
        let mut comps: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &i in &keep {
            let r = find(&mut parent, i);
            comps.entry(r).or_default().push(g[i]);
        }
        for c in comps.into_values().filter(|c| (3..=8).contains(&c.len())) {
            let mut refs: Vec<String> = c.iter().map(|&i| arts[i].title.clone()).collect();
            refs.sort();
            refs.dedup();
            if refs.len() >= 2 {
                sets.push((c, refs));
            }
        }
    }
    sets
}

#[derive(Default)]
struct Tally {
    r1: Vec<Prf>,
    r2: Vec<Prf>,
    words: usize,
}

impl Tally {
    fn add(&mut self, summary: &str, refs: &[&str]) {
        self.r1.push(rouge_n(summary, refs, 1));
        self.r2.push(rouge_n(summary, refs, 2));
        self.words += summary.split_whitespace().count();
    }

    fn row(&self, name: &str) -> String {
        let n = self.r1.len().max(1) as f64;
        let mean = |v: &[Prf], f: fn(&Prf) -> f64| v.iter().map(f).sum::<f64>() / n * 100.0;
        format!(
            "| {name:<26} | {:>5.2} | {:>5.2} | {:>5.2} | {:>5.2} | {:>5.1} |",
            mean(&self.r1, |p| p.recall),
            mean(&self.r1, |p| p.f),
            mean(&self.r2, |p| p.recall),
            mean(&self.r2, |p| p.f),
            self.words as f64 / n,
        )
    }
}

/// A paired comparison: per-set differences (ours minus a baseline) summarised.
struct Paired {
    mean: f64,
    /// Half the width of the 95% confidence interval (normal approximation).
    half_width: f64,
    wins: usize,
    ties: usize,
}

impl Paired {
    fn of(d: &[f64]) -> Paired {
        let n = d.len().max(2) as f64;
        let mean = d.iter().sum::<f64>() / n;
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        Paired {
            mean,
            half_width: 1.96 * sd / n.sqrt(),
            wins: d.iter().filter(|&&x| x > 1e-12).count(),
            ties: d.iter().filter(|&&x| x.abs() <= 1e-12).count(),
        }
    }
}

fn evaluate(arts: &[Article], sets: &[(Vec<usize>, Vec<String>)], stats: &TermStats) -> String {
    let params = SummaryParams::default();
    let variants: [(&str, Tuning); 4] = [
        ("ours", TUNING),
        ("ours, no lead prior", Tuning { lead_weight: 0.0, ..TUNING }),
        ("ours, lead weight 1", Tuning { lead_weight: 1.0, ..TUNING }),
        ("ours, no coverage / cut", Tuning { mmr_lambda: 1.0, redundant: 1.1, ..TUNING }),
    ];
    let mut tallies: Vec<Tally> = (0..variants.len() + 3).map(|_| Tally::default()).collect();
    // Per set, our R-1 recall minus each baseline's, for a paired comparison.
    let mut diffs: [Vec<f64>; 3] = Default::default();
    for (ids, refs) in sets {
        let members: Vec<MemberText> = ids
            .iter()
            .enumerate()
            .map(|(g, &i)| MemberText {
                id: &arts[i].id,
                // The headlines are the references: no system may see them.
                title: "",
                text: &arts[i].text,
                source: "Reuters",
                published: arts[i].published,
                group: g as u32,
                is_group_representative: true,
                has_boilerplate: false,
            })
            .collect();
        let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
        let ours = summarize_tuned(&members, stats, &params, &variants[0].1).summary;
        let words = ours.split_whitespace().count();
        for (k, (_, t)) in variants.iter().enumerate() {
            let s = if k == 0 {
                ours.clone()
            } else {
                summarize_tuned(&members, stats, &params, t).summary
            };
            tallies[k].add(&s, &refs);
        }
        let p = pool(&members, stats);
        let base =
            [select(&p, &lexrank(&p), words), select(&p, &textrank(&p), words), lead(&p, words)];
        let mine = rouge_n(&ours, &refs, 1).recall;
        for (k, b) in base.iter().enumerate() {
            tallies[variants.len() + k].add(b, &refs);
            diffs[k].push(mine - rouge_n(b, &refs, 1).recall);
        }
    }
    let mut out = String::from(
        "| system                     | R-1 R | R-1 F | R-2 R | R-2 F | words |\n|---|---|---|---|---|---|\n",
    );
    for (k, (name, _)) in variants.iter().enumerate() {
        out += &tallies[k].row(name);
        out.push('\n');
    }
    for (k, name) in
        ["LexRank (same length)", "TextRank (same length)", "Lead (same length)"].iter().enumerate()
    {
        out += &tallies[variants.len() + k].row(name);
        out.push('\n');
    }
    out += &format!("sets: {}. Ours minus baseline, R-1 recall (paired):\n", sets.len());
    for (name, d) in ["LexRank", "TextRank", "Lead"].iter().zip(&diffs) {
        let p = Paired::of(d);
        out += &format!(
            "  vs {name:<8}: {:+.2} ± {:.2} (95% CI, normal approx.); wins/ties/losses {}/{}/{}\n",
            p.mean * 100.0,
            p.half_width * 100.0,
            p.wins,
            p.ties,
            d.len() - p.wins - p.ties
        );
    }
    out
}

#[test]
#[ignore = "needs ../shared/data/reuters21578; prints the proxy evaluation"]
fn proxy_evaluation_on_reuters() {
    let Some(arts) = load_reuters() else {
        eprintln!("skipped: {} is absent", shared_data().display());
        return;
    };
    let mut stats = TermStats::new();
    for a in &arts {
        stats.add_document(&a.text);
    }
    let sets = proxy_sets(&arts);
    println!("Multi-document proxy (Reuters sets, references = member headlines)");
    println!("{}", evaluate(&arts, &sets, &stats));
    // Single articles against their own headline: the DUC 2003/2004 task-1 setting in spirit.
    let singles: Vec<(Vec<usize>, Vec<String>)> = arts
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            i % 31 == 0 && !a.title.is_empty() && a.text.split_whitespace().count() >= 150
        })
        .take(300)
        .map(|(i, a)| (vec![i], vec![a.title.clone()]))
        .collect();
    println!("Single-document proxy (Reuters articles, reference = headline)");
    println!("{}", evaluate(&arts, &singles, &stats));
    for (ids, refs) in sets.iter().step_by(23).take(4) {
        let members: Vec<MemberText> = ids
            .iter()
            .enumerate()
            .map(|(g, &i)| MemberText {
                id: &arts[i].id,
                title: &arts[i].title,
                text: &arts[i].text,
                source: "Reuters",
                published: arts[i].published,
                group: g as u32,
                is_group_representative: true,
                has_boilerplate: false,
            })
            .collect();
        let s = summarize(&members, &stats, &SummaryParams::default());
        println!(
            "refs: {refs:?}\nheadline: {}\nsummary: {}\nkeywords: {:?}\nentities: {:?}\n",
            s.headline, s.summary, s.keywords, s.entities
        );
    }
}

#[test]
fn rouge_matches_rouge_score() {
    // Figures from Google's rouge-score 0.1.2 (RougeScorer(["rouge1", "rouge2"])).
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    let p = rouge_n("the cat was found under the bed", &["the cat was under the bed"], 1);
    assert!(close(p.recall, 1.0) && close(p.precision, 0.857143) && close(p.f, 0.923077), "{p:?}");
    let p = rouge_n("the cat was found under the bed", &["the cat was under the bed"], 2);
    assert!(close(p.recall, 0.8) && close(p.precision, 0.666667) && close(p.f, 0.727273), "{p:?}");
    let c = "NATO ministers met in Brussels on Wednesday; allies pledged air defence.";
    let r = ["NATO defence ministers meet in Brussels to discuss Ukraine's air defences"];
    let p = rouge_n(c, &r, 1);
    assert!(close(p.recall, 0.5) && close(p.precision, 0.545455) && close(p.f, 0.521739), "{p:?}");
    let p = rouge_n(c, &r, 2);
    assert!(close(p.recall, 0.090909) && close(p.precision, 0.1) && close(p.f, 0.095238), "{p:?}");
    assert_eq!(rouge_n("", &["a b"], 1), Prf::default());
}

#[test]
fn baselines_rank_the_shared_sentence_first() {
    let texts = [
        "NATO ministers met in Brussels to discuss air defence for Ukraine. Oil prices rose in Asia on Tuesday.",
        "In Brussels, NATO ministers discussed air defence for Ukraine today. The weather in Paris was mild and sunny.",
        "Ukraine asked NATO ministers in Brussels for more air defence. Football fans gathered in Madrid for the final.",
    ];
    let members: Vec<MemberText> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| MemberText {
            id: ["a", "b", "c"][i],
            title: "",
            text: t,
            source: "",
            published: Some(i as i32),
            group: i as u32,
            is_group_representative: true,
            has_boilerplate: false,
        })
        .collect();
    let p = pool(&members, &TermStats::new());
    assert_eq!(p.text.len(), 6);
    for scores in [lexrank(&p), textrank(&p)] {
        // Ties go to the earlier sentence, as in `select`.
        let best = (0..6).fold(0, |b, i| if scores[i] > scores[b] { i } else { b });
        assert!(p.text[best].contains("air defence"), "{}", p.text[best]);
        assert!((scores.iter().sum::<f64>() - 1.0).abs() < 1e-6);
    }
    assert_eq!(select(&p, &lexrank(&p), 5).split_whitespace().count(), 5);
    assert!(lead(&p, 8).starts_with("Ukraine asked"));
    assert_eq!(days("1970-01-01"), Some(0));
    assert_eq!(days("1987-02-26"), Some(6_265));
}

#[test]
#[ignore = "prints the summary of the fixture's NATO articles, for reading"]
fn show_fixture_summary() {
    let rows: Vec<serde_json::Value> = include_str!("../../fixtures/corpus/sample.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let str_of = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or("").to_string();
    let owned: Vec<[String; 5]> = rows
        .iter()
        .map(|v| ["id", "title", "text", "source", "published"].map(|k| str_of(v, k)))
        .collect();
    let mut stats = TermStats::new();
    for r in &owned {
        stats.add_document(&format!("{}\n{}", r[1], r[2]));
    }
    let groups = [
        ("nato22-original", 0, true),
        ("nato22-wire-copy", 0, false),
        ("nato22-boilerplate-only", 0, false),
        ("nato22-new-headline", 1, true),
        ("nato23-ministers", 2, true),
        ("nato23-ministers-copy", 2, false),
    ];
    let members: Vec<MemberText> = groups
        .iter()
        .filter_map(|(id, g, rep)| {
            let r = owned.iter().find(|r| r[0] == *id)?;
            Some(MemberText {
                id: &r[0],
                title: &r[1],
                text: &r[2],
                source: &r[3],
                published: days(&r[4]),
                group: *g,
                is_group_representative: *rep,
                has_boilerplate: false,
            })
        })
        .collect();
    let s = summarize(&members, &stats, &SummaryParams::default());
    println!(
        "headline: {}\nsummary: {}\nkeywords: {:?}\nentities: {:?}",
        s.headline, s.summary, s.keywords, s.entities
    );
    for (m, c) in members.iter().zip(&s.centrality) {
        println!("centrality {:.4} {}", c, m.id);
    }
    for d in &s.group_diffs {
        println!("{d:#?}");
    }
}

// ---------------------------------------------------------------------------------------------
// DUC 2004 task 2: human reference summaries

/// Porter-stemmed ROUGE tokens, as ROUGE-1.5.5 with `-m` (the DUC 2004 setting).
fn stemmed(s: &str) -> String {
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    rouge_tokens(s).iter().map(|w| stemmer.stem(w).into_owned()).collect::<Vec<_>>().join(" ")
}

/// Where the DUC 2004 sets are: `SAMESTORY_DUC` or `bench-data/mds/sets.jsonl`. They cannot be
/// redistributed (NIST agreement, AP/NYT copyright), so they are never committed; see the
/// README's "Quality" section for how they were obtained.
fn duc_sets_path() -> PathBuf {
    std::env::var_os("SAMESTORY_DUC").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data/mds/sets.jsonl")
    })
}

#[test]
#[ignore = "needs the DUC 2004 sets (not redistributable); prints ROUGE against human summaries"]
fn duc2004_evaluation() {
    let path = duc_sets_path();
    let Ok(data) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let sets: Vec<serde_json::Value> =
        data.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    // Background document frequencies: Reuters news when available, plus the sets' texts.
    let mut stats = TermStats::new();
    if let Some(arts) = load_reuters() {
        for a in &arts {
            stats.add_document(&a.text);
        }
    }
    let texts: Vec<Vec<String>> = sets
        .iter()
        .map(|s| {
            s["docs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| d["text"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .collect();
    for t in texts.iter().flatten() {
        stats.add_document(t);
    }
    // DUC 2004 task 2 scores the first 665 bytes (about 100 words) of each summary.
    const WORDS: usize = 100;
    // Every system fills the budget and is cut at it, as DUC systems were.
    let params =
        SummaryParams { summary_words: WORDS + 40, max_sentences: 10, ..Default::default() };
    let variants: [(&str, Tuning); 5] = [
        ("ours, no lead prior", Tuning { lead_weight: 0.0, ..TUNING }),
        ("ours, lead weight 0.25", Tuning { lead_weight: 0.25, ..TUNING }),
        ("ours, no coverage / cut", Tuning { mmr_lambda: 1.0, redundant: 1.1, ..TUNING }),
        ("ours, λ 0.5", Tuning { mmr_lambda: 0.5, ..TUNING }),
        ("ours, smoothing δ 0.2", Tuning { smoothing: 0.2, ..TUNING }),
    ];
    let mut extra: Vec<Tally> = (0..variants.len()).map(|_| Tally::default()).collect();
    let names = ["ours", "LexRank", "TextRank", "Lead"];
    let mut tallies: Vec<Tally> = (0..names.len()).map(|_| Tally::default()).collect();
    let mut diffs: [Vec<f64>; 3] = Default::default();
    let mut diffs2: [Vec<f64>; 3] = Default::default();
    for (set, docs) in sets.iter().zip(&texts) {
        let refs: Vec<String> = set["refs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str())
            .map(stemmed)
            .collect();
        let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
        let ids: Vec<String> = (0..docs.len()).map(|i| format!("doc{i}")).collect();
        let members: Vec<MemberText> = docs
            .iter()
            .enumerate()
            .map(|(i, t)| MemberText {
                id: &ids[i],
                title: "",
                text: t,
                source: "",
                published: None,
                group: i as u32,
                is_group_representative: true,
                has_boilerplate: false,
            })
            .collect();
        let ours = cut(&summarize(&members, &stats, &params).summary, WORDS);
        for (k, (_, t)) in variants.iter().enumerate() {
            let s = cut(&summarize_tuned(&members, &stats, &params, t).summary, WORDS);
            extra[k].add(&stemmed(&s), &refs);
        }
        let p = pool(&members, &stats);
        let systems = [
            ours,
            select(&p, &lexrank(&p), WORDS),
            select(&p, &textrank(&p), WORDS),
            lead(&p, WORDS),
        ];
        let stems: Vec<String> = systems.iter().map(|s| stemmed(s)).collect();
        let r1: Vec<f64> = stems.iter().map(|s| rouge_n(s, &refs, 1).recall).collect();
        let r2: Vec<f64> = stems.iter().map(|s| rouge_n(s, &refs, 2).recall).collect();
        for (k, s) in stems.iter().enumerate() {
            tallies[k].add(s, &refs);
        }
        for k in 0..3 {
            diffs[k].push(r1[0] - r1[k + 1]);
            diffs2[k].push(r2[0] - r2[k + 1]);
        }
    }
    println!(
        "DUC 2004 task 2: {} sets, 4 human references each, {WORDS} words, Porter stems",
        sets.len()
    );
    println!("| system | R-1 R | R-1 F | R-2 R | R-2 F | words |\n|---|---|---|---|---|---|");
    for (name, t) in names.iter().zip(&tallies) {
        println!("{}", t.row(name));
    }
    for ((name, _), t) in variants.iter().zip(&extra) {
        println!("{}", t.row(name));
    }
    for (k, name) in names[1..].iter().enumerate() {
        for (n, d) in [(1, &diffs[k]), (2, &diffs2[k])] {
            let p = Paired::of(d);
            println!(
                "ours - {name}: R-{n} recall {:+.2} ± {:.2} (95% CI), ours better on {} of {} sets",
                p.mean * 100.0,
                p.half_width * 100.0,
                p.wins,
                d.len()
            );
        }
    }
}
