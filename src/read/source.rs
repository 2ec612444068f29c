//! Opening inputs: files, `-` for stdin, and gzip or zstd streams recognised by their magic
//! bytes (not by the file name, which scrapers and pipes often get wrong), whether a stream or
//! a text directory's whole article. A UTF-8 byte-order mark at the start of the (decompressed)
//! bytes is skipped.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const BUF_SIZE: usize = 1 << 20;
/// Most bytes decompressed in one call (see [`Decoded`]).
const DECODE_STEP: usize = 64 << 10;
const BOM: &[u8] = "\u{feff}".as_bytes();

/// The compression format `head` starts with, among those we recognise but cannot read:
/// read as text, such a file would be rejected as invalid UTF-8, which hides the cause.
fn unsupported_format(head: &[u8]) -> Option<&'static str> {
    // "BZh" and a block-size digit could open a line of text; the block or end-of-stream magic
    // after them could not.
    let bzip2 = head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
            || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]);
    if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Some("xz")
    } else if bzip2 {
        Some("bzip2")
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some("zip")
    } else {
        None
    }
}

/// The name a path is shown under in messages: `-` for stdin, else the path as given.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// `bytes` without a leading UTF-8 byte-order mark. Editors on Windows write one; it is not text,
/// and left in it breaks the first JSON record or ends up in a title.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Opens `path` (or stdin for `-`) for buffered reading, transparently decompressing gzip
/// (including concatenated members, as `cat a.gz b.gz` produces) and zstd, and skipping a
/// byte-order mark. Other compression formats are refused by name.
pub fn open_input(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    skip_bom(decompressed(path)?).map_err(|e| Error::io(path, e))
}

fn decompressed(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| Error::io(path, e))?)
    };
    let mut reader = BufReader::with_capacity(BUF_SIZE, raw);
    let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    if let Some(format) = unsupported_format(head) {
        return Err(unsupported(path, format));
    }
    if head.starts_with(&GZIP_MAGIC) {
        let dec = Decoded { format: "gzip", inner: flate2::bufread::MultiGzDecoder::new(reader) };
        Ok(Box::new(BufReader::with_capacity(BUF_SIZE, dec)))
    } else if head.starts_with(&ZSTD_MAGIC) {
        let dec =
            zstd::stream::read::Decoder::with_buffer(reader).map_err(|e| Error::io(path, e))?;
        Ok(Box::new(BufReader::with_capacity(BUF_SIZE, Decoded { format: "zstd", inner: dec })))
    } else {
        Ok(Box::new(reader))
    }
}

/// A decompressor whose errors say that the stream is corrupt or truncated ([`Corrupt`]):
/// the decoders' own words ("invalid gzip header", "incomplete deflate stream") do not say
/// that the file is damaged, nor in which format.
struct Decoded<R> {
    format: &'static str,
    inner: R,
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // A decoder that fails drops what it decoded in the same call, and zstd decodes as much
        // as fits: a short buffer bounds the good lines lost before damage.
        let n = buf.len().min(DECODE_STEP);
        self.inner.read(&mut buf[..n]).map_err(|e| match e.kind() {
            // Not the data's fault: the file could not be read at all, or a read was cut short.
            io::ErrorKind::Interrupted | io::ErrorKind::PermissionDenied => e,
            _ => io::Error::new(
                io::ErrorKind::InvalidData,
                Corrupt { format: self.format, reason: e.to_string() },
            ),
        })
    }
}

/// A compressed stream that cannot be decoded past some point. A decoder cannot find its way
/// back into a damaged stream, so everything after that point is lost to the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    /// `gzip` or `zstd`.
    pub format: &'static str,
    /// The decoder's words.
    pub reason: String,
}

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "corrupt or truncated {}: {}", self.format, self.reason)
    }
}

impl std::error::Error for Corrupt {}

impl Corrupt {
    /// What the damage means for the lines read: a broken stream loses the rest, while a
    /// checksum, checked at the end, cannot say which of the lines already decoded differ.
    pub fn consequence(&self) -> &'static str {
        // The decoders report a failed checksum only in words (flate2: "does not have a
        // matching checksum"; zstd: "checksum mismatch").
        if self.reason.contains("checksum") {
            "the lines before this one were decoded but fail the checksum, so some may be damaged"
        } else {
            "nothing from this line on could be read"
        }
    }

    /// The [`Corrupt`] an I/O error from [`open_input`]'s reader carries, if any.
    pub fn of(e: &io::Error) -> Option<&Corrupt> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<Corrupt>())
    }

    /// The [`Corrupt`] an error of [`open_input`] itself carries: it reads the start of the
    /// decompressed stream (for a byte-order mark), so a broken header shows there.
    pub fn in_error(e: &Error) -> Option<&Corrupt> {
        match e {
            Error::Io { source, .. } => Corrupt::of(source),
            _ => None,
        }
    }
}

fn unsupported(path: &Path, format: &str) -> Error {
    Error::input(display_name(path), unsupported_reason(format))
}

fn unsupported_reason(format: &str) -> String {
    format!("{format} compression is not supported (only gzip and zstd are)")
}

/// The whole of a small file (a text directory's article), decompressed when its bytes say gzip
/// or zstd, as [`open_input`] does for a stream, and without a byte-order mark. One read and no
/// stream buffers: a directory may hold millions of these.
///
/// The outer error is a file that cannot be read at all; the inner one says why its bytes are
/// not an article (truncated or corrupt compression, an unsupported format), which is a fault of
/// this one article, for the caller to reject like any unreadable record.
pub fn read_whole(path: &Path) -> Result<std::result::Result<Vec<u8>, String>> {
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if let Some(format) = unsupported_format(&raw) {
        return Ok(Err(unsupported_reason(format)));
    }
    let mut bytes = if raw.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::with_capacity(raw.len() * 4);
        let mut dec = flate2::read::MultiGzDecoder::new(&raw[..]);
        if let Err(e) = dec.read_to_end(&mut out) {
            return Ok(Err(Corrupt { format: "gzip", reason: e.to_string() }.to_string()));
        }
        out
    } else if raw.starts_with(&ZSTD_MAGIC) {
        match zstd::decode_all(&raw[..]) {
            Ok(out) => out,
            Err(e) => {
                return Ok(Err(Corrupt { format: "zstd", reason: e.to_string() }.to_string()))
            }
        }
    } else {
        raw
    };
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    Ok(Ok(bytes))
}

/// Skips a byte-order mark at the start of `reader`. A decompressor may hand out its first bytes
/// one at a time, so the mark is looked for in the first three bytes whatever the reads return;
/// bytes that turn out not to be a mark are put back.
fn skip_bom(mut reader: Box<dyn BufRead + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    let mut head = Vec::with_capacity(BOM.len());
    while head.len() < BOM.len() {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let n = buf.len().min(BOM.len() - head.len());
        head.extend_from_slice(&buf[..n]);
        reader.consume(n);
        if !BOM.starts_with(&head) {
            break;
        }
    }
    if head == BOM {
        head.clear();
    }
    Ok(Box::new(io::Cursor::new(head).chain(reader)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(path: &Path) -> String {
        let mut s = String::new();
        open_input(path).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn detects_compression_by_magic_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.gz"); // misleading name, plain content
        std::fs::write(&plain, "hello\n").unwrap();
        assert_eq!(read_all(&plain), "hello\n");

        let gz = dir.path().join("b.txt");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"gzip body\n").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        assert_eq!(read_all(&gz), "gzip body\n");

        let zst = dir.path().join("c");
        std::fs::write(&zst, zstd::encode_all(&b"zstd body\n"[..], 1).unwrap()).unwrap();
        assert_eq!(read_all(&zst), "zstd body\n");
    }

    #[test]
    fn a_byte_order_mark_is_skipped_however_the_bytes_arrive() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.jsonl");
        std::fs::write(&plain, "\u{feff}{}\n").unwrap();
        assert_eq!(read_all(&plain), "{}\n");
        let zst = dir.path().join("b.jsonl.zst");
        std::fs::write(&zst, zstd::encode_all("\u{feff}zstd\n".as_bytes(), 1).unwrap()).unwrap();
        assert_eq!(read_all(&zst), "zstd\n");

        // One byte a read, as a decompressor may give them; a mark's first bytes alone are text
        // and stay.
        for (input, want) in [(&b"\xef\xbb\xbfx"[..], &b"x"[..]), (b"\xef\xbbx", b"\xef\xbbx")] {
            let slow = Box::new(BufReader::with_capacity(1, input));
            let mut got = Vec::new();
            skip_bom(slow).unwrap().read_to_end(&mut got).unwrap();
            assert_eq!(got, want);
        }
        assert_eq!(strip_bom("\u{feff}t".as_bytes()), b"t");
        assert_eq!(strip_bom(b"\xef"), b"\xef");
    }

    #[test]
    fn whole_files_are_decompressed_by_their_bytes_and_lose_a_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let text = "\u{feff}Title\nbody\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let contents = [
            ("plain.txt", text.as_bytes().to_vec()),
            ("a.txt.gz", gz.finish().unwrap()),
            ("misnamed.txt", zstd::encode_all(text.as_bytes(), 1).unwrap()),
        ];
        for (name, bytes) in contents {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            assert_eq!(read_whole(&p).unwrap().unwrap(), b"Title\nbody\n", "{name}");
        }
        let p = dir.path().join("a.txt.xz");
        std::fs::write(&p, b"\xfd7zXZ\x00\x00").unwrap();
        let err = read_whole(&p).unwrap().unwrap_err();
        assert!(err.starts_with("xz compression is not supported"), "{err}");
        let p = dir.path().join("cut.txt.gz");
        std::fs::write(&p, GZIP_MAGIC).unwrap();
        assert!(read_whole(&p).unwrap().unwrap_err().starts_with("corrupt or truncated gzip: "));
        let p = dir.path().join("cut.txt.zst");
        std::fs::write(&p, ZSTD_MAGIC).unwrap();
        assert!(read_whole(&p).unwrap().unwrap_err().starts_with("corrupt or truncated zstd: "));
        assert!(read_whole(&dir.path().join("gone.txt")).unwrap_err().to_string().contains("gone"));
    }

    #[test]
    fn unsupported_compression_is_named() {
        let bz2 = b"BZh91AY&SY\x00\x01";
        for (head, format) in
            [(&b"\xfd7zXZ\x00\x00"[..], "xz"), (bz2, "bzip2"), (b"PK\x03\x04", "zip")]
        {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("in.dat");
            std::fs::write(&p, head).unwrap();
            let err = open_input(&p).err().unwrap().to_string();
            assert!(err.contains("in.dat: ") && err.contains(format), "{err}");
            assert!(err.contains("not supported (only gzip and zstd are)"), "{err}");
        }
        // Text that merely starts like a bzip2 header is text.
        assert_eq!(unsupported_format(b"BZh9 is a fine first line\n"), None);
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = open_input(Path::new("/nonexistent/x.jsonl")).err().unwrap();
        assert!(err.to_string().contains("/nonexistent/x.jsonl"), "{err}");
    }
}
