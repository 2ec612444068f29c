//! Writers for `dedup` results: JSON Lines groups, `id<TAB>group` TSV, verified pairs, and the
//! deduplicated corpus.

use std::io::{self, Write};

use serde::Serialize;

use crate::dedup::{round4, DedupResult};
use crate::error::{Error, Result};
use crate::params::{DedupParams, Verify};
use crate::read::{Chunk, Corpus, InputKind, Rejection};
use crate::tsv::escape;

#[derive(Serialize)]
struct GroupRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    group: usize,
    size: usize,
    representative: &'a str,
    members: Vec<MemberRecord<'a>>,
}

#[derive(Serialize)]
struct MemberRecord<'a> {
    id: &'a str,
    similarity: f64,
}

/// A rejected record as written to JSON Lines.
#[derive(Serialize)]
pub struct RejectedRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    input: &'a str,
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    field: &'a str,
    reason: &'a str,
}

impl<'a> From<&'a Rejection> for RejectedRecord<'a> {
    fn from(r: &'a Rejection) -> Self {
        RejectedRecord {
            kind: "rejected",
            input: &r.input,
            line: r.line,
            id: r.id.as_deref(),
            field: &r.field,
            reason: &r.reason,
        }
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    articles: usize,
    rejected: usize,
    groups: usize,
    duplicates: usize,
    boilerplate_lines: usize,
    boilerplate_dropped: u64,
    threshold: f64,
    shingle_size: usize,
    char_shingles: bool,
    num_perm: usize,
    bands: usize,
    rows: usize,
    verify: &'a str,
    seed: u64,
}

fn json_line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Writes one `group` record per group (largest first), one `rejected` record per rejected
/// record, and a closing `summary` record.
pub fn write_jsonl(out: &mut dyn Write, res: &DedupResult, params: &DedupParams) -> io::Result<()> {
    for (g, group) in res.groups.iter().enumerate() {
        let rec = GroupRecord {
            kind: "group",
            group: g,
            size: group.members.len(),
            representative: &res.articles[group.representative as usize].id,
            members: group
                .members
                .iter()
                .map(|&(m, s)| MemberRecord { id: &res.articles[m as usize].id, similarity: s })
                .collect(),
        };
        json_line(out, &rec)?;
    }
    for r in &res.rejected {
        json_line(out, &RejectedRecord::from(r))?;
    }
    let summary = Summary {
        kind: "summary",
        articles: res.articles.len(),
        rejected: res.rejected.len(),
        groups: res.groups.len(),
        duplicates: res.articles.len() - res.groups.len(),
        boilerplate_lines: res.stats.boilerplate_lines,
        boilerplate_dropped: res.stats.boilerplate_dropped,
        threshold: params.threshold,
        shingle_size: params.shingle.size,
        char_shingles: params.shingle.char_shingles,
        num_perm: params.num_perm,
        bands: res.lsh.num_bands,
        rows: res.lsh.rows_per_band,
        verify: match params.verify {
            Verify::Estimate => "estimate",
            Verify::Exact => "exact",
        },
        seed: params.seed,
    };
    json_line(out, &summary)
}

/// Writes `id<TAB>group` for every article, in group order, ids escaped by [`escape`].
pub fn write_tsv(out: &mut dyn Write, res: &DedupResult) -> io::Result<()> {
    for (g, group) in res.groups.iter().enumerate() {
        for &(m, _) in &group.members {
            writeln!(out, "{}\t{}", escape(&res.articles[m as usize].id), g)?;
        }
    }
    Ok(())
}

/// Writes every verified pair as `id_a<TAB>id_b<TAB>similarity`, ordered by the ids.
pub fn write_pairs(out: &mut dyn Write, res: &DedupResult) -> io::Result<()> {
    let mut rows: Vec<(&str, &str, f64)> = res
        .pairs
        .iter()
        .map(|p| {
            let (a, b) = (&res.articles[p.a as usize].id, &res.articles[p.b as usize].id);
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            (a.as_str(), b.as_str(), round4(f64::from(p.score)))
        })
        .collect();
    rows.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
    for (a, b, s) in rows {
        writeln!(out, "{}\t{}\t{}", escape(a), escape(b), s)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct TextArticle<'a> {
    id: &'a str,
    title: &'a str,
    text: &'a str,
}

/// Copies the representatives' records to `out` unchanged, in input order (text-directory
/// articles, which have no record, become `{"id","title","text"}` objects).
pub fn write_unique(out: &mut dyn Write, corpus: &Corpus, res: &DedupResult) -> Result<()> {
    let mut keep: Vec<(u32, u64)> = res
        .groups
        .iter()
        .map(|g| {
            let loc = res.articles[g.representative as usize].loc;
            (loc.input, loc.line)
        })
        .collect();
    keep.sort_unstable();
    let io_err = |e: io::Error| Error::io("--emit-unique", e);
    corpus.scan(|chunk: Chunk| {
        for rec in &chunk.records {
            if keep.binary_search(&(rec.loc.input, rec.loc.line)).is_err() {
                continue;
            }
            match corpus.inputs()[rec.loc.input as usize].kind {
                InputKind::Jsonl => {
                    out.write_all(chunk.bytes(rec)).map_err(io_err)?;
                    out.write_all(b"\n").map_err(io_err)?;
                }
                InputKind::TextDir => {
                    let r = corpus.parse(&chunk, rec).map_err(|r| r.to_error())?;
                    let a = TextArticle { id: &r.id, title: &r.title, text: &r.text };
                    json_line(out, &a).map_err(io_err)?;
                }
            }
        }
        Ok(())
    })
}
