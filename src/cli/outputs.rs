//! Output paths checked against the inputs and against each other, and inputs against each
//! other, before a run reads anything. A slip on the command line (`-o` naming the corpus, two
//! flags naming one file, a directory that is not there, one corpus file given twice) then costs
//! an error message, not the user's data, a long run whose result cannot be written, or one
//! whose every article was read twice. An output the user may not write (a read-only file, a
//! directory they cannot create files in) is refused for the same reason: found only when the
//! output is opened, it would fail the run after the work, or after another output is written.
//!
//! Two paths are one file when they resolve to the same device and inode (Unix), so hard links
//! and symlinks count; elsewhere, when their canonical paths agree. Nothing is created or
//! truncated here: a refused run leaves every file as it was.

use std::fs::{self, Metadata};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use samestory::error::{Error, Result};
use samestory::read::text;

/// A file or directory the run reads.
pub struct Source<'a> {
    /// What messages call it: "the input", "the --truth file".
    pub what: &'a str,
    /// As given on the command line; `-` is stdin, which no output can overwrite.
    pub path: &'a Path,
}

/// A file the run writes.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    /// The flag naming it, for messages.
    pub flag: &'a str,
    /// The file; `-` is stdout, and so is `None` for the main output (a side output left
    /// `None` is not written).
    pub path: Option<&'a Path>,
}

#[derive(Debug, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    /// A canonical path: a file not yet there (its directory resolved), or any file off Unix.
    Path(PathBuf),
}

fn file_id(path: &Path, meta: &Metadata) -> Result<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        Ok(FileId::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        fs::canonicalize(path).map(FileId::Path).map_err(|e| Error::io(path, e))
    }
}

struct OutFile<'a> {
    path: &'a Path,
    id: FileId,
    exists: bool,
    /// A device, pipe or socket (`/dev/null`, a terminal): writing there overwrites nothing,
    /// and several outputs may go to it.
    shared: bool,
}

/// Where `path`, named by `flag`, would be written; refused when it cannot be created there.
fn out_file<'a>(flag: &str, path: &'a Path) -> Result<OutFile<'a>> {
    let shown = path.display();
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(Error::param(flag, format!("{shown} is a directory"))),
        Ok(meta) => {
            // Standard output under a file name is opened anew, so it is asked like any file.
            if let Err(e) = writable(path, &meta) {
                return Err(Error::param(flag, format!("cannot write {shown}: {e}")));
            }
            let shared = !meta.is_file();
            Ok(OutFile { path, id: file_id(path, &meta)?, exists: true, shared })
        }
        Err(err) => {
            // Writing through a dangling symlink creates what it points at: that file, and its
            // directory, are the ones to check.
            let target = link_target(path);
            let shown = match target.as_path() {
                t if t == path => shown.to_string(),
                t => format!("{shown} (a symlink to {})", t.display()),
            };
            let dir = match target.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let reason = match fs::metadata(dir) {
                Ok(meta) if meta.is_dir() => can_create_in(dir)
                    .err()
                    .map(|e| format!("cannot create files in {}: {e}", dir.display())),
                Ok(_) => Some(format!("{} is not a directory", dir.display())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Some(format!("directory {} does not exist", dir.display()))
                }
                Err(e) => Some(format!("{}: {e}", dir.display())),
            };
            if let Some(reason) = reason {
                return Err(Error::param(flag, format!("cannot write {shown}: {reason}")));
            }
            if err.kind() != std::io::ErrorKind::NotFound {
                return Err(Error::param(flag, format!("cannot write {shown}: {err}")));
            }
            let dir = fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
            let id = FileId::Path(dir.join(target.file_name().unwrap_or_default()));
            Ok(OutFile { path, id, exists: false, shared: false })
        }
    }
}

/// Whether the user running samestory may open `path`, which is there, for writing.
///
/// access(2) asks the kernel the question open(2) will answer, for the effective user, with
/// ACLs, read-only mounts and root's exemption counted; it opens nothing, so it leaves no trace
/// and changes no mtime. Mode bits alone misjudge root, ACLs and read-only mounts; opening the
/// file (for append, so as not to truncate it) would block on a FIFO until a reader comes.
#[cfg(unix)]
fn writable(path: &Path, _meta: &Metadata) -> std::io::Result<()> {
    access(path, rustix::fs::Access::WRITE_OK)
}

/// Off Unix only the read-only attribute is asked; a refusal the check misses is still
/// reported when the output is opened, only later.
#[cfg(not(unix))]
fn writable(path: &Path, meta: &Metadata) -> std::io::Result<()> {
    let _ = path;
    if meta.permissions().readonly() {
        return Err(std::io::Error::from(ErrorKind::PermissionDenied));
    }
    Ok(())
}

/// Whether the user running samestory may create a file (or directory) in the directory `dir`:
/// it must be writable and searchable. Creating and removing a probe file would answer too,
/// but would touch the directory's mtime and leave the probe behind if the run were killed.
#[cfg(unix)]
fn can_create_in(dir: &Path) -> std::io::Result<()> {
    use rustix::fs::Access;
    access(dir, Access::WRITE_OK | Access::EXEC_OK)
}

#[cfg(not(unix))]
fn can_create_in(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn access(path: &Path, how: rustix::fs::Access) -> std::io::Result<()> {
    use rustix::fs::{accessat, AtFlags, CWD};
    use rustix::io::Errno;
    // EACCESS: the effective user, who opens the file, not the real one access(2) would ask
    // about. Only a clear "no" refuses: an error the kernel has no answer for (NOSYS from a
    // kernel without faccessat2 in a setuid run, an odd filesystem) leaves it to the open.
    match accessat(CWD, path, how, AtFlags::EACCESS) {
        Err(e @ (Errno::ACCESS | Errno::PERM | Errno::ROFS | Errno::TXTBSY)) => Err(e.into()),
        _ => Ok(()),
    }
}

/// Refuses a directory the run is to create, parents included (`gen --truth DIR`), when
/// something on its path is there but is no directory, or cannot be examined, or when the
/// user may not create it in the directory that is there. A directory already there is not
/// asked about: the files the run writes in it are checked as outputs.
pub fn new_dir(flag: &str, dir: &Path) -> Result<()> {
    for up in dir.ancestors() {
        let up = if up.as_os_str().is_empty() { Path::new(".") } else { up };
        let reason = match fs::metadata(up) {
            Ok(meta) if meta.is_dir() && up == dir => return Ok(()),
            Ok(meta) if meta.is_dir() => match can_create_in(up) {
                Ok(()) => return Ok(()),
                Err(e) => format!("cannot create directories in {}: {e}", up.display()),
            },
            Ok(_) => format!("{} is not a directory", up.display()),
            // Below a file the system says "not a directory": the file above is named next.
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                continue
            }
            Err(e) => format!("{}: {e}", up.display()),
        };
        return Err(Error::param(flag, format!("cannot create {}: {reason}", dir.display())));
    }
    Ok(())
}

/// Where a chain of symlinks starting at `path` ends (`path` itself when it is no link), as far
/// as the kernel would follow one (40 links on Linux).
fn link_target(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        let Ok(to) = fs::read_link(&p) else { break };
        p = match p.parent() {
            Some(dir) => dir.join(to),
            None => to,
        };
    }
    p
}

/// The names of standard output. They are files too (whatever stdout is: a terminal, a pipe,
/// the file a shell redirected it to), but two outputs there interleave as surely as two `-`.
fn is_stdout(path: &Path) -> bool {
    ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"].iter().any(|s| path == Path::new(s))
}

/// The names of standard input: whichever is read first takes all of it.
fn is_stdin(path: &Path) -> bool {
    ["-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"].iter().any(|s| path == Path::new(s))
}

/// What an input is, for finding two inputs that are one.
enum InputId {
    Stdin,
    File(FileId),
    /// Canonical path beside the identity: a directory inside another is read by both.
    Dir(PathBuf, FileId),
}

/// Refuses corpus inputs that name one file or directory twice (the same path, a hard link, a
/// symlink, standard input under two names, or a file that is also what stdin is redirected
/// from) and a directory inside another: every article in it would be read twice, or the
/// second read of stdin would find nothing.
pub fn distinct_inputs(inputs: &[Source]) -> Result<()> {
    let mut seen: Vec<(&Source, InputId)> = Vec::new();
    for src in inputs {
        let id = if is_stdin(src.path) {
            InputId::Stdin
        } else {
            // An input that cannot be read is the reader's to report, with its own message.
            let Ok(meta) = fs::metadata(src.path) else { continue };
            let id = file_id(src.path, &meta)?;
            if meta.is_dir() {
                let dir = fs::canonicalize(src.path).map_err(|e| Error::io(src.path, e))?;
                InputId::Dir(dir, id)
            } else {
                InputId::File(id)
            }
        };
        for (first, first_id) in &seen {
            let (a, b) = (first.path.display(), src.path.display());
            let one = |why: &str| Some(format!("{a} and {b} are one input ({why}); give it once"));
            let inside = |outer, inner| {
                Some(format!("{inner} is inside {outer}; its articles would be read twice"))
            };
            let refusal = match (first_id, &id) {
                (InputId::Stdin, InputId::Stdin) => one("standard input"),
                (InputId::File(x), InputId::File(y)) | (InputId::Dir(_, x), InputId::Dir(_, y))
                    if x == y =>
                {
                    one("the same file")
                }
                (InputId::Dir(x, _), InputId::Dir(y, _)) if y.starts_with(x) => inside(&a, &b),
                (InputId::Dir(x, _), InputId::Dir(y, _)) if x.starts_with(y) => inside(&b, &a),
                (InputId::Stdin, InputId::File(f)) | (InputId::File(f), InputId::Stdin)
                    if stdin_id().as_ref() == Some(f) =>
                {
                    one("standard input is redirected from that file")
                }
                _ => None,
            };
            if let Some(reason) = refusal {
                return Err(Error::param("INPUT", reason));
            }
        }
        seen.push((src, id));
    }
    Ok(())
}

/// The file standard input is, when the system can say.
fn stdin_id() -> Option<FileId> {
    if cfg!(unix) {
        let path = Path::new("/dev/stdin");
        fs::metadata(path).ok().and_then(|meta| file_id(path, &meta).ok())
    } else {
        None
    }
}

/// Refuses outputs that are inputs (or files a directory input reads), outputs that name one
/// file twice, more than one output on stdout, and outputs whose directory is missing.
pub fn check(inputs: &[Source], main: Target, side: &[Target]) -> Result<()> {
    let stdin = Path::new("-");
    let outputs = std::iter::once(&main).chain(side.iter().filter(|t| t.path.is_some()));
    let mut files: Vec<(&Target, OutFile)> = Vec::new();
    let mut on_stdout: Option<&Target> = None;
    for t in outputs {
        if t.path.is_none_or(is_stdout) {
            if let Some(first) = on_stdout {
                let first = match first.path {
                    Some(p) => format!("{} {}", first.flag, p.display()),
                    None => format!("the main output (no {})", first.flag),
                };
                let this = t.path.unwrap_or(stdin).display();
                return Err(Error::param(
                    t.flag,
                    format!(
                        "{this} is stdout, where {first} already goes; give one of them a file"
                    ),
                ));
            }
            on_stdout = Some(t);
        }
        if let Some(path) = t.path.filter(|p| *p != stdin) {
            files.push((t, out_file(t.flag, path)?));
        }
    }

    for src in inputs.iter().filter(|s| s.path != stdin) {
        // An input that cannot be read is the reader's to report, with its own message.
        let Ok(meta) = fs::metadata(src.path) else { continue };
        if meta.is_dir() {
            check_dir(src, &files)?;
            continue;
        }
        let id = file_id(src.path, &meta)?;
        if let Some((t, out)) = files.iter().find(|(_, out)| !out.shared && out.id == id) {
            let input = format!("{} {}", src.what, src.path.display());
            return Err(same_file(t.flag, out, &input, "samestory would overwrite what it reads"));
        }
    }

    for (i, (t, out)) in files.iter().enumerate().filter(|(_, (_, out))| !out.shared) {
        if let Some((first, first_out)) = files[..i].iter().find(|(_, o)| o.id == out.id) {
            let other = format!("{} {}", first.flag, first_out.path.display());
            return Err(same_file(t.flag, out, &other, "one output would overwrite the other"));
        }
    }
    Ok(())
}

/// The refusal of `out`, named by `flag`, for being the same file as `other`.
fn same_file(flag: &str, out: &OutFile, other: &str, harm: &str) -> Error {
    Error::param(flag, format!("{} is the same file as {other}; {harm}", out.path.display()))
}

/// A directory input is read as every `.txt` file below it, and `dedup --emit-unique` reads it
/// again while writing: an output that is one of those files, or would become one, is refused.
fn check_dir(src: &Source, files: &[(&Target, OutFile)]) -> Result<()> {
    let dir = fs::canonicalize(src.path).map_err(|e| Error::io(src.path, e))?;
    let in_dir = |t: &Target, out: &OutFile, file: &Path| {
        Error::param(
            t.flag,
            format!(
                "{} is {}, an article of {} {}; samestory would overwrite what it reads",
                out.path.display(),
                file.display(),
                src.what,
                src.path.display()
            ),
        )
    };
    for (t, out) in files.iter().filter(|(_, out)| !out.exists) {
        if let FileId::Path(p) = &out.id {
            if p.starts_with(&dir) && text::is_article_file(p) {
                return Err(in_dir(t, out, p));
            }
        }
    }
    // A file that exists may be an article under another name (a hard link, or a symlink in
    // the directory), which only its identity shows: one stat per article, cheaper than the
    // read that follows, and skipped when every output is new.
    if !files.iter().any(|(_, out)| out.exists) {
        return Ok(());
    }
    for file in text::list(src.path)?.articles {
        let Ok(meta) = fs::metadata(&file) else { continue };
        let id = file_id(&file, &meta)?;
        if let Some((t, out)) = files.iter().find(|(_, out)| out.exists && out.id == id) {
            return Err(in_dir(t, out, &file));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &Path) -> Source<'_> {
        Source { what: "the input", path }
    }

    fn to<'a>(flag: &'a str, path: &'a Path) -> Target<'a> {
        Target { flag, path: Some(path) }
    }

    fn stdout() -> Target<'static> {
        Target { flag: "-o", path: None }
    }

    fn refused(inputs: &[Source], main: Target, side: &[Target]) -> String {
        match check(inputs, main, side) {
            Ok(()) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn distinct_files_and_one_stdout_pass() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("x.jsonl");
        std::fs::write(&x, "{}\n").unwrap();
        let o = dir.path().join("o.jsonl");
        let u = dir.path().join("u.jsonl");
        std::fs::write(&u, "old\n").unwrap();
        let side =
            [to("--emit-unique", &u), to("--emit-pairs", &o), Target { flag: "--x", path: None }];
        check(&[input(&x), input(Path::new("-"))], stdout(), &side).unwrap();
        assert_eq!(std::fs::read(&u).unwrap(), b"old\n", "checking never truncates");
        assert!(!o.exists(), "checking never creates");
    }

    #[test]
    fn an_output_that_is_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("x.jsonl");
        std::fs::write(&x, "{}\n").unwrap();
        let msg = refused(&[input(&x)], stdout(), &[to("--emit-unique", &x)]);
        assert!(msg.contains("--emit-unique") && msg.contains("x.jsonl"), "{msg}");
        assert!(msg.contains("would overwrite what it reads"), "{msg}");
        // The same file under another spelling.
        let other = dir.path().join(".").join("x.jsonl");
        refused(&[input(&x)], to("-o", &other), &[]);
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_and_symlinks_are_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("x.jsonl");
        std::fs::write(&x, "{}\n").unwrap();
        let hard = dir.path().join("hard.jsonl");
        std::fs::hard_link(&x, &hard).unwrap();
        let soft = dir.path().join("soft.jsonl");
        std::os::unix::fs::symlink(&x, &soft).unwrap();
        assert!(refused(&[input(&x)], to("-o", &hard), &[]).contains("hard.jsonl"));
        assert!(refused(&[input(&soft)], to("-o", &x), &[]).contains("-o"));
        let msg = refused(&[], to("-o", &hard), &[to("--report", &soft)]);
        assert!(msg.contains("--report") && msg.contains("-o"), "{msg}");
    }

    #[test]
    fn two_outputs_naming_one_file_are_refused_even_before_it_exists() {
        let dir = tempfile::tempdir().unwrap();
        let o = dir.path().join("o.jsonl");
        let again = dir.path().join("sub").join("..").join("o.jsonl");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let msg = refused(&[], to("-o", &o), &[to("--emit-unique", &again)]);
        assert!(msg.contains("--emit-unique") && msg.contains("same file as -o"), "{msg}");
        assert!(!o.exists());
    }

    #[test]
    fn only_one_output_may_go_to_stdout() {
        let dash = Path::new("-");
        let msg = refused(&[], stdout(), &[to("--report", dash)]);
        assert!(msg.contains("--report") && msg.contains("no -o"), "{msg}");
        let msg = refused(&[], to("-o", dash), &[to("--emit-pairs", dash)]);
        assert!(msg.contains("--emit-pairs") && msg.contains("-o -"), "{msg}");
    }

    #[test]
    fn dev_stdout_is_stdout() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("o.jsonl");
        for name in ["/dev/stdout", "/proc/self/fd/1"] {
            let path = Path::new(name);
            let msg = refused(&[], stdout(), &[to("--report", path)]);
            assert!(msg.contains(&format!("{name} is stdout")) && msg.contains("no -o"), "{msg}");
            let msg = refused(&[], to("-o", path), &[to("--emit-pairs", Path::new("-"))]);
            assert!(msg.contains(&format!("-o {name}")), "{msg}");
            check(&[], to("-o", path), &[to("--emit-pairs", &other)]).unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_is_the_file_it_would_create() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.html");
        std::os::unix::fs::symlink("target.html", &link).unwrap();
        let target = dir.path().join("target.html");
        let msg = refused(&[], to("-o", &link), &[to("--report", &target)]);
        assert!(msg.contains("--report") && msg.contains("same file as -o"), "{msg}");
        let far = dir.path().join("far.html");
        std::os::unix::fs::symlink(dir.path().join("nope").join("x.html"), &far).unwrap();
        let msg = refused(&[], to("-o", &far), &[]);
        assert!(msg.contains("a symlink to") && msg.contains("nope does not exist"), "{msg}");
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), "Title\nText\n").unwrap();
        let into = dir.path().join("into.txt");
        std::os::unix::fs::symlink(corpus.join("new.txt"), &into).unwrap();
        let msg = refused(&[input(&corpus)], stdout(), &[to("--emit-unique", &into)]);
        assert!(msg.contains("an article of"), "{msg}");
    }

    #[test]
    fn a_new_directory_needs_directories_or_nothing_above_it() {
        let dir = tempfile::tempdir().unwrap();
        new_dir("--truth", dir.path()).unwrap();
        new_dir("--truth", &dir.path().join("a").join("b")).unwrap();
        new_dir("--truth", Path::new("relative-and-missing")).unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        for bad in [file.clone(), file.join("t"), file.join("t").join("u")] {
            let msg = new_dir("--truth", &bad).unwrap_err().to_string();
            assert!(msg.contains("--truth") && msg.contains("f is not a directory"), "{msg}");
        }
    }

    #[test]
    fn a_missing_or_non_directory_parent_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("nope").join("o.jsonl");
        let msg = refused(&[], stdout(), &[to("--report", &deep)]);
        assert!(msg.contains("--report") && msg.contains("does not exist"), "{msg}");
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        let msg = refused(&[], to("-o", &file.join("o.jsonl")), &[]);
        assert!(msg.contains("is not a directory"), "{msg}");
        let msg = refused(&[], to("-o", dir.path()), &[]);
        assert!(msg.contains("is a directory"), "{msg}");
    }

    /// A directory in `parent` this user may not write to, or `None` (saying why) where the
    /// mode bits bind nobody: root writes anywhere, so these tests skip under it.
    #[cfg(unix)]
    fn read_only_dir(parent: &Path) -> Option<PathBuf> {
        use std::os::unix::fs::PermissionsExt;
        let ro = parent.join("ro");
        fs::create_dir(&ro).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o500)).unwrap();
        if fs::write(ro.join("probe"), "").is_ok() {
            eprintln!("skipped: this user writes to a 0o500 directory (root?)");
            return None;
        }
        Some(ro)
    }

    #[cfg(unix)]
    #[test]
    fn an_output_the_user_cannot_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let Some(ro) = read_only_dir(dir.path()) else { return };
        let msg = refused(&[], stdout(), &[to("--report", &ro.join("r.html"))]);
        assert!(msg.contains("--report") && msg.contains("cannot create files in"), "{msg}");
        assert!(msg.contains("r.html") && msg.contains("ro"), "{msg}");
        // A dangling symlink into it creates its target there.
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(ro.join("o.jsonl"), &link).unwrap();
        let msg = refused(&[], to("-o", &link), &[]);
        assert!(msg.contains("a symlink to") && msg.contains("cannot create files"), "{msg}");
        let locked = dir.path().join("locked.jsonl");
        fs::write(&locked, "old\n").unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o400)).unwrap();
        let msg = refused(&[], to("-o", &dir.path().join("o.jsonl")), &[to("--x", &locked)]);
        assert!(msg.contains("--x") && msg.contains("locked.jsonl"), "{msg}");
        assert_eq!(fs::read(&locked).unwrap(), b"old\n", "checking never truncates");
        assert!(fs::read_dir(&ro).unwrap().next().is_none(), "checking never creates");
        assert!(!dir.path().join("o.jsonl").exists(), "checking never creates");
        // A file that may be written is fine in a directory that may not.
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o700)).unwrap();
        let open = ro.join("open.jsonl");
        fs::write(&open, "").unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o500)).unwrap();
        check(&[], to("-o", &open), &[to("--x", Path::new("/dev/null"))]).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o700)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_new_directory_needs_a_parent_the_user_can_write() {
        let dir = tempfile::tempdir().unwrap();
        let Some(ro) = read_only_dir(dir.path()) else { return };
        for t in [ro.join("t"), ro.join("t").join("u")] {
            let msg = new_dir("--truth", &t).unwrap_err().to_string();
            assert!(msg.contains("--truth") && msg.contains("cannot create directories"), "{msg}");
        }
        // There already: the files written in it are checked as outputs.
        new_dir("--truth", &ro).unwrap();
    }

    #[test]
    fn an_input_given_twice_under_any_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("x.jsonl");
        std::fs::write(&x, "{}\n").unwrap();
        let y = dir.path().join("y.jsonl");
        std::fs::write(&y, "{}\n").unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(corpus.join("sub")).unwrap();
        let refused = |a: &Path, b: &Path| match distinct_inputs(&[input(a), input(b)]) {
            Ok(()) => panic!("{} and {} accepted", a.display(), b.display()),
            Err(e) => e.to_string(),
        };
        let msg = refused(&x, &x);
        assert!(msg.contains("INPUT") && msg.contains("the same file"), "{msg}");
        refused(&x, &dir.path().join(".").join("x.jsonl"));
        refused(&corpus, &corpus.join("sub").join(".."));
        let msg = refused(&corpus.join("sub"), &corpus);
        assert!(msg.contains("sub is inside") && msg.contains("read twice"), "{msg}");
        for stdin in ["/dev/stdin", "/proc/self/fd/0", "-"] {
            let msg = refused(Path::new("-"), Path::new(stdin));
            assert!(msg.contains(&format!("- and {stdin} are one input")), "{msg}");
        }
        #[cfg(unix)]
        {
            let hard = dir.path().join("hard.jsonl");
            std::fs::hard_link(&x, &hard).unwrap();
            let soft = dir.path().join("soft.jsonl");
            std::os::unix::fs::symlink(&x, &soft).unwrap();
            refused(&hard, &soft);
        }
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        let fine = [&*x, &*y, &*corpus, &*other, Path::new("-"), Path::new("/nonexistent")];
        distinct_inputs(&fine.map(input)).unwrap();
    }

    #[test]
    fn a_directory_input_owns_its_txt_files() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(corpus.join("sub")).unwrap();
        let article = corpus.join("sub").join("a.txt");
        std::fs::write(&article, "Title\nText\n").unwrap();
        let src = [input(&corpus)];
        // An article, a new .txt the reader would pick up, and a link to an article.
        refused(&src, to("-o", &article), &[]);
        let msg = refused(&src, stdout(), &[to("--emit-unique", &corpus.join("new.txt"))]);
        assert!(msg.contains("--emit-unique") && msg.contains("new.txt"), "{msg}");
        #[cfg(unix)]
        {
            let outside = dir.path().join("out.txt");
            std::fs::write(&outside, "Mine\n").unwrap();
            std::os::unix::fs::symlink(&outside, corpus.join("link.txt")).unwrap();
            let msg = refused(&src, to("-o", &outside), &[]);
            assert!(msg.contains("link.txt"), "{msg}");
            std::fs::remove_file(corpus.join("link.txt")).unwrap();
        }
        // Files the reader skips are fair game.
        check(&src, to("-o", &corpus.join("groups.jsonl")), &[]).unwrap();
        check(&src, to("-o", &dir.path().join("groups.txt")), &[]).unwrap();
    }
}
