//! Word-level edits between a near-duplicate copy and its representative.
//!
//! Syndicated copies mostly change a word or two inside a sentence ("heat infrastructure" for
//! "major infrastructure"). Listed as one sentence removed and another added, such an edit asks
//! an editor to compare two forty-word sentences by eye; here each removed sentence is paired
//! with the added sentence sharing most of its words, and the pair is shown as the words that
//! changed. Pairs are found in text order, as a line diff walks two files: each removed
//! sentence takes the most similar of the copy's next few unpaired sentences, by Dice's
//! coefficient over the tokeniser's distinct words, if they share at least half;
//! the edits come from Myers's difference algorithm over whitespace-separated words (E. W.
//! Myers, "An O(ND) difference algorithm and its variations", Algorithmica 1, 1986), through
//! the `similar` crate, which implements it with the usual linear-space refinement.

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::{tokenize, Tokens, TERM_SEED};
use crate::story::{words, Change, Edit};

/// Dice coefficient over distinct words at or above which a removed and an added sentence are
/// one sentence edited. Half the words shared keeps "the same sentence, reworded in places"
/// and leaves two different sentences that share only function words apart (those reach about
/// 0.3 on news text).
const PAIR_MIN: f64 = 0.5;

/// Unpaired sentences of the copy, from the last pair on, that a removed sentence is compared
/// with: room for a few sentences the copy added or reordered between two edited ones.
const WINDOW: usize = 4;

/// What a copy changed, sorted into edited sentences and sentences only one side has.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Paired {
    pub changed: Vec<Change>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// Pairs sentences only in the representative (`removed`) with sentences only in the copy
/// (`added`), each list in its text's order, and keeps at most `cap` of each kind. Edited
/// sentences follow the representative's order; unpaired ones keep their own.
pub(super) fn pair(removed: Vec<String>, added: Vec<String>, cap: usize) -> Paired {
    if removed.is_empty() || added.is_empty() {
        return Paired {
            changed: Vec::new(),
            added: added.into_iter().take(cap).collect(),
            removed: removed.into_iter().take(cap).collect(),
        };
    }
    // Copies keep their sentences' order, so an edited sentence is sought among the next few
    // unpaired sentences of the copy, as a line diff walks two files: a few comparisons a
    // sentence where comparing every pair cost a tenth of the summaries on gen copies.
    let mut tokens = Tokens::default();
    let mut a_words: Vec<Option<Vec<u64>>> = vec![None; added.len()];
    let mut partner: Vec<Option<usize>> = vec![None; removed.len()];
    let mut taken = vec![false; added.len()];
    let mut next = 0;
    for (i, r) in removed.iter().enumerate() {
        let r_words = word_set(r, &mut tokens);
        let mut best: Option<(f64, usize)> = None;
        for j in (next..added.len()).filter(|&j| !taken[j]).take(WINDOW) {
            let a = a_words[j].get_or_insert_with(|| word_set(&added[j], &mut tokens));
            // Dice reaches PAIR_MIN only if the smaller set is at least a third of the larger.
            let (lo, hi) = (r_words.len().min(a.len()), r_words.len().max(a.len()));
            if 3 * lo < hi {
                continue;
            }
            let d = dice(&r_words, a);
            if d >= PAIR_MIN && best.is_none_or(|(b, _)| d > b) {
                best = Some((d, j));
            }
        }
        if let Some((_, j)) = best {
            partner[i] = Some(j);
            taken[j] = true;
            next = j + 1;
        }
    }
    let mut out = Paired::default();
    for (i, r) in removed.iter().enumerate() {
        match partner[i] {
            // Edits are worked out only for the pairs that are shown.
            Some(j) if out.changed.len() < cap => out.changed.push(change(r, &added[j])),
            Some(_) => {}
            None if out.removed.len() < cap => out.removed.push(r.clone()),
            None => {}
        }
    }
    out.added =
        added.into_iter().zip(taken).filter(|(_, t)| !t).map(|(s, _)| s).take(cap).collect();
    out
}

/// Hashes of a sentence's distinct words as the tokeniser reads them (lower case, punctuation
/// dropped), sorted.
fn word_set(s: &str, tokens: &mut Tokens) -> Vec<u64> {
    let mut w: Vec<u64> = Vec::with_capacity(s.len() / 5 + 1);
    if s.is_ascii() {
        crate::normalize::for_each_ascii_word(s.as_bytes(), TERM_SEED, |_, _, h| w.push(h));
    } else {
        tokenize(s, TERM_SEED, false, tokens);
        w.extend_from_slice(&tokens.words);
    }
    w.sort_unstable();
    w.dedup();
    w
}

/// Dice's coefficient of two sorted, deduplicated lists.
fn dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let common = crate::sketch::common(a, b);
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// The representative's sentence `old` and the word edits that make `new` of it.
fn change(old: &str, new: &str) -> Change {
    // Both come space-folded from the copy diff: single spaces between words.
    let o: Vec<&str> = words(old).collect();
    let n: Vec<&str> = words(new).collect();
    let mut edits: Vec<Edit> = Vec::new();
    // Where the last edit's removed words end, in `o`.
    let mut last_end = usize::MAX;
    for op in capture_diff_slices(Algorithm::Myers, &o, &n) {
        let (at, removed, added) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete { old_index, old_len, .. } => {
                (old_index, &o[old_index..old_index + old_len], &n[..0])
            }
            DiffOp::Insert { old_index, new_index, new_len } => {
                (old_index, &o[..0], &n[new_index..new_index + new_len])
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                (old_index, &o[old_index..old_index + old_len], &n[new_index..new_index + new_len])
            }
        };
        // A deletion next to an insertion is one replacement to a reader.
        let end = at + removed.len();
        match edits.last_mut() {
            Some(last) if last_end == at => {
                join(&mut last.removed, removed);
                join(&mut last.added, added);
            }
            _ => edits.push(Edit { at, removed: removed.join(" "), added: added.join(" ") }),
        }
        last_end = end;
    }
    Change { sentence: o.join(" "), edits }
}

fn join(into: &mut String, words: &[&str]) {
    for w in words {
        if !into.is_empty() {
            into.push(' ');
        }
        into.push_str(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::story::Segment;
    use proptest::prelude::*;

    /// The copy's sentence rebuilt from the representative's and the edits.
    fn apply(c: &Change) -> String {
        let words: Vec<&str> = c.sentence.split(' ').collect();
        let mut out: Vec<&str> = Vec::new();
        let mut next = 0;
        for e in &c.edits {
            out.extend_from_slice(&words[next..e.at]);
            out.extend(e.added.split(' ').filter(|w| !w.is_empty()));
            next = e.at + e.removed.split(' ').filter(|w| !w.is_empty()).count();
        }
        out.extend_from_slice(&words[next..]);
        out.join(" ")
    }

    #[test]
    fn an_edited_sentence_becomes_its_changed_words() {
        let old = "The missiles have mostly targeted civilian electricity and heat infrastructure, while some hit busy roads.";
        let new = "The missiles have mostly targeted civilian electricity and major infrastructure, while some hit roads.";
        let p = pair(vec![old.into(), "Stoltenberg spoke.".into()], vec![new.into()], 5);
        assert_eq!(p.removed, ["Stoltenberg spoke."]);
        assert!(p.added.is_empty());
        assert_eq!(p.changed.len(), 1);
        let c = &p.changed[0];
        assert_eq!(c.sentence, old);
        assert_eq!(
            c.edits,
            [
                Edit { at: 8, removed: "heat".into(), added: "major".into() },
                Edit { at: 13, removed: "busy".into(), added: String::new() },
            ]
        );
        assert_eq!(apply(c), new);
        assert_eq!(
            c.segments(),
            [
                Segment::Same("The missiles have mostly targeted civilian electricity and"),
                Segment::Edited { removed: "heat", added: "major" },
                Segment::Same("infrastructure, while some hit"),
                Segment::Edited { removed: "busy", added: "" },
                Segment::Same("roads."),
            ]
        );
    }

    #[test]
    fn different_sentences_stay_apart() {
        let p = pair(
            vec!["The minister said the talks in Brussels would go on.".into()],
            vec!["Germany sent the first IRIS-T system to Kyiv on Tuesday.".into()],
            5,
        );
        assert!(p.changed.is_empty());
        assert_eq!(p.removed.len(), 1);
        assert_eq!(p.added.len(), 1);
    }

    #[test]
    fn each_sentence_pairs_once_with_its_closest() {
        let a = "Rescue teams reached the town of Paiporta by boat late on Tuesday night.";
        let b = "Rescue teams reached the town of Paiporta by boat early on Tuesday night.";
        let c = "Rescue teams reached the town by car late on Monday night.";
        let p = pair(vec![a.into()], vec![c.into(), b.into()], 5);
        assert_eq!(p.changed.len(), 1);
        assert_eq!(apply(&p.changed[0]), b);
        assert_eq!(p.added, [c]);
    }

    #[test]
    fn each_kind_is_capped_after_pairing() {
        let edited = |k: usize| {
            (
                format!("Ministers met in Brussels on day {k} of the talks."),
                format!("Ministers met in Brussels on day {k} of the summit."),
            )
        };
        let (mut removed, mut added): (Vec<String>, Vec<String>) = (0..4).map(edited).unzip();
        // The copy's own sentences come first: its edited ones are still within reach.
        removed.extend((0..3).map(|k| format!("Only the original says {k} things.")));
        added.splice(0..0, (0..3).map(|k| format!("Germany sent {k} tanks.")));
        let p = pair(removed, added, 2);
        assert_eq!(p.changed.len(), 2);
        assert_eq!(
            p.changed[0].edits,
            [Edit { at: 9, removed: "talks.".into(), added: "summit.".into() }]
        );
        assert_eq!(
            p.removed,
            ["Only the original says 0 things.", "Only the original says 1 things."]
        );
        assert_eq!(p.added, ["Germany sent 0 tanks.", "Germany sent 1 tanks."]);
    }

    #[test]
    fn words_added_at_the_end_are_one_edit_at_the_end() {
        let c = change("Talks went on.", "Talks went on. Officials gave no figures.");
        assert_eq!(
            c.edits,
            [Edit { at: 3, removed: String::new(), added: "Officials gave no figures.".into() }]
        );
        assert_eq!(
            c.segments(),
            [
                Segment::Same("Talks went on."),
                Segment::Edited { removed: "", added: "Officials gave no figures." },
            ]
        );
    }

    proptest! {
        #[test]
        fn edits_rebuild_the_copy(
            old in proptest::collection::vec("[a-d]{1,2}", 1..30),
            new in proptest::collection::vec("[a-d]{1,2}", 1..30),
        ) {
            let c = change(&old.join(" "), &new.join(" "));
            prop_assert_eq!(apply(&c), new.join(" "));
            // Segments cover the sentence: shared runs and removed words, in order.
            let mut covered: Vec<&str> = Vec::new();
            for s in c.segments() {
                match s {
                    Segment::Same(t) => covered.extend(t.split(' ')),
                    Segment::Edited { removed, .. } => {
                        covered.extend(removed.split(' ').filter(|w| !w.is_empty()))
                    }
                }
            }
            prop_assert_eq!(covered.join(" "), old.join(" "));
        }
    }
}
