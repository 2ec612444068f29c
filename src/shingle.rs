//! Shingling: word k-grams (w-shingling, Broder 1997, "On the resemblance and containment of
//! documents") or character k-grams over the normalised words, each hashed to a u64.
//!
//! Input: [`Tokens`] and the corpus's boilerplate lines, skipped unless they are most of the
//! text ([`Shingler::shingles`]). Output: shingle hashes
//! (with repeats; sketches are insensitive to them). A word shingle hash folds the k word hashes,
//! so each word is hashed once and each shingle costs k multiply-xors. A text with fewer than k
//! words gets one shingle of all its words, so that short texts still get a signature.

use crate::normalize::{Boilerplate, Line, Tokens};
use crate::params::ShingleParams;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Final avalanche (SplitMix64's finaliser, Steele et al. 2014): sketches take bin and value
/// from different bits of the hash, so every bit must depend on every input bit.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline]
fn word_shingle(words: &[u64], seed: u64) -> u64 {
    let mut h = seed ^ 0x243F_6A88_85A3_08D3;
    for &w in words {
        h = (h.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    mix64(h ^ words.len() as u64)
}

/// Turns kept words into shingle hashes.
#[derive(Debug, Clone)]
pub struct Shingler {
    params: ShingleParams,
    chars: String,
    kept: Vec<u64>,
}

impl Shingler {
    /// A shingler for `params`.
    pub fn new(params: ShingleParams) -> Self {
        Shingler { params, chars: String::new(), kept: Vec::new() }
    }

    /// The parameters in use.
    pub fn params(&self) -> &ShingleParams {
        &self.params
    }

    /// Appends the shingle hashes of `tokens` to `out`, skipping `boilerplate` lines (shingles
    /// then span the gap, as if the furniture had never been printed), unless they are the
    /// article: more than half of its words, in lines of [`PROSE_LINE_WORDS`] words or more on
    /// average.
    ///
    /// Why the exception: a line is boilerplate for recurring in many articles, and so does
    /// every short paragraph of a wire story syndicated that often (three copies in a small
    /// corpus). Furniture is a small part of an article; when the recurring lines are most of
    /// it, they are the article, and skipping them left the copies nothing to match on (four
    /// copies of one wire story came out as three groups). A page whose body failed to load
    /// also holds nothing but recurring lines ("Subscribe to continue reading"), but short
    /// ones: those are still skipped, and such pages are compared by headline, not all
    /// grouped for sharing an outlet's paywall notice. The choice is each article's own, so
    /// two copies can fall on either side of it (one with a long paragraph of its own added)
    /// and then share fewer shingles than two copies on the same side.
    pub fn shingles(
        &mut self,
        tokens: &Tokens,
        boilerplate: &Boilerplate,
        out: &mut Vec<u64>,
    ) -> Skipped {
        let (mut found, mut found_words) = (0, 0);
        for l in tokens.lines.iter().filter(|l| boilerplate.contains(l)) {
            found += 1;
            found_words += l.len();
        }
        let dropped = found > 0
            && (2 * found_words <= tokens.words.len() || found_words < PROSE_LINE_WORDS * found);
        let (k, seed) = (self.params.size, self.params.seed);
        let kept = |l: &&Line| !dropped || !boilerplate.contains(l);
        if self.params.char_shingles {
            self.chars.clear();
            for line in tokens.lines.iter().filter(kept) {
                for i in line.start..line.end {
                    if !self.chars.is_empty() {
                        self.chars.push(' ');
                    }
                    self.chars.push_str(tokens.word(i as usize));
                }
            }
            char_shingles(&self.chars, k, seed, out);
        } else if !dropped {
            word_shingles(&tokens.words, k, seed, out);
        } else {
            self.kept.clear();
            for line in tokens.lines.iter().filter(kept) {
                self.kept.extend_from_slice(&tokens.words[line.start as usize..line.end as usize]);
            }
            word_shingles(&self.kept, k, seed, out);
        }
        Skipped { found, dropped }
    }
}

/// Words a line of reporting has on average: wire paragraphs run to 15 or more, furniture
/// ("Follow us on WhatsApp", "Already a subscriber? Log in") to a handful.
pub const PROSE_LINE_WORDS: usize = 12;

/// What [`Shingler::shingles`] did with a text's boilerplate lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Boilerplate lines in the text.
    pub found: usize,
    /// Whether they were left out of the shingles (they are not when they are most of it).
    pub dropped: bool,
}

impl Skipped {
    /// Lines left out.
    pub fn lines(&self) -> usize {
        if self.dropped {
            self.found
        } else {
            0
        }
    }
}

/// Appends the hashes of the word k-grams of `words` (word hashes) to `out`.
pub fn word_shingles(words: &[u64], k: usize, seed: u64, out: &mut Vec<u64>) {
    if words.is_empty() {
        return;
    }
    if words.len() <= k {
        out.push(word_shingle(words, seed));
        return;
    }
    out.extend(words.windows(k).map(|w| word_shingle(w, seed)));
}

/// Appends the hashes of the character k-grams of `text` to `out`.
pub fn char_shingles(text: &str, k: usize, seed: u64, out: &mut Vec<u64>) {
    if text.is_empty() {
        return;
    }
    let bytes = text.as_bytes();
    if text.is_ascii() {
        if bytes.len() <= k {
            out.push(mix64(xxh3_64_with_seed(bytes, seed)));
        } else {
            out.extend(bytes.windows(k).map(|w| mix64(xxh3_64_with_seed(w, seed))));
        }
        return;
    }
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([bytes.len()]).collect();
    let n_chars = starts.len() - 1;
    if n_chars <= k {
        out.push(mix64(xxh3_64_with_seed(bytes, seed)));
        return;
    }
    for i in 0..=n_chars - k {
        out.push(mix64(xxh3_64_with_seed(&bytes[starts[i]..starts[i + k]], seed)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;

    fn shingle_set(text: &str, params: ShingleParams) -> Vec<u64> {
        let mut t = Tokens::default();
        tokenize(text, params.seed, params.char_shingles, &mut t);
        let mut out = Vec::new();
        Shingler::new(params).shingles(&t, &Boilerplate::default(), &mut out);
        out
    }

    #[test]
    fn word_shingle_counts() {
        let p = ShingleParams { size: 3, ..Default::default() };
        assert_eq!(shingle_set("a b c d e", p.clone()).len(), 3);
        assert_eq!(shingle_set("a b", p.clone()).len(), 1, "short text still shingles");
        assert!(shingle_set("", p).is_empty());
    }

    #[test]
    fn shingles_are_order_sensitive_and_seeded() {
        let p = ShingleParams { size: 2, ..Default::default() };
        assert_ne!(shingle_set("a b", p.clone()), shingle_set("b a", p.clone()));
        let q = ShingleParams { seed: 1, ..p.clone() };
        assert_ne!(shingle_set("a b", p), shingle_set("a b", q));
    }

    #[test]
    fn char_shingles_use_normalised_words() {
        let p = ShingleParams { size: 4, char_shingles: true, seed: 0 };
        assert_eq!(shingle_set("Ab, cd!", p.clone()), shingle_set("ab  CD", p.clone()));
        assert_eq!(shingle_set("ab cd", p.clone()).len(), 2);
        assert_eq!(shingle_set("zürich", p).len(), 3);
    }

    #[test]
    fn boilerplate_lines_are_skipped_and_shingles_join_across_them() {
        let p = ShingleParams { size: 2, ..Default::default() };
        let mut t = Tokens::default();
        tokenize("a b\nAdvertisement\nc d", 0, false, &mut t);
        let bp = Boilerplate::from_hashes([t.lines[1].hash]);
        let mut out = Vec::new();
        let skipped = Shingler::new(p.clone()).shingles(&t, &bp, &mut out);
        assert_eq!(skipped, Skipped { found: 1, dropped: true });
        out.sort_unstable();
        let mut clean = shingle_set("a b c d", p);
        clean.sort_unstable();
        assert_eq!(out, clean);
    }

    #[test]
    fn boilerplate_lines_that_are_most_of_the_text_are_kept() {
        let p = ShingleParams { size: 2, ..Default::default() };
        // (words of each line, boilerplate lines, whether they are dropped)
        let cases: [(&[usize], &[usize], bool); 8] = [
            (&[13, 12, 3], &[0], true), // 13 of 28 words: furniture in a longer text
            (&[13, 12, 3], &[0, 1], false), // 25 of 28, 12.5 a line: the text itself
            (&[13, 12, 3], &[1, 2], true), // 15 of 28, 7.5 a line
            (&[13, 12, 3], &[0, 2], true), // 16 of 28, 8 a line
            (&[13, 12, 3], &[0, 1, 2], true), // all 28, 9.3 a line: furniture
            (&[14, 14], &[0], true),    // exactly half
            (&[12, 12, 6], &[0, 1], false), // 24 of 30, exactly 12 a line
            (&[12, 11, 7], &[0, 1], true), // 23 of 30, 11.5 a line
        ];
        for (sizes, lines, dropped) in cases {
            let text: Vec<String> =
                sizes.iter().enumerate().map(|(i, &n)| format!("w{i} ").repeat(n)).collect();
            let mut t = Tokens::default();
            tokenize(&text.join("\n"), 0, false, &mut t);
            let all = shingle_set(&text.join(" "), p.clone());
            let bp = Boilerplate::from_hashes(lines.iter().map(|&i| t.lines[i].hash));
            let mut out = Vec::new();
            let skipped = Shingler::new(p.clone()).shingles(&t, &bp, &mut out);
            let case = format!("{sizes:?} {lines:?}");
            assert_eq!(skipped, Skipped { found: lines.len(), dropped }, "{case}");
            assert_eq!(skipped.lines(), if dropped { lines.len() } else { 0 });
            assert_eq!(out == all, !dropped, "{case}");
        }
    }
}
