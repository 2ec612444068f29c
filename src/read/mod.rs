//! Reading corpora: sources (files, stdin, compressed streams), record formats (JSON Lines,
//! directories of `.txt` files), and the chunked reader that feeds the parallel stages.
//!
//! Every stage that needs the text reads the corpus again through [`Corpus::scan`] instead of
//! holding it in memory: a corpus of millions of articles is read twice (or three times with
//! exact verification) and memory stays proportional to the number of articles, not their
//! size. Standard input, and any other input that is not a regular file (a named pipe,
//! `/dev/stdin`, a process substitution's `/dev/fd/N`), is spooled to a temporary file once so
//! that it can be read again too: a second read of a pipe finds nothing, or waits forever for a
//! writer.

pub mod jsonl;
pub mod source;
pub mod text;

use std::borrow::Cow;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::article::parse_date_time;
use crate::error::{Error, Result};
use jsonl::Scalar;
pub use jsonl::{FieldMap, FieldPath};

/// One input of a corpus.
#[derive(Debug, Clone)]
pub struct Input {
    /// Name shown in messages and default ids (`-` for stdin).
    pub name: String,
    /// Where the bytes are (a spool file for stdin and pipes).
    pub path: PathBuf,
    /// JSON Lines file, or directory of `.txt` files.
    pub kind: InputKind,
    /// A text directory's `.txt` files, sorted; listed once, so that every pass reads the same
    /// files and a record's file index names the same file in each.
    pub files: Vec<PathBuf>,
    /// What a text directory holds besides its articles (see [`text::Listing`]), for the caller
    /// to report.
    pub skipped: Vec<PathBuf>,
    /// Where a spooled stream's compression broke: the spool holds the whole lines decoded
    /// before it, and reading it ends with the rejection of the rest.
    damaged: Option<source::Corrupt>,
}

/// The format of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// One JSON object a line, possibly gzip or zstd compressed.
    Jsonl,
    /// A directory of `.txt` files, one article each.
    TextDir,
}

/// A raw record's place in the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Index into the corpus's inputs.
    pub input: u32,
    /// 1-based line in a JSON Lines input; index of the file (1-based) in a text directory.
    pub line: u64,
}

/// A raw record inside a chunk.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// Where it came from.
    pub loc: Location,
    start: usize,
    end: usize,
    /// For text-directory articles: the file's path relative to the directory.
    pub rel_path: Option<String>,
    /// Why a text-directory article's bytes could not be decoded (corrupt compression).
    unreadable: Option<String>,
}

/// A batch of raw records sharing one buffer.
#[derive(Debug, Default)]
pub struct Chunk {
    data: Vec<u8>,
    /// Records in corpus order.
    pub records: Vec<RawRecord>,
}

impl Chunk {
    /// The bytes of `rec` (a JSON line without its newline, or a whole text file).
    pub fn bytes(&self, rec: &RawRecord) -> &[u8] {
        &self.data[rec.start..rec.end]
    }

    /// Total bytes of the records.
    pub fn len_bytes(&self) -> u64 {
        self.records.iter().map(|r| (r.end - r.start) as u64).sum()
    }
}

/// An article's fields borrowed from a chunk (owned where JSON escapes had to be decoded).
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    /// Identifier (`<input>:<line>` when the record had none).
    pub id: Cow<'a, str>,
    /// Headline.
    pub title: Cow<'a, str>,
    /// Body.
    pub text: Cow<'a, str>,
    /// Outlet.
    pub source: Cow<'a, str>,
    /// Link.
    pub url: Cow<'a, str>,
    /// Days since 1970-01-01, the date as written.
    pub published: Option<i32>,
    /// Seconds from midnight UTC of `published` to the moment of publication (0 for a date
    /// without a time; see [`crate::article::parse_date_time`]).
    pub time_utc: i32,
}

/// A record that could not be read, with enough context to find and fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// Input name; for a text-directory article, its file's path.
    pub input: String,
    /// 1-based line.
    pub line: u64,
    /// The record's id when it could be read.
    pub id: Option<String>,
    /// Field concerned (`record` for the whole line).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl Rejection {
    /// The rejection as a library error.
    pub fn to_error(&self) -> Error {
        Error::parse(self.input.clone(), self.line, self.field.clone(), self.reason.clone())
    }
}

/// Lines of JSON are gathered into chunks of about this many bytes before parallel work.
const CHUNK_BYTES: usize = 4 << 20;

/// The inputs of one run, plus how to read their records.
#[derive(Debug)]
pub struct Corpus {
    inputs: Vec<Input>,
    fields: FieldMap,
    // Keeps the spools of stdin and pipes alive for as long as the corpus may be re-read.
    _spools: Vec<tempfile::NamedTempFile>,
}

impl Corpus {
    /// Opens the inputs named on the command line: files, directories of `.txt` files, or `-`
    /// for stdin. Stdin and anything else that is not a regular file (named pipes, `/dev/stdin`)
    /// is spooled to a temporary file, decompressed, so it can be read several times.
    pub fn open(paths: &[PathBuf], fields: FieldMap) -> Result<Self> {
        if paths.is_empty() {
            return Err(Error::param("INPUT", "no input given (use - for standard input)"));
        }
        let mut inputs = Vec::new();
        let mut spools = Vec::new();
        let mut stdin_seen = false;
        for p in paths {
            let name = source::display_name(p);
            let stdin = p == Path::new("-");
            if stdin && std::mem::replace(&mut stdin_seen, true) {
                return Err(Error::param("INPUT", "standard input (-) given twice"));
            }
            let meta =
                if stdin { None } else { Some(std::fs::metadata(p).map_err(|e| Error::io(p, e))?) };
            match meta {
                Some(m) if m.is_dir() => {
                    let text::Listing { articles: files, skipped } = text::list(p)?;
                    if files.is_empty() {
                        let mut reason = "no .txt files in this directory".to_string();
                        if !skipped.is_empty() {
                            reason += &format!(" ({} other files skipped)", skipped.len());
                        }
                        return Err(Error::input(name, reason));
                    }
                    let path = p.clone();
                    inputs.push(Input {
                        name,
                        path,
                        kind: InputKind::TextDir,
                        files,
                        skipped,
                        damaged: None,
                    });
                }
                Some(m) if m.file_type().is_file() => {
                    inputs.push(Input {
                        name,
                        path: p.clone(),
                        kind: InputKind::Jsonl,
                        files: vec![],
                        skipped: vec![],
                        damaged: None,
                    });
                }
                _ => {
                    let mut tmp = tempfile::NamedTempFile::new().map_err(|e| Error::io(p, e))?;
                    let damaged = spool(p, tmp.as_file_mut())?;
                    let path = tmp.path().to_path_buf();
                    let (kind, files, skipped) = (InputKind::Jsonl, vec![], vec![]);
                    inputs.push(Input { name, path, kind, files, skipped, damaged });
                    spools.push(tmp);
                }
            }
        }
        Ok(Corpus { inputs, fields, _spools: spools })
    }

    /// The inputs, in order.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// The file and line a record is reported under. A text-directory article is named by its
    /// own file, at line 1 where it starts: the directory alone does not say which file to fix.
    pub fn position(&self, loc: Location) -> (String, u64) {
        let input = &self.inputs[loc.input as usize];
        let file = match input.kind {
            InputKind::TextDir => loc.line.checked_sub(1).and_then(|i| input.files.get(i as usize)),
            InputKind::Jsonl => None,
        };
        match file {
            Some(path) => (source::display_name(path), 1),
            None => (input.name.clone(), loc.line),
        }
    }

    /// The field mapping.
    pub fn fields(&self) -> &FieldMap {
        &self.fields
    }

    /// Reads every record in corpus order, handing chunks to `f` on the calling thread while a
    /// background thread reads (and decompresses) the next ones. An input without any record
    /// is an error, as is the first error `f` returns; either stops the scan.
    pub fn scan<F>(&self, mut f: F) -> Result<()>
    where
        F: FnMut(Chunk) -> Result<()>,
    {
        let (tx, rx) = mpsc::sync_channel::<Result<Chunk>>(2);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                for (i, input) in self.inputs.iter().enumerate() {
                    let res = match input.kind {
                        InputKind::Jsonl => read_jsonl(input, i as u32, &tx),
                        InputKind::TextDir => text::read_dir(input, i as u32, &tx),
                    };
                    if let Err(e) = res {
                        // The receiver may be gone (it stopped on its own error): nothing to do.
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            });
            let mut result = Ok(());
            for chunk in rx.iter() {
                match chunk.and_then(&mut f) {
                    Ok(()) => {}
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            // Dropping the receiver unblocks the reader if we stopped early.
            drop(rx);
            let _ = reader.join();
            result
        })
    }

    /// Turns a raw record into an article's fields, or says why it cannot be read.
    pub fn parse<'a>(&self, chunk: &'a Chunk, rec: &'a RawRecord) -> Result<Record<'a>, Rejection> {
        let input = &self.inputs[rec.loc.input as usize];
        let reject = |field: &str, reason: String, id: Option<String>| {
            let (input, line) = self.position(rec.loc);
            Rejection { input, line, id, field: field.to_string(), reason }
        };
        // A text-directory article's id is its path, known whatever its bytes hold: a rejection
        // carries it, so `eval` counts the article as rejected rather than missing.
        let path_id = || rec.rel_path.clone().filter(|_| input.kind == InputKind::TextDir);
        if let Some(reason) = &rec.unreadable {
            return Err(reject("record", reason.clone(), path_id()));
        }
        let bytes = chunk.bytes(rec);
        let line = std::str::from_utf8(bytes).map_err(|e| {
            let bad = e.valid_up_to();
            // A text file is many lines: say which one, and the byte within it.
            let line_start = bytes[..bad].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let mut rej = reject(
                "record",
                format!("invalid UTF-8 at byte {}", bad - line_start + 1),
                path_id(),
            );
            rej.line += bytes[..line_start].iter().filter(|&&b| b == b'\n').count() as u64;
            rej
        })?;
        match input.kind {
            InputKind::TextDir => {
                let (title, body) = line.split_once('\n').unwrap_or((line, ""));
                let id = rec.rel_path.clone().unwrap_or_default();
                Ok(Record {
                    id: Cow::Owned(id),
                    title: Cow::Borrowed(title.trim()),
                    text: Cow::Borrowed(body),
                    source: Cow::Borrowed(""),
                    url: Cow::Borrowed(""),
                    published: None,
                    time_utc: 0,
                })
            }
            InputKind::Jsonl => {
                let fields = jsonl::extract(line, &self.fields)
                    .map_err(|e| reject("record", format!("invalid JSON: {e}"), None))?;
                let [id, title, text, source, url, published] = fields;
                let names = &self.fields;
                let id = match id {
                    Scalar::Str(s) if !s.trim().is_empty() => s,
                    Scalar::Num(n) => Cow::Owned(n),
                    Scalar::Missing | Scalar::Null => {
                        Cow::Owned(format!("{}:{}", input.name, rec.loc.line))
                    }
                    Scalar::Str(_) => return Err(reject(names.id.name(), "empty id".into(), None)),
                    other => {
                        return Err(reject(
                            names.id.name(),
                            format!("expected a string or number, found {}", other.kind()),
                            None,
                        ))
                    }
                };
                let id_for = |id: &str| Some(id.to_string());
                let text = match text {
                    Scalar::Str(s) => s,
                    Scalar::Missing => {
                        return Err(reject(names.text.name(), "missing".into(), id_for(&id)))
                    }
                    other => {
                        return Err(reject(
                            names.text.name(),
                            format!("expected a string, found {}", other.kind()),
                            id_for(&id),
                        ))
                    }
                };
                let opt_str = |v: Scalar<'a>, path: &FieldPath| match v {
                    Scalar::Str(s) => Ok(s),
                    Scalar::Missing | Scalar::Null => Ok(Cow::Borrowed("")),
                    other => Err(reject(
                        path.name(),
                        format!("expected a string, found {}", other.kind()),
                        id_for(&id),
                    )),
                };
                let title = opt_str(title, &names.title)?;
                let source = opt_str(source, &names.source)?;
                let url = opt_str(url, &names.url)?;
                let published = match opt_str(published, &names.published)? {
                    s if s.trim().is_empty() => None,
                    s => Some(parse_date_time(&s).ok_or_else(|| {
                        reject(
                            names.published.name(),
                            format!("{s:?} is not a date (YYYY-MM-DD or RFC 3339)"),
                            id_for(&id),
                        )
                    })?),
                };
                let (published, time_utc) = published.unzip();
                let time_utc = time_utc.unwrap_or(0);
                Ok(Record { id, title, text, source, url, published, time_utc })
            }
        }
    }
}

fn read_jsonl(input: &Input, index: u32, tx: &mpsc::SyncSender<Result<Chunk>>) -> Result<()> {
    let mut chunk = Chunk::default();
    // A damaged compressed stream ends the input at the line it breaks on, as one rejected
    // record: a run stops there, naming file and line, and `--skip-invalid` goes on with the
    // records before it and the other inputs, rather than losing them all.
    let lost = |chunk: &mut Chunk, line: u64, corrupt: &source::Corrupt| {
        let at = chunk.data.len();
        chunk.records.push(RawRecord {
            loc: Location { input: index, line },
            start: at,
            end: at,
            rel_path: None,
            unreadable: Some(format!("{corrupt}; {}", corrupt.consequence())),
        });
    };
    let mut reader = match source::open_input(&input.path) {
        Ok(reader) => reader,
        Err(e) => match source::Corrupt::in_error(&e) {
            Some(corrupt) => {
                lost(&mut chunk, 1, corrupt);
                let _ = tx.send(Ok(chunk));
                return Ok(());
            }
            None => return Err(rename(e, input)),
        },
    };
    let mut line_no = 0u64;
    let mut records = 0u64;
    loop {
        let start = chunk.data.len();
        let n = match reader.read_until(b'\n', &mut chunk.data) {
            Ok(n) => n,
            Err(e) => match source::Corrupt::of(&e) {
                Some(corrupt) => {
                    // The part of the line decoded before the damage is no record.
                    chunk.data.truncate(start);
                    lost(&mut chunk, line_no + 1, corrupt);
                    records += 1;
                    break;
                }
                None => return Err(Error::io(&input.name, e)),
            },
        };
        if n == 0 {
            break;
        }
        line_no += 1;
        let mut end = chunk.data.len();
        while end > start && matches!(chunk.data[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        // `cat a.jsonl b.jsonl` leaves b's byte-order mark at the start of a line mid-stream,
        // where the check at the start of the input never looks; kept, it breaks the record.
        let start = end - source::strip_bom(&chunk.data[start..end]).len();
        if chunk.data[start..end].iter().all(u8::is_ascii_whitespace) {
            // A blank line holds no article (files often end with one): nothing is lost.
            chunk.data.truncate(start);
            continue;
        }
        records += 1;
        chunk.records.push(RawRecord {
            loc: Location { input: index, line: line_no },
            start,
            end,
            rel_path: None,
            unreadable: None,
        });
        if chunk.data.len() >= CHUNK_BYTES && tx.send(Ok(std::mem::take(&mut chunk))).is_err() {
            return Ok(());
        }
    }
    if let Some(corrupt) = &input.damaged {
        lost(&mut chunk, line_no + 1, corrupt);
        records += 1;
    }
    if records == 0 {
        return Err(Error::input(&input.name, "no articles"));
    }
    if !chunk.records.is_empty() {
        let _ = tx.send(Ok(chunk));
    }
    Ok(())
}

/// Copies stream `p`, decompressed, to `out`, for reading twice. A damaged compressed stream
/// is copied up to the last whole line before the damage, which is returned.
fn spool(p: &Path, out: &mut std::fs::File) -> Result<Option<source::Corrupt>> {
    use std::io::Write;
    let mut src = match source::open_input(p) {
        Ok(src) => src,
        Err(e) => return source::Corrupt::in_error(&e).cloned().map(Some).ok_or(e),
    };
    let mut out = std::io::BufWriter::new(out);
    // Bytes written, and where the last whole line written ends.
    let (mut written, mut lines_end) = (0u64, 0u64);
    let damaged = loop {
        let buf = match src.fill_buf() {
            Ok([]) => break None,
            Ok(buf) => buf,
            Err(e) => match source::Corrupt::of(&e) {
                Some(c) => break Some(c.clone()),
                None => return Err(Error::io(p, e)),
            },
        };
        out.write_all(buf).map_err(|e| Error::io(p, e))?;
        if let Some(nl) = buf.iter().rposition(|&b| b == b'\n') {
            lines_end = written + nl as u64 + 1;
        }
        written += buf.len() as u64;
        let n = buf.len();
        src.consume(n);
    };
    let out = out.into_inner().map_err(|e| Error::io(p, e.into_error()))?;
    if damaged.is_some() {
        // The part of a line decoded before the damage is no record.
        out.set_len(lines_end).map_err(|e| Error::io(p, e))?;
    }
    Ok(damaged)
}

fn rename(e: Error, input: &Input) -> Error {
    match e {
        Error::Io { source, .. } => Error::io(&input.name, source),
        Error::Input { reason, .. } => Error::input(&input.name, reason),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_of(text: &str) -> (tempfile::TempDir, Corpus) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.jsonl");
        std::fs::write(&p, text).unwrap();
        let c = Corpus::open(&[p], FieldMap::default()).unwrap();
        (dir, c)
    }

    fn parse_all(c: &Corpus) -> Result<Vec<Result<(String, u64), String>>> {
        let mut out = Vec::new();
        c.scan(|chunk| {
            for r in &chunk.records {
                out.push(match c.parse(&chunk, r) {
                    Ok(rec) => Ok((rec.id.into_owned(), r.loc.line)),
                    Err(rej) => Err(rej.to_error().to_string()),
                });
            }
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn reads_records_skipping_blank_lines_and_naming_missing_ids() {
        let (_d, c) = corpus_of("{\"id\":\"a\",\"text\":\"x\"}\n\n{\"text\":\"y\"}\r\n");
        let got = parse_all(&c).unwrap();
        assert_eq!(got[0], Ok(("a".to_string(), 1)));
        let (id, line) = got[1].clone().unwrap();
        assert!(id.ends_with("in.jsonl:3"), "{id}");
        assert_eq!(line, 3);
    }

    #[test]
    fn a_byte_order_mark_opening_any_line_is_skipped() {
        let bom = "\u{feff}";
        let (_d, c) = corpus_of(&format!(
            "{{\"id\":\"a\",\"text\":\"x\"}}\n{bom}{{\"id\":\"b\",\"text\":\"y\"}}\n{bom}\n{bom}{{\"text\":\"z\"}}\n"
        ));
        let got = parse_all(&c).unwrap();
        let ids: Vec<String> = got.into_iter().map(|r| r.unwrap().0).collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        assert_eq!(&ids[..2], ["a", "b"]);
        assert!(ids[2].ends_with("in.jsonl:4"), "{}", ids[2]);
        // The record's bytes (what --emit-unique writes) lose the mark too.
        c.scan(|chunk| {
            assert!(chunk.records.iter().all(|r| !chunk.bytes(r).starts_with(bom.as_bytes())));
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn bad_records_name_file_line_and_field() {
        let (_d, c) = corpus_of(concat!(
            "{\"id\":\"a\"}\n",
            "{\"id\":\"b\",\"text\":5}\n",
            "{\"id\":\"c\",\"text\":\"x\",\"published\":\"soon\"}\n",
            "not json\n",
            "{\"id\":[1],\"text\":\"x\"}\n",
        ));
        let got = parse_all(&c).unwrap();
        let errs: Vec<String> = got.into_iter().map(|r| r.unwrap_err()).collect();
        assert!(errs[0].contains("in.jsonl:1: text: missing"), "{}", errs[0]);
        assert!(errs[1].contains(":2: text: expected a string, found a number"), "{}", errs[1]);
        assert!(errs[2].contains(":3: published:"), "{}", errs[2]);
        assert!(errs[3].contains(":4: record: invalid JSON"), "{}", errs[3]);
        assert!(errs[4].contains(":5: id: expected a string or number"), "{}", errs[4]);
    }

    #[test]
    fn invalid_utf8_is_a_rejection_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.jsonl");
        std::fs::write(&p, b"{\"id\":\"a\",\"text\":\"caf\xe9\"}\n").unwrap();
        let c = Corpus::open(&[p], FieldMap::default()).unwrap();
        let got = parse_all(&c).unwrap();
        assert!(got[0].clone().unwrap_err().contains("bad.jsonl:1: record: invalid UTF-8"));
    }

    #[test]
    fn text_directory_records_are_named_by_their_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a.txt"), "\u{feff}BOM title\nbody").unwrap();
        std::fs::write(dir.path().join("sub/bad.txt"), b"Title\nok\nnot caf\xe9").unwrap();
        // A gzip header and nothing after it: the stream ends before any article.
        std::fs::write(dir.path().join("sub/cut.txt.gz"), b"\x1f\x8b\x08\x00").unwrap();
        std::fs::write(dir.path().join("sub/fine.txt"), "Fine\nbody").unwrap();
        let c = Corpus::open(&[dir.path().to_path_buf()], FieldMap::default()).unwrap();
        let mut titles = Vec::new();
        let mut rejections = Vec::new();
        c.scan(|chunk| {
            for r in &chunk.records {
                match c.parse(&chunk, r) {
                    Ok(rec) => titles.push(rec.title.into_owned()),
                    Err(rej) => rejections.push(rej),
                }
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(titles, ["BOM title", "Fine"]);
        let cut = dir.path().join("sub/cut.txt.gz").display().to_string();
        assert_eq!((rejections[1].input.as_str(), rejections[1].line), (cut.as_str(), 1));
        assert!(rejections[1].reason.starts_with("corrupt or truncated gzip: "), "{rejections:?}");
        assert_eq!(rejections[1].id.as_deref(), Some("sub/cut.txt.gz"));
        assert_eq!(rejections[0].id.as_deref(), Some("sub/bad.txt"));
        let bad = dir.path().join("sub/bad.txt").display().to_string();
        assert_eq!((rejections[0].input.as_str(), rejections[0].line), (bad.as_str(), 3));
        assert_eq!(rejections[0].reason, "invalid UTF-8 at byte 8");
        assert_eq!(c.position(Location { input: 0, line: 2 }), (bad, 1));
    }

    /// `n` lines of JSON whose text compresses poorly, so a compressed stream of them spans
    /// many blocks and damage in the middle leaves whole lines before it.
    fn noisy_lines(n: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut out = Vec::new();
        for i in 0..n {
            let words: Vec<String> = (0..12)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    format!("{x:x}")
                })
                .collect();
            out.extend(format!("{{\"id\":\"r{i}\",\"text\":\"{}\"}}\n", words.join(" ")).bytes());
        }
        out
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn zstd(data: &[u8]) -> Vec<u8> {
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
        enc.include_checksum(true).unwrap();
        std::io::Write::write_all(&mut enc, data).unwrap();
        enc.finish().unwrap()
    }

    /// Reads `bytes` as the file `name`: the ids read, then the rejections as (line, message).
    fn read_damaged(name: &str, bytes: &[u8]) -> (Vec<String>, Vec<(u64, String)>) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let c = Corpus::open(&[p], FieldMap::default()).unwrap();
        let (mut ids, mut rejected) = (Vec::new(), Vec::new());
        for got in parse_all(&c).unwrap() {
            match got {
                Ok((id, _)) => ids.push(id),
                Err(e) => {
                    let line = e.split(':').nth(1).and_then(|l| l.parse().ok()).unwrap();
                    rejected.push((line, e));
                }
            }
        }
        (ids, rejected)
    }

    /// The records before the damage are read in order, and the rest is one rejection on the
    /// line after them.
    fn assert_cut_after_a_prefix(name: &str, ids: &[String], rejected: &[(u64, String)]) {
        assert!(!ids.is_empty(), "nothing was read before the damage");
        let expected: Vec<String> = (0..ids.len()).map(|i| format!("r{i}")).collect();
        assert_eq!(ids, expected);
        assert_eq!(rejected.len(), 1, "{rejected:?}");
        let (line, msg) = &rejected[0];
        assert_eq!(*line, ids.len() as u64 + 1, "{msg}");
        assert!(msg.contains(&format!("/{name}:{line}: record: corrupt or truncated ")), "{msg}");
        assert!(msg.ends_with("nothing from this line on could be read"), "{msg}");
    }

    #[test]
    fn a_truncated_compressed_input_keeps_the_lines_before_the_cut() {
        let data = noisy_lines(3000);
        for (name, packed) in [("cut.jsonl.gz", gzip(&data)), ("cut.jsonl.zst", zstd(&data))] {
            let (ids, rejected) = read_damaged(name, &packed[..packed.len() / 2]);
            assert!(ids.len() < 3000);
            assert_cut_after_a_prefix(name, &ids, &rejected);
            let format = if name.ends_with("gz") { "gzip" } else { "zstd" };
            assert!(rejected[0].1.contains(&format!("truncated {format}: ")), "{rejected:?}");
        }
    }

    #[test]
    fn a_compressed_input_damaged_inside_loses_only_what_follows_the_damage() {
        let data = noisy_lines(3000);
        for (name, mut packed) in [("bad.jsonl.gz", gzip(&data)), ("bad.jsonl.zst", zstd(&data))] {
            // Clobbering a run of bytes, not one bit, so the decoder cannot decode on through
            // it and leave the damage to the checksum at the end.
            let mid = packed.len() / 2;
            packed[mid..mid + 64].fill(0xff);
            let (ids, rejected) = read_damaged(name, &packed);
            // A line decoded from the damaged block may still be read, as garbage: each is
            // then a rejection of its own, never a lost line.
            let (last, msg) = rejected.last().unwrap();
            assert_eq!(ids.len() + rejected.len(), *last as usize, "{rejected:?}");
            assert!(msg.contains("record: corrupt or truncated "), "{msg}");
            assert!(
                ids.len() > 1000,
                "{name}: {} read, {:?}",
                ids.len(),
                &rejected[..rejected.len().min(3)]
            );
        }
    }

    #[test]
    fn damage_before_the_first_line_is_a_rejection_of_line_one() {
        let mut packed = gzip(&noisy_lines(10));
        packed[3] = 0xff; // reserved header flags
        let (ids, rejected) = read_damaged("head.jsonl.gz", &packed);
        assert!(ids.is_empty());
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].0, 1);
        assert!(rejected[0].1.contains("corrupt or truncated gzip: "), "{rejected:?}");
    }

    #[test]
    fn a_failed_checksum_warns_that_the_lines_read_may_be_damaged() {
        let data = noisy_lines(50);
        let mut packed = gzip(&data);
        let crc = packed.len() - 8;
        packed[crc] ^= 1;
        let (ids, rejected) = read_damaged("sum.jsonl.gz", &packed);
        assert_eq!(ids.len(), 50);
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].0, 51);
        assert!(
            rejected[0].1.ends_with("fail the checksum, so some may be damaged"),
            "{rejected:?}"
        );
    }

    #[test]
    fn a_spooled_stream_keeps_the_whole_lines_before_its_damage() {
        let data = noisy_lines(3000);
        let packed = gzip(&data);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cut.gz");
        std::fs::write(&p, &packed[..packed.len() / 2]).unwrap();
        let mut out = tempfile::tempfile().unwrap();
        let damage = spool(&p, &mut out).unwrap().expect("the cut is reported");
        assert_eq!(damage.format, "gzip");
        let mut spooled = Vec::new();
        use std::io::{Read, Seek};
        out.seek(std::io::SeekFrom::Start(0)).unwrap();
        out.read_to_end(&mut spooled).unwrap();
        assert!(!spooled.is_empty() && spooled.len() < data.len());
        assert!(data.starts_with(&spooled) && spooled.ends_with(b"\n"));
    }

    #[test]
    fn empty_directory_is_an_error_without_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let err = Corpus::open(&[dir.path().to_path_buf()], FieldMap::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: no .txt files in this directory", dir.path().display())
        );
    }

    #[test]
    fn empty_input_is_an_error() {
        let (_d, c) = corpus_of("\n\n");
        let err = parse_all(&c).unwrap_err().to_string();
        assert!(err.ends_with("in.jsonl: no articles"), "{err}");
    }
}
