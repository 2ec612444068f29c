//! Self-contained HTML report of story clusters: one file with inline CSS and a little inline
//! JavaScript, no network access, so it opens from disk or an e-mail attachment.
//!
//! Each cluster is an `<article>` card (headline, facts, a per-day timeline in inline SVG,
//! summary, keywords, entities, links to the other events of its story thread, and the members
//! with their copy differences in a closed `<details>`); a threads section follows. The script
//! filters cards by a precomputed lowercase `data-search` attribute and reorders the existing
//! nodes to sort; without JavaScript the page is still complete, only the controls stay hidden.
//!
//! Article text is untrusted: all of it goes through `Esc` (`& < > " '`), only http(s) URLs
//! become links (`http_url`), and no article text reaches the script, which reads the DOM.
//! A Content-Security-Policy forbids every fetch, so even a missed escape cannot load anything.
//!
//! Cost: linear in the clusters; members per card are capped at [`MEMBERS_SHOWN`] and copy
//! diffs at a few per group, so 10,000 clusters stay within tens of megabytes, and cards use
//! `content-visibility: auto` so the browser lays out only what is on screen.

use super::{date_span, plural};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Write};

use crate::article::parse_date;
use crate::normalize::is_blank;
use crate::story::{ClusterSummary, DayCount, GroupDiff, ReportMeta, Segment, ThreadSummary};

/// Members rendered per card; the JSON Lines output has them all.
pub const MEMBERS_SHOWN: usize = 50;
/// Distinct member titles folded into a card's search text; bounds it for huge clusters.
const SEARCH_TITLES: usize = 200;
/// Sibling events linked from a card, in a window around the card's place in the thread.
const THREAD_WINDOW: usize = 6;
/// Events listed per entry of the threads section.
const THREAD_EVENTS: usize = 50;
/// Copy-diff caps: groups per card, copies per group, sentences per side.
const DIFF_GROUPS: usize = 20;
const DIFF_COPIES: usize = 10;
const DIFF_SENTENCES: usize = 5;
/// Characters of a headline shown in a link to another card.
const SHORT_HEADLINE: usize = 60;

/// Writes the HTML report of `clusters` (in the order given) and `threads`.
///
/// Links to clusters not in `clusters` are named but not linked, so a report of the top
/// clusters has no dangling anchors.
pub fn write_html(
    out: &mut dyn Write,
    clusters: &[ClusterSummary],
    threads: &[ThreadSummary],
    meta: &ReportMeta,
) -> io::Result<()> {
    let by_id: HashMap<u32, &ClusterSummary> = clusters.iter().map(|c| (c.cluster, c)).collect();
    let by_thread: HashMap<u32, &ThreadSummary> = threads.iter().map(|t| (t.thread, t)).collect();
    // One buffer per card: `out` is a `dyn Write`, and thousands of tiny virtual writes per card
    // would dominate the cost.
    let mut buf = Vec::with_capacity(64 << 10);
    write_head(
        &mut buf,
        clusters.len(),
        threads.iter().filter(|t| t.clusters.len() > 1).count(),
        meta,
    )?;
    out.write_all(&buf)?;
    for c in clusters {
        buf.clear();
        let thread = by_thread.get(&c.thread).copied().filter(|t| t.clusters.len() > 1);
        write_card(&mut buf, c, thread, &by_id)?;
        out.write_all(&buf)?;
    }
    buf.clear();
    write_foot(&mut buf, clusters.is_empty(), threads, &by_id, meta)?;
    out.write_all(&buf)
}

/// Returns `url` fit for an `href`, or `None` unless it is http(s): `javascript:`, `data:` and
/// relative URLs must not become links. Characters that could end a Markdown link destination
/// or an HTML attribute are percent-encoded, so the result is safe in both (HTML still escapes
/// `&`).
pub(crate) fn http_url(url: &str) -> Option<String> {
    let url = url.trim();
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| url.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s)))?;
    if url.len() == scheme.len() || url.chars().any(char::is_control) {
        return None;
    }
    let mut safe = String::with_capacity(url.len() + 8);
    for ch in url.chars() {
        if ch.is_whitespace() || matches!(ch, '"' | '\'' | '<' | '>' | '(' | ')' | '\\' | '`') {
            let mut bytes = [0; 4];
            for b in ch.encode_utf8(&mut bytes).bytes() {
                safe.push_str(&format!("%{b:02X}"));
            }
        } else {
            safe.push(ch);
        }
    }
    Some(safe)
}

/// HTML-escapes text for element content and quoted attribute values alike.
struct Esc<'a>(&'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut last = 0;
        // Byte-wise is UTF-8 safe: every escaped character is ASCII.
        for (i, b) in s.bytes().enumerate() {
            let rep = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&s[last..i])?;
            f.write_str(rep)?;
            last = i + 1;
        }
        f.write_str(&s[last..])
    }
}

const CSS: &str = r#"
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1f;--mut:#5f6368;--card:#f7f8fa;--line:#d9dce1;--acc:#1a56db;--warn:#b3261e;--ins:#e3f4e8;--del:#fbe6e4}
@media(prefers-color-scheme:dark){:root{--bg:#121316;--fg:#e8eaed;--mut:#9aa0a6;--card:#1d1f23;--line:#3c4043;--acc:#8ab4f8;--warn:#f28b82;--ins:#1d3a28;--del:#41201d}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header,main,#threads,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
a{color:var(--acc)}
h1{font-size:1.6rem;margin:1rem 0 .2rem}
.meta,.facts,small,footer{color:var(--mut)}
.meta{margin:.2rem 0 .6rem}
#controls{position:sticky;top:0;z-index:1;background:var(--bg);display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:center;padding:.5rem 0;border-bottom:1px solid var(--line)}
#controls input{flex:1 1 12rem;min-width:0;font:inherit;padding:.25rem .5rem}
#controls select{font:inherit;padding:.2rem}
#count{color:var(--mut);font-size:.9rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.7rem 1rem;margin:1rem 0;content-visibility:auto;contain-intrinsic-size:auto 18rem}
.card.mixed{border-left:5px solid var(--warn)}
.card h2{font-size:1.2rem;line-height:1.3;margin:0 0 .3rem;overflow-wrap:anywhere}
.n{color:var(--mut);font-weight:normal;text-decoration:none;margin-right:.35rem}
.facts{display:flex;flex-wrap:wrap;align-items:center;gap:.1rem .9rem;margin:.2rem 0;font-size:.9rem}
.tl{width:160px;height:26px;fill:var(--acc);border-bottom:1px solid var(--mut)}
.badge{background:var(--warn);color:var(--bg);border-radius:4px;padding:0 .4rem;font-weight:600}
.warn{color:var(--warn);margin:.3rem 0}
.sum{margin:.4rem 0}
.tags{margin:.25rem 0;font-size:.9rem}
.tags b{font-weight:600;margin-right:.2rem}
.tags span{display:inline-block;border:1px solid var(--line);border-radius:1rem;padding:0 .5rem;margin:.1rem .1rem}
.thr{margin:.3rem 0;font-size:.9rem}
details{margin-top:.4rem}
summary{cursor:pointer;font-weight:600}
.mem{padding-left:1.6rem;margin:.4rem 0}
.mem li,.diffs li{margin:.15rem 0;overflow-wrap:anywhere}
.id{font-family:ui-monospace,monospace;font-size:.85em;user-select:all}
.diffs h3{font-size:1rem;margin:.6rem 0 .2rem}
.diffs p{margin:.4rem 0 .1rem}
.diffs ul{margin:0;padding-left:1.2rem}
ins,del{display:block;text-decoration:none;padding:0 .3rem;margin:.1rem 0;border-radius:3px}
.chg{display:block;margin:.1rem 0;padding:0 .3rem}
.chg ins,.chg del{display:inline;padding:0 .15rem;margin:0}
.chg del{text-decoration:line-through}
ins{background:var(--ins)}
del{background:var(--del)}
#threads ol ol{margin:.2rem 0 .6rem;padding-left:1.4rem;font-size:.9rem}
#threads>ol>li{margin:.4rem 0}
footer{font-size:.85rem;padding:1rem}
"#;

// Reads everything from the DOM (no article text in the script), filters by toggling `hidden`
// and sorts by re-appending the existing nodes, so 10,000 cards stay responsive.
const JS: &str = r#"
(function(){
var list=document.getElementById('cards'),q=document.getElementById('q'),ord=document.getElementById('order'),count=document.getElementById('count');
if(!list)return;
var cards=Array.prototype.map.call(list.children,function(el,i){return{el:el,i:i,size:+el.dataset.size,last:el.dataset.last||'',s:el.dataset.search||''}});
document.getElementById('controls').hidden=false;
function filter(){
  var words=q.value.toLowerCase().split(/\s+/).filter(Boolean),shown=0;
  for(var k=0;k<cards.length;k++){var c=cards[k],ok=true;
    for(var w=0;w<words.length&&ok;w++)ok=c.s.indexOf(words[w])>=0;
    if(c.el.hidden===ok)c.el.hidden=!ok;if(ok)shown++;}
  count.textContent=words.length?shown+' of '+cards.length+' clusters match':cards.length+' clusters';
}
var timer;
q.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(filter,120)});
ord.addEventListener('change',function(){
  var by={size:function(a,b){return b.size-a.size||a.i-b.i},
    recent:function(a,b){return a.last<b.last?1:a.last>b.last?-1:b.size-a.size||a.i-b.i},
    given:function(a,b){return a.i-b.i}}[ord.value];
  var f=document.createDocumentFragment();
  cards.slice().sort(by).forEach(function(c){f.appendChild(c.el)});
  list.appendChild(f);
});
// A link to a card the filter hides would go nowhere: clear the filter first.
function reveal(){var el=location.hash&&document.getElementById(location.hash.slice(1));
  if(el&&el.hidden){q.value='';filter();el.scrollIntoView();}}
window.addEventListener('hashchange',reveal);
filter();reveal();
})();
"#;

fn write_head(
    buf: &mut Vec<u8>,
    shown: usize,
    threads: usize,
    meta: &ReportMeta,
) -> io::Result<()> {
    buf.extend_from_slice(
        b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
          <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
          <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
          style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; \
          form-action 'none'\">\n<meta name=\"referrer\" content=\"no-referrer\">\n",
    );
    if !meta.version.is_empty() {
        writeln!(buf, "<meta name=\"generator\" content=\"samestory {}\">", Esc(&meta.version))?;
    }
    writeln!(
        buf,
        "<title>Story clusters: {} articles, {} clusters</title>",
        meta.articles, meta.clusters
    )?;
    writeln!(buf, "<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>Story clusters</h1>")?;
    write!(buf, "<p class=\"meta\">{} articles · {} event clusters", meta.articles, meta.clusters)?;
    if shown != meta.clusters {
        write!(buf, " ({shown} shown)")?;
    }
    let thread_count = plural(meta.threads, "story thread", "story threads");
    if threads > 0 {
        write!(buf, " · <a href=\"#threads\">{thread_count}</a>")?;
    } else {
        write!(buf, " · {thread_count}")?;
    }
    write!(buf, " · {} rejected", meta.rejected)?;
    if !meta.inputs.is_empty() {
        buf.extend_from_slice(" · inputs: ".as_bytes());
        for (i, input) in meta.inputs.iter().enumerate() {
            write!(buf, "{}{}", if i > 0 { ", " } else { "" }, Esc(input))?;
        }
    }
    buf.extend_from_slice(
        "</p>\n<div id=\"controls\" role=\"search\" hidden>\
         <label for=\"q\">Search</label>\
         <input id=\"q\" type=\"search\" autocomplete=\"off\" \
         placeholder=\"any word: headline, summary, keyword, outlet…\">\
         <label for=\"order\">Order</label><select id=\"order\">\
         <option value=\"given\">Report order</option>\
         <option value=\"size\">Largest first</option>\
         <option value=\"recent\">Most recent first</option></select>\
         <output id=\"count\" for=\"q\" aria-live=\"polite\"></output></div>\n</header>\n\
         <main id=\"cards\">\n"
            .as_bytes(),
    );
    Ok(())
}

fn write_card(
    buf: &mut Vec<u8>,
    c: &ClusterSummary,
    thread: Option<&ThreadSummary>,
    by_id: &HashMap<u32, &ClusterSummary>,
) -> io::Result<()> {
    let n = c.cluster;
    let last = c.last_date.as_deref().or(c.first_date.as_deref()).unwrap_or("");
    writeln!(
        buf,
        "<article class=\"card{}\" id=\"c{n}\" data-size=\"{}\" data-last=\"{}\" data-search=\"{}\">",
        if c.mixed { " mixed" } else { "" },
        c.size,
        Esc(last),
        Esc(&search_text(c)),
    )?;
    let headline = if is_blank(&c.headline) { "(no headline)" } else { &c.headline };
    writeln!(buf, "<h2><a class=\"n\" href=\"#c{n}\">#{n}</a>{}</h2>", Esc(headline))?;

    buf.extend_from_slice(b"<p class=\"facts\">");
    if c.mixed {
        buf.extend_from_slice(b"<span class=\"badge\">mixed</span>");
    }
    write!(
        buf,
        "<span>{}</span><span>{} distinct {}</span><span>{}</span>",
        plural(c.size, "article", "articles"),
        c.distinct_texts,
        if c.distinct_texts == 1 { "text" } else { "texts" },
        plural(c.outlets, "outlet", "outlets"),
    )?;
    if let Some(span) = date_span(c.first_date.as_deref(), c.last_date.as_deref()) {
        write!(buf, "<span>{}</span>", Esc(&span))?;
    }
    if let Some(first) = c.first_outlet.as_deref().filter(|s| !is_blank(s)) {
        write!(buf, "<span>first: {}</span>", Esc(first))?;
    }
    write!(
        buf,
        "<span title=\"mean similarity of members to the cluster\">cohesion {:.2}</span>",
        c.cohesion
    )?;
    write_timeline(buf, &c.per_day)?;
    buf.extend_from_slice(b"</p>\n");

    if c.mixed {
        buf.extend_from_slice(
            b"<p class=\"warn\">These articles may report two different events: check the \
              members before using the summary.</p>\n",
        );
    }
    if !is_blank(&c.summary) {
        writeln!(buf, "<p class=\"sum\">{}</p>", Esc(&c.summary))?;
    }
    write_tags(buf, "Keywords", &c.keywords)?;
    write_tags(buf, "Entities", &c.entities)?;
    if let Some(t) = thread {
        write_thread_line(buf, n, t, by_id)?;
    }
    write_members(buf, c)?;
    buf.extend_from_slice(b"</article>\n");
    Ok(())
}

/// The distinct lowercase words a search may hit, in first-seen order. The script matches each
/// query word on its own and a query word holds no space, so repeated words add nothing; near
/// duplicates repeat most of theirs. Titles are capped so a huge cluster stays small.
fn search_text(c: &ClusterSummary) -> String {
    let mut s = String::with_capacity(c.headline.len() + c.summary.len() + 256);
    let mut seen = HashSet::new();
    let mut push = |part: &str| {
        // A zero-width "word" matches nothing anyone types.
        for word in part.split_whitespace().filter(|w| !is_blank(w)) {
            let word = word.to_lowercase();
            if !seen.contains(&word) {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(&word);
                seen.insert(word);
            }
        }
    };
    push(&c.headline);
    push(&c.summary);
    for term in c.keywords.iter().chain(&c.entities) {
        push(term);
    }
    let mut titles = HashSet::new();
    for m in &c.members {
        if titles.len() < SEARCH_TITLES && titles.insert(m.title.as_str()) {
            push(&m.title);
        }
        push(&m.source);
    }
    s
}

/// Articles per day as bars on a true date axis (gaps show quiet days); falls back to one bar
/// per entry when a date does not parse.
fn write_timeline(buf: &mut Vec<u8>, per_day: &[DayCount]) -> io::Result<()> {
    let Some(peak) = per_day.iter().max_by_key(|d| d.articles).filter(|d| d.articles > 0) else {
        return Ok(());
    };
    let days: Option<Vec<i32>> = per_day.iter().map(|d| parse_date(&d.date)).collect();
    let offsets: Vec<i64> = match days {
        Some(days) => {
            let first = days.iter().copied().min().unwrap_or(0);
            days.iter().map(|&d| i64::from(d) - i64::from(first)).collect()
        }
        None => (0..per_day.len() as i64).collect(),
    };
    // At least a week wide, so one busy day reads as a spike and not as a solid block.
    let span = (offsets.iter().copied().max().unwrap_or(0) + 1).max(7);
    // Keep each bar at least about a pixel wide when a long span is squeezed into 160px.
    let bar = (span as f64 / 160.0).max(0.8);
    let top = peak.articles;
    write!(
        buf,
        "<svg class=\"tl\" viewBox=\"0 0 {span} {top}\" preserveAspectRatio=\"none\" role=\"img\">\
         <title>Articles per day; peak {top} on {}</title>",
        Esc(&peak.date)
    )?;
    for (d, x) in per_day.iter().zip(offsets) {
        if d.articles == 0 {
            continue;
        }
        write!(
            buf,
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar:.2}\" height=\"{}\"><title>{}: {}</title></rect>",
            top - d.articles,
            d.articles,
            Esc(&d.date),
            d.articles
        )?;
    }
    buf.extend_from_slice(b"</svg>");
    Ok(())
}

fn write_tags(buf: &mut Vec<u8>, label: &str, terms: &[String]) -> io::Result<()> {
    if terms.is_empty() {
        return Ok(());
    }
    write!(buf, "<p class=\"tags\"><b>{label}</b>")?;
    for t in terms {
        write!(buf, "<span>{}</span>", Esc(t))?;
    }
    buf.extend_from_slice(b"</p>\n");
    Ok(())
}

/// Links to the other events of the thread, oldest first; long threads show a window around
/// this card and leave the full list to the threads section.
fn write_thread_line(
    buf: &mut Vec<u8>,
    this: u32,
    t: &ThreadSummary,
    by_id: &HashMap<u32, &ClusterSummary>,
) -> io::Result<()> {
    let others: Vec<u32> = t.clusters.iter().copied().filter(|&c| c != this).collect();
    let at = t.clusters.iter().position(|&c| c == this).unwrap_or(0).min(others.len());
    let start =
        at.saturating_sub(THREAD_WINDOW / 2).min(others.len().saturating_sub(THREAD_WINDOW));
    let end = (start + THREAD_WINDOW).min(others.len());
    write!(
        buf,
        "<p class=\"thr\">Also in <a href=\"#t{}\">thread {}</a> ({} events): ",
        t.thread,
        t.thread,
        t.clusters.len()
    )?;
    if start > 0 {
        buf.extend_from_slice("… ".as_bytes());
    }
    for (i, &other) in others[start..end].iter().enumerate() {
        if i > 0 {
            buf.extend_from_slice(" · ".as_bytes());
        }
        event_link(buf, other, by_id)?;
    }
    if end < others.len() {
        buf.extend_from_slice(" …".as_bytes());
    }
    buf.extend_from_slice(b"</p>\n");
    Ok(())
}

fn event_link(buf: &mut Vec<u8>, id: u32, by_id: &HashMap<u32, &ClusterSummary>) -> io::Result<()> {
    match by_id.get(&id) {
        Some(c) => write!(buf, "<a href=\"#c{id}\">#{id}</a> {}", Esc(&shorten(&c.headline))),
        None => write!(buf, "#{id}"),
    }
}

fn write_members(buf: &mut Vec<u8>, c: &ClusterSummary) -> io::Result<()> {
    if c.members.is_empty() {
        return Ok(());
    }
    let mut group_sizes: HashMap<u32, usize> = HashMap::new();
    for m in &c.members {
        *group_sizes.entry(m.group).or_default() += 1;
    }
    let total = c.size.max(c.members.len());
    write!(buf, "<details><summary>Members ({total})")?;
    if !c.group_diffs.is_empty() {
        write!(buf, " and copy differences")?;
    }
    buf.extend_from_slice(b"</summary>\n<ol class=\"mem\">\n");
    for m in c.members.iter().take(MEMBERS_SHOWN) {
        // An untitled member is named by its id, which is then not repeated.
        let titled = !is_blank(&m.title);
        let title = if titled { &m.title } else { &m.id };
        match http_url(&m.url) {
            Some(url) => write!(buf, "<li><a href=\"{}\">{}</a> <small>", Esc(&url), Esc(title))?,
            None => write!(buf, "<li>{} <small>", Esc(title))?,
        }
        for part in [Some(m.source.as_str()), m.published.as_deref()].into_iter().flatten() {
            if !is_blank(part) {
                write!(buf, "{} · ", Esc(part))?;
            }
        }
        write!(buf, "sim {:.2}", m.similarity)?;
        let copies = group_sizes.get(&m.group).copied().unwrap_or(1);
        if copies > 1 {
            write!(buf, " · g{} ×{copies}", m.group)?;
        }
        // The id traces a member back to its record; one click selects it for copying.
        if titled {
            write!(buf, " · <span class=\"id\" title=\"article id\">{}</span>", Esc(&m.id))?;
        }
        buf.extend_from_slice(b"</small></li>\n");
    }
    buf.extend_from_slice(b"</ol>\n");
    if group_sizes.values().any(|&n| n > 1) {
        buf.extend_from_slice(
            "<p><small>gN ×k: near-duplicate group N, k copies of one text</small></p>\n"
                .as_bytes(),
        );
    }
    if total > MEMBERS_SHOWN {
        writeln!(
            buf,
            "<p><small>Showing the {MEMBERS_SHOWN} most central of {total} members; the JSON \
             Lines output lists all.</small></p>"
        )?;
    }
    write_diffs(buf, c)?;
    buf.extend_from_slice(b"</details>\n");
    Ok(())
}

fn write_diffs(buf: &mut Vec<u8>, c: &ClusterSummary) -> io::Result<()> {
    let diffs: Vec<&GroupDiff> = c.group_diffs.iter().filter(|g| !g.copies.is_empty()).collect();
    if diffs.is_empty() {
        return Ok(());
    }
    let members: HashMap<&str, _> = c.members.iter().map(|m| (m.id.as_str(), m)).collect();
    // Copies usually keep the original's title, and the member list above shows it in full:
    // name the outlet alone then, and shorten titles, so diffs do not double the card.
    let label = |id: &str, original: Option<&str>| match members.get(id) {
        Some(m) if is_blank(&m.title) => format!("{id} ({})", m.source),
        Some(m) if Some(m.title.as_str()) == original => m.source.clone(),
        Some(m) => format!("{} ({})", shorten(&m.title), m.source),
        None => id.to_string(),
    };
    buf.extend_from_slice(
        "<div class=\"diffs\"><h3>Copy differences</h3>\
         <p><small>± words the copy changed (original struck through), + only in the copy, − only in the original</small></p>\n"
            .as_bytes(),
    );
    for g in diffs.iter().take(DIFF_GROUPS) {
        let original = members.get(g.representative.as_str()).map(|m| m.title.as_str());
        write!(
            buf,
            "<p><b>g{}</b> original: {}</p>\n<ul>\n",
            g.group,
            Esc(&label(&g.representative, None))
        )?;
        let mut identical = 0;
        let mut shown = 0;
        for copy in &g.copies {
            if copy.is_unchanged() {
                identical += 1;
                continue;
            }
            if shown == DIFF_COPIES {
                continue;
            }
            shown += 1;
            write!(buf, "<li>{}", Esc(&label(&copy.id, original)))?;
            for change in copy.changed.iter().take(DIFF_SENTENCES) {
                buf.extend_from_slice(b"<span class=\"chg\">\xc2\xb1 ");
                for (k, seg) in change.segments().into_iter().enumerate() {
                    if k > 0 {
                        buf.push(b' ');
                    }
                    match seg {
                        Segment::Same(t) => write!(buf, "{}", Esc(t))?,
                        Segment::Edited { removed, added } => {
                            if !removed.is_empty() {
                                write!(buf, "<del>{}</del>", Esc(removed))?;
                            }
                            if !removed.is_empty() && !added.is_empty() {
                                buf.push(b' ');
                            }
                            if !added.is_empty() {
                                write!(buf, "<ins>{}</ins>", Esc(added))?;
                            }
                        }
                    }
                }
                buf.extend_from_slice(b"</span>");
            }
            if copy.changed.len() > DIFF_SENTENCES {
                write!(buf, "<small>\u{b1} {} more</small>", copy.changed.len() - DIFF_SENTENCES)?;
            }
            for (sign, tag, sentences) in [("+", "ins", &copy.added), ("−", "del", &copy.removed)]
            {
                for s in sentences.iter().take(DIFF_SENTENCES) {
                    write!(buf, "<{tag}>{sign} {}</{tag}>", Esc(s))?;
                }
                if sentences.len() > DIFF_SENTENCES {
                    write!(buf, "<small>{sign} {} more</small>", sentences.len() - DIFF_SENTENCES)?;
                }
            }
            buf.extend_from_slice(b"</li>\n");
        }
        let edited = g.copies.len() - identical;
        if edited > shown {
            writeln!(buf, "<li><small>{} more edited copies</small></li>", edited - shown)?;
        }
        if identical > 0 {
            writeln!(
                buf,
                "<li><small>{} identical {}</small></li>",
                identical,
                if identical == 1 { "copy" } else { "copies" }
            )?;
        }
        buf.extend_from_slice(b"</ul>\n");
    }
    if diffs.len() > DIFF_GROUPS {
        writeln!(
            buf,
            "<p><small>{} more groups with copies</small></p>",
            diffs.len() - DIFF_GROUPS
        )?;
    }
    buf.extend_from_slice(b"</div>\n");
    Ok(())
}

fn write_foot(
    buf: &mut Vec<u8>,
    empty: bool,
    threads: &[ThreadSummary],
    by_id: &HashMap<u32, &ClusterSummary>,
    meta: &ReportMeta,
) -> io::Result<()> {
    buf.extend_from_slice(b"</main>\n");
    if empty {
        buf.extend_from_slice(
            b"<p class=\"meta\" style=\"text-align:center\">No story clusters.</p>\n",
        );
    }
    // A thread of one event is its card alone: only threads that link events are listed, as
    // the header counts them (thousands of one-event entries buried the real ones).
    let linked: Vec<&ThreadSummary> = threads.iter().filter(|t| t.clusters.len() > 1).collect();
    if !linked.is_empty() {
        write!(buf, "<section id=\"threads\">\n<h2>Story threads ({})</h2>\n<ol>\n", linked.len())?;
        for t in linked {
            let headline = if is_blank(&t.headline) { "(no headline)" } else { &t.headline };
            write!(
                buf,
                "<li id=\"t{}\"><b>{}</b> <small>thread {} · {} · {}",
                t.thread,
                Esc(headline),
                t.thread,
                plural(t.clusters.len(), "event", "events"),
                plural(t.size, "article", "articles"),
            )?;
            if let Some(span) = date_span(t.first_date.as_deref(), t.last_date.as_deref()) {
                write!(buf, " · {}", Esc(&span))?;
            }
            if !t.entities.is_empty() {
                buf.extend_from_slice(" · shared: ".as_bytes());
                for (i, e) in t.entities.iter().enumerate() {
                    write!(buf, "{}{}", if i > 0 { ", " } else { "" }, Esc(e))?;
                }
            }
            buf.extend_from_slice(b"</small>\n<ol>");
            for &c in t.clusters.iter().take(THREAD_EVENTS) {
                buf.extend_from_slice(b"<li>");
                event_link(buf, c, by_id)?;
                if let Some(span) = by_id
                    .get(&c)
                    .and_then(|c| date_span(c.first_date.as_deref(), c.last_date.as_deref()))
                {
                    write!(buf, " <small>{}</small>", Esc(&span))?;
                }
                buf.extend_from_slice(b"</li>");
            }
            if t.clusters.len() > THREAD_EVENTS {
                write!(
                    buf,
                    "<li><small>{} more events</small></li>",
                    t.clusters.len() - THREAD_EVENTS
                )?;
            }
            buf.extend_from_slice(b"</ol></li>\n");
        }
        buf.extend_from_slice(b"</ol>\n</section>\n");
    }
    buf.extend_from_slice(b"<footer>Written by samestory");
    if !meta.version.is_empty() {
        write!(buf, " {}", Esc(&meta.version))?;
    }
    writeln!(
        buf,
        ". Self-contained: this page loads nothing from the network.</footer>\n<script>{JS}</script>\n</body>\n</html>"
    )
}

/// A headline cut to [`SHORT_HEADLINE`] characters (never inside a character) for links.
fn shorten(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(SHORT_HEADLINE) {
        Some((cut, _)) => format!("{}…", s[..cut].trim_end()),
        None => s.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::story::{Change, CopyDiff, Edit, MemberSummary};

    /// A cluster of `size` members in pairs of near-duplicates, dated over two days.
    pub(crate) fn cluster(n: u32, size: usize) -> ClusterSummary {
        let members: Vec<MemberSummary> = (0..size)
            .map(|i| MemberSummary {
                id: format!("a{n}-{i}"),
                group: (i / 2) as u32,
                similarity: 0.9,
                title: format!("Storm hits the coast near Port Town, report {i} of cluster {n}"),
                source: format!("Outlet {}", i % 5),
                published: Some(if i % 2 == 0 { "2024-03-01" } else { "2024-03-02" }.into()),
                url: format!("https://example.com/news/2024/03/storm-hits-coast-{n}-{i}"),
            })
            .collect();
        let group_diffs = (0..size / 2)
            .map(|g| GroupDiff {
                group: g as u32,
                representative: format!("a{n}-{}", 2 * g),
                copies: vec![CopyDiff {
                    id: format!("a{n}-{}", 2 * g + 1),
                    changed: vec![Change {
                        sentence: "Winds reached 120 km/h near the coast.".into(),
                        edits: vec![Edit { at: 2, removed: "120".into(), added: "130".into() }],
                    }],
                    added: vec!["The mayor urged residents to stay indoors.".into()],
                    removed: vec!["Officials gave no figures.".into()],
                }],
            })
            .collect();
        ClusterSummary {
            cluster: n,
            size,
            headline: format!("Storm hits coast {n}"),
            summary: "A storm hit the coast near Port Town on Friday, cutting power to \
                      thousands of homes. Officials said schools would stay closed while crews \
                      cleared fallen trees and repaired lines across the region."
                .into(),
            keywords: vec!["storm".into(), "coast".into()],
            entities: vec!["Port Town".into()],
            thread: 100_000 + n,
            distinct_texts: size.div_ceil(2),
            outlets: size.min(5),
            first_date: Some("2024-03-01".into()),
            last_date: Some(if size > 1 { "2024-03-02" } else { "2024-03-01" }.into()),
            per_day: vec![
                DayCount { date: "2024-03-01".into(), articles: size.div_ceil(2) },
                DayCount { date: "2024-03-02".into(), articles: size / 2 },
            ],
            first_outlet: Some("Outlet 0".into()),
            cohesion: 0.8,
            mixed: false,
            members,
            group_diffs,
        }
    }

    pub(crate) fn thread(id: u32, clusters: &[u32]) -> ThreadSummary {
        ThreadSummary {
            thread: id,
            clusters: clusters.to_vec(),
            size: 10 * clusters.len(),
            headline: format!("Thread {id} headline"),
            entities: vec!["Port Town".into()],
            first_date: Some("2024-03-01".into()),
            last_date: Some("2024-03-09".into()),
        }
    }

    /// `n` clusters sized like a real run (mostly small, a few huge), the first 3,000 in
    /// threads of three.
    pub(crate) fn synthetic(n: u32) -> (Vec<ClusterSummary>, Vec<ThreadSummary>) {
        const SIZES: [usize; 10] = [1, 1, 1, 2, 2, 3, 4, 6, 9, 15];
        let clusters: Vec<ClusterSummary> = (0..n)
            .map(|i| {
                let size = if i % 500 == 0 { 300 } else { SIZES[i as usize % 10] };
                let mut c = cluster(i, size);
                if i < 3000 {
                    c.thread = i / 3;
                }
                c
            })
            .collect();
        let threads =
            (0..n.min(3000) / 3).map(|t| thread(t, &[3 * t, 3 * t + 1, 3 * t + 2])).collect();
        (clusters, threads)
    }

    fn meta(clusters: &[ClusterSummary], threads: &[ThreadSummary]) -> ReportMeta {
        ReportMeta {
            inputs: vec!["wire<1>.jsonl".into()],
            articles: clusters.iter().map(|c| c.size).sum(),
            rejected: 0,
            clusters: clusters.len(),
            threads: threads.len(),
            version: "0.1.0".into(),
        }
    }

    fn render(clusters: &[ClusterSummary], threads: &[ThreadSummary]) -> String {
        let mut out = Vec::new();
        write_html(&mut out, clusters, threads, &meta(clusters, threads)).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The page with everything between `<script>` and `</script>` removed, to check markup.
    fn without_script(html: &str) -> &str {
        &html[..html.rfind("<script>").expect("has the script")]
    }

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(
            Esc(r#"<a href="x">Tom & Jerry's</a>"#).to_string(),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(Esc("plain ünïcode").to_string(), "plain ünïcode");
    }

    #[test]
    fn only_http_urls_become_links() {
        assert_eq!(
            http_url(" https://ex.com/a?b=1&c=2 ").as_deref(),
            Some("https://ex.com/a?b=1&c=2")
        );
        assert_eq!(http_url("HTTP://ex.com/").as_deref(), Some("HTTP://ex.com/"));
        assert_eq!(
            http_url("https://ex.com/\"><b>x (1)").as_deref(),
            Some("https://ex.com/%22%3E%3Cb%3Ex%20%281%29")
        );
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,<b>",
            "//ex.com",
            "/relative",
            "https://",
            "http://ex.com/\nx",
            "ftp://ex.com",
            "",
            "httpé://x",
        ] {
            assert_eq!(http_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hostile_article_text_shows_as_text() {
        let mut c = cluster(0, 3);
        c.headline = "<script>alert(1)</script> & \"quotes\" 'single'".into();
        c.summary = "</p><img src=x onerror=alert(1)>".into();
        c.keywords = vec!["<b>kw</b>".into()];
        c.entities = vec!["\"><svg onload=alert(1)>".into()];
        c.first_outlet = Some("<i>Outlet</i>".into());
        c.first_date = Some("\"><x>".into());
        c.members[0].title = "</li></ol></details><script>alert(2)</script>".into();
        c.members[0].url = "javascript:alert(3)".into();
        c.members[1].id = "id\"><script>alert(4)</script>".into();
        c.members[1].source = "O'Brien & Sons".into();
        c.members[1].url = "https://ex.com/?q=\"onmouseover=alert(5)".into();
        c.members[2].source = String::new();
        c.members[2].id = "<b>id</b> & 'c'".into();
        c.group_diffs[0].copies[0].id = c.members[1].id.clone();
        c.group_diffs[0].copies[0].added = vec!["<script>alert(6)</script>".into()];
        c.group_diffs[0].copies[0].changed[0].sentence = "a <b> c".into();
        c.group_diffs[0].copies[0].changed[0].edits[0] =
            Edit { at: 1, removed: "<b>".into(), added: "<script>alert(8)</script>".into() };
        c.members[1].title = String::new();
        let mut t = thread(5, &[0, 1]);
        t.headline = "<script>alert(7)</script>".into();
        t.entities = vec!["<u>".into()];
        c.thread = 5;
        let html = render(&[c], &[t]);
        let page = without_script(&html);
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<img") && !page.contains("<svg onload") && !page.contains("<b>kw"));
        assert!(!page.contains("<i>Outlet") && !page.contains("<x>") && !page.contains("<u>"));
        assert!(!page.contains("javascript:"), "unsafe urls are not linked");
        assert!(page.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;"
        ));
        assert!(page.contains("O&#39;Brien &amp; Sons"));
        assert!(
            page.contains("<small>2024-03-01 · sim 0.90"),
            "empty outlet leaves no dangling dot"
        );
        assert!(page.contains("<li>&lt;/li&gt;&lt;/ol&gt;&lt;/details&gt;&lt;script&gt;alert(2)"));
        assert!(page.contains("href=\"https://ex.com/?q=%22onmouseover=alert%285%29\""));
        assert!(page.contains("\">id&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;</a> <small>"));
        assert!(page.contains(
            "<li>id&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt; (O&#39;Brien &amp; Sons)<span"
        ));
        assert!(page.contains(
            "<span class=\"chg\">± a <del>&lt;b&gt;</del> <ins>&lt;script&gt;alert(8)&lt;/script&gt;</ins> c</span>"
        ));
        assert!(page.contains("<ins>+ &lt;script&gt;alert(6)&lt;/script&gt;</ins>"));
        assert!(page.contains("<span class=\"id\" title=\"article id\">&lt;b&gt;id&lt;/b&gt; &amp; &#39;c&#39;</span>"));
        assert!(page.contains("<b>&lt;script&gt;alert(7)&lt;/script&gt;</b>"));
        assert!(page.contains(
            "data-search=\"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"
        ));
        assert_eq!(html.matches("<script").count(), 1, "only our own script");
        // Tags the page writes itself balance, so nothing above broke out of its element.
        for tag in ["article", "details", "ol", "ul", "p", "li", "svg", "section", "h2"] {
            let open = page.matches(&format!("<{tag}>")).count()
                + page.matches(&format!("<{tag} ")).count();
            assert_eq!(open, page.matches(&format!("</{tag}>")).count(), "<{tag}>");
        }
    }

    #[test]
    fn every_member_is_listed_with_its_id() {
        let mut c = cluster(3, 4);
        c.members[1].title = " ".into();
        c.members[1].url = String::new();
        c.members[2].url = String::new();
        let html = render(&[c.clone()], &[]);
        let items: Vec<&str> = html
            .split("<li>")
            .skip(1)
            .map(|li| &li[..li.find("</li>").unwrap()])
            .filter(|li| li.contains("sim 0.90"))
            .collect();
        assert_eq!(items.len(), 4, "{html}");
        for (m, li) in c.members.iter().zip(&items) {
            assert_eq!(li.matches(m.id.as_str()).count(), 1, "{li}");
        }
        // Untitled and unlinked, it is named by its id.
        assert!(items[1].starts_with("a3-1 <small>"), "{}", items[1]);
        assert!(items[2]
            .starts_with("Storm hits the coast near Port Town, report 2 of cluster 3 <small>"));
    }

    #[test]
    fn page_is_self_contained() {
        let (clusters, threads) = synthetic(30);
        let html = render(&clusters, &threads);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("default-src 'none'"));
        for bad in [
            "<link",
            "<script src",
            " src=",
            "@import",
            "url(",
            "<iframe",
            "<img",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(!html.contains(bad), "{bad}");
        }
        // Every URL is an article link.
        let links = html.matches("href=\"http").count();
        assert_eq!(html.matches("://").count(), links);
        let members: usize = clusters.iter().map(|c| c.members.len().min(MEMBERS_SHOWN)).sum();
        assert_eq!(links, members);
        assert!(html.contains("<label for=\"q\">Search</label><input id=\"q\" type=\"search\""));
        assert!(html.contains("<label for=\"order\">Order</label><select id=\"order\">"));
        assert!(html.trim_end().ends_with("</html>"));
    }

    #[test]
    fn every_cluster_and_thread_is_linked() {
        let (clusters, threads) = synthetic(30);
        let html = render(&clusters, &threads);
        for c in &clusters {
            assert_eq!(html.matches(&format!(" id=\"c{}\" ", c.cluster)).count(), 1);
        }
        for t in &threads {
            assert!(html.contains(&format!("<li id=\"t{}\">", t.thread)));
            for &c in &t.clusters {
                // From the threads section, and from each of the two sibling cards.
                assert_eq!(html.matches(&format!("<a href=\"#c{c}\">#{c}</a>")).count(), 3, "{c}");
            }
            assert_eq!(html.matches(&format!("<a href=\"#t{}\">thread", t.thread)).count(), 3);
        }
        assert_eq!(html.matches("<p class=\"thr\">").count(), 30);
        assert!(html.contains("<a href=\"#c1\">#1</a> Storm hits coast 1 · <a href=\"#c2\">"));
    }

    #[test]
    fn links_to_absent_clusters_are_not_dangling() {
        let mut c = cluster(4, 2);
        c.thread = 1;
        let html = render(&[c], &[thread(1, &[3, 4, 9])]);
        assert!(html.contains("(3 events): #3 · #9</p>"), "{html}");
        assert!(!html.contains("href=\"#c3\"") && !html.contains("href=\"#c9\""));
    }

    #[test]
    fn card_shows_facts_timeline_flags_and_capped_members() {
        let mut c = cluster(7, 120);
        c.mixed = true;
        c.per_day = vec![
            DayCount { date: "2024-03-01".into(), articles: 100 },
            DayCount { date: "2024-03-04".into(), articles: 20 },
        ];
        let html = render(&[c], &[]);
        assert!(html.contains(
            "<article class=\"card mixed\" id=\"c7\" data-size=\"120\" data-last=\"2024-03-02\""
        ));
        assert!(html.contains("<span class=\"badge\">mixed</span><span>120 articles</span><span>60 distinct texts</span><span>5 outlets</span><span>2024-03-01 – 2024-03-02</span><span>first: Outlet 0</span>"));
        assert!(html.contains("cohesion 0.80"));
        assert!(html.contains("viewBox=\"0 0 7 100\""));
        // The quiet days between the two dates are gaps, not squeezed out.
        assert!(html.contains(
            "<rect x=\"3\" y=\"80\" width=\"0.80\" height=\"20\"><title>2024-03-04: 20</title>"
        ));
        assert!(html.contains("<p class=\"warn\">"));
        assert!(html
            .contains("<p class=\"tags\"><b>Keywords</b><span>storm</span><span>coast</span></p>"));
        assert_eq!(html.matches("<li><a href=\"https://").count(), MEMBERS_SHOWN);
        assert!(html.contains("Showing the 50 most central of 120 members"));
        assert!(html.contains("<li>Storm hits the coast near Port Town, report 1 of cluster 7 (Outlet 1)<span class=\"chg\">± Winds reached <del>120</del> <ins>130</ins> km/h near the coast.</span><ins>+ The mayor"));
        assert!(html.contains("40 more groups with copies"));
        assert!(html.contains(
            " · sim 0.90 · g0 ×2 · <span class=\"id\" title=\"article id\">a7-0</span></small>"
        ));
    }

    #[test]
    fn search_text_holds_every_word_of_every_field_once() {
        let mut c = cluster(1, 3);
        c.members[1].source = "The Daily Planet".into();
        c.entities = vec!["Lois LANE".into()];
        c.keywords = vec!["Ünïcode".into()];
        let s = search_text(&c);
        let words: Vec<&str> = s.split(' ').collect();
        let distinct: HashSet<&str> = words.iter().copied().collect();
        assert_eq!(words.len(), distinct.len(), "each word once: {s}");
        let mut fields = vec![&c.headline, &c.summary];
        fields.extend(c.keywords.iter().chain(&c.entities));
        fields.extend(c.members.iter().flat_map(|m| [&m.title, &m.source]));
        for field in fields {
            for word in field.split_whitespace() {
                assert!(distinct.contains(word.to_lowercase().as_str()), "{word}");
            }
        }
    }

    #[test]
    fn empty_input_renders_a_valid_page() {
        let html = render(&[], &[]);
        assert!(html.contains("<main id=\"cards\">\n</main>"));
        assert!(html.contains("No story clusters."));
        assert!(html.contains("0 articles · 0 event clusters · 0 story threads"));
        assert!(html.contains("inputs: wire&lt;1&gt;.jsonl"));
        assert!(!html.contains("<section id=\"threads\">"));
        assert!(html.trim_end().ends_with("</html>"));
    }

    #[test]
    fn headlines_are_shortened_on_character_boundaries() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(80);
        assert_eq!(shorten(&long), format!("{}…", "é".repeat(SHORT_HEADLINE)));
    }

    #[test]
    fn ten_thousand_clusters_stay_reasonable() {
        let (clusters, threads) = synthetic(10_000);
        let html = render(&clusters, &threads);
        assert_eq!(html.matches("<article class=\"card").count(), 10_000);
        assert!(html.len() < 40 << 20, "{} bytes", html.len());
        // Big clusters are capped: 20 of them have 300 members, 50 shown each.
        assert_eq!(html.matches("most central of 300 members").count(), 20);
    }
}
