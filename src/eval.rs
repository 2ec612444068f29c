//! Clustering quality against labels: reads a predicted clustering and a ground truth (TSV
//! `id<TAB>cluster` or samestory's JSON Lines output) and scores one against the other.
//!
//! Input: two [`Labels`]. The prediction must be a partition (each id in one cluster; a
//! rejected repeat of a clustered id, as a `--skip-invalid` run writes for a duplicate id, is
//! skipped and counted); the truth may overlap (an id listed under several clusters). Output:
//! a [`Report`] (serde-serialisable, rendered as text by [`Report::render_text`]).
//!
//! Metrics, all computed on the articles labelled on both sides (the intersection; the ids on
//! one side only, and the prediction's rejected ids, are counted and listed, not scored):
//!
//! - Pairwise precision, recall and F1 over pairs of articles put in the same cluster. Counts come
//!   from contingency tables (sums of C(n, 2)), never from enumerating pairs. With overlapping
//!   truth a pair is a true pair when its articles share at least one truth cluster.
//! - BCubed precision, recall and F1: Bagga and Baldwin, "Algorithms for scoring coreference
//!   chains", LREC 1998. With overlapping truth, extended BCubed: Amigó, Gonzalo, Artiles and
//!   Verdejo, "A comparison of extrinsic clustering evaluation metrics based on formal
//!   constraints", Information Retrieval 12(4), 2009.
//! - Adjusted Rand index: Hubert and Arabie, "Comparing partitions", Journal of Classification
//!   2(1), 1985; in the pair-counting form scikit-learn uses.
//! - Normalised mutual information, normalised by the arithmetic mean of the two entropies
//!   (scikit-learn's default; Strehl and Ghosh 2002 use the geometric mean, Vinh et al. 2010
//!   compare the variants). ARI and NMI need two partitions: with overlapping truth each
//!   article counts under its first truth cluster (in input order).
//! - The worst merges (predicted clusters mixing the most truth clusters) and worst splits (truth
//!   clusters spread over the most predicted clusters).
//!
//! Conventions where a ratio is 0/0: a side with no pairs makes no pair mistakes, so pairwise
//! precision is 1 when the prediction has no pairs and recall is 1 when the truth has none;
//! F1 is 0 when precision and recall are both 0; ARI and NMI are 1 for identical partitions,
//! including the all-singletons and one-cluster cases (as scikit-learn). With nothing to score
//! every metric is 0. No metric is ever NaN.
//!
//! Cost: O(n log n) for n articles (sorting contingency cells). With overlapping truth the
//! pairwise and BCubed sums group articles by their set of truth clusters and compare sets that
//! share a cluster, so the cost grows with the number of distinct overlapping sets, not with
//! the number of pairs.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::read::source::{display_name, open_input};
use crate::tsv;

/// Fixed seeds: maps here only index, but a fixed hasher keeps runs reproducible byte for byte.
type Map<K, V> = HashMap<K, V, ahash::RandomState>;

fn new_map<K, V>() -> Map<K, V> {
    HashMap::with_hasher(ahash::RandomState::with_seeds(
        0x5a4e_5354_4f52_5931,
        0x6576_616c_7561_7465,
        0x636c_7573_7465_7273,
        0x6c61_6265_6c73_2121,
    ))
}

/// Cluster index of an id that is present but has no cluster (rejected, or an empty TSV field).
const NO_CLUSTER: u32 = u32::MAX;
/// How many ids of each "only on one side" list a report keeps.
const IDS_LISTED: usize = 5;
/// How many parts (clusters on the other side) a worst merge or split shows.
const PARTS_SHOWN: usize = 3;
/// How many member ids each part shows.
const IDS_PER_PART: usize = 3;

/// How a label file is checked while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Predicted clusters: must be a partition, so an id in two clusters is an error.
    Prediction,
    /// Ground truth: an id may belong to several clusters (overlapping truth).
    Truth,
}

/// The form a label file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelFormat {
    /// `id<TAB>cluster[<TAB>...]`, optional `id` header.
    Tsv,
    /// samestory's JSON Lines output (`group`, `cluster` and `rejected` records).
    Jsonl,
}

/// Cluster labels of a set of article ids, read from a prediction or a ground truth.
///
/// Ids keep their first-appearance order, which is the order examples are listed in reports.
#[derive(Debug, Clone)]
pub struct Labels {
    name: String,
    format: LabelFormat,
    detail: String,
    role: Role,
    ids: Vec<Arc<str>>,
    index: Map<Arc<str>, u32>,
    keys: Vec<Arc<str>>,
    key_index: Map<Arc<str>, u32>,
    /// First cluster of each id, [`NO_CLUSTER`] when it has none.
    first: Vec<u32>,
    /// Line each id got its first cluster on (or was first seen on), for conflict messages.
    line: Vec<u64>,
    /// Later clusters of ids with overlapping truth labels, as (id, cluster) in input order.
    extra: Vec<(u32, u32)>,
    /// `rejected` records skipped because their id is a clustered member.
    rejected_duplicates: u64,
}

impl Labels {
    /// Reads labels from `path` (`-` for stdin; gzip and zstd are detected).
    ///
    /// The form is detected from the first non-blank byte: `{` means samestory's JSON Lines,
    /// anything else TSV. For TSV, `column` (1-based, at least 2) is the column holding the
    /// cluster; JSON Lines takes its clusters from `cluster` records, or from `group` records
    /// when there are none, and `column` must then be 2 (the default). An empty TSV cluster
    /// field or a `rejected` record leaves the id present but without a cluster, unless the
    /// rejected id is also a member (see [`Labels::rejected_duplicates`]). TSV ids are
    /// unescaped by [`tsv::unescape`].
    pub fn read(path: &Path, column: usize, role: Role) -> Result<Labels> {
        let reader = open_input(path)?;
        Labels::from_reader(reader, &display_name(path), column, role)
    }

    /// Reads labels from `reader`; `name` is the file name used in messages.
    pub fn from_reader(
        mut reader: impl BufRead,
        name: &str,
        column: usize,
        role: Role,
    ) -> Result<Labels> {
        if column < 2 {
            return Err(Error::param(
                "column",
                format!(
                    "{column} is not a cluster column: column 1 holds the id, so use 2 or more"
                ),
            ));
        }
        let mut labels = Labels::empty(name, role);
        let mut pending: Vec<Pending> = Vec::new();
        let mut format = None;
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        // Until a file's first non-blank line, where its TSV header may be.
        let mut file_start = true;
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(|e| Error::io(name, e))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let text = std::str::from_utf8(&buf).map_err(|e| {
                Error::parse(name, line_no, "record", format!("not valid UTF-8: {e}"))
            })?;
            let mut text = text.trim_end_matches(['\n', '\r']);
            // Spreadsheets save TSV with a byte-order mark, and `cat a.tsv b.tsv` leaves b's
            // at the start of a line mid-stream; kept, it ends up in an id or breaks a JSON
            // record. A mark opens a file, so b's header after it is a header too.
            if let Some(rest) = text.strip_prefix('\u{feff}') {
                text = rest;
                file_start = true;
            }
            if text.trim().is_empty() {
                continue;
            }
            let fmt = *format.get_or_insert(if text.trim_start().starts_with('{') {
                LabelFormat::Jsonl
            } else {
                LabelFormat::Tsv
            });
            let header = std::mem::replace(&mut file_start, false)
                && fmt == LabelFormat::Tsv
                && text.split('\t').next().map(str::trim) == Some("id");
            if header {
                continue;
            }
            match fmt {
                LabelFormat::Tsv => labels.tsv_line(text, line_no, column)?,
                LabelFormat::Jsonl => parse_json_line(name, text, line_no, &mut pending)?,
            }
        }
        labels.format = format.unwrap_or(LabelFormat::Tsv);
        match labels.format {
            LabelFormat::Tsv => labels.detail = format!("TSV, column {column}"),
            LabelFormat::Jsonl => {
                if column != 2 {
                    return Err(Error::param(
                        "column",
                        format!("{name} is JSON Lines; a cluster column applies to TSV input only"),
                    ));
                }
                labels.apply_json(pending)?;
            }
        }
        Ok(labels)
    }

    /// Builds labels from `(id, cluster)` pairs, as if read from TSV lines 1, 2, ... of a file
    /// called `name`; an empty cluster leaves the id without one.
    pub fn from_pairs<'a>(
        name: &str,
        role: Role,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Labels> {
        let mut labels = Labels::empty(name, role);
        labels.detail = "pairs".into();
        for (i, (id, cluster)) in pairs.into_iter().enumerate() {
            let line = i as u64 + 1;
            if id.is_empty() {
                return Err(Error::parse(name, line, "id", "empty id"));
            }
            let key = (!cluster.is_empty()).then_some(cluster);
            labels.insert(id, key, line).map_err(|r| Error::parse(name, line, "id", r))?;
        }
        Ok(labels)
    }

    fn empty(name: &str, role: Role) -> Labels {
        Labels {
            name: name.to_string(),
            format: LabelFormat::Tsv,
            detail: String::new(),
            role,
            ids: Vec::new(),
            index: new_map(),
            keys: Vec::new(),
            key_index: new_map(),
            first: Vec::new(),
            line: Vec::new(),
            extra: Vec::new(),
            rejected_duplicates: 0,
        }
    }

    fn tsv_line(&mut self, text: &str, line: u64, column: usize) -> Result<()> {
        let mut fields = text.split('\t');
        let id = fields.next().unwrap_or("").trim();
        if id.is_empty() {
            return Err(Error::parse(&self.name, line, "id", "empty id (column 1)"));
        }
        let Some(cluster) = fields.nth(column - 2) else {
            let have = text.split('\t').count();
            return Err(Error::parse(
                &self.name,
                line,
                format!("column {column}"),
                format!(
                    "missing: the line has {have} column{}, expected id<TAB>cluster with the \
                     cluster in column {column}",
                    if have == 1 { "" } else { "s" }
                ),
            ));
        };
        let cluster = cluster.trim();
        let key = (!cluster.is_empty()).then_some(cluster);
        // Unescaped only now: the fields were split on real tabs, which escaped ids never hold.
        let id =
            tsv::unescape(id).map_err(|e| Error::parse(&self.name, line, "id", e.to_string()))?;
        self.insert(&id, key, line).map_err(|r| Error::parse(&self.name, line, "id", r))
    }

    fn apply_json(&mut self, pending: Vec<Pending>) -> Result<()> {
        // samestory's cluster output can carry both levels; the story clusters are what a
        // cluster file is about, so group records only count when there are no cluster records.
        let use_clusters = pending.iter().any(|p| p.kind == Kind::Cluster);
        self.detail = if use_clusters {
            "JSON Lines, cluster records".into()
        } else {
            "JSON Lines, group records".into()
        };
        let (rejected, members): (Vec<Pending>, Vec<Pending>) =
            pending.into_iter().partition(|p| p.kind == Kind::Rejected);
        for p in members {
            if p.kind == Kind::Group && use_clusters {
                continue;
            }
            self.insert(&p.id, p.key.as_deref(), p.line).map_err(|r| {
                Error::parse(&self.name, p.line, format!("members[{}].id", p.member), r)
            })?;
        }
        for p in rejected {
            // A run keeps the first record with an id and rejects later copies
            // (`--skip-invalid`), so a rejected id that is also a member is that kept article,
            // not a second assignment: it is scored once, under its cluster.
            if self.index.get(p.id.as_str()).is_some_and(|&i| self.first[i as usize] != NO_CLUSTER)
            {
                self.rejected_duplicates += 1;
                continue;
            }
            self.insert(&p.id, None, p.line)
                .map_err(|r| Error::parse(&self.name, p.line, "id", r))?;
        }
        Ok(())
    }

    /// Records `id` under `key` (or as present without a cluster). Returns the reason when this
    /// breaks a prediction's partition.
    fn insert(
        &mut self,
        id: &str,
        key: Option<&str>,
        line: u64,
    ) -> std::result::Result<(), String> {
        let k = key.map(|k| self.key_id(k));
        let Some(&i) = self.index.get(id) else {
            let arc: Arc<str> = Arc::from(id);
            let i = u32::try_from(self.ids.len()).map_err(|_| "more than 2^32 ids".to_string())?;
            self.index.insert(arc.clone(), i);
            self.ids.push(arc);
            self.first.push(k.unwrap_or(NO_CLUSTER));
            self.line.push(line);
            return Ok(());
        };
        let iu = i as usize;
        let prev = self.first[iu];
        let prev_line = self.line[iu];
        match (prev, k) {
            (_, None) if prev == NO_CLUSTER => Ok(()),
            (_, None) => match self.role {
                Role::Truth => Ok(()),
                Role::Prediction => Err(format!(
                    "id {id:?} is in cluster {:?} (line {prev_line}) and also has no cluster \
                     here (empty cluster field); a prediction must be a partition",
                    &*self.keys[prev as usize]
                )),
            },
            (NO_CLUSTER, Some(k)) => match self.role {
                Role::Truth => {
                    self.first[iu] = k;
                    self.line[iu] = line;
                    Ok(())
                }
                Role::Prediction => Err(format!(
                    "id {id:?} has no cluster at line {prev_line} (empty cluster field) and \
                     is also in cluster {:?}; a prediction must be a partition",
                    &*self.keys[k as usize]
                )),
            },
            (p, Some(k)) if p == k => Ok(()),
            (p, Some(k)) => match self.role {
                Role::Truth => {
                    self.extra.push((i, k));
                    Ok(())
                }
                Role::Prediction => Err(format!(
                    "id {id:?} is already in cluster {:?} (line {prev_line}), here in {:?}; a \
                     prediction must put each id in one cluster",
                    &*self.keys[p as usize], &*self.keys[k as usize]
                )),
            },
        }
    }

    fn key_id(&mut self, key: &str) -> u32 {
        if let Some(&k) = self.key_index.get(key) {
            return k;
        }
        let arc: Arc<str> = Arc::from(key);
        // Cluster keys never outnumber ids, which are already limited to u32.
        let k = self.keys.len() as u32;
        self.key_index.insert(arc.clone(), k);
        self.keys.push(arc);
        k
    }

    /// The file name the labels were read from (`-` for stdin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The form the labels were read in.
    pub fn format(&self) -> LabelFormat {
        self.format
    }

    /// Where the clusters came from, in words (`TSV, column 2`, `JSON Lines, cluster records`).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Number of ids with at least one cluster.
    pub fn len(&self) -> usize {
        self.first.iter().filter(|&&c| c != NO_CLUSTER).count()
    }

    /// True when no id has a cluster.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ids present without a cluster (rejected records, empty TSV cluster fields), in input order.
    pub fn unlabelled(&self) -> impl Iterator<Item = &str> + '_ {
        self.ids.iter().zip(&self.first).filter(|(_, &c)| c == NO_CLUSTER).map(|(id, _)| &**id)
    }

    /// `rejected` records skipped because their id is also a clustered member: the copies of a
    /// duplicate id that a run rejected after keeping the first.
    pub fn rejected_duplicates(&self) -> u64 {
        self.rejected_duplicates
    }

    /// Number of distinct cluster keys.
    pub fn num_clusters(&self) -> usize {
        self.keys.len()
    }

    /// True when some id is in more than one cluster (only possible for [`Role::Truth`]).
    pub fn is_overlapping(&self) -> bool {
        !self.extra.is_empty()
    }

    /// Clusters of `id` in input order; empty when the id is absent or has no cluster.
    pub fn clusters_of(&self, id: &str) -> Vec<&str> {
        let Some(&i) = self.index.get(id) else { return Vec::new() };
        let mut out = Vec::new();
        let first = self.first[i as usize];
        if first != NO_CLUSTER {
            out.push(&*self.keys[first as usize]);
        }
        for &(j, k) in &self.extra {
            let key = &*self.keys[k as usize];
            if j == i && !out.contains(&key) {
                out.push(key);
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Group,
    Cluster,
    Rejected,
}

/// A JSON Lines membership, held until the whole file shows whether it has cluster records.
struct Pending {
    kind: Kind,
    id: String,
    key: Option<Arc<str>>,
    line: u64,
    member: usize,
}

/// A record's ids as written. A [`Value`] holds a number as a machine number, which spells
/// `1e3` as 1000 and rounds `123456789012345678901234567890`, where samestory's reader keeps an
/// id exactly as its input spells it (README, Input) and writes it so: a numeric id in another
/// program's JSON is matched by its text too.
#[derive(serde::Deserialize)]
struct RawIds<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    members: Option<Vec<&'a RawValue>>,
}

#[derive(serde::Deserialize)]
struct RawMember<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

impl<'a> RawIds<'a> {
    /// Parsed only when a numeric id needs its text: most ids are strings. A record this
    /// cannot read (a repeated key) keeps [`scalar_text`]'s reading.
    fn of(text: &'a str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    fn member(&self, i: usize) -> Option<&'a RawValue> {
        let raw = *self.members.as_ref()?.get(i)?;
        match raw.get().trim_start().as_bytes().first() {
            Some(b'{') => serde_json::from_str::<RawMember>(raw.get()).ok()?.id,
            _ => Some(raw),
        }
    }
}

/// An id as text: [`scalar_text`], but a number as written when `raw` finds its text (asked
/// only for a number).
fn id_text<'a>(
    v: &Value,
    raw: impl FnOnce() -> Option<&'a RawValue>,
) -> std::result::Result<String, String> {
    match v {
        Value::Number(_) => match raw() {
            Some(raw) => Ok(raw.get().trim().to_string()),
            None => scalar_text(v),
        },
        _ => scalar_text(v),
    }
}

fn parse_json_line(name: &str, text: &str, line: u64, out: &mut Vec<Pending>) -> Result<()> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::parse(name, line, "record", format!("invalid JSON: {e}")))?;
    let raw_ids = std::cell::OnceCell::new();
    let raw_ids = || raw_ids.get_or_init(|| RawIds::of(text));
    let Value::Object(obj) = value else {
        return Err(Error::parse(name, line, "record", "expected a JSON object"));
    };
    let kind = match obj.get("type") {
        None => {
            return Err(Error::parse(
                name,
                line,
                "type",
                "missing; samestory output records carry a type tag (group, cluster, rejected)",
            ))
        }
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(Error::parse(name, line, "type", "must be a string")),
    };
    let kind = match kind {
        "group" => Kind::Group,
        "cluster" => Kind::Cluster,
        "rejected" => {
            let id = match obj.get("id") {
                Some(Value::Null) | None => rejected_without_id(&obj, name, line),
                Some(id) => id_text(id, || raw_ids().as_ref().and_then(|r| r.id))
                    .map_err(|r| Error::parse(name, line, "id", r))?,
            };
            out.push(Pending { kind: Kind::Rejected, id, key: None, line, member: 0 });
            return Ok(());
        }
        // thread, summary and any later record types say nothing about membership.
        _ => return Ok(()),
    };
    let key_field = if kind == Kind::Group { "group" } else { "cluster" };
    let key = obj.get(key_field).ok_or_else(|| Error::parse(name, line, key_field, "missing"))?;
    let key: Arc<str> =
        scalar_text(key).map_err(|r| Error::parse(name, line, key_field, r))?.into();
    let Some(Value::Array(members)) = obj.get("members") else {
        return Err(Error::parse(name, line, "members", "missing or not an array"));
    };
    for (i, m) in members.iter().enumerate() {
        let id = match m {
            Value::Object(o) => o.get("id").ok_or_else(|| "missing".to_string()),
            other => Ok(other),
        }
        .and_then(|id| id_text(id, || raw_ids().as_ref().and_then(|r| r.member(i))))
        .map_err(|r| Error::parse(name, line, format!("members[{i}].id"), r))?;
        out.push(Pending { kind, id, key: Some(key.clone()), line, member: i });
    }
    Ok(())
}

/// The name of a rejected record that had no id. samestory gives such articles the id
/// `<input>:<line>` and writes their rejection with `input` and `line` fields, so the same name
/// is rebuilt here; without those fields the record is named after its place in this file.
fn rejected_without_id(obj: &serde_json::Map<String, Value>, name: &str, line: u64) -> String {
    match (obj.get("input"), obj.get("line")) {
        (Some(Value::String(input)), Some(Value::Number(l))) => format!("{input}:{l}"),
        _ => format!("{name}:{line}"),
    }
}

/// An id or cluster key as text: strings as they are, integers in decimal. A cluster key is
/// only a label, so `7.0` from a writer with no integers is cluster 7.
fn scalar_text(v: &Value) -> std::result::Result<String, String> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        // 1e3 and 7.0 are integers too; writers in other languages emit them.
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => {
                format!("{}", f as i64)
            }
            _ => return Err(format!("{n} is not an integer; expected a string or an integer")),
        },
        other => return Err(format!("expected a string or an integer, got {}", json_kind(other))),
    };
    if text.is_empty() {
        return Err("empty".into());
    }
    Ok(text)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Rounds to 4 decimals when serialising, so JSON carries the same figures the text shows.
fn round4<S: Serializer>(x: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    debug_assert!(x.is_finite(), "metric is not finite: {x}");
    let x = if x.is_finite() { x } else { &0.0 };
    s.serialize_f64((x * 1e4).round() / 1e4)
}

/// Where one side's labels came from and what its clusters look like on the scored articles.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// File name (`-` for stdin).
    pub source: String,
    /// Form the file was read in.
    pub format: LabelFormat,
    /// Where the clusters came from, in words.
    pub detail: String,
    /// Ids with a cluster in the file.
    pub articles: u64,
    /// Ids present without a cluster (rejected, or an empty TSV field).
    pub unlabelled: u64,
    /// `rejected` records skipped because their id is also a clustered member (a duplicate id
    /// the run rejected after keeping the first record with it).
    pub rejected_duplicates: u64,
    /// Clusters among the scored articles.
    pub clusters: u64,
    /// Clusters of one scored article.
    pub singletons: u64,
    /// The largest cluster among the scored articles.
    pub largest: Option<ClusterSize>,
}

/// A cluster key and its number of scored articles.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterSize {
    /// Cluster key as in the input.
    pub cluster: String,
    /// Scored articles in it.
    pub size: u64,
}

/// A count of ids and the first few of them (in input order).
#[derive(Debug, Clone, Default, Serialize)]
pub struct IdSample {
    /// How many ids.
    pub count: u64,
    /// The first few, in input order.
    pub ids: Vec<String>,
}

/// Pairwise scores with the pair counts behind them.
#[derive(Debug, Clone, Serialize)]
pub struct Pairwise {
    /// Share of predicted pairs that are true pairs.
    #[serde(serialize_with = "round4")]
    pub precision: f64,
    /// Share of true pairs that are predicted.
    #[serde(serialize_with = "round4")]
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    #[serde(serialize_with = "round4")]
    pub f1: f64,
    /// Pairs in the same predicted cluster that are also true pairs.
    pub true_positive_pairs: u64,
    /// Pairs in the same predicted cluster.
    pub predicted_pairs: u64,
    /// True pairs: in the same truth cluster (sharing at least one, when truth overlaps).
    pub truth_pairs: u64,
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    /// Precision.
    #[serde(serialize_with = "round4")]
    pub precision: f64,
    /// Recall.
    #[serde(serialize_with = "round4")]
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    #[serde(serialize_with = "round4")]
    pub f1: f64,
}

/// A cluster on the other side and the part of a merge or split it accounts for.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    /// Cluster key.
    pub cluster: String,
    /// Articles shared with the merged or split cluster.
    pub count: u64,
    /// The first few of them, in prediction order.
    pub ids: Vec<String>,
}

/// A predicted cluster that mixes several truth clusters.
#[derive(Debug, Clone, Serialize)]
pub struct Merge {
    /// Predicted cluster key.
    pub cluster: String,
    /// Scored articles in it.
    pub size: u64,
    /// Truth clusters among its articles.
    pub truth_clusters: u64,
    /// The largest of those truth clusters, by shared articles.
    pub top: Vec<Part>,
}

/// A truth cluster spread over several predicted clusters.
#[derive(Debug, Clone, Serialize)]
pub struct Split {
    /// Truth cluster key.
    pub cluster: String,
    /// Scored articles in it.
    pub size: u64,
    /// Predicted clusters its articles are in.
    pub predicted_clusters: u64,
    /// The largest of those predicted clusters, by shared articles.
    pub top: Vec<Part>,
}

/// Everything `samestory eval` reports. Floats serialise rounded to 4 decimals.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The predicted clustering.
    pub prediction: Side,
    /// The ground truth.
    pub truth: Side,
    /// Articles scored: those with a cluster on both sides.
    pub evaluated: u64,
    /// Which articles the metrics are computed on.
    pub scored_on: String,
    /// Ids with a predicted cluster but no truth cluster.
    pub only_in_prediction: IdSample,
    /// Ids with a truth cluster that the prediction does not mention at all.
    pub only_in_truth: IdSample,
    /// Ids the prediction mentions without a cluster (rejected records, empty TSV fields).
    pub rejected: IdSample,
    /// Scored articles in two or more truth clusters.
    pub overlapping_truth: u64,
    /// Pairwise precision, recall and F1.
    pub pairwise: Pairwise,
    /// BCubed precision, recall and F1.
    pub bcubed: Scores,
    /// `standard` (Bagga and Baldwin 1998) or `extended` (Amigó et al. 2009, overlapping truth).
    pub bcubed_variant: String,
    /// Adjusted Rand index (Hubert and Arabie 1985).
    #[serde(serialize_with = "round4")]
    pub ari: f64,
    /// Normalised mutual information.
    #[serde(serialize_with = "round4")]
    pub nmi: f64,
    /// How NMI is normalised: `arithmetic` mean of the two entropies.
    pub nmi_normalization: String,
    /// Caveats that apply to this run, in words.
    pub notes: Vec<String>,
    /// Predicted clusters mixing the most truth clusters, worst first.
    pub worst_merges: Vec<Merge>,
    /// Truth clusters spread over the most predicted clusters, worst first.
    pub worst_splits: Vec<Split>,
}

/// The scored articles: index into the prediction's ids, predicted cluster, truth clusters.
struct Items {
    pred_id: Vec<u32>,
    pred: Vec<u32>,
    /// First truth cluster of each item.
    truth: Vec<u32>,
    /// All truth clusters of items that have more than one, sorted and deduplicated.
    multi: Map<u32, Vec<u32>>,
}

impl Items {
    fn len(&self) -> usize {
        self.pred.len()
    }

    /// Truth clusters of item `i`, first cluster first when it has one.
    fn truth_labels(&self, i: usize) -> &[u32] {
        match self.multi.get(&(i as u32)) {
            Some(v) => v,
            None => std::slice::from_ref(&self.truth[i]),
        }
    }
}

/// Scores `pred` against `truth` on the ids labelled on both sides, listing up to `worst` worst
/// merges and splits.
///
/// `pred` is taken as a partition: were it read as [`Role::Truth`] with overlaps, only each id's
/// first cluster would count. Read predictions with [`Role::Prediction`] to have overlaps
/// rejected with a line number instead.
pub fn evaluate(pred: &Labels, truth: &Labels, worst: usize) -> Report {
    let mut items =
        Items { pred_id: Vec::new(), pred: Vec::new(), truth: Vec::new(), multi: new_map() };
    let mut only_pred = IdSample::default();
    let mut rejected = IdSample::default();
    let mut truth_item: Vec<u32> = vec![NO_CLUSTER; truth.ids.len()];
    for (pi, id) in pred.ids.iter().enumerate() {
        let p = pred.first[pi];
        if p == NO_CLUSTER {
            push_sample(&mut rejected, id);
            continue;
        }
        match truth.index.get(&**id) {
            Some(&ti) if truth.first[ti as usize] != NO_CLUSTER => {
                truth_item[ti as usize] = items.pred.len() as u32;
                items.pred_id.push(pi as u32);
                items.pred.push(p);
                items.truth.push(truth.first[ti as usize]);
            }
            _ => push_sample(&mut only_pred, id),
        }
    }
    let mut only_truth = IdSample::default();
    for (ti, id) in truth.ids.iter().enumerate() {
        if truth.first[ti] != NO_CLUSTER && !pred.index.contains_key(&**id) {
            push_sample(&mut only_truth, id);
        }
    }
    for &(ti, k) in &truth.extra {
        let item = truth_item[ti as usize];
        if item != NO_CLUSTER {
            let first = items.truth[item as usize];
            items.multi.entry(item).or_insert_with(|| vec![first]).push(k);
        }
    }
    for v in items.multi.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    items.multi.retain(|_, v| v.len() > 1);

    let n = items.len() as u64;
    let pred_sizes = sizes(items.pred.iter().copied(), pred.keys.len());
    let mut truth_sizes = vec![0u64; truth.keys.len()];
    for i in 0..items.len() {
        for &l in items.truth_labels(i) {
            truth_sizes[l as usize] += 1;
        }
    }

    let cells = contingency(&items.pred, &items.truth);
    let partition = PairCounts::from_cells(
        &cells,
        &pred_sizes,
        &sizes(items.truth.iter().copied(), truth.keys.len()),
    );
    let overlapping = !items.multi.is_empty();
    let (counts, bcubed) = if overlapping {
        overlap_scores(&items, truth.keys.len())
    } else {
        let b = bcubed_partition(&cells, &pred_sizes, &truth_sizes, n);
        (partition, b)
    };

    let pairwise = if n == 0 {
        Pairwise {
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
            true_positive_pairs: 0,
            predicted_pairs: 0,
            truth_pairs: 0,
        }
    } else {
        let precision = ratio_or_one(counts.tp, counts.pred_pairs);
        let recall = ratio_or_one(counts.tp, counts.truth_pairs);
        Pairwise {
            precision,
            recall,
            f1: f1(precision, recall),
            true_positive_pairs: counts.tp,
            predicted_pairs: counts.pred_pairs,
            truth_pairs: counts.truth_pairs,
        }
    };
    let (ari, nmi) = if n == 0 { (0.0, 0.0) } else { (ari(&partition, n), nmi(&cells, n)) };

    let mut notes = vec![format!(
        "scored on the {n} articles with a cluster on both sides; articles on one side only and \
         rejected articles are listed, not scored"
    )];
    if n == 0 {
        notes.push("no article has a cluster on both sides: every metric is 0".into());
    }
    if pred.rejected_duplicates > 0 {
        let k = pred.rejected_duplicates;
        notes.push(format!(
            "{k} rejected record{} in the prediction repeat{} the id of a clustered article (another \
             record with that id, which the run rejected): skipped, the clustered article is scored",
            if k == 1 { "" } else { "s" },
            if k == 1 { "s" } else { "" },
        ));
    }
    if overlapping {
        notes.push(format!(
            "truth overlaps ({} scored articles in 2+ truth clusters): a true pair shares at \
             least one truth cluster, BCubed is extended BCubed (Amigó et al. 2009), ARI and NMI \
             use each article's first truth cluster",
            items.multi.len()
        ));
    }
    if n > 0 && counts.pred_pairs == 0 {
        notes.push(
            "the prediction has no pairs (all singletons): pairwise precision is 1 by convention"
                .into(),
        );
    }
    if n > 0 && counts.truth_pairs == 0 {
        notes.push(
            "the truth has no pairs (all singletons): pairwise recall is 1 by convention".into(),
        );
    }

    let (worst_merges, worst_splits) = worst_lists(&items, pred, truth, worst);
    Report {
        prediction: side(pred, &pred_sizes),
        truth: side(truth, &truth_sizes),
        evaluated: n,
        scored_on: "intersection".into(),
        only_in_prediction: only_pred,
        only_in_truth: only_truth,
        rejected,
        overlapping_truth: items.multi.len() as u64,
        pairwise,
        bcubed,
        bcubed_variant: if overlapping { "extended" } else { "standard" }.into(),
        ari,
        nmi,
        nmi_normalization: "arithmetic".into(),
        notes,
        worst_merges,
        worst_splits,
    }
}

fn push_sample(sample: &mut IdSample, id: &str) {
    sample.count += 1;
    if sample.ids.len() < IDS_LISTED {
        sample.ids.push(id.to_string());
    }
}

fn sizes(labels: impl Iterator<Item = u32>, len: usize) -> Vec<u64> {
    let mut out = vec![0u64; len];
    for l in labels {
        out[l as usize] += 1;
    }
    out
}

fn side(labels: &Labels, sizes: &[u64]) -> Side {
    let mut largest: Option<(u32, u64)> = None;
    let (mut clusters, mut singletons) = (0, 0);
    for (k, &s) in sizes.iter().enumerate() {
        if s == 0 {
            continue;
        }
        clusters += 1;
        singletons += u64::from(s == 1);
        let better = match largest {
            None => true,
            Some((bk, bs)) => {
                s > bs
                    || (s == bs
                        && natural_cmp(&labels.keys[k], &labels.keys[bk as usize])
                            == Ordering::Less)
            }
        };
        if better {
            largest = Some((k as u32, s));
        }
    }
    let unlabelled = labels.first.iter().filter(|&&c| c == NO_CLUSTER).count() as u64;
    Side {
        source: labels.name.clone(),
        format: labels.format,
        detail: labels.detail.clone(),
        articles: labels.first.len() as u64 - unlabelled,
        unlabelled,
        rejected_duplicates: labels.rejected_duplicates,
        clusters,
        singletons,
        largest: largest
            .map(|(k, size)| ClusterSize { cluster: labels.keys[k as usize].to_string(), size }),
    }
}

/// Orders keys as numbers when both are numbers, numbers before words, words as text: so that
/// cluster 9 comes before cluster 10, and ties never depend on hash order.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Non-empty cells of the contingency table of two partitions: (row, column, count), sorted.
fn contingency(rows: &[u32], cols: &[u32]) -> Vec<(u32, u32, u64)> {
    let mut keys: Vec<u64> =
        rows.iter().zip(cols).map(|(&r, &c)| (u64::from(r) << 32) | u64::from(c)).collect();
    keys.sort_unstable();
    let mut cells: Vec<(u32, u32, u64)> = Vec::new();
    for k in keys {
        let (r, c) = ((k >> 32) as u32, k as u32);
        match cells.last_mut() {
            Some(last) if last.0 == r && last.1 == c => last.2 += 1,
            _ => cells.push((r, c, 1)),
        }
    }
    cells
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Pair counts: `tp` pairs together on both sides, `pred_pairs` together in the prediction,
/// `truth_pairs` together in the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PairCounts {
    tp: u64,
    pred_pairs: u64,
    truth_pairs: u64,
}

impl PairCounts {
    fn from_cells(cells: &[(u32, u32, u64)], row_sizes: &[u64], col_sizes: &[u64]) -> PairCounts {
        PairCounts {
            tp: cells.iter().map(|c| pairs(c.2)).sum(),
            pred_pairs: row_sizes.iter().map(|&s| pairs(s)).sum(),
            truth_pairs: col_sizes.iter().map(|&s| pairs(s)).sum(),
        }
    }
}

fn ratio_or_one(num: u64, den: u64) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// ARI from pair counts (the form scikit-learn's `adjusted_rand_score` uses), in exact integer
/// arithmetic: the products reach 10^23 for a million articles and the difference of two such
/// products is what decides whether ARI is near 0.
fn ari(c: &PairCounts, n: u64) -> f64 {
    let tp = i128::from(c.tp);
    let fp = i128::from(c.pred_pairs) - tp;
    let fneg = i128::from(c.truth_pairs) - tp;
    let tn = i128::from(pairs(n)) - tp - fp - fneg;
    if fp == 0 && fneg == 0 {
        return 1.0;
    }
    let num = 2 * (tp * tn - fneg * fp);
    let den = (tp + fneg) * (fneg + tn) + (tp + fp) * (fp + tn);
    if den == 0 {
        return 0.0;
    }
    num as f64 / den as f64
}

/// NMI with arithmetic-mean normalisation, from the cells of a contingency table.
fn nmi(cells: &[(u32, u32, u64)], n: u64) -> f64 {
    let mut rows: Map<u32, u64> = new_map();
    let mut cols: Map<u32, u64> = new_map();
    for &(r, c, k) in cells {
        *rows.entry(r).or_default() += k;
        *cols.entry(c).or_default() += k;
    }
    if rows.len() == 1 && cols.len() == 1 {
        return 1.0;
    }
    let nf = n as f64;
    let ln_n = nf.ln();
    let mut mi = 0.0;
    for &(r, c, k) in cells {
        let (a, b, k) = (rows[&r] as f64, cols[&c] as f64, k as f64);
        mi += k / nf * (k.ln() + ln_n - a.ln() - b.ln());
    }
    let entropy = |m: &Map<u32, u64>| -> f64 {
        // Summed in key order so the float result does not depend on hash order.
        let mut v: Vec<u64> = m.values().copied().collect();
        v.sort_unstable();
        v.iter().map(|&s| s as f64 / nf).map(|p| -p * p.ln()).sum()
    };
    let norm = (entropy(&rows) + entropy(&cols)) / 2.0;
    if mi <= 0.0 || norm <= 0.0 {
        return 0.0;
    }
    (mi / norm).clamp(0.0, 1.0)
}

/// Standard BCubed from a contingency table: the item-level averages of Bagga and Baldwin
/// reduce to sums over cells, precision = Σ n_ij² / |P_i| / n, recall = Σ n_ij² / |T_j| / n.
fn bcubed_partition(
    cells: &[(u32, u32, u64)],
    pred_sizes: &[u64],
    truth_sizes: &[u64],
    n: u64,
) -> Scores {
    if n == 0 {
        return Scores { precision: 0.0, recall: 0.0, f1: 0.0 };
    }
    let (mut p, mut r) = (0.0, 0.0);
    for &(pi, ti, k) in cells {
        let sq = (k * k) as f64;
        p += sq / pred_sizes[pi as usize] as f64;
        r += sq / truth_sizes[ti as usize] as f64;
    }
    let (p, r) = (p / n as f64, r / n as f64);
    Scores { precision: p, recall: r, f1: f1(p, r) }
}

/// Pairwise counts and extended BCubed for overlapping truth (the prediction is a partition).
///
/// Articles are grouped by their set of truth clusters. For an article e with set S in
/// predicted cluster P, with |L∩L'| the truth clusters two articles share:
/// - extended BCubed precision(e) = #{e' in P sharing a truth cluster with e} / |P|, since the
///   multiplicity precision min(|C∩C'|, |L∩L'|)/|C∩C'| is 1 or 0 when C is a partition;
/// - extended BCubed recall(e) = Σ_{e' in P sharing} 1/|L∩L'| / #{e' anywhere sharing};
/// - true pairs are pairs sharing at least one truth cluster.
///
/// Sets that share a cluster are found through an index from cluster to sets, so the work is
/// the number of (set, set) overlaps, not the number of article pairs.
fn overlap_scores(items: &Items, num_labels: usize) -> (PairCounts, Scores) {
    let n = items.len();
    let mut set_ids: Map<Vec<u32>, u32> = new_map();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let mut item_set = Vec::with_capacity(n);
    for i in 0..n {
        let labels = items.truth_labels(i);
        let s = match set_ids.get(labels) {
            Some(&s) => s,
            None => {
                let s = sets.len() as u32;
                set_ids.insert(labels.to_vec(), s);
                sets.push(labels.to_vec());
                s
            }
        };
        item_set.push(s);
    }
    let set_sizes = sizes(item_set.iter().copied(), sets.len());

    let mut overlaps = Overlaps::new(num_labels);
    let all: Vec<(u32, u64)> = set_sizes.iter().enumerate().map(|(s, &c)| (s as u32, c)).collect();
    // For each set, how many articles anywhere share a truth cluster with its articles.
    let mut sharing = vec![0u64; sets.len()];
    let mut self_pairs = 0u64;
    overlaps.visit(&sets, &all, |k, others| {
        sharing[all[k].0 as usize] = others.iter().map(|&(j, _)| all[j].1).sum();
    });
    let mut truth_twice = 0u64;
    for (s, &c) in set_sizes.iter().enumerate() {
        truth_twice += c * sharing[s];
        self_pairs += c;
    }
    let truth_pairs = (truth_twice - self_pairs) / 2;

    let cells = contingency(&items.pred, &item_set);
    let (mut tp_twice, mut pred_pairs) = (0u64, 0u64);
    let (mut p_sum, mut r_sum) = (0.0f64, 0.0f64);
    let mut start = 0;
    while start < cells.len() {
        let p = cells[start].0;
        let end = start + cells[start..].iter().take_while(|c| c.0 == p).count();
        let local: Vec<(u32, u64)> = cells[start..end].iter().map(|c| (c.1, c.2)).collect();
        let size: u64 = local.iter().map(|l| l.1).sum();
        pred_pairs += pairs(size);
        overlaps.visit(&sets, &local, |k, others| {
            let (s, c) = local[k];
            let together: u64 = others.iter().map(|&(j, _)| local[j].1).sum();
            let credit: f64 =
                others.iter().map(|&(j, shared)| local[j].1 as f64 / shared as f64).sum();
            tp_twice += c * together;
            p_sum += c as f64 * together as f64 / size as f64;
            r_sum += c as f64 * credit / sharing[s as usize] as f64;
        });
        tp_twice -= size;
        start = end;
    }
    let counts = PairCounts { tp: tp_twice / 2, pred_pairs, truth_pairs };
    let (p, r) = if n == 0 { (0.0, 0.0) } else { (p_sum / n as f64, r_sum / n as f64) };
    (counts, Scores { precision: p, recall: r, f1: f1(p, r) })
}

/// Scratch space for finding, among a list of label sets, the sets each one overlaps.
struct Overlaps {
    postings: Vec<Vec<u32>>,
    hits: Vec<u32>,
    touched: Vec<u32>,
    found: Vec<(usize, u32)>,
}

impl Overlaps {
    fn new(num_labels: usize) -> Overlaps {
        Overlaps {
            postings: vec![Vec::new(); num_labels],
            hits: Vec::new(),
            touched: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Calls `f(k, overlapping)` for each entry k of `list` (set id, count), where
    /// `overlapping` holds (entry j, shared labels) for every entry whose set shares a label
    /// with k's, k itself included; entries in ascending order.
    fn visit(
        &mut self,
        sets: &[Vec<u32>],
        list: &[(u32, u64)],
        mut f: impl FnMut(usize, &[(usize, u32)]),
    ) {
        for (k, &(s, _)) in list.iter().enumerate() {
            for &l in &sets[s as usize] {
                if self.postings[l as usize].is_empty() {
                    self.touched.push(l);
                }
                self.postings[l as usize].push(k as u32);
            }
        }
        self.hits.clear();
        self.hits.resize(list.len(), 0);
        let mut seen: Vec<u32> = Vec::new();
        for (k, &(s, _)) in list.iter().enumerate() {
            for &l in &sets[s as usize] {
                for &j in &self.postings[l as usize] {
                    if self.hits[j as usize] == 0 {
                        seen.push(j);
                    }
                    self.hits[j as usize] += 1;
                }
            }
            seen.sort_unstable();
            self.found.clear();
            for &j in &seen {
                self.found.push((j as usize, self.hits[j as usize]));
                self.hits[j as usize] = 0;
            }
            seen.clear();
            f(k, &self.found);
        }
        for &l in &self.touched {
            self.postings[l as usize].clear();
        }
        self.touched.clear();
    }
}

/// The worst merges and splits, each from the incidence of predicted and truth clusters.
fn worst_lists(
    items: &Items,
    pred: &Labels,
    truth: &Labels,
    worst: usize,
) -> (Vec<Merge>, Vec<Split>) {
    if worst == 0 {
        return (Vec::new(), Vec::new());
    }
    // (predicted cluster, truth cluster, item); an article in two truth clusters counts in both.
    let mut inc: Vec<(u32, u32, u32)> = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        for &l in items.truth_labels(i) {
            inc.push((items.pred[i], l, i as u32));
        }
    }
    let id_of = |item: u32| pred.ids[items.pred_id[item as usize] as usize].to_string();

    inc.sort_unstable();
    let merges = ranked(&inc, |e| (e.0, e.1), &pred.keys, &truth.keys, worst, id_of);
    let merges = merges
        .into_iter()
        .map(|(cluster, size, spread, top)| Merge { cluster, size, truth_clusters: spread, top })
        .collect();

    inc.sort_unstable_by_key(|e| (e.1, e.0, e.2));
    let splits = ranked(&inc, |e| (e.1, e.0), &truth.keys, &pred.keys, worst, id_of);
    let splits = splits
        .into_iter()
        .map(|(cluster, size, spread, top)| Split {
            cluster,
            size,
            predicted_clusters: spread,
            top,
        })
        .collect();
    (merges, splits)
}

type Ranked = (String, u64, u64, Vec<Part>);

/// Ranks the outer clusters of `inc` (sorted by outer, inner, item) by how many inner clusters
/// they touch, then by size, then by key; keeps the `worst` that touch at least two.
fn ranked(
    inc: &[(u32, u32, u32)],
    key: impl Fn(&(u32, u32, u32)) -> (u32, u32),
    outer_keys: &[Arc<str>],
    inner_keys: &[Arc<str>],
    worst: usize,
    id_of: impl Fn(u32) -> String,
) -> Vec<Ranked> {
    // (outer, start, end, distinct inner, distinct items)
    let mut groups: Vec<(u32, usize, usize, u64, u64)> = Vec::new();
    let mut start = 0;
    while start < inc.len() {
        let outer = key(&inc[start]).0;
        let end = start + inc[start..].iter().take_while(|e| key(e).0 == outer).count();
        let mut spread = 0u64;
        let mut prev = None;
        for e in &inc[start..end] {
            let inner = key(e).1;
            if prev != Some(inner) {
                spread += 1;
                prev = Some(inner);
            }
        }
        if spread >= 2 {
            let mut members: Vec<u32> = inc[start..end].iter().map(|e| e.2).collect();
            members.sort_unstable();
            members.dedup();
            groups.push((outer, start, end, spread, members.len() as u64));
        }
        start = end;
    }
    groups.sort_by(|a, b| {
        b.3.cmp(&a.3)
            .then(b.4.cmp(&a.4))
            .then_with(|| natural_cmp(&outer_keys[a.0 as usize], &outer_keys[b.0 as usize]))
    });
    groups.truncate(worst);
    groups
        .into_iter()
        .map(|(outer, start, end, spread, size)| {
            let mut parts: Vec<(u32, Vec<u32>)> = Vec::new();
            for e in &inc[start..end] {
                let inner = key(e).1;
                match parts.last_mut() {
                    Some(last) if last.0 == inner => last.1.push(e.2),
                    _ => parts.push((inner, vec![e.2])),
                }
            }
            parts.sort_by(|a, b| {
                b.1.len()
                    .cmp(&a.1.len())
                    .then_with(|| natural_cmp(&inner_keys[a.0 as usize], &inner_keys[b.0 as usize]))
            });
            let top = parts
                .into_iter()
                .take(PARTS_SHOWN)
                .map(|(inner, mut members)| {
                    members.sort_unstable();
                    Part {
                        cluster: inner_keys[inner as usize].to_string(),
                        count: members.len() as u64,
                        ids: members.iter().take(IDS_PER_PART).map(|&m| id_of(m)).collect(),
                    }
                })
                .collect();
            (outer_keys[outer as usize].to_string(), size, spread, top)
        })
        .collect()
}

impl Report {
    /// The report as aligned, compact text for a terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let src = |s: &Side| {
            let mut t = format!("{} ({}: {} articles", s.source, s.detail, s.articles);
            if s.unlabelled > 0 {
                t += &format!(", {} without a cluster", s.unlabelled);
            }
            if s.rejected_duplicates > 0 {
                let n = s.rejected_duplicates;
                t += &format!(", {n} rejected duplicate{} skipped", if n == 1 { "" } else { "s" });
            }
            t + ")"
        };
        out += &table(
            &[
                vec!["prediction".into(), src(&self.prediction)],
                vec!["truth".into(), src(&self.truth)],
                vec![
                    "scored".into(),
                    format!(
                        "{} articles with a cluster on both sides (the rest is listed, not scored)",
                        self.evaluated
                    ),
                ],
            ],
            &[Align::Left, Align::Left],
        );
        out.push('\n');
        let largest = |s: &Side| match &s.largest {
            Some(c) => format!("{} ({})", c.cluster, c.size),
            None => "-".into(),
        };
        let side_row = |name: &str, s: &Side| {
            vec![name.into(), s.clusters.to_string(), s.singletons.to_string(), largest(s)]
        };
        out += &table(
            &[
                vec!["".into(), "clusters".into(), "singletons".into(), "largest (size)".into()],
                side_row("prediction", &self.prediction),
                side_row("truth", &self.truth),
            ],
            &[Align::Left, Align::Right, Align::Right, Align::Left],
        );
        out.push('\n');
        let sample_row = |name: &str, s: &IdSample| {
            let mut ids = s.ids.join(" ");
            if s.count > s.ids.len() as u64 {
                ids += " ...";
            }
            vec![name.into(), s.count.to_string(), ids]
        };
        out += &table(
            &[
                sample_row("only in prediction", &self.only_in_prediction),
                sample_row("only in truth", &self.only_in_truth),
                sample_row("rejected", &self.rejected),
            ],
            &[Align::Left, Align::Right, Align::Left],
        );
        out.push('\n');
        let prf = |name: &str, p: f64, r: f64, f: f64| {
            vec![name.into(), fmt4(p), fmt4(r), fmt4(f), String::new()]
        };
        let pw = &self.pairwise;
        let mut pw_row = prf("pairwise", pw.precision, pw.recall, pw.f1);
        pw_row[4] = format!(
            "{} of {} predicted pairs correct, {} true pairs",
            pw.true_positive_pairs, pw.predicted_pairs, pw.truth_pairs
        );
        let mut b_row = prf("bcubed", self.bcubed.precision, self.bcubed.recall, self.bcubed.f1);
        if self.bcubed_variant != "standard" {
            b_row[4] = format!("{} (Amigó et al. 2009)", self.bcubed_variant);
        }
        out += &table(
            &[
                vec!["".into(), "precision".into(), "recall".into(), "f1".into(), String::new()],
                pw_row,
                b_row,
                vec!["ARI".into(), fmt4(self.ari), String::new(), String::new(), String::new()],
                vec![
                    "NMI".into(),
                    fmt4(self.nmi),
                    String::new(),
                    String::new(),
                    format!("{} mean normalisation", self.nmi_normalization),
                ],
            ],
            &[Align::Left, Align::Right, Align::Right, Align::Right, Align::Left],
        );
        for note in &self.notes[1..] {
            out += &format!("note: {note}\n");
        }
        let parts = |top: &[Part], spread: u64| {
            let mut s = top
                .iter()
                .map(|p| format!("{}: {} ({})", p.cluster, p.count, p.ids.join(" ")))
                .collect::<Vec<_>>()
                .join(", ");
            let more = spread.saturating_sub(top.len() as u64);
            if more > 0 {
                s += &format!(", {more} more");
            }
            s
        };
        out += "\nworst merges: predicted clusters mixing the most truth clusters\n";
        if self.worst_merges.is_empty() {
            out += "  none\n";
        } else {
            let mut rows = vec![vec![
                "  cluster".into(),
                "size".into(),
                "truth".into(),
                "top truth clusters: count (ids)".into(),
            ]];
            for m in &self.worst_merges {
                rows.push(vec![
                    format!("  {}", m.cluster),
                    m.size.to_string(),
                    m.truth_clusters.to_string(),
                    parts(&m.top, m.truth_clusters),
                ]);
            }
            out += &table(&rows, &[Align::Left, Align::Right, Align::Right, Align::Left]);
        }
        out += "\nworst splits: truth clusters spread over the most predicted clusters\n";
        if self.worst_splits.is_empty() {
            out += "  none\n";
        } else {
            let mut rows = vec![vec![
                "  truth".into(),
                "size".into(),
                "predicted".into(),
                "top predicted clusters: count (ids)".into(),
            ]];
            for s in &self.worst_splits {
                rows.push(vec![
                    format!("  {}", s.cluster),
                    s.size.to_string(),
                    s.predicted_clusters.to_string(),
                    parts(&s.top, s.predicted_clusters),
                ]);
            }
            out += &table(&rows, &[Align::Left, Align::Right, Align::Right, Align::Left]);
        }
        out
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_text())
    }
}

fn fmt4(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.4}")
    } else {
        "-".into()
    }
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Lays out rows in columns two spaces apart, without trailing blanks.
fn table(rows: &[Vec<String>], align: &[Align]) -> String {
    let cols = align.len();
    let mut width = vec![0usize; cols];
    for row in rows {
        for (c, cell) in row.iter().enumerate() {
            width[c] = width[c].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line += "  ";
            }
            let pad = width[c] - cell.chars().count();
            match align[c] {
                Align::Left => {
                    line += cell;
                    line += &" ".repeat(pad);
                }
                Align::Right => {
                    line += &" ".repeat(pad);
                    line += cell;
                }
            }
        }
        out += line.trim_end();
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    macro_rules! assert_close {
        ($a:expr, $b:expr) => {{
            let (a, b) = ($a, $b);
            assert!(close(a, b), "{} = {a}, expected {b}", stringify!($a));
        }};
    }

    /// Labels with ids "0", "1", ... in the clusters given, as numbers.
    fn part(role: Role, clusters: &[u32]) -> Labels {
        let ids: Vec<String> = (0..clusters.len()).map(|i| i.to_string()).collect();
        let keys: Vec<String> = clusters.iter().map(|c| format!("c{c}")).collect();
        Labels::from_pairs(
            "mem",
            role,
            ids.iter().zip(&keys).map(|(a, b)| (a.as_str(), b.as_str())),
        )
        .unwrap()
    }

    fn eval(pred: &[u32], truth: &[u32]) -> Report {
        evaluate(&part(Role::Prediction, pred), &part(Role::Truth, truth), 5)
    }

    fn labels_from(text: &str, column: usize, role: Role) -> Result<Labels> {
        Labels::from_reader(text.as_bytes(), "in.tsv", column, role)
    }

    /// Seeded splitmix64, so the "random" partitions are the same on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u32 {
            (self.next() % n) as u32
        }
    }

    fn all_metrics(r: &Report) -> [f64; 8] {
        [
            r.pairwise.precision,
            r.pairwise.recall,
            r.pairwise.f1,
            r.bcubed.precision,
            r.bcubed.recall,
            r.bcubed.f1,
            r.ari,
            r.nmi,
        ]
    }

    #[test]
    fn perfect_partition_scores_one_everywhere() {
        // Same partition under other cluster names.
        let r = eval(&[0, 0, 0, 1, 1, 2, 3, 3], &[7, 7, 7, 5, 5, 9, 4, 4]);
        for m in all_metrics(&r) {
            assert_close!(m, 1.0);
        }
        assert_eq!(r.evaluated, 8);
        assert!(r.worst_merges.is_empty() && r.worst_splits.is_empty());
    }

    #[test]
    fn ari_matches_scikit_learn_documented_values() {
        // Values from the adjusted_rand_score documentation.
        assert_close!(eval(&[0, 0, 1, 2], &[0, 0, 1, 1]).ari, 4.0 / 7.0);
        assert_close!(eval(&[0, 0, 1, 1], &[0, 0, 1, 2]).ari, 4.0 / 7.0);
        assert_close!(eval(&[0, 1, 0, 1], &[0, 0, 1, 1]).ari, -0.5);
        assert_close!(eval(&[0, 1, 2, 3], &[0, 0, 0, 0]).ari, 0.0);
    }

    #[test]
    fn contingency_table_example_by_hand() {
        // Rows (predicted) x columns (truth), n = 10:
        //   1 1 0 | 2      pairs together in both: C(2,2) + C(4,2) = 7
        //   1 2 1 | 4      predicted pairs: 1 + 6 + 6 = 13
        //   0 0 4 | 4      truth pairs: C(2,2) + C(3,2) + C(5,2) = 14, all pairs 45
        //   2 3 5
        // ARI = (7 - 13*14/45) / ((13 + 14)/2 - 13*14/45) = 266/851 (Hubert and Arabie).
        let pred = [0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
        let truth = [0, 1, 0, 1, 1, 2, 2, 2, 2, 2];
        let r = eval(&pred, &truth);
        assert_close!(r.ari, 266.0 / 851.0);
        assert_eq!(r.pairwise.true_positive_pairs, 7);
        assert_eq!(r.pairwise.predicted_pairs, 13);
        assert_eq!(r.pairwise.truth_pairs, 14);
        assert_close!(r.pairwise.precision, 7.0 / 13.0);
        assert_close!(r.pairwise.recall, 0.5);
        // BCubed: Σ n²/row / 10 = (1/2 + 1/2 + 1/4 + 4/4 + 1/4 + 16/4) / 10
        assert_close!(r.bcubed.precision, 0.65);
        // Σ n²/column / 10 = (1/2 + 1/3 + 1/2 + 4/3 + 1/5 + 16/5) / 10
        assert_close!(r.bcubed.recall, 91.0 / 150.0);
        assert_close!(r.bcubed.f1, 2.0 * 0.65 * (91.0 / 150.0) / (0.65 + 91.0 / 150.0));
    }

    #[test]
    fn nmi_hand_values() {
        // The prediction refines the truth: MI = H(truth) = ln 2, H(pred) = 1.5 ln 2,
        // arithmetic-mean NMI = ln 2 / (1.25 ln 2) = 0.8.
        assert_close!(eval(&[0, 0, 1, 2], &[0, 0, 1, 1]).nmi, 0.8);
        // scikit-learn's documented cases.
        assert_close!(eval(&[1, 1, 0, 0], &[0, 0, 1, 1]).nmi, 1.0);
        assert_close!(eval(&[0, 1, 2, 3], &[0, 0, 0, 0]).nmi, 0.0);
        // Independent 2x2: every cell 1, MI = 0.
        assert_close!(eval(&[0, 1, 0, 1], &[0, 0, 1, 1]).nmi, 0.0);
    }

    #[test]
    fn bcubed_bagga_baldwin_example() {
        // Bagga and Baldwin 1998: truth {1-5} {6,7} {8-12}. Merging {6,7} into {8-12} costs
        // less precision (16/21 = 0.76) than merging {1-5} into {8-12} (7/12 = 0.58); recall 1.
        let truth = [0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
        let a = eval(&[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], &truth);
        assert_close!(a.bcubed.precision, 16.0 / 21.0);
        assert_close!(a.bcubed.recall, 1.0);
        let b = eval(&[0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], &truth);
        assert_close!(b.bcubed.precision, 7.0 / 12.0);
        assert_close!(b.bcubed.recall, 1.0);
    }

    #[test]
    fn random_partitions_score_near_zero() {
        let mut rng = Rng(42);
        let n = 20_000;
        let pred: Vec<u32> = (0..n).map(|_| rng.below(20)).collect();
        let truth: Vec<u32> = (0..n).map(|_| rng.below(20)).collect();
        let r = eval(&pred, &truth);
        assert!(r.ari.abs() < 0.005, "ari {}", r.ari);
        assert!(r.nmi < 0.01, "nmi {}", r.nmi);
        assert!((r.pairwise.precision - 0.05).abs() < 0.01, "{}", r.pairwise.precision);
    }

    #[test]
    fn singletons_and_one_cluster_edge_cases() {
        let singles = [0, 1, 2, 3];
        let one = [0, 0, 0, 0];
        let r = eval(&singles, &one);
        assert_close!(r.pairwise.precision, 1.0);
        assert_close!(r.pairwise.recall, 0.0);
        assert_close!(r.pairwise.f1, 0.0);
        assert_close!(r.bcubed.precision, 1.0);
        assert_close!(r.bcubed.recall, 0.25);
        assert_close!(r.ari, 0.0);
        assert_close!(r.nmi, 0.0);
        assert!(r.notes.iter().any(|n| n.contains("no pairs")));

        let r = eval(&one, &singles);
        assert_close!(r.pairwise.precision, 0.0);
        assert_close!(r.pairwise.recall, 1.0);
        assert_close!(r.pairwise.f1, 0.0);
        assert_close!(r.bcubed.precision, 0.25);
        assert_close!(r.bcubed.recall, 1.0);
        assert_close!(r.ari, 0.0);
        assert_close!(r.nmi, 0.0);

        for (p, t) in [(&singles, &singles), (&one, &one)] {
            for m in all_metrics(&eval(p, t)) {
                assert_close!(m, 1.0);
            }
        }
        for m in all_metrics(&eval(&[3], &[9])) {
            assert_close!(m, 1.0);
        }
    }

    #[test]
    fn nothing_in_common_scores_zero_without_nan() {
        let pred = Labels::from_pairs("p", Role::Prediction, [("a", "1"), ("b", "1")]).unwrap();
        let truth = Labels::from_pairs("t", Role::Truth, [("x", "1"), ("y", "2")]).unwrap();
        let r = evaluate(&pred, &truth, 5);
        assert_eq!(r.evaluated, 0);
        for m in all_metrics(&r) {
            assert_eq!(m, 0.0);
        }
        let json = serde_json::to_string(&r).unwrap();
        let text = r.render_text();
        for out in [&json, &text] {
            assert!(!out.contains("NaN") && !out.contains("inf"), "{out}");
        }
        for (p, t) in
            [(&[0u32, 1, 2][..], &[0u32, 0, 0][..]), (&[0, 0, 0], &[0, 1, 2]), (&[0], &[0])]
        {
            let r = eval(p, t);
            let all = format!("{}{}", serde_json::to_string(&r).unwrap(), r.render_text());
            assert!(!all.contains("NaN") && !all.contains("inf"), "{all}");
        }
    }

    #[test]
    fn missing_and_rejected_ids_are_reported_not_scored() {
        let pred = Labels::from_pairs(
            "p",
            Role::Prediction,
            [("a", "1"), ("b", "1"), ("x", "2"), ("r", ""), ("c", "2"), ("s", "")],
        )
        .unwrap();
        let truth = Labels::from_pairs(
            "t",
            Role::Truth,
            [("a", "A"), ("b", "A"), ("c", "B"), ("y", "B"), ("z", "C"), ("r", "C"), ("u", "")],
        )
        .unwrap();
        let r = evaluate(&pred, &truth, 5);
        assert_eq!(r.evaluated, 3);
        assert_eq!(
            (r.only_in_prediction.count, r.only_in_prediction.ids.clone()),
            (1, vec!["x".into()])
        );
        assert_eq!(r.only_in_truth.count, 2);
        assert_eq!(r.only_in_truth.ids, ["y", "z"]);
        assert_eq!(r.rejected.count, 2);
        assert_eq!(r.rejected.ids, ["r", "s"]);
        assert_eq!(r.prediction.articles, 4);
        assert_eq!(r.prediction.unlabelled, 2);
        assert_eq!(r.truth.articles, 6);
        assert_eq!(r.truth.unlabelled, 1);
        assert_eq!((r.prediction.clusters, r.truth.clusters), (2, 2));
        for m in all_metrics(&r) {
            assert_close!(m, 1.0);
        }
        let text = r.render_text();
        assert!(text.contains("only in prediction  1  x"), "{text}");
        assert!(text.contains("only in truth       2  y z"), "{text}");
        assert!(text.contains("rejected            2  r s"), "{text}");
    }

    #[test]
    fn long_id_lists_are_cut_with_an_ellipsis() {
        let pred = Labels::from_pairs("p", Role::Prediction, [("a", "1")]).unwrap();
        let ids: Vec<String> = (0..9).map(|i| format!("t{i}")).collect();
        let truth = Labels::from_pairs(
            "t",
            Role::Truth,
            ids.iter().map(|s| (s.as_str(), "X")).chain([("a", "X")]),
        )
        .unwrap();
        let r = evaluate(&pred, &truth, 5);
        assert_eq!(r.only_in_truth.count, 9);
        assert_eq!(r.only_in_truth.ids.len(), IDS_LISTED);
        assert!(r.render_text().contains("t0 t1 t2 t3 t4 ..."));
    }

    /// Extended BCubed straight from Amigó et al.'s definition, with clusters and categories as
    /// sets per item (O(n²)); works for overlapping prediction too.
    fn bcubed_by_definition(c: &[Vec<u32>], l: &[Vec<u32>]) -> (f64, f64) {
        let inter = |a: &[u32], b: &[u32]| a.iter().filter(|x| b.contains(x)).count() as f64;
        let n = c.len();
        let (mut p, mut r) = (0.0, 0.0);
        for e in 0..n {
            let (mut ps, mut pn, mut rs, mut rn) = (0.0, 0.0, 0.0, 0.0);
            for f in 0..n {
                let (cc, ll) = (inter(&c[e], &c[f]), inter(&l[e], &l[f]));
                if cc > 0.0 {
                    ps += cc.min(ll) / cc;
                    pn += 1.0;
                }
                if ll > 0.0 {
                    rs += cc.min(ll) / ll;
                    rn += 1.0;
                }
            }
            p += ps / pn;
            r += rs / rn;
        }
        (p / n as f64, r / n as f64)
    }

    /// Pair counts by enumerating pairs: same predicted cluster; sharing a truth cluster.
    fn pairs_by_enumeration(pred: &[u32], truth: &[Vec<u32>]) -> PairCounts {
        let mut c = PairCounts { tp: 0, pred_pairs: 0, truth_pairs: 0 };
        for i in 0..pred.len() {
            for j in i + 1..pred.len() {
                let same_p = pred[i] == pred[j];
                let same_t = truth[i].iter().any(|x| truth[j].contains(x));
                c.pred_pairs += u64::from(same_p);
                c.truth_pairs += u64::from(same_t);
                c.tp += u64::from(same_p && same_t);
            }
        }
        c
    }

    fn random_case(rng: &mut Rng, overlap: bool) -> (Vec<u32>, Vec<Vec<u32>>) {
        let n = 1 + rng.below(40) as usize;
        let kp = 1 + u64::from(rng.below(8));
        let kt = 1 + u64::from(rng.below(8));
        let pred: Vec<u32> = (0..n).map(|_| rng.below(kp)).collect();
        let truth: Vec<Vec<u32>> = (0..n)
            .map(|_| {
                let mut v = vec![rng.below(kt)];
                while overlap && rng.below(3) == 0 {
                    let l = rng.below(kt);
                    // The definition counts shared categories, so each appears once per item.
                    if !v.contains(&l) {
                        v.push(l);
                    }
                }
                v
            })
            .collect();
        (pred, truth)
    }

    fn labels_of(pred: &[u32], truth: &[Vec<u32>]) -> (Labels, Labels) {
        let p: Vec<(String, String)> =
            pred.iter().enumerate().map(|(i, c)| (format!("i{i}"), c.to_string())).collect();
        let t: Vec<(String, String)> = truth
            .iter()
            .enumerate()
            .flat_map(|(i, cs)| cs.iter().map(move |c| (format!("i{i}"), format!("t{c}"))))
            .collect();
        let pl = Labels::from_pairs("p", Role::Prediction, p.iter().map(|(a, b)| (&**a, &**b)));
        let tl = Labels::from_pairs("t", Role::Truth, t.iter().map(|(a, b)| (&**a, &**b)));
        (pl.unwrap(), tl.unwrap())
    }

    #[test]
    fn fast_sums_equal_the_definitions_on_random_cases() {
        let mut rng = Rng(7);
        for round in 0..400 {
            let overlap = round % 2 == 1;
            let (pred, truth) = random_case(&mut rng, overlap);
            let (pl, tl) = labels_of(&pred, &truth);
            let r = evaluate(&pl, &tl, 3);
            let expect = pairs_by_enumeration(&pred, &truth);
            assert_eq!(r.pairwise.true_positive_pairs, expect.tp, "round {round}");
            assert_eq!(r.pairwise.predicted_pairs, expect.pred_pairs, "round {round}");
            assert_eq!(r.pairwise.truth_pairs, expect.truth_pairs, "round {round}");
            let cs: Vec<Vec<u32>> = pred.iter().map(|&c| vec![c]).collect();
            let (bp, br) = bcubed_by_definition(&cs, &truth);
            assert!(close(r.bcubed.precision, bp), "round {round}: {} vs {bp}", r.bcubed.precision);
            assert!(close(r.bcubed.recall, br), "round {round}: {} vs {br}", r.bcubed.recall);

            // ARI against pair counts on the first-label partition, and its symmetry.
            let first: Vec<Vec<u32>> = truth.iter().map(|v| vec![v[0]]).collect();
            let c = pairs_by_enumeration(&pred, &first);
            let (tp, fp, fneg) =
                (c.tp as f64, (c.pred_pairs - c.tp) as f64, (c.truth_pairs - c.tp) as f64);
            let tn = pairs(pred.len() as u64) as f64 - tp - fp - fneg;
            let expect_ari = if fp == 0.0 && fneg == 0.0 {
                1.0
            } else {
                2.0 * (tp * tn - fneg * fp) / ((tp + fneg) * (fneg + tn) + (tp + fp) * (fp + tn))
            };
            assert!(close(r.ari, expect_ari), "round {round}: {} vs {expect_ari}", r.ari);
            let (tl1, pl1) = labels_of(&first.iter().map(|v| v[0]).collect::<Vec<_>>(), &cs);
            let swapped = evaluate(&tl1, &pl1, 0);
            assert!(close(swapped.ari, r.ari), "round {round}");
            assert!(close(swapped.nmi, r.nmi), "round {round}");
            assert!((0.0..=1.0).contains(&r.nmi));
        }
    }

    #[test]
    fn overlap_path_agrees_with_partition_path_on_partitions() {
        let mut rng = Rng(11);
        for _ in 0..100 {
            let (pred, truth) = random_case(&mut rng, false);
            let items = Items {
                pred_id: (0..pred.len() as u32).collect(),
                pred: pred.clone(),
                truth: truth.iter().map(|v| v[0]).collect(),
                multi: new_map(),
            };
            let (counts, b) = overlap_scores(&items, 8);
            let cells = contingency(&items.pred, &items.truth);
            let ps = sizes(items.pred.iter().copied(), 8);
            let ts = sizes(items.truth.iter().copied(), 8);
            assert_eq!(counts, PairCounts::from_cells(&cells, &ps, &ts));
            let b2 = bcubed_partition(&cells, &ps, &ts, pred.len() as u64);
            assert!(close(b.precision, b2.precision) && close(b.recall, b2.recall));
        }
    }

    #[test]
    fn extended_bcubed_hand_cases() {
        // Truth: a in X, b in X and Y, c in Y (the overlap Amigó et al.'s multiplicity
        // constraints are about). One predicted cluster {a, b, c}:
        //   true pairs share a category: (a,b), (b,c); predicted 3, correct 2.
        //   precision: a 2/3, b 3/3, c 2/3 -> 7/9
        //   recall: a (1 + 1)/2, b (1 + 1/2 + 1)/3, c (1 + 1)/2 -> 17/18, b is penalised
        //   because the prediction cannot show its two categories.
        let truth = Labels::from_pairs(
            "t",
            Role::Truth,
            [("a", "X"), ("b", "X"), ("b", "Y"), ("c", "Y"), ("b", "X")],
        )
        .unwrap();
        assert!(truth.is_overlapping());
        assert_eq!(truth.clusters_of("b"), ["X", "Y"]);
        let one = Labels::from_pairs("p", Role::Prediction, [("a", "1"), ("b", "1"), ("c", "1")]);
        let r = evaluate(&one.unwrap(), &truth, 5);
        assert_eq!(r.bcubed_variant, "extended");
        assert_eq!(r.overlapping_truth, 1);
        assert_eq!(
            (r.pairwise.true_positive_pairs, r.pairwise.predicted_pairs, r.pairwise.truth_pairs),
            (2, 3, 2)
        );
        assert_close!(r.bcubed.precision, 7.0 / 9.0);
        assert_close!(r.bcubed.recall, 17.0 / 18.0);
        assert!(r.notes.iter().any(|n| n.contains("first truth cluster")));
        // ARI/NMI see the first-label partition {a,b} {c} against one cluster.
        assert_close!(r.ari, 0.0);
        assert_close!(r.nmi, 0.0);
        // Truth sizes count every membership: X has a and b, Y has b and c.
        assert_eq!(r.truth.clusters, 2);
        assert_eq!(r.truth.largest.as_ref().map(|c| (c.cluster.as_str(), c.size)), Some(("X", 2)));

        // All singletons: precision 1; recall a 1/2, b (1/2)/3, c 1/2 -> 7/18.
        let singles =
            Labels::from_pairs("p", Role::Prediction, [("a", "1"), ("b", "2"), ("c", "3")]);
        let r = evaluate(&singles.unwrap(), &truth, 5);
        assert_close!(r.bcubed.precision, 1.0);
        assert_close!(r.bcubed.recall, 7.0 / 18.0);
    }

    #[test]
    fn worst_merges_and_splits_are_ranked_and_sampled() {
        // Predicted 1 mixes A (3), B (2), C (1); predicted 2 mixes A and D; 3 is pure.
        let pred = Labels::from_pairs(
            "p",
            Role::Prediction,
            [
                ("a1", "1"),
                ("a2", "1"),
                ("b1", "1"),
                ("a3", "1"),
                ("b2", "1"),
                ("c1", "1"),
                ("a4", "2"),
                ("d1", "2"),
                ("d2", "3"),
            ],
        )
        .unwrap();
        let truth = Labels::from_pairs(
            "t",
            Role::Truth,
            [
                ("a1", "A"),
                ("a2", "A"),
                ("a3", "A"),
                ("a4", "A"),
                ("b1", "B"),
                ("b2", "B"),
                ("c1", "C"),
                ("d1", "D"),
                ("d2", "D"),
            ],
        )
        .unwrap();
        let r = evaluate(&pred, &truth, 5);
        let m: Vec<_> =
            r.worst_merges.iter().map(|m| (m.cluster.as_str(), m.size, m.truth_clusters)).collect();
        assert_eq!(m, [("1", 6, 3), ("2", 2, 2)]);
        let top = &r.worst_merges[0].top;
        assert_eq!(top[0].cluster, "A");
        assert_eq!(top[0].count, 3);
        assert_eq!(top[0].ids, ["a1", "a2", "a3"]);
        assert_eq!((top[1].cluster.as_str(), top[1].count), ("B", 2));
        let s: Vec<_> = r
            .worst_splits
            .iter()
            .map(|s| (s.cluster.as_str(), s.size, s.predicted_clusters))
            .collect();
        assert_eq!(s, [("A", 4, 2), ("D", 2, 2)]);
        assert_eq!(r.worst_splits[0].top[0].ids, ["a1", "a2", "a3"]);
        assert_eq!(r.worst_splits[0].top[1].ids, ["a4"]);

        let r1 = evaluate(&pred, &truth, 1);
        assert_eq!((r1.worst_merges.len(), r1.worst_splits.len()), (1, 1));
        let r0 = evaluate(&pred, &truth, 0);
        assert!(r0.worst_merges.is_empty() && r0.worst_splits.is_empty());
        let text = r.render_text();
        assert!(text.contains("A: 3 (a1 a2 a3), B: 2 (b1 b2), C: 1 (c1)"), "{text}");
    }

    #[test]
    fn ties_order_by_natural_key_not_hash_order() {
        assert_eq!(natural_cmp("9", "10"), Ordering::Less);
        assert_eq!(natural_cmp("10", "b"), Ordering::Less);
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
        // Clusters 10 and 9 are equally bad merges: 9 first.
        let pred = Labels::from_pairs(
            "p",
            Role::Prediction,
            [("0", "10"), ("1", "10"), ("2", "9"), ("3", "9")],
        );
        let truth = part(Role::Truth, &[0, 1, 2, 3]);
        let keys: Vec<_> = evaluate(&pred.unwrap(), &truth, 5)
            .worst_merges
            .into_iter()
            .map(|m| m.cluster)
            .collect();
        assert_eq!(keys, ["9", "10"]);
    }

    #[test]
    fn json_floats_have_four_decimals() {
        let r = eval(&[0, 0, 1, 2], &[0, 0, 1, 1]);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"ari\":0.5714"), "{json}");
        assert!(json.contains("\"nmi_normalization\":\"arithmetic\""), "{json}");
        assert!(json.contains("\"scored_on\":\"intersection\""), "{json}");
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["pairwise"]["precision"], 1.0);
        assert_eq!(v["bcubed"]["recall"].as_f64(), Some(0.75));
    }

    #[test]
    fn text_report_is_aligned() {
        let r = eval(&[0, 0, 1, 2], &[0, 0, 1, 1]);
        let text = r.render_text();
        assert!(text.contains("\n          precision  recall      f1\n"), "{text}");
        assert!(
            text.contains("\npairwise     1.0000  0.5000  0.6667  1 of 1 predicted pairs"),
            "{text}"
        );
        assert!(text.contains("\nARI          0.5714\n"), "{text}");
        assert!(text.contains("\nNMI          0.8000                  arithmetic mean"), "{text}");
        assert!(text.contains("\nprediction         3           2  c0 (2)\n"), "{text}");
        assert!(!text.lines().any(|l| l.ends_with(' ')), "{text}");
        assert_eq!(format!("{r}"), text);
    }

    #[test]
    fn large_cluster_is_counted_not_enumerated() {
        // 1M-article predictions with a 100k cluster must not enumerate its 5e9 pairs; a
        // quarter of that keeps the debug test quick and still far past any pair loop.
        let n = 250_000u32;
        let pred: Vec<u32> =
            (0..n).map(|i| if i < 100_000 { 0 } else { 1 + (i - 100_000) / 3 }).collect();
        let truth: Vec<u32> = (0..n).map(|i| i / 5).collect();
        let r = eval(&pred, &truth);
        assert_eq!(r.pairwise.predicted_pairs, pairs(100_000) + 50_000 * 3);
        assert_eq!(r.prediction.largest.as_ref().map(|c| c.size), Some(100_000));
        assert_eq!(r.worst_merges[0].truth_clusters, 20_000);
    }

    #[test]
    fn tsv_header_column_and_blank_lines() {
        let text = "\u{feff}id\tevent\tthread\r\n\na\t1\tx\r\nb\t1\ty\n  \nc\t2\t\n";
        let by_event = labels_from(text, 2, Role::Prediction).unwrap();
        assert_eq!(by_event.format(), LabelFormat::Tsv);
        assert_eq!(by_event.len(), 3);
        assert_eq!(by_event.num_clusters(), 2);
        assert_eq!(by_event.clusters_of("a"), ["1"]);
        assert_eq!(by_event.detail(), "TSV, column 2");
        let by_thread = labels_from(text, 3, Role::Prediction).unwrap();
        assert_eq!(by_thread.clusters_of("b"), ["y"]);
        assert_eq!(by_thread.unlabelled().collect::<Vec<_>>(), ["c"]);
        // No header: the first line is data.
        let plain = labels_from("1\tX\n2\tX\n", 2, Role::Truth).unwrap();
        assert_eq!(plain.len(), 2);
    }

    #[test]
    fn a_byte_order_mark_opening_any_line_is_skipped() {
        // `cat a.tsv b.tsv` of two spreadsheet exports: b's mark and header come mid-stream.
        let text = "\u{feff}id\tevent\na\t1\n\u{feff}id\tevent\nb\t1\n\u{feff}c\t2\n";
        let tsv = labels_from(text, 2, Role::Prediction).unwrap();
        assert_eq!(tsv.ids.iter().map(|id| &**id).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(tsv.clusters_of("b"), ["1"]);
        // An id that reads "id" is data when no mark says a file starts there.
        let plain = labels_from("a\t1\nid\t1\n", 2, Role::Truth).unwrap();
        assert_eq!(plain.clusters_of("id"), ["1"]);
        let bom = "\u{feff}";
        let jsonl = format!(
            "{bom}{{\"type\":\"cluster\",\"cluster\":1,\"members\":[{{\"id\":\"a\"}}]}}\n\
             {bom}{{\"type\":\"cluster\",\"cluster\":2,\"members\":[{{\"id\":\"b\"}}]}}\n"
        );
        let json = labels_from(&jsonl, 2, Role::Prediction).unwrap();
        assert_eq!(json.format(), LabelFormat::Jsonl);
        assert_eq!(json.clusters_of("b"), ["2"]);
    }

    #[test]
    fn tsv_errors_name_line_and_field() {
        let err = labels_from("a\t1\nb\n", 2, Role::Truth).unwrap_err().to_string();
        assert!(err.starts_with("in.tsv:2: column 2: missing"), "{err}");
        let err = labels_from("a\t1\tx\n", 4, Role::Truth).unwrap_err().to_string();
        assert!(err.contains("in.tsv:1: column 4") && err.contains("3 columns"), "{err}");
        let err = labels_from("a\t1\n\t2\n", 2, Role::Truth).unwrap_err().to_string();
        assert!(err.starts_with("in.tsv:2: id: empty id"), "{err}");
        let err = labels_from("a\t1\n", 1, Role::Truth).unwrap_err().to_string();
        assert!(err.contains("column 1 holds the id"), "{err}");
        let bad = Labels::from_reader(&b"a\t1\nb\t\xff\n"[..], "in.tsv", 2, Role::Truth);
        assert!(bad.unwrap_err().to_string().starts_with("in.tsv:2: record: not valid UTF-8"));
    }

    #[test]
    fn prediction_must_be_a_partition_truth_may_overlap() {
        let text = "a\t1\nb\t1\na\t1\na\t2\n";
        let err = labels_from(text, 2, Role::Prediction).unwrap_err().to_string();
        assert!(err.starts_with("in.tsv:4: id: "), "{err}");
        assert!(err.contains("already in cluster \"1\" (line 1)"), "{err}");
        let truth = labels_from(text, 2, Role::Truth).unwrap();
        assert_eq!(truth.clusters_of("a"), ["1", "2"]);
        assert!(truth.is_overlapping());
        // Rejected (empty) and clustered at once is no partition either.
        let err = labels_from("a\t\na\t1\n", 2, Role::Prediction).unwrap_err().to_string();
        assert!(err.starts_with("in.tsv:2: id:") && err.contains("no cluster at line 1"), "{err}");
        let truth = labels_from("a\t\na\t1\n", 2, Role::Truth).unwrap();
        assert_eq!(truth.clusters_of("a"), ["1"]);
        assert_eq!(truth.unlabelled().count(), 0);
    }

    #[test]
    fn jsonl_groups_clusters_and_rejected() {
        let text = r#"
{"type":"group","group":7,"size":2,"representative":"a1","members":[{"id":"a1","similarity":1.0},{"id":"a2","similarity":0.9}]}
{"type":"group","group":8,"size":1,"members":[{"id":17}]}
{"type":"rejected","id":"r1","reason":"empty text"}
{"type":"summary","articles":4}
"#;
        let l = labels_from(text, 2, Role::Prediction).unwrap();
        assert_eq!(l.format(), LabelFormat::Jsonl);
        assert_eq!(l.detail(), "JSON Lines, group records");
        assert_eq!(l.clusters_of("a2"), ["7"]);
        assert_eq!(l.clusters_of("17"), ["8"]);
        assert_eq!(l.unlabelled().collect::<Vec<_>>(), ["r1"]);

        // dedup writes rejected records without an id for records that had none.
        let text = r#"{"type":"rejected","input":"dump.jsonl","line":17,"field":"text","reason":"missing"}
{"type":"rejected","reason":"?"}"#;
        let l = labels_from(text, 2, Role::Prediction).unwrap();
        assert_eq!(l.unlabelled().collect::<Vec<_>>(), ["dump.jsonl:17", "in.tsv:2"]);

        // Cluster records win over group records in the same file.
        let text = r#"{"type":"group","group":1,"members":[{"id":"a"}]}
{"type":"group","group":2,"members":[{"id":"b"}]}
{"type":"cluster","cluster":3,"size":2,"members":[{"id":"a","group":1,"similarity":1.0},{"id":"b","group":2,"similarity":0.5}]}
{"type":"thread","thread":1,"clusters":[3]}
{"type":"cluster","cluster":"x","members":["c", 4, 5.0]}"#;
        let l = labels_from(text, 2, Role::Prediction).unwrap();
        assert_eq!(l.detail(), "JSON Lines, cluster records");
        assert_eq!(l.clusters_of("a"), ["3"]);
        assert_eq!(l.clusters_of("b"), ["3"]);
        assert_eq!(l.clusters_of("4"), ["x"]);
        assert_eq!(l.clusters_of("5.0"), ["x"]);

        // Numeric ids are their text, as the reader keeps them; cluster keys are integers.
        let text = r#"{"type":"cluster","cluster":7.0,"members":[{"id":1e3},{"similarity":1,"id":123456789012345678901234567890},1.50, {"id": 8 }]}
{"type":"rejected","id":-0.0}"#;
        let l = labels_from(text, 2, Role::Prediction).unwrap();
        for id in ["1e3", "123456789012345678901234567890", "1.50", "8"] {
            assert_eq!(l.clusters_of(id), ["7"], "{id}");
        }
        assert_eq!(l.unlabelled().collect::<Vec<_>>(), ["-0.0"]);
    }

    #[test]
    fn rejected_copy_of_a_clustered_id_is_skipped_not_a_second_assignment() {
        // cluster --skip-invalid on a corpus where a0001 appears twice: the first record is
        // clustered, the second rejected as a duplicate id.
        let pred = r#"{"type":"cluster","cluster":129,"members":[{"id":"a0001"},{"id":"a0002"}]}
{"type":"cluster","cluster":130,"members":[{"id":"a0003"}]}
{"type":"rejected","input":"in.jsonl","line":4,"id":"a0001","field":"id","reason":"duplicate id (first on line 1)"}
{"type":"rejected","input":"in.jsonl","line":5,"id":"b9","field":"text","reason":"missing"}
{"type":"summary","articles":3,"rejected":2}"#;
        let p = labels_from(pred, 2, Role::Prediction).unwrap();
        assert_eq!(p.clusters_of("a0001"), ["129"]);
        assert_eq!(p.rejected_duplicates(), 1);
        assert_eq!(p.unlabelled().collect::<Vec<_>>(), ["b9"]);
        let truth = labels_from("a0001\tE1\na0002\tE1\na0003\tE2\n", 2, Role::Truth).unwrap();
        let r = evaluate(&p, &truth, 5);
        assert_eq!(r.evaluated, 3);
        assert_eq!((r.rejected.count, r.rejected.ids.clone()), (1, vec!["b9".to_string()]));
        assert_eq!(r.prediction.rejected_duplicates, 1);
        for m in all_metrics(&r) {
            assert_close!(m, 1.0);
        }
        let text = r.render_text();
        assert!(text.contains("1 without a cluster, 1 rejected duplicate skipped)"), "{text}");
        assert!(text.contains("note: 1 rejected record in the prediction repeats"), "{text}");

        // Wherever the rejected record stands.
        let text = "{\"type\":\"rejected\",\"id\":\"a\"}\n{\"type\":\"group\",\"group\":1,\"members\":[\"a\"]}\n";
        let l = labels_from(text, 2, Role::Prediction).unwrap();
        assert_eq!((l.clusters_of("a"), l.rejected_duplicates()), (vec!["1"], 1));

        // Two clusters for one id is still no partition, rejected copies or not.
        let text = r#"{"type":"cluster","cluster":1,"members":["a"]}
{"type":"cluster","cluster":2,"members":["a"]}
{"type":"rejected","id":"a"}"#;
        let err = labels_from(text, 2, Role::Prediction).unwrap_err().to_string();
        assert!(err.contains("id \"a\" is already in cluster \"1\""), "{err}");
        // An empty TSV cluster field is no rejected record: still an error beside a cluster.
        let err = labels_from("a\t1\na\t\n", 2, Role::Prediction).unwrap_err().to_string();
        assert!(err.contains("empty cluster field"), "{err}");
    }

    #[test]
    fn tsv_ids_are_unescaped_as_samestory_escapes_them() {
        let ids = ["a\tb", "a\\tb", "line\none", "C:\\news\\x.txt", "ends\\", "cr\r"];
        let text: String =
            ids.iter().enumerate().map(|(i, id)| format!("{}\t{i}\n", tsv::escape(id))).collect();
        let l = labels_from(&text, 2, Role::Prediction).unwrap();
        assert_eq!(l.len(), ids.len());
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(l.clusters_of(id), [i.to_string()], "{id:?}");
        }
        let err = labels_from("a\t1\nC:\\news\\x.txt\t2\n", 2, Role::Truth).unwrap_err();
        let err = err.to_string();
        assert!(err.starts_with("in.tsv:2: id: unknown escape \\x at byte 7"), "{err}");
        let err = labels_from("a\\\t1\n", 2, Role::Truth).unwrap_err().to_string();
        assert!(err.starts_with("in.tsv:1: id: lone backslash"), "{err}");
    }

    #[test]
    fn jsonl_errors_name_line_and_field() {
        let cases = [
            (
                "{\"type\":\"group\",\"group\":1,\"members\":[{\"id\":\"a\"}]}\n{oops\n",
                "in.tsv:2: record: invalid JSON",
            ),
            (
                "{\"type\":\"group\",\"group\":1,\"members\":[{\"id\":\"a\"},{\"similarity\":1}]}",
                "in.tsv:1: members[1].id: missing",
            ),
            ("{\"type\":\"cluster\",\"members\":[]}", "in.tsv:1: cluster: missing"),
            ("{\"type\":\"cluster\",\"cluster\":1}", "in.tsv:1: members: missing"),
            ("{\"id\":\"a\",\"title\":\"t\"}", "in.tsv:1: type: missing"),
            ("{\"type\":\"rejected\",\"id\":[1]}", "in.tsv:1: id: expected a string"),
            (
                "{\"type\":\"group\",\"group\":1.5,\"members\":[{\"id\":1.5}]}",
                "group: 1.5 is not an integer",
            ),
            (
                "{\"type\":\"group\",\"group\":1,\"members\":[{\"id\":null}]}",
                "members[0].id: expected a string or an integer, got null",
            ),
            ("{\"type\":\"summary\"}\n[1,2]", "in.tsv:2: record: expected a JSON object"),
        ];
        for (text, expect) in cases {
            let err = labels_from(text, 2, Role::Truth).unwrap_err().to_string();
            assert!(err.contains(expect), "{text}: {err}");
        }
        let text = "{\"type\":\"group\",\"group\":1,\"members\":[{\"id\":\"a\"}]}\n\
                    {\"type\":\"group\",\"group\":2,\"members\":[{\"id\":\"b\"},{\"id\":\"a\"}]}\n";
        let err = labels_from(text, 2, Role::Prediction).unwrap_err().to_string();
        assert!(
            err.starts_with("in.tsv:2: members[1].id: id \"a\" is already in cluster \"1\""),
            "{err}"
        );
        let err = labels_from("{\"type\":\"summary\"}", 3, Role::Truth).unwrap_err().to_string();
        assert!(err.contains("TSV input only"), "{err}");
    }

    #[test]
    fn empty_input_reads_as_empty_labels() {
        let l = labels_from("\n\n", 2, Role::Truth).unwrap();
        assert!(l.is_empty());
        let r = evaluate(&l, &l, 5);
        assert_eq!(r.evaluated, 0);
        assert!(r.prediction.largest.is_none());
        assert!(r.render_text().contains("largest (size)"));
    }
}
