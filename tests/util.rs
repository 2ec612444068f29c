//! Helpers shared by the integration tests: a command on the real binary, temporary files, and
//! golden-file comparison.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `samestory` binary built for these tests.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_samestory"));
    c.stdin(Stdio::null());
    c
}

/// Runs `samestory args...` with optional standard input.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut c = bin();
    c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().expect("spawn samestory");
    if let Some(input) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin");
        // A run refused before it reads stdin closes it unread: that is its answer, not ours.
        if let Err(e) = pipe.write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    child.wait_with_output().expect("wait for samestory")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The repository's `fixtures/` directory.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

/// `fixture()` as a string, for argument lists.
pub fn fixture_arg(rel: &str) -> String {
    fixture(rel).display().to_string()
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write temp file");
    p
}

/// Compares `actual` with the golden file `fixtures/expected/<name>`; with `SAMESTORY_BLESS=1`
/// rewrites it instead. On a mismatch, fails with the first differing lines.
pub fn assert_golden(name: &str, actual: &str) {
    let path = fixture(&format!("expected/{name}"));
    if std::env::var_os("SAMESTORY_BLESS").is_some() {
        std::fs::write(&path, actual).expect("bless golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (run with SAMESTORY_BLESS=1 to create it)", path.display())
    });
    if expected == actual {
        return;
    }
    let mut report = String::new();
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            report.push_str(&format!("line {}:\n  expected: {e}\n  actual:   {a}\n", i + 1));
            if report.len() > 2000 {
                break;
            }
        }
    }
    let (ne, na) = (expected.lines().count(), actual.lines().count());
    if ne != na {
        report.push_str(&format!("expected {ne} lines, got {na}\n"));
    }
    panic!(
        "{} differs from the output (SAMESTORY_BLESS=1 rewrites it after review):\n{report}",
        path.display()
    );
}

/// Parses JSON Lines output into values.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

/// Two one-sentence reports of unrelated events, for tests that need two clusters.
pub const NATO: &str =
    "NATO defence ministers met in Brussels on Wednesday to discuss air defence for Ukraine.";
/// See [`NATO`].
pub const TOKYO: &str =
    "Stocks fell in Tokyo as oil prices rose on Monday morning, led by exporters and banks.";

/// A `samestory gen` corpus of `articles` with `seed`, written as `g.jsonl` in `dir`.
pub fn gen_corpus(dir: &Path, articles: u32, seed: u32) -> PathBuf {
    let corpus = dir.join("g.jsonl");
    let (n, s) = (articles.to_string(), seed.to_string());
    let o =
        run(&["gen", "-q", "--articles", &n, "--seed", &s, "-o", corpus.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    corpus
}

/// A text directory `texts` in `dir`: three readable articles (`a.txt` and `b.txt` copies of
/// [`NATO`], `c.txt` [`TOKYO`]) and `d.txt.gz`, a gzip stream cut off halfway.
fn text_dir_with_truncated_gzip(dir: &Path) -> PathBuf {
    use std::io::Write;
    let texts = dir.join("texts");
    std::fs::create_dir(&texts).expect("create text directory");
    write(&texts, "a.txt", format!("NATO meets\n{NATO}"));
    write(&texts, "b.txt", format!("NATO meets in Brussels\n{NATO}"));
    write(&texts, "c.txt", format!("Tokyo stocks fall\n{TOKYO}"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(format!("Lost\n{TOKYO} {NATO}").as_bytes()).expect("gzip");
    let gz = gz.finish().expect("gzip");
    write(&texts, "d.txt.gz", &gz[..gz.len() / 2]);
    texts
}

/// Runs `command` on a text directory holding three articles and a truncated `.txt.gz`: without
/// `--skip-invalid` the run stops naming the cut file; with it the file is one `rejected`
/// record and the run exits 1. Returns that run's output, for the command's own check that
/// every readable article is in the output once.
pub fn corrupt_text_article_is_rejected(command: &str) -> String {
    let dir = tempfile::tempdir().expect("temporary directory");
    let texts = text_dir_with_truncated_gzip(dir.path());
    let texts = texts.to_str().expect("UTF-8 path");
    let cut = format!("{texts}/d.txt.gz");
    let (out, rejected) = rejected_gzip(command, texts, None, (&cut, 1));
    // The article's id is its path in the directory, whatever its bytes.
    assert_eq!(rejected["id"], "d.txt.gz", "{out}");
    out
}

/// Runs `command` on `input` (with `stdin`), which holds gzip damage at `(file, line)`: alone
/// it stops there (exit 2, nothing written); with `--skip-invalid` it exits 1 having named the
/// damage on stderr and written it as the one `rejected` record. Returns that run's output and
/// the record.
fn rejected_gzip(
    command: &str,
    input: &str,
    stdin: Option<&[u8]>,
    (file, line): (&str, u64),
) -> (String, serde_json::Value) {
    let o = run(&[command, input], stdin);
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains(&format!("{file}:{line}: record: corrupt or truncated gzip: ")), "{err}");

    let o = run(&[command, "--skip-invalid", input], stdin);
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{err}");
    let at = format!("rejected {file}:{line}: record: corrupt or truncated gzip: ");
    assert!(err.contains(&at), "{err}");
    let mut rejected: Vec<_> =
        json_lines(&out).into_iter().filter(|v| v["type"] == "rejected").collect();
    assert_eq!(rejected.len(), 1, "{out}");
    let r = rejected.remove(0);
    assert_eq!((r["input"].as_str(), r["line"].as_u64()), (Some(file), Some(line)), "{out}");
    let reason = r["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("corrupt or truncated gzip: "), "{reason}");
    (out, r)
}

/// `corpus.jsonl.gz` in `dir`: two gzip members, the first whole with three articles (`a` and
/// `b` copies of [`NATO`], `c` [`TOKYO`]), the second cut off halfway, so the damage is on
/// line 4 whatever the decoder makes of a partial block.
fn jsonl_gz_cut_after_three_lines(dir: &Path) -> PathBuf {
    use std::io::Write;
    let gzip = |text: &str| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).expect("gzip");
        gz.finish().expect("gzip")
    };
    let mut bytes = gzip(&format!(
        "{{\"id\":\"a\",\"text\":\"{NATO}\"}}\n{{\"id\":\"b\",\"text\":\"{NATO}\"}}\n\
         {{\"id\":\"c\",\"text\":\"{TOKYO}\"}}\n"
    ));
    let lost = gzip(&format!("{{\"id\":\"d\",\"text\":\"{TOKYO} {NATO}\"}}\n"));
    bytes.extend_from_slice(&lost[..lost.len() / 2]);
    write(dir, "corpus.jsonl.gz", bytes)
}

/// Runs `command` on a `.jsonl.gz` whose stream breaks on line 4, as a file and on stdin:
/// without `--skip-invalid` the run stops naming the input and line; with it the rest of the
/// stream is one `rejected` record and the run exits 1. Returns the outputs of those runs
/// (file, stdin), for the command's own check that articles `a`, `b` and `c` are in each once.
pub fn corrupt_jsonl_gz_is_rejected(command: &str) -> [String; 2] {
    let dir = tempfile::tempdir().expect("temporary directory");
    let gz = jsonl_gz_cut_after_three_lines(dir.path());
    let bytes = std::fs::read(&gz).expect("read back");
    let gz = gz.to_str().expect("UTF-8 path");
    [(gz, None), ("-", Some(&bytes[..]))].map(|(input, stdin)| {
        let (out, rejected) = rejected_gzip(command, input, stdin, (input, 4));
        let reason = rejected["reason"].as_str().unwrap_or_default();
        assert!(reason.ends_with("nothing from this line on could be read"), "{reason}");
        out
    })
}
