//! Opening inputs: files, `-` for stdin, and gzip or zstd streams recognised by their magic
//! bytes (not by the file name, which scrapers and pipes often get wrong).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const BUF_SIZE: usize = 1 << 20;

/// The name a path is shown under in messages: `-` for stdin, else the path as given.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Opens `path` (or stdin for `-`) for buffered reading, transparently decompressing gzip
/// (including concatenated members, as `cat a.gz b.gz` produces) and zstd.
pub fn open_input(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| Error::io(path, e))?)
    };
    let mut reader = BufReader::with_capacity(BUF_SIZE, raw);
    let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.starts_with(&GZIP_MAGIC) {
        let dec = flate2::bufread::MultiGzDecoder::new(reader);
        Ok(Box::new(BufReader::with_capacity(BUF_SIZE, dec)))
    } else if head.starts_with(&ZSTD_MAGIC) {
        let dec =
            zstd::stream::read::Decoder::with_buffer(reader).map_err(|e| Error::io(path, e))?;
        Ok(Box::new(BufReader::with_capacity(BUF_SIZE, dec)))
    } else {
        Ok(Box::new(reader))
    }
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
    fn missing_file_names_the_path() {
        let err = open_input(Path::new("/nonexistent/x.jsonl")).err().unwrap();
        assert!(err.to_string().contains("/nonexistent/x.jsonl"), "{err}");
    }
}
