//! Per-cluster summaries (interim: lead sentences of the first representative).
use ahash::AHashMap;

use crate::story::GroupDiff;

/// One member article of a cluster, as the summariser sees it.
pub struct MemberText<'a> {
    /// Id.
    pub id: &'a str,
    /// Headline.
    pub title: &'a str,
    /// Text.
    pub text: &'a str,
    /// Outlet.
    pub source: &'a str,
    /// Day.
    pub published: Option<i32>,
    /// Near-duplicate group.
    pub group: u32,
    /// True for the group's representative.
    pub is_group_representative: bool,
}

/// Corpus document frequencies of lower-cased words.
#[derive(Debug, Default, Clone)]
pub struct TermStats {
    df: AHashMap<String, u32>,
    n: u32,
}

impl TermStats {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }
    /// Counts a document.
    pub fn add_document(&mut self, _text: &str) {
        self.n += 1;
    }
    /// Merges counts.
    pub fn merge(&mut self, other: TermStats) {
        self.n += other.n;
        for (k, v) in other.df {
            *self.df.entry(k).or_insert(0) += v;
        }
    }
    /// Document frequency.
    pub fn df(&self, term: &str) -> u32 {
        self.df.get(term).copied().unwrap_or(0)
    }
    /// Documents counted.
    pub fn n_docs(&self) -> u32 {
        self.n
    }
}

/// Summary sizes.
#[derive(Debug, Clone)]
pub struct SummaryParams {
    /// Words.
    pub summary_words: usize,
    /// Sentences.
    pub max_sentences: usize,
    /// Keywords.
    pub keywords: usize,
    /// Entities.
    pub entities: usize,
}

impl Default for SummaryParams {
    fn default() -> Self {
        SummaryParams { summary_words: 60, max_sentences: 3, keywords: 10, entities: 10 }
    }
}

/// A cluster's summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Headline.
    pub headline: String,
    /// Summary text.
    pub summary: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Entities.
    pub entities: Vec<String>,
    /// Per member centrality.
    pub centrality: Vec<f64>,
    /// Diffs.
    pub group_diffs: Vec<GroupDiff>,
}

/// Splits text into sentences.
pub fn split_sentences(text: &str) -> Vec<&str> {
    text.split_inclusive(['.', '!', '?', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// Summarises a cluster.
pub fn summarize(members: &[MemberText], _stats: &TermStats, params: &SummaryParams) -> Summary {
    let Some(first) = members.iter().min_by_key(|m| (m.published, m.id)) else {
        return Summary::default();
    };
    let mut summary = String::new();
    for s in split_sentences(first.text).into_iter().filter(|s| s.split_whitespace().count() > 5) {
        if summary.split_whitespace().count() >= params.summary_words {
            break;
        }
        if !summary.is_empty() {
            summary.push(' ');
        }
        summary.push_str(s);
    }
    let headline = if first.title.is_empty() {
        split_sentences(first.text).first().map(|s| s.to_string()).unwrap_or_default()
    } else {
        first.title.to_string()
    };
    Summary { headline, summary, centrality: vec![0.0; members.len()], ..Default::default() }
}
