//! The data model of story clusters as they are written out: one [`ClusterSummary`] per event
//! cluster and one [`ThreadSummary`] per story thread. The clustering (`cluster::story`) fills
//! the membership; `summarize` fills the text fields; `write` renders them as JSON Lines,
//! Markdown or HTML.

use serde::Serialize;

/// One member article of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberSummary {
    /// Article id.
    pub id: String,
    /// Its near-duplicate group (numbering of `dedup`).
    pub group: u32,
    /// Similarity to the cluster as a whole (0..1, 4 decimals).
    pub similarity: f64,
    /// Headline.
    pub title: String,
    /// Outlet.
    pub source: String,
    /// Publication day, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Link.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// What differs between the copies of one near-duplicate group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDiff {
    /// The group.
    pub group: u32,
    /// The group's representative.
    pub representative: String,
    /// One entry per other copy.
    pub copies: Vec<CopyDiff>,
}

/// What one copy changed against its representative: sentences edited word by word, and
/// sentences only one of them has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyDiff {
    /// The copy's id.
    pub id: String,
    /// The representative's sentences that the copy has with a few words changed.
    pub changed: Vec<Change>,
    /// Sentences only in the copy.
    pub added: Vec<String>,
    /// Sentences only in the representative.
    pub removed: Vec<String>,
}

impl CopyDiff {
    /// Whether the copy says what its representative says, sentence for sentence.
    pub fn is_unchanged(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

/// One of the representative's sentences as a copy edited it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The representative's sentence, whitespace folded to single spaces.
    pub sentence: String,
    /// The copy's edits, in sentence order: applying them gives the copy's sentence.
    pub edits: Vec<Edit>,
}

/// The words of a space-separated text, as an [`Edit`]'s `at` counts them.
pub(crate) fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(' ').filter(|w| !w.is_empty())
}

/// A run of words replaced, dropped or inserted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edit {
    /// Index of the first word concerned among the sentence's space-separated words (the
    /// sentence's word count for words added at its end).
    pub at: usize,
    /// The representative's words at `at` that the copy lacks (may be empty).
    pub removed: String,
    /// The copy's words in their place (may be empty).
    pub added: String,
}

/// A piece of a [`Change`] for display: words both versions share, or an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Words in both versions.
    Same(&'a str),
    /// Words the copy replaced, dropped or inserted.
    Edited {
        /// The representative's words.
        removed: &'a str,
        /// The copy's words.
        added: &'a str,
    },
}

impl Change {
    /// The sentence cut into shared runs and edits, in order, for writers to mark up.
    pub fn segments(&self) -> Vec<Segment<'_>> {
        // Byte offset of each word's start, plus the sentence's end.
        let mut starts: Vec<usize> = Vec::new();
        let mut prev_space = true;
        for (i, c) in self.sentence.char_indices() {
            if c == ' ' {
                prev_space = true;
            } else if prev_space {
                starts.push(i);
                prev_space = false;
            }
        }
        let n = starts.len();
        let offset = |w: usize| if w < n { starts[w] } else { self.sentence.len() };
        let mut out = Vec::new();
        let mut word = 0;
        for e in &self.edits {
            let at = e.at.min(n);
            if at > word {
                out.push(Segment::Same(self.sentence[offset(word)..offset(at)].trim_end()));
            }
            out.push(Segment::Edited { removed: &e.removed, added: &e.added });
            word = (at + words(&e.removed).count()).min(n).max(at);
        }
        if word < n {
            out.push(Segment::Same(&self.sentence[offset(word)..]));
        }
        out
    }
}

/// Articles per day, for timelines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Articles published that day.
    pub articles: usize,
}

/// One event cluster, ready to write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSummary {
    /// Cluster number (0 = largest).
    pub cluster: u32,
    /// Number of articles.
    pub size: usize,
    /// Title of the most representative article (or its first sentence).
    pub headline: String,
    /// 2–3 extracted sentences, about 60 words.
    pub summary: String,
    /// Up to 10 terms that distinguish the cluster from the corpus.
    pub keywords: Vec<String>,
    /// Up to 10 named entities (multi-word capitalised names, numbers).
    pub entities: Vec<String>,
    /// The story thread this event belongs to.
    pub thread: u32,
    /// Distinct texts: near-duplicate groups among the members.
    pub distinct_texts: usize,
    /// Distinct outlets.
    pub outlets: usize,
    /// First publication day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_date: Option<String>,
    /// Last publication day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_date: Option<String>,
    /// Articles per day, oldest first.
    pub per_day: Vec<DayCount>,
    /// The outlet of the earliest article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_outlet: Option<String>,
    /// Mean similarity of the members to the cluster (0..1).
    pub cohesion: f64,
    /// True when the cluster looks like two events glued together.
    pub mixed: bool,
    /// Members, most central first.
    pub members: Vec<MemberSummary>,
    /// For each near-duplicate group with copies, what differs between them.
    pub group_diffs: Vec<GroupDiff>,
}

/// A story thread: events that continue one another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreadSummary {
    /// Thread number.
    pub thread: u32,
    /// Its event clusters, oldest first.
    pub clusters: Vec<u32>,
    /// Articles over all its clusters.
    pub size: usize,
    /// Headline of its largest cluster.
    pub headline: String,
    /// Entities shared by its clusters.
    pub entities: Vec<String>,
    /// First day of its first cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_date: Option<String>,
    /// Last day of its last cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_date: Option<String>,
}

/// Facts about the whole run, for report headers.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ReportMeta {
    /// Input names.
    pub inputs: Vec<String>,
    /// Articles clustered.
    pub articles: usize,
    /// Articles rejected.
    pub rejected: usize,
    /// Event clusters.
    pub clusters: usize,
    /// Story threads with more than one event.
    pub threads: usize,
    /// samestory version.
    pub version: String,
}
