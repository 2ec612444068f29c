//! `samestory eval` end to end: the real binary on small files in a temp dir.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test input");
    path
}

fn eval(args: &[&str]) -> Output {
    eval_stdin(args, None)
}

fn eval_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_samestory"))
        .arg("eval")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run samestory");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("wait for samestory")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const TRUTH: &str = "id\tevent\na1\tE1\na2\tE1\na3\tE1\nb1\tE2\nb2\tE2\nc1\tE3\nz9\tE3\n";

const CLUSTERS: &str = r#"{"type":"cluster","cluster":1,"size":4,"members":[{"id":"a1","group":1,"similarity":1.0},{"id":"a2","group":1,"similarity":0.9},{"id":"b1","group":2,"similarity":0.6},{"id":"b2","group":2,"similarity":0.6}]}
{"type":"cluster","cluster":2,"size":1,"members":[{"id":"a3","group":3,"similarity":1.0}]}
{"type":"cluster","cluster":3,"size":1,"members":[{"id":"x7","group":4,"similarity":1.0}]}
{"type":"rejected","id":"c1","reason":"empty text"}
{"type":"thread","thread":1,"clusters":[1,2]}
{"type":"summary","articles":6}
"#;

#[test]
fn text_report_on_jsonl_prediction() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.tsv", TRUTH);
    let pred = write(dir.path(), "clusters.jsonl", CLUSTERS);
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Scored: a1 a2 b1 b2 in cluster 1, a3 alone; truth E1 {a1 a2 a3}, E2 {b1 b2}.
    // Pairs: predicted 6, true 4, correct 2.
    assert!(text.contains("scored      5 articles"), "{text}");
    assert!(text.contains("pairwise     0.3333  0.5000  0.4000  2 of 6 predicted pairs"), "{text}");
    assert!(text.contains("only in prediction  1  x7"), "{text}");
    assert!(text.contains("only in truth       1  z9"), "{text}");
    assert!(text.contains("rejected            1  c1"), "{text}");
    assert!(text.contains("JSON Lines, cluster records"), "{text}");
    assert!(text.contains("  1           4      2  E1: 2 (a1 a2), E2: 2 (b1 b2)"), "{text}");
    assert!(!text.contains("NaN"));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn json_report_is_one_object() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.tsv", TRUTH);
    let pred = write(dir.path(), "clusters.jsonl", CLUSTERS);
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["evaluated"], 5);
    assert_eq!(v["pairwise"]["precision"], 0.3333);
    assert_eq!(v["pairwise"]["f1"], 0.4);
    assert_eq!(v["rejected"]["ids"][0], "c1");
    assert_eq!(v["nmi_normalization"], "arithmetic");
    assert_eq!(v["worst_merges"][0]["cluster"], "1");
    assert_eq!(v["worst_merges"][0]["truth_clusters"], 2);
    assert_eq!(v["worst_splits"][0]["cluster"], "E1");
}

#[test]
fn tsv_column_stdin_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.tsv", "1\tA\n2\tA\n3\tB\n");
    let report = dir.path().join("report.txt");
    let pred = "id\tevent\tthread\n1\t10\t7\n2\t11\t7\n3\t12\t8\n";
    let out = eval_stdin(
        &["--truth", truth.to_str().unwrap(), "--column", "3", "-o", report.to_str().unwrap(), "-"],
        Some(pred),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("TSV, column 3"), "{text}");
    assert!(text.contains("ARI          1.0000"), "{text}");
}

#[test]
fn worst_limits_the_lists() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "t.tsv", "a\t1\nb\t2\nc\t3\nd\t4\ne\t5\nf\t6\n");
    let pred = write(dir.path(), "p.tsv", "a\tx\nb\tx\nc\ty\nd\ty\ne\tz\nf\tz\n");
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap(), "--worst", "1"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0));
    let merges = text.split("worst merges").nth(1).unwrap().split("worst splits").next().unwrap();
    // Header plus one row.
    assert_eq!(merges.lines().filter(|l| l.starts_with("  ")).count(), 2, "{text}");
    assert!(merges.contains("  x "), "{text}");
}

#[test]
fn bad_tsv_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.tsv", "a\t1\nb\t1\nc\n");
    let pred = write(dir.path(), "pred.tsv", "a\t1\n");
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("truth.tsv:3: column 2: missing"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_json_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.tsv", TRUTH);
    let pred = write(
        dir.path(),
        "pred.jsonl",
        "{\"type\":\"group\",\"group\":1,\"members\":[{\"id\":\"a1\"}]}\n{\"type\":\"group\",\n",
    );
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("pred.jsonl:2: record: invalid JSON"), "{err}");

    let pred = write(
        dir.path(),
        "nomember.jsonl",
        "{\"type\":\"group\",\"group\":1,\"members\":[{\"similarity\":1}]}\n",
    );
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nomember.jsonl:1: members[0].id: missing"), "{}", stderr(&out));
}

#[test]
fn prediction_that_is_not_a_partition_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.tsv", "a\t1\na\t2\nb\t1\n");
    let pred = write(dir.path(), "pred.tsv", "a\tx\nb\tx\na\ty\n");
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("pred.tsv:3: id: id \"a\" is already in cluster \"x\" (line 1)"), "{err}");
    let overlapping = eval(&["--truth", truth.to_str().unwrap(), truth.to_str().unwrap()]);
    assert_eq!(
        overlapping.status.code(),
        Some(2),
        "the truth file as a prediction is no partition"
    );
    // The same overlap in the truth is allowed.
    let pred = write(dir.path(), "ok.tsv", "a\tx\nb\tx\n");
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("extended (Amigó et al. 2009)"), "{}", stdout(&out));
}

#[test]
fn disjoint_ids_print_the_report_then_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.tsv", "1\tA\n2\tA\n");
    let pred = write(dir.path(), "pred.tsv", "doc-1\tA\ndoc-2\tA\n");
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("only in prediction  2  doc-1 doc-2"), "{}", stdout(&out));
    assert!(stderr(&out).contains("no id has a cluster in both"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2() {
    let out = eval(&["--truth", "t.tsv", "--column", "1", "p.tsv"]);
    assert_eq!(out.status.code(), Some(2));
    let out = eval(&["--truth", "-", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("both be read from stdin"), "{}", stderr(&out));
    let out = eval(&["--truth", "/nonexistent/t.tsv", "/nonexistent/p.tsv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/p.tsv"), "{}", stderr(&out));
}

#[test]
fn help_shows_examples() {
    let out = eval(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("Examples:\n  samestory eval --truth"), "{text}");
    assert!(text.contains("--truth-column <N>"), "{text}");
}

#[test]
fn output_of_a_run_that_rejected_a_duplicate_id_is_scored() {
    // The first record with id a0001 is clustered, its repeat rejected: eval used to read that
    // as one id in a cluster and without one, and refuse the prediction.
    let dir = tempfile::tempdir().unwrap();
    let (nato, tokyo) = (crate::util::NATO, crate::util::TOKYO);
    let corpus = write(
        dir.path(),
        "in.jsonl",
        &format!(
            "{{\"id\":\"a0001\",\"text\":\"{nato}\"}}\n{{\"id\":\"a0002\",\"text\":\"{nato}\"}}\n\
             {{\"id\":\"a0003\",\"text\":\"{tokyo}\"}}\n{{\"id\":\"a0001\",\"text\":\"{tokyo}\"}}\n"
        ),
    );
    let truth = write(dir.path(), "t.tsv", "a0001\tE1\na0002\tE1\na0003\tE2\n");
    for cmd in ["cluster", "dedup"] {
        let pred = dir.path().join(format!("{cmd}.jsonl"));
        let o = crate::util::run(
            &[cmd, "-q", "--skip-invalid", corpus.to_str().unwrap(), "-o", pred.to_str().unwrap()],
            None,
        );
        assert_eq!(o.status.code(), Some(1), "{cmd}: {}", stderr(&o));
        assert!(stderr(&o).contains("in.jsonl:4"), "{cmd}: {}", stderr(&o));

        let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{cmd}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("3 articles, 1 rejected duplicate skipped)"), "{cmd}: {text}");
        assert!(text.contains("note: 1 rejected record in the prediction repeats"), "{text}");

        let out = eval(&["--json", "--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{cmd}: {}", stderr(&out));
        let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(r["evaluated"], 3, "{cmd}: {r}");
        assert_eq!(r["prediction"]["rejected_duplicates"], 1, "{cmd}: {r}");
        assert_eq!(r["rejected"]["count"], 0, "{cmd}: {r}");
        assert_eq!(r["bcubed"]["f1"], 1.0, "{cmd}: {r}");
    }
}

#[test]
fn concatenated_files_with_byte_order_marks_evaluate() {
    // `cat a.tsv b.tsv` of spreadsheet exports, and `cat` of two cluster outputs saved by an
    // editor that adds a mark: each later file's mark (and header) comes mid-stream.
    let dir = tempfile::tempdir().unwrap();
    let bom = "\u{feff}";
    let truth = format!("{bom}id\tevent\na1\tE1\na2\tE1\n{bom}id\tevent\nb1\tE2\nb2\tE2\n");
    let truth = write(dir.path(), "truth.tsv", &truth);
    let pred = format!(
        "{bom}{}\n{bom}{}\n",
        r#"{"type":"cluster","cluster":1,"members":[{"id":"a1"},{"id":"a2"}]}"#,
        r#"{"type":"cluster","cluster":2,"members":[{"id":"b1"},{"id":"b2"}]}"#
    );
    let pred = write(dir.path(), "clusters.jsonl", &pred);
    let out = eval(&["--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(text.contains("scored      4 articles"), "{text}");
    assert!(text.contains("pairwise     1.0000  1.0000  1.0000"), "{text}");
    assert!(text.contains("only in truth       0"), "{text}");
}

#[test]
fn numeric_ids_in_another_programs_json_match_samestorys_by_their_text() {
    // The reader keeps 1e3 and 7.0 as written, and so must eval, where another program's JSON
    // spells ids as numbers: read as machine numbers they were 1000 and 7, matching nothing.
    let dir = tempfile::tempdir().unwrap();
    let (nato, tokyo) = (crate::util::NATO, crate::util::TOKYO);
    let big = "123456789012345678901234567890";
    let corpus = write(
        dir.path(),
        "in.jsonl",
        &format!(
            "{{\"id\":1e3,\"text\":\"{nato}\"}}\n{{\"id\":7.0,\"text\":\"{nato}\"}}\n\
             {{\"id\":{big},\"text\":\"{tokyo}\"}}\n"
        ),
    );
    let truth = write(
        dir.path(),
        "truth.jsonl",
        &format!(
            "{{\"type\":\"cluster\",\"cluster\":1.0,\"members\":[{{\"id\":1e3}},7.0]}}\n\
             {{\"type\":\"cluster\",\"cluster\":2,\"members\":[{{\"id\":{big}}}]}}\n"
        ),
    );
    let pred = dir.path().join("dedup.jsonl");
    let o = crate::util::run(
        &["dedup", "-q", corpus.to_str().unwrap(), "-o", pred.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (truth, pred) in [(&truth, &pred), (&pred, &truth)] {
        let out = eval(&["--json", "--truth", truth.to_str().unwrap(), pred.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(r["evaluated"], 3, "{r}");
        assert_eq!(r["bcubed"]["f1"], 1.0, "{r}");
    }
}
