//! Output paths that would destroy data are refused before the run reads anything: an output
//! that is an input (under any name the command line gives it), two outputs on one file or on stdout, and an output whose
//! directory is missing or that this user may not write. Each refusal exits 2, names the flag,
//! and leaves every file as it was.
//! So are inputs that name one file twice, which would read every article in it twice.

use std::path::{Path, PathBuf};

use crate::util::{bin, fixture, run, stderr, stdout, write};

/// A copy of the wire fixture in `dir`, so a run that overwrites it harms nothing shared.
fn corpus(dir: &Path) -> PathBuf {
    write(dir, "x.jsonl", std::fs::read(fixture("corpus/wire.jsonl")).unwrap())
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `samestory args...`, expects a refusal naming `flag`, and returns stderr.
fn refused(args: &[&str], flag: &str) -> String {
    let o = run(args, None);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "samestory {args:?}: {err}");
    assert!(err.contains(flag), "{flag} not named: {err}");
    assert!(o.stdout.is_empty(), "output on stdout: {}", stdout(&o));
    err
}

#[test]
fn an_output_naming_the_input_leaves_it_intact() {
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    let before = std::fs::read(&x).unwrap();
    for (cmd, flag) in [
        ("dedup", "-o"),
        ("dedup", "--emit-unique"),
        ("dedup", "--emit-pairs"),
        ("cluster", "-o"),
        ("cluster", "--report"),
    ] {
        let err = refused(&[cmd, "-q", arg(&x), flag, arg(&x)], flag);
        assert!(err.contains("x.jsonl") && err.contains("overwrite what it reads"), "{err}");
        assert_eq!(std::fs::read(&x).unwrap(), before, "{cmd} {flag} changed the input");
    }
}

#[cfg(unix)]
#[test]
fn hard_links_and_symlinks_to_the_input_count_as_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    let before = std::fs::read(&x).unwrap();
    let hard = dir.path().join("hard.jsonl");
    std::fs::hard_link(&x, &hard).unwrap();
    let soft = dir.path().join("soft.jsonl");
    std::os::unix::fs::symlink(&x, &soft).unwrap();
    refused(&["dedup", "-q", arg(&x), "--emit-unique", arg(&hard)], "--emit-unique");
    refused(&["cluster", "-q", arg(&soft), "-o", arg(&x)], "-o");
    assert_eq!(std::fs::read(&x).unwrap(), before);
}

#[test]
fn two_outputs_on_one_file_are_refused_before_either_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    let o = write(dir.path(), "o.jsonl", "precious\n");
    let err = refused(&["dedup", "-q", arg(&x), "-o", arg(&o), "--emit-unique", arg(&o)], "-o");
    assert!(err.contains("--emit-unique"), "{err}");
    let err = refused(&["dedup", "-q", arg(&x), "--emit-pairs", arg(&o), "-o", arg(&o)], "-o");
    assert!(err.contains("--emit-pairs"), "{err}");
    let err = refused(
        &["cluster", "-q", arg(&x), "--format", "html", "-o", arg(&o), "--report", arg(&o)],
        "-o",
    );
    assert!(err.contains("--report"), "{err}");
    assert_eq!(std::fs::read(&o).unwrap(), b"precious\n");
}

#[test]
fn several_outputs_may_go_to_dev_null() {
    // Discarding outputs is what /dev/null is for; a device overwrites nothing.
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    for args in [
        vec!["dedup", "-q", arg(&x), "-o", "/dev/null", "--emit-pairs", "/dev/null"],
        vec!["cluster", "-q", arg(&x), "-o", "/dev/null", "--report", "/dev/null"],
    ] {
        let o = run(&args, None);
        assert_eq!(o.status.code(), Some(0), "samestory {args:?}: {}", stderr(&o));
    }
}

#[test]
fn only_one_output_may_go_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    refused(&["dedup", "-q", arg(&x), "--emit-unique", "-"], "--emit-unique");
    refused(&["dedup", "-q", arg(&x), "--emit-pairs", "-"], "--emit-pairs");
    refused(&["cluster", "-q", arg(&x), "--report", "-"], "--report");
    refused(&["cluster", "-q", arg(&x), "-o", "-", "--report", "-"], "--report");
    // One stdout output is the normal case.
    let o = run(
        &["dedup", "-q", arg(&x), "-o", "-", "--emit-pairs", arg(&dir.path().join("p.tsv"))],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_missing_output_directory_is_refused_before_any_output_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    let o = write(dir.path(), "o.jsonl", "precious\n");
    let missing = dir.path().join("nope").join("pairs.tsv");
    let err = refused(
        &["dedup", "-q", arg(&x), "-o", arg(&o), "--emit-pairs", arg(&missing)],
        "--emit-pairs",
    );
    assert!(err.contains("does not exist") && err.contains("nope"), "{err}");
    assert_eq!(std::fs::read(&o).unwrap(), b"precious\n", "-o truncated by a refused run");
    let report = dir.path().join("nope").join("report.html");
    refused(&["cluster", "-q", arg(&x), "--report", arg(&report)], "--report");
    let not_dir = o.join("groups.jsonl");
    let err = refused(&["dedup", "-q", arg(&x), "-o", arg(&not_dir)], "-o");
    assert!(err.contains("not a directory"), "{err}");
}

/// A directory in `parent` this user may not write to, or `None` (saying why) where the mode
/// bits bind nobody: root writes anywhere, so the tests needing one skip under it.
#[cfg(unix)]
fn read_only_dir(parent: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let ro = parent.join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
    if std::fs::write(ro.join("probe"), "").is_ok() {
        eprintln!("skipped: this user writes to a 0o500 directory (root?)");
        return None;
    }
    Some(ro)
}

#[cfg(unix)]
#[test]
fn an_output_the_user_cannot_write_is_refused_before_any_output_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    let Some(ro) = read_only_dir(dir.path()) else { return };
    let o = write(dir.path(), "o.jsonl", "precious\n");
    let locked = write(dir.path(), "locked.jsonl", "mine\n");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o400)).unwrap();
    let (new, old) = (ro.join("new.out"), &locked);
    for (cmd, flag) in [
        ("dedup", "-o"),
        ("dedup", "--emit-pairs"),
        ("dedup", "--emit-unique"),
        ("cluster", "-o"),
        ("cluster", "--report"),
    ] {
        // Another output, written first had the check missed this one.
        let first = match (cmd, flag) {
            ("dedup", "-o") => "--emit-pairs",
            ("cluster", "-o") => "--report",
            _ => "-o",
        };
        for bad in [&new, old] {
            let args = [cmd, "-q", arg(&x), first, arg(&o), flag, arg(bad)];
            let err = refused(&args, flag);
            assert!(err.contains(arg(bad)) && err.contains("ermission denied"), "{err}");
            assert_eq!(std::fs::read(&o).unwrap(), b"precious\n", "{cmd} {flag} wrote {first}");
        }
    }
    assert_eq!(std::fs::read(&locked).unwrap(), b"mine\n");
    assert!(std::fs::read_dir(&ro).unwrap().next().is_none(), "a refused run created a file");

    let t = dir.path().join("t");
    refused(&["gen", "-q", "--articles", "20", "-o", arg(&new), "--truth", arg(&t)], "-o");
    assert!(!t.exists(), "--truth made before -o was refused");
    let below = ro.join("t");
    let args = ["gen", "-q", "--articles", "20", "-o", arg(&o), "--truth", arg(&below)];
    let err = refused(&args, "--truth");
    assert!(err.contains("cannot create directories in"), "{err}");
    // A truth directory that is there, holding a file this user may not write.
    std::fs::create_dir(&t).unwrap();
    let events = write(&t, "events.tsv", "mine\n");
    std::fs::set_permissions(&events, std::fs::Permissions::from_mode(0o400)).unwrap();
    let args = ["gen", "-q", "--articles", "20", "-o", arg(&o), "--truth", arg(&t)];
    let err = refused(&args, "--truth");
    assert!(err.contains("events.tsv"), "{err}");
    assert_eq!(std::fs::read(&o).unwrap(), b"precious\n", "gen wrote -o");
    assert_eq!(std::fs::read(&events).unwrap(), b"mine\n");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn a_txt_output_inside_a_directory_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    let a = write(&articles, "a.txt", "NATO ministers meet\nDefence ministers met in Brussels.\n");
    write(&articles, "b.txt", "Storm hits coast\nA storm reached the coast on Monday.\n");
    refused(&["dedup", "-q", arg(&articles), "-o", arg(&a)], "-o");
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        "NATO ministers meet\nDefence ministers met in Brussels.\n"
    );
    // A new .txt file there would be read as an article by this run's second pass, or the next.
    let unique = articles.join("unique.txt");
    refused(&["dedup", "-q", arg(&articles), "--emit-unique", arg(&unique)], "--emit-unique");
    assert!(!unique.exists(), "a refused run created {}", unique.display());
}

#[test]
fn eval_and_gen_refuse_clobbering_outputs_too() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(dir.path(), "truth.tsv", "a\t1\nb\t1\n");
    let pred = write(dir.path(), "pred.tsv", "a\t1\nb\t2\n");
    let err = refused(&["eval", "--truth", arg(&truth), arg(&pred), "-o", arg(&truth)], "-o");
    assert!(err.contains("--truth"), "{err}");
    assert_eq!(std::fs::read_to_string(&truth).unwrap(), "a\t1\nb\t1\n");

    let t = dir.path().join("t");
    std::fs::create_dir(&t).unwrap();
    let corpus = t.join("events.tsv");
    let args = ["gen", "-q", "--articles", "20", "-o", arg(&corpus), "--truth", arg(&t)];
    let err = refused(&args, "--truth");
    assert!(err.contains("-o") && err.contains("events.tsv"), "{err}");
    assert!(!corpus.exists());

    let old = write(dir.path(), "old.jsonl", "precious\n");
    let not_dir = write(dir.path(), "truth-file", "");
    let args = ["gen", "-q", "--articles", "20", "-o", arg(&old), "--truth", arg(&not_dir)];
    let err = refused(&args, "--truth");
    assert!(err.contains("not a directory"), "{err}");
    assert_eq!(std::fs::read(&old).unwrap(), b"precious\n", "-o truncated by a refused run");
    // A directory that cannot be made, below a file: refused before -o is touched.
    let below = not_dir.join("t");
    let args = ["gen", "-q", "--articles", "20", "-o", arg(&old), "--truth", arg(&below)];
    let err = refused(&args, "--truth");
    assert!(err.contains("truth-file is not a directory"), "{err}");
    assert_eq!(std::fs::read(&old).unwrap(), b"precious\n", "-o truncated by a refused run");
    // Missing parents are made, as the help says.
    let deep = dir.path().join("a").join("b").join("truth");
    let args = ["gen", "-q", "--articles", "20", "-o", arg(&old), "--truth", arg(&deep)];
    let o = run(&args, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(deep.join("events.tsv").is_file());
}

#[test]
fn an_input_given_twice_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    let raw = std::fs::read(&x).unwrap();
    // Records without ids would get a different id under each name, and count twice.
    let soft = dir.path().join("soft.jsonl");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&x, &soft).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(&x, &soft).unwrap();
    let texts = dir.path().join("texts");
    std::fs::create_dir_all(texts.join("sub")).unwrap();
    write(&texts.join("sub"), "a.txt", "Title\nsome words\n");
    let sub = texts.join("sub");
    let mut cases = vec![
        (vec!["dedup", arg(&x), arg(&x)], "the same file"),
        (vec!["cluster", arg(&texts), arg(&sub)], "is inside"),
        (vec!["dedup", "-", "-"], "standard input"),
        (vec!["cluster", "-", "/dev/stdin"], "standard input"),
    ];
    if cfg!(unix) {
        cases.push((vec!["dedup", arg(&x), arg(&soft)], "the same file"));
    }
    for (args, why) in cases {
        let o = run(&args, Some(&raw));
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "samestory {args:?}: {err}");
        assert!(err.contains("INPUT") && err.contains(why), "{args:?}: {err}");
        let (a, b) = (args[1], args[2]);
        assert!(err.contains(a) && err.contains(b), "{args:?}: both not named: {err}");
        assert!(o.stdout.is_empty(), "{}", stdout(&o));
    }
    // Standard input redirected from a file that is also named.
    let o = bin()
        .args(["dedup", "-q", "-", arg(&x)])
        .stdin(std::fs::File::open(&x).unwrap())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("redirected from that file"), "{err}");
}

#[test]
fn dev_stdout_counts_as_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    let err =
        refused(&["cluster", "-q", arg(&x), "-o", "/dev/stdout", "--report", "-"], "--report");
    assert!(err.contains("- is stdout, where -o /dev/stdout already goes"), "{err}");
    refused(&["dedup", "-q", arg(&x), "--emit-pairs", "/dev/stdout"], "--emit-pairs");
    // Alone it is stdout's other name, and written to like a file.
    let plain = run(&["dedup", "-q", arg(&x)], None);
    let o = run(&["dedup", "-q", arg(&x), "-o", "/dev/stdout"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, plain.stdout);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_output_is_checked_as_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let x = corpus(dir.path());
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink("groups.jsonl", &link).unwrap();
    let target = dir.path().join("groups.jsonl");
    let err = refused(
        &["dedup", "-q", arg(&x), "-o", arg(&link), "--emit-unique", arg(&target)],
        "--emit-unique",
    );
    assert!(err.contains("same file as -o"), "{err}");
    assert!(!target.exists(), "a refused run created {}", target.display());
}
