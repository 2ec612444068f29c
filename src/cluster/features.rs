//! Event features of an article: the terms that say *what happened*, weighted by TF-IDF
//! (Salton & Buckley 1988, "Term-weighting approaches in automatic text retrieval").
//!
//! Two independent reports of one event share few word 5-grams but many of the same names,
//! places, numbers and topic words. Each article yields terms of three kinds: content words
//! (lower-cased, no stop words), named entities (runs of capitalised words not merely starting a
//! sentence, and acronyms), and numbers; headline words count extra. Words are reduced to their
//! Snowball (Porter 2001) English stems, so "tapering" meets "taper". Weights are tf × idf with
//! document frequencies from the whole corpus, so words found in a large share of all articles
//! carry no event signal. The content words of the article's URL slug count as one body
//! occurrence each: for a bare headline they are often the missing half of the story. The
//! `top_terms` heaviest terms, L2-normalised, are the article's event vector; cosine similarity
//! compares vectors. Cost: O(text length) per article.

use crate::counts::KeyCounts;
use crate::flat::{get_each, FlatTable};
use crate::shingle::mix64;

/// Kind of a term, kept in the top bits of its hash so that kinds never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TermKind {
    /// A lower-cased content word.
    Word = 0,
    /// A named entity (capitalised span or acronym), lower-cased.
    Entity = 1,
    /// A number as written (digits, decimal point).
    Number = 2,
}

/// A term found in an article, before IDF weighting.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTerm {
    /// Hash of kind and text.
    pub hash: u64,
    /// Weighted count (headline occurrences count extra).
    pub tf: f32,
    /// The term's text, for keywords and entities in summaries.
    pub text: String,
}

impl RawTerm {
    /// Its kind (kept in the hash).
    pub fn kind(&self) -> TermKind {
        kind_of(self.hash)
    }
}

/// A sparse, L2-normalised event vector: term hashes (sorted) with weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventVector {
    /// Sorted term hashes.
    pub terms: Vec<u64>,
    /// Weight of each term.
    pub weights: Vec<f32>,
}

impl EventVector {
    /// Cosine similarity (both vectors are unit length).
    pub fn cosine(&self, other: &EventVector) -> f64 {
        sparse_dot(&self.terms, &self.weights, &other.terms, &other.weights)
    }

    /// True when the vector has no term.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Dot product of two sparse vectors given as sorted terms with weights.
///
/// The merge steps without branching on the comparison: two vectors share few of their terms,
/// so which side advances is a coin toss the branch predictor loses about half the time, and
/// that cost dominated candidate scoring (perf). Adding 0.0 for a non-shared term leaves the
/// sum bit for bit as it was (it can never be −0.0).
pub fn sparse_dot(ta: &[u64], wa: &[f32], tb: &[u64], wb: &[f32]) -> f64 {
    let (wa, wb) = (&wa[..ta.len()], &wb[..tb.len()]);
    let (mut i, mut j, mut dot) = (0, 0, 0.0f64);
    while i < ta.len() && j < tb.len() {
        let (x, y) = (ta[i], tb[j]);
        let p = f64::from(wa[i]) * f64::from(wb[j]);
        dot += if x == y { p } else { 0.0 };
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    dot
}

/// Stop words: the most frequent English function words, which say nothing about an event.
pub const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "according",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "among",
    "an",
    "and",
    "any",
    "are",
    "around",
    "as",
    "at",
    "back",
    "be",
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
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "even",
    "few",
    "first",
    "for",
    "from",
    "further",
    "get",
    "go",
    "going",
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
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
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
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "people",
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
    "take",
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
    "three",
    "through",
    "time",
    "to",
    "told",
    "too",
    "two",
    "under",
    "until",
    "up",
    "us",
    "very",
    "was",
    "we",
    "week",
    "well",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "year",
    "years",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

fn stemmer() -> &'static rust_stemmers::Stemmer {
    static STEMMER: std::sync::OnceLock<rust_stemmers::Stemmer> = std::sync::OnceLock::new();
    STEMMER.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English))
}

/// Entries a thread's stem cache holds before it starts afresh.
const STEM_CACHE: usize = 1 << 18;

/// Slots of the full stem table when first allocated; it doubles up to `2 * STEM_CACHE`.
const STEM_TABLE_MIN: usize = 1 << 12;

/// Slots of the direct-mapped front of the stem cache: 256 KiB, so it stays in a core's L2.
const HOT_STEMS: usize = 1 << 14;

/// A per-thread memo of word -> term hash. Snowball stemming costs more than everything else
/// in extraction, and news vocabulary is Zipfian, so a memo answers almost every lookup; keys
/// are 64-bit word hashes, so a lookup compares integers, not strings. A corpus's vocabulary
/// makes the full table megabytes, and a probe there is a cache miss that cost 40% of
/// extraction (perf); the frequent words are answered from a small direct-mapped front
/// instead, which cut the `story/extract_terms` bench's time by a quarter.
///
/// The full table is a [`FlatTable`], read a batch of words at a time ([`memo_stems`]).
struct StemCache {
    hot: Vec<(u64, u64)>,
    all: FlatTable<u64>,
}

thread_local! {
    static STEMS: std::cell::RefCell<StemCache> = std::cell::RefCell::new(StemCache {
        hot: vec![(0, 0); HOT_STEMS],
        all: FlatTable::with_slots(STEM_TABLE_MIN),
    });
}

impl StemCache {
    /// The memoised value of `key` (not 0), or `make()`'s, remembered.
    fn get_or(&mut self, key: u64, make: impl FnOnce() -> u64) -> u64 {
        if let Some(v) = self.all.get(key) {
            return v;
        }
        let v = make();
        if self.all.len() >= STEM_CACHE {
            self.all.clear();
        } else if 2 * (self.all.len() + 1) > self.all.slots() {
            // Grown as the vocabulary is met, at most half full so that probe runs stay short:
            // a table sized for the largest vocabulary from the start held 8 MB per thread
            // that a small corpus never used.
            self.all.grow();
        }
        self.all.insert_new(key, v);
        v
    }
}

/// 64-bit hash of a lower-case word, the key of the stop-word set and the stem cache.
fn word_key(lower: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(lower.as_bytes())
}

/// What the stem cache says of a word: a stop word, or the term hash of its stem.
const STOP: u64 = 0;

/// Marks a memoised stem as a stop word's. Word term hashes have both kind bits 0, so the top
/// bit is free.
const STOP_BIT: u64 = 1 << 63;

/// [`STOP`] for a stop word, else the term hash of the stem of a lower-case word whose
/// [`word_key`] is `key`. One cache lookup answers both questions.
fn stem_or_stop(lower: &str, key: u64) -> u64 {
    let h = memo_stem(lower, key);
    if h & STOP_BIT != 0 {
        STOP
    } else {
        h
    }
}

/// The term hash of a lower-case word's Snowball stem, stop words included, from the same
/// per-thread memo as extraction: the summariser groups a cluster's words by stem, and the
/// words it meets were memoised here when the articles were read.
pub fn stem_hash(lower: &str) -> u64 {
    memo_stem(lower, word_key(lower)) & !STOP_BIT
}

/// [`stem_hash`] of each of `words`, in order, into `out` (cleared first).
pub fn stem_hashes<'a>(words: impl Iterator<Item = &'a str>, out: &mut Vec<u64>) {
    let words: Vec<&str> = words.collect();
    let keys: Vec<u64> = words.iter().map(|w| word_key(w)).collect();
    out.clear();
    memo_stems(&keys, |i| words[i], out);
    for h in out.iter_mut() {
        *h &= !STOP_BIT;
    }
}

/// [`memo_stem`] of each lower-case word with its [`word_key`], appended to `out`. The memo
/// is read a batch at a time ([`get_each`]), so that its cache misses overlap: a corpus's
/// vocabulary does not fit in cache, and one lookup at a time made the memo a tenth of a
/// clustering run (perf, gen 100k); in the summariser, batching took its share from 9.6% to
/// 3%. Words not yet memoised are stemmed after the batch.
fn memo_stems<'a>(keys: &[u64], word: impl Fn(usize) -> &'a str, out: &mut Vec<u64>) {
    const BATCH: usize = 16;
    for (b, ks) in keys.chunks(BATCH).enumerate() {
        let mut found = [None; BATCH];
        STEMS.with(|cache| {
            let cache = cache.borrow();
            let mut n = 0;
            get_each(
                ks,
                |_| &cache.all,
                |_, v| {
                    found[n] = v;
                    n += 1;
                },
            );
        });
        for (i, (&k, f)) in ks.iter().zip(found).enumerate() {
            out.push(f.unwrap_or_else(|| memo_stem(word(b * BATCH + i), k)));
        }
    }
}

/// The memoised stem term hash of a word, with [`STOP_BIT`] set for stop words.
fn memo_stem(lower: &str, key: u64) -> u64 {
    STEMS.with(|cache| {
        let mut guard = cache.borrow_mut();
        let cache = &mut *guard;
        // Word keys are xxh3 hashes: their low bits are uniform, so they index both tables.
        let stem = || {
            // Term hashes of words have the kind bits 0 but are never 0 in practice (2^-62).
            let mut h = term_hash(TermKind::Word, &stemmer().stem(lower)).max(1);
            if is_stop_key(key) {
                h |= STOP_BIT;
            }
            h
        };
        // Key 0 marks an empty slot; a word hashing to it (2^-64) is stemmed every time.
        if key == 0 {
            return stem();
        }
        let slot = cache.hot[key as usize & (HOT_STEMS - 1)];
        if slot.0 == key {
            return slot.1;
        }
        let h = cache.get_or(key, stem);
        cache.hot[key as usize & (HOT_STEMS - 1)] = (key, h);
        h
    })
}

fn is_stop_key(key: u64) -> bool {
    static SET: std::sync::OnceLock<ahash::AHashSet<u64>> = std::sync::OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().map(|w| word_key(w)).collect()).contains(&key)
}

fn term_hash(kind: TermKind, text: &str) -> u64 {
    let h = xxhash_rust::xxh3::xxh3_64_with_seed(text.as_bytes(), kind as u64 + 0x51);
    // Two top bits carry the kind; collisions across kinds are impossible, within a kind 2^-62.
    (mix64(h) >> 2) | ((kind as u64) << 62)
}

/// Weight of a slug word, as one body occurrence. A headline is a handful of words, and the
/// slug often carries the ones it left out (`la-fi-mo-federal-reserve-plosser-stimulus-economy`
/// under "Fed official says weak data caused by weather"): on the UCI headlines this raises
/// BCubed F1 from 0.797 to 0.827. Where the slug merely repeats a long article's headline, its
/// words gain little against the headline's weight (gen 20k and 100k unchanged).
const SLUG_WEIGHT: f32 = 1.0;

/// Path words that say where a page sits on its site, not what it reports.
const GENERIC_PATH_WORDS: &[&str] = &[
    "article",
    "articles",
    "blog",
    "blogs",
    "column",
    "columns",
    "content",
    "detail",
    "feature",
    "features",
    "headlines",
    "home",
    "htm",
    "html",
    "index",
    "latest",
    "news",
    "page",
    "php",
    "post",
    "posts",
    "print",
    "read",
    "report",
    "section",
    "shtml",
    "story",
    "stories",
    "video",
    "videos",
    "view",
];

/// The words of a URL's slugs: path segments of at least three parts joined by `-` or `_`
/// (`/2014/03/10/mtgox-files-bankruptcy/`), split on anything not alphanumeric. Hosts, queries,
/// one-word sections (`/business/`) and parts holding digits (dates, ids) are skipped.
pub fn slug_words(url: &str) -> impl Iterator<Item = &str> {
    let rest = url.split_once("://").map_or(url, |x| x.1);
    let path = rest.split_once('/').map_or("", |x| x.1);
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.split('/')
        .filter(|seg| seg.split(['-', '_']).filter(|p| !p.is_empty()).count() >= 3)
        .flat_map(|seg| seg.split(|c: char| !c.is_alphanumeric()))
        .filter(|p| !p.is_empty() && p.chars().all(char::is_alphabetic))
}

/// Capitalised runs longer than this are not names.
const MAX_NAME_WORDS: usize = 5;

/// Reusable scratch for term extraction: its maps and buffers are cleared between articles,
/// not reallocated, which matters at a million articles.
#[derive(Debug, Default)]
pub struct Extractor {
    /// Index in `terms` of each term hash seen in the current article.
    index: TermIndex,
    terms: Vec<RawTerm>,
    /// Byte ranges (in the current part) of the capitalised run being collected.
    span: Vec<(usize, usize)>,
    name: String,
    lower: String,
    keep_text: bool,
    /// The words of the part being read (per-call scratch).
    part: PartWords,
}

/// Index in an article's term list of each term hash. Every word of every lead is looked up
/// here: a flat table (hashes need no hashing of their own) in place of a general hash map,
/// whose lookups were 7% of extraction's instructions (callgrind, gen 3k).
#[derive(Debug)]
struct TermIndex {
    table: FlatTable<u32>,
}

/// Slots of a fresh [`TermIndex`]: room for a lead's few hundred terms.
const TERM_INDEX_SLOTS: usize = 1024;

impl Default for TermIndex {
    fn default() -> Self {
        TermIndex { table: FlatTable::with_slots(TERM_INDEX_SLOTS) }
    }
}

impl TermIndex {
    /// Forgets every term. A table grown for one huge article is dropped rather than
    /// cleared slot by slot for every article after it.
    fn clear(&mut self) {
        if self.table.slots() > 4 * TERM_INDEX_SLOTS {
            *self = TermIndex::default();
        } else if self.table.len() > 0 {
            self.table.clear();
        }
    }

    /// The index of `hash` in `terms`, adding it as the next one if new.
    fn get_or_add(&mut self, hash: u64, terms: &[RawTerm]) -> Option<usize> {
        if hash == 0 {
            // The table's empty key (odds 2^-64 a term): found by a scan instead.
            return terms.iter().position(|t| t.hash == 0);
        }
        if let Some(i) = self.table.get(hash) {
            return Some(i as usize);
        }
        if 4 * (self.table.len() + 1) > 3 * self.table.slots() {
            self.table.grow();
        }
        self.table.insert_new(hash, terms.len() as u32);
        None
    }
}

/// The words of a headline or text, found before any is stemmed so that their stems can be
/// looked up together.
#[derive(Debug, Default)]
struct PartWords {
    words: Vec<Word>,
    /// Lower-case texts of the words that need a stem, one after another.
    lowers: String,
    /// Their memo keys, their ranges in `lowers` and (once looked up) their stems.
    keys: Vec<u64>,
    keyed: Vec<(u32, u32)>,
    stems: Vec<u64>,
}

/// A word of the part being read, as the first pass of [`Extractor::extract_with_url`] found it.
#[derive(Clone, Copy, Debug)]
struct Word {
    /// Byte range in the part, without a possessive `'s`.
    start: usize,
    end: usize,
    kind: WordKind,
}

#[derive(Clone, Copy, Debug)]
enum WordKind {
    Number,
    /// Lower-case and under three bytes: ends a name and is no term.
    Short,
    /// Looked up in the stem memo: the next of [`PartWords`]' keyed words.
    Word {
        capital: bool,
        starts_sentence: bool,
    },
}

impl PartWords {
    /// Finds the words of `part`, in order, and the stems of those that need one.
    fn read(&mut self, part: &str) {
        self.words.clear();
        self.lowers.clear();
        self.keys.clear();
        self.keyed.clear();
        let mut sentence_start = true;
        let mut pos = 0;
        while let Some((start, end, starts_sentence)) =
            next_word(part, &mut pos, &mut sentence_start)
        {
            let token = &part[start..end];
            // A possessive belongs to the name: "NATO's" and "NATO’s" are NATO.
            let token = token
                .strip_suffix("'s")
                .or_else(|| token.strip_suffix("\u{2019}s"))
                .filter(|t| !t.is_empty())
                .unwrap_or(token);
            let end = start + token.len();
            let first = token.chars().next().unwrap_or(' ');
            let from = self.lowers.len();
            let kind = if first.is_ascii_digit() {
                WordKind::Number
            } else {
                if token.is_ascii() {
                    self.lowers.push_str(token);
                    self.lowers[from..].make_ascii_lowercase();
                } else {
                    self.lowers.extend(token.chars().flat_map(char::to_lowercase));
                }
                let capital = first.is_uppercase();
                if !capital && self.lowers.len() - from < 3 {
                    // Neither part of a name nor long enough to be a term: its stem would go
                    // unused, and short words ("of", "in", "a") are among the commonest tokens.
                    self.lowers.truncate(from);
                    WordKind::Short
                } else {
                    self.keys.push(word_key(&self.lowers[from..]));
                    self.keyed.push((from as u32, self.lowers.len() as u32));
                    WordKind::Word { capital, starts_sentence }
                }
            };
            self.words.push(Word { start, end, kind });
        }
        let (lowers, keyed) = (&self.lowers, &self.keyed);
        self.stems.clear();
        memo_stems(
            &self.keys,
            |i| &lowers[keyed[i].0 as usize..keyed[i].1 as usize],
            &mut self.stems,
        );
    }
}

impl Extractor {
    /// Fresh scratch.
    pub fn new() -> Self {
        Extractor::default()
    }

    /// The terms of a headline and text; headline terms count `title_weight` times. Term
    /// texts are filled in only with `keep_text` (document frequencies need only hashes).
    pub fn extract(
        &mut self,
        title: &str,
        text: &str,
        title_weight: f32,
        keep_text: bool,
    ) -> &[RawTerm] {
        self.extract_with_url(title, text, "", title_weight, keep_text)
    }

    /// [`Extractor::extract`] plus the words of the article's URL slug ([`slug_words`]), each
    /// counted once as a content word.
    pub fn extract_with_url(
        &mut self,
        title: &str,
        text: &str,
        url: &str,
        title_weight: f32,
        keep_text: bool,
    ) -> &[RawTerm] {
        self.index.clear();
        self.terms.clear();
        self.keep_text = keep_text;
        for (part, w) in [(title, title_weight), (text, 1.0)] {
            // All of a part's stems are looked up together so that the memo's cache misses
            // overlap (see `memo_stems`); the words are then taken in order as before.
            let mut words = std::mem::take(&mut self.part);
            words.read(part);
            let mut keyed = 0;
            self.span.clear();
            for &Word { start, end, kind } in &words.words {
                match kind {
                    WordKind::Number => {
                        self.flush(part, w);
                        self.add(TermKind::Number, &part[start..end], &part[start..end], w);
                    }
                    WordKind::Short => self.flush(part, w),
                    WordKind::Word { capital, starts_sentence } => {
                        let (a, b) = words.keyed[keyed];
                        let lower = &words.lowers[a as usize..b as usize];
                        let h = words.stems[keyed];
                        keyed += 1;
                        let stop = h & STOP_BIT != 0;
                        if capital && !(starts_sentence && stop) {
                            // A name does not run on over a sentence end: "in June. Analysts
                            // expect" holds no name "June Analysts". Only names shown to people
                            // (`keep_text`) are cut there: event vectors keep such runs, since
                            // cutting them lowered BCubed F1 (gen 1M events 0.9943 -> 0.9939,
                            // threads 0.9753 -> 0.9750, UCI 0.832 -> 0.829) and added 230 MB of
                            // candidate pairs at gen 1M.
                            if self.keep_text
                                && self.span.last().is_some_and(|&(a, e)| {
                                    breaks_name(&part[a..e], &part[e..start], &part[start..end])
                                })
                            {
                                self.flush(part, w);
                            }
                            // A sentence-initial capital is only part of a name when more
                            // capitals follow: flush keeps one-word spans only for acronyms.
                            self.span.push((start, end));
                        } else {
                            self.flush(part, w);
                        }
                        if lower.len() >= 3 && !stop {
                            // Stems match "taper"/"tapering" and plurals; the display keeps
                            // the word.
                            self.add_hashed(h, lower, w);
                        }
                    }
                }
            }
            self.flush(part, w);
            self.part = words;
        }
        for word in slug_words(url) {
            let mut lower = std::mem::take(&mut self.lower);
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            if lower.len() >= 3 && !GENERIC_PATH_WORDS.contains(&lower.as_str()) {
                let stem = stem_or_stop(&lower, word_key(&lower));
                if stem != STOP {
                    self.add_hashed(stem, &lower, SLUG_WEIGHT);
                }
            }
            self.lower = lower;
        }
        &self.terms
    }

    fn add(&mut self, kind: TermKind, key: &str, display: &str, w: f32) {
        self.add_hashed(term_hash(kind, key), display, w);
    }

    fn add_hashed(&mut self, hash: u64, display: &str, w: f32) {
        match self.index.get_or_add(hash, &self.terms) {
            Some(i) => self.terms[i].tf += w,
            None => {
                let text = if self.keep_text { display.to_string() } else { String::new() };
                self.terms.push(RawTerm { hash, tf: w, text });
            }
        }
    }

    /// Ends the capitalised run collected so far, adding it as an entity if it is a name.
    fn flush(&mut self, part: &str, w: f32) {
        let n = self.span.len();
        // Longer capitalised runs are headline-case text (ads, menus), not names.
        let named = n > 1 || (n == 1 && is_acronym(&part[self.span[0].0..self.span[0].1]));
        if named && n <= MAX_NAME_WORDS {
            let span = std::mem::take(&mut self.span);
            let mut name = std::mem::take(&mut self.name);
            lower_join(part, &span, &mut name);
            let display = if self.keep_text { display_join(part, &span) } else { String::new() };
            self.add(TermKind::Entity, &name, &display, w);
            // Titles run into names ("Defence Secretary Lloyd Austin"): the last two words are
            // usually the name itself, which other reports use without the title.
            if n >= 3 {
                let tail = &span[n - 2..];
                lower_join(part, tail, &mut name);
                let display = if self.keep_text { display_join(part, tail) } else { String::new() };
                self.add(TermKind::Entity, &name, &display, w);
            }
            self.name = name;
            self.span = span;
        }
        self.span.clear();
    }
}

/// Whether `gap`, the text between a capitalised word `prev` and the next one `next`, ends a
/// name: a sentence ends there. A period decides as it does for the summariser's sentences, so
/// an initial's or an abbreviation's does not ("U.S. Army", "George W. Bush", "Mt. Gox").
fn breaks_name(prev: &str, gap: &str, next: &str) -> bool {
    match gap.strip_prefix('.') {
        Some(rest) if !rest.contains(['.', '!', '?', ';', '\n']) => {
            crate::summarize::period_ends_sentence(prev, next)
        }
        _ => gap.contains(['.', '!', '?', ';', '\n']),
    }
}

fn lower_join(part: &str, span: &[(usize, usize)], out: &mut String) {
    out.clear();
    for (i, &(a, b)) in span.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let w = &part[a..b];
        if w.is_ascii() {
            let from = out.len();
            out.push_str(w);
            out[from..].make_ascii_lowercase();
        } else {
            out.extend(w.chars().flat_map(char::to_lowercase));
        }
    }
}

fn display_join(part: &str, span: &[(usize, usize)]) -> String {
    let words: Vec<&str> = span.iter().map(|&(a, b)| &part[a..b]).collect();
    words.join(" ")
}

fn is_acronym(s: &str) -> bool {
    let n = s.chars().count();
    (2..=6).contains(&n) && s.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Classes of ASCII bytes for [`next_word`]: a table lookup a byte in place of decoding a
/// `char` and testing its Unicode properties, which was a sixth of event-term extraction's
/// instructions (callgrind, gen 3k).
const ALNUM: u8 = 1;
const DIGIT: u8 = 2;
/// Punctuation after which the next word starts a sentence.
const OPENS: u8 = 4;
static ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c.is_ascii_digit() {
            ALNUM | DIGIT
        } else if c.is_ascii_alphabetic() {
            ALNUM
        } else if matches!(c, b'.' | b'!' | b'?' | b'\n' | b':' | b'"') {
            OPENS
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The next word of `text` at or after byte `*pos`: a run of alphanumerics, with inner `.` or
/// `,` in numbers and inner `'` in words kept. Returns its byte range and whether it starts a
/// sentence. ASCII bytes are classified by table; only other characters are decoded.
fn next_word(
    text: &str,
    pos: &mut usize,
    sentence_start: &mut bool,
) -> Option<(usize, usize, bool)> {
    let b = text.as_bytes();
    let decode = |i: usize| -> char { text[i..].chars().next().unwrap_or(' ') };
    let is_alnum_at = |i: usize| -> bool {
        match b[i] {
            x if x < 0x80 => ASCII_CLASS[usize::from(x)] & ALNUM != 0,
            _ => decode(i).is_alphanumeric(),
        }
    };
    let mut i = *pos;
    let start = loop {
        if i >= b.len() {
            *pos = i;
            return None;
        }
        let x = b[i];
        if x < 0x80 {
            let class = ASCII_CLASS[usize::from(x)];
            if class & ALNUM != 0 {
                break i;
            }
            if class & OPENS != 0 {
                *sentence_start = true;
            }
            i += 1;
        } else {
            let c = decode(i);
            if c.is_alphanumeric() {
                break i;
            }
            if c == '\u{201C}' {
                *sentence_start = true;
            }
            i += c.len_utf8();
        }
    };
    let mut j = start;
    let mut prev_digit = false;
    while j < b.len() {
        let x = b[j];
        let (c, len) = if x < 0x80 {
            let class = ASCII_CLASS[usize::from(x)];
            if class & ALNUM != 0 {
                prev_digit = class & DIGIT != 0;
                j += 1;
                continue;
            }
            (char::from(x), 1)
        } else {
            let c = decode(j);
            if c.is_alphanumeric() {
                prev_digit = false;
                j += c.len_utf8();
                continue;
            }
            (c, c.len_utf8())
        };
        let next_alnum = j + len < b.len() && is_alnum_at(j + len);
        let inner =
            next_alnum && ((prev_digit && (c == '.' || c == ',')) || c == '\'' || c == '\u{2019}');
        if !inner {
            break;
        }
        j += len;
    }
    *pos = j;
    let starts = *sentence_start;
    *sentence_start = false;
    Some((start, j, starts))
}

/// Document frequencies below which [`DocFreq::idf`] reads its log from a table.
const LN_IDF_TABLE: u32 = 4096;

/// Corpus document frequencies of term hashes.
#[derive(Debug, Default, Clone)]
pub struct DocFreq {
    counts: KeyCounts,
    docs: u32,
    /// What [`DocFreq::df`] says of a term not in `counts`: 0, or 1 after
    /// [`DocFreq::without_singletons`].
    absent: u32,
    /// The log part of [`DocFreq::idf`] for small document frequencies, filled once the counts
    /// are final ([`DocFreq::without_singletons`]): most terms are rare, and every term of
    /// every article is weighed, so the same few hundred logs were taken millions of times.
    ln_idf: Vec<f64>,
}

impl DocFreq {
    /// Empty counts.
    pub fn new() -> Self {
        DocFreq { counts: KeyCounts::new(), docs: 0, absent: 0, ln_idf: Vec::new() }
    }

    /// Counts one article's (distinct) terms.
    pub fn add(&mut self, terms: &[RawTerm]) {
        self.add_hashes(terms.iter().map(|t| t.hash));
    }

    /// Counts one article's distinct term hashes.
    pub fn add_hashes(&mut self, hashes: impl IntoIterator<Item = u64>) {
        self.count(hashes, KeyCounts::bump);
    }

    /// [`DocFreq::add_hashes`] for bulk counting: the counts are queued and become readable
    /// after [`DocFreq::merge`] or [`DocFreq::without_singletons`].
    pub(crate) fn queue_hashes(&mut self, hashes: impl IntoIterator<Item = u64>) {
        self.count(hashes, KeyCounts::add);
    }

    fn count(
        &mut self,
        hashes: impl IntoIterator<Item = u64>,
        count: impl Fn(&mut KeyCounts, u64),
    ) {
        self.docs += 1;
        hashes.into_iter().for_each(|h| count(&mut self.counts, h));
    }

    /// Adds another count table to this one.
    pub fn merge(&mut self, other: DocFreq) {
        debug_assert!(self.absent == 0 && other.absent == 0, "merging trimmed counts");
        self.docs += other.docs;
        self.counts.merge(other.counts);
    }

    /// Articles counted.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// Articles containing `hash`.
    pub fn df(&self, hash: u64) -> u32 {
        match self.counts.get(hash) {
            0 => self.absent,
            c => c,
        }
    }

    /// The counts without the terms found in one article only, for lookups of terms that were
    /// all counted: those then read 1, exactly as before. Most distinct terms of a corpus are
    /// such one-offs (names, numbers, typos: 58% of 293,550 on gen 100k), so the table that
    /// every article's terms are looked up in shrinks by half. Counting more into it is an
    /// error.
    pub fn without_singletons(mut self) -> DocFreq {
        self.counts.retain(|c| c > 1);
        self.counts.freeze();
        self.absent = 1;
        let n = f64::from(self.docs.max(1));
        self.ln_idf = (0..LN_IDF_TABLE).map(|df| ln_idf(n, f64::from(df))).collect();
        self
    }

    /// Inverse document frequency, smoothed as scikit-learn's `smooth_idf`:
    /// ln((N + 1) / (df + 1)) + 1, so that a term shared by every article of a tiny corpus
    /// still counts; terms in more than `max_share` of a corpus of some size get zero weight:
    /// they carry no event signal.
    pub fn idf(&self, hash: u64, max_share: f64) -> f64 {
        self.idf_of_count(self.df(hash), max_share)
    }

    /// [`DocFreq::idf`] of a term that [`KeyCounts::get`] counted `count` times.
    fn idf_of_count(&self, count: u32, max_share: f64) -> f64 {
        let count = if count == 0 { self.absent } else { count };
        let n = f64::from(self.docs.max(1));
        let df = f64::from(count);
        if df > max_share * n && df > 5.0 {
            return 0.0;
        }
        let l = self.ln_idf.get(count as usize).copied().unwrap_or_else(|| ln_idf(n, df));
        l + 1.0
    }
}

/// The log part of [`DocFreq::idf`], for `n` articles of which `df` hold the term.
fn ln_idf(n: f64, df: f64) -> f64 {
    ((n + 1.0) / (df + 1.0)).ln()
}

/// Kind of a term, from the top bits of its hash.
pub fn kind_of(hash: u64) -> TermKind {
    match hash >> 62 {
        0 => TermKind::Word,
        1 => TermKind::Entity,
        _ => TermKind::Number,
    }
}

/// Weights `terms` by tf × idf (entities and numbers boosted), keeps the `top` heaviest and
/// normalises to unit length.
pub fn event_vector(terms: &[RawTerm], df: &DocFreq, top: usize, max_share: f64) -> EventVector {
    weigh_terms(terms.iter().map(|t| (t.hash, t.tf)), df, top, max_share)
}

/// [`event_vector`] of (term hash, tf) pairs: what is kept of an article between reading it and
/// knowing the corpus's document frequencies.
pub fn weigh_terms(
    terms: impl Iterator<Item = (u64, f32)>,
    df: &DocFreq,
    top: usize,
    max_share: f64,
) -> EventVector {
    let mut w: Vec<(u64, f32)> = terms.collect();
    // An article's terms are looked up together, their cache misses overlapping: one at a time
    // they were a tenth of a clustering run at gen 100k (perf).
    let hashes: Vec<u64> = w.iter().map(|x| x.0).collect();
    let mut counts = Vec::with_capacity(hashes.len());
    df.counts.get_many(&hashes, &mut counts);
    let mut counts = counts.into_iter();
    w.retain_mut(|(hash, tf)| {
        let count = counts.next().unwrap_or(0);
        let boost = match kind_of(*hash) {
            TermKind::Word => 1.0,
            TermKind::Entity => 1.5,
            TermKind::Number => 0.7,
        };
        // ln 1 = 0 exactly: skipping the log for the commonest tf changes no bit.
        let sublinear = if *tf == 1.0 { 1.0 } else { 1.0 + f64::from(*tf).ln() };
        let x = sublinear * df.idf_of_count(count, max_share) * boost;
        *tf = x as f32;
        x > 0.0
    });
    // The heaviest `top` (ties by hash: a total order, so the set is unique): a selection, not
    // a sort of an article's few hundred terms.
    let heavier = |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if w.len() > top && top > 0 {
        w.select_nth_unstable_by(top - 1, heavier);
    }
    w.truncate(top);
    w.sort_unstable_by_key(|x| x.0);
    let norm = w.iter().map(|x| f64::from(x.1).powi(2)).sum::<f64>().sqrt();
    if norm == 0.0 {
        return EventVector::default();
    }
    EventVector {
        terms: w.iter().map(|x| x.0).collect(),
        weights: w.iter().map(|x| (f64::from(x.1) / norm) as f32).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stem_memo_answers_what_it_was_told_through_collisions_and_restarts() {
        let mut memo = StemCache { hot: Vec::new(), all: FlatTable::with_slots(STEM_TABLE_MIN) };
        let value = |k: u64| k.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        // Keys that differ only above bit 20.
        let clashing: Vec<u64> = (1..200u64).map(|k| k << 20).collect();
        let spread: Vec<u64> = (1..=STEM_CACHE as u64 + 500).map(mix64).collect();
        let mut made = 0;
        for &k in clashing.iter().chain(&spread) {
            assert_eq!(
                memo.get_or(k, || {
                    made += 1;
                    value(k)
                }),
                value(k)
            );
        }
        assert_eq!(made, clashing.len() + spread.len(), "every key is new once");
        assert!(memo.all.len() <= STEM_CACHE, "the table starts afresh when full");
        // Asked again, the most recent keys are remembered and the rest made anew, correctly.
        made = 0;
        for &k in spread.iter().rev().take(400) {
            assert_eq!(
                memo.get_or(k, || {
                    made += 1;
                    value(k)
                }),
                value(k)
            );
        }
        assert_eq!(made, 0, "recent keys are answered from the memo");
        for &k in &clashing {
            assert_eq!(memo.get_or(k, || value(k)), value(k));
        }
    }

    proptest::proptest! {
        /// Stems are looked up a part at a time, apart from the words they belong to: each
        /// word term must still carry its own word's stem, and count as often as it occurs,
        /// however numbers, short words and names fall between words and batches.
        #[test]
        fn batched_stems_stay_with_their_words(
            words in proptest::collection::vec(
                "[a-z]{1,9}|[A-Z][a-z]{0,6}|[0-9]{1,4}|the|and|Über|straße|[.,]", 0..60),
        ) {
            let text = words.join(" ");
            let mut ex = Extractor::new();
            let terms = ex.extract("", &text, 1.0, true).to_vec();
            // Stemmed afresh, not through the memo, which a mix-up would fill consistently.
            let stem = |lower: &str| term_hash(TermKind::Word, &stemmer().stem(lower)).max(1);
            let mut expected: ahash::AHashMap<u64, f32> = ahash::AHashMap::new();
            for word in &words {
                let lower = word.to_lowercase();
                if word.chars().next().is_some_and(char::is_alphabetic)
                    && lower.len() >= 3
                    && !is_stop_key(word_key(&lower))
                {
                    *expected.entry(stem(&lower)).or_default() += 1.0;
                }
            }
            let mut found: ahash::AHashMap<u64, f32> = ahash::AHashMap::new();
            for t in terms.iter().filter(|t| t.kind() == TermKind::Word) {
                proptest::prop_assert_eq!(t.hash, stem(&t.text), "{}", t.text);
                found.insert(t.hash, t.tf);
            }
            proptest::prop_assert_eq!(found, expected);
        }
    }

    fn extract(title: &str, text: &str, title_weight: f32, out: &mut Vec<RawTerm>) {
        out.clear();
        out.extend_from_slice(Extractor::new().extract(title, text, title_weight, true));
    }

    fn texts(title: &str, text: &str, kind: TermKind) -> Vec<String> {
        let mut out = Vec::new();
        extract(title, text, 2.0, &mut out);
        let mut v: Vec<String> =
            out.into_iter().filter(|t| t.kind() == kind).map(|t| t.text).collect();
        v.sort();
        v
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "keep STOP_WORDS sorted");
    }

    #[test]
    fn term_index_finds_each_term_past_growth_and_after_clearing() {
        let term = |hash| RawTerm { hash, tf: 1.0, text: String::new() };
        let mut index = TermIndex::default();
        let mut terms: Vec<RawTerm> = Vec::new();
        // Past the size at which clearing drops the table; 0 is the table's empty key.
        let hashes: Vec<u64> = (0..4 * TERM_INDEX_SLOTS as u64).map(|k| k * 7919).collect();
        for &h in &hashes {
            assert_eq!(index.get_or_add(h, &terms), None, "{h} is new");
            terms.push(term(h));
        }
        assert!(index.table.slots() > TERM_INDEX_SLOTS);
        for (k, &h) in hashes.iter().enumerate() {
            assert_eq!(index.get_or_add(h, &terms), Some(k), "{h}");
        }
        index.clear();
        assert_eq!(index.table.slots(), TERM_INDEX_SLOTS, "a grown table is dropped");
        assert_eq!(index.get_or_add(7919, &[]), None, "forgotten");
    }

    #[test]
    fn names_end_with_their_sentence_but_run_over_abbreviations() {
        let t = "Prices rose in June. Analysts expect more. Gen. Mark Milley met Jean-Claude \
                 Juncker in Paris! Officials said the Mt. Gox collapse was over.";
        let ents = texts("", t, TermKind::Entity);
        for bogus in ["June Analysts", "Juncker Paris", "Paris Officials"] {
            assert!(!ents.iter().any(|e| e.contains(bogus)), "{bogus} in {ents:?}");
        }
        for name in ["Mark Milley", "Jean Claude Juncker", "Mt Gox"] {
            assert!(ents.iter().any(|e| e.contains(name)), "{name} missing from {ents:?}");
        }
    }

    #[test]
    fn finds_names_acronyms_and_numbers() {
        let t = "NATO Secretary-General Jens Stoltenberg said 26 people died. Russia denied it, \
                 and the Black Sea fleet fired $27.4 billion worth.";
        let ents = texts("", t, TermKind::Entity);
        assert!(ents.contains(&"Jens Stoltenberg".to_string()), "{ents:?}");
        assert!(ents.iter().any(|e| e.starts_with("NATO")), "{ents:?}");
        assert!(ents.contains(&"Black Sea".to_string()), "{ents:?}");
        assert!(
            !ents.iter().any(|e| e.to_lowercase() == "russia"),
            "one capital word is no span: {ents:?}"
        );
        let e = texts("", "Officials said NATO’s ministers met. A Certificate Course In International Relations Six Week Online.", TermKind::Entity);
        assert_eq!(e, ["NATO"], "possessive stripped, title-case ad text skipped");
        let nums = texts("", t, TermKind::Number);
        assert_eq!(nums, ["26", "27.4"]);
        let words = texts("", t, TermKind::Word);
        assert!(words.contains(&"fleet".to_string()) && !words.contains(&"the".to_string()));
    }

    #[test]
    fn slug_words_skip_hosts_sections_dates_and_ids() {
        let words = |u| slug_words(u).collect::<Vec<_>>();
        assert_eq!(
            words("http://www.latimes.com/business/money/la-fi-mo-fed-plosser-20140310,0,1312750.story\\?track=rss"),
            ["la", "fi", "mo", "fed", "plosser", "story"],
            "one-word sections, the date and the id are not slug words"
        );
        assert_eq!(
            words(
                "http://www.livemint.com/Politics/H2EvwJSK2VE6OF7iK1g3PP/Feds-Charles-Plosser.html"
            ),
            ["Feds", "Charles", "Plosser", "html"]
        );
        assert_eq!(words("https://example-news-site.com/2014/03/10/6252067/"), [] as [&str; 0]);
        assert_eq!(words("https://x.org/a/b?q=one-two-three#four-five-six"), [] as [&str; 0]);
        assert_eq!(words("not a url"), [] as [&str; 0]);
    }

    #[test]
    fn slug_words_join_the_headline_words() {
        let mut ex = Extractor::new();
        let url = "http://www.latimes.com/business/la-fi-mo-federal-reserve-plosser-stimulus-20140310.story";
        let with: Vec<RawTerm> =
            ex.extract_with_url("Fed official says weak data", "", url, 3.0, true).to_vec();
        let without: Vec<RawTerm> =
            ex.extract("Fed official says weak data", "", 3.0, true).to_vec();
        let words = |v: &[RawTerm]| {
            let mut w: Vec<String> =
                v.iter().filter(|t| t.kind() == TermKind::Word).map(|t| t.text.clone()).collect();
            w.sort();
            w
        };
        assert_eq!(words(&without), ["data", "fed", "official", "weak"]);
        assert_eq!(
            words(&with),
            ["data", "fed", "federal", "official", "plosser", "reserve", "stimulus", "weak"],
            "generic and short path words are dropped: {with:?}"
        );
        // A slug word is the same term as the word in another article's headline.
        let plosser = with.iter().find(|t| t.text == "plosser").unwrap();
        assert_eq!(plosser.tf, SLUG_WEIGHT);
        let other = ex.extract("Plosser sees stimulus ending", "", 3.0, true);
        assert!(other.iter().any(|t| t.hash == plosser.hash && t.kind() == TermKind::Word));
    }

    #[test]
    fn counts_without_singletons_answer_alike_for_counted_terms() {
        let mut df = DocFreq::new();
        df.add_hashes([1, 2, 3]);
        df.add_hashes([2, 3]);
        df.add_hashes([3, 4]);
        let full = df.clone();
        let trimmed = df.without_singletons();
        assert!(trimmed.counts.len() < full.counts.len());
        for h in [1, 2, 3, 4] {
            assert_eq!(trimmed.df(h), full.df(h), "term {h}");
            assert_eq!(trimmed.idf(h, 0.9), full.idf(h, 0.9));
        }
        assert_eq!(trimmed.docs(), 3);
    }

    #[test]
    fn headline_terms_weigh_more_and_common_terms_nothing() {
        let mut a = Vec::new();
        extract("Missile strikes", "missile strikes hit the city", 2.0, &mut a);
        let missile = a.iter().find(|t| t.text == "missile").unwrap();
        assert_eq!(missile.tf, 3.0);
        let mut df = DocFreq::new();
        for _ in 0..10 {
            df.add(&a);
        }
        for _ in 0..10 {
            df.add(&[]);
        }
        let mut b = Vec::new();
        extract("", "a quiet day in parliament", 1.0, &mut b);
        df.add(&b);
        let v = event_vector(&a, &df, 10, 0.4);
        assert!(v.is_empty(), "terms in every article carry no event signal");
        let v = event_vector(&b, &df, 10, 0.5);
        assert!(!v.is_empty());
        assert!((v.cosine(&v) - 1.0).abs() < 1e-6);
    }
}
