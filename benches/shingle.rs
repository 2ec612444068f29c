//! Text stages: tokenising an article (normalise, split, hash words) and cutting the result
//! into word 5-shingles or character 5-shingles. Throughput is bytes of article text per
//! second, so the three stages read on one scale and add up to the per-article text cost of
//! the pipeline's sketching pass.
//!
//! Input: the ASCII articles of a seeded 2,000-article `samestory::gen` corpus (about 1,700
//! articles, ~6.7 MB of text) and two Unicode renderings of them; one whole corpus per
//! iteration with reused buffers, as a pipeline worker does. Single-threaded: these are the
//! per-core costs; the pipeline bench shows them spread over all cores.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use samestory::normalize::{tokenize, Boilerplate, Tokens};
use samestory::params::ShingleParams;
use samestory::shingle::{word_shingles, Shingler};

const ARTICLES: u64 = 2_000;
/// Word hash seed; any value costs the same.
const HASH_SEED: u64 = 0;

/// A corpus pass takes tens of milliseconds: 20 samples over 3 s (criterion switches to flat
/// sampling when linear sampling would need more than twice that) are enough for a stable
/// median and keep the whole file well under a minute in full mode.
fn configure<M: criterion::measurement::Measurement>(g: &mut BenchmarkGroup<'_, M>) {
    g.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
}

/// Rewrites ASCII news text the way other outlets and languages print it: straight quotes
/// become curly ones and the first vowel of every fifth word takes an acute accent, either
/// precomposed (é, NFC as most text arrives) or as a base letter plus U+0301 (decomposed, which
/// forces full NFKC normalisation). The word count stays the same, so the variants compare.
fn unicode_variant(text: &str, decomposed: bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut open = true;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut done = i % 5 != 2;
        for c in word.chars() {
            match c {
                '"' => {
                    out.push(if open { '\u{201C}' } else { '\u{201D}' });
                    open = !open;
                }
                '\'' => out.push('\u{2019}'),
                'a' | 'e' | 'i' | 'o' | 'u' if !done => {
                    done = true;
                    if decomposed {
                        out.push(c);
                        out.push('\u{0301}');
                    } else {
                        out.push(match c {
                            'a' => 'á',
                            'e' => 'é',
                            'i' => 'í',
                            'o' => 'ó',
                            _ => 'ú',
                        });
                    }
                }
                _ => out.push(c),
            }
        }
    }
    out
}

fn bytes(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

fn benches(c: &mut Criterion) {
    let corpus = common::corpus(ARTICLES);
    // ASCII articles only, so that the Unicode variants below are the same articles with only
    // the characters changed (outlets with curly quotes make up part of the generated corpus).
    let ascii: Vec<String> = corpus.texts.iter().filter(|t| t.is_ascii()).cloned().collect();
    let nfc: Vec<String> = ascii.iter().map(|t| unicode_variant(t, false)).collect();
    let nfd: Vec<String> = ascii.iter().map(|t| unicode_variant(t, true)).collect();

    // Tokenise. The ASCII path is a byte-class loop; one non-ASCII character sends the whole
    // article down the char-by-char path, and text that is not already NFKC is normalised into
    // a buffer first. Throughput is per input byte, so the Unicode texts (a few percent longer
    // in UTF-8) are not favoured.
    let mut g = c.benchmark_group("tokenize");
    configure(&mut g);
    let mut tokens = Tokens::default();
    for (name, texts) in [("ascii", &ascii), ("unicode_nfc", &nfc), ("unicode_nfd", &nfd)] {
        g.throughput(Throughput::Bytes(bytes(texts)));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut words = 0;
                for t in texts {
                    tokenize(black_box(t), HASH_SEED, false, &mut tokens);
                    words += tokens.words.len();
                }
                words
            })
        });
    }
    g.finish();

    // Shingle. Inputs are tokenised up front so only shingling is timed; throughput still
    // counts the article text bytes behind the tokens, to line up with tokenising.
    let text_bytes = bytes(&ascii);
    let mut g = c.benchmark_group("shingle");
    configure(&mut g);
    g.throughput(Throughput::Bytes(text_bytes));

    // Word 5-shingles, the default: k multiply-xors over word hashes per shingle.
    let words: Vec<Vec<u64>> = ascii
        .iter()
        .map(|t| {
            tokenize(t, HASH_SEED, false, &mut tokens);
            tokens.words.clone()
        })
        .collect();
    let mut out = Vec::new();
    g.bench_function("word_k5", |b| {
        b.iter(|| {
            let mut n = 0;
            for w in &words {
                out.clear();
                word_shingles(black_box(w), 5, HASH_SEED, &mut out);
                n += out.len();
            }
            n
        })
    });

    // Character 5-shingles through `Shingler`, as `--char-shingles` runs them: it rebuilds the
    // normalised text from the kept words, then hashes every 5-byte window with xxh3, about
    // five times as many shingles as words.
    let kept: Vec<Tokens> = ascii
        .iter()
        .map(|t| {
            let mut tk = Tokens::default();
            tokenize(t, HASH_SEED, true, &mut tk);
            tk
        })
        .collect();
    let mut shingler =
        Shingler::new(ShingleParams { size: 5, char_shingles: true, seed: HASH_SEED });
    let none = Boilerplate::default();
    g.bench_function("char_k5", |b| {
        b.iter(|| {
            let mut n = 0;
            for tk in &kept {
                out.clear();
                shingler.shingles(black_box(tk), &none, &mut out);
                n += out.len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(shingle, benches);
criterion_main!(shingle);
