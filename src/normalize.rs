//! Text normalisation: Unicode NFKC, lower-casing, punctuation and whitespace folding, and
//! line-level boilerplate removal.
//!
//! Input: an article's raw text. Output: per line, the hashes of its normalised words. A word is
//! a maximal run of alphanumeric characters after NFKC (Unicode Standard Annex #15) and
//! lower-casing; everything else (curly or straight quotes, any dash, punctuation, runs of
//! spaces, line wraps) only separates words, so two renderings of one story tokenise alike.
//! ASCII text, the common case, skips NFKC and uses a byte loop. Cost: O(text length).
//!
//! Boilerplate: a line is page furniture ("Advertisement", "Subscribe to our newsletter") when
//! the same normalised line occurs in many articles of the corpus (document frequency over a
//! threshold, as in the line-level deduplication of Lee et al. 2022, "Deduplicating Training
//! Data Makes Language Models Better", and of web-page boilerplate detection). Such lines are
//! dropped before shingling, unless they are most of an article (a wire story's short
//! paragraphs: see [`crate::shingle::Shingler::shingles`]). Long lines never count: see
//! [`BoilerplateParams::max_words`].
//!
//! [`BoilerplateParams::max_words`]: crate::params::BoilerplateParams::max_words

use ahash::AHashSet;
use unicode_normalization::UnicodeNormalization;

/// Whether `c` shows nothing: whitespace, a control character, or a default-ignorable code
/// point (Unicode `Default_Ignorable_Code_Point`, DerivedCoreProperties.txt: zero-width spaces
/// and joiners, direction marks, the soft hyphen, variation selectors, the byte-order mark,
/// Hangul fillers, tags).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Whether `s` shows nothing at all ([`is_invisible`] throughout): a title of zero-width
/// spaces is no title, and a headline made of one reads as a blank line.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_invisible)
}

/// One normalised line: a range of words in [`Tokens::words`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Index of the line's first word.
    pub start: u32,
    /// One past its last word.
    pub end: u32,
    /// Order-sensitive hash of the line's words; equal lines have equal hashes.
    pub hash: u64,
}

impl Line {
    /// Number of words on the line.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// True for a line without words.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// A tokenised text, kept in reusable buffers so that a worker allocates once, not per article.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    /// Normalised words, concatenated.
    pub text: String,
    /// Byte ranges of the words in `text`.
    pub spans: Vec<(u32, u32)>,
    /// Seeded hash of each word.
    pub words: Vec<u64>,
    /// Lines that hold at least one word.
    pub lines: Vec<Line>,
    nfkc: String,
}

impl Tokens {
    /// The `i`-th normalised word.
    pub fn word(&self, i: usize) -> &str {
        let (a, b) = self.spans[i];
        &self.text[a as usize..b as usize]
    }

    fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.words.clear();
        self.lines.clear();
    }
}

/// Hash of a normalised (lower-case) word under `seed`. Words are short, so a multiply-xor over
/// 8-byte blocks suffices: for words of up to 8 bytes it is a bijection (no two such words
/// collide), and every consumer (line and shingle hashes) folds and finishes it with a full
/// avalanche of its own. It is defined on bytes alone, so it is the same on every machine.
#[inline]
pub fn word_hash(word: &[u8], seed: u64) -> u64 {
    hash_blocks(word, 0, word.len(), seed, 0)
}

/// [`word_hash`] of `bytes[start..end]` lower-cased, for ASCII alphanumeric bytes only: setting
/// bit 0x20 lower-cases letters and leaves digits, which already have it, unchanged.
#[inline]
fn ascii_word_hash(bytes: &[u8], start: usize, end: usize, seed: u64) -> u64 {
    hash_blocks(bytes, start, end, seed, 0x2020_2020_2020_2020)
}

/// Hashes `bytes[start..end]` in 8-byte little-endian blocks, the last one zero-padded.
#[inline(always)]
fn hash_blocks(bytes: &[u8], start: usize, end: usize, seed: u64, or_mask: u64) -> u64 {
    let len = end - start;
    let mut h = seed ^ (len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut pos = start;
    while pos + 8 <= end {
        let v = u64::from_le_bytes(bytes[pos..pos + 8].try_into().expect("8 bytes")) | or_mask;
        h = (h ^ v).wrapping_mul(0xFF51_AFD7_ED55_8CCD).rotate_left(29);
        pos += 8;
    }
    let rest = end - pos;
    if rest > 0 {
        let keep = u64::MAX >> (8 * (8 - rest));
        // Reading 8 bytes of the surrounding text and masking avoids assembling the tail in a
        // stack buffer, whose byte stores stall the 8-byte load that follows.
        let raw = if pos + 8 <= bytes.len() {
            u64::from_le_bytes(bytes[pos..pos + 8].try_into().expect("8 bytes"))
        } else {
            let mut buf = [0u8; 8];
            buf[..rest].copy_from_slice(&bytes[pos..end]);
            u64::from_le_bytes(buf)
        };
        let v = (raw | or_mask) & keep;
        h = (h ^ v).wrapping_mul(0xFF51_AFD7_ED55_8CCD).rotate_left(29);
    }
    h
}

#[inline]
fn fold(h: u64, w: u64) -> u64 {
    (h.rotate_left(23) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

const LINE_SEED: u64 = 0x243F_6A88_85A3_08D3;

/// Tokenises `text` into `out` (cleared first): word hashes under `seed` and lines; with
/// `keep_text`, also the normalised words themselves (needed for character shingles).
pub fn tokenize(text: &str, seed: u64, keep_text: bool, out: &mut Tokens) {
    out.clear();
    if text.is_ascii() {
        tokenize_ascii(text, seed, keep_text, out);
    } else {
        // Most real text (curly quotes, accents already composed) is NFKC already: the quick
        // check confirms that without allocating.
        if unicode_normalization::is_nfkc_quick(text.chars())
            == unicode_normalization::IsNormalized::Yes
        {
            tokenize_unicode(text, seed, out);
            return;
        }
        let mut nfkc = std::mem::take(&mut out.nfkc);
        nfkc.clear();
        nfkc.extend(text.nfkc());
        tokenize_unicode(&nfkc, seed, out);
        out.nfkc = nfkc;
    }
}

/// Byte classes for the ASCII tokeniser.
const WORD: u8 = 1;
const BREAK: u8 = 2;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() {
            t[i] = WORD;
        } else if c == b'\n' || c == b'\r' {
            t[i] = BREAK;
        }
        i += 1;
    }
    t
};

/// Calls `word(start, end, hash)` for each word of the ASCII `bytes`, as [`tokenize`] splits and
/// hashes them (without lines or text). For a caller that looks most words up by hash and needs
/// the lower-cased text of only a few: copying and lower-casing every word was most of the
/// summariser's tokenising (callgrind).
#[inline]
pub(crate) fn for_each_ascii_word(
    bytes: &[u8],
    seed: u64,
    mut word: impl FnMut(usize, usize, u64),
) {
    debug_assert!(bytes.is_ascii());
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        if CLASS[bytes[i] as usize] != WORD {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < n && CLASS[bytes[i] as usize] == WORD {
            i += 1;
        }
        word(start, i, ascii_word_hash(bytes, start, i, seed));
    }
}

fn tokenize_ascii(text: &str, seed: u64, keep_text: bool, out: &mut Tokens) {
    let bytes = text.as_bytes();
    let mut line_start = 0u32;
    let mut line_hash = LINE_SEED;
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        let class = CLASS[bytes[i] as usize];
        if class == WORD {
            let start = i;
            i += 1;
            while i < n && CLASS[bytes[i] as usize] == WORD {
                i += 1;
            }
            let h = ascii_word_hash(bytes, start, i, seed);
            out.words.push(h);
            line_hash = fold(line_hash, h);
            if keep_text {
                // A slice copied and lower-cased in place, not a character at a time: the
                // summariser keeps the text of every word it reads.
                let a = out.text.len();
                out.text.push_str(&text[start..i]);
                out.text[a..].make_ascii_lowercase();
                out.spans.push((a as u32, out.text.len() as u32));
            }
            continue;
        }
        if class == BREAK {
            let end = out.words.len() as u32;
            if end > line_start {
                out.lines.push(Line { start: line_start, end, hash: line_hash });
            }
            line_start = end;
            line_hash = LINE_SEED;
        }
        i += 1;
    }
    let end = out.words.len() as u32;
    if end > line_start {
        out.lines.push(Line { start: line_start, end, hash: line_hash });
    }
}

struct LineBuilder {
    start: u32,
    hash: u64,
}

impl LineBuilder {
    fn new(start: usize) -> Self {
        LineBuilder { start: start as u32, hash: LINE_SEED }
    }
}

fn end_line(out: &mut Tokens, line: &mut LineBuilder) {
    let end = out.words.len() as u32;
    if end > line.start {
        out.lines.push(Line { start: line.start, end, hash: line.hash });
    }
    *line = LineBuilder::new(out.words.len());
}

fn end_word(out: &mut Tokens, word_start: usize, seed: u64, line: &mut LineBuilder) {
    let end = out.text.len();
    if end > word_start {
        let h = word_hash(&out.text.as_bytes()[word_start..end], seed);
        out.spans.push((word_start as u32, end as u32));
        out.words.push(h);
        line.hash = fold(line.hash, h);
    }
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

fn tokenize_unicode(text: &str, seed: u64, out: &mut Tokens) {
    let mut line = LineBuilder::new(0);
    let mut word_start = 0;
    for c in text.chars() {
        // Marks (accents left decomposed, Indic vowel signs) belong to the word they sit on.
        if c.is_alphanumeric() || is_mark(c) {
            if c.is_ascii() {
                out.text.push(c.to_ascii_lowercase());
            } else {
                out.text.extend(c.to_lowercase());
            }
            continue;
        }
        end_word(out, word_start, seed, &mut line);
        word_start = out.text.len();
        if is_line_break(c) {
            end_line(out, &mut line);
        }
    }
    end_word(out, word_start, seed, &mut line);
    end_line(out, &mut line);
}

fn is_mark(c: char) -> bool {
    // Scripts such as Devanagari or Thai put vowel signs after the consonant; they and
    // decomposed accents are combining characters and belong to the word they sit on.
    !c.is_ascii()
        && (unicode_normalization::char::canonical_combining_class(c) != 0
            || unicode_normalization::char::is_combining_mark(c))
}

/// The set of boilerplate line hashes for a corpus.
#[derive(Debug, Default, Clone)]
pub struct Boilerplate {
    lines: AHashSet<u64>,
}

impl Boilerplate {
    /// A set holding exactly `hashes`.
    pub fn from_hashes(hashes: impl IntoIterator<Item = u64>) -> Self {
        Boilerplate { lines: hashes.into_iter().collect() }
    }

    /// Number of distinct boilerplate lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when nothing is boilerplate.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// True when `line` is boilerplate.
    pub fn contains(&self, line: &Line) -> bool {
        self.contains_hash(line.hash)
    }

    /// True when the line hashing to `hash` ([`Line::hash`]) is boilerplate.
    pub fn contains_hash(&self, hash: u64) -> bool {
        !self.lines.is_empty() && self.lines.contains(&hash)
    }

    /// Appends to `out` the byte ranges, in order, of the lines of `text` that are boilerplate
    /// when tokenised under `seed` (the seed the set was built with); `max_words` is the
    /// longest line the set can hold, so longer ones are not tokenised.
    pub fn lines_in(
        &self,
        text: &str,
        seed: u64,
        max_words: u32,
        tokens: &mut Tokens,
        out: &mut Vec<(usize, usize)>,
    ) {
        if self.is_empty() {
            return;
        }
        for (a, b) in short_lines(text, max_words) {
            let raw = &text[a..b];
            // An ASCII line (which holds no line break) is hashed as the tokeniser would, word by
            // word, without building its token list: this ran on every short line of every
            // article the summaries read.
            let hash = if raw.is_ascii() {
                let mut hash = None;
                for_each_ascii_word(raw.as_bytes(), seed, |_, _, w| {
                    hash = Some(fold(hash.unwrap_or(LINE_SEED), w));
                });
                hash
            } else {
                tokenize(raw, seed, false, tokens);
                match tokens.lines[..] {
                    [line] => Some(line.hash),
                    _ => None,
                }
            };
            if hash.is_some_and(|h| self.contains_hash(h)) {
                out.push((a, b));
            }
        }
    }
}

/// Raw lines longer than this many bytes per allowed word cannot be short enough to be
/// boilerplate, so they are not tokenised.
const MAX_BYTES_PER_WORD: usize = 40;

/// Byte ranges of the lines of `text` (ended by `\n` or `\r`) that may have at most
/// `max_words` words, found by counting bytes: only those can be boilerplate, and counting is
/// far cheaper than tokenising every line.
pub fn short_lines(text: &str, max_words: u32) -> impl Iterator<Item = (usize, usize)> + '_ {
    let max_bytes = max_words as usize * MAX_BYTES_PER_WORD;
    // Words are separated by spaces: a line with many more spaces than allowed words cannot
    // qualify.
    let max_spaces = max_words as usize + max_words as usize / 2;
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        while start <= bytes.len() {
            let end =
                memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |o| start + o);
            let a = start;
            start = end + 1;
            let line = &text[a..end];
            if line.len() > max_bytes || line.trim().is_empty() {
                continue;
            }
            if line.bytes().filter(|&b| b == b' ').count() > max_spaces {
                continue;
            }
            return Some((a, end));
        }
        None
    })
}

/// Distinct hashes of the lines of `tokens` that may be boilerplate (at most `max_words` words),
/// each once per article, appended to `out`.
pub fn candidate_lines(tokens: &Tokens, max_words: u32, out: &mut Vec<u64>) {
    let start = out.len();
    out.extend(tokens.lines.iter().filter(|l| l.len() <= max_words as usize).map(|l| l.hash));
    let mine = &mut out[start..];
    mine.sort_unstable();
    let mut w = 0;
    for r in 0..mine.len() {
        if r == 0 || mine[r] != mine[w - 1] {
            mine[w] = mine[r];
            w += 1;
        }
    }
    out.truncate(start + w);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut t = Tokens::default();
        tokenize(text, 0, true, &mut t);
        (0..t.spans.len()).map(|i| t.word(i).to_string()).collect()
    }

    fn hashes(text: &str) -> Vec<u64> {
        let mut t = Tokens::default();
        tokenize(text, 7, false, &mut t);
        t.words
    }

    #[test]
    fn blank_means_nothing_visible() {
        for s in
            ["", " \t\n", "\u{200B}\u{200B}", "\u{FEFF}", "\u{200E}\u{00AD} \u{2060}", "\u{3164}"]
        {
            assert!(is_blank(s), "{s:?}");
        }
        for s in ["a", "\u{200B}x", "·", "—", "日", "\u{0301}"] {
            assert!(!is_blank(s), "{s:?}");
        }
    }

    #[test]
    fn ascii_words_are_the_tokeniser_words_with_their_hashes() {
        let text =
            "NATO's chief, Jens Stoltenberg, met 30 ministers\nin Brussels -- on 14-15 Feb. x";
        let mut got = Vec::new();
        for_each_ascii_word(text.as_bytes(), 7, |a, b, h| {
            got.push((text[a..b].to_ascii_lowercase(), h))
        });
        let want: Vec<(String, u64)> = words(text).into_iter().zip(hashes(text)).collect();
        assert_eq!(got.len(), 15);
        assert_eq!(got, want);
    }

    #[test]
    fn short_lines_skip_long_and_blank_lines_at_either_line_break() {
        let text = "Advertisement\r\nA long line of body text that goes on\n \nShare this\rEnd";
        let got: Vec<&str> = short_lines(text, 4).map(|(a, b)| &text[a..b]).collect();
        assert_eq!(got, ["Advertisement", "Share this", "End"]);
    }

    #[test]
    fn boilerplate_lines_are_found_by_byte_range() {
        let line = "Follow Reuters on WhatsApp for breaking news";
        let mut t = Tokens::default();
        tokenize(line, 7, false, &mut t);
        let bp = Boilerplate::from_hashes([t.lines[0].hash]);
        // Case and spacing do not matter, as for the line counts; a longer line holding it
        // is not boilerplate.
        // Nor do marks outside words, ASCII or not.
        let text = format!("The minister resigned.\nfollow  REUTERS on WhatsApp for breaking news\r\n{line} today\n{line}\n› {line} »\n-- {line}.");
        let mut found = Vec::new();
        bp.lines_in(&text, 7, 24, &mut t, &mut found);
        let got: Vec<&str> = found.iter().map(|&(a, b)| &text[a..b]).collect();
        let (marked, dashed) = (format!("› {line} »"), format!("-- {line}."));
        assert_eq!(got, ["follow  REUTERS on WhatsApp for breaking news", line, &marked, &dashed]);
        found.clear();
        Boilerplate::default().lines_in(&text, 7, 24, &mut t, &mut found);
        assert!(found.is_empty());
    }

    #[test]
    fn folds_case_punctuation_and_whitespace() {
        assert_eq!(
            words("The  NATO-led\tmeeting, in \"Brussels\"."),
            ["the", "nato", "led", "meeting", "in", "brussels"]
        );
    }

    #[test]
    fn typographic_variants_hash_alike() {
        let plain = "Ukraine's air defences - \"the reality\" is clear";
        let fancy = "Ukraine\u{2019}s air defences \u{2014} \u{201C}the reality\u{201D} is clear";
        assert_eq!(hashes(plain), hashes(fancy));
        // Compatibility forms: full-width letters and the "fi" ligature.
        assert_eq!(hashes("FINANCE office"), hashes("\u{FF26}\u{FF29}NANCE of\u{FB01}ce"));
    }

    #[test]
    fn line_wrap_changes_lines_not_words() {
        let mut a = Tokens::default();
        let mut b = Tokens::default();
        tokenize("one two three\nfour five", 0, false, &mut a);
        tokenize("one two\nthree four five", 0, false, &mut b);
        assert_eq!(a.words, b.words);
        assert_eq!(a.lines.len(), 2);
    }

    #[test]
    fn accents_stay_inside_words() {
        assert_eq!(words("Café Zürich"), ["café", "zürich"]);
        // Decomposed input composes under NFKC.
        assert_eq!(words("Cafe\u{0301}"), ["café"]);
        assert_eq!(words("नमस्ते दुनिया").len(), 2);
    }

    #[test]
    fn lines_hash_by_content() {
        let mut t = Tokens::default();
        tokenize("Advertisement\n\n  ADVERTISEMENT  \nBody text here.\n", 0, false, &mut t);
        assert_eq!(t.lines.len(), 3);
        assert_eq!(t.lines[0].hash, t.lines[1].hash);
        assert_ne!(t.lines[0].hash, t.lines[2].hash);
        let mut c = Vec::new();
        candidate_lines(&t, 24, &mut c);
        assert_eq!(c.len(), 2, "each distinct line counted once per article");
        candidate_lines(&t, 1, &mut c);
        assert_eq!(c.len(), 3, "only the one-word line is short enough");
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_unicode_path() {
        // The same words hash alike whether the text around them is ASCII or not.
        let ascii = hashes("Breaking NEWS 2023 the MiXeD case words exceeding8bytes");
        let uni = hashes("Breaking NEWS 2023 the MiXeD case words exceeding8bytes \u{00e9}");
        assert_eq!(ascii[..], uni[..ascii.len()]);
        assert_eq!(word_hash(b"abc", 1), ascii_word_hash(b"ABC", 0, 3, 1));
        assert_eq!(word_hash(b"abc", 1), ascii_word_hash(b"ABC and more text", 0, 3, 1));
        assert_ne!(word_hash(b"abc", 1), word_hash(b"abc", 2));
        assert_ne!(word_hash(b"abcdefgh", 0), word_hash(b"abcdefghi", 0));
    }

    #[test]
    fn empty_and_punctuation_only_texts_have_no_words() {
        assert!(words("").is_empty());
        assert!(words(" -- ... \n\n ").is_empty());
    }
}
