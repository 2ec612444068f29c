//! Output sinks and the formats written to them.

pub mod dedup;
pub mod html;
pub mod markdown;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// `n` with the singular or plural noun, for people.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `first – last`, one day when they agree, `None` when undated.
pub(crate) fn date_span(first: Option<&str>, last: Option<&str>) -> Option<String> {
    match (first, last) {
        (Some(a), Some(b)) if a != b => Some(format!("{a} – {b}")),
        (Some(a), _) | (None, Some(a)) => Some(a.to_string()),
        (None, None) => None,
    }
}

/// Compression applied to an output file, chosen from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (`.gz`).
    Gzip,
    /// zstd (`.zst`, `.zstd`).
    Zstd,
}

impl Compression {
    /// Picks the compression from a file name's extension.
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// A buffered output: stdout for `None` or `-`, else a file compressed as its name says.
/// Call [`Output::finish`] to flush and close compressed streams; dropping without it may lose
/// the tail of a compressed file.
pub struct Output {
    inner: Sink,
    path: String,
}

enum Sink {
    Plain(BufWriter<Box<dyn Write + Send>>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

impl Output {
    /// Opens `path` for writing (stdout for `None` or `-`).
    pub fn create(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path.filter(|p| *p != Path::new("-")) else {
            let out: Box<dyn Write + Send> = Box::new(io::stdout());
            return Ok(Output {
                inner: Sink::Plain(BufWriter::with_capacity(1 << 16, out)),
                path: "<stdout>".into(),
            });
        };
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let buf = BufWriter::with_capacity(1 << 16, file);
        let inner = match Compression::from_path(path) {
            Compression::None => {
                let boxed: Box<dyn Write + Send> =
                    Box::new(buf.into_inner().map_err(|e| Error::io(path, e.into_error()))?);
                Sink::Plain(BufWriter::with_capacity(1 << 16, boxed))
            }
            Compression::Gzip => {
                Sink::Gzip(flate2::write::GzEncoder::new(buf, flate2::Compression::default()))
            }
            Compression::Zstd => {
                let mut enc =
                    zstd::stream::write::Encoder::new(buf, 3).map_err(|e| Error::io(path, e))?;
                // Multithreaded zstd would make output depend on nothing but is slower to set up
                // for small files; level 3 single-threaded keeps up with the generator.
                enc.include_checksum(true).map_err(|e| Error::io(path, e))?;
                Sink::Zstd(enc)
            }
        };
        Ok(Output { inner, path: path.display().to_string() })
    }

    /// The name used in error messages.
    pub fn name(&self) -> &str {
        &self.path
    }

    /// Wraps an I/O error with this output's name.
    pub fn err(&self, e: io::Error) -> Error {
        Error::io(&self.path, e)
    }

    /// Flushes and, for compressed files, writes the stream trailer.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        let res = match self.inner {
            Sink::Plain(mut w) => w.flush(),
            Sink::Gzip(w) => w.finish().and_then(|mut b| b.flush()),
            Sink::Zstd(w) => w.finish().and_then(|mut b| b.flush()),
        };
        res.map_err(|e| Error::io(path, e))
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
            Sink::Zstd(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.inner {
            Sink::Plain(w) => w.write_all(buf),
            Sink::Gzip(w) => w.write_all(buf),
            Sink::Zstd(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
            Sink::Zstd(w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn compressed_outputs_round_trip_through_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.jsonl", "a.jsonl.gz", "a.jsonl.zst"] {
            let path = dir.path().join(name);
            let mut out = Output::create(Some(&path)).unwrap();
            out.write_all(b"{\"id\":1}\n").unwrap();
            out.finish().unwrap();
            let mut s = String::new();
            crate::read::source::open_input(&path).unwrap().read_to_string(&mut s).unwrap();
            assert_eq!(s, "{\"id\":1}\n", "{name}");
        }
    }
}
