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

/// Sentences a copy has that its representative lacks, and the reverse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyDiff {
    /// The copy's id.
    pub id: String,
    /// Sentences only in the copy.
    pub added: Vec<String>,
    /// Sentences only in the representative.
    pub removed: Vec<String>,
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
