//! Per-cluster summaries: headline, extracted summary, keywords, entities, member centrality and
//! what differs between near-duplicate copies.
//!
//! Input: the member articles of one story cluster ([`MemberText`], with their near-duplicate
//! group) and corpus-wide document frequencies ([`TermStats`]). Output: a [`Summary`]. Near-
//! duplicate copies count once everywhere: a story syndicated to forty sites is one voice, not
//! forty, so only group representatives feed the centroid, the summary, keywords and entities
//! (every member's title still competes for the headline).
//!
//! **Sentences** ([`split_sentences`]): paragraphs first (blank lines, indented lines, and in
//! hard-wrapped text such as Reuters wires a line much shorter than the wrap width), then
//! sentence ends at `.`, `!`, `?`, an ellipsis or a CJK full stop, with closing quotes (`."`,
//! `.”`) kept, where the next word does not start lower-case. A period after an abbreviation (`Mr.`, `Gen.`, `U.S.`,
//! `Feb. 24`, an initial) ends a sentence only when a capitalised function word follows
//! (`... the U.S. The ...`): the orthographic cue of Punkt (Kiss & Strunk 2006, "Unsupervised
//! multilingual sentence boundary detection", Computational Linguistics 32(4)) with a fixed
//! abbreviation list instead of a trained one. Summary candidates drop page furniture
//! ("Advertisement", "Subscribe…", "Read more", image credits, headings without a full stop,
//! tables of figures, very short or very long lines).
//!
//! **Vectors**: words as `normalize` tokenises them, minus a compact English stop-word list,
//! weighted by sublinear tf × smoothed idf from [`TermStats`] (Salton & Buckley 1988, "Term-
//! weighting approaches in automatic text retrieval"), L2-normalised.
//!
//! **Centrality and headline**: a member's centrality is its mean cosine to the other
//! near-duplicate groups, each represented once. With unit vectors, the mean cosine to all the
//! others is one dot product with the sum of their vectors, so this is exact and linear, never
//! all-pairs. The headline is the title of the most central member (its first sentence when it
//! has no title).
//!
//! **Summary**: candidate sentences of the group representatives are scored by cosine to the
//! cluster centroid, MEAD's centroid score (Radev, Jing, Styś & Tam 2004, "Centroid-based
//! summarization of multiple documents", IP&M 40), plus a lead prior, since news writing puts
//! the key facts first (the lead baseline is hard to beat on news: Nenkova 2005, "Automatic text
//! summarization of newswire: lessons learned from the Document Understanding Conference").
//! Sentences that open with a pronoun or connective read badly out of context and are
//! discounted. Sentences are then picked greedily by Maximal Marginal Relevance (Carbonell &
//! Goldstein 1998) whose novelty term is KLSum's coverage gain (Haghighi & Vanderwende 2009,
//! "Exploring content models for multi-document summarization", NAACL): how much the sentence
//! lowers the cross-entropy of the cluster's stemmed word distribution (opening sentences'
//! words counted up to 1.5 times) under the summary's, add-δ smoothed. Its log saturates, so
//! words already said add little: redundancy is paid for without pairwise similarity, and a
//! hard cut still drops near-identical sentences. Whole sentences only, until about
//! `summary_words` words, printed in article time and position order. LexRank (Erkan & Radev
//! 2004) ranks sentences by eigenvector centrality of the sentence graph, which is quadratic in
//! the sentence count; the centroid score is its linear stand-in.
//!
//! **Evaluation** (`summarize::eval`, `cargo test --release --lib summarize::eval --
//! --ignored --nocapture`). Against human summaries, on 27 DUC 2004 task-2 news sets (four
//! references each; each set's ten articles come merged into one text, so the lead prior sees
//! one long article), every system filled to and cut at 100 words, Porter stems: ROUGE-1
//! recall ours 38.4, TextRank 36.3, LexRank 34.6, lead 30.5; ROUGE-2 ours 9.7, TextRank 8.7,
//! LexRank 7.6. Paired over sets, 95% CI: ours − TextRank R-1 +2.1 ± 1.6, R-2 +1.0 ± 0.9;
//! ours − LexRank R-1 +3.8 ± 1.9, R-2 +2.1 ± 1.2. Without the coverage term (salience only,
//! no cut) 35.0 / 8.1. On a Reuters-21578 proxy (91 multi-document sets, the members'
//! editor-written headlines as references, withheld from every system) at ~58 words: ours
//! 50.6, LexRank 43.8, TextRank 43.7, lead 41.2 (ours − LexRank +6.7 ± 2.3); without the lead
//! prior 46.4. Headlines as references favour lead sentences, so the proxy flatters the lead
//! prior; DUC does not. Concept (bigram) coverage weighted by how many sentences use a concept
//! (Gillick & Favre 2009) scored below the salience-only baseline on the merged DUC texts,
//! which offer no per-article counts.
//!
//! **Keywords**: content words ranked by tf-idf against the corpus, multiplied by the fraction of
//! the cluster's distinct texts that use the word, so one article's quirk does not outrank a
//! word all reports share. Pure numbers and stop words never qualify; plural and singular of
//! one word count once.
//!
//! **Entities**: runs of capitalised words (with `of`, `de`, `van`… inside), titles stripped
//! (`NATO Secretary-General Jens Stoltenberg` gives `Jens Stoltenberg` and `NATO`), acronyms,
//! single capitalised words that are not only ever sentence-initial, amounts of money, numbers
//! with a unit or a counted noun (`26 people`), and dates. Ranked by the number of distinct
//! texts mentioning them, then by mentions × idf; case and dot variants merge (`NATO`/`Nato`,
//! `U.S.`/`US`), a surname folds into the full name it ends, a company's short name into its
//! full style (`Clevite` into `Clevite Industries Inc`), and a name contained in a listed one
//! is not listed again.
//!
//! **Group diffs**: per copy, the sentences (normalised as for near-duplicate detection) that
//! only the copy has and those only its representative has, furniture excluded, capped.
//!
//! Cost: linear in the cluster's text (hash maps, one dense centroid and one word distribution
//! of the cluster's vocabulary, each distinct word stemmed once; the selection looks at a
//! bounded pool of top sentences). Output is a pure function
//! of the member set: members are put in a canonical order first, so input order changes
//! nothing but the order of `centrality`.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::counts::KeyCounts;
use crate::error::{Error, Result};
use crate::flat::FlatTable;
use crate::normalize::{tokenize, Boilerplate, Tokens};
use crate::story::{CopyDiff, GroupDiff};

mod changes;
#[cfg(test)]
mod eval;

/// One member article of a cluster, as the summariser sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberText<'a> {
    /// Article id.
    pub id: &'a str,
    /// Headline; may be empty.
    pub title: &'a str,
    /// Body text; may be empty.
    pub text: &'a str,
    /// Outlet.
    pub source: &'a str,
    /// Days since 1970-01-01.
    pub published: Option<i32>,
    /// Near-duplicate group; members sharing it are copies of one text.
    pub group: u32,
    /// True for the member that stands for its group (the first flagged one in id order wins;
    /// with none flagged, the smallest id).
    pub is_group_representative: bool,
    /// Whether the text holds a line of the corpus's boilerplate
    /// ([`TermStats::set_boilerplate`]): only such texts are searched for those lines, which
    /// spares the search in the many that have none.
    pub has_boilerplate: bool,
}

type Map<K, V> = HashMap<K, V, ahash::RandomState>;
type Set<K> = HashSet<K, ahash::RandomState>;

fn new_map<K, V>() -> Map<K, V> {
    // Fixed seeds: hashing must not vary between runs (nothing here leaks map order to output,
    // but a fixed state keeps any future slip reproducible).
    HashMap::with_hasher(ahash::RandomState::with_seeds(11, 22, 33, 44))
}

fn new_set<K>() -> Set<K> {
    HashSet::with_hasher(ahash::RandomState::with_seeds(11, 22, 33, 44))
}

/// Seed of the word hash [`TermStats`] keys on; fixed so statistics built by different runs or
/// threads agree.
const TERM_SEED: u64 = 0x7E57_5EED_0F5A_3E11;

thread_local! {
    static SCRATCH: RefCell<(Tokens, Distinct)> = RefCell::new(Default::default());
}

/// The distinct word hashes of one document at a time: an open-addressing set emptied by
/// moving to a new stamp, not by clearing. Sorting every article's words to find its distinct
/// ones took 4% of reading a corpus for clustering.
#[derive(Default)]
struct Distinct {
    keys: Vec<u64>,
    stamps: Vec<u32>,
    stamp: u32,
}

impl Distinct {
    /// Calls `f` once for each distinct hash of `words`, in the order first seen.
    fn each(&mut self, words: &[u64], mut f: impl FnMut(u64)) {
        // At most half full: probes stay short.
        let want = (words.len() * 2).next_power_of_two().max(64);
        if self.keys.len() < want {
            self.keys = vec![0; want];
            self.stamps = vec![0; want];
            self.stamp = 0;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.stamps.fill(0);
            self.stamp = 1;
        }
        let shift = 64 - want.trailing_zeros();
        let mask = want - 1;
        for &h in words {
            let mut i = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
            loop {
                if self.stamps[i] != self.stamp {
                    self.stamps[i] = self.stamp;
                    self.keys[i] = h;
                    f(h);
                    break;
                }
                if self.keys[i] == h {
                    break;
                }
                i = (i + 1) & mask;
            }
        }
    }
}

/// Corpus-wide document frequencies of lower-cased words, for distinctiveness (idf).
///
/// Words are keyed by a 64-bit hash of their normalised form (as [`crate::normalize`] produces
/// it), which keeps the table small; a collision between two of the corpus's words is about as
/// likely as 2^-40 for a million-word vocabulary.
#[derive(Debug, Clone)]
pub struct TermStats {
    df: KeyCounts,
    n_docs: u32,
    seed: u64,
    /// Word hashes of the stop words under `seed`: content words are told from stop words by
    /// the hash the tokeniser already made, not by hashing their text again. A flat table, as
    /// every token of every sentence is looked up: a binary search of the sorted list was 2.3%
    /// of the summaries' instructions (callgrind, gen 3k).
    stop: FlatTable<()>,
    /// The corpus's boilerplate lines (hashed under `seed`) and the most words such a line
    /// has: sentences on them are furniture ([`TermStats::set_boilerplate`]).
    boilerplate: Boilerplate,
    boilerplate_words: u32,
    /// [`idf_smooth`] of the frequencies below [`IDF_TABLE`] against `n_docs`, made at the first
    /// [`TermStats::idf`] and dropped whenever `n_docs` changes.
    idf_table: IdfTable,
}

/// Frequencies whose idf [`TermStats::idf`] tabulates: most of a cluster's words are rare.
const IDF_TABLE: usize = 4096;

#[derive(Clone, Default)]
struct IdfTable(std::sync::OnceLock<Vec<f64>>);

impl std::fmt::Debug for IdfTable {
    // Four thousand numbers say nothing in a debug print; whether there is a table does.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "IdfTable(made)" } else { "IdfTable(empty)" })
    }
}

impl Default for TermStats {
    fn default() -> Self {
        TermStats::new()
    }
}

impl TermStats {
    /// Empty statistics.
    pub fn new() -> Self {
        TermStats::with_seed(TERM_SEED)
    }

    /// Empty statistics keyed on word hashes under `seed`, so that a caller that tokenised the
    /// corpus already (deduplication does, under its shingle seed) can count its words with
    /// [`TermStats::add_words`] instead of tokenising again.
    pub fn with_seed(seed: u64) -> Self {
        let mut stop = FlatTable::for_keys(STOP_WORDS.len());
        for w in STOP_WORDS {
            let h = crate::normalize::word_hash(w.as_bytes(), seed);
            // A word hashing to 0 (the table's empty key; odds 2^-64 a word) counts as content.
            if h != 0 && stop.get(h).is_none() {
                stop.insert_new(h, ());
            }
        }
        TermStats {
            df: KeyCounts::new(),
            n_docs: 0,
            seed,
            stop,
            boilerplate: Boilerplate::default(),
            boilerplate_words: 0,
            idf_table: IdfTable::default(),
        }
    }

    /// [`idf_smooth`]`(df, n)`, from a table when `n` is the number of documents counted: a
    /// logarithm for every distinct word of every cluster was 2% of the summaries'
    /// instructions (callgrind, gen 3k). Counting drops the table, so it never answers for
    /// another corpus size.
    fn idf(&self, df: u32, n: u32) -> f64 {
        if n == self.n_docs && (df as usize) < IDF_TABLE {
            let table = self.idf_table.0.get_or_init(|| {
                (0..IDF_TABLE as u32).map(|d| idf_smooth(d, self.n_docs)).collect()
            });
            return table[df as usize];
        }
        idf_smooth(df, n)
    }

    /// Tells the summariser the corpus's boilerplate lines (from deduplication, hashed under
    /// this table's seed; lines of at most `max_words` words). Recurring outlet lines ("Follow
    /// Reuters on WhatsApp for breaking news") are no part of any story, but they are well
    /// formed and name things, so without this they became summary sentences and entities
    /// ("WhatsApp" was an entity of 441 clusters at gen 100k).
    pub fn set_boilerplate(&mut self, boilerplate: Boilerplate, max_words: u32) {
        self.boilerplate = boilerplate;
        self.boilerplate_words = max_words;
    }

    /// Marks as furniture the sentences of `text` (`marked`, from [`split_marked`]) that lie on
    /// boilerplate lines.
    fn mark_boilerplate(&self, text: &str, tokens: &mut Tokens, marked: &mut [Marked]) {
        if self.boilerplate.is_empty() {
            return;
        }
        let mut lines = Vec::new();
        self.boilerplate.lines_in(text, self.seed, self.boilerplate_words, tokens, &mut lines);
        if lines.is_empty() {
            return;
        }
        // Boilerplate lines next to each other are one block: a hard-wrapped paragraph may
        // join them into one sentence.
        let mut blocks: Vec<(usize, usize)> = Vec::with_capacity(lines.len());
        for (a, b) in lines {
            match blocks.last_mut() {
                Some(last) if text[last.1..a].trim().is_empty() => last.1 = b,
                _ => blocks.push((a, b)),
            }
        }
        for m in marked.iter_mut() {
            let a = m.text.as_ptr() as usize - text.as_ptr() as usize;
            let b = a + m.text.len();
            if blocks.iter().any(|&(x, y)| x <= a && b <= y) {
                m.make_furniture();
            }
        }
    }

    /// Counts one document: each distinct word once.
    pub fn add_document(&mut self, text: &str) {
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (tokens, seen) = &mut *guard;
            tokenize(text, self.seed, false, tokens);
            self.count_distinct(&tokens.words, seen, KeyCounts::bump);
        });
    }

    /// Counts one document given its word hashes (from [`tokenize`] under this table's seed).
    pub fn add_words(&mut self, words: &[u64]) {
        self.count_words(words, KeyCounts::bump);
    }

    /// [`TermStats::add_words`] for bulk counting: the counts are queued and become readable
    /// after [`TermStats::merge`].
    pub(crate) fn queue_words(&mut self, words: &[u64]) {
        self.count_words(words, KeyCounts::add);
    }

    fn count_words(&mut self, words: &[u64], count: impl Fn(&mut KeyCounts, u64)) {
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (_, seen) = &mut *guard;
            self.count_distinct(words, seen, count);
        });
    }

    fn count_distinct(
        &mut self,
        words: &[u64],
        seen: &mut Distinct,
        count: impl Fn(&mut KeyCounts, u64),
    ) {
        let df = &mut self.df;
        seen.each(words, |h| count(df, h));
        self.n_docs = self.n_docs.saturating_add(1);
        self.idf_table = IdfTable::default();
    }

    /// Adds `other`'s counts, so statistics can be built per thread and combined. Both must
    /// use the same seed.
    pub fn merge(&mut self, other: TermStats) {
        assert_eq!(self.seed, other.seed, "merging word statistics of different hashes");
        self.df.merge(other.df);
        self.n_docs = self.n_docs.saturating_add(other.n_docs);
        self.idf_table = IdfTable::default();
    }

    /// Number of documents containing `term` (normalised as the tokeniser does; a string that
    /// is not exactly one word has frequency 0).
    pub fn df(&self, term: &str) -> u32 {
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (tokens, _) = &mut *guard;
            tokenize(term, self.seed, false, tokens);
            if tokens.words.len() == 1 {
                self.df_hash(tokens.words[0])
            } else {
                0
            }
        })
    }

    /// Number of documents counted.
    pub fn n_docs(&self) -> u32 {
        self.n_docs
    }

    fn df_hash(&self, h: u64) -> u32 {
        self.df.get(h)
    }

    /// Ends counting: lookups, many at a time in the summariser, get faster, and
    /// counting more panics.
    pub fn freeze(&mut self) {
        self.df.freeze();
    }

    /// The document frequency of each word hash, in order, appended to `out`.
    fn df_hashes(&self, hashes: &[u64], out: &mut Vec<u32>) {
        self.df.get_many(hashes, out);
    }
}

/// How long and how rich a summary is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryParams {
    /// Target summary length in words; whole sentences only, so the result lands near it.
    pub summary_words: usize,
    /// Most sentences in the summary.
    pub max_sentences: usize,
    /// Number of keywords.
    pub keywords: usize,
    /// Number of entities.
    pub entities: usize,
    /// Most sentences listed per copy and direction in a group diff.
    pub diff_sentences: usize,
    /// Only the entities, which story threads are linked by: for outputs that show no
    /// summary (TSV), the rest is half the summariser's work spent on nothing.
    pub entities_only: bool,
}

impl Default for SummaryParams {
    fn default() -> Self {
        SummaryParams {
            summary_words: 60,
            max_sentences: 3,
            keywords: 10,
            entities: 10,
            diff_sentences: 5,
            entities_only: false,
        }
    }
}

impl SummaryParams {
    /// Checks that a summary can be built.
    pub fn validate(&self) -> Result<()> {
        if self.summary_words == 0 {
            return Err(Error::param("--summary-words", "must be at least 1"));
        }
        if self.max_sentences == 0 {
            return Err(Error::param("--summary-sentences", "must be at least 1"));
        }
        Ok(())
    }
}

/// What the summariser says about one cluster.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Title of the most central member that has one; when no member has a title, the first
    /// sentence of the most central member.
    pub headline: String,
    /// Extracted sentences, whitespace folded, in article time and position order.
    pub summary: String,
    /// Lower-case terms that distinguish the cluster from the corpus, best first.
    pub keywords: Vec<String>,
    /// Names, acronyms, amounts and dates, most widely mentioned first.
    pub entities: Vec<String>,
    /// Per member, in input order: mean cosine similarity to the other near-duplicate groups
    /// (0..1); with a single group, similarity to that group's representative.
    pub centrality: Vec<f64>,
    /// Per near-duplicate group whose copies differ, what differs. Copies that differ in no
    /// sentence are left out, and so are groups with no such copy.
    pub group_diffs: Vec<GroupDiff>,
}

// ---------------------------------------------------------------------------------------------
// Sentence splitting

/// Splits `text` into sentences, each a trimmed slice of `text`, in order. Paragraph breaks
/// always end a sentence. Never panics, whatever the script.
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (a, b) in paragraphs(text) {
        split_paragraph(text, a, b, &mut out);
    }
    out
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Byte ranges of the lines of `text`, without their terminators.
fn lines(text: &str) -> Vec<(usize, usize)> {
    if text.is_ascii() {
        lines_ascii(text)
    } else {
        lines_any(text)
    }
}

/// [`lines`] of ASCII text. Most texts are: memchr's vector search finds the breaks, where
/// [`lines_any`] looks at every byte (a third of sentence splitting's instructions, callgrind
/// gen 3k).
fn lines_ascii(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(off) = memchr::memchr2(b'\n', b'\r', &bytes[start..]) {
        let i = start + off;
        // The '\n' of a "\r\n" pair ends no second line.
        if !(bytes[i] == b'\n' && i > 0 && bytes[i - 1] == b'\r') {
            out.push((start, i));
        }
        start = i + 1;
    }
    out.push((start, text.len()));
    out
}

/// [`lines`] of any text.
fn lines_any(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_cr = false;
    let mut i = 0;
    while i < bytes.len() {
        // Line breaks are '\n', '\r' or characters whose UTF-8 starts with 0xC2 or 0xE2; no
        // other byte can begin one, so the rest is skipped a byte at a time without decoding.
        let c = match bytes[i] {
            b'\n' => '\n',
            b'\r' => '\r',
            0xC2 | 0xE2 => text[i..].chars().next().unwrap_or(' '),
            _ => {
                prev_cr = false;
                i += 1;
                continue;
            }
        };
        if is_line_break(c) {
            if !(c == '\n' && prev_cr) {
                out.push((start, i));
            }
            start = i + c.len_utf8();
        }
        prev_cr = c == '\r';
        i += c.len_utf8();
    }
    out.push((start, text.len()));
    out
}

/// Byte ranges of paragraphs: runs of lines joined only where a line looks hard-wrapped.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let ls = lines(text);
    let widths: Vec<usize> =
        ls.iter().map(|&(a, b)| text[a..b].trim_end().chars().count()).collect();
    let max_width = widths.iter().copied().max().unwrap_or(0);
    // Text whose every line fits in 100 characters was wrapped by its producer (wires, mail);
    // text with longer lines keeps one paragraph a line, so every line break is a break.
    let wrapped = max_width <= 100 && ls.len() > 2;
    let mut out = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    for (k, &(a, b)) in ls.iter().enumerate() {
        let line = &text[a..b];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(p) = cur.take() {
                out.push(p);
            }
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let start = a + lead;
        let end = a + line.trim_end().len();
        let indented = line.starts_with('\t') || line.starts_with("  ");
        let bullet = trimmed.starts_with(['*', '•', '-', '–', '—', '|']);
        let soft = k > 0 && cur.is_some() && !indented && !bullet && {
            let (pa, pb) = ls[k - 1];
            let prev = text[pa..pb].trim_end();
            // A full-width line of wrapped text runs on; so does any line whose sentence is
            // unfinished when the next starts lower-case (a wire's first line, shortened by
            // its stripped dateline: "Clevite Industries Inc said it\nreceived a proposal").
            let unfinished = !prev.trim_end_matches(is_closer).ends_with(is_terminal);
            (wrapped && widths[k - 1] * 10 >= max_width * 6)
                || (trimmed.starts_with(char::is_lowercase) && unfinished)
                || (wrapped && unfinished && runs_on(prev, trimmed, k == 1))
        };
        match cur {
            Some((s, _)) if soft => cur = Some((s, end)),
            _ => {
                if let Some(p) = cur.take() {
                    out.push(p);
                }
                cur = Some((start, end));
            }
        }
    }
    if let Some(p) = cur {
        out.push(p);
    }
    out
}

/// Whether a short line of wrapped text, `prev`, is cut mid-sentence before `next` although
/// `next` starts with a capital: it ends with a comma or a word that cannot end a sentence
/// ("The National Union of Mineworkers,\nNUM, said", "Sens. Alan Cranston (D-Cal.) and\nDaniel
/// Evans said"), or, as the text's first line, it splits a name ("The Association of
/// International Bond\nDealers, AIBD, said"). A dateline stripped from a wire's first line
/// leaves it short, and without this the lead lost its opening words in every summary. A line
/// of capitals is a heading, not the start of a sentence.
fn runs_on(prev: &str, next: &str, first_line: bool) -> bool {
    if prev.ends_with([',', ';']) {
        return true;
    }
    let last = prev.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    if RUN_ON_WORDS.binary_search(&last).is_ok() {
        return true;
    }
    let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let shouting = prev.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
    first_line
        && !shouting
        && capital(last)
        && capital(next)
        && prev.split_whitespace().count() >= 2
}

/// Lower-case words that do not end an English sentence: articles, conjunctions, prepositions
/// and the auxiliaries a wire's lead line breaks after. Sorted, for binary search.
const RUN_ON_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "against",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "between",
    "but",
    "by",
    "for",
    "from",
    "had",
    "has",
    "have",
    "in",
    "including",
    "into",
    "is",
    "its",
    "of",
    "on",
    "or",
    "over",
    "said",
    "than",
    "that",
    "the",
    "their",
    "to",
    "under",
    "was",
    "were",
    "which",
    "while",
    "who",
    "will",
    "with",
    "would",
];

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '›')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// Full-width terminators of Chinese and Japanese, which need no space after them.
fn is_cjk_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？')
}

/// Abbreviations after which a period never ends a sentence: a name or a number follows.
const ABBREV_NEVER: &[&str] = &[
    "adm", "capt", "cdr", "cf", "cmdr", "col", "cpl", "det", "dr", "e.g", "fr", "gen", "gov",
    "hon", "i.e", "insp", "lt", "maj", "messrs", "mme", "mr", "mrs", "ms", "mt", "prof", "rep",
    "reps", "rev", "sen", "sens", "sgt", "st", "supt", "vs",
];

/// Abbreviations after which a period ends a sentence only before a capitalised function word.
const ABBREV_SOMETIMES: &[&str] = &[
    "al", "approx", "apr", "assn", "aug", "ave", "bros", "co", "corp", "dec", "dept", "est", "etc",
    "feb", "fig", "inc", "jan", "jr", "jul", "jun", "ltd", "mar", "no", "nos", "nov", "oct", "p",
    "plc", "pp", "sep", "sept", "sr", "univ", "vol",
];

/// The word that ends just before byte `dot` (letters, digits and inner periods).
fn word_before(s: &str, dot: usize) -> &str {
    let head = &s[..dot];
    let mut start = dot;
    for (i, c) in head.char_indices().rev() {
        if c.is_alphanumeric() || c == '.' {
            start = i;
        } else {
            break;
        }
    }
    head[start..].trim_start_matches('.')
}

/// The word that starts at byte `at` (after any opening quotes).
fn word_after(s: &str, at: usize) -> &str {
    let tail = s[at..].trim_start_matches(|c: char| !c.is_alphanumeric());
    let end = tail.find(|c: char| !c.is_alphanumeric()).unwrap_or(tail.len());
    &tail[..end]
}

fn is_sentence_starter(word: &str) -> bool {
    let mut cs = word.chars();
    match cs.next() {
        Some(c) if c.is_uppercase() => {}
        _ => return false,
    }
    let lower = word.to_lowercase();
    is_stop_word(&lower)
}

/// Whether a period after `prev` (the word before it) ends the sentence when `next` follows.
pub(crate) fn period_ends_sentence(prev: &str, next: &str) -> bool {
    if prev.is_empty() {
        return true;
    }
    let lower = prev.to_lowercase();
    if ABBREV_NEVER.binary_search(&lower.as_str()).is_ok() {
        return false;
    }
    let next_is_digit = next.chars().next().is_some_and(|c| c.is_ascii_digit());
    let single_letter = prev.chars().count() == 1 && prev.chars().all(char::is_alphabetic);
    let dotted = prev.contains('.');
    // "Feb. 24" goes on; a month that ends a sentence ("Wages fell in Sept. Analysts were
    // surprised.") is followed by a word, and was read as part of one long sentence.
    if matches!(
        lower.as_str(),
        "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
    ) {
        return !next_is_digit;
    }
    if ABBREV_SOMETIMES.binary_search(&lower.as_str()).is_ok() || single_letter || dotted {
        // "Feb. 24", "No. 5": a number after such a word continues the sentence; a capitalised
        // function word ("... Acme Corp. The company ...") starts a new one; a name does not
        // ("George W. Bush", "U.S. Army").
        return !next_is_digit && is_sentence_starter(next);
    }
    true
}

/// Whether `s` opens with a web address.
fn starts_link(s: &str) -> bool {
    ["http://", "https://", "www."]
        .iter()
        .any(|l| s.get(..l.len()).is_some_and(|p| p.eq_ignore_ascii_case(l)))
}

fn split_paragraph<'a>(text: &'a str, a: usize, b: usize, out: &mut Vec<&'a str>) {
    let p = &text[a..b];
    let bytes = p.as_bytes();
    let n = p.len();
    // Positions are byte offsets, always at character boundaries.
    let at = |pos: usize| p[pos..].chars().next().unwrap_or(' ');
    let ascii = p.is_ascii();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < n {
        // Terminators are '.', '!', '?' or characters whose UTF-8 starts with 0xE2 ('…'), 0xE3
        // ('。') or 0xEF ('！', '？'); continuation bytes never equal those, so other bytes are
        // skipped without decoding: this loop sees every byte of every summarised text, and
        // in ASCII text memchr's vector search does the skipping.
        let next = if ascii {
            memchr::memchr3(b'.', b'!', b'?', &bytes[i..])
        } else {
            bytes[i..].iter().position(|b| matches!(b, b'.' | b'!' | b'?' | 0xE2 | 0xE3 | 0xEF))
        };
        let Some(off) = next else { break };
        i += off;
        let pos = i;
        let c = at(i);
        if !(is_terminal(c) || is_cjk_terminal(c)) {
            i += c.len_utf8();
            continue;
        }
        let cjk = is_cjk_terminal(c);
        let mut j = i + c.len_utf8();
        let mut dots = usize::from(c == '.');
        let mut ellipsis = c == '…';
        while j < n {
            let d = at(j);
            if !(is_terminal(d) || is_cjk_terminal(d)) {
                break;
            }
            if d == '.' {
                dots += 1;
            }
            ellipsis |= d == '…';
            j += d.len_utf8();
        }
        ellipsis |= dots >= 2;
        while j < n && is_closer(at(j)) {
            j += at(j).len_utf8();
        }
        let end = j;
        if j >= n {
            break;
        }
        if !cjk && !at(j).is_whitespace() {
            // "27.4", "U.S.-led", "e.g.,": not followed by a space, so not an end.
            i = j;
            continue;
        }
        let mut k = j;
        while k < n && at(k).is_whitespace() {
            k += at(k).len_utf8();
        }
        if k >= n {
            break;
        }
        let next_char = at(k);
        let next_pos = k;
        let breaks = if next_char.is_lowercase() {
            // A link after a full stop is a line of its own ("... on Tuesday.
            // https://example.com/..."): read as one sentence, the link made the report
            // furniture too, and a one-sentence article had no summary.
            starts_link(&p[next_pos..])
        } else if cjk || c == '!' || c == '?' || ellipsis {
            true
        } else if c == '.' && dots == 1 && j == i + 1 {
            period_ends_sentence(word_before(p, pos), word_after(p, next_pos))
        } else {
            true
        };
        if breaks {
            let s = p[start..end].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = next_pos;
        }
        i = k;
    }
    let s = p[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
}

// ---------------------------------------------------------------------------------------------
// Furniture

/// Line openings that mark page furniture rather than reporting.
const FURNITURE_PREFIXES: &[&str] = &[
    "advertisement",
    "also read",
    "click here",
    "copyright",
    "download the",
    "editing by",
    "email address",
    "facebook comments",
    "follow us",
    "full name",
    "image:",
    "image source",
    "indicates required",
    "join today",
    "listen to",
    "more:",
    "newsletter",
    "photo:",
    "read also",
    "read more",
    "recommended",
    "related:",
    "related articles",
    "reporting by",
    "share this",
    "sign up",
    "skip to",
    "sponsored",
    "subscribe",
    "the views and opinions expressed",
    "watch:",
    "(editing by",
    "(reporting by",
];

/// Fragments that mark an image credit, a link or a sign-up form anywhere in a line, in lower
/// case: they are sought in a lower-cased copy of it.
const FURNITURE_FRAGMENTS: &[&str] = &[
    "/ image",
    "all rights reserved",
    "getty images",
    "http://",
    "https://",
    "image credit",
    "image source",
    "indicates required",
    "photo credit",
    "sign up for our",
    "www.",
    "©",
];

/// A character of a script written without spaces between words: Han ideographs, hiragana
/// and katakana.
fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// Words with a letter or digit.
#[cfg(test)]
fn word_count(s: &str) -> usize {
    WordStats::of(s).words
}

/// A known advertisement, sign-up, credit or link pattern (a line is also furniture when it is
/// under four words: too short to report anything).
fn is_furniture_pattern(s: &str) -> bool {
    // Every sentence of every member passes here, so each test is one pass: the openings in
    // one anchored automaton (Aho & Corasick 1975), ASCII case folded.
    static PREFIXES: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    // The fragments, each a vectorised substring search over an ASCII-lower-cased copy (what
    // ASCII case folding matches): 1.0 ns a byte for all twelve, where one case-folding
    // automaton, which cannot use a vectorised prefilter, took 1.6 (gen 5k's sentences).
    static FRAGMENTS: std::sync::OnceLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::OnceLock::new();
    thread_local! {
        static LOWER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let prefixes = PREFIXES.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .start_kind(aho_corasick::StartKind::Anchored)
            .build(FURNITURE_PREFIXES)
            .expect("fixed patterns build")
    });
    let trimmed = s.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(');
    let anchored = aho_corasick::Input::new(trimmed).anchored(aho_corasick::Anchored::Yes);
    if prefixes.find(anchored).is_some() {
        return true;
    }
    let fragments = FRAGMENTS.get_or_init(|| {
        FURNITURE_FRAGMENTS.iter().map(|f| memchr::memmem::Finder::new(f.as_bytes())).collect()
    });
    let found = LOWER.with_borrow_mut(|lower| {
        lower.clear();
        lower.extend_from_slice(s.as_bytes());
        lower.make_ascii_lowercase();
        fragments.iter().any(|f| f.find(lower).is_some())
    });
    // An e-mail address: a word with an @ and a dot after it.
    found
        || s.contains('@')
            && s.split_whitespace().any(|w| w.find('@').is_some_and(|at| w[at..].contains('.')))
}

fn ends_like_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(is_closer);
    t.ends_with(|c: char| is_terminal(c) || is_cjk_terminal(c))
}

/// A sentence with what every stage asks of it, worked out once.
#[derive(Debug, Clone, Copy)]
struct Marked<'a> {
    text: &'a str,
    /// [`word_count`] of the text.
    words: usize,
    furniture: bool,
    shouting: bool,
    candidate: bool,
}

impl Marked<'_> {
    /// Marks the sentence as page furniture, which is neither shouting nor a candidate.
    fn make_furniture(&mut self) {
        *self = Marked { furniture: true, shouting: false, candidate: false, ..*self };
    }
}

/// [`split_sentences`], each sentence marked, and an opening teaser marked as furniture.
fn split_marked(text: &str) -> Vec<Marked<'_>> {
    let mut marked: Vec<Marked> = split_sentences(text).into_iter().map(mark).collect();
    mark_teaser(text, &mut marked);
    marked
}

/// Whether `sentence`, a slice of `text`, is the last thing on its line.
fn ends_line(text: &str, sentence: &str) -> bool {
    let end = sentence.as_ptr() as usize - text.as_ptr() as usize + sentence.len();
    text.get(end..).is_none_or(|rest| {
        rest.trim_start_matches([' ', '\t']).chars().next().is_none_or(is_line_break)
    })
}

/// Most words of a teaser line.
const TEASER_WORDS: usize = 12;

/// Marks as furniture a page's teaser: two or more short lines at the very top of `text` ("Russia says
/// Ukrainian forces retreated in Luhansk. Kyiv says Russian balloons shot down over the
/// capital.") that end at an advertisement or link line. They are the headlines of other
/// stories; a lead sentence runs longer, and does not stop at an advertisement.
fn mark_teaser(text: &str, marked: &mut [Marked]) {
    // Lines, not sentences: two short sentences in one paragraph are a lead ("The president
    // resigned. He was 70."), even when an advertisement follows.
    let short = marked
        .iter()
        .take_while(|m| !m.furniture && m.words <= TEASER_WORDS && ends_line(text, m.text))
        .count();
    if short >= 2 && marked.get(short).is_some_and(|m| m.furniture && is_furniture_pattern(m.text))
    {
        for m in &mut marked[..short] {
            m.make_furniture();
        }
    }
}

fn mark(s: &str) -> Marked<'_> {
    let st = WordStats::of(s);
    let furniture = st.words < 4 || is_furniture_pattern(s);
    let shouting = !furniture && st.shouting();
    let candidate = !furniture && !shouting && st.prose() && ends_like_sentence(s);
    Marked { text: s, words: st.words, furniture, shouting, candidate }
}

/// Word counts of a sentence, all taken in one pass: [`word_count`], [`is_shouting`] and
/// [`is_prose`] each walk every character, for every sentence of every member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WordStats {
    /// Words with a letter or digit.
    words: usize,
    /// Words with a letter.
    alphabetic: usize,
    /// Words of two letters or more, and how many of them are all upper case.
    lettered: usize,
    upper: usize,
}

/// `char::is_whitespace` for an ASCII byte (`u8::is_ascii_whitespace` leaves out the vertical
/// tab, which `split_whitespace` splits on).
const fn is_ascii_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ')
}

/// Classes of ASCII bytes, one table lookup a byte in place of several range tests: the
/// summariser reads every byte of every distinct text more than once.
mod byte_class {
    pub const SPACE: u8 = 1;
    pub const LOWER: u8 = 2;
    pub const UPPER: u8 = 4;
    pub const DIGIT: u8 = 8;
    pub const ALNUM: u8 = LOWER | UPPER | DIGIT;
    pub static CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 128 {
            let c = i as u8;
            t[i] = if super::is_ascii_space(c) {
                SPACE
            } else if c.is_ascii_lowercase() {
                LOWER
            } else if c.is_ascii_uppercase() {
                UPPER
            } else if c.is_ascii_digit() {
                DIGIT
            } else {
                0
            };
            i += 1;
        }
        t
    };
}

impl WordStats {
    fn of(s: &str) -> Self {
        if s.is_ascii() {
            Self::of_ascii(s.as_bytes())
        } else {
            Self::of_chars(s)
        }
    }

    /// [`WordStats::of`] a byte at a time. Nearly every sentence is ASCII, and decoding and
    /// classifying every character of every member's sentences was a fifth of the time the
    /// summariser spent outside the functions it calls (perf, gen 100k).
    fn of_ascii(b: &[u8]) -> Self {
        use byte_class::{CLASS, DIGIT, LOWER, SPACE, UPPER};
        let mut st = WordStats::default();
        let mut i = 0;
        while i < b.len() {
            if CLASS[usize::from(b[i])] == SPACE {
                i += 1;
                continue;
            }
            let (mut letters, mut seen) = (0, 0u8);
            while i < b.len() {
                let c = CLASS[usize::from(b[i])];
                if c == SPACE {
                    break;
                }
                letters += usize::from(c & (LOWER | UPPER) != 0);
                seen |= c;
                i += 1;
            }
            st.count_word(letters, seen & LOWER == 0, seen & (LOWER | UPPER | DIGIT) != 0);
        }
        st
    }

    fn of_chars(s: &str) -> Self {
        let mut st = WordStats::default();
        for w in s.split_whitespace() {
            let (mut letters, mut all_upper, mut alnum) = (0, true, false);
            let mut unspaced = 0usize;
            for c in w.chars() {
                if is_unspaced(c) {
                    unspaced += 1;
                } else if c.is_alphabetic() {
                    letters += 1;
                    all_upper &= c.is_uppercase();
                    alnum = true;
                } else if c.is_numeric() {
                    alnum = true;
                }
            }
            if unspaced > 0 {
                // Chinese and Japanese put no space between words, which run about two
                // characters: counted as one word, a 40-character sentence was under the four
                // words of a line that reports anything, and every sentence was furniture.
                let n = unspaced.div_ceil(2);
                st.words += n;
                st.alphabetic += n;
                st.lettered += n;
            }
            if alnum {
                st.count_word(letters, all_upper, alnum);
            }
        }
        st
    }

    fn count_word(&mut self, letters: usize, all_upper: bool, alnum: bool) {
        self.words += usize::from(alnum);
        self.alphabetic += usize::from(letters > 0);
        if letters >= 2 {
            self.lettered += 1;
            self.upper += usize::from(all_upper);
        }
    }

    /// Most words upper case: a heading or a wire slug, not a sentence.
    fn shouting(&self) -> bool {
        self.lettered >= 2 && self.upper * 10 >= self.lettered * 6
    }

    /// Prose-like length and make-up (the sentence ending is checked apart): tables of figures
    /// ("Net loss 7,041,000 vs loss 467,000") are mostly numbers.
    fn prose(&self) -> bool {
        (6..=80).contains(&self.words) && self.alphabetic * 3 >= self.words * 2
    }
}

/// A sentence fit to stand in a summary: a full sentence of prose, not furniture, a heading or
/// a line of a table.
#[cfg(test)]
fn is_candidate(s: &str) -> bool {
    let st = WordStats::of(s);
    let furniture = st.words < 4 || is_furniture_pattern(s);
    !furniture && !st.shouting() && st.prose() && ends_like_sentence(s)
}

/// Whitespace folded to single spaces.
fn fold_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_space_into(s, &mut out);
    out
}

/// [`fold_space`] of `s` appended to `out`.
fn fold_space_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        fold_space_ascii(s, out);
    } else {
        fold_space_any(s, out);
    }
}

/// [`fold_space_into`] on bytes, for ASCII `s`: every diffed sentence and entity mention passes
/// here, and decoding them for `split_whitespace` cost five times the copy (callgrind, gen 3k).
fn fold_space_ascii(s: &str, out: &mut String) {
    let b = s.as_bytes();
    // Most sentences and names are folded already (single spaces between words): one test
    // and one copy, where word by word it was a push per word.
    let folded = b.first().is_none_or(|&c| !is_ascii_space(c))
        && b.last().is_none_or(|&c| !is_ascii_space(c))
        && b.windows(2).all(|w| !is_ascii_space(w[1]) || (w[1] == b' ' && !is_ascii_space(w[0])));
    if folded {
        out.push_str(s);
        return;
    }
    let from = out.len();
    let mut i = 0;
    while i < b.len() {
        if is_ascii_space(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_ascii_space(b[i]) {
            i += 1;
        }
        if out.len() > from {
            out.push(' ');
        }
        out.push_str(&s[start..i]);
    }
}

fn fold_space_any(s: &str, out: &mut String) {
    let from = out.len();
    for w in s.split_whitespace() {
        if out.len() > from {
            out.push(' ');
        }
        out.push_str(w);
    }
}

// ---------------------------------------------------------------------------------------------
// Stop words

/// A compact English stop-word list: function words (after the SMART and Snowball lists),
/// reporting verbs and wire abbreviations that say nothing about a story.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "according",
    "after",
    "again",
    "against",
    "ago",
    "all",
    "almost",
    "along",
    "already",
    "also",
    "although",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "are",
    "around",
    "as",
    "at",
    "be",
    "became",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "cts",
    "did",
    "dlrs",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "during",
    "each",
    "either",
    "else",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "including",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "last",
    "least",
    "less",
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "meanwhile",
    "might",
    "mln",
    "more",
    "most",
    "mr",
    "mrs",
    "ms",
    "much",
    "must",
    "my",
    "near",
    "neither",
    "never",
    "new",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "others",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "pct",
    "per",
    "reuter",
    "said",
    "same",
    "say",
    "says",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "to",
    "told",
    "too",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "vs",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "year",
    "yet",
    "you",
    "your",
    "yours",
];

fn is_stop_word(lower: &str) -> bool {
    word_class(lower) & class::STOP != 0
}

/// Word lists as bit flags, for [`word_class`].
mod class {
    pub const STOP: u16 = 1;
    pub const CONNECTOR: u16 = 1 << 1;
    pub const TITLE: u16 = 1 << 2;
    pub const MODIFIER: u16 = 1 << 3;
    pub const PORTFOLIO: u16 = 1 << 4;
    pub const ORG_HEAD: u16 = 1 << 5;
    pub const DIRECTION: u16 = 1 << 6;
    pub const WEEKDAY: u16 = 1 << 7;
    pub const NUMBER_WORD: u16 = 1 << 8;
}

/// The lists [`word_class`] answers for, with their flags.
const CLASSED_LISTS: [(&[&str], u16); 9] = [
    (STOP_WORDS, class::STOP),
    (NAME_CONNECTORS, class::CONNECTOR),
    (PERSON_TITLES, class::TITLE),
    (TITLE_MODIFIERS, class::MODIFIER),
    (PORTFOLIO_WORDS, class::PORTFOLIO),
    (ORG_HEADS, class::ORG_HEAD),
    (DIRECTIONS, class::DIRECTION),
    (WEEKDAYS, class::WEEKDAY),
    (NUMBER_WORDS, class::NUMBER_WORD),
];

/// The word lists `w` is on, as [`class`] flags; `w` is looked up as it is (lower-case it
/// first). One hash lookup answers every list: the entity pass asks up to eight lists about
/// each word of a name, and their binary searches' string compares were a tenth of it
/// (callgrind, gen 3k).
fn word_class(w: &str) -> u16 {
    static TABLE: std::sync::OnceLock<ahash::AHashMap<&'static str, u16>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = ahash::AHashMap::new();
        for (list, flag) in CLASSED_LISTS {
            for &w in list {
                *t.entry(w).or_insert(0) |= flag;
            }
        }
        t
    });
    table.get(w).copied().unwrap_or(0)
}

/// Words that make a sentence lean on the one before it.
const DANGLING_OPENERS: &[&str] = &[
    "also",
    "and",
    "but",
    "he",
    "her",
    "his",
    "however",
    "it",
    "its",
    "meanwhile",
    "she",
    "that",
    "their",
    "these",
    "they",
    "this",
    "those",
];

// ---------------------------------------------------------------------------------------------
// Vocabulary and vectors

/// Words of the cluster, numbered in first-seen (canonical) order.
struct Vocab {
    /// Word hash to id. A flat table only spreads the word hashes over its slots, where the
    /// general map it replaces hashed them again: that map was a tenth of content-word lookup
    /// (callgrind).
    ids: FlatTable<u32>,
    /// The id of the word hashing to 0, which the table cannot hold.
    zero: Option<u32>,
    /// Each word's hash, by id.
    hashes: Vec<u64>,
    /// The words' text, one after another ([`Vocab::word`]): a string each cost an allocation
    /// per distinct word of every cluster.
    text: String,
    spans: Vec<(u32, u32)>,
    /// Distinct texts (group representatives) using the word.
    units: Vec<u32>,
    /// Occurrences over the representatives.
    tf: Vec<u32>,
    last_unit: Vec<u32>,
}

impl Vocab {
    /// Room for about `words` words: growing the arrays word by word was 1% of a clustering run
    /// (callgrind).
    fn with_capacity(words: usize) -> Self {
        Vocab {
            ids: FlatTable::for_keys(words),
            zero: None,
            hashes: Vec::with_capacity(words),
            text: String::with_capacity(words * 8),
            spans: Vec::with_capacity(words),
            units: Vec::with_capacity(words),
            tf: Vec::with_capacity(words),
            last_unit: Vec::with_capacity(words),
        }
    }

    /// The id of the word hashing to `hash`, numbering it if new; `word` gives its text (lower
    /// case), asked only for a new word.
    fn id_with(&mut self, hash: u64, word: impl FnOnce(&mut String)) -> u32 {
        let known = if hash == 0 { self.zero } else { self.ids.get(hash) };
        if let Some(id) = known {
            return id;
        }
        let id = self.spans.len() as u32;
        if hash == 0 {
            self.zero = Some(id);
        } else {
            if 4 * (self.ids.len() + 1) > 3 * self.ids.slots() {
                self.ids.grow();
            }
            self.ids.insert_new(hash, id);
        }
        let a = self.text.len() as u32;
        word(&mut self.text);
        self.spans.push((a, self.text.len() as u32));
        self.hashes.push(hash);
        self.units.push(0);
        self.tf.push(0);
        self.last_unit.push(u32::MAX);
        id
    }

    /// The id of `word` (lower case), hashing to `hash`, numbering it if new.
    fn id(&mut self, hash: u64, word: &str) -> u32 {
        self.id_with(hash, |text| text.push_str(word))
    }

    /// Number of words.
    fn len(&self) -> usize {
        self.spans.len()
    }

    /// The text of word `i`.
    fn word(&self, i: usize) -> &str {
        let (a, b) = self.spans[i];
        &self.text[a as usize..b as usize]
    }
}

/// Appends the content-word ids of `s` to `out`.
fn content_ids(
    s: &str,
    stats: &TermStats,
    tokens: &mut Tokens,
    vocab: &mut Vocab,
    out: &mut Vec<u32>,
) {
    if s.is_ascii() {
        // The words [`tokenize`] finds, with their text lower-cased only when new to the
        // cluster: most words of a cluster's texts repeat.
        let b = s.as_bytes();
        crate::normalize::for_each_ascii_word(b, stats.seed, |start, end, h| {
            if end - start < 2 || stats.stop.get(h).is_some() {
                return;
            }
            out.push(vocab.id_with(h, |text| {
                let a = text.len();
                text.push_str(&s[start..end]);
                text[a..].make_ascii_lowercase();
            }));
        });
        return;
    }
    tokenize(s, stats.seed, true, tokens);
    for (i, &h) in tokens.words.iter().enumerate() {
        let w = tokens.word(i);
        // One character: up to 4 bytes, so longer words skip the count.
        if (w.len() <= 4 && w.chars().count() < 2) || stats.stop.get(h).is_some() {
            continue;
        }
        out.push(vocab.id(h, w));
    }
}

/// Sparse vector: (word id, weight), ids ascending.
type SparseVec = Vec<(u32, f64)>;

/// Sublinear tf × idf of the ids in `ids` (any order, repeats = counts), L2-normalised.
fn weigh(ids: &[u32], idf: &[f64], scratch: &mut Vec<u32>) -> SparseVec {
    scratch.clear();
    scratch.extend_from_slice(ids);
    scratch.sort_unstable();
    weigh_sorted(scratch, idf)
}

/// `a` and `b`, both ascending, merged into `out` (cleared first).
fn merge_sorted(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    out.clear();
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// [`weigh`] of ids already in ascending order.
fn weigh_sorted(sorted: &[u32], idf: &[f64]) -> SparseVec {
    // Sized once: growing it word by word was 1% of a clustering run (callgrind).
    let mut v = SparseVec::with_capacity(sorted.len());
    let mut k = 0;
    while k < sorted.len() {
        let id = sorted[k];
        let mut e = k;
        while e < sorted.len() && sorted[e] == id {
            e += 1;
        }
        // ln 1 = 0 exactly: most words occur once, and skipping the log changes no bit.
        let tf = if e - k == 1 { 1.0 } else { 1.0 + ((e - k) as f64).ln() };
        let w = tf * idf[id as usize];
        if w > 0.0 {
            v.push((id, w));
        }
        k = e;
    }
    let norm = v.iter().map(|&(_, w)| w * w).sum::<f64>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            x.1 /= norm;
        }
    }
    v
}

fn dot_dense(v: &SparseVec, dense: &[f64]) -> f64 {
    v.iter().map(|&(id, w)| w * dense[id as usize]).sum()
}

fn dot_sparse(a: &SparseVec, b: &SparseVec) -> f64 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Smoothed idf, never zero, for similarity: `ln((1 + N) / (1 + df)) + 1`.
fn idf_smooth(df: u32, n: u32) -> f64 {
    ((1.0 + f64::from(n)) / (1.0 + f64::from(df))).ln() + 1.0
}

/// Plain idf, zero for a word every document has, for distinctiveness: `ln(N / df)`.
fn idf_strict(df: u32, n: u32) -> f64 {
    if n == 0 || df == 0 {
        return 1.0;
    }
    (f64::from(n) / f64::from(df)).ln().max(0.0)
}

// ---------------------------------------------------------------------------------------------
// Summarising

/// One sentence of a group representative.
struct Sentence<'a> {
    text: &'a str,
    unit: usize,
    /// Index among its article's candidate sentences.
    pos: usize,
    words: usize,
    ids: Vec<u32>,
    candidate: bool,
}

/// A near-duplicate group of the cluster: one distinct text.
struct Unit {
    group: u32,
    rep: usize,
    members: Vec<usize>,
}

/// Summarises one cluster. Members may come in any order; copies of one text (same `group`)
/// count once. An empty slice gives an empty summary.
pub fn summarize(members: &[MemberText], stats: &TermStats, params: &SummaryParams) -> Summary {
    summarize_tuned(members, stats, params, &TUNING)
}

fn summarize_tuned(
    members: &[MemberText],
    stats: &TermStats,
    params: &SummaryParams,
    tuning: &Tuning,
) -> Summary {
    if members.is_empty() {
        return Summary::default();
    }
    // Canonical order: everything downstream iterates in it, so the output does not depend on
    // the caller's order (floating-point sums included).
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&x, &y| {
        let (a, b) = (&members[x], &members[y]);
        (a.id, a.title, a.text, a.source, a.published, a.group, !a.is_group_representative)
            .cmp(&(
                b.id,
                b.title,
                b.text,
                b.source,
                b.published,
                b.group,
                !b.is_group_representative,
            ))
            .then(x.cmp(&y))
    });
    let units = make_units(members, &order);

    // Distinct words grow slower than text: one per ~12 bytes of a lead, fewer over many texts.
    let rep_bytes: usize = units.iter().map(|u| members[u.rep].text.len()).sum();
    let mut vocab = Vocab::with_capacity((rep_bytes / 12).min(rep_bytes / 40 + 512));
    let mut member_ids: Vec<Vec<u32>> = vec![Vec::new(); members.len()];
    let mut sentences: Vec<Sentence> = Vec::new();
    let mut rep_unit = vec![usize::MAX; members.len()];
    for (u, unit) in units.iter().enumerate() {
        rep_unit[unit.rep] = u;
    }
    let mut tokens = Tokens::default();
    let mut marked: Vec<Vec<Marked>> = vec![Vec::new(); members.len()];
    for unit in &units {
        marked[unit.rep] = split_marked(members[unit.rep].text);
        if members[unit.rep].has_boilerplate {
            stats.mark_boilerplate(members[unit.rep].text, &mut tokens, &mut marked[unit.rep]);
        }
        if unit.members.len() > 1 && !params.entities_only {
            // A copy's sentences are mostly its representative's, word for word: those take
            // the representative's marks, which spares the copies, two in five members at gen
            // 100k, most of the marking. A teaser is the representative's call too, so that a
            // line is furniture in every copy or in none and copy diffs compare like with like.
            let known: Map<&str, Marked> =
                marked[unit.rep].iter().map(|ms| (ms.text, *ms)).collect();
            for &m in unit.members.iter().filter(|&&m| m != unit.rep) {
                marked[m] = split_sentences(members[m].text)
                    .into_iter()
                    .map(|s| known.get(s).map_or_else(|| mark(s), |ms| Marked { text: s, ..*ms }))
                    .collect();
                // A syndicated copy carries its own outlet's lines.
                if members[m].has_boilerplate {
                    stats.mark_boilerplate(members[m].text, &mut tokens, &mut marked[m]);
                }
            }
        }
    }
    if params.entities_only {
        // Entities read only the representatives' marked sentences and the corpus size.
        let corpus_n = stats.n_docs().max(units.len() as u32);
        let entities = entities(members, &marked, &units, stats, corpus_n, params.entities);
        return Summary { entities, ..Summary::default() };
    }
    // Group representatives first: their words make the vocabulary, sentences and counts.
    let mut title_len = vec![0usize; members.len()];
    for &m in order.iter().filter(|&&m| rep_unit[m] != usize::MAX) {
        let member = &members[m];
        // A lead of [`crate::events::TEXT_KEEP`] bytes has a few hundred content words.
        let mut ids = Vec::with_capacity(member.text.len() / 6 + 16);
        content_ids(member.title, stats, &mut tokens, &mut vocab, &mut ids);
        title_len[m] = ids.len();
        let unit = rep_unit[m];
        let mut pos = 0;
        for ms in marked[m].iter().filter(|ms| !ms.furniture) {
            let s = ms.text;
            let start = ids.len();
            content_ids(s, stats, &mut tokens, &mut vocab, &mut ids);
            let candidate = ms.candidate;
            sentences.push(Sentence {
                text: s,
                unit,
                pos,
                words: ms.words,
                ids: ids[start..].to_vec(),
                candidate,
            });
            pos += usize::from(candidate);
        }
        for &id in &ids {
            let i = id as usize;
            vocab.tf[i] += 1;
            if vocab.last_unit[i] != unit as u32 {
                vocab.last_unit[i] = unit as u32;
                vocab.units[i] += 1;
            }
        }
        member_ids[m] = ids;
    }
    // A copy's text is its representative's give or take a few edits (that is what put it in
    // the group), so only its own title is read: its words are the title's plus the
    // representative's body. Tokenising every copy again would double the work on
    // syndicated stories for no visible change.
    for unit in &units {
        for &m in unit.members.iter().filter(|&&m| m != unit.rep) {
            let mut ids = Vec::with_capacity(member_ids[unit.rep].len() + 16);
            content_ids(members[m].title, stats, &mut tokens, &mut vocab, &mut ids);
            ids.extend_from_slice(&member_ids[unit.rep][title_len[unit.rep]..]);
            member_ids[m] = ids;
        }
    }

    let n_units = units.len() as u32;
    let corpus_n = stats.n_docs().max(n_units);
    // Looked up together: the corpus's table is far larger than a cache, and one word at a
    // time its misses were 7% of the summaries (perf, gen 100k).
    let mut counts = Vec::with_capacity(vocab.len());
    stats.df_hashes(&vocab.hashes, &mut counts);
    let df: Vec<u32> = counts.iter().zip(&vocab.units).map(|(&c, &u)| c.max(u)).collect();
    let idf: Vec<f64> = if stats.n_docs() == 0 {
        vec![1.0; df.len()]
    } else {
        df.iter().map(|&d| stats.idf(d, corpus_n)).collect()
    };

    let mut scratch = Vec::new();
    let mut vectors: Vec<SparseVec> = vec![Vec::new(); members.len()];
    let (mut body, mut title) = (Vec::new(), Vec::new());
    for unit in &units {
        vectors[unit.rep] = weigh(&member_ids[unit.rep], &idf, &mut scratch);
        if unit.members.len() == 1 {
            continue;
        }
        // A copy's words are its title's plus the representative's body: the body is sorted
        // once and each copy's few title words merged in, where sorting every copy's whole
        // list again was two thirds of the weighing (callgrind, gen 3k).
        body.clear();
        body.extend_from_slice(&member_ids[unit.rep][title_len[unit.rep]..]);
        body.sort_unstable();
        for &m in unit.members.iter().filter(|&&m| m != unit.rep) {
            let ids = &member_ids[m];
            title.clear();
            title.extend_from_slice(&ids[..ids.len() - body.len()]);
            title.sort_unstable();
            merge_sorted(&title, &body, &mut scratch);
            vectors[m] = weigh_sorted(&scratch, &idf);
        }
    }
    let mut centroid = vec![0.0f64; vocab.len()];
    for unit in &units {
        for &(id, w) in &vectors[unit.rep] {
            centroid[id as usize] += w;
        }
    }

    let group_rep: BTreeMap<u32, usize> = units.iter().map(|u| (u.group, u.rep)).collect();
    let centrality: Vec<f64> = (0..members.len())
        .map(|m| {
            let own = &vectors[group_rep[&members[m].group]];
            let c = if units.len() > 1 {
                (dot_dense(&vectors[m], &centroid) - dot_sparse(&vectors[m], own))
                    / (units.len() - 1) as f64
            } else {
                dot_sparse(&vectors[m], own)
            };
            c.clamp(0.0, 1.0)
        })
        .collect();

    let mut ranked: Vec<usize> = order.clone();
    // Stable sort on canonical order: equal centralities fall back to id order.
    ranked.sort_by(|&a, &b| centrality[b].total_cmp(&centrality[a]));
    let headline = headline(members, &marked, &ranked);
    let stem_of = stem_classes(&vocab);
    let mut summary =
        extract_summary(members, &units, &sentences, &centroid, &idf, &stem_of, params, tuning);
    if summary.is_empty() {
        // An editor is better served by the headline, or failing that whatever the text
        // says, furniture or not, than by an empty field.
        summary = short_text(&marked, &ranked, params.summary_words)
            .or_else(|| (!headline.is_empty()).then(|| headline.clone()))
            .or_else(|| opening_words(members, &ranked, params.summary_words))
            .unwrap_or_default();
    }
    // The first pick may be a sentence over the budget rather than nothing; one over twice
    // the budget is no sentence an editor reads in ten seconds.
    let summary = clip_words(summary, 2 * params.summary_words, params.summary_words);
    let keywords = keywords(&vocab, &df, stats.n_docs(), corpus_n, n_units, params.keywords);
    let entities = entities(members, &marked, &units, stats, corpus_n, params.entities);
    let group_diffs = group_diffs(members, &marked, &units, params.diff_sentences);
    Summary { headline, summary, keywords, entities, centrality, group_diffs }
}

fn make_units(members: &[MemberText], order: &[usize]) -> Vec<Unit> {
    let mut by_group: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for &m in order {
        by_group.entry(members[m].group).or_default().push(m);
    }
    let mut units: Vec<Unit> = by_group
        .into_iter()
        .map(|(group, ms)| {
            let rep =
                ms.iter().copied().find(|&m| members[m].is_group_representative).unwrap_or(ms[0]);
            Unit { group, rep, members: ms }
        })
        .collect();
    let rank: Vec<usize> = {
        let mut r = vec![0; members.len()];
        for (k, &m) in order.iter().enumerate() {
            r[m] = k;
        }
        r
    };
    units.sort_by_key(|u| rank[u.rep]);
    units
}

/// A title with an outlet suffix such as " - Reuters" or " | CNN" removed.
fn clean_title(title: &str, source: &str) -> String {
    // A title of zero-width spaces or direction marks is no title: as a headline it would read
    // as a blank line where the text's first sentence could stand.
    if crate::normalize::is_blank(title) {
        return String::new();
    }
    let t = fold_space(title);
    if !source.trim().is_empty() {
        for sep in [" - ", " | ", " – ", " — "] {
            if let Some(at) = t.rfind(sep) {
                if t[at + sep.len()..].trim().eq_ignore_ascii_case(source.trim()) && at > 0 {
                    return t[..at].trim_end().to_string();
                }
            }
        }
    }
    t
}

fn headline(members: &[MemberText], marked: &[Vec<Marked>], ranked: &[usize]) -> String {
    for &m in ranked {
        let t = clean_title(members[m].title, members[m].source);
        if !t.is_empty() {
            return t;
        }
    }
    for &m in ranked {
        let sents = &marked[m];
        if let Some(s) =
            sents.iter().find(|s| s.candidate).or_else(|| sents.iter().find(|s| !s.furniture))
        {
            return clip_words(fold_space(s.text), HEADLINE_SENTENCE_WORDS, HEADLINE_WORDS);
        }
    }
    short_text(marked, ranked, HEADLINE_WORDS)
        .or_else(|| opening_words(members, ranked, HEADLINE_WORDS))
        .unwrap_or_default()
}

/// Most words a headline taken from a text with no title keeps.
const HEADLINE_WORDS: usize = 20;

/// Most words of a sentence that stands whole as a headline; a longer one, text without
/// sentence ends as often as a long lead, is cut to [`HEADLINE_WORDS`].
const HEADLINE_SENTENCE_WORDS: usize = 40;

/// `s` if it has at most `max` words, else its first `keep` words and an ellipsis, so that
/// the cut shows. Text with no sentence ends (a scraped page, a list, a transcript) is one
/// "sentence" as long as the lead, and an editor cannot read 500 words as a headline.
fn clip_words(s: String, max: usize, keep: usize) -> String {
    if s.split_whitespace().nth(max).is_none() {
        return s;
    }
    let mut out: String = s.split_whitespace().take(keep).collect::<Vec<_>>().join(" ");
    out.push('…');
    out
}

/// The opening words of the most central text, for a cluster whose texts have no sentence a
/// summary or headline would otherwise take: every line is under four words ("Fire.", a
/// headline-only item such as "Without a Trace"). Lines matching a furniture pattern
/// ("Advertisement", "Read more") still stay out. An editor is better served by the little
/// text there is than by an empty field. `None` when no text has a word.
fn short_text(marked: &[Vec<Marked>], ranked: &[usize], max_words: usize) -> Option<String> {
    for &m in ranked {
        let mut words: Vec<&str> = Vec::new();
        for s in marked[m].iter().filter(|s| s.words > 0 && !is_furniture_pattern(s.text)) {
            words.extend(s.text.split_whitespace().filter(|w| !crate::normalize::is_blank(w)));
            if words.len() >= max_words {
                break;
            }
        }
        if !words.is_empty() {
            words.truncate(max_words);
            return Some(words.join(" "));
        }
    }
    None
}

/// The first words of the most central text that has any, furniture included, for a cluster
/// with nothing else to show ("Zoo welcomes panda https://example.com/zoo", "Advertisement").
/// Web addresses are left out unless a text holds nothing else. `None` when no text has a word.
fn opening_words(members: &[MemberText], ranked: &[usize], max_words: usize) -> Option<String> {
    let is_link = |w: &&str| starts_link(w.trim_start_matches(|c: char| !c.is_alphanumeric()));
    for links in [false, true] {
        for &m in ranked {
            let words: Vec<&str> = members[m]
                .text
                .split_whitespace()
                .filter(|w| !crate::normalize::is_blank(w))
                .filter(|w| links || !is_link(w))
                .take(max_words)
                .collect();
            if !words.is_empty() {
                return Some(words.join(" "));
            }
        }
    }
    None
}

/// Weights of the sentence scorer: fixed for callers, varied by the evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tuning {
    /// Weight of the lead prior against the (max-normalised) centroid score; also how much
    /// more an opening sentence's words count in the cluster's word distribution.
    lead_weight: f64,
    /// Trade-off between salience and coverage gain (Carbonell & Goldstein's λ).
    mmr_lambda: f64,
    /// Sentences more similar than this to a chosen one say the same thing.
    redundant: f64,
    /// Factor for sentences opening with a pronoun or connective.
    dangling: f64,
    /// Factor for sentences opening with a quotation.
    quote: f64,
    /// Additive smoothing of the summary's word distribution, per stem (KLSum's δ).
    smoothing: f64,
}

const TUNING: Tuning = Tuning {
    lead_weight: 0.5,
    mmr_lambda: 0.7,
    redundant: 0.5,
    dangling: 0.8,
    quote: 0.9,
    smoothing: 0.05,
};
/// Only the best this many sentences are candidates for selection, which bounds its cost on
/// huge clusters.
const MMR_POOL: usize = 300;

/// A dense stem number for each vocabulary word, so that "election" and "elections" count as
/// one word of the story. Stems come from event-term extraction's per-thread memo, which has
/// already seen the words of every article: Snowball costs more than tokenising.
fn stem_classes(vocab: &Vocab) -> Vec<u32> {
    let mut stems = Vec::with_capacity(vocab.len());
    crate::cluster::features::stem_hashes((0..vocab.len()).map(|i| vocab.word(i)), &mut stems);
    // Numbered in order of first use, in a flat table sized for every word being its own stem
    // (no growth); the stem hashing to 0, which the table cannot hold, kept aside.
    let mut ids: FlatTable<u32> = FlatTable::for_keys(stems.len());
    let (mut zero, mut next) = (None, 0u32);
    stems
        .into_iter()
        .map(|h| {
            let known = if h == 0 { zero } else { ids.get(h) };
            known.unwrap_or_else(|| {
                if h == 0 {
                    zero = Some(next);
                } else {
                    ids.insert_new(h, next);
                }
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// What a summary covers of the cluster's word distribution, for KLSum's greedy step
/// (Haghighi & Vanderwende 2009): the cross-entropy of the cluster's stem distribution `P`
/// under the summary's smoothed one, `-Σ P(w) ln Q(w)`, drops most for the sentence that adds
/// the cluster's frequent words the summary lacks. The log saturates: a word already said
/// gains little, which is the redundancy penalty, without any pairwise similarity.
#[derive(Clone)]
struct Coverage {
    /// The cluster's distribution over stems.
    p: Vec<f64>,
    /// Per pool entry, its stems and their counts, stems ascending.
    bags: Vec<Vec<(u32, u32)>>,
    /// Stem counts of the summary so far, and their total.
    counts: Vec<f64>,
    total: f64,
    smoothing: f64,
    /// `ln((δ + a) / δ)` for `a` below [`FRESH_GAINS`].
    fresh: Vec<f64>,
}

/// Word counts in one sentence for which [`Coverage`] keeps a word's first gain at hand.
const FRESH_GAINS: u32 = 16;

/// The log of a word's gain: `ln((c + a) / c)` for its smoothed summary count `c` and its `a`
/// occurrences in the sentence.
fn ln_gain(c: f64, a: u32) -> f64 {
    ((c + f64::from(a)) / c).ln()
}

/// [`ln_gain`] of a word whose count is 0 (so `c` is δ exactly), for `a` below
/// [`FRESH_GAINS`]: reading the table changes no bit.
fn fresh_gains(smoothing: f64) -> Vec<f64> {
    (0..FRESH_GAINS).map(|a| ln_gain(smoothing, a)).collect()
}

impl Coverage {
    /// `P` counts every sentence of every distinct text (copies once), an opening sentence's
    /// words up to `1 + lead` times: news puts what matters first, and what the leads of
    /// several reports say is what the story is about.
    fn new(
        sentences: &[Sentence],
        pool: &[usize],
        stem_of: &[u32],
        lead: f64,
        smoothing: f64,
    ) -> Coverage {
        let n = stem_of.iter().map(|&x| x as usize + 1).max().unwrap_or(0);
        let mut p = vec![0.0; n];
        let mut all = 0.0;
        for s in sentences {
            let w = 1.0 + lead / (1.0 + s.pos as f64);
            for &id in &s.ids {
                p[stem_of[id as usize] as usize] += w;
                all += w;
            }
        }
        if all > 0.0 {
            p.iter_mut().for_each(|x| *x /= all);
        }
        let mut scratch: Vec<u32> = Vec::new();
        let bags = pool
            .iter()
            .map(|&i| {
                scratch.clear();
                scratch.extend(sentences[i].ids.iter().map(|&id| stem_of[id as usize]));
                scratch.sort_unstable();
                // Sized once, for every word a stem of its own: growing it stem by stem was
                // most of the summariser's vector growth (callgrind).
                let mut bag: Vec<(u32, u32)> = Vec::with_capacity(scratch.len());
                for &w in &scratch {
                    match bag.last_mut() {
                        Some(last) if last.0 == w => last.1 += 1,
                        _ => bag.push((w, 1)),
                    }
                }
                bag
            })
            .collect();
        let fresh = fresh_gains(smoothing);
        Coverage { p, bags, counts: vec![0.0; n], total: 0.0, smoothing, fresh }
    }

    /// How much adding pool entry `k` lowers the cross-entropy; negative when its words are
    /// so rare or so repeated that lengthening the summary costs more than they add.
    fn gain(&self, k: usize) -> f64 {
        // Q(w) = (count(w) + δ) / (total + δ·V): the normaliser grows with every word added.
        let norm = self.total + self.smoothing * self.p.len() as f64;
        let len: u32 = self.bags[k].iter().map(|x| x.1).sum();
        let mut gain = -((norm + f64::from(len)) / norm).ln();
        for &(w, a) in &self.bags[k] {
            let count = self.counts[w as usize];
            let ln = match self.fresh.get(a as usize) {
                Some(&l) if count == 0.0 => l,
                _ => ln_gain(count + self.smoothing, a),
            };
            gain += self.p[w as usize] * ln;
        }
        gain
    }

    fn add(&mut self, k: usize) {
        for &(w, a) in &self.bags[k] {
            self.counts[w as usize] += f64::from(a);
            self.total += f64::from(a);
        }
    }
}

/// Whether `s` opens with a word that leans on the sentence before it.
fn opens_dangling(s: &str) -> bool {
    let first = s.trim_start_matches(|c: char| !c.is_alphanumeric());
    let first = first.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("").to_lowercase();
    DANGLING_OPENERS.binary_search(&first.as_str()).is_ok()
}

#[allow(clippy::too_many_arguments)]
fn extract_summary(
    members: &[MemberText],
    units: &[Unit],
    sentences: &[Sentence],
    centroid: &[f64],
    idf: &[f64],
    stem_of: &[u32],
    params: &SummaryParams,
    tuning: &Tuning,
) -> String {
    let mut pool: Vec<usize> = (0..sentences.len()).filter(|&i| sentences[i].candidate).collect();
    if pool.is_empty() {
        // Nothing looks like a full sentence (headline-only feeds, unpunctuated text): fall
        // back to any line that is not furniture.
        pool = (0..sentences.len()).filter(|&i| sentences[i].words >= 3).collect();
    }
    if pool.is_empty() {
        return String::new();
    }
    let cnorm = centroid.iter().map(|w| w * w).sum::<f64>().sqrt();
    let mut scratch = Vec::new();
    let vecs: Vec<SparseVec> =
        pool.iter().map(|&i| weigh(&sentences[i].ids, idf, &mut scratch)).collect();
    let rel: Vec<f64> = vecs
        .iter()
        .map(|v| if cnorm > 0.0 { dot_dense(v, centroid) / cnorm } else { 0.0 })
        .collect();
    let max_rel = rel.iter().copied().fold(0.0, f64::max);
    let score: Vec<f64> = pool
        .iter()
        .zip(&rel)
        .map(|(&i, &r)| {
            let s = &sentences[i];
            let r = if max_rel > 0.0 { r / max_rel } else { 0.0 };
            let lead = 1.0 / (1.0 + s.pos as f64);
            let mut score = r + tuning.lead_weight * lead;
            if opens_dangling(s.text) {
                score *= tuning.dangling;
            }
            if s.text.starts_with(['"', '“', '‘', '\'', '«']) {
                score *= tuning.quote;
            }
            score
        })
        .collect();
    let max_score = score.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
    let mut ranked: Vec<usize> = (0..pool.len()).collect();
    ranked.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    ranked.truncate(MMR_POOL);
    let mut coverage =
        Coverage::new(sentences, &pool, stem_of, tuning.lead_weight, tuning.smoothing);

    let budget = params.summary_words as f64;
    let mut chosen: Vec<usize> = Vec::new();
    let mut total = 0usize;
    let mut gains: Vec<(usize, f64, bool)> = Vec::new();
    while chosen.len() < params.max_sentences {
        gains.clear();
        for &k in &ranked {
            let words = sentences[pool[k]].words;
            if chosen.contains(&k) || (!chosen.is_empty() && (total + words) as f64 > budget * 1.2)
            {
                continue;
            }
            let sim = chosen.iter().map(|&c| dot_sparse(&vecs[k], &vecs[c])).fold(0.0, f64::max);
            if sim > tuning.redundant {
                continue;
            }
            // The first pick prefers sentences that fit the budget, but takes a long one
            // rather than nothing.
            let over = chosen.is_empty() && words as f64 > budget * 1.2;
            gains.push((k, coverage.gain(k).max(0.0), over));
        }
        // Maximal marginal relevance (Carbonell & Goldstein 1998) with the coverage gain as
        // the novelty term: salience says what a sentence is worth alone, the gain what it
        // adds to the sentences already chosen.
        let max_gain = gains.iter().map(|x| x.1).fold(f64::MIN_POSITIVE, f64::max);
        let mut best: Option<(f64, usize)> = None;
        for &(k, gain, over) in &gains {
            let value = tuning.mmr_lambda * score[k] / max_score
                + (1.0 - tuning.mmr_lambda) * gain / max_gain
                - if over { 1.0 } else { 0.0 };
            if best.is_none_or(|(b, _)| value > b) {
                best = Some((value, k));
            }
        }
        let Some((_, k)) = best else { break };
        chosen.push(k);
        coverage.add(k);
        total += sentences[pool[k]].words;
        if total as f64 >= budget * 0.8 {
            break;
        }
    }
    chosen.sort_by_key(|&k| {
        let s = &sentences[pool[k]];
        let rep = units[s.unit].rep;
        (members[rep].published.unwrap_or(i32::MAX), s.unit, s.pos, pool[k])
    });
    let mut out = String::new();
    for &k in &chosen {
        // Chinese and Japanese sentences follow one another with no space.
        if !out.is_empty() && !out.ends_with(is_cjk_terminal) {
            out.push(' ');
        }
        fold_space_into(sentences[pool[k]].text, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Keywords

/// A crude singular, so that "missile" and "missiles" count as one keyword.
fn singular(w: &str) -> &str {
    if w.len() > 4 && w.ends_with("ies") {
        return &w[..w.len() - 3];
    }
    if w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        return &w[..w.len() - 1];
    }
    if w.len() > 4 && w.ends_with('y') {
        return &w[..w.len() - 1];
    }
    w
}

/// Whether a content word may be a keyword. Days and months date a story; they do not say
/// what it is about. Numbers are no topic, and neither is a name's particle ("de" of "Caisse
/// Nationale de Credit Agricole"): the name is, among the entities.
fn is_topic(w: &str) -> bool {
    word_class(w) & class::CONNECTOR == 0
        && !w.chars().all(|c| c.is_numeric())
        && w.chars().any(char::is_alphabetic)
        && !in_sorted(WEEKDAYS, w)
        && !month_of(w)
}

fn keywords(
    vocab: &Vocab,
    df: &[u32],
    stats_n: u32,
    corpus_n: u32,
    n_units: u32,
    k: usize,
) -> Vec<String> {
    // Scored first and filtered in rank order: the filters read each word's text (lists, a
    // month test), and a cluster has thousands of words and wants ten.
    let mut scored: Vec<(f64, usize)> = Vec::with_capacity(vocab.len());
    for (i, &d) in df.iter().enumerate() {
        if vocab.units[i] == 0 {
            continue;
        }
        let idf = if stats_n == 0 { 1.0 } else { idf_strict(d, corpus_n) };
        let spread = f64::from(vocab.units[i]) / f64::from(n_units.max(1));
        // ln 1 = 0 exactly: most words occur once, and skipping the log changes no bit.
        let tf = vocab.tf[i];
        let damped = if tf == 1 { 1.0 } else { 1.0 + f64::from(tf).ln() };
        let s = spread * damped * idf;
        if s > 0.0 {
            scored.push((s, i));
        }
    }
    // A total order (words are distinct), so sorting only the best few gives the same head
    // as sorting all.
    let order = |a: &(f64, usize), b: &(f64, usize)| {
        b.0.total_cmp(&a.0).then_with(|| vocab.word(a.1).cmp(vocab.word(b.1)))
    };
    let mut out: Vec<String> = Vec::new();
    let mut stems: Vec<&str> = Vec::new();
    let (mut head, mut done) = ((4 * k).max(16), 0);
    loop {
        if head < scored.len() {
            scored.select_nth_unstable_by(head, order);
            scored[..head].sort_unstable_by(order);
        } else {
            scored.sort_unstable_by(order);
        }
        // A larger head sorts to the same first `done` words: carry on after them.
        let end = head.min(scored.len());
        for &(_, i) in &scored[done..end] {
            if out.len() >= k {
                break;
            }
            let w = vocab.word(i);
            if !is_topic(w) {
                continue;
            }
            let stem = singular(w);
            if stems.contains(&stem) {
                continue;
            }
            stems.push(stem);
            out.push(w.to_string());
        }
        done = end;
        // Filters and singular forms took so many words that the head ran out: look further.
        if out.len() >= k || head >= scored.len() {
            return out;
        }
        head *= 4;
    }
}

// ---------------------------------------------------------------------------------------------
// Entities

/// A word of a sentence with its case kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tok<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    /// Only spaces between this token and the one before it.
    joined: bool,
    /// It had a possessive `'s`, which ends a name ("Clevite's Engine Parts Division").
    possessive: bool,
    /// Its first character is upper case: asked of every token.
    cap: bool,
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '€' | '£' | '¥' | '₹' | '₽')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && unicode_normalization::char::is_combining_mark(c))
}

/// Words of `s` with case kept: letters and digits, with inner `.`, `,`, `-`, `'`, `&` where a
/// word character follows (`U.S.`, `1,000`, `IRIS-T`, `O'Brien`), a leading currency sign and a
/// trailing `%`; a possessive `'s` is dropped.
#[cfg(test)]
fn raw_tokens(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    raw_tokens_into(s, &mut Vec::new(), &mut out);
    out
}

/// [`raw_tokens`] of `s` appended to `out`, with `chars` as scratch: the entity pass tokenises
/// every sentence of a cluster, and two allocations a sentence showed in its profile.
fn raw_tokens_into<'a>(s: &'a str, chars: &mut Vec<(usize, char)>, out: &mut Vec<Tok<'a>>) {
    if s.is_ascii() {
        raw_tokens_ascii(s, out);
    } else {
        raw_tokens_chars(s, chars, out);
    }
}

/// [`raw_tokens_into`] for ASCII text, on bytes: the same rules with ASCII's letters, digits,
/// spaces and `$`. Decoding every sentence of a cluster into characters first was a sixth of
/// the summariser's time outside the functions it calls (perf, gen 100k).
fn raw_tokens_ascii<'a>(s: &'a str, out: &mut Vec<Tok<'a>>) {
    use byte_class::{ALNUM, CLASS};
    let alnum = |c: u8| CLASS[usize::from(c)] & ALNUM != 0;
    let b = s.as_bytes();
    let n = b.len();
    let base = out.len();
    let mut i = 0;
    let mut last_end = 0;
    while i < n {
        let c = b[i];
        let starts_money = c == b'$' && i + 1 < n && b[i + 1].is_ascii_digit();
        if !(alnum(c) || starts_money) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        while j < n {
            let c = b[j];
            if alnum(c) {
                j += 1;
                continue;
            }
            let next = b.get(j + 1).copied();
            let joins = match c {
                b',' => b[j - 1].is_ascii_digit() && next.is_some_and(|x| x.is_ascii_digit()),
                b'.' | b'-' | b'\'' | b'&' => next.is_some_and(|x| x.is_ascii_alphanumeric()),
                _ => false,
            };
            if !joins {
                break;
            }
            j += 1;
        }
        let mut end = j;
        let keeps_last = j < n
            && ((b[j] == b'.' && is_dotted_acronym(&s[start..end]))
                || (b[j] == b'%' && b[j - 1].is_ascii_digit()));
        if keeps_last {
            end += 1;
            j += 1;
        }
        let mut text = &s[start..end];
        let mut possessive = false;
        if text.len() > 3 && text.ends_with("'s") {
            text = &text[..text.len() - 2];
            possessive = true;
        }
        let gap = &b[last_end..start];
        let joined =
            out.len() == base || (!gap.is_empty() && gap.iter().all(|&c| is_ascii_space(c)));
        let cap = b[start].is_ascii_uppercase();
        out.push(Tok { text, start, end: start + text.len(), joined, possessive, cap });
        last_end = end;
        i = j;
    }
}

/// [`raw_tokens_into`] for any text, a character at a time.
fn raw_tokens_chars<'a>(s: &'a str, chars: &mut Vec<(usize, char)>, out: &mut Vec<Tok<'a>>) {
    chars.clear();
    chars.extend(s.char_indices());
    let chars = &chars[..];
    let n = chars.len();
    let base = out.len();
    let mut i = 0;
    let mut last_end = 0;
    while i < n {
        let (pos, c) = chars[i];
        let starts_money = is_currency(c) && i + 1 < n && chars[i + 1].1.is_ascii_digit();
        if !(is_word_char(c) || starts_money) {
            i += 1;
            continue;
        }
        let start = pos;
        let mut j = i + 1;
        while j < n {
            let c = chars[j].1;
            if is_word_char(c) {
                j += 1;
                continue;
            }
            let next = chars.get(j + 1).map(|x| x.1);
            let prev = chars[j - 1].1;
            let joins = match c {
                ',' => prev.is_ascii_digit() && next.is_some_and(|x| x.is_ascii_digit()),
                '.' | '-' | '\'' | '’' | '&' => next.is_some_and(is_word_char),
                _ => false,
            };
            if !joins {
                break;
            }
            j += 1;
        }
        let mut end = if j < n { chars[j].0 } else { s.len() };
        // "U.S." keeps its final period; "5%" its percent sign.
        let keeps_last = j < n
            && ((chars[j].1 == '.' && is_dotted_acronym(&s[start..end]))
                || (chars[j].1 == '%' && chars[j - 1].1.is_ascii_digit()));
        if keeps_last {
            end += 1;
            j += 1;
        }
        let mut text = &s[start..end];
        let mut possessive = false;
        for poss in ["'s", "’s"] {
            if text.len() > poss.len() + 1 && text.ends_with(poss) {
                text = &text[..text.len() - poss.len()];
                possessive = true;
            }
        }
        let gap = &s[last_end..start];
        let joined = out.len() == base || (!gap.is_empty() && gap.chars().all(char::is_whitespace));
        let cap = c.is_uppercase();
        out.push(Tok { text, start, end: start + text.len(), joined, possessive, cap });
        last_end = end;
        i = j;
    }
}

fn is_dotted_acronym(w: &str) -> bool {
    // "U.S", "U.N", "E.U": single letters separated by periods. Asked at every sentence end,
    // so without collecting the parts.
    let mut parts = 0;
    w.split('.').all(|p| {
        parts += 1;
        let mut cs = p.chars();
        cs.next().is_some_and(char::is_uppercase) && cs.next().is_none()
    }) && parts >= 2
}

#[cfg(test)] // What [`Tok::cap`] records.
fn is_capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

fn is_acronym(w: &str) -> bool {
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2 && w.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase)
}

fn is_numberish(w: &str) -> bool {
    // Asked of every token: its first byte answers but for non-ASCII currency signs.
    match w.as_bytes().first() {
        Some(&b) if b < 0x80 => b.is_ascii_digit() || b == b'$',
        Some(_) => w.chars().next().is_some_and(is_currency),
        None => false,
    }
}

/// Lower-case words allowed inside a name ("Bank of England", "Ursula von der Leyen").
const NAME_CONNECTORS: &[&str] = &[
    "al", "bin", "da", "de", "del", "della", "der", "di", "du", "el", "la", "le", "of", "van",
    "von",
];

/// Words that name a person's office: a name after them is the person.
const PERSON_TITLES: &[&str] = &[
    "adm",
    "ambassador",
    "analyst",
    "capt",
    "ceo",
    "chairman",
    "chairwoman",
    "chancellor",
    "col",
    "commander",
    "director",
    "dr",
    "economist",
    "expert",
    "gen",
    "general",
    "gov",
    "governor",
    "judge",
    "king",
    "leader",
    "lord",
    "lt",
    "maj",
    "mayor",
    "minister",
    "mr",
    "mrs",
    "ms",
    "officer",
    "pope",
    "premier",
    "president",
    "prince",
    "princess",
    "prof",
    "professor",
    "queen",
    "rep",
    "reps",
    "secretary",
    "secretary-general",
    "sen",
    "senator",
    "sens",
    "sgt",
    "sir",
    "spokesman",
    "spokesperson",
    "spokeswoman",
];

/// Words that qualify an office ("Deputy Defense Minister").
const TITLE_MODIFIERS: &[&str] = &[
    "chief",
    "defence",
    "defense",
    "deputy",
    "economy",
    "executive",
    "finance",
    "foreign",
    "health",
    "interior",
    "justice",
    "prime",
    "state",
    "vice",
];

/// Words of a ministry's or department's name, after "Minister of" or "Secretary of". Sorted.
const PORTFOLIO_WORDS: &[&str] = &[
    "affairs",
    "agriculture",
    "commerce",
    "communications",
    "culture",
    "defence",
    "defense",
    "development",
    "economic",
    "economy",
    "education",
    "employment",
    "energy",
    "environment",
    "external",
    "finance",
    "foreign",
    "health",
    "home",
    "homeland",
    "housing",
    "industry",
    "information",
    "interior",
    "internal",
    "justice",
    "labor",
    "labour",
    "planning",
    "public",
    "security",
    "social",
    "state",
    "trade",
    "transport",
    "transportation",
    "treasury",
    "veterans",
    "welfare",
    "works",
];

/// Direction words: "Eastern Ukraine" does not make "Ukraine" a surname.
const DIRECTIONS: &[&str] =
    &["central", "east", "eastern", "north", "northern", "south", "southern", "west", "western"];

#[cfg(test)] // The reference list [`month_of`] is checked against.
const MONTHS: &[(&str, u8)] = &[
    ("apr", 4),
    ("april", 4),
    ("aug", 8),
    ("august", 8),
    ("dec", 12),
    ("december", 12),
    ("feb", 2),
    ("february", 2),
    ("jan", 1),
    ("january", 1),
    ("jul", 7),
    ("july", 7),
    ("jun", 6),
    ("june", 6),
    ("mar", 3),
    ("march", 3),
    ("may", 5),
    ("nov", 11),
    ("november", 11),
    ("oct", 10),
    ("october", 10),
    ("sep", 9),
    ("sept", 9),
    ("september", 9),
];

const WEEKDAYS: &[&str] =
    &["friday", "monday", "saturday", "sunday", "thursday", "tuesday", "wednesday"];

/// Scale words after a number ("$27.4 billion").
const SCALES: &[&str] =
    &["billion", "bln", "bn", "hundred", "m", "million", "mln", "thousand", "tn", "trillion"];

/// Counted nouns whose plural has no final s ("26 people").
const IRREGULAR_PLURALS: &[&str] = &["children", "men", "people", "personnel", "police", "women"];

/// Number words, capitalised only at the start of a sentence ("Six Russian balloons").
const NUMBER_WORDS: &[&str] = &[
    "dozens",
    "eight",
    "eleven",
    "five",
    "four",
    "hundreds",
    "nine",
    "one",
    "seven",
    "six",
    "ten",
    "thousands",
    "three",
    "twelve",
    "two",
];

/// Head nouns of organisations: "UN General Assembly" is not General Assembly the person.
const ORG_HEADS: &[&str] = &[
    "agency",
    "assembly",
    "association",
    "authority",
    "bank",
    "board",
    "command",
    "commission",
    "committee",
    "company",
    "corporation",
    "council",
    "court",
    "department",
    "electric",
    "group",
    "institute",
    "ministry",
    "motors",
    "office",
    "parliament",
    "party",
    "staff",
    "union",
];

/// Units after a number that are not plural nouns.
const UNITS: &[&str] = &[
    "bpd", "cm", "dlrs", "ft", "gw", "ha", "kg", "km", "kph", "kw", "lb", "lbs", "m", "mph", "mw",
    "pct", "per", "percent", "sq", "yen", "yuan",
];

fn in_sorted(list: &[&str], w: &str) -> bool {
    list.binary_search(&w).is_ok()
}

fn month_of(w: &str) -> bool {
    // Called for every token: month names are ASCII words of 3 to 9 letters starting with one
    // of eight letters, which rejects almost every token before any comparison.
    if !(3..=9).contains(&w.len())
        || !matches!(w.as_bytes()[0] | 0x20, b'a' | b'd' | b'f' | b'j' | b'm' | b'n' | b'o' | b's')
        || !w.is_ascii()
    {
        return false;
    }
    let mut buf = [0u8; 9];
    let lower = &mut buf[..w.len()];
    lower.copy_from_slice(w.as_bytes());
    lower.make_ascii_lowercase();
    // A match compiles to a switch on length and a few word compares: the binary search's
    // string compares were 2.5% of the summaries' instructions (callgrind, gen 3k).
    matches!(
        &*lower,
        b"jan"
            | b"january"
            | b"feb"
            | b"february"
            | b"mar"
            | b"march"
            | b"apr"
            | b"april"
            | b"may"
            | b"jun"
            | b"june"
            | b"jul"
            | b"july"
            | b"aug"
            | b"august"
            | b"sep"
            | b"sept"
            | b"september"
            | b"oct"
            | b"october"
            | b"nov"
            | b"november"
            | b"dec"
            | b"december"
    )
}

fn is_day_number(w: &str) -> bool {
    w.len() <= 2 && w.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
}

fn is_year(w: &str) -> bool {
    w.len() == 4 && w.parse::<u16>().is_ok_and(|y| (1800..=2199).contains(&y))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntityKind {
    Name,
    Number,
}

/// One entity candidate, aggregated over the cluster.
struct Entity {
    kind: EntityKind,
    /// Surface forms and how often each occurs.
    forms: Vec<(String, u32)>,
    /// Distinct texts mentioning it, ascending.
    units: Vec<u32>,
    mentions: u32,
    /// Seen somewhere other than as a lone sentence-initial word.
    confirmed: bool,
    /// Named in a headline.
    in_title: bool,
}

#[derive(Default)]
struct EntityTable {
    map: Map<String, usize>,
    items: Vec<(String, Entity)>,
    /// Whether the line being read is a headline.
    reading_title: bool,
    /// Scratch for a mention's folded surface and key: most mentions repeat a known entity,
    /// and three strings allocated per mention were a fifth of the entity pass.
    surface: String,
    key: String,
}

impl EntityTable {
    fn add(&mut self, surface: &str, kind: EntityKind, unit: u32, confirmed: bool) {
        let (folded, key) = (&mut self.surface, &mut self.key);
        folded.clear();
        fold_space_into(surface, folded);
        // "U.S." and "US", "J.P. Industries" and "JP Industries" are one name.
        key.clear();
        if folded.is_ascii() {
            key.push_str(folded);
            key.make_ascii_lowercase();
        } else {
            key.push_str(&folded.to_lowercase());
        }
        if kind == EntityKind::Name && key.contains('.') {
            key.retain(|c| c != '.');
        }
        let idx = match self.map.get(self.key.as_str()) {
            Some(&i) => i,
            None => {
                self.items.push((
                    self.key.clone(),
                    Entity {
                        kind,
                        forms: Vec::new(),
                        units: Vec::new(),
                        mentions: 0,
                        confirmed: false,
                        in_title: false,
                    },
                ));
                self.map.insert(self.key.clone(), self.items.len() - 1);
                self.items.len() - 1
            }
        };
        let e = &mut self.items[idx].1;
        e.mentions += 1;
        e.confirmed |= confirmed;
        e.in_title |= self.reading_title;
        if e.units.last() != Some(&unit) {
            e.units.push(unit);
        }
        match e.forms.iter_mut().find(|(f, _)| *f == self.surface) {
            Some(f) => f.1 += 1,
            None => e.forms.push((self.surface.clone(), 1)),
        }
    }
}

/// The words that open a sentence with a capital (other than stop words) and are written
/// lower-case elsewhere among `toks`: [`emit_name`]'s test of a sentence-initial capital.
fn lower_case_uses<'a>(
    toks: &[Tok<'a>],
    sentences: impl Iterator<Item = &'a (usize, usize)>,
) -> Set<String> {
    let mut openers: Set<String> = new_set();
    // A cheap filter before hashing: the first bytes and lengths the openers have.
    let mut first_bytes = [false; 256];
    let mut lengths = 0u64;
    for &(a, b) in sentences {
        if a < b && toks[a].cap {
            let lower = toks[a].text.to_lowercase();
            if !is_stop_word(&lower) {
                first_bytes[usize::from(lower.as_bytes()[0])] = true;
                lengths |= 1 << lower.len().min(63);
                openers.insert(lower);
            }
        }
    }
    let mut seen: Set<String> = new_set();
    if openers.is_empty() {
        return seen;
    }
    for t in toks {
        let w = t.text;
        if first_bytes[usize::from(w.as_bytes()[0])]
            && lengths & (1 << w.len().min(63)) != 0
            && w.chars().next().is_some_and(char::is_lowercase)
            && openers.contains(w)
        {
            seen.insert(w.to_string());
        }
    }
    seen
}

/// Whether a sentence capitalises every content word ("Neil Young Launches New Music
/// Player"), as about half of news headlines do: its capitals then say nothing about names.
/// After the first word it needs no lower-case content word and either four capitalised ones
/// or two and a capitalised function word ("Wants To Save"), so that a run of names ("Barack
/// Obama and Angela Merkel") is not taken for it; lower-case function words are allowed, as
/// styles differ.
fn is_title_case(toks: &[Tok]) -> bool {
    let (mut content, mut function) = (0, false);
    for t in toks.iter().skip(1) {
        if !t.text.chars().any(char::is_alphabetic) {
            continue;
        }
        if t.cap {
            if is_stop_word(&t.text.to_lowercase()) {
                function = true;
            } else {
                content += 1;
            }
        } else if !is_stop_word(t.text) {
            return false;
        }
    }
    content >= 4 || (function && content >= 2)
}

/// [`emit_name`]'s buffers, kept by its caller between calls.
#[derive(Default)]
struct NameScratch {
    /// The run's words lower-cased, one after another.
    lows: String,
    /// Each word's range in `lows` and its [`word_class`].
    spans: Vec<(usize, usize, u16)>,
}

/// Emits the entity in `run` (token indices of one capitalised run of a sentence). When the
/// capitals are no evidence a name counts only once ordinary text, or its being an acronym,
/// confirms it: in a title-case sentence (`title_case`: "Neil Young" is confirmed elsewhere,
/// "Neil Young Launches PonoMusic" is not), and for a run that `opens` a headline and still
/// starts with its first word after function words are dropped, a word capitalised by
/// position that nothing in a one-line headline tells from a name ("Sooct Moxra Dracaung";
/// "The European Union" loses "The" and is sure).
#[allow(clippy::too_many_arguments)]
fn emit_name(
    s: &str,
    toks: &[Tok],
    run: &[usize],
    lower_seen: &Set<String>,
    table: &mut EntityTable,
    unit: u32,
    title_case: bool,
    opens: bool,
    scratch: &mut NameScratch,
) {
    let Some(&base) = run.first() else { return };
    // Each word's lower case and word lists, once, in one buffer: the tests below ask for them
    // several times a word. The buffers are the caller's, reused, and the run is trimmed as a
    // slice: with fresh buffers and trimmed copies, every capitalised run cost six allocations.
    let NameScratch { lows, spans } = scratch;
    lows.clear();
    spans.clear();
    for t in &toks[base..=run[run.len() - 1]] {
        let a = lows.len();
        if t.text.is_ascii() {
            lows.push_str(t.text);
            lows[a..].make_ascii_lowercase();
        } else {
            lows.push_str(&t.text.to_lowercase());
        }
        spans.push((a, lows.len(), word_class(&lows[a..])));
    }
    let lower = |i: usize| {
        let (a, b, _) = spans[i - base];
        &lows[a..b]
    };
    let on = |i: usize, flags: u16| spans[i - base].2 & flags != 0;
    let mut run = run;
    // A sentence-initial word is capitalised by position alone: drop it when the cluster also
    // writes it lower-case or it is a function word ("The", "Senior").
    if run.first() == Some(&0) {
        let w = toks[0].text;
        if !is_acronym(w)
            && (on(0, class::STOP | class::NUMBER_WORD) || lower_seen.contains(lower(0)))
        {
            run = &run[1..];
        }
    }
    // Function words before a name go ("Mr", "The"); a connector stays, as the name's own
    // first word ("Mr Van Rompuy", "in El Salvador", "Mr de Graaf").
    while run.first().is_some_and(|&i| on(i, class::STOP) && !is_acronym(toks[i].text)) {
        run = &run[1..];
    }
    while run.last().is_some_and(|&i| on(i, class::CONNECTOR)) {
        run = &run[..run.len() - 1];
    }
    if run.is_empty() {
        return;
    }
    let unsure = title_case || (opens && run[0] == base);
    let is_title = |i: usize| on(i, class::TITLE);
    let is_office = |i: usize| on(i, class::TITLE | class::MODIFIER);
    // "US Defense Secretary Lloyd Austin": the person after the last title, and the
    // organisation or country before the office.
    let org = run.last().is_some_and(|&i| on(i, class::ORG_HEAD));
    let (head, tail): (&[usize], &[usize]) = match run.iter().rposition(|&i| is_title(i)) {
        Some(t) if !org => {
            let first_office = run[..=t].iter().position(|&i| is_office(i)).unwrap_or(t);
            (&run[..first_office], &run[t + 1..])
        }
        _ => (&[], run),
    };
    for part in [head, tail] {
        let mut part = part;
        // "Minister of Social Affairs Louw de Graaf", "Secretary of State John Kerry": after the
        // title comes its portfolio, then the person.
        if part.first().is_some_and(|&i| lower(i) == "of") {
            part = &part[1..];
            while part.first().is_some_and(|&i| on(i, class::PORTFOLIO)) {
                part = &part[1..];
            }
        }
        // "Department of Defense", "Ministry of Finance": a portfolio after an organisation
        // and "of" is the organisation's name, not an office's trailing qualifier.
        let of = part.iter().rposition(|&i| lower(i) == "of");
        let ministry = of.is_some_and(|o| {
            o > 0
                && o + 1 < part.len()
                && on(part[o - 1], class::ORG_HEAD)
                && part[o + 1..].iter().all(|&i| on(i, class::PORTFOLIO))
        });
        while !ministry
            && part
                .last()
                .is_some_and(|&i| on(i, class::TITLE | class::MODIFIER | class::CONNECTOR))
        {
            part = &part[..part.len() - 1];
        }
        if part.is_empty() {
            continue;
        }
        let first = part[0];
        let last = *part.last().unwrap_or(&first);
        let surface = &s[toks[first].start..toks[last].end];
        if part.len() == 1 {
            let w = toks[first].text;
            let l = lower(first);
            let acronym = is_acronym(w);
            if w.chars().count() < 2
                || (!acronym && on(first, class::STOP | class::DIRECTION))
                || is_office(first)
                || month_of(w)
                || on(first, class::WEEKDAY)
                || (!acronym && is_demonym(l))
            {
                continue;
            }
            // A colon opens a clause whose first word is capitalised by position as much as a
            // sentence's is ("our emphasis is two-fold: Decontrol and de-license items").
            let after_colon = first > 0 && s[toks[first - 1].end..toks[first].start].contains(':');
            let confirmed = acronym || (first != 0 && !after_colon && !unsure);
            table.add(surface, EntityKind::Name, unit, confirmed);
        } else {
            table.add(surface, EntityKind::Name, unit, !unsure);
        }
    }
}

/// Adjectives of nationality ("Russian", "Chinese", "British"): capitalised, but not names.
fn is_demonym(lower: &str) -> bool {
    lower.chars().count() > 5
        && ["ian", "ean", "ese", "ish", "can"].iter().any(|s| lower.ends_with(s))
}

/// Numbers with a unit, amounts of money and dates starting at token `i`; returns the tokens
/// consumed (0 when there is none).
fn emit_number(s: &str, toks: &[Tok], i: usize, table: &mut EntityTable, unit: u32) -> usize {
    let w = toks[i].text;
    let joined = |k: usize| k < toks.len() && toks[k].joined;
    let text_of = |k: usize| if k < toks.len() { toks[k].text } else { "" };
    // Dates: "Feb. 24", "February 24, 2023", "24 February 2023", "March 1987".
    // Capitals first: most words are not, and the month test costs more.
    if toks[i].cap && month_of(w) {
        let next = i + 1;
        // "Feb." leaves its period in the gap; allow it.
        let gap_ok = next < toks.len()
            && s[toks[i].end..toks[next].start].trim_start_matches('.').trim().is_empty();
        if gap_ok && (is_day_number(text_of(next)) || is_year(text_of(next))) {
            let mut last = next;
            if is_day_number(text_of(next)) && next + 1 < toks.len() && is_year(text_of(next + 1)) {
                let gap = s[toks[next].end..toks[next + 1].start].trim();
                if gap.is_empty() || gap == "," {
                    last = next + 1;
                }
            }
            // "May 5" only counts when capitalised mid-sentence, which month_of already
            // required; "may" the verb is lower-case.
            table.add(&s[toks[i].start..toks[last].end], EntityKind::Number, unit, true);
            return last - i + 1;
        }
        return 0;
    }
    if !is_numberish(w) || (is_year(w) && !(joined(i + 1) && in_sorted(SCALES, text_of(i + 1)))) {
        return 0;
    }
    if is_day_number(w) && joined(i + 1) && toks[i + 1].cap && month_of(text_of(i + 1)) {
        let mut last = i + 1;
        if joined(i + 2) && is_year(text_of(i + 2)) {
            last = i + 2;
        }
        table.add(&s[toks[i].start..toks[last].end], EntityKind::Number, unit, true);
        return last - i + 1;
    }
    let money = w.starts_with(is_currency);
    let percent = w.ends_with('%');
    if !w
        .chars()
        .skip(usize::from(money))
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%'))
    {
        return 0;
    }
    let mut last = i;
    let mut k = i + 1;
    if joined(k) && in_sorted(SCALES, &text_of(k).to_lowercase()) {
        last = k;
        k += 1;
    }
    let scaled = last > i;
    let mut has_unit = false;
    if joined(k) {
        let u = text_of(k);
        let l = u.to_lowercase();
        let plural_noun = !toks[k].cap
            && l.chars().count() >= 4
            && l.ends_with('s')
            && !l.ends_with("ss")
            && !is_stop_word(&l)
            && l.chars().all(char::is_alphabetic);
        if in_sorted(UNITS, &l) || in_sorted(IRREGULAR_PLURALS, &l) || plural_noun {
            last = k;
            has_unit = true;
        }
    }
    if money || percent || has_unit || scaled {
        table.add(&s[toks[i].start..toks[last].end], EntityKind::Number, unit, true);
        return last - i + 1;
    }
    0
}

fn entities(
    members: &[MemberText],
    marked: &[Vec<Marked>],
    units: &[Unit],
    stats: &TermStats,
    corpus_n: u32,
    k: usize,
) -> Vec<String> {
    if k == 0 {
        return Vec::new();
    }
    // A headline names the event's main actors, and often names one its text leaves to the
    // teaser or never spells out ("... in response to NATO's increased backing"). Shouted
    // headlines name nothing; a title-case one needs its names confirmed like any such line.
    let titles: Vec<Option<&str>> = units
        .iter()
        .map(|u| {
            let title = members[u.rep].title.trim();
            (!title.is_empty()
                && !WordStats::of(title).shouting()
                && !members[u.rep].text.trim_start().starts_with(title))
            .then_some(title)
        })
        .collect();
    let texts: Vec<Vec<&str>> = units
        .iter()
        .zip(&titles)
        .map(|(u, &title)| {
            title
                .into_iter()
                .chain(marked[u.rep].iter().filter(|s| !s.furniture && !s.shouting).map(|s| s.text))
                .collect()
        })
        .collect();
    // Tokenised once, into one buffer: both loops below need every sentence's tokens.
    let mut chars = Vec::new();
    let bytes: usize = units.iter().map(|u| members[u.rep].text.len()).sum();
    let mut all: Vec<Tok> = Vec::with_capacity(bytes / 5 + 16);
    let bounds: Vec<Vec<(usize, usize)>> = texts
        .iter()
        .map(|sents| {
            sents
                .iter()
                .map(|s| {
                    let a = all.len();
                    raw_tokens_into(s, &mut chars, &mut all);
                    (a, all.len())
                })
                .collect()
        })
        .collect();
    // Words the cluster writes in lower case somewhere, to tell a sentence-initial capital
    // from a name. Only capitalised sentence openers are ever looked up, so only they are
    // collected: hashing every lower-case word of the cluster cost more than the lookups.
    let lower_seen = lower_case_uses(&all, bounds.iter().flatten());
    let mut table = EntityTable { map: new_map(), ..Default::default() };
    let (mut run, mut scratch): (Vec<usize>, NameScratch) = Default::default();
    for (u, sents) in texts.iter().enumerate() {
        for (k, (s, &(a, b))) in sents.iter().zip(&bounds[u]).enumerate() {
            table.reading_title = k == 0 && titles[u].is_some();
            let toks = &all[a..b];
            let title_case = is_title_case(toks);
            let mut i = 0;
            // "NOTE:", "UPDATE:", "WATCH:" label a line; they name nothing.
            if toks.first().is_some_and(|t| is_acronym(t.text) && s[t.end..].starts_with(':')) {
                i = 1;
            }
            // The word that opens the headline, after any label ("UPDATE: Sooct ...").
            let opener = table.reading_title.then_some(i);
            while i < toks.len() {
                // Most words are neither: no number starts with them, nor any name.
                if !toks[i].cap && !is_numberish(toks[i].text) {
                    i += 1;
                    continue;
                }
                let used = emit_number(s, toks, i, &mut table, u as u32);
                if used > 0 {
                    i += used;
                    continue;
                }
                if !toks[i].cap {
                    i += 1;
                    continue;
                }
                // A run of capitalised words, connectors allowed inside.
                run.clear();
                run.push(i);
                let mut j = i + 1;
                while j < toks.len() && toks[j].joined && !toks[j - 1].possessive {
                    let w = toks[j].text;
                    let name_word = toks[j].cap && !month_of(w);
                    let connector = in_sorted(NAME_CONNECTORS, w)
                        && j + 1 < toks.len()
                        && toks[j + 1].joined
                        && toks[j + 1].cap;
                    if !(name_word || connector) {
                        break;
                    }
                    run.push(j);
                    j += 1;
                }
                let opens = opener == Some(i);
                let unit = u as u32;
                emit_name(
                    s,
                    toks,
                    &run,
                    &lower_seen,
                    &mut table,
                    unit,
                    title_case,
                    opens,
                    &mut scratch,
                );
                i = j;
            }
        }
    }
    // The outlets themselves are no news ("Reuters", "WION").
    let mut outlets: Set<String> = new_set();
    outlets.extend(members.iter().map(|m| m.source.trim().to_lowercase()));
    outlets.insert("reuter".to_string());
    let mut items: Vec<(String, Entity)> =
        table.items.into_iter().filter(|(key, e)| e.confirmed && !outlets.contains(key)).collect();
    fold_variants(&mut items);

    let idf = |word_key: &str| -> f64 {
        let words: Vec<&str> =
            word_key.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        if words.is_empty() || stats.n_docs() == 0 {
            return 1.0;
        }
        words.iter().map(|w| idf_smooth(stats.df(w), corpus_n)).sum::<f64>() / words.len() as f64
    };
    // An ASCII key's words are the tokeniser's words of it, so their hashes are taken in one
    // pass and their frequencies looked up together: one word at a time, tokenising each and
    // missing the cache on each, this was a tenth of the entity pass (callgrind, gen 3k).
    let mentioned: Vec<&(String, Entity)> = items.iter().filter(|(_, e)| e.mentions > 0).collect();
    let mut hashes: Vec<u64> = Vec::new();
    let spans: Vec<Option<(usize, usize)>> = mentioned
        .iter()
        .map(|(key, _)| {
            key.is_ascii().then(|| {
                let a = hashes.len();
                crate::normalize::for_each_ascii_word(key.as_bytes(), stats.seed, |_, _, h| {
                    hashes.push(h)
                });
                (a, hashes.len())
            })
        })
        .collect();
    let mut counts = Vec::with_capacity(hashes.len());
    stats.df_hashes(&hashes, &mut counts);
    let mut ranked: Vec<((usize, bool), f64, &String, &Entity)> = mentioned
        .iter()
        .zip(&spans)
        .map(|((key, e), span)| {
            let idf = match *span {
                Some((a, b)) if a < b && stats.n_docs() > 0 => {
                    counts[a..b].iter().map(|&c| stats.idf(c, corpus_n)).sum::<f64>()
                        / (b - a) as f64
                }
                Some(_) => 1.0,
                None => idf(key),
            };
            ((e.units.len(), e.in_title), (1.0 + f64::from(e.mentions).ln()) * idf, key, e)
        })
        .collect();
    // Named by more texts first; among those named by as many, headline names first.
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(b.2)));
    let mut out: Vec<String> = Vec::new();
    let mut chosen: Vec<Vec<String>> = Vec::new();
    for (_, _, key, e) in ranked {
        if out.len() >= k {
            break;
        }
        let words = key_words(key);
        if chosen.iter().any(|c| is_subspan(&words, c)) {
            continue;
        }
        chosen.push(words);
        // The most frequent spelling; on a tie the one with more capitals ("NATO" over "Nato").
        let caps = |f: &str| f.chars().filter(|c| c.is_uppercase()).count();
        let form = e.forms.iter().fold(&e.forms[0], |best, f| {
            if (f.1, caps(&f.0)) > (best.1, caps(&best.0)) {
                f
            } else {
                best
            }
        });
        out.push(form.0.clone());
    }
    out
}

fn key_words(key: &str) -> Vec<String> {
    key.split_whitespace().map(str::to_string).collect()
}

fn is_subspan(small: &[String], big: &[String]) -> bool {
    small.len() < big.len() && big.windows(small.len()).any(|w| w == small)
}

/// Endings of company names: "Clevite" and "Clevite Industries Inc" are one company.
const CORP_SUFFIXES: &[&str] = &[
    "ag",
    "co",
    "company",
    "corp",
    "corporation",
    "group",
    "holding",
    "holdings",
    "inc",
    "incorporated",
    "industries",
    "international",
    "llc",
    "lp",
    "ltd",
    "nv",
    "plc",
    "sa",
];

/// Folds a name into the longer name it is short for: a surname into the full name
/// ("Stoltenberg" into "Jens Stoltenberg") and a company's short name into its full style
/// ("Clevite" into "Clevite Industries Inc").
fn fold_variants(items: &mut [(String, Entity)]) {
    let mut into_of: Map<String, usize> = new_map();
    for (idx, (key, e)) in items.iter().enumerate() {
        let words = key_words(key);
        if e.kind != EntityKind::Name || !(2..=5).contains(&words.len()) {
            continue;
        }
        let mut short = Vec::new();
        if words.len() <= 4 && !in_sorted(DIRECTIONS, &words[0]) {
            short.extend((1..words.len()).map(|s| words[s..].join(" ")));
        }
        let mut end = words.len();
        while end > 1 && in_sorted(CORP_SUFFIXES, &words[end - 1]) {
            end -= 1;
            short.push(words[..end].join(" "));
        }
        for k in short {
            match into_of.get(&k) {
                Some(&other) if items[other].1.mentions >= e.mentions => {}
                _ => {
                    into_of.insert(k, idx);
                }
            }
        }
    }
    // A longer name may itself fold further; follow each chain to its end (each step makes
    // the name longer, so chains are short and acyclic).
    let step: Vec<usize> = items
        .iter()
        .enumerate()
        .map(|(idx, (key, e))| match into_of.get(key) {
            Some(&t) if e.kind == EntityKind::Name => t,
            _ => idx,
        })
        .collect();
    for idx in 0..items.len() {
        let mut into = idx;
        for _ in 0..8 {
            if step[into] == into {
                break;
            }
            into = step[into];
        }
        if into == idx {
            continue;
        }
        let taken = std::mem::replace(
            &mut items[idx].1,
            Entity {
                kind: EntityKind::Name,
                forms: Vec::new(),
                units: Vec::new(),
                mentions: 0,
                confirmed: false,
                in_title: false,
            },
        );
        let target = &mut items[into].1;
        target.mentions += taken.mentions;
        target.in_title |= taken.in_title;
        let mut merged: Vec<u32> = target.units.iter().chain(&taken.units).copied().collect();
        merged.sort_unstable();
        merged.dedup();
        target.units = merged;
    }
}

// ---------------------------------------------------------------------------------------------
// Group diffs

/// The sentences of `text` that are not furniture, each with the hash of its normalised words.
fn hashed_sentences<'a>(
    marked: &[Marked<'a>],
    known: &Map<&str, u64>,
    tokens: &mut Tokens,
) -> Vec<(u64, &'a str)> {
    let mut out = Vec::new();
    for s in marked.iter().filter(|s| !s.furniture && !s.shouting).map(|s| s.text) {
        if let Some(&h) = known.get(s) {
            out.push((h, s));
            continue;
        }
        let mut h = 0x243F_6A88_85A3_08D3u64;
        let mut add = |w: u64| h = crate::shingle::mix64(h.rotate_left(23) ^ w);
        if s.is_ascii() {
            // The tokeniser's words without building its token list.
            crate::normalize::for_each_ascii_word(s.as_bytes(), TERM_SEED, |_, _, w| add(w));
        } else {
            tokenize(s, TERM_SEED, false, tokens);
            tokens.words.iter().for_each(|&w| add(w));
        }
        out.push((h, s));
    }
    out
}

fn only_in(a: &[(u64, &str)], b: &Set<u64>, cap: usize) -> Vec<String> {
    let mut seen = new_set();
    a.iter()
        .filter(|(h, _)| !b.contains(h) && seen.insert(*h))
        .take(cap)
        .map(|(_, s)| fold_space(s))
        .collect()
}

fn group_diffs(
    members: &[MemberText],
    marked: &[Vec<Marked>],
    units: &[Unit],
    cap: usize,
) -> Vec<GroupDiff> {
    let mut tokens = Tokens::default();
    let mut out = Vec::new();
    let mut sorted: Vec<&Unit> = units.iter().filter(|u| u.members.len() > 1).collect();
    sorted.sort_by_key(|u| u.group);
    for unit in sorted {
        let rep = hashed_sentences(&marked[unit.rep], &new_map(), &mut tokens);
        let rep_set: Set<u64> = rep.iter().map(|x| x.0).collect();
        // A copy's sentence that is the representative's word for word hashes alike.
        let known: Map<&str, u64> = rep.iter().map(|&(h, s)| (s, h)).collect();
        let mut copies = Vec::new();
        for &m in unit.members.iter().filter(|&&m| m != unit.rep) {
            let copy = hashed_sentences(&marked[m], &known, &mut tokens);
            let copy_set: Set<u64> = copy.iter().map(|x| x.0).collect();
            // Paired before the cap, so that an edited sentence a little past it still finds
            // its partner; the cap then applies to each list.
            let reach = cap.saturating_mul(2);
            let p = changes::pair(
                only_in(&rep, &copy_set, reach),
                only_in(&copy, &rep_set, reach),
                cap,
            );
            let diff = CopyDiff {
                id: members[m].id.to_string(),
                changed: p.changed,
                added: p.added,
                removed: p.removed,
            };
            if !diff.is_unchanged() {
                copies.push(diff);
            }
        }
        if !copies.is_empty() {
            out.push(GroupDiff {
                group: unit.group,
                representative: members[unit.rep].id.to_string(),
                copies,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member<'a>(id: &'a str, title: &'a str, text: &'a str, group: u32) -> MemberText<'a> {
        MemberText {
            id,
            title,
            text,
            source: "Wire",
            published: Some(19_000),
            group,
            is_group_representative: true,
            has_boilerplate: false,
        }
    }

    #[test]
    fn a_title_or_text_of_zero_width_characters_is_no_headline() {
        let stats = TermStats::new();
        let params = SummaryParams::default();
        let text = "Fire crews fought a blaze in the old mill on Sunday night, officials said.";
        // A title that shows nothing gives way to the text's first sentence.
        let s = summarize(&[member("a", "\u{200B}\u{FEFF}", text, 0)], &stats, &params);
        assert_eq!(s.headline, text);
        // A text that shows nothing gives an empty headline and summary, not invisible ones.
        let s = summarize(&[member("b", "", "\u{200B}\u{200B} \u{200D}", 0)], &stats, &params);
        assert_eq!((s.headline.as_str(), s.summary.as_str()), ("", ""));
        // Beside visible words, zero-width ones are left out of the opening words.
        let s = summarize(&[member("c", "", "\u{200B} Fire \u{200B} drill", 0)], &stats, &params);
        assert_eq!(s.headline, "Fire drill");
    }

    #[test]
    fn corpus_boilerplate_lines_are_furniture() {
        let promo = "Follow WhatsApp Channel Desk on WhatsApp for breaking news today.";
        let a = format!("Flood waters rose across Valencia on Tuesday as rivers burst their banks.\n{promo}\nRescue teams from Madrid reached the town of Paiporta by boat late at night.");
        let b = format!("Rescue teams from Madrid reached Paiporta as flood waters rose in Valencia.\n{promo}\nThe regional government of Valencia asked for army help with the flood.");
        let members = [a.as_str(), &b]
            .iter()
            .enumerate()
            .map(|(i, t)| MemberText {
                has_boilerplate: true,
                ..member(["a", "b"][i], "", t, i as u32)
            })
            .collect::<Vec<_>>();
        let names = |s: &Summary| format!("{} {:?} {:?}", s.summary, s.entities, s.keywords);
        let mut stats = TermStats::new();
        let plain = summarize(&members, &stats, &SummaryParams::default());
        assert!(names(&plain).contains("WhatsApp"), "{}", names(&plain));
        let mut t = Tokens::default();
        tokenize(promo, TERM_SEED, false, &mut t);
        stats.set_boilerplate(Boilerplate::from_hashes([t.lines[0].hash]), 24);
        let s = summarize(&members, &stats, &SummaryParams::default());
        assert!(!names(&s).to_lowercase().contains("whatsapp"), "{}", names(&s));
        assert!(s.summary.contains("Valencia"), "{}", s.summary);
    }

    /// The summary of up to three untitled texts, "a", "b" and "c", each its own group, with
    /// no corpus statistics.
    fn summarize_texts(t: &[&str]) -> Summary {
        let m: Vec<MemberText> = t
            .iter()
            .enumerate()
            .map(|(i, x)| member(["a", "b", "c"][i], "", x, i as u32))
            .collect();
        summarize(&m, &TermStats::new(), &SummaryParams::default())
    }

    /// The fixture corpus holds the two seed articles and edited copies of them.
    fn fixture() -> Vec<(String, String, String, String, String)> {
        include_str!("../fixtures/corpus/sample.jsonl")
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("fixture line");
                let f = |k: &str| v[k].as_str().unwrap_or("").to_string();
                (f("id"), f("title"), f("text"), f("source"), f("published"))
            })
            .collect()
    }

    fn fixture_text(id: &str) -> String {
        fixture().into_iter().find(|r| r.0 == id).map(|r| r.2).expect("fixture id")
    }

    fn stats_of(texts: &[&str]) -> TermStats {
        let mut s = TermStats::new();
        for t in texts {
            s.add_document(t);
        }
        s
    }

    #[test]
    fn word_classes_answer_as_the_lists_do() {
        let lists = CLASSED_LISTS;
        let words = lists.iter().flat_map(|(l, _)| l.iter()).chain(&["nato", "Of", "", "the "]);
        for w in words {
            for (list, flag) in lists {
                assert_eq!(word_class(w) & flag != 0, in_sorted(list, w), "{w:?} {flag}");
            }
        }
    }

    #[test]
    fn merging_sorted_lists_sorts_their_union() {
        let mut out = vec![9];
        merge_sorted(&[1, 4, 4, 7], &[2, 4, 8], &mut out);
        assert_eq!(out, [1, 2, 4, 4, 4, 7, 8]);
        merge_sorted(&[], &[3], &mut out);
        assert_eq!(out, [3]);
    }

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [
            ABBREV_NEVER,
            ABBREV_SOMETIMES,
            STOP_WORDS,
            DANGLING_OPENERS,
            NAME_CONNECTORS,
            IRREGULAR_PLURALS,
            NUMBER_WORDS,
            ORG_HEADS,
            CORP_SUFFIXES,
            PERSON_TITLES,
            TITLE_MODIFIERS,
            PORTFOLIO_WORDS,
            DIRECTIONS,
            WEEKDAYS,
            SCALES,
            UNITS,
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "unsorted near {:?}", list.first());
        }
        assert!(MONTHS.windows(2).all(|w| w[0].0 < w[1].0));
        // month_of spells the list out for speed: it must say the same.
        for (m, _) in MONTHS {
            let cap = format!("{}{}", m[..1].to_uppercase(), &m[1..]);
            assert!(month_of(m) && month_of(&cap) && month_of(&m.to_uppercase()), "{m}");
        }
        for w in ["ma", "marc", "mayday", "Monday", "junes", "sat", "décembre", "s"] {
            assert!(!month_of(w), "{w}");
        }
    }

    #[test]
    fn abbreviations_and_decimals_do_not_end_sentences() {
        let s = split_sentences(
            "Mr. Stoltenberg met Gen. Milley in the U.S. capital on Jan. 24 to discuss aid. \
             The US has committed $27.4 billion since the war began. Aid reached the U.S. \
             The Pentagon agreed. George W. Bush spoke at 5 p.m. on Monday.",
        );
        assert_eq!(
            s,
            [
                "Mr. Stoltenberg met Gen. Milley in the U.S. capital on Jan. 24 to discuss aid.",
                "The US has committed $27.4 billion since the war began.",
                "Aid reached the U.S.",
                "The Pentagon agreed.",
                "George W. Bush spoke at 5 p.m. on Monday.",
            ]
        );
        // A month abbreviation is a date before a number and ends the sentence before a word.
        let s = split_sentences("Wages fell in Sept. Analysts were surprised by Oct. 3 data.");
        assert_eq!(s, ["Wages fell in Sept.", "Analysts were surprised by Oct. 3 data."]);
    }

    #[test]
    fn quotes_and_ellipses() {
        let s = split_sentences(
            "\"Russia is losing,\" Stoltenberg said. \"Ukraine has the momentum.\" Allies agreed.",
        );
        assert_eq!(
            s,
            [
                "\"Russia is losing,\" Stoltenberg said.",
                "\"Ukraine has the momentum.\"",
                "Allies agreed."
            ]
        );
        let s = split_sentences(
            "“Things are occurring, but… we need to move up,” he said. “The situation is tense.” \
             During the offensive … the troops retreated. Why? Nobody knows... Time will tell.",
        );
        assert_eq!(
            s,
            [
                "“Things are occurring, but… we need to move up,” he said.",
                "“The situation is tense.”",
                "During the offensive … the troops retreated.",
                "Why?",
                "Nobody knows...",
                "Time will tell.",
            ]
        );
    }

    #[test]
    fn paragraphs_and_wrapped_lines() {
        let s = split_sentences(
            "Advertisement\n\nRussia launched missiles on Thursday\n\nKyiv responded.",
        );
        assert_eq!(s, ["Advertisement", "Russia launched missiles on Thursday", "Kyiv responded."]);
        // Reuters wraps at about 65 columns and indents paragraphs.
        let wire = "Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought since early\nJanuary, Comissaria Smith said.\n    The dry period means the temporao will be late this year.\n    Arrivals\n    Net loss 7,041,000 vs loss 467,000";
        let s = split_sentences(wire);
        assert_eq!(s.len(), 4, "{s:?}");
        assert!(s[0].starts_with("Showers") && s[0].ends_with("said."));
        assert_eq!(fold_space(s[0]).matches("in the Bahia").count(), 1);
        assert_eq!(s[2], "Arrivals");
        assert!(!is_candidate(s[3]), "a table row is no summary sentence");
        // A wire's first line is short (its dateline was cut) but runs on into the next.
        let s = split_sentences("Clevite Industries Inc said it\nreceived a written proposal from J.P. Industries Inc <JPI>\nseeking to buy all of its outstanding shares for 13.50 dlrs a\nshare.\n    Clevite's stock was trading on NASDAQ at 13-1/4.");
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].starts_with(
            "Clevite Industries Inc said it\nreceived a written proposal from J.P. Industries"
        ));
        // ... also when the next line starts with a capital: the first line ends with a comma,
        // a word no sentence ends with, or inside a name.
        let tail = "\nwill demand a 55 pct annual wage increase in upcoming negotiations\nwith South Africa's mining companies and the government, it said.\n    Talks start in May.";
        for first in [
            "The National Union of Mineworkers,\nNUM,",
            "Sens. Alan Cranston (D-Cal.) and\nDaniel Evans",
            "The Association of International Bond\nDealers, AIBD,",
        ] {
            let text = format!("{first}{tail}");
            let s = split_sentences(&text);
            assert_eq!(s.len(), 2, "{s:?}");
            assert!(s[0].starts_with(first), "{s:?}");
        }
        // A heading in capitals stays a line of its own; so does a heading further down.
        let text = format!("MINERS TO DEMAND RISE\nThe union{tail}");
        let s = split_sentences(&text);
        assert_eq!(s[0], "MINERS TO DEMAND RISE");
        let text = format!("The union said so.\nWage Talks\nThe union{tail}");
        let s = split_sentences(&text);
        assert!(s.contains(&"Wage Talks"), "{s:?}");
    }

    #[test]
    fn run_on_words_are_sorted_for_binary_search() {
        assert!(RUN_ON_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    proptest::proptest! {
        #[test]
        fn folding_ascii_spaces_byte_by_byte_matches_splitting_on_whitespace(
            s in "[ab \t\n\r\x0B\x0C]{0,12}"
        ) {
            let (mut fast, mut plain) = (String::from("x"), String::from("x"));
            fold_space_ascii(&s, &mut fast);
            fold_space_any(&s, &mut plain);
            proptest::prop_assert_eq!(fast, plain);
        }

        #[test]
        fn ascii_tokens_byte_by_byte_are_the_character_tokeniser_s(
            s in "[aZ09 .,'&%$-]{0,16}|[A-Za-z0-9$%.,'& \t\n-]{0,40}"
        ) {
            let mut fast = Vec::new();
            raw_tokens_ascii(&s, &mut fast);
            let mut plain = Vec::new();
            raw_tokens_chars(&s, &mut Vec::new(), &mut plain);
            proptest::prop_assert_eq!(fast, plain);
        }

        #[test]
        fn a_token_is_marked_capitalised_when_its_first_character_is_upper_case(
            s in "[aÄZé0 .$'-]{0,16}|\\PC{0,24}"
        ) {
            for t in raw_tokens(&s) {
                proptest::prop_assert_eq!(t.cap, is_capitalised(t.text), "{:?}", t.text);
            }
        }
    }

    #[test]
    fn numbers_and_amounts_of_money_start_with_a_digit_or_a_currency_sign() {
        for w in ["5", "1,000", "$27.4", "€5", "£3", "¥100", "₹9", "₽1"] {
            assert!(is_numberish(w), "{w}");
        }
        for w in ["", "a", "A5", "é5", "%5", "-5", "#1", "\u{0660}"] {
            assert!(!is_numberish(w), "{w}");
        }
    }

    #[test]
    fn dotted_acronyms_are_single_capitals_between_periods() {
        for w in ["U.S", "U.N", "E.U", "U.S.A", "É.U"] {
            assert!(is_dotted_acronym(w), "{w}");
        }
        for w in ["US", "U", "U.", ".S", "U..S", "u.s", "Dr.Who", "UK.US", "A.Bc", ""] {
            assert!(!is_dotted_acronym(w), "{w}");
        }
    }

    #[test]
    fn furniture_fragments_match_in_any_case_anywhere_in_a_line() {
        for f in FURNITURE_FRAGMENTS {
            assert_eq!(*f, f.to_ascii_lowercase(), "sought in lower-cased text: {f}");
        }
        for line in [
            "The bridge in 1932. PHOTO CREDIT: city archive",
            "Copyright 2024 The Paper, All Rights Reserved worldwide",
            "Read the filing at HTTPS://example.org/filing",
            "Members of the council, Getty Images",
            "Council meets again on Monday © The Paper",
        ] {
            assert!(is_furniture_pattern(line), "{line}");
        }
        for line in
            ["The council voted to rebuild the bridge.", "All rights to the land were sold."]
        {
            assert!(!is_furniture_pattern(line), "{line}");
        }
    }

    #[test]
    fn furniture_is_never_a_candidate() {
        for line in [
            "Advertisement",
            "Subscribe to the International Relations Updates by The Kootneeti",
            "Read more: NATO ministers meet in Brussels to discuss air defence.",
            "Also Read Russia student detained for an Instagram story during the conflict.",
            "Crimea Bridge/ Image source: CNN",
            "Photo: a Ukrainian soldier fires a howitzer near the front line.",
            "MILITARY EQUIPMENT",
            "NATO countries are meeting in Brussels to discuss bolstering",
            "Write to us at team@thekootneeti.com for details about the course.",
        ] {
            assert!(!is_candidate(line), "{line}");
        }
        assert!(is_candidate("Russia did not respond immediately to the request."));
    }

    #[test]
    fn non_latin_text_and_odd_input_do_not_panic() {
        assert_eq!(
            split_sentences("北约部长开会。乌克兰需要防空！"),
            ["北约部长开会。", "乌克兰需要防空！"]
        );
        assert_eq!(split_sentences("Привет, мир. Это тест."), ["Привет, мир.", "Это тест."]);
        assert!(split_sentences("").is_empty());
        assert!(split_sentences("\n\n  \r\n").is_empty());
        for t in ["“”…", "é.", ".", "$", "1.", "a.\u{2029}b", "Ü.Ä. Ö", "\u{0301}.\u{0301}"]
        {
            let _ = split_sentences(t);
            let m = [member("x", t, t, 0)];
            let _ = summarize(&m, &TermStats::new(), &SummaryParams::default());
        }
    }

    #[test]
    fn empty_members_titles_and_texts_do_not_panic() {
        let s = summarize(&[], &TermStats::new(), &SummaryParams::default());
        assert!(s.headline.is_empty() && s.centrality.is_empty());
        let m = [member("a", "", "", 0), member("b", "", "", 1)];
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert_eq!(s.centrality, [0.0, 0.0]);
        assert!(s.headline.is_empty() && s.summary.is_empty());
        // No title: the headline is the first sentence of the most central member.
        let m = [member(
            "a",
            "",
            "Advertisement\n\nNATO ministers met in Brussels on Wednesday to discuss air defence.",
            0,
        )];
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert_eq!(
            s.headline,
            "NATO ministers met in Brussels on Wednesday to discuss air defence."
        );
    }

    const CENTRAL: [&str; 3] = [
        "NATO defence ministers met in Brussels to discuss air defence for Ukraine after Russian missile strikes. Stoltenberg said Russia was losing on the battlefield.",
        "Defence ministers of NATO gathered in Brussels and pledged air defence systems to Ukraine following Russian missile strikes. Germany sent IRIS-T systems.",
        "In Brussels, NATO ministers discussed Ukraine's air defence as Russian missile strikes hit Kyiv. Washington will speed up NASAMS deliveries.",
    ];
    const OFF_CENTRE: &str = "Stock markets in Asia fell on Wednesday as investors weighed missile strikes and oil prices. Traders in Tokyo sold shares.";

    #[test]
    fn headline_is_the_central_member_and_copies_count_once() {
        // Four copies of an off-centre text would win a plain mean-similarity vote among seven
        // members; as one voice among four they must not.
        let mut m = vec![
            member("c1", "NATO ministers discuss air defence", CENTRAL[0], 1),
            member("c2", "Allies pledge air defence to Ukraine", CENTRAL[1], 2),
            member("c3", "Ministers meet in Brussels", CENTRAL[2], 3),
        ];
        let copies = ["o1", "o2", "o3", "o4"];
        for (k, id) in copies.iter().enumerate() {
            let mut x = member(id, "Asian stocks fall", OFF_CENTRE, 9);
            x.is_group_representative = k == 0;
            m.push(x);
        }
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert_ne!(s.headline, "Asian stocks fall");
        assert_eq!(s.centrality.len(), m.len());
        assert!(s.centrality.iter().all(|c| (0.0..=1.0).contains(c)));
        let best =
            (0..m.len()).max_by(|&a, &b| s.centrality[a].total_cmp(&s.centrality[b])).unwrap_or(0);
        assert_eq!(s.headline, m[best].title);
        assert!(s.centrality[3] < s.centrality[0].min(s.centrality[1]).min(s.centrality[2]));
        // Copies of one text score alike.
        assert!((s.centrality[3] - s.centrality[6]).abs() < 1e-9);
    }

    #[test]
    fn texts_too_short_for_a_sentence_still_get_a_headline_and_summary() {
        // Under four words every line is "furniture" to the sentence scorer; the text is still
        // all there is to say, so it fills both fields rather than leaving them empty.
        let s = summarize_texts(&["Fire."]);
        assert_eq!((s.headline.as_str(), s.summary.as_str()), ("Fire.", "Fire."));
        // A headline-only item: the title is the headline, and the summary repeats the text.
        let m = [member("a", "Without a Trace", "Without a Trace", 0)];
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert_eq!(
            (s.headline.as_str(), s.summary.as_str()),
            ("Without a Trace", "Without a Trace")
        );
        // Furniture patterns stay out even then, and the budget holds.
        assert_eq!(summarize_texts(&["Advertisement\nFire."]).summary, "Fire.");
        let long = "Short line.\n".repeat(40);
        let s = summarize_texts(&[&long]);
        assert_eq!(s.summary.split_whitespace().count(), SummaryParams::default().summary_words);
        assert_eq!(s.headline.split_whitespace().count(), HEADLINE_WORDS);
    }

    #[test]
    fn every_text_gets_a_summary_however_little_it_says() {
        // One sentence and its link: the link is a line of its own, the sentence the summary.
        let text = "The mayor opened the new bridge on Tuesday. https://example.com/news/bridge";
        assert_eq!(
            split_sentences(text),
            ["The mayor opened the new bridge on Tuesday.", "https://example.com/news/bridge"]
        );
        let m = [member("a", "Mayor opens new bridge", text, 0)];
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert_eq!(s.summary, "The mayor opened the new bridge on Tuesday.");
        assert_eq!(
            split_sentences("See the list at www.example.com today."),
            ["See the list at www.example.com today."]
        );
        // Only words and a link, or only furniture: the headline, else the text itself.
        let cases = [
            (
                "Zoo welcomes panda",
                "Zoo welcomes panda https://example.com/zoo",
                "Zoo welcomes panda",
                "Zoo welcomes panda",
            ),
            (
                "",
                "Zoo welcomes panda https://example.com/zoo",
                "Zoo welcomes panda",
                "Zoo welcomes panda",
            ),
            ("Budget passed", "", "Budget passed", "Budget passed"),
            ("Budget passed", "Advertisement", "Budget passed", "Budget passed"),
            ("", "Advertisement", "Advertisement", "Advertisement"),
            (
                "",
                "https://example.com/only-a-link",
                "https://example.com/only-a-link",
                "https://example.com/only-a-link",
            ),
            ("", "", "", ""),
        ];
        for (title, text, headline, summary) in cases {
            let m = [member("a", title, text, 0)];
            let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
            assert_eq!(
                (s.headline.as_str(), s.summary.as_str()),
                (headline, summary),
                "{title:?} {text:?}"
            );
        }
    }

    #[test]
    fn headline_drops_outlet_suffix() {
        assert_eq!(
            clean_title("Allies meet in Brussels - Reuters", "Reuters"),
            "Allies meet in Brussels"
        );
        assert_eq!(clean_title("Allies meet  in Brussels", "Reuters"), "Allies meet in Brussels");
        assert_eq!(clean_title("Russia - Ukraine talks", "Reuters"), "Russia - Ukraine talks");
    }

    fn seed_members(
        rows: &[(String, String, String, String, String)],
        ids: &[&str],
    ) -> Vec<(usize, u32)> {
        ids.iter()
            .enumerate()
            .map(|(g, id)| (rows.iter().position(|r| r.0 == *id).expect("id"), g as u32))
            .collect()
    }

    #[test]
    fn summary_respects_length_and_avoids_repeats() {
        let rows = fixture();
        // Two distinct texts, each also present as an edited copy.
        let picks = [
            ("nato22-original", 0, true),
            ("nato22-wire-copy", 0, false),
            ("nato22-new-headline", 1, true),
            ("nato23-ministers", 2, true),
        ];
        let members: Vec<MemberText> = picks
            .iter()
            .map(|(id, g, rep)| {
                let r = rows.iter().find(|r| r.0 == *id).expect("id");
                MemberText {
                    id: &r.0,
                    title: &r.1,
                    text: &r.2,
                    source: &r.3,
                    published: None,
                    group: *g,
                    is_group_representative: *rep,
                    has_boilerplate: false,
                }
            })
            .collect();
        let stats = stats_of(&rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>());
        let params = SummaryParams::default();
        let s = summarize(&members, &stats, &params);
        let words = s.summary.split_whitespace().count();
        assert!((20..=75).contains(&words), "{words} words: {}", s.summary);
        let sents = split_sentences(&s.summary);
        assert!((1..=params.max_sentences).contains(&sents.len()), "{sents:?}");
        assert!(sents.iter().all(|x| is_candidate(x)), "{sents:?}");
        // nato22-original and nato22-new-headline share most sentences; none may appear twice.
        let mut norm: Vec<String> = sents.iter().map(|x| x.to_lowercase()).collect();
        norm.sort();
        norm.dedup();
        assert_eq!(norm.len(), sents.len());
        for a in 0..sents.len() {
            for b in a + 1..sents.len() {
                let (x, y) = (words_of(sents[a]), words_of(sents[b]));
                let common = x.iter().filter(|w| y.contains(w)).count();
                assert!(common * 10 < x.len().min(y.len()) * 8, "{} / {}", sents[a], sents[b]);
            }
        }
        assert!(!s.summary.contains("Advertisement") && !s.summary.contains("Subscribe"));
        let _ = seed_members(&rows, &["nato22-original"]);
    }

    fn words_of(s: &str) -> Vec<String> {
        let mut t = Tokens::default();
        tokenize(s, 0, true, &mut t);
        (0..t.spans.len()).map(|i| t.word(i).to_string()).collect()
    }

    #[test]
    fn chinese_sentences_are_counted_by_their_characters() {
        let a = "北约国防部长周三在布鲁塞尔举行会议，讨论为乌克兰提供防空系统的问题。\
                 秘书长斯托尔滕贝格表示，盟国将在未来几周内交付更多导弹。\
                 部长们还讨论了增加国防开支的计划。会议将于周四结束。";
        // 32 ideographs: 16 words, a sentence that reports something.
        assert_eq!(
            word_count("北约国防部长周三在布鲁塞尔举行会议，讨论为乌克兰提供防空系统的问题。"),
            16
        );
        assert_eq!(word_count("NATO的会议 in Brussels"), 5);
        let s = summarize(&[member("a", "", a, 0)], &TermStats::new(), &Default::default());
        assert_eq!(s.headline, split_sentences(a)[0]);
        assert!(s.summary.starts_with(split_sentences(a)[0]), "{}", s.summary);
        assert!(!s.summary.contains(' '), "{}", s.summary);
        assert!(s.summary.chars().count() < a.chars().count(), "{}", s.summary);
    }

    #[test]
    fn one_long_sentence_may_stand_alone_and_limits_hold() {
        let long =
            format!("{}.", ["NATO ministers discussed air defence in Brussels"; 9].join(" and"));
        let m = [member("a", "t", &long, 0)];
        let s = summarize(
            &m,
            &TermStats::new(),
            &SummaryParams { summary_words: 40, ..Default::default() },
        );
        assert_eq!(s.summary, fold_space(&long));
        // Text with no sentence ends is one "sentence": over twice the budget, it is cut, and
        // as a headline over 40 words, too.
        let run_on = ["ministers met in brussels to discuss air defence"; 40].join(" ");
        let s = summarize(&[member("a", "", &run_on, 0)], &TermStats::new(), &Default::default());
        let words: Vec<&str> = run_on.split(' ').collect();
        assert_eq!(s.summary, format!("{}…", words[..60].join(" ")));
        assert_eq!(s.headline, format!("{}…", words[..HEADLINE_WORDS].join(" ")));
        // A title is the headline as it is, however long.
        let title = words[..50].join(" ");
        let s =
            summarize(&[member("a", &title, &run_on, 0)], &TermStats::new(), &Default::default());
        assert_eq!(s.headline, title);
        let p = SummaryParams { max_sentences: 1, summary_words: 500, ..Default::default() };
        let text = CENTRAL.join("\n\n");
        let s = summarize(&[member("a", "t", &text, 0)], &TermStats::new(), &p);
        assert_eq!(split_sentences(&s.summary).len(), 1);
        assert!(SummaryParams { summary_words: 0, ..Default::default() }.validate().is_err());
        assert!(SummaryParams::default().validate().is_ok());
    }

    #[test]
    fn coverage_gain_favours_frequent_words_not_yet_said() {
        // Stems 0 and 1 are the story's main words, 2 and 3 secondary, the rest rare.
        let mut p = vec![0.2, 0.2, 0.1, 0.1];
        p.extend([0.4 / 16.0; 16]);
        let mut c = Coverage {
            counts: vec![0.0; p.len()],
            p,
            bags: vec![vec![(0, 1), (1, 1)], vec![(2, 1), (3, 1)], vec![(4, 1), (5, 1)]],
            total: 0.0,
            smoothing: TUNING.smoothing,
            fresh: fresh_gains(TUNING.smoothing),
        };
        // The table of first gains gives exactly what computing them gives.
        let computed = Coverage { fresh: Vec::new(), ..c.clone() };
        for k in 0..3 {
            assert_eq!(c.gain(k).to_bits(), computed.gain(k).to_bits());
        }
        let before: Vec<f64> = (0..3).map(|k| c.gain(k)).collect();
        assert!(before[0] > before[1] && before[1] > before[2], "{before:?}");
        c.add(0);
        // Said once, the main words gain nothing more: the secondary ones now come first.
        let after: Vec<f64> = (0..3).map(|k| c.gain(k)).collect();
        assert!(after[0] < 0.0 && after[1] > after[0] && after[1] > after[2], "{after:?}");
        assert!((c.total - 2.0).abs() < 1e-12 && c.counts[0] == 1.0);
    }

    #[test]
    fn distinct_gives_each_hash_once_in_first_seen_order_document_after_document() {
        let mut seen = Distinct::default();
        let mut rng = 0x1234_5678_9ABC_DEF0u64;
        // Long and short documents in turn: the set shrinks and grows between them.
        for len in [1000usize, 3, 0, 200, 5000, 17, 64] {
            let words: Vec<u64> = (0..len)
                .map(|_| {
                    rng = crate::shingle::mix64(rng);
                    // Few distinct values, so most words repeat.
                    rng % (len as u64 / 3 + 1)
                })
                .collect();
            let mut want: Vec<u64> = Vec::new();
            for &w in &words {
                if !want.contains(&w) {
                    want.push(w);
                }
            }
            let mut got = Vec::new();
            seen.each(&words, |h| got.push(h));
            assert_eq!(got, want, "document of {len} words");
        }
    }

    #[test]
    fn tabulated_idf_is_the_formula_and_never_answers_for_another_corpus_size() {
        let mut stats = TermStats::new();
        stats.add_document("Storm hits the coast");
        let n = stats.n_docs();
        for df in [0, 1, 5, 4095, 4096, 100_000] {
            for m in [n, n + 7] {
                assert_eq!(stats.idf(df, m).to_bits(), idf_smooth(df, m).to_bits(), "{df} {m}");
            }
        }
        assert_eq!(format!("{:?}", stats.idf_table), "IdfTable(made)");
        // Counting on after the table was made: it was made for one document, not two.
        stats.add_document("Another storm");
        assert_eq!(format!("{:?}", stats.idf_table), "IdfTable(empty)", "dropped");
        assert_eq!(stats.idf(3, 2).to_bits(), idf_smooth(3, 2).to_bits());
        assert_ne!(idf_smooth(3, 2), idf_smooth(3, 1));
    }

    #[test]
    fn vocab_numbers_words_once_through_growth_and_the_zero_hash() {
        let mut vocab = Vocab::with_capacity(0);
        let words: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        // Hash 0 cannot sit in the flat table; it must still be one word.
        let hash = |i: usize| (i as u64) << 40;
        for (i, w) in words.iter().enumerate() {
            assert_eq!(vocab.id(hash(i), w), i as u32);
        }
        for (i, w) in words.iter().enumerate().rev() {
            assert_eq!(vocab.id(hash(i), "ignored"), i as u32);
            assert_eq!(vocab.word(i), w);
            assert_eq!(vocab.hashes[i], hash(i));
        }
        assert_eq!(vocab.len(), 100);
    }

    #[test]
    fn content_ids_skip_stop_words_and_single_letters_in_ascii_and_unicode_text() {
        let stats = TermStats::new();
        let mut tokens = Tokens::default();
        let mut vocab = Vocab::with_capacity(0);
        let ids = |s: &str, vocab: &mut Vocab, tokens: &mut Tokens| {
            let mut out = Vec::new();
            content_ids(s, &stats, tokens, vocab, &mut out);
            out.iter().map(|&i| vocab.word(i as usize).to_string()).collect::<Vec<_>>()
        };
        let ascii = ids("The Mayor of Paris, A. Hidalgo, opened the Cafe", &mut vocab, &mut tokens);
        assert_eq!(ascii, ["mayor", "paris", "hidalgo", "opened", "cafe"]);
        // The same words through the Unicode path get the same ids.
        let n = vocab.len();
        let uni = ids("Paris’s Mayor opened the Café é", &mut vocab, &mut tokens);
        assert_eq!(uni, ["paris", "mayor", "opened", "café"]);
        assert_eq!(vocab.len(), n + 1, "only 'café' is new: {:?}", vocab.text);
    }

    #[test]
    fn stem_classes_join_inflections_and_are_dense() {
        let words: Vec<String> =
            ["elections", "storm", "election", "storms", "power"].map(String::from).to_vec();
        let mut vocab = Vocab::with_capacity(0);
        for (i, w) in words.iter().enumerate() {
            vocab.id(i as u64 + 1, w);
        }
        // Twice: the second call answers from the cache and must agree.
        for _ in 0..2 {
            assert_eq!(stem_classes(&vocab), vec![0, 1, 0, 1, 2]);
        }
    }

    #[test]
    fn coverage_picks_the_new_fact_over_a_reworded_lead() {
        let texts = [
            "Storm Alpha hit the coast of Florida on Monday, killing five people in three towns. \
             Rescue teams searched flooded streets in the three towns on Tuesday.",
            "Storm Alpha struck the Florida coast on Monday and killed five people, officials said. \
             Power lines fell and two million homes lost power across the state.",
            "Forecasters said Storm Alpha weakened over land on Tuesday night. \
             Utilities said two million homes across the state still had no power.",
        ];
        let ids = ["a", "b", "c"];
        let m: Vec<MemberText> = (0..3).map(|i| member(ids[i], "", texts[i], i as u32)).collect();
        let params = SummaryParams { summary_words: 25, max_sentences: 2, ..Default::default() };
        // The hard cut on near-copies is off, so only the coverage term can keep the second
        // report's reworded lead out.
        let with = Tuning { redundant: 1.1, ..TUNING };
        let without = Tuning { mmr_lambda: 1.0, ..with };
        let stats = TermStats::new();
        let ours = summarize_tuned(&m, &stats, &params, &with).summary;
        let plain = summarize_tuned(&m, &stats, &params, &without).summary;
        assert!(plain.contains("Storm Alpha struck"), "{plain}");
        assert!(!ours.contains("Storm Alpha struck") && ours.contains("million homes"), "{ours}");
        assert!(ours.split_whitespace().count() as f64 <= 25.0 * 1.2, "{ours}");
        // Deterministic: the same input gives the same bytes.
        assert_eq!(ours, summarize_tuned(&m, &stats, &params, &with).summary);
    }

    #[test]
    fn keywords_skip_stop_words_numbers_and_corpus_common_words() {
        let texts = [
            "Stoltenberg said NATO would send air defence systems to Kyiv, officials reported on 24 March.",
            "NATO chief Stoltenberg promised Kyiv more air defence; officials reported the pledge in 2023.",
            "Officials reported that Stoltenberg and NATO ministers agreed on air defence for Kyiv.",
        ];
        // A corpus in which "officials" and "reported" are in every document.
        let mut corpus: Vec<String> = (0..40)
            .map(|i| format!("Officials reported figure {i} for the harvest of wheat."))
            .collect();
        corpus.extend(texts.iter().map(|t| t.to_string()));
        let stats = stats_of(&corpus.iter().map(String::as_str).collect::<Vec<_>>());
        let m: Vec<MemberText> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| member(["a", "b", "c"][i], "", t, i as u32))
            .collect();
        let s = summarize(&m, &stats, &SummaryParams::default());
        for w in &s.keywords {
            assert!(!is_stop_word(w), "{w}");
            assert!(!w.chars().all(|c| c.is_ascii_digit()), "{w}");
            assert_ne!(w, "officials");
            assert_ne!(w, "reported");
            assert_eq!(w, &w.to_lowercase());
        }
        for w in ["stoltenberg", "nato", "kyiv", "defence"] {
            assert!(s.keywords.iter().take(5).any(|k| k == w), "{w} in {:?}", s.keywords);
        }
        // A word one text has three times ranks below words every text shares.
        let quirk = "Stoltenberg spoke about NATO air defence for Kyiv; tulips, tulips, tulips.";
        let m2 =
            [member("a", "", texts[0], 0), member("b", "", texts[1], 1), member("c", "", quirk, 2)];
        let s = summarize(&m2, &stats, &SummaryParams::default());
        let pos = |w: &str| s.keywords.iter().position(|k| k == w).unwrap_or(usize::MAX);
        assert!(pos("tulips") > pos("stoltenberg"), "{:?}", s.keywords);
    }

    #[test]
    fn keywords_filtered_in_rank_order_are_those_of_filtering_first() {
        // Words the filters drop (months, weekdays, numbers, particles) outscore the topic
        // words many times over the first head of 16, so the search must look further.
        let mut words: Vec<String> = Vec::new();
        for w in ["january", "february", "march", "april", "june", "july", "august"] {
            words.push(w.to_string());
        }
        for w in ["monday", "tuesday", "friday", "de", "van", "der", "la", "du"] {
            words.push(w.to_string());
        }
        words.extend((0..20).map(|i| format!("{}", 1000 + i)));
        words.extend(
            ["missile", "missiles", "strike", "strikes", "kyiv", "defence", "air"]
                .map(String::from),
        );
        words.extend((0..30).map(|i| format!("topic{i}")));
        let mut vocab = Vocab::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            let id = vocab.id(crate::shingle::mix64(i as u64 + 1), w) as usize;
            // Filtered words first in score: more texts, more uses.
            let filtered = i < 35;
            vocab.units[id] = if filtered { 9 } else { 1 + (i % 7) as u32 };
            vocab.tf[id] = if filtered { 30 } else { 1 + (i % 5) as u32 };
        }
        let df: Vec<u32> = (0..words.len() as u32).map(|i| 1 + i % 11).collect();
        // The plain way: drop the filtered words, sort everything, fold singulars.
        let naive = |k: usize| -> Vec<String> {
            let mut scored: Vec<(f64, usize)> = (0..vocab.len())
                .filter(|&i| is_topic(vocab.word(i)))
                .map(|i| {
                    let spread = f64::from(vocab.units[i]) / 10.0;
                    let s = spread * (1.0 + f64::from(vocab.tf[i]).ln()) * idf_strict(df[i], 100);
                    (s, i)
                })
                .filter(|x| x.0 > 0.0)
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(vocab.word(a.1).cmp(vocab.word(b.1))));
            let mut out: Vec<String> = Vec::new();
            for (_, i) in scored {
                let w = vocab.word(i);
                if out.len() < k && !out.iter().any(|o| singular(o) == singular(w)) {
                    out.push(w.to_string());
                }
            }
            out
        };
        for k in [1, 5, 10, 30] {
            assert_eq!(keywords(&vocab, &df, 100, 100, 10, k), naive(k), "k = {k}");
        }
        assert_eq!(keywords(&vocab, &df, 100, 100, 10, 10).len(), 10);
    }

    #[test]
    fn plural_and_singular_keywords_count_once() {
        let t = [
            "Missiles hit Kyiv. A missile hit Lviv.",
            "Missiles struck Kyiv overnight, one missile fell.",
        ];
        let s = summarize_texts(&t);
        let n = s.keywords.iter().filter(|k| k.starts_with("missile")).count();
        assert_eq!(n, 1, "{:?}", s.keywords);
    }

    #[test]
    fn entities_on_the_seed_articles() {
        let rows = fixture();
        let a = fixture_text("nato22-original");
        let b = fixture_text("nato23-ministers");
        let m = [member("a", "", &a, 0), member("b", "", &b, 1)];
        let stats = stats_of(&rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>());
        let s = summarize(&m, &stats, &SummaryParams { entities: 60, ..Default::default() });
        let has = |e: &str| s.entities.iter().any(|x| x == e);
        for e in [
            "Jens Stoltenberg",
            "NATO",
            "Brussels",
            "Black Sea",
            "Lloyd Austin",
            "Vladimir Putin",
            "$27.4 billion",
            "$241 million",
            "26 people",
            "50 countries",
            "Feb. 24",
            "European Union",
        ] {
            assert!(has(e), "{e} missing from {:?}", s.entities);
        }
        for e in [
            "Stoltenberg",
            "Secretary-General",
            "Advertisement",
            "Russian",
            "The",
            "Ukrainian",
            "Wednesday",
            "Six Russian",
            "Assembly",
            "Staff",
        ] {
            assert!(!has(e), "{e} in {:?}", s.entities);
        }
        // Both texts name Stoltenberg and NATO, so they outrank names only one uses.
        let s10 = summarize(&m, &stats, &SummaryParams::default());
        assert_eq!(s10.entities.len(), 10);
        let pos = |e: &str| s10.entities.iter().position(|x| x == e).unwrap_or(usize::MAX);
        assert!(pos("Jens Stoltenberg") < pos("Lloyd Austin"), "{:?}", s10.entities);
        assert!(pos("NATO") < 10, "{:?}", s10.entities);
        // Entities alone, as TSV runs make them, are the full summary's, and nothing else is made.
        let only =
            summarize(&m, &stats, &SummaryParams { entities_only: true, ..Default::default() });
        assert_eq!(only, Summary { entities: s10.entities.clone(), ..Summary::default() });
    }

    /// Fails unless every one of `names` is among the summary's entities, exactly.
    fn assert_entities(s: &Summary, names: &[&str]) {
        for name in names {
            assert!(s.entities.iter().any(|e| e == name), "{name}: {:?}", s.entities);
        }
    }

    fn assert_no_entities(s: &Summary, names: &[&str]) {
        for name in names {
            assert!(!s.entities.iter().any(|e| e == name), "{name}: {:?}", s.entities);
        }
    }

    #[test]
    fn entities_merge_case_variants_and_strip_titles() {
        let t = [
            "US Defense Secretary Lloyd Austin met Nato allies in Brussels on Tuesday.",
            "Ukrainian President Volodymyr Zelenskiy thanked NATO and Austin in Kyiv.",
        ];
        let s = summarize_texts(&t);
        assert_entities(&s, &["Lloyd Austin", "Volodymyr Zelenskiy"]);
        assert_eq!(
            s.entities.iter().filter(|e| e.eq_ignore_ascii_case("nato")).count(),
            1,
            "{:?}",
            s.entities
        );
        assert!(
            !s.entities.iter().any(|e| e == "Austin" || e.contains("Secretary")),
            "{:?}",
            s.entities
        );
        assert!(s.entities.iter().any(|e| e == "US"), "{:?}", s.entities);
        // Abbreviated titles are offices too, with their period or without.
        let t = [
            "The charges were raised by Rep. John Dingell and Sen Edward Kennedy on Monday.",
            "Lt. Gen. Mark Hertling and Rep. John Dingell spoke in Washington.",
        ];
        let s = summarize_texts(&t);
        assert_entities(&s, &["John Dingell", "Edward Kennedy"]);
        for title in ["Rep", "Sen", "Lt", "Gen"] {
            assert!(
                !s.entities.iter().any(|e| e.split(' ').any(|w| w == title)),
                "{title}: {:?}",
                s.entities
            );
        }
    }

    #[test]
    fn a_word_capitalised_after_a_colon_needs_confirming_like_a_sentence_opener() {
        let t = [
            "Senators said their aim is two-fold: Decontrol and de-license items, and Boeing agreed.",
            "Two senators want exports freed: Decontrol items that are safe, they told Boeing.",
        ];
        let s = summarize_texts(&t);
        assert!(!s.entities.iter().any(|e| e == "Decontrol"), "{:?}", s.entities);
        assert!(s.entities.iter().any(|e| e == "Boeing"), "{:?}", s.entities);
        // A name after a colon that ordinary text also names stays a name.
        let t = [
            "The verdict came late: Boeing lost the case in Chicago.",
            "Lawyers said Boeing would appeal the ruling made in Chicago.",
        ];
        assert_entities(&summarize_texts(&t), &["Boeing", "Chicago"]);
    }

    #[test]
    fn name_particles_are_no_keywords() {
        let t = [
            "Caisse Nationale de Credit Agricole and Credit du Nord issued bonds de luxe.",
            "Caisse Nationale de Credit Agricole led the bond; Credit du Nord co-managed.",
        ];
        let s = summarize_texts(&t);
        for particle in ["de", "du"] {
            assert!(!s.keywords.iter().any(|k| k == particle), "{:?}", s.keywords);
        }
        assert!(s.keywords.iter().any(|k| k == "caisse"), "{:?}", s.keywords);
    }

    #[test]
    fn entities_after_a_portfolio_are_the_person() {
        let t = [
            "A deadline set by Minister of Social Affairs Louw de Graaf expires on Monday.",
            "Secretary of State John Kerry flew to Geneva for the talks on Monday.",
        ];
        let s = summarize_texts(&t);
        assert_entities(&s, &["Louw de Graaf", "John Kerry"]);
        assert!(
            !s.entities.iter().any(|e| e.starts_with("of ") || e.contains("Affairs")),
            "{:?}",
            s.entities
        );
        // Only "of" opens a portfolio: "de" belongs to the name.
        let s = summarize_texts(&["Reporters asked General de Gaulle about it on Monday."]);
        assert_entities(&s, &["de Gaulle"]);
    }

    #[test]
    fn a_name_opening_with_a_connector_keeps_it() {
        let t = [
            "Mr Van Rompuy said the leaders of El Salvador and Belgium agreed on Friday.",
            "The deal was praised by Mr Van Rompuy and by Mr de Graaf in Brussels.",
        ];
        let s = summarize_texts(&t);
        assert_entities(&s, &["Van Rompuy", "El Salvador", "de Graaf"]);
        assert_no_entities(&s, &["Rompuy", "Salvador", "Graaf"]);
    }

    #[test]
    fn title_case_headlines_need_a_confirming_sentence() {
        // Every word capitalised: the runs are not names unless ordinary text confirms them.
        let t = [
            "Neil Young Launches PonoMusic Player Through Kickstarter",
            "Neil Young Wants To Save Music With Pono Player",
            "The musician Neil Young unveiled a high-resolution player called Pono at SXSW.",
        ];
        let s = summarize_texts(&t);
        assert_entities(&s, &["Neil Young", "SXSW"]);
        // Before: "Neil Young Launches PonoMusic Player Through Kickstarter" and "Neil Young
        // Wants To Save Music With Pono Player" were names too.
        assert!(!s.entities.iter().any(|e| e.starts_with("Neil Young ")), "{:?}", s.entities);
        assert!(is_title_case(&raw_tokens(
            "Honda Makes Acura Stand-Alone Division to Boost Sales"
        )));
        assert!(!is_title_case(&raw_tokens("Fed's Charles Plosser sees high bar for change")));
        assert!(!is_title_case(&raw_tokens("Barack Obama and Angela Merkel")));
    }

    #[test]
    fn a_teaser_above_an_advertisement_stays_out_of_the_summary() {
        let lead = "Russia started missile strikes across Ukraine on Thursday, according to Ukrainian officials, after Western partners pledged more military help.";
        let teaser = format!(
            "Russia says Ukrainian forces retreated in Luhansk.\n\nKyiv says balloons were shot down.\n\nAdvertisement\n\n{lead}"
        );
        let s = summarize_texts(&[&teaser]);
        assert!(s.summary.starts_with("Russia started"), "{}", s.summary);
        assert!(!s.summary.contains("Luhansk"), "{}", s.summary);
        // Short opening sentences that run into the story are its lead, not a teaser.
        let marked = split_marked(&teaser);
        assert!(marked[..2].iter().all(|m| m.furniture && !m.candidate));
        let short_lead = format!("Kyiv was hit again by drones. Sirens sounded at dawn.\n\n{lead}");
        let marked = split_marked(&short_lead);
        assert!(marked[..2].iter().all(|m| !m.furniture), "{marked:?}");
        // Two short sentences in one paragraph are a lead even with an advertisement after it.
        let one_paragraph = format!(
            "Kyiv was hit again by drones. Sirens sounded at dawn.\n\nAdvertisement\n\n{lead}"
        );
        let marked = split_marked(&one_paragraph);
        assert!(marked[..2].iter().all(|m| !m.furniture), "{marked:?}");
    }

    #[test]
    fn headlines_name_entities_and_rank_them_first_among_equals() {
        let text = "Missiles hit Kyiv and Lviv on Thursday, officials in Ukraine said. Air defences shot down eight Kalibr missiles over the Black Sea, the Ukrainian air force said.";
        let m = [member(
            "a",
            "Russia launches new missile attacks in response to NATO’s increased backing for Ukraine",
            text,
            0,
        )];
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert!(s.entities.iter().take(3).any(|e| e == "NATO"), "{:?}", s.entities);
        // A run opening a headline needs the text to confirm it: "Sooct" is no first name.
        let port = "The port of Lviv was closed on Monday, officials said.";
        for title in ["Sooct Moxra Dracaung visits the port", "UPDATE: Sooct Moxra Dracaung visits"]
        {
            let m = [member("b", title, port, 0)];
            let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
            assert!(!s.entities.iter().any(|e| e.contains("Moxra")), "{title}: {:?}", s.entities);
        }
        // After a dropped function word the capitals are the name's own.
        let m = [member("c", "The European Union fines the port", port, 0)];
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert_entities(&s, &["European Union"]);
    }

    #[test]
    fn a_ministry_keeps_its_portfolio() {
        let t = [
            "Senators want to end the Department of Defense's veto over export licences.",
            "The Department of Defense said it would study the bill with the Ministry of Finance.",
            "Finance Minister Jane Doe met the Deputy Defense Secretary on Tuesday.",
        ];
        let s = summarize_texts(&t);
        for name in ["Department of Defense", "Ministry of Finance", "Jane Doe"] {
            assert!(s.entities.iter().any(|e| e == name), "{name}: {:?}", s.entities);
        }
        // Offices still shed their qualifiers: no "Deputy Defense" or bare "Department".
        assert!(
            !s.entities.iter().any(|e| e == "Department" || e.contains("Deputy")),
            "{:?}",
            s.entities
        );
    }

    #[test]
    fn entities_fold_company_short_names_and_dotted_spellings() {
        let t = [
            "Clevite Industries Inc said it received a proposal from J.P. Industries Inc to buy it.",
            "JP Industries Inc confirmed that Clevite had received its offer for the U.S. company.",
            "Clevite said the US offer from JP Industries Inc was worth 13.50 dlrs a share.",
        ];
        let s = summarize_texts(&t);
        let clevite = s.entities.iter().filter(|e| e.starts_with("Clevite")).count();
        assert_eq!(clevite, 1, "{:?}", s.entities);
        let jp = s
            .entities
            .iter()
            .filter(|e| e.contains("Industries") && !e.starts_with("Clevite"))
            .count();
        assert_eq!(jp, 1, "{:?}", s.entities);
        assert_eq!(
            s.entities.iter().filter(|e| e.replace('.', "") == "US").count(),
            1,
            "{:?}",
            s.entities
        );
        assert!(s.entities.iter().any(|e| e == "13.50 dlrs"), "{:?}", s.entities);
        let toks = raw_tokens("Clevite's Engine Parts Division");
        assert!(toks[0].possessive && toks[0].text == "Clevite");
    }

    #[test]
    fn group_diffs_list_added_and_removed_sentences() {
        let rep = "NATO ministers met in Brussels on Wednesday.\n\nAdvertisement\n\nThey discussed air defence for Ukraine.\n\nStoltenberg said Russia was losing the war.";
        let copy = "NATO ministers met in Brussels on Wednesday.\n\nSubscribe to our daily newsletter\n\nThey discussed air defence for Ukraine!\n\nGermany sent the first IRIS-T system to Kyiv.";
        let mut b = member("b", "t", copy, 7);
        b.is_group_representative = false;
        let m = [member("a", "t", rep, 7), b, member("z", "other", CENTRAL[0], 8)];
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert_eq!(s.group_diffs.len(), 1);
        let d = &s.group_diffs[0];
        assert_eq!((d.group, d.representative.as_str()), (7, "a"));
        assert_eq!(d.copies.len(), 1);
        assert_eq!(d.copies[0].id, "b");
        assert_eq!(d.copies[0].added, ["Germany sent the first IRIS-T system to Kyiv."]);
        assert_eq!(d.copies[0].removed, ["Stoltenberg said Russia was losing the war."]);
    }

    #[test]
    fn group_diffs_on_fixture_copies_skip_furniture_and_cap() {
        let a = fixture_text("nato22-original");
        let b = fixture_text("nato22-new-headline");
        let mut copy = member("b", "", &b, 0);
        copy.is_group_representative = false;
        let m = [member("a", "", &a, 0), copy];
        let s = summarize(
            &m,
            &TermStats::new(),
            &SummaryParams { diff_sentences: 5, ..Default::default() },
        );
        let d = &s.group_diffs[0].copies[0];
        assert!(d.added.is_empty(), "{:?}", d.added);
        assert_eq!(d.removed.len(), 1, "the image credit is furniture: {:?}", d.removed);
        assert!(d.removed[0].starts_with("The missiles have mostly targeted"));
        let s = summarize(
            &m,
            &TermStats::new(),
            &SummaryParams { diff_sentences: 0, ..Default::default() },
        );
        assert!(
            s.group_diffs.is_empty()
                || s.group_diffs[0]
                    .copies
                    .iter()
                    .all(|c| c.added.is_empty() && c.removed.is_empty())
        );
    }

    #[test]
    fn output_does_not_depend_on_member_order() {
        let rows = fixture();
        let mut members: Vec<MemberText> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0.starts_with("nato"))
            .map(|(i, r)| MemberText {
                id: &r.0,
                title: &r.1,
                text: &r.2,
                source: &r.3,
                published: Some(19_000 + i as i32 % 3),
                group: if r.0.starts_with("nato23") { 1 } else { 0 },
                is_group_representative: r.0 == "nato23-ministers" || r.0 == "nato22-original",
                has_boilerplate: false,
            })
            .collect();
        let stats = stats_of(&rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>());
        let p = SummaryParams::default();
        let first = summarize(&members, &stats, &p);
        let ids: Vec<&str> = members.iter().map(|m| m.id).collect();
        members.reverse();
        let second = summarize(&members, &stats, &p);
        members.rotate_left(2);
        let third = summarize(&members, &stats, &p);
        for other in [&second, &third] {
            assert_eq!(first.headline, other.headline);
            assert_eq!(first.summary, other.summary);
            assert_eq!(first.keywords, other.keywords);
            assert_eq!(first.entities, other.entities);
            assert_eq!(first.group_diffs, other.group_diffs);
        }
        // Centrality follows its member.
        for (k, id) in ids.iter().enumerate() {
            let j = members.iter().position(|m| m.id == *id).unwrap_or(0);
            assert!((first.centrality[k] - third.centrality[j]).abs() < 1e-12);
        }
        assert!(
            !first.summary.is_empty() && !first.keywords.is_empty() && !first.entities.is_empty()
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_splits_into_its_own_slices_and_summarises(
            text in "(\\PC|[ \n.?!…。\"”’$%'])*",
            title in "\\PC*",
        ) {
            let base = text.as_ptr() as usize;
            let mut last = 0;
            for s in split_sentences(&text) {
                let at = s.as_ptr() as usize - base;
                proptest::prop_assert!(at >= last && at + s.len() <= text.len());
                proptest::prop_assert!(!s.is_empty() && s.trim() == s);
                last = at + s.len();
            }
            let m = [member("a", &title, &text, 0), member("b", "", &text, 1)];
            let out = summarize(&m, &TermStats::new(), &SummaryParams::default());
            proptest::prop_assert!(out.centrality.iter().all(|c| (0.0..=1.0).contains(c)));
        }

        /// The byte-wise paths for ASCII agree with the character-wise ones they stand in for.
        #[test]
        fn ascii_fast_paths_match_the_character_paths(
            text in "([a-zA-Z0-9]{1,6}|[ \t\n\x0B\x0C\r]|[.,'&$%:;()-]|'s|U\\.S\\.)*",
        ) {
            proptest::prop_assert_eq!(WordStats::of_ascii(text.as_bytes()), WordStats::of_chars(&text));
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            raw_tokens_ascii(&text, &mut fast);
            raw_tokens_chars(&text, &mut Vec::new(), &mut slow);
            proptest::prop_assert_eq!(fast, slow);
            proptest::prop_assert_eq!(lines_ascii(&text), lines_any(&text));
            let (mut fast, mut slow) = ("x".to_string(), "x".to_string());
            fold_space_ascii(&text, &mut fast);
            fold_space_any(&text, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn term_stats_merge_and_lookup() {
        let mut a = TermStats::new();
        a.add_document("NATO meets in Brussels. NATO again.");
        let mut b = TermStats::new();
        b.add_document("Brussels hosts the meeting");
        b.add_document("Café Zürich");
        a.merge(b);
        assert_eq!(a.n_docs(), 3);
        assert_eq!(a.df("nato"), 1, "each distinct term once per document");
        assert_eq!(a.df("NATO"), 1);
        assert_eq!(a.df("brussels"), 2);
        assert_eq!(a.df("café"), 1);
        assert_eq!(a.df("absent"), 0);
        assert_eq!(a.df("two words"), 0);
    }

    #[test]
    fn large_clusters_stay_linear() {
        // 5,000 members in 2,500 groups: any all-pairs step would take minutes here.
        let texts: Vec<String> = (0..5000)
            .map(|i| format!("NATO ministers met in Brussels on day {} to discuss air defence for Ukraine. Officials from country {} pledged support. Analysts expect more aid soon.", i % 7, i / 2))
            .collect();
        let ids: Vec<String> = (0..5000).map(|i| format!("id{i:05}")).collect();
        let m: Vec<MemberText> = (0..5000)
            .map(|i| MemberText {
                id: &ids[i],
                title: "NATO ministers meet",
                text: &texts[i],
                source: "Wire",
                published: Some(19_000),
                group: (i / 2) as u32,
                is_group_representative: i % 2 == 0,
                has_boilerplate: false,
            })
            .collect();
        let s = summarize(&m, &TermStats::new(), &SummaryParams::default());
        assert_eq!(s.centrality.len(), 5000);
        assert!(!s.summary.is_empty());
    }
}
