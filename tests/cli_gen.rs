//! `samestory gen` end to end: output files and compression, truth files, determinism across
//! `-j`, flag errors, and what goes to stderr.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

fn samestory(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samestory")).args(args).output().expect("run samestory")
}

fn ok(args: &[&str]) -> Output {
    let out = samestory(args);
    assert!(
        out.status.success(),
        "samestory {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read_back(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    samestory::read::source::open_input(path).unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

fn ids(jsonl: &[u8]) -> Vec<String> {
    jsonl
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn writes_the_exact_count_to_stdout() {
    let out = ok(&["gen", "--articles", "1234", "--seed", "5", "-q"]);
    assert_eq!(ids(&out.stdout).len(), 1234);
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn compressed_outputs_hold_the_same_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let plain = ok(&["gen", "--articles", "1500", "--seed", "3", "-q"]).stdout;
    for name in ["c.jsonl.gz", "c.jsonl.zst", "c.jsonl"] {
        let path = dir.path().join(name);
        ok(&["gen", "--articles", "1500", "--seed", "3", "-q", "-o", path.to_str().unwrap()]);
        let raw = std::fs::read(&path).unwrap();
        if name != "c.jsonl" {
            assert_ne!(raw, plain, "{name} was not compressed");
        }
        assert!(read_back(&path) == plain, "{name} differs from stdout output");
    }
}

#[test]
fn truth_files_cover_every_article_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    let truth = dir.path().join("truth/nested");
    ok(&[
        "gen",
        "--articles",
        "2100",
        "-q",
        "-o",
        corpus.to_str().unwrap(),
        "--truth",
        truth.to_str().unwrap(),
    ]);
    let want = ids(&std::fs::read(&corpus).unwrap());
    for file in ["dups.tsv", "events.tsv", "stories.tsv"] {
        let text = std::fs::read_to_string(truth.join(file)).unwrap();
        let got: Vec<&str> = text.lines().map(|l| l.split('\t').next().unwrap()).collect();
        assert_eq!(got, want, "{file}");
        assert!(text.lines().all(|l| l.split('\t').count() == 2), "{file}");
    }
}

#[test]
fn thread_count_does_not_change_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for j in ["1", "2", "4"] {
        let truth = dir.path().join(format!("t{j}"));
        let out =
            ok(&["gen", "--articles", "3100", "-j", j, "-q", "--truth", truth.to_str().unwrap()]);
        let stories = std::fs::read(truth.join("stories.tsv")).unwrap();
        runs.push((out.stdout, stories));
    }
    assert!(runs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn prints_one_stats_line_unless_quiet() {
    let out = ok(&["gen", "--articles", "50"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("50 articles"), "{err}");
}

#[test]
fn bad_values_are_fatal_and_name_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("never.jsonl");
    let out = samestory(&["gen", "--dup-rate", "1.5", "-o", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--dup-rate"), "{err}");
    assert!(!path.exists(), "an invalid run should not create its output");

    let out = samestory(&["gen", "--start", "2023-02-30"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--start"));

    let out = samestory(&["gen", "--outlets", "5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--outlets"));
}

#[test]
fn help_explains_the_knobs_with_examples() {
    let out = ok(&["gen", "--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--articles",
        "--truth",
        "--sub-burst",
        "--series-rate",
        "Examples:",
        "samestory gen --articles",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
    assert!(help.contains("[default: 0.3]"), "defaults are shown");
}
