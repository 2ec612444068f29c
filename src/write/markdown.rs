//! Markdown digest of story clusters for editors who skim: a header with the run's counts, one
//! section per cluster in the order given (headline, facts, summary, keywords, entities,
//! articles per day, thread links, a `mixed` warning, the first members with their
//! near-duplicate group, similarity and id, what the copies changed), then the story threads.
//!
//! Article text is untrusted: every piece is backslash-escaped and its whitespace collapsed, so a
//! title never becomes emphasis, a link, a heading, a table or raw HTML (CommonMark 0.31 §2.4,
//! plus GFM's `|` and `~`). Only http(s) URLs become links. Clusters and threads get explicit
//! `<a id>` anchors (`c12`, `t3`) because generated heading slugs differ between renderers.
//! Cost: linear in the clusters, the members shown and the thread links.

use super::{date_span, plural};
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use super::html::http_url;
use crate::normalize::is_blank;
use crate::story::{
    Change, ClusterSummary, CopyDiff, DayCount, GroupDiff, ReportMeta, Segment, ThreadSummary,
};

/// Members listed per cluster; the digest is for skimming, the JSON Lines output has them all.
const MEMBERS_SHOWN: usize = 10;
/// Days listed in a cluster's articles-per-day line.
const DAYS_SHOWN: usize = 14;
/// Changed copies listed per cluster, and edited, added or removed sentences per copy.
const COPIES_SHOWN: usize = 5;
const DIFF_SENTENCES_SHOWN: usize = 3;
/// Sibling events linked from a cluster's thread line, in a window around the cluster.
const THREAD_WINDOW: usize = 9;
/// Events linked from one entry of the threads section.
const THREAD_LINKS: usize = 30;

/// Writes the Markdown digest of `clusters` (in the order given) and `threads`.
///
/// Thread links point only at clusters present in `clusters`; others are named but not linked,
/// so a digest of the top clusters has no dangling anchors.
pub fn write_markdown(
    out: &mut dyn Write,
    clusters: &[ClusterSummary],
    threads: &[ThreadSummary],
    meta: &ReportMeta,
) -> io::Result<()> {
    let present: HashSet<u32> = clusters.iter().map(|c| c.cluster).collect();
    let by_thread: HashMap<u32, &ThreadSummary> = threads.iter().map(|t| (t.thread, t)).collect();

    write_header(
        out,
        clusters.len(),
        threads.iter().filter(|t| t.clusters.len() > 1).count(),
        meta,
    )?;
    if clusters.is_empty() {
        writeln!(out, "No story clusters.\n")?;
    }
    for c in clusters {
        write_cluster(out, c, by_thread.get(&c.thread).copied(), &present)?;
    }
    if !threads.is_empty() {
        write_threads(out, threads, &present)?;
    }
    Ok(())
}

fn write_header(
    out: &mut dyn Write,
    shown: usize,
    threads: usize,
    meta: &ReportMeta,
) -> io::Result<()> {
    writeln!(out, "# Story clusters\n")?;
    write!(out, "{} articles · {} event clusters", meta.articles, meta.clusters)?;
    if shown != meta.clusters {
        write!(out, " ({shown} shown)")?;
    }
    write!(out, " · {}", plural(meta.threads, "story thread", "story threads"))?;
    if threads > 0 {
        write!(out, " ([list](#threads))")?;
    }
    writeln!(out, " · {} rejected", meta.rejected)?;
    if !meta.inputs.is_empty() || !meta.version.is_empty() {
        writeln!(out)?;
        let mut parts = Vec::new();
        if !meta.inputs.is_empty() {
            let names: Vec<String> = meta.inputs.iter().map(|i| escape(i)).collect();
            parts.push(format!("Inputs: {}", names.join(", ")));
        }
        if !meta.version.is_empty() {
            parts.push(format!("samestory {}", escape(&meta.version)));
        }
        writeln!(out, "{}", parts.join(" · "))?;
    }
    writeln!(out)
}

fn write_cluster(
    out: &mut dyn Write,
    c: &ClusterSummary,
    thread: Option<&ThreadSummary>,
    present: &HashSet<u32>,
) -> io::Result<()> {
    let headline = if is_blank(&c.headline) { "(no headline)".into() } else { escape(&c.headline) };
    writeln!(out, "## <a id=\"c{n}\"></a>{n}. {headline}\n", n = c.cluster)?;

    write!(
        out,
        "{} · {} distinct {} · {} {}",
        plural(c.size, "article", "articles"),
        c.distinct_texts,
        if c.distinct_texts == 1 { "text" } else { "texts" },
        c.outlets,
        if c.outlets == 1 { "outlet" } else { "outlets" },
    )?;
    if let Some(span) = date_span(c.first_date.as_deref(), c.last_date.as_deref()) {
        write!(out, " · {}", escape(&span))?;
    }
    if let Some(first) = c.first_outlet.as_deref().filter(|s| !is_blank(s)) {
        write!(out, " · first: {}", escape(first))?;
    }
    writeln!(out, " · cohesion {:.2}\n", c.cohesion)?;

    if c.mixed {
        writeln!(
            out,
            "> **Mixed:** these articles may report two different events; check the members \
             before using the summary.\n"
        )?;
    }
    if !is_blank(&c.summary) {
        writeln!(out, "{}\n", escape_block(&c.summary))?;
    }
    write_terms(out, "Keywords", &c.keywords)?;
    write_terms(out, "Entities", &c.entities)?;
    write_per_day(out, &c.per_day)?;
    if let Some(t) = thread.filter(|t| t.clusters.len() > 1) {
        write_thread_line(out, c.cluster, t, present)?;
    }
    write_members(out, c)?;
    write_copy_diffs(out, c)
}

/// Articles per day, when the cluster spans more than one: the timeline of the HTML report.
fn write_per_day(out: &mut dyn Write, per_day: &[DayCount]) -> io::Result<()> {
    if per_day.len() < 2 {
        return Ok(());
    }
    let mut days: Vec<String> = per_day
        .iter()
        .take(DAYS_SHOWN)
        .map(|d| format!("{} {}", escape(&d.date), d.articles))
        .collect();
    if per_day.len() > DAYS_SHOWN {
        days.push(format!("… ({} more days)", per_day.len() - DAYS_SHOWN));
    }
    writeln!(out, "**Per day:** {}\n", days.join(" · "))
}

/// What each near-duplicate copy changed against its group's representative: the sentences
/// it edited (words struck through and in bold), added and removed, a few per copy (the JSON
/// Lines output has more).
fn write_copy_diffs(out: &mut dyn Write, c: &ClusterSummary) -> io::Result<()> {
    let changed: Vec<(&GroupDiff, &CopyDiff)> = c
        .group_diffs
        .iter()
        .flat_map(|g| g.copies.iter().map(move |d| (g, d)))
        .filter(|(_, d)| !d.is_unchanged())
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    writeln!(out, "**What the copies changed:**\n")?;
    for (g, d) in changed.iter().take(COPIES_SHOWN) {
        writeln!(
            out,
            "- {} (group {}) against {}:",
            escape(&d.id),
            g.group,
            escape(&g.representative)
        )?;
        for change in d.changed.iter().take(DIFF_SENTENCES_SHOWN) {
            writeln!(out, "  - ± {}", marked_change(change))?;
        }
        if d.changed.len() > DIFF_SENTENCES_SHOWN {
            writeln!(out, "  - ± … {} more", d.changed.len() - DIFF_SENTENCES_SHOWN)?;
        }
        for (sign, sentences) in [("+", &d.added), ("−", &d.removed)] {
            for s in sentences.iter().take(DIFF_SENTENCES_SHOWN) {
                writeln!(out, "  - {sign} {}", escape_block(s))?;
            }
            if sentences.len() > DIFF_SENTENCES_SHOWN {
                writeln!(out, "  - {sign} … {} more", sentences.len() - DIFF_SENTENCES_SHOWN)?;
            }
        }
    }
    if changed.len() > COPIES_SHOWN {
        writeln!(out, "- … and {} more changed copies", changed.len() - COPIES_SHOWN)?;
    }
    writeln!(out)
}

/// An edited sentence with the representative's words struck through and the copy's in bold.
fn marked_change(change: &Change) -> String {
    let mut parts: Vec<String> = Vec::new();
    for seg in change.segments() {
        match seg {
            Segment::Same(t) => parts.push(escape(t)),
            Segment::Edited { removed, added } => {
                if !removed.is_empty() {
                    parts.push(format!("~~{}~~", escape(removed)));
                }
                if !added.is_empty() {
                    parts.push(format!("**{}**", escape(added)));
                }
            }
        }
    }
    parts.join(" ")
}

fn write_terms(out: &mut dyn Write, label: &str, terms: &[String]) -> io::Result<()> {
    if terms.is_empty() {
        return Ok(());
    }
    let terms: Vec<String> = terms.iter().map(|t| escape(t)).collect();
    writeln!(out, "**{label}:** {}\n", terms.join(", "))
}

/// One line placing the cluster among its thread's events, oldest first. Long threads show a
/// window around the cluster so the line stays short; the threads section lists them all.
fn write_thread_line(
    out: &mut dyn Write,
    this: u32,
    t: &ThreadSummary,
    present: &HashSet<u32>,
) -> io::Result<()> {
    let n = t.clusters.len();
    let at = t.clusters.iter().position(|&c| c == this).unwrap_or(0);
    let start = at.saturating_sub(THREAD_WINDOW / 2).min(n.saturating_sub(THREAD_WINDOW));
    let end = (start + THREAD_WINDOW).min(n);
    write!(out, "**Thread:** [{} events](#t{}): ", n, t.thread)?;
    let mut parts = Vec::with_capacity(end - start + 2);
    if start > 0 {
        parts.push("…".to_string());
    }
    for &other in &t.clusters[start..end] {
        parts.push(if other == this {
            format!("**{other}**")
        } else if present.contains(&other) {
            format!("[{other}](#c{other})")
        } else {
            other.to_string()
        });
    }
    if end < n {
        parts.push("…".to_string());
    }
    writeln!(out, "{}\n", parts.join(" → "))
}

fn write_members(out: &mut dyn Write, c: &ClusterSummary) -> io::Result<()> {
    if c.members.is_empty() {
        return Ok(());
    }
    writeln!(out, "**Members:**\n")?;
    for m in c.members.iter().take(MEMBERS_SHOWN) {
        let title = if is_blank(&m.title) { escape(&m.id) } else { escape(&m.title) };
        match http_url(&m.url) {
            Some(url) => write!(out, "- [{title}]({url})")?,
            None => write!(out, "- {title}")?,
        }
        let mut rest = Vec::with_capacity(4);
        if !is_blank(&m.source) {
            rest.push(escape(&m.source));
        }
        if let Some(day) = m.published.as_deref().filter(|d| !is_blank(d)) {
            rest.push(escape(day));
        }
        rest.push(format!("group {}", m.group));
        rest.push(format!("similarity {:.2}", m.similarity));
        // The id traces a member back to its record; an untitled member already shows it.
        if !is_blank(&m.title) {
            rest.push(format!("id {}", escape(&m.id)));
        }
        if rest.is_empty() {
            writeln!(out)?;
        } else {
            writeln!(out, " — {}", rest.join(", "))?;
        }
    }
    // `size` is authoritative: callers may have trimmed `members` already.
    let total = c.size.max(c.members.len());
    if total > MEMBERS_SHOWN {
        writeln!(out, "- … and {} more", total - MEMBERS_SHOWN)?;
    }
    writeln!(out)
}

fn write_threads(
    out: &mut dyn Write,
    threads: &[ThreadSummary],
    present: &HashSet<u32>,
) -> io::Result<()> {
    // A thread of one event is just that event, already above; only threads that link events
    // are listed, as the header counts them.
    let linked: Vec<&ThreadSummary> = threads.iter().filter(|t| t.clusters.len() > 1).collect();
    if linked.is_empty() {
        return Ok(());
    }
    writeln!(out, "## <a id=\"threads\"></a>Story threads\n")?;
    for t in linked {
        let headline =
            if is_blank(&t.headline) { "(no headline)".into() } else { escape(&t.headline) };
        write!(
            out,
            "- <a id=\"t{}\"></a>**Thread {}:** {headline} — {}, {}",
            t.thread,
            t.thread,
            plural(t.clusters.len(), "event", "events"),
            plural(t.size, "article", "articles"),
        )?;
        if let Some(span) = date_span(t.first_date.as_deref(), t.last_date.as_deref()) {
            write!(out, ", {}", escape(&span))?;
        }
        let links: Vec<String> = t
            .clusters
            .iter()
            .take(THREAD_LINKS)
            .map(|&c| if present.contains(&c) { format!("[{c}](#c{c})") } else { c.to_string() })
            .collect();
        write!(out, ". Events: {}", links.join(" → "))?;
        if t.clusters.len() > THREAD_LINKS {
            write!(out, " → … ({} more)", t.clusters.len() - THREAD_LINKS)?;
        }
        if !t.entities.is_empty() {
            let names: Vec<String> = t.entities.iter().map(|e| escape(e)).collect();
            write!(out, ". Shared: {}", names.join(", "))?;
        }
        writeln!(out)?;
    }
    writeln!(out)
}

/// Escapes text for use inside a line: collapses whitespace (a newline could start a block) and
/// backslash-escapes every character that can open inline markup. `&` is escaped so `&lt;` stays
/// literal; `#` so a trailing one is not eaten as a closing heading sequence; `$` for GitHub math.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for (i, ch) in word.char_indices() {
            let markup = matches!(
                ch,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' | '&' | '$'
            );
            if markup || opens_autolink(word, i, ch) {
                out.push('\\');
            }
            out.push(ch);
        }
    }
    out
}

/// True for the `:` of `://` and the `.` of a word-initial `www.`, which GFM would turn into
/// links on its own (its extended autolinks); an escaped trigger is plain text. E-mail
/// autolinks cannot be stopped by escaping, but they only ever make `mailto:` links.
fn opens_autolink(word: &str, i: usize, ch: char) -> bool {
    match ch {
        ':' => word[i + 1..].starts_with("//"),
        '.' => {
            i >= 3
                && word.get(i - 3..i).is_some_and(|w| w.eq_ignore_ascii_case("www"))
                && !word[..i - 3].chars().next_back().is_some_and(char::is_alphanumeric)
        }
        _ => false,
    }
}

/// Like [`escape`], for text that starts a line: a leading `-`, `+`, `=` or `1.`/`1)` would
/// otherwise open a list or underline a heading.
fn escape_block(s: &str) -> String {
    let mut out = escape(s);
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else {
        let digits = out.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && matches!(out.as_bytes().get(digits), Some(b'.' | b')')) {
            out.insert(digits, '\\');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::html::tests::{cluster, synthetic, thread};

    fn render(clusters: &[ClusterSummary], threads: &[ThreadSummary]) -> String {
        let meta = ReportMeta {
            inputs: vec!["wire_*.jsonl".into()],
            articles: clusters.iter().map(|c| c.size).sum(),
            rejected: 1,
            clusters: clusters.len(),
            threads: threads.len(),
            version: "0.1.0".into(),
        };
        let mut out = Vec::new();
        write_markdown(&mut out, clusters, threads, &meta).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_edited_sentence_strikes_the_old_words_and_bolds_the_new() {
        let change = Change {
            sentence: "Talks on *air* defence went on in Brussels.".into(),
            edits: vec![
                crate::story::Edit { at: 2, removed: "*air*".into(), added: "[missile]".into() },
                crate::story::Edit { at: 8, removed: String::new(), added: "today".into() },
            ],
        };
        assert_eq!(
            marked_change(&change),
            "Talks on ~~\\*air\\*~~ **\\[missile\\]** defence went on in Brussels. **today**"
        );
    }

    #[test]
    fn article_text_cannot_become_markup() {
        assert_eq!(
            escape("*bold* _it_ [x](y) `c` <b> a|b ~s~ #1 &amp;"),
            r"\*bold\* \_it\_ \[x\](y) \`c\` \<b\> a\|b \~s\~ \#1 \&amp;"
        );
        assert_eq!(escape("line\none\r\n  two\ttabs"), "line one two tabs");
        assert_eq!(escape(r"C:\path"), r"C:\\path");
        assert_eq!(
            escape("see http://x.com, (www.x.com) or WWW.x.com"),
            r"see http\://x.com, (www\.x.com) or WWW\.x.com"
        );
        assert_eq!(escape("Awww.com 10:30 a.m."), "Awww.com 10:30 a.m.");
        assert_eq!(escape_block("- not a list"), r"\- not a list");
        assert_eq!(escape_block("2024. A year"), r"2024\. A year");
        assert_eq!(escape_block("3) three"), r"3\) three");
        assert_eq!(escape_block("# not a heading"), r"\# not a heading");
        assert_eq!(escape_block("> quote"), r"\> quote");
        assert_eq!(escape_block("10 killed"), "10 killed");
    }

    #[test]
    fn hostile_titles_and_urls_are_neutralised() {
        let mut c = cluster(4, 3);
        c.headline = "Storm <script>alert(1)</script> hits *coast* | #breaking".into();
        c.summary = "1. Winds & rain\n# hit\nthe [coast](javascript:alert(1)).".into();
        c.members[0].title = "A [link](http://evil) <img src=x onerror=alert(1)>".into();
        c.members[0].url = "javascript:alert(1)".into();
        c.members[1].url = "https://example.com/a (b)<c>".into();
        c.members[2].title = "Q&A: \"quotes\" 'too'".into();
        let md = render(&[c], &[]);
        assert!(md.contains(r"Storm \<script\>alert(1)\</script\> hits \*coast\* \| \#breaking"));
        assert!(md.contains(r"1\. Winds \& rain \# hit the \[coast\](javascript:alert(1))."));
        // The only raw HTML is the digest's own anchors.
        let raw = md.replace(r"\<", "");
        let anchors = raw.matches("<a id=\"").count() + raw.matches("</a>").count();
        assert_eq!(raw.matches('<').count(), anchors, "{md}");
        assert!(!md.replace(r"\]", "").contains("](javascript"), "{md}");
        assert!(md.contains(r"- A \[link\](http\://evil) \<img src=x onerror=alert(1)\> — "));
        assert!(md.contains("](https://example.com/a%20%28b%29%3Cc%3E)"), "{md}");
        assert!(md.contains(r#"Q\&A: "quotes" 'too'"#));
    }

    #[test]
    fn member_ids_are_shown_and_cannot_become_markup() {
        let mut c = cluster(4, 3);
        c.members[0].id = "*a*_b_`c`[d](e)<f>".into();
        c.members[1].title = String::new();
        c.members[1].id = "untitled_id".into();
        let md = render(&[c], &[]);
        assert!(md.contains(r", id \*a\*\_b\_\`c\`\[d\](e)\<f\>"), "{md}");
        // Without a title the id is the member's text, not repeated after it.
        assert!(md.contains(r"- [untitled\_id](https://"), "{md}");
        assert!(!md.contains(r"id untitled\_id"), "{md}");
    }

    #[test]
    fn digest_lists_every_cluster_with_facts_and_thread_links() {
        let mut a = cluster(0, 14);
        a.thread = 7;
        a.mixed = true;
        let b = cluster(1, 2);
        let mut d = cluster(3, 1);
        d.thread = 7;
        let t = thread(7, &[3, 0, 9]);
        let md = render(&[a, b, d], &[t]);
        for n in [0, 1, 3] {
            assert!(md.contains(&format!("## <a id=\"c{n}\"></a>{n}. ")), "cluster {n}");
        }
        assert!(md.contains("14 articles · "));
        assert!(md.contains("2024-03-01 – 2024-03-02 · first: Outlet 0 · cohesion 0.80"));
        assert!(md.contains("**Keywords:** storm, coast"));
        assert!(md.contains("**Entities:** Port Town"));
        assert!(md.contains("> **Mixed:**"));
        // Thread order is oldest first; 9 is not in the digest so it is named, not linked.
        assert!(md.contains("**Thread:** [3 events](#t7): [3](#c3) → **0** → 9"), "{md}");
        assert!(md.contains("**Thread:** [3 events](#t7): **3** → [0](#c0) → 9"), "{md}");
        assert!(md.contains("<a id=\"t7\"></a>**Thread 7:**"));
        assert!(md.contains("Events: [3](#c3) → [0](#c0) → 9"));
        assert!(md.contains("- … and 4 more"), "14 members, 10 listed");
        assert_eq!(md.matches("](https://example.com/").count(), 10 + 2 + 1);
        // Single-event threads get no thread line.
        assert_eq!(md.matches("**Thread:**").count(), 2);
    }

    #[test]
    fn long_thread_lines_show_a_window() {
        let ids: Vec<u32> = (0..40).collect();
        let mut c = cluster(20, 1);
        c.thread = 1;
        let md = render(&[c], &[thread(1, &ids)]);
        assert!(md.contains("[40 events](#t1): … → 16 → 17 → 18 → 19 → **20** → 21 →"), "{md}");
        assert!(md.contains("→ 24 → …"), "{md}");
        assert!(md.contains("→ … (10 more)"));
    }

    #[test]
    fn empty_input_renders_a_header() {
        let md = render(&[], &[]);
        assert!(md.starts_with("# Story clusters\n\n0 articles · 0 event clusters"));
        assert!(md.contains("No story clusters."));
        assert!(md.contains(r"Inputs: wire\_\*.jsonl · samestory 0.1.0"));
        assert!(!md.contains("## "));
    }

    #[test]
    fn ten_thousand_clusters_stay_small() {
        let (clusters, threads) = synthetic(10_000);
        let md = render(&clusters, &threads);
        assert_eq!(md.matches("\n## <a id=\"c").count(), 10_000);
        assert!(md.len() < 20 << 20, "{} bytes", md.len());
    }
}
